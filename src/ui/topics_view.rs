//! The logical view: per topic, its partitions with their replicas side by side (the stage is
//! the physical view, per broker). Each replica's bar spans log start → log end offset with
//! the high watermark marked, scaled to the partition's longest log, so a lagging or
//! truncated follower stands out. A replica opens in the inspector.

use super::i18n::{t, Lang, Text};
use super::inspector::{ReplicaRole, Selection};
use crate::engine::view::PartitionView;
use crate::scenario::Session;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// Partitions listed per topic at most (the inspector and `kafka-topics --describe` have all).
const MAX_PARTITIONS: usize = 24;

#[derive(Properties)]
pub struct TopicsViewProps {
    pub lang: Lang,
    pub world: Rc<RefCell<Session>>,
    pub frame: u64,
    pub selected: Option<Selection>,
    pub on_select: Callback<Selection>,
}

impl PartialEq for TopicsViewProps {
    fn eq(&self, other: &Self) -> bool {
        self.lang == other.lang
            && self.frame == other.frame
            && self.selected == other.selected
            && Rc::ptr_eq(&self.world, &other.world)
    }
}

fn pct(v: i64, of: i64) -> f64 {
    if of <= 0 {
        0.0
    } else {
        (v as f64 * 100.0 / of as f64).clamp(0.0, 100.0)
    }
}

fn partition_row(
    l: Lang,
    topic: &str,
    p: &PartitionView,
    selected: &Option<Selection>,
    on_select: &Callback<Selection>,
) -> Html {
    let longest = p
        .replica_states
        .iter()
        .map(|r| r.log_end_offset)
        .max()
        .unwrap_or(0);
    let replicas = p.replica_states.iter().map(|r| {
        let role = ReplicaRole::of(p, r.broker);
        let role = (role.class(), role.label(l));
        let sel = Selection::Replica {
            topic: topic.to_string(),
            partition: p.partition,
            broker: r.broker,
        };
        let chosen = selected.as_ref() == Some(&sel);
        let onclick = on_select.reform(move |_: MouseEvent| sel.clone());
        let start = pct(r.log_start_offset, longest);
        let end = pct(r.log_end_offset, longest);
        let hw = pct(r.high_watermark, longest);
        html! {
            <td>
                <button type="button" class={classes!("replica-cell", role.0, chosen.then_some("selected"))} {onclick}
                    aria-label={format!("{topic}-{} {} {}: {}, LEO {}, HW {}", p.partition, t(l, Text::Broker), r.broker, role.1, r.log_end_offset, r.high_watermark)}>
                    <span class="who">{ format!("b{}", r.broker) }<small>{ role.1 }</small></span>
                    <span class="bar"><span class="log" style={format!("left:{start:.1}%;width:{:.1}%", (end - start).max(0.0))}></span><span class="hw" style={format!("left:{hw:.1}%")}></span></span>
                    <span class="nums">{ format!("{}…{} · HW {}", r.log_start_offset, r.log_end_offset, r.high_watermark) }</span>
                </button>
            </td>
        }
    });
    html! {
        <tr key={p.partition.to_string()}>
            <th scope="row">{ p.partition }</th>
            <td class="epoch">{ p.leader_epoch }</td>
            <>{ for replicas }</>
        </tr>
    }
}

#[component]
pub fn TopicsView(props: &TopicsViewProps) -> Html {
    let l = props.lang;
    let world = props.world.borrow();
    let sim = world.sim();
    let topics = sim.topic_names(false).into_iter().filter_map(|name| {
        let topic = sim.topic(&name)?;
        let rf = topic
            .partitions
            .first()
            .map_or(0, |p| p.replicas.len());
        let hidden = topic.partitions.len().saturating_sub(MAX_PARTITIONS);
        let rows = topic
            .partitions
            .iter()
            .take(MAX_PARTITIONS)
            .map(|p| partition_row(l, &name, p, &props.selected, &props.on_select));
        Some(html! {
            <div class="topic-logical" key={name.clone()}>
                <h3>{ format!("{name} · {} {} · RF {rf}", topic.partitions.len(), t(l, Text::PartitionsWord)) }</h3>
                <table>
                    <thead><tr>
                        <th scope="col">{ t(l, Text::PartitionWord) }</th>
                        <th scope="col">{ t(l, Text::EpochWord) }</th>
                        { for (0..rf).map(|i| html! { <th scope="col">{ format!("{} {}", t(l, Text::ReplicaWord), i + 1) }</th> }) }
                    </tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
                if hidden > 0 {
                    <p class="more">{ format!("+{hidden} {}", t(l, Text::MoreSeries)) }</p>
                }
            </div>
        })
    });
    let topics: Vec<Html> = topics.collect();
    html! {
        <section class="topics-view" aria-label={t(l, Text::LogicalView)}>
            if topics.is_empty() {
                <p class="empty">{ t(l, Text::NoTopics) }</p>
            }
            <>{ for topics }</>
        </section>
    }
}
