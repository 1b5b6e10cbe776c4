//! `kafka-verifiable-producer` (`VerifiableProducer`; formats §7): sends values `0`, `1`, ...
//! (or `<prefix>.<n>`) at `--throughput` records per second, prints one JSON event per
//! acknowledgement or failure, then `shutdown_complete` and `tool_data`.
//!
//! Playground rules: without `--max-messages` the producer runs until interrupted; in the
//! foreground (or during `wait`) that happens after 10 s of simulated time, as the console
//! consumer's idle rule does. An endless unthrottled producer is refused: it would send
//! without end in no simulated time.

use super::{Started, Task};
use crate::console::format::errors::JavaException;
use crate::console::format::verifiable::VerifiableEvent;
use crate::console::options::argparse;
use crate::console::options::ParsedOptions;
use crate::console::output::ToolExit;
use crate::console::run::{Console, IDLE_STOP_MS};
use crate::console::Tool;
use crate::engine::client::Client;
use crate::engine::time::Millis;
use crate::engine::{Command, Sim};
use std::collections::BTreeMap;

/// The most records one run may send (the simulation keeps every record).
const MAX_RECORDS: i64 = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Sending,
    /// Everything is sent; waiting for the last acknowledgements (`close()` flushes).
    Flushing,
    Done,
}

/// A verifiable producer that is running.
pub struct VerifiableProducerRun {
    client: String,
    topic: String,
    /// `None` = until interrupted.
    max_messages: Option<i64>,
    throughput: i64,
    value_prefix: Option<i32>,
    repeating_keys: Option<i32>,
    /// `--message-create-time`: the next record's explicit CreateTime.
    create_time: Option<i64>,
    key_counter: i32,
    sent: i64,
    acked: i64,
    start_ms: Millis,
    /// Simulated time of the first send (`startMs` of the throttler).
    start_at: Millis,
    phase: Phase,
    /// Lines printed on the first pump (`startup_complete`, immediate send errors).
    pending: String,
    /// Whether the console waits for this run (the 10 s interrupt rule applies).
    pub idle_stop: bool,
}

fn bad(message: &str) -> Started {
    Started::Done(argparse::error_exit(
        Tool::VerifiableProducer,
        message,
        None,
    ))
}

pub fn start(console: &mut Console, opts: &ParsedOptions) -> Started {
    let long = |name: &str| -> Option<i64> {
        opts.values_of(name)
            .last()
            .and_then(|v| v.parse::<i64>().ok())
    };
    let int = |name: &str| -> Option<i32> {
        opts.values_of(name)
            .last()
            .and_then(|v| v.parse::<i32>().ok())
    };
    if let Some(path) = opts.values_of("producer.config").last() {
        // Utils.loadProps fails with NoSuchFileException(path): argparse reports its message.
        let mut exit = argparse::error_exit(Tool::VerifiableProducer, path, None);
        exit.stderr.push_str("kafka-playground: the playground has no files; producer settings are not available for this tool\n");
        return Started::Done(exit);
    }
    // argparse converted it already; a negative time is Kafka's own check.
    let create_time = long("message-create-time");
    if let Some(t) = create_time.filter(|t| *t < 0) {
        // new ProducerRecord(...) throws before anything is sent.
        return Started::Done(ToolExit::err(
            format!("Exception in thread \"main\" java.lang.IllegalArgumentException: Invalid timestamp: {t}. Timestamp should always be non-negative or null.\n"),
            1,
        ));
    }
    let topic = opts
        .values_of("topic")
        .last()
        .copied()
        .unwrap_or("")
        .to_string();
    let max = long("max-messages").unwrap_or(-1);
    let throughput = long("throughput").unwrap_or(-1);
    let acks = opts.values_of("acks").last().copied().unwrap_or("-1");
    if max < 0 && throughput <= 0 {
        return Started::Done(ToolExit::err(
            "kafka-playground: an endless unthrottled kafka-verifiable-producer would send without end in no simulated time: give --max-messages N or --throughput N\n",
            1,
        ));
    }
    if max > MAX_RECORDS {
        return Started::Done(ToolExit::err(
            format!("kafka-playground: the playground sends at most {MAX_RECORDS} records in one run; --max-messages {max} is too many\n"),
            1,
        ));
    }
    if topic.is_empty() {
        return bad("argument --topic is required");
    }
    let client = console.client_name("verifiable-producer");
    let configs = BTreeMap::from([
        ("acks".to_string(), acks.to_string()),
        ("retries".to_string(), "0".to_string()),
        ("client.id".to_string(), "producer-1".to_string()),
    ]);
    if let Err(e) = console.sim.apply(Command::StartProducer {
        name: client.clone(),
        configs,
        workload: None,
    }) {
        return Started::Done(ToolExit::err(
            JavaException::new(e.code.exception(), Some(&e.message)).stack_trace(),
            1,
        ));
    }
    let now = console.sim.now();
    let ts = console.sim.timestamp();
    Started::Running(Task::VerifiableProducer(VerifiableProducerRun {
        client,
        topic,
        max_messages: (max >= 0).then_some(max),
        throughput,
        value_prefix: int("value-prefix"),
        repeating_keys: int("repeating-keys").filter(|n| *n > 0),
        create_time,
        key_counter: 0,
        sent: 0,
        acked: 0,
        start_ms: ts,
        start_at: now,
        phase: Phase::Sending,
        pending: format!(
            "{}\n",
            VerifiableEvent::StartupComplete { timestamp: ts }.to_json()
        ),
        idle_stop: false,
    }))
}

