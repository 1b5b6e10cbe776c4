//! Assignor tests: Kafka's vectors (`tests/fixtures/assignors.json`), properties, scale smoke.

use super::*;
use proptest::prelude::*;
use serde_json::Value;
use std::collections::BTreeSet;

fn tp(s: &str) -> TopicPartition {
    let (topic, p) = s.rsplit_once('-').expect("topic-partition");
    TopicPartition::new(topic, p.parse().expect("partition number"))
}

struct Case {
    id: String,
    assignor: String,
    topics: BTreeMap<String, u32>,
    members: Vec<MemberSubscription>,
    expected: Assignment,
}

fn cases() -> Vec<Case> {
    let f: Value = serde_json::from_str(include_str!("../../../../tests/fixtures/assignors.json"))
        .expect("fixture parses");
    f["assignor_cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| {
            let topics = c["topics"]
                .as_object()
                .expect("topics")
                .iter()
                .map(|(k, v)| (k.clone(), v.as_u64().expect("count") as u32))
                .collect();
            let strings = |v: &Value| -> Vec<String> {
                v.as_array()
                    .expect("list")
                    .iter()
                    .map(|s| s.as_str().expect("string").to_string())
                    .collect()
            };
            let members = c["members"]
                .as_array()
                .expect("members")
                .iter()
                .map(|m| MemberSubscription {
                    member_id: m["member_id"].as_str().expect("id").to_string(),
                    group_instance_id: m["group_instance_id"].as_str().map(str::to_string),
                    topics: strings(&m["subscription"]),
                    owned: strings(&m["owned"]).iter().map(|s| tp(s)).collect(),
                    generation: None,
                })
                .collect();
            let expected = c["expected"]
                .as_object()
                .expect("expected")
                .iter()
                .map(|(k, v)| {
                    let mut list: Vec<TopicPartition> = strings(v).iter().map(|s| tp(s)).collect();
                    list.sort();
                    (k.clone(), list)
                })
                .collect();
            Case {
                id: c["id"].as_str().expect("id").to_string(),
                assignor: c["assignor"].as_str().expect("assignor").to_string(),
                topics,
                members,
                expected,
            }
        })
        .collect()
}

/// The assignors a case's `assignor` label names.
fn assignors_for(label: &str) -> Vec<AssignorName> {
    if label.starts_with("server:range") {
        vec![AssignorName::ServerRange]
    } else if label.starts_with("server:uniform") {
        vec![AssignorName::Uniform]
    } else if label.starts_with("sticky/cooperative-sticky") {
        vec![AssignorName::Sticky, AssignorName::CooperativeSticky]
    } else if label.starts_with("sticky") {
        vec![AssignorName::Sticky]
    } else if label.starts_with("roundrobin") {
        vec![AssignorName::RoundRobin]
    } else if label.starts_with("range") {
        vec![AssignorName::Range]
    } else {
        panic!("unknown assignor label {label}")
    }
}

#[test]
fn all_27_kafka_assignor_vectors() {
    let cases = cases();
    assert_eq!(cases.len(), 27);
    let mut checked = 0;
    for case in &cases {
        for name in assignors_for(&case.assignor) {
            let got = if case.id == "server-uniform-2m-first-assignment" {
                // Kafka's test iterates a HashSet<Uuid>; for its fixed topic ids
                // (T1-A4s3VTwiI5CTbEp6POw → bucket 10, T3-CU8fVTLCz5YMkLoDQsa → bucket 9)
                // topic3 comes first.
                uniform::assign_with_topic_order(&case.topics, &case.members, &["topic3", "topic1"])
            } else {
                assign(name, &case.topics, &case.members)
            }
            .expect("assignment");
            assert_eq!(got, case.expected, "case {} with {name:?}", case.id);
            checked += 1;
        }
    }
    assert_eq!(checked, 32);
}

#[test]
fn uniform_default_topic_order_still_balances_the_2m_case() {
    let case = cases()
        .into_iter()
        .find(|c| c.id == "server-uniform-2m-first-assignment")
        .expect("case");
    let got = assign(AssignorName::Uniform, &case.topics, &case.members).expect("ok");
    // Topics by name: topic1 first, so A (quota 3) takes all of topic1.
    assert_eq!(
        got["A"],
        vec![tp("topic1-0"), tp("topic1-1"), tp("topic1-2")]
    );
    assert_eq!(got["B"], vec![tp("topic3-0"), tp("topic3-1")]);
}

