//! The active controller's work: broker heartbeats and fencing, controlled shutdown, leader
//! election (clean and unclean), ISR changes, preferred-leader balancing. Who the active
//! controller is comes from the KRaft quorum (`quorum.rs`) or, in the ZooKeeper era, from the
//! ensemble (`zookeeper.rs`); without one, metadata does not change.

use super::cluster::ControllerMode;
use super::ids::{BrokerId, TopicPartition};
use super::network::NodeId;
use super::protocol::Body;
use super::quorum::Quorum;
use super::sim::{Event, Sim, Timer};
use super::trace::TraceEvent;
use super::zookeeper::ZkEnsemble;
use std::collections::BTreeMap;

/// `replica.fetch.backoff.ms` (Kafka's default): a fetcher's pause after a failed fetch.
const REPLICA_FETCH_BACKOFF_MS: i64 = 1_000;
/// The clients' `reconnect.backoff.ms` default.
const RECONNECT_BACKOFF_MS: i64 = 50;
/// How long a broker's controlled shutdown waits for the controller's approval:
/// `KafkaBroker.shutdown()` passes `Duration.ofMinutes(5)` to `BrokerServer.shutdown`.
const CONTROLLED_SHUTDOWN_TIMEOUT_MS: i64 = 300_000;

#[derive(Clone, Debug)]
pub struct Controller {
    /// Per broker, the token of its pending session check (a heartbeat re-arms it).
    session_tokens: BTreeMap<BrokerId, u64>,
    /// KRaft: the controller voters (empty in the ZooKeeper era).
    pub quorum: Quorum,
    /// ZooKeeper era: the ensemble and the broker acting as controller.
    pub zk: Option<ZkEnsemble>,
}

impl Controller {
    /// `count` KRaft voters (dedicated, or `combined` inside the first brokers), or a
    /// ZooKeeper ensemble of `count` servers with broker 0 as the first controller.
    pub fn new(mode: ControllerMode, count: u32, combined: bool) -> Self {
        let (quorum, zk) = match mode {
            ControllerMode::Kraft if combined => (Quorum::combined(count), None),
            ControllerMode::Kraft => (Quorum::new(count), None),
            ControllerMode::Zookeeper => (Quorum::default(), Some(ZkEnsemble::new(count))),
        };
        Controller {
            session_tokens: BTreeMap::new(),
            quorum,
            zk,
        }
    }
}

/// How a broker stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shutdown {
    /// Controlled shutdown: leadership moves away first, then the process exits.
    Clean,
    /// The process dies at once; the controller notices when the session times out.
    Hard,
}

impl Sim {
    pub(crate) fn start_controller(&mut self) {
        let ids: Vec<BrokerId> = self.cluster.brokers.keys().copied().collect();
        for b in ids {
            self.schedule_in(0, Event::Timer(Timer::BrokerHeartbeat { broker: b }));
            self.arm_session(b);
        }
        self.schedule_periodic(Timer::IsrExpiration);
        self.schedule_periodic(Timer::PreferredLeaders);
        self.schedule_periodic(Timer::UncleanLeaderElection);
        self.start_quorum();
    }

    /// The node acting as controller now: the KRaft leader while a majority follows it, or the
    /// ZooKeeper-era controller broker while the ensemble has a quorum. `None`: no metadata
    /// changes (no elections, no ISR changes, no fencing, no new topics).
    pub fn active_controller(&self) -> Option<NodeId> {
        match self.cluster.mode {
            ControllerMode::Kraft => self.kraft_active_controller().map(NodeId::Controller),
            ControllerMode::Zookeeper => self.zk_active_controller().map(NodeId::Broker),
        }
    }

    /// A controller took office: every broker's session starts afresh (Kafka's new active
    /// controller rebuilds its heartbeat tracker rather than fencing everyone at once).
    pub(crate) fn controller_activated(&mut self) {
        let ids: Vec<BrokerId> = self.cluster.brokers.keys().copied().collect();
        for b in ids {
            self.arm_session(b);
        }
    }

    fn session_timeout(&self) -> i64 {
        let c = &self.cluster.broker_config;
        match self.cluster.mode {
            ControllerMode::Kraft => c.broker_session_timeout_ms,
            ControllerMode::Zookeeper => c.zookeeper_session_timeout_ms,
        }
    }

