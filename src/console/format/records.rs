//! `kafka-delete-records` and `kafka-leader-election` output (formats §9–10).

use crate::console::java_order::{order_topic_partitions, HashMapInit};
use crate::console::model::TopicPartition;

/// stdout of `kafka-delete-records`: per partition the new low watermark or the error
/// (`<exception class>: <message>`), in the given order.
pub fn delete_records(results: &[(TopicPartition, Result<i64, String>)]) -> String {
    let mut out =
        String::from("Executing records delete operation\nRecords delete operation completed:\n");
    for ((t, p), r) in results {
        match r {
            Ok(lw) => out.push_str(&format!("partition: {t}-{p}\tlow_watermark: {lw}\n")),
            Err(e) => out.push_str(&format!("partition: {t}-{p}\terror: {e}\n")),
        }
    }
    out
}

fn tp_list(v: &[TopicPartition]) -> String {
    order_topic_partitions(v, HashMapInit::Default)
        .iter()
        .map(|(t, p)| format!("{t}-{p}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The result of a leader election, as the tool prints it. `election_type` is `PREFERRED` or
/// `UNCLEAN`; `failed` carries each partition's exception string. Partition lists print in
/// `HashSet` order. Returns (stdout, stderr, exit code).
pub fn leader_election(
    election_type: &str,
    succeeded: &[TopicPartition],
    not_needed: &[TopicPartition],
    failed: &[(TopicPartition, String)],
) -> crate::console::output::ToolExit {
    let mut out = crate::console::output::ToolExit::default();
    if !succeeded.is_empty() {
        out.stdout.push_str(&format!(
            "Successfully completed leader election ({election_type}) for partitions {}\n",
            tp_list(succeeded)
        ));
    }
    if !not_needed.is_empty() {
        out.stdout.push_str(&format!(
            "Valid replica already elected for partitions {}\n",
            tp_list(not_needed)
        ));
    }
    if !failed.is_empty() {
        let keys: Vec<TopicPartition> = failed.iter().map(|(tp, _)| tp.clone()).collect();
        for tp in order_topic_partitions(&keys, HashMapInit::Default) {
            if let Some((_, e)) = failed.iter().find(|(k, _)| *k == tp) {
                out.stdout.push_str(&format!(
                    "Error completing leader election ({election_type}) for partition: {}-{}: {e}\n",
                    tp.0, tp.1
                ));
            }
        }
        let msg = format!("{} replica(s) could not be elected", failed.len());
        out.stderr = format!(
            "{msg}\norg.apache.kafka.server.common.AdminCommandFailedException: {msg}\n\tat org.apache.kafka.tools.LeaderElectionCommand.electLeaders(LeaderElectionCommand.java:193)\n\tat org.apache.kafka.tools.LeaderElectionCommand.run(LeaderElectionCommand.java:135)\n\tat org.apache.kafka.tools.LeaderElectionCommand.mainNoExit(LeaderElectionCommand.java:71)\n\tat org.apache.kafka.tools.LeaderElectionCommand.main(LeaderElectionCommand.java:66)\n\n"
        );
        out.code = 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o(p: i32) -> TopicPartition {
        ("orders".to_string(), p)
    }

    #[test]
    fn delete_records_output() {
        assert_eq!(
            delete_records(&[
                (o(0), Ok(3)),
                (o(1), Err("org.apache.kafka.common.errors.OffsetOutOfRangeException: The requested offset is not within the range of offsets maintained by the server.".into())),
            ]),
            "Executing records delete operation\nRecords delete operation completed:\npartition: orders-0\tlow_watermark: 3\npartition: orders-1\terror: org.apache.kafka.common.errors.OffsetOutOfRangeException: The requested offset is not within the range of offsets maintained by the server.\n"
        );
    }

    #[test]
    fn election_output() {
        let out = leader_election("PREFERRED", &[o(1), o(0)], &[], &[]);
        assert_eq!(
            out.stdout,
            "Successfully completed leader election (PREFERRED) for partitions orders-0, orders-1\n"
        );
        assert_eq!(out.code, 0);
        let out = leader_election(
            "UNCLEAN",
            &[],
            &[o(0)],
            &[(o(3), "org.apache.kafka.common.errors.UnknownTopicOrPartitionException: No such partition as orders-3".into())],
        );
        assert_eq!(
            out.stdout,
            "Valid replica already elected for partitions orders-0\nError completing leader election (UNCLEAN) for partition: orders-3: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: No such partition as orders-3\n"
        );
        assert!(out
            .stderr
            .starts_with("1 replica(s) could not be elected\n"));
        assert_eq!(out.code, 1);
    }
}
