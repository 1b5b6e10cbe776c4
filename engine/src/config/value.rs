//! Parsing and validating one config value exactly as Kafka's `ConfigDef.parseType` and its
//! validators do, including their error texts.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use super::{ConfigDef, ConfigError, Era, Kind, Relaxation, Validator};

/// A parsed config value. Doubles are kept as an exact [`Ratio`] (no floats in engine state).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConfigValue {
    Null,
    Bool(bool),
    /// `INT` and `SHORT`.
    Int(i32),
    Long(i64),
    Ratio(Ratio),
    /// `STRING` and `CLASS`.
    Str(String),
    List(Vec<String>),
}

impl ConfigValue {
    /// Kafka's string form (`ConfigDef.convertToString`): lists comma-joined, doubles as Java
    /// prints them. `None` for null.
    pub fn render(&self) -> Option<String> {
        Some(match self {
            ConfigValue::Null => return None,
            ConfigValue::Bool(b) => b.to_string(),
            ConfigValue::Int(i) => i.to_string(),
            ConfigValue::Long(l) => l.to_string(),
            ConfigValue::Ratio(r) => r.text.clone(),
            ConfigValue::Str(s) => s.clone(),
            ConfigValue::List(l) => l.join(","),
        })
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            ConfigValue::Int(i) => Some(i64::from(*i)),
            ConfigValue::Long(l) => Some(*l),
            _ => None,
        }
    }
}

/// A Java `double` config in [0, 1]-style use, held exactly as permille for the engine and as
/// Java's `Double.toString` text for display (`0.5`, `1.0`, `1.0E-4`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Ratio {
    /// The value × 1000, truncated toward zero.
    pub permille: i64,
    pub text: String,
}

/// A parsed value plus the relaxation it needed, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    pub value: ConfigValue,
    pub relaxation: Option<Relaxation>,
}

/// Parses and validates `raw` for `def` in `era`. `relaxed` accepts values down to the config's
/// `relaxed_min` (see the module docs on playground relaxations).
pub fn parse_value(
    def: &ConfigDef,
    raw: &str,
    era: Era,
    relaxed: bool,
) -> Result<Parsed, ConfigError> {
    let name = def.name;
    // Java's String.trim: strips code points <= U+0020.
    let trimmed = raw.trim_matches(|c: char| c <= ' ');
    let not_a_number = || {
        ConfigError::invalid_value(
            name,
            raw,
            format!("Not a number of type {}", def.kind.java_name()),
        )
    };
    let value = match def.kind {
        Kind::Bool => {
            if trimmed.eq_ignore_ascii_case("true") {
                ConfigValue::Bool(true)
            } else if trimmed.eq_ignore_ascii_case("false") {
                ConfigValue::Bool(false)
            } else {
                return Err(ConfigError::invalid_value(
                    name,
                    raw,
                    "Expected value to be either true or false",
                ));
            }
        }
        Kind::Short => ConfigValue::Int(i32::from(
            trimmed.parse::<i16>().map_err(|_| not_a_number())?,
        )),
        Kind::Int => ConfigValue::Int(trimmed.parse::<i32>().map_err(|_| not_a_number())?),
        Kind::Long => ConfigValue::Long(trimmed.parse::<i64>().map_err(|_| not_a_number())?),
        Kind::Double => {
            ConfigValue::Ratio(Decimal::parse(trimmed).ok_or_else(not_a_number)?.to_ratio())
        }
        Kind::String => ConfigValue::Str(trimmed.to_string()),
        Kind::Class => ConfigValue::Str(trimmed.to_string()),
        Kind::List => ConfigValue::List(split_list(trimmed)),
    };
    let relaxation = validate(def, &value, era, relaxed, raw)?;
    Ok(Parsed { value, relaxation })
}

/// `trimmed.split("\\s*,\\s*", -1)`, or empty for an empty string.
fn split_list(trimmed: &str) -> Vec<String> {
    if trimmed.is_empty() {
        return Vec::new();
    }
    trimmed
        .split(',')
        .map(|s| s.trim_matches(|c: char| c.is_whitespace()).to_string())
        .collect()
}

