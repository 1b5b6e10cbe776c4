//! Checks what a scenario describes against Kafka's rules: names, counts, references between
//! elements, and every config through the config module (so the messages are Kafka's own:
//! `Invalid value -5 for configuration retention.ms: Value must be at least -1`).
//!
//! Each config is checked on its own first, so that every bad value is reported at its own path;
//! only when all are fine individually is the whole map checked for conflicts between them
//! (`min.compaction.lag.ms` above `max.compaction.lag.ms`, idempotence with `acks=1`, ...).

use super::format::Problems;
use super::{Scenario, TimelineAction};
use crate::console::parse_script;
use crate::engine::cluster::validate_topic_name;
use crate::engine::config::registry::{defs, find};
use crate::engine::config::{
    parse_value, BrokerConfig, ConfigError, ConsumerConfig, Era, ProducerConfig, Scope, TopicConfig,
};
use crate::engine::{Command, ControllerMode};
use std::collections::{BTreeMap, BTreeSet};

/// Adds every problem of `s` to `p`.
pub(crate) fn validate(s: &Scenario, p: &mut Problems) {
    let era = s.cluster.era;
    if era == Era::Kafka4 && s.cluster.mode == ControllerMode::Zookeeper {
        p.add(
            "cluster.controller",
            "Kafka 4.x has no ZooKeeper mode (removed in 4.0, KIP-833); use \"kraft\", or \"era\": \"2\" for a ZooKeeper-era cluster",
        );
    }
    let brokers_ok = check_each(
        p,
        "cluster.broker_configs",
        &s.cluster.broker_overrides,
        &[Scope::Broker, Scope::Group],
        era,
        |m| BrokerConfig::for_era(era, m).map(|_| ()),
    );
    // Topic configs are checked against the scenario's brokers when those are valid.
    let broker = brokers_ok
        .then(|| BrokerConfig::for_era(era, &s.cluster.broker_overrides).ok())
        .flatten()
        .or_else(|| BrokerConfig::for_era(era, &BTreeMap::new()).ok());
    let brokers = s.cluster.brokers;
    let mut topics = BTreeSet::new();
    for (i, t) in s.topics.iter().enumerate() {
        let path = format!("topics[{i}]");
        if let Err(e) = validate_topic_name(&t.name) {
            p.add(&format!("{path}.name"), e.message);
        }
        if !topics.insert(t.name.as_str()) {
            p.add(
                &format!("{path}.name"),
                format!("topic '{}' is listed twice; topic names are unique", t.name),
            );
        }
        if let Some(rf) = t.replication_factor {
            if u32::try_from(rf).is_ok_and(|rf| rf > brokers) {
                p.add(
                    &format!("{path}.replication_factor"),
                    format!(
                        "Unable to replicate the partition {rf} time(s): The target replication factor of {rf} cannot be reached because only {brokers} broker(s) are registered."
                    ),
                );
            }
        }
        if let Some(broker) = &broker {
            check_each(
                p,
                &format!("{path}.configs"),
                &t.configs,
                &[Scope::Topic],
                era,
                |m| TopicConfig::build(broker, m).map(|_| ()),
            );
        }
    }
    let mut clients = BTreeSet::new();
    let mut client_name = |p: &mut Problems, path: &str, name: &str| {
        if !clients.insert(name.to_string()) {
            p.add(
                path,
                format!("a client named '{name}' is already listed; producer and consumer names are unique"),
            );
        }
    };
    let declared = |p: &mut Problems, path: &str, topic: &str| {
        if !topics.contains(topic) {
            p.add(
                path,
                format!(
                    "topic '{topic}' is not in \"topics\"; declare it there (scenario files do not rely on auto-creation)"
                ),
            );
        }
    };
    for (i, x) in s.producers.iter().enumerate() {
        let path = format!("producers[{i}]");
        client_name(p, &format!("{path}.name"), &x.name);
        declared(p, &format!("{path}.topic"), &x.topic);
        let at = format!("{path}.configs");
        known_names(p, &at, &x.configs, Scope::Producer, era);
        check_each(p, &at, &x.configs, &[Scope::Producer], era, |m| {
            ProducerConfig::for_era(era, m).map(|_| ())
        });
    }
    for (i, x) in s.consumers.iter().enumerate() {
        let path = format!("consumers[{i}]");
        client_name(p, &format!("{path}.name"), &x.name);
        for (j, t) in x.topics.iter().enumerate() {
            declared(p, &format!("{path}.topics[{j}]"), t);
        }
        let at = format!("{path}.configs");
        if let Some(g) = x.configs.get("group.id") {
            if g != &x.group {
                p.add(
                    &format!("{at}[\"group.id\"]"),
                    format!(
                        "group.id '{g}' differs from the consumer's group '{}'; leave it out (\"group\" sets it)",
                        x.group
                    ),
                );
            }
        }
        known_names(p, &at, &x.configs, Scope::Consumer, era);
        check_each(p, &at, &x.configs, &[Scope::Consumer], era, |m| {
            ConsumerConfig::for_era(era, m).map(|_| ())
        });
    }
    let mut last = 0;
    for (i, e) in s.timeline.iter().enumerate() {
        let path = format!("timeline[{i}]");
        if e.at_ms < last {
            p.add(
                &format!("{path}.at_ms"),
                format!(
                    "entries must be in time order; {} comes after an entry at {last}",
                    e.at_ms
                ),
            );
        }
        last = last.max(e.at_ms);
        match &e.action {
            TimelineAction::Console(line) => {
                if let Err(err) = parse_script(line) {
                    p.add(&format!("{path}.console"), err.message);
                }
            }
            TimelineAction::Command(Command::AdvanceTime { .. }) => p.add(
                &format!("{path}.command"),
                "advance_time is not a timeline command; give the next entry a later \"at_ms\"",
            ),
            TimelineAction::Command(_) => {}
        }
    }
}

