//! The consumer client: finds its group coordinator, joins the group (classic protocol, eager or
//! cooperative), runs the assignor when it leads, fetches from partition leaders, tracks its
//! position, commits (auto every `auto.commit.interval.ms`, or on demand), heartbeats, and
//! applies `auto.offset.reset` when it has no valid offset. With `group.protocol=consumer`
//! (KIP-848) it speaks `ConsumerGroupHeartbeat` instead and reconciles the coordinator's
//! assignment itself (see the `kip848` section at the bottom).

use super::config::{AutoOffsetReset, ConsumerConfig, GroupProtocol};
use super::error::ErrorCode;
use super::group::assignors::{self, AssignorName, MemberSubscription, RebalanceProtocol};
use super::ids::{BrokerId, TopicPartition};
use super::log::{MemoryRecords, Record};
use super::network::{ClientId, Envelope, NodeId};
use super::protocol::{Body, FetchLimits, FetchMetadata, FetchPartition, JoinMetadata, JoinResult};
use super::sim::Sim;
use super::time::Millis;
use super::trace::TraceEvent;
use crate::client::metadata_refresh_after;

/// The consumer's `retry.backoff.ms` default (not configurable in the playground).
const CONSUMER_RETRY_BACKOFF_MS: Millis = 100;
/// The consumer's `retry.backoff.max.ms` default.
const CONSUMER_RETRY_BACKOFF_MAX_MS: Millis = 1000;
/// How long `close()` may take (`ConsumerUtils.DEFAULT_CLOSE_TIMEOUT_MS`).
const DEFAULT_CLOSE_TIMEOUT_MS: Millis = 30_000;
use crate::ordered::CollectOrdered;
use serde::Serialize;
use smol_str::SmolStr;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

mod commit;
mod consumed;
mod validation;
pub(crate) use commit::CommitKind;
pub use commit::{timeout_message, CommitFailure};
pub use consumed::ConsumedRecords;
use validation::PositionEpochs;

/// One partition's records from one fetch answer, waiting for `poll()` (`CompletedFetch`).
#[derive(Clone, Debug)]
struct CompletedFetch {
    tp: TopicPartition,
    /// Where the next record handed out continues from (`nextFetchOffset`): records are
    /// handed out only while the partition's position is still there.
    next_offset: i64,
    records: MemoryRecords,
    /// The answer's leader epoch entries, for the epoch of the last record handed out.
    epochs: Vec<(i32, i64)>,
}

/// Where a group consumer stands in the protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum MemberPhase {
    /// No group (manual `assign`).
    Standalone,
    FindingCoordinator,
    Joining,
    Syncing,
    Stable,
    /// Left the group because `max.poll.interval.ms` passed while the application processed
    /// records (KIP-848's STALE); it rejoins at its next `poll()`.
    Unjoined,
}

/// A record as the application sees it (what the console consumer prints).
#[derive(Clone, Debug)]
pub struct Consumed {
    pub tp: TopicPartition,
    pub record: Record,
}

#[derive(Clone, Debug)]
pub struct Consumer {
    pub name: String,
    pub client_id: String,
    pub config: ConsumerConfig,
    pub group: Option<String>,
    pub topics: Vec<String>,
    pub phase: MemberPhase,
    pub coordinator: Option<BrokerId>,
    pub member_id: String,
    pub generation: i32,
    pub assignment: Vec<TopicPartition>,
    /// Next offset to fetch per assigned partition (absent while being looked up).
    pub positions: BTreeMap<TopicPartition, i64>,
    /// The leader epochs of each position (`FetchPosition`: the epoch of the record before it,
    /// and the leader epoch it is known good under), and its KIP-320 validation.
    position_epochs: BTreeMap<TopicPartition, PositionEpochs>,
    /// Partitions whose position turned out of range with `auto.offset.reset=none`: the
    /// application got `OffsetOutOfRangeException` for them, and they are not fetched again
    /// until a new position is set (the playground's applications stop at the error).
    out_of_range: BTreeSet<TopicPartition>,
    /// Partitions being reset after their position turned out of range, with that position:
    /// the reset is traced once the new offset is known.
    resetting_from: BTreeMap<TopicPartition, i64>,
    /// Partitions waiting for OffsetFetch or ListOffsets.
    resolving: BTreeSet<TopicPartition>,
    fetching_from: BTreeSet<BrokerId>,
    /// Fetched records not yet handed to the application (`FetchBuffer`), in arrival order;
    /// the front is the next in line. At most one per partition: a partition with records
    /// here is not fetched again.
    fetch_buffer: VecDeque<CompletedFetch>,
    /// When the fetcher tries again after a fetch could not be made or failed: Kafka's poll
    /// loop prepares fetches at every `poll()`, with the metadata refreshed meanwhile; here a
    /// timer stands for the next poll that finds a leader to fetch from.
    fetch_retry_at: Option<Millis>,
    /// Fetches in a row whose connection broke: the next waits longer (`retry.backoff.ms`
    /// doubling up to `retry.backoff.max.ms`, as the node's reconnect backoff grows).
    fetch_failures: u32,
    request_in_flight: bool,
    /// OffsetCommits waiting for their answers, oldest first: losing a connection loses those
    /// sent on it.
    commits: Vec<commit::InFlightCommit>,
    /// The application's `commitSync()` while it runs, and how its last one ended.
    sync_commit: Option<commit::SyncCommit>,
    sync_result: Option<Result<(), CommitFailure>>,
    next_heartbeat_at: Option<Millis>,
    next_commit_at: Option<Millis>,
    /// Simulated processing time per record; the next fetch waits until processing ends.
    pub process_time_ms: Millis,
    busy_until: Millis,
    /// When `max.poll.interval.ms` runs out during the processing of the last poll's records.
    poll_timeout_at: Option<Millis>,
    /// A rejoin was asked for during processing; the next `poll()` makes it.
    rejoin_at_poll: bool,
    /// A classic member's commit before it rejoins, while the JoinGroup waits for it.
    join_prepare: Option<commit::RevocationCommit>,
    /// With no broker reachable the coordinator lookup waits `retry.backoff.ms` between tries.
    find_coordinator_at: Millis,
    /// The broker a FindCoordinator request is in flight to: losing that connection loses it.
    find_coordinator_to: Option<BrokerId>,
    /// Coordinator lookups since the coordinator last answered anything: each that failed, or
    /// found a coordinator that could not be reached, makes the next wait longer
    /// (`retryBackoff.backoff(attempts++)` in `ensureCoordinatorReady`).
    coordinator_lookups: u32,
    /// The coordinator a JoinGroup or SyncGroup request is in flight to. Only its answer
    /// counts: once the request failed (disconnect, coordinator marked unknown) a late answer
    /// from an old connection is ignored, as the Java client's cancelled request is.
    group_request_to: Option<BrokerId>,
    /// Offset lookups that found no leader, failed or lost their connection: retried (committed
    /// offset first, then `auto.offset.reset`) after `retry.backoff.ms`, as the consumer's
    /// OffsetFetcher does.
    reset_retry: Vec<TopicPartition>,
    reset_retry_at: Millis,
    /// Why the member joins again (`AbstractCoordinator.rejoinReason`): sent with every
    /// JoinGroup until a SyncGroup succeeds.
    rejoin_reason: Option<String>,
    /// Records polled but not yet read by the console (bounded).
    pub consumed: ConsumedRecords,
    pub total_consumed: u64,
    pub last_committed: BTreeMap<TopicPartition, i64>,
    pub leaving: bool,
    /// When a closing consumer goes whether or not its final commit got through: `close()`
    /// is bounded by its timeout.
    close_deadline: Option<Millis>,
    /// The coordinator connection broke while this member was Stable: after finding the
    /// coordinator again it resumes heartbeating instead of rejoining.
    resume_stable: bool,
    pub wake_token: u64,
    /// An error the application would see (`auto.offset.reset=none`, fatal group errors).
    pub error: Option<String>,
    /// KIP-848 only: the client side of the consumer rebalance protocol.
    kip848: Kip848,
    /// Classic group leader only: the metadata it watches for changes.
    metadata_watch: Option<MetadataWatch>,
}

/// What a classic group's leader watches (`ConsumerCoordinator`'s `assignmentSnapshot` and
/// `metadataSnapshot`): the metadata its last assignment was computed from, the metadata as
/// last refreshed, and when it refreshes next (`metadata.max.age.ms` after the last refresh,
/// sooner once a partition turned out to have no leader).
#[derive(Clone, Debug)]
struct MetadataWatch {
    assigned: MetadataSnapshot,
    seen: MetadataSnapshot,
    refresh_at: Millis,
}

/// `ConsumerCoordinator.MetadataSnapshot`: the partition count of each topic the group
/// subscribes to that exists. The leader rejoins when its metadata no longer matches the
/// snapshot of its last assignment (partitions added, a topic deleted or created).
#[derive(Clone, Debug, PartialEq, Eq)]
struct MetadataSnapshot {
    topics: Vec<String>,
    partitions: BTreeMap<String, u32>,
}

