//! The native command-line program: runs console scripts against a simulated cluster.

use std::process::ExitCode;

const USAGE: &str = "\
Kafka Playground: Apache Kafka, simulated faithfully.

Usage:
  kafka-playground run [--seed N] [FILE | -]   run a console script against a fresh simulated cluster
  kafka-playground --help                      show this help
  kafka-playground --version                   show the version
";

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
        Some(other) => {
            eprintln!("kafka-playground: unknown command '{other}'\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}
