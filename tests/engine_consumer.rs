//! The consumer client against Kafka's Java client: fetching after a failover, closing,
//! auto-commit, offset resets, fetching during a cooperative rebalance, the poll interval.

use kafka_playground::engine::client::Client;
use kafka_playground::engine::faults::NetworkFault;
use kafka_playground::engine::protocol::ApiKey;
use kafka_playground::engine::trace::TraceEvent;
use kafka_playground::engine::{Command, Sim, TopicPartition, WorkloadSpec};
use std::collections::BTreeMap;

mod common;
use common::{await_producer_id, create_topic, sim};

fn produce(s: &mut Sim, topic: &str, partition: i32, n: usize) {
    for i in 0..n {
        s.apply(Command::Produce {
            producer: "w".into(),
            topic: topic.into(),
            partition: Some(partition),
            key: None,
            value: Some(format!("v{i}")),
            timestamp: None,
        })
        .expect("produce");
    }
}

/// A consumer of `topic`: in `group` (subscribed), or standalone on the partitions of `assign`
/// (each from its given offset, if any) when `group` is None. `auto.offset.reset=earliest`
/// unless `configs` says otherwise.
fn consumer(
    s: &mut Sim,
    name: &str,
    group: Option<&str>,
    topic: &str,
    assign: &[(i32, Option<i64>)],
    configs: &[(&str, &str)],
    process_time_ms: i64,
) {
    let mut all = BTreeMap::from([("auto.offset.reset".to_string(), "earliest".to_string())]);
    for (k, v) in configs {
        all.insert(k.to_string(), v.to_string());
    }
    let tp = |p: i32| TopicPartition::new(topic, p);
    s.apply(Command::StartConsumer {
        name: name.into(),
        group: group.map(String::from),
        topics: if group.is_some() {
            vec![topic.into()]
        } else {
            Vec::new()
        },
        assign: assign.iter().map(|(p, _)| tp(*p)).collect(),
        start_offsets: assign
            .iter()
            .filter_map(|(p, o)| Some((tp(*p), (*o)?)))
            .collect(),
        configs: all,
        process_time_ms,
    })
    .expect("consumer");
}

fn group_consumer(s: &mut Sim, name: &str, topic: &str, configs: &[(&str, &str)], process: i64) {
    consumer(s, name, Some("g"), topic, &[], configs, process);
}

fn consumed(s: &Sim, name: &str) -> u64 {
    s.client_views()
        .iter()
        .find(|c| c.name == name)
        .map_or(0, |c| c.consumed)
}

fn leader(s: &Sim, topic: &str) -> i32 {
    s.topic(topic).unwrap().partitions[0].leader.unwrap()
}

/// `AbstractFetch.prepareFetchRequests` runs at every poll: after the leader's broker goes
/// away, a consumer made with `assign()` fetches from the new leader as a group member does.
#[test]
fn a_standalone_consumer_follows_its_partition_to_a_new_leader() {
    for hard in [false, true] {
        let mut s = sim(3);
        create_topic(&mut s, "t", 1, 3);
        s.run_for(1_000);
        produce(&mut s, "t", 0, 5);
        s.run_for(2_000);
        consumer(&mut s, "c", None, "t", &[(0, None)], &[], 0);
        group_consumer(&mut s, "gc", "t", &[], 0);
        s.run_for(6_000);
        assert_eq!((consumed(&s, "c"), consumed(&s, "gc")), (5, 5));
        let old = leader(&s, "t");
        s.apply(Command::StopBroker { id: old, hard }).unwrap();
        s.run_for(2_000);
        produce(&mut s, "t", 0, 5);
        s.run_for(20_000);
        assert_ne!(leader(&s, "t"), old);
        assert_eq!(consumed(&s, "gc"), 10, "hard={hard}");
        assert_eq!(consumed(&s, "c"), 10, "hard={hard}");
    }
}

/// `ConsumerCoordinator.close(timer)`: the final commit is retried at the new coordinator when
/// the old one goes down with it in flight, and `close()` returns within its 30 s timeout.
#[test]
fn close_commits_at_the_new_coordinator_when_the_old_one_dies_during_it() {
    let mut s = sim(3);
    create_topic(&mut s, "t", 1, 3);
    s.run_for(1_000);
    produce(&mut s, "t", 0, 5);
    group_consumer(&mut s, "c", "t", &[], 0);
    s.run_for(10_000);
    assert_eq!(consumed(&s, "c"), 5);
    let coordinator = s.group_view("g").unwrap().coordinator.unwrap();
    s.apply(Command::StopConsumer {
        name: "c".into(),
        hard: false,
    })
    .unwrap();
    s.apply(Command::StopBroker {
        id: coordinator,
        hard: true,
    })
    .unwrap();
    let start = s.now();
    assert!(
        s.run_while(30_000, |s| s.client("c").is_none()),
        "close() is bounded by its timeout"
    );
    assert!(s.now() - start <= 30_000);
    s.run_for(1_000);
    let g = s.group_view("g").unwrap();
    assert_ne!(g.coordinator, Some(coordinator));
    assert_eq!(
        g.offsets.iter().map(|o| o.committed).collect::<Vec<_>>(),
        [Some(5)]
    );
}

/// However long the coordinator stays unreachable, `close()` returns after 30 s.
#[test]
fn close_gives_up_its_commit_after_the_close_timeout() {
    let mut s = sim(1);
    create_topic(&mut s, "t", 1, 1);
    s.run_for(1_000);
    group_consumer(&mut s, "c", "t", &[], 0);
    s.run_for(10_000);
    let node = s.client_node("c").unwrap();
    s.apply(Command::Network(NetworkFault::Isolate(node)))
        .unwrap();
    s.apply(Command::StopConsumer {
        name: "c".into(),
        hard: false,
    })
    .unwrap();
    let start = s.now();
    assert!(s.run_while(60_000, |s| s.client("c").is_none()));
    assert_eq!(s.now() - start, 30_000);
}

fn committed(s: &Sim) -> Option<i64> {
    s.group_view("g").unwrap().offsets[0].committed
}

