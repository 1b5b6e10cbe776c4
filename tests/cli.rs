//! The native program as a shell sees it: output to a reader that leaves early.
#![cfg(not(target_arch = "wasm32"))]

use std::process::{Command, Stdio};

/// `bench --json | head -1`: once the reader has gone, the program stops quietly. It used to
/// panic ("failed printing to stdout: Broken pipe").
#[test]
fn bench_stops_quietly_when_its_reader_leaves() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kafka-playground"))
        // A workload that measures for a moment first, so the pipe is closed before any output.
        .args([
            "bench",
            "--tiny",
            "--json",
            "engine_throughput",
            "engine_throughput",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the program starts");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("the program ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
}
