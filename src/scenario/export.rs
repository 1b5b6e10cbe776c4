//! The way out to a real cluster: a scenario as a kafka-python program and as Kafka's
//! command-line tools. (The scenario JSON itself is `Scenario::to_json`.)
//!
//! The program targets kafka-python 2.3 (tests/export_check.py checks every import, class,
//! keyword argument and config name against the installed package). Kafka's config names map to
//! kafka-python's keyword arguments (`linger.ms` → `linger_ms`); settings kafka-python does not
//! have become comments. Where the Java client's defaults, which the playground simulates,
//! differ from kafka-python's (`acks`, idempotence, `linger.ms`, the assignors, session timeout),
//! the program sets them explicitly so the real run behaves like the simulated one.

use super::{Scenario, TimelineAction};
use crate::console::Tool;
use crate::engine::config::registry::{
    find, COOPERATIVE_STICKY_ASSIGNOR, RANGE_ASSIGNOR, ROUND_ROBIN_ASSIGNOR, STICKY_ASSIGNOR,
};
use crate::engine::config::resolve::resolve;
use crate::engine::config::{ConfigValue, Era, Kind, ProducerConfig, Scope};
use crate::engine::time::human;
use crate::engine::{Command, ControllerMode};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The kafka-python release the program is written for.
pub const KAFKA_PYTHON: &str = "2.3.3";

/// Producer configs kafka-python's `KafkaProducer` accepts, with its argument names.
const PRODUCER_ARGS: &[(&str, &str)] = &[
    ("client.id", "client_id"),
    ("acks", "acks"),
    ("enable.idempotence", "enable_idempotence"),
    ("batch.size", "batch_size"),
    ("linger.ms", "linger_ms"),
    ("retries", "retries"),
    ("delivery.timeout.ms", "delivery_timeout_ms"),
    (
        "max.in.flight.requests.per.connection",
        "max_in_flight_requests_per_connection",
    ),
    ("request.timeout.ms", "request_timeout_ms"),
    ("retry.backoff.ms", "retry_backoff_ms"),
    ("metadata.max.age.ms", "metadata_max_age_ms"),
    ("max.request.size", "max_request_size"),
    ("max.block.ms", "max_block_ms"),
    ("compression.type", "compression_type"),
    ("transactional.id", "transactional_id"),
    ("transaction.timeout.ms", "transaction_timeout_ms"),
];

/// Consumer configs kafka-python's `KafkaConsumer` accepts, with its argument names.
const CONSUMER_ARGS: &[(&str, &str)] = &[
    ("client.id", "client_id"),
    ("group.id", "group_id"),
    ("group.instance.id", "group_instance_id"),
    ("session.timeout.ms", "session_timeout_ms"),
    ("heartbeat.interval.ms", "heartbeat_interval_ms"),
    ("max.poll.interval.ms", "max_poll_interval_ms"),
    ("max.poll.records", "max_poll_records"),
    ("enable.auto.commit", "enable_auto_commit"),
    ("auto.commit.interval.ms", "auto_commit_interval_ms"),
    ("auto.offset.reset", "auto_offset_reset"),
    (
        "partition.assignment.strategy",
        "partition_assignment_strategy",
    ),
    ("isolation.level", "isolation_level"),
    ("fetch.min.bytes", "fetch_min_bytes"),
    ("fetch.max.wait.ms", "fetch_max_wait_ms"),
    ("max.partition.fetch.bytes", "max_partition_fetch_bytes"),
    ("fetch.max.bytes", "fetch_max_bytes"),
    ("metadata.max.age.ms", "metadata_max_age_ms"),
];

/// Java client defaults the program always sets, because kafka-python's differ.
const PRODUCER_ALWAYS: &[&str] = &["acks", "enable.idempotence", "linger.ms"];
const CONSUMER_ALWAYS: &[&str] = &[
    "auto.offset.reset",
    "enable.auto.commit",
    "auto.commit.interval.ms",
    "session.timeout.ms",
    "heartbeat.interval.ms",
    "partition.assignment.strategy",
];

