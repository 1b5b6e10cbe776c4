//! The Kafka protocol messages that travel on the simulated network. Each one the UI draws.

use super::error::ErrorCode;
use super::ids::{BrokerId, TopicPartition};
use super::log::{MemoryRecords, NewRecord};
use super::time::Millis;
use serde::Serialize;
use std::sync::Arc;

/// Which Kafka API a message belongs to (the UI colours dots by it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum ApiKey {
    Produce,
    Fetch,
    ListOffsets,
    FindCoordinator,
    JoinGroup,
    SyncGroup,
    Heartbeat,
    LeaveGroup,
    OffsetCommit,
    OffsetFetch,
    BrokerHeartbeat,
    /// KRaft: a candidate (or, with `pre_vote`, a prospective candidate) asks for votes.
    Vote,
    /// KRaft: a new leader announces its epoch.
    BeginQuorumEpoch,
    /// KRaft: a leader that steps down tells the others to elect at once.
    EndQuorumEpoch,
    /// ZooKeeper era: a broker's session ping to its ZooKeeper server.
    ZkSession,
    /// KIP-848: the one RPC of the consumer rebalance protocol (join, heartbeat, ack, leave).
    ConsumerGroupHeartbeat,
    /// KIP-320: a consumer checks its position against a new leader's log.
    OffsetForLeaderEpoch,
    /// An idempotent producer asks any broker for its producer id.
    InitProducerId,
    /// KRaft: a broker asks the active controller for a block of producer ids.
    AllocateProducerIds,
}

impl ApiKey {
    pub fn name(self) -> &'static str {
        match self {
            ApiKey::Produce => "Produce",
            ApiKey::Fetch => "Fetch",
            ApiKey::ListOffsets => "ListOffsets",
            ApiKey::FindCoordinator => "FindCoordinator",
            ApiKey::JoinGroup => "JoinGroup",
            ApiKey::SyncGroup => "SyncGroup",
            ApiKey::Heartbeat => "Heartbeat",
            ApiKey::LeaveGroup => "LeaveGroup",
            ApiKey::OffsetCommit => "OffsetCommit",
            ApiKey::OffsetFetch => "OffsetFetch",
            ApiKey::BrokerHeartbeat => "BrokerHeartbeat",
            ApiKey::Vote => "Vote",
            ApiKey::BeginQuorumEpoch => "BeginQuorumEpoch",
            ApiKey::EndQuorumEpoch => "EndQuorumEpoch",
            ApiKey::ZkSession => "ZooKeeper session",
            ApiKey::ConsumerGroupHeartbeat => "ConsumerGroupHeartbeat",
            ApiKey::OffsetForLeaderEpoch => "OffsetForLeaderEpoch",
            ApiKey::InitProducerId => "InitProducerId",
            ApiKey::AllocateProducerIds => "AllocateProducerIds",
        }
    }

    /// Background chatter the UI may hide.
    pub fn is_chatter(self) -> bool {
        matches!(
            self,
            ApiKey::Heartbeat | ApiKey::BrokerHeartbeat | ApiKey::ZkSession
        )
    }
}

/// KIP-227's `FetchMetadata`: the fetch session a request belongs to, and its place in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FetchMetadata {
    /// 0 (`INVALID_SESSION_ID`) outside a session.
    pub session_id: i32,
    /// 0 (`INITIAL_EPOCH`): a full request that opens a session (closing `session_id`'s);
    /// -1 (`FINAL_EPOCH`) with no session: a full request outside any session, as the
    /// playground's consumers send; above 0: the session's next incremental request.
    pub epoch: i32,
}

impl FetchMetadata {
    pub const INITIAL_EPOCH: i32 = 0;
    pub const FINAL_EPOCH: i32 = -1;
    /// A full fetch that opens a new session.
    pub const INITIAL: FetchMetadata = FetchMetadata {
        session_id: 0,
        epoch: Self::INITIAL_EPOCH,
    };
    /// A full fetch outside any session (`FetchMetadata.LEGACY`).
    pub const LEGACY: FetchMetadata = FetchMetadata {
        session_id: 0,
        epoch: Self::FINAL_EPOCH,
    };

    /// Whether the request lists every partition fetched.
    pub fn is_full(self) -> bool {
        self.epoch <= Self::INITIAL_EPOCH
    }

    /// `FetchMetadata.nextEpoch`: after `i32::MAX` comes 1, not the initial epoch; the final
    /// epoch stays final.
    pub fn next_epoch(epoch: i32) -> i32 {
        if epoch < 0 {
            Self::FINAL_EPOCH
        } else if epoch == i32::MAX {
            1
        } else {
            epoch + 1
        }
    }
}

