//! The trace hash of a fixed scenario is pinned: the browser test (tests/browser.rs) checks the
//! same value, so native and WebAssembly runs are proven identical.

use kafka_playground::scenario::default_scenario;

/// Trace hash of the default scenario after 120 simulated seconds (shared with the browser test).
const GOLDEN: &str = include_str!("golden/default-scenario-120s.hash");

fn golden() -> u64 {
    u64::from_str_radix(GOLDEN.trim().trim_start_matches("0x"), 16).expect("a hex hash")
}

#[test]
fn default_scenario_trace_hash_is_pinned() {
    let mut sim = default_scenario().build().expect("builds");
    sim.run_for(120_000);
    assert_eq!(
        sim.trace_hash(),
        golden(),
        "trace hash changed: {:#x}",
        sim.trace_hash()
    );
}

#[test]
fn same_scenario_twice_same_hash() {
    let run = || {
        let mut sim = default_scenario().build().expect("builds");
        sim.run_for(30_000);
        (sim.trace_hash(), sim.trace().count())
    };
    assert_eq!(run(), run());
}

/// Fetch sessions (engine/src/fetch_session.rs) let a leader skip the partitions a follower has
/// caught up on; the simulation must not notice. These traces were pinned by the engine before
/// them, which read every partition of every follower fetch: answers lost while partitions go
/// idle (the follower must still get the high watermark they carried), and a topic deleted and
/// created again while followers' fetches wait on its leaders. The second moved once since,
/// with the engine: an acks=all produce waiting out the network partition now expires after
/// the request's 30 s (`DelayedProduce`) and is retried (after an exponential backoff with
/// jitter), where it used to wait for the heal. Both moved when idempotent producers began to
/// ask for their producer id (`InitProducerId`) before their first batch, and again when the
/// producer began to drain as Kafka's does (one request per leader at a time, with one batch of
/// each of its partitions). The second moved again when fetches parked on a deleted topic's
/// partitions began to be answered at once, as `ReplicaManager.stopPartitions` completes them.
#[test]
fn fetch_sessions_leave_the_trace_as_reading_every_partition_did() {
    for (seed, script, pinned) in [
        (5, LOST_ANSWERS, 0x2125_2050_347a_fa34_u64),
        (2, TOPIC_RECREATED, 0x39eb_03ca_49eb_5f9c),
    ] {
        let mut console = kafka_playground::console::Console::new(seed);
        let (_, err, code) = console.run_script(script);
        assert_eq!(code, 0, "{err}");
        let hash = console.sim().trace_hash();
        assert_eq!(hash, pinned, "trace hash changed: {hash:#x}\n{script}");
    }
}

const LOST_ANSWERS: &str = r#"
cluster create --brokers 3
kafka-topics --bootstrap-server localhost:9092 --create --topic t --partitions 3 --replication-factor 3
producer start --topic t --rate 5/s --name p0
sleep 1s
producer stop p0
sleep 450ms
network loss 0 1 100%
sleep 1000ms
network heal
kafka-leader-election --bootstrap-server localhost:9092 --election-type preferred --all-topic-partitions
sleep 5s
status
producer start --topic t --rate 2/s --name p1
sleep 3s
producer stop p1
sleep 450ms
network loss 0 1 100%
sleep 700ms
network heal
sleep 5s
status
producer start --topic t --rate 2/s --name p2
sleep 2s
producer stop p2
sleep 450ms
network loss 1 2 100%
sleep 400ms
network heal
sleep 35s
status
producer start --topic t --rate 2/s --name p3
sleep 1s
producer stop p3
sleep 100ms
network loss 2 0 100%
sleep 1000ms
network heal
sleep 5s
status
"#;

const TOPIC_RECREATED: &str = r#"
cluster create --brokers 3
kafka-topics --bootstrap-server localhost:9092 --create --topic busy --partitions 3 --replication-factor 3
kafka-topics --bootstrap-server localhost:9092 --create --topic idle --partitions 3 --replication-factor 3
producer start --topic busy --rate 3/s --acks all --name p
sleep 7s
network partition 2 / 0
sleep 24s
network heal
status
sleep 6s
kafka-topics --bootstrap-server localhost:9092 --delete --topic idle
sleep 0s
kafka-topics --bootstrap-server localhost:9092 --create --topic idle --partitions 3 --replication-factor 3
status
sleep 11s
kafka-topics --bootstrap-server localhost:9092 --delete --topic idle
sleep 3s
kafka-topics --bootstrap-server localhost:9092 --create --topic idle --partitions 3 --replication-factor 3
status
sleep 40s
status
"#;
