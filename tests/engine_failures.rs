//! Broker failures: controlled shutdown, crash, restart; leader election, ISR shrink and
//! recovery; what acks=all keeps and what acks=1 can lose.

use kafka_playground::engine::faults::NetworkFault;
use kafka_playground::engine::invariants::Checker;
use kafka_playground::engine::network::NodeId;
use kafka_playground::engine::{ClusterSpec, Command, Sim, TopicPartition, WorkloadSpec};
use std::collections::BTreeMap;

fn cluster(seed: u64) -> Sim {
    cluster_with(seed, ClusterSpec::default())
}

/// One topic `t` (1 partition, RF 3, min.insync.replicas 2) on the given cluster.
fn cluster_with(seed: u64, spec: ClusterSpec) -> Sim {
    let mut s = Sim::new(seed, spec).unwrap();
    s.apply(Command::CreateTopic {
        name: "t".into(),
        partitions: Some(1),
        replication_factor: Some(3),
        configs: BTreeMap::from([("min.insync.replicas".to_string(), "2".to_string())]),
        assignment: None,
    })
    .unwrap();
    s
}

fn producer(s: &mut Sim, acks: &str) {
    s.apply(Command::StartProducer {
        name: "p".into(),
        configs: BTreeMap::from([("acks".to_string(), acks.to_string())]),
        workload: Some(WorkloadSpec {
            topic: "t".into(),
            records_per_sec: 20,
            keys: None,
            max_records: None,
        }),
    })
    .unwrap();
}

fn tp() -> TopicPartition {
    TopicPartition::new("t", 0)
}

fn partition(s: &Sim) -> kafka_playground::engine::view::PartitionView {
    s.topic("t").unwrap().partitions[0].clone()
}

fn run_checked(s: &mut Sim, checker: &mut Checker, ms: i64) {
    let end = s.now() + ms;
    while s.now() < end {
        s.run_until((s.now() + 250).min(end));
        let v = checker.observe(s);
        assert!(v.is_empty(), "violations: {v:?}");
    }
}

#[test]
fn a_clean_shutdown_moves_leadership_and_shrinks_the_isr_at_once() {
    let mut s = cluster(1);
    let mut checker = Checker::default();
    producer(&mut s, "all");
    run_checked(&mut s, &mut checker, 5_000);
    let leader = partition(&s).leader.unwrap();
    s.apply(Command::StopBroker {
        id: leader,
        hard: false,
    })
    .unwrap();
    run_checked(&mut s, &mut checker, 1_000);
    let p = partition(&s);
    assert_ne!(p.leader, Some(leader), "leadership moved away");
    assert!(p.leader.is_some());
    assert_eq!(p.isr.len(), 2);
    assert!(!p.isr.contains(&leader));
    assert!(p.leader_epoch >= 1);
    assert!(!s.brokers().iter().find(|b| b.id == leader).unwrap().alive);
    // Production goes on against the new leader.
    let before = s.high_watermark(&tp()).unwrap();
    run_checked(&mut s, &mut checker, 5_000);
    assert!(s.high_watermark(&tp()).unwrap() > before + 50);
}

#[test]
fn a_crashed_leader_is_fenced_after_the_session_timeout_then_replaced() {
    let mut s = cluster(2);
    let mut checker = Checker::default();
    producer(&mut s, "all");
    run_checked(&mut s, &mut checker, 5_000);
    let leader = partition(&s).leader.unwrap();
    s.apply(Command::StopBroker {
        id: leader,
        hard: true,
    })
    .unwrap();
    run_checked(&mut s, &mut checker, 5_000);
    assert_eq!(
        partition(&s).leader,
        Some(leader),
        "the controller has not noticed yet (9 s session)"
    );
    run_checked(&mut s, &mut checker, 6_000);
    let p = partition(&s);
    assert!(
        p.leader.is_some() && p.leader != Some(leader),
        "a new leader after fencing"
    );
    assert!(!p.isr.contains(&leader));
    // The crashed broker comes back, catches up and rejoins the ISR.
    s.apply(Command::StartBroker { id: leader }).unwrap();
    run_checked(&mut s, &mut checker, 10_000);
    let p = partition(&s);
    assert_eq!(p.isr.len(), 3, "ISR recovered: {:?}", p.isr);
    let hw = p.high_watermark();
    for r in &p.replica_states {
        assert!(
            r.log_end_offset >= hw - 20,
            "replica {} caught up",
            r.broker
        );
    }
}

