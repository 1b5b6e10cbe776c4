//! The scenario file (JSON, version 1): reading with every problem reported at its path, and
//! writing. The format is documented in docs/scenario-format.md.
//!
//! Reading walks a `serde_json::Value` by hand instead of deriving `Deserialize`: serde stops at
//! the first problem, and a tutorial author wants the whole list. Unknown fields are errors, so a
//! typo (`"partitons"`) never silently falls back to a default.

use super::command::{command_from_json, command_to_json};
use super::validate::validate;
use super::{
    ConsumerSpec, ProducerSpec, Scenario, ScenarioError, TimelineAction, TimelineEntry, TopicSpec,
    FORMAT_VERSION,
};
use crate::engine::cluster::{MAX_BROKERS, MAX_PARTITIONS};
use crate::engine::command::MAX_RATE;
use crate::engine::config::Era;
use crate::engine::time::Millis;
use crate::engine::{ClusterSpec, ControllerMode};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// The latest simulated time a timeline entry may use: 30 days.
pub const MAX_AT_MS: Millis = 30 * 24 * 3_600_000;
/// The longest per-record processing time: 10 minutes.
pub const MAX_PROCESS_TIME_MS: Millis = 600_000;
/// The most topics, producers, consumers or timeline entries one file may list.
pub const MAX_ITEMS: usize = 1_000;

/// Collected problems.
#[derive(Default)]
pub(crate) struct Problems(pub Vec<ScenarioError>);

impl Problems {
    pub fn add(&mut self, path: &str, message: impl Into<String>) {
        self.0.push(ScenarioError::new(path, message));
    }
}

/// `parent.key` (or `key` at the root).
pub(crate) fn field_path(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

/// A short rendering of a JSON value for messages.
pub(crate) fn shown(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(57).collect::<String>())
    } else {
        s
    }
}

/// The object at `path` with only `allowed` keys; unknown keys are reported.
pub(crate) fn object<'a>(
    v: &'a Value,
    path: &str,
    allowed: &[&str],
    p: &mut Problems,
) -> Option<&'a Map<String, Value>> {
    let Some(map) = v.as_object() else {
        p.add(path, format!("must be an object {{...}}; got {}", shown(v)));
        return None;
    };
    for key in map.keys() {
        if !allowed.contains(&key.as_str()) {
            p.add(
                &field_path(path, key),
                format!("unknown field; allowed here: {}", allowed.join(", ")),
            );
        }
    }
    Some(map)
}

/// A required field.
pub(crate) fn required<'a>(
    map: &'a Map<String, Value>,
    path: &str,
    key: &str,
    p: &mut Problems,
) -> Option<&'a Value> {
    let v = map.get(key);
    if v.is_none() {
        p.add(&field_path(path, key), "is required");
    }
    v
}

/// A whole number in `min..=max`.
pub(crate) fn int_in(v: &Value, path: &str, min: i64, max: i64, p: &mut Problems) -> Option<i64> {
    match v.as_i64() {
        Some(n) if (min..=max).contains(&n) => Some(n),
        _ => {
            p.add(
                path,
                format!(
                    "must be a whole number from {min} to {max}; got {}",
                    shown(v)
                ),
            );
            None
        }
    }
}

/// A non-empty string.
pub(crate) fn string(v: &Value, path: &str, p: &mut Problems) -> Option<String> {
    match v.as_str() {
        Some(s) if !s.is_empty() => Some(s.to_string()),
        Some(_) => {
            p.add(path, "must not be empty");
            None
        }
        None => {
            p.add(path, format!("must be a string; got {}", shown(v)));
            None
        }
    }
}

/// A `{"name": "value"}` config map. Numbers and booleans are accepted and kept in Kafka's
/// string form (`60000` → `"60000"`), so authors may write either.
pub(crate) fn config_map(v: &Value, path: &str, p: &mut Problems) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Some(map) = v.as_object() else {
        p.add(
            path,
            format!(
                "must be an object of config names to values, e.g. {{\"retention.ms\": \"60000\"}}; got {}",
                shown(v)
            ),
        );
        return out;
    };
    for (k, val) in map {
        let at = format!("{path}[{}]", Value::String(k.clone()));
        let s = match val {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => {
                p.add(
                    &at,
                    format!(
                        "a config value must be a string, number or boolean; got {}",
                        shown(val)
                    ),
                );
                continue;
            }
        };
        out.insert(k.clone(), s);
    }
    out
}

