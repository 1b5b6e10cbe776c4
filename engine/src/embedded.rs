//! Applications that are clients of the cluster: Kafka Connect tasks and Kafka Streams
//! threads. They own ordinary producers and consumers (`client.rs`), so their records travel
//! the simulated network like anyone else's; this module is the plumbing they share: starting
//! and stopping their clients, reading what those clients polled or had acknowledged, committing
//! exactly the offsets they processed, one wake-up timer per application, and the trace events
//! the stage animates. Nothing here exists (no topic, no timer, no random draw) until a table,
//! connector or streams app is created.

use super::command::Command;
use super::connect::database::Database;
use super::connect::worker::Connector;
use super::consumer::{CommitKind, Consumed, MemberPhase};
use super::error::{ErrorCode, KafkaError};
use super::ids::TopicPartition;
use super::network::ClientId;
use super::producer::client::Delivery;
use super::sim::{Event, Sim, Timer};
use super::streams::processor::StreamsApp;
use super::time::Millis;
use super::trace::TraceEvent;
use crate::ordered::CollectOrdered;
use serde::Serialize;
use smol_str::SmolStr;
use std::collections::BTreeMap;

/// Which application a timer or a client belongs to.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum AppRef {
    Connector(String),
    Streams(String),
}

/// Everything outside the brokers that the playground simulates: the database, the Connect
/// worker's connectors and the Streams applications.
#[derive(Clone, Debug, Default)]
pub struct Apps {
    pub database: Database,
    pub connectors: BTreeMap<String, Connector>,
    pub streams: BTreeMap<String, StreamsApp>,
    /// The application each embedded client works for.
    pub(crate) owners: BTreeMap<ClientId, AppRef>,
    /// Wake-up timer tokens per application (a stale token is ignored).
    pub(crate) tokens: BTreeMap<AppRef, u64>,
}

/// What connectors and streams apps do, for the trace (and the stage's animation).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum FlowEvent {
    TableCreated {
        table: String,
        key: String,
    },
    /// A committed row change (`op`: c, u, d).
    RowChanged {
        table: String,
        lsn: i64,
        op: String,
        key: String,
    },
    ConnectorState {
        connector: String,
        state: String,
    },
    /// A source task handed a change event to its producer.
    SourceRecord {
        connector: String,
        table: String,
        lsn: i64,
        op: String,
        topic: String,
    },
    /// A source task's position is stored (acknowledged) in `connect-offsets`.
    OffsetStored {
        connector: String,
        lsn: i64,
    },
    /// A source task read its stored position back from `connect-offsets`.
    OffsetLoaded {
        connector: String,
        lsn: Option<i64>,
    },
    /// A sink task wrote a record into its table.
    SinkWrote {
        connector: String,
        tp: TopicPartition,
        offset: i64,
        table: String,
        op: String,
    },
    StreamsState {
        app: String,
        state: String,
    },
    /// A streams app processed one input record (forwarding `outputs` records).
    Processed {
        app: String,
        tp: TopicPartition,
        offset: i64,
        outputs: u32,
    },
    /// A store partition was rebuilt from its changelog (`records` replayed).
    Restored {
        app: String,
        store: String,
        partition: i32,
        records: u64,
    },
    /// An application committed the offsets of what it processed.
    Committed {
        app: String,
        group: String,
        offsets: Vec<(TopicPartition, i64)>,
    },
}

impl FlowEvent {
    /// One line for logs.
    pub fn describe(&self) -> String {
        match self {
            FlowEvent::TableCreated { table, key } => {
                format!("Table {table} created (primary key {key})")
            }
            FlowEvent::RowChanged {
                table,
                lsn,
                op,
                key,
            } => format!("Row change {op} in {table} key {key} at LSN {lsn}"),
            FlowEvent::ConnectorState { connector, state } => {
                format!("Connector {connector}: {state}")
            }
            FlowEvent::SourceRecord {
                connector,
                lsn,
                op,
                topic,
                ..
            } => format!("{connector}: change LSN {lsn} ({op}) → {topic}"),
            FlowEvent::OffsetStored { connector, lsn } => {
                format!("{connector}: position LSN {lsn} stored in connect-offsets")
            }
            FlowEvent::OffsetLoaded { connector, lsn } => match lsn {
                Some(l) => format!("{connector}: resumes after LSN {l} (from connect-offsets)"),
                None => format!("{connector}: no stored position; starts with a snapshot"),
            },
            FlowEvent::SinkWrote {
                connector,
                tp,
                offset,
                table,
                op,
            } => format!("{connector}: {tp}@{offset} → {table} ({op})"),
            FlowEvent::StreamsState { app, state } => format!("Streams app {app}: {state}"),
            FlowEvent::Processed {
                app,
                tp,
                offset,
                outputs,
            } => format!("{app} processed {tp}@{offset} ({outputs} out)"),
            FlowEvent::Restored {
                app,
                store,
                partition,
                records,
            } => format!("{app}: store {store} partition {partition} restored ({records} records)"),
            FlowEvent::Committed {
                app,
                group,
                offsets,
            } => format!("{app}: group {group} committed {} offset(s)", offsets.len()),
        }
    }
}

