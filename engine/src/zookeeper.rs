//! The ZooKeeper era (Kafka ≤ 3.x): an ensemble of ZooKeeper servers holds the metadata; each
//! broker keeps a session with one server (an ephemeral `/brokers/ids/N` znode); one broker wins
//! the `/controller` znode and acts as controller. A broker whose session sees no ping for
//! `zookeeper.session.timeout.ms` is gone; if it was the controller, another broker takes over.
//!
//! Simplified for teaching (and said so in the docs): the ensemble's own leader election (ZAB)
//! is instant (the highest-numbered live server of a majority leads), and the race for
//! `/controller` is won by the lowest-numbered registered broker.

use super::controller::Shutdown;
use super::ids::BrokerId;
use super::network::NodeId;
use super::protocol::Body;
use super::sim::Sim;
use super::trace::TraceEvent;
use crate::ordered::CollectOrdered;
use std::collections::BTreeMap;

#[derive(Clone, Debug)]
pub struct ZkEnsemble {
    /// Server `myid` (from 1) → alive.
    pub servers: BTreeMap<i32, bool>,
    /// The broker holding `/controller`.
    pub controller: Option<BrokerId>,
    /// `/controller_epoch`: bumped at each controller change.
    pub controller_epoch: i32,
}

impl ZkEnsemble {
    pub fn new(count: u32) -> ZkEnsemble {
        ZkEnsemble {
            servers: (1..=count as i32).map(|id| (id, true)).collect_map(),
            controller: Some(0),
            controller_epoch: 1,
        }
    }

    fn majority(&self) -> usize {
        self.servers.len() / 2 + 1
    }
}

impl Sim {
    fn zk(&self) -> Option<&ZkEnsemble> {
        self.cluster.controller.zk.as_ref()
    }

    /// Whether server `z` is alive and reaches a majority of the ensemble (itself included).
    fn zk_server_has_quorum(&self, z: i32) -> bool {
        let Some(zk) = self.zk() else { return false };
        if zk.servers.get(&z) != Some(&true) {
            return false;
        }
        let reachable = zk
            .servers
            .iter()
            .filter(|(y, alive)| {
                **alive
                    && !self
                        .net
                        .is_cut(NodeId::ZooKeeper(z), NodeId::ZooKeeper(**y))
            })
            .count();
        reachable >= zk.majority()
    }

    /// The ensemble's leader: the highest-numbered server that has a quorum.
    pub fn zk_leader(&self) -> Option<i32> {
        let zk = self.zk()?;
        zk.servers
            .keys()
            .rev()
            .copied()
            .find(|z| self.zk_server_has_quorum(*z))
    }

    /// The broker acting as controller, while the ensemble works and the broker is alive.
    pub(crate) fn zk_active_controller(&self) -> Option<BrokerId> {
        let c = self.zk()?.controller?;
        (self.zk_leader().is_some() && self.cluster.is_alive(c)).then_some(c)
    }

    /// The server a broker's ZooKeeper client talks to: its own by `id % n`, failing over to
    /// the next one that works, as the client walks its connect string.
    fn zk_server_for(&self, b: BrokerId) -> Option<i32> {
        let zk = self.zk()?;
        let ids: Vec<i32> = zk.servers.keys().copied().collect();
        let start = usize::try_from(b).unwrap_or(0) % ids.len().max(1);
        (0..ids.len())
            .map(|i| ids[(start + i) % ids.len()])
            .find(|z| {
                self.zk_server_has_quorum(*z)
                    && !self.net.is_cut(NodeId::Broker(b), NodeId::ZooKeeper(*z))
            })
            .or_else(|| ids.get(start).copied())
    }

    /// A broker's session ping (every third of the session timeout).
    pub(crate) fn zk_ping(&mut self, b: BrokerId) {
        if let Some(z) = self.zk_server_for(b) {
            self.send(
                NodeId::Broker(b),
                NodeId::ZooKeeper(z),
                Body::ZkPingRequest { broker: b },
            );
        }
    }

    pub(crate) fn zk_receive(&mut self, z: i32, from: NodeId, body: Body) {
        let Body::ZkPingRequest { broker } = body else {
            return;
        };
        // A server without a quorum cannot serve sessions; the client will try another.
        if !self.zk_server_has_quorum(z) {
            return;
        }
        self.arm_session(broker);
        let registered = self.cluster.brokers.get(&broker).is_some_and(|x| !x.fenced);
        if !registered && self.cluster.is_alive(broker) {
            self.zk_register(broker);
        }
        self.send(
            NodeId::ZooKeeper(z),
            from,
            Body::ZkPingResponse { expired: false },
        );
    }

