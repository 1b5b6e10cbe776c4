//! KRaft's `StripedReplicaPlacer` (`metadata/.../placement/StripedReplicaPlacer.java`, 4.0).
//!
//! Partitions stripe across racks (p0 racks A,B,C; p1 B,C,A; ...) and leaders rotate over the
//! brokers. Hard rules: no broker twice in a partition, the leader is unfenced, fenced brokers are
//! used only once the unfenced ones run out. Every random draw happens in Kafka's order so
//! Kafka's `MockRandom` test vectors come out exactly (see `rng_consumption_order` in the
//! fixture).

use std::cmp::Ordering;

use super::java_random::{
    java_hashmap_iteration_order, java_optional_string_hash, java_string_cmp, shuffle,
    PlacementRandom,
};
use super::{PlacementError, PlacementErrorKind, UsableBroker};
use crate::ordered;
use crate::BrokerId;

/// The brokers of one rack with the same fencing state, handed out round-robin per epoch.
#[derive(Clone, Debug, Default)]
struct BrokerList {
    brokers: Vec<BrokerId>,
    /// How many brokers were handed out in the current epoch.
    index: usize,
    /// Added to `index` (mod size) to pick the broker.
    offset: usize,
    /// The iteration epoch last seen; a new one resets `index` and advances `offset`.
    epoch: u32,
}

impl BrokerList {
    fn initialize(&mut self, rng: &mut (impl PlacementRandom + ?Sized)) {
        if !self.brokers.is_empty() {
            self.brokers.sort_unstable();
            self.offset = draw(rng, self.brokers.len());
        }
    }

    fn next(&mut self, epoch: u32) -> Option<BrokerId> {
        let size = self.brokers.len();
        if size == 0 {
            return None;
        }
        if self.epoch != epoch {
            self.epoch = epoch;
            self.index = 0;
            self.offset = (self.offset + 1) % size;
        }
        if self.index >= size {
            return None;
        }
        let broker = self.brokers[(self.index + self.offset) % size];
        self.index += 1;
        Some(broker)
    }
}

#[derive(Clone, Debug, Default)]
struct Rack {
    fenced: BrokerList,
    unfenced: BrokerList,
}

impl Rack {
    /// Unfenced first, then fenced: fenced brokers only fill in when a rack runs dry.
    fn next(&mut self, epoch: u32) -> Option<BrokerId> {
        self.unfenced
            .next(epoch)
            .or_else(|| self.fenced.next(epoch))
    }
}

/// `nextInt(len)` for a collection length (always > 0 here).
fn draw(rng: &mut (impl PlacementRandom + ?Sized), len: usize) -> usize {
    let bound = i32::try_from(len).unwrap_or(i32::MAX);
    usize::try_from(rng.next_int(bound)).unwrap_or(0) % len.max(1)
}

/// `OptionalStringComparator`: the empty rack first, then Java string order.
fn cmp_rack(a: &Option<String>, b: &Option<String>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(x), Some(y)) => java_string_cmp(x, y),
    }
}

/// Kafka's `RackList`: the per-call placement state. One is built for every topic creation;
/// each [`RackList::place`] call yields one partition's replicas.
#[derive(Clone, Debug)]
pub struct RackList {
    /// Racks in insertion order (first appearance in the broker list), with their names.
    racks: Vec<(Option<String>, Rack)>,
    /// Indexes into `racks` in Java `HashMap<Optional<String>, Rack>` iteration order: the order
    /// in which racks are initialized and shuffled.
    hash_order: Vec<usize>,
    /// Indexes into `racks`, sorted by rack name (empty rack first), shuffled on epoch reset.
    rack_names: Vec<usize>,
    num_total_brokers: usize,
    num_unfenced_brokers: usize,
    epoch: u32,
    offset: usize,
}

