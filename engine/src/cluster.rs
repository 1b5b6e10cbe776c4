//! The cluster's metadata as the controller holds it: brokers, topics, partitions, replicas,
//! leaders and ISRs. Metadata reaches brokers and clients at once in this version (no metadata
//! propagation delay yet); the controller quorum itself is the replication issue's job.

use super::broker::Broker;
use super::config::{BrokerConfig, Era, TopicConfig};
use super::error::{ErrorCode, KafkaError};
use super::ids::{BrokerId, TopicPartition};
use super::log::LogConfig;
use super::rng::SimRng;
use crate::ordered::CollectOrdered;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// How the cluster keeps its metadata.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ControllerMode {
    Kraft,
    Zookeeper,
}

/// What `cluster create` asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterSpec {
    pub brokers: u32,
    pub racks: Vec<String>,
    pub mode: ControllerMode,
    /// KRaft controller voters, or ZooKeeper servers in the ZooKeeper era (1, 3 or 5).
    pub controllers: u32,
    /// KRaft combined mode (`process.roles=broker,controller`): the voters run inside the
    /// first `controllers` brokers, with their node ids, instead of on dedicated controller
    /// nodes (3000...). Kafka recommends it only for small and development clusters.
    pub combined: bool,
    pub era: Era,
    /// Broker config overrides (`server.properties` style).
    pub broker_overrides: BTreeMap<String, String>,
    /// One-way latency of every network link. The UI's scenarios use longer links than a
    /// data centre has so that each protocol message can be watched.
    pub network_latency_ms: i64,
}

impl Default for ClusterSpec {
    /// The console's default cluster: 3 brokers, KRaft, Kafka 4.x defaults.
    fn default() -> Self {
        ClusterSpec {
            brokers: 3,
            racks: Vec::new(),
            mode: ControllerMode::Kraft,
            controllers: 1,
            combined: false,
            era: Era::Kafka4,
            broker_overrides: BTreeMap::new(),
            network_latency_ms: super::network::DEFAULT_LATENCY_MS,
        }
    }
}

