//! Brokers: the replicas they host, and how they answer Produce and Fetch (leaders append and
//! serve; followers fetch from leaders; the high watermark follows the ISR).

use super::cluster::{PartitionMeta, MAX_BROKERS};
use super::error::ErrorCode;
use super::fetch_session::{
    in_sync_follower, FetchPosition, FetchSessionHandler, FetchSessions, PerBroker, Quiet,
};
use super::ids::{BrokerId, TopicPartition};
use super::log::{Log, LogConfig, LogError, MemoryRecords, ProducerInfo};
use super::network::{Envelope, NodeId};
use super::producer_ids::{ProducerIdManager, ProducerIdsBlock};
use super::protocol::{
    Body, FetchLimits, FetchMetadata, FetchPartition, ProduceBatch, ProduceResult,
};
use super::replication::{
    effective_min_isr, follower_high_watermark, leader_high_watermark, FollowerProgress,
    LeaderEpochCache,
};
use super::sim::{Event, Sim, Timer};
use super::time::Millis;
use super::trace::TraceEvent;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// What a leader knows of one follower.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FollowerState {
    pub log_end_offset: i64,
    pub last_caught_up_ms: Millis,
    pub last_fetch_ms: Millis,
    /// The leader's LEO when this follower last fetched (`Replica.scala`).
    pub leader_leo_at_last_fetch: i64,
}

/// A follower's `last_caught_up_ms` when it was never caught up: longer ago than any
/// `replica.lag.time.max.ms`, and `now` minus it cannot overflow.
pub(crate) const CAUGHT_UP_NEVER: Millis = Millis::MIN / 2;

impl FollowerState {
    /// This follower's state when its leader (re-)takes office with log end `leader_leo`
    /// (`Replica.resetReplicaState`): a follower outside the ISR counts as caught up never,
    /// so it cannot hold the new leader's high watermark back; a broker newly leading knows
    /// nothing of where the follower's log ends until it fetches. Kafka's "never" is time 0
    /// of the wall clock; the simulation's clock starts at 0, so it is [`CAUGHT_UP_NEVER`].
    pub(crate) fn reset(
        self,
        now: Millis,
        leader_leo: i64,
        same_leader: bool,
        in_sync: bool,
    ) -> Self {
        let since = if in_sync { now } else { CAUGHT_UP_NEVER };
        if same_leader {
            FollowerState {
                leader_leo_at_last_fetch: leader_leo,
                last_fetch_ms: if in_sync { now } else { 0 },
                last_caught_up_ms: since,
                ..self
            }
        } else {
            FollowerState {
                log_end_offset: -1,
                last_caught_up_ms: since,
                last_fetch_ms: 0,
                leader_leo_at_last_fetch: -1,
            }
        }
    }
}

/// The last batches of one idempotent producer on one partition (Kafka keeps 5).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProducerEntry {
    pub epoch: i16,
    /// (first sequence, last sequence, base offset) of recent batches.
    pub batches: VecDeque<(i32, i32, i64)>,
}

impl ProducerEntry {
    /// A batch of this producer was written at `base` (`ProducerStateEntry.addBatch`).
    fn written(&mut self, epoch: i16, first_seq: i32, last_seq: i32, base: i64) {
        if self.epoch != epoch {
            // A new epoch's sequences start again: the old epoch's batches are no guide.
            self.batches.clear();
        }
        self.epoch = epoch;
        self.batches.push_back((first_seq, last_seq, base));
        if self.batches.len() > PRODUCER_BATCHES_KEPT {
            self.batches.pop_front();
        }
    }

    /// The base offset of a batch already written with these sequences, if any: a retry of it
    /// is answered with the first write's offset (`ProducerStateEntry.findDuplicateBatch`).
    fn duplicate_of(&self, first_seq: i32, last_seq: i32) -> Option<i64> {
        self.batches
            .iter()
            .find(|(f, l, _)| *f == first_seq && *l == last_seq)
            .map(|(_, _, base)| *base)
    }
}

const PRODUCER_BATCHES_KEPT: usize = 5;

/// One replica of a partition on one broker.
#[derive(Clone, Debug)]
pub struct Replica {
    pub log: Log,
    pub high_watermark: i64,
    /// The high watermark in the broker's `replication-offset-checkpoint` file, written every
    /// `replica.high.watermark.checkpoint.interval.ms` and at a clean shutdown: where a broker
    /// started after a crash begins (Kafka reads 0 for a partition the file does not list).
    pub checkpointed_high_watermark: i64,
    /// Epoch → first offset written in it (KIP-101).
    pub epochs: LeaderEpochCache,
    pub followers: BTreeMap<BrokerId, FollowerState>,
    pub producers: BTreeMap<i64, ProducerEntry>,
}

impl Replica {
    fn new(log: Log) -> Self {
        Replica {
            log,
            high_watermark: 0,
            checkpointed_high_watermark: 0,
            epochs: LeaderEpochCache::default(),
            followers: BTreeMap::new(),
            producers: BTreeMap::new(),
        }
    }
}

/// A fetch held by the broker until data arrives or its wait time ends (long polling).
#[derive(Clone, Debug)]
pub struct ParkedFetch {
    pub from: NodeId,
    pub replica_id: BrokerId,
    /// A follower's: every partition of its session the leader must read (the quiet ones
    /// left out). A consumer's: every partition it asked for.
    pub partitions: Vec<(TopicPartition, i64)>,
    pub last_fetched_epochs: Vec<i32>,
    pub limits: FetchLimits,
    /// The follower's fetch session here, named in the answer (0 for a consumer).
    pub session_id: i32,
}

/// An acks=all produce waiting for the high watermark to pass its batches.
#[derive(Clone, Debug)]
pub struct PendingProduce {
    /// When the request's timeout runs out (`DelayedProduce`).
    pub deadline: Millis,
    pub from: NodeId,
    pub results: Vec<ProduceResult>,
    /// (index into results, offset the high watermark must reach)
    pub waiting: Vec<(usize, i64)>,
}

#[derive(Clone, Debug)]
pub struct Broker {
    pub id: BrokerId,
    pub rack: Option<String>,
    pub alive: bool,
    /// Fenced by the controller (missed heartbeats) or not yet registered after a restart.
    pub fenced: bool,
    /// A controlled shutdown is under way.
    pub shutting_down: bool,
    /// When a controlled shutdown under way stops waiting for the controller's approval.
    pub(crate) shutdown_deadline: Millis,
    /// Restarted, but the controller refuses its registration while the previous
    /// incarnation's session is valid: the process waits and retries, serving nothing.
    pub registering: bool,
    pub replicas: BTreeMap<TopicPartition, Replica>,
    parked: BTreeMap<u64, ParkedFetch>,
    next_parked: u64,
    pending: Vec<PendingProduce>,
    /// The purgatory's one timer: when the earliest waiting produce times out, and the token
    /// that tells its event from earlier ones.
    produce_sweep: Option<(Millis, u64)>,
    produce_sweep_token: u64,
    /// Leaders this broker's replica fetcher has a fetch outstanding to.
    fetching_from: BTreeSet<BrokerId>,
    /// As a follower: its fetch session with each leader (KIP-227).
    fetch_handlers: PerBroker<FetchSessionHandler>,
    /// As a leader: each follower's fetch session, which also skips the partitions it has
    /// caught up on.
    sessions: FetchSessions,
    /// The id the last session opened here got.
    last_session_id: i32,
    /// Where the producer ids it hands out come from.
    pub(crate) producer_ids: ProducerIdManager,
    /// Which start of the process its periodic tasks (the log manager's retention checks,
    /// the replica manager's high watermark checkpoints) belong to.
    started: u64,
}

impl Broker {
    pub fn new(id: BrokerId, rack: Option<String>) -> Self {
        Broker {
            id,
            rack,
            alive: true,
            fenced: false,
            shutting_down: false,
            shutdown_deadline: 0,
            registering: false,
            replicas: BTreeMap::new(),
            parked: BTreeMap::new(),
            next_parked: 0,
            pending: Vec::new(),
            produce_sweep: None,
            produce_sweep_token: 0,
            fetching_from: BTreeSet::new(),
            fetch_handlers: PerBroker::default(),
            sessions: FetchSessions::default(),
            last_session_id: 0,
            producer_ids: ProducerIdManager::default(),
            started: 0,
        }
    }

    pub fn add_replica(&mut self, tp: TopicPartition, log: Log) {
        self.replicas.entry(tp).or_insert_with(|| Replica::new(log));
    }

    /// The process stops: everything in memory that is not the log goes (parked requests,
    /// fetcher state); the logs themselves survive a restart, as files do.
    pub(crate) fn go_down(&mut self) {
        self.alive = false;
        self.shutting_down = false;
        self.registering = false;
        self.parked.clear();
        self.pending.clear();
        self.produce_sweep = None;
        self.fetching_from.clear();
        self.fetch_handlers.clear();
        self.sessions.clear();
        self.producer_ids = ProducerIdManager::default();
        for r in self.replicas.values_mut() {
            r.followers.clear();
        }
    }

