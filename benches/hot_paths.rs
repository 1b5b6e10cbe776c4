//! The engine's hot paths under criterion: log append and read, murmur2, each assignor at a
//! moderate size, and 100 simulated ms of a busy cluster. Sample sizes are small so the whole
//! run takes a couple of minutes; `kafka-playground bench` has the full-size workloads.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use kafka_playground::engine::group::assignors::{assign, AssignorName, MemberSubscription};
use kafka_playground::engine::log::{Log, LogConfig, NewRecord};
use kafka_playground::engine::producer::partitioner::{murmur2, partition_for_key};
use kafka_playground::engine::{ClusterSpec, Command, Sim, TopicPartition, WorkloadSpec};
use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Duration;

const NOW: i64 = kafka_playground::engine::time::EPOCH_MS;

fn batch(start: usize, n: usize) -> Vec<NewRecord> {
    (start..start + n)
        .map(|i| {
            NewRecord::text(
                NOW,
                Some(&format!("key-{}", i % 1000)),
                Some(&format!("value-{i:08}")),
            )
        })
        .collect()
}

fn filled_log(records: usize) -> Log {
    let mut log = Log::new(TopicPartition::new("t", 0), NOW);
    let config = LogConfig::default();
    for start in (0..records).step_by(100) {
        if let Err(e) = log.append(batch(start, 100), NOW, &config) {
            panic!("bench setup append failed: {e}");
        }
    }
    log
}

fn log_paths(c: &mut Criterion) {
    let config = LogConfig::default();
    let mut g = c.benchmark_group("log");
    g.bench_function("append_batch_of_100", |b| {
        b.iter_batched(
            || (Log::new(TopicPartition::new("t", 0), NOW), batch(0, 100)),
            |(mut log, records)| black_box(log.append(records, NOW, &config).is_ok()),
            BatchSize::SmallInput,
        )
    });
    let leader = filled_log(100_000);
    g.bench_function("read_500_from_100k", |b| {
        b.iter(|| {
            black_box(
                leader
                    .read(black_box(50_000), 1 << 20, true, leader.log_end_offset())
                    .map(|r| r.records.len()),
            )
        })
    });
    let fetched = leader
        .read(0, i64::MAX, true, 100)
        .unwrap_or_default()
        .records;
    g.bench_function("follower_append_100", |b| {
        b.iter_batched(
            || (Log::new(TopicPartition::new("t", 0), NOW), fetched.clone()),
            |(mut f, records)| black_box(f.append_owned_as_follower(records, NOW, &config).is_ok()),
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

fn partitioner(c: &mut Criterion) {
    let key = b"key-123456";
    c.bench_function("murmur2_10_bytes", |b| b.iter(|| murmur2(black_box(key))));
    c.bench_function("partition_for_key_12", |b| {
        b.iter(|| partition_for_key(black_box(key), 12))
    });
}

fn assignors(c: &mut Criterion) {
    // 100 members over 50 topics × 100 partitions (5,000 partitions), then one leaves.
    let topics: Vec<String> = (0..50).map(|t| format!("topic-{t:02}")).collect();
    let counts: BTreeMap<String, u32> = topics.iter().map(|t| (t.clone(), 100)).collect();
    let members: Vec<MemberSubscription> = (0..100)
        .map(|m| MemberSubscription {
            member_id: format!("member-{m:03}"),
            topics: topics.clone(),
            ..MemberSubscription::default()
        })
        .collect();
    let mut g = c.benchmark_group("assign_100x5000");
    for name in [
        AssignorName::Range,
        AssignorName::RoundRobin,
        AssignorName::Sticky,
        AssignorName::CooperativeSticky,
        AssignorName::Uniform,
        AssignorName::ServerRange,
    ] {
        let label = format!("{name:?}");
        g.bench_function(format!("{label}/initial"), |b| {
            b.iter(|| assign(name, &counts, black_box(&members)).map(|a| a.len()))
        });
        let first = assign(name, &counts, &members).unwrap_or_default();
        let rejoin: Vec<MemberSubscription> = members[1..]
            .iter()
            .map(|m| MemberSubscription {
                owned: first.get(&m.member_id).cloned().unwrap_or_default(),
                generation: Some(1),
                ..m.clone()
            })
            .collect();
        g.bench_function(format!("{label}/member_left"), |b| {
            b.iter(|| assign(name, &counts, black_box(&rejoin)).map(|a| a.len()))
        });
    }
    g.finish();
}

fn busy_cluster() -> Sim {
    let mut sim = match Sim::new(7, ClusterSpec::default()) {
        Ok(s) => s,
        Err(e) => panic!("bench cluster: {e}"),
    };
    let ok = |r: Result<_, kafka_playground::engine::KafkaError>| {
        if let Err(e) = r {
            panic!("bench setup: {e}");
        }
    };
    ok(sim.apply(Command::CreateTopic {
        name: "t".into(),
        partitions: Some(12),
        replication_factor: Some(3),
        configs: BTreeMap::new(),
        assignment: None,
    }));
    for i in 0..4 {
        ok(sim.apply(Command::StartConsumer {
            name: format!("c{i}"),
            group: Some("g".into()),
            topics: vec!["t".into()],
            assign: Vec::new(),
            start_offsets: BTreeMap::new(),
            configs: BTreeMap::new(),
            process_time_ms: 0,
        }));
        ok(sim.apply(Command::StartProducer {
            name: format!("p{i}"),
            configs: [("acks".to_string(), "all".to_string())].into(),
            workload: Some(WorkloadSpec {
                topic: "t".into(),
                records_per_sec: 1_000_000,
                keys: Some(10_000),
                max_records: None,
            }),
        }));
    }
    sim.run_for(10_000);
    sim
}

fn engine(c: &mut Criterion) {
    let warm = busy_cluster();
    c.bench_function("engine_100_simulated_ms_12_partitions", |b| {
        b.iter_batched(
            || warm.clone(),
            |mut sim| {
                sim.run_for(100);
                black_box(sim.now())
            },
            BatchSize::LargeInput,
        )
    });
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
}

criterion_group! {
    name = benches;
    config = config();
    targets = log_paths, partitioner, assignors, engine
}
criterion_main!(benches);
