//! The change-data-capture source task (Debezium-style): reads the database's commit log from
//! its position, turns each committed change of its table into a record keyed by the primary
//! key with a change-event value, in commit order, and stores its position in
//! `connect-offsets` once everything before it was acknowledged (`offset.flush.interval.ms`).
//! A delete is followed by a tombstone so a compacted topic keeps only live rows. Without a
//! stored position it starts with a snapshot (`op: r`) of the table's rows.

use super::database::{Change, Op, Row};
use crate::ids::TopicPartition;
use crate::network::ClientId;
use crate::time::Millis;
use std::collections::BTreeMap;

/// Kafka Connect's offsets topic (`offset.storage.topic` in the playground's worker).
pub const OFFSETS_TOPIC: &str = "connect-offsets";
/// `offset.storage.partitions` (Kafka's default).
pub const OFFSETS_PARTITIONS: i32 = 25;
/// `offset.flush.interval.ms` (Kafka's default).
pub const OFFSET_FLUSH_INTERVAL_MS: Millis = 60_000;
/// Debezium's `poll.interval.ms`.
pub const POLL_INTERVAL_MS: Millis = 500;
/// Debezium's `max.batch.size`.
pub const MAX_BATCH: usize = 2048;

/// Where the offset flush stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flush {
    Idle,
    /// Waiting for every record up to this LSN to be acknowledged.
    Data(i64),
    /// The position record is on its way to `connect-offsets`.
    Writing(i64),
}

#[derive(Clone, Debug)]
pub struct SourceTask {
    pub table: String,
    pub topic: String,
    pub producer: Option<ClientId>,
    /// Reads `connect-offsets` up to `reader_end` at start (the offset backing store).
    pub(crate) reader: Option<ClientId>,
    pub(crate) reader_end: BTreeMap<TopicPartition, i64>,
    /// The last stored position read so far.
    pub(crate) loaded: Option<i64>,
    /// LSN of the last change handed to the producer (`None` while loading).
    pub position: Option<i64>,
    /// LSN last acknowledged in `connect-offsets`.
    pub stored: Option<i64>,
    pub(crate) flush: Flush,
    pub(crate) next_poll: Option<Millis>,
    pub(crate) next_flush: Option<Millis>,
    pub flush_interval_ms: Millis,
    /// Records produced by this run of the task.
    pub emitted: u64,
}

impl SourceTask {
    pub fn new(table: String, topic: String, flush_interval_ms: Millis) -> Self {
        SourceTask {
            table,
            topic,
            producer: None,
            reader: None,
            reader_end: BTreeMap::new(),
            loaded: None,
            position: None,
            stored: None,
            flush: Flush::Idle,
            next_poll: None,
            next_flush: None,
            flush_interval_ms,
            emitted: 0,
        }
    }

    pub fn loading(&self) -> bool {
        self.reader.is_some()
    }

    pub(crate) fn next_wake(&self) -> Option<Millis> {
        // While loading, the reader's fetches wake the task; a flush falling due then could
        // not run yet, and waking for it would fire at the same millisecond forever.
        if self.loading() {
            return None;
        }
        [self.next_poll, self.next_flush]
            .into_iter()
            .flatten()
            .min()
    }
}

/// The key of the connector's record in `connect-offsets`: `[connector, source partition]`.
pub fn offset_key(connector: &str, table: &str) -> String {
    format!(
        "[{},{{\"table\":{}}}]",
        json_str(connector),
        json_str(table)
    )
}

pub fn offset_value(lsn: i64) -> String {
    format!("{{\"lsn\":{lsn}}}")
}

/// The LSN in a stored position (`{"lsn":N}`), if it is one.
pub fn parse_offset_value(v: &str) -> Option<i64> {
    let j: serde_json::Value = serde_json::from_str(v).ok()?;
    j.get("lsn")?.as_i64()
}

pub(crate) fn json_str(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

fn row_json(row: &Option<Row>) -> String {
    match row {
        None => "null".into(),
        Some(r) => {
            let fields: Vec<String> = r
                .iter()
                .map(|(k, v)| format!("{}:{}", json_str(k), json_str(v)))
                .collect();
            format!("{{{}}}", fields.join(","))
        }
    }
}

/// The record key: the primary key as a one-field struct, `{"id":"1"}`.
pub fn record_key(key_column: &str, key: &str) -> String {
    format!("{{{}:{}}}", json_str(key_column), json_str(key))
}

/// The change-event value: `before`, `after`, `source` (connector, table, LSN), `op`, `ts_ms`
/// (Debezium's envelope, without its schema part).
pub fn change_event(connector: &str, change: &Change, op: Op) -> String {
    format!(
        "{{\"before\":{},\"after\":{},\"source\":{{\"connector\":{},\"table\":{},\"lsn\":{}}},\"op\":\"{}\",\"ts_ms\":{}}}",
        row_json(&change.before),
        row_json(&change.after),
        json_str(connector),
        json_str(&change.table),
        change.lsn,
        op.code(),
        change.ts_ms
    )
}

/// The records one change becomes: the event, and for a delete a tombstone after it.
pub fn records_for(
    connector: &str,
    key_column: &str,
    change: &Change,
) -> Vec<(String, Option<String>)> {
    let key = record_key(key_column, &change.key);
    let mut v = vec![(
        key.clone(),
        Some(change_event(connector, change, change.op)),
    )];
    if change.op == Op::Delete {
        v.push((key, None));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_event_shape() {
        let mut after = Row::new();
        after.insert("id".into(), "1".into());
        after.insert("name".into(), "Ann".into());
        let c = Change {
            lsn: 7,
            table: "users".into(),
            op: Op::Create,
            key: "1".into(),
            before: None,
            after: Some(after),
            ts_ms: 5,
        };
        let recs = records_for("cdc", "id", &c);
        assert_eq!(recs.len(), 1);
        assert_eq!(recs[0].0, r#"{"id":"1"}"#);
        assert_eq!(
            recs[0].1.as_deref(),
            Some(
                r#"{"before":null,"after":{"id":"1","name":"Ann"},"source":{"connector":"cdc","table":"users","lsn":7},"op":"c","ts_ms":5}"#
            )
        );
        let d = Change {
            op: Op::Delete,
            before: c.after.clone(),
            after: None,
            ..c
        };
        let recs = records_for("cdc", "id", &d);
        assert_eq!(recs.len(), 2, "a delete is followed by a tombstone");
        assert!(recs[0].1.as_deref().unwrap().contains(r#""op":"d""#));
        assert_eq!(recs[1], (r#"{"id":"1"}"#.to_string(), None));
    }

    #[test]
    fn offsets_round_trip() {
        assert_eq!(offset_key("cdc", "users"), r#"["cdc",{"table":"users"}]"#);
        assert_eq!(parse_offset_value(&offset_value(42)), Some(42));
        assert_eq!(parse_offset_value("nonsense"), None);
    }
}