/// A producer batch for one partition.
#[derive(Clone, Debug)]
pub struct ProduceBatch {
    pub tp: TopicPartition,
    /// As the producer made them: the leader appends them from here, without a copy.
    pub records: Arc<Vec<NewRecord>>,
    /// Idempotent producers: producer id, epoch and first sequence.
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub base_sequence: i32,
}

#[derive(Clone, Debug)]
pub struct ProduceResult {
    pub tp: TopicPartition,
    pub result: Result<i64, (ErrorCode, String)>,
    /// Producer-side batch id, to match the answer to the batch.
    pub batch_id: u64,
}

#[derive(Clone, Debug)]
pub struct FetchPartition {
    pub tp: TopicPartition,
    /// The offset it was fetched at. A follower uses an answer only while that is still its
    /// log end offset (`AbstractFetcherThread` compares it with its fetch state): an answer to
    /// an older fetch, from a former leader or a deleted topic of the same name, is dropped.
    pub fetch_offset: i64,
    /// The leader's stored records themselves, shared.
    pub result: Result<MemoryRecords, ErrorCode>,
    pub high_watermark: i64,
    pub log_start_offset: i64,
    /// To a follower whose log diverged: the largest epoch ≤ its last fetched epoch that the
    /// leader knows, and where it ends (the follower truncates there).
    pub diverging_epoch: Option<(i32, i64)>,
    /// To a follower: the leader-epoch entries covering the returned records.
    pub epochs: Vec<(i32, i64)>,
}

/// A member's subscription and owned partitions, as JoinGroup carries them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoinMetadata {
    pub topics: Vec<String>,
    pub owned: Vec<TopicPartition>,
}

#[derive(Clone, Debug)]
pub struct JoinedMember {
    pub member_id: String,
    pub group_instance_id: Option<String>,
    pub metadata: JoinMetadata,
}

/// A message body. Requests and their responses are separate messages with their own flight.
/// How long a fetch may wait and how much it may bring (`FetchRequest`'s `max_wait_ms`,
/// `min_bytes`, `max_bytes` and each partition's `partition_max_bytes`, which the Java clients
/// and the replica fetcher set alike for every partition): a consumer's `fetch.max.wait.ms`,
/// `fetch.min.bytes`, `fetch.max.bytes` and `max.partition.fetch.bytes`, a follower's
/// `replica.fetch.wait.max.ms`, `replica.fetch.min.bytes`, `replica.fetch.response.max.bytes`
/// and `replica.fetch.max.bytes`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FetchLimits {
    /// Long poll: how long the broker may hold the fetch while it has less than `min_bytes`.
    pub max_wait_ms: Millis,
    pub min_bytes: i32,
    pub max_bytes: i32,
    pub partition_max_bytes: i32,
}

/// A committed offset with the leader epoch committed with it (KIP-320).
pub type OffsetAndEpoch = (i64, Option<i32>);

/// One partition's OffsetsForLeaderEpoch answer: the epoch found and where it ends, `None` for
/// `UNDEFINED_EPOCH`.
pub type EpochEndOffset = Result<Option<(i32, i64)>, ErrorCode>;

