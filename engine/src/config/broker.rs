//! Broker configs (`server.properties` plus cluster-wide dynamic defaults), including the group
//! and transaction coordinator settings, and the broker side of each topic config's default.

use std::collections::BTreeMap;

use super::registry::{defs, find_in};
use super::resolve::{default_value, resolve, Resolved};
use super::{
    ConfigDef, ConfigEntry, ConfigError, ConfigSource, ConfigSynonym, ConfigValue, Era, Relaxation,
    Scope,
};
use crate::ordered::CollectOrdered;

/// Typed broker settings: the era's defaults, then static properties, then dynamic
/// cluster-wide defaults (`kafka-configs --entity-type brokers --entity-default`).
///
/// Unknown names are refused (real Kafka only logs a warning for `server.properties`), so a
/// typo in a scenario is reported instead of silently ignored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokerConfig {
    pub era: Era,
    /// Accept playground relaxations (tiny segments); see the module docs.
    pub relaxed: bool,
    static_props: BTreeMap<String, String>,
    dynamic_defaults: BTreeMap<String, String>,
    /// Every broker and group config with its effective value.
    resolved: Resolved,
    /// Where each value came from.
    sources: BTreeMap<&'static str, ConfigSource>,

    pub num_partitions: i32,
    pub default_replication_factor: i32,
    pub min_insync_replicas: i32,
    pub unclean_leader_election_enable: bool,
    pub unclean_leader_election_interval_ms: i64,
    pub replica_lag_time_max_ms: i64,
    pub replica_fetch_wait_max_ms: i64,
    pub replica_fetch_min_bytes: i32,
    pub replica_fetch_max_bytes: i32,
    pub replica_fetch_response_max_bytes: i32,
    pub replica_high_watermark_checkpoint_interval_ms: i64,
    pub auto_leader_rebalance_enable: bool,
    pub leader_imbalance_check_interval_seconds: i64,
    pub leader_imbalance_per_broker_percentage: i32,
    pub auto_create_topics_enable: bool,
    pub broker_heartbeat_interval_ms: i64,
    pub broker_session_timeout_ms: i64,
    pub controller_quorum_election_timeout_ms: i64,
    pub controller_quorum_fetch_timeout_ms: i64,
    pub zookeeper_session_timeout_ms: i64,
    pub replica_socket_timeout_ms: i64,
    pub log_retention_check_interval_ms: i64,
    pub log_initial_task_delay_ms: i64,
    pub log_cleaner_enable: bool,
    pub log_cleaner_threads: i32,
    pub log_cleaner_backoff_ms: i64,
    pub offsets_topic_num_partitions: i32,
    pub offsets_topic_replication_factor: i32,
    pub offsets_retention_minutes: i64,
    /// `offsets.retention.minutes` in milliseconds.
    pub offsets_retention_ms: i64,
    /// KIP-211 (2.1+): an empty group's offsets expire retention after it emptied, not after
    /// each commit. Off in the ZooKeeper era, whose 1-day retention is the pre-2.0 setting.
    pub offsets_expire_from_empty: bool,
    pub offsets_retention_check_interval_ms: i64,
    pub group_initial_rebalance_delay_ms: i64,
    pub group_min_session_timeout_ms: i64,
    pub group_max_session_timeout_ms: i64,
    pub group_consumer_heartbeat_interval_ms: i64,
    pub group_consumer_session_timeout_ms: i64,
    pub group_consumer_assignors: Vec<String>,
    pub transaction_state_log_num_partitions: i32,
    pub transaction_state_log_replication_factor: i32,
    pub transaction_state_log_min_isr: i32,
    pub transaction_max_timeout_ms: i64,
    pub transactional_id_expiration_ms: i64,
    pub producer_id_expiration_ms: i64,
}