    /// `/brokers/ids/N` appears: the controller (or the broker itself, winning `/controller`
    /// when nobody holds it) brings the broker into the cluster.
    fn zk_register(&mut self, b: BrokerId) {
        if self.zk_active_controller().is_none() {
            self.zk_elect_controller();
        }
        if self.zk_active_controller().is_some() {
            self.unfence(b);
        }
    }

    /// The race for `/controller`: the lowest-numbered broker with a live session wins.
    fn zk_elect_controller(&mut self) {
        let candidate = self
            .cluster
            .brokers
            .values()
            .find(|x| x.alive && !x.shutting_down && (!x.fenced || self.zk_ping_reaches(x.id)))
            .map(|x| x.id);
        let Some(zk) = self.cluster.controller.zk.as_mut() else {
            return;
        };
        if zk.controller == candidate {
            return;
        }
        zk.controller = candidate;
        if candidate.is_none() {
            return;
        }
        zk.controller_epoch += 1;
        let epoch = zk.controller_epoch;
        if let Some(c) = candidate {
            self.record(TraceEvent::ControllerState {
                node: NodeId::Broker(c),
                state: "controller".into(),
                epoch,
            });
        }
        self.controller_activated();
    }

    fn zk_ping_reaches(&self, b: BrokerId) -> bool {
        self.zk_server_for(b).is_some_and(|z| {
            self.zk_server_has_quorum(z)
                && !self.net.is_cut(NodeId::Broker(b), NodeId::ZooKeeper(z))
        })
    }

    /// A session expired: the broker's znode is deleted. A controller's death starts the
    /// race for `/controller`; then the controller moves leadership off the dead broker.
    pub(crate) fn zk_session_expired(&mut self, b: BrokerId) {
        if self.zk_leader().is_none() {
            // No quorum, no expiry: ZooKeeper's leader is what expires sessions.
            return;
        }
        let was_controller = self.zk().and_then(|zk| zk.controller) == Some(b);
        if let Some(broker) = self.cluster.brokers.get_mut(&b) {
            broker.fenced = true;
        }
        self.record(TraceEvent::BrokerState {
            broker: b,
            state: "session expired".into(),
        });
        if was_controller {
            if let Some(zk) = self.cluster.controller.zk.as_mut() {
                zk.controller = None;
            }
            self.zk_elect_controller();
        }
        if self.zk_active_controller().is_some() {
            self.move_leadership_away(b);
        }
        // A new incarnation waiting for the old znode to go registers now.
        if self.cluster.brokers.get(&b).is_some_and(|x| x.registering) {
            self.start_broker(b);
        }
    }

    /// ZooKeeper-era controlled shutdown: the controller moves leadership away, then the broker
    /// closes its session (its znode goes at once) and exits.
    pub(crate) fn zk_controlled_shutdown(&mut self, b: BrokerId) {
        if let Some(broker) = self.cluster.brokers.get_mut(&b) {
            broker.shutting_down = true;
        }
        self.record(TraceEvent::BrokerState {
            broker: b,
            state: "shutting down".into(),
        });
        if self.zk_active_controller().is_some() {
            self.move_leadership_away(b);
        }
        let was_controller = self.zk().and_then(|zk| zk.controller) == Some(b);
        if let Some(broker) = self.cluster.brokers.get_mut(&b) {
            broker.fenced = true;
        }
        self.take_broker_down(b, Shutdown::Clean);
        if was_controller {
            if let Some(zk) = self.cluster.controller.zk.as_mut() {
                zk.controller = None;
            }
            self.zk_elect_controller();
        }
    }

