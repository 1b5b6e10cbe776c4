//! The stage: producers on the left, brokers (with their replicas' logs) in the middle, consumer
//! groups on the right, and every protocol message in flight moving along its link.

use super::i18n::{t, Lang, Text};
use super::inspector::{ReplicaRole, Selection};
use super::svg::px;
use crate::engine::network::NodeId;
use crate::engine::protocol::ApiKey;
use crate::engine::quorum::RaftRole;
use crate::engine::view::{ClientKind, ClientView, MessageView};
use crate::ordered;
use crate::ordered::CollectOrdered;
use crate::scenario::Session;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use yew::prelude::*;

/// The database, Connect and Streams band under the stage (declared here: it is the stage's).
#[path = "flows.rs"]
mod flows;
/// The messages in flight, drawn outside Yew (declared here: they are the stage's).
#[path = "in_flight.rs"]
mod in_flight;

#[derive(Properties)]
pub struct StageProps {
    pub lang: Lang,
    pub world: Rc<RefCell<Session>>,
    /// Changes every animation frame, so the stage redraws.
    pub frame: u64,
    /// What the inspector shows (drawn highlighted).
    pub selected: Option<Selection>,
    /// Clicking (or Enter/Space on) a broker, replica, producer, member or group.
    pub on_select: Callback<Selection>,
    /// `prefers-reduced-motion`: messages are drawn as static markers instead of moving dots.
    pub reduced_motion: bool,
    /// Draw heartbeats and fetches that carry no records (on by default: they are real traffic).
    pub chatter: bool,
}

impl PartialEq for StageProps {
    fn eq(&self, other: &Self) -> bool {
        self.lang == other.lang
            && self.frame == other.frame
            && self.selected == other.selected
            && self.reduced_motion == other.reduced_motion
            && self.chatter == other.chatter
            && Rc::ptr_eq(&self.world, &other.world)
    }
}

/// Click and keyboard (Enter/Space) handlers that select `sel`, for a focusable SVG group.
fn pick(
    on_select: &Callback<Selection>,
    sel: Selection,
) -> (Callback<MouseEvent>, Callback<KeyboardEvent>) {
    let click = {
        let on_select = on_select.clone();
        let sel = sel.clone();
        Callback::from(move |e: MouseEvent| {
            e.stop_propagation();
            on_select.emit(sel.clone());
        })
    };
    let key = {
        let on_select = on_select.clone();
        Callback::from(move |e: KeyboardEvent| {
            if matches!(e.key().as_str(), "Enter" | " ") {
                e.prevent_default();
                e.stop_propagation();
                on_select.emit(sel.clone());
            }
        })
    };
    (click, key)
}

const W: f64 = 1200.0;
const H: f64 = 744.0;
const CLUSTER_X: f64 = 250.0;
const CLUSTER_W: f64 = 640.0;
const GROUPS_X: f64 = 930.0;
/// Below the controller strip, with room between for the arcs of the broker-to-broker links.
const BROKER_TOP: f64 = 94.0;
const BROKER_H: f64 = 600.0;
/// How many of a replica's newest offsets are drawn as cells.
const CELLS: i64 = 10;

/// Colour-blind-safe colours (Okabe-Ito) per kind of message.
pub(super) fn colour(api: ApiKey, replication: bool) -> &'static str {
    match api {
        // A producer's id comes before its first batch: the producer's colour.
        ApiKey::Produce | ApiKey::InitProducerId => "#E69F00",
        ApiKey::Fetch if replication => "#009E73",
        ApiKey::Fetch => "#0072B2",
        ApiKey::ListOffsets => "#56B4E9",
        ApiKey::OffsetCommit | ApiKey::OffsetFetch => "#D55E00",
        ApiKey::Vote
        | ApiKey::BeginQuorumEpoch
        | ApiKey::EndQuorumEpoch
        | ApiKey::BrokerHeartbeat
        | ApiKey::AllocateProducerIds
        | ApiKey::ZkSession => "#8C8C8C",
        _ => "#CC79A7",
    }
}

/// Background chatter: heartbeats of every kind, and fetches (requests and empty responses)
/// that carry no records.
fn chatter(m: &MessageView) -> bool {
    match m.api {
        ApiKey::Heartbeat
        | ApiKey::BrokerHeartbeat
        | ApiKey::ZkSession
        | ApiKey::ConsumerGroupHeartbeat => true,
        ApiKey::Fetch => m.records == 0,
        _ => false,
    }
}

/// Where everything on the stage is, worked out once per frame: the messages are placed on it
/// and, on frames that redraw it, the body is drawn from it.
struct Layout {
    /// The clients in the order they are drawn: producers, then consumers by group and name.
    clients: Vec<ClientView>,
    /// Where each producer's messages start: its box's right edge, or for one left out, the
    /// "+N more" line's.
    producers: BTreeMap<NodeId, (f64, f64)>,
    column: Column,
    /// Where each group member's messages end, as for the producers.
    consumers: BTreeMap<NodeId, (f64, f64)>,
    members: Column,
    brokers: BTreeMap<i32, (f64, f64)>,
    broker_w: f64,
    /// Controller voters or ZooKeeper servers: the top-left corner of each box.
    controllers: BTreeMap<NodeId, (f64, f64)>,
    controller_w: f64,
    /// Combined mode: each controller runs inside a broker's process and is drawn in it.
    hosts: BTreeMap<NodeId, i32>,
    /// The database, Connect and Streams band under the brokers, if there is anything in it.
    flows: Option<flows::Plan>,
}

