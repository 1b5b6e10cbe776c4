//! Emulation of Java collection iteration order.
//!
//! Several Kafka tools print rows in the iteration order of a `java.util.HashMap` (group ids,
//! `TopicPartition` rows, topics of a multi-topic describe). To print byte-for-byte what Kafka
//! prints we reproduce that order: bucket index `spread(hash) & (capacity - 1)`, insertion order
//! inside a bucket (resizing keeps the relative order of a bucket's entries). See
//! kafka-cli-formats.md §13.

use crate::ordered;
/// Java's `String.hashCode`: `h = 31 * h + c` over UTF-16 code units, wrapping at 32 bits.
pub fn string_hash_code(s: &str) -> i32 {
    let mut h: i32 = 0;
    for unit in s.encode_utf16() {
        h = h.wrapping_mul(31).wrapping_add(i32::from(unit));
    }
    h
}

/// Kafka 4.0 `TopicPartition.hashCode`: `31 * (31 + partition) + topic.hashCode()`.
pub fn topic_partition_hash_code(topic: &str, partition: i32) -> i32 {
    let result = 31i32.wrapping_add(partition);
    result
        .wrapping_mul(31)
        .wrapping_add(string_hash_code(topic))
}

/// `HashMap.hash`: the key's hash with its high half folded into the low half.
pub fn spread(h: i32) -> i32 {
    h ^ ((h as u32) >> 16) as i32
}

/// `HashMap.tableSizeFor`: the smallest power of two >= `n` (at least 1, at most 2^30).
pub fn table_size_for(n: u32) -> u32 {
    n.clamp(1, 1 << 30).next_power_of_two()
}

/// How a `java.util.HashMap` was constructed; decides its starting capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashMapInit {
    /// `new HashMap<>()`: capacity 16.
    Default,
    /// `new HashMap<>(n)`: capacity `tableSizeFor(n)`.
    WithCapacity(u32),
    /// `new HashMap<>(otherMap)` holding `n` entries: capacity `tableSizeFor(n / 0.75 + 1)`.
    CopyOf(u32),
}

/// The table capacity a `HashMap` ends with after `len` insertions.
pub fn final_capacity(init: HashMapInit, len: u32) -> u32 {
    let mut cap = match init {
        HashMapInit::Default => 16,
        HashMapInit::WithCapacity(n) => table_size_for(n),
        // float ft = s / 0.75f + 1.0f; tableSizeFor((int) ft), computed in integers.
        HashMapInit::CopyOf(n) => table_size_for((n * 4) / 3 + 1),
    };
    // threshold = cap * 0.75; a put that makes size > threshold doubles the table.
    while len > cap * 3 / 4 && cap < (1 << 30) {
        cap *= 2;
    }
    cap
}

/// Iteration order of a `HashMap` whose keys (with their Java hash codes) were inserted in the
/// given order. Returns indices into `hashes`. Duplicate keys are the caller's concern.
pub fn hash_map_order(hashes: &[i32], init: HashMapInit) -> Vec<usize> {
    let cap = final_capacity(init, hashes.len() as u32);
    let mask = cap - 1;
    let mut idx: Vec<usize> = (0..hashes.len()).collect();
    ordered::sort_by_key(&mut idx, |&i| ((spread(hashes[i]) as u32) & mask, i));
    idx
}

/// Orders string keys as a `HashMap<String, _>` built by inserting them in the given order.
pub fn order_strings<S: AsRef<str> + Clone>(keys: &[S], init: HashMapInit) -> Vec<S> {
    let hashes: Vec<i32> = keys.iter().map(|k| string_hash_code(k.as_ref())).collect();
    hash_map_order(&hashes, init)
        .into_iter()
        .map(|i| keys[i].clone())
        .collect()
}

/// Orders `(topic, partition)` keys as a `HashMap<TopicPartition, _>` filled in the given order
/// (e.g. by `Collectors.toMap`, which uses `HashMapInit::Default`).
pub fn order_topic_partitions(keys: &[(String, i32)], init: HashMapInit) -> Vec<(String, i32)> {
    let hashes: Vec<i32> = keys
        .iter()
        .map(|(t, p)| topic_partition_hash_code(t, *p))
        .collect();
    hash_map_order(&hashes, init)
        .into_iter()
        .map(|i| keys[i].clone())
        .collect()
}