    /// `broker.heartbeat.interval.ms`: a live broker tells the controller it is there.
    pub(crate) fn broker_heartbeat(&mut self, b: BrokerId) {
        let Some(broker) = self.cluster.brokers.get(&b) else {
            return;
        };
        if !broker.alive {
            return;
        }
        let want_shutdown = broker.shutting_down;
        let every = match self.cluster.mode {
            ControllerMode::Kraft => {
                // Without an active controller there is nobody to heartbeat to; try again later.
                if let Some(to) = self.active_controller() {
                    self.send(
                        NodeId::Broker(b),
                        to,
                        Body::BrokerHeartbeatRequest {
                            broker: b,
                            want_shutdown,
                        },
                    );
                }
                self.cluster.broker_config.broker_heartbeat_interval_ms
            }
            ControllerMode::Zookeeper => {
                self.zk_ping(b);
                // ZooKeeper's client pings at a third of the session timeout.
                self.session_timeout() / 3
            }
        };
        self.schedule_in(
            every.max(1),
            Event::Timer(Timer::BrokerHeartbeat { broker: b }),
        );
    }

    pub(crate) fn arm_session(&mut self, b: BrokerId) {
        let token = self.token();
        self.cluster.controller.session_tokens.insert(b, token);
        let timeout = self.session_timeout();
        self.schedule_in(
            timeout,
            Event::Timer(Timer::BrokerSession { broker: b, token }),
        );
    }

    pub(crate) fn controller_receive(&mut self, from: NodeId, to: NodeId, body: Body) {
        match (to, body) {
            (
                NodeId::Controller(v),
                Body::BrokerHeartbeatRequest {
                    broker,
                    want_shutdown,
                },
            ) if self.kraft_active_controller() == Some(v) => {
                self.on_broker_heartbeat(from, to, broker, want_shutdown);
            }
            (NodeId::Controller(v), Body::AllocateProducerIdsRequest { .. })
                if self.kraft_active_controller() == Some(v) =>
            {
                self.allocate_producer_ids(to, from);
            }
            // A stale controller stays silent: the broker finds the active one.
            (
                NodeId::Controller(_),
                Body::BrokerHeartbeatRequest { .. } | Body::AllocateProducerIdsRequest { .. },
            ) => {}
            (NodeId::Controller(v), body) => self.raft_receive(v, from, body),
            (NodeId::ZooKeeper(z), body) => self.zk_receive(z, from, body),
            _ => {}
        }
    }

    fn on_broker_heartbeat(
        &mut self,
        from: NodeId,
        to: NodeId,
        broker: BrokerId,
        want_shutdown: bool,
    ) {
        self.arm_session(broker);
        let was_fenced = self.cluster.brokers.get(&broker).is_some_and(|b| b.fenced);
        if was_fenced {
            self.unfence(broker);
        }
        if want_shutdown {
            self.move_leadership_away(broker);
        }
        let fenced = self.cluster.brokers.get(&broker).is_some_and(|b| b.fenced);
        self.send(
            to,
            from,
            Body::BrokerHeartbeatResponse {
                fenced,
                shutdown_ok: want_shutdown,
            },
        );
    }

    /// `broker.session.timeout.ms` passed without a heartbeat: fence the broker.
    pub(crate) fn broker_session_expired(&mut self, b: BrokerId, token: u64) {
        if self.cluster.controller.session_tokens.get(&b) != Some(&token) {
            return;
        }
        if self.cluster.mode == ControllerMode::Zookeeper {
            self.zk_session_expired(b);
            return;
        }
        if self.active_controller().is_none() {
            // The quorum leader cannot commit the fencing while it lacks a majority: it is
            // written once the controller is active again (check again shortly), not
            // forgotten, or a dead broker would stay unfenced and, in KRaft, its restart
            // refused (DUPLICATE_BROKER_REGISTRATION) forever.
            let retry = self.cluster.broker_config.broker_heartbeat_interval_ms;
            self.schedule_in(
                retry.max(1),
                Event::Timer(Timer::BrokerSession { broker: b, token }),
            );
            return;
        }
        self.fence(b);
    }

