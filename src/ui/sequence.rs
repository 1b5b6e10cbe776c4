//! A message-sequence chart of the latest messages: one lifeline per node (clients, brokers,
//! controllers), one arrow per message, newest at the bottom, coloured as on the stage. Lost
//! messages are dashed and crossed out. Background chatter can be hidden.

use super::i18n::{t, Lang, Text};
use super::stage::colour;
use crate::engine::network::NodeId;
use crate::engine::protocol::ApiKey;
use crate::engine::time::{human, Millis};
use crate::engine::trace::TraceEvent;
use crate::engine::view::ClientKind;
use crate::ordered;
use crate::ordered::CollectOrdered;
use crate::scenario::Session;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use yew::prelude::*;

/// Messages drawn.
const ROWS: usize = 18;
/// Trace events looked through for them (the newest).
const LOOK_BACK: usize = 4_000;
const W: f64 = 320.0;
const ROW: f64 = 15.0;
const HEAD: f64 = 30.0;
const TIME_W: f64 = 46.0;

/// Heartbeats, replica fetches and quorum traffic: always there, rarely the point.
fn chatter(api: ApiKey, from: NodeId, to: NodeId) -> bool {
    matches!(
        api,
        ApiKey::Heartbeat
            | ApiKey::BrokerHeartbeat
            | ApiKey::ZkSession
            | ApiKey::ConsumerGroupHeartbeat
    ) || matches!(
        (from, to),
        (NodeId::Broker(_), NodeId::Broker(_))
            | (NodeId::Controller(_), _)
            | (_, NodeId::Controller(_))
    )
}

struct Arrow {
    at: Millis,
    api: ApiKey,
    from: NodeId,
    to: NodeId,
    lost: bool,
}

fn short(n: NodeId, names: &BTreeMap<NodeId, String>) -> String {
    match n {
        NodeId::Broker(b) => format!("b{b}"),
        NodeId::Controller(c) => format!("c{c}"),
        NodeId::ZooKeeper(z) => format!("zk{z}"),
        NodeId::Client(_) => names.get(&n).cloned().unwrap_or_else(|| n.to_string()),
    }
}

#[derive(Properties)]
pub struct SequenceProps {
    pub lang: Lang,
    pub world: Rc<RefCell<Session>>,
    pub count: u64,
}

impl PartialEq for SequenceProps {
    fn eq(&self, other: &Self) -> bool {
        self.lang == other.lang
            && self.count == other.count
            && Rc::ptr_eq(&self.world, &other.world)
    }
}

#[component]
pub fn SequenceChart(props: &SequenceProps) -> Html {
    let l = props.lang;
    let hide = use_state(|| true);
    let world = props.world.borrow();
    let sim = world.sim();
    let mut arrows: Vec<Arrow> = sim
        .trace()
        .recent()
        .rev()
        .take(LOOK_BACK)
        .filter_map(|(at, _, e)| match e {
            TraceEvent::MessageSent {
                api,
                from,
                to,
                lost,
                ..
            } if !(*hide && chatter(*api, *from, *to)) => Some(Arrow {
                at: *at,
                api: *api,
                from: *from,
                to: *to,
                lost: *lost,
            }),
            _ => None,
        })
        .take(ROWS)
        .collect();
    arrows.reverse();
    let clients = sim.client_views();
    let names: BTreeMap<NodeId, String> = clients
        .iter()
        .map(|v| (v.node, v.name.clone()))
        .collect_map();
    // Lifelines as on the stage: producers, brokers, controllers, consumers.
    let rank = |n: &NodeId| match n {
        NodeId::Client(_) => match clients.iter().find(|v| v.node == *n) {
            Some(v) if v.kind == ClientKind::Producer => 0,
            _ => 3,
        },
        NodeId::Broker(_) => 1,
        NodeId::Controller(_) | NodeId::ZooKeeper(_) => 2,
    };
    let mut nodes: Vec<NodeId> = arrows.iter().flat_map(|a| [a.from, a.to]).collect();
    ordered::sort_by_key(&mut nodes, |n| (rank(n), *n));
    nodes.dedup();
    let lane_w = (W - TIME_W) / nodes.len().max(1) as f64;
    let x_of = |n: NodeId| {
        let i = nodes.iter().position(|m| *m == n).unwrap_or(0);
        TIME_W + lane_w * (i as f64 + 0.5)
    };
    let height = HEAD + ROW * arrows.len() as f64 + 6.0;
    let lifelines = nodes.iter().map(|n| {
        let x = x_of(*n);
        html! {
            <g class="lifeline" key={n.key()}>
                <text x={format!("{x:.1}")} y="14" text-anchor="middle">{ short(*n, &names) }</text>
                <line x1={format!("{x:.1}")} x2={format!("{x:.1}")} y1="20" y2={format!("{height:.1}")} />
            </g>
        }
    });
    let rows = arrows.iter().enumerate().map(|(i, a)| {
        let y = HEAD + ROW * i as f64 + 4.0;
        let (x1, x2) = (x_of(a.from), x_of(a.to));
        let dir = if x2 >= x1 { 1.0 } else { -1.0 };
        let c = colour(a.api, matches!((a.from, a.to), (NodeId::Broker(_), NodeId::Broker(_))));
        let tip = x2 - dir * 2.0;
        let head = format!(
            "{:.1},{y:.1} {:.1},{:.1} {:.1},{:.1}",
            tip,
            tip - dir * 6.0,
            y - 3.5,
            tip - dir * 6.0,
            y + 3.5
        );
        let mid = (x1 + x2) / 2.0;
        html! {
            <g class={classes!("arrow", a.lost.then_some("lost"))}>
                <title>{ format!("{} {} → {}{}", a.api.name(), short(a.from, &names), short(a.to, &names), if a.lost { format!(" ({})", t(l, Text::LostMessage)) } else { String::new() }) }</title>
                <text class="time" x="2" y={format!("{:.1}", y + 3.5)}>{ human(a.at) }</text>
                <line x1={format!("{x1:.1}")} x2={format!("{tip:.1}")} y1={format!("{y:.1}")} y2={format!("{y:.1}")} stroke={c} />
                <polygon points={head} fill={c} />
                <text class="api" x={format!("{mid:.1}")} y={format!("{:.1}", y - 2.5)} text-anchor="middle">{ a.api.name() }</text>
                if a.lost {
                    <text class="cross" x={format!("{mid:.1}")} y={format!("{:.1}", y + 4.0)} text-anchor="middle">{ "✕" }</text>
                }
            </g>
        }
    });
    let toggle = {
        let hide = hide.clone();
        Callback::from(move |_| hide.set(!*hide))
    };
    html! {
        <section class="panel sequence" aria-labelledby="sequence-title">
            <h2 id="sequence-title">{ t(l, Text::Sequence) }</h2>
            <label class="hide-chatter">
                <input type="checkbox" checked={*hide} onchange={toggle} />
                { t(l, Text::HideChatter) }
            </label>
            if arrows.is_empty() {
                <p class="empty">{ t(l, Text::NoMessages) }</p>
            } else {
                <svg viewBox={format!("0 0 {W} {height:.1}")} role="img" aria-label={t(l, Text::Sequence)}>
                    <>{ for lifelines }</>
                    <>{ for rows }</>
                </svg>
            }
        </section>
    }
}
