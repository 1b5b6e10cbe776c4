//! `kafka-configs` (`ConfigCommand`, 4.0) for topics and brokers.

use crate::console::format::configs as fmt;
use crate::console::format::errors::configs_error;
use crate::console::model::{ConfigEntryView, ConfigSource};
use crate::console::options::{usage_exit, ParsedOptions};
use crate::console::output::ToolExit;
use crate::console::run::Console;
use crate::console::Tool;
use crate::engine::config::{ConfigEntry, ConfigSource as EngineSource};
use crate::engine::Command;
use std::collections::BTreeMap;

fn source(s: EngineSource) -> ConfigSource {
    match s {
        EngineSource::DynamicTopicConfig => ConfigSource::DynamicTopicConfig,
        EngineSource::DynamicBrokerConfig => ConfigSource::DynamicBrokerConfig,
        EngineSource::DynamicDefaultBrokerConfig => ConfigSource::DynamicDefaultBrokerConfig,
        EngineSource::StaticBrokerConfig => ConfigSource::StaticBrokerConfig,
        EngineSource::DefaultConfig => ConfigSource::DefaultConfig,
    }
}

fn view(e: &ConfigEntry) -> ConfigEntryView {
    ConfigEntryView {
        name: e.name.clone(),
        value: e.value.clone(),
        source: source(e.source),
        sensitive: e.sensitive,
        synonyms: e
            .synonyms
            .iter()
            .map(|s| (source(s.source), s.name.clone(), s.value.clone()))
            .collect(),
    }
}

/// The entity the command is about: (plural type, name; empty name = cluster default).
fn entity(opts: &ParsedOptions) -> Result<(String, String), String> {
    let one = |o: &str| opts.values_of(o).last().map(|s| s.to_string());
    if let Some(t) = one("topic") {
        return Ok(("topics".into(), t));
    }
    if let Some(b) = one("broker") {
        return Ok(("brokers".into(), b));
    }
    if opts.has("broker-defaults") {
        return Ok(("brokers".into(), String::new()));
    }
    if let Some(g) = one("group") {
        return Ok(("groups".into(), g));
    }
    let Some(t) = one("entity-type") else {
        return Err("At least one entity type must be specified".into());
    };
    let name = if opts.has("entity-default") {
        String::new()
    } else {
        match one("entity-name") {
            Some(n) => n,
            None if opts.has("describe") => "*".into(),
            None => return Err("An entity name must be specified for every entity type".into()),
        }
    };
    Ok((t, name))
}

/// `Error while executing config command with args '...'` and the exception (exit 1).
fn throwable(args: &[String], exception: &str) -> ToolExit {
    ToolExit::err(
        format!(
            "Error while executing config command with args '{}'\njava.util.concurrent.ExecutionException: {exception}\n",
            args.join(" ")
        ),
        1,
    )
}

pub fn run(console: &mut Console, args: &[String], opts: &ParsedOptions) -> ToolExit {
    let actions = ["alter", "describe"].iter().filter(|a| opts.has(a)).count();
    if actions != 1 {
        return usage_exit(
            Tool::Configs,
            "Command must include exactly one action: --describe, --alter",
        );
    }
    if !opts.has("bootstrap-server") && !opts.has("bootstrap-controller") {
        return configs_error("One of the required --bootstrap-server or --bootstrap-controller arguments must be specified");
    }
    let (entity_type, name) = match entity(opts) {
        Ok(e) => e,
        Err(m) => return configs_error(&m),
    };
    match (entity_type.as_str(), opts.has("alter")) {
        ("topics", false) => describe_topics(console, opts, &name),
        ("topics", true) => alter_topic(console, args, opts, &name),
        ("brokers", false) => describe_brokers(console, opts, &name),
        (t @ ("brokers" | "groups" | "users" | "clients" | "ips" | "client-metrics" | "broker-loggers"), _) => {
            ToolExit::err(
                format!("kafka-configs: {} for {t} is not available yet in this version of the playground\n", if opts.has("alter") { "--alter" } else { "--describe" }),
                1,
            )
        }
        (t, _) => configs_error(&format!("Invalid entity type {t}, the entity type must be one of users, brokers, clients, topics, ips, client-metrics, groups, broker-loggers")),
    }
}

