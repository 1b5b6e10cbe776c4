//! Retention inside the running simulation: segments roll and expire by time and size, offsets
//! expire by the era's rule, compaction keeps the latest value per key.

use kafka_playground::engine::config::Era;
use kafka_playground::engine::time::{DAY, HOUR, MINUTE};
use kafka_playground::engine::{ClusterSpec, Command, Sim, TopicPartition};
use std::collections::BTreeMap;

fn topic(s: &mut Sim, name: &str, configs: &[(&str, &str)]) {
    s.apply(Command::CreateTopic {
        name: name.into(),
        partitions: Some(1),
        replication_factor: Some(1),
        configs: configs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        assignment: None,
    })
    .unwrap();
}

fn produce(s: &mut Sim, topic: &str, key: Option<&str>, value: Option<&str>) {
    s.apply(Command::Produce {
        producer: "p".into(),
        topic: topic.into(),
        partition: Some(0),
        key: key.map(String::from),
        value: value.map(String::from),
        timestamp: None,
    })
    .unwrap();
}

#[test]
fn time_retention_deletes_whole_old_segments_on_the_check_interval() {
    let mut s = Sim::new(
        1,
        ClusterSpec {
            brokers: 1,
            ..Default::default()
        },
    )
    .unwrap();
    // Segments of one minute, kept for ten.
    topic(
        &mut s,
        "t",
        &[("segment.ms", "60000"), ("retention.ms", "600000")],
    );
    for _ in 0..30 {
        produce(&mut s, "t", None, Some("x"));
        s.run_for(MINUTE);
    }
    let tp = TopicPartition::new("t", 0);
    let start = s.log_start_offset(&tp).unwrap();
    // 30 minutes written, 10 kept (± a segment and the 5-minute check interval).
    assert!((14..=21).contains(&start), "log start {start}");
    let view = s.topic("t").unwrap();
    let segments = &view.partitions[0].replica_states[0].segments;
    assert!(segments.len() <= 17, "{} segments", segments.len());
    assert_eq!(
        segments[0].base_offset, start,
        "the log starts at a segment boundary"
    );
}

fn one_broker() -> Sim {
    Sim::new(
        1,
        ClusterSpec {
            brokers: 1,
            ..Default::default()
        },
    )
    .unwrap()
}

/// Two records two seconds apart in one-second segments kept for a second: by the first
/// retention check both have expired, the active segment too (Kafka rolls a new one).
fn short_lived_records(s: &mut Sim, policy: &str) -> TopicPartition {
    topic(
        s,
        "t",
        &[
            ("segment.ms", "1000"),
            ("retention.ms", "1000"),
            ("cleanup.policy", policy),
        ],
    );
    produce(s, "t", Some("a"), Some("1"));
    s.run_for(2_000);
    produce(s, "t", Some("b"), Some("2"));
    s.run_for(1_000);
    TopicPartition::new("t", 0)
}

/// `LogManager.startup`: the first check comes `log.initial.task.delay.ms` (30 s) after the
/// broker starts, not a whole `log.retention.check.interval.ms` (5 min) later; a restarted
/// broker starts that clock again.
#[test]
fn the_first_retention_check_comes_30_seconds_after_the_broker_starts() {
    let mut s = one_broker();
    let tp = short_lived_records(&mut s, "delete");
    s.run_until(29_000);
    assert_eq!(s.log_start_offset(&tp), Some(0));
    s.run_until(31_000);
    assert_eq!(s.log_start_offset(&tp), Some(2), "the check at 30 s");

    // After a restart at 100 s the next check is at 130 s, not at the old schedule's 330 s.
    produce(&mut s, "t", Some("c"), Some("3"));
    s.run_until(100_000);
    s.apply(Command::StopBroker { id: 0, hard: false }).unwrap();
    s.run_for(1_000);
    s.apply(Command::StartBroker { id: 0 }).unwrap();
    s.run_until(125_000);
    assert_eq!(s.log_start_offset(&tp), Some(2));
    s.run_until(200_000);
    assert_eq!(
        s.log_start_offset(&tp),
        Some(3),
        "the restarted broker's check at ~131 s"
    );
}

