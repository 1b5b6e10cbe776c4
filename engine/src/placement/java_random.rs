//! Java's random sources and collection orderings, ported bit for bit.
//!
//! Kafka's placement code draws from `java.util.Random` (tests: `MockRandom`), shuffles with
//! `Collections.shuffle` and iterates a `HashMap`. Reproducing Kafka's own test vectors needs all
//! three exactly; the simulation can still plug its own PRNG in through [`PlacementRandom`].

use crate::ordered;
/// The random source the placers need: Java's `Random#nextInt(int bound)` contract.
///
/// `Collections.shuffle` is built on top of it ([`shuffle`]), so a simulation PRNG only has to
/// provide this one method.
pub trait PlacementRandom {
    /// A uniform value in `[0, bound)`. `bound` is always positive when Kafka's algorithms call
    /// it; implementations return 0 for a non-positive bound instead of failing.
    fn next_int(&mut self, bound: i32) -> i32;
}

impl<R: PlacementRandom + ?Sized> PlacementRandom for &mut R {
    fn next_int(&mut self, bound: i32) -> i32 {
        (**self).next_int(bound)
    }
}

/// `java.util.Collections.shuffle(list, rnd)` for a `RandomAccess` list: walk from the end and
/// swap each slot with a random earlier-or-same one.
pub fn shuffle<T>(list: &mut [T], rng: &mut (impl PlacementRandom + ?Sized)) {
    let mut i = list.len();
    while i > 1 {
        // i <= list.len(), which comes from a Vec a user built; clamp to i32 like Java's int size.
        let bound = i32::try_from(i).unwrap_or(i32::MAX);
        let j = usize::try_from(rng.next_int(bound)).unwrap_or(0).min(i - 1);
        list.swap(i - 1, j);
        i -= 1;
    }
}

/// The `protected int next(int bits)` primitive every `java.util.Random` subclass overrides.
/// The provided methods are `Random`'s own algorithms on top of it (JDK 17, unchanged since 1.2).
pub trait JavaNext {
    /// Up to 32 pseudo-random bits, returned as Java's `(int)` of the generator output.
    fn next(&mut self, bits: u32) -> i32;

    /// `Random#nextInt()`.
    fn next_int_unbounded(&mut self) -> i32 {
        self.next(32)
    }

    /// `Random#nextInt(int bound)`: the power-of-two fast path, else rejection sampling so that
    /// every value is equally likely.
    fn next_int_bounded(&mut self, bound: i32) -> i32 {
        if bound <= 0 {
            return 0;
        }
        let mut r = self.next(31);
        let m = bound - 1;
        if bound & m == 0 {
            ((i64::from(bound) * i64::from(r)) >> 31) as i32
        } else {
            let mut u = r;
            loop {
                r = u % bound;
                // Java: `u - r + m < 0` in int arithmetic, i.e. the addition overflowed.
                if u.wrapping_sub(r).wrapping_add(m) >= 0 {
                    return r;
                }
                u = self.next(31);
            }
        }
    }

    /// `Random#nextLong()`: two 32-bit draws, the second added as a signed int.
    fn next_long(&mut self) -> i64 {
        (i64::from(self.next(32)) << 32).wrapping_add(i64::from(self.next(32)))
    }
}

/// `java.util.Random`: the 48-bit linear congruential generator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JavaRandom {
    seed: u64,
}

impl JavaRandom {
    const MULTIPLIER: u64 = 0x5_DEEC_E66D;
    const ADDEND: u64 = 0xB;
    const MASK: u64 = (1 << 48) - 1;

    /// `new Random(seed)`.
    pub fn new(seed: i64) -> Self {
        let mut r = JavaRandom { seed: 0 };
        r.set_seed(seed);
        r
    }

    /// `Random#setSeed`: the seed is scrambled with the multiplier.
    pub fn set_seed(&mut self, seed: i64) {
        self.seed = (seed as u64 ^ Self::MULTIPLIER) & Self::MASK;
    }
}

impl JavaNext for JavaRandom {
    fn next(&mut self, bits: u32) -> i32 {
        self.seed = self
            .seed
            .wrapping_mul(Self::MULTIPLIER)
            .wrapping_add(Self::ADDEND)
            & Self::MASK;
        (self.seed >> (48 - bits.min(32))) as i32
    }
}

impl PlacementRandom for JavaRandom {
    fn next_int(&mut self, bound: i32) -> i32 {
        self.next_int_bounded(bound)
    }
}

/// Kafka's test `org.apache.kafka.server.util.MockRandom`: overrides only `next(bits)` with a
/// 64-bit LCG (`state = state * 2862933555777941757 + 3037000493`, top `bits` bits returned);
/// `nextInt(bound)` and `Collections.shuffle` are `Random`'s algorithms on top. Kafka's tests
/// use `new MockRandom()`, whose state starts at 17.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MockRandom {
    state: u64,
}

impl MockRandom {
    pub fn new(state: i64) -> Self {
        MockRandom {
            state: state as u64,
        }
    }
}

impl Default for MockRandom {
    /// `new MockRandom()` = `new MockRandom(17)`.
    fn default() -> Self {
        MockRandom::new(17)
    }
}

impl JavaNext for MockRandom {
    fn next(&mut self, bits: u32) -> i32 {
        self.state = self
            .state
            .wrapping_mul(2_862_933_555_777_941_757)
            .wrapping_add(3_037_000_493);
        (self.state >> (64 - bits.clamp(1, 32))) as i32
    }
}

impl PlacementRandom for MockRandom {
    fn next_int(&mut self, bound: i32) -> i32 {
        self.next_int_bounded(bound)
    }
}

/// `String.hashCode()`: `31*h + c` over UTF-16 code units, 32-bit wrapping.
pub fn java_string_hash(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(i32::from(c)))
}

