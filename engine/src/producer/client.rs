//! The producer client: picks partitions, batches records in the accumulator (`batch.size`,
//! `linger.ms`), sends Produce requests to leaders (at most `max.in.flight.requests.per.connection`
//! each), and handles acks, retries, `delivery.timeout.ms` and idempotent sequence numbers.

use super::partitioner::{partition_for_key, BuiltInPartitioner};
pub use super::workload::Workload;
use crate::config::ProducerConfig;
use crate::error::ErrorCode;
use crate::ids::{BrokerId, TopicPartition};
use crate::log::NewRecord;
use crate::network::{ClientId, Envelope, NodeId};
use crate::protocol::{Body, ProduceBatch, ProduceResult};
use crate::sim::Sim;
use crate::time::Millis;
use crate::trace::TraceEvent;
use serde::Serialize;
use smol_str::SmolStr;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

/// A record batch's header (`DefaultRecordBatch.RECORD_BATCH_OVERHEAD`, message format v2):
/// the bytes a record that opens a batch adds besides its own.
const RECORD_BATCH_OVERHEAD: u32 = 61;

/// Bytes a record adds to a batch, as the accumulator counts them (key + value + ~overhead).
fn size_estimate(key: Option<&str>, value: Option<&str>) -> u32 {
    (key.map_or(0, str::len) + value.map_or(0, str::len) + 10) as u32
}

/// `KafkaProducer.ensureValidRecordSize`: `send()` fails a record whose batch could be larger
/// than `max.request.size` or `buffer.memory` at once (`RecordTooLargeException`), before the
/// accumulator.
fn ensure_valid_record_size(
    config: &ProducerConfig,
    record: &NewRecord,
) -> Result<(), (ErrorCode, String)> {
    let size = record.batch_size_upper_bound();
    let max_request_size = config.max_request_size;
    let error = if size > i64::from(max_request_size) {
        format!("The message is {size} bytes when serialized which is larger than {max_request_size}, which is the value of the max.request.size configuration.")
    } else if size > config.buffer_memory {
        format!("The message is {size} bytes when serialized which is larger than the total memory buffer you have configured with the buffer.memory configuration.")
    } else {
        return Ok(());
    };
    Err((ErrorCode::MessageTooLarge, error))
}

/// A topic as `send()` sees it in the producer's metadata.
struct SendTarget {
    name: Arc<str>,
    num: i32,
    /// The partitions with a leader, which a key-less partitioner picks from.
    available: Vec<u32>,
    /// `partitioner.ignore.keys`.
    ignore_keys: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Batch {
    pub id: u64,
    pub tp: TopicPartition,
    /// Shared with the Produce requests that carry it (a retry resends the same records).
    pub records: Arc<Vec<NewRecord>>,
    pub bytes: u32,
    pub created_at: Millis,
    pub retry_at: Option<Millis>,
    pub base_sequence: Option<i32>,
    /// The producer epoch `base_sequence` belongs to.
    pub epoch: i16,
    /// Its sequence was rewritten after an epoch bump while it was in flight: an
    /// OUT_OF_ORDER_SEQUENCE_NUMBER answer to that send is no new gap (`sequenceHasBeenReset`).
    pub sequence_reset: bool,
    pub in_flight: bool,
    /// The leader the batch was last sent to.
    pub sent_to: Option<BrokerId>,
    pub attempts: u32,
}

impl Batch {
    /// A retry backs off only while its leader is the same
    /// (`hasLeaderChangedForTheOngoingRetry`).
    fn backing_off(&self, leader: BrokerId, now: Millis) -> bool {
        self.retry_at.is_some_and(|r| r > now) && self.sent_to == Some(leader)
    }
}

/// A partition's first unsent batch, as `RecordAccumulator.ready` sees it.
struct Head<'a> {
    batch: &'a Batch,
    /// Another batch waits behind it, or it reached `batch.size`: `send()` wakes the sender
    /// at once (`batchIsFull`) and `linger.ms` no longer counts.
    full: bool,
    /// Nothing of the partition may go now: with one request in flight per connection a
    /// batch of it is (`guaranteeMessageOrder`), or it has its most batches in flight.
    muted: bool,
}

/// What happened to a record, for the console producer and the verifiable producer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    pub tp: TopicPartition,
    /// -1 when unknown (acks=0).
    pub offset: i64,
    pub key: Option<SmolStr>,
    pub value: Option<SmolStr>,
    pub error: Option<(ErrorCode, String)>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ProducerStats {
    pub sent: u64,
    pub acked: u64,
    pub failed: u64,
    pub retries: u64,
}

