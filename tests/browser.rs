//! Browser tests: run in headless Chromium by wasm-bindgen-test-runner
//! (`cargo test --target wasm32-unknown-unknown --features ui --test browser`).
#![cfg(all(target_arch = "wasm32", feature = "ui"))]

use kafka_playground::ui::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Lets Yew's scheduler run (it renders from spawned tasks).
async fn settle() {
    yew::platform::time::sleep(std::time::Duration::from_millis(30)).await;
}

/// Forgets remembered preferences (language, theme), so every test starts from the defaults.
fn forget_preferences() {
    use js_sys::{Function, Reflect};
    use wasm_bindgen::JsValue;
    let storage = Reflect::get(&js_sys::global(), &"localStorage".into()).unwrap();
    let remove: Function = Reflect::get(&storage, &"removeItem".into())
        .unwrap()
        .dyn_into()
        .unwrap();
    for key in ["kafka-playground.lang", "kafka-playground.theme"] {
        remove.call1(&storage, &JsValue::from_str(key)).unwrap();
    }
}

async fn mount() -> web_sys::Element {
    forget_preferences();
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<App>::with_root(root.clone()).render();
    settle().await;
    root
}

#[wasm_bindgen_test]
async fn app_mounts_with_title_stage_and_version() {
    let root = mount().await;
    let title = root.query_selector("h1").unwrap().expect("a title");
    assert_eq!(title.text_content().unwrap(), "Kafka Playground");
    assert!(
        root.query_selector("svg.stage").unwrap().is_some(),
        "the SVG stage is drawn"
    );
    let footer = root.query_selector("footer").unwrap().expect("a footer");
    assert!(footer
        .text_content()
        .unwrap()
        .contains(kafka_playground::VERSION));
}

#[wasm_bindgen_test]
async fn language_switch_changes_texts() {
    let root = mount().await;
    let tagline = || {
        root.query_selector(".tagline")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap()
    };
    assert!(tagline().contains("simulated faithfully"));
    let button: web_sys::HtmlElement = root
        .query_selector("button.lang")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    button.click();
    settle().await;
    assert!(tagline().contains("disimulasikan"));
}

/// The engine in WebAssembly produces exactly the native trace (tests/determinism.rs pins it).
#[wasm_bindgen_test]
fn default_scenario_trace_hash_matches_native() {
    let golden = include_str!("golden/default-scenario-120s.hash")
        .trim()
        .trim_start_matches("0x");
    let golden = u64::from_str_radix(golden, 16).unwrap();
    let mut sim = kafka_playground::scenario::default_scenario()
        .build()
        .unwrap();
    sim.run_for(120_000);
    assert_eq!(sim.trace_hash(), golden);
}

/// Dispatches a bubbling DOM event (`MouseEvent` or `KeyboardEvent` with `init`) on `target`:
/// SVG elements have no `click()`, and Yew listens at the root, so the event must bubble.
fn fire(target: &wasm_bindgen::JsValue, class: &str, kind: &str, init: &[(&str, &str)]) {
    use js_sys::{Array, Function, Object, Reflect};
    use wasm_bindgen::JsValue;
    let global = js_sys::global();
    let ctor: Function = Reflect::get(&global, &JsValue::from_str(class))
        .unwrap()
        .dyn_into()
        .unwrap();
    let opts = Object::new();
    Reflect::set(&opts, &"bubbles".into(), &JsValue::TRUE).unwrap();
    for (k, v) in init {
        Reflect::set(&opts, &JsValue::from_str(k), &JsValue::from_str(v)).unwrap();
    }
    let event = Reflect::construct(&ctor, &Array::of2(&JsValue::from_str(kind), &opts)).unwrap();
    let dispatch: Function = Reflect::get(target, &"dispatchEvent".into())
        .unwrap()
        .dyn_into()
        .unwrap();
    dispatch.call1(target, &event).unwrap();
}

/// Waits for a few animation frames (the page redraws from its frame loop).
async fn frames() {
    yew::platform::time::sleep(std::time::Duration::from_millis(120)).await;
}

