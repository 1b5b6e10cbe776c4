//! Whole-engine scenarios: topics, producers, consumer groups, offsets, determinism.

use kafka_playground::engine::faults::NetworkFault;
use kafka_playground::engine::network::NodeId;
use kafka_playground::engine::protocol::ApiKey;
use kafka_playground::engine::trace::TraceEvent;
use kafka_playground::engine::{ClusterSpec, Command, Sim, TopicPartition, WorkloadSpec};
use std::collections::{BTreeMap, BTreeSet};

mod common;
use common::{await_producer_id, create_topic, sim};

fn start_producer(s: &mut Sim, name: &str, topic: &str, rate: u32, keys: Option<u32>) {
    s.apply(Command::StartProducer {
        name: name.into(),
        configs: BTreeMap::new(),
        workload: Some(WorkloadSpec {
            topic: topic.into(),
            records_per_sec: rate,
            keys,
            max_records: None,
        }),
    })
    .expect("producer");
}

fn start_consumer(s: &mut Sim, name: &str, group: &str, topic: &str) {
    s.apply(Command::StartConsumer {
        name: name.into(),
        group: Some(group.into()),
        topics: vec![topic.into()],
        assign: Vec::new(),
        start_offsets: BTreeMap::new(),
        configs: BTreeMap::from([("auto.offset.reset".to_string(), "earliest".to_string())]),
        process_time_ms: 0,
    })
    .expect("consumer");
}

#[test]
fn records_flow_from_producer_through_replicas_to_a_group() {
    let mut s = sim(3);
    create_topic(&mut s, "orders", 3, 3);
    start_producer(&mut s, "p1", "orders", 50, Some(10));
    start_consumer(&mut s, "c1", "g1", "orders");
    start_consumer(&mut s, "c2", "g1", "orders");
    s.run_for(20_000);

    let topic = s.topic("orders").expect("topic");
    let total_hw: i64 = topic.partitions.iter().map(|p| p.high_watermark()).sum();
    assert!(
        total_hw > 500,
        "about 50 records/s for 20 s were written, hw sum {total_hw}"
    );
    // Followers replicated everything the leader committed.
    for p in &topic.partitions {
        let leader_leo = p.leader_state().unwrap().log_end_offset;
        for r in &p.replica_states {
            assert!(
                r.log_end_offset >= p.high_watermark(),
                "replica {} behind HW",
                r.broker
            );
            assert!(r.log_end_offset <= leader_leo);
        }
        assert_eq!(p.isr.len(), 3);
    }

    let g = s.group_view("g1").expect("group");
    assert_eq!(g.state, "Stable");
    assert_eq!(g.members.len(), 2);
    let owned: Vec<TopicPartition> = g
        .members
        .iter()
        .flat_map(|m| m.assignment.clone())
        .collect();
    let unique: BTreeSet<_> = owned.iter().cloned().collect();
    assert_eq!(owned.len(), 3, "every partition owned once");
    assert_eq!(unique.len(), 3);
    // Auto-commit keeps lag small: within a few seconds of production.
    for o in &g.offsets {
        let lag = o.lag.expect("committed");
        assert!(lag <= 60 * 5, "lag {lag} on {}", o.tp);
    }
}

#[test]
fn same_key_same_partition() {
    let mut s = sim(1);
    create_topic(&mut s, "t", 6, 1);
    for i in 0..20 {
        let out = s
            .apply(Command::Produce {
                producer: "console".into(),
                topic: "t".into(),
                partition: None,
                key: Some("user-42".into()),
                value: Some(format!("v{i}")),
                timestamp: None,
            })
            .unwrap();
        // murmur2("user-42") & 0x7fffffff % 6 = 4 (kafka-spec §1.2)
        assert_eq!(
            out,
            kafka_playground::engine::Outcome::Produced {
                tp: TopicPartition::new("t", 4)
            }
        );
    }
    s.run_for(1_000);
    assert_eq!(s.high_watermark(&TopicPartition::new("t", 4)), Some(20));
}

/// Kafka's uniform sticky partitioner (KIP-794) counts the bytes each record adds to its batch,
/// and a record that opens a batch adds the batch's 61-byte header too. At 5 records/s each
/// record is a batch of its own (`linger.ms` 5), so the producer moves to another partition
/// after ~2 × 16 KiB of ~90-byte batches, a few hundred records; counting the records alone
/// it stayed on one partition for over a thousand.
#[test]
fn key_less_records_at_a_low_rate_move_on_after_a_few_hundred() {
    let mut s = sim(1);
    create_topic(&mut s, "t", 3, 1);
    start_producer(&mut s, "p", "t", 5, None);
    s.run_for(240_000);
    let counts: Vec<i64> = (0..3)
        .map(|p| s.high_watermark(&TopicPartition::new("t", p)).unwrap_or(0))
        .collect();
    assert!(counts.iter().sum::<i64>() >= 1_150, "{counts:?}");
    assert!(
        counts.iter().filter(|n| **n > 0).count() >= 2,
        "1,200 records on one partition: {counts:?}"
    );
}

#[test]
fn more_consumers_than_partitions_leaves_some_idle() {
    let mut s = sim(3);
    create_topic(&mut s, "t", 2, 1);
    for i in 0..4 {
        start_consumer(&mut s, &format!("c{i}"), "g", "t");
    }
    s.run_for(15_000);
    let g = s.group_view("g").unwrap();
    assert_eq!(g.state, "Stable");
    assert_eq!(g.members.len(), 4);
    let idle = g.members.iter().filter(|m| m.assignment.is_empty()).count();
    assert_eq!(idle, 2);
}

