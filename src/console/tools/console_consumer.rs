//! `kafka-console-consumer` (`ConsoleConsumer`, `DefaultMessageFormatter`; formats §4).
//!
//! Playground rule: a consumer with neither `--max-messages` nor `--timeout-ms` stops once no
//! record has arrived for 10 s of simulated time while the console waits for it (in the
//! foreground, or during `wait`); in the background it keeps running.

use super::regex::Regex;
use super::{usage, Started, Task};
use crate::console::format::consumer::{
    format_record_string, processed_total, timeout_stderr, MessageFormatterConfig,
};
use crate::console::format::errors::{log_line, log_timestamp};
use crate::console::model::{ConsumedRecord, TimestampType};
use crate::console::options::{missing_required, ParsedOptions};
use crate::console::output::ToolExit;
use crate::console::run::{Console, IDLE_STOP_MS};
use crate::console::Tool;
use crate::engine::client::Client;
use crate::engine::consumer::Consumed;
use crate::engine::time::Millis;
use crate::engine::{Command, Sim, TopicPartition};
use std::collections::BTreeMap;

const LOGGER: &str = "org.apache.kafka.tools.consumer.ConsoleConsumer";

#[derive(Debug, Clone, PartialEq, Eq)]
enum End {
    MaxMessages,
    Timeout,
    /// The idle rule, or the console's time limit.
    Idle,
    /// An exception from `poll` (logged; exit 0).
    PollError(String),
}

/// A console consumer that is running.
pub struct ConsumerRun {
    client: String,
    format: MessageFormatterConfig,
    max_messages: Option<u64>,
    timeout_ms: Option<Millis>,
    printed: u64,
    last_progress: Millis,
    end: Option<End>,
    /// Whether the idle rule applies (the console is waiting for this consumer).
    pub idle_stop: bool,
}

fn split_props(values: Vec<&str>) -> Vec<(String, String)> {
    MessageFormatterConfig::parse_property_args(&values)
}

fn bad(message: &str) -> Started {
    Started::Done(usage(Tool::ConsoleConsumer, message))
}

