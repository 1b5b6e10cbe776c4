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

async fn mount() -> web_sys::Element {
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
