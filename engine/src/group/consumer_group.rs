//! The group coordinator's side of the new consumer rebalance protocol (KIP-848,
//! `group.protocol=consumer`), after `GroupMetadataManager#consumerGroupHeartbeat`,
//! `modern/consumer/ConsumerGroup.java` and `CurrentAssignmentBuilder.java` in Kafka 4.0.
//!
//! One RPC, `ConsumerGroupHeartbeat`. The coordinator keeps a **group epoch** (bumped when
//! members, subscriptions or the subscribed topics' partition counts change), computes a
//! **target assignment** with a server-side assignor when the group epoch is ahead of the
//! target assignment epoch, and moves each member towards its target on that member's own
//! heartbeats. A partition reaches its new owner only once the old owner has acknowledged
//! revoking it; everybody else keeps consuming (no stop-the-world barrier).
//!
//! [`ConsumerGroup`] is pure (no `Sim`): it is driven by [`ConsumerGroup::heartbeat`] and
//! reports what happened as [`GroupEvent`]s, which the `Sim` glue at the bottom turns into
//! trace events, timers and responses.

use crate::config::BrokerConfig;
use crate::error::ErrorCode;
use crate::group::assignors::{self, AssignorName, MemberSubscription};
use crate::group::classic::CommittedOffset;
use crate::ids::{BrokerId, TopicPartition};
use crate::network::NodeId;
use crate::ordered;
use crate::ordered::CollectOrdered;
use crate::protocol::Body;
use crate::sim::{Event, Sim, Timer};
use crate::time::Millis;
use crate::trace::TraceEvent;
use crate::view::{GroupOffsetView, GroupView, MemberView};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// `ConsumerGroupHeartbeatRequest.LEAVE_GROUP_MEMBER_EPOCH`: a dynamic member leaves.
pub const LEAVE_GROUP_MEMBER_EPOCH: i32 = -1;
/// `LEAVE_GROUP_STATIC_MEMBER_EPOCH`: a static member leaves but keeps its place (and its
/// partitions) until it rejoins with the same instance id or its session expires.
pub const LEAVE_GROUP_STATIC_MEMBER_EPOCH: i32 = -2;
/// `JOIN_GROUP_MEMBER_EPOCH`.
pub const JOIN_GROUP_MEMBER_EPOCH: i32 = 0;

/// `ConsumerGroup.ConsumerGroupState` (`maybeUpdateGroupState`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ConsumerGroupState {
    /// No members.
    Empty,
    /// The group epoch is ahead of the target assignment epoch.
    Assigning,
    /// Some member has not reached the target assignment yet.
    Reconciling,
    Stable,
    Dead,
}

impl ConsumerGroupState {
    pub fn name(self) -> &'static str {
        match self {
            ConsumerGroupState::Empty => "Empty",
            ConsumerGroupState::Assigning => "Assigning",
            ConsumerGroupState::Reconciling => "Reconciling",
            ConsumerGroupState::Stable => "Stable",
            ConsumerGroupState::Dead => "Dead",
        }
    }
}

/// `modern/MemberState`: where a member is in its reconciliation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum MemberState {
    /// At the target epoch with everything it may have.
    Stable,
    /// Must revoke `partitions_pending_revocation` (and ack) before it moves on.
    UnrevokedPartitions,
    /// At the target epoch, waiting for other members to release partitions it is to get.
    UnreleasedPartitions,
}

impl MemberState {
    pub fn name(self) -> &'static str {
        match self {
            MemberState::Stable => "STABLE",
            MemberState::UnrevokedPartitions => "UNREVOKED_PARTITIONS",
            MemberState::UnreleasedPartitions => "UNRELEASED_PARTITIONS",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumerGroupMember {
    pub member_id: String,
    pub instance_id: Option<String>,
    pub rack: Option<String>,
    pub client: NodeId,
    pub client_id: String,
    pub host: String,
    pub member_epoch: i32,
    pub previous_member_epoch: i32,
    pub state: MemberState,
    pub subscribed_topics: Vec<String>,
    pub server_assignor: Option<String>,
    pub rebalance_timeout_ms: Millis,
    /// Partitions the member owns now, as the coordinator knows it.
    pub assigned: BTreeSet<TopicPartition>,
    /// Partitions it still owns but must give up.
    pub pending_revocation: BTreeSet<TopicPartition>,
    session_token: u64,
    rebalance_token: u64,
}

impl ConsumerGroupMember {
    fn new(member_id: &str, client: NodeId) -> Self {
        ConsumerGroupMember {
            member_id: member_id.to_string(),
            instance_id: None,
            rack: None,
            client,
            client_id: String::new(),
            host: "/127.0.0.1".into(),
            member_epoch: 0,
            previous_member_epoch: -1,
            state: MemberState::Stable,
            subscribed_topics: Vec::new(),
            server_assignor: None,
            rebalance_timeout_ms: 300_000,
            assigned: BTreeSet::new(),
            pending_revocation: BTreeSet::new(),
            session_token: 0,
            rebalance_token: 0,
        }
    }

    fn update_epoch(&mut self, epoch: i32) {
        self.previous_member_epoch = self.member_epoch;
        self.member_epoch = epoch;
    }

    /// Owns `tp` from the coordinator's point of view (assigned or not yet revoked).
    fn holds(&self, tp: &TopicPartition) -> bool {
        self.assigned.contains(tp) || self.pending_revocation.contains(tp)
    }
}

/// What a heartbeat carries (the request's fields plus where it came from).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heartbeat {
    pub member_id: String,
    pub member_epoch: i32,
    pub instance_id: Option<String>,
    pub rack: Option<String>,
    pub rebalance_timeout_ms: Millis,
    pub subscribed_topics: Vec<String>,
    pub server_assignor: Option<String>,
    pub owned_partitions: Option<Vec<TopicPartition>>,
    pub client: NodeId,
    pub client_id: String,
}

/// A successful heartbeat's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeartbeatReply {
    pub member_id: String,
    pub member_epoch: i32,
    /// `None` when unchanged since what the member reported.
    pub assignment: Option<Vec<TopicPartition>>,
}