/// The partitions listed more than once, as `topic-partition`, in the order of the `HashSet`
/// the tools collect them into (`DeleteRecordsCommand`, `LeaderElectionCommand`).
pub fn duplicate_partitions<'a>(
    partitions: impl IntoIterator<Item = &'a crate::engine::TopicPartition>,
) -> Vec<String> {
    let all: Vec<&crate::engine::TopicPartition> = partitions.into_iter().collect();
    let mut dups: Vec<(String, i32)> = Vec::new();
    for (i, tp) in all.iter().enumerate() {
        let key = (tp.topic.to_string(), tp.partition);
        if all[..i].contains(tp) && !dups.contains(&key) {
            dups.push(key);
        }
    }
    order_topic_partitions(&dups, HashMapInit::Default)
        .into_iter()
        .map(|(t, p)| format!("{t}-{p}"))
        .collect()
}

/// Topic order of `kafka-topics --describe` for several topics (formats §13): the admin client
/// fills `new HashMap<>(n)` with the sorted names, copies it with `new HashMap<>(map)`, then
/// refills a `new HashMap<>(n)` in that order; topics print in the last map's order.
pub fn describe_topics_order<S: AsRef<str> + Clone>(topics: &[S]) -> Vec<S> {
    let mut sorted: Vec<S> = topics.to_vec();
    ordered::sort_by(&mut sorted, |a, b| java_compare(a.as_ref(), b.as_ref()));
    let n = sorted.len() as u32;
    let stage1 = order_strings(&sorted, HashMapInit::WithCapacity(n));
    let stage2 = order_strings(&stage1, HashMapInit::CopyOf(n));
    order_strings(&stage2, HashMapInit::WithCapacity(n))
}

/// Order of topic config entries in `kafka-topics --describe` (`Configs:`): sorted by
/// `(spread(h) & 63, spread(h))` with `h = name.hashCode()` (formats §2.6).
pub fn topic_config_order<T: Clone>(entries: &[(String, T)]) -> Vec<(String, T)> {
    let mut v: Vec<(String, T)> = entries.to_vec();
    ordered::sort_by_key(&mut v, |(name, _)| {
        let s = spread(string_hash_code(name));
        (s & 63, s)
    });
    v
}

