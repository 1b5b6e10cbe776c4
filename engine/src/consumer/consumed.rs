//! What a consumer's application polled, kept for the console to print.

use super::Consumed;
use crate::ids::TopicPartition;
use crate::log::{MemoryRecords, Record};
use std::collections::VecDeque;

/// How many polled records are kept (the oldest go first).
const CONSUMED_KEPT: usize = 10_000;

/// The last records polled, oldest first: one entry per partition a poll returned, sharing the
/// fetched records (so keeping them costs a reference per batch, not a copy per record).
#[derive(Clone, Debug, Default)]
pub struct ConsumedRecords {
    polls: VecDeque<(TopicPartition, MemoryRecords)>,
    len: usize,
}

impl ConsumedRecords {
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// The records kept, oldest first, with their partitions.
    pub fn iter(&self) -> impl Iterator<Item = (&TopicPartition, &Record)> + '_ {
        self.polls
            .iter()
            .flat_map(|(tp, records)| records.iter().map(move |r| (tp, r)))
    }

    /// Keeps what one poll returned from `tp`, dropping the oldest beyond the bound.
    pub(crate) fn push(&mut self, tp: TopicPartition, records: MemoryRecords) {
        let n = records.len();
        if n == 0 {
            return;
        }
        self.polls.push_back((tp, records));
        self.len += n;
        while self.len > CONSUMED_KEPT {
            let excess = self.len - CONSUMED_KEPT;
            let Some((_, front)) = self.polls.front_mut() else {
                break;
            };
            let front_len = front.len();
            if front_len <= excess {
                self.polls.pop_front();
                self.len -= front_len;
            } else {
                front.split_to(excess);
                self.len -= excess;
            }
        }
    }

    /// Takes every record kept, oldest first.
    pub fn take(&mut self) -> Vec<Consumed> {
        let out = self
            .iter()
            .map(|(tp, record)| Consumed {
                tp: tp.clone(),
                record: record.clone(),
            })
            .collect();
        self.polls.clear();
        self.len = 0;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::{Log, LogConfig, NewRecord};

    #[test]
    fn keeps_the_last_records_polled_across_partitions() {
        let config = LogConfig::default();
        let mut log = Log::new(TopicPartition::new("t", 0), 0);
        let batch = vec![NewRecord::text(0, None, Some("v")); 4_000];
        for _ in 0..3 {
            log.append(batch.clone(), 0, &config).unwrap();
        }
        let read = |from: i64, to: i64| log.read(from, i64::MAX, true, to).unwrap().records;
        let mut kept = ConsumedRecords::default();
        assert!(kept.is_empty());
        kept.push(TopicPartition::new("t", 0), read(0, 4_000));
        kept.push(TopicPartition::new("u", 1), MemoryRecords::default());
        kept.push(TopicPartition::new("t", 0), read(4_000, 8_000));
        assert_eq!(kept.len(), 8_000);
        // 12,000 polled: the first 2,000 go, from the middle of the first poll.
        kept.push(TopicPartition::new("t", 0), read(8_000, 12_000));
        assert_eq!(kept.len(), CONSUMED_KEPT);
        let offsets: Vec<i64> = kept.iter().map(|(_, r)| r.offset()).collect();
        assert_eq!(offsets, (2_000..12_000).collect::<Vec<_>>());
        let taken = kept.take();
        assert_eq!(
            (taken.len(), taken[0].record.offset()),
            (CONSUMED_KEPT, 2_000)
        );
        assert!(kept.is_empty() && kept.iter().next().is_none());
    }
}
