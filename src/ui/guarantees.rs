//! The live guarantee checker's findings: a count per guarantee and the violations themselves,
//! each a button that goes to the moment it happened (the event log then shows its cause).

use super::i18n::{t, Lang, Text};
use crate::engine::time::{human, Millis};
use crate::scenario::Session;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// Violations listed at most (newest first); the counts cover all of them.
const SHOWN: usize = 50;

#[derive(Properties)]
pub struct GuaranteesProps {
    pub lang: Lang,
    pub world: Rc<RefCell<Session>>,
    /// The trace's event count: the panel redraws when it changes.
    pub count: u64,
    pub on_seek: Callback<Millis>,
}

impl PartialEq for GuaranteesProps {
    fn eq(&self, other: &Self) -> bool {
        self.lang == other.lang
            && self.count == other.count
            && Rc::ptr_eq(&self.world, &other.world)
    }
}

#[component]
pub fn Guarantees(props: &GuaranteesProps) -> Html {
    let l = props.lang;
    let world = props.world.borrow();
    let sim = world.sim();
    let counts = sim.violation_counts();
    let total: u64 = counts.iter().map(|(_, n)| n).sum();
    let rows = counts.iter().map(|(g, n)| {
        html! {
            <li class={classes!((*n > 0).then_some("violated"))}>
                <span class="name">{ g.name() }</span>
                <span class="count">{ if *n == 0 { "✓".to_string() } else { n.to_string() } }</span>
            </li>
        }
    });
    let found = sim.violations().iter().rev().take(SHOWN).map(|v| {
        let at = v.at;
        let onclick = props.on_seek.reform(move |_: MouseEvent| at);
        html! {
            <li>
                <button type="button" class="violation" {onclick} title={t(l, Text::GoToMoment)}>
                    <time>{ human(v.at) }</time>
                    <strong>{ v.guarantee.name() }</strong>
                    <span>{ v.detail.clone() }</span>
                </button>
            </li>
        }
    });
    html! {
        <section class="panel guarantees" aria-labelledby="guarantees-title">
            <h2 id="guarantees-title">{ t(l, Text::Guarantees) }</h2>
            <ul class="guarantee-counts">{ for rows }</ul>
            if total == 0 {
                <p class="empty">{ t(l, Text::NoViolations) }</p>
            } else {
                <p class="hint">{ t(l, Text::ViolationsHint) }</p>
                <ol class="violation-list">{ for found }</ol>
            }
        </section>
    }
}
