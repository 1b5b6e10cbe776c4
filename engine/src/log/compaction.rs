//! Log compaction, `cleanup.policy=compact` (kafka-spec §6.4; `LogCleaner.scala`,
//! `LogCleanerManager.scala`).
//!
//! One cleaning, as Kafka's cleaner thread does it for the log it picked:
//! 1. The cleanable range is `[first dirty offset, first uncleanable offset)`: from the cleaner
//!    checkpoint (or log start) up to the first of HW, the active segment, or the first segment
//!    younger than `min.compaction.lag.ms`, rounded down to a segment boundary.
//! 2. An offset map `key → latest offset` is built from that range.
//! 3. Every segment below the first uncleanable offset (clean and dirty part alike) is rewritten:
//!    a record survives if it has a key and is the latest for that key; records without a key are
//!    dropped; a tombstone survives until its segment's delete horizon has passed. The first
//!    cleaning that keeps a tombstone stamps the horizon `now + delete.retention.ms` (KIP-534).
//! 4. Neighbouring segments that fit in `segment.bytes` together are cleaned into one
//!    (`groupSegmentsBySize`), which keeps the first one's base offset.
//! 5. The checkpoint moves to the first uncleanable offset. Offsets never change, so gaps appear.
//!
//! Not modelled: transactional markers and the empty batches Kafka keeps to remember an
//! idempotent producer's last sequence.

use super::log_config::LogConfig;
use super::memory_records::Run;
use super::record::Record;
use super::segment::Segment;
use super::{Log, RecordIter};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Where the cleaner would clean and how dirty the log is (`LogToClean`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CleanableStats {
    pub first_dirty_offset: i64,
    /// Exclusive end of the cleanable range; always a segment base offset.
    pub first_uncleanable_offset: i64,
    /// Bytes of segments below the first dirty offset (already cleaned).
    pub clean_bytes: i64,
    /// Bytes of segments in the cleanable dirty range.
    pub cleanable_bytes: i64,
    /// Some dirty record has waited longer than `max.compaction.lag.ms`.
    pub needs_compaction_now: bool,
}

impl CleanableStats {
    /// `cleanableBytes / (cleanBytes + cleanableBytes)` in thousandths, rounded down.
    pub fn dirty_ratio_permille(&self) -> i64 {
        let total = i128::from(self.clean_bytes) + i128::from(self.cleanable_bytes);
        if total <= 0 {
            return 0;
        }
        (i128::from(self.cleanable_bytes) * 1000 / total) as i64
    }

    /// `grabFilthiestCompactedLog`'s filter: overdue with something to clean, or a dirty ratio
    /// strictly above `min.cleanable.dirty.ratio` (compared exactly, without rounding).
    pub fn is_cleanable(&self, config: &LogConfig) -> bool {
        let total = i128::from(self.clean_bytes) + i128::from(self.cleanable_bytes);
        let above_ratio = total > 0
            && i128::from(self.cleanable_bytes) * 1000
                > i128::from(config.min_cleanable_dirty_ratio_permille) * total;
        (self.needs_compaction_now && self.cleanable_bytes > 0) || above_ratio
    }
}

/// What one [`Log::compact`] call did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CompactionResult {
    /// False when the log was not eligible (policy lacks `compact`, or not dirty enough).
    pub cleaned: bool,
    pub stats: CleanableStats,
    pub removed_records: u64,
    pub removed_tombstones: u64,
    /// Size of the rewritten segments before and after.
    pub bytes_before: i64,
    pub bytes_after: i64,
    /// Base offsets of segments whose content or delete horizon changed.
    pub cleaned_segment_bases: Vec<i64>,
}

/// A segment's records after cleaning, and the delete horizon of the tombstones it keeps.
struct Cleaned {
    kept: Vec<Record>,
    horizon: Option<i64>,
}

