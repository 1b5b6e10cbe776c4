//! Plain data the formatters print. The console's runner fills these from engine views; the
//! formatters in `format` turn them into Kafka 4.0's exact output. No engine types here.

/// `(topic, partition)`, as `TopicPartition`.
pub type TopicPartition = (String, i32);

// ---------------------------------------------------------------- kafka-topics

/// One partition of `kafka-topics --describe`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartitionInfo {
    pub partition: i32,
    /// `None` prints `Leader: none` (no leader, or the leader is not alive).
    pub leader: Option<i32>,
    /// Replica ids in assignment order.
    pub replicas: Vec<i32>,
    pub isr: Vec<i32>,
    /// Non-empty only while a reassignment is in progress.
    pub adding_replicas: Vec<i32>,
    pub removing_replicas: Vec<i32>,
    /// `None` prints `N/A` (describe by `--topic-id` uses the Metadata API).
    pub elr: Option<Vec<i32>>,
    pub last_known_elr: Option<Vec<i32>>,
}

/// One topic of `kafka-topics --describe`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TopicDescription {
    pub name: String,
    /// Base64url topic id (22 chars); empty or the zero UUID omits the `TopicId:` field.
    pub topic_id: String,
    pub partitions: Vec<PartitionInfo>,
    /// Non-default configs (topic overrides and static broker settings), any order: the
    /// formatter applies Kafka's order.
    pub configs: Vec<(String, String)>,
    /// Effective `min.insync.replicas`, for the min-ISR filters.
    pub min_insync_replicas: Option<i32>,
    pub marked_for_deletion: bool,
}

/// The partition filters of `kafka-topics --describe`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DescribeFilter {
    pub under_replicated_partitions: bool,
    pub under_min_isr_partitions: bool,
    pub at_min_isr_partitions: bool,
    pub unavailable_partitions: bool,
    pub topics_with_overrides: bool,
}

// ---------------------------------------------------------------- console consumer

/// `TimestampType` of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimestampType {
    NoTimestamp,
    #[default]
    CreateTime,
    LogAppendTime,
}

impl TimestampType {
    /// Java's `TimestampType.toString()`.
    pub fn name(self) -> &'static str {
        match self {
            TimestampType::NoTimestamp => "NoTimestampType",
            TimestampType::CreateTime => "CreateTime",
            TimestampType::LogAppendTime => "LogAppendTime",
        }
    }
}

/// A record as the console consumer received it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsumedRecord {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
    pub timestamp_type: TimestampType,
    pub timestamp: i64,
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    /// Headers in record order; a `None` value is a null header value.
    pub headers: Vec<(String, Option<Vec<u8>>)>,
}

// ---------------------------------------------------------------- consumer groups

/// `GroupState` names as printed by the tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GroupState {
    #[default]
    Unknown,
    PreparingRebalance,
    CompletingRebalance,
    Stable,
    Dead,
    Empty,
    Assigning,
    Reconciling,
}

impl GroupState {
    pub fn name(self) -> &'static str {
        match self {
            GroupState::Unknown => "Unknown",
            GroupState::PreparingRebalance => "PreparingRebalance",
            GroupState::CompletingRebalance => "CompletingRebalance",
            GroupState::Stable => "Stable",
            GroupState::Dead => "Dead",
            GroupState::Empty => "Empty",
            GroupState::Assigning => "Assigning",
            GroupState::Reconciling => "Reconciling",
        }
    }

    /// Parses a `--state` filter value (case-insensitive), as `GroupState.parse`.
    pub fn parse(s: &str) -> GroupState {
        [
            GroupState::PreparingRebalance,
            GroupState::CompletingRebalance,
            GroupState::Stable,
            GroupState::Dead,
            GroupState::Empty,
            GroupState::Assigning,
            GroupState::Reconciling,
        ]
        .into_iter()
        .find(|g| g.name().eq_ignore_ascii_case(s.trim()))
        .unwrap_or(GroupState::Unknown)
    }

    /// States in which the tools warn that the group is rebalancing.
    pub fn rebalancing(self) -> bool {
        matches!(
            self,
            GroupState::PreparingRebalance
                | GroupState::CompletingRebalance
                | GroupState::Assigning
                | GroupState::Reconciling
        )
    }
}

/// `GroupType` names as printed by `--list --type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GroupType {
    #[default]
    Classic,
    Consumer,
    Share,
    Unknown,
}

impl GroupType {
    pub fn name(self) -> &'static str {
        match self {
            GroupType::Classic => "Classic",
            GroupType::Consumer => "Consumer",
            GroupType::Share => "Share",
            GroupType::Unknown => "Unknown",
        }
    }
}

