//! `kafka-console-producer` (`ConsoleProducer`, `LineMessageReader`; formats §3): reads lines
//! from standard input, sends each as a record, and finishes once every record is acknowledged
//! or has failed (`delivery.timeout.ms`).

use super::{bootstrap_error, usage, Started, Task};
use crate::console::format::errors::{log_line, log_line_with_exception, JavaException};
use crate::console::options::{missing_required, ParsedOptions};
use crate::console::output::ToolExit;
use crate::console::run::Console;
use crate::console::Tool;
use crate::engine::client::Client;
use crate::engine::config::client::DELIVERY_TIMEOUT_TOO_SHORT;
use crate::engine::{Command, ErrorCode, Sim};
use std::collections::BTreeMap;

const CALLBACK_LOGGER: &str = "org.apache.kafka.clients.producer.internals.ErrorLoggingCallback";
const KAFKA_EXCEPTION: &str = "org.apache.kafka.common.KafkaException";

/// A console producer whose records are on their way.
pub struct ProducerRun {
    client: String,
    /// Printed on the first pump (a reader error, send errors raised at once).
    pending: ToolExit,
    done: bool,
    code: i32,
}

/// `LineMessageReader` properties.
struct Reader {
    parse_key: bool,
    key_separator: String,
    ignore_error: bool,
    null_marker: Option<String>,
}

impl Reader {
    /// `LineMessageReader.configure`, with its checks in its order (the header separators are
    /// read only for them: records cannot carry headers yet).
    fn configure(props: &[(String, String)]) -> Result<Reader, String> {
        let get = |k: &str| {
            props
                .iter()
                .rev()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
        };
        let flag = |k: &str| get(k).is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
        // Each property as set, else its default (`null.marker` has none).
        let setting = |k: &str| {
            let default = match k {
                "key.separator" | "headers.delimiter" => Some("\t"),
                "headers.separator" => Some(","),
                "headers.key.separator" => Some(":"),
                _ => None,
            };
            get(k).or_else(|| default.map(str::to_string))
        };
        let must_differ = [
            ("headers.delimiter", "headers.separator"),
            ("headers.delimiter", "headers.key.separator"),
            ("headers.separator", "headers.key.separator"),
            ("null.marker", "key.separator"),
            ("null.marker", "headers.separator"),
            ("null.marker", "headers.delimiter"),
            ("null.marker", "headers.key.separator"),
        ];
        if let Some((a, b)) = must_differ.iter().find(|(a, b)| setting(a) == setting(b)) {
            return Err(format!("{a} and {b} may not be equal"));
        }
        Ok(Reader {
            parse_key: flag("parse.key"),
            key_separator: setting("key.separator").unwrap_or_default(),
            ignore_error: flag("ignore.error"),
            null_marker: get("null.marker"),
        })
    }

    fn nullable(&self, s: &str) -> Option<String> {
        match &self.null_marker {
            Some(m) if m == s => None,
            _ => Some(s.to_string()),
        }
    }

    /// (key, value) of line `n`, or the reader's exception.
    fn parse(&self, n: usize, line: &str) -> Result<(Option<String>, Option<String>), String> {
        if !self.parse_key {
            return Ok((None, self.nullable(line)));
        }
        // `indexOf`: an empty separator is found at 0 (an empty key, the whole line as value).
        match line.find(self.key_separator.as_str()) {
            Some(i) => Ok((
                self.nullable(&line[..i]),
                self.nullable(&line[i + self.key_separator.len()..]),
            )),
            _ if self.ignore_error => Ok((None, self.nullable(line))),
            _ => Err(format!(
                "No key separator found on line number {n}: '{line}'"
            )),
        }
    }
}

fn split_props(values: Vec<&str>) -> Vec<(String, String)> {
    values
        .into_iter()
        .map(|a| match a.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (a.to_string(), String::new()),
        })
        .collect()
}

