//! `kafka-leader-election` (`LeaderElectionCommand`; formats §10). The playground has no files:
//! `--path-to-json-file` takes the JSON itself (or `-` for standard input).

use super::option_error;
use crate::console::format::errors::JavaException;
use crate::console::java_order::{duplicate_partitions, order_topic_partitions, HashMapInit};
use crate::console::options::ParsedOptions;
use crate::console::output::ToolExit;
use crate::console::run::Console;
use crate::console::Tool;
use crate::engine::admin_election::{ElectionError, ElectionType};
use crate::engine::{Command, Outcome, TopicPartition};

const COMMAND_FAILED: &str = "org.apache.kafka.server.common.AdminCommandFailedException";
const OPERATION_FAILED: &str = "org.apache.kafka.server.common.AdminOperationException";

/// `mainNoExit`'s catch: `e.getMessage()`, then `Utils.stackTrace(e)`, on stderr; exit 1.
fn fail_with(e: &JavaException, suppressed: &[JavaException]) -> ToolExit {
    let mut trace = e.stack_trace();
    for s in suppressed {
        trace.push_str("\tSuppressed: ");
        trace.push_str(&s.stack_trace());
    }
    ToolExit::err(
        format!("{}\n{trace}\n", e.message.as_deref().unwrap_or("null")),
        1,
    )
}

fn fail(class: &str, message: &str) -> ToolExit {
    fail_with(&JavaException::new(class, Some(message)), &[])
}

/// `LeaderElectionCommandOptions.validate`.
fn validate(opts: &ParsedOptions) -> Result<(), ToolExit> {
    let missing: Vec<&str> = ["bootstrap-server", "election-type"]
        .into_iter()
        .filter(|o| !opts.has(o))
        .collect();
    if !missing.is_empty() {
        return Err(fail(
            COMMAND_FAILED,
            &format!("Missing required option(s): {}", missing.join(", ")),
        ));
    }
    let exclusive = ["topic", "all-topic-partitions", "path-to-json-file"];
    if super::count_present(opts, &exclusive) != 1 {
        return Err(fail(
            COMMAND_FAILED,
            &format!(
                "One and only one of the following options is required: {}",
                exclusive.join(", ")
            ),
        ));
    }
    if opts.has("topic") && !opts.has("partition") {
        return Err(fail(
            COMMAND_FAILED,
            "Missing required option(s): partition",
        ));
    }
    if !opts.has("topic") && opts.has("partition") {
        return Err(fail(
            COMMAND_FAILED,
            "Option partition is only allowed if topic is used",
        ));
    }
    Ok(())
}

/// `parseReplicaElectionData`: the partitions of `{"partitions": [{"topic": .., "partition": ..}]}`.
fn parse_election_data(json: &str) -> Result<Vec<TopicPartition>, ToolExit> {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(json) else {
        return Err(fail(OPERATION_FAILED, "Replica election data is empty"));
    };
    let Some(list) = v.get("partitions") else {
        return Err(fail(
            OPERATION_FAILED,
            "Replica election data is missing \"partitions\" field",
        ));
    };
    let mapping = |m: &str| {
        let msg = format!("com.fasterxml.jackson.databind.JsonMappingException: {m}");
        fail_with(
            &JavaException::new("java.lang.RuntimeException", Some(&msg)),
            &[],
        )
    };
    let Some(items) = list.as_array() else {
        return Err(mapping("Expected JSON array, received partitions"));
    };
    let mut out: Vec<TopicPartition> = Vec::new();
    for item in items {
        let topic = match item.get("topic") {
            Some(t) => t
                .as_str()
                .ok_or_else(|| mapping(&format!("Expected `String` value, received {t}")))?,
            None => return Err(mapping("No such field exists: `topic`")),
        };
        let partition = match item.get("partition") {
            Some(p) => p
                .as_i64()
                .and_then(|n| i32::try_from(n).ok())
                .ok_or_else(|| mapping(&format!("Expected `Integer` value, received {p}")))?,
            None => return Err(mapping("No such field exists: `partition`")),
        };
        out.push(TopicPartition::new(topic, partition));
    }
    let shown = duplicate_partitions(&out);
    if !shown.is_empty() {
        return Err(fail(
            OPERATION_FAILED,
            &format!(
                "Replica election data contains duplicate partitions: [{}]",
                shown.join(", ")
            ),
        ));
    }
    let mut unique: Vec<TopicPartition> = Vec::new();
    for tp in out {
        if !unique.contains(&tp) {
            unique.push(tp);
        }
    }
    Ok(unique)
}