#[test]
fn leaving_member_triggers_rebalance() {
    let mut s = sim(3);
    create_topic(&mut s, "t", 4, 1);
    start_consumer(&mut s, "a", "g", "t");
    start_consumer(&mut s, "b", "g", "t");
    s.run_for(10_000);
    let gen1 = s.group_view("g").unwrap().generation;
    s.apply(Command::StopConsumer {
        name: "b".into(),
        hard: false,
    })
    .unwrap();
    s.run_for(5_000);
    let g = s.group_view("g").unwrap();
    assert!(g.generation > gen1);
    assert_eq!(g.members.len(), 1);
    assert_eq!(g.members[0].assignment.len(), 4);
    let reason = last_rebalance_reason(&s);
    assert!(
        reason.starts_with("explicit `LeaveGroup` request for (b-")
            && reason.ends_with(") members."),
        "{reason}"
    );
}

/// The reason the coordinator gave for `s`'s latest rebalance.
fn last_rebalance_reason(s: &Sim) -> String {
    s.trace()
        .recent()
        .rev()
        .find_map(|(_, _, e)| match e {
            TraceEvent::GroupState { to, reason, .. } if to == "PreparingRebalance" => {
                reason.clone()
            }
            _ => None,
        })
        .unwrap_or_default()
}

#[test]
fn crashed_member_is_removed_after_session_timeout() {
    let mut s = sim(3);
    create_topic(&mut s, "t", 2, 1);
    start_consumer(&mut s, "a", "g", "t");
    start_consumer(&mut s, "b", "g", "t");
    s.run_for(10_000);
    s.apply(Command::StopConsumer {
        name: "b".into(),
        hard: true,
    })
    .unwrap();
    s.run_for(30_000);
    assert_eq!(
        s.group_view("g").unwrap().members.len(),
        2,
        "45 s session timeout not yet over"
    );
    s.run_for(30_000);
    let g = s.group_view("g").unwrap();
    assert_eq!(g.members.len(), 1);
    assert_eq!(g.state, "Stable");
}

#[test]
fn same_seed_same_trace() {
    let run = |seed| {
        let mut s = Sim::new(seed, ClusterSpec::default()).unwrap();
        create_topic(&mut s, "t", 6, 3);
        start_producer(&mut s, "p", "t", 20, None);
        start_consumer(&mut s, "c1", "g", "t");
        start_consumer(&mut s, "c2", "g", "t");
        s.run_for(60_000);
        s.trace_hash()
    };
    assert_eq!(run(1), run(1));
    assert_ne!(run(1), run(2));
}

#[test]
fn minimal_cluster_builds() {
    let s = Sim::minimal();
    assert_eq!(s.brokers().len(), 1);
}

#[test]
fn assigned_consumer_reads_from_a_given_offset() {
    let mut s = sim(1);
    create_topic(&mut s, "t", 1, 1);
    for i in 0..10 {
        s.apply(Command::Produce {
            producer: "p".into(),
            topic: "t".into(),
            partition: Some(0),
            key: None,
            value: Some(format!("v{i}")),
            timestamp: None,
        })
        .unwrap();
    }
    s.run_for(1_000);
    let tp = TopicPartition::new("t", 0);
    s.apply(Command::StartConsumer {
        name: "reader".into(),
        group: None,
        topics: Vec::new(),
        assign: vec![tp.clone()],
        start_offsets: BTreeMap::from([(tp, 5)]),
        configs: BTreeMap::new(),
        process_time_ms: 0,
    })
    .unwrap();
    s.run_for(1_000);
    let read: Vec<i64> = s
        .take_consumed("reader")
        .iter()
        .map(|c| c.record.offset())
        .collect();
    assert_eq!(read, vec![5, 6, 7, 8, 9]);
}

#[test]
fn member_ids_start_with_the_client_id() {
    let mut s = sim(1);
    create_topic(&mut s, "t", 1, 1);
    start_consumer(&mut s, "c1", "g", "t");
    s.run_for(5_000);
    let g = s.group_view("g").unwrap();
    let m = &g.members[0];
    assert_eq!(m.client_id, "c1");
    assert!(m.member_id.starts_with("c1-"), "{}", m.member_id);
    assert_eq!(m.member_id.len(), "c1-".len() + 36);
}

fn start_consumer_with(s: &mut Sim, name: &str, group: &str, topic: &str, extra: &[(&str, &str)]) {
    start_consumer_on(s, name, group, &[topic], extra);
}

fn start_consumer_on(
    s: &mut Sim,
    name: &str,
    group: &str,
    topics: &[&str],
    extra: &[(&str, &str)],
) {
    let mut configs = BTreeMap::from([("auto.offset.reset".to_string(), "earliest".to_string())]);
    for (k, v) in extra {
        configs.insert(k.to_string(), v.to_string());
    }
    s.apply(Command::StartConsumer {
        name: name.into(),
        group: Some(group.into()),
        topics: topics.iter().map(|t| t.to_string()).collect(),
        assign: Vec::new(),
        start_offsets: BTreeMap::new(),
        configs,
        process_time_ms: 0,
    })
    .expect("consumer");
}

fn assignment_of(s: &Sim, name: &str) -> Vec<TopicPartition> {
    s.client_views()
        .into_iter()
        .find(|c| c.name == name)
        .map(|c| c.assignment)
        .unwrap_or_default()
}

