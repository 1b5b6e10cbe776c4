//! `kafka-configs` output (Scala `ConfigCommand`, 4.0).

use crate::console::java_order::java_compare;
use crate::console::model::ConfigEntryView;
use crate::ordered;

/// `entity_type` is the plural CLI name (`topics`, `brokers`, `groups`...); the tool prints it
/// without its last letter (`topic`).
fn singular(entity_type: &str) -> &str {
    let mut chars = entity_type.char_indices();
    match chars.next_back() {
        Some((i, _)) => &entity_type[..i],
        None => entity_type,
    }
}

/// stdout of `--describe` for one entity. `entity_name` empty means the cluster default
/// (brokers). `all` is `--all` (all configs, not only dynamic ones). Entries are sorted by
/// name; filtering by source is the caller's.
pub fn describe(
    entity_type: &str,
    entity_name: &str,
    all: bool,
    entries: &[ConfigEntryView],
) -> String {
    let mut out = if entity_name.is_empty() {
        format!("Default configs for {entity_type} in the cluster are:\n")
    } else {
        format!(
            "{} configs for {} {entity_name} are:\n",
            if all { "All" } else { "Dynamic" },
            singular(entity_type)
        )
    };
    let mut v: Vec<&ConfigEntryView> = entries.iter().collect();
    ordered::sort_by(&mut v, |a, b| java_compare(&a.name, &b.name));
    for e in v {
        let synonyms: Vec<String> = e
            .synonyms
            .iter()
            .map(|(s, n, val)| format!("{}:{n}={}", s.name(), val.as_deref().unwrap_or("null")))
            .collect();
        out.push_str(&format!(
            "  {}={} sensitive={} synonyms={{{}}}\n",
            e.name,
            e.value.as_deref().unwrap_or("null"),
            e.sensitive,
            synonyms.join(", ")
        ));
    }
    out
}

/// stdout when the named entity does not exist.
pub fn does_not_exist(entity_type: &str, name: &str) -> String {
    format!(
        "The {} '{name}' doesn't exist and doesn't have dynamic config.\n",
        singular(entity_type)
    )
}

/// stdout of a successful `--alter`.
pub fn altered(entity_type: &str, entity_name: &str) -> String {
    if entity_name.is_empty() {
        format!("Completed updating default config for {entity_type} in the cluster.\n")
    } else {
        format!(
            "Completed updating config for {} {entity_name}.\n",
            singular(entity_type)
        )
    }
}

/// Parses `--add-config 'k1=v1,k2=[v1,v2],k3=v3'` like `ConfigCommand.parseConfigsToBeAdded`:
/// commas outside brackets split pairs, `=` (with surrounding blanks) splits key and value,
/// brackets are removed from values.
pub fn parse_add_config(s: &str) -> Result<Vec<(String, String)>, String> {
    const FORMAT: &str = "Invalid entity config: all configs to be added must be in the format \"key=val\" or  \"key=[val1,val2]\" to group values which contain commas.";
    let mut pairs = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    let mut parts = Vec::new();
    for c in s.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            ',' if depth <= 0 => {
                parts.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    parts.push(cur);
    for p in parts {
        let eqs: Vec<usize> = p.match_indices('=').map(|(i, _)| i).collect();
        let outside: Vec<usize> = eqs
            .into_iter()
            .filter(|&i| {
                let before = &p[..i];
                before.matches('[').count() <= before.matches(']').count()
            })
            .collect();
        if outside.len() != 1 {
            return Err(FORMAT.to_string());
        }
        let (k, v) = p.split_at(outside[0]);
        let key = k.trim().to_string();
        let value: String = v[1..].chars().filter(|c| *c != '[' && *c != ']').collect();
        if !key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            return Err(format!("Invalid character found for config key: {key}"));
        }
        pairs.push((key, value.trim().to_string()));
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::console::model::ConfigSource;

    #[test]
    fn describe_topic() {
        let e = vec![
            ConfigEntryView {
                name: "retention.ms".into(),
                value: Some("60000".into()),
                source: ConfigSource::DynamicTopicConfig,
                sensitive: false,
                synonyms: vec![
                    (
                        ConfigSource::DynamicTopicConfig,
                        "retention.ms".into(),
                        Some("60000".into()),
                    ),
                    (
                        ConfigSource::DefaultConfig,
                        "log.retention.hours".into(),
                        Some("168".into()),
                    ),
                ],
            },
            ConfigEntryView {
                name: "cleanup.policy".into(),
                value: Some("compact".into()),
                source: ConfigSource::DynamicTopicConfig,
                sensitive: false,
                synonyms: vec![(
                    ConfigSource::DynamicTopicConfig,
                    "cleanup.policy".into(),
                    Some("compact".into()),
                )],
            },
        ];
        assert_eq!(
            describe("topics", "orders", false, &e),
            "Dynamic configs for topic orders are:\n  cleanup.policy=compact sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:cleanup.policy=compact}\n  retention.ms=60000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=60000, DEFAULT_CONFIG:log.retention.hours=168}\n"
        );
        assert_eq!(
            describe("brokers", "", false, &[]),
            "Default configs for brokers in the cluster are:\n"
        );
        assert_eq!(
            describe("brokers", "1", true, &[]),
            "All configs for broker 1 are:\n"
        );
    }

    #[test]
    fn alter_and_missing() {
        assert_eq!(
            altered("topics", "orders"),
            "Completed updating config for topic orders.\n"
        );
        assert_eq!(
            altered("brokers", ""),
            "Completed updating default config for brokers in the cluster.\n"
        );
        assert_eq!(
            does_not_exist("topics", "nope"),
            "The topic 'nope' doesn't exist and doesn't have dynamic config.\n"
        );
    }

    #[test]
    fn add_config_parsing() {
        assert_eq!(
            parse_add_config("retention.ms=1000, cleanup.policy=[compact,delete],x=").unwrap(),
            vec![
                ("retention.ms".to_string(), "1000".to_string()),
                ("cleanup.policy".to_string(), "compact,delete".to_string()),
                ("x".to_string(), String::new()),
            ]
        );
        assert!(parse_add_config("retention.ms")
            .unwrap_err()
            .starts_with("Invalid entity config"));
        assert_eq!(
            parse_add_config("a b=1").unwrap_err(),
            "Invalid character found for config key: a b"
        );
    }
}
