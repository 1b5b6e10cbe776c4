//! Direct manipulation without the terminal: small forms that build the CLI command a learner
//! would type (`kafka-topics --create ...`, `producer start ...`, `consumer start ...`), run it
//! through the console and echo it in the terminal. Kafka's error text shows in the notice area.

use super::i18n::{t, Lang, Text};
use super::prefs::value_of;
use super::run::{quote, run_line, TermLog};
use crate::engine::{Command, Outcome};
use crate::scenario::Session;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties)]
pub struct ActionsProps {
    pub lang: Lang,
    pub world: Rc<RefCell<Session>>,
    pub term: Rc<RefCell<TermLog>>,
    /// Topic names (the forms' choices); the panel redraws when they change.
    pub topics: Vec<String>,
    pub groups: Vec<String>,
    /// The shared log's version, so a new notice shows.
    pub version: u64,
}

impl PartialEq for ActionsProps {
    fn eq(&self, other: &Self) -> bool {
        self.lang == other.lang
            && self.topics == other.topics
            && self.groups == other.groups
            && self.version == other.version
            && Rc::ptr_eq(&self.world, &other.world)
            && Rc::ptr_eq(&self.term, &other.term)
    }
}

/// The producer the "produce one record" form sends through (started on first use).
const MANUAL_PRODUCER: &str = "manual-producer";

/// Sets a form control's value once, when the form mounts. The inputs are uncontrolled (the
/// page redraws every frame; a `value` attribute would fight the visitor's typing).
fn set_value(node: &NodeRef, value: &str) {
    if let Some(n) = node.get() {
        let _ = js_sys::Reflect::set(&n, &"value".into(), &value.into());
    }
}

fn topic_select(node: &NodeRef, topics: &[String], id: &str) -> Html {
    html! {
        <select ref={node.clone()} id={id.to_string()}>
            { for topics.iter().map(|n| html! { <option key={n.clone()} value={n.clone()}>{ n.clone() }</option> }) }
        </select>
    }
}

