//! The KRaft controller quorum: Raft among the controller voters (KIP-595, with KIP-996's
//! pre-vote), as `KafkaRaftClient` runs it. The leader is the active controller; it may change
//! metadata only while a majority of voters fetch from it. Followers fetch the
//! `__cluster_metadata` log from the leader; one that hears nothing for
//! `controller.quorum.fetch.timeout.ms` asks the others whether they would vote (pre-vote), and
//! then stands for election with a randomized `controller.quorum.election.timeout.ms`.
//!
//! Simplified for teaching (and said so in the docs): the metadata log is a counter of records
//! (offsets and epochs, no payloads), and a follower's long-poll fetch is modelled as one fetch
//! every [`FETCH_INTERVAL_MS`].

use super::network::NodeId;
use super::protocol::Body;
use super::sim::{Event, Sim, Timer};
use super::time::Millis;
use super::trace::TraceEvent;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Dedicated controllers are numbered from 3000, as Kafka's docs do.
pub const FIRST_CONTROLLER_ID: i32 = 3000;
/// The quorum sizes the playground builds (even sizes add no fault tolerance).
pub const VOTER_COUNTS: [u32; 3] = [1, 3, 5];
/// A follower's fetch interval: `KafkaRaftClient` long-polls for up to 500 ms.
pub const FETCH_INTERVAL_MS: Millis = 500;
/// `controller.quorum.election.backoff.max.ms`.
const ELECTION_BACKOFF_MAX_MS: u32 = 1_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum RaftRole {
    Leader,
    /// Won a pre-vote; asks for real votes in its new epoch.
    Candidate,
    /// Lost contact with the leader; asks whether the others would vote for it (KIP-996).
    Prospective,
    Follower,
    /// Knows no leader (after a restart or a higher epoch without a leader).
    Unattached,
}

