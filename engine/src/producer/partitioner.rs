//! Partitioners: murmur2 keyed partitioning, the built-in uniform sticky partitioner (KIP-794), round-robin.
//!
//! Ports of `Utils.murmur2`/`Utils.toPositive`, `BuiltInPartitioner` and `RoundRobinPartitioner`
//! from the Java client. Randomness is never drawn here: the caller owns the engine's PRNG and
//! hands in a closure that is called only when Kafka would draw a random number.

use std::collections::BTreeMap;

/// Kafka's murmur2 (MurmurHash2, 32-bit, little-endian word reads, seed `0x9747b28c`).
///
/// Returns the hash as Java's signed `int`; all arithmetic wraps like Java's.
pub fn murmur2(data: &[u8]) -> i32 {
    const SEED: u32 = 0x9747_b28c;
    const M: u32 = 0x5bd1_e995;
    const R: u32 = 24;

    let length = data.len();
    // Java takes `data.length` as an int; keys longer than 2 GiB cannot occur in a producer.
    let mut h: u32 = SEED ^ (length as u32);

    let mut chunks = data.chunks_exact(4);
    for chunk in &mut chunks {
        let mut k = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M);
        h ^= k;
    }

    // The tail, as Java's fall-through switch: 3 bytes left → all three lines run.
    let tail = chunks.remainder();
    if tail.len() >= 3 {
        h ^= u32::from(tail[2]) << 16;
    }
    if tail.len() >= 2 {
        h ^= u32::from(tail[1]) << 8;
    }
    if !tail.is_empty() {
        h ^= u32::from(tail[0]);
        h = h.wrapping_mul(M);
    }

    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^= h >> 15;
    h as i32
}

/// `Utils.toPositive`: clears the sign bit. This is a mask, **not** `Math.abs` (which would map
/// negative hashes to different partitions).
pub fn to_positive(number: i32) -> i32 {
    number & 0x7fff_ffff
}

/// `BuiltInPartitioner.partitionForKey`: `toPositive(murmur2(key)) % numPartitions`.
///
/// `num_partitions` is the count of **all** partitions of the topic (available or not). Returns
/// `None` for a topic without partitions, where Java would divide by zero.
pub fn partition_for_key(key: &[u8], num_partitions: u32) -> Option<u32> {
    if num_partitions == 0 {
        return None;
    }
    Some(to_positive(murmur2(key)) as u32 % num_partitions)
}

/// Picks uniformly among `available` partitions (those with a leader), or among all
/// `num_partitions` when none is available: Kafka's fallback in both partitioners.
fn pick_uniform(random: u32, available: &[u32], num_partitions: u32) -> Option<u32> {
    let random = to_positive(random as i32) as u32;
    if !available.is_empty() {
        // `available.len()` fits u32: it is a list of partition numbers of one topic.
        let index = random % available.len() as u32;
        available.get(index as usize).copied()
    } else if num_partitions > 0 {
        Some(random % num_partitions)
    } else {
        None
    }
}

/// The current sticky partition of a topic and the bytes produced to it so far
/// (`BuiltInPartitioner.StickyPartitionInfo`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StickyPartitionInfo {
    pub partition: u32,
    pub produced_bytes: u64,
}

/// Adaptive-partitioning statistics: a cumulative frequency table over the partitions that have
/// a leader (`BuiltInPartitioner.PartitionLoadStats`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionLoadStats {
    pub cumulative_frequency_table: Vec<u32>,
    pub partition_ids: Vec<u32>,
}

impl PartitionLoadStats {
    /// Maps a random number to a partition: the first index whose running sum is strictly
    /// greater than `random % total`.
    pub fn pick(&self, random: u32) -> Option<u32> {
        let total = *self.cumulative_frequency_table.last()?;
        if total == 0 {
            return None;
        }
        let weighted = (to_positive(random as i32) as u32) % total;
        let index = self
            .cumulative_frequency_table
            .partition_point(|&running| running <= weighted);
        self.partition_ids.get(index).copied()
    }
}

