//! Producer and consumer client configs (`ProducerConfig`, `ConsumerConfig`).
//!
//! Unknown names do not fail a client: like Kafka, they are reported as warnings
//! (`The configuration 'x' was supplied but isn't a known config.`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::resolve::{resolve, Resolved};
use super::{ConfigError, Era, Scope};

/// `acks`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Acks {
    Zero,
    One,
    /// `all` / `-1`.
    All,
}

impl Acks {
    /// The wire value (`ProduceRequest.acks`): 0, 1 or -1.
    pub fn as_i16(self) -> i16 {
        match self {
            Acks::Zero => 0,
            Acks::One => 1,
            Acks::All => -1,
        }
    }
}

/// `auto.offset.reset`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AutoOffsetReset {
    Earliest,
    Latest,
    None,
}

impl AutoOffsetReset {
    /// The config value.
    pub fn as_str(self) -> &'static str {
        match self {
            AutoOffsetReset::Earliest => "earliest",
            AutoOffsetReset::Latest => "latest",
            AutoOffsetReset::None => "none",
        }
    }
}

/// `isolation.level`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum IsolationLevel {
    ReadUncommitted,
    ReadCommitted,
}

/// `group.protocol`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum GroupProtocol {
    Classic,
    Consumer,
}

fn warnings(r: &Resolved) -> Vec<String> {
    r.unknown
        .iter()
        .map(|n| format!("The configuration '{n}' was supplied but isn't a known config."))
        .collect()
}

/// The `ConfigException` of `KafkaProducer.configureDeliveryTimeout`, which the producer's
/// constructor wraps (`KafkaException: Failed to construct kafka producer`), unlike the ones
/// `ProducerConfig` itself throws.
pub const DELIVERY_TIMEOUT_TOO_SHORT: &str =
    "delivery.timeout.ms should be equal to or larger than linger.ms + request.timeout.ms";

/// Typed producer settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProducerConfig {
    /// `client.id`; `None` = Kafka generates `producer-N`.
    pub client_id: Option<String>,
    pub acks: Acks,
    /// Effective idempotence after Kafka's post-processing (may be silently turned off).
    pub enable_idempotence: bool,
    pub batch_size: i32,
    pub linger_ms: i64,
    pub retries: i32,
    pub delivery_timeout_ms: i64,
    pub max_in_flight_requests_per_connection: i32,
    pub request_timeout_ms: i64,
    pub retry_backoff_ms: i64,
    pub retry_backoff_max_ms: i64,
    pub metadata_max_age_ms: i64,
    pub buffer_memory: i64,
    pub max_request_size: i32,
    pub max_block_ms: i64,
    pub compression_type: String,
    pub partitioner_class: Option<String>,
    /// `partitioner.class` is `RoundRobinPartitioner`.
    pub round_robin_partitioner: bool,
    pub partitioner_adaptive_partitioning_enable: bool,
    pub partitioner_availability_timeout_ms: i64,
    pub partitioner_ignore_keys: bool,
    pub transactional_id: Option<String>,
    pub transaction_timeout_ms: i64,
    /// Warnings for unknown names.
    pub warnings: Vec<String>,
}

impl ProducerConfig {
    /// The era's defaults plus `overrides`, with `ProducerConfig`'s idempotence rules: conflicting
    /// `acks`/`retries`/`max.in.flight` silently turn idempotence off unless the user set
    /// `enable.idempotence` explicitly, in which case they are a `ConfigException`.
    /// Same as [`ProducerConfig::build`].
    pub fn for_era(era: Era, overrides: &BTreeMap<String, String>) -> Result<Self, ConfigError> {
        Self::build(era, overrides)
    }