/// The KIP-848 membership manager's state (`ConsumerMembershipManager`).
#[derive(Clone, Debug, Default)]
struct Kip848 {
    heartbeat_in_flight: bool,
    /// Send another heartbeat as soon as the one in flight is answered (an ack is due).
    heartbeat_again: bool,
    /// The assignment being reconciled while the pre-revocation commit is in flight.
    reconciling: Option<Vec<TopicPartition>>,
    /// A newer assignment that arrived during a reconciliation.
    next_target: Option<Vec<TopicPartition>>,
    /// `heartbeat_interval_ms` from the coordinator's last answer.
    interval_ms: Millis,
    /// Partitions being revoked while the commit before it runs: still assigned (and reported
    /// owned) but not fetched, their positions committed (`markPendingRevocation`).
    pending_revocation: Vec<TopicPartition>,
    /// That commit, retried until the rebalance timeout.
    revocation_commit: Option<commit::RevocationCommit>,
}

impl Consumer {
    /// `AbstractCoordinator.markCoordinatorUnknown`: the coordinator's connection is closed,
    /// which fails a JoinGroup or SyncGroup in flight to it; the member finds the coordinator
    /// again (and then rejoins).
    fn mark_coordinator_unknown(&mut self) {
        self.coordinator = None;
        if self.group_request_to.take().is_some() {
            self.request_in_flight = false;
        }
        // A consumer made with `assign()` looks for the new coordinator to commit to; it never
        // joins the group. A Stable member stays in its generation (Kafka's member state does
        // not change): it resumes heartbeating, and may commit, once the coordinator is found.
        if self.group.is_some() && self.phase != MemberPhase::Standalone {
            self.resume_stable |= self.phase == MemberPhase::Stable;
            self.phase = MemberPhase::FindingCoordinator;
        }
    }

    /// Whether it should look for its group's coordinator now: a member, or a consumer made
    /// with `assign()` that commits to a group (`coordinatorUnknownAndUnreadyAsync`).
    fn looks_for_coordinator(&self) -> bool {
        match self.phase {
            MemberPhase::FindingCoordinator => true,
            MemberPhase::Standalone => self.group.is_some() && self.coordinator.is_none(),
            _ => false,
        }
    }
    pub fn new(
        name: String,
        config: ConsumerConfig,
        group: Option<String>,
        topics: Vec<String>,
    ) -> Self {
        let client_id = config.client_id.clone().unwrap_or_else(|| name.clone());
        let phase = if group.is_some() {
            MemberPhase::FindingCoordinator
        } else {
            MemberPhase::Standalone
        };
        Consumer {
            name,
            client_id,
            config,
            group,
            topics,
            phase,
            coordinator: None,
            member_id: String::new(),
            generation: -1,
            assignment: Vec::new(),
            positions: BTreeMap::new(),
            position_epochs: BTreeMap::new(),
            out_of_range: BTreeSet::new(),
            resetting_from: BTreeMap::new(),
            resolving: BTreeSet::new(),
            fetching_from: BTreeSet::new(),
            fetch_buffer: VecDeque::new(),
            fetch_retry_at: None,
            fetch_failures: 0,
            request_in_flight: false,
            commits: Vec::new(),
            sync_commit: None,
            sync_result: None,
            next_heartbeat_at: None,
            next_commit_at: None,
            poll_timeout_at: None,
            rejoin_at_poll: false,
            join_prepare: None,
            process_time_ms: 0,
            busy_until: 0,
            find_coordinator_at: 0,
            find_coordinator_to: None,
            coordinator_lookups: 0,
            group_request_to: None,
            reset_retry: Vec::new(),
            reset_retry_at: 0,
            rejoin_reason: None,
            consumed: ConsumedRecords::default(),
            total_consumed: 0,
            last_committed: BTreeMap::new(),
            leaving: false,
            close_deadline: None,
            resume_stable: false,
            wake_token: 0,
            error: None,
            kip848: Kip848::default(),
            metadata_watch: None,
        }
    }

    /// KIP-848 only: the partitions it is giving up while the commit before the revocation
    /// runs (still assigned, no longer fetched: `SubscriptionState.markPendingRevocation`).
    pub fn partitions_pending_revocation(&self) -> &[TopicPartition] {
        &self.kip848.pending_revocation
    }

    /// Speaks the KIP-848 protocol (`group.protocol=consumer`) rather than the classic one.
    pub fn uses_consumer_protocol(&self) -> bool {
        self.config.group_protocol == GroupProtocol::Consumer
    }

    pub(crate) fn next_wake(&self) -> Option<Millis> {
        let mut due: Vec<Millis> = Vec::new();
        due.extend(self.next_heartbeat_at);
        // Auto-commit happens in `poll()`, which waits for the processing to end (and for a
        // member's rebalance to complete).
        if self.auto_commits_now() {
            due.extend(self.next_commit_at.map(|t| t.max(self.busy_until)));
        }
        due.extend(self.sync_commit_due());
        if self.busy_until > 0 {
            due.push(self.busy_until);
        }
        // Records left in the buffer go to the next `poll()`, once the processing ends (at
        // once for an application that takes no time per record) and no rejoin waits for its
        // commit.
        if !self.fetch_buffer.is_empty() && !self.leaving && self.join_prepare.is_none() {
            due.push(self.busy_until);
        }
        if !self.request_in_flight && self.looks_for_coordinator() {
            due.push(self.find_coordinator_at);
        }
        due.extend(self.close_deadline);
        due.extend(self.poll_timeout_at);
        if !self.leaving {
            due.extend(self.join_prepare.map(|p| p.next_step()));
            due.extend(self.kip848.revocation_commit.map(|p| p.next_step()));
        }
        if !self.reset_retry.is_empty() {
            due.push(self.reset_retry_at);
        }
        if !self.leaving {
            due.extend(self.metadata_watch.as_ref().map(|w| w.refresh_at));
            due.extend(self.fetch_retry_at);
        }
        due.into_iter().min()
    }

    /// `partition.assignment.strategy` as assignors (unknown names were rejected by the config).
    fn strategies(&self) -> Vec<AssignorName> {
        self.config
            .partition_assignment_strategy
            .iter()
            .filter_map(|s| AssignorName::parse(s).ok())
            .collect()
    }

    fn protocol(&self) -> RebalanceProtocol {
        assignors::rebalance_protocol(&self.strategies()).unwrap_or(RebalanceProtocol::Eager)
    }

    /// `Metadata.requestUpdate`: the next refresh comes after `retry.backoff.ms`, and the
    /// fetcher tries again with it. Only a group's leader watches its metadata for changes.
    fn request_metadata_update(&mut self, now: Millis) {
        let at = now + CONSUMER_RETRY_BACKOFF_MS;
        if let Some(w) = self.metadata_watch.as_mut() {
            w.refresh_at = w.refresh_at.min(at);
        }
        self.retry_fetch_at(at);
    }

    fn retry_fetch_at(&mut self, at: Millis) {
        self.fetch_retry_at = Some(self.fetch_retry_at.map_or(at, |t| t.min(at)));
    }

    /// Sets where fetching `tp` goes on (a seek, a committed offset, a reset), with the epoch
    /// of the record before it when known; records buffered from elsewhere are dropped.
    fn set_position(&mut self, tp: TopicPartition, offset: i64, epoch: Option<i32>) {
        self.out_of_range.remove(&tp);
        self.resetting_from.remove(&tp);
        self.drop_buffered(&tp);
        self.position_epochs
            .insert(tp.clone(), PositionEpochs::new(epoch));
        self.positions.insert(tp, offset);
    }

    /// Moves the position past records handed out, under the same leader.
    fn move_position(&mut self, tp: TopicPartition, offset: i64, epoch: Option<i32>) {
        self.position_epochs.entry(tp.clone()).or_default().offset = epoch;
        self.positions.insert(tp, offset);
    }

    /// Drops `tp`'s buffered records (revoked, seeked or reset): `FetchBuffer.retainAll`, or
    /// the position check that `FetchCollector` drains stale records with.
    fn drop_buffered(&mut self, tp: &TopicPartition) {
        self.fetch_buffer.retain(|f| f.tp != *tp);
    }

    /// `FetchCollector.collectFetch`: takes up to `max.poll.records` records from the buffer,
    /// front first, moving each partition's position past what it hands out (with the epoch
    /// of the last record's batch). Records whose partition is no longer where they continue
    /// from (revoked, seeked) or no longer fetchable (pending revocation) are drained.
    fn collect_fetch(&mut self) -> Vec<(TopicPartition, MemoryRecords)> {
        let mut remaining = self.config.max_poll_records.max(1) as usize;
        let mut out = Vec::new();
        while remaining > 0 {
            let Some(next) = self.fetch_buffer.front_mut() else {
                break;
            };
            // `isFetchable`: a partition pending revocation (KIP-848, while the commit before
            // the revocation runs) hands out nothing, even from a fetch that was in flight.
            let current = self.positions.get(&next.tp) == Some(&next.next_offset)
                && !self.out_of_range.contains(&next.tp)
                && !self.kip848.pending_revocation.contains(&next.tp);
            let n = if current {
                remaining.min(next.records.len())
            } else {
                0
            };
            let taken = next.records.split_to(n);
            if let Some(last) = taken.last() {
                next.next_offset = last.offset() + 1;
                let (tp, offset) = (next.tp.clone(), next.next_offset);
                let epoch = batch_epoch(&next.epochs, last.offset());
                remaining -= taken.len();
                out.push((tp.clone(), taken));
                self.move_position(tp, offset, epoch);
            }
            if self
                .fetch_buffer
                .front()
                .is_none_or(|f| f.records.is_empty() || !current)
            {
                self.fetch_buffer.pop_front();
            }
        }
        out
    }

