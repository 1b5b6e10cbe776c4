//! The KRaft controller: broker heartbeats and fencing, controlled shutdown, leader election
//! (clean and unclean), ISR changes, preferred-leader balancing. One active controller node
//! (a single-voter quorum) in this version; the Raft quorum itself is not simulated yet.

use super::ids::{BrokerId, TopicPartition};
use super::network::NodeId;
use super::protocol::Body;
use super::sim::{Event, Sim, Timer};
use super::trace::TraceEvent;
use std::collections::BTreeMap;

/// `replica.fetch.backoff.ms` (Kafka's default): a fetcher's pause after a failed fetch.
const REPLICA_FETCH_BACKOFF_MS: i64 = 1_000;

/// The controller's node id (Kafka's docs number dedicated controllers from 3000).
pub const CONTROLLER_ID: i32 = 3000;

#[derive(Clone, Debug)]
pub struct Controller {
    pub id: i32,
    pub alive: bool,
    /// Per broker, the token of its pending session check (a heartbeat re-arms it).
    session_tokens: BTreeMap<BrokerId, u64>,
}

impl Controller {
    pub fn new(id: i32) -> Self {
        Controller {
            id,
            alive: true,
            session_tokens: BTreeMap::new(),
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
        let isr_every = self.cluster.broker_config.replica_lag_time_max_ms / 2;
        self.schedule_in(isr_every.max(1), Event::Timer(Timer::IsrExpiration));
        let balance = self
            .cluster
            .broker_config
            .leader_imbalance_check_interval_seconds
            * 1000;
        self.schedule_in(balance.max(1000), Event::Timer(Timer::PreferredLeaders));
    }

    fn controller_node(&self) -> NodeId {
        NodeId::Controller(self.cluster.controller.id)
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
        let to = self.controller_node();
        self.send(
            NodeId::Broker(b),
            to,
            Body::BrokerHeartbeatRequest {
                broker: b,
                want_shutdown,
            },
        );
        let every = self.cluster.broker_config.broker_heartbeat_interval_ms;
        self.schedule_in(every, Event::Timer(Timer::BrokerHeartbeat { broker: b }));
    }

    fn arm_session(&mut self, b: BrokerId) {
        let token = self.token();
        self.cluster.controller.session_tokens.insert(b, token);
        let timeout = self.cluster.broker_config.broker_session_timeout_ms;
        self.schedule_in(
            timeout,
            Event::Timer(Timer::BrokerSession { broker: b, token }),
        );
    }

    pub(crate) fn controller_receive(&mut self, from: NodeId, body: Body) {
        if !self.cluster.controller.alive {
            return;
        }
        let Body::BrokerHeartbeatRequest {
            broker,
            want_shutdown,
        } = body
        else {
            return;
        };
        self.arm_session(broker);
        let was_fenced = self.cluster.brokers.get(&broker).is_some_and(|b| b.fenced);
        if was_fenced {
            self.unfence(broker);
        }
        if want_shutdown {
            self.move_leadership_away(broker);
        }
        let fenced = self.cluster.brokers.get(&broker).is_some_and(|b| b.fenced);
        let to = self.controller_node();
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
        if self.cluster.controller.session_tokens.get(&b) != Some(&token)
            || !self.cluster.controller.alive
        {
            return;
        }
        let Some(broker) = self.cluster.brokers.get_mut(&b) else {
            return;
        };
        if broker.fenced {
            return;
        }
        broker.fenced = true;
        self.record(TraceEvent::BrokerState {
            broker: b,
            state: "fenced".into(),
        });
        self.move_leadership_away(b);
    }

    fn unfence(&mut self, b: BrokerId) {
        if let Some(broker) = self.cluster.brokers.get_mut(&b) {
            broker.fenced = false;
        }
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
            self.take_broker_down(b);
        }
    }

    /// Removes `b` from every ISR and elects new leaders where it led. The ISR never becomes
    /// empty: a sole member stays, and the partition goes offline (leader none) instead.
    fn move_leadership_away(&mut self, b: BrokerId) {
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
        if let Some(l) = leader {
            self.become_leader(l, tp, epoch);
            let cause = if unclean {
                "an out-of-sync replica became leader (unclean leader election)"
            } else {
                "the new leader never had them (acknowledged before they were replicated)"
            };
            self.check_acknowledged(tp, cause);
        }
        self.start_replica_fetchers();
    }

