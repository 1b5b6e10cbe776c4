//! `kafka-consumer-groups` output (formats §5). Groups are described in sorted order (the
//! tool's `TreeMap`); rows inside a group follow Java `HashMap` order where Kafka's do.

use super::pad;
use crate::console::java_order::{
    java_compare, order_strings, order_topic_partitions, HashMapInit,
};
use crate::console::model::{
    GroupDescription, GroupListing, GroupMember, GroupState, MemberProtocol, TopicPartition,
};
use crate::console::output::ToolExit;
use crate::ordered;

/// `MISSING_COLUMN_VALUE`.
const MISSING: &str = "-";

/// stdout of `--list` without filters: one id per line in `HashMap` order of the ids as the
/// admin client returned them (`insertion_order`).
pub fn list(insertion_order: &[String]) -> String {
    order_strings(insertion_order, HashMapInit::Default)
        .into_iter()
        .map(|g| format!("{g}\n"))
        .collect()
}

/// stdout of `--list --state` and/or `--type`: a header, then one row per listing in the given
/// order. Column 1 is `max(15, longest id) + 10` wide, the others 20.
pub fn list_with_details(
    listings: &[GroupListing],
    include_type: bool,
    include_state: bool,
) -> String {
    let w = listings
        .iter()
        .map(|l| l.group_id.encode_utf16().count().max(15))
        .max()
        .unwrap_or(15)
        + 10;
    let row = |id: &str, ty: &str, st: &str| {
        let mut s = pad(id, w);
        if include_type {
            s.push(' ');
            s.push_str(&pad(ty, 20));
        }
        if include_state {
            s.push(' ');
            s.push_str(&pad(st, 20));
        }
        s.push('\n');
        s
    };
    let mut out = row("GROUP", "TYPE", "STATE");
    for l in listings {
        out.push_str(&row(&l.group_id, l.group_type.name(), l.state.name()));
    }
    out
}

/// `shouldPrintMemberState`: the state message, and whether to print the table.
fn state_check(group: &str, state: GroupState, rows: usize, out: &mut ToolExit) -> bool {
    match state {
        GroupState::Dead => {
            out.stdout.push_str(&format!(
                "\nError: Consumer group '{group}' does not exist.\n"
            ));
        }
        GroupState::Empty => out.stderr.push_str(&format!(
            "\nConsumer group '{group}' has no active members.\n"
        )),
        s if s.rebalancing() => out.stderr.push_str(&format!(
            "\nWarning: Consumer group '{group}' is rebalancing.\n"
        )),
        _ => {}
    }
    state != GroupState::Dead && rows > 0
}

fn sorted_groups(groups: &[GroupDescription]) -> Vec<&GroupDescription> {
    let mut v: Vec<&GroupDescription> = groups.iter().collect();
    ordered::sort_by(&mut v, |a, b| java_compare(&a.group_id, &b.group_id));
    v
}

/// One row of the offsets view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OffsetRow {
    pub topic: String,
    pub partition: i32,
    pub leader_epoch: Option<i32>,
    pub current_offset: Option<i64>,
    pub log_end_offset: Option<i64>,
    pub lag: Option<i64>,
    pub consumer_id: Option<String>,
    pub host: Option<String>,
    pub client_id: Option<String>,
}