impl Log {
    /// `Cleaner.groupSegmentsBySize`: runs of neighbouring segments below `end` whose sizes
    /// before cleaning add up to at most `segment.bytes`, each cleaned into one segment, so that
    /// cleaned segments do not shrink forever. An empty segment always joins; a group's offsets
    /// must stay within an `int` of its base. Kafka also caps the index sizes, which hold a few
    /// entries here. Kafka keeps a delete horizon per batch and this log one per segment, so
    /// segments whose kept tombstones expire at different times are not merged.
    fn group_segments_by_size(
        &self,
        cleaned: &[Cleaned],
        max_size: i64,
        end: i64,
    ) -> Vec<std::ops::Range<usize>> {
        let segs = &self.segments[..cleaned.len()];
        let tombstone_horizon = |i: usize| {
            let c = &cleaned[i];
            c.kept.iter().any(Record::is_tombstone).then_some(c.horizon)
        };
        let mut groups = Vec::new();
        let mut start = 0;
        while start < segs.len() {
            let mut size = segs[start].size_bytes;
            let mut horizon = tombstone_horizon(start);
            let mut next = start + 1;
            while let Some(seg) = segs.get(next) {
                // `lastOffsetForFirstSegment`: bounded by the next base, or by `end`.
                let last = segs.get(next + 1).map_or(end, |s| s.base_offset) - 1;
                let fits = size + seg.size_bytes <= max_size
                    && (seg.size_bytes == 0
                        || last - segs[start].base_offset <= i64::from(i32::MAX));
                let joins = match (horizon, tombstone_horizon(next)) {
                    (Some(a), Some(b)) => a == b,
                    _ => true,
                };
                if !fits || !joins {
                    break;
                }
                size += seg.size_bytes;
                horizon = horizon.or(tombstone_horizon(next));
                next += 1;
            }
            groups.push(start..next);
            start = next;
        }
        groups
    }

    /// Index of the last segment with base ≤ `offset`, or 0 when `offset` precedes them all
    /// (Kafka's `floorSegment` with its "start from `from`" fallback).
    fn floor_index(&self, offset: i64) -> usize {
        self.segments
            .partition_point(|s| s.base_offset <= offset)
            .saturating_sub(1)
    }

    /// Sum of sizes of segments overlapping `[from, to)` (`UnifiedLog.logSegments(from, to)`).
    fn bytes_between(&self, from: i64, to: i64) -> i64 {
        if from >= to {
            return 0;
        }
        self.segments[self.floor_index(from)..]
            .iter()
            .take_while(|s| s.base_offset < to)
            .map(|s| s.size_bytes)
            .sum()
    }

    /// `LogCleanerManager.cleanableOffsets` + `calculateCleanableBytes` + `maxCompactionDelay`.
    pub fn cleanable_stats(&self, now_ms: i64, hw: i64, config: &LogConfig) -> CleanableStats {
        let hw = hw.min(self.log_end_offset);
        let active_index = self.segments.len().saturating_sub(1);
        let active_base = self
            .segments
            .last()
            .map_or(self.log_end_offset, |s| s.base_offset);
        let first_dirty = match self.cleaner_checkpoint {
            Some(c) if c >= self.log_start_offset && c <= self.log_end_offset => c,
            _ => self.log_start_offset,
        };
        // Dirty non-active segments, oldest first.
        let dirty_non_active = if first_dirty > active_base {
            &self.segments[0..0]
        } else {
            &self.segments[self.floor_index(first_dirty).min(active_index)..active_index]
        };

        let mut uncleanable = hw.min(active_base);
        if config.min_compaction_lag_ms > 0 {
            let horizon = i128::from(now_ms) - i128::from(config.min_compaction_lag_ms);
            if let Some(s) = dirty_non_active
                .iter()
                .find(|s| i128::from(s.largest_timestamp()) > horizon)
            {
                uncleanable = uncleanable.min(s.base_offset);
            }
        }
        let first_uncleanable = if uncleanable >= active_base {
            active_base
        } else {
            self.segments[self.floor_index(uncleanable)].base_offset
        };

        let earliest_dirty = dirty_non_active
            .iter()
            .filter_map(|s| s.rolling_base_timestamp.filter(|&t| t > 0))
            .min();
        let clean_until = i128::from(now_ms) - i128::from(config.max_compaction_lag_ms.max(0));
        let needs_compaction_now = earliest_dirty.is_some_and(|t| i128::from(t) < clean_until);

        CleanableStats {
            first_dirty_offset: first_dirty,
            first_uncleanable_offset: first_uncleanable,
            clean_bytes: self
                .segments
                .iter()
                .take_while(|s| s.base_offset < first_dirty)
                .map(|s| s.size_bytes)
                .sum(),
            cleanable_bytes: self
                .bytes_between(first_dirty.min(first_uncleanable), first_uncleanable),
            needs_compaction_now,
        }
    }

