//! What the engine emits: trace events at simulated times, and a hash over all of them that
//! proves two runs (native and WebAssembly) did exactly the same thing.

use super::error::ErrorCode;
use super::ids::{BrokerId, TopicPartition};
use super::log::DeletionReason;
use super::network::NodeId;
use super::protocol::ApiKey;
use super::time::Millis;
use serde::Serialize;
use std::collections::VecDeque;
use std::hash::{Hash, Hasher};

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum TraceEvent {
    /// A command from the user (console, UI, scenario).
    Command {
        text: String,
    },
    TopicCreated {
        topic: String,
        replicas: Vec<Vec<BrokerId>>,
    },
    TopicDeleted {
        topic: String,
    },
    PartitionsAdded {
        topic: String,
        total: i32,
    },
    ConfigChanged {
        entity: String,
        name: String,
        value: Option<String>,
    },
    MessageSent {
        id: u64,
        api: ApiKey,
        from: NodeId,
        to: NodeId,
        lost: bool,
    },
    Appended {
        tp: TopicPartition,
        broker: BrokerId,
        first_offset: i64,
        last_offset: i64,
    },
    HighWatermark {
        tp: TopicPartition,
        broker: BrokerId,
        hw: i64,
    },
    SegmentRolled {
        tp: TopicPartition,
        broker: BrokerId,
        base_offset: i64,
    },
    SegmentsDeleted {
        tp: TopicPartition,
        broker: BrokerId,
        base_offsets: Vec<i64>,
        reason: DeletionReason,
        log_start_offset: i64,
    },
    Compacted {
        tp: TopicPartition,
        broker: BrokerId,
        removed: u64,
    },
    ProduceAcked {
        client: String,
        tp: TopicPartition,
        base_offset: i64,
        count: u32,
    },
    ProduceFailed {
        client: String,
        tp: TopicPartition,
        error: ErrorCode,
        count: u32,
    },
    Consumed {
        client: String,
        tp: TopicPartition,
        first_offset: i64,
        last_offset: i64,
    },
    OffsetReset {
        client: String,
        tp: TopicPartition,
        from: i64,
        to: i64,
        policy: String,
    },
    OffsetsCommitted {
        group: String,
        offsets: Vec<(TopicPartition, i64)>,
    },
    OffsetsExpired {
        group: String,
        partitions: Vec<TopicPartition>,
    },
    GroupState {
        group: String,
        from: String,
        to: String,
    },
    MemberJoined {
        group: String,
        member: String,
    },
    MemberRemoved {
        group: String,
        member: String,
        reason: String,
    },
    Rebalanced {
        group: String,
        generation: i32,
        protocol: String,
        assignment: Vec<(String, Vec<TopicPartition>)>,
    },
    ClientStarted {
        client: String,
        kind: String,
    },
    BrokerState {
        broker: BrokerId,
        state: String,
    },
    IsrChanged {
        tp: TopicPartition,
        isr: Vec<BrokerId>,
        reason: String,
    },
    LeaderElected {
        tp: TopicPartition,
        leader: Option<BrokerId>,
        epoch: i32,
        unclean: bool,
    },
    Truncated {
        tp: TopicPartition,
        broker: BrokerId,
        to: i64,
    },
    /// A record acknowledged to a producer is gone from the partition (acks=1, unclean election).
    AckedRecordLost {
        tp: TopicPartition,
        offset: i64,
        acks: i16,
        cause: String,
    },
    ClientStopped {
        client: String,
    },
    /// A request or its response was lost and the sender's timeout expired.
    RequestTimedOut {
        from: NodeId,
        to: NodeId,
    },
    /// A network fault was applied or healed.
    NetworkChanged {
        change: String,
    },
    /// A controller quorum (KRaft) or ZooKeeper-era controller change.
    ControllerState {
        node: NodeId,
        state: String,
        epoch: i32,
    },
    /// The guarantee checker found a violation.
    Violation {
        guarantee: String,
        detail: String,
    },
    /// Connect and Streams: rows, connectors, processors (see `embedded::FlowEvent`).
    Flow(super::embedded::FlowEvent),
}

/// FNV-1a, 64-bit: tiny, stable, and the same on every platform (`usize` is written as `u64`).
#[derive(Clone, Debug)]
pub struct StableHasher(u64);

impl Default for StableHasher {
    fn default() -> Self {
        StableHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for StableHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= *b as u64;
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn write_usize(&mut self, i: usize) {
        self.write(&(i as u64).to_le_bytes());
    }

    fn write_isize(&mut self, i: isize) {
        self.write(&(i as i64).to_le_bytes());
    }
}

/// How many recent events the trace keeps for views; the hash covers all of them.
pub const TRACE_CAPACITY: usize = 20_000;

#[derive(Clone, Debug, Default)]
pub struct Trace {
    recent: VecDeque<(Millis, u64, TraceEvent)>,
    hasher: StableHasher,
    count: u64,
}

impl Trace {
    pub fn record(&mut self, at: Millis, event: TraceEvent) {
        at.hash(&mut self.hasher);
        event.hash(&mut self.hasher);
        self.count += 1;
        if self.recent.len() == TRACE_CAPACITY {
            self.recent.pop_front();
        }
        self.recent.push_back((at, self.count, event));
    }

    /// The running hash of every event so far.
    pub fn hash(&self) -> u64 {
        self.hasher.finish()
    }

    /// Events recorded so far (including ones no longer kept).
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Recent events as (time, sequence number, event), oldest first.
    pub fn recent(&self) -> impl DoubleEndedIterator<Item = &(Millis, u64, TraceEvent)> {
        self.recent.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_depends_on_time_and_event() {
        let ev = || TraceEvent::Command { text: "a".into() };
        let mut a = Trace::default();
        let mut b = Trace::default();
        a.record(1, ev());
        b.record(1, ev());
        assert_eq!(a.hash(), b.hash());
        let mut c = Trace::default();
        c.record(2, ev());
        assert_ne!(a.hash(), c.hash());
    }

    #[test]
    fn fnv1a_known_value() {
        // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c (published test vector).
        let mut h = StableHasher::default();
        h.write(b"a");
        assert_eq!(h.finish(), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn keeps_a_bounded_window() {
        let mut t = Trace::default();
        for i in 0..(TRACE_CAPACITY as i64 + 5) {
            t.record(i, TraceEvent::ClientStopped { client: "c".into() });
        }
        assert_eq!(t.recent().count(), TRACE_CAPACITY);
        assert_eq!(t.count(), TRACE_CAPACITY as u64 + 5);
        assert_eq!(t.recent().next().map(|e| e.0), Some(5));
    }
}