#[component]
pub fn Actions(props: &ActionsProps) -> Html {
    let l = props.lang;
    let world = props.world.clone();
    let term = props.term.clone();

    // Add a topic.
    let topic_name = use_node_ref();
    let topic_partitions = use_node_ref();
    let topic_rf = use_node_ref();
    let add_topic = {
        let (world, term) = (world.clone(), term.clone());
        let (n, p, r) = (
            topic_name.clone(),
            topic_partitions.clone(),
            topic_rf.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let line = format!(
                "kafka-topics --bootstrap-server localhost:9092 --create --topic {} --partitions {} --replication-factor {}",
                quote(value_of(&n).trim()),
                quote(value_of(&p).trim()),
                quote(value_of(&r).trim())
            );
            run_line(&world, &term, &line, true);
        })
    };

    // Add a producer.
    let prod_topic = use_node_ref();
    let prod_rate = use_node_ref();
    let prod_keys = use_node_ref();
    let prod_acks = use_node_ref();
    let add_producer = {
        let (world, term) = (world.clone(), term.clone());
        let (tp, rate, keys, acks) = (
            prod_topic.clone(),
            prod_rate.clone(),
            prod_keys.clone(),
            prod_acks.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut line = format!(
                "producer start --topic {} --rate {}/s --acks {}",
                quote(&value_of(&tp)),
                quote(value_of(&rate).trim()),
                quote(&value_of(&acks))
            );
            let k = value_of(&keys);
            if !k.trim().is_empty() && k.trim() != "0" {
                line.push_str(&format!(" --keys {}", quote(k.trim())));
            }
            run_line(&world, &term, &line, true);
        })
    };

    // Add a consumer to a group.
    let cons_group = use_node_ref();
    let cons_topic = use_node_ref();
    let cons_strategy = use_node_ref();
    let add_consumer = {
        let (world, term) = (world.clone(), term.clone());
        let (g, tp, s) = (
            cons_group.clone(),
            cons_topic.clone(),
            cons_strategy.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let line = format!(
                "consumer start --group {} --topic {} --strategy {} --from-beginning",
                quote(value_of(&g).trim()),
                quote(&value_of(&tp)),
                quote(&value_of(&s))
            );
            run_line(&world, &term, &line, true);
        })
    };

    // Produce one record by hand.
    let rec_topic = use_node_ref();
    let rec_key = use_node_ref();
    let rec_value = use_node_ref();
    let produce = {
        let (world, term) = (world.clone(), term.clone());
        let (tp, k, v) = (rec_topic.clone(), rec_key.clone(), rec_value.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let topic = value_of(&tp);
            let key = value_of(&k);
            let value = value_of(&v);
            // Sent as the engine's Produce command so the request can be watched in flight
            // (the console producer would block until the ack and jump time forward).
            let result = world.borrow_mut().apply(Command::Produce {
                producer: MANUAL_PRODUCER.into(),
                topic: topic.clone(),
                partition: None,
                key: (!key.is_empty()).then(|| key.clone()),
                value: Some(value.clone()),
                timestamp: None,
            });
            let mut log = term.borrow_mut();
            let shown_key = if key.is_empty() {
                "null".to_string()
            } else {
                quote(&key)
            };
            log.push(
                false,
                format!(
                    "# {MANUAL_PRODUCER}: send({topic}, key={shown_key}, value={})",
                    quote(&value)
                ),
            );
            match result {
                Ok(Outcome::Produced { tp }) => {
                    let msg = format!("{MANUAL_PRODUCER} → {tp}");
                    log.push(false, msg.clone());
                    log.set_notice(false, msg);
                }
                Ok(_) => log.set_notice(false, MANUAL_PRODUCER),
                Err(e) => {
                    let msg = format!("{}: {}", e.code.name(), e.message);
                    log.push(true, msg.clone());
                    log.set_notice(true, msg);
                }
            }
        })
    };

    {
        let first_group = props
            .groups
            .first()
            .cloned()
            .unwrap_or_else(|| "my-group".to_string());
        let defaults = [
            (topic_name.clone(), "payments".to_string()),
            (topic_partitions.clone(), "3".into()),
            (topic_rf.clone(), "3".into()),
            (cons_group.clone(), first_group),
            (cons_strategy.clone(), "range".into()),
            (prod_rate.clone(), "2".into()),
            (prod_keys.clone(), "4".into()),
            (prod_acks.clone(), "all".into()),
            (rec_key.clone(), "user-1".into()),
            (rec_value.clone(), "hello".into()),
        ];
        use_effect_with((), move |_| {
            for (node, value) in &defaults {
                set_value(node, value);
            }
        });
    }
    let topics = &props.topics;
    let notice = props.term.borrow().notice.clone();
    html! {
        <section class="panel actions-panel" aria-labelledby="actions-title">
            <h2 id="actions-title">{ t(l, Text::Build) }</h2>
            <details open=true>
                <summary>{ t(l, Text::AddTopic) }</summary>
                <form class="add-topic" onsubmit={add_topic}>
                    <label>{ t(l, Text::TopicName) }<input ref={topic_name} name="topic" type="text" required=true spellcheck="false" /></label>
                    <label>{ t(l, Text::Partitions) }<input ref={topic_partitions} name="partitions" type="number" min="1" max="64" /></label>
                    <label>{ t(l, Text::ReplicationFactor) }<input ref={topic_rf} name="replication-factor" type="number" min="1" max="9" /></label>
                    <button type="submit">{ t(l, Text::Create) }</button>
                </form>
            </details>
            <details open=true>
                <summary>{ t(l, Text::AddConsumer) }</summary>
                <form class="add-consumer" onsubmit={add_consumer}>
                    <label>{ t(l, Text::GroupWord) }<input ref={cons_group} name="group" type="text" list="known-groups" required=true spellcheck="false" /></label>
                    <datalist id="known-groups">
                        { for props.groups.iter().map(|g| html! { <option key={g.clone()} value={g.clone()} /> }) }
                    </datalist>
                    <label>{ t(l, Text::TopicWord) }{ topic_select(&cons_topic, topics, "consumer-topic") }</label>
                    <label>{ t(l, Text::Assignor) }
                        <select ref={cons_strategy} name="strategy">
                            <option value="range">{ "range" }</option>
                            <option value="roundrobin">{ "roundrobin" }</option>
                            <option value="sticky">{ "sticky" }</option>
                            <option value="cooperative-sticky">{ "cooperative-sticky" }</option>
                        </select>
                    </label>
                    <button type="submit">{ t(l, Text::Add) }</button>
                </form>
            </details>
            <details>
                <summary>{ t(l, Text::AddProducer) }</summary>
                <form class="add-producer" onsubmit={add_producer}>
                    <label>{ t(l, Text::TopicWord) }{ topic_select(&prod_topic, topics, "producer-topic") }</label>
                    <label>{ t(l, Text::RatePerSec) }<input ref={prod_rate} name="rate" type="number" min="1" max="1000" /></label>
                    <label>{ t(l, Text::Keys) }<input ref={prod_keys} name="keys" type="number" min="0" max="1000" /></label>
                    <label>{ "acks" }
                        <select ref={prod_acks} name="acks">
                            <option value="all">{ "all" }</option>
                            <option value="1">{ "1" }</option>
                            <option value="0">{ "0" }</option>
                        </select>
                    </label>
                    <button type="submit">{ t(l, Text::Start) }</button>
                </form>
            </details>
            <details>
                <summary>{ t(l, Text::ProduceOne) }</summary>
                <form class="produce-one" onsubmit={produce}>
                    <label>{ t(l, Text::TopicWord) }{ topic_select(&rec_topic, topics, "record-topic") }</label>
                    <label>{ "key" }<input ref={rec_key} name="key" type="text" spellcheck="false" placeholder="null" /></label>
                    <label>{ "value" }<input ref={rec_value} name="value" type="text" spellcheck="false" /></label>
                    <button type="submit">{ t(l, Text::Send) }</button>
                </form>
            </details>
            <p class="hint">{ t(l, Text::ActionsHint) }</p>
            <div class={classes!("notice", notice.as_ref().map(|n| if n.error { "error" } else { "ok" }))} role="status" aria-live="polite">
                { notice.map(|n| n.text).unwrap_or_default() }
            </div>
        </section>
    }
}
