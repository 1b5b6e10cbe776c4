//! A streams topology as a chain of Kafka Streams DSL operators, parsed from one short line
//! each (`--op 'filter value contains kafka'`), validated, and run on records.
//!
//! Operators (Kafka's DSL names):
//! - `filter SUBJECT PRED TEXT`, `filterNot ...`: SUBJECT is `key`, `value` or a field path
//!   of a JSON value (`after.name`); PRED is `contains`, `equals`, `startsWith`, `endsWith`,
//!   `>` or `<` (integers).
//! - `mapValues EXPR`, `selectKey EXPR`, `map KEYEXPR VALUEEXPR`: EXPR is `key`, `value`,
//!   `upper`, `lower`, `length` (of the value), a JSON field path, or `=TEXT` (a constant).
//! - `flatMapValues split [SEP]`: one record per word of the value (same key);
//!   `flatMap split [SEP]`: one record per word, keyed by the word.
//! - `groupByKey` (group as keyed), `groupBy EXPR` (re-key, then group).
//! - `count`, `sum` (of integer values), `windowedCount SIZE` (tumbling windows, e.g. `1m`).
//! - `join TOPIC`, `leftJoin TOPIC`: with the table (KTable) read from TOPIC; the joined
//!   value is `left,right`.
//!
//! At most one join, before at most one aggregation; only stateless operators follow an
//! aggregation. Re-keying before an aggregation makes a repartition topic, as Kafka does.

use crate::time::Millis;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    Key,
    Value,
    Upper,
    Lower,
    Length,
    /// A field path into a JSON value.
    Path(Vec<String>),
    Text(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pred {
    Contains,
    Equals,
    StartsWith,
    EndsWith,
    Greater,
    Less,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aggregation {
    Count,
    Sum,
    /// Tumbling windows of this size.
    WindowedCount(Millis),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    Filter {
        subject: Expr,
        pred: Pred,
        text: String,
        negate: bool,
    },
    MapValues(Expr),
    SelectKey(Expr),
    Map(Expr, Expr),
    FlatMap {
        rekey: bool,
        sep: Option<String>,
    },
    GroupByKey,
    Join {
        topic: String,
        left: bool,
    },
    Aggregate(Aggregation),
}

impl Op {
    fn changes_key(&self) -> bool {
        matches!(
            self,
            Op::SelectKey(_) | Op::Map(..) | Op::FlatMap { rekey: true, .. }
        )
    }
}

/// A record flowing through the topology.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rec {
    pub key: Option<String>,
    pub value: Option<String>,
    pub timestamp: i64,
}

/// A validated topology.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Topology {
    pub source: String,
    pub sink: String,
    /// The operator lines as given.
    pub lines: Vec<String>,
    /// Operators before the aggregation (a join among them).
    pub before: Vec<Op>,
    pub aggregation: Option<Aggregation>,
    /// Operators after the aggregation (stateless).
    pub after: Vec<Op>,
    /// The aggregation's store name.
    pub store: Option<String>,
    /// A key change before the aggregation: records go through a repartition topic.
    pub repartition: bool,
    /// The table topic of a join, and whether it is a left join.
    pub join: Option<(String, bool)>,
}

const USAGE: &str = "operators: filter|filterNot SUBJECT contains|equals|startsWith|endsWith|>|< TEXT, mapValues EXPR, selectKey EXPR, map KEYEXPR VALUEEXPR, flatMapValues split [SEP], flatMap split [SEP], groupByKey, groupBy EXPR, count, sum, windowedCount SIZE, join TOPIC, leftJoin TOPIC";

/// `500ms`, `10s`, `1m`, `1h`, `1d`.
pub fn parse_ms(s: &str) -> Option<Millis> {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let n: Millis = s.get(..end)?.parse().ok()?;
    let unit = match s.get(end..)? {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return None,
    };
    n.checked_mul(unit)
}

fn parse_expr(w: &str) -> Result<Expr, String> {
    Ok(match w {
        "key" => Expr::Key,
        "value" => Expr::Value,
        "upper" => Expr::Upper,
        "lower" => Expr::Lower,
        "length" => Expr::Length,
        _ => {
            if let Some(t) = w.strip_prefix('=') {
                Expr::Text(t.to_string())
            } else {
                let parts: Vec<String> = w.split('.').map(str::to_string).collect();
                if parts.iter().any(|p| {
                    p.is_empty() || !p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                }) {
                    return Err(format!("'{w}' is not an expression: use key, value, upper, lower, length, a JSON field path like after.name, or =TEXT"));
                }
                Expr::Path(parts)
            }
        }
    })
}