/// `Optional<String>.hashCode()`: the value's hash, 0 when empty.
pub fn java_optional_string_hash(s: Option<&str>) -> i32 {
    s.map_or(0, java_string_hash)
}

/// Iteration order of a `new HashMap<>()` (default capacity 16, load factor 0.75) after the
/// given keys were inserted in order: bucket `spread(h) & (cap - 1)` ascending, insertion order
/// within a bucket. Returns indexes into `hashes`. (Tree bins, used only when one bucket holds 8+
/// keys in a table of 64+, are not modelled; rack counts never get there.)
pub fn java_hashmap_iteration_order(hashes: &[i32]) -> Vec<usize> {
    let mut cap: usize = 16;
    // HashMap resizes when size exceeds 0.75 * capacity.
    while hashes.len() > cap / 4 * 3 {
        cap *= 2;
    }
    let spread = |h: i32| (h ^ ((h as u32) >> 16) as i32) as u32 as usize;
    let mut order: Vec<usize> = (0..hashes.len()).collect();
    ordered::sort_by_key(&mut order, |&i| (spread(hashes[i]) & (cap - 1), i));
    order
}

/// `String.compareTo`: UTF-16 code-unit order (not Rust's byte/char order).
pub fn java_string_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_random_matches_jdk_sequences() {
        // new Random(42).nextInt() x3 and nextInt(10) x5, values printed by OpenJDK.
        let mut r = JavaRandom::new(42);
        assert_eq!(r.next_int_unbounded(), -1170105035);
        assert_eq!(r.next_int_unbounded(), 234785527);
        assert_eq!(r.next_int_unbounded(), -1360544799);
        let mut r = JavaRandom::new(42);
        let v: Vec<i32> = (0..5).map(|_| r.next_int(10)).collect();
        assert_eq!(v, vec![0, 3, 8, 4, 0]);
        // new Random(0).nextLong()
        assert_eq!(JavaRandom::new(0).next_long(), -4962768465676381896);
    }

    #[test]
    fn rejection_path_and_mock_random_match_jdk() {
        // Values printed by OpenJDK 17 (bound 2^30+1 rejects about half of the draws).
        let mut r = JavaRandom::new(123);
        let v: Vec<i32> = (0..8).map(|_| r.next_int((1 << 30) + 1)).collect();
        assert_eq!(
            v,
            vec![
                509477450, 647624789, 543942795, 555943837, 348355565, 154440637, 574781585,
                520972416
            ]
        );
        let mut r = JavaRandom::new(-7);
        let v: Vec<i32> = (0..3).map(|_| r.next_int(i32::MAX)).collect();
        assert_eq!(v, vec![577934662, 1935951297, 1445645590]);
        let mut m = MockRandom::default();
        let v: Vec<i32> = (0..8).map(|_| m.next_int(7)).collect();
        assert_eq!(v, vec![5, 2, 1, 5, 3, 0, 5, 2]);
        let mut m = MockRandom::new(17);
        assert_eq!(m.next_int_unbounded(), -1553064625);
        assert_eq!(m.next_long(), -5925232848214446534);
        assert_eq!(m.next_int(1 << 20), 945349);
    }

    #[test]
    fn power_of_two_bound_uses_high_bits() {
        // new Random(42).nextInt(16) = (16 * next(31)) >> 31; next(31) = -1170105035 >>> 1 as int.
        let mut a = JavaRandom::new(42);
        let mut b = JavaRandom::new(42);
        let r = b.next(31);
        assert_eq!(a.next_int(16), ((16i64 * i64::from(r)) >> 31) as i32);
        assert_eq!(JavaRandom::new(42).next_int(16), 11);
    }

    #[test]
    fn bounded_results_stay_in_range() {
        let mut r = MockRandom::default();
        for bound in [1, 2, 3, 5, 7, 1000, i32::MAX] {
            for _ in 0..50 {
                let v = r.next_int(bound);
                assert!((0..bound).contains(&v), "{v} not in 0..{bound}");
            }
        }
        assert_eq!(r.next_int(0), 0);
        assert_eq!(r.next_int(-4), 0);
    }

    #[test]
    fn shuffle_is_a_permutation_and_matches_java() {
        // Collections.shuffle([0..10), new Random(1)) on OpenJDK 17.
        let mut v: Vec<i32> = (0..10).collect();
        shuffle(&mut v, &mut JavaRandom::new(1));
        assert_eq!(v, vec![6, 9, 7, 8, 4, 2, 0, 3, 1, 5]);
    }

    #[test]
    fn string_hash_and_hashmap_order() {
        assert_eq!(java_string_hash("my-group"), -1906497762);
        assert_eq!(java_string_hash(""), 0);
        // Verified JDK order from kafka-cli-formats.md §13.
        let ids = [
            "test-group",
            "orders-app",
            "my-group",
            "console-consumer-12345",
        ];
        let hashes: Vec<i32> = ids.iter().map(|s| java_string_hash(s)).collect();
        let order: Vec<&str> = java_hashmap_iteration_order(&hashes)
            .into_iter()
            .map(|i| ids[i])
            .collect();
        assert_eq!(
            order,
            vec![
                "my-group",
                "console-consumer-12345",
                "orders-app",
                "test-group"
            ]
        );
    }

    #[test]
    fn utf16_compare() {
        use std::cmp::Ordering;
        assert_eq!(java_string_cmp("consumer10", "consumer2"), Ordering::Less);
        assert_eq!(java_string_cmp("Z", "_"), Ordering::Less);
        // U+FFFD (one unit) sorts after U+1F600 (surrogate pair starting 0xD83D) in Java.
        assert_eq!(java_string_cmp("\u{FFFD}", "\u{1F600}"), Ordering::Greater);
    }
}