impl RackList {
    /// Groups brokers by rack and draws the random start offsets, in Kafka's order: for each rack
    /// in `HashMap` order `fenced.initialize` then `unfenced.initialize`, then the rack offset.
    pub fn new(brokers: &[UsableBroker], rng: &mut (impl PlacementRandom + ?Sized)) -> Self {
        let mut racks: Vec<(Option<String>, Rack)> = Vec::new();
        let mut num_unfenced = 0;
        for b in brokers {
            let i = match racks.iter().position(|(name, _)| *name == b.rack) {
                Some(i) => i,
                None => {
                    racks.push((b.rack.clone(), Rack::default()));
                    racks.len() - 1
                }
            };
            let rack = &mut racks[i].1;
            if b.fenced {
                rack.fenced.brokers.push(b.id);
            } else {
                num_unfenced += 1;
                rack.unfenced.brokers.push(b.id);
            }
        }
        let hashes: Vec<i32> = racks
            .iter()
            .map(|(name, _)| java_optional_string_hash(name.as_deref()))
            .collect();
        let hash_order = java_hashmap_iteration_order(&hashes);
        for &i in &hash_order {
            let rack = &mut racks[i].1;
            rack.fenced.initialize(rng);
            rack.unfenced.initialize(rng);
        }
        let mut rack_names: Vec<usize> = (0..racks.len()).collect();
        ordered::sort_by(&mut rack_names, |&a, &b| cmp_rack(&racks[a].0, &racks[b].0));
        let offset = if rack_names.is_empty() {
            0
        } else {
            draw(rng, rack_names.len())
        };
        RackList {
            racks,
            hash_order,
            rack_names,
            num_total_brokers: brokers.len(),
            num_unfenced_brokers: num_unfenced,
            epoch: 0,
            offset,
        }
    }

    pub fn num_total_brokers(&self) -> usize {
        self.num_total_brokers
    }

    pub fn num_unfenced_brokers(&self) -> usize {
        self.num_unfenced_brokers
    }

    /// Rack names in their current order (sorted until the first epoch reset shuffles them).
    pub fn rack_names(&self) -> Vec<Option<String>> {
        self.rack_names
            .iter()
            .map(|&i| self.racks[i].0.clone())
            .collect()
    }

    /// One partition's replicas, leader first (`RackList.place`).
    pub fn place(
        &mut self,
        replication_factor: i32,
        rng: &mut (impl PlacementRandom + ?Sized),
    ) -> Result<Vec<BrokerId>, PlacementError> {
        check_positive(replication_factor)?;
        check_enough_brokers(replication_factor, self.num_total_brokers)?;
        check_any_unfenced(self.num_unfenced_brokers)?;
        // After as many partitions as there are unfenced brokers, reshuffle so the same
        // assignments don't repeat (not for a single unfenced broker: that would loop forever).
        if self.epoch as usize == self.num_unfenced_brokers && self.num_unfenced_brokers > 1 {
            self.shuffle(rng);
            self.epoch = 0;
        }
        let num_racks = self.rack_names.len();
        if self.offset == num_racks {
            self.offset = 0;
        }
        let rf = usize::try_from(replication_factor).unwrap_or(0);
        let mut replicas = Vec::with_capacity(rf);

        // Leader: the first rack from `offset` that still has an unfenced broker.
        let mut first_rack = self.offset;
        let mut tried = 0;
        loop {
            let rack = self.rack_names[first_rack];
            if let Some(b) = self.racks[rack].1.unfenced.next(self.epoch) {
                replicas.push(b);
                break;
            }
            first_rack = (first_rack + 1) % num_racks;
            tried += 1;
            if tried > num_racks {
                return Err(no_unfenced_error());
            }
        }

        // Followers: round-robin over racks from `offset`, skipping the leader's rack once.
        let mut skip_rack = Some(first_rack);
        let mut rack_index = self.offset;
        for _ in 1..rf {
            let mut empty_visits = 0;
            let broker = loop {
                let mut result = None;
                if skip_rack == Some(rack_index) {
                    skip_rack = None;
                } else {
                    let rack = self.rack_names[rack_index];
                    result = self.racks[rack].1.next(self.epoch);
                }
                rack_index = (rack_index + 1) % num_racks;
                if let Some(b) = result {
                    break b;
                }
                // Only reachable if every rack is exhausted; the RF check above rules it out.
                empty_visits += 1;
                if empty_visits > 2 * num_racks + 1 {
                    return Err(check_enough_brokers(replication_factor, replicas.len())
                        .err()
                        .unwrap_or_else(no_unfenced_error));
                }
            };
            replicas.push(broker);
        }
        self.epoch += 1;
        self.offset += 1;
        Ok(replicas)
    }