/// The producers' column, from under its title to above the legend.
const PRODUCERS_TOP: f64 = 110.0;
const PRODUCERS_BOTTOM: f64 = 700.0;
/// A producer's box of three lines (name, topics, counters), and the room it is given when the
/// column has it to spare.
const PRODUCER_H: f64 = 60.0;
const PRODUCER_PITCH: f64 = 100.0;
/// The least and the most room a row of one line is given, in either column.
const ROW_MIN: f64 = 22.0;
const ROW_MAX: f64 = 40.0;

/// The consumer groups' column: each group's title, then its members, down to the legend.
const GROUPS_TOP: f64 = 140.0;
const GROUPS_BOTTOM: f64 = 700.0;
/// Room for a group's title between its members and the previous group's.
const GROUP_GAP: f64 = 56.0;
/// A member's box of two lines (name and count; its partitions), and its room to spare.
const MEMBER_H: f64 = 54.0;
const MEMBER_PITCH: f64 = 64.0;
/// Where a member box's messages end, below its top.
const MEMBER_ANCHOR: f64 = 20.0;

/// How a column of clients (the producers, or the group members) is drawn: boxes while they
/// fit, then rows of one line, and those past the column's bottom left out behind a "+N more"
/// line, like a broker's partitions.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Column {
    /// Room per client, top to top.
    pitch: f64,
    /// A box's height, or `None` for rows of one line.
    boxed: Option<f64>,
    /// Where a box's messages start or end, below its top (a row's: its middle).
    anchor: f64,
    /// How many are drawn (the first in the stage's order).
    shown: usize,
    /// The top of the "+N more" line, when some are left out.
    more_at: f64,
}

impl Column {
    fn producers(producers: usize) -> Column {
        let room = PRODUCERS_BOTTOM - PRODUCERS_TOP;
        let pitch = (room / producers.max(1) as f64).min(PRODUCER_PITCH);
        let mut c = if pitch >= PRODUCER_H + 6.0 {
            Column::boxes(pitch, PRODUCER_H, PRODUCER_H / 2.0)
        } else {
            Column::rows(pitch)
        };
        let rows = (room / c.pitch) as usize;
        // The last row is the "+N more" line when they do not all fit.
        c.shown = if c.boxed.is_none() && producers > rows {
            rows - 1
        } else {
            producers
        };
        c.more_at = PRODUCERS_TOP + c.shown as f64 * c.pitch;
        c
    }

    fn boxes(pitch: f64, height: f64, anchor: f64) -> Column {
        Column {
            pitch,
            boxed: Some(height),
            anchor,
            shown: 0,
            more_at: 0.0,
        }
    }

    fn rows(pitch: f64) -> Column {
        let pitch = pitch.clamp(ROW_MIN, ROW_MAX);
        Column {
            pitch,
            boxed: None,
            anchor: (pitch - 4.0) / 2.0,
            shown: 0,
            more_at: 0.0,
        }
    }

    fn is_boxes(&self) -> bool {
        self.boxed.is_some()
    }

    /// The height of a box or row.
    fn height(&self) -> f64 {
        self.boxed.unwrap_or(self.pitch - 4.0)
    }

    /// The corners' radius: a box's, or a row's tighter one.
    fn corner(&self) -> &'static str {
        if self.is_boxes() {
            "8"
        } else {
            "5"
        }
    }
}

/// The controller strip above the brokers.
const CONTROLLER_Y: f64 = 8.0;
const CONTROLLER_H: f64 = 44.0;
const CONTROLLER_X: f64 = CLUSTER_X + 190.0;

/// A quadratic Bézier curve: start, control point, end.
type Curve = ((f64, f64), (f64, f64), (f64, f64));

fn on_curve(((x0, y0), (cx, cy), (x1, y1)): Curve, f: f64) -> (f64, f64) {
    let g = 1.0 - f;
    (
        g * g * x0 + 2.0 * g * f * cx + f * f * x1,
        g * g * y0 + 2.0 * g * f * cy + f * f * y1,
    )
}

impl Layout {
    /// The arc of the link between two brokers, above them (from `a` to `b`): the farther
    /// apart, the higher, so arcs do not hide one another.
    fn link_curve(&self, a: i32, b: i32) -> Option<Curve> {
        let from = self.anchor(NodeId::Broker(a), NodeId::Broker(b))?;
        let to = self.anchor(NodeId::Broker(b), NodeId::Broker(a))?;
        let apart = ((to.0 - from.0).abs() / self.broker_w).round().max(1.0);
        let rise = (10.0 + 8.0 * (apart - 1.0)).min(34.0);
        let control = ((from.0 + to.0) / 2.0, BROKER_TOP - 2.0 * rise);
        Some(((from.0, BROKER_TOP), control, (to.0, BROKER_TOP)))
    }

    /// The node as drawn: a combined-mode controller is its broker.
    fn drawn(&self, node: NodeId) -> NodeId {
        self.hosts.get(&node).map_or(node, |b| NodeId::Broker(*b))
    }

    /// Where a message between `node` and `other` touches `node`.
    fn anchor(&self, node: NodeId, other: NodeId) -> Option<(f64, f64)> {
        let (node, other) = (self.drawn(node), self.drawn(other));
        if let Some((x, y)) = self.controllers.get(&node) {
            return Some((x + self.controller_w / 2.0, y + CONTROLLER_H));
        }
        if let (NodeId::Broker(b), NodeId::Controller(_) | NodeId::ZooKeeper(_)) = (node, other) {
            let (x, y) = *self.brokers.get(&b)?;
            return Some((x + self.broker_w / 2.0, y));
        }
        match node {
            NodeId::Broker(b) => {
                let (x, y) = *self.brokers.get(&b)?;
                let mid = y + BROKER_H / 2.0;
                Some(match other {
                    NodeId::Broker(o) => {
                        let ox = self.brokers.get(&o).map_or(x, |p| p.0);
                        let dx = if ox > x {
                            self.broker_w * 0.7
                        } else {
                            self.broker_w * 0.3
                        };
                        (x + dx, y + 6.0)
                    }
                    other if self.producers.contains_key(&other) => (x, mid - 60.0),
                    _ => (x + self.broker_w, mid),
                })
            }
            n => self
                .producers
                .get(&n)
                .or_else(|| self.consumers.get(&n))
                .copied(),
        }
    }
}

