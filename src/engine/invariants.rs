//! Kafka's guarantees as named checks over the simulated world. A `Checker` remembers what it
//! saw (high watermarks and log start offsets never move back) and reports each violation with
//! the time and the partition or group involved.

use super::ids::{BrokerId, TopicPartition};
use super::sim::Sim;
use super::time::Millis;
use serde::Serialize;
use std::collections::BTreeMap;

/// The guarantee a violation breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Guarantee {
    /// Offsets in a partition's log strictly increase.
    OffsetsIncrease,
    /// log start offset ≤ high watermark ≤ log end offset, on every replica.
    WatermarksOrdered,
    /// A replica's high watermark never moves back.
    HighWatermarkMonotonic,
    /// A replica's log start offset never moves back.
    LogStartMonotonic,
    /// leader ∈ ISR ⊆ replicas.
    LeaderInIsr,
    /// No partition is owned by two members of one group.
    SingleOwner,
    /// A committed offset is never beyond the partition's high watermark.
    CommittedBelowHighWatermark,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Violation {
    pub at: Millis,
    pub guarantee: Guarantee,
    pub detail: String,
}

/// Remembers what earlier observations saw, for the monotonic guarantees.
#[derive(Clone, Debug, Default)]
pub struct Checker {
    high_watermarks: BTreeMap<(TopicPartition, BrokerId), i64>,
    log_starts: BTreeMap<(TopicPartition, BrokerId), i64>,
}

impl Checker {
    /// Checks every guarantee against the world as it is now.
    pub fn observe(&mut self, sim: &Sim) -> Vec<Violation> {
        let mut out = Vec::new();
        let at = sim.now();
        let mut v = |guarantee, detail: String| {
            out.push(Violation {
                at,
                guarantee,
                detail,
            })
        };
        for (tp, meta) in sim.cluster.all_partitions() {
            if let Some(l) = meta.leader {
                if !meta.isr.contains(&l) {
                    v(
                        Guarantee::LeaderInIsr,
                        format!("{tp}: leader {l} not in ISR {:?}", meta.isr),
                    );
                }
            }
            if let Some(b) = meta.isr.iter().find(|b| !meta.replicas.contains(b)) {
                v(
                    Guarantee::LeaderInIsr,
                    format!("{tp}: ISR member {b} is not a replica"),
                );
            }
            for b in &meta.replicas {
                let Some(r) = sim.replica(*b, &tp) else {
                    continue;
                };
                let (start, hw, leo) = (
                    r.log.log_start_offset(),
                    r.high_watermark,
                    r.log.log_end_offset(),
                );
                if !(start <= hw && hw <= leo) {
                    v(
                        Guarantee::WatermarksOrdered,
                        format!("{tp} on broker {b}: start {start}, HW {hw}, LEO {leo}"),
                    );
                }
                let mut last = -1;
                for rec in r.log.records() {
                    if rec.offset() <= last {
                        v(
                            Guarantee::OffsetsIncrease,
                            format!("{tp} on broker {b}: offset {} after {last}", rec.offset()),
                        );
                        break;
                    }
                    last = rec.offset();
                }
                let key = (tp.clone(), *b);
                if let Some(prev) = self.high_watermarks.insert(key.clone(), hw) {
                    if hw < prev {
                        v(
                            Guarantee::HighWatermarkMonotonic,
                            format!("{tp} on broker {b}: HW {prev} → {hw}"),
                        );
                    }
                }
                if let Some(prev) = self.log_starts.insert(key, start) {
                    if start < prev {
                        v(
                            Guarantee::LogStartMonotonic,
                            format!("{tp} on broker {b}: log start {prev} → {start}"),
                        );
                    }
                }
            }
        }
        // Topics deleted since the last look are forgotten, not reported.
        self.high_watermarks
            .retain(|(tp, _), _| sim.cluster.partition(tp).is_some());
        self.log_starts
            .retain(|(tp, _), _| sim.cluster.partition(tp).is_some());

        let mut owners: BTreeMap<(&str, &TopicPartition), &str> = BTreeMap::new();
        for c in sim.clients.values() {
            let super::client::Client::Consumer(x) = c else {
                continue;
            };
            let Some(group) = x.group.as_deref() else {
                continue;
            };
            for tp in &x.assignment {
                if let Some(other) = owners.insert((group, tp), &x.name) {
                    v(
                        Guarantee::SingleOwner,
                        format!("group {group}: {tp} owned by {other} and {}", x.name),
                    );
                }
            }
        }
        for g in sim.groups.values() {
            for (tp, c) in &g.offsets {
                if let Some(hw) = sim.high_watermark(tp) {
                    if c.offset > hw {
                        v(
                            Guarantee::CommittedBelowHighWatermark,
                            format!(
                                "group {}: committed {} on {tp} above HW {hw}",
                                g.group_id, c.offset
                            ),
                        );
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{ClusterSpec, Command};
    use std::collections::BTreeMap;

    fn world() -> Sim {
        let mut s = Sim::new(1, ClusterSpec::default()).unwrap();
        s.apply(Command::CreateTopic {
            name: "t".into(),
            partitions: Some(2),
            replication_factor: Some(3),
            configs: BTreeMap::new(),
            assignment: None,
        })
        .unwrap();
        for i in 0..5 {
            let value = Some(format!("v{i}"));
            s.apply(Command::Produce {
                producer: "p".into(),
                topic: "t".into(),
                partition: Some(0),
                key: None,
                value,
            })
            .unwrap();
        }
        s.run_for(2_000);
        s
    }

    #[test]
    fn a_healthy_world_has_no_violations() {
        let s = world();
        assert_eq!(Checker::default().observe(&s), Vec::new());
    }

    #[test]
    fn a_high_watermark_moving_back_is_reported() {
        let mut s = world();
        let mut checker = Checker::default();
        assert!(checker.observe(&s).is_empty());
        let tp = TopicPartition::new("t", 0);
        let leader = s.cluster.leader_of(&tp).unwrap();
        s.replica_mut(leader, &tp).unwrap().high_watermark = 2;
        let v = checker.observe(&s);
        assert_eq!(v.len(), 1, "{v:?}");
        assert_eq!(v[0].guarantee, Guarantee::HighWatermarkMonotonic);
    }

    #[test]
    fn isr_outside_replicas_and_disordered_watermarks_are_reported() {
        let mut s = world();
        let tp = TopicPartition::new("t", 1);
        s.cluster.partition_mut(&tp).unwrap().isr.push(7);
        let leader = s.cluster.leader_of(&tp).unwrap();
        s.replica_mut(leader, &tp).unwrap().high_watermark = 99;
        let found: Vec<Guarantee> = Checker::default()
            .observe(&s)
            .into_iter()
            .map(|v| v.guarantee)
            .collect();
        assert!(found.contains(&Guarantee::LeaderInIsr), "{found:?}");
        assert!(found.contains(&Guarantee::WatermarksOrdered), "{found:?}");
    }
}