#[derive(Clone, Debug)]
pub enum Body {
    ProduceRequest {
        acks: i16,
        /// How long an acks=all produce may wait for its replicas (the producer's
        /// `request.timeout.ms`).
        timeout_ms: Millis,
        batches: Vec<(u64, ProduceBatch)>,
    },
    ProduceResponse {
        results: Vec<ProduceResult>,
    },
    FetchRequest {
        /// The fetching follower's broker id, or -1 for a consumer.
        replica_id: BrokerId,
        /// KIP-227: a full request lists every partition; an incremental one only those added
        /// or changed since the session's last request.
        session: FetchMetadata,
        partitions: Vec<(TopicPartition, i64)>,
        /// Followers: the epoch of the last record fetched per partition (KIP-320), so the
        /// leader can tell a diverged log. Empty for consumers.
        last_fetched_epochs: Vec<i32>,
        /// Incremental requests: the session's partitions no longer fetched.
        forgotten: Vec<TopicPartition>,
        limits: FetchLimits,
    },
    FetchResponse {
        /// A session error (FETCH_SESSION_ID_NOT_FOUND, INVALID_FETCH_SESSION_EPOCH): no
        /// partitions, and the fetcher's next request is a full one.
        error: Option<ErrorCode>,
        /// The session the leader holds for the fetcher (0: none).
        session_id: i32,
        partitions: Vec<FetchPartition>,
    },
    ListOffsetsRequest {
        partitions: Vec<(TopicPartition, i64)>,
    },
    ListOffsetsResponse {
        partitions: Vec<(TopicPartition, Result<i64, ErrorCode>)>,
    },
    FindCoordinatorRequest {
        group: String,
    },
    FindCoordinatorResponse {
        group: String,
        result: Result<BrokerId, ErrorCode>,
    },
    JoinGroupRequest {
        group: String,
        /// The request header's `client.id`; member ids start with it.
        client_id: String,
        member_id: String,
        group_instance_id: Option<String>,
        protocols: Vec<String>,
        metadata: JoinMetadata,
        session_timeout_ms: Millis,
        rebalance_timeout_ms: Millis,
        /// Why the member (re)joins (KIP-800); `None` on its first join.
        reason: Option<String>,
    },
    JoinGroupResponse {
        group: String,
        result: Result<JoinResult, ErrorCode>,
        /// Set with MEMBER_ID_REQUIRED: the id to rejoin with.
        assigned_member_id: String,
    },
    SyncGroupRequest {
        group: String,
        member_id: String,
        generation: i32,
        assignments: Vec<(String, Vec<TopicPartition>)>,
    },
    SyncGroupResponse {
        group: String,
        result: Result<Vec<TopicPartition>, ErrorCode>,
    },
    HeartbeatRequest {
        group: String,
        member_id: String,
        generation: i32,
    },
    HeartbeatResponse {
        group: String,
        error: Option<ErrorCode>,
    },
    LeaveGroupRequest {
        group: String,
        member_id: String,
        /// The client's reason (KIP-800), e.g. "the consumer is being closed".
        reason: String,
    },
    LeaveGroupResponse {
        group: String,
    },
    OffsetCommitRequest {
        group: String,
        member_id: String,
        generation: i32,
        /// Each offset with the leader epoch of the record before it, when known (KIP-320).
        offsets: Vec<(TopicPartition, i64, Option<i32>)>,
    },
    OffsetCommitResponse {
        group: String,
        offsets: Vec<(TopicPartition, i64)>,
        error: Option<ErrorCode>,
    },
    OffsetFetchRequest {
        group: String,
        partitions: Vec<TopicPartition>,
    },
    OffsetFetchResponse {
        group: String,
        /// Each committed offset with the leader epoch committed with it (KIP-320).
        offsets: Vec<(TopicPartition, Option<OffsetAndEpoch>)>,
    },
    /// KIP-320: a consumer whose partition's leader changed asks where the epoch of its last
    /// record ends on the leader's log: `(partition, current leader epoch, leader epoch)`.
    OffsetsForLeaderEpochRequest {
        partitions: Vec<(TopicPartition, i32, i32)>,
    },
    /// Per partition, with the current leader epoch asked under: the largest epoch the leader
    /// knows at or below the one asked and where it ends, `None` when it knows none
    /// (`UNDEFINED_EPOCH`).
    OffsetsForLeaderEpochResponse {
        partitions: Vec<(TopicPartition, i32, EpochEndOffset)>,
    },
    /// KRaft: a broker's heartbeat to the active controller every `broker.heartbeat.interval.ms`.
    BrokerHeartbeatRequest {
        broker: BrokerId,
        want_shutdown: bool,
    },
    BrokerHeartbeatResponse {
        fenced: bool,
        shutdown_ok: bool,
    },
    VoteRequest {
        epoch: i32,
        candidate: i32,
        last_epoch: i32,
        last_offset: i64,
        pre_vote: bool,
    },
    VoteResponse {
        epoch: i32,
        granted: bool,
        pre_vote: bool,
    },
    BeginQuorumEpochRequest {
        epoch: i32,
        leader: i32,
    },
    EndQuorumEpochRequest {
        epoch: i32,
        leader: i32,
    },
    /// A voter's fetch from the leader's `__cluster_metadata` log (Kafka's Fetch API).
    QuorumFetchRequest {
        epoch: i32,
        replica: i32,
        fetch_offset: i64,
    },
    QuorumFetchResponse {
        epoch: i32,
        /// The leader the responder knows of (set when the fetcher's epoch is stale).
        leader: Option<i32>,
        log_end_offset: i64,
        high_watermark: i64,
    },
    ZkPingRequest {
        broker: BrokerId,
    },
    ZkPingResponse {
        /// The session is gone (expired): the broker must register again.
        expired: bool,
    },
    /// KIP-848 (`ConsumerGroupHeartbeatRequest`): epoch 0 joins, -1 leaves, -2 leaves a static
    /// member's place open; otherwise the member's current epoch. `owned_partitions` acks
    /// revocations (`None`: unchanged since the last request).
    ConsumerGroupHeartbeatRequest {
        group: String,
        member_id: String,
        member_epoch: i32,
        instance_id: Option<String>,
        rack: Option<String>,
        rebalance_timeout_ms: Millis,
        subscribed_topics: Vec<String>,
        server_assignor: Option<String>,
        owned_partitions: Option<Vec<TopicPartition>>,
    },
    ConsumerGroupHeartbeatResponse {
        error: Option<ErrorCode>,
        member_id: String,
        member_epoch: i32,
        heartbeat_interval_ms: Millis,
        /// The partitions the member may own now (`None`: unchanged).
        assignment: Option<Vec<TopicPartition>>,
    },
    /// Without a transactional id (an idempotent producer): any broker answers.
    InitProducerIdRequest,
    InitProducerIdResponse {
        /// The producer id and epoch.
        result: Result<(i64, i16), ErrorCode>,
    },
    AllocateProducerIdsRequest {
        broker: BrokerId,
    },
    AllocateProducerIdsResponse {
        first: i64,
        size: i64,
    },
}

