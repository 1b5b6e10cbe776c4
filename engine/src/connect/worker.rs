//! The Connect worker: runs each connector's single task (`tasks.max=1`) and carries out the
//! lifecycle a learner drives: create (RUNNING), stop (flush, then STOPPED), start again
//! (RUNNING: reads its position back), kill (the task's process dies: UNASSIGNED; nothing is
//! flushed, so what was produced after the last stored position is produced again on start:
//! at-least-once). Also the database commands, which wake the source tasks of their table.

use super::database::{parse_row, Change, Row};
use super::sink::{write_for, SinkTask, Write};
use super::source::{
    offset_key, offset_value, parse_offset_value, records_for, Flush, SourceTask, MAX_BATCH,
    OFFSETS_PARTITIONS, OFFSETS_TOPIC, OFFSET_FLUSH_INTERVAL_MS, POLL_INTERVAL_MS,
};
use crate::embedded::{AppRef, FlowEvent};
use crate::error::{ErrorCode, KafkaError};
use crate::ids::TopicPartition;
use crate::ordered::CollectOrdered;
use crate::sim::Sim;
use crate::time::Millis;
use serde::Serialize;
use std::collections::BTreeMap;

/// Database changes (the console's `table ...`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatabaseCommand {
    CreateTable {
        table: String,
        key: String,
    },
    Insert {
        table: String,
        row: Row,
    },
    /// Sets the given columns of the row whose key column is given.
    Update {
        table: String,
        row: Row,
    },
    Delete {
        table: String,
        key: String,
    },
}

/// Connector lifecycle (the console's `connector ...`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConnectorCommand {
    CreateSource {
        name: String,
        table: String,
        topic: String,
        flush_interval_ms: Option<Millis>,
    },
    CreateSink {
        name: String,
        topic: String,
        table: String,
        /// The table's primary-key column (default `id`).
        key: Option<String>,
        flush_interval_ms: Option<Millis>,
    },
    Stop {
        name: String,
    },
    Start {
        name: String,
    },
    Kill {
        name: String,
    },
}

/// A connector's state, with Kafka Connect's names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum ConnectorState {
    Running,
    /// Flushing before it stops.
    Stopping,
    Stopped,
    /// Its task's process died; nothing runs it until it is started again.
    Unassigned,
    Failed(String),
}

impl ConnectorState {
    pub fn name(&self) -> &'static str {
        match self {
            ConnectorState::Running => "RUNNING",
            ConnectorState::Stopping => "STOPPING",
            ConnectorState::Stopped => "STOPPED",
            ConnectorState::Unassigned => "UNASSIGNED",
            ConnectorState::Failed(_) => "FAILED",
        }
    }
}

#[derive(Clone, Debug)]
pub enum Task {
    Source(SourceTask),
    Sink(SinkTask),
}

#[derive(Clone, Debug)]
pub struct Connector {
    pub name: String,
    pub task: Task,
    pub state: ConnectorState,
}

impl Connector {
    pub fn kind(&self) -> &'static str {
        match self.task {
            Task::Source(_) => "source",
            Task::Sink(_) => "sink",
        }
    }

    /// Kafka Connect's client names for the task's clients.
    pub fn producer_name(&self) -> String {
        format!("connector-producer-{}-0", self.name)
    }

    pub fn consumer_name(&self) -> String {
        format!("connector-consumer-{}-0", self.name)
    }

    pub fn reader_name(&self) -> String {
        format!("connect-offsets-reader-{}", self.name)
    }
}

fn err(message: impl Into<String>) -> KafkaError {
    KafkaError::new(ErrorCode::InvalidRequest, message)
}

/// The most connectors one worker runs.
pub const MAX_CONNECTORS: usize = 32;

impl Sim {
    pub(crate) fn apply_database(&mut self, cmd: DatabaseCommand) -> Result<(), KafkaError> {
        let ts = self.timestamp();
        let db = &mut self.apps.database;
        let change = match cmd {
            DatabaseCommand::CreateTable { table, key } => {
                db.create_table(&table, &key).map_err(err)?;
                self.flow(FlowEvent::TableCreated { table, key });
                return Ok(());
            }
            DatabaseCommand::Insert { table, row } => db.insert(&table, row, ts),
            DatabaseCommand::Update { table, row } => db.update(&table, row, ts),
            DatabaseCommand::Delete { table, key } => db.delete(&table, &key, ts),
        }
        .map_err(err)?;
        self.row_changed(&change);
        Ok(())
    }