#[test]
fn cooperative_sticky_withholds_moving_partition() {
    let case = cases()
        .into_iter()
        .find(|c| c.id == "sticky-maxquota-owners-exceed-expected")
        .expect("case");
    let coop = cooperative_sticky(&case.topics, &case.members).expect("ok");
    assert_eq!(
        coop.withheld,
        BTreeMap::from([(tp("topic2-0"), "consumer3".to_string())])
    );
    assert_eq!(coop.assignment["consumer1"], vec![tp("topic1-0")]);
    assert_eq!(
        coop.assignment["consumer2"],
        vec![tp("topic1-1"), tp("topic2-1")]
    );
    assert_eq!(coop.assignment["consumer3"], vec![]);
    assert_eq!(
        assign(AssignorName::CooperativeSticky, &case.topics, &case.members).expect("ok"),
        coop.assignment
    );

    // Round two: consumer1 revoked topic2-0 and rejoins; now it goes to consumer3.
    let mut members = case.members.clone();
    for m in &mut members {
        m.owned = coop.assignment[&m.member_id].clone();
        m.generation = Some(2);
    }
    let round2 = cooperative_sticky(&case.topics, &members).expect("ok");
    assert!(round2.withheld.is_empty());
    assert_eq!(round2.assignment, case.expected);
}

#[test]
fn transferring_ownership_for_any_assignment() {
    let members = vec![
        MemberSubscription {
            member_id: "a".into(),
            topics: vec!["t".into()],
            owned: vec![tp("t-0"), tp("t-1")],
            ..Default::default()
        },
        MemberSubscription {
            member_id: "b".into(),
            topics: vec!["t".into()],
            ..Default::default()
        },
    ];
    let target = Assignment::from([
        ("a".to_string(), vec![tp("t-0")]),
        ("b".to_string(), vec![tp("t-1"), tp("t-2")]),
    ]);
    let moving = partitions_transferring_ownership(&members, &target);
    assert_eq!(moving, BTreeMap::from([(tp("t-1"), "b".to_string())]));
    let adjusted = adjust_assignment(target, &moving);
    assert_eq!(adjusted["b"], vec![tp("t-2")]);
}

#[test]
fn java_hashmap_order_matches_jdk() {
    // Verified on the JDK (kafka-cli-formats.md §13), inserted in that order. Buckets decide
    // (orders-app 6, test-group 8); my-group and console-consumer-12345 share bucket 3, so
    // between them insertion order decides.
    let keys = [
        "test-group",
        "my-group",
        "orders-app",
        "console-consumer-12345",
    ];
    let order: Vec<&str> = java_hashmap_order(&keys)
        .into_iter()
        .map(|i| keys[i])
        .collect();
    assert_eq!(
        order,
        vec![
            "my-group",
            "console-consumer-12345",
            "orders-app",
            "test-group"
        ]
    );
    let keys = ["console-consumer-12345", "my-group"];
    let order: Vec<&str> = java_hashmap_order(&keys)
        .into_iter()
        .map(|i| keys[i])
        .collect();
    assert_eq!(order, vec!["console-consumer-12345", "my-group"]);
    // The sticky vector relies on consumer3, consumer2, consumer1.
    let keys = ["consumer1", "consumer2", "consumer3"];
    let order: Vec<&str> = java_hashmap_order(&keys)
        .into_iter()
        .map(|i| keys[i])
        .collect();
    assert_eq!(order, vec!["consumer3", "consumer2", "consumer1"]);
}

#[test]
fn java_compare_is_utf16_order() {
    assert_eq!(java_compare("consumer10", "consumer2"), Ordering::Less);
    // U+1F600 is a surrogate pair starting 0xD83D, below U+FF21.
    assert_eq!(java_compare("\u{1F600}", "\u{FF21}"), Ordering::Less);
    assert_eq!("\u{1F600}".cmp("\u{FF21}"), Ordering::Greater);
}