    /// `ReplicaManager.checkpointHighWatermarks`: every replica's high watermark is written to
    /// the broker's `replication-offset-checkpoint` file.
    pub(crate) fn checkpoint_high_watermarks(&mut self) {
        for r in self.replicas.values_mut() {
            r.checkpointed_high_watermark = r.high_watermark;
        }
    }

    /// The process starts again: each replica's high watermark is the checkpointed one, kept
    /// within its log (`Partition.createLog` passes it to `UnifiedLog.updateHighWatermark`,
    /// which clamps it to [log start, log end]). Returns the replicas whose high watermark
    /// moved, with the new value: after a crash, those that advanced since the last checkpoint.
    pub(crate) fn load_high_watermarks(&mut self) -> Vec<(TopicPartition, i64)> {
        let mut moved = Vec::new();
        for (tp, r) in &mut self.replicas {
            let hw = follower_high_watermark(
                r.checkpointed_high_watermark,
                r.log.log_start_offset(),
                r.log.log_end_offset(),
            );
            if hw != r.high_watermark {
                r.high_watermark = hw;
                moved.push((tp.clone(), hw));
            }
        }
        moved
    }

    /// This broker's replica fetcher lost its connection to `leader`, or gave up waiting for
    /// an answer: its next fetch there is a full one.
    pub(crate) fn forget_fetch_to(&mut self, leader: BrokerId) {
        self.fetching_from.remove(&leader);
        if let Some(handler) = self.fetch_handlers.get_mut(leader) {
            handler.handle_error();
        }
    }

    /// As a leader: follower `f` went away; its next incarnation starts a new session.
    pub(crate) fn end_session(&mut self, f: BrokerId) {
        if let Some(session) = self.sessions.remove(f) {
            let at = session.last_fetch_ms;
            for q in session.end() {
                self.unquiet(f, q, at);
            }
        }
    }

    /// Something changed `tp` on this leader: followers quiet on it read it again.
    fn wake_quiet(&mut self, tp: &TopicPartition) {
        let woken: Vec<(BrokerId, Quiet, Millis)> = self
            .sessions
            .iter_mut()
            .filter_map(|(f, s)| s.wake(tp).map(|q| (f, q, s.last_fetch_ms)))
            .collect();
        for (f, q, at) in woken {
            self.unquiet(f, q, at);
        }
    }

    /// `q` is no longer quiet for follower `f`: its fetch time, kept by the session (`at`),
    /// goes back into the follower's state (every fetch found it caught up, so it was caught up
    /// then too), and a fetch of `f`'s waiting here lists it again, as it would had it been
    /// read all along.
    fn unquiet(&mut self, f: BrokerId, q: Quiet, at: Millis) {
        if let Some(state) = self
            .replicas
            .get_mut(&q.tp)
            .and_then(|r| r.followers.get_mut(&f))
        {
            state.last_fetch_ms = at;
            state.last_caught_up_ms = at;
        }
        for parked in self.parked.values_mut().filter(|p| p.replica_id == f) {
            if let Err(i) = parked.partitions.binary_search_by(|(t, _)| t.cmp(&q.tp)) {
                parked.partitions.insert(i, (q.tp.clone(), q.offset));
                parked.last_fetched_epochs.insert(i, q.last_fetched_epoch);
            }
        }
    }
}

impl Sim {
    pub(crate) fn broker_receive(&mut self, b: BrokerId, env: Envelope) {
        let from = env.from;
        match env.body {
            Body::ProduceRequest {
                acks,
                timeout_ms,
                batches,
            } => self.handle_produce(b, from, acks, timeout_ms, batches),
            Body::FetchRequest {
                replica_id,
                session,
                partitions,
                last_fetched_epochs,
                forgotten,
                limits,
            } => {
                let mut fetch = ParkedFetch {
                    from,
                    replica_id,
                    partitions,
                    last_fetched_epochs,
                    limits,
                    session_id: 0,
                };
                if replica_id >= 0 {
                    if let Err(error) = self.fetch_session(b, &mut fetch, session, &forgotten) {
                        let body = Body::FetchResponse {
                            error: Some(error),
                            session_id: 0,
                            partitions: Vec::new(),
                        };
                        self.send(NodeId::Broker(b), from, body);
                        return;
                    }
                }
                self.handle_fetch(b, fetch)
            }
            Body::BrokerHeartbeatResponse {
                fenced,
                shutdown_ok,
            } => self.broker_heartbeat_answered(b, fenced, shutdown_ok),
            Body::FetchResponse {
                error,
                session_id,
                partitions,
            } => {
                if let NodeId::Broker(leader) = from {
                    // An answer to a fetch given up on says nothing of the current session.
                    if let Some(x) = self
                        .cluster
                        .brokers
                        .get_mut(&b)
                        .filter(|x| x.fetching_from.contains(&leader))
                    {
                        x.fetch_handlers
                            .get_or_default(leader)
                            .handle_response(error, session_id);
                    }
                    self.follower_receive(b, leader, partitions);
                }
            }
            Body::ListOffsetsRequest { partitions } => {
                self.handle_list_offsets(b, from, partitions)
            }
            Body::OffsetsForLeaderEpochRequest { partitions } => {
                self.handle_offsets_for_leader_epoch(b, from, partitions)
            }
            Body::InitProducerIdRequest => self.handle_init_producer_id(b, from),
            Body::AllocateProducerIdsResponse { first, size } => {
                self.producer_ids_allocated(b, ProducerIdsBlock { first, size })
            }
            other => self.coordinator_receive(b, from, other),
        }
    }

    fn handle_produce(
        &mut self,
        b: BrokerId,
        from: NodeId,
        acks: i16,
        timeout_ms: Millis,
        batches: Vec<(u64, ProduceBatch)>,
    ) {
        let mut results = Vec::with_capacity(batches.len());
        let mut waiting = Vec::new();
        let mut touched = Vec::new();
        for (batch_id, batch) in batches {
            let tp = batch.tp.clone();
            let result = self
                .append_as_leader(b, &batch, acks)
                .map_err(|(code, why)| match code {
                    // `ReplicaManager.appendToLocalLog`: only record validation errors carry
                    // their own text to the client; the others, Kafka's text for the code
                    // (the broker's detail goes to its log).
                    ErrorCode::InvalidRecord | ErrorCode::InvalidTimestamp => (code, why),
                    _ => (code, code.default_message().to_string()),
                });
            if let Ok(base) = result {
                touched.push(tp.clone());
                if acks == -1 {
                    let end = base + batch.records.len() as i64;
                    let hw = self.replica(b, &tp).map_or(0, |r| r.high_watermark);
                    if hw < end {
                        waiting.push((results.len(), end));
                    }
                }
            }
            results.push(ProduceResult {
                tp,
                result,
                batch_id,
            });
        }
        for tp in touched {
            self.wake_parked_fetches(b, &tp);
        }
        if acks == 0 {
            return;
        }
        if waiting.is_empty() {
            self.send(NodeId::Broker(b), from, Body::ProduceResponse { results });
        } else if let Some(broker) = self.cluster.brokers.get_mut(&b) {
            broker.pending.push(PendingProduce {
                deadline: self.now.saturating_add(timeout_ms.max(0)),
                from,
                results,
                waiting,
            });
            self.schedule_produce_sweep(b);
        }
    }

    /// Keeps the purgatory's timer at the earliest deadline of the produces waiting on `b`:
    /// one timer per broker, not one per request (most complete long before their timeout).
    fn schedule_produce_sweep(&mut self, b: BrokerId) {
        let Some(broker) = self.cluster.brokers.get_mut(&b) else {
            return;
        };
        let Some(next) = broker.pending.iter().map(|p| p.deadline).min() else {
            broker.produce_sweep = None;
            return;
        };
        if broker.produce_sweep.is_some_and(|(at, _)| at <= next) {
            return;
        }
        broker.produce_sweep_token += 1;
        let token = broker.produce_sweep_token;
        broker.produce_sweep = Some((next, token));
        let delay = next - self.now;
        self.schedule_in(
            delay.max(0),
            Event::Timer(Timer::ProduceWait { broker: b, token }),
        );
    }

    /// `DelayedProduce.onExpiration`: the partitions still waiting for their replicas when the
    /// request's timeout runs out are answered REQUEST_TIMED_OUT (the records stay in the
    /// leader's log; an idempotent retry finds them there).
    pub(crate) fn expire_pending_produces(&mut self, b: BrokerId, token: u64) {
        let now = self.now;
        let Some(broker) = self.cluster.brokers.get_mut(&b) else {
            return;
        };
        if broker.produce_sweep.is_none_or(|(_, t)| t != token) {
            return;
        }
        broker.produce_sweep = None;
        self.fail_pending_where(b, |deadline, _| deadline <= now, ErrorCode::RequestTimedOut);
        self.schedule_produce_sweep(b);
    }

