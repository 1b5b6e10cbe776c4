//! Scenarios: a cluster and a timeline of commands. The playground opens on the default one.

use crate::engine::{ClusterSpec, Command, WorkloadSpec};
use std::collections::BTreeMap;

/// A cluster to build and the commands to apply to it at the start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scenario {
    pub seed: u64,
    pub cluster: ClusterSpec,
    pub commands: Vec<Command>,
}

/// The page's first scenario: 3 brokers, a topic `orders` with 3 partitions and replication
/// factor 3, a keyed producer at 4 records/s, and a group of two consumers. Links take 40 ms so
/// that every request and response can be followed by eye (a teaching choice; data-centre links
/// are under a millisecond).
pub fn default_scenario() -> Scenario {
    let cluster = ClusterSpec {
        network_latency_ms: 40,
        ..ClusterSpec::default()
    };
    let consumer = |name: &str| Command::StartConsumer {
        name: name.into(),
        group: Some("orders-app".into()),
        topics: vec!["orders".into()],
        assign: Vec::new(),
        start_offsets: BTreeMap::new(),
        configs: BTreeMap::from([("auto.offset.reset".to_string(), "earliest".to_string())]),
        process_time_ms: 0,
    };
    Scenario {
        seed: 42,
        cluster,
        commands: vec![
            Command::CreateTopic {
                name: "orders".into(),
                partitions: Some(3),
                replication_factor: Some(3),
                configs: BTreeMap::new(),
                assignment: None,
            },
            Command::StartProducer {
                name: "checkout".into(),
                configs: BTreeMap::new(),
                workload: Some(WorkloadSpec {
                    topic: "orders".into(),
                    records_per_sec: 4,
                    keys: Some(6),
                    max_records: None,
                }),
            },
            consumer("consumer-1"),
            consumer("consumer-2"),
        ],
    }
}

impl Scenario {
    /// Builds the world: the cluster, then every command in order.
    pub fn build(&self) -> Result<crate::engine::Sim, crate::engine::KafkaError> {
        let mut sim = crate::engine::Sim::new(self.seed, self.cluster.clone())?;
        for c in &self.commands {
            sim.apply(c.clone())?;
        }
        Ok(sim)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_scenario_runs_and_consumes() {
        let mut sim = default_scenario().build().expect("builds");
        sim.run_for(30_000);
        let g = sim.group_view("orders-app").expect("group");
        assert_eq!(g.state, "Stable");
        assert_eq!(g.members.len(), 2);
        let consumed: u64 = sim.client_views().iter().map(|c| c.consumed).sum();
        assert!(
            consumed > 50,
            "4 records/s for about 25 s after the group formed: {consumed}"
        );
    }
}
