//! `kafka-topics` output (formats §2.4–2.6).

use super::join_ids;
use crate::console::java_order::{describe_topics_order, java_sort, topic_config_order};
use crate::console::model::{DescribeFilter, PartitionInfo, TopicDescription};
use crate::ordered;

/// The zero UUID in base64url: a topic id that is not printed.
pub const ZERO_UUID: &str = "AAAAAAAAAAAAAAAAAAAAAA";

/// Warning printed (stdout) before `Created topic` when the name has `.` or `_`.
pub const COLLISION_WARNING: &str = "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both.";

/// stdout of a successful `--create`.
pub fn created(topic: &str) -> String {
    let mut s = String::new();
    if topic.contains('.') || topic.contains('_') {
        s.push_str(COLLISION_WARNING);
        s.push('\n');
    }
    s.push_str(&format!("Created topic {topic}.\n"));
    s
}

/// stdout of `--list`: names sorted with `String.compareTo`, joined with newlines and
/// `println`ed (an empty cluster prints one empty line). Filtering is the caller's.
pub fn list(names: &[String]) -> String {
    let mut v = names.to_vec();
    java_sort(&mut v);
    format!("{}\n", v.join("\n"))
}

/// `Topic:` line of `--describe` (without newline).
pub fn topic_line(t: &TopicDescription) -> String {
    let rf = replication_factor(t);
    let configs: Vec<String> = topic_config_order(&t.configs)
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let mut s = format!("Topic: {}", t.name);
    if !t.topic_id.is_empty() && t.topic_id != ZERO_UUID {
        s.push_str(&format!("\tTopicId: {}", t.topic_id));
    }
    s.push_str(&format!(
        "\tPartitionCount: {}\tReplicationFactor: {}\tConfigs: {}",
        t.partitions.len(),
        rf,
        configs.join(",")
    ));
    if t.marked_for_deletion {
        s.push_str("\tMarkedForDeletion: true");
    }
    s
}

/// Replicas of the lowest-numbered partition, minus replicas being added.
fn replication_factor(t: &TopicDescription) -> usize {
    t.partitions
        .iter()
        .min_by_key(|p| p.partition)
        .map(|p| {
            p.replicas
                .iter()
                .filter(|r| !p.adding_replicas.contains(r))
                .count()
        })
        .unwrap_or(0)
}

/// A partition line of `--describe` (starts with a TAB, no newline).
pub fn partition_line(topic: &str, p: &PartitionInfo) -> String {
    let leader = p
        .leader
        .map(|l| l.to_string())
        .unwrap_or_else(|| "none".to_string());
    let mut s = format!(
        "\tTopic: {topic}\tPartition: {}\tLeader: {leader}\tReplicas: {}\tIsr: {}",
        p.partition,
        join_ids(&p.replicas),
        join_ids(&p.isr)
    );
    if !p.adding_replicas.is_empty() || !p.removing_replicas.is_empty() {
        s.push_str(&format!(
            "\tAdding Replicas: {}\tRemoving Replicas: {}",
            join_ids(&p.adding_replicas),
            join_ids(&p.removing_replicas)
        ));
    }
    let elr = |l: &Option<Vec<i32>>| match l {
        Some(v) => join_ids(v),
        None => "N/A".to_string(),
    };
    s.push_str(&format!(
        "\tElr: {}\tLastKnownElr: {}",
        elr(&p.elr),
        elr(&p.last_known_elr)
    ));
    s
}

fn under_replicated(p: &PartitionInfo) -> bool {
    let rf = p
        .replicas
        .iter()
        .filter(|r| !p.adding_replicas.contains(r))
        .count();
    p.isr.len() < rf
}

fn partition_matches(t: &TopicDescription, p: &PartitionInfo, f: &DescribeFilter) -> bool {
    let any = f.under_replicated_partitions
        || f.under_min_isr_partitions
        || f.at_min_isr_partitions
        || f.unavailable_partitions;
    if !any {
        return true;
    }
    let isr = p.isr.len() as i32;
    (f.under_replicated_partitions && under_replicated(p))
        || (f.under_min_isr_partitions && t.min_insync_replicas.is_some_and(|m| isr < m))
        || (f.at_min_isr_partitions && t.min_insync_replicas.is_some_and(|m| isr == m))
        || (f.unavailable_partitions && p.leader.is_none())
}

/// stdout of `--describe` for the matched topics, in Kafka's (HashMap) topic order.
/// Partition filters print only matching partition lines and no topic line;
/// `--topics-with-overrides` prints only topic lines of topics with configs.
pub fn describe(topics: &[TopicDescription], filter: &DescribeFilter) -> String {
    let names: Vec<String> = topics.iter().map(|t| t.name.clone()).collect();
    let order = describe_topics_order(&names);
    let partition_filter = filter.under_replicated_partitions
        || filter.under_min_isr_partitions
        || filter.at_min_isr_partitions
        || filter.unavailable_partitions;
    let mut out = String::new();
    for name in order {
        let Some(t) = topics.iter().find(|t| t.name == name) else {
            continue;
        };
        if !partition_filter && (!filter.topics_with_overrides || !t.configs.is_empty()) {
            out.push_str(&topic_line(t));
            out.push('\n');
        }
        if !filter.topics_with_overrides {
            let mut parts: Vec<&PartitionInfo> = t.partitions.iter().collect();
            ordered::sort_by_key(&mut parts, |p| p.partition);
            for p in parts {
                if partition_matches(t, p, filter) {
                    out.push_str(&partition_line(&t.name, p));
                    out.push('\n');
                }
            }
        }
    }
    out
}