/// Auto-commit happens in `poll()`: a commit that falls due while the records the last poll
/// returned are processed waits for the next poll, so a crash never loses unprocessed records.
#[test]
fn auto_commit_waits_for_the_processing_to_end() {
    let mut s = sim(1);
    create_topic(&mut s, "t", 1, 1);
    produce(&mut s, "t", 0, 100);
    s.run_for(1_000);
    // 100 ms a record: the 100 records of the first poll take 10 s, two commit intervals.
    group_consumer(&mut s, "c", "t", &[], 100);
    assert!(s.run_while(10_000, |s| consumed(s, "c") == 100));
    let polled = s.now();
    let processed = polled + 100 * 100;
    while s.now() < processed {
        s.run_for(100);
        assert!(
            committed(&s).unwrap_or(0) < 100,
            "committed {:?} at {} before the processing ends at {processed}",
            committed(&s),
            s.now()
        );
    }
    // The commit due during processing goes at the next poll.
    s.run_for(100);
    assert_eq!(committed(&s), Some(100));
}

fn consumer_error(s: &Sim, name: &str) -> Option<String> {
    match s.client(name) {
        Some(Client::Consumer(x)) => x.error.clone(),
        _ => None,
    }
}

/// `FetchCollector.handleInitializeErrors` with `auto.offset.reset=none`: the application
/// gets `OffsetOutOfRangeException` naming the fetch position, which stays where it was.
#[test]
fn an_out_of_range_position_without_a_reset_policy_raises_and_stays() {
    let mut s = sim(1);
    create_topic(&mut s, "t", 1, 1);
    produce(&mut s, "t", 0, 10);
    s.run_for(1_000);
    let none = [("auto.offset.reset", "none")];
    consumer(&mut s, "c", None, "t", &[(0, Some(100))], &none, 0);
    s.run_for(2_000);
    assert_eq!(
        consumer_error(&s, "c").as_deref(),
        Some(
            "org.apache.kafka.clients.consumer.OffsetOutOfRangeException: Fetch position \
             FetchPosition{offset=100, offsetEpoch=Optional.empty, currentLeader=LeaderAndEpoch{\
             leader=Optional[localhost:9092 (id: 0 rack: null)], epoch=0}} is out of range for \
             partition t-0"
        )
    );
    let v = s
        .client_views()
        .into_iter()
        .find(|c| c.name == "c")
        .unwrap();
    assert_eq!(v.positions, [(TopicPartition::new("t", 0), 100)]);
    let resets = s
        .trace()
        .recent()
        .filter(|(_, _, e)| matches!(e, TraceEvent::OffsetReset { .. }))
        .count();
    assert_eq!(resets, 0, "nothing was reset");
}

/// The reset is traced once ListOffsets has answered, with the offset it found ("Resetting
/// offset for partition t-0 to position FetchPosition{offset=0, ...}").
#[test]
fn an_out_of_range_reset_is_traced_with_the_offset_found() {
    for (policy, to) in [("earliest", 0), ("latest", 10)] {
        let mut s = sim(1);
        create_topic(&mut s, "t", 1, 1);
        produce(&mut s, "t", 0, 10);
        s.run_for(1_000);
        let reset = [("auto.offset.reset", policy)];
        consumer(&mut s, "c", None, "t", &[(0, Some(100))], &reset, 0);
        s.run_for(2_000);
        let resets: Vec<_> = s
            .trace()
            .recent()
            .filter_map(|(_, _, e)| match e {
                TraceEvent::OffsetReset { from, to, .. } => Some((*from, *to)),
                _ => None,
            })
            .collect();
        assert_eq!(resets, [(100, to)], "{policy}");
        let v = s
            .client_views()
            .into_iter()
            .find(|c| c.name == "c")
            .unwrap();
        assert_eq!(v.positions, [(TopicPartition::new("t", 0), 10)], "{policy}");
    }
}

/// `ClassicKafkaConsumer.poll` fetches while a rebalance runs: a cooperative member goes on
/// reading the partitions it keeps; an eager one revoked everything before joining.
#[test]
fn cooperative_members_keep_fetching_during_a_rebalance() {
    for (strategy, cooperative) in [
        (
            "org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
            true,
        ),
        ("org.apache.kafka.clients.consumer.RangeAssignor", false),
    ] {
        let mut s = sim(3);
        create_topic(&mut s, "t", 6, 1);
        s.apply(Command::StartProducer {
            name: "p".into(),
            configs: BTreeMap::new(),
            workload: Some(WorkloadSpec {
                topic: "t".into(),
                records_per_sec: 200,
                keys: Some(50),
                max_records: None,
            }),
        })
        .unwrap();
        let configs = [("partition.assignment.strategy", strategy)];
        group_consumer(&mut s, "c1", "t", &configs, 0);
        group_consumer(&mut s, "c2", "t", &configs, 0);
        s.run_for(10_000);
        group_consumer(&mut s, "c3", "t", &configs, 0);
        let (mut rebalancing_ms, mut consumed_meanwhile) = (0, 0);
        let mut last = consumed(&s, "c1");
        for _ in 0..10_000 {
            s.run_for(1);
            let views = s.client_views();
            let c1 = views.iter().find(|c| c.name == "c1").unwrap();
            if c1.phase != "Stable" {
                rebalancing_ms += 1;
                consumed_meanwhile += c1.consumed - last;
            }
            last = c1.consumed;
        }
        assert!(rebalancing_ms > 0, "{strategy}");
        if cooperative {
            // Seconds of the partitions it keeps (about 67 records a second), not just what
            // the fetches in flight as the rebalance began brought.
            assert!(rebalancing_ms >= 1_000, "{strategy}: {rebalancing_ms} ms");
            assert!(consumed_meanwhile > 100, "{strategy}: {consumed_meanwhile}");
        } else {
            assert_eq!(consumed_meanwhile, 0, "{strategy}");
        }
    }
}

