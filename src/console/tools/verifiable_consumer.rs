//! `kafka-verifiable-consumer` (`VerifiableConsumer`; formats §8): a group consumer that prints
//! its rebalance callbacks, a `records_consumed` summary per poll, and (without
//! `--enable-autocommit`) an `offsets_committed` event after each synchronous commit.
//!
//! Playground rules: without `--max-messages` the consumer runs until interrupted; in the
//! foreground (or during `wait`) that happens once no record arrived for 10 s of simulated
//! time, as with the console consumer. The commit after a poll commits the consumer's positions
//! (the engine's `commitSync()`); they equal the printed offsets except after a poll cut short
//! by `--max-messages`.

use super::{Started, Task};
use crate::console::format::errors::log_line;
use crate::console::format::verifiable::VerifiableEvent;
use crate::console::java_order::{order_topic_partitions, HashMapInit};
use crate::console::options::{argparse, ParsedOptions};
use crate::console::output::ToolExit;
use crate::console::run::{Console, IDLE_STOP_MS};
use crate::console::Tool;
use crate::engine::client::Client;
use crate::engine::consumer::{timeout_message, CommitFailure, MemberPhase};
use crate::engine::group::assignors::{self, AssignorName, RebalanceProtocol};
use crate::engine::time::Millis;
use crate::engine::{Command, Sim, TopicPartition};
use crate::ordered::CollectOrdered;
use std::collections::{BTreeMap, BTreeSet};

const LOGGER: &str = "org.apache.kafka.tools.VerifiableConsumer";

/// What the consumer looked like at the last pump.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    phase: MemberPhase,
    generation: i32,
    assignment: Vec<TopicPartition>,
}

/// A verifiable consumer that is running.
pub struct VerifiableConsumerRun {
    client: String,
    verbose: bool,
    auto_commit: bool,
    cooperative: bool,
    max_messages: Option<i64>,
    consumed: i64,
    /// The partitions the rebalance listener was told about.
    owned: BTreeSet<TopicPartition>,
    in_rebalance: bool,
    seen: Option<Seen>,
    /// A `commitSync` on its way: the offsets it commits.
    pending_commit: Option<Vec<(TopicPartition, i64)>>,
    pending: String,
    last_progress: Millis,
    done: bool,
    /// Whether the console waits for this run (the idle rule applies).
    pub idle_stop: bool,
}

fn json_line(out: &mut String, ev: VerifiableEvent) {
    out.push_str(&ev.to_json());
    out.push('\n');
}

fn tps(set: &BTreeSet<TopicPartition>) -> Vec<(String, i32)> {
    set.iter()
        .map(|tp| (tp.topic.to_string(), tp.partition))
        .collect()
}

