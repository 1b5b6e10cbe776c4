//! The `until` conditions of lesson steps: a small declarative vocabulary evaluated on the
//! engine's public views (topics, partitions, groups, clients, the controller, the guarantee
//! checker) and on the console lines the learner ran. docs/lessons.md lists every field.
//!
//! A few conditions compare with the moment the step started (a [`Baseline`]): "the leader
//! changed", "the group rebalanced", "a record was lost", "`export python` ran". That is what
//! makes a step advance when something *happens*, not when a state that was already true holds.

use super::super::format::{field_path, int_in, object, required, shown, string, Problems};
use crate::engine::invariants::Guarantee;
use crate::engine::network::NodeId;
use crate::engine::time::Millis;
use crate::engine::view::{ClientKind, PartitionView};
use crate::engine::{Sim, TopicPartition};
use crate::ordered::CollectOrdered;
use serde_json::Value;
use std::collections::BTreeMap;

/// A whole-number range: `{"at_least": 3}`, `{"at_most": 0}`, `{"equals": 2}` or a bare `2`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Bound {
    pub at_least: Option<i64>,
    pub at_most: Option<i64>,
}

impl Bound {
    pub fn holds(self, n: i64) -> bool {
        self.at_least.is_none_or(|m| n >= m) && self.at_most.is_none_or(|m| n <= m)
    }
}

/// One condition of the vocabulary (docs/lessons.md, "Conditions").
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Condition {
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
    /// A topic (not) existing, its shape, its records (summed over partitions) and configs.
    Topic {
        topic: String,
        exists: bool,
        partitions: Option<i64>,
        replication_factor: Option<i64>,
        high_watermark: Option<Bound>,
        stored_records: Option<Bound>,
        configs: BTreeMap<String, String>,
    },
    /// One partition: leadership, ISR, watermarks, the leader replica's log.
    Partition {
        topic: String,
        partition: i32,
        online: Option<bool>,
        leader_changed: Option<bool>,
        isr_size: Option<Bound>,
        high_watermark: Option<Bound>,
        log_start_offset: Option<Bound>,
        segments: Option<Bound>,
        size_bytes: Option<Bound>,
    },
    /// Records with one key in a topic, and across how many partitions they are.
    Key {
        topic: String,
        key: String,
        records: Bound,
        partitions: Option<Bound>,
    },
    /// A consumer group: membership, assignments, rebalances since the step began, offsets.
    Group {
        group: String,
        exists: Option<bool>,
        state: Option<String>,
        protocol: Option<String>,
        members: Option<Bound>,
        idle_members: Option<Bound>,
        rebalances: Option<Bound>,
        committed: Option<Bound>,
        has_committed_offsets: Option<bool>,
    },
    /// Brokers alive or down (all of them, or one).
    Brokers {
        id: Option<i32>,
        alive: Option<Bound>,
        down: Option<Bound>,
    },
    /// The controller: an active one exists, it changed since the step began, voters alive.
    Controller {
        active: Option<bool>,
        changed: Option<bool>,
        alive: Option<Bound>,
    },
    /// Producers' acknowledged and failed records (one producer, or all summed).
    Producers {
        name: Option<String>,
        acked: Option<Bound>,
        failed: Option<Bound>,
    },
    /// Records consumed by playground consumers (one, or all summed).
    Consumers {
        name: Option<String>,
        consumed: Option<Bound>,
    },
    /// The guarantee checker: violations and acknowledged-record losses since the step began.
    Checker {
        guarantee: Option<Guarantee>,
        violations: Option<Bound>,
        acked_records_lost: Option<Bound>,
    },
    /// A console line run since the step began: its first words, words it contains, success.
    Ran {
        command: Vec<String>,
        with: Vec<String>,
        succeeded: Option<bool>,
    },
    /// Simulated time since the step began.
    Elapsed {
        ms: Bound,
    },
    /// A table of the simulated database: its row count, one row (by primary key) and its values.
    Table {
        table: String,
        exists: Option<bool>,
        rows: Option<Bound>,
        row: Option<String>,
        values: BTreeMap<String, String>,
    },
    /// A connector of the Connect worker: its state, a source's position and stored position,
    /// the records this run of its task produced or wrote.
    Connector {
        connector: String,
        exists: Option<bool>,
        state: Option<String>,
        position: Option<Bound>,
        stored: Option<Bound>,
        records: Option<Bound>,
    },
    /// A Kafka Streams app: its state, running instances, records processed over all runs, and
    /// entries of one of its stores.
    Streams {
        app: String,
        exists: Option<bool>,
        state: Option<String>,
        instances: Option<Bound>,
        processed: Option<Bound>,
        store: Option<String>,
        entries: BTreeMap<String, String>,
    },
}