/// A consumer made with `assign()` and a `group.id` only commits to the group: losing its
/// coordinator makes it look for the new one, never join the group.
#[test]
fn an_assigned_consumer_with_a_group_id_never_joins_after_losing_its_coordinator() {
    let mut s = sim(3);
    create_topic(&mut s, "t", 1, 3);
    s.run_for(1_000);
    produce(&mut s, "t", 0, 5);
    s.apply(Command::StartConsumer {
        name: "c".into(),
        group: Some("g".into()),
        topics: Vec::new(),
        assign: vec![TopicPartition::new("t", 0)],
        start_offsets: BTreeMap::new(),
        configs: BTreeMap::from([("auto.offset.reset".into(), "earliest".into())]),
        process_time_ms: 0,
    })
    .unwrap();
    s.run_for(10_000);
    assert_eq!(consumed(&s, "c"), 5);
    let coordinator = s.group_view("g").unwrap().coordinator.unwrap();
    s.apply(Command::StopBroker {
        id: coordinator,
        hard: true,
    })
    .unwrap();
    produce(&mut s, "t", 0, 5);
    s.run_for(30_000);
    let g = s.group_view("g").unwrap();
    assert!(g.members.is_empty(), "members: {:?}", g.members);
    assert_eq!(consumed(&s, "c"), 10);
    // Its auto-commits reach the new coordinator.
    assert_ne!(g.coordinator, Some(coordinator));
    assert_eq!(
        g.offsets.iter().map(|o| o.committed).collect::<Vec<_>>(),
        [Some(10)]
    );
}

/// What `pick` finds in the recent trace, with each event's time, in order.
fn traced<T>(s: &Sim, pick: impl Fn(i64, &TraceEvent) -> Option<T>) -> Vec<T> {
    s.trace()
        .recent()
        .filter_map(|(t, _, e)| pick(*t, e))
        .collect()
}

fn removals(s: &Sim) -> Vec<(i64, String, String)> {
    traced(s, |t, e| match e {
        TraceEvent::MemberRemoved { member, reason, .. } => {
            Some((t, member.clone(), reason.clone()))
        }
        _ => None,
    })
}

/// `max.poll.interval.ms`: a member that processes for longer than that leaves the group
/// ("consumer poll timeout has expired."), its partitions go to the others, who read again
/// what it had not committed, and it rejoins as a new member at its next `poll()`.
#[test]
fn a_member_that_does_not_poll_in_time_leaves_and_rejoins_at_its_next_poll() {
    let mut s = sim(1);
    create_topic(&mut s, "t", 2, 1);
    s.run_for(1_000);
    produce(&mut s, "t", 0, 15);
    produce(&mut s, "t", 1, 15);
    s.run_for(1_000);
    let slow = [("max.poll.interval.ms", "10000")];
    group_consumer(&mut s, "slow", "t", &slow, 1_000);
    assert!(s.run_while(20_000, |s| consumed(s, "slow") > 0));
    let polled = s.now();
    let first_id = s.group_view("g").unwrap().members[0].member_id.clone();
    group_consumer(&mut s, "fast", "t", &[], 0);
    s.run_for(12_000);
    let left: Vec<_> = removals(&s)
        .into_iter()
        .filter(|(_, m, _)| *m == first_id)
        .collect();
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(left[0].2, "consumer poll timeout has expired.");
    assert!(
        (polled + 10_000..polled + 10_100).contains(&left[0].0),
        "{left:?}"
    );
    // The group went on without it, and the fast member read everything again.
    s.run_for(5_000);
    let g = s.group_view("g").unwrap();
    assert_eq!((g.state.as_str(), g.members.len()), ("Stable", 1));
    assert_eq!(consumed(&s, "fast"), 30);
    // Once its processing ends it polls, and joins again with a new member id.
    s.run_for(40_000);
    let g = s.group_view("g").unwrap();
    assert_eq!((g.state.as_str(), g.members.len()), ("Stable", 2), "{g:?}");
    assert!(g.members.iter().all(|m| m.member_id != first_id));
}

/// How the application's last `commitSync()` ended: `None` while it runs; the exception's
/// class and message when it threw.
fn commit_sync_result(s: &Sim, name: &str) -> Option<Result<(), (String, String)>> {
    match s.client(name) {
        Some(Client::Consumer(x)) => x
            .commit_sync_result()
            .map(|r| r.clone().map_err(|f| (f.class().to_string(), f.message()))),
        _ => None,
    }
}

fn commit_sync(s: &mut Sim, name: &str) {
    s.apply(Command::CommitSync {
        consumer: name.into(),
    })
    .unwrap();
}

fn commit_failures(s: &Sim) -> Vec<String> {
    traced(s, |_, e| match e {
        TraceEvent::OffsetCommitFailed { exception, .. } => Some(exception.to_string()),
        _ => None,
    })
}

/// `sendOffsetCommitRequest`: a member that left the group because its poll timeout expired
/// cannot commit what it is still processing; `commitSync()` throws CommitFailedException at
/// once, without a request.
#[test]
fn commit_sync_after_the_poll_timeout_throws_commit_failed() {
    let mut s = sim(1);
    create_topic(&mut s, "t", 1, 1);
    s.run_for(1_000);
    produce(&mut s, "t", 0, 20);
    let slow = [
        ("max.poll.interval.ms", "10000"),
        ("enable.auto.commit", "false"),
    ];
    group_consumer(&mut s, "c", "t", &slow, 1_000);
    assert!(s.run_while(20_000, |s| consumed(s, "c") > 0));
    commit_sync(&mut s, "c");
    assert_eq!(commit_sync_result(&s, "c"), None, "the commit is in flight");
    s.run_for(100);
    assert_eq!(commit_sync_result(&s, "c"), Some(Ok(())));
    assert_eq!(committed(&s), Some(20));
    s.run_for(10_000);
    commit_sync(&mut s, "c");
    let (class, message) = commit_sync_result(&s, "c").unwrap().unwrap_err();
    assert_eq!(
        class,
        "org.apache.kafka.clients.consumer.CommitFailedException"
    );
    assert_eq!(
        message,
        "Offset commit cannot be completed since the consumer is not part of an active group for auto partition assignment; it is likely that the consumer was kicked out of the group."
    );
    assert_eq!(commit_failures(&s), ["CommitFailedException"]);
}

