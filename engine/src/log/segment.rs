//! A log segment: a contiguous run of offsets starting at its base offset
//! (`storage/.../internals/log/LogSegment.java`).

use super::log_config::LogConfig;
use super::record::{records_size, Record, NO_TIMESTAMP};
use serde::Serialize;

/// One segment. Only the last segment of a log (the active one) is appended to.
#[derive(Clone, Debug)]
pub struct Segment {
    pub(crate) base_offset: i64,
    pub(crate) records: Vec<Record>,
    pub(crate) size_bytes: i64,
    /// Largest record timestamp (`maxTimestampSoFar`), [`NO_TIMESTAMP`] when none.
    pub(crate) max_timestamp: i64,
    /// Max timestamp of the segment's first batch: what `segment.ms` rolling measures from.
    pub(crate) rolling_base_timestamp: Option<i64>,
    pub(crate) created_ms: i64,
    /// Simulated file mtime: time of the last append (kept across cleaning, as Kafka does).
    pub(crate) last_modified_ms: i64,
    pub(crate) roll_jitter_ms: i64,
    /// Set by the first cleaning that kept a tombstone here (KIP-534): tombstones are dropped by
    /// a cleaning at or after this time.
    pub(crate) delete_horizon_ms: Option<i64>,
}

/// A read-only summary of a segment, for retention results, views and tests.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SegmentInfo {
    pub base_offset: i64,
    /// Upper bound: the next segment's base offset, or the log end offset for the active one.
    pub end_offset: i64,
    pub size_bytes: i64,
    /// Largest record timestamp, -1 when the segment has none.
    pub largest_timestamp: i64,
    pub record_count: u64,
}

impl Segment {
    pub(crate) fn new(base_offset: i64, now_ms: i64, roll_jitter_ms: i64) -> Segment {
        Segment {
            base_offset,
            records: Vec::new(),
            size_bytes: 0,
            max_timestamp: NO_TIMESTAMP,
            rolling_base_timestamp: None,
            created_ms: now_ms,
            last_modified_ms: now_ms,
            roll_jitter_ms,
            delete_horizon_ms: None,
        }
    }

    pub fn base_offset(&self) -> i64 {
        self.base_offset
    }

    pub fn size_bytes(&self) -> i64 {
        self.size_bytes
    }

    pub fn records(&self) -> &[Record] {
        &self.records
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Largest record timestamp, -1 when none.
    pub fn max_timestamp(&self) -> i64 {
        self.max_timestamp
    }

    /// `LogSegment.largestTimestamp`: the largest record timestamp, or the file's mtime when the
    /// segment has no timestamps. This is what `retention.ms` compares against.
    pub fn largest_timestamp(&self) -> i64 {
        if self.max_timestamp >= 0 {
            self.max_timestamp
        } else {
            self.last_modified_ms
        }
    }

    pub fn delete_horizon_ms(&self) -> Option<i64> {
        self.delete_horizon_ms
    }

    pub fn info(&self, end_offset: i64) -> SegmentInfo {
        SegmentInfo {
            base_offset: self.base_offset,
            end_offset,
            size_bytes: self.size_bytes,
            largest_timestamp: self.max_timestamp,
            record_count: self.records.len() as u64,
        }
    }

    /// Index of the first record with offset ≥ `offset` (compaction leaves gaps).
    ///
    /// Reads mostly ask for the tail of an uncompacted segment, where offsets are dense: the
    /// record at `offset - first offset` is then the answer, checked in O(1) before falling back
    /// to a binary search.
    pub(crate) fn index_at_or_after(&self, offset: i64) -> usize {
        let records = &self.records;
        let (Some(first), Some(last)) = (records.first(), records.last()) else {
            return 0;
        };
        if offset <= first.offset() {
            return 0;
        }
        if offset > last.offset() {
            return records.len();
        }
        if let Ok(guess) = usize::try_from(offset - first.offset()) {
            let hit = records.get(guess).is_some_and(|r| r.offset() == offset);
            // Offsets strictly increase, so an exact hit at `guess` is the first one ≥ `offset`.
            if hit {
                return guess;
            }
        }
        records.partition_point(|r| r.offset() < offset)
    }

    /// `LogSegment.timeWaitedForRoll`.
    fn time_waited_for_roll(&self, now_ms: i64, max_timestamp_in_batch: i64) -> i64 {
        match self.rolling_base_timestamp {
            Some(ts) if ts >= 0 => max_timestamp_in_batch.saturating_sub(ts),
            _ => now_ms.saturating_sub(self.created_ms),
        }
    }

    /// `LogSegment.shouldRoll`: full by bytes, old by `segment.ms`, or offsets too far from the
    /// base to store relative to it. (Kafka's index-full condition needs ~1.3 M index entries and
    /// is not modelled.)
    pub(crate) fn should_roll(
        &self,
        config: &LogConfig,
        batch_bytes: i64,
        max_timestamp_in_batch: i64,
        last_offset: i64,
        now_ms: i64,
    ) -> bool {
        let reached_roll_ms = self.time_waited_for_roll(now_ms, max_timestamp_in_batch)
            > config.segment_ms.saturating_sub(self.roll_jitter_ms);
        let offset_overflow = last_offset.saturating_sub(self.base_offset) > i64::from(i32::MAX);
        self.size_bytes > config.segment_bytes.saturating_sub(batch_bytes)
            || (self.size_bytes > 0 && reached_roll_ms)
            || offset_overflow
    }

    /// Appends records already validated and offset-assigned by the log. The first append into
    /// an empty segment sets what `segment.ms` measures from: its largest timestamp, over all
    /// the batches of a follower's append (`LogSegment.append`).
    pub(crate) fn append(
        &mut self,
        records: impl IntoIterator<Item = Record>,
        bytes: i64,
        max_timestamp: i64,
        now_ms: i64,
    ) {
        if self.records.is_empty() && self.rolling_base_timestamp.is_none() {
            self.rolling_base_timestamp = Some(max_timestamp);
        }
        let records = records.into_iter();
        let needed = self.records.len() + records.size_hint().0;
        if needed > self.records.capacity() {
            // Grow by a quarter, not double: the active segment is where a log's memory goes,
            // and doubling leaves up to half of it unused (a rolled segment is shrunk to fit).
            let grown = needed.max(self.records.len() + self.records.len() / 4);
            self.records.reserve_exact(grown - self.records.len());
        }
        self.records.extend(records);
        self.size_bytes += bytes;
        self.max_timestamp = self.max_timestamp.max(max_timestamp);
        self.last_modified_ms = now_ms;
    }

    /// Recomputes size and largest timestamp after records were removed.
    pub(crate) fn recompute(&mut self) {
        self.size_bytes = records_size(&self.records);
        self.max_timestamp = self
            .records
            .iter()
            .map(Record::timestamp)
            .max()
            .unwrap_or(NO_TIMESTAMP);
    }

    /// `LogSegment.truncateTo`: drops records at or above `offset`.
    pub(crate) fn truncate_to(&mut self, offset: i64) {
        let keep = self.index_at_or_after(offset);
        if keep == self.records.len() {
            return;
        }
        self.records.truncate(keep);
        self.recompute();
        if self.records.is_empty() {
            self.rolling_base_timestamp = None;
        }
    }
}