/// Unknown client config names are errors here (Kafka's clients only log a warning, which a
/// scenario author would never see).
fn known_names(
    p: &mut Problems,
    path: &str,
    configs: &BTreeMap<String, String>,
    scope: Scope,
    era: Era,
) {
    let kind = if scope == Scope::Producer {
        "producer"
    } else {
        "consumer"
    };
    for name in configs.keys() {
        if !defs(scope, era).any(|d| d.name == name) {
            let known: Vec<&str> = defs(scope, era).map(|d| d.name).collect();
            p.add(
                &format!("{path}[\"{name}\"]"),
                format!(
                    "Unknown {kind} config name: {name}. The playground knows: {}",
                    known.join(", ")
                ),
            );
        }
    }
}

/// Checks each value on its own against its definition (reported at `path["name"]`), then, if
/// all parse, the whole map with `check` (reported at `path`): rules between configs only make
/// sense for the whole map. Names not in `scopes` are left to `check` (its message is Kafka's).
/// Returns whether everything passed.
fn check_each(
    p: &mut Problems,
    path: &str,
    configs: &BTreeMap<String, String>,
    scopes: &[Scope],
    era: Era,
    check: impl Fn(&BTreeMap<String, String>) -> Result<(), ConfigError>,
) -> bool {
    let before = p.0.len();
    for (k, v) in configs {
        let def = scopes.iter().find_map(|&scope| find(scope, k, era));
        let result = match def {
            Some(def) => parse_value(def, v, era, true).map(|_| ()),
            None => check(&BTreeMap::from([(k.clone(), v.clone())])),
        };
        if let Err(e) = result {
            p.add(&format!("{path}[\"{k}\"]"), e.message);
        }
    }
    if p.0.len() == before {
        if let Err(e) = check(configs) {
            p.add(path, e.message);
        }
    }
    p.0.len() == before
}

#[cfg(test)]
mod tests {
    use crate::scenario::Scenario;