/// Java `String.compareTo`: UTF-16 code-unit order.
pub fn java_compare(a: &str, b: &str) -> std::cmp::Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Sorts strings with Java `String.compareTo` (as `TreeMap`/`sorted` would).
pub fn java_sort(v: &mut [String]) {
    ordered::sort_by(v, |a, b| java_compare(a, b));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_hash_codes_match_the_jdk() {
        // kafka-vectors.json coordinator_partition (hash codes from OpenJDK 17).
        let cases = [
            ("my-group", -1906497762),
            ("test-group", 627841412),
            ("group1", -1237460590),
            ("console-consumer-12345", 158455506),
            ("orders-service", 23943117),
            ("payments", 1382682413),
            ("analytics", -1693017210),
            ("", 0),
            ("a", 97),
            ("consumer-group-0", 147483019),
            ("my-transactional-id", -959806496),
            ("tx-1", 3572520),
        ];
        for (s, h) in cases {
            assert_eq!(string_hash_code(s), h, "{s}");
        }
    }

    #[test]
    fn group_ids_iterate_in_the_verified_order() {
        // my-group and console-consumer-12345 share bucket 3, so they keep insertion order.
        let ids = [
            "orders-app",
            "my-group",
            "test-group",
            "console-consumer-12345",
        ];
        let order = order_strings(&ids, HashMapInit::Default);
        assert_eq!(
            order,
            [
                "my-group",
                "console-consumer-12345",
                "orders-app",
                "test-group"
            ]
        );
    }

    #[test]
    fn describe_topic_order_matches_the_verified_examples() {
        assert_eq!(
            describe_topics_order(&["__consumer_offsets", "orders", "test"]),
            ["test", "orders", "__consumer_offsets"]
        );
        assert_eq!(
            describe_topics_order(&["__consumer_offsets", "orders", "payments", "test"]),
            ["orders", "test", "__consumer_offsets", "payments"]
        );
        assert_eq!(
            describe_topics_order(&["payments", "orders"]),
            ["orders", "payments"]
        );
    }

    fn partitions_of(topic: &str, n: i32) -> Vec<i32> {
        let keys: Vec<(String, i32)> = (0..n).map(|p| (topic.to_string(), p)).collect();
        order_topic_partitions(&keys, HashMapInit::Default)
            .into_iter()
            .map(|(_, p)| p)
            .collect()
    }

    #[test]
    fn topic_partition_rows_match_the_verified_orders() {
        assert_eq!(partitions_of("orders", 6), [0, 1, 2, 3, 4, 5]);
        assert_eq!(partitions_of("test", 6), [1, 0, 3, 2, 5, 4]);
        assert_eq!(partitions_of("payments", 6), [4, 3, 5, 0, 2, 1]);
        assert_eq!(partitions_of("orders", 3), [0, 1, 2]);
        assert_eq!(partitions_of("test", 3), [1, 0, 2]);
        assert_eq!(partitions_of("payments", 3), [0, 2, 1]);
    }

    #[test]
    fn topic_config_order_matches_the_global_list() {
        let expected = "compression.type, remote.log.delete.on.disable, leader.replication.throttled.replicas, remote.storage.enable, min.insync.replicas, segment.jitter.ms, remote.log.copy.disable, local.retention.ms, cleanup.policy, flush.ms, follower.replication.throttled.replicas, compression.lz4.level, segment.bytes, retention.ms, compression.gzip.level, flush.messages, compression.zstd.level, max.compaction.lag.ms, file.delete.delay.ms, max.message.bytes, min.compaction.lag.ms, message.timestamp.type, local.retention.bytes, preallocate, min.cleanable.dirty.ratio, index.interval.bytes, unclean.leader.election.enable, retention.bytes, delete.retention.ms, message.timestamp.after.max.ms, message.timestamp.before.max.ms, segment.ms, segment.index.bytes";
        let expected: Vec<&str> = expected.split(", ").collect();
        let mut shuffled: Vec<(String, ())> =
            expected.iter().rev().map(|s| (s.to_string(), ())).collect();
        shuffled.sort();
        let got: Vec<String> = topic_config_order(&shuffled)
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(got, expected);
        // The cross-checked real output.
        let real = [
            ("unclean.leader.election.enable".to_string(), "false"),
            ("retention.ms".to_string(), "604800000"),
            ("segment.bytes".to_string(), "1073741824"),
            ("cleanup.policy".to_string(), "delete"),
            ("min.insync.replicas".to_string(), "2"),
        ];
        let joined: Vec<String> = topic_config_order(&real)
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        assert_eq!(
            joined.join(","),
            "min.insync.replicas=2,cleanup.policy=delete,segment.bytes=1073741824,retention.ms=604800000,unclean.leader.election.enable=false"
        );
    }

    #[test]
    fn capacity_growth_follows_java() {
        assert_eq!(final_capacity(HashMapInit::WithCapacity(3), 3), 4);
        assert_eq!(final_capacity(HashMapInit::WithCapacity(4), 4), 8);
        assert_eq!(final_capacity(HashMapInit::Default, 12), 16);
        assert_eq!(final_capacity(HashMapInit::Default, 13), 32);
        assert_eq!(final_capacity(HashMapInit::CopyOf(3), 3), 8);
    }

    #[test]
    fn java_compare_sorts_uppercase_then_underscore_then_lowercase() {
        let mut v = vec![
            "orders".to_string(),
            "__consumer_offsets".to_string(),
            "Zeta".to_string(),
        ];
        java_sort(&mut v);
        assert_eq!(v, ["Zeta", "__consumer_offsets", "orders"]);
    }
}
