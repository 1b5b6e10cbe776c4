//! Kafka Streams, simulated: a topology of DSL operators (`topology`), the running application
//! as consumer-group members with producers (`processor`), and state stores backed by
//! compacted changelog topics, restored by replaying them (`state_store`).
//!
//! Processing guarantee: at-least-once (`processing.guarantee=at_least_once`, the default).
//! Exactly-once is not modelled (the engine has no transactions yet): after a crash, records
//! processed since the last commit are processed again, and counts can exceed the truth.
//! Record caches are off (`statestore.cache.max.bytes=0`), so every update is forwarded.

pub mod processor;
pub mod state_store;
pub mod topology;