#[derive(Clone, Debug)]
pub struct Producer {
    pub name: String,
    pub client_id: String,
    pub config: ProducerConfig,
    pub workload: Option<Workload>,
    pub accumulator: BTreeMap<TopicPartition, VecDeque<Batch>>,
    partitioners: BTreeMap<String, BuiltInPartitioner>,
    round_robin: BTreeMap<String, u32>,
    in_flight: BTreeMap<BrokerId, u32>,
    /// -1 until an idempotent producer's `InitProducerId` is answered (always -1 without
    /// idempotence).
    pub producer_id: i64,
    pub(crate) init_producer_id: InitProducerId,
    /// Bumped after a gap in a partition's sequences (KIP-360), which start again at 0.
    pub producer_epoch: i16,
    /// Each partition's next sequence and the epoch it counts in.
    sequences: BTreeMap<TopicPartition, (i16, i32)>,
    next_batch_id: u64,
    /// How many records the last batch held when it was sent: a new batch reserves room for
    /// twice as many. A slow producer's one-record batches then cost a few bytes each, not the
    /// room a full `batch.size` would need (~40 KB), and a fast one's fill without copying.
    last_batch_records: usize,
    pub stats: ProducerStats,
    /// Outcomes not yet read by the console (bounded).
    pub deliveries: VecDeque<Delivery>,
    /// Whether someone reads `deliveries` (a `send()` with a callback: the console and
    /// verifiable producers, Connect, Streams). A workload sends without one.
    pub delivery_callbacks: bool,
    pub closing: bool,
    /// Due batches could not be sent (no leader, or the connection is at
    /// `max.in.flight.requests.per.connection`): look again no sooner than this.
    blocked_until: Millis,
    pub wake_token: u64,
    seq: u64,
    /// The partition count of each topic in the producer's metadata, learnt on first use and
    /// forgotten at each refresh (`metadata.max.age.ms`, or `retry.backoff.ms` after an
    /// error that asks for one): a grown topic's new partitions get records only from then on.
    partition_counts: BTreeMap<Arc<str>, i32>,
    metadata_refresh_at: Millis,
}

/// An idempotent producer's request for its producer id (engine/src/producer_ids.rs).
#[derive(Clone, Debug, Default)]
pub(crate) struct InitProducerId {
    /// The broker asked, while the answer is awaited.
    pub(crate) in_flight: Option<BrokerId>,
    /// Not asked again before this (`retry.backoff.ms` after an error).
    pub(crate) retry_at: Millis,
}

/// Records a leader acknowledged: partition, base offset, values (for the durability ledger).
type Acknowledged = (TopicPartition, i64, Arc<Vec<NewRecord>>);

/// How many undelivered outcomes a producer keeps for the console.
const DELIVERIES_KEPT: usize = 10_000;

impl Producer {
    pub fn new(name: String, config: ProducerConfig) -> Self {
        let client_id = config.client_id.clone().unwrap_or_else(|| name.clone());
        Producer {
            name,
            client_id,
            producer_id: -1,
            init_producer_id: InitProducerId::default(),
            config,
            workload: None,
            accumulator: BTreeMap::new(),
            partitioners: BTreeMap::new(),
            round_robin: BTreeMap::new(),
            in_flight: BTreeMap::new(),
            producer_epoch: 0,
            sequences: BTreeMap::new(),
            next_batch_id: 1,
            last_batch_records: 1,
            stats: ProducerStats::default(),
            deliveries: VecDeque::new(),
            delivery_callbacks: true,
            closing: false,
            blocked_until: 0,
            wake_token: 0,
            seq: 0,
            partition_counts: BTreeMap::new(),
            metadata_refresh_at: 0,
        }
    }

    /// How many partitions `send()` spreads `topic`'s records over: the count in the producer's
    /// metadata, refreshed when due. The cluster has `live` now; a count above it (the topic
    /// was deleted and created again with fewer) is corrected at once, as the playground does
    /// not simulate records held for partitions that no longer exist. A record for a given
    /// `partition` beyond the known count waits for fresh metadata (`waitOnMetadata`). The
    /// refresh is made at the first `send()` once due, not on a timer of its own.
    fn partition_count(
        &mut self,
        topic: &Arc<str>,
        live: i32,
        partition: Option<i32>,
        now: Millis,
    ) -> i32 {
        let stale = self
            .partition_counts
            .get(topic)
            .is_some_and(|known| partition.is_some_and(|p| p >= *known));
        if now >= self.metadata_refresh_at || stale {
            self.partition_counts.clear();
            let (age, backoff) = (
                self.config.metadata_max_age_ms,
                self.config.retry_backoff_ms,
            );
            self.metadata_refresh_at = crate::client::metadata_refresh_after(now, age, backoff);
        }
        let known = self
            .partition_counts
            .entry(Arc::clone(topic))
            .or_insert(live);
        *known = (*known).min(live);
        *known
    }

    fn idempotent(&self) -> bool {
        self.config.enable_idempotence
    }

    /// An idempotent producer without an id and no request for one in flight or backing off.
    pub(crate) fn needs_producer_id(&self, now: Millis) -> bool {
        self.idempotent()
            && self.producer_id < 0
            && self.init_producer_id.in_flight.is_none()
            && now >= self.init_producer_id.retry_at
    }

    /// `Metadata.requestUpdate`: the next `send()` after `retry.backoff.ms` sees fresh metadata.
    fn request_metadata_update(&mut self, now: Millis) {
        let at = now.saturating_add(self.config.retry_backoff_ms);
        self.metadata_refresh_at = self.metadata_refresh_at.min(at);
    }

    /// How many batches of one partition may be in flight: Kafka sends one per request, so
    /// `max.in.flight.requests.per.connection` (at most 5 with idempotence, no more than the
    /// broker remembers to recognise a retried one).
    fn most_in_flight_per_partition(&self) -> usize {
        self.config.max_in_flight_requests_per_connection.max(1) as usize
    }

    /// `guaranteeMessageOrder`: with one request in flight per connection, a partition is
    /// muted while one of its batches is.
    fn muting(&self) -> bool {
        self.config.max_in_flight_requests_per_connection <= 1
    }

