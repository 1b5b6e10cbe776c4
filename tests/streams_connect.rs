//! Streams and connectors end to end, driven through the console: change events in commit
//! order per key, connector restarts resuming from `connect-offsets`, a sink table converging
//! to its source, word counts after crashes (at-least-once: never fewer than the truth), and
//! stores restored from their changelogs.

use kafka_playground::console::Console;
use kafka_playground::engine::ids::TopicPartition;
use kafka_playground::engine::Sim;
use std::collections::BTreeMap;

fn run(c: &mut Console, script: &str) -> String {
    let (out, err, code) = c.run_script(script);
    assert_eq!(
        code, 0,
        "script failed:\n{script}\nstdout:\n{out}\nstderr:\n{err}"
    );
    out
}

/// Every record of a topic: (partition, offset, key, value).
fn records(sim: &Sim, topic: &str) -> Vec<(i32, i64, Option<String>, Option<String>)> {
    let mut v = Vec::new();
    let mut p = 0;
    while let Some(hw) = sim.high_watermark(&TopicPartition::new(topic, p)) {
        let tp = TopicPartition::new(topic, p);
        for r in sim.records(&tp, 0, 1_000_000) {
            if r.offset() < hw {
                v.push((
                    p,
                    r.offset(),
                    r.key_text().map(|k| k.into_owned()),
                    r.value_text().map(|x| x.into_owned()),
                ));
            }
        }
        p += 1;
    }
    v
}

fn lsn_of(value: &str) -> i64 {
    let j: serde_json::Value = serde_json::from_str(value).expect("a change event");
    j["source"]["lsn"].as_i64().expect("an lsn")
}

/// Change events per key, in topic order: (op, lsn); tombstones as ("tombstone", -1).
fn events_by_key(sim: &Sim, topic: &str) -> BTreeMap<String, Vec<(String, i64)>> {
    let mut m: BTreeMap<String, Vec<(String, i64)>> = BTreeMap::new();
    for (_, _, k, v) in records(sim, topic) {
        let e = match v {
            None => ("tombstone".to_string(), -1),
            Some(v) => {
                let j: serde_json::Value = serde_json::from_str(&v).unwrap();
                (j["op"].as_str().unwrap().to_string(), lsn_of(&v))
            }
        };
        m.entry(k.unwrap()).or_default().push(e);
    }
    m
}

fn setup_cdc(c: &mut Console, flush: &str) {
    run(
        c,
        &format!(
            "kafka-topics.sh --bootstrap-server localhost:9092 --create --topic db.users --partitions 3\n\
             table create users --key id\n\
             connector create source cdc --table users --topic db.users --flush-interval {flush}\n\
             sleep 2s\n"
        ),
    );
}

#[test]
fn change_events_follow_commit_order_per_key_and_deletes_leave_tombstones() {
    let mut c = Console::new(7);
    setup_cdc(&mut c, "5s");
    let mut script = String::new();
    for round in 0..4 {
        for id in 1..=5 {
            if round == 0 {
                script.push_str(&format!("table insert users id={id} name=u{id}\n"));
            } else {
                script.push_str(&format!("table update users id={id} name=r{round}\n"));
            }
        }
    }
    script.push_str("table delete users 3\nsleep 3s\n");
    run(&mut c, &script);
    let by_key = events_by_key(c.sim(), "db.users");
    assert_eq!(by_key.len(), 5);
    // The database's own log, per key.
    let mut expected: BTreeMap<String, Vec<(String, i64)>> = BTreeMap::new();
    for ch in &c.sim().database().log {
        let k = format!("{{\"id\":\"{}\"}}", ch.key);
        expected
            .entry(k.clone())
            .or_default()
            .push((ch.op.code().to_string(), ch.lsn));
        if ch.op.code() == "d" {
            expected
                .entry(k)
                .or_default()
                .push(("tombstone".into(), -1));
        }
    }
    assert_eq!(by_key, expected);
    let three = &by_key["{\"id\":\"3\"}"];
    assert_eq!(three[three.len() - 2].0, "d");
    assert_eq!(three[three.len() - 1].0, "tombstone");
}

