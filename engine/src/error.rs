//! Kafka's error codes, by their protocol names, with the exception class a client would see.

use serde::Serialize;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    OffsetOutOfRange,
    CorruptMessage,
    UnknownTopicOrPartition,
    LeaderNotAvailable,
    NotLeaderOrFollower,
    RequestTimedOut,
    MessageTooLarge,
    RecordListTooLarge,
    InvalidTimestamp,
    InvalidRecord,
    CoordinatorNotAvailable,
    NotCoordinator,
    IllegalGeneration,
    UnknownMemberId,
    InvalidSessionTimeout,
    RebalanceInProgress,
    NotEnoughReplicas,
    NotEnoughReplicasAfterAppend,
    TopicAlreadyExists,
    InvalidPartitions,
    InvalidReplicationFactor,
    InvalidReplicaAssignment,
    InvalidConfig,
    InvalidRequest,
    PolicyViolation,
    OutOfOrderSequenceNumber,
    InvalidProducerEpoch,
    NetworkException,
    NonEmptyGroup,
    GroupIdNotFound,
    MemberIdRequired,
    FencedInstanceId,
    InvalidTopicException,
    GroupSubscribedToTopic,
    UnknownServerError,
    /// KIP-848: the member's epoch is not the coordinator's; it must rejoin with epoch 0.
    FencedMemberEpoch,
    /// KIP-848: a static member rejoins while its instance id is still in use.
    UnreleasedInstanceId,
    /// KIP-848: an offset commit carries an older member epoch than the member's.
    StaleMemberEpoch,
    /// `group.remote.assignor` is not in the broker's `group.consumer.assignors`.
    UnsupportedAssignor,
    /// A member speaks another group protocol than the group's.
    InconsistentGroupProtocol,
}