#[test]
fn names_and_protocols() {
    for a in AssignorName::ALL {
        if a.is_server_side() {
            assert_eq!(AssignorName::parse_server(a.name()), Ok(a));
            assert_eq!(AssignorName::parse_server(a.class_name()), Ok(a));
        }
        assert_eq!(AssignorName::parse(a.class_name()), Ok(a));
    }
    assert_eq!(AssignorName::parse("range"), Ok(AssignorName::Range));
    assert_eq!(
        AssignorName::parse("cooperative-sticky"),
        Ok(AssignorName::CooperativeSticky)
    );
    assert_eq!(AssignorName::parse("uniform"), Ok(AssignorName::Uniform));
    assert_eq!(
        AssignorName::parse_server("range"),
        Ok(AssignorName::ServerRange)
    );
    assert!(AssignorName::parse("fancy").is_err());
    assert!(AssignorName::parse_server("sticky").is_err());

    use RebalanceProtocol::*;
    let default = [AssignorName::Range, AssignorName::CooperativeSticky];
    assert_eq!(rebalance_protocol(&default), Ok(Eager));
    assert_eq!(
        rebalance_protocol(&[AssignorName::CooperativeSticky]),
        Ok(Cooperative)
    );
    assert!(rebalance_protocol(&[]).is_err());
    assert!(rebalance_protocol(&[AssignorName::Uniform]).is_err());
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let topics = BTreeMap::from([("t".to_string(), 3u32)]);
    let m = MemberSubscription {
        member_id: "x".into(),
        topics: vec!["t".into()],
        ..Default::default()
    };
    for a in AssignorName::ALL {
        let err = assign(a, &topics, &[m.clone(), m.clone()]).expect_err("duplicate");
        assert!(err.message.contains("appears twice"), "{err}");
    }
    let huge = BTreeMap::from([("t".to_string(), u32::MAX)]);
    assert!(assign(AssignorName::Range, &huge, std::slice::from_ref(&m)).is_err());
    // Unknown topics, out-of-range and negative owned partitions are ignored.
    let odd = MemberSubscription {
        member_id: "y".into(),
        topics: vec!["t".into(), "missing".into()],
        owned: vec![tp("t-7"), TopicPartition::new("t", -1), tp("missing-0")],
        generation: Some(3),
        ..Default::default()
    };
    for a in AssignorName::ALL {
        let got = assign(a, &topics, std::slice::from_ref(&odd)).expect("ok");
        assert_eq!(got["y"], vec![tp("t-0"), tp("t-1"), tp("t-2")], "{a:?}");
    }
    for a in AssignorName::ALL {
        assert_eq!(assign(a, &topics, &[]).expect("ok"), Assignment::new());
    }
}

#[test]
fn sticky_general_path_keeps_owned_and_balances() {
    // Unequal subscriptions take the general path.
    let topics = BTreeMap::from([("t1".to_string(), 4u32), ("t2".to_string(), 2u32)]);
    let members = vec![
        MemberSubscription {
            member_id: "a".into(),
            topics: vec!["t1".into(), "t2".into()],
            owned: vec![
                tp("t1-0"),
                tp("t1-1"),
                tp("t1-2"),
                tp("t1-3"),
                tp("t2-0"),
                tp("t2-1"),
            ],
            generation: Some(1),
            ..Default::default()
        },
        MemberSubscription {
            member_id: "b".into(),
            topics: vec!["t1".into()],
            generation: Some(1),
            ..Default::default()
        },
    ];
    let got = assign(AssignorName::Sticky, &topics, &members).expect("ok");
    assert_eq!(got["a"].len(), 3);
    assert_eq!(got["b"].len(), 3);
    assert!(got["b"].iter().all(|p| &*p.topic == "t1"));
    assert!(got["a"].contains(&tp("t2-0")) && got["a"].contains(&tp("t2-1")));
    let coop = cooperative_sticky(&topics, &members).expect("ok");
    // Everything b gets moves from a, so it is all withheld in the first round.
    assert_eq!(coop.assignment["b"], vec![]);
    assert_eq!(coop.withheld.len(), 3);
}

// ---------- properties ----------

#[derive(Clone, Debug)]
struct Group {
    topics: BTreeMap<String, u32>,
    members: Vec<MemberSubscription>,
}

fn group_strategy(uniform_subscription: bool) -> impl Strategy<Value = Group> {
    (
        prop::collection::vec(0u32..7, 1..4),
        1usize..7,
        prop::collection::vec(prop::collection::vec(any::<bool>(), 3), 6),
        prop::collection::vec(any::<bool>(), 6),
    )
        .prop_map(move |(counts, member_count, subs, static_flags)| {
            let topics: BTreeMap<String, u32> = counts
                .iter()
                .enumerate()
                .map(|(i, &c)| (format!("t{i}"), c))
                .collect();
            let names: Vec<String> = topics.keys().cloned().collect();
            let members = (0..member_count)
                .map(|i| {
                    let chosen: Vec<String> = if uniform_subscription {
                        names.clone()
                    } else {
                        let picked: Vec<String> = names
                            .iter()
                            .zip(&subs[i])
                            .filter(|(_, &on)| on)
                            .map(|(n, _)| n.clone())
                            .collect();
                        if picked.is_empty() {
                            vec![names[i % names.len()].clone()]
                        } else {
                            picked
                        }
                    };
                    MemberSubscription {
                        member_id: format!("consumer-{}", (i * 7) % 11),
                        group_instance_id: static_flags[i].then(|| format!("instance-{}", 5 - i)),
                        topics: chosen,
                        owned: Vec::new(),
                        generation: None,
                    }
                })
                .collect();
            Group { topics, members }
        })
}

