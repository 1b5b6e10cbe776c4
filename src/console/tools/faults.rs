//! Playground commands for faults beyond broker stops, and for what they cost: `network ...`,
//! `controller stop|kill|start`, and `invariants` (the live guarantee checker's findings).

use crate::console::output::ToolExit;
use crate::console::run::Console;
use crate::engine::faults::NetworkFault;
use crate::engine::invariants::Guarantee;
use crate::engine::network::NodeId;
use crate::engine::time::{human, Millis};
use crate::engine::Command;

/// How many violations `invariants` lists (the counts cover all).
const LISTED: usize = 20;

fn fail(message: impl Into<String>) -> ToolExit {
    let mut m = message.into();
    if !m.ends_with('\n') {
        m.push('\n');
    }
    ToolExit::err(m, 1)
}

/// A node named the way a learner would: a broker id, `leader:TOPIC:PARTITION`, a controller
/// id (3000…), `controller` (the active one), `zk1` / `zookeeper:1`, `broker:N`,
/// `controller:N`, or a client's name.
pub fn resolve_node(console: &Console, name: &str) -> Result<NodeId, String> {
    let sim = console.sim();
    if name == "controller" {
        return sim.active_controller().ok_or_else(|| {
            "there is no active controller now (no majority of the controller quorum)".to_string()
        });
    }
    if name.starts_with("leader:") {
        return super::playground::resolve_broker(console, name).map(NodeId::Broker);
    }
    if let Ok(n) = NodeId::from_key(name) {
        return Ok(n);
    }
    let zk = name
        .strip_prefix("zk")
        .or_else(|| name.strip_prefix("zookeeper"))
        .and_then(|n| n.parse::<i32>().ok());
    if let Some(z) = zk {
        return Ok(NodeId::ZooKeeper(z));
    }
    if let Ok(id) = name.parse::<i32>() {
        let is_voter = sim.controller_view().voters.iter().any(|v| v.id == id);
        return Ok(if is_voter {
            NodeId::Controller(id)
        } else {
            NodeId::Broker(id)
        });
    }
    sim.client_node(name).ok_or_else(|| {
        format!("'{name}' is not a broker id, leader:TOPIC:PARTITION, a controller id, zkN, `controller` or a running client's name")
    })
}

fn nodes(console: &Console, list: &str) -> Result<Vec<NodeId>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| resolve_node(console, s))
        .collect()
}

/// A node as the console names it back.
pub fn node_name(console: &Console, n: NodeId) -> String {
    match n {
        NodeId::Broker(b) => format!("broker {b}"),
        NodeId::Controller(c) => format!("controller {c}"),
        NodeId::ZooKeeper(z) => format!("zookeeper {z}"),
        NodeId::Client(c) => match console.sim().client_name(c) {
            Some(name) => format!("client {name}"),
            None => format!("client {c}"),
        },
    }
}

const NETWORK_USAGE: &str = "network: usage: network isolate NODE | network partition A,B / C,D | network latency A B 50ms | network loss A B 10% | network heal | network status";

/// `network isolate|partition|latency|loss|heal|status`.
pub fn network(console: &mut Console, args: &[String]) -> ToolExit {
    let Some(action) = args.first() else {
        return fail(NETWORK_USAGE);
    };
    let rest = &args[1..];
    let fault = match (action.as_str(), rest) {
        ("status", []) => return network_status(console),
        ("heal", []) => NetworkFault::Heal,
        ("isolate", [n]) => match resolve_node(console, n) {
            Ok(n) => NetworkFault::Isolate(n),
            Err(e) => return fail(format!("network isolate: {e}")),
        },
        ("partition", _) if !rest.is_empty() => {
            let joined = rest.join(" ");
            let Some((a, b)) = joined.split_once('/') else {
                return fail("network partition: separate the two sides with /, as in: network partition 0,1 / 2");
            };
            match (nodes(console, a), nodes(console, b)) {
                (Ok(a), Ok(b)) => NetworkFault::Partition(a, b),
                (Err(e), _) | (_, Err(e)) => return fail(format!("network partition: {e}")),
            }
        }
        ("latency", [a, b, d]) => {
            let ms = match crate::console::script::parse_duration(d) {
                Ok(ms) => Millis::try_from(ms).unwrap_or(Millis::MAX),
                Err(e) => return fail(format!("network latency: {e}")),
            };
            match (resolve_node(console, a), resolve_node(console, b)) {
                (Ok(a), Ok(b)) => NetworkFault::Latency(a, b, ms),
                (Err(e), _) | (_, Err(e)) => return fail(format!("network latency: {e}")),
            }
        }
        ("loss", [a, b, p]) => {
            let Some(pct) = p.trim_end_matches('%').parse::<u32>().ok() else {
                return fail(format!(
                    "network loss: '{p}' is not a percentage; use 0% to 100%"
                ));
            };
            match (resolve_node(console, a), resolve_node(console, b)) {
                (Ok(a), Ok(b)) => NetworkFault::Loss(a, b, pct),
                (Err(e), _) | (_, Err(e)) => return fail(format!("network loss: {e}")),
            }
        }
        _ => return fail(NETWORK_USAGE),
    };
    let said = describe(console, &fault);
    match console.sim.apply(Command::Network(fault)) {
        Ok(_) => ToolExit::ok(said),
        Err(e) => fail(format!("network {action}: {}", e.message)),
    }
}

