//! ElectLeaders (KIP-460), as the KRaft controller answers it (`ReplicationControlManager.
//! electLeaders` / `electLeader`): a preferred election moves leadership to the first replica
//! when it is in the ISR and eligible; an unclean election gives a leaderless partition any
//! live replica. Results per partition carry Kafka's error names.

use super::error::ErrorCode;
use super::ids::TopicPartition;
use super::sim::Sim;

/// `ElectionType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ElectionType {
    Preferred,
    Unclean,
}

impl ElectionType {
    /// As Kafka prints it (`PREFERRED`).
    pub fn name(self) -> &'static str {
        match self {
            ElectionType::Preferred => "PREFERRED",
            ElectionType::Unclean => "UNCLEAN",
        }
    }
}

/// Why one partition got no (new) leader, as the ElectLeaders response says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ElectionError {
    /// `ELECTION_NOT_NEEDED`: the preferred replica already leads (preferred), or the partition
    /// has a leader (unclean).
    ElectionNotNeeded,
    /// `PREFERRED_LEADER_NOT_AVAILABLE`.
    PreferredLeaderNotAvailable,
    /// `ELIGIBLE_LEADERS_NOT_AVAILABLE`.
    EligibleLeadersNotAvailable,
    /// `UNKNOWN_TOPIC_OR_PARTITION` with the controller's message (`No such topic as orders`).
    UnknownTopicOrPartition(String),
}

impl ElectionError {
    /// The protocol error.
    pub fn code(&self) -> ErrorCode {
        match self {
            ElectionError::ElectionNotNeeded => ErrorCode::ElectionNotNeeded,
            ElectionError::PreferredLeaderNotAvailable => ErrorCode::PreferredLeaderNotAvailable,
            ElectionError::EligibleLeadersNotAvailable => ErrorCode::EligibleLeadersNotAvailable,
            ElectionError::UnknownTopicOrPartition(_) => ErrorCode::UnknownTopicOrPartition,
        }
    }

    /// The message the client's exception carries: the controller's own message where it
    /// sends one, else the error's default message.
    pub fn message(&self) -> &str {
        match self {
            ElectionError::UnknownTopicOrPartition(m) => m,
            other => other.code().default_message(),
        }
    }
}

/// One partition's result: `None` = a leader was elected.
pub type ElectionResult = (TopicPartition, Option<ElectionError>);

impl Sim {
    /// ElectLeaders for `partitions`, or for every partition (`None`, as `--all-topic-partitions`
    /// sends it; partitions that need no election are then left out of the results).
    pub(crate) fn elect_leaders(
        &mut self,
        election: ElectionType,
        partitions: Option<Vec<TopicPartition>>,
    ) -> Vec<ElectionResult> {
        match partitions {
            Some(list) => list
                .into_iter()
                .map(|tp| {
                    let r = self.elect_one(election, &tp);
                    (tp, r)
                })
                .collect(),
            None => {
                let all: Vec<TopicPartition> =
                    self.cluster.all_partitions().map(|(tp, _)| tp).collect();
                all.into_iter()
                    .filter_map(|tp| match self.elect_one(election, &tp) {
                        Some(ElectionError::ElectionNotNeeded) => None,
                        r => Some((tp, r)),
                    })
                    .collect()
            }
        }
    }

