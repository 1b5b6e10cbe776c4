//! The group coordinator's classic protocol (JoinGroup / SyncGroup / Heartbeat / LeaveGroup /
//! OffsetCommit / OffsetFetch), as `GroupMetadataManager` and `ClassicGroup` run it in Kafka 4.0.

use crate::error::ErrorCode;
use crate::group::consumer_group::ConsumerGroupState;
use crate::ids::{BrokerId, TopicPartition};
use crate::network::NodeId;
use crate::protocol::{Body, JoinMetadata, JoinResult, JoinedMember};
use crate::sim::{Event, Sim, Timer};
use crate::time::Millis;
use crate::trace::TraceEvent;
use serde::Serialize;
use std::collections::BTreeMap;

/// The name of the offsets topic and its default partition count (`offsets.topic.num.partitions`).
pub const OFFSETS_TOPIC: &str = "__consumer_offsets";

/// `ConsumerProtocol.PROTOCOL_TYPE`: the protocol type of every playground member.
const CONSUMER_PROTOCOL_TYPE: &str = "consumer";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum GroupState {
    Empty,
    PreparingRebalance,
    CompletingRebalance,
    Stable,
    Dead,
}

impl GroupState {
    pub fn name(self) -> &'static str {
        match self {
            GroupState::Empty => "Empty",
            GroupState::PreparingRebalance => "PreparingRebalance",
            GroupState::CompletingRebalance => "CompletingRebalance",
            GroupState::Stable => "Stable",
            GroupState::Dead => "Dead",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupMember {
    pub member_id: String,
    pub client: NodeId,
    pub client_id: String,
    pub host: String,
    pub group_instance_id: Option<String>,
    pub protocols: Vec<String>,
    pub metadata: JoinMetadata,
    pub session_timeout_ms: Millis,
    pub rebalance_timeout_ms: Millis,
    pub last_heartbeat: Millis,
    pub awaiting_join: bool,
    pub awaiting_sync: bool,
    pub assignment: Vec<TopicPartition>,
    session_token: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CommittedOffset {
    pub offset: i64,
    /// The leader epoch of the record before `offset` (KIP-320), when the committer knew it.
    pub leader_epoch: Option<i32>,
    pub commit_timestamp: Millis,
}

/// Stores an OffsetCommit's offsets, with their leader epochs, at `now`.
pub(crate) fn store_commit(
    store: &mut BTreeMap<TopicPartition, CommittedOffset>,
    offsets: &[(TopicPartition, i64, Option<i32>)],
    now: Millis,
) {
    for (tp, offset, leader_epoch) in offsets {
        let c = CommittedOffset {
            offset: *offset,
            leader_epoch: *leader_epoch,
            commit_timestamp: now,
        };
        store.insert(tp.clone(), c);
    }
}

/// An OffsetFetch answer from a group's store (none for an unknown group): each committed
/// offset with its leader epoch.
pub(crate) fn committed(
    store: Option<&BTreeMap<TopicPartition, CommittedOffset>>,
    partitions: Vec<TopicPartition>,
) -> Vec<(TopicPartition, Option<crate::protocol::OffsetAndEpoch>)> {
    partitions
        .into_iter()
        .map(|tp| {
            let c = store
                .and_then(|s| s.get(&tp))
                .map(|c| (c.offset, c.leader_epoch));
            (tp, c)
        })
        .collect()
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClassicGroup {
    pub group_id: String,
    pub state: GroupState,
    pub generation: i32,
    pub protocol: Option<String>,
    pub leader: Option<String>,
    /// Members in join order (Kafka keeps a LinkedHashMap: the first to join leads).
    pub members: Vec<GroupMember>,
    pub offsets: BTreeMap<TopicPartition, CommittedOffset>,
    /// When the group last became Empty (KIP-211 starts the offsets' retention clock here).
    pub empty_since: Option<Millis>,
    /// Set by the first member to join; `None` for a group that only ever had offsets
    /// committed to it (`assign()` consumers, admin tools: a "simple" group).
    pub protocol_type: Option<&'static str>,
    /// True while the initial `group.initial.rebalance.delay.ms` wait runs.
    initial_delay: bool,
    join_deadline_token: u64,
    /// What the group's last `GroupMetadata` record in `__consumer_offsets` holds (written when
    /// a generation's assignment is in, or the group empties): a coordinator that loads the
    /// group after a failover starts from it, not from the old coordinator's in-memory state.
    stored: Option<StoredGroup>,
}

/// A classic group's `GroupMetadataValue` record: generation, protocol, leader, members and
/// their assignments.
#[derive(Clone, Debug, PartialEq, Eq)]
struct StoredGroup {
    protocol_type: Option<&'static str>,
    generation: i32,
    protocol: Option<String>,
    leader: Option<String>,
    members: Vec<GroupMember>,
}

impl ClassicGroup {
    fn new(group_id: &str, now: Millis) -> Self {
        ClassicGroup {
            group_id: group_id.to_string(),
            state: GroupState::Empty,
            generation: 0,
            protocol: None,
            leader: None,
            members: Vec::new(),
            offsets: BTreeMap::new(),
            empty_since: Some(now),
            protocol_type: None,
            initial_delay: false,
            join_deadline_token: 0,
            stored: None,
        }
    }

    pub fn member(&self, id: &str) -> Option<&GroupMember> {
        self.members.iter().find(|m| m.member_id == id)
    }

    fn member_mut(&mut self, id: &str) -> Option<&mut GroupMember> {
        self.members.iter_mut().find(|m| m.member_id == id)
    }

    /// `ClassicGroup.offsetExpirationCondition`: a simple group counts each offset from its
    /// commit; an Empty one from when it became Empty (KIP-211); a Stable one counts from the
    /// commit, for the topics it no longer subscribes to; a rebalancing one keeps all.
    fn offset_expiration_condition(&self) -> Option<ExpirationBase> {
        if self.protocol_type.is_none() {
            return Some(ExpirationBase::CommitTimestamp);
        }
        match self.state {
            GroupState::Empty => Some(
                self.empty_since
                    .map_or(ExpirationBase::CommitTimestamp, |t| {
                        ExpirationBase::StateTimestamp(crate::time::EPOCH_MS + t)
                    }),
            ),
            GroupState::Stable => Some(ExpirationBase::CommitTimestamp),
            _ => None,
        }
    }

    /// `ClassicGroup.isSubscribedToTopic`: in some member's subscription (the group's
    /// `subscribedTopics`; none while Empty).
    fn is_subscribed_to_topic(&self, topic: &str) -> bool {
        self.members
            .iter()
            .any(|m| m.metadata.topics.iter().any(|t| t == topic))
    }

    /// A JoinGroup answer with the group's current generation, as the coordinator gives it
    /// without a rebalance: the members' subscriptions go to the leader only.
    fn current_generation(&self, member_id: &str, skip_assignment: bool) -> JoinResult {
        let leader = self.leader.clone().unwrap_or_default();
        JoinResult {
            generation: self.generation,
            protocol: self.protocol.clone().unwrap_or_default(),
            members: if leader == member_id {
                self.joined_members()
            } else {
                Vec::new()
            },
            leader,
            member_id: member_id.to_string(),
            skip_assignment,
        }
    }

    /// Whether a known member's JoinGroup can be answered with the current generation
    /// (`classicGroupJoinExistingMember`): it joins with the same protocols and metadata (it
    /// lost the answer to its JoinGroup or SyncGroup) while the group completes a rebalance,
    /// or, as a follower, while it is Stable. The leader's JoinGroup in Stable always
    /// rebalances: that is how it asks for one.
    fn answers_without_rebalance(&self, join: &Join) -> bool {
        let Some(m) = self.member(&join.member_id) else {
            return false;
        };
        let same = m.protocols == join.protocols && m.metadata == join.metadata;
        let leads = self.leader.as_deref() == Some(join.member_id.as_str());
        same && match self.state {
            GroupState::CompletingRebalance => true,
            GroupState::Stable => !leads,
            _ => false,
        }
    }

    /// The members and their subscriptions, as the JoinGroup answer gives them to the leader.
    fn joined_members(&self) -> Vec<JoinedMember> {
        self.members
            .iter()
            .map(|m| JoinedMember {
                member_id: m.member_id.clone(),
                group_instance_id: m.group_instance_id.clone(),
                metadata: m.metadata.clone(),
            })
            .collect()
    }

    fn rebalance_timeout(&self) -> Millis {
        self.members
            .iter()
            .map(|m| m.rebalance_timeout_ms)
            .max()
            .unwrap_or(0)
    }

    /// The protocol every member supports that gets the most first-preference votes.
    fn select_protocol(&self) -> Option<String> {
        let first = self.members.first()?;
        let candidates: Vec<&String> = first
            .protocols
            .iter()
            .filter(|p| self.members.iter().all(|m| m.protocols.contains(p)))
            .collect();
        let mut votes: Vec<(usize, &String)> = candidates.iter().map(|c| (0, *c)).collect();
        for m in &self.members {
            if let Some(pref) = m.protocols.iter().find(|p| candidates.contains(p)) {
                if let Some(v) = votes.iter_mut().find(|(_, c)| *c == pref) {
                    v.0 += 1;
                }
            }
        }
        // Highest vote count; ties go to the earliest candidate (stable).
        let best = votes.iter().map(|(n, _)| *n).max()?;
        votes
            .into_iter()
            .find(|(n, _)| *n == best)
            .map(|(_, c)| c.clone())
    }
}

/// `OffsetExpirationConditionImpl`'s base timestamp: where an offset's retention starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ExpirationBase {
    /// `currentStateTimestamp`: when the classic group became Empty.
    StateTimestamp(Millis),
    /// `commitTimestampMs`: the offset's own commit.
    CommitTimestamp,
}

/// `OffsetMetadataManager.cleanupExpiredOffsets`: the offsets, of topics the group is not
/// subscribed to, that are `retention` past their base at `now` (epoch ms); none if the group
/// has no expiration condition.
fn expired_offsets(
    offsets: &BTreeMap<TopicPartition, CommittedOffset>,
    condition: Option<ExpirationBase>,
    is_subscribed: &dyn Fn(&str) -> bool,
    now: Millis,
    retention: Millis,
) -> Vec<TopicPartition> {
    let Some(base) = condition else {
        return Vec::new();
    };
    offsets
        .iter()
        .filter(|(tp, c)| {
            let since = match base {
                ExpirationBase::StateTimestamp(t) => t,
                ExpirationBase::CommitTimestamp => c.commit_timestamp,
            };
            !is_subscribed(&tp.topic) && now - since >= retention
        })
        .map(|(tp, _)| tp.clone())
        .collect()
}

/// `abs(hashCode(group.id)) % offsets.topic.num.partitions` picks the group's offsets partition.
pub fn offsets_partition(group: &str, partitions: u32) -> i32 {
    crate::group::coordinator::partition_for(group, partitions).unwrap_or(0) as i32
}

impl Sim {
    /// The broker coordinating `group`: leader of its `__consumer_offsets` partition.
    pub fn coordinator_of(&self, group: &str) -> Option<BrokerId> {
        let n = self.cluster.partition_count(OFFSETS_TOPIC)?;
        let p = offsets_partition(group, n as u32);
        self.cluster
            .leader_of(&TopicPartition::new(OFFSETS_TOPIC, p))
    }

    pub fn group(&self, group: &str) -> Option<&ClassicGroup> {
        self.groups.get(group)
    }

    pub fn groups(&self) -> impl Iterator<Item = &ClassicGroup> {
        self.groups.values()
    }

    pub(crate) fn coordinator_receive(&mut self, b: BrokerId, from: NodeId, body: Body) {
        // KIP-848 heartbeats, and requests for consumer-protocol groups, go there first.
        let Some(body) = self.consumer_group_receive(b, from, body) else {
            return;
        };
        let me = NodeId::Broker(b);
        match body {
            Body::FindCoordinatorRequest { group } => {
                self.ensure_offsets_topic();
                let result = self
                    .coordinator_of(&group)
                    .ok_or(ErrorCode::CoordinatorNotAvailable);
                self.send(me, from, Body::FindCoordinatorResponse { group, result });
            }
            Body::JoinGroupRequest {
                group,
                client_id,
                member_id,
                group_instance_id,
                protocols,
                metadata,
                session_timeout_ms,
                rebalance_timeout_ms,
                reason,
            } => {
                if self.coordinator_of(&group) != Some(b) {
                    let body = Body::JoinGroupResponse {
                        group,
                        result: Err(ErrorCode::NotCoordinator),
                        assigned_member_id: String::new(),
                    };
                    self.send(me, from, body);
                    return;
                }
                let join = Join {
                    from,
                    client_id,
                    member_id,
                    group_instance_id,
                    protocols,
                    metadata,
                    session_timeout_ms,
                    rebalance_timeout_ms,
                    reason,
                };
                self.handle_join(b, &group, join);
            }
            Body::SyncGroupRequest {
                group,
                member_id,
                generation,
                assignments,
            } => self.handle_sync(b, from, &group, &member_id, generation, assignments),
            Body::HeartbeatRequest {
                group,
                member_id,
                generation,
            } => {
                let error = self.handle_heartbeat(b, &group, &member_id, generation);
                self.send(me, from, Body::HeartbeatResponse { group, error });
            }
            Body::LeaveGroupRequest {
                group,
                member_id,
                reason,
            } => {
                // Only the group's coordinator knows its members (Kafka answers
                // NOT_COORDINATOR; the closing consumer does not wait for the answer).
                if self.coordinator_of(&group) == Some(b) {
                    let why = format!("explicit `LeaveGroup` request for ({member_id}) members.");
                    self.remove_member(&group, &member_id, &reason, why);
                }
                self.send(me, from, Body::LeaveGroupResponse { group });
            }
            Body::OffsetCommitRequest {
                group,
                member_id,
                generation,
                offsets,
            } => self.answer_offset_commit(me, from, group, offsets, |s, group, offsets| {
                s.handle_commit(b, group, &member_id, generation, offsets)
            }),
            Body::OffsetFetchRequest { group, partitions } => {
                let offsets = committed(self.groups.get(&group).map(|g| &g.offsets), partitions);
                self.send(me, from, Body::OffsetFetchResponse { group, offsets });
            }
            _ => {}
        }
    }

    /// Creates `__consumer_offsets` on first use, as Kafka does: 50 partitions, RF min(3, brokers).
    pub(crate) fn ensure_offsets_topic(&mut self) {
        if self.cluster.topics.contains_key(OFFSETS_TOPIC) {
            return;
        }
        let partitions = self.cluster.broker_config.offsets_topic_num_partitions;
        let rf = (self.cluster.broker_config.offsets_topic_replication_factor as usize)
            .min(self.cluster.live_brokers().len())
            .max(1) as i16;
        let mut overrides = BTreeMap::new();
        overrides.insert("cleanup.policy".to_string(), "compact".to_string());
        // The offsets topic always exists in a running cluster; a failure here only means
        // no broker is alive, and FindCoordinator then answers COORDINATOR_NOT_AVAILABLE.
        let _ = self.create_topic_internal(OFFSETS_TOPIC, partitions, rf, overrides, None, true);
    }

    fn group_entry(&mut self, group: &str) -> &mut ClassicGroup {
        let now = self.now;
        self.groups
            .entry(group.to_string())
            .or_insert_with(|| ClassicGroup::new(group, now))
    }

    fn set_state(&mut self, group: &str, to: GroupState) {
        self.set_state_because(group, to, None);
    }

    fn set_state_because(&mut self, group: &str, to: GroupState, reason: Option<String>) {
        let now = self.now;
        let Some(g) = self.groups.get_mut(group) else {
            return;
        };
        let from = g.state;
        if from == to {
            return;
        }
        g.state = to;
        g.empty_since = if to == GroupState::Empty {
            Some(now)
        } else {
            None
        };
        self.record(TraceEvent::GroupState {
            group: group.to_string(),
            from: from.name().into(),
            to: to.name().into(),
            reason,
        });
    }

    fn handle_join(&mut self, b: BrokerId, group: &str, join: Join) {
        let min = self.cluster.broker_config.group_min_session_timeout_ms;
        let max = self.cluster.broker_config.group_max_session_timeout_ms;
        if join.session_timeout_ms < min || join.session_timeout_ms > max {
            self.reply_join_error(b, join.from, group, ErrorCode::InvalidSessionTimeout);
            return;
        }
        let now = self.now;
        let g = self.group_entry(group);
        let known = g.member(&join.member_id).is_some();
        if !known && join.group_instance_id.is_some() {
            let iid = join.group_instance_id.clone();
            if let Some(old) = g.members.iter().position(|m| m.group_instance_id == iid) {
                // KIP-345: a static member rejoining under a new member id replaces its old
                // incarnation; in a Stable group with unchanged metadata it gets its old
                // assignment back without a rebalance.
                let unchanged = g.state == GroupState::Stable
                    && g.members[old].protocols == join.protocols
                    && g.members[old].metadata.topics == join.metadata.topics;
                if unchanged {
                    self.replace_static_member(b, group, old, join);
                    return;
                }
                let old_id = g.members[old].member_id.clone();
                g.members.remove(old);
                if g.leader.as_deref() == Some(old_id.as_str()) {
                    g.leader = None;
                }
            }
        }
        if g.answers_without_rebalance(&join) {
            let result = g.current_generation(&join.member_id, false);
            let body = Body::JoinGroupResponse {
                group: group.to_string(),
                result: Ok(result),
                assigned_member_id: join.member_id,
            };
            self.send(NodeId::Broker(b), join.from, body);
            return;
        }
        let member_id = if join.member_id.is_empty() {
            let id = format!("{}-{}", join.client_id, self.rng.uuid_v4());
            if join.group_instance_id.is_none() {
                // KIP-394: a new dynamic member must rejoin with the id it is given.
                self.reply_join_error_with_id(b, join.from, group, ErrorCode::MemberIdRequired, id);
                return;
            }
            id
        } else {
            join.member_id.clone()
        };
        let g = self.group_entry(group);
        let is_new = g.member(&member_id).is_none();
        if is_new {
            if g.members.is_empty() {
                g.protocol_type = Some(CONSUMER_PROTOCOL_TYPE);
            }
            g.members.push(GroupMember {
                member_id: member_id.clone(),
                client: join.from,
                client_id: join.client_id.clone(),
                host: "/127.0.0.1".into(),
                group_instance_id: join.group_instance_id.clone(),
                protocols: join.protocols.clone(),
                metadata: join.metadata.clone(),
                session_timeout_ms: join.session_timeout_ms,
                rebalance_timeout_ms: join.rebalance_timeout_ms,
                last_heartbeat: now,
                awaiting_join: true,
                awaiting_sync: false,
                assignment: Vec::new(),
                session_token: 0,
            });
        } else if let Some(m) = g.member_mut(&member_id) {
            m.protocols = join.protocols.clone();
            m.metadata = join.metadata.clone();
            m.awaiting_join = true;
            m.last_heartbeat = now;
            m.client = join.from;
        }
        if is_new {
            self.record(TraceEvent::MemberJoined {
                group: group.to_string(),
                member: member_id.clone(),
            });
        }
        self.schedule_session_check(group, &member_id);
        let g = &self.groups[group];
        let state = g.state;
        // `GroupMetadataManager`'s reasons; a member's own is "not provided" on its first join.
        let client_reason = join
            .reason
            .as_deref()
            .filter(|r| !r.is_empty())
            .unwrap_or("not provided");
        let reason = if is_new {
            let instance = join.group_instance_id.as_deref().unwrap_or("null");
            format!("Adding new member {member_id} with group instance id {instance}; client reason: {client_reason}")
        } else if state == GroupState::Stable && g.leader.as_deref() == Some(member_id.as_str()) {
            format!(
                "Leader {member_id} re-joining group during Stable; client reason: {client_reason}"
            )
        } else {
            let during = state.name();
            format!("Updating metadata for member {member_id} during {during}; client reason: {client_reason}")
        };
        match state {
            GroupState::Empty | GroupState::Stable | GroupState::CompletingRebalance => {
                self.prepare_rebalance(group, reason)
            }
            GroupState::PreparingRebalance => {
                if is_new && self.groups[group].initial_delay {
                    self.rearm_initial_delay(group);
                }
                self.try_complete_join(group);
            }
            GroupState::Dead => {}
        }
    }

    /// Gives a restarted static member its old incarnation's place: new member id, same
    /// assignment, no rebalance. Requests from the old member id now fail (`FENCED_INSTANCE_ID`
    /// in Kafka; here the old id is simply unknown).
    fn replace_static_member(&mut self, b: BrokerId, group: &str, index: usize, join: Join) {
        let new_id = format!("{}-{}", join.client_id, self.rng.uuid_v4());
        let now = self.now;
        let Some(g) = self.groups.get_mut(group) else {
            return;
        };
        let old_id = g.members[index].member_id.clone();
        {
            let m = &mut g.members[index];
            m.member_id = new_id.clone();
            m.client = join.from;
            m.client_id = join.client_id.clone();
            m.last_heartbeat = now;
            m.session_timeout_ms = join.session_timeout_ms;
            m.rebalance_timeout_ms = join.rebalance_timeout_ms;
        }
        if g.leader.as_deref() == Some(old_id.as_str()) {
            g.leader = Some(new_id.clone());
        }
        let result = g.current_generation(&new_id, true);
        self.record(TraceEvent::MemberRemoved {
            group: group.to_string(),
            member: old_id,
            reason: "replaced by a new instance of the same static member".into(),
        });
        self.record(TraceEvent::MemberJoined {
            group: group.to_string(),
            member: new_id.clone(),
        });
        self.schedule_session_check(group, &new_id);
        self.store_group(group);
        let body = Body::JoinGroupResponse {
            group: group.to_string(),
            result: Ok(result),
            assigned_member_id: new_id,
        };
        self.send(NodeId::Broker(b), join.from, body);
    }

    fn reply_join_error(&mut self, b: BrokerId, to: NodeId, group: &str, code: ErrorCode) {
        self.reply_join_error_with_id(b, to, group, code, String::new());
    }

    fn reply_join_error_with_id(
        &mut self,
        b: BrokerId,
        to: NodeId,
        group: &str,
        code: ErrorCode,
        id: String,
    ) {
        let body = Body::JoinGroupResponse {
            group: group.to_string(),
            result: Err(code),
            assigned_member_id: id,
        };
        self.send(NodeId::Broker(b), to, body);
    }

    fn prepare_rebalance(&mut self, group: &str, reason: String) {
        let initial = self
            .groups
            .get(group)
            .is_some_and(|g| g.state == GroupState::Empty);
        let delay = if initial {
            self.cluster.broker_config.group_initial_rebalance_delay_ms
        } else {
            self.groups[group].rebalance_timeout()
        };
        let token = self.token();
        let mut waiting = Vec::new();
        if let Some(g) = self.groups.get_mut(group) {
            g.initial_delay = initial && delay > 0;
            g.join_deadline_token = token;
            // Eager and cooperative alike: members learn of the rebalance from their heartbeat;
            // one waiting for its SyncGroup answer gets REBALANCE_IN_PROGRESS there
            // (`resetAndPropagateAssignmentError`) and rejoins.
            for m in &mut g.members {
                if std::mem::take(&mut m.awaiting_sync) {
                    waiting.push(m.client);
                }
            }
        }
        if let Some(b) = self.coordinator_of(group) {
            for client in waiting {
                let body = Body::SyncGroupResponse {
                    group: group.to_string(),
                    result: Err(ErrorCode::RebalanceInProgress),
                };
                self.send(NodeId::Broker(b), client, body);
            }
        }
        self.set_state_because(group, GroupState::PreparingRebalance, Some(reason));
        self.schedule_in(
            delay,
            Event::Timer(Timer::GroupJoin {
                group: group.to_string(),
                token,
            }),
        );
        if !initial {
            self.try_complete_join(group);
        }
    }

    /// A new member joined during the initial delay: wait another delay (bounded by the rebalance timeout).
    fn rearm_initial_delay(&mut self, group: &str) {
        let delay = self.cluster.broker_config.group_initial_rebalance_delay_ms;
        let token = self.token();
        if let Some(g) = self.groups.get_mut(group) {
            g.join_deadline_token = token;
        }
        self.schedule_in(
            delay,
            Event::Timer(Timer::GroupJoin {
                group: group.to_string(),
                token,
            }),
        );
    }

    fn try_complete_join(&mut self, group: &str) {
        let Some(g) = self.groups.get(group) else {
            return;
        };
        if g.state == GroupState::PreparingRebalance
            && !g.initial_delay
            && !g.members.is_empty()
            && g.members.iter().all(|m| m.awaiting_join)
        {
            self.complete_join(group);
        }
    }

    pub(crate) fn group_join_deadline(&mut self, group: &str, token: u64) {
        let Some(g) = self.groups.get_mut(group) else {
            return;
        };
        if g.join_deadline_token != token || g.state != GroupState::PreparingRebalance {
            return;
        }
        g.initial_delay = false;
        // Members that did not rejoin in time are dropped.
        let gone: Vec<String> = g
            .members
            .iter()
            .filter(|m| !m.awaiting_join)
            .map(|m| m.member_id.clone())
            .collect();
        for id in gone {
            self.drop_member(group, &id, "it did not rejoin before the rebalance timeout");
        }
        self.complete_join(group);
    }

    fn complete_join(&mut self, group: &str) {
        let Some(g) = self.groups.get_mut(group) else {
            return;
        };
        g.generation += 1;
        if g.members.is_empty() {
            g.protocol = None;
            g.leader = None;
            self.set_state(group, GroupState::Empty);
            self.store_group(group);
            return;
        }
        g.protocol = g.select_protocol();
        let leader_ok = g.leader.as_ref().is_some_and(|l| g.member(l).is_some());
        if !leader_ok {
            g.leader = g.members.first().map(|m| m.member_id.clone());
        }
        let generation = g.generation;
        let protocol = g.protocol.clone().unwrap_or_default();
        let leader = g.leader.clone().unwrap_or_default();
        let all = g.joined_members();
        let replies: Vec<(String, NodeId)> = g
            .members
            .iter()
            .map(|m| (m.member_id.clone(), m.client))
            .collect();
        for m in &mut g.members {
            m.awaiting_join = false;
        }
        self.set_state(group, GroupState::CompletingRebalance);
        let Some(coordinator) = self.coordinator_of(group) else {
            return;
        };
        for (member_id, client) in replies {
            let members = if member_id == leader {
                all.clone()
            } else {
                Vec::new()
            };
            let result = JoinResult {
                generation,
                protocol: protocol.clone(),
                leader: leader.clone(),
                member_id: member_id.clone(),
                members,
                skip_assignment: false,
            };
            let body = Body::JoinGroupResponse {
                group: group.to_string(),
                result: Ok(result),
                assigned_member_id: member_id.clone(),
            };
            self.send(NodeId::Broker(coordinator), client, body);
        }
    }

    fn handle_sync(
        &mut self,
        b: BrokerId,
        from: NodeId,
        group: &str,
        member_id: &str,
        generation: i32,
        assignments: Vec<(String, Vec<TopicPartition>)>,
    ) {
        let me = NodeId::Broker(b);
        let reply = |code| Body::SyncGroupResponse {
            group: group.to_string(),
            result: Err(code),
        };
        if self.coordinator_of(group) != Some(b) {
            self.send(me, from, reply(ErrorCode::NotCoordinator));
            return;
        }
        let Some(g) = self.groups.get_mut(group) else {
            self.send(me, from, reply(ErrorCode::UnknownMemberId));
            return;
        };
        let Some(member) = g.member(member_id) else {
            self.send(me, from, reply(ErrorCode::UnknownMemberId));
            return;
        };
        if generation != g.generation {
            self.send(me, from, reply(ErrorCode::IllegalGeneration));
            return;
        }
        match g.state {
            GroupState::PreparingRebalance => {
                self.send(me, from, reply(ErrorCode::RebalanceInProgress))
            }
            GroupState::Stable => {
                let assignment = member.assignment.clone();
                let body = Body::SyncGroupResponse {
                    group: group.to_string(),
                    result: Ok(assignment),
                };
                self.send(me, from, body);
            }
            GroupState::CompletingRebalance => {
                if let Some(m) = g.member_mut(member_id) {
                    m.awaiting_sync = true;
                }
                if g.leader.as_deref() == Some(member_id) {
                    for m in &mut g.members {
                        m.assignment = assignments
                            .iter()
                            .find(|(id, _)| *id == m.member_id)
                            .map(|(_, a)| a.clone())
                            .unwrap_or_default();
                    }
                    let generation = g.generation;
                    let protocol = g.protocol.clone().unwrap_or_default();
                    let assignment: Vec<(String, Vec<TopicPartition>)> = g
                        .members
                        .iter()
                        .map(|m| (m.member_id.clone(), m.assignment.clone()))
                        .collect();
                    self.set_state(group, GroupState::Stable);
                    self.store_group(group);
                    self.record(TraceEvent::Rebalanced {
                        group: group.to_string(),
                        generation,
                        protocol,
                        assignment,
                    });
                }
                self.flush_syncs(b, group);
            }
            GroupState::Empty | GroupState::Dead => {
                self.send(me, from, reply(ErrorCode::UnknownMemberId))
            }
        }
    }

    /// Answers every member waiting in SyncGroup once the leader's assignment is in.
    fn flush_syncs(&mut self, b: BrokerId, group: &str) {
        let Some(g) = self.groups.get_mut(group) else {
            return;
        };
        if g.state != GroupState::Stable {
            return;
        }
        let mut replies = Vec::new();
        for m in &mut g.members {
            if m.awaiting_sync {
                m.awaiting_sync = false;
                replies.push((m.client, m.assignment.clone()));
            }
        }
        for (client, assignment) in replies {
            let body = Body::SyncGroupResponse {
                group: group.to_string(),
                result: Ok(assignment),
            };
            self.send(NodeId::Broker(b), client, body);
        }
    }

    fn handle_heartbeat(
        &mut self,
        b: BrokerId,
        group: &str,
        member_id: &str,
        generation: i32,
    ) -> Option<ErrorCode> {
        if self.coordinator_of(group) != Some(b) {
            return Some(ErrorCode::NotCoordinator);
        }
        let now = self.now;
        let g = self.groups.get_mut(group)?;
        let state = g.state;
        let current = g.generation;
        let Some(m) = g.member_mut(member_id) else {
            return Some(ErrorCode::UnknownMemberId);
        };
        m.last_heartbeat = now;
        self.schedule_session_check(group, member_id);
        match state {
            GroupState::PreparingRebalance => Some(ErrorCode::RebalanceInProgress),
            _ if generation != current => Some(ErrorCode::IllegalGeneration),
            _ => None,
        }
    }

    fn schedule_session_check(&mut self, group: &str, member_id: &str) {
        let token = self.token();
        let Some(m) = self
            .groups
            .get_mut(group)
            .and_then(|g| g.member_mut(member_id))
        else {
            return;
        };
        m.session_token = token;
        let delay = m.session_timeout_ms;
        let timer = Timer::Session {
            group: group.to_string(),
            member: member_id.to_string(),
            token,
        };
        self.schedule_in(delay, Event::Timer(timer));
    }

    pub(crate) fn session_check(&mut self, group: &str, member_id: &str, token: u64) {
        if self.consumer_group_session_check(group, member_id, token) {
            return;
        }
        let expired = self
            .groups
            .get(group)
            .and_then(|g| g.member(member_id))
            .is_some_and(|m| m.session_token == token);
        if expired {
            self.remove_member(
                group,
                member_id,
                "its session timed out (no heartbeat within session.timeout.ms)",
                format!("removing member {member_id} on heartbeat expiration."),
            );
        }
    }

    fn drop_member(&mut self, group: &str, member_id: &str, reason: &str) {
        let Some(g) = self.groups.get_mut(group) else {
            return;
        };
        let before = g.members.len();
        g.members.retain(|m| m.member_id != member_id);
        if g.members.len() == before {
            return;
        }
        if g.leader.as_deref() == Some(member_id) {
            g.leader = None;
        }
        self.record(TraceEvent::MemberRemoved {
            group: group.to_string(),
            member: member_id.to_string(),
            reason: reason.to_string(),
        });
    }

    /// Removes a member (leave or expiry; `reason` for the trace) and starts a rebalance for the
    /// rest (`why`, as the coordinator logs it) unless the group is left empty.
    pub(crate) fn remove_member(
        &mut self,
        group: &str,
        member_id: &str,
        reason: &str,
        why: String,
    ) {
        let known = self
            .groups
            .get(group)
            .is_some_and(|g| g.member(member_id).is_some());
        if !known {
            return;
        }
        self.drop_member(group, member_id, reason);
        let state = self.groups[group].state;
        match state {
            GroupState::Stable | GroupState::CompletingRebalance => {
                if self.groups[group].members.is_empty() {
                    if let Some(g) = self.groups.get_mut(group) {
                        g.generation += 1;
                    }
                    self.set_state(group, GroupState::Empty);
                    self.store_group(group);
                } else {
                    self.prepare_rebalance(group, why);
                }
            }
            GroupState::PreparingRebalance => {
                if self.groups[group].members.is_empty() {
                    self.complete_join(group);
                } else {
                    self.try_complete_join(group);
                }
            }
            GroupState::Empty | GroupState::Dead => {}
        }
    }

    /// `KafkaApis.handleOffsetCommitRequest`: partitions missing from the metadata are answered
    /// UNKNOWN_TOPIC_OR_PARTITION without reaching the coordinator, which `commit`s the rest.
    /// The playground's answer carries one error: the coordinator's, else that one.
    pub(crate) fn answer_offset_commit(
        &mut self,
        me: NodeId,
        from: NodeId,
        group: String,
        mut offsets: Vec<(TopicPartition, i64, Option<i32>)>,
        commit: impl FnOnce(&mut Self, &str, &[(TopicPartition, i64, Option<i32>)]) -> Option<ErrorCode>,
    ) {
        let requested = offsets.len();
        offsets.retain(|(tp, _, _)| {
            let count = self.cluster.partition_count(&tp.topic).unwrap_or(0);
            (0..count).contains(&tp.partition)
        });
        let unknown = (offsets.len() < requested).then_some(ErrorCode::UnknownTopicOrPartition);
        let error = if offsets.is_empty() && unknown.is_some() {
            unknown
        } else {
            commit(self, &group, &offsets).or(unknown)
        };
        let body = Body::OffsetCommitResponse {
            group,
            offsets: offsets.into_iter().map(|(tp, o, _)| (tp, o)).collect(),
            error,
        };
        self.send(me, from, body);
    }

    fn handle_commit(
        &mut self,
        b: BrokerId,
        group: &str,
        member_id: &str,
        generation: i32,
        offsets: &[(TopicPartition, i64, Option<i32>)],
    ) -> Option<ErrorCode> {
        if self.coordinator_of(group) != Some(b) {
            return Some(ErrorCode::NotCoordinator);
        }
        let now = self.timestamp();
        let g = self.group_entry(group);
        if generation < 0 && member_id.is_empty() {
            // A commit outside group management (assign() or admin tools): only while Empty.
            if !g.members.is_empty() {
                return Some(ErrorCode::UnknownMemberId);
            }
        } else {
            let Some(_) = g.member(member_id) else {
                return Some(ErrorCode::UnknownMemberId);
            };
            if generation != g.generation {
                return Some(ErrorCode::IllegalGeneration);
            }
            if g.state == GroupState::CompletingRebalance {
                return Some(ErrorCode::RebalanceInProgress);
            }
        }
        store_commit(&mut g.offsets, offsets, now);
        self.record(TraceEvent::OffsetsCommitted {
            group: group.to_string(),
            offsets: offsets.iter().map(|(tp, o, _)| (tp.clone(), *o)).collect(),
        });
        None
    }

    /// Admin-side offset change (`kafka-consumer-groups --reset-offsets --execute`): the group
    /// must be inactive. It commits into the group of that id, of either kind; a new id makes a
    /// classic "simple" group.
    pub(crate) fn set_committed_offsets(&mut self, group: &str, offsets: &[(TopicPartition, i64)]) {
        let now = self.timestamp();
        let committed = offsets.iter().map(|(tp, offset)| {
            let c = CommittedOffset {
                offset: *offset,
                leader_epoch: None,
                commit_timestamp: now,
            };
            (tp.clone(), c)
        });
        if let Some(g) = self.consumer_groups.get_mut(group) {
            g.offsets.extend(committed);
        } else {
            self.group_entry(group).offsets.extend(committed);
        }
        self.record(TraceEvent::OffsetsCommitted {
            group: group.to_string(),
            offsets: offsets.to_vec(),
        });
    }

    /// `kafka-consumer-groups --delete-offsets` (`OffsetMetadataManager.deleteOffsets`): the
    /// offsets of topics the group (of either kind) does not subscribe to go; the others are
    /// refused with GROUP_SUBSCRIBED_TO_TOPIC.
    pub(crate) fn delete_group_offsets(
        &mut self,
        group: &str,
        partitions: Vec<TopicPartition>,
    ) -> Result<Vec<(TopicPartition, Option<ErrorCode>)>, ErrorCode> {
        // Each partition's topic is refused while the group subscribes to it (decided before
        // the offsets are borrowed to delete from).
        let (refused, offsets): (Vec<bool>, _) =
            if let Some(g) = self.consumer_groups.get_mut(group) {
                let refused = partitions
                    .iter()
                    .map(|tp| g.is_subscribed_to_topic(&tp.topic));
                (refused.collect(), &mut g.offsets)
            } else if let Some(g) = self.groups.get_mut(group) {
                let refused = partitions
                    .iter()
                    .map(|tp| g.is_subscribed_to_topic(&tp.topic));
                (refused.collect(), &mut g.offsets)
            } else {
                return Err(ErrorCode::GroupIdNotFound);
            };
        Ok(partitions
            .into_iter()
            .zip(refused)
            .map(|(tp, refused)| {
                if refused {
                    (tp, Some(ErrorCode::GroupSubscribedToTopic))
                } else {
                    offsets.remove(&tp);
                    (tp, None)
                }
            })
            .collect())
    }

    /// `GroupCoordinatorShard.cleanupGroupMetadata`, every `offsets.retention.check.interval.ms`:
    /// each group loses its expired offsets, and an Empty group left without offsets is deleted
    /// (`maybeDeleteGroup`). Before KIP-211 (ZooKeeper era) every offset expired retention after
    /// its commit, whatever the group was doing.
    pub(crate) fn offsets_retention_pass(&mut self) {
        let retention = self.cluster.broker_config.offsets_retention_minutes * 60_000;
        let now = self.timestamp();
        let kip211 = self.cluster.broker_config.offsets_expire_from_empty;
        let condition = |c: Option<ExpirationBase>| {
            if kip211 {
                c
            } else {
                Some(ExpirationBase::CommitTimestamp)
            }
        };
        for group in self.group_ids() {
            let (expired, empty) = if let Some(g) = self.groups.get_mut(&group) {
                let c = condition(g.offset_expiration_condition());
                let subscribed = |t: &str| kip211 && g.is_subscribed_to_topic(t);
                let expired = expired_offsets(&g.offsets, c, &subscribed, now, retention);
                g.offsets.retain(|tp, _| !expired.contains(tp));
                (
                    expired,
                    g.state == GroupState::Empty && g.offsets.is_empty(),
                )
            } else if let Some(g) = self.consumer_groups.get_mut(&group) {
                // `ConsumerGroup.offsetExpirationCondition`: always from the commit.
                let c = condition(Some(ExpirationBase::CommitTimestamp));
                let subscribed = |t: &str| kip211 && g.is_subscribed_to_topic(t);
                let expired = expired_offsets(&g.offsets, c, &subscribed, now, retention);
                g.offsets.retain(|tp, _| !expired.contains(tp));
                let empty = g.state == ConsumerGroupState::Empty;
                (expired, empty && g.offsets.is_empty())
            } else {
                continue;
            };
            if !expired.is_empty() {
                self.record(TraceEvent::OffsetsExpired {
                    group: group.clone(),
                    partitions: expired,
                });
            }
            if !empty {
                continue;
            }
            if self.groups.contains_key(&group) {
                self.set_state(&group, GroupState::Dead);
                self.groups.remove(&group);
            } else {
                self.delete_consumer_group(&group);
            }
        }
    }

    /// `kafka-consumer-groups --delete`: only an empty group can be deleted.
    pub fn delete_group(&mut self, group: &str) -> Result<(), ErrorCode> {
        if let Some(g) = self.consumer_groups.get(group) {
            if !g.members.is_empty() {
                return Err(ErrorCode::NonEmptyGroup);
            }
            self.delete_consumer_group(group);
            return Ok(());
        }
        let Some(g) = self.groups.get(group) else {
            return Err(ErrorCode::GroupIdNotFound);
        };
        if !g.members.is_empty() {
            return Err(ErrorCode::NonEmptyGroup);
        }
        self.set_state(group, GroupState::Dead);
        self.groups.remove(group);
        Ok(())
    }
}

impl Sim {
    /// Writes the group's `GroupMetadata` record (its current generation and assignment).
    fn store_group(&mut self, group: &str) {
        let Some(g) = self.groups.get_mut(group) else {
            return;
        };
        g.stored = Some(StoredGroup {
            protocol_type: g.protocol_type,
            generation: g.generation,
            protocol: g.protocol.clone(),
            leader: g.leader.clone(),
            members: g.members.clone(),
        });
    }

    /// Leadership of a `__consumer_offsets` partition moved from `from` to `to`: the groups it
    /// holds are unloaded from the old coordinator and loaded by the new one
    /// (`GroupCoordinatorService.onResignation` / `onElection`).
    pub(crate) fn offsets_leader_changed(
        &mut self,
        tp: &TopicPartition,
        from: Option<BrokerId>,
        to: Option<BrokerId>,
    ) {
        if &*tp.topic != OFFSETS_TOPIC || from == to {
            return;
        }
        let Some(n) = self.cluster.partition_count(OFFSETS_TOPIC) else {
            return;
        };
        let groups: Vec<String> = self
            .groups
            .keys()
            .filter(|g| offsets_partition(g, n as u32) == tp.partition)
            .cloned()
            .collect();
        for group in groups {
            if let Some(old) = from {
                self.unload_group(&group, old);
            }
            if to.is_some() {
                self.load_group(&group);
            }
        }
    }

    /// `GroupMetadataManager.onUnloaded`: JoinGroup and SyncGroup requests parked at the old
    /// coordinator are answered NOT_COORDINATOR (their members find the new one and rejoin);
    /// the group's timers stop.
    fn unload_group(&mut self, group: &str, old: BrokerId) {
        let Some(g) = self.groups.get_mut(group) else {
            return;
        };
        let preparing = g.state == GroupState::PreparingRebalance;
        let mut joins = Vec::new();
        let mut syncs = Vec::new();
        for m in &mut g.members {
            if std::mem::take(&mut m.awaiting_join) && preparing {
                joins.push(m.client);
            }
            if std::mem::take(&mut m.awaiting_sync) {
                syncs.push(m.client);
            }
            m.session_token = 0;
        }
        g.join_deadline_token = 0;
        g.initial_delay = false;
        if !self.cluster.is_alive(old) {
            // Its connections are closed already: the members noticed when it died.
            return;
        }
        for client in joins {
            self.reply_join_error(old, client, group, ErrorCode::NotCoordinator);
        }
        for client in syncs {
            let body = Body::SyncGroupResponse {
                group: group.to_string(),
                result: Err(ErrorCode::NotCoordinator),
            };
            self.send(NodeId::Broker(old), client, body);
        }
    }

    /// `GroupMetadataManager.onLoaded`: the new coordinator starts the group from its last
    /// stored record (Stable with that generation's members, or Empty; a rebalance in progress
    /// is not stored) and gives every member a fresh session timeout.
    fn load_group(&mut self, group: &str) {
        let now = self.now;
        let Some(g) = self.groups.get_mut(group) else {
            return;
        };
        match g.stored.clone() {
            Some(s) => {
                g.protocol_type = s.protocol_type;
                g.generation = s.generation;
                g.protocol = s.protocol;
                g.leader = s.leader;
                g.members = s.members;
            }
            None => {
                g.protocol_type = None;
                g.generation = 0;
                g.protocol = None;
                g.leader = None;
                g.members.clear();
            }
        }
        for m in &mut g.members {
            m.awaiting_join = false;
            m.awaiting_sync = false;
            m.last_heartbeat = now;
            m.session_token = 0;
        }
        g.join_deadline_token = 0;
        g.initial_delay = false;
        let state = if g.members.is_empty() {
            GroupState::Empty
        } else {
            GroupState::Stable
        };
        let members: Vec<String> = g.members.iter().map(|m| m.member_id.clone()).collect();
        self.set_state(group, state);
        for m in members {
            self.schedule_session_check(group, &m);
        }
    }
}

/// A JoinGroup request's fields.
struct Join {
    from: NodeId,
    client_id: String,
    member_id: String,
    group_instance_id: Option<String>,
    protocols: Vec<String>,
    metadata: JoinMetadata,
    session_timeout_ms: Millis,
    rebalance_timeout_ms: Millis,
    reason: Option<String>,
}