#[test]
fn static_member_restart_gets_its_partitions_back_without_a_rebalance() {
    let mut s = sim(3);
    create_topic(&mut s, "t", 4, 1);
    start_consumer_with(
        &mut s,
        "a",
        "g",
        "t",
        &[("group.instance.id", "instance-a")],
    );
    start_consumer_with(
        &mut s,
        "b",
        "g",
        "t",
        &[("group.instance.id", "instance-b")],
    );
    s.run_for(10_000);
    let before = s.group_view("g").unwrap();
    let a_parts = assignment_of(&s, "a");
    assert_eq!(a_parts.len(), 2);
    // A clean close of a static member sends no LeaveGroup: the group stays as it was.
    s.apply(Command::StopConsumer {
        name: "a".into(),
        hard: false,
    })
    .unwrap();
    s.run_for(5_000);
    assert_eq!(s.group_view("g").unwrap().members.len(), 2);
    start_consumer_with(
        &mut s,
        "a-restarted",
        "g",
        "t",
        &[("group.instance.id", "instance-a")],
    );
    s.run_for(5_000);
    let after = s.group_view("g").unwrap();
    assert_eq!(after.generation, before.generation, "no rebalance");
    assert_eq!(after.state, "Stable");
    assert_eq!(assignment_of(&s, "a-restarted"), a_parts);
}

/// Eager members give up everything while the group rebalances; cooperative ones keep what
/// they will keep (KIP-429).
#[test]
fn cooperative_members_keep_partitions_during_a_rebalance_eager_ones_do_not() {
    let min_held = |strategy: &str| {
        let mut s = sim(3);
        create_topic(&mut s, "t", 4, 1);
        let extra = [("partition.assignment.strategy", strategy)];
        start_consumer_with(&mut s, "a", "g", "t", &extra);
        start_consumer_with(&mut s, "b", "g", "t", &extra);
        s.run_for(10_000);
        assert_eq!(assignment_of(&s, "a").len(), 2);
        start_consumer_with(&mut s, "c", "g", "t", &extra);
        // Watch after every event, so no gap is missed.
        let mut min = usize::MAX;
        let end = s.now() + 10_000;
        while s.now() < end && s.step() {
            min = min.min(assignment_of(&s, "a").len());
        }
        let g = s.group_view("g").unwrap();
        assert_eq!(g.state, "Stable");
        let total: usize = ["a", "b", "c"]
            .iter()
            .map(|n| assignment_of(&s, n).len())
            .sum();
        assert_eq!(
            total, 4,
            "{strategy}: all partitions owned after the rebalance"
        );
        min
    };
    assert_eq!(
        min_held("org.apache.kafka.clients.consumer.RangeAssignor"),
        0
    );
    assert!(min_held("org.apache.kafka.clients.consumer.CooperativeStickyAssignor") >= 1);
}

fn sent_and_acked(s: &Sim, name: &str) -> (u64, u64) {
    s.client_views()
        .iter()
        .find(|v| v.name == name)
        .map_or((0, 0), |v| (v.sent, v.acked))
}

#[test]
fn a_producer_keeps_its_rate_below_and_above_one_record_per_millisecond() {
    // 300/s does not divide a second into whole milliseconds; 5,000/s is five records a ms.
    for rate in [300u32, 5_000, 250_000] {
        let mut s = sim(1);
        create_topic(&mut s, "t", 3, 1);
        let start = s.now();
        start_producer(&mut s, "p", "t", rate, Some(100));
        s.run_until(start + 2_000);
        let (sent, _) = sent_and_acked(&s, "p");
        // Record n is due at n * 1000 / rate ms: 2 s hold 2 × rate of them, plus the ones due
        // in the last millisecond.
        let expected = 2 * u64::from(rate);
        assert!(
            (expected..=expected + u64::from(rate) / 1000 + 1).contains(&sent),
            "{rate}/s for 2 s sent {sent}"
        );
    }
}

#[test]
fn a_full_buffer_blocks_the_workload_until_acks_free_it() {
    let mut s = sim(1);
    create_topic(&mut s, "t", 1, 1);
    s.apply(Command::StartProducer {
        name: "p".into(),
        // Room for four 16 KiB batches.
        configs: BTreeMap::from([("buffer.memory".to_string(), "65536".to_string())]),
        workload: Some(WorkloadSpec {
            topic: "t".into(),
            records_per_sec: 1_000,
            keys: None,
            max_records: None,
        }),
    })
    .expect("producer");
    s.run_for(2_000);
    let (before, _) = sent_and_acked(&s, "p");
    s.apply(Command::StopBroker { id: 0, hard: true })
        .expect("stop");
    s.run_for(20_000);
    let (during, _) = sent_and_acked(&s, "p");
    // Without a leader nothing is acknowledged: send() blocks once four batches are held,
    // instead of buffering 20 s of records.
    assert!(
        during - before < 2_500,
        "{} records buffered while the broker was down",
        during - before
    );
    s.apply(Command::StartBroker { id: 0 }).expect("start");
    s.run_for(30_000);
    let (sent, acked) = sent_and_acked(&s, "p");
    // The blocked loop catches up once acks free the buffer: 52 s at 1,000/s.
    assert!(sent >= 51_000, "sent {sent} after the broker came back");
    assert!(acked + 2_500 >= sent, "acked {acked} of {sent}");
}

/// `kafka-topics --alter --partitions total`.
fn add_partitions(s: &mut Sim, topic: &str, total: i32) {
    s.apply(Command::AddPartitions {
        topic: topic.into(),
        total,
    })
    .expect("alter");
}

/// Records below the high watermarks of `topic`'s `partitions`.
fn records_in(s: &Sim, topic: &str, partitions: std::ops::Range<i32>) -> i64 {
    partitions
        .filter_map(|p| s.high_watermark(&TopicPartition::new(topic, p)))
        .sum()
}

fn owned_by_group(s: &Sim, names: &[&str]) -> BTreeSet<TopicPartition> {
    names.iter().flat_map(|n| assignment_of(s, n)).collect()
}

