//! Memory per retained record: one partition's three replica logs (a leader appending producer
//! batches, two followers appending what they fetch), measured by the counting allocator. The
//! figure is the heap beyond key and value bytes per record a replica stores; replicas share
//! each batch's stored records (one allocation) and their payload (another), so the
//! per-replica figure is what a record costs each log that keeps it.

use super::{alloc, Figure, Scale};
use crate::engine::log::{Log, LogConfig, NewRecord};
use crate::engine::TopicPartition;
use serde_json::json;

const REPLICAS: usize = 3;
const BATCH: usize = 100;

/// Builds the three logs with `records` records; returns them and the key+value bytes written.
fn fill(records: usize) -> Result<(Vec<Log>, u64), String> {
    let tp = TopicPartition::new("bench", 0);
    let config = LogConfig::default();
    let mut logs: Vec<Log> = (0..REPLICAS).map(|_| Log::new(tp.clone(), 0)).collect();
    let mut content = 0u64;
    let mut written = 0usize;
    let now = crate::engine::time::EPOCH_MS;
    while written < records {
        let n = BATCH.min(records - written);
        let batch: Vec<NewRecord> = (written..written + n)
            .map(|i| {
                let key = format!("key-{}", i % 10_000);
                let value = format!("value-{i:08}");
                content += (key.len() + value.len()) as u64;
                NewRecord::text(now, Some(&key), Some(&value))
            })
            .collect();
        written += n;
        let Some((leader, followers)) = logs.split_first_mut() else {
            return Err("no replicas".into());
        };
        leader
            .append(batch, now, &config)
            .map_err(|e| e.to_string())?;
        for f in followers {
            let fetched = leader
                .read(f.log_end_offset(), i64::MAX, true, leader.log_end_offset())
                .map_err(|e| e.to_string())?
                .records;
            f.append_owned_as_follower(fetched, now, &config)
                .map_err(|e| e.to_string())?;
        }
    }
    Ok((logs, content))
}

pub(crate) fn per_record(scale: Scale) -> Result<Vec<Figure>, String> {
    let records = match scale {
        Scale::Full => 1_000_000,
        Scale::Tiny => 2_000,
    };
    let before = alloc::current();
    let (logs, content) = fill(records)?;
    let heap = alloc::current() - before;
    let stored = (records * REPLICAS) as f64;
    let inline = std::mem::size_of::<crate::engine::log::Record>();
    // The leader's payload allocations: one per batch, which the batch's records share (as
    // they share the allocation of the records themselves).
    let (mut shared, mut payloads) = (0u64, 0u64);
    if let Some(leader) = logs.first() {
        let mut previous: Option<&crate::engine::log::Record> = None;
        for r in leader.records() {
            if !previous.is_some_and(|p| p.shares_payload_with(r)) {
                shared += r.shared_bytes() as u64;
                payloads += 1;
            }
            previous = Some(r);
        }
    }
    // What the layout alone costs: per batch, one allocation of its inline records and one of
    // its payload (each two reference counts + the contents), and a 24-byte run (a reference
    // and a range) in each replica's segment; no vector slack, no allocator rounding.
    let batches = payloads as f64;
    let layout_bytes = (inline * records) as f64
        + 32.0 * batches
        + 24.0 * batches * REPLICAS as f64
        + shared as f64;
    let layout_per_replica = (layout_bytes - content as f64) / stored;
    let measured = alloc::counting();
    let per_replica = if measured {
        (heap as f64 - content as f64) / stored
    } else {
        layout_per_replica
    };
    let shared_ok = logs
        .get(1)
        .zip(logs.first())
        .and_then(|(f, l)| Some(f.records().next()?.shares_payload_with(l.records().next()?)))
        .unwrap_or(false);
    let detail = json!({
        "records": records,
        "replicas": REPLICAS,
        "key_value_bytes": content,
        "heap_bytes": if measured { Some(heap) } else { None },
        "measured_by_allocator": measured,
        "record_inline_bytes": inline,
        "payload_bytes_beyond_key_value_per_record":
            (shared as f64 + 16.0 * payloads as f64 - content as f64) / records as f64,
        "payload_allocations": payloads,
        "layout_bytes_per_replica_record": layout_per_replica,
        "bytes_per_logical_record_all_replicas": per_replica * REPLICAS as f64,
        "replicas_share_payloads": shared_ok,
        "note": "requested sizes; malloc's own headers and rounding are not included",
    });
    let target = measured.then_some((48.0, super::Better::Lower));
    Ok(vec![Figure::new(
        "memory_per_record",
        per_replica,
        "bytes",
        target,
        detail,
    )])
}
