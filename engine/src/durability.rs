//! The durability ledger: every record acknowledged to a producer, and the check that it is still
//! in its partition. Kafka really loses acknowledged records with acks=1 when a leader dies
//! before its followers copy them, and with unclean leader election; this is how the
//! playground shows it.

use super::ids::TopicPartition;
use super::log::NewRecord;
use super::sim::Sim;
use super::time::Millis;
use super::trace::{StableHasher, TraceEvent};
use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};
use std::hash::Hasher;

/// How many acknowledged records the ledger remembers per partition (oldest forgotten first).
const LEDGER_PER_PARTITION: usize = 100_000;
/// How many losses are kept for views.
const LOSSES_KEPT: usize = 1_000;

/// An acknowledged record: a fingerprint of its value (what a loss check compares; keeping
/// the value itself cost a copy of every payload) and the acks it was written with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Acked {
    pub value: u64,
    pub acks: i16,
}

/// A 64-bit fingerprint of the value, null told apart from empty (the trace's stable hash:
/// eight bytes a step, since every acknowledged record is fingerprinted on the producer's path).
fn fingerprint(value: Option<&[u8]>) -> u64 {
    let Some(v) = value else {
        return 0;
    };
    let mut h = StableHasher::default();
    h.write_usize(v.len());
    h.write(v);
    h.finish()
}

/// Acknowledged records that are gone, as one contiguous range.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Loss {
    pub at: Millis,
    pub tp: TopicPartition,
    pub first_offset: i64,
    pub last_offset: i64,
    pub acks: i16,
    pub cause: String,
}

/// A partition's acknowledged records by offset, oldest first. Acks arrive almost always in
/// offset order, so an entry is nearly always appended (a search tree cost a lookup per record).
#[derive(Clone, Debug, Default)]
struct AckedOffsets(VecDeque<(i64, Acked)>);

impl AckedOffsets {
    fn position(&self, offset: i64) -> Result<usize, usize> {
        self.0.binary_search_by_key(&offset, |(o, _)| *o)
    }

    /// Remembers `offset` (a later ack of the same offset, after a truncation, replaces it),
    /// forgetting the oldest beyond [`LEDGER_PER_PARTITION`].
    fn insert(&mut self, offset: i64, acked: Acked) {
        match self.0.back() {
            Some((last, _)) if *last >= offset => match self.position(offset) {
                Ok(i) => self.0[i].1 = acked,
                Err(i) => self.0.insert(i, (offset, acked)),
            },
            _ => self.0.push_back((offset, acked)),
        }
        while self.0.len() > LEDGER_PER_PARTITION {
            self.0.pop_front();
        }
    }

    fn remove(&mut self, offset: i64) {
        if let Ok(i) = self.position(offset) {
            self.0.remove(i);
        }
    }

    /// Entries at or above `start`, in offset order.
    fn from(&self, start: i64) -> impl Iterator<Item = &(i64, Acked)> {
        let at = self.position(start).unwrap_or_else(|i| i);
        self.0.range(at..)
    }
}

#[derive(Clone, Debug, Default)]
pub struct Ledger {
    acked: BTreeMap<TopicPartition, AckedOffsets>,
    losses: Vec<Loss>,
    /// Losses found since the start (the list keeps the last `LOSSES_KEPT`).
    losses_total: usize,
}

impl Sim {
    /// Remembers records a producer was told are written (acks=1 or all).
    pub(crate) fn note_acknowledged(
        &mut self,
        tp: &TopicPartition,
        base: i64,
        records: &[NewRecord],
        acks: i16,
    ) {
        if acks == 0 || base < 0 {
            return;
        }
        let entries = self.ledger.acked.entry(tp.clone()).or_default();
        for (i, r) in records.iter().enumerate() {
            entries.insert(
                base + i as i64,
                Acked {
                    value: fingerprint(r.value.as_deref().map(str::as_bytes)),
                    acks,
                },
            );
        }
    }

    /// A deleted topic's acknowledged records went with it, as the user asked: a new topic of
    /// the same name starts with none (its offsets start again from 0).
    pub(crate) fn forget_acknowledged(&mut self, topic: &str) {
        self.ledger.acked.retain(|tp, _| &*tp.topic != topic);
    }

