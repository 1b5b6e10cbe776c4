//! The simulation's event queue: events pop in `(time, sequence)` order, earliest first.
//!
//! Most events are due within a second (messages on the wire, fetches waiting, lingering
//! batches): those go into a timing wheel of one slot per millisecond, the rest into a binary
//! heap. Within the wheel's span each slot holds one millisecond's events, in the order they
//! were scheduled, which is their sequence order; so the earliest event is the first one of
//! the first occupied slot, or the heap's top if that is earlier. A heap alone did the same
//! with a sift through ~80 events on every pop: a tenth of a fast-forward's time.

use super::time::Millis;
use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

/// Milliseconds the wheel covers from the last event popped; a power of two.
const SPAN: usize = 1024;
const WORDS: usize = SPAN / 64;

#[derive(Clone, Debug)]
pub(crate) struct EventQueue<E> {
    /// Slot `at % SPAN` holds the events due at `at`, for `base <= at < base + SPAN`.
    slots: Vec<VecDeque<(u64, E)>>,
    /// Which slots hold events, one bit each.
    occupied: [u64; WORDS],
    in_wheel: usize,
    /// The time of the last event popped: no event is earlier.
    base: Millis,
    later: BinaryHeap<Later<E>>,
}

/// An event due beyond the wheel's span when it was scheduled.
#[derive(Clone, Debug)]
struct Later<E> {
    at: Millis,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Later<E> {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}

impl<E> Eq for Later<E> {}

impl<E> Ord for Later<E> {
    /// Reversed: `BinaryHeap` is a max-heap.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

impl<E> PartialOrd for Later<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue {
            slots: (0..SPAN).map(|_| VecDeque::new()).collect(),
            occupied: [0; WORDS],
            in_wheel: 0,
            base: 0,
            later: BinaryHeap::new(),
        }
    }
}

impl<E> EventQueue<E> {
    /// Schedules `event` at `at` (no earlier than the last event popped); `seq` must be
    /// larger than every sequence number scheduled before.
    pub fn push(&mut self, at: Millis, seq: u64, event: E) {
        let at = at.max(self.base);
        if at - self.base < SPAN as Millis {
            let i = slot(at);
            self.slots[i].push_back((seq, event));
            self.occupied[i / 64] |= 1 << (i % 64);
            self.in_wheel += 1;
        } else {
            self.later.push(Later { at, seq, event });
        }
    }

    /// The earliest event's time and sequence number.
    pub fn peek(&self) -> Option<(Millis, u64)> {
        self.earliest().map(|(at, seq, _)| (at, seq))
    }

    /// Takes the earliest event.
    #[cfg(test)]
    fn pop(&mut self) -> Option<(Millis, E)> {
        self.pop_due(Millis::MAX)
    }

    /// Takes the earliest event if it is due by `t`: a look and a take in one.
    pub fn pop_due(&mut self, t: Millis) -> Option<(Millis, E)> {
        let (at, _, wheel_slot) = self.earliest().filter(|(at, _, _)| *at <= t)?;
        let event = match wheel_slot {
            Some(i) => {
                let (_, event) = self.slots[i].pop_front()?;
                if self.slots[i].is_empty() {
                    self.occupied[i / 64] &= !(1 << (i % 64));
                }
                self.in_wheel -= 1;
                event
            }
            None => self.later.pop()?.event,
        };
        self.base = at;
        Some((at, event))
    }

