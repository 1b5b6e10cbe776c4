//! A running Kafka Streams application: `instances` members of the consumer group named by its
//! `application.id`, each with a producer (`<app>-<n>-StreamThread-1-consumer` / `-producer`),
//! tasks per input partition, state stores restored from their changelogs by a restore
//! consumer before the task processes anything, and a commit every `commit.interval.ms`
//! (flush the producer, then commit the offsets of what was processed). A crash loses what
//! was processed since the last commit: it is processed again (at-least-once).

use super::state_store::{aggregate, changelog_topic, repartition_topic, StateStore};
use super::topology::{run_ops, Rec, Topology};
use crate::consumer::Consumed;
use crate::embedded::{AppRef, FlowEvent};
use crate::error::{ErrorCode, KafkaError};
use crate::ids::TopicPartition;
use crate::network::ClientId;
use crate::ordered::CollectOrdered;
use crate::sim::Sim;
use crate::time::Millis;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Kafka Streams' `commit.interval.ms` default under at-least-once.
pub const COMMIT_INTERVAL_MS: Millis = 30_000;
/// The most instances one app runs.
pub const MAX_INSTANCES: u32 = 8;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StreamsCommand {
    Create {
        app: String,
        from: String,
        to: String,
        ops: Vec<String>,
        /// The aggregation store's name (default `counts`, `sums` or `windowed-counts`).
        store: Option<String>,
        instances: u32,
        commit_interval_ms: Option<Millis>,
    },
    /// `KafkaStreams.close()` on every instance: commit, leave the group.
    Stop { app: String },
    /// Starts the instances that are not running.
    Start { app: String },
    /// An instance's process dies (`None`: every instance).
    Kill { app: String, instance: Option<u32> },
}

/// A record to produce: topic, explicit partition, key, value.
type Send = (String, Option<i32>, Option<String>, Option<String>);

/// One store partition: (store name, partition).
type StorePart = (String, i32);

#[derive(Clone, Debug)]
pub struct Instance {
    pub id: u32,
    pub consumer: ClientId,
    pub producer: ClientId,
    pub(crate) restore: Option<ClientId>,
    pub(crate) restore_end: BTreeMap<TopicPartition, i64>,
    pub(crate) restore_batch: BTreeMap<StorePart, u64>,
    pub(crate) restore_queue: BTreeSet<StorePart>,
    /// The partitions this member owns (its tasks' inputs), as last seen.
    pub assigned: BTreeSet<TopicPartition>,
    pub stores: BTreeMap<String, StateStore>,
    /// Store partitions restored and in use.
    pub ready: BTreeSet<StorePart>,
    buffered: VecDeque<Consumed>,
    /// Next offset after the last processed record, per input partition.
    pub processed: BTreeMap<TopicPartition, i64>,
    pub committed: BTreeMap<TopicPartition, i64>,
    flushing: bool,
    pub closing: bool,
    next_commit: Millis,
    pub processed_count: u64,
}

impl Instance {
    /// Restoring, or records wait for a restore.
    pub fn restoring(&self) -> bool {
        self.restore.is_some() || !self.restore_queue.is_empty()
    }
}

#[derive(Clone, Debug)]
pub struct StreamsApp {
    pub id: String,
    pub topology: Topology,
    pub instances_wanted: u32,
    pub commit_interval_ms: Millis,
    pub instances: BTreeMap<u32, Instance>,
    /// Partitions per task-defining topic (the input's).
    pub partitions: i32,
    /// Input records processed over all runs (duplicates after a crash included).
    pub processed_total: u64,
}

impl StreamsApp {
    pub fn client_name(&self, instance: u32, role: &str) -> String {
        format!("{}-{instance}-StreamThread-1-{role}", self.id)
    }

    /// (store, the topic it is restored from), for every store of the topology.
    pub fn store_defs(&self) -> Vec<(String, String)> {
        let mut v = Vec::new();
        if let (Some(t), Some((topic, _))) = (self.topology.table_store(), &self.topology.join) {
            v.push((t, topic.clone()));
        }
        if let Some(s) = &self.topology.store {
            v.push((s.clone(), changelog_topic(&self.id, s)));
        }
        v
    }

