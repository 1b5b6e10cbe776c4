//! ZooKeeper-era placement: `AdminUtils.assignReplicasToBrokers` (used by ZooKeeper-mode topic
//! creation up to 3.9 and by `kafka-reassign-partitions --generate`).
//!
//! Leaders go round-robin from a start index; followers sit at a shift from the leader that
//! grows by one after every full round, so partitions led by one broker don't all share the same
//! followers. The rack-aware variant runs the same walk over a rack-alternating broker list.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::java_random::{java_string_cmp, PlacementRandom};
use super::{PlacementError, PlacementErrorKind};
use crate::ordered;
use crate::ordered::CollectOrdered;
use crate::BrokerId;

/// A broker as the ZooKeeper-era tools see it (`BrokerMetadata`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokerMetadata {
    pub id: BrokerId,
    pub rack: Option<String>,
}

/// `assignReplicasToBrokers(brokers, nPartitions, replicationFactor, fixedStartIndex,
/// startPartitionId)`.
///
/// * `brokers` are used in the order given; Kafka passes them sorted by id.
/// * `fixed_start_index >= 0` fixes both the start index and the initial replica shift; a
///   negative value draws each with `nextInt(brokerCount)` (start index first).
/// * partition ids start at `max(0, start_partition_id)`.
///
/// Errors are checked in Kafka's order: partitions, replication factor, broker count, racks.
/// Arithmetic is 64-bit where Java's `int` would overflow (only for absurd partition counts).
pub fn assign_replicas_to_brokers(
    brokers: &[BrokerMetadata],
    n_partitions: i32,
    replication_factor: i32,
    fixed_start_index: i32,
    start_partition_id: i32,
    rng: &mut (impl PlacementRandom + ?Sized),
) -> Result<BTreeMap<i32, Vec<BrokerId>>, PlacementError> {
    if n_partitions <= 0 {
        return Err(PlacementError::new(
            PlacementErrorKind::InvalidPartitions,
            "Number of partitions must be larger than 0.",
        ));
    }
    if replication_factor <= 0 {
        return Err(PlacementError::new(
            PlacementErrorKind::InvalidReplicationFactor,
            "Replication factor must be larger than 0.",
        ));
    }
    if replication_factor as usize > brokers.len() {
        return Err(PlacementError::new(
            PlacementErrorKind::InvalidReplicationFactor,
            format!(
                "Replication factor: {replication_factor} larger than available brokers: {}.",
                brokers.len()
            ),
        ));
    }
    if brokers.iter().all(|b| b.rack.is_none()) {
        let ids: Vec<BrokerId> = brokers.iter().map(|b| b.id).collect();
        return Ok(assign(
            &ids,
            n_partitions,
            replication_factor,
            fixed_start_index,
            start_partition_id,
            None,
            rng,
        ));
    }
    if brokers.iter().any(|b| b.rack.is_none()) {
        return Err(PlacementError::new(
            PlacementErrorKind::AdminOperation,
            "Not all brokers have rack information for replica rack aware assignment.",
        ));
    }
    let arranged = rack_alternated_broker_list(brokers);
    let racks: BTreeMap<BrokerId, &str> = brokers
        .iter()
        .map(|b| (b.id, b.rack.as_deref().unwrap_or_default()))
        .collect_map();
    Ok(assign(
        &arranged,
        n_partitions,
        replication_factor,
        fixed_start_index,
        start_partition_id,
        Some(&racks),
        rng,
    ))
}

/// `getRackAlternatedBrokerList`: racks sorted by name, brokers of each rack sorted by id, one
/// from each rack in turn. `{0:r1,1:r3,2:r3,3:r2,4:r2,5:r1}` → `[0,3,1,5,4,2]`.
/// Brokers without a rack are grouped under the empty name.
pub fn rack_alternated_broker_list(brokers: &[BrokerMetadata]) -> Vec<BrokerId> {
    // A broker id listed twice keeps its last rack, like the HashMap Kafka builds.
    let by_id: BTreeMap<BrokerId, &str> = brokers
        .iter()
        .map(|b| (b.id, b.rack.as_deref().unwrap_or_default()))
        .collect_map();
    let mut racks: Vec<(&str, Vec<BrokerId>)> = Vec::new();
    for (&id, &rack) in &by_id {
        match racks.iter_mut().find(|(r, _)| *r == rack) {
            Some((_, ids)) => ids.push(id),
            None => racks.push((rack, vec![id])),
        }
    }
    ordered::sort_by(&mut racks, |a, b| java_string_cmp(a.0, b.0));
    let mut result = Vec::with_capacity(by_id.len());
    let mut round = 0;
    while result.len() < by_id.len() {
        for (_, ids) in &racks {
            if let Some(&id) = ids.get(round) {
                result.push(id);
            }
        }
        round += 1;
    }
    result
}