/// What changed in the group, for the trace and the timers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupEvent {
    MemberJoined(String),
    MemberRemoved {
        member: String,
        reason: String,
    },
    /// A static member's new member id took over the old one's place and assignment.
    StaticMemberReplaced {
        old: String,
        new: String,
    },
    StateChanged {
        from: ConsumerGroupState,
        to: ConsumerGroupState,
    },
    TargetAssignment {
        epoch: i32,
        assignor: String,
        assignment: Vec<(String, Vec<TopicPartition>)>,
    },
}

/// The broker settings the coordinator needs (`GroupCoordinatorConfig`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoordinatorSettings {
    pub heartbeat_interval_ms: Millis,
    pub session_timeout_ms: Millis,
    /// `group.consumer.assignors`; the first is the default.
    pub assignors: Vec<String>,
}

impl CoordinatorSettings {
    pub fn from_broker(c: &BrokerConfig) -> Self {
        CoordinatorSettings {
            heartbeat_interval_ms: c.group_consumer_heartbeat_interval_ms,
            session_timeout_ms: c.group_consumer_session_timeout_ms,
            assignors: c.group_consumer_assignors.clone(),
        }
    }
}

impl Default for CoordinatorSettings {
    fn default() -> Self {
        CoordinatorSettings {
            heartbeat_interval_ms: 5_000,
            session_timeout_ms: 45_000,
            assignors: vec!["uniform".into(), "range".into()],
        }
    }
}

/// A consumer-protocol group (`ConsumerGroup.java`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumerGroup {
    pub group_id: String,
    pub state: ConsumerGroupState,
    pub group_epoch: i32,
    pub assignment_epoch: i32,
    /// Members by member id.
    pub members: BTreeMap<String, ConsumerGroupMember>,
    /// The target assignment by member id.
    pub target: BTreeMap<String, BTreeSet<TopicPartition>>,
    /// The assignor that computed the current target (`uniform` or `range`).
    pub assignor: Option<String>,
    pub offsets: BTreeMap<TopicPartition, CommittedOffset>,
    /// Partition counts of the subscribed topics when the group epoch was last bumped.
    subscribed_metadata: BTreeMap<String, u32>,
    events: Vec<GroupEvent>,
}

impl ConsumerGroup {
    pub fn new(group_id: &str) -> Self {
        ConsumerGroup {
            group_id: group_id.to_string(),
            state: ConsumerGroupState::Empty,
            group_epoch: 0,
            assignment_epoch: 0,
            members: BTreeMap::new(),
            target: BTreeMap::new(),
            assignor: None,
            offsets: BTreeMap::new(),
            subscribed_metadata: BTreeMap::new(),
            events: Vec::new(),
        }
    }

    /// Events since the last call, oldest first.
    pub fn take_events(&mut self) -> Vec<GroupEvent> {
        std::mem::take(&mut self.events)
    }

    /// The member that owns `tp` now (assigned or pending revocation), if any.
    pub fn owner_of(&self, tp: &TopicPartition) -> Option<&str> {
        self.members
            .values()
            .find(|m| m.holds(tp))
            .map(|m| m.member_id.as_str())
    }

    /// Handles one `ConsumerGroupHeartbeat`. `partitions` gives the partition count of every
    /// existing topic (only subscribed ones are read).
    pub fn heartbeat(
        &mut self,
        hb: &Heartbeat,
        partitions: &BTreeMap<String, u32>,
        settings: &CoordinatorSettings,
    ) -> Result<HeartbeatReply, ErrorCode> {
        validate(hb)?;
        if let Some(a) = &hb.server_assignor {
            let known = settings
                .assignors
                .iter()
                .any(|s| AssignorName::parse_server(s).ok() == AssignorName::parse_server(a).ok());
            if AssignorName::parse_server(a).is_err() || !known {
                return Err(ErrorCode::UnsupportedAssignor);
            }
        }
        match hb.member_epoch {
            LEAVE_GROUP_MEMBER_EPOCH => return self.leave(hb),
            LEAVE_GROUP_STATIC_MEMBER_EPOCH => return self.static_leave(hb),
            _ => {}
        }
        let mut full = hb.member_epoch == JOIN_GROUP_MEMBER_EPOCH;
        let mut bump = false;
        if hb.member_epoch == JOIN_GROUP_MEMBER_EPOCH {
            bump |= self.join(hb)?;
        } else {
            let m = self
                .members
                .get(&hb.member_id)
                .ok_or(ErrorCode::UnknownMemberId)?;
            check_epoch(m, hb.member_epoch, hb.owned_partitions.as_deref())?;
        }
        let Some(m) = self.members.get_mut(&hb.member_id) else {
            return Err(ErrorCode::UnknownMemberId);
        };
        let mut subscribed = hb.subscribed_topics.clone();
        ordered::sort(&mut subscribed);
        subscribed.dedup();
        if m.subscribed_topics != subscribed || m.server_assignor != hb.server_assignor {
            bump = true;
            full = true;
        }
        m.subscribed_topics = subscribed;
        m.server_assignor = hb.server_assignor.clone();
        m.rebalance_timeout_ms = hb.rebalance_timeout_ms;
        m.rack = hb.rack.clone();
        m.client = hb.client;
        if !hb.client_id.is_empty() {
            m.client_id = hb.client_id.clone();
        }
        // Partition counts of the subscribed topics changed (topic created, partitions added).
        let metadata = self.subscription_metadata(partitions);
        if metadata != self.subscribed_metadata {
            self.subscribed_metadata = metadata;
            bump = true;
        }
        if bump {
            self.group_epoch += 1;
        }
        if self.group_epoch > self.assignment_epoch {
            self.compute_target(partitions, settings);
        }
        let before = self.members.get(&hb.member_id).cloned();
        self.reconcile(&hb.member_id, hb.owned_partitions.as_deref());
        self.update_state();
        let m = self
            .members
            .get(&hb.member_id)
            .ok_or(ErrorCode::UnknownMemberId)?;
        let owned_differs = hb.owned_partitions.as_ref().is_some_and(|o| {
            let o: BTreeSet<&TopicPartition> = o.iter().collect();
            o != m.assigned.iter().collect()
        });
        let changed = before.as_ref() != Some(m);
        let assignment =
            (full || changed || owned_differs).then(|| m.assigned.iter().cloned().collect());
        Ok(HeartbeatReply {
            member_id: m.member_id.clone(),
            member_epoch: m.member_epoch,
            assignment,
        })
    }

