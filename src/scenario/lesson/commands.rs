//! Terminal commands that need the whole session, not just the engine: `export`, the way from
//! the playground to a real cluster. The console knows the world; the session also knows the
//! scenario that built it and what the learner did since, which is what an export writes.

use super::super::export::{to_kafka_cli, to_kafka_python};
use super::super::Session;
use crate::console::ToolExit;

const USAGE: &str = "export: usage: export python|cli|json\n  python  a kafka-python program that recreates this scenario on a real cluster\n  cli     the same as Kafka's command-line tools (with the timeline)\n  json    the scenario file\n";

/// Runs a terminal line: `export ...` here, anything else through the session's console (and
/// recorded, as [`Session::execute`] does).
pub fn execute(session: &mut Session, line: &str) -> ToolExit {
    let mut words = line.split_whitespace();
    if words.next() != Some("export") {
        return session.execute(line);
    }
    let what: Vec<&str> = words.collect();
    let scenario = session.scenario();
    match what.as_slice() {
        ["python"] | ["kafka-python"] => ToolExit::ok(to_kafka_python(&scenario)),
        ["cli"] => ToolExit::ok(to_kafka_cli(&scenario)),
        ["json"] => ToolExit::ok(scenario.to_json()),
        _ => ToolExit::err(USAGE, 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::default_scenario;

    #[test]
    fn export_writes_the_session_scenario_and_other_lines_reach_the_console() {
        let mut s = Session::new(default_scenario()).expect("builds");
        let out = execute(
            &mut s,
            "kafka-topics --bootstrap-server localhost:9092 --create --topic invoices --partitions 2",
        );
        assert_eq!(out.code, 0, "{out:?}");
        let py = execute(&mut s, "export python");
        assert_eq!(py.code, 0);
        assert!(py.stdout.contains("KafkaAdminClient"), "{}", py.stdout);
        let cli = execute(&mut s, "export cli");
        assert!(cli.stdout.contains("--topic invoices"), "{}", cli.stdout);
        let bad = execute(&mut s, "export pdf");
        assert_eq!(bad.code, 1);
        assert!(bad.stderr.starts_with("export: usage"));
    }
}