fn layout(sim: &crate::engine::Sim) -> Layout {
    let brokers = sim.brokers();
    let n = brokers.len().max(1) as f64;
    let gap = 16.0;
    let broker_w = (CLUSTER_W - gap * (n - 1.0)) / n;
    let mut l = Layout {
        clients: clients_in_order(sim),
        producers: BTreeMap::new(),
        column: Column::producers(0),
        members: Column::boxes(MEMBER_PITCH, MEMBER_H, MEMBER_ANCHOR),
        consumers: BTreeMap::new(),
        brokers: BTreeMap::new(),
        broker_w,
        controllers: BTreeMap::new(),
        controller_w: 0.0,
        hosts: BTreeMap::new(),
        flows: flows::Plan::of(sim),
    };
    let v = sim.controller_view();
    if v.combined {
        l.hosts = v
            .voters
            .iter()
            .map(|x| (NodeId::Controller(x.id), x.id))
            .collect_map();
    }
    let nodes: Vec<NodeId> = v
        .voters
        .iter()
        .filter(|_| !v.combined)
        .map(|x| NodeId::Controller(x.id))
        .chain(v.zookeeper.iter().map(|z| NodeId::ZooKeeper(z.0)))
        .collect();
    let room = CLUSTER_X + CLUSTER_W - CONTROLLER_X;
    l.controller_w =
        ((room - 8.0 * (nodes.len() as f64 - 1.0)) / nodes.len().max(1) as f64).min(120.0);
    for (i, n) in nodes.iter().enumerate() {
        l.controllers.insert(
            *n,
            (
                CONTROLLER_X + i as f64 * (l.controller_w + 8.0),
                CONTROLLER_Y,
            ),
        );
    }
    for (i, b) in brokers.iter().enumerate() {
        l.brokers
            .insert(b.id, (CLUSTER_X + i as f64 * (broker_w + gap), BROKER_TOP));
    }
    let producers: Vec<NodeId> = l
        .clients
        .iter()
        .filter(|c| c.kind == ClientKind::Producer)
        .map(|c| c.node)
        .collect();
    l.column = Column::producers(producers.len());
    let c = l.column;
    for (i, node) in producers.into_iter().enumerate() {
        let top = if i < c.shown {
            PRODUCERS_TOP + i as f64 * c.pitch
        } else {
            c.more_at
        };
        l.producers.insert(node, (200.0, top + c.anchor));
    }
    let members: Vec<&ClientView> = l
        .clients
        .iter()
        .filter(|c| c.kind == ClientKind::Consumer)
        .collect();
    let new_group = |i: usize| i > 0 && members[i - 1].group != members[i].group;
    let gaps = (0..members.len()).filter(|i| new_group(*i)).count() as f64;
    // The pitch at which every member fits: boxes while it is a box's and a little more.
    let room = GROUPS_BOTTOM - GROUPS_TOP - gaps * GROUP_GAP;
    let n = members.len().max(1) as f64;
    let box_pitch = ((room - MEMBER_H) / (n - 1.0).max(1.0)).min(MEMBER_PITCH);
    l.members = if box_pitch >= MEMBER_H + 4.0 {
        Column::boxes(box_pitch, MEMBER_H, MEMBER_ANCHOR)
    } else {
        Column::rows((room + 4.0) / n)
    };
    let (pitch, h) = (l.members.pitch, l.members.height());
    let mut top = GROUPS_TOP;
    let mut more: Option<f64> = None;
    for (i, c) in members.iter().enumerate() {
        if new_group(i) {
            top += GROUP_GAP;
        }
        // A member is drawn if the rest fit after it, or at least the "+N more" line does.
        let last = i + 1 == members.len();
        if more.is_none() && !(last && top + h <= GROUPS_BOTTOM) && top + pitch + h > GROUPS_BOTTOM
        {
            more = Some(top);
        }
        let at = more.unwrap_or(top) + l.members.anchor;
        l.consumers.insert(c.node, (GROUPS_X, at));
        l.members.shown += usize::from(more.is_none());
        top += pitch;
    }
    l.members.more_at = more.unwrap_or(GROUPS_BOTTOM);
    l
}

/// The clients in the order the stage draws them: producers, then consumers by group and name.
fn clients_in_order(sim: &crate::engine::Sim) -> Vec<ClientView> {
    let mut clients = sim.client_views();
    ordered::sort_by(&mut clients, |a, b| {
        (a.kind == ClientKind::Consumer, &a.group, &a.name).cmp(&(
            b.kind == ClientKind::Consumer,
            &b.group,
            &b.name,
        ))
    });
    clients
}

/// More messages in flight than this make a busy picture: its brokers, clients and groups are
/// then redrawn at most every [`BUSY_BODY_MS`] while the messages still move every frame,
/// painted on a canvas rather than drawn as circles (see `in_flight`). Rebuilding and diffing a
/// thousand nodes 60 times a second is what a busy frame cannot afford, and counters changing
/// that fast cannot be read anyway.
const BUSY_MESSAGES: usize = 60;
const BUSY_BODY_MS: f64 = 100.0;

