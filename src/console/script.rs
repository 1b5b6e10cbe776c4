//! Script reader: turns console text (one command per line, bash-like) into argument vectors.
//!
//! Supports what Kafka tutorials use: single/double quotes, `$'...'`, backslash escapes, `\` line
//! continuation, `#` comments, here-documents (`<<EOF`, `<<'EOF'`, `<<-EOF`) as standard input,
//! `echo ... |` / `printf ... |` / `cat <<EOF |` pipes as standard input, `;` between commands,
//! and a trailing `&` to run a command in the background. No variables, globs or redirections.

use std::fmt;

/// One command of a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptLine {
    /// 1-based line where the command starts.
    pub line: u32,
    /// Words after quote removal; `argv[0]` is the program (e.g. `bin/kafka-topics.sh`).
    pub argv: Vec<String>,
    /// Standard input from a here-document or an `echo`/`printf`/`cat` pipe.
    pub stdin: Option<String>,
    /// Trailing `&`: start the command and go on with the next one.
    pub background: bool,
}

/// The largest script (or pasted block) the console reads.
pub const MAX_SCRIPT_BYTES: usize = 1 << 20;

/// A script that could not be read; says where and what is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptError {
    pub line: u32,
    pub message: String,
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for ScriptError {}

/// A here-document waiting for its body (read after the command's line ends).
struct PendingHeredoc {
    delimiter: String,
    strip_tabs: bool,
    segment: usize,
    line: u32,
}

/// One pipeline segment being built.
#[derive(Default)]
struct Segment {
    argv: Vec<String>,
    stdin: Option<String>,
    has_heredoc: bool,
}

struct Reader {
    chars: Vec<char>,
    pos: usize,
    line: u32,
}

impl Reader {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }
    fn peek_at(&self, off: usize) -> Option<char> {
        self.chars.get(self.pos + off).copied()
    }
    fn bump(&mut self) -> Option<char> {
        let c = self.chars.get(self.pos).copied();
        if let Some(ch) = c {
            self.pos += 1;
            if ch == '\n' {
                self.line += 1;
            }
        }
        c
    }
    fn err(&self, message: impl Into<String>) -> ScriptError {
        ScriptError {
            line: self.line,
            message: message.into(),
        }
    }

    /// Reads one word starting at the current (non-blank, non-operator) position.
    fn word(&mut self) -> Result<String, ScriptError> {
        let mut w = String::new();
        while let Some(c) = self.peek() {
            match c {
                ' ' | '\t' | '\n' | '\r' | '|' | '&' | ';' | '<' | '>' => break,
                '\\' => {
                    self.bump();
                    match self.bump() {
                        Some('\n') => {}
                        Some(e) => w.push(e),
                        None => {}
                    }
                }
                '\'' => {
                    let start = self.line;
                    self.bump();
                    loop {
                        match self.bump() {
                            Some('\'') => break,
                            Some(ch) => w.push(ch),
                            None => return Err(unterminated(start, '\'')),
                        }
                    }
                }
                '$' if self.peek_at(1) == Some('\'') => {
                    let start = self.line;
                    self.bump();
                    self.bump();
                    loop {
                        match self.bump() {
                            Some('\'') => break,
                            Some('\\') => match self.bump() {
                                Some('n') => w.push('\n'),
                                Some('t') => w.push('\t'),
                                Some('r') => w.push('\r'),
                                Some('0') => w.push('\0'),
                                Some('e') => w.push('\u{1b}'),
                                Some(ch @ ('\\' | '\'' | '"')) => w.push(ch),
                                Some(ch) => {
                                    w.push('\\');
                                    w.push(ch);
                                }
                                None => return Err(unterminated(start, '\'')),
                            },
                            Some(ch) => w.push(ch),
                            None => return Err(unterminated(start, '\'')),
                        }
                    }
                }
                '"' => {
                    let start = self.line;
                    self.bump();
                    loop {
                        match self.bump() {
                            Some('"') => break,
                            Some('\\') => match self.bump() {
                                Some('\n') => {}
                                Some(ch @ ('"' | '\\' | '$' | '`')) => w.push(ch),
                                Some(ch) => {
                                    w.push('\\');
                                    w.push(ch);
                                }
                                None => return Err(unterminated(start, '"')),
                            },
                            Some(ch) => w.push(ch),
                            None => return Err(unterminated(start, '"')),
                        }
                    }
                }
                _ => {
                    w.push(c);
                    self.bump();
                }
            }
        }
        Ok(w)
    }

    /// Skips to the end of the current line (not consuming the newline).
    fn skip_comment(&mut self) {
        while let Some(c) = self.peek() {
            if c == '\n' {
                break;
            }
            self.bump();
        }
    }

    /// Reads here-document bodies, in order, from the line after the command.
    fn heredoc_bodies(
        &mut self,
        pending: &[PendingHeredoc],
        segments: &mut [Segment],
    ) -> Result<(), ScriptError> {
        for h in pending {
            let mut body = String::new();
            let mut done = false;
            while self.pos < self.chars.len() {
                let mut raw = String::new();
                while let Some(c) = self.peek() {
                    self.bump();
                    if c == '\n' {
                        break;
                    }
                    raw.push(c);
                }
                let text = raw.strip_suffix('\r').unwrap_or(&raw);
                let text = if h.strip_tabs {
                    text.trim_start_matches('\t')
                } else {
                    text
                };
                if text == h.delimiter {
                    done = true;
                    break;
                }
                body.push_str(text);
                body.push('\n');
            }
            if !done {
                return Err(ScriptError {
                    line: h.line,
                    message: format!(
                        "here-document is not terminated: add a line containing only '{}' after its text",
                        h.delimiter
                    ),
                });
            }
            if let Some(seg) = segments.get_mut(h.segment) {
                seg.stdin = Some(body);
            }
        }
        Ok(())
    }
}