    /// The leader's side of an append: checks leadership, min.insync.replicas and sequence numbers.
    fn append_as_leader(
        &mut self,
        b: BrokerId,
        batch: &ProduceBatch,
        acks: i16,
    ) -> Result<i64, (ErrorCode, String)> {
        let tp = &batch.tp;
        // `ReplicaManager.appendToLocalLog`: clients may not write to internal topics.
        if self
            .cluster
            .topics
            .get(&*tp.topic)
            .is_some_and(|t| t.internal)
        {
            return Err((
                ErrorCode::InvalidTopicException,
                format!("Cannot append to internal topic {}", tp.topic),
            ));
        }
        let Some(meta) = self.cluster.partition(tp) else {
            return Err((
                ErrorCode::UnknownTopicOrPartition,
                "This server does not host this topic-partition.".into(),
            ));
        };
        if meta.leader != Some(b) {
            return Err((
                ErrorCode::NotLeaderOrFollower,
                "For requests intended only for the leader, this error indicates that the broker is not the current leader.".into(),
            ));
        }
        let epoch = meta.leader_epoch;
        let min_isr = effective_min_isr(
            self.topic_config(&tp.topic).min_insync_replicas,
            meta.replicas.len(),
        );
        if acks == -1 && meta.isr.len() < min_isr {
            let set = meta
                .isr
                .iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(", ");
            return Err((
                ErrorCode::NotEnoughReplicas,
                format!(
                    "The size of the current ISR Set({set}) is insufficient to satisfy the min.isr requirement of {min_isr} for partition {tp}"
                ),
            ));
        }
        let log_config = self.log_config(&tp.topic).clone();
        // `LogValidator.validateKey`: a compacted log keeps the latest value per key, so a
        // record without one is refused (INVALID_RECORD, with the record's own error).
        if log_config.cleanup_policy.compact && batch.records.iter().any(|r| r.key.is_none()) {
            return Err((
                ErrorCode::InvalidRecord,
                format!(
                    "Compacted topic cannot accept message without key in topic partition {tp}"
                ),
            ));
        }
        let ts_now = self.timestamp();
        let Some(replica) = self.replica_mut(b, tp) else {
            return Err((ErrorCode::NotLeaderOrFollower, "no local replica".into()));
        };
        let last_seq = batch
            .base_sequence
            .wrapping_add(batch.records.len() as i32 - 1);
        if batch.producer_id >= 0 {
            if let Some(entry) = replica.producers.get(&batch.producer_id) {
                // `ProducerAppendInfo.checkProducerEpoch` and `checkSequence`: a newer epoch
                // (the producer bumped it after a gap) starts again at sequence 0.
                let (pid, offset) = (batch.producer_id, replica.log.log_end_offset());
                let (producer_epoch, seq) = (batch.producer_epoch, batch.base_sequence);
                if producer_epoch < entry.epoch {
                    return Err((
                        ErrorCode::InvalidProducerEpoch,
                        format!("Epoch of producer {pid} at offset {offset} in {tp} is {producer_epoch}, which is smaller than the last seen epoch {}", entry.epoch),
                    ));
                }
                if producer_epoch > entry.epoch {
                    if seq != 0 {
                        // Kafka's text, without the space before "at".
                        return Err((
                            ErrorCode::OutOfOrderSequenceNumber,
                            format!("Invalid sequence number for new epoch of producer {pid}at offset {offset} in partition {tp}: {producer_epoch} (request epoch), {seq} (seq. number), {} (current producer epoch)", entry.epoch),
                        ));
                    }
                } else if let Some(base) = entry.duplicate_of(seq, last_seq) {
                    return Ok(base); // a retried duplicate: not written again
                }
                let expected = entry
                    .batches
                    .back()
                    .map_or(0, |(_, l, _)| l.wrapping_add(1));
                if entry.epoch == producer_epoch && seq != expected {
                    return Err((
                        ErrorCode::OutOfOrderSequenceNumber,
                        format!(
                            "Out of order sequence number for producer {pid} at offset {offset} in partition {tp}: {seq} (incoming seq. number), {} (current end sequence number)",
                            expected.wrapping_sub(1)
                        ),
                    ));
                }
            }
        }
        let producer = (batch.producer_id >= 0).then_some(ProducerInfo {
            producer_id: batch.producer_id,
            producer_epoch: batch.producer_epoch,
            base_sequence: batch.base_sequence,
        });
        let leo = replica.log.log_end_offset();
        let info = replica
            .log
            .append_with_producer(&batch.records, producer, ts_now, &log_config)
            .map_err(|e| (log_error_code(&e), e.message().to_string()))?;
        replica.epochs.assign(epoch, leo);
        if batch.producer_id >= 0 {
            let entry = replica.producers.entry(batch.producer_id).or_default();
            entry.written(
                batch.producer_epoch,
                batch.base_sequence,
                last_seq,
                info.first_offset,
            );
        }
        self.wake_quiet(b, tp);
        if let Some(base) = info.rolled_segment_base {
            self.record(TraceEvent::SegmentRolled {
                tp: tp.clone(),
                broker: b,
                base_offset: base,
            });
        }
        self.record(TraceEvent::Appended {
            tp: tp.clone(),
            broker: b,
            first_offset: info.first_offset,
            last_offset: info.last_offset,
        });
        self.maybe_advance_high_watermark(b, tp);
        Ok(info.first_offset)
    }

    pub(crate) fn replica(&self, b: BrokerId, tp: &TopicPartition) -> Option<&Replica> {
        self.cluster.brokers.get(&b)?.replicas.get(tp)
    }

    pub(crate) fn replica_mut(&mut self, b: BrokerId, tp: &TopicPartition) -> Option<&mut Replica> {
        self.cluster.brokers.get_mut(&b)?.replicas.get_mut(tp)
    }

    /// Leader side: the high watermark per `replication::leader_high_watermark`.
    pub(crate) fn maybe_advance_high_watermark(&mut self, b: BrokerId, tp: &TopicPartition) {
        let Some(meta) = self.cluster.partition(tp) else {
            return;
        };
        if meta.leader != Some(b) {
            return;
        }
        let min_isr = effective_min_isr(
            self.topic_config(&tp.topic).min_insync_replicas,
            meta.replicas.len(),
        );
        let lag_max = self.cluster.broker_config.replica_lag_time_max_ms;
        let now = self.now;
        let Some(replica) = self.replica(b, tp) else {
            return;
        };
        // Called on every append and follower fetch: the followers' progress goes into a buffer
        // on the stack (a replica set is at most one replica per broker).
        let mut buf = [FollowerProgress::default(); MAX_BROKERS as usize];
        let mut spill = Vec::new();
        let mut n = 0;
        for r in meta.replicas.iter().filter(|r| **r != b) {
            let state = replica.followers.get(r);
            let progress = FollowerProgress {
                log_end_offset: state.map_or(0, |s| s.log_end_offset),
                in_isr: meta.isr.contains(r),
                eligible_to_join: self.cluster.is_eligible_for_isr(*r)
                    && now - state.map_or(0, |s| s.last_caught_up_ms) <= lag_max
                    && state.is_some(),
            };
            match buf.get_mut(n) {
                Some(slot) => *slot = progress,
                None => spill.push(progress),
            }
            n += 1;
        }
        let followers = if spill.is_empty() {
            &buf[..n]
        } else {
            spill.splice(0..0, buf.iter().copied());
            &spill[..]
        };
        let leo = replica.log.log_end_offset();
        let previous = replica.high_watermark;
        let hw = leader_high_watermark(previous, leo, followers, meta.isr.len(), min_isr);
        if hw > previous {
            let Some(replica) = self.replica_mut(b, tp) else {
                return;
            };
            replica.high_watermark = hw;
            self.wake_quiet(b, tp);
            self.record(TraceEvent::HighWatermark {
                tp: tp.clone(),
                broker: b,
                hw,
            });
            self.complete_pending_produces(b, tp, hw);
            self.wake_parked_fetches(b, tp);
        }
    }

    /// A deleted topic's acks=all produces waiting for their high watermark fail, as Kafka's
    /// purgatory answers them once the partition is gone (UNKNOWN_TOPIC_OR_PARTITION): a new
    /// topic of the same name reaching their offsets must not complete them.
    pub(crate) fn fail_pending_produces(&mut self, topic: &str) {
        let ids: Vec<BrokerId> = self.cluster.brokers.keys().copied().collect();
        for b in ids {
            self.fail_pending_where(
                b,
                |_, tp| &*tp.topic == topic,
                ErrorCode::UnknownTopicOrPartition,
            );
        }
    }