/// Kafka 3.3+'s partitioner for records without a key (KIP-794 "uniform sticky", with adaptive
/// partitioning). One instance per topic, as in the Java client's `RecordAccumulator.TopicInfo`.
///
/// Workflow per null-key record, mirroring `RecordAccumulator.append`:
/// 1. [`peek_current_partition`](Self::peek_current_partition) names the partition to append to;
/// 2. the caller appends the record there;
/// 3. [`update_partition_info`](Self::update_partition_info) counts the bytes and maybe switches,
///    with `enable_switch` = "the partition's last queued batch is full" after the append.
///
/// [`partition_for_null_key`](Self::partition_for_null_key) runs all three steps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuiltInPartitioner {
    sticky_batch_size: u64,
    sticky: Option<StickyPartitionInfo>,
    load_stats: Option<PartitionLoadStats>,
}

impl BuiltInPartitioner {
    /// `batch_size` is the producer's `batch.size`; the sticky batch size is `max(1, batch.size)`
    /// as in `KafkaProducer` (a `batch.size` of 0 would otherwise never switch).
    pub fn new(batch_size: u32) -> Self {
        BuiltInPartitioner {
            sticky_batch_size: u64::from(batch_size.max(1)),
            sticky: None,
            load_stats: None,
        }
    }

    /// The current sticky partition, if one has been chosen.
    pub fn current(&self) -> Option<&StickyPartitionInfo> {
        self.sticky.as_ref()
    }

    /// The adaptive-partitioning statistics, if any are in force.
    pub fn load_stats(&self) -> Option<&PartitionLoadStats> {
        self.load_stats.as_ref()
    }

    /// `nextPartition`: draws the next sticky partition. With load stats, weighted by inverted
    /// queue sizes; without, uniformly over available partitions (or all, if none is available).
    /// The same partition may be drawn again (unlike KIP-480).
    pub fn next_partition(
        &self,
        random: u32,
        available: &[u32],
        num_partitions: u32,
    ) -> Option<u32> {
        match &self.load_stats {
            Some(stats) => stats.pick(random),
            None => pick_uniform(random, available, num_partitions),
        }
    }

    /// `peekCurrentPartitionInfo`: the sticky partition, drawing one (calling `random` once) when
    /// there is none yet. `None` only when the topic has no partitions.
    pub fn peek_current_partition(
        &mut self,
        available: &[u32],
        num_partitions: u32,
        random: &mut dyn FnMut() -> u32,
    ) -> Option<u32> {
        if let Some(info) = &self.sticky {
            return Some(info.partition);
        }
        let partition = self.next_partition(random(), available, num_partitions)?;
        self.sticky = Some(StickyPartitionInfo {
            partition,
            produced_bytes: 0,
        });
        Some(partition)
    }

    /// `updatePartitionInfo`: adds `appended_bytes` to the sticky partition and switches once it
    /// reached `batch.size` bytes if `enable_switch` (the last batch is full), or `2 × batch.size`
    /// regardless. Returns the new partition when it switched.
    pub fn update_partition_info(
        &mut self,
        appended_bytes: u32,
        enable_switch: bool,
        available: &[u32],
        num_partitions: u32,
        random: &mut dyn FnMut() -> u32,
    ) -> Option<u32> {
        let info = self.sticky.as_mut()?;
        info.produced_bytes = info
            .produced_bytes
            .saturating_add(u64::from(appended_bytes));
        let produced = info.produced_bytes;
        let size = self.sticky_batch_size;
        if (produced >= size && enable_switch) || produced >= size.saturating_mul(2) {
            let partition = self.next_partition(random(), available, num_partitions)?;
            self.sticky = Some(StickyPartitionInfo {
                partition,
                produced_bytes: 0,
            });
            return Some(partition);
        }
        None
    }

    /// One null-key record of `record_size` bytes: picks the partition, lets `append` put the
    /// record there (it returns whether the partition's last batch is full afterwards), then
    /// counts the bytes and maybe switches. Returns the partition the record went to.
    pub fn partition_for_null_key(
        &mut self,
        record_size: u32,
        available: &[u32],
        num_partitions: u32,
        random: &mut dyn FnMut() -> u32,
        append: impl FnOnce(u32) -> bool,
    ) -> Option<u32> {
        let partition = self.peek_current_partition(available, num_partitions, random)?;
        let last_batch_full = append(partition);
        self.update_partition_info(
            record_size,
            last_batch_full,
            available,
            num_partitions,
            random,
        );
        Some(partition)
    }

