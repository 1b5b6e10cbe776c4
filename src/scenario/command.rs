//! The JSON form of an engine [`Command`] in a timeline: an object with a `"type"` (the command
//! in snake_case) and the command's fields, e.g.
//! `{"type": "stop_consumer", "name": "consumer-1", "hard": true}`.
//! Partitions are `{"topic": "orders", "partition": 0}` (plus `"offset"` where one is needed).

use super::format::{config_map, field_path, int_in, object, required, shown, string, Problems};
use crate::engine::admin_election::ElectionType;
use crate::engine::cluster::{MAX_BROKERS, MAX_PARTITIONS};
use crate::engine::command::MAX_RATE;
use crate::engine::faults::NetworkFault;
use crate::engine::network::NodeId;
use crate::engine::{Command, TopicPartition, WorkloadSpec};
use crate::ordered::CollectOrdered;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// Every command type, as written in `"type"`.
pub const TYPES: &[&str] = &[
    "create_topic",
    "delete_topic",
    "add_partitions",
    "alter_topic_config",
    "start_producer",
    "stop_producer",
    "produce",
    "start_consumer",
    "stop_consumer",
    "commit_sync",
    "set_group_offsets",
    "delete_group",
    "delete_group_offsets",
    "delete_records",
    "advance_time",
    "stop_broker",
    "start_broker",
    "network",
    "stop_controller",
    "start_controller",
    "elect_leaders",
    "alter_partition_reassignments",
];

/// The fields each type takes (besides `"type"`).
fn fields(kind: &str) -> &'static [&'static str] {
    match kind {
        "create_topic" => &[
            "type",
            "name",
            "partitions",
            "replication_factor",
            "configs",
            "assignment",
        ],
        "delete_topic" => &["type", "name"],
        "add_partitions" => &["type", "topic", "total"],
        "alter_topic_config" => &["type", "topic", "set", "delete"],
        "start_producer" => &[
            "type",
            "name",
            "configs",
            "topic",
            "rate_per_sec",
            "keys",
            "max_records",
        ],
        "stop_producer" => &["type", "name"],
        "produce" => &[
            "type",
            "producer",
            "topic",
            "partition",
            "key",
            "value",
            "timestamp",
        ],
        "start_consumer" => &[
            "type",
            "name",
            "group",
            "topics",
            "assign",
            "start_offsets",
            "configs",
            "process_time_ms",
        ],
        "stop_consumer" => &["type", "name", "hard"],
        "commit_sync" => &["type", "consumer"],
        "set_group_offsets" => &["type", "group", "offsets"],
        "delete_group" => &["type", "group"],
        "delete_group_offsets" => &["type", "group", "partitions"],
        "delete_records" => &["type", "topic", "partition", "offset"],
        "advance_time" => &["type", "ms"],
        "stop_broker" => &["type", "id", "hard"],
        "start_broker" => &["type", "id"],
        "network" => &[
            "type", "fault", "node", "a", "b", "from", "to", "ms", "percent",
        ],
        "stop_controller" => &["type", "node", "hard"],
        "start_controller" => &["type", "node"],
        "elect_leaders" => &["type", "election_type", "partitions"],
        "alter_partition_reassignments" => &["type", "reassignments"],
        _ => &["type"],
    }
}

/// Field access for one command object.
struct Fields<'a, 'p> {
    map: &'a Map<String, Value>,
    path: &'a str,
    p: &'p mut Problems,
}

impl Fields<'_, '_> {
    fn at(&self, key: &str) -> String {
        field_path(self.path, key)
    }

    fn req_str(&mut self, key: &str) -> Option<String> {
        let at = self.at(key);
        required(self.map, self.path, key, self.p).and_then(|v| string(v, &at, self.p))
    }

