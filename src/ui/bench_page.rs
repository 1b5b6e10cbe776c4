//! `?bench`: the engine's throughput workload run in WebAssembly (the performance issue's
//! `engine_throughput_wasm`), printed as the native harness prints it, one JSON line per figure,
//! into `<pre id="bench-output" data-done>`. `?bench=tiny` runs it at toy size (a smoke test).
//! The page is a harness, not the playground: it blocks while the workload runs.

use crate::bench::{select, Scale};
use crate::scenario::url::has_flag;

/// Whether the address asks for the benchmark page (`?bench`).
pub fn requested(search: &str) -> bool {
    has_flag(search, "bench")
}

/// Runs the workload and writes its figures into the page.
pub fn run(search: &str) {
    let scale = if search.contains("bench=tiny") {
        Scale::Tiny
    } else {
        Scale::Full
    };
    let lines = match select(&["engine_throughput".to_string()]) {
        Ok(workloads) => workloads
            .iter()
            .flat_map(|w| match (w.run)(scale) {
                Ok(figures) => figures
                    .into_iter()
                    .map(|mut f| {
                        f.name.push_str("_wasm");
                        f.json_line()
                    })
                    .collect(),
                Err(e) => vec![serde_json::json!({ "name": w.name, "error": e }).to_string()],
            })
            .collect::<Vec<_>>(),
        Err(e) => vec![serde_json::json!({ "error": e }).to_string()],
    };
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(pre) = document.create_element("pre") else {
        return;
    };
    pre.set_id("bench-output");
    pre.set_text_content(Some(&lines.join("\n")));
    let _ = pre.set_attribute("data-done", "true");
    if let Some(body) = document.body() {
        let _ = body.append_child(&pre);
    }
}