#[test]
fn preferred_leader_returns_after_a_restart() {
    let mut s = cluster(3);
    let mut checker = Checker::default();
    let preferred = partition(&s).replicas[0];
    s.apply(Command::StopBroker {
        id: preferred,
        hard: false,
    })
    .unwrap();
    run_checked(&mut s, &mut checker, 2_000);
    assert_ne!(partition(&s).leader, Some(preferred));
    s.apply(Command::StartBroker { id: preferred }).unwrap();
    // leader.imbalance.check.interval.seconds = 300
    run_checked(&mut s, &mut checker, 301_000);
    assert_eq!(partition(&s).leader, Some(preferred));
}

#[test]
fn with_two_brokers_down_acks_all_is_refused_with_not_enough_replicas() {
    let mut s = cluster(4);
    let replicas = partition(&s).replicas.clone();
    s.apply(Command::StopBroker {
        id: replicas[1],
        hard: false,
    })
    .unwrap();
    s.apply(Command::StopBroker {
        id: replicas[2],
        hard: false,
    })
    .unwrap();
    s.run_for(2_000);
    assert_eq!(partition(&s).isr, vec![replicas[0]]);
    produce_one(&mut s); // handed to the accumulator
    s.run_for(1_000);
    let view = s
        .client_views()
        .into_iter()
        .find(|c| c.name == "p")
        .unwrap();
    assert_eq!(
        view.acked, 0,
        "not acknowledged while the ISR is below min.insync.replicas"
    );
    // The producer retries NOT_ENOUGH_REPLICAS until delivery.timeout.ms.
    s.apply(Command::StartBroker { id: replicas[1] }).unwrap();
    s.run_for(15_000);
    let view = s
        .client_views()
        .into_iter()
        .find(|c| c.name == "p")
        .unwrap();
    assert_eq!(
        view.acked, 1,
        "acknowledged once a second replica is back in the ISR"
    );
}

fn topic_with(s: &mut Sim, configs: &[(&str, &str)]) {
    s.apply(Command::CreateTopic {
        name: "u".into(),
        partitions: Some(1),
        replication_factor: Some(3),
        configs: configs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        assignment: None,
    })
    .unwrap();
}

fn produce_u(s: &mut Sim, n: usize, acks: &str) {
    if s.client("w").is_none() {
        s.apply(Command::StartProducer {
            name: "w".into(),
            configs: BTreeMap::from([("acks".to_string(), acks.to_string())]),
            workload: None,
        })
        .unwrap();
    }
    for i in 0..n {
        s.apply(Command::Produce {
            producer: "w".into(),
            topic: "u".into(),
            partition: Some(0),
            key: None,
            value: Some(format!("r{i}")),
            timestamp: None,
        })
        .unwrap();
    }
}

/// Jepsen's finding about Kafka, reproduced: with the ISR shrunk to the leader alone, writes are
/// acknowledged by one broker; when it dies and an out-of-sync replica is elected (unclean
/// election), those acknowledged records are gone, and the checker says so.
#[test]
fn unclean_election_loses_acknowledged_records_and_the_checker_names_them() {
    let mut s = Sim::new(5, ClusterSpec::default()).unwrap();
    topic_with(&mut s, &[("unclean.leader.election.enable", "true")]);
    s.run_for(1_000);
    let p0 = partition_u(&s);
    let leader = p0.leader.unwrap();
    let followers: Vec<i32> = p0
        .replicas
        .iter()
        .copied()
        .filter(|r| *r != leader)
        .collect();
    for f in &followers {
        s.apply(Command::StopBroker { id: *f, hard: true }).unwrap();
    }
    s.run_for(15_000);
    assert_eq!(
        partition_u(&s).isr,
        vec![leader],
        "ISR shrank to the leader"
    );
    produce_u(&mut s, 10, "all");
    s.run_for(2_000);
    assert_eq!(
        s.client_views()
            .iter()
            .find(|c| c.name == "w")
            .unwrap()
            .acked,
        10,
        "acks=all with min.insync.replicas=1"
    );
    s.apply(Command::StopBroker {
        id: leader,
        hard: true,
    })
    .unwrap();
    s.run_for(15_000);
    assert_eq!(
        partition_u(&s).leader,
        None,
        "offline: the only ISR member is down"
    );
    s.apply(Command::StartBroker { id: followers[0] }).unwrap();
    s.run_for(5_000);
    let p = partition_u(&s);
    assert_eq!(
        p.leader,
        Some(followers[0]),
        "unclean election of a stale replica"
    );
    let losses = s.acked_losses();
    assert_eq!(losses.len(), 1, "{losses:?}");
    assert_eq!((losses[0].first_offset, losses[0].last_offset), (0, 9));
    assert!(losses[0].cause.contains("unclean"));
}