pub fn start(console: &mut Console, opts: &ParsedOptions) -> Started {
    let tool = Tool::VerifiableConsumer;
    let value = |n: &str| opts.values_of(n).last().map(|s| s.to_string());
    if let Some(path) = value("consumer.config") {
        let mut exit = argparse::error_exit(tool, &path, None);
        exit.stderr.push_str("kafka-playground: the playground has no files; consumer settings are not available for this tool\n");
        return Started::Done(exit);
    }
    let topic = value("topic").unwrap_or_default();
    let group = value("group-id").unwrap_or_default();
    let protocol = value("group-protocol").unwrap_or_else(|| "classic".into());
    let mut configs: BTreeMap<String, String> = BTreeMap::new();
    let strategy = value("assignment-strategy")
        .unwrap_or_else(|| "org.apache.kafka.clients.consumer.RangeAssignor".into());
    if protocol.eq_ignore_ascii_case("consumer") {
        configs.insert("group.protocol".into(), protocol.clone());
        if let Some(a) = value("group-remote-assignor") {
            configs.insert("group.remote.assignor".into(), a);
        }
    } else {
        configs.insert("partition.assignment.strategy".into(), strategy.clone());
        configs.insert(
            "session.timeout.ms".into(),
            value("session-timeout").unwrap_or_else(|| "30000".into()),
        );
    }
    configs.insert("group.id".into(), group.clone());
    if let Some(id) = value("group-instance-id") {
        configs.insert("group.instance.id".into(), id);
    }
    let auto_commit = opts.has("enable-autocommit");
    configs.insert("enable.auto.commit".into(), auto_commit.to_string());
    configs.insert(
        "auto.offset.reset".into(),
        value("reset-policy").unwrap_or_else(|| "earliest".into()),
    );
    configs.insert("client.id".into(), format!("consumer-{group}-1"));
    let cooperative = !protocol.eq_ignore_ascii_case("consumer")
        && strategy
            .split(',')
            .map(AssignorName::parse)
            .collect::<Result<Vec<_>, _>>()
            .ok()
            .and_then(|names| assignors::rebalance_protocol(&names).ok())
            == Some(RebalanceProtocol::Cooperative);
    let client = console.client_name("verifiable-consumer");
    let started = console.sim.apply(Command::StartConsumer {
        name: client.clone(),
        group: Some(group),
        topics: vec![topic],
        assign: Vec::new(),
        start_offsets: BTreeMap::new(),
        configs,
        process_time_ms: 0,
    });
    if let Err(e) = started {
        let class = if e.message.starts_with("Invalid value") {
            "org.apache.kafka.common.config.ConfigException"
        } else {
            e.code.exception()
        };
        return Started::Done(ToolExit::err(
            format!("Exception in thread \"main\" {class}: {}\n", e.message),
            1,
        ));
    }
    let max = value("max-messages")
        .and_then(|m| m.parse::<i64>().ok())
        .filter(|m| *m >= 0);
    let mut pending = String::new();
    json_line(
        &mut pending,
        VerifiableEvent::StartupComplete {
            timestamp: console.sim.timestamp(),
        },
    );
    Started::Running(Task::VerifiableConsumer(VerifiableConsumerRun {
        client,
        verbose: opts.has("verbose"),
        auto_commit,
        cooperative,
        max_messages: max,
        consumed: 0,
        owned: BTreeSet::new(),
        in_rebalance: false,
        seen: None,
        pending_commit: None,
        pending,
        last_progress: console.sim.now(),
        done: false,
        idle_stop: false,
    }))
}

impl VerifiableConsumerRun {
    fn snapshot(sim: &Sim, name: &str) -> Option<Seen> {
        match sim.client(name) {
            Some(Client::Consumer(x)) => Some(Seen {
                phase: x.phase,
                generation: x.generation,
                assignment: x.assignment.clone(),
            }),
            _ => None,
        }
    }

    /// How the `commitSync()` of the last poll's offsets ended, once it has: `None` or the
    /// exception's message (`onComplete`).
    fn commit_outcome(&self, sim: &Sim) -> Option<Option<String>> {
        let offsets = self.pending_commit.as_ref()?;
        let Some(Client::Consumer(x)) = sim.client(&self.client) else {
            return None;
        };
        Some(match x.commit_sync_result()? {
            Ok(()) => None,
            // Kafka's message names the offsets this tool committed (no leader epochs), in
            // its `HashMap`'s order.
            Err(CommitFailure::Timeout { timeout_ms, .. }) => {
                let offsets: Vec<(TopicPartition, i64, Option<i32>)> = self
                    .java_order(offsets)
                    .into_iter()
                    .map(|(t, p, o)| (TopicPartition::new(t.as_str(), p), o, None))
                    .collect();
                Some(timeout_message(*timeout_ms, &offsets))
            }
            Err(f) => Some(f.message()),
        })
    }

    pub fn has_news(&self, sim: &Sim) -> bool {
        if self.done {
            return false;
        }
        let Some(Client::Consumer(x)) = sim.client(&self.client) else {
            return true;
        };
        let seen = Self::snapshot(sim, &self.client);
        seen != self.seen
            || x.error.is_some()
            || (self.pending_commit.is_none() && !x.consumed.is_empty())
            || self.commit_outcome(sim).is_some()
    }

