//! `kafka-topics` (`TopicCommand`, formats §2).

use super::regex::Regex;
use super::{count_present, usage};
use crate::console::format::errors::{message_and_stack_trace, topic_command_error, JavaException};
use crate::console::format::topics as fmt;
use crate::console::model::{DescribeFilter, PartitionInfo, TopicDescription};
use crate::console::options::{
    cant_be_used_with, combination_cant_be_used_with, missing_required, ParsedOptions,
};
use crate::console::output::ToolExit;
use crate::console::run::Console;
use crate::console::Tool;
use crate::engine::{Command, KafkaError, Sim};
use std::collections::BTreeMap;

const ACTIONS: [&str; 5] = ["list", "describe", "create", "alter", "delete"];
const ILLEGAL_ARGUMENT: &str = "java.lang.IllegalArgumentException";

pub fn run(console: &mut Console, opts: &ParsedOptions) -> ToolExit {
    if count_present(opts, &ACTIONS) != 1 {
        return usage(
            Tool::Topics,
            "Command must include exactly one action: --list, --describe, --create, --alter or --delete",
        );
    }
    let action = ACTIONS
        .iter()
        .find(|a| opts.has(a))
        .copied()
        .unwrap_or("list");
    if !opts.has("bootstrap-server") {
        return message_and_stack_trace(&JavaException::new(
            ILLEGAL_ARGUMENT,
            Some("--bootstrap-server must be specified"),
        ));
    }
    if let Some(e) = check_args(opts, action) {
        return e;
    }
    let now = console.sim.timestamp();
    let result = match action {
        "create" => create(&mut console.sim, opts),
        "list" => list(&console.sim, opts),
        "describe" => describe(&console.sim, opts),
        "alter" => alter(&mut console.sim, opts),
        _ => delete(&mut console.sim, opts),
    };
    match result {
        Ok(out) => out,
        Err(e) => topic_command_error(now, &e),
    }
}

/// `TopicCommandOptions.checkArgs`: usage errors, in Kafka's order.
fn check_args(opts: &ParsedOptions, action: &str) -> Option<ToolExit> {
    if action == "describe" && opts.has("if-exists") && !opts.has("topic") && !opts.has("topic-id")
    {
        return Some(usage(
            Tool::Topics,
            "--topic or --topic-id is required to describe a topic",
        ));
    }
    if action != "list" && action != "describe" && !opts.has("topic") {
        return Some(usage(Tool::Topics, &missing_required("topic")));
    }
    if action == "alter" {
        if opts.has("config") {
            return Some(usage(
                Tool::Topics,
                &combination_cant_be_used_with(
                    &["bootstrap-server", "config"],
                    "alter",
                    Some("(To alter topic configurations, the kafka-configs tool can be used.)"),
                ),
            ));
        }
        if !opts.has("partitions") {
            return Some(usage(Tool::Topics, &missing_required("partitions")));
        }
    }
    let only = |opt: &str, allowed: &[&str]| -> Option<ToolExit> {
        (opts.has(opt) && !allowed.contains(&action))
            .then(|| usage(Tool::Topics, &cant_be_used_with(opt, action)))
    };
    only("config", &["create"])
        .or_else(|| only("partitions", &["create", "alter"]))
        .or_else(|| only("replication-factor", &["create"]))
        .or_else(|| only("replica-assignment", &["create", "alter"]))
        .or_else(|| only("if-not-exists", &["create"]))
        .or_else(|| only("if-exists", &["alter", "delete", "describe"]))
        .or_else(|| only("exclude-internal", &["list", "describe"]))
        .or_else(|| {
            let filters = [
                "under-replicated-partitions",
                "under-min-isr-partitions",
                "at-min-isr-partitions",
                "unavailable-partitions",
                "topics-with-overrides",
            ];
            filters.iter().find_map(|f| only(f, &["describe"]))
        })
        .or_else(|| {
            if action == "create" && opts.has("replica-assignment") {
                ["partitions", "replication-factor"]
                    .iter()
                    .find(|o| opts.has(o))
                    .map(|o| usage(Tool::Topics, &cant_be_used_with(o, "replica-assignment")))
            } else {
                None
            }
        })
}

