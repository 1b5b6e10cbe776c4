//! Delete retention and DeleteRecords (kafka-spec §6.2, §6.3;
//! `UnifiedLog.deleteOldSegments`, `#deletableSegments`, `#deleteSegments`,
//! `#maybeIncrementLogStartOffset`, `Partition.deleteRecordsOnLeader`).

use super::log_config::LogConfig;
use super::segment::{Segment, SegmentInfo};
use super::{Log, LogError};
use serde::Serialize;

/// Why a segment was deleted, in the order the retention pass checks them (Kafka's
/// `StartOffsetBreach`, `RetentionSizeBreach`, `RetentionMsBreach`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum DeletionReason {
    /// Entirely below the log start offset (after DeleteRecords); runs for every policy.
    LogStartOffsetBreach,
    /// `retention.bytes` exceeded.
    RetentionSize,
    /// Older than `retention.ms`.
    RetentionTime,
}

impl DeletionReason {
    /// Kafka's log wording for the reason.
    pub fn description(self) -> &'static str {
        match self {
            DeletionReason::LogStartOffsetBreach => "log start offset breach",
            DeletionReason::RetentionSize => "retention size in bytes breach",
            DeletionReason::RetentionTime => "retention time breach",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeletedSegment {
    pub segment: SegmentInfo,
    pub reason: DeletionReason,
}

/// What one retention pass did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RetentionResult {
    /// Oldest first.
    pub deleted_segments: Vec<DeletedSegment>,
    pub log_start_offset: i64,
    /// A new empty active segment was rolled at LEO because every segment was deletable.
    pub rolled_new_active_segment: bool,
}

impl RetentionResult {
    /// Deleted base offsets grouped by reason, in check order (one entry per reason present).
    pub fn deleted_by_reason(&self) -> Vec<(DeletionReason, Vec<i64>)> {
        let mut out: Vec<(DeletionReason, Vec<i64>)> = Vec::new();
        for d in &self.deleted_segments {
            match out.last_mut() {
                Some((reason, bases)) if *reason == d.reason => bases.push(d.segment.base_offset),
                _ => out.push((d.reason, vec![d.segment.base_offset])),
            }
        }
        out
    }
}

impl Log {
    /// One retention pass (`UnifiedLog.deleteOldSegments`): log-start breach always, then, if
    /// `cleanup.policy` has `delete`, `retention.bytes` and then `retention.ms`. Each scan deletes
    /// whole segments from the oldest and stops at the first one kept; a segment goes only if
    /// `hw ≥` its upper bound; an empty active segment is never deleted; if everything is
    /// deletable a new empty active segment is rolled at LEO first.
    pub fn delete_old_segments(
        &mut self,
        now_ms: i64,
        hw: i64,
        config: &LogConfig,
    ) -> RetentionResult {
        let hw = hw.min(self.log_end_offset);
        let mut result = RetentionResult {
            deleted_segments: Vec::new(),
            log_start_offset: self.log_start_offset,
            rolled_new_active_segment: false,
        };

        let log_start = self.log_start_offset;
        let n = self.deletable_segments(hw, |_, next| {
            next.is_some_and(|n| n.base_offset <= log_start)
        });
        self.delete_segments(
            n,
            DeletionReason::LogStartOffsetBreach,
            hw,
            now_ms,
            config,
            &mut result,
        );

        if config.cleanup_policy.delete {
            let size = self.size_in_bytes();
            if config.retention_bytes >= 0 && size >= config.retention_bytes {
                let mut diff = size - config.retention_bytes;
                let n = self.deletable_segments(hw, |seg, _| {
                    let delete = diff - seg.size_bytes >= 0;
                    if delete {
                        diff -= seg.size_bytes;
                    }
                    delete
                });
                self.delete_segments(
                    n,
                    DeletionReason::RetentionSize,
                    hw,
                    now_ms,
                    config,
                    &mut result,
                );
            }
            if config.retention_ms >= 0 {
                let retention = i128::from(config.retention_ms);
                let n = self.deletable_segments(hw, |seg, _| {
                    i128::from(now_ms) - i128::from(seg.largest_timestamp()) > retention
                });
                self.delete_segments(
                    n,
                    DeletionReason::RetentionTime,
                    hw,
                    now_ms,
                    config,
                    &mut result,
                );
            }
        }
        result.log_start_offset = self.log_start_offset;
        result
    }

