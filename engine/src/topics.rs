//! Topic administration as the controller does it: create (replica placement), delete, add
//! partitions, alter configs, DeleteRecords; and each topic's effective config.

use super::cluster::ControllerMode;
use super::cluster::{validate_topic_name, PartitionMeta, TopicMeta, MAX_PARTITIONS};
use super::config::TopicConfig;
use super::error::{ErrorCode, KafkaError};
use super::group::classic::OFFSETS_TOPIC;
use super::ids::{BrokerId, TopicPartition};
use super::log::{Log, LogConfig};
use super::placement::{self, BrokerMetadata, PlacementErrorKind, UsableBroker};
use super::sim::{Event, Sim, Timer};
use super::trace::TraceEvent;
use crate::ordered::CollectOrdered;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

fn placement_error(e: placement::PlacementError) -> KafkaError {
    let code = match e.kind {
        PlacementErrorKind::InvalidPartitions => ErrorCode::InvalidPartitions,
        PlacementErrorKind::InvalidReplicationFactor => ErrorCode::InvalidReplicationFactor,
        _ => ErrorCode::InvalidReplicationFactor,
    };
    KafkaError::new(code, e.message)
}

impl Sim {
    /// The effective config of a topic: its overrides over the broker defaults.
    pub fn topic_config(&self, topic: &str) -> &TopicConfig {
        self.cluster
            .topics
            .get(topic)
            .map_or(&self.cluster.default_topic_config, |t| &t.config)
    }

    /// The numbers a topic's partition logs obey.
    pub(crate) fn log_config(&self, topic: &str) -> &LogConfig {
        self.cluster
            .topics
            .get(topic)
            .map_or(&self.cluster.default_log_config, |t| &t.log_config)
    }

    fn build_topic_config(
        &self,
        overrides: &BTreeMap<String, String>,
    ) -> Result<TopicConfig, KafkaError> {
        TopicConfig::build(&self.cluster.broker_config, overrides)
            .map_err(|e| KafkaError::new(ErrorCode::InvalidConfig, e.to_string()))
    }

    /// CreateTopics, as `kafka-topics --create` sends it.
    pub(crate) fn create_topic(
        &mut self,
        name: &str,
        partitions: Option<i32>,
        replication_factor: Option<i16>,
        configs: BTreeMap<String, String>,
        assignment: Option<Vec<Vec<BrokerId>>>,
    ) -> Result<String, KafkaError> {
        validate_topic_name(name)?;
        if name.starts_with("__") && self.cluster.topics.contains_key(name) {
            return Err(KafkaError::new(
                ErrorCode::TopicAlreadyExists,
                format!("Topic '{name}' already exists."),
            ));
        }
        let partitions = partitions.unwrap_or(-1);
        let rf = replication_factor.unwrap_or(-1);
        self.create_topic_internal(name, partitions, rf, configs, assignment, false)
    }

    /// Creates a topic with the broker defaults, as `auto.create.topics.enable` does.
    pub(crate) fn auto_create_topic(&mut self, name: &str) -> Result<String, KafkaError> {
        if !self.cluster.broker_config.auto_create_topics_enable {
            return Err(KafkaError::new(
                ErrorCode::UnknownTopicOrPartition,
                format!(
                    "Topic {name} not present in metadata and auto.create.topics.enable is false."
                ),
            ));
        }
        validate_topic_name(name)?;
        if name == OFFSETS_TOPIC {
            // `AutoTopicCreationManager`: the offsets topic is made with its own settings.
            self.ensure_offsets_topic();
            let id = self.cluster.topics.get(name).map(|t| t.id.clone());
            return id.ok_or_else(|| {
                KafkaError::new(
                    ErrorCode::CoordinatorNotAvailable,
                    "The coordinator is not available.".to_string(),
                )
            });
        }
        self.create_topic_internal(name, -1, -1, BTreeMap::new(), None, false)
    }

