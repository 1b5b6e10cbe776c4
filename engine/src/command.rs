//! `Command`: everything that can change the simulated world from outside (console, UI,
//! scenarios). `Sim::apply` validates first, so a rejected command changes nothing.

use super::client::Client;
use super::config::{ConsumerConfig, ProducerConfig};
use super::consumer::Consumer;
use super::controller::Shutdown;
use super::error::{ErrorCode, KafkaError};
use super::ids::{BrokerId, TopicPartition};
use super::network::ClientId;
use super::producer::client::{Producer, Workload};
use super::sim::Sim;
use super::time::Millis;
use super::trace::TraceEvent;
use smol_str::SmolStr;
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    CreateTopic {
        name: String,
        /// `None` = `num.partitions`.
        partitions: Option<i32>,
        /// `None` = `default.replication.factor`.
        replication_factor: Option<i16>,
        configs: BTreeMap<String, String>,
        /// `--replica-assignment`: replicas per partition, in order.
        assignment: Option<Vec<Vec<BrokerId>>>,
    },
    DeleteTopic {
        name: String,
    },
    /// `kafka-topics --alter --partitions N`: partitions can only be added.
    AddPartitions {
        topic: String,
        total: i32,
    },
    /// `kafka-configs --alter --entity-type topics`.
    AlterTopicConfig {
        topic: String,
        set: BTreeMap<String, String>,
        delete: Vec<String>,
    },
    /// A producer client; with `rate` it produces a steady workload.
    StartProducer {
        name: String,
        configs: BTreeMap<String, String>,
        workload: Option<WorkloadSpec>,
    },
    StopProducer {
        name: String,
    },
    /// One record through a producer (started on demand with default configs).
    Produce {
        producer: String,
        topic: String,
        partition: Option<i32>,
        key: Option<String>,
        value: Option<String>,
        /// `ProducerRecord`'s explicit timestamp (CreateTime, epoch ms); `None` = send time.
        timestamp: Option<i64>,
    },
    /// A consumer client: with a group it subscribes, without one it is assigned `assign`.
    StartConsumer {
        name: String,
        group: Option<String>,
        topics: Vec<String>,
        assign: Vec<TopicPartition>,
        /// Start positions for assigned partitions (`--offset`); absent = `auto.offset.reset`.
        start_offsets: BTreeMap<TopicPartition, i64>,
        configs: BTreeMap<String, String>,
        process_time_ms: Millis,
    },
    /// `close()` (clean: commit, leave) or a crash (`hard`).
    StopConsumer {
        name: String,
        hard: bool,
    },
    /// `commitSync()` of the consumer's current positions.
    CommitSync {
        consumer: String,
    },
    /// Admin offset change for an inactive group (`kafka-consumer-groups --reset-offsets --execute`).
    SetGroupOffsets {
        group: String,
        offsets: Vec<(TopicPartition, i64)>,
    },
    DeleteGroup {
        group: String,
    },
    /// `kafka-consumer-groups --delete-offsets` (OffsetDelete): removes committed offsets.
    /// Partitions of topics the group's members consume fail with `GROUP_SUBSCRIBED_TO_TOPIC`.
    DeleteGroupOffsets {
        group: String,
        partitions: Vec<TopicPartition>,
    },
    /// `kafka-delete-records`: moves the log start offset of a partition.
    DeleteRecords {
        tp: TopicPartition,
        offset: i64,
    },
    /// Lets simulated time pass.
    AdvanceTime {
        ms: Millis,
    },
    /// Stops a broker: a controlled shutdown, or a crash (`hard`).
    StopBroker {
        id: BrokerId,
        hard: bool,
    },
    /// Starts a stopped broker again (its logs survived, as files do).
    StartBroker {
        id: BrokerId,
    },
    /// A network fault, or `Heal`.
    Network(super::faults::NetworkFault),
    /// Stops a controller node (a KRaft voter or a ZooKeeper server).
    StopController {
        node: super::network::NodeId,
        hard: bool,
    },
    StartController {
        node: super::network::NodeId,
    },
    /// ElectLeaders (`kafka-leader-election`): `None` = every partition.
    ElectLeaders {
        election_type: super::admin_election::ElectionType,
        partitions: Option<Vec<TopicPartition>>,
    },
    /// AlterPartitionReassignments (`kafka-reassign-partitions --execute`): target replicas.
    AlterPartitionReassignments {
        reassignments: Vec<(TopicPartition, Vec<BrokerId>)>,
    },
    /// The simulated database: create a table, insert, update, delete rows.
    Database(super::connect::worker::DatabaseCommand),
    /// Kafka Connect: create, stop, start, kill connectors.
    Connector(super::connect::worker::ConnectorCommand),
    /// Kafka Streams: create, stop, start, kill apps.
    Streams(super::streams::processor::StreamsCommand),
}