    pub fn deadline(&self) -> Option<Millis> {
        (!self.done && self.idle_stop && self.max_messages.is_none())
            .then(|| self.last_progress.saturating_add(IDLE_STOP_MS))
    }

    fn max_reached(&self) -> bool {
        self.max_messages.is_some_and(|m| self.consumed >= m)
    }

    /// The rebalance listener: `onPartitionsRevoked` when a (eager) rebalance starts,
    /// `onPartitionsAssigned` when it completes.
    fn rebalance_events(&mut self, sim: &Sim, seen: &Seen, out: &mut String) {
        let ts = sim.timestamp();
        let joining = matches!(seen.phase, MemberPhase::Joining | MemberPhase::Syncing);
        if joining && !self.in_rebalance {
            self.in_rebalance = true;
            if !self.cooperative {
                let revoked = std::mem::take(&mut self.owned);
                json_line(
                    out,
                    VerifiableEvent::PartitionsRevoked {
                        timestamp: ts,
                        partitions: tps(&revoked),
                    },
                );
            }
        }
        let now: BTreeSet<TopicPartition> = seen.assignment.iter().cloned().collect_set();
        let completed = (seen.phase == MemberPhase::Stable && self.in_rebalance)
            || (self.cooperative && self.in_rebalance && now != self.owned);
        if completed {
            if seen.phase == MemberPhase::Stable {
                self.in_rebalance = false;
            }
            let revoked: BTreeSet<TopicPartition> =
                self.owned.difference(&now).cloned().collect_set();
            if !revoked.is_empty() {
                json_line(
                    out,
                    VerifiableEvent::PartitionsRevoked {
                        timestamp: ts,
                        partitions: tps(&revoked),
                    },
                );
            }
            let added: BTreeSet<TopicPartition> =
                now.difference(&self.owned).cloned().collect_set();
            json_line(
                out,
                VerifiableEvent::PartitionsAssigned {
                    timestamp: ts,
                    partitions: tps(&added),
                },
            );
            self.owned = now;
        }
    }

    /// One poll's records: `record_data` lines (verbose), the summary, then a commit.
    fn records(&mut self, sim: &mut Sim, out: &mut String) {
        let records = sim.take_consumed(&self.client);
        if records.is_empty() {
            return;
        }
        self.last_progress = sim.now();
        let ts = sim.timestamp();
        let mut order: Vec<TopicPartition> = Vec::new();
        for c in &records {
            if !order.contains(&c.tp) {
                order.push(c.tp.clone());
            }
        }
        let mut summaries = Vec::new();
        let mut offsets: Vec<(TopicPartition, i64)> = Vec::new();
        for tp in &order {
            let mut part: Vec<_> = records.iter().filter(|c| c.tp == *tp).collect();
            if let Some(m) = self.max_messages {
                let room = usize::try_from((m - self.consumed).max(0)).unwrap_or(0);
                part.truncate(room);
            }
            let (Some(first), Some(last)) = (part.first(), part.last()) else {
                continue;
            };
            let (lo, hi) = (first.record.offset(), last.record.offset());
            offsets.push((tp.clone(), hi + 1));
            summaries.push((
                tp.topic.to_string(),
                tp.partition,
                part.len() as i64,
                lo,
                hi,
            ));
            if self.verbose {
                for c in &part {
                    let text =
                        |b: Option<&[u8]>| b.map(|b| String::from_utf8_lossy(b).into_owned());
                    json_line(
                        out,
                        VerifiableEvent::RecordData {
                            timestamp: ts,
                            key: text(c.record.key()),
                            value: text(c.record.value()),
                            topic: tp.topic.to_string(),
                            partition: tp.partition,
                            offset: c.record.offset(),
                        },
                    );
                }
            }
            self.consumed += part.len() as i64;
            if self.max_reached() {
                break;
            }
        }
        json_line(
            out,
            VerifiableEvent::RecordsConsumed {
                timestamp: ts,
                count: records.len() as i64,
                partitions: summaries,
            },
        );
        if self.auto_commit {
            return;
        }
        if offsets.is_empty() {
            self.print_commit(ts, &[], None, out);
            return;
        }
        let _ = sim.apply(Command::CommitSync {
            consumer: self.client.clone(),
        });
        self.pending_commit = Some(offsets);
    }