fn unterminated(line: u32, quote: char) -> ScriptError {
    ScriptError {
        line,
        message: format!("unterminated {quote} quote: close the quote started on this line"),
    }
}

/// Reads a whole script. Blank lines and comments produce nothing.
pub fn parse_script(text: &str) -> Result<Vec<ScriptLine>, ScriptError> {
    if text.len() > MAX_SCRIPT_BYTES {
        return Err(ScriptError {
            line: 1,
            message: format!(
                "the script is {} bytes; a script may be at most {MAX_SCRIPT_BYTES} bytes (1 MiB)",
                text.len()
            ),
        });
    }
    let mut r = Reader {
        chars: text.chars().collect(),
        pos: 0,
        line: 1,
    };
    let mut out = Vec::new();
    let mut segments: Vec<Segment> = vec![Segment::default()];
    let mut pending: Vec<PendingHeredoc> = Vec::new();
    let mut background = false;
    let mut start_line: Option<u32> = None;

    loop {
        let c = r.peek();
        match c {
            Some(' ' | '\t' | '\r') => {
                r.bump();
            }
            Some('\\') if r.peek_at(1) == Some('\n') => {
                r.bump();
                r.bump();
            }
            Some('\\') if r.peek_at(1) == Some('\r') && r.peek_at(2) == Some('\n') => {
                r.bump();
                r.bump();
                r.bump();
            }
            Some('#') => r.skip_comment(),
            None | Some('\n') | Some(';') => {
                let is_newline = c == Some('\n');
                let at = r.line;
                if c.is_some() {
                    r.bump();
                }
                if is_newline || c.is_none() {
                    r.heredoc_bodies(&pending, &mut segments)?;
                } else if !pending.is_empty() {
                    return Err(ScriptError {
                        line: at,
                        message: "a here-document must end its line: put nothing after '<<EOF' but the command's words".into(),
                    });
                }
                pending.clear();
                if let Some(line) = start_line.take() {
                    out.push(finish(line, std::mem::take(&mut segments), background)?);
                } else if c == Some(';') {
                    return Err(ScriptError {
                        line: at,
                        message: "empty command before ';'".into(),
                    });
                }
                segments = vec![Segment::default()];
                background = false;
                if c.is_none() {
                    break;
                }
            }
            Some('&') => {
                let at = r.line;
                r.bump();
                if r.peek() == Some('&') {
                    return Err(r.err("'&&' is not supported: put each command on its own line"));
                }
                if start_line.is_none() {
                    return Err(r.err("'&' needs a command before it"));
                }
                // Only blanks or a comment may follow a background '&'.
                while let Some(ch) = r.peek() {
                    match ch {
                        ' ' | '\t' | '\r' => {
                            r.bump();
                        }
                        '#' => r.skip_comment(),
                        '\n' => break,
                        _ => return Err(ScriptError {
                            line: at,
                            message:
                                "'&' must end the command (it runs the command in the background)"
                                    .into(),
                        }),
                    }
                }
                background = true;
            }
            Some('|') => {
                r.bump();
                if r.peek() == Some('|') {
                    return Err(r.err("'||' is not supported: put each command on its own line"));
                }
                if segments.last().is_none_or(|s| s.argv.is_empty()) {
                    return Err(r.err("'|' needs a command before it"));
                }
                segments.push(Segment::default());
            }
            Some('<') if r.peek_at(1) == Some('<') => {
                let at = r.line;
                r.bump();
                r.bump();
                if r.peek() == Some('<') {
                    return Err(r.err(
                        "here-strings ('<<<') are not supported: use <<EOF ... EOF or echo ... |",
                    ));
                }
                let strip_tabs = if r.peek() == Some('-') {
                    r.bump();
                    true
                } else {
                    false
                };
                while matches!(r.peek(), Some(' ' | '\t')) {
                    r.bump();
                }
                let delimiter = r.word()?;
                if delimiter.is_empty() {
                    return Err(r.err("'<<' needs a delimiter word, e.g. <<EOF"));
                }
                let segment = segments.len() - 1;
                if let Some(seg) = segments.last_mut() {
                    seg.has_heredoc = true;
                }
                pending.push(PendingHeredoc {
                    delimiter,
                    strip_tabs,
                    segment,
                    line: at,
                });
            }
            Some(op @ ('<' | '>')) => {
                return Err(r.err(format!(
                    "redirection '{op}' is not supported: standard input comes from a here-document (<<EOF) or an echo/printf pipe, and output always goes to the console"
                )));
            }
            Some(_) => {
                if start_line.is_none() {
                    start_line = Some(r.line);
                }
                if background {
                    return Err(r.err("'&' must end the command"));
                }
                let w = r.word()?;
                if let Some(seg) = segments.last_mut() {
                    seg.argv.push(w);
                }
            }
        }
    }
    Ok(out)
}