    /// `b` no longer leads `tp`: its produces waiting there fail at once with
    /// NOT_LEADER_OR_FOLLOWER (`Partition.checkEnoughReplicasReachOffset`), as
    /// `ReplicaManager.completeDelayedOperationsWhenNotPartitionLeader` completes them; its log
    /// may lose those records, so they must not be acknowledged later.
    pub(crate) fn fail_pending_produces_on(&mut self, b: BrokerId, tp: &TopicPartition) {
        self.fail_pending_where(b, |_, x| x == tp, ErrorCode::NotLeaderOrFollower);
    }

    /// Fails, with `code`, the waiting partitions of `b`'s pending produces that `which` picks
    /// (given the produce's deadline and the partition), and answers the produces left waiting
    /// for nothing.
    fn fail_pending_where(
        &mut self,
        b: BrokerId,
        which: impl Fn(Millis, &TopicPartition) -> bool,
        code: ErrorCode,
    ) {
        let Some(broker) = self.cluster.brokers.get_mut(&b) else {
            return;
        };
        for p in &mut broker.pending {
            let PendingProduce {
                deadline,
                results,
                waiting,
                ..
            } = p;
            waiting.retain(|(i, _)| {
                let Some(r) = results.get_mut(*i).filter(|r| which(*deadline, &r.tp)) else {
                    return true;
                };
                r.result = Err((code, code.default_message().into()));
                false
            });
        }
        self.answer_produces_done(b);
    }

    fn complete_pending_produces(&mut self, b: BrokerId, tp: &TopicPartition, hw: i64) {
        let Some(broker) = self.cluster.brokers.get_mut(&b) else {
            return;
        };
        // Only `tp`'s waits are looked at, as Kafka's purgatory checks the operations watching
        // the partition whose high watermark moved: every other wait was checked when its own
        // partition's high watermark last moved (a broker leading 1,200 partitions has
        // thousands of waits, and a high watermark moves on most follower fetches).
        let mut any_done = false;
        for p in &mut broker.pending {
            let PendingProduce {
                results, waiting, ..
            } = p;
            let before = waiting.len();
            waiting.retain(|(i, end)| *end > hw || results.get(*i).is_none_or(|r| r.tp != *tp));
            any_done |= waiting.is_empty() && before > 0;
        }
        if any_done {
            self.answer_produces_done(b);
        }
    }

    /// Answers, in the order they came, the produces waiting on `b` that wait for nothing more.
    fn answer_produces_done(&mut self, b: BrokerId) {
        let Some(broker) = self.cluster.brokers.get_mut(&b) else {
            return;
        };
        let (done, still): (Vec<_>, Vec<_>) = std::mem::take(&mut broker.pending)
            .into_iter()
            .partition(|p| p.waiting.is_empty());
        broker.pending = still;
        for p in done {
            self.send(
                NodeId::Broker(b),
                p.from,
                Body::ProduceResponse { results: p.results },
            );
        }
    }

    /// `ReplicaManager.fetchMessages`: answers at once when the fetch may not wait, when
    /// `DelayedFetch.tryComplete` would complete it, or when a read now brings `min_bytes`;
    /// otherwise parks it until one of its partitions changes enough or `max_wait_ms` ends.
    fn handle_fetch(&mut self, b: BrokerId, fetch: ParkedFetch) {
        let follower = fetch.replica_id >= 0;
        // `ReplicaManager.fetchMessages` reads before the follower's offsets count
        // (`Partition.fetchRecords` reads, then `updateFollowerFetchState`): an answer sent at
        // once carries the high watermark from before this fetch moved it; a parked one reads
        // again when it completes.
        let at_once = self.answer_at_once(b, &fetch);
        if follower {
            self.note_follower_fetch(b, &fetch);
        }
        if let Some(partitions) = at_once {
            self.send_fetch_answer(b, &fetch, partitions);
            return;
        }
        let max_wait_ms = fetch.limits.max_wait_ms;
        let Some(broker) = self.cluster.brokers.get_mut(&b) else {
            return;
        };
        broker.next_parked += 1;
        let id = broker.next_parked;
        broker.parked.insert(id, fetch);
        self.schedule_in(
            max_wait_ms,
            Event::Timer(Timer::FetchWait {
                broker: b,
                fetch: id,
            }),
        );
    }

    /// The answer `fetchMessages` sends at once, if any: when the fetch may not wait, when
    /// `DelayedFetch.tryComplete` would complete it, or when a read now brings `min_bytes` (by
    /// `DelayedFetch`'s count it may have less: the read's first batch comes whole, KIP-74).
    fn answer_at_once(&self, b: BrokerId, fetch: &ParkedFetch) -> Option<Vec<FetchPartition>> {
        let readiness = if fetch.limits.max_wait_ms <= 0 {
            Readiness::Complete
        } else {
            self.fetch_readiness(b, fetch)
        };
        match readiness {
            Readiness::Complete => Some(self.read_for_fetch(b, fetch).0),
            Readiness::Some => {
                let (partitions, bytes) = self.read_for_fetch(b, fetch);
                (bytes >= i64::from(fetch.limits.min_bytes)).then_some(partitions)
            }
            Readiness::Nothing => None,
        }
    }

    /// Leader side: a follower's fetch tells where its logs end, and when it last fetched.
    fn note_follower_fetch(&mut self, b: BrokerId, fetch: &ParkedFetch) {
        for i in self.reliable_positions(b, fetch) {
            if let Some((tp, offset)) = fetch.partitions.get(i) {
                self.note_follower_position(b, fetch.replica_id, tp, *offset);
            }
        }
        let now = self.now;
        if let Some(broker) = self.cluster.brokers.get_mut(&b) {
            broker
                .sessions
                .get_or_default(fetch.replica_id)
                .last_fetch_ms = now;
        }
    }

    /// The partitions of a follower's fetch whose offset tells where the follower's log ends:
    /// those `b` leads where the follower's log has not diverged. `Partition.fetchRecords`
    /// updates a follower's fetch state only then ("the fetch offset is not reliable if the
    /// log has diverged"): a diverged follower must not join the ISR nor count toward the
    /// high watermark with records the leader never had.
    fn reliable_positions(&self, b: BrokerId, fetch: &ParkedFetch) -> Vec<usize> {
        let mut out = Vec::with_capacity(fetch.partitions.len());
        let mut i = 0;
        self.for_each_fetched(b, fetch, |_, _, state| {
            if matches!(state, Fetched::Readable(..)) {
                out.push(i);
            }
            i += 1;
            true
        });
        out
    }

    /// Follower `fetch.replica_id`'s fetch session on `b` (see [`crate::fetch_session`]):
    /// a full request opens a new one, an incremental one updates its own. `fetch` is left
    /// with the session's partitions to read: all but the quiet ones (quiet ones it reads again
    /// get their fetch time back first).
    fn fetch_session(
        &mut self,
        b: BrokerId,
        fetch: &mut ParkedFetch,
        session: FetchMetadata,
        forgotten: &[TopicPartition],
    ) -> Result<(), ErrorCode> {
        let f = fetch.replica_id;
        let Some(broker) = self.cluster.brokers.get_mut(&b) else {
            return Ok(());
        };
        if session.is_full() {
            broker.end_session(f);
            broker.last_session_id = broker.last_session_id.wrapping_add(1).max(1);
        }
        let list = (
            std::mem::take(&mut fetch.partitions),
            std::mem::take(&mut fetch.last_fetched_epochs),
        );
        let new_id = broker.last_session_id;
        broker
            .sessions
            .receive(f, session, list, forgotten, new_id)?;
        let Some(mut held) = broker.sessions.get_mut(f).map(std::mem::take) else {
            return Ok(());
        };
        let mut metas = self.cluster.partitions_in_order();
        let ((read, epochs), woken) = held.to_read(|q| {
            metas
                .partition(&q.tp)
                .is_some_and(|m| m.leader_epoch == q.leader_epoch && in_sync_follower(m, b, f))
        });
        fetch.partitions = read;
        fetch.last_fetched_epochs = epochs;
        fetch.session_id = held.id;
        if let Some(broker) = self.cluster.brokers.get_mut(&b) {
            let at = held.last_fetch_ms;
            if let Some(slot) = broker.sessions.get_mut(f) {
                *slot = held;
            }
            for q in woken {
                broker.unquiet(f, q, at);
            }
        }
        Ok(())
    }

