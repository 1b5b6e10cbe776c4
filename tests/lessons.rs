//! Every lesson in `lessons/` reaches its end when driven by its own solution lines: each stage
//! (steps, then the final check) is not yet passed when it begins, and is passed once its
//! solution has run and simulated time has let it happen. Malformed lesson files are refused
//! with path-precise problems.

use kafka_playground::scenario::lesson::{catalog, Lesson, LessonRun, Locale, LESSON_FILES};

/// Simulated time a stage may take after its solution ran (failover, retention, a week of
/// offset retention are driven by the solution's own `sleep` lines).
const STAGE_LIMIT_MS: i64 = 120_000;

fn lessons() -> Vec<Lesson> {
    let (ok, broken) = catalog();
    assert!(
        broken.is_empty(),
        "lesson files that do not load: {broken:#?}"
    );
    assert_eq!(ok.len(), LESSON_FILES.len());
    ok
}

fn drive(lesson: &Lesson) {
    let mut run = LessonRun::start(lesson.clone()).expect("the lesson's scenario builds");
    for stage in 0..lesson.stage_count() {
        assert_eq!(run.stage(), stage, "{}: stage {stage}", lesson.id);
        assert!(
            !run.holds(),
            "{}: stage {stage} would pass before its solution ran",
            lesson.id
        );
        let outs = run.apply_solution();
        let passed = run.stage() > stage || run.run_until_advanced(STAGE_LIMIT_MS);
        assert!(
            passed,
            "{}: stage {stage} not passed after its solution (at {} ms); outputs: {outs:#?}",
            lesson.id,
            run.session().now()
        );
        assert_eq!(run.stage(), stage + 1, "{}: one stage at a time", lesson.id);
        if std::env::var_os("LESSON_TRACE").is_some() {
            eprintln!(
                "{} stage {stage} passed at {} ms",
                lesson.id,
                run.session().now()
            );
            for o in &outs {
                eprintln!("{}{}", o.stdout, o.stderr);
            }
        }
    }
    assert!(run.finished(), "{}: the lesson ends", lesson.id);
}

macro_rules! lesson_test {
    ($name:ident, $id:literal) => {
        #[test]
        fn $name() {
            let lessons = lessons();
            let lesson = lessons
                .iter()
                .find(|l| l.id == $id)
                .unwrap_or_else(|| panic!("no lesson {}", $id));
            drive(lesson);
        }
    };
}

lesson_test!(lesson_05_replication, "05-replication");

#[test]
fn every_lesson_reaches_its_end() {
    for l in lessons() {
        drive(&l);
    }
}

#[test]
fn lessons_speak_both_languages_and_are_numbered_once() {
    let lessons = lessons();
    let mut numbers: Vec<u32> = lessons.iter().map(|l| l.number).collect();
    numbers.dedup();
    assert_eq!(numbers.len(), lessons.len(), "lesson numbers are unique");
    for l in &lessons {
        let mut texts = vec![&l.title, &l.summary, &l.done];
        for s in l.stages() {
            texts.push(&s.text);
            texts.extend(s.hint.as_ref());
        }
        for t in texts {
            for loc in Locale::ALL {
                assert!(
                    !t.get(loc).trim().is_empty(),
                    "{}: empty {loc:?} text",
                    l.id
                );
            }
            assert_ne!(t.en, t.id, "{}: a text is not translated: {:?}", l.id, t.en);
        }
    }
}

#[test]
fn malformed_lesson_files_are_refused_with_paths() {
    let good = LESSON_FILES
        .iter()
        .find(|(f, _)| f.starts_with("05-"))
        .map(|(_, t)| *t)
        .expect("lesson 5");
    let mut v: serde_json::Value = serde_json::from_str(good).expect("json");
    v["steps"][2]["until"]["high_watermark"] = serde_json::json!({"at_least": "three"});
    v["steps"][3]["text"] = serde_json::json!({"en": "only English"});
    v["scenario"]["cluster"]["brokers"] = serde_json::json!(40);
    v["check"]["until"]["type"] = serde_json::json!("nothing");
    v["steps"][0]["solution"] = serde_json::json!(["kafka-topics 'unterminated"]);
    v["colour"] = serde_json::json!("blue");
    let errors = Lesson::from_json(&v.to_string()).expect_err("malformed");
    let text: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    for expected in [
        "steps[2].until.high_watermark.at_least: must be a whole number",
        "steps[3].text.id: is required",
        "scenario.cluster.brokers:",
        "check.until.type: unknown condition type \"nothing\"",
        "steps[0].solution[0]: not a console line",
        "colour: unknown field",
    ] {
        assert!(
            text.iter().any(|t| t.starts_with(expected)),
            "expected a problem starting {expected:?} in {text:#?}"
        );
    }
    let e = Lesson::from_json("{").expect_err("not json");
    assert!(e[0].message.starts_with("not valid JSON"));
    let e = Lesson::from_json(r#"{"version": 2}"#).expect_err("newer");
    assert!(e
        .iter()
        .any(|e| e.path == "version" && e.message.contains("newer")));
}