    /// `AbstractFetch.fetchablePartitions`: those with a position, not stopped at an
    /// out-of-range error, with nothing buffered.
    fn fetchable(&self) -> impl Iterator<Item = (&TopicPartition, i64)> + '_ {
        let mut buffered: Vec<&TopicPartition> = self.fetch_buffer.iter().map(|f| &f.tp).collect();
        buffered.sort_unstable();
        self.positions.iter().filter_map(move |(tp, pos)| {
            let skip = self.out_of_range.contains(tp)
                || buffered.binary_search(&tp).is_ok()
                || self.kip848.pending_revocation.contains(tp);
            (!skip).then_some((tp, *pos))
        })
    }

    /// `FetchPosition.toString()` for `tp`'s position, with `leader` as the current leader.
    fn fetch_position_string(&self, tp: &TopicPartition, leader: &str, epoch: i32) -> String {
        let offset = self.positions.get(tp).copied().unwrap_or(-1);
        let offset_epoch = self
            .offset_epoch(tp)
            .map_or("Optional.empty".to_string(), |e| format!("Optional[{e}]"));
        format!(
            "FetchPosition{{offset={offset}, offsetEpoch={offset_epoch}, currentLeader=LeaderAndEpoch{{leader=Optional[{leader}], epoch={epoch}}}}}"
        )
    }

    /// Stops tracking `tp` (revoked).
    fn forget_partition(&mut self, tp: &TopicPartition) {
        self.drop_buffered(tp);
        self.positions.remove(tp);
        self.position_epochs.remove(tp);
        self.out_of_range.remove(tp);
        self.resolving.remove(tp);
        self.resetting_from.remove(tp);
    }

    /// Gives up the whole assignment and everything tracked for it.
    fn forget_assignment(&mut self) {
        self.fetch_buffer.clear();
        self.assignment.clear();
        self.positions.clear();
        self.position_epochs.clear();
        self.out_of_range.clear();
        self.resolving.clear();
        self.resetting_from.clear();
    }
}

impl Sim {
    pub(crate) fn consumer_wake(&mut self, c: ClientId) {
        let now = self.now;
        let Some(x) = self.consumer_mut(c) else {
            return;
        };
        if x.close_deadline.is_some_and(|t| t <= now) {
            self.finish_leave(c);
            return;
        }
        if x.poll_timeout_at.is_some_and(|t| t <= now) {
            x.poll_timeout_at = None;
            self.leave_on_poll_timeout(c);
            return;
        }
        if x.busy_until > 0 && x.busy_until <= now {
            x.busy_until = 0;
            if x.phase == MemberPhase::Unjoined && x.uses_consumer_protocol() {
                // `maybeRejoinStaleMember`: the stale member joins again with epoch 0.
                x.phase = MemberPhase::Joining;
                self.send_group_heartbeat(c);
                return;
            }
            if x.phase == MemberPhase::Unjoined {
                // The next `poll()`: `onJoinPrepare` gives up every partition as lost (the
                // generation was reset), then the consumer joins as a new member.
                x.rejoin_reason = Some("consumer pro-actively leaving the group".into());
                self.revoke_all(c);
                self.send_join(c);
                return;
            }
            if std::mem::take(&mut x.rejoin_at_poll) {
                let reason = x.rejoin_reason.take().unwrap_or_default();
                self.rejoin(c, reason);
                return;
            }
        }
        if x.join_prepare.is_some_and(|p| p.next_step() <= now) && !x.leaving {
            self.join_prepare_due(c);
            return;
        }
        if (x.kip848.revocation_commit).is_some_and(|p| p.next_step() <= now) && !x.leaving {
            self.commit_before_revocation(c);
            return;
        }
        // A fetch retry that is due is made by the `fetch` below.
        if x.fetch_retry_at.is_some_and(|t| t <= now) {
            x.fetch_retry_at = None;
        }
        let heartbeat_due = x.next_heartbeat_at.is_some_and(|t| t <= now);
        // `maybeAutoCommitOffsetsAsync` runs in `poll()`, not while the application processes
        // the records the last poll returned: committing their positions then would lose them
        // on a crash (at-most-once). A commit due meanwhile goes at the next poll.
        let commit_due = x.next_commit_at.is_some_and(|t| t <= now)
            && x.busy_until <= now
            && x.auto_commits_now();
        let retry = if !x.reset_retry.is_empty() && x.reset_retry_at <= now {
            let resolving = &x.resolving;
            let mut tps = std::mem::take(&mut x.reset_retry);
            tps.retain(|tp| resolving.contains(tp));
            // Without a coordinator the lookups wait (committed offsets come first): try again
            // after another backoff.
            if x.group.is_some() && x.coordinator.is_none() {
                x.reset_retry = std::mem::take(&mut tps);
                x.reset_retry_at = now + CONSUMER_RETRY_BACKOFF_MS;
            }
            tps
        } else {
            Vec::new()
        };
        if x.looks_for_coordinator() && !x.request_in_flight && x.find_coordinator_at <= now {
            self.find_coordinator(c);
        }
        if heartbeat_due {
            if self
                .consumer_mut(c)
                .is_some_and(|x| x.uses_consumer_protocol())
            {
                self.send_group_heartbeat(c);
            } else {
                self.send_heartbeat(c);
            }
        }
        if commit_due {
            if let Some(x) = self.consumer_mut(c) {
                x.next_commit_at = Some(now + x.config.auto_commit_interval_ms);
            }
            self.commit_positions(c, CommitKind::Auto);
        }
        self.drive_sync_commit(c);
        self.resolve_positions(c, retry);
        self.refresh_metadata(c);
        self.fetch(c);
    }

    /// The group's subscribed topics and their partition counts as the metadata has them now.
    fn metadata_snapshot(&self, topics: Vec<String>) -> MetadataSnapshot {
        let partitions = topics
            .iter()
            .filter_map(|t| Some((t.clone(), self.cluster.partition_count(t)? as u32)))
            .collect_map();
        MetadataSnapshot { topics, partitions }
    }

    /// A group leader's metadata refresh, when due; and `rejoinNeededOrPending`: when the
    /// metadata no longer matches what it last assigned from, it rejoins ("cached metadata has
    /// changed"), so a grown topic's new partitions get consumers and a deleted topic's are
    /// given up. The check waits while the member is not Stable (a rebalance or a coordinator
    /// lookup under way), and a closing consumer does neither.
    fn refresh_metadata(&mut self, c: ClientId) {
        let now = self.now;
        let due = self.consumer_mut(c).and_then(|x| {
            let w = x.metadata_watch.as_ref()?;
            (w.refresh_at <= now && !x.leaving).then(|| w.assigned.topics.clone())
        });
        if let Some(topics) = due {
            let seen = self.metadata_snapshot(topics);
            if let Some(x) = self.consumer_mut(c) {
                let refresh_at = next_metadata_refresh(now, &x.config);
                x.metadata_watch = x.metadata_watch.take().map(|w| MetadataWatch {
                    seen,
                    refresh_at,
                    ..w
                });
            }
        }
        let changed = self.consumer_mut(c).is_some_and(|x| {
            x.phase == MemberPhase::Stable
                && !x.leaving
                && x.metadata_watch
                    .as_ref()
                    .is_some_and(|w| w.seen != w.assigned)
        });
        if changed {
            self.rejoin(c, "cached metadata has changed".into());
        }
    }

    fn find_coordinator(&mut self, c: ClientId) {
        let Some(b) = self.least_loaded_broker() else {
            let at = self.now + CONSUMER_RETRY_BACKOFF_MS;
            if let Some(x) = self.consumer_mut(c) {
                x.find_coordinator_at = at;
            }
            return;
        };
        let Some(x) = self.consumer_mut(c) else {
            return;
        };
        let Some(group) = x.group.clone() else { return };
        x.request_in_flight = true;
        x.find_coordinator_to = Some(b);
        self.send(
            NodeId::Client(c),
            NodeId::Broker(b),
            Body::FindCoordinatorRequest { group },
        );
    }

    fn send_join(&mut self, c: ClientId) {
        let Some(x) = self.consumer_mut(c) else {
            return;
        };
        x.join_prepare = None;
        let (Some(group), Some(coord)) = (x.group.clone(), x.coordinator) else {
            return;
        };
        let protocols: Vec<String> = x
            .strategies()
            .iter()
            .map(|s| s.name().to_string())
            .collect();
        let owned = if x.protocol() == RebalanceProtocol::Cooperative {
            x.assignment.clone()
        } else {
            Vec::new()
        };
        x.phase = MemberPhase::Joining;
        x.request_in_flight = true;
        x.group_request_to = Some(coord);
        let body = Body::JoinGroupRequest {
            group,
            client_id: x.client_id.clone(),
            member_id: x.member_id.clone(),
            group_instance_id: x.config.group_instance_id.clone(),
            protocols,
            metadata: JoinMetadata {
                topics: x.topics.clone(),
                owned,
            },
            session_timeout_ms: x.config.session_timeout_ms,
            rebalance_timeout_ms: x.config.max_poll_interval_ms,
            // `JoinGroupRequest.maybeTruncateReason`: at most 255 characters.
            reason: x
                .rejoin_reason
                .as_ref()
                .map(|r| r.chars().take(255).collect()),
        };
        self.send(NodeId::Client(c), NodeId::Broker(coord), body);
    }