    /// The dirty ratio the cleaner would see now, in thousandths.
    pub fn dirty_ratio_permille(&self, now_ms: i64, hw: i64, config: &LogConfig) -> i64 {
        self.cleanable_stats(now_ms, hw, config)
            .dirty_ratio_permille()
    }

    /// Cleans the log if its policy has `compact` and it is eligible (see [`CleanableStats`]).
    /// Choosing the dirtiest log among many, and how often to call this
    /// (`log.cleaner.backoff.ms`), is the caller's business.
    pub fn compact(&mut self, now_ms: i64, hw: i64, config: &LogConfig) -> CompactionResult {
        let stats = self.cleanable_stats(now_ms, hw, config);
        let mut result = CompactionResult {
            cleaned: false,
            stats,
            removed_records: 0,
            removed_tombstones: 0,
            bytes_before: 0,
            bytes_after: 0,
            cleaned_segment_bases: Vec::new(),
        };
        if !config.cleanup_policy.compact || !result.stats.is_cleanable(config) {
            return result;
        }
        let first_dirty = result.stats.first_dirty_offset;
        let end = result.stats.first_uncleanable_offset;

        // Per segment below `end`: its surviving records and delete horizon.
        let mut cleaned: Vec<Cleaned> = Vec::new();
        {
            let mut latest: BTreeMap<&[u8], i64> = BTreeMap::new();
            let below_end = self.segments.partition_point(|s| s.base_offset < end);
            for r in RecordIter::new(&self.segments[..below_end], first_dirty) {
                if let Some(key) = r.key() {
                    latest.insert(key, r.offset());
                }
            }
            let latest_offset = end - 1;
            for seg in self.segments.iter().take_while(|s| s.base_offset < end) {
                let retain_deletes = seg.delete_horizon_ms.is_none_or(|h| now_ms < h);
                let kept: Vec<Record> = seg
                    .records()
                    .filter(|r| {
                        if r.offset() > latest_offset {
                            return true;
                        }
                        let Some(key) = r.key() else { return false };
                        let found = latest.get(key).copied().unwrap_or(-1);
                        r.offset() >= found && (!r.is_tombstone() || retain_deletes)
                    })
                    .cloned()
                    .collect();
                let horizon = match seg.delete_horizon_ms {
                    None if kept.iter().any(Record::is_tombstone) => {
                        Some(now_ms.saturating_add(config.delete_retention_ms))
                    }
                    h => h,
                };
                cleaned.push(Cleaned { kept, horizon });
            }
        }

        let groups = self.group_segments_by_size(&cleaned, config.segment_bytes, end);
        let mut rebuilt: Vec<Arc<Segment>> = Vec::with_capacity(groups.len());
        let mut cleaned = cleaned.into_iter();
        for group in groups {
            let originals = &self.segments[group.clone()];
            let parts: Vec<Cleaned> = cleaned.by_ref().take(group.len()).collect();
            let unchanged = group.len() == 1
                && parts[0].kept.len() == originals[0].record_count()
                && parts[0].horizon == originals[0].delete_horizon_ms;
            if unchanged {
                rebuilt.push(Arc::clone(&originals[0]));
                continue;
            }
            let tombstones = |recs: &mut dyn Iterator<Item = &Record>| {
                recs.filter(|r| r.is_tombstone()).count() as u64
            };
            let before: u64 = originals.iter().map(|s| s.record_count() as u64).sum();
            let tombstones_before: u64 =
                originals.iter().map(|s| tombstones(&mut s.records())).sum();
            let horizon = parts
                .iter()
                .filter(|p| p.kept.iter().any(Record::is_tombstone))
                .find_map(|p| p.horizon)
                .or(parts[0].horizon.filter(|_| group.len() == 1));
            let kept: Vec<Record> = parts.into_iter().flat_map(|p| p.kept).collect();
            result.removed_records += before - kept.len() as u64;
            result.removed_tombstones +=
                tombstones_before.saturating_sub(tombstones(&mut kept.iter()));
            result.bytes_before += originals.iter().map(|s| s.size_bytes).sum::<i64>();
            // `cleanSegments`: one new segment at the first one's base offset, keeping the last
            // one's modification time.
            let first = &originals[0];
            let mut seg = Segment::new(first.base_offset, first.created_ms, 0);
            seg.last_modified_ms = originals[originals.len() - 1].last_modified_ms;
            seg.set_records(if (kept.len() as u64) < before {
                Record::repacked(&kept)
            } else {
                Run::from(kept)
            });
            seg.recompute();
            seg.delete_horizon_ms = horizon;
            result.bytes_after += seg.size_bytes;
            result.cleaned_segment_bases.push(seg.base_offset);
            rebuilt.push(Arc::new(seg));
        }
        let replaced = self
            .segments
            .iter()
            .take_while(|s| s.base_offset < end)
            .count();
        self.segments.splice(..replaced, rebuilt);
        self.cleaner_checkpoint = Some(end);
        result.cleaned = true;
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::{CleanupPolicy, NewRecord};
    use crate::TopicPartition;

    fn compacted() -> LogConfig {
        LogConfig {
            cleanup_policy: CleanupPolicy::COMPACT,
            segment_bytes: 300,
            delete_retention_ms: 1_000,
            min_cleanable_dirty_ratio_permille: 100,
            ..LogConfig::default()
        }
    }

    fn put(log: &mut Log, now: i64, key: Option<&str>, value: Option<&str>, config: &LogConfig) {
        log.append(vec![NewRecord::text(now, key, value)], now, config)
            .expect("append");
    }

    fn latest_values(log: &Log) -> Vec<(String, Option<String>, i64)> {
        log.records()
            .map(|r| {
                (
                    r.key_text().map(|k| k.into_owned()).unwrap_or_default(),
                    r.value_text().map(|v| v.into_owned()),
                    r.offset(),
                )
            })
            .collect()
    }

    #[test]
    fn survivors_of_a_batch_no_longer_hold_the_whole_batch() {
        let config = LogConfig {
            segment_bytes: 1 << 20,
            ..compacted()
        };
        let mut log = Log::new(TopicPartition::new("c", 0), 0);
        let batch: Vec<NewRecord> = (0..200)
            .map(|i| NewRecord::text(0, Some(["a", "b"][i % 2]), Some(&format!("{i:0>40}"))))
            .collect();
        log.append(batch, 0, &config).expect("append");
        let roll = LogConfig {
            segment_ms: 0,
            ..config.clone()
        };
        put(&mut log, 100, Some("z"), Some("active"), &roll);
        let whole_batch = log.records().next().map(Record::shared_bytes).unwrap();
        let sizes_before = log.segments().map(|s| s.size_bytes()).collect::<Vec<_>>();

        let r = log.compact(100, log.log_end_offset(), &config);
        assert_eq!(r.removed_records, 198);
        let kept: Vec<&Record> = log.records().take(2).collect();
        assert_eq!(
            kept.iter()
                .map(|r| (r.offset(), r.key()))
                .collect::<Vec<_>>(),
            vec![(198, Some(&b"a"[..])), (199, Some(&b"b"[..]))]
        );
        assert_eq!(
            kept[1].value_text().as_deref(),
            Some(&format!("{:0>40}", 199)[..])
        );
        // Two records' bodies now, not two hundred.
        assert!(kept[0].shares_payload_with(kept[1]));
        assert!(kept[0].shared_bytes() * 50 < whole_batch);
        // The size model still counts the original batch's header and record sizes.
        assert_eq!(kept[0].batch_base_offset(), 0);
        assert!(log.segments().next().unwrap().size_bytes() < sizes_before[0]);
        log.check_invariants().unwrap();
    }

    #[test]
    fn keeps_latest_value_per_key_and_preserves_offsets() {
        let config = compacted();
        let mut log = Log::new(TopicPartition::new("c", 0), 0);
        for (i, (k, v)) in [
            ("a", "1"),
            ("b", "1"),
            ("a", "2"),
            ("c", "1"),
            ("b", "2"),
            ("a", "3"),
        ]
        .iter()
        .enumerate()
        {
            put(&mut log, i as i64, Some(k), Some(v), &config);
        }
        put(&mut log, 10, None, Some("no key"), &config);
        // Force a roll so everything above sits in non-active segments.
        let roll = LogConfig {
            segment_ms: 0,
            ..config.clone()
        };
        put(&mut log, 100, Some("z"), Some("active"), &roll);
        assert!(log.segment_count() >= 2);
        let active_base = log.active_segment().map(|s| s.base_offset()).unwrap();
        let hw = log.log_end_offset();

        let r = log.compact(100, hw, &config);
        assert!(r.cleaned);
        assert_eq!(r.stats.first_dirty_offset, 0);
        assert_eq!(r.stats.first_uncleanable_offset, active_base);
        assert_eq!(r.removed_records, 4); // a=1, b=1, a=2, the keyless one
        assert_eq!(
            latest_values(&log),
            vec![
                ("c".into(), Some("1".into()), 3),
                ("b".into(), Some("2".into()), 4),
                ("a".into(), Some("3".into()), 5),
                ("z".into(), Some("active".into()), 7),
            ]
        );
        assert_eq!(log.cleaner_checkpoint(), Some(active_base));
        assert!(r.bytes_after < r.bytes_before);
        log.check_invariants().unwrap();
        // Reads skip the gaps.
        let read = crate::log::tests::read_all(&log, 0, hw);
        assert_eq!(
            read.iter().map(Record::offset).collect::<Vec<_>>(),
            vec![3, 4, 5, 7]
        );
        let read = log.read(1, i64::MAX, true, hw).unwrap().records.to_vec();
        assert_eq!(read[0].offset(), 3);
    }

    #[test]
    fn active_segment_and_records_above_hw_are_never_cleaned() {
        let config = compacted();
        let mut log = Log::new(TopicPartition::new("c", 0), 0);
        for i in 0..4 {
            put(&mut log, i, Some("k"), Some(&i.to_string()), &config);
        }
        // Single (active) segment: nothing is cleanable.
        let r = log.compact(10, log.log_end_offset(), &config);
        assert!(!r.cleaned);
        assert_eq!(r.stats.cleanable_bytes, 0);
        assert_eq!(log.record_count(), 4);

        let roll = LogConfig {
            segment_ms: 0,
            ..config.clone()
        };
        put(&mut log, 100, Some("k"), Some("new"), &roll);
        // HW inside the first segment: its upper bound is not below HW, so it is not cleanable.
        let r = log.compact(100, 2, &config);
        assert!(!r.cleaned);
        assert_eq!(r.stats.first_uncleanable_offset, 0);
        // With HW at LEO the old segment is cleaned against its own keys only: offset 3 stays
        // although the active segment holds a newer "k".
        let r = log.compact(100, log.log_end_offset(), &config);
        assert!(r.cleaned);
        assert_eq!(
            log.records().map(Record::offset).collect::<Vec<_>>(),
            vec![3, 4]
        );
    }

    #[test]
    fn tombstone_lives_until_a_cleaning_after_its_delete_horizon() {
        let config = compacted(); // delete.retention.ms = 1000
        let roll = LogConfig {
            segment_ms: 0,
            ..config.clone()
        };
        let mut log = Log::new(TopicPartition::new("c", 0), 0);
        put(&mut log, 0, Some("k"), Some("v"), &config);
        put(&mut log, 1, Some("k"), None, &config);
        put(&mut log, 50, Some("x"), Some("1"), &roll); // rolls: [0,2) is now non-active

        let r = log.compact(100, log.log_end_offset(), &config);
        assert!(r.cleaned);
        assert_eq!(r.removed_tombstones, 0);
        let first = log.segments().next().unwrap();
        assert_eq!(first.delete_horizon_ms(), Some(1_100));
        assert_eq!(latest_values(&log)[0], ("k".into(), None, 1));

        // New dirty data before the horizon: the tombstone stays.
        put(&mut log, 500, Some("x"), Some("2"), &roll);
        let r = log.compact(600, log.log_end_offset(), &config);
        assert!(r.cleaned);
        assert!(log.records().any(|r| r.offset() == 1 && r.is_tombstone()));
        assert_eq!(
            log.segments().next().unwrap().delete_horizon_ms(),
            Some(1_100)
        );

        // Past the horizon, the next cleaning removes it.
        put(&mut log, 1_500, Some("x"), Some("3"), &roll);
        let r = log.compact(1_600, log.log_end_offset(), &config);
        assert!(r.cleaned);
        assert_eq!(r.removed_tombstones, 1);
        assert!(!log.records().any(|r| r.key() == Some(b"k")));
        log.check_invariants().unwrap();
    }

    /// `groupSegmentsBySize`: a log whose one key is written over and over does not pile up
    /// empty cleaned segments; neighbours that fit in `segment.bytes` become one segment.
    #[test]
    fn cleaned_segments_that_fit_together_are_merged() {
        let config = LogConfig {
            segment_bytes: 200,
            min_cleanable_dirty_ratio_permille: 10,
            ..compacted()
        };
        let mut log = Log::new(TopicPartition::new("c", 0), 0);
        let mut now = 0;
        let mut previous_checkpoint = 0;
        for round in 0..6 {
            previous_checkpoint = log.cleaner_checkpoint.unwrap_or(0);
            for i in 0..20 {
                now += 10;
                put(
                    &mut log,
                    now,
                    Some("k"),
                    Some(&format!("{round}-{i}")),
                    &config,
                );
            }
            let r = log.compact(now, log.log_end_offset(), &config);
            assert!(r.cleaned, "round {round}");
            log.check_invariants().unwrap();
        }
        // Grouping goes by the sizes before cleaning, so the segments the last round emptied
        // are merged by the next one; those cleaned before are merged already.
        let checkpoint = log.cleaner_checkpoint.unwrap();
        let cleaned: Vec<&Segment> = log
            .segments
            .iter()
            .map(|s| &**s)
            .take_while(|s| s.base_offset < previous_checkpoint)
            .collect();
        assert_eq!(
            cleaned.len(),
            1,
            "{:?}",
            log.segments().map(Segment::base_offset).collect::<Vec<_>>()
        );
        assert!(log.segments.len() <= 12, "{} segments", log.segments.len());
        // Only the latest value of the key is left below the checkpoint, and offsets kept.
        let last = log.records().filter(|r| r.offset() < checkpoint).count();
        assert_eq!(last, 1);
        assert_eq!(log.log_end_offset(), 120);
    }

    /// Kafka keeps a delete horizon per batch, this log per segment: cleaned segments whose
    /// tombstones expire at different times stay apart until the older ones are gone.
    #[test]
    fn segments_with_tombstones_of_different_horizons_are_not_merged() {
        let config = compacted(); // delete.retention.ms = 1000, segment.bytes = 300
        let roll = LogConfig {
            segment_ms: 0,
            ..config.clone()
        };
        let mut log = Log::new(TopicPartition::new("c", 0), 0);
        put(&mut log, 0, Some("a"), Some("v"), &config);
        put(&mut log, 1, Some("a"), None, &config);
        put(&mut log, 50, Some("x"), Some("1"), &roll);
        log.compact(100, log.log_end_offset(), &config); // horizon 1100 for a's tombstone
        put(&mut log, 200, Some("b"), None, &config);
        put(&mut log, 250, Some("y"), Some("1"), &roll);
        log.compact(300, log.log_end_offset(), &config); // horizon 1300 for b's tombstone
        let horizons: Vec<Option<i64>> = log
            .segments()
            .filter(|s| s.records().any(Record::is_tombstone))
            .map(Segment::delete_horizon_ms)
            .collect();
        assert_eq!(horizons, vec![Some(1_100), Some(1_300)]);
        // Past the first horizon a's tombstone goes, and the two can merge.
        put(&mut log, 1_200, Some("z"), Some("1"), &roll);
        log.compact(1_250, log.log_end_offset(), &config);
        assert!(!log.records().any(|r| r.key() == Some(b"a")));
        assert!(log
            .records()
            .any(|r| r.key() == Some(b"b") && r.is_tombstone()));
        assert_eq!(
            log.segments().next().unwrap().delete_horizon_ms(),
            Some(1_300)
        );
        log.check_invariants().unwrap();
    }

    #[test]
    fn dirty_ratio_and_min_compaction_lag() {
        let config = LogConfig {
            min_cleanable_dirty_ratio_permille: 500,
            ..compacted()
        };
        let roll = LogConfig {
            segment_ms: 0,
            ..config.clone()
        };
        let mut log = Log::new(TopicPartition::new("c", 0), 0);
        put(&mut log, 0, Some("a"), Some("1"), &config);
        put(&mut log, 10, Some("a"), Some("2"), &roll);
        put(&mut log, 20, Some("a"), Some("3"), &roll);
        let hw = log.log_end_offset();
        // Never cleaned: everything below the active segment is dirty.
        assert_eq!(log.dirty_ratio_permille(20, hw, &config), 1000);
        assert!(log.compact(20, hw, &config).cleaned);
        // Just cleaned: dirty part empty, ratio 0, not eligible.
        let stats = log.cleanable_stats(20, hw, &config);
        assert_eq!(stats.dirty_ratio_permille(), 0);
        assert!(!log.compact(20, hw, &config).cleaned);

        // min.compaction.lag.ms holds back segments whose records are too recent.
        let lag = LogConfig {
            min_compaction_lag_ms: 1_000,
            ..compacted()
        };
        let mut log = Log::new(TopicPartition::new("c", 0), 0);
        put(&mut log, 0, Some("a"), Some("1"), &lag);
        put(
            &mut log,
            900,
            Some("a"),
            Some("2"),
            &LogConfig {
                segment_ms: 0,
                ..lag.clone()
            },
        );
        put(
            &mut log,
            950,
            Some("a"),
            Some("3"),
            &LogConfig {
                segment_ms: 0,
                ..lag.clone()
            },
        );
        let hw = log.log_end_offset();
        let stats = log.cleanable_stats(1_000, hw, &lag);
        assert_eq!(stats.first_uncleanable_offset, 1); // segment [1,2) has ts 900 > 1000 - 1000
        let stats = log.cleanable_stats(2_000, hw, &lag);
        assert_eq!(stats.first_uncleanable_offset, 2);
    }

    #[test]
    fn max_compaction_lag_forces_cleaning() {
        let config = LogConfig {
            min_cleanable_dirty_ratio_permille: 1000, // never by ratio
            max_compaction_lag_ms: 500,
            ..compacted()
        };
        let roll = LogConfig {
            segment_ms: 0,
            ..config.clone()
        };
        let mut log = Log::new(TopicPartition::new("c", 0), 0);
        put(&mut log, 100, Some("a"), Some("1"), &config);
        put(&mut log, 200, Some("a"), Some("2"), &roll);
        let hw = log.log_end_offset();
        assert!(!log.cleanable_stats(550, hw, &config).needs_compaction_now);
        assert!(!log.compact(550, hw, &config).cleaned);
        assert!(log.cleanable_stats(700, hw, &config).needs_compaction_now);
        assert!(log.compact(700, hw, &config).cleaned);
    }

    #[test]
    fn delete_policy_only_never_compacts() {
        let config = LogConfig {
            segment_ms: 0,
            ..LogConfig::default()
        };
        let mut log = Log::new(TopicPartition::new("d", 0), 0);
        put(&mut log, 0, Some("a"), Some("1"), &config);
        put(&mut log, 1, Some("a"), Some("2"), &config);
        assert!(!log.compact(10, log.log_end_offset(), &config).cleaned);
        assert_eq!(log.record_count(), 2);
    }
}