pub fn start(console: &mut Console, opts: &ParsedOptions) -> Started {
    if !opts.has("bootstrap-server") {
        return bad(&missing_required("bootstrap-server"));
    }
    let topic = opts.values_of("topic").last().map(|s| s.to_string());
    let include = opts.values_of("include").last().map(|s| s.to_string());
    if topic.is_some() == include.is_some() {
        return bad("Exactly one of --include/--topic is required. ");
    }
    let partition = match opts.int_of("partition") {
        Ok(p) => p,
        Err(e) => return bad(&e.message()),
    };
    if partition.is_some() && topic.is_none() {
        return bad("The topic is required when partition is specified.");
    }
    if opts.has("from-beginning") && opts.has("offset") {
        return bad("Options from-beginning and offset cannot be specified together.");
    }
    if opts.has("offset") && partition.is_none() {
        return bad("The partition is required when offset is specified.");
    }
    let mut props: BTreeMap<String, String> = split_props(opts.values_of("consumer-property"))
        .into_iter()
        .collect();
    let group_opt = opts.values_of("group").last().map(|s| s.to_string());
    if let (Some(g), Some(p)) = (&group_opt, props.get("group.id")) {
        if g != p {
            return bad(&format!("The group ids provided in different places (directly using '--group', via '--consumer-property', or via '--consumer.config') do not match. Detected group ids: '{g}', '{p}'"));
        }
    }
    let group = group_opt.or_else(|| props.get("group.id").cloned());
    if group.is_some() && partition.is_some() {
        return bad("Options group and partition cannot be specified together.");
    }
    let offset_spec = opts.values_of("offset").last().map(|s| s.to_string());
    if let Some(o) = &offset_spec {
        let ok = o.eq_ignore_ascii_case("earliest")
            || o.eq_ignore_ascii_case("latest")
            || o.parse::<i64>().is_ok_and(|n| n >= 0);
        if !ok {
            return bad(&format!("The provided offset value '{o}' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long."));
        }
    }
    let max_messages = match opts.int_of("max-messages") {
        Ok(m) => m.filter(|m| *m > 0).map(|m| m as u64),
        Err(e) => return bad(&e.message()),
    };
    let timeout_ms = match opts.int_of("timeout-ms") {
        Ok(t) => t.filter(|t| *t >= 0).map(Millis::from),
        Err(e) => return bad(&e.message()),
    };
    if opts.has("from-beginning") {
        if let Some(r) = props.get("auto.offset.reset") {
            if r != "earliest" {
                return Started::Done(ToolExit::err(
                    format!("Can't simultaneously specify --from-beginning and 'auto.offset.reset={r}', please remove one option\n"),
                    1,
                ));
            }
        }
        props.insert("auto.offset.reset".into(), "earliest".into());
    } else {
        props
            .entry("auto.offset.reset".into())
            .or_insert_with(|| "latest".into());
    }
    if let Some(level) = opts.values_of("isolation-level").last() {
        props.insert("isolation.level".into(), level.to_string());
    }
    props
        .entry("client.id".into())
        .or_insert_with(|| "console-consumer".into());
    let group = match group {
        Some(g) => Some(g),
        None if partition.is_some() => None,
        None => {
            props
                .entry("enable.auto.commit".into())
                .or_insert_with(|| "false".into());
            Some(format!("console-consumer-{}", console.rng.below(100_000)))
        }
    };
    if let Some(g) = &group {
        props.insert("group.id".into(), g.clone());
    }
    let topics: Vec<String> = match (&topic, &include) {
        (Some(t), _) => vec![t.clone()],
        (None, Some(pattern)) => match Regex::new(pattern) {
            Ok(re) => console
                .sim
                .topic_names(true)
                .into_iter()
                .filter(|t| re.matches(t))
                .collect(),
            Err(e) => {
                return Started::Done(unknown_error(
                    &console.sim,
                    &format!("java.util.regex.PatternSyntaxException: {e}"),
                ))
            }
        },
        _ => Vec::new(),
    };
    let mut assign = Vec::new();
    let mut start_offsets = BTreeMap::new();
    if let (Some(p), Some(t)) = (partition, &topic) {
        let tp = TopicPartition::new(t.clone(), p);
        // `seekToBeginning` / `seekToEnd` are offset resets (ListOffsets); a number is a seek.
        match offset_spec.as_deref() {
            Some(o) if o.eq_ignore_ascii_case("earliest") => {
                props.insert("auto.offset.reset".into(), "earliest".into());
            }
            Some(o) if o.eq_ignore_ascii_case("latest") => {
                props.insert("auto.offset.reset".into(), "latest".into());
            }
            Some(o) => {
                if let Ok(n) = o.parse::<i64>() {
                    start_offsets.insert(tp.clone(), n);
                }
            }
            None => {}
        }
        assign.push(tp);
    }
    let client = console.client_name("console-consumer");
    let started = console.sim.apply(Command::StartConsumer {
        name: client.clone(),
        group: if assign.is_empty() { group } else { None },
        topics: if assign.is_empty() {
            topics
        } else {
            Vec::new()
        },
        assign,
        start_offsets,
        configs: props,
        process_time_ms: 0,
    });
    if let Err(e) = started {
        let text = if e.message.starts_with("Invalid value") {
            format!(
                "org.apache.kafka.common.config.ConfigException: {}",
                e.message
            )
        } else {
            format!("{}: {}", e.code.exception(), e.message)
        };
        return Started::Done(unknown_error(&console.sim, &text));
    }
    let format = MessageFormatterConfig::from_properties(&split_props(opts.values_of("property")));
    Started::Running(Task::Consumer(ConsumerRun {
        client,
        format,
        max_messages,
        timeout_ms,
        printed: 0,
        last_progress: console.sim.now(),
        end: None,
        idle_stop: false,
    }))
}