    /// `Collections.shuffle` of the rack names, then of each rack's lists in `HashMap` order.
    fn shuffle(&mut self, rng: &mut (impl PlacementRandom + ?Sized)) {
        shuffle(&mut self.rack_names, rng);
        for &i in &self.hash_order {
            let rack = &mut self.racks[i].1;
            shuffle(&mut rack.fenced.brokers, rng);
            shuffle(&mut rack.unfenced.brokers, rng);
        }
    }
}

fn check_positive(rf: i32) -> Result<(), PlacementError> {
    if rf <= 0 {
        return Err(PlacementError::new(
            PlacementErrorKind::InvalidReplicationFactor,
            format!("Invalid replication factor {rf}: the replication factor must be positive."),
        ));
    }
    Ok(())
}

fn check_enough_brokers(rf: i32, total: usize) -> Result<(), PlacementError> {
    if i64::from(rf) > total as i64 {
        return Err(PlacementError::new(
            PlacementErrorKind::InvalidReplicationFactor,
            format!(
                "The target replication factor of {rf} cannot be reached because only {total} \
                 broker(s) are registered."
            ),
        ));
    }
    Ok(())
}

fn no_unfenced_error() -> PlacementError {
    PlacementError::new(
        PlacementErrorKind::InvalidReplicationFactor,
        "All brokers are currently fenced.",
    )
}

fn check_any_unfenced(unfenced: usize) -> Result<(), PlacementError> {
    if unfenced == 0 {
        return Err(no_unfenced_error());
    }
    Ok(())
}

