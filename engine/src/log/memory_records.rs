//! Records as runs that share their storage: what a read returns, a fetch response carries and
//! a follower appends (Kafka's `MemoryRecords`).
//!
//! A run is the records of one append: a leader's produce batch, or part of one. A segment
//! holds its records as runs too, so a read hands out the runs it covers whole (a reference
//! count each) and a follower stores the very runs it fetched: a record is built once, by the
//! leader, and its replicas and consumers share it. Only a run cut by a read's bounds or a
//! truncation is copied, and then only the part that is kept.

use super::record::Record;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// The records of one append, in offset order.
pub(crate) type Run = Arc<[Record]>;

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
                *run = Arc::from(&run[cut..]);
            }
        }
    }

    /// Adds `range` of `run`: the run itself when the range covers it, else a copy of the part.
    pub(crate) fn push_part(&mut self, run: &Run, range: Range<usize>) {
        if range.is_empty() {
            return;
        }
        self.runs.push(if range.len() == run.len() {
            Arc::clone(run)
        } else {
            Arc::from(&run[range])
        });
    }

    /// The records, copied out (each still shares its body).
    pub fn to_vec(&self) -> Vec<Record> {
        self.cloned_into(Vec::with_capacity(self.len()))
    }

    /// `out` with the records added, run by run (one slice copy each rather than a walk
    /// through a flattening iterator).
    pub fn cloned_into<C: Extend<Record>>(&self, mut out: C) -> C {
        for run in &self.runs {
            out.extend(run.iter().cloned());
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

impl From<Vec<Record>> for MemoryRecords {
    fn from(records: Vec<Record>) -> MemoryRecords {
        let runs = if records.is_empty() {
            Vec::new()
        } else {
            vec![Run::from(records)]
        };
        MemoryRecords { runs }
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
    fn a_whole_run_is_shared_and_a_part_is_copied() {
        let a = run(0..3);
        let mut m = MemoryRecords::default();
        m.push_part(&a, 0..3);
        m.push_part(&a, 1..2);
        m.push_part(&a, 2..2);
        assert_eq!(offsets(&m), vec![0, 1, 2, 1]);
        let runs = m.into_runs();
        assert_eq!(runs.len(), 2, "an empty part adds no run");
        assert!(Arc::ptr_eq(&runs[0], &a));
        assert!(!Arc::ptr_eq(&runs[1], &a));
        assert!(
            runs[1][0].shares_payload_with(&a[1]),
            "a copied part still shares bodies"
        );
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
