//! Records as runs that share their storage: what a read returns, a fetch response carries and
//! a follower appends (Kafka's `MemoryRecords`).
//!
//! A run is the records of one append (a leader's produce batch), or a part of them. A
//! segment holds its records as runs too, so a read hands out the runs it covers (a reference
//! count each) and a follower stores the very runs it fetched: a record is built once, by the
//! leader, and its replicas and consumers share it. A run cut by a read's bounds, a
//! truncation or a poll is a narrower view of the same records, not a copy.

use super::record::Record;
use std::fmt;
use std::ops::{Deref, Range};
use std::sync::Arc;

/// Records of one append, in offset order: a lone record (a one-record batch, stored as it is:
/// an allocation for it alone would cost more than the record), or `start..end` of a shared
/// allocation. Both fit in a record's 32 bytes.
#[derive(Clone)]
pub(crate) enum Run {
    One(Record),
    Part {
        records: Arc<[Record]>,
        start: u32,
        end: u32,
    },
}

impl Run {
    /// `range` of this run's records, sharing them.
    pub(crate) fn part(&self, range: Range<usize>) -> Run {
        // Within this run, whatever the range (the callers' ranges always are).
        let from = range.start.min(self.len());
        let to = range.end.clamp(from, self.len());
        match self {
            _ if from == 0 && to == self.len() => self.clone(),
            Run::One(_) => Run::from(Vec::new()),
            Run::Part { records, start, .. } => Run::Part {
                records: Arc::clone(records),
                start: start + from as u32,
                end: start + to as u32,
            },
        }
    }

    /// Whether both are views of the same stored records.
    #[cfg(test)]
    pub(crate) fn shares_records_with(&self, other: &Run) -> bool {
        match (self, other) {
            (Run::Part { records: a, .. }, Run::Part { records: b, .. }) => Arc::ptr_eq(a, b),
            (Run::One(a), Run::One(b)) => a.shares_payload_with(b),
            _ => false,
        }
    }
}

impl From<Arc<[Record]>> for Run {
    fn from(records: Arc<[Record]>) -> Run {
        // A batch holds at most `i32::MAX` records (its offset deltas are i32).
        let end = u32::try_from(records.len()).unwrap_or(u32::MAX);
        Run::Part {
            records,
            start: 0,
            end,
        }
    }
}

impl Run {
    /// `records` as a run: a lone record as it is, more in one allocation of the right size
    /// (their count is known).
    pub(crate) fn collect(mut records: impl ExactSizeIterator<Item = Record>) -> Run {
        match (records.len(), records.next()) {
            (1, Some(one)) => Run::One(one),
            (_, first) => Run::from(first.into_iter().chain(records).collect::<Arc<[Record]>>()),
        }
    }
}

impl From<Vec<Record>> for Run {
    fn from(records: Vec<Record>) -> Run {
        Run::collect(records.into_iter())
    }
}

impl Deref for Run {
    type Target = [Record];

    fn deref(&self) -> &[Record] {
        match self {
            Run::One(record) => std::slice::from_ref(record),
            Run::Part {
                records,
                start,
                end,
            } => &records[*start as usize..*end as usize],
        }
    }
}

impl PartialEq for Run {
    fn eq(&self, other: &Run) -> bool {
        **self == **other
    }
}

impl Eq for Run {}

impl fmt::Debug for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Records in offset order, held as shared runs.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct MemoryRecords {
    runs: Vec<Run>,
}