/// `OffsetCommitResponseHandler`: a member cut off for longer than its session timeout was
/// removed; its commit after the heal gets UNKNOWN_MEMBER_ID, `commitSync()` throws
/// CommitFailedException, and the member joins again as a new member.
#[test]
fn a_commit_after_the_session_expired_fails_and_the_member_rejoins() {
    let mut s = sim(1);
    create_topic(&mut s, "t", 1, 1);
    s.run_for(1_000);
    produce(&mut s, "t", 0, 5);
    let configs = [
        ("enable.auto.commit", "false"),
        ("default.api.timeout.ms", "120000"),
    ];
    group_consumer(&mut s, "c", "t", &configs, 0);
    assert!(s.run_while(20_000, |s| consumed(s, "c") == 5));
    let first_id = s.group_view("g").unwrap().members[0].member_id.clone();
    let node = s.client_node("c").unwrap();
    s.apply(Command::Network(NetworkFault::Isolate(node)))
        .unwrap();
    commit_sync(&mut s, "c");
    s.run_for(50_000);
    assert_eq!(
        s.group_view("g").unwrap().members.len(),
        0,
        "session expired"
    );
    assert_eq!(commit_sync_result(&s, "c"), None, "still retrying");
    s.apply(Command::Network(NetworkFault::Heal)).unwrap();
    // Requests lost in the partition time out first (`request.timeout.ms`).
    assert!(s.run_while(40_000, |s| commit_sync_result(s, "c").is_some()));
    let (class, message) = commit_sync_result(&s, "c").unwrap().unwrap_err();
    assert_eq!(
        class,
        "org.apache.kafka.clients.consumer.CommitFailedException"
    );
    assert!(
        message.starts_with("Commit cannot be completed since the group has already rebalanced")
    );
    assert!(
        s.group_view("g").unwrap().offsets.is_empty(),
        "nothing committed"
    );
    s.run_for(10_000);
    let g = s.group_view("g").unwrap();
    assert_eq!((g.state.as_str(), g.members.len()), ("Stable", 1), "{g:?}");
    assert_ne!(g.members[0].member_id, first_id);
}

/// `KafkaConsumer.commitSync`: with no coordinator to be found, it gives up after
/// `default.api.timeout.ms` with a TimeoutException naming the offsets.
#[test]
fn commit_sync_times_out_after_the_default_api_timeout() {
    let mut s = sim(1);
    create_topic(&mut s, "t", 1, 1);
    s.run_for(1_000);
    produce(&mut s, "t", 0, 3);
    let configs = [
        ("enable.auto.commit", "false"),
        ("default.api.timeout.ms", "20000"),
    ];
    group_consumer(&mut s, "c", "t", &configs, 0);
    assert!(s.run_while(20_000, |s| consumed(s, "c") == 3));
    let node = s.client_node("c").unwrap();
    s.apply(Command::Network(NetworkFault::Isolate(node)))
        .unwrap();
    commit_sync(&mut s, "c");
    let start = s.now();
    assert!(s.run_while(60_000, |s| commit_sync_result(s, "c").is_some()));
    assert!(
        (20_000..21_000).contains(&(s.now() - start)),
        "{}",
        s.now() - start
    );
    let (class, message) = commit_sync_result(&s, "c").unwrap().unwrap_err();
    assert_eq!(class, "org.apache.kafka.common.errors.TimeoutException");
    assert_eq!(
        message,
        "Timeout of 20000ms expired before successfully committing offsets {t-0=OffsetAndMetadata{offset=3, leaderEpoch=0, metadata=''}}"
    );
}

/// KIP-848 (`AbstractHeartbeatRequestManager.poll`): when the poll timer expires the member
/// sends its leave heartbeat and goes STALE, the others take its partitions, and at its next
/// `poll()` it joins again with epoch 0 under the same member id.
#[test]
fn a_kip848_member_that_does_not_poll_in_time_leaves_and_rejoins_at_its_next_poll() {
    let mut s = sim(1);
    create_topic(&mut s, "t", 2, 1);
    s.run_for(1_000);
    produce(&mut s, "t", 0, 15);
    produce(&mut s, "t", 1, 15);
    s.run_for(1_000);
    let kip848 = ("group.protocol", "consumer");
    // Without auto-commit (the commit before a revocation would commit what it polled).
    let slow = [
        ("max.poll.interval.ms", "10000"),
        ("enable.auto.commit", "false"),
        kip848,
    ];
    group_consumer(&mut s, "slow", "t", &slow, 1_000);
    assert!(s.run_while(20_000, |s| consumed(s, "slow") > 0));
    let polled = s.now();
    let member_id = s.group_view("g").unwrap().members[0].member_id.clone();
    group_consumer(&mut s, "fast", "t", &[kip848], 0);
    assert!(
        s.run_while(11_000, |s| s.group_view("g").unwrap().members.len() == 1
            && s.now() > polled + 5_000)
    );
    assert!(
        (polled + 10_000..polled + 10_100).contains(&s.now()),
        "left at {} (polled at {polled})",
        s.now()
    );
    s.run_for(5_000);
    let g = s.group_view("g").unwrap();
    assert_eq!(g.members.len(), 1);
    assert_ne!(g.members[0].member_id, member_id);
    assert_eq!(
        consumed(&s, "fast"),
        30,
        "the fast member read everything again"
    );
    // Once its processing ends it polls and joins again, with the same member id.
    s.run_for(40_000);
    let g = s.group_view("g").unwrap();
    assert_eq!(g.members.len(), 2, "{g:?}");
    assert!(g.members.iter().any(|m| m.member_id == member_id));
}

/// When the consumer sent its Fetch requests (not the answers).
fn fetch_times(s: &Sim, name: &str) -> Vec<i64> {
    let node = s.client_node(name).unwrap();
    traced(s, |t, e| {
        matches!(e, TraceEvent::MessageSent { api: ApiKey::Fetch, from, .. } if *from == node)
            .then_some(t)
    })
}

/// What `poll()` handed the application, poll by poll: (time, partition, first, last offset).
fn polls(s: &Sim, name: &str) -> Vec<(i64, i32, i64, i64)> {
    traced(s, |t, e| match e {
        TraceEvent::Consumed {
            client,
            tp,
            first_offset,
            last_offset,
        } if client == name => Some((t, tp.partition, *first_offset, *last_offset)),
        _ => None,
    })
}

