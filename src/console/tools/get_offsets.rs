//! `kafka-get-offsets` (`GetOffsetShell`; formats §6).

use super::regex::Regex;
use super::usage;
use crate::console::format::errors::get_offsets_error;
use crate::console::format::offsets::{offsets_lines, parse_time};
use crate::console::options::{missing_required, ParsedOptions};
use crate::console::output::ToolExit;
use crate::console::run::Console;
use crate::console::Tool;
use crate::engine::{Sim, TopicPartition};

pub fn run(console: &mut Console, opts: &ParsedOptions) -> ToolExit {
    if !opts.has("bootstrap-server") {
        return usage(Tool::GetOffsets, &missing_required("bootstrap-server"));
    }
    if opts.has("topic-partitions") {
        if opts.has("topic") || opts.has("partitions") {
            return get_offsets_error(
                "--topic-partitions cannot be used with --topic or --partitions",
            );
        }
        return get_offsets_error("--topic-partitions is not available yet in this version of the playground: use --topic and --partitions");
    }
    let time_arg = opts.values_of("time").last().copied().unwrap_or("latest");
    let time = match parse_time(time_arg) {
        Ok(t) => t,
        Err(m) => return get_offsets_error(&m),
    };
    let partitions: Option<Vec<i32>> = match opts.values_of("partitions").last() {
        None => None,
        Some(list) => {
            let parsed: Result<Vec<i32>, ()> = list
                .split(',')
                .map(|p| p.trim().parse::<i32>().map_err(|_| ()))
                .collect();
            match parsed {
                Ok(v) => Some(v),
                Err(()) => {
                    return get_offsets_error(&format!(
                        "--partitions expects a comma separated list of numeric partition ids, but received: {list}"
                    ))
                }
            }
        }
    };
    let re = match opts.values_of("topic").last() {
        Some(p) => match Regex::new(p) {
            Ok(r) => Some(r),
            Err(e) => return get_offsets_error(&e),
        },
        None => None,
    };
    let exclude_internal = opts.has("exclude-internal-topics");
    let sim = &console.sim;
    let mut rows = Vec::new();
    for t in sim.topic_names(true) {
        if exclude_internal && t.starts_with("__") {
            continue;
        }
        if re.as_ref().is_some_and(|r| !r.matches(&t)) {
            continue;
        }
        let Some(view) = sim.topic(&t) else { continue };
        for p in &view.partitions {
            if partitions
                .as_ref()
                .is_some_and(|ps| !ps.contains(&p.partition))
            {
                continue;
            }
            let tp = TopicPartition::new(t.clone(), p.partition);
            rows.push((t.clone(), p.partition, offset_for(sim, &tp, time)));
        }
    }
    if rows.is_empty() {
        return get_offsets_error(
            "Could not match any topic-partitions with the specified filters",
        );
    }
    ToolExit::ok(offsets_lines(&rows))
}

/// ListOffsets for one partition: -1 latest (high watermark), -2/-4 earliest, -3 the record
/// with the largest timestamp, -5 latest tiered (none here), else the first offset whose
/// timestamp is at least `time`. -1 is "no answer" (the line is omitted).
fn offset_for(sim: &Sim, tp: &TopicPartition, time: i64) -> i64 {
    let start = sim.log_start_offset(tp).unwrap_or(0);
    let hw = sim.high_watermark(tp).unwrap_or(0);
    let records = || sim.records(tp, start, usize::try_from(hw - start).unwrap_or(0));
    match time {
        -1 => hw,
        -2 | -4 => start,
        -3 => records()
            .iter()
            .filter(|r| r.offset() < hw)
            .fold(None, |best: Option<(i64, i64)>, r| match best {
                Some((ts, _)) if ts >= r.timestamp() => best,
                _ => Some((r.timestamp(), r.offset())),
            })
            .map_or(-1, |(_, o)| o),
        t if t < 0 => -1,
        t => records()
            .iter()
            .filter(|r| r.offset() < hw)
            .find(|r| r.timestamp() >= t)
            .map_or(-1, |r| r.offset()),
    }
}
