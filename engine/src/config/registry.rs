//! The table of every config the playground knows, with Kafka 4.0's names, types, defaults and
//! validators (`LogConfig`, `ServerLogConfigs`, `ReplicationConfigs`, `GroupCoordinatorConfig`,
//! `ProducerConfig`, `ConsumerConfig`, ...). Topic configs come first, in `LogConfig`'s
//! definition order, which is the order Kafka validates them in.

use super::Kind::{Bool, Class, Double, Int, List, Long, Short, String as Str};
use super::Scope::{Broker, Consumer, Group, Producer, Topic};
use super::Validator::{
    AtLeast, Between, Classes, GzipLevel, ListOf, OneOf, OneOfCaseInsensitive, ThrottledReplicas,
};
use super::{ConfigDef, Era, Scope, Validator};

const NONE: Validator = Validator::None;
const LONG_MAX: &str = "9223372036854775807";
const INT_MAX: &str = "2147483647";

const CLEANUP: &[&str] = &["compact", "delete"];
const TIMESTAMP_TYPES: &[&str] = &["CreateTime", "LogAppendTime"];
const BROKER_COMPRESSION: &[&str] = &["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"];

/// Consumer assignor classes (`partition.assignment.strategy`).
pub const RANGE_ASSIGNOR: &str = "org.apache.kafka.clients.consumer.RangeAssignor";
pub const ROUND_ROBIN_ASSIGNOR: &str = "org.apache.kafka.clients.consumer.RoundRobinAssignor";
pub const STICKY_ASSIGNOR: &str = "org.apache.kafka.clients.consumer.StickyAssignor";
pub const COOPERATIVE_STICKY_ASSIGNOR: &str =
    "org.apache.kafka.clients.consumer.CooperativeStickyAssignor";
const ASSIGNORS: &[&str] = &[
    RANGE_ASSIGNOR,
    ROUND_ROBIN_ASSIGNOR,
    STICKY_ASSIGNOR,
    COOPERATIVE_STICKY_ASSIGNOR,
];

/// Producer partitioner classes (`partitioner.class`).
pub const ROUND_ROBIN_PARTITIONER: &str = "org.apache.kafka.clients.producer.RoundRobinPartitioner";
pub const DEFAULT_PARTITIONER: &str =
    "org.apache.kafka.clients.producer.internals.DefaultPartitioner";
pub const UNIFORM_STICKY_PARTITIONER: &str =
    "org.apache.kafka.clients.producer.UniformStickyPartitioner";

const SERVER_ASSIGNORS: &[&str] = &[
    "uniform",
    "range",
    "org.apache.kafka.coordinator.group.assignor.UniformAssignor",
    "org.apache.kafka.coordinator.group.assignor.RangeAssignor",
];

