//! Tests of the log as a whole: append and rolling, reads, truncation, followers, and a
//! property test mixing every operation.

use super::*;
use proptest::prelude::*;

fn tp() -> TopicPartition {
    TopicPartition::new("t", 0)
}

fn text(ts: i64, key: Option<&str>, value: Option<&str>) -> NewRecord {
    NewRecord::text(ts, key, value)
}

/// Everything readable from `from` below `upper`, one segment's read after another.
pub(super) fn read_all(log: &Log, mut from: i64, upper: i64) -> Vec<Record> {
    let mut out: Vec<Record> = Vec::new();
    loop {
        let records = log.read(from, i64::MAX, true, upper).unwrap().records;
        let Some(last) = records.last() else {
            return out;
        };
        from = last.offset() + 1;
        out.extend(records.iter().cloned());
    }
}

/// A log of `n` one-record batches (70 bytes each, timestamps 0, 1, ...) in 200-byte segments
/// (two batches per segment), with its config.
fn small_segments_log(n: i64) -> (Log, LogConfig) {
    let config = LogConfig {
        segment_bytes: 200,
        ..LogConfig::default()
    };
    let mut log = Log::new(tp(), 0);
    for i in 0..n {
        log.append(vec![text(i, Some("k"), Some("v"))], i, &config)
            .unwrap();
    }
    (log, config)
}

fn bases(log: &Log) -> Vec<i64> {
    log.segments().map(Segment::base_offset).collect()
}

#[test]
fn append_assigns_offsets_and_reports_sizes() {
    let config = LogConfig::default();
    let mut log = Log::new(tp(), 0);
    let info = log
        .append(
            vec![text(5, Some("k"), Some("v")), text(6, None, Some(""))],
            10,
            &config,
        )
        .unwrap();
    assert_eq!((info.first_offset, info.last_offset), (0, 1));
    assert_eq!(info.max_timestamp, 6);
    assert_eq!(info.log_append_time_ms, -1);
    // 61 header + "k"/"v" at deltas 0 (9 bytes) + null key / empty value at deltas 1 (7 bytes).
    assert_eq!(info.size_bytes, 61 + 9 + 7);
    assert_eq!(info.rolled_segment_base, None);
    assert_eq!(log.log_end_offset(), 2);
    assert_eq!(log.size_in_bytes(), 77);
    let info = log.append(vec![text(7, None, None)], 11, &config).unwrap();
    assert_eq!(info.first_offset, 2);
    let recs = log.read(0, i64::MAX, true, 3).unwrap().records.to_vec();
    assert_eq!(recs.len(), 3);
    assert_eq!(recs[1].value(), Some(&b""[..]));
    assert_eq!(recs[2].value(), None);
    assert_eq!(recs[1].batch_base_offset(), 0);
    assert_eq!(recs[2].batch_base_offset(), 2);
    log.check_invariants().unwrap();
}

#[test]
fn the_active_segment_holds_at_most_a_quarter_more_room_than_its_runs() {
    let config = LogConfig::default();
    let mut log = Log::new(tp(), 0);
    for i in 0..5_000 {
        let batch = (0..7)
            .map(|j| text(i, Some("k"), Some(&format!("{j}"))))
            .collect();
        log.append(batch, i, &config).unwrap();
        let seg = &log.segments[0];
        let (len, room) = (seg.run_count(), seg.run_capacity());
        assert!(room <= len + len / 4 + 1, "{room} slots for {len} runs");
    }
}

#[test]
fn rolls_by_segment_bytes() {
    // Each single-record batch is 61 + 9 = 70 bytes; 200 bytes hold two of them.
    let config = LogConfig {
        segment_bytes: 200,
        ..LogConfig::default()
    };
    let mut log = Log::new(tp(), 0);
    let mut rolled = Vec::new();
    for i in 0..5 {
        let info = log
            .append(vec![text(i, Some("k"), Some("v"))], i, &config)
            .unwrap();
        rolled.push(info.rolled_segment_base);
    }
    assert_eq!(rolled, vec![None, None, Some(2), None, Some(4)]);
    assert_eq!(bases(&log), vec![0, 2, 4]);
    assert_eq!(
        log.segment_infos()
            .iter()
            .map(|s| s.size_bytes)
            .collect::<Vec<_>>(),
        vec![140, 140, 70]
    );
    // Exactly full is allowed: size > segment.bytes - batch is the roll condition.
    let config = LogConfig {
        segment_bytes: 140,
        ..LogConfig::default()
    };
    let mut log = Log::new(tp(), 0);
    for i in 0..3 {
        log.append(vec![text(i, Some("k"), Some("v"))], i, &config)
            .unwrap();
    }
    assert_eq!(bases(&log), vec![0, 2]);
}

