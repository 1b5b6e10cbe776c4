//! The scenario files in tests/fixtures/scenarios/ load, and each runs for a simulated minute
//! with every timeline entry succeeding and the lesson's point visible in the world.

use kafka_playground::engine::TopicPartition;
use kafka_playground::scenario::{default_scenario, Player, Scenario};

fn load(text: &str) -> Scenario {
    match Scenario::from_json(text) {
        Ok(s) => s,
        Err(errors) => panic!("{}", kafka_playground::scenario::describe_errors(&errors)),
    }
}

/// Plays a minute and checks that every timeline entry succeeded.
fn play_a_minute(s: &Scenario) -> Player {
    let mut player = s.player().expect("builds");
    player.run_until(60_000);
    assert_eq!(player.now(), 60_000);
    assert_eq!(player.next_at(), None, "every entry ran");
    for out in player.log() {
        assert_eq!(
            out.exit.code, 0,
            "{} at {}: {:?}",
            out.what, out.at_ms, out.exit
        );
    }
    player
}

#[test]
fn default_json_is_the_default_scenario() {
    let s = load(include_str!("fixtures/scenarios/default.json"));
    assert_eq!(s, default_scenario());
    let player = play_a_minute(&s);
    let g = player
        .console()
        .sim()
        .group_view("orders-app")
        .expect("group");
    assert_eq!((g.state.as_str(), g.members.len()), ("Stable", 2));
}

#[test]
fn replication_basics_fails_over_and_catches_up() {
    let s = load(include_str!("fixtures/scenarios/replication-basics.json"));
    let player = play_a_minute(&s);
    let describes: Vec<&str> = player
        .log()
        .iter()
        .filter(|o| o.what.starts_with("kafka-topics"))
        .map(|o| o.exit.stdout.as_str())
        .collect();
    assert_eq!(describes.len(), 3);
    assert!(
        describes[0].contains("Isr: ") && !describes[1].contains("Leader: 0\t"),
        "{describes:?}"
    );
    // While broker 0 is down it is out of the ISR; after the restart it is back in.
    let isr = |text: &str| {
        text.split("Isr: ")
            .nth(1)
            .map(|r| r.split(['\t', '\n']).next().unwrap_or("").to_string())
    };
    let down = isr(describes[1]).expect("isr while down");
    assert!(
        !down.split(',').any(|b| b == "0"),
        "ISR while broker 0 is down: {down}"
    );
    let back = isr(describes[2]).expect("isr after restart");
    assert_eq!(back.split(',').count(), 3, "ISR after the restart: {back}");
    let sim = player.console().sim();
    let p = &sim.topic("payments").expect("topic").partitions[0];
    assert_eq!(p.isr.len(), 3);
    assert!(
        p.high_watermark() > 200,
        "5 records/s for a minute: {}",
        p.high_watermark()
    );
}

#[test]
fn consumer_group_rebalance_spreads_and_recovers() {
    let s = load(include_str!(
        "fixtures/scenarios/consumer-group-rebalance.json"
    ));
    let player = play_a_minute(&s);
    let at_25 = &player.log()[1];
    assert!(at_25.what.contains("--describe --group analytics"));
    for member in ["analytics-1", "analytics-2", "analytics-3"] {
        assert!(at_25.exit.stdout.contains(member), "{}", at_25.exit.stdout);
    }
    let g = player
        .console()
        .sim()
        .group_view("analytics")
        .expect("group");
    assert_eq!(g.state, "Stable");
    let mut members: Vec<&str> = g.members.iter().map(|m| m.client_id.as_str()).collect();
    members.sort_unstable();
    assert_eq!(members, ["analytics-2", "analytics-3"]);
    let owned: usize = g.members.iter().map(|m| m.assignment.len()).sum();
    assert_eq!(owned, 6, "every partition has an owner again");
}

#[test]
fn retention_removes_whole_segments() {
    let s = load(include_str!("fixtures/scenarios/retention-segments.json"));
    let player = play_a_minute(&s);
    let sim = player.console().sim();
    let tp = TopicPartition::new("clicks", 0);
    let start = sim.log_start_offset(&tp).expect("partition");
    let end = sim.high_watermark(&tp).expect("partition");
    assert!(
        start > 150,
        "records older than 15 s are gone: log start {start}"
    );
    assert!(
        end - start < 150,
        "about 15-20 s of records are kept: {start}..{end}"
    );
    // kafka-get-offsets --time earliest at 59 s printed the log start offset of that moment.
    let last = player.log().last().expect("get-offsets ran");
    let earliest: i64 = last
        .exit
        .stdout
        .trim()
        .strip_prefix("clicks:0:")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{:?}", last.exit));
    assert!((150..=start).contains(&earliest), "{earliest} vs {start}");
}