/// kafka-python's assignor for a Java one: (module, class).
fn python_assignor(java: &str) -> Option<(&'static str, &'static str)> {
    match java {
        RANGE_ASSIGNOR => Some((
            "kafka.coordinator.assignors.range",
            "RangePartitionAssignor",
        )),
        ROUND_ROBIN_ASSIGNOR => Some((
            "kafka.coordinator.assignors.roundrobin",
            "RoundRobinPartitionAssignor",
        )),
        STICKY_ASSIGNOR | COOPERATIVE_STICKY_ASSIGNOR => Some((
            "kafka.coordinator.assignors.sticky.sticky_assignor",
            "StickyPartitionAssignor",
        )),
        _ => None,
    }
}

/// A Python string literal (JSON's escapes are valid Python).
fn py_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

/// A Python identifier for a client: `producer_0`, `consumer_1`.
fn var(kind: &str, i: usize) -> String {
    format!("{kind}_{i}")
}

/// One keyword argument, or a comment when kafka-python cannot express the value.
enum Arg {
    Kw(String, String),
    Comment(String),
}

/// The Python value of a config in kafka-python's terms.
fn py_value(scope: Scope, era: Era, name: &str, value: &ConfigValue, imports: &mut Imports) -> Arg {
    let kind = find(scope, name, era).map(|d| d.kind);
    let rendered = value.render();
    let lit = match (name, kind, rendered.as_deref()) {
        (_, _, None) => "None".to_string(),
        ("acks", _, Some("all" | "-1")) => py_str("all"),
        ("acks", _, Some(n)) => n.to_string(),
        ("compression.type", _, Some("none")) => "None".to_string(),
        ("partition.assignment.strategy", _, Some(_)) => {
            let classes = match value {
                ConfigValue::List(l) => l.clone(),
                _ => rendered.iter().cloned().collect(),
            };
            let mut names: Vec<&str> = Vec::new();
            let mut unmapped = Vec::new();
            for c in &classes {
                match python_assignor(c) {
                    Some((module, class)) => {
                        imports.add(module, class);
                        if !names.contains(&class) {
                            names.push(class);
                        }
                    }
                    None => unmapped.push(c.clone()),
                }
            }
            if names.is_empty() {
                return Arg::Comment(format!(
                    "partition.assignment.strategy={} has no kafka-python equivalent",
                    classes.join(",")
                ));
            }
            let mut list = format!("[{}]", names.join(", "));
            if classes.iter().any(|c| c == COOPERATIVE_STICKY_ASSIGNOR) {
                list.push_str(
                    "  # kafka-python has no cooperative-sticky assignor (no incremental cooperative rebalancing): StickyPartitionAssignor keeps assignments sticky but every rebalance is eager (stop-the-world)",
                );
            }
            if !unmapped.is_empty() {
                list.push_str(&format!(
                    "  # not available in kafka-python: {}",
                    unmapped.join(", ")
                ));
            }
            list
        }
        (_, Some(Kind::Bool), Some(v)) => if v == "true" { "True" } else { "False" }.to_string(),
        (_, Some(Kind::Int | Kind::Long | Kind::Short), Some(v)) => v.to_string(),
        (_, _, Some(v)) => py_str(v),
    };
    let table = if scope == Scope::Producer {
        PRODUCER_ARGS
    } else {
        CONSUMER_ARGS
    };
    match table.iter().find(|(k, _)| *k == name) {
        Some((_, arg)) => Arg::Kw(arg.to_string(), lit),
        None => Arg::Comment(format!(
            "{name}={} has no kafka-python equivalent",
            rendered.unwrap_or_else(|| "null".into())
        )),
    }
}

