//! `kafka-delete-records` (`DeleteRecordsCommand`; formats §9). The playground has no files:
//! `--offset-json-file` takes the JSON itself (or `-` for standard input).

use super::usage;
use crate::console::format::errors::{message_and_stack_trace, JavaException};
use crate::console::format::records::delete_records;
use crate::console::options::{missing_required, ParsedOptions};
use crate::console::output::ToolExit;
use crate::console::run::Console;
use crate::console::Tool;
use crate::engine::{Command, Outcome, TopicPartition};

const ADMIN_EXCEPTION: &str = "org.apache.kafka.server.common.AdminOperationException";

fn fail(msg: &str) -> ToolExit {
    message_and_stack_trace(&JavaException::new(ADMIN_EXCEPTION, Some(msg)))
}

/// `parseOffsetJsonStringWithoutDedup` plus the duplicate check.
fn parse(json: &str) -> Result<Vec<(TopicPartition, i64)>, String> {
    let v: serde_json::Value = serde_json::from_str(json)
        .map_err(|_| "The input string is not a valid JSON".to_string())?;
    if let Some(ver) = v.get("version") {
        if ver.as_i64() != Some(1) {
            return Err(format!("Not supported version field value {ver}"));
        }
    }
    let Some(parts) = v.get("partitions").and_then(|p| p.as_array()) else {
        return Err("Missing partitions field".into());
    };
    let mut out: Vec<(TopicPartition, i64)> = Vec::new();
    for p in parts {
        let topic = p
            .get("topic")
            .and_then(|t| t.as_str())
            .ok_or("Missing topic field")?;
        let partition = p
            .get("partition")
            .and_then(|t| t.as_i64())
            .and_then(|n| i32::try_from(n).ok())
            .ok_or("Missing partition field")?;
        let offset = p
            .get("offset")
            .and_then(|t| t.as_i64())
            .ok_or("Missing offset field")?;
        out.push((TopicPartition::new(topic, partition), offset));
    }
    let mut dups: Vec<String> = Vec::new();
    for (i, (tp, _)) in out.iter().enumerate() {
        if out[..i].iter().any(|(o, _)| o == tp) && !dups.contains(&tp.to_string()) {
            dups.push(tp.to_string());
        }
    }
    if !dups.is_empty() {
        return Err(format!(
            "Offset json file contains duplicate topic partitions: {}",
            dups.join(",")
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
        Err(m) => return fail(&m),
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