fn parse_pred(w: &str) -> Result<Pred, String> {
    Ok(match w {
        "contains" => Pred::Contains,
        "equals" | "==" => Pred::Equals,
        "startsWith" => Pred::StartsWith,
        "endsWith" => Pred::EndsWith,
        ">" => Pred::Greater,
        "<" => Pred::Less,
        _ => {
            return Err(format!(
                "'{w}' is not a predicate: use contains, equals, startsWith, endsWith, > or <"
            ))
        }
    })
}

/// Parses one operator line.
pub fn parse_op(line: &str) -> Result<Op, String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let Some((&name, args)) = words.split_first() else {
        return Err(format!("an empty operator; {USAGE}"));
    };
    let wrong = || format!("'{line}': wrong arguments; {USAGE}");
    Ok(match (name, args) {
        ("filter" | "filterNot", [subject, pred, text @ ..]) if !text.is_empty() => Op::Filter {
            subject: parse_expr(subject)?,
            pred: parse_pred(pred)?,
            text: text.join(" "),
            negate: name == "filterNot",
        },
        ("mapValues", [e]) => Op::MapValues(parse_expr(e)?),
        ("selectKey", [e]) => Op::SelectKey(parse_expr(e)?),
        ("groupBy", [e]) => Op::SelectKey(parse_expr(e)?),
        ("map", [k, v]) => Op::Map(parse_expr(k)?, parse_expr(v)?),
        ("flatMapValues" | "flatMap", ["split", sep @ ..]) if sep.len() <= 1 => Op::FlatMap {
            rekey: name == "flatMap",
            sep: sep.first().map(|s| s.to_string()),
        },
        ("groupByKey", []) => Op::GroupByKey,
        ("join" | "leftJoin", [topic]) => {
            crate::cluster::validate_topic_name(topic).map_err(|e| e.message)?;
            Op::Join {
                topic: topic.to_string(),
                left: name == "leftJoin",
            }
        }
        ("count", []) => Op::Aggregate(Aggregation::Count),
        ("sum", []) => Op::Aggregate(Aggregation::Sum),
        ("windowedCount", [size]) => {
            let ms = parse_ms(size)
                .ok_or_else(|| format!("'{size}' is not a window size: use e.g. 10s, 1m, 1h"))?;
            if !(1..=86_400_000 * 7).contains(&ms) {
                return Err(format!("a window size must be 1 ms to 7 days; got {size}"));
            }
            Op::Aggregate(Aggregation::WindowedCount(ms))
        }
        (
            "filter" | "filterNot" | "mapValues" | "selectKey" | "groupBy" | "map"
            | "flatMapValues" | "flatMap" | "groupByKey" | "join" | "leftJoin" | "count" | "sum"
            | "windowedCount",
            _,
        ) => return Err(wrong()),
        _ => return Err(format!("'{name}' is not an operator; {USAGE}")),
    })
}

