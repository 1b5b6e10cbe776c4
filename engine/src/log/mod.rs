//! A partition log: segments, offsets, retention and compaction (kafka-spec §6, §3.1).
//!
//! [`Log`] is one replica's copy of a partition. It is a pure data structure: the simulation owns
//! time and replication, so every operation is given `now_ms`, and the high watermark is passed
//! in (replication owns it) wherever Kafka's log consults it.
//!
//! * append: [`Log::append`] (leader, assigns offsets) and [`Log::append_as_follower`] (keeps the
//!   leader's offsets and shares its payloads); both roll segments per `LogSegment.shouldRoll`.
//! * read: [`Log::read`] per `UnifiedLog.read` / §3.1.
//! * truncation: [`Log::truncate_to`], [`Log::truncate_fully_and_start_at`].
//! * retention and DeleteRecords: `retention.rs`; compaction: `compaction.rs`.
//!
//! Segments sit behind `Arc` so cloning a log for a checkpoint copies only the segment list;
//! a segment is copied on its next write (`Arc::make_mut`).

mod compaction;
mod error;
mod log_config;
mod memory_records;
mod record;
mod retention;
mod segment;

#[cfg(test)]
mod tests;

pub use compaction::{CleanableStats, CompactionResult};
pub use error::LogError;
pub use log_config::{CleanupPolicy, LogConfig};
pub use memory_records::MemoryRecords;
pub use record::{
    size_of_varlong, Header, NewRecord, ProducerInfo, Record, RecordProducer, TimestampType,
    NO_TIMESTAMP, RECORD_BATCH_OVERHEAD,
};
pub use retention::{DeletedSegment, DeletionReason, RetentionResult};
pub use segment::{Segment, SegmentInfo};

use crate::TopicPartition;
use memory_records::Run;
use record::{RecordParts, RecordsSize};
use segment::At;
use serde::Serialize;
use std::sync::Arc;

/// One replica's log of one partition.
#[derive(Clone, Debug)]
pub struct Log {
    topic_partition: TopicPartition,
    /// Ordered by base offset, never empty; the last one is the active segment.
    segments: Vec<Arc<Segment>>,
    log_start_offset: i64,
    log_end_offset: i64,
    /// The log cleaner's checkpoint: where the dirty (never cleaned) part begins.
    cleaner_checkpoint: Option<i64>,
}

/// What an append did (`LogAppendInfo`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AppendInfo {
    pub first_offset: i64,
    pub last_offset: i64,
    pub max_timestamp: i64,
    /// The broker time stamped on the batch under LogAppendTime, else -1 (as Kafka reports it).
    pub log_append_time_ms: i64,
    /// Bytes the append added (see the size model in `record.rs`).
    pub size_bytes: i64,
    pub record_count: u64,
    /// Base offset of the segment rolled before this append, if one was.
    pub rolled_segment_base: Option<i64>,
}

/// What a read returns (`FetchDataInfo`): whole batches, and the bytes of the slice sent,
/// which may end with part of a batch the fetcher drops (`LogSegment.read` cuts at the limit).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LogRead {
    pub records: MemoryRecords,
    pub bytes: i64,
}

/// One batch as a read sees it: where its stored records (those below the read's bound) end,
/// and their bytes in the size model.
struct BatchView {
    end: At,
    bytes: i64,
}

/// The batches of one segment from a read's first batch up to its bound.
struct Batches<'a> {
    segment: &'a Segment,
    /// Where the next batch starts.
    at: At,
    upper: i64,
    /// A later segment starts below the bound (`LogOffsetMetadata.onOlderSegment`).
    segment_ends_before_bound: bool,
}

impl Iterator for Batches<'_> {
    type Item = BatchView;

    fn next(&mut self) -> Option<BatchView> {
        let mut base = None;
        let mut bytes = RECORD_BATCH_OVERHEAD;
        let start = self.at;
        'runs: while let Some(run) = self.segment.runs().get(self.at.run) {
            for r in &run[self.at.index.min(run.len())..] {
                if r.offset() >= self.upper {
                    break 'runs;
                }
                let (b, size) = r.batch_and_size();
                if *base.get_or_insert(b) != b {
                    break 'runs;
                }
                bytes += size;
                self.at.index += 1;
            }
            self.at = At {
                run: self.at.run + 1,
                index: 0,
            };
        }
        (self.at != start).then_some(BatchView {
            end: self.at,
            bytes,
        })
    }
}