    /// Epoch 0: a new member, a static member taking its place back, or a fenced member
    /// rejoining under its id. Returns whether the group epoch must be bumped.
    fn join(&mut self, hb: &Heartbeat) -> Result<bool, ErrorCode> {
        if let Some(iid) = &hb.instance_id {
            let existing = self
                .members
                .values()
                .find(|m| m.instance_id.as_ref() == Some(iid))
                .map(|m| (m.member_id.clone(), m.member_epoch));
            if let Some((old_id, epoch)) = existing {
                if old_id != hb.member_id {
                    if epoch != LEAVE_GROUP_STATIC_MEMBER_EPOCH {
                        return Err(ErrorCode::UnreleasedInstanceId);
                    }
                    // KIP-848 static membership: same place, same assignment, no new epoch.
                    let Some(mut m) = self.members.remove(&old_id) else {
                        return Err(ErrorCode::UnknownMemberId);
                    };
                    m.member_id = hb.member_id.clone();
                    m.member_epoch = m.previous_member_epoch.max(0);
                    if let Some(t) = self.target.remove(&old_id) {
                        self.target.insert(hb.member_id.clone(), t);
                    }
                    self.members.insert(hb.member_id.clone(), m);
                    self.events.push(GroupEvent::StaticMemberReplaced {
                        old: old_id,
                        new: hb.member_id.clone(),
                    });
                    return Ok(false);
                }
            }
        }
        if let Some(m) = self.members.get_mut(&hb.member_id) {
            // A fenced member rejoins: it gave up everything, it starts over from epoch 0.
            m.assigned.clear();
            m.pending_revocation.clear();
            m.state = MemberState::Stable;
            m.update_epoch(0);
            return Ok(false);
        }
        let mut m = ConsumerGroupMember::new(&hb.member_id, hb.client);
        m.instance_id = hb.instance_id.clone();
        self.members.insert(hb.member_id.clone(), m);
        self.events
            .push(GroupEvent::MemberJoined(hb.member_id.clone()));
        Ok(true)
    }

    fn leave(&mut self, hb: &Heartbeat) -> Result<HeartbeatReply, ErrorCode> {
        if !self.members.contains_key(&hb.member_id) {
            return Err(ErrorCode::UnknownMemberId);
        }
        self.remove_member(&hb.member_id, "the consumer left the group");
        Ok(HeartbeatReply {
            member_id: hb.member_id.clone(),
            member_epoch: LEAVE_GROUP_MEMBER_EPOCH,
            assignment: None,
        })
    }

    /// A static member leaves temporarily: its partitions stay reserved for its return.
    fn static_leave(&mut self, hb: &Heartbeat) -> Result<HeartbeatReply, ErrorCode> {
        let m = self
            .members
            .get_mut(&hb.member_id)
            .ok_or(ErrorCode::UnknownMemberId)?;
        if m.instance_id != hb.instance_id {
            return Err(ErrorCode::FencedInstanceId);
        }
        m.update_epoch(LEAVE_GROUP_STATIC_MEMBER_EPOCH);
        Ok(HeartbeatReply {
            member_id: hb.member_id.clone(),
            member_epoch: LEAVE_GROUP_STATIC_MEMBER_EPOCH,
            assignment: None,
        })
    }

    /// Removes a member (left, session expired, fenced): its partitions are free at once and
    /// the group epoch moves on so the others get a new target.
    pub fn remove_member(&mut self, member_id: &str, reason: &str) -> bool {
        if self.members.remove(member_id).is_none() {
            return false;
        }
        self.target.remove(member_id);
        self.group_epoch += 1;
        self.events.push(GroupEvent::MemberRemoved {
            member: member_id.to_string(),
            reason: reason.to_string(),
        });
        self.update_state();
        true
    }

    fn subscription_metadata(&self, partitions: &BTreeMap<String, u32>) -> BTreeMap<String, u32> {
        self.members
            .values()
            .flat_map(|m| m.subscribed_topics.iter())
            .filter_map(|t| partitions.get(t).map(|n| (t.clone(), *n)))
            .collect_map()
    }

    /// `ConsumerGroup.computePreferredServerAssignor`: the assignor most members ask for, else
    /// the broker's default (first of `group.consumer.assignors`). Ties go to config order.
    fn preferred_assignor(&self, settings: &CoordinatorSettings) -> AssignorName {
        let configured: Vec<AssignorName> = settings
            .assignors
            .iter()
            .filter_map(|s| AssignorName::parse_server(s).ok())
            .collect();
        let mut votes: Vec<(u32, AssignorName)> = configured.iter().map(|a| (0, *a)).collect();
        for m in self.members.values() {
            let asked = m
                .server_assignor
                .as_deref()
                .and_then(|a| AssignorName::parse_server(a).ok());
            if let Some(v) = votes.iter_mut().find(|(_, a)| Some(*a) == asked) {
                v.0 += 1;
            }
        }
        let best = votes.iter().map(|(n, _)| *n).max().unwrap_or(0);
        votes
            .into_iter()
            .find(|(n, _)| *n == best)
            .map(|(_, a)| a)
            .unwrap_or(AssignorName::Uniform)
    }

    /// Runs the server-side assignor over all members, sticky to the current target.
    fn compute_target(&mut self, partitions: &BTreeMap<String, u32>, s: &CoordinatorSettings) {
        let name = self.preferred_assignor(s);
        let members: Vec<MemberSubscription> = self
            .members
            .values()
            .map(|m| MemberSubscription {
                member_id: m.member_id.clone(),
                group_instance_id: m.instance_id.clone(),
                topics: m.subscribed_topics.clone(),
                owned: self
                    .target
                    .get(&m.member_id)
                    .map(|t| t.iter().cloned().collect())
                    .unwrap_or_default(),
                generation: None,
            })
            .collect();
        let subscribed = self.subscription_metadata(partitions);
        // The assignors only fail on malformed input (duplicate member ids), which a
        // BTreeMap-keyed group cannot produce; keep the old target if it ever happens.
        if let Ok(a) = assignors::assign(name, &subscribed, &members) {
            self.target = a
                .into_iter()
                .map(|(m, tps)| (m, tps.into_iter().collect_set()))
                .collect_map();
        }
        self.assignment_epoch = self.group_epoch;
        self.assignor = Some(name.name().to_string());
        self.events.push(GroupEvent::TargetAssignment {
            epoch: self.assignment_epoch,
            assignor: name.name().to_string(),
            assignment: self
                .target
                .iter()
                .map(|(m, t)| (m.clone(), t.iter().cloned().collect()))
                .collect(),
        });
    }

