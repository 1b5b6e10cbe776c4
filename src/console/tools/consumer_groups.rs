//! `kafka-consumer-groups` (`ConsumerGroupCommand`; formats §5).

use super::{broker_host, count_present, usage};
use crate::console::format::errors::{consumer_groups_error, group_not_found, log_line};
use crate::console::format::groups as fmt;
use crate::console::model::{
    CommittedOffset, GroupDescription, GroupListing, GroupMember, GroupState, GroupType,
    MemberProtocol,
};
use crate::console::options::{missing_required, ParsedOptions};
use crate::console::output::ToolExit;
use crate::console::run::Console;
use crate::console::Tool;
use crate::engine::{Command, ErrorCode, Outcome, Sim, TopicPartition};
use crate::ordered;

const ACTIONS: [&str; 6] = [
    "list",
    "describe",
    "delete",
    "reset-offsets",
    "delete-offsets",
    "validate-regex",
];
const SCENARIOS: [&str; 8] = [
    "to-offset",
    "to-current",
    "to-datetime",
    "from-file",
    "by-duration",
    "to-earliest",
    "to-latest",
    "shift-by",
];
const LOGGER: &str = "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand";

fn u(message: &str) -> ToolExit {
    usage(Tool::ConsumerGroups, message)
}

pub fn run(console: &mut Console, opts: &ParsedOptions) -> ToolExit {
    if count_present(opts, &ACTIONS) != 1 {
        return u("Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets, --validate-regex");
    }
    if !opts.has("validate-regex") && !opts.has("bootstrap-server") {
        return u(&missing_required("bootstrap-server"));
    }
    let groups_given = opts.has("group") || opts.has("all-groups");
    if opts.has("describe") {
        if !groups_given {
            return u("Option [describe] takes one of these options: [all-groups], [group]");
        }
        if count_present(opts, &["members", "offsets", "state"]) > 1 {
            return u("Option [describe] takes at most one of these options: [members], [offsets], [state]");
        }
        if !opts.values_of("state").is_empty() {
            return u("Option [describe] does not take a value for [state]");
        }
        return describe(&console.sim, opts);
    }
    if opts.has("list") {
        return list(&console.sim, opts);
    }
    if opts.has("delete") {
        if !groups_given {
            return u("Option [delete] takes one of these options: [all-groups], [group]");
        }
        if opts.has("topic") {
            return u("The consumer does not support topic-specific offset deletion from a consumer group.");
        }
        return delete(&mut console.sim, opts);
    }
    if opts.has("delete-offsets") {
        if !opts.has("group") || !opts.has("topic") {
            return u("Option [delete-offsets] takes the following options: [topic], [group]");
        }
        return delete_offsets(&mut console.sim, opts);
    }
    if opts.has("reset-offsets") {
        if opts.has("execute") && opts.has("dry-run") {
            return u("Option [reset-offsets] only accepts one of [execute] and [dry-run]");
        }
        if !groups_given {
            return u("Option [reset-offsets] takes one of these options: [all-groups], [group]");
        }
        if !opts.has("all-topics") && !opts.has("topic") {
            return u("One of the reset scopes should be defined: --all-topics, --topic.");
        }
        if count_present(opts, &SCENARIOS) != 1 {
            return u("Option '[reset-offsets]' requires one of the following scenarios: [[to-offset], [to-current], [to-datetime], [from-file], [by-duration], [to-earliest], [to-latest], [shift-by]]");
        }
        return reset_offsets(&mut console.sim, opts);
    }
    ToolExit::err(
        "kafka-consumer-groups: --validate-regex is not available yet in this version of the playground\n",
        1,
    )
}

fn group_ids(sim: &Sim, opts: &ParsedOptions) -> Vec<String> {
    if opts.has("all-groups") {
        sim.group_ids()
    } else {
        let mut v: Vec<String> = Vec::new();
        for g in opts.values_of("group") {
            if !v.iter().any(|x| x == g) {
                v.push(g.to_string());
            }
        }
        v
    }
}

fn state_of(name: &str) -> GroupState {
    GroupState::parse(name)
}