    pub(crate) fn create_topic_internal(
        &mut self,
        name: &str,
        partitions: i32,
        rf: i16,
        configs: BTreeMap<String, String>,
        assignment: Option<Vec<Vec<BrokerId>>>,
        internal: bool,
    ) -> Result<String, KafkaError> {
        if self.cluster.topics.contains_key(name) {
            return Err(KafkaError::new(
                ErrorCode::TopicAlreadyExists,
                format!("Topic '{name}' already exists."),
            ));
        }
        if partitions > MAX_PARTITIONS {
            return Err(KafkaError::new(
                ErrorCode::InvalidPartitions,
                format!("The playground allows at most {MAX_PARTITIONS} partitions per topic; {partitions} were asked for."),
            ));
        }
        let config = self.build_topic_config(&configs)?;
        let replicas = match assignment {
            Some(a) => self.validate_manual_assignment(&a)?,
            None => {
                let defaults = &self.cluster.broker_config;
                let partitions = if partitions == -1 {
                    defaults.num_partitions
                } else {
                    partitions
                };
                let rf = if rf == -1 {
                    defaults.default_replication_factor
                } else {
                    rf as i32
                };
                self.place_replicas(partitions, rf, 0)?
            }
        };
        let id = self.rng.uuid_base64();
        let now_ts = self.timestamp();
        // One shared name: every partition's key points at it (see `TopicPartition`'s `Ord`).
        let shared: Arc<str> = name.into();
        let mut metas = Vec::with_capacity(replicas.len());
        for (p, reps) in replicas.iter().enumerate() {
            let isr: Vec<BrokerId> = reps
                .iter()
                .copied()
                .filter(|b| self.cluster.is_alive(*b))
                .collect();
            let leader = isr.first().copied();
            metas.push(PartitionMeta {
                replicas: reps.clone(),
                leader,
                isr,
                leader_epoch: 0,
            });
            let tp = TopicPartition::new(shared.clone(), p as i32);
            for b in reps {
                if let Some(broker) = self.cluster.brokers.get_mut(b) {
                    broker.add_replica(tp.clone(), Log::new(tp.clone(), now_ts));
                }
            }
        }
        self.cluster.topics.insert(
            name.to_string(),
            TopicMeta {
                name: shared,
                id: id.clone(),
                partitions: metas,
                overrides: configs,
                internal,
                log_config: config.log_config(),
                config,
            },
        );
        self.record(TraceEvent::TopicCreated {
            topic: name.to_string(),
            replicas,
        });
        self.start_replica_fetchers();
        Ok(id)
    }

    /// Replica placement as the controller of this cluster's mode does it: KRaft's striped placer
    /// over registered brokers (fenced ones last), or ZooKeeper-era AdminUtils over live brokers.
    fn place_replicas(
        &mut self,
        partitions: i32,
        rf: i32,
        start_partition_id: i32,
    ) -> Result<Vec<Vec<BrokerId>>, KafkaError> {
        let mut rng = SimPlacementRandom(&mut self.rng);
        match self.cluster.mode {
            ControllerMode::Kraft => {
                let brokers: Vec<UsableBroker> = self
                    .cluster
                    .brokers
                    .values()
                    .map(|b| UsableBroker {
                        id: b.id,
                        rack: b.rack.clone(),
                        fenced: !b.alive,
                    })
                    .collect();
                placement::create_topic_assignment(&brokers, partitions, rf, 1, 1, &mut rng)
                    .map_err(placement_error)
            }
            ControllerMode::Zookeeper => {
                let brokers: Vec<BrokerMetadata> = self
                    .cluster
                    .brokers
                    .values()
                    .filter(|b| b.alive)
                    .map(|b| BrokerMetadata {
                        id: b.id,
                        rack: b.rack.clone(),
                    })
                    .collect();
                placement::assign_replicas_to_brokers(
                    &brokers,
                    partitions,
                    rf,
                    -1,
                    start_partition_id,
                    &mut rng,
                )
                .map(|m| m.into_values().collect())
                .map_err(placement_error)
            }
        }
    }

