//! Longer seeded scenarios: many producers and groups over simulated hours, with rebalances,
//! segment rolling and retention; the same seed gives the same trace.

use kafka_playground::engine::{ClusterSpec, Command, Sim, TopicPartition, WorkloadSpec};
use std::collections::{BTreeMap, BTreeSet};

fn consumer(name: &str, group: &str, topic: &str, strategy: Option<&str>) -> Command {
    let mut configs = BTreeMap::from([("auto.offset.reset".to_string(), "earliest".to_string())]);
    if let Some(s) = strategy {
        configs.insert("partition.assignment.strategy".into(), s.into());
    }
    Command::StartConsumer {
        name: name.into(),
        group: Some(group.into()),
        topics: vec![topic.into()],
        assign: Vec::new(),
        start_offsets: BTreeMap::new(),
        configs,
        process_time_ms: 0,
    }
}

/// The engine-core issue's acceptance scenario: 3 producers, a 6-partition topic, groups of 4 and
/// 8 members, one simulated hour with members leaving and joining, segment rolling and retention.
fn hour_scenario(seed: u64) -> Sim {
    let mut s = Sim::new(seed, ClusterSpec::default()).expect("cluster");
    let topic_configs = BTreeMap::from([
        ("segment.ms".to_string(), "60000".to_string()),
        ("retention.ms".to_string(), "600000".to_string()),
    ]);
    s.apply(Command::CreateTopic {
        name: "events".into(),
        partitions: Some(6),
        replication_factor: Some(3),
        configs: topic_configs,
        assignment: None,
    })
    .expect("topic");
    for (i, keys) in [Some(20), None, Some(3)].into_iter().enumerate() {
        s.apply(Command::StartProducer {
            name: format!("p{i}"),
            configs: BTreeMap::new(),
            workload: Some(WorkloadSpec {
                topic: "events".into(),
                records_per_sec: 5,
                keys,
                max_records: None,
            }),
        })
        .expect("producer");
    }
    for i in 0..4 {
        s.apply(consumer(&format!("a{i}"), "analytics", "events", None))
            .expect("consumer");
    }
    for i in 0..8 {
        s.apply(consumer(
            &format!("b{i}"),
            "billing",
            "events",
            Some("org.apache.kafka.clients.consumer.CooperativeStickyAssignor"),
        ))
        .expect("consumer");
    }
    s.run_for(10 * 60_000);
    // Rebalances: a member leaves cleanly, one crashes, one joins.
    s.apply(Command::StopConsumer {
        name: "a3".into(),
        hard: false,
    })
    .unwrap();
    s.apply(Command::StopConsumer {
        name: "b7".into(),
        hard: true,
    })
    .unwrap();
    s.run_for(10 * 60_000);
    s.apply(consumer("a4", "analytics", "events", None))
        .unwrap();
    s.run_for(40 * 60_000);
    s
}

fn owners_are_unique(s: &Sim, group: &str) {
    let g = s.group_view(group).expect("group");
    let mut seen = BTreeSet::new();
    for m in &g.members {
        for tp in &m.assignment {
            assert!(seen.insert(tp.clone()), "{tp} owned twice in {group}");
        }
    }
}

#[test]
fn an_hour_with_two_groups_rebalances_and_retention() {
    let s = hour_scenario(11);
    assert_eq!(s.now(), 3_600_000);

    let analytics = s.group_view("analytics").unwrap();
    assert_eq!(analytics.state, "Stable");
    assert_eq!(analytics.members.len(), 4);
    assert!(
        analytics.generation >= 3,
        "joined, left, joined again: generation {}",
        analytics.generation
    );
    assert!(
        analytics.members.iter().all(|m| !m.assignment.is_empty()),
        "6 partitions over 4 members: none idle"
    );
    owners_are_unique(&s, "analytics");

    let billing = s.group_view("billing").unwrap();
    assert_eq!(billing.state, "Stable");
    assert_eq!(
        billing.members.len(),
        7,
        "the crashed member is gone after its session timeout"
    );
    let idle = billing
        .members
        .iter()
        .filter(|m| m.assignment.is_empty())
        .count();
    assert_eq!(idle, 1, "7 members, 6 partitions: one idle");
    owners_are_unique(&s, "billing");

    // Both groups read everything: lag is small everywhere.
    for g in [&analytics, &billing] {
        for o in &g.offsets {
            assert!(
                o.lag.is_some_and(|l| l < 100),
                "{}: lag {:?} on {}",
                g.group_id,
                o.lag,
                o.tp
            );
        }
    }

    // Retention (10 minutes, segments of 1 minute) removed old segments: the log start moved.
    let topic = s.topic("events").unwrap();
    for p in &topic.partitions {
        let leader = p.leader_state().unwrap();
        assert!(
            leader.log_start_offset > 0,
            "partition {} kept everything",
            p.partition
        );
        // Checks run 30 s after start, then every 5 minutes (the last at 55m30s): 10 minutes
        // of retained segments, up to 5 more since that check, and the active one.
        assert!(
            leader.segments.len() <= 16,
            "at most 16 one-minute segments survive: {}",
            leader.segments.len()
        );
        for r in &p.replica_states {
            assert_eq!(
                r.log_start_offset, leader.log_start_offset,
                "replicas retain alike"
            );
        }
    }
}

#[test]
fn an_hour_is_deterministic() {
    let a = hour_scenario(5);
    let b = hour_scenario(5);
    assert_eq!(a.trace_hash(), b.trace_hash());
    assert_eq!(a.trace().count(), b.trace().count());
    let tp = TopicPartition::new("events", 0);
    assert_eq!(a.high_watermark(&tp), b.high_watermark(&tp));
}

/// The inspector's record list (`Sim::replica_tail`) on the default scenario.
#[test]
fn replica_tail_returns_the_newest_records_of_that_replica() {
    let mut sim = kafka_playground::scenario::default_scenario()
        .build()
        .expect("builds");
    sim.run_for(20_000);
    let tp = TopicPartition::new("orders", 0);
    let view = sim.topic("orders").expect("topic");
    let p = &view.partitions[0];
    let leader = p.leader.expect("a leader");
    let leo = p.leader_state().expect("leader state").log_end_offset;
    assert!(leo > 5, "the producer wrote to orders-0 (LEO {leo})");
    let tail = sim.replica_tail(leader, &tp, 5);
    let offsets: Vec<i64> = tail.iter().map(|r| r.offset()).collect();
    assert_eq!(offsets, ((leo - 5)..leo).collect::<Vec<_>>());
    assert!(sim.replica_tail(99, &tp, 5).is_empty(), "no such broker");
    assert!(sim
        .replica_tail(leader, &TopicPartition::new("nope", 0), 5)
        .is_empty());
}
