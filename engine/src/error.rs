//! Kafka's error codes, by their protocol names, with the exception class a client would see.

use serde::Serialize;
use std::fmt;

/// Declares `ErrorCode` from one table: each variant with its protocol name, the exception class
/// a client throws (in `org.apache.kafka.common.errors`) and Kafka's text for the code
/// (`Errors.java`). One table, so the engine and the console cannot disagree on a text.
macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident => $name:literal, $class:literal, $message:literal;)*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)*
        }

        impl ErrorCode {
            /// Every code the playground knows.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),*];

            /// The protocol name, as in Kafka's `Errors` enum.
            pub fn name(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $name,)*
                }
            }

            /// The Java exception class a client throws for this error.
            pub fn exception(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => concat!("org.apache.kafka.common.errors.", $class),)*
                }
            }

            /// The message a client shows when the response carries only the code.
            pub fn default_message(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $message,)*
                }
            }
        }
    };
}

error_codes! {
    OffsetOutOfRange => "OFFSET_OUT_OF_RANGE", "OffsetOutOfRangeException",
        "The requested offset is not within the range of offsets maintained by the server.";
    CorruptMessage => "CORRUPT_MESSAGE", "CorruptRecordException",
        "This message has failed its CRC checksum, exceeds the valid size, has a null key for a compacted topic, or is otherwise corrupt.";
    UnknownTopicOrPartition => "UNKNOWN_TOPIC_OR_PARTITION", "UnknownTopicOrPartitionException",
        "This server does not host this topic-partition.";
    LeaderNotAvailable => "LEADER_NOT_AVAILABLE", "LeaderNotAvailableException",
        "There is no leader for this topic-partition as we are in the middle of a leadership election.";
    NotLeaderOrFollower => "NOT_LEADER_OR_FOLLOWER", "NotLeaderOrFollowerException",
        "For requests intended only for the leader, this error indicates that the broker is not the current leader. For requests intended for any replica, this error indicates that the broker is not a replica of the topic partition.";
    RequestTimedOut => "REQUEST_TIMED_OUT", "TimeoutException",
        "The request timed out.";
    MessageTooLarge => "MESSAGE_TOO_LARGE", "RecordTooLargeException",
        "The request included a message larger than the max message size the server will accept.";
    RecordListTooLarge => "RECORD_LIST_TOO_LARGE", "RecordBatchTooLargeException",
        "The request included message batch larger than the configured segment size on the server.";
    InvalidTimestamp => "INVALID_TIMESTAMP", "InvalidTimestampException",
        "The timestamp of the message is out of acceptable range.";
    InvalidRecord => "INVALID_RECORD", "InvalidRecordException",
        "This record has failed the validation on broker and hence will be rejected.";
    CoordinatorNotAvailable => "COORDINATOR_NOT_AVAILABLE", "CoordinatorNotAvailableException",
        "The coordinator is not available.";
    NotCoordinator => "NOT_COORDINATOR", "NotCoordinatorException",
        "This is not the correct coordinator.";
    IllegalGeneration => "ILLEGAL_GENERATION", "IllegalGenerationException",
        "Specified group generation id is not valid.";
    UnknownMemberId => "UNKNOWN_MEMBER_ID", "UnknownMemberIdException",
        "The coordinator is not aware of this member.";
    InvalidSessionTimeout => "INVALID_SESSION_TIMEOUT", "InvalidSessionTimeoutException",
        "The session timeout is not within the range allowed by the broker (as configured by group.min.session.timeout.ms and group.max.session.timeout.ms).";
    RebalanceInProgress => "REBALANCE_IN_PROGRESS", "RebalanceInProgressException",
        "The group is rebalancing, so a rejoin is needed.";
    NotEnoughReplicas => "NOT_ENOUGH_REPLICAS", "NotEnoughReplicasException",
        "Messages are rejected since there are fewer in-sync replicas than required.";
    NotEnoughReplicasAfterAppend => "NOT_ENOUGH_REPLICAS_AFTER_APPEND", "NotEnoughReplicasAfterAppendException",
        "Messages are written to the log, but to fewer in-sync replicas than required.";
    TopicAlreadyExists => "TOPIC_ALREADY_EXISTS", "TopicExistsException",
        "Topic with this name already exists.";
    InvalidPartitions => "INVALID_PARTITIONS", "InvalidPartitionsException",
        "Number of partitions is below 1.";
    InvalidReplicationFactor => "INVALID_REPLICATION_FACTOR", "InvalidReplicationFactorException",
        "Replication factor is below 1 or larger than the number of available brokers.";
    InvalidReplicaAssignment => "INVALID_REPLICA_ASSIGNMENT", "InvalidReplicaAssignmentException",
        "Replica assignment is invalid.";
    InvalidConfig => "INVALID_CONFIG", "InvalidConfigurationException",
        "Configuration is invalid.";
    InvalidRequest => "INVALID_REQUEST", "InvalidRequestException",
        "This most likely occurs because of a request being malformed by the client library or the message was sent to an incompatible broker. See the broker logs for more details.";
    PolicyViolation => "POLICY_VIOLATION", "PolicyViolationException",
        "Request parameters do not satisfy the configured policy.";
    OutOfOrderSequenceNumber => "OUT_OF_ORDER_SEQUENCE_NUMBER", "OutOfOrderSequenceException",
        "The broker received an out of order sequence number.";
    InvalidProducerEpoch => "INVALID_PRODUCER_EPOCH", "InvalidProducerEpochException",
        "Producer attempted to produce with an old epoch.";
    NetworkException => "NETWORK_EXCEPTION", "NetworkException",
        "The server disconnected before a response was received.";
    NonEmptyGroup => "NON_EMPTY_GROUP", "GroupNotEmptyException",
        "The group is not empty.";
    GroupIdNotFound => "GROUP_ID_NOT_FOUND", "GroupIdNotFoundException",
        "The group id does not exist.";
    MemberIdRequired => "MEMBER_ID_REQUIRED", "MemberIdRequiredException",
        "The group member needs to have a valid member id before actually entering a consumer group.";
    FencedInstanceId => "FENCED_INSTANCE_ID", "FencedInstanceIdException",
        "The broker rejected this static consumer since another consumer with the same group.instance.id has registered with a different member.id.";
    InvalidTopicException => "INVALID_TOPIC_EXCEPTION", "InvalidTopicException",
        "The request attempted to perform an operation on an invalid topic.";
    GroupSubscribedToTopic => "GROUP_SUBSCRIBED_TO_TOPIC", "GroupSubscribedToTopicException",
        "Deleting offsets of a topic is forbidden while the consumer group is actively subscribed to it.";
    /// KIP-227: an incremental fetch names a session the leader does not hold.
    FetchSessionIdNotFound => "FETCH_SESSION_ID_NOT_FOUND", "FetchSessionIdNotFoundException",
        "The fetch session ID was not found.";
    /// KIP-227: an incremental fetch's epoch is not the one its session expects next.
    InvalidFetchSessionEpoch => "INVALID_FETCH_SESSION_EPOCH", "InvalidFetchSessionEpochException",
        "The fetch session epoch is invalid.";
    UnknownServerError => "UNKNOWN_SERVER_ERROR", "UnknownServerException",
        "The server experienced an unexpected error when processing the request.";
    /// KIP-848: the member's epoch is not the coordinator's; it must rejoin with epoch 0.
    FencedMemberEpoch => "FENCED_MEMBER_EPOCH", "FencedMemberEpochException",
        "The member epoch is fenced by the group coordinator. The member must abandon all its partitions and rejoin.";
    /// KIP-848: a static member rejoins while its instance id is still in use.
    UnreleasedInstanceId => "UNRELEASED_INSTANCE_ID", "UnreleasedInstanceIdException",
        "The instance ID is still used by another member in the consumer group. That member must leave first.";
    /// KIP-848: an offset commit carries an older member epoch than the member's.
    StaleMemberEpoch => "STALE_MEMBER_EPOCH", "StaleMemberEpochException",
        "The member epoch is stale. The member must retry after receiving its updated member epoch via the ConsumerGroupHeartbeat API.";
    /// `group.remote.assignor` is not in the broker's `group.consumer.assignors`.
    UnsupportedAssignor => "UNSUPPORTED_ASSIGNOR", "UnsupportedAssignorException",
        "The assignor or its version range is not supported by the consumer group.";
    /// ElectLeaders: the preferred replica already leads, or (unclean) the partition has a leader.
    ElectionNotNeeded => "ELECTION_NOT_NEEDED", "ElectionNotNeededException",
        "Leader election not needed for topic partition.";
    /// ElectLeaders (preferred): the preferred replica cannot lead.
    PreferredLeaderNotAvailable => "PREFERRED_LEADER_NOT_AVAILABLE", "PreferredLeaderNotAvailableException",
        "The preferred leader was not available.";
    /// ElectLeaders (unclean): no live replica to elect.
    EligibleLeadersNotAvailable => "ELIGIBLE_LEADERS_NOT_AVAILABLE", "EligibleLeadersNotAvailableException",
        "Eligible topic partition leaders are not available.";
    /// A member speaks another group protocol than the group's.
    InconsistentGroupProtocol => "INCONSISTENT_GROUP_PROTOCOL", "InconsistentGroupProtocolException",
        "The group member's supported protocols are incompatible with those of existing members or first group member tried to join with empty protocol type or empty protocol list.";
    /// KIP-320: the request's current leader epoch is older than the broker's.
    FencedLeaderEpoch => "FENCED_LEADER_EPOCH", "FencedLeaderEpochException",
        "The leader epoch in the request is older than the epoch on the broker.";
    /// KIP-320: the request's current leader epoch is newer than the broker's.
    UnknownLeaderEpoch => "UNKNOWN_LEADER_EPOCH", "UnknownLeaderEpochException",
        "The leader epoch in the request is newer than the epoch on the broker.";
    /// InitProducerId: the broker has no block of producer ids yet.
    CoordinatorLoadInProgress => "COORDINATOR_LOAD_IN_PROGRESS", "CoordinatorLoadInProgressException",
        "The coordinator is loading and hence can't process requests.";
}

impl ErrorCode {
    /// The code with this protocol name (`NOT_ENOUGH_REPLICAS`), if the playground knows it.
    pub fn from_name(name: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.iter().copied().find(|c| c.name() == name)
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
                | FencedLeaderEpoch
                | UnknownLeaderEpoch
                | CoordinatorLoadInProgress
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_found_by_its_protocol_name_which_is_also_its_serialized_form() {
        for &code in ErrorCode::ALL {
            assert_eq!(ErrorCode::from_name(code.name()), Some(code));
            assert_eq!(
                serde_json::to_string(&code).unwrap(),
                format!("\"{}\"", code.name())
            );
            assert!(code.exception().ends_with("Exception"), "{code}");
            assert!(code.default_message().ends_with('.'), "{code}");
        }
        assert_eq!(ErrorCode::from_name("not_enough_replicas"), None);
        assert_eq!(
            ErrorCode::NotEnoughReplicas.default_message(),
            "Messages are rejected since there are fewer in-sync replicas than required."
        );
    }
}