/// The admin client's view of one group.
pub fn description(sim: &Sim, group: &str) -> Option<GroupDescription> {
    let g = sim.group_view(group)?;
    let coordinator = g.coordinator.unwrap_or(-1);
    let (host, port) = broker_host(coordinator.max(0));
    Some(GroupDescription {
        group_id: g.group_id.clone(),
        state: state_of(&g.state),
        members: g
            .members
            .iter()
            .map(|m| GroupMember {
                consumer_id: m.member_id.clone(),
                group_instance_id: m.group_instance_id.clone(),
                client_id: m.client_id.clone(),
                host: m.host.clone(),
                assignment: m
                    .assignment
                    .iter()
                    .map(|tp| (tp.topic.to_string(), tp.partition))
                    .collect(),
                protocol: MemberProtocol::Classic,
                ..Default::default()
            })
            .collect(),
        committed: g
            .offsets
            .iter()
            .filter_map(|o| {
                o.committed.map(|c| CommittedOffset {
                    topic: o.tp.topic.to_string(),
                    partition: o.tp.partition,
                    offset: c,
                    leader_epoch: o.committed_leader_epoch,
                })
            })
            .collect(),
        log_end_offsets: g
            .offsets
            .iter()
            .map(|o| ((o.tp.topic.to_string(), o.tp.partition), o.log_end_offset))
            .collect(),
        coordinator_host: host,
        coordinator_port: port,
        coordinator_id: coordinator,
        assignment_strategy: g.protocol.clone().unwrap_or_default(),
        group_epoch: None,
        target_assignment_epoch: None,
    })
}

fn list(sim: &Sim, opts: &ParsedOptions) -> ToolExit {
    let ids = sim.group_ids();
    if !opts.has("state") && !opts.has("type") {
        return ToolExit::ok(fmt::list(&ids));
    }
    let mut states = Vec::new();
    for v in opts.values_of("state") {
        for s in v.split(',') {
            let st = GroupState::parse(s);
            if st == GroupState::Unknown {
                return u(&format!("Invalid state list '{v}'. Valid states are: PreparingRebalance, CompletingRebalance, Stable, Dead, Empty, Assigning, Reconciling"));
            }
            states.push(st);
        }
    }
    for v in opts.values_of("type") {
        for t in v.split(',') {
            if !["consumer", "classic", "share"].contains(&t.trim().to_ascii_lowercase().as_str()) {
                return u(&format!(
                    "Invalid types list '{v}'. Valid types are: Consumer, Classic, Share"
                ));
            }
        }
    }
    let want_classic = opts.values_of("type").is_empty()
        || opts.values_of("type").iter().any(|v| {
            v.split(',')
                .any(|t| t.trim().eq_ignore_ascii_case("classic"))
        });
    let ordered = crate::console::java_order::order_strings(
        &ids,
        crate::console::java_order::HashMapInit::Default,
    );
    let listings: Vec<GroupListing> = ordered
        .iter()
        .filter_map(|id| {
            let state = sim.group_view(id).map(|g| state_of(&g.state))?;
            let keep = (states.is_empty() || states.contains(&state)) && want_classic;
            keep.then(|| GroupListing {
                group_id: id.clone(),
                group_type: GroupType::Classic,
                state,
            })
        })
        .collect();
    ToolExit::ok(fmt::list_with_details(
        &listings,
        opts.has("type"),
        opts.has("state"),
    ))
}

fn describe(sim: &Sim, opts: &ParsedOptions) -> ToolExit {
    let mut ids = group_ids(sim, opts);
    ordered::sort(&mut ids);
    let mut groups = Vec::new();
    for id in &ids {
        match description(sim, id) {
            Some(g) => groups.push(g),
            None => return group_not_found(id),
        }
    }
    let verbose = opts.has("verbose");
    if opts.has("members") {
        fmt::describe_members(&groups, verbose)
    } else if opts.has("state") {
        fmt::describe_state(&groups, verbose)
    } else {
        fmt::describe_offsets(&groups, verbose)
    }
}