    /// The first unsent batch of a partition's `queue` (none when all are in flight).
    fn head<'a>(&self, queue: &'a VecDeque<Batch>) -> Option<Head<'a>> {
        let at = queue.iter().position(|b| !b.in_flight)?;
        let in_flight = queue.iter().filter(|b| b.in_flight).count();
        let batch = &queue[at];
        let batch_size = self.config.batch_size.max(1) as u32;
        Some(Head {
            batch,
            full: queue.iter().skip(at + 1).any(|b| !b.in_flight) || batch.bytes >= batch_size,
            muted: (self.muting() && at > 0) || in_flight >= self.most_in_flight_per_partition(),
        })
    }

    /// Records waiting in the accumulator or in flight.
    pub fn pending_records(&self) -> usize {
        self.accumulator
            .values()
            .flatten()
            .map(|b| b.records.len())
            .sum()
    }

    /// Bytes the producer's buffer pool holds (`buffer.memory` bounds it): Kafka allocates
    /// `batch.size` per batch (more for a bigger batch) until the batch is acknowledged.
    pub fn buffered_bytes(&self) -> i64 {
        let batch_size = i64::from(self.config.batch_size.max(1));
        self.accumulator
            .values()
            .flatten()
            .map(|b| i64::from(b.bytes).max(batch_size))
            .sum()
    }

    /// `send()` blocks while the buffer pool is full; the workload waits for acks to free it.
    /// (An empty pool always takes a record, so a tiny `buffer.memory` slows rather than stops.)
    fn buffer_full(&self) -> bool {
        let held = self.buffered_bytes();
        held > 0 && held >= self.config.buffer_memory
    }

    pub(crate) fn next_wake(&self) -> Option<Millis> {
        let workload = self
            .workload
            .as_ref()
            .filter(|_| !self.buffer_full())
            .map(Workload::next_at);
        // Without its producer id an idempotent producer sends nothing: it waits for the
        // answer, or the time to ask again, or a batch's delivery timeout.
        let no_id = self.idempotent() && self.producer_id < 0;
        let asks_at = (no_id && self.init_producer_id.in_flight.is_none())
            .then_some(self.init_producer_id.retry_at);
        // Per partition only the first unsent batch can be sent next; while the partition is
        // muted only its delivery timeout is due (an answer drains it).
        let heads = self.accumulator.values().filter_map(|q| self.head(q)).map(
            |Head {
                 batch: b,
                 full,
                 muted,
             }| {
                if no_id || muted {
                    return b.created_at + self.config.delivery_timeout_ms;
                }
                let linger = if self.closing || full {
                    b.created_at
                } else {
                    b.created_at + self.config.linger_ms
                };
                let due = b
                    .retry_at
                    .map_or(linger, |r| r.max(linger))
                    .max(self.blocked_until);
                due.min(b.created_at + self.config.delivery_timeout_ms)
            },
        );
        workload.into_iter().chain(asks_at).chain(heads).min()
    }

    fn push_delivery(&mut self, d: Delivery) {
        if !self.delivery_callbacks {
            return;
        }
        if self.deliveries.len() == DELIVERIES_KEPT {
            self.deliveries.pop_front();
        }
        self.deliveries.push_back(d);
    }
}

impl Sim {
    /// Hands a record to a producer's accumulator (KafkaProducer.send). Unknown topics are created
    /// with the broker defaults when `auto.create.topics.enable` is true.
    pub(crate) fn producer_send(
        &mut self,
        c: ClientId,
        topic: &str,
        partition: Option<i32>,
        key: Option<SmolStr>,
        value: Option<SmolStr>,
        timestamp: Option<i64>,
    ) -> Result<TopicPartition, (ErrorCode, String)> {
        let target = self.send_target(c, topic, partition)?;
        self.send_to(c, &target, partition, key, value, timestamp)
    }

    /// What `send()` needs to know of a topic (`KafkaProducer.waitOnMetadata`), looked up once
    /// for all the records a workload sends in one go (nothing changes the metadata meanwhile).
    fn send_target(
        &mut self,
        c: ClientId,
        topic: &str,
        partition: Option<i32>,
    ) -> Result<SendTarget, (ErrorCode, String)> {
        // The metadata answers INVALID_TOPIC_EXCEPTION for a bad name, which the client's
        // `Metadata.recoverableExceptionForTopic` turns into this text.
        if crate::cluster::validate_topic_name(topic).is_err() {
            return Err((
                ErrorCode::InvalidTopicException,
                format!("Invalid topics: [{topic}]"),
            ));
        }
        if !self.cluster.topics.contains_key(topic)
            && self.cluster.broker_config.auto_create_topics_enable
        {
            self.auto_create_topic(topic)
                .map_err(|e| (e.code, e.message))?;
        }
        let now = self.now;
        let Some(meta) = self.cluster.topics.get(topic) else {
            return Err((
                ErrorCode::UnknownTopicOrPartition,
                format!("Topic {topic} not present in metadata after 60000 ms."),
            ));
        };
        let live = meta.partitions.len() as i32;
        let (num, ignore_keys) = match self.clients.get_mut(&c) {
            Some(crate::client::Client::Producer(p)) => (
                p.partition_count(&meta.name, live, partition, now),
                p.config.partitioner_ignore_keys,
            ),
            _ => (live, false),
        };
        Ok(SendTarget {
            name: Arc::clone(&meta.name),
            num,
            available: meta
                .partitions
                .iter()
                .take(num as usize)
                .enumerate()
                .filter(|(_, p)| p.leader.is_some())
                .map(|(i, _)| i as u32)
                .collect(),
            ignore_keys,
        })
    }

