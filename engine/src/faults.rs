//! The fault API beyond broker stops: network faults (isolation, partitions, slow and lossy
//! links, heal) and stopping or starting controller nodes (KRaft voters, ZooKeeper servers).
//! Everything is validated first, so a rejected fault changes nothing.

use super::error::{ErrorCode, KafkaError};
use super::network::NodeId;
use super::sim::Sim;
use super::time::Millis;
use super::trace::TraceEvent;

/// A network fault, between nodes named by `NodeId`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NetworkFault {
    /// Cut one node off from every other node.
    Isolate(NodeId),
    /// Cut every link between the two sides (links within a side stay).
    Partition(Vec<NodeId>, Vec<NodeId>),
    /// One-way latency of the link between two nodes.
    Latency(NodeId, NodeId, Millis),
    /// Percent of messages the link between two nodes loses.
    Loss(NodeId, NodeId, u32),
    /// Every link back to normal.
    Heal,
}

impl NetworkFault {
    pub fn describe(&self) -> String {
        let list = |v: &[NodeId]| {
            v.iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            NetworkFault::Isolate(n) => format!("isolate {n}"),
            NetworkFault::Partition(a, b) => format!("partition {} / {}", list(a), list(b)),
            NetworkFault::Latency(a, b, ms) => format!("latency {a} ↔ {b} {ms} ms"),
            NetworkFault::Loss(a, b, p) => format!("loss {a} ↔ {b} {p}%"),
            NetworkFault::Heal => "heal".to_string(),
        }
    }
}

fn invalid(message: String) -> KafkaError {
    KafkaError::new(ErrorCode::InvalidRequest, message)
}

impl Sim {
    /// The network faults in force.
    pub fn network_faults(&self) -> super::network::NetworkFaults {
        self.net.faults()
    }

    /// How the link between two nodes treats a message sent now.
    pub fn link_state(&self, a: NodeId, b: NodeId) -> super::network::LinkState {
        self.net.link_state(a, b)
    }

    /// Every node that exists now, in a stable order.
    pub fn nodes(&self) -> Vec<NodeId> {
        let mut out: Vec<NodeId> = self
            .cluster
            .brokers
            .keys()
            .map(|b| NodeId::Broker(*b))
            .collect();
        out.extend(
            self.cluster
                .controller
                .quorum
                .voters
                .keys()
                .map(|v| NodeId::Controller(*v)),
        );
        if let Some(zk) = &self.cluster.controller.zk {
            out.extend(zk.servers.keys().map(|z| NodeId::ZooKeeper(*z)));
        }
        out.extend(self.clients.keys().map(|c| NodeId::Client(*c)));
        out
    }

    fn check_node(&self, n: NodeId) -> Result<(), KafkaError> {
        if self.nodes().contains(&n) {
            return Ok(());
        }
        let known: Vec<String> = self
            .nodes()
            .iter()
            .filter(|n| !matches!(n, NodeId::Client(_)))
            .map(|n| n.to_string())
            .collect();
        Err(invalid(format!(
            "No {n} in this cluster; its nodes are {} and the running clients.",
            known.join(", ")
        )))
    }

    pub(crate) fn apply_network_fault(&mut self, fault: NetworkFault) -> Result<(), KafkaError> {
        match &fault {
            NetworkFault::Isolate(n) => self.check_node(*n)?,
            NetworkFault::Partition(a, b) => {
                if a.is_empty() || b.is_empty() {
                    return Err(invalid(
                        "A partition needs nodes on both sides: A,B / C,D.".into(),
                    ));
                }
                for n in a.iter().chain(b) {
                    self.check_node(*n)?;
                }
                if let Some(n) = a.iter().find(|n| b.contains(n)) {
                    return Err(invalid(format!("{n} is on both sides of the partition.")));
                }
            }
            NetworkFault::Latency(a, b, ms) => {
                self.check_node(*a)?;
                self.check_node(*b)?;
                if !(0..=60_000).contains(ms) {
                    return Err(invalid(format!("Latency must be 0 to 60000 ms; got {ms}.")));
                }
            }
            NetworkFault::Loss(a, b, p) => {
                self.check_node(*a)?;
                self.check_node(*b)?;
                if *p > 100 {
                    return Err(invalid(format!("Loss must be 0 to 100 %; got {p}.")));
                }
            }
            NetworkFault::Heal => {}
        }
        match &fault {
            NetworkFault::Isolate(n) => self.net.isolate(*n),
            NetworkFault::Partition(a, b) => self.net.partition(a, b),
            NetworkFault::Latency(a, b, ms) => self.net.set_latency(*a, *b, *ms),
            NetworkFault::Loss(a, b, p) => self.net.set_loss(*a, *b, *p),
            NetworkFault::Heal => self.net.heal(),
        }
        self.record(TraceEvent::NetworkChanged {
            change: fault.describe(),
        });
        Ok(())
    }