/// Which frame the stage's body (everything but the moving messages) was last drawn from.
#[derive(Default)]
struct BodyClock {
    frame: u64,
    at: f64,
}

/// In a busy picture each producer's "acked · sent" counters are redrawn once every
/// [`BUSY_COUNTERS_MS`], the producers taking turns, rather than with every body redraw: SVG text
/// is laid out again whenever it changes, and 270 producers' counters changing ten times a
/// second were most of a busy frame's layout (5.4 of 6.9 ms) and a third of its frames' time.
const BUSY_COUNTERS_MS: f64 = 1000.0;
/// The turns: a tenth of the producers is due at each 100 ms.
const COUNTER_TURNS: usize = 10;

/// The counters each producer box shows, and when they were last brought up to date.
#[derive(Default)]
struct ShownCounters(BTreeMap<String, Shown>);

struct Shown {
    acked: u64,
    sent: u64,
    /// Wall ms of its turn: its first drawing less its place in the turns, then whole
    /// [`BUSY_COUNTERS_MS`] periods, so the producers stay spread over the period.
    turn: f64,
}

impl ShownCounters {
    /// `(acked, sent)` to draw for each of this redraw's producers, in their order, at wall time
    /// `now`: the true counts unless `busy`, and otherwise the ones shown until the producer's
    /// turn comes.
    fn update<'a>(
        &mut self,
        producers: impl Iterator<Item = &'a ClientView>,
        busy: bool,
        now: f64,
    ) -> Vec<(u64, u64)> {
        let mut kept = BTreeMap::new();
        let mut drawn = Vec::new();
        for (i, c) in producers.enumerate() {
            let place = (i % COUNTER_TURNS) as f64 * BUSY_COUNTERS_MS / COUNTER_TURNS as f64;
            let mut s = self.0.remove(&c.name).unwrap_or(Shown {
                acked: c.acked,
                sent: c.sent,
                turn: now - place,
            });
            let periods = ((now - s.turn) / BUSY_COUNTERS_MS).floor();
            if !busy || periods >= 1.0 {
                (s.acked, s.sent) = (c.acked, c.sent);
                s.turn += periods.max(0.0) * BUSY_COUNTERS_MS;
            }
            drawn.push((s.acked, s.sent));
            kept.insert(c.name.clone(), s);
        }
        // Producers no longer drawn are forgotten.
        self.0 = kept;
        drawn
    }
}

impl BodyClock {
    fn frame(&mut self, frame: u64, busy: bool) -> u64 {
        let now = super::driver::wall_ms();
        if !busy || now - self.at >= BUSY_BODY_MS {
            self.frame = frame;
            self.at = now;
        }
        self.frame
    }
}

/// The SVG stage: the body (a component of its own, so a busy frame can skip redrawing it)
/// and the messages in flight over it.
#[component]
pub fn Stage(props: &StageProps) -> Html {
    let l = props.lang;
    let body_clock = use_mut_ref(BodyClock::default);
    let drawn = use_mut_ref(in_flight::InFlight::default);
    let group = use_node_ref();
    let area = use_node_ref();
    let world = props.world.borrow();
    let sim = world.sim();
    let lay = Rc::new(layout(sim));
    let now = sim.now();
    let messages: Vec<MessageView> = sim.messages_in_flight();
    let busy = messages.len() > BUSY_MESSAGES;
    let body_frame = body_clock.borrow_mut().frame(props.frame, busy);
    let reduced = props.reduced_motion;
    let dots: Vec<in_flight::Dot> = messages
        .iter()
        .filter(|m| props.chatter || !chatter(m))
        .filter_map(|m| {
            let span = (m.deliver_at - m.sent_at).max(1) as f64;
            // Reduced motion: a still marker halfway along the link for as long as it is in flight.
            let f = if reduced {
                0.5
            } else {
                ((now - m.sent_at) as f64 / span).clamp(0.0, 1.0)
            };
            // Between brokers a message travels along its link's arc; elsewhere in a straight line.
            let (x, y) = match (lay.drawn(m.from), lay.drawn(m.to)) {
                (NodeId::Broker(a), NodeId::Broker(b)) if a != b => {
                    on_curve(lay.link_curve(a, b)?, f)
                }
                _ => {
                    let from = lay.anchor(m.from, m.to)?;
                    let to = lay.anchor(m.to, m.from)?;
                    (from.0 + (to.0 - from.0) * f, from.1 + (to.1 - from.1) * f)
                }
            };
            let replication = matches!((m.from, m.to), (NodeId::Broker(_), NodeId::Broker(_)));
            let c = colour(m.api, replication);
            let r = if m.records > 0 {
                6.0 + (m.records as f64).sqrt().min(6.0)
            } else {
                4.5
            };
            let (fill, stroke) = if m.request { (c, c) } else { ("none", c) };
            let title = (
                m.api.name(),
                if m.request { " request" } else { " response" },
            );
            Some(in_flight::Dot {
                id: m.id,
                x,
                y,
                r,
                fill,
                stroke,
                lost: m.lost,
                title,
            })
        })
        .collect();
    let height = H + lay.flows.as_ref().map_or(0.0, flows::Plan::height);
    // Drawn into the messages group, or the canvas area, once Yew has put them on the page.
    {
        let (group, area) = (group.clone(), area.clone());
        let drawn = drawn.clone();
        use_effect(move || {
            if let (Some(group), Some(area)) = (group.cast(), area.cast()) {
                let on = in_flight::Layers {
                    group: &group,
                    area: &area,
                    size: (W, height),
                };
                drawn.borrow_mut().draw(on, &dots, busy, reduced);
            }
        });
    }
    html! {
        <svg class={classes!("stage", reduced.then_some("reduced-motion"), (height > H).then_some("with-flows"))} viewBox={format!("0 0 {W} {height}")} role="group" aria-label={t(l, Text::StageLabel)}>
            <StageBody lang={l} world={props.world.clone()} frame={body_frame} lay={lay.clone()} selected={props.selected.clone()} on_select={props.on_select.clone()} {reduced} {busy} />
            // In a group of their own, which the style sheet asks to be a layer of its own
            // (will-change): the dots move every frame, the body under them mostly does not.
            <g class="messages" ref={group}></g>
            // A busy picture's dots, painted on a canvas over the whole stage.
            <foreignObject class="messages-canvas" x="0" y="0" width={W.to_string()} height={height.to_string()} aria-hidden="true" ref={area}></foreignObject>
        </svg>
    }
}

