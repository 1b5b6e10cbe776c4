//! Sharing a scenario: the page's address (a link's scenario, `?embed`), the last scenario kept
//! in `localStorage`, and the share panel's buttons: copy link, download scenario, open a
//! scenario file, copy embed code. Browser APIs are reached through `js_sys::Reflect`, so no
//! extra web-sys features are needed.

use super::i18n::{t, Lang, Text};
use super::prefs;
use super::run::TermLog;
use crate::scenario::url::has_flag;
use crate::scenario::{describe_errors, from_location, Location, Scenario, Session};
use js_sys::{Array, Function, Object, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The `localStorage` key (after the prefs prefix) of the last scenario, as a link fragment.
const SAVED: &str = "session";

fn get(target: &JsValue, name: &str) -> Option<JsValue> {
    Reflect::get(target, &JsValue::from_str(name))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

fn get_str(target: &JsValue, name: &str) -> String {
    get(target, name)
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

fn call(target: &JsValue, name: &str, args: &[JsValue]) -> Option<JsValue> {
    let f = get(target, name)?.dyn_into::<Function>().ok()?;
    f.apply(target, &args.iter().collect::<Array>()).ok()
}

fn window() -> Option<JsValue> {
    web_sys::window().map(JsValue::from)
}

fn location() -> Option<JsValue> {
    get(&window()?, "location")
}

/// The address's query (`?embed&terminal`), or empty.
pub(super) fn search() -> String {
    location()
        .map(|l| get_str(&l, "search"))
        .unwrap_or_default()
}

/// How the page was opened.
pub struct Opening {
    pub location: Location,
    /// `?embed` in the query or `embed` in the fragment: the compact player.
    pub embed: bool,
    pub terminal: bool,
    /// The scenario came from `localStorage` (a reload).
    pub restored: bool,
    /// The saved scenario could not be read.
    pub restore_failed: bool,
}

/// Reads the address: a link's scenario wins; without one the full page restores the last
/// scenario from `localStorage`. Never fails: anything damaged gives the default scenario and
/// a reason.
pub fn opening() -> Opening {
    let loc = location();
    let hash = loc.as_ref().map(|l| get_str(l, "hash")).unwrap_or_default();
    let search = search();
    let location = from_location(&hash);
    let embed = location.embed || has_flag(&search, "embed");
    let terminal = location.terminal || has_flag(&search, "terminal");
    let mut out = Opening {
        embed,
        terminal,
        restored: false,
        restore_failed: false,
        location,
    };
    let link_given = out.location.from_link || out.location.problem.is_some();
    if !embed && has_flag(&search, "reset") {
        // The way out offered after an internal error: forget the saved scenario.
        prefs::save(SAVED, "");
    }
    if !embed && !link_given {
        if let Some(saved) = prefs::load(SAVED).filter(|s| !s.is_empty()) {
            let l = from_location(&saved);
            if l.from_link {
                out.location = Location {
                    embed: false,
                    terminal: false,
                    ..l
                };
                out.restored = true;
            } else {
                out.restore_failed = true;
            }
        }
    }
    out
}

/// Drops the fragment (and a `?reset`) from the address bar (the full page keeps its state in `localStorage`,
/// so a reload after changes restores them instead of the original link).
pub fn clear_fragment() {
    let (Some(w), Some(loc)) = (window(), location()) else {
        return;
    };
    let search = get_str(&loc, "search");
    // `?reset` did its work at the opening; another reload must not reset again.
    let search = if has_flag(&search, "reset") {
        ""
    } else {
        search.as_str()
    };
    if get_str(&loc, "hash").is_empty() && search == get_str(&loc, "search") {
        return;
    }
    let url = format!("{}{search}", get_str(&loc, "pathname"));
    if let Some(h) = get(&w, "history") {
        let _ = call(
            &h,
            "replaceState",
            &[
                JsValue::NULL,
                JsValue::from_str(""),
                JsValue::from_str(&url),
            ],
        );
    }
}

/// Keeps the session's scenario and time in `localStorage` for the next visit.
pub fn save(world: &Session) {
    if super::panic::panicked() {
        return;
    }
    if let Ok(f) = world.link() {
        prefs::save(SAVED, &f);
    }
}

/// The playground's address: this page without query, fragment or `index.html`.
pub fn playground_base() -> String {
    let Some(loc) = location() else {
        return String::new();
    };
    let path = get_str(&loc, "pathname");
    let dir = match path.rfind('/') {
        Some(i) => &path[..=i],
        None => "/",
    };
    format!("{}{dir}", get_str(&loc, "origin"))
}

/// The link for the session's scenario at its current time.
pub fn link(world: &Session) -> Result<String, String> {
    world.link().map(|f| format!("{}#{f}", playground_base()))
}

/// The snippet of docs/embedding.md for the session's scenario, playing from the start.
pub fn embed_code(world: &Session) -> Result<String, String> {
    let f = crate::scenario::encode_fragment(&world.scenario(), 0);
    if f.len() > crate::scenario::url::MAX_FRAGMENT_BYTES {
        return Err(f.len().to_string());
    }
    let title = world
        .base()
        .title
        .clone()
        .unwrap_or_else(|| "Kafka Playground".into())
        .replace(['"', '<', '>', '&'], "");
    Ok(format!(
        "<script src=\"{}embed.js\" defer></script>\n<div data-kafka-playground data-fragment=\"{f}\" data-height=\"480\" data-title=\"{title}\"></div>",
        playground_base()
    ))
}

/// Copies `text` to the clipboard; `done(true)` once it is there, `done(false)` when the
/// clipboard is unavailable (inside an iframe without permission, an insecure origin).
fn copy(text: &str, done: Callback<bool>) {
    let promise = window()
        .and_then(|w| get(&w, "navigator"))
        .and_then(|n| get(&n, "clipboard"))
        .and_then(|c| call(&c, "writeText", &[JsValue::from_str(text)]));
    let Some(promise) = promise else {
        done.emit(false);
        return;
    };
    let ok = {
        let done = done.clone();
        Closure::once_into_js(move |_: JsValue| done.emit(true))
    };
    let failed = Closure::once_into_js(move |_: JsValue| done.emit(false));
    let _ = call(&promise, "then", &[ok, failed]);
}

/// Offers `text` as a file download.
fn download(name: &str, text: &str) -> Option<()> {
    let w = window()?;
    let blob_ctor = get(&w, "Blob")?.dyn_into::<Function>().ok()?;
    let options = Object::new();
    Reflect::set(&options, &"type".into(), &"application/json".into()).ok()?;
    let parts: Array = [JsValue::from_str(text)].iter().collect();
    let blob = Reflect::construct(
        &blob_ctor,
        &[JsValue::from(parts), options.into()].iter().collect(),
    )
    .ok()?;
    let url_api = get(&w, "URL")?;
    let url = call(&url_api, "createObjectURL", &[blob])?;
    let doc = web_sys::window()?.document()?;
    let a = doc.create_element("a").ok()?;
    a.set_attribute("href", &url.as_string()?).ok()?;
    a.set_attribute("download", name).ok()?;
    a.set_attribute("hidden", "").ok()?;
    doc.body()?.append_child(&a).ok()?;
    a.dyn_ref::<web_sys::HtmlElement>()?.click();
    a.remove();
    call(&url_api, "revokeObjectURL", &[url]);
    Some(())
}

/// A file name from the scenario's title: `orders.json`.
fn file_name(s: &Scenario) -> String {
    let base: String = s
        .title
        .as_deref()
        .unwrap_or("scenario")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let base = base.trim_matches('-');
    format!("{}.json", if base.is_empty() { "scenario" } else { base })
}

/// What the share panel shows after a button.
#[derive(Clone, Debug, PartialEq)]
enum Outcome {
    None,
    /// The text (link or snippet), and whether it reached the clipboard.
    Copied {
        text: String,
        clipboard: bool,
    },
    Opened(String),
    Invalid(String),
    Error(String),
}

#[derive(Properties)]
pub struct ShareProps {
    pub lang: Lang,
    pub world: Rc<RefCell<Session>>,
    pub term: Rc<RefCell<TermLog>>,
    /// A new scenario was opened (the page resets its selection and plays it).
    pub on_open: Callback<()>,
}

impl PartialEq for ShareProps {
    fn eq(&self, other: &Self) -> bool {
        self.lang == other.lang
            && Rc::ptr_eq(&self.world, &other.world)
            && Rc::ptr_eq(&self.term, &other.term)
    }
}

/// The share panel.
#[component]
pub fn SharePanel(props: &ShareProps) -> Html {
    let l = props.lang;
    let outcome = use_state(|| Outcome::None);
    let copy_with = |make: fn(&Session) -> Result<String, String>| {
        let world = props.world.clone();
        let outcome = outcome.clone();
        Callback::from(move |_: MouseEvent| match make(&world.borrow()) {
            Ok(text) => {
                let shown = outcome.clone();
                let text2 = text.clone();
                copy(
                    &text,
                    Callback::from(move |clipboard| {
                        shown.set(Outcome::Copied {
                            text: text2.clone(),
                            clipboard,
                        })
                    }),
                );
                // Shown at once; the clipboard's answer arrives later.
                outcome.set(Outcome::Copied {
                    text,
                    clipboard: false,
                });
            }
            Err(_) => outcome.set(Outcome::Error(t(l, Text::LinkTooLong).into())),
        })
    };
    let copy_link = copy_with(link);
    let copy_embed = copy_with(embed_code);
    let save_file = {
        let world = props.world.clone();
        Callback::from(move |_: MouseEvent| {
            let s = world.borrow().scenario();
            let _ = download(&file_name(&s), &s.to_json());
        })
    };
    let open_file = {
        let world = props.world.clone();
        let term = props.term.clone();
        let outcome = outcome.clone();
        let on_open = props.on_open.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e.target() else { return };
            let input = JsValue::from(input);
            let file = get(&input, "files").and_then(|f| call(&f, "item", &[0.into()]));
            // Cleared, so that choosing the same file again is a change too.
            let _ = Reflect::set(&input, &"value".into(), &"".into());
            let Some(file) = file else { return };
            let name = get_str(&file, "name");
            let Some(promise) = call(&file, "text", &[]) else {
                return;
            };
            let (world, term, outcome, on_open) = (
                world.clone(),
                term.clone(),
                outcome.clone(),
                on_open.clone(),
            );
            let read = Closure::once_into_js(move |text: JsValue| {
                let text = text.as_string().unwrap_or_default();
                match Scenario::from_json(&text).and_then(|s| Session::new(s).map_err(|e| vec![e]))
                {
                    Ok(session) => {
                        *world.borrow_mut() = session;
                        term.borrow_mut()
                            .push(false, format!("# {} {name}", t(l, Text::ScenarioOpened)));
                        outcome.set(Outcome::Opened(name));
                        on_open.emit(());
                    }
                    Err(errors) => outcome.set(Outcome::Invalid(describe_errors(&errors))),
                }
            });
            let _ = call(&promise, "then", &[read]);
        })
    };
    let result = match &*outcome {
        Outcome::None => html! {},
        Outcome::Copied { text, clipboard } => html! {
            <div class="share-result">
                <p class="notice ok" role="status">{ if *clipboard { t(l, Text::Copied) } else { t(l, Text::CopyByHand) } }</p>
                <textarea class="share-text" readonly=true rows="3" value={text.clone()} aria-label={t(l, Text::Share)} />
            </div>
        },
        Outcome::Opened(name) => html! {
            <p class="notice ok" role="status">{ format!("{}: {name}", t(l, Text::ScenarioOpened)) }</p>
        },
        Outcome::Invalid(errors) => html! {
            <div class="notice error scenario-errors" role="alert">
                <p>{ t(l, Text::ScenarioInvalid) }</p>
                <ul>{ for errors.lines().map(|e| html! { <li><code>{ e }</code></li> }) }</ul>
            </div>
        },
        Outcome::Error(e) => html! { <p class="notice error" role="alert">{ e.clone() }</p> },
    };
    html! {
        <section class="panel share" aria-labelledby="share-title">
            <h2 id="share-title">{ t(l, Text::Share) }</h2>
            <div class="share-buttons">
                <button type="button" class="copy-link" onclick={copy_link}>{ t(l, Text::CopyLink) }</button>
                <button type="button" class="download-scenario" onclick={save_file}>{ t(l, Text::DownloadScenario) }</button>
                <label class="open-scenario button">
                    { t(l, Text::OpenScenario) }
                    <input type="file" accept=".json,application/json" onchange={open_file} />
                </label>
                <button type="button" class="copy-embed" onclick={copy_embed}>{ t(l, Text::CopyEmbed) }</button>
            </div>
            <p class="hint">{ t(l, Text::ShareHint) }</p>
            { result }
        </section>
    }
}