impl RaftRole {
    pub fn name(self) -> &'static str {
        match self {
            RaftRole::Leader => "leader",
            RaftRole::Candidate => "candidate",
            RaftRole::Prospective => "prospective",
            RaftRole::Follower => "follower",
            RaftRole::Unattached => "unattached",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Voter {
    pub id: i32,
    pub alive: bool,
    pub role: RaftRole,
    pub epoch: i32,
    pub voted_for: Option<i32>,
    pub leader: Option<i32>,
    /// End of this voter's copy of `__cluster_metadata`.
    pub log_end_offset: i64,
    /// Epoch of the last record in its log (for the vote's "log at least as up to date" rule).
    pub last_epoch: i32,
    /// When this voter last heard from its leader (followers).
    last_leader_contact: Millis,
    /// Votes (or pre-votes) received in the current attempt.
    votes: BTreeSet<i32>,
    /// The election or pre-vote deadline (candidates), or the next check (leader).
    deadline: Millis,
    next_fetch: Option<Millis>,
    fetch_in_flight: bool,
    token: u64,
    /// Leader's view of each voter: last fetch time, fetched offset, last caught-up time.
    pub last_fetch: BTreeMap<i32, Millis>,
    pub fetched_offset: BTreeMap<i32, i64>,
    pub last_caught_up: BTreeMap<i32, Millis>,
}

impl Voter {
    fn new(id: i32) -> Voter {
        Voter {
            id,
            alive: true,
            role: RaftRole::Unattached,
            epoch: 0,
            voted_for: None,
            leader: None,
            log_end_offset: 0,
            last_epoch: 0,
            last_leader_contact: 0,
            votes: BTreeSet::new(),
            deadline: 0,
            next_fetch: None,
            fetch_in_flight: false,
            token: 0,
            last_fetch: BTreeMap::new(),
            fetched_offset: BTreeMap::new(),
            last_caught_up: BTreeMap::new(),
        }
    }

    fn next_wake(&self) -> Option<Millis> {
        if !self.alive {
            return None;
        }
        let fetch = if self.fetch_in_flight {
            None
        } else {
            self.next_fetch
        };
        Some(fetch.map_or(self.deadline, |f| f.min(self.deadline)))
    }
}

/// The controller voters and the metadata log's committed offset.
#[derive(Clone, Debug, Default)]
pub struct Quorum {
    pub voters: BTreeMap<i32, Voter>,
    pub high_watermark: i64,
    /// Combined mode: each voter runs in the broker with its node id (one process).
    pub combined: bool,
}

impl Quorum {
    /// `count` voters; the first is leader of epoch 1 with a committed `LeaderChange` record,
    /// as a freshly formatted cluster is a moment after it started.
    pub fn new(count: u32) -> Quorum {
        Quorum::starting_at(FIRST_CONTROLLER_ID, count)
    }

    /// Combined mode: `count` voters inside brokers 0..count (Kafka's combined nodes have one
    /// `node.id` for both roles).
    pub fn combined(count: u32) -> Quorum {
        Quorum {
            combined: true,
            ..Quorum::starting_at(0, count)
        }
    }

    fn starting_at(first: i32, count: u32) -> Quorum {
        let mut voters = BTreeMap::new();
        for i in 0..count as i32 {
            let mut v = Voter::new(first + i);
            v.epoch = 1;
            v.leader = Some(first);
            v.log_end_offset = 1;
            v.last_epoch = 1;
            v.role = if i == 0 {
                RaftRole::Leader
            } else {
                RaftRole::Follower
            };
            if i == 0 {
                v.voted_for = Some(first);
            }
            voters.insert(v.id, v);
        }
        Quorum {
            voters,
            high_watermark: 1,
            combined: false,
        }
    }

    /// Combined mode: the broker that shares voter `id`'s process.
    pub fn colocated_broker(&self, id: i32) -> Option<i32> {
        (self.combined && self.voters.contains_key(&id)).then_some(id)
    }

    /// Combined mode: whether the controller in broker `id`'s process runs (`None` if that
    /// broker hosts no controller).
    pub fn colocated_voter_alive(&self, id: i32) -> Option<bool> {
        self.colocated_broker(id)?;
        self.voters.get(&id).map(|v| v.alive)
    }

    pub fn majority(&self) -> usize {
        self.voters.len() / 2 + 1
    }

    pub fn leader(&self) -> Option<&Voter> {
        self.voters
            .values()
            .find(|v| v.alive && v.role == RaftRole::Leader)
    }
}

fn node(v: i32) -> NodeId {
    NodeId::Controller(v)
}

impl Sim {
    pub(crate) fn start_quorum(&mut self) {
        let ids: Vec<i32> = self
            .cluster
            .controller
            .quorum
            .voters
            .keys()
            .copied()
            .collect();
        let all = ids.clone();
        let now = self.now;
        let fetch_timeout = self
            .cluster
            .broker_config
            .controller_quorum_fetch_timeout_ms;
        if self.cluster.controller.quorum.combined {
            // One process per combined node: the controller uses its broker's links.
            for id in &ids {
                self.net.share_host(node(*id), NodeId::Broker(*id));
            }
        }
        for id in ids {
            if let Some(v) = self.cluster.controller.quorum.voters.get_mut(&id) {
                v.last_leader_contact = now;
                if v.role == RaftRole::Leader {
                    v.deadline = now + fetch_timeout;
                    // As if every voter had just fetched: the quorum formed a moment ago.
                    for o in &all {
                        v.last_fetch.insert(*o, now);
                        v.fetched_offset.insert(*o, v.log_end_offset);
                    }
                } else {
                    v.deadline = now + fetch_timeout;
                    v.next_fetch = Some(now);
                }
            }
            // A single voter needs nobody: no timers, no traffic.
            if all.len() == 1 {
                if let Some(v) = self.cluster.controller.quorum.voters.get_mut(&id) {
                    v.deadline = Millis::MAX;
                }
            }
            self.reschedule_voter(id);
        }
    }

    /// The active controller's node: the Raft leader while a majority of voters follow it.
    pub(crate) fn kraft_active_controller(&self) -> Option<i32> {
        let q = &self.cluster.controller.quorum;
        let leader = q.leader()?;
        (self.voters_in_contact(leader) >= q.majority()).then_some(leader.id)
    }

    /// Voters (the leader included) that fetched from `leader` within the fetch timeout and
    /// are reachable now.
    fn voters_in_contact(&self, leader: &Voter) -> usize {
        let q = &self.cluster.controller.quorum;
        let timeout = self
            .cluster
            .broker_config
            .controller_quorum_fetch_timeout_ms;
        q.voters
            .values()
            .filter(|v| {
                v.id == leader.id
                    || (v.alive
                        && !self.net.is_cut(node(leader.id), node(v.id))
                        && leader
                            .last_fetch
                            .get(&v.id)
                            .is_some_and(|t| self.now - t <= timeout))
            })
            .count()
    }

    fn reschedule_voter(&mut self, id: i32) {
        let token = self.token();
        let Some(v) = self.cluster.controller.quorum.voters.get_mut(&id) else {
            return;
        };
        v.token = token;
        if let Some(at) = v.next_wake().filter(|t| *t != Millis::MAX) {
            self.schedule(at, Event::Timer(Timer::Raft { voter: id, token }));
        }
    }

    fn randomized_election_timeout(&mut self) -> Millis {
        let base = self
            .cluster
            .broker_config
            .controller_quorum_election_timeout_ms
            .max(1);
        base + self.rng.below(u32::try_from(base).unwrap_or(u32::MAX)) as Millis
    }

    fn voter_state(&mut self, id: i32, state: &str) {
        let epoch = self
            .cluster
            .controller
            .quorum
            .voters
            .get(&id)
            .map_or(0, |v| v.epoch);
        self.record(TraceEvent::ControllerState {
            node: node(id),
            state: state.to_string(),
            epoch,
        });
    }

    pub(crate) fn raft_timer(&mut self, id: i32, token: u64) {
        let Some(v) = self.cluster.controller.quorum.voters.get(&id) else {
            return;
        };
        if v.token != token || !v.alive {
            return;
        }
        let now = self.now;
        let (role, deadline, next_fetch) = (v.role, v.deadline, v.next_fetch);
        if now >= deadline {
            match role {
                RaftRole::Leader => self.leader_check_quorum(id),
                RaftRole::Candidate => {
                    // Lost (or split) election: back off at random, then try again.
                    let backoff = self.rng.below(ELECTION_BACKOFF_MAX_MS) as Millis;
                    if let Some(v) = self.cluster.controller.quorum.voters.get_mut(&id) {
                        v.role = RaftRole::Unattached;
                        v.votes.clear();
                        v.deadline = now + backoff;
                        v.next_fetch = None;
                    }
                }
                RaftRole::Follower | RaftRole::Unattached | RaftRole::Prospective => {
                    self.start_pre_vote(id)
                }
            }
        } else if next_fetch.is_some_and(|t| now >= t) {
            self.send_quorum_fetch(id);
        }
        self.reschedule_voter(id);
    }

    fn send_quorum_fetch(&mut self, id: i32) {
        let Some(v) = self.cluster.controller.quorum.voters.get_mut(&id) else {
            return;
        };
        let Some(leader) = v.leader.filter(|l| *l != id) else {
            v.next_fetch = None;
            return;
        };
        v.fetch_in_flight = true;
        v.next_fetch = None;
        let body = Body::QuorumFetchRequest {
            epoch: v.epoch,
            replica: id,
            fetch_offset: v.log_end_offset,
        };
        self.send(node(id), node(leader), body);
    }

    /// KIP-996: ask first whether the others would vote, so that a voter that merely lost
    /// contact does not disturb a healthy leader by bumping the epoch.
    fn start_pre_vote(&mut self, id: i32) {
        let timeout = self.randomized_election_timeout();
        let now = self.now;
        let Some(v) = self.cluster.controller.quorum.voters.get_mut(&id) else {
            return;
        };
        v.role = RaftRole::Prospective;
        v.leader = None;
        v.fetch_in_flight = false;
        v.votes = [id].into();
        v.deadline = now + timeout;
        v.next_fetch = None;
        let req = Body::VoteRequest {
            epoch: v.epoch + 1,
            candidate: id,
            last_epoch: v.last_epoch,
            last_offset: v.log_end_offset,
            pre_vote: true,
        };
        self.voter_state(id, "prospective");
        if self.maybe_won(id) {
            return;
        }
        self.broadcast(id, req);
    }

    fn broadcast(&mut self, from: i32, body: Body) {
        let others: Vec<i32> = self
            .cluster
            .controller
            .quorum
            .voters
            .keys()
            .copied()
            .filter(|o| *o != from)
            .collect();
        for o in others {
            self.send(node(from), node(o), body.clone());
        }
    }

    fn start_election(&mut self, id: i32) {
        let timeout = self.randomized_election_timeout();
        let now = self.now;
        let Some(v) = self.cluster.controller.quorum.voters.get_mut(&id) else {
            return;
        };
        v.role = RaftRole::Candidate;
        v.epoch += 1;
        v.voted_for = Some(id);
        v.leader = None;
        v.votes = [id].into();
        v.deadline = now + timeout;
        let req = Body::VoteRequest {
            epoch: v.epoch,
            candidate: id,
            last_epoch: v.last_epoch,
            last_offset: v.log_end_offset,
            pre_vote: false,
        };
        self.voter_state(id, "candidate");
        if self.maybe_won(id) {
            return;
        }
        self.broadcast(id, req);
    }

    /// A majority of (pre-)votes: a prospective voter stands for election; a candidate leads.
    fn maybe_won(&mut self, id: i32) -> bool {
        let majority = self.cluster.controller.quorum.majority();
        let Some(v) = self.cluster.controller.quorum.voters.get(&id) else {
            return false;
        };
        if v.votes.len() < majority {
            return false;
        }
        match v.role {
            RaftRole::Prospective => self.start_election(id),
            RaftRole::Candidate => self.become_quorum_leader(id),
            _ => return false,
        }
        true
    }

    fn become_quorum_leader(&mut self, id: i32) {
        let now = self.now;
        let check = self
            .cluster
            .broker_config
            .controller_quorum_fetch_timeout_ms;
        let single = self.cluster.controller.quorum.voters.len() == 1;
        let Some(v) = self.cluster.controller.quorum.voters.get_mut(&id) else {
            return;
        };
        v.role = RaftRole::Leader;
        v.leader = Some(id);
        v.votes.clear();
        v.next_fetch = None;
        v.deadline = if single { Millis::MAX } else { now + check };
        v.last_fetch.clear();
        v.fetched_offset.clear();
        v.last_caught_up.clear();
        v.last_fetch.insert(id, now);
        let epoch = v.epoch;
        self.voter_state(id, "leader");
        // The new leader's first record: LeaderChange.
        self.metadata_append(1);
        self.broadcast(id, Body::BeginQuorumEpochRequest { epoch, leader: id });
        self.controller_activated();
    }

    /// KRaft's check-quorum: a leader that a majority stopped fetching from for 1.5 × the
    /// fetch timeout resigns (a partitioned leader stops acting as controller).
    fn leader_check_quorum(&mut self, id: i32) {
        let timeout = self
            .cluster
            .broker_config
            .controller_quorum_fetch_timeout_ms;
        let now = self.now;
        let q = &self.cluster.controller.quorum;
        let Some(v) = q.voters.get(&id) else { return };
        let fetched_within =
            |o: &i32, within: Millis| v.last_fetch.get(o).is_some_and(|t| now - t <= within);
        let recent = q
            .voters
            .keys()
            .filter(|o| **o == id || fetched_within(o, timeout * 3 / 2))
            .count();
        let has_majority = recent >= q.majority();
        // Voters that are not fetching may have missed BeginQuorumEpoch (restarted).
        let silent: Vec<i32> = q
            .voters
            .keys()
            .copied()
            .filter(|o| *o != id && !fetched_within(o, timeout))
            .collect();
        let epoch = v.epoch;
        if has_majority {
            if let Some(v) = self.cluster.controller.quorum.voters.get_mut(&id) {
                v.deadline = now + timeout / 2;
            }
            for o in silent {
                self.send(
                    node(id),
                    node(o),
                    Body::BeginQuorumEpochRequest { epoch, leader: id },
                );
            }
            return;
        }
        let timeout = self.randomized_election_timeout();
        if let Some(v) = self.cluster.controller.quorum.voters.get_mut(&id) {
            v.role = RaftRole::Unattached;
            v.leader = None;
            v.deadline = now + timeout;
        }
        self.voter_state(id, "resigned (lost the majority)");
    }

    /// The metadata log grows by `n` records (a fence, an election, an ISR change...).
    pub(crate) fn metadata_append(&mut self, n: i64) {
        let single = self.cluster.controller.quorum.voters.len() == 1;
        let q = &mut self.cluster.controller.quorum;
        let Some(v) = q
            .voters
            .values_mut()
            .find(|v| v.alive && v.role == RaftRole::Leader)
        else {
            return;
        };
        v.log_end_offset += n;
        v.last_epoch = v.epoch;
        let id = v.id;
        v.fetched_offset.insert(id, v.log_end_offset);
        if single {
            q.high_watermark = v.log_end_offset;
        }
    }

    pub(crate) fn raft_receive(&mut self, to: i32, from: NodeId, body: Body) {
        let alive = self
            .cluster
            .controller
            .quorum
            .voters
            .get(&to)
            .is_some_and(|v| v.alive);
        let NodeId::Controller(from) = from else {
            return;
        };
        if !alive {
            return;
        }
        match body {
            Body::VoteRequest {
                epoch,
                candidate,
                last_epoch,
                last_offset,
                pre_vote,
            } => self.on_vote_request(to, candidate, epoch, (last_epoch, last_offset), pre_vote),
            Body::VoteResponse {
                epoch,
                granted,
                pre_vote,
            } => self.on_vote_response(to, from, epoch, granted, pre_vote),
            Body::BeginQuorumEpochRequest { epoch, leader } => self.follow(to, leader, epoch),
            Body::EndQuorumEpochRequest { epoch, leader } => {
                self.on_end_quorum_epoch(to, leader, epoch)
            }
            Body::QuorumFetchRequest {
                epoch,
                replica,
                fetch_offset,
            } => self.on_quorum_fetch(to, replica, epoch, fetch_offset),
            Body::QuorumFetchResponse {
                epoch,
                leader,
                log_end_offset,
                high_watermark,
            } => self.on_quorum_fetch_response(
                to,
                from,
                epoch,
                leader,
                log_end_offset,
                high_watermark,
            ),
            _ => {}
        }
        self.reschedule_voter(to);
    }

    /// The leader resigned: its successors stand in turn (the first at once, the next one
    /// election-backoff later...), so that they do not split the vote. Kafka ranks them by how
    /// caught up the old leader saw them; here by node id.
    fn on_end_quorum_epoch(&mut self, to: i32, leader: i32, epoch: i32) {
        let now = self.now;
        let rank = self
            .cluster
            .controller
            .quorum
            .voters
            .keys()
            .filter(|o| **o != leader)
            .position(|o| *o == to)
            .unwrap_or(0) as Millis;
        let Some(v) = self.cluster.controller.quorum.voters.get_mut(&to) else {
            return;
        };
        if v.epoch != epoch || v.leader != Some(leader) {
            return;
        }
        if rank == 0 {
            self.start_pre_vote(to);
        } else {
            v.leader = None;
            v.role = RaftRole::Unattached;
            v.fetch_in_flight = false;
            v.next_fetch = None;
            v.deadline = now + rank * Millis::from(ELECTION_BACKOFF_MAX_MS);
        }
    }

    /// Raft's vote rule, plus pre-vote's: a voter that hears from a live leader refuses.
    fn on_vote_request(
        &mut self,
        to: i32,
        candidate: i32,
        epoch: i32,
        candidate_log: (i32, i64),
        pre_vote: bool,
    ) {
        let now = self.now;
        let fetch_timeout = self
            .cluster
            .broker_config
            .controller_quorum_fetch_timeout_ms;
        let Some(v) = self.cluster.controller.quorum.voters.get(&to) else {
            return;
        };
        let log_ok = candidate_log >= (v.last_epoch, v.log_end_offset);
        let has_leader = match v.role {
            RaftRole::Leader => true,
            RaftRole::Follower => now - v.last_leader_contact < fetch_timeout,
            _ => false,
        };
        let granted = if pre_vote {
            epoch > v.epoch && log_ok && !has_leader
        } else {
            epoch >= v.epoch
                && log_ok
                && (epoch > v.epoch || v.voted_for.is_none_or(|c| c == candidate))
                && !(has_leader && epoch == v.epoch)
        };
        let (my_epoch, was_leader) = (v.epoch, v.role == RaftRole::Leader);
        if !pre_vote && epoch > my_epoch {
            // A higher epoch: this voter's own term is over, whatever it answers.
            let timeout = self.randomized_election_timeout();
            if let Some(v) = self.cluster.controller.quorum.voters.get_mut(&to) {
                v.epoch = epoch;
                v.voted_for = None;
                v.leader = None;
                v.role = RaftRole::Unattached;
                v.deadline = now + timeout;
                v.next_fetch = None;
            }
            if was_leader {
                self.voter_state(to, "stepped down (higher epoch)");
            }
        }
        if granted && !pre_vote {
            if let Some(v) = self.cluster.controller.quorum.voters.get_mut(&to) {
                v.voted_for = Some(candidate);
            }
        }
        let epoch_now = self.cluster.controller.quorum.voters[&to].epoch;
        self.send(
            node(to),
            node(candidate),
            Body::VoteResponse {
                epoch: if pre_vote { epoch } else { epoch_now },
                granted,
                pre_vote,
            },
        );
    }

    fn on_vote_response(&mut self, to: i32, from: i32, epoch: i32, granted: bool, pre_vote: bool) {
        let Some(v) = self.cluster.controller.quorum.voters.get_mut(&to) else {
            return;
        };
        let expected = match v.role {
            RaftRole::Prospective => pre_vote && epoch == v.epoch + 1,
            RaftRole::Candidate => !pre_vote && epoch == v.epoch,
            _ => false,
        };
        if !expected || !granted {
            return;
        }
        v.votes.insert(from);
        self.maybe_won(to);
    }

    /// Follows `leader` of `epoch` (BeginQuorumEpoch, or a fetch answer naming it).
    fn follow(&mut self, to: i32, leader: i32, epoch: i32) {
        let now = self.now;
        let fetch_timeout = self
            .cluster
            .broker_config
            .controller_quorum_fetch_timeout_ms;
        let Some(v) = self.cluster.controller.quorum.voters.get_mut(&to) else {
            return;
        };
        if epoch < v.epoch || (epoch == v.epoch && v.role == RaftRole::Leader) {
            return;
        }
        let changed = v.leader != Some(leader) || v.role != RaftRole::Follower;
        let was_leader = v.role == RaftRole::Leader;
        v.epoch = epoch;
        v.leader = Some(leader);
        v.role = RaftRole::Follower;
        v.votes.clear();
        v.last_leader_contact = now;
        v.deadline = now + fetch_timeout;
        if changed {
            // A fetch still out to the old leader will never be answered.
            v.fetch_in_flight = false;
        }
        if !v.fetch_in_flight {
            v.next_fetch = Some(now);
        }
        if changed {
            let state = if was_leader {
                format!("stepped down; follows {leader}")
            } else {
                format!("follows {leader}")
            };
            self.voter_state(to, &state);
        }
    }

    fn on_quorum_fetch(&mut self, to: i32, replica: i32, epoch: i32, fetch_offset: i64) {
        let now = self.now;
        let Some(v) = self.cluster.controller.quorum.voters.get_mut(&to) else {
            return;
        };
        let leading = v.role == RaftRole::Leader;
        if leading && epoch == v.epoch {
            v.last_fetch.insert(replica, now);
            v.fetched_offset.insert(replica, fetch_offset);
            if fetch_offset >= v.log_end_offset {
                v.last_caught_up.insert(replica, now);
            }
        }
        let (my_epoch, leader, leo) = (v.epoch, v.leader, v.log_end_offset);
        if leading {
            self.advance_quorum_high_watermark(to);
        }
        let hw = self.cluster.controller.quorum.high_watermark;
        self.send(
            node(to),
            node(replica),
            Body::QuorumFetchResponse {
                epoch: my_epoch,
                leader,
                log_end_offset: if leading { leo } else { -1 },
                high_watermark: hw,
            },
        );
    }

    /// The metadata high watermark: the largest offset a majority of voters has.
    fn advance_quorum_high_watermark(&mut self, leader: i32) {
        let q = &self.cluster.controller.quorum;
        let Some(v) = q.voters.get(&leader) else {
            return;
        };
        let mut offsets: Vec<i64> = q
            .voters
            .keys()
            .map(|o| {
                if *o == leader {
                    v.log_end_offset
                } else {
                    v.fetched_offset.get(o).copied().unwrap_or(0)
                }
            })
            .collect();
        offsets.sort_unstable_by(|a, b| b.cmp(a));
        let hw = offsets.get(q.majority() - 1).copied().unwrap_or(0);
        let q = &mut self.cluster.controller.quorum;
        q.high_watermark = q.high_watermark.max(hw);
    }

    fn on_quorum_fetch_response(
        &mut self,
        to: i32,
        from: i32,
        epoch: i32,
        leader: Option<i32>,
        leo: i64,
        _hw: i64,
    ) {
        let now = self.now;
        let Some(v) = self.cluster.controller.quorum.voters.get_mut(&to) else {
            return;
        };
        v.fetch_in_flight = false;
        if epoch > v.epoch || (epoch == v.epoch && leader != v.leader) {
            if let Some(l) = leader.filter(|l| *l != to) {
                self.follow(to, l, epoch);
            } else {
                v.epoch = epoch;
                v.leader = None;
                v.role = RaftRole::Unattached;
            }
            return;
        }
        if v.role != RaftRole::Follower || v.leader != Some(from) || leo < 0 {
            return;
        }
        v.last_leader_contact = now;
        let fetch_timeout = self
            .cluster
            .broker_config
            .controller_quorum_fetch_timeout_ms;
        v.deadline = now + fetch_timeout;
        let behind = leo > v.log_end_offset;
        if behind {
            v.log_end_offset = leo;
            v.last_epoch = epoch;
        }
        v.next_fetch = Some(if behind { now } else { now + FETCH_INTERVAL_MS });
    }

    /// Stops a controller node. A clean stop of the leader resigns first (EndQuorumEpoch), so
    /// the others elect at once; a hard stop leaves them to notice by the fetch timeout.
    pub(crate) fn stop_voter(&mut self, id: i32, hard: bool) {
        let Some(v) = self.cluster.controller.quorum.voters.get_mut(&id) else {
            return;
        };
        let was_leader = v.role == RaftRole::Leader;
        let epoch = v.epoch;
        v.alive = false;
        v.fetch_in_flight = false;
        v.role = RaftRole::Unattached;
        v.leader = None;
        v.votes.clear();
        self.voter_state(id, if hard { "killed" } else { "stopped" });
        if was_leader && !hard {
            self.broadcast(id, Body::EndQuorumEpochRequest { epoch, leader: id });
        }
        self.reschedule_voter(id);
    }

    /// A controller node starts again with its persisted epoch, vote and log; it learns the
    /// leader from BeginQuorumEpoch or stands for election after its timeout.
    pub(crate) fn start_voter(&mut self, id: i32) {
        let timeout = self.randomized_election_timeout();
        let now = self.now;
        let single = self.cluster.controller.quorum.voters.len() == 1;
        let Some(v) = self.cluster.controller.quorum.voters.get_mut(&id) else {
            return;
        };
        v.alive = true;
        v.role = RaftRole::Unattached;
        v.leader = None;
        v.deadline = now + timeout;
        v.next_fetch = None;
        self.voter_state(id, "started");
        if single {
            self.start_election(id);
        }
        self.reschedule_voter(id);
    }
}

/// A voter as views show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VoterView {
    pub id: i32,
    pub alive: bool,
    pub role: RaftRole,
    pub epoch: i32,
    pub log_end_offset: i64,
    /// The leader's view: when this voter last fetched and was last caught up (sim ms).
    pub last_fetch_ms: Option<Millis>,
    pub last_caught_up_ms: Option<Millis>,
}

/// Who controls the cluster: the KRaft quorum, or the ZooKeeper ensemble and its controller.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ControllerView {
    pub active: Option<NodeId>,
    pub voters: Vec<VoterView>,
    /// Combined mode: each voter's id is also a broker's, one process for both roles.
    pub combined: bool,
    pub leader_epoch: i32,
    pub high_watermark: i64,
    /// ZooKeeper era: `(myid, alive, leads)` per server.
    pub zookeeper: Vec<(i32, bool, bool)>,
    pub controller_epoch: i32,
}