/// One record per batch, `n` of them, each about `size` bytes of value.
fn produce_batches(s: &mut Sim, topic: &str, partition: i32, n: usize, size: usize) {
    for i in 0..n {
        s.apply(Command::Produce {
            producer: "w".into(),
            topic: topic.into(),
            partition: Some(partition),
            key: None,
            value: Some(format!("{i:0size$}")),
            timestamp: None,
        })
        .expect("produce");
        if i == 0 {
            await_producer_id(s, "w");
        }
        s.run_for(50);
    }
}

/// `FetchCollector.collectFetch`: one fetch brings everything up to `max.partition.fetch.bytes`
/// (1 MiB), the client buffers it, and each `poll()` hands out `max.poll.records` of it; the
/// position is where the application got to, not where the fetch did, and no fetch goes out
/// for a partition with records buffered (`AbstractFetch.fetchablePartitions`).
#[test]
fn a_poll_hands_out_max_poll_records_of_what_one_fetch_brought() {
    let mut s = sim(1);
    create_topic(&mut s, "t", 1, 1);
    produce(&mut s, "t", 0, 50);
    s.run_for(1_000);
    let few = [("max.poll.records", "10")];
    consumer(&mut s, "c", None, "t", &[(0, Some(0))], &few, 100);
    assert!(s.run_while(5_000, |s| consumed(s, "c") > 0));
    assert_eq!(consumed(&s, "c"), 10);
    let v = s
        .client_views()
        .into_iter()
        .find(|c| c.name == "c")
        .unwrap();
    assert_eq!(v.positions, [(TopicPartition::new("t", 0), 10)]);
    assert!(s.run_while(10_000, |s| consumed(s, "c") == 50));
    let got = polls(&s, "c");
    let ranges: Vec<(i64, i64)> = got.iter().map(|p| (p.2, p.3)).collect();
    assert_eq!(ranges, [(0, 9), (10, 19), (20, 29), (30, 39), (40, 49)]);
    // A poll every second (10 records of 100 ms), all from the first fetch.
    assert!(got.windows(2).all(|w| w[1].0 - w[0].0 == 1_000), "{got:?}");
    let fetched = fetch_times(&s, "c");
    let fetches_before = fetched
        .iter()
        .filter(|t| **t > got[0].0 && **t < got[4].0)
        .count();
    assert_eq!(
        fetches_before, 0,
        "nothing fetched while records are buffered"
    );
}

/// `DelayedFetch`: the broker holds a fetch until `fetch.min.bytes` are readable or
/// `fetch.max.wait.ms` passes.
#[test]
fn a_fetch_waits_for_fetch_min_bytes_or_fetch_max_wait_ms() {
    let mut s = sim(1);
    create_topic(&mut s, "t", 1, 1);
    s.run_for(1_000);
    let wait = [("fetch.min.bytes", "1000"), ("fetch.max.wait.ms", "5000")];
    consumer(&mut s, "c", None, "t", &[(0, Some(0))], &wait, 0);
    s.run_for(1_000);
    // One record of some 70 bytes: not enough, the fetch keeps waiting.
    produce(&mut s, "t", 0, 1);
    s.run_for(500);
    assert_eq!(consumed(&s, "c"), 0);
    // Enough bytes (some 170 a batch): answered as soon as they are there.
    let start = s.now();
    produce_batches(&mut s, "t", 0, 10, 100);
    let first = polls(&s, "c").first().map(|p| p.0);
    assert!(
        first.is_some_and(|t| t - start < 400),
        "{first:?} from {start}"
    );
    // Too little again: answered when the fetch's fetch.max.wait.ms ends.
    s.run_for(6_000);
    let before = consumed(&s, "c");
    produce(&mut s, "t", 0, 1);
    assert!(s.run_while(10_000, |s| consumed(s, "c") > before));
    let now = s.now();
    let asked = fetch_times(&s, "c").into_iter().rfind(|t| *t < now);
    let asked = asked.unwrap();
    let waited = s.now() - asked;
    assert!(
        (5_000..5_100).contains(&waited),
        "answered {waited} ms after the fetch"
    );
}

/// `ReplicaManager.readFromLog`: each partition brings at most `max.partition.fetch.bytes`, the
/// whole answer at most `fetch.max.bytes`, in whole batches; the first batch of the first
/// partition with data comes even when larger (KIP-74), so a small limit never blocks.
#[test]
fn fetch_sizes_limit_each_partition_and_the_whole_answer_but_the_first_batch_comes() {
    for (config, value, per_fetch) in [
        // A batch is 61 + some 110 bytes: one per partition and fetch.
        ("max.partition.fetch.bytes", "200", [1, 1]),
        // Smaller than a batch: the first partition's first batch only.
        ("max.partition.fetch.bytes", "10", [1, 0]),
        ("fetch.max.bytes", "10", [1, 0]),
        ("fetch.max.bytes", "300", [1, 0]),
    ] {
        let mut s = sim(1);
        create_topic(&mut s, "t", 2, 1);
        s.run_for(1_000);
        produce_batches(&mut s, "t", 0, 5, 100);
        produce_batches(&mut s, "t", 1, 5, 100);
        s.run_for(1_000);
        consumer(
            &mut s,
            "c",
            None,
            "t",
            &[(0, Some(0)), (1, Some(0))],
            &[(config, value)],
            0,
        );
        assert!(
            s.run_while(20_000, |s| consumed(s, "c") == 10),
            "{config}={value}"
        );
        let got = polls(&s, "c");
        let first: Vec<i64> = [0, 1]
            .iter()
            .map(|p| got.iter().find(|x| x.1 == *p).map_or(0, |x| x.3 - x.2 + 1))
            .collect();
        assert_eq!(first[0], per_fetch[0], "{config}={value}: {got:?}");
        if per_fetch[1] > 0 {
            assert_eq!(first[1], per_fetch[1], "{config}={value}: {got:?}");
        }
        // Every poll got one record.
        assert!(got.iter().all(|x| x.2 == x.3), "{config}={value}: {got:?}");
        // Without the second partition in the first answer, the first poll had one record.
        if per_fetch[1] == 0 {
            assert!(got[0].0 < got[1].0, "{config}={value}: {got:?}");
        }
    }
}

