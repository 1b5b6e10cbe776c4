//! `kafka-reassign-partitions` (`ReassignPartitionsCommand`; formats §12): `--generate`,
//! `--execute`, `--verify`, `--list`. The playground has no files: the JSON options take the
//! JSON itself (or `-` for standard input).
//!
//! `--generate` proposes with `AdminUtils.assignReplicasToBrokers` (random start index and
//! shift, as the real tool does client-side), drawing from the console's own PRNG so that a
//! proposal never shifts the simulation.

use crate::console::format::errors::JavaException;
use crate::console::java_order::{order_strings, HashMapInit};
use crate::console::options::{missing_required, usage_exit, ParsedOptions};
use crate::console::output::ToolExit;
use crate::console::run::Console;
use crate::console::Tool;
use crate::engine::placement::{assign_replicas_to_brokers, BrokerMetadata, PlacementRandom};
use crate::engine::{BrokerId, Command, Outcome, TopicPartition};
use crate::ordered;
use std::collections::BTreeMap;

const COMMAND_FAILED: &str = "org.apache.kafka.server.common.AdminCommandFailedException";
const OPERATION_FAILED: &str = "org.apache.kafka.server.common.AdminOperationException";
const UNKNOWN_TOPIC: &str = "org.apache.kafka.common.errors.UnknownTopicOrPartitionException";
const EXECUTION: &str = "java.util.concurrent.ExecutionException";

const ACTIONS: [&str; 5] = ["generate", "execute", "verify", "cancel", "list"];

const CANNOT_EXECUTE: &str = "Cannot execute because there is an existing partition assignment.  Use --additional to override this and create a new partition assignment in addition to the existing one. The --additional flag can also be used to change the throttle by resubmitting the current reassignment.";

/// `catch (Throwable e)`: `Error: <message>` and the stack trace, both on stdout; exit 1.
fn error(e: &JavaException, cause: Option<&JavaException>) -> ToolExit {
    let mut trace = e.stack_trace();
    if let Some(c) = cause {
        trace.push_str("Caused by: ");
        trace.push_str(&c.stack_trace());
    }
    ToolExit {
        stdout: format!(
            "Error: {}\n{trace}\n",
            e.message.as_deref().unwrap_or("null")
        ),
        stderr: String::new(),
        code: 1,
    }
}

fn fail(class: &str, message: &str) -> ToolExit {
    error(&JavaException::new(class, Some(message)), None)
}

/// An `ExecutionException` wrapping `UnknownTopicOrPartitionException(message)`.
fn unknown_topic(message: &str) -> ToolExit {
    let cause = JavaException::new(UNKNOWN_TOPIC, Some(message));
    let wrapper = JavaException::new(EXECUTION, Some(&cause.to_java_string()));
    error(&wrapper, Some(&cause))
}

/// `TerseException`: just the message on stdout; exit 1.
fn terse(message: &str) -> ToolExit {
    ToolExit {
        stdout: format!("{message}\n"),
        stderr: String::new(),
        code: 1,
    }
}

/// `validateAndParseArgs`: exactly one action, a bootstrap option, the action's required and
/// permitted options.
fn validate(opts: &ParsedOptions) -> Result<&'static str, ToolExit> {
    let tool = Tool::ReassignPartitions;
    let present: Vec<&'static str> = ACTIONS.into_iter().filter(|a| opts.has(a)).collect();
    let [action] = present[..] else {
        let list: Vec<String> = ACTIONS.iter().map(|a| format!("--{a}")).collect();
        return Err(usage_exit(
            tool,
            &format!(
                "Command must include exactly one action: {}",
                list.join(", ")
            ),
        ));
    };
    let server = opts.has("bootstrap-server");
    let controller = opts.has("bootstrap-controller");
    if server && controller {
        return Err(usage_exit(
            tool,
            "Please don't specify both --bootstrap-server and --bootstrap-controller",
        ));
    }
    if !server && !controller {
        return Err(usage_exit(
            tool,
            "Please specify either --bootstrap-server or --bootstrap-controller",
        ));
    }
    let bootstrap = if server {
        "bootstrap-server"
    } else {
        "bootstrap-controller"
    };
    let required: &[&str] = match action {
        "generate" => &["topics-to-move-json-file", "broker-list"],
        "list" => &[],
        _ => &["reassignment-json-file"],
    };
    for r in required {
        if !opts.has(r) {
            return Err(usage_exit(tool, &missing_required(r)));
        }
    }
    let permitted: &[&str] = match action {
        "verify" => &["command-config", "preserve-throttles"],
        "generate" => &["broker-list", "command-config", "disable-rack-aware"],
        "execute" => &[
            "additional",
            "command-config",
            "throttle",
            "replica-alter-log-dirs-throttle",
            "timeout",
        ],
        "cancel" => &["command-config", "preserve-throttles", "timeout"],
        _ => &["command-config"],
    };
    for (name, _) in &opts.entries {
        let ok = name == action
            || name == bootstrap
            || required.contains(&name.as_str())
            || permitted.contains(&name.as_str());
        if !ok {
            return Err(usage_exit(
                tool,
                &format!("Option \"[{name}]\" can't be used with action \"[{action}]\""),
            ));
        }
    }
    Ok(action)
}