/// Every config, topic configs first.
pub static REGISTRY: &[ConfigDef] = &[
    // ---- Topic (LogConfig) ----
    ConfigDef::new("segment.bytes", Topic, Int, "1073741824", AtLeast(1_048_576),
        "The segment file size for the log; the active segment rolls when the next batch would pass it.")
        .zk_valid(AtLeast(14)).relaxed_min(14).synonyms(&["log.segment.bytes"])
        .notes("Minimum 1 MiB from 4.0 (KIP-1030), 14 before. The playground allows down to 14 bytes."),
    ConfigDef::new("segment.ms", Topic, Long, "604800000", AtLeast(1),
        "Roll the active segment after this long even if it is not full (by record timestamps).")
        .synonyms(&["log.roll.ms", "log.roll.hours"]),
    ConfigDef::new("segment.jitter.ms", Topic, Long, "0", AtLeast(0),
        "Maximum random jitter subtracted from segment.ms to avoid thundering rolls.")
        .synonyms(&["log.roll.jitter.ms", "log.roll.jitter.hours"]),
    ConfigDef::new("segment.index.bytes", Topic, Int, "10485760", AtLeast(4),
        "Size of the offset index that maps offsets to file positions.")
        .synonyms(&["log.index.size.max.bytes"]),
    ConfigDef::new("flush.messages", Topic, Long, LONG_MAX, AtLeast(1),
        "Force an fsync after this many messages (off by default; replication gives durability).")
        .synonyms(&["log.flush.interval.messages"]),
    ConfigDef::new("flush.ms", Topic, Long, LONG_MAX, AtLeast(0),
        "Force an fsync after this much time (off by default).")
        .synonyms(&["log.flush.interval.ms"]),
    ConfigDef::new("retention.bytes", Topic, Long, "-1", NONE,
        "Delete old segments when a partition grows beyond this size; -1 = no size limit. Per partition.")
        .synonyms(&["log.retention.bytes"]),
    ConfigDef::new("retention.ms", Topic, Long, "604800000", AtLeast(-1),
        "Delete segments whose newest record is older than this; -1 = keep forever.")
        .synonyms(&["log.retention.ms", "log.retention.minutes", "log.retention.hours"]),
    ConfigDef::new("max.message.bytes", Topic, Int, "1048588", AtLeast(0),
        "Largest record batch the broker accepts for this topic.")
        .synonyms(&["message.max.bytes"]),
    ConfigDef::new("index.interval.bytes", Topic, Int, "4096", AtLeast(0),
        "How often (in bytes) an offset index entry is added.")
        .synonyms(&["log.index.interval.bytes"]),
    ConfigDef::new("delete.retention.ms", Topic, Long, "86400000", AtLeast(0),
        "How long tombstones are kept in a compacted topic after compaction first sees them.")
        .synonyms(&["log.cleaner.delete.retention.ms"]),
    ConfigDef::new("min.compaction.lag.ms", Topic, Long, "0", AtLeast(0),
        "A record stays uncompacted for at least this long.")
        .synonyms(&["log.cleaner.min.compaction.lag.ms"]),
    ConfigDef::new("max.compaction.lag.ms", Topic, Long, LONG_MAX, AtLeast(1),
        "A record becomes eligible for compaction after at most this long.")
        .synonyms(&["log.cleaner.max.compaction.lag.ms"]),
    ConfigDef::new("file.delete.delay.ms", Topic, Long, "60000", AtLeast(0),
        "Wait before a deleted segment's files are removed from disk.")
        .synonyms(&["log.segment.delete.delay.ms"]),
    ConfigDef::new("min.cleanable.dirty.ratio", Topic, Double, "0.5", Between(0, 1),
        "Compact a log once dirty / (clean + dirty) exceeds this ratio.")
        .synonyms(&["log.cleaner.min.cleanable.ratio"]),
    ConfigDef::new("cleanup.policy", Topic, List, "delete", ListOf(CLEANUP),
        "delete (retention), compact (keep the last value per key), or both.")
        .synonyms(&["log.cleanup.policy"]),
    ConfigDef::new("unclean.leader.election.enable", Topic, Bool, "false", NONE,
        "Allow an out-of-sync replica to become leader when no ISR member is left (data loss).")
        .synonyms(&["unclean.leader.election.enable"])
        .notes("true before 0.11"),
    ConfigDef::new("min.insync.replicas", Topic, Int, "1", AtLeast(1),
        "With acks=all, the ISR size a write needs (effective value min(this, replicas)).")
        .synonyms(&["min.insync.replicas"]),
    ConfigDef::new("compression.type", Topic, Str, "producer", OneOf(BROKER_COMPRESSION),
        "Final compression of the topic's data; producer = keep what the producer sent.")
        .synonyms(&["compression.type"]),
    ConfigDef::new("compression.gzip.level", Topic, Int, "-1", GzipLevel,
        "gzip level when compression.type=gzip.")
        .synonyms(&["compression.gzip.level"]).kafka4_only(),
    ConfigDef::new("compression.lz4.level", Topic, Int, "9", Between(1, 17),
        "lz4 level when compression.type=lz4.")
        .synonyms(&["compression.lz4.level"]).kafka4_only(),
    ConfigDef::new("compression.zstd.level", Topic, Int, "3", Between(-131_072, 22),
        "zstd level when compression.type=zstd.")
        .synonyms(&["compression.zstd.level"]).kafka4_only(),
    ConfigDef::new("preallocate", Topic, Bool, "false", NONE,
        "Preallocate the segment file on disk when rolling.")
        .synonyms(&["log.preallocate"]),
    ConfigDef::new("message.timestamp.type", Topic, Str, "CreateTime", OneOf(TIMESTAMP_TYPES),
        "Whether record timestamps are the producer's (CreateTime) or the broker's (LogAppendTime).")
        .synonyms(&["log.message.timestamp.type"]),
    ConfigDef::new("message.timestamp.before.max.ms", Topic, Long, LONG_MAX, AtLeast(0),
        "Reject records whose timestamp is further in the past than this (CreateTime).")
        .synonyms(&["log.message.timestamp.before.max.ms"]).kafka4_only()
        .notes("new in 3.6 (KIP-937)"),
    ConfigDef::new("message.timestamp.after.max.ms", Topic, Long, "3600000", AtLeast(0),
        "Reject records whose timestamp is further in the future than this (CreateTime).")
        .synonyms(&["log.message.timestamp.after.max.ms"]).kafka4_only()
        .notes("new in 3.6; default Long.MAX before 4.0 (KIP-1030)"),
    ConfigDef::new("message.timestamp.difference.max.ms", Topic, Long, LONG_MAX, AtLeast(0),
        "Reject records whose timestamp differs from the broker clock by more than this.")
        .synonyms(&["log.message.timestamp.difference.max.ms"]).zookeeper_only()
        .notes("removed in 4.0"),
    ConfigDef::new("leader.replication.throttled.replicas", Topic, List, "", ThrottledReplicas,
        "Replicas whose leader-side replication is throttled (partition:broker, or *)."),
    ConfigDef::new("follower.replication.throttled.replicas", Topic, List, "", ThrottledReplicas,
        "Replicas whose follower-side replication is throttled (partition:broker, or *)."),
    ConfigDef::new("remote.storage.enable", Topic, Bool, "false", NONE,
        "Tiered storage for this topic (not simulated).").kafka4_only(),
    ConfigDef::new("local.retention.ms", Topic, Long, "-2", AtLeast(-2),
        "Local retention time with tiered storage; -2 = retention.ms.").kafka4_only(),
    ConfigDef::new("local.retention.bytes", Topic, Long, "-2", AtLeast(-2),
        "Local retention size with tiered storage; -2 = retention.bytes.").kafka4_only(),
    ConfigDef::new("remote.log.copy.disable", Topic, Bool, "false", NONE,
        "Stop copying segments to remote storage.").kafka4_only(),
    ConfigDef::new("remote.log.delete.on.disable", Topic, Bool, "false", NONE,
        "Delete remote data when tiered storage is turned off.").kafka4_only(),
    // ---- Broker ----
    ConfigDef::new("num.partitions", Broker, Int, "1", AtLeast(1),
        "Partitions of an auto-created topic, or of one created with partitions -1."),
    ConfigDef::new("default.replication.factor", Broker, Int, "1", NONE,
        "Replication factor of an auto-created topic, or of one created with RF -1."),
    ConfigDef::new("min.insync.replicas", Broker, Int, "1", AtLeast(1),
        "Broker default of the topic config min.insync.replicas."),
    ConfigDef::new("unclean.leader.election.enable", Broker, Bool, "false", NONE,
        "Broker default of the topic config unclean.leader.election.enable."),
    ConfigDef::new("unclean.leader.election.interval.ms", Broker, Long, "300000", AtLeast(1),
        "How often the KRaft controller retries unclean elections for leaderless partitions.")
        .kafka4_only(),
    ConfigDef::new("replica.lag.time.max.ms", Broker, Long, "30000", NONE,
        "A follower that has not caught up for this long leaves the ISR.")
        .zk("10000").notes("10000 before 2.5 (KIP-537)"),
    ConfigDef::new("replica.fetch.wait.max.ms", Broker, Int, "500", NONE,
        "Longest a follower fetch waits at the leader for new data."),
    ConfigDef::new("replica.fetch.min.bytes", Broker, Int, "1", NONE,
        "The leader answers a follower's fetch once it has this much data (or replica.fetch.wait.max.ms passes)."),
    ConfigDef::new("replica.fetch.max.bytes", Broker, Int, "1048576", AtLeast(0),
        "Most data a follower fetch returns per partition (the first batch always comes)."),
    ConfigDef::new("replica.fetch.response.max.bytes", Broker, Int, "10485760", AtLeast(0),
        "Most data a follower fetch returns in all (the first batch always comes)."),
    ConfigDef::new("replica.high.watermark.checkpoint.interval.ms", Broker, Long, "5000", NONE,
        "How often each broker writes its replicas' high watermarks to its replication-offset-checkpoint file (also at a clean shutdown); a broker started after a crash begins from them. 0 or less: only at shutdown."),
    ConfigDef::new("auto.leader.rebalance.enable", Broker, Bool, "true", NONE,
        "Move leadership back to preferred replicas periodically."),
    ConfigDef::new("leader.imbalance.check.interval.seconds", Broker, Long, "300", AtLeast(1),
        "How often the controller checks for leader imbalance."),
    ConfigDef::new("leader.imbalance.per.broker.percentage", Broker, Int, "10", NONE,
        "Imbalance ratio that triggers a rebalance (ZooKeeper controller only)."),
    ConfigDef::new("auto.create.topics.enable", Broker, Bool, "true", NONE,
        "Create a topic with broker defaults when a client asks for an unknown one."),
    ConfigDef::new("broker.heartbeat.interval.ms", Broker, Int, "2000", NONE,
        "How often a broker heartbeats to the KRaft controller.").kafka4_only(),
    ConfigDef::new("broker.session.timeout.ms", Broker, Int, "9000", NONE,
        "A broker without heartbeats for this long is fenced.").kafka4_only(),
    ConfigDef::new("controller.quorum.election.timeout.ms", Broker, Int, "1000", NONE,
        "Raft election timeout of the controller quorum.").kafka4_only(),
    ConfigDef::new("controller.quorum.fetch.timeout.ms", Broker, Int, "2000", NONE,
        "A voter that hears nothing from the leader for this long starts an election.")
        .kafka4_only(),
    ConfigDef::new("zookeeper.session.timeout.ms", Broker, Int, "18000", NONE,
        "A broker whose ZooKeeper session sees no ping for this long is gone (its ephemeral znode is deleted).")
        .zookeeper_only().notes("6000 before 2.5, 18000 from 2.5 (KIP-537)"),
    ConfigDef::new("replica.socket.timeout.ms", Broker, Int, "30000", NONE,
        "How long a follower's fetcher waits for the leader's answer before it reconnects."),
    ConfigDef::new("log.segment.bytes", Broker, Int, "1073741824", AtLeast(1_048_576),
        "Broker default of segment.bytes.")
        .zk_valid(AtLeast(14)).relaxed_min(14)
        .notes("Minimum 1 MiB from 4.0 (KIP-1030), 14 before. The playground allows down to 14 bytes."),
    ConfigDef::new("log.roll.ms", Broker, Long, "", NONE,
        "Broker default of segment.ms; wins over log.roll.hours.").null_default(),
    ConfigDef::new("log.roll.hours", Broker, Int, "168", AtLeast(1),
        "Broker default of segment.ms, in hours."),
    ConfigDef::new("log.roll.jitter.ms", Broker, Long, "", NONE,
        "Broker default of segment.jitter.ms.").null_default(),
    ConfigDef::new("log.roll.jitter.hours", Broker, Int, "0", AtLeast(0),
        "Broker default of segment.jitter.ms, in hours."),
    ConfigDef::new("log.retention.ms", Broker, Long, "", NONE,
        "Broker default of retention.ms; wins over minutes and hours.").null_default(),
    ConfigDef::new("log.retention.minutes", Broker, Int, "", NONE,
        "Broker default of retention.ms, in minutes; wins over hours.").null_default(),
    ConfigDef::new("log.retention.hours", Broker, Int, "168", NONE,
        "Broker default of retention.ms, in hours."),
    ConfigDef::new("log.retention.bytes", Broker, Long, "-1", NONE,
        "Broker default of retention.bytes."),
    ConfigDef::new("log.retention.check.interval.ms", Broker, Long, "300000", AtLeast(1),
        "How often the broker looks for segments to delete."),
    ConfigDef::new("log.initial.task.delay.ms", Broker, Long, "30000", AtLeast(0),
        "How long after a broker starts its first retention check comes.")
        .notes("an internal config in Kafka (for tests): set here to watch retention sooner"),
    ConfigDef::new("log.cleanup.policy", Broker, List, "delete", ListOf(CLEANUP),
        "Broker default of cleanup.policy."),
    ConfigDef::new("log.index.size.max.bytes", Broker, Int, "10485760", AtLeast(4),
        "Broker default of segment.index.bytes."),
    ConfigDef::new("log.index.interval.bytes", Broker, Int, "4096", AtLeast(0),
        "Broker default of index.interval.bytes."),
    ConfigDef::new("log.flush.interval.messages", Broker, Long, LONG_MAX, AtLeast(1),
        "Broker default of flush.messages."),
    ConfigDef::new("log.flush.interval.ms", Broker, Long, "", NONE,
        "Broker default of flush.ms.").null_default(),
    ConfigDef::new("log.segment.delete.delay.ms", Broker, Long, "60000", AtLeast(0),
        "Broker default of file.delete.delay.ms."),
    ConfigDef::new("log.preallocate", Broker, Bool, "false", NONE,
        "Broker default of preallocate."),
    ConfigDef::new("message.max.bytes", Broker, Int, "1048588", AtLeast(0),
        "Broker default of max.message.bytes (1 MiB + 12)."),
    ConfigDef::new("log.cleaner.enable", Broker, Bool, "true", NONE,
        "Run the log cleaner (needed for compacted topics)."),
    ConfigDef::new("log.cleaner.threads", Broker, Int, "1", AtLeast(0),
        "Number of log cleaner threads."),
    ConfigDef::new("log.cleaner.backoff.ms", Broker, Long, "15000", AtLeast(0),
        "How long the cleaner sleeps when there is nothing to clean."),
    ConfigDef::new("log.cleaner.min.cleanable.ratio", Broker, Double, "0.5", Between(0, 1),
        "Broker default of min.cleanable.dirty.ratio."),
    ConfigDef::new("log.cleaner.delete.retention.ms", Broker, Long, "86400000", AtLeast(0),
        "Broker default of delete.retention.ms."),
    ConfigDef::new("log.cleaner.min.compaction.lag.ms", Broker, Long, "0", AtLeast(0),
        "Broker default of min.compaction.lag.ms."),
    ConfigDef::new("log.cleaner.max.compaction.lag.ms", Broker, Long, LONG_MAX, AtLeast(1),
        "Broker default of max.compaction.lag.ms."),
    ConfigDef::new("log.message.timestamp.type", Broker, Str, "CreateTime", OneOf(TIMESTAMP_TYPES),
        "Broker default of message.timestamp.type."),
    ConfigDef::new("log.message.timestamp.before.max.ms", Broker, Long, LONG_MAX, AtLeast(0),
        "Broker default of message.timestamp.before.max.ms.").kafka4_only(),
    ConfigDef::new("log.message.timestamp.after.max.ms", Broker, Long, "3600000", AtLeast(0),
        "Broker default of message.timestamp.after.max.ms.").kafka4_only()
        .notes("Long.MAX before 4.0 (KIP-1030)"),
    ConfigDef::new("log.message.timestamp.difference.max.ms", Broker, Long, LONG_MAX, AtLeast(0),
        "Broker default of message.timestamp.difference.max.ms.").zookeeper_only(),
    ConfigDef::new("compression.type", Broker, Str, "producer", OneOf(BROKER_COMPRESSION),
        "Broker default of the topic config compression.type."),
    ConfigDef::new("compression.gzip.level", Broker, Int, "-1", GzipLevel,
        "Broker default of compression.gzip.level.").kafka4_only(),
    ConfigDef::new("compression.lz4.level", Broker, Int, "9", Between(1, 17),
        "Broker default of compression.lz4.level.").kafka4_only(),
    ConfigDef::new("compression.zstd.level", Broker, Int, "3", Between(-131_072, 22),
        "Broker default of compression.zstd.level.").kafka4_only(),
    ConfigDef::new("num.recovery.threads.per.data.dir", Broker, Int, "2", AtLeast(1),
        "Threads per log directory for recovery at startup and flushing at shutdown.")
        .zk("1").notes("1 before 4.0 (KIP-1030)"),
    // ---- Group / transaction coordinators ----
    ConfigDef::new("offsets.topic.num.partitions", Group, Int, "50", AtLeast(1),
        "Partitions of __consumer_offsets; a group's coordinator is hash(group.id) % this."),
    ConfigDef::new("offsets.topic.replication.factor", Group, Short, "3", AtLeast(1),
        "Replication factor of __consumer_offsets."),
    ConfigDef::new("offsets.retention.minutes", Group, Int, "10080", AtLeast(1),
        "Committed offsets of an empty group are dropped after this long.")
        .zk("1440").notes("1440 (1 day) up to 1.1; 10080 from 2.0 (KIP-186); expiry from empty since 2.1 (KIP-211)"),
    ConfigDef::new("offsets.retention.check.interval.ms", Group, Long, "600000", AtLeast(1),
        "How often expired offsets are looked for."),
    ConfigDef::new("group.initial.rebalance.delay.ms", Group, Int, "3000", NONE,
        "How long the first rebalance of an empty classic group waits for more members."),
    ConfigDef::new("group.min.session.timeout.ms", Group, Int, "6000", NONE,
        "Smallest session.timeout.ms a classic group member may ask for."),
    ConfigDef::new("group.max.session.timeout.ms", Group, Int, "1800000", NONE,
        "Largest session.timeout.ms a classic group member may ask for.")
        .zk("300000").notes("300000 up to 2.2"),
    ConfigDef::new("group.consumer.heartbeat.interval.ms", Group, Int, "5000", AtLeast(1),
        "Heartbeat interval of consumer-protocol (KIP-848) members.").kafka4_only(),
    ConfigDef::new("group.consumer.session.timeout.ms", Group, Int, "45000", AtLeast(1),
        "Session timeout of consumer-protocol (KIP-848) members.").kafka4_only(),
    ConfigDef::new("group.consumer.assignors", Group, List, "uniform,range", Classes(SERVER_ASSIGNORS),
        "Server-side assignors for consumer-protocol groups; the first is the default.")
        .kafka4_only(),
    ConfigDef::new("group.coordinator.rebalance.protocols", Group, List, "classic,consumer",
        ListOf(&["classic", "consumer", "share", "streams"]),
        "Rebalance protocols the group coordinator serves.").kafka4_only(),
    ConfigDef::new("transaction.state.log.num.partitions", Group, Int, "50", AtLeast(1),
        "Partitions of __transaction_state."),
    ConfigDef::new("transaction.state.log.replication.factor", Group, Short, "3", AtLeast(1),
        "Replication factor of __transaction_state."),
    ConfigDef::new("transaction.state.log.min.isr", Group, Int, "2", AtLeast(1),
        "min.insync.replicas of __transaction_state."),
    ConfigDef::new("transaction.max.timeout.ms", Group, Int, "900000", AtLeast(1),
        "Largest transaction.timeout.ms a producer may ask for."),
    ConfigDef::new("transactional.id.expiration.ms", Group, Int, "604800000", AtLeast(1),
        "A transactional id without activity for this long is forgotten."),
    ConfigDef::new("producer.id.expiration.ms", Group, Int, "86400000", AtLeast(1),
        "Idempotent producer state without activity for this long is dropped.")
        .kafka4_only().notes("new in 3.4 (KIP-854)"),
    // ---- Producer ----
    ConfigDef::new("client.id", Producer, Str, "", NONE,
        "A name for the client in logs and quotas; empty = producer-N."),
    ConfigDef::new("acks", Producer, Str, "all", OneOf(&["all", "-1", "0", "1"]),
        "Acknowledgements the leader waits for: 0 none, 1 leader only, all = the ISR.")
        .zk("1").notes("1 up to 2.8, all from 3.0 (KIP-679)"),
    ConfigDef::new("enable.idempotence", Producer, Bool, "true", NONE,
        "Sequence numbers per partition so retries never duplicate or reorder.")
        .zk("false").notes("false up to 2.8; default effective from 3.0.1/3.1.1/3.2.0 (KAFKA-13598)"),
    ConfigDef::new("batch.size", Producer, Int, "16384", AtLeast(0),
        "Upper bound of one partition's batch in bytes."),
    ConfigDef::new("linger.ms", Producer, Long, "5", AtLeast(0),
        "How long a batch waits for more records before it is sendable.")
        .zk("0").notes("0 up to 3.9, 5 from 4.0 (KIP-1030)"),
    ConfigDef::new("retries", Producer, Int, INT_MAX, Between(0, 2_147_483_647),
        "How many times a failed send is retried (bounded by delivery.timeout.ms).")
        .notes("0 up to 2.0"),
    ConfigDef::new("delivery.timeout.ms", Producer, Int, "120000", AtLeast(0),
        "Upper bound on the time from send() to success or failure."),
    ConfigDef::new("max.in.flight.requests.per.connection", Producer, Int, "5", AtLeast(1),
        "Unacknowledged requests per broker connection."),
    ConfigDef::new("request.timeout.ms", Producer, Int, "30000", AtLeast(0),
        "How long the client waits for a response."),
    ConfigDef::new("retry.backoff.ms", Producer, Long, "100", AtLeast(0),
        "Initial wait before a retry."),
    ConfigDef::new("metadata.max.age.ms", Producer, Long, "300000", AtLeast(0),
        "Refresh metadata at least this often; partitions added to a topic are used from then on."),
    ConfigDef::new("retry.backoff.max.ms", Producer, Long, "1000", AtLeast(0),
        "Cap of the exponential retry backoff.").notes("new in 3.7 (KIP-580)"),
    ConfigDef::new("buffer.memory", Producer, Long, "33554432", AtLeast(0),
        "Memory for records waiting to be sent."),
    ConfigDef::new("max.request.size", Producer, Int, "1048576", AtLeast(0),
        "Largest request (and record) the producer sends."),
    ConfigDef::new("max.block.ms", Producer, Long, "60000", AtLeast(0),
        "How long send() may block for metadata or buffer space."),
    ConfigDef::new("compression.type", Producer, Str, "none",
        OneOf(&["none", "gzip", "snappy", "lz4", "zstd"]),
        "Compression of the producer's batches."),
    ConfigDef::new("partitioner.class", Producer, Class, "", Classes(&[ROUND_ROBIN_PARTITIONER]),
        "A custom partitioner; null = the built-in sticky/keyed partitioning.")
        .null_default()
        .zk_valid(Classes(&[ROUND_ROBIN_PARTITIONER, DEFAULT_PARTITIONER, UNIFORM_STICKY_PARTITIONER])),
    ConfigDef::new("partitioner.adaptive.partitioning.enable", Producer, Bool, "true", NONE,
        "Send more to partitions whose brokers are faster (uniform sticky, KIP-794).")
        .notes("3.3+"),
    ConfigDef::new("partitioner.availability.timeout.ms", Producer, Long, "0", AtLeast(0),
        "Skip a partition whose leader has not accepted data for this long; 0 = off.")
        .notes("3.3+"),
    ConfigDef::new("partitioner.ignore.keys", Producer, Bool, "false", NONE,
        "Ignore keys when choosing partitions.").notes("3.3+"),
    ConfigDef::new("transactional.id", Producer, Str, "", NONE,
        "Enables transactions; implies idempotence.").null_default(),
    ConfigDef::new("transaction.timeout.ms", Producer, Int, "60000", NONE,
        "The coordinator aborts a transaction open longer than this."),
    // ---- Consumer ----
    ConfigDef::new("client.id", Consumer, Str, "", NONE,
        "A name for the client in logs and quotas; empty = consumer-<group>-N."),
    ConfigDef::new("group.id", Consumer, Str, "", NONE,
        "The consumer group this consumer belongs to.").null_default(),
    ConfigDef::new("group.instance.id", Consumer, Str, "", NONE,
        "Static membership id (KIP-345).").null_default(),
    ConfigDef::new("session.timeout.ms", Consumer, Int, "45000", NONE,
        "A classic member without heartbeats for this long is removed from the group.")
        .zk("10000").notes("10000 from 0.10.1, 45000 from 3.0 (KIP-735)"),
    ConfigDef::new("request.timeout.ms", Consumer, Int, "30000", AtLeast(0),
        "How long the client waits for a response before it drops the connection and retries."),
    ConfigDef::new("default.api.timeout.ms", Consumer, Int, "60000", AtLeast(0),
        "How long commitSync() and other blocking calls without a timeout of their own may take."),
    ConfigDef::new("heartbeat.interval.ms", Consumer, Int, "3000", NONE,
        "How often a classic member heartbeats to the coordinator."),
    ConfigDef::new("max.poll.interval.ms", Consumer, Int, "300000", AtLeast(1),
        "A member that does not poll for this long leaves the group."),
    ConfigDef::new("max.poll.records", Consumer, Int, "500", AtLeast(1),
        "Most records one poll() returns."),
    ConfigDef::new("enable.auto.commit", Consumer, Bool, "true", NONE,
        "Commit positions from poll() every auto.commit.interval.ms."),
    ConfigDef::new("auto.commit.interval.ms", Consumer, Int, "5000", AtLeast(0),
        "Interval of automatic commits."),
    ConfigDef::new("auto.offset.reset", Consumer, Str, "latest",
        OneOf(&["latest", "earliest", "none"]),
        "Where to start without a committed offset, or when it is out of range."),
    ConfigDef::new("partition.assignment.strategy", Consumer, List,
        "org.apache.kafka.clients.consumer.RangeAssignor,org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
        Classes(ASSIGNORS),
        "Client-side assignors, in preference order (classic protocol).")
        .zk("org.apache.kafka.clients.consumer.RangeAssignor")
        .notes("[RangeAssignor] up to 2.8"),
    ConfigDef::new("group.protocol", Consumer, Str, "classic",
        OneOfCaseInsensitive(&["CLASSIC", "CONSUMER"]),
        "classic (JoinGroup/SyncGroup) or consumer (KIP-848).")
        .zk_valid(OneOfCaseInsensitive(&["CLASSIC"])),
    ConfigDef::new("group.remote.assignor", Consumer, Str, "", NONE,
        "Server-side assignor to ask for (consumer protocol).").null_default().kafka4_only(),
    ConfigDef::new("isolation.level", Consumer, Str, "read_uncommitted",
        OneOf(&["read_committed", "read_uncommitted"]),
        "read_committed reads only up to the last stable offset."),
    ConfigDef::new("fetch.min.bytes", Consumer, Int, "1", AtLeast(0),
        "The broker answers a fetch once it has this much data (or fetch.max.wait.ms passes)."),
    ConfigDef::new("fetch.max.wait.ms", Consumer, Int, "500", AtLeast(0),
        "Longest a fetch waits at the broker for fetch.min.bytes."),
    ConfigDef::new("max.partition.fetch.bytes", Consumer, Int, "1048576", AtLeast(0),
        "Most data returned per partition per fetch."),
    ConfigDef::new("fetch.max.bytes", Consumer, Int, "52428800", AtLeast(0),
        "Most data returned per fetch."),
    ConfigDef::new("client.rack", Consumer, Str, "", NONE,
        "The consumer's rack, for rack-aware assignment and fetching from followers."),
    ConfigDef::new("metadata.max.age.ms", Consumer, Long, "300000", AtLeast(0),
        "Refresh metadata at least this often; the group leader rejoins when a subscribed topic's partitions changed."),
];

