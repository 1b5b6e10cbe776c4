//! State stores: in-memory key-value stores (`Stores.inMemoryKeyValueStore`), one partition
//! per task, each backed by a compacted changelog topic `<application.id>-<store>-changelog`
//! (a join's table store uses its source topic instead). Being in memory, a store is empty
//! when its task starts and is restored by replaying the changelog partition to its end.

use super::topology::{Aggregation, Rec};
use crate::ordered::CollectOrdered;
use std::collections::BTreeMap;

/// Kafka's changelog topic name.
pub fn changelog_topic(application_id: &str, store: &str) -> String {
    format!("{application_id}-{store}-changelog")
}

/// Kafka's repartition topic name (here named after the store it feeds).
pub fn repartition_topic(application_id: &str, store: &str) -> String {
    format!("{application_id}-{store}-repartition")
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StateStore {
    pub name: String,
    /// The topic it is restored from.
    pub changelog: String,
    /// Contents per task partition.
    pub partitions: BTreeMap<i32, BTreeMap<String, String>>,
}

impl StateStore {
    pub fn new(name: String, changelog: String) -> Self {
        StateStore {
            name,
            changelog,
            partitions: BTreeMap::new(),
        }
    }

    pub fn get(&self, partition: i32, key: &str) -> Option<&String> {
        self.partitions.get(&partition)?.get(key)
    }

    /// A changelog record: a value puts, a tombstone deletes.
    pub fn apply(&mut self, partition: i32, key: String, value: Option<String>) {
        let p = self.partitions.entry(partition).or_default();
        match value {
            Some(v) => {
                p.insert(key, v);
            }
            None => {
                p.remove(&key);
            }
        }
    }

    /// Every partition's contents together (keys are unique across partitions).
    pub fn contents(&self) -> BTreeMap<String, String> {
        self.partitions
            .values()
            .flat_map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())))
            .collect_map()
    }
}

/// The result of aggregating one record: the store key and its new value (also the changelog
/// record), and the key the update is forwarded with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Update {
    pub store_key: String,
    pub value: String,
    pub out_key: String,
}

/// Aggregates one record into partition `p` of `store`. Records with a null key (or, for
/// `sum`, a value that is not an integer) are dropped, as Kafka Streams drops them.
pub fn aggregate(agg: Aggregation, store: &mut StateStore, p: i32, r: &Rec) -> Option<Update> {
    let key = r.key.as_ref()?;
    let (store_key, out_key, add) = match agg {
        Aggregation::Count => (key.clone(), key.clone(), 1),
        Aggregation::Sum => {
            let n: i64 = r.value.as_deref()?.trim().parse().ok()?;
            (key.clone(), key.clone(), n)
        }
        Aggregation::WindowedCount(size) => {
            let start = r.timestamp - r.timestamp.rem_euclid(size.max(1));
            let end = start.saturating_add(size);
            (
                format!("{key}@{start}"),
                format!("[{key}@{start}/{end}]"),
                1,
            )
        }
    };
    let old: i64 = store
        .get(p, &store_key)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let value = old.saturating_add(add).to_string();
    store.apply(p, store_key.clone(), Some(value.clone()));
    Some(Update {
        store_key,
        value,
        out_key,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(k: &str, v: &str, ts: i64) -> Rec {
        Rec {
            key: Some(k.into()),
            value: Some(v.into()),
            timestamp: ts,
        }
    }

    #[test]
    fn counts_sums_and_windows() {
        let mut s = StateStore::new("counts".into(), changelog_topic("wc", "counts"));
        assert_eq!(s.changelog, "wc-counts-changelog");
        aggregate(Aggregation::Count, &mut s, 0, &rec("a", "x", 0));
        let u = aggregate(Aggregation::Count, &mut s, 0, &rec("a", "x", 0)).unwrap();
        assert_eq!((u.store_key.as_str(), u.value.as_str()), ("a", "2"));
        let mut sum = StateStore::default();
        aggregate(Aggregation::Sum, &mut sum, 1, &rec("ann", "12", 0));
        let u = aggregate(Aggregation::Sum, &mut sum, 1, &rec("ann", "30", 0)).unwrap();
        assert_eq!(u.value, "42");
        assert_eq!(
            aggregate(Aggregation::Sum, &mut sum, 1, &rec("ann", "x", 0)),
            None
        );
        let mut w = StateStore::default();
        let u = aggregate(
            Aggregation::WindowedCount(60_000),
            &mut w,
            0,
            &rec("a", "", 61_000),
        )
        .unwrap();
        assert_eq!(u.out_key, "[a@60000/120000]");
        assert_eq!(u.store_key, "a@60000");
    }

    #[test]
    fn replaying_a_changelog_rebuilds_the_store() {
        let mut s = StateStore::default();
        for (i, w) in ["a", "b", "a"].iter().enumerate() {
            aggregate(Aggregation::Count, &mut s, 0, &rec(w, "", i as i64));
        }
        let mut restored = StateStore::default();
        // The changelog holds every update; replaying them in order gives the same store.
        for (k, v) in [("a", "1"), ("b", "1"), ("a", "2")] {
            restored.apply(0, k.into(), Some(v.into()));
        }
        assert_eq!(restored.contents(), s.contents());
        restored.apply(0, "b".into(), None);
        assert_eq!(restored.contents().len(), 1);
    }
}