impl Sim {
    pub fn controller_view(&self) -> ControllerView {
        let q = &self.cluster.controller.quorum;
        let leader = q.leader();
        let voters = q
            .voters
            .values()
            .map(|v| VoterView {
                id: v.id,
                alive: v.alive,
                role: v.role,
                epoch: v.epoch,
                log_end_offset: v.log_end_offset,
                last_fetch_ms: leader.and_then(|l| {
                    if l.id == v.id {
                        Some(self.now)
                    } else {
                        l.last_fetch.get(&v.id).copied()
                    }
                }),
                last_caught_up_ms: leader.and_then(|l| {
                    if l.id == v.id {
                        Some(self.now)
                    } else {
                        l.last_caught_up.get(&v.id).copied()
                    }
                }),
            })
            .collect();
        let zk_leader = self.zk_leader();
        let zk = self.cluster.controller.zk.as_ref();
        ControllerView {
            active: self.active_controller(),
            voters,
            combined: q.combined,
            leader_epoch: leader.map_or_else(
                || q.voters.values().map(|v| v.epoch).max().unwrap_or(0),
                |l| l.epoch,
            ),
            high_watermark: q.high_watermark,
            zookeeper: zk.map_or_else(Vec::new, |zk| {
                zk.servers
                    .iter()
                    .map(|(id, alive)| (*id, *alive, zk_leader == Some(*id)))
                    .collect()
            }),
            controller_epoch: zk.map_or(0, |zk| zk.controller_epoch),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ClusterSpec;

    fn quorum_sim(voters: u32) -> Sim {
        let spec = ClusterSpec {
            controllers: voters,
            ..ClusterSpec::default()
        };
        Sim::new(7, spec).unwrap()
    }

    fn leader(sim: &Sim) -> Option<i32> {
        sim.kraft_active_controller()
    }

    #[test]
    fn a_fresh_quorum_has_an_active_controller_and_followers_catch_up() {
        let mut sim = quorum_sim(3);
        assert_eq!(leader(&sim), Some(3000));
        sim.run_for(5_000);
        assert_eq!(leader(&sim), Some(3000));
        let q = &sim.cluster.controller.quorum;
        assert!(
            q.voters.values().all(|v| v.epoch == 1),
            "no needless elections"
        );
        assert_eq!(q.high_watermark, q.voters[&3000].log_end_offset);
    }

    #[test]
    fn killing_the_leader_elects_another_and_two_failures_stop_the_quorum() {
        let mut sim = quorum_sim(3);
        sim.run_for(3_000);
        sim.stop_voter(3000, true);
        assert_eq!(leader(&sim), None, "a dead leader is no controller");
        sim.run_for(6_000);
        let new = leader(&sim).expect("the two survivors elect a leader");
        assert_ne!(new, 3000);
        assert!(sim.cluster.controller.quorum.voters[&new].epoch >= 2);
        let other = if new == 3001 { 3002 } else { 3001 };
        sim.stop_voter(other, true);
        sim.run_for(10_000);
        assert_eq!(leader(&sim), None, "one voter of three is no majority");
        sim.start_voter(other);
        sim.start_voter(3000);
        sim.run_for(10_000);
        assert!(leader(&sim).is_some(), "the quorum recovers");
    }

    #[test]
    fn a_clean_stop_hands_over_quickly() {
        let mut sim = quorum_sim(3);
        sim.run_for(3_000);
        sim.stop_voter(3000, false);
        // EndQuorumEpoch: no need to wait for the 2 s fetch timeout.
        sim.run_for(1_500);
        assert!(leader(&sim).is_some_and(|l| l != 3000));
    }

    #[test]
    fn a_restarted_follower_rejoins_without_disturbing_the_leader() {
        let mut sim = quorum_sim(5);
        sim.run_for(2_000);
        sim.stop_voter(3004, true);
        sim.run_for(5_000);
        sim.start_voter(3004);
        sim.run_for(10_000);
        let q = &sim.cluster.controller.quorum;
        assert_eq!(leader(&sim), Some(3000));
        assert_eq!(q.voters[&3000].epoch, 1, "pre-vote kept the epoch");
        assert_eq!(q.voters[&3004].leader, Some(3000));
    }

    #[test]
    fn same_seed_same_elections() {
        let run = || {
            let mut sim = quorum_sim(5);
            sim.stop_voter(3000, true);
            sim.run_for(20_000);
            sim.trace_hash()
        };
        assert_eq!(run(), run());
    }

    mod combined {
        use super::*;
        use crate::faults::NetworkFault;
        use crate::{Command, ErrorCode, TopicPartition};

        fn combined_sim(brokers: u32, voters: u32) -> Sim {
            let spec = ClusterSpec {
                brokers,
                controllers: voters,
                combined: true,
                ..ClusterSpec::default()
            };
            Sim::new(7, spec).unwrap()
        }

        fn create(sim: &mut Sim, name: &str) -> Result<(), crate::KafkaError> {
            sim.apply(Command::CreateTopic {
                name: name.into(),
                partitions: Some(1),
                replication_factor: Some(3),
                configs: BTreeMap::new(),
                assignment: Some(vec![vec![0, 1, 2]]),
            })
            .map(|_| ())
        }

        fn voter_alive(sim: &Sim, id: i32) -> bool {
            sim.cluster.controller.quorum.voters[&id].alive
        }

        #[test]
        fn the_voters_are_the_first_brokers_and_elect_a_controller() {
            let mut sim = combined_sim(4, 3);
            let view = sim.controller_view();
            assert!(view.combined);
            let ids: Vec<i32> = view.voters.iter().map(|v| v.id).collect();
            assert_eq!(ids, [0, 1, 2], "node ids are the brokers' ids");
            assert_eq!(sim.active_controller(), Some(NodeId::Controller(0)));
            sim.run_for(5_000);
            assert_eq!(sim.active_controller(), Some(NodeId::Controller(0)));
            assert!(
                sim.cluster
                    .controller
                    .quorum
                    .voters
                    .values()
                    .all(|v| v.epoch == 1),
                "no needless elections"
            );
            // A clean stop of node 0 (controlled shutdown, then exit) hands over at once.
            sim.apply(Command::StopController {
                node: NodeId::Controller(0),
                hard: false,
            })
            .unwrap();
            sim.run_for(3_000);
            assert!(
                !sim.cluster.is_alive(0),
                "one process: the broker stopped too"
            );
            assert!(!voter_alive(&sim, 0));
            let now = sim.active_controller();
            assert!(
                matches!(now, Some(NodeId::Controller(1 | 2))),
                "a survivor leads: {now:?}"
            );
        }

        #[test]
        fn killing_the_controller_and_partition_leader_moves_both_roles() {
            let mut sim = combined_sim(3, 3);
            create(&mut sim, "t").unwrap();
            sim.run_for(2_000);
            let tp = TopicPartition::new("t", 0);
            assert_eq!(sim.cluster.leader_of(&tp), Some(0));
            assert_eq!(sim.active_controller(), Some(NodeId::Controller(0)));
            sim.apply(Command::StopBroker { id: 0, hard: true })
                .unwrap();
            assert!(
                !voter_alive(&sim, 0),
                "the controller in the process died too"
            );
            assert_eq!(sim.active_controller(), None);
            // Fetch timeout → election; then broker.session.timeout.ms fences broker 0.
            sim.run_for(20_000);
            let active = sim.active_controller();
            assert!(
                matches!(active, Some(NodeId::Controller(1 | 2))),
                "{active:?}"
            );
            let meta = sim.cluster.partition(&tp).unwrap();
            assert!(matches!(meta.leader, Some(1 | 2)), "{meta:?}");
            assert!(!meta.isr.contains(&0), "{meta:?}");
            // Starting the node starts both roles; it rejoins the quorum and the ISR.
            sim.apply(Command::StartBroker { id: 0 }).unwrap();
            assert!(voter_alive(&sim, 0));
            sim.run_for(30_000);
            assert_eq!(
                sim.cluster.controller.quorum.voters[&0].role,
                RaftRole::Follower
            );
            assert!(sim.cluster.partition(&tp).unwrap().isr.contains(&0));
        }

        #[test]
        fn three_voters_survive_one_node_down_but_not_two() {
            let mut sim = combined_sim(3, 3);
            sim.run_for(1_000);
            sim.apply(Command::StopController {
                node: NodeId::Controller(2),
                hard: true,
            })
            .unwrap();
            assert!(
                !sim.cluster.is_alive(2),
                "controller kill kills the broker too"
            );
            sim.run_for(5_000);
            assert_eq!(sim.active_controller(), Some(NodeId::Controller(0)));
            create(&mut sim, "a").unwrap();
            sim.apply(Command::StopBroker { id: 1, hard: true })
                .unwrap();
            sim.run_for(10_000);
            assert_eq!(
                sim.active_controller(),
                None,
                "one voter of three is no majority"
            );
            let err = create(&mut sim, "b").unwrap_err();
            assert_eq!(err.code, ErrorCode::RequestTimedOut);
            // Metadata is frozen: nobody fences the dead broker 1 either.
            assert!(!sim.cluster.brokers[&1].fenced);
            sim.apply(Command::StartController {
                node: NodeId::Controller(1),
            })
            .unwrap();
            assert!(voter_alive(&sim, 1));
            sim.run_for(15_000);
            assert!(sim.active_controller().is_some(), "the quorum recovers");
            create(&mut sim, "b").unwrap();
        }

        #[test]
        fn a_partitioned_broker_takes_its_controller_with_it() {
            let mut sim = combined_sim(3, 3);
            sim.run_for(1_000);
            sim.apply(Command::Network(NetworkFault::Partition(
                vec![NodeId::Broker(0)],
                vec![NodeId::Broker(1), NodeId::Broker(2)],
            )))
            .unwrap();
            assert!(sim.net.is_cut(NodeId::Controller(0), NodeId::Controller(1)));
            assert!(sim.net.is_cut(NodeId::Controller(0), NodeId::Broker(2)));
            assert!(!sim.net.is_cut(NodeId::Controller(0), NodeId::Broker(0)));
            assert!(!sim.net.is_cut(NodeId::Controller(1), NodeId::Broker(2)));
            sim.run_for(10_000);
            let active = sim.active_controller();
            assert!(
                matches!(active, Some(NodeId::Controller(1 | 2))),
                "{active:?}"
            );
        }

        #[test]
        fn invalid_combinations_are_refused() {
            let too_many = ClusterSpec {
                brokers: 1,
                controllers: 3,
                combined: true,
                ..ClusterSpec::default()
            };
            let err = Sim::new(1, too_many).unwrap_err();
            assert!(
                err.message.contains("at most as many voters as brokers"),
                "{}",
                err.message
            );
            let zk = ClusterSpec {
                mode: crate::ControllerMode::Zookeeper,
                combined: true,
                ..ClusterSpec::default()
            };
            let err = Sim::new(1, zk).unwrap_err();
            assert!(err.message.contains("KRaft"), "{}", err.message);
        }

        #[test]
        fn one_combined_node_restarts_as_its_own_controller() {
            let mut sim = combined_sim(1, 1);
            sim.apply(Command::StopBroker { id: 0, hard: true })
                .unwrap();
            assert_eq!(sim.active_controller(), None);
            sim.apply(Command::StartBroker { id: 0 }).unwrap();
            assert_eq!(sim.active_controller(), Some(NodeId::Controller(0)));
            sim.run_for(30_000);
            assert!(sim.cluster.is_alive(0));
            assert!(!sim.cluster.brokers[&0].fenced);
        }

        #[test]
        fn same_seed_same_run() {
            let run = || {
                let mut sim = combined_sim(3, 3);
                create(&mut sim, "t").unwrap();
                sim.apply(Command::StopBroker { id: 0, hard: true })
                    .unwrap();
                sim.run_for(30_000);
                sim.trace_hash()
            };
            assert_eq!(run(), run());
        }
    }
}