#[test]
fn batch_larger_than_segment_or_max_message_is_refused() {
    let config = LogConfig {
        segment_bytes: 100,
        ..LogConfig::default()
    };
    let mut log = Log::new(TopicPartition::new("big", 3), 0);
    let value = "x".repeat(50);
    let err = log
        .append(vec![text(0, None, Some(&value))], 0, &config)
        .unwrap_err();
    assert_eq!(err.error_name(), "RECORD_LIST_TOO_LARGE");
    assert_eq!(
        err.to_string(),
        "Message batch size is 118 bytes in append to partition big-3, which exceeds the maximum configured segment size of 100."
    );
    let config = LogConfig {
        max_message_bytes: 100,
        ..LogConfig::default()
    };
    let err = log
        .append(vec![text(0, None, Some(&value))], 0, &config)
        .unwrap_err();
    assert_eq!(err.error_name(), "MESSAGE_TOO_LARGE");
    assert_eq!(
        err.to_string(),
        "The record batch size in the append to big-3 is 118 bytes which exceeds the maximum configured value of 100."
    );
    assert_eq!(log.log_end_offset(), 0);
    let err = log.append(vec![], 0, &config).unwrap_err();
    assert_eq!(err.error_name(), "INVALID_RECORD");
}

#[test]
fn rolls_by_segment_ms_measured_from_first_batch_timestamp() {
    let config = LogConfig {
        segment_ms: 1_000,
        ..LogConfig::default()
    };
    let mut log = Log::new(tp(), 0);
    log.append(vec![text(5_000, Some("a"), Some("1"))], 5_000, &config)
        .unwrap();
    // 6000 - 5000 = 1000 is not > 1000: no roll.
    let info = log
        .append(vec![text(6_000, Some("a"), Some("2"))], 6_000, &config)
        .unwrap();
    assert_eq!(info.rolled_segment_base, None);
    // The broker clock does not matter, only record timestamps: still measured from 5000.
    let info = log
        .append(vec![text(6_001, Some("a"), Some("3"))], 6_001, &config)
        .unwrap();
    assert_eq!(info.rolled_segment_base, Some(2));
    // An old timestamp in a new batch does not roll the new segment.
    let info = log
        .append(vec![text(100, Some("a"), Some("4"))], 99_999, &config)
        .unwrap();
    assert_eq!(info.rolled_segment_base, None);
    assert_eq!(bases(&log), vec![0, 2]);
    log.check_invariants().unwrap();
}

#[test]
fn segment_jitter_shortens_each_new_segment_by_its_own_draw() {
    let config = LogConfig {
        segment_ms: 1_000,
        segment_jitter_ms: 500,
        ..LogConfig::default()
    };
    let mut log = Log::new(tp(), 0);
    log.append(vec![text(0, Some("a"), Some("0"))], 0, &config)
        .unwrap();
    // Each segment rolls once the time since its first batch exceeds 1000 minus its jitter.
    let mut now = 0;
    let mut periods = std::collections::BTreeSet::new();
    for i in 1..=12 {
        let seg = log.active_segment().unwrap();
        let jitter = seg.roll_jitter_ms;
        assert!((0..500).contains(&jitter), "jitter {jitter}");
        let start = now;
        let due = start + 1_000 - jitter;
        let v = i.to_string();
        let info = log
            .append(vec![text(due, Some("a"), Some(&v))], due, &config)
            .unwrap();
        assert_eq!(
            info.rolled_segment_base, None,
            "not later than 1000 - jitter"
        );
        let info = log
            .append(vec![text(due + 1, Some("a"), Some(&v))], due + 1, &config)
            .unwrap();
        assert!(info.rolled_segment_base.is_some(), "rolled right after");
        periods.insert(due + 1 - start);
        now = due + 1;
    }
    assert!(
        periods.len() > 6,
        "segments roll after different times: {periods:?}"
    );
    log.check_invariants().unwrap();
}