    /// How many segments, from the oldest, may go. The predicate runs only for segments the HW
    /// has passed (the size predicate is stateful, as in Kafka).
    fn deletable_segments(
        &self,
        hw: i64,
        mut predicate: impl FnMut(&Segment, Option<&Segment>) -> bool,
    ) -> usize {
        let mut count = 0;
        for (i, seg) in self.segments.iter().enumerate() {
            let next = self.segments.get(i + 1).map(|s| &**s);
            let is_last_and_empty = next.is_none() && seg.size_bytes == 0;
            let upper = next.map_or(self.log_end_offset, |n| n.base_offset);
            if hw >= upper && predicate(seg, next) && !is_last_and_empty {
                count += 1;
            } else {
                break;
            }
        }
        count
    }

    fn delete_segments(
        &mut self,
        count: usize,
        reason: DeletionReason,
        hw: i64,
        now_ms: i64,
        config: &LogConfig,
        result: &mut RetentionResult,
    ) {
        if count == 0 {
            return;
        }
        let mut to_delete = count;
        if count == self.segments.len() {
            let before = self.segments.len();
            self.roll(None, now_ms, config.segment_jitter_ms);
            result.rolled_new_active_segment = true;
            if self.segments.len() == before {
                // The last deletable segment was an empty one at LEO; it was recreated instead.
                to_delete -= 1;
            }
        }
        if to_delete == 0 {
            return;
        }
        let infos: Vec<SegmentInfo> = (0..to_delete)
            .map(|i| self.segments[i].info(self.upper_bound(i)))
            .collect();
        let new_start = self.segments[to_delete].base_offset;
        // Cannot fail: the HW passed every deleted segment's upper bound.
        let _ = self.maybe_increment_log_start_offset(new_start, hw);
        self.segments.drain(..to_delete);
        result.deleted_segments.extend(
            infos
                .into_iter()
                .map(|segment| DeletedSegment { segment, reason }),
        );
    }

    /// `UnifiedLog.maybeIncrementLogStartOffset`: raises the log start offset (never lowers it).
    /// Above the high watermark it is `OFFSET_OUT_OF_RANGE`. Returns whether it moved. Used by
    /// DeleteRecords and by followers adopting the leader's log start offset.
    pub fn maybe_increment_log_start_offset(
        &mut self,
        new_log_start_offset: i64,
        hw: i64,
    ) -> Result<bool, LogError> {
        let hw = hw.min(self.log_end_offset);
        if new_log_start_offset > hw {
            return Err(LogError::OffsetOutOfRange {
                message: format!(
                    "Cannot increment the log start offset to {new_log_start_offset} of partition {} since it is larger than the high watermark {hw}",
                    self.topic_partition
                ),
            });
        }
        if new_log_start_offset > self.log_start_offset {
            self.log_start_offset = new_log_start_offset;
            return Ok(true);
        }
        Ok(false)
    }