#[test]
fn without_unclean_election_the_partition_waits_for_its_last_in_sync_replica() {
    let mut s = Sim::new(6, ClusterSpec::default()).unwrap();
    topic_with(&mut s, &[]);
    s.run_for(1_000);
    let p0 = partition_u(&s);
    let leader = p0.leader.unwrap();
    let followers: Vec<i32> = p0
        .replicas
        .iter()
        .copied()
        .filter(|r| *r != leader)
        .collect();
    for f in &followers {
        s.apply(Command::StopBroker { id: *f, hard: true }).unwrap();
    }
    s.run_for(15_000);
    produce_u(&mut s, 10, "all");
    s.run_for(2_000);
    s.apply(Command::StopBroker {
        id: leader,
        hard: true,
    })
    .unwrap();
    s.apply(Command::StartBroker { id: followers[0] }).unwrap();
    s.run_for(20_000);
    assert_eq!(
        partition_u(&s).leader,
        None,
        "stays offline rather than lose data"
    );
    s.apply(Command::StartBroker { id: leader }).unwrap();
    s.run_for(10_000);
    assert_eq!(partition_u(&s).leader, Some(leader));
    assert!(s.acked_losses().is_empty());
    assert_eq!(s.high_watermark(&TopicPartition::new("u", 0)), Some(10));
}

#[test]
fn acks_all_with_min_isr_two_survives_leader_crashes_without_loss() {
    let mut s = cluster(7);
    let mut checker = Checker::default();
    producer(&mut s, "all");
    for round in 0..3 {
        run_checked(&mut s, &mut checker, 5_000);
        let leader = partition(&s).leader.unwrap();
        s.apply(Command::StopBroker {
            id: leader,
            hard: round % 2 == 0,
        })
        .unwrap();
        run_checked(&mut s, &mut checker, 15_000);
        s.apply(Command::StartBroker { id: leader }).unwrap();
        run_checked(&mut s, &mut checker, 15_000);
    }
    assert!(s.acked_losses().is_empty(), "{:?}", s.acked_losses());
    let acked = s
        .client_views()
        .iter()
        .find(|c| c.name == "p")
        .unwrap()
        .acked;
    assert!(
        acked > 500,
        "production went on through the failures: {acked}"
    );
}

fn partition_u(s: &Sim) -> kafka_playground::engine::view::PartitionView {
    s.topic("u").unwrap().partitions[0].clone()
}

