//! The inspector: whatever was clicked on the stage, described in Kafka's words. Values come
//! from the engine's views at this frame; record keys and values are shown as text, never markup.

use super::i18n::{t, Lang, Text};
use super::run::{quote, run_command, run_line, TermLog};
use crate::engine::client::Client;
use crate::engine::network::NodeId;
use crate::engine::time::human;
use crate::engine::view::PartitionView;
use crate::engine::{Command, Sim, TopicPartition};
use crate::scenario::Session;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// What the inspector describes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selection {
    Broker(i32),
    Replica {
        topic: String,
        partition: i32,
        broker: i32,
    },
    Producer(String),
    Member(String),
    Group(String),
    /// The network link between two brokers (lower id first).
    Link(i32, i32),
}

/// A replica's part in its partition, as the stage, the logical view and the broker
/// inspector name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplicaRole {
    Leader,
    InSync,
    OutOfSync,
}

impl ReplicaRole {
    pub fn of(p: &PartitionView, broker: i32) -> ReplicaRole {
        if p.leader == Some(broker) {
            ReplicaRole::Leader
        } else if p.isr.contains(&broker) {
            ReplicaRole::InSync
        } else {
            ReplicaRole::OutOfSync
        }
    }

    pub fn label(self, l: Lang) -> &'static str {
        t(
            l,
            match self {
                ReplicaRole::Leader => Text::Leader,
                ReplicaRole::InSync => Text::FollowerInSync,
                ReplicaRole::OutOfSync => Text::FollowerOutOfSync,
            },
        )
    }

    /// The CSS class a drawn replica carries.
    pub fn class(self) -> &'static str {
        match self {
            ReplicaRole::Leader => "leader",
            ReplicaRole::InSync => "in-sync",
            ReplicaRole::OutOfSync => "out-of-sync",
        }
    }
}

/// How many of a replica's newest records the inspector lists.
const RECORDS_SHOWN: usize = 8;

#[derive(Properties)]
pub struct InspectorProps {
    pub lang: Lang,
    pub world: Rc<RefCell<Session>>,
    pub term: Rc<RefCell<TermLog>>,
    pub selection: Selection,
    pub frame: u64,
    pub on_close: Callback<()>,
}

impl PartialEq for InspectorProps {
    fn eq(&self, other: &Self) -> bool {
        self.lang == other.lang
            && self.frame == other.frame
            && self.selection == other.selection
            && Rc::ptr_eq(&self.world, &other.world)
            && Rc::ptr_eq(&self.term, &other.term)
    }
}

/// `word` with a capital first letter (labels reuse the stage's lower-case words).
fn cap(word: &str) -> String {
    let mut c = word.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// A row of the description list: Kafka's name, then the value.
fn row(name: &str, value: impl Into<String>) -> Html {
    html! { <><dt>{ name.to_string() }</dt><dd>{ value.into() }</dd></> }
}

fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "—".to_string(), |v| v.to_string())
}