/// Joins the pipeline of one command into a ScriptLine.
fn finish(line: u32, segments: Vec<Segment>, background: bool) -> Result<ScriptLine, ScriptError> {
    let err = |message: String| ScriptError { line, message };
    let n = segments.len();
    if segments.last().is_none_or(|s| s.argv.is_empty()) {
        return Err(err("'|' needs a command after it".into()));
    }
    if n > 2 {
        return Err(err(
            "only one pipe is supported: echo/printf/cat ... | kafka-console-producer ...".into(),
        ));
    }
    let mut segs = segments.into_iter();
    let (first, last) = match (segs.next(), segs.next()) {
        (Some(a), Some(b)) => (a, Some(b)),
        (Some(a), None) => (a, None),
        _ => return Err(err("empty command".into())),
    };
    let Some(mut last) = last else {
        return Ok(ScriptLine {
            line,
            argv: first.argv,
            stdin: first.stdin,
            background,
        });
    };
    if last.has_heredoc {
        return Err(err(
            "a command cannot read both a pipe and a here-document".into()
        ));
    }
    let program = first.argv.first().map(String::as_str).unwrap_or("");
    let piped = match program {
        "echo" => echo_output(&first.argv[1..]),
        "printf" => printf_output(&first.argv[1..]),
        "cat" if first.argv.len() == 1 && first.stdin.is_some() => first.stdin.unwrap_or_default(),
        _ => {
            return Err(err(format!(
                "pipes are only supported from echo, printf or 'cat <<EOF', not from '{program}'"
            )))
        }
    };
    last.stdin = Some(piped);
    Ok(ScriptLine {
        line,
        argv: last.argv,
        stdin: last.stdin,
        background,
    })
}

