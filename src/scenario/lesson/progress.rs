//! A learner going through a lesson. [`Progress`] is the state the page keeps next to its
//! [`Session`]: which stage (step or final check) is current, what the world looked like when
//! it began ([`Baseline`]), and the console lines run since. After every command and every slice
//! of simulated time the page calls [`Progress::update`]: when the stage's condition holds, the
//! lesson moves on by itself. [`LessonRun`] bundles a session and its progress for native
//! tests and scripts.

use super::condition::{Baseline, Context, RanLine};
use super::{commands, Lesson};
use crate::console::ToolExit;
use crate::engine::time::Millis;
use crate::engine::Sim;
use crate::scenario::{ScenarioError, Session};

/// Lines remembered per stage (the `ran` condition looks at them).
const LINES_KEPT: usize = 200;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Progress {
    stage: usize,
    baseline: Baseline,
    lines: Vec<RanLine>,
}

impl Progress {
    /// At the first stage, with the world as it is now.
    pub fn new(sim: &Sim) -> Progress {
        Progress {
            stage: 0,
            baseline: Baseline::capture(sim),
            lines: Vec::new(),
        }
    }

    /// The current stage: `0..steps.len()` a step, `steps.len()` the check, beyond: finished.
    pub fn stage(&self) -> usize {
        self.stage
    }

    pub fn finished(&self, lesson: &Lesson) -> bool {
        self.stage >= lesson.stage_count()
    }

    /// The world when the current stage began.
    pub fn baseline(&self) -> &Baseline {
        &self.baseline
    }

    /// Notes a console line the learner ran (for the `ran` condition).
    pub fn note_line(&mut self, at_ms: Millis, line: &str, code: i32) {
        if self.lines.len() == LINES_KEPT {
            self.lines.remove(0);
        }
        self.lines.push(RanLine {
            at_ms,
            line: line.to_string(),
            code,
        });
    }

    /// Whether the current stage's condition holds now (false when finished).
    pub fn holds(&self, lesson: &Lesson, sim: &Sim) -> bool {
        let Some(step) = lesson.stage(self.stage) else {
            return false;
        };
        step.until.holds(&Context {
            sim,
            baseline: &self.baseline,
            lines: &self.lines,
        })
    }

    /// Moves to the next stage if the current one's condition holds; true when it moved.
    /// Should the world have gone back in time (the timeline was scrubbed, the page reset), the
    /// stage begins again from the world as it is now.
    pub fn update(&mut self, lesson: &Lesson, sim: &Sim) -> bool {
        if sim.now() < self.baseline.at_ms {
            self.restart_stage(sim);
        }
        if !self.holds(lesson, sim) {
            return false;
        }
        self.stage += 1;
        self.restart_stage(sim);
        true
    }

    /// Moves on without looking at the condition (a page restoring a lesson after a reload).
    pub fn skip(&mut self, sim: &Sim) {
        self.stage += 1;
        self.restart_stage(sim);
    }

    /// The current stage begins again from the world as it is now.
    pub fn restart_stage(&mut self, sim: &Sim) {
        self.baseline = Baseline::capture(sim);
        self.lines.clear();
    }
}

/// A lesson being played natively: its session, and the learner's progress.
pub struct LessonRun {
    lesson: Lesson,
    session: Session,
    progress: Progress,
}

/// Simulated time between two looks at the current condition when running.
pub const CHECK_EVERY_MS: Millis = 100;

impl LessonRun {
    /// The lesson's scenario at time 0, at the first step.
    pub fn start(lesson: Lesson) -> Result<LessonRun, ScenarioError> {
        let session = Session::new(lesson.scenario.clone())?;
        let progress = Progress::new(session.sim());
        Ok(LessonRun {
            lesson,
            session,
            progress,
        })
    }

