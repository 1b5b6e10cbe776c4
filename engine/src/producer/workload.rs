//! A producer's steady workload: records due at a rate, keyed `key-{i}` and valued
//! `{producer}-{n}`.

use crate::time::Millis;
use smol_str::SmolStr;
use std::fmt::Write;
use std::sync::Arc;

/// A steady workload: `rate` records per second, keys `key-0..key-{keys-1}` or none, values
/// `{producer}-{n}` for the producer's `n`th record.
#[derive(Clone, Debug)]
pub struct Workload {
    /// Shared: each record of the workload names it (a clone per record is a count, not a copy).
    pub topic: Arc<str>,
    /// Records per second (at least 1).
    pub rate: u32,
    pub keys: Option<u32>,
    /// Record `n` is due at `start + n * 1000 / rate` ms: any rate is kept exactly over a second,
    /// several records per millisecond included.
    pub start: Millis,
    /// Records made so far.
    pub made: u64,
    pub remaining: Option<u64>,
    /// The last key and value made: the next ones count up from them.
    key_text: CountingText,
    value_text: CountingText,
}

impl Workload {
    pub fn new(
        producer: &str,
        topic: String,
        rate: u32,
        keys: Option<u32>,
        start: Millis,
        max: Option<u64>,
    ) -> Self {
        Workload {
            topic: topic.into(),
            rate: rate.max(1),
            keys,
            start,
            made: 0,
            remaining: max,
            key_text: CountingText::new("key"),
            value_text: CountingText::new(producer),
        }
    }

    /// The key and value of the producer's `n`th record (from 1): `key-{(n - 1) % keys}` (or
    /// none) and `{producer}-{n}`, inline (no allocation) when short.
    pub(crate) fn texts(&mut self, n: u64) -> (Option<SmolStr>, SmolStr) {
        let key = self.keys.map(|keys| {
            let i = n.wrapping_sub(1) % u64::from(keys.max(1));
            self.key_text.next(i)
        });
        (key, self.value_text.next(n))
    }

    /// When the next record is due.
    pub fn next_at(&self) -> Millis {
        // In 64 bits while `made * 1000` fits (always, in practice): 128-bit division is a
        // library call, and in WebAssembly a slow one (~2% of the engine at a million records
        // a second).
        let rate = u64::from(self.rate.max(1));
        let n = match self.made.checked_mul(1000) {
            Some(ms) => Millis::try_from(ms / rate).unwrap_or(Millis::MAX),
            None => Millis::try_from(u128::from(self.made) * 1000 / u128::from(rate))
                .unwrap_or(Millis::MAX),
        };
        self.start.saturating_add(n)
    }
}

/// `{prefix}-{n}` for a run of consecutive `n`: each text is the last one with its digits
/// counted up in place, usually one character. Writing each number out (a division per digit)
/// and checking that the bytes were UTF-8 was ~19% of the engine's instructions at a million
/// records a second; `format!` before that had been slower still.
#[derive(Clone, Debug)]
struct CountingText {
    /// `{prefix}-` then the last number, if any.
    text: String,
    /// Where the number starts: one past the dash.
    digits_at: usize,
    last: Option<u64>,
}

impl CountingText {
    fn new(prefix: &str) -> Self {
        let text = format!("{prefix}-");
        CountingText {
            digits_at: text.len(),
            text,
            last: None,
        }
    }

    fn next(&mut self, n: u64) -> SmolStr {
        // The same number again (a single key) keeps the text; the next one counts up.
        let same = self.last == Some(n);
        let follows = self.last.and_then(|last| last.checked_add(1)) == Some(n);
        if !(same || (follows && self.count_up())) {
            self.write(n);
        }
        self.last = Some(n);
        // `new_inline` copies without a call to `memcpy`.
        if self.text.len() <= SmolStr::INLINE_CAP {
            SmolStr::new_inline(&self.text)
        } else {
            SmolStr::new(&self.text)
        }
    }