    /// The broker leaves the live set: no ISR, no leadership.
    pub(crate) fn fence(&mut self, b: BrokerId) {
        let Some(broker) = self.cluster.brokers.get_mut(&b) else {
            return;
        };
        if broker.fenced {
            return;
        }
        broker.fenced = true;
        self.metadata_append(1);
        self.record(TraceEvent::BrokerState {
            broker: b,
            state: "fenced".into(),
        });
        self.move_leadership_away(b);
    }

    pub(crate) fn unfence(&mut self, b: BrokerId) {
        if let Some(broker) = self.cluster.brokers.get_mut(&b) {
            broker.fenced = false;
        }
        self.metadata_append(1);
        self.record(TraceEvent::BrokerState {
            broker: b,
            state: "unfenced".into(),
        });
        // Offline partitions whose last ISR member came back get it as leader again.
        // Offline partitions get a leader again: the returning last ISR member, or (where the
        // topic allows unclean election) any replica of it.
        let offline: Vec<TopicPartition> = self
            .cluster
            .all_partitions()
            .filter(|(_, m)| m.leader.is_none() && m.replicas.contains(&b))
            .map(|(tp, _)| tp)
            .collect();
        for tp in offline {
            let unclean = self.topic_config(&tp.topic).unclean_leader_election_enable;
            self.elect_leader(&tp, unclean);
        }
        self.start_replica_fetchers();
    }

    pub(crate) fn broker_heartbeat_answered(
        &mut self,
        b: BrokerId,
        _fenced: bool,
        shutdown_ok: bool,
    ) {
        if shutdown_ok
            && self
                .cluster
                .brokers
                .get(&b)
                .is_some_and(|x| x.shutting_down && x.alive)
        {
            // The controller fences a broker whose controlled shutdown completed, so it may
            // register again at once when it restarts.
            self.fence(b);
            self.take_broker_down(b, Shutdown::Clean);
            self.stop_colocated_voter(b, false);
        }
    }

    /// Removes `b` from every ISR and elects new leaders where it led. The ISR never becomes
    /// empty: a sole member stays, and the partition goes offline (leader none) instead.
    pub(crate) fn move_leadership_away(&mut self, b: BrokerId) {
        let affected: Vec<(TopicPartition, bool)> = self
            .cluster
            .all_partitions()
            .filter(|(_, m)| m.isr.contains(&b) || m.leader == Some(b))
            .map(|(tp, m)| (tp, m.leader == Some(b)))
            .collect();
        for (tp, was_leader) in affected {
            let sole = self.cluster.partition(&tp).is_some_and(|m| m.isr == [b]);
            if !sole {
                self.change_isr(&tp, |isr| isr.retain(|x| *x != b), "its broker left");
            }
            if was_leader {
                let unclean = self.topic_config(&tp.topic).unclean_leader_election_enable;
                self.elect_leader(&tp, unclean);
            }
        }
    }

    /// Leader election: the first replica in assignment order that is in the ISR and eligible;
    /// with unclean election allowed and none such, the first eligible replica (data may be lost).
    pub(crate) fn elect_leader(&mut self, tp: &TopicPartition, unclean_allowed: bool) {
        if self.active_controller().is_none() {
            return;
        }
        let Some(meta) = self.cluster.partition(tp) else {
            return;
        };
        let clean = meta
            .replicas
            .iter()
            .copied()
            .find(|r| meta.isr.contains(r) && self.cluster.is_eligible_for_isr(*r));
        let (leader, unclean) = match clean {
            Some(l) => (Some(l), false),
            None if unclean_allowed => (
                meta.replicas
                    .iter()
                    .copied()
                    .find(|r| self.cluster.is_eligible_for_isr(*r)),
                true,
            ),
            None => (None, false),
        };
        let previous = meta.leader;
        if leader == previous && leader.is_some() {
            return;
        }
        let Some(meta) = self.cluster.partition_mut(tp) else {
            return;
        };
        meta.leader = leader;
        meta.leader_epoch += 1;
        self.metadata_append(1);
        let Some(meta) = self.cluster.partition_mut(tp) else {
            return;
        };
        if unclean {
            if let Some(l) = leader {
                meta.isr = vec![l];
            }
        }
        let epoch = meta.leader_epoch;
        let isr = meta.isr.clone();
        self.record(TraceEvent::LeaderElected {
            tp: tp.clone(),
            leader,
            epoch,
            unclean,
        });
        if unclean {
            self.record(TraceEvent::IsrChanged {
                tp: tp.clone(),
                isr,
                reason: "unclean leader election".into(),
            });
        }
        self.offsets_leader_changed(tp, previous, leader);
        self.leadership_left(tp, previous, leader);
        if let Some(l) = leader {
            self.become_leader(l, tp, epoch, previous);
            let cause = if unclean {
                "an out-of-sync replica became leader (unclean leader election)"
            } else {
                "the new leader never had them (acknowledged before they were replicated)"
            };
            self.check_acknowledged(tp, cause);
        }
        self.start_replica_fetchers();
    }