    pub fn repartition_topic(&self) -> Option<String> {
        match (&self.topology.store, self.topology.repartition) {
            (Some(s), true) => Some(repartition_topic(&self.id, s)),
            _ => None,
        }
    }

    /// Topics the group subscribes to.
    pub fn subscriptions(&self) -> Vec<String> {
        let mut v = vec![self.topology.source.clone()];
        v.extend(self.topology.join.as_ref().map(|(t, _)| t.clone()));
        v.extend(self.repartition_topic());
        v
    }

    /// The store partitions a task reading `tp` needs.
    fn stores_for(&self, tp: &TopicPartition) -> Vec<StorePart> {
        let p = tp.partition;
        let mut v = Vec::new();
        let topic = &*tp.topic;
        if topic == self.topology.source {
            v.extend(self.topology.table_store().map(|s| (s, p)));
            if !self.topology.repartition {
                v.extend(self.topology.store.clone().map(|s| (s, p)));
            }
        } else if self.topology.join.as_ref().is_some_and(|(t, _)| t == topic) {
            v.extend(self.topology.table_store().map(|s| (s, p)));
        } else if self.repartition_topic().as_deref() == Some(topic) {
            v.extend(self.topology.store.clone().map(|s| (s, p)));
        }
        v
    }

    /// The state a learner sees: `RUNNING`, `REBALANCING` (joining or restoring),
    /// `PENDING_SHUTDOWN` or `NOT_RUNNING`.
    pub fn state_name(&self, sim: &Sim) -> &'static str {
        if self.instances.is_empty() {
            return "NOT_RUNNING";
        }
        if self.instances.values().any(|i| i.closing) {
            return "PENDING_SHUTDOWN";
        }
        let settled = self.instances.values().all(|i| {
            !i.restoring()
                && sim
                    .consumer_assignment(i.consumer)
                    .is_some_and(|(_, stable)| stable)
        });
        if settled {
            "RUNNING"
        } else {
            "REBALANCING"
        }
    }

    /// Every store's contents over all running instances.
    pub fn store_contents(&self) -> BTreeMap<String, BTreeMap<String, String>> {
        let mut out: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        for (name, _) in self.store_defs() {
            out.entry(name).or_default();
        }
        for i in self.instances.values() {
            for (name, s) in &i.stores {
                out.entry(name.clone()).or_default().extend(s.contents());
            }
        }
        out
    }
}

fn err(message: impl Into<String>) -> KafkaError {
    KafkaError::new(ErrorCode::InvalidRequest, message)
}