/// The broker properties Kafka 4.0's stock `config/server.properties` sets that the playground
/// models. `log.segment.bytes` is why every topic's describe shows `segment.bytes=1073741824`.
pub const STOCK_SERVER_PROPERTIES: &[(&str, &str)] = &[
    ("num.partitions", "1"),
    ("num.recovery.threads.per.data.dir", "1"),
    ("offsets.topic.replication.factor", "1"),
    ("transaction.state.log.replication.factor", "1"),
    ("transaction.state.log.min.isr", "1"),
    ("log.retention.hours", "168"),
    ("log.segment.bytes", "1073741824"),
    ("log.retention.check.interval.ms", "300000"),
];

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 3_600_000;

impl BrokerConfig {
    /// The era's defaults plus `server.properties`-style overrides, playground relaxations on.
    pub fn for_era(era: Era, overrides: &BTreeMap<String, String>) -> Result<Self, ConfigError> {
        Self::build(era, overrides, &BTreeMap::new(), true)
    }

    /// Full form: static properties, then dynamic cluster-wide defaults on top.
    pub fn build(
        era: Era,
        static_props: &BTreeMap<String, String>,
        dynamic_defaults: &BTreeMap<String, String>,
        relaxed: bool,
    ) -> Result<Self, ConfigError> {
        let mut merged = static_props.clone();
        merged.extend(dynamic_defaults.iter().map(|(k, v)| (k.clone(), v.clone())));
        let broker = resolve(Scope::Broker, era, &merged, relaxed)?;
        let group = resolve(Scope::Group, era, &merged, relaxed)?;
        if let Some(name) = broker
            .unknown
            .iter()
            .find(|n| !group.values.contains_key(n.as_str()))
        {
            return Err(ConfigError::invalid_configuration(unknown_broker_message(
                name, era,
            )));
        }
        let mut resolved = broker;
        resolved.values.extend(group.values);
        resolved.set.extend(group.set);
        resolved.relaxations.extend(group.relaxations);
        resolved.unknown.clear();
        let sources = resolved
            .values
            .keys()
            .map(|&name| {
                let source = if dynamic_defaults.contains_key(name) {
                    ConfigSource::DynamicDefaultBrokerConfig
                } else if static_props.contains_key(name) {
                    ConfigSource::StaticBrokerConfig
                } else {
                    ConfigSource::DefaultConfig
                };
                (name, source)
            })
            .collect_map();
        let r = &resolved;
        // KRaft-only settings keep their 4.x value in the ZooKeeper era so engine code that
        // reads them never sees a zero.
        let long_or = |name: &str| match r.value(name) {
            ConfigValue::Null => default_value(scope_of(name), name, Era::Kafka4)
                .as_i64()
                .unwrap_or(0),
            v => v.as_i64().unwrap_or(0),
        };
        Ok(BrokerConfig {
            era,
            relaxed,
            static_props: static_props.clone(),
            dynamic_defaults: dynamic_defaults.clone(),
            num_partitions: r.int("num.partitions"),
            default_replication_factor: r.int("default.replication.factor"),
            min_insync_replicas: r.int("min.insync.replicas"),
            unclean_leader_election_enable: r.bool("unclean.leader.election.enable"),
            unclean_leader_election_interval_ms: long_or("unclean.leader.election.interval.ms"),
            replica_lag_time_max_ms: r.long("replica.lag.time.max.ms"),
            replica_fetch_wait_max_ms: r.long("replica.fetch.wait.max.ms"),
            replica_fetch_min_bytes: r.int("replica.fetch.min.bytes"),
            replica_fetch_max_bytes: r.int("replica.fetch.max.bytes"),
            replica_fetch_response_max_bytes: r.int("replica.fetch.response.max.bytes"),
            replica_high_watermark_checkpoint_interval_ms: r
                .long("replica.high.watermark.checkpoint.interval.ms"),
            auto_leader_rebalance_enable: r.bool("auto.leader.rebalance.enable"),
            leader_imbalance_check_interval_seconds: r
                .long("leader.imbalance.check.interval.seconds"),
            leader_imbalance_per_broker_percentage: r.int("leader.imbalance.per.broker.percentage"),
            auto_create_topics_enable: r.bool("auto.create.topics.enable"),
            broker_heartbeat_interval_ms: long_or("broker.heartbeat.interval.ms"),
            broker_session_timeout_ms: long_or("broker.session.timeout.ms"),
            controller_quorum_election_timeout_ms: long_or("controller.quorum.election.timeout.ms"),
            controller_quorum_fetch_timeout_ms: long_or("controller.quorum.fetch.timeout.ms"),
            zookeeper_session_timeout_ms: long_or("zookeeper.session.timeout.ms"),
            replica_socket_timeout_ms: r.long("replica.socket.timeout.ms"),
            log_retention_check_interval_ms: r.long("log.retention.check.interval.ms"),
            log_initial_task_delay_ms: r.long("log.initial.task.delay.ms"),
            log_cleaner_enable: r.bool("log.cleaner.enable"),
            log_cleaner_threads: r.int("log.cleaner.threads"),
            log_cleaner_backoff_ms: r.long("log.cleaner.backoff.ms"),
            offsets_topic_num_partitions: r.int("offsets.topic.num.partitions"),
            offsets_topic_replication_factor: r.int("offsets.topic.replication.factor"),
            offsets_retention_minutes: r.long("offsets.retention.minutes"),
            offsets_retention_ms: r
                .long("offsets.retention.minutes")
                .saturating_mul(MINUTE_MS),
            offsets_expire_from_empty: era == Era::Kafka4,
            offsets_retention_check_interval_ms: r.long("offsets.retention.check.interval.ms"),
            group_initial_rebalance_delay_ms: r.long("group.initial.rebalance.delay.ms"),
            group_min_session_timeout_ms: r.long("group.min.session.timeout.ms"),
            group_max_session_timeout_ms: r.long("group.max.session.timeout.ms"),
            group_consumer_heartbeat_interval_ms: long_or("group.consumer.heartbeat.interval.ms"),
            group_consumer_session_timeout_ms: long_or("group.consumer.session.timeout.ms"),
            group_consumer_assignors: match r.value("group.consumer.assignors") {
                ConfigValue::Null => vec!["uniform".into(), "range".into()],
                _ => r.list("group.consumer.assignors"),
            },
            transaction_state_log_num_partitions: r.int("transaction.state.log.num.partitions"),
            transaction_state_log_replication_factor: r
                .int("transaction.state.log.replication.factor"),
            transaction_state_log_min_isr: r.int("transaction.state.log.min.isr"),
            transaction_max_timeout_ms: r.long("transaction.max.timeout.ms"),
            transactional_id_expiration_ms: r.long("transactional.id.expiration.ms"),
            producer_id_expiration_ms: long_or("producer.id.expiration.ms"),
            sources,
            resolved,
        })
    }

