//! How errors reach the terminal: log4j lines, Java exception text, and each tool's error
//! path (formats §1.4, §2.3, §5.1, §6). Timestamps are inputs (simulated time).

use crate::console::output::ToolExit;
use kafka_playground_engine::ErrorCode;

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

    /// The exception a client throws for a Kafka error, with the error's default message
    /// unless `message` is given.
    pub fn for_error(error: ErrorCode, message: Option<&str>) -> Self {
        JavaException::new(
            error.exception(),
            Some(message.unwrap_or(error.default_message())),
        )
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
        let nf = JavaException::for_error(ErrorCode::NonEmptyGroup, None);
        assert_eq!(
            nf.to_java_string(),
            "org.apache.kafka.common.errors.GroupNotEmptyException: The group is not empty."
        );
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