#[test]
fn acks_all_survives_an_isolated_leader_and_a_controller_failover_without_loss() {
    use kafka_playground::engine::faults::NetworkFault;
    use kafka_playground::engine::network::NodeId;
    let spec = ClusterSpec {
        controllers: 3,
        ..ClusterSpec::default()
    };
    let mut s = cluster_with(11, spec);
    producer(&mut s, "all");
    s.run_for(5_000);
    let leader = partition(&s).leader.unwrap();
    s.apply(Command::Network(NetworkFault::Isolate(NodeId::Broker(
        leader,
    ))))
    .unwrap();
    s.run_for(15_000);
    let moved = partition(&s);
    assert_ne!(moved.leader, Some(leader), "the isolated leader was fenced");
    assert!(!moved.isr.contains(&leader));
    // Now the active controller dies while the broker is still cut off.
    let active = s.active_controller().unwrap();
    s.apply(Command::StopController {
        node: active,
        hard: true,
    })
    .unwrap();
    s.run_for(10_000);
    assert!(s.active_controller().is_some_and(|c| c != active));
    s.apply(Command::Network(NetworkFault::Heal)).unwrap();
    s.run_for(45_000);
    let healed = partition(&s);
    assert_eq!(
        healed.isr.len(),
        3,
        "the healed broker rejoined: {healed:?}"
    );
    assert_eq!(s.acked_loss_count(), 0, "{:?}", s.acked_losses());
    assert!(s.violations().is_empty(), "{:?}", s.violations());
    let p = s
        .client_views()
        .into_iter()
        .find(|c| c.name == "p")
        .unwrap();
    assert!(p.acked > 1_000, "production went on: {}", p.acked);
}

fn producer_view(s: &Sim) -> (u64, u64) {
    let v = s
        .client_views()
        .into_iter()
        .find(|c| c.name == "p")
        .expect("producer p");
    (v.acked, v.failed)
}

/// A producer `p` without a workload, sending what `produce_one` gives it.
fn idle_producer(s: &mut Sim, configs: &[(&str, &str)]) {
    s.apply(Command::StartProducer {
        name: "p".into(),
        configs: configs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        workload: None,
    })
    .unwrap();
}

fn produce_one(s: &mut Sim) {
    s.apply(Command::Produce {
        producer: "p".into(),
        topic: "t".into(),
        partition: Some(0),
        key: None,
        value: Some("x".into()),
        timestamp: None,
    })
    .unwrap();
}

/// KIP-360: lost requests leave a gap in an idempotent producer's sequences; the broker
/// answers the batches after it OUT_OF_ORDER_SEQUENCE_NUMBER. Kafka's producer retries them,
/// and bumps its epoch (sequences start again at 0) when the gap does not fill: it goes on
/// writing. It used to fail every later record.
#[test]
fn an_idempotent_producer_writes_on_after_a_gap_in_its_sequences() {
    let mut s = cluster(6);
    producer(&mut s, "all");
    s.run_for(3_000);
    let leader = partition(&s).leader.unwrap();
    let p = s.client_node("p").unwrap();
    s.apply(Command::Network(NetworkFault::Loss(
        p,
        NodeId::Broker(leader),
        10,
    )))
    .unwrap();
    s.run_for(10_000);
    s.apply(Command::Network(NetworkFault::Heal)).unwrap();
    // Lost requests time out after 30 s; expired batches (2 min) leave gaps for good.
    s.run_for(150_000);
    let (acked, failed) = producer_view(&s);
    s.run_for(20_000);
    let (acked_after, failed_after) = producer_view(&s);
    assert_eq!(
        failed_after, failed,
        "no record fails once the network is back"
    );
    assert!(
        acked_after - acked >= 390,
        "20 s at 20 records/s acknowledged: {}",
        acked_after - acked
    );
}

/// `DelayedProduce`: an acks=all produce appended while the ISR was full, whose followers
/// then died, is answered REQUEST_TIMED_OUT after the request's `request.timeout.ms`; the
/// producer retries until `delivery.timeout.ms` and then fails the record. It used to wait
/// for its replicas for ever.
#[test]
fn an_acks_all_produce_whose_followers_die_times_out() {
    let mut s = cluster(4);
    idle_producer(&mut s, &[]);
    let replicas = partition(&s).replicas.clone();
    for id in [replicas[1], replicas[2]] {
        s.apply(Command::StopBroker { id, hard: true }).unwrap();
    }
    produce_one(&mut s);
    s.run_for(60_000);
    assert_eq!(
        producer_view(&s),
        (0, 0),
        "retried within delivery.timeout.ms"
    );
    s.run_for(70_000);
    assert_eq!(
        producer_view(&s),
        (0, 1),
        "failed after delivery.timeout.ms"
    );
}