/// Every partition of a subscribed topic goes to exactly one member that subscribes to it.
fn check_valid(group: &Group, got: &Assignment, complete: bool) -> Result<(), TestCaseError> {
    prop_assert_eq!(got.len(), group.members.len());
    let mut seen = BTreeSet::new();
    for m in &group.members {
        for p in &got[&m.member_id] {
            prop_assert!(
                m.topics.iter().any(|t| **t == *p.topic),
                "{} got {} without subscribing",
                m.member_id,
                p
            );
            prop_assert!(seen.insert(p.clone()), "{} assigned twice", p);
        }
    }
    if complete {
        for (topic, &count) in &group.topics {
            if group.members.iter().any(|m| m.topics.contains(topic)) {
                for p in 0..count as i32 {
                    prop_assert!(seen.contains(&TopicPartition::new(topic.clone(), p)));
                }
            }
        }
    }
    Ok(())
}

fn spread(got: &Assignment) -> usize {
    let sizes: Vec<usize> = got.values().map(Vec::len).collect();
    sizes.iter().max().unwrap_or(&0) - sizes.iter().min().unwrap_or(&0)
}

fn with_owned(group: &Group, assignment: &Assignment) -> Group {
    let mut g = group.clone();
    for m in &mut g.members {
        m.owned = assignment[&m.member_id].clone();
        m.generation = Some(1);
    }
    g
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 96,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_assignor_is_valid(group in group_strategy(false)) {
        for a in AssignorName::ALL {
            let got = assign(a, &group.topics, &group.members).expect("ok");
            check_valid(&group, &got, true)?;
            // And again from that assignment as the owned state.
            let again = with_owned(&group, &got);
            let got2 = assign(a, &again.topics, &again.members).expect("ok");
            check_valid(&group, &got2, a != AssignorName::CooperativeSticky)?;
        }
    }

    #[test]
    fn balance_with_uniform_subscriptions(group in group_strategy(true)) {
        for a in AssignorName::ALL {
            let got = assign(a, &group.topics, &group.members).expect("ok");
            check_valid(&group, &got, true)?;
            if a == AssignorName::Range || a == AssignorName::ServerRange {
                // Balanced per topic.
                for topic in group.topics.keys() {
                    let per: Vec<usize> = got
                        .values()
                        .map(|l| l.iter().filter(|p| *p.topic == **topic).count())
                        .collect();
                    let max = per.iter().max().copied().unwrap_or(0);
                    let min = per.iter().min().copied().unwrap_or(0);
                    prop_assert!(max - min <= 1, "{:?} topic {}", a, topic);
                }
            } else {
                prop_assert!(spread(&got) <= 1, "{:?}: {:?}", a, got);
            }
        }
    }

    #[test]
    fn sticky_and_uniform_rebalance_stays_balanced_after_a_member_leaves(
        group in group_strategy(true),
        leaver in 0usize..6,
    ) {
        for a in [AssignorName::Sticky, AssignorName::Uniform] {
            let first = assign(a, &group.topics, &group.members).expect("ok");
            let mut next = with_owned(&group, &first);
            if next.members.len() > 1 {
                next.members.remove(leaver % next.members.len());
            }
            let second = assign(a, &next.topics, &next.members).expect("ok");
            check_valid(&next, &second, true)?;
            prop_assert!(spread(&second) <= 1);
            // Stickiness: survivors keep at least min(owned, new size) of what they had.
            for m in &next.members {
                let kept = second[&m.member_id].iter().filter(|p| m.owned.contains(p)).count();
                prop_assert!(kept >= m.owned.len().min(second[&m.member_id].len()), "{:?}", a);
            }
        }
    }

    #[test]
    fn sticky_keeps_everything_when_nothing_changed(group in group_strategy(false)) {
        for a in [AssignorName::Sticky, AssignorName::CooperativeSticky, AssignorName::Uniform] {
            let first = assign(a, &group.topics, &group.members).expect("ok");
            let again = with_owned(&group, &first);
            let second = assign(a, &again.topics, &again.members).expect("ok");
            prop_assert_eq!(&second, &first, "{:?}", a);
        }
        let coop = cooperative_sticky(&group.topics, &with_owned(&group, &assign(AssignorName::CooperativeSticky, &group.topics, &group.members).expect("ok")).members).expect("ok");
        prop_assert!(coop.withheld.is_empty());
    }

    #[test]
    fn cooperative_converges_in_two_rounds(group in group_strategy(true), extra in 0usize..3) {
        // Start from a sticky assignment, add members, run two cooperative rounds.
        let first = assign(AssignorName::Sticky, &group.topics, &group.members).expect("ok");
        let mut next = with_owned(&group, &first);
        for i in 0..extra {
            next.members.push(MemberSubscription {
                member_id: format!("new-{i}"),
                topics: group.topics.keys().cloned().collect(),
                generation: Some(1),
                ..Default::default()
            });
        }
        let round1 = cooperative_sticky(&next.topics, &next.members).expect("ok");
        check_valid(&next, &round1.assignment, false)?;
        // Nobody is given a partition another member still owns.
        for (member, list) in &round1.assignment {
            for p in list {
                let owner = next.members.iter().find(|m| m.owned.contains(p));
                prop_assert!(owner.is_none_or(|o| &o.member_id == member));
            }
        }
        let mut after = next.clone();
        for m in &mut after.members {
            m.owned = round1.assignment[&m.member_id].clone();
            m.generation = Some(2);
        }
        let round2 = cooperative_sticky(&after.topics, &after.members).expect("ok");
        prop_assert!(round2.withheld.is_empty());
        check_valid(&after, &round2.assignment, true)?;
        prop_assert!(spread(&round2.assignment) <= 1);
    }
}

