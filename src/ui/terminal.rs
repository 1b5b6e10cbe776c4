//! The terminal panel: Kafka's CLI tools and the playground commands against the page's world.

use super::i18n::{t, Lang, Text};
use super::run::{run_line, TermLog};
use crate::scenario::Session;
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties)]
pub struct TerminalProps {
    pub lang: Lang,
    pub world: Rc<RefCell<Session>>,
    /// The scrollback, shared with the page's forms (they echo their commands here).
    pub term: Rc<RefCell<TermLog>>,
    pub version: u64,
}

impl PartialEq for TerminalProps {
    fn eq(&self, other: &Self) -> bool {
        self.lang == other.lang
            && self.version == other.version
            && Rc::ptr_eq(&self.world, &other.world)
            && Rc::ptr_eq(&self.term, &other.term)
    }
}

#[component]
pub fn Terminal(props: &TerminalProps) -> Html {
    let redraw = use_force_update();
    let history = use_mut_ref(Vec::<String>::new);
    let cursor = use_mut_ref(|| 0usize);
    let input = use_node_ref();

    let onkeydown = {
        let world = props.world.clone();
        let term = props.term.clone();
        let input = input.clone();
        Callback::from(move |e: KeyboardEvent| {
            let Some(el) = input.cast::<HtmlInputElement>() else {
                return;
            };
            match e.key().as_str() {
                "Enter" => {
                    let line = el.value();
                    el.set_value("");
                    if line.trim().is_empty() {
                        return;
                    }
                    history.borrow_mut().push(line.clone());
                    *cursor.borrow_mut() = history.borrow().len();
                    run_line(&world, &term, &line, false);
                    redraw.force_update();
                }
                "ArrowUp" | "ArrowDown" => {
                    e.prevent_default();
                    let h = history.borrow();
                    let mut c = cursor.borrow_mut();
                    if e.key() == "ArrowUp" {
                        *c = c.saturating_sub(1);
                    } else {
                        *c = (*c + 1).min(h.len());
                    }
                    el.set_value(h.get(*c).map_or("", String::as_str));
                }
                _ => {}
            }
        })
    };
    let l = props.lang;
    html! {
        <section class="terminal" aria-label={t(l, Text::Terminal)}>
            // column-reverse keeps the view scrolled to the newest line.
            <pre class="scrollback" aria-live="polite">
                <div>
                    { for props.term.borrow().lines.iter().map(|(err, line)| html! {
                        <div class={classes!("line", err.then_some("stderr"))}>{ line }</div>
                    }) }
                </div>
            </pre>
            <label class="prompt">
                <span aria-hidden="true">{ "$" }</span>
                <input ref={input} type="text" spellcheck="false" autocomplete="off"
                    placeholder={t(l, Text::TerminalHint)} aria-label={t(l, Text::Terminal)} {onkeydown} />
            </label>
        </section>
    }
}
