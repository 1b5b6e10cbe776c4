//! The new consumer rebalance protocol (KIP-848, `group.protocol=consumer`) end to end:
//! consumers join one by one and one crashes; no partition ever has two owners, everybody
//! ends Stable with a uniform assignment, and every produced record is consumed.

use kafka_playground::engine::client::Client;
use kafka_playground::engine::consumer::MemberPhase;
use kafka_playground::engine::group::consumer_group::{ConsumerGroupState, MemberState};
use kafka_playground::engine::invariants::Checker;
use kafka_playground::engine::{ClusterSpec, Command, Sim, TopicPartition, WorkloadSpec};
use std::collections::{BTreeMap, BTreeSet};

const RECORDS: u64 = 1_200;

fn world() -> Sim {
    let mut s = Sim::new(
        11,
        ClusterSpec {
            brokers: 3,
            ..ClusterSpec::default()
        },
    )
    .expect("cluster");
    s.apply(Command::CreateTopic {
        name: "t".into(),
        partitions: Some(6),
        replication_factor: Some(3),
        configs: BTreeMap::new(),
        assignment: None,
    })
    .expect("topic");
    s.apply(Command::StartProducer {
        name: "p".into(),
        configs: BTreeMap::new(),
        workload: Some(WorkloadSpec {
            topic: "t".into(),
            records_per_sec: 20,
            keys: Some(50),
            max_records: Some(RECORDS),
        }),
    })
    .expect("producer");
    s
}

fn start(s: &mut Sim, name: &str, extra: &[(&str, &str)]) {
    let mut configs = BTreeMap::from([
        ("group.protocol".to_string(), "consumer".to_string()),
        ("auto.offset.reset".to_string(), "earliest".to_string()),
    ]);
    for (k, v) in extra {
        configs.insert(k.to_string(), v.to_string());
    }
    s.apply(Command::StartConsumer {
        name: name.into(),
        group: Some("g".into()),
        topics: vec!["t".into()],
        assign: Vec::new(),
        start_offsets: BTreeMap::new(),
        configs,
        process_time_ms: 0,
    })
    .expect("consumer");
}

fn consumer<'a>(s: &'a Sim, name: &str) -> &'a kafka_playground::engine::consumer::Consumer {
    match s.client(name) {
        Some(Client::Consumer(x)) => x,
        _ => panic!("no consumer {name}"),
    }
}

/// What the run saw besides the guarantees.
#[derive(Default)]
struct Seen {
    consumed: BTreeSet<(TopicPartition, i64)>,
    /// A member was asked to revoke (the coordinator staged a move).
    unrevoked: bool,
    /// The fewest partitions c1 held once it had some: no stop-the-world means never 0.
    c1_min: Option<usize>,
}

/// Steps the world to `until`, checking every guarantee after each event and collecting
/// what the consumers polled.
fn run(s: &mut Sim, checker: &mut Checker, until: i64, seen: &mut Seen) {
    while s.next_event_time().is_some_and(|t| t <= until) {
        s.step();
        let v = checker.observe(s);
        assert!(v.is_empty(), "at {}: {v:?}", s.now());
        for name in ["c1", "c2", "c3"] {
            for r in s.take_consumed(name) {
                seen.consumed.insert((r.tp, r.record.offset()));
            }
        }
        if let Some(g) = s.consumer_group("g") {
            seen.unrevoked |= g
                .members
                .values()
                .any(|m| m.state == MemberState::UnrevokedPartitions);
        }
        if let Some(Client::Consumer(x)) = s.client("c1") {
            if !x.assignment.is_empty() || seen.c1_min.is_some() {
                let n = x.assignment.len();
                seen.c1_min = Some(seen.c1_min.map_or(n, |m| m.min(n)));
            }
        }
    }
    s.run_until(until);
}

