//! `kafka-console-consumer`'s `DefaultMessageFormatter` (formats §4.2–4.4).

use crate::console::model::{ConsumedRecord, TimestampType};

/// The formatter's properties (`--property k=v`, values verbatim).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageFormatterConfig {
    pub print_timestamp: bool,
    pub print_partition: bool,
    pub print_offset: bool,
    pub print_delivery: bool,
    pub print_epoch: bool,
    pub print_headers: bool,
    pub print_key: bool,
    pub print_value: bool,
    pub key_separator: Vec<u8>,
    pub line_separator: Vec<u8>,
    pub headers_separator: Vec<u8>,
    pub null_literal: Vec<u8>,
}

impl Default for MessageFormatterConfig {
    fn default() -> Self {
        MessageFormatterConfig {
            print_timestamp: false,
            print_partition: false,
            print_offset: false,
            print_delivery: false,
            print_epoch: false,
            print_headers: false,
            print_key: false,
            print_value: true,
            key_separator: b"\t".to_vec(),
            line_separator: b"\n".to_vec(),
            headers_separator: b",".to_vec(),
            null_literal: b"null".to_vec(),
        }
    }
}

impl MessageFormatterConfig {
    /// Builds the config from `key=value` properties (later ones win). Booleans are true only
    /// for a case-insensitive `true` after trimming; separators are taken verbatim.
    pub fn from_properties(props: &[(String, String)]) -> Self {
        let mut c = MessageFormatterConfig::default();
        for (k, v) in props {
            let b = v.trim().eq_ignore_ascii_case("true");
            match k.as_str() {
                "print.timestamp" => c.print_timestamp = b,
                "print.partition" => c.print_partition = b,
                "print.offset" => c.print_offset = b,
                "print.delivery" => c.print_delivery = b,
                "print.epoch" => c.print_epoch = b,
                "print.headers" => c.print_headers = b,
                "print.key" => c.print_key = b,
                "print.value" => c.print_value = b,
                "key.separator" => c.key_separator = v.as_bytes().to_vec(),
                "line.separator" => c.line_separator = v.as_bytes().to_vec(),
                "headers.separator" => c.headers_separator = v.as_bytes().to_vec(),
                "null.literal" => c.null_literal = v.as_bytes().to_vec(),
                _ => {}
            }
        }
        c
    }

    /// Splits `--property` arguments (`k=v`; a bare `k` means an empty value).
    pub fn parse_property_args(args: &[&str]) -> Vec<(String, String)> {
        args.iter()
            .map(|a| match a.split_once('=') {
                Some((k, v)) => (k.to_string(), v.to_string()),
                None => (a.to_string(), String::new()),
            })
            .collect()
    }
}

/// The bytes `DefaultMessageFormatter.writeTo` prints for one record. The console consumer
/// never knows the delivery count or leader epoch, so those print `NOT_PRESENT`.
pub fn format_record(c: &MessageFormatterConfig, r: &ConsumedRecord) -> Vec<u8> {
    let mut out = Vec::new();
    let sep = |out: &mut Vec<u8>, more: bool| {
        if more {
            out.extend_from_slice(&c.key_separator);
        } else {
            out.extend_from_slice(&c.line_separator);
        }
    };
    let or_null = |b: &Option<Vec<u8>>| -> Vec<u8> {
        match b {
            Some(v) => v.clone(),
            None => c.null_literal.clone(),
        }
    };
    if c.print_timestamp {
        match r.timestamp_type {
            TimestampType::NoTimestamp => out.extend_from_slice(b"NO_TIMESTAMP"),
            t => out.extend_from_slice(format!("{}:{}", t.name(), r.timestamp).as_bytes()),
        }
        sep(
            &mut out,
            c.print_partition
                || c.print_offset
                || c.print_delivery
                || c.print_epoch
                || c.print_headers
                || c.print_key
                || c.print_value,
        );
    }
    if c.print_partition {
        out.extend_from_slice(format!("Partition:{}", r.partition).as_bytes());
        sep(
            &mut out,
            c.print_offset
                || c.print_delivery
                || c.print_epoch
                || c.print_headers
                || c.print_key
                || c.print_value,
        );
    }
    if c.print_offset {
        out.extend_from_slice(format!("Offset:{}", r.offset).as_bytes());
        sep(
            &mut out,
            c.print_delivery || c.print_epoch || c.print_headers || c.print_key || c.print_value,
        );
    }
    if c.print_delivery {
        out.extend_from_slice(b"Delivery:NOT_PRESENT");
        sep(
            &mut out,
            c.print_epoch || c.print_headers || c.print_key || c.print_value,
        );
    }
    if c.print_epoch {
        out.extend_from_slice(b"Epoch:NOT_PRESENT");
        sep(&mut out, c.print_headers || c.print_key || c.print_value);
    }
    if c.print_headers {
        if r.headers.is_empty() {
            out.extend_from_slice(b"NO_HEADERS");
        } else {
            for (i, (k, v)) in r.headers.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(&c.headers_separator);
                }
                out.extend_from_slice(k.as_bytes());
                out.push(b':');
                out.extend_from_slice(&or_null(v));
            }
        }
        sep(&mut out, c.print_key || c.print_value);
    }
    if c.print_key {
        out.extend_from_slice(&or_null(&r.key));
        sep(&mut out, c.print_value);
    }
    if c.print_value {
        out.extend_from_slice(&or_null(&r.value));
        out.extend_from_slice(&c.line_separator);
    }
    out
}

