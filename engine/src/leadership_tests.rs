//! Replication and leadership scenarios checked against Kafka's `Partition`, `Replica`,
//! `QuorumController` and `BrokerServer`: each test names the Kafka behaviour it pins.

use crate::admin_election::ElectionType;
use crate::broker::FollowerState;
use crate::durability::Loss;
use crate::error::ErrorCode;
use crate::faults::NetworkFault;
use crate::ids::TopicPartition;
use crate::network::NodeId;
use crate::protocol::Body;
use crate::{ClusterSpec, Command, Sim};
use std::collections::BTreeMap;

/// A one-partition topic on brokers 0, 1, 2 (0 preferred).
fn topic(sim: &mut Sim, name: &str, configs: &[(&str, &str)]) -> TopicPartition {
    sim.apply(Command::CreateTopic {
        name: name.into(),
        partitions: Some(1),
        replication_factor: None,
        configs: configs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        assignment: Some(vec![vec![0, 1, 2]]),
    })
    .unwrap();
    TopicPartition::new(name, 0)
}

fn producer(sim: &mut Sim, name: &str, acks: &str) {
    sim.apply(Command::StartProducer {
        name: name.into(),
        configs: BTreeMap::from([
            ("acks".to_string(), acks.to_string()),
            ("linger.ms".to_string(), "0".to_string()),
            ("enable.idempotence".to_string(), "false".to_string()),
        ]),
        workload: None,
    })
    .unwrap();
}

fn produce(sim: &mut Sim, p: &str, tp: &TopicPartition, n: usize) {
    for i in 0..n {
        sim.apply(Command::Produce {
            producer: p.into(),
            topic: tp.topic.to_string(),
            partition: Some(0),
            key: None,
            value: Some(format!("v{i}")),
            timestamp: None,
        })
        .unwrap();
    }
}

fn leo(sim: &Sim, b: i32, tp: &TopicPartition) -> i64 {
    sim.replica(b, tp).map_or(-1, |r| r.log.log_end_offset())
}

fn hw(sim: &Sim, b: i32, tp: &TopicPartition) -> i64 {
    sim.replica(b, tp).map_or(-1, |r| r.high_watermark)
}

fn isr(sim: &Sim, tp: &TopicPartition) -> Vec<i32> {
    sim.cluster
        .partition(tp)
        .map_or(Vec::new(), |m| m.isr.clone())
}

fn isolate(sim: &mut Sim, a: i32, from: &[i32]) {
    let others = from.iter().map(|b| NodeId::Broker(*b)).collect();
    sim.apply_network_fault(NetworkFault::Partition(vec![NodeId::Broker(a)], others))
        .unwrap();
}

