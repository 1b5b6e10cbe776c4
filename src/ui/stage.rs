//! The stage: producers on the left, the cluster in the middle, consumer groups on the right.

use super::i18n::{t, Lang, Text};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct StageProps {
    pub lang: Lang,
}

/// The SVG stage. Until the engine is wired in, it shows the three regions and an empty-state hint.
#[component]
pub fn Stage(props: &StageProps) -> Html {
    let l = props.lang;
    let regions = [
        (Text::Producers, 20),
        (Text::Cluster, 340),
        (Text::ConsumerGroups, 660),
    ];
    html! {
        <svg class="stage" viewBox="0 0 960 540" role="img" aria-label={t(l, Text::StageLabel)}>
            for (label, x) in regions {
                <g class="region">
                    <rect x={x.to_string()} y="20" width="280" height="500" rx="12" />
                    <text x={(x + 140).to_string()} y="50" text-anchor="middle">{ t(l, label) }</text>
                </g>
            }
            <text class="hint" x="480" y="280" text-anchor="middle">{ t(l, Text::EmptyStage) }</text>
        </svg>
    }
}