    fn send_heartbeat(&mut self, c: ClientId) {
        let now = self.now;
        let Some(x) = self.consumer_mut(c) else {
            return;
        };
        x.next_heartbeat_at = Some(now + x.config.heartbeat_interval_ms);
        let (Some(group), Some(coord)) = (x.group.clone(), x.coordinator) else {
            return;
        };
        // Kafka's heartbeat thread starts with the JoinGroup answer (CompletingRebalance), so a
        // member waiting for its assignment keeps its session while the leader computes it.
        if !matches!(x.phase, MemberPhase::Stable | MemberPhase::Syncing) {
            return;
        }
        let body = Body::HeartbeatRequest {
            group,
            member_id: x.member_id.clone(),
            generation: x.generation,
        };
        self.send(NodeId::Client(c), NodeId::Broker(coord), body);
    }

    /// A turn of the application's poll loop (`KafkaConsumer.poll`): unless it is processing
    /// the last poll's records, it gets up to `max.poll.records` buffered ones, and fetches go
    /// out for the partitions with nothing buffered; also right after records were handed out,
    /// so the next ones arrive while it processes these (`sendFetches` before `poll` returns).
    fn fetch(&mut self, c: ClientId) {
        let now = self.now;
        // Whatever the phase: `poll()` fetches the partitions still owned while a rebalance or
        // a coordinator lookup runs (cooperative members keep theirs during a rebalance; eager
        // ones gave everything up before joining). While the commit before a rejoin is waited
        // for, `poll()` is blocked in `onJoinPrepare`.
        if self
            .consumer_mut(c)
            .is_none_or(|x| x.leaving || x.busy_until > now || x.join_prepare.is_some())
        {
            return;
        }
        self.hand_out(c);
        self.send_fetches(c);
    }

    /// `poll()` returns buffered records to the application: they are consumed (traced), and
    /// it processes them for `process_time_ms` each before it polls again.
    fn hand_out(&mut self, c: ClientId) {
        let now = self.now;
        let Some(x) = self.consumer_mut(c) else {
            return;
        };
        let polled = x.collect_fetch();
        if polled.is_empty() {
            return;
        }
        let mut events = Vec::with_capacity(polled.len());
        let mut count = 0u64;
        for (tp, records) in polled {
            let (Some(first), Some(last)) = (records.first(), records.last()) else {
                continue;
            };
            events.push(TraceEvent::Consumed {
                client: SmolStr::new(&x.name),
                tp: tp.clone(),
                first_offset: first.offset(),
                last_offset: last.offset(),
            });
            count += records.len() as u64;
            x.consumed.push(tp, records);
        }
        x.total_consumed += count;
        if x.process_time_ms > 0 {
            x.busy_until = now + x.process_time_ms * count as Millis;
            // The next `poll()` comes when the processing ends; a group member that will
            // not poll within `max.poll.interval.ms` leaves when that runs out.
            let limit = now.saturating_add(x.config.max_poll_interval_ms);
            let member = matches!(
                x.phase,
                MemberPhase::Joining | MemberPhase::Syncing | MemberPhase::Stable
            );
            x.poll_timeout_at = (member && x.busy_until > limit).then_some(limit);
        }
        for e in events {
            self.record(e);
        }
    }

    /// Sends a fetch to each leader of fetchable partitions that has none outstanding, with
    /// the consumer's `fetch.*` limits.
    fn send_fetches(&mut self, c: ClientId) {
        let now = self.now;
        let Some(x) = self.clients.get(&c).and_then(|cl| match cl {
            super::client::Client::Consumer(x) => Some(x),
            _ => None,
        }) else {
            return;
        };
        let mut by_leader: BTreeMap<BrokerId, Vec<(TopicPartition, i64)>> = BTreeMap::new();
        let mut validate: BTreeMap<BrokerId, Vec<(TopicPartition, i32, i32)>> = BTreeMap::new();
        let mut noted = Vec::new();
        let mut leaderless = false;
        for (tp, pos) in x.fetchable() {
            let Some((l, epoch)) = self
                .cluster
                .partition(tp)
                .and_then(|p| Some((p.leader?, p.leader_epoch)))
            else {
                leaderless = true;
                continue;
            };
            let (check, next) = validation::check(x.position_epochs.get(tp), epoch, now);
            noted.extend(next.map(|n| (tp.clone(), n)));
            match check {
                validation::Check::Fetch if !x.fetching_from.contains(&l) => {
                    by_leader.entry(l).or_default().push((tp.clone(), pos))
                }
                validation::Check::Validate { offset_epoch } => validate
                    .entry(l)
                    .or_default()
                    .push((tp.clone(), epoch, offset_epoch)),
                _ => {}
            }
        }
        let limits = FetchLimits {
            max_wait_ms: x.config.fetch_max_wait_ms,
            min_bytes: x.config.fetch_min_bytes,
            max_bytes: x.config.fetch_max_bytes,
            partition_max_bytes: x.config.max_partition_fetch_bytes,
        };
        let Some(x) = self.consumer_mut(c) else {
            return;
        };
        x.position_epochs.extend(noted);
        // The fetcher asks for a metadata update when a partition has no known leader (it may
        // have been deleted).
        if leaderless {
            x.request_metadata_update(now);
        }
        for l in by_leader.keys() {
            x.fetching_from.insert(*l);
        }
        for (leader, partitions) in by_leader {
            // Outside any fetch session: the playground's consumers list every partition.
            let body = Body::FetchRequest {
                replica_id: -1,
                session: FetchMetadata::LEGACY,
                last_fetched_epochs: Vec::new(),
                partitions,
                forgotten: Vec::new(),
                limits,
            };
            self.send(NodeId::Client(c), NodeId::Broker(leader), body);
        }
        self.send_validations(c, validate);
    }

    /// `retry.backoff.ms` doubling with each attempt up to `retry.backoff.max.ms`, with Kafka's
    /// jitter (`ExponentialBackoff`).
    pub(super) fn consumer_backoff(&mut self, attempts: u32) -> Millis {
        crate::client::retry_backoff(
            CONSUMER_RETRY_BACKOFF_MS,
            CONSUMER_RETRY_BACKOFF_MAX_MS,
            attempts,
            &mut self.rng,
        )
    }

    /// A coordinator lookup failed, or found a coordinator that could not be reached: the next
    /// waits `retry.backoff.ms`, doubling with each such lookup in a row up to
    /// `retry.backoff.max.ms`, not at once.
    fn back_off_coordinator_lookup(&mut self, c: ClientId) {
        let Some(attempts) = self
            .consumer_mut(c)
            .map(|x| x.coordinator_lookups.saturating_sub(1))
        else {
            return;
        };
        let wait = self.consumer_backoff(attempts);
        let at = self.now + wait;
        if let Some(x) = self.consumer_mut(c) {
            x.find_coordinator_at = at;
        }
    }

    pub(crate) fn consumer_receive(&mut self, c: ClientId, env: Envelope) {
        let from = env.from;
        if let Some(x) = self.consumer_mut(c) {
            // The coordinator answered: it is reachable.
            if from == x.coordinator.map_or(NodeId::Client(c), NodeId::Broker) {
                x.coordinator_lookups = 0;
            }
        }
        match env.body {
            Body::FindCoordinatorResponse { result, .. } => {
                let Some(x) = self.consumer_mut(c) else {
                    return;
                };
                x.request_in_flight = false;
                x.find_coordinator_to = None;
                x.coordinator_lookups = x.coordinator_lookups.saturating_add(1);
                if result.is_err() {
                    // COORDINATOR_NOT_AVAILABLE (no leader for the group's offsets partition
                    // yet).
                    self.back_off_coordinator_lookup(c);
                }
                let Some(x) = self.consumer_mut(c) else {
                    return;
                };
                if let Ok(b) = result {
                    x.coordinator = Some(b);
                    let pending: Vec<TopicPartition> = x.resolving.iter().cloned().collect();
                    if x.leaving {
                        // `close()`'s commit, again at the coordinator found.
                        self.commit_positions(c, CommitKind::Close);
                        self.leave_unless_committing(c);
                    } else if x.uses_consumer_protocol() {
                        self.kip848_coordinator_found(c, pending);
                    } else if x.phase == MemberPhase::Standalone {
                        // Committed offsets of the assigned partitions come from it.
                        x.resolving.clear();
                        self.resolve_positions(c, pending);
                    } else if std::mem::take(&mut x.resume_stable) {
                        x.phase = MemberPhase::Stable;
                        x.resolving.clear();
                        self.resolve_positions(c, pending);
                    } else {
                        self.send_join(c);
                    }
                    // A `commitSync()` waiting for the coordinator goes now.
                    self.drive_sync_commit(c);
                }
            }
            // A late answer to a request already given up on is ignored.
            Body::JoinGroupResponse {
                result,
                assigned_member_id,
                ..
            } if self.answers_group_request(c, from, MemberPhase::Joining) => {
                self.on_join(c, result, assigned_member_id)
            }
            Body::SyncGroupResponse { result, .. }
                if self.answers_group_request(c, from, MemberPhase::Syncing) =>
            {
                self.on_sync(c, result)
            }
            Body::HeartbeatResponse { error, .. } => match error {
                Some(ErrorCode::RebalanceInProgress) => {
                    self.rejoin(c, "group is already rebalancing".into())
                }
                Some(code @ (ErrorCode::UnknownMemberId | ErrorCode::IllegalGeneration)) => {
                    self.reset_generation_and_rejoin(c, code, "HEARTBEAT")
                }
                Some(ErrorCode::NotCoordinator) | Some(ErrorCode::CoordinatorNotAvailable) => {
                    if let Some(x) = self.consumer_mut(c) {
                        x.mark_coordinator_unknown();
                    }
                }
                _ => {}
            },
            Body::OffsetCommitResponse { offsets, error, .. } => {
                self.on_offset_commit(c, from, offsets, error)
            }
            Body::OffsetFetchResponse { offsets, .. } => {
                let mut need_reset = Vec::new();
                if let Some(x) = self.consumer_mut(c) {
                    for (tp, o) in offsets {
                        if !x.resolving.contains(&tp) {
                            continue;
                        }
                        match o {
                            // Validated against the leader at its first fetch (KIP-320).
                            Some((o, epoch)) => {
                                x.resolving.remove(&tp);
                                x.set_position(tp.clone(), o, epoch);
                                x.last_committed.insert(tp, o);
                            }
                            None => need_reset.push(tp),
                        }
                    }
                }
                self.reset_positions(c, need_reset);
            }
            Body::ListOffsetsResponse { partitions } => {
                let Some(x) = self.consumer_mut(c) else {
                    return;
                };
                let mut failed = Vec::new();
                let mut events = Vec::new();
                for (tp, r) in partitions {
                    match r {
                        Ok(o) => {
                            if x.resolving.remove(&tp) {
                                // "Resetting offset for partition t-0 to position ...", once
                                // the lookup is done.
                                if let Some(from) = x.resetting_from.get(&tp).copied() {
                                    events.push(TraceEvent::OffsetReset {
                                        client: x.name.clone(),
                                        tp: tp.clone(),
                                        from,
                                        to: o,
                                        policy: x.config.auto_offset_reset.as_str().to_string(),
                                    });
                                }
                                x.set_position(tp, o, None);
                            }
                        }
                        Err(_) => failed.push(tp),
                    }
                }
                for e in events {
                    self.record(e);
                }
                self.retry_reset_later(c, failed);
            }
            Body::FetchResponse { partitions, .. } => {
                if let NodeId::Broker(b) = from {
                    self.on_fetch(c, b, partitions);
                }
            }
            Body::OffsetsForLeaderEpochResponse { partitions } => {
                if let NodeId::Broker(b) = from {
                    self.on_offsets_for_leader_epoch(c, b, partitions);
                }
            }
            Body::LeaveGroupResponse { .. } => {}
            Body::ConsumerGroupHeartbeatResponse {
                error,
                member_id,
                member_epoch,
                heartbeat_interval_ms,
                assignment,
            } => self.on_group_heartbeat(
                c,
                error,
                member_id,
                member_epoch,
                heartbeat_interval_ms,
                assignment,
            ),
            _ => {}
        }
        self.fetch(c);
    }