/// `Partition.fetchRecords` updates a follower's fetch state only when its fetch found no
/// diverging epoch ("the fetch offset is not reliable if the log has diverged"): a follower
/// holding records the leader never had neither joins the ISR nor counts toward the high
/// watermark before it truncates, so an acks=all write is never acknowledged on its behalf.
#[test]
fn a_diverged_follower_neither_joins_the_isr_nor_holds_acks_all_data() {
    let mut sim = Sim::new(3, ClusterSpec::default()).unwrap();
    let tp = topic(&mut sim, "d", &[("min.insync.replicas", "2")]);
    sim.run_for(1_000);
    producer(&mut sim, "p1", "1");
    producer(&mut sim, "pa", "all");
    produce(&mut sim, "pa", &tp, 10);
    sim.run_for(1_000);
    assert_eq!(hw(&sim, 0, &tp), 10);
    // Leader 0, cut off from the others, takes acks=1 records 10..14 nobody else gets.
    isolate(&mut sim, 0, &[1, 2]);
    produce(&mut sim, "p1", &tp, 5);
    sim.run_for(100);
    assert_eq!(leo(&sim, 0, &tp), 15);
    sim.apply(Command::StopBroker { id: 0, hard: true })
        .unwrap();
    sim.run_for(12_000);
    assert_eq!(sim.cluster.leader_of(&tp), Some(1));
    sim.apply(Command::StopBroker { id: 2, hard: true })
        .unwrap();
    sim.run_for(12_000);
    assert_eq!(isr(&sim, &tp), vec![1]);
    sim.apply_network_fault(NetworkFault::Heal).unwrap();
    sim.apply(Command::StartBroker { id: 0 }).unwrap();
    let mut diverged_in_isr = Vec::new();
    let joined = sim.run_while(20_000, |s| {
        if isr(s, &tp).contains(&0) && leo(s, 0, &tp) > leo(s, 1, &tp) {
            diverged_in_isr.push((s.now(), leo(s, 0, &tp)));
        }
        isr(s, &tp).contains(&0)
    });
    assert!(joined, "broker 0 rejoins once it has truncated");
    assert!(
        leo(&sim, 0, &tp) <= 10,
        "joined with LEO {}",
        leo(&sim, 0, &tp)
    );
    assert!(diverged_in_isr.is_empty(), "{diverged_in_isr:?}");
    // An acks=all write, then broker 0 is cut from the leader and the leader crashes.
    produce(&mut sim, "pa", &tp, 1);
    assert!(sim.run_while(50, |s| leo(s, 1, &tp) == 11));
    isolate(&mut sim, 0, &[1]);
    sim.run_for(50);
    sim.apply(Command::StopBroker { id: 1, hard: true })
        .unwrap();
    sim.run_for(20_000);
    let lost_acks_all: Vec<&Loss> = sim.acked_losses().iter().filter(|l| l.acks == -1).collect();
    assert!(lost_acks_all.is_empty(), "{lost_acks_all:?}");
}

/// `Partition.makeLeader` resets each follower's state (`Replica.resetReplicaState`): one
/// outside the ISR gets `lastCaughtUpTimeMs = 0`, so it does not hold the new leader's high
/// watermark back, and a broker newly leading forgets where its followers' logs ended.
#[test]
fn a_new_leaders_high_watermark_is_not_held_by_a_follower_outside_the_isr() {
    let mut sim = Sim::new(1, ClusterSpec::default()).unwrap();
    let tp = topic(&mut sim, "t", &[]);
    sim.run_for(1_000);
    producer(&mut sim, "p", "1");
    produce(&mut sim, "p", &tp, 5);
    sim.run_for(2_000);
    // Broker 1 leads for a while (so it learns follower 2's position), then 0 leads again.
    sim.apply(Command::StopBroker { id: 0, hard: false })
        .unwrap();
    sim.run_for(5_000);
    assert_eq!(sim.cluster.leader_of(&tp), Some(1));
    produce(&mut sim, "p", &tp, 5);
    sim.run_for(2_000);
    sim.apply(Command::StartBroker { id: 0 }).unwrap();
    sim.run_for(20_000);
    assert!(isr(&sim, &tp).contains(&0));
    sim.elect_leaders(ElectionType::Preferred, Some(vec![tp.clone()]));
    assert_eq!(sim.cluster.leader_of(&tp), Some(0));
    sim.run_for(1_000);
    // Broker 2 loses its links to the other brokers (not to the controller): it drops out of
    // the ISR but stays alive and unfenced.
    isolate(&mut sim, 2, &[0, 1]);
    produce(&mut sim, "p", &tp, 5);
    sim.run_for(45_000);
    assert_eq!(isr(&sim, &tp), vec![0, 1]);
    assert!(sim.cluster.is_eligible_for_isr(2));
    sim.apply(Command::StopBroker { id: 0, hard: false })
        .unwrap();
    sim.run_for(3_000);
    assert_eq!(sim.cluster.leader_of(&tp), Some(1));
    produce(&mut sim, "p", &tp, 5);
    sim.run_for(2_000);
    assert_eq!(leo(&sim, 1, &tp), 20);
    assert_eq!(
        hw(&sim, 1, &tp),
        20,
        "the sole ISR member's log end is the high watermark"
    );
}