/// Kafka's group leader compares its metadata with what it last assigned from at every refresh
/// (`metadata.max.age.ms`, 5 minutes): added partitions get consumers then, not at once.
#[test]
fn added_partitions_get_consumers_at_the_leaders_next_metadata_refresh() {
    let mut s = sim(3);
    create_topic(&mut s, "t", 2, 1);
    start_consumer(&mut s, "a", "g", "t");
    start_consumer(&mut s, "b", "g", "t");
    s.run_for(10_000);
    assert_eq!(owned_by_group(&s, &["a", "b"]).len(), 2);
    add_partitions(&mut s, "t", 4);
    s.run_for(60_000);
    assert_eq!(
        owned_by_group(&s, &["a", "b"]).len(),
        2,
        "not before the metadata is refreshed"
    );
    s.run_for(300_000);
    let owned = owned_by_group(&s, &["a", "b"]);
    assert_eq!(owned.len(), 4, "{owned:?}");
    assert_eq!(assignment_of(&s, "a").len(), 2);
    assert_eq!(s.group_view("g").unwrap().state, "Stable");
    // The coordinator says why, with the leader's own reason (KIP-800).
    let reason = last_rebalance_reason(&s);
    assert!(reason.starts_with("Leader a-"), "{reason}");
    assert!(
        reason.ends_with(
            " re-joining group during Stable; client reason: cached metadata has changed"
        ),
        "{reason}"
    );
}

/// A partition without a leader makes the consumer refresh its metadata at once, and it
/// rejoins. Its commit before rejoining (`onJoinPrepare`) includes the deleted topic's
/// partition, which the broker answers UNKNOWN_TOPIC_OR_PARTITION, a retriable error: Kafka
/// 4.0's classic consumer retries it until the rebalance timeout (`max.poll.interval.ms`,
/// 5 minutes; KAFKA-16235) before it joins. Then the deleted topic's partitions are given up
/// (eager and cooperative), and no offsets were committed for them.
#[test]
fn a_deleted_topics_partitions_are_given_up_and_not_committed_again() {
    for strategy in ["RangeAssignor", "CooperativeStickyAssignor"] {
        let mut s = sim(3);
        create_topic(&mut s, "t", 1, 1);
        create_topic(&mut s, "u", 1, 1);
        start_producer(&mut s, "p", "u", 20, None);
        let class = format!("org.apache.kafka.clients.consumer.{strategy}");
        let extra = [("partition.assignment.strategy", class.as_str())];
        start_consumer_on(&mut s, "a", "g", &["t", "u"], &extra);
        s.run_for(10_000);
        assert_eq!(assignment_of(&s, "a").len(), 2, "{strategy}");
        s.apply(Command::StopProducer { name: "p".into() })
            .expect("stop");
        s.apply(Command::DeleteTopic { name: "u".into() })
            .expect("delete");
        s.run_for(10_000);
        assert_eq!(
            assignment_of(&s, "a").len(),
            2,
            "{strategy}: still retrying"
        );
        s.run_for(300_000);
        let t0 = TopicPartition::new("t", 0);
        assert_eq!(assignment_of(&s, "a"), vec![t0.clone()], "{strategy}");
        let g = s.group_view("g").unwrap();
        let tps: Vec<_> = g.offsets.iter().map(|o| o.tp.clone()).collect();
        assert_eq!(
            tps,
            vec![t0],
            "{strategy}: no offsets for the deleted topic"
        );
    }
}

/// The generations of `group`'s rebalances completed so far, with their times.
fn rebalances(s: &Sim, group: &str) -> Vec<(i64, i32)> {
    s.trace()
        .recent()
        .filter_map(|(at, _, e)| match e {
            TraceEvent::Rebalanced {
                group: g,
                generation,
                ..
            } if g == group => Some((*at, *generation)),
            _ => None,
        })
        .collect()
}

/// Kafka waits `retry.backoff.ms` between two metadata refreshes however small
/// `metadata.max.age.ms` is, and any long is a valid age.
#[test]
fn any_metadata_max_age_lets_the_world_run_on() {
    for age in ["0", "9223372036854775807"] {
        let mut s = sim(1);
        create_topic(&mut s, "t", 1, 1);
        start_consumer_with(&mut s, "a", "g", "t", &[("metadata.max.age.ms", age)]);
        s.run_for(10_000);
        assert_eq!(s.now(), 10_000);
        assert_eq!(assignment_of(&s, "a").len(), 1, "metadata.max.age.ms={age}");
    }
}

/// A static leader restarted without a rebalance computes no assignment but gets the members'
/// subscriptions to watch (KIP-814), so it still notices added partitions.
#[test]
fn a_restarted_static_leader_still_watches_the_metadata() {
    let mut s = sim(3);
    create_topic(&mut s, "t", 2, 1);
    start_consumer_with(&mut s, "a", "g", "t", &[("group.instance.id", "ia")]);
    s.run_for(100);
    start_consumer_with(&mut s, "b", "g", "t", &[("group.instance.id", "ib")]);
    s.run_for(10_000);
    s.apply(Command::StopConsumer {
        name: "a".into(),
        hard: false,
    })
    .unwrap();
    s.run_for(2_000);
    start_consumer_with(&mut s, "a2", "g", "t", &[("group.instance.id", "ia")]);
    s.run_for(5_000);
    let g = s.group_view("g").unwrap();
    assert!(
        g.leader.as_deref().is_some_and(|l| l.starts_with("a2")),
        "{g:?}"
    );
    add_partitions(&mut s, "t", 4);
    s.run_for(310_000);
    assert_eq!(owned_by_group(&s, &["a2", "b"]).len(), 4);
}