fn err(message: impl Into<String>) -> KafkaError {
    KafkaError::new(ErrorCode::InvalidRequest, message)
}

impl Sim {
    pub(crate) fn flow(&mut self, e: FlowEvent) {
        self.record(TraceEvent::Flow(e));
    }

    /// The simulated database.
    pub fn database(&self) -> &Database {
        &self.apps.database
    }

    /// A client name nobody uses (embedded clients have fixed, Kafka-style names).
    pub(crate) fn require_free_client_name(&self, name: &str) -> Result<(), KafkaError> {
        if self.client_id_by_name(name).is_some() {
            return Err(err(format!(
                "A client named '{name}' is already running; stop it first."
            )));
        }
        Ok(())
    }

    /// Starts a producer for `app` (default configs plus `configs`).
    pub(crate) fn embedded_producer(
        &mut self,
        app: &AppRef,
        name: &str,
        configs: BTreeMap<String, String>,
    ) -> Result<ClientId, KafkaError> {
        super::command::apply(
            self,
            Command::StartProducer {
                name: name.to_string(),
                configs,
                workload: None,
            },
        )?;
        self.own(app, name)
    }

    /// Starts a consumer for `app`: in `group` subscribed to `topics`, or (no group) assigned
    /// every partition of `topics`. Auto-commit is off: the application commits what it processed.
    pub(crate) fn embedded_consumer(
        &mut self,
        app: &AppRef,
        name: &str,
        group: Option<String>,
        topics: Vec<String>,
        assign: Vec<TopicPartition>,
    ) -> Result<ClientId, KafkaError> {
        let configs: BTreeMap<String, String> = [
            ("enable.auto.commit", "false"),
            ("auto.offset.reset", "earliest"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect_map();
        super::command::apply(
            self,
            Command::StartConsumer {
                name: name.to_string(),
                group,
                topics,
                assign,
                start_offsets: BTreeMap::new(),
                configs,
                process_time_ms: 0,
            },
        )?;
        self.own(app, name)
    }

    fn own(&mut self, app: &AppRef, name: &str) -> Result<ClientId, KafkaError> {
        let c = self
            .client_id_by_name(name)
            .ok_or_else(|| err(format!("client {name} did not start")))?;
        self.apps.owners.insert(c, app.clone());
        Ok(c)
    }

    /// `producer.send()`; the record goes to the accumulator and out over the network.
    pub(crate) fn embedded_send(
        &mut self,
        c: ClientId,
        topic: &str,
        partition: Option<i32>,
        key: Option<String>,
        value: Option<String>,
        timestamp: Option<i64>,
    ) -> Result<TopicPartition, String> {
        let key = key.map(SmolStr::from);
        let value = value.map(SmolStr::from);
        let r = self
            .producer_send(c, topic, partition, key, value, timestamp)
            .map_err(|(_, m)| m);
        self.reschedule_client(c);
        r
    }

    /// Every record the producer was given has been acknowledged (or failed).
    pub(crate) fn producer_idle(&self, c: ClientId) -> bool {
        match self.clients.get(&c) {
            Some(super::client::Client::Producer(p)) => p.pending_records() == 0,
            _ => true,
        }
    }

    pub(crate) fn take_deliveries_of(&mut self, c: ClientId) -> Vec<Delivery> {
        self.producer_mut(c)
            .map(|p| p.deliveries.drain(..).collect())
            .unwrap_or_default()
    }

    pub(crate) fn take_consumed_of(&mut self, c: ClientId) -> Vec<Consumed> {
        self.consumer_mut(c)
            .map(|x| x.consumed.take())
            .unwrap_or_default()
    }

    /// A consumer's current assignment, and whether it is a settled member.
    pub(crate) fn consumer_assignment(&self, c: ClientId) -> Option<(Vec<TopicPartition>, bool)> {
        match self.clients.get(&c) {
            Some(super::client::Client::Consumer(x)) => Some((
                x.assignment.clone(),
                matches!(x.phase, MemberPhase::Stable | MemberPhase::Standalone),
            )),
            _ => None,
        }
    }

    /// Fetch positions of a consumer (next offset per partition).
    pub(crate) fn consumer_positions(&self, c: ClientId) -> BTreeMap<TopicPartition, i64> {
        match self.clients.get(&c) {
            Some(super::client::Client::Consumer(x)) => x.positions.clone(),
            _ => BTreeMap::new(),
        }
    }

    /// OffsetCommit of exactly `offsets` (what was processed, not the fetch positions), as
    /// Kafka Streams and Connect sink tasks commit. False if the member cannot commit now.
    pub(crate) fn commit_offsets(
        &mut self,
        c: ClientId,
        offsets: Vec<(TopicPartition, i64)>,
    ) -> bool {
        if offsets.is_empty() {
            return true;
        }
        self.send_offset_commit(c, offsets, CommitKind::Auto)
    }

    /// `close()`: a producer sends what it holds, a consumer leaves its group.
    pub(crate) fn embedded_close(&mut self, c: ClientId) {
        self.apps.owners.remove(&c);
        match self.clients.get(&c) {
            Some(super::client::Client::Producer(_)) => {
                if let Some(p) = self.producer_mut(c) {
                    p.closing = true;
                }
                self.reschedule_client(c);
                self.finish_producer_if_idle(c);
            }
            Some(super::client::Client::Consumer(_)) => self.close_consumer(c),
            None => {}
        }
    }

    /// The process died: the client vanishes without a word (what it held is lost; what it
    /// sent is still on the wire).
    pub(crate) fn embedded_kill(&mut self, c: ClientId) {
        self.apps.owners.remove(&c);
        self.remove_client(c);
    }

    /// Creates an internal topic (`connect-offsets`, changelogs, repartition topics) through
    /// the controller, unless it exists.
    pub(crate) fn ensure_internal_topic(
        &mut self,
        name: &str,
        partitions: i32,
        compact: bool,
    ) -> Result<(), KafkaError> {
        if self.cluster.topics.contains_key(name) {
            return Ok(());
        }
        self.require_controller()?;
        let live = self.cluster.live_brokers().len() as i16;
        let rf = live.clamp(1, 3);
        let mut configs = BTreeMap::new();
        if compact {
            configs.insert("cleanup.policy".to_string(), "compact".to_string());
        }
        self.create_topic(name, Some(partitions.max(1)), Some(rf), configs, None)?;
        Ok(())
    }

    /// High watermark per partition of `topic` (the restore consumer's `endOffsets()`).
    pub(crate) fn end_offsets(&self, topic: &str) -> BTreeMap<TopicPartition, i64> {
        let n = self.cluster.partition_count(topic).unwrap_or(0);
        (0..n)
            .map(|p| {
                let tp = self.cluster.tp(topic, p);
                let hw = self.high_watermark(&tp).unwrap_or(0);
                (tp, hw)
            })
            .collect_map()
    }

    /// Arms `app`'s single wake-up timer at `at` (replacing any earlier one).
    pub(crate) fn wake_app_at(&mut self, app: &AppRef, at: Option<Millis>) {
        let token = self.token();
        self.apps.tokens.insert(app.clone(), token);
        if let Some(at) = at {
            self.schedule(
                at,
                Event::Timer(Timer::App {
                    app: app.clone(),
                    token,
                }),
            );
        }
    }

    /// `Timer::App` fired.
    pub(crate) fn app_timer(&mut self, app: AppRef, token: u64) {
        if self.apps.tokens.get(&app) != Some(&token) {
            return;
        }
        self.apps.tokens.remove(&app);
        match &app {
            AppRef::Connector(name) => self.connector_wake(name),
            AppRef::Streams(name) => self.streams_wake(name),
        }
    }

    /// One of an application's clients received something (records, acks, an assignment).
    pub(crate) fn app_client_news(&mut self, c: ClientId) {
        let Some(app) = self.apps.owners.get(&c).cloned() else {
            return;
        };
        match &app {
            AppRef::Connector(name) => self.connector_wake(name),
            AppRef::Streams(name) => self.streams_wake(name),
        }
    }
}

// ---- views: what the console prints and the stage draws ----

#[derive(Clone, Debug, Serialize)]
pub struct FlowsView {
    pub tables: Vec<DbTableView>,
    pub connectors: Vec<ConnectorView>,
    pub streams: Vec<StreamsAppView>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DbTableView {
    pub name: String,
    pub key: String,
    /// Every column any row has, the key first.
    pub columns: Vec<String>,
    pub rows: Vec<super::connect::database::Row>,
    /// LSN of the table's last committed change (0: none).
    pub last_lsn: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct ConnectorView {
    pub name: String,
    /// `source` or `sink`.
    pub kind: String,
    /// RUNNING, STOPPING, STOPPED, UNASSIGNED or FAILED.
    pub state: String,
    pub error: Option<String>,
    pub table: String,
    pub topic: String,
    /// Source: LSN of the last change produced (`None`: reading connect-offsets, or nothing).
    pub position: Option<i64>,
    /// Source: LSN stored in connect-offsets.
    pub stored: Option<i64>,
    /// Source: still reading its position back.
    pub loading: bool,
    /// Sink: its consumer group (`connect-<name>`) and committed offsets.
    pub group: Option<String>,
    pub committed: Vec<(TopicPartition, i64)>,
    /// Records produced (source) or written (sink) by this run of the task.
    pub records: u64,
    /// Names of the task's running clients (drawn as the worker's clients).
    pub clients: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct InstanceView {
    pub id: u32,
    pub consumer: String,
    pub producer: String,
    pub assigned: Vec<TopicPartition>,
    pub restoring: bool,
    pub processed: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct StreamsAppView {
    pub app: String,
    /// RUNNING, REBALANCING, PENDING_SHUTDOWN or NOT_RUNNING.
    pub state: String,
    pub source: String,
    pub sink: String,
    pub ops: Vec<String>,
    pub instances: Vec<InstanceView>,
    pub instances_wanted: u32,
    /// Store name → its changelog (or, for a join's table, source) topic.
    pub changelogs: Vec<(String, String)>,
    pub repartition: Option<String>,
    /// Store name → contents over the running instances.
    pub stores: BTreeMap<String, BTreeMap<String, String>>,
    /// Input records processed over all runs (duplicates after crashes included).
    pub processed: u64,
}

impl Sim {
    /// Tables, connectors and streams apps, for the console and the stage.
    pub fn flows_view(&self) -> FlowsView {
        use super::connect::worker::Task;
        let db = &self.apps.database;
        let tables = db
            .tables
            .values()
            .map(|t| {
                let mut columns = vec![t.key.clone()];
                for r in t.rows.values() {
                    for c in r.keys() {
                        if !columns.contains(c) {
                            columns.push(c.clone());
                        }
                    }
                }
                DbTableView {
                    name: t.name.clone(),
                    key: t.key.clone(),
                    columns,
                    rows: t.rows.values().cloned().collect(),
                    last_lsn: db
                        .log
                        .iter()
                        .rev()
                        .find(|c| c.table == t.name)
                        .map_or(0, |c| c.lsn),
                }
            })
            .collect();
        let name_of = |c: Option<ClientId>| c.and_then(|c| self.client_name(c).map(str::to_string));
        let connectors = self
            .apps
            .connectors
            .values()
            .map(|c| {
                let error = match &c.state {
                    super::connect::worker::ConnectorState::Failed(m) => Some(m.clone()),
                    _ => None,
                };
                let base = ConnectorView {
                    name: c.name.clone(),
                    kind: c.kind().to_string(),
                    state: c.state.name().to_string(),
                    error,
                    table: String::new(),
                    topic: String::new(),
                    position: None,
                    stored: None,
                    loading: false,
                    group: None,
                    committed: Vec::new(),
                    records: 0,
                    clients: Vec::new(),
                };
                match &c.task {
                    Task::Source(s) => ConnectorView {
                        table: s.table.clone(),
                        topic: s.topic.clone(),
                        position: s.position,
                        stored: s.stored,
                        loading: s.loading(),
                        records: s.emitted,
                        clients: [name_of(s.producer), name_of(s.reader)]
                            .into_iter()
                            .flatten()
                            .collect(),
                        ..base
                    },
                    Task::Sink(s) => ConnectorView {
                        table: s.table.clone(),
                        topic: s.topic.clone(),
                        group: Some(format!("connect-{}", c.name)),
                        committed: s.committed.iter().map(|(k, v)| (k.clone(), *v)).collect(),
                        records: s.written,
                        clients: name_of(s.consumer).into_iter().collect(),
                        ..base
                    },
                }
            })
            .collect();
        let streams = self
            .apps
            .streams
            .values()
            .map(|a| StreamsAppView {
                app: a.id.clone(),
                state: a.state_name(self).to_string(),
                source: a.topology.source.clone(),
                sink: a.topology.sink.clone(),
                ops: a.topology.lines.clone(),
                instances: a
                    .instances
                    .values()
                    .map(|i| InstanceView {
                        id: i.id,
                        consumer: a.client_name(i.id, "consumer"),
                        producer: a.client_name(i.id, "producer"),
                        assigned: i.assigned.iter().cloned().collect(),
                        restoring: i.restoring(),
                        processed: i.processed_count,
                    })
                    .collect(),
                instances_wanted: a.instances_wanted,
                changelogs: a.store_defs(),
                repartition: a.repartition_topic(),
                stores: a.store_contents(),
                processed: a.processed_total,
            })
            .collect();
        FlowsView {
            tables,
            connectors,
            streams,
        }
    }
}