    fn on_join(
        &mut self,
        c: ClientId,
        result: Result<JoinResult, ErrorCode>,
        assigned_member_id: String,
    ) {
        let now = self.now;
        let Some(x) = self.consumer_mut(c) else {
            return;
        };
        x.request_in_flight = false;
        x.group_request_to = None;
        match result {
            Err(ErrorCode::MemberIdRequired) => {
                x.rejoin_reason = Some(format!(
                    "need to re-join with the given member-id: {assigned_member_id}"
                ));
                x.member_id = assigned_member_id;
                self.send_join(c);
            }
            Err(e @ (ErrorCode::NotCoordinator | ErrorCode::CoordinatorNotAvailable)) => {
                x.rejoin_reason = Some(failed_because(e));
                x.phase = MemberPhase::FindingCoordinator;
                x.coordinator = None;
            }
            Err(ErrorCode::InvalidSessionTimeout) => {
                x.error = Some(format!(
                    "org.apache.kafka.common.errors.InvalidSessionTimeoutException: The session timeout {} is not within the range allowed by the broker (as configured by group.min.session.timeout.ms and group.max.session.timeout.ms).",
                    x.config.session_timeout_ms
                ));
                x.phase = MemberPhase::Standalone;
                x.group = None;
            }
            Err(e) => {
                x.rejoin_reason = Some(failed_because(e));
                self.send_join(c);
            }
            Ok(join) => {
                x.member_id = join.member_id.clone();
                x.generation = join.generation;
                // Only the leader watches for metadata changes.
                x.metadata_watch = None;
                x.phase = MemberPhase::Syncing;
                if x.next_heartbeat_at.is_none() {
                    x.next_heartbeat_at = Some(now + x.config.heartbeat_interval_ms);
                }
                let assignments = if join.leader == join.member_id {
                    self.run_assignor(c, &join)
                } else {
                    Vec::new()
                };
                let Some(x) = self.consumer_mut(c) else {
                    return;
                };
                let (Some(group), Some(coord)) = (x.group.clone(), x.coordinator) else {
                    return;
                };
                x.request_in_flight = true;
                x.group_request_to = Some(coord);
                let body = Body::SyncGroupRequest {
                    group,
                    member_id: x.member_id.clone(),
                    generation: x.generation,
                    assignments,
                };
                self.send(NodeId::Client(c), NodeId::Broker(coord), body);
            }
        }
    }

    /// The group leader computes the assignment with the chosen assignor (client side).
    fn run_assignor(
        &mut self,
        c: ClientId,
        join: &JoinResult,
    ) -> Vec<(String, Vec<TopicPartition>)> {
        let name = AssignorName::parse(&join.protocol).unwrap_or(AssignorName::Range);
        let mut topics: Vec<String> = join
            .members
            .iter()
            .flat_map(|m| m.metadata.topics.iter().cloned())
            .collect();
        crate::ordered::sort(&mut topics);
        topics.dedup();
        // The leader refreshes its metadata for the group's subscription before assigning, and
        // keeps what it assigned from to notice changes later.
        let snapshot = self.metadata_snapshot(topics);
        let partitions = snapshot.partitions.clone();
        let now = self.now;
        if let Some(x) = self.consumer_mut(c) {
            x.metadata_watch = Some(MetadataWatch {
                refresh_at: next_metadata_refresh(now, &x.config),
                seen: snapshot.clone(),
                assigned: snapshot,
            });
        }
        if join.skip_assignment {
            return Vec::new();
        }
        let members: Vec<MemberSubscription> = join
            .members
            .iter()
            .map(|m| MemberSubscription {
                member_id: m.member_id.clone(),
                group_instance_id: m.group_instance_id.clone(),
                topics: m.metadata.topics.clone(),
                owned: m.metadata.owned.clone(),
                generation: Some(join.generation - 1),
            })
            .collect();
        let cooperative = self
            .consumer_mut(c)
            .is_some_and(|x| x.protocol() == RebalanceProtocol::Cooperative);
        let assignment = match (name, cooperative) {
            (AssignorName::CooperativeSticky, true) => {
                assignors::cooperative_sticky(&partitions, &members)
                    .map(|a| a.assignment)
                    .unwrap_or_default()
            }
            _ => assignors::assign(name, &partitions, &members).unwrap_or_default(),
        };
        assignment.into_iter().collect()
    }

    fn on_sync(&mut self, c: ClientId, result: Result<Vec<TopicPartition>, ErrorCode>) {
        let now = self.now;
        let result = result.map(|a| self.cluster.shared(a));
        let Some(x) = self.consumer_mut(c) else {
            return;
        };
        x.request_in_flight = false;
        x.group_request_to = None;
        let new = match result {
            Ok(a) => a,
            Err(e) => {
                x.rejoin_reason = Some(failed_because(e));
                self.send_join(c);
                return;
            }
        };
        let old: BTreeSet<TopicPartition> = x.assignment.iter().cloned().collect_set();
        let next: BTreeSet<TopicPartition> = new.iter().cloned().collect_set();
        let revoked: Vec<TopicPartition> = old.difference(&next).cloned().collect();
        let added: Vec<TopicPartition> = next.difference(&old).cloned().collect();
        x.assignment = new;
        x.phase = MemberPhase::Stable;
        x.next_heartbeat_at = Some(now + x.config.heartbeat_interval_ms);
        if x.config.enable_auto_commit && x.next_commit_at.is_none() {
            x.next_commit_at = Some(now + x.config.auto_commit_interval_ms);
        }
        for tp in &revoked {
            x.forget_partition(tp);
        }
        let cooperative = x.protocol() == RebalanceProtocol::Cooperative;
        // Cooperative: having given something up, rejoin so it can move to its new owner. A
        // successful sync ends any earlier reason to rejoin.
        let rejoin = cooperative && !revoked.is_empty();
        x.rejoin_reason = rejoin.then(|| "need to revoke partitions and re-join".into());
        self.resolve_positions(c, added);
        if rejoin {
            self.send_join(c);
        }
    }

    /// Looks up committed offsets for newly assigned partitions.
    fn resolve_positions(&mut self, c: ClientId, tps: Vec<TopicPartition>) {
        if tps.is_empty() {
            return;
        }
        let Some(x) = self.consumer_mut(c) else {
            return;
        };
        for tp in &tps {
            x.resolving.insert(tp.clone());
        }
        match (x.group.clone(), x.coordinator) {
            (Some(group), Some(coord)) => {
                let body = Body::OffsetFetchRequest {
                    group,
                    partitions: tps,
                };
                self.send(NodeId::Client(c), NodeId::Broker(coord), body);
            }
            _ => self.reset_positions(c, tps),
        }
    }