/// Partitions in `HashSet<TopicPartition>` order, joined with `", "`.
fn hash_set_list(tps: &[TopicPartition]) -> String {
    let keys: Vec<(String, i32)> = tps
        .iter()
        .map(|tp| (tp.topic.to_string(), tp.partition))
        .collect();
    order_topic_partitions(&keys, HashMapInit::Default)
        .into_iter()
        .map(|(t, p)| format!("{t}-{p}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn run(console: &mut Console, opts: &ParsedOptions, stdin: Option<&str>) -> ToolExit {
    let tool = Tool::LeaderElection;
    if let Err(exit) = validate(opts) {
        return exit;
    }
    let election = match opts.choice_of("election-type") {
        Ok(Some(t)) if t == "UNCLEAN" => ElectionType::Unclean,
        Ok(_) => ElectionType::Preferred,
        Err(e) => return option_error(tool, &e),
    };
    let partition = match opts.int_of("partition") {
        Ok(p) => p,
        Err(e) => return option_error(tool, &e),
    };
    let partitions = if let Some(arg) = opts.values_of("path-to-json-file").last().copied() {
        let json = if arg.trim_start().starts_with('{') {
            arg.to_string()
        } else if arg == "-" {
            stdin.unwrap_or_default().to_string()
        } else {
            return ToolExit::err(
                format!("kafka-playground: the playground has no files: pass the JSON itself, e.g. --path-to-json-file '{{\"partitions\":[{{\"topic\":\"orders\",\"partition\":0}}]}}' (not '{arg}'), or - to read it from standard input\n"),
                1,
            );
        };
        match parse_election_data(&json) {
            Ok(p) => Some(p),
            Err(exit) => return exit,
        }
    } else {
        match (opts.values_of("topic").last(), partition) {
            (Some(t), Some(p)) => Some(vec![TopicPartition::new(*t, p)]),
            _ => None,
        }
    };
    let results = match console.sim.apply(Command::ElectLeaders {
        election_type: election,
        partitions,
    }) {
        Ok(Outcome::LeadersElected { results }) => results,
        Ok(_) => Vec::new(),
        Err(e) => {
            return fail(
                "java.lang.RuntimeException",
                &format!(
                    "java.util.concurrent.ExecutionException: {}: {}",
                    e.code.exception(),
                    e.message
                ),
            )
        }
    };
    let mut succeeded = Vec::new();
    let mut noop = Vec::new();
    let mut failed: Vec<(TopicPartition, ElectionError)> = Vec::new();
    for (tp, r) in results {
        match r {
            None => succeeded.push(tp),
            Some(ElectionError::ElectionNotNeeded) => noop.push(tp),
            Some(e) => failed.push((tp, e)),
        }
    }
    let mut out = String::new();
    if !succeeded.is_empty() {
        out.push_str(&format!(
            "Successfully completed leader election ({}) for partitions {}\n",
            election.name(),
            hash_set_list(&succeeded)
        ));
    }
    if !noop.is_empty() {
        out.push_str(&format!(
            "Valid replica already elected for partitions {}\n",
            hash_set_list(&noop)
        ));
    }
    if failed.is_empty() {
        return ToolExit::ok(out);
    }
    let keys: Vec<(String, i32)> = failed
        .iter()
        .map(|(tp, _)| (tp.topic.to_string(), tp.partition))
        .collect();
    let mut suppressed = Vec::new();
    for key in order_topic_partitions(&keys, HashMapInit::Default) {
        let Some((tp, e)) = failed
            .iter()
            .find(|(tp, _)| *tp.topic == *key.0 && tp.partition == key.1)
        else {
            continue;
        };
        let ex = JavaException::for_error(e.code(), Some(e.message()));
        out.push_str(&format!(
            "Error completing leader election ({}) for partition: {tp}: {}\n",
            election.name(),
            ex.to_java_string()
        ));
        suppressed.push(ex);
    }
    let root = JavaException::new(
        COMMAND_FAILED,
        Some(&format!("{} replica(s) could not be elected", failed.len())),
    );
    let mut exit = fail_with(&root, &suppressed);
    exit.stdout = out;
    exit
}
