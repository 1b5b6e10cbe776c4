//! Scenario links: round trips (fixed and random scenarios), the browser's encoding, and every
//! way a link can be damaged or abusive — each refused with a message that says which.

use kafka_playground::engine::config::Era;
use kafka_playground::engine::{Command, ControllerMode};
use kafka_playground::scenario::url::{base64url_encode, MAX_FRAGMENT_BYTES, MAX_JSON_BYTES};
use kafka_playground::scenario::{
    decode_fragment, default_scenario, encode_fragment, from_location, ConsumerSpec, FragmentError,
    ProducerSpec, Scenario, TimelineAction, TimelineEntry, TopicSpec,
};
use miniz_oxide::deflate::compress_to_vec;
use proptest::prelude::*;
use std::collections::BTreeMap;

fn fragment_of_json(json: &str) -> String {
    format!(
        "s={}&t=0",
        base64url_encode(&compress_to_vec(json.as_bytes(), 6))
    )
}

#[test]
fn a_fragment_made_by_the_browser_encoder_decodes() {
    // Made by www/embed.js (CompressionStream("deflate-raw")); tests/e2e/embed_codec.test.mjs
    // checks the same file from the JavaScript side.
    let fragment = include_str!("fixtures/scenarios/retention-segments.fragment.txt").trim();
    let expected = Scenario::from_json(include_str!("fixtures/scenarios/retention-segments.json"))
        .expect("valid fixture");
    assert_eq!(decode_fragment(fragment), Ok((expected, 20_000)));
}

#[test]
fn a_link_reproduces_what_the_sender_saw() {
    let s = Scenario::from_json(include_str!(
        "fixtures/scenarios/consumer-group-rebalance.json"
    ))
    .expect("valid");
    let mut sender = s.player().expect("builds");
    sender.run_until(42_000);
    let link = encode_fragment(&s, sender.now());
    let (received, t) = decode_fragment(&format!("#{link}")).expect("decodes");
    let receiver = received.player_at(t).expect("builds");
    assert_eq!(receiver.now(), 42_000);
    assert_eq!(
        receiver.console().sim().trace_hash(),
        sender.console().sim().trace_hash()
    );
}

#[test]
fn oversized_fragments_are_refused_before_decoding() {
    let long = format!("s={}", "A".repeat(MAX_FRAGMENT_BYTES));
    let e = decode_fragment(&long).expect_err("too long");
    assert_eq!(
        e,
        FragmentError::TooLong {
            bytes: MAX_FRAGMENT_BYTES + 2
        }
    );
    assert!(e.to_string().contains("too long"), "{e}");
    let l = from_location(&format!("#{long}"));
    assert_eq!(l.scenario, default_scenario());
    assert!(l.problem.is_some());
}

#[test]
fn a_compression_bomb_is_refused() {
    // 16 MiB of spaces deflate to about 16 KiB: a link-sized bomb.
    let bomb = compress_to_vec(&vec![b' '; 16 << 20], 10);
    let fragment = format!("s={}&t=0", base64url_encode(&bomb));
    assert!(fragment.len() < MAX_FRAGMENT_BYTES, "{}", fragment.len());
    let e = decode_fragment(&fragment).expect_err("bomb");
    assert_eq!(e, FragmentError::TooLarge);
    assert_eq!(
        e.to_string(),
        "The link's scenario inflates to more than 1048576 bytes of JSON; refused."
    );
}

#[test]
fn the_json_limit_is_exactly_one_mebibyte() {
    let mut s = default_scenario();
    // The compact JSON without the title's text ("Orders").
    let base = s.to_json_compact().len() - "Orders".len();
    s.title = Some("x".repeat(MAX_JSON_BYTES - base));
    let json = s.to_json_compact();
    assert_eq!(json.len(), MAX_JSON_BYTES);
    assert_eq!(
        decode_fragment(&fragment_of_json(&json)).map(|(s, _)| s.title),
        Ok(s.title.clone())
    );
    s.title = Some("x".repeat(MAX_JSON_BYTES - base + 1));
    assert_eq!(
        decode_fragment(&fragment_of_json(&s.to_json_compact())),
        Err(FragmentError::TooLarge)
    );
}

#[test]
fn each_kind_of_damage_says_which_layer_failed() {
    let good = encode_fragment(&default_scenario(), 0);
    let s = good
        .strip_prefix("s=")
        .and_then(|r| r.split('&').next())
        .expect("s=");
    let cases: Vec<(String, &str)> = vec![
        (format!("s={}!&t=0", &s[..10]), "corrupt base64url at character 10 ('!'"),
        (format!("s={}&t=0", &s[..(s.len() / 2) & !3]), "corrupt deflate data (the data ends too early)"),
        (format!("s={}&t=0", &s[..41]), "corrupt base64url, 41 characters is not a possible length"),
        ("s=_____w&t=0".to_string(), "corrupt deflate data"),
        (fragment_of_json("{\"version\": 1, \"seed\": "), "not valid JSON"),
        (
            format!("s={}", base64url_encode(&compress_to_vec(&[0xff, 0xfe, 0x00], 6))),
            "corrupt JSON text (not UTF-8)",
        ),
        (
            fragment_of_json(r#"{"version": 1, "seed": 1, "topics": [{"name": "t", "configs": {"retention.ms": "-5"}}]}"#),
            "topics[0].configs[\"retention.ms\"]: Invalid value -5 for configuration retention.ms: Value must be at least -1",
        ),
        (format!("s={s}&t=soon"), "t=soon is not a whole number"),
        (format!("s={s}&s={s}"), "gives 's=' more than once"),
        ("t=5".to_string(), "has no scenario"),
    ];
    for (fragment, expected) in cases {
        match decode_fragment(&fragment) {
            Err(e) => assert!(e.to_string().contains(expected), "{fragment:.60}: {e}"),
            Ok(_) => panic!("{fragment:.60}: accepted"),
        }
    }
}

fn topic_name() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9._-]{0,12}"
}

