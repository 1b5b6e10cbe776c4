//! Reading a lesson file (JSON, version 1; docs/lessons.md): like the scenario reader, it walks
//! the JSON by hand so that every problem is reported with its path
//! (`steps[2].until.of[0].isr_size.at_least: ...`), and unknown fields are errors.

use super::super::format::{field_path, int_in, object, required, shown, string, Problems};
use super::{condition, Lesson, Localized, Step, LESSON_VERSION};
use crate::console::parse_script;
use crate::scenario::{format as scenario_format, ScenarioError};
use serde_json::Value;

const TOP: &[&str] = &[
    "version", "id", "number", "title", "summary", "scenario", "steps", "check", "done",
];
const STEP: &[&str] = &["text", "hint", "until", "solution"];
/// The most steps one lesson may have.
pub const MAX_STEPS: usize = 40;

/// Parses and validates a lesson file.
pub fn from_json(text: &str) -> Result<Lesson, Vec<ScenarioError>> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        vec![ScenarioError::new(
            "",
            format!(
                "not valid JSON: {e} (line {}, column {})",
                e.line(),
                e.column()
            ),
        )]
    })?;
    from_value(&value)
}

pub fn from_value(v: &Value) -> Result<Lesson, Vec<ScenarioError>> {
    let mut p = Problems::default();
    let lesson = read(v, &mut p);
    match lesson {
        Some(l) if p.0.is_empty() => Ok(l),
        _ => Err(p.0),
    }
}

fn read(v: &Value, p: &mut Problems) -> Option<Lesson> {
    let map = object(v, "", TOP, p)?;
    if let Some(ver) = required(map, "", "version", p) {
        match ver.as_u64() {
            Some(LESSON_VERSION) => {}
            Some(n) if n > LESSON_VERSION => p.add(
                "version",
                format!("lesson format {n} is newer than this playground reads ({LESSON_VERSION}); update the playground"),
            ),
            _ => p.add("version", format!("must be {LESSON_VERSION}; got {}", shown(ver))),
        }
    }
    let id = required(map, "", "id", p).and_then(|v| string(v, "id", p));
    if let Some(id) = &id {
        let ok = id.len() <= 64
            && id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !ok {
            p.add(
                "id",
                format!("{id:?}: use 1-64 of a-z, 0-9 and '-' (e.g. \"05-replication\")"),
            );
        }
    }
    let number = required(map, "", "number", p).and_then(|v| int_in(v, "number", 1, 999, p));
    let title = required(map, "", "title", p).and_then(|v| localized(v, "title", p));
    let summary = required(map, "", "summary", p).and_then(|v| localized(v, "summary", p));
    let done = required(map, "", "done", p).and_then(|v| localized(v, "done", p));
    let scenario =
        required(map, "", "scenario", p).and_then(|v| match scenario_format::from_value(v) {
            Ok(s) => Some(s),
            Err(errors) => {
                for e in errors {
                    p.add(&prefixed("scenario", &e.path), e.message);
                }
                None
            }
        });
    let steps = required(map, "", "steps", p).and_then(|v| match v.as_array() {
        Some(a) if !a.is_empty() && a.len() <= MAX_STEPS => Some(
            a.iter()
                .enumerate()
                .filter_map(|(i, s)| step(s, &format!("steps[{i}]"), p))
                .collect::<Vec<_>>(),
        ),
        _ => {
            p.add(
                "steps",
                format!("must be a list of 1 to {MAX_STEPS} steps; got {}", shown(v)),
            );
            None
        }
    });
    let check = required(map, "", "check", p).and_then(|v| step(v, "check", p));
    Some(Lesson {
        id: id?,
        number: number? as u32,
        title: title?,
        summary: summary?,
        scenario: scenario?,
        steps: steps?,
        check: check?,
        done: done?,
    })
}

/// `scenario` + a path inside the scenario (`scenario.topics[0].name`).
fn prefixed(prefix: &str, path: &str) -> String {
    if path.is_empty() {
        prefix.to_string()
    } else if path.starts_with('[') {
        format!("{prefix}{path}")
    } else {
        format!("{prefix}.{path}")
    }
}

fn localized(v: &Value, path: &str, p: &mut Problems) -> Option<Localized> {
    let map = object(v, path, &["en", "id"], p)?;
    let en = required(map, path, "en", p).and_then(|v| string(v, &field_path(path, "en"), p));
    let id = required(map, path, "id", p).and_then(|v| string(v, &field_path(path, "id"), p));
    Some(Localized { en: en?, id: id? })
}

fn step(v: &Value, path: &str, p: &mut Problems) -> Option<Step> {
    let map = object(v, path, STEP, p)?;
    let f = |k: &str| field_path(path, k);
    let text = required(map, path, "text", p).and_then(|v| localized(v, &f("text"), p));
    let hint = match map.get("hint") {
        Some(h) => Some(localized(h, &f("hint"), p)?),
        None => None,
    };
    let until = required(map, path, "until", p).and_then(|v| condition::read(v, &f("until"), p));
    let solution = required(map, path, "solution", p).and_then(|v| match v.as_array() {
        Some(a) if !a.is_empty() => {
            let lines: Vec<String> = a
                .iter()
                .enumerate()
                .filter_map(|(i, l)| {
                    let lp = format!("{}[{i}]", f("solution"));
                    let line = string(l, &lp, p)?;
                    if line.contains('\n') {
                        p.add(&lp, "one console line per entry (no newlines)");
                        return None;
                    }
                    if let Err(e) = parse_script(&line) {
                        p.add(&lp, format!("not a console line the terminal can run: {e}"));
                        return None;
                    }
                    Some(line)
                })
                .collect();
            (lines.len() == a.len()).then_some(lines)
        }
        _ => {
            p.add(
                &f("solution"),
                format!(
                    "must be a non-empty list of console lines; got {}",
                    shown(v)
                ),
            );
            None
        }
    });
    Some(Step {
        text: text?,
        hint,
        until: until?,
        solution: solution?,
    })
}