/// A refresh that comes while the leader is rejoining for another reason causes no second
/// rebalance: the assignment it then computes already uses the new metadata.
#[test]
fn a_refresh_during_a_rebalance_causes_no_second_one() {
    let mut s = sim(3);
    create_topic(&mut s, "t", 2, 1);
    start_consumer(&mut s, "a", "g", "t");
    s.run_for(100);
    // b hears of the next rebalance only at its next heartbeat: the rebalance takes seconds.
    start_consumer_with(&mut s, "b", "g", "t", &[("heartbeat.interval.ms", "10000")]);
    s.run_for(30_000);
    let (assigned_at, generation) = *rebalances(&s, "g").last().unwrap();
    add_partitions(&mut s, "t", 4);
    // c joins 5 s before the leader's refresh is due.
    s.run_until(assigned_at + 295_000);
    start_consumer(&mut s, "c", "g", "t");
    s.run_for(120_000);
    let later: Vec<_> = rebalances(&s, "g")
        .into_iter()
        .filter(|(_, g)| *g > generation)
        .collect();
    assert_eq!(later.len(), 1, "{later:?}");
    assert_eq!(owned_by_group(&s, &["a", "b", "c"]).len(), 4);
}

/// A consumer being closed does not rejoin, even when its metadata changed: otherwise a static
/// group would wait for its session to time out.
#[test]
fn a_closing_leader_does_not_rejoin() {
    let extra = [
        (
            "partition.assignment.strategy",
            "org.apache.kafka.clients.consumer.RoundRobinAssignor",
        ),
        ("group.instance.id", "ia"),
    ];
    // Closed at each moment before its refresh, due 100 ms after it found no leader, while its
    // last commit is in flight. (Closed after it, it has already rejoined, as in Kafka, and the
    // group waits for the static member's session to time out.)
    for wait in 170..176 {
        let mut s = sim(3);
        create_topic(&mut s, "t", 1, 1);
        create_topic(&mut s, "u", 1, 1);
        start_consumer_on(&mut s, "a", "g", &["t", "u"], &extra);
        s.run_for(100);
        let b_extra = [extra[0], ("group.instance.id", "ib")];
        start_consumer_on(&mut s, "b", "g", &["t", "u"], &b_extra);
        s.run_for(10_000);
        let generation = s.group_view("g").unwrap().generation;
        s.apply(Command::DeleteTopic { name: "t".into() }).unwrap();
        s.run_for(wait);
        s.apply(Command::StopConsumer {
            name: "a".into(),
            hard: false,
        })
        .unwrap();
        s.run_for(30_000);
        let g = s.group_view("g").unwrap();
        assert_eq!(
            (g.generation, g.state.as_str()),
            (generation, "Stable"),
            "{wait}"
        );
        assert_eq!(assignment_of(&s, "b").len(), 1, "{wait}");
    }
}

/// A topic recreated with fewer partitions: commits for the partitions it no longer has are
/// answered UNKNOWN_TOPIC_OR_PARTITION.
#[test]
fn offsets_are_not_committed_for_partitions_a_topic_lacks() {
    let mut s = sim(1);
    create_topic(&mut s, "t", 4, 1);
    start_consumer(&mut s, "a", "g", "t");
    s.run_for(100);
    start_consumer(&mut s, "b", "g", "t");
    s.run_for(10_000);
    s.apply(Command::DeleteTopic { name: "t".into() }).unwrap();
    s.run_for(10);
    create_topic(&mut s, "t", 2, 1);
    s.run_for(20_000);
    let g = s.group_view("g").unwrap();
    let committed: Vec<_> = g
        .offsets
        .iter()
        .filter(|o| o.committed.is_some())
        .map(|o| o.tp.partition)
        .collect();
    assert_eq!(committed, vec![0, 1]);
}

/// A topic deleted and created again with more partitions: the leader's fetches fail against
/// the new topic (its offsets are out of range, or its leader moved), and the metadata update
/// they ask for shows the new partitions.
#[test]
fn a_topic_recreated_with_more_partitions_is_noticed_soon() {
    let mut s = sim(3);
    create_topic(&mut s, "t", 2, 1);
    start_producer(&mut s, "p", "t", 20, None);
    start_consumer(&mut s, "a", "g", "t");
    s.run_for(10_000);
    s.apply(Command::DeleteTopic { name: "t".into() }).unwrap();
    s.run_for(10);
    create_topic(&mut s, "t", 4, 1);
    let start = s.now();
    assert!(s.run_while(400_000, |s| assignment_of(s, "a").len() == 4));
    assert!(s.now() - start < 5_000, "{} ms", s.now() - start);
}

/// A producer spreads records over the partitions in its metadata: partitions added to a topic
/// get records once it refreshes (`metadata.max.age.ms`, 5 min); one started later sees them
/// at once.
#[test]
fn a_producer_uses_added_partitions_from_its_next_metadata_refresh() {
    let mut s = sim(3);
    create_topic(&mut s, "t", 2, 1);
    start_producer(&mut s, "p", "t", 50, Some(20));
    s.run_for(10_000);
    add_partitions(&mut s, "t", 4);
    let new_partitions = |s: &Sim| records_in(s, "t", 2..4);
    s.run_for(60_000);
    assert_eq!(new_partitions(&s), 0, "not before the refresh");
    s.run_for(300_000);
    assert!(new_partitions(&s) > 0);

    // A record for a partition beyond the producer's count waits for fresh metadata, which
    // has it (`waitOnMetadata`).
    let mut s = sim(1);
    create_topic(&mut s, "t", 2, 1);
    let produce = |s: &mut Sim, partition| {
        s.apply(Command::Produce {
            producer: "console".into(),
            topic: "t".into(),
            partition,
            key: None,
            value: Some("v".into()),
            timestamp: None,
        })
    };
    produce(&mut s, None).unwrap();
    add_partitions(&mut s, "t", 4);
    assert!(produce(&mut s, Some(3)).is_ok());

    let mut s = sim(3);
    create_topic(&mut s, "t", 2, 1);
    add_partitions(&mut s, "t", 4);
    start_producer(&mut s, "p", "t", 50, Some(20));
    s.run_for(10_000);
    assert!(
        new_partitions(&s) > 0,
        "a new producer's first metadata has them"
    );
}

