//! The `postMessage` protocol between a tutorial page and an embedded player
//! (docs/embedding.md). Every message is a JSON object with `"kafkaPlayground": 1` and a
//! `"type"`; anything else is ignored by the player, and a message of a known type with a wrong
//! shape is answered with an `error` event naming the problem. The player checks the sender's
//! origin before it gets here (see the docs); this module only checks shapes.

use super::{format, Scenario};
use crate::console::ToolExit;
use crate::engine::invariants::Violation;
use crate::engine::time::Millis;
use crate::engine::Sim;
use serde_json::{json, Value};

/// The protocol version carried in every message.
pub const PROTOCOL: u64 = 1;

/// What a host page may ask of a player.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostMessage {
    /// Replace the scenario (validated like a file) and start at 0.
    Load(Box<Scenario>),
    /// Run a console line as if typed in the terminal.
    Console {
        line: String,
    },
    Play,
    Pause,
    /// One engine event forward.
    Step,
    /// Go to a simulated time (replaying from the start when going back).
    Seek {
        ms: Millis,
    },
}

/// Reads a message. `Ok(None)`: not for the playground (no `"kafkaPlayground"`), ignore it
/// silently — pages receive messages from extensions and other frames too.
pub fn parse_host_message(v: &Value) -> Result<Option<HostMessage>, String> {
    let Some(map) = v.as_object() else {
        return Ok(None);
    };
    match map.get("kafkaPlayground") {
        None => return Ok(None),
        Some(p) if p.as_u64() == Some(PROTOCOL) => {}
        Some(p) => {
            return Err(format!(
                "kafkaPlayground must be {PROTOCOL} (the protocol version); got {p}"
            ))
        }
    }
    let kind = map.get("type").and_then(Value::as_str).unwrap_or("");
    let allowed: &[&str] = match kind {
        "load" => &["kafkaPlayground", "type", "scenario"],
        "console" => &["kafkaPlayground", "type", "line"],
        "seek" => &["kafkaPlayground", "type", "ms"],
        "play" | "pause" | "step" => &["kafkaPlayground", "type"],
        _ => {
            return Err(format!(
                "type must be one of load, console, play, pause, step, seek; got {}",
                map.get("type").map_or("nothing".to_string(), format::shown)
            ))
        }
    };
    if let Some(k) = map.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(format!(
            "{kind}: unknown field {k}; allowed: {}",
            allowed.join(", ")
        ));
    }
    Ok(Some(match kind {
        "load" => {
            let s = map
                .get("scenario")
                .ok_or("load: scenario is required (a scenario file as a JSON object)")?;
            let s = format::from_value(s).map_err(|errs| {
                format!(
                    "load: the scenario is not valid:\n{}",
                    super::describe_errors(&errs)
                )
            })?;
            HostMessage::Load(Box::new(s))
        }
        "console" => match map.get("line").and_then(Value::as_str) {
            Some(l) if l.len() <= 10_000 => HostMessage::Console {
                line: l.to_string(),
            },
            _ => return Err("console: line must be a string of at most 10000 bytes".into()),
        },
        "seek" => match map.get("ms").and_then(Value::as_i64) {
            Some(ms) if ms >= 0 => HostMessage::Seek { ms },
            _ => return Err("seek: ms must be a whole number of milliseconds, 0 or more".into()),
        },
        "play" => HostMessage::Play,
        "pause" => HostMessage::Pause,
        _ => HostMessage::Step,
    }))
}

/// What a player tells its host page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlayerEvent {
    /// The player has loaded and accepts messages.
    Ready,
    /// A summary, sent after each change the host may care about (and about once a second
    /// while playing).
    State(StateSummary),
    /// The guarantee checker found a broken guarantee (a [`Guarantee`] name, or
    /// `AckedRecordLost` from the durability ledger).
    ///
    /// [`Guarantee`]: crate::engine::invariants::Guarantee
    Violation {
        at_ms: Millis,
        guarantee: String,
        detail: String,
    },
    /// What a `console` message printed.
    ConsoleOutput(ToolExit),
    /// A message was refused.
    Error { message: String },
}

/// The host's view of the world.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateSummary {
    pub now_ms: Millis,
    pub playing: bool,
    pub brokers: u32,
    pub brokers_alive: u32,
    pub topics: u32,
    pub groups: u32,
    pub produced: u64,
    pub consumed: u64,
}

