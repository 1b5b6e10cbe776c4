//! How errors reach the terminal: log4j lines, Java exception text, and each tool's error
//! path (formats §1.4, §2.3, §5.1, §6). Timestamps are inputs (simulated time).

use crate::console::output::ToolExit;

/// log4j `%d` (`yyyy-MM-dd HH:mm:ss,SSS`) for milliseconds since the epoch, in UTC.
pub fn log_timestamp(epoch_ms: i64) -> String {
    let ms = epoch_ms.rem_euclid(1000);
    let secs = epoch_ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02},{ms:03}",
        sod / 3600,
        (sod % 3600) / 60,
        sod % 60
    )
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// One log line, pattern `[%d] %p %m (%c)%n`.
pub fn log_line(epoch_ms: i64, level: &str, message: &str, logger: &str) -> String {
    format!(
        "[{}] {level} {message} ({logger})\n",
        log_timestamp(epoch_ms)
    )
}

/// A Java exception as `Throwable.toString()` and its stack trace frames.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JavaException {
    /// Fully qualified class, e.g. `org.apache.kafka.common.errors.TopicExistsException`.
    pub class: String,
    /// `None` for exceptions without a message (`TimeoutException` of the consumer).
    pub message: Option<String>,
    /// `at` frames without the `\tat ` prefix; Kafka `ApiException`s have none.
    pub frames: Vec<String>,
}

impl JavaException {
    pub fn new(class: &str, message: Option<&str>) -> Self {
        JavaException {
            class: class.to_string(),
            message: message.map(str::to_string),
            frames: Vec::new(),
        }
    }

    /// The exception for a Kafka error name (`TOPIC_ALREADY_EXISTS`), with its default message
    /// unless `message` is given.
    pub fn for_error(error: &str, message: Option<&str>) -> Option<Self> {
        let (class, default) = kafka_error(error)?;
        Some(JavaException::new(class, Some(message.unwrap_or(default))))
    }

    /// `Throwable.toString()`: `class: message`, or just the class.
    pub fn to_java_string(&self) -> String {
        match &self.message {
            Some(m) => format!("{}: {m}", self.class),
            None => self.class.clone(),
        }
    }

    /// `printStackTrace` / `Utils.stackTrace` text, newline-terminated.
    pub fn stack_trace(&self) -> String {
        let mut s = self.to_java_string();
        s.push('\n');
        for f in &self.frames {
            s.push_str("\tat ");
            s.push_str(f);
            s.push('\n');
        }
        s
    }
}

/// A log line with an attached exception (log4j prints it on the following lines).
pub fn log_line_with_exception(
    epoch_ms: i64,
    level: &str,
    message: &str,
    logger: &str,
    e: &JavaException,
) -> String {
    format!(
        "{}{}",
        log_line(epoch_ms, level, message, logger),
        e.stack_trace()
    )
}

/// `kafka-topics` runtime error: stdout `Error while executing topic command : <msg>`,
/// stderr an ERROR log whose message is the stack trace (so the logger name lands on its own
/// line), exit 1.
pub fn topic_command_error(epoch_ms: i64, e: &JavaException) -> ToolExit {
    ToolExit {
        stdout: format!(
            "Error while executing topic command : {}\n",
            e.message.as_deref().unwrap_or("null")
        ),
        stderr: format!(
            "[{}] ERROR {} (org.apache.kafka.tools.TopicCommand)\n",
            log_timestamp(epoch_ms),
            e.stack_trace()
        ),
        code: 1,
    }
}

/// `kafka-consumer-groups` `printError`: stdout empty line + `Error: <msg>`; the exception's
/// stack trace (if any) on stderr. The tool still exits 0.
pub fn consumer_groups_error(message: &str, e: Option<&JavaException>) -> ToolExit {
    ToolExit {
        stdout: format!("\nError: {message}\n"),
        stderr: e.map(JavaException::stack_trace).unwrap_or_default(),
        code: 0,
    }
}

/// `kafka-consumer-groups --describe` of a group that does not exist (4.0, KIP-1043).
pub fn group_not_found(group: &str) -> ToolExit {
    let cause = format!(
        "org.apache.kafka.common.errors.GroupIdNotFoundException: Group {group} not found."
    );
    ToolExit {
        stdout: format!("\nError: Executing consumer group command failed due to {cause}\n"),
        stderr: format!("java.util.concurrent.ExecutionException: {cause}\n"),
        code: 0,
    }
}