fn java(class: &str, message: impl Into<String>) -> JavaException {
    JavaException::new(class, Some(&message.into()))
}

/// A broker-side error as the admin client throws it.
pub fn kafka_exception(e: &KafkaError) -> JavaException {
    java(e.code.exception(), e.message.clone())
}

fn conversion(e: &crate::console::options::OptionError) -> JavaException {
    java(e.java_class(), e.message())
}

fn create(sim: &mut Sim, opts: &ParsedOptions) -> Result<ToolExit, JavaException> {
    let name = opts
        .value_of("topic")
        .map_err(|e| conversion(&e))?
        .unwrap_or_default()
        .to_string();
    let partitions = opts.int_of("partitions").map_err(|e| conversion(&e))?;
    let rf = opts
        .int_of("replication-factor")
        .map_err(|e| conversion(&e))?;
    if partitions.is_some_and(|p| p < 1) {
        return Err(java(
            ILLEGAL_ARGUMENT,
            "The partitions must be greater than 0",
        ));
    }
    if rf.is_some_and(|r| !(1..=32767).contains(&r)) {
        return Err(java(
            ILLEGAL_ARGUMENT,
            "The replication factor must be between 1 and 32767 inclusive",
        ));
    }
    let mut configs = BTreeMap::new();
    for c in opts.values_of("config") {
        let Some((k, v)) = c.split_once('=') else {
            return Err(java(
                ILLEGAL_ARGUMENT,
                "requirement failed: Invalid topic config: all configs to be added must be in the format \"key=val\".",
            ));
        };
        configs.insert(k.trim().to_string(), v.trim().to_string());
    }
    let assignment = match opts
        .value_of("replica-assignment")
        .map_err(|e| conversion(&e))?
    {
        Some(a) => Some(parse_assignment(a)?),
        None => None,
    };
    if opts.has("if-not-exists") && sim.topic(&name).is_some() {
        return Ok(ToolExit::default());
    }
    let cmd = Command::CreateTopic {
        name: name.clone(),
        partitions,
        replication_factor: rf.map(|r| r as i16),
        configs,
        assignment,
    };
    match sim.apply(cmd) {
        Ok(_) => Ok(ToolExit::ok(fmt::created(&name))),
        Err(e) if e.code == crate::engine::ErrorCode::InvalidConfig => {
            // Topic configs are validated client-side (`LogConfig.validate`).
            let class = if e.message.starts_with("Unknown topic config name") {
                "org.apache.kafka.common.errors.InvalidConfigurationException"
            } else {
                "org.apache.kafka.common.config.ConfigException"
            };
            Err(java(class, e.message))
        }
        Err(e) => Err(kafka_exception(&e)),
    }
}

/// `--replica-assignment 0:1,1:2`: partitions separated by commas, brokers by colons.
fn parse_assignment(s: &str) -> Result<Vec<Vec<i32>>, JavaException> {
    let mut out = Vec::new();
    for part in s.split(',') {
        let mut brokers = Vec::new();
        for b in part.split(':') {
            let b = b.trim();
            let id = b.parse::<i32>().map_err(|_| {
                java(
                    "java.lang.NumberFormatException",
                    format!("For input string: \"{b}\""),
                )
            })?;
            if brokers.contains(&id) {
                return Err(java(
                    "org.apache.kafka.common.errors.InvalidReplicaAssignmentException",
                    format!("Partition replica lists may not contain duplicate entries: {id}"),
                ));
            }
            brokers.push(id);
        }
        out.push(brokers);
    }
    Ok(out)
}

/// Topics named by `--topic` (a regex, or every topic without it).
fn matching_topics(sim: &Sim, opts: &ParsedOptions) -> Result<Vec<String>, JavaException> {
    let exclude_internal = opts.has("exclude-internal");
    let all: Vec<String> = sim
        .topic_names(true)
        .into_iter()
        .filter(|t| !(exclude_internal && t.starts_with("__")))
        .collect();
    let Some(pattern) = opts.value_of("topic").map_err(|e| conversion(&e))? else {
        return Ok(all);
    };
    let re = Regex::new(pattern).map_err(|e| java("java.util.regex.PatternSyntaxException", e))?;
    Ok(all.into_iter().filter(|t| re.matches(t)).collect())
}