/// `ERROR Unknown error when running consumer: ` with the exception; exit 1.
fn unknown_error(sim: &Sim, exception: &str) -> ToolExit {
    ToolExit::err(
        format!(
            "{}{exception}\n",
            log_line(
                sim.timestamp(),
                "ERROR",
                "Unknown error when running consumer: ",
                LOGGER
            )
        ),
        1,
    )
}

fn to_model(c: &Consumed) -> ConsumedRecord {
    let r = &c.record;
    ConsumedRecord {
        topic: c.tp.topic.to_string(),
        partition: c.tp.partition,
        offset: r.offset(),
        timestamp_type: match r.timestamp_type() {
            crate::engine::log::TimestampType::LogAppendTime => TimestampType::LogAppendTime,
            crate::engine::log::TimestampType::CreateTime => TimestampType::CreateTime,
        },
        timestamp: r.timestamp(),
        key: r.key().map(<[u8]>::to_vec),
        value: r.value().map(<[u8]>::to_vec),
        headers: r
            .headers()
            .into_iter()
            .map(|(k, v)| (k.into_owned(), v.map(<[u8]>::to_vec)))
            .collect(),
    }
}

impl ConsumerRun {
    pub fn has_news(&self, sim: &Sim) -> bool {
        match sim.client(&self.client) {
            Some(Client::Consumer(x)) => !x.consumed.is_empty() || x.error.is_some(),
            _ => true,
        }
    }

    pub fn deadline(&self) -> Option<Millis> {
        if self.end.is_some() {
            return None;
        }
        let timeout = self
            .timeout_ms
            .map(|t| self.last_progress.saturating_add(t));
        let idle = self
            .idle_stop
            .then(|| self.last_progress.saturating_add(IDLE_STOP_MS));
        match (timeout, idle) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    pub fn pump(&mut self, sim: &mut Sim) -> ToolExit {
        let mut out = ToolExit::default();
        if self.end.is_some() {
            return out;
        }
        let records = sim.take_consumed(&self.client);
        if !records.is_empty() {
            self.last_progress = sim.now();
        }
        for c in &records {
            if self.max_messages.is_some_and(|m| self.printed >= m) {
                break;
            }
            out.stdout
                .push_str(&format_record_string(&self.format, &to_model(c)));
            self.printed += 1;
        }
        let error = match sim.client(&self.client) {
            Some(Client::Consumer(x)) => x.error.clone(),
            _ => Some("org.apache.kafka.common.errors.DisconnectException".into()),
        };
        let now = sim.now();
        if self.max_messages.is_some_and(|m| self.printed >= m) {
            self.end = Some(End::MaxMessages);
        } else if let Some(e) = error {
            self.end = Some(End::PollError(e));
        } else if self
            .timeout_ms
            .is_some_and(|t| now >= self.last_progress.saturating_add(t))
        {
            self.end = Some(End::Timeout);
        } else if self.idle_stop && now >= self.last_progress.saturating_add(IDLE_STOP_MS) {
            self.end = Some(End::Idle);
        }
        out
    }

    pub fn finished(&self) -> bool {
        self.end.is_some()
    }

    pub fn give_up(&mut self) {
        if self.end.is_none() {
            self.end = Some(End::Idle);
        }
    }

    pub fn finish(&mut self, sim: &mut Sim) -> ToolExit {
        let ts = sim.timestamp();
        let name = self.client.clone();
        if sim.client(&name).is_some() {
            let stop = Command::StopConsumer {
                name: name.clone(),
                hard: false,
            };
            super::close_client(sim, &name, stop);
        }
        let stderr = match &self.end {
            Some(End::Timeout) => timeout_stderr(&log_timestamp(ts), self.printed),
            Some(End::PollError(e)) => format!(
                "{}{e}\n{}",
                log_line(
                    ts,
                    "ERROR",
                    "Error processing message, terminating consumer process: ",
                    LOGGER
                ),
                processed_total(self.printed)
            ),
            _ => processed_total(self.printed),
        };
        ToolExit {
            stdout: String::new(),
            stderr,
            code: 0,
        }
    }
}