impl VerifiableProducerRun {
    /// When record number `i` is due (`ThroughputThrottler`: `i / throughput` seconds in).
    fn due(&self, i: i64) -> Millis {
        if self.throughput <= 0 {
            self.start_at
        } else {
            self.start_at + i.saturating_mul(1000) / self.throughput
        }
    }

    fn all_sent(&self) -> bool {
        self.max_messages.is_some_and(|m| self.sent >= m)
    }

    /// The interrupt of the playground rule: an endless run the console waits for.
    fn interrupted(&self, now: Millis) -> bool {
        self.max_messages.is_none()
            && self.idle_stop
            && now >= self.start_at.saturating_add(IDLE_STOP_MS)
    }

    pub fn has_news(&self, sim: &Sim) -> bool {
        if self.phase == Phase::Done {
            return false;
        }
        match sim.client(&self.client) {
            Some(Client::Producer(p)) => {
                !p.deliveries.is_empty()
                    || (self.phase == Phase::Flushing
                        && p.stats.acked + p.stats.failed >= p.stats.sent)
            }
            _ => true,
        }
    }

    pub fn deadline(&self) -> Option<Millis> {
        if self.phase != Phase::Sending {
            return None;
        }
        let next = self.due(self.sent);
        match (self.max_messages, self.idle_stop) {
            (None, true) => Some(next.min(self.start_at.saturating_add(IDLE_STOP_MS))),
            _ => Some(next),
        }
    }

    fn key(&mut self) -> Option<String> {
        let n = self.repeating_keys?;
        let k = self.key_counter.to_string();
        self.key_counter += 1;
        if self.key_counter == n {
            self.key_counter = 0;
        }
        Some(k)
    }

    fn value(&self, i: i64) -> String {
        match self.value_prefix {
            Some(p) => format!("{p}.{i}"),
            None => i.to_string(),
        }
    }

    fn report(&mut self, sim: &mut Sim, out: &mut String) {
        let ts = sim.timestamp();
        for d in sim.take_deliveries(&self.client) {
            let key = d.key.as_deref().map(str::to_string);
            let value = d.value.as_deref().unwrap_or("").to_string();
            let ev = match d.error {
                None => {
                    self.acked += 1;
                    VerifiableEvent::ProducerSendSuccess {
                        timestamp: ts,
                        key,
                        value,
                        offset: d.offset,
                        topic: d.tp.topic.to_string(),
                        partition: d.tp.partition,
                    }
                }
                Some((code, message)) => VerifiableEvent::ProducerSendError {
                    timestamp: ts,
                    topic: d.tp.topic.to_string(),
                    key,
                    value,
                    exception_class: code.exception().to_string(),
                    message,
                },
            };
            out.push_str(&ev.to_json());
            out.push('\n');
        }
    }

