//! Kafka configs: names, types, defaults, valid values and validation for the broker, topic,
//! producer, consumer and group-coordinator settings the playground supports (kafka-spec.md §8).
//!
//! * [`registry`] is the table of [`ConfigDef`]s, one per Kafka config name.
//! * [`value`] parses and validates one value the way Kafka's `ConfigDef` does, with Kafka's
//!   `ConfigException` texts (`Invalid value X for configuration NAME: REASON`).
//! * [`BrokerConfig`], [`TopicConfig`], [`ProducerConfig`], [`ConsumerConfig`] are the typed
//!   results the engine reads: the era's defaults plus string overrides.
//!
//! # Eras
//! [`Era::Kafka4`] (default) is Apache Kafka 4.0 (KRaft). [`Era::ZooKeeper`] is a teaching
//! snapshot of the ZooKeeper years, roughly Kafka 2.x; where a default changed inside 2.x the
//! choice is listed here (each also in the config's `notes`):
//! * `acks=1`, `enable.idempotence=false` (both changed in 3.0);
//! * `linger.ms=0` (5 from 4.0, KIP-1030);
//! * `offsets.retention.minutes=1440`: one day, the pre-2.0 value (KIP-186 raised it to 7 days in
//!   2.0) — kept because "offsets vanish after a day" is the classic ZooKeeper-era lesson;
//! * `partition.assignment.strategy=[RangeAssignor]` (CooperativeSticky added to the default in 3.0);
//! * `replica.lag.time.max.ms=10000` (30000 from 2.5, KIP-537);
//! * `session.timeout.ms=10000` (45000 from 3.0, KIP-735);
//! * `group.max.session.timeout.ms=300000` (1800000 from 2.3);
//! * `message.timestamp.difference.max.ms` instead of `message.timestamp.after/before.max.ms`
//!   (3.6 / removed in 4.0), `num.recovery.threads.per.data.dir=1`;
//! * `segment.bytes` / `log.segment.bytes` minimum 14 bytes (1 MiB from 4.0, KIP-1030);
//! * `retries=2147483647` (2.1+, KIP-91), `unclean.leader.election.enable=false` (0.11+);
//! * KRaft-only settings (`broker.heartbeat.interval.ms`, `controller.quorum.*`,
//!   `unclean.leader.election.interval.ms`, `group.consumer.*`, remote storage, compression
//!   levels) are unknown in this era.
//!
//! # Playground relaxations
//! Validation follows Kafka. With `relaxed = true` (the playground default) a value below
//! Kafka's minimum but at or above the config's `relaxed_min` is accepted and reported as a
//! [`Relaxation`] so views can label it. Today that is `segment.bytes` / `log.segment.bytes`:
//! Kafka 4.0 requires at least 1 MiB (KIP-1030); the playground allows down to 14 bytes (the
//! pre-4.0 minimum) so segments roll after a handful of records.

pub mod broker;
pub mod client;
pub mod registry;
pub mod resolve;
pub mod topic;
pub mod value;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use broker::BrokerConfig;
pub use client::{Acks, AutoOffsetReset, GroupProtocol, IsolationLevel};
pub use client::{ConsumerConfig, ProducerConfig};
pub use registry::{find, find_in, REGISTRY};
pub use topic::{CleanupPolicy, TimestampType, TopicConfig};
pub use value::{parse_value, ConfigValue, Parsed, Ratio};

/// Which Kafka defaults apply.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub enum Era {
    /// Apache Kafka 4.0, KRaft.
    #[default]
    Kafka4,
    /// The ZooKeeper era, roughly Kafka 2.x (see the module docs for the exact choices).
    ZooKeeper,
}

/// Where a config lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Scope {
    /// `server.properties` / `kafka-configs --entity-type brokers`.
    Broker,
    /// Per-topic overrides (`kafka-topics --config`, `kafka-configs --entity-type topics`).
    Topic,
    Producer,
    Consumer,
    /// Group and transaction coordinator settings (broker-side, `GroupCoordinatorConfig`, ...).
    Group,
}

/// Kafka's `ConfigDef.Type` (the subset used here).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    Bool,
    Short,
    Int,
    Long,
    /// A Java double; parsed to an exact decimal and kept as permille (see [`Ratio`]).
    Double,
    String,
    List,
    /// A class name (`CLASS`), or a list of them when the config is a `LIST` of classes.
    Class,
}

