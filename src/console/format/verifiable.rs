//! JSON event lines of `kafka-verifiable-producer` / `kafka-verifiable-consumer` (formats
//! §7–8): compact Jackson output, keys in the order Kafka emits them.

use crate::console::model::TopicPartition;

/// One event line. `timestamp` is the simulated wall-clock time in ms.
#[derive(Debug, Clone, PartialEq)]
pub enum VerifiableEvent {
    StartupComplete {
        timestamp: i64,
    },
    ShutdownComplete {
        timestamp: i64,
    },
    ProducerSendSuccess {
        timestamp: i64,
        key: Option<String>,
        value: String,
        offset: i64,
        topic: String,
        partition: i32,
    },
    ProducerSendError {
        timestamp: i64,
        topic: String,
        key: Option<String>,
        value: String,
        exception_class: String,
        message: String,
    },
    ToolData {
        timestamp: i64,
        sent: i64,
        acked: i64,
        target_throughput: i64,
        avg_throughput: f64,
    },
    PartitionsRevoked {
        timestamp: i64,
        partitions: Vec<TopicPartition>,
    },
    PartitionsAssigned {
        timestamp: i64,
        partitions: Vec<TopicPartition>,
    },
    RecordData {
        timestamp: i64,
        key: Option<String>,
        value: Option<String>,
        topic: String,
        partition: i32,
        offset: i64,
    },
    /// `partitions`: (topic, partition, count, minOffset, maxOffset).
    RecordsConsumed {
        timestamp: i64,
        count: i64,
        partitions: Vec<(String, i32, i64, i64, i64)>,
    },
    /// `offsets`: (topic, partition, offset); `error` present only on failure.
    OffsetsCommitted {
        timestamp: i64,
        offsets: Vec<(String, i32, i64)>,
        error: Option<String>,
    },
}