/// The rows of one group in Kafka's order: members with partitions (most partitions first),
/// each member's partitions in `HashMap` order; then committed-but-unassigned partitions.
pub fn offset_rows(g: &GroupDescription) -> Vec<OffsetRow> {
    let leo = |tp: &TopicPartition| {
        g.log_end_offsets
            .iter()
            .find(|(k, _)| k == tp)
            .map(|(_, v)| *v)
    };
    let committed = |tp: &TopicPartition| {
        g.committed
            .iter()
            .find(|c| c.topic == tp.0 && c.partition == tp.1)
    };
    let row = |tp: &TopicPartition, m: Option<&GroupMember>| {
        let c = committed(tp);
        let current = c.map(|c| c.offset).filter(|o| *o >= 0);
        let end = leo(tp);
        OffsetRow {
            topic: tp.0.clone(),
            partition: tp.1,
            leader_epoch: c.and_then(|c| c.leader_epoch),
            current_offset: current,
            log_end_offset: end,
            lag: match (current, end) {
                (Some(c), Some(e)) => Some(e - c),
                _ => None,
            },
            consumer_id: m.map(|m| m.consumer_id.clone()),
            host: m.map(|m| m.host.clone()),
            client_id: m.map(|m| m.client_id.clone()),
        }
    };
    let mut members: Vec<&GroupMember> = g
        .members
        .iter()
        .filter(|m| !m.assignment.is_empty())
        .collect();
    ordered::sort_by_key(&mut members, |m| std::cmp::Reverse(m.assignment.len()));
    let mut rows = Vec::new();
    let mut assigned: Vec<TopicPartition> = Vec::new();
    for m in members {
        for tp in order_topic_partitions(&m.assignment, HashMapInit::Default) {
            rows.push(row(&tp, Some(m)));
            assigned.push(tp);
        }
    }
    let unassigned: Vec<TopicPartition> = g
        .committed
        .iter()
        .map(|c| (c.topic.clone(), c.partition))
        .filter(|tp| !assigned.contains(tp))
        .collect();
    for tp in order_topic_partitions(&unassigned, HashMapInit::Default) {
        rows.push(row(&tp, None));
    }
    rows
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref()
        .map(ToString::to_string)
        .unwrap_or_else(|| MISSING.to_string())
}

/// `--describe` (offsets view, `--offsets`; `verbose` adds LEADER-EPOCH).
pub fn describe_offsets(groups: &[GroupDescription], verbose: bool) -> ToolExit {
    let mut out = ToolExit::default();
    for g in sorted_groups(groups) {
        let rows = offset_rows(g);
        if !state_check(&g.group_id, g.state, rows.len(), &mut out) {
            continue;
        }
        let width = |f: &dyn Fn(&OffsetRow) -> String| {
            rows.iter()
                .map(|r| f(r).encode_utf16().count())
                .max()
                .unwrap_or(0)
                .max(15)
        };
        let gw = g.group_id.encode_utf16().count().max(15);
        let tw = width(&|r| r.topic.clone());
        let cw = width(&|r| opt(&r.consumer_id));
        let hw = width(&|r| opt(&r.host));
        let line = |cells: [&str; 10]| {
            let mut s = format!(
                "\n{} {} {} ",
                pad(cells[0], gw),
                pad(cells[1], tw),
                pad(cells[2], 10)
            );
            if verbose {
                s.push_str(&pad(cells[3], 15));
                s.push(' ');
            }
            s.push_str(&format!(
                "{} {} {} {} {} {}",
                pad(cells[4], 15),
                pad(cells[5], 15),
                pad(cells[6], 15),
                pad(cells[7], cw),
                pad(cells[8], hw),
                cells[9]
            ));
            s
        };
        out.stdout.push_str(&line([
            "GROUP",
            "TOPIC",
            "PARTITION",
            "LEADER-EPOCH",
            "CURRENT-OFFSET",
            "LOG-END-OFFSET",
            "LAG",
            "CONSUMER-ID",
            "HOST",
            "CLIENT-ID",
        ]));
        for r in &rows {
            out.stdout.push_str(&line([
                &g.group_id,
                &r.topic,
                &r.partition.to_string(),
                &opt(&r.leader_epoch),
                &opt(&r.current_offset),
                &opt(&r.log_end_offset),
                &opt(&r.lag),
                &opt(&r.consumer_id),
                &opt(&r.host),
                &opt(&r.client_id),
            ]));
        }
        out.stdout.push('\n');
    }
    out
}

