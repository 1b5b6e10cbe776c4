//! The sink task (JDBC-sink style, upsert mode): reads a topic in the consumer group
//! `connect-<connector>` and writes each record into a table: a change event's `after` row is
//! upserted, a delete event or a tombstone deletes the row, any other record becomes the row
//! `{key column: record key, value column: record value}`. Upserts are idempotent, so the
//! duplicates at-least-once delivery brings after a crash do not change the result: the table
//! converges. Processed offsets are committed every `offset.flush.interval.ms` and on stop.

use super::database::Row;
use crate::ids::TopicPartition;
use crate::network::ClientId;
use crate::ordered::CollectOrdered;
use crate::time::Millis;
use std::collections::BTreeMap;

#[derive(Clone, Debug)]
pub struct SinkTask {
    pub topic: String,
    pub table: String,
    /// The table's primary-key column.
    pub key_column: String,
    /// Where a plain (non change-event) record's value goes.
    pub value_column: String,
    pub consumer: Option<ClientId>,
    /// Next offset after the last record written, per partition.
    pub processed: BTreeMap<TopicPartition, i64>,
    pub committed: BTreeMap<TopicPartition, i64>,
    pub(crate) next_commit: Option<Millis>,
    pub flush_interval_ms: Millis,
    /// Records written by this run of the task.
    pub written: u64,
    /// Records that could not become a row (no key).
    pub skipped: u64,
}

impl SinkTask {
    pub fn new(
        topic: String,
        table: String,
        key_column: String,
        flush_interval_ms: Millis,
    ) -> Self {
        SinkTask {
            topic,
            table,
            key_column,
            value_column: "value".into(),
            consumer: None,
            processed: BTreeMap::new(),
            committed: BTreeMap::new(),
            next_commit: None,
            flush_interval_ms,
            written: 0,
            skipped: 0,
        }
    }
}

/// What one record does to the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Write {
    Upsert(Row),
    Delete(String),
    /// Nothing can be written (a record without a key).
    Skip,
}

fn text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// The primary-key value a record key stands for: the field of a one-field struct key
/// (`{"id":"1"}` → `1`), else the key text itself.
pub fn key_value(key: &str) -> String {
    if let Ok(serde_json::Value::Object(m)) = serde_json::from_str::<serde_json::Value>(key) {
        if m.len() == 1 {
            if let Some(v) = m.values().next().and_then(text) {
                return v;
            }
        }
    }
    key.to_string()
}

/// Maps a record to a table write.
pub fn write_for(
    key: Option<&str>,
    value: Option<&str>,
    key_column: &str,
    value_column: &str,
) -> Write {
    let key = key.map(key_value);
    let Some(value) = value else {
        return key.map_or(Write::Skip, Write::Delete);
    };
    if let Ok(serde_json::Value::Object(m)) = serde_json::from_str::<serde_json::Value>(value) {
        if let Some(op) = m.get("op").and_then(|o| o.as_str()) {
            if op == "d" {
                return key.map_or(Write::Skip, Write::Delete);
            }
            if let Some(serde_json::Value::Object(after)) = m.get("after") {
                let mut row: Row = after
                    .iter()
                    .filter_map(|(k, v)| text(v).map(|t| (k.clone(), t)))
                    .collect_map();
                if !row.contains_key(key_column) {
                    let Some(k) = key else { return Write::Skip };
                    row.insert(key_column.to_string(), k);
                }
                return Write::Upsert(row);
            }
        }
    }
    let Some(k) = key else { return Write::Skip };
    let mut row = Row::new();
    row.insert(key_column.to_string(), k);
    row.insert(value_column.to_string(), value.to_string());
    Write::Upsert(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_events_and_plain_records_become_writes() {
        let ev = r#"{"before":null,"after":{"id":"1","name":"Ann"},"source":{"lsn":1},"op":"c","ts_ms":0}"#;
        let Write::Upsert(r) = write_for(Some(r#"{"id":"1"}"#), Some(ev), "id", "value") else {
            panic!("upsert expected")
        };
        assert_eq!(r["name"], "Ann");
        let del = r#"{"before":{"id":"1"},"after":null,"op":"d"}"#;
        assert_eq!(
            write_for(Some(r#"{"id":"1"}"#), Some(del), "id", "value"),
            Write::Delete("1".into())
        );
        assert_eq!(
            write_for(Some(r#"{"id":"1"}"#), None, "id", "value"),
            Write::Delete("1".into())
        );
        let Write::Upsert(r) = write_for(Some("kafka"), Some("3"), "word", "count") else {
            panic!("upsert expected")
        };
        assert_eq!((r["word"].as_str(), r["count"].as_str()), ("kafka", "3"));
        assert_eq!(write_for(None, Some("x"), "id", "value"), Write::Skip);
    }
}