    /// The former leader's fetch sessions read `tp` again, and what waits there for it is
    /// answered at once (`ReplicaManager.makeFollowers` calls
    /// `completeDelayedFetchOrProduceRequests`): its produces fail, and a fetch parked there
    /// completes with NOT_LEADER_OR_FOLLOWER for it instead of waiting out `fetch.max.wait.ms`.
    fn leadership_left(
        &mut self,
        tp: &TopicPartition,
        previous: Option<BrokerId>,
        leader: Option<BrokerId>,
    ) {
        if let Some(p) = previous.filter(|p| Some(*p) != leader) {
            self.wake_quiet(p, tp);
            self.fail_pending_produces_on(p, tp);
            self.wake_parked_fetches(p, tp);
        }
    }

    /// `l` leads `tp` in `epoch` (after `previous`): the epoch starts at its log end, and its
    /// followers' states are reset (`Partition.makeLeader`).
    pub(crate) fn become_leader(
        &mut self,
        l: BrokerId,
        tp: &TopicPartition,
        epoch: i32,
        previous: Option<BrokerId>,
    ) {
        let now = self.now;
        self.wake_quiet(l, tp);
        let Some(meta) = self.cluster.partition(tp) else {
            return;
        };
        let (replicas, isr) = (meta.replicas.clone(), meta.isr.clone());
        let Some(replica) = self.replica_mut(l, tp) else {
            return;
        };
        let leo = replica.log.log_end_offset();
        replica.epochs.assign(epoch, leo);
        let mut followers = std::mem::take(&mut replica.followers);
        replica.followers = replicas
            .iter()
            .filter(|f| **f != l)
            .map(|f| {
                let kept = followers.remove(f).unwrap_or_default();
                let state = kept.reset(now, leo, previous == Some(l), isr.contains(f));
                (*f, state)
            })
            .collect();
        self.maybe_advance_high_watermark(l, tp);
    }

    /// AlterPartition: the ISR changes (through the controller in Kafka; applied at once here).
    pub(crate) fn change_isr(
        &mut self,
        tp: &TopicPartition,
        change: impl FnOnce(&mut Vec<BrokerId>),
        reason: &str,
    ) {
        // AlterPartition needs a controller: without one the ISR stays as it is.
        if self.active_controller().is_none() {
            return;
        }
        let Some(meta) = self.cluster.partition_mut(tp) else {
            return;
        };
        let before = meta.isr.clone();
        change(&mut meta.isr);
        let replicas = meta.replicas.clone();
        crate::ordered::sort_by_key(&mut meta.isr, |b| replicas.iter().position(|r| r == b));
        meta.isr.dedup();
        if meta.isr == before {
            return;
        }
        let isr = meta.isr.clone();
        let leader = meta.leader;
        self.metadata_append(1);
        self.record(TraceEvent::IsrChanged {
            tp: tp.clone(),
            isr,
            reason: reason.to_string(),
        });
        if let Some(l) = leader {
            self.wake_quiet(l, tp);
            self.maybe_advance_high_watermark(l, tp);
        }
        // AlterPartition may complete a reassignment (KIP-455).
        self.maybe_complete_reassignment(tp);
    }