/// 2,000 members, 500 topics × 2,000 partitions, uniform subscription; then one member leaves.
/// Run with `cargo test --release -- --ignored assignor_scale` and read the printed times.
#[test]
#[ignore]
fn assignor_scale_smoke() {
    let topic_names: Vec<String> = (0..500).map(|i| format!("topic-{i:03}")).collect();
    let topics: BTreeMap<String, u32> = topic_names.iter().map(|t| (t.clone(), 2000)).collect();
    let members: Vec<MemberSubscription> = (0..2000)
        .map(|i| MemberSubscription {
            member_id: format!(
                "consumer-{i}-{:08x}",
                (i as u32).wrapping_mul(2_654_435_761)
            ),
            topics: topic_names.clone(),
            ..Default::default()
        })
        .collect();
    for a in AssignorName::ALL {
        let start = std::time::Instant::now();
        let first = assign(a, &topics, &members).expect("ok");
        let t1 = start.elapsed();
        let mut next: Vec<MemberSubscription> = members
            .iter()
            .map(|m| MemberSubscription {
                owned: first[&m.member_id].clone(),
                generation: Some(1),
                ..m.clone()
            })
            .collect();
        next.remove(777);
        let start = std::time::Instant::now();
        let second = assign(a, &topics, &next).expect("ok");
        let t2 = start.elapsed();
        let assigned: usize = second.values().map(Vec::len).sum();
        println!("{a:?}: fresh {t1:?}, after one leaves {t2:?} ({assigned} assigned)");
    }
}

// ---------- more of Kafka's AbstractStickyAssignorTest ----------

fn member(
    id: &str,
    topics: &[&str],
    owned: &[&str],
    generation: Option<i32>,
) -> MemberSubscription {
    MemberSubscription {
        member_id: id.to_string(),
        group_instance_id: None,
        topics: topics.iter().map(|t| t.to_string()).collect(),
        owned: owned.iter().map(|s| tp(s)).collect(),
        generation,
    }
}

fn tps(list: &[&str]) -> Vec<TopicPartition> {
    list.iter().map(|s| tp(s)).collect()
}

#[test]
fn kafka_sticky_mixed_topic_subscriptions_general_path() {
    // testMultipleConsumersMixedTopicSubscriptions
    let topics = BTreeMap::from([("topic1".to_string(), 3u32), ("topic2".to_string(), 2u32)]);
    let members = [
        member("consumer1", &["topic1"], &[], None),
        member("consumer2", &["topic1", "topic2"], &[], None),
        member("consumer3", &["topic1"], &[], None),
    ];
    for a in [AssignorName::Sticky, AssignorName::CooperativeSticky] {
        let got = assign(a, &topics, &members).expect("ok");
        assert_eq!(got["consumer1"], tps(&["topic1-0", "topic1-2"]));
        assert_eq!(got["consumer2"], tps(&["topic2-0", "topic2-1"]));
        assert_eq!(got["consumer3"], tps(&["topic1-1"]));
    }
}