/// A broken connection makes the producer refresh its metadata (the broker may be gone), so it
/// then also learns of partitions added since its last refresh.
#[test]
fn a_producer_refreshes_its_metadata_when_a_connection_breaks() {
    let mut s = sim(3);
    create_topic(&mut s, "t", 3, 3);
    start_producer(&mut s, "p", "t", 50, Some(20));
    s.run_for(10_000);
    add_partitions(&mut s, "t", 6);
    s.apply(Command::StopBroker { id: 1, hard: true }).unwrap();
    s.run_for(15_000);
    assert!(records_in(&s, "t", 3..6) > 0);
}

/// The first request to time out closes the connection and fails every other request in
/// flight on it (`NetworkClient`): a member cut off for 30 s reconnects once and keeps its
/// session, instead of dropping each new connection as its older lost requests time out.
#[test]
fn a_member_cut_off_briefly_reconnects_once_and_keeps_its_partitions() {
    let mut s = sim(3);
    create_topic(&mut s, "t", 4, 1);
    start_consumer(&mut s, "a", "g", "t");
    s.run_for(100);
    start_consumer(&mut s, "b", "g", "t");
    s.run_for(10_000);
    let before = s.group_view("g").unwrap();
    let owned = assignment_of(&s, "b");
    let b = s.client_node("b").unwrap();
    s.apply(Command::Network(NetworkFault::Isolate(b))).unwrap();
    s.run_for(30_000);
    s.apply(Command::Network(NetworkFault::Heal)).unwrap();
    s.run_for(30_000);
    let after = s.group_view("g").unwrap();
    assert_eq!(
        (after.generation, after.state.as_str()),
        (before.generation, "Stable"),
        "{}",
        last_rebalance_reason(&s)
    );
    assert_eq!(assignment_of(&s, "b"), owned);
    let timeouts = s
        .trace()
        .recent()
        .filter(|(_, _, e)| matches!(e, TraceEvent::RequestTimedOut { from, .. } if *from == b))
        .count();
    // One per broker b was talking to (the coordinator, the partitions' leaders).
    assert!(timeouts <= 3, "{timeouts}");
}

/// Kafka's coordinator answers a follower that joins again with unchanged metadata (it lost
/// the answer to its SyncGroup) with the current generation: no rebalance.
#[test]
fn a_follower_that_lost_its_sync_answer_rejoins_the_current_generation() {
    let mut s = sim(3);
    create_topic(&mut s, "t", 4, 1);
    start_consumer(&mut s, "a", "g", "t");
    s.run_for(100);
    start_consumer(&mut s, "b", "g", "t");
    let b = s.client_node("b").unwrap();
    let sync_sent = |s: &Sim| {
        s.trace().recent().any(|(_, _, e)| {
            matches!(e, TraceEvent::MessageSent { api: ApiKey::SyncGroup, from, .. } if *from == b)
        })
    };
    while !sync_sent(&s) && s.now() < 10_000 {
        s.step();
    }
    assert!(sync_sent(&s), "b never sent SyncGroup");
    // Its SyncGroup (or the answer) is lost; the leader's completes the generation.
    s.apply(Command::Network(NetworkFault::Isolate(b))).unwrap();
    s.run_for(500);
    s.apply(Command::Network(NetworkFault::Heal)).unwrap();
    let healed = s.now();
    let generation = s.group_view("g").unwrap().generation;
    assert!(assignment_of(&s, "b").is_empty());
    // b's SyncGroup times out after request.timeout.ms (30 s); it joins again.
    s.run_for(40_000);
    let after = s.group_view("g").unwrap();
    assert_eq!(
        (after.generation, after.state.as_str()),
        (generation, "Stable"),
        "{}",
        last_rebalance_reason(&s)
    );
    assert_eq!(rebalances(&s, "g").len(), 1);
    let rejoin = s.trace().recent().any(|(at, _, e)| {
        *at > healed
            && matches!(e, TraceEvent::MessageSent { api: ApiKey::JoinGroup, from, .. } if *from == b)
    });
    assert!(rejoin, "b did not join again");
    assert_eq!(assignment_of(&s, "b").len(), 2);
    assert_eq!(assignment_of(&s, "a").len(), 2);
}