    /// The offsets as (topic, partition, offset) in the order of the tool's `HashMap`.
    fn java_order(&self, offsets: &[(TopicPartition, i64)]) -> Vec<(String, i32, i64)> {
        let keys: Vec<(String, i32)> = offsets
            .iter()
            .map(|(tp, _)| (tp.topic.to_string(), tp.partition))
            .collect();
        order_topic_partitions(&keys, HashMapInit::Default)
            .into_iter()
            .filter_map(|(t, p)| {
                offsets
                    .iter()
                    .find(|(tp, _)| *tp.topic == *t && tp.partition == p)
                    .map(|(_, o)| (t, p, *o))
            })
            .collect()
    }

    fn print_commit(
        &self,
        ts: i64,
        offsets: &[(TopicPartition, i64)],
        error: Option<String>,
        out: &mut String,
    ) {
        let list = self.java_order(offsets);
        json_line(
            out,
            VerifiableEvent::OffsetsCommitted {
                timestamp: ts,
                offsets: list,
                error,
            },
        );
    }

    pub fn pump(&mut self, sim: &mut Sim) -> ToolExit {
        let mut out = ToolExit::ok(std::mem::take(&mut self.pending));
        if self.done {
            return out;
        }
        let Some(seen) = Self::snapshot(sim, &self.client) else {
            self.done = true;
            return out;
        };
        let mut text = String::new();
        if let Some(error) = self.commit_outcome(sim) {
            let offsets = self.pending_commit.take().unwrap_or_default();
            self.print_commit(sim.timestamp(), &offsets, error, &mut text);
        }
        self.rebalance_events(sim, &seen, &mut text);
        self.seen = Some(seen);
        if self.pending_commit.is_none() && !self.max_reached() {
            self.records(sim, &mut text);
        }
        if let Some(Client::Consumer(x)) = sim.client(&self.client) {
            if let Some(e) = &x.error {
                out.stderr.push_str(&format!(
                    "{}{e}\n",
                    log_line(
                        sim.timestamp(),
                        "ERROR",
                        "Error during processing, terminating consumer process: ",
                        LOGGER
                    )
                ));
                self.done = true;
            }
        }
        if self.max_reached() && self.pending_commit.is_none() {
            self.done = true;
        }
        if self.idle_stop
            && self.max_messages.is_none()
            && sim.now() >= self.last_progress.saturating_add(IDLE_STOP_MS)
        {
            self.done = true;
        }
        out.stdout.push_str(&text);
        out
    }

    pub fn finished(&self) -> bool {
        self.done
    }

    pub fn give_up(&mut self) {
        self.done = true;
    }

    /// `consumer.close()`: the listener hears about the owned partitions, then
    /// `shutdown_complete`.
    pub fn finish(&mut self, sim: &mut Sim) -> ToolExit {
        let mut out = String::new();
        if !self.owned.is_empty() {
            let owned = std::mem::take(&mut self.owned);
            json_line(
                &mut out,
                VerifiableEvent::PartitionsRevoked {
                    timestamp: sim.timestamp(),
                    partitions: tps(&owned),
                },
            );
        }
        let name = self.client.clone();
        if sim.client(&name).is_some() {
            super::close_client(
                sim,
                &name,
                Command::StopConsumer {
                    name: name.clone(),
                    hard: false,
                },
            );
        }
        json_line(
            &mut out,
            VerifiableEvent::ShutdownComplete {
                timestamp: sim.timestamp(),
            },
        );
        ToolExit::ok(out)
    }
}