#[test]
fn log_append_time_overrides_timestamps() {
    let config = LogConfig {
        message_timestamp_type: TimestampType::LogAppendTime,
        ..LogConfig::default()
    };
    let mut log = Log::new(tp(), 0);
    // Far outside the CreateTime window, but LogAppendTime does not validate it.
    let info = log
        .append(
            vec![text(1, Some("a"), Some("1")), text(2, None, Some("2"))],
            50_000_000,
            &config,
        )
        .unwrap();
    assert_eq!(info.log_append_time_ms, 50_000_000);
    assert_eq!(info.max_timestamp, 50_000_000);
    let recs = log.read(0, i64::MAX, true, 2).unwrap().records;
    assert!(
        recs.iter()
            .all(|r| r.timestamp() == 50_000_000
                && r.timestamp_type() == TimestampType::LogAppendTime)
    );
}

#[test]
fn create_time_outside_window_is_invalid_timestamp() {
    let config = LogConfig::default(); // after.max.ms = 1 h, before.max.ms = Long.MAX
    let mut log = Log::new(tp(), 0);
    let now = 1_000_000_000;
    let err = log
        .append(
            vec![
                text(now, None, Some("ok")),
                text(now + 3_600_001, None, Some("future")),
            ],
            now,
            &config,
        )
        .unwrap_err();
    assert_eq!(err.error_name(), "INVALID_TIMESTAMP");
    assert_eq!(
        err.to_string(),
        "Timestamp 1003600001 of message with offset 1 is out of range. The timestamp should be within [-9223372035854775807, 1003600000]"
    );
    // Old timestamps pass with the default before.max.ms; exactly 1 h ahead passes too.
    log.append(
        vec![
            text(0, None, Some("old")),
            text(now + 3_600_000, None, Some("edge")),
        ],
        now,
        &config,
    )
    .unwrap();
    let strict = LogConfig {
        message_timestamp_before_max_ms: 1_000,
        ..LogConfig::default()
    };
    let err = log
        .append(vec![text(now - 1_001, None, None)], now, &strict)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("should be within [999999000, 1003600000]"),
        "{err}"
    );
}

#[test]
fn producer_fields_are_kept_per_record() {
    let config = LogConfig::default();
    let mut log = Log::new(tp(), 0);
    let producer = ProducerInfo {
        producer_id: 9,
        producer_epoch: 2,
        base_sequence: i32::MAX - 1,
    };
    log.append_with_producer(
        &vec![text(0, None, Some("a")); 3],
        Some(producer),
        0,
        &config,
    )
    .unwrap();
    let seqs: Vec<i32> = log
        .records()
        .filter_map(|r| r.producer())
        .map(|p| p.sequence)
        .collect();
    assert_eq!(seqs, vec![i32::MAX - 1, i32::MAX, 0]);
    assert!(log.records().all(|r| r
        .producer()
        .is_some_and(|p| p.producer_id == 9 && p.producer_epoch == 2)));
}

#[test]
fn read_follows_watermark_rules() {
    let config = LogConfig {
        segment_bytes: 200,
        ..LogConfig::default()
    };
    let mut log = Log::new(TopicPartition::new("orders", 1), 0);
    for i in 0..6 {
        log.append(vec![text(i, Some("k"), Some("v"))], i, &config)
            .unwrap();
    }
    let hw = 4;
    // Consumers read up to HW; between HW and LEO is empty, not an error.
    assert_eq!(
        log.read(2, i64::MAX, true, hw)
            .unwrap()
            .records
            .iter()
            .map(Record::offset)
            .collect::<Vec<_>>(),
        vec![2, 3]
    );
    assert!(log.read(4, i64::MAX, true, hw).unwrap().records.is_empty());
    assert!(log.read(5, i64::MAX, true, hw).unwrap().records.is_empty());
    assert!(log.read(6, i64::MAX, true, hw).unwrap().records.is_empty()); // == LEO
                                                                          // Followers read up to LEO.
    assert_eq!(
        log.read(4, i64::MAX, true, log.log_end_offset())
            .unwrap()
            .records
            .len(),
        2
    );
    let err = log.read(7, i64::MAX, true, hw).unwrap_err();
    assert_eq!(err.error_name(), "OFFSET_OUT_OF_RANGE");
    assert_eq!(
        err.to_string(),
        "Received request for offset 7 for partition orders-1, but we only have log segments upto 6."
    );
    log.delete_records_before(3, hw, true).unwrap();
    let err = log.read(2, i64::MAX, true, hw).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Received request for offset 2 for partition orders-1, but we only have log segments starting from offset: 3."
    );
}