    /// Leaders drop followers that have not caught up for `replica.lag.time.max.ms`
    /// (checked every half of it, as the "isr-expiration" task does).
    pub(crate) fn isr_expiration_pass(&mut self) {
        if self.active_controller().is_none() {
            return;
        }
        let now = self.now;
        let lag_max = self.cluster.broker_config.replica_lag_time_max_ms;
        let mut shrink: Vec<(TopicPartition, BrokerId)> = Vec::new();
        for (tp, meta) in self.cluster.all_partitions() {
            let Some(l) = meta.leader else { continue };
            if !self.cluster.is_alive(l) {
                continue;
            }
            let Some(replica) = self.replica(l, &tp) else {
                continue;
            };
            let leo = replica.log.log_end_offset();
            for f in meta.isr.iter().filter(|f| **f != l) {
                let state = replica.followers.get(f);
                let caught_up = state.map_or(0, |s| s.last_caught_up_ms);
                let f_leo = state.map_or(0, |s| s.log_end_offset);
                if f_leo != leo && now - caught_up > lag_max {
                    shrink.push((tp.clone(), *f));
                }
            }
        }
        for (tp, f) in shrink {
            self.change_isr(
                &tp,
                |isr| isr.retain(|x| *x != f),
                "the follower fell behind (replica.lag.time.max.ms)",
            );
        }
    }

    /// `auto.leader.rebalance.enable`: leadership goes back to the preferred (first) replica
    /// where it is in the ISR and eligible.
    pub(crate) fn preferred_leader_pass(&mut self) {
        if !self.cluster.broker_config.auto_leader_rebalance_enable
            || self.active_controller().is_none()
        {
            return;
        }
        let moves: Vec<TopicPartition> = self
            .cluster
            .all_partitions()
            .filter(|(_, m)| {
                let preferred = m.replicas.first().copied();
                preferred.is_some_and(|p| {
                    m.leader != Some(p) && m.isr.contains(&p) && self.cluster.is_eligible_for_isr(p)
                })
            })
            .map(|(tp, _)| tp)
            .collect();
        for tp in moves {
            self.preferred_election(&tp);
        }
    }

    /// `unclean.leader.election.interval.ms`: leaderless partitions of topics that allow
    /// unclean election get a leader, so enabling `unclean.leader.election.enable` later takes
    /// effect (`ReplicationControlManager.maybeElectUncleanLeaders`, which the controller runs
    /// that often while some partition has no leader). KRaft only: the ZooKeeper-era
    /// controller elects when the config changes instead (`unclean_election_enabled`).
    pub(crate) fn unclean_leader_election_pass(&mut self) {
        if self.cluster.mode == ControllerMode::Kraft {
            self.elect_unclean_leaders(None);
        }
    }

    /// A topic's config now allows unclean election: the ZooKeeper-era controller elects
    /// leaders for its offline partitions at once (`TopicConfigHandler` notifies it;
    /// `KafkaController.processTopicUncleanLeaderElectionEnable` triggers the online-partition
    /// state change).
    pub(crate) fn unclean_election_enabled(&mut self, topic: &str) {
        if self.cluster.mode == ControllerMode::Zookeeper {
            self.elect_unclean_leaders(Some(topic));
        }
    }

    /// Elects a leader, unclean if need be, for each leaderless partition (of `topic`, or of
    /// every topic) whose topic allows unclean election, when a controller is active.
    fn elect_unclean_leaders(&mut self, topic: Option<&str>) {
        if self.active_controller().is_none() {
            return;
        }
        let offline: Vec<TopicPartition> = self
            .cluster
            .all_partitions()
            .filter(|(tp, m)| {
                m.leader.is_none()
                    && topic.is_none_or(|t| *tp.topic == *t)
                    && self.topic_config(&tp.topic).unclean_leader_election_enable
            })
            .map(|(tp, _)| tp)
            .collect();
        for tp in offline {
            self.elect_leader(&tp, true);
        }
    }

    fn preferred_election(&mut self, tp: &TopicPartition) {
        let Some(meta) = self.cluster.partition_mut(tp) else {
            return;
        };
        let Some(p) = meta.replicas.first().copied() else {
            return;
        };
        let previous = meta.leader;
        meta.leader = Some(p);
        meta.leader_epoch += 1;
        let epoch = meta.leader_epoch;
        self.metadata_append(1);
        self.record(TraceEvent::LeaderElected {
            tp: tp.clone(),
            leader: Some(p),
            epoch,
            unclean: false,
        });
        self.offsets_leader_changed(tp, previous, Some(p));
        self.leadership_left(tp, previous, Some(p));
        self.become_leader(p, tp, epoch, previous);
        self.start_replica_fetchers();
    }

