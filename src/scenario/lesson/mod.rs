//! Guided lessons: data files in `lessons/` (docs/lessons.md), each a scenario to start from
//! and steps that advance when the simulation reaches a state, not on "next". Texts are in
//! English and Bahasa Indonesia.
//!
//! * [`format`] reads a lesson file, reporting every problem with its path;
//! * [`condition`] is the `until` vocabulary, evaluated on the engine's views;
//! * [`progress`] follows a learner through a lesson over a [`Session`](super::Session);
//! * [`commands`] adds the session-level commands lessons use (`export python|cli|json`).
//!
//! The files are embedded at compile time (build.rs lists `lessons/`), so the WebAssembly
//! build needs no fetch and a new lesson needs no Rust.

pub mod commands;
pub mod condition;
pub mod format;
pub mod progress;

use super::{Scenario, ScenarioError};
use crate::ordered;
pub use commands::execute;
pub use condition::{Baseline, Bound, Condition, RanLine};
pub use progress::{LessonRun, Progress};

include!(concat!(env!("OUT_DIR"), "/lessons.rs"));

/// The lesson file format version this playground reads.
pub const LESSON_VERSION: u64 = 1;

/// The languages lessons are written in (the UI's two languages).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Locale {
    En,
    Id,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::En, Locale::Id];

    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Id => "id",
        }
    }
}

/// A text in both languages.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Localized {
    pub en: String,
    pub id: String,
}

impl Localized {
    pub fn get(&self, l: Locale) -> &str {
        match l {
            Locale::En => &self.en,
            Locale::Id => &self.id,
        }
    }
}

/// A step: what to read, what to do (the `until` condition), and how (`solution`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub text: Localized,
    /// Shown on request, before the solution.
    pub hint: Option<Localized>,
    pub until: Condition,
    /// Console lines that make `until` come true ("show me" types them).
    pub solution: Vec<String>,
}

/// A lesson file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lesson {
    /// The file's id (`05-replication`), stable for links and progress.
    pub id: String,
    /// Place in the course (1, 2, ...).
    pub number: u32,
    pub title: Localized,
    pub summary: Localized,
    pub scenario: Scenario,
    pub steps: Vec<Step>,
    /// The final check: a question answered by doing something in the simulation.
    pub check: Step,
    /// Said when the check is passed.
    pub done: Localized,
}

impl Lesson {
    /// Reads and validates a lesson file; every problem is reported with its path.
    pub fn from_json(text: &str) -> Result<Lesson, Vec<ScenarioError>> {
        format::from_json(text)
    }

    /// The steps and then the check, in the order a learner meets them.
    pub fn stages(&self) -> impl Iterator<Item = &Step> {
        self.steps.iter().chain(std::iter::once(&self.check))
    }

    /// Stage `i` (`steps.len()` is the check).
    pub fn stage(&self, i: usize) -> Option<&Step> {
        self.stages().nth(i)
    }

    pub fn stage_count(&self) -> usize {
        self.steps.len() + 1
    }
}

/// A lesson file that did not load, with its problems.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokenLesson {
    pub file: String,
    pub errors: Vec<ScenarioError>,
}

/// Every lesson in `lessons/`, in course order, and the files that failed to load (each with
/// its path-precise problems, so a page can show them instead of dropping the lesson silently).
pub fn catalog() -> (Vec<Lesson>, Vec<BrokenLesson>) {
    let mut ok = Vec::new();
    let mut broken = Vec::new();
    for (file, text) in LESSON_FILES {
        match Lesson::from_json(text) {
            Ok(l) => ok.push(l),
            Err(errors) => broken.push(BrokenLesson {
                file: file.to_string(),
                errors,
            }),
        }
    }
    ordered::sort_by_key(&mut ok, |l| l.number);
    (ok, broken)
}