fn text(root: &web_sys::Element, selector: &str) -> String {
    root.query_selector(selector)
        .unwrap()
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn clicking_a_replica_opens_the_inspector_and_escape_closes_it() {
    let root = mount().await;
    frames().await;
    let replica = root
        .query_selector("g.replica")
        .unwrap()
        .expect("replicas on the stage");
    assert_eq!(replica.get_attribute("role").as_deref(), Some("button"));
    assert_eq!(replica.get_attribute("tabindex").as_deref(), Some("0"));
    fire(&replica, "MouseEvent", "click", &[]);
    frames().await;
    let inspector = text(&root, ".inspector");
    for name in [
        "Log end offset (LEO)",
        "High watermark (HW)",
        "Log start offset",
        "In the ISR",
        "Segments",
    ] {
        assert!(
            inspector.contains(name),
            "inspector lacks {name}: {inspector}"
        );
    }
    let document = web_sys::window().unwrap().document().unwrap();
    fire(&document, "KeyboardEvent", "keydown", &[("key", "Escape")]);
    frames().await;
    assert!(root.query_selector(".inspector").unwrap().is_none());
}

#[wasm_bindgen_test]
async fn enter_on_a_focused_member_inspects_it() {
    let root = mount().await;
    // The consumers join within a simulated second or so.
    for _ in 0..50 {
        if root.query_selector("g.member").unwrap().is_some() {
            break;
        }
        frames().await;
    }
    let member = root.query_selector("g.member").unwrap().expect("a member");
    fire(&member, "KeyboardEvent", "keydown", &[("key", "Enter")]);
    frames().await;
    let inspector = text(&root, ".inspector");
    assert!(inspector.contains("member.id"), "{inspector}");
    assert!(inspector.contains("Crash (no goodbye)"), "{inspector}");
}

#[wasm_bindgen_test]
async fn the_add_topic_form_runs_kafka_topics_and_echoes_it() {
    let root = mount().await;
    let name: web_sys::HtmlInputElement = root
        .query_selector("form.add-topic input[name=topic]")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    name.set_value("invoices");
    let submit: web_sys::HtmlElement = root
        .query_selector("form.add-topic button[type=submit]")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    submit.click();
    frames().await;
    let term = text(&root, ".terminal .scrollback");
    assert!(
        term.contains("$ kafka-topics --bootstrap-server localhost:9092 --create --topic invoices --partitions 3 --replication-factor 3"),
        "{term}"
    );
    assert!(term.contains("Created topic invoices."), "{term}");
    // 3 partitions x 3 replicas of `orders` + the same of `invoices`.
    assert_eq!(root.query_selector_all("g.replica").unwrap().length(), 18);
    // The same again is Kafka's TopicExistsException, shown in the notice.
    submit.click();
    frames().await;
    let notice = text(&root, ".notice.error");
    assert!(notice.contains("already exists"), "{notice}");
}

#[wasm_bindgen_test]
async fn question_mark_shows_the_shortcut_list() {
    let root = mount().await;
    let document = web_sys::window().unwrap().document().unwrap();
    fire(&document, "KeyboardEvent", "keydown", &[("key", "?")]);
    frames().await;
    let dialog = text(&root, "[role=dialog]");
    assert!(dialog.contains("Play or pause"), "{dialog}");
    fire(&document, "KeyboardEvent", "keydown", &[("key", "Escape")]);
    frames().await;
    assert!(root.query_selector("[role=dialog]").unwrap().is_none());
}

#[wasm_bindgen_test]
fn event_sentences_in_both_languages_and_chatter_hidden() {
    use kafka_playground::engine::trace::TraceEvent;
    use kafka_playground::engine::TopicPartition;
    use kafka_playground::ui::events::{kind_of, sentence, Kind};
    use kafka_playground::ui::i18n::Lang;
    let e = TraceEvent::Rebalanced {
        group: "g".into(),
        generation: 3,
        protocol: "range".into(),
        assignment: vec![("c-1".into(), vec![TopicPartition::new("t", 0)])],
    };
    assert_eq!(
        sentence(Lang::En, &e),
        "Group g rebalanced (generation 3, range): c-1: t-0"
    );
    assert_eq!(
        sentence(Lang::Id, &e),
        "Grup g selesai rebalance (generasi 3, range): c-1: t-0"
    );
    assert_eq!(kind_of(&e), Some(Kind::Groups));
    let chatter = TraceEvent::HighWatermark {
        tp: TopicPartition::new("t", 0),
        broker: 1,
        hw: 5,
    };
    assert_eq!(kind_of(&chatter), None);
}

#[wasm_bindgen_test]
fn quoted_form_values_survive_the_console_parser() {
    use kafka_playground::console::parse_script;
    use kafka_playground::ui::run::quote;
    for word in ["orders", "a b", "it's", "x;y", "$HOME", "", "k:v", "ünï"] {
        let line = format!("echo {}", quote(word));
        let parsed = parse_script(&line).unwrap();
        assert_eq!(parsed[0].argv, vec!["echo".to_string(), word.to_string()]);
    }
}

#[wasm_bindgen_test]
fn svg_coordinates_have_one_decimal_rounded_with_their_sign() {
    use kafka_playground::ui::svg::px;
    assert_eq!(px(0.0), "0.0");
    assert_eq!(px(12.0), "12.0");
    assert_eq!(px(12.34), "12.3");
    assert_eq!(px(12.36), "12.4");
    assert_eq!(px(-3.26), "-3.3");
    assert_eq!(px(-0.04), "0.0");
    assert_eq!(px(1199.96), "1200.0");
    assert_eq!(px(f64::NAN), "0.0");
}