    /// [`Sim::producer_send`] to a topic already looked up.
    fn send_to(
        &mut self,
        c: ClientId,
        target: &SendTarget,
        partition: Option<i32>,
        key: Option<SmolStr>,
        value: Option<SmolStr>,
        timestamp: Option<i64>,
    ) -> Result<TopicPartition, (ErrorCode, String)> {
        let (topic, num) = (&*target.name, target.num);
        // Whether a key-less partitioner picks the partition (no partition given, and no key or
        // `partitioner.ignore.keys`); only those need the partitions with a leader.
        let keyless = partition.is_none() && (key.is_none() || target.ignore_keys);
        let available: &[u32] = if keyless { &target.available } else { &[] };
        let name = &target.name;
        let now = self.now;
        let timestamp = timestamp.unwrap_or_else(|| self.timestamp());
        let size = size_estimate(key.as_deref(), value.as_deref());
        let record = NewRecord {
            timestamp,
            key: key.clone(),
            value,
            headers: Vec::new(),
        };
        let Some(p) = self.producer_mut(c) else {
            return Err((ErrorCode::UnknownServerError, "producer is closed".into()));
        };
        let chosen = match (partition, &key) {
            (Some(p), _) => {
                if p < 0 || p >= num {
                    return Err((
                        ErrorCode::UnknownTopicOrPartition,
                        format!("Partition {p} of topic {topic} with partition count {num} is not present in metadata after 60000 ms."),
                    ));
                }
                Some(p as u32)
            }
            (None, Some(k)) if !keyless => partition_for_key(k.as_bytes(), num as u32),
            _ if p.config.round_robin_partitioner => {
                let counter = p.round_robin.entry(topic.to_string()).or_insert(0);
                let i = *counter;
                *counter = counter.wrapping_add(1);
                let pool: Vec<u32> = if available.is_empty() {
                    (0..num as u32).collect()
                } else {
                    available.to_vec()
                };
                pool.get((i & 0x7fff_ffff) as usize % pool.len().max(1))
                    .copied()
            }
            _ => None,
        };
        // Once `partition()` has checked or picked the partition (a round robin counts the
        // record); the sticky partitioner picks later, in the accumulator.
        ensure_valid_record_size(&p.config, &record)?;
        let partition = match chosen {
            Some(x) => x,
            None => {
                // The built-in uniform sticky partitioner (KIP-794) for null keys.
                let batch_size = p.config.batch_size;
                // Taken out while the simulation's RNG is borrowed; put back under the same key.
                let (key, mut part) = p.partitioners.remove_entry(topic).unwrap_or_else(|| {
                    (
                        topic.to_string(),
                        BuiltInPartitioner::new(batch_size.max(0) as u32),
                    )
                });
                let rng = &mut self.rng;
                let mut random = || rng.next_u32();
                let Some(x) = part.peek_current_partition(available, num as u32, &mut random)
                else {
                    return Err((
                        ErrorCode::UnknownTopicOrPartition,
                        format!("Topic {topic} has no partitions"),
                    ));
                };
                let Some(p) = self.producer_mut(c) else {
                    return Err((ErrorCode::UnknownServerError, "closed".into()));
                };
                let tp = TopicPartition::new(Arc::clone(name), x as i32);
                let (full, opened) = p.append_to_accumulator(&tp, record.clone(), size, now);
                // `RecordAppendResult.appendedBytes`: a new batch counts its header too.
                let appended = size + if opened { RECORD_BATCH_OVERHEAD } else { 0 };
                let rng = &mut self.rng;
                let mut random = || rng.next_u32();
                part.update_partition_info(appended, full, available, num as u32, &mut random);
                let Some(p) = self.producer_mut(c) else {
                    return Err((ErrorCode::UnknownServerError, "closed".into()));
                };
                p.partitioners.insert(key, part);
                p.stats.sent += 1;
                return Ok(tp);
            }
        };
        let tp = TopicPartition::new(Arc::clone(name), partition as i32);
        p.append_to_accumulator(&tp, record, size, now);
        p.stats.sent += 1;
        Ok(tp)
    }

    pub(crate) fn producer_wake(&mut self, c: ClientId) {
        let now = self.now;
        // The workload's records that are due, while the buffer pool has room (a full pool
        // blocks `send()`; overdue records then follow as acks free it, as a blocked loop would).
        let (mut room, mut empty, topic) = match self.producer_mut(c) {
            Some(p) => (
                p.config.buffer_memory - p.buffered_bytes(),
                p.accumulator.is_empty(),
                p.workload.as_ref().map(|w| Arc::clone(&w.topic)),
            ),
            None => return,
        };
        // The workload's topic, named by every record (it does not change while it runs).
        if let Some(topic) = &topic {
            let mut target = None;
            loop {
                let Some(p) = self.producer_mut(c) else {
                    return;
                };
                let Some(w) = p.workload.as_mut() else { break };
                if w.remaining == Some(0) {
                    p.workload = None;
                    break;
                }
                if w.next_at() > now || (room <= 0 && !empty) {
                    break;
                }
                empty = false;
                w.made += 1;
                if let Some(r) = w.remaining.as_mut() {
                    *r -= 1;
                }
                p.seq += 1;
                let n = p.seq;
                // The value `{name}-{n}` is inline for names up to a few characters past
                // `producer-NN`.
                let (key, value) = w.texts(n);
                room -= i64::from(size_estimate(key.as_deref(), Some(&value)));
                // Looked up at the first record due (which may create the topic), then kept;
                // a failed lookup is tried again for each record, as `send()` would.
                let sent = match &target {
                    Some(t) => Ok(t),
                    None => self.send_target(c, topic, None).map(|t| &*target.insert(t)),
                };
                if let Err((code, msg)) = sent
                    .and_then(|t| self.send_to(c, t, None, key.clone(), Some(value.clone()), None))
                {
                    if let Some(p) = self.producer_mut(c) {
                        p.stats.failed += 1;
                        let tp = TopicPartition::new(Arc::clone(topic), -1);
                        p.push_delivery(Delivery {
                            tp,
                            offset: -1,
                            key,
                            value: Some(value),
                            error: Some((code, msg)),
                        });
                    }
                }
            }
        }
        self.expire_batches(c);
        self.drain(c);
        self.finish_producer_if_idle(c);
    }

