//! A log segment: a contiguous run of offsets starting at its base offset
//! (`storage/.../internals/log/LogSegment.java`).

use super::log_config::LogConfig;
use super::memory_records::{MemoryRecords, Run};
use super::record::{records_size, Record, NO_TIMESTAMP};
use serde::Serialize;

/// One segment. Only the last segment of a log (the active one) is appended to.
#[derive(Clone, Debug)]
pub struct Segment {
    pub(crate) base_offset: i64,
    /// The records, in the runs they were appended in (see `memory_records.rs`), none empty.
    runs: Vec<Run>,
    /// How many records the runs hold, kept as they change: the UI's views ask every segment
    /// of every replica for it each frame, and one-record batches make thousands of runs.
    record_count: usize,
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

/// Where a record is in a segment: its run, and its index in the run. A position past the last
/// record is `(runs, 0)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct At {
    pub run: usize,
    pub index: usize,
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
            runs: Vec::new(),
            record_count: 0,
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

    /// The records, in offset order.
    pub fn records(&self) -> impl DoubleEndedIterator<Item = &Record> + '_ {
        self.runs.iter().flat_map(|run| run.iter())
    }

    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    pub fn record_count(&self) -> usize {
        self.record_count
    }

    /// The records from `at` on, in runs: the first one cut at `at`.
    pub(crate) fn runs_from(&self, at: At) -> (&[Record], &[Run]) {
        let first = self
            .runs
            .get(at.run)
            .map_or(&[][..], |run| &run[at.index.min(run.len())..]);
        (first, self.runs.get(at.run + 1..).unwrap_or_default())
    }

    pub(crate) fn get(&self, at: At) -> Option<&Record> {
        self.runs.get(at.run)?.get(at.index)
    }

    /// The position before `at`, if there is one.
    pub(crate) fn prev(&self, at: At) -> Option<At> {
        if at.index > 0 {
            return Some(At {
                run: at.run,
                index: at.index - 1,
            });
        }
        let run = at.run.checked_sub(1)?;
        let index = self.runs.get(run)?.len().checked_sub(1)?;
        Some(At { run, index })
    }

    /// The records from `from` up to `to`, those below `min_offset` left out, as views of the
    /// runs that hold them.
    pub(crate) fn slice(&self, from: At, to: At, min_offset: i64) -> MemoryRecords {
        let mut out = MemoryRecords::default();
        for (i, run) in self.runs.iter().enumerate().take(to.run + 1).skip(from.run) {
            let start = if i == from.run { from.index } else { 0 };
            let end = if i == to.run { to.index } else { run.len() };
            let start = start + run[start..end].partition_point(|r| r.offset() < min_offset);
            out.push_part(run, start..end);
        }
        out
    }

    /// Replaces the records with `records`.
    pub(crate) fn set_records(&mut self, records: Run) {
        self.record_count = records.len();
        self.runs = MemoryRecords::from(records).into_runs();
    }

    /// Drops spare capacity: a rolled segment is appended to no more.
    pub(crate) fn shrink_to_fit(&mut self) {
        self.runs.shrink_to_fit();
    }

    /// Room for `runs` runs, as the last segment held: a busy log rolls on size, so the next one
    /// will likely hold as many, and growing to that size would copy the list several times.
    pub(crate) fn reserve_runs(&mut self, runs: usize) {
        self.runs.reserve_exact(runs);
    }

    pub(crate) fn runs(&self) -> &[Run] {
        &self.runs
    }

    pub(crate) fn run_count(&self) -> usize {
        self.runs.len()
    }

    #[cfg(test)]
    pub(crate) fn run_capacity(&self) -> usize {
        self.runs.capacity()
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
            record_count: self.record_count() as u64,
        }
    }

    /// Where the first record with offset ≥ `offset` is (compaction leaves gaps): the run, then
    /// the record within it. Reads and the guarantee checker mostly ask for the last few
    /// records, so the last runs are tried first; a binary search over the runs' last offsets
    /// finds the others.
    pub(crate) fn position(&self, offset: i64) -> At {
        const TAIL: usize = 8;
        let starts_at_or_before = |run: &Run| run.first().is_some_and(|r| r.offset() <= offset);
        let tail = self
            .runs
            .iter()
            .enumerate()
            .rev()
            .take(TAIL)
            .find(|(_, run)| starts_at_or_before(run));
        let run = match tail {
            // Runs after it start past `offset`: the position is in it, or just after it.
            Some((i, run)) if run.last().is_some_and(|r| r.offset() < offset) => i + 1,
            Some((i, _)) => i,
            None => self
                .runs
                .partition_point(|run| run.last().is_some_and(|r| r.offset() < offset)),
        };
        let index = self
            .runs
            .get(run)
            .map_or(0, |run| run.partition_point(|r| r.offset() < offset));
        At { run, index }
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
        runs: impl IntoIterator<Item = Run>,
        bytes: i64,
        max_timestamp: i64,
        now_ms: i64,
    ) {
        if self.runs.is_empty() && self.rolling_base_timestamp.is_none() {
            self.rolling_base_timestamp = Some(max_timestamp);
        }
        let runs = runs.into_iter();
        let needed = self.runs.len() + runs.size_hint().0;
        if needed > self.runs.capacity() {
            // Grow by a quarter, not double: doubling leaves up to half of the list unused (a
            // rolled segment is shrunk to fit).
            let grown = needed.max(self.runs.len() + self.runs.len() / 4);
            self.runs.reserve_exact(grown - self.runs.len());
        }
        let count = &mut self.record_count;
        self.runs.extend(
            runs.filter(|run| !run.is_empty())
                .inspect(|run| *count += run.len()),
        );
        self.size_bytes += bytes;
        self.max_timestamp = self.max_timestamp.max(max_timestamp);
        self.last_modified_ms = now_ms;
    }

    /// Recomputes count, size and largest timestamp after records were removed.
    pub(crate) fn recompute(&mut self) {
        self.record_count = self.records().count();
        self.size_bytes = records_size(self.records());
        self.max_timestamp = self
            .records()
            .map(Record::timestamp)
            .max()
            .unwrap_or(NO_TIMESTAMP);
    }

    /// `LogSegment.truncateTo`: drops records at or above `offset`.
    pub(crate) fn truncate_to(&mut self, offset: i64) {
        let at = self.position(offset);
        if self.get(at).is_none() {
            return;
        }
        self.runs.truncate(at.run + 1);
        if let Some(run) = self.runs.pop().filter(|_| at.index > 0) {
            self.runs.push(run.part(0..at.index));
        }
        self.recompute();
        if self.runs.is_empty() {
            self.rolling_base_timestamp = None;
        }
    }
}
