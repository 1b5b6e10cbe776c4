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
    Acked,
    Sent,
    Leader,
    FollowerInSync,
    FollowerOutOfSync,
    Broker,
    CoordinatorOf,
    Lag,
    Idle,
    Consumed,
    Generation,
    Replication,
    GroupProtocol,
    Legend,
    LegendShape,
    Play,
    Pause,
    Step,
    Speed,
    SimTime,
    Reset,
    FastForward,
    Controls,
    Terminal,
    TerminalHint,
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
        (Lang::En, Acked) => "acked",
        (Lang::Id, Acked) => "di-ack",
        (Lang::En, Sent) => "sent",
        (Lang::Id, Sent) => "terkirim",
        (Lang::En, Leader) => "leader",
        (Lang::Id, Leader) => "leader",
        (Lang::En, FollowerInSync) => "follower (in ISR)",
        (Lang::Id, FollowerInSync) => "follower (di ISR)",
        (Lang::En, FollowerOutOfSync) => "follower (out of ISR)",
        (Lang::Id, FollowerOutOfSync) => "follower (di luar ISR)",
        (Lang::En, Broker) => "Broker",
        (Lang::Id, Broker) => "Broker",
        (Lang::En, CoordinatorOf) => "coordinator of",
        (Lang::Id, CoordinatorOf) => "koordinator untuk",
        (Lang::En, Lag) => "lag",
        (Lang::Id, Lag) => "lag",
        (Lang::En, Idle) => "idle: no partition",
        (Lang::Id, Idle) => "menganggur: tanpa partisi",
        (Lang::En, Consumed) => "read",
        (Lang::Id, Consumed) => "dibaca",
        (Lang::En, Generation) => "generation",
        (Lang::Id, Generation) => "generasi",
        (Lang::En, Replication) => "Replication",
        (Lang::Id, Replication) => "Replikasi",
        (Lang::En, GroupProtocol) => "Group protocol",
        (Lang::Id, GroupProtocol) => "Protokol grup",
        (Lang::En, Legend) => "Messages:",
        (Lang::Id, Legend) => "Pesan:",
        (Lang::En, LegendShape) => "filled = request, ring = response",
        (Lang::Id, LegendShape) => "penuh = permintaan, cincin = respons",
        (Lang::En, Play) => "Play",
        (Lang::Id, Play) => "Putar",
        (Lang::En, Pause) => "Pause",
        (Lang::Id, Pause) => "Jeda",
        (Lang::En, Step) => "Step",
        (Lang::Id, Step) => "Langkah",
        (Lang::En, Speed) => "Speed",
        (Lang::Id, Speed) => "Kecepatan",
        (Lang::En, SimTime) => "Simulated time",
        (Lang::Id, SimTime) => "Waktu simulasi",
        (Lang::En, Reset) => "Reset",
        (Lang::Id, Reset) => "Ulang",
        (Lang::En, FastForward) => "+1 min",
        (Lang::Id, FastForward) => "+1 mnt",
        (Lang::En, Controls) => "Playback controls",
        (Lang::Id, Controls) => "Kontrol pemutaran",
        (Lang::En, Terminal) => "Terminal: Kafka's command-line tools",
        (Lang::Id, Terminal) => "Terminal: alat baris perintah Kafka",
        (Lang::En, TerminalHint) => {
            "try: kafka-topics --describe --topic orders   (help lists everything)"
        }
        (Lang::Id, TerminalHint) => {
            "coba: kafka-topics --describe --topic orders   (help menampilkan semua)"
        }
    }
}