/// An array of at most [`MAX_ITEMS`] elements.
fn array<'a>(v: &'a Value, path: &str, p: &mut Problems) -> &'a [Value] {
    match v.as_array() {
        Some(a) if a.len() <= MAX_ITEMS => a,
        Some(a) => {
            p.add(
                path,
                format!("at most {MAX_ITEMS} entries; got {}", a.len()),
            );
            &[]
        }
        None => {
            p.add(path, format!("must be an array [...]; got {}", shown(v)));
            &[]
        }
    }
}

const TOP: &[&str] = &[
    "version",
    "title",
    "description",
    "seed",
    "era",
    "cluster",
    "topics",
    "producers",
    "consumers",
    "timeline",
];
const CLUSTER: &[&str] = &[
    "brokers",
    "racks",
    "controller",
    "controllers",
    "combined",
    "broker_configs",
    "network_latency_ms",
];
const TOPIC: &[&str] = &["name", "partitions", "replication_factor", "configs"];
const PRODUCER: &[&str] = &[
    "name",
    "topic",
    "rate_per_sec",
    "keys",
    "max_records",
    "configs",
];
const CONSUMER: &[&str] = &["name", "group", "topics", "configs", "process_time_ms"];
const ENTRY: &[&str] = &["at_ms", "console", "command"];

/// Parses and validates a scenario file.
pub fn from_json(text: &str) -> Result<Scenario, Vec<ScenarioError>> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        vec![ScenarioError::new(
            "",
            format!(
                "not valid JSON: {e} (line {}, column {})",
                e.line(),
                e.column()
            ),
        )]
    })?;
    from_value(&value)
}

/// Reads and validates a scenario from parsed JSON.
pub fn from_value(value: &Value) -> Result<Scenario, Vec<ScenarioError>> {
    let mut p = Problems::default();
    let scenario = read(value, &mut p);
    if p.0.is_empty() {
        validate(&scenario, &mut p);
    }
    // The engine is the final judge: anything the checks above missed is reported with the
    // path of the element it rejected.
    if p.0.is_empty() {
        if let Err(e) = scenario.setup_sim() {
            p.0.push(e);
        }
    }
    if p.0.is_empty() {
        Ok(scenario)
    } else {
        Err(p.0)
    }
}

fn read(value: &Value, p: &mut Problems) -> Scenario {
    let mut s = Scenario {
        title: None,
        description: None,
        seed: 0,
        cluster: ClusterSpec::default(),
        topics: Vec::new(),
        producers: Vec::new(),
        consumers: Vec::new(),
        timeline: Vec::new(),
    };
    let Some(top) = object(value, "", TOP, p) else {
        return s;
    };
    match top.get("version") {
        None => p.add(
            "version",
            format!("is required: this playground reads version {FORMAT_VERSION}"),
        ),
        Some(v) if v.as_u64() == Some(FORMAT_VERSION) => {}
        Some(v) if v.as_u64().is_some_and(|n| n > FORMAT_VERSION) => p.add(
            "version",
            format!(
                "version {} is newer than this playground understands (it reads version {FORMAT_VERSION})",
                shown(v)
            ),
        ),
        Some(v) => p.add(
            "version",
            format!("must be {FORMAT_VERSION}; got {}", shown(v)),
        ),
    }
    for (key, slot) in [("title", &mut s.title), ("description", &mut s.description)] {
        if let Some(v) = top.get(key) {
            match v.as_str() {
                Some(t) => *slot = Some(t.to_string()),
                None => p.add(key, format!("must be a string; got {}", shown(v))),
            }
        }
    }
    if let Some(v) = required(top, "", "seed", p) {
        match v.as_u64() {
            Some(n) => s.seed = n,
            None => p.add(
                "seed",
                format!(
                    "must be a whole number from 0 to {}; got {}",
                    u64::MAX,
                    shown(v)
                ),
            ),
        }
    }
    let era = match top.get("era").map(|v| (v, v.as_str())) {
        None | Some((_, Some("4"))) => Era::Kafka4,
        Some((_, Some("2"))) => Era::ZooKeeper,
        Some((v, _)) => {
            p.add(
                "era",
                format!(
                    "must be \"4\" (Kafka 4.x, KRaft defaults) or \"2\" (the ZooKeeper era, Kafka 2.x defaults); got {}",
                    shown(v)
                ),
            );
            Era::Kafka4
        }
    };
    s.cluster = read_cluster(top.get("cluster"), era, p);
    if let Some(v) = top.get("topics") {
        for (i, t) in array(v, "topics", p).iter().enumerate() {
            if let Some(t) = read_topic(t, &format!("topics[{i}]"), p) {
                s.topics.push(t);
            }
        }
    }
    if let Some(v) = top.get("producers") {
        for (i, x) in array(v, "producers", p).iter().enumerate() {
            if let Some(x) = read_producer(x, &format!("producers[{i}]"), p) {
                s.producers.push(x);
            }
        }
    }
    if let Some(v) = top.get("consumers") {
        for (i, x) in array(v, "consumers", p).iter().enumerate() {
            if let Some(x) = read_consumer(x, &format!("consumers[{i}]"), p) {
                s.consumers.push(x);
            }
        }
    }
    if let Some(v) = top.get("timeline") {
        for (i, x) in array(v, "timeline", p).iter().enumerate() {
            if let Some(x) = read_entry(x, &format!("timeline[{i}]"), p) {
                s.timeline.push(x);
            }
        }
    }
    s
}

