//! Benchmark workloads (issue 9): each runs a fixed simulated workload, times it with the wall
//! clock and returns [`Figure`]s to print against their targets. The engine itself never sees a
//! clock; only this harness does (natively, and in the page's `?bench` harness in WebAssembly).
//!
//! `kafka-playground bench [--json] [NAME...]` runs them; `cargo bench` covers the hot paths.
//! [`Scale::Tiny`] runs every workload in milliseconds so unit tests can check the plumbing.

pub mod alloc;
mod assign;
mod clock;
mod engine;
mod memory;

use serde::Serialize;
use serde_json::Value;

/// How big a run is: the sizes, or a tiny version for unit tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    Full,
    Tiny,
}

/// Which direction meets a target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Better {
    Higher,
    Lower,
}

/// One measured figure. `target`/`met` are `None` for figures the issue only asks to report.
#[derive(Clone, Debug, Serialize)]
pub struct Figure {
    pub name: String,
    pub value: f64,
    pub unit: String,
    pub target: Option<f64>,
    pub met: Option<bool>,
    #[serde(skip)]
    pub better: Better,
    pub detail: Value,
}

impl Figure {
    pub(crate) fn new(
        name: &str,
        value: f64,
        unit: &str,
        target: Option<(f64, Better)>,
        detail: Value,
    ) -> Figure {
        let better = target.map_or(Better::Lower, |(_, b)| b);
        let met = target.map(|(t, b)| match b {
            Better::Higher => value >= t,
            Better::Lower => value <= t,
        });
        Figure {
            name: name.to_string(),
            value,
            unit: unit.to_string(),
            target: target.map(|(t, _)| t),
            met,
            better,
            detail,
        }
    }

    /// One JSON object on one line.
    pub fn json_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }

    /// How far from the target, as "met", "2.3× short" or "" when there is none.
    pub fn verdict(&self) -> String {
        match (self.target, self.met) {
            (Some(_), Some(true)) => "met".into(),
            (Some(t), Some(false)) => {
                let ratio = match self.better {
                    Better::Higher if self.value > 0.0 => t / self.value,
                    Better::Lower if t > 0.0 => self.value / t,
                    _ => f64::INFINITY,
                };
                format!("NOT met ({ratio:.1}× off)")
            }
            _ => String::new(),
        }
    }
}

/// A workload: its name, what it measures, and how to run it.
pub struct Workload {
    pub name: &'static str,
    pub about: &'static str,
    pub run: fn(Scale) -> Result<Vec<Figure>, String>,
}

/// Every native workload, in the order `bench` runs them.
pub const WORKLOADS: &[Workload] = &[
    Workload {
        name: "engine_throughput",
        about: "3 brokers, 12 partitions RF 3, acks=all, 4 keyed producers, 4 consumers",
        run: engine::throughput,
    },
    Workload {
        name: "fast_forward_week",
        about: "6 partitions RF 3, 10 records/s, retention 1 day, 7 simulated days",
        run: engine::fast_forward_week,
    },
    Workload {
        name: "assign_range",
        about: "2,000 consumers, 500 topics x 2,000 partitions; then one leaves",
        run: assign::range,
    },
    Workload {
        name: "assign_roundrobin",
        about: "2,000 consumers, 500 topics x 2,000 partitions; then one leaves",
        run: assign::roundrobin,
    },
    Workload {
        name: "assign_sticky",
        about: "2,000 consumers, 500 topics x 2,000 partitions; then one leaves",
        run: assign::sticky,
    },
    Workload {
        name: "assign_cooperative_sticky",
        about: "2,000 consumers, 500 topics x 2,000 partitions; then one leaves",
        run: assign::cooperative_sticky,
    },
    Workload {
        name: "assign_uniform",
        about: "2,000 consumers, 500 topics x 2,000 partitions; then one leaves",
        run: assign::uniform,
    },
    Workload {
        name: "growth_partitions",
        about: "engine time per simulated record at 12, 120, 1,200 partitions",
        run: engine::growth_partitions,
    },
    Workload {
        name: "growth_consumers",
        about: "engine time per simulated record at 4, 40, 400 consumers",
        run: engine::growth_consumers,
    },
    Workload {
        name: "memory_per_record",
        about: "heap bytes per retained record beyond key and value, 3 replicas",
        run: memory::per_record,
    },
];

/// The workloads `names` selects (all when empty), or which names were not recognised.
pub fn select(names: &[String]) -> Result<Vec<&'static Workload>, String> {
    if names.is_empty() {
        return Ok(WORKLOADS.iter().collect());
    }
    let mut out = Vec::new();
    for n in names {
        match WORKLOADS.iter().find(|w| w.name == n.as_str()) {
            Some(w) => out.push(w),
            None => {
                let known: Vec<&str> = WORKLOADS.iter().map(|w| w.name).collect();
                return Err(format!(
                    "unknown workload '{n}'; known: {}",
                    known.join(", ")
                ));
            }
        }
    }
    Ok(out)
}