/// `compact,delete` logs are left to the log cleaner, which deletes their old segments on
/// every pass (`log.cleaner.backoff.ms`, 15 s), as `LogCleaner.cleanFilthiestLog` does.
#[test]
fn compact_delete_logs_lose_old_segments_in_the_cleaners_passes() {
    let mut s = one_broker();
    let tp = short_lived_records(&mut s, "compact,delete");
    s.run_until(20_000);
    assert_eq!(
        s.log_start_offset(&tp),
        Some(2),
        "the cleaner's pass at 15 s"
    );
}

fn broker_with(overrides: &[(&str, &str)]) -> Sim {
    Sim::new(
        1,
        ClusterSpec {
            brokers: 1,
            broker_overrides: overrides
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Default::default()
        },
    )
    .unwrap()
}

/// Thirty values of one key in 200-byte segments, then two minutes of cleaner passes: how many
/// records are left.
fn records_left_after_updating_one_key(s: &mut Sim) -> usize {
    topic(
        s,
        "k",
        &[
            ("cleanup.policy", "compact"),
            ("segment.bytes", "200"),
            ("min.cleanable.dirty.ratio", "0.01"),
        ],
    );
    for i in 0..30 {
        produce(s, "k", Some("key"), Some(&format!("v{i}")));
        s.run_for(100);
    }
    s.run_for(2 * MINUTE);
    s.records(&TopicPartition::new("k", 0), 0, 1000).len()
}

/// `LogManager` makes no cleaner with `log.cleaner.enable=false` (and one without threads with
/// `log.cleaner.threads=0`): compacted logs keep every record, and `compact,delete` logs get no
/// retention either, since `cleanupLogs` leaves them to the cleaner.
#[test]
fn without_a_cleaner_compacted_logs_are_neither_cleaned_nor_trimmed() {
    for off in [
        ("log.cleaner.enable", "false"),
        ("log.cleaner.threads", "0"),
    ] {
        let mut s = broker_with(&[off]);
        assert_eq!(records_left_after_updating_one_key(&mut s), 30, "{off:?}");
        let tp = short_lived_records(&mut s, "compact,delete");
        s.run_for(10 * MINUTE);
        assert_eq!(s.log_start_offset(&tp), Some(0), "{off:?}");
    }
    let mut s = one_broker();
    assert!(records_left_after_updating_one_key(&mut s) < 5);
}

/// `log.cleaner.backoff.ms=0` is valid (`atLeast(0)`): the cleaner runs without pause.
#[test]
fn a_cleaner_without_backoff_cleans_and_the_simulation_goes_on() {
    let mut s = broker_with(&[("log.cleaner.backoff.ms", "0")]);
    assert!(records_left_after_updating_one_key(&mut s) < 5);
}

#[test]
fn size_retention_keeps_the_partition_under_retention_bytes() {
    let mut s = Sim::new(
        1,
        ClusterSpec {
            brokers: 1,
            ..Default::default()
        },
    )
    .unwrap();
    topic(
        &mut s,
        "t",
        &[("segment.bytes", "200"), ("retention.bytes", "600")],
    );
    for i in 0..60 {
        produce(&mut s, "t", None, Some(&format!("value-{i:04}")));
        s.run_for(1_000);
    }
    s.run_for(10 * MINUTE);
    let view = s.topic("t").unwrap();
    let r = &view.partitions[0].replica_states[0];
    assert!(r.size_bytes <= 600 + 200, "partition size {}", r.size_bytes);
    assert!(r.log_start_offset > 0);
    assert_eq!(r.log_end_offset, 60);
}

