//! The simulation: pure and deterministic. No web, no I/O, no async, no wall clock.
//!
//! A crate of its own (the playground re-exports it as `kafka_playground::engine`): it cannot
//! reach the console or the UI, and the wasm bundle compiles it for speed and the rest for size.
//!
//! `Sim` (sim.rs) owns the world; `Command`s (command.rs) change it; views (view.rs) and the
//! trace (trace.rs) show it. The modules are named after the Kafka concepts they hold.

pub mod admin_election;
pub mod broker;
pub mod client;
pub mod cluster;
pub mod command;
pub mod config;
pub mod connect;
pub mod consumer;
pub mod controller;
pub mod durability;
pub mod embedded;
pub mod error;
mod event_queue;
pub mod faults;
pub mod fetch_session;
pub mod group;
pub mod ids;
pub mod inspect;
pub mod invariants;
#[cfg(test)]
mod leadership_tests;
pub mod log;
pub mod network;
pub mod ordered;
pub mod placement;
pub mod producer;
pub mod producer_ids;
pub mod protocol;
pub mod quorum;
pub mod reassignment;
pub mod replication;
pub mod rng;
pub mod sim;
pub mod streams;
pub mod time;
pub mod topics;
pub mod trace;
pub mod view;
pub mod zookeeper;

pub use cluster::{ClusterSpec, ControllerMode};
pub use command::{Command, Outcome, WorkloadSpec};
pub use error::{ErrorCode, KafkaError};
pub use ids::{BrokerId, TopicPartition};
pub use sim::Sim;