impl Kind {
    /// The name Kafka prints in `Not a number of type X`.
    pub fn java_name(self) -> &'static str {
        match self {
            Kind::Bool => "BOOLEAN",
            Kind::Short => "SHORT",
            Kind::Int => "INT",
            Kind::Long => "LONG",
            Kind::Double => "DOUBLE",
            Kind::String => "STRING",
            Kind::List => "LIST",
            Kind::Class => "CLASS",
        }
    }
}

/// Kafka's validators (`ConfigDef.Range`, `ValidString`, `ValidList`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Validator {
    None,
    /// `Range.atLeast(min)`.
    AtLeast(i64),
    /// `Range.between(min, max)`.
    Between(i64, i64),
    /// `ValidString.in(...)`.
    OneOf(&'static [&'static str]),
    /// `CaseInsensitiveValidString.in(...)`; values listed upper-case, as Kafka prints them.
    OneOfCaseInsensitive(&'static [&'static str]),
    /// `ValidList.in(...)`: every element must be one of these.
    ListOf(&'static [&'static str]),
    /// Class names the playground can load (an unknown class fails like `Class.forName`).
    Classes(&'static [&'static str]),
    /// `ThrottledReplicaListValidator`: empty, `*`, or `partition:broker` pairs.
    ThrottledReplicas,
    /// gzip level: 1..=9 or -1.
    GzipLevel,
}

/// The default of a config: a value in Kafka's string form, or `null`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefaultValue {
    Null,
    Value(&'static str),
}

impl DefaultValue {
    pub fn as_str(self) -> Option<&'static str> {
        match self {
            DefaultValue::Null => None,
            DefaultValue::Value(s) => Some(s),
        }
    }
}

/// Eras a config exists in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Eras {
    Both,
    Kafka4Only,
    ZooKeeperOnly,
}

/// One Kafka config: its name, type, default, valid values and documentation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConfigDef {
    pub name: &'static str,
    pub scope: Scope,
    pub kind: Kind,
    /// Kafka 4.0's default.
    pub default: DefaultValue,
    /// The ZooKeeper era's default where it differs.
    pub zk_default: Option<DefaultValue>,
    pub valid: Validator,
    /// The ZooKeeper era's validator where it differs.
    pub zk_valid: Option<Validator>,
    /// The playground's lower bound when `relaxed` (below Kafka's own minimum).
    pub relaxed_min: Option<i64>,
    /// For topic configs: the broker configs that supply the default, primary first.
    pub synonyms: &'static [&'static str],
    pub eras: Eras,
    /// A one-line summary of Kafka's documentation.
    pub doc: &'static str,
    /// History and playground notes ("linger.ms 0 up to 3.9", ...).
    pub notes: &'static str,
}

impl ConfigDef {
    /// A config with a non-null default and no era differences.
    pub const fn new(
        name: &'static str,
        scope: Scope,
        kind: Kind,
        default: &'static str,
        valid: Validator,
        doc: &'static str,
    ) -> ConfigDef {
        ConfigDef {
            name,
            scope,
            kind,
            default: DefaultValue::Value(default),
            zk_default: None,
            valid,
            zk_valid: None,
            relaxed_min: None,
            synonyms: &[],
            eras: Eras::Both,
            doc,
            notes: "",
        }
    }

    /// The default is `null` (unset).
    pub const fn null_default(mut self) -> ConfigDef {
        self.default = DefaultValue::Null;
        self
    }

    pub const fn zk(mut self, default: &'static str) -> ConfigDef {
        self.zk_default = Some(DefaultValue::Value(default));
        self
    }

    pub const fn zk_valid(mut self, valid: Validator) -> ConfigDef {
        self.zk_valid = Some(valid);
        self
    }

    pub const fn relaxed_min(mut self, min: i64) -> ConfigDef {
        self.relaxed_min = Some(min);
        self
    }