/// `kafka-get-offsets` error: stderr `Error occurred: <msg>`, exit 1.
pub fn get_offsets_error(message: &str) -> ToolExit {
    ToolExit::err(format!("Error occurred: {message}\n"), 1)
}

/// `kafka-configs` error for `IllegalArgumentException` / `InvalidConfigurationException` /
/// option errors: only the message on stderr, exit 1.
pub fn configs_error(message: &str) -> ToolExit {
    ToolExit::err(format!("{message}\n"), 1)
}

/// Tools that print `e.getMessage()` then the stack trace (delete-records, leader-election,
/// topics for errors escaping option checks): stderr, exit 1.
pub fn message_and_stack_trace(e: &JavaException) -> ToolExit {
    ToolExit::err(
        format!(
            "{}\n{}\n",
            e.message.as_deref().unwrap_or("null"),
            e.stack_trace()
        ),
        1,
    )
}

/// Kafka error name → (exception class, default message) from `Errors.java`, for the errors
/// the playground can produce.
pub fn kafka_error(name: &str) -> Option<(&'static str, &'static str)> {
    let (class, msg): (&'static str, &'static str) = match name {
        "UNKNOWN_SERVER_ERROR" => ("org.apache.kafka.common.errors.UnknownServerException", "The server experienced an unexpected error when processing the request."),
        "OFFSET_OUT_OF_RANGE" => ("org.apache.kafka.common.errors.OffsetOutOfRangeException", "The requested offset is not within the range of offsets maintained by the server."),
        "UNKNOWN_TOPIC_OR_PARTITION" => ("org.apache.kafka.common.errors.UnknownTopicOrPartitionException", "This server does not host this topic-partition."),
        "LEADER_NOT_AVAILABLE" => ("org.apache.kafka.common.errors.LeaderNotAvailableException", "There is no leader for this topic-partition as we are in the middle of a leadership election."),
        "NOT_LEADER_OR_FOLLOWER" => ("org.apache.kafka.common.errors.NotLeaderOrFollowerException", "For requests intended only for the leader, this error indicates that the broker is not the current leader. For requests intended for any replica, this error indicates that the broker is not a replica of the topic partition."),
        "REQUEST_TIMED_OUT" => ("org.apache.kafka.common.errors.TimeoutException", "The request timed out."),
        "NETWORK_EXCEPTION" => ("org.apache.kafka.common.errors.NetworkException", "The server disconnected before a response was received."),
        "COORDINATOR_NOT_AVAILABLE" => ("org.apache.kafka.common.errors.CoordinatorNotAvailableException", "The coordinator is not available."),
        "NOT_COORDINATOR" => ("org.apache.kafka.common.errors.NotCoordinatorException", "This is not the correct coordinator."),
        "INVALID_TOPIC_EXCEPTION" => ("org.apache.kafka.common.errors.InvalidTopicException", "The request attempted to perform an operation on an invalid topic."),
        "RECORD_LIST_TOO_LARGE" => ("org.apache.kafka.common.errors.RecordBatchTooLargeException", "The request included message batch larger than the configured segment size on the server."),
        "NOT_ENOUGH_REPLICAS" => ("org.apache.kafka.common.errors.NotEnoughReplicasException", "Messages are rejected since there are fewer in-sync replicas than required."),
        "NOT_ENOUGH_REPLICAS_AFTER_APPEND" => ("org.apache.kafka.common.errors.NotEnoughReplicasAfterAppendException", "Messages are written to the log, but to fewer in-sync replicas than required."),
        "ILLEGAL_GENERATION" => ("org.apache.kafka.common.errors.IllegalGenerationException", "Specified group generation id is not valid."),
        "UNKNOWN_MEMBER_ID" => ("org.apache.kafka.common.errors.UnknownMemberIdException", "The coordinator is not aware of this member."),
        "REBALANCE_IN_PROGRESS" => ("org.apache.kafka.common.errors.RebalanceInProgressException", "The group is rebalancing, so a rejoin is needed."),
        "TOPIC_ALREADY_EXISTS" => ("org.apache.kafka.common.errors.TopicExistsException", "Topic with this name already exists."),
        "INVALID_PARTITIONS" => ("org.apache.kafka.common.errors.InvalidPartitionsException", "Number of partitions is below 1."),
        "INVALID_REPLICATION_FACTOR" => ("org.apache.kafka.common.errors.InvalidReplicationFactorException", "Replication factor is below 1 or larger than the number of available brokers."),
        "INVALID_CONFIG" => ("org.apache.kafka.common.errors.InvalidConfigurationException", "Configuration is invalid."),
        "POLICY_VIOLATION" => ("org.apache.kafka.common.errors.PolicyViolationException", "Request parameters do not satisfy the configured policy."),
        "GROUP_ID_NOT_FOUND" => ("org.apache.kafka.common.errors.GroupIdNotFoundException", "The group id does not exist."),
        "NON_EMPTY_GROUP" => ("org.apache.kafka.common.errors.GroupNotEmptyException", "The group is not empty."),
        "FENCED_INSTANCE_ID" => ("org.apache.kafka.common.errors.FencedInstanceIdException", "The broker rejected this static consumer since another consumer with the same group.instance.id has registered with a different member.id."),
        "ELIGIBLE_LEADERS_NOT_AVAILABLE" => ("org.apache.kafka.common.errors.EligibleLeadersNotAvailableException", "Eligible topic partition leaders are not available."),
        "ELECTION_NOT_NEEDED" => ("org.apache.kafka.common.errors.ElectionNotNeededException", "Leader election not needed for topic partition."),
        "PREFERRED_LEADER_NOT_AVAILABLE" => ("org.apache.kafka.common.errors.PreferredLeaderNotAvailableException", "The preferred leader was not available."),
        "GROUP_MAX_SIZE_REACHED" => ("org.apache.kafka.common.errors.GroupMaxSizeReachedException", "The group has reached its maximum size."),
        _ => return None,
    };
    Some((class, msg))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_render_like_log4j() {
        assert_eq!(log_timestamp(1742465702417), "2025-03-20 10:15:02,417");
        assert_eq!(log_timestamp(0), "1970-01-01 00:00:00,000");
        assert_eq!(log_timestamp(951_782_400_000), "2000-02-29 00:00:00,000");
        assert_eq!(log_timestamp(-1), "1969-12-31 23:59:59,999");
    }

    #[test]
    fn topic_exists_error_matches_the_reference() {
        let e = JavaException::new(
            "org.apache.kafka.common.errors.TopicExistsException",
            Some("Topic 'orders' already exists."),
        );
        let out = topic_command_error(1742465702417, &e);
        assert_eq!(
            out.stdout,
            "Error while executing topic command : Topic 'orders' already exists.\n"
        );
        assert_eq!(
            out.stderr,
            "[2025-03-20 10:15:02,417] ERROR org.apache.kafka.common.errors.TopicExistsException: Topic 'orders' already exists.\n (org.apache.kafka.tools.TopicCommand)\n"
        );
        assert_eq!(out.code, 1);
    }

    #[test]
    fn log_lines_and_exceptions() {
        let e = JavaException::new("org.apache.kafka.common.errors.TimeoutException", None);
        assert_eq!(
            log_line_with_exception(
                1742465702417,
                "ERROR",
                "Error processing message, terminating consumer process: ",
                "org.apache.kafka.tools.consumer.ConsoleConsumer",
                &e
            ),
            "[2025-03-20 10:15:02,417] ERROR Error processing message, terminating consumer process:  (org.apache.kafka.tools.consumer.ConsoleConsumer)\norg.apache.kafka.common.errors.TimeoutException\n"
        );
        let nf = JavaException::for_error("NON_EMPTY_GROUP", None).unwrap();
        assert_eq!(
            nf.to_java_string(),
            "org.apache.kafka.common.errors.GroupNotEmptyException: The group is not empty."
        );
        assert!(JavaException::for_error("NOPE", None).is_none());
    }

    #[test]
    fn consumer_group_errors() {
        let out = group_not_found("missing");
        assert_eq!(out.stdout, "\nError: Executing consumer group command failed due to org.apache.kafka.common.errors.GroupIdNotFoundException: Group missing not found.\n");
        assert_eq!(out.code, 0);
        assert_eq!(
            consumer_groups_error("Consumer group 'g' does not exist.", None).stdout,
            "\nError: Consumer group 'g' does not exist.\n"
        );
        assert_eq!(
            get_offsets_error("Could not match any topic-partitions with the specified filters")
                .stderr,
            "Error occurred: Could not match any topic-partitions with the specified filters\n"
        );
    }
}
