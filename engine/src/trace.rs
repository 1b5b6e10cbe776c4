//! What the engine emits: trace events at simulated times, and a hash over all of them that
//! proves two runs (native and WebAssembly) did exactly the same thing.

use super::error::ErrorCode;
use super::ids::{BrokerId, TopicPartition};
use super::log::DeletionReason;
use super::network::NodeId;
use super::protocol::ApiKey;
use super::time::Millis;
use serde::Serialize;
use smol_str::SmolStr;
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
        client: SmolStr,
        tp: TopicPartition,
        base_offset: i64,
        count: u32,
    },
    ProduceFailed {
        client: SmolStr,
        tp: TopicPartition,
        error: ErrorCode,
        count: u32,
    },
    Consumed {
        client: SmolStr,
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
        /// Why a classic group prepares a rebalance, as the coordinator logs it (with the
        /// member's own reason, KIP-800).
        reason: Option<String>,
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
    // New variants go last: the trace hash covers each event's variant index.
    /// A consumer's commit failed for good: `commitSync()` threw, or auto-commit logged a
    /// warning. `exception` is the Java class's simple name.
    OffsetCommitFailed {
        client: SmolStr,
        group: String,
        exception: SmolStr,
    },
    /// KIP-320: a consumer's position was past the end of its epoch on a new leader (the
    /// records it read there were truncated). `diverging` is the first offset known to
    /// diverge, `None` when the leader knows no such epoch.
    TruncationDetected {
        client: SmolStr,
        tp: TopicPartition,
        position: i64,
        diverging: Option<i64>,
    },
}

/// A 64-bit multiply-rotate hash (FxHash's step on `u64` words): stable, and the same on every
/// platform (`usize` is written as `u64`). Integers take one step each and bytes eight at a
/// time: every event of a long run is hashed (~18 per record in `fast_forward_week`), and the
/// byte-at-a-time FNV-1a used before was ~5% of it.
#[derive(Clone, Debug)]
pub struct StableHasher(u64);

impl Default for StableHasher {
    fn default() -> Self {
        StableHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl StableHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for StableHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    /// Eight bytes at a time; the last word ends with a 0x80 marker, so "a" and "a\0" differ.
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            self.add(u64::from_le_bytes(w.try_into().unwrap_or_default()));
        }
        // The tail word put together in a register: copied into a stack buffer and read back
        // whole, it stalled the CPU's store forwarding (a third of `client_receive` natively).
        let rest = words.remainder();
        let tail = rest
            .iter()
            .enumerate()
            .fold(0x80 << (8 * rest.len()), |word, (i, b)| {
                word | u64::from(*b) << (8 * i)
            });
        self.add(tail);
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u16(&mut self, i: u16) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn write_i8(&mut self, i: i8) {
        self.add(i as u64);
    }

    fn write_i16(&mut self, i: i16) {
        self.add(i as u64);
    }

    fn write_i32(&mut self, i: i32) {
        self.add(i as u64);
    }

    fn write_i64(&mut self, i: i64) {
        self.add(i as u64);
    }

    fn write_isize(&mut self, i: isize) {
        self.add(i as u64);
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
    fn stable_hash_is_platform_free_and_tells_values_apart() {
        let of = |f: &dyn Fn(&mut StableHasher)| {
            let mut h = StableHasher::default();
            f(&mut h);
            h.finish()
        };
        // `usize` and `isize` hash as 64-bit values, so wasm32 and 64-bit hosts agree.
        assert_eq!(of(&|h| h.write_usize(7)), of(&|h| h.write_u64(7)));
        assert_eq!(of(&|h| h.write_isize(-7)), of(&|h| h.write_i64(-7)));
        // Padding the last word cannot make byte strings alike.
        let texts: [&[u8]; 7] = [
            b"",
            b"\0",
            b"a",
            b"a\0",
            b"abcdefgh",
            b"abcdefgh\0",
            b"abcdefghi",
        ];
        for (i, a) in texts.iter().enumerate() {
            for b in &texts[i + 1..] {
                assert_ne!(of(&|h| h.write(a)), of(&|h| h.write(b)), "{a:?} vs {b:?}");
                assert_ne!(of(&|h| a.hash(h)), of(&|h| b.hash(h)), "{a:?} vs {b:?}");
            }
        }
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