fn validate(
    def: &ConfigDef,
    value: &ConfigValue,
    era: Era,
    relaxed: bool,
    raw: &str,
) -> Result<Option<Relaxation>, ConfigError> {
    let name = def.name;
    let shown = value.render().unwrap_or_else(|| raw.to_string());
    match def.valid_for(era) {
        Validator::None => {}
        Validator::AtLeast(min) => {
            if let Some(relax) = check_min(def, value, min, era, relaxed, &shown, raw)? {
                return Ok(Some(relax));
            }
        }
        Validator::Between(min, max) => {
            check_min(def, value, min, era, relaxed, &shown, raw)?;
            let above = match value {
                ConfigValue::Ratio(_) => cmp_decimal(raw, max) == Some(Ordering::Greater),
                v => v.as_i64().is_some_and(|n| n > max),
            };
            if above {
                return Err(ConfigError::invalid_value(
                    name,
                    &shown,
                    format!("Value must be no more than {max}"),
                ));
            }
        }
        Validator::OneOf(allowed) => {
            if let ConfigValue::Str(s) = value {
                if !allowed.contains(&s.as_str()) {
                    return Err(ConfigError::invalid_value(
                        name,
                        s,
                        format!("String must be one of: {}", allowed.join(", ")),
                    ));
                }
            }
        }
        Validator::OneOfCaseInsensitive(allowed) => {
            if let ConfigValue::Str(s) = value {
                if !allowed.iter().any(|a| a.eq_ignore_ascii_case(s)) {
                    return Err(ConfigError::invalid_value(
                        name,
                        s,
                        format!(
                            "String must be one of (case insensitive): {}",
                            allowed.join(", ")
                        ),
                    ));
                }
            }
        }
        Validator::ListOf(allowed) => {
            if let ConfigValue::List(items) = value {
                for s in items {
                    if !allowed.contains(&s.as_str()) {
                        return Err(ConfigError::invalid_value(
                            name,
                            s,
                            format!("String must be one of: {}", allowed.join(", ")),
                        ));
                    }
                }
            }
        }
        Validator::Classes(known) => {
            let names: Vec<&str> = match value {
                ConfigValue::Str(s) if !s.is_empty() => vec![s.as_str()],
                ConfigValue::List(l) => l.iter().map(String::as_str).collect(),
                _ => Vec::new(),
            };
            for class in names {
                if !known.contains(&class) {
                    return Err(ConfigError::invalid_value(
                        name,
                        raw,
                        format!(
                            "Class {class} could not be found. The playground knows: {}",
                            known.join(", ")
                        ),
                    ));
                }
            }
        }
        Validator::ThrottledReplicas => {
            if let ConfigValue::List(items) = value {
                let wildcard = items.len() == 1 && items[0] == "*";
                let pairs = items.iter().all(|s| {
                    let mut parts = s.split(':');
                    let ok = |p: Option<&str>| {
                        p.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                    };
                    ok(parts.next()) && ok(parts.next()) && parts.next().is_none()
                });
                if !(wildcard || pairs) {
                    return Err(ConfigError::invalid_value(
                        name,
                        raw,
                        format!(
                            "{name} must be the literal '*' or a list of replicas in the following \
                             format: [partitionId]:[brokerId],[partitionId]:[brokerId],..."
                        ),
                    ));
                }
            }
        }
        Validator::GzipLevel => {
            if let Some(level) = value.as_i64() {
                if level != -1 && !(1..=9).contains(&level) {
                    return Err(ConfigError::invalid_value(
                        name,
                        &shown,
                        "Value must be between 1 and 9, or -1",
                    ));
                }
            }
        }
    }
    Ok(None)
}