fn delete(sim: &mut Sim, opts: &ParsedOptions) -> ToolExit {
    let ids = group_ids(sim, opts);
    let mut results = Vec::new();
    for g in ids {
        let r = sim.apply(Command::DeleteGroup { group: g.clone() });
        results.push((
            g,
            r.err()
                .map(|e| format!("{}: {}", e.code.exception(), e.message)),
        ));
    }
    ToolExit::ok(fmt::delete_groups(&results))
}

/// `--topic t` or `--topic t:0,1`: the partitions asked for (all of the topic without a list).
fn topic_partitions(sim: &Sim, specs: &[&str]) -> Result<Vec<TopicPartition>, String> {
    let mut out = Vec::new();
    for spec in specs {
        match spec.split_once(':') {
            Some((t, list)) => {
                for p in list.split(',') {
                    let p = p
                        .trim()
                        .parse::<i32>()
                        .map_err(|_| format!("For input string: \"{}\"", p.trim()))?;
                    out.push(TopicPartition::new(t, p));
                }
            }
            None => {
                let Some(view) = sim.topic(spec) else {
                    return Err("org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition.".to_string());
                };
                out.extend(
                    view.partitions
                        .iter()
                        .map(|p| TopicPartition::new(*spec, p.partition)),
                );
            }
        }
    }
    Ok(out)
}

fn delete_offsets(sim: &mut Sim, opts: &ParsedOptions) -> ToolExit {
    let group = opts
        .values_of("group")
        .last()
        .copied()
        .unwrap_or("")
        .to_string();
    let specs = opts.values_of("topic");
    let topics: Vec<String> = specs
        .iter()
        .map(|s| s.split_once(':').map_or(*s, |(t, _)| t).to_string())
        .collect();
    let partitions = match topic_partitions(sim, &specs) {
        Ok(p) => p,
        Err(e) => {
            return consumer_groups_error(
                &format!("Executing consumer group command failed due to {e}"),
                None,
            )
        }
    };
    match sim.apply(Command::DeleteGroupOffsets {
        group: group.clone(),
        partitions,
    }) {
        Ok(Outcome::OffsetsDeleted { results }) => {
            let failed = results.iter().any(|(_, e)| e.is_some());
            let rows: Vec<(String, Option<i32>, Option<String>)> = results
                .iter()
                .map(|(tp, e)| {
                    (
                        tp.topic.to_string(),
                        Some(tp.partition),
                        e.map(|c| c.default_message().to_string()),
                    )
                })
                .collect();
            let top = failed
                .then_some("Encounter some partition level error, see the follow-up details:");
            ToolExit::ok(fmt::delete_offsets(&group, &topics, top, &rows))
        }
        Ok(_) => ToolExit::default(),
        Err(e) if e.code == ErrorCode::GroupIdNotFound => ToolExit::ok(fmt::delete_offsets(
            &group,
            &topics,
            Some(&format!("'{group}' does not exist.")),
            &[],
        )),
        Err(e) => consumer_groups_error(
            &format!(
                "Executing consumer group command failed due to {}: {}",
                e.code.exception(),
                e.message
            ),
            None,
        ),
    }
}

/// `YYYY-MM-DDTHH:mm:SS[.sss][Z|±hh:mm]` (no zone = UTC here) to epoch ms.
fn parse_datetime(s: &str) -> Option<i64> {
    let (date, rest) = s.split_once('T')?;
    let mut d = date.split('-');
    let y: i64 = d.next()?.parse().ok()?;
    let m: i64 = d.next()?.parse().ok()?;
    let day: i64 = d.next()?.parse().ok()?;
    let (time, offset_min) = if let Some(t) = rest.strip_suffix('Z') {
        (t, 0)
    } else if let Some(i) = rest.rfind(['+', '-']).filter(|i| *i >= 8) {
        let (t, z) = rest.split_at(i);
        let sign = if z.starts_with('-') { -1 } else { 1 };
        let (h, mi) = z[1..]
            .split_once(':')
            .unwrap_or((&z[1..3.min(z.len())], "0"));
        (
            t,
            sign * (h.parse::<i64>().ok()? * 60 + mi.parse::<i64>().ok()?),
        )
    } else {
        (rest, 0)
    };
    let (hms, ms) = time.split_once('.').unwrap_or((time, "0"));
    let mut t = hms.split(':');
    let hh: i64 = t.next()?.parse().ok()?;
    let mm: i64 = t.next()?.parse().ok()?;
    let ss: i64 = t.next().unwrap_or("0").parse().ok()?;
    let ms: i64 = format!("{ms:0<3}")[..3].parse().ok()?;
    let yy = if m <= 2 { y - 1 } else { y };
    let era = yy.div_euclid(400);
    let yoe = yy - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some((((days * 24 + hh) * 60 + mm) * 60 + ss) * 1000 + ms - offset_min * 60_000)
}

