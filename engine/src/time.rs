//! Simulated time: milliseconds since the simulation started. No wall clock ever enters the engine.

/// Simulated milliseconds. Kafka's configs and timestamps are milliseconds too.
pub type Millis = i64;

pub const SECOND: Millis = 1_000;
pub const MINUTE: Millis = 60 * SECOND;
pub const HOUR: Millis = 60 * MINUTE;
pub const DAY: Millis = 24 * HOUR;

/// The epoch the simulated clock starts at, so record timestamps look like real ones
/// (2025-03-18T00:00:00Z, the day Kafka 4.0 was released).
pub const EPOCH_MS: Millis = 1_742_256_000_000;

/// A short human form: `950ms`, `12.5s`, `3m 20s`, `2h 5m`, `7d 0h`.
pub fn human(ms: Millis) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    let ms = ms.unsigned_abs() as i64;
    let body = if ms < SECOND {
        format!("{ms}ms")
    } else if ms < MINUTE {
        let tenths = (ms % SECOND) / 100;
        if tenths == 0 {
            format!("{}s", ms / SECOND)
        } else {
            format!("{}.{}s", ms / SECOND, tenths)
        }
    } else if ms < HOUR {
        format!("{}m {}s", ms / MINUTE, (ms % MINUTE) / SECOND)
    } else if ms < DAY {
        format!("{}h {}m", ms / HOUR, (ms % HOUR) / MINUTE)
    } else {
        format!("{}d {}h", ms / DAY, (ms % DAY) / HOUR)
    };
    format!("{sign}{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_forms() {
        assert_eq!(human(950), "950ms");
        assert_eq!(human(12_500), "12.5s");
        assert_eq!(human(5 * SECOND), "5s");
        assert_eq!(human(3 * MINUTE + 20 * SECOND), "3m 20s");
        assert_eq!(human(2 * HOUR + 5 * MINUTE), "2h 5m");
        assert_eq!(human(7 * DAY), "7d 0h");
        assert_eq!(human(-1500), "-1.5s");
    }
}