    pub fn build(era: Era, overrides: &BTreeMap<String, String>) -> Result<Self, ConfigError> {
        let r = resolve(Scope::Producer, era, overrides, true)?;
        let acks = match r.string("acks").as_deref() {
            Some("0") => Acks::Zero,
            Some("1") => Acks::One,
            _ => Acks::All,
        };
        let explicit = r.set.contains("enable.idempotence");
        let mut idempotence = r.bool("enable.idempotence");
        let retries = r.int("retries");
        let in_flight = r.int("max.in.flight.requests.per.connection");
        if idempotence {
            if retries == 0 {
                if explicit {
                    return Err(ConfigError::config_exception(
                        "Must set retries to non-zero when using the idempotent producer.",
                    ));
                }
                idempotence = false;
            }
            if acks != Acks::All {
                if explicit {
                    return Err(ConfigError::config_exception(
                        "Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.",
                    ));
                }
                idempotence = false;
            }
            if in_flight > 5 {
                if explicit {
                    return Err(ConfigError::config_exception(
                        "Must set max.in.flight.requests.per.connection to at most 5 to use the idempotent producer.",
                    ));
                }
                idempotence = false;
            }
        }
        let transactional_id = r.string("transactional.id");
        if transactional_id.is_some() && !idempotence {
            return Err(ConfigError::config_exception(
                "Cannot set a transactional.id without also enabling idempotence.",
            ));
        }
        // `KafkaProducer.configureDeliveryTimeout`: below linger.ms + request.timeout.ms, a
        // delivery timeout the user set fails the producer; the default is raised to that sum.
        let (linger_ms, request_timeout_ms) = (r.long("linger.ms"), r.long("request.timeout.ms"));
        let int_max = i64::from(i32::MAX);
        let floor = (linger_ms.min(int_max) + request_timeout_ms).min(int_max);
        let mut delivery_timeout_ms = r.long("delivery.timeout.ms");
        if delivery_timeout_ms < floor {
            if r.set.contains("delivery.timeout.ms") {
                return Err(ConfigError::config_exception(DELIVERY_TIMEOUT_TOO_SHORT));
            }
            delivery_timeout_ms = floor;
        }
        let partitioner_class = r.string("partitioner.class").filter(|s| !s.is_empty());
        Ok(ProducerConfig {
            client_id: r.string("client.id").filter(|s| !s.is_empty()),
            acks,
            enable_idempotence: idempotence,
            batch_size: r.int("batch.size"),
            linger_ms,
            retries,
            delivery_timeout_ms,
            max_in_flight_requests_per_connection: in_flight,
            request_timeout_ms,
            retry_backoff_ms: r.long("retry.backoff.ms"),
            retry_backoff_max_ms: r.long("retry.backoff.max.ms"),
            metadata_max_age_ms: r.long("metadata.max.age.ms"),
            buffer_memory: r.long("buffer.memory"),
            max_request_size: r.int("max.request.size"),
            max_block_ms: r.long("max.block.ms"),
            compression_type: r.string("compression.type").unwrap_or_default(),
            round_robin_partitioner: partitioner_class.as_deref()
                == Some(super::registry::ROUND_ROBIN_PARTITIONER),
            partitioner_class,
            partitioner_adaptive_partitioning_enable: r
                .bool("partitioner.adaptive.partitioning.enable"),
            partitioner_availability_timeout_ms: r.long("partitioner.availability.timeout.ms"),
            partitioner_ignore_keys: r.bool("partitioner.ignore.keys"),
            transactional_id,
            transaction_timeout_ms: r.long("transaction.timeout.ms"),
            warnings: warnings(&r),
        })
    }
}

/// Typed consumer settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumerConfig {
    /// `client.id`; `None` = Kafka generates `consumer-<group>-N`.
    pub client_id: Option<String>,
    pub group_id: Option<String>,
    pub group_instance_id: Option<String>,
    pub session_timeout_ms: i64,
    pub heartbeat_interval_ms: i64,
    pub max_poll_interval_ms: i64,
    pub max_poll_records: i32,
    pub request_timeout_ms: i64,
    pub default_api_timeout_ms: i64,
    pub enable_auto_commit: bool,
    pub auto_commit_interval_ms: i64,
    pub auto_offset_reset: AutoOffsetReset,
    /// Assignor class names in preference order.
    pub partition_assignment_strategy: Vec<String>,
    pub group_protocol: GroupProtocol,
    pub group_remote_assignor: Option<String>,
    pub isolation_level: IsolationLevel,
    pub fetch_min_bytes: i32,
    pub fetch_max_wait_ms: i64,
    pub max_partition_fetch_bytes: i32,
    pub fetch_max_bytes: i32,
    pub client_rack: String,
    pub metadata_max_age_ms: i64,
    /// Warnings for unknown names.
    pub warnings: Vec<String>,
}

impl ConsumerConfig {
    /// Same as [`ConsumerConfig::build`].
    pub fn for_era(era: Era, overrides: &BTreeMap<String, String>) -> Result<Self, ConfigError> {
        Self::build(era, overrides)
    }

