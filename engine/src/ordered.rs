//! Ordered maps, sets and sorted lists, built so the WebAssembly bundle carries one sort.
//!
//! The standard library's stable sort is compiled anew for every element type and comparison
//! it is used with (~4 KB of WebAssembly each), and `collect()` into a `BTreeMap` sorts its
//! input first with a comparison that differs for every iterator type. The sorts had become
//! ~14% of the code. Maps and sets here are built by inserting one entry at a time (the map's
//! own `insert`, compiled once per map type anyway), and lists sort through one compiled sort of
//! positions. Hot paths keep the standard sorts and `collect()`: the assignors (a million
//! partitions) and a producer's drain (the leaders of its batches, built on every drain).

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// `collect()` into a `BTreeMap` or `BTreeSet`, without the sort `FromIterator` compiles for
/// each call site. A key seen twice keeps its last value, as `collect()` does.
pub trait CollectOrdered: Iterator + Sized {
    fn collect_map<K: Ord, V>(self) -> BTreeMap<K, V>
    where
        Self: Iterator<Item = (K, V)>,
    {
        let mut map = BTreeMap::new();
        map.extend(self);
        map
    }

    fn collect_set<T: Ord>(self) -> BTreeSet<T>
    where
        Self: Iterator<Item = T>,
    {
        let mut set = BTreeSet::new();
        set.extend(self);
        set
    }
}

impl<I: Iterator> CollectOrdered for I {}

/// A stable sort of `items` by `compare` for lists off the hot path (console tables, UI
/// lists): positions are sorted by one shared, compiled sort, then the items move into place.
pub fn sort_by<T>(items: &mut [T], mut compare: impl FnMut(&T, &T) -> Ordering) {
    let mut order: Vec<usize> = (0..items.len()).collect();
    sort_positions(&mut order, &mut |a, b| compare(&items[a], &items[b]));
    // Position k takes the item at order[k]: follow each cycle once, marking it done.
    for start in 0..order.len() {
        let mut at = start;
        while order[at] != usize::MAX {
            let from = std::mem::replace(&mut order[at], usize::MAX);
            if from == start {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
}

/// [`sort_by`] comparing the keys `key` extracts.
pub fn sort_by_key<T, K: Ord>(items: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// [`sort_by`] in the items' own order.
pub fn sort<T: Ord>(items: &mut [T]) {
    sort_by(items, T::cmp);
}

/// The one compiled sort: positions compared through a trait object.
fn sort_positions(order: &mut [usize], compare: &mut dyn FnMut(usize, usize) -> Ordering) {
    order.sort_by(|a, b| compare(*a, *b));
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn sorts_as_the_standard_stable_sort(items in proptest::collection::vec((0u8..8, any::<u16>()), 0..200)) {
            let mut std = items.clone();
            std.sort_by_key(|i| i.0);
            let mut ours = items.clone();
            sort_by(&mut ours, |a, b| a.0.cmp(&b.0));
            prop_assert_eq!(&ours, &std);
            let mut ours = items.clone();
            sort_by_key(&mut ours, |i| i.0);
            prop_assert_eq!(&ours, &std);
            let mut ours = items.clone();
            sort(&mut ours);
            std.sort();
            prop_assert_eq!(ours, std);
        }

        #[test]
        fn collects_as_collect_does(items in proptest::collection::vec((0u8..16, any::<u16>()), 0..100)) {
            let ours = items.iter().copied().collect_map();
            let std: BTreeMap<u8, u16> = items.iter().copied().collect();
            prop_assert_eq!(ours, std);
            let ours = items.iter().map(|i| i.0).collect_set();
            let std: BTreeSet<u8> = items.iter().map(|i| i.0).collect();
            prop_assert_eq!(ours, std);
        }
    }
}
