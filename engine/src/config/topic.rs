//! Per-topic configs: broker defaults plus the topic's overrides (`kafka-topics --config`,
//! `kafka-configs --alter --entity-type topics`), validated the way `LogConfig.validate` does.

use std::collections::BTreeMap;

use super::broker::BrokerConfig;
use super::registry::defs;
use super::{
    parse_value, ConfigEntry, ConfigError, ConfigSource, ConfigValue, Era, Ratio, Relaxation, Scope,
};

/// `cleanup.policy` and `message.timestamp.type` are the log's own types.
pub use crate::log::{CleanupPolicy, LogConfig, TimestampType};

/// The effective configs of one topic, typed for the engine, plus what `describe` needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicConfig {
    pub segment_bytes: i32,
    pub segment_ms: i64,
    pub segment_jitter_ms: i64,
    pub segment_index_bytes: i32,
    pub retention_ms: i64,
    pub retention_bytes: i64,
    pub cleanup_policy: CleanupPolicy,
    pub min_insync_replicas: i32,
    pub unclean_leader_election_enable: bool,
    pub delete_retention_ms: i64,
    pub min_compaction_lag_ms: i64,
    pub max_compaction_lag_ms: i64,
    /// `min.cleanable.dirty.ratio` (a Java double), exact to the permille.
    pub min_cleanable_dirty_ratio: Ratio,
    pub file_delete_delay_ms: i64,
    pub max_message_bytes: i32,
    pub index_interval_bytes: i32,
    pub message_timestamp_type: TimestampType,
    /// Before 4.0 both come from `message.timestamp.difference.max.ms`.
    pub message_timestamp_before_max_ms: i64,
    pub message_timestamp_after_max_ms: i64,
    pub compression_type: String,
    /// The overrides as given (validated, Kafka's string form), sorted by name.
    overrides: BTreeMap<String, String>,
    /// Every topic config of the era with its value and source, sorted by name.
    entries: BTreeMap<String, ConfigEntry>,
    relaxations: Vec<Relaxation>,
}

impl TopicConfig {
    /// The broker's defaults with no topic overrides.
    pub fn defaults(broker: &BrokerConfig) -> TopicConfig {
        // Broker values were validated when the broker config was built, so this cannot fail;
        // fall back to a bare build of the era defaults if it somehow did.
        Self::build(broker, &BTreeMap::new()).unwrap_or_else(|_| Self::bare(broker.era))
    }

    /// Validates `overrides` like `LogConfig.validate`: unknown names first (`Unknown topic
    /// config name: X`), then each value in Kafka's definition order, then cross-checks
    /// (`min.compaction.lag.ms` ≤ `max.compaction.lag.ms`). Relaxations follow the broker's
    /// `relaxed` flag.
    pub fn build(
        broker: &BrokerConfig,
        overrides: &BTreeMap<String, String>,
    ) -> Result<TopicConfig, ConfigError> {
        let era = broker.era;
        if let Some(name) = overrides
            .keys()
            .find(|n| !defs(Scope::Topic, era).any(|d| d.name == n.as_str()))
        {
            return Err(ConfigError::invalid_configuration(format!(
                "Unknown topic config name: {name}"
            )));
        }
        let mut values: BTreeMap<&'static str, ConfigValue> = BTreeMap::new();
        let mut entries = BTreeMap::new();
        let mut relaxations = Vec::new();
        let mut normalized = BTreeMap::new();
        for def in defs(Scope::Topic, era) {
            let (default, default_source, mut synonyms) = broker.topic_default(def);
            let (value, source, relaxation) = match overrides.get(def.name) {
                Some(raw) => {
                    let parsed = parse_value(def, raw, era, broker.relaxed)?;
                    let shown = parsed.value.render();
                    synonyms.insert(
                        0,
                        super::ConfigSynonym {
                            name: def.name.to_string(),
                            value: shown.clone(),
                            source: ConfigSource::DynamicTopicConfig,
                        },
                    );
                    normalized.insert(def.name.to_string(), shown.unwrap_or_default());
                    (
                        parsed.value,
                        ConfigSource::DynamicTopicConfig,
                        parsed.relaxation,
                    )
                }
                None => {
                    // A relaxed broker default (tiny log.segment.bytes) is a relaxation here too.
                    let inherited = broker
                        .relaxations()
                        .iter()
                        .find(|r| def.synonyms.first() == Some(&r.name.as_str()))
                        .map(|r| Relaxation {
                            name: def.name.to_string(),
                            value: r.value,
                            kafka_min: r.kafka_min,
                        });
                    (default, default_source, inherited)
                }
            };
            relaxations.extend(relaxation.clone());
            entries.insert(
                def.name.to_string(),
                ConfigEntry {
                    name: def.name.to_string(),
                    value: value.render(),
                    source,
                    sensitive: false,
                    read_only: false,
                    synonyms,
                    relaxation,
                },
            );
            values.insert(def.name, value);
        }
        let long = |n: &str| values.get(n).and_then(ConfigValue::as_i64).unwrap_or(0);
        let (min_lag, max_lag) = (long("min.compaction.lag.ms"), long("max.compaction.lag.ms"));
        if min_lag > max_lag {
            return Err(ConfigError::invalid_configuration(format!(
                "conflict topic config setting min.compaction.lag.ms ({min_lag}) > max.compaction.lag.ms ({max_lag})"
            )));
        }
        let mut config = Self::from_values(era, &values);
        config.overrides = normalized;
        config.entries = entries;
        config.relaxations = relaxations;
        Ok(config)
    }