    fn opt_str(&mut self, key: &str) -> Option<Option<String>> {
        let at = self.at(key);
        match self.map.get(key) {
            None | Some(Value::Null) => Some(None),
            Some(v) => match v.as_str() {
                Some(s) => Some(Some(s.to_string())),
                None => {
                    self.p
                        .add(&at, format!("must be a string or null; got {}", shown(v)));
                    None
                }
            },
        }
    }

    fn req_int(&mut self, key: &str, min: i64, max: i64) -> Option<i64> {
        let at = self.at(key);
        required(self.map, self.path, key, self.p).and_then(|v| int_in(v, &at, min, max, self.p))
    }

    fn opt_int(&mut self, key: &str, min: i64, max: i64) -> Option<Option<i64>> {
        let at = self.at(key);
        match self.map.get(key) {
            None | Some(Value::Null) => Some(None),
            Some(v) => int_in(v, &at, min, max, self.p).map(Some),
        }
    }

    fn node(&mut self, key: &str) -> Option<NodeId> {
        let at = self.at(key);
        let s = self.req_str(key)?;
        NodeId::from_key(&s).map_err(|e| self.p.add(&at, e)).ok()
    }

    fn nodes(&mut self, key: &str) -> Option<Vec<NodeId>> {
        let at = self.at(key);
        let Some(list) = self.map.get(key).and_then(|v| v.as_array()) else {
            self.p.add(
                &at,
                "is required: a list of nodes such as [\"broker:0\"]".to_string(),
            );
            return None;
        };
        let mut out = Vec::new();
        for (i, v) in list.iter().enumerate() {
            match v.as_str().map(NodeId::from_key) {
                Some(Ok(n)) => out.push(n),
                Some(Err(e)) => self.p.add(&format!("{at}[{i}]"), e),
                None => self.p.add(
                    &format!("{at}[{i}]"),
                    format!("must be a string; got {}", shown(v)),
                ),
            }
        }
        (out.len() == list.len()).then_some(out)
    }

    /// `"hard"`: true is a crash, false (the default) the clean way (`clean`).
    fn hard(&mut self, clean: &str) -> Option<bool> {
        match self.map.get("hard") {
            None => Some(false),
            Some(Value::Bool(b)) => Some(*b),
            Some(v) => {
                let at = self.at("hard");
                self.p.add(
                    &at,
                    format!(
                        "must be true (a crash) or false ({clean}); got {}",
                        shown(v)
                    ),
                );
                None
            }
        }
    }

    fn configs(&mut self, key: &str) -> BTreeMap<String, String> {
        let at = self.at(key);
        self.map
            .get(key)
            .map(|v| config_map(v, &at, self.p))
            .unwrap_or_default()
    }