    /// The earliest event's time, sequence number and wheel slot (`None`: the heap's top).
    fn earliest(&self) -> Option<(Millis, u64, Option<usize>)> {
        let wheel = self.first_slot().and_then(|(at, i)| {
            let (seq, _) = self.slots[i].front()?;
            Some((at, *seq, Some(i)))
        });
        let later = self.later.peek().map(|l| (l.at, l.seq, None));
        match (wheel, later) {
            (Some(w), Some(l)) => Some(if (w.0, w.1) < (l.0, l.1) { w } else { l }),
            (w, l) => w.or(l),
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.in_wheel + self.later.len()
    }

    /// The wheel's earliest occupied slot, from `base` on, and its time.
    fn first_slot(&self) -> Option<(Millis, usize)> {
        if self.in_wheel == 0 {
            return None;
        }
        let start = slot(self.base);
        // The first word is looked at twice: from `start` first, and below it last.
        for k in 0..=WORDS {
            let w = (start / 64 + k) % WORDS;
            let mut bits = self.occupied[w];
            if k == 0 {
                bits &= !0 << (start % 64);
            } else if k == WORDS {
                bits &= !(!0 << (start % 64));
            }
            if bits != 0 {
                let i = w * 64 + bits.trailing_zeros() as usize;
                let ahead = (i + SPAN - start) % SPAN;
                return Some((self.base + ahead as Millis, i));
            }
        }
        None
    }
}

fn slot(at: Millis) -> usize {
    at.rem_euclid(SPAN as Millis) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Pops everything, as (time, event).
    fn drain(q: &mut EventQueue<u32>) -> Vec<(Millis, u32)> {
        std::iter::from_fn(|| q.pop()).collect()
    }

    #[test]
    fn earliest_first_and_scheduled_order_within_a_millisecond() {
        let mut q = EventQueue::default();
        q.push(0, 1, 0);
        assert_eq!(q.pop(), Some((0, 0)));
        for (seq, at) in [(2, 30), (3, 5), (4, 30), (5, 5_000), (6, 5)] {
            q.push(at, seq, seq as u32);
        }
        assert_eq!(q.peek(), Some((5, 3)));
        assert_eq!(
            drain(&mut q),
            vec![(5, 3), (5, 6), (30, 2), (30, 4), (5_000, 5)]
        );
        assert_eq!(q.len(), 0);
    }

    #[test]
    fn an_event_from_beyond_the_span_keeps_its_place_among_later_ones_of_its_millisecond() {
        let mut q = EventQueue::default();
        q.push(0, 1, 1);
        q.pop();
        // Scheduled first, for 2 s later: into the heap.
        q.push(2_000, 2, 2);
        q.push(1_500, 3, 3);
        assert_eq!(q.pop(), Some((1_500, 3)));
        // Now within the span, for the same millisecond: after the earlier-scheduled one.
        q.push(2_000, 4, 4);
        assert_eq!(drain(&mut q), vec![(2_000, 2), (2_000, 4)]);
    }

    #[test]
    fn pop_due_leaves_what_is_not_due() {
        let mut q = EventQueue::default();
        q.push(10, 1, 1);
        q.push(5_000, 2, 2);
        assert_eq!(q.pop_due(9), None);
        assert_eq!(q.pop_due(10), Some((10, 1)));
        assert_eq!(q.pop_due(4_999), None);
        assert_eq!(q.len(), 1);
    }

    #[test]
    fn the_wheel_wraps_around() {
        let mut q = EventQueue::default();
        q.push(1_000, 1, 1);
        q.pop();
        q.push(1_000 + SPAN as Millis - 1, 2, 2);
        q.push(1_001, 3, 3);
        assert_eq!(
            drain(&mut q),
            vec![(1_001, 3), (1_000 + SPAN as Millis - 1, 2)]
        );
    }

    proptest! {
        /// Any interleaving of pushes and pops gives the order a sorted list would.
        #[test]
        fn pops_in_time_then_sequence_order(ops in proptest::collection::vec((0u8..4, 0i64..3_000), 1..300)) {
            let mut q = EventQueue::default();
            let mut model: Vec<(Millis, u64)> = Vec::new();
            let (mut now, mut seq) = (0, 0u64);
            for (op, delay) in ops {
                if op == 0 {
                    let popped = q.pop().map(|(at, e)| (at, u64::from(e)));
                    model.sort();
                    let expected = (!model.is_empty()).then(|| model.remove(0));
                    prop_assert_eq!(popped, expected);
                    if let Some((at, _)) = expected {
                        now = at;
                    }
                } else {
                    seq += 1;
                    q.push(now + delay, seq, seq as u32);
                    model.push((now + delay, seq));
                }
                model.sort();
                prop_assert_eq!(q.peek(), model.first().copied());
                prop_assert_eq!(q.len(), model.len());
            }
        }
    }
}