    fn validate_manual_assignment(
        &self,
        a: &[Vec<BrokerId>],
    ) -> Result<Vec<Vec<BrokerId>>, KafkaError> {
        let bad = |m: String| Err(KafkaError::new(ErrorCode::InvalidReplicaAssignment, m));
        let Some(first) = a.first() else {
            return bad("The replica assignment is empty.".into());
        };
        for (p, reps) in a.iter().enumerate() {
            if reps.len() != first.len() {
                return bad(format!("Partition {p} has {} replicas, but partition 0 has {}: every partition needs the same replication factor.", reps.len(), first.len()));
            }
            let mut seen = BTreeSet::new();
            if let Some(dup) = reps.iter().find(|b| !seen.insert(**b)) {
                return bad(format!(
                    "Partition replica lists may not contain duplicate entries: {dup}"
                ));
            }
            for b in reps {
                if !self.cluster.brokers.contains_key(b) {
                    return bad(format!("The manual partition assignment includes broker {b}, but no such broker is registered."));
                }
            }
        }
        Ok(a.to_vec())
    }

    /// Followers start fetching from their leaders.
    pub(crate) fn start_replica_fetchers(&mut self) {
        let followers: BTreeSet<BrokerId> = self
            .cluster
            .all_partitions()
            .flat_map(|(_, p)| {
                p.replicas
                    .iter()
                    .copied()
                    .filter(move |r| Some(*r) != p.leader)
            })
            .collect_set();
        for b in followers {
            self.schedule_in(0, Event::Timer(Timer::ReplicaFetch { broker: b }));
        }
    }

    pub(crate) fn delete_topic(&mut self, name: &str) -> Result<(), KafkaError> {
        let Some(meta) = self.cluster.topics.get(name) else {
            return Err(KafkaError::new(
                ErrorCode::UnknownTopicOrPartition,
                "This server does not host this topic-partition.",
            ));
        };
        if meta.internal {
            return Err(KafkaError::new(
                ErrorCode::InvalidTopicException,
                format!("Topic {name} is an internal topic and cannot be deleted."),
            ));
        }
        // Fetch sessions forget its partitions (a new topic of the same name starts afresh).
        let gone: Vec<TopicPartition> = (0..meta.partitions.len() as i32)
            .map(|p| self.cluster.tp(name, p))
            .collect();
        let brokers: Vec<BrokerId> = self.cluster.brokers.keys().copied().collect();
        for &b in &brokers {
            for tp in &gone {
                self.wake_quiet(b, tp);
            }
        }
        self.cluster.topics.remove(name);
        for b in self.cluster.brokers.values_mut() {
            b.replicas.retain(|tp, _| &*tp.topic != name);
        }
        // Every group's committed offsets for it go (the coordinator's onPartitionsDeleted),
        // whichever protocol the group speaks.
        for g in self.groups.values_mut() {
            g.offsets.retain(|tp, _| &*tp.topic != name);
        }
        for g in self.consumer_groups.values_mut() {
            g.offsets.retain(|tp, _| &*tp.topic != name);
        }
        self.fail_pending_produces(name);
        // Fetches parked on its partitions complete at once (`ReplicaManager.stopPartitions`
        // calls `completeDelayedFetchOrProduceRequests`).
        for b in brokers {
            for tp in &gone {
                self.wake_parked_fetches(b, tp);
            }
        }
        self.forget_acknowledged(name);
        self.record(TraceEvent::TopicDeleted {
            topic: name.to_string(),
        });
        Ok(())
    }

    pub(crate) fn add_partitions(&mut self, topic: &str, total: i32) -> Result<(), KafkaError> {
        let Some(meta) = self.cluster.topics.get(topic) else {
            return Err(KafkaError::new(
                ErrorCode::UnknownTopicOrPartition,
                format!("Topic '{topic}' does not exist."),
            ));
        };
        let current = meta.partitions.len() as i32;
        if total == current {
            return Err(KafkaError::new(
                ErrorCode::InvalidPartitions,
                format!("Topic already has {current} partition(s)."),
            ));
        }
        if total < current {
            return Err(KafkaError::new(
                ErrorCode::InvalidPartitions,
                format!("The topic {topic} currently has {current} partition(s); {total} would not be an increase."),
            ));
        }
        if total > MAX_PARTITIONS {
            return Err(KafkaError::new(
                ErrorCode::InvalidPartitions,
                format!("The playground allows at most {MAX_PARTITIONS} partitions per topic."),
            ));
        }
        let rf = meta.partitions.first().map_or(1, |p| p.replicas.len()) as i32;
        let new = self.place_replicas(total - current, rf, current)?;
        let now_ts = self.timestamp();
        for (i, reps) in new.into_iter().enumerate() {
            let tp = self.cluster.tp(topic, current + i as i32);
            let isr: Vec<BrokerId> = reps
                .iter()
                .copied()
                .filter(|b| self.cluster.is_alive(*b))
                .collect();
            for b in &reps {
                if let Some(broker) = self.cluster.brokers.get_mut(b) {
                    broker.add_replica(tp.clone(), Log::new(tp.clone(), now_ts));
                }
            }
            if let Some(m) = self.cluster.topics.get_mut(topic) {
                m.partitions.push(PartitionMeta {
                    leader: isr.first().copied(),
                    isr,
                    replicas: reps,
                    leader_epoch: 0,
                });
            }
        }
        self.record(TraceEvent::PartitionsAdded {
            topic: topic.to_string(),
            total,
        });
        self.start_replica_fetchers();
        Ok(())
    }