/// A steady produce workload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkloadSpec {
    pub topic: String,
    /// Records per second (at most 1,000,000).
    pub records_per_sec: u32,
    /// Distinct keys `key-0..`; `None` = null keys.
    pub keys: Option<u32>,
    /// Stop after this many records.
    pub max_records: Option<u64>,
}

/// What a command produced, besides its effects on the world.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Done,
    TopicCreated {
        name: String,
        id: String,
    },
    ClientStarted {
        name: String,
    },
    Produced {
        tp: TopicPartition,
    },
    /// Per-partition result of `DeleteGroupOffsets` (`None` = deleted), in request order.
    OffsetsDeleted {
        results: Vec<(TopicPartition, Option<ErrorCode>)>,
    },
    /// New log start offset (DeleteRecords' low watermark).
    LowWatermark {
        tp: TopicPartition,
        low_watermark: i64,
    },
    /// Per-partition results of `ElectLeaders`.
    LeadersElected {
        results: Vec<super::admin_election::ElectionResult>,
    },
    /// Per-partition results of `AlterPartitionReassignments` (`None` = started), in request order.
    ReassignmentsStarted {
        results: Vec<(TopicPartition, Option<KafkaError>)>,
    },
}

impl Command {
    /// A one-line description for the trace.
    pub fn describe(&self) -> String {
        match self {
            Command::CreateTopic {
                name,
                partitions,
                replication_factor,
                ..
            } => {
                format!("create topic {name} partitions={partitions:?} rf={replication_factor:?}")
            }
            Command::DeleteTopic { name } => format!("delete topic {name}"),
            Command::AddPartitions { topic, total } => {
                format!("alter topic {topic} partitions={total}")
            }
            Command::AlterTopicConfig { topic, .. } => format!("alter configs of topic {topic}"),
            Command::StartProducer { name, .. } => format!("start producer {name}"),
            Command::StopProducer { name } => format!("stop producer {name}"),
            Command::Produce {
                producer, topic, ..
            } => format!("produce via {producer} to {topic}"),
            Command::StartConsumer { name, group, .. } => {
                format!("start consumer {name} group={group:?}")
            }
            Command::StopConsumer { name, hard } => format!("stop consumer {name} hard={hard}"),
            Command::CommitSync { consumer } => format!("commit {consumer}"),
            Command::SetGroupOffsets { group, .. } => format!("set offsets of group {group}"),
            Command::DeleteGroup { group } => format!("delete group {group}"),
            Command::DeleteGroupOffsets { group, .. } => format!("delete offsets of group {group}"),
            Command::DeleteRecords { tp, offset } => {
                format!("delete records of {tp} before {offset}")
            }
            Command::AdvanceTime { ms } => format!("advance {ms} ms"),
            Command::StopBroker { id, hard } => format!("stop broker {id} hard={hard}"),
            Command::StartBroker { id } => format!("start broker {id}"),
            Command::Network(f) => format!("network {}", f.describe()),
            Command::StopController { node, hard } => format!("stop {node} hard={hard}"),
            Command::StartController { node } => format!("start {node}"),
            Command::ElectLeaders {
                election_type,
                partitions,
            } => match partitions {
                Some(p) => format!(
                    "elect leaders ({}) of {} partition(s)",
                    election_type.name(),
                    p.len()
                ),
                None => format!("elect leaders ({}) of all partitions", election_type.name()),
            },
            Command::AlterPartitionReassignments { reassignments } => {
                format!("reassign {} partition(s)", reassignments.len())
            }
            Command::Database(c) => format!("database {c:?}"),
            Command::Connector(c) => format!("connector {c:?}"),
            Command::Streams(c) => format!("streams {c:?}"),
        }
    }
}