    /// The connection to `broker` broke: the batches in flight there fail with it, as `Sender`
    /// completes them (REQUEST_TIMED_OUT when a request timed out, NETWORK_EXCEPTION otherwise);
    /// most are retried, which sequence numbers make safe with idempotence.
    pub(crate) fn producer_disconnected(&mut self, c: ClientId, broker: BrokerId, timed_out: bool) {
        let now = self.now;
        let Some(p) = self.producer_mut(c) else {
            return;
        };
        p.in_flight.remove(&broker);
        if p.init_producer_id.in_flight == Some(broker) {
            // `InitProducerIdHandler`: a disconnection re-enqueues the request.
            p.init_producer_id = InitProducerId {
                in_flight: None,
                retry_at: now + p.config.retry_backoff_ms,
            };
        }
        // The network client refreshes its metadata after a disconnection: the broker may be
        // gone, and its partitions led elsewhere.
        p.request_metadata_update(now);
        let error = if timed_out {
            let why = format!("Disconnected from node {broker} due to timeout");
            (ErrorCode::RequestTimedOut, why)
        } else {
            let why = format!("Disconnected from node {broker}");
            (ErrorCode::NetworkException, why)
        };
        let results = p
            .accumulator
            .values()
            .flatten()
            .filter(|b| b.in_flight && b.sent_to == Some(broker))
            .map(|b| ProduceResult {
                tp: b.tp.clone(),
                batch_id: b.id,
                result: Err(error.clone()),
            })
            .collect();
        self.complete_batches(c, results);
        // Its last batches may have failed for good: a closing producer can go.
        self.finish_producer_if_idle(c);
    }

    /// KIP-360 (`TransactionManager.bumpIdempotentProducerEpoch`): after a gap in the
    /// sequences of `gaps`, the idempotent producer bumps its epoch and starts those
    /// partitions' sequences again at 0, so that it can go on writing there. At the largest
    /// epoch it takes a new producer id instead, and every partition starts again.
    fn bump_producer_epoch(&mut self, c: ClientId, mut gaps: Vec<TopicPartition>) {
        if gaps.is_empty() {
            return;
        }
        let Some(p) = self.producer_mut(c) else {
            return;
        };
        let new_id = p.producer_epoch == i16::MAX;
        if new_id {
            // `resetIdempotentProducerId`: the next batches wait for a new `InitProducerId`.
            p.producer_id = -1;
            p.producer_epoch = 0;
            gaps = p.accumulator.keys().cloned().collect();
            p.sequences.clear();
        } else {
            p.producer_epoch += 1;
        }
        gaps.sort_unstable();
        gaps.dedup();
        for tp in &gaps {
            p.start_sequences_at_beginning(tp);
        }
    }

    /// A closing producer goes once everything it buffered is answered.
    pub(crate) fn finish_producer_if_idle(&mut self, c: ClientId) {
        let done = self.producer_mut(c).is_some_and(|p| {
            p.closing && p.accumulator.is_empty() && p.in_flight.values().all(|n| *n == 0)
        });
        if done {
            self.remove_client(c);
        }
    }

    /// Fails batches that waited longer than `delivery.timeout.ms`.
    fn expire_batches(&mut self, c: ClientId) {
        let now = self.now;
        let name;
        let mut expired = Vec::new();
        {
            let Some(p) = self.producer_mut(c) else {
                return;
            };
            name = p.name.clone();
            let timeout = p.config.delivery_timeout_ms;
            for queue in p.accumulator.values_mut() {
                queue.retain(|b| {
                    let keep = b.in_flight || now < b.created_at + timeout;
                    if !keep {
                        expired.push(b.clone());
                    }
                    keep
                });
            }
            p.accumulator.retain(|_, q| !q.is_empty());
            for b in &expired {
                p.stats.failed += b.records.len() as u64;
                let msg = format!(
                    "Expiring {} record(s) for {}:{} ms has passed since batch creation",
                    b.records.len(),
                    b.tp,
                    now - b.created_at
                );
                for r in b.records.iter() {
                    p.push_delivery(Delivery {
                        tp: b.tp.clone(),
                        offset: -1,
                        key: r.key.clone(),
                        value: r.value.clone(),
                        error: Some((ErrorCode::RequestTimedOut, msg.clone())),
                    });
                }
            }
        }
        for b in expired {
            let count = b.records.len() as u32;
            self.record(TraceEvent::ProduceFailed {
                client: SmolStr::new(&name),
                tp: b.tp,
                error: ErrorCode::RequestTimedOut,
                count,
            });
        }
    }