    /// A change was committed: trace it and wake the source tasks reading its table.
    fn row_changed(&mut self, change: &Change) {
        self.flow(FlowEvent::RowChanged {
            table: change.table.clone(),
            lsn: change.lsn,
            op: change.op.code().into(),
            key: change.key.clone(),
        });
        let now = self.now;
        let mut woken = Vec::new();
        for c in self.apps.connectors.values_mut() {
            if let Task::Source(s) = &mut c.task {
                if s.table == change.table
                    && c.state == ConnectorState::Running
                    && s.next_poll.is_none()
                    && !s.loading()
                {
                    s.next_poll = Some(now + POLL_INTERVAL_MS);
                    woken.push(c.name.clone());
                }
            }
        }
        for name in woken {
            self.reschedule_connector(&name);
        }
    }

    pub(crate) fn apply_connector(&mut self, cmd: ConnectorCommand) -> Result<(), KafkaError> {
        match cmd {
            ConnectorCommand::CreateSource {
                name,
                table,
                topic,
                flush_interval_ms,
            } => {
                self.check_new_connector(&name)?;
                self.apps.database.table(&table).map_err(err)?;
                crate::cluster::validate_topic_name(&topic)?;
                let flush = check_flush(flush_interval_ms)?;
                let task = Task::Source(SourceTask::new(table, topic, flush));
                self.add_connector(name, task)
            }
            ConnectorCommand::CreateSink {
                name,
                topic,
                table,
                key,
                flush_interval_ms,
            } => {
                self.check_new_connector(&name)?;
                crate::cluster::validate_topic_name(&topic)?;
                super::database::validate_name("table", &table).map_err(err)?;
                let key = key.unwrap_or_else(|| "id".into());
                super::database::validate_name("column", &key).map_err(err)?;
                if let Some(t) = self.apps.database.tables.get(&table) {
                    if t.key != key {
                        return Err(err(format!(
                            "Table '{table}' has primary key '{}', not '{key}'.",
                            t.key
                        )));
                    }
                }
                let flush = check_flush(flush_interval_ms)?;
                let task = Task::Sink(SinkTask::new(topic, table, key, flush));
                self.add_connector(name, task)
            }
            ConnectorCommand::Stop { name } => {
                let state = self.connector_ref(&name)?.state.clone();
                if state != ConnectorState::Running {
                    return Err(err(format!(
                        "Connector {name} is {}, not RUNNING: nothing to stop.",
                        state.name()
                    )));
                }
                self.stop_connector(&name);
                Ok(())
            }
            ConnectorCommand::Start { name } => {
                let state = self.connector_ref(&name)?.state.clone();
                if matches!(state, ConnectorState::Running | ConnectorState::Stopping) {
                    return Err(err(format!(
                        "Connector {name} is {} already.",
                        state.name()
                    )));
                }
                self.start_connector(&name)
            }
            ConnectorCommand::Kill { name } => {
                let state = self.connector_ref(&name)?.state.clone();
                if !matches!(state, ConnectorState::Running | ConnectorState::Stopping) {
                    return Err(err(format!(
                        "Connector {name} is {}: its task is not running.",
                        state.name()
                    )));
                }
                self.kill_connector(&name, ConnectorState::Unassigned);
                Ok(())
            }
        }
    }

    fn check_new_connector(&self, name: &str) -> Result<(), KafkaError> {
        super::database::validate_name("connector", name).map_err(err)?;
        if self.apps.connectors.contains_key(name) {
            return Err(err(format!("Connector {name} already exists.")));
        }
        if self.apps.connectors.len() >= MAX_CONNECTORS {
            return Err(err(format!(
                "The worker runs at most {MAX_CONNECTORS} connectors."
            )));
        }
        Ok(())
    }

    fn add_connector(&mut self, name: String, task: Task) -> Result<(), KafkaError> {
        let c = Connector {
            name: name.clone(),
            task,
            state: ConnectorState::Stopped,
        };
        self.apps.connectors.insert(name.clone(), c);
        if let Err(e) = self.start_connector(&name) {
            self.apps.connectors.remove(&name);
            return Err(e);
        }
        Ok(())
    }