    /// The era's Kafka defaults with no broker overrides and no describe data.
    fn bare(era: Era) -> TopicConfig {
        let values: BTreeMap<&'static str, ConfigValue> = defs(Scope::Topic, era)
            .map(|d| {
                (
                    d.name,
                    super::resolve::default_value(Scope::Topic, d.name, era),
                )
            })
            .collect();
        Self::from_values(era, &values)
    }

    fn from_values(era: Era, values: &BTreeMap<&'static str, ConfigValue>) -> TopicConfig {
        let get = |n: &str| values.get(n).cloned().unwrap_or(ConfigValue::Null);
        let long = |n: &str| get(n).as_i64().unwrap_or(0);
        let int = |n: &str| long(n).clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32;
        let text = |n: &str| get(n).render().unwrap_or_default();
        let policy = match get("cleanup.policy") {
            ConfigValue::List(l) => CleanupPolicy {
                delete: l.iter().any(|p| p.eq_ignore_ascii_case("delete")),
                compact: l.iter().any(|p| p.eq_ignore_ascii_case("compact")),
            },
            _ => CleanupPolicy {
                delete: true,
                compact: false,
            },
        };
        let (before, after) = match era {
            Era::Kafka4 => (
                long("message.timestamp.before.max.ms"),
                long("message.timestamp.after.max.ms"),
            ),
            Era::ZooKeeper => {
                let d = long("message.timestamp.difference.max.ms");
                (d, d)
            }
        };
        TopicConfig {
            segment_bytes: int("segment.bytes"),
            segment_ms: long("segment.ms"),
            segment_jitter_ms: long("segment.jitter.ms"),
            segment_index_bytes: int("segment.index.bytes"),
            retention_ms: long("retention.ms"),
            retention_bytes: long("retention.bytes"),
            cleanup_policy: policy,
            min_insync_replicas: int("min.insync.replicas"),
            unclean_leader_election_enable: matches!(
                get("unclean.leader.election.enable"),
                ConfigValue::Bool(true)
            ),
            delete_retention_ms: long("delete.retention.ms"),
            min_compaction_lag_ms: long("min.compaction.lag.ms"),
            max_compaction_lag_ms: long("max.compaction.lag.ms"),
            min_cleanable_dirty_ratio: match get("min.cleanable.dirty.ratio") {
                ConfigValue::Ratio(r) => r,
                _ => Ratio {
                    permille: 500,
                    text: "0.5".into(),
                },
            },
            file_delete_delay_ms: long("file.delete.delay.ms"),
            max_message_bytes: int("max.message.bytes"),
            index_interval_bytes: int("index.interval.bytes"),
            message_timestamp_type: if text("message.timestamp.type") == "LogAppendTime" {
                TimestampType::LogAppendTime
            } else {
                TimestampType::CreateTime
            },
            message_timestamp_before_max_ms: before,
            message_timestamp_after_max_ms: after,
            compression_type: text("compression.type"),
            overrides: BTreeMap::new(),
            entries: BTreeMap::new(),
            relaxations: Vec::new(),
        }
    }

    /// Same as [`TopicConfig::build`]; `era` must be the broker's (it is taken from `broker`).
    pub fn resolve(
        _era: Era,
        broker: &BrokerConfig,
        overrides: &BTreeMap<String, String>,
    ) -> Result<TopicConfig, ConfigError> {
        Self::build(broker, overrides)
    }