    pub fn pump(&mut self, sim: &mut Sim) -> ToolExit {
        let mut out = std::mem::take(&mut self.pending);
        if self.phase == Phase::Done {
            return ToolExit::ok(out);
        }
        self.report(sim, &mut out);
        let now = sim.now();
        if self.phase == Phase::Sending {
            while !self.all_sent() && self.due(self.sent) <= now && !self.interrupted(now) {
                let i = self.sent;
                let key = self.key();
                let value = self.value(i);
                self.sent += 1;
                let timestamp = self.create_time;
                // VerifiableProducer.send: createTime += currentTimeMillis() - startTime.
                if let Some(t) = self.create_time.as_mut() {
                    *t = t.saturating_add(sim.timestamp() - self.start_ms);
                }
                let r = sim.apply(Command::Produce {
                    producer: self.client.clone(),
                    topic: self.topic.clone(),
                    partition: None,
                    key: key.clone(),
                    value: Some(value.clone()),
                    timestamp,
                });
                if let Err(e) = r {
                    let ev = VerifiableEvent::ProducerSendError {
                        timestamp: sim.timestamp(),
                        topic: self.topic.clone(),
                        key,
                        value,
                        exception_class: e.code.exception().to_string(),
                        message: e.message,
                    };
                    out.push_str(&ev.to_json());
                    out.push('\n');
                }
            }
            if self.all_sent() || self.interrupted(now) {
                self.phase = Phase::Flushing;
            }
        }
        if self.phase == Phase::Flushing {
            let flushed = match sim.client(&self.client) {
                Some(Client::Producer(p)) => {
                    p.stats.acked + p.stats.failed >= p.stats.sent && p.deliveries.is_empty()
                }
                _ => true,
            };
            if flushed {
                self.close(sim, &mut out);
            }
        }
        ToolExit::ok(out)
    }

    /// The shutdown hook: `close()` (prints `shutdown_complete`), then `tool_data`.
    fn close(&mut self, sim: &mut Sim, out: &mut String) {
        let name = self.client.clone();
        super::close_client(sim, &name, Command::StopProducer { name: name.clone() });
        let ts = sim.timestamp();
        out.push_str(&VerifiableEvent::ShutdownComplete { timestamp: ts }.to_json());
        out.push('\n');
        let elapsed = ts - self.start_ms;
        let avg = 1000.0 * (self.acked as f64 / elapsed as f64);
        let data = VerifiableEvent::ToolData {
            timestamp: ts,
            sent: self.sent,
            acked: self.acked,
            target_throughput: self.throughput,
            avg_throughput: avg,
        };
        out.push_str(&data.to_json());
        out.push('\n');
        self.phase = Phase::Done;
    }

    pub fn finished(&self) -> bool {
        self.phase == Phase::Done
    }

    /// The console stopped waiting: stop sending; the last acknowledgements are flushed.
    pub fn give_up(&mut self) {
        if self.phase == Phase::Sending {
            self.phase = Phase::Flushing;
        }
    }

    pub fn finish(&mut self, sim: &mut Sim) -> ToolExit {
        let mut out = String::new();
        if self.phase != Phase::Done {
            // Interrupted while acknowledgements were outstanding: flush them first.
            let name = self.client.clone();
            sim.run_while(30_000, |s| match s.client(&name) {
                Some(Client::Producer(p)) => p.stats.acked + p.stats.failed >= p.stats.sent,
                _ => true,
            });
            self.report(sim, &mut out);
            self.close(sim, &mut out);
        }
        ToolExit::ok(out)
    }
}
