//! The subset of Java regular expressions tutorials use for topic filters (`--topic 'orders.*'`,
//! `--include 'a|b'`): literals, `.`, `*`, `+`, `?`, `[a-z]`/`[^...]`, `(...)`, `|`, `\d \w \s`
//! and escaped characters. Matching is whole-string, as Kafka's `IncludeList` does.

#[derive(Debug, Clone)]
enum Atom {
    Char(char),
    Any,
    Class(Vec<(char, char)>, bool),
    Group(Vec<Vec<Piece>>),
}

#[derive(Debug, Clone)]
struct Piece {
    atom: Atom,
    min: usize,
    max: usize,
}

/// A compiled pattern.
#[derive(Debug, Clone)]
pub struct Regex {
    alts: Vec<Vec<Piece>>,
}

struct Parser<'a> {
    chars: &'a [char],
    pos: usize,
}

impl Parser<'_> {
    fn alternation(&mut self) -> Result<Vec<Vec<Piece>>, String> {
        let mut alts = vec![self.sequence()?];
        while self.chars.get(self.pos) == Some(&'|') {
            self.pos += 1;
            alts.push(self.sequence()?);
        }
        Ok(alts)
    }

    fn sequence(&mut self) -> Result<Vec<Piece>, String> {
        let mut seq = Vec::new();
        while let Some(&c) = self.chars.get(self.pos) {
            if c == '|' || c == ')' {
                break;
            }
            self.pos += 1;
            let atom = match c {
                '.' => Atom::Any,
                '^' | '$' => continue,
                '(' => {
                    if self.chars.get(self.pos) == Some(&'?')
                        && self.chars.get(self.pos + 1) == Some(&':')
                    {
                        self.pos += 2;
                    }
                    let inner = self.alternation()?;
                    if self.chars.get(self.pos) != Some(&')') {
                        return Err("Unclosed group".into());
                    }
                    self.pos += 1;
                    Atom::Group(inner)
                }
                '[' => self.class()?,
                '\\' => self.escape()?,
                '*' | '+' | '?' => return Err(format!("Dangling meta character '{c}'")),
                other => Atom::Char(other),
            };
            let (min, max) = match self.chars.get(self.pos) {
                Some('*') => (0, usize::MAX),
                Some('+') => (1, usize::MAX),
                Some('?') => (0, 1),
                _ => (1, 1),
            };
            if (min, max) != (1, 1) {
                self.pos += 1;
            }
            seq.push(Piece { atom, min, max });
        }
        Ok(seq)
    }

    fn escape(&mut self) -> Result<Atom, String> {
        let Some(&e) = self.chars.get(self.pos) else {
            return Err("Unexpected internal error".into());
        };
        self.pos += 1;
        Ok(match e {
            'd' => Atom::Class(vec![('0', '9')], false),
            'w' => Atom::Class(vec![('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')], false),
            's' => Atom::Class(
                vec![(' ', ' '), ('\t', '\t'), ('\n', '\n'), ('\r', '\r')],
                false,
            ),
            other => Atom::Char(other),
        })
    }

    fn class(&mut self) -> Result<Atom, String> {
        let mut negate = false;
        if self.chars.get(self.pos) == Some(&'^') {
            negate = true;
            self.pos += 1;
        }
        let mut ranges = Vec::new();
        let mut first = true;
        loop {
            let Some(&c) = self.chars.get(self.pos) else {
                return Err("Unclosed character class".into());
            };
            self.pos += 1;
            if c == ']' && !first {
                break;
            }
            first = false;
            let lo = if c == '\\' {
                let Some(&e) = self.chars.get(self.pos) else {
                    return Err("Unclosed character class".into());
                };
                self.pos += 1;
                e
            } else {
                c
            };
            if self.chars.get(self.pos) == Some(&'-')
                && self.chars.get(self.pos + 1).is_some_and(|n| *n != ']')
            {
                let hi = self.chars[self.pos + 1];
                self.pos += 2;
                ranges.push((lo, hi));
            } else {
                ranges.push((lo, lo));
            }
        }
        Ok(Atom::Class(ranges, negate))
    }
}

impl Regex {
    pub fn new(pattern: &str) -> Result<Regex, String> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut p = Parser {
            chars: &chars,
            pos: 0,
        };
        let alts = p.alternation()?;
        if p.pos != chars.len() {
            return Err("Unmatched closing ')'".into());
        }
        Ok(Regex { alts })
    }

    /// Whole-string match (`Matcher.matches()`).
    pub fn matches(&self, s: &str) -> bool {
        let chars: Vec<char> = s.chars().collect();
        match_alts(&self.alts, &chars, 0, &mut |end| end == chars.len())
    }

    /// Whether the pattern has no metacharacter (a plain topic name).
    pub fn is_literal(pattern: &str) -> bool {
        !pattern.chars().any(|c| "\\[](){}.*+?^$|".contains(c))
    }
}

fn match_alts(
    alts: &[Vec<Piece>],
    s: &[char],
    at: usize,
    k: &mut dyn FnMut(usize) -> bool,
) -> bool {
    alts.iter().any(|seq| match_seq(seq, s, at, k))
}

fn match_seq(seq: &[Piece], s: &[char], at: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
    let Some((first, rest)) = seq.split_first() else {
        return k(at);
    };
    match_repeat(first, 0, rest, s, at, k)
}

fn match_repeat(
    piece: &Piece,
    count: usize,
    rest: &[Piece],
    s: &[char],
    at: usize,
    k: &mut dyn FnMut(usize) -> bool,
) -> bool {
    // Greedy: try one more repetition first, then the rest.
    if count < piece.max {
        let mut more = |next: usize| next != at && match_repeat(piece, count + 1, rest, s, next, k);
        if match_atom(&piece.atom, s, at, &mut more) {
            return true;
        }
    }
    count >= piece.min && match_seq(rest, s, at, k)
}

fn match_atom(atom: &Atom, s: &[char], at: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
    match atom {
        Atom::Char(c) => s.get(at) == Some(c) && k(at + 1),
        Atom::Any => s.get(at).is_some_and(|c| *c != '\n') && k(at + 1),
        Atom::Class(ranges, negate) => {
            s.get(at)
                .is_some_and(|c| ranges.iter().any(|(lo, hi)| lo <= c && c <= hi) != *negate)
                && k(at + 1)
        }
        Atom::Group(alts) => match_alts(alts, s, at, k),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, s: &str) -> bool {
        Regex::new(p).unwrap().matches(s)
    }

    #[test]
    fn java_like_whole_string_matching() {
        assert!(m("orders", "orders"));
        assert!(!m("orders", "orders2"));
        assert!(m("orders.*", "orders-eu"));
        assert!(m("a.b", "axb"));
        assert!(m("(orders|payments)", "payments"));
        assert!(m("t[0-9]+", "t42"));
        assert!(!m("t[0-9]+", "t"));
        assert!(m("t\\d?", "t"));
        assert!(m("[^_].*", "orders"));
        assert!(!m("[^_].*", "__consumer_offsets"));
        assert!(Regex::new("a(").is_err());
        assert!(Regex::is_literal("orders-1_x"));
        assert!(!Regex::is_literal("orders.*"));
    }
}
