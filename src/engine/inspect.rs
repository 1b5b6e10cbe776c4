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

#[cfg(test)]
mod tests {
    use crate::engine::TopicPartition;
    use crate::scenario::default_scenario;

    #[test]
    fn replica_tail_returns_the_newest_records_of_that_replica() {
        let mut sim = default_scenario().build().expect("builds");
        sim.run_for(20_000);
        let tp = TopicPartition::new("orders", 0);
        let view = sim.topic("orders").expect("topic");
        let p = &view.partitions[0];
        let leader = p.leader.expect("a leader");
        let leo = p.leader_state().expect("leader state").log_end_offset;
        assert!(leo > 5, "the producer wrote to orders-0 (LEO {leo})");
        let tail = sim.replica_tail(leader, &tp, 5);
        let offsets: Vec<i64> = tail.iter().map(|r| r.offset()).collect();
        assert_eq!(offsets, ((leo - 5)..leo).collect::<Vec<_>>());
        assert!(sim.replica_tail(99, &tp, 5).is_empty(), "no such broker");
        assert!(sim
            .replica_tail(leader, &TopicPartition::new("nope", 0), 5)
            .is_empty());
    }
}
