//! The topic-level settings a partition log obeys, as plain numbers.
//!
//! The config registry (names, parsing, validation, broker vs topic levels) lives elsewhere and
//! fills this struct; `Default` is Kafka 4.0's topic defaults.

use super::record::TimestampType;
use serde::{Deserialize, Serialize};

/// `cleanup.policy`: `delete`, `compact` or both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CleanupPolicy {
    pub delete: bool,
    pub compact: bool,
}

impl CleanupPolicy {
    pub const DELETE: CleanupPolicy = CleanupPolicy {
        delete: true,
        compact: false,
    };
    pub const COMPACT: CleanupPolicy = CleanupPolicy {
        delete: false,
        compact: true,
    };
    pub const COMPACT_DELETE: CleanupPolicy = CleanupPolicy {
        delete: true,
        compact: true,
    };

    /// As `kafka-configs --describe` prints it.
    pub fn name(self) -> &'static str {
        match (self.compact, self.delete) {
            (true, true) => "compact,delete",
            (true, false) => "compact",
            (false, true) => "delete",
            (false, false) => "",
        }
    }
}

impl Default for CleanupPolicy {
    fn default() -> Self {
        CleanupPolicy::DELETE
    }
}

/// Settings used by append, retention and compaction. Times in ms, sizes in bytes; `-1` means
/// unlimited where Kafka allows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogConfig {
    /// `segment.bytes` (1 GiB).
    pub segment_bytes: i64,
    /// `segment.ms` (7 days).
    pub segment_ms: i64,
    /// `segment.jitter.ms`, capped at `segment.ms` (`LogConfig.randomSegmentJitter`): each new
    /// segment rolls that much earlier by a draw in `[0, this)`. 0 = no jitter (the default).
    pub segment_jitter_ms: i64,
    /// `max.message.bytes` (1 MiB + 12): the largest batch the leader accepts.
    pub max_message_bytes: i64,
    /// `message.timestamp.type`.
    pub message_timestamp_type: TimestampType,
    /// `message.timestamp.before.max.ms` (Long.MAX).
    pub message_timestamp_before_max_ms: i64,
    /// `message.timestamp.after.max.ms` (1 hour in 4.0, Long.MAX before).
    pub message_timestamp_after_max_ms: i64,
    /// `cleanup.policy`.
    pub cleanup_policy: CleanupPolicy,
    /// `retention.ms` (7 days, -1 = forever).
    pub retention_ms: i64,
    /// `retention.bytes`, per partition (-1 = unlimited).
    pub retention_bytes: i64,
    /// `delete.retention.ms`: how long tombstones survive compaction (1 day).
    pub delete_retention_ms: i64,
    /// `min.compaction.lag.ms` (0).
    pub min_compaction_lag_ms: i64,
    /// `max.compaction.lag.ms` (Long.MAX = off).
    pub max_compaction_lag_ms: i64,
    /// `min.cleanable.dirty.ratio` in thousandths (0.5 = 500); integer so state stays exact.
    pub min_cleanable_dirty_ratio_permille: i64,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            segment_bytes: 1_073_741_824,
            segment_ms: 604_800_000,
            segment_jitter_ms: 0,
            max_message_bytes: 1_048_588,
            message_timestamp_type: TimestampType::CreateTime,
            message_timestamp_before_max_ms: i64::MAX,
            message_timestamp_after_max_ms: 3_600_000,
            cleanup_policy: CleanupPolicy::DELETE,
            retention_ms: 604_800_000,
            retention_bytes: -1,
            delete_retention_ms: 86_400_000,
            min_compaction_lag_ms: 0,
            max_compaction_lag_ms: i64::MAX,
            min_cleanable_dirty_ratio_permille: 500,
        }
    }
}