/// Assignment string of `--members --verbose`: `topic:p1,p2;topic2:p`, topics sorted,
/// partitions sorted as strings (4.0), `-` when empty.
pub fn assignment_string(tps: &[TopicPartition]) -> String {
    if tps.is_empty() {
        return MISSING.to_string();
    }
    let mut topics: Vec<&str> = tps.iter().map(|(t, _)| t.as_str()).collect();
    ordered::sort_by(&mut topics, |a, b| java_compare(a, b));
    topics.dedup();
    topics
        .into_iter()
        .map(|t| {
            let mut ps: Vec<String> = tps
                .iter()
                .filter(|(tt, _)| tt == t)
                .map(|(_, p)| p.to_string())
                .collect();
            ordered::sort_by(&mut ps, |a, b| java_compare(a, b));
            format!("{t}:{}", ps.join(","))
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// `--describe --members [--verbose]`. The header is printed even when the state check fails.
pub fn describe_members(groups: &[GroupDescription], verbose: bool) -> ToolExit {
    let mut out = ToolExit::default();
    for g in sorted_groups(groups) {
        let print = state_check(&g.group_id, g.state, g.members.len(), &mut out);
        let members: &[GroupMember] = if print { &g.members } else { &[] };
        let w = |min: usize, f: &dyn Fn(&GroupMember) -> usize| {
            members.iter().map(f).max().unwrap_or(0).max(min)
        };
        let gw = if print {
            g.group_id.encode_utf16().count().max(15)
        } else {
            15
        };
        let cw = w(15, &|m| m.consumer_id.encode_utf16().count());
        let iw = w(17, &|m| {
            m.group_instance_id
                .as_deref()
                .unwrap_or("")
                .encode_utf16()
                .count()
        });
        let hw = w(15, &|m| m.host.encode_utf16().count());
        let lw = w(15, &|m| m.client_id.encode_utf16().count());
        let with_instance = members.iter().any(|m| {
            m.group_instance_id
                .as_deref()
                .is_some_and(|i| !i.is_empty())
        });
        let current = |m: &GroupMember| assignment_string(&m.assignment);
        let target = |m: &GroupMember| match (&m.protocol, &m.target_assignment) {
            (MemberProtocol::Consumer, Some(t)) => assignment_string(t),
            _ => MISSING.to_string(),
        };
        let pw = w(20, &|m| current(m).encode_utf16().count());
        let qw = w(20, &|m| target(m).encode_utf16().count());
        let mixed = members
            .iter()
            .any(|m| m.protocol == MemberProtocol::Classic)
            && members
                .iter()
                .any(|m| m.protocol == MemberProtocol::Consumer);
        let line = |c: [&str; 11]| {
            let mut s = format!("{} {} ", pad(c[0], gw), pad(c[1], cw));
            if with_instance {
                s.push_str(&pad(c[2], iw));
                s.push(' ');
            }
            s.push_str(&format!(
                "{} {} {} ",
                pad(c[3], hw),
                pad(c[4], lw),
                pad(c[5], 15)
            ));
            if verbose {
                s.push_str(&format!(
                    "{} {} {} {}",
                    pad(c[6], 15),
                    pad(c[7], pw),
                    pad(c[8], 15),
                    pad(c[9], qw)
                ));
                if mixed {
                    s.push(' ');
                    s.push_str(c[10]);
                }
            }
            s.push('\n');
            s
        };
        out.stdout.push('\n');
        out.stdout.push_str(&line([
            "GROUP",
            "CONSUMER-ID",
            "GROUP-INSTANCE-ID",
            "HOST",
            "CLIENT-ID",
            "#PARTITIONS",
            "CURRENT-EPOCH",
            "CURRENT-ASSIGNMENT",
            "TARGET-EPOCH",
            "TARGET-ASSIGNMENT",
            "UPGRADED",
        ]));
        for m in members {
            let epoch = |e: Option<i32>| match m.protocol {
                MemberProtocol::Consumer => opt(&e),
                MemberProtocol::Classic => MISSING.to_string(),
            };
            out.stdout.push_str(&line([
                &g.group_id,
                &m.consumer_id,
                m.group_instance_id.as_deref().unwrap_or(""),
                &m.host,
                &m.client_id,
                &m.assignment.len().to_string(),
                &epoch(m.member_epoch),
                &current(m),
                &epoch(m.target_epoch),
                &target(m),
                if m.protocol == MemberProtocol::Consumer {
                    "true"
                } else {
                    "false"
                },
            ]));
        }
    }
    out
}

/// `--describe --state [--verbose]`.
pub fn describe_state(groups: &[GroupDescription], verbose: bool) -> ToolExit {
    let mut out = ToolExit::default();
    for g in sorted_groups(groups) {
        if !state_check(&g.group_id, g.state, 1, &mut out) {
            continue;
        }
        let coordinator = format!(
            "{}:{}  ({})",
            g.coordinator_host, g.coordinator_port, g.coordinator_id
        );
        let gw = g.group_id.encode_utf16().count().max(15);
        let kw = coordinator.encode_utf16().count().max(25);
        let strategy = if g.assignment_strategy.is_empty() {
            MISSING
        } else {
            &g.assignment_strategy
        };
        let line = |c: [&str; 7]| {
            let mut s = format!(
                "\n{} {} {} {} ",
                pad(c[0], gw),
                pad(c[1], kw),
                pad(c[2], 20),
                pad(c[3], 20)
            );
            if verbose {
                s.push_str(&format!("{} {} ", pad(c[4], 15), pad(c[5], 25)));
            }
            s.push_str(c[6]);
            s
        };
        out.stdout.push_str(&line([
            "GROUP",
            "COORDINATOR (ID)",
            "ASSIGNMENT-STRATEGY",
            "STATE",
            "GROUP-EPOCH",
            "TARGET-ASSIGNMENT-EPOCH",
            "#MEMBERS",
        ]));
        out.stdout.push_str(&line([
            &g.group_id,
            &coordinator,
            strategy,
            g.state.name(),
            &opt(&g.group_epoch),
            &opt(&g.target_assignment_epoch),
            &g.members.len().to_string(),
        ]));
        out.stdout.push('\n');
    }
    out
}

/// The planned offsets of `--reset-offsets` for one group, in the order the plan was built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetPlan {
    pub group_id: String,
    pub offsets: Vec<(TopicPartition, i64)>,
}

fn reset_rows(plans: &[ResetPlan]) -> Vec<(String, String, i32, i64)> {
    let ids: Vec<String> = plans.iter().map(|p| p.group_id.clone()).collect();
    let mut rows = Vec::new();
    for id in order_strings(&ids, HashMapInit::Default) {
        let Some(p) = plans.iter().find(|p| p.group_id == id) else {
            continue;
        };
        let keys: Vec<TopicPartition> = p.offsets.iter().map(|(tp, _)| tp.clone()).collect();
        for tp in order_topic_partitions(&keys, HashMapInit::Default) {
            if let Some((_, o)) = p.offsets.iter().find(|(k, _)| *k == tp) {
                rows.push((id.clone(), tp.0.clone(), tp.1, *o));
            }
        }
    }
    rows
}

/// The `--reset-offsets` table (dry run and execute print the same).
pub fn reset_offsets_table(plans: &[ResetPlan]) -> String {
    let line = |a: &str, b: &str, c: &str, d: &str| {
        format!(
            "\n{} {} {} {}",
            pad(a, 30),
            pad(b, 30),
            pad(c, 10),
            pad(d, 15)
        )
    };
    let mut out = String::new();
    if !plans.is_empty() {
        out.push_str(&line("GROUP", "TOPIC", "PARTITION", "NEW-OFFSET"));
    }
    for (g, t, p, o) in reset_rows(plans) {
        out.push_str(&line(&g, &t, &p.to_string(), &o.to_string()));
    }
    out.push('\n');
    out
}

/// `--reset-offsets --export`: CSV (`topic,partition,offset`, or with the group first when
/// several groups are reset), then an empty line.
pub fn reset_offsets_export(plans: &[ResetPlan]) -> String {
    let multi = plans.len() > 1;
    let mut out = String::new();
    for (g, t, p, o) in reset_rows(plans) {
        if multi {
            out.push_str(&format!("{g},{t},{p},{o}\n"));
        } else {
            out.push_str(&format!("{t},{p},{o}\n"));
        }
    }
    out.push('\n');
    out
}

/// stderr notice when `--reset-offsets` has neither `--execute` nor `--dry-run`.
pub const RESET_DRY_RUN_WARNING: &str = "WARN: No action will be performed as the --execute option is missing. In a future major release, the default behavior of this command will be to prompt the user before executing the reset rather than doing a dry run. You should add the --dry-run option explicitly if you are scripting this command and want to keep the current default behavior without prompting.";

/// The error printed (stdout) for a group that is not inactive during a reset.
pub fn reset_not_inactive(group: &str, state: GroupState) -> String {
    format!(
        "\nError: Assignments can only be reset if the group '{group}' is inactive, but the current state is {}.\n",
        state.name()
    )
}

/// stdout of `--delete`: results per group (`None` = deleted, `Some(exception string)`),
/// in the order the admin client returned them (printed in `HashMap` order).
pub fn delete_groups(results: &[(String, Option<String>)]) -> String {
    let ids: Vec<String> = results.iter().map(|(g, _)| g.clone()).collect();
    let ordered = order_strings(&ids, HashMapInit::Default);
    let get = |g: &str| {
        results
            .iter()
            .find(|(k, _)| k == g)
            .and_then(|(_, e)| e.clone())
    };
    let success: Vec<&String> = ordered.iter().filter(|g| get(g).is_none()).collect();
    let failed: Vec<(&String, String)> = ordered
        .iter()
        .filter_map(|g| get(g).map(|e| (g, e)))
        .collect();
    let mut out = String::new();
    if failed.is_empty() {
        let names: Vec<&str> = success.iter().map(|s| s.as_str()).collect();
        out.push_str(&format!(
            "Deletion of requested consumer groups ('{}') was successful.\n",
            names.join(", ")
        ));
    } else {
        out.push_str("\nError: Deletion of some consumer groups failed:\n");
        for (g, e) in &failed {
            out.push_str(&format!("* Group '{g}' could not be deleted due to: {e}\n"));
        }
        if !success.is_empty() {
            // 4.0 bug: joined with "'" and suffixed with "', '" (fixed in 4.1).
            let names: Vec<&str> = success.iter().map(|s| s.as_str()).collect();
            out.push_str(&format!(
                "\nThese consumer groups were deleted successfully: '{}', '\n",
                names.join("'")
            ));
        }
    }
    out
}

/// stdout of `--delete-offsets` (4.0): the top line, then `TOPIC PARTITION STATUS` rows
/// (`None` partition prints `Not Provided`; `None` error prints `Successful`).
pub fn delete_offsets(
    group: &str,
    topics: &[String],
    top_error: Option<&str>,
    partitions: &[(String, Option<i32>, Option<String>)],
) -> String {
    let mut out = match top_error {
        None => format!(
            "Request succeed for deleting offsets with topic {} group {group}\n",
            topics.join(", ")
        ),
        Some(e) => format!("\nError: {e}\n"),
    };
    let line =
        |a: &str, b: &str, c: &str| format!("\n{} {} {}", pad(a, 30), pad(b, 15), pad(c, 15));
    out.push_str(&line("TOPIC", "PARTITION", "STATUS"));
    for (t, p, e) in partitions {
        let p = p
            .map(|p| p.to_string())
            .unwrap_or_else(|| "Not Provided".into());
        let status = match e {
            None => "Successful".to_string(),
            Some(e) => format!("Error: {e}"),
        };
        out.push_str(&line(t, &p, &status));
    }
    out.push('\n');
    out
}

/// stdout of `--validate-regex` (4.0); `error` is the RE2 description when invalid.
pub fn validate_regex(regex: &str, error: Option<&str>) -> String {
    match error {
        None => format!("The regular expression `{regex}` is valid.\n"),
        Some(e) => format!("The regular expression `{regex}` is invalid: {e}.\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::console::model::{CommittedOffset, GroupType};

    const CID: &str = "console-consumer-4f1e5a43-3f0e-4c1b-9d1a-1d2e3f4a5b6c";

    fn member(parts: &[i32]) -> GroupMember {
        GroupMember {
            consumer_id: CID.into(),
            client_id: "console-consumer".into(),
            host: "/127.0.0.1".into(),
            assignment: parts.iter().map(|p| ("orders".to_string(), *p)).collect(),
            ..Default::default()
        }
    }

    fn group(state: GroupState, members: Vec<GroupMember>) -> GroupDescription {
        GroupDescription {
            group_id: "my-group".into(),
            state,
            members,
            committed: vec![CommittedOffset {
                topic: "orders".into(),
                partition: 0,
                offset: 5,
                leader_epoch: Some(0),
            }],
            log_end_offsets: vec![(("orders".into(), 0), 10), (("orders".into(), 1), 3)],
            coordinator_host: "localhost".into(),
            coordinator_port: 9092,
            coordinator_id: 1,
            assignment_strategy: "range".into(),
            ..Default::default()
        }
    }

    #[test]
    fn offsets_view_matches_the_reference() {
        let out = describe_offsets(&[group(GroupState::Stable, vec![member(&[0, 1])])], false);
        assert_eq!(
            out.stdout,
            "\nGROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID                                           HOST            CLIENT-ID\n\
my-group        orders          0          5               10              5               console-consumer-4f1e5a43-3f0e-4c1b-9d1a-1d2e3f4a5b6c /127.0.0.1      console-consumer\n\
my-group        orders          1          -               3               -               console-consumer-4f1e5a43-3f0e-4c1b-9d1a-1d2e3f4a5b6c /127.0.0.1      console-consumer\n"
        );
        assert_eq!(out.stderr, "");
        assert_eq!(out.code, 0);
    }

    #[test]
    fn empty_group_with_offsets() {
        let out = describe_offsets(&[group(GroupState::Empty, vec![])], false);
        assert_eq!(
            out.stderr,
            "\nConsumer group 'my-group' has no active members.\n"
        );
        assert_eq!(
            out.stdout,
            "\nGROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID\n\
my-group        orders          0          5               10              5               -               -               -\n"
        );
        let mut g = group(GroupState::Empty, vec![]);
        g.committed.clear();
        let out = describe_offsets(&[g.clone()], false);
        assert_eq!(out.stdout, "");
        g.state = GroupState::Dead;
        assert_eq!(
            describe_offsets(&[g], false).stdout,
            "\nError: Consumer group 'my-group' does not exist.\n"
        );
    }

    #[test]
    fn offsets_verbose_adds_leader_epoch() {
        let out = describe_offsets(
            &[group(GroupState::PreparingRebalance, vec![member(&[0])])],
            true,
        );
        assert_eq!(
            out.stderr,
            "\nWarning: Consumer group 'my-group' is rebalancing.\n"
        );
        let lines: Vec<&str> = out.stdout.lines().collect();
        assert!(lines[1].starts_with(
            "GROUP           TOPIC           PARTITION  LEADER-EPOCH    CURRENT-OFFSET  "
        ));
        assert!(lines[2].starts_with(
            "my-group        orders          0          0               5               10 "
        ));
    }

    #[test]
    fn rows_follow_member_size_then_hash_map_order() {
        let mut a = member(&[0]);
        a.consumer_id = "a".into();
        let mut b = member(&[]);
        b.consumer_id = "b".into();
        b.assignment = (0..6).map(|p| ("test".to_string(), p)).collect();
        let mut g = group(GroupState::Stable, vec![a, b]);
        g.committed.push(CommittedOffset {
            topic: "orders".into(),
            partition: 9,
            offset: 1,
            leader_epoch: None,
        });
        let rows = offset_rows(&g);
        let got: Vec<(String, i32)> = rows
            .iter()
            .map(|r| (r.topic.clone(), r.partition))
            .collect();
        let t = |p| ("test".to_string(), p);
        let o = |p| ("orders".to_string(), p);
        assert_eq!(got, [t(1), t(0), t(3), t(2), t(5), t(4), o(0), o(9)]);
        assert_eq!(rows[7].consumer_id, None);
    }

    #[test]
    fn members_view_matches_the_reference() {
        let out = describe_members(&[group(GroupState::Stable, vec![member(&[0, 1])])], false);
        assert_eq!(
            out.stdout,
            "\nGROUP           CONSUMER-ID                                           HOST            CLIENT-ID        #PARTITIONS     \n\
my-group        console-consumer-4f1e5a43-3f0e-4c1b-9d1a-1d2e3f4a5b6c /127.0.0.1      console-consumer 2               \n"
        );
    }

    #[test]
    fn members_verbose_matches_the_reference() {
        let m = GroupMember {
            consumer_id: "5J3PWm0VRj6-GfWmCqYfDQ".into(),
            client_id: "console-consumer".into(),
            host: "/127.0.0.1".into(),
            assignment: vec![
                ("payments".into(), 0),
                ("orders".into(), 1),
                ("orders".into(), 0),
            ],
            target_assignment: Some(vec![
                ("orders".into(), 0),
                ("orders".into(), 1),
                ("payments".into(), 0),
            ]),
            member_epoch: Some(4),
            target_epoch: Some(4),
            protocol: MemberProtocol::Consumer,
            ..Default::default()
        };
        let out = describe_members(&[group(GroupState::Stable, vec![m])], true);
        assert_eq!(
            out.stdout,
            "\nGROUP           CONSUMER-ID            HOST            CLIENT-ID        #PARTITIONS     CURRENT-EPOCH   CURRENT-ASSIGNMENT    TARGET-EPOCH    TARGET-ASSIGNMENT    \n\
my-group        5J3PWm0VRj6-GfWmCqYfDQ /127.0.0.1      console-consumer 3               4               orders:0,1;payments:0 4               orders:0,1;payments:0\n"
        );
        assert_eq!(
            assignment_string(&[("t".into(), 10), ("t".into(), 2), ("t".into(), 1)]),
            "t:1,10,2"
        );
        assert_eq!(assignment_string(&[]), "-");
    }

    #[test]
    fn members_view_prints_the_header_for_empty_and_dead_groups() {
        let out = describe_members(&[group(GroupState::Empty, vec![])], false);
        assert_eq!(
            out.stderr,
            "\nConsumer group 'my-group' has no active members.\n"
        );
        assert_eq!(
            out.stdout,
            "\nGROUP           CONSUMER-ID     HOST            CLIENT-ID       #PARTITIONS     \n"
        );
        let out = describe_members(&[group(GroupState::Dead, vec![])], false);
        assert!(out
            .stdout
            .starts_with("\nError: Consumer group 'my-group' does not exist.\n\nGROUP "));
    }

    #[test]
    fn state_view_matches_the_reference() {
        let out = describe_state(&[group(GroupState::Stable, vec![member(&[0])])], false);
        assert_eq!(
            out.stdout,
            "\nGROUP           COORDINATOR (ID)          ASSIGNMENT-STRATEGY  STATE                #MEMBERS\n\
my-group        localhost:9092  (1)       range                Stable               1\n"
        );
        let out = describe_state(&[group(GroupState::Stable, vec![member(&[0])])], true);
        assert_eq!(
            out.stdout,
            "\nGROUP           COORDINATOR (ID)          ASSIGNMENT-STRATEGY  STATE                GROUP-EPOCH     TARGET-ASSIGNMENT-EPOCH   #MEMBERS\n\
my-group        localhost:9092  (1)       range                Stable               -               -                         1\n"
        );
    }

    #[test]
    fn list_outputs() {
        let ids: Vec<String> = [
            "orders-app",
            "my-group",
            "test-group",
            "console-consumer-12345",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            list(&ids),
            "my-group\nconsole-consumer-12345\norders-app\ntest-group\n"
        );
        assert_eq!(list(&[]), "");
        let l = vec![
            GroupListing {
                group_id: "console-consumer-12345".into(),
                group_type: GroupType::Classic,
                state: GroupState::Empty,
            },
            GroupListing {
                group_id: "my-group".into(),
                group_type: GroupType::Classic,
                state: GroupState::Stable,
            },
        ];
        assert_eq!(
            list_with_details(&l, true, true),
            "GROUP                            TYPE                 STATE               \n\
console-consumer-12345           Classic              Empty               \n\
my-group                         Classic              Stable              \n"
        );
    }

    #[test]
    fn reset_offsets_outputs() {
        let plan = ResetPlan {
            group_id: "my-group".into(),
            offsets: vec![(("orders".into(), 0), 0), (("orders".into(), 1), 0)],
        };
        assert_eq!(
            reset_offsets_table(std::slice::from_ref(&plan)),
            "\nGROUP                          TOPIC                          PARTITION  NEW-OFFSET     \n\
my-group                       orders                         0          0              \n\
my-group                       orders                         1          0              \n"
        );
        assert_eq!(reset_offsets_export(&[plan]), "orders,0,0\norders,1,0\n\n");
        assert_eq!(reset_offsets_table(&[]), "\n");
        assert_eq!(
            reset_not_inactive("my-group", GroupState::Stable),
            "\nError: Assignments can only be reset if the group 'my-group' is inactive, but the current state is Stable.\n"
        );
    }

    #[test]
    fn delete_outputs() {
        assert_eq!(
            delete_groups(&[("g1".into(), None)]),
            "Deletion of requested consumer groups ('g1') was successful.\n"
        );
        let out = delete_groups(&[
            ("g1".into(), Some("org.apache.kafka.common.errors.GroupNotEmptyException: The group is not empty.".into())),
            ("g2".into(), None),
            ("g3".into(), None),
        ]);
        assert_eq!(
            out,
            "\nError: Deletion of some consumer groups failed:\n\
* Group 'g1' could not be deleted due to: org.apache.kafka.common.errors.GroupNotEmptyException: The group is not empty.\n\
\nThese consumer groups were deleted successfully: 'g2'g3', '\n"
        );
        assert_eq!(
            validate_regex("a.*", None),
            "The regular expression `a.*` is valid.\n"
        );
    }
}