impl ErrorCode {
    /// The protocol name, as in Kafka's `Errors` enum.
    pub fn name(self) -> &'static str {
        use ErrorCode::*;
        match self {
            OffsetOutOfRange => "OFFSET_OUT_OF_RANGE",
            CorruptMessage => "CORRUPT_MESSAGE",
            UnknownTopicOrPartition => "UNKNOWN_TOPIC_OR_PARTITION",
            LeaderNotAvailable => "LEADER_NOT_AVAILABLE",
            NotLeaderOrFollower => "NOT_LEADER_OR_FOLLOWER",
            RequestTimedOut => "REQUEST_TIMED_OUT",
            MessageTooLarge => "MESSAGE_TOO_LARGE",
            RecordListTooLarge => "RECORD_LIST_TOO_LARGE",
            InvalidTimestamp => "INVALID_TIMESTAMP",
            InvalidRecord => "INVALID_RECORD",
            CoordinatorNotAvailable => "COORDINATOR_NOT_AVAILABLE",
            NotCoordinator => "NOT_COORDINATOR",
            IllegalGeneration => "ILLEGAL_GENERATION",
            UnknownMemberId => "UNKNOWN_MEMBER_ID",
            InvalidSessionTimeout => "INVALID_SESSION_TIMEOUT",
            RebalanceInProgress => "REBALANCE_IN_PROGRESS",
            NotEnoughReplicas => "NOT_ENOUGH_REPLICAS",
            NotEnoughReplicasAfterAppend => "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
            TopicAlreadyExists => "TOPIC_ALREADY_EXISTS",
            InvalidPartitions => "INVALID_PARTITIONS",
            InvalidReplicationFactor => "INVALID_REPLICATION_FACTOR",
            InvalidReplicaAssignment => "INVALID_REPLICA_ASSIGNMENT",
            InvalidConfig => "INVALID_CONFIG",
            InvalidRequest => "INVALID_REQUEST",
            PolicyViolation => "POLICY_VIOLATION",
            OutOfOrderSequenceNumber => "OUT_OF_ORDER_SEQUENCE_NUMBER",
            InvalidProducerEpoch => "INVALID_PRODUCER_EPOCH",
            NetworkException => "NETWORK_EXCEPTION",
            NonEmptyGroup => "NON_EMPTY_GROUP",
            GroupIdNotFound => "GROUP_ID_NOT_FOUND",
            MemberIdRequired => "MEMBER_ID_REQUIRED",
            FencedInstanceId => "FENCED_INSTANCE_ID",
            InvalidTopicException => "INVALID_TOPIC_EXCEPTION",
            GroupSubscribedToTopic => "GROUP_SUBSCRIBED_TO_TOPIC",
            UnknownServerError => "UNKNOWN_SERVER_ERROR",
            FencedMemberEpoch => "FENCED_MEMBER_EPOCH",
            UnreleasedInstanceId => "UNRELEASED_INSTANCE_ID",
            StaleMemberEpoch => "STALE_MEMBER_EPOCH",
            UnsupportedAssignor => "UNSUPPORTED_ASSIGNOR",
            InconsistentGroupProtocol => "INCONSISTENT_GROUP_PROTOCOL",
        }
    }

    /// The Java exception class a client throws for this error.
    pub fn exception(self) -> &'static str {
        use ErrorCode::*;
        match self {
            OffsetOutOfRange => "org.apache.kafka.common.errors.OffsetOutOfRangeException",
            CorruptMessage => "org.apache.kafka.common.errors.CorruptRecordException",
            UnknownTopicOrPartition => {
                "org.apache.kafka.common.errors.UnknownTopicOrPartitionException"
            }
            LeaderNotAvailable => "org.apache.kafka.common.errors.LeaderNotAvailableException",
            NotLeaderOrFollower => "org.apache.kafka.common.errors.NotLeaderOrFollowerException",
            RequestTimedOut => "org.apache.kafka.common.errors.TimeoutException",
            MessageTooLarge => "org.apache.kafka.common.errors.RecordTooLargeException",
            RecordListTooLarge => "org.apache.kafka.common.errors.RecordBatchTooLargeException",
            InvalidTimestamp => "org.apache.kafka.common.errors.InvalidTimestampException",
            InvalidRecord => "org.apache.kafka.common.errors.InvalidRecordException",
            CoordinatorNotAvailable => {
                "org.apache.kafka.common.errors.CoordinatorNotAvailableException"
            }
            NotCoordinator => "org.apache.kafka.common.errors.NotCoordinatorException",
            IllegalGeneration => "org.apache.kafka.common.errors.IllegalGenerationException",
            UnknownMemberId => "org.apache.kafka.common.errors.UnknownMemberIdException",
            InvalidSessionTimeout => {
                "org.apache.kafka.common.errors.InvalidSessionTimeoutException"
            }
            RebalanceInProgress => "org.apache.kafka.common.errors.RebalanceInProgressException",
            NotEnoughReplicas => "org.apache.kafka.common.errors.NotEnoughReplicasException",
            NotEnoughReplicasAfterAppend => {
                "org.apache.kafka.common.errors.NotEnoughReplicasAfterAppendException"
            }
            TopicAlreadyExists => "org.apache.kafka.common.errors.TopicExistsException",
            InvalidPartitions => "org.apache.kafka.common.errors.InvalidPartitionsException",
            InvalidReplicationFactor => {
                "org.apache.kafka.common.errors.InvalidReplicationFactorException"
            }
            InvalidReplicaAssignment => {
                "org.apache.kafka.common.errors.InvalidReplicaAssignmentException"
            }
            InvalidConfig => "org.apache.kafka.common.errors.InvalidConfigurationException",
            InvalidRequest => "org.apache.kafka.common.errors.InvalidRequestException",
            PolicyViolation => "org.apache.kafka.common.errors.PolicyViolationException",
            OutOfOrderSequenceNumber => {
                "org.apache.kafka.common.errors.OutOfOrderSequenceException"
            }
            InvalidProducerEpoch => "org.apache.kafka.common.errors.InvalidProducerEpochException",
            NetworkException => "org.apache.kafka.common.errors.NetworkException",
            NonEmptyGroup => "org.apache.kafka.common.errors.GroupNotEmptyException",
            GroupIdNotFound => "org.apache.kafka.common.errors.GroupIdNotFoundException",
            MemberIdRequired => "org.apache.kafka.common.errors.MemberIdRequiredException",
            FencedInstanceId => "org.apache.kafka.common.errors.FencedInstanceIdException",
            InvalidTopicException => "org.apache.kafka.common.errors.InvalidTopicException",
            GroupSubscribedToTopic => {
                "org.apache.kafka.common.errors.GroupSubscribedToTopicException"
            }
            UnknownServerError => "org.apache.kafka.common.errors.UnknownServerException",
            FencedMemberEpoch => "org.apache.kafka.common.errors.FencedMemberEpochException",
            UnreleasedInstanceId => "org.apache.kafka.common.errors.UnreleasedInstanceIdException",
            StaleMemberEpoch => "org.apache.kafka.common.errors.StaleMemberEpochException",
            UnsupportedAssignor => "org.apache.kafka.common.errors.UnsupportedAssignorException",
            InconsistentGroupProtocol => {
                "org.apache.kafka.common.errors.InconsistentGroupProtocolException"
            }
        }
    }

    /// The message a client shows when the response carries only the code (`Errors.java`).
    pub fn default_message(self) -> &'static str {
        use ErrorCode::*;
        match self {
            OffsetOutOfRange => "The requested offset is not within the range of offsets maintained by the server.",
            PolicyViolation => "Request parameters do not satisfy the configured policy.",
            UnknownTopicOrPartition => "This server does not host this topic-partition.",
            RequestTimedOut => "The request timed out.",
            CorruptMessage => "This message has failed its CRC checksum, exceeds the valid size, has a null key for a compacted topic, or is otherwise corrupt.",
            MessageTooLarge => "The request included a message larger than the max message size the server will accept.",
            RecordListTooLarge => "The request included message batch larger than the configured segment size on the server.",
            InvalidTimestamp => "The timestamp of the message is out of acceptable range.",
            InvalidRecord => "This record has failed the validation on broker and hence will be rejected.",
            NotEnoughReplicas => "Messages are rejected since there are fewer in-sync replicas than required.",
            NotEnoughReplicasAfterAppend => "Messages are written to the log, but to fewer in-sync replicas than required.",
            OutOfOrderSequenceNumber => "The broker received an out of order sequence number.",
            InvalidProducerEpoch => "Producer attempted to produce with an old epoch.",
            InvalidTopicException => "The request attempted to perform an operation on an invalid topic.",
            NetworkException => "The server disconnected before a response was received.",
            NotLeaderOrFollower => "For requests intended only for the leader, this error indicates that the broker is not the current leader. For requests intended for any replica, this error indicates that the broker is not a replica of the topic partition.",
            _ => "The server experienced an unexpected error when processing the request.",
        }
    }

    /// Whether a client retries on its own (Kafka's `RetriableException` subclasses).
    pub fn retriable(self) -> bool {
        use ErrorCode::*;
        matches!(
            self,
            UnknownTopicOrPartition
                | LeaderNotAvailable
                | NotLeaderOrFollower
                | RequestTimedOut
                | NetworkException
                | CoordinatorNotAvailable
                | NotCoordinator
                | NotEnoughReplicas
                | NotEnoughReplicasAfterAppend
                | CorruptMessage
        )
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An error with the message a broker or tool would attach.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KafkaError {
    pub code: ErrorCode,
    pub message: String,
}

impl KafkaError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        KafkaError {
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for KafkaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for KafkaError {}