/// Stored records in offset order, across runs and segments. Written out rather than nested
/// `flat_map`s: the guarantee checker walks every record of every replica with it, and with
/// the nested adapters that walk took about twice as long.
struct RecordIter<'a> {
    segments: std::slice::Iter<'a, Arc<Segment>>,
    runs: std::slice::Iter<'a, Run>,
    records: std::slice::Iter<'a, Record>,
}

impl<'a> RecordIter<'a> {
    /// The records of `segments` with offset ≥ `offset`.
    fn new(segments: &'a [Arc<Segment>], offset: i64) -> RecordIter<'a> {
        let start = segments
            .partition_point(|s| s.base_offset <= offset)
            .saturating_sub(1);
        let mut segments = segments[start.min(segments.len())..].iter();
        let (first, runs) = segments
            .next()
            .map_or((&[][..], &[][..]), |s| s.runs_from(s.position(offset)));
        RecordIter {
            segments,
            runs: runs.iter(),
            records: first.iter(),
        }
    }
}

impl<'a> Iterator for RecordIter<'a> {
    type Item = &'a Record;

    #[inline]
    fn next(&mut self) -> Option<&'a Record> {
        loop {
            if let Some(r) = self.records.next() {
                return Some(r);
            }
            match self.runs.next() {
                Some(run) => self.records = run.iter(),
                None => self.runs = self.segments.next()?.runs().iter(),
            }
        }
    }
}

/// One segment of a log built by [`Log::from_segment_specs`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SegmentSpec {
    pub base_offset: i64,
    pub size_bytes: i64,
    /// Largest record timestamp, -1 for none.
    pub largest_timestamp: i64,
}

impl Log {
    /// An empty log starting at offset 0.
    pub fn new(topic_partition: TopicPartition, now_ms: i64) -> Log {
        Log {
            topic_partition,
            segments: vec![Arc::new(Segment::new(0, now_ms, 0))],
            log_start_offset: 0,
            log_end_offset: 0,
            cleaner_checkpoint: None,
        }
    }

    /// A log in an exact shape: given segments, log start and log end offsets (test vectors,
    /// scenario fixtures). Each segment is filled with one record per offset up to the next
    /// segment (null key, empty value, timestamp = its largest timestamp); its size is then set
    /// to the given size rather than the size model's.
    pub fn from_segment_specs(
        topic_partition: TopicPartition,
        specs: &[SegmentSpec],
        log_start_offset: i64,
        log_end_offset: i64,
        now_ms: i64,
    ) -> Result<Log, LogError> {
        const MAX_FILL: i64 = 1_000_000;
        let invalid = |message: String| Err(LogError::InvalidRequest { message });
        let Some(first) = specs.first() else {
            return invalid("A log needs at least one segment.".into());
        };
        if first.base_offset < 0 {
            return invalid(format!(
                "Segment base offset {} is negative.",
                first.base_offset
            ));
        }
        for w in specs.windows(2) {
            if w[1].base_offset <= w[0].base_offset {
                return invalid(format!(
                    "Segment base offsets must increase, got {} after {}.",
                    w[1].base_offset, w[0].base_offset
                ));
            }
        }
        let last_base = specs.last().map_or(0, |s| s.base_offset);
        if !(first.base_offset <= log_start_offset
            && log_start_offset <= log_end_offset
            && last_base <= log_end_offset)
        {
            return invalid(format!(
                "Need first segment base {} <= log start offset {} <= log end offset {} and last segment base {} <= log end offset.",
                first.base_offset, log_start_offset, log_end_offset, last_base
            ));
        }
        if log_end_offset - first.base_offset > MAX_FILL {
            return invalid(format!(
                "A fixture log may hold at most {MAX_FILL} offsets."
            ));
        }
        let mut segments = Vec::with_capacity(specs.len());
        for (i, spec) in specs.iter().enumerate() {
            if spec.size_bytes < 0 {
                return invalid(format!("Segment size {} is negative.", spec.size_bytes));
            }
            let end = specs.get(i + 1).map_or(log_end_offset, |n| n.base_offset);
            let mut seg = Segment::new(spec.base_offset, now_ms, 0);
            let template = Record::build(RecordParts {
                offset: 0,
                timestamp: spec.largest_timestamp,
                timestamp_type: TimestampType::CreateTime,
                offset_delta: 0,
                size_in_batch: 0,
                record: &NewRecord::text(NO_TIMESTAMP, None, Some("")),
                producer: None,
            });
            seg.set_records(Run::from(
                (spec.base_offset..end)
                    .map(|o| template.relocated(o))
                    .collect::<Vec<_>>(),
            ));
            seg.size_bytes = spec.size_bytes;
            seg.max_timestamp = if seg.is_empty() {
                NO_TIMESTAMP
            } else {
                spec.largest_timestamp
            };
            if !seg.is_empty() {
                seg.rolling_base_timestamp = Some(spec.largest_timestamp);
            }
            segments.push(Arc::new(seg));
        }
        Ok(Log {
            topic_partition,
            segments,
            log_start_offset,
            log_end_offset,
            cleaner_checkpoint: None,
        })
    }