/// `PnDTnHnMnS` (`java.time.Duration.parse`, whole numbers) to ms.
fn parse_iso_duration(s: &str) -> Option<i64> {
    let body = s.strip_prefix('P').or_else(|| s.strip_prefix('p'))?;
    let (days, time) = match body.split_once(['T', 't']) {
        Some((d, t)) => (d, t),
        None => (body, ""),
    };
    let mut total = 0i64;
    if !days.is_empty() {
        total += days.strip_suffix(['D', 'd'])?.parse::<i64>().ok()? * 86_400_000;
    }
    let mut num = String::new();
    for c in time.chars() {
        match c.to_ascii_uppercase() {
            '0'..='9' => num.push(c),
            'H' => total += std::mem::take(&mut num).parse::<i64>().ok()? * 3_600_000,
            'M' => total += std::mem::take(&mut num).parse::<i64>().ok()? * 60_000,
            'S' => total += std::mem::take(&mut num).parse::<i64>().ok()? * 1000,
            _ => return None,
        }
    }
    num.is_empty().then_some(total)
}

/// The earliest offset whose timestamp is at or after `ts`, if any.
fn offset_for_time(sim: &Sim, tp: &TopicPartition, ts: i64) -> Option<i64> {
    let start = sim.log_start_offset(tp)?;
    let hw = sim.high_watermark(tp)?;
    let records = sim.records(tp, start, usize::try_from(hw - start).unwrap_or(0));
    records
        .iter()
        .filter(|r| r.offset() < hw)
        .find(|r| r.timestamp() >= ts)
        .map(|r| r.offset())
}