    /// Checks topic overrides against the era's Kafka defaults (names, values, cross-checks),
    /// with playground relaxations on — what `kafka-topics --create --config` validates.
    pub fn validate_overrides(
        era: Era,
        overrides: &BTreeMap<String, String>,
    ) -> Result<(), ConfigError> {
        let broker = BrokerConfig::for_era(era, &BTreeMap::new())?;
        Self::build(&broker, overrides).map(|_| ())
    }

    /// Whether `name` is a topic config in `era` (for `--delete-config` of an unset name).
    pub fn is_known(era: Era, name: &str) -> bool {
        defs(Scope::Topic, era).any(|d| d.name == name)
    }

    pub fn cleanup_policy_compact(&self) -> bool {
        self.cleanup_policy.compact
    }

    pub fn cleanup_policy_delete(&self) -> bool {
        self.cleanup_policy.delete
    }

    /// The numbers the partition log obeys. A compacted topic rolls by `max.compaction.lag.ms`
    /// too (`LogConfig.maxSegmentMs`), so no record waits in the active segment, where the
    /// cleaner cannot reach it, for longer than that.
    pub fn log_config(&self) -> LogConfig {
        LogConfig {
            segment_bytes: i64::from(self.segment_bytes),
            segment_ms: if self.cleanup_policy.compact && self.max_compaction_lag_ms > 0 {
                self.segment_ms.min(self.max_compaction_lag_ms)
            } else {
                self.segment_ms
            },
            segment_jitter_ms: self.segment_jitter_ms.min(self.segment_ms),
            max_message_bytes: i64::from(self.max_message_bytes),
            message_timestamp_type: self.message_timestamp_type,
            message_timestamp_before_max_ms: self.message_timestamp_before_max_ms,
            message_timestamp_after_max_ms: self.message_timestamp_after_max_ms,
            cleanup_policy: self.cleanup_policy,
            retention_ms: self.retention_ms,
            retention_bytes: self.retention_bytes,
            delete_retention_ms: self.delete_retention_ms,
            min_compaction_lag_ms: self.min_compaction_lag_ms,
            max_compaction_lag_ms: self.max_compaction_lag_ms,
            min_cleanable_dirty_ratio_permille: self.min_cleanable_dirty_ratio.permille,
        }
    }

    /// The topic's own overrides (`DYNAMIC_TOPIC_CONFIG`), sorted by name, values in Kafka's
    /// string form.
    pub fn overrides(&self) -> &BTreeMap<String, String> {
        &self.overrides
    }

    /// Entries whose source is not `DEFAULT_CONFIG` — topic overrides and broker-set values — as
    /// `kafka-topics --describe` lists them in `Configs:`. Sorted by name; the console reorders
    /// them in Java `HashMap` order.
    pub fn non_default_entries(&self) -> Vec<&ConfigEntry> {
        self.entries
            .values()
            .filter(|e| e.source != ConfigSource::DefaultConfig)
            .collect()
    }

    /// Every topic config with value, source and synonyms (`kafka-configs --describe --all`),
    /// sorted by name.
    pub fn entries(&self) -> impl Iterator<Item = &ConfigEntry> {
        self.entries.values()
    }

    pub fn entry(&self, name: &str) -> Option<&ConfigEntry> {
        self.entries.get(name)
    }

    /// Values accepted only because the playground relaxes Kafka's minimum.
    pub fn relaxations(&self) -> &[Relaxation] {
        &self.relaxations
    }

    /// `kafka-configs --alter`: the overrides after `--add-config` and `--delete-config`.
    /// Deleting a name that is not set is a no-op here (the caller reports Kafka's error if it
    /// wants to).
    pub fn altered_overrides(
        &self,
        add: &BTreeMap<String, String>,
        delete: &[String],
    ) -> BTreeMap<String, String> {
        let mut out = self.overrides.clone();
        for name in delete {
            out.remove(name);
        }
        out.extend(add.iter().map(|(k, v)| (k.clone(), v.clone())));
        out
    }
}