fn read_cluster(v: Option<&Value>, era: Era, p: &mut Problems) -> ClusterSpec {
    let mut c = ClusterSpec {
        era,
        mode: match era {
            Era::Kafka4 => ControllerMode::Kraft,
            Era::ZooKeeper => ControllerMode::Zookeeper,
        },
        ..ClusterSpec::default()
    };
    let Some(v) = v else {
        return c;
    };
    let Some(map) = object(v, "cluster", CLUSTER, p) else {
        return c;
    };
    if let Some(v) = map.get("brokers") {
        if let Some(n) = int_in(v, "cluster.brokers", 1, i64::from(MAX_BROKERS), p) {
            c.brokers = n as u32;
        }
    }
    if let Some(v) = map.get("racks") {
        for (i, r) in array(v, "cluster.racks", p).iter().enumerate() {
            if let Some(r) = string(r, &format!("cluster.racks[{i}]"), p) {
                c.racks.push(r);
            }
        }
    }
    if let Some(v) = map.get("controller") {
        match v.as_str() {
            Some("kraft") => c.mode = ControllerMode::Kraft,
            Some("zookeeper") => c.mode = ControllerMode::Zookeeper,
            _ => p.add(
                "cluster.controller",
                format!("must be \"kraft\" or \"zookeeper\"; got {}", shown(v)),
            ),
        }
    }
    if let Some(v) = map.get("controllers") {
        match int_in(v, "cluster.controllers", 1, 5, p) {
            Some(n) if n % 2 == 1 => c.controllers = n as u32,
            Some(n) => p.add(
                "cluster.controllers",
                format!("must be 1, 3 or 5 (a majority must be alive; an even count adds no fault tolerance); got {n}"),
            ),
            None => {}
        }
    }
    if let Some(v) = map.get("combined") {
        match v.as_bool() {
            Some(b) => c.combined = b,
            None => p.add(
                "cluster.combined",
                format!(
                    "must be true (KRaft combined mode: the controller voters run inside the first brokers) or false; got {}",
                    shown(v)
                ),
            ),
        }
    }
    if let Some(v) = map.get("broker_configs") {
        c.broker_overrides = config_map(v, "cluster.broker_configs", p);
    }
    if let Some(v) = map.get("network_latency_ms") {
        if let Some(n) = int_in(v, "cluster.network_latency_ms", 0, 60_000, p) {
            c.network_latency_ms = n;
        }
    }
    c
}

