//! Replica placement at topic creation: KRaft `StripedReplicaPlacer` and ZooKeeper-era
//! `AdminUtils.assignReplicasToBrokers` (kafka-spec.md §2).
//!
//! Both take their randomness from a [`PlacementRandom`], so the simulation feeds its own seeded
//! PRNG while the tests feed Kafka's `MockRandom` / `java.util.Random` and reproduce Kafka's own
//! test vectors exactly.

pub mod admin_utils;
pub mod java_random;
pub mod striped;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::BrokerId;

pub use admin_utils::{assign_replicas_to_brokers, rack_alternated_broker_list, BrokerMetadata};
pub use java_random::{shuffle, JavaNext, JavaRandom, MockRandom, PlacementRandom};
pub use striped::{place, RackList};

/// A broker the KRaft controller may place replicas on (`BrokerHeartbeatManager.usableBrokers`):
/// every registered broker not in controlled shutdown, flagged fenced or not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsableBroker {
    pub id: BrokerId,
    pub rack: Option<String>,
    pub fenced: bool,
}

/// Which Kafka exception a placement failure is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PlacementErrorKind {
    /// `InvalidReplicationFactorException` / `INVALID_REPLICATION_FACTOR`.
    InvalidReplicationFactor,
    /// `InvalidPartitionsException` / `INVALID_PARTITIONS`.
    InvalidPartitions,
    /// `AdminOperationException` (ZooKeeper-era tools; no wire error code).
    AdminOperation,
}

/// A placement failure with Kafka's exception and message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlacementError {
    pub kind: PlacementErrorKind,
    pub message: String,
}

impl PlacementError {
    pub fn new(kind: PlacementErrorKind, message: impl Into<String>) -> Self {
        PlacementError {
            kind,
            message: message.into(),
        }
    }

    /// The protocol error name (`Errors` enum), as CreateTopics responses carry it.
    pub fn error_name(&self) -> &'static str {
        match self.kind {
            PlacementErrorKind::InvalidReplicationFactor => "INVALID_REPLICATION_FACTOR",
            PlacementErrorKind::InvalidPartitions => "INVALID_PARTITIONS",
            PlacementErrorKind::AdminOperation => "UNKNOWN_SERVER_ERROR",
        }
    }

    /// The Java exception's simple class name.
    pub fn exception_name(&self) -> &'static str {
        match self.kind {
            PlacementErrorKind::InvalidReplicationFactor => "InvalidReplicationFactorException",
            PlacementErrorKind::InvalidPartitions => "InvalidPartitionsException",
            PlacementErrorKind::AdminOperation => "AdminOperationException",
        }
    }
}

impl fmt::Display for PlacementError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PlacementError {}

/// KRaft `ReplicationControlManager.createTopic` for a topic without a manual assignment:
/// validates the request (`-1` = broker default), then runs the striped placer and wraps its
/// failures the way the controller reports them to the client
/// (`Unable to replicate the partition R time(s): ...`).
pub fn create_topic_assignment(
    brokers: &[UsableBroker],
    num_partitions: i32,
    replication_factor: i32,
    default_num_partitions: i32,
    default_replication_factor: i32,
    rng: &mut (impl PlacementRandom + ?Sized),
) -> Result<Vec<Vec<BrokerId>>, PlacementError> {
    if replication_factor < -1 || replication_factor == 0 {
        return Err(PlacementError::new(
            PlacementErrorKind::InvalidReplicationFactor,
            "Replication factor must be larger than 0, or -1 to use the default value.",
        ));
    }
    if num_partitions < -1 || num_partitions == 0 {
        return Err(PlacementError::new(
            PlacementErrorKind::InvalidPartitions,
            "Number of partitions was set to an invalid non-positive value.",
        ));
    }
    let partitions = if num_partitions == -1 {
        default_num_partitions
    } else {
        num_partitions
    };
    let rf = if replication_factor == -1 {
        default_replication_factor
    } else {
        replication_factor
    };
    place(brokers, partitions, rf, rng).map_err(|e| match e.kind {
        PlacementErrorKind::InvalidReplicationFactor => PlacementError::new(
            e.kind,
            format!(
                "Unable to replicate the partition {rf} time(s): {}",
                e.message
            ),
        ),
        _ => e,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brokers(n: i32) -> Vec<UsableBroker> {
        (0..n)
            .map(|id| UsableBroker {
                id,
                rack: None,
                fenced: false,
            })
            .collect()
    }

    #[test]
    fn controller_request_validation() {
        let mut rng = MockRandom::default();
        let e = create_topic_assignment(&brokers(3), 1, 0, 1, 1, &mut rng).unwrap_err();
        assert_eq!(e.error_name(), "INVALID_REPLICATION_FACTOR");
        assert_eq!(
            e.message,
            "Replication factor must be larger than 0, or -1 to use the default value."
        );
        let e = create_topic_assignment(&brokers(3), 0, 1, 1, 1, &mut rng).unwrap_err();
        assert_eq!(e.error_name(), "INVALID_PARTITIONS");
        assert_eq!(
            e.message,
            "Number of partitions was set to an invalid non-positive value."
        );
        let e = create_topic_assignment(&brokers(2), 1, 3, 1, 1, &mut rng).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Unable to replicate the partition 3 time(s): The target replication factor of 3 \
             cannot be reached because only 2 broker(s) are registered."
        );
    }

    #[test]
    fn controller_uses_defaults_for_minus_one() {
        let mut rng = MockRandom::default();
        let a = create_topic_assignment(&brokers(3), -1, -1, 4, 2, &mut rng).unwrap();
        assert_eq!(a.len(), 4);
        assert!(a.iter().all(|r| r.len() == 2 && r[0] != r[1]));
    }
}