/// `LogSegment.read`: one segment per read, whole batches within the byte limit, the first one
/// even when larger (KIP-74) unless the fetch already has data; the slice's bytes end at the
/// limit when a batch does not fit.
#[test]
fn reads_whole_batches_of_one_segment_within_max_bytes() {
    let (log, config) = small_segments_log(6);
    // One-record batches of 70 bytes, two per segment: [0, 1] [2, 3] [4, 5].
    assert_eq!(bases(&log), vec![0, 2, 4]);
    let offsets = |r: LogRead| {
        (
            r.records.iter().map(Record::offset).collect::<Vec<_>>(),
            r.bytes,
        )
    };
    let read = |from, max, min_one| offsets(log.read(from, max, min_one, 6).unwrap());
    assert_eq!(read(2, i64::MAX, true), (vec![2, 3], 140));
    assert_eq!(read(3, i64::MAX, true), (vec![3], 70));
    assert_eq!(read(2, 140, true), (vec![2, 3], 140));
    assert_eq!(read(2, 139, true), (vec![2], 139));
    assert_eq!(read(2, 1, true), (vec![2], 70));
    assert_eq!(read(2, 1, false), (vec![], 1));
    assert_eq!(read(2, 0, false), (vec![], 0));
    // A batch is read whole from its first record: the ones before the offset count as bytes.
    let mut log = Log::new(tp(), 0);
    log.append(vec![text(0, Some("k"), Some("v")); 3], 0, &config)
        .unwrap();
    let whole = log.read(0, i64::MAX, true, 3).unwrap();
    let tail = log.read(2, i64::MAX, true, 3).unwrap();
    assert_eq!(
        tail.records.iter().map(Record::offset).collect::<Vec<_>>(),
        vec![2]
    );
    assert_eq!(tail.bytes, whole.bytes);
}

/// `DelayedFetch.tryComplete`: the bytes a waiting fetch counts, up to its cap; a fetch whose
/// segment ends before the bound completes whatever the bytes ("fetching older segments").
#[test]
fn bytes_readable_counts_one_segment_up_to_a_cap() {
    let (log, _) = small_segments_log(5);
    assert_eq!(log.bytes_readable(4, 5, i64::MAX), Some(70));
    assert_eq!(log.bytes_readable(4, 5, 10), Some(10));
    assert_eq!(log.bytes_readable(5, 5, i64::MAX), Some(0));
    assert_eq!(log.bytes_readable(2, 4, i64::MAX), Some(140));
    assert_eq!(log.bytes_readable(2, 5, i64::MAX), None);
    assert_eq!(log.bytes_readable(6, 5, i64::MAX), None);
}

#[test]
fn truncation_removes_records_at_and_above_target() {
    let config = LogConfig {
        segment_bytes: 200,
        ..LogConfig::default()
    };
    let mut log = Log::new(tp(), 0);
    for i in 0..7 {
        log.append(vec![text(i * 10, Some("k"), Some("v"))], i, &config)
            .unwrap();
    }
    assert_eq!(bases(&log), vec![0, 2, 4, 6]);
    assert_eq!(log.truncate_to(10), Ok(false));
    assert_eq!(log.truncate_to(7), Ok(false));
    assert_eq!(log.truncate_to(3), Ok(true));
    assert_eq!(bases(&log), vec![0, 2]);
    assert_eq!(log.log_end_offset(), 3);
    let active = log.active_segment().unwrap();
    assert_eq!((active.size_bytes(), active.max_timestamp()), (70, 20));
    // A segment whose base equals the target stays, empty.
    assert_eq!(log.truncate_to(2), Ok(true));
    assert_eq!(bases(&log), vec![0, 2]);
    assert!(log.active_segment().unwrap().is_empty());
    assert_eq!(log.active_segment().unwrap().max_timestamp(), -1);
    log.check_invariants().unwrap();
    let info = log
        .append(vec![text(99, None, Some("new"))], 99, &config)
        .unwrap();
    assert_eq!(info.first_offset, 2);
    assert!(log.truncate_to(-1).is_err());
}