/// `Range` lower bound, honouring the playground relaxation.
fn check_min(
    def: &ConfigDef,
    value: &ConfigValue,
    min: i64,
    era: Era,
    relaxed: bool,
    shown: &str,
    raw: &str,
) -> Result<Option<Relaxation>, ConfigError> {
    let below = match value {
        ConfigValue::Ratio(_) => cmp_decimal(raw, min) == Some(Ordering::Less),
        v => v.as_i64().is_some_and(|n| n < min),
    };
    if !below {
        return Ok(None);
    }
    let n = value.as_i64();
    if let (Some(n), Some(relaxed_min)) = (n, def.relaxed_min) {
        if relaxed && relaxed_min < min {
            if n >= relaxed_min {
                return Ok(Some(Relaxation {
                    name: def.name.to_string(),
                    value: n,
                    kafka_min: min,
                }));
            }
            let kafka = match era {
                Era::Kafka4 => "Kafka 4.x",
                Era::ZooKeeper => "Kafka",
            };
            return Err(ConfigError::invalid_value(
                def.name,
                shown,
                format!(
                    "Value must be at least {relaxed_min} (the playground's relaxed minimum; \
                     {kafka} requires at least {min})"
                ),
            ));
        }
    }
    Err(ConfigError::invalid_value(
        def.name,
        shown,
        format!("Value must be at least {min}"),
    ))
}

/// Compares a double's text exactly with an integer bound.
fn cmp_decimal(raw: &str, bound: i64) -> Option<Ordering> {
    Decimal::parse(raw.trim_matches(|c: char| c <= ' ')).map(|d| d.cmp_int(bound))
}

/// A decimal number as typed: `digits × 10^exp`, sign separate. Accepts what Java's
/// `Double.parseDouble` accepts for plain decimals (`0.5`, `.5`, `5e-1`, `+1`, `0.5d`);
/// `NaN`, `Infinity` and hex floats are refused (a deliberate deviation: they make no sense here).
#[derive(Debug, PartialEq, Eq)]
struct Decimal {
    negative: bool,
    /// Significant digits without leading zeros ("" for zero).
    digits: String,
    exp: i64,
}

impl Decimal {
    fn parse(s: &str) -> Option<Decimal> {
        let s = s.strip_suffix(['d', 'D', 'f', 'F']).unwrap_or(s);
        let (negative, s) = match s.as_bytes().first()? {
            b'-' => (true, &s[1..]),
            b'+' => (false, &s[1..]),
            _ => (false, s),
        };
        let (mantissa, exp_part) = match s.find(['e', 'E']) {
            Some(i) => (&s[..i], Some(&s[i + 1..])),
            None => (s, None),
        };
        let (int_part, frac_part) = match mantissa.find('.') {
            Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
            None => (mantissa, ""),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return None;
        }
        if !int_part
            .bytes()
            .chain(frac_part.bytes())
            .all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let mut exp: i64 = match exp_part {
            Some(e) => {
                let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                // Clamp absurd exponents; they only decide "zero" or "too large".
                e.parse::<i64>()
                    .unwrap_or(if e.starts_with('-') {
                        -100_000
                    } else {
                        100_000
                    })
                    .clamp(-100_000, 100_000)
            }
            None => 0,
        };
        exp -= frac_part.len() as i64;
        let mut digits: String = format!("{int_part}{frac_part}")
            .trim_start_matches('0')
            .to_string();
        while digits.ends_with('0') {
            digits.pop();
            exp += 1;
        }
        if digits.is_empty() {
            exp = 0;
        }
        Some(Decimal {
            negative,
            digits,
            exp,
        })
    }

    /// Position of the decimal point relative to the first digit: value = 0.d1d2... × 10^point.
    fn point(&self) -> i64 {
        self.digits.len() as i64 + self.exp
    }

    /// Exact comparison with an integer (Kafka compares `doubleValue()`s; exact is the same for
    /// any value a user types with fewer than 16 significant digits).
    fn cmp_int(&self, n: i64) -> Ordering {
        if self.digits.is_empty() {
            return 0.cmp(&n);
        }
        match (self.negative, n < 0) {
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            _ => {}
        }
        let m = n.unsigned_abs().to_string();
        let point = self.point();
        let int_part: String = if point <= 0 {
            String::new()
        } else {
            let p = point as usize;
            let mut s: String = self.digits.chars().take(p).collect();
            while s.len() < p {
                s.push('0');
            }
            s
        };
        let frac_nonzero = self.digits.len() as i64 > point;
        let m = if m == "0" { String::new() } else { m };
        let magnitude = int_part
            .len()
            .cmp(&m.len())
            .then_with(|| int_part.cmp(&m))
            .then(if frac_nonzero {
                Ordering::Greater
            } else {
                Ordering::Equal
            });
        if self.negative {
            magnitude.reverse()
        } else {
            magnitude
        }
    }