fn tps(list: &[TopicPartition]) -> String {
    if list.is_empty() {
        "—".into()
    } else {
        list.iter()
            .map(|tp| tp.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn link(l: Lang, sim: &Sim, a: i32, b: i32) -> (String, Html) {
    let title = format!("{} {a} ↔ {} {b}", t(l, Text::Broker), t(l, Text::Broker));
    let state = sim.link_state(NodeId::Broker(a), NodeId::Broker(b));
    let body = html! {
        <dl>
            { row(t(l, Text::Status), if state.cut { t(l, Text::LinkCut) } else { t(l, Text::LinkUp) }) }
            { row(t(l, Text::Latency), format!("{} ms", state.latency_ms)) }
            { row(&cap(t(l, Text::LossWord)), format!("{}%", state.loss_percent)) }
        </dl>
    };
    (title, body)
}

fn broker(l: Lang, sim: &Sim, id: i32) -> (String, Html) {
    let Some(b) = sim.brokers().into_iter().find(|b| b.id == id) else {
        return (
            format!("{} {id}", t(l, Text::Broker)),
            html! { <p>{ t(l, Text::Gone) }</p> },
        );
    };
    let coordinator: Vec<String> = sim
        .group_ids()
        .into_iter()
        .filter(|g| sim.coordinator_of(g) == Some(id))
        .collect();
    let mut hosted = Vec::new();
    for name in sim.topic_names(false) {
        let Some(topic) = sim.topic(&name) else {
            continue;
        };
        for p in &topic.partitions {
            if p.replicas.contains(&id) {
                let role = ReplicaRole::of(p, id).label(l);
                hosted.push(format!("{}-{} ({role})", topic.name, p.partition));
            }
        }
    }
    let body = html! {
        <dl>
            { row("broker.id", b.id.to_string()) }
            { row(t(l, Text::Status), if b.alive { t(l, Text::Alive) } else { t(l, Text::Down) }) }
            { row("broker.rack", opt(b.rack.clone())) }
            { row(t(l, Text::LeaderFor), format!("{} {}", b.leaders, t(l, Text::PartitionsWord))) }
            { row(t(l, Text::ReplicasHosted), b.replicas.to_string()) }
            { row(t(l, Text::CoordinatorOf), if coordinator.is_empty() { "—".to_string() } else { coordinator.join(", ") }) }
            { row(t(l, Text::Hosts), if hosted.is_empty() { "—".to_string() } else { hosted.join(", ") }) }
        </dl>
    };
    (format!("{} {id}", t(l, Text::Broker)), body)
}

fn replica(l: Lang, sim: &Sim, topic: &str, partition: i32, broker: i32) -> (String, Html) {
    let title = format!("{topic}-{partition} @ {} {broker}", t(l, Text::Broker));
    let part = sim
        .topic(topic)
        .and_then(|tv| tv.partitions.into_iter().find(|p| p.partition == partition));
    let Some(p) = part else {
        return (title, html! { <p>{ t(l, Text::Gone) }</p> });
    };
    let Some(r) = p.replica_states.iter().find(|r| r.broker == broker) else {
        return (title, html! { <p>{ t(l, Text::Gone) }</p> });
    };
    let role = if p.leader == Some(broker) {
        t(l, Text::Leader)
    } else {
        t(l, Text::Follower)
    };
    let in_isr = p.isr.contains(&broker);
    let isr: Vec<String> = p.isr.iter().map(i32::to_string).collect();
    let segments = r.segments.iter().map(|s| {
        html! {
            <tr key={s.base_offset.to_string()}>
                <td>{ s.base_offset }</td><td>{ s.end_offset }</td><td>{ s.record_count }</td><td>{ s.size_bytes }</td>
            </tr>
        }
    });
    let tp = TopicPartition::new(topic, partition);
    let records = sim.replica_tail(broker, &tp, RECORDS_SHOWN);
    let record_rows = records.iter().rev().map(|rec| {
        let committed = rec.offset() < r.high_watermark;
        html! {
            <tr key={rec.offset().to_string()} class={classes!((!committed).then_some("uncommitted"))}>
                <td>{ rec.offset() }</td>
                <td class="text">{ rec.key_text().map_or_else(|| "null".to_string(), |k| k.into_owned()) }</td>
                <td class="text">{ rec.value_text().map_or_else(|| "null".to_string(), |v| v.into_owned()) }</td>
                <td>{ rec.timestamp() }</td>
            </tr>
        }
    });
    let body = html! {
        <>
        <dl>
            { row(t(l, Text::Role), role) }
            { row(t(l, Text::InIsr), format!("{} (ISR: {})", if in_isr { t(l, Text::Yes) } else { t(l, Text::No) }, isr.join(","))) }
            { row(t(l, Text::LeaderEpoch), p.leader_epoch.to_string()) }
            { row(t(l, Text::LogEndOffset), r.log_end_offset.to_string()) }
            { row(t(l, Text::HighWatermark), r.high_watermark.to_string()) }
            { row(t(l, Text::LogStartOffset), r.log_start_offset.to_string()) }
            { row(t(l, Text::SizeBytes), r.size_bytes.to_string()) }
        </dl>
        <h3>{ t(l, Text::Segments) }</h3>
        <table class="segments">
            <thead><tr><th>{ t(l, Text::BaseOffset) }</th><th>{ t(l, Text::EndOffset) }</th><th>{ t(l, Text::RecordsWord) }</th><th>{ t(l, Text::Bytes) }</th></tr></thead>
            <tbody>{ for segments }</tbody>
        </table>
        <h3>{ t(l, Text::LastRecords) }</h3>
        if records.is_empty() {
            <p class="empty">{ t(l, Text::NoRecords) }</p>
        } else {
            <table class="records">
                <thead><tr><th>{ "offset" }</th><th>{ "key" }</th><th>{ "value" }</th><th>{ "timestamp" }</th></tr></thead>
                <tbody>{ for record_rows }</tbody>
            </table>
            <p class="note">{ t(l, Text::UncommittedNote) }</p>
        }
        </>
    };
    (title, body)
}

fn producer(l: Lang, sim: &Sim, name: &str) -> (String, Html) {
    let title = format!("{} {name}", t(l, Text::ProducerWord));
    let Some(Client::Producer(p)) = sim.client(name) else {
        return (title, html! { <p>{ t(l, Text::Gone) }</p> });
    };
    let acks = match p.config.acks.as_i16() {
        -1 => "all".to_string(),
        n => n.to_string(),
    };
    let workload = p.workload.as_ref().map_or_else(
        || "—".to_string(),
        |w| {
            let rate = format!("{}/s", w.rate);
            let keys = w
                .keys
                .map_or_else(|| "null keys".to_string(), |k| format!("{k} keys"));
            format!("{} · {rate} · {keys}", w.topic)
        },
    );
    let body = html! {
        <dl>
            { row("client.id", p.client_id.clone()) }
            { row("acks", acks) }
            { row("linger.ms", p.config.linger_ms.to_string()) }
            { row("batch.size", p.config.batch_size.to_string()) }
            { row("enable.idempotence", p.config.enable_idempotence.to_string()) }
            { row("max.in.flight.requests.per.connection", p.config.max_in_flight_requests_per_connection.to_string()) }
            { row("delivery.timeout.ms", p.config.delivery_timeout_ms.to_string()) }
            { row(t(l, Text::Workload), workload) }
            { row(&cap(t(l, Text::Sent)), p.stats.sent.to_string()) }
            { row(&cap(t(l, Text::Acked)), p.stats.acked.to_string()) }
            { row(&cap(t(l, Text::Failed)), p.stats.failed.to_string()) }
            { row(&cap(t(l, Text::Retries)), p.stats.retries.to_string()) }
            { row(&cap(t(l, Text::Pending)), p.pending_records().to_string()) }
        </dl>
    };
    (title, body)
}

fn member(l: Lang, sim: &Sim, name: &str) -> (String, Html) {
    let title = format!("{} {name}", t(l, Text::ConsumerWord));
    let Some(Client::Consumer(c)) = sim.client(name) else {
        return (title, html! { <p>{ t(l, Text::Gone) }</p> });
    };
    let group = c.group.as_deref().and_then(|g| sim.group_view(g));
    let rows = c.assignment.iter().map(|tp| {
        let position = c.positions.get(tp).copied();
        let off = group
            .as_ref()
            .and_then(|g| g.offsets.iter().find(|o| o.tp == *tp));
        let committed = off.and_then(|o| o.committed);
        let lag = off.and_then(|o| o.lag);
        html! {
            <tr key={tp.to_string()}>
                <td>{ tp.to_string() }</td><td>{ opt(position) }</td><td>{ opt(committed) }</td><td>{ opt(off.map(|o| o.log_end_offset)) }</td><td>{ opt(lag) }</td>
            </tr>
        }
    });
    let assignors: Vec<String> = c
        .config
        .partition_assignment_strategy
        .iter()
        .map(|s| s.rsplit('.').next().unwrap_or(s).to_string())
        .collect();
    let body = html! {
        <>
        <dl>
            { row("group.id", opt(c.group.clone())) }
            { row("member.id", if c.member_id.is_empty() { "—".to_string() } else { c.member_id.clone() }) }
            { row("client.id", c.client_id.clone()) }
            { row(t(l, Text::Phase), format!("{:?}", c.phase)) }
            { row(&cap(t(l, Text::Generation)), c.generation.to_string()) }
            { row("partition.assignment.strategy", assignors.join(", ")) }
            { row("enable.auto.commit", c.config.enable_auto_commit.to_string()) }
            { row(t(l, Text::Assignment), tps(&c.assignment)) }
            { row(&cap(t(l, Text::Consumed)), c.total_consumed.to_string()) }
        </dl>
        if !c.assignment.is_empty() {
            <table class="offsets">
                <thead><tr><th>{ cap(t(l, Text::PartitionWord)) }</th><th>{ cap(t(l, Text::Position)) }</th><th>{ cap(t(l, Text::Committed)) }</th><th>{ "LOG-END-OFFSET" }</th><th>{ cap(t(l, Text::Lag)) }</th></tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
        }
        if let Some(e) = &c.error {
            <p class="error">{ e.clone() }</p>
        }
        </>
    };
    (title, body)
}

fn group(l: Lang, sim: &Sim, id: &str) -> (String, Html) {
    let title = format!("{} {id}", t(l, Text::GroupWord));
    let Some(g) = sim.group_view(id) else {
        return (title, html! { <p>{ t(l, Text::Gone) }</p> });
    };
    let members = g.members.iter().map(|m| {
        html! { <li key={m.member_id.clone()}><code>{ m.member_id.clone() }</code>{ format!(" → {}", tps(&m.assignment)) }</li> }
    });
    let offsets = g.offsets.iter().map(|o| {
        html! {
            <tr key={o.tp.to_string()}>
                <td>{ o.tp.to_string() }</td><td>{ opt(o.committed) }</td><td>{ o.log_end_offset }</td><td>{ opt(o.lag) }</td>
            </tr>
        }
    });
    let body = html! {
        <>
        <dl>
            { row(t(l, Text::State), g.state.clone()) }
            { row(&cap(t(l, Text::Generation)), g.generation.to_string()) }
            { row(t(l, Text::ProtocolWord), opt(g.protocol.clone())) }
            { row(t(l, Text::GroupLeader), opt(g.leader.clone())) }
            { row(t(l, Text::Coordinator), g.coordinator.map_or_else(|| "—".to_string(), |b| format!("{} {b}", t(l, Text::Broker)))) }
        </dl>
        <h3>{ format!("{} ({})", t(l, Text::Members), g.members.len()) }</h3>
        <ul class="members">{ for members }</ul>
        if !g.offsets.is_empty() {
            <table class="offsets">
                <thead><tr><th>{ cap(t(l, Text::PartitionWord)) }</th><th>{ cap(t(l, Text::Committed)) }</th><th>{ "LOG-END-OFFSET" }</th><th>{ cap(t(l, Text::Lag)) }</th></tr></thead>
                <tbody>{ for offsets }</tbody>
            </table>
        }
        </>
    };
    (title, body)
}

/// The side panel describing the selection, with the actions that apply to it.
#[component]
pub fn Inspector(props: &InspectorProps) -> Html {
    let l = props.lang;
    let (title, body) = {
        let world = props.world.borrow();
        let sim = world.sim();
        match &props.selection {
            Selection::Broker(b) => broker(l, sim, *b),
            Selection::Replica {
                topic,
                partition,
                broker,
            } => replica(l, sim, topic, *partition, *broker),
            Selection::Producer(n) => producer(l, sim, n),
            Selection::Member(n) => member(l, sim, n),
            Selection::Group(g) => group(l, sim, g),
            Selection::Link(a, b) => link(l, sim, *a, *b),
        }
    };
    let action = |label: &'static str, class: &'static str, line: String| {
        let world = props.world.clone();
        let term = props.term.clone();
        let onclick = Callback::from(move |_| {
            run_line(&world, &term, &line, true);
        });
        html! { <button type="button" class={class} {onclick}>{ label }</button> }
    };
    let engine_action = |label: &'static str, class: &'static str, command: Command| {
        let world = props.world.clone();
        let term = props.term.clone();
        let onclick = Callback::from(move |_| {
            let _ = run_command(&world, &term, command.clone());
        });
        html! { <button type="button" class={class} {onclick}>{ label }</button> }
    };
    let alive = |id: i32| {
        props
            .world
            .borrow()
            .sim()
            .brokers()
            .iter()
            .any(|b| b.id == id && b.alive)
    };
    // Cut and slow one link between brokers (from the link itself, or its broker's list).
    let link_buttons = |a: i32, b: i32| {
        html! {
            <>
                { action(t(l, Text::CutLink), "cut-link", format!("network partition {a} / {b}")) }
                { action(t(l, Text::SlowLink), "slow-link", format!("network latency {a} {b} 500ms")) }
            </>
        }
    };
    let actions = match &props.selection {
        Selection::Broker(id) if alive(*id) => {
            // Each link is also drawn on the stage; listed here, every one is a keystroke away.
            let others: Vec<i32> = props
                .world
                .borrow()
                .sim()
                .brokers()
                .iter()
                .map(|b| b.id)
                .filter(|b| b != id)
                .collect();
            let links = others.iter().map(|o| {
                html! {
                    <li>
                        { format!("{} {id} ↔ {} {o}", t(l, Text::Broker), t(l, Text::Broker)) }
                        { link_buttons(*id, *o) }
                    </li>
                }
            });
            html! {
                <>
                    <div class="actions">
                        { engine_action(t(l, Text::StopBroker), "stop-broker", Command::StopBroker { id: *id, hard: false }) }
                        { engine_action(t(l, Text::KillBroker), "kill-broker", Command::StopBroker { id: *id, hard: true }) }
                        { action(t(l, Text::IsolateBroker), "isolate-broker", format!("network isolate {id}")) }
                        { action(t(l, Text::HealNetwork), "heal-network", "network heal".into()) }
                    </div>
                    <h3>{ t(l, Text::Links) }</h3>
                    <ul class="links">{ for links }</ul>
                </>
            }
        }
        Selection::Link(a, b) => html! {
            <div class="actions">
                { link_buttons(*a, *b) }
                { action(t(l, Text::HealNetwork), "heal-network", "network heal".into()) }
            </div>
        },
        Selection::Broker(id) => html! {
            <div class="actions">{ engine_action(t(l, Text::StartBroker), "start-broker", Command::StartBroker { id: *id }) }</div>
        },
        Selection::Producer(n) => {
            html! { <div class="actions">{ action(t(l, Text::StopProducer), "stop-producer", format!("producer stop {}", quote(n))) }</div> }
        }
        Selection::Member(n) => html! {
            <div class="actions">
                { action(t(l, Text::StopConsumer), "stop-consumer", format!("consumer stop {}", quote(n))) }
                { action(t(l, Text::CrashConsumer), "crash-consumer", format!("consumer stop {} --hard", quote(n))) }
            </div>
        },
        _ => html! {},
    };
    let close = {
        let on_close = props.on_close.clone();
        Callback::from(move |_| on_close.emit(()))
    };
    html! {
        <section class="panel inspector" aria-labelledby="inspector-title">
            <header>
                <h2 id="inspector-title">{ title }</h2>
                <button type="button" class="close" onclick={close} aria-label={t(l, Text::CloseInspector)} title={t(l, Text::CloseInspector)}>{ "×" }</button>
            </header>
            { body }
            { actions }
            <p class="note">{ format!("{} {}", t(l, Text::AsOf), human(props.world.borrow().sim().now())) }</p>
        </section>
    }
}