/// Topic `t` (one partition on brokers 0 and 1, unclean election allowed) where the leader
/// wrote 10 records, the last 5 while its follower was cut off and out of the ISR; then the
/// leader dies and the follower, with 5, is elected uncleanly. `before_failover` runs while
/// all 10 are readable (a consumer reads them there).
fn unclean_failover(before_failover: impl FnOnce(&mut Sim)) -> Sim {
    let mut s = sim(2);
    s.apply(Command::CreateTopic {
        name: "t".into(),
        partitions: Some(1),
        replication_factor: Some(2),
        configs: BTreeMap::from([(
            "unclean.leader.election.enable".to_string(),
            "true".to_string(),
        )]),
        assignment: Some(vec![vec![0, 1]]),
    })
    .unwrap();
    s.run_for(1_000);
    produce(&mut s, "t", 0, 5);
    s.run_for(2_000);
    let (b0, b1) = (
        kafka_playground::engine::network::NodeId::Broker(0),
        kafka_playground::engine::network::NodeId::Broker(1),
    );
    s.apply(Command::Network(NetworkFault::Partition(
        vec![b0],
        vec![b1],
    )))
    .unwrap();
    // The follower no longer catches up with the leader's new end: `replica.lag.time.max.ms`
    // (30 s) takes it out of the ISR, and the acks=all writes complete.
    produce(&mut s, "t", 0, 5);
    s.run_for(50_000);
    assert_eq!(s.topic("t").unwrap().partitions[0].isr, [0]);
    before_failover(&mut s);
    s.apply(Command::StopBroker { id: 0, hard: true }).unwrap();
    s.apply(Command::Network(NetworkFault::Heal)).unwrap();
    s.run_for(30_000);
    assert_eq!(leader(&s, "t"), 1, "elected uncleanly");
    s
}

fn truncations(s: &Sim) -> Vec<(String, i64, Option<i64>)> {
    traced(s, |_, e| match e {
        TraceEvent::TruncationDetected {
            client,
            position,
            diverging,
            ..
        } => Some((client.to_string(), *position, *diverging)),
        _ => None,
    })
}

fn consumed_offsets(s: &Sim, name: &str) -> Vec<i64> {
    match s.client(name) {
        Some(Client::Consumer(x)) => x.consumed.iter().map(|(_, r)| r.offset()).collect(),
        _ => Vec::new(),
    }
}

/// KIP-320 (`SubscriptionState.maybeCompleteValidation`): after the unclean election the
/// consumer asks the new leader where epoch 0 ends (offset 5, below its position 10), and
/// goes back to that first offset known to diverge: it reads the records written there
/// since, which a reset to the log's end would skip.
#[test]
fn a_consumer_past_the_end_of_its_epoch_on_a_new_leader_goes_back_to_where_it_diverges() {
    let mut s = unclean_failover(|s| {
        consumer(s, "c", None, "t", &[(0, Some(0))], &[], 0);
        s.run_for(3_000);
    });
    assert_eq!(consumed_offsets(&s, "c"), (0..10).collect::<Vec<_>>());
    assert_eq!(truncations(&s), [("c".to_string(), 10, Some(5))]);
    produce(&mut s, "t", 0, 3);
    s.run_for(5_000);
    assert_eq!(
        consumed_offsets(&s, "c")[10..],
        [5, 6, 7],
        "the new records at 5..7 are read"
    );
}

/// Without a reset policy the application gets `LogTruncationException` with the divergent
/// offset, and the partition is not fetched again.
#[test]
fn without_a_reset_policy_a_truncation_raises_log_truncation_exception() {
    let mut s = unclean_failover(|s| {
        consumer(
            s,
            "c",
            None,
            "t",
            &[(0, Some(0))],
            &[("auto.offset.reset", "none")],
            0,
        );
        s.run_for(3_000);
    });
    produce(&mut s, "t", 0, 3);
    s.run_for(5_000);
    assert_eq!(
        consumer_error(&s, "c").as_deref(),
        Some(
            "org.apache.kafka.clients.consumer.LogTruncationException: Truncated partitions \
             detected with divergent offsets {t-0=OffsetAndMetadata{offset=5, leaderEpoch=0, \
             metadata=''}}"
        )
    );
    assert_eq!(consumed_offsets(&s, "c"), (0..10).collect::<Vec<_>>());
}

/// Committed offsets carry the leader epoch of the record before them (`OffsetAndMetadata
/// .leaderEpoch`), and a member resuming from one validates it first: the group's new member
/// resumes at the divergence, not past the new leader's end.
#[test]
fn a_committed_offset_is_validated_with_its_leader_epoch() {
    let mut s = unclean_failover(|s| {
        group_consumer(s, "c1", "t", &[], 0);
        s.run_for(10_000);
        s.apply(Command::StopConsumer {
            name: "c1".into(),
            hard: false,
        })
        .unwrap();
        s.run_for(1_000);
    });
    let g = s.group_view("g").unwrap();
    assert_eq!(
        (g.offsets[0].committed, g.offsets[0].committed_leader_epoch),
        (Some(10), Some(0))
    );
    produce(&mut s, "t", 0, 3);
    s.run_for(1_000);
    group_consumer(&mut s, "c2", "t", &[], 0);
    s.run_for(10_000);
    assert_eq!(truncations(&s), [("c2".to_string(), 10, Some(5))]);
    assert_eq!(consumed_offsets(&s, "c2"), [5, 6, 7]);
}

/// When the consumer sent its FindCoordinator requests.
fn lookup_times(s: &Sim, name: &str) -> Vec<i64> {
    let node = s.client_node(name).unwrap();
    traced(s, |t, e| {
        matches!(e, TraceEvent::MessageSent { api: ApiKey::FindCoordinator, from, .. } if *from == node)
            .then_some(t)
    })
}