impl Sim {
    pub(crate) fn apply_streams(&mut self, cmd: StreamsCommand) -> Result<(), KafkaError> {
        match cmd {
            StreamsCommand::Create {
                app,
                from,
                to,
                ops,
                store,
                instances,
                commit_interval_ms,
            } => self.create_streams(app, from, to, ops, store, instances, commit_interval_ms),
            StreamsCommand::Stop { app } => {
                let a = self.streams_ref(&app)?;
                if a.instances.is_empty() {
                    return Err(err(format!("Streams app {app} is not running.")));
                }
                let ids: Vec<u32> = a.instances.keys().copied().collect();
                for id in ids {
                    if let Some(i) = self.instance_mut(&app, id) {
                        i.closing = true;
                        i.flushing = true;
                    }
                }
                self.flow(FlowEvent::StreamsState {
                    app: app.clone(),
                    state: "PENDING_SHUTDOWN".into(),
                });
                self.streams_wake(&app);
                Ok(())
            }
            StreamsCommand::Start { app } => {
                let a = self.streams_ref(&app)?;
                if a.instances.len() as u32 >= a.instances_wanted {
                    return Err(err(format!("Streams app {app} is running already.")));
                }
                if a.instances.values().any(|i| i.closing) {
                    return Err(err(format!(
                        "Streams app {app} is still shutting down; start it once it stopped."
                    )));
                }
                self.start_instances(&app)
            }
            StreamsCommand::Kill { app, instance } => {
                let a = self.streams_ref(&app)?;
                let ids: Vec<u32> = match instance {
                    Some(n) if a.instances.contains_key(&n) => vec![n],
                    Some(n) => {
                        let running: Vec<String> =
                            a.instances.keys().map(|i| i.to_string()).collect();
                        return Err(err(format!(
                            "Instance {n} of {app} is not running; running instances: {}.",
                            if running.is_empty() {
                                "none".to_string()
                            } else {
                                running.join(", ")
                            }
                        )));
                    }
                    None if a.instances.is_empty() => {
                        return Err(err(format!("Streams app {app} is not running.")))
                    }
                    None => a.instances.keys().copied().collect(),
                };
                for id in ids {
                    self.kill_instance(&app, id);
                }
                self.streams_wake(&app);
                Ok(())
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn create_streams(
        &mut self,
        app: String,
        from: String,
        to: String,
        ops: Vec<String>,
        store: Option<String>,
        instances: u32,
        commit_interval_ms: Option<Millis>,
    ) -> Result<(), KafkaError> {
        crate::connect::database::validate_name("application.id", &app).map_err(err)?;
        if self.apps.streams.contains_key(&app) {
            return Err(err(format!("Streams app {app} already exists.")));
        }
        if self.apps.streams.len() >= 16 {
            return Err(err("The playground runs at most 16 streams apps."));
        }
        if !(1..=MAX_INSTANCES).contains(&instances) {
            return Err(err(format!(
                "--instances must be 1 to {MAX_INSTANCES}; got {instances}."
            )));
        }
        let interval = commit_interval_ms.unwrap_or(COMMIT_INTERVAL_MS);
        if !(1..=86_400_000).contains(&interval) {
            return Err(err(format!(
                "commit.interval.ms must be 1 ms to 1 day; got {interval} ms."
            )));
        }
        crate::cluster::validate_topic_name(&to)?;
        let topology = Topology::build(&from, &to, &ops, store.as_deref()).map_err(err)?;
        let Some(partitions) = self.cluster.partition_count(&from) else {
            return Err(err(format!(
                "Source topic {from} does not exist (MissingSourceTopicException): create it first."
            )));
        };
        if let Some((t, _)) = &topology.join {
            match self.cluster.partition_count(t) {
                None => {
                    return Err(err(format!(
                        "Table topic {t} does not exist (MissingSourceTopicException): create it first."
                    )))
                }
                Some(n) if n != partitions => {
                    return Err(err(format!(
                        "A join needs co-partitioned topics: {from} has {partitions} partitions, {t} has {n}."
                    )))
                }
                Some(_) => {}
            }
        }
        let a = StreamsApp {
            id: app.clone(),
            topology,
            instances_wanted: instances,
            commit_interval_ms: interval,
            instances: BTreeMap::new(),
            partitions,
            processed_total: 0,
        };
        for i in 1..=instances {
            for role in ["consumer", "producer", "restore-consumer"] {
                self.require_free_client_name(&a.client_name(i, role))?;
            }
        }
        // Internal topics first, as Kafka Streams' InternalTopicManager makes them.
        if !self.cluster.topics.contains_key(&to) {
            self.require_controller()?;
            self.create_topic(&to, None, None, BTreeMap::new(), None)?;
        }
        if let Some(r) = a.repartition_topic() {
            self.ensure_internal_topic(&r, partitions, false)?;
        }
        if let Some(s) = &a.topology.store {
            self.ensure_internal_topic(&changelog_topic(&app, s), partitions, true)?;
        }
        self.apps.streams.insert(app.clone(), a);
        self.start_instances(&app)
    }

    fn streams_ref(&self, app: &str) -> Result<&StreamsApp, KafkaError> {
        self.apps.streams.get(app).ok_or_else(|| {
            let names: Vec<&str> = self.apps.streams.keys().map(String::as_str).collect();
            if names.is_empty() {
                err(format!("No streams app {app}: none was created."))
            } else {
                err(format!(
                    "No streams app {app}: the apps are {}.",
                    names.join(", ")
                ))
            }
        })
    }

    fn instance_mut(&mut self, app: &str, id: u32) -> Option<&mut Instance> {
        self.apps.streams.get_mut(app)?.instances.get_mut(&id)
    }

    fn start_instances(&mut self, app: &str) -> Result<(), KafkaError> {
        let Some(a) = self.apps.streams.get(app).cloned() else {
            return Ok(());
        };
        let r = AppRef::Streams(app.to_string());
        let now = self.now;
        for id in 1..=a.instances_wanted {
            if a.instances.contains_key(&id) {
                continue;
            }
            let consumer = self.embedded_consumer(
                &r,
                &a.client_name(id, "consumer"),
                Some(app.to_string()),
                a.subscriptions(),
                Vec::new(),
            )?;
            let producer =
                self.embedded_producer(&r, &a.client_name(id, "producer"), BTreeMap::new())?;
            let stores = a
                .store_defs()
                .into_iter()
                .map(|(n, t)| (n.clone(), StateStore::new(n, t)))
                .collect_map();
            let inst = Instance {
                id,
                consumer,
                producer,
                restore: None,
                restore_end: BTreeMap::new(),
                restore_batch: BTreeMap::new(),
                restore_queue: BTreeSet::new(),
                assigned: BTreeSet::new(),
                stores,
                ready: BTreeSet::new(),
                buffered: VecDeque::new(),
                processed: BTreeMap::new(),
                committed: BTreeMap::new(),
                flushing: false,
                closing: false,
                next_commit: now + a.commit_interval_ms,
                processed_count: 0,
            };
            if let Some(x) = self.apps.streams.get_mut(app) {
                x.instances.insert(id, inst);
            }
        }
        self.flow(FlowEvent::StreamsState {
            app: app.to_string(),
            state: "REBALANCING".into(),
        });
        self.streams_wake(app);
        Ok(())
    }

    fn kill_instance(&mut self, app: &str, id: u32) {
        let Some(i) = self
            .apps
            .streams
            .get_mut(app)
            .and_then(|a| a.instances.remove(&id))
        else {
            return;
        };
        for c in [Some(i.consumer), Some(i.producer), i.restore]
            .into_iter()
            .flatten()
        {
            self.embedded_kill(c);
        }
        self.flow(FlowEvent::StreamsState {
            app: app.to_string(),
            state: format!("instance {id} crashed"),
        });
    }

    /// The app's loop, per instance: follow the assignment, restore, process, commit.
    pub(crate) fn streams_wake(&mut self, app: &str) {
        let Some(a) = self.apps.streams.get(app) else {
            return;
        };
        let ids: Vec<u32> = a.instances.keys().copied().collect();
        for id in ids {
            self.instance_wake(app, id);
        }
        // An instance flushing for a commit waits for its producer's acks (they wake the app),
        // not for a timer: its commit time has passed, and waking at it again would fire at
        // the same millisecond forever.
        let next = self.apps.streams.get(app).and_then(|a| {
            a.instances
                .values()
                .filter(|i| !i.flushing)
                .map(|i| i.next_commit)
                .min()
        });
        self.wake_app_at(&AppRef::Streams(app.to_string()), next);
    }

    fn instance_wake(&mut self, app: &str, id: u32) {
        let now = self.now;
        let Some(a) = self.apps.streams.get(app) else {
            return;
        };
        let Some(i) = a.instances.get(&id) else {
            return;
        };
        let (consumer, producer) = (i.consumer, i.producer);
        if self.consumer_assignment(consumer).is_none() {
            // The consumer is gone (it was closed): the instance has stopped.
            if let Some(a) = self.apps.streams.get_mut(app) {
                a.instances.remove(&id);
            }
            return;
        }
        self.follow_assignment(app, id);
        self.restore_step(app, id);
        // Send errors are not retried by Streams either; they are dropped here (counted by
        // the producer's stats).
        self.take_deliveries_of(producer);
        let Some(i) = self.instance_mut(app, id) else {
            return;
        };
        if !i.flushing && now >= i.next_commit {
            i.flushing = true;
        }
        if i.flushing {
            if !self.producer_idle(producer) {
                return;
            }
            self.commit_instance(app, id);
            let interval = self
                .apps
                .streams
                .get(app)
                .map_or(COMMIT_INTERVAL_MS, |a| a.commit_interval_ms);
            let Some(i) = self.instance_mut(app, id) else {
                return;
            };
            i.flushing = false;
            i.next_commit = now + interval;
            if self.instance_mut(app, id).is_some_and(|i| i.closing) {
                self.close_instance(app, id);
                return;
            }
        }
        self.process_step(app, id);
    }

    fn commit_instance(&mut self, app: &str, id: u32) {
        let Some(i) = self.instance_mut(app, id) else {
            return;
        };
        let offsets: Vec<(TopicPartition, i64)> = i
            .processed
            .iter()
            .filter(|(tp, o)| i.committed.get(*tp) != Some(*o))
            .map(|(tp, o)| (tp.clone(), *o))
            .collect();
        let c = i.consumer;
        if offsets.is_empty() {
            return;
        }
        if self.commit_offsets(c, offsets.clone()) {
            if let Some(i) = self.instance_mut(app, id) {
                i.committed.extend(offsets.iter().cloned());
            }
            self.flow(FlowEvent::Committed {
                app: app.to_string(),
                group: app.to_string(),
                offsets,
            });
        }
    }

    fn close_instance(&mut self, app: &str, id: u32) {
        let Some(i) = self
            .apps
            .streams
            .get_mut(app)
            .and_then(|a| a.instances.remove(&id))
        else {
            return;
        };
        for c in [Some(i.consumer), Some(i.producer), i.restore]
            .into_iter()
            .flatten()
        {
            self.embedded_close(c);
        }
        if self
            .apps
            .streams
            .get(app)
            .is_some_and(|a| a.instances.is_empty())
        {
            self.flow(FlowEvent::StreamsState {
                app: app.to_string(),
                state: "NOT_RUNNING".into(),
            });
        }
    }

    /// Compares the member's assignment with the tasks it runs: revoked tasks commit (when
    /// nothing is unacknowledged) and close; new tasks queue their stores for restoration.
    fn follow_assignment(&mut self, app: &str, id: u32) {
        let Some(a) = self.apps.streams.get(app) else {
            return;
        };
        let Some(i) = a.instances.get(&id) else {
            return;
        };
        let Some((now_assigned, _)) = self.consumer_assignment(i.consumer) else {
            return;
        };
        let new: BTreeSet<TopicPartition> = now_assigned.into_iter().collect_set();
        if new == i.assigned {
            return;
        }
        let revoked: Vec<TopicPartition> = i.assigned.difference(&new).cloned().collect();
        let needed: BTreeSet<StorePart> = new.iter().flat_map(|tp| a.stores_for(tp)).collect_set();
        if !revoked.is_empty() && self.producer_idle(i.producer) {
            // `onPartitionsRevoked`: commit what the closing tasks processed.
            let offsets: Vec<(TopicPartition, i64)> = revoked
                .iter()
                .filter_map(|tp| {
                    let o = *i.processed.get(tp)?;
                    (i.committed.get(tp) != Some(&o)).then(|| (tp.clone(), o))
                })
                .collect();
            let c = i.consumer;
            if !offsets.is_empty() && self.commit_offsets(c, offsets.clone()) {
                self.flow(FlowEvent::Committed {
                    app: app.to_string(),
                    group: app.to_string(),
                    offsets,
                });
            }
        }
        let Some(i) = self.instance_mut(app, id) else {
            return;
        };
        for tp in &revoked {
            i.processed.remove(tp);
            i.committed.remove(tp);
        }
        i.buffered.retain(|r| new.contains(&r.tp));
        i.ready.retain(|sp| needed.contains(sp));
        i.restore_queue.retain(|sp| needed.contains(sp));
        for (name, s) in i.stores.iter_mut() {
            s.partitions
                .retain(|p, _| needed.contains(&(name.clone(), *p)));
        }
        for sp in needed {
            if !i.ready.contains(&sp) && !i.restore_batch.contains_key(&sp) {
                i.restore_queue.insert(sp);
            }
        }
        i.assigned = new;
    }

    /// Restoration: start a restore consumer for queued store partitions, replay records,
    /// finish when every partition reached the end offset it had when the restore began.
    fn restore_step(&mut self, app: &str, id: u32) {
        let Some(a) = self.apps.streams.get(app) else {
            return;
        };
        let restore_name = a.client_name(id, "restore-consumer");
        let Some(i) = a.instances.get(&id) else {
            return;
        };
        if let Some(r) = i.restore {
            let records = self.take_consumed_of(r);
            let positions = self.consumer_positions(r);
            let Some(i) = self.instance_mut(app, id) else {
                return;
            };
            for rec in records {
                let Some(store) = i
                    .stores
                    .values_mut()
                    .find(|s| *s.changelog == *rec.tp.topic)
                else {
                    continue;
                };
                let end = i.restore_end.get(&rec.tp).copied().unwrap_or(0);
                if rec.record.offset() >= end {
                    continue;
                }
                let Some(key) = rec.record.key_text().map(|k| k.into_owned()) else {
                    continue;
                };
                store.apply(
                    rec.tp.partition,
                    key,
                    rec.record.value_text().map(|v| v.into_owned()),
                );
                let sp = (store.name.clone(), rec.tp.partition);
                *i.restore_batch.entry(sp).or_default() += 1;
            }
            let done = i
                .restore_end
                .iter()
                .all(|(tp, end)| positions.get(tp).is_some_and(|p| p >= end));
            if !done {
                return;
            }
            i.restore = None;
            i.restore_end.clear();
            let batch = std::mem::take(&mut i.restore_batch);
            self.embedded_close(r);
            self.finish_restore(app, id, batch);
            return;
        }
        if i.restore_queue.is_empty() {
            return;
        }
        let queue: Vec<StorePart> = i.restore_queue.iter().cloned().collect();
        let changelog_of: BTreeMap<String, String> = i
            .stores
            .iter()
            .map(|(n, s)| (n.clone(), s.changelog.clone()))
            .collect_map();
        let mut empty = BTreeMap::new();
        let mut to_read = BTreeMap::new();
        let mut batch = BTreeMap::new();
        for (store, p) in queue {
            let Some(topic) = changelog_of.get(&store) else {
                continue;
            };
            let tp = self.cluster.tp(topic, p);
            let end = self.high_watermark(&tp).unwrap_or(0);
            let start = self.log_start_offset(&tp).unwrap_or(0);
            if end <= start {
                empty.insert((store, p), 0);
            } else {
                to_read.insert(tp, end);
                batch.insert((store, p), 0);
            }
        }
        if let Some(i) = self.instance_mut(app, id) {
            i.restore_queue.clear();
        }
        if !empty.is_empty() {
            self.finish_restore(app, id, empty);
        }
        if to_read.is_empty() {
            return;
        }
        let r = AppRef::Streams(app.to_string());
        match self.embedded_consumer(
            &r,
            &restore_name,
            None,
            Vec::new(),
            to_read.keys().cloned().collect(),
        ) {
            Ok(c) => {
                if let Some(i) = self.instance_mut(app, id) {
                    i.restore = Some(c);
                    i.restore_end = to_read;
                    i.restore_batch = batch;
                }
            }
            Err(_) => {
                // The name is taken for a moment: try again on the next wake.
                if let Some(i) = self.instance_mut(app, id) {
                    i.restore_queue.extend(batch.into_keys());
                }
            }
        }
    }

    fn finish_restore(&mut self, app: &str, id: u32, batch: BTreeMap<StorePart, u64>) {
        let needed: BTreeSet<StorePart> = match self.apps.streams.get(app) {
            Some(a) => match a.instances.get(&id) {
                Some(i) => i
                    .assigned
                    .iter()
                    .flat_map(|tp| a.stores_for(tp))
                    .collect_set(),
                None => return,
            },
            None => return,
        };
        for ((store, p), records) in batch {
            let Some(i) = self.instance_mut(app, id) else {
                return;
            };
            if needed.contains(&(store.clone(), p)) {
                i.ready.insert((store.clone(), p));
            } else if let Some(s) = i.stores.get_mut(&store) {
                s.partitions.remove(&p);
                continue;
            }
            self.flow(FlowEvent::Restored {
                app: app.to_string(),
                store,
                partition: p,
                records,
            });
        }
    }

    /// Polls the member's records and processes those whose task is ready, in order per
    /// partition (records of a task still restoring wait).
    fn process_step(&mut self, app: &str, id: u32) {
        let Some(a) = self.apps.streams.get(app) else {
            return;
        };
        let Some(i) = a.instances.get(&id) else {
            return;
        };
        let consumer = i.consumer;
        let polled = self.take_consumed_of(consumer);
        let Some(a) = self.apps.streams.get_mut(app) else {
            return;
        };
        let app_copy = a.clone_without_instances();
        let Some(i) = a.instances.get_mut(&id) else {
            return;
        };
        i.buffered
            .extend(polled.into_iter().filter(|r| i.assigned.contains(&r.tp)));
        let mut blocked: BTreeSet<TopicPartition> = BTreeSet::new();
        let mut waiting = VecDeque::new();
        let mut runnable = Vec::new();
        while let Some(r) = i.buffered.pop_front() {
            let ready = app_copy
                .stores_for(&r.tp)
                .iter()
                .all(|sp| i.ready.contains(sp));
            if blocked.contains(&r.tp) || !ready {
                blocked.insert(r.tp.clone());
                waiting.push_back(r);
            } else {
                runnable.push(r);
            }
        }
        i.buffered = waiting;
        for r in runnable {
            self.process_record(&app_copy, id, r);
        }
    }

    fn process_record(&mut self, a: &StreamsApp, id: u32, r: Consumed) {
        let app = a.id.as_str();
        let t = &a.topology;
        let p = r.tp.partition;
        let offset = r.record.offset();
        let rec = Rec {
            key: r.record.key_text().map(|k| k.into_owned()),
            value: r.record.value_text().map(|v| v.into_owned()),
            timestamp: r.record.timestamp(),
        };
        let topic = &*r.tp.topic;
        let table_store = t.table_store();
        let mut sends: Vec<Send> = Vec::new();
        let Some(i) = self.instance_mut(app, id) else {
            return;
        };
        if t.join.as_ref().is_some_and(|(tt, _)| tt == topic) {
            // A table update: the source topic is the table store's changelog.
            if let (Some(s), Some(k)) = (
                table_store.as_ref().and_then(|n| i.stores.get_mut(n)),
                rec.key.clone(),
            ) {
                s.apply(p, k, rec.value.clone());
            }
        } else {
            let from_repartition = a.repartition_topic().as_deref() == Some(topic);
            let staged = if from_repartition {
                vec![rec.clone()]
            } else {
                let lookup_store = table_store.as_ref().and_then(|n| i.stores.get(n));
                let lookup = |k: &str| lookup_store.and_then(|s| s.get(p, k).cloned());
                run_ops(&t.before, vec![rec.clone()], &lookup)
            };
            match (t.aggregation, &t.store) {
                (Some(agg), Some(store)) => {
                    if t.repartition && !from_repartition {
                        if let Some(rt) = a.repartition_topic() {
                            for s in staged {
                                if s.key.is_some() {
                                    sends.push((rt.clone(), None, s.key, s.value));
                                }
                            }
                        }
                    } else if let Some(st) = i.stores.get_mut(store) {
                        let changelog = st.changelog.clone();
                        for s in staged {
                            let Some(u) = aggregate(agg, st, p, &s) else {
                                continue;
                            };
                            sends.push((
                                changelog.clone(),
                                Some(p),
                                Some(u.store_key),
                                Some(u.value.clone()),
                            ));
                            let out = Rec {
                                key: Some(u.out_key),
                                value: Some(u.value),
                                timestamp: s.timestamp,
                            };
                            for o in run_ops(&t.after, vec![out], &|_| None) {
                                sends.push((t.sink.clone(), None, o.key, o.value));
                            }
                        }
                    }
                }
                _ => {
                    for s in staged {
                        sends.push((t.sink.clone(), None, s.key, s.value));
                    }
                }
            }
        }
        i.processed.insert(r.tp.clone(), offset + 1);
        i.processed_count += 1;
        let producer = i.producer;
        if let Some(x) = self.apps.streams.get_mut(app) {
            x.processed_total += 1;
        }
        let outputs = sends.len() as u32;
        for (topic, partition, k, v) in sends {
            let _ = self.embedded_send(producer, &topic, partition, k, v, Some(rec.timestamp));
        }
        self.flow(FlowEvent::Processed {
            app: app.to_string(),
            tp: r.tp,
            offset,
            outputs,
        });
    }
}

impl StreamsApp {
    fn clone_without_instances(&self) -> StreamsApp {
        StreamsApp {
            id: self.id.clone(),
            topology: self.topology.clone(),
            instances_wanted: self.instances_wanted,
            commit_interval_ms: self.commit_interval_ms,
            instances: BTreeMap::new(),
            partitions: self.partitions,
            processed_total: self.processed_total,
        }
    }
}