prop_compose! {
    fn scenario()(
        seed in any::<u64>(),
        zk in any::<bool>(),
        zk_kraft in any::<bool>(),
        brokers in 1u32..=5,
        racks in prop::collection::vec("[a-z]{1,6}", 0..3),
        latency in 0i64..=500,
        title in prop::option::of("\\PC{0,30}"),
        topic_names in prop::collection::btree_set(topic_name(), 0..4),
        topic_shapes in prop::collection::vec((prop::option::of(1i32..=8), any::<bool>(), prop::option::of(-1i64..10_000_000), any::<bool>()), 4),
        producers in prop::collection::vec((any::<prop::sample::Index>(), 1u32..=1000, prop::option::of(1u32..=50), prop::option::of(1u64..=1000), 0u8..4, prop::option::of(0i64..=100)), 0..3),
        consumers in prop::collection::vec((0u8..3, any::<prop::sample::Index>(), any::<bool>(), 0i64..=100), 0..4),
        timeline in prop::collection::vec((0i64..120_000, 0u8..4, any::<prop::sample::Index>()), 0..5),
    ) -> Scenario {
        let era = if zk { Era::ZooKeeper } else { Era::Kafka4 };
        let mode = if zk && !zk_kraft { ControllerMode::Zookeeper } else { ControllerMode::Kraft };
        let topics: Vec<TopicSpec> = topic_names.iter().zip(&topic_shapes).map(|(name, (p, rf, retention, compact))| {
            let mut configs = BTreeMap::new();
            if let Some(r) = retention {
                configs.insert("retention.ms".to_string(), r.to_string());
            }
            if *compact {
                configs.insert("cleanup.policy".to_string(), "compact".to_string());
            }
            TopicSpec {
                name: name.clone(),
                partitions: *p,
                replication_factor: rf.then_some(brokers.min(3) as i16),
                configs,
            }
        }).collect();
        let names: Vec<String> = topics.iter().map(|t| t.name.clone()).collect();
        let producers: Vec<ProducerSpec> = if names.is_empty() { Vec::new() } else {
            producers.iter().enumerate().map(|(i, (topic, rate, keys, max, acks, linger))| {
                let mut configs = BTreeMap::new();
                match acks {
                    1 => { configs.insert("acks".into(), "1".into()); }
                    2 => { configs.insert("acks".into(), "0".into()); }
                    3 => { configs.insert("acks".into(), "all".into()); configs.insert("enable.idempotence".into(), "true".into()); }
                    _ => {}
                }
                if let Some(l) = linger {
                    configs.insert("linger.ms".into(), l.to_string());
                }
                ProducerSpec {
                    name: format!("producer-{i}"),
                    topic: topic.get(&names).clone(),
                    rate_per_sec: *rate,
                    keys: *keys,
                    max_records: *max,
                    configs,
                }
            }).collect()
        };
        let consumers: Vec<ConsumerSpec> = if names.is_empty() { Vec::new() } else {
            consumers.iter().enumerate().map(|(i, (group, topic, earliest, process))| ConsumerSpec {
                name: format!("consumer-{i}"),
                group: format!("group-{group}"),
                topics: vec![topic.get(&names).clone()],
                configs: if *earliest {
                    BTreeMap::from([("auto.offset.reset".to_string(), "earliest".to_string())])
                } else {
                    BTreeMap::new()
                },
                process_time_ms: *process,
            }).collect()
        };
        let mut timeline: Vec<TimelineEntry> = timeline.iter().map(|(at, kind, pick)| TimelineEntry {
            at_ms: *at,
            action: match kind {
                0 => TimelineAction::Console("kafka-topics --bootstrap-server localhost:9092 --list".into()),
                1 => TimelineAction::Console(format!("sleep {}ms", pick.index(5000))),
                2 => TimelineAction::Command(Command::StopBroker { id: pick.index(brokers as usize) as i32, hard: pick.index(2) == 0 }),
                _ => TimelineAction::Command(Command::Produce {
                    producer: "manual".into(),
                    topic: "manual-topic".into(),
                    partition: None,
                    key: Some(format!("k{}", pick.index(10))),
                    value: Some("v \"quoted\" ü".into()),
                    timestamp: None,
                }),
            },
        }).collect();
        timeline.sort_by_key(|e| e.at_ms);
        Scenario {
            title,
            description: None,
            seed,
            cluster: kafka_playground::engine::ClusterSpec {
                brokers,
                racks,
                mode,
                controllers: 1,
                combined: false,
                era,
                broker_overrides: BTreeMap::new(),
                network_latency_ms: latency,
            },
            topics,
            producers,
            consumers,
            timeline,
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_scenarios_round_trip_through_file_and_link(s in scenario(), t in 0i64..10_000_000) {
        let json = s.to_json();
        prop_assert_eq!(Scenario::from_json(&json), Ok(s.clone()), "{}", json);
        let fragment = encode_fragment(&s, t);
        prop_assert!(fragment.len() <= MAX_FRAGMENT_BYTES);
        prop_assert_eq!(decode_fragment(&fragment), Ok((s, t)));
    }

    #[test]
    fn arbitrary_fragments_never_panic(f in "[A-Za-z0-9_=&#-]{0,200}") {
        let _ = decode_fragment(&f);
        let l = from_location(&f);
        if l.problem.is_none() {
            prop_assert_eq!(l.scenario, default_scenario());
        }
    }
}