/// A human table row: name, value and unit, target, verdict.
pub fn table_row(f: &Figure) -> String {
    let target = match f.target {
        Some(t) => {
            let op = if f.better == Better::Higher {
                "≥"
            } else {
                "≤"
            };
            format!("{op} {}", human(t))
        }
        None => "(report only)".into(),
    };
    format!(
        "{:<34} {:>14} {:<12} {:>16}  {}",
        f.name,
        human(f.value),
        f.unit,
        target,
        f.verdict()
    )
}

/// A number with thousands separators, or 3 significant decimals when small.
pub fn human(v: f64) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    if v.abs() >= 1000.0 {
        let n = v.round() as i64;
        let s = n.unsigned_abs().to_string();
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        if n < 0 {
            out.insert(0, '-');
        }
        out
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

/// CPU seconds this process has used (user + system), where the OS tells (Linux `/proc`).
/// Reported next to wall time: on a shared machine wall time also counts waiting for a core.
pub(crate) fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    let rest = stat.rsplit_once(')')?.1;
    let mut fields = rest.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    // USER_HZ is 100 on every Linux the harness runs on.
    Some((utime + stime) as f64 / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_tiny(name: &str) -> Vec<Figure> {
        let w = select(&[name.to_string()]).expect("known workload");
        (w[0].run)(Scale::Tiny).expect("tiny run succeeds")
    }

    #[test]
    fn every_workload_runs_tiny_and_reports_finite_figures() {
        for w in WORKLOADS {
            let figures = (w.run)(Scale::Tiny).unwrap_or_else(|e| panic!("{}: {e}", w.name));
            assert!(!figures.is_empty(), "{} reported nothing", w.name);
            for f in &figures {
                assert!(f.name.starts_with(w.name), "{} from {}", f.name, w.name);
                assert!(
                    f.value.is_finite() && f.value >= 0.0,
                    "{}: {}",
                    f.name,
                    f.value
                );
                assert_eq!(f.target.is_some(), f.met.is_some());
                let line: Value = serde_json::from_str(&f.json_line()).expect("valid JSON");
                for key in ["name", "value", "unit", "target", "met", "detail"] {
                    assert!(line.get(key).is_some(), "{} lacks {key}", f.name);
                }
            }
        }
    }

    #[test]
    fn throughput_counts_records_that_went_all_the_way() {
        let f = &run_tiny("engine_throughput")[0];
        let d = &f.detail;
        let consumed = d["consumed"].as_u64().unwrap_or(0);
        let acked = d["acked"].as_u64().unwrap_or(0);
        // 4 producers at the rate used over the measured span, and the consumers keeping up.
        let rate = d["rate_per_producer"].as_u64().unwrap_or(0);
        assert!(
            rate > 1000,
            "several records per producer each simulated ms"
        );
        let span = d["simulated_ms"].as_u64().unwrap_or(0);
        let expected = 4 * rate * span / 1000;
        assert!(acked * 10 >= expected * 8, "acked {acked} of {expected}");
        assert!(consumed * 10 >= acked * 9, "consumed {consumed} of {acked}");
        assert!(f.value > 0.0);
    }

    #[test]
    fn assignors_give_every_partition_an_owner_before_and_after_a_member_leaves() {
        for name in [
            "assign_range",
            "assign_roundrobin",
            "assign_sticky",
            "assign_cooperative_sticky",
            "assign_uniform",
        ] {
            let f = &run_tiny(name)[0];
            assert_eq!(
                f.detail["assigned_initial"], f.detail["partitions"],
                "{name}"
            );
            assert_eq!(
                f.detail["assigned_after_leave"], f.detail["partitions"],
                "{name}"
            );
        }
    }

    #[test]
    fn select_rejects_unknown_names_and_lists_known_ones() {
        let err = select(&["nope".to_string()]).err().unwrap_or_default();
        assert!(
            err.contains("nope") && err.contains("engine_throughput"),
            "{err}"
        );
        assert_eq!(select(&[]).map(|v| v.len()).ok(), Some(WORKLOADS.len()));
    }

    #[test]
    fn verdict_says_how_far_off() {
        let f = Figure::new("x", 2.0, "s", Some((1.0, Better::Lower)), Value::Null);
        assert_eq!(f.verdict(), "NOT met (2.0× off)");
        let g = Figure::new("x", 5.0, "/s", Some((10.0, Better::Higher)), Value::Null);
        assert_eq!(g.verdict(), "NOT met (2.0× off)");
        assert_eq!(human(1234567.0), "1,234,567");
    }
}