    /// The partitions an answer to follower fetch found caught up (nothing to read, the high
    /// watermark at the fetch offset, the follower in the ISR) go quiet in its session.
    fn quiet_caught_up(&mut self, b: BrokerId, fetch: &ParkedFetch, answered: &[FetchPartition]) {
        let f = fetch.replica_id;
        let mut metas = self.cluster.partitions_in_order();
        let mut caught_up = Vec::new();
        for (i, (p, (tp, offset))) in answered.iter().zip(&fetch.partitions).enumerate() {
            // Nothing beyond the offset at all: an empty answer may also be a spent `max_bytes`.
            let nothing_new = p.diverging_epoch.is_none()
                && p.high_watermark == *offset
                && p.result.as_ref().is_ok_and(|r| r.is_empty())
                && self
                    .replica(b, tp)
                    .is_some_and(|r| r.log.log_end_offset() == *offset);
            if !nothing_new {
                continue;
            }
            let Some(meta) = metas.partition(tp).filter(|m| in_sync_follower(m, b, f)) else {
                continue;
            };
            caught_up.push(Quiet {
                tp: tp.clone(),
                offset: *offset,
                last_fetched_epoch: fetch.last_fetched_epochs.get(i).copied().unwrap_or(-1),
                leader_epoch: meta.leader_epoch,
            });
        }
        let session = self
            .cluster
            .brokers
            .get_mut(&b)
            .and_then(|x| x.sessions.get_mut(f));
        if let Some(session) = session {
            for q in caught_up {
                session.quiet_down(q);
            }
        }
    }

    /// Changed on leader `b`: `tp` is read again by the followers quiet on it.
    pub(crate) fn wake_quiet(&mut self, b: BrokerId, tp: &TopicPartition) {
        if let Some(broker) = self.cluster.brokers.get_mut(&b) {
            broker.wake_quiet(tp);
        }
    }

    /// Reads what a fetch may see: followers up to the LEO, consumers up to the high watermark.
    /// A follower whose last fetched epoch ends earlier on the leader is told where to truncate.
    /// `ReplicaManager.readFromLog`: each partition reads up to `partition_max_bytes` of what
    /// is left of `max_bytes`, and the first partition with data gets its first batch whole
    /// (KIP-74). Returns the answer and the bytes it read.
    fn read_for_fetch(&self, b: BrokerId, fetch: &ParkedFetch) -> (Vec<FetchPartition>, i64) {
        let mut left = i64::from(fetch.limits.max_bytes).max(0);
        let mut total = 0i64;
        let partition_max = i64::from(fetch.limits.partition_max_bytes);
        let mut out = Vec::with_capacity(fetch.partitions.len());
        self.for_each_fetched(b, fetch, |tp, offset, state| {
            let empty = |result| FetchPartition {
                tp: tp.clone(),
                fetch_offset: offset,
                result,
                high_watermark: -1,
                log_start_offset: -1,
                diverging_epoch: None,
                epochs: Vec::new(),
            };
            let (replica, upper) = match state {
                Fetched::Error(code) => {
                    out.push(empty(Err(code)));
                    return true;
                }
                Fetched::Diverged(replica, diverging) => {
                    out.push(FetchPartition {
                        diverging_epoch: Some(diverging),
                        high_watermark: replica.high_watermark,
                        log_start_offset: replica.log.log_start_offset(),
                        ..empty(Ok(MemoryRecords::default()))
                    });
                    return true;
                }
                Fetched::Readable(replica, upper) => (replica, upper),
            };
            let max = partition_max.min(left);
            let result = match replica.log.read(offset, max, total == 0, upper) {
                Ok(read) => {
                    left = (left - read.bytes).max(0);
                    total += read.bytes;
                    Ok(read.records)
                }
                Err(e) => Err(log_error_code(&e)),
            };
            // Followers keep the entries; consumers learn their records' batch epochs.
            let epochs = {
                let end = result
                    .as_ref()
                    .ok()
                    .and_then(|r| r.last())
                    .map_or(offset, |r| r.offset() + 1);
                replica
                    .epochs
                    .entries()
                    .iter()
                    .enumerate()
                    .filter(|(k, (_, start))| {
                        let next = replica
                            .epochs
                            .entries()
                            .get(k + 1)
                            .map_or(i64::MAX, |n| n.1);
                        *start < end && next > offset
                    })
                    .map(|(_, e)| *e)
                    .collect()
            };
            out.push(FetchPartition {
                tp: tp.clone(),
                fetch_offset: offset,
                result,
                high_watermark: replica.high_watermark,
                log_start_offset: replica.log.log_start_offset(),
                diverging_epoch: None,
                epochs,
            });
            true
        });
        (out, total)
    }

    /// `DelayedFetch.tryComplete` on `fetch`: complete on an error, a divergence or a read of an
    /// older segment, or once its partitions' readable bytes (each counted up to
    /// `partition_max_bytes`) reach `min_bytes`. Counts only up to `min_bytes`, so a parked
    /// fetch is read when it completes rather than every time one of its partitions changes.
    fn fetch_readiness(&self, b: BrokerId, fetch: &ParkedFetch) -> Readiness {
        let min_bytes = i64::from(fetch.limits.min_bytes);
        let mut bytes = 0i64;
        let mut complete = false;
        self.for_each_fetched(b, fetch, |_, offset, state| {
            match readable_bytes(fetch, offset, &state, min_bytes - bytes) {
                None => complete = true,
                Some(n) => bytes += n,
            }
            complete |= bytes >= min_bytes;
            !complete
        });
        match (complete || bytes >= min_bytes, bytes > 0) {
            (true, _) => Readiness::Complete,
            (false, true) => Readiness::Some,
            (false, false) => Readiness::Nothing,
        }
    }

    fn fetch_ready(&self, b: BrokerId, fetch: &ParkedFetch) -> bool {
        self.fetch_readiness(b, fetch) == Readiness::Complete
    }

    /// [`Sim::fetch_ready`] for a parked fetch woken by a change to its `i`th partition. The
    /// answer is the same; that partition is looked at first because it is usually the one
    /// that completes the fetch (a follower's fetch also lists ~17 idle `__consumer_offsets`
    /// partitions that sort before it).
    fn fetch_ready_after_change(&self, b: BrokerId, fetch: &ParkedFetch, i: usize) -> bool {
        let Some((tp, offset)) = fetch.partitions.get(i) else {
            return self.fetch_ready(b, fetch);
        };
        let broker = self.cluster.brokers.get(&b);
        let alive = broker.is_some_and(|x| x.alive);
        let replica = broker.and_then(|x| x.replicas.get(tp));
        let state = resolve_fetched(
            b,
            alive,
            fetch,
            i,
            *offset,
            self.cluster.partition(tp),
            replica,
        );
        let min_bytes = i64::from(fetch.limits.min_bytes);
        readable_bytes(fetch, *offset, &state, min_bytes).is_none_or(|n| n >= min_bytes)
            || self.fetch_ready(b, fetch)
    }

