//! Scenario links: the URL fragment carries the scenario and the simulated position, so a link
//! reproduces exactly what the sender saw:
//!
//! ```text
//! #s=<base64url(deflate-raw(compact JSON))>&t=<milliseconds>
//! ```
//!
//! Deflate is raw (RFC 1951, no zlib or gzip header): what the browser's
//! `CompressionStream("deflate-raw")` produces, so www/embed.js encodes the same way. Base64url
//! is RFC 4648 §5 without padding (padding is accepted). Limits protect the page: a fragment of
//! at most 64 KiB, JSON of at most 1 MiB once inflated — inflating stops at the limit, so a
//! compression bomb is refused without being expanded.

use super::{default_scenario, Scenario, ScenarioError};
use crate::engine::time::Millis;
use miniz_oxide::inflate::{decompress_to_vec_with_limit, TINFLStatus};
use std::fmt;

/// The longest fragment accepted (bytes, without `#`).
pub const MAX_FRAGMENT_BYTES: usize = 64 * 1024;
/// The largest scenario JSON accepted once inflated.
pub const MAX_JSON_BYTES: usize = 1024 * 1024;

/// Why a fragment could not be read. The messages are meant for the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FragmentError {
    /// Longer than [`MAX_FRAGMENT_BYTES`].
    TooLong { bytes: usize },
    /// No `s=` parameter.
    MissingScenario,
    /// A parameter given twice.
    Duplicate { name: String },
    /// `t=` is not a whole number of milliseconds ≥ 0.
    BadPosition { value: String },
    /// Not base64url: the first bad character and its position.
    Base64 { position: usize, found: char },
    /// Base64url of an impossible length (one character too many).
    Base64Length { length: usize },
    /// Not raw deflate data, or cut short.
    Deflate { reason: String },
    /// Inflates to more than [`MAX_JSON_BYTES`].
    TooLarge,
    /// The inflated bytes are not UTF-8.
    NotUtf8,
    /// The JSON is not a valid scenario: every problem, with its path.
    Scenario { errors: Vec<ScenarioError> },
}

impl fmt::Display for FragmentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FragmentError::TooLong { bytes } => write!(
                f,
                "The link's scenario is too long ({bytes} bytes; at most {MAX_FRAGMENT_BYTES}). Share the scenario as a file instead."
            ),
            FragmentError::MissingScenario => f.write_str(
                "The link has no scenario (expected #s=<scenario>&t=<milliseconds>).",
            ),
            FragmentError::Duplicate { name } => {
                write!(f, "The link gives '{name}=' more than once.")
            }
            FragmentError::BadPosition { value } => write!(
                f,
                "The link's position t={value} is not a whole number of milliseconds (0 or more)."
            ),
            FragmentError::Base64 { position, found } => write!(
                f,
                "The link's scenario is damaged: corrupt base64url at character {position} ({found:?}; allowed are A-Z, a-z, 0-9, '-' and '_'). Was the link cut or changed?"
            ),
            FragmentError::Base64Length { length } => write!(
                f,
                "The link's scenario is damaged: corrupt base64url, {length} characters is not a possible length. Was the link cut?"
            ),
            FragmentError::Deflate { reason } => write!(
                f,
                "The link's scenario is damaged: corrupt deflate data ({reason}). Was the link cut or changed?"
            ),
            FragmentError::TooLarge => write!(
                f,
                "The link's scenario inflates to more than {MAX_JSON_BYTES} bytes of JSON; refused."
            ),
            FragmentError::NotUtf8 => {
                f.write_str("The link's scenario is damaged: corrupt JSON text (not UTF-8).")
            }
            FragmentError::Scenario { errors } => {
                f.write_str("The link's scenario is not valid:")?;
                for e in errors {
                    write!(f, "\n  {e}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for FragmentError {}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64url without padding (RFC 4648 §5).
pub fn base64url_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            let idx = (n >> (18 - 6 * i)) & 63;
            out.push(char::from(ALPHABET[idx as usize]));
        }
    }
    out
}

