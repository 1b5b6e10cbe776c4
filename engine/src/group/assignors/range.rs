//! Client-side `RangeAssignor` (`range`), without rack awareness.
//!
//! Per topic, independently: the members subscribed to it in `MemberInfo` order (static members
//! by `group.instance.id` first, then the rest by member id) each take a contiguous run of
//! partitions; with `P` partitions over `M` members the first `P % M` members get one extra.
//! The same members come first in every topic, which skews load towards them.

use super::model::Model;
use super::{Assignment, AssignorError, MemberSubscription};
use std::collections::BTreeMap;

/// Runs the range assignor.
pub fn assign(
    partitions_per_topic: &BTreeMap<String, u32>,
    members: &[MemberSubscription],
) -> Result<Assignment, AssignorError> {
    let model = Model::build(partitions_per_topic, members, false)?;
    let per_member = assign_ranges(&model);
    Ok(model.to_assignment(per_member))
}

/// The per-topic contiguous split, shared with the server-side range assignor.
pub(crate) fn assign_ranges(model: &Model) -> Vec<Vec<u32>> {
    let order = model.member_info_order();
    let subscribers = model.subscribers(&order);
    let mut out = vec![Vec::new(); model.members.len()];
    for (t, subs) in subscribers.iter().enumerate() {
        if subs.is_empty() {
            continue;
        }
        let n = subs.len() as u32;
        let count = model.counts[t];
        let (quota, extra) = (count / n, count % n);
        let mut next = model.offsets[t];
        for (i, &m) in subs.iter().enumerate() {
            let len = quota + u32::from((i as u32) < extra);
            out[m as usize].extend(next..next + len);
            next += len;
        }
    }
    out
}