#[test]
fn a_stopped_connector_resumes_from_its_stored_position_and_a_killed_one_repeats_only_the_tail() {
    let mut c = Console::new(3);
    setup_cdc(&mut c, "5s");
    run(
        &mut c,
        "table insert users id=1 name=a\ntable insert users id=2 name=b\nsleep 2s\nconnector stop cdc\nsleep 2s\n",
    );
    let before = records(c.sim(), "db.users").len();
    assert_eq!(before, 2);
    assert!(records(c.sim(), "connect-offsets")
        .iter()
        .any(
            |(_, _, k, v)| k.as_deref() == Some("[\"cdc\",{\"table\":\"users\"}]")
                && v.as_deref() == Some("{\"lsn\":2}")
        ));
    // A clean restart re-emits nothing.
    run(
        &mut c,
        "connector start cdc\nsleep 3s\ntable insert users id=3 name=c\nsleep 3s\n",
    );
    let after: Vec<i64> = records(c.sim(), "db.users")
        .iter()
        .map(|(_, _, _, v)| lsn_of(v.as_deref().unwrap()))
        .collect();
    let mut sorted = after.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        vec![1, 2, 3],
        "no duplicates after a clean stop/start"
    );
    // Wait for the position to be stored, then change and crash before the next flush.
    run(&mut c, "sleep 6s\ntable insert users id=4 name=d\nsleep 1s\nconnector kill cdc\nconnector start cdc\nsleep 3s\n");
    let mut lsns: Vec<i64> = records(c.sim(), "db.users")
        .iter()
        .map(|(_, _, _, v)| lsn_of(v.as_deref().unwrap()))
        .collect();
    lsns.sort();
    // Only the change after the stored position (LSN 4) comes again: at-least-once.
    assert_eq!(lsns, vec![1, 2, 3, 4, 4]);
}

#[test]
fn a_sink_table_converges_to_its_source_table_despite_crashes() {
    let mut c = Console::new(11);
    setup_cdc(&mut c, "5s");
    run(
        &mut c,
        "connector create sink copy --topic db.users --table users_copy --key id\n",
    );
    let mut script = String::new();
    for i in 0..30 {
        script.push_str(&format!("table insert users id=x{i} name=n{i}\n"));
        if i % 3 == 0 {
            script.push_str(&format!("table update users id=x{i} name=m{i}\n"));
        }
        if i % 4 == 0 {
            script.push_str(&format!("table delete users x{i}\n"));
        }
        if i == 10 {
            script.push_str("connector kill copy\nsleep 1s\nconnector start copy\n");
        }
        if i == 20 {
            script.push_str("connector kill cdc\nconnector start cdc\n");
        }
        script.push_str("sleep 300ms\n");
    }
    script.push_str("sleep 60s\n");
    run(&mut c, &script);
    let db = c.sim().database();
    assert_eq!(db.tables["users_copy"].rows, db.tables["users"].rows);
    assert!(!db.tables["users"].rows.is_empty());
}

const LINES: [&str; 6] = [
    "the quick brown fox",
    "jumps over the lazy dog",
    "the dog sleeps",
    "kafka streams counts the words",
    "a fox and a dog",
    "words words words",
];

fn true_counts(n: usize) -> BTreeMap<String, i64> {
    let mut m = BTreeMap::new();
    for i in 0..n {
        for w in LINES[i % LINES.len()].split_whitespace() {
            *m.entry(w.to_string()).or_insert(0) += 1;
        }
    }
    m
}

fn produce_lines(c: &mut Console, from: usize, to: usize) {
    let body: Vec<&str> = (from..to).map(|i| LINES[i % LINES.len()]).collect();
    run(
        c,
        &format!(
            "kafka-console-producer.sh --bootstrap-server localhost:9092 --topic text <<EOF\n{}\nEOF\n",
            body.join("\n")
        ),
    );
}

fn counts(c: &Console) -> BTreeMap<String, i64> {
    let v = c.sim().flows_view();
    v.streams[0].stores["counts"]
        .iter()
        .map(|(k, v)| (k.clone(), v.parse().unwrap()))
        .collect()
}

fn wordcount(c: &mut Console, instances: u32) {
    run(
        c,
        &format!(
            "kafka-topics.sh --bootstrap-server localhost:9092 --create --topic text --partitions 2\n\
             streams create wordcount --from text --to word-counts --op 'flatMapValues split' --op 'groupBy value' --op count --instances {instances} --commit-interval 5s\n\
             sleep 10s\n"
        ),
    );
}

fn wait_running(c: &mut Console) {
    for _ in 0..200 {
        if c.sim().flows_view().streams[0].state == "RUNNING" {
            return;
        }
        run(c, "sleep 1s\n");
    }
    panic!(
        "the app did not settle: {:?}",
        c.sim().flows_view().streams[0]
    );
}

