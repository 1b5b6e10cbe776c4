//! Turning string overrides into a full set of parsed values for one scope: the era's defaults,
//! then the overrides, each parsed and validated in registry order (Kafka's definition order).

use std::collections::{BTreeMap, BTreeSet};

use super::registry::{defs, find_in};
use super::{parse_value, ConfigError, ConfigValue, Era, Relaxation, Scope};

/// Every config of a scope with its value; `set` names the ones the overrides supplied.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resolved {
    pub values: BTreeMap<&'static str, ConfigValue>,
    pub set: BTreeSet<&'static str>,
    pub relaxations: Vec<Relaxation>,
    /// Override names that are not configs of this scope and era (clients only warn about them).
    pub unknown: Vec<String>,
}

/// Parses `overrides` for `scope` in `era`. Unknown names are collected in `unknown`; the caller
/// decides whether that is an error (topics, brokers) or a warning (clients).
pub fn resolve(
    scope: Scope,
    era: Era,
    overrides: &BTreeMap<String, String>,
    relaxed: bool,
) -> Result<Resolved, ConfigError> {
    let mut out = Resolved::default();
    for name in overrides.keys() {
        if !defs(scope, era).any(|d| d.name == name) {
            out.unknown.push(name.clone());
        }
    }
    for def in defs(scope, era) {
        match overrides.get(def.name) {
            Some(raw) => {
                let parsed = parse_value(def, raw, era, relaxed)?;
                out.values.insert(def.name, parsed.value);
                out.set.insert(def.name);
                out.relaxations.extend(parsed.relaxation);
            }
            None => {
                out.values
                    .insert(def.name, default_value(scope, def.name, era));
            }
        }
    }
    Ok(out)
}

/// The parsed default of `name` in `era` (`Null` when the default is null or the config is
/// unknown). Defaults are checked by the registry tests, so parsing cannot fail in practice.
pub fn default_value(scope: Scope, name: &str, era: Era) -> ConfigValue {
    find_in(scope, name)
        .and_then(|d| {
            d.default_for(era)
                .as_str()
                .and_then(|v| parse_value(d, v, era, true).ok())
        })
        .map_or(ConfigValue::Null, |p| p.value)
}

impl Resolved {
    pub fn value(&self, name: &str) -> &ConfigValue {
        self.values.get(name).unwrap_or(&ConfigValue::Null)
    }

    pub fn long(&self, name: &str) -> i64 {
        self.value(name).as_i64().unwrap_or(0)
    }

    pub fn int(&self, name: &str) -> i32 {
        match self.value(name) {
            ConfigValue::Int(i) => *i,
            v => v.as_i64().map_or(0, |l| {
                l.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
            }),
        }
    }

    pub fn bool(&self, name: &str) -> bool {
        matches!(self.value(name), ConfigValue::Bool(true))
    }

    /// A string value; `None` for null.
    pub fn string(&self, name: &str) -> Option<String> {
        match self.value(name) {
            ConfigValue::Str(s) => Some(s.clone()),
            ConfigValue::Null => None,
            v => v.render(),
        }
    }

    pub fn list(&self, name: &str) -> Vec<String> {
        match self.value(name) {
            ConfigValue::List(l) => l.clone(),
            ConfigValue::Null => Vec::new(),
            v => v.render().into_iter().collect(),
        }
    }
}