/// The client's keyword arguments: the always-set Java defaults, then every explicit config.
fn client_args(
    scope: Scope,
    era: Era,
    configs: &BTreeMap<String, String>,
    always: &[&str],
    imports: &mut Imports,
) -> Vec<Arg> {
    let Ok(mut resolved) = resolve(scope, era, configs, true) else {
        return vec![Arg::Comment(
            "the scenario's configs did not validate; none are set".into(),
        )];
    };
    if scope == Scope::Producer {
        // Kafka silently turns idempotence off when acks/retries/in-flight conflict with it and
        // it was not set explicitly; kafka-python would refuse the combination instead.
        if let Ok(p) = ProducerConfig::for_era(era, configs) {
            resolved.values.insert(
                "enable.idempotence",
                ConfigValue::Bool(p.enable_idempotence),
            );
        }
    }
    let mut names: Vec<&str> = always.to_vec();
    for k in configs.keys() {
        if !names.contains(&k.as_str()) && k != "group.id" && k != "client.id" {
            names.push(k);
        }
    }
    names
        .into_iter()
        .map(|n| py_value(scope, era, n, resolved.value(n), imports))
        .collect()
}

/// `from module import A, B` lines, sorted.
#[derive(Default)]
struct Imports(BTreeMap<&'static str, Vec<&'static str>>);

impl Imports {
    fn add(&mut self, module: &'static str, name: &'static str) {
        let names = self.0.entry(module).or_default();
        if !names.contains(&name) {
            names.push(name);
            names.sort_unstable();
        }
    }
}

fn era_words(s: &Scenario) -> String {
    let era = match s.cluster.era {
        Era::Kafka4 => "Kafka 4.x defaults",
        Era::ZooKeeper => "ZooKeeper-era (Kafka 2.x) defaults",
    };
    let mode = match s.cluster.mode {
        ControllerMode::Kraft => "KRaft",
        ControllerMode::Zookeeper => "ZooKeeper",
    };
    format!("{} broker(s), {mode}, {era}", s.cluster.brokers)
}

fn title(s: &Scenario) -> String {
    s.title.clone().unwrap_or_else(|| "untitled".into())
}

/// The timeline as comment lines (`# at 30 s: ...`).
fn timeline_comments(s: &Scenario, prefix: &str) -> String {
    let mut out = String::new();
    for e in &s.timeline {
        let what = match &e.action {
            TimelineAction::Console(line) => line.clone(),
            TimelineAction::Command(c) => c.describe(),
        };
        let _ = writeln!(out, "{prefix}at {}: {}", human(e.at_ms), one_line(&what));
    }
    out
}

fn indent_args(out: &mut String, args: &[Arg]) {
    for a in args {
        match a {
            Arg::Kw(k, v) => match v.split_once("  # ") {
                Some((v, comment)) => {
                    let _ = writeln!(out, "        # {comment}");
                    let _ = writeln!(out, "        {k}={v},");
                }
                None => {
                    let _ = writeln!(out, "        {k}={v},");
                }
            },
            Arg::Comment(c) => {
                let _ = writeln!(out, "        # {}", one_line(c));
            }
        }
    }
}