/// A console line the learner ran, as the condition `ran` sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RanLine {
    pub at_ms: Millis,
    pub line: String,
    pub code: i32,
}

/// What the world looked like when a step began.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Baseline {
    pub at_ms: Millis,
    /// (leader, leader epoch) per partition.
    pub leaders: BTreeMap<(String, i32), (Option<i32>, i32)>,
    pub generations: BTreeMap<String, i32>,
    pub controller: Option<NodeId>,
    pub acked_lost: u64,
    pub violations: BTreeMap<Guarantee, u64>,
}

impl Baseline {
    pub fn capture(sim: &Sim) -> Baseline {
        let mut leaders = BTreeMap::new();
        for name in sim.topic_names(true) {
            if let Some(t) = sim.topic(&name) {
                for p in &t.partitions {
                    leaders.insert((name.clone(), p.partition), (p.leader, p.leader_epoch));
                }
            }
        }
        let generations = sim
            .group_ids()
            .into_iter()
            .filter_map(|g| Some((g.clone(), sim.group_view(&g)?.generation)))
            .collect_map();
        Baseline {
            at_ms: sim.now(),
            leaders,
            generations,
            controller: sim.controller_view().active,
            acked_lost: sim.acked_loss_count() as u64,
            violations: sim.violation_counts().into_iter().collect_map(),
        }
    }
}

/// What a condition is evaluated against.
pub struct Context<'a> {
    pub sim: &'a Sim,
    pub baseline: &'a Baseline,
    /// Lines run since the step began.
    pub lines: &'a [RanLine],
}

/// The program's name as Kafka's docs write it: `bin/kafka-topics.sh` → `kafka-topics`.
pub fn program_name(word: &str) -> &str {
    let base = word.rsplit('/').next().unwrap_or(word);
    base.strip_suffix(".sh").unwrap_or(base)
}

