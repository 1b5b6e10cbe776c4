//! The timeline's markers: one lane per kind (rebalances, leader changes, ISR changes,
//! retention deletions, guarantee violations) over the whole run, the current time as a line.
//! A click goes to the moment; the previous/next buttons do the same from the keyboard.

use super::events::sentence;
use super::i18n::{t, Lang, Text};
use super::svg::px;
use crate::engine::time::{human, Millis};
use crate::scenario::history::{History, Marker, MarkerKind};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use yew::prelude::*;

/// Colour-blind-safe colours (Okabe-Ito), one per kind.
pub fn colour(kind: MarkerKind) -> &'static str {
    match kind {
        MarkerKind::Rebalance => "#CC79A7",
        MarkerKind::LeaderChange => "#0072B2",
        MarkerKind::IsrChange => "#56B4E9",
        MarkerKind::RetentionDeletion => "#8C8C8C",
        MarkerKind::Violation => "#D55E00",
    }
}

pub fn label(l: Lang, kind: MarkerKind) -> &'static str {
    t(
        l,
        match kind {
            MarkerKind::Rebalance => Text::MarkerRebalance,
            MarkerKind::LeaderChange => Text::MarkerLeader,
            MarkerKind::IsrChange => Text::MarkerIsr,
            MarkerKind::RetentionDeletion => Text::MarkerRetention,
            MarkerKind::Violation => Text::MarkerViolation,
        },
    )
}

const W: f64 = 1000.0;
const LANE: f64 = 9.0;
/// Markers closer than this (in viewBox units) are drawn as one.
const COLUMN: f64 = 4.0;

#[derive(Properties)]
pub struct MarkersProps {
    pub lang: Lang,
    pub history: Rc<RefCell<History>>,
    pub now: Millis,
    pub horizon: Millis,
    pub on_seek: Callback<Millis>,
}

impl PartialEq for MarkersProps {
    fn eq(&self, other: &Self) -> bool {
        // The history grows in place: a new time or horizon is what tells it changed.
        self.lang == other.lang
            && self.now == other.now
            && self.horizon == other.horizon
            && Rc::ptr_eq(&self.history, &other.history)
    }
}

#[component]
pub fn TimelineMarkers(props: &MarkersProps) -> Html {
    let l = props.lang;
    let history = props.history.borrow();
    let markers = history.markers();
    let span = props.horizon.max(1) as f64;
    let x_of = |at: Millis| (at as f64 / span * W).clamp(0.0, W);
    // One mark per kind and column: (first marker, events in the column).
    let mut columns: BTreeMap<(MarkerKind, i64), (&Marker, u64)> = BTreeMap::new();
    for m in markers {
        let col = (x_of(m.at) / COLUMN) as i64;
        let e = columns.entry((m.kind, col)).or_insert((m, 0));
        e.1 += u64::from(m.count);
    }
    let marks = columns.into_iter().map(|((kind, col), (m, n))| {
        let lane = MarkerKind::ALL.iter().position(|k| *k == kind).unwrap_or(0) as f64;
        let at = m.at;
        let onclick = props.on_seek.reform(move |_: MouseEvent| at);
        let more = if n > 1 { format!(" (×{n})") } else { String::new() };
        html! {
            <rect key={format!("{kind:?}-{col}")} class={classes!("marker")} x={px(col as f64 * COLUMN)} y={px(lane * LANE + 1.0)}
                width={px(COLUMN - 1.0)} height={px(LANE - 2.0)} fill={colour(kind)} {onclick}>
                <title>{ format!("{} · {}: {}{more}", human(at), label(l, kind), sentence(l, &m.first)) }</title>
            </rect>
        }
    });
    let height = LANE * MarkerKind::ALL.len() as f64;
    let now_x = x_of(props.now);
    let prev = markers
        .iter()
        .rev()
        .find(|m| m.at < props.now)
        .map(|m| m.at);
    let next = markers.iter().find(|m| m.at > props.now).map(|m| m.at);
    let go = |to: Option<Millis>| {
        let seek = props.on_seek.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(at) = to {
                seek.emit(at);
            }
        })
    };
    let legend = MarkerKind::ALL.iter().map(|k| {
        html! { <li><span class="swatch" style={format!("background:{}", colour(*k))}></span>{ label(l, *k) }</li> }
    });
    html! {
        <section class="timeline-markers" aria-label={t(l, Text::MarkersLabel)}>
            <svg viewBox={format!("0 0 {W} {height}")} preserveAspectRatio="none" role="img" aria-label={t(l, Text::MarkersLabel)}>
                <rect class="lanes" x="0" y="0" width={W.to_string()} height={height.to_string()} />
                <>{ for marks }</>
                <line class="now" x1={px(now_x)} x2={px(now_x)} y1="0" y2={height.to_string()} />
            </svg>
            <div class="marker-row">
                <button type="button" class="prev-marker" disabled={prev.is_none()} onclick={go(prev)}>{ t(l, Text::PrevMarker) }</button>
                <ul class="marker-legend">{ for legend }</ul>
                <button type="button" class="next-marker" disabled={next.is_none()} onclick={go(next)}>{ t(l, Text::NextMarker) }</button>
            </div>
        </section>
    }
}
