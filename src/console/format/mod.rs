//! Formatters: plain data (`console::model`) in, Kafka 4.0's exact tool output out.

pub mod configs;
pub mod consumer;
pub mod errors;
pub mod groups;
pub mod offsets;
pub mod quorum;
pub mod records;
pub mod topics;
pub mod verifiable;

/// Java `String.format("%-Ns", s)`: left-justified, padded with spaces, never truncated.
pub(crate) fn pad(s: &str, width: usize) -> String {
    let len = s.encode_utf16().count();
    let mut out = s.to_string();
    for _ in len..width {
        out.push(' ');
    }
    out
}

/// Comma-joined ids, as Kafka's `mkString(",")`.
pub(crate) fn join_ids(ids: &[i32]) -> String {
    ids.iter().map(i32::to_string).collect::<Vec<_>>().join(",")
}