    /// Sends the ready batches to their partitions' leaders (`Sender.sendProducerData`).
    fn drain(&mut self, c: ClientId) {
        // `RecordAccumulator.shouldStopDrainBatchesForPartition`: no batch without a valid
        // producer id. The producer asks for one first (`Sender.runOnce`).
        self.maybe_init_producer_id(c);
        if self
            .producer_mut(c)
            .is_some_and(|p| p.idempotent() && p.producer_id < 0)
        {
            return;
        }
        // `Sender.runOnce` sends at most one request per leader, and runs again at once while
        // batches are ready and connections have room.
        while self.drain_round(c) {}
    }

    /// One `RecordAccumulator.ready` and `drain`: a leader is ready when the first unsent
    /// batch of one of its partitions may go (full, `linger.ms` passed, closing, no retry
    /// backoff) and its connection has fewer than `max.in.flight.requests.per.connection`
    /// requests in flight. One request goes to each ready leader with the first unsent batch
    /// of each of its partitions, ready or not, up to `max.request.size`. Whether a request went.
    fn drain_round(&mut self, c: ClientId) -> bool {
        let now = self.now;
        // The fields apart: the producer is changed while the cluster's metadata is read.
        let cluster = &self.cluster;
        let Some(super::super::client::Client::Producer(p)) = self.clients.get_mut(&c) else {
            return false;
        };
        if p.accumulator.values().flatten().all(|b| b.in_flight) {
            p.blocked_until = 0;
            return false;
        }
        let leader_of = |tp: &TopicPartition| cluster.leader_of(tp);
        let max_in_flight = p.config.max_in_flight_requests_per_connection.max(1) as u32;
        let most_per_partition = p.most_in_flight_per_partition();
        let linger = p.config.linger_ms;
        let max_request_size = i64::from(p.config.max_request_size.max(1));
        let muting = p.muting();
        let mut blocked = false;
        // `ready`: the leaders a request goes to (a few at most).
        let mut ready: Vec<BrokerId> = Vec::new();
        for (tp, queue) in &p.accumulator {
            let Some(head) = p.head(queue) else {
                continue;
            };
            let at_capacity =
                |l: &BrokerId| p.in_flight.get(l).copied().unwrap_or(0) >= max_in_flight;
            let Some(leader) = leader_of(tp).filter(|l| !at_capacity(l)) else {
                blocked = true;
                continue;
            };
            let b = head.batch;
            let sendable = p.closing || head.full || now >= b.created_at + linger;
            if sendable && !b.backing_off(leader, now) && !head.muted && !ready.contains(&leader) {
                ready.push(leader);
            }
        }
        let mut requests: BTreeMap<BrokerId, (i64, Vec<(u64, ProduceBatch)>)> = BTreeMap::new();
        for (tp, queue) in p.accumulator.iter_mut() {
            let Some(leader) = leader_of(tp) else {
                continue;
            };
            if !ready.contains(&leader) {
                continue;
            }
            let request = requests.entry(leader).or_default();
            // Batches still sequenced in an older epoch go first: a partition moves to the
            // new epoch once they are done (`TransactionManager.maybeUpdateProducerIdAndEpoch`).
            let mut older_epoch = false;
            let in_flight = queue.iter().filter(|b| b.in_flight).count();
            for b in queue.iter_mut() {
                older_epoch |= b.base_sequence.is_some() && b.epoch != p.producer_epoch;
                if b.in_flight {
                    if muting {
                        break;
                    }
                    continue;
                }
                let too_big =
                    request.0 + i64::from(b.bytes) > max_request_size && !request.1.is_empty();
                if in_flight >= most_per_partition || b.backing_off(leader, now) || too_big {
                    break;
                }
                if b.base_sequence.is_none() && p.producer_id >= 0 {
                    let epoch = p.producer_epoch;
                    let next = p.sequences.entry(tp.clone()).or_insert((epoch, 0));
                    if next.0 != epoch {
                        if older_epoch {
                            // Due but held back: the wake-up must not be now again.
                            blocked = true;
                            break;
                        }
                        *next = (epoch, 0);
                    }
                    b.base_sequence = Some(next.1);
                    b.epoch = epoch;
                    next.1 = next.1.wrapping_add(b.records.len() as i32);
                }
                if b.attempts == 0 {
                    // Closed: room the batch left mostly empty is given back (the batch and its
                    // requests hold the records until it is answered). Up to twice its records
                    // is what the next batch reserves anyway: no copy for that.
                    if let Some(records) = Arc::get_mut(&mut b.records) {
                        if records.capacity() > 2 * records.len() {
                            records.shrink_to_fit();
                        }
                    }
                    p.last_batch_records = b.records.len();
                }
                b.in_flight = true;
                b.sent_to = Some(leader);
                b.attempts += 1;
                b.sequence_reset = false;
                let batch = ProduceBatch {
                    tp: tp.clone(),
                    records: b.records.clone(),
                    producer_id: p.producer_id,
                    producer_epoch: b.epoch,
                    base_sequence: b.base_sequence.unwrap_or(-1),
                };
                request.0 += i64::from(b.bytes);
                request.1.push((b.id, batch));
                // One batch of a partition per request (`drainBatchesForOneNode`).
                break;
            }
        }
        requests.retain(|_, (_, batches)| !batches.is_empty());
        p.blocked_until = if blocked {
            now + p.config.retry_backoff_ms.max(1)
        } else {
            0
        };
        let acks = p.config.acks.as_i16();
        let timeout_ms = p.config.request_timeout_ms;
        for leader in requests.keys() {
            *p.in_flight.entry(*leader).or_insert(0) += 1;
        }
        let name = p.name.clone();
        let sent = !requests.is_empty();
        for (leader, (_, batches)) in requests {
            if acks == 0 {
                // Fire and forget: the producer counts the records as sent and never hears back.
                self.acks_zero_complete(c, &name, &batches, leader);
            }
            self.send(
                NodeId::Client(c),
                NodeId::Broker(leader),
                Body::ProduceRequest {
                    acks,
                    timeout_ms,
                    batches,
                },
            );
        }
        sent
    }