/// The JSON text of a file option: the JSON itself, or `-` for standard input.
fn json_arg(opts: &ParsedOptions, name: &str, stdin: Option<&str>) -> Result<String, ToolExit> {
    let arg = opts.values_of(name).last().copied().unwrap_or("");
    if arg.trim_start().starts_with('{') {
        Ok(arg.to_string())
    } else if arg == "-" {
        Ok(stdin.unwrap_or_default().to_string())
    } else {
        Err(ToolExit::err(
            format!("kafka-playground: the playground has no files: pass the JSON itself, e.g. --{name} '{}' (not '{arg}'), or - to read it from standard input\n",
                if name == "topics-to-move-json-file" {
                    r#"{"topics":[{"topic":"orders"}],"version":1}"#
                } else {
                    r#"{"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[1,2]}]}"#
                }),
            1,
        ))
    }
}

/// `formatAsReassignmentJson`: compact, partitions sorted by topic then partition.
fn reassignment_json(parts: &BTreeMap<TopicPartition, Vec<BrokerId>>) -> String {
    let items: Vec<String> = parts
        .iter()
        .map(|(tp, replicas)| {
            let r: Vec<String> = replicas.iter().map(i32::to_string).collect();
            let dirs: Vec<&str> = replicas.iter().map(|_| "\"any\"").collect();
            format!(
                "{{\"topic\":{},\"partition\":{},\"replicas\":[{}],\"log_dirs\":[{}]}}",
                serde_json::to_string(&*tp.topic).unwrap_or_default(),
                tp.partition,
                r.join(","),
                dirs.join(",")
            )
        })
        .collect();
    format!("{{\"version\":1,\"partitions\":[{}]}}", items.join(","))
}

fn mapping_error(message: &str) -> ToolExit {
    fail(
        "com.fasterxml.jackson.databind.JsonMappingException",
        message,
    )
}

fn version_of(v: &serde_json::Value) -> Result<(), ToolExit> {
    match v.get("version") {
        None => Ok(()),
        Some(x) if x.as_i64() == Some(1) => Ok(()),
        Some(x) => match x.as_i64() {
            Some(n) => Err(fail(
                OPERATION_FAILED,
                &format!("Not supported version field value {n}"),
            )),
            None => Err(mapping_error(&format!(
                "Expected `Integer` value, received {x}"
            ))),
        },
    }
}