    /// DeleteRecords on the leader (`Partition.deleteRecordsOnLeader`): moves the log start
    /// offset to `offset` (`-1` = the high watermark) and returns the new log start offset.
    /// Segments below it are removed by the next retention pass; the one straddling it stays but
    /// is unreadable below it.
    pub fn delete_records_before(
        &mut self,
        offset: i64,
        hw: i64,
        policy_has_delete: bool,
    ) -> Result<i64, LogError> {
        let tp = &self.topic_partition;
        if !policy_has_delete {
            return Err(LogError::PolicyViolation {
                message: format!(
                    "Records of partition {tp} can not be deleted due to the configured policy"
                ),
            });
        }
        let converted = if offset == -1 {
            hw.min(self.log_end_offset)
        } else {
            offset
        };
        if converted < 0 {
            return Err(LogError::OffsetOutOfRange {
                message: format!("The offset {converted} for partition {tp} is not valid"),
            });
        }
        self.maybe_increment_log_start_offset(converted, hw)?;
        Ok(self.log_start_offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::log_config::CleanupPolicy;
    use crate::log::SegmentSpec;
    use crate::TopicPartition;
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Fixture {
        cases: Vec<Case>,
    }

    #[derive(Deserialize)]
    struct Case {
        id: String,
        input: Input,
        expected: Expected,
    }

    #[derive(Deserialize, Clone, Copy)]
    struct Seg {
        base: i64,
        size: i64,
        largest_ts: i64,
    }

    #[derive(Deserialize)]
    struct Input {
        segments: Vec<Seg>,
        log_end_offset: i64,
        high_watermark: i64,
        log_start_offset: i64,
        now_ms: i64,
        retention_ms: i64,
        retention_bytes: i64,
        cleanup_policy_has_delete: bool,
    }

    #[derive(Deserialize)]
    struct Expected {
        deleted_segment_base_offsets: Vec<i64>,
        remaining_segments: Vec<Seg>,
        log_start_offset: i64,
        rolled_new_active_segment: bool,
    }

    #[test]
    fn retention_scenarios_from_kafka_vectors() {
        let fixture: Fixture =
            serde_json::from_str(include_str!("../../../tests/fixtures/retention.json"))
                .expect("fixture parses");
        assert_eq!(fixture.cases.len(), 9);
        for case in &fixture.cases {
            let i = &case.input;
            let specs: Vec<SegmentSpec> = i
                .segments
                .iter()
                .map(|s| SegmentSpec {
                    base_offset: s.base,
                    size_bytes: s.size,
                    largest_timestamp: s.largest_ts,
                })
                .collect();
            let mut log = Log::from_segment_specs(
                TopicPartition::new("t", 0),
                &specs,
                i.log_start_offset,
                i.log_end_offset,
                0,
            )
            .expect("fixture log");
            let config = LogConfig {
                retention_ms: i.retention_ms,
                retention_bytes: i.retention_bytes,
                cleanup_policy: if i.cleanup_policy_has_delete {
                    CleanupPolicy::DELETE
                } else {
                    CleanupPolicy::COMPACT
                },
                ..LogConfig::default()
            };
            let result = log.delete_old_segments(i.now_ms, i.high_watermark, &config);
            let deleted: Vec<i64> = result
                .deleted_segments
                .iter()
                .map(|d| d.segment.base_offset)
                .collect();
            let e = &case.expected;
            assert_eq!(
                deleted, e.deleted_segment_base_offsets,
                "{}: deleted",
                case.id
            );
            let remaining: Vec<(i64, i64, i64)> = log
                .segment_infos()
                .iter()
                .map(|s| (s.base_offset, s.size_bytes, s.largest_timestamp))
                .collect();
            let expected: Vec<(i64, i64, i64)> = e
                .remaining_segments
                .iter()
                .map(|s| (s.base, s.size, s.largest_ts))
                .collect();
            assert_eq!(remaining, expected, "{}: remaining", case.id);
            assert_eq!(
                result.log_start_offset, e.log_start_offset,
                "{}: log start",
                case.id
            );
            assert_eq!(
                log.log_start_offset(),
                e.log_start_offset,
                "{}: log start",
                case.id
            );
            assert_eq!(
                result.rolled_new_active_segment, e.rolled_new_active_segment,
                "{}: rolled",
                case.id
            );
            assert_eq!(
                log.log_end_offset(),
                i.log_end_offset,
                "{}: LEO unchanged",
                case.id
            );
            log.check_invariants()
                .unwrap_or_else(|err| panic!("{}: {err}", case.id));
        }
    }

    #[test]
    fn reasons_are_reported_in_check_order() {
        let specs = [
            SegmentSpec {
                base_offset: 0,
                size_bytes: 100,
                largest_timestamp: 1_000,
            },
            SegmentSpec {
                base_offset: 10,
                size_bytes: 100,
                largest_timestamp: 2_000,
            },
            SegmentSpec {
                base_offset: 20,
                size_bytes: 100,
                largest_timestamp: 3_000,
            },
            SegmentSpec {
                base_offset: 30,
                size_bytes: 100,
                largest_timestamp: 9_000,
            },
        ];
        let mut log =
            Log::from_segment_specs(TopicPartition::new("t", 0), &specs, 12, 35, 0).unwrap();
        // Log start 12 → [0,10) goes first. Size is measured after that pass: 300 - 150 = 150
        // excess → [10,20) (150 - 100 ≥ 0), then [20,30) stays (50 - 100 < 0). Time: now 6000,
        // retention 2500 → [20,30) (3000 old) goes, [30,35) (largest 9000) stays.
        let config = LogConfig {
            retention_bytes: 150,
            retention_ms: 2_500,
            ..LogConfig::default()
        };
        let r = log.delete_old_segments(6_000, 35, &config);
        let got: Vec<(i64, DeletionReason)> = r
            .deleted_segments
            .iter()
            .map(|d| (d.segment.base_offset, d.reason))
            .collect();
        assert_eq!(
            got,
            vec![
                (0, DeletionReason::LogStartOffsetBreach),
                (10, DeletionReason::RetentionSize),
                (20, DeletionReason::RetentionTime),
            ]
        );
        assert_eq!(r.log_start_offset, 30);
        assert_eq!(r.deleted_segments[0].segment.end_offset, 10);
        assert_eq!(
            r.deleted_by_reason(),
            vec![
                (DeletionReason::LogStartOffsetBreach, vec![0]),
                (DeletionReason::RetentionSize, vec![10]),
                (DeletionReason::RetentionTime, vec![20]),
            ]
        );
    }

    #[test]
    fn delete_records_errors_and_success() {
        let specs = [SegmentSpec {
            base_offset: 0,
            size_bytes: 100,
            largest_timestamp: 1,
        }];
        let mut log =
            Log::from_segment_specs(TopicPartition::new("orders", 2), &specs, 0, 20, 0).unwrap();
        let err = log.delete_records_before(15, 11, true).unwrap_err();
        assert_eq!(err.error_name(), "OFFSET_OUT_OF_RANGE");
        assert_eq!(
            err.to_string(),
            "Cannot increment the log start offset to 15 of partition orders-2 since it is larger than the high watermark 11"
        );
        let err = log.delete_records_before(5, 11, false).unwrap_err();
        assert_eq!(err.error_name(), "POLICY_VIOLATION");
        assert_eq!(
            err.to_string(),
            "Records of partition orders-2 can not be deleted due to the configured policy"
        );
        let err = log.delete_records_before(-101, 11, true).unwrap_err();
        assert_eq!(
            err.to_string(),
            "The offset -101 for partition orders-2 is not valid"
        );
        assert_eq!(log.delete_records_before(7, 11, true), Ok(7));
        // Never lowered.
        assert_eq!(log.delete_records_before(3, 11, true), Ok(7));
        // -1 means "up to the high watermark".
        assert_eq!(log.delete_records_before(-1, 11, true), Ok(11));
        assert_eq!(log.log_start_offset(), 11);
        let read = log.read(10, i64::MAX, true, 11).unwrap_err();
        assert_eq!(read.error_name(), "OFFSET_OUT_OF_RANGE");
    }
}