/// Topic `u` on brokers 0, 1, 2 with no leader: 0 was the last in the ISR and is down, 2 is
/// back but out of sync. Unclean election is not allowed yet.
fn leaderless_with_an_out_of_sync_replica(spec: ClusterSpec) -> (Sim, TopicPartition) {
    let mut sim = Sim::new(2, spec).unwrap();
    let tp = topic(&mut sim, "u", &[]);
    sim.run_for(1_000);
    producer(&mut sim, "p", "1");
    produce(&mut sim, "p", &tp, 3);
    sim.run_for(1_000);
    // Each wait outlasts the ZooKeeper session timeout (18 s) too: the ZooKeeper-era
    // controller notices a dead broker (and shrinks the ISR) only then.
    for b in [1, 2] {
        sim.apply(Command::StopBroker { id: b, hard: true })
            .unwrap();
    }
    sim.run_for(30_000);
    sim.apply(Command::StopBroker { id: 0, hard: true })
        .unwrap();
    sim.run_for(30_000);
    sim.apply(Command::StartBroker { id: 2 }).unwrap();
    sim.run_for(30_000);
    assert_eq!(sim.cluster.leader_of(&tp), None);
    assert_eq!(isr(&sim, &tp), vec![0]);
    (sim, tp)
}

fn allow_unclean_election(sim: &mut Sim) {
    sim.apply(Command::AlterTopicConfig {
        topic: "u".into(),
        set: BTreeMap::from([(
            "unclean.leader.election.enable".to_string(),
            "true".to_string(),
        )]),
        delete: vec![],
    })
    .unwrap();
}

/// The controller retries unclean elections of leaderless partitions every
/// `unclean.leader.election.interval.ms` (`QuorumController.maybeScheduleNextElectUncleanLeaders`,
/// Kafka's `UncleanLeaderElectionTest.testTopicUncleanLeaderElectionEnableWithAlterTopicConfigs`):
/// enabling `unclean.leader.election.enable` on a topic later elects a live out-of-sync replica.
#[test]
fn enabling_unclean_election_later_elects_a_leader_within_its_interval() {
    let (mut sim, tp) = leaderless_with_an_out_of_sync_replica(ClusterSpec::default());
    allow_unclean_election(&mut sim);
    let interval = sim
        .cluster
        .broker_config
        .unclean_leader_election_interval_ms;
    assert_eq!(interval, 300_000);
    sim.run_for(1_000);
    assert_eq!(sim.cluster.leader_of(&tp), None, "not before the next pass");
    let elected = sim.run_while(interval, |s| s.cluster.leader_of(&tp).is_some());
    assert!(elected);
    assert_eq!(sim.cluster.leader_of(&tp), Some(2));
    assert_eq!(isr(&sim, &tp), vec![2]);
}

/// The ZooKeeper-era controller elects as soon as the topic's config change reaches it
/// (`TopicConfigHandler` → `KafkaController.processTopicUncleanLeaderElectionEnable`).
#[test]
fn in_the_zookeeper_era_enabling_unclean_election_elects_at_once() {
    let spec = ClusterSpec {
        mode: crate::ControllerMode::Zookeeper,
        era: crate::config::Era::ZooKeeper,
        ..ClusterSpec::default()
    };
    let (mut sim, tp) = leaderless_with_an_out_of_sync_replica(spec);
    assert_eq!(sim.active_controller(), Some(NodeId::Broker(2)));
    allow_unclean_election(&mut sim);
    assert_eq!(sim.cluster.leader_of(&tp), Some(2));
    assert_eq!(isr(&sim, &tp), vec![2]);
}