/// `Sender.canRetry`: a producer retries at most `retries` times.
#[test]
fn a_producer_with_no_retries_fails_at_the_first_retriable_error() {
    let mut s = cluster(4);
    idle_producer(&mut s, &[("retries", "0")]);
    let replicas = partition(&s).replicas.clone();
    for id in [replicas[1], replicas[2]] {
        s.apply(Command::StopBroker { id, hard: false }).unwrap();
    }
    s.run_for(2_000);
    produce_one(&mut s);
    s.run_for(2_000);
    assert_eq!(
        producer_view(&s),
        (0, 1),
        "NOT_ENOUGH_REPLICAS is not retried"
    );
}

/// `ReplicaManager.completeDelayedOperationsWhenNotPartitionLeader`: an acks=all produce
/// waiting on a leader that loses its leadership is answered NOT_LEADER_OR_FOLLOWER at once,
/// and the producer retries on the new leader. It used to wait out its 30 s timeout (and
/// could later be acknowledged for records the old leader's log had lost).
#[test]
fn a_produce_waiting_on_a_leader_that_loses_leadership_is_retried_at_once() {
    use kafka_playground::engine::admin_election::ElectionType;
    let mut s = cluster(8);
    idle_producer(&mut s, &[]);
    let replicas = partition(&s).replicas.clone();
    // Move leadership off the preferred leader, then let it rejoin the ISR.
    s.apply(Command::StopBroker {
        id: replicas[0],
        hard: false,
    })
    .unwrap();
    s.run_for(2_000);
    s.apply(Command::StartBroker { id: replicas[0] }).unwrap();
    s.run_for(10_000);
    let p = partition(&s);
    let leader = p.leader.unwrap();
    assert_ne!(leader, replicas[0]);
    assert_eq!(p.isr.len(), 3);
    // The leader is cut off from its followers: the produce waits for them there.
    let others: Vec<NodeId> = replicas
        .iter()
        .filter(|r| **r != leader)
        .map(|r| NodeId::Broker(*r))
        .collect();
    s.apply(Command::Network(NetworkFault::Partition(
        vec![NodeId::Broker(leader)],
        others,
    )))
    .unwrap();
    produce_one(&mut s);
    s.run_for(1_000);
    assert_eq!(producer_view(&s), (0, 0), "waiting for the followers");
    s.apply(Command::ElectLeaders {
        election_type: ElectionType::Preferred,
        partitions: Some(vec![tp()]),
    })
    .unwrap();
    s.apply(Command::Network(NetworkFault::Heal)).unwrap();
    s.run_for(5_000);
    assert_eq!(partition(&s).leader, Some(replicas[0]));
    assert_eq!(
        producer_view(&s),
        (1, 0),
        "retried on the new leader within seconds"
    );
}

/// Followers build the producer state as they replicate (`ProducerAppendInfo`, origin
/// REPLICATION): a batch that reached a follower before its leader failed, retried by the
/// producer after the failover, is recognised by the new leader and written once.
#[test]
fn a_batch_retried_after_a_failover_is_written_once() {
    use kafka_playground::engine::trace::TraceEvent;
    let mut s = cluster(9);
    idle_producer(&mut s, &[]);
    s.run_for(1_000);
    let leader = partition(&s).leader.unwrap();
    produce_one(&mut s);
    // Both followers have it (whichever leads next has it), the leader has not answered.
    let replicated = |s: &Sim| {
        let followers = s.trace().recent().filter(
            |(_, _, e)| matches!(e, TraceEvent::Appended { broker, .. } if *broker != leader),
        );
        followers.count() == 2
    };
    let until = s.now() + 5_000;
    while !replicated(&s) && s.now() < until {
        s.step();
    }
    assert!(replicated(&s), "the record reached both followers");
    // The leader's answer is lost, and the leader goes.
    s.apply(Command::Network(NetworkFault::Isolate(NodeId::Broker(
        leader,
    ))))
    .unwrap();
    s.apply(Command::StopBroker {
        id: leader,
        hard: true,
    })
    .unwrap();
    s.apply(Command::Network(NetworkFault::Heal)).unwrap();
    s.run_for(60_000);
    assert_eq!(producer_view(&s), (1, 0));
    assert_eq!(s.high_watermark(&tp()), Some(1), "written once");
}