/// `parsePartitionReassignmentData` (version 1, without de-duplication).
fn parse_reassignment(json: &str) -> Result<Vec<(TopicPartition, Vec<BrokerId>)>, ToolExit> {
    let v: serde_json::Value = serde_json::from_str(json).map_err(|e| {
        fail(
            OPERATION_FAILED,
            &format!("com.fasterxml.jackson.core.JsonParseException: {e}"),
        )
    })?;
    version_of(&v)?;
    let mut out = Vec::new();
    let Some(list) = v.get("partitions") else {
        return Ok(out);
    };
    let Some(items) = list.as_array() else {
        return Err(mapping_error(&format!(
            "Expected JSON array, received {list}"
        )));
    };
    for item in items {
        let field = |name: &str| {
            item.get(name)
                .ok_or_else(|| mapping_error(&format!("No such field exists: `{name}`")))
        };
        let topic = field("topic")?;
        let topic = topic
            .as_str()
            .ok_or_else(|| mapping_error(&format!("Expected `String` value, received {topic}")))?;
        let partition = field("partition")?;
        let partition = partition
            .as_i64()
            .and_then(|n| i32::try_from(n).ok())
            .ok_or_else(|| {
                mapping_error(&format!("Expected `Integer` value, received {partition}"))
            })?;
        let replicas = field("replicas")?;
        let replicas: Vec<BrokerId> = replicas
            .as_array()
            .and_then(|a| {
                a.iter()
                    .map(|b| b.as_i64().and_then(|n| i32::try_from(n).ok()))
                    .collect()
            })
            .ok_or_else(|| mapping_error(&format!("Expected JSON array, received {replicas}")))?;
        if let Some(dirs) = item.get("log_dirs") {
            let n = dirs.as_array().map_or(0, Vec::len);
            if n != replicas.len() {
                return Err(fail(
                    COMMAND_FAILED,
                    &format!(
                        "Size of replicas list {} is different from size of log dirs list {dirs} for partition {topic}-{partition}",
                        java_list(&replicas)
                    ),
                ));
            }
            let specific = dirs
                .as_array()
                .is_some_and(|d| d.iter().any(|x| x.as_str() != Some("any")));
            if specific {
                return Err(ToolExit::err(
                    "kafka-playground: log_dirs other than \"any\" are not available: a simulated broker has one log directory\n",
                    1,
                ));
            }
        }
        out.push((TopicPartition::new(topic, partition), replicas));
    }
    Ok(out)
}

/// Java `List.toString`: `[1, 2]`.
fn java_list(v: &[BrokerId]) -> String {
    let s: Vec<String> = v.iter().map(i32::to_string).collect();
    format!("[{}]", s.join(", "))
}

fn ids(v: &[BrokerId]) -> String {
    v.iter().map(i32::to_string).collect::<Vec<_>>().join(",")
}

/// The console's PRNG in the shape the replica placer asks for.
struct ConsoleRandom<'a>(&'a mut crate::engine::rng::SimRng);

impl PlacementRandom for ConsoleRandom<'_> {
    fn next_int(&mut self, bound: i32) -> i32 {
        self.0.below(bound.max(1) as u32) as i32
    }
}

pub fn run(console: &mut Console, opts: &ParsedOptions, stdin: Option<&str>) -> ToolExit {
    let action = match validate(opts) {
        Ok(a) => a,
        Err(exit) => return exit,
    };
    if opts.has("bootstrap-controller") && action != "cancel" {
        return fail(
            "java.lang.UnsupportedOperationException",
            "The --bootstrap-controller option is not supported with these action.",
        );
    }
    match action {
        "generate" => generate(console, opts, stdin),
        "execute" => execute(console, opts, stdin),
        "verify" => verify(console, opts, stdin),
        "list" => list(console),
        _ => ToolExit::err(
            "kafka-reassign-partitions: --cancel is not available yet in this version of the playground\n",
            1,
        ),
    }
}

/// The current replicas of every partition of `topics`.
fn current_assignment(
    console: &Console,
    topics: &[String],
) -> Result<BTreeMap<TopicPartition, Vec<BrokerId>>, ToolExit> {
    let mut out = BTreeMap::new();
    for t in topics {
        let Some(view) = console.sim.topic(t) else {
            return Err(unknown_topic(&format!("Topic {t} not found.")));
        };
        for p in &view.partitions {
            out.insert(
                TopicPartition::new(t.as_str(), p.partition),
                p.replicas.clone(),
            );
        }
    }
    Ok(out)
}