/// `BrokerServer.shutdown` waits for the controller to approve a controlled shutdown at most
/// 5 minutes (`KafkaBroker.shutdown()`), then logs "Timed out waiting for the controller to
/// approve controlled shutdown" and exits anyway.
#[test]
fn a_clean_stop_without_an_active_controller_ends_after_five_minutes() {
    let mut sim = Sim::new(4, ClusterSpec::default()).unwrap();
    topic(&mut sim, "c", &[]);
    sim.run_for(1_000);
    sim.set_controller_node(NodeId::Controller(3000), Some(false))
        .unwrap();
    sim.run_for(1_000);
    assert!(sim.active_controller().is_none());
    sim.apply(Command::StopBroker { id: 0, hard: false })
        .unwrap();
    sim.run_for(299_000);
    assert!(sim.cluster.is_alive(0), "still waiting for the controller");
    sim.run_for(2_000);
    assert!(!sim.cluster.is_alive(0));
}

/// Kafka resets a follower outside the ISR to `lastCaughtUpTimeMs = 0`, long ago on the wall
/// clock; the simulation's clock starts at 0, so "never" must hold in its first
/// `replica.lag.time.max.ms` too, or such a follower would hold a new leader's HW back then.
#[test]
fn a_follower_outside_the_isr_is_never_caught_up_after_a_leader_change() {
    let lag_max = Sim::new(1, ClusterSpec::default())
        .unwrap()
        .cluster
        .broker_config
        .replica_lag_time_max_ms;
    let seen = FollowerState {
        log_end_offset: 7,
        last_caught_up_ms: 900,
        last_fetch_ms: 900,
        leader_leo_at_last_fetch: 10,
    };
    for same_leader in [false, true] {
        let s = seen.clone().reset(1_000, 10, same_leader, false);
        assert!(1_000 - s.last_caught_up_ms > lag_max, "{s:?}");
        assert_eq!(s.last_fetch_ms, 0);
    }
    let new_leader = seen.clone().reset(1_000, 12, false, true);
    assert_eq!(
        (new_leader.log_end_offset, new_leader.last_caught_up_ms),
        (-1, 1_000)
    );
    let same_leader = seen.reset(1_000, 12, true, true);
    assert_eq!(
        (
            same_leader.log_end_offset,
            same_leader.leader_leo_at_last_fetch
        ),
        (7, 12)
    );
}

/// A follower takes its high watermark from each fetch answer, bounded by its own log
/// (`ReplicaFetcherThread.processPartitionData` calls `UnifiedLog.maybeUpdateHighWatermark`,
/// which sets it, up or down, unlike the leader's `maybeIncrementHighWatermark`): after a
/// failover to a leader that had not yet learnt the old high watermark, the other followers'
/// follow it down, and back up once the new leader's moves.
#[test]
fn a_followers_high_watermark_follows_a_new_leaders_down() {
    let spec = ClusterSpec {
        brokers: 4,
        ..ClusterSpec::default()
    };
    let mut sim = Sim::new(1, spec).unwrap();
    sim.apply(Command::CreateTopic {
        name: "f".into(),
        partitions: Some(1),
        replication_factor: None,
        configs: BTreeMap::new(),
        assignment: Some(vec![vec![0, 1, 2, 3]]),
    })
    .unwrap();
    let tp = TopicPartition::new("f", 0);
    sim.run_for(1_000);
    // Broker 1 (next in line) hears from leader 0 slowly: it learns the HW last.
    let slow = NetworkFault::Latency(NodeId::Broker(0), NodeId::Broker(1), 300);
    sim.apply_network_fault(slow).unwrap();
    producer(&mut sim, "p", "1");
    produce(&mut sim, "p", &tp, 5);
    assert!(sim.run_while(3_000, |s| hw(s, 2, &tp) == 5));
    let before = hw(&sim, 1, &tp);
    assert!(before < 5, "broker 1 already has HW {before}");
    // Broker 3 cannot reach broker 1: as leader, 1 waits for it (in the ISR) to move its HW.
    isolate(&mut sim, 3, &[1]);
    sim.apply(Command::StopBroker { id: 0, hard: true })
        .unwrap();
    assert!(sim.run_while(15_000, |s| s.cluster.leader_of(&tp) == Some(1)));
    assert_eq!(isr(&sim, &tp), vec![1, 2, 3]);
    let followed = sim.run_while(2_000, |s| hw(s, 2, &tp) < 5);
    assert!(followed, "broker 2 kept HW {}", hw(&sim, 2, &tp));
    assert_eq!(hw(&sim, 2, &tp), hw(&sim, 1, &tp));
    // Broker 3 leaves the ISR (replica.lag.time.max.ms): the leader's HW, then 2's, reach 5.
    assert!(sim.run_while(40_000, |s| hw(s, 2, &tp) == 5));
    assert_eq!(isr(&sim, &tp), vec![1, 2]);
    assert_eq!(sim.violations(), &[]);
}

