//! Partition assignors: client-side range, roundrobin, sticky, cooperative-sticky; server-side uniform and range (KIP-848).
//!
//! All assignors share one input/output shape: the partition count of each topic, and each
//! member's subscription (with what it owns from the last generation). Internally they work on
//! integer ids (see `model.rs`) so a group of 2,000 members over a million partitions stays fast.
//!
//! Java collection order: the sticky assignor's first step visits members in `java.util.HashMap`
//! order of member ids; it is emulated ([`java_hashmap_order`]) because it decides who keeps an
//! extra partition. Server-side assignors iterate coordinator maps whose order Kafka leaves open;
//! they use sorted member ids and topic names (documented on each).

mod model;
pub mod range;
pub mod roundrobin;
pub mod server_range;
pub mod sticky;
pub mod uniform;

use crate::group::coordinator::java_string_hash_code;
use crate::TopicPartition;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;

/// One member's input to an assignment (`ConsumerPartitionAssignor.Subscription`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberSubscription {
    pub member_id: String,
    /// `group.instance.id` of a static member.
    pub group_instance_id: Option<String>,
    /// Subscribed topic names (topics that don't exist are ignored).
    pub topics: Vec<String>,
    /// Partitions the member owned in the previous generation (cooperative protocol), or its
    /// previous assignment (eager sticky's user data; KIP-848 current assignment).
    pub owned: Vec<TopicPartition>,
    /// The generation `owned` is from; sticky assignors prefer the newest claim.
    pub generation: Option<i32>,
}

/// Member id → assigned partitions, each list sorted by topic then partition. Every member of
/// the input appears, possibly with an empty list.
pub type Assignment = BTreeMap<String, Vec<TopicPartition>>;

/// Why an assignment could not be computed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssignorError {
    pub message: String,
}

impl AssignorError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        AssignorError {
            message: message.into(),
        }
    }
}

impl fmt::Display for AssignorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AssignorError {}

/// The classic protocol's rebalance protocols (KIP-429), in Kafka's order of preference.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RebalanceProtocol {
    /// Every member revokes everything before rejoining.
    Eager,
    /// Members keep their partitions; moves take two rebalances.
    Cooperative,
}

/// The built-in assignors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AssignorName {
    /// Client-side `RangeAssignor` (`range`).
    Range,
    /// Client-side `RoundRobinAssignor` (`roundrobin`).
    RoundRobin,
    /// Client-side `StickyAssignor` (`sticky`, eager).
    Sticky,
    /// Client-side `CooperativeStickyAssignor` (`cooperative-sticky`).
    CooperativeSticky,
    /// Server-side KIP-848 `UniformAssignor` (`uniform`, the default of `group.consumer.assignors`).
    Uniform,
    /// Server-side KIP-848 `RangeAssignor` (also named `range`).
    ServerRange,
}

impl AssignorName {
    pub const ALL: [AssignorName; 6] = [
        AssignorName::Range,
        AssignorName::RoundRobin,
        AssignorName::Sticky,
        AssignorName::CooperativeSticky,
        AssignorName::Uniform,
        AssignorName::ServerRange,
    ];