    pub const fn synonyms(mut self, synonyms: &'static [&'static str]) -> ConfigDef {
        self.synonyms = synonyms;
        self
    }

    pub const fn kafka4_only(mut self) -> ConfigDef {
        self.eras = Eras::Kafka4Only;
        self
    }

    pub const fn zookeeper_only(mut self) -> ConfigDef {
        self.eras = Eras::ZooKeeperOnly;
        self
    }

    pub const fn notes(mut self, notes: &'static str) -> ConfigDef {
        self.notes = notes;
        self
    }

    /// The default in `era`.
    pub fn default_for(&self, era: Era) -> DefaultValue {
        match era {
            Era::Kafka4 => self.default,
            Era::ZooKeeper => self.zk_default.unwrap_or(self.default),
        }
    }

    /// The validator in `era`.
    pub fn valid_for(&self, era: Era) -> Validator {
        match era {
            Era::Kafka4 => self.valid,
            Era::ZooKeeper => self.zk_valid.unwrap_or(self.valid),
        }
    }

    /// Whether the config exists in `era`.
    pub fn exists_in(&self, era: Era) -> bool {
        match self.eras {
            Eras::Both => true,
            Eras::Kafka4Only => era == Era::Kafka4,
            Eras::ZooKeeperOnly => era == Era::ZooKeeper,
        }
    }
}

/// Where a config's effective value comes from (`ConfigEntry.ConfigSource`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ConfigSource {
    DynamicTopicConfig,
    DynamicBrokerConfig,
    DynamicDefaultBrokerConfig,
    StaticBrokerConfig,
    DefaultConfig,
}

impl ConfigSource {
    /// Kafka's name, as `kafka-configs --describe` prints it.
    pub fn name(self) -> &'static str {
        match self {
            ConfigSource::DynamicTopicConfig => "DYNAMIC_TOPIC_CONFIG",
            ConfigSource::DynamicBrokerConfig => "DYNAMIC_BROKER_CONFIG",
            ConfigSource::DynamicDefaultBrokerConfig => "DYNAMIC_DEFAULT_BROKER_CONFIG",
            ConfigSource::StaticBrokerConfig => "STATIC_BROKER_CONFIG",
            ConfigSource::DefaultConfig => "DEFAULT_CONFIG",
        }
    }
}

impl fmt::Display for ConfigSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A lower value than Kafka allows, accepted because the playground relaxes it for teaching.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relaxation {
    pub name: String,
    pub value: i64,
    /// The smallest value real Kafka accepts.
    pub kafka_min: i64,
}

impl fmt::Display for Relaxation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "playground relaxation: {}={} is below Kafka's minimum of {}",
            self.name, self.value, self.kafka_min
        )
    }
}

/// Which Kafka exception a config failure is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConfigErrorKind {
    /// `ConfigException`: a value that does not parse or validate.
    ConfigException,
    /// `InvalidConfigurationException`: unknown topic config, conflicting settings.
    InvalidConfiguration,
}

/// A config failure carrying Kafka's message. On the wire both kinds are `INVALID_CONFIG`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigError {
    pub kind: ConfigErrorKind,
    pub message: String,
}

impl ConfigError {
    /// `new ConfigException(name, value, reason)`.
    pub fn invalid_value(name: &str, value: &str, reason: impl fmt::Display) -> ConfigError {
        ConfigError {
            kind: ConfigErrorKind::ConfigException,
            message: format!("Invalid value {value} for configuration {name}: {reason}"),
        }
    }

    /// `new ConfigException(message)`.
    pub fn config_exception(message: impl Into<String>) -> ConfigError {
        ConfigError {
            kind: ConfigErrorKind::ConfigException,
            message: message.into(),
        }
    }

    /// `new InvalidConfigurationException(message)`.
    pub fn invalid_configuration(message: impl Into<String>) -> ConfigError {
        ConfigError {
            kind: ConfigErrorKind::InvalidConfiguration,
            message: message.into(),
        }
    }

    /// The protocol error name.
    pub fn error_name(&self) -> &'static str {
        "INVALID_CONFIG"
    }

    /// The Java exception's class name.
    pub fn exception_name(&self) -> &'static str {
        match self.kind {
            ConfigErrorKind::ConfigException => "org.apache.kafka.common.config.ConfigException",
            ConfigErrorKind::InvalidConfiguration => {
                "org.apache.kafka.common.errors.InvalidConfigurationException"
            }
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

/// One line of `kafka-configs --describe [--all]`: value, source and synonyms.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigEntry {
    pub name: String,
    /// `None` for a `null` value.
    pub value: Option<String>,
    pub source: ConfigSource,
    pub sensitive: bool,
    pub read_only: bool,
    /// Highest precedence first, as Kafka lists them.
    pub synonyms: Vec<ConfigSynonym>,
    /// Set when the value is a playground relaxation.
    pub relaxation: Option<Relaxation>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigSynonym {
    pub name: String,
    pub value: Option<String>,
    pub source: ConfigSource,
}
