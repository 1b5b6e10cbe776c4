//! Property test: random command schedules keep every invariant the engine promises (offsets
//! strictly increase, watermarks ordered and monotonic, one owner per partition per group,
//! committed offsets at or below the high watermark).

use kafka_playground::engine::invariants::Checker;
use kafka_playground::engine::{ClusterSpec, Command, Sim, TopicPartition};
use proptest::prelude::*;
use std::collections::BTreeMap;

const TOPICS: [(&str, i32, i16); 2] = [("a", 3, 3), ("b", 1, 1)];
const STRATEGIES: [&str; 4] = [
    "org.apache.kafka.clients.consumer.RangeAssignor",
    "org.apache.kafka.clients.consumer.RoundRobinAssignor",
    "org.apache.kafka.clients.consumer.StickyAssignor",
    "org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
];

#[derive(Clone, Debug)]
enum Op {
    Produce {
        topic: usize,
        key: Option<u8>,
        count: u8,
    },
    StartConsumer {
        group: u8,
        topic: usize,
        strategy: usize,
    },
    StopConsumer {
        index: u8,
        hard: bool,
    },
    Commit {
        index: u8,
    },
    Advance {
        ms: u32,
    },
    Retention {
        topic: usize,
        ms: u32,
    },
    DeleteRecords {
        topic: usize,
        partition: u8,
        back: u8,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..2usize, proptest::option::of(0..8u8), 1..20u8).prop_map(|(topic, key, count)| Op::Produce { topic, key, count }),
        2 => (0..2u8, 0..2usize, 0..4usize).prop_map(|(group, topic, strategy)| Op::StartConsumer { group, topic, strategy }),
        1 => (0..8u8, any::<bool>()).prop_map(|(index, hard)| Op::StopConsumer { index, hard }),
        1 => (0..8u8).prop_map(|index| Op::Commit { index }),
        3 => (100..20_000u32).prop_map(|ms| Op::Advance { ms }),
        1 => (0..2usize, 1_000..60_000u32).prop_map(|(topic, ms)| Op::Retention { topic, ms }),
        1 => (0..2usize, 0..3u8, 0..5u8).prop_map(|(topic, partition, back)| Op::DeleteRecords { topic, partition, back }),
    ]
}

fn setup(seed: u64) -> Sim {
    let mut s = Sim::new(seed, ClusterSpec::default()).unwrap();
    for (name, partitions, rf) in TOPICS {
        // Tiny segments (a playground relaxation) so that retention deletes some.
        let configs = BTreeMap::from([("segment.bytes".to_string(), "300".to_string())]);
        s.apply(Command::CreateTopic {
            name: name.into(),
            partitions: Some(partitions),
            replication_factor: Some(rf),
            configs,
            assignment: None,
        })
        .unwrap();
    }
    s
}

/// Runs `ms` of simulated time, checking every guarantee each 500 ms.
fn run_checked(s: &mut Sim, checker: &mut Checker, ms: i64) -> Result<(), TestCaseError> {
    let end = s.now() + ms;
    while s.now() < end {
        s.run_until((s.now() + 500).min(end));
        let v = checker.observe(s);
        prop_assert!(v.is_empty(), "violations at {}: {:?}", s.now(), v);
    }
    Ok(())
}

fn apply(s: &mut Sim, consumers: &mut Vec<String>, n: &mut u32, op: &Op) {
    // Commands may be rejected (that is part of the test: a rejection must change nothing).
    match op {
        Op::Produce { topic, key, count } => {
            for i in 0..*count {
                let _ = s.apply(Command::Produce {
                    producer: "p".into(),
                    topic: TOPICS[*topic].0.into(),
                    partition: None,
                    key: key.map(|k| format!("k{k}")),
                    value: Some(format!("v{i}")),
                    timestamp: None,
                });
            }
        }
        Op::StartConsumer {
            group,
            topic,
            strategy,
        } => {
            *n += 1;
            let name = format!("c{n}");
            let configs = BTreeMap::from([
                (
                    "partition.assignment.strategy".to_string(),
                    STRATEGIES[*strategy].to_string(),
                ),
                ("auto.offset.reset".to_string(), "earliest".to_string()),
            ]);
            let ok = s.apply(Command::StartConsumer {
                name: name.clone(),
                group: Some(format!("g{group}-{strategy}")),
                topics: vec![TOPICS[*topic].0.into()],
                assign: Vec::new(),
                start_offsets: BTreeMap::new(),
                configs,
                process_time_ms: 0,
            });
            if ok.is_ok() {
                consumers.push(name);
            }
        }
        Op::StopConsumer { index, hard } => {
            if !consumers.is_empty() {
                let name = consumers.remove(*index as usize % consumers.len());
                let _ = s.apply(Command::StopConsumer { name, hard: *hard });
            }
        }
        Op::Commit { index } => {
            if !consumers.is_empty() {
                let name = consumers[*index as usize % consumers.len()].clone();
                let _ = s.apply(Command::CommitSync { consumer: name });
            }
        }
        Op::Advance { .. } => {}
        Op::Retention { topic, ms } => {
            let _ = s.apply(Command::AlterTopicConfig {
                topic: TOPICS[*topic].0.into(),
                set: BTreeMap::from([("retention.ms".to_string(), ms.to_string())]),
                delete: Vec::new(),
            });
        }
        Op::DeleteRecords {
            topic,
            partition,
            back,
        } => {
            let (name, partitions, _) = TOPICS[*topic];
            let tp = TopicPartition::new(name, *partition as i32 % partitions);
            if let Some(hw) = s.high_watermark(&tp) {
                let _ = s.apply(Command::DeleteRecords {
                    tp,
                    offset: (hw - *back as i64).max(0),
                });
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn random_schedules_keep_every_invariant(seed in 0..1000u64, ops in proptest::collection::vec(op(), 5..25)) {
        let mut s = setup(seed);
        let mut checker = Checker::default();
        let mut consumers = Vec::new();
        let mut n = 0;
        for op in &ops {
            apply(&mut s, &mut consumers, &mut n, op);
            let ms = match op { Op::Advance { ms } => *ms as i64, _ => 200 };
            run_checked(&mut s, &mut checker, ms)?;
        }
        // Let everything settle: groups stabilise, consumers catch up.
        run_checked(&mut s, &mut checker, 60_000)?;
    }
}