    fn to_ratio(&self) -> Ratio {
        // permille = digits × 10^(exp+3), truncated toward zero, saturating.
        let shift = self.exp + 3;
        let len = self.digits.len() as i64;
        let text = if shift >= 0 {
            if len + shift > 18 {
                None
            } else {
                Some(format!("{}{}", self.digits, "0".repeat(shift as usize)))
            }
        } else if len + shift <= 0 {
            Some(String::new())
        } else {
            Some(self.digits[..(len + shift) as usize].to_string())
        };
        let magnitude = match text {
            None => i64::MAX,
            Some(t) if t.is_empty() => 0,
            Some(t) => t.parse::<i64>().unwrap_or(i64::MAX),
        };
        Ratio {
            permille: if self.negative { -magnitude } else { magnitude },
            text: self.java_text(),
        }
    }

    /// Java's `Double.toString` for this value (exact for up to 17 significant digits).
    fn java_text(&self) -> String {
        let sign = if self.negative { "-" } else { "" };
        if self.digits.is_empty() {
            return format!("{sign}0.0");
        }
        let point = self.point();
        let d = &self.digits;
        if (-2..=7).contains(&point) {
            // 10^-3 <= |v| < 10^7: plain notation with at least one fractional digit.
            if point <= 0 {
                return format!("{sign}0.{}{d}", "0".repeat((-point) as usize));
            }
            let p = point as usize;
            if d.len() <= p {
                return format!("{sign}{d}{}.0", "0".repeat(p - d.len()));
            }
            return format!("{sign}{}.{}", &d[..p], &d[p..]);
        }
        let frac = if d.len() > 1 { &d[1..] } else { "0" };
        format!("{sign}{}.{frac}E{}", &d[..1], point - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_double_text() {
        let t = |s: &str| Decimal::parse(s).map(|d| d.java_text());
        assert_eq!(t("0.5").as_deref(), Some("0.5"));
        assert_eq!(t("0.50").as_deref(), Some("0.5"));
        assert_eq!(t(".5").as_deref(), Some("0.5"));
        assert_eq!(t("1").as_deref(), Some("1.0"));
        assert_eq!(t("5e-1").as_deref(), Some("0.5"));
        assert_eq!(t("0.001").as_deref(), Some("0.001"));
        assert_eq!(t("0.0001").as_deref(), Some("1.0E-4"));
        assert_eq!(t("0.00015").as_deref(), Some("1.5E-4"));
        assert_eq!(t("0").as_deref(), Some("0.0"));
        assert_eq!(t("12345678").as_deref(), Some("1.2345678E7"));
        assert_eq!(t("0.75d").as_deref(), Some("0.75"));
        assert_eq!(t("abc"), None);
        assert_eq!(t("."), None);
        assert_eq!(t("1e"), None);
        assert_eq!(t("NaN"), None);
    }

    #[test]
    fn permille() {
        let p = |s: &str| Decimal::parse(s).map(|d| d.to_ratio().permille);
        assert_eq!(p("0.5"), Some(500));
        assert_eq!(p("1"), Some(1000));
        assert_eq!(p("0.3333"), Some(333));
        assert_eq!(p("0.0001"), Some(0));
        assert_eq!(p("-0.25"), Some(-250));
        assert_eq!(p("2.5e1"), Some(25000));
        assert_eq!(p("1e30"), Some(i64::MAX));
    }

    #[test]
    fn exact_integer_comparison() {
        let c = |s: &str, n: i64| Decimal::parse(s).map(|d| d.cmp_int(n));
        assert_eq!(c("1.0001", 1), Some(Ordering::Greater));
        assert_eq!(c("1.000", 1), Some(Ordering::Equal));
        assert_eq!(c("0.9999", 1), Some(Ordering::Less));
        assert_eq!(c("-0.0001", 0), Some(Ordering::Less));
        assert_eq!(c("-0", 0), Some(Ordering::Equal));
        assert_eq!(c("10", 9), Some(Ordering::Greater));
        assert_eq!(c("-2.5", -2), Some(Ordering::Less));
        assert_eq!(c("0.5", 0), Some(Ordering::Greater));
    }
}
