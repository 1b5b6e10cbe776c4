//! Playing a scenario: the console over the world after setup, and the timeline applied as
//! simulated time reaches each entry (run the world to `at_ms`, then apply the entry).
//!
//! A failing entry does not stop the scenario: its output (with the error) is kept in the log,
//! as a terminal would show it. A foreground console tool takes simulated time, as in the
//! terminal; an entry whose time has passed meanwhile runs right after it.

use super::{TimelineAction, TimelineEntry};
use crate::console::{Console, ToolExit};
use crate::engine::time::Millis;

/// What one timeline entry printed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimelineOutput {
    /// When the entry ran (at or after its `at_ms`).
    pub at_ms: Millis,
    /// The console line, or the engine command's description.
    pub what: String,
    /// `what` is a console line (not an engine command or background jobs' output).
    pub console: bool,
    pub exit: ToolExit,
}

/// A scenario being played.
pub struct Player {
    console: Console,
    timeline: Vec<TimelineEntry>,
    next: usize,
    log: Vec<TimelineOutput>,
}

impl Player {
    pub(crate) fn new(console: Console, timeline: Vec<TimelineEntry>) -> Player {
        Player {
            console,
            timeline,
            next: 0,
            log: Vec::new(),
        }
    }

    pub fn console(&self) -> &Console {
        &self.console
    }

    /// The console, for lines the user types between timeline entries.
    pub fn console_mut(&mut self) -> &mut Console {
        &mut self.console
    }

    pub fn into_console(self) -> Console {
        self.console
    }

    pub fn now(&self) -> Millis {
        self.console.sim().now()
    }

    /// When the next timeline entry is due, if any is left.
    pub fn next_at(&self) -> Option<Millis> {
        self.timeline.get(self.next).map(|e| e.at_ms)
    }

    /// Entries applied so far and what they printed.
    pub fn log(&self) -> &[TimelineOutput] {
        &self.log
    }

    /// Runs the world to time `t`, applying every timeline entry due by then. Background
    /// console jobs advance with the clock.
    pub fn run_until(&mut self, t: Millis) {
        while let Some(at) = self.next_at().filter(|&at| at <= t) {
            self.advance_to(at);
            let entry = self.timeline[self.next].clone();
            self.next += 1;
            self.apply(entry.action);
        }
        self.advance_to(t);
    }

    /// Runs for `d` more milliseconds.
    pub fn run_for(&mut self, d: Millis) {
        let t = self.now().saturating_add(d.max(0));
        self.run_until(t);
    }

    fn advance_to(&mut self, t: Millis) {
        let now = self.now();
        if t > now {
            let out = self.console.advance(None, t - now, false);
            if !out.stdout.is_empty() || !out.stderr.is_empty() {
                self.log.push(TimelineOutput {
                    at_ms: now,
                    what: "background jobs".into(),
                    console: false,
                    exit: out,
                });
            }
        }
    }

    fn apply(&mut self, action: TimelineAction) {
        let at_ms = self.now();
        let console = matches!(action, TimelineAction::Console(_));
        let (what, exit) = match action {
            TimelineAction::Console(line) => {
                let exit = self.console.execute(&line);
                (line, exit)
            }
            TimelineAction::Command(c) => {
                let what = c.describe();
                let exit = match self.console.sim_mut().apply(c) {
                    Ok(_) => ToolExit::default(),
                    Err(e) => ToolExit::err(format!("{}: {}\n", e.code.name(), e.message), 1),
                };
                (what, exit)
            }
        };
        self.log.push(TimelineOutput {
            at_ms,
            what,
            console,
            exit,
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::scenario::Scenario;

    #[test]
    fn timeline_entries_run_at_their_times_and_failures_are_logged() {
        let s = Scenario::from_json(
            r#"{"version": 1, "seed": 3, "cluster": {"brokers": 1},
                "topics": [{"name": "t", "partitions": 1, "replication_factor": 1}],
                "timeline": [
                  {"at_ms": 0, "command": {"type": "produce", "producer": "p", "topic": "t", "value": "a"}},
                  {"at_ms": 2000, "command": {"type": "produce", "producer": "p", "topic": "t", "value": "b"}},
                  {"at_ms": 3000, "command": {"type": "stop_consumer", "name": "nobody"}},
                  {"at_ms": 5000, "console": "kafka-topics --bootstrap-server b:9092 --describe --topic t"}
                ]}"#,
        )
        .expect("valid");
        let mut player = s.player().expect("builds");
        assert_eq!(player.log().len(), 1);
        assert_eq!(player.next_at(), Some(2000));
        player.run_until(4_000);
        assert_eq!(player.now(), 4_000);
        let log = player.log();
        assert_eq!(log.len(), 3);
        assert_eq!(log[1].at_ms, 2000);
        assert_eq!(log[2].at_ms, 3000);
        assert_eq!(log[2].exit.code, 1);
        assert!(log[2].exit.stderr.contains("No consumer named 'nobody'"));
        player.run_until(6_000);
        let last = player.log().last().expect("describe ran");
        assert_eq!(last.at_ms, 5000);
        assert!(last.exit.stdout.contains("Topic: t"), "{:?}", last.exit);
        let tp = crate::engine::TopicPartition::new("t", 0);
        assert_eq!(player.console().sim().high_watermark(&tp), Some(2));
    }
}