#[test]
fn kafka_sticky_partition_claimed_twice_in_same_generation() {
    // testPartitionsTransferringOwnershipIncludeThePartitionClaimedByMultipleConsumersInSameGeneration
    let topics = BTreeMap::from([("topic".to_string(), 3u32)]);
    let members = [
        member("consumer1", &["topic"], &["topic-0", "topic-1"], Some(1)),
        member("consumer2", &["topic"], &["topic-0", "topic-2"], Some(1)),
        member("consumer3", &["topic"], &[], Some(1)),
    ];
    let outcome = sticky::assign_with_transfers(&topics, &members).expect("ok");
    assert_eq!(
        outcome.transferring,
        Some(BTreeMap::from([(tp("topic-0"), "consumer3".to_string())]))
    );
    assert_eq!(outcome.assignment["consumer1"], tps(&["topic-1"]));
    assert_eq!(outcome.assignment["consumer2"], tps(&["topic-2"]));
    assert_eq!(outcome.assignment["consumer3"], tps(&["topic-0"]));
    // Cooperative: nobody keeps topic-0, so consumer3 waits one round for it.
    let coop = cooperative_sticky(&topics, &members).expect("ok");
    assert_eq!(coop.assignment["consumer3"], vec![]);
}

#[test]
fn kafka_sticky_highest_generation_wins() {
    // testEnsurePartitionsAssignedToHighestGeneration
    let all = ["topic", "topic2", "topic3"];
    let topics: BTreeMap<String, u32> = all.iter().map(|t| (t.to_string(), 3u32)).collect();
    let members = [
        member(
            "consumer1",
            &all,
            &["topic-0", "topic2-0", "topic3-0"],
            Some(10),
        ),
        member(
            "consumer2",
            &all,
            &["topic-1", "topic2-1", "topic3-1"],
            Some(9),
        ),
        member(
            "consumer3",
            &all,
            &["topic2-1", "topic3-0", "topic3-2"],
            Some(8),
        ),
    ];
    let outcome = sticky::assign_with_transfers(&topics, &members).expect("ok");
    assert_eq!(
        outcome.assignment["consumer1"],
        tps(&["topic-0", "topic2-0", "topic3-0"])
    );
    assert_eq!(
        outcome.assignment["consumer2"],
        tps(&["topic-1", "topic2-1", "topic3-1"])
    );
    assert_eq!(
        outcome.assignment["consumer3"],
        tps(&["topic-2", "topic2-2", "topic3-2"])
    );
    assert_eq!(outcome.transferring, Some(BTreeMap::new()));
}

#[test]
fn kafka_sticky_unequal_subscriptions_with_three_generations() {
    // testSubscriptionNotEqualAndAssignSamePartitionWith3Generation
    let topics = BTreeMap::from([("topic".to_string(), 6u32), ("topic1".to_string(), 1u32)]);
    for gens in [
        [1, 2, 3],
        [1, 3, 2],
        [2, 1, 3],
        [2, 3, 1],
        [3, 1, 2],
        [3, 2, 1],
    ] {
        let members = [
            member(
                "consumer1",
                &["topic"],
                &["topic-0", "topic-2"],
                Some(gens[0]),
            ),
            member(
                "consumer2",
                &["topic"],
                &["topic-1", "topic-2", "topic-3"],
                Some(gens[1]),
            ),
            member(
                "consumer3",
                &["topic"],
                &["topic-2", "topic-4", "topic-5"],
                Some(gens[2]),
            ),
            member("consumer4", &["topic1"], &["topic1-0"], Some(2)),
        ];
        let got = assign(AssignorName::Sticky, &topics, &members).expect("ok");
        let all: Vec<&TopicPartition> = got.values().flatten().collect();
        let unique: BTreeSet<&TopicPartition> = all.iter().copied().collect();
        assert_eq!(all.len(), unique.len(), "{gens:?}");
        assert_eq!(all.len(), 7);
        for list in got.values() {
            assert!((1..=2).contains(&list.len()), "{gens:?}: {got:?}");
        }
    }
}