    /// `CurrentAssignmentBuilder.build` for one member.
    fn reconcile(&mut self, member_id: &str, owned: Option<&[TopicPartition]>) {
        let Some(m) = self.members.get(member_id) else {
            return;
        };
        let target = self.target.get(member_id).cloned().unwrap_or_default();
        let held_by_others: BTreeSet<TopicPartition> = self
            .members
            .values()
            .filter(|o| o.member_id != member_id)
            .flat_map(|o| o.assigned.iter().chain(o.pending_revocation.iter()))
            .cloned()
            .collect_set();
        let next = next_member_state(m, self.assignment_epoch, &target, owned, &held_by_others);
        self.members.insert(member_id.to_string(), next);
    }

    /// `maybeUpdateGroupState`.
    fn update_state(&mut self) {
        let to = if self.members.is_empty() {
            ConsumerGroupState::Empty
        } else if self.group_epoch > self.assignment_epoch {
            ConsumerGroupState::Assigning
        } else if self.members.values().any(|m| {
            m.member_epoch != self.assignment_epoch && m.member_epoch >= 0
                || m.state != MemberState::Stable
        }) {
            ConsumerGroupState::Reconciling
        } else {
            ConsumerGroupState::Stable
        };
        let from = self.state;
        if from != to {
            self.state = to;
            self.events.push(GroupEvent::StateChanged { from, to });
        }
    }

    /// `ModernGroup.isSubscribedToTopic`: in some member's subscription.
    pub(crate) fn is_subscribed_to_topic(&self, topic: &str) -> bool {
        self.members
            .values()
            .any(|m| m.subscribed_topics.iter().any(|t| t == topic))
    }

    /// `ConsumerGroup.validateOffsetCommit`: the member epoch is the commit's generation.
    pub fn validate_offset_commit(&self, member_id: &str, epoch: i32) -> Option<ErrorCode> {
        if epoch < 0 && self.members.is_empty() {
            return None;
        }
        let Some(m) = self.members.get(member_id) else {
            return Some(ErrorCode::UnknownMemberId);
        };
        if epoch > m.member_epoch {
            Some(ErrorCode::FencedMemberEpoch)
        } else if epoch < m.member_epoch {
            Some(ErrorCode::StaleMemberEpoch)
        } else {
            None
        }
    }
}

/// `throwIfConsumerGroupHeartbeatRequestIsInvalid`.
fn validate(hb: &Heartbeat) -> Result<(), ErrorCode> {
    if hb.member_id.is_empty() {
        return Err(ErrorCode::InvalidRequest);
    }
    // Joining: the owned partitions must be empty (the member owns nothing yet).
    let joining_with_partitions = hb.member_epoch == JOIN_GROUP_MEMBER_EPOCH
        && hb.owned_partitions.as_ref().is_some_and(|o| !o.is_empty());
    let static_leave_without_id =
        hb.member_epoch == LEAVE_GROUP_STATIC_MEMBER_EPOCH && hb.instance_id.is_none();
    if joining_with_partitions
        || static_leave_without_id
        || hb.member_epoch < LEAVE_GROUP_STATIC_MEMBER_EPOCH
    {
        return Err(ErrorCode::InvalidRequest);
    }
    Ok(())
}

/// `throwIfMemberEpochIsInvalid`: a greater epoch is fenced; a smaller one only passes if it
/// is the previous epoch and the member owns a subset of its assignment (the response that
/// bumped it may have been lost).
fn check_epoch(
    m: &ConsumerGroupMember,
    received: i32,
    owned: Option<&[TopicPartition]>,
) -> Result<(), ErrorCode> {
    if received > m.member_epoch {
        return Err(ErrorCode::FencedMemberEpoch);
    }
    if received < m.member_epoch {
        let subset = owned.is_some_and(|o| o.iter().all(|tp| m.assigned.contains(tp)));
        if received != m.previous_member_epoch || !subset {
            return Err(ErrorCode::FencedMemberEpoch);
        }
    }
    Ok(())
}

/// Whether the member still reports owning any of `pending` (`None`: assume it does).
fn owns_any(owned: Option<&[TopicPartition]>, pending: &BTreeSet<TopicPartition>) -> bool {
    match owned {
        None => true,
        Some(o) => o.iter().any(|tp| pending.contains(tp)),
    }
}

/// `CurrentAssignmentBuilder`: the member's next state given the target assignment, what it
/// reports owning, and which partitions other members still hold.
pub fn next_member_state(
    m: &ConsumerGroupMember,
    target_epoch: i32,
    target: &BTreeSet<TopicPartition>,
    owned: Option<&[TopicPartition]>,
    held_by_others: &BTreeSet<TopicPartition>,
) -> ConsumerGroupMember {
    if m.member_epoch < 0 {
        // A static member that left keeps its state untouched until it returns.
        return m.clone();
    }
    match m.state {
        MemberState::Stable if m.member_epoch == target_epoch => m.clone(),
        MemberState::UnrevokedPartitions if owns_any(owned, &m.pending_revocation) => m.clone(),
        _ => compute_next_assignment(m, target_epoch, target, owned, held_by_others),
    }
}