fn list(sim: &Sim, opts: &ParsedOptions) -> Result<ToolExit, JavaException> {
    let names = matching_topics(sim, opts)?;
    Ok(ToolExit::ok(fmt::list(&names)))
}

/// The `kafka-topics --describe` model of one topic.
pub fn description(sim: &Sim, name: &str) -> Option<TopicDescription> {
    let t = sim.topic(name)?;
    // Metadata's live brokers: registered and unfenced (a crashed broker stays until fenced).
    let alive: Vec<i32> = sim
        .brokers()
        .iter()
        .filter(|b| !b.fenced)
        .map(|b| b.id)
        .collect();
    let config = sim.topic_config(name);
    let configs = config
        .non_default_entries()
        .into_iter()
        .filter_map(|e| e.value.clone().map(|v| (e.name.clone(), v)))
        .collect();
    let min_isr = config
        .entry("min.insync.replicas")
        .and_then(|e| e.value.as_deref())
        .and_then(|v| v.parse::<i32>().ok());
    Some(TopicDescription {
        name: t.name.clone(),
        topic_id: t.id.clone(),
        partitions: t
            .partitions
            .iter()
            .map(|p| PartitionInfo {
                partition: p.partition,
                leader: p.leader.filter(|l| alive.contains(l)),
                replicas: p.replicas.clone(),
                isr: p.isr.clone(),
                elr: Some(Vec::new()),
                last_known_elr: Some(Vec::new()),
                ..Default::default()
            })
            .collect(),
        configs,
        min_insync_replicas: min_isr,
        marked_for_deletion: false,
    })
}

fn missing_topic(opts: &ParsedOptions) -> JavaException {
    let t = opts.value_of("topic").ok().flatten().unwrap_or_default();
    java(ILLEGAL_ARGUMENT, fmt::topic_does_not_exist(t))
}

fn describe(sim: &Sim, opts: &ParsedOptions) -> Result<ToolExit, JavaException> {
    if opts.has("topic-id") {
        return Err(java(
            ILLEGAL_ARGUMENT,
            "--topic-id is not available yet in this version of the playground",
        ));
    }
    let names = matching_topics(sim, opts)?;
    if names.is_empty() && opts.has("topic") {
        return if opts.has("if-exists") {
            Ok(ToolExit::default())
        } else {
            Err(missing_topic(opts))
        };
    }
    let topics: Vec<TopicDescription> = names.iter().filter_map(|n| description(sim, n)).collect();
    let filter = DescribeFilter {
        under_replicated_partitions: opts.has("under-replicated-partitions"),
        under_min_isr_partitions: opts.has("under-min-isr-partitions"),
        at_min_isr_partitions: opts.has("at-min-isr-partitions"),
        unavailable_partitions: opts.has("unavailable-partitions"),
        topics_with_overrides: opts.has("topics-with-overrides"),
    };
    Ok(ToolExit::ok(fmt::describe(&topics, &filter)))
}

fn alter(sim: &mut Sim, opts: &ParsedOptions) -> Result<ToolExit, JavaException> {
    let total = opts
        .int_of("partitions")
        .map_err(|e| conversion(&e))?
        .unwrap_or(0);
    if opts.has("replica-assignment") {
        return Err(java(
            ILLEGAL_ARGUMENT,
            "--alter --replica-assignment is not available yet in this version of the playground",
        ));
    }
    let names = matching_topics(sim, opts)?;
    if names.is_empty() {
        return if opts.has("if-exists") {
            Ok(ToolExit::default())
        } else {
            Err(missing_topic(opts))
        };
    }
    for topic in names {
        sim.apply(Command::AddPartitions { topic, total })
            .map_err(|e| kafka_exception(&e))?;
    }
    Ok(ToolExit::default())
}

fn delete(sim: &mut Sim, opts: &ParsedOptions) -> Result<ToolExit, JavaException> {
    let names = matching_topics(sim, opts)?;
    if names.is_empty() {
        return if opts.has("if-exists") {
            Ok(ToolExit::default())
        } else {
            Err(missing_topic(opts))
        };
    }
    for name in names {
        sim.apply(Command::DeleteTopic { name })
            .map_err(|e| kafka_exception(&e))?;
    }
    Ok(ToolExit::default())
}