    /// Kafka 4.0's stock `server.properties` (see [`STOCK_SERVER_PROPERTIES`]).
    pub fn stock_server_properties() -> BTreeMap<String, String> {
        STOCK_SERVER_PROPERTIES
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect_map()
    }

    /// Values below Kafka's minimum accepted as playground relaxations.
    pub fn relaxations(&self) -> &[Relaxation] {
        &self.resolved.relaxations
    }

    /// The effective value of a broker or group config.
    pub fn value(&self, name: &str) -> Option<&ConfigValue> {
        self.resolved.values.get(name)
    }

    /// `kafka-configs --describe --entity-type brokers [--all]`: every broker config (or only
    /// the non-default ones), sorted by name.
    pub fn describe(&self, all: bool) -> Vec<ConfigEntry> {
        self.resolved
            .values
            .iter()
            .filter_map(|(&name, value)| {
                let source = self
                    .sources
                    .get(name)
                    .copied()
                    .unwrap_or(ConfigSource::DefaultConfig);
                if !all && source == ConfigSource::DefaultConfig {
                    return None;
                }
                let mut synonyms = Vec::new();
                if let Some(v) = self.dynamic_defaults.get(name) {
                    synonyms.push(synonym(
                        name,
                        Some(v.clone()),
                        ConfigSource::DynamicDefaultBrokerConfig,
                    ));
                }
                if let Some(v) = self.static_props.get(name) {
                    synonyms.push(synonym(
                        name,
                        Some(v.clone()),
                        ConfigSource::StaticBrokerConfig,
                    ));
                }
                let default = default_value(scope_of(name), name, self.era);
                if default != ConfigValue::Null {
                    synonyms.push(synonym(name, default.render(), ConfigSource::DefaultConfig));
                }
                Some(ConfigEntry {
                    name: name.to_string(),
                    value: value.render(),
                    source,
                    sensitive: false,
                    read_only: source == ConfigSource::StaticBrokerConfig,
                    synonyms,
                    relaxation: self
                        .resolved
                        .relaxations
                        .iter()
                        .find(|r| r.name == name)
                        .cloned(),
                })
            })
            .collect()
    }