    /// `ReplicationControlManager.electLeader` for one partition.
    fn elect_one(&mut self, election: ElectionType, tp: &TopicPartition) -> Option<ElectionError> {
        let Some(topic) = self.cluster.topics.get(&*tp.topic) else {
            return Some(ElectionError::UnknownTopicOrPartition(format!(
                "No such topic as {}",
                tp.topic
            )));
        };
        let Some(meta) = usize::try_from(tp.partition)
            .ok()
            .and_then(|p| topic.partitions.get(p))
        else {
            return Some(ElectionError::UnknownTopicOrPartition(format!(
                "No such partition as {tp}"
            )));
        };
        let preferred = meta.replicas.first().copied();
        let needed = match election {
            ElectionType::Preferred => meta.leader.is_none() || meta.leader != preferred,
            ElectionType::Unclean => meta.leader.is_none(),
        };
        if !needed {
            return Some(ElectionError::ElectionNotNeeded);
        }
        let valid = |b: i32| meta.isr.contains(&b) && self.cluster.is_eligible_for_isr(b);
        let leader_valid = meta.leader.is_some_and(valid);
        let before = (meta.leader, meta.leader_epoch);
        match election {
            ElectionType::Preferred => {
                // PartitionChangeBuilder.electPreferredLeader: the preferred replica if valid;
                // else keep a valid leader (no change); else any other valid replica.
                if preferred.is_some_and(valid) || !leader_valid {
                    // `elect_leader` picks the first valid replica in assignment order, which is
                    // the preferred one when it is valid.
                    self.elect_leader(tp, false);
                }
            }
            ElectionType::Unclean => self.elect_leader(tp, true),
        }
        let after = self
            .cluster
            .partition(tp)
            .map(|m| (m.leader, m.leader_epoch));
        let changed = after.is_some_and(|(l, e)| l.is_some() && (l, e) != before);
        if changed {
            return None;
        }
        Some(match election {
            ElectionType::Preferred => ElectionError::PreferredLeaderNotAvailable,
            ElectionType::Unclean => ElectionError::EligibleLeadersNotAvailable,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ClusterSpec, Command};
    use std::collections::BTreeMap;

    fn sim_with_topic() -> Sim {
        let mut sim = Sim::new(7, ClusterSpec::default()).unwrap();
        sim.apply(Command::CreateTopic {
            name: "orders".into(),
            partitions: Some(1),
            replication_factor: None,
            configs: BTreeMap::new(),
            assignment: Some(vec![vec![0, 1, 2]]),
        })
        .unwrap();
        sim.run_for(1_000);
        sim
    }

    fn tp() -> TopicPartition {
        TopicPartition::new("orders", 0)
    }

    #[test]
    fn preferred_election_is_not_needed_when_the_preferred_replica_leads() {
        let mut sim = sim_with_topic();
        let r = sim.elect_leaders(ElectionType::Preferred, Some(vec![tp()]));
        assert_eq!(r, vec![(tp(), Some(ElectionError::ElectionNotNeeded))]);
        // With every partition asked for, such partitions are left out.
        assert!(sim.elect_leaders(ElectionType::Preferred, None).is_empty());
    }

    #[test]
    fn preferred_leader_comes_back_after_a_restart() {
        let mut sim = sim_with_topic();
        sim.apply(Command::StopBroker { id: 0, hard: false })
            .unwrap();
        sim.run_for(5_000);
        assert_eq!(sim.cluster.leader_of(&tp()), Some(1));
        // Broker 0 is gone: the preferred leader is not available.
        let r = sim.elect_leaders(ElectionType::Preferred, Some(vec![tp()]));
        assert_eq!(
            r,
            vec![(tp(), Some(ElectionError::PreferredLeaderNotAvailable))]
        );
        sim.apply(Command::StartBroker { id: 0 }).unwrap();
        sim.run_for(20_000);
        assert!(sim.cluster.partition(&tp()).unwrap().isr.contains(&0));
        let r = sim.elect_leaders(ElectionType::Preferred, Some(vec![tp()]));
        assert_eq!(r, vec![(tp(), None)]);
        assert_eq!(sim.cluster.leader_of(&tp()), Some(0));
    }

    #[test]
    fn unclean_election_needs_a_leaderless_partition_and_a_live_replica() {
        let mut sim = sim_with_topic();
        let r = sim.elect_leaders(ElectionType::Unclean, Some(vec![tp()]));
        assert_eq!(r, vec![(tp(), Some(ElectionError::ElectionNotNeeded))]);
        // Kill the followers first so that broker 0 is the last ISR member, then 0 too.
        for b in [1, 2, 0] {
            sim.apply(Command::StopBroker { id: b, hard: true })
                .unwrap();
            sim.run_for(15_000);
        }
        assert_eq!(sim.cluster.leader_of(&tp()), None);
        let r = sim.elect_leaders(ElectionType::Unclean, Some(vec![tp()]));
        assert_eq!(
            r,
            vec![(tp(), Some(ElectionError::EligibleLeadersNotAvailable))]
        );
        // Broker 2 (not in the ISR) comes back: the unclean election makes it the leader.
        sim.apply(Command::StartBroker { id: 2 }).unwrap();
        sim.run_for(5_000);
        if sim.cluster.leader_of(&tp()).is_none() {
            let r = sim.elect_leaders(ElectionType::Unclean, Some(vec![tp()]));
            assert_eq!(r, vec![(tp(), None)]);
        }
        assert_eq!(sim.cluster.leader_of(&tp()), Some(2));
    }

    #[test]
    fn unknown_topics_and_partitions_say_which() {
        let mut sim = sim_with_topic();
        let r = sim.elect_leaders(
            ElectionType::Preferred,
            Some(vec![
                TopicPartition::new("nope", 0),
                TopicPartition::new("orders", 3),
            ]),
        );
        assert_eq!(
            r[0].1.as_ref().map(|e| e.message().to_string()),
            Some("No such topic as nope".to_string())
        );
        assert_eq!(
            r[1].1.as_ref().map(|e| e.message().to_string()),
            Some("No such partition as orders-3".to_string())
        );
    }
}