    /// Stops or starts a ZooKeeper server.
    pub(crate) fn set_zk_server(&mut self, z: i32, alive: bool) {
        let had_quorum = self.zk_leader().is_some();
        if let Some(zk) = self.cluster.controller.zk.as_mut() {
            if let Some(a) = zk.servers.get_mut(&z) {
                *a = alive;
            }
        }
        self.record(TraceEvent::ControllerState {
            node: NodeId::ZooKeeper(z),
            state: if alive { "started" } else { "stopped" }.into(),
            epoch: 0,
        });
        if alive && !had_quorum && self.zk_leader().is_some() {
            // A new ZooKeeper leader gives every session a fresh timeout.
            let ids: Vec<BrokerId> = self.cluster.brokers.keys().copied().collect();
            for b in ids {
                self.arm_session(b);
            }
        }
        if alive && self.zk_active_controller().is_none() && self.zk_leader().is_some() {
            self.zk_elect_controller();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Era;
    use crate::{ClusterSpec, ControllerMode};

    fn zk_sim() -> Sim {
        let spec = ClusterSpec {
            mode: ControllerMode::Zookeeper,
            era: Era::ZooKeeper,
            controllers: 3,
            ..ClusterSpec::default()
        };
        Sim::new(3, spec).unwrap()
    }

    #[test]
    fn broker_zero_is_the_first_controller_and_a_dead_controller_is_replaced_after_the_session_timeout(
    ) {
        let mut sim = zk_sim();
        assert_eq!(sim.active_controller(), Some(NodeId::Broker(0)));
        sim.run_for(1_000);
        sim.stop_broker(0, crate::controller::Shutdown::Hard);
        assert_eq!(sim.active_controller(), None, "dead controller");
        sim.run_for(10_000);
        assert_eq!(
            sim.active_controller(),
            None,
            "the session has not expired yet"
        );
        sim.run_for(10_000);
        assert_eq!(sim.active_controller(), Some(NodeId::Broker(1)));
        assert_eq!(
            sim.cluster.controller.zk.as_ref().unwrap().controller_epoch,
            2
        );
    }

    #[test]
    fn without_a_zookeeper_majority_nothing_changes() {
        let mut sim = zk_sim();
        sim.set_zk_server(1, false);
        assert!(
            sim.active_controller().is_some(),
            "two of three is a majority"
        );
        sim.set_zk_server(2, false);
        assert_eq!(sim.zk_leader(), None);
        assert_eq!(sim.active_controller(), None);
        sim.stop_broker(2, crate::controller::Shutdown::Hard);
        sim.run_for(60_000);
        assert!(
            !sim.cluster.brokers[&2].fenced,
            "no ensemble quorum: the dead broker's session cannot expire"
        );
        sim.set_zk_server(2, true);
        sim.run_for(30_000);
        assert!(sim.cluster.brokers[&2].fenced);
    }

    /// A broker killed and started again before its ZooKeeper session expires finds its old
    /// `/brokers/ids/N` (NODEEXISTS): it registers only once that session expires and the
    /// controller has moved its leaderships, so it never leads again in the epoch it led
    /// before the crash (with the older high watermarks of its checkpoint).
    #[test]
    fn a_broker_restarted_before_its_session_expires_registers_after_it() {
        use crate::ids::TopicPartition;
        use crate::Command;
        let mut sim = zk_sim();
        sim.apply(Command::CreateTopic {
            name: "z".into(),
            partitions: Some(1),
            replication_factor: None,
            configs: Default::default(),
            assignment: Some(vec![vec![2, 0, 1]]),
        })
        .unwrap();
        let tp = TopicPartition::new("z", 0);
        sim.run_for(1_000);
        let epoch = |s: &Sim| s.cluster.partition(&tp).unwrap().leader_epoch;
        let before = epoch(&sim);
        assert_eq!(sim.cluster.leader_of(&tp), Some(2));
        sim.apply(Command::StopBroker { id: 2, hard: true })
            .unwrap();
        sim.run_for(3_000);
        sim.apply(Command::StartBroker { id: 2 }).unwrap();
        assert!(sim.cluster.brokers[&2].registering);
        assert!(!sim.cluster.is_alive(2));
        sim.run_for(10_000);
        assert!(!sim.cluster.is_alive(2), "the session has not expired yet");
        assert!(sim.run_while(10_000, |s| s.cluster.is_alive(2)));
        assert_eq!(sim.cluster.leader_of(&tp), Some(0));
        assert!(epoch(&sim) > before);
        assert!(sim.run_while(10_000, |s| s.cluster.partition(&tp).unwrap().isr.len() == 3));
        assert_eq!(sim.violations(), &[]);
    }

    #[test]
    fn a_clean_shutdown_of_the_controller_hands_over_at_once() {
        let mut sim = zk_sim();
        sim.run_for(1_000);
        sim.stop_broker(0, crate::controller::Shutdown::Clean);
        assert_eq!(sim.active_controller(), Some(NodeId::Broker(1)));
        assert!(!sim.cluster.is_alive(0));
    }
}
