//! The native command-line program: runs console scripts against a simulated cluster, and the
//! native benchmarks (`bench`).
//!
//! It is a native program: built for wasm32 (as `cargo test --target wasm32-unknown-unknown`
//! does for every binary) it is an empty stub.

#[cfg(not(target_arch = "wasm32"))]
mod native {

    use kafka_playground::bench;
    use kafka_playground::console::Console;
    use std::io::{Read, Write};
    use std::process::ExitCode;

    /// Counts heap bytes for `bench`'s memory figures. It counts only after `bench` enables it;
    /// until then each allocation costs one extra relaxed atomic load.
    #[global_allocator]
    static ALLOCATOR: bench::alloc::CountingAlloc = bench::alloc::CountingAlloc;

    const USAGE: &str = "\
Kafka Playground: Apache Kafka, simulated faithfully.

Usage:
  kafka-playground run [--seed N] [--trace-hash] [FILE | -]
                                               run a console script against a fresh simulated cluster
                                               (no FILE or - reads the script from standard input;
                                               --trace-hash: print the trace's hash and length to
                                               standard error at the end, to compare two builds)
  kafka-playground bench [--json] [--tiny] [--list] [NAME...]
                                               run the native benchmarks (all, or the named ones)
                                               and print each figure against its target
                                               (--tiny: minute sizes, a smoke test)
  kafka-playground --help                      show this help
  kafka-playground --version                   show the version
";

    /// `run`'s arguments: the seed, where the script comes from (`None` = standard input), and
    /// whether to print the trace hash.
    fn parse_run_args(args: &[String]) -> Result<(u64, Option<String>, bool), String> {
        let mut seed = 1u64;
        let mut file = None;
        let mut trace_hash = false;
        let mut i = 0;
        while i < args.len() {
            let a = &args[i];
            i += 1;
            let seed_value = if a == "--seed" {
                let Some(v) = args.get(i) else {
                    return Err("--seed needs a value: a whole number, e.g. --seed 42".into());
                };
                i += 1;
                Some(v.as_str())
            } else {
                a.strip_prefix("--seed=")
            };
            if let Some(v) = seed_value {
                seed = v.parse().map_err(|_| {
                    format!(
                        "--seed takes a whole number from 0 to {}, not '{v}'",
                        u64::MAX
                    )
                })?;
            } else if a == "--trace-hash" {
                trace_hash = true;
            } else if a.starts_with("--") {
                return Err(format!(
                    "unknown option '{a}' for run; allowed: --seed N, --trace-hash"
                ));
            } else if file.is_some() {
                return Err(format!("run takes one script; '{a}' is a second one"));
            } else if a != "-" {
                file = Some(a.clone());
            }
        }
        Ok((seed, file, trace_hash))
    }

    fn run(args: &[String]) -> ExitCode {
        let (seed, file, trace_hash) = match parse_run_args(args) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("kafka-playground run: {e}\n\n{USAGE}");
                return ExitCode::from(2);
            }
        };
        let text = match &file {
            Some(path) => match std::fs::read_to_string(path) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("kafka-playground run: cannot read '{path}': {e}");
                    return ExitCode::from(2);
                }
            },
            None => {
                let mut t = String::new();
                if let Err(e) = std::io::stdin().read_to_string(&mut t) {
                    eprintln!("kafka-playground run: cannot read standard input: {e}");
                    return ExitCode::from(2);
                }
                t
            }
        };
        let mut console = Console::new(seed);
        let (out, err, code) = console.run_script(&text);
        let _ = std::io::stdout().write_all(out.as_bytes());
        let _ = std::io::stderr().write_all(err.as_bytes());
        if trace_hash {
            let sim = console.sim();
            eprintln!(
                "trace hash {:#018x} after {} events",
                sim.trace_hash(),
                sim.trace().count()
            );
        }
        ExitCode::from(u8::try_from(code).unwrap_or(1))
    }

    /// Writes `text` to standard output; false once nobody reads it (a closed pipe, as in
    /// `bench --json | head -1`), where `print!` would panic.
    fn say(text: impl std::fmt::Display) -> bool {
        write!(std::io::stdout(), "{text}").is_ok()
    }

    /// `bench`: runs the selected workloads in order, printing each figure as it is measured.
    fn bench_command(args: &[String]) -> ExitCode {
        let mut json = false;
        let mut scale = bench::Scale::Full;
        let mut names = Vec::new();
        for a in args {
            match a.as_str() {
                "--json" => json = true,
                // Every workload at a tiny size: a smoke test, and a short run to profile.
                "--tiny" => scale = bench::Scale::Tiny,
                "--list" => {
                    for w in bench::WORKLOADS {
                        if !say(format_args!("{:<28} {}\n", w.name, w.about)) {
                            break;
                        }
                    }
                    return ExitCode::SUCCESS;
                }
                o if o.starts_with("--") => {
                    eprintln!(
                    "kafka-playground bench: unknown option '{o}'; allowed: --json, --tiny, --list"
                );
                    return ExitCode::from(2);
                }
                name => names.push(name.to_string()),
            }
        }
        let workloads = match bench::select(&names) {
            Ok(w) => w,
            Err(e) => {
                eprintln!("kafka-playground bench: {e}");
                return ExitCode::from(2);
            }
        };
        bench::alloc::enable();
        if !json {
            say(format_args!(
                "{:<34} {:>14} {:<12} {:>16}  verdict\n",
                "figure", "value", "unit", "target"
            ));
        }
        let mut failed = false;
        for w in workloads {
            match (w.run)(scale) {
                Ok(figures) => {
                    for f in figures {
                        let line = if json {
                            f.json_line()
                        } else {
                            bench::table_row(&f)
                        };
                        if !say(format_args!("{line}\n")) {
                            // The reader has gone: what is left would be measured for no one.
                            return ExitCode::SUCCESS;
                        }
                    }
                }
                Err(e) => {
                    failed = true;
                    eprintln!("kafka-playground bench: {} failed: {e}", w.name);
                }
            }
            let _ = std::io::stdout().flush();
        }
        if failed {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        }
    }

    pub fn main() -> ExitCode {
        let args: Vec<String> = std::env::args().skip(1).collect();
        match args.first().map(String::as_str) {
            None | Some("--help") | Some("-h") | Some("help") => {
                say(USAGE);
                ExitCode::SUCCESS
            }
            Some("--version") | Some("-V") => {
                say(format_args!(
                    "kafka-playground {}\n",
                    kafka_playground::VERSION
                ));
                ExitCode::SUCCESS
            }
            Some("run") => run(&args[1..]),
            Some("bench") => bench_command(&args[1..]),
            Some(other) => {
                eprintln!("kafka-playground: unknown command '{other}'\n\n{USAGE}");
                ExitCode::from(2)
            }
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    native::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}