#[test]
fn three_consumers_join_one_crashes_no_double_ownership() {
    let mut s = world();
    let mut checker = Checker::default();
    let mut seen = Seen::default();

    start(&mut s, "c1", &[]);
    run(&mut s, &mut checker, 15_000, &mut seen);
    assert_eq!(consumer(&s, "c1").assignment.len(), 6, "c1 alone owns all");
    let g = s.consumer_group("g").expect("a consumer group");
    assert_eq!(g.state, ConsumerGroupState::Stable);
    assert_eq!(g.assignor.as_deref(), Some("uniform"));

    start(&mut s, "c2", &[]);
    run(&mut s, &mut checker, 30_000, &mut seen);
    start(&mut s, "c3", &[]);
    run(&mut s, &mut checker, 50_000, &mut seen);
    for name in ["c1", "c2", "c3"] {
        let x = consumer(&s, name);
        assert_eq!(x.phase, MemberPhase::Stable, "{name}");
        assert_eq!(x.assignment.len(), 2, "{name}: {:?}", x.assignment);
    }
    assert!(seen.unrevoked, "moves went through UNREVOKED_PARTITIONS");
    assert_eq!(
        seen.c1_min,
        Some(2),
        "c1 kept consuming its other partitions"
    );
    let g = s.consumer_group("g").expect("group");
    assert_eq!(g.state, ConsumerGroupState::Stable);
    assert_eq!(g.members.len(), 3);
    assert!(g.members.values().all(|m| m.member_epoch == g.group_epoch));

    // c2 crashes: no leave heartbeat; its session (45 s) expires, then c1 and c3 share.
    s.apply(Command::StopConsumer {
        name: "c2".into(),
        hard: true,
    })
    .expect("crash");
    run(&mut s, &mut checker, 80_000, &mut seen);
    assert_eq!(
        s.consumer_group("g").expect("group").members.len(),
        3,
        "still a member before the session timeout"
    );
    run(&mut s, &mut checker, 150_000, &mut seen);
    let g = s.consumer_group("g").expect("group");
    assert_eq!(g.members.len(), 2);
    assert_eq!(g.state, ConsumerGroupState::Stable);
    let mut all = BTreeSet::new();
    for name in ["c1", "c3"] {
        let x = consumer(&s, name);
        assert_eq!(x.phase, MemberPhase::Stable, "{name}");
        assert_eq!(x.assignment.len(), 3, "{name}: {:?}", x.assignment);
        all.extend(x.assignment.iter().cloned());
    }
    assert_eq!(all.len(), 6, "every partition owned once");

    // Every produced record was consumed (some twice: c2's uncommitted tail was re-read).
    let view = s.topic("t").expect("topic");
    let mut total = 0;
    for p in &view.partitions {
        let tp = TopicPartition::new("t", p.partition);
        for o in 0..p.high_watermark() {
            assert!(
                seen.consumed.contains(&(tp.clone(), o)),
                "{tp}@{o} never consumed"
            );
        }
        total += p.high_watermark();
    }
    assert_eq!(total as u64, RECORDS);

    let d = s.group_view("g").expect("describe");
    assert_eq!(d.state, "Stable");
    assert_eq!(d.protocol.as_deref(), Some("uniform"));
    assert_eq!(d.members.len(), 2);
}

#[test]
fn a_classic_consumer_cannot_join_a_live_consumer_group() {
    let mut s = world();
    start(&mut s, "c1", &[]);
    s.run_for(10_000);
    s.apply(Command::StartConsumer {
        name: "old".into(),
        group: Some("g".into()),
        topics: vec!["t".into()],
        assign: Vec::new(),
        start_offsets: BTreeMap::new(),
        configs: BTreeMap::new(),
        process_time_ms: 0,
    })
    .expect("classic consumer");
    s.run_for(10_000);
    assert!(s.group("g").is_none(), "no classic group appeared");
    assert_eq!(consumer(&s, "old").assignment.len(), 0);
    assert_eq!(consumer(&s, "c1").assignment.len(), 6);
}

#[test]
fn the_range_assignor_can_be_chosen_by_the_client() {
    let mut s = world();
    start(&mut s, "c1", &[("group.remote.assignor", "range")]);
    start(&mut s, "c2", &[("group.remote.assignor", "range")]);
    s.run_for(30_000);
    let g = s.consumer_group("g").expect("group");
    assert_eq!(g.assignor.as_deref(), Some("range"));
    let mut ranges: Vec<Vec<i32>> = ["c1", "c2"]
        .iter()
        .map(|n| {
            consumer(&s, n)
                .assignment
                .iter()
                .map(|tp| tp.partition)
                .collect()
        })
        .collect();
    ranges.sort();
    assert_eq!(ranges, vec![vec![0, 1, 2], vec![3, 4, 5]]);
}

/// Deleting a topic deletes every group's committed offsets for it (Kafka's coordinator does so
/// for both protocols): a topic created again under the name starts without them.
#[test]
fn a_deleted_topic_takes_the_groups_committed_offsets_with_it() {
    let mut s = world();
    start(&mut s, "c1", &[]);
    s.run_for(20_000);
    let committed = |s: &Sim| {
        s.consumer_group("g").map_or(0, |g| {
            g.offsets.keys().filter(|tp| &*tp.topic == "t").count()
        })
    };
    assert!(committed(&s) > 0, "the consumer committed offsets for t");
    s.apply(Command::StopConsumer {
        name: "c1".into(),
        hard: false,
    })
    .expect("stop");
    s.apply(Command::DeleteTopic { name: "t".into() })
        .expect("delete");
    assert_eq!(committed(&s), 0);
}