/// `replicaIndex`: the follower slot `j` positions after the leader, shifted, never the leader.
fn replica_index(first: i64, shift: i64, j: i64, n: i64) -> usize {
    if n <= 1 {
        return 0;
    }
    let step = 1 + (shift + j) % (n - 1);
    ((first + step) % n) as usize
}

/// The shared walk; `racks` switches on the rack-aware follower choice.
fn assign(
    list: &[BrokerId],
    n_partitions: i32,
    replication_factor: i32,
    fixed_start_index: i32,
    start_partition_id: i32,
    racks: Option<&BTreeMap<BrokerId, &str>>,
    rng: &mut (impl PlacementRandom + ?Sized),
) -> BTreeMap<i32, Vec<BrokerId>> {
    let n = list.len() as i64;
    let bound = i32::try_from(list.len()).unwrap_or(i32::MAX);
    let start_index = if fixed_start_index >= 0 {
        i64::from(fixed_start_index)
    } else {
        i64::from(rng.next_int(bound))
    };
    let mut shift = if fixed_start_index >= 0 {
        i64::from(fixed_start_index)
    } else {
        i64::from(rng.next_int(bound))
    };
    let num_racks = racks.map_or(0, |r| r.values().collect_set().len()) as i64;
    let mut ret = BTreeMap::new();
    let first_partition = i64::from(start_partition_id.max(0));
    for partition in first_partition..first_partition + i64::from(n_partitions) {
        if partition > 0 && partition % n == 0 {
            shift += 1;
        }
        let first = (partition + start_index) % n;
        let leader = list[first as usize];
        let mut replicas = vec![leader];
        match racks {
            None => {
                for j in 0..i64::from(replication_factor) - 1 {
                    replicas.push(list[replica_index(first, shift, j, n)]);
                }
            }
            Some(racks) => {
                let rack_of = |b: BrokerId| racks.get(&b).copied().unwrap_or_default();
                let mut racks_with: BTreeSet<&str> = BTreeSet::from([rack_of(leader)]);
                let mut brokers_with: BTreeSet<BrokerId> = BTreeSet::from([leader]);
                let mut k = 0i64;
                for _ in 0..replication_factor - 1 {
                    // Terminates: replica_index cycles over every non-leader slot, and a broker
                    // without a replica is always acceptable once its rack condition clears.
                    loop {
                        let broker = list[replica_index(first, shift * num_racks, k, n)];
                        let rack = rack_of(broker);
                        k += 1;
                        if (!racks_with.contains(rack) || racks_with.len() as i64 == num_racks)
                            && (!brokers_with.contains(&broker) || brokers_with.len() as i64 == n)
                        {
                            replicas.push(broker);
                            racks_with.insert(rack);
                            brokers_with.insert(broker);
                            break;
                        }
                    }
                }
            }
        }
        ret.insert(partition as i32, replicas);
    }
    ret
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::placement::{JavaRandom, MockRandom};
    use serde_json::Value;

    fn fixture() -> Value {
        serde_json::from_str(include_str!("../../../tests/fixtures/placement.json"))
            .expect("placement fixture is valid JSON")
    }

    fn brokers_of(case: &Value) -> Vec<BrokerMetadata> {
        case["brokers"]
            .as_array()
            .expect("brokers")
            .iter()
            .map(|b| BrokerMetadata {
                id: b["id"].as_i64().expect("id") as i32,
                rack: b["rack"].as_str().map(str::to_string),
            })
            .collect()
    }

    fn int(v: &Value) -> i32 {
        v.as_i64().expect("integer") as i32
    }

    #[test]
    fn replica_placement_cases() {
        let f = fixture();
        let cases = f["replica_placement_cases"].as_array().expect("cases");
        assert_eq!(cases.len(), 9);
        for case in cases {
            let id = case["id"].as_str().expect("id");
            let brokers = brokers_of(case);
            if let Some(alt) = case.get("rack_alternated_list") {
                let expected: Vec<i32> = alt.as_array().expect("list").iter().map(int).collect();
                assert_eq!(rack_alternated_broker_list(&brokers), expected, "case {id}");
            }
            let got = assign_replicas_to_brokers(
                &brokers,
                int(&case["partitions"]),
                int(&case["replication_factor"]),
                int(&case["fixed_start_index"]),
                int(&case["start_partition_id"]),
                &mut MockRandom::default(),
            )
            .expect(id);
            let expected: BTreeMap<i32, Vec<i32>> = case["expected"]
                .as_object()
                .expect("expected")
                .iter()
                .map(|(p, r)| {
                    (
                        p.parse::<i32>().expect("partition id"),
                        r.as_array().expect("replicas").iter().map(int).collect(),
                    )
                })
                .collect();
            assert_eq!(got, expected, "case {id}");
        }
    }

    #[test]
    fn replica_placement_errors_in_kafka_order() {
        let f = fixture();
        let five: Vec<BrokerMetadata> =
            (0..5).map(|id| BrokerMetadata { id, rack: None }).collect();
        let mut rng = MockRandom::default();
        let mut seen = 0;
        for e in f["replica_placement_errors"].as_array().expect("errors") {
            if !e["placer"]
                .as_str()
                .expect("placer")
                .starts_with("AdminUtils")
            {
                continue;
            }
            let input = &e["input"];
            let partitions = input.get("partitions").map_or(3, int);
            let rf = input.get("replication_factor").map_or(1, int);
            let got =
                assign_replicas_to_brokers(&five, partitions, rf, -1, -1, &mut rng).unwrap_err();
            assert_eq!(got.message, e["message"].as_str().expect("message"));
            assert!(e["exception"]
                .as_str()
                .expect("exception")
                .ends_with(got.exception_name()));
            seen += 1;
        }
        assert_eq!(seen, 3);
        // Partitions are checked before the replication factor.
        let e = assign_replicas_to_brokers(&five, 0, 0, -1, -1, &mut rng).unwrap_err();
        assert_eq!(e.kind, PlacementErrorKind::InvalidPartitions);
        let mixed = vec![
            BrokerMetadata {
                id: 0,
                rack: Some("a".into()),
            },
            BrokerMetadata { id: 1, rack: None },
        ];
        let e = assign_replicas_to_brokers(&mixed, 1, 1, -1, -1, &mut rng).unwrap_err();
        assert_eq!(
            e.message,
            "Not all brokers have rack information for replica rack aware assignment."
        );
        assert_eq!(e.exception_name(), "AdminOperationException");
    }

    #[test]
    fn random_start_draws_start_then_shift() {
        // With nextInt draws s (start) then h (shift), the result equals the fixed-index walk
        // only when s == h; check the draw order against a replay of the same generator.
        let brokers: Vec<BrokerMetadata> =
            (0..4).map(|id| BrokerMetadata { id, rack: None }).collect();
        let mut rng = JavaRandom::new(99);
        let got = assign_replicas_to_brokers(&brokers, 4, 2, -1, 0, &mut rng).unwrap();
        let mut replay = JavaRandom::new(99);
        let start = replay.next_int(4) as usize;
        let shift = replay.next_int(4) as usize;
        for (p, r) in &got {
            let first = (*p as usize + start) % 4;
            assert_eq!(r[0], first as i32);
            assert_eq!(r[1], ((first + 1 + shift % 3) % 4) as i32);
        }
    }

    #[test]
    fn start_partition_id_numbers_partitions_but_keeps_the_initial_shift() {
        // Partition ids start at 6; the shift only grows when a later id crosses a multiple of
        // the broker count (p = 10 here), so p6 gets shift 0 — unlike p6 of a 10-partition run.
        let brokers: Vec<BrokerMetadata> =
            (0..5).map(|id| BrokerMetadata { id, rack: None }).collect();
        let mut rng = MockRandom::default();
        let tail = assign_replicas_to_brokers(&brokers, 5, 3, 0, 6, &mut rng).unwrap();
        let expected: BTreeMap<i32, Vec<i32>> = BTreeMap::from([
            (6, vec![1, 2, 3]),
            (7, vec![2, 3, 4]),
            (8, vec![3, 4, 0]),
            (9, vec![4, 0, 1]),
            (10, vec![0, 2, 3]),
        ]);
        assert_eq!(tail, expected);
    }
}