    /// Applies `auto.offset.reset` (earliest/latest via ListOffsets; none is an error).
    fn reset_positions(&mut self, c: ClientId, tps: Vec<TopicPartition>) {
        if tps.is_empty() {
            return;
        }
        let Some(x) = self.consumer_mut(c) else {
            return;
        };
        let spec = match x.config.auto_offset_reset.as_str() {
            "earliest" => -2,
            "latest" => -1,
            _ => {
                let list = tps
                    .iter()
                    .map(|t| t.to_string())
                    .collect::<Vec<_>>()
                    .join(", ");
                x.error = Some(format!(
                    "org.apache.kafka.clients.consumer.NoOffsetForPartitionException: Undefined offset with no reset policy for partitions: [{list}]"
                ));
                for tp in &tps {
                    x.resolving.remove(tp);
                }
                return;
            }
        };
        x.resolving.extend(tps.iter().cloned());
        let mut by_leader: BTreeMap<BrokerId, Vec<(TopicPartition, i64)>> = BTreeMap::new();
        let mut offline = Vec::new();
        for tp in tps {
            match self.cluster.leader_of(&tp) {
                Some(l) => by_leader.entry(l).or_default().push((tp, spec)),
                None => offline.push(tp),
            }
        }
        self.retry_reset_later(c, offline);
        for (leader, partitions) in by_leader {
            self.send(
                NodeId::Client(c),
                NodeId::Broker(leader),
                Body::ListOffsetsRequest { partitions },
            );
        }
    }

    /// Offset lookups that could not be made (no leader), failed or lost their connection go
    /// again after `retry.backoff.ms`.
    fn retry_reset_later(&mut self, c: ClientId, tps: Vec<TopicPartition>) {
        if tps.is_empty() {
            return;
        }
        let at = self.now + CONSUMER_RETRY_BACKOFF_MS;
        if let Some(x) = self.consumer_mut(c) {
            if x.reset_retry.is_empty() {
                x.reset_retry_at = at;
            }
            for tp in tps {
                if !x.reset_retry.contains(&tp) {
                    x.reset_retry.push(tp);
                }
            }
        }
    }

    /// A fetch answer: records go to the buffer for `poll()` (`AbstractFetch.handleFetchSuccess`);
    /// errors are handled at once.
    fn on_fetch(&mut self, c: ClientId, b: BrokerId, partitions: Vec<FetchPartition>) {
        let now = self.now;
        let mut out_of_range = Vec::new();
        let mut raised = Vec::new();
        {
            let Some(x) = self.consumer_mut(c) else {
                return;
            };
            x.fetching_from.remove(&b);
            x.fetch_failures = 0;
            for p in partitions {
                let Some(pos) = x.positions.get(&p.tp).copied() else {
                    continue;
                };
                match p.result {
                    Ok(mut records) => {
                        records.retain_from(pos);
                        if !records.is_empty() && p.fetch_offset == pos {
                            x.fetch_buffer.push_back(CompletedFetch {
                                tp: p.tp,
                                next_offset: pos,
                                records,
                                epochs: p.epochs,
                            });
                        }
                    }
                    // An answer to an older fetch is stale (`handleInitializeErrors`).
                    Err(ErrorCode::OffsetOutOfRange) if p.fetch_offset != pos => {}
                    Err(ErrorCode::OffsetOutOfRange)
                        if x.config.auto_offset_reset == AutoOffsetReset::None =>
                    {
                        raised.push(p.tp.clone());
                    }
                    Err(ErrorCode::OffsetOutOfRange) => {
                        x.positions.remove(&p.tp);
                        x.drop_buffered(&p.tp);
                        x.resetting_from.insert(p.tp.clone(), pos);
                        out_of_range.push(p.tp.clone());
                    }
                    // NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION and the like: the
                    // fetcher asks for a metadata update.
                    Err(_) => x.request_metadata_update(now),
                }
            }
        }
        self.raise_out_of_range(c, b, raised);
        self.reset_positions(c, out_of_range);
    }

    /// `FetchCollector.handleInitializeErrors` without a reset policy: the application gets
    /// `OffsetOutOfRangeException` for the first such partition; the positions stay where
    /// they are.
    fn raise_out_of_range(&mut self, c: ClientId, leader: BrokerId, tps: Vec<TopicPartition>) {
        let Some(first) = tps.first() else {
            return;
        };
        let rack = self
            .cluster
            .brokers
            .get(&leader)
            .and_then(|b| b.rack.clone());
        let node = super::cluster::node_string(leader, rack.as_deref());
        let epoch = self.cluster.partition(first).map_or(0, |p| p.leader_epoch);
        let Some(x) = self.consumer_mut(c) else {
            return;
        };
        let position = x.fetch_position_string(first, &node, epoch);
        x.error.get_or_insert(format!(
            "org.apache.kafka.clients.consumer.OffsetOutOfRangeException: Fetch position {position} is out of range for partition {first}"
        ));
        x.out_of_range.extend(tps);
    }

    /// Whether a JoinGroup (`phase` Joining) or SyncGroup (Syncing) answer from `from` is the
    /// answer to the request in flight; any other is a late answer to a request the client
    /// already gave up on (its connection broke, or the coordinator was marked unknown).
    fn answers_group_request(&mut self, c: ClientId, from: NodeId, phase: MemberPhase) -> bool {
        self.consumer_mut(c).is_some_and(|x| {
            x.phase == phase
                && x.request_in_flight
                && x.group_request_to.map(NodeId::Broker) == Some(from)
        })
    }

    /// `resetStateOnResponseError`: the coordinator no longer knows this member (or its
    /// generation), so its partitions are lost and it joins again; an illegal generation keeps
    /// the member id, which may still be valid.
    fn reset_generation_and_rejoin(&mut self, c: ClientId, code: ErrorCode, api: &str) {
        if let Some(x) = self.consumer_mut(c) {
            if code == ErrorCode::UnknownMemberId {
                x.member_id.clear();
            }
            x.generation = -1;
            x.rejoin_reason = Some(format!("encountered {} from {api} response", code.name()));
        }
        self.revoke_all(c);
        self.send_join(c);
    }

    /// A rebalance started (`reason`): eager members commit and give up everything, cooperative
    /// ones keep it.
    fn rejoin(&mut self, c: ClientId, reason: String) {
        let now = self.now;
        let Some(x) = self.consumer_mut(c) else {
            return;
        };
        if matches!(
            x.phase,
            MemberPhase::Joining | MemberPhase::Syncing | MemberPhase::Unjoined
        ) {
            return;
        }
        x.rejoin_reason = Some(reason);
        // A rejoin happens in `poll()`: while the application processes records the group
        // waits for it (up to the rebalance timeout, `max.poll.interval.ms`).
        if x.busy_until > now {
            x.rejoin_at_poll = true;
            return;
        }
        // Already preparing: its commit's answer (or timer) makes the join.
        if x.join_prepare.is_some() {
            return;
        }
        self.prepare_join(c);
    }

    fn revoke_all(&mut self, c: ClientId) {
        if let Some(x) = self.consumer_mut(c) {
            x.forget_assignment();
        }
    }

    /// A fetch to `broker` was lost with its connection: the network client asks for a
    /// metadata update (the partitions may have a new leader) and the fetcher tries again
    /// after a backoff that grows while the connection keeps failing (a dead leader not yet
    /// replaced), as `AbstractFetch` skips a node in its reconnect backoff.
    fn fetch_failed(&mut self, c: ClientId, broker: BrokerId) {
        let now = self.now;
        let Some(x) = self.consumer_mut(c) else {
            return;
        };
        if !x.fetching_from.remove(&broker) {
            return;
        }
        let attempts = x.fetch_failures;
        x.fetch_failures = attempts.saturating_add(1);
        x.request_metadata_update(now);
        let wait = self.consumer_backoff(attempts);
        if let Some(x) = self.consumer_mut(c) {
            // The backoff, not the metadata update, says when: it grows with the failures.
            x.fetch_retry_at = Some(now + wait);
        }
    }

    /// The connection to `broker` broke (it went down): fetches there are forgotten; if it was
    /// the coordinator, the member looks for the new one; lookups in flight are redone.
    pub(crate) fn consumer_disconnected(&mut self, c: ClientId, broker: BrokerId) {
        self.fetch_failed(c, broker);
        let now = self.now;
        let Some(x) = self.consumer_mut(c) else {
            return;
        };
        if x.validations_failed(broker, now) {
            x.retry_fetch_at(now + CONSUMER_RETRY_BACKOFF_MS);
        }
        if x.leaving && x.commits_to(broker) {
            // `close()`'s commit is tried again at the coordinator found next.
            self.commits_disconnected(c, broker);
            return;
        }
        if x.group_request_to == Some(broker) {
            // Its JoinGroup or SyncGroup failed with the connection: the next one says so.
            x.rejoin_reason = Some("rebalance failed due to DisconnectException".into());
        }
        if x.find_coordinator_to == Some(broker) && x.phase == MemberPhase::FindingCoordinator {
            x.find_coordinator_to = None;
            x.request_in_flight = false;
            x.coordinator_lookups = x.coordinator_lookups.saturating_add(1);
            self.back_off_coordinator_lookup(c);
        }
        let Some(x) = self.consumer_mut(c) else {
            return;
        };
        if x.group_request_to == Some(broker) && x.coordinator != Some(broker) {
            // A JoinGroup or SyncGroup to a former coordinator failed with its connection:
            // find the coordinator again and rejoin.
            x.mark_coordinator_unknown();
        }
        if x.coordinator == Some(broker) && x.uses_consumer_protocol() {
            x.kip848.heartbeat_in_flight = false;
        }
        // Commits lost with the connection failed (retriable); a KIP-848 member revokes anyway.
        self.commits_disconnected(c, broker);
        let Some(x) = self.consumer_mut(c) else {
            return;
        };
        let pending: Vec<TopicPartition> = std::mem::take(&mut x.resolving).into_iter().collect();
        if x.coordinator == Some(broker) {
            x.resume_stable = x.phase == MemberPhase::Stable;
            x.request_in_flight = false;
            x.mark_coordinator_unknown();
            // Redo the lookups once the coordinator is known again.
            x.resolving.extend(pending);
            // Found, but unreachable: `markCoordinatorUnknown("coordinator unavailable")` and
            // back off. One that had answered is looked up again at once.
            if x.coordinator_lookups > 0 {
                self.back_off_coordinator_lookup(c);
            }
            return;
        }
        // Redo the lookups after `retry.backoff.ms`, once for all the connections that broke:
        // at once, every refused lookup would start one per leader again, and they multiply.
        x.resolving.extend(pending.iter().cloned());
        self.retry_reset_later(c, pending);
    }