/// Decodes base64url; trailing `=` padding is accepted. Errors name the first bad character.
pub fn base64url_decode(text: &str) -> Result<Vec<u8>, FragmentError> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 2);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for (position, c) in text.chars().enumerate() {
        let v = match c {
            'A'..='Z' => c as u32 - 'A' as u32,
            'a'..='z' => c as u32 - 'a' as u32 + 26,
            '0'..='9' => c as u32 - '0' as u32 + 52,
            '-' => 62,
            '_' => 63,
            found => return Err(FragmentError::Base64 { position, found }),
        };
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    if text.len() % 4 == 1 {
        return Err(FragmentError::Base64Length { length: text.len() });
    }
    Ok(out)
}

/// Raw deflate at the best compression (deterministic: same scenario, same link).
fn deflate(bytes: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec(bytes, 9)
}

/// Inflates at most [`MAX_JSON_BYTES`]; stops there rather than expanding a bomb.
fn inflate(bytes: &[u8]) -> Result<Vec<u8>, FragmentError> {
    decompress_to_vec_with_limit(bytes, MAX_JSON_BYTES).map_err(|e| match e.status {
        TINFLStatus::HasMoreOutput => FragmentError::TooLarge,
        TINFLStatus::FailedCannotMakeProgress | TINFLStatus::NeedsMoreInput => {
            FragmentError::Deflate {
                reason: "the data ends too early".into(),
            }
        }
        _ => FragmentError::Deflate {
            reason: "not a deflate stream".into(),
        },
    })
}

/// The fragment for `scenario` at `position_ms` (without the leading `#`).
pub fn encode_fragment(scenario: &Scenario, position_ms: Millis) -> String {
    let json = scenario.to_json_compact();
    format!(
        "s={}&t={}",
        base64url_encode(&deflate(json.as_bytes())),
        position_ms.max(0)
    )
}

/// The scenario JSON carried by a `s=` value.
pub fn decode_scenario_param(s: &str) -> Result<String, FragmentError> {
    let bytes = inflate(&base64url_decode(s)?)?;
    String::from_utf8(bytes).map_err(|_| FragmentError::NotUtf8)
}

/// The parameters of a fragment (`#` optional): `s` and `t` (flags: [`has_flag`]).
struct Params<'a> {
    s: Option<&'a str>,
    t: Option<&'a str>,
}

fn params(fragment: &str) -> Result<Params<'_>, FragmentError> {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    if fragment.len() > MAX_FRAGMENT_BYTES {
        return Err(FragmentError::TooLong {
            bytes: fragment.len(),
        });
    }
    let mut out = Params { s: None, t: None };
    for part in fragment.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = part.split_once('=').unwrap_or((part, ""));
        let slot = match name {
            "s" => &mut out.s,
            "t" => &mut out.t,
            // Unknown parameters are left for newer pages.
            _ => continue,
        };
        if slot.is_some() {
            return Err(FragmentError::Duplicate {
                name: name.to_string(),
            });
        }
        *slot = Some(value);
    }
    Ok(out)
}

fn position(t: Option<&str>) -> Result<Millis, FragmentError> {
    match t {
        None => Ok(0),
        Some(v) if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) => {
            v.parse().map_err(|_| FragmentError::BadPosition {
                value: v.to_string(),
            })
        }
        Some(v) => Err(FragmentError::BadPosition {
            value: v.chars().take(20).collect(),
        }),
    }
}

/// Reads a fragment (`#` optional): the scenario and the position in milliseconds (0 without
/// `t=`).
pub fn decode_fragment(fragment: &str) -> Result<(Scenario, Millis), FragmentError> {
    let p = params(fragment)?;
    let s = p.s.ok_or(FragmentError::MissingScenario)?;
    let t = position(p.t)?;
    let json = decode_scenario_param(s)?;
    let scenario =
        Scenario::from_json(&json).map_err(|errors| FragmentError::Scenario { errors })?;
    Ok((scenario, t))
}

