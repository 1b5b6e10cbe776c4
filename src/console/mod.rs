//! Kafka command-line tools and playground commands against a simulated cluster.
//!
//! This part is engine-independent: reading scripts, parsing tool options exactly as Kafka's
//! jopt-simple / argparse4j front-ends do, and formatting plain data (`model`) the way Kafka
//! 4.0's tools print it (`format`). The lead wires these to the engine.

pub mod format;
pub mod java_order;
pub mod model;
pub mod options;
pub mod output;
pub mod script;

pub mod run;
pub mod tools;

pub use run::Console;

pub use options::{parse_tool_args, Tool};
pub use output::ToolExit;
pub use script::{parse_duration, parse_script, ScriptError, ScriptLine};