    pub fn topic_partition(&self) -> &TopicPartition {
        &self.topic_partition
    }

    /// First offset still readable.
    pub fn log_start_offset(&self) -> i64 {
        self.log_start_offset
    }

    /// LEO: the offset the next appended record gets.
    pub fn log_end_offset(&self) -> i64 {
        self.log_end_offset
    }

    /// Segments oldest first; the last one is active.
    pub fn segments(&self) -> impl Iterator<Item = &Segment> + '_ {
        self.segments.iter().map(|s| &**s)
    }

    pub fn segment_count(&self) -> usize {
        self.segments.len()
    }

    pub fn active_segment(&self) -> Option<&Segment> {
        self.segments.last().map(|s| &**s)
    }

    pub fn segment_infos(&self) -> Vec<SegmentInfo> {
        (0..self.segments.len())
            .map(|i| self.segments[i].info(self.upper_bound(i)))
            .collect()
    }

    /// Total bytes over all segments (`UnifiedLog.size`).
    pub fn size_in_bytes(&self) -> i64 {
        self.segments.iter().map(|s| s.size_bytes).sum()
    }

    /// Records stored, including any below the log start offset in its segment.
    pub fn record_count(&self) -> u64 {
        self.segments.iter().map(|s| s.record_count() as u64).sum()
    }

    /// Where the next compaction's dirty section begins, if the log was ever cleaned.
    pub fn cleaner_checkpoint(&self) -> Option<i64> {
        self.cleaner_checkpoint
    }

    /// Upper bound of segment `i`: next segment's base, or LEO for the active one.
    fn upper_bound(&self, i: usize) -> i64 {
        self.segments
            .get(i + 1)
            .map_or(self.log_end_offset, |s| s.base_offset)
    }

    /// The active segment, writable (copied first if a checkpoint still shares it).
    fn active_mut(&mut self) -> &mut Segment {
        if self.segments.is_empty() {
            self.segments
                .push(Arc::new(Segment::new(self.log_end_offset, 0, 0)));
        }
        let last = self.segments.len() - 1;
        Arc::make_mut(&mut self.segments[last])
    }

    /// `LocalLog.roll`: a new active segment at `max(expected_next_offset, LEO)`. An empty active
    /// segment at that offset is replaced rather than duplicated.
    fn roll(&mut self, expected_next_offset: Option<i64>, now_ms: i64, jitter_bound_ms: i64) {
        let new_offset = expected_next_offset.unwrap_or(0).max(self.log_end_offset);
        let roll_jitter_ms = roll_jitter(jitter_bound_ms, new_offset, now_ms);
        let mut expected = 0;
        if let Some(active) = self.segments.last_mut() {
            if active.base_offset == new_offset && active.is_empty() {
                *active = Arc::new(Segment::new(new_offset, now_ms, roll_jitter_ms));
                return;
            }
            expected = active.run_count();
            if let Some(seg) = Arc::get_mut(active) {
                seg.shrink_to_fit();
            }
        }
        let mut next = Segment::new(new_offset, now_ms, roll_jitter_ms);
        next.reserve_runs(expected);
        self.segments.push(Arc::new(next));
    }

    /// `UnifiedLog.maybeRoll`, then the append itself. `runs` hold the offsets
    /// `first_offset..=last_offset` in order (the leader's batch, or a follower's fetched
    /// records), and are not empty.
    fn roll_and_append(
        &mut self,
        runs: impl Iterator<Item = Run>,
        (first_offset, last_offset): (i64, i64),
        bytes: i64,
        max_timestamp: i64,
        now_ms: i64,
        config: &LogConfig,
    ) -> Option<i64> {
        let mut rolled = None;
        let should_roll = self
            .active_segment()
            .is_none_or(|s| s.should_roll(config, bytes, max_timestamp, last_offset, now_ms));
        if should_roll {
            self.roll(Some(first_offset), now_ms, config.segment_jitter_ms);
            rolled = self.active_segment().map(Segment::base_offset);
        }
        self.active_mut().append(runs, bytes, max_timestamp, now_ms);
        self.log_end_offset = last_offset + 1;
        rolled
    }

    /// Leader append of one producer batch: validates it, assigns offsets from LEO, stamps
    /// LogAppendTime if configured, and rolls the active segment first if needed (§6.1).
    pub fn append(
        &mut self,
        records: Vec<NewRecord>,
        now_ms: i64,
        config: &LogConfig,
    ) -> Result<AppendInfo, LogError> {
        self.append_with_producer(&records, None, now_ms, config)
    }

    /// [`Log::append`] for a batch from an idempotent producer (its id, epoch and base
    /// sequence are stored on the records; duplicate detection is not the log's job here).
    pub fn append_with_producer(
        &mut self,
        records: &[NewRecord],
        producer: Option<ProducerInfo>,
        now_ms: i64,
        config: &LogConfig,
    ) -> Result<AppendInfo, LogError> {
        let tp = &self.topic_partition;
        let Some(first) = records.first() else {
            return Err(LogError::InvalidRecord {
                message: format!("A produce batch for {tp} must contain at least one record."),
            });
        };
        let log_append_time = config.message_timestamp_type == TimestampType::LogAppendTime;
        if !log_append_time {
            validate_timestamps(records, now_ms, config)?;
        }
        let base_timestamp = first.timestamp;
        let count = records.len() as i64;
        let first_offset = self.log_end_offset;
        let last_offset =
            first_offset
                .checked_add(count - 1)
                .ok_or_else(|| LogError::InvalidRecord {
                    message: format!("Offsets of {tp} would overflow past {first_offset}."),
                })?;
        let max_timestamp = if log_append_time {
            now_ms
        } else {
            records
                .iter()
                .map(|r| r.timestamp)
                .max()
                .unwrap_or(NO_TIMESTAMP)
        };
        let timestamp_type = config.message_timestamp_type;
        // Encoded first, then checked (the encoding fixes each record's size): a batch
        // refused here is dropped unstored.
        let encoded = Record::encode_batch(records.iter().enumerate().map(|(i, r)| {
            let i = i as i64;
            RecordParts {
                offset: first_offset + i,
                timestamp: if log_append_time { now_ms } else { r.timestamp },
                timestamp_type,
                offset_delta: i,
                size_in_batch: r.size_in_batch(i, r.timestamp.wrapping_sub(base_timestamp)),
                record: r,
                producer: producer.map(|p| RecordProducer {
                    producer_id: p.producer_id,
                    producer_epoch: p.producer_epoch,
                    sequence: increment_sequence(p.base_sequence, i),
                }),
            }
        }));
        let batch_bytes = RECORD_BATCH_OVERHEAD + encoded.records_size;
        if batch_bytes > config.max_message_bytes {
            return Err(LogError::RecordTooLarge {
                message: format!(
                    "The record batch size in the append to {tp} is {batch_bytes} bytes which exceeds the maximum configured value of {}.",
                    config.max_message_bytes
                ),
            });
        }
        if batch_bytes > config.segment_bytes {
            return Err(LogError::RecordBatchTooLarge {
                message: format!(
                    "Message batch size is {batch_bytes} bytes in append to partition {tp}, which exceeds the maximum configured segment size of {}.",
                    config.segment_bytes
                ),
            });
        }
        let rolled = self.roll_and_append(
            std::iter::once(encoded.run),
            (first_offset, last_offset),
            batch_bytes,
            max_timestamp,
            now_ms,
            config,
        );
        Ok(AppendInfo {
            first_offset,
            last_offset,
            max_timestamp,
            log_append_time_ms: if log_append_time { now_ms } else { -1 },
            size_bytes: batch_bytes,
            record_count: count as u64,
            rolled_segment_base: rolled,
        })
    }

    /// Follower append of records fetched from the leader: offsets and payloads are kept (and
    /// shared), gaps from the leader's compaction are allowed, and the first offset must not be
    /// below LEO. Rolls once for the whole chunk, as Kafka's `appendAsFollower` does.
    pub fn append_as_follower(
        &mut self,
        records: &[Record],
        now_ms: i64,
        config: &LogConfig,
    ) -> Result<AppendInfo, LogError> {
        self.append_owned_as_follower(MemoryRecords::from(records.to_vec()), now_ms, config)
    }

    /// [`Log::append_as_follower`] for records the caller owns (a fetch response): their runs
    /// are stored as they are, shared with the leader's.
    pub fn append_owned_as_follower(
        &mut self,
        records: MemoryRecords,
        now_ms: i64,
        config: &LogConfig,
    ) -> Result<AppendInfo, LogError> {
        let tp = &self.topic_partition;
        let (Some(first), Some(last)) = (records.first(), records.last()) else {
            return Err(LogError::InvalidRecord {
                message: format!("A replicated append to {tp} must contain at least one record."),
            });
        };
        if first.offset() < self.log_end_offset {
            return Err(LogError::UnexpectedAppendOffset {
                message: format!(
                    "Unexpected offset in append to {tp}. First offset {} is less than the next offset {}. Log start offset = {}",
                    first.offset(),
                    self.log_end_offset,
                    self.log_start_offset
                ),
            });
        }
        // One pass, run by run: the offsets' order, the bytes, the largest timestamp.
        let mut previous = None;
        let mut out_of_order = None;
        let mut size = RecordsSize::default();
        let mut max_timestamp = NO_TIMESTAMP;
        for run in records.runs() {
            for r in run.iter() {
                let offset = r.offset();
                if let Some(p) = previous.filter(|&p| offset <= p) {
                    out_of_order.get_or_insert((p, offset));
                }
                previous = Some(offset);
                size.add(r);
                max_timestamp = max_timestamp.max(r.timestamp());
            }
        }
        if let Some((a, b)) = out_of_order {
            return Err(LogError::OffsetsOutOfOrder {
                message: format!(
                    "Out of order offsets found in append to {tp}: offset {b} follows {a}"
                ),
            });
        }
        let bytes = size.total;
        if bytes > config.segment_bytes {
            return Err(LogError::RecordBatchTooLarge {
                message: format!(
                    "Message batch size is {bytes} bytes in append to partition {tp}, which exceeds the maximum configured segment size of {}.",
                    config.segment_bytes
                ),
            });
        }
        let log_append_time_ms = if first.timestamp_type() == TimestampType::LogAppendTime {
            max_timestamp
        } else {
            -1
        };
        let info_first = first.offset();
        let info_last = last.offset();
        let count = records.len() as u64;
        let rolled = self.roll_and_append(
            records.into_runs().into_iter(),
            (info_first, info_last),
            bytes,
            max_timestamp,
            now_ms,
            config,
        );
        Ok(AppendInfo {
            first_offset: info_first,
            last_offset: info_last,
            max_timestamp,
            log_append_time_ms,
            size_bytes: bytes,
            record_count: count,
            rolled_segment_base: rolled,
        })
    }

    /// Records from `from_offset` (§3.1, `UnifiedLog.read` and `LogSegment.read`):
    /// * below the log start offset or above LEO → `OFFSET_OUT_OF_RANGE`;
    /// * at or past `upper_bound_exclusive` (HW for consumers, LSO for read_committed, LEO for
    ///   followers) → empty, not an error;
    /// * otherwise the whole batches from the one holding the first record at or after
    ///   `from_offset` (compaction leaves gaps), within that record's segment and below the
    ///   bound, that fit in `max_bytes`; with `min_one_message` the first batch comes even when
    ///   larger, so a large batch cannot block a fetcher (KIP-74). Records of the first batch
    ///   before `from_offset` count toward the bytes but are left out, as fetchers skip them.
    pub fn read(
        &self,
        from_offset: i64,
        max_bytes: i64,
        min_one_message: bool,
        upper_bound_exclusive: i64,
    ) -> Result<LogRead, LogError> {
        if self.out_of_range(from_offset) {
            return Err(self.out_of_range_error(from_offset));
        }
        let mut read = LogRead::default();
        let Some(mut batches) = self.batches_from(from_offset, upper_bound_exclusive) else {
            // Nothing readable (a caught-up fetch, the common case): no search, no allocation.
            return Ok(read);
        };
        let mut limit = max_bytes.max(0);
        let mut first = true;
        // The whole batches read are consecutive records of one segment: found first, then
        // handed out as the runs that hold them.
        let (segment, start) = (batches.segment, batches.at);
        let mut end = start;
        for batch in batches.by_ref() {
            if first && min_one_message {
                limit = limit.max(batch.bytes);
            }
            first = false;
            if read.bytes + batch.bytes > limit {
                // The slice ends inside this batch: its bytes are sent, its records are not.
                read.bytes = limit;
                break;
            }
            read.bytes += batch.bytes;
            end = batch.end;
        }
        // The first batch's records before `from_offset` are not returned.
        read.records = segment.slice(start, end, from_offset);
        Ok(read)
    }

    /// What a fetch waiting at `from_offset` for data below `upper_bound_exclusive` may count
    /// (`DelayedFetch.tryComplete`): `None` when it should complete whatever the bytes (out of
    /// range, or its segment ends before the bound: "fetching older segments"), else the bytes
    /// of its segment's batches below the bound, counted up to `cap` (the partition's limit).
    pub fn bytes_readable(
        &self,
        from_offset: i64,
        upper_bound_exclusive: i64,
        cap: i64,
    ) -> Option<i64> {
        if self.out_of_range(from_offset) {
            return None;
        }
        let Some(batches) = self.batches_from(from_offset, upper_bound_exclusive) else {
            return Some(0);
        };
        if batches.segment_ends_before_bound {
            return None;
        }
        // There is a batch: its header alone reaches a cap this small (`fetch.min.bytes=1`, the
        // default), without sizing its records.
        if cap <= RECORD_BATCH_OVERHEAD {
            return Some(cap.max(0));
        }
        let mut bytes = 0;
        for batch in batches {
            if bytes >= cap {
                break;
            }
            bytes += batch.bytes;
        }
        Some(bytes.min(cap))
    }

    /// The batches a read from an in-range `from_offset` sees: those of the first segment with a
    /// record at or after it, from that record's batch up to `upper_bound_exclusive`; `None` when
    /// there is nothing below the bound.
    fn batches_from(&self, from_offset: i64, upper_bound_exclusive: i64) -> Option<Batches<'_>> {
        let upper = self.readable_bound(from_offset, upper_bound_exclusive)?;
        let first = self
            .segments
            .partition_point(|s| s.base_offset <= from_offset)
            .saturating_sub(1);
        for (i, s) in self.segments.iter().enumerate().skip(first) {
            let mut at = s.position(from_offset);
            let Some(r) = s.get(at) else {
                continue;
            };
            if r.offset() >= upper {
                return None;
            }
            // The batch holding `from_offset` is read whole, from its first stored record.
            let base = r.batch_base_offset();
            if base != r.offset() {
                while let Some(prev) = s
                    .prev(at)
                    .filter(|&p| s.get(p).is_some_and(|x| x.batch_base_offset() == base))
                {
                    at = prev;
                }
            }
            return Some(Batches {
                segment: s,
                at,
                upper,
                segment_ends_before_bound: self.upper_bound(i) < upper,
            });
        }
        None
    }

    /// Below the log start offset or above LEO: `OFFSET_OUT_OF_RANGE`.
    fn out_of_range(&self, from_offset: i64) -> bool {
        from_offset < self.log_start_offset || from_offset > self.log_end_offset
    }

    fn out_of_range_error(&self, from_offset: i64) -> LogError {
        let tp = &self.topic_partition;
        let message = if from_offset < self.log_start_offset {
            format!(
                "Received request for offset {from_offset} for partition {tp}, but we only have log segments starting from offset: {}.",
                self.log_start_offset
            )
        } else {
            format!(
                "Received request for offset {from_offset} for partition {tp}, but we only have log segments upto {}.",
                self.log_end_offset
            )
        };
        LogError::OffsetOutOfRange { message }
    }

    /// The exclusive bound a read from an in-range `from_offset` may reach, or `None` when it
    /// can return nothing (at or past the bound).
    fn readable_bound(&self, from_offset: i64, upper_bound_exclusive: i64) -> Option<i64> {
        let upper = upper_bound_exclusive.min(self.log_end_offset);
        (from_offset < upper).then_some(upper)
    }

    /// Every stored record with offset ≥ `offset`, in order (no range checks).
    pub fn iter_from(&self, offset: i64) -> impl Iterator<Item = &Record> + '_ {
        RecordIter::new(&self.segments, offset)
    }

    /// Readable records, from the log start offset.
    pub fn records(&self) -> impl Iterator<Item = &Record> + '_ {
        self.iter_from(self.log_start_offset)
    }

    /// Follower truncation (`UnifiedLog.truncateTo`): removes every record at or above `offset`
    /// and sets LEO to it. Returns whether anything changed (false when `offset` ≥ LEO). If the
    /// whole log lies above `offset` it restarts there. The log start offset is lowered to
    /// `offset` if above it; the cleaner checkpoint likewise.
    pub fn truncate_to(&mut self, offset: i64) -> Result<bool, LogError> {
        if offset < 0 {
            return Err(LogError::InvalidRequest {
                message: format!(
                    "Cannot truncate partition {} to a negative offset ({offset}).",
                    self.topic_partition
                ),
            });
        }
        if offset >= self.log_end_offset {
            return Ok(false);
        }
        let first_base = self.segments.first().map_or(0, |s| s.base_offset);
        if first_base > offset {
            self.truncate_fully_and_start_at(offset)?;
            return Ok(true);
        }
        // Kafka keeps a segment whose base equals the target (it becomes empty).
        self.segments.retain(|s| s.base_offset <= offset);
        self.active_mut().truncate_to(offset);
        self.log_end_offset = offset;
        self.log_start_offset = self.log_start_offset.min(offset);
        self.cleaner_checkpoint = self.cleaner_checkpoint.map(|c| c.min(offset));
        Ok(true)
    }

    /// `UnifiedLog.truncateFullyAndStartAt`: drops everything and restarts empty at `offset`
    /// (a follower whose LEO fell below the leader's log start offset); the log start offset
    /// becomes `offset` too.
    pub fn truncate_fully_and_start_at(&mut self, offset: i64) -> Result<(), LogError> {
        if offset < 0 {
            return Err(LogError::InvalidRequest {
                message: format!(
                    "Cannot restart partition {} at a negative offset ({offset}).",
                    self.topic_partition
                ),
            });
        }
        let created = self.active_segment().map_or(0, |s| s.last_modified_ms);
        self.segments = vec![Arc::new(Segment::new(offset, created, 0))];
        self.log_end_offset = offset;
        self.log_start_offset = offset;
        self.cleaner_checkpoint = None;
        Ok(())
    }

    /// Structural invariants; `Err` names the first one broken. Used by tests and by the
    /// simulation's live invariant checks.
    pub fn check_invariants(&self) -> Result<(), String> {
        let Some(first) = self.segments.first() else {
            return Err("log has no segments".into());
        };
        if first.base_offset > self.log_start_offset {
            return Err(format!(
                "first segment base {} above log start offset {}",
                first.base_offset, self.log_start_offset
            ));
        }
        if self.log_start_offset > self.log_end_offset {
            return Err(format!(
                "log start offset {} above log end offset {}",
                self.log_start_offset, self.log_end_offset
            ));
        }
        let mut prev_offset: Option<i64> = None;
        for (i, s) in self.segments.iter().enumerate() {
            let upper = self.upper_bound(i);
            if s.base_offset > upper || (i + 1 < self.segments.len() && s.base_offset == upper) {
                return Err(format!(
                    "segment {} not below its upper bound {upper}",
                    s.base_offset
                ));
            }
            for r in s.records() {
                if r.offset() < s.base_offset || r.offset() >= upper {
                    return Err(format!(
                        "record {} outside segment [{}, {upper})",
                        r.offset(),
                        s.base_offset
                    ));
                }
                if prev_offset.is_some_and(|p| p >= r.offset()) {
                    return Err(format!("offset {} does not increase", r.offset()));
                }
                prev_offset = Some(r.offset());
            }
            let max_ts = s
                .records()
                .map(Record::timestamp)
                .max()
                .unwrap_or(NO_TIMESTAMP);
            if max_ts != s.max_timestamp {
                return Err(format!(
                    "segment {} max timestamp {} but records say {max_ts}",
                    s.base_offset, s.max_timestamp
                ));
            }
        }
        Ok(())
    }
}