/// `format_record` as text (invalid UTF-8 is replaced, as a terminal would show it).
pub fn format_record_string(c: &MessageFormatterConfig, r: &ConsumedRecord) -> String {
    String::from_utf8_lossy(&format_record(c, r)).into_owned()
}

/// The last stderr line of every run.
pub fn processed_total(n: u64) -> String {
    format!("Processed a total of {n} messages\n")
}

/// stderr when `--timeout-ms` expires (exit code 0): ERROR log line, exception, total.
pub fn timeout_stderr(timestamp: &str, processed: u64) -> String {
    format!(
        "[{timestamp}] ERROR Error processing message, terminating consumer process:  (org.apache.kafka.tools.consumer.ConsoleConsumer)\norg.apache.kafka.common.errors.TimeoutException\n{}",
        processed_total(processed)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec() -> ConsumedRecord {
        ConsumedRecord {
            topic: "orders".into(),
            partition: 0,
            offset: 7,
            timestamp_type: TimestampType::CreateTime,
            timestamp: 1742465702417,
            key: Some(b"k1".to_vec()),
            value: Some(b"hello".to_vec()),
            headers: vec![
                ("h1".into(), Some(b"v1".to_vec())),
                ("h2".into(), Some(b"v2".to_vec())),
            ],
        }
    }

    fn props(p: &[&str]) -> MessageFormatterConfig {
        MessageFormatterConfig::from_properties(&MessageFormatterConfig::parse_property_args(p))
    }

    #[test]
    fn reference_examples() {
        let r = rec();
        assert_eq!(format_record_string(&props(&[]), &r), "hello\n");
        assert_eq!(
            format_record_string(&props(&["print.key=true"]), &r),
            "k1\thello\n"
        );
        let mut null_key = r.clone();
        null_key.key = None;
        assert_eq!(
            format_record_string(&props(&["print.key=true"]), &null_key),
            "null\thello\n"
        );
        let all = props(&[
            "print.timestamp=true",
            "print.partition=true",
            "print.offset=true",
            "print.headers=true",
            "print.key=true",
        ]);
        assert_eq!(
            format_record_string(&all, &r),
            "CreateTime:1742465702417\tPartition:0\tOffset:7\th1:v1,h2:v2\tk1\thello\n"
        );
        let mut no_headers = r.clone();
        no_headers.headers.clear();
        let c = props(&[
            "print.timestamp=true",
            "print.headers=true",
            "print.key=true",
            "print.value=false",
        ]);
        assert_eq!(
            format_record_string(&c, &no_headers),
            "CreateTime:1742465702417\tNO_HEADERS\tk1\n"
        );
    }

    #[test]
    fn separators_epoch_and_null_literal() {
        let mut r = rec();
        r.headers = vec![("a".into(), None)];
        r.value = None;
        r.timestamp_type = TimestampType::LogAppendTime;
        let c = props(&[
            "print.timestamp= TRUE ",
            "print.epoch=true",
            "print.headers=true",
            "key.separator=|",
            "null.literal=<nil>",
            "line.separator=;",
        ]);
        assert_eq!(
            format_record_string(&c, &r),
            "LogAppendTime:1742465702417|Epoch:NOT_PRESENT|a:<nil>|<nil>;"
        );
        r.timestamp_type = TimestampType::NoTimestamp;
        assert!(format_record_string(&c, &r).starts_with("NO_TIMESTAMP|"));
        let none = props(&["print.value=false"]);
        assert_eq!(format_record(&none, &r), b"");
        // Verbatim: a backslash-t property is two characters, not a TAB.
        assert_eq!(
            format_record_string(&props(&["print.key=true", "key.separator=\\t"]), &rec()),
            "k1\\thello\n"
        );
    }

    #[test]
    fn end_of_run_lines() {
        assert_eq!(processed_total(1), "Processed a total of 1 messages\n");
        assert_eq!(
            timeout_stderr("2025-03-20 10:15:02,417", 3),
            "[2025-03-20 10:15:02,417] ERROR Error processing message, terminating consumer process:  (org.apache.kafka.tools.consumer.ConsoleConsumer)\norg.apache.kafka.common.errors.TimeoutException\nProcessed a total of 3 messages\n"
        );
    }
}