fn generate(console: &mut Console, opts: &ParsedOptions, stdin: Option<&str>) -> ToolExit {
    let json = match json_arg(opts, "topics-to-move-json-file", stdin) {
        Ok(j) => j,
        Err(e) => return e,
    };
    let list = opts.values_of("broker-list").last().copied().unwrap_or("");
    let mut brokers: Vec<BrokerId> = Vec::new();
    for s in list.split(',') {
        match s.parse::<i32>() {
            Ok(b) => brokers.push(b),
            Err(_) => {
                return fail(
                    "java.lang.NumberFormatException",
                    &format!("For input string: \"{s}\""),
                )
            }
        }
    }
    let dup_brokers: Vec<BrokerId> = duplicates(&brokers);
    if !dup_brokers.is_empty() {
        return fail(
            COMMAND_FAILED,
            &format!(
                "Broker list contains duplicate entries: {}",
                java_list(&dup_brokers)
            ),
        );
    }
    let Ok(v) = serde_json::from_str::<serde_json::Value>(&json) else {
        return fail(OPERATION_FAILED, "The input string is not a valid JSON");
    };
    if let Err(e) = version_of(&v) {
        return e;
    }
    let mut topics: Vec<String> = Vec::new();
    if let Some(list) = v.get("topics") {
        let Some(items) = list.as_array() else {
            return mapping_error(&format!("Expected JSON array, received {list}"));
        };
        for item in items {
            match item.get("topic").and_then(|t| t.as_str()) {
                Some(t) => topics.push(t.to_string()),
                None => return mapping_error("No such field exists: `topic`"),
            }
        }
    }
    let dup_topics = duplicates(&topics);
    if !dup_topics.is_empty() {
        return fail(
            COMMAND_FAILED,
            &format!(
                "List of topics to reassign contains duplicate entries: [{}]",
                dup_topics.join(", ")
            ),
        );
    }
    let current = match current_assignment(console, &topics) {
        Ok(c) => c,
        Err(e) => return e,
    };
    // describeCluster: the live brokers, by id; those in --broker-list are usable.
    let rack_aware = !opts.has("disable-rack-aware");
    let usable: Vec<BrokerMetadata> = console
        .sim
        .brokers()
        .into_iter()
        .filter(|b| b.alive && brokers.contains(&b.id))
        .map(|b| BrokerMetadata {
            id: b.id,
            rack: if rack_aware { b.rack.clone() } else { None },
        })
        .collect();
    let rackless = usable.iter().filter(|b| b.rack.is_none()).count();
    if rack_aware && rackless != 0 && rackless != usable.len() {
        return fail(OPERATION_FAILED, "Not all brokers have rack information. Add --disable-rack-aware in command line to make replica assignment without rack information.");
    }
    // calculateAssignment walks a HashMap of topic names.
    let mut names: Vec<String> = Vec::new();
    for tp in current.keys() {
        if !names.iter().any(|n| **n == *tp.topic) {
            names.push(tp.topic.to_string());
        }
    }
    let mut proposed: BTreeMap<TopicPartition, Vec<BrokerId>> = BTreeMap::new();
    let mut rng = ConsoleRandom(&mut console.rng);
    for topic in order_strings(&names, HashMapInit::Default) {
        let parts: Vec<(&TopicPartition, &Vec<BrokerId>)> = current
            .iter()
            .filter(|(tp, _)| *tp.topic == *topic)
            .collect();
        let rf = parts.first().map_or(0, |(_, r)| r.len()) as i32;
        match assign_replicas_to_brokers(&usable, parts.len() as i32, rf, -1, -1, &mut rng) {
            Ok(map) => {
                for (p, replicas) in map {
                    proposed.insert(TopicPartition::new(topic.as_str(), p), replicas);
                }
            }
            Err(e) => {
                return fail(
                    &format!("org.apache.kafka.common.errors.{}", e.exception_name()),
                    &e.message,
                )
            }
        }
    }
    ToolExit::ok(format!(
        "Current partition replica assignment\n{}\n\nProposed partition reassignment configuration\n{}\n",
        reassignment_json(&current),
        reassignment_json(&proposed)
    ))
}

/// `ToolsUtils.duplicates`, in first-seen order.
fn duplicates<T: PartialEq + Clone>(v: &[T]) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    for (i, x) in v.iter().enumerate() {
        if v[..i].contains(x) && !out.contains(x) {
            out.push(x.clone());
        }
    }
    out
}