impl Condition {
    /// Whether the condition holds now.
    pub fn holds(&self, cx: &Context) -> bool {
        let sim = cx.sim;
        match self {
            Condition::All(cs) => cs.iter().all(|c| c.holds(cx)),
            Condition::Any(cs) => cs.iter().any(|c| c.holds(cx)),
            Condition::Not(c) => !c.holds(cx),
            Condition::Topic {
                topic,
                exists,
                partitions,
                replication_factor,
                high_watermark,
                stored_records,
                configs,
            } => {
                let Some(t) = sim.topic(topic) else {
                    return !exists;
                };
                if !exists {
                    return false;
                }
                let hw: i64 = t.partitions.iter().map(PartitionView::high_watermark).sum();
                let stored: i64 = t
                    .partitions
                    .iter()
                    .map(|p| p.high_watermark() - p.log_start_offset())
                    .sum();
                let rf = t.partitions.first().map_or(0, |p| p.replicas.len() as i64);
                partitions.is_none_or(|n| t.partitions.len() as i64 == n)
                    && replication_factor.is_none_or(|n| rf == n)
                    && high_watermark.is_none_or(|b| b.holds(hw))
                    && stored_records.is_none_or(|b| b.holds(stored))
                    && configs
                        .iter()
                        .all(|(k, v)| t.overrides.iter().any(|(ok, ov)| ok == k && ov == v))
            }
            Condition::Partition {
                topic,
                partition,
                online,
                leader_changed,
                isr_size,
                high_watermark,
                log_start_offset,
                segments,
                size_bytes,
            } => {
                let Some(t) = sim.topic(topic) else {
                    return false;
                };
                let Some(p) = t.partitions.iter().find(|p| p.partition == *partition) else {
                    return false;
                };
                let changed = match cx.baseline.leaders.get(&(topic.clone(), *partition)) {
                    Some((leader, epoch)) => {
                        p.leader.is_some() && p.leader != *leader && p.leader_epoch > *epoch
                    }
                    // Created during the step: it changed if it has a leader at all.
                    None => p.leader.is_some(),
                };
                let leader = p.leader_state();
                online.is_none_or(|o| o == p.leader.is_some())
                    && leader_changed.is_none_or(|c| c == changed)
                    && isr_size.is_none_or(|b| b.holds(p.isr.len() as i64))
                    && high_watermark.is_none_or(|b| b.holds(p.high_watermark()))
                    && log_start_offset.is_none_or(|b| b.holds(p.log_start_offset()))
                    && segments
                        .is_none_or(|b| leader.is_some_and(|r| b.holds(r.segments.len() as i64)))
                    && size_bytes.is_none_or(|b| leader.is_some_and(|r| b.holds(r.size_bytes)))
            }
            Condition::Key {
                topic,
                key,
                records,
                partitions,
            } => {
                let Some(t) = sim.topic(topic) else {
                    return false;
                };
                let mut count = 0i64;
                let mut holding = 0i64;
                for p in &t.partitions {
                    let tp = TopicPartition::new(topic.as_str(), p.partition);
                    let n = sim
                        .records(&tp, 0, usize::MAX)
                        .iter()
                        .filter(|r| r.offset() < p.high_watermark())
                        .filter(|r| r.key_text().as_deref() == Some(key.as_str()))
                        .count() as i64;
                    count += n;
                    holding += i64::from(n > 0);
                }
                records.holds(count) && partitions.is_none_or(|b| b.holds(holding))
            }
            Condition::Group {
                group,
                exists,
                state,
                protocol,
                members,
                idle_members,
                rebalances,
                committed,
                has_committed_offsets,
            } => {
                let Some(g) = sim.group_view(group) else {
                    return exists == &Some(false)
                        || (has_committed_offsets == &Some(false)
                            && exists.is_none()
                            && state.is_none()
                            && members.is_none_or(|b| b.holds(0))
                            && committed.is_none_or(|b| b.holds(0)));
                };
                let idle = g.members.iter().filter(|m| m.assignment.is_empty()).count() as i64;
                let base_gen = cx.baseline.generations.get(group).copied().unwrap_or(0);
                let sum: i64 = g.offsets.iter().filter_map(|o| o.committed).sum();
                let any_committed = g.offsets.iter().any(|o| o.committed.is_some());
                exists.is_none_or(|e| e)
                    && state
                        .as_ref()
                        .is_none_or(|s| s.eq_ignore_ascii_case(&g.state))
                    && protocol
                        .as_ref()
                        .is_none_or(|p| g.protocol.as_deref() == Some(p.as_str()))
                    && members.is_none_or(|b| b.holds(g.members.len() as i64))
                    && idle_members.is_none_or(|b| b.holds(idle))
                    && rebalances.is_none_or(|b| b.holds(i64::from(g.generation - base_gen)))
                    && committed.is_none_or(|b| b.holds(sum))
                    && has_committed_offsets.is_none_or(|h| h == any_committed)
            }
            Condition::Brokers { id, alive, down } => {
                let brokers: Vec<_> = sim
                    .brokers()
                    .into_iter()
                    .filter(|b| id.is_none_or(|i| b.id == i))
                    .collect();
                if id.is_some() && brokers.is_empty() {
                    return false;
                }
                let up = brokers.iter().filter(|b| b.alive).count() as i64;
                let gone = brokers.len() as i64 - up;
                alive.is_none_or(|b| b.holds(up)) && down.is_none_or(|b| b.holds(gone))
            }
            Condition::Controller {
                active,
                changed,
                alive,
            } => {
                let v = sim.controller_view();
                let up = if v.zookeeper.is_empty() {
                    v.voters.iter().filter(|x| x.alive).count()
                } else {
                    v.zookeeper.iter().filter(|z| z.1).count()
                } as i64;
                let is_active = v.active.is_some();
                let did_change = v.active.is_some() && v.active != cx.baseline.controller;
                active.is_none_or(|a| a == is_active)
                    && changed.is_none_or(|c| c == did_change)
                    && alive.is_none_or(|b| b.holds(up))
            }
            Condition::Producers {
                name,
                acked,
                failed,
            } => {
                let clients: Vec<_> = sim
                    .client_views()
                    .into_iter()
                    .filter(|c| c.kind == ClientKind::Producer)
                    .filter(|c| name.as_ref().is_none_or(|n| &c.name == n))
                    .collect();
                if name.is_some() && clients.is_empty() {
                    return false;
                }
                let a: u64 = clients.iter().map(|c| c.acked).sum();
                let f: u64 = clients.iter().map(|c| c.failed).sum();
                acked.is_none_or(|b| b.holds(a as i64)) && failed.is_none_or(|b| b.holds(f as i64))
            }
            Condition::Consumers { name, consumed } => {
                let clients: Vec<_> = sim
                    .client_views()
                    .into_iter()
                    .filter(|c| c.kind == ClientKind::Consumer)
                    .filter(|c| name.as_ref().is_none_or(|n| &c.name == n))
                    .collect();
                if name.is_some() && clients.is_empty() {
                    return false;
                }
                let n: u64 = clients.iter().map(|c| c.consumed).sum();
                consumed.is_none_or(|b| b.holds(n as i64))
            }
            Condition::Checker {
                guarantee,
                violations,
                acked_records_lost,
            } => {
                let found: u64 = sim
                    .violation_counts()
                    .into_iter()
                    .filter(|(g, _)| guarantee.is_none_or(|x| x == *g))
                    .map(|(g, n)| n - cx.baseline.violations.get(&g).copied().unwrap_or(0).min(n))
                    .sum();
                let lost = (sim.acked_loss_count() as u64).saturating_sub(cx.baseline.acked_lost);
                violations.is_none_or(|b| b.holds(found as i64))
                    && acked_records_lost.is_none_or(|b| b.holds(lost as i64))
            }
            Condition::Ran {
                command,
                with,
                succeeded,
            } => cx.lines.iter().any(|l| {
                let words: Vec<&str> = l.line.split_whitespace().collect();
                let starts = command.len() <= words.len()
                    && command.iter().zip(&words).enumerate().all(|(i, (c, w))| {
                        if i == 0 {
                            program_name(w) == program_name(c)
                        } else {
                            c == w
                        }
                    });
                starts
                    && with.iter().all(|w| l.line.contains(w.as_str()))
                    && succeeded.unwrap_or(true) == (l.code == 0)
            }),
            Condition::Elapsed { ms } => ms.holds(sim.now() - cx.baseline.at_ms),
            Condition::Table {
                table,
                exists,
                rows,
                row,
                values,
            } => {
                let Some(t) = sim.database().tables.get(table) else {
                    return exists == &Some(false);
                };
                let found = row.as_ref().map(|k| t.rows.get(k));
                exists.is_none_or(|e| e)
                    && rows.is_none_or(|b| b.holds(t.rows.len() as i64))
                    && found.is_none_or(|r| {
                        r.is_some_and(|r| values.iter().all(|(c, v)| r.get(c) == Some(v)))
                    })
            }
            Condition::Connector {
                connector,
                exists,
                state,
                position,
                stored,
                records,
            } => {
                let view = sim.flows_view();
                let Some(c) = view.connectors.iter().find(|c| &c.name == connector) else {
                    return exists == &Some(false);
                };
                exists.is_none_or(|e| e)
                    && state
                        .as_ref()
                        .is_none_or(|s| s.eq_ignore_ascii_case(&c.state))
                    && position.is_none_or(|b| c.position.is_some_and(|n| b.holds(n)))
                    && stored.is_none_or(|b| c.stored.is_some_and(|n| b.holds(n)))
                    && records.is_none_or(|b| b.holds(c.records as i64))
            }
            Condition::Streams {
                app,
                exists,
                state,
                instances,
                processed,
                store,
                entries,
            } => {
                let view = sim.flows_view();
                let Some(a) = view.streams.iter().find(|a| &a.app == app) else {
                    return exists == &Some(false);
                };
                let contents = store.as_ref().map(|s| a.stores.get(s));
                exists.is_none_or(|e| e)
                    && state
                        .as_ref()
                        .is_none_or(|s| s.eq_ignore_ascii_case(&a.state))
                    && instances.is_none_or(|b| b.holds(a.instances.len() as i64))
                    && processed.is_none_or(|b| b.holds(a.processed as i64))
                    && contents.is_none_or(|c| {
                        c.is_some_and(|c| entries.iter().all(|(k, v)| c.get(k) == Some(v)))
                    })
            }
        }
    }
}