    fn connector_ref(&self, name: &str) -> Result<&super::worker::Connector, KafkaError> {
        self.apps.connectors.get(name).ok_or_else(|| {
            let names: Vec<&str> = self.apps.connectors.keys().map(String::as_str).collect();
            if names.is_empty() {
                err(format!("No connector named {name}: none was created."))
            } else {
                err(format!(
                    "No connector named {name}: the connectors are {}.",
                    names.join(", ")
                ))
            }
        })
    }

    fn set_connector_state(&mut self, name: &str, state: ConnectorState) {
        if let Some(c) = self.apps.connectors.get_mut(name) {
            c.state = state.clone();
        }
        self.flow(FlowEvent::ConnectorState {
            connector: name.to_string(),
            state: state.name().to_string(),
        });
    }

    /// Starts the task: a source creates its topics and producer and reads its position from
    /// `connect-offsets`; a sink joins its group.
    fn start_connector(&mut self, name: &str) -> Result<(), KafkaError> {
        let Some(conn) = self.apps.connectors.get(name).cloned() else {
            return Err(err(format!("No connector named {name}.")));
        };
        let app = AppRef::Connector(name.to_string());
        let now = self.now;
        match conn.task.clone() {
            Task::Source(s) => {
                for n in [conn.producer_name(), conn.reader_name()] {
                    self.require_free_client_name(&n)?;
                }
                self.ensure_internal_topic(OFFSETS_TOPIC, OFFSETS_PARTITIONS, true)?;
                if !self.cluster.topics.contains_key(&s.topic) {
                    self.require_controller()?;
                    self.create_topic(&s.topic, None, None, BTreeMap::new(), None)?;
                }
                let producer_configs = [
                    ("acks", "all"),
                    ("delivery.timeout.ms", "2147483647"),
                    ("max.in.flight.requests.per.connection", "1"),
                ]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect_map();
                let p = self.embedded_producer(&app, &conn.producer_name(), producer_configs)?;
                let end = self.end_offsets(OFFSETS_TOPIC);
                let reader = self.embedded_consumer(
                    &app,
                    &conn.reader_name(),
                    None,
                    vec![OFFSETS_TOPIC.to_string()],
                    end.keys().cloned().collect(),
                )?;
                let mut task = SourceTask::new(s.table, s.topic, s.flush_interval_ms);
                task.stored = s.stored;
                task.producer = Some(p);
                task.reader = Some(reader);
                task.reader_end = end;
                task.next_flush = Some(now + task.flush_interval_ms);
                if let Some(c) = self.apps.connectors.get_mut(name) {
                    c.task = Task::Source(task);
                }
            }
            Task::Sink(s) => {
                self.require_free_client_name(&conn.consumer_name())?;
                if !self.cluster.topics.contains_key(&s.topic) {
                    self.require_controller()?;
                    self.create_topic(&s.topic, None, None, BTreeMap::new(), None)?;
                }
                if !self.apps.database.tables.contains_key(&s.table) {
                    // `auto.create=true`: the table is made from the connector's settings.
                    self.apply_database(DatabaseCommand::CreateTable {
                        table: s.table.clone(),
                        key: s.key_column.clone(),
                    })?;
                }
                let c = self.embedded_consumer(
                    &app,
                    &conn.consumer_name(),
                    Some(format!("connect-{name}")),
                    vec![s.topic.clone()],
                    Vec::new(),
                )?;
                let mut task = SinkTask::new(s.topic, s.table, s.key_column, s.flush_interval_ms);
                task.consumer = Some(c);
                task.next_commit = Some(now + task.flush_interval_ms);
                if let Some(x) = self.apps.connectors.get_mut(name) {
                    x.task = Task::Sink(task);
                }
            }
        }
        self.set_connector_state(name, ConnectorState::Running);
        self.connector_wake(name);
        Ok(())
    }

