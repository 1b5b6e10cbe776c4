//! `Sim`: the whole simulated world — brokers, topics, clients, groups, the network, the clock,
//! the event queue and the one PRNG. Commands go in; trace events and views come out.

use super::client::Client;
use super::cluster::Cluster;
use super::command::{Command, Outcome};
use super::error::KafkaError;
use super::event_queue::EventQueue;
use super::group::classic::ClassicGroup;
use super::ids::BrokerId;
use super::network::{ClientId, Envelope, InFlight, Network, NodeId};
use super::protocol::Body;
use super::rng::SimRng;
use super::time::Millis;
use super::trace::{Trace, TraceEvent};
use std::collections::BTreeMap;

/// Something scheduled to happen at a simulated time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A message reaches its destination.
    Deliver(InFlight),
    /// A timer fires. Timers carry a token; a stale token (cancelled timer) is ignored.
    Timer(Timer),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Timer {
    /// A client's own next action (produce tick, linger expiry, poll, heartbeat, auto-commit...).
    Client { client: ClientId, token: u64 },
    /// A parked (long-poll) fetch on a broker expires after `fetch.max.wait.ms`.
    FetchWait { broker: i32, fetch: u64 },
    /// An acks=all produce waiting for its replicas expires (`DelayedProduce`).
    ProduceWait { broker: i32, token: u64 },
    /// A follower's replica fetcher sends its next fetch.
    ReplicaFetch { broker: i32 },
    /// A group's rebalance (join phase) deadline.
    GroupJoin { group: String, token: u64 },
    /// A member's session may have expired.
    Session {
        group: String,
        member: String,
        token: u64,
    },
    /// A broker's log manager deletes old segments (`log.retention.check.interval.ms`); the
    /// token is its start, so a restarted broker's earlier schedule ends.
    RetentionCheck { broker: i32, token: u64 },
    /// Log cleaner pass (`log.cleaner.backoff.ms`).
    Cleaner,
    /// `offsets.retention.check.interval.ms`
    OffsetsRetention,
    /// A broker's next heartbeat to the controller.
    BrokerHeartbeat { broker: i32 },
    /// A broker stops waiting for the controller to approve its controlled shutdown.
    ControlledShutdownTimeout { broker: i32, deadline: Millis },
    /// A restarted broker tries to register again.
    BrokerRegistration { broker: i32 },
    /// The controller's session check for a broker (`broker.session.timeout.ms`).
    BrokerSession { broker: i32, token: u64 },
    /// Leaders check their followers' lag (every `replica.lag.time.max.ms` / 2).
    IsrExpiration,
    /// `leader.imbalance.check.interval.seconds`
    PreferredLeaders,
    /// `unclean.leader.election.interval.ms`
    UncleanLeaderElection,
    /// A client's request (or its response) was lost: `request.timeout.ms` after it was sent
    /// the client gives up on the connection to `broker`, unless that connection has been
    /// closed since `sent_at`.
    RequestTimeout {
        client: ClientId,
        broker: i32,
        sent_at: Millis,
    },
    /// A client's connection attempt to a dead broker failed; it may reconnect after
    /// `reconnect.backoff.ms`.
    ConnectionRefused { client: ClientId, broker: i32 },
    /// A follower's fetch (or its response) was lost: `replica.socket.timeout.ms` later the
    /// fetcher reconnects.
    ReplicaFetchTimeout { follower: i32, leader: i32 },
    /// A KRaft controller's own timer (election, fetch or check-quorum timeout; fetch interval).
    Raft { voter: i32, token: u64 },
    /// A Connect task's or Streams app's own timer (poll, offset flush, commit).
    App {
        app: super::embedded::AppRef,
        token: u64,
    },
    /// A broker's replica manager writes its high watermark checkpoint
    /// (`replica.high.watermark.checkpoint.interval.ms`); the token is its start, as for
    /// `RetentionCheck`.
    HighWatermarkCheckpoint { broker: i32, token: u64 },
}

/// The simulation. `Clone` is a checkpoint: the UI scrubs through history by cloning and replaying.
#[derive(Clone, Debug)]
pub struct Sim {
    pub(crate) now: Millis,
    seq: u64,
    pub(crate) rng: SimRng,
    queue: EventQueue<Event>,
    pub(crate) net: Network,
    pub(crate) cluster: Cluster,
    pub(crate) clients: BTreeMap<ClientId, Client>,
    pub(crate) client_names: BTreeMap<String, ClientId>,
    next_client: ClientId,
    pub(crate) groups: BTreeMap<String, ClassicGroup>,
    /// KIP-848 groups (`group.protocol=consumer`); a group id is in one map or the other.
    pub(crate) consumer_groups: BTreeMap<String, super::group::consumer_group::ConsumerGroup>,
    pub(crate) trace: Trace,
    pub(crate) ledger: super::durability::Ledger,
    /// The live guarantee checker.
    pub(crate) guard: super::invariants::Guard,
    /// The database, Connect worker and Streams apps (empty until one is created).
    pub(crate) apps: super::embedded::Apps,
    next_token: u64,
    seed: u64,
    /// The millisecond the last event ran at and how many ran at it (see [`STUCK_EVENTS`]).
    events_at_now: (Millis, u64),
}