/// `StripedReplicaPlacer.place` for a whole new topic: builds a fresh [`RackList`] (drawing its
/// random offsets), checks the request, then places each partition in turn.
///
/// Check order is the placer's: positive RF, some unfenced broker, enough registered brokers.
/// `num_partitions <= 0` yields no partitions (the controller rejects it earlier; see
/// [`super::create_topic_assignment`]).
pub fn place(
    brokers: &[UsableBroker],
    num_partitions: i32,
    replication_factor: i32,
    rng: &mut (impl PlacementRandom + ?Sized),
) -> Result<Vec<Vec<BrokerId>>, PlacementError> {
    let mut racks = RackList::new(brokers, rng);
    check_positive(replication_factor)?;
    check_any_unfenced(racks.num_unfenced_brokers)?;
    check_enough_brokers(replication_factor, racks.num_total_brokers)?;
    let n = usize::try_from(num_partitions).unwrap_or(0);
    let mut out = Vec::with_capacity(n.min(1 << 16));
    for _ in 0..n {
        out.push(racks.place(replication_factor, rng)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::placement::{JavaRandom, MockRandom};
    use serde_json::Value;
    use std::collections::{BTreeMap, BTreeSet};

    fn fixture() -> Value {
        serde_json::from_str(include_str!("../../../tests/fixtures/placement.json"))
            .expect("placement fixture is valid JSON")
    }

    fn brokers_of(case: &Value) -> Vec<UsableBroker> {
        case["brokers"]
            .as_array()
            .expect("brokers")
            .iter()
            .map(|b| UsableBroker {
                id: b["id"].as_i64().expect("id") as i32,
                rack: b["rack"].as_str().map(str::to_string),
                fenced: b["fenced"].as_bool().unwrap_or(false),
            })
            .collect()
    }

    fn lists(v: &Value) -> Vec<Vec<BrokerId>> {
        v.as_array()
            .expect("list")
            .iter()
            .map(|r| {
                r.as_array()
                    .expect("replicas")
                    .iter()
                    .map(|x| x.as_i64().expect("id") as i32)
                    .collect()
            })
            .collect()
    }

    #[test]
    fn striped_replica_placer_cases_from_kafka_tests() {
        let f = fixture();
        let cases = f["striped_replica_placer_cases"]["cases"]
            .as_array()
            .expect("cases");
        assert_eq!(cases.len(), 6);
        for case in cases {
            let id = case["id"].as_str().expect("id");
            let brokers = brokers_of(case);
            let rf = case["replication_factor"].as_i64().expect("rf") as i32;
            let mut rng = MockRandom::default();
            let level = case["level"].as_str().expect("level");
            let got: Vec<Vec<BrokerId>> = if level.starts_with("RackList") {
                let expected = lists(&case["expected_sequence"]);
                let mut rl = RackList::new(&brokers, &mut rng);
                (0..expected.len())
                    .map(|_| rl.place(rf, &mut rng).expect(id))
                    .collect()
            } else {
                let n = case["partitions"].as_i64().expect("partitions") as i32;
                place(&brokers, n, rf, &mut rng).expect(id)
            };
            if let Some(exp) = case.get("expected_sequence") {
                assert_eq!(got, lists(exp), "case {id}");
            } else {
                let mut counts: BTreeMap<String, u64> = BTreeMap::new();
                for r in &got {
                    let key = r
                        .iter()
                        .map(|b| b.to_string())
                        .collect::<Vec<_>>()
                        .join(",");
                    *counts.entry(key).or_default() += 1;
                }
                let expected: BTreeMap<String, u64> = case["expected_counts"]
                    .as_object()
                    .expect("counts")
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_u64().expect("count")))
                    .collect();
                assert_eq!(counts, expected, "case {id}");
            }
        }
    }

    #[test]
    fn striped_errors_have_kafka_messages() {
        let f = fixture();
        let two = vec![
            UsableBroker {
                id: 0,
                rack: None,
                fenced: false,
            },
            UsableBroker {
                id: 1,
                rack: None,
                fenced: false,
            },
        ];
        let fenced: Vec<UsableBroker> = two
            .iter()
            .cloned()
            .map(|mut b| {
                b.fenced = true;
                b
            })
            .collect();
        let mut rng = MockRandom::default();
        for e in f["replica_placement_errors"].as_array().expect("errors") {
            let placer = e["placer"].as_str().expect("placer");
            if !placer.starts_with("StripedReplicaPlacer") {
                continue;
            }
            let input = &e["input"];
            let got = if input.get("registered_brokers").is_some() {
                place(&two, 1, 3, &mut rng)
            } else if input.get("all_brokers_fenced").is_some() {
                place(&fenced, 1, 1, &mut rng)
            } else {
                place(&two, 1, 0, &mut rng)
            }
            .unwrap_err();
            assert_eq!(got.message, e["message"].as_str().expect("message"));
            assert_eq!(got.exception_name(), "InvalidReplicationFactorException");
        }
    }

    #[test]
    fn empty_and_single_broker_clusters() {
        let mut rng = JavaRandom::new(7);
        let e = place(&[], 1, 1, &mut rng).unwrap_err();
        assert_eq!(e.message, "All brokers are currently fenced.");
        let one = [UsableBroker {
            id: 5,
            rack: Some("r".into()),
            fenced: false,
        }];
        assert_eq!(place(&one, 3, 1, &mut rng).unwrap(), vec![vec![5]; 3]);
        assert_eq!(place(&one, 0, 1, &mut rng).unwrap(), Vec::<Vec<i32>>::new());
    }

    proptest::proptest! {
        /// Kafka's hard rules hold for any cluster: distinct replicas, unfenced leader, and
        /// fenced brokers only when the unfenced ones cannot fill the partition.
        #[test]
        fn hard_rules_hold(
            spec in proptest::collection::vec((0u8..4, proptest::bool::ANY), 1..9),
            seed in proptest::num::i64::ANY,
            rf in 1i32..5,
            parts in 1i32..20,
        ) {
            let brokers: Vec<UsableBroker> = spec.iter().enumerate().map(|(i, (rack, fenced))| {
                UsableBroker {
                    id: i as i32 * 3,
                    rack: if *rack == 0 { None } else { Some(format!("r{rack}")) },
                    fenced: *fenced,
                }
            }).collect();
            let unfenced: BTreeSet<i32> =
                brokers.iter().filter(|b| !b.fenced).map(|b| b.id).collect();
            let mut rng = JavaRandom::new(seed);
            match place(&brokers, parts, rf, &mut rng) {
                Ok(assignment) => {
                    proptest::prop_assert_eq!(assignment.len(), parts as usize);
                    for r in assignment {
                        let set: BTreeSet<i32> = r.iter().copied().collect();
                        proptest::prop_assert_eq!(set.len(), rf as usize);
                        proptest::prop_assert!(unfenced.contains(&r[0]));
                        let fenced_used = r.iter().filter(|b| !unfenced.contains(b)).count();
                        if fenced_used > 0 {
                            proptest::prop_assert!(rf as usize > unfenced.len()
                                || brokers.iter().any(|b| b.rack.is_some()));
                        }
                    }
                }
                Err(e) => {
                    proptest::prop_assert!(unfenced.is_empty() || rf as usize > brokers.len(),
                        "unexpected error {}", e);
                }
            }
        }
    }
}