    /// `consumer.close()`: commit if auto-commit is on, then leave the group (dynamic members).
    pub(crate) fn close_consumer(&mut self, c: ClientId) {
        let now = self.now;
        let Some(x) = self.consumer_mut(c) else {
            return;
        };
        x.leaving = true;
        x.close_deadline = Some(now + DEFAULT_CLOSE_TIMEOUT_MS);
        x.next_heartbeat_at = None;
        x.next_commit_at = None;
        let auto = x.config.enable_auto_commit;
        if auto {
            self.commit_positions(c, CommitKind::Close);
        }
        self.leave_unless_committing(c);
    }

    /// A closing consumer leaves once no commit is in flight.
    fn leave_unless_committing(&mut self, c: ClientId) {
        if self
            .consumer_mut(c)
            .is_some_and(|x| !x.close_commit_in_flight())
        {
            self.finish_leave(c);
        }
    }

    /// `commitOffsetsSync` in `close()`: a commit that failed with its coordinator (the
    /// connection broke, or it is no longer the coordinator) is retriable; after
    /// `retry.backoff.ms` the consumer finds the coordinator and commits again, until the close
    /// timeout.
    fn retry_close_commit(&mut self, c: ClientId) {
        let now = self.now;
        if let Some(x) = self.consumer_mut(c) {
            x.find_coordinator_at = now + CONSUMER_RETRY_BACKOFF_MS;
        }
    }

    fn finish_leave(&mut self, c: ClientId) {
        if self
            .consumer_mut(c)
            .is_some_and(|x| x.uses_consumer_protocol())
        {
            self.leave_consumer_group(c);
        } else {
            self.send_leave_group(c, "the consumer is being closed");
        }
        self.remove_client(c);
    }

    /// A classic member's LeaveGroup with the client's `reason`, sent if it knows its
    /// coordinator and member id. Static members send none: their session timeout removes
    /// them (KIP-345).
    fn send_leave_group(&mut self, c: ClientId, reason: &str) {
        let Some(x) = self.consumer_mut(c) else {
            return;
        };
        if let (Some(group), Some(coord), false, None) = (
            x.group.clone(),
            x.coordinator,
            x.member_id.is_empty(),
            &x.config.group_instance_id,
        ) {
            let body = Body::LeaveGroupRequest {
                group,
                member_id: x.member_id.clone(),
                reason: reason.into(),
            };
            self.send(NodeId::Client(c), NodeId::Broker(coord), body);
        }
    }
}

impl Sim {
    /// `AbstractCoordinator.maybeLeaveGroup` from the heartbeat thread when the application has
    /// not called `poll()` within `max.poll.interval.ms`: a dynamic member sends LeaveGroup, and
    /// every member forgets its member id and generation (a static one is removed by its
    /// session timeout). Heartbeats stop; the next `poll()` rejoins.
    fn leave_on_poll_timeout(&mut self, c: ClientId) {
        if self
            .consumer_mut(c)
            .is_some_and(|x| x.uses_consumer_protocol())
        {
            self.leave_stale(c);
            return;
        }
        self.send_leave_group(c, "consumer poll timeout has expired.");
        let Some(x) = self.consumer_mut(c) else {
            return;
        };
        x.member_id.clear();
        x.generation = -1;
        x.phase = MemberPhase::Unjoined;
        x.rejoin_at_poll = false;
        x.next_heartbeat_at = None;
        x.next_commit_at = None;
        x.request_in_flight = false;
    }
}

impl Sim {
    /// `assign()`: a standalone consumer reads the given partitions, from `start_offsets` where
    /// given, else from its committed offset (with a group id) or by `auto.offset.reset`.
    pub(crate) fn assign_partitions(
        &mut self,
        c: ClientId,
        assign: Vec<TopicPartition>,
        start_offsets: BTreeMap<TopicPartition, i64>,
    ) {
        let mut assign = assign;
        if assign.is_empty() {
            // No explicit partitions: every partition of the subscribed topics.
            let topics = self
                .consumer_mut(c)
                .map(|x| x.topics.clone())
                .unwrap_or_default();
            for t in topics {
                for p in 0..self.cluster.partition_count(&t).unwrap_or(0) {
                    assign.push(self.cluster.tp(&t, p));
                }
            }
        }
        let now = self.now;
        let Some(x) = self.consumer_mut(c) else {
            return;
        };
        x.phase = MemberPhase::Standalone;
        x.assignment = assign.clone();
        // With a group id it auto-commits like a member (`ConsumerCoordinator.poll`).
        if x.group.is_some() && x.config.enable_auto_commit && x.next_commit_at.is_none() {
            x.next_commit_at = Some(now + x.config.auto_commit_interval_ms);
        }
        let mut unresolved = Vec::new();
        for tp in assign {
            match start_offsets.get(&tp) {
                Some(o) => {
                    x.set_position(tp, *o, None);
                }
                None => unresolved.push(tp),
            }
        }
        let has_group = x.group.is_some();
        if has_group {
            // Committed offsets live at the coordinator; find it first.
            x.resolving.extend(unresolved.iter().cloned());
            let group = x.group.clone().unwrap_or_default();
            if let Some(coord) = self.coordinator_of_or_create(&group) {
                if let Some(x) = self.consumer_mut(c) {
                    x.coordinator = Some(coord);
                }
                let body = Body::OffsetFetchRequest {
                    group,
                    partitions: unresolved,
                };
                self.send(NodeId::Client(c), NodeId::Broker(coord), body);
            }
        } else {
            self.reset_positions(c, unresolved);
        }
        // Partitions with a given start offset can be fetched at once.
        self.fetch(c);
    }

    fn coordinator_of_or_create(&mut self, group: &str) -> Option<BrokerId> {
        self.ensure_offsets_topic();
        self.coordinator_of(group)
    }
}

// ---- kip848: the consumer rebalance protocol, client side (`ConsumerMembershipManager`) ----

impl Sim {
    /// The coordinator is known (again): a member already in the group resumes heartbeating
    /// with its epoch; otherwise it joins with epoch 0.
    fn kip848_coordinator_found(&mut self, c: ClientId, pending: Vec<TopicPartition>) {
        let now = self.now;
        let Some(x) = self.consumer_mut(c) else {
            return;
        };
        x.resume_stable = false;
        if x.generation > 0 {
            x.phase = MemberPhase::Stable;
            x.resolving.clear();
            x.next_heartbeat_at = Some(now);
            self.resolve_positions(c, pending);
        } else {
            x.phase = MemberPhase::Joining;
            x.generation = 0;
            self.send_group_heartbeat(c);
        }
    }

    /// Sends a `ConsumerGroupHeartbeat` with the member's epoch and the partitions it owns
    /// (which is how it acknowledges revocations): its assignment as last reconciled
    /// (`currentAssignment`), so partitions being revoked are listed until the revocation
    /// completes. Kafka sends the list only when it changed (null otherwise, which the
    /// coordinator reads the same way); this sends it every time. One at a time: a heartbeat
    /// due while one is in flight goes out when the answer arrives.
    fn send_group_heartbeat(&mut self, c: ClientId) {
        let now = self.now;
        let Some(x) = self.consumer_mut(c) else {
            return;
        };
        if x.leaving {
            return;
        }
        let (Some(group), Some(coord)) = (x.group.clone(), x.coordinator) else {
            // `AbstractHeartbeatRequestManager.poll` skips the heartbeat while the coordinator
            // is unknown; finding it sends the next (`kip848_coordinator_found`). A timer left
            // due would wake the member again at once, for ever.
            x.next_heartbeat_at = None;
            return;
        };
        if x.kip848.heartbeat_in_flight {
            // The answer sends it (`heartbeat_again`) and sets the timer; a due timer would
            // wake the member again at once meanwhile.
            x.kip848.heartbeat_again = true;
            if x.next_heartbeat_at.is_some_and(|t| t <= now) {
                x.next_heartbeat_at = None;
            }
            return;
        }
        let needs_id = x.member_id.is_empty();
        if needs_id {
            // KIP-1082: a 4.x consumer makes its own member id (a random `Uuid`).
            let mut bytes = [0u8; 16];
            for chunk in bytes.chunks_mut(4) {
                chunk.copy_from_slice(&self.rng.next_u32().to_be_bytes());
            }
            let id = super::group::consumer_group::kafka_uuid(bytes);
            if let Some(x) = self.consumer_mut(c) {
                x.member_id = id;
            }
        }
        let Some(x) = self.consumer_mut(c) else {
            return;
        };
        x.kip848.heartbeat_in_flight = true;
        x.kip848.heartbeat_again = false;
        let interval = if x.kip848.interval_ms > 0 {
            x.kip848.interval_ms
        } else {
            x.config.heartbeat_interval_ms
        };
        x.next_heartbeat_at = Some(now + interval);
        let joining = x.phase == MemberPhase::Joining;
        let body = Body::ConsumerGroupHeartbeatRequest {
            group,
            member_id: x.member_id.clone(),
            member_epoch: if joining { 0 } else { x.generation },
            instance_id: x.config.group_instance_id.clone(),
            rack: Some(x.config.client_rack.clone()).filter(|r| !r.is_empty()),
            rebalance_timeout_ms: x.config.max_poll_interval_ms,
            subscribed_topics: x.topics.clone(),
            server_assignor: x.config.group_remote_assignor.clone(),
            owned_partitions: Some(if joining {
                Vec::new()
            } else {
                x.assignment.clone()
            }),
        };
        self.send(NodeId::Client(c), NodeId::Broker(coord), body);
    }