    /// Resolves each partition of `fetch` on broker `b` (leadership, divergence, the bound a
    /// reader may see) and hands it to `visit` in request order while `visit` returns true.
    fn for_each_fetched<'a>(
        &'a self,
        b: BrokerId,
        fetch: &'a ParkedFetch,
        mut visit: impl FnMut(&'a TopicPartition, i64, Fetched<'a>) -> bool,
    ) {
        let broker = self.cluster.brokers.get(&b);
        let alive = broker.is_some_and(|x| x.alive);
        // Starts at the first partition asked for: a broker's map also holds partitions the fetch
        // skips (the 50 of `__consumer_offsets` sort before most topics).
        let mut cursor = broker
            .zip(fetch.partitions.first())
            .map(|(x, (first, _))| x.replicas.range::<TopicPartition, _>(first..).peekable());
        let mut metas = self.cluster.partitions_in_order();
        for (i, (tp, offset)) in fetch.partitions.iter().enumerate() {
            let meta = metas.partition(tp);
            let replica = match cursor.as_mut().and_then(|c| seek_sorted(c, tp)) {
                Some(r) => Some(r),
                None => broker.and_then(|x| x.replicas.get(tp)),
            };
            if !visit(
                tp,
                *offset,
                resolve_fetched(b, alive, fetch, i, *offset, meta, replica),
            ) {
                return;
            }
        }
    }

    /// Answers parked fetches on `b` that include `tp` and now have something to return.
    pub(crate) fn wake_parked_fetches(&mut self, b: BrokerId, tp: &TopicPartition) {
        let Some(broker) = self.cluster.brokers.get(&b) else {
            return;
        };
        // Checked in place (answering one fetch changes nothing another would read); only
        // the ones that complete leave the map.
        let ready: Vec<u64> = broker
            .parked
            .iter()
            .filter(|(_, f)| {
                f.partitions
                    .iter()
                    .position(|(t, _)| t == tp)
                    .is_some_and(|i| self.fetch_ready_after_change(b, f, i))
            })
            .map(|(id, _)| *id)
            .collect();
        for id in ready {
            let Some(fetch) = self
                .cluster
                .brokers
                .get_mut(&b)
                .and_then(|br| br.parked.remove(&id))
            else {
                continue;
            };
            self.answer_fetch(b, &fetch);
        }
    }

    pub(crate) fn expire_parked_fetch(&mut self, b: BrokerId, id: u64) {
        let Some(fetch) = self
            .cluster
            .brokers
            .get_mut(&b)
            .and_then(|br| br.parked.remove(&id))
        else {
            return;
        };
        if !self.cluster.is_alive(b) {
            return;
        }
        self.answer_fetch(b, &fetch);
    }

    /// Reads what a parked `fetch` may see on `b` now and sends it to the fetcher: on a wake,
    /// or when `fetch.max.wait.ms` runs out (`DelayedFetch.onComplete` reads again).
    fn answer_fetch(&mut self, b: BrokerId, fetch: &ParkedFetch) {
        let (partitions, _) = self.read_for_fetch(b, fetch);
        self.send_fetch_answer(b, fetch, partitions);
    }

    /// Sends what was read for `fetch`; a follower's caught-up partitions go quiet first.
    fn send_fetch_answer(
        &mut self,
        b: BrokerId,
        fetch: &ParkedFetch,
        partitions: Vec<FetchPartition>,
    ) {
        if fetch.replica_id >= 0 {
            self.quiet_caught_up(b, fetch, &partitions);
        }
        let body = Body::FetchResponse {
            error: None,
            session_id: fetch.session_id,
            partitions,
        };
        self.send(NodeId::Broker(b), fetch.from, body);
    }

    fn handle_list_offsets(
        &mut self,
        b: BrokerId,
        from: NodeId,
        partitions: Vec<(TopicPartition, i64)>,
    ) {
        let answers = partitions
            .into_iter()
            .map(|(tp, spec)| {
                let r = match (self.cluster.leader_of(&tp), self.replica(b, &tp)) {
                    (Some(l), Some(replica)) if l == b => Ok(match spec {
                        -2 => replica.log.log_start_offset(),
                        _ => replica.high_watermark,
                    }),
                    (None, _) if self.cluster.partition(&tp).is_none() => {
                        Err(ErrorCode::UnknownTopicOrPartition)
                    }
                    _ => Err(ErrorCode::NotLeaderOrFollower),
                };
                (tp, r)
            })
            .collect();
        self.send(
            NodeId::Broker(b),
            from,
            Body::ListOffsetsResponse {
                partitions: answers,
            },
        );
    }

    /// A consumer's OffsetsForLeaderEpoch (KIP-320, `Partition.lastOffsetForLeaderEpoch`):
    /// only the leader answers, and only under its current epoch (`getLocalLog`: an older one
    /// is fenced, a newer one unknown yet); the answer is where the asked epoch ends in its log
    /// (`LeaderEpochFileCache.endOffsetFor`).
    fn handle_offsets_for_leader_epoch(
        &mut self,
        b: BrokerId,
        from: NodeId,
        partitions: Vec<(TopicPartition, i32, i32)>,
    ) {
        let answers = partitions
            .into_iter()
            .map(|(tp, current, epoch)| {
                let r = match (self.cluster.partition(&tp), self.replica(b, &tp)) {
                    (None, _) => Err(ErrorCode::UnknownTopicOrPartition),
                    (Some(meta), Some(replica)) if meta.leader == Some(b) => {
                        match current.cmp(&meta.leader_epoch) {
                            std::cmp::Ordering::Less => Err(ErrorCode::FencedLeaderEpoch),
                            std::cmp::Ordering::Greater => Err(ErrorCode::UnknownLeaderEpoch),
                            std::cmp::Ordering::Equal => Ok(replica
                                .epochs
                                .end_offset_for(epoch, replica.log.log_end_offset())),
                        }
                    }
                    _ => Err(ErrorCode::NotLeaderOrFollower),
                };
                (tp, current, r)
            })
            .collect();
        self.send(
            NodeId::Broker(b),
            from,
            Body::OffsetsForLeaderEpochResponse {
                partitions: answers,
            },
        );
    }

    // ---- replication: followers fetch from leaders ----

    /// Leader side: a follower's fetch offset is its log end offset. `lastCaughtUpTime` moves
    /// to now if it reached the leader's LEO, else to the previous fetch time if it reached the
    /// LEO of then (`Replica.updateFetchStateOrThrow`); a caught-up follower rejoins the ISR.
    fn note_follower_position(
        &mut self,
        leader: BrokerId,
        follower: BrokerId,
        tp: &TopicPartition,
        offset: i64,
    ) {
        let now = self.now;
        let eligible = self.cluster.is_eligible_for_isr(follower);
        let in_isr = self
            .cluster
            .partition(tp)
            .is_some_and(|m| m.isr.contains(&follower));
        let Some(replica) = self.replica_mut(leader, tp) else {
            return;
        };
        let leo = replica.log.log_end_offset();
        let epoch_start = replica.epochs.entries().last().map_or(0, |e| e.1);
        let hw = replica.high_watermark;
        let state = replica.followers.entry(follower).or_default();
        if offset >= leo {
            state.last_caught_up_ms = now;
        } else if offset >= state.leader_leo_at_last_fetch && state.last_fetch_ms > 0 {
            state.last_caught_up_ms = state.last_caught_up_ms.max(state.last_fetch_ms);
        }
        let moved = state.log_end_offset != offset;
        state.log_end_offset = offset;
        state.last_fetch_ms = now;
        state.leader_leo_at_last_fetch = leo;
        if !in_isr && eligible && offset >= hw && offset >= epoch_start {
            // change_isr recomputes the high watermark itself.
            self.change_isr(tp, |isr| isr.push(follower), "a follower caught up");
        } else if moved || hw < leo {
            self.maybe_advance_high_watermark(leader, tp);
        }
    }

    /// Sends a fetch from follower `b` to every leader it follows that has none outstanding.
    pub(crate) fn replica_fetch(&mut self, b: BrokerId) {
        if !self.cluster.is_alive(b) || self.cluster.brokers.get(&b).is_some_and(|x| x.fenced) {
            return;
        }
        // The session handlers are taken out while the plan borrows the broker's replicas.
        let Some(mut handlers) = self
            .cluster
            .brokers
            .get_mut(&b)
            .map(|x| std::mem::take(&mut x.fetch_handlers))
        else {
            return;
        };
        let mut requests = Vec::new();
        if let Some(broker) = self.cluster.brokers.get(&b) {
            // Only this broker's own replicas: the fetch plan is O(replicas here). Leaders with
            // a fetch outstanding are left out. A few leaders at most: a short vector, sorted by
            // leader before sending.
            let mut by_leader: Vec<(BrokerId, Vec<FetchPosition>)> = Vec::new();
            let mut metas = self.cluster.partitions_in_order();
            for (tp, r) in &broker.replicas {
                let Some(l) = metas
                    .partition(tp)
                    .and_then(|m| m.leader)
                    .filter(|l| *l != b && !broker.fetching_from.contains(l))
                else {
                    continue;
                };
                let i = match by_leader.iter().position(|(x, _)| *x == l) {
                    Some(i) => i,
                    None => {
                        by_leader.push((l, Vec::with_capacity(broker.replicas.len())));
                        by_leader.len() - 1
                    }
                };
                let epoch = r.epochs.latest_epoch().unwrap_or(-1);
                by_leader[i].1.push((tp, r.log.log_end_offset(), epoch));
            }
            by_leader.sort_unstable_by_key(|(l, _)| *l);
            for (leader, plan) in by_leader {
                requests.push((leader, handlers.get_or_default(leader).build(&plan)));
            }
        }
        let config = &self.cluster.broker_config;
        let limits = FetchLimits {
            max_wait_ms: config.replica_fetch_wait_max_ms,
            min_bytes: config.replica_fetch_min_bytes,
            max_bytes: config.replica_fetch_response_max_bytes,
            partition_max_bytes: config.replica_fetch_max_bytes,
        };
        if let Some(br) = self.cluster.brokers.get_mut(&b) {
            br.fetch_handlers = handlers;
            br.fetching_from.extend(requests.iter().map(|(l, _)| *l));
        }
        for (leader, request) in requests {
            let body = Body::FetchRequest {
                replica_id: b,
                session: request.session,
                partitions: request.list.0,
                last_fetched_epochs: request.list.1,
                forgotten: request.forgotten,
                limits,
            };
            self.send(NodeId::Broker(b), NodeId::Broker(leader), body);
        }
    }

    /// Whether a fetch answer from `leader` about `tp` is still wanted: a leader change takes
    /// the partition off the fetcher of the former leader (`ReplicaManager.makeLeaders` and
    /// `makeFollowers` remove it), and `AbstractFetcherThread.processFetchRequest` drops what a
    /// late answer says of a partition it no longer fetches: its records, and a high watermark
    /// that would set the one of a replica now leading, or following another leader.
    fn still_fetching_from(&self, leader: BrokerId, tp: &TopicPartition) -> bool {
        self.cluster.leader_of(tp) == Some(leader)
    }

    fn follower_receive(&mut self, b: BrokerId, leader: BrokerId, partitions: Vec<FetchPartition>) {
        if let Some(br) = self.cluster.brokers.get_mut(&b) {
            br.fetching_from.remove(&leader);
        }
        let ts_now = self.timestamp();
        for p in partitions {
            if !self.still_fetching_from(leader, &p.tp) {
                continue;
            }
            // Most partitions of a replica fetch come back empty: no config needed for them.
            let has_records = p.result.as_ref().is_ok_and(|r| !r.is_empty());
            let cfg = has_records.then(|| self.log_config(&p.tp.topic).clone());
            let Some(replica) = self.replica_mut(b, &p.tp) else {
                continue;
            };
            if p.fetch_offset != replica.log.log_end_offset() {
                continue;
            }
            if let Some((epoch, end)) = p.diverging_epoch {
                // KIP-320/279: truncate to where our log agrees with the leader's, then refetch.
                let own = replica
                    .epochs
                    .end_offset_for(epoch, replica.log.log_end_offset());
                let to = match own {
                    Some((e, own_end)) if e == epoch => end.min(own_end),
                    Some((_, own_end)) => own_end.min(end),
                    None => replica.high_watermark.min(end),
                }
                .max(replica.log.log_start_offset());
                if to < replica.log.log_end_offset() && replica.log.truncate_to(to).is_ok() {
                    replica.epochs.truncate_from_end(to);
                    // The producer state goes back with the log (Kafka reloads it).
                    for entry in replica.producers.values_mut() {
                        entry.batches.retain(|(_, _, base)| *base < to);
                    }
                    replica.high_watermark = replica.high_watermark.min(to);
                    self.record(TraceEvent::Truncated {
                        tp: p.tp.clone(),
                        broker: b,
                        to,
                    });
                } else {
                    // Nothing to cut from the log, but an epoch starting at its end holds no
                    // records: drop it, or the next fetch names it again and diverges forever.
                    replica.epochs.truncate_from_end(to);
                }
                continue;
            }
            let records = match p.result {
                Ok(records) => records,
                // Behind the leader's log start (retention or DeleteRecords removed what this
                // follower still needed): start over at the leader's log start offset.
                Err(ErrorCode::OffsetOutOfRange)
                    if p.log_start_offset > replica.log.log_end_offset() =>
                {
                    if replica
                        .log
                        .truncate_fully_and_start_at(p.log_start_offset)
                        .is_ok()
                    {
                        replica.high_watermark = p.log_start_offset;
                    }
                    continue;
                }
                Err(_) => continue,
            };
            let mut appended = None;
            let mut rolled = None;
            let leo = replica.log.log_end_offset();
            for (epoch, start) in &p.epochs {
                replica.epochs.assign(*epoch, *start);
            }
            let mut fresh = records;
            fresh.retain_from(leo);
            if let (false, Some(cfg)) = (fresh.is_empty(), &cfg) {
                let batches = producer_batches(&fresh);
                if let Ok(info) = replica.log.append_owned_as_follower(fresh, ts_now, cfg) {
                    appended = Some((info.first_offset, info.last_offset));
                    rolled = info.rolled_segment_base;
                    // Followers keep the same producer state as the leader (origin
                    // REPLICATION), so a new leader still recognises a retried batch.
                    for (pid, epoch, first, last, base) in batches {
                        let entry = replica.producers.entry(pid).or_default();
                        entry.written(epoch, first, last, base);
                    }
                }
            }
            let hw = follower_high_watermark(
                p.high_watermark,
                replica.log.log_start_offset(),
                replica.log.log_end_offset(),
            );
            let hw_moved = hw != replica.high_watermark;
            if hw_moved {
                replica.high_watermark = hw;
            }
            // Followers adopt the leader's log start offset; the high watermark never lags it
            // (`UnifiedLog.maybeIncrementLogStartOffset`).
            let start = p.log_start_offset.min(replica.log.log_end_offset());
            if start > replica.log.log_start_offset() {
                replica.high_watermark = replica.high_watermark.max(start);
                let hw_now = replica.high_watermark;
                let _ = replica.log.maybe_increment_log_start_offset(start, hw_now);
            }
            if let Some(base) = rolled {
                self.record(TraceEvent::SegmentRolled {
                    tp: p.tp.clone(),
                    broker: b,
                    base_offset: base,
                });
            }
            if let Some((first, last)) = appended {
                self.record(TraceEvent::Appended {
                    tp: p.tp.clone(),
                    broker: b,
                    first_offset: first,
                    last_offset: last,
                });
            }
            if hw_moved {
                self.record(TraceEvent::HighWatermark {
                    tp: p.tp.clone(),
                    broker: b,
                    hw,
                });
            }
        }
        self.replica_fetch(b);
    }

    // ---- log maintenance ----

    /// The broker process starts, and with it its periodic tasks. The log manager's first
    /// retention check comes `log.initial.task.delay.ms` later, then one every
    /// `log.retention.check.interval.ms` (`LogManager.startup` schedules "kafka-log-retention"
    /// so). The replica manager checkpoints the high watermarks every
    /// `replica.high.watermark.checkpoint.interval.ms` ("highwatermark-checkpoint"; its first
    /// run, at once, writes what was just loaded, so it is skipped here); with 0 or less,
    /// `KafkaScheduler` runs it only that once.
    pub(crate) fn start_broker_tasks(&mut self, b: BrokerId) {
        let Some(broker) = self.cluster.brokers.get_mut(&b) else {
            return;
        };
        broker.started += 1;
        let token = broker.started;
        self.start_producer_id_manager(b);
        let config = &self.cluster.broker_config;
        let retention = config.log_initial_task_delay_ms;
        let checkpoints = config.replica_high_watermark_checkpoint_interval_ms;
        self.schedule_in(
            retention,
            Event::Timer(Timer::RetentionCheck { broker: b, token }),
        );
        if checkpoints > 0 {
            self.schedule_in(
                checkpoints,
                Event::Timer(Timer::HighWatermarkCheckpoint { broker: b, token }),
            );
        }
    }

    /// Whether broker `b` is up in the start of the process `token` belongs to.
    fn started_as(&self, b: BrokerId, token: u64) -> bool {
        self.cluster
            .brokers
            .get(&b)
            .is_some_and(|x| x.alive && x.started == token)
    }

    /// Broker `b`'s periodic high watermark checkpoint, unless it stopped (or restarted)
    /// since it was due.
    pub(crate) fn high_watermark_checkpoint(&mut self, b: BrokerId, token: u64) {
        if !self.started_as(b, token) {
            return;
        }
        if let Some(broker) = self.cluster.brokers.get_mut(&b) {
            broker.checkpoint_high_watermarks();
        }
        let every = self
            .cluster
            .broker_config
            .replica_high_watermark_checkpoint_interval_ms;
        self.schedule_in(
            every,
            Event::Timer(Timer::HighWatermarkCheckpoint { broker: b, token }),
        );
    }

    /// A retention check of broker `b`, unless it stopped (or restarted) since it was due.
    pub(crate) fn retention_check(&mut self, b: BrokerId, token: u64) {
        if !self.started_as(b, token) {
            return;
        }
        // `LogManager.cleanupLogs`: logs whose policy includes `compact` are left to the
        // log cleaner, which deletes the old segments of `compact,delete` logs itself.
        let tps = self.replicas_where(b, |cfg| !cfg.cleanup_policy.compact);
        for tp in tps {
            self.delete_old_segments(b, &tp);
        }
        let every = self.cluster.broker_config.log_retention_check_interval_ms;
        self.schedule_in(
            every,
            Event::Timer(Timer::RetentionCheck { broker: b, token }),
        );
    }

    /// Broker `b`'s partitions whose log config passes `keep`.
    fn replicas_where(
        &self,
        b: BrokerId,
        keep: impl Fn(&LogConfig) -> bool,
    ) -> Vec<TopicPartition> {
        self.cluster
            .brokers
            .get(&b)
            .map_or_else(Vec::new, |broker| {
                broker
                    .replicas
                    .keys()
                    .filter(|tp| keep(self.log_config(&tp.topic)))
                    .cloned()
                    .collect()
            })
    }

    /// `UnifiedLog.deleteOldSegments` on broker `b`'s replica of `tp`.
    fn delete_old_segments(&mut self, b: BrokerId, tp: &TopicPartition) {
        let now_ts = self.timestamp();
        let cfg = self.log_config(&tp.topic).clone();
        let Some(replica) = self.replica_mut(b, tp) else {
            return;
        };
        let hw = replica.high_watermark;
        let result = replica.log.delete_old_segments(now_ts, hw, &cfg);
        if !result.deleted_segments.is_empty() || result.rolled_new_active_segment {
            self.wake_quiet(b, tp);
        }
        for (reason, bases) in result.deleted_by_reason() {
            self.record(TraceEvent::SegmentsDeleted {
                tp: tp.clone(),
                broker: b,
                base_offsets: bases,
                reason,
                log_start_offset: result.log_start_offset,
            });
        }
    }

    /// One pass of the brokers' log cleaners: compacts logs whose policy includes `compact`, then
    /// deletes the old segments of those that also have `delete` (`LogCleaner.cleanFilthiestLog`).
    /// Without a cleaner (`log.cleaner.enable=false`, or no cleaner threads) compacted logs are
    /// neither cleaned nor, for `compact,delete`, trimmed by retention: `LogManager.cleanupLogs`
    /// leaves those to the cleaner.
    pub(crate) fn cleaner_pass(&mut self) {
        let config = &self.cluster.broker_config;
        if !config.log_cleaner_enable || config.log_cleaner_threads == 0 {
            return;
        }
        let now_ts = self.timestamp();
        let ids: Vec<BrokerId> = self.cluster.live_brokers();
        for b in ids {
            let tps = self.replicas_where(b, |cfg| cfg.cleanup_policy.compact);
            for tp in tps {
                let cfg = self.log_config(&tp.topic).clone();
                let Some(replica) = self.replica_mut(b, &tp) else {
                    continue;
                };
                let hw = replica.high_watermark;
                let result = replica.log.compact(now_ts, hw, &cfg);
                if result.removed_records > 0 {
                    self.wake_quiet(b, &tp);
                    self.record(TraceEvent::Compacted {
                        tp: tp.clone(),
                        broker: b,
                        removed: result.removed_records,
                    });
                }
                if cfg.cleanup_policy.delete {
                    self.delete_old_segments(b, &tp);
                }
            }
        }
    }
}