    /// The protocol name Kafka uses in JoinGroup and in `kafka-consumer-groups` output.
    pub fn name(self) -> &'static str {
        match self {
            AssignorName::Range | AssignorName::ServerRange => "range",
            AssignorName::RoundRobin => "roundrobin",
            AssignorName::Sticky => "sticky",
            AssignorName::CooperativeSticky => "cooperative-sticky",
            AssignorName::Uniform => "uniform",
        }
    }

    /// The Java class name, as written in `partition.assignment.strategy` or
    /// `group.consumer.assignors`.
    pub fn class_name(self) -> &'static str {
        match self {
            AssignorName::Range => "org.apache.kafka.clients.consumer.RangeAssignor",
            AssignorName::RoundRobin => "org.apache.kafka.clients.consumer.RoundRobinAssignor",
            AssignorName::Sticky => "org.apache.kafka.clients.consumer.StickyAssignor",
            AssignorName::CooperativeSticky => {
                "org.apache.kafka.clients.consumer.CooperativeStickyAssignor"
            }
            AssignorName::Uniform => "org.apache.kafka.coordinator.group.assignor.UniformAssignor",
            AssignorName::ServerRange => {
                "org.apache.kafka.coordinator.group.assignor.RangeAssignor"
            }
        }
    }

    /// Server-side (KIP-848) assignors run in the group coordinator, not in a consumer.
    pub fn is_server_side(self) -> bool {
        matches!(self, AssignorName::Uniform | AssignorName::ServerRange)
    }

    /// Parses a client-side `partition.assignment.strategy` entry: a short name or a class name.
    /// `range` means the client `RangeAssignor`; use [`parse_server`](Self::parse_server) for
    /// `group.remote.assignor` / `group.consumer.assignors`.
    pub fn parse(s: &str) -> Result<AssignorName, AssignorError> {
        let s = s.trim();
        AssignorName::ALL
            .into_iter()
            .find(|a| a.class_name() == s || (a.name() == s && *a != AssignorName::ServerRange))
            .ok_or_else(|| {
                AssignorError::new(format!(
                    "unknown assignor '{s}'; expected one of range, roundrobin, sticky, \
                     cooperative-sticky, uniform, or a built-in class name such as {}",
                    AssignorName::CooperativeSticky.class_name()
                ))
            })
    }

    /// Parses a server-side assignor name (`uniform`, `range`, or their class names).
    pub fn parse_server(s: &str) -> Result<AssignorName, AssignorError> {
        let s = s.trim();
        [AssignorName::Uniform, AssignorName::ServerRange]
            .into_iter()
            .find(|a| a.name() == s || a.class_name() == s)
            .ok_or_else(|| {
                AssignorError::new(format!(
                    "unknown server-side assignor '{s}'; expected uniform or range"
                ))
            })
    }

    /// `ConsumerPartitionAssignor.supportedProtocols()`. Server-side assignors take no part in
    /// the classic protocol's negotiation and list none.
    pub fn rebalance_protocols(self) -> &'static [RebalanceProtocol] {
        match self {
            AssignorName::Range | AssignorName::RoundRobin | AssignorName::Sticky => {
                &[RebalanceProtocol::Eager]
            }
            AssignorName::CooperativeSticky => {
                &[RebalanceProtocol::Cooperative, RebalanceProtocol::Eager]
            }
            AssignorName::Uniform | AssignorName::ServerRange => &[],
        }
    }
}

impl fmt::Display for AssignorName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The protocol a consumer uses for its `partition.assignment.strategy` list
/// (`ConsumerCoordinator`): the highest one every listed assignor supports. The default list
/// `[range, cooperative-sticky]` therefore runs EAGER.
pub fn rebalance_protocol(strategies: &[AssignorName]) -> Result<RebalanceProtocol, AssignorError> {
    if strategies.is_empty() {
        return Err(AssignorError::new(
            "partition.assignment.strategy is empty; list at least one assignor",
        ));
    }
    [RebalanceProtocol::Cooperative, RebalanceProtocol::Eager]
        .into_iter()
        .find(|p| {
            strategies
                .iter()
                .all(|a| a.rebalance_protocols().contains(p))
        })
        .ok_or_else(|| {
            AssignorError::new(
                "the assignors in partition.assignment.strategy have no commonly supported \
                 rebalance protocol (server-side assignors cannot be used there)",
            )
        })
}

/// Runs the named assignor. For `CooperativeSticky` the result already withholds partitions
/// that move between members (see [`cooperative_sticky`]), as Kafka's assignor returns it.
pub fn assign(
    name: AssignorName,
    partitions_per_topic: &BTreeMap<String, u32>,
    members: &[MemberSubscription],
) -> Result<Assignment, AssignorError> {
    match name {
        AssignorName::Range => range::assign(partitions_per_topic, members),
        AssignorName::RoundRobin => roundrobin::assign(partitions_per_topic, members),
        AssignorName::Sticky => sticky::assign(partitions_per_topic, members),
        AssignorName::CooperativeSticky => {
            cooperative_sticky(partitions_per_topic, members).map(|c| c.assignment)
        }
        AssignorName::Uniform => uniform::assign(partitions_per_topic, members),
        AssignorName::ServerRange => server_range::assign(partitions_per_topic, members),
    }
}