impl Topology {
    /// Builds and validates a topology reading `source`, writing `sink`.
    pub fn build(
        source: &str,
        sink: &str,
        lines: &[String],
        store: Option<&str>,
    ) -> Result<Topology, String> {
        if source == sink {
            return Err(format!(
                "--from and --to are both '{source}': the app would read its own output."
            ));
        }
        if lines.len() > 16 {
            return Err("At most 16 operators.".into());
        }
        let mut t = Topology {
            source: source.to_string(),
            sink: sink.to_string(),
            lines: lines.to_vec(),
            before: Vec::new(),
            aggregation: None,
            after: Vec::new(),
            store: None,
            repartition: false,
            join: None,
        };
        let mut key_changed = false;
        for line in lines {
            let op = parse_op(line)?;
            match &op {
                Op::Aggregate(a) => {
                    if t.aggregation.is_some() {
                        return Err(
                            "Only one aggregation (count, sum, windowedCount) per app.".into()
                        );
                    }
                    t.aggregation = Some(*a);
                    t.repartition = key_changed;
                    continue;
                }
                Op::Join { topic, left } => {
                    if t.aggregation.is_some() {
                        return Err("A join must come before the aggregation.".into());
                    }
                    if t.join.is_some() {
                        return Err("Only one join per app.".into());
                    }
                    if key_changed {
                        return Err("A join needs the stream keyed like the table: re-key (selectKey, map, flatMap, groupBy) after the join (a repartition before a join is not modelled).".into());
                    }
                    if topic == source || topic == sink {
                        return Err(format!(
                            "The table topic '{topic}' must differ from --from and --to."
                        ));
                    }
                    t.join = Some((topic.clone(), *left));
                }
                Op::GroupByKey if t.aggregation.is_some() => {
                    return Err("groupByKey after the aggregation groups nothing.".into());
                }
                _ => {}
            }
            key_changed |= op.changes_key();
            if t.aggregation.is_some() {
                t.after.push(op);
            } else {
                t.before.push(op);
            }
        }
        if let Some(a) = t.aggregation {
            let name = store.map(str::to_string).unwrap_or_else(|| {
                match a {
                    Aggregation::Count => "counts",
                    Aggregation::Sum => "sums",
                    Aggregation::WindowedCount(_) => "windowed-counts",
                }
                .to_string()
            });
            crate::connect::database::validate_name("store", &name)?;
            t.store = Some(name);
        } else if store.is_some() {
            return Err("--store names the aggregation's store, but there is no count, sum or windowedCount.".into());
        }
        Ok(t)
    }

    /// The table store's name for the join's table topic.
    pub fn table_store(&self) -> Option<String> {
        self.join.as_ref().map(|(t, _)| format!("{t}-table"))
    }
}

fn json_path(value: &str, path: &[String]) -> Option<String> {
    let mut v: serde_json::Value = serde_json::from_str(value).ok()?;
    for p in path {
        v = v.get(p.as_str())?.clone();
    }
    match v {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s),
        other => Some(other.to_string()),
    }
}

fn eval(e: &Expr, r: &Rec) -> Option<String> {
    match e {
        Expr::Key => r.key.clone(),
        Expr::Value => r.value.clone(),
        Expr::Upper => r.value.as_ref().map(|v| v.to_uppercase()),
        Expr::Lower => r.value.as_ref().map(|v| v.to_lowercase()),
        Expr::Length => r.value.as_ref().map(|v| v.chars().count().to_string()),
        Expr::Path(p) => r.value.as_deref().and_then(|v| json_path(v, p)),
        Expr::Text(t) => Some(t.clone()),
    }
}

fn test(pred: Pred, subject: Option<&str>, text: &str) -> bool {
    let Some(s) = subject else { return false };
    match pred {
        Pred::Contains => s.contains(text),
        Pred::Equals => s == text,
        Pred::StartsWith => s.starts_with(text),
        Pred::EndsWith => s.ends_with(text),
        Pred::Greater | Pred::Less => match (s.trim().parse::<i64>(), text.trim().parse::<i64>()) {
            (Ok(a), Ok(b)) => {
                if pred == Pred::Greater {
                    a > b
                } else {
                    a < b
                }
            }
            _ => false,
        },
    }
}