    /// Stop: flush (source: store the position once all is acknowledged; sink: commit), then
    /// close the clients.
    fn stop_connector(&mut self, name: &str) {
        self.set_connector_state(name, ConnectorState::Stopping);
        let Some(conn) = self.apps.connectors.get_mut(name) else {
            return;
        };
        match &mut conn.task {
            Task::Source(s) => {
                if let Some(r) = s.reader.take() {
                    self.embedded_close(r);
                    self.finish_stop(name);
                    return;
                }
                match (s.position, s.flush) {
                    (Some(p), Flush::Idle) if Some(p) != s.stored => s.flush = Flush::Data(p),
                    (_, Flush::Idle) => {
                        self.finish_stop(name);
                        return;
                    }
                    _ => {}
                }
                self.connector_wake(name);
            }
            Task::Sink(_) => {
                self.sink_commit(name);
                self.finish_stop(name);
            }
        }
    }

    fn finish_stop(&mut self, name: &str) {
        let clients = self.connector_clients(name);
        for c in clients {
            self.embedded_close(c);
        }
        self.clear_task_clients(name);
        self.set_connector_state(name, ConnectorState::Stopped);
        self.wake_app_at(&AppRef::Connector(name.to_string()), None);
    }

    /// The task's process is gone: no flush, no commit, no goodbye.
    fn kill_connector(&mut self, name: &str, state: ConnectorState) {
        let clients = self.connector_clients(name);
        for c in clients {
            self.embedded_kill(c);
        }
        self.clear_task_clients(name);
        self.set_connector_state(name, state);
        self.wake_app_at(&AppRef::Connector(name.to_string()), None);
    }

    fn connector_clients(&self, name: &str) -> Vec<crate::network::ClientId> {
        match self.apps.connectors.get(name).map(|c| &c.task) {
            Some(Task::Source(s)) => s.producer.into_iter().chain(s.reader).collect(),
            Some(Task::Sink(s)) => s.consumer.into_iter().collect(),
            None => Vec::new(),
        }
    }

    fn clear_task_clients(&mut self, name: &str) {
        match self.apps.connectors.get_mut(name).map(|c| &mut c.task) {
            Some(Task::Source(s)) => {
                s.producer = None;
                s.reader = None;
                s.next_poll = None;
                s.next_flush = None;
                s.flush = Flush::Idle;
            }
            Some(Task::Sink(s)) => {
                s.consumer = None;
                s.next_commit = None;
            }
            None => {}
        }
    }

    fn reschedule_connector(&mut self, name: &str) {
        let at = match self.apps.connectors.get(name) {
            Some(c) if matches!(c.state, ConnectorState::Running | ConnectorState::Stopping) => {
                match &c.task {
                    Task::Source(s) => s.next_wake(),
                    Task::Sink(s) => s.next_commit,
                }
            }
            _ => None,
        };
        self.wake_app_at(&AppRef::Connector(name.to_string()), at);
    }

    /// The task's loop: whatever is due now (called on its timer and when its clients hear
    /// something).
    pub(crate) fn connector_wake(&mut self, name: &str) {
        let Some(conn) = self.apps.connectors.get(name) else {
            return;
        };
        if !matches!(
            conn.state,
            ConnectorState::Running | ConnectorState::Stopping
        ) {
            return;
        }
        match conn.task {
            Task::Source(_) => self.source_wake(name),
            Task::Sink(_) => self.sink_wake(name),
        }
        self.reschedule_connector(name);
    }

    fn source_task(&mut self, name: &str) -> Option<&mut SourceTask> {
        match self.apps.connectors.get_mut(name).map(|c| &mut c.task) {
            Some(Task::Source(s)) => Some(s),
            _ => None,
        }
    }