/// The most records per second one producer workload may ask for.
pub const MAX_RATE: u32 = 1_000_000;

fn invalid(code: ErrorCode, message: impl Into<String>) -> KafkaError {
    KafkaError::new(code, message)
}

fn config_error(e: impl std::fmt::Display) -> KafkaError {
    invalid(ErrorCode::InvalidConfig, e.to_string())
}

pub(crate) fn apply(sim: &mut Sim, command: Command) -> Result<Outcome, KafkaError> {
    match command {
        Command::CreateTopic {
            name,
            partitions,
            replication_factor,
            configs,
            assignment,
        } => {
            sim.require_controller()?;
            let id =
                sim.create_topic(&name, partitions, replication_factor, configs, assignment)?;
            Ok(Outcome::TopicCreated { name, id })
        }
        Command::DeleteTopic { name } => sim
            .require_controller()
            .and_then(|_| sim.delete_topic(&name))
            .map(|_| Outcome::Done),
        Command::Network(fault) => sim.apply_network_fault(fault).map(|_| Outcome::Done),
        Command::StopController { node, hard } => sim
            .set_controller_node(node, Some(hard))
            .map(|_| Outcome::Done),
        Command::StartController { node } => {
            sim.set_controller_node(node, None).map(|_| Outcome::Done)
        }
        Command::AddPartitions { topic, total } => {
            sim.require_controller()?;
            sim.add_partitions(&topic, total).map(|_| Outcome::Done)
        }
        Command::AlterTopicConfig { topic, set, delete } => sim
            .require_controller()
            .and_then(|_| sim.alter_topic_config(&topic, &set, &delete))
            .map(|_| Outcome::Done),
        Command::StartProducer {
            name,
            configs,
            workload,
        } => {
            ensure_free_name(sim, &name)?;
            let config =
                ProducerConfig::for_era(sim.cluster.era, &configs).map_err(config_error)?;
            if let Some(w) = &workload {
                if w.records_per_sec == 0 || w.records_per_sec > MAX_RATE {
                    return Err(invalid(
                        ErrorCode::InvalidRequest,
                        format!(
                            "A producer rate must be 1 to {MAX_RATE} records per second; got {}.",
                            w.records_per_sec
                        ),
                    ));
                }
                if w.keys == Some(0) {
                    return Err(invalid(
                        ErrorCode::InvalidRequest,
                        "--keys must be at least 1 (or omitted for null keys).",
                    ));
                }
            }
            let mut p = Producer::new(name.clone(), config);
            let now = sim.now;
            p.delivery_callbacks = workload.is_none();
            p.workload = workload.map(|w| {
                Workload::new(
                    &name,
                    w.topic,
                    w.records_per_sec,
                    w.keys,
                    now,
                    w.max_records,
                )
            });
            let c = sim.add_client(Client::Producer(Box::new(p)));
            sim.record(TraceEvent::ClientStarted {
                client: name.clone(),
                kind: "producer".into(),
            });
            sim.reschedule_client(c);
            Ok(Outcome::ClientStarted { name })
        }
        Command::StopProducer { name } => {
            let c = producer_id(sim, &name)?;
            // close(): send what is buffered, then go.
            if let Some(p) = sim.producer_mut(c) {
                p.closing = true;
                p.workload = None;
            }
            sim.reschedule_client(c);
            sim.finish_producer_if_idle(c);
            Ok(Outcome::Done)
        }
        Command::Produce {
            producer,
            topic,
            partition,
            key,
            value,
            timestamp,
        } => {
            let c = match sim.client_id_by_name(&producer) {
                Some(c) => c,
                None => {
                    let config = ProducerConfig::for_era(sim.cluster.era, &BTreeMap::new())
                        .map_err(config_error)?;
                    sim.add_client(Client::Producer(Box::new(Producer::new(
                        producer.clone(),
                        config,
                    ))))
                }
            };
            let key = key.map(SmolStr::from);
            let value = value.map(SmolStr::from);
            let tp = sim
                .producer_send(c, &topic, partition, key, value, timestamp)
                .map_err(|(code, msg)| invalid(code, msg))?;
            sim.reschedule_client(c);
            Ok(Outcome::Produced { tp })
        }
        Command::StartConsumer {
            name,
            group,
            topics,
            assign,
            start_offsets,
            configs,
            process_time_ms,
        } => {
            ensure_free_name(sim, &name)?;
            let mut configs = configs;
            if let Some(g) = &group {
                configs
                    .entry("group.id".into())
                    .or_insert_with(|| g.clone());
            }
            let config =
                ConsumerConfig::for_era(sim.cluster.era, &configs).map_err(config_error)?;
            for t in topics
                .iter()
                .map(String::as_str)
                .chain(assign.iter().map(|tp| &*tp.topic))
            {
                if !sim.cluster.topics.contains_key(t) {
                    sim.auto_create_topic(t)?;
                }
            }
            let mut x = Consumer::new(name.clone(), config, group.clone(), topics);
            x.process_time_ms = process_time_ms.max(0);
            let c = sim.add_client(Client::Consumer(Box::new(x)));
            sim.record(TraceEvent::ClientStarted {
                client: name.clone(),
                kind: "consumer".into(),
            });
            if group.is_none() || !assign.is_empty() {
                sim.assign_partitions(c, assign, start_offsets);
            }
            sim.reschedule_client(c);
            Ok(Outcome::ClientStarted { name })
        }
        Command::StopConsumer { name, hard } => {
            let c = consumer_id(sim, &name)?;
            if hard {
                sim.remove_client(c);
            } else {
                sim.close_consumer(c);
            }
            Ok(Outcome::Done)
        }
        Command::CommitSync { consumer } => {
            let c = consumer_id(sim, &consumer)?;
            sim.commit_sync(c);
            Ok(Outcome::Done)
        }
        Command::SetGroupOffsets { group, offsets } => {
            let active = match (sim.group(&group), sim.consumer_groups.get(&group)) {
                (Some(g), _) if !g.members.is_empty() => Some(g.state.name()),
                (_, Some(g)) if !g.members.is_empty() => Some(g.state.name()),
                _ => None,
            };
            if let Some(state) = active {
                return Err(invalid(
                    ErrorCode::NonEmptyGroup,
                    format!("Assignments can only be reset if the group '{group}' is inactive, but the current state is {state}."),
                ));
            }
            sim.set_committed_offsets(&group, &offsets);
            Ok(Outcome::Done)
        }
        Command::DeleteGroup { group } => {
            sim.delete_group(&group)
                .map(|_| Outcome::Done)
                .map_err(|code| {
                    let msg = match code {
                        ErrorCode::NonEmptyGroup => "The group is not empty.".to_string(),
                        _ => "The group id does not exist.".to_string(),
                    };
                    invalid(code, msg)
                })
        }
        Command::DeleteGroupOffsets { group, partitions } => sim
            .delete_group_offsets(&group, partitions)
            .map(|results| Outcome::OffsetsDeleted { results })
            .map_err(|code| invalid(code, "The group id does not exist.")),
        Command::DeleteRecords { tp, offset } => {
            let low = sim.delete_records(&tp, offset)?;
            Ok(Outcome::LowWatermark {
                tp,
                low_watermark: low,
            })
        }
        Command::StopBroker { id, hard } => {
            let controller_up =
                sim.cluster.controller.quorum.colocated_voter_alive(id) == Some(true);
            match sim.cluster.brokers.get(&id) {
                None => return Err(unknown_broker(sim, id)),
                // Combined mode: a node still registering is a running process (its
                // controller is up); stopping it stops that.
                Some(b) if !b.alive && controller_up => {
                    sim.stop_combined_node(id, hard);
                    return Ok(Outcome::Done);
                }
                Some(b) if !b.alive => {
                    return Err(invalid(
                        ErrorCode::InvalidRequest,
                        format!("Broker {id} is already stopped."),
                    ))
                }
                Some(b) if b.shutting_down && !hard => {
                    return Err(invalid(
                        ErrorCode::InvalidRequest,
                        format!("Broker {id} is already shutting down."),
                    ))
                }
                Some(_) => {}
            }
            let how = if hard {
                Shutdown::Hard
            } else {
                Shutdown::Clean
            };
            sim.stop_broker(id, how);
            Ok(Outcome::Done)
        }
        Command::StartBroker { id } => {
            match sim.cluster.brokers.get(&id) {
                None => return Err(unknown_broker(sim, id)),
                Some(b) if b.alive => {
                    return Err(invalid(
                        ErrorCode::InvalidRequest,
                        format!("Broker {id} is already running."),
                    ))
                }
                Some(_) => {}
            }
            sim.start_broker(id);
            Ok(Outcome::Done)
        }
        Command::ElectLeaders {
            election_type,
            partitions,
        } => Ok(Outcome::LeadersElected {
            results: sim.elect_leaders(election_type, partitions),
        }),
        Command::AlterPartitionReassignments { reassignments } => {
            Ok(Outcome::ReassignmentsStarted {
                results: sim.alter_partition_reassignments(reassignments),
            })
        }
        Command::Database(c) => sim.apply_database(c).map(|_| Outcome::Done),
        Command::Connector(c) => sim.apply_connector(c).map(|_| Outcome::Done),
        Command::Streams(c) => sim.apply_streams(c).map(|_| Outcome::Done),
        Command::AdvanceTime { ms } => {
            if ms < 0 {
                return Err(invalid(
                    ErrorCode::InvalidRequest,
                    "Time only moves forward: the duration must be positive.",
                ));
            }
            sim.run_for(ms);
            Ok(Outcome::Done)
        }
    }
}