    fn on_group_heartbeat(
        &mut self,
        c: ClientId,
        error: Option<ErrorCode>,
        member_id: String,
        member_epoch: i32,
        interval_ms: Millis,
        assignment: Option<Vec<TopicPartition>>,
    ) {
        let now = self.now;
        let Some(x) = self.consumer_mut(c) else {
            return;
        };
        x.kip848.heartbeat_in_flight = false;
        if x.phase == MemberPhase::Unjoined {
            // The answer to a stale member's leave heartbeat: nothing to do.
            return;
        }
        match error {
            None => {
                x.member_id = member_id;
                x.generation = member_epoch;
                x.kip848.interval_ms = interval_ms;
                x.next_heartbeat_at = Some(now + interval_ms.max(1));
                if x.phase == MemberPhase::Joining {
                    x.phase = MemberPhase::Stable;
                    if x.config.enable_auto_commit && x.next_commit_at.is_none() {
                        x.next_commit_at = Some(now + x.config.auto_commit_interval_ms);
                    }
                }
                if let Some(target) = assignment {
                    self.reconcile_assignment(c, target);
                }
            }
            Some(ErrorCode::FencedMemberEpoch) | Some(ErrorCode::UnknownMemberId) => {
                // Fenced: the partitions are lost (no commit, they may have moved already);
                // rejoin with epoch 0 under the same member id.
                x.kip848.reconciling = None;
                x.kip848.next_target = None;
                x.kip848.pending_revocation.clear();
                x.kip848.revocation_commit = None;
                x.generation = 0;
                x.phase = MemberPhase::Joining;
                self.revoke_all(c);
                self.send_group_heartbeat(c);
                return;
            }
            Some(ErrorCode::NotCoordinator) | Some(ErrorCode::CoordinatorNotAvailable) => {
                x.phase = MemberPhase::FindingCoordinator;
                x.coordinator = None;
                return;
            }
            Some(e) => {
                // GROUP_ID_NOT_FOUND, UNRELEASED_INSTANCE_ID, UNSUPPORTED_ASSIGNOR, ...: fatal.
                x.error = Some(format!("{}: {}", e.exception(), fatal_message(e)));
                x.phase = MemberPhase::Standalone;
                x.group = None;
                x.next_heartbeat_at = None;
                self.revoke_all(c);
                return;
            }
        }
        let again = self
            .consumer_mut(c)
            .is_some_and(|x| std::mem::take(&mut x.kip848.heartbeat_again));
        if again {
            self.send_group_heartbeat(c);
        }
    }

    /// Moves to the coordinator's assignment: revoke first (committing before, with
    /// auto-commit), then take the new partitions, then ack with a heartbeat at once.
    fn reconcile_assignment(&mut self, c: ClientId, target: Vec<TopicPartition>) {
        let now = self.now;
        let target = self.cluster.shared(target);
        let Some(x) = self.consumer_mut(c) else {
            return;
        };
        if x.kip848.reconciling.is_some() {
            x.kip848.next_target = Some(target);
            return;
        }
        let owned: BTreeSet<TopicPartition> = x.assignment.iter().cloned().collect_set();
        let next: BTreeSet<TopicPartition> = target.iter().cloned().collect_set();
        if owned == next {
            return;
        }
        let revoked: Vec<TopicPartition> = owned.difference(&next).cloned().collect();
        x.kip848.reconciling = Some(target);
        if !revoked.is_empty() && x.config.enable_auto_commit {
            // `maybeAutoCommitSyncBeforeRevocation`: the positions (revoked ones included) are
            // committed first; the revoked partitions stop being fetched meanwhile
            // (`markPendingRevocation`). They stay in the assignment, and so in the owned
            // partitions each heartbeat reports (Kafka's `currentAssignment`, which changes
            // only once the reconciliation completes): the coordinator keeps them with this
            // member (UNREVOKED_PARTITIONS) until the acknowledgement after the commit.
            for tp in &revoked {
                x.drop_buffered(tp);
            }
            x.kip848.pending_revocation = revoked;
            let deadline = now.saturating_add(x.config.max_poll_interval_ms);
            x.kip848.revocation_commit = Some(commit::RevocationCommit::until(deadline));
            self.commit_before_revocation(c);
            return;
        }
        self.finish_reconciliation(c);
    }

    fn finish_reconciliation(&mut self, c: ClientId) {
        let Some(x) = self.consumer_mut(c) else {
            return;
        };
        x.kip848.revocation_commit = None;
        for tp in std::mem::take(&mut x.kip848.pending_revocation) {
            x.forget_partition(&tp);
        }
        let Some(target) = x.kip848.reconciling.take() else {
            return;
        };
        let old: BTreeSet<TopicPartition> = x.assignment.iter().cloned().collect_set();
        let next: BTreeSet<TopicPartition> = target.iter().cloned().collect_set();
        for tp in old.difference(&next) {
            x.forget_partition(tp);
        }
        let added: Vec<TopicPartition> = next.difference(&old).cloned().collect();
        x.assignment = next.into_iter().collect();
        let newer = x.kip848.next_target.take();
        self.resolve_positions(c, added);
        // Acknowledge at once: the coordinator only hands revoked partitions on after this.
        self.send_group_heartbeat(c);
        if let Some(t) = newer {
            self.reconcile_assignment(c, t);
        }
    }

    /// The poll timer expired (`AbstractHeartbeatRequestManager.poll`): the member sends its
    /// leave heartbeat and goes STALE, its partitions lost at once; it keeps its member id and
    /// joins again with epoch 0 at its next `poll()` (`maybeRejoinStaleMember`).
    fn leave_stale(&mut self, c: ClientId) {
        self.leave_consumer_group(c);
        let Some(x) = self.consumer_mut(c) else {
            return;
        };
        x.kip848 = Kip848::default();
        x.generation = 0;
        x.phase = MemberPhase::Unjoined;
        x.next_heartbeat_at = None;
        x.next_commit_at = None;
        self.revoke_all(c);
    }

    /// `close()` under KIP-848: a dynamic member leaves with epoch -1; a static one with -2,
    /// keeping its partitions reserved until it returns or its session expires.
    fn leave_consumer_group(&mut self, c: ClientId) {
        let Some(x) = self.consumer_mut(c) else {
            return;
        };
        let (Some(group), Some(coord)) = (x.group.clone(), x.coordinator) else {
            return;
        };
        if x.member_id.is_empty() || x.phase == MemberPhase::Joining {
            return;
        }
        let epoch = if x.config.group_instance_id.is_some() {
            super::group::consumer_group::LEAVE_GROUP_STATIC_MEMBER_EPOCH
        } else {
            super::group::consumer_group::LEAVE_GROUP_MEMBER_EPOCH
        };
        let body = Body::ConsumerGroupHeartbeatRequest {
            group,
            member_id: x.member_id.clone(),
            member_epoch: epoch,
            instance_id: x.config.group_instance_id.clone(),
            rack: None,
            rebalance_timeout_ms: x.config.max_poll_interval_ms,
            subscribed_topics: x.topics.clone(),
            server_assignor: x.config.group_remote_assignor.clone(),
            owned_partitions: None,
        };
        self.send(NodeId::Client(c), NodeId::Broker(coord), body);
    }
}

/// "rebalance failed due to ...": the reason a member gives after a failed join or sync.
fn failed_because(e: ErrorCode) -> String {
    let class = e.exception().rsplit('.').next().unwrap_or_default();
    format!("rebalance failed due to {class}")
}

/// The leader epoch of the batch holding `offset`, from the epoch entries a fetch answer
/// covers (`RecordBatch.partitionLeaderEpoch`).
fn batch_epoch(epochs: &[(i32, i64)], offset: i64) -> Option<i32> {
    epochs
        .iter()
        .rev()
        .find(|(_, start)| *start <= offset)
        .map(|(e, _)| *e)
}

/// When the consumer's metadata next refreshes, given one now.
fn next_metadata_refresh(now: Millis, config: &ConsumerConfig) -> Millis {
    metadata_refresh_after(now, config.metadata_max_age_ms, CONSUMER_RETRY_BACKOFF_MS)
}

/// The message a consumer shows for a fatal KIP-848 heartbeat error.
fn fatal_message(e: ErrorCode) -> &'static str {
    match e {
        ErrorCode::GroupIdNotFound => {
            "The group is not a consumer group (it uses the classic protocol), or does not exist."
        }
        ErrorCode::UnreleasedInstanceId => {
            "The static member's instance id is still in use by another member of the group."
        }
        ErrorCode::UnsupportedAssignor => {
            "group.remote.assignor names an assignor the broker does not offer (group.consumer.assignors)."
        }
        _ => e.default_message(),
    }
}