    /// `updatePartitionLoadStats`, called from the accumulator's ready check.
    ///
    /// `queue_sizes[i]` is the number of queued batches of partition `partition_ids[i]`, for the
    /// partitions with a leader; `included` is how many leading entries were not excluded by
    /// `partitioner.availability.timeout.ms`; `num_partitions` is the topic's partition count.
    /// Pass `queue_sizes = None` when adaptive partitioning is off or not every partition has a
    /// batch queue yet (Java's `null`). Load stats are dropped (uniform choice) with fewer than 2
    /// partitions, or when all queues are equal and none was excluded.
    pub fn update_partition_load_stats(
        &mut self,
        queue_sizes: Option<&[u32]>,
        partition_ids: &[u32],
        included: usize,
    ) -> Result<(), String> {
        let Some(queue_sizes) = queue_sizes else {
            self.load_stats = None;
            return Ok(());
        };
        if queue_sizes.len() != partition_ids.len() || included > queue_sizes.len() {
            return Err(format!(
                "partition load stats need one queue size per partition id and at most that many \
                 included entries; got {} queue sizes, {} partition ids, {} included",
                queue_sizes.len(),
                partition_ids.len(),
                included
            ));
        }
        if included < 1 || queue_sizes.len() < 2 {
            self.load_stats = None;
            return Ok(());
        }
        self.load_stats = cumulative_frequency_table(&queue_sizes[..included], queue_sizes.len())
            .map(|cft| PartitionLoadStats {
                cumulative_frequency_table: cft,
                partition_ids: partition_ids[..included].to_vec(),
            });
        Ok(())
    }
}

/// Builds the cumulative frequency table from queue sizes: weights `(max + 1) - q`, running sum.
/// `None` when all sizes are equal and nothing was excluded (`total_len == sizes.len()`), where
/// Kafka falls back to the uniform choice. Example: `[0,3,1]` → weights `[4,1,3]` → `[4,5,8]`.
pub fn cumulative_frequency_table(queue_sizes: &[u32], total_len: usize) -> Option<Vec<u32>> {
    let first = *queue_sizes.first()?;
    let all_equal = queue_sizes.iter().all(|&q| q == first);
    if all_equal && queue_sizes.len() == total_len {
        return None;
    }
    let max_plus_one = u64::from(queue_sizes.iter().copied().max().unwrap_or(0)) + 1;
    let mut running: u64 = 0;
    let mut table = Vec::with_capacity(queue_sizes.len());
    for &q in queue_sizes {
        running += max_plus_one - u64::from(q);
        // Queue sizes are batch counts; a table past u32 cannot happen with real memory limits.
        table.push(u32::try_from(running).unwrap_or(u32::MAX));
    }
    Some(table)
}

/// `org.apache.kafka.clients.producer.RoundRobinPartitioner`: ignores keys; a per-topic counter
/// starting at 0 picks `available[toPositive(counter++) % available.len()]` (or among all
/// partitions when none is available).
///
/// The producer calls `partition()` a second time when the first choice needed a new batch
/// (`onNewBatch`). Up to 3.9 that second call advanced the counter again, so every other
/// partition was skipped (KAFKA-9965 / KAFKA-16283: with an even partition count only half the
/// partitions got data). 4.0 fixed it (KAFKA-17632): `onNewBatch` remembers the partition and
/// the repeat call returns it. `skip_bug` selects the old behaviour.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoundRobinPartitioner {
    counters: BTreeMap<String, u32>,
    pending: BTreeMap<String, Vec<u32>>,
    skip_bug: bool,
}

impl RoundRobinPartitioner {
    /// The fixed 4.0 behaviour.
    pub fn new() -> Self {
        RoundRobinPartitioner::default()
    }

    /// The ≤3.9 behaviour, where the repeated `partition()` call after `onNewBatch` skips one.
    pub fn with_skip_bug() -> Self {
        RoundRobinPartitioner {
            skip_bug: true,
            ..RoundRobinPartitioner::default()
        }
    }