/// A world that runs this many events without its clock moving is stuck in a loop (an engine
/// bug: no Kafka behaviour needs it). Stopping with a message beats a frozen page.
const STUCK_EVENTS: u64 = 1_000_000;

impl Sim {
    /// A new world with the given cluster. Same seed and commands give the same run.
    pub fn new(seed: u64, spec: super::cluster::ClusterSpec) -> Result<Sim, KafkaError> {
        let mut rng = SimRng::seeded(seed);
        let latency = spec.network_latency_ms;
        if !(0..=60_000).contains(&latency) {
            return Err(KafkaError::new(
                super::error::ErrorCode::InvalidRequest,
                format!("Network latency must be 0 to 60000 ms; got {latency}."),
            ));
        }
        let cluster = Cluster::new(spec, &mut rng)?;
        let mut sim = Sim {
            now: 0,
            seq: 0,
            rng,
            queue: EventQueue::default(),
            net: Network::with_latency(latency),
            cluster,
            clients: BTreeMap::new(),
            client_names: BTreeMap::new(),
            next_client: 1,
            groups: BTreeMap::new(),
            consumer_groups: BTreeMap::new(),
            trace: Trace::default(),
            ledger: Default::default(),
            guard: Default::default(),
            apps: Default::default(),
            next_token: 1,
            seed,
            events_at_now: (0, 0),
        };
        let brokers: Vec<BrokerId> = sim.cluster.brokers.keys().copied().collect();
        for b in brokers {
            sim.start_broker_tasks(b);
        }
        sim.schedule_periodic(Timer::Cleaner);
        sim.schedule_periodic(Timer::OffsetsRetention);
        sim.start_controller();
        Ok(sim)
    }

