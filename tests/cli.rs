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

/// `run --trace-hash` ends with the trace's hash, the same for the same script and seed: two
/// builds that must behave alike (an optimisation) are compared by running both.
#[test]
fn run_prints_the_same_trace_hash_for_the_same_script_and_seed() {
    let script = "kafka-topics --bootstrap-server localhost:9092 --create --topic t --partitions 3 --replication-factor 3\n\
                  producer start --topic t --rate 10/s --name p\n\
                  sleep 5s\n";
    let run = |seed: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kafka-playground"))
            .args(["run", "--seed", seed, "--trace-hash", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the program starts");
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(script.as_bytes()).expect("script written");
        drop(stdin);
        let out = child.wait_with_output().expect("the program ends");
        assert!(out.status.success(), "{out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let line = stderr.lines().last().unwrap_or_default().to_string();
        assert!(line.starts_with("trace hash 0x"), "{stderr}");
        line
    };
    let first = run("7");
    assert_eq!(first, run("7"));
    assert!(first.ends_with(" events"), "{first}");
}
