//! `kafka-get-offsets` output (formats §6).

use crate::console::java_order::java_compare;
use crate::ordered;

/// stdout: `topic:partition:offset` per partition, sorted by the string `topic-partition`
/// (so `orders-10` sorts before `orders-2`); partitions whose lookup gave -1 are omitted.
pub fn offsets_lines(rows: &[(String, i32, i64)]) -> String {
    let mut v: Vec<&(String, i32, i64)> = rows.iter().filter(|r| r.2 >= 0).collect();
    ordered::sort_by(&mut v, |a, b| {
        java_compare(&format!("{}-{}", a.0, a.1), &format!("{}-{}", b.0, b.1))
    });
    v.into_iter()
        .map(|(t, p, o)| format!("{t}:{p}:{o}\n"))
        .collect()
}

/// stderr line for a partition whose lookup failed.
pub fn skip_partition(topic: &str, partition: i32, error: &str) -> String {
    format!("Skip getting offsets for topic-partition {topic}-{partition} due to error: {error}\n")
}

/// The `Malformed time argument` error message for a bad `--time`.
pub fn malformed_time(arg: &str) -> String {
    format!("Malformed time argument {arg}. Please use -1 or latest / -2 or earliest / -3 or max-timestamp / -4 or earliest-local / -5 or latest-tiered, or a specified long format timestamp")
}

/// Parses `--time`: the special offsets as negative numbers, or a timestamp in ms. The names
/// match in lower case only (`GetOffsetShell.parseOffsetSpec` switches on the exact string).
pub fn parse_time(arg: &str) -> Result<i64, String> {
    match arg {
        "latest" => Ok(-1),
        "earliest" => Ok(-2),
        "max-timestamp" => Ok(-3),
        "earliest-local" => Ok(-4),
        "latest-tiered" => Ok(-5),
        _ => arg.parse::<i64>().map_err(|_| malformed_time(arg)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_sort_by_topic_dash_partition() {
        let rows = vec![
            ("orders".to_string(), 2, 7),
            ("orders".to_string(), 10, 0),
            ("orders".to_string(), 0, 5),
            ("orders".to_string(), 1, 3),
            ("orders".to_string(), 3, -1),
        ];
        assert_eq!(
            offsets_lines(&rows),
            "orders:0:5\norders:1:3\norders:10:0\norders:2:7\n"
        );
    }

    #[test]
    fn time_arguments() {
        assert_eq!(parse_time("latest"), Ok(-1));
        assert_eq!(parse_time("-2"), Ok(-2));
        assert_eq!(parse_time("1742465702417"), Ok(1742465702417));
        assert_eq!(
            parse_time("abc").unwrap_err(),
            "Malformed time argument abc. Please use -1 or latest / -2 or earliest / -3 or max-timestamp / -4 or earliest-local / -5 or latest-tiered, or a specified long format timestamp"
        );
    }
}
