//! The UI's texts in English and Bahasa Indonesia. Every visible string goes through here.

/// A language the UI speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Id,
}

impl Lang {
    /// BCP 47 tag, for the `lang` attribute.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Id => "id",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Id,
            Lang::Id => Lang::En,
        }
    }

    pub fn from_tag(tag: &str) -> Option<Lang> {
        match tag {
            "en" => Some(Lang::En),
            "id" => Some(Lang::Id),
            _ => None,
        }
    }
}

/// Keys of the UI's texts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Text {
    Title,
    Tagline,
    StageLabel,
    EmptyStage,
    Producers,
    Cluster,
    ConsumerGroups,
    SwitchLanguage,
    Version,
}

/// The text for `key` in `lang`.
pub fn t(lang: Lang, key: Text) -> &'static str {
    use Text::*;
    match (lang, key) {
        (_, Title) => "Kafka Playground",
        (Lang::En, Tagline) => "Apache Kafka, simulated faithfully in your browser.",
        (Lang::Id, Tagline) => "Apache Kafka, disimulasikan dengan setia di peramban Anda.",
        (Lang::En, StageLabel) => "The simulated Kafka cluster",
        (Lang::Id, StageLabel) => "Klaster Kafka yang disimulasikan",
        (Lang::En, EmptyStage) => {
            "The stage is empty: producers, brokers and consumers appear here."
        }
        (Lang::Id, EmptyStage) => {
            "Panggung masih kosong: produser, broker, dan konsumer muncul di sini."
        }
        (Lang::En, Producers) => "Producers",
        (Lang::Id, Producers) => "Produser",
        (Lang::En, Cluster) => "Cluster",
        (Lang::Id, Cluster) => "Klaster",
        (Lang::En, ConsumerGroups) => "Consumer groups",
        (Lang::Id, ConsumerGroups) => "Grup konsumer",
        (Lang::En, SwitchLanguage) => "Bahasa Indonesia",
        (Lang::Id, SwitchLanguage) => "English",
        (Lang::En, Version) => "version",
        (Lang::Id, Version) => "versi",
    }
}
