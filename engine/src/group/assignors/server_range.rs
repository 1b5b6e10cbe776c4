//! Server-side KIP-848 `RangeAssignor` (`range` in `group.consumer.assignors`).
//!
//! Since KAFKA-16944 (July 2024) it is not sticky: every target assignment is recomputed from
//! scratch with the same member order as the client-side range assignor (static members by
//! instance id first, then member id) and the same per-topic contiguous split, whether the group
//! is homogeneous or not. Current assignments are ignored.

use super::model::Model;
use super::range::assign_ranges;
use super::{Assignment, AssignorError, MemberSubscription};
use std::collections::BTreeMap;

/// Runs the server-side range assignor.
pub fn assign(
    partitions_per_topic: &BTreeMap<String, u32>,
    members: &[MemberSubscription],
) -> Result<Assignment, AssignorError> {
    let model = Model::build(partitions_per_topic, members, false)?;
    let per_member = assign_ranges(&model);
    Ok(model.to_assignment(per_member))
}