/// One row of `kafka-consumer-groups --list --state/--type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupListing {
    pub group_id: String,
    pub group_type: GroupType,
    pub state: GroupState,
}

/// Which rebalance protocol a member speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MemberProtocol {
    #[default]
    Classic,
    Consumer,
}

/// A group member as `describeConsumerGroups` returns it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupMember {
    /// `console-consumer-<uuid>` for classic members, 22-char base64 for KIP-848 ones.
    pub consumer_id: String,
    pub group_instance_id: Option<String>,
    pub client_id: String,
    /// With the leading slash: `/127.0.0.1`.
    pub host: String,
    /// Current assignment, in the order the coordinator returned it.
    pub assignment: Vec<TopicPartition>,
    /// KIP-848 only: target assignment and epochs (`-` for classic members).
    pub target_assignment: Option<Vec<TopicPartition>>,
    pub member_epoch: Option<i32>,
    pub target_epoch: Option<i32>,
    pub protocol: MemberProtocol,
}

/// A committed offset of a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommittedOffset {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
    pub leader_epoch: Option<i32>,
}

/// Everything `kafka-consumer-groups --describe` needs about one group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupDescription {
    pub group_id: String,
    pub state: GroupState,
    pub members: Vec<GroupMember>,
    /// Committed offsets in the order the admin client returned them.
    pub committed: Vec<CommittedOffset>,
    /// Log-end offsets known for the group's partitions.
    pub log_end_offsets: Vec<(TopicPartition, i64)>,
    /// `host:port` and id of the coordinator (for `--state`).
    pub coordinator_host: String,
    pub coordinator_port: i32,
    pub coordinator_id: i32,
    /// Classic: protocol name (`range`...); KIP-848: server assignor; empty prints `-`.
    pub assignment_strategy: String,
    /// KIP-848 groups only.
    pub group_epoch: Option<i32>,
    pub target_assignment_epoch: Option<i32>,
}

// ---------------------------------------------------------------- kafka-configs

/// `ConfigEntry.ConfigSource` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigSource {
    DynamicTopicConfig,
    DynamicBrokerLoggerConfig,
    DynamicBrokerConfig,
    DynamicDefaultBrokerConfig,
    DynamicClientMetricsConfig,
    DynamicGroupConfig,
    StaticBrokerConfig,
    DefaultConfig,
    Unknown,
}

impl ConfigSource {
    pub fn name(self) -> &'static str {
        match self {
            ConfigSource::DynamicTopicConfig => "DYNAMIC_TOPIC_CONFIG",
            ConfigSource::DynamicBrokerLoggerConfig => "DYNAMIC_BROKER_LOGGER_CONFIG",
            ConfigSource::DynamicBrokerConfig => "DYNAMIC_BROKER_CONFIG",
            ConfigSource::DynamicDefaultBrokerConfig => "DYNAMIC_DEFAULT_BROKER_CONFIG",
            ConfigSource::DynamicClientMetricsConfig => "DYNAMIC_CLIENT_METRICS_CONFIG",
            ConfigSource::DynamicGroupConfig => "DYNAMIC_GROUP_CONFIG",
            ConfigSource::StaticBrokerConfig => "STATIC_BROKER_CONFIG",
            ConfigSource::DefaultConfig => "DEFAULT_CONFIG",
            ConfigSource::Unknown => "UNKNOWN",
        }
    }
}

/// One `ConfigEntry` of `describeConfigs` (with synonyms).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigEntryView {
    pub name: String,
    /// `None` prints `null` (e.g. sensitive values).
    pub value: Option<String>,
    pub source: ConfigSource,
    pub sensitive: bool,
    /// `(source, name, value)` in the broker's order (most specific first).
    pub synonyms: Vec<(ConfigSource, String, Option<String>)>,
}

// ---------------------------------------------------------------- kafka-metadata-quorum

/// `QuorumInfo.ReplicaState`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuorumReplica {
    pub replica_id: i32,
    /// Base64url directory id; `None` is the zero UUID.
    pub directory_id: Option<String>,
    pub log_end_offset: i64,
    pub last_fetch_timestamp: Option<i64>,
    pub last_caught_up_timestamp: Option<i64>,
    /// `NAME://host:port` listeners (voters only).
    pub endpoints: Vec<String>,
}

/// `QuorumInfo` as `describeMetadataQuorum` returns it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuorumInfo {
    pub cluster_id: String,
    pub leader_id: i32,
    pub leader_epoch: i32,
    pub high_watermark: i64,
    pub voters: Vec<QuorumReplica>,
    pub observers: Vec<QuorumReplica>,
}