fn execute(console: &mut Console, opts: &ParsedOptions, stdin: Option<&str>) -> ToolExit {
    let json = match json_arg(opts, "reassignment-json-file", stdin) {
        Ok(j) => j,
        Err(e) => return e,
    };
    let throttle = match opts.long_of("throttle") {
        Ok(t) => t.unwrap_or(-1),
        Err(e) => return super::option_error(Tool::ReassignPartitions, &e),
    };
    let parts = match parse_reassignment(&json) {
        Ok(p) => p,
        Err(e) => return e,
    };
    if parts.is_empty() {
        return fail(
            COMMAND_FAILED,
            "Partition reassignment list cannot be empty",
        );
    }
    if parts.iter().any(|(_, r)| r.is_empty()) {
        return fail(COMMAND_FAILED, "Partition replica list cannot be empty");
    }
    let tps: Vec<TopicPartition> = parts.iter().map(|(tp, _)| tp.clone()).collect();
    let dup = duplicates(&tps);
    if !dup.is_empty() {
        let s: Vec<String> = dup.iter().map(ToString::to_string).collect();
        return fail(
            COMMAND_FAILED,
            &format!(
                "Partition reassignment contains duplicate topic partitions: {}",
                s.join(",")
            ),
        );
    }
    let dup_entries: Vec<String> = parts
        .iter()
        .filter_map(|(tp, r)| {
            let d = duplicates(r);
            (!d.is_empty()).then(|| format!("{tp} contains multiple entries for {}", ids(&d)))
        })
        .collect();
    if !dup_entries.is_empty() {
        return fail(
            COMMAND_FAILED,
            &format!(
                "Partition replica lists may not contain duplicate entries: {}",
                dup_entries.join(". ")
            ),
        );
    }
    if !opts.has("additional") && !console.sim.partition_reassignments().is_empty() {
        return terse(CANNOT_EXECUTE);
    }
    // verifyBrokerIds: the first unknown id of a HashSet<Integer> (ascending for small ids).
    let mut all: Vec<BrokerId> = parts.iter().flat_map(|(_, r)| r.iter().copied()).collect();
    all.sort_unstable();
    let known: Vec<BrokerId> = console.sim.brokers().into_iter().map(|b| b.id).collect();
    if let Some(b) = all.iter().find(|b| !known.contains(b)) {
        return fail(COMMAND_FAILED, &format!("Unknown broker id {b}"));
    }
    let topics: Vec<String> = {
        let mut t: Vec<String> = tps.iter().map(|tp| tp.topic.to_string()).collect();
        t.dedup();
        t
    };
    let mut current = BTreeMap::new();
    for t in &topics {
        match console.sim.topic(t) {
            Some(view) => {
                for p in &view.partitions {
                    let tp = TopicPartition::new(t.as_str(), p.partition);
                    if tps.contains(&tp) {
                        current.insert(tp, p.replicas.clone());
                    }
                }
            }
            None => return unknown_topic(&format!("Topic {t} not found.")),
        }
    }
    let missing: Vec<String> = tps
        .iter()
        .filter(|tp| !current.contains_key(*tp))
        .map(ToString::to_string)
        .collect();
    if !missing.is_empty() {
        return unknown_topic(&format!("Unable to find partition: {}", missing.join(", ")));
    }
    let mut out = format!(
        "Current partition replica assignment\n\n{}\n\nSave this to use as the --reassignment-json-file option during rollback\n",
        reassignment_json(&current)
    );
    let mut stderr = String::new();
    if throttle >= 0 {
        out.push_str("Warning: You must run --verify periodically, until the reassignment completes, to ensure the throttle is removed.\n");
        out.push_str(&format!(
            "The inter-broker throttle limit was set to {throttle} B/s\n"
        ));
        stderr.push_str("kafka-playground: replication throttles are not simulated; the reassignment runs at full speed\n");
    }
    let results = match console.sim.apply(Command::AlterPartitionReassignments {
        reassignments: parts,
    }) {
        Ok(Outcome::ReassignmentsStarted { results }) => results,
        Ok(_) => Vec::new(),
        Err(e) => return fail(e.code.exception(), &e.message),
    };
    let mut errors: Vec<(TopicPartition, String)> = results
        .into_iter()
        .filter_map(|(tp, e)| e.map(|e| (tp, e.message)))
        .collect();
    if !errors.is_empty() {
        ordered::sort(&mut errors);
        let lines: Vec<String> = errors.iter().map(|(tp, m)| format!("{tp}: {m}")).collect();
        let mut exit = terse(&format!(
            "Error reassigning partition(s):\n{}",
            lines.join("\n")
        ));
        exit.stdout = format!("{out}{}", exit.stdout);
        exit.stderr = stderr;
        return exit;
    }
    let mut sorted = tps.clone();
    ordered::sort(&mut sorted);
    let names: Vec<String> = sorted.iter().map(ToString::to_string).collect();
    out.push_str(&format!(
        "Successfully started partition reassignment{} for {}\n",
        if names.len() == 1 { "" } else { "s" },
        names.join(",")
    ));
    ToolExit {
        stdout: out,
        stderr,
        code: 0,
    }
}