impl MemoryRecords {
    /// Every record, in order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Record> + '_ {
        self.runs.iter().flat_map(|run| run.iter())
    }

    pub fn len(&self) -> usize {
        self.runs.iter().map(|run| run.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    pub fn first(&self) -> Option<&Record> {
        self.runs.first()?.first()
    }

    pub fn last(&self) -> Option<&Record> {
        self.runs.last()?.last()
    }

    /// Drops the records below `offset` (those a fetcher skips in a batch it asked for from
    /// the middle, or a follower already has).
    pub fn retain_from(&mut self, offset: i64) {
        let whole = self
            .runs
            .partition_point(|run| run.last().is_some_and(|r| r.offset() < offset));
        self.runs.drain(..whole);
        if let Some(run) = self.runs.first_mut() {
            let cut = run.partition_point(|r| r.offset() < offset);
            if cut > 0 {
                *run = run.part(cut..run.len());
            }
        }
    }

    /// Takes the first `n` records (all of them if fewer) off the front.
    pub fn split_to(&mut self, n: usize) -> MemoryRecords {
        let mut taken = MemoryRecords::default();
        let mut left = n;
        let whole = self
            .runs
            .iter()
            .take_while(|run| {
                let fits = run.len() <= left;
                if fits {
                    left -= run.len();
                }
                fits
            })
            .count();
        taken.runs.extend(self.runs.drain(..whole));
        if let Some(run) = self.runs.first_mut().filter(|_| left > 0) {
            taken.runs.push(run.part(0..left));
            *run = run.part(left..run.len());
        }
        taken
    }

    /// Adds `range` of `run` (nothing if it is empty).
    pub(crate) fn push_part(&mut self, run: &Run, range: Range<usize>) {
        if range.is_empty() {
            return;
        }
        self.runs.push(run.part(range));
    }

    /// The records, copied out (each still shares its body).
    pub fn to_vec(&self) -> Vec<Record> {
        let mut out = Vec::with_capacity(self.len());
        for run in &self.runs {
            out.extend_from_slice(run);
        }
        out
    }

    pub(crate) fn runs(&self) -> &[Run] {
        &self.runs
    }

    /// The runs, to be stored as they are.
    pub(crate) fn into_runs(self) -> Vec<Run> {
        self.runs
    }
}

impl From<Run> for MemoryRecords {
    /// A list never holds an empty run: `is_empty`, `first` and `last` rely on it.
    fn from(run: Run) -> MemoryRecords {
        let runs = if run.is_empty() {
            Vec::new()
        } else {
            vec![run]
        };
        MemoryRecords { runs }
    }
}

impl From<Vec<Record>> for MemoryRecords {
    fn from(records: Vec<Record>) -> MemoryRecords {
        Run::from(records).into()
    }
}

impl fmt::Debug for MemoryRecords {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::record::RecordParts;
    use crate::log::{NewRecord, TimestampType};

    fn run(offsets: Range<i64>) -> Run {
        let new = NewRecord::text(0, None, Some("v"));
        let parts = offsets.map(|offset| RecordParts {
            offset,
            timestamp: 0,
            timestamp_type: TimestampType::CreateTime,
            offset_delta: 0,
            size_in_batch: 0,
            record: &new,
            producer: None,
        });
        Record::build_batch(parts.collect::<Vec<_>>()).into()
    }

    fn offsets(m: &MemoryRecords) -> Vec<i64> {
        m.iter().map(Record::offset).collect()
    }

    #[test]
    fn a_run_is_no_larger_than_a_record() {
        assert_eq!(std::mem::size_of::<Run>(), std::mem::size_of::<Record>());
        let one = Run::from(run(4..5).to_vec());
        assert!(matches!(one, Run::One(_)) && one[0].offset() == 4);
        assert!(one.part(0..1).shares_records_with(&one) && one.part(1..1).is_empty());
    }

    #[test]
    fn parts_are_views_of_the_same_records() {
        let a = run(0..3);
        let mut m = MemoryRecords::default();
        m.push_part(&a, 0..3);
        m.push_part(&a, 1..2);
        m.push_part(&a, 2..2);
        assert_eq!(offsets(&m), vec![0, 1, 2, 1]);
        let runs = m.into_runs();
        assert_eq!(runs.len(), 2, "an empty part adds no run");
        assert!(runs.iter().all(|r| r.shares_records_with(&a)));
        assert_eq!(a.part(1..3).part(1..2)[0].offset(), 2, "a part of a part");
        assert!(a.part(2..9).len() == 1 && a.part(5..9).is_empty());
    }

    #[test]
    fn split_to_takes_whole_runs_then_part_of_the_next() {
        let mut m = MemoryRecords::default();
        for r in [run(0..3), run(3..6)] {
            m.push_part(&r, 0..r.len());
        }
        let front = m.split_to(4);
        assert_eq!(
            (offsets(&front), offsets(&m)),
            (vec![0, 1, 2, 3], vec![4, 5])
        );
        assert!(front.runs()[1].shares_records_with(&m.runs()[0]));
        let exact = m.split_to(2);
        assert_eq!((offsets(&exact), m.is_empty()), (vec![4, 5], true));
        assert!(m.split_to(3).is_empty() && exact.clone().split_to(0).is_empty());
    }

    #[test]
    fn retain_from_drops_whole_runs_then_cuts_the_first() {
        let mut m = MemoryRecords::default();
        for r in [run(0..3), run(3..6), run(6..9)] {
            m.push_part(&r, 0..r.len());
        }
        m.retain_from(4);
        assert_eq!(offsets(&m), vec![4, 5, 6, 7, 8]);
        assert_eq!((m.len(), m.first().map(Record::offset)), (5, Some(4)));
        m.retain_from(9);
        assert!(m.is_empty() && m.last().is_none());
        let mut from_vec = MemoryRecords::from(run(0..2).to_vec());
        from_vec.retain_from(0);
        assert_eq!(offsets(&from_vec), vec![0, 1]);
        assert!(MemoryRecords::from(Vec::new()).is_empty());
    }
}
