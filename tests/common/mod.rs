//! Setup shared by the engine's integration tests.

use kafka_playground::engine::{ClusterSpec, Command, Sim};
use std::collections::BTreeMap;

/// A KRaft cluster of `brokers` with Kafka's defaults, seed 7.
pub fn sim(brokers: u32) -> Sim {
    Sim::new(
        7,
        ClusterSpec {
            brokers,
            ..ClusterSpec::default()
        },
    )
    .expect("cluster")
}

/// `kafka-topics --create` with the broker's placement and no configs.
pub fn create_topic(s: &mut Sim, name: &str, partitions: i32, rf: i16) {
    s.apply(Command::CreateTopic {
        name: name.into(),
        partitions: Some(partitions),
        replication_factor: Some(rf),
        configs: BTreeMap::new(),
        assignment: None,
    })
    .expect("topic");
}

/// Runs until the idempotent producer `name` has its producer id: its first records wait for
/// the `InitProducerId` answer (and so share a batch), the ones sent after go at once.
pub fn await_producer_id(s: &mut Sim, name: &str) {
    use kafka_playground::engine::client::Client;
    let has_id =
        |s: &Sim| matches!(s.client(name), Some(Client::Producer(p)) if p.producer_id >= 0);
    assert!(s.run_while(5_000, has_id), "{name} got no producer id");
}
