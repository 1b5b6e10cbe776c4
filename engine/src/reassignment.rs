//! Partition reassignment (KIP-455) as the KRaft controller does it: the replica set becomes
//! the union of the target and the current replicas, the new replicas start fetching from the
//! leader, and at the ISR change that brings the last adding replica in
//! (`PartitionReassignmentReplicas.maybeCompleteReassignment`) the replicas become the target,
//! the ISR loses the removed replicas, a leader that is leaving is replaced by one from the
//! target, and the removed replicas delete their copy.

use super::error::{ErrorCode, KafkaError};
use super::ids::{BrokerId, TopicPartition};
use super::log::Log;
use super::sim::Sim;
use super::trace::TraceEvent;
use serde::Serialize;
use std::collections::BTreeSet;

/// An ongoing reassignment of one partition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reassignment {
    /// The replicas the partition will have, in order (the first is the preferred leader).
    pub target: Vec<BrokerId>,
    /// Target replicas that were not replicas before: they must join the ISR first.
    pub adding: Vec<BrokerId>,
    /// Current replicas that are not in the target: they go when the reassignment completes.
    pub removing: Vec<BrokerId>,
}

/// One ongoing reassignment as ListPartitionReassignments shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PartitionReassignmentView {
    pub tp: TopicPartition,
    /// Every replica now (target first, then the removing ones).
    pub replicas: Vec<BrokerId>,
    pub adding: Vec<BrokerId>,
    pub removing: Vec<BrokerId>,
}

fn invalid_assignment(message: String) -> KafkaError {
    KafkaError::new(ErrorCode::InvalidReplicaAssignment, message)
}

impl Sim {
    /// AlterPartitionReassignments: one result per partition, in request order (`None` = the
    /// reassignment started, or completed at once when no replica had to be added).
    pub(crate) fn alter_partition_reassignments(
        &mut self,
        reassignments: Vec<(TopicPartition, Vec<BrokerId>)>,
    ) -> Vec<(TopicPartition, Option<KafkaError>)> {
        let mut results = Vec::with_capacity(reassignments.len());
        for (tp, target) in reassignments {
            let r = self.start_reassignment(&tp, target).err();
            results.push((tp, r));
        }
        self.start_replica_fetchers();
        results
    }

    fn validate_target(&self, tp: &TopicPartition, target: &[BrokerId]) -> Result<(), KafkaError> {
        let Some(topic) = self.cluster.topics.get(&*tp.topic) else {
            return Err(KafkaError::new(
                ErrorCode::UnknownTopicOrPartition,
                format!("Unable to find a topic named {}.", tp.topic),
            ));
        };
        let exists = usize::try_from(tp.partition)
            .ok()
            .is_some_and(|p| p < topic.partitions.len());
        if !exists {
            return Err(KafkaError::new(
                ErrorCode::UnknownTopicOrPartition,
                format!("Unable to find partition {}:{}.", tp.topic, tp.partition),
            ));
        }
        if target.is_empty() {
            return Err(invalid_assignment(
                "The manual partition assignment includes an empty replica list.".into(),
            ));
        }
        let mut seen = BTreeSet::new();
        for b in target {
            if !seen.insert(*b) {
                return Err(invalid_assignment(format!(
                    "The manual partition assignment includes the broker {b} more than once."
                )));
            }
            if !self.cluster.brokers.contains_key(b) {
                return Err(invalid_assignment(format!(
                    "The manual partition assignment includes broker {b}, but no such broker is registered."
                )));
            }
        }
        Ok(())
    }