/// The replica fetcher shares the consumer's fetch limits (`ReplicaManager.readFromLog`): a
/// follower catching up brings at most `replica.fetch.max.bytes` per partition and fetch, in
/// whole batches, the first batch even when larger.
#[test]
fn a_follower_catches_up_replica_fetch_max_bytes_at_a_time() {
    for (max, per_fetch) in [("200", 1), ("10", 1), ("1048576", 5)] {
        let mut s = Sim::new(
            7,
            ClusterSpec {
                brokers: 2,
                broker_overrides: BTreeMap::from([(
                    "replica.fetch.max.bytes".to_string(),
                    max.to_string(),
                )]),
                ..ClusterSpec::default()
            },
        )
        .expect("cluster");
        create_topic(&mut s, "t", 1, 2);
        s.run_for(2_000);
        let meta = &s.topic("t").unwrap().partitions[0];
        let (leader, follower) = (meta.leader.unwrap(), 1 - meta.leader.unwrap());
        s.apply(Command::StopBroker {
            id: follower,
            hard: false,
        })
        .unwrap();
        s.run_for(1_000);
        // Five batches of one record, some 170 bytes each.
        for i in 0..5 {
            s.apply(Command::Produce {
                producer: "w".into(),
                topic: "t".into(),
                partition: Some(0),
                key: None,
                value: Some(format!("{i:0100}")),
                timestamp: None,
            })
            .unwrap();
            if i == 0 {
                await_producer_id(&mut s, "w");
            }
            s.run_for(50);
        }
        s.run_for(1_000);
        s.apply(Command::StartBroker { id: follower }).unwrap();
        s.run_for(10_000);
        let appends: Vec<(i64, i64)> = s
            .trace()
            .recent()
            .filter_map(|(_, _, e)| match e {
                TraceEvent::Appended {
                    broker,
                    first_offset,
                    last_offset,
                    ..
                } if *broker == follower => Some((*first_offset, *last_offset)),
                _ => None,
            })
            .collect();
        assert_eq!(
            appends.first().map(|a| a.1 - a.0 + 1),
            Some(per_fetch),
            "{max}: {appends:?}"
        );
        assert_eq!(appends.last().map(|a| a.1), Some(4), "{max}: {appends:?}");
        assert_ne!(leader, follower);
    }
}

// ---------------------------------------------------------------- producer ids

/// The messages of `api` in the trace so far, as (from, to).
fn requests_of(s: &Sim, api: ApiKey) -> Vec<(NodeId, NodeId)> {
    s.trace()
        .recent()
        .filter_map(|(_, _, e)| match e {
            TraceEvent::MessageSent {
                api: a, from, to, ..
            } if *a == api => Some((*from, *to)),
            _ => None,
        })
        .collect()
}

fn producer_id(s: &Sim, name: &str) -> (i64, i16) {
    match s.client(name) {
        Some(kafka_playground::engine::client::Client::Producer(p)) => {
            (p.producer_id, p.producer_epoch)
        }
        _ => panic!("no producer {name}"),
    }
}

/// The first Produce request of the trace, by time.
fn first_produce_at(s: &Sim) -> Option<i64> {
    s.trace().recent().find_map(|(at, _, e)| match e {
        TraceEvent::MessageSent {
            api: ApiKey::Produce,
            ..
        } => Some(*at),
        _ => None,
    })
}

/// `RPCProducerIdManager`: in a fresh KRaft cluster no broker has a block of producer ids.
/// The producer's `InitProducerId` is answered COORDINATOR_LOAD_IN_PROGRESS while the broker
/// asks the controller for one; `retry.backoff.ms` later it gets id 0 (the controller's first
/// block starts there), and only then sends records. A second producer gets id 1 at once.
#[test]
fn an_idempotent_producer_gets_its_id_from_a_broker_block_the_controller_gave() {
    let mut s = sim(3);
    create_topic(&mut s, "t", 3, 3);
    let start = s.now();
    start_producer(&mut s, "p1", "t", 50, None);
    s.run_for(2_000);
    assert_eq!(producer_id(&s, "p1"), (0, 0));
    let inits = requests_of(&s, ApiKey::InitProducerId);
    // Request, COORDINATOR_LOAD_IN_PROGRESS, request again, the id.
    assert_eq!(inits.len(), 4, "{inits:?}");
    // To the least loaded node, the lowest live id.
    let (p1, b0) = (s.client_node("p1").expect("p1"), NodeId::Broker(0));
    assert!(inits.iter().all(|x| *x == (p1, b0) || *x == (b0, p1)));
    let allocations = requests_of(&s, ApiKey::AllocateProducerIds);
    let controller = NodeId::Controller(3000);
    assert_eq!(allocations, [(b0, controller), (controller, b0)]);
    let first_produce = first_produce_at(&s).expect("records sent");
    assert!(
        first_produce >= start + 100,
        "records wait for the id, asked again after retry.backoff.ms: {first_produce}"
    );
    start_producer(&mut s, "p2", "t", 50, None);
    s.run_for(1_000);
    assert_eq!(producer_id(&s, "p2"), (1, 0));
    assert_eq!(requests_of(&s, ApiKey::InitProducerId).len(), 6);
    assert_eq!(requests_of(&s, ApiKey::AllocateProducerIds).len(), 2);
}

/// Without idempotence there is no producer id to ask for.
#[test]
fn a_producer_without_idempotence_asks_for_no_id() {
    let mut s = sim(3);
    create_topic(&mut s, "t", 1, 3);
    s.apply(Command::StartProducer {
        name: "p".into(),
        configs: BTreeMap::from([("enable.idempotence".to_string(), "false".to_string())]),
        workload: Some(WorkloadSpec {
            topic: "t".into(),
            records_per_sec: 50,
            keys: None,
            max_records: None,
        }),
    })
    .expect("producer");
    s.run_for(1_000);
    assert!(requests_of(&s, ApiKey::InitProducerId).is_empty());
    assert_eq!(producer_id(&s, "p").0, -1);
    assert!(first_produce_at(&s).is_some());
}

