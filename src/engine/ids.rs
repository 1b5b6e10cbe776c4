//! Identifiers shared across the engine.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// A broker's `node.id`.
pub type BrokerId = i32;

/// A topic partition, printed as Kafka prints it: `topic-partition`. The topic name is shared
/// (`Arc<str>`): partitions are copied into every request and response, names need not be.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TopicPartition {
    pub topic: Arc<str>,
    pub partition: i32,
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