    /// The new leader starts its epoch at its log end; followers' progress is forgotten.
    fn become_leader(&mut self, l: BrokerId, tp: &TopicPartition, epoch: i32) {
        let now = self.now;
        let Some(replica) = self.replica_mut(l, tp) else {
            return;
        };
        let leo = replica.log.log_end_offset();
        replica.epochs.assign(epoch, leo);
        // Followers start "caught up as of now" so that they are not dropped before fetching.
        for f in replica.followers.values_mut() {
            f.last_caught_up_ms = now;
        }
        self.maybe_advance_high_watermark(l, tp);
    }

    /// AlterPartition: the ISR changes (through the controller in Kafka; applied at once here).
    pub(crate) fn change_isr(
        &mut self,
        tp: &TopicPartition,
        change: impl FnOnce(&mut Vec<BrokerId>),
        reason: &str,
    ) {
        let Some(meta) = self.cluster.partition_mut(tp) else {
            return;
        };
        let before = meta.isr.clone();
        change(&mut meta.isr);
        let replicas = meta.replicas.clone();
        meta.isr
            .sort_by_key(|b| replicas.iter().position(|r| r == b));
        meta.isr.dedup();
        if meta.isr == before {
            return;
        }
        let isr = meta.isr.clone();
        let leader = meta.leader;
        self.record(TraceEvent::IsrChanged {
            tp: tp.clone(),
            isr,
            reason: reason.to_string(),
        });
        if let Some(l) = leader {
            self.maybe_advance_high_watermark(l, tp);
        }
    }

    /// Leaders drop followers that have not caught up for `replica.lag.time.max.ms`
    /// (checked every half of it, as the "isr-expiration" task does).
    pub(crate) fn isr_expiration_pass(&mut self) {
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
        if !self.cluster.broker_config.auto_leader_rebalance_enable {
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

    fn preferred_election(&mut self, tp: &TopicPartition) {
        let Some(meta) = self.cluster.partition_mut(tp) else {
            return;
        };
        let Some(p) = meta.replicas.first().copied() else {
            return;
        };
        meta.leader = Some(p);
        meta.leader_epoch += 1;
        let epoch = meta.leader_epoch;
        self.record(TraceEvent::LeaderElected {
            tp: tp.clone(),
            leader: Some(p),
            epoch,
            unclean: false,
        });
        self.become_leader(p, tp, epoch);
        self.start_replica_fetchers();
    }

    /// Stops a broker: `Clean` asks the controller first (leadership moves, then exit);
    /// `Hard` kills it now.
    pub(crate) fn stop_broker(&mut self, b: BrokerId, how: Shutdown) {
        match how {
            Shutdown::Clean => {
                if let Some(broker) = self.cluster.brokers.get_mut(&b) {
                    broker.shutting_down = true;
                }
                self.record(TraceEvent::BrokerState {
                    broker: b,
                    state: "shutting down".into(),
                });
                self.broker_heartbeat(b);
            }
            Shutdown::Hard => self.take_broker_down(b),
        }
    }

    fn take_broker_down(&mut self, b: BrokerId) {
        if let Some(broker) = self.cluster.brokers.get_mut(&b) {
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
    pub(crate) fn start_broker(&mut self, b: BrokerId) {
        let Some(broker) = self.cluster.brokers.get_mut(&b) else {
            return;
        };
        if broker.alive {
            return;
        }
        broker.alive = true;
        broker.fenced = true;
        self.record(TraceEvent::BrokerState {
            broker: b,
            state: "starting".into(),
        });
        self.broker_heartbeat(b);
    }

    /// A request reached a broker that is down: the sender sees a disconnect.
    pub(crate) fn connection_refused(&mut self, from: NodeId, b: BrokerId) {
        match from {
            NodeId::Client(c) => self.client_disconnected(c, b),
            NodeId::Broker(f) => {
                if let Some(broker) = self.cluster.brokers.get_mut(&f) {
                    broker.forget_fetch_to(b);
                }
                self.schedule_in(
                    REPLICA_FETCH_BACKOFF_MS,
                    Event::Timer(Timer::ReplicaFetch { broker: f }),
                );
            }
            NodeId::Controller(_) => {}
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
            }
            self.replica_fetch(o);
        }
        let clients: Vec<u32> = self.clients.keys().copied().collect();
        for c in clients {
            self.client_disconnected(c, b);
        }
    }
}