fn read_topic(v: &Value, path: &str, p: &mut Problems) -> Option<TopicSpec> {
    let map = object(v, path, TOPIC, p)?;
    let name = required(map, path, "name", p).and_then(|v| string(v, &field_path(path, "name"), p));
    let partitions = map.get("partitions").and_then(|v| {
        int_in(
            v,
            &field_path(path, "partitions"),
            1,
            i64::from(MAX_PARTITIONS),
            p,
        )
    });
    let replication_factor = map.get("replication_factor").and_then(|v| {
        int_in(
            v,
            &field_path(path, "replication_factor"),
            1,
            i64::from(MAX_BROKERS),
            p,
        )
    });
    let configs = map
        .get("configs")
        .map(|v| config_map(v, &field_path(path, "configs"), p))
        .unwrap_or_default();
    Some(TopicSpec {
        name: name?,
        partitions: partitions.map(|n| n as i32),
        replication_factor: replication_factor.map(|n| n as i16),
        configs,
    })
}

fn read_producer(v: &Value, path: &str, p: &mut Problems) -> Option<ProducerSpec> {
    let map = object(v, path, PRODUCER, p)?;
    let name = required(map, path, "name", p).and_then(|v| string(v, &field_path(path, "name"), p));
    let topic =
        required(map, path, "topic", p).and_then(|v| string(v, &field_path(path, "topic"), p));
    let rate = required(map, path, "rate_per_sec", p).and_then(|v| {
        int_in(
            v,
            &field_path(path, "rate_per_sec"),
            1,
            i64::from(MAX_RATE),
            p,
        )
    });
    let keys = match map.get("keys") {
        None | Some(Value::Null) => Some(None),
        Some(v) => {
            int_in(v, &field_path(path, "keys"), 1, i64::from(u32::MAX), p).map(|n| Some(n as u32))
        }
    };
    let max_records = match map.get("max_records") {
        None | Some(Value::Null) => Some(None),
        Some(v) => {
            int_in(v, &field_path(path, "max_records"), 1, i64::MAX, p).map(|n| Some(n as u64))
        }
    };
    let configs = map
        .get("configs")
        .map(|v| config_map(v, &field_path(path, "configs"), p))
        .unwrap_or_default();
    Some(ProducerSpec {
        name: name?,
        topic: topic?,
        rate_per_sec: rate? as u32,
        keys: keys?,
        max_records: max_records?,
        configs,
    })
}

fn read_consumer(v: &Value, path: &str, p: &mut Problems) -> Option<ConsumerSpec> {
    let map = object(v, path, CONSUMER, p)?;
    let name = required(map, path, "name", p).and_then(|v| string(v, &field_path(path, "name"), p));
    let group =
        required(map, path, "group", p).and_then(|v| string(v, &field_path(path, "group"), p));
    let mut topics = Vec::new();
    let mut topics_ok = true;
    if let Some(v) = required(map, path, "topics", p) {
        let at = field_path(path, "topics");
        let list = array(v, &at, p);
        if list.is_empty() && v.is_array() {
            p.add(&at, "must name at least one topic");
            topics_ok = false;
        }
        for (i, t) in list.iter().enumerate() {
            match string(t, &format!("{at}[{i}]"), p) {
                Some(t) => topics.push(t),
                None => topics_ok = false,
            }
        }
    }
    let process_time_ms = match map.get("process_time_ms") {
        None => Some(0),
        Some(v) => int_in(
            v,
            &field_path(path, "process_time_ms"),
            0,
            MAX_PROCESS_TIME_MS,
            p,
        ),
    };
    let configs = map
        .get("configs")
        .map(|v| config_map(v, &field_path(path, "configs"), p))
        .unwrap_or_default();
    if !topics_ok {
        return None;
    }
    Some(ConsumerSpec {
        name: name?,
        group: group?,
        topics,
        configs,
        process_time_ms: process_time_ms?,
    })
}