/// What the page opens for a `location.hash`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub scenario: Scenario,
    pub position_ms: Millis,
    /// `embed` in the fragment (the page also honours `?embed` in the query).
    pub embed: bool,
    /// `terminal` in the fragment: the compact player shows the terminal too.
    pub terminal: bool,
    /// The scenario came from the link (not the default).
    pub from_link: bool,
    /// Why the link's scenario was not used; the page shows it over the default scenario.
    pub problem: Option<FragmentError>,
}

/// The scenario a page should open for `hash` (`location.hash`, `#` optional): the link's
/// scenario and position, or — when there is none or it is damaged — the default scenario at
/// 0 with the reason in `problem`. Never fails: a bad link never gives a blank page.
pub fn from_location(hash: &str) -> Location {
    let embed = has_flag(hash, "embed");
    let terminal = has_flag(hash, "terminal");
    let fallback = |problem: Option<FragmentError>| Location {
        scenario: default_scenario(),
        position_ms: 0,
        embed,
        terminal,
        from_link: false,
        problem,
    };
    let p = match params(hash) {
        Ok(p) => p,
        Err(e) => return fallback(Some(e)),
    };
    if p.s.is_none() {
        return fallback(None);
    }
    match decode_fragment(hash) {
        Ok((scenario, position_ms)) => Location {
            scenario,
            position_ms,
            embed,
            terminal,
            from_link: true,
            problem: None,
        },
        Err(e) => fallback(Some(e)),
    }
}

/// Whether a fragment or query string (`#`/`?` optional) carries the flag `name` (`name`,
/// `name=1`, not `name=0`). Read even when the rest is damaged, so a broken embed link still
/// opens the compact player.
pub fn has_flag(s: &str, name: &str) -> bool {
    let s = s.trim_start_matches(['#', '?']);
    s.split('&').any(|part| {
        let (n, v) = part.split_once('=').unwrap_or((part, ""));
        n == name && v != "0"
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_matches_rfc4648_vectors() {
        // RFC 4648 §10 test vectors, URL alphabet without padding.
        for (plain, enc) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64url_encode(plain.as_bytes()), enc);
            assert_eq!(base64url_decode(enc), Ok(plain.as_bytes().to_vec()));
        }
        assert_eq!(base64url_encode(&[0xfb, 0xff]), "-_8");
        assert_eq!(base64url_decode("-_8="), Ok(vec![0xfb, 0xff]));
        assert_eq!(
            base64url_decode("Zm9v+g"),
            Err(FragmentError::Base64 {
                position: 4,
                found: '+'
            })
        );
        assert_eq!(
            base64url_decode("Zm9vY"),
            Err(FragmentError::Base64Length { length: 5 })
        );
    }

    #[test]
    fn default_scenario_link_round_trips_with_its_position() {
        let s = default_scenario();
        let f = encode_fragment(&s, 12_345);
        assert!(f.starts_with("s=") && f.ends_with("&t=12345"), "{f}");
        assert_eq!(decode_fragment(&f), Ok((s.clone(), 12_345)));
        assert_eq!(decode_fragment(&format!("#{f}")), Ok((s, 12_345)));
    }

    #[test]
    fn from_location_falls_back_to_the_default_with_a_reason() {
        let l = from_location("");
        assert_eq!(l.scenario, default_scenario());
        assert_eq!(l.problem, None);
        let l = from_location("#s=@@@&t=5&embed");
        assert!(l.embed);
        assert_eq!(l.position_ms, 0);
        assert!(matches!(
            l.problem,
            Some(FragmentError::Base64 { position: 0, .. })
        ));
        assert!(!l.from_link);
        let l = from_location("#embed&terminal&s=@@@");
        assert!(l.embed && l.terminal && l.problem.is_some());
        let ok = from_location(&format!(
            "#{}&embed",
            encode_fragment(&default_scenario(), 7)
        ));
        assert!(ok.from_link && ok.embed && !ok.terminal && ok.position_ms == 7);
        assert!(has_flag("?embed", "embed") && !has_flag("?embed=0", "embed"));
        let l = from_location("#s=abc&t=-1");
        assert_eq!(
            l.problem.map(|e| e.to_string()),
            Some(
                "The link's position t=-1 is not a whole number of milliseconds (0 or more)."
                    .into()
            )
        );
    }
}
