//! Finding a group's coordinator: `abs(hashCode(group.id)) % offsets.topic.num.partitions`.
//!
//! The coordinator is the leader of that `__consumer_offsets` partition
//! (`GroupCoordinatorService#partitionFor`). The transaction coordinator uses the same formula on
//! `transactional.id` over `transaction.state.log.num.partitions`.

/// Java's `String.hashCode`: `s[0]*31^(n-1) + … + s[n-1]` over UTF-16 code units, wrapping at
/// 32 bits. Characters outside the BMP count as two code units (a surrogate pair), as in Java.
pub fn java_string_hash_code(s: &str) -> i32 {
    s.encode_utf16().fold(0i32, |h, unit| {
        h.wrapping_mul(31).wrapping_add(i32::from(unit))
    })
}

/// Kafka's `Utils.abs`: `Math.abs`, except `Integer.MIN_VALUE` maps to 0 (Java's `Math.abs`
/// would return it unchanged, still negative).
pub fn kafka_abs(n: i32) -> i32 {
    if n == i32::MIN {
        0
    } else {
        n.abs()
    }
}

/// The `__consumer_offsets` partition that holds `group_id`'s state; its leader is the group's
/// coordinator. `num_partitions` is `offsets.topic.num.partitions` (default 50). Returns `None`
/// for 0 partitions, which Kafka's config validation forbids (it must be at least 1).
pub fn partition_for(group_id: &str, num_partitions: u32) -> Option<u32> {
    if num_partitions == 0 {
        return None;
    }
    Some(kafka_abs(java_string_hash_code(group_id)) as u32 % num_partitions)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn coordinator_partition_vectors() {
        let f: Value =
            serde_json::from_str(include_str!("../../../tests/fixtures/coordinator.json"))
                .expect("fixture parses");
        let vectors = f["coordinator_partition"]["vectors"]
            .as_array()
            .expect("vectors");
        assert_eq!(vectors.len(), 12);
        for v in vectors {
            let id = v["group_id"].as_str().expect("id");
            assert_eq!(
                i64::from(java_string_hash_code(id)),
                v["java_string_hashcode"].as_i64().expect("hash"),
                "{id}"
            );
            assert_eq!(
                i64::from(partition_for(id, 50).expect("50")),
                v["partition_n50"].as_i64().expect("n50"),
                "{id}"
            );
            assert_eq!(
                i64::from(partition_for(id, 3).expect("3")),
                v["partition_n3"].as_i64().expect("n3"),
                "{id}"
            );
        }
    }

    #[test]
    fn utils_abs_of_min_value_is_zero() {
        assert_eq!(kafka_abs(i32::MIN), 0);
        assert_eq!(kafka_abs(-5), 5);
        assert_eq!(partition_for("x", 0), None);
    }

    #[test]
    fn hash_counts_utf16_code_units() {
        // "é" is one UTF-16 unit (0xE9); "😀" is the surrogate pair D83D DE00.
        assert_eq!(java_string_hash_code("é"), 0xE9);
        assert_eq!(java_string_hash_code("😀"), 0xD83D * 31 + 0xDE00);
    }
}