/// `CurrentAssignmentBuilder#computeNextAssignment`.
fn compute_next_assignment(
    m: &ConsumerGroupMember,
    target_epoch: i32,
    target: &BTreeSet<TopicPartition>,
    owned: Option<&[TopicPartition]>,
    held_by_others: &BTreeSet<TopicPartition>,
) -> ConsumerGroupMember {
    let kept: BTreeSet<TopicPartition> = m.assigned.intersection(target).cloned().collect_set();
    let revoke: BTreeSet<TopicPartition> = m.assigned.difference(target).cloned().collect_set();
    let (free, unreleased): (BTreeSet<TopicPartition>, BTreeSet<TopicPartition>) = target
        .difference(&m.assigned)
        .cloned()
        .partition(|tp| !held_by_others.contains(tp));
    let mut next = m.clone();
    if !revoke.is_empty() && owns_any(owned, &revoke) {
        // Give up first, at the current epoch; the rest waits for the ack.
        next.state = MemberState::UnrevokedPartitions;
        next.assigned = kept;
        next.pending_revocation = revoke;
        return next;
    }
    let mut assigned = kept;
    assigned.extend(free);
    if next.member_epoch != target_epoch {
        next.update_epoch(target_epoch);
    }
    next.assigned = assigned;
    next.pending_revocation.clear();
    next.state = if unreleased.is_empty() {
        MemberState::Stable
    } else {
        MemberState::UnreleasedPartitions
    };
    next
}