/// The idempotent producers' batches among replicated `records`: (producer id, epoch, first
/// and last sequence, base offset), one per batch.
fn producer_batches(records: &MemoryRecords) -> Vec<(i64, i16, i32, i32, i64)> {
    let mut out: Vec<(i64, i16, i32, i32, i64)> = Vec::new();
    for r in records.iter() {
        let Some(p) = r.producer().filter(|p| p.producer_id >= 0) else {
            continue;
        };
        let base = r.batch_base_offset();
        match out.last_mut() {
            Some(last) if last.4 == base && last.0 == p.producer_id => last.3 = p.sequence,
            _ => out.push((
                p.producer_id,
                p.producer_epoch,
                p.sequence,
                p.sequence,
                base,
            )),
        }
    }
    out
}

/// Advances `cursor` (a broker's replicas in key order) to `tp` and returns its replica if it is
/// there. Fetches list partitions in key order (the fetch plan walks the same map), so a fetch's
/// partitions are found in one pass instead of one tree search each; `None` (not found, or an
/// unsorted request) sends the caller to an ordinary lookup.
fn seek_sorted<'a>(
    cursor: &mut std::iter::Peekable<
        std::collections::btree_map::Range<'a, TopicPartition, Replica>,
    >,
    tp: &TopicPartition,
) -> Option<&'a Replica> {
    while let Some((key, replica)) = cursor.peek() {
        match (*key).cmp(tp) {
            std::cmp::Ordering::Less => {
                cursor.next();
            }
            std::cmp::Ordering::Equal => {
                let found = *replica;
                cursor.next();
                return Some(found);
            }
            std::cmp::Ordering::Greater => return None,
        }
    }
    None
}

