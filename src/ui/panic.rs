//! A panic in WebAssembly leaves the page's state undefined, so the page cannot go on. Instead of
//! a frozen page, the hook shows what happened and two ways out built from plain links (no
//! script, so they work whatever state the module is in): reload, which restores the scenario
//! saved after the last command that worked, or start over with the default scenario (`?reset`).

use super::prefs;
use std::sync::atomic::{AtomicBool, Ordering};
use wasm_bindgen::JsCast;

static PANICKED: AtomicBool = AtomicBool::new(false);

/// After a panic nothing is saved any more: the last good scenario stays the saved one.
pub fn panicked() -> bool {
    PANICKED.load(Ordering::Relaxed)
}

/// Must run before Yew's renderer starts: Yew installs its own hook unless given one.
pub fn install() {
    yew::set_custom_panic_hook(Box::new(|info| {
        PANICKED.store(true, Ordering::Relaxed);
        let message = info.to_string();
        web_sys::console::error_1(&message.clone().into());
        show(&message);
    }));
}

fn show(message: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(body) = doc.body() else { return };
    let indonesian = prefs::load("lang").as_deref() == Some("id");
    let (title, text, reload, reset) = if indonesian {
        (
            "Playground berhenti karena kesalahan internal",
            "Ini bug, bukan kesalahan Anda. Skenario Anda disimpan setelah perintah terakhir yang berhasil.",
            "Muat ulang dengan skenario terakhir saya",
            "Mulai lagi dengan skenario bawaan",
        )
    } else {
        (
            "The playground stopped on an internal error",
            "This is a bug, not something you did. Your scenario was saved after the last command that worked.",
            "Reload with my last scenario",
            "Start over with the default scenario",
        )
    };
    let el = |tag: &str, class: &str, text: &str| {
        let e = doc.create_element(tag).ok()?;
        e.set_class_name(class);
        // Text, never markup: the message may quote user input.
        e.set_text_content(Some(text));
        Some(e)
    };
    let (Some(panel), Some(h), Some(p), Some(pre)) = (
        el("div", "panic", ""),
        el("h2", "", title),
        el("p", "", text),
        el("pre", "", message),
    ) else {
        return;
    };
    let _ = panel.set_attribute("role", "alert");
    let base = super::share::playground_base();
    let links = [(reload, base.clone()), (reset, format!("{base}?reset"))];
    for node in [h, p, pre] {
        let _ = panel.append_child(&node);
    }
    for (label, href) in links {
        if let Some(a) = el("a", "button", label) {
            let _ = a.set_attribute("href", &href);
            let _ = panel.append_child(&a);
        }
    }
    if let Ok(panel) = panel.dyn_into::<web_sys::HtmlElement>() {
        let _ = body.append_child(&panel);
    }
}

/// A panic on purpose, so that the end-to-end tests can check the hook in a real page
/// (`window.wasmBindings.selfTestPanic()`).
#[wasm_bindgen::prelude::wasm_bindgen(js_name = selfTestPanic)]
pub fn self_test_panic() {
    panic!("self-test: a deliberate panic to check the error panel");
}