/// Kafka's `Uuid.toString()`: 16 random bytes in URL-safe base64 without padding (22
/// characters), which is how a 4.x consumer makes its own member id (KIP-1082).
pub fn kafka_uuid(bytes: [u8; 16]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(22);
    let mut buf = 0u32;
    let mut bits = 0u32;
    for b in bytes {
        buf = (buf << 8) | u32::from(b);
        bits += 8;
        while bits >= 6 {
            bits -= 6;
            out.push(char::from(A[((buf >> bits) & 63) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(A[((buf << (6 - bits)) & 63) as usize]));
    }
    out
}

impl Sim {
    pub fn consumer_group(&self, group: &str) -> Option<&ConsumerGroup> {
        self.consumer_groups.get(group)
    }

    pub fn consumer_groups(&self) -> impl Iterator<Item = &ConsumerGroup> {
        self.consumer_groups.values()
    }

    /// Group requests that concern consumer-protocol groups. Returns the body untouched when
    /// it is for the classic coordinator.
    pub(crate) fn consumer_group_receive(
        &mut self,
        b: BrokerId,
        from: NodeId,
        body: Body,
    ) -> Option<Body> {
        let me = NodeId::Broker(b);
        match body {
            Body::ConsumerGroupHeartbeatRequest {
                group,
                member_id,
                member_epoch,
                instance_id,
                rack,
                rebalance_timeout_ms,
                subscribed_topics,
                server_assignor,
                owned_partitions,
            } => {
                let client_id = match from {
                    NodeId::Client(c) => self
                        .clients
                        .get(&c)
                        .map(|x| x.client_id().to_string())
                        .unwrap_or_default(),
                    _ => String::new(),
                };
                let hb = Heartbeat {
                    member_id,
                    member_epoch,
                    instance_id,
                    rack,
                    rebalance_timeout_ms,
                    subscribed_topics,
                    server_assignor,
                    owned_partitions,
                    client: from,
                    client_id,
                };
                let body = self.consumer_group_heartbeat(b, &group, hb);
                self.send(me, from, body);
                None
            }
            Body::OffsetCommitRequest {
                group,
                member_id,
                generation,
                offsets,
            } if self.consumer_groups.contains_key(&group) => {
                self.answer_offset_commit(me, from, group, offsets, |s, group, offsets| {
                    s.consumer_group_commit(b, group, &member_id, generation, offsets)
                });
                None
            }
            Body::OffsetFetchRequest { group, partitions }
                if self.consumer_groups.contains_key(&group) =>
            {
                let store = self.consumer_groups.get(&group).map(|g| &g.offsets);
                let offsets = super::classic::committed(store, partitions);
                self.send(me, from, Body::OffsetFetchResponse { group, offsets });
                None
            }
            Body::JoinGroupRequest { ref group, .. }
                if self.consumer_groups.contains_key(group) =>
            {
                let empty = self.consumer_groups[group].members.is_empty();
                if !empty {
                    // Mixed classic/consumer groups (online migration) are not modelled.
                    let body = Body::JoinGroupResponse {
                        group: group.clone(),
                        result: Err(ErrorCode::InconsistentGroupProtocol),
                        assigned_member_id: String::new(),
                    };
                    self.send(me, from, body);
                    return None;
                }
                // An empty consumer group becomes a classic one (`maybeDeleteEmptyConsumerGroup`);
                // committed offsets belong to the group id and stay.
                let group = group.clone();
                if let Some(g) = self.consumer_groups.remove(&group) {
                    let offsets: Vec<(TopicPartition, i64)> = g
                        .offsets
                        .iter()
                        .map(|(tp, c)| (tp.clone(), c.offset))
                        .collect();
                    if !offsets.is_empty() {
                        self.set_committed_offsets(&group, &offsets);
                    }
                }
                Some(body)
            }
            Body::HeartbeatRequest { group, .. } if self.consumer_groups.contains_key(&group) => {
                let body = Body::HeartbeatResponse {
                    group,
                    error: Some(ErrorCode::UnknownMemberId),
                };
                self.send(me, from, body);
                None
            }
            other => Some(other),
        }
    }

    fn consumer_group_heartbeat(&mut self, b: BrokerId, group: &str, hb: Heartbeat) -> Body {
        let settings = CoordinatorSettings::from_broker(&self.cluster.broker_config);
        let reply = |error: ErrorCode, hb: &Heartbeat| Body::ConsumerGroupHeartbeatResponse {
            error: Some(error),
            member_id: hb.member_id.clone(),
            member_epoch: hb.member_epoch,
            heartbeat_interval_ms: 0,
            assignment: None,
        };
        if self.coordinator_of(group) != Some(b) {
            return reply(ErrorCode::NotCoordinator, &hb);
        }
        if let Some(classic) = self.groups.get(group) {
            // `getOrMaybeCreateConsumerGroup`: only a joining heartbeat may take over an
            // empty classic group; online upgrade of a live classic group is not modelled.
            if hb.member_epoch != JOIN_GROUP_MEMBER_EPOCH || !classic.members.is_empty() {
                return reply(ErrorCode::GroupIdNotFound, &hb);
            }
        }
        if !self.consumer_groups.contains_key(group) {
            if hb.member_epoch != JOIN_GROUP_MEMBER_EPOCH {
                return reply(ErrorCode::GroupIdNotFound, &hb);
            }
            let mut g = ConsumerGroup::new(group);
            if let Some(classic) = self.groups.remove(group) {
                g.offsets = classic.offsets;
            }
            self.consumer_groups.insert(group.to_string(), g);
        }
        let partitions: BTreeMap<String, u32> = self
            .cluster
            .topics
            .keys()
            .filter_map(|t| Some((t.clone(), self.cluster.partition_count(t)? as u32)))
            .collect_map();
        let Some(g) = self.consumer_groups.get_mut(group) else {
            return reply(ErrorCode::GroupIdNotFound, &hb);
        };
        let before = g.members.get(&hb.member_id).map(|m| m.state);
        let result = g.heartbeat(&hb, &partitions, &settings);
        let after = g.members.get(&hb.member_id).map(|m| m.state);
        self.flush_group_events(group);
        match result {
            Err(e) => reply(e, &hb),
            Ok(r) => {
                if r.member_epoch >= LEAVE_GROUP_STATIC_MEMBER_EPOCH && r.member_epoch != -1 {
                    self.arm_member_session(group, &r.member_id, settings.session_timeout_ms);
                }
                if after == Some(MemberState::UnrevokedPartitions)
                    && before != Some(MemberState::UnrevokedPartitions)
                {
                    self.arm_member_rebalance_timeout(group, &r.member_id);
                }
                Body::ConsumerGroupHeartbeatResponse {
                    error: None,
                    member_id: r.member_id,
                    member_epoch: r.member_epoch,
                    heartbeat_interval_ms: settings.heartbeat_interval_ms,
                    assignment: r.assignment,
                }
            }
        }
    }

    fn consumer_group_commit(
        &mut self,
        b: BrokerId,
        group: &str,
        member_id: &str,
        epoch: i32,
        offsets: &[(TopicPartition, i64, Option<i32>)],
    ) -> Option<ErrorCode> {
        if self.coordinator_of(group) != Some(b) {
            return Some(ErrorCode::NotCoordinator);
        }
        let now = self.timestamp();
        let g = self.consumer_groups.get_mut(group)?;
        if let Some(e) = g.validate_offset_commit(member_id, epoch) {
            return Some(e);
        }
        super::classic::store_commit(&mut g.offsets, offsets, now);
        self.record(TraceEvent::OffsetsCommitted {
            group: group.to_string(),
            offsets: offsets.iter().map(|(tp, o, _)| (tp.clone(), *o)).collect(),
        });
        None
    }

    fn arm_member_session(&mut self, group: &str, member: &str, timeout: Millis) {
        let token = self.token();
        let Some(m) = self
            .consumer_groups
            .get_mut(group)
            .and_then(|g| g.members.get_mut(member))
        else {
            return;
        };
        m.session_token = token;
        let timer = Timer::Session {
            group: group.to_string(),
            member: member.to_string(),
            token,
        };
        self.schedule_in(timeout, Event::Timer(timer));
    }

    /// A member asked to revoke must ack within its rebalance timeout, or it is fenced.
    fn arm_member_rebalance_timeout(&mut self, group: &str, member: &str) {
        let token = self.token();
        let Some(m) = self
            .consumer_groups
            .get_mut(group)
            .and_then(|g| g.members.get_mut(member))
        else {
            return;
        };
        m.rebalance_token = token;
        let timeout = m.rebalance_timeout_ms;
        let timer = Timer::Session {
            group: group.to_string(),
            member: member.to_string(),
            token,
        };
        self.schedule_in(timeout, Event::Timer(timer));
    }

    /// A session or rebalance timer of a consumer-protocol member fired. Returns true when the
    /// timer was one of ours (whether or not it was still current).
    pub(crate) fn consumer_group_session_check(
        &mut self,
        group: &str,
        member: &str,
        token: u64,
    ) -> bool {
        let Some(g) = self.consumer_groups.get_mut(group) else {
            return false;
        };
        let Some(m) = g.members.get(member) else {
            return true;
        };
        let reason = if m.session_token == token {
            "its session timed out (no heartbeat within group.consumer.session.timeout.ms)"
        } else if m.rebalance_token == token && m.state == MemberState::UnrevokedPartitions {
            "it did not revoke its partitions within the rebalance timeout"
        } else {
            return true;
        };
        g.remove_member(member, reason);
        self.flush_group_events(group);
        true
    }

    /// Deletes an empty group (its tombstone in `__consumer_offsets`): it goes Dead, as a
    /// classic group does.
    pub(crate) fn delete_consumer_group(&mut self, group: &str) {
        let Some(g) = self.consumer_groups.remove(group) else {
            return;
        };
        self.record(TraceEvent::GroupState {
            group: group.to_string(),
            from: g.state.name().into(),
            to: ConsumerGroupState::Dead.name().into(),
            reason: None,
        });
    }

    /// Turns the group's events into trace events.
    fn flush_group_events(&mut self, group: &str) {
        let Some(g) = self.consumer_groups.get_mut(group) else {
            return;
        };
        for e in g.take_events() {
            let t = match e {
                GroupEvent::MemberJoined(member) => TraceEvent::MemberJoined {
                    group: group.to_string(),
                    member,
                },
                GroupEvent::MemberRemoved { member, reason } => TraceEvent::MemberRemoved {
                    group: group.to_string(),
                    member,
                    reason,
                },
                GroupEvent::StaticMemberReplaced { old, new } => TraceEvent::MemberRemoved {
                    group: group.to_string(),
                    member: old,
                    reason: format!("static member replaced by {new}"),
                },
                GroupEvent::StateChanged { from, to } => TraceEvent::GroupState {
                    group: group.to_string(),
                    from: from.name().into(),
                    to: to.name().into(),
                    reason: None,
                },
                GroupEvent::TargetAssignment {
                    epoch,
                    assignor,
                    assignment,
                } => TraceEvent::Rebalanced {
                    group: group.to_string(),
                    generation: epoch,
                    protocol: assignor,
                    assignment,
                },
            };
            self.record(t);
        }
    }

    /// `kafka-consumer-groups --describe` view of a consumer-protocol group: generation is
    /// the group epoch, protocol the server-side assignor, members' assignments their
    /// current ones.
    pub fn consumer_group_view(&self, group: &str) -> Option<GroupView> {
        let g = self.consumer_groups.get(group)?;
        let members: Vec<MemberView> = g
            .members
            .values()
            .map(|m| MemberView {
                member_id: m.member_id.clone(),
                client_id: m.client_id.clone(),
                host: m.host.clone(),
                group_instance_id: m.instance_id.clone(),
                assignment: m.assigned.iter().cloned().collect(),
            })
            .collect();
        let mut tps: Vec<TopicPartition> = g.offsets.keys().cloned().collect();
        for m in &members {
            tps.extend(m.assignment.iter().cloned());
        }
        ordered::sort(&mut tps);
        tps.dedup();
        let offsets = tps
            .into_iter()
            .map(|tp| {
                let log_end_offset = self.high_watermark(&tp).unwrap_or(0);
                let owner = g.owner_of(&tp).map(str::to_string);
                GroupOffsetView::new(tp.clone(), g.offsets.get(&tp), log_end_offset, owner)
            })
            .collect();
        Some(GroupView {
            group_id: g.group_id.clone(),
            state: g.state.name().to_string(),
            generation: g.group_epoch,
            protocol: g.assignor.clone(),
            leader: None,
            coordinator: self.coordinator_of(group),
            members,
            offsets,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tps(ps: &[i32]) -> Vec<TopicPartition> {
        ps.iter().map(|p| TopicPartition::new("t", *p)).collect()
    }

    fn partitions() -> BTreeMap<String, u32> {
        BTreeMap::from([("t".to_string(), 6)])
    }

    fn hb(member: &str, epoch: i32, owned: &[TopicPartition]) -> Heartbeat {
        Heartbeat {
            member_id: member.into(),
            member_epoch: epoch,
            instance_id: None,
            rack: None,
            rebalance_timeout_ms: 300_000,
            subscribed_topics: vec!["t".into()],
            server_assignor: None,
            owned_partitions: Some(owned.to_vec()),
            client: NodeId::Client(1),
            client_id: member.into(),
        }
    }

    /// A client that does what it is told at once: owns exactly its last assignment.
    struct Member {
        id: String,
        epoch: i32,
        owned: Vec<TopicPartition>,
    }

    impl Member {
        fn new(id: &str) -> Self {
            Member {
                id: id.into(),
                epoch: 0,
                owned: Vec::new(),
            }
        }

        fn beat(&mut self, g: &mut ConsumerGroup) -> HeartbeatReply {
            let r = g
                .heartbeat(
                    &hb(&self.id, self.epoch, &self.owned),
                    &partitions(),
                    &CoordinatorSettings::default(),
                )
                .expect("heartbeat accepted");
            self.epoch = r.member_epoch;
            if let Some(a) = &r.assignment {
                self.owned = a.clone();
            }
            r
        }
    }

    fn assert_single_owner(g: &ConsumerGroup) {
        for p in 0..6 {
            let tp = TopicPartition::new("t", p);
            let holders = g.members.values().filter(|m| m.holds(&tp)).count();
            assert!(holders <= 1, "{tp} held by {holders} members: {g:?}");
        }
    }

    #[test]
    fn a_joining_member_gets_partitions_only_after_the_owner_revoked_them() {
        let mut g = ConsumerGroup::new("g");
        let mut a = Member::new("a");
        a.beat(&mut g);
        assert_eq!(a.owned, tps(&[0, 1, 2, 3, 4, 5]));
        assert_eq!((a.epoch, g.state), (1, ConsumerGroupState::Stable));

        let mut b = Member::new("b");
        b.beat(&mut g);
        // The target gives b half, but a still holds everything: b waits at epoch 2.
        assert_eq!(b.epoch, 2);
        assert!(b.owned.is_empty());
        assert_eq!(g.members["b"].state, MemberState::UnreleasedPartitions);
        assert_eq!(g.state, ConsumerGroupState::Reconciling);
        assert_single_owner(&g);

        // a is asked to revoke its half and stays at epoch 1 meanwhile.
        let r = a.beat(&mut g);
        assert_eq!(r.member_epoch, 1);
        assert_eq!(g.members["a"].state, MemberState::UnrevokedPartitions);
        let kept = a.owned.clone();
        assert_eq!(kept.len(), 3);
        let revoked: Vec<TopicPartition> =
            g.members["a"].pending_revocation.iter().cloned().collect();
        assert_eq!(revoked.len(), 3);
        assert_single_owner(&g);

        // Before a acks, b still gets nothing.
        b.beat(&mut g);
        assert!(b.owned.is_empty());
        assert_single_owner(&g);

        // a acks (its heartbeat no longer lists the revoked partitions): epoch 2, Stable.
        a.beat(&mut g);
        assert_eq!((a.epoch, g.members["a"].state), (2, MemberState::Stable));
        assert_eq!(a.owned, kept, "a kept its other partitions throughout");
        b.beat(&mut g);
        assert_eq!(b.owned, revoked);
        assert_eq!(g.members["b"].state, MemberState::Stable);
        assert_eq!(g.state, ConsumerGroupState::Stable);
        assert_single_owner(&g);
    }

    #[test]
    fn reconciliation_never_gives_a_partition_to_two_members() {
        // Members join and leave in a fixed but irregular order; every heartbeat is checked.
        let mut g = ConsumerGroup::new("g");
        let mut ms: Vec<Member> = Vec::new();
        let script = "a b a c b a d c b a a b c d e a b c d e b d a c e a b c d e";
        for (i, name) in script.split(' ').enumerate() {
            if !ms.iter().any(|m| m.id == name) {
                ms.push(Member::new(name));
            }
            if let Some(m) = ms.iter_mut().find(|m| m.id == name) {
                m.beat(&mut g);
            }
            assert_single_owner(&g);
            if i == 18 {
                // d leaves.
                g.remove_member("d", "left");
                ms.retain(|m| m.id != "d");
                assert_single_owner(&g);
            }
        }
        // A few more rounds converge to a uniform, Stable assignment.
        for _ in 0..3 {
            for m in &mut ms {
                m.beat(&mut g);
                assert_single_owner(&g);
            }
        }
        assert_eq!(g.state, ConsumerGroupState::Stable);
        // d joined again after leaving: five members share six partitions.
        let mut sizes: Vec<usize> = ms.iter().map(|m| m.owned.len()).collect();
        sizes.sort();
        assert_eq!(sizes, vec![1, 1, 1, 1, 2]);
    }

    #[test]
    fn epochs_are_fenced_and_unknown_members_rejected() {
        let mut g = ConsumerGroup::new("g");
        let mut a = Member::new("a");
        a.beat(&mut g);
        let s = CoordinatorSettings::default();
        let p = partitions();
        let e = g.heartbeat(&hb("a", 7, &a.owned), &p, &s);
        assert_eq!(e, Err(ErrorCode::FencedMemberEpoch));
        let e = g.heartbeat(&hb("zz", 1, &[]), &p, &s);
        assert_eq!(e, Err(ErrorCode::UnknownMemberId));
        let e = g.heartbeat(&hb("", 0, &[]), &p, &s);
        assert_eq!(e, Err(ErrorCode::InvalidRequest));
        let mut bad = hb("b", 0, &[]);
        bad.server_assignor = Some("sticky".into());
        assert_eq!(
            g.heartbeat(&bad, &p, &s),
            Err(ErrorCode::UnsupportedAssignor)
        );
        // The previous epoch passes when the member owns a subset (the bump was lost).
        let mut b = Member::new("b");
        b.beat(&mut g);
        a.beat(&mut g);
        a.beat(&mut g);
        assert_eq!(a.epoch, 2);
        let ok = g.heartbeat(&hb("a", 1, &a.owned), &p, &s);
        assert!(ok.is_ok(), "{ok:?}");
        // Offset commits carry the member epoch.
        assert_eq!(g.validate_offset_commit("a", 2), None);
        assert_eq!(
            g.validate_offset_commit("a", 1),
            Some(ErrorCode::StaleMemberEpoch)
        );
        assert_eq!(
            g.validate_offset_commit("x", 2),
            Some(ErrorCode::UnknownMemberId)
        );
    }

    #[test]
    fn a_static_member_rejoining_keeps_its_assignment() {
        let mut g = ConsumerGroup::new("g");
        let s = CoordinatorSettings::default();
        let p = partitions();
        let mut a = Member::new("a1");
        let mut b = Member::new("b");
        let join = |g: &mut ConsumerGroup, id: &str| {
            let mut h = hb(id, 0, &[]);
            h.instance_id = Some("i-a".into());
            g.heartbeat(&h, &p, &s)
        };
        let r = join(&mut g, "a1").expect("join");
        a.epoch = r.member_epoch;
        a.owned = r.assignment.unwrap_or_default();
        let beat = |g: &mut ConsumerGroup, m: &mut Member| {
            let mut h = hb(&m.id, m.epoch, &m.owned);
            h.instance_id = Some("i-a".into()).filter(|_| m.id.starts_with('a'));
            let r = g.heartbeat(&h, &p, &s).expect("beat");
            m.epoch = r.member_epoch;
            if let Some(x) = r.assignment {
                m.owned = x;
            }
        };
        b.beat(&mut g);
        for _ in 0..2 {
            beat(&mut g, &mut a);
            b.beat(&mut g);
        }
        assert_eq!(g.state, ConsumerGroupState::Stable);
        let before = a.owned.clone();
        let epoch = g.group_epoch;
        // A restart under a new member id while the old one is live is refused.
        assert_eq!(join(&mut g, "a2"), Err(ErrorCode::UnreleasedInstanceId));
        // It leaves with -2: the partitions stay reserved.
        let mut leave = hb("a1", LEAVE_GROUP_STATIC_MEMBER_EPOCH, &[]);
        leave.instance_id = Some("i-a".into());
        assert!(g.heartbeat(&leave, &p, &s).is_ok());
        b.beat(&mut g);
        assert_eq!(
            b.owned.len(),
            3,
            "b does not get the static member's partitions"
        );
        let r = join(&mut g, "a2").expect("rejoin");
        assert_eq!(r.assignment, Some(before));
        assert_eq!(r.member_epoch, epoch);
        assert_eq!(g.group_epoch, epoch, "no new group epoch");
        assert!(!g.members.contains_key("a1") && g.members.contains_key("a2"));
    }

    #[test]
    fn uuid_is_22_url_safe_base64_characters() {
        assert_eq!(kafka_uuid([0; 16]), "AAAAAAAAAAAAAAAAAAAAAA");
        assert_eq!(kafka_uuid([0xff; 16]), "_____________________w");
    }

    #[test]
    fn session_timeout_removes_a_crashed_member() {
        use crate::{ClusterSpec, Command};
        let mut s = Sim::new(3, ClusterSpec::default()).expect("cluster");
        s.apply(Command::CreateTopic {
            name: "t".into(),
            partitions: Some(2),
            replication_factor: Some(1),
            configs: BTreeMap::new(),
            assignment: None,
        })
        .expect("topic");
        for name in ["c1", "c2"] {
            s.apply(Command::StartConsumer {
                name: name.into(),
                group: Some("g".into()),
                topics: vec!["t".into()],
                assign: Vec::new(),
                start_offsets: BTreeMap::new(),
                configs: BTreeMap::from([("group.protocol".into(), "consumer".into())]),
                process_time_ms: 0,
            })
            .expect("consumer");
        }
        s.run_for(20_000);
        let g = s.consumer_group("g").expect("group");
        assert_eq!((g.members.len(), g.state), (2, ConsumerGroupState::Stable));
        s.apply(Command::StopConsumer {
            name: "c2".into(),
            hard: true,
        })
        .expect("crash");
        s.run_for(40_000);
        assert_eq!(s.consumer_group("g").map(|g| g.members.len()), Some(2));
        s.run_for(15_000);
        let g = s.consumer_group("g").expect("group");
        assert_eq!(
            g.members.len(),
            1,
            "expired after group.consumer.session.timeout.ms"
        );
        let m = g.members.values().next().expect("one member");
        assert_eq!(m.assigned.len(), 2);
        assert_eq!(g.state, ConsumerGroupState::Stable);
    }
}
