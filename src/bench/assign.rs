//! Kafka's assignor scale test (`AbstractStickyAssignorTest.testLargeAssignmentAndGroupWithUniformSubscription`):
//! 2,000 consumers subscribed to 500 topics × 2,000 partitions; assign, then one member leaves
//! and the rest (owning what they were given) rebalance. Each assignment is timed.

use super::clock::Stopwatch;
use super::{Better, Figure, Scale};
use crate::engine::group::assignors::{assign, Assignment, AssignorName, MemberSubscription};
use crate::ordered::CollectOrdered;
use serde_json::json;
use std::collections::BTreeMap;

struct Size {
    consumers: u32,
    topics: u32,
    partitions: u32,
}

fn size(scale: Scale) -> Size {
    match scale {
        Scale::Full => Size {
            consumers: 2_000,
            topics: 500,
            partitions: 2_000,
        },
        Scale::Tiny => Size {
            consumers: 20,
            topics: 5,
            partitions: 20,
        },
    }
}

fn assigned(a: &Assignment) -> u64 {
    a.values().map(|v| v.len() as u64).sum()
}

/// Times `name` on the scale test; the figure is the slower of the two assignments.
fn run(name: AssignorName, figure: &str, scale: Scale) -> Result<Vec<Figure>, String> {
    let s = size(scale);
    let topics: Vec<String> = (0..s.topics).map(|t| format!("topic-{t:03}")).collect();
    let partitions_per_topic: BTreeMap<String, u32> = topics
        .iter()
        .map(|t| (t.clone(), s.partitions))
        .collect_map();
    let mut members: Vec<MemberSubscription> = (0..s.consumers)
        .map(|c| MemberSubscription {
            member_id: format!("consumer-{c:04}"),
            topics: topics.clone(),
            ..MemberSubscription::default()
        })
        .collect();

    let start = Stopwatch::start();
    let first = assign(name, &partitions_per_topic, &members).map_err(|e| e.to_string())?;
    let initial_s = start.elapsed_s();
    let assigned_initial = assigned(&first);

    // Member 0 leaves; everyone else reports what it owns from generation 1.
    members.remove(0);
    for m in &mut members {
        m.owned = first.get(&m.member_id).cloned().unwrap_or_default();
        m.generation = Some(1);
    }
    drop(first);
    let start = Stopwatch::start();
    let second = assign(name, &partitions_per_topic, &members).map_err(|e| e.to_string())?;
    let rebalance_s = start.elapsed_s();
    let assigned_after = assigned(&second);
    let moved: u64 = members
        .iter()
        .map(|m| {
            let new = second.get(&m.member_id).map_or(&[][..], Vec::as_slice);
            m.owned
                .iter()
                .filter(|tp| new.binary_search(tp).is_err())
                .count() as u64
        })
        .sum();

    Ok(vec![Figure::new(
        figure,
        initial_s.max(rebalance_s),
        "s",
        Some((1.0, Better::Lower)),
        json!({
            "consumers": s.consumers,
            "topics": s.topics,
            "partitions": u64::from(s.topics) * u64::from(s.partitions),
            "initial_s": initial_s,
            "rebalance_after_leave_s": rebalance_s,
            "assigned_initial": assigned_initial,
            "assigned_after_leave": assigned_after,
            "partitions_moved_between_remaining_members": moved,
        }),
    )])
}

pub(crate) fn range(scale: Scale) -> Result<Vec<Figure>, String> {
    run(AssignorName::Range, "assign_range", scale)
}

pub(crate) fn roundrobin(scale: Scale) -> Result<Vec<Figure>, String> {
    run(AssignorName::RoundRobin, "assign_roundrobin", scale)
}

pub(crate) fn sticky(scale: Scale) -> Result<Vec<Figure>, String> {
    run(AssignorName::Sticky, "assign_sticky", scale)
}

pub(crate) fn cooperative_sticky(scale: Scale) -> Result<Vec<Figure>, String> {
    run(
        AssignorName::CooperativeSticky,
        "assign_cooperative_sticky",
        scale,
    )
}

pub(crate) fn uniform(scale: Scale) -> Result<Vec<Figure>, String> {
    run(AssignorName::Uniform, "assign_uniform", scale)
}