/// A follower stores the runs it fetched: the leader's records themselves, not copies, even
/// where a read or a truncation cuts a run.
#[test]
fn a_follower_stores_the_leaders_records_themselves() {
    let config = LogConfig::default();
    let mut leader = Log::new(tp(), 0);
    for i in 0..3 {
        leader
            .append(vec![text(i, Some("k"), Some("v")); 4], i, &config)
            .unwrap();
    }
    let mut follower = Log::new(tp(), 0);
    let fetched = leader.read(0, i64::MAX, true, 12).unwrap().records;
    follower
        .append_owned_as_follower(fetched, 5, &config)
        .unwrap();
    let same = |a: &Log, b: &Log| {
        a.records()
            .zip(b.records())
            .filter(|(x, y)| std::ptr::eq(*x, *y))
            .count()
    };
    assert_eq!(same(&leader, &follower), 12);
    // From the middle of the second batch: its tail and the third batch, shared.
    let tail = leader.read(6, i64::MAX, true, 12).unwrap().records;
    let offsets: Vec<i64> = tail.iter().map(Record::offset).collect();
    assert_eq!(offsets, vec![6, 7, 8, 9, 10, 11]);
    let shared = tail
        .iter()
        .filter(|r| leader.records().any(|l| std::ptr::eq(l, *r)))
        .count();
    assert_eq!(shared, 6);
    // Truncating inside a batch keeps its head, still shared.
    follower.truncate_to(6).unwrap();
    assert_eq!(
        follower.records().map(Record::offset).collect::<Vec<_>>(),
        (0..6).collect::<Vec<_>>()
    );
    assert_eq!(same(&leader, &follower), 6);
    follower.check_invariants().unwrap();
}

/// A follower's appends of a compacted leader's records leave gaps between its runs: a read
/// from inside a gap starts at the next run (whether or not that run is among the last few).
#[test]
fn a_read_from_a_gap_between_runs_starts_at_the_next_record() {
    let config = LogConfig::default();
    let mut leader = Log::new(tp(), 0);
    leader
        .append(vec![text(0, Some("k"), Some("v")); 2], 0, &config)
        .unwrap();
    let two = read_all(&leader, 0, 2);
    let mut follower = Log::new(tp(), 0);
    // Runs at 0 and 2, 5 and 7, then 10 and 12, ... (offsets 1, 3, 4, 6, ... compacted away).
    for k in 0..12 {
        let batch: Vec<Record> = two
            .iter()
            .enumerate()
            .map(|(i, r)| r.relocated(5 * k + 2 * i as i64))
            .collect();
        follower.append_as_follower(&batch, 0, &config).unwrap();
    }
    for (from, first) in [(1, 2), (3, 5), (4, 5), (8, 10), (51, 52), (53, 55)] {
        let read = follower.read(from, i64::MAX, true, 58).unwrap().records;
        assert_eq!(
            read.first().map(Record::offset),
            Some(first),
            "read from {from}"
        );
        assert_eq!(
            follower.iter_from(from).next().map(Record::offset),
            Some(first)
        );
    }
    follower.check_invariants().unwrap();
}

