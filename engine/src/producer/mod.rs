//! Producer client: partitioners, batching, acks, retries, idempotence.

pub mod client;
pub mod partitioner;
pub mod workload;
