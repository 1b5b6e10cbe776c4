//! The native command-line program: runs console scripts against a simulated cluster.

use kafka_playground::console::Console;
use std::io::{Read, Write};
use std::process::ExitCode;

const USAGE: &str = "\
Kafka Playground: Apache Kafka, simulated faithfully.

Usage:
  kafka-playground run [--seed N] [FILE | -]   run a console script against a fresh simulated cluster
                                               (no FILE or - reads the script from standard input)
  kafka-playground --help                      show this help
  kafka-playground --version                   show the version
";

/// `run`'s arguments: the seed and where the script comes from (`None` = standard input).
fn parse_run_args(args: &[String]) -> Result<(u64, Option<String>), String> {
    let mut seed = 1u64;
    let mut file = None;
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
        } else if a.starts_with("--") {
            return Err(format!("unknown option '{a}' for run; allowed: --seed N"));
        } else if file.is_some() {
            return Err(format!("run takes one script; '{a}' is a second one"));
        } else if a != "-" {
            file = Some(a.clone());
        }
    }
    Ok((seed, file))
}

fn run(args: &[String]) -> ExitCode {
    let (seed, file) = match parse_run_args(args) {
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
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        None | Some("--help") | Some("-h") | Some("help") => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some("--version") | Some("-V") => {
            println!("kafka-playground {}", kafka_playground::VERSION);
            ExitCode::SUCCESS
        }
        Some("run") => run(&args[1..]),
        Some(other) => {
            eprintln!("kafka-playground: unknown command '{other}'\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}
