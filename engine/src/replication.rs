//! Replication rules as pure functions: the leader's high watermark (`Partition.scala`), the
//! leader-epoch cache (`LeaderEpochFileCache`) and follower truncation (KIP-101, KIP-279).

use serde::Serialize;

/// What the leader knows of one follower when it computes the high watermark.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FollowerProgress {
    pub log_end_offset: i64,
    pub in_isr: bool,
    /// Not in the ISR, but caught up within `replica.lag.time.max.ms` and alive and unfenced:
    /// it holds the HW back so that it can rejoin (`Partition.maybeIncrementLeaderHW`).
    pub eligible_to_join: bool,
}

/// The leader's new high watermark: the smallest LEO among the leader, the ISR followers and the
/// followers about to rejoin; never lower than before; frozen (since 3.7) while the ISR is
/// smaller than `min(min.insync.replicas, replicas)`.
pub fn leader_high_watermark(
    previous: i64,
    leader_leo: i64,
    followers: &[FollowerProgress],
    isr_size: usize,
    effective_min_isr: usize,
) -> i64 {
    if isr_size < effective_min_isr {
        return previous;
    }
    let candidate = followers
        .iter()
        .filter(|f| f.in_isr || f.eligible_to_join)
        .map(|f| f.log_end_offset)
        .fold(leader_leo, i64::min);
    candidate.max(previous)
}

/// A follower's high watermark after a fetch answer: the leader's, bounded by the follower's
/// own log (`UnifiedLog.maybeUpdateHighWatermark` through `updateHighWatermark`). It is set,
/// not raised: after a failover it follows a new leader that had not learnt the old one's.
pub fn follower_high_watermark(leader_hw: i64, log_start_offset: i64, log_end_offset: i64) -> i64 {
    leader_hw.min(log_end_offset).max(log_start_offset)
}

/// `effectiveMinIsr = min(min.insync.replicas, replication factor)`.
pub fn effective_min_isr(min_insync_replicas: i32, replicas: usize) -> usize {
    (min_insync_replicas.max(1) as usize).min(replicas.max(1))
}

/// Epoch → first offset written in that epoch, ascending (`LeaderEpochFileCache`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LeaderEpochCache {
    entries: Vec<(i32, i64)>,
}

impl LeaderEpochCache {
    pub fn from_entries(entries: &[(i32, i64)]) -> Self {
        LeaderEpochCache {
            entries: entries.to_vec(),
        }
    }

    pub fn entries(&self) -> &[(i32, i64)] {
        &self.entries
    }

    pub fn latest_epoch(&self) -> Option<i32> {
        self.entries.last().map(|e| e.0)
    }

    /// Records that `epoch` starts at `offset` (ignored unless newer than the latest epoch).
    pub fn assign(&mut self, epoch: i32, offset: i64) {
        if self.latest_epoch().is_none_or(|e| epoch > e) {
            self.entries.push((epoch, offset));
        }
    }

    /// `endOffsetFor(epoch)`: the largest known epoch ≤ `epoch` and where it ends — the start of
    /// the next known epoch, or `log_end_offset` if it is the latest. If every known epoch is
    /// newer, `(epoch, start of the first known epoch)`, as Kafka answers: whatever the asker
    /// wrote in that epoch is not here (a follower that led alone and lost its leadership
    /// truncates it). `None` (`UNDEFINED_EPOCH`) when no epoch is known or `epoch` is newer
    /// than every known one (a follower falls back to its high watermark; a consumer resets).
    pub fn end_offset_for(&self, epoch: i32, log_end_offset: i64) -> Option<(i32, i64)> {
        if self.latest_epoch().is_some_and(|latest| epoch > latest) {
            return None;
        }
        let Some(i) = self.entries.iter().rposition(|(e, _)| *e <= epoch) else {
            return self.entries.first().map(|first| (epoch, first.1));
        };
        let end = self
            .entries
            .get(i + 1)
            .map_or(log_end_offset, |next| next.1);
        Some((self.entries[i].0, end))
    }

    /// Forgets epochs starting at or after `offset` (the log was truncated there).
    pub fn truncate_from_end(&mut self, offset: i64) {
        self.entries.retain(|(_, start)| *start < offset);
    }

    /// The log restarted at `offset`: epochs that start below it now start there.
    pub fn truncate_from_start(&mut self, offset: i64) {
        let keep_from = self
            .entries
            .iter()
            .rposition(|(_, s)| *s <= offset)
            .unwrap_or(0);
        self.entries.drain(..keep_from);
        if let Some(first) = self.entries.first_mut() {
            first.1 = first.1.max(offset);
        }
    }
}