    /// Stops a broker: `Clean` asks the controller first (leadership moves, then exit);
    /// `Hard` kills it now.
    pub(crate) fn stop_broker(&mut self, b: BrokerId, how: Shutdown) {
        match how {
            Shutdown::Clean if self.cluster.mode == ControllerMode::Zookeeper => {
                self.zk_controlled_shutdown(b)
            }
            Shutdown::Clean => {
                let deadline = self.now.saturating_add(CONTROLLED_SHUTDOWN_TIMEOUT_MS);
                if let Some(broker) = self.cluster.brokers.get_mut(&b) {
                    broker.shutting_down = true;
                    broker.shutdown_deadline = deadline;
                }
                self.schedule(
                    deadline,
                    Event::Timer(Timer::ControlledShutdownTimeout {
                        broker: b,
                        deadline,
                    }),
                );
                self.record(TraceEvent::BrokerState {
                    broker: b,
                    state: "shutting down".into(),
                });
                self.broker_heartbeat(b);
            }
            Shutdown::Hard => {
                self.take_broker_down(b, Shutdown::Hard);
                self.stop_colocated_voter(b, true);
            }
        }
    }

    /// The controller did not approve `b`'s controlled shutdown by `deadline` (none was
    /// active, say): `BrokerServer.shutdown` logs so and exits anyway; the controller fences
    /// the broker when its session expires.
    pub(crate) fn controlled_shutdown_timed_out(&mut self, b: BrokerId, deadline: i64) {
        let waiting = self
            .cluster
            .brokers
            .get(&b)
            .is_some_and(|x| x.alive && x.shutting_down && x.shutdown_deadline == deadline);
        if !waiting {
            return;
        }
        self.record(TraceEvent::BrokerState {
            broker: b,
            state: "Timed out waiting for the controller to approve controlled shutdown".into(),
        });
        self.take_broker_down(b, Shutdown::Clean);
        self.stop_colocated_voter(b, false);
    }

    /// Combined mode: the process exits, so the controller inside it stops too (a clean exit
    /// resigns its leadership first, a crash does not).
    fn stop_colocated_voter(&mut self, b: BrokerId, hard: bool) {
        if self.cluster.controller.quorum.colocated_voter_alive(b) == Some(true) {
            self.stop_voter(b, hard);
        }
    }

    /// Combined mode: `controller stop|kill` of a combined node stops its one process, broker
    /// included (a clean stop is the broker's controlled shutdown, then the exit).
    pub(crate) fn stop_combined_node(&mut self, b: BrokerId, hard: bool) {
        let broker_up = self.cluster.is_alive(b);
        if broker_up {
            let how = if hard {
                Shutdown::Hard
            } else {
                Shutdown::Clean
            };
            self.stop_broker(b, how);
        } else {
            // Still waiting to register: the process stops without a broker to shut down.
            if let Some(broker) = self.cluster.brokers.get_mut(&b) {
                broker.registering = false;
            }
            self.stop_colocated_voter(b, hard);
        }
    }

    /// The broker process exits: cleanly (`ReplicaManager.shutdown` checkpoints the high
    /// watermarks first), or in a crash that leaves the last periodic checkpoint.
    pub(crate) fn take_broker_down(&mut self, b: BrokerId, how: Shutdown) {
        if let Some(broker) = self.cluster.brokers.get_mut(&b) {
            if how == Shutdown::Clean {
                broker.checkpoint_high_watermarks();
            }
            broker.go_down();
        }
        self.record(TraceEvent::BrokerState {
            broker: b,
            state: "down".into(),
        });
        self.connections_lost(b);
    }

