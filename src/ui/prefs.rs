//! The visitor's preferences: media queries (reduced motion, dark scheme) and remembered choices
//! (language, theme) in `localStorage`. Reached through `js_sys::Reflect`, so no extra web-sys
//! features are needed; every failure (no window, storage disabled in an iframe) means "unset".

use js_sys::{Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};

fn window() -> Option<JsValue> {
    web_sys::window().map(JsValue::from)
}

fn method(target: &JsValue, name: &str) -> Option<Function> {
    Reflect::get(target, &JsValue::from_str(name))
        .ok()?
        .dyn_into::<Function>()
        .ok()
}

/// `window.matchMedia(query).matches`.
pub fn media_matches(query: &str) -> bool {
    let Some(w) = window() else { return false };
    let Some(f) = method(&w, "matchMedia") else {
        return false;
    };
    f.call1(&w, &JsValue::from_str(query))
        .ok()
        .and_then(|list| Reflect::get(&list, &JsValue::from_str("matches")).ok())
        .and_then(|m| m.as_bool())
        .unwrap_or(false)
}

pub fn reduced_motion() -> bool {
    media_matches("(prefers-reduced-motion: reduce)")
}

fn storage() -> Option<JsValue> {
    let w = window()?;
    // Reading `localStorage` throws in sandboxed iframes; Reflect turns that into Err.
    let s = Reflect::get(&w, &JsValue::from_str("localStorage")).ok()?;
    (!s.is_null() && !s.is_undefined()).then_some(s)
}

const PREFIX: &str = "kafka-playground.";

pub fn load(key: &str) -> Option<String> {
    let s = storage()?;
    method(&s, "getItem")?
        .call1(&s, &JsValue::from_str(&format!("{PREFIX}{key}")))
        .ok()?
        .as_string()
}

pub fn save(key: &str, value: &str) {
    let Some(s) = storage() else { return };
    if let Some(f) = method(&s, "setItem") {
        let _ = f.call2(
            &s,
            &JsValue::from_str(&format!("{PREFIX}{key}")),
            &JsValue::from_str(value),
        );
    }
}

/// The `value` of a form control (input or select) by its node reference.
pub fn value_of(node: &yew::NodeRef) -> String {
    node.get()
        .and_then(|n| Reflect::get(&n, &JsValue::from_str("value")).ok())
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}