#[test]
fn compaction_keeps_the_latest_value_per_key() {
    let mut s = Sim::new(
        1,
        ClusterSpec {
            brokers: 1,
            ..Default::default()
        },
    )
    .unwrap();
    topic(
        &mut s,
        "users",
        &[
            ("cleanup.policy", "compact"),
            ("segment.bytes", "200"),
            ("min.cleanable.dirty.ratio", "0.01"),
        ],
    );
    for round in 0..10 {
        for user in ["ann", "bob", "cid"] {
            produce(
                &mut s,
                "users",
                Some(user),
                Some(&format!("{user}-v{round}")),
            );
            s.run_for(100);
        }
    }
    produce(&mut s, "users", Some("bob"), None); // tombstone
    for _ in 0..6 {
        produce(&mut s, "users", Some("zed"), Some("filler"));
        s.run_for(100);
    }
    s.run_for(2 * MINUTE);
    let tp = TopicPartition::new("users", 0);
    let records = s.records(&tp, 0, 1000);
    assert!(
        records.len() < 37,
        "compaction removed old values: {} left",
        records.len()
    );
    let latest = |k: &str| {
        records
            .iter()
            .rev()
            .find(|r| r.key() == Some(k.as_bytes()))
            .map(|r| r.value_text().map(|v| v.into_owned()))
    };
    assert_eq!(latest("ann"), Some(Some("ann-v9".into())));
    assert_eq!(latest("cid"), Some(Some("cid-v9".into())));
    assert!(
        matches!(latest("bob"), Some(None) | None),
        "bob was deleted"
    );
    // Offsets are never rewritten: they still increase, with gaps.
    assert!(records.windows(2).all(|w| w[0].offset() < w[1].offset()));
}

fn group_with_commit(era: Era) -> Sim {
    let mut s = Sim::new(
        1,
        ClusterSpec {
            brokers: 1,
            era,
            ..Default::default()
        },
    )
    .unwrap();
    topic(&mut s, "t", &[]);
    produce(&mut s, "t", None, Some("x"));
    consume_and_commit(&mut s, "c", &["t"], &[]);
    assert_eq!(s.group_view("g").unwrap().offsets[0].committed, Some(1));
    s
}