/// `AbstractCoordinator.ensureCoordinatorReady`: a coordinator found but unreachable (its
/// broker died and is not fenced yet, so the others still name it) is marked unknown, and the
/// next lookup waits `retry.backoff.ms`, doubling up to `retry.backoff.max.ms`. The consumer
/// used to ask again at once, thousands of times until the broker was fenced.
#[test]
fn a_coordinator_found_unreachable_is_looked_up_again_with_a_growing_backoff() {
    let mut s = sim(3);
    create_topic(&mut s, "t", 1, 3);
    s.run_for(1_000);
    group_consumer(&mut s, "c", "t", &[], 0);
    s.run_for(5_000);
    let coordinator = s.group_view("g").unwrap().coordinator.unwrap();
    let killed_at = s.now();
    s.apply(Command::StopBroker {
        id: coordinator,
        hard: true,
    })
    .unwrap();
    // Until broker.session.timeout.ms (9 s) fences it, the others name it as the coordinator.
    s.run_for(8_000);
    let lookups: Vec<i64> = lookup_times(&s, "c")
        .into_iter()
        .filter(|t| *t >= killed_at)
        .collect();
    let gaps: Vec<i64> = lookups.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(
        (5..=16).contains(&lookups.len()),
        "{} lookups: {gaps:?}",
        lookups.len()
    );
    assert!(gaps.iter().all(|g| *g >= 80), "{gaps:?}");
    assert!(gaps.iter().skip(4).all(|g| *g >= 800), "{gaps:?}");
}

/// `ConsumerCoordinator.onJoinPrepare`: with auto-commit a member commits before it rejoins
/// and sends its JoinGroup only once the commit's answer came back (it used to send both at
/// once); meanwhile `poll()` hands out nothing.
#[test]
fn a_rejoining_member_waits_for_its_auto_commit_before_joining() {
    let mut s = sim(3);
    create_topic(&mut s, "t", 2, 1);
    s.apply(Command::StartProducer {
        name: "p".into(),
        configs: BTreeMap::new(),
        workload: Some(WorkloadSpec {
            topic: "t".into(),
            records_per_sec: 100,
            keys: Some(10),
            max_records: None,
        }),
    })
    .unwrap();
    let range = [(
        "partition.assignment.strategy",
        "org.apache.kafka.clients.consumer.RangeAssignor",
    )];
    group_consumer(&mut s, "c1", "t", &range, 0);
    s.run_for(10_000);
    let joined_at = s.now();
    group_consumer(&mut s, "c2", "t", &range, 0);
    s.run_for(10_000);
    let c1 = s.client_node("c1").unwrap();
    let sent = traced(&s, |t, e| match e {
        TraceEvent::MessageSent { api, from, to, .. }
            if t >= joined_at && (*from == c1 || *to == c1) =>
        {
            Some((t, *api, *from == c1))
        }
        _ => None,
    });
    let join = sent
        .iter()
        .find(|(_, api, out)| *api == ApiKey::JoinGroup && *out)
        .expect("c1 rejoined")
        .0;
    let commit = sent
        .iter()
        .rfind(|(t, api, out)| *api == ApiKey::OffsetCommit && *out && *t <= join)
        .expect("c1 committed before rejoining")
        .0;
    let answered = sent
        .iter()
        .any(|(t, api, out)| *api == ApiKey::OffsetCommit && !*out && (commit..=join).contains(t));
    assert!(
        commit < join && answered,
        "committed at {commit}, joined at {join}"
    );
}

/// `CommitRequestManager.maybeAutoCommitSyncBeforeRevocation`: a KIP-848 member commits before
/// it revokes a partition and retries a retriable failure (here the coordinator's broker is
/// killed with the commit in flight) until the rebalance timeout, at the coordinator found
/// next. The partition's next owner then starts where the member stopped: no record is read
/// twice. The member used to revoke after the first failure, leaving an older committed
/// offset behind.
#[test]
fn a_kip848_member_retries_the_commit_before_it_revokes() {
    let (mut s, coordinator) = kip848_pair(7, 0);
    // The moment c1 starts giving a partition up, its commit goes out; the coordinator dies
    // with it.
    assert!(s.run_while(20_000, |s| !pending_revocation(s, "c1").is_empty()));
    s.apply(Command::StopBroker {
        id: coordinator,
        hard: true,
    })
    .unwrap();
    s.run_for(90_000);
    assert_eq!((owned(&s, "c1"), owned(&s, "c2")), (1, 1));
    assert_each_read_once(&s);
}

/// Two KIP-848 members of `t` (2 partitions, RF 3, 1,500 records) on a 3-broker cluster with
/// `__consumer_offsets` RF 3: `c1` alone for 10 s, then `c1`'s links to the brokers get
/// `latency_ms` (0: left as they are) and `c2` joins. Returns the group's coordinator.
fn kip848_pair(seed: u64, latency_ms: i64) -> (Sim, i32) {
    let mut s = Sim::new(
        seed,
        kafka_playground::engine::ClusterSpec {
            brokers: 3,
            broker_overrides: BTreeMap::from([(
                "offsets.topic.replication.factor".to_string(),
                "3".to_string(),
            )]),
            ..Default::default()
        },
    )
    .unwrap();
    create_topic(&mut s, "t", 2, 3);
    s.apply(Command::StartProducer {
        name: "p".into(),
        configs: BTreeMap::new(),
        workload: Some(WorkloadSpec {
            topic: "t".into(),
            records_per_sec: 50,
            keys: Some(10),
            max_records: Some(1_500),
        }),
    })
    .unwrap();
    let kip848 = [("group.protocol", "consumer")];
    group_consumer(&mut s, "c1", "t", &kip848, 0);
    s.run_for(10_000);
    let c1 = s.client_node("c1").unwrap();
    for b in (0..3).filter(|_| latency_ms > 0) {
        s.apply(Command::Network(NetworkFault::Latency(
            c1,
            kafka_playground::engine::network::NodeId::Broker(b),
            latency_ms,
        )))
        .unwrap();
    }
    let coordinator = s.group_view("g").unwrap().coordinator.unwrap();
    group_consumer(&mut s, "c2", "t", &kip848, 0);
    (s, coordinator)
}

fn owned(s: &Sim, name: &str) -> usize {
    s.client_views()
        .into_iter()
        .find(|c| c.name == name)
        .map_or(0, |c| c.assignment.len())
}

/// The (partition, offset) of every record `names` polled, in order.
fn polled(s: &Sim, names: &[&str]) -> Vec<(i32, i64)> {
    names
        .iter()
        .flat_map(|n| match s.client(n) {
            Some(Client::Consumer(x)) => x
                .consumed
                .iter()
                .map(|(tp, r)| (tp.partition, r.offset()))
                .collect(),
            _ => Vec::new(),
        })
        .collect()
}

