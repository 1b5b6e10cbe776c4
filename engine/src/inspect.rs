//! Read-only look-ups for the UI's inspector: what one replica on one broker holds (a follower's
//! log may differ from the leader's, so `Sim::records`, which reads the leader, is not enough).

use super::ids::{BrokerId, TopicPartition};
use super::log::Record;
use super::sim::Sim;

impl Sim {
    /// The newest `max` records of `tp`'s replica on `broker`, oldest first; empty when the
    /// broker holds no such replica.
    pub fn replica_tail(&self, broker: BrokerId, tp: &TopicPartition, max: usize) -> Vec<Record> {
        let Some(r) = self.replica(broker, tp) else {
            return Vec::new();
        };
        let start = r.log.log_start_offset();
        let from = r
            .log
            .log_end_offset()
            .saturating_sub(i64::try_from(max).unwrap_or(i64::MAX))
            .max(start);
        let mut tail: Vec<Record> = r.log.iter_from(from).cloned().collect();
        // Compacted logs have gaps: the window above may hold fewer than `max` records; that is
        // fine for a glance, but never return more than asked.
        let excess = tail.len().saturating_sub(max);
        tail.drain(..excess);
        tail
    }
}
