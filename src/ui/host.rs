//! The player's side of the `postMessage` API (docs/embedding.md): messages from the page that
//! embeds the playground (load, console, play, pause, step, seek), checked by
//! `scenario::embed::parse_host_message`, and events back (ready, state, violation,
//! console_output, error). Only `window.parent` is listened to; a deployment may restrict the
//! parent's origin with `<meta name="kafka-playground-allowed-origins" content="https://a https://b">`.

use super::driver::Playback;
use super::run::TermLog;
use crate::engine::invariants::Checker;
use crate::engine::trace::TraceEvent;
use crate::scenario::embed::{parse_host_message, HostMessage, PlayerEvent, StateSummary};
use crate::scenario::Session;
use js_sys::{Function, Object, Reflect, JSON};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

fn get(target: &JsValue, name: &str) -> Option<JsValue> {
    Reflect::get(target, &JsValue::from_str(name))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

/// `window.parent`, when the page is framed.
fn parent() -> Option<JsValue> {
    let w = JsValue::from(web_sys::window()?);
    let p = get(&w, "parent")?;
    (!Object::is(&p, &w)).then_some(p)
}

/// The parent's origin when the browser tells it (`location.ancestorOrigins`, or the
/// referrer); `"*"` otherwise — the events describe a public simulation.
fn parent_origin() -> String {
    let w = web_sys::window().map(JsValue::from);
    let ancestors = w
        .as_ref()
        .and_then(|w| get(w, "location"))
        .and_then(|l| get(&l, "ancestorOrigins"))
        .and_then(|a| Reflect::get(&a, &0.into()).ok())
        .and_then(|o| o.as_string());
    let referrer = w
        .as_ref()
        .and_then(|w| get(w, "document"))
        .and_then(|d| get(&d, "referrer"))
        .and_then(|r| r.as_string())
        .map(|r| origin_of(&r));
    ancestors
        .or(referrer)
        .filter(|o| !o.is_empty() && o != "null")
        .unwrap_or_else(|| "*".into())
}

/// `https://host:port` of a URL (empty when it has no `scheme://`).
fn origin_of(url: &str) -> String {
    let Some(i) = url.find("://") else {
        return String::new();
    };
    let rest = &url[i + 3..];
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    url[..i + 3 + end].to_string()
}

/// The origins a deployment allows to drive the player; empty = any.
fn allowed_origins() -> Vec<String> {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| {
            d.query_selector("meta[name=kafka-playground-allowed-origins]")
                .ok()
                .flatten()
        })
        .and_then(|m| m.get_attribute("content"))
        .map(|c| c.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}

/// Posts an event to the parent page.
pub fn post(event: &PlayerEvent) {
    let Some(p) = parent() else { return };
    let Ok(data) = JSON::parse(&event.to_json().to_string()) else {
        return;
    };
    if let Some(f) = get(&p, "postMessage").and_then(|f| f.dyn_into::<Function>().ok()) {
        let _ = f.call2(&p, &data, &JsValue::from_str(&parent_origin()));
    }
}

/// What the player last told its host, so that it says only what changed.
#[derive(Default)]
pub struct HostLink {
    checker: Checker,
    last_now: i64,
    last_seq: u64,
    last_state: Option<StateSummary>,
    last_state_frame: u64,
}

impl HostLink {
    /// Called every frame: the state summary when it changed (about once a second while
    /// playing), and every guarantee violation found since the last call.
    pub fn tick(&mut self, world: &Session, playing: bool, frame: u64) {
        let sim = world.sim();
        if sim.now() < self.last_now {
            // Rewound: the checker's memory is of a later time.
            self.checker = Checker::default();
            self.last_seq = 0;
        }
        self.last_now = sim.now();
        if frame % 15 == 0 {
            for v in self.checker.observe(sim) {
                post(&PlayerEvent::from(&v));
            }
        }
        let count = sim.trace().count();
        if count > self.last_seq {
            let lost = sim
                .trace()
                .recent()
                .filter(|(_, seq, _)| *seq > self.last_seq)
                .filter_map(|(at, _, e)| match e {
                    TraceEvent::AckedRecordLost {
                        tp,
                        offset,
                        acks,
                        cause,
                    } => Some(PlayerEvent::Violation {
                        at_ms: *at,
                        guarantee: "AckedRecordLost".into(),
                        detail: format!(
                            "{tp} offset {offset} was acknowledged (acks={acks}) and is gone: {cause}"
                        ),
                    }),
                    _ => None,
                })
                .collect::<Vec<_>>();
            for e in &lost {
                post(e);
            }
            self.last_seq = count;
        }
        let summary = StateSummary::of(sim, playing);
        let changed = self.last_state.as_ref().is_none_or(|s| {
            // While playing the clock always moves: that is said about once a second. Paused,
            // the clock moves only by step or seek, and that is said at once.
            let same_but_time = StateSummary {
                now_ms: s.now_ms,
                ..summary.clone()
            } == *s;
            !same_but_time
                || (!playing && s.now_ms != summary.now_ms)
                || frame >= self.last_state_frame + 60
        });
        if changed {
            post(&PlayerEvent::State(summary.clone()));
            self.last_state = Some(summary);
            self.last_state_frame = frame;
        }
    }

    /// Forgets what was said, so the next tick reports the state at once.
    pub fn poke(&mut self) {
        self.last_state = None;
    }
}

/// Listens to the parent page's messages for the life of the page and says `ready`.
#[hook]
pub fn use_host_api(
    world: Rc<RefCell<Session>>,
    playback: Rc<RefCell<Playback>>,
    term: Rc<RefCell<TermLog>>,
    link: Rc<RefCell<HostLink>>,
    on_load: Callback<()>,
) {
    use_effect_with((), move |_| {
        let window = web_sys::window();
        let enabled = parent().is_some();
        let handler = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            let Some(p) = parent() else { return };
            let from_parent = get(&e, "source").is_some_and(|s| Object::is(&s, &p));
            if !from_parent {
                return;
            }
            let allowed = allowed_origins();
            let origin = get(&e, "origin")
                .and_then(|o| o.as_string())
                .unwrap_or_default();
            if !allowed.is_empty() && !allowed.contains(&origin) {
                return;
            }
            let data = get(&e, "data").unwrap_or(JsValue::NULL);
            let text = JSON::stringify(&data)
                .ok()
                .and_then(|s| s.as_string())
                .unwrap_or_default();
            let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) else {
                return;
            };
            let message = match parse_host_message(&value) {
                Ok(Some(m)) => m,
                Ok(None) => return,
                Err(message) => {
                    post(&PlayerEvent::Error { message });
                    return;
                }
            };
            match message {
                HostMessage::Load(s) => match Session::new(*s) {
                    Ok(session) => {
                        *world.borrow_mut() = session;
                        playback.borrow_mut().seek_to = None;
                        on_load.emit(());
                    }
                    Err(e) => post(&PlayerEvent::Error {
                        message: format!("load: {e}"),
                    }),
                },
                HostMessage::Console { line } => {
                    let exit = world.borrow_mut().execute(&line);
                    let mut log = term.borrow_mut();
                    log.push(false, format!("$ {line}"));
                    for l in exit.stdout.lines() {
                        log.push(false, l);
                    }
                    for l in exit.stderr.lines() {
                        log.push(true, l);
                    }
                    post(&PlayerEvent::ConsoleOutput(exit));
                }
                HostMessage::Play => playback.borrow_mut().playing = true,
                HostMessage::Pause => playback.borrow_mut().playing = false,
                HostMessage::Step => {
                    playback.borrow_mut().playing = false;
                    world.borrow_mut().step();
                }
                HostMessage::Seek { ms } => {
                    let mut p = playback.borrow_mut();
                    p.playing = false;
                    p.seek(&mut world.borrow_mut(), ms);
                }
            }
            link.borrow_mut().poke();
        });
        if enabled {
            if let Some(w) = &window {
                let _ =
                    w.add_event_listener_with_callback("message", handler.as_ref().unchecked_ref());
            }
            post(&PlayerEvent::Ready);
        }
        move || {
            if let Some(w) = &window {
                let _ = w.remove_event_listener_with_callback(
                    "message",
                    handler.as_ref().unchecked_ref(),
                );
            }
            drop(handler);
        }
    });
}