    fn acks_zero_complete(
        &mut self,
        c: ClientId,
        name: &str,
        batches: &[(u64, ProduceBatch)],
        leader: BrokerId,
    ) {
        let mut events = Vec::new();
        if let Some(p) = self.producer_mut(c) {
            if let Some(n) = p.in_flight.get_mut(&leader) {
                *n = n.saturating_sub(1);
            }
            for (id, batch) in batches {
                p.take_batch(&batch.tp, *id);
                p.stats.acked += batch.records.len() as u64;
                for r in batch.records.iter() {
                    p.push_delivery(Delivery {
                        tp: batch.tp.clone(),
                        offset: -1,
                        key: r.key.clone(),
                        value: r.value.clone(),
                        error: None,
                    });
                }
                events.push(TraceEvent::ProduceAcked {
                    client: SmolStr::new(name),
                    tp: batch.tp.clone(),
                    base_offset: -1,
                    count: batch.records.len() as u32,
                });
            }
        }
        for e in events {
            self.record(e);
        }
    }

    pub(crate) fn producer_receive(&mut self, c: ClientId, env: Envelope) {
        let NodeId::Broker(leader) = env.from else {
            return;
        };
        let results = match env.body {
            Body::ProduceResponse { results } => results,
            Body::InitProducerIdResponse { result } => {
                self.producer_id_answered(c, result);
                self.drain(c);
                return;
            }
            _ => return,
        };
        if let Some(n) = self
            .producer_mut(c)
            .and_then(|p| p.in_flight.get_mut(&leader))
        {
            *n = n.saturating_sub(1);
        }
        self.complete_batches(c, results);
        self.drain(c);
        self.finish_producer_if_idle(c);
    }

    /// `Sender.completeBatch` for each answered (or disconnected) batch: acknowledged, retried
    /// (`canRetry`), or failed.
    fn complete_batches(&mut self, c: ClientId, results: Vec<ProduceResult>) {
        let now = self.now;
        let mut events = Vec::new();
        let mut acknowledged: Vec<Acknowledged> = Vec::new();
        let mut bumps: Vec<TopicPartition> = Vec::new();
        let mut retrying: Vec<(TopicPartition, u64, u32)> = Vec::new();
        let Some(p) = self.producer_mut(c) else {
            return;
        };
        let acks = p.config.acks.as_i16();
        let (backoff, backoff_max) = (p.config.retry_backoff_ms, p.config.retry_backoff_max_ms);
        {
            let timeout = p.config.delivery_timeout_ms;
            let retries = u32::try_from(p.config.retries).unwrap_or(0);
            let idempotent = p.idempotent();
            for r in results {
                let Some((created_at, attempts, reset)) = p
                    .find_batch(&r.tp, r.batch_id)
                    .map(|b| (b.created_at, b.attempts, b.sequence_reset))
                else {
                    continue;
                };
                // `Sender.completeBatch`: an error that says the metadata is stale asks for
                // fresh metadata.
                if let Err((
                    ErrorCode::NotLeaderOrFollower | ErrorCode::UnknownTopicOrPartition,
                    _,
                )) = &r.result
                {
                    p.request_metadata_update(now);
                }
                // `Sender.canRetry`: within `delivery.timeout.ms` and `retries`, a retriable
                // error, or (idempotent) any OUT_OF_ORDER_SEQUENCE_NUMBER: one answered to the
                // oldest batch with a sequence is a gap, which bumps the epoch
                // (`TransactionManager.canRetry`). A retry due after the deadline waits in
                // the accumulator and expires there. A batch that fails for good (or expires)
                // may be in the log or not: only the broker's answer to the next batch tells,
                // so the epoch is bumped then, never before (which could write it twice).
                let out_of_order =
                    matches!(r.result, Err((ErrorCode::OutOfOrderSequenceNumber, _)));
                let retriable = match &r.result {
                    Err((code, _)) => code.retriable() || (idempotent && out_of_order),
                    Ok(_) => false,
                };
                let gap = out_of_order && !reset && p.oldest_sequenced(&r.tp) == Some(r.batch_id);
                match r.result {
                    Err(_) if retriable && now < created_at + timeout && attempts <= retries => {
                        if let Some(b) = p.find_batch_mut(&r.tp, r.batch_id) {
                            b.in_flight = false;
                        }
                        retrying.push((r.tp.clone(), r.batch_id, attempts));
                        p.stats.retries += 1;
                        if gap {
                            bumps.push(r.tp.clone());
                        }
                    }
                    result => {
                        let Some(batch) = p.take_batch(&r.tp, r.batch_id) else {
                            continue;
                        };
                        let count = batch.records.len();
                        let callbacks = p.delivery_callbacks;
                        let (offset, error) = match result {
                            Ok(base) => {
                                p.stats.acked += count as u64;
                                acknowledged.push((r.tp.clone(), base, Arc::clone(&batch.records)));
                                events.push(TraceEvent::ProduceAcked {
                                    client: SmolStr::new(&p.name),
                                    tp: r.tp.clone(),
                                    base_offset: base,
                                    count: count as u32,
                                });
                                (Some(base), None)
                            }
                            Err((code, msg)) => {
                                p.stats.failed += count as u64;
                                events.push(TraceEvent::ProduceFailed {
                                    client: SmolStr::new(&p.name),
                                    tp: r.tp.clone(),
                                    error: code,
                                    count: count as u32,
                                });
                                (None, Some((code, msg)))
                            }
                        };
                        for (i, rec) in batch.records.iter().enumerate().filter(|_| callbacks) {
                            p.push_delivery(Delivery {
                                tp: r.tp.clone(),
                                offset: offset.map_or(-1, |base| base + i as i64),
                                key: rec.key.clone(),
                                value: rec.value.clone(),
                                error: error.clone(),
                            });
                        }
                    }
                }
            }
        }
        for (tp, base, records) in acknowledged {
            self.note_acknowledged(&tp, base, &records, acks);
        }
        for e in events {
            self.record(e);
        }
        // `RecordAccumulator.shouldBackoff`: the k-th retry waits `backoff(k - 1)`.
        for (tp, id, attempts) in retrying {
            let wait = crate::client::retry_backoff(
                backoff,
                backoff_max,
                attempts.saturating_sub(1),
                &mut self.rng,
            );
            if let Some(b) = self.producer_mut(c).and_then(|p| p.find_batch_mut(&tp, id)) {
                b.retry_at = Some(now + wait);
            }
        }
        self.bump_producer_epoch(c, bumps);
    }
}