/// The producer configs as `ConsoleProducer.producerProps` builds them: `--producer-property`
/// values, then each tool option when given or when the property is not set yet.
fn producer_configs(opts: &ParsedOptions) -> BTreeMap<String, String> {
    let mut props: BTreeMap<String, String> = split_props(opts.values_of("producer-property"))
        .into_iter()
        .collect();
    let merge = |props: &mut BTreeMap<String, String>, key: &str, opt: &str, default: &str| {
        let given = opts.values_of(opt).last().map(|v| v.to_string());
        if let Some(v) = given {
            props.insert(key.into(), v);
        } else if !props.contains_key(key) {
            props.insert(key.into(), default.into());
        }
    };
    merge(&mut props, "linger.ms", "timeout", "1000");
    merge(&mut props, "acks", "request-required-acks", "-1");
    merge(
        &mut props,
        "request.timeout.ms",
        "request-timeout-ms",
        "1500",
    );
    merge(&mut props, "retries", "message-send-max-retries", "3");
    merge(&mut props, "retry.backoff.ms", "retry-backoff-ms", "100");
    merge(&mut props, "batch.size", "batch-size", "16384");
    if opts.has("compression-codec") {
        let codec = opts
            .values_of("compression-codec")
            .last()
            .map(|s| s.to_string());
        props.insert(
            "compression.type".into(),
            codec.unwrap_or_else(|| "gzip".into()),
        );
    }
    props
        .entry("client.id".into())
        .or_insert_with(|| "console-producer".into());
    props
}

pub fn start(console: &mut Console, opts: &ParsedOptions, stdin: Option<&str>) -> Started {
    let tool = Tool::ConsoleProducer;
    if !opts.has("topic") {
        return Started::Done(usage(tool, &missing_required("topic")));
    }
    let bootstrap = opts
        .values_of("bootstrap-server")
        .last()
        .copied()
        .unwrap_or("");
    if let Some(msg) = bootstrap_error(bootstrap) {
        return Started::Done(usage(tool, msg));
    }
    let topic = opts
        .values_of("topic")
        .last()
        .copied()
        .unwrap_or("")
        .to_string();
    let props = split_props(opts.values_of("property"));
    // `ConsoleProducer.start` configures the reader before it builds the producer.
    let reader = match Reader::configure(&props) {
        Ok(r) => r,
        Err(msg) => {
            return Started::Done(ToolExit::err(
                JavaException::new(KAFKA_EXCEPTION, Some(&msg)).stack_trace(),
                1,
            ))
        }
    };
    if props
        .iter()
        .any(|(k, v)| k == "parse.headers" && v.trim().eq_ignore_ascii_case("true"))
    {
        return Started::Done(ToolExit::err(
            "kafka-console-producer: parse.headers=true is not available yet in this version of the playground (records cannot carry headers yet)\n",
            1,
        ));
    }
    let Some(input) = stdin else {
        return Started::Done(ToolExit::err(
            "kafka-playground: kafka-console-producer reads records from standard input: give them with a here-document (<<EOF ... EOF) or a pipe (echo 'k:v' | ...)\n",
            0,
        ));
    };
    let client = console.client_name("console-producer");
    let configs = producer_configs(opts);
    let client_id = configs.get("client.id").cloned().unwrap_or_default();
    let started = console.sim.apply(Command::StartProducer {
        name: client.clone(),
        configs,
        workload: None,
    });
    if let Err(e) = started {
        // `ProducerConfig` and the `KafkaProducer` constructor check the configs on the client:
        // a `ConfigException` (`InvalidConfigurationException` is a broker's answer).
        let class = if e.code == ErrorCode::InvalidConfig {
            "org.apache.kafka.common.config.ConfigException"
        } else {
            e.code.exception()
        };
        let mut trace = JavaException::new(class, Some(&e.message)).stack_trace();
        // `new ProducerConfig` throws as is; what the `KafkaProducer` constructor's body throws
        // comes wrapped (its `catch (Throwable t)`), printed with its cause.
        if e.message == DELIVERY_TIMEOUT_TOO_SHORT {
            trace = format!(
                "{}Caused by: {trace}",
                JavaException::new(KAFKA_EXCEPTION, Some("Failed to construct kafka producer"))
                    .stack_trace()
            );
        }
        return Started::Done(ToolExit::err(trace, 1));
    }
    let mut run = ProducerRun {
        client: client.clone(),
        pending: ToolExit::default(),
        done: false,
        code: 0,
    };
    let ts = console.sim.timestamp();
    let mut topic_missing = console.sim.topic(&topic).is_none();
    for (i, line) in input.lines().enumerate() {
        let (key, value) = match reader.parse(i + 1, line) {
            Ok(kv) => kv,
            Err(msg) => {
                run.pending
                    .stderr
                    .push_str(&JavaException::new(KAFKA_EXCEPTION, Some(&msg)).stack_trace());
                run.code = 1;
                break;
            }
        };
        let sent = console.sim.apply(Command::Produce {
            producer: client.clone(),
            topic: topic.clone(),
            partition: None,
            key: key.clone(),
            value: value.clone(),
            timestamp: None,
        });
        if topic_missing && console.sim.topic(&topic).is_some() {
            topic_missing = false;
            run.pending
                .stderr
                .push_str(&auto_creation_warning(ts, &client_id, &topic));
        }
        if let Err(e) = sent {
            let ex = JavaException::new(e.code.exception(), Some(&e.message));
            run.pending.stderr.push_str(&send_error(
                ts,
                &topic,
                key.as_deref(),
                value.as_deref(),
                &ex,
            ));
        }
    }
    Started::Running(Task::Producer(run))
}