    fn errors(text: &str) -> Vec<String> {
        Scenario::from_json(text)
            .expect_err("invalid")
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn config_values_are_checked_by_the_config_module_each_at_its_path() {
        let e = errors(
            r#"{"version": 1, "seed": 1,
                "topics": [{"name": "a"}, {"name": "b", "configs": {"retention.ms": "-5", "cleanup.policy": "shred"}}]}"#,
        );
        assert_eq!(
            e,
            vec![
                "topics[1].configs[\"cleanup.policy\"]: Invalid value shred for configuration cleanup.policy: String must be one of: compact, delete".to_string(),
                "topics[1].configs[\"retention.ms\"]: Invalid value -5 for configuration retention.ms: Value must be at least -1".to_string(),
            ]
        );
    }

    #[test]
    fn cross_config_conflicts_are_reported_at_the_map() {
        let e = errors(
            r#"{"version": 1, "seed": 1, "topics": [{"name": "t"}],
                "producers": [{"name": "p", "topic": "t", "rate_per_sec": 1,
                               "configs": {"enable.idempotence": "true", "acks": "1"}}]}"#,
        );
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].starts_with("producers[0].configs: "), "{e:?}");
        assert!(e[0].contains("acks"), "{e:?}");
    }

    #[test]
    fn references_names_and_era_rules() {
        let e = errors(
            r#"{"version": 1, "seed": 1, "cluster": {"controller": "zookeeper", "brokers": 2},
                "topics": [{"name": "t", "replication_factor": 3}, {"name": "t"}, {"name": "bad name"}],
                "producers": [{"name": "x", "topic": "nope", "rate_per_sec": 1, "configs": {"acks": "2", "lingerms": "5"}}],
                "consumers": [{"name": "x", "group": "g", "topics": ["t"], "configs": {"group.id": "h"}}],
                "timeline": [{"at_ms": 10, "console": "status"}, {"at_ms": 5, "console": "kafka-topics 'open"},
                             {"at_ms": 20, "command": {"type": "advance_time", "ms": 5}}]}"#,
        );
        let paths: Vec<&str> = e
            .iter()
            .map(|s| s.split(": ").next().unwrap_or(""))
            .collect();
        assert_eq!(
            paths,
            vec![
                "cluster.controller",
                "topics[0].replication_factor",
                "topics[1].name",
                "topics[2].name",
                "producers[0].topic",
                "producers[0].configs[\"lingerms\"]",
                "producers[0].configs[\"acks\"]",
                "consumers[0].name",
                "consumers[0].configs[\"group.id\"]",
                "timeline[1].at_ms",
                "timeline[1].console",
                "timeline[2].command",
            ],
            "{e:#?}"
        );
        assert!(
            e[1].ends_with("only 2 broker(s) are registered."),
            "{}",
            e[1]
        );
        assert!(e[5].contains("Unknown producer config name: lingerms"));
    }

    #[test]
    fn configs_that_need_each_other_are_accepted_together() {
        // In the ZooKeeper era acks defaults to 1, so enable.idempotence=true alone is refused,
        // but with acks=all it is fine: values are checked alone, rules between them together.
        let s = Scenario::from_json(
            r#"{"version": 1, "seed": 1, "era": "2", "topics": [{"name": "t"}],
                "producers": [{"name": "p", "topic": "t", "rate_per_sec": 1,
                               "configs": {"acks": "all", "enable.idempotence": "true"}}]}"#,
        );
        assert!(s.is_ok(), "{s:?}");
        let e = errors(
            r#"{"version": 1, "seed": 1, "era": "2", "topics": [{"name": "t"}],
                "producers": [{"name": "p", "topic": "t", "rate_per_sec": 1,
                               "configs": {"enable.idempotence": "true"}}]}"#,
        );
        assert_eq!(e, vec!["producers[0].configs: Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.".to_string()]);
    }

    #[test]
    fn zookeeper_era_accepts_zookeeper_mode() {
        let s = Scenario::from_json(
            r#"{"version": 1, "seed": 7, "era": "2", "cluster": {"brokers": 1}}"#,
        )
        .expect("valid");
        assert_eq!(s.cluster.mode, crate::engine::ControllerMode::Zookeeper);
        let s2 = Scenario::from_json(&s.to_json()).expect("round trip");
        assert_eq!(s, s2);
    }
}
