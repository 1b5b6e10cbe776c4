//! Identifiers shared across the engine.

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// A broker's `node.id`.
pub type BrokerId = i32;

/// A topic partition, printed as Kafka prints it: `topic-partition`. The topic name is shared
/// (`Arc<str>`): partitions are copied into every request and response, names need not be.
/// Comparisons order by topic then partition, as the derived ones would, but two copies of one
/// name skip comparing its bytes: the engine's maps are keyed by partition and look them up
/// on every message.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TopicPartition {
    pub topic: Arc<str>,
    pub partition: i32,
}

impl PartialEq for TopicPartition {
    fn eq(&self, other: &Self) -> bool {
        self.partition == other.partition
            && (Arc::ptr_eq(&self.topic, &other.topic) || self.topic == other.topic)
    }
}

impl Eq for TopicPartition {}

impl Hash for TopicPartition {
    /// The fields in order, as the derived hash would: equal partitions hash alike.
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.topic.hash(state);
        self.partition.hash(state);
    }
}

// `cmp` is inlined: B-tree searches keyed by partition call it for every key they compare, and
// in WebAssembly (`opt-level = "s"`) the call was ~5% of a fast-forward.
impl Ord for TopicPartition {
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b) = (self.topic.as_bytes(), other.topic.as_bytes());
        let topic = if Arc::ptr_eq(&self.topic, &other.topic) {
            Ordering::Equal
        } else {
            // Different topics' names usually differ in their first byte: decided without
            // calling memcmp (a broker's replica map compares them on every fetch).
            match (a.first(), b.first()) {
                (Some(x), Some(y)) if x != y => x.cmp(y),
                _ => a.cmp(b),
            }
        };
        topic.then(self.partition.cmp(&other.partition))
    }
}

impl PartialOrd for TopicPartition {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl TopicPartition {
    pub fn new(topic: impl Into<Arc<str>>, partition: i32) -> Self {
        TopicPartition {
            topic: topic.into(),
            partition,
        }
    }
}

impl fmt::Display for TopicPartition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.topic, self.partition)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_is_topic_then_partition_whether_or_not_names_are_shared() {
        let shared: Arc<str> = "orders".into();
        let a = TopicPartition::new(shared.clone(), 1);
        let b = TopicPartition::new(shared, 2);
        let copy = TopicPartition::new("orders", 1);
        assert_eq!(a, copy);
        assert_eq!(a.cmp(&copy), Ordering::Equal);
        assert!(a < b && copy < b);
        // Topic first: "a-9" sorts before "b-0", and "orders-10" after "orders-2".
        assert!(TopicPartition::new("a", 9) < TopicPartition::new("b", 0));
        assert!(TopicPartition::new("orders", 10) > b);
        assert_ne!(a, TopicPartition::new("payments", 1));
    }

    proptest::proptest! {
        #[test]
        fn order_is_the_names_then_the_partitions(
            a in "[ab_]{0,3}", b in "[ab_]{0,3}", p in 0i32..3, q in 0i32..3,
        ) {
            let (x, y) = (TopicPartition::new(a.as_str(), p), TopicPartition::new(b.as_str(), q));
            proptest::prop_assert_eq!(x.cmp(&y), (a.as_str(), p).cmp(&(b.as_str(), q)));
        }
    }
}