/// The condition types, for messages.
const TYPES: &str = "all, any, not, topic, partition, key, group, brokers, controller, producers, consumers, checker, ran, elapsed, table, connector, streams";

/// Reads a condition at `path`; problems are collected with their paths.
pub(crate) fn read(v: &Value, path: &str, p: &mut Problems) -> Option<Condition> {
    let Some(map) = v.as_object() else {
        p.add(
            path,
            format!(
                "must be a condition object {{\"type\": ...}}; got {}",
                shown(v)
            ),
        );
        return None;
    };
    let ty_path = field_path(path, "type");
    let ty = match map.get("type").map(|t| t.as_str()) {
        Some(Some(t)) => t,
        Some(None) => {
            p.add(&ty_path, format!("must be a string, one of: {TYPES}"));
            return None;
        }
        None => {
            p.add(&ty_path, format!("is required; one of: {TYPES}"));
            return None;
        }
    };
    let fields: &[&str] = match ty {
        "all" | "any" => &["type", "of"],
        "not" => &["type", "condition"],
        "topic" => &[
            "type",
            "topic",
            "exists",
            "partitions",
            "replication_factor",
            "high_watermark",
            "stored_records",
            "configs",
        ],
        "partition" => &[
            "type",
            "topic",
            "partition",
            "online",
            "leader_changed",
            "isr_size",
            "high_watermark",
            "log_start_offset",
            "segments",
            "size_bytes",
        ],
        "key" => &["type", "topic", "key", "records", "partitions"],
        "group" => &[
            "type",
            "group",
            "exists",
            "state",
            "protocol",
            "members",
            "idle_members",
            "rebalances",
            "committed",
            "has_committed_offsets",
        ],
        "brokers" => &["type", "id", "alive", "down"],
        "controller" => &["type", "active", "changed", "alive"],
        "producers" => &["type", "name", "acked", "failed"],
        "consumers" => &["type", "name", "consumed"],
        "checker" => &["type", "guarantee", "violations", "acked_records_lost"],
        "ran" => &["type", "command", "with", "succeeded"],
        "elapsed" => &["type", "ms"],
        "table" => &["type", "table", "exists", "rows", "row", "values"],
        "connector" => &[
            "type",
            "connector",
            "exists",
            "state",
            "position",
            "stored",
            "records",
        ],
        "streams" => &[
            "type",
            "app",
            "exists",
            "state",
            "instances",
            "processed",
            "store",
            "entries",
        ],
        other => {
            p.add(
                &ty_path,
                format!("unknown condition type {other:?}; one of: {TYPES}"),
            );
            return None;
        }
    };
    let map = object(v, path, fields, p)?;
    let before = p.0.len();
    let f = |k: &str| field_path(path, k);
    let opt_bound = |k: &str, p: &mut Problems| map.get(k).and_then(|v| bound(v, &f(k), p));
    let opt_bool = |k: &str, p: &mut Problems| map.get(k).and_then(|v| boolean(v, &f(k), p));
    let opt_str = |k: &str, p: &mut Problems| map.get(k).and_then(|v| string(v, &f(k), p));
    let req_str =
        |k: &str, p: &mut Problems| required(map, path, k, p).and_then(|v| string(v, &f(k), p));
    let c = match ty {
        "all" | "any" => {
            let list = required(map, path, "of", p).and_then(|v| match v.as_array() {
                Some(a) if !a.is_empty() => Some(a),
                _ => {
                    p.add(&f("of"), "must be a non-empty list of conditions");
                    None
                }
            })?;
            let cs: Vec<Condition> = list
                .iter()
                .enumerate()
                .filter_map(|(i, c)| read(c, &format!("{}[{i}]", f("of")), p))
                .collect();
            if ty == "all" {
                Condition::All(cs)
            } else {
                Condition::Any(cs)
            }
        }
        "not" => {
            let c = required(map, path, "condition", p)?;
            Condition::Not(Box::new(read(c, &f("condition"), p)?))
        }
        "topic" => Condition::Topic {
            topic: req_str("topic", p).unwrap_or_default(),
            exists: opt_bool("exists", p).unwrap_or(true),
            partitions: map
                .get("partitions")
                .and_then(|v| int_in(v, &f("partitions"), 1, 10_000, p)),
            replication_factor: map
                .get("replication_factor")
                .and_then(|v| int_in(v, &f("replication_factor"), 1, 12, p)),
            high_watermark: opt_bound("high_watermark", p),
            stored_records: opt_bound("stored_records", p),
            configs: map
                .get("configs")
                .map(|v| super::super::format::config_map(v, &f("configs"), p))
                .unwrap_or_default(),
        },
        "partition" => Condition::Partition {
            topic: req_str("topic", p).unwrap_or_default(),
            partition: required(map, path, "partition", p)
                .and_then(|v| int_in(v, &f("partition"), 0, 9_999, p))
                .unwrap_or(0) as i32,
            online: opt_bool("online", p),
            leader_changed: opt_bool("leader_changed", p),
            isr_size: opt_bound("isr_size", p),
            high_watermark: opt_bound("high_watermark", p),
            log_start_offset: opt_bound("log_start_offset", p),
            segments: opt_bound("segments", p),
            size_bytes: opt_bound("size_bytes", p),
        },
        "key" => Condition::Key {
            topic: req_str("topic", p).unwrap_or_default(),
            key: req_str("key", p).unwrap_or_default(),
            records: required(map, path, "records", p)
                .and_then(|v| bound(v, &f("records"), p))
                .unwrap_or_default(),
            partitions: opt_bound("partitions", p),
        },
        "group" => Condition::Group {
            group: req_str("group", p).unwrap_or_default(),
            exists: opt_bool("exists", p),
            state: opt_str("state", p),
            protocol: opt_str("protocol", p),
            members: opt_bound("members", p),
            idle_members: opt_bound("idle_members", p),
            rebalances: opt_bound("rebalances", p),
            committed: opt_bound("committed", p),
            has_committed_offsets: opt_bool("has_committed_offsets", p),
        },
        "brokers" => Condition::Brokers {
            id: map
                .get("id")
                .and_then(|v| int_in(v, &f("id"), 0, 11, p))
                .map(|i| i as i32),
            alive: opt_bound("alive", p),
            down: opt_bound("down", p),
        },
        "controller" => Condition::Controller {
            active: opt_bool("active", p),
            changed: opt_bool("changed", p),
            alive: opt_bound("alive", p),
        },
        "producers" => Condition::Producers {
            name: opt_str("name", p),
            acked: opt_bound("acked", p),
            failed: opt_bound("failed", p),
        },
        "consumers" => Condition::Consumers {
            name: opt_str("name", p),
            consumed: opt_bound("consumed", p),
        },
        "checker" => Condition::Checker {
            guarantee: map.get("guarantee").and_then(|v| {
                let s = string(v, &f("guarantee"), p)?;
                let g = Guarantee::ALL.iter().copied().find(|g| g.name() == s);
                if g.is_none() {
                    let names: Vec<&str> = Guarantee::ALL.iter().map(|g| g.name()).collect();
                    p.add(
                        &f("guarantee"),
                        format!("unknown guarantee {s:?}; one of: {}", names.join(", ")),
                    );
                }
                g
            }),
            violations: opt_bound("violations", p),
            acked_records_lost: opt_bound("acked_records_lost", p),
        },
        "ran" => {
            let command: Vec<String> = req_str("command", p)
                .map(|s| s.split_whitespace().map(str::to_string).collect())
                .unwrap_or_default();
            let with = match map.get("with") {
                None => Vec::new(),
                Some(v) => match v.as_array() {
                    Some(a) => a
                        .iter()
                        .enumerate()
                        .filter_map(|(i, w)| string(w, &format!("{}[{i}]", f("with")), p))
                        .collect(),
                    None => {
                        p.add(
                            &f("with"),
                            format!("must be a list of strings; got {}", shown(v)),
                        );
                        Vec::new()
                    }
                },
            };
            Condition::Ran {
                command,
                with,
                succeeded: opt_bool("succeeded", p),
            }
        }
        "elapsed" => Condition::Elapsed {
            ms: required(map, path, "ms", p)
                .and_then(|v| bound(v, &f("ms"), p))
                .unwrap_or_default(),
        },
        "table" => {
            let row = opt_str("row", p);
            let values = map
                .get("values")
                .map(|v| text_map(v, &f("values"), "column", p))
                .unwrap_or_default();
            if !values.is_empty() && row.is_none() {
                p.add(
                    &f("values"),
                    "needs \"row\": the primary key of the row whose values are tested",
                );
            }
            Condition::Table {
                table: req_str("table", p).unwrap_or_default(),
                exists: opt_bool("exists", p),
                rows: opt_bound("rows", p),
                row,
                values,
            }
        }
        "connector" => Condition::Connector {
            connector: req_str("connector", p).unwrap_or_default(),
            exists: opt_bool("exists", p),
            state: opt_str("state", p),
            position: opt_bound("position", p),
            stored: opt_bound("stored", p),
            records: opt_bound("records", p),
        },
        "streams" => {
            let store = opt_str("store", p);
            let entries = map
                .get("entries")
                .map(|v| text_map(v, &f("entries"), "key", p))
                .unwrap_or_default();
            if !entries.is_empty() && store.is_none() {
                p.add(
                    &f("entries"),
                    "needs \"store\": the name of the store holding the entries",
                );
            }
            Condition::Streams {
                app: req_str("app", p).unwrap_or_default(),
                exists: opt_bool("exists", p),
                state: opt_str("state", p),
                instances: opt_bound("instances", p),
                processed: opt_bound("processed", p),
                store,
                entries,
            }
        }
        _ => return None,
    };
    if p.0.len() > before {
        return None;
    }
    if !c.tests_something() {
        p.add(
            path,
            format!("a {ty:?} condition needs at least one property to test (see docs/lessons.md)"),
        );
        return None;
    }
    Some(c)
}