    /// Adds one to the number, in place. False when it gains a digit (all nines): it is then
    /// written out.
    fn count_up(&mut self) -> bool {
        // Nine times in ten only the last digit moves.
        if let Some(&d @ b'0'..=b'8') = self
            .text
            .as_bytes()
            .get(self.digits_at..)
            .and_then(<[u8]>::last)
        {
            self.text.pop();
            self.text.push(char::from(d + 1));
            return true;
        }
        let digits = self
            .text
            .as_bytes()
            .get(self.digits_at..)
            .unwrap_or_default();
        let Some(last_not_nine) = digits.iter().rposition(|&d| d != b'9') else {
            return false;
        };
        let at = self.digits_at + last_not_nine;
        let Some(&d @ b'0'..=b'8') = digits.get(last_not_nine) else {
            return false;
        };
        let nines = digits.len() - last_not_nine - 1;
        self.text.truncate(at);
        self.text.push(char::from(d + 1));
        self.text.extend(std::iter::repeat_n('0', nines));
        true
    }

    /// Writes `n` out after the prefix: only when a run starts or the number gains a digit,
    /// so `write!` is cheap enough here.
    fn write(&mut self, n: u64) {
        self.text.truncate(self.digits_at);
        // Writing into a `String` cannot fail.
        let _ = write!(self.text, "{n}");
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::{CountingText, Workload};

    #[test]
    fn workload_keys_cycle_and_values_count_the_producers_records() {
        let mut w = Workload::new("producer-1", "t".into(), 10, Some(3), 0, None);
        let texts: Vec<_> = (1..=5).map(|n| w.texts(n)).collect();
        let keys: Vec<_> = texts
            .iter()
            .map(|(k, _)| k.as_deref().unwrap_or("-"))
            .collect();
        let values: Vec<_> = texts.iter().map(|(_, v)| v.as_str()).collect();
        assert_eq!(keys, ["key-0", "key-1", "key-2", "key-0", "key-1"]);
        assert_eq!(
            values,
            [
                "producer-1-1",
                "producer-1-2",
                "producer-1-3",
                "producer-1-4",
                "producer-1-5"
            ]
        );
        let mut unkeyed = Workload::new("p", "t".into(), 10, None, 0, None);
        assert_eq!(unkeyed.texts(7), (None, "p-7".into()));
        let mut one_key = Workload::new("p", "t".into(), 10, Some(1), 0, None);
        let texts: Vec<_> = (1..=3).map(|n| one_key.texts(n)).collect();
        let expected: Vec<_> = (1..=3)
            .map(|n| (Some("key-0".into()), format!("p-{n}").into()))
            .collect();
        assert_eq!(texts, expected);
    }

    proptest::proptest! {
        /// Counting up reads as `format!` would write it: across nines and new digits, after
        /// jumps, up to `u64::MAX`, with any prefix (digits, dashes and nines included).
        #[test]
        fn counting_text_reads_as_formatted(
            prefix in "[9-]{0,3}|\\PC{0,30}",
            runs in proptest::collection::vec((proptest::num::u64::ANY, 1u64..1200, proptest::bool::ANY), 1..6),
        ) {
            let mut text = CountingText::new(&prefix);
            for (start, len, small) in runs {
                let start = if small { start % 100_000 } else { start };
                for n in (0..len).map_while(|i| start.checked_add(i)) {
                    proptest::prop_assert_eq!(text.next(n), format!("{prefix}-{n}"));
                }
            }
        }

        /// The `made`th record is due `made / rate` seconds after the start, to the millisecond
        /// below, as exact 128-bit arithmetic gives it: where `made × 1000` fits in 64 bits and
        /// beyond, and past the clock's end (saturating). Simulated time starts at 0.
        #[test]
        fn next_at_is_the_exact_due_time(
            made in proptest::prop_oneof![0u64..1_000_000_000, proptest::num::u64::ANY],
            rate in proptest::prop_oneof![1u32..100, proptest::num::u32::ANY],
            start in proptest::prop_oneof![0i64..1_000_000_000, 0i64..=i64::MAX],
        ) {
            let mut w = Workload::new("p", "t".into(), rate, None, start, None);
            w.made = made;
            let exact = i128::from(made) * 1000 / i128::from(rate.max(1));
            let due = (i128::from(start) + exact).min(i128::from(i64::MAX));
            proptest::prop_assert_eq!(i128::from(w.next_at()), due);
        }
    }
}