    pub fn lesson(&self) -> &Lesson {
        &self.lesson
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    pub fn progress(&self) -> &Progress {
        &self.progress
    }

    pub fn stage(&self) -> usize {
        self.progress.stage()
    }

    pub fn finished(&self) -> bool {
        self.progress.finished(&self.lesson)
    }

    /// Whether the current stage's condition holds now.
    pub fn holds(&self) -> bool {
        self.progress.holds(&self.lesson, self.session.sim())
    }

    /// Runs a terminal line (the session's commands, `export`, Kafka's tools, playground
    /// commands), notes it, and advances if the stage's condition now holds.
    pub fn execute(&mut self, line: &str) -> ToolExit {
        let exit = commands::execute(&mut self.session, line);
        self.progress.note_line(self.session.now(), line, exit.code);
        self.progress.update(&self.lesson, self.session.sim());
        exit
    }

    /// Runs the current stage's solution lines one after the other (as "show me" does), then
    /// advances if the condition holds. What each line printed is returned.
    pub fn apply_solution(&mut self) -> Vec<ToolExit> {
        let lines = self
            .lesson
            .stage(self.stage())
            .map(|s| s.solution.clone())
            .unwrap_or_default();
        let outs = lines
            .iter()
            .map(|line| {
                let exit = commands::execute(&mut self.session, line);
                self.progress.note_line(self.session.now(), line, exit.code);
                exit
            })
            .collect();
        self.progress.update(&self.lesson, self.session.sim());
        outs
    }

    /// Lets simulated time pass in slices, advancing whenever a condition holds.
    pub fn run_for(&mut self, ms: Millis) {
        let end = self.session.now().saturating_add(ms.max(0));
        while self.session.now() < end {
            let next = (self.session.now() + CHECK_EVERY_MS).min(end);
            self.session.run_until(next);
            self.progress.update(&self.lesson, self.session.sim());
        }
    }

    /// Runs until the current stage is passed, at most `limit_ms` of simulated time; true when
    /// it was.
    pub fn run_until_advanced(&mut self, limit_ms: Millis) -> bool {
        let stage = self.stage();
        if self.progress.update(&self.lesson, self.session.sim()) {
            return true;
        }
        let end = self.session.now().saturating_add(limit_ms.max(0));
        while self.session.now() < end {
            let next = (self.session.now() + CHECK_EVERY_MS).min(end);
            self.session.run_until(next);
            self.progress.update(&self.lesson, self.session.sim());
            if self.stage() != stage {
                return true;
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LESSON: &str = r#"{
      "version": 1, "id": "t", "number": 1,
      "title": {"en": "T", "id": "T-id"}, "summary": {"en": "S", "id": "S-id"},
      "done": {"en": "D", "id": "D-id"},
      "scenario": {"version": 1, "seed": 1, "cluster": {"brokers": 1}},
      "steps": [{"text": {"en": "a", "id": "b"},
                 "until": {"type": "ran", "command": "status"}, "solution": ["status"]}],
      "check": {"text": {"en": "c", "id": "d"},
                "until": {"type": "elapsed", "ms": {"at_least": 1000}}, "solution": ["sleep 1s"]}
    }"#;

    #[test]
    fn stages_advance_on_what_happens_after_they_begin() {
        let lesson = Lesson::from_json(LESSON).expect("valid");
        let mut run = LessonRun::start(lesson).expect("starts");
        assert!(!run.holds());
        run.execute("kafka-topics --bootstrap-server b:9092 --list");
        assert_eq!(run.stage(), 0, "another command does not count");
        run.execute("status");
        assert_eq!(run.stage(), 1);
        assert_eq!(run.progress().baseline().at_ms, 0);
        run.run_for(999);
        assert_eq!(run.stage(), 1, "999 ms is not a second");
        run.run_for(1);
        assert!(run.finished());
    }

    #[test]
    fn a_world_that_went_back_in_time_restarts_the_stage() {
        let lesson = Lesson::from_json(LESSON).expect("valid");
        let mut session = Session::new(lesson.scenario.clone()).expect("builds");
        let mut p = Progress::new(session.sim());
        p.skip(session.sim());
        session.run_until(800);
        p.restart_stage(session.sim());
        assert_eq!(p.baseline().at_ms, 800);
        session.seek(100);
        assert!(!p.update(&lesson, session.sim()));
        assert_eq!(
            p.baseline().at_ms,
            100,
            "the stage begins again at the new time"
        );
        session.run_until(1_100);
        assert!(p.update(&lesson, session.sim()));
        assert!(p.finished(&lesson));
    }
}