impl Default for TopicConfig {
    /// Kafka 4.x topic defaults with no broker overrides.
    fn default() -> Self {
        Self::bare(Era::Kafka4)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ConfigErrorKind;

    fn props(kv: &[(&str, &str)]) -> BTreeMap<String, String> {
        kv.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn broker(era: Era) -> BrokerConfig {
        BrokerConfig::for_era(era, &BTreeMap::new()).unwrap()
    }

    fn err(overrides: &[(&str, &str)]) -> ConfigError {
        TopicConfig::build(&broker(Era::Kafka4), &props(overrides)).unwrap_err()
    }

    #[test]
    fn defaults_match_the_spec_table() {
        for era in [Era::Kafka4, Era::ZooKeeper] {
            let t = TopicConfig::defaults(&broker(era));
            assert_eq!(t.segment_bytes, 1_073_741_824);
            assert_eq!(t.segment_ms, 604_800_000);
            assert_eq!(t.segment_jitter_ms, 0);
            assert_eq!(t.segment_index_bytes, 10_485_760);
            assert_eq!(t.retention_ms, 604_800_000);
            assert_eq!(t.retention_bytes, -1);
            assert_eq!(
                t.cleanup_policy,
                CleanupPolicy {
                    delete: true,
                    compact: false
                }
            );
            assert_eq!(t.min_insync_replicas, 1);
            assert!(!t.unclean_leader_election_enable);
            assert_eq!(t.delete_retention_ms, 86_400_000);
            assert_eq!(
                (t.min_compaction_lag_ms, t.max_compaction_lag_ms),
                (0, i64::MAX)
            );
            assert_eq!(
                t.min_cleanable_dirty_ratio,
                Ratio {
                    permille: 500,
                    text: "0.5".into()
                }
            );
            assert_eq!(t.file_delete_delay_ms, 60_000);
            assert_eq!(t.max_message_bytes, 1_048_588);
            assert_eq!(t.message_timestamp_type, TimestampType::CreateTime);
            assert_eq!(t.compression_type, "producer");
            assert!(t.overrides().is_empty());
            assert!(t.non_default_entries().is_empty());
            assert!(t.relaxations().is_empty());
        }
        let k4 = TopicConfig::defaults(&broker(Era::Kafka4));
        assert_eq!(k4.message_timestamp_after_max_ms, 3_600_000);
        assert_eq!(k4.message_timestamp_before_max_ms, i64::MAX);
        assert_eq!(k4.entries().count(), 33);
        let zk = TopicConfig::defaults(&broker(Era::ZooKeeper));
        assert_eq!(zk.message_timestamp_after_max_ms, i64::MAX);
        // The log module's own defaults agree with the registry.
        assert_eq!(k4.log_config(), LogConfig::default());
        assert_eq!(TopicConfig::default().log_config(), LogConfig::default());
    }

    #[test]
    fn validate_overrides_and_known_names() {
        assert!(
            TopicConfig::validate_overrides(Era::Kafka4, &props(&[("retention.ms", "1")])).is_ok()
        );
        assert_eq!(
            TopicConfig::validate_overrides(Era::Kafka4, &props(&[("nope", "1")]))
                .unwrap_err()
                .message,
            "Unknown topic config name: nope"
        );
        assert!(TopicConfig::is_known(Era::Kafka4, "retention.ms"));
        assert!(!TopicConfig::is_known(
            Era::Kafka4,
            "message.timestamp.difference.max.ms"
        ));
        assert!(TopicConfig::is_known(
            Era::ZooKeeper,
            "message.timestamp.difference.max.ms"
        ));
    }

    #[test]
    fn kafka_topics_error_texts() {
        // kafka-cli-formats.md §2.3.
        assert_eq!(
            err(&[("retention.ms", "abc")]).message,
            "Invalid value abc for configuration retention.ms: Not a number of type LONG"
        );
        assert_eq!(
            err(&[("retention.ms", "-5")]).message,
            "Invalid value -5 for configuration retention.ms: Value must be at least -1"
        );
        assert_eq!(
            err(&[("cleanup.policy", "foo")]).message,
            "Invalid value foo for configuration cleanup.policy: String must be one of: compact, delete"
        );
        let e = err(&[("foo", "1")]);
        assert_eq!(e.message, "Unknown topic config name: foo");
        assert_eq!(e.kind, ConfigErrorKind::InvalidConfiguration);
        assert_eq!(e.error_name(), "INVALID_CONFIG");
    }

    #[test]
    fn other_validation_shapes() {
        assert_eq!(
            err(&[("min.insync.replicas", "0")]).message,
            "Invalid value 0 for configuration min.insync.replicas: Value must be at least 1"
        );
        assert_eq!(
            err(&[("segment.bytes", "12.5")]).message,
            "Invalid value 12.5 for configuration segment.bytes: Not a number of type INT"
        );
        assert_eq!(
            err(&[("unclean.leader.election.enable", "yes")]).message,
            "Invalid value yes for configuration unclean.leader.election.enable: Expected value to be either true or false"
        );
        assert_eq!(
            err(&[("min.cleanable.dirty.ratio", "1.5")]).message,
            "Invalid value 1.5 for configuration min.cleanable.dirty.ratio: Value must be no more than 1"
        );
        assert_eq!(
            err(&[("min.cleanable.dirty.ratio", "2")]).message,
            "Invalid value 2.0 for configuration min.cleanable.dirty.ratio: Value must be no more than 1"
        );
        assert_eq!(
            err(&[("message.timestamp.type", "createtime")]).message,
            "Invalid value createtime for configuration message.timestamp.type: String must be one of: CreateTime, LogAppendTime"
        );
        assert_eq!(
            err(&[
                ("min.compaction.lag.ms", "10"),
                ("max.compaction.lag.ms", "5")
            ])
            .message,
            "conflict topic config setting min.compaction.lag.ms (10) > max.compaction.lag.ms (5)"
        );
        // Era-specific names.
        assert_eq!(
            TopicConfig::build(
                &broker(Era::ZooKeeper),
                &props(&[("message.timestamp.after.max.ms", "1")])
            )
            .unwrap_err()
            .message,
            "Unknown topic config name: message.timestamp.after.max.ms"
        );
    }

    #[test]
    fn a_compacted_topic_rolls_by_max_compaction_lag_and_jitter_is_capped_by_segment_ms() {
        let b =
            BrokerConfig::for_era(Era::Kafka4, &BrokerConfig::stock_server_properties()).unwrap();
        let log = |o: &[(&str, &str)]| TopicConfig::build(&b, &props(o)).unwrap().log_config();
        let lag = ("max.compaction.lag.ms", "60000");
        assert_eq!(
            log(&[("cleanup.policy", "compact"), lag]).segment_ms,
            60_000
        );
        assert_eq!(
            log(&[("cleanup.policy", "compact,delete"), lag]).segment_ms,
            60_000
        );
        // `maxSegmentMs` applies to compacted logs only, and never lengthens segment.ms.
        assert_eq!(log(&[lag]).segment_ms, 604_800_000);
        let short = ("segment.ms", "30000");
        assert_eq!(
            log(&[("cleanup.policy", "compact"), lag, short]).segment_ms,
            30_000
        );
        let jitter = ("segment.jitter.ms", "90000");
        assert_eq!(log(&[short, jitter]).segment_jitter_ms, 30_000);
        assert_eq!(log(&[]).segment_jitter_ms, 0);
    }

    #[test]
    fn overrides_are_typed_and_described() {
        let b =
            BrokerConfig::for_era(Era::Kafka4, &BrokerConfig::stock_server_properties()).unwrap();
        let t = TopicConfig::build(
            &b,
            &props(&[
                ("cleanup.policy", "compact, delete"),
                ("retention.ms", " 1000 "),
                ("min.cleanable.dirty.ratio", "0.25"),
                ("min.insync.replicas", "2"),
            ]),
        )
        .unwrap();
        assert_eq!(
            t.cleanup_policy,
            CleanupPolicy {
                delete: true,
                compact: true
            }
        );
        assert_eq!(t.retention_ms, 1000);
        assert_eq!(t.min_cleanable_dirty_ratio.permille, 250);
        assert_eq!(t.min_insync_replicas, 2);
        assert_eq!(
            t.overrides(),
            &props(&[
                ("cleanup.policy", "compact,delete"),
                ("min.cleanable.dirty.ratio", "0.25"),
                ("min.insync.replicas", "2"),
                ("retention.ms", "1000"),
            ])
        );
        // Stock server.properties: segment.bytes shows up (static broker config), retention.ms
        // from log.retention.hours does not (kafka-cli-formats.md §2.6).
        let shown: Vec<(String, Option<String>, ConfigSource)> = t
            .non_default_entries()
            .iter()
            .map(|e| (e.name.clone(), e.value.clone(), e.source))
            .collect();
        assert_eq!(
            shown,
            vec![
                (
                    "cleanup.policy".into(),
                    Some("compact,delete".into()),
                    ConfigSource::DynamicTopicConfig
                ),
                (
                    "min.cleanable.dirty.ratio".into(),
                    Some("0.25".into()),
                    ConfigSource::DynamicTopicConfig
                ),
                (
                    "min.insync.replicas".into(),
                    Some("2".into()),
                    ConfigSource::DynamicTopicConfig
                ),
                (
                    "retention.ms".into(),
                    Some("1000".into()),
                    ConfigSource::DynamicTopicConfig
                ),
                (
                    "segment.bytes".into(),
                    Some("1073741824".into()),
                    ConfigSource::StaticBrokerConfig
                ),
            ]
        );
        let defaults = TopicConfig::defaults(&b);
        let retention = defaults.entry("retention.ms").unwrap();
        assert_eq!(retention.source, ConfigSource::DefaultConfig);
        assert_eq!(retention.value.as_deref(), Some("604800000"));
        let syn: Vec<(&str, ConfigSource)> = retention
            .synonyms
            .iter()
            .map(|s| (s.name.as_str(), s.source))
            .collect();
        assert_eq!(
            syn,
            vec![
                ("log.retention.hours", ConfigSource::StaticBrokerConfig),
                ("log.retention.hours", ConfigSource::DefaultConfig)
            ]
        );
        let overridden = t.entry("retention.ms").unwrap();
        assert_eq!(
            overridden.synonyms[0].source,
            ConfigSource::DynamicTopicConfig
        );
    }

    #[test]
    fn broker_synonyms_feed_topic_defaults() {
        let b = BrokerConfig::for_era(
            Era::Kafka4,
            &props(&[
                ("log.retention.minutes", "10"),
                ("log.roll.ms", "5000"),
                ("log.cleanup.policy", "compact"),
            ]),
        )
        .unwrap();
        let t = TopicConfig::defaults(&b);
        assert_eq!(t.retention_ms, 600_000);
        assert_eq!(t.segment_ms, 5000);
        assert_eq!(
            t.cleanup_policy,
            CleanupPolicy {
                delete: false,
                compact: true
            }
        );
        assert_eq!(
            t.entry("segment.ms").unwrap().source,
            ConfigSource::StaticBrokerConfig
        );
        assert_eq!(
            t.entry("cleanup.policy").unwrap().source,
            ConfigSource::StaticBrokerConfig
        );
        // Secondary synonym: value applies, source stays DEFAULT_CONFIG.
        assert_eq!(
            t.entry("retention.ms").unwrap().source,
            ConfigSource::DefaultConfig
        );
    }

    #[test]
    fn tiny_segments_are_a_flagged_playground_relaxation() {
        let relaxed = broker(Era::Kafka4);
        let t = TopicConfig::build(&relaxed, &props(&[("segment.bytes", "1024")])).unwrap();
        assert_eq!(t.segment_bytes, 1024);
        let r = Relaxation {
            name: "segment.bytes".into(),
            value: 1024,
            kafka_min: 1_048_576,
        };
        assert_eq!(t.relaxations(), std::slice::from_ref(&r));
        assert_eq!(t.entry("segment.bytes").unwrap().relaxation, Some(r));
        assert_eq!(
            TopicConfig::build(&relaxed, &props(&[("segment.bytes", "10")]))
                .unwrap_err()
                .message,
            "Invalid value 10 for configuration segment.bytes: Value must be at least 14 (the \
             playground's relaxed minimum; Kafka 4.x requires at least 1048576)"
        );
        let strict =
            BrokerConfig::build(Era::Kafka4, &BTreeMap::new(), &BTreeMap::new(), false).unwrap();
        assert_eq!(
            TopicConfig::build(&strict, &props(&[("segment.bytes", "1024")]))
                .unwrap_err()
                .message,
            "Invalid value 1024 for configuration segment.bytes: Value must be at least 1048576"
        );
        // A relaxed broker default is flagged on every topic that inherits it.
        let tiny =
            BrokerConfig::for_era(Era::Kafka4, &props(&[("log.segment.bytes", "4096")])).unwrap();
        let t = TopicConfig::defaults(&tiny);
        assert_eq!(t.segment_bytes, 4096);
        assert_eq!(t.relaxations().len(), 1);
        assert_eq!(t.relaxations()[0].name, "segment.bytes");
    }

    #[test]
    fn alter_merges_overrides() {
        let b = broker(Era::Kafka4);
        let t = TopicConfig::build(
            &b,
            &props(&[("retention.ms", "1000"), ("segment.ms", "100")]),
        )
        .unwrap();
        let next = t.altered_overrides(&props(&[("retention.ms", "2000")]), &["segment.ms".into()]);
        assert_eq!(next, props(&[("retention.ms", "2000")]));
        assert_eq!(TopicConfig::build(&b, &next).unwrap().retention_ms, 2000);
    }
}