/// Every one of the 1,500 records was read by `c1` or `c2`, none twice.
fn assert_each_read_once(s: &Sim) {
    let read = polled(s, &["c1", "c2"]);
    let mut unique = read.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), 1_500, "every record read");
    assert_eq!(read.len(), 1_500, "none read twice");
}

/// `SubscriptionState.markPendingRevocation`: while a KIP-848 member commits before it gives
/// a partition up, `poll()` hands out nothing more of it, not even the records of a fetch that
/// was in flight when the revocation started (`FetchCollector` drains them: the partition is
/// no longer fetchable). Here `c1`'s links have 100 ms of latency, so a fetch answer for the
/// partition it gives up to `c2` arrives after its commit went out: it handed those records
/// out and `c2` read them again from the committed offset (1,505 polls of 1,500 records).
#[test]
fn a_kip848_member_hands_out_nothing_of_a_partition_it_is_revoking() {
    let (mut s, _) = kip848_pair(7, 100);
    s.run_for(60_000);
    assert_eq!((owned(&s, "c1"), owned(&s, "c2")), (1, 1));
    assert_each_read_once(&s);
}

/// The partitions `name` is giving up while its commit before the revocation runs.
fn pending_revocation(s: &Sim, name: &str) -> Vec<TopicPartition> {
    match s.client(name) {
        Some(Client::Consumer(x)) => x.partitions_pending_revocation().to_vec(),
        _ => Vec::new(),
    }
}

/// `kip848_pair`, then the coordinator's broker dies the moment `c1`'s commit before giving a
/// partition up to `c2` goes out; `c1` retries it at the coordinator found next. Runs 90 s more
/// and returns when (if ever) `c2` was assigned that partition while `c1` was still revoking it.
fn kip848_revocation_commit_cut_off(seed: u64, latency_ms: i64) -> (Sim, Option<i64>) {
    let (mut s, coordinator) = kip848_pair(seed, latency_ms);
    assert!(s.run_while(20_000, |s| !pending_revocation(s, "c1").is_empty()));
    let tp = pending_revocation(&s, "c1")[0].clone();
    s.apply(Command::StopBroker {
        id: coordinator,
        hard: true,
    })
    .unwrap();
    let end = s.now() + 90_000;
    let mut overlap = None;
    s.run_while(90_000, |s| {
        let c2_has_it = s
            .client_views()
            .iter()
            .any(|c| c.name == "c2" && c.assignment.contains(&tp));
        if overlap.is_none() && c2_has_it && pending_revocation(s, "c1").contains(&tp) {
            overlap = Some(s.now());
        }
        s.now() >= end
    });
    (s, overlap)
}

/// `ConsumerHeartbeatRequestManager.HeartbeatState.buildRequestData`: a KIP-848 member's
/// heartbeat reports its `currentAssignment` as its owned partitions, and that changes only
/// once a reconciliation completes (`AbstractMembershipManager.revokeAndAssign`: after the
/// commit and `onPartitionsRevoked`). So the coordinator keeps a partition being revoked with
/// the member (UNREVOKED_PARTITIONS, `CurrentAssignmentBuilder.ownsRevokedPartitions`) until
/// the acknowledgement, and only then hands it on. Here the commit is cut off with the
/// coordinator's broker and `c1`'s links are slow (1 s), so `c1` heartbeats at the next
/// coordinator before its retried commit lands. The member used to leave the partitions being
/// revoked out of its heartbeat: the coordinator took the revocation as done, `c2` got the
/// partition at once (26 s in) and read a record again from the older committed offset.
#[test]
fn a_kip848_partition_goes_to_its_next_owner_only_after_the_revocation_commit() {
    let (s, overlap) = kip848_revocation_commit_cut_off(7, 1_000);
    assert_eq!(
        overlap, None,
        "c2 got the partition while c1 was revoking it"
    );
    assert_eq!((owned(&s, "c1"), owned(&s, "c2")), (1, 1));
    assert_each_read_once(&s);
}

/// The same with 100 ms of latency: at the coordinator found next, `c1`'s heartbeat still
/// lists the partition it is revoking, so the coordinator keeps `c1` at epoch 1 (its member
/// epoch moves on only with the acknowledgement) and the retried commit goes through at epoch
/// 1: no commit of `c1` fails, and no record is read twice.
///
/// This test used to show `CommitRequestManager.autoCommitSyncBeforeRevocationWithRetries`
/// retrying after STALE_MEMBER_EPOCH with the member's newer epoch
/// (`isStaleEpochErrorAndValidEpochAvailable`): the heartbeat, leaving the partition out,
/// moved `c1` to epoch 2 while its retried commit was still at epoch 1 (and its interval
/// auto-commit failed with StaleMemberEpochException). With the heartbeat as Kafka's the
/// epoch cannot move during the revocation, and no scenario reaches that retry any more; the
/// retry itself is unchanged.
#[test]
fn a_kip848_member_keeps_its_epoch_while_it_commits_before_it_revokes() {
    let (s, overlap) = kip848_revocation_commit_cut_off(7, 100);
    assert_eq!(
        overlap, None,
        "c2 got the partition while c1 was revoking it"
    );
    assert_eq!((owned(&s, "c1"), owned(&s, "c2")), (1, 1));
    assert_each_read_once(&s);
    let failed = traced(&s, |_, e| match e {
        TraceEvent::OffsetCommitFailed {
            client, exception, ..
        } => Some(format!("{client} {exception}")),
        _ => None,
    });
    assert_eq!(failed, Vec::<String>::new());
}

/// `AbstractHeartbeatRequestManager.poll` skips a heartbeat while the coordinator is unknown.
/// A KIP-848 member whose heartbeat fell due as its coordinator's broker died kept the timer
/// due, and the simulation stopped ("the simulation is stuck") at that millisecond.
#[test]
fn a_kip848_heartbeat_due_without_a_coordinator_waits_for_one() {
    let (mut s, coordinator) = kip848_pair(0, 20);
    s.apply(Command::StopBroker {
        id: coordinator,
        hard: true,
    })
    .unwrap();
    s.run_for(60_000);
    assert_eq!((owned(&s, "c1"), owned(&s, "c2")), (1, 1));
}