#[test]
fn truncate_fully_restarts_the_log() {
    let config = LogConfig::default();
    let mut log = Log::new(tp(), 0);
    log.append(vec![text(0, None, Some("a")); 5], 0, &config)
        .unwrap();
    log.truncate_fully_and_start_at(100).unwrap();
    assert_eq!((log.log_start_offset(), log.log_end_offset()), (100, 100));
    assert_eq!(bases(&log), vec![100]);
    assert_eq!(log.record_count(), 0);
    assert_eq!(log.read(100, i64::MAX, true, 100), Ok(LogRead::default()));
    assert_eq!(
        log.read(99, i64::MAX, true, 100).unwrap_err().error_name(),
        "OFFSET_OUT_OF_RANGE"
    );
    // Truncating below the first segment restarts there too.
    log.append(vec![text(0, None, Some("a")); 5], 0, &config)
        .unwrap();
    assert_eq!(log.truncate_to(50), Ok(true));
    assert_eq!(
        (log.log_start_offset(), log.log_end_offset(), bases(&log)),
        (50, 50, vec![50])
    );
    log.check_invariants().unwrap();
}

#[test]
fn followers_share_payloads_and_keep_offsets() {
    let (leader, config) = small_segments_log(5);
    let mut follower = Log::new(tp(), 0);
    let fetched = read_all(&leader, 0, 3);
    // Three one-record batches of 70 bytes each.
    let info = follower
        .append_as_follower(&fetched, 10, &LogConfig::default())
        .unwrap();
    assert_eq!(
        (info.first_offset, info.last_offset, info.size_bytes),
        (0, 2, 210)
    );
    // A fetched chunk is appended whole: larger than segment.bytes is refused.
    let mut follower = Log::new(tp(), 0);
    let small = LogConfig {
        segment_bytes: 150,
        ..config.clone()
    };
    assert_eq!(
        follower
            .append_as_follower(&fetched, 10, &small)
            .unwrap_err()
            .error_name(),
        "RECORD_LIST_TOO_LARGE"
    );
    follower
        .append_as_follower(&fetched[..2], 10, &small)
        .unwrap();
    let rest = read_all(&leader, 2, leader.log_end_offset());
    follower.append_as_follower(&rest[..1], 11, &small).unwrap();
    assert_eq!(bases(&follower), vec![0, 2]);
    for (a, b) in leader.records().zip(follower.records()) {
        assert_eq!(a, b);
        assert!(a.shares_payload_with(b));
    }
    // Below LEO is refused; gaps (a compacted leader) are accepted.
    let err = follower
        .append_as_follower(&fetched[..1], 12, &small)
        .unwrap_err();
    assert_eq!(err.error_name(), "UNKNOWN_SERVER_ERROR");
    follower.append_as_follower(&rest[2..], 12, &small).unwrap();
    assert_eq!(
        follower.records().map(Record::offset).collect::<Vec<_>>(),
        vec![0, 1, 2, 4]
    );
    assert_eq!(follower.log_end_offset(), 5);
    follower.check_invariants().unwrap();
}

#[test]
fn clones_share_segments_until_written() {
    let (mut log, config) = small_segments_log(5);
    let checkpoint = log.clone();
    log.append(vec![text(9, Some("k"), Some("w"))], 9, &config)
        .unwrap();
    assert_eq!(checkpoint.log_end_offset(), 5);
    assert_eq!(log.log_end_offset(), 6);
    assert!(Arc::ptr_eq(&log.segments[0], &checkpoint.segments[0]));
    assert!(!Arc::ptr_eq(&log.segments[2], &checkpoint.segments[2]));
}

// ---------------------------------------------------------------------------------------------
// Property test: random operations keep the log's invariants.

#[derive(Clone, Debug)]
enum Op {
    /// `n` records with key index (4 = null key); `tombstone` makes values null.
    Append {
        n: u8,
        key: u8,
        tombstone: bool,
        dt: u16,
    },
    AdvanceHw {
        percent: u8,
    },
    Retention {
        dt: u16,
    },
    Compact {
        dt: u16,
    },
    Truncate {
        percent: u8,
    },
    DeleteRecords {
        percent: u8,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (1u8..4, 0u8..5, proptest::bool::weighted(0.2), 0u16..400)
            .prop_map(|(n, key, tombstone, dt)| Op::Append { n, key, tombstone, dt }),
        2 => (0u8..=100).prop_map(|percent| Op::AdvanceHw { percent }),
        1 => (0u16..3_000).prop_map(|dt| Op::Retention { dt }),
        2 => (0u16..1_000).prop_map(|dt| Op::Compact { dt }),
        1 => (0u8..=100).prop_map(|percent| Op::Truncate { percent }),
        1 => (0u8..=100).prop_map(|percent| Op::DeleteRecords { percent }),
    ]
}