#[derive(Clone, Debug)]
pub struct JoinResult {
    pub generation: i32,
    pub protocol: String,
    pub leader: String,
    pub member_id: String,
    /// Filled for the leader only.
    pub members: Vec<JoinedMember>,
    /// KIP-814: a restarted static leader gets the members to watch their topics' metadata,
    /// but the group keeps its assignment, so it computes none.
    pub skip_assignment: bool,
}

impl Body {
    pub fn api(&self) -> ApiKey {
        use Body::*;
        match self {
            ProduceRequest { .. } | ProduceResponse { .. } => ApiKey::Produce,
            FetchRequest { .. } | FetchResponse { .. } => ApiKey::Fetch,
            ListOffsetsRequest { .. } | ListOffsetsResponse { .. } => ApiKey::ListOffsets,
            FindCoordinatorRequest { .. } | FindCoordinatorResponse { .. } => {
                ApiKey::FindCoordinator
            }
            JoinGroupRequest { .. } | JoinGroupResponse { .. } => ApiKey::JoinGroup,
            SyncGroupRequest { .. } | SyncGroupResponse { .. } => ApiKey::SyncGroup,
            HeartbeatRequest { .. } | HeartbeatResponse { .. } => ApiKey::Heartbeat,
            LeaveGroupRequest { .. } | LeaveGroupResponse { .. } => ApiKey::LeaveGroup,
            OffsetCommitRequest { .. } | OffsetCommitResponse { .. } => ApiKey::OffsetCommit,
            OffsetFetchRequest { .. } | OffsetFetchResponse { .. } => ApiKey::OffsetFetch,
            BrokerHeartbeatRequest { .. } | BrokerHeartbeatResponse { .. } => {
                ApiKey::BrokerHeartbeat
            }
            VoteRequest { .. } | VoteResponse { .. } => ApiKey::Vote,
            BeginQuorumEpochRequest { .. } => ApiKey::BeginQuorumEpoch,
            EndQuorumEpochRequest { .. } => ApiKey::EndQuorumEpoch,
            QuorumFetchRequest { .. } | QuorumFetchResponse { .. } => ApiKey::Fetch,
            ZkPingRequest { .. } | ZkPingResponse { .. } => ApiKey::ZkSession,
            ConsumerGroupHeartbeatRequest { .. } | ConsumerGroupHeartbeatResponse { .. } => {
                ApiKey::ConsumerGroupHeartbeat
            }
            OffsetsForLeaderEpochRequest { .. } | OffsetsForLeaderEpochResponse { .. } => {
                ApiKey::OffsetForLeaderEpoch
            }
            InitProducerIdRequest | InitProducerIdResponse { .. } => ApiKey::InitProducerId,
            AllocateProducerIdsRequest { .. } | AllocateProducerIdsResponse { .. } => {
                ApiKey::AllocateProducerIds
            }
        }
    }

    pub fn is_request(&self) -> bool {
        use Body::*;
        matches!(
            self,
            ProduceRequest { .. }
                | FetchRequest { .. }
                | ListOffsetsRequest { .. }
                | FindCoordinatorRequest { .. }
                | JoinGroupRequest { .. }
                | SyncGroupRequest { .. }
                | HeartbeatRequest { .. }
                | LeaveGroupRequest { .. }
                | OffsetCommitRequest { .. }
                | OffsetFetchRequest { .. }
                | BrokerHeartbeatRequest { .. }
                | ConsumerGroupHeartbeatRequest { .. }
                | OffsetsForLeaderEpochRequest { .. }
                | InitProducerIdRequest
                | AllocateProducerIdsRequest { .. }
        )
    }

    /// Records carried (produce requests and fetch responses), for the UI's dot size.
    pub fn record_count(&self) -> usize {
        match self {
            Body::ProduceRequest { batches, .. } => {
                batches.iter().map(|(_, b)| b.records.len()).sum()
            }
            Body::FetchResponse { partitions, .. } => partitions
                .iter()
                .map(|p| p.result.as_ref().map_or(0, |r| r.len()))
                .sum(),
            _ => 0,
        }
    }
}
