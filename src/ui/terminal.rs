//! The terminal panel: Kafka's CLI tools and the playground commands against the page's world.

use super::i18n::{t, Lang, Text};
use crate::console::Console;
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties)]
pub struct TerminalProps {
    pub lang: Lang,
    pub world: Rc<RefCell<Console>>,
}

impl PartialEq for TerminalProps {
    fn eq(&self, other: &Self) -> bool {
        self.lang == other.lang && Rc::ptr_eq(&self.world, &other.world)
    }
}

/// Lines kept in the terminal's scrollback.
const SCROLLBACK: usize = 2_000;

#[component]
pub fn Terminal(props: &TerminalProps) -> Html {
    let output = use_state(Vec::<(bool, String)>::new);
    let history = use_mut_ref(Vec::<String>::new);
    let cursor = use_mut_ref(|| 0usize);
    let input = use_node_ref();

    let onkeydown = {
        let world = props.world.clone();
        let output = output.clone();
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
                    let result = world.borrow_mut().execute(&line);
                    let mut lines = (*output).clone();
                    lines.push((false, format!("$ {line}")));
                    lines.extend(result.stdout.lines().map(|l| (false, l.to_string())));
                    lines.extend(result.stderr.lines().map(|l| (true, l.to_string())));
                    let excess = lines.len().saturating_sub(SCROLLBACK);
                    lines.drain(..excess);
                    output.set(lines);
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
                    { for output.iter().map(|(err, line)| html! {
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