#[test]
fn word_counts_are_exact_without_crashes() {
    let mut c = Console::new(5);
    wordcount(&mut c, 1);
    produce_lines(&mut c, 0, 24);
    run(&mut c, "sleep 10s\n");
    assert_eq!(counts(&c), true_counts(24));
    // The output topic's last value per word is the count too.
    let mut last = BTreeMap::new();
    for (_, _, k, v) in records(c.sim(), "word-counts") {
        last.insert(k.unwrap(), v.unwrap().parse::<i64>().unwrap());
    }
    assert_eq!(last, true_counts(24));
}

#[test]
fn word_counts_after_crashes_are_never_below_the_truth() {
    let mut c = Console::new(9);
    wordcount(&mut c, 2);
    produce_lines(&mut c, 0, 12);
    run(&mut c, "sleep 2s\nstreams kill wordcount --instance 1\n");
    produce_lines(&mut c, 12, 24);
    run(
        &mut c,
        "sleep 1s\nstreams kill wordcount\nstreams start wordcount\n",
    );
    wait_running(&mut c);
    produce_lines(&mut c, 24, 36);
    run(
        &mut c,
        "sleep 3s\nstreams kill wordcount --instance 2\nstreams start wordcount\n",
    );
    wait_running(&mut c);
    run(&mut c, "sleep 10s\n");
    let truth = true_counts(36);
    let got = counts(&c);
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        truth.keys().collect::<Vec<_>>()
    );
    let extra: i64 = truth.iter().map(|(w, n)| got[w] - n).sum();
    eprintln!("duplicates counted after the crashes: {extra}");
    for (w, n) in &truth {
        assert!(
            got[w] >= *n,
            "{w}: counted {} < {n} (at-least-once must not lose)",
            got[w]
        );
    }
}

#[test]
fn a_store_restored_from_its_changelog_equals_the_store_before_the_crash() {
    let mut c = Console::new(13);
    wordcount(&mut c, 1);
    produce_lines(&mut c, 0, 18);
    // Past a commit: nothing is left to reprocess, so the restore alone rebuilds the state.
    run(&mut c, "sleep 12s\n");
    let before = counts(&c);
    assert_eq!(before, true_counts(18));
    run(&mut c, "streams kill wordcount\n");
    assert!(
        counts(&c).is_empty(),
        "in-memory stores die with the process"
    );
    run(&mut c, "streams start wordcount\n");
    wait_running(&mut c);
    assert_eq!(counts(&c), before);
    let restored = c
        .sim()
        .trace()
        .recent()
        .filter(|(_, _, e)| format!("{e:?}").contains("Restored"))
        .count();
    assert!(
        restored >= 2,
        "both task partitions restore from wordcount-counts-changelog"
    );
}

#[test]
fn bad_input_is_reported_not_panicked() {
    let mut c = Console::new(1);
    for bad in [
        "table insert nope id=1",
        "table create users --key 'a b'",
        "table frobnicate",
        "connector create source s --table users --topic t",
        "connector create weird s --table users --topic t",
        "connector stop nobody",
        "streams create a --from missing --to out --op count",
        "streams create a --from t --to t",
        "streams create a --from t --to out --op 'count' --op 'sum'",
        "streams create a --from t --to out --instances many",
        "streams kill nobody",
    ] {
        let (_, err, code) = c.run_script(bad);
        assert_eq!(code, 1, "{bad} should fail");
        assert!(!err.is_empty(), "{bad} should say why");
    }
}

#[test]
fn nothing_changes_until_something_is_created() {
    let a = Console::new(1);
    let mut b = Console::new(1);
    b.run_script("table list\nconnector status\nstreams status\n");
    assert_eq!(a.sim().trace_hash(), b.sim().trace_hash());
    assert!(b.sim().flows_view().tables.is_empty());
    assert!(b.sim().topic("connect-offsets").is_none());
}

/// The page's world (3 brokers, 40 ms links): an acks=all send is on the wire long enough for
/// timers to fall due meanwhile.
fn page_console() -> Console {
    kafka_playground::scenario::default_scenario()
        .build_console()
        .expect("the default scenario builds")
}