/// Broker 0, the preferred leader of `tp`, stops cleanly and starts again: broker 1 leads, and
/// 0 follows it back into the ISR.
fn bounce_broker_0(sim: &mut Sim, tp: &TopicPartition) {
    sim.apply(Command::StopBroker { id: 0, hard: false })
        .unwrap();
    sim.run_for(5_000);
    assert_eq!(sim.cluster.leader_of(tp), Some(1));
    sim.apply(Command::StartBroker { id: 0 }).unwrap();
    assert!(sim.run_while(30_000, |s| isr(s, tp).contains(&0)));
}

/// A leader change takes the partition off the fetcher of the former leader
/// (`ReplicaManager.makeLeaders`), and `AbstractFetcherThread.processFetchRequest` drops what a
/// late answer says of a partition it no longer fetches: the former leader's records still on
/// the wire neither land in the new leader's log nor set its high watermark.
#[test]
fn a_late_answer_from_the_former_leader_is_dropped() {
    let mut sim = Sim::new(1, ClusterSpec::default()).unwrap();
    let tp = topic(&mut sim, "l", &[]);
    sim.run_for(1_000);
    producer(&mut sim, "p", "1");
    produce(&mut sim, "p", &tp, 5);
    sim.run_for(1_000);
    bounce_broker_0(&mut sim, &tp);
    // Answers from 1 reach 0 slowly; one carries new records when 0 becomes leader again.
    let slow = NetworkFault::Latency(NodeId::Broker(0), NodeId::Broker(1), 300);
    sim.apply_network_fault(slow).unwrap();
    sim.run_for(1_000);
    produce(&mut sim, "p", &tp, 5);
    let records_on_the_wire = |s: &Sim| {
        s.net.in_flight().any(|e| {
            (e.from, e.to) == (NodeId::Broker(1), NodeId::Broker(0))
                && matches!(&e.body, Body::FetchResponse { partitions, .. }
                    if partitions.iter().any(|p| p.result.as_ref().is_ok_and(|r| !r.is_empty())))
        })
    };
    assert!(sim.run_while(2_000, records_on_the_wire));
    let (end, high_watermark) = (leo(&sim, 0, &tp), hw(&sim, 0, &tp));
    sim.elect_leaders(ElectionType::Preferred, Some(vec![tp.clone()]));
    assert_eq!(sim.cluster.leader_of(&tp), Some(0));
    assert!(sim.run_while(1_000, |s| !records_on_the_wire(s)));
    assert_eq!(leo(&sim, 0, &tp), end);
    assert_eq!(hw(&sim, 0, &tp), high_watermark);
}

/// Whether a fetch answer from broker `from` is on its way with `code` for `tp`.
fn fetch_answer_with(sim: &Sim, from: i32, tp: &TopicPartition, code: ErrorCode) -> bool {
    sim.net.in_flight().any(|e| {
        e.from == NodeId::Broker(from)
            && matches!(&e.body, Body::FetchResponse { partitions, .. }
                if partitions.iter().any(|p| p.tp == *tp && p.result.as_ref().err() == Some(&code)))
    })
}

