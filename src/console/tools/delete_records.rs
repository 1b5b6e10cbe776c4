//! `kafka-delete-records` (`DeleteRecordsCommand`; formats §9). The playground has no files:
//! `--offset-json-file` takes the JSON itself (or `-` for standard input).

use super::usage;
use crate::console::format::errors::{message_and_stack_trace, JavaException};
use crate::console::format::records::delete_records;
use crate::console::java_order::duplicate_partitions;
use crate::console::options::{missing_required, ParsedOptions};
use crate::console::output::ToolExit;
use crate::console::run::Console;
use crate::console::Tool;
use crate::engine::{Command, Outcome, TopicPartition};
use serde_json::Value;

const ADMIN_EXCEPTION: &str = "org.apache.kafka.server.common.AdminOperationException";
const COMMAND_FAILED: &str = "org.apache.kafka.server.common.AdminCommandFailedException";
/// What Kafka's `JsonValue`, `JsonObject` and `DecodeJson` throw for JSON of the wrong shape.
const JSON_EXCEPTION: &str = "com.fasterxml.jackson.databind.JsonMappingException";

fn exception(class: &str, msg: &str) -> JavaException {
    JavaException::new(class, Some(msg))
}

/// `DecodeJson.throwJsonMappingException` and `JsonValue.asJsonObject`/`asJsonArray`:
/// ``Expected `Long` value, received "x"``, the node as JSON (an object's keys come out sorted
/// here, in their order in Jackson).
fn expected(what: &str, node: &Value) -> JavaException {
    exception(JSON_EXCEPTION, &format!("Expected {what}, received {node}"))
}

/// `DecodeJson.DecodeInteger`: an int node only (not 1.0, nothing past 32 bits).
fn int(node: &Value) -> Option<i32> {
    node.as_i64().and_then(|n| i32::try_from(n).ok())
}

/// `JsonObject.apply(name).to(decoder)`: a missing field is ``No such field exists: `name` ``;
/// a null one is present and fails to decode.
fn field<'a, T>(
    obj: &'a Value,
    name: &str,
    java_type: &str,
    decode: impl Fn(&'a Value) -> Option<T>,
) -> Result<T, JavaException> {
    let node = obj
        .get(name)
        .ok_or_else(|| exception(JSON_EXCEPTION, &format!("No such field exists: `{name}`")))?;
    decode(node).ok_or_else(|| expected(&format!("`{java_type}` value"), node))
}

/// `parseOffsetJsonStringWithoutDedup` plus the duplicate check.
fn parse(json: &str) -> Result<Vec<(TopicPartition, i64)>, JavaException> {
    let v: Value = serde_json::from_str(json)
        .map_err(|_| exception(ADMIN_EXCEPTION, "The input string is not a valid JSON"))?;
    if !v.is_object() {
        return Err(expected("JSON object", &v));
    }
    if let Some(ver) = v.get("version") {
        match int(ver) {
            Some(1) => {}
            Some(n) => {
                return Err(exception(
                    ADMIN_EXCEPTION,
                    &format!("Not supported version field value {n}"),
                ))
            }
            None => return Err(expected("`Integer` value", ver)),
        }
    }
    let parts = v
        .get("partitions")
        .ok_or_else(|| exception(ADMIN_EXCEPTION, "Missing partitions field"))?;
    let parts = parts
        .as_array()
        .ok_or_else(|| expected("JSON array", parts))?;
    let mut out: Vec<(TopicPartition, i64)> = Vec::new();
    for p in parts {
        if !p.is_object() {
            return Err(expected("JSON object", p));
        }
        let topic = field(p, "topic", "String", Value::as_str)?;
        let partition = field(p, "partition", "Integer", int)?;
        let offset = field(p, "offset", "Long", Value::as_i64)?;
        out.push((TopicPartition::new(topic, partition), offset));
    }
    // `execute` collects them into a HashSet.
    let shown = duplicate_partitions(out.iter().map(|(tp, _)| tp));
    if !shown.is_empty() {
        return Err(exception(
            COMMAND_FAILED,
            &format!(
                "Offset json file contains duplicate topic partitions: {}",
                shown.join(",")
            ),
        ));
    }
    Ok(out)
}

pub fn run(console: &mut Console, opts: &ParsedOptions, stdin: Option<&str>) -> ToolExit {
    if !opts.has("bootstrap-server") {
        return usage(Tool::DeleteRecords, &missing_required("bootstrap-server"));
    }
    let Some(arg) = opts.values_of("offset-json-file").last().copied() else {
        return usage(Tool::DeleteRecords, &missing_required("offset-json-file"));
    };
    let json = if arg.trim_start().starts_with('{') {
        arg.to_string()
    } else if arg == "-" {
        stdin.unwrap_or_default().to_string()
    } else {
        return ToolExit::err(
            format!("kafka-playground: the playground has no files: pass the JSON itself, e.g. --offset-json-file '{{\"partitions\":[{{\"topic\":\"orders\",\"partition\":0,\"offset\":3}}],\"version\":1}}' (not '{arg}'), or - to read it from standard input\n"),
            1,
        );
    };
    let partitions = match parse(&json) {
        Ok(p) => p,
        Err(e) => return message_and_stack_trace(&e),
    };
    let mut results = Vec::new();
    for (tp, offset) in partitions {
        let r = match console.sim.apply(Command::DeleteRecords {
            tp: tp.clone(),
            offset,
        }) {
            Ok(Outcome::LowWatermark { low_watermark, .. }) => Ok(low_watermark),
            Ok(_) => Ok(offset),
            Err(e) => Err(format!("{}: {}", e.code.exception(), e.message)),
        };
        results.push(((tp.topic.to_string(), tp.partition), r));
    }
    ToolExit::ok(delete_records(&results))
}
