//! Exports: the kafka-python program is checked against the installed kafka-python package by
//! tests/export_check.py (imports, classes, keyword arguments, config names, value types), and
//! the CLI commands are checked against the playground's own parsers of Kafka's tools.

use kafka_playground::console::{parse_tool_args, Tool};
use kafka_playground::scenario::export::{to_kafka_cli, to_kafka_python, KAFKA_PYTHON};
use kafka_playground::scenario::{default_scenario, Scenario};
use std::path::PathBuf;
use std::process::Command;

fn fixtures() -> Vec<(&'static str, Scenario)> {
    let load = |text: &str| Scenario::from_json(text).expect("valid fixture");
    vec![
        ("default", default_scenario()),
        (
            "replication-basics",
            load(include_str!("fixtures/scenarios/replication-basics.json")),
        ),
        (
            "consumer-group-rebalance",
            load(include_str!(
                "fixtures/scenarios/consumer-group-rebalance.json"
            )),
        ),
        (
            "retention-segments",
            load(include_str!("fixtures/scenarios/retention-segments.json")),
        ),
        ("every-mapped-config", load(EVERY_CONFIG)),
        ("zookeeper-era", load(ZOOKEEPER)),
        ("hostile-names", load(HOSTILE)),
    ]
}

/// Every producer and consumer config the exporter maps, and each assignor.
const EVERY_CONFIG: &str = r#"{
  "version": 1, "seed": 1, "title": "every mapped config",
  "cluster": {"brokers": 3},
  "topics": [{"name": "t", "partitions": 2, "replication_factor": 2,
              "configs": {"retention.ms": "60000", "cleanup.policy": "compact,delete"}},
             {"name": "u"}],
  "producers": [{"name": "p-1", "topic": "t", "rate_per_sec": 3, "max_records": 10, "configs": {
      "acks": "1", "enable.idempotence": "false", "batch.size": "32768", "linger.ms": "20",
      "retries": "5", "delivery.timeout.ms": "60000", "max.in.flight.requests.per.connection": "1",
      "request.timeout.ms": "20000", "retry.backoff.ms": "200", "max.request.size": "2097152",
      "max.block.ms": "30000", "compression.type": "gzip", "buffer.memory": "1048576",
      "partitioner.ignore.keys": "true"}},
    {"name": "p-2", "topic": "u", "rate_per_sec": 1, "configs": {"compression.type": "none", "acks": "0"}},
    {"name": "p-3", "topic": "u", "rate_per_sec": 1,
     "configs": {"transactional.id": "tx-1", "transaction.timeout.ms": "30000"}}],
  "consumers": [
    {"name": "c-1", "group": "g1", "topics": ["t", "u"], "process_time_ms": 20, "configs": {
      "group.instance.id": "c-1-static", "session.timeout.ms": "30000", "heartbeat.interval.ms": "5000",
      "max.poll.interval.ms": "60000", "max.poll.records": "100", "enable.auto.commit": "false",
      "auto.commit.interval.ms": "1000", "auto.offset.reset": "earliest",
      "partition.assignment.strategy": "org.apache.kafka.clients.consumer.RoundRobinAssignor",
      "isolation.level": "read_committed", "fetch.min.bytes": "10", "fetch.max.wait.ms": "100",
      "max.partition.fetch.bytes": "65536", "fetch.max.bytes": "1048576", "client.rack": "rack-a"}},
    {"name": "c-2", "group": "g2", "topics": ["t"], "configs": {
      "partition.assignment.strategy": "org.apache.kafka.clients.consumer.StickyAssignor"}},
    {"name": "c-3", "group": "g3", "topics": ["t"], "configs": {
      "partition.assignment.strategy": "org.apache.kafka.clients.consumer.CooperativeStickyAssignor"}}
  ],
  "timeline": [{"at_ms": 1000, "console": "kafka-topics --bootstrap-server b:9092 --list"}]
}"#;

const ZOOKEEPER: &str = r#"{
  "version": 1, "seed": 2, "era": "2",
  "cluster": {"brokers": 1, "broker_configs": {"offsets.retention.minutes": "60"}},
  "topics": [{"name": "legacy", "partitions": 1, "replication_factor": 1}],
  "producers": [{"name": "old", "topic": "legacy", "rate_per_sec": 2}],
  "consumers": [{"name": "old-c", "group": "old-g", "topics": ["legacy"]}]
}"#;