    fn start_reassignment(
        &mut self,
        tp: &TopicPartition,
        target: Vec<BrokerId>,
    ) -> Result<(), KafkaError> {
        self.validate_target(tp, &target)?;
        let Some(meta) = self.cluster.partition(tp) else {
            return Ok(());
        };
        let current = meta.replicas.clone();
        // An ongoing reassignment is replaced: what it was adding no longer counts as original.
        let previous_adding = self
            .cluster
            .reassignments
            .get(tp)
            .map(|r| r.adding.clone())
            .unwrap_or_default();
        let original: Vec<BrokerId> = current
            .iter()
            .copied()
            .filter(|b| !previous_adding.contains(b))
            .collect();
        let removing: Vec<BrokerId> = current
            .iter()
            .copied()
            .filter(|b| !target.contains(b))
            .collect();
        let adding: Vec<BrokerId> = target
            .iter()
            .copied()
            .filter(|b| !original.contains(b))
            .collect();
        let replicas: Vec<BrokerId> = target.iter().chain(removing.iter()).copied().collect();
        let fresh: Vec<BrokerId> = target
            .iter()
            .copied()
            .filter(|b| !current.contains(b))
            .collect();
        let now_ts = self.timestamp();
        for b in &fresh {
            if let Some(broker) = self.cluster.brokers.get_mut(b) {
                broker.add_replica(tp.clone(), Log::new(tp.clone(), now_ts));
            }
        }
        if let Some(meta) = self.cluster.partition_mut(tp) {
            meta.replicas = replicas;
        }
        self.cluster.reassignments.insert(
            tp.clone(),
            Reassignment {
                target,
                adding,
                removing,
            },
        );
        self.maybe_complete_reassignment(tp);
        Ok(())
    }

    /// Completes `tp`'s reassignment if every adding replica is in the ISR and some target
    /// replica would stay in it. Called when the reassignment starts and at every ISR change.
    pub(crate) fn maybe_complete_reassignment(&mut self, tp: &TopicPartition) {
        let Some(r) = self.cluster.reassignments.get(tp).cloned() else {
            return;
        };
        let Some(meta) = self.cluster.partition(tp) else {
            // The topic was deleted meanwhile.
            self.cluster.reassignments.remove(tp);
            return;
        };
        if !r.adding.iter().all(|b| meta.isr.contains(b)) {
            return;
        }
        let isr: Vec<BrokerId> = r
            .target
            .iter()
            .copied()
            .filter(|b| meta.isr.contains(b))
            .collect();
        if isr.is_empty() {
            return;
        }
        let isr_changed = isr != meta.isr;
        let leader_stays = meta.leader.is_some_and(|l| r.target.contains(&l));
        self.cluster.reassignments.remove(tp);
        if let Some(meta) = self.cluster.partition_mut(tp) {
            meta.replicas = r.target.clone();
            meta.isr = isr.clone();
        }
        if isr_changed {
            self.record(TraceEvent::IsrChanged {
                tp: tp.clone(),
                isr,
                reason: "partition reassignment completed".into(),
            });
        }
        for b in &r.removing {
            if let Some(broker) = self.cluster.brokers.get_mut(b) {
                broker.replicas.remove(tp);
            }
        }
        if leader_stays {
            if let Some(l) = self.cluster.leader_of(tp) {
                self.reassignment_kept_leader(tp, l, !r.removing.is_empty());
            }
        } else {
            // The leader is leaving: the first target replica in the ISR takes over.
            let unclean = self.topic_config(&tp.topic).unclean_leader_election_enable;
            self.elect_leader(tp, unclean);
        }
        self.start_replica_fetchers();
    }

    /// A completed reassignment kept leader `l`. One that `removed` replicas bumps the leader
    /// epoch (`PartitionChangeBuilder.triggerLeaderEpochBumpForReplicaReassignmentIfNeeded`),
    /// so the removed replicas' requests in the old epoch are fenced; `l` leads on
    /// (`Partition.makeLeader` with the same leader: its followers' states are reset).
    fn reassignment_kept_leader(&mut self, tp: &TopicPartition, l: BrokerId, removed: bool) {
        if !removed {
            self.wake_quiet(l, tp);
            self.maybe_advance_high_watermark(l, tp);
            return;
        }
        let Some(meta) = self.cluster.partition_mut(tp) else {
            return;
        };
        meta.leader_epoch += 1;
        let epoch = meta.leader_epoch;
        self.record(TraceEvent::LeaderElected {
            tp: tp.clone(),
            leader: Some(l),
            epoch,
            unclean: false,
        });
        self.become_leader(l, tp, epoch, Some(l));
    }