fn js(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

fn js_opt(s: &Option<String>) -> String {
    s.as_deref().map(js).unwrap_or_else(|| "null".to_string())
}

/// Java `Double.toString` (what Jackson writes for a double): `0.0`, `32.15434083601286`,
/// `1.0E7`; NaN/Infinity are written as strings.
pub fn java_double(x: f64) -> String {
    if x.is_nan() {
        return "\"NaN\"".into();
    }
    if x.is_infinite() {
        return if x > 0.0 {
            "\"Infinity\"".into()
        } else {
            "\"-Infinity\"".into()
        };
    }
    let a = x.abs();
    if a == 0.0 || (1e-3..1e7).contains(&a) {
        let s = format!("{x}");
        if s.contains('.') {
            s
        } else {
            format!("{s}.0")
        }
    } else {
        // Shortest digits in scientific form: d.dddE±n (Java omits '+').
        let s = format!("{x:e}");
        let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let mant = if mant.contains('.') {
            mant.to_string()
        } else {
            format!("{mant}.0")
        };
        format!("{mant}E{exp}")
    }
}

impl VerifiableEvent {
    /// The JSON line (without newline).
    pub fn to_json(&self) -> String {
        let tps = |v: &[TopicPartition]| {
            v.iter()
                .map(|(t, p)| format!("{{\"topic\":{},\"partition\":{p}}}", js(t)))
                .collect::<Vec<_>>()
                .join(",")
        };
        match self {
            VerifiableEvent::StartupComplete { timestamp } => {
                format!("{{\"timestamp\":{timestamp},\"name\":\"startup_complete\"}}")
            }
            VerifiableEvent::ShutdownComplete { timestamp } => {
                format!("{{\"timestamp\":{timestamp},\"name\":\"shutdown_complete\"}}")
            }
            VerifiableEvent::ProducerSendSuccess { timestamp, key, value, offset, topic, partition } => format!(
                "{{\"timestamp\":{timestamp},\"name\":\"producer_send_success\",\"key\":{},\"value\":{},\"offset\":{offset},\"topic\":{},\"partition\":{partition}}}",
                js_opt(key), js(value), js(topic)
            ),
            VerifiableEvent::ProducerSendError { timestamp, topic, key, value, exception_class, message } => format!(
                "{{\"timestamp\":{timestamp},\"name\":\"producer_send_error\",\"topic\":{},\"key\":{},\"value\":{},\"exception\":{},\"message\":{}}}",
                js(topic), js_opt(key), js(value), js(&format!("class {exception_class}")), js(message)
            ),
            VerifiableEvent::ToolData { timestamp, sent, acked, target_throughput, avg_throughput } => format!(
                "{{\"timestamp\":{timestamp},\"name\":\"tool_data\",\"sent\":{sent},\"acked\":{acked},\"target_throughput\":{target_throughput},\"avg_throughput\":{}}}",
                java_double(*avg_throughput)
            ),
            VerifiableEvent::PartitionsRevoked { timestamp, partitions } => format!(
                "{{\"timestamp\":{timestamp},\"name\":\"partitions_revoked\",\"partitions\":[{}]}}",
                tps(partitions)
            ),
            VerifiableEvent::PartitionsAssigned { timestamp, partitions } => format!(
                "{{\"timestamp\":{timestamp},\"name\":\"partitions_assigned\",\"partitions\":[{}]}}",
                tps(partitions)
            ),
            VerifiableEvent::RecordData { timestamp, key, value, topic, partition, offset } => format!(
                "{{\"timestamp\":{timestamp},\"name\":\"record_data\",\"key\":{},\"value\":{},\"topic\":{},\"partition\":{partition},\"offset\":{offset}}}",
                js_opt(key), js_opt(value), js(topic)
            ),
            VerifiableEvent::RecordsConsumed { timestamp, count, partitions } => format!(
                "{{\"timestamp\":{timestamp},\"name\":\"records_consumed\",\"count\":{count},\"partitions\":[{}]}}",
                partitions
                    .iter()
                    .map(|(t, p, c, lo, hi)| format!(
                        "{{\"topic\":{},\"partition\":{p},\"count\":{c},\"minOffset\":{lo},\"maxOffset\":{hi}}}",
                        js(t)
                    ))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            VerifiableEvent::OffsetsCommitted { timestamp, offsets, error } => {
                let list = offsets
                    .iter()
                    .map(|(t, p, o)| format!("{{\"topic\":{},\"partition\":{p},\"offset\":{o}}}", js(t)))
                    .collect::<Vec<_>>()
                    .join(",");
                let err = error
                    .as_ref()
                    .map(|e| format!(",\"error\":{}", js(e)))
                    .unwrap_or_default();
                format!(
                    "{{\"timestamp\":{timestamp},\"name\":\"offsets_committed\",\"offsets\":[{list}]{err},\"success\":{}}}",
                    error.is_none()
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn producer_events_match_the_reference() {
        let ev = [
            VerifiableEvent::StartupComplete {
                timestamp: 1742465702417,
            },
            VerifiableEvent::ProducerSendSuccess {
                timestamp: 1742465702571,
                key: None,
                value: "0".into(),
                offset: 0,
                topic: "orders".into(),
                partition: 0,
            },
            VerifiableEvent::ProducerSendError {
                timestamp: 1742465702580,
                topic: "orders".into(),
                key: None,
                value: "1".into(),
                exception_class: "org.apache.kafka.common.errors.TimeoutException".into(),
                message:
                    "Expiring 1 record(s) for orders-0:120000 ms has passed since batch creation"
                        .into(),
            },
            VerifiableEvent::ShutdownComplete {
                timestamp: 1742465703000,
            },
            VerifiableEvent::ToolData {
                timestamp: 1742465703002,
                sent: 10,
                acked: 10,
                target_throughput: -1,
                avg_throughput: 32.15434083601286,
            },
        ];
        let got: Vec<String> = ev.iter().map(VerifiableEvent::to_json).collect();
        assert_eq!(
            got,
            [
                r#"{"timestamp":1742465702417,"name":"startup_complete"}"#,
                r#"{"timestamp":1742465702571,"name":"producer_send_success","key":null,"value":"0","offset":0,"topic":"orders","partition":0}"#,
                r#"{"timestamp":1742465702580,"name":"producer_send_error","topic":"orders","key":null,"value":"1","exception":"class org.apache.kafka.common.errors.TimeoutException","message":"Expiring 1 record(s) for orders-0:120000 ms has passed since batch creation"}"#,
                r#"{"timestamp":1742465703000,"name":"shutdown_complete"}"#,
                r#"{"timestamp":1742465703002,"name":"tool_data","sent":10,"acked":10,"target_throughput":-1,"avg_throughput":32.15434083601286}"#,
            ]
        );
    }

    #[test]
    fn consumer_events_match_the_reference() {
        let o = |p| ("orders".to_string(), p);
        let ev = [
            VerifiableEvent::PartitionsRevoked {
                timestamp: 1742465705522,
                partitions: vec![],
            },
            VerifiableEvent::PartitionsAssigned {
                timestamp: 1742465705600,
                partitions: vec![o(0), o(1)],
            },
            VerifiableEvent::RecordData {
                timestamp: 1742465705700,
                key: None,
                value: Some("0".into()),
                topic: "orders".into(),
                partition: 0,
                offset: 0,
            },
            VerifiableEvent::RecordsConsumed {
                timestamp: 1742465705701,
                count: 5,
                partitions: vec![("orders".into(), 0, 5, 0, 4)],
            },
            VerifiableEvent::OffsetsCommitted {
                timestamp: 1742465705710,
                offsets: vec![("orders".into(), 0, 5)],
                error: None,
            },
            VerifiableEvent::OffsetsCommitted {
                timestamp: 1742465705710,
                offsets: vec![("orders".into(), 0, 5)],
                error: Some("<exception message>".into()),
            },
        ];
        let got: Vec<String> = ev.iter().map(VerifiableEvent::to_json).collect();
        assert_eq!(
            got,
            [
                r#"{"timestamp":1742465705522,"name":"partitions_revoked","partitions":[]}"#,
                r#"{"timestamp":1742465705600,"name":"partitions_assigned","partitions":[{"topic":"orders","partition":0},{"topic":"orders","partition":1}]}"#,
                r#"{"timestamp":1742465705700,"name":"record_data","key":null,"value":"0","topic":"orders","partition":0,"offset":0}"#,
                r#"{"timestamp":1742465705701,"name":"records_consumed","count":5,"partitions":[{"topic":"orders","partition":0,"count":5,"minOffset":0,"maxOffset":4}]}"#,
                r#"{"timestamp":1742465705710,"name":"offsets_committed","offsets":[{"topic":"orders","partition":0,"offset":5}],"success":true}"#,
                r#"{"timestamp":1742465705710,"name":"offsets_committed","offsets":[{"topic":"orders","partition":0,"offset":5}],"error":"<exception message>","success":false}"#,
            ]
        );
    }

    #[test]
    fn doubles_print_like_java() {
        assert_eq!(java_double(0.0), "0.0");
        assert_eq!(java_double(2.0), "2.0");
        assert_eq!(java_double(1e7), "1.0E7");
        assert_eq!(java_double(1.5e-4), "1.5E-4");
        assert_eq!(java_double(f64::NAN), "\"NaN\"");
    }
}