/// The WARN `NetworkClient` logs when the metadata it asked for names a topic the broker is
/// still creating: a KRaft broker answers `UNKNOWN_TOPIC_OR_PARTITION` while it auto-creates
/// (`AutoTopicCreationManager`). The correlation id depends on the requests the producer made
/// before; 5 is what a fresh console producer shows.
fn auto_creation_warning(ts: i64, client_id: &str, topic: &str) -> String {
    log_line(
        ts,
        "WARN",
        &format!(
            "[Producer clientId={client_id}] The metadata response from the cluster reported a recoverable issue with correlation id 5 : {{{topic}=UNKNOWN_TOPIC_OR_PARTITION}}"
        ),
        "org.apache.kafka.clients.NetworkClient",
    )
}

fn size(s: Option<&str>) -> String {
    match s {
        Some(v) => format!("{} bytes", v.len()),
        None => "null".into(),
    }
}

/// `ErrorLoggingCallback`'s log entry for a failed send.
fn send_error(
    ts: i64,
    topic: &str,
    key: Option<&str>,
    value: Option<&str>,
    e: &JavaException,
) -> String {
    log_line_with_exception(
        ts,
        "ERROR",
        &format!(
            "Error when sending message to topic {topic} with key: {}, value: {} with error:",
            size(key),
            size(value)
        ),
        CALLBACK_LOGGER,
        e,
    )
}

impl ProducerRun {
    pub fn has_news(&self, sim: &Sim) -> bool {
        match sim.client(&self.client) {
            Some(Client::Producer(p)) => p.stats.acked + p.stats.failed >= p.stats.sent,
            _ => true,
        }
    }

    pub fn pump(&mut self, sim: &mut Sim) -> ToolExit {
        let mut out = std::mem::take(&mut self.pending);
        if self.done || !self.has_news(sim) {
            return out;
        }
        let ts = sim.timestamp();
        for d in sim.take_deliveries(&self.client) {
            if let Some((code, msg)) = &d.error {
                let ex = JavaException::new(code.exception(), Some(msg));
                out.stderr.push_str(&send_error(
                    ts,
                    &d.tp.topic,
                    d.key.as_deref(),
                    d.value.as_deref(),
                    &ex,
                ));
            }
        }
        self.done = true;
        out
    }

    pub fn finished(&self) -> bool {
        self.done
    }

    pub fn give_up(&mut self) {
        self.done = true;
    }

    pub fn finish(&mut self, sim: &mut Sim) -> ToolExit {
        let mut out = std::mem::take(&mut self.pending);
        let name = self.client.clone();
        super::close_client(sim, &name, Command::StopProducer { name: name.clone() });
        out.code = self.code;
        out
    }
}