    /// Stops (cleanly or hard) or starts a controller node: a KRaft voter, a ZooKeeper server,
    /// or in the ZooKeeper era the broker acting as controller (`broker stop` does that one).
    pub(crate) fn set_controller_node(
        &mut self,
        node: NodeId,
        stop: Option<bool>,
    ) -> Result<(), KafkaError> {
        let alive = match node {
            NodeId::Controller(v) => self
                .cluster
                .controller
                .quorum
                .voters
                .get(&v)
                .map(|x| x.alive),
            NodeId::ZooKeeper(z) => self
                .cluster
                .controller
                .zk
                .as_ref()
                .and_then(|zk| zk.servers.get(&z).copied()),
            _ => None,
        };
        let Some(alive) = alive else {
            self.check_node(node)?;
            return Err(invalid(format!(
                "{node} is not a controller node; brokers stop with broker stop."
            )));
        };
        match (stop, alive) {
            (Some(_), false) => Err(invalid(format!("The {node} is already stopped."))),
            (None, true) => Err(invalid(format!("The {node} is already running."))),
            (Some(hard), true) => {
                match node {
                    NodeId::Controller(v)
                        if self.cluster.controller.quorum.colocated_broker(v).is_some() =>
                    {
                        self.stop_combined_node(v, hard)
                    }
                    NodeId::Controller(v) => self.stop_voter(v, hard),
                    NodeId::ZooKeeper(z) => self.set_zk_server(z, false),
                    _ => {}
                }
                Ok(())
            }
            (None, false) => {
                match node {
                    // Combined mode: the broker's process starts, its controller with it.
                    NodeId::Controller(v)
                        if self.cluster.controller.quorum.colocated_broker(v).is_some() =>
                    {
                        self.start_broker(v)
                    }
                    NodeId::Controller(v) => self.start_voter(v),
                    NodeId::ZooKeeper(z) => self.set_zk_server(z, true),
                    _ => {}
                }
                Ok(())
            }
        }
    }

    /// Fails with Kafka's timeout when no controller can take a metadata change.
    pub(crate) fn require_controller(&self) -> Result<(), KafkaError> {
        if self.active_controller().is_some() {
            return Ok(());
        }
        Err(KafkaError::new(
            ErrorCode::RequestTimedOut,
            "The request timed out. (No active controller: a majority of the controller quorum must be alive and connected for metadata changes.)",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ClusterSpec, Command};
    use std::collections::BTreeMap;

    #[test]
    fn faults_are_validated_and_heal_restores_every_link() {
        let mut sim = Sim::new(1, ClusterSpec::default()).unwrap();
        let err = sim
            .apply_network_fault(NetworkFault::Isolate(NodeId::Broker(9)))
            .unwrap_err();
        assert!(err.message.contains("No broker 9"), "{}", err.message);
        let err = sim
            .apply_network_fault(NetworkFault::Loss(
                NodeId::Broker(0),
                NodeId::Broker(1),
                101,
            ))
            .unwrap_err();
        assert!(err.message.contains("0 to 100"), "{}", err.message);
        sim.apply_network_fault(NetworkFault::Partition(
            vec![NodeId::Broker(0)],
            vec![NodeId::Broker(1), NodeId::Broker(2)],
        ))
        .unwrap();
        assert!(sim.net.is_cut(NodeId::Broker(0), NodeId::Broker(2)));
        assert!(!sim.net.is_cut(NodeId::Broker(1), NodeId::Broker(2)));
        sim.apply_network_fault(NetworkFault::Heal).unwrap();
        assert!(!sim.net.is_cut(NodeId::Broker(0), NodeId::Broker(2)));
    }

    #[test]
    fn an_isolated_leader_loses_its_followers_and_its_leadership() {
        let mut sim = Sim::new(1, ClusterSpec::default()).unwrap();
        sim.apply(Command::CreateTopic {
            name: "t".into(),
            partitions: Some(1),
            replication_factor: Some(3),
            configs: BTreeMap::new(),
            assignment: Some(vec![vec![0, 1, 2]]),
        })
        .unwrap();
        sim.run_for(1_000);
        sim.apply_network_fault(NetworkFault::Isolate(NodeId::Broker(0)))
            .unwrap();
        // No heartbeats reach the controller: fenced after broker.session.timeout.ms.
        sim.run_for(12_000);
        let tp = crate::ids::TopicPartition::new("t", 0);
        let meta = sim.cluster.partition(&tp).unwrap();
        assert_eq!(meta.leader, Some(1));
        assert!(!meta.isr.contains(&0));
        sim.apply_network_fault(NetworkFault::Heal).unwrap();
        sim.run_for(40_000);
        let meta = sim.cluster.partition(&tp).unwrap();
        assert!(meta.isr.contains(&0), "the healed broker rejoins: {meta:?}");
    }

    #[test]
    fn without_a_controller_quorum_topics_cannot_be_created() {
        let spec = ClusterSpec {
            controllers: 3,
            ..ClusterSpec::default()
        };
        let mut sim = Sim::new(1, spec).unwrap();
        sim.set_controller_node(NodeId::Controller(3001), Some(true))
            .unwrap();
        sim.set_controller_node(NodeId::Controller(3002), Some(true))
            .unwrap();
        sim.run_for(5_000);
        let err = sim
            .apply(Command::CreateTopic {
                name: "t".into(),
                partitions: Some(1),
                replication_factor: Some(1),
                configs: BTreeMap::new(),
                assignment: None,
            })
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::RequestTimedOut);
        sim.set_controller_node(NodeId::Controller(3002), None)
            .unwrap();
        sim.run_for(5_000);
        assert!(sim.active_controller().is_some());
    }
}
