//! Playground commands for the database, Kafka Connect and Kafka Streams: `table ...`,
//! `connector ...`, `streams ...`. They drive the engine through `Command`s and print its
//! `flows_view`.

use crate::console::output::ToolExit;
use crate::console::run::Console;
use crate::engine::connect::database::parse_row;
use crate::engine::connect::worker::{ConnectorCommand, DatabaseCommand};
use crate::engine::streams::processor::StreamsCommand;
use crate::engine::streams::topology::parse_ms;
use crate::engine::time::Millis;
use crate::engine::Command;

fn fail(message: impl Into<String>) -> ToolExit {
    let mut m = message.into();
    if !m.ends_with('\n') {
        m.push('\n');
    }
    ToolExit::err(m, 1)
}

/// `--name value` / `--name=value` options (repeatable ones kept in order) and positionals.
struct Args {
    values: Vec<(String, String)>,
    positional: Vec<String>,
}

impl Args {
    fn parse(cmd: &str, args: &[String], valued: &[&str]) -> Result<Args, String> {
        let mut a = Args {
            values: Vec::new(),
            positional: Vec::new(),
        };
        let mut i = 0;
        while i < args.len() {
            let w = &args[i];
            i += 1;
            let Some(body) = w.strip_prefix("--") else {
                a.positional.push(w.clone());
                continue;
            };
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (body, None),
            };
            if !valued.contains(&name) {
                let allowed: Vec<String> = valued.iter().map(|n| format!("--{n}")).collect();
                return Err(format!(
                    "{cmd}: unknown option --{name}; allowed: {}",
                    if allowed.is_empty() {
                        "none".to_string()
                    } else {
                        allowed.join(", ")
                    }
                ));
            }
            let v = match inline {
                Some(v) => v,
                None => {
                    let Some(v) = args.get(i) else {
                        return Err(format!("{cmd}: --{name} needs a value"));
                    };
                    i += 1;
                    v.clone()
                }
            };
            a.values.push((name.to_string(), v));
        }
        Ok(a)
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn all(&self, name: &str) -> Vec<String> {
        self.values
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    fn require(&self, cmd: &str, name: &str) -> Result<String, String> {
        self.get(name)
            .map(str::to_string)
            .ok_or_else(|| format!("{cmd}: --{name} is required"))
    }
}

fn duration(cmd: &str, name: &str, v: Option<&str>) -> Result<Option<Millis>, String> {
    match v {
        None => Ok(None),
        Some(v) => parse_ms(v).map(Some).ok_or_else(|| {
            format!("{cmd}: --{name} '{v}' is not a duration: use e.g. 500ms, 5s, 1m")
        }),
    }
}

const TABLE_USAGE: &str = "table: usage: table create NAME --key COLUMN | table insert NAME col=value... | table update NAME key=value col=value... | table delete NAME KEY | table show NAME | table list";
const CONNECTOR_USAGE: &str = "connector: usage: connector create source NAME --table TABLE --topic TOPIC [--flush-interval 60s] | connector create sink NAME --topic TOPIC --table TABLE [--key COLUMN] [--flush-interval 60s] | connector stop|start|kill NAME | connector status";
const STREAMS_USAGE: &str = "streams: usage: streams create APP --from TOPIC --to TOPIC --op 'OPERATOR' [--op ...] [--store NAME] [--instances N] [--commit-interval 30s] | streams stop|start APP | streams kill APP [--instance N] | streams status [APP]";

fn apply(console: &mut Console, what: &str, c: Command, ok: String) -> ToolExit {
    match console.sim.apply(c) {
        Ok(_) => ToolExit::ok(ok),
        Err(e) => fail(format!("{what}: {}", e.message)),
    }
}

/// `table ...`: the simulated database.
pub fn table(console: &mut Console, sub: &str, args: &[String]) -> ToolExit {
    let cmd = format!("table {sub}");
    let a = match Args::parse(&cmd, args, &["key"]) {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    let name = a.positional.first().cloned();
    let rest: Vec<String> = a.positional.iter().skip(1).cloned().collect();
    match (sub, name) {
        ("create", Some(t)) if rest.is_empty() => {
            let key = a.get("key").unwrap_or("id").to_string();
            let ok = format!("Created table {t} (primary key {key}).\n");
            apply(
                console,
                &cmd,
                Command::Database(DatabaseCommand::CreateTable { table: t, key }),
                ok,
            )
        }
        ("insert" | "update", Some(t)) => {
            let row = match parse_row(&rest) {
                Ok(r) => r,
                Err(e) => return fail(format!("{cmd}: {e}")),
            };
            let c = if sub == "insert" {
                DatabaseCommand::Insert {
                    table: t.clone(),
                    row,
                }
            } else {
                DatabaseCommand::Update {
                    table: t.clone(),
                    row,
                }
            };
            let before = console.sim().database().last_lsn();
            match console.sim.apply(Command::Database(c)) {
                Ok(_) => {
                    let lsn = console.sim().database().last_lsn();
                    let verb = if sub == "insert" {
                        "INSERT 0 1"
                    } else {
                        "UPDATE 1"
                    };
                    debug_assert!(lsn > before);
                    ToolExit::ok(format!("{verb} (LSN {lsn})\n"))
                }
                Err(e) => fail(format!("{cmd}: {}", e.message)),
            }
        }
        ("delete", Some(t)) => {
            let [k] = rest.as_slice() else {
                return fail(format!(
                    "{cmd}: give the primary key's value: table delete {t} 1 (or id=1)"
                ));
            };
            let key = k.split_once('=').map_or(k.as_str(), |(_, v)| v).to_string();
            match console
                .sim
                .apply(Command::Database(DatabaseCommand::Delete { table: t, key }))
            {
                Ok(_) => {
                    let lsn = console.sim().database().last_lsn();
                    ToolExit::ok(format!("DELETE 1 (LSN {lsn})\n"))
                }
                Err(e) => fail(format!("{cmd}: {}", e.message)),
            }
        }
        ("show", Some(t)) => match console.sim().database().table(&t) {
            Ok(_) => ToolExit::ok(show_table(console, &t)),
            Err(e) => fail(format!("{cmd}: {e}")),
        },
        ("list", None) => {
            let v = console.sim().flows_view();
            if v.tables.is_empty() {
                return ToolExit::ok("No tables.\n".to_string());
            }
            let mut s = String::new();
            for t in v.tables {
                s.push_str(&format!(
                    "{}  primary key {}  {} row(s)  last LSN {}\n",
                    t.name,
                    t.key,
                    t.rows.len(),
                    t.last_lsn
                ));
            }
            ToolExit::ok(s)
        }
        _ => fail(TABLE_USAGE),
    }
}

/// The table in psql's aligned format.
fn show_table(console: &Console, name: &str) -> String {
    let v = console.sim().flows_view();
    let Some(t) = v.tables.into_iter().find(|t| t.name == name) else {
        return String::new();
    };
    let cells: Vec<Vec<String>> = t
        .rows
        .iter()
        .map(|r| {
            t.columns
                .iter()
                .map(|c| r.get(c).cloned().unwrap_or_default())
                .collect()
        })
        .collect();
    let widths: Vec<usize> = t
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            cells
                .iter()
                .map(|r| r[i].chars().count())
                .chain([c.chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |vals: &[String]| -> String {
        let parts: Vec<String> = vals
            .iter()
            .zip(&widths)
            .map(|(v, w)| format!(" {v:<w$} ", w = *w))
            .collect();
        parts.join("|").trim_end().to_string() + "\n"
    };
    let mut s = line(&t.columns);
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(w + 2)).collect();
    s.push_str(&rule.join("+"));
    s.push('\n');
    for r in &cells {
        s.push_str(&line(r));
    }
    s.push_str(&format!(
        "({} row{})\n",
        cells.len(),
        if cells.len() == 1 { "" } else { "s" }
    ));
    s
}

/// `connector ...`: the Connect worker.
pub fn connector(console: &mut Console, sub: &str, args: &[String]) -> ToolExit {
    match sub {
        "create" => connector_create(console, args),
        "stop" | "start" | "kill" => {
            let [name] = args else {
                return fail(format!("connector {sub}: usage: connector {sub} NAME"));
            };
            let name = name.clone();
            let (c, ok) = match sub {
                "stop" => (
                    ConnectorCommand::Stop { name: name.clone() },
                    format!("Stopping connector {name}: it flushes, then stops.\n"),
                ),
                "start" => (
                    ConnectorCommand::Start { name: name.clone() },
                    format!("Started connector {name}.\n"),
                ),
                _ => (
                    ConnectorCommand::Kill { name: name.clone() },
                    format!("Killed connector {name}'s task: nothing was flushed.\n"),
                ),
            };
            apply(
                console,
                &format!("connector {sub}"),
                Command::Connector(c),
                ok,
            )
        }
        "status" if args.is_empty() => ToolExit::ok(connector_status(console)),
        _ => fail(CONNECTOR_USAGE),
    }
}

fn connector_create(console: &mut Console, args: &[String]) -> ToolExit {
    let cmd = "connector create";
    let a = match Args::parse(cmd, args, &["table", "topic", "key", "flush-interval"]) {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    let [kind, name] = a.positional.as_slice() else {
        return fail(CONNECTOR_USAGE);
    };
    let parsed = (|| -> Result<(Command, String), String> {
        let table = a.require(cmd, "table")?;
        let topic = a.require(cmd, "topic")?;
        let flush = duration(cmd, "flush-interval", a.get("flush-interval"))?;
        match kind.as_str() {
            "source" => {
                if a.get("key").is_some() {
                    return Err(format!("{cmd}: --key is for sink connectors (a source uses its table's primary key)"));
                }
                Ok((
                    Command::Connector(ConnectorCommand::CreateSource {
                        name: name.clone(),
                        table: table.clone(),
                        topic: topic.clone(),
                        flush_interval_ms: flush,
                    }),
                    format!("Created source connector {name}: changes of table {table} → topic {topic}.\n"),
                ))
            }
            "sink" => Ok((
                Command::Connector(ConnectorCommand::CreateSink {
                    name: name.clone(),
                    topic: topic.clone(),
                    table: table.clone(),
                    key: a.get("key").map(str::to_string),
                    flush_interval_ms: flush,
                }),
                format!("Created sink connector {name}: topic {topic} → table {table} (upsert), group connect-{name}.\n"),
            )),
            other => Err(format!("{cmd}: '{other}' is not a connector type: use source or sink")),
        }
    })();
    match parsed {
        Ok((c, ok)) => apply(console, cmd, c, ok),
        Err(e) => fail(e),
    }
}

fn connector_status(console: &Console) -> String {
    let v = console.sim().flows_view();
    if v.connectors.is_empty() {
        return "No connectors.\n".into();
    }
    let mut s = String::new();
    for c in v.connectors {
        let lsn = |l: Option<i64>| l.map_or("-".to_string(), |l| l.to_string());
        if c.kind == "source" {
            s.push_str(&format!(
                "{}  source  {}  table {} → topic {}  position LSN {}  stored LSN {}  records {}{}\n",
                c.name,
                c.state,
                c.table,
                c.topic,
                if c.loading { "(reading connect-offsets)".into() } else { lsn(c.position) },
                lsn(c.stored),
                c.records,
                c.error.map(|e| format!("  error: {e}")).unwrap_or_default()
            ));
        } else {
            let committed: Vec<String> = c
                .committed
                .iter()
                .map(|(tp, o)| format!("{tp}={o}"))
                .collect();
            s.push_str(&format!(
                "{}  sink  {}  topic {} → table {}  group {}  committed [{}]  written {}\n",
                c.name,
                c.state,
                c.topic,
                c.table,
                c.group.unwrap_or_default(),
                committed.join(", "),
                c.records
            ));
        }
    }
    s
}

/// `streams ...`: Kafka Streams apps.
pub fn streams(console: &mut Console, sub: &str, args: &[String]) -> ToolExit {
    let cmd = format!("streams {sub}");
    match sub {
        "create" => {
            let a = match Args::parse(
                &cmd,
                args,
                &["from", "to", "op", "store", "instances", "commit-interval"],
            ) {
                Ok(a) => a,
                Err(e) => return fail(e),
            };
            let parsed = (|| -> Result<Command, String> {
                let [app] = a.positional.as_slice() else {
                    return Err(STREAMS_USAGE.to_string());
                };
                let instances = match a.get("instances") {
                    None => 1,
                    Some(n) => n.parse::<u32>().map_err(|_| {
                        format!("{cmd}: --instances '{n}' is not a number (1 to 8)")
                    })?,
                };
                Ok(Command::Streams(StreamsCommand::Create {
                    app: app.clone(),
                    from: a.require(&cmd, "from")?,
                    to: a.require(&cmd, "to")?,
                    ops: a.all("op"),
                    store: a.get("store").map(str::to_string),
                    instances,
                    commit_interval_ms: duration(
                        &cmd,
                        "commit-interval",
                        a.get("commit-interval"),
                    )?,
                }))
            })();
            match parsed {
                Ok(c) => {
                    let app = match &c {
                        Command::Streams(StreamsCommand::Create { app, .. }) => app.clone(),
                        _ => String::new(),
                    };
                    match console.sim.apply(c) {
                        Ok(_) => ToolExit::ok(format!(
                            "Created streams app {app}.\n{}",
                            app_lines(console, &app)
                        )),
                        Err(e) => fail(format!("{cmd}: {}", e.message)),
                    }
                }
                Err(e) => fail(e),
            }
        }
        "stop" | "start" => {
            let [app] = args else {
                return fail(format!("{cmd}: usage: streams {sub} APP"));
            };
            let (c, ok) = if sub == "stop" {
                (
                    StreamsCommand::Stop { app: app.clone() },
                    format!("Stopping streams app {app}: it commits, then leaves group {app}.\n"),
                )
            } else {
                (
                    StreamsCommand::Start { app: app.clone() },
                    format!("Started streams app {app}: it joins group {app} and restores its stores.\n"),
                )
            };
            apply(console, &cmd, Command::Streams(c), ok)
        }
        "kill" => {
            let a = match Args::parse(&cmd, args, &["instance"]) {
                Ok(a) => a,
                Err(e) => return fail(e),
            };
            let [app] = a.positional.as_slice() else {
                return fail(format!("{cmd}: usage: streams kill APP [--instance N]"));
            };
            let instance = match a.get("instance").map(|n| n.parse::<u32>()) {
                None => None,
                Some(Ok(n)) => Some(n),
                Some(Err(_)) => return fail(format!("{cmd}: --instance must be a number")),
            };
            let which = instance.map_or("every instance".to_string(), |n| format!("instance {n}"));
            apply(
                console,
                &cmd,
                Command::Streams(StreamsCommand::Kill {
                    app: app.clone(),
                    instance,
                }),
                format!("Killed {which} of streams app {app}: nothing was committed.\n"),
            )
        }
        "status" => {
            let v = console.sim().flows_view();
            match args {
                [] if v.streams.is_empty() => ToolExit::ok("No streams apps.\n".to_string()),
                [] => {
                    let s: String = v
                        .streams
                        .iter()
                        .map(|a| app_lines(console, &a.app))
                        .collect();
                    ToolExit::ok(s)
                }
                [app] if v.streams.iter().any(|a| &a.app == app) => {
                    ToolExit::ok(app_lines(console, app))
                }
                [app] => fail(format!("{cmd}: no streams app {app}")),
                _ => fail(STREAMS_USAGE),
            }
        }
        _ => fail(STREAMS_USAGE),
    }
}

fn app_lines(console: &Console, app: &str) -> String {
    let v = console.sim().flows_view();
    let Some(a) = v.streams.into_iter().find(|a| a.app == app) else {
        return String::new();
    };
    let mut s = format!(
        "{}  {}  {} → {}  instances {}/{}  processed {}\n",
        a.app,
        a.state,
        a.source,
        a.sink,
        a.instances.len(),
        a.instances_wanted,
        a.processed
    );
    if !a.ops.is_empty() {
        s.push_str(&format!("  topology: {}\n", a.ops.join(" → ")));
    }
    if let Some(r) = &a.repartition {
        s.push_str(&format!("  repartition topic: {r}\n"));
    }
    for i in &a.instances {
        let parts: Vec<String> = i.assigned.iter().map(|tp| tp.to_string()).collect();
        s.push_str(&format!(
            "  instance {}: {}{}  partitions [{}]  processed {}\n",
            i.id,
            i.consumer,
            if i.restoring { "  (restoring)" } else { "" },
            parts.join(", "),
            i.processed
        ));
    }
    for (store, topic) in &a.changelogs {
        let contents = a.stores.get(store).cloned().unwrap_or_default();
        let shown: Vec<String> = contents
            .iter()
            .take(20)
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let more = if contents.len() > 20 {
            format!(", ... ({} keys)", contents.len())
        } else {
            String::new()
        };
        s.push_str(&format!(
            "  store {store} (changelog {topic}): {{{}{more}}}\n",
            shown.join(", ")
        ));
    }
    s
}

/// `help table|connector|streams`.
pub fn help(topic: &str) -> Option<&'static str> {
    Some(match topic {
        "table" => "\
table create NAME [--key COLUMN]      a table of the simulated database (primary key: id)
table insert NAME col=value...        INSERT a row (the key column is required)
table update NAME key=value col=value...  UPDATE the row with that key: sets the given columns
table delete NAME KEY                 DELETE the row with that key (KEY or key=KEY)
table show NAME                       the rows, as psql prints them
table list                            every table with its last LSN
  Every committed change gets the next log sequence number (LSN) in the database's commit
  log, which a source connector reads. Values are text.
",
        "connector" => "\
connector create source NAME --table TABLE --topic TOPIC [--flush-interval 60s]
  Change data capture (Debezium-style): each committed change of TABLE becomes a record in
  TOPIC, in commit order, keyed by the primary key ({\"id\":\"1\"}), valued with a change event
  {\"before\":...,\"after\":...,\"source\":{...,\"lsn\":N},\"op\":\"c|u|d|r\",\"ts_ms\":...}; a delete
  is followed by a tombstone. Without a stored position it first snapshots the rows (op r).
  Its position (LSN) is stored in the compacted topic connect-offsets (25 partitions) every
  offset.flush.interval.ms (60 s) once everything before it is acknowledged, and on stop.
connector create sink NAME --topic TOPIC --table TABLE [--key COLUMN] [--flush-interval 60s]
  Reads TOPIC in group connect-NAME and upserts into TABLE (created if missing, primary key
  --key, default id): a change event's after row, a delete or tombstone deletes, any other
  record becomes {COLUMN: key, value: value}. Offsets are committed every flush interval.
connector stop NAME    flush (store the position / commit), then stop: a restart resumes there
connector start NAME   start a stopped or killed connector: it reads its position back
connector kill NAME    the task's process dies: nothing is flushed, so changes since the last
                       stored position are produced again on start (at-least-once)
connector status       every connector: state, position, stored position, records
",
        "streams" => "\
streams create APP --from TOPIC --to TOPIC --op 'OPERATOR' [--op ...] [--store NAME]
               [--instances N] [--commit-interval 30s]
  A Kafka Streams app: N instances in consumer group APP (application.id), each with a
  producer. Operators, applied in order (Kafka's DSL names):
    filter|filterNot SUBJECT PRED TEXT   SUBJECT: key, value or a JSON field path (after.name);
                                         PRED: contains, equals, startsWith, endsWith, >, <
    mapValues EXPR | selectKey EXPR | map KEYEXPR VALUEEXPR
                                         EXPR: key, value, upper, lower, length, a JSON field
                                         path, or =TEXT (a constant)
    flatMapValues split [SEP] | flatMap split [SEP]   one record per word (flatMap: keyed by it)
    groupByKey | groupBy EXPR            group as keyed, or re-key first
    count | sum | windowedCount SIZE     aggregate into a store (tumbling windows of SIZE)
    join TOPIC | leftJoin TOPIC          with the table read from TOPIC (value: left,right)
  A store is in memory, backed by the compacted changelog topic APP-STORE-changelog, and is
  restored by replaying it whenever a task starts. Re-keying before an aggregation goes
  through the repartition topic APP-STORE-repartition. Every update is forwarded to --to.
  At-least-once: offsets are committed every commit.interval.ms (30 s) after the producer
  flushed; after a crash the records since then are processed again (counts can exceed the
  truth). Exactly-once is not modelled.
  e.g. word count: --op 'flatMapValues split' --op 'groupBy value' --op count
streams stop APP                  commit, then leave the group
streams start APP                 start the instances that are not running (stores restore)
streams kill APP [--instance N]   an instance's process dies (all without --instance)
streams status [APP]              state, instances and their partitions, store contents
",
        _ => return None,
    })
}