/// A kafka-python program that recreates the scenario on a real cluster: creates the topics
/// with their configs, then runs the producers and consumers for `RUN_SECONDS`.
pub fn to_kafka_python(s: &Scenario) -> String {
    let era = s.cluster.era;
    let mut imports = Imports::default();
    imports.add("kafka", "KafkaAdminClient");
    imports.add("kafka.admin", "NewTopic");
    imports.add("kafka.errors", "TopicAlreadyExistsError");
    if !s.producers.is_empty() {
        imports.add("kafka", "KafkaProducer");
    }
    if !s.consumers.is_empty() {
        imports.add("kafka", "KafkaConsumer");
    }
    let mut body = String::new();
    for (i, p) in s.producers.iter().enumerate() {
        let v = var("producer", i);
        let keys = p.keys.map_or("null keys".to_string(), |k| {
            format!("keys key-0..key-{}", k - 1)
        });
        let _ = writeln!(
            body,
            "    # producer {}: {} record(s)/s to {}, {keys}",
            py_str(&p.name),
            p.rate_per_sec,
            p.topic
        );
        let _ = writeln!(body, "    {v} = KafkaProducer(");
        let _ = writeln!(body, "        bootstrap_servers=BOOTSTRAP_SERVERS,");
        let _ = writeln!(body, "        client_id={},", py_str(&p.name));
        let args = client_args(
            Scope::Producer,
            era,
            &p.configs,
            PRODUCER_ALWAYS,
            &mut imports,
        );
        indent_args(&mut body, &args);
        let _ = writeln!(body, "    )");
        let max = p.max_records.map_or("None".to_string(), |n| n.to_string());
        let keys = p.keys.map_or("None".to_string(), |n| n.to_string());
        let _ = writeln!(
            body,
            "    threads.append(threading.Thread(target=produce, args=({v}, {}, {}, {}, {keys}, {max}, stop)))",
            py_str(&p.name),
            py_str(&p.topic),
            p.rate_per_sec
        );
    }
    for (i, c) in s.consumers.iter().enumerate() {
        let v = var("consumer", i);
        let _ = writeln!(
            body,
            "    # consumer {} in group {}",
            py_str(&c.name),
            py_str(&c.group)
        );
        let _ = writeln!(body, "    {v} = KafkaConsumer(");
        for t in &c.topics {
            let _ = writeln!(body, "        {},", py_str(t));
        }
        let _ = writeln!(body, "        bootstrap_servers=BOOTSTRAP_SERVERS,");
        let _ = writeln!(body, "        client_id={},", py_str(&c.name));
        let _ = writeln!(body, "        group_id={},", py_str(&c.group));
        let args = client_args(
            Scope::Consumer,
            era,
            &c.configs,
            CONSUMER_ALWAYS,
            &mut imports,
        );
        indent_args(&mut body, &args);
        let _ = writeln!(body, "    )");
        let _ = writeln!(
            body,
            "    threads.append(threading.Thread(target=consume, args=({v}, {}, {}, stop)))",
            py_str(&c.name),
            c.process_time_ms
        );
    }

    let mut doc = String::new();
    let _ = writeln!(
        doc,
        "Kafka Playground scenario {}, recreated on a real cluster with kafka-python.",
        one_line(&title(s))
    );
    let _ = writeln!(doc);
    let _ = writeln!(
        doc,
        "Generated for kafka-python {KAFKA_PYTHON}: python3 -m pip install kafka-python=={KAFKA_PYTHON}"
    );
    let _ = writeln!(
        doc,
        "Environment: BOOTSTRAP_SERVERS (default localhost:9092), RUN_SECONDS (default 60)."
    );
    let _ = writeln!(doc);
    let _ = writeln!(doc, "The simulated cluster: {}.", era_words(s));
    if !s.cluster.broker_overrides.is_empty() {
        let _ = writeln!(
            doc,
            "Broker configs are not set by a client; put them in server.properties:"
        );
        for (k, v) in &s.cluster.broker_overrides {
            let _ = writeln!(doc, "    {}={}", one_line(k), one_line(v));
        }
    }
    if !s.timeline.is_empty() {
        let _ = writeln!(
            doc,
            "The scenario's timeline is not replayed here; the CLI export has it:"
        );
        doc.push_str(&timeline_comments(s, "    "));
    }
    let mut out = String::new();
    let _ = writeln!(out, "#!/usr/bin/env python3");
    // Backslashes and quotes escaped: nothing in a scenario can end the docstring early.
    let _ = write!(
        out,
        "\"\"\"{}",
        doc.replace('\\', "\\\\").replace('"', "\\\"")
    );
    let _ = writeln!(out, "\"\"\"");
    let _ = writeln!(out);
    let _ = writeln!(out, "import os");
    let _ = writeln!(out, "import threading");
    let _ = writeln!(out, "import time");
    let _ = writeln!(out);
    for (module, names) in &imports.0 {
        let _ = writeln!(out, "from {module} import {}", names.join(", "));
    }
    out.push_str(
        r#"
BOOTSTRAP_SERVERS = os.environ.get("BOOTSTRAP_SERVERS", "localhost:9092")
RUN_SECONDS = float(os.environ.get("RUN_SECONDS", "60"))


def create_topics():
    admin = KafkaAdminClient(bootstrap_servers=BOOTSTRAP_SERVERS, client_id="playground-admin")
    topics = [
"#,
    );
    for t in &s.topics {
        let configs: Vec<String> = t
            .configs
            .iter()
            .map(|(k, v)| format!("{}: {}", py_str(k), py_str(v)))
            .collect();
        // -1: the broker's num.partitions / default.replication.factor (KIP-464).
        let _ = writeln!(
            out,
            "        NewTopic(name={}, num_partitions={}, replication_factor={}, topic_configs={{{}}}),",
            py_str(&t.name),
            t.partitions.unwrap_or(-1),
            t.replication_factor.unwrap_or(-1),
            configs.join(", ")
        );
    }
    out.push_str(
        r#"    ]
    for topic in topics:
        try:
            admin.create_topics([topic])
            print(f"Created topic {topic.name}.")
        except TopicAlreadyExistsError:
            print(f"Topic {topic.name} already exists.")
    admin.close()


def produce(producer, name, topic, rate_per_sec, keys, max_records, stop):
    """Sends rate_per_sec records a second: keys key-0.. in turn (or None), values name-1, name-2..."""
    interval = 1.0 / rate_per_sec
    next_at = time.monotonic()
    n = 0
    while not stop.is_set() and (max_records is None or n < max_records):
        n += 1
        key = None if keys is None else f"key-{(n - 1) % keys}".encode()
        producer.send(topic, key=key, value=f"{name}-{n}".encode())
        next_at += interval
        stop.wait(max(0.0, next_at - time.monotonic()))
    producer.flush()
    producer.close()


def consume(consumer, name, process_time_ms, stop):
    """Polls until stopped, printing each record; process_time_ms is spent on each one."""
    while not stop.is_set():
        for tp, records in consumer.poll(timeout_ms=500).items():
            for record in records:
                print(f"{name}: {tp.topic}-{tp.partition}@{record.offset} key={record.key} value={record.value}")
                if process_time_ms:
                    time.sleep(process_time_ms / 1000)
    consumer.close()


def main():
    create_topics()
    stop = threading.Event()
    threads = []
"#,
    );
    out.push_str(&body);
    out.push_str(
        r#"    for thread in threads:
        thread.start()
    try:
        time.sleep(RUN_SECONDS)
    finally:
        stop.set()
        for thread in threads:
            thread.join()


if __name__ == "__main__":
    main()
"#,
    );
    out
}

/// A word for the shell: as is when it only has safe characters, in `'...'` otherwise, and in
/// `$'...'` with escapes when it has control characters (so no word spans two lines).
fn sh(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-:/=,@+".contains(c))
    {
        word.to_string()
    } else if word.chars().any(char::is_control) {
        let mut out = String::from("$'");
        for c in word.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\'' => out.push_str("\\'"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                c if c.is_control() => {
                    let mut buf = [0u8; 4];
                    for b in c.encode_utf8(&mut buf).bytes() {
                        out.push_str(&format!("\\x{b:02x}"));
                    }
                }
                c => out.push(c),
            }
        }
        out.push('\'');
        out
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// Seconds between records at `rate` per second, for `sleep` (`0.250`).
fn interval(rate: u32) -> String {
    let ms = 1000 / u64::from(rate.max(1));
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

/// The scenario as Kafka's command-line tools (Apache Kafka's `bin/*.sh` names), a bash script.
pub fn to_kafka_cli(s: &Scenario) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "#!/usr/bin/env bash");
    let _ = writeln!(
        out,
        "# Kafka Playground scenario {}, as Kafka's command-line tools.",
        py_str(&title(s))
    );
    let _ = writeln!(out, "# The simulated cluster: {}.", era_words(s));
    let _ = writeln!(
        out,
        "# Run from the Kafka directory; set BOOTSTRAP (default localhost:9092). Stop with Ctrl-C."
    );
    if !s.cluster.broker_overrides.is_empty() {
        let _ = writeln!(out, "# Broker configs (server.properties):");
        for (k, v) in &s.cluster.broker_overrides {
            let _ = writeln!(out, "#   {k}={v}");
        }
    }
    let _ = writeln!(out, "set -euo pipefail");
    let _ = writeln!(out, "BOOTSTRAP=\"${{BOOTSTRAP:-localhost:9092}}\"");
    let _ = writeln!(out, "trap 'kill $(jobs -p) 2>/dev/null' EXIT");
    let _ = writeln!(out);
    for t in &s.topics {
        let mut line = format!(
            "bin/kafka-topics.sh --bootstrap-server \"$BOOTSTRAP\" --create --if-not-exists --topic {}",
            sh(&t.name)
        );
        if let Some(n) = t.partitions {
            let _ = write!(line, " --partitions {n}");
        }
        if let Some(n) = t.replication_factor {
            let _ = write!(line, " --replication-factor {n}");
        }
        for (k, v) in &t.configs {
            let _ = write!(line, " --config {}", sh(&format!("{k}={v}")));
        }
        let _ = writeln!(out, "{line}");
    }
    for p in &s.producers {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "# producer {}: {} record(s)/s to {} (values {}-1, {}-2, ...)",
            one_line(&p.name),
            p.rate_per_sec,
            p.topic,
            one_line(&p.name),
            one_line(&p.name)
        );
        let counter = match p.max_records {
            Some(n) => format!("for n in $(seq 1 {n}); do"),
            None => "n=0; while :; do n=$((n + 1));".to_string(),
        };
        let (record, props) = match p.keys {
            Some(k) => (
                format!(
                    "printf 'key-%d:%s-%d\\n' $(( (n - 1) % {k} )) {} \"$n\"",
                    sh(&p.name)
                ),
                " --property parse.key=true --property key.separator=:",
            ),
            None => (format!("printf '%s-%d\\n' {} \"$n\"", sh(&p.name)), ""),
        };
        let mut line = format!(
            "{counter} {record}; sleep {}; done \\\n  | bin/kafka-console-producer.sh --bootstrap-server \"$BOOTSTRAP\" --topic {}{props}",
            interval(p.rate_per_sec),
            sh(&p.topic)
        );
        for (k, v) in &p.configs {
            let _ = write!(line, " --producer-property {}", sh(&format!("{k}={v}")));
        }
        let _ = writeln!(out, "{line} &");
    }
    let mut groups: Vec<&str> = Vec::new();
    for c in &s.consumers {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "# consumer {} in group {}",
            one_line(&c.name),
            one_line(&c.group)
        );
        if c.process_time_ms > 0 {
            let _ = writeln!(
                out,
                "# (the simulated consumer spends {} ms on each record; the console consumer does not)",
                c.process_time_ms
            );
        }
        let topics = match c.topics.as_slice() {
            [t] => format!("--topic {}", sh(t)),
            many => {
                let flag = if s.cluster.era == Era::ZooKeeper {
                    "--whitelist"
                } else {
                    "--include"
                };
                format!("{flag} {}", sh(&many.join("|")))
            }
        };
        let mut line = format!(
            "bin/kafka-console-consumer.sh --bootstrap-server \"$BOOTSTRAP\" {topics} --group {} --property print.key=true --property print.partition=true",
            sh(&c.group)
        );
        for (k, v) in c.configs.iter().filter(|(k, _)| k.as_str() != "group.id") {
            let _ = write!(line, " --consumer-property {}", sh(&format!("{k}={v}")));
        }
        let _ = writeln!(out, "{line} &");
        if !groups.contains(&c.group.as_str()) {
            groups.push(&c.group);
        }
    }
    let mut clock = 0;
    if !s.timeline.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "# The timeline");
    }
    for e in &s.timeline {
        if e.at_ms > clock {
            let _ = writeln!(out, "sleep {}", interval_ms(e.at_ms - clock));
            clock = e.at_ms;
        }
        match &e.action {
            TimelineAction::Console(line) => out.push_str(&console_cli(line)),
            TimelineAction::Command(c) => {
                let _ = writeln!(out, "{}", command_cli(c));
            }
        }
    }
    if !groups.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "sleep 15  # let the groups form and consume");
        for g in groups {
            let _ = writeln!(
                out,
                "bin/kafka-consumer-groups.sh --bootstrap-server \"$BOOTSTRAP\" --describe --group {}",
                sh(g)
            );
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "wait");
    out
}