/// The most brokers a playground cluster may have.
pub const MAX_BROKERS: u32 = 12;
/// The most partitions one topic may have in the playground.
pub const MAX_PARTITIONS: i32 = 10_000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PartitionMeta {
    pub replicas: Vec<BrokerId>,
    pub leader: Option<BrokerId>,
    pub isr: Vec<BrokerId>,
    pub leader_epoch: i32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TopicMeta {
    pub name: Arc<str>,
    pub id: String,
    pub partitions: Vec<PartitionMeta>,
    /// Topic-level config overrides, as `kafka-configs` sets them.
    pub overrides: BTreeMap<String, String>,
    pub internal: bool,
    /// The effective config (overrides over broker defaults), resolved when it changes.
    #[serde(skip)]
    pub config: TopicConfig,
    #[serde(skip)]
    pub log_config: LogConfig,
}

impl TopicMeta {
    /// Partition `partition` (none for a negative or too large index).
    pub fn partition(&self, partition: i32) -> Option<&PartitionMeta> {
        self.partitions.get(usize::try_from(partition).ok()?)
    }

    pub fn partition_mut(&mut self, partition: i32) -> Option<&mut PartitionMeta> {
        self.partitions.get_mut(usize::try_from(partition).ok()?)
    }
}

/// The address clients know broker `id` by (`localhost:9092` for broker 0): the console's
/// tools print it, and so does the client's `Node.toString()`.
pub fn broker_host(id: BrokerId) -> (String, i32) {
    ("localhost".to_string(), 9092 + id)
}

/// `Node.toString()`: `localhost:9093 (id: 1 rack: null)`.
pub fn node_string(id: BrokerId, rack: Option<&str>) -> String {
    let (host, port) = broker_host(id);
    format!("{host}:{port} (id: {id} rack: {})", rack.unwrap_or("null"))
}

#[derive(Clone, Debug)]
pub struct Cluster {
    pub id: String,
    pub mode: ControllerMode,
    pub era: Era,
    pub broker_config: BrokerConfig,
    pub brokers: BTreeMap<BrokerId, Broker>,
    pub topics: BTreeMap<String, TopicMeta>,
    /// What a topic without overrides gets.
    pub default_topic_config: TopicConfig,
    pub default_log_config: LogConfig,
    /// The first producer id of the next block the controller gives a broker
    /// (engine/src/producer_ids.rs); the first block starts at 0.
    pub next_producer_id_block: i64,
    pub controller: super::controller::Controller,
    /// Ongoing partition reassignments (KIP-455), by partition.
    pub reassignments: BTreeMap<TopicPartition, super::reassignment::Reassignment>,
}

/// Kafka's topic name rule (`Topic.validate`).
pub fn validate_topic_name(name: &str) -> Result<(), KafkaError> {
    let invalid = |why: String| Err(KafkaError::new(ErrorCode::InvalidTopicException, why));
    if name.is_empty() {
        return invalid("Topic name is invalid: the empty string is not allowed".into());
    }
    if name == "." || name == ".." {
        return invalid(format!("Topic name is invalid: '{name}' is not allowed"));
    }
    if name.len() > 249 {
        return invalid(format!(
            "Topic name is invalid: the length of '{name}' is longer than the max allowed length 249"
        ));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-')
    {
        return invalid(format!(
            "Topic name is invalid: '{name}' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'"
        ));
    }
    Ok(())
}

impl Cluster {
    pub fn new(spec: ClusterSpec, rng: &mut SimRng) -> Result<Cluster, KafkaError> {
        if spec.brokers == 0 || spec.brokers > MAX_BROKERS {
            return Err(KafkaError::new(
                ErrorCode::InvalidRequest,
                format!(
                    "A playground cluster has 1 to {MAX_BROKERS} brokers; {} was asked for.",
                    spec.brokers
                ),
            ));
        }
        if ![1, 3, 5].contains(&spec.controllers) {
            let what = match spec.mode {
                ControllerMode::Kraft => "KRaft controller quorum",
                ControllerMode::Zookeeper => "ZooKeeper ensemble",
            };
            return Err(KafkaError::new(
                ErrorCode::InvalidRequest,
                format!(
                    "A {what} has 1, 3 or 5 nodes (a majority must be alive; an even count adds no fault tolerance); {} was asked for.",
                    spec.controllers
                ),
            ));
        }
        if spec.combined && spec.mode != ControllerMode::Kraft {
            return Err(KafkaError::new(
                ErrorCode::InvalidRequest,
                "Combined mode (process.roles=broker,controller) is a KRaft mode; a ZooKeeper-era cluster has no controller voters to combine.",
            ));
        }
        if spec.combined && spec.controllers > spec.brokers {
            return Err(KafkaError::new(
                ErrorCode::InvalidRequest,
                format!(
                    "In combined mode the controller voters run inside brokers, so there can be at most as many voters as brokers; {} voters and {} brokers were asked for.",
                    spec.controllers, spec.brokers
                ),
            ));
        }
        let broker_config = BrokerConfig::for_era(spec.era, &spec.broker_overrides)
            .map_err(|e| KafkaError::new(ErrorCode::InvalidConfig, e.to_string()))?;
        let brokers = (0..spec.brokers as BrokerId)
            .map(|id| {
                let rack = if spec.racks.is_empty() {
                    None
                } else {
                    Some(spec.racks[id as usize % spec.racks.len()].clone())
                };
                (id, Broker::new(id, rack))
            })
            .collect_map();
        let default_topic_config = TopicConfig::build(&broker_config, &BTreeMap::new())
            .map_err(|e| KafkaError::new(ErrorCode::InvalidConfig, e.to_string()))?;
        Ok(Cluster {
            default_log_config: default_topic_config.log_config(),
            default_topic_config,
            id: rng.uuid_base64(),
            mode: spec.mode,
            era: spec.era,
            broker_config,
            brokers,
            topics: BTreeMap::new(),
            next_producer_id_block: 0,
            controller: super::controller::Controller::new(
                spec.mode,
                spec.controllers,
                spec.combined,
            ),
            reassignments: BTreeMap::new(),
        })
    }

    pub fn is_alive(&self, b: BrokerId) -> bool {
        self.brokers.get(&b).is_some_and(|b| b.alive)
    }

    /// Alive, unfenced and not shutting down: may be in an ISR or lead (KRaft's rule).
    pub fn is_eligible_for_isr(&self, b: BrokerId) -> bool {
        self.brokers
            .get(&b)
            .is_some_and(|x| x.alive && !x.fenced && !x.shutting_down)
    }

    pub fn live_brokers(&self) -> Vec<BrokerId> {
        self.brokers
            .values()
            .filter(|b| b.alive)
            .map(|b| b.id)
            .collect()
    }

    pub fn partition(&self, tp: &TopicPartition) -> Option<&PartitionMeta> {
        self.topics.get(&*tp.topic)?.partition(tp.partition)
    }

    /// [`Cluster::partition`] for partitions visited in key order (a fetch, a broker's
    /// replicas): one topic search per run of the same topic instead of one per partition.
    pub fn partitions_in_order(&self) -> TopicCursor<'_> {
        TopicCursor {
            cluster: self,
            topic: None,
        }
    }

    pub fn partition_mut(&mut self, tp: &TopicPartition) -> Option<&mut PartitionMeta> {
        self.topics.get_mut(&*tp.topic)?.partition_mut(tp.partition)
    }

    pub fn leader_of(&self, tp: &TopicPartition) -> Option<BrokerId> {
        self.partition(tp)?.leader
    }

    pub fn partition_count(&self, topic: &str) -> Option<i32> {
        self.topics.get(topic).map(|t| t.partitions.len() as i32)
    }

    /// `topic`'s partition `partition`, sharing the topic's name when the topic exists: keys that
    /// share a name compare without reading it.
    pub fn tp(&self, topic: &str, partition: i32) -> TopicPartition {
        TopicPartition::new(self.topic_name(topic), partition)
    }

    /// The same partitions, each naming its topic with the topic's shared name.
    pub fn shared(&self, mut tps: Vec<TopicPartition>) -> Vec<TopicPartition> {
        for tp in &mut tps {
            if let Some(t) = self.topics.get(&*tp.topic) {
                tp.topic = t.name.clone();
            }
        }
        tps
    }

    /// The topic's shared name (a new one for a topic that does not exist).
    pub fn topic_name(&self, topic: &str) -> Arc<str> {
        match self.topics.get(topic) {
            Some(t) => t.name.clone(),
            None => topic.into(),
        }
    }

    /// Every partition of every topic, in (topic, partition) order.
    pub fn all_partitions(&self) -> impl Iterator<Item = (TopicPartition, &PartitionMeta)> {
        self.topics.values().flat_map(|t| {
            t.partitions
                .iter()
                .enumerate()
                .map(move |(i, p)| (TopicPartition::new(t.name.clone(), i as i32), p))
        })
    }
}

/// See [`Cluster::partitions_in_order`].
pub struct TopicCursor<'a> {
    cluster: &'a Cluster,
    topic: Option<&'a TopicMeta>,
}

impl<'a> TopicCursor<'a> {
    /// Inlined: a follower calls it for every replica it holds before each fetch.
    #[inline]
    pub fn partition(&mut self, tp: &TopicPartition) -> Option<&'a PartitionMeta> {
        let topic = match self.topic {
            // Names are usually the topic's own shared allocation: no bytes compared.
            Some(t) if Arc::ptr_eq(&t.name, &tp.topic) || *t.name == *tp.topic => t,
            _ => {
                let t = self.cluster.topics.get(&*tp.topic)?;
                self.topic = Some(t);
                t
            }
        };
        topic.partition(tp.partition)
    }
}