/// The config `name` in `scope`, if the playground knows it (in any era).
pub fn find_in(scope: Scope, name: &str) -> Option<&'static ConfigDef> {
    REGISTRY.iter().find(|d| d.scope == scope && d.name == name)
}

/// The config `name` in `scope` as it exists in `era`.
pub fn find(scope: Scope, name: &str, era: Era) -> Option<&'static ConfigDef> {
    find_in(scope, name).filter(|d| d.exists_in(era))
}

/// All configs of `scope` that exist in `era`, in registry order.
pub fn defs(scope: Scope, era: Era) -> impl Iterator<Item = &'static ConfigDef> {
    REGISTRY
        .iter()
        .filter(move |d| d.scope == scope && d.exists_in(era))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{parse_value, Era, Kind};
    use std::collections::BTreeSet;

    #[test]
    fn names_are_unique_per_scope() {
        let mut seen = BTreeSet::new();
        for d in REGISTRY {
            assert!(
                seen.insert((d.scope, d.name)),
                "duplicate {:?} {}",
                d.scope,
                d.name
            );
        }
    }

    #[test]
    fn every_default_parses_and_validates_in_both_eras() {
        for era in [Era::Kafka4, Era::ZooKeeper] {
            for d in REGISTRY.iter().filter(|d| d.exists_in(era)) {
                if let Some(v) = d.default_for(era).as_str() {
                    let parsed = parse_value(d, v, era, false);
                    assert!(
                        parsed.is_ok(),
                        "{} default {v:?} in {era:?}: {parsed:?}",
                        d.name
                    );
                    assert_eq!(parsed.ok().and_then(|p| p.relaxation), None);
                }
            }
        }
    }

    #[test]
    fn topic_synonyms_are_broker_configs() {
        for d in REGISTRY.iter().filter(|d| d.scope == Scope::Topic) {
            for s in d.synonyms {
                let b = find_in(Scope::Broker, s);
                assert!(b.is_some(), "{} synonym {s} missing", d.name);
                assert_eq!(b.map(|b| b.eras), Some(d.eras), "{} vs {s}", d.name);
            }
        }
    }

    #[test]
    fn kafka_4_exposes_its_33_topic_configs() {
        let names: BTreeSet<&str> = defs(Scope::Topic, Era::Kafka4).map(|d| d.name).collect();
        // The 33 topic configs of Kafka 4.0 (kafka-cli-formats.md §2.6).
        let expected = "compression.type, remote.log.delete.on.disable, leader.replication.throttled.replicas, remote.storage.enable, min.insync.replicas, segment.jitter.ms, remote.log.copy.disable, local.retention.ms, cleanup.policy, flush.ms, follower.replication.throttled.replicas, compression.lz4.level, segment.bytes, retention.ms, compression.gzip.level, flush.messages, compression.zstd.level, max.compaction.lag.ms, file.delete.delay.ms, max.message.bytes, min.compaction.lag.ms, message.timestamp.type, local.retention.bytes, preallocate, min.cleanable.dirty.ratio, index.interval.bytes, unclean.leader.election.enable, retention.bytes, delete.retention.ms, message.timestamp.after.max.ms, message.timestamp.before.max.ms, segment.ms, segment.index.bytes";
        let expected: BTreeSet<&str> = expected.split(", ").collect();
        assert_eq!(expected.len(), 33);
        assert_eq!(names, expected);
        assert!(find(
            Scope::Topic,
            "message.timestamp.difference.max.ms",
            Era::Kafka4
        )
        .is_none());
        assert_eq!(
            find(Scope::Topic, "min.cleanable.dirty.ratio", Era::Kafka4).map(|d| d.kind),
            Some(Kind::Double)
        );
    }
}