/// Text for a comment or docstring line: control characters (newlines above all) escaped, so a
/// name can never end the comment and become code.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// A timeline console line for bash: Kafka's tools re-quoted from the parsed words (so nothing
/// but the tool runs), everything else as a comment.
fn console_cli(line: &str) -> String {
    let Ok(commands) = crate::console::parse_script(line) else {
        return format!("# (not a valid command line) {}\n", one_line(line));
    };
    let mut out = String::new();
    for c in commands {
        let Some(program) = c.argv.first() else {
            continue;
        };
        let words: Vec<String> = c.argv.iter().map(|w| sh(w)).collect();
        if Tool::from_command(program).is_none() {
            let _ = writeln!(out, "# playground only: {}", one_line(&words.join(" ")));
            continue;
        }
        let stdin = c
            .stdin
            .as_deref()
            .map(|text| format!("printf '%s' {} | ", sh(text)))
            .unwrap_or_default();
        let background = if c.background { " &" } else { "" };
        let _ = writeln!(out, "{stdin}{}{background}", words.join(" "));
    }
    out
}

/// `sleep` argument for a duration in milliseconds.
fn interval_ms(ms: i64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

/// An engine command as a CLI line where Kafka's tools have one; a comment otherwise.
fn command_cli(c: &Command) -> String {
    let b = "--bootstrap-server \"$BOOTSTRAP\"";
    match c {
        Command::CreateTopic {
            name,
            partitions,
            replication_factor,
            configs,
            ..
        } => {
            let mut line = format!("bin/kafka-topics.sh {b} --create --topic {}", sh(name));
            if let Some(n) = partitions {
                let _ = write!(line, " --partitions {n}");
            }
            if let Some(n) = replication_factor {
                let _ = write!(line, " --replication-factor {n}");
            }
            for (k, v) in configs {
                let _ = write!(line, " --config {}", sh(&format!("{k}={v}")));
            }
            line
        }
        Command::DeleteTopic { name } => {
            format!("bin/kafka-topics.sh {b} --delete --topic {}", sh(name))
        }
        Command::AddPartitions { topic, total } => format!(
            "bin/kafka-topics.sh {b} --alter --topic {} --partitions {total}",
            sh(topic)
        ),
        Command::AlterTopicConfig { topic, set, delete } => {
            let mut line = format!(
                "bin/kafka-configs.sh {b} --alter --entity-type topics --entity-name {}",
                sh(topic)
            );
            if !set.is_empty() {
                let kv: Vec<String> = set.iter().map(|(k, v)| format!("{k}={v}")).collect();
                let _ = write!(line, " --add-config {}", sh(&kv.join(",")));
            }
            if !delete.is_empty() {
                let _ = write!(line, " --delete-config {}", sh(&delete.join(",")));
            }
            line
        }
        Command::Produce {
            topic, key, value, ..
        } => match key {
            Some(k) => format!(
                "printf '%s:%s\\n' {} {} | bin/kafka-console-producer.sh {b} --topic {} --property parse.key=true --property key.separator=:",
                sh(k),
                sh(value.as_deref().unwrap_or("")),
                sh(topic)
            ),
            None => format!(
                "printf '%s\\n' {} | bin/kafka-console-producer.sh {b} --topic {}",
                sh(value.as_deref().unwrap_or("")),
                sh(topic)
            ),
        },
        Command::DeleteGroup { group } => format!(
            "bin/kafka-consumer-groups.sh {b} --delete --group {}",
            sh(group)
        ),
        Command::DeleteRecords { tp, offset } => format!(
            "echo '{{\"partitions\": [{{\"topic\": {}, \"partition\": {}, \"offset\": {offset}}}], \"version\": 1}}' > /tmp/delete-records.json && bin/kafka-delete-records.sh {b} --offset-json-file /tmp/delete-records.json",
            py_str(&tp.topic),
            tp.partition
        ),
        Command::StopBroker { id, hard } => format!(
            "# stop broker {id}{} (bin/kafka-server-stop.sh on that machine{})",
            if *hard { " hard" } else { "" },
            if *hard { "; kill -9 for a crash" } else { "" }
        ),
        Command::StartBroker { id } => format!(
            "# start broker {id} (bin/kafka-server-start.sh config/server.properties on that machine)"
        ),
        other => format!("# {} (no CLI equivalent; do it in your application)", other.describe()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::default_scenario;

    #[test]
    fn python_sets_the_java_defaults_and_maps_names() {
        let py = to_kafka_python(&default_scenario());
        assert!(py.contains("from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer\n"));
        assert!(py.contains(
            "        NewTopic(name=\"orders\", num_partitions=3, replication_factor=3, topic_configs={}),\n"
        ));
        // Kafka 4.x producer defaults, spelled the kafka-python way.
        assert!(
            py.contains(
                "        acks=\"all\",\n        enable_idempotence=True,\n        linger_ms=5,\n"
            ),
            "{py}"
        );
        assert!(py.contains("        auto_offset_reset=\"earliest\",\n"));
        assert!(py.contains("# kafka-python has no cooperative-sticky assignor"));
        assert!(py.contains(
            "        partition_assignment_strategy=[RangePartitionAssignor, StickyPartitionAssignor],\n"
        ));
        assert!(py.contains("args=(producer_0, \"checkout\", \"orders\", 4, 6, None, stop)"));
    }

    #[test]
    fn zookeeper_era_defaults_and_unmappable_configs() {
        let mut s = default_scenario();
        s.cluster.era = Era::ZooKeeper;
        s.cluster.mode = ControllerMode::Zookeeper;
        s.producers[0].configs.insert(
            "partitioner.class".into(),
            crate::engine::config::registry::ROUND_ROBIN_PARTITIONER.into(),
        );
        let py = to_kafka_python(&s);
        assert!(
            py.contains(
                "        acks=1,\n        enable_idempotence=False,\n        linger_ms=0,\n"
            ),
            "{py}"
        );
        assert!(py.contains("        # partitioner.class=org.apache.kafka.clients.producer.RoundRobinPartitioner has no kafka-python equivalent\n"));
        assert!(py.contains("partition_assignment_strategy=[RangePartitionAssignor],"));
    }

    #[test]
    fn cli_creates_topics_with_configs_and_feeds_producers_at_their_rate() {
        let mut s = default_scenario();
        s.topics[0]
            .configs
            .insert("retention.ms".into(), "60000".into());
        s.timeline.push(crate::scenario::TimelineEntry {
            at_ms: 30_000,
            action: TimelineAction::Console("broker kill 1".into()),
        });
        let cli = to_kafka_cli(&s);
        assert!(cli.contains("bin/kafka-topics.sh --bootstrap-server \"$BOOTSTRAP\" --create --if-not-exists --topic orders --partitions 3 --replication-factor 3 --config retention.ms=60000\n"), "{cli}");
        assert!(cli.contains("n=0; while :; do n=$((n + 1)); printf 'key-%d:%s-%d\\n' $(( (n - 1) % 6 )) checkout \"$n\"; sleep 0.250; done \\\n  | bin/kafka-console-producer.sh --bootstrap-server \"$BOOTSTRAP\" --topic orders --property parse.key=true --property key.separator=: &\n"), "{cli}");
        assert!(cli.contains("--group orders-app --property print.key=true --property print.partition=true --consumer-property auto.offset.reset=earliest &\n"));
        assert!(cli.contains("sleep 30.000\n# playground only: broker kill 1\n"));
        assert!(cli.contains("bin/kafka-consumer-groups.sh --bootstrap-server \"$BOOTSTRAP\" --describe --group orders-app\n"));
        assert_eq!(sh("it's"), "'it'\\''s'");
        assert_eq!(sh("a'b\nc\\d"), "$'a\\'b\\nc\\\\d'");
    }
}