fn verify(console: &mut Console, opts: &ParsedOptions, stdin: Option<&str>) -> ToolExit {
    let json = match json_arg(opts, "reassignment-json-file", stdin) {
        Ok(j) => j,
        Err(e) => return e,
    };
    let parts = match parse_reassignment(&json) {
        Ok(p) => p,
        Err(e) => return e,
    };
    let ongoing = console.sim.partition_reassignments();
    let mut states: BTreeMap<TopicPartition, String> = BTreeMap::new();
    for (tp, target) in &parts {
        let line = if ongoing.iter().any(|r| r.tp == *tp) {
            format!("Reassignment of partition {tp} is still in progress.")
        } else {
            let current: Vec<BrokerId> = console
                .sim
                .topic(&tp.topic)
                .and_then(|v| {
                    v.partitions
                        .iter()
                        .find(|p| p.partition == tp.partition)
                        .map(|p| p.replicas.clone())
                })
                .unwrap_or_default();
            if current == *target {
                format!("Reassignment of partition {tp} is completed.")
            } else {
                format!(
                    "There is no active reassignment of partition {tp}, but replica set is {} rather than {}.",
                    ids(&current),
                    ids(target)
                )
            }
        };
        states.insert(tp.clone(), line);
    }
    let mut out = String::from("Status of partition reassignment:\n");
    for line in states.values() {
        out.push_str(line);
        out.push('\n');
    }
    // verifyReplicaMoves prints its (empty) summary line.
    out.push('\n');
    if ongoing.is_empty() && !opts.has("preserve-throttles") {
        let mut brokers: Vec<BrokerId> = console
            .sim
            .brokers()
            .into_iter()
            .filter(|b| b.alive)
            .map(|b| b.id)
            .collect();
        brokers.extend(parts.iter().flat_map(|(_, r)| r.iter().copied()));
        brokers.sort_unstable();
        brokers.dedup();
        out.push_str(&format!(
            "Clearing broker-level throttles on broker{} {}\n",
            if brokers.len() == 1 { "" } else { "s" },
            ids(&brokers)
        ));
        let mut topics: Vec<String> = Vec::new();
        for (tp, _) in &parts {
            if !topics.iter().any(|t| **t == *tp.topic) {
                topics.push(tp.topic.to_string());
            }
        }
        let topics = order_strings(&topics, HashMapInit::Default);
        out.push_str(&format!(
            "Clearing topic-level throttles on topic{} {}\n",
            if topics.len() == 1 { "" } else { "s" },
            topics.join(",")
        ));
    }
    ToolExit::ok(out)
}

fn list(console: &Console) -> ToolExit {
    let ongoing = console.sim.partition_reassignments();
    if ongoing.is_empty() {
        return ToolExit::ok("No partition reassignments found.\n");
    }
    let mut out = String::from("Current partition reassignments:\n");
    for r in ongoing {
        out.push_str(&format!("{}: replicas: {}.", r.tp, ids(&r.replicas)));
        if !r.adding.is_empty() {
            out.push_str(&format!(" adding: {}.", ids(&r.adding)));
        }
        if !r.removing.is_empty() {
            out.push_str(&format!(" removing: {}.", ids(&r.removing)));
        }
        out.push('\n');
    }
    ToolExit::ok(out)
}