/// Runs stateless operators over records; `join` looks a key up in the table store.
pub fn run_ops(ops: &[Op], input: Vec<Rec>, join: &dyn Fn(&str) -> Option<String>) -> Vec<Rec> {
    let mut recs = input;
    for op in ops {
        let mut next = Vec::with_capacity(recs.len());
        for r in recs {
            match op {
                Op::Filter {
                    subject,
                    pred,
                    text,
                    negate,
                } => {
                    if test(*pred, eval(subject, &r).as_deref(), text) != *negate {
                        next.push(r);
                    }
                }
                Op::MapValues(e) => next.push(Rec {
                    value: eval(e, &r),
                    ..r
                }),
                Op::SelectKey(e) => next.push(Rec {
                    key: eval(e, &r),
                    ..r
                }),
                Op::Map(k, v) => next.push(Rec {
                    key: eval(k, &r),
                    value: eval(v, &r),
                    timestamp: r.timestamp,
                }),
                Op::FlatMap { rekey, sep } => {
                    let v = r.value.clone().unwrap_or_default();
                    let words: Vec<&str> = match sep {
                        Some(s) => v.split(s.as_str()).filter(|w| !w.is_empty()).collect(),
                        None => v.split_whitespace().collect(),
                    };
                    for w in words {
                        next.push(Rec {
                            key: if *rekey {
                                Some(w.to_string())
                            } else {
                                r.key.clone()
                            },
                            value: Some(w.to_string()),
                            timestamp: r.timestamp,
                        });
                    }
                }
                Op::GroupByKey | Op::Aggregate(_) => next.push(r),
                Op::Join { left, .. } => {
                    // Stream records without a key or value are dropped by the join.
                    let (Some(k), Some(v)) = (r.key.as_deref(), r.value.as_deref()) else {
                        continue;
                    };
                    match (join(k), left) {
                        (Some(t), _) => next.push(Rec {
                            value: Some(format!("{v},{t}")),
                            ..r.clone()
                        }),
                        (None, true) => next.push(Rec {
                            value: Some(format!("{v},null")),
                            ..r.clone()
                        }),
                        (None, false) => {}
                    }
                }
            }
        }
        recs = next;
    }
    recs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(k: Option<&str>, v: &str) -> Rec {
        Rec {
            key: k.map(str::to_string),
            value: Some(v.to_string()),
            timestamp: 0,
        }
    }

    fn build(ops: &[&str]) -> Result<Topology, String> {
        let lines: Vec<String> = ops.iter().map(|s| s.to_string()).collect();
        Topology::build("in", "out", &lines, None)
    }

    #[test]
    fn word_count_topology_repartitions() {
        let t = build(&["flatMapValues split", "groupBy value", "count"]).unwrap();
        assert!(t.repartition);
        assert_eq!(t.aggregation, Some(Aggregation::Count));
        assert_eq!(t.store.as_deref(), Some("counts"));
        let out = run_ops(&t.before, vec![rec(None, "a b  a")], &|_| None);
        let keys: Vec<&str> = out.iter().filter_map(|r| r.key.as_deref()).collect();
        assert_eq!(keys, ["a", "b", "a"]);
        let t = build(&["groupByKey", "count"]).unwrap();
        assert!(!t.repartition);
    }

    #[test]
    fn stateless_operators() {
        let t = build(&[
            "filter value contains ka",
            "mapValues upper",
            "selectKey =k",
        ])
        .unwrap();
        let out = run_ops(
            &t.before,
            vec![rec(Some("x"), "kafka"), rec(Some("y"), "pulsar")],
            &|_| None,
        );
        assert_eq!(out, vec![rec(Some("k"), "KAFKA")]);
        let t = build(&["filterNot key equals x"]).unwrap();
        assert_eq!(
            run_ops(&t.before, vec![rec(Some("x"), "1")], &|_| None),
            vec![]
        );
        let t = build(&[
            "filter after.amount > 10",
            "map after.customer after.amount",
        ])
        .unwrap();
        let ev = r#"{"after":{"customer":"ann","amount":"12"},"op":"c"}"#;
        assert_eq!(
            run_ops(&t.before, vec![rec(Some("1"), ev)], &|_| None),
            vec![rec(Some("ann"), "12")]
        );
    }

    #[test]
    fn joins() {
        let t = build(&["join users"]).unwrap();
        let table = |k: &str| (k == "1").then(|| "Ann".to_string());
        let out = run_ops(
            &t.before,
            vec![rec(Some("1"), "book"), rec(Some("2"), "pen")],
            &table,
        );
        assert_eq!(out, vec![rec(Some("1"), "book,Ann")]);
        let t = build(&["leftJoin users"]).unwrap();
        let out = run_ops(&t.before, vec![rec(Some("2"), "pen")], &table);
        assert_eq!(out, vec![rec(Some("2"), "pen,null")]);
    }

    #[test]
    fn invalid_topologies_say_why() {
        assert!(build(&["frobnicate"])
            .unwrap_err()
            .contains("not an operator"));
        assert!(build(&["count", "sum"])
            .unwrap_err()
            .contains("one aggregation"));
        assert!(build(&["count", "join t"])
            .unwrap_err()
            .contains("before the aggregation"));
        assert!(build(&["selectKey value", "join t"])
            .unwrap_err()
            .contains("keyed like"));
        assert!(build(&["filter value matches x"])
            .unwrap_err()
            .contains("predicate"));
        assert!(build(&["windowedCount forever"])
            .unwrap_err()
            .contains("window size"));
        assert!(build(&["mapValues a..b"]).is_err());
        assert!(Topology::build("t", "t", &[], None).is_err());
    }
}