/// Where a follower truncates before fetching from a new leader (`AbstractFetcherThread`,
/// multi-round per KIP-279): ask for the end of the follower's latest epoch; if the leader
/// answers with an epoch the follower also has, truncate to the smaller end; otherwise truncate
/// to the end of the follower's epoch below and ask again.
pub fn truncation_offset(
    follower: &LeaderEpochCache,
    follower_leo: i64,
    leader: &LeaderEpochCache,
    leader_leo: i64,
) -> i64 {
    let mut asked = follower.latest_epoch();
    let mut bound = follower_leo;
    // Each round asks about a strictly older epoch, so this ends.
    while let Some(epoch) = asked {
        let Some((leader_epoch, leader_end)) = leader.end_offset_for(epoch, leader_leo) else {
            // The leader knows nothing this old: keep what we have up to the bound.
            return bound.min(follower_leo);
        };
        let Some((own_epoch, own_end)) = follower.end_offset_for(leader_epoch, follower_leo) else {
            return 0;
        };
        if own_epoch == leader_epoch {
            return leader_end.min(own_end).min(bound);
        }
        bound = bound.min(own_end);
        asked = Some(own_epoch).filter(|e| *e < epoch);
    }
    bound.min(follower_leo)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(leo: i64, in_isr: bool, eligible: bool) -> FollowerProgress {
        FollowerProgress {
            log_end_offset: leo,
            in_isr,
            eligible_to_join: eligible,
        }
    }

    // kafka-vectors.json high_watermark_scenarios
    #[test]
    fn hw_is_the_min_leo_of_the_isr() {
        assert_eq!(
            leader_high_watermark(0, 10, &[f(8, true, false), f(6, true, false)], 3, 1),
            6
        );
    }

    #[test]
    fn hw_ignores_a_follower_that_left_the_isr() {
        assert_eq!(
            leader_high_watermark(0, 10, &[f(8, true, false), f(6, false, false)], 2, 1),
            8
        );
    }

    #[test]
    fn hw_waits_for_a_caught_up_follower_about_to_rejoin() {
        assert_eq!(
            leader_high_watermark(0, 10, &[f(10, true, false), f(7, false, true)], 2, 1),
            7
        );
    }

    #[test]
    fn hw_frozen_under_min_isr() {
        assert_eq!(
            leader_high_watermark(6, 10, &[], 1, effective_min_isr(2, 3)),
            6
        );
    }

    #[test]
    fn effective_min_isr_is_capped_by_the_replica_count() {
        assert_eq!(effective_min_isr(2, 1), 1);
        assert_eq!(effective_min_isr(2, 3), 2);
    }

    #[test]
    fn hw_never_moves_back() {
        assert_eq!(leader_high_watermark(9, 10, &[f(4, true, false)], 2, 1), 9);
    }

    // kafka-vectors.json leader_epoch_scenarios
    #[test]
    fn kip101_follower_truncates_to_the_leader_epoch_end() {
        let a = LeaderEpochCache::from_entries(&[(0, 0)]);
        let b = LeaderEpochCache::from_entries(&[(0, 0), (1, 2)]);
        assert_eq!(b.end_offset_for(0, 3), Some((0, 2)));
        assert_eq!(truncation_offset(&a, 3, &b, 3), 2);
    }

    #[test]
    fn kip279_follower_missing_epoch_truncates_in_two_rounds() {
        let follower = LeaderEpochCache::from_entries(&[(0, 0), (2, 5)]);
        let leader = LeaderEpochCache::from_entries(&[(0, 0), (1, 4), (3, 6)]);
        assert_eq!(leader.end_offset_for(2, 9), Some((1, 6)));
        assert_eq!(follower.end_offset_for(1, 8), Some((0, 5)));
        assert_eq!(truncation_offset(&follower, 8, &leader, 9), 4);
    }

    #[test]
    fn an_epoch_older_than_every_known_one_ends_where_the_first_known_starts() {
        // Seed 2632 of the sweep: broker 1 led epoch 0 and wrote offsets 0..4 that nobody
        // copied; brokers 2 and 3 led epochs 1 and 2 from an empty log. Broker 1 must drop
        // its five records, not keep them below records the new leader wrote at 0..4.
        let leader = LeaderEpochCache::from_entries(&[(2, 0)]);
        let follower = LeaderEpochCache::from_entries(&[(0, 0)]);
        assert_eq!(leader.end_offset_for(0, 80), Some((0, 0)));
        assert_eq!(truncation_offset(&follower, 5, &leader, 80), 0);
        assert_eq!(LeaderEpochCache::default().end_offset_for(0, 5), None);
    }

    #[test]
    fn the_latest_epoch_ends_at_the_log_end_and_a_newer_one_is_unknown() {
        // `LeaderEpochFileCacheTest`: the current epoch ends at the log end offset (what a
        // consumer's KIP-320 check compares its position with); a newer one is UNDEFINED.
        let c = LeaderEpochCache::from_entries(&[(0, 0), (2, 6)]);
        assert_eq!(c.end_offset_for(2, 11), Some((2, 11)));
        assert_eq!(c.end_offset_for(3, 11), None);
    }

    #[test]
    fn no_divergence_keeps_the_log() {
        let c = LeaderEpochCache::from_entries(&[(0, 0), (1, 5)]);
        assert_eq!(truncation_offset(&c, 7, &c, 9), 7);
    }

    #[test]
    fn epoch_cache_truncation() {
        let mut c = LeaderEpochCache::from_entries(&[(0, 0), (1, 4), (3, 6)]);
        c.truncate_from_end(5);
        assert_eq!(c.entries(), &[(0, 0), (1, 4)]);
        c.truncate_from_start(4);
        assert_eq!(c.entries(), &[(1, 4)]);
        c.assign(0, 9);
        assert_eq!(c.entries(), &[(1, 4)], "older epochs are ignored");
        c.assign(4, 9);
        assert_eq!(c.latest_epoch(), Some(4));
    }
}
