//! Charts of the run so far (SVG, from the session's samples): produce and consume throughput,
//! lag per consumer group, and records retained per partition (retention's saw-tooth).

use super::i18n::{t, Lang, Text};
use crate::engine::time::{human, Millis};
use crate::scenario::history::{History, Sample};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use yew::prelude::*;

/// Okabe-Ito, for one line per series.
const PALETTE: [&str; 7] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#8C8C8C",
];
/// Series drawn per chart at most (the rest are counted under the legend).
const MAX_SERIES: usize = 7;
const W: f64 = 300.0;
const H: f64 = 110.0;
const LEFT: f64 = 38.0;
const BOTTOM: f64 = 16.0;

struct Series {
    label: String,
    points: Vec<(Millis, f64)>,
}

/// A compact number for an axis: 950, 1.2k, 3.4M.
fn compact(v: f64) -> String {
    match v.abs() {
        a if a >= 1e6 => format!("{:.1}M", v / 1e6),
        a if a >= 1e4 => format!("{:.0}k", v / 1e3),
        a if a >= 1e3 => format!("{:.1}k", v / 1e3),
        a if a >= 10.0 || a == 0.0 => format!("{v:.0}"),
        _ => format!("{v:.1}"),
    }
}

fn chart(l: Lang, class: &'static str, title: Text, series: Vec<Series>) -> Html {
    let hidden = series.len().saturating_sub(MAX_SERIES);
    let series = &series[..series.len().min(MAX_SERIES)];
    let points = || series.iter().flat_map(|s| s.points.iter());
    let (t0, t1) = points().fold((Millis::MAX, 0), |(a, b), (t, _)| (a.min(*t), b.max(*t)));
    let top = points().fold(0.0f64, |m, (_, v)| m.max(*v));
    let body = if t0 >= t1 {
        html! { <text class="empty" x={(W / 2.0).to_string()} y={(H / 2.0).to_string()} text-anchor="middle">{ t(l, Text::NoSamples) }</text> }
    } else {
        let top = if top <= 0.0 { 1.0 } else { top * 1.1 };
        let x = |t: Millis| LEFT + (t - t0) as f64 / (t1 - t0) as f64 * (W - LEFT - 4.0);
        let y = |v: f64| 4.0 + (1.0 - v / top) * (H - BOTTOM - 4.0);
        let lines = series.iter().enumerate().map(|(i, s)| {
            let d: Vec<String> =
                s.points.iter().map(|(t, v)| format!("{:.1},{:.1}", x(*t), y(*v))).collect();
            let last = s.points.last().map_or(0.0, |p| p.1);
            html! {
                <polyline key={s.label.clone()} points={d.join(" ")} stroke={PALETTE[i % PALETTE.len()]}>
                    <title>{ format!("{}: {}", s.label, compact(last)) }</title>
                </polyline>
            }
        });
        html! {
            <>
                <line class="axis" x1={LEFT.to_string()} x2={LEFT.to_string()} y1="4" y2={(H - BOTTOM).to_string()} />
                <line class="axis" x1={LEFT.to_string()} x2={W.to_string()} y1={(H - BOTTOM).to_string()} y2={(H - BOTTOM).to_string()} />
                <text class="tick" x={(LEFT - 3.0).to_string()} y="12" text-anchor="end">{ compact(top) }</text>
                <text class="tick" x={(LEFT - 3.0).to_string()} y={(H - BOTTOM).to_string()} text-anchor="end">{ "0" }</text>
                <text class="tick" x={LEFT.to_string()} y={(H - 3.0).to_string()}>{ human(t0) }</text>
                <text class="tick" x={W.to_string()} y={(H - 3.0).to_string()} text-anchor="end">{ human(t1) }</text>
                <>{ for lines }</>
            </>
        }
    };
    let legend = series.iter().enumerate().map(|(i, s)| {
        html! { <li><span class="swatch" style={format!("background:{}", PALETTE[i % PALETTE.len()])}></span>{ s.label.clone() }</li> }
    });
    html! {
        <figure class={classes!("chart", class)}>
            <figcaption>{ t(l, title) }</figcaption>
            <svg viewBox={format!("0 0 {W} {H}")} role="img" aria-label={t(l, title)}>{ body }</svg>
            <ul class="chart-legend">
                <>{ for legend }</>
                if hidden > 0 {
                    <li class="more">{ format!("+{hidden} {}", t(l, Text::MoreSeries)) }</li>
                }
            </ul>
        </figure>
    }
}

fn throughput(l: Lang, samples: &[Sample]) -> Vec<Series> {
    let rate = |f: fn(&Sample) -> u64| -> Vec<(Millis, f64)> {
        samples
            .iter()
            .map(|s| (s.at, Sample::rate(f(s), s.at - s.from)))
            .collect()
    };
    vec![
        Series {
            label: t(l, Text::ChartProduced).into(),
            points: rate(|s| s.produced),
        },
        Series {
            label: t(l, Text::ChartConsumed).into(),
            points: rate(|s| s.consumed),
        },
    ]
}

/// One series per name seen in any sample, in order of first appearance (one pass: a topic
/// may have a thousand partitions).
fn by_name<K: Clone + Ord + ToString>(
    samples: &[Sample],
    values: impl Fn(&Sample) -> &[(K, i64)],
) -> Vec<Series> {
    let mut index: BTreeMap<K, usize> = BTreeMap::new();
    let mut series: Vec<Series> = Vec::new();
    for s in samples {
        for (k, v) in values(s) {
            let i = *index.entry(k.clone()).or_insert_with(|| {
                series.push(Series {
                    label: k.to_string(),
                    points: Vec::new(),
                });
                series.len() - 1
            });
            series[i].points.push((s.at, *v as f64));
        }
    }
    series
}

#[derive(Properties)]
pub struct ChartsProps {
    pub lang: Lang,
    pub history: Rc<RefCell<History>>,
    /// Samples taken so far: the charts redraw when a new one arrives.
    pub samples: usize,
    pub last_at: Millis,
}

impl PartialEq for ChartsProps {
    fn eq(&self, other: &Self) -> bool {
        self.lang == other.lang
            && self.samples == other.samples
            && self.last_at == other.last_at
            && Rc::ptr_eq(&self.history, &other.history)
    }
}

#[component]
pub fn Charts(props: &ChartsProps) -> Html {
    let l = props.lang;
    let history = props.history.borrow();
    let samples = history.samples();
    html! {
        <section class="charts" aria-label={t(l, Text::Charts)}>
            { chart(l, "throughput", Text::ChartThroughput, throughput(l, samples)) }
            { chart(l, "lag", Text::ChartLag, by_name(samples, |s| &s.lag)) }
            { chart(l, "retained", Text::ChartRetained, by_name(samples, |s| &s.retained)) }
        </section>
    }
}