fn unknown_broker(sim: &Sim, id: BrokerId) -> KafkaError {
    let ids: Vec<String> = sim.cluster.brokers.keys().map(|b| b.to_string()).collect();
    invalid(
        ErrorCode::InvalidRequest,
        format!(
            "No broker {id}: this cluster's brokers are {}.",
            ids.join(", ")
        ),
    )
}

fn ensure_free_name(sim: &Sim, name: &str) -> Result<(), KafkaError> {
    if name.is_empty() {
        return Err(invalid(ErrorCode::InvalidRequest, "A client needs a name."));
    }
    if sim.client(name).is_some() {
        return Err(invalid(
            ErrorCode::InvalidRequest,
            format!("A client named '{name}' is already running; choose another --name."),
        ));
    }
    Ok(())
}

fn producer_id(sim: &Sim, name: &str) -> Result<ClientId, KafkaError> {
    match sim
        .client_id_by_name(name)
        .and_then(|c| sim.clients.get(&c).map(|cl| (c, cl)))
    {
        Some((c, Client::Producer(_))) => Ok(c),
        _ => Err(invalid(
            ErrorCode::InvalidRequest,
            format!("No producer named '{name}' is running."),
        )),
    }
}

fn consumer_id(sim: &Sim, name: &str) -> Result<ClientId, KafkaError> {
    match sim
        .client_id_by_name(name)
        .and_then(|c| sim.clients.get(&c).map(|cl| (c, cl)))
    {
        Some((c, Client::Consumer(_))) => Ok(c),
        _ => Err(invalid(
            ErrorCode::InvalidRequest,
            format!("No consumer named '{name}' is running."),
        )),
    }
}