    fn source_wake(&mut self, name: &str) {
        let now = self.now;
        let Some(s) = self.source_task(name) else {
            return;
        };
        let (producer, reader) = (s.producer, s.reader);
        let key = offset_key(name, &s.table);
        // 1. Reading the stored position back.
        if let Some(r) = reader {
            let records = self.take_consumed_of(r);
            let positions = self.consumer_positions(r);
            let Some(s) = self.source_task(name) else {
                return;
            };
            for rec in records {
                if rec.record.key_text().as_deref() == Some(key.as_str()) {
                    s.loaded = rec.record.value_text().and_then(|v| parse_offset_value(&v));
                }
            }
            let caught_up = s
                .reader_end
                .iter()
                .all(|(tp, end)| positions.get(tp).is_some_and(|p| p >= end));
            if !caught_up {
                return;
            }
            s.reader = None;
            let loaded = s.loaded;
            s.position = loaded;
            s.stored = loaded;
            s.next_poll = Some(now);
            self.embedded_close(r);
            self.flow(FlowEvent::OffsetLoaded {
                connector: name.to_string(),
                lsn: loaded,
            });
            if loaded.is_none() {
                self.source_snapshot(name);
            }
        }
        let Some(p) = producer else { return };
        // 2. Outcomes of sends: a record that failed for good fails the task.
        let failed = self
            .take_deliveries_of(p)
            .into_iter()
            .find_map(|d| d.error.map(|(_, m)| m));
        if let Some(m) = failed {
            self.kill_connector(name, ConnectorState::Failed(m));
            return;
        }
        // 3. Poll the commit log.
        let running = self
            .apps
            .connectors
            .get(name)
            .is_some_and(|c| c.state == ConnectorState::Running);
        let Some(s) = self.source_task(name) else {
            return;
        };
        if s.next_poll.is_some_and(|t| t <= now) {
            s.next_poll = None;
            // A stopping task polls no more (it only flushes), but its due poll is spent.
            if running {
                self.source_poll(name);
            }
        }
        // 4. Offset flush.
        let idle = self.producer_idle(p);
        let Some(s) = self.source_task(name) else {
            return;
        };
        if s.next_flush.is_some_and(|t| t <= now) {
            s.next_flush = Some(now + s.flush_interval_ms);
            if s.flush == Flush::Idle && s.position.is_some() && s.position != s.stored {
                s.flush = Flush::Data(s.position.unwrap_or(0));
            }
        }
        match s.flush {
            Flush::Data(lsn) if idle => {
                s.flush = Flush::Writing(lsn);
                let table = s.table.clone();
                let _ = self.embedded_send(
                    p,
                    OFFSETS_TOPIC,
                    None,
                    Some(offset_key(name, &table)),
                    Some(offset_value(lsn)),
                    None,
                );
            }
            Flush::Writing(lsn) if idle => {
                s.flush = Flush::Idle;
                s.stored = Some(lsn);
                self.flow(FlowEvent::OffsetStored {
                    connector: name.to_string(),
                    lsn,
                });
                let stopping = self
                    .apps
                    .connectors
                    .get(name)
                    .is_some_and(|c| c.state == ConnectorState::Stopping);
                if stopping {
                    // Stopping flushes everything: one more round if more was produced.
                    match self.source_task(name) {
                        Some(s) if s.position.is_some() && s.position != s.stored => {
                            s.flush = Flush::Data(s.position.unwrap_or(0));
                            self.source_wake(name);
                        }
                        _ => self.finish_stop(name),
                    }
                }
            }
            _ => {}
        }
    }

    /// `snapshot.mode=initial`: every current row as a read event, then stream from the LSN
    /// the snapshot saw.
    fn source_snapshot(&mut self, name: &str) {
        let Some(s) = self.source_task(name) else {
            return;
        };
        let table = s.table.clone();
        let lsn = self.apps.database.last_lsn();
        let ts = self.timestamp();
        let Ok(t) = self.apps.database.table(&table) else {
            return;
        };
        let changes: Vec<Change> = t
            .rows
            .iter()
            .map(|(k, r)| Change {
                lsn,
                table: table.clone(),
                op: super::database::Op::Read,
                key: k.clone(),
                before: None,
                after: Some(r.clone()),
                ts_ms: ts,
            })
            .collect();
        for c in &changes {
            self.source_emit(name, c);
        }
        if let Some(s) = self.source_task(name) {
            s.position = Some(lsn);
        }
    }

    fn source_poll(&mut self, name: &str) {
        let Some(s) = self.source_task(name) else {
            return;
        };
        let (table, from) = (s.table.clone(), s.position.unwrap_or(0));
        let changes = self.apps.database.changes_after(&table, from, MAX_BATCH);
        let more = changes.len() == MAX_BATCH;
        for c in &changes {
            self.source_emit(name, c);
            if let Some(s) = self.source_task(name) {
                s.position = Some(c.lsn);
            }
        }
        if more {
            let now = self.now;
            if let Some(s) = self.source_task(name) {
                s.next_poll = Some(now + POLL_INTERVAL_MS);
            }
        }
    }