    /// One broker, Kafka 4.x defaults, nothing else: the fallback when a scenario cannot be built.
    pub fn minimal() -> Sim {
        let spec = super::cluster::ClusterSpec {
            brokers: 1,
            ..Default::default()
        };
        match Sim::new(0, spec) {
            Ok(sim) => sim,
            // Only broker-config overrides or counts can fail, and this spec has neither.
            Err(e) => unreachable!("the default one-broker cluster always builds: {e}"),
        }
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Simulated milliseconds since the start.
    pub fn now(&self) -> Millis {
        self.now
    }

    /// Wall-clock-like timestamp of now (the simulated epoch plus `now`), for record timestamps.
    pub fn timestamp(&self) -> Millis {
        super::time::EPOCH_MS + self.now
    }

    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    pub fn trace_hash(&self) -> u64 {
        self.trace.hash()
    }

    /// Applies a command at the current time. A rejected command changes nothing.
    pub fn apply(&mut self, command: Command) -> Result<Outcome, KafkaError> {
        self.record(TraceEvent::Command {
            text: command.describe(),
        });
        let result = super::command::apply(self, command);
        self.check_guarantees();
        result
    }

    /// Runs the next event, if any. Returns false when nothing is scheduled.
    pub fn step(&mut self) -> bool {
        self.step_until(Millis::MAX)
    }

    /// Runs the next event if it is due by `t`. Returns false when none is.
    pub fn step_until(&mut self, t: Millis) -> bool {
        let Some((at, event)) = self.queue.pop_due(t) else {
            return false;
        };
        self.now = self.now.max(at);
        self.count_event_at(at, &event);
        match event {
            Event::Deliver(msg) => {
                if let Some(env) = self.net.take(msg) {
                    // A link cut while the message was on the wire loses it too.
                    if env.lost || self.net.is_cut(env.from, env.to) {
                        self.message_lost(&env);
                    } else {
                        self.deliver(env);
                    }
                }
            }
            Event::Timer(timer) => self.fire(timer),
        }
        self.check_guarantees();
        true
    }

    fn count_event_at(&mut self, at: Millis, event: &Event) {
        if self.events_at_now.0 == at {
            self.events_at_now.1 += 1;
            // An invariant of the engine, not bad input: the UI's panic panel shows it and
            // offers the last scenario that worked.
            assert!(
                self.events_at_now.1 <= STUCK_EVENTS,
                "the simulation is stuck: {STUCK_EVENTS} events at {at} ms without the clock moving (the last one: {event:?})"
            );
        } else {
            self.events_at_now = (at, 1);
        }
    }

    /// Time of the next scheduled event.
    pub fn next_event_time(&self) -> Option<Millis> {
        self.queue.peek().map(|(at, _)| at)
    }

    /// Runs every event up to and including time `t`, then sets the clock to `t`.
    pub fn run_until(&mut self, t: Millis) {
        while self.step_until(t) {}
        self.now = self.now.max(t);
    }

    /// Runs for `d` simulated milliseconds.
    pub fn run_for(&mut self, d: Millis) {
        let t = self.now.saturating_add(d.max(0));
        self.run_until(t);
    }

    /// Runs until `done` holds (checked after each event) or `limit` ms pass; true if it held.
    pub fn run_while(&mut self, limit: Millis, mut done: impl FnMut(&Sim) -> bool) -> bool {
        let deadline = self.now.saturating_add(limit.max(0));
        loop {
            if done(self) {
                return true;
            }
            if !self.step_until(deadline) {
                self.now = self.now.max(deadline);
                return done(self);
            }
        }
    }

    // ---- plumbing shared by the modules below ----

    pub(crate) fn schedule(&mut self, at: Millis, event: Event) {
        self.seq += 1;
        self.queue.push(at.max(self.now), self.seq, event);
    }

    pub(crate) fn schedule_in(&mut self, delay: Millis, event: Event) {
        self.schedule(self.now.saturating_add(delay.max(0)), event);
    }

    /// How often a cluster-wide periodic task runs, from the broker config (read at each run,
    /// so a change takes effect at the next); `None` for the other timers.
    fn period_of(&self, timer: &Timer) -> Option<Millis> {
        let c = &self.cluster.broker_config;
        Some(match timer {
            // `log.cleaner.backoff.ms`. A pass here cleans every cleanable log at once and
            // takes no simulated time; with 0, Kafka's cleaner thread spins, and the
            // simulation passes every millisecond instead.
            Timer::Cleaner => c.log_cleaner_backoff_ms.max(1),
            Timer::OffsetsRetention => c.offsets_retention_check_interval_ms,
            // `ReplicaManager`'s isr-expiration task, every `replica.lag.time.max.ms / 2`.
            Timer::IsrExpiration => (c.replica_lag_time_max_ms / 2).max(1),
            Timer::PreferredLeaders => (c.leader_imbalance_check_interval_seconds * 1000).max(1000),
            Timer::UncleanLeaderElection => c.unclean_leader_election_interval_ms.max(1),
            _ => return None,
        })
    }

    /// Arms the next run of a periodic task, one period from now.
    pub(crate) fn schedule_periodic(&mut self, timer: Timer) {
        if let Some(every) = self.period_of(&timer) {
            self.schedule_in(every, Event::Timer(timer));
        }
    }

    pub(crate) fn token(&mut self) -> u64 {
        self.next_token += 1;
        self.next_token
    }

    pub(crate) fn record(&mut self, event: TraceEvent) {
        self.guard.note(&event);
        self.trace.record(self.now, event);
    }

    /// Sends a message; it is delivered after the link's latency unless the link loses it.
    pub(crate) fn send(&mut self, from: NodeId, to: NodeId, body: Body) {
        let now = self.now;
        let rng = &mut self.rng;
        let api = body.api();
        let (msg, at, lost) = self
            .net
            .send(now, from, to, body, |p| rng.chance_percent(p));
        let id = msg.id;
        self.trace.record(
            now,
            TraceEvent::MessageSent {
                id,
                api,
                from,
                to,
                lost,
            },
        );
        self.schedule(at, Event::Deliver(msg));
    }

    pub(crate) fn new_client_id(&mut self) -> ClientId {
        let id = self.next_client;
        self.next_client += 1;
        id
    }

    fn deliver(&mut self, env: Envelope) {
        // A dead broker's connections are closed: what it sent (or what its timers would send)
        // never arrives; its peers learned of the disconnect when it died.
        if let NodeId::Broker(f) = env.from {
            if !self.cluster.is_alive(f) {
                return;
            }
        }
        match env.to {
            NodeId::Broker(b) => {
                if self.cluster.is_alive(b) {
                    self.broker_receive(b, env);
                } else {
                    // Nothing listens there: the sender's connection attempt fails at once.
                    self.connection_refused(env.from, b);
                }
            }
            NodeId::Controller(_) | NodeId::ZooKeeper(_) => {
                self.controller_receive(env.from, env.to, env.body)
            }
            NodeId::Client(c) => {
                if self.clients.contains_key(&c) {
                    self.client_receive(c, env);
                }
            }
        }
    }

    /// A message the network dropped. Nobody is told: the sender notices only by its own
    /// timeout, as a real client does when packets vanish (Raft and heartbeats have timers of
    /// their own).
    fn message_lost(&mut self, env: &Envelope) {
        match (env.from, env.to) {
            (NodeId::Client(c), NodeId::Broker(b)) | (NodeId::Broker(b), NodeId::Client(c)) => {
                let timeout = match self.clients.get(&c) {
                    Some(super::client::Client::Producer(p)) => p.config.request_timeout_ms,
                    Some(super::client::Client::Consumer(x)) => x.config.request_timeout_ms,
                    None => return,
                };
                let at = env.sent_at.saturating_add(timeout.max(1));
                self.schedule(
                    at,
                    Event::Timer(Timer::RequestTimeout {
                        client: c,
                        broker: b,
                        sent_at: env.sent_at,
                    }),
                );
            }
            (NodeId::Broker(f), NodeId::Broker(l)) => {
                // Only fetches travel between brokers: the follower is whichever asked.
                let (follower, leader) = match env.body {
                    Body::FetchRequest { .. } => (f, l),
                    _ => (l, f),
                };
                // The answer's partitions went quiet on the leader as it was sent: the follower
                // never saw them caught up, so its next fetch starts a new session.
                if matches!(env.body, Body::FetchResponse { .. }) {
                    if let Some(x) = self.cluster.brokers.get_mut(&leader) {
                        x.end_session(follower);
                    }
                }
                let at = env
                    .sent_at
                    .saturating_add(self.cluster.broker_config.replica_socket_timeout_ms.max(1));
                self.schedule(
                    at,
                    Event::Timer(Timer::ReplicaFetchTimeout { follower, leader }),
                );
            }
            _ => {}
        }
    }

    fn fire(&mut self, timer: Timer) {
        match timer {
            Timer::Client { client, token } => self.client_timer(client, token),
            Timer::FetchWait { broker, fetch } => self.expire_parked_fetch(broker, fetch),
            Timer::ProduceWait { broker, token } => self.expire_pending_produces(broker, token),
            Timer::ReplicaFetch { broker } => self.replica_fetch(broker),
            Timer::GroupJoin { group, token } => self.group_join_deadline(&group, token),
            Timer::Session {
                group,
                member,
                token,
            } => self.session_check(&group, &member, token),
            Timer::RetentionCheck { broker, token } => self.retention_check(broker, token),
            Timer::HighWatermarkCheckpoint { broker, token } => {
                self.high_watermark_checkpoint(broker, token)
            }
            Timer::Cleaner => {
                self.cleaner_pass();
                self.schedule_periodic(Timer::Cleaner);
            }
            Timer::BrokerHeartbeat { broker } => self.broker_heartbeat(broker),
            Timer::ControlledShutdownTimeout { broker, deadline } => {
                self.controlled_shutdown_timed_out(broker, deadline)
            }
            Timer::BrokerRegistration { broker } => self.broker_registration_retry(broker),
            Timer::BrokerSession { broker, token } => self.broker_session_expired(broker, token),
            Timer::IsrExpiration => {
                self.isr_expiration_pass();
                self.schedule_periodic(Timer::IsrExpiration);
            }
            Timer::PreferredLeaders => {
                self.preferred_leader_pass();
                self.schedule_periodic(Timer::PreferredLeaders);
            }
            Timer::UncleanLeaderElection => {
                self.unclean_leader_election_pass();
                self.schedule_periodic(Timer::UncleanLeaderElection);
            }
            Timer::RequestTimeout {
                client,
                broker,
                sent_at,
            } => {
                // `NetworkClient` closes the connection at its first timed-out request, which
                // fails every other request in flight on it: their timeouts are moot.
                if self.net.closed_since(client, broker, sent_at) {
                    return;
                }
                self.record(TraceEvent::RequestTimedOut {
                    from: NodeId::Client(client),
                    to: NodeId::Broker(broker),
                });
                self.client_disconnected(client, broker, true);
            }
            Timer::ConnectionRefused { client, broker } => {
                self.client_disconnected(client, broker, false)
            }
            Timer::ReplicaFetchTimeout { follower, leader } => {
                self.record(TraceEvent::RequestTimedOut {
                    from: NodeId::Broker(follower),
                    to: NodeId::Broker(leader),
                });
                if let Some(b) = self.cluster.brokers.get_mut(&follower) {
                    b.forget_fetch_to(leader);
                }
                self.replica_fetch(follower);
            }
            Timer::Raft { voter, token } => self.raft_timer(voter, token),
            Timer::App { app, token } => self.app_timer(app, token),
            Timer::OffsetsRetention => {
                self.offsets_retention_pass();
                self.schedule_periodic(Timer::OffsetsRetention);
            }
        }
    }
}