/// `ReplicaManager.makeFollowers` completes what waits on a partition its broker stops
/// leading (`completeDelayedFetchOrProduceRequests`): a fetch parked there for it is answered
/// at once with NOT_LEADER_OR_FOLLOWER, not when `replica.fetch.wait.max.ms` runs out.
#[test]
fn a_fetch_parked_at_a_leader_that_steps_down_is_answered_at_once() {
    let mut sim = Sim::new(1, ClusterSpec::default()).unwrap();
    let tp = topic(&mut sim, "s", &[]);
    sim.run_for(1_000);
    bounce_broker_0(&mut sim, &tp);
    sim.run_for(1_000);
    let not_leader = ErrorCode::NotLeaderOrFollower;
    assert!(!fetch_answer_with(&sim, 1, &tp, not_leader));
    sim.elect_leaders(ElectionType::Preferred, Some(vec![tp.clone()]));
    assert_eq!(sim.cluster.leader_of(&tp), Some(0));
    assert!(
        fetch_answer_with(&sim, 1, &tp, not_leader),
        "the fetch parked at broker 1 waits for its timeout"
    );
}

/// `ReplicaManager.stopPartitions` does the same for a deleted topic's partitions: the fetches
/// parked on them are answered at once, with UNKNOWN_TOPIC_OR_PARTITION.
#[test]
fn a_fetch_parked_on_a_deleted_topic_is_answered_at_once() {
    let mut sim = Sim::new(1, ClusterSpec::default()).unwrap();
    let tp = topic(&mut sim, "d", &[]);
    sim.run_for(2_000);
    let unknown = ErrorCode::UnknownTopicOrPartition;
    assert!(!fetch_answer_with(&sim, 0, &tp, unknown));
    sim.apply(Command::DeleteTopic { name: "d".into() })
        .unwrap();
    assert!(
        fetch_answer_with(&sim, 0, &tp, unknown),
        "the fetches parked at broker 0 wait for their timeout"
    );
}

/// `ReplicaManager.fetchMessages` reads before it counts the follower's offsets
/// (`Partition.fetchRecords`: `readRecords`, then `updateFollowerFetchState`): an answer sent at
/// once carries the high watermark from before the fetch moved it, and the follower learns the
/// new one from its next answer.
#[test]
fn an_answer_sent_at_once_carries_the_high_watermark_from_before_the_fetch() {
    let mut sim = Sim::new(1, ClusterSpec::default()).unwrap();
    let tp = topic(&mut sim, "r", &[]);
    sim.run_for(1_000);
    let slow = NetworkFault::Latency(NodeId::Broker(0), NodeId::Broker(1), 100);
    sim.apply_network_fault(slow).unwrap();
    sim.run_for(1_000);
    producer(&mut sim, "p", "1");
    produce(&mut sim, "p", &tp, 1);
    assert!(sim.run_while(1_000, |s| leo(s, 1, &tp) == 1));
    // Broker 1's fetch at offset 1 is on its way; a record reaches the leader first, so the
    // fetch is answered at once, and it is the one that moves the high watermark to 1.
    produce(&mut sim, "p", &tp, 1);
    assert!(sim.run_while(1_000, |s| leo(s, 1, &tp) == 2));
    assert_eq!(hw(&sim, 0, &tp), 1);
    assert_eq!(hw(&sim, 1, &tp), 0);
}

/// A world whose brokers checkpoint their high watermarks every `interval` ms
/// (`replica.high.watermark.checkpoint.interval.ms`), with topic `c` on brokers 0, 1, 2.
fn checkpointing(interval: &str) -> (Sim, TopicPartition) {
    let spec = ClusterSpec {
        broker_overrides: BTreeMap::from([(
            "replica.high.watermark.checkpoint.interval.ms".to_string(),
            interval.to_string(),
        )]),
        ..ClusterSpec::default()
    };
    let mut sim = Sim::new(1, spec).unwrap();
    let tp = topic(&mut sim, "c", &[]);
    producer(&mut sim, "p", "all");
    (sim, tp)
}

/// Broker `b` killed, fenced once its session expires (so it starts again at once), started.
fn crash_and_start(sim: &mut Sim, b: i32) {
    sim.apply(Command::StopBroker { id: b, hard: true })
        .unwrap();
    sim.run_for(12_000);
    assert!(!sim.cluster.is_eligible_for_isr(b));
    sim.apply(Command::StartBroker { id: b }).unwrap();
    assert!(sim.cluster.brokers[&b].alive);
}