    pub(crate) fn alter_topic_config(
        &mut self,
        topic: &str,
        set: &BTreeMap<String, String>,
        delete: &[String],
    ) -> Result<(), KafkaError> {
        let Some(meta) = self.cluster.topics.get(topic) else {
            return Err(KafkaError::new(
                ErrorCode::UnknownTopicOrPartition,
                format!("Topic '{topic}' does not exist."),
            ));
        };
        let mut next = meta.overrides.clone();
        for k in delete {
            // Deleting an unknown name is an error; deleting an unset known name is fine.
            if next.remove(k).is_none() && !TopicConfig::is_known(self.cluster.era, k) {
                return Err(KafkaError::new(
                    ErrorCode::InvalidConfig,
                    format!("Invalid config(s): {k}"),
                ));
            }
        }
        for (k, v) in set {
            next.insert(k.clone(), v.clone());
        }
        let config = self.build_topic_config(&next)?;
        if let Some(m) = self.cluster.topics.get_mut(topic) {
            m.overrides = next;
            m.log_config = config.log_config();
            m.config = config;
        }
        for (k, v) in set {
            self.record(TraceEvent::ConfigChanged {
                entity: format!("topic {topic}"),
                name: k.clone(),
                value: Some(v.clone()),
            });
        }
        for k in delete {
            self.record(TraceEvent::ConfigChanged {
                entity: format!("topic {topic}"),
                name: k.clone(),
                value: None,
            });
        }
        if self.topic_config(topic).unclean_leader_election_enable {
            self.unclean_election_enabled(topic);
        }
        Ok(())
    }

    /// DeleteRecords on the leader: moves the log start offset (`-1` = the high watermark).
    pub(crate) fn delete_records(
        &mut self,
        tp: &TopicPartition,
        offset: i64,
    ) -> Result<i64, KafkaError> {
        let Some(leader) = self.cluster.leader_of(tp) else {
            return Err(KafkaError::new(
                ErrorCode::UnknownTopicOrPartition,
                "This server does not host this topic-partition.",
            ));
        };
        let policy_delete = self.log_config(&tp.topic).cleanup_policy.delete;
        let Some(replica) = self.replica_mut(leader, tp) else {
            return Err(KafkaError::new(
                ErrorCode::NotLeaderOrFollower,
                "no local replica",
            ));
        };
        let hw = replica.high_watermark;
        let target = if offset == -1 { hw } else { offset };
        let low = replica
            .log
            .delete_records_before(target, hw, policy_delete)
            .map_err(|e| {
                // DeleteRecords responses carry only the error code: the client shows its default text.
                let code = super::broker::log_error_code(&e);
                KafkaError::new(code, code.default_message())
            })?;
        // Followers adopt the new log start offset from their next fetch response.
        self.wake_quiet(leader, tp);
        Ok(low)
    }
}

/// The simulation's PRNG in the shape the replica placer asks for.
struct SimPlacementRandom<'a>(&'a mut super::rng::SimRng);

impl placement::PlacementRandom for SimPlacementRandom<'_> {
    fn next_int(&mut self, bound: i32) -> i32 {
        self.0.below(bound.max(1) as u32) as i32
    }
}