    /// The broker-side default of a topic config: its value, source and synonym chain, following
    /// Kafka's precedence (`log.retention.ms` over `.minutes` over `.hours`, dynamic over static
    /// over default). As `kafka-topics --describe` shows, only the primary synonym makes the
    /// source `STATIC_BROKER_CONFIG`/`DYNAMIC_DEFAULT_BROKER_CONFIG`; a value that comes from a
    /// secondary one (`log.retention.hours=168`) still reports `DEFAULT_CONFIG`.
    pub fn topic_default(
        &self,
        topic_def: &ConfigDef,
    ) -> (ConfigValue, ConfigSource, Vec<ConfigSynonym>) {
        let mut synonyms = Vec::new();
        let mut winner: Option<(ConfigValue, ConfigSource)> = None;
        for (i, &syn) in topic_def.synonyms.iter().enumerate() {
            let layers = [
                (
                    self.dynamic_defaults.get(syn),
                    ConfigSource::DynamicDefaultBrokerConfig,
                ),
                (self.static_props.get(syn), ConfigSource::StaticBrokerConfig),
            ];
            for (raw, source) in layers {
                if raw.is_some() {
                    let value = self.resolved.value(syn).clone();
                    synonyms.push(synonym(syn, value.render(), source));
                    if winner.is_none() {
                        let source = if i == 0 {
                            source
                        } else {
                            ConfigSource::DefaultConfig
                        };
                        winner = Some((to_topic_units(topic_def.name, syn, &value), source));
                    }
                }
            }
        }
        for &syn in topic_def.synonyms {
            let default = default_value(Scope::Broker, syn, self.era);
            if default != ConfigValue::Null {
                synonyms.push(synonym(syn, default.render(), ConfigSource::DefaultConfig));
                if winner.is_none() {
                    winner = Some((
                        to_topic_units(topic_def.name, syn, &default),
                        ConfigSource::DefaultConfig,
                    ));
                }
            }
        }
        let (value, source) = winner.unwrap_or_else(|| {
            (
                default_value(Scope::Topic, topic_def.name, self.era),
                ConfigSource::DefaultConfig,
            )
        });
        (value, source, synonyms)
    }
}

fn synonym(name: &str, value: Option<String>, source: ConfigSource) -> ConfigSynonym {
    ConfigSynonym {
        name: name.to_string(),
        value,
        source,
    }
}

/// Broker or group scope for a broker-level name.
fn scope_of(name: &str) -> Scope {
    if find_in(Scope::Broker, name).is_some() {
        Scope::Broker
    } else {
        Scope::Group
    }
}

