//! Golden transcripts: each `tests/transcripts/*.txt` is a console script, a line `----`, then
//! the expected transcript. The transcript shows, per command: `$ ` and the command, `< ` and
//! each line of its standard input, its stdout lines as they are, its stderr lines prefixed
//! `! `, and `[exit N]` when the exit code is not 0. Seed 1.
//!
//! `UPDATE_TRANSCRIPTS=1 cargo test --test transcripts` rewrites the expectations (read each
//! change against Kafka's formats before keeping it).

use kafka_playground::console::{parse_script, Console, ScriptLine};
use std::fs;
use std::path::{Path, PathBuf};

const SEPARATOR: &str = "\n----\n";

fn shell_word(w: &str) -> String {
    let plain = !w.is_empty()
        && w.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=,@%+".contains(c));
    if plain {
        w.to_string()
    } else {
        format!("'{}'", w.replace('\'', "'\\''"))
    }
}

fn command_text(line: &ScriptLine) -> String {
    let mut s: Vec<String> = line.argv.iter().map(|w| shell_word(w)).collect();
    if line.background {
        s.push("&".into());
    }
    s.join(" ")
}

/// Runs a script and renders its transcript.
fn transcript(script: &str) -> String {
    let lines = match parse_script(script) {
        Ok(l) => l,
        Err(e) => return format!("script error: {e}\n"),
    };
    let mut console = Console::new(1);
    let mut out = String::new();
    for line in &lines {
        out.push_str(&format!("$ {}\n", command_text(line)));
        if let Some(stdin) = &line.stdin {
            for l in stdin.lines() {
                out.push_str(&format!("< {l}\n"));
            }
        }
        let r = console.run_line(line);
        for l in r.stdout.lines() {
            out.push_str(l);
            out.push('\n');
        }
        for l in r.stderr.lines() {
            out.push_str(&format!("! {l}\n"));
        }
        if r.code != 0 {
            out.push_str(&format!("[exit {}]\n", r.code));
        }
    }
    out
}

fn files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/transcripts");
    let mut v: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("tests/transcripts exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    v.sort();
    v
}

/// A short line diff: the first differing line with context.
fn diff(expected: &str, actual: &str) -> String {
    let e: Vec<&str> = expected.lines().collect();
    let a: Vec<&str> = actual.lines().collect();
    let first = (0..e.len().max(a.len()))
        .find(|&i| e.get(i) != a.get(i))
        .unwrap_or(0);
    let from = first.saturating_sub(3);
    let mut s = format!("first difference at transcript line {}\n", first + 1);
    for i in from..(first + 4).min(e.len().max(a.len())) {
        match (e.get(i), a.get(i)) {
            (Some(x), Some(y)) if x == y => s.push_str(&format!("   {x:?}\n")),
            (x, y) => {
                if let Some(x) = x {
                    s.push_str(&format!(" - {x:?}\n"));
                }
                if let Some(y) = y {
                    s.push_str(&format!(" + {y:?}\n"));
                }
            }
        }
    }
    s
}

#[test]
fn transcripts_match() {
    let update = std::env::var("UPDATE_TRANSCRIPTS").is_ok_and(|v| v == "1");
    let mut failures = Vec::new();
    let all = files();
    assert!(!all.is_empty(), "no transcripts found");
    for path in all {
        let text = fs::read_to_string(&path).expect("readable transcript");
        let (script, expected) = match text.split_once(SEPARATOR) {
            Some((s, e)) => (format!("{s}\n"), e.to_string()),
            None => (text.clone(), String::new()),
        };
        let actual = transcript(&script);
        if actual != expected {
            if update {
                let new = format!("{}{SEPARATOR}{actual}", script.trim_end_matches('\n'));
                fs::write(&path, new).expect("writable transcript");
            } else {
                failures.push(format!(
                    "{}:\n{}\n--- actual transcript ---\n{actual}",
                    path.display(),
                    diff(&expected, &actual)
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} transcript(s) differ (UPDATE_TRANSCRIPTS=1 rewrites them):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn same_script_same_transcript() {
    let script = "kafka-topics --bootstrap-server x:9092 --create --topic t --partitions 2\n\
                  kafka-console-consumer --bootstrap-server x:9092 --topic t --max-messages 1 &\n\
                  echo hi | kafka-console-producer --bootstrap-server x:9092 --topic t\n\
                  wait\nstatus\n";
    assert_eq!(transcript(script), transcript(script));
}