/// Names and lines that would break out of comments, strings or docstrings if not escaped.
const HOSTILE: &str = r#"{
  "version": 1, "seed": 3, "title": "quotes \"\"\" and \\ backslash\nimport os; os.system('x')",
  "cluster": {"brokers": 1, "broker_configs": {"log.retention.check.interval.ms": "1000"}},
  "topics": [{"name": "t"}],
  "producers": [{"name": "p\"\"\"\n$(touch /tmp/pwned)", "topic": "t", "rate_per_sec": 1}],
  "consumers": [{"name": "c'; rm -rf /tmp/x; '", "group": "g\nrm -rf /tmp/y", "topics": ["t"]}],
  "timeline": [{"at_ms": 1000, "console": "kafka-topics --bootstrap-server b:9092 --list\nrm -rf /tmp/z"},
               {"at_ms": 2000, "console": "echo 'k:v' | kafka-console-producer --bootstrap-server b:9092 --topic t"}]
}"#;

fn python3_available() -> bool {
    Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// kafka-python, installed from PyPI when missing (CI installs it in scripts/install-tools.sh).
fn ensure_kafka_python() {
    let has = || {
        Command::new("python3")
            .args(["-c", "import kafka"])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if has() {
        return;
    }
    let spec = format!("kafka-python=={KAFKA_PYTHON}");
    let out = Command::new("python3")
        .args(["-m", "pip", "install", "--quiet", &spec])
        .output()
        .expect("run pip");
    assert!(
        out.status.success() && has(),
        "kafka-python is missing and `python3 -m pip install --quiet {spec}` failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn checker() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/export_check.py")
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("scenario-export");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir.join(name)
}

fn run_checker(files: &[PathBuf]) -> (bool, String) {
    let out = Command::new("python3")
        .arg(checker())
        .args(files)
        .output()
        .expect("run python3");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn exported_kafka_python_programs_pass_the_check() {
    if !python3_available() {
        println!("SKIPPED: python3 is not installed, so the kafka-python export cannot be checked");
        return;
    }
    ensure_kafka_python();
    let mut files = Vec::new();
    for (name, s) in fixtures() {
        let path = scratch(&format!("{name}.py"));
        std::fs::write(&path, to_kafka_python(&s)).expect("write program");
        files.push(path);
    }
    let (ok, text) = run_checker(&files);
    assert!(ok, "{text}");
    assert_eq!(text.matches(": OK (").count(), files.len(), "{text}");
    let every = std::fs::read_to_string(&files[4]).expect("read");
    for arg in [
        "transactional_id=\"tx-1\"",
        "compression_type=\"gzip\"",
        "max_in_flight_requests_per_connection=1",
        "group_instance_id=\"c-1-static\"",
        "isolation_level=\"read_committed\"",
        "partition_assignment_strategy=[RoundRobinPartitionAssignor]",
        "partition_assignment_strategy=[StickyPartitionAssignor]",
        "# buffer.memory=1048576 has no kafka-python equivalent",
        "# client.rack=rack-a has no kafka-python equivalent",
        "compression_type=None",
        "acks=0,\n        enable_idempotence=False,",
    ] {
        assert!(every.contains(arg), "missing {arg}:\n{every}");
    }
}

#[test]
fn the_checker_rejects_what_kafka_python_does_not_have() {
    if !python3_available() {
        println!("SKIPPED: python3 is not installed");
        return;
    }
    ensure_kafka_python();
    let good = to_kafka_python(&default_scenario());
    let cases = [
        (
            "bad-arg",
            good.replacen("linger_ms=5", "lingerms=5", 1),
            "KafkaProducer has no argument lingerms",
        ),
        (
            "bad-type",
            good.replacen("enable_idempotence=True", "enable_idempotence=\"yes\"", 1),
            "enable_idempotence='yes'",
        ),
        (
            "bad-import",
            good.replacen(
                "from kafka.admin import NewTopic",
                "from kafka.admin import NewTopics",
                1,
            ),
            "kafka.admin has no NewTopics",
        ),
        (
            "bad-assignor",
            good.replacen(
                "[RangePartitionAssignor, StickyPartitionAssignor]",
                "[RangePartitionAssignor, \"cooperative-sticky\"]",
                1,
            ),
            "is not a kafka-python assignor class",
        ),
        (
            "bad-topic",
            good.replacen("num_partitions=3", "partitions=3", 1),
            "NewTopic has no argument partitions",
        ),
    ];
    for (name, program, expected) in cases {
        assert_ne!(program, good, "{name}: the mutation applied");
        let path = scratch(&format!("{name}.py"));
        std::fs::write(&path, program).expect("write");
        let (ok, text) = run_checker(&[path]);
        assert!(!ok && text.contains(expected), "{name}: {text}");
    }
}

#[test]
fn cli_export_lines_are_accepted_by_kafka_tools_options() {
    for (name, s) in fixtures() {
        let cli = to_kafka_cli(&s);
        let mut tools = 0;
        for line in cli.lines().map(str::trim_start) {
            // Producer lines are `... | bin/kafka-console-producer.sh ...`.
            let line = line.rsplit("| ").next().unwrap_or(line);
            let line = line.trim_end_matches(" &");
            if !line.starts_with("bin/kafka-") {
                continue;
            }
            let argv = kafka_playground::console::parse_script(
                &line.replace("\"$BOOTSTRAP\"", "localhost:9092"),
            )
            .expect("shell words")
            .remove(0)
            .argv;
            let tool = Tool::from_command(&argv[0]).expect("a Kafka tool");
            if let Err(e) = parse_tool_args(tool, &argv[1..]) {
                panic!("{name}: {line}\n{}{}", e.stdout, e.stderr);
            }
            tools += 1;
        }
        // The whole script is valid bash (syntax only; nothing runs).
        if let Ok(out) = Command::new("bash").arg("-n").arg("-c").arg(&cli).output() {
            assert!(
                out.status.success(),
                "{name}: bash -n: {}\n{cli}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let expected = s.topics.len() + s.producers.len() + s.consumers.len();
        assert!(tools >= expected, "{name}: {tools} tool lines\n{cli}");
    }
}

#[test]
fn hostile_names_stay_inside_strings_and_comments() {
    let s = fixtures().remove(6).1;
    let cli = to_kafka_cli(&s);
    for line in cli.lines() {
        assert!(
            !line.starts_with("rm ")
                && !line.starts_with("$(touch")
                && !line.starts_with("import os;"),
            "injected line: {line}\n{cli}"
        );
    }
    assert!(cli.contains("bin/kafka-consumer-groups.sh --bootstrap-server \"$BOOTSTRAP\" --describe --group $'g\\nrm -rf /tmp/y'\n"), "{cli}");
    assert!(cli.contains("# playground only: rm -rf /tmp/z\n"), "{cli}");
    assert!(
        cli.contains(
            "printf '%s' $'k:v\\n' | kafka-console-producer --bootstrap-server b:9092 --topic t\n"
        ),
        "{cli}"
    );
    let py = to_kafka_python(&s);
    assert!(!py.lines().any(|l| l.starts_with("import os;")), "{py}");
    // The Python check (in exported_kafka_python_programs_pass_the_check) compiles this program.
}

#[test]
fn cli_topic_lines_recreate_the_topics_in_the_playground() {
    let s = fixtures().remove(4).1;
    let mut console = kafka_playground::console::Console::new(9);
    for line in to_kafka_cli(&s)
        .lines()
        .filter(|l| l.starts_with("bin/kafka-topics.sh"))
    {
        let r = console.execute(&line.replace("\"$BOOTSTRAP\"", "localhost:9092"));
        assert_eq!(r.code, 0, "{line}: {}", r.stderr);
    }
    let t = console.sim().topic("t").expect("created");
    assert_eq!(t.partitions.len(), 2);
    assert!(t
        .overrides
        .contains(&("retention.ms".to_string(), "60000".to_string())));
    assert!(t
        .overrides
        .contains(&("cleanup.policy".to_string(), "compact,delete".to_string())));
}