    /// A stopped broker starts again: it registers fenced, heartbeats, is unfenced, and its
    /// replicas follow the current leaders (truncating where they diverged) until they rejoin.
    ///
    /// In KRaft the controller refuses a new incarnation's registration while the previous
    /// one's session is valid (`ClusterControlManager.registerBroker`:
    /// DUPLICATE_BROKER_REGISTRATION), so a broker killed and started at once stays out until
    /// `broker.session.timeout.ms` fences the old incarnation and moves its leaderships.
    ///
    /// In the ZooKeeper era the previous incarnation's `/brokers/ids/N` lives as long as its
    /// session: `KafkaZkClient.registerBroker` fails with NODEEXISTS ("node already exists and
    /// owner ... does not match current session") and the new process exits. The playground
    /// starts it again once that session expires (as a supervisor restarting it would), after
    /// the controller moved its leaderships, rather than letting it resume them in the same
    /// leader epoch with the high watermarks of its checkpoint.
    pub(crate) fn start_broker(&mut self, b: BrokerId) {
        let kraft = self.cluster.mode == ControllerMode::Kraft;
        let interval = self.cluster.broker_config.broker_heartbeat_interval_ms;
        match self.cluster.brokers.get(&b) {
            Some(broker) if !broker.alive => {}
            _ => return,
        }
        // Combined mode: the process starts, and with it the controller inside it.
        if self.cluster.controller.quorum.colocated_voter_alive(b) == Some(false) {
            self.start_voter(b);
        }
        let Some(broker) = self.cluster.brokers.get_mut(&b) else {
            return;
        };
        if !broker.fenced {
            if !broker.registering {
                broker.registering = true;
                let state = if kraft {
                    "registering: refused (DUPLICATE_BROKER_REGISTRATION) until the previous incarnation's session expires".into()
                } else {
                    format!("registering: /brokers/ids/{b} still exists (NODEEXISTS) until the previous incarnation's ZooKeeper session expires")
                };
                self.record(TraceEvent::BrokerState { broker: b, state });
            }
            // ZooKeeper: the session's expiry starts it (`zk_session_expired`).
            if kraft {
                self.schedule_in(
                    interval.max(1),
                    Event::Timer(Timer::BrokerRegistration { broker: b }),
                );
            }
            return;
        }
        broker.registering = false;
        broker.alive = true;
        broker.fenced = true;
        // The replicas' high watermarks come from the checkpoint file: a clean shutdown wrote
        // the last ones; after a crash, those that moved since the last periodic checkpoint go
        // back, until the leader's next fetch answer (or, as leader, its followers) moves them.
        let moved = broker.load_high_watermarks();
        self.record(TraceEvent::BrokerState {
            broker: b,
            state: "starting".into(),
        });
        for (tp, hw) in moved {
            self.record(TraceEvent::HighWatermark { tp, broker: b, hw });
        }
        self.start_broker_tasks(b);
        self.broker_heartbeat(b);
    }

    /// The registration retry of a restarted broker (a kill since then cancels it).
    pub(crate) fn broker_registration_retry(&mut self, b: BrokerId) {
        if self.cluster.brokers.get(&b).is_some_and(|x| x.registering) {
            self.start_broker(b);
        }
    }

    /// A request reached a broker that is down: the sender sees a disconnect.
    pub(crate) fn connection_refused(&mut self, from: NodeId, b: BrokerId) {
        match from {
            // Kafka's NetworkClient waits `reconnect.backoff.ms` (50 ms) before it tries a node
            // whose connection failed; the requests on it fail over (or retry) then.
            NodeId::Client(c) => self.schedule_in(
                RECONNECT_BACKOFF_MS,
                Event::Timer(Timer::ConnectionRefused {
                    client: c,
                    broker: b,
                }),
            ),
            NodeId::Broker(f) => {
                if let Some(broker) = self.cluster.brokers.get_mut(&f) {
                    broker.forget_fetch_to(b);
                }
                self.schedule_in(
                    REPLICA_FETCH_BACKOFF_MS,
                    Event::Timer(Timer::ReplicaFetch { broker: f }),
                );
            }
            NodeId::Controller(_) | NodeId::ZooKeeper(_) => {}
        }
    }

    /// Connections to a broker that went down break: its clients and fetchers notice and retry
    /// elsewhere (or later), as Kafka's NetworkClient does on a disconnect.
    fn connections_lost(&mut self, b: BrokerId) {
        let others: Vec<BrokerId> = self
            .cluster
            .brokers
            .keys()
            .copied()
            .filter(|x| *x != b)
            .collect();
        for o in others {
            if let Some(broker) = self.cluster.brokers.get_mut(&o) {
                broker.forget_fetch_to(b);
                broker.end_session(b);
            }
            self.replica_fetch(o);
        }
        let clients: Vec<u32> = self.clients.keys().copied().collect();
        for c in clients {
            self.client_disconnected(c, b, false);
        }
    }
}