fn read_entry(v: &Value, path: &str, p: &mut Problems) -> Option<TimelineEntry> {
    let map = object(v, path, ENTRY, p)?;
    let at_ms = required(map, path, "at_ms", p)
        .and_then(|v| int_in(v, &field_path(path, "at_ms"), 0, MAX_AT_MS, p));
    let action = match (map.get("console"), map.get("command")) {
        (Some(c), None) => string(c, &field_path(path, "console"), p).map(TimelineAction::Console),
        (None, Some(c)) => {
            command_from_json(c, &field_path(path, "command"), p).map(TimelineAction::Command)
        }
        (Some(_), Some(_)) => {
            p.add(
                path,
                "has both \"console\" and \"command\"; an entry is one or the other",
            );
            None
        }
        (None, None) => {
            p.add(
                path,
                "needs \"console\" (a console line) or \"command\" (an engine command)",
            );
            None
        }
    };
    Some(TimelineEntry {
        at_ms: at_ms?,
        action: action?,
    })
}

/// Writes the file; fields at their defaults are left out, so short files stay short.
pub fn to_json(s: &Scenario, pretty: bool) -> String {
    let value = to_value(s);
    let out = if pretty {
        serde_json::to_string_pretty(&value)
    } else {
        serde_json::to_string(&value)
    };
    // Serialising a `Value` cannot fail (string keys only); keep a valid file regardless.
    out.unwrap_or_else(|_| "{}".to_string())
}

fn configs(m: &BTreeMap<String, String>) -> Value {
    // Extended, not collected: see `crate::ordered`.
    let mut object = serde_json::Map::new();
    object.extend(m.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))));
    Value::Object(object)
}