    fn source_emit(&mut self, name: &str, change: &Change) {
        let Some(s) = self.source_task(name) else {
            return;
        };
        let (Some(p), topic) = (s.producer, s.topic.clone()) else {
            return;
        };
        s.emitted += 1;
        let key_column = self
            .apps
            .database
            .tables
            .get(&change.table)
            .map_or("id".to_string(), |t| t.key.clone());
        for (k, v) in records_for(name, &key_column, change) {
            let _ = self.embedded_send(p, &topic, None, Some(k), v, Some(change.ts_ms));
        }
        self.flow(FlowEvent::SourceRecord {
            connector: name.to_string(),
            table: change.table.clone(),
            lsn: change.lsn,
            op: change.op.code().into(),
            topic,
        });
    }

    fn sink_task(&mut self, name: &str) -> Option<&mut SinkTask> {
        match self.apps.connectors.get_mut(name).map(|c| &mut c.task) {
            Some(Task::Sink(s)) => Some(s),
            _ => None,
        }
    }

    fn sink_wake(&mut self, name: &str) {
        let now = self.now;
        let Some(s) = self.sink_task(name) else {
            return;
        };
        let Some(c) = s.consumer else { return };
        let (table, key_col, value_col) = (
            s.table.clone(),
            s.key_column.clone(),
            s.value_column.clone(),
        );
        let ts = self.timestamp();
        for rec in self.take_consumed_of(c) {
            let key = rec.record.key_text().map(|k| k.into_owned());
            let value = rec.record.value_text().map(|v| v.into_owned());
            let write = write_for(key.as_deref(), value.as_deref(), &key_col, &value_col);
            let db = &mut self.apps.database;
            let (change, op) = match write {
                Write::Upsert(row) => (db.upsert(&table, row, ts), "upsert"),
                Write::Delete(k) => match db.delete(&table, &k, ts) {
                    // Deleting a row that is gone already is fine (a duplicate, a tombstone).
                    Ok(c) => (Ok(Some(c)), "delete"),
                    Err(_) => (Ok(None), "delete"),
                },
                Write::Skip => (Err(String::new()), "skip"),
            };
            let offset = rec.record.offset();
            if let Some(s) = self.sink_task(name) {
                s.processed.insert(rec.tp.clone(), offset + 1);
                match &change {
                    Ok(_) => s.written += 1,
                    Err(_) => s.skipped += 1,
                }
            }
            self.flow(FlowEvent::SinkWrote {
                connector: name.to_string(),
                tp: rec.tp.clone(),
                offset,
                table: table.clone(),
                op: op.into(),
            });
            if let Ok(Some(ch)) = change {
                self.row_changed(&ch);
            }
        }
        let Some(s) = self.sink_task(name) else {
            return;
        };
        if s.next_commit.is_some_and(|t| t <= now) {
            s.next_commit = Some(now + s.flush_interval_ms);
            self.sink_commit(name);
        }
    }

    fn sink_commit(&mut self, name: &str) {
        let Some(s) = self.sink_task(name) else {
            return;
        };
        let Some(c) = s.consumer else { return };
        let offsets: Vec<(TopicPartition, i64)> = s
            .processed
            .iter()
            .filter(|(tp, o)| s.committed.get(*tp) != Some(*o))
            .map(|(tp, o)| (tp.clone(), *o))
            .collect();
        if offsets.is_empty() {
            return;
        }
        if self.commit_offsets(c, offsets.clone()) {
            if let Some(s) = self.sink_task(name) {
                s.committed.extend(offsets.iter().cloned());
            }
            self.flow(FlowEvent::Committed {
                app: name.to_string(),
                group: format!("connect-{name}"),
                offsets,
            });
        }
    }
}

fn check_flush(ms: Option<Millis>) -> Result<Millis, KafkaError> {
    let ms = ms.unwrap_or(OFFSET_FLUSH_INTERVAL_MS);
    if !(1..=86_400_000).contains(&ms) {
        return Err(err(format!(
            "offset.flush.interval.ms must be 1 ms to 1 day; got {ms} ms."
        )));
    }
    Ok(ms)
}

/// Parses `col=value` words (for the console and scenarios).
pub fn row_from_words(words: &[String]) -> Result<Row, String> {
    parse_row(words)
}