impl Condition {
    /// A condition with nothing to test would be true from the step's start: refused.
    fn tests_something(&self) -> bool {
        match self {
            Condition::Topic { .. } | Condition::Key { .. } | Condition::Ran { .. } => true,
            Condition::All(_) | Condition::Any(_) | Condition::Not(_) => true,
            Condition::Elapsed { .. } => true,
            Condition::Partition {
                online,
                leader_changed,
                isr_size,
                high_watermark,
                log_start_offset,
                segments,
                size_bytes,
                ..
            } => {
                online.is_some()
                    || leader_changed.is_some()
                    || isr_size.is_some()
                    || high_watermark.is_some()
                    || log_start_offset.is_some()
                    || segments.is_some()
                    || size_bytes.is_some()
            }
            Condition::Group {
                exists,
                state,
                protocol,
                members,
                idle_members,
                rebalances,
                committed,
                has_committed_offsets,
                ..
            } => {
                exists.is_some()
                    || state.is_some()
                    || protocol.is_some()
                    || members.is_some()
                    || idle_members.is_some()
                    || rebalances.is_some()
                    || committed.is_some()
                    || has_committed_offsets.is_some()
            }
            Condition::Brokers { alive, down, .. } => alive.is_some() || down.is_some(),
            Condition::Controller {
                active,
                changed,
                alive,
            } => active.is_some() || changed.is_some() || alive.is_some(),
            Condition::Producers { acked, failed, .. } => acked.is_some() || failed.is_some(),
            Condition::Consumers { consumed, .. } => consumed.is_some(),
            Condition::Checker {
                violations,
                acked_records_lost,
                ..
            } => violations.is_some() || acked_records_lost.is_some(),
            Condition::Table {
                exists, rows, row, ..
            } => exists.is_some() || rows.is_some() || row.is_some(),
            Condition::Connector {
                exists,
                state,
                position,
                stored,
                records,
                ..
            } => {
                exists.is_some()
                    || state.is_some()
                    || position.is_some()
                    || stored.is_some()
                    || records.is_some()
            }
            Condition::Streams {
                exists,
                state,
                instances,
                processed,
                store,
                ..
            } => {
                exists.is_some()
                    || state.is_some()
                    || instances.is_some()
                    || processed.is_some()
                    || store.is_some()
            }
        }
    }
}