/// The scenario as a JSON value, keys in the documented order.
pub fn to_value(s: &Scenario) -> Value {
    let mut top = Map::new();
    top.insert("version".into(), json!(FORMAT_VERSION));
    if let Some(t) = &s.title {
        top.insert("title".into(), json!(t));
    }
    if let Some(d) = &s.description {
        top.insert("description".into(), json!(d));
    }
    top.insert("seed".into(), json!(s.seed));
    let era = match s.cluster.era {
        Era::Kafka4 => "4",
        Era::ZooKeeper => "2",
    };
    top.insert("era".into(), json!(era));
    let c = &s.cluster;
    let mut cluster = Map::new();
    cluster.insert("brokers".into(), json!(c.brokers));
    if !c.racks.is_empty() {
        cluster.insert("racks".into(), json!(c.racks));
    }
    let controller = match c.mode {
        ControllerMode::Kraft => "kraft",
        ControllerMode::Zookeeper => "zookeeper",
    };
    cluster.insert("controller".into(), json!(controller));
    if c.controllers != 1 {
        cluster.insert("controllers".into(), json!(c.controllers));
    }
    // Written only when set, so scenarios without it stay byte for byte as they were.
    if c.combined {
        cluster.insert("combined".into(), json!(true));
    }
    if !c.broker_overrides.is_empty() {
        cluster.insert("broker_configs".into(), configs(&c.broker_overrides));
    }
    cluster.insert("network_latency_ms".into(), json!(c.network_latency_ms));
    top.insert("cluster".into(), Value::Object(cluster));
    let topics: Vec<Value> = s
        .topics
        .iter()
        .map(|t| {
            let mut m = Map::new();
            m.insert("name".into(), json!(t.name));
            if let Some(n) = t.partitions {
                m.insert("partitions".into(), json!(n));
            }
            if let Some(n) = t.replication_factor {
                m.insert("replication_factor".into(), json!(n));
            }
            if !t.configs.is_empty() {
                m.insert("configs".into(), configs(&t.configs));
            }
            Value::Object(m)
        })
        .collect();
    top.insert("topics".into(), Value::Array(topics));
    let producers: Vec<Value> = s
        .producers
        .iter()
        .map(|x| {
            let mut m = Map::new();
            m.insert("name".into(), json!(x.name));
            m.insert("topic".into(), json!(x.topic));
            m.insert("rate_per_sec".into(), json!(x.rate_per_sec));
            if let Some(k) = x.keys {
                m.insert("keys".into(), json!(k));
            }
            if let Some(n) = x.max_records {
                m.insert("max_records".into(), json!(n));
            }
            if !x.configs.is_empty() {
                m.insert("configs".into(), configs(&x.configs));
            }
            Value::Object(m)
        })
        .collect();
    top.insert("producers".into(), Value::Array(producers));
    let consumers: Vec<Value> = s
        .consumers
        .iter()
        .map(|x| {
            let mut m = Map::new();
            m.insert("name".into(), json!(x.name));
            m.insert("group".into(), json!(x.group));
            m.insert("topics".into(), json!(x.topics));
            if !x.configs.is_empty() {
                m.insert("configs".into(), configs(&x.configs));
            }
            if x.process_time_ms != 0 {
                m.insert("process_time_ms".into(), json!(x.process_time_ms));
            }
            Value::Object(m)
        })
        .collect();
    top.insert("consumers".into(), Value::Array(consumers));
    let timeline: Vec<Value> = s
        .timeline
        .iter()
        .map(|e| {
            let mut m = Map::new();
            m.insert("at_ms".into(), json!(e.at_ms));
            match &e.action {
                TimelineAction::Console(line) => m.insert("console".into(), json!(line)),
                TimelineAction::Command(c) => m.insert("command".into(), command_to_json(c)),
            };
            Value::Object(m)
        })
        .collect();
    if !timeline.is_empty() {
        top.insert("timeline".into(), Value::Array(timeline));
    }
    Value::Object(top)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::default_scenario;

    #[test]
    fn default_scenario_round_trips() {
        let s = default_scenario();
        assert_eq!(from_json(&s.to_json()), Ok(s.clone()));
        assert_eq!(from_json(&s.to_json_compact()), Ok(s));
    }

    #[test]
    fn every_structural_problem_is_reported_with_its_path() {
        let text = r#"{"version": 1, "seed": -1, "colour": "red",
            "cluster": {"brokers": 0, "controller": "raft"},
            "topics": [{"name": "a", "partitons": 3}, {"partitions": "3"}],
            "producers": [{"name": "p", "topic": "a"}],
            "consumers": [{"name": "c", "group": "g", "topics": []}],
            "timeline": [{"at_ms": 5}]}"#;
        let errs = from_json(text).expect_err("invalid");
        let paths: Vec<&str> = errs.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            vec![
                "colour",
                "seed",
                "cluster.brokers",
                "cluster.controller",
                "topics[0].partitons",
                "topics[1].name",
                "topics[1].partitions",
                "producers[0].rate_per_sec",
                "consumers[0].topics",
                "timeline[0]",
            ],
            "{errs:#?}"
        );
        assert!(errs[0].message.contains("allowed here: version, title"));
    }

    #[test]
    fn numbers_and_booleans_are_accepted_as_config_values() {
        let s = from_json(
            r#"{"version": 1, "seed": 1, "topics": [{"name": "t", "configs": {"retention.ms": 60000}}],
                "producers": [{"name": "p", "topic": "t", "rate_per_sec": 1, "configs": {"enable.idempotence": false, "acks": 1}}]}"#,
        )
        .expect("valid");
        assert_eq!(s.topics[0].configs["retention.ms"], "60000");
        assert_eq!(s.producers[0].configs["enable.idempotence"], "false");
        assert_eq!(s.producers[0].configs["acks"], "1");
    }

    #[test]
    fn versions_other_than_1_are_refused_with_a_reason() {
        let e = from_json(r#"{"version": 2, "seed": 1}"#).expect_err("v2");
        assert_eq!(
            e[0].to_string(),
            "version: version 2 is newer than this playground understands (it reads version 1)"
        );
        let e = from_json(r#"{"seed": 1}"#).expect_err("no version");
        assert_eq!(e[0].path, "version");
        let e = from_json("{\"version\": 1,").expect_err("truncated");
        assert!(e[0].message.starts_with("not valid JSON"), "{e:?}");
    }

    #[test]
    fn combined_mode_round_trips_and_is_written_only_when_set() {
        let mut s = default_scenario();
        assert!(!s.to_json().contains("combined"));
        s.cluster.controllers = 3;
        s.cluster.combined = true;
        assert!(s.to_json().contains("\"combined\": true"));
        assert_eq!(from_json(&s.to_json()), Ok(s));
        let e = from_json(r#"{"version": 1, "cluster": {"combined": "yes"}}"#).expect_err("bad");
        assert!(e.iter().any(|e| e.path == "cluster.combined"), "{e:?}");
    }
}
