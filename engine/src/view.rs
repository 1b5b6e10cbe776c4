//! Read-only snapshots of the world for the console and the UI. Nothing here mutates the engine.

use super::client::Client;
use super::cluster::ControllerMode;
use super::config::Era;
use super::group::classic::OFFSETS_TOPIC;
use super::ids::{BrokerId, TopicPartition};
use super::log::SegmentInfo;
use super::network::{Envelope, NodeId};
use super::protocol::ApiKey;
use super::sim::Sim;
use super::time::Millis;
use crate::ordered;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BrokerView {
    pub id: BrokerId,
    pub rack: Option<String>,
    pub alive: bool,
    /// Fenced by the controller: not in the metadata's live brokers.
    pub fenced: bool,
    /// Restarted, waiting for the controller to accept its registration.
    pub registering: bool,
    pub leaders: usize,
    pub replicas: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReplicaView {
    pub broker: BrokerId,
    pub log_start_offset: i64,
    pub log_end_offset: i64,
    pub high_watermark: i64,
    pub size_bytes: i64,
    pub segments: Vec<SegmentInfo>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PartitionView {
    pub partition: i32,
    pub leader: Option<BrokerId>,
    pub replicas: Vec<BrokerId>,
    pub isr: Vec<BrokerId>,
    pub leader_epoch: i32,
    /// One entry per assigned replica, in replica order.
    pub replica_states: Vec<ReplicaView>,
}

impl PartitionView {
    /// The leader's high watermark (what consumers may read up to); 0 when offline.
    pub fn high_watermark(&self) -> i64 {
        self.leader_state().map_or(0, |r| r.high_watermark)
    }

    pub fn log_start_offset(&self) -> i64 {
        self.leader_state().map_or(0, |r| r.log_start_offset)
    }

    pub fn leader_state(&self) -> Option<&ReplicaView> {
        let l = self.leader?;
        self.replica_states.iter().find(|r| r.broker == l)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TopicView {
    pub name: String,
    pub id: String,
    pub internal: bool,
    pub overrides: Vec<(String, String)>,
    pub partitions: Vec<PartitionView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MemberView {
    pub member_id: String,
    pub client_id: String,
    pub host: String,
    pub group_instance_id: Option<String>,
    pub assignment: Vec<TopicPartition>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GroupOffsetView {
    pub tp: TopicPartition,
    pub committed: Option<i64>,
    /// The committed offset's leader epoch (the CLI's LEADER-EPOCH).
    pub committed_leader_epoch: Option<i32>,
    /// The partition's high watermark (the CLI's LOG-END-OFFSET).
    pub log_end_offset: i64,
    /// `log_end_offset - committed`, `None` without a commit.
    pub lag: Option<i64>,
    pub owner: Option<String>,
}

impl GroupOffsetView {
    pub(crate) fn new(
        tp: TopicPartition,
        committed: Option<&crate::group::classic::CommittedOffset>,
        log_end_offset: i64,
        owner: Option<String>,
    ) -> Self {
        let offset = committed.map(|c| c.offset);
        GroupOffsetView {
            tp,
            committed: offset,
            committed_leader_epoch: committed.and_then(|c| c.leader_epoch),
            log_end_offset,
            lag: offset.map(|c| log_end_offset - c),
            owner,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GroupView {
    pub group_id: String,
    pub state: String,
    pub generation: i32,
    pub protocol: Option<String>,
    pub leader: Option<String>,
    pub coordinator: Option<BrokerId>,
    pub members: Vec<MemberView>,
    pub offsets: Vec<GroupOffsetView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum ClientKind {
    Producer,
    Consumer,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClientView {
    pub name: String,
    pub client_id: String,
    pub kind: ClientKind,
    pub node: NodeId,
    pub group: Option<String>,
    pub topics: Vec<String>,
    pub assignment: Vec<TopicPartition>,
    pub positions: Vec<(TopicPartition, i64)>,
    pub sent: u64,
    pub acked: u64,
    pub failed: u64,
    pub consumed: u64,
    pub phase: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MessageView {
    pub id: u64,
    pub api: ApiKey,
    pub request: bool,
    pub from: NodeId,
    pub to: NodeId,
    pub sent_at: Millis,
    pub deliver_at: Millis,
    pub records: usize,
    pub lost: bool,
}

impl Sim {
    pub fn cluster_id(&self) -> &str {
        &self.cluster.id
    }

    pub fn controller_mode(&self) -> ControllerMode {
        self.cluster.mode
    }

    pub fn era(&self) -> Era {
        self.cluster.era
    }

    pub fn brokers(&self) -> Vec<BrokerView> {
        self.cluster
            .brokers
            .values()
            .map(|b| {
                let leaders = self
                    .cluster
                    .all_partitions()
                    .filter(|(_, p)| p.leader == Some(b.id))
                    .count();
                BrokerView {
                    id: b.id,
                    rack: b.rack.clone(),
                    alive: b.alive,
                    fenced: b.fenced,
                    registering: b.registering,
                    leaders,
                    replicas: b.replicas.len(),
                }
            })
            .collect()
    }

    pub fn topic_names(&self, include_internal: bool) -> Vec<String> {
        self.cluster
            .topics
            .values()
            .filter(|t| include_internal || !t.internal)
            .map(|t| t.name.to_string())
            .collect()
    }

    pub fn topic(&self, name: &str) -> Option<TopicView> {
        let t = self.cluster.topics.get(name)?;
        let partitions = t
            .partitions
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let tp = TopicPartition::new(t.name.clone(), i as i32);
                let replica_states = p
                    .replicas
                    .iter()
                    .filter_map(|b| {
                        let r = self.replica(*b, &tp)?;
                        Some(ReplicaView {
                            broker: *b,
                            log_start_offset: r.log.log_start_offset(),
                            log_end_offset: r.log.log_end_offset(),
                            high_watermark: r.high_watermark,
                            size_bytes: r.log.size_in_bytes(),
                            segments: r.log.segment_infos(),
                        })
                    })
                    .collect();
                PartitionView {
                    partition: i as i32,
                    leader: p.leader,
                    replicas: p.replicas.clone(),
                    isr: p.isr.clone(),
                    leader_epoch: p.leader_epoch,
                    replica_states,
                }
            })
            .collect();
        Some(TopicView {
            name: t.name.to_string(),
            id: t.id.clone(),
            internal: t.internal,
            overrides: t
                .overrides
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            partitions,
        })
    }

    /// Readable records of a partition's leader replica from `from`, at most `max`.
    pub fn records(&self, tp: &TopicPartition, from: i64, max: usize) -> Vec<super::log::Record> {
        let Some(leader) = self.cluster.leader_of(tp) else {
            return Vec::new();
        };
        let Some(r) = self.replica(leader, tp) else {
            return Vec::new();
        };
        r.log
            .iter_from(from.max(r.log.log_start_offset()))
            .take(max)
            .cloned()
            .collect()
    }

    /// High watermark of a partition (leader's), or None if unknown/offline.
    pub fn high_watermark(&self, tp: &TopicPartition) -> Option<i64> {
        let leader = self.cluster.leader_of(tp)?;
        Some(self.replica(leader, tp)?.high_watermark)
    }

    pub fn log_start_offset(&self, tp: &TopicPartition) -> Option<i64> {
        let leader = self.cluster.leader_of(tp)?;
        Some(self.replica(leader, tp)?.log.log_start_offset())
    }

    pub fn group_view(&self, group: &str) -> Option<GroupView> {
        let Some(g) = self.groups.get(group) else {
            return self.consumer_group_view(group);
        };
        let members: Vec<MemberView> = g
            .members
            .iter()
            .map(|m| MemberView {
                member_id: m.member_id.clone(),
                client_id: m.client_id.clone(),
                host: m.host.clone(),
                group_instance_id: m.group_instance_id.clone(),
                assignment: m.assignment.clone(),
            })
            .collect();
        let mut tps: Vec<TopicPartition> = g.offsets.keys().cloned().collect();
        for m in &members {
            tps.extend(m.assignment.iter().cloned());
        }
        ordered::sort(&mut tps);
        tps.dedup();
        let offsets = tps
            .into_iter()
            .filter(|tp| &*tp.topic != OFFSETS_TOPIC)
            .map(|tp| {
                let log_end_offset = self.high_watermark(&tp).unwrap_or(0);
                let owner = members
                    .iter()
                    .find(|m| m.assignment.contains(&tp))
                    .map(|m| m.member_id.clone());
                GroupOffsetView::new(tp.clone(), g.offsets.get(&tp), log_end_offset, owner)
            })
            .collect();
        Some(GroupView {
            group_id: g.group_id.clone(),
            state: g.state.name().to_string(),
            generation: g.generation,
            protocol: g.protocol.clone(),
            leader: g.leader.clone(),
            coordinator: self.coordinator_of(group),
            members,
            offsets,
        })
    }

    pub fn group_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.groups.keys().cloned().collect();
        ids.extend(self.consumer_groups.keys().cloned());
        ordered::sort(&mut ids);
        ids
    }

    pub fn client_views(&self) -> Vec<ClientView> {
        self.clients
            .iter()
            .map(|(id, c)| match c {
                Client::Producer(p) => ClientView {
                    name: p.name.clone(),
                    client_id: p.client_id.clone(),
                    kind: ClientKind::Producer,
                    node: NodeId::Client(*id),
                    group: None,
                    topics: p.workload.iter().map(|w| w.topic.to_string()).collect(),
                    assignment: Vec::new(),
                    positions: Vec::new(),
                    sent: p.stats.sent,
                    acked: p.stats.acked,
                    failed: p.stats.failed,
                    consumed: 0,
                    phase: if p.closing {
                        "closing".into()
                    } else {
                        "running".into()
                    },
                },
                Client::Consumer(x) => ClientView {
                    name: x.name.clone(),
                    client_id: x.client_id.clone(),
                    kind: ClientKind::Consumer,
                    node: NodeId::Client(*id),
                    group: x.group.clone(),
                    topics: x.topics.clone(),
                    assignment: x.assignment.clone(),
                    positions: x.positions.iter().map(|(k, v)| (k.clone(), *v)).collect(),
                    sent: 0,
                    acked: 0,
                    failed: 0,
                    consumed: x.total_consumed,
                    phase: format!("{:?}", x.phase),
                },
            })
            .collect()
    }

    /// Every message on the wire now, oldest first: what the UI animates (its dots keep their
    /// places as messages come and go).
    pub fn messages_in_flight(&self) -> Vec<MessageView> {
        let mut on_wire: Vec<&Envelope> = self.net.in_flight().collect();
        on_wire.sort_unstable_by_key(|e| e.id);
        on_wire
            .into_iter()
            .map(|e| MessageView {
                id: e.id,
                api: e.body.api(),
                request: e.body.is_request(),
                from: e.from,
                to: e.to,
                sent_at: e.sent_at,
                deliver_at: e.deliver_at,
                records: e.body.record_count(),
                lost: e.lost,
            })
            .collect()
    }
}

impl Sim {
    /// Takes the records a consumer has polled but nobody has read yet, in poll order (what the
    /// console consumer prints). Empty for unknown names and producers.
    pub fn take_consumed(&mut self, name: &str) -> Vec<super::consumer::Consumed> {
        let Some(c) = self.client_id_by_name(name) else {
            return Vec::new();
        };
        match self.consumer_mut(c) {
            Some(x) => x.consumed.take(),
            None => Vec::new(),
        }
    }

    /// Keeps a workload producer's per-record outcomes from now on, for [`Sim::take_deliveries`]
    /// (a workload sends without a callback, so it keeps none unless asked). False when there is
    /// no producer of that name.
    pub fn keep_deliveries(&mut self, name: &str) -> bool {
        let Some(c) = self.client_id_by_name(name) else {
            return false;
        };
        self.producer_mut(c)
            .map(|p| p.delivery_callbacks = true)
            .is_some()
    }

    /// Takes a producer's per-record outcomes not read yet, in completion order (what the
    /// console and verifiable producers report). Empty for unknown names and consumers.
    pub fn take_deliveries(&mut self, name: &str) -> Vec<super::producer::client::Delivery> {
        let Some(c) = self.client_id_by_name(name) else {
            return Vec::new();
        };
        match self.producer_mut(c) {
            Some(p) => p.deliveries.drain(..).collect(),
            None => Vec::new(),
        }
    }
}

impl Sim {
    /// The brokers' effective configuration (`kafka-configs --entity-type brokers`).
    pub fn broker_config(&self) -> &super::config::BrokerConfig {
        &self.cluster.broker_config
    }
}

#[cfg(test)]
mod tests {
    use crate::{ClusterSpec, Command, Sim};
    use std::collections::BTreeMap;

    /// The UI's dots follow the messages oldest first, though the wire gives a delivered
    /// message's slot to the next one sent.
    #[test]
    fn messages_in_flight_come_oldest_first() {
        let mut s = Sim::new(1, ClusterSpec::default()).unwrap();
        s.apply(Command::CreateTopic {
            name: "t".into(),
            partitions: Some(3),
            replication_factor: Some(3),
            configs: BTreeMap::new(),
            assignment: None,
        })
        .unwrap();
        let mut busiest = 0;
        for _ in 0..2_000 {
            let ids: Vec<u64> = s.messages_in_flight().iter().map(|m| m.id).collect();
            assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
            busiest = busiest.max(ids.len());
            if !s.step() {
                break;
            }
        }
        assert!(
            busiest >= 3,
            "at most {busiest} messages were in flight at once"
        );
    }
}