/// `{"name": "value"}` for a row's columns or a store's entries (numbers and booleans are
/// compared as the text the console shows).
fn text_map(v: &Value, path: &str, what: &str, p: &mut Problems) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Some(map) = v.as_object() else {
        p.add(
            path,
            format!(
                "must be an object of {what} names to values, e.g. {{\"value\": \"42\"}}; got {}",
                shown(v)
            ),
        );
        return out;
    };
    for (k, val) in map {
        match val {
            Value::String(s) => {
                out.insert(k.clone(), s.clone());
            }
            Value::Number(n) => {
                out.insert(k.clone(), n.to_string());
            }
            Value::Bool(b) => {
                out.insert(k.clone(), b.to_string());
            }
            _ => p.add(
                &format!("{path}[{}]", Value::String(k.clone())),
                format!("must be a string, number or boolean; got {}", shown(val)),
            ),
        }
    }
    out
}

fn boolean(v: &Value, path: &str, p: &mut Problems) -> Option<bool> {
    let b = v.as_bool();
    if b.is_none() {
        p.add(path, format!("must be true or false; got {}", shown(v)));
    }
    b
}

/// A [`Bound`]: a bare whole number (equals), or `{"at_least", "at_most", "equals"}`.
fn bound(v: &Value, path: &str, p: &mut Problems) -> Option<Bound> {
    const MAX: i64 = i64::MAX / 2;
    if v.is_number() {
        let n = int_in(v, path, 0, MAX, p)?;
        return Some(Bound {
            at_least: Some(n),
            at_most: Some(n),
        });
    }
    let map = object(v, path, &["at_least", "at_most", "equals"], p)?;
    let get = |k: &str, p: &mut Problems| {
        map.get(k)
            .and_then(|x| int_in(x, &field_path(path, k), 0, MAX, p))
    };
    let at_least = get("at_least", p);
    let at_most = get("at_most", p);
    let equals = get("equals", p);
    let b = match equals {
        Some(n) if at_least.is_none() && at_most.is_none() => Bound {
            at_least: Some(n),
            at_most: Some(n),
        },
        Some(_) => {
            p.add(
                path,
                "\"equals\" cannot be combined with \"at_least\" or \"at_most\"",
            );
            return None;
        }
        None => Bound { at_least, at_most },
    };
    if b.at_least.is_none() && b.at_most.is_none() {
        p.add(
            path,
            "must give \"at_least\", \"at_most\" or \"equals\" (or be a whole number)",
        );
        return None;
    }
    if let (Some(lo), Some(hi)) = (b.at_least, b.at_most) {
        if lo > hi {
            p.add(
                path,
                format!("\"at_least\" ({lo}) is above \"at_most\" ({hi}): nothing could match"),
            );
            return None;
        }
    }
    Some(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: Value) -> Result<Condition, Vec<String>> {
        let mut p = Problems::default();
        match read(&v, "until", &mut p) {
            Some(c) if p.0.is_empty() => Ok(c),
            _ => Err(p.0.iter().map(|e| e.to_string()).collect()),
        }
    }

    #[test]
    fn problems_carry_their_paths() {
        let e = parse(json!({"type": "all", "of": [
            {"type": "topic", "topic": "t", "high_watermark": {"at_least": -1}},
            {"type": "partiton"},
            {"type": "group", "group": "g"},
            {"type": "checker", "guarantee": "nope", "violations": 1}
        ]}))
        .expect_err("invalid");
        assert!(
            e.iter()
                .any(|m| m
                    .starts_with("until.of[0].high_watermark.at_least: must be a whole number")),
            "{e:?}"
        );
        assert!(
            e.iter()
                .any(|m| m.starts_with("until.of[1].type: unknown condition type \"partiton\"")),
            "{e:?}"
        );
        assert!(
            e.iter()
                .any(|m| m.starts_with("until.of[2]: a \"group\" condition needs")),
            "{e:?}"
        );
        assert!(
            e.iter()
                .any(|m| m.starts_with("until.of[3].guarantee: unknown guarantee")),
            "{e:?}"
        );
        let e = parse(json!({"type": "brokers", "alive": {"at_least": 3, "at_most": 1}}))
            .expect_err("empty range");
        assert!(
            e[0].starts_with("until.alive: \"at_least\" (3) is above"),
            "{e:?}"
        );
        let e =
            parse(json!({"type": "ran", "command": "x", "colour": 1})).expect_err("unknown field");
        assert!(e[0].starts_with("until.colour: unknown field"), "{e:?}");
    }

    #[test]
    fn tables_connectors_and_streams_apps() {
        use crate::scenario::Session;
        let mut s = Session::fallback();
        let holds = |s: &Session, v: Value| {
            let c = parse(v).expect("valid");
            let b = Baseline::capture(s.sim());
            c.holds(&Context {
                sim: s.sim(),
                baseline: &b,
                lines: &[],
            })
        };
        let table = json!({"type": "table", "table": "orders", "rows": {"at_least": 1}});
        let gone = json!({"type": "table", "table": "orders", "exists": false});
        assert!(!holds(&s, table.clone()) && holds(&s, gone.clone()));
        for line in [
            "table create orders --key id",
            "connector create source cdc --table orders --topic db.orders",
            "table insert orders id=1 customer=ann amount=12",
        ] {
            assert_eq!(s.execute(line).code, 0, "{line}");
        }
        s.run_for(5_000);
        assert!(holds(&s, table) && !holds(&s, gone));
        let row = |v: &str| json!({"type": "table", "table": "orders", "row": "1", "values": {"amount": v}});
        assert!(holds(&s, row("12")) && !holds(&s, row("13")));
        let cdc = json!({"type": "connector", "connector": "cdc", "state": "running",
            "position": {"at_least": 1}, "records": 1});
        assert!(holds(&s, cdc));
        assert!(!holds(
            &s,
            json!({"type": "connector", "connector": "cdc", "state": "FAILED"})
        ));
        assert!(!holds(
            &s,
            json!({"type": "streams", "app": "totals", "processed": {"at_least": 0}})
        ));
        assert!(holds(
            &s,
            json!({"type": "streams", "app": "totals", "exists": false})
        ));
        let e = parse(json!({"type": "streams", "app": "a", "entries": {"k": "v"}}))
            .expect_err("entries without a store");
        assert!(e[0].starts_with("until.entries: needs \"store\""), "{e:?}");
        let e = parse(json!({"type": "table", "table": "t"})).expect_err("nothing to test");
        assert!(
            e[0].starts_with("until: a \"table\" condition needs"),
            "{e:?}"
        );
    }

    #[test]
    fn bounds_and_program_names() {
        let c = parse(json!({"type": "elapsed", "ms": {"at_least": 5}})).expect("valid");
        assert_eq!(
            c,
            Condition::Elapsed {
                ms: Bound {
                    at_least: Some(5),
                    at_most: None
                }
            }
        );
        let b = Bound {
            at_least: Some(2),
            at_most: Some(2),
        };
        assert!(b.holds(2) && !b.holds(1) && !b.holds(3));
        assert_eq!(program_name("bin/kafka-topics.sh"), "kafka-topics");
        assert_eq!(program_name("kafka-topics"), "kafka-topics");
    }
}