/// stderr notice of the deprecated `--delete-config` (4.0).
pub const DELETE_CONFIG_NOTICE: &str = "delete-config option is no longer supported and deprecated since version 4.0. The config will be fully removed in future releases.";

/// Exception message for a missing topic in 4.0.x (the `Optional[...]` bug, fixed in 4.1).
pub fn topic_does_not_exist(topic: &str) -> String {
    format!("Topic 'Optional[{topic}]' does not exist as expected")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn orders(n: i32) -> TopicDescription {
        TopicDescription {
            name: "orders".into(),
            topic_id: "8v9E815sQsO_kdkxkJTkIg".into(),
            partitions: (0..n)
                .map(|p| PartitionInfo {
                    partition: p,
                    leader: Some(1),
                    replicas: vec![1],
                    isr: vec![1],
                    elr: Some(vec![]),
                    last_known_elr: Some(vec![]),
                    ..Default::default()
                })
                .collect(),
            configs: vec![("segment.bytes".into(), "1073741824".into())],
            min_insync_replicas: Some(1),
            marked_for_deletion: false,
        }
    }

    #[test]
    fn describe_matches_the_reference_example() {
        let got = describe(&[orders(3)], &DescribeFilter::default());
        assert_eq!(
            got,
            "Topic: orders\tTopicId: 8v9E815sQsO_kdkxkJTkIg\tPartitionCount: 3\tReplicationFactor: 1\tConfigs: segment.bytes=1073741824\n\
\tTopic: orders\tPartition: 0\tLeader: 1\tReplicas: 1\tIsr: 1\tElr: \tLastKnownElr: \n\
\tTopic: orders\tPartition: 1\tLeader: 1\tReplicas: 1\tIsr: 1\tElr: \tLastKnownElr: \n\
\tTopic: orders\tPartition: 2\tLeader: 1\tReplicas: 1\tIsr: 1\tElr: \tLastKnownElr: \n"
        );
    }

    #[test]
    fn configs_follow_kafkas_order_and_leaderless_partitions_say_none() {
        let mut t = orders(1);
        t.configs = vec![
            ("retention.ms".into(), "604800000".into()),
            ("cleanup.policy".into(), "delete".into()),
            ("min.insync.replicas".into(), "2".into()),
        ];
        t.partitions[0].leader = None;
        t.partitions[0].elr = None;
        t.partitions[0].last_known_elr = None;
        let got = describe(&[t], &DescribeFilter::default());
        assert!(got.starts_with("Topic: orders\tTopicId: 8v9E815sQsO_kdkxkJTkIg\tPartitionCount: 1\tReplicationFactor: 1\tConfigs: min.insync.replicas=2,cleanup.policy=delete,retention.ms=604800000\n"));
        assert!(got.ends_with("\tLeader: none\tReplicas: 1\tIsr: 1\tElr: N/A\tLastKnownElr: N/A\n"));
    }

    #[test]
    fn filters_print_partition_lines_only() {
        let mut t = orders(2);
        t.partitions[1].replicas = vec![1, 2];
        t.partitions[1].isr = vec![1];
        let f = DescribeFilter {
            under_replicated_partitions: true,
            ..Default::default()
        };
        assert_eq!(
            describe(&[t.clone()], &f),
            "\tTopic: orders\tPartition: 1\tLeader: 1\tReplicas: 1,2\tIsr: 1\tElr: \tLastKnownElr: \n"
        );
        let f = DescribeFilter {
            topics_with_overrides: true,
            ..Default::default()
        };
        assert_eq!(describe(&[t.clone()], &f).lines().count(), 1);
        t.configs.clear();
        assert_eq!(describe(&[t], &f), "");
    }

    #[test]
    fn reassignment_and_empty_configs() {
        let mut t = orders(1);
        t.configs.clear();
        t.partitions[0].replicas = vec![1, 2];
        t.partitions[0].adding_replicas = vec![2];
        let got = describe(&[t], &DescribeFilter::default());
        assert!(got.contains("ReplicationFactor: 1\tConfigs: \n"));
        assert!(
            got.contains("\tReplicas: 1,2\tIsr: 1\tAdding Replicas: 2\tRemoving Replicas: \tElr: ")
        );
    }

    #[test]
    fn several_topics_print_in_hash_map_order() {
        let mk = |n: &str| TopicDescription {
            name: n.into(),
            ..orders(0)
        };
        let got = describe(
            &[mk("__consumer_offsets"), mk("orders"), mk("test")],
            &DescribeFilter::default(),
        );
        let names: Vec<&str> = got
            .lines()
            .map(|l| l.split('\t').next().unwrap_or(""))
            .collect();
        assert_eq!(
            names,
            ["Topic: test", "Topic: orders", "Topic: __consumer_offsets"]
        );
    }

    #[test]
    fn list_and_create() {
        assert_eq!(
            list(&["orders".into(), "__consumer_offsets".into(), "Audit".into()]),
            "Audit\n__consumer_offsets\norders\n"
        );
        assert_eq!(list(&[]), "\n");
        assert_eq!(created("orders"), "Created topic orders.\n");
        assert_eq!(
            created("my.topic"),
            format!("{COLLISION_WARNING}\nCreated topic my.topic.\n")
        );
    }
}