    /// `partition(topic, ...)`. `None` only when the topic has no partitions.
    pub fn partition(
        &mut self,
        topic: &str,
        available: &[u32],
        num_partitions: u32,
    ) -> Option<u32> {
        if let Some(queue) = self.pending.get_mut(topic) {
            if !queue.is_empty() {
                let partition = queue.remove(0);
                if queue.is_empty() {
                    self.pending.remove(topic);
                }
                return Some(partition);
            }
        }
        let counter = self.counters.entry(topic.to_string()).or_insert(0);
        let value = *counter;
        *counter = counter.wrapping_add(1);
        pick_uniform(value, available, num_partitions)
    }

    /// `onNewBatch(topic, cluster, prevPartition)`: the record chosen for `prev_partition` needed
    /// a new batch and `partition()` will be asked again.
    pub fn on_new_batch(&mut self, topic: &str, prev_partition: u32) {
        if !self.skip_bug {
            self.pending
                .entry(topic.to_string())
                .or_default()
                .push(prev_partition);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn fixture() -> Value {
        serde_json::from_str(include_str!("../../../tests/fixtures/partitioner.json"))
            .expect("fixture parses")
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len() / 2)
            .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex"))
            .collect()
    }

    #[test]
    fn murmur2_vectors() {
        let f = fixture();
        let vectors = f["murmur2_partitioner"]["vectors"]
            .as_array()
            .expect("vectors");
        assert!(vectors.len() >= 19);
        for v in vectors {
            let key = hex(v["key_hex"].as_str().expect("key_hex"));
            if let Some(s) = v["key_utf8"].as_str() {
                assert_eq!(s.as_bytes(), &key[..]);
            }
            let h = murmur2(&key);
            assert_eq!(
                i64::from(h),
                v["murmur2_signed"].as_i64().expect("signed"),
                "{v}"
            );
            assert_eq!(
                i64::from(to_positive(h)),
                v["to_positive"].as_i64().expect("to_positive")
            );
            for (n, expected) in v["partition"].as_object().expect("partition") {
                let n: u32 = n.parse().expect("n");
                assert_eq!(
                    i64::from(partition_for_key(&key, n).expect("n > 0")),
                    expected.as_i64().expect("p"),
                    "key {v} n {n}"
                );
            }
            // The abs() trap: Kafka masks; abs gives these (different) answers.
            for (n, wrong) in v["wrong_if_using_abs"].as_object().expect("wrong") {
                let n: i64 = n.parse().expect("n");
                let abs = i64::from(h).abs() % n;
                assert_eq!(abs, wrong.as_i64().expect("w"));
            }
        }
    }

    #[test]
    fn zero_partitions_is_none() {
        assert_eq!(partition_for_key(b"k", 0), None);
        assert_eq!(pick_uniform(5, &[], 0), None);
    }

    #[test]
    fn adaptive_cft_vectors() {
        let f = fixture();
        let a = &f["builtin_partitioner_adaptive"];
        let to_vec = |v: &Value| -> Vec<u32> {
            v.as_array()
                .expect("array")
                .iter()
                .map(|x| x.as_u64().expect("u64") as u32)
                .collect()
        };
        let queue_sizes = to_vec(&a["queue_sizes"]);
        let cft = to_vec(&a["cumulative_frequency_table"]);
        let expected_freq = to_vec(&a["expected_frequency_per_21_sequential_randoms_0_to_20"]);
        let ids: Vec<u32> = (0..queue_sizes.len() as u32).collect();

        let mut p = BuiltInPartitioner::new(16384);
        p.update_partition_load_stats(Some(&queue_sizes), &ids, ids.len())
            .expect("ok");
        let stats = p.load_stats().expect("stats");
        assert_eq!(stats.cumulative_frequency_table, cft);
        let mut freq = vec![0u32; queue_sizes.len()];
        for r in 0..21 {
            let part = p.next_partition(r, &ids, 5).expect("part");
            freq[part as usize] += 1;
        }
        assert_eq!(freq, expected_freq);

        let c = &a["comment_example"];
        let sizes = to_vec(&c["queue_sizes"]);
        assert_eq!(
            cumulative_frequency_table(&sizes, sizes.len()),
            Some(to_vec(&c["cft"]))
        );
        let stats = PartitionLoadStats {
            cumulative_frequency_table: to_vec(&c["cft"]),
            partition_ids: vec![0, 1, 2],
        };
        let picks: Vec<u32> = (0..8).map(|r| stats.pick(r).expect("pick")).collect();
        assert_eq!(picks, vec![0, 0, 0, 0, 1, 2, 2, 2]);
    }

    #[test]
    fn equal_queues_fall_back_to_uniform_unless_some_excluded() {
        let mut p = BuiltInPartitioner::new(100);
        p.update_partition_load_stats(Some(&[2, 2, 2]), &[0, 1, 2], 3)
            .expect("ok");
        assert!(p.load_stats().is_none());
        // One partition excluded by the availability timeout: adaptive logic stays on.
        p.update_partition_load_stats(Some(&[2, 2, 2]), &[0, 2, 1], 2)
            .expect("ok");
        let stats = p.load_stats().expect("stats");
        assert_eq!(stats.cumulative_frequency_table, vec![1, 2]);
        assert_eq!(stats.partition_ids, vec![0, 2]);
        // Fewer than two partitions: no stats.
        p.update_partition_load_stats(Some(&[4]), &[0], 1)
            .expect("ok");
        assert!(p.load_stats().is_none());
        assert!(p
            .update_partition_load_stats(Some(&[1, 2]), &[0], 1)
            .is_err());
    }

    #[test]
    fn sticky_switches_between_one_and_two_batch_sizes() {
        let mut randoms = [7u32, 1, 2].into_iter();
        let mut rng = move || randoms.next().unwrap_or(0);
        let available = [0, 1, 2];
        let mut p = BuiltInPartitioner::new(100);
        // First record draws 7 % 3 = 1.
        let first = p.partition_for_null_key(60, &available, 3, &mut rng, |_| false);
        assert_eq!(first, Some(1));
        // 120 bytes ≥ batch.size but the last batch isn't full: stay.
        assert_eq!(
            p.partition_for_null_key(60, &available, 3, &mut rng, |_| false),
            Some(1)
        );
        assert_eq!(p.current().map(|c| c.produced_bytes), Some(120));
        // 180 bytes, last batch full now: switch (random 1 → partition 1 again, allowed).
        assert_eq!(
            p.partition_for_null_key(60, &available, 3, &mut rng, |_| true),
            Some(1)
        );
        assert_eq!(
            p.current(),
            Some(&StickyPartitionInfo {
                partition: 1,
                produced_bytes: 0
            })
        );
        // 2 × batch.size forces the switch even when not full.
        assert_eq!(
            p.partition_for_null_key(200, &available, 3, &mut rng, |_| false),
            Some(1)
        );
        assert_eq!(p.current().map(|c| c.partition), Some(2));
    }

    #[test]
    fn no_available_partition_picks_among_all() {
        let mut p = BuiltInPartitioner::new(10);
        let mut rng = || 0xffff_ffffu32; // toPositive → 0x7fffffff
        assert_eq!(
            p.peek_current_partition(&[], 4, &mut rng),
            Some(0x7fff_ffff % 4)
        );
        let mut p = BuiltInPartitioner::new(10);
        assert_eq!(p.peek_current_partition(&[5, 9], 12, &mut rng), Some(9));
    }

    #[test]
    fn round_robin_fixed_and_buggy() {
        let avail = [0, 1, 2, 3];
        // 4.0: each record asks twice when it opens a new batch; the repeat returns the same.
        let mut fixed = RoundRobinPartitioner::new();
        let mut seen = Vec::new();
        for _ in 0..4 {
            let p = fixed.partition("t", &avail, 4).expect("p");
            fixed.on_new_batch("t", p);
            seen.push(fixed.partition("t", &avail, 4).expect("p"));
        }
        assert_eq!(seen, vec![0, 1, 2, 3]);

        let mut buggy = RoundRobinPartitioner::with_skip_bug();
        let mut seen = Vec::new();
        for _ in 0..4 {
            let p = buggy.partition("t", &avail, 4).expect("p");
            buggy.on_new_batch("t", p);
            seen.push(buggy.partition("t", &avail, 4).expect("p"));
        }
        assert_eq!(seen, vec![1, 3, 1, 3]);

        // Counters are per topic; no available partitions falls back to all.
        assert_eq!(fixed.partition("other", &[], 3), Some(0));
        assert_eq!(fixed.partition("other", &[], 3), Some(1));
        assert_eq!(fixed.partition("none", &[], 0), None);
    }
}