fn describe_topics(console: &Console, opts: &ParsedOptions, name: &str) -> ToolExit {
    let all = opts.has("all");
    let names: Vec<String> = if name == "*" {
        console.sim.topic_names(true)
    } else {
        vec![name.to_string()]
    };
    let mut out = String::new();
    for n in names {
        if console.sim.topic(&n).is_none() {
            out.push_str(&fmt::does_not_exist("topics", &n));
            continue;
        }
        let config = console.sim.topic_config(&n);
        let entries: Vec<ConfigEntryView> = config
            .entries()
            .filter(|e| all || e.source == EngineSource::DynamicTopicConfig)
            .map(view)
            .collect();
        out.push_str(&fmt::describe("topics", &n, all, &entries));
    }
    ToolExit::ok(out)
}

fn describe_brokers(console: &Console, opts: &ParsedOptions, name: &str) -> ToolExit {
    let all = opts.has("all");
    let ids: Vec<String> = console
        .sim
        .brokers()
        .iter()
        .map(|b| b.id.to_string())
        .collect();
    let names: Vec<String> = if name == "*" {
        ids.clone()
    } else {
        vec![name.to_string()]
    };
    let mut out = String::new();
    for n in names {
        if !n.is_empty() && !ids.contains(&n) {
            out.push_str(&fmt::does_not_exist("brokers", &n));
            continue;
        }
        let entries: Vec<ConfigEntryView> = console
            .sim
            .broker_config()
            .describe(true)
            .iter()
            .filter(|e| {
                if n.is_empty() {
                    e.source == EngineSource::DynamicDefaultBrokerConfig
                } else {
                    all || matches!(
                        e.source,
                        EngineSource::DynamicBrokerConfig
                            | EngineSource::DynamicDefaultBrokerConfig
                    )
                }
            })
            .map(view)
            .collect();
        out.push_str(&fmt::describe("brokers", &n, all, &entries));
    }
    ToolExit::ok(out)
}

fn alter_topic(
    console: &mut Console,
    args: &[String],
    opts: &ParsedOptions,
    name: &str,
) -> ToolExit {
    if !opts.has("add-config") && !opts.has("delete-config") && !opts.has("add-config-file") {
        return configs_error("At least one of --add-config, --add-config-file, or --delete-config must be specified with --alter");
    }
    if opts.has("add-config-file") {
        return ToolExit::err("kafka-configs: --add-config-file is not available in the playground (it has no files): use --add-config\n", 1);
    }
    let mut set = BTreeMap::new();
    for v in opts.values_of("add-config") {
        match fmt::parse_add_config(v) {
            Ok(pairs) => set.extend(pairs),
            Err(m) => return configs_error(&m),
        }
    }
    let delete: Vec<String> = opts
        .values_of("delete-config")
        .iter()
        .flat_map(|v| v.split(','))
        .map(|s| s.trim().to_string())
        .collect();
    if console.sim.topic(name).is_none() {
        return throwable(args, &format!("org.apache.kafka.common.errors.UnknownTopicOrPartitionException: The topic '{name}' does not exist."));
    }
    let current = console
        .sim
        .topic(name)
        .map(|t| t.overrides)
        .unwrap_or_default();
    let invalid: Vec<&str> = delete
        .iter()
        .filter(|d| !current.iter().any(|(k, _)| k == *d))
        .map(String::as_str)
        .collect();
    if !invalid.is_empty() {
        return configs_error(&format!("Invalid config(s): {}", invalid.join(",")));
    }
    match console.sim.apply(Command::AlterTopicConfig {
        topic: name.to_string(),
        set,
        delete,
    }) {
        Ok(_) => ToolExit::ok(fmt::altered("topics", name)),
        Err(e) => throwable(args, &format!("{}: {}", e.code.exception(), e.message)),
    }
}