fn describe(console: &Console, f: &NetworkFault) -> String {
    let list = |v: &[NodeId]| {
        v.iter()
            .map(|n| node_name(console, *n))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match f {
        NetworkFault::Isolate(n) => format!(
            "Isolated {}: every message to or from it is lost until `network heal`.\n",
            node_name(console, *n)
        ),
        NetworkFault::Partition(a, b) => format!(
            "Partitioned {} from {}: messages between the sides are lost until `network heal`.\n",
            list(a),
            list(b)
        ),
        NetworkFault::Latency(a, b, ms) => format!(
            "Link {} <-> {}: {ms} ms one way.\n",
            node_name(console, *a),
            node_name(console, *b)
        ),
        NetworkFault::Loss(a, b, p) => format!(
            "Link {} <-> {}: loses {p}% of messages.\n",
            node_name(console, *a),
            node_name(console, *b)
        ),
        NetworkFault::Heal => {
            "Network healed: every link works again at the default latency.\n".into()
        }
    }
}

fn network_status(console: &Console) -> ToolExit {
    let f = console.sim().network_faults();
    if f.is_empty() {
        return ToolExit::ok("Network: every link works (no faults).\n");
    }
    let mut s = String::from("Network faults:\n");
    for n in &f.isolated {
        s.push_str(&format!("  isolated  {}\n", node_name(console, *n)));
    }
    for (a, b) in &f.cut {
        s.push_str(&format!(
            "  cut       {} <-> {}\n",
            node_name(console, *a),
            node_name(console, *b)
        ));
    }
    for ((a, b), p) in &f.loss_percent {
        s.push_str(&format!(
            "  loss      {} <-> {}  {p}%\n",
            node_name(console, *a),
            node_name(console, *b)
        ));
    }
    for ((a, b), ms) in &f.latency_ms {
        s.push_str(&format!(
            "  latency   {} <-> {}  {ms} ms\n",
            node_name(console, *a),
            node_name(console, *b)
        ));
    }
    ToolExit::ok(s)
}

const CONTROLLER_USAGE: &str = "controller: usage: controller stop|kill|start NODE, where NODE is a controller id (3000, 3001...), zkN in the ZooKeeper era, or `controller` for the active one";

/// `controller stop|kill|start NODE`: KRaft voters and ZooKeeper servers.
pub fn controller(console: &mut Console, args: &[String]) -> ToolExit {
    let [action, target] = args else {
        return fail(CONTROLLER_USAGE);
    };
    let node = match resolve_node(console, target) {
        Ok(n @ (NodeId::Controller(_) | NodeId::ZooKeeper(_))) => n,
        Ok(NodeId::Broker(b)) if console.sim().active_controller() == Some(NodeId::Broker(b)) => {
            return fail(format!(
                "controller {action}: broker {b} is the ZooKeeper-era controller; stop it with `broker {action} {b}`"
            ))
        }
        Ok(other) => {
            return fail(format!(
                "controller {action}: {} is not a controller node",
                node_name(console, other)
            ))
        }
        Err(e) => return fail(format!("controller {action}: {e}")),
    };
    let command = match action.as_str() {
        "stop" => Command::StopController { node, hard: false },
        "kill" => Command::StopController { node, hard: true },
        "start" => Command::StartController { node },
        _ => return fail(CONTROLLER_USAGE),
    };
    let name = node_name(console, node);
    // Combined mode: the controller and its broker are one process, which goes and comes as one.
    let shared = match node {
        NodeId::Controller(id) if console.sim().controller_view().combined => format!(
            "Broker {id} runs in the same process (process.roles=broker,controller): it {} too.\n",
            match action.as_str() {
                "stop" => "stopped",
                "kill" => "was killed",
                _ => "started",
            }
        ),
        _ => String::new(),
    };
    match console.sim.apply(command) {
        Ok(_) => ToolExit::ok(
            match action.as_str() {
                "stop" => format!(
                    "{name} stopped{}.\n",
                    if matches!(node, NodeId::Controller(_)) {
                        " (a leader resigns first: the others elect at once)"
                    } else {
                        ""
                    }
                ),
                "kill" => format!(
                    "{name} killed{}.\n",
                    if matches!(node, NodeId::Controller(_)) {
                        ": the others elect a new leader after controller.quorum.fetch.timeout.ms"
                    } else {
                        ""
                    }
                ),
                _ => format!("{name} started.\n"),
            } + &shared,
        ),
        Err(e) => fail(format!("controller {action}: {}", e.message)),
    }
}

/// `invariants`: every guarantee with its count, then the first violations with their causes.
pub fn invariants(console: &Console) -> ToolExit {
    let sim = console.sim();
    let counts = sim.violation_counts();
    let total: u64 = counts.iter().map(|(_, n)| n).sum();
    let mut s = format!(
        "Guarantee checker: {} guarantees, checked after every event; {}.\n",
        counts.len(),
        match total {
            0 => "no violations".to_string(),
            1 => "1 violation".to_string(),
            n => format!("{n} violations"),
        }
    );
    let width = Guarantee::ALL
        .iter()
        .map(|g| g.name().len())
        .max()
        .unwrap_or(0);
    for (g, n) in &counts {
        let verdict = if *n == 0 {
            "ok      ".to_string()
        } else {
            format!("{n:<8}")
        };
        s.push_str(&format!(
            "  {:<width$}  {verdict}{}\n",
            g.name(),
            g.promise()
        ));
    }
    let found = sim.violations();
    if !found.is_empty() {
        s.push_str(&format!(
            "Violations ({}):\n",
            if total as usize > LISTED.min(found.len()) {
                format!("the first {} of {total}", LISTED.min(found.len()))
            } else {
                "all".to_string()
            }
        ));
        for v in found.iter().take(LISTED) {
            s.push_str(&format!(
                "  at {}  {}: {}\n",
                human(v.at),
                v.guarantee.name(),
                v.detail
            ));
        }
    }
    ToolExit::ok(s)
}