#[derive(Properties)]
struct BodyProps {
    lang: Lang,
    world: Rc<RefCell<Session>>,
    frame: u64,
    /// The stage's layout of this frame (left out of the comparison: the frame says it all).
    lay: Rc<Layout>,
    selected: Option<Selection>,
    on_select: Callback<Selection>,
    reduced: bool,
    /// More than [`BUSY_MESSAGES`] in flight: the producers' counters take turns.
    busy: bool,
}

impl PartialEq for BodyProps {
    fn eq(&self, other: &Self) -> bool {
        self.lang == other.lang
            && self.frame == other.frame
            && self.busy == other.busy
            && self.selected == other.selected
            && self.reduced == other.reduced
            && Rc::ptr_eq(&self.world, &other.world)
    }
}

/// A column's "+N more not shown" line, for the clients past its bottom.
fn more_line(l: Lang, class: &'static str, x: f64, y: f64, left_out: usize) -> Option<Html> {
    (left_out > 0).then(|| html! {
        <text class={classes!("detail", class)} x={px(x)} y={px(y)}>{ format!("+{left_out} {}", t(l, Text::MoreSeries)) }</text>
    })
}

/// Everything on the stage but the moving messages: titles, controllers, producers, brokers
/// with their replicas' logs, links, groups, the flows band and the legend.
#[component]
fn StageBody(props: &BodyProps) -> Html {
    let l = props.lang;
    let world = props.world.borrow();
    let sim = world.sim();
    let lay = &props.lay;
    let clients = &lay.clients;

    let selected = props.selected.clone();
    let is_sel = |s: &Selection| selected.as_ref() == Some(s);
    let column = lay.column;
    // Only the producers drawn: the rest are counted on the "+N more" line.
    let producers = || {
        clients
            .iter()
            .filter(|c| c.kind == ClientKind::Producer)
            .take(column.shown)
    };
    let shown = use_mut_ref(ShownCounters::default).borrow_mut().update(
        producers(),
        props.busy,
        super::driver::wall_ms(),
    );
    let producers = producers().zip(shown).map(|(c, (acked, sent))| {
        let (x, y) = lay.producers[&c.node];
        let sel = Selection::Producer(c.name.clone());
        let chosen = is_sel(&sel);
        let (onclick, onkeydown) = pick(&props.on_select, sel);
        let h = column.height();
        // A row of one line has room for the counts alone: the inspector has the words.
        let lines = if column.is_boxes() {
            html! { <>
                <text class="name" x={px(x - 170.0)} y={px(y - 10.0)}>{ flows::fit(&c.name, 135.0) }</text>
                <text class="detail" x={px(x - 170.0)} y={px(y + 8.0)}>{ format!("→ {}", c.topics.join(", ")) }</text>
                <text class="detail" x={px(x - 170.0)} y={px(y + 23.0)}>{ format!("{acked} {} · {sent} {}", t(l, Text::Acked), t(l, Text::Sent)) }</text>
            </> }
        } else {
            html! { <>
                <text class="name" x={px(x - 172.0)} y={px(y + 4.5)}>{ flows::fit(&c.name, 92.0) }</text>
                <text class="detail counts" x={px(x - 6.0)} y={px(y + 4.0)}>{ format!("{acked} · {sent}") }</text>
            </> }
        };
        html! {
            <g class={classes!("producer", "pick", chosen.then_some("selected"), (!column.is_boxes()).then_some("row"))} key={c.name.clone()} tabindex="0" role="button"
                aria-label={format!("{} {}", t(l, Text::ProducerWord), c.name)} {onclick} {onkeydown}>
                <rect x={px(x - 180.0)} y={px(y - h / 2.0)} width="180" height={px(h)} rx={column.corner()} />
                { lines }
            </g>
        }
    });
    let more_producers = more_line(
        l,
        "more-producers",
        20.0,
        column.more_at + column.anchor + 4.0,
        lay.producers.len() - column.shown,
    );

    let topics: Vec<_> = sim
        .topic_names(false)
        .into_iter()
        .filter_map(|n| sim.topic(&n))
        .collect();
    let cv = sim.controller_view();
    // The ZooKeeper era's controller is a broker: its frame says so.
    let active_broker = match cv.active {
        Some(NodeId::Broker(b)) => Some(b),
        _ => None,
    };
    let brokers = sim.brokers().into_iter().map(|b| {
        let voter = cv.voters.iter().find(|v| cv.combined && v.id == b.id);
        let (x, y) = lay.brokers[&b.id];
        let w = lay.broker_w;
        let mut rows = Vec::new();
        let mut ry = y + 56.0;
        // More partitions than the frame holds (Kafka Connect's 25-partition connect-offsets):
        // empty partitions after a topic's first are left out, then whatever does not fit.
        let fits = ((BROKER_H - 70.0) / 58.0) as usize;
        let hosted = topics.iter().flat_map(|t| &t.partitions).filter(|p| p.replica_states.iter().any(|r| r.broker == b.id)).count();
        let mut hidden = 0;
        for topic in &topics {
            let mut first = true;
            for p in &topic.partitions {
                let Some(r) = p.replica_states.iter().find(|r| r.broker == b.id) else { continue };
                let empty_extra = !std::mem::take(&mut first) && r.log_end_offset == 0;
                if (hosted > fits && empty_extra) || rows.len() >= fits {
                    hidden += 1;
                    continue;
                }
                let leader = p.leader == Some(b.id);
                let cell_w = ((w - 24.0) / CELLS as f64).min(18.0);
                let first = (r.log_end_offset - CELLS).max(r.log_start_offset).max(0);
                let cells = (first..r.log_end_offset).map(|o| {
                    let cx = x + 12.0 + (o - first) as f64 * cell_w;
                    let class = if o < r.high_watermark { "cell committed" } else { "cell uncommitted" };
                    html! { <rect class={class} x={px(cx)} y={px(ry + 16.0)} width={px(cell_w - 2.0)} height="16" rx="2" /> }
                });
                // One title for the row's cells, not one per cell: a cell's would change with
                // every record appended (the window slides), thousands of text writes a second.
                let cells_title = (first < r.log_end_offset).then(|| format!("{}-{}: offsets {first}–{}", topic.name, p.partition, r.log_end_offset - 1));
                let hw_x = x + 12.0 + (r.high_watermark - first).clamp(0, CELLS) as f64 * cell_w - 1.0;
                let role = ReplicaRole::of(p, b.id).label(l);
                let sel = Selection::Replica { topic: topic.name.clone(), partition: p.partition, broker: b.id };
                let chosen = is_sel(&sel);
                let (onclick, onkeydown) = pick(&props.on_select, sel);
                rows.push(html! {
                    <g class={classes!("replica", "pick", leader.then_some("leader"), chosen.then_some("selected"))} key={format!("{}-{}", topic.name, p.partition)}
                        tabindex="0" role="button" aria-label={format!("{}-{} {} {}: {role}, LEO {}, HW {}", topic.name, p.partition, t(l, Text::Broker), b.id, r.log_end_offset, r.high_watermark)}
                        {onclick} {onkeydown}>
                        <rect class="hit" x={px(x + 4.0)} y={px(ry - 4.0)} width={px(w - 8.0)} height="54" rx="6" />
                        <text class="label" x={px(x + 12.0)} y={px(ry + 11.0)}>{ format!("{}-{}", flows::fit(&topic.name, w - 52.0 - role.chars().count() as f64 * 6.0), p.partition) }</text>
                        <text class="role" x={px(x + w - 10.0)} y={px(ry + 11.0)} text-anchor="end">{ role }</text>
                        <g class="cells">
                            if let Some(title) = cells_title { <title>{ title }</title> }
                            { for cells }
                        </g>
                        <line class="hw" x1={px(hw_x)} x2={px(hw_x)} y1={px(ry + 13.0)} y2={px(ry + 35.0)}><title>{ format!("high watermark {}", r.high_watermark) }</title></line>
                        <text class="offsets" x={px(x + 12.0)} y={px(ry + 45.0)}>{ format!("LEO {} · HW {} · start {}", r.log_end_offset, r.high_watermark, r.log_start_offset) }</text>
                    </g>
                });
                ry += 58.0;
            }
        }
        let coordinator_of: Vec<String> = sim.group_ids().into_iter().filter(|g| sim.coordinator_of(g) == Some(b.id)).collect();
        let sel = Selection::Broker(b.id);
        let chosen = is_sel(&sel);
        let (onclick, onkeydown) = pick(&props.on_select, sel);
        html! {
            <g class={classes!("broker", (!b.alive).then_some("down"), voter.is_some().then_some("combined"), (cv.active == Some(NodeId::Controller(b.id)) && voter.is_some()).then_some("active-controller"))} key={b.id.to_string()}>
                <g class={classes!("pick", "broker-pick", chosen.then_some("selected"))} tabindex="0" role="button"
                    aria-label={format!("{} {}", t(l, Text::Broker), b.id)} {onclick} {onkeydown}>
                    <rect class="frame" x={px(x)} y={px(y)} width={px(w)} height={px(BROKER_H)} rx="10" />
                    <text class="name" x={px(x + 12.0)} y={px(y + 24.0)}>{
                        if active_broker == Some(b.id) { format!("{} {} · {}", t(l, Text::Broker), b.id, t(l, Text::ActiveController)) } else { format!("{} {}", t(l, Text::Broker), b.id) }
                    }</text>
                    <text class="detail" x={px(x + 12.0)} y={px(y + 42.0)}>{
                        flows::fit(&[
                            // Combined mode: the controller in this broker's process.
                            voter.map(|v| match (v.alive, v.role) {
                                (true, RaftRole::Leader) => t(l, Text::ActiveController).to_string(),
                                (true, role) => format!("controller: {}", role.name()),
                                (false, _) => format!("controller: {}", t(l, Text::NodeDown)),
                            }),
                            (!coordinator_of.is_empty()).then(|| format!("{} {}", t(l, Text::CoordinatorOf), coordinator_of.join(", "))),
                        ].into_iter().flatten().collect::<Vec<_>>().join(" · "), w - 24.0)
                    }</text>
                </g>
                <>{ for rows }</>
                if hidden > 0 {
                    <text class="detail more-partitions" x={px(x + 12.0)} y={px(y + BROKER_H - 12.0)}>{
                        flows::fit(&match l { Lang::En => format!("+{hidden} partitions not shown"), Lang::Id => format!("+{hidden} partisi tidak ditampilkan") }, w - 24.0)
                    }<title>{ match l { Lang::En => "Empty partitions after a topic's first, and what does not fit; the inspector lists them all", Lang::Id => "Partisi kosong setelah partisi pertama sebuah topik, dan yang tidak muat; inspektor menampilkan semuanya" } }</title></text>
                }
            </g>
        }
    });

    let column = lay.members;
    let drawn: Vec<NodeId> = clients
        .iter()
        .filter(|c| c.kind == ClientKind::Consumer)
        .take(column.shown)
        .map(|c| c.node)
        .collect();
    let groups = sim.group_ids().into_iter().filter_map(|g| sim.group_view(&g)).filter_map(|g| {
        let members: Vec<&ClientView> = clients.iter().filter(|c| c.group.as_deref() == Some(g.group_id.as_str())).collect();
        // A group whose members are all left out is counted on the "+N more" line with them.
        if members.first().is_some_and(|c| !drawn.contains(&c.node)) {
            return None;
        }
        let top = members.first().and_then(|c| lay.consumers.get(&c.node)).map_or(130.0, |p| p.1 - column.anchor);
        let rows = members.iter().filter(|c| drawn.contains(&c.node)).map(|c| {
            let (x, y) = lay.consumers[&c.node];
            let parts: Vec<String> = c.assignment.iter().map(|tp| {
                let lag = g.offsets.iter().find(|o| o.tp == *tp).and_then(|o| o.lag);
                match lag { Some(lag) => format!("p{} ({} {lag})", tp.partition, t(l, Text::Lag)), None => format!("p{}", tp.partition) }
            }).collect();
            let idle = c.assignment.is_empty();
            let sel = Selection::Member(c.name.clone());
            let chosen = is_sel(&sel);
            let (onclick, onkeydown) = pick(&props.on_select, sel);
            html! {
                <g class={classes!("member", "pick", idle.then_some("idle"), chosen.then_some("selected"))} key={c.name.clone()}
                    tabindex="0" role="button" aria-label={format!("{} {}", t(l, Text::ConsumerWord), c.name)} {onclick} {onkeydown}>
                    <rect x={px(x)} y={px(y - column.anchor)} width="250" height={px(column.height())} rx={column.corner()} />
                    if column.is_boxes() {
                        <text class="name" x={px(x + 10.0)} y={px(y - 2.0)}>{ flows::fit(&c.name, 140.0) }</text>
                        <text class="detail" x={px(x + 10.0)} y={px(y + 16.0)}>{ if idle { t(l, Text::Idle).to_string() } else { parts.join(" · ") } }</text>
                        <text class="detail" x={px(x + 240.0)} y={px(y - 2.0)} text-anchor="end">{ format!("{} {}", c.consumed, t(l, Text::Consumed)) }</text>
                    } else {
                        // One line: name, partitions, and the count alone.
                        <text class="name" x={px(x + 8.0)} y={px(y + 4.5)}>{ flows::fit(&c.name, 76.0) }</text>
                        <text class="detail" x={px(x + 88.0)} y={px(y + 4.0)}>{ flows::fit(&if idle { t(l, Text::Idle).to_string() } else { parts.join(" · ") }, 120.0) }</text>
                        <text class="detail" x={px(x + 242.0)} y={px(y + 4.0)} text-anchor="end">{ c.consumed.to_string() }</text>
                    }
                </g>
            }
        });
        let sel = Selection::Group(g.group_id.clone());
        let chosen = is_sel(&sel);
        let (onclick, onkeydown) = pick(&props.on_select, sel);
        Some(html! {
            <g class="group" key={g.group_id.clone()}>
                <g class={classes!("pick", "group-pick", chosen.then_some("selected"))} tabindex="0" role="button"
                    aria-label={format!("{} {}", t(l, Text::GroupWord), g.group_id)} {onclick} {onkeydown}>
                    <rect class="hit" x={px(GROUPS_X - 6.0)} y={px(top - 44.0)} width="262" height="40" rx="6" />
                    // State first: it is what tests and screen readers look for.
                    <text class="detail group-state" x={px(GROUPS_X)} y={px(top - 10.0)}>{ format!("{} · {} {}", g.state, t(l, Text::Generation), g.generation) }</text>
                    <text class="name" x={px(GROUPS_X)} y={px(top - 26.0)}>{ g.group_id.clone() }</text>
                </g>
                <>{ for rows }</>
            </g>
        })
    });
    let more_members = more_line(
        l,
        "more-members",
        GROUPS_X,
        column.more_at + 14.0,
        lay.consumers.len() - column.shown,
    );

    // The controller quorum (KRaft voters) or the ZooKeeper ensemble, above the brokers.
    let mut boxes: Vec<(NodeId, String, String, bool, bool)> = cv
        .voters
        .iter()
        .map(|x| {
            let n = NodeId::Controller(x.id);
            let role = if x.alive {
                format!("{} · e{}", x.role.name(), x.epoch)
            } else {
                t(l, Text::NodeDown).to_string()
            };
            (
                n,
                format!("controller {}", x.id),
                role,
                x.alive,
                cv.active == Some(n),
            )
        })
        .collect();
    boxes.extend(cv.zookeeper.iter().map(|(id, alive, leads)| {
        let role = match (alive, leads) {
            (false, _) => t(l, Text::NodeDown).to_string(),
            (true, true) => "leader".to_string(),
            (true, false) => "follower".to_string(),
        };
        (
            NodeId::ZooKeeper(*id),
            format!("zk{id}"),
            role,
            *alive,
            false,
        )
    }));
    let controllers = boxes.into_iter().filter_map(|(n, name, role, alive, active)| {
        let (x, y) = *lay.controllers.get(&n)?;
        let w = lay.controller_w;
        Some(html! {
            <g class={classes!("controller", (!alive).then_some("down"), active.then_some("active"))} key={name.clone()}
                aria-label={format!("{name}: {role}{}", if active { format!(", {}", t(l, Text::ActiveController)) } else { String::new() })}>
                <rect x={px(x)} y={px(y)} width={px(w)} height={px(CONTROLLER_H)} rx="6" />
                // The id alone fits a narrow box; the label above says "controller".
                <text class="name" x={px(x + 8.0)} y={px(y + 18.0)}>{ name.trim_start_matches("controller ").to_string() }</text>
                <text class="detail" x={px(x + 8.0)} y={px(y + 35.0)}>{ role }</text>
            </g>
        })
    });

    // The links between brokers, as arcs above them: cut ones dashed, slow or lossy ones
    // labelled. A click opens the link in the inspector (cut, slow, restore).
    let broker_ids: Vec<i32> = lay.brokers.keys().copied().collect();
    let links = broker_ids.iter().enumerate().flat_map(|(i, a)| broker_ids[i + 1..].iter().map(move |b| (*a, *b))).filter_map(|(a, b)| {
        let curve = lay.link_curve(a, b)?;
        let state = sim.link_state(NodeId::Broker(a), NodeId::Broker(b));
        let d = format!("M{} {} Q{} {} {} {}", px(curve.0 .0), px(curve.0 .1), px(curve.1 .0), px(curve.1 .1), px(curve.2 .0), px(curve.2 .1));
        let mut notes = Vec::new();
        if state.slowed {
            notes.push(format!("{} ms", state.latency_ms));
        }
        if state.loss_percent > 0 {
            notes.push(format!("{}% {}", state.loss_percent, t(l, Text::LossWord)));
        }
        let status = if state.cut { t(l, Text::LinkCut) } else { t(l, Text::LinkUp) };
        let (mx, my) = on_curve(curve, 0.5);
        let sel = Selection::Link(a, b);
        let chosen = is_sel(&sel);
        let (onclick, onkeydown) = pick(&props.on_select, sel);
        Some(html! {
            <g class={classes!("link", "pick", state.cut.then_some("cut"), (state.slowed || state.loss_percent > 0).then_some("degraded"), chosen.then_some("selected"))}
                key={format!("{a}-{b}")} data-link={format!("{a}-{b}")} tabindex="0" role="button"
                aria-label={format!("{} {} {a} ↔ {} {b}: {status}{}", t(l, Text::LinkWord), t(l, Text::Broker), t(l, Text::Broker), notes.iter().map(|n| format!(", {n}")).collect::<String>())}
                {onclick} {onkeydown}>
                <path class="hit" d={d.clone()} />
                <path class="wire" d={d} />
                if state.cut {
                    <text class="link-note" x={px(mx)} y={px(my + 4.0)} text-anchor="middle">{ "✂" }</text>
                } else if !notes.is_empty() {
                    <text class="link-note" x={px(mx)} y={px(my - 3.0)} text-anchor="middle">{ notes.join(" · ") }</text>
                }
            </g>
        })
    });

    let legend = [
        (ApiKey::Produce, false, "Produce"),
        (ApiKey::Fetch, false, "Fetch"),
        (ApiKey::Fetch, true, t(l, Text::Replication)),
        (ApiKey::JoinGroup, false, t(l, Text::GroupProtocol)),
        (ApiKey::OffsetCommit, false, "OffsetCommit"),
        (ApiKey::Vote, false, t(l, Text::ControllerTraffic)),
    ];
    let legend = legend.iter().enumerate().map(|(i, (api, rep, label))| {
        let x = 240.0 + i as f64 * 112.0;
        html! {
            <g class="legend-item" key={i.to_string()}>
                <circle cx={px(x)} cy={px(H - 24.0)} r="5" fill={colour(*api, *rep)} />
                <text x={px(x + 10.0)} y={px(H - 20.0)}>{ *label }</text>
            </g>
        }
    });

    let flows = lay
        .flows
        .as_ref()
        .map(|plan| flows::band(l, sim, plan, H, props.reduced));
    // Every list is a fragment of its own: html! splices `{ for .. }` into its siblings, and Yew
    // pairs unkeyed siblings from the end, so a list that changes length would have every broker
    // and group before it torn down and rebuilt.
    html! {
        <>
            <text class="region-title" x="20" y="40">{ t(l, Text::Producers) }</text>
            <text class="region-title" x={px(CLUSTER_X)} y="40">{ format!("{} · {}", t(l, Text::Cluster), match sim.controller_mode() { crate::engine::ControllerMode::Kraft => "KRaft", crate::engine::ControllerMode::Zookeeper => "ZooKeeper" }) }</text>
            <>{ for controllers }</>
            <text class="region-title" x={px(GROUPS_X)} y="40">{ t(l, Text::ConsumerGroups) }</text>
            <>{ for producers }</>
            { for more_producers }
            <>{ for brokers }</>
            <>{ for links }</>
            <>{ for groups }</>
            { for more_members }
            <>{ for flows }</>
            <g class="legend">
                <text x="20" y={px(H - 20.0)}>{ t(l, Text::Legend) }</text>
                <>{ for legend }</>
                <text x="920" y={px(H - 20.0)}>{ t(l, Text::LegendShape) }</text>
            </g>
        </>
    }
}
