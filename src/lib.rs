//! Kafka Playground: Apache Kafka, simulated faithfully.
//!
//! `engine` is the pure, deterministic simulation; `console` speaks Kafka's command-line tools
//! against it; `scenario` holds shareable scenario files. `ui` (feature `ui`) is the Yew front-end.

/// Benchmark workloads (they read the wall clock, which the engine never does): native, and
/// in the browser page's `?bench` harness.
#[cfg(any(not(target_arch = "wasm32"), feature = "ui"))]
pub mod bench;
pub mod console;
/// The simulation, its own crate (`engine/`): pure, deterministic, and compiled for speed.
pub use kafka_playground_engine as engine;
pub use kafka_playground_engine::ordered;
pub mod scenario;
#[cfg(feature = "ui")]
pub mod ui;

/// The playground's version, shown in the page footer and by `--version`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