/// What bash's `echo` prints (`-n` drops the newline, `-e` interprets `\n` and `\t`).
fn echo_output(args: &[String]) -> String {
    let mut newline = true;
    let mut escapes = false;
    let mut rest = args;
    while let Some(first) = rest.first() {
        let flag = first.as_str();
        if flag.len() > 1
            && flag.starts_with('-')
            && flag[1..].chars().all(|c| matches!(c, 'n' | 'e' | 'E'))
        {
            for c in flag[1..].chars() {
                match c {
                    'n' => newline = false,
                    'e' => escapes = true,
                    _ => escapes = false,
                }
            }
            rest = &rest[1..];
        } else {
            break;
        }
    }
    let joined = rest.join(" ");
    let mut s = if escapes {
        unescape_backslashes(&joined)
    } else {
        joined
    };
    if newline {
        s.push('\n');
    }
    s
}

/// What bash's `printf FORMAT ARGS...` prints for `%s`, `%d`, `%%` and backslash escapes; the
/// format is reused while arguments remain.
fn printf_output(args: &[String]) -> String {
    let Some((format, mut rest)) = args.split_first() else {
        return String::new();
    };
    let format = unescape_backslashes(format);
    let mut out = String::new();
    loop {
        let mut consumed = false;
        let mut chars = format.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '%' {
                match chars.next() {
                    Some('%') => out.push('%'),
                    Some('s' | 'd' | 'i') => {
                        if let Some((a, r)) = rest.split_first() {
                            out.push_str(a);
                            rest = r;
                            consumed = true;
                        }
                    }
                    Some(other) => {
                        out.push('%');
                        out.push(other);
                    }
                    None => out.push('%'),
                }
            } else {
                out.push(c);
            }
        }
        if rest.is_empty() || !consumed {
            break;
        }
    }
    out
}