/// The `i`th partition of `fetch`, asked from `offset`, as leader `b` (`alive` or not) sees
/// it, given its metadata and `b`'s replica of it.
fn resolve_fetched<'a>(
    b: BrokerId,
    alive: bool,
    fetch: &ParkedFetch,
    i: usize,
    offset: i64,
    meta: Option<&PartitionMeta>,
    replica: Option<&'a Replica>,
) -> Fetched<'a> {
    let leading = meta.and_then(|m| m.leader) == Some(b) && alive;
    match (replica, leading) {
        (Some(replica), true) => {
            let leo = replica.log.log_end_offset();
            // KIP-320: the follower's log diverged if its last epoch ends earlier here.
            let diverged = fetch
                .last_fetched_epochs
                .get(i)
                .filter(|e| **e >= 0)
                .and_then(|&last| {
                    replica
                        .epochs
                        .end_offset_for(last, leo)
                        .filter(|(epoch, end)| *epoch < last || *end < offset)
                });
            match diverged {
                Some(d) => Fetched::Diverged(replica, d),
                None if fetch.replica_id >= 0 => Fetched::Readable(replica, leo),
                None => Fetched::Readable(replica, replica.high_watermark),
            }
        }
        _ if meta.is_none() => Fetched::Error(ErrorCode::UnknownTopicOrPartition),
        _ => Fetched::Error(ErrorCode::NotLeaderOrFollower),
    }
}

/// What one resolved partition adds to `DelayedFetch.tryComplete`'s count: `None` when it
/// completes the fetch by itself (an error, a divergence, an older segment), else its readable
/// bytes up to `partition_max_bytes`, counted no further than `wanted`.
fn readable_bytes(
    fetch: &ParkedFetch,
    offset: i64,
    state: &Fetched<'_>,
    wanted: i64,
) -> Option<i64> {
    match state {
        Fetched::Error(_) | Fetched::Diverged(..) => None,
        Fetched::Readable(r, upper) => {
            let cap = i64::from(fetch.limits.partition_max_bytes).min(wanted.max(1));
            r.log.bytes_readable(offset, *upper, cap)
        }
    }
}

/// Where a fetch stands (`ReplicaManager.fetchMessages` and `DelayedFetch.tryComplete`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Readiness {
    /// Answer now.
    Complete,
    /// Some bytes, fewer than `min_bytes` as `DelayedFetch` counts them.
    Some,
    Nothing,
}

/// One partition of a fetch as the leader sees it.
enum Fetched<'a> {
    Error(ErrorCode),
    /// The follower's log diverged: the leader's (epoch, end offset) for its last epoch.
    Diverged(&'a Replica, (i32, i64)),
    /// Readable up to (excluding) this offset: the LEO for followers, the HW for consumers.
    Readable(&'a Replica, i64),
}

pub(crate) fn log_error_code(e: &LogError) -> ErrorCode {
    match e.error_name() {
        "OFFSET_OUT_OF_RANGE" => ErrorCode::OffsetOutOfRange,
        "POLICY_VIOLATION" => ErrorCode::PolicyViolation,
        "MESSAGE_TOO_LARGE" => ErrorCode::MessageTooLarge,
        "RECORD_LIST_TOO_LARGE" => ErrorCode::RecordListTooLarge,
        "INVALID_TIMESTAMP" => ErrorCode::InvalidTimestamp,
        "INVALID_RECORD" => ErrorCode::InvalidRecord,
        "CORRUPT_MESSAGE" => ErrorCode::CorruptMessage,
        "INVALID_REQUEST" => ErrorCode::InvalidRequest,
        _ => ErrorCode::UnknownServerError,
    }
}

#[cfg(test)]
mod tests {
    use crate::error::ErrorCode;
    use crate::fetch_session::tests::{led_by_0_followed_by_1, produce_one, tp};
    use crate::network::NodeId;
    use crate::protocol::Body;

    /// A leader that lost a follower's session (Kafka's cache evicts sessions) answers the next
    /// incremental fetch FETCH_SESSION_ID_NOT_FOUND; the follower fetches in full again, and
    /// replication goes on.
    #[test]
    fn a_lost_session_is_answered_with_an_error_and_opened_again() {
        let mut sim = led_by_0_followed_by_1(2);
        sim.run_for(5_000);
        if let Some(leader) = sim.cluster.brokers.get_mut(&0) {
            leader.sessions.clear();
        }
        let answered = |sim: &crate::Sim| {
            sim.net.in_flight().any(|e| {
                e.from == NodeId::Broker(0)
                    && matches!(
                        e.body,
                        Body::FetchResponse {
                            error: Some(ErrorCode::FetchSessionIdNotFound),
                            ..
                        }
                    )
            })
        };
        assert!(
            sim.run_while(1_000, answered),
            "no FETCH_SESSION_ID_NOT_FOUND"
        );
        let full_again = |sim: &crate::Sim| {
            sim.net.in_flight().any(|e| {
                e.from == NodeId::Broker(1)
                    && matches!(&e.body, Body::FetchRequest { session, partitions, .. }
                        if session.is_full() && partitions.len() == 2)
            })
        };
        assert!(
            sim.run_while(1_000, full_again),
            "no full fetch after the error"
        );
        produce_one(&mut sim, 1);
        let leo = |sim: &crate::Sim| sim.replica(1, &tp(1)).map(|r| r.log.log_end_offset());
        assert!(
            sim.run_while(5_000, |s| leo(s) == Some(1)),
            "not replicated"
        );
    }
}