    pub fn build(era: Era, overrides: &BTreeMap<String, String>) -> Result<Self, ConfigError> {
        let r = resolve(Scope::Consumer, era, overrides, true)?;
        Ok(ConsumerConfig {
            client_id: r.string("client.id").filter(|s| !s.is_empty()),
            group_id: r.string("group.id"),
            group_instance_id: r.string("group.instance.id"),
            session_timeout_ms: r.long("session.timeout.ms"),
            heartbeat_interval_ms: r.long("heartbeat.interval.ms"),
            max_poll_interval_ms: r.long("max.poll.interval.ms"),
            max_poll_records: r.int("max.poll.records"),
            request_timeout_ms: r.long("request.timeout.ms"),
            default_api_timeout_ms: r.long("default.api.timeout.ms"),
            enable_auto_commit: r.bool("enable.auto.commit"),
            auto_commit_interval_ms: r.long("auto.commit.interval.ms"),
            auto_offset_reset: match r.string("auto.offset.reset").as_deref() {
                Some("earliest") => AutoOffsetReset::Earliest,
                Some("none") => AutoOffsetReset::None,
                _ => AutoOffsetReset::Latest,
            },
            partition_assignment_strategy: r.list("partition.assignment.strategy"),
            group_protocol: match r.string("group.protocol") {
                Some(p) if p.eq_ignore_ascii_case("consumer") => GroupProtocol::Consumer,
                _ => GroupProtocol::Classic,
            },
            group_remote_assignor: r.string("group.remote.assignor"),
            isolation_level: match r.string("isolation.level").as_deref() {
                Some("read_committed") => IsolationLevel::ReadCommitted,
                _ => IsolationLevel::ReadUncommitted,
            },
            fetch_min_bytes: r.int("fetch.min.bytes"),
            fetch_max_wait_ms: r.long("fetch.max.wait.ms"),
            max_partition_fetch_bytes: r.int("max.partition.fetch.bytes"),
            fetch_max_bytes: r.int("fetch.max.bytes"),
            client_rack: r.string("client.rack").unwrap_or_default(),
            metadata_max_age_ms: r.long("metadata.max.age.ms"),
            warnings: warnings(&r),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::registry::{COOPERATIVE_STICKY_ASSIGNOR, RANGE_ASSIGNOR};

    fn props(kv: &[(&str, &str)]) -> BTreeMap<String, String> {
        kv.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn producer_defaults_per_era() {
        let p = ProducerConfig::build(Era::Kafka4, &BTreeMap::new()).unwrap();
        assert_eq!(p.acks, Acks::All);
        assert!(p.enable_idempotence);
        assert_eq!(p.batch_size, 16_384);
        assert_eq!(p.linger_ms, 5);
        assert_eq!((p.retries, p.delivery_timeout_ms), (i32::MAX, 120_000));
        assert_eq!(p.max_in_flight_requests_per_connection, 5);
        assert!(p.partitioner_adaptive_partitioning_enable);
        assert_eq!(p.partitioner_availability_timeout_ms, 0);
        assert!(!p.partitioner_ignore_keys);
        assert_eq!(p.transaction_timeout_ms, 60_000);
        assert_eq!(p.metadata_max_age_ms, 300_000);
        assert_eq!(
            (p.buffer_memory, p.max_request_size, p.max_block_ms),
            (33_554_432, 1_048_576, 60_000)
        );
        assert_eq!(
            (
                p.retry_backoff_ms,
                p.retry_backoff_max_ms,
                p.request_timeout_ms
            ),
            (100, 1000, 30_000)
        );
        assert_eq!(p.compression_type, "none");
        assert_eq!(p.partitioner_class, None);
        let zk = ProducerConfig::build(Era::ZooKeeper, &BTreeMap::new()).unwrap();
        assert_eq!(zk.acks, Acks::One);
        assert!(!zk.enable_idempotence);
        assert_eq!(zk.linger_ms, 0);
    }

    #[test]
    fn delivery_timeout_covers_linger_and_request_timeout() {
        let e = ProducerConfig::build(Era::Kafka4, &props(&[("delivery.timeout.ms", "30004")]))
            .unwrap_err();
        assert_eq!(e.message, DELIVERY_TIMEOUT_TOO_SHORT);
        let p = ProducerConfig::build(Era::Kafka4, &props(&[("delivery.timeout.ms", "30005")]))
            .unwrap();
        assert_eq!(p.delivery_timeout_ms, 30_005);
        // Not set: raised to linger.ms + request.timeout.ms.
        let p = ProducerConfig::build(Era::Kafka4, &props(&[("request.timeout.ms", "200000")]))
            .unwrap();
        assert_eq!(p.delivery_timeout_ms, 200_005);
    }

    #[test]
    fn idempotence_rules() {
        // Implicit idempotence is silently dropped by a conflicting setting.
        let p = ProducerConfig::build(Era::Kafka4, &props(&[("acks", "1")])).unwrap();
        assert!(!p.enable_idempotence);
        let e = ProducerConfig::build(
            Era::Kafka4,
            &props(&[("acks", "1"), ("enable.idempotence", "true")]),
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence."
        );
        let e = ProducerConfig::build(
            Era::Kafka4,
            &props(&[
                ("max.in.flight.requests.per.connection", "6"),
                ("enable.idempotence", "true"),
            ]),
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "Must set max.in.flight.requests.per.connection to at most 5 to use the idempotent producer."
        );
        let e = ProducerConfig::build(Era::ZooKeeper, &props(&[("transactional.id", "tx")]))
            .unwrap_err();
        assert_eq!(
            e.message,
            "Cannot set a transactional.id without also enabling idempotence."
        );
        let ok = ProducerConfig::for_era(
            Era::Kafka4,
            &props(&[
                ("transactional.id", "tx"),
                ("client.id", "p1"),
                (
                    "partitioner.class",
                    "org.apache.kafka.clients.producer.RoundRobinPartitioner",
                ),
            ]),
        )
        .unwrap();
        assert_eq!(ok.client_id.as_deref(), Some("p1"));
        assert!(ok.round_robin_partitioner);
        assert_eq!(ok.acks.as_i16(), -1);
        assert_eq!(ok.transactional_id.as_deref(), Some("tx"));
    }

    #[test]
    fn producer_validation_and_unknowns() {
        let e = ProducerConfig::build(Era::Kafka4, &props(&[("acks", "2")])).unwrap_err();
        assert_eq!(
            e.message,
            "Invalid value 2 for configuration acks: String must be one of: all, -1, 0, 1"
        );
        let e = ProducerConfig::build(Era::Kafka4, &props(&[("linger.ms", "-1")])).unwrap_err();
        assert_eq!(
            e.message,
            "Invalid value -1 for configuration linger.ms: Value must be at least 0"
        );
        let p = ProducerConfig::build(Era::Kafka4, &props(&[("lingr.ms", "3")])).unwrap();
        assert_eq!(
            p.warnings,
            vec!["The configuration 'lingr.ms' was supplied but isn't a known config."]
        );
        let e = ProducerConfig::build(
            Era::Kafka4,
            &props(&[("partitioner.class", "org.example.Mine")]),
        )
        .unwrap_err();
        assert!(e.message.starts_with(
            "Invalid value org.example.Mine for configuration partitioner.class: Class org.example.Mine could not be found."
        ));
    }

    #[test]
    fn consumer_defaults_per_era() {
        let c = ConsumerConfig::build(Era::Kafka4, &BTreeMap::new()).unwrap();
        assert_eq!(c.session_timeout_ms, 45_000);
        assert_eq!(c.heartbeat_interval_ms, 3000);
        assert_eq!(c.max_poll_interval_ms, 300_000);
        assert_eq!(c.max_poll_records, 500);
        assert!(c.enable_auto_commit);
        assert_eq!(c.auto_commit_interval_ms, 5000);
        assert_eq!(c.metadata_max_age_ms, 300_000);
        assert_eq!(c.auto_offset_reset, AutoOffsetReset::Latest);
        assert_eq!(
            c.partition_assignment_strategy,
            vec![RANGE_ASSIGNOR, COOPERATIVE_STICKY_ASSIGNOR]
        );
        assert_eq!(c.group_protocol, GroupProtocol::Classic);
        assert_eq!(c.isolation_level, IsolationLevel::ReadUncommitted);
        assert_eq!(
            (
                c.fetch_min_bytes,
                c.fetch_max_wait_ms,
                c.max_partition_fetch_bytes,
                c.fetch_max_bytes
            ),
            (1, 500, 1_048_576, 52_428_800)
        );
        assert_eq!(c.group_id, None);
        let zk = ConsumerConfig::build(Era::ZooKeeper, &BTreeMap::new()).unwrap();
        assert_eq!(zk.session_timeout_ms, 10_000);
        assert_eq!(zk.partition_assignment_strategy, vec![RANGE_ASSIGNOR]);
    }

    #[test]
    fn consumer_validation() {
        let c = ConsumerConfig::build(
            Era::Kafka4,
            &props(&[
                ("group.protocol", "Consumer"),
                ("auto.offset.reset", "earliest"),
                ("group.id", "g"),
            ]),
        )
        .unwrap();
        assert_eq!(c.group_protocol, GroupProtocol::Consumer);
        assert_eq!(c.auto_offset_reset, AutoOffsetReset::Earliest);
        assert_eq!(c.group_id.as_deref(), Some("g"));
        let e =
            ConsumerConfig::build(Era::Kafka4, &props(&[("group.protocol", "new")])).unwrap_err();
        assert_eq!(
            e.message,
            "Invalid value new for configuration group.protocol: String must be one of (case insensitive): CLASSIC, CONSUMER"
        );
        let e = ConsumerConfig::build(Era::Kafka4, &props(&[("auto.offset.reset", "smallest")]))
            .unwrap_err();
        assert_eq!(
            e.message,
            "Invalid value smallest for configuration auto.offset.reset: String must be one of: latest, earliest, none"
        );
        let e =
            ConsumerConfig::build(Era::Kafka4, &props(&[("max.poll.records", "0")])).unwrap_err();
        assert_eq!(
            e.message,
            "Invalid value 0 for configuration max.poll.records: Value must be at least 1"
        );
    }
}