/// `LogValidator.validateTimestamp` for CreateTime (4.0): within
/// `[now - before.max.ms, now + after.max.ms]`; the offset reported is the record's position in
/// the producer's batch, as the broker reports it before assigning offsets.
fn validate_timestamps(
    records: &[NewRecord],
    now_ms: i64,
    config: &LogConfig,
) -> Result<(), LogError> {
    for (i, r) in records.iter().enumerate() {
        if r.timestamp == NO_TIMESTAMP {
            continue;
        }
        let diff = i128::from(r.timestamp) - i128::from(now_ms);
        if diff > i128::from(config.message_timestamp_after_max_ms)
            || -diff > i128::from(config.message_timestamp_before_max_ms)
        {
            return Err(LogError::InvalidTimestamp {
                message: format!(
                    "Timestamp {} of message with offset {i} is out of range. The timestamp should be within [{}, {}]",
                    r.timestamp,
                    now_ms.wrapping_sub(config.message_timestamp_before_max_ms),
                    now_ms.wrapping_add(config.message_timestamp_after_max_ms)
                ),
            });
        }
    }
    Ok(())
}

/// `DefaultRecordBatch.incrementSequence`: sequences wrap from `i32::MAX` to 0.
fn increment_sequence(sequence: i32, increment: i64) -> i32 {
    let modulus = i64::from(i32::MAX) + 1;
    ((i64::from(sequence) + increment).rem_euclid(modulus)) as i32
}

/// A new segment's roll jitter in `[0, bound)` (`LogConfig.randomSegmentJitter`). Kafka draws
/// it from a thread-local random; here it is drawn from the segment's base offset and creation
/// time, so a log needs no generator and the same run rolls the same way.
fn roll_jitter(bound_ms: i64, base_offset: i64, now_ms: i64) -> i64 {
    if bound_ms <= 0 {
        return 0;
    }
    let seed = (base_offset as u64).rotate_left(32) ^ now_ms as u64;
    i64::from(crate::rng::SimRng::seeded(seed).next_non_negative_i32()) % bound_ms
}