    /// After a leader change: every acknowledged record at or above the new leader's log start
    /// must still be in its log with the same value; the ones that are not were lost.
    pub(crate) fn check_acknowledged(&mut self, tp: &TopicPartition, cause: &str) {
        // Compaction removes older values of a key by design: that is not a loss.
        if self.log_config(&tp.topic).cleanup_policy.compact {
            return;
        }
        let lost = self.missing_acknowledged(tp);
        if lost.is_empty() {
            return;
        }
        if let Some(entries) = self.ledger.acked.get_mut(tp) {
            for (o, _) in &lost {
                entries.remove(*o);
            }
        }
        // Report contiguous ranges.
        let mut ranges: Vec<(i64, i64, i16)> = Vec::new();
        for (o, acks) in lost {
            match ranges.last_mut() {
                Some((_, last, a)) if *last + 1 == o && *a == acks => *last = o,
                _ => ranges.push((o, o, acks)),
            }
        }
        for (first, last, acks) in ranges {
            self.record(TraceEvent::AckedRecordLost {
                tp: tp.clone(),
                offset: first,
                acks,
                cause: format!(
                    "{} record(s) up to offset {last}: {cause}",
                    last - first + 1
                ),
            });
            let loss = Loss {
                at: self.now,
                tp: tp.clone(),
                first_offset: first,
                last_offset: last,
                acks,
                cause: cause.to_string(),
            };
            if self.ledger.losses.len() == LOSSES_KEPT {
                self.ledger.losses.remove(0);
            }
            self.ledger.losses.push(loss);
            self.ledger.losses_total += 1;
        }
    }

    /// Acknowledged offsets (with their acks) that the leader's log no longer holds as written.
    fn missing_acknowledged(&self, tp: &TopicPartition) -> Vec<(i64, i16)> {
        let Some(leader) = self.cluster.leader_of(tp) else {
            return Vec::new();
        };
        let Some(replica) = self.replica(leader, tp) else {
            return Vec::new();
        };
        let Some(entries) = self.ledger.acked.get(tp) else {
            return Vec::new();
        };
        let start = replica.log.log_start_offset();
        let mut stored = replica.log.iter_from(start).peekable();
        let mut lost = Vec::new();
        for (offset, acked) in entries.from(start) {
            while stored.peek().is_some_and(|r| r.offset() < *offset) {
                stored.next();
            }
            let same = stored
                .peek()
                .is_some_and(|r| r.offset() == *offset && fingerprint(r.value()) == acked.value);
            if !same {
                lost.push((*offset, acked.acks));
            }
        }
        lost
    }

    /// Acknowledged records found lost so far (most recent last).
    /// How many acknowledged-record losses were found since the start.
    pub fn acked_loss_count(&self) -> usize {
        self.ledger.losses_total
    }

    pub fn acked_losses(&self) -> &[Loss] {
        &self.ledger.losses
    }
}

#[cfg(test)]
mod tests {
    use super::{fingerprint, Acked, AckedOffsets, LEDGER_PER_PARTITION};

    fn acked(value: u64) -> Acked {
        Acked { value, acks: 1 }
    }

    #[test]
    fn acked_offsets_stay_in_order_whatever_order_acks_arrive_in() {
        let mut a = AckedOffsets::default();
        for o in [5, 6, 9, 7, 8, 1, 6] {
            a.insert(o, acked(o as u64 * 10));
        }
        // 6 was acknowledged twice (a truncation reused it): the later ack is kept.
        let all: Vec<i64> = a.from(0).map(|(o, _)| *o).collect();
        assert_eq!(all, vec![1, 5, 6, 7, 8, 9]);
        assert_eq!(
            a.from(7).map(|(o, _)| *o).collect::<Vec<_>>(),
            vec![7, 8, 9]
        );
        assert_eq!(a.from(2).next().map(|(o, _)| *o), Some(5));
        a.remove(8);
        a.remove(42);
        assert_eq!(a.from(7).map(|(o, _)| *o).collect::<Vec<_>>(), vec![7, 9]);
    }

    #[test]
    fn acked_offsets_forget_the_oldest_beyond_the_limit() {
        let mut a = AckedOffsets::default();
        let n = LEDGER_PER_PARTITION as i64 + 10;
        for o in 0..n {
            a.insert(o, acked(0));
        }
        assert_eq!(a.from(0).count(), LEDGER_PER_PARTITION);
        assert_eq!(a.from(0).next().map(|(o, _)| *o), Some(10));
    }

    #[test]
    fn fingerprints_tell_values_apart() {
        let values: [Option<&[u8]>; 8] = [
            None,
            Some(b""),
            Some(b"\0"),
            Some(b"a"),
            Some(b"producer-0-1"),
            Some(b"producer-0-2"),
            Some(b"producer-0-12345678"),
            Some(b"producer-0-12345679"),
        ];
        for (i, a) in values.iter().enumerate() {
            assert_eq!(fingerprint(*a), fingerprint(*a));
            for b in &values[i + 1..] {
                assert_ne!(fingerprint(*a), fingerprint(*b), "{a:?} vs {b:?}");
            }
        }
    }
}