impl Producer {
    /// Appends to the partition's open batch, or opens a new one. Returns whether the
    /// partition's last batch is full afterwards (the sticky partitioner switches on that) and
    /// whether this record opened it.
    fn append_to_accumulator(
        &mut self,
        tp: &TopicPartition,
        record: NewRecord,
        size: u32,
        now: Millis,
    ) -> (bool, bool) {
        let batch_size = self.config.batch_size.max(1) as u32;
        // Looked up by reference first: the partition's queue is usually there, and cloning
        // the key for `entry` costs two reference-count updates on every record.
        let queue = match self.accumulator.get_mut(tp) {
            Some(queue) => queue,
            None => self.accumulator.entry(tp.clone()).or_default(),
        };
        let fits = queue
            .back()
            .is_some_and(|b| !b.in_flight && b.retry_at.is_none() && b.bytes + size <= batch_size);
        if !fits {
            let id = self.next_batch_id;
            self.next_batch_id += 1;
            queue.push_back(Batch {
                id,
                tp: tp.clone(),
                // Room for twice the records of the last batch sent, at most what a full batch
                // of this size would hold (up to 1,024): growing would copy the records.
                records: Arc::new(Vec::with_capacity(
                    (2 * self.last_batch_records)
                        .clamp(1, (batch_size / size.max(1)).clamp(1, 1024) as usize),
                )),
                bytes: 0,
                created_at: now,
                retry_at: None,
                base_sequence: None,
                epoch: 0,
                sequence_reset: false,
                in_flight: false,
                sent_to: None,
                attempts: 0,
            });
        }
        let Some(b) = queue.back_mut() else {
            return (false, !fits);
        };
        // Not shared while open: a batch is only sent (and its records shared) once closed.
        Arc::make_mut(&mut b.records).push(record);
        b.bytes += size;
        (b.bytes >= batch_size, !fits)
    }

    fn find_batch(&self, tp: &TopicPartition, id: u64) -> Option<&Batch> {
        self.accumulator.get(tp)?.iter().find(|b| b.id == id)
    }

    fn find_batch_mut(&mut self, tp: &TopicPartition, id: u64) -> Option<&mut Batch> {
        self.accumulator
            .get_mut(tp)?
            .iter_mut()
            .find(|b| b.id == id)
    }

    /// The id of `tp`'s oldest batch that has a sequence: the next the broker expects.
    fn oldest_sequenced(&self, tp: &TopicPartition) -> Option<u64> {
        let q = self.accumulator.get(tp)?;
        q.iter().find(|b| b.base_sequence.is_some()).map(|b| b.id)
    }

    /// `tp`'s batches that have a sequence get new ones from 0 in the current epoch
    /// (`TxnPartitionEntry.startSequencesAtBeginning`).
    fn start_sequences_at_beginning(&mut self, tp: &TopicPartition) {
        let epoch = self.producer_epoch;
        let mut next = 0i32;
        for b in self.accumulator.get_mut(tp).into_iter().flatten() {
            if b.base_sequence.is_some() {
                b.base_sequence = Some(next);
                b.epoch = epoch;
                b.sequence_reset = b.in_flight;
                next = next.wrapping_add(b.records.len() as i32);
            }
        }
        self.sequences.insert(tp.clone(), (epoch, next));
    }

    /// Removes a batch from the accumulator and hands it over.
    fn take_batch(&mut self, tp: &TopicPartition, id: u64) -> Option<Batch> {
        let q = self.accumulator.get_mut(tp)?;
        let at = q.iter().position(|b| b.id == id)?;
        let batch = q.remove(at);
        if q.is_empty() {
            self.accumulator.remove(tp);
        }
        batch
    }
}