/// Result of the cooperative-sticky assignor for one rebalance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CooperativeAssignment {
    /// What each member gets this round: the sticky target minus the withheld partitions.
    pub assignment: Assignment,
    /// Partitions moving from one owner to another, keyed by partition, valued by the member
    /// that will get it in the follow-up rebalance (after the current owner revoked it).
    pub withheld: BTreeMap<TopicPartition, String>,
}

/// `CooperativeStickyAssignor.assignPartitions`: the sticky assignment, then `adjustAssignment`
/// removes every partition whose owner changes (KIP-429). The old owner sees it missing, revokes
/// it, and rejoins; the next rebalance gives it to the new owner. Unmoved partitions never pause.
pub fn cooperative_sticky(
    partitions_per_topic: &BTreeMap<String, u32>,
    members: &[MemberSubscription],
) -> Result<CooperativeAssignment, AssignorError> {
    let outcome = sticky::assign_with_transfers(partitions_per_topic, members)?;
    let withheld = match outcome.transferring {
        Some(t) => t,
        None => partitions_transferring_ownership(members, &outcome.assignment),
    };
    let assignment = adjust_assignment(outcome.assignment, &withheld);
    Ok(CooperativeAssignment {
        assignment,
        withheld,
    })
}

/// `computePartitionsTransferringOwnership`: partitions newly assigned to one member that some
/// member owned and does not keep. Works for any assignor's output.
pub fn partitions_transferring_ownership(
    members: &[MemberSubscription],
    assignment: &Assignment,
) -> BTreeMap<TopicPartition, String> {
    use std::collections::BTreeSet;
    let owned_by: BTreeMap<&str, BTreeSet<&TopicPartition>> = members
        .iter()
        .map(|m| (m.member_id.as_str(), m.owned.iter().collect()))
        .collect();
    let mut revoked: BTreeSet<&TopicPartition> = BTreeSet::new();
    let mut added: BTreeMap<&TopicPartition, &str> = BTreeMap::new();
    for (member, assigned) in assignment {
        let owned = owned_by.get(member.as_str());
        let assigned_set: BTreeSet<&TopicPartition> = assigned.iter().collect();
        for tp in assigned {
            if !owned.is_some_and(|o| o.contains(tp)) {
                added.insert(tp, member.as_str());
            }
        }
        if let Some(owned) = owned {
            revoked.extend(owned.iter().filter(|tp| !assigned_set.contains(*tp)));
        }
    }
    added
        .into_iter()
        .filter(|(tp, _)| revoked.contains(tp))
        .map(|(tp, m)| (tp.clone(), m.to_string()))
        .collect()
}

/// `adjustAssignment`: removes each withheld partition from its future owner's list.
pub fn adjust_assignment(
    mut assignment: Assignment,
    withheld: &BTreeMap<TopicPartition, String>,
) -> Assignment {
    for (tp, member) in withheld {
        if let Some(list) = assignment.get_mut(member) {
            list.retain(|x| x != tp);
        }
    }
    assignment
}

/// Java's `String.compareTo`: lexicographic over UTF-16 code units (so `consumer10` <
/// `consumer2`, and supplementary characters sort below U+E000..U+FFFF).
pub fn java_compare(a: &str, b: &str) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        return a.cmp(b);
    }
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Iteration order of a `java.util.HashMap<String, _>` built with the default constructor and
/// filled with `keys` in order: buckets `spread(hashCode) & (capacity - 1)` ascending, insertion
/// order within a bucket; capacity starts at 16 and doubles while size > 0.75 × capacity.
/// (Bins of 8+ colliding keys turn into trees in Java; that rare case is not emulated.)
pub fn java_hashmap_order(keys: &[&str]) -> Vec<usize> {
    let mut capacity: u64 = 16;
    while keys.len() as u64 > capacity * 3 / 4 {
        capacity *= 2;
    }
    let mask = (capacity - 1) as u32;
    let bucket = |k: &str| {
        let h = java_string_hash_code(k) as u32;
        (h ^ (h >> 16)) & mask
    };
    let mut order: Vec<(u32, usize)> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| (bucket(k), i))
        .collect();
    order.sort_unstable();
    order.into_iter().map(|(_, i)| i).collect()
}

#[cfg(test)]
mod tests;