    fn strings(&mut self, key: &str) -> Option<Vec<String>> {
        let at = self.at(key);
        let Some(v) = self.map.get(key) else {
            return Some(Vec::new());
        };
        let Some(list) = v.as_array() else {
            self.p.add(
                &at,
                format!("must be an array of strings; got {}", shown(v)),
            );
            return None;
        };
        let mut out = Vec::new();
        let mut ok = true;
        for (i, s) in list.iter().enumerate() {
            match string(s, &format!("{at}[{i}]"), self.p) {
                Some(s) => out.push(s),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// `[{"topic", "partition"(, "offset")}]`.
    fn partitions(&mut self, key: &str, with_offset: bool) -> Option<Vec<(TopicPartition, i64)>> {
        let at = self.at(key);
        let Some(v) = self.map.get(key) else {
            return Some(Vec::new());
        };
        let Some(list) = v.as_array() else {
            self.p
                .add(&at, format!("must be an array; got {}", shown(v)));
            return None;
        };
        let mut out = Vec::new();
        let mut ok = true;
        for (i, x) in list.iter().enumerate() {
            match partition(x, &format!("{at}[{i}]"), with_offset, self.p) {
                Some(tp) => out.push(tp),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }
}

/// `{"topic", "partition"(, "offset")}`.
fn partition(
    v: &Value,
    path: &str,
    with_offset: bool,
    p: &mut Problems,
) -> Option<(TopicPartition, i64)> {
    let allowed: &[&str] = if with_offset {
        &["topic", "partition", "offset"]
    } else {
        &["topic", "partition"]
    };
    let map = object(v, path, allowed, p)?;
    let mut f = Fields { map, path, p };
    let topic = f.req_str("topic");
    let partition = f.req_int("partition", 0, i64::from(MAX_PARTITIONS) - 1);
    let offset = if with_offset {
        f.req_int("offset", 0, i64::MAX)
    } else {
        Some(0)
    };
    Some((TopicPartition::new(topic?, partition? as i32), offset?))
}

/// Reads one command; problems go to `p` with their paths.
pub(crate) fn command_from_json(v: &Value, path: &str, p: &mut Problems) -> Option<Command> {
    let kind = match v.get("type") {
        Some(Value::String(k)) if TYPES.contains(&k.as_str()) => k.as_str(),
        Some(t) => {
            p.add(
                &field_path(path, "type"),
                format!("unknown command {}; one of: {}", shown(t), TYPES.join(", ")),
            );
            return None;
        }
        None if v.is_object() => {
            p.add(
                &field_path(path, "type"),
                format!("is required: one of {}", TYPES.join(", ")),
            );
            return None;
        }
        None => {
            p.add(
                path,
                format!("must be an object {{\"type\": ...}}; got {}", shown(v)),
            );
            return None;
        }
    };
    let map = object(v, path, fields(kind), p)?;
    let mut f = Fields { map, path, p };
    let c = match kind {
        "create_topic" => {
            let name = f.req_str("name");
            let partitions = f.opt_int("partitions", 1, i64::from(MAX_PARTITIONS));
            let rf = f.opt_int("replication_factor", 1, i64::from(MAX_BROKERS));
            let configs = f.configs("configs");
            let assignment = assignment(&mut f);
            Command::CreateTopic {
                name: name?,
                partitions: partitions?.map(|n| n as i32),
                replication_factor: rf?.map(|n| n as i16),
                configs,
                assignment: assignment?,
            }
        }
        "delete_topic" => Command::DeleteTopic {
            name: f.req_str("name")?,
        },
        "add_partitions" => {
            let topic = f.req_str("topic");
            let total = f.req_int("total", 1, i64::from(MAX_PARTITIONS));
            Command::AddPartitions {
                topic: topic?,
                total: total? as i32,
            }
        }
        "alter_topic_config" => {
            let topic = f.req_str("topic");
            let set = f.configs("set");
            let delete = f.strings("delete");
            Command::AlterTopicConfig {
                topic: topic?,
                set,
                delete: delete?,
            }
        }
        "start_producer" => {
            let name = f.req_str("name");
            let configs = f.configs("configs");
            let topic = f.opt_str("topic");
            let rate = f.opt_int("rate_per_sec", 1, i64::from(MAX_RATE));
            let keys = f.opt_int("keys", 1, i64::from(u32::MAX));
            let max = f.opt_int("max_records", 1, i64::MAX);
            let (topic, rate, keys, max) = (topic?, rate?, keys?, max?);
            let workload = match (topic, rate) {
                (Some(topic), Some(rate)) => Some(WorkloadSpec {
                    topic,
                    records_per_sec: rate as u32,
                    keys: keys.map(|k| k as u32),
                    max_records: max.map(|m| m as u64),
                }),
                (None, None) if keys.is_none() && max.is_none() => None,
                _ => {
                    f.p.add(
                        path,
                        "a producer workload needs both \"topic\" and \"rate_per_sec\" (leave all workload fields out for a producer that only sends `produce` records)",
                    );
                    return None;
                }
            };
            Command::StartProducer {
                name: name?,
                configs,
                workload,
            }
        }
        "stop_producer" => Command::StopProducer {
            name: f.req_str("name")?,
        },
        "produce" => {
            let producer = f.req_str("producer");
            let topic = f.req_str("topic");
            let partition = f.opt_int("partition", 0, i64::from(MAX_PARTITIONS) - 1);
            let key = f.opt_str("key");
            let value = f.opt_str("value");
            let timestamp = f.opt_int("timestamp", 0, i64::MAX);
            Command::Produce {
                producer: producer?,
                topic: topic?,
                partition: partition?.map(|n| n as i32),
                key: key?,
                value: value?,
                timestamp: timestamp?,
            }
        }
        "start_consumer" => {
            let name = f.req_str("name");
            let group = f.opt_str("group");
            let topics = f.strings("topics");
            let assign = f.partitions("assign", false);
            let offsets = f.partitions("start_offsets", true);
            let configs = f.configs("configs");
            let process = f.opt_int("process_time_ms", 0, super::format::MAX_PROCESS_TIME_MS);
            Command::StartConsumer {
                name: name?,
                group: group?,
                topics: topics?,
                assign: assign?.into_iter().map(|(tp, _)| tp).collect(),
                start_offsets: offsets?.into_iter().collect_map(),
                configs,
                process_time_ms: process?.unwrap_or(0),
            }
        }
        "stop_consumer" => {
            let name = f.req_str("name");
            let hard = f.hard("close()");
            Command::StopConsumer {
                name: name?,
                hard: hard?,
            }
        }
        "stop_broker" => {
            let id = f.req_int("id", 0, i64::from(MAX_BROKERS) - 1);
            let hard = f.hard("a controlled shutdown");
            Command::StopBroker {
                id: id? as i32,
                hard: hard?,
            }
        }
        "network" => {
            let fault = match f.req_str("fault")?.as_str() {
                "isolate" => NetworkFault::Isolate(f.node("node")?),
                "partition" => {
                    let a = f.nodes("a");
                    NetworkFault::Partition(a?, f.nodes("b")?)
                }
                "latency" => {
                    let (a, b) = (f.node("from"), f.node("to"));
                    NetworkFault::Latency(a?, b?, f.req_int("ms", 0, 60_000)?)
                }
                "loss" => {
                    let (a, b) = (f.node("from"), f.node("to"));
                    NetworkFault::Loss(a?, b?, f.req_int("percent", 0, 100)? as u32)
                }
                "heal" => NetworkFault::Heal,
                other => {
                    let at = f.at("fault");
                    f.p.add(
                        &at,
                        format!("unknown fault {other:?}; one of: isolate, partition, latency, loss, heal"),
                    );
                    return None;
                }
            };
            Command::Network(fault)
        }
        "stop_controller" => {
            let node = f.node("node");
            let hard = f.hard("a clean stop");
            Command::StopController {
                node: node?,
                hard: hard?,
            }
        }
        "start_controller" => Command::StartController {
            node: f.node("node")?,
        },
        "start_broker" => Command::StartBroker {
            id: f.req_int("id", 0, i64::from(MAX_BROKERS) - 1)? as i32,
        },
        "commit_sync" => Command::CommitSync {
            consumer: f.req_str("consumer")?,
        },
        "elect_leaders" => {
            let kind = f.req_str("election_type");
            let all = !f.map.contains_key("partitions");
            let partitions = f.partitions("partitions", false);
            let at = f.at("election_type");
            let election_type = match kind?.as_str() {
                "preferred" => ElectionType::Preferred,
                "unclean" => ElectionType::Unclean,
                other => {
                    f.p.add(
                        &at,
                        format!("must be \"preferred\" or \"unclean\"; got \"{other}\""),
                    );
                    return None;
                }
            };
            let partitions = partitions?.into_iter().map(|(tp, _)| tp).collect();
            Command::ElectLeaders {
                election_type,
                partitions: if all { None } else { Some(partitions) },
            }
        }
        "alter_partition_reassignments" => Command::AlterPartitionReassignments {
            reassignments: reassignments(&mut f)?,
        },
        "set_group_offsets" => {
            let group = f.req_str("group");
            let offsets = f.partitions("offsets", true);
            Command::SetGroupOffsets {
                group: group?,
                offsets: offsets?,
            }
        }
        "delete_group" => Command::DeleteGroup {
            group: f.req_str("group")?,
        },
        "delete_group_offsets" => {
            let group = f.req_str("group");
            let partitions = f.partitions("partitions", false);
            Command::DeleteGroupOffsets {
                group: group?,
                partitions: partitions?.into_iter().map(|(tp, _)| tp).collect(),
            }
        }
        "delete_records" => {
            let topic = f.req_str("topic");
            let partition = f.req_int("partition", 0, i64::from(MAX_PARTITIONS) - 1);
            let offset = f.req_int("offset", -1, i64::MAX);
            Command::DeleteRecords {
                tp: TopicPartition::new(topic?, partition? as i32),
                offset: offset?,
            }
        }
        _ => Command::AdvanceTime {
            ms: f.req_int("ms", 0, i64::MAX)?,
        },
    };
    Some(c)
}

/// `"reassignments": [{"topic": "orders", "partition": 0, "replicas": [1, 2]}]`.
fn reassignments(f: &mut Fields<'_, '_>) -> Option<Vec<(TopicPartition, Vec<i32>)>> {
    let at = f.at("reassignments");
    let list = match f.map.get("reassignments").and_then(Value::as_array) {
        Some(l) => l,
        None => {
            f.p.add(
                &at,
                "is required: an array of {\"topic\", \"partition\", \"replicas\": [broker ids]}",
            );
            return None;
        }
    };
    let mut out = Vec::new();
    for (i, x) in list.iter().enumerate() {
        let here = format!("{at}[{i}]");
        let topic = x.get("topic").and_then(Value::as_str);
        let partition = x
            .get("partition")
            .and_then(Value::as_i64)
            .filter(|p| (0..i64::from(MAX_PARTITIONS)).contains(p));
        let replicas: Option<Vec<i32>> =
            x.get("replicas").and_then(Value::as_array).and_then(|r| {
                r.iter()
                    .map(|b| {
                        b.as_i64()
                            .filter(|b| (0..i64::from(MAX_BROKERS)).contains(b))
                            .map(|b| b as i32)
                    })
                    .collect()
            });
        match (topic, partition, replicas) {
            (Some(t), Some(p), Some(r)) => out.push((TopicPartition::new(t, p as i32), r)),
            _ => {
                f.p.add(&here, format!("must be {{\"topic\": name, \"partition\": n, \"replicas\": [broker ids]}}; got {}", shown(x)));
                return None;
            }
        }
    }
    Some(out)
}

/// `"assignment": [[0, 1], [1, 2]]`: replicas (broker ids) per partition.
fn assignment(f: &mut Fields<'_, '_>) -> Option<Option<Vec<Vec<i32>>>> {
    let at = f.at("assignment");
    let Some(v) = f.map.get("assignment") else {
        return Some(None);
    };
    let Some(parts) = v.as_array() else {
        f.p.add(
            &at,
            format!(
                "must be an array of broker-id arrays, e.g. [[0, 1], [1, 2]]; got {}",
                shown(v)
            ),
        );
        return None;
    };
    let mut out = Vec::new();
    let mut ok = true;
    for (i, part) in parts.iter().enumerate() {
        let Some(replicas) = part.as_array() else {
            f.p.add(
                &format!("{at}[{i}]"),
                format!("must be an array of broker ids; got {}", shown(part)),
            );
            ok = false;
            continue;
        };
        let mut ids = Vec::new();
        for (j, r) in replicas.iter().enumerate() {
            match int_in(
                r,
                &format!("{at}[{i}][{j}]"),
                0,
                i64::from(MAX_BROKERS) - 1,
                f.p,
            ) {
                Some(id) => ids.push(id as i32),
                None => ok = false,
            }
        }
        out.push(ids);
    }
    ok.then_some(Some(out))
}

fn tp_json(tp: &TopicPartition) -> Value {
    json!({"topic": &*tp.topic, "partition": tp.partition})
}

fn tp_offset_json(tp: &TopicPartition, offset: i64) -> Value {
    json!({"topic": &*tp.topic, "partition": tp.partition, "offset": offset})
}

/// Writes one command; optional fields at their defaults are left out.
pub fn command_to_json(c: &Command) -> Value {
    let mut m = Map::new();
    let mut put = |k: &str, v: Value| {
        m.insert(k.to_string(), v);
    };
    match c {
        Command::CreateTopic {
            name,
            partitions,
            replication_factor,
            configs,
            assignment,
        } => {
            put("type", json!("create_topic"));
            put("name", json!(name));
            if let Some(n) = partitions {
                put("partitions", json!(n));
            }
            if let Some(n) = replication_factor {
                put("replication_factor", json!(n));
            }
            if !configs.is_empty() {
                put("configs", json!(configs));
            }
            if let Some(a) = assignment {
                put("assignment", json!(a));
            }
        }
        Command::DeleteTopic { name } => {
            put("type", json!("delete_topic"));
            put("name", json!(name));
        }
        Command::AddPartitions { topic, total } => {
            put("type", json!("add_partitions"));
            put("topic", json!(topic));
            put("total", json!(total));
        }
        Command::AlterTopicConfig { topic, set, delete } => {
            put("type", json!("alter_topic_config"));
            put("topic", json!(topic));
            if !set.is_empty() {
                put("set", json!(set));
            }
            if !delete.is_empty() {
                put("delete", json!(delete));
            }
        }
        Command::StartProducer {
            name,
            configs,
            workload,
        } => {
            put("type", json!("start_producer"));
            put("name", json!(name));
            if !configs.is_empty() {
                put("configs", json!(configs));
            }
            if let Some(w) = workload {
                put("topic", json!(&*w.topic));
                put("rate_per_sec", json!(w.records_per_sec));
                if let Some(k) = w.keys {
                    put("keys", json!(k));
                }
                if let Some(n) = w.max_records {
                    put("max_records", json!(n));
                }
            }
        }
        Command::StopProducer { name } => {
            put("type", json!("stop_producer"));
            put("name", json!(name));
        }
        Command::Produce {
            producer,
            topic,
            partition,
            key,
            value,
            timestamp,
        } => {
            put("type", json!("produce"));
            if let Some(t) = timestamp {
                put("timestamp", json!(t));
            }
            put("producer", json!(producer));
            put("topic", json!(topic));
            if let Some(n) = partition {
                put("partition", json!(n));
            }
            if let Some(k) = key {
                put("key", json!(k));
            }
            if let Some(v) = value {
                put("value", json!(v));
            }
        }
        Command::StartConsumer {
            name,
            group,
            topics,
            assign,
            start_offsets,
            configs,
            process_time_ms,
        } => {
            put("type", json!("start_consumer"));
            put("name", json!(name));
            if let Some(g) = group {
                put("group", json!(g));
            }
            if !topics.is_empty() {
                put("topics", json!(topics));
            }
            if !assign.is_empty() {
                put("assign", Value::Array(assign.iter().map(tp_json).collect()));
            }
            if !start_offsets.is_empty() {
                put(
                    "start_offsets",
                    Value::Array(
                        start_offsets
                            .iter()
                            .map(|(tp, o)| tp_offset_json(tp, *o))
                            .collect(),
                    ),
                );
            }
            if !configs.is_empty() {
                put("configs", json!(configs));
            }
            if *process_time_ms != 0 {
                put("process_time_ms", json!(process_time_ms));
            }
        }
        Command::StopConsumer { name, hard } => {
            put("type", json!("stop_consumer"));
            put("name", json!(name));
            if *hard {
                put("hard", json!(true));
            }
        }
        Command::CommitSync { consumer } => {
            put("type", json!("commit_sync"));
            put("consumer", json!(consumer));
        }
        Command::SetGroupOffsets { group, offsets } => {
            put("type", json!("set_group_offsets"));
            put("group", json!(group));
            put(
                "offsets",
                Value::Array(
                    offsets
                        .iter()
                        .map(|(tp, o)| tp_offset_json(tp, *o))
                        .collect(),
                ),
            );
        }
        Command::DeleteGroup { group } => {
            put("type", json!("delete_group"));
            put("group", json!(group));
        }
        Command::DeleteGroupOffsets { group, partitions } => {
            put("type", json!("delete_group_offsets"));
            put("group", json!(group));
            put(
                "partitions",
                Value::Array(partitions.iter().map(tp_json).collect()),
            );
        }
        Command::DeleteRecords { tp, offset } => {
            put("type", json!("delete_records"));
            put("topic", json!(&*tp.topic));
            put("partition", json!(tp.partition));
            put("offset", json!(offset));
        }
        Command::AdvanceTime { ms } => {
            put("type", json!("advance_time"));
            put("ms", json!(ms));
        }
        Command::StopBroker { id, hard } => {
            put("type", json!("stop_broker"));
            put("id", json!(id));
            if *hard {
                put("hard", json!(true));
            }
        }
        Command::StartBroker { id } => {
            put("type", json!("start_broker"));
            put("id", json!(id));
        }
        Command::Network(fault) => {
            put("type", json!("network"));
            match fault {
                NetworkFault::Isolate(n) => {
                    put("fault", json!("isolate"));
                    put("node", json!(n.key()));
                }
                NetworkFault::Partition(a, b) => {
                    put("fault", json!("partition"));
                    put("a", json!(a.iter().map(NodeId::key).collect::<Vec<_>>()));
                    put("b", json!(b.iter().map(NodeId::key).collect::<Vec<_>>()));
                }
                NetworkFault::Latency(a, b, ms) => {
                    put("fault", json!("latency"));
                    put("from", json!(a.key()));
                    put("to", json!(b.key()));
                    put("ms", json!(ms));
                }
                NetworkFault::Loss(a, b, pct) => {
                    put("fault", json!("loss"));
                    put("from", json!(a.key()));
                    put("to", json!(b.key()));
                    put("percent", json!(pct));
                }
                NetworkFault::Heal => put("fault", json!("heal")),
            }
        }
        Command::StopController { node, hard } => {
            put("type", json!("stop_controller"));
            put("node", json!(node.key()));
            if *hard {
                put("hard", json!(true));
            }
        }
        Command::StartController { node } => {
            put("type", json!("start_controller"));
            put("node", json!(node.key()));
        }
        Command::ElectLeaders {
            election_type,
            partitions,
        } => {
            put("type", json!("elect_leaders"));
            put(
                "election_type",
                json!(election_type.name().to_ascii_lowercase()),
            );
            if let Some(list) = partitions {
                put(
                    "partitions",
                    Value::Array(
                        list.iter()
                            .map(|tp| json!({"topic": &*tp.topic, "partition": tp.partition}))
                            .collect(),
                    ),
                );
            }
        }
        Command::AlterPartitionReassignments { reassignments } => {
            put("type", json!("alter_partition_reassignments"));
            put(
                "reassignments",
                Value::Array(
                    reassignments
                        .iter()
                        .map(|(tp, r)| json!({"topic": &*tp.topic, "partition": tp.partition, "replicas": r}))
                        .collect(),
                ),
            );
        }
        // Not in the scenario format yet: written for the record, not read back.
        Command::Database(x) => put("type", json!(format!("database {x:?}"))),
        Command::Connector(x) => put("type", json!(format!("connector {x:?}"))),
        Command::Streams(x) => put("type", json!(format!("streams {x:?}"))),
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(v: Value) -> Result<Command, Vec<String>> {
        let mut p = Problems::default();
        match command_from_json(&v, "command", &mut p) {
            Some(c) if p.0.is_empty() => Ok(c),
            _ => Err(p.0.iter().map(ToString::to_string).collect()),
        }
    }

    #[test]
    fn every_command_type_round_trips() {
        let tp = TopicPartition::new("t", 1);
        let all = vec![
            Command::CreateTopic {
                name: "t".into(),
                partitions: Some(2),
                replication_factor: None,
                configs: BTreeMap::from([("retention.ms".into(), "1000".into())]),
                assignment: Some(vec![vec![0, 1], vec![1, 2]]),
            },
            Command::DeleteTopic { name: "t".into() },
            Command::AddPartitions {
                topic: "t".into(),
                total: 4,
            },
            Command::AlterTopicConfig {
                topic: "t".into(),
                set: BTreeMap::from([("retention.ms".into(), "5".into())]),
                delete: vec!["segment.ms".into()],
            },
            Command::StartProducer {
                name: "p".into(),
                configs: BTreeMap::new(),
                workload: Some(WorkloadSpec {
                    topic: "t".into(),
                    records_per_sec: 3,
                    keys: Some(2),
                    max_records: Some(9),
                }),
            },
            Command::StartProducer {
                name: "q".into(),
                configs: BTreeMap::from([("acks".into(), "1".into())]),
                workload: None,
            },
            Command::StopProducer { name: "p".into() },
            Command::Produce {
                producer: "p".into(),
                topic: "t".into(),
                partition: Some(0),
                key: Some("k".into()),
                value: None,
                timestamp: None,
            },
            Command::StartConsumer {
                name: "c".into(),
                group: None,
                topics: Vec::new(),
                assign: vec![tp.clone()],
                start_offsets: BTreeMap::from([(tp.clone(), 5)]),
                configs: BTreeMap::new(),
                process_time_ms: 20,
            },
            Command::StopConsumer {
                name: "c".into(),
                hard: true,
            },
            Command::CommitSync {
                consumer: "c".into(),
            },
            Command::SetGroupOffsets {
                group: "g".into(),
                offsets: vec![(tp.clone(), 3)],
            },
            Command::DeleteGroup { group: "g".into() },
            Command::DeleteGroupOffsets {
                group: "g".into(),
                partitions: vec![tp.clone()],
            },
            Command::DeleteRecords { tp, offset: 7 },
            Command::AdvanceTime { ms: 10 },
            Command::StopBroker { id: 1, hard: true },
            Command::StopBroker { id: 2, hard: false },
            Command::StartBroker { id: 1 },
        ];
        for c in all {
            let j = command_to_json(&c);
            assert_eq!(read(j.clone()), Ok(c), "{j}");
        }
    }

    #[test]
    fn bad_commands_say_what_is_allowed() {
        let e = read(json!({"type": "kill_broker", "id": 1})).expect_err("unknown");
        assert!(
            e[0].starts_with("command.type: unknown command \"kill_broker\"; one of: create_topic"),
            "{e:?}"
        );
        let e = read(json!({"type": "stop_consumer", "name": "c", "hard": "yes", "force": 1}))
            .expect_err("bad");
        assert_eq!(
            e,
            vec![
                "command.force: unknown field; allowed here: type, name, hard".to_string(),
                "command.hard: must be true (a crash) or false (close()); got \"yes\"".to_string()
            ]
        );
        let e =
            read(json!({"type": "start_producer", "name": "p", "topic": "t"})).expect_err("half");
        assert!(e[0].contains("needs both"), "{e:?}");
    }
}