/// Without an active controller no broker can get a block: an idempotent producer asks again
/// every `retry.backoff.ms` and sends nothing, though every partition has a leader. When the
/// controller is back, it gets its id and the records it kept flow.
#[test]
fn without_a_controller_an_idempotent_producer_cannot_get_an_id() {
    let mut s = sim(3);
    create_topic(&mut s, "t", 1, 3);
    s.run_for(1_000);
    let controller = NodeId::Controller(3000);
    s.apply(Command::StopController {
        node: controller,
        hard: true,
    })
    .expect("stop");
    start_producer(&mut s, "p", "t", 10, None);
    s.run_for(3_000);
    assert_eq!(producer_id(&s, "p").0, -1);
    assert!(first_produce_at(&s).is_none(), "no batch without an id");
    let asked = requests_of(&s, ApiKey::InitProducerId).len();
    assert!(
        asked >= 40,
        "asked about every 100 ms, request and answer: {asked}"
    );
    s.apply(Command::StartController { node: controller })
        .expect("start");
    s.run_for(10_000);
    assert!(producer_id(&s, "p").0 >= 0);
    let hw: i64 = s.topic("t").expect("t").partitions[0].high_watermark();
    assert!(hw >= 100, "the records kept while waiting went out: {hw}");
}

/// The ZooKeeper era: each broker took a block from ZooKeeper as it started (broker 0 the
/// first), so the first answer has the id at once, without AllocateProducerIds.
#[test]
fn in_the_zookeeper_era_a_broker_has_its_block_from_the_start() {
    let mut s = Sim::new(
        7,
        ClusterSpec {
            mode: kafka_playground::engine::ControllerMode::Zookeeper,
            ..ClusterSpec::default()
        },
    )
    .expect("cluster");
    create_topic(&mut s, "t", 1, 3);
    start_producer(&mut s, "p", "t", 10, None);
    s.run_for(1_000);
    assert_eq!(producer_id(&s, "p"), (0, 0));
    assert_eq!(requests_of(&s, ApiKey::InitProducerId).len(), 2);
    assert!(requests_of(&s, ApiKey::AllocateProducerIds).is_empty());
}

// ---------------------------------------------------------------- draining the accumulator

fn start_configured_producer(s: &mut Sim, name: &str, configs: &[(&str, &str)], rate: u32) {
    s.apply(Command::StartProducer {
        name: name.into(),
        configs: configs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        workload: (rate > 0).then(|| WorkloadSpec {
            topic: "t".into(),
            records_per_sec: rate,
            keys: None,
            max_records: None,
        }),
    })
    .expect("producer");
}

fn produce_to(s: &mut Sim, producer: &str, partition: i32, value: String) {
    s.apply(Command::Produce {
        producer: producer.into(),
        topic: "t".into(),
        partition: Some(partition),
        key: None,
        value: Some(value),
        timestamp: None,
    })
    .expect("produce");
}

fn log_end(s: &Sim, partition: i32) -> i64 {
    s.topic("t").expect("t").partitions[partition as usize]
        .leader_state()
        .expect("leader")
        .log_end_offset
}

/// `RecordAccumulator.drain`: once one partition's batch is ready (here full), the request to
/// its leader takes the first batch of each of the leader's partitions, lingering or not.
#[test]
fn a_ready_batch_takes_the_other_partitions_batches_for_its_leader_along() {
    let mut s = sim(1);
    create_topic(&mut s, "t", 2, 1);
    start_configured_producer(
        &mut s,
        "p",
        &[("linger.ms", "1000"), ("batch.size", "500")],
        0,
    );
    produce_to(&mut s, "p", 1, "lingering".into());
    await_producer_id(&mut s, "p");
    s.run_for(200);
    assert_eq!(
        log_end(&s, 1),
        0,
        "partition 1's batch lingers (linger.ms=1000)"
    );
    for i in 0..10 {
        produce_to(&mut s, "p", 0, format!("{i:0100}"));
    }
    s.run_for(100);
    assert!(log_end(&s, 0) > 0, "partition 0's full batch went");
    assert_eq!(
        log_end(&s, 1),
        1,
        "partition 1's batch went along, 700 ms early"
    );
}

/// The records' numbers (`p-N`) in partition 0's log, in offset order.
fn numbers_in_log(s: &Sim) -> Vec<u64> {
    let tp = TopicPartition::new("t", 0);
    s.records(&tp, 0, 100_000)
        .iter()
        .filter_map(|r| {
            let v = std::str::from_utf8(r.value()?).ok()?;
            v.rsplit('-').next()?.parse().ok()
        })
        .collect()
}

/// Without idempotence a producer keeps up to `max.in.flight.requests.per.connection` (5)
/// requests in flight, one batch of a partition each. A request lost on the network fails by
/// `request.timeout.ms` after the ones behind it were written, and its retry lands after them
/// (or, if only the answer was lost, writes the batch twice): the log's order is not the send
/// order. With idempotence the broker's sequence checks keep it.
#[test]
fn retries_reorder_records_without_idempotence_but_not_with_it() {
    for idempotence in ["false", "true"] {
        let mut s = sim(1);
        create_topic(&mut s, "t", 1, 1);
        start_configured_producer(
            &mut s,
            "p",
            &[
                ("enable.idempotence", idempotence),
                ("request.timeout.ms", "2000"),
                ("delivery.timeout.ms", "5000"),
            ],
            50,
        );
        let (p, b0) = (s.client_node("p").expect("p"), NodeId::Broker(0));
        s.apply(Command::Network(NetworkFault::Latency(p, b0, 50)))
            .expect("latency");
        s.run_for(2_000);
        s.apply(Command::Network(NetworkFault::Loss(p, b0, 100)))
            .expect("loss");
        s.run_for(30);
        s.apply(Command::Network(NetworkFault::Loss(p, b0, 0)))
            .expect("no loss");
        s.run_for(8_000);
        let n = numbers_in_log(&s);
        assert!(n.len() > 400, "{idempotence}: {}", n.len());
        let backwards = n.windows(2).filter(|w| w[1] <= w[0]).count();
        if idempotence == "true" {
            assert_eq!(backwards, 0, "in order, once each: {n:?}");
        } else {
            assert!(backwards > 0, "a retry wrote out of order: {n:?}");
        }
    }
}