impl StateSummary {
    pub fn of(sim: &Sim, playing: bool) -> StateSummary {
        let brokers = sim.brokers();
        let clients = sim.client_views();
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        StateSummary {
            now_ms: sim.now(),
            playing,
            brokers: count(brokers.len()),
            brokers_alive: count(brokers.iter().filter(|b| b.alive).count()),
            topics: count(sim.topic_names(false).len()),
            groups: count(sim.group_ids().len()),
            produced: clients.iter().map(|c| c.acked).sum(),
            consumed: clients.iter().map(|c| c.consumed).sum(),
        }
    }
}

impl From<&Violation> for PlayerEvent {
    fn from(v: &Violation) -> PlayerEvent {
        PlayerEvent::Violation {
            at_ms: v.at,
            guarantee: format!("{:?}", v.guarantee),
            detail: v.detail.clone(),
        }
    }
}

impl PlayerEvent {
    /// The message the player posts to its host.
    pub fn to_json(&self) -> Value {
        let mut v = match self {
            PlayerEvent::Ready => json!({"type": "ready"}),
            PlayerEvent::State(s) => json!({
                "type": "state",
                "now_ms": s.now_ms,
                "playing": s.playing,
                "brokers": s.brokers,
                "brokers_alive": s.brokers_alive,
                "topics": s.topics,
                "groups": s.groups,
                "produced": s.produced,
                "consumed": s.consumed,
            }),
            PlayerEvent::Violation {
                at_ms,
                guarantee,
                detail,
            } => json!({
                "type": "violation",
                "at_ms": at_ms,
                "guarantee": guarantee,
                "detail": detail,
            }),
            PlayerEvent::ConsoleOutput(x) => json!({
                "type": "console_output",
                "stdout": x.stdout,
                "stderr": x.stderr,
                "code": x.code,
            }),
            PlayerEvent::Error { message } => json!({"type": "error", "message": message}),
        };
        if let Some(m) = v.as_object_mut() {
            m.insert("kafkaPlayground".into(), json!(PROTOCOL));
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::default_scenario;

    #[test]
    fn messages_are_validated_by_shape() {
        let ok = |v: Value| parse_host_message(&v).expect("valid");
        assert_eq!(
            ok(json!({"kafkaPlayground": 1, "type": "play"})),
            Some(HostMessage::Play)
        );
        assert_eq!(
            ok(json!({"kafkaPlayground": 1, "type": "seek", "ms": 5000})),
            Some(HostMessage::Seek { ms: 5000 })
        );
        assert_eq!(ok(json!({"hello": "from an extension"})), None);
        assert_eq!(ok(json!("just a string")), None);
        let scenario: Value = serde_json::from_str(&default_scenario().to_json()).expect("json");
        assert_eq!(
            ok(json!({"kafkaPlayground": 1, "type": "load", "scenario": scenario})),
            Some(HostMessage::Load(Box::new(default_scenario())))
        );
        let err = |v: Value| parse_host_message(&v).expect_err("invalid");
        assert_eq!(
            err(json!({"kafkaPlayground": 1, "type": "seek", "ms": -1})),
            "seek: ms must be a whole number of milliseconds, 0 or more"
        );
        assert_eq!(
            err(json!({"kafkaPlayground": 1, "type": "play", "speed": 2})),
            "play: unknown field speed; allowed: kafkaPlayground, type"
        );
        assert!(err(json!({"kafkaPlayground": 1, "type": "explode"}))
            .starts_with("type must be one of"));
        assert!(err(json!({"kafkaPlayground": 2, "type": "play"})).contains("must be 1"));
        assert!(
            err(json!({"kafkaPlayground": 1, "type": "load", "scenario": {"version": 1}}))
                .contains("seed: is required")
        );
    }

    #[test]
    fn events_carry_the_protocol_version() {
        let sim = default_scenario().build().expect("builds");
        let e = PlayerEvent::State(StateSummary::of(&sim, false)).to_json();
        assert_eq!(e["kafkaPlayground"], json!(1));
        assert_eq!(e["type"], json!("state"));
        assert_eq!(e["brokers"], json!(3));
        assert_eq!(e["topics"], json!(1));
        assert_eq!(
            PlayerEvent::Ready.to_json(),
            json!({"type": "ready", "kafkaPlayground": 1})
        );
    }
}