/// `ReplicaManager` writes every replica's high watermark to `replication-offset-checkpoint`
/// every `replica.high.watermark.checkpoint.interval.ms` (5 s) and at a clean shutdown; a
/// broker starting loads its replicas' high watermarks from that file (`Partition.createLog`).
/// A follower killed right after its high watermark moved starts from the older checkpointed
/// one, until the leader's next fetch answer brings it up again.
#[test]
fn a_follower_crashed_before_its_high_watermark_was_checkpointed_starts_from_the_older_one() {
    let (mut sim, tp) = checkpointing("5000");
    // The brokers started at 0: checkpoints at 5 s, 10 s, ... The one at 5 s holds 0.
    sim.run_until(5_100);
    produce(&mut sim, "p", &tp, 5);
    assert!(sim.run_while(1_000, |s| hw(s, 1, &tp) == 5));
    assert!(sim.now() < 10_000);
    crash_and_start(&mut sim, 1);
    assert_eq!(hw(&sim, 1, &tp), 0, "the checkpoint written at 5 s");
    assert_eq!(leo(&sim, 1, &tp), 5);
    assert!(sim.run_while(2_000, |s| hw(s, 1, &tp) == 5));
    assert_eq!(sim.violations(), &[]);
}

/// What the checkpoint holds: a high watermark that moved more than an interval before a
/// crash, or any high watermark at a clean shutdown (`ReplicaManager.shutdown` checkpoints).
#[test]
fn a_checkpointed_high_watermark_survives_a_crash_and_a_clean_stop_checkpoints() {
    let (mut sim, tp) = checkpointing("5000");
    sim.run_until(5_100);
    produce(&mut sim, "p", &tp, 5);
    // The checkpoint at 10 s has it.
    sim.run_until(10_100);
    assert_eq!(hw(&sim, 1, &tp), 5);
    crash_and_start(&mut sim, 1);
    assert_eq!(hw(&sim, 1, &tp), 5);
    sim.run_for(2_000);
    // A clean stop right after the high watermark moved checkpoints it on the way out.
    produce(&mut sim, "p", &tp, 5);
    assert!(sim.run_while(1_000, |s| hw(s, 2, &tp) == 10));
    sim.apply(Command::StopBroker { id: 2, hard: false })
        .unwrap();
    assert!(sim.run_while(3_000, |s| !s.cluster.brokers[&2].alive));
    sim.apply(Command::StartBroker { id: 2 }).unwrap();
    assert!(sim.cluster.brokers[&2].alive);
    assert_eq!(hw(&sim, 2, &tp), 10);
    assert_eq!(sim.violations(), &[]);
}

/// The checkpointed high watermark is kept within the log (`UnifiedLog.updateHighWatermark`
/// clamps it to [log start, log end]): a follower whose log start moved past its checkpoint
/// (DeleteRecords) starts at its log start. With the interval 0 or less, `KafkaScheduler`
/// runs the checkpoint once at start-up and never again: only a clean shutdown writes one.
#[test]
fn a_checkpoint_below_the_log_start_loads_as_the_log_start() {
    let (mut sim, tp) = checkpointing("0");
    sim.run_for(1_000);
    produce(&mut sim, "p", &tp, 5);
    sim.run_for(30_000);
    assert_eq!(hw(&sim, 1, &tp), 5);
    sim.apply(Command::DeleteRecords {
        tp: tp.clone(),
        offset: 3,
    })
    .unwrap();
    assert!(sim.run_while(2_000, |s| s
        .replica(1, &tp)
        .is_some_and(|r| r.log.log_start_offset() == 3)));
    crash_and_start(&mut sim, 1);
    assert_eq!(hw(&sim, 1, &tp), 3);
    assert!(sim.run_while(2_000, |s| hw(s, 1, &tp) == 5));
    assert_eq!(sim.violations(), &[]);
}