fn reset_offsets(sim: &mut Sim, opts: &ParsedOptions) -> ToolExit {
    let mut out = ToolExit::default();
    let execute = opts.has("execute");
    if !execute && !opts.has("dry-run") {
        out.stderr.push_str(fmt::RESET_DRY_RUN_WARNING);
        out.stderr.push('\n');
    }
    if opts.has("from-file") {
        return out.then(ToolExit::err(
            "kafka-consumer-groups: --from-file is not available yet in this version of the playground\n",
            1,
        ));
    }
    let ids = group_ids(sim, opts);
    let ts = sim.timestamp();
    let mut plans = Vec::new();
    for group in ids {
        let view = sim.group_view(&group);
        if let Some(v) = &view {
            let state = state_of(&v.state);
            if !matches!(state, GroupState::Empty | GroupState::Dead) {
                out.stdout.push_str(&fmt::reset_not_inactive(&group, state));
                continue;
            }
        }
        let committed = |tp: &TopicPartition| {
            view.as_ref()
                .and_then(|v| v.offsets.iter().find(|o| &o.tp == tp))
                .and_then(|o| o.committed)
        };
        let partitions = if opts.has("all-topics") {
            view.as_ref()
                .map(|v| {
                    v.offsets
                        .iter()
                        .filter(|o| o.committed.is_some())
                        .map(|o| o.tp.clone())
                        .collect()
                })
                .unwrap_or_default()
        } else {
            match topic_partitions(sim, &opts.values_of("topic")) {
                Ok(p) => p,
                Err(e) => {
                    return out.then(consumer_groups_error(
                        &format!("Executing consumer group command failed due to {e}"),
                        None,
                    ))
                }
            }
        };
        let mut offsets = Vec::new();
        for tp in partitions {
            let earliest = sim.log_start_offset(&tp).unwrap_or(0);
            let latest = sim.high_watermark(&tp).unwrap_or(0);
            let clamp = |o: i64, out: &mut ToolExit| {
                if o > latest {
                    out.stderr.push_str(&log_line(ts, "WARN", &format!("New offset ({o}) is higher than latest offset for topic partition {tp}. Value will be set to {latest}"), LOGGER));
                    latest
                } else if o < earliest {
                    out.stderr.push_str(&log_line(ts, "WARN", &format!("New offset ({o}) is lower than earliest offset for topic partition {tp}. Value will be set to {earliest}"), LOGGER));
                    earliest
                } else {
                    o
                }
            };
            let by_time = |t: i64, out: &mut ToolExit| match offset_for_time(sim, &tp, t) {
                Some(o) => o,
                None => {
                    out.stdout.push_str(&format!(
                        "\nWarn: Partition {} from topic {} is empty. Falling back to latest known offset.\n",
                        tp.partition, tp.topic
                    ));
                    latest
                }
            };
            let target = if opts.has("to-earliest") {
                earliest
            } else if opts.has("to-latest") {
                latest
            } else if opts.has("to-current") {
                committed(&tp).unwrap_or(latest)
            } else if opts.has("to-offset") {
                match opts.long_of("to-offset") {
                    Ok(Some(o)) => clamp(o, &mut out),
                    Ok(None) => latest,
                    Err(e) => return out.then(super::option_error(Tool::ConsumerGroups, &e)),
                }
            } else if opts.has("shift-by") {
                let shift = match opts.long_of("shift-by") {
                    Ok(s) => s.unwrap_or(0),
                    Err(e) => return out.then(super::option_error(Tool::ConsumerGroups, &e)),
                };
                let Some(current) = committed(&tp) else {
                    return out.then(u(&format!("Cannot shift offset for partition {tp} since there is no current committed offset")));
                };
                clamp(current.saturating_add(shift), &mut out)
            } else if opts.has("to-datetime") {
                let v = opts.values_of("to-datetime").last().copied().unwrap_or("");
                let Some(t) = parse_datetime(v) else {
                    return out.then(consumer_groups_error(&format!("Executing consumer group command failed due to java.time.format.DateTimeParseException: Text '{v}' could not be parsed at index 0"), None));
                };
                by_time(t, &mut out)
            } else {
                let v = opts.values_of("by-duration").last().copied().unwrap_or("");
                let Some(d) = parse_iso_duration(v) else {
                    return out.then(consumer_groups_error("Executing consumer group command failed due to java.time.format.DateTimeParseException: Text cannot be parsed to a Duration", None));
                };
                by_time(ts - d, &mut out)
            };
            offsets.push(((tp.topic.to_string(), tp.partition), target));
        }
        if execute {
            let list: Vec<(TopicPartition, i64)> = offsets
                .iter()
                .map(|((t, p), o)| (TopicPartition::new(t.clone(), *p), *o))
                .collect();
            if let Err(e) = sim.apply(Command::SetGroupOffsets {
                group: group.clone(),
                offsets: list,
            }) {
                out.stdout.push_str(&format!("\nError: {}\n", e.message));
                continue;
            }
        }
        plans.push(fmt::ResetPlan {
            group_id: group,
            offsets,
        });
    }
    if opts.has("export") {
        out.stdout.push_str(&fmt::reset_offsets_export(&plans));
    } else {
        out.stdout.push_str(&fmt::reset_offsets_table(&plans));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes_and_durations() {
        assert_eq!(
            parse_datetime("2025-03-18T00:00:00.000"),
            Some(1_742_256_000_000)
        );
        assert_eq!(
            parse_datetime("2025-03-18T01:00:00Z"),
            Some(1_742_259_600_000)
        );
        assert_eq!(
            parse_datetime("2025-03-18T01:00:00.000+01:00"),
            Some(1_742_256_000_000)
        );
        assert_eq!(parse_datetime("yesterday"), None);
        assert_eq!(parse_iso_duration("PT10M"), Some(600_000));
        assert_eq!(parse_iso_duration("P1DT2H"), Some(93_600_000));
        assert_eq!(parse_iso_duration("10m"), None);
    }
}