    /// ListPartitionReassignments: the ongoing reassignments, by topic and partition.
    pub fn partition_reassignments(&self) -> Vec<PartitionReassignmentView> {
        self.cluster
            .reassignments
            .iter()
            .filter_map(|(tp, r)| {
                let meta = self.cluster.partition(tp)?;
                Some(PartitionReassignmentView {
                    tp: tp.clone(),
                    replicas: meta.replicas.clone(),
                    adding: r.adding.clone(),
                    removing: r.removing.clone(),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ClusterSpec, Command, Outcome};
    use std::collections::BTreeMap;

    fn tp() -> TopicPartition {
        TopicPartition::new("orders", 0)
    }

    /// Four brokers; `orders-0` on 0,1,2 with a few records.
    fn sim() -> Sim {
        let spec = ClusterSpec {
            brokers: 4,
            ..ClusterSpec::default()
        };
        let mut sim = Sim::new(3, spec).unwrap();
        sim.apply(Command::CreateTopic {
            name: "orders".into(),
            partitions: Some(1),
            replication_factor: None,
            configs: BTreeMap::new(),
            assignment: Some(vec![vec![0, 1, 2]]),
        })
        .unwrap();
        for i in 0..5 {
            sim.apply(Command::Produce {
                producer: "p".into(),
                topic: "orders".into(),
                partition: Some(0),
                key: None,
                value: Some(format!("v{i}")),
                timestamp: None,
            })
            .unwrap();
        }
        sim.run_for(2_000);
        sim
    }

    fn reassign(sim: &mut Sim, target: Vec<BrokerId>) -> Vec<(TopicPartition, Option<KafkaError>)> {
        match sim.apply(Command::AlterPartitionReassignments {
            reassignments: vec![(tp(), target)],
        }) {
            Ok(Outcome::ReassignmentsStarted { results }) => results,
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn reassignment_adds_catches_up_then_removes() {
        let mut sim = sim();
        assert_eq!(reassign(&mut sim, vec![1, 2, 3]), vec![(tp(), None)]);
        let views = sim.partition_reassignments();
        assert_eq!(views.len(), 1);
        assert_eq!(views[0].replicas, vec![1, 2, 3, 0]);
        assert_eq!(views[0].adding, vec![3]);
        assert_eq!(views[0].removing, vec![0]);
        assert!(sim.replica(3, &tp()).is_some(), "the new replica exists");
        sim.run_for(5_000);
        assert!(sim.partition_reassignments().is_empty());
        let meta = sim.cluster.partition(&tp()).unwrap().clone();
        assert_eq!(meta.replicas, vec![1, 2, 3]);
        assert_eq!(meta.isr, vec![1, 2, 3]);
        assert!(
            sim.replica(0, &tp()).is_none(),
            "the removed replica is deleted"
        );
        let copy = sim.replica(3, &tp()).unwrap();
        assert_eq!(copy.log.log_end_offset(), 5, "the new replica caught up");
    }

    #[test]
    fn leader_moves_off_a_removed_broker() {
        let mut sim = sim();
        assert_eq!(sim.cluster.leader_of(&tp()), Some(0));
        reassign(&mut sim, vec![3, 2]);
        sim.run_for(5_000);
        let meta = sim.cluster.partition(&tp()).unwrap().clone();
        assert_eq!(meta.replicas, vec![3, 2]);
        assert_eq!(
            meta.leader,
            Some(3),
            "the first target replica in the ISR leads"
        );
        assert!(sim.replica(0, &tp()).is_none());
        assert!(sim.replica(1, &tp()).is_none());
    }

    #[test]
    fn shrinking_completes_at_once() {
        let mut sim = sim();
        reassign(&mut sim, vec![1]);
        assert!(sim.partition_reassignments().is_empty());
        let meta = sim.cluster.partition(&tp()).unwrap().clone();
        assert_eq!(
            (meta.replicas, meta.isr, meta.leader),
            (vec![1], vec![1], Some(1))
        );
    }

    /// `PartitionChangeBuilder.triggerLeaderEpochBumpForReplicaReassignmentIfNeeded`: the
    /// leader stays, in a new epoch, and its followers replicate on in it.
    #[test]
    fn removing_replicas_bumps_the_epoch_of_the_leader_that_stays() {
        let mut sim = sim();
        let before = sim.cluster.partition(&tp()).unwrap().clone();
        assert_eq!(before.leader, Some(0));
        reassign(&mut sim, vec![0, 1]);
        let meta = sim.cluster.partition(&tp()).unwrap().clone();
        let epoch = before.leader_epoch + 1;
        assert_eq!(
            (meta.replicas, meta.leader, meta.leader_epoch),
            (vec![0, 1], Some(0), epoch)
        );
        let leader = sim.replica(0, &tp()).unwrap();
        assert_eq!(leader.epochs.latest_epoch(), Some(epoch));
        assert_eq!(
            leader.followers.keys().copied().collect::<Vec<_>>(),
            vec![1]
        );
        sim.apply(Command::Produce {
            producer: "p".into(),
            topic: "orders".into(),
            partition: Some(0),
            key: None,
            value: Some("after".into()),
            timestamp: None,
        })
        .unwrap();
        sim.run_for(2_000);
        let follower = sim.replica(1, &tp()).unwrap();
        assert_eq!(follower.log.log_end_offset(), 6);
        assert_eq!(follower.high_watermark, 6);
        assert_eq!(follower.epochs.latest_epoch(), Some(epoch));
    }

    #[test]
    fn adding_replicas_keeps_the_leader_epoch() {
        let mut sim = sim();
        let before = sim.cluster.partition(&tp()).unwrap().leader_epoch;
        reassign(&mut sim, vec![0, 1, 2, 3]);
        sim.run_for(30_000);
        assert!(sim.partition_reassignments().is_empty());
        assert_eq!(sim.cluster.partition(&tp()).unwrap().leader_epoch, before);
    }

    #[test]
    fn a_reassignment_to_a_dead_broker_stays_in_progress() {
        let mut sim = sim();
        sim.apply(Command::StopBroker { id: 3, hard: true })
            .unwrap();
        reassign(&mut sim, vec![0, 1, 3]);
        sim.run_for(30_000);
        assert_eq!(sim.partition_reassignments().len(), 1);
        sim.apply(Command::StartBroker { id: 3 }).unwrap();
        sim.run_for(30_000);
        assert!(sim.partition_reassignments().is_empty());
        assert_eq!(
            sim.cluster.partition(&tp()).unwrap().replicas,
            vec![0, 1, 3]
        );
    }

    #[test]
    fn invalid_targets_are_refused_per_partition() {
        let mut sim = sim();
        let r = reassign(&mut sim, vec![1, 1]);
        assert_eq!(
            r[0].1.as_ref().map(|e| e.message.as_str()),
            Some("The manual partition assignment includes the broker 1 more than once.")
        );
        let r = reassign(&mut sim, vec![9]);
        assert_eq!(
            r[0].1.as_ref().map(|e| e.code),
            Some(ErrorCode::InvalidReplicaAssignment)
        );
        let r = sim.alter_partition_reassignments(vec![(TopicPartition::new("x", 0), vec![1])]);
        assert_eq!(
            r[0].1.as_ref().map(|e| e.code),
            Some(ErrorCode::UnknownTopicOrPartition)
        );
        assert_eq!(
            sim.cluster.partition(&tp()).unwrap().replicas,
            vec![0, 1, 2]
        );
    }
}