/// Starts consumer `name` in group `g` on `topics`, lets it read them and commits its positions.
fn consume_and_commit(s: &mut Sim, name: &str, topics: &[&str], configs: &[(&str, &str)]) {
    // Long fetch waits keep a week of idle polling cheap to simulate.
    let mut all = BTreeMap::from([
        ("auto.offset.reset".to_string(), "earliest".to_string()),
        ("fetch.max.wait.ms".to_string(), "60000".to_string()),
        ("enable.auto.commit".to_string(), "false".to_string()),
    ]);
    all.extend(configs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    s.apply(Command::StartConsumer {
        name: name.into(),
        group: Some("g".into()),
        topics: topics.iter().map(|t| t.to_string()).collect(),
        assign: Vec::new(),
        start_offsets: BTreeMap::new(),
        configs: all,
        process_time_ms: 0,
    })
    .unwrap();
    s.run_for(10_000);
    s.apply(Command::CommitSync {
        consumer: name.into(),
    })
    .unwrap();
    s.run_for(1_000);
}

fn stop(s: &mut Sim, name: &str) {
    s.apply(Command::StopConsumer {
        name: name.into(),
        hard: false,
    })
    .unwrap();
}

fn committed(s: &Sim, tp: &TopicPartition) -> Option<i64> {
    let view = s.group_view("g")?;
    view.offsets.into_iter().find(|o| &o.tp == tp)?.committed
}

#[test]
fn offsets_of_an_active_group_never_expire_and_of_an_empty_one_expire_seven_days_later() {
    let mut s = group_with_commit(Era::Kafka4);
    s.run_for(8 * DAY);
    assert_eq!(
        s.group_view("g").unwrap().offsets[0].committed,
        Some(1),
        "a member is still there"
    );
    s.apply(Command::StopConsumer {
        name: "c".into(),
        hard: false,
    })
    .unwrap();
    s.run_for(6 * DAY);
    assert_eq!(s.group_view("g").unwrap().offsets[0].committed, Some(1));
    s.run_for(DAY + HOUR);
    assert!(
        s.group_view("g").is_none(),
        "offsets expired 7 days after the group emptied; the group is gone"
    );
}

#[test]
fn zookeeper_era_offsets_expire_one_day_after_the_commit() {
    let mut s = group_with_commit(Era::ZooKeeper);
    s.apply(Command::StopConsumer {
        name: "c".into(),
        hard: false,
    })
    .unwrap();
    s.run_for(DAY + HOUR);
    assert!(s.group_view("g").is_none());
}

#[test]
fn offsets_of_an_empty_new_protocol_group_expire_seven_days_after_the_commit() {
    let mut s = one_broker();
    topic(&mut s, "t", &[]);
    produce(&mut s, "t", None, Some("x"));
    consume_and_commit(&mut s, "c", &["t"], &[("group.protocol", "consumer")]);
    let tp = TopicPartition::new("t", 0);
    assert_eq!(committed(&s, &tp), Some(1));
    stop(&mut s, "c");
    s.run_for(6 * DAY);
    assert_eq!(committed(&s, &tp), Some(1));
    s.run_for(DAY + HOUR);
    // ConsumerGroup.offsetExpirationCondition counts from the commit; the empty group without
    // offsets is then deleted, and `kafka-consumer-groups --list` no longer shows it.
    assert!(s.group_view("g").is_none());
    assert!(s.group_ids().is_empty(), "{:?}", s.group_ids());
}

#[test]
fn offsets_reset_by_the_admin_tool_expire_seven_days_after_each_reset() {
    let mut s = one_broker();
    topic(&mut s, "t", &[]);
    let tp = TopicPartition::new("t", 0);
    let reset = |s: &mut Sim, offset: i64| {
        s.apply(Command::SetGroupOffsets {
            group: "g".into(),
            offsets: vec![(tp.clone(), offset)],
        })
        .unwrap();
    };
    reset(&mut s, 0);
    s.run_for(5 * DAY);
    reset(&mut s, 1);
    // A group without a protocol type counts each offset from its own commit, not from when
    // the group was made.
    s.run_for(2 * DAY + HOUR);
    assert_eq!(
        committed(&s, &tp),
        Some(1),
        "reset on day 5 is kept on day 7"
    );
    s.run_for(4 * DAY);
    assert_eq!(committed(&s, &tp), Some(1));
    s.run_for(DAY);
    assert!(s.group_view("g").is_none(), "expired on day 12");
}

#[test]
fn a_stable_group_loses_offsets_of_topics_it_no_longer_subscribes_to() {
    let mut s = one_broker();
    topic(&mut s, "t", &[]);
    topic(&mut s, "u", &[]);
    produce(&mut s, "t", None, Some("x"));
    produce(&mut s, "u", None, Some("x"));
    consume_and_commit(&mut s, "a", &["t", "u"], &[]);
    let (t0, u0) = (TopicPartition::new("t", 0), TopicPartition::new("u", 0));
    assert_eq!((committed(&s, &t0), committed(&s, &u0)), (Some(1), Some(1)));
    // b takes over, subscribed to t only: the group is Stable again without u.
    consume_and_commit(&mut s, "b", &["t"], &[]);
    stop(&mut s, "a");
    s.run_for(MINUTE);
    assert_eq!(s.group_view("g").unwrap().state, "Stable");
    s.run_for(6 * DAY);
    assert_eq!(committed(&s, &u0), Some(1));
    s.run_for(DAY + HOUR);
    assert_eq!(
        committed(&s, &u0),
        None,
        "u's offset expired 7 days after its commit"
    );
    assert_eq!(
        committed(&s, &t0),
        Some(1),
        "t is subscribed: its offset stays"
    );
    assert_eq!(s.group_view("g").unwrap().state, "Stable");
}