fn unescape_backslashes(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('\\') => out.push('\\'),
            Some(o) => {
                out.push('\\');
                out.push(o);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// Parses a duration for `sleep`-like playground commands into milliseconds: `500ms`, `5s`,
/// `2m`, `1h`, `7d`, or a plain number of seconds (`sleep 5`).
pub fn parse_duration(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let bad = || {
        format!(
            "invalid duration '{s}': use a whole number with an optional unit: ms, s, m, h or d (e.g. 500ms, 5s, 2m, 1h, 7d; a plain number means seconds)"
        )
    };
    let digits_end = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    if digits_end == 0 {
        return Err(bad());
    }
    let n: u64 = t[..digits_end].parse().map_err(|_| bad())?;
    let unit = match &t[digits_end..] {
        "ms" => 1,
        "" | "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return Err(bad()),
    };
    n.checked_mul(unit)
        .ok_or_else(|| format!("duration '{s}' is too long: the most is {} ms", u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_script_over_the_limit_is_refused_with_the_limit() {
        let text = "sleep 1s\n".repeat(MAX_SCRIPT_BYTES / 9 + 1);
        let e = parse_script(&text).expect_err("too large");
        assert!(e.message.contains("at most 1048576 bytes"), "{}", e.message);
        assert!(parse_script(&"sleep 1s\n".repeat(1000)).is_ok());
    }

    fn argv(line: &ScriptLine) -> Vec<&str> {
        line.argv.iter().map(String::as_str).collect()
    }

    #[test]
    fn splits_words_and_skips_comments_and_blank_lines() {
        let s = parse_script(
            "# set up\n\nkafka-topics.sh --create --topic orders   # three partitions\n  bin/kafka-topics.sh --list\n",
        )
        .unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].line, 3);
        assert_eq!(
            argv(&s[0]),
            ["kafka-topics.sh", "--create", "--topic", "orders"]
        );
        assert_eq!(s[1].line, 4);
        assert_eq!(argv(&s[1]), ["bin/kafka-topics.sh", "--list"]);
        assert!(!s[0].background && s[0].stdin.is_none());
    }

    #[test]
    fn hash_inside_a_word_is_not_a_comment() {
        let s = parse_script("echo a#b '#c' #d").unwrap();
        assert_eq!(argv(&s[0]), ["echo", "a#b", "#c"]);
    }

    #[test]
    fn quotes_and_escapes_follow_bash() {
        let s = parse_script(
            r#"cmd 'a b' "c \"d\" \$e \x" f\ g "" '' --property "key.separator=:" $'\t' 'it'\''s'"#,
        )
        .unwrap();
        assert_eq!(
            argv(&s[0]),
            [
                "cmd",
                "a b",
                "c \"d\" $e \\x",
                "f g",
                "",
                "",
                "--property",
                "key.separator=:",
                "\t",
                "it's"
            ]
        );
    }

    #[test]
    fn backslash_newline_continues_the_command() {
        let s = parse_script("kafka-topics.sh --bootstrap-server localhost:9092 \\\n  --create \\\n  --topic t\nnext").unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].line, 1);
        assert_eq!(s[0].argv.len(), 6);
        assert_eq!(s[1].line, 4);
    }

    #[test]
    fn here_documents_become_stdin() {
        let text = "kafka-console-producer.sh --topic t <<EOF\nk1:v1\n  k2:v2\nEOF\nkafka-topics.sh --list\n";
        let s = parse_script(text).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].stdin.as_deref(), Some("k1:v1\n  k2:v2\n"));
        assert_eq!(argv(&s[0]), ["kafka-console-producer.sh", "--topic", "t"]);
        assert_eq!(s[1].line, 5);

        let quoted = parse_script("p <<'END'\n$x\nEND\n").unwrap();
        assert_eq!(quoted[0].stdin.as_deref(), Some("$x\n"));

        let dashed = parse_script("p <<-EOF\n\t\thello\n\tEOF\n").unwrap();
        assert_eq!(dashed[0].stdin.as_deref(), Some("hello\n"));

        let empty = parse_script("p << EOF\nEOF").unwrap();
        assert_eq!(empty[0].stdin.as_deref(), Some(""));
    }

    #[test]
    fn unterminated_here_document_names_its_line() {
        let e = parse_script("ls\np <<EOF\nhello\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("'EOF'"), "{}", e.message);
    }

    #[test]
    fn trailing_ampersand_runs_in_background() {
        let s = parse_script("kafka-console-consumer.sh --topic t &\nsleep 5s").unwrap();
        assert!(s[0].background);
        assert!(!s[1].background);
        let e = parse_script("a & b").unwrap_err();
        assert_eq!(e.line, 1);
        assert!(parse_script("a && b").is_err());
    }

    #[test]
    fn pipes_from_echo_printf_and_cat_become_stdin() {
        let s = parse_script("echo \"k:v\" | kafka-console-producer.sh --topic t").unwrap();
        assert_eq!(argv(&s[0]), ["kafka-console-producer.sh", "--topic", "t"]);
        assert_eq!(s[0].stdin.as_deref(), Some("k:v\n"));

        let s = parse_script("printf 'a\\nb\\n' | p").unwrap();
        assert_eq!(s[0].stdin.as_deref(), Some("a\nb\n"));
        let s = parse_script("printf '%s\\n' one two | p").unwrap();
        assert_eq!(s[0].stdin.as_deref(), Some("one\ntwo\n"));
        let s = parse_script("echo -n x | p").unwrap();
        assert_eq!(s[0].stdin.as_deref(), Some("x"));
        let s = parse_script("cat <<EOF | p --topic t\n1\n2\nEOF\n").unwrap();
        assert_eq!(s[0].stdin.as_deref(), Some("1\n2\n"));
        assert_eq!(argv(&s[0]), ["p", "--topic", "t"]);

        let e = parse_script("\nseq 10 | p").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("echo"));
    }

    #[test]
    fn semicolons_separate_commands() {
        let s = parse_script("a 1; b 2").unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(argv(&s[1]), ["b", "2"]);
        assert_eq!(s[1].line, 1);
    }

    #[test]
    fn errors_name_the_line_and_what_is_allowed() {
        let e = parse_script("a\nb 'open\nc").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("unterminated '"));
        let e = parse_script("a\n\nb > out.txt").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("here-document"));
        assert_eq!(e.to_string(), format!("line 3: {}", e.message));
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms"), Ok(500));
        assert_eq!(parse_duration("5s"), Ok(5_000));
        assert_eq!(parse_duration("5"), Ok(5_000));
        assert_eq!(parse_duration("2m"), Ok(120_000));
        assert_eq!(parse_duration("1h"), Ok(3_600_000));
        assert_eq!(parse_duration("7d"), Ok(604_800_000));
        assert!(parse_duration("5x")
            .unwrap_err()
            .contains("ms, s, m, h or d"));
        assert!(parse_duration("").is_err());
        assert!(parse_duration("-1s").is_err());
        assert!(parse_duration("1.5s").is_err());
        assert!(parse_duration("99999999999999999999d").is_err());
    }
}
