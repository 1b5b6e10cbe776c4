//! Running console commands on behalf of the page. Buttons and forms build the same command line
//! a learner would type, run it through the console and echo it in the terminal's scrollback, so
//! every click teaches the CLI equivalent. The last result is kept as a notice for the forms.

use crate::engine::{Command, KafkaError, Outcome};
use crate::scenario::Session;
use std::cell::RefCell;

/// Lines kept in the terminal's scrollback.
pub const SCROLLBACK: usize = 2_000;

/// The outcome of the last command a button or form ran.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub error: bool,
    pub text: String,
}

/// The terminal's scrollback, shared by the terminal and the page's forms.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TermLog {
    /// (is stderr, line)
    pub lines: Vec<(bool, String)>,
    /// Changes whenever `lines` or `notice` change, so views know to redraw.
    pub version: u64,
    pub notice: Option<Notice>,
    /// Lines run by [`run_line`] that the lessons panel has not taken yet (the newest 100).
    pub ran: Vec<crate::scenario::lesson::RanLine>,
}

impl TermLog {
    pub fn push(&mut self, error: bool, line: impl Into<String>) {
        self.lines.push((error, line.into()));
        let excess = self.lines.len().saturating_sub(SCROLLBACK);
        self.lines.drain(..excess);
        self.version += 1;
    }

    pub fn set_notice(&mut self, error: bool, text: impl Into<String>) {
        self.notice = Some(Notice {
            error,
            text: text.into(),
        });
        self.version += 1;
    }
}

/// Runs `line` in the console, echoes it and its output in the scrollback; returns whether it
/// succeeded. With `notify`, the output also becomes the forms' notice.
pub fn run_line(
    world: &RefCell<Session>,
    term: &RefCell<TermLog>,
    line: &str,
    notify: bool,
) -> bool {
    let at_ms = world.borrow().now();
    let result = crate::scenario::lesson::execute(&mut world.borrow_mut(), line);
    let mut log = term.borrow_mut();
    let (code, excess) = (result.code, log.ran.len().saturating_sub(99));
    log.ran.drain(..excess);
    log.ran.push(crate::scenario::lesson::RanLine {
        at_ms,
        line: line.to_string(),
        code,
    });
    log.push(false, format!("$ {line}"));
    for l in result.stdout.lines() {
        log.push(false, l);
    }
    for l in result.stderr.lines() {
        log.push(true, l);
    }
    let ok = result.code == 0;
    // The last good scenario, for a reload (also after an internal error).
    super::share::save(&world.borrow());
    if notify {
        let text = if ok || result.stderr.trim().is_empty() {
            result.stdout.trim().to_string()
        } else {
            result.stderr.trim().to_string()
        };
        log.set_notice(!ok, text);
    }
    ok
}

/// Applies an engine command (recorded in the session like a typed line) and echoes it as a
/// comment in the scrollback; an error becomes the notice.
pub fn run_command(
    world: &RefCell<Session>,
    term: &RefCell<TermLog>,
    command: Command,
) -> Result<Outcome, KafkaError> {
    let describe = command.describe();
    let result = world.borrow_mut().apply(command);
    let mut log = term.borrow_mut();
    log.push(false, format!("# {describe}"));
    match &result {
        Ok(_) => log.set_notice(false, describe),
        Err(e) => {
            let msg = format!("{}: {}", e.code.name(), e.message);
            log.push(true, msg.clone());
            log.set_notice(true, msg);
        }
    }
    result
}

/// Quotes a word for the console's bash-like parser: plain words stay as typed.
pub fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-,:/=@+".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}
