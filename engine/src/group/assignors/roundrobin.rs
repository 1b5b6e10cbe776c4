//! Client-side `RoundRobinAssignor` (`roundrobin`).
//!
//! All subscribed partitions, topics sorted by name and partitions ascending, are dealt to the
//! members in `MemberInfo` order by a circular cursor; members not subscribed to a partition's
//! topic are skipped.

use super::model::Model;
use super::{Assignment, AssignorError, MemberSubscription};
use std::collections::BTreeMap;

/// Runs the round-robin assignor.
pub fn assign(
    partitions_per_topic: &BTreeMap<String, u32>,
    members: &[MemberSubscription],
) -> Result<Assignment, AssignorError> {
    let model = Model::build(partitions_per_topic, members, false)?;
    let order = model.member_info_order();
    let mut out = vec![Vec::new(); model.members.len()];
    let mut cursor = 0usize;
    for t in 0..model.topic_count() {
        // Every modelled topic has a subscriber, so the skip loop ends.
        for g in model.offsets[t as usize]..model.offsets[t as usize + 1] {
            while !model.members[order[cursor] as usize].subscribes(t) {
                cursor = (cursor + 1) % order.len();
            }
            out[order[cursor] as usize].push(g);
            cursor = (cursor + 1) % order.len();
        }
    }
    Ok(model.to_assignment(out))
}
