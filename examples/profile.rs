use kafka_playground::engine::{ClusterSpec, Command, Sim, WorkloadSpec};
use std::collections::BTreeMap;
fn main() {
    let mut s = Sim::new(1, ClusterSpec::default()).unwrap();
    s.apply(Command::CreateTopic {
        name: "t".into(),
        partitions: Some(6),
        replication_factor: Some(3),
        configs: BTreeMap::new(),
        assignment: None,
    })
    .unwrap();
    s.apply(Command::StartProducer {
        name: "p".into(),
        configs: BTreeMap::new(),
        workload: Some(WorkloadSpec {
            topic: "t".into(),
            records_per_sec: 20,
            keys: None,
            max_records: None,
        }),
    })
    .unwrap();
    for c in ["c1", "c2"] {
        s.apply(Command::StartConsumer {
            name: c.into(),
            group: Some("g".into()),
            topics: vec!["t".into()],
            assign: vec![],
            start_offsets: BTreeMap::new(),
            configs: BTreeMap::new(),
            process_time_ms: 0,
        })
        .unwrap();
    }
    let t = std::time::Instant::now();
    let mut steps = 0u64;
    while s.now() < 60_000 && s.step() {
        steps += 1;
    }
    println!(
        "steps {steps} trace {} in {:?}",
        s.trace().count(),
        t.elapsed()
    );
    let mut kinds: BTreeMap<String, u64> = BTreeMap::new();
    for (_, _, e) in s.trace().recent() {
        let k = format!("{e:?}");
        let k = k
            .split(|c: char| c == ' ' || c == '{')
            .next()
            .unwrap()
            .to_string();
        *kinds.entry(k).or_default() += 1;
    }
    println!("{kinds:?}");
}