/// A commit falls due while the app's producer awaits acks for some of these inserts: the app
/// waits for its producer, and the clock goes on (it used to wake itself at the same
/// millisecond forever, which froze the page).
#[test]
fn a_commit_due_while_the_producer_awaits_acks_waits_for_them_and_time_moves_on() {
    let mut c = page_console();
    run(
        &mut c,
        "table create orders --key id\n\
         connector create source cdc --table orders --topic db.orders --flush-interval 5s\n\
         streams create totals --from db.orders --to totals --op 'map after.customer after.amount' --op sum --store totals --commit-interval 100ms\n\
         sleep 3s\n",
    );
    let mut script = String::new();
    for id in 1..=60 {
        script.push_str(&format!(
            "table insert orders id={id} customer=c{} amount=1\nsleep 37ms\n",
            id % 3
        ));
    }
    script.push_str("sleep 10s\n");
    run(&mut c, &script);
    let totals: i64 = records(c.sim(), "totals")
        .iter()
        .filter_map(|(_, _, _, v)| v.as_deref()?.parse::<i64>().ok())
        .max()
        .unwrap_or(0);
    assert!(totals >= 20, "the app went on summing: {totals}");
}

/// Stopping and starting a source connector whose flushes fall due while it loads its stored
/// position, and whose polls fall due while it stops: each ends, and the clock goes on (both
/// used to wake the task at the same millisecond forever).
#[test]
fn a_source_connector_stopped_and_started_under_load_keeps_the_clock_moving() {
    let mut c = page_console();
    run(
        &mut c,
        "table create users --key id\n\
         connector create source cdc --table users --topic db.users --flush-interval 100ms\n\
         sleep 3s\n",
    );
    let mut script = String::new();
    for round in 0..6 {
        for id in 1..=12 {
            script.push_str(&format!(
                "table insert users id={} name=u\nsleep 41ms\n",
                round * 100 + id
            ));
        }
        script.push_str("connector stop cdc\nsleep 1s\nconnector start cdc\nsleep 97ms\n");
    }
    script.push_str("sleep 20s\n");
    run(&mut c, &script);
    let ids: std::collections::BTreeSet<String> = records(c.sim(), "db.users")
        .into_iter()
        .filter_map(|(_, _, k, _)| k)
        .collect();
    assert_eq!(ids.len(), 72, "every insert reached the topic: {ids:?}");
}

/// What a learner may do to a running pipeline, in any order and at any moment.
const PIPELINE_ACTIONS: [&str; 20] = [
    "table insert orders id={n} customer=c{m} amount={m}",
    "table insert orders id={n} customer=c{m} amount={m}",
    "table insert orders id={n} customer=c{m} amount={m}",
    "table update orders id={m} amount={n}",
    "table update orders id={m} amount={n}",
    "table delete orders {m}",
    "streams stop totals",
    "streams start totals",
    "streams kill totals --instance 1",
    "streams kill wc",
    "streams start wc",
    "connector stop cdc",
    "connector start cdc",
    "connector kill sink",
    "connector start sink",
    "broker kill {b}",
    "broker start {b}",
    "broker stop {b}",
    "network isolate {b}",
    "network heal",
];

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 48, max_shrink_iters: 16, ..Default::default() })]

    /// Whatever is done to a running pipeline (source connector, two Streams apps, a sink) and
    /// whenever, the simulated clock keeps moving: no task wakes itself at one millisecond
    /// forever (the engine stops such a world with "the simulation is stuck").
    #[test]
    fn a_pipeline_never_stops_the_clock_whatever_is_done_to_it(
        actions in proptest::collection::vec(
            (0..PIPELINE_ACTIONS.len(), 0u32..1000, 0u32..5, 1u32..=3, 1i64..1500),
            40,
        )
    ) {
        let mut c = page_console();
        run(
            &mut c,
            "table create orders --key id\n\
             connector create source cdc --table orders --topic db.orders --flush-interval 2s\n\
             streams create totals --from db.orders --to totals --op 'map after.customer after.amount' --op sum --store sums --instances 2 --commit-interval 1s\n\
             connector create sink sink --topic totals --table sums --key customer --flush-interval 2s\n\
             kafka-topics.sh --bootstrap-server localhost:9092 --create --topic text --partitions 3\n\
             producer start --topic text --rate 20/s --name words\n\
             streams create wc --from text --to counts --op 'flatMapValues split' --op 'groupBy value' --op count --commit-interval 500ms\n\
             sleep 3s\n",
        );
        for (i, n, m, b, pause) in actions {
            let line = PIPELINE_ACTIONS[i]
                .replace("{n}", &n.to_string())
                .replace("{m}", &m.to_string())
                .replace("{b}", &b.to_string());
            let before = c.sim().now();
            // Refusals (starting what runs) are fine; the clock must still move.
            c.execute(&line);
            c.execute(&format!("sleep {pause}ms"));
            proptest::prop_assert!(c.sim().now() >= before + pause, "{line}");
        }
    }
}