/// Latest readable record per key. Records below the log start offset are unreadable and may
/// still sit in a segment until retention removes it; Kafka's cleaner does not deduplicate them
/// against each other (its offset map starts at the log start offset), so they are not compared.
fn latest_by_key(log: &Log) -> std::collections::BTreeMap<Vec<u8>, Record> {
    let mut map = std::collections::BTreeMap::new();
    for r in log.records() {
        if let Some(k) = r.key() {
            map.insert(k.to_vec(), r.clone());
        }
    }
    map
}

fn between(lo: i64, hi: i64, percent: u8) -> i64 {
    lo + (hi - lo) * i64::from(percent) / 100
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn random_operations_keep_invariants(ops in proptest::collection::vec(op(), 1..60)) {
        let config = LogConfig {
            segment_bytes: 300,
            segment_ms: 1_000,
            retention_ms: 4_000,
            retention_bytes: 900,
            cleanup_policy: CleanupPolicy::COMPACT_DELETE,
            delete_retention_ms: 500,
            min_cleanable_dirty_ratio_permille: 0,
            ..LogConfig::default()
        };
        let mut log = Log::new(tp(), 0);
        let mut now = 0i64;
        let mut hw = 0i64;
        for op in ops {
            let start_before = log.log_start_offset();
            match op {
                Op::Append { n, key, tombstone, dt } => {
                    now += i64::from(dt);
                    let key_text = (key < 4).then(|| format!("key-{key}"));
                    let value = (!tombstone).then(|| format!("v@{now}"));
                    let batch = vec![text(now, key_text.as_deref(), value.as_deref()); usize::from(n)];
                    let leo = log.log_end_offset();
                    let info = log.append(batch, now, &config).unwrap();
                    prop_assert_eq!(info.first_offset, leo);
                    prop_assert_eq!(log.log_end_offset(), leo + i64::from(n));
                }
                Op::AdvanceHw { percent } => {
                    hw = hw.max(between(hw, log.log_end_offset(), percent));
                }
                Op::Retention { dt } => {
                    now += i64::from(dt);
                    let r = log.delete_old_segments(now, hw, &config);
                    prop_assert!(r.log_start_offset >= start_before);
                    prop_assert!(r.log_start_offset <= hw.max(start_before));
                    for d in &r.deleted_segments {
                        prop_assert!(d.segment.end_offset <= hw);
                    }
                }
                Op::Compact { dt } => {
                    now += i64::from(dt);
                    let before = latest_by_key(&log);
                    let stats = log.cleanable_stats(now, hw, &config);
                    let tail_before: Vec<Record> =
                        log.iter_from(stats.first_uncleanable_offset).cloned().collect();
                    let r = log.compact(now, hw, &config);
                    let after = latest_by_key(&log);
                    for (k, rec) in &before {
                        match after.get(k) {
                            Some(a) => prop_assert_eq!(a, rec, "latest record of a key changed"),
                            None => prop_assert!(rec.is_tombstone(), "latest value of a key vanished"),
                        }
                    }
                    prop_assert_eq!(after.len() <= before.len(), true);
                    let tail_after: Vec<Record> =
                        log.iter_from(stats.first_uncleanable_offset).cloned().collect();
                    prop_assert_eq!(tail_before, tail_after, "records at/after the uncleanable offset changed");
                    if r.cleaned {
                        let end = stats.first_uncleanable_offset;
                        prop_assert!(log.records().take_while(|r| r.offset() < end).all(|r| r.has_key()));
                        prop_assert_eq!(log.cleaner_checkpoint(), Some(stats.first_uncleanable_offset));
                    }
                }
                Op::Truncate { percent } => {
                    let target = between(log.log_start_offset(), log.log_end_offset(), percent);
                    let leo = log.log_end_offset();
                    let changed = log.truncate_to(target).unwrap();
                    prop_assert_eq!(changed, target < leo);
                    prop_assert_eq!(log.log_end_offset(), target.min(leo));
                    prop_assert!(log.records().all(|r| r.offset() < target.min(leo)));
                    hw = hw.min(log.log_end_offset());
                }
                Op::DeleteRecords { percent } => {
                    let target = between(log.log_start_offset(), hw.max(log.log_start_offset()), percent);
                    prop_assert_eq!(log.delete_records_before(target, hw, true), Ok(target.max(start_before)));
                    prop_assert!(log.delete_records_before(hw + 1, hw, true).is_err());
                }
            }
            prop_assert!(hw <= log.log_end_offset());
            if let Err(e) = log.check_invariants() {
                prop_assert!(false, "invariant broken: {} ({})", e, describe(&log));
            }
            let segs = log.segment_infos();
            for w in segs.windows(2) {
                prop_assert_eq!(w[0].end_offset, w[1].base_offset);
            }
            for s in log.segments() {
                if !s.is_empty() {
                    prop_assert_eq!(s.size_bytes(), record::records_size(s.records()));
                }
                // The count kept as records come and go is the count of what is there.
                prop_assert_eq!(s.record_count(), s.records().count());
            }
            // Reading from any readable offset returns the first record at or after it.
            let from = log.log_start_offset();
            let read = log.read(from, i64::MAX, true, log.log_end_offset()).unwrap().records;
            prop_assert_eq!(read.first().map(Record::offset), log.iter_from(from).next().map(Record::offset));
            // A parked fetch counts the bytes an unbounded read brings, or completes at once on
            // an error or an older segment (which has records to read; compaction's gaps
            // included).
            let (start, leo) = (log.log_start_offset(), log.log_end_offset());
            // Finding a record by offset agrees with walking every segment's records.
            for from in start..=leo {
                let walked = log.segments().flat_map(|s| s.records()).find(|r| r.offset() >= from);
                let walked = walked.map(Record::offset);
                prop_assert_eq!(log.iter_from(from).next().map(Record::offset), walked);
                let read = log.read(from, i64::MAX, true, leo).unwrap().records;
                prop_assert_eq!(read.first().map(Record::offset), walked);
            }
            for from in [start - 1, start, (start + leo) / 2, leo - 1, leo, leo + 1] {
                for upper in [hw, leo, from, from + 1] {
                    let read = log.read(from, i64::MAX, true, upper);
                    // The records read are the stored ones from `from` on, in order, however
                    // the runs holding them were cut (truncation, compaction, a mid-batch start).
                    if let Ok(r) = &read {
                        let stored: Vec<&Record> = log.iter_from(from).take(r.records.len()).collect();
                        prop_assert_eq!(r.records.iter().collect::<Vec<_>>(), stored);
                    }
                    match log.bytes_readable(from, upper, i64::MAX) {
                        Some(n) => prop_assert_eq!(Ok(n), read.map(|r| r.bytes)),
                        None => prop_assert!(read.map_or(true, |r| !r.records.is_empty())),
                    }
                }
            }
            let clone = log.clone();
            prop_assert_eq!(clone.records().count(), log.records().count());
        }
    }
}

fn describe(log: &Log) -> String {
    format!(
        "segments {:?}, start {}, leo {}",
        bases(log),
        log.log_start_offset(),
        log.log_end_offset()
    )
}

/// `LogSegment.append`: a follower's first append into an empty segment sets what `segment.ms`
/// measures from to the largest timestamp of the whole append, not of its first batch.
#[test]
fn a_follower_measures_segment_ms_from_its_whole_first_append() {
    let config = LogConfig {
        segment_ms: 6_000,
        ..LogConfig::default()
    };
    let mut leader = Log::new(tp(), 0);
    for ts in [0, 5_000, 7_000] {
        leader
            .append(vec![text(ts, Some("k"), Some("v"))], ts, &config)
            .unwrap();
    }
    let fetched = read_all(&leader, 0, 3);
    let mut follower = Log::new(tp(), 0);
    follower
        .append_as_follower(&fetched[..2], 5_000, &config)
        .unwrap();
    // 7000 - 5000 is within segment.ms: no roll (7000 - 0 would have rolled).
    let info = follower
        .append_as_follower(&fetched[2..], 7_000, &config)
        .unwrap();
    assert_eq!(info.rolled_segment_base, None);
    assert_eq!(bases(&follower), vec![0]);
}