/// Converts `log.retention.hours=168`-style values to the topic config's unit and type.
fn to_topic_units(topic_name: &str, broker_name: &str, value: &ConfigValue) -> ConfigValue {
    let factor = if broker_name.ends_with(".hours") {
        HOUR_MS
    } else if broker_name.ends_with(".minutes") {
        MINUTE_MS
    } else {
        1
    };
    match (value, find_in(Scope::Topic, topic_name).map(|d| d.kind)) {
        (ConfigValue::Int(i), Some(super::Kind::Long)) => {
            ConfigValue::Long(i64::from(*i).saturating_mul(factor))
        }
        (ConfigValue::Long(l), _) if factor != 1 => ConfigValue::Long(l.saturating_mul(factor)),
        (v, _) => v.clone(),
    }
}

fn unknown_broker_message(name: &str, era: Era) -> String {
    let other = match era {
        Era::Kafka4 => Era::ZooKeeper,
        Era::ZooKeeper => Era::Kafka4,
    };
    let exists_elsewhere = defs(Scope::Broker, other)
        .chain(defs(Scope::Group, other))
        .any(|d| d.name == name);
    if exists_elsewhere {
        let era_name = match era {
            Era::Kafka4 => "Kafka 4.x",
            Era::ZooKeeper => "the ZooKeeper era",
        };
        format!("Unknown broker config name: {name} (it does not exist in {era_name})")
    } else {
        format!("Unknown broker config name: {name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(kv: &[(&str, &str)]) -> BTreeMap<String, String> {
        kv.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn kafka4_defaults_match_the_spec_table() {
        let b = BrokerConfig::for_era(Era::Kafka4, &BTreeMap::new()).unwrap();
        assert_eq!(b.num_partitions, 1);
        assert_eq!(b.default_replication_factor, 1);
        assert_eq!(b.min_insync_replicas, 1);
        assert!(!b.unclean_leader_election_enable);
        assert_eq!(b.unclean_leader_election_interval_ms, 300_000);
        assert_eq!(b.replica_lag_time_max_ms, 30_000);
        assert_eq!(b.replica_high_watermark_checkpoint_interval_ms, 5_000);
        assert!(b.auto_leader_rebalance_enable);
        assert_eq!(b.leader_imbalance_check_interval_seconds, 300);
        assert_eq!(b.leader_imbalance_per_broker_percentage, 10);
        assert!(b.auto_create_topics_enable);
        assert_eq!(
            (b.broker_heartbeat_interval_ms, b.broker_session_timeout_ms),
            (2000, 9000)
        );
        assert_eq!(
            (
                b.controller_quorum_election_timeout_ms,
                b.controller_quorum_fetch_timeout_ms
            ),
            (1000, 2000)
        );
        assert_eq!(b.log_retention_check_interval_ms, 300_000);
        assert_eq!(b.log_initial_task_delay_ms, 30_000);
        assert!(b.log_cleaner_enable);
        assert_eq!(
            (b.log_cleaner_threads, b.log_cleaner_backoff_ms),
            (1, 15_000)
        );
        assert_eq!(b.offsets_topic_num_partitions, 50);
        assert_eq!(b.offsets_topic_replication_factor, 3);
        assert_eq!(b.offsets_retention_ms, 10_080 * 60_000);
        assert_eq!(b.offsets_retention_check_interval_ms, 600_000);
        assert_eq!(b.group_initial_rebalance_delay_ms, 3000);
        assert_eq!(
            (
                b.group_min_session_timeout_ms,
                b.group_max_session_timeout_ms
            ),
            (6000, 1_800_000)
        );
        assert_eq!(
            (
                b.group_consumer_heartbeat_interval_ms,
                b.group_consumer_session_timeout_ms
            ),
            (5000, 45_000)
        );
        assert_eq!(b.group_consumer_assignors, vec!["uniform", "range"]);
        assert_eq!(
            (
                b.transaction_state_log_num_partitions,
                b.transaction_state_log_replication_factor,
                b.transaction_state_log_min_isr
            ),
            (50, 3, 2)
        );
        assert_eq!(b.transaction_max_timeout_ms, 900_000);
        assert_eq!(b.transactional_id_expiration_ms, 604_800_000);
        assert_eq!(b.producer_id_expiration_ms, 86_400_000);
        assert_eq!(
            b.value("num.recovery.threads.per.data.dir"),
            Some(&ConfigValue::Int(2))
        );
        assert_eq!(
            b.value("log.message.timestamp.after.max.ms"),
            Some(&ConfigValue::Long(3_600_000))
        );
    }

    #[test]
    fn zookeeper_era_defaults() {
        let b = BrokerConfig::for_era(Era::ZooKeeper, &BTreeMap::new()).unwrap();
        assert_eq!(b.replica_lag_time_max_ms, 10_000);
        assert_eq!(b.offsets_retention_ms, 1440 * 60_000);
        assert_eq!(b.offsets_retention_minutes, 1440);
        assert!(!b.offsets_expire_from_empty);
        assert_eq!(b.group_max_session_timeout_ms, 300_000);
        assert_eq!(
            b.value("num.recovery.threads.per.data.dir"),
            Some(&ConfigValue::Int(1))
        );
        assert_eq!(b.value("log.message.timestamp.after.max.ms"), None);
        assert_eq!(
            b.value("log.message.timestamp.difference.max.ms"),
            Some(&ConfigValue::Long(i64::MAX))
        );
        // KRaft-only knobs keep their 4.x values for engine code.
        assert_eq!(b.broker_session_timeout_ms, 9000);
        let e = BrokerConfig::for_era(
            Era::ZooKeeper,
            &props(&[("broker.session.timeout.ms", "1")]),
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "Unknown broker config name: broker.session.timeout.ms (it does not exist in the ZooKeeper era)"
        );
    }

    #[test]
    fn overrides_validation_and_sources() {
        let e = BrokerConfig::for_era(Era::Kafka4, &props(&[("num.partitions", "0")])).unwrap_err();
        assert_eq!(
            e.message,
            "Invalid value 0 for configuration num.partitions: Value must be at least 1"
        );
        let e = BrokerConfig::for_era(Era::Kafka4, &props(&[("nope", "1")])).unwrap_err();
        assert_eq!(e.message, "Unknown broker config name: nope");
        let b = BrokerConfig::build(
            Era::Kafka4,
            &BrokerConfig::stock_server_properties(),
            &props(&[("offsets.retention.minutes", "60")]),
            true,
        )
        .unwrap();
        assert_eq!(b.offsets_topic_replication_factor, 1);
        assert_eq!(b.offsets_retention_ms, 3_600_000);
        let described = b.describe(false);
        let names: Vec<(&str, ConfigSource)> = described
            .iter()
            .map(|e| (e.name.as_str(), e.source))
            .collect();
        assert!(names.contains(&("log.segment.bytes", ConfigSource::StaticBrokerConfig)));
        assert!(names.contains(&(
            "offsets.retention.minutes",
            ConfigSource::DynamicDefaultBrokerConfig
        )));
        assert!(!names.iter().any(|(_, s)| *s == ConfigSource::DefaultConfig));
        assert!(b.describe(true).len() > described.len());
    }

    #[test]
    fn tiny_broker_segments_are_a_flagged_relaxation() {
        let b =
            BrokerConfig::for_era(Era::Kafka4, &props(&[("log.segment.bytes", "1024")])).unwrap();
        assert_eq!(
            b.relaxations(),
            &[Relaxation {
                name: "log.segment.bytes".into(),
                value: 1024,
                kafka_min: 1_048_576
            }]
        );
        let strict = BrokerConfig::build(
            Era::Kafka4,
            &props(&[("log.segment.bytes", "1024")]),
            &BTreeMap::new(),
            false,
        )
        .unwrap_err();
        assert_eq!(
            strict.message,
            "Invalid value 1024 for configuration log.segment.bytes: Value must be at least 1048576"
        );
        // Before 4.0, 1024 was simply valid.
        let zk = BrokerConfig::for_era(Era::ZooKeeper, &props(&[("log.segment.bytes", "1024")]))
            .unwrap();
        assert!(zk.relaxations().is_empty());
    }
}
