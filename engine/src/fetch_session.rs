//! The leader's side of a replica fetcher's fetch session (KIP-227).
//!
//! Kafka's followers fetch incrementally: a response leaves out every partition with nothing new
//! for the follower (no records, the same high watermark and log start offset). Kafka's leader
//! still reads every partition of the session on every fetch; the simulation skips the *quiet*
//! ones. A partition is quiet for a follower once an answer found it caught up: its fetch offset
//! is the leader's log end offset and high watermark, and the follower is in the ISR. Reading it
//! again at the same offset would only move the follower's fetch time, so the session keeps that
//! time once for all its quiet partitions (`last_fetch_ms`). An append, a new high watermark or
//! log start offset, compaction, a change of ISR or leadership, or the deletion of its topic
//! wakes the partition: its fetch time is written back into the follower's state and the next
//! fetch reads it as before. A lost answer ends the session (the follower never saw what made
//! its partitions quiet), and so does the follower going down.
//!
//! The requests still list every partition, and the messages and their times are the same as
//! when every partition was read: the trace does not change, only the leader's work does.

use super::cluster::PartitionMeta;
use super::ids::{BrokerId, TopicPartition};
use super::time::Millis;

/// Whether `follower` follows `leader` in sync on this partition: the condition for a partition
/// to go quiet, and (with the same leader epoch) to stay so.
pub fn in_sync_follower(meta: &PartitionMeta, leader: BrokerId, follower: BrokerId) -> bool {
    meta.leader == Some(leader) && meta.isr.contains(&follower)
}

/// One follower's session on one leader.
#[derive(Clone, Debug, Default)]
pub struct FetchSession {
    /// When the follower last fetched: the last fetch (and caught-up) time of every quiet
    /// partition, kept here instead of in each partition's follower state.
    pub last_fetch_ms: Millis,
    /// Sorted by partition, as the follower lists them.
    quiet: Vec<Quiet>,
}

/// A partition the follower has caught up on, as its last answer found it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quiet {
    pub tp: TopicPartition,
    /// The follower's fetch offset: the leader's log end offset and high watermark.
    pub offset: i64,
    pub last_fetched_epoch: i32,
    /// The leader epoch it was quiet in: another epoch means another leader or an election.
    pub leader_epoch: i32,
}

/// A fetch's partitions that must be read, with their last fetched epochs.
pub type ToRead = (Vec<(TopicPartition, i64)>, Vec<i32>);

impl FetchSession {
    /// Splits a fetch's partitions into the quiet ones, which stay in the session unread, and
    /// the ones to read. A quiet partition is skipped only if the follower asks for it at the
    /// same offset and epoch and `still_quiet` (its leader and ISR) agrees; quiet partitions
    /// the fetch does not skip leave the session and are returned, so that their fetch time
    /// can be written back.
    pub fn split(
        &mut self,
        partitions: Vec<(TopicPartition, i64)>,
        last_fetched_epochs: Vec<i32>,
        mut still_quiet: impl FnMut(&Quiet) -> bool,
    ) -> (ToRead, Vec<Quiet>) {
        if self.quiet.is_empty() {
            return ((partitions, last_fetched_epochs), Vec::new());
        }
        let mut read = Vec::new();
        let mut epochs = Vec::new();
        // In place: the quiet partitions that stay are moved to the front, in order.
        let (mut kept, mut next) = (0, 0);
        for (i, (tp, offset)) in partitions.into_iter().enumerate() {
            let epoch = last_fetched_epochs.get(i).copied().unwrap_or(-1);
            // Quiet partitions the follower no longer asks for (an unsorted request lands
            // here too, and is simply read) fall behind `kept` and leave.
            while self.quiet.get(next).is_some_and(|q| q.tp < tp) {
                next += 1;
            }
            if let Some(q) = self.quiet.get(next).filter(|q| q.tp == tp) {
                next += 1;
                if q.offset == offset && q.last_fetched_epoch == epoch && still_quiet(q) {
                    self.quiet.swap(kept, next - 1);
                    kept += 1;
                    continue;
                }
            }
            read.push((tp, offset));
            epochs.push(epoch);
        }
        let woken = self.quiet.split_off(kept);
        ((read, epochs), woken)
    }

    /// `q` was found caught up by an answer: later fetches skip it while it stays so.
    pub fn quiet_down(&mut self, q: Quiet) {
        match self.quiet.binary_search_by(|x| x.tp.cmp(&q.tp)) {
            Ok(i) => self.quiet[i] = q,
            Err(i) => self.quiet.insert(i, q),
        }
    }

    /// Something changed `tp` on the leader: it is read again from the next fetch on.
    pub fn wake(&mut self, tp: &TopicPartition) -> Option<Quiet> {
        let i = self.quiet.binary_search_by(|x| x.tp.cmp(tp)).ok()?;
        Some(self.quiet.remove(i))
    }

    /// The session ends: every quiet partition, for its fetch time to be written back.
    pub fn end(self) -> Vec<Quiet> {
        self.quiet
    }

    pub fn quiet_count(&self) -> usize {
        self.quiet.len()
    }
}

/// The sessions a leader holds, one per follower (one per other broker at most), in follower
/// order. A short vector rather than a map: less code in the bundle for the same lookups.
#[derive(Clone, Debug, Default)]
pub struct FetchSessions(Vec<(BrokerId, FetchSession)>);

impl FetchSessions {
    /// Where follower `f`'s session is, or would go.
    fn find(&self, f: BrokerId) -> Result<usize, usize> {
        self.0.binary_search_by_key(&f, |(x, _)| *x)
    }

    pub fn get_mut(&mut self, f: BrokerId) -> Option<&mut FetchSession> {
        let i = self.find(f).ok()?;
        Some(&mut self.0[i].1)
    }

    pub fn get_or_default(&mut self, f: BrokerId) -> &mut FetchSession {
        let i = self.find(f).unwrap_or_else(|i| {
            self.0.insert(i, (f, FetchSession::default()));
            i
        });
        &mut self.0[i].1
    }

    pub fn remove(&mut self, f: BrokerId) -> Option<FetchSession> {
        let i = self.find(f).ok()?;
        Some(self.0.remove(i).1)
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = (BrokerId, &mut FetchSession)> {
        self.0.iter_mut().map(|(f, s)| (*f, s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tp(p: i32) -> TopicPartition {
        TopicPartition::new("t", p)
    }

    fn quiet(p: i32, offset: i64) -> Quiet {
        Quiet {
            tp: tp(p),
            offset,
            last_fetched_epoch: 0,
            leader_epoch: 0,
        }
    }

    fn session(quiet_ones: &[(i32, i64)]) -> FetchSession {
        let mut s = FetchSession::default();
        for (p, o) in quiet_ones {
            s.quiet_down(quiet(*p, *o));
        }
        s
    }

    #[test]
    fn a_quiet_partition_asked_at_the_same_offset_is_not_read() {
        let mut s = session(&[(0, 5), (2, 7)]);
        let asked = vec![(tp(0), 5), (tp(1), 3), (tp(2), 7)];
        let ((read, epochs), woken) = s.split(asked, vec![0, 0, 0], |_| true);
        assert_eq!(read, vec![(tp(1), 3)]);
        assert_eq!(epochs, vec![0]);
        assert!(woken.is_empty());
        assert_eq!(s.quiet_count(), 2);
    }

    #[test]
    fn another_offset_epoch_or_leader_wakes_it() {
        let mut s = session(&[(0, 5), (1, 5), (2, 5)]);
        let asked = vec![(tp(0), 6), (tp(1), 5), (tp(2), 5)];
        // Partition 1 asked with another last fetched epoch; partition 2 has a new leader.
        let ((read, _), woken) = s.split(asked, vec![0, 1, 0], |q| q.tp != tp(2));
        assert_eq!(read, vec![(tp(0), 6), (tp(1), 5), (tp(2), 5)]);
        assert_eq!(woken, vec![quiet(0, 5), quiet(1, 5), quiet(2, 5)]);
        assert_eq!(s.quiet_count(), 0);
    }

    #[test]
    fn partitions_no_longer_asked_for_leave_the_session() {
        let mut s = session(&[(0, 5), (3, 1), (9, 2)]);
        let ((read, _), woken) = s.split(vec![(tp(3), 1)], vec![0], |_| true);
        assert!(read.is_empty());
        assert_eq!(woken, vec![quiet(0, 5), quiet(9, 2)]);
        assert_eq!(s.end(), vec![quiet(3, 1)]);
    }

    /// Topic `t` on the default cluster: `partitions` partitions led by broker 0 and followed
    /// by broker 1.
    fn led_by_0_followed_by_1(partitions: i32) -> crate::Sim {
        use crate::{ClusterSpec, Command, Sim};
        let mut sim = Sim::new(1, ClusterSpec::default()).unwrap();
        sim.apply(Command::CreateTopic {
            name: "t".into(),
            partitions: Some(partitions),
            replication_factor: Some(2),
            configs: Default::default(),
            assignment: Some(vec![vec![0, 1]; partitions as usize]),
        })
        .unwrap();
        sim
    }

    /// One record to partition `p` of `t`.
    fn produce_one(sim: &mut crate::Sim, p: i32) {
        sim.apply(crate::Command::Produce {
            producer: "p".into(),
            topic: "t".into(),
            partition: Some(p),
            key: None,
            value: Some("v".into()),
            timestamp: None,
        })
        .unwrap();
    }

    /// Partition 1 is idle, so quiet, from the start; the follower stops reaching the leader at
    /// 20 s and a record at 25 s leaves it behind. Kafka drops it from the ISR once
    /// `replica.lag.time.max.ms` (30 s) has passed since its last fetch (~20 s), not since the
    /// partition went quiet (~1 s): the session's fetch time is written back.
    #[test]
    fn a_follower_is_dropped_lag_time_after_its_last_fetch_not_after_going_quiet() {
        use crate::faults::NetworkFault;
        use crate::network::NodeId;
        use crate::Sim;
        let mut sim = led_by_0_followed_by_1(2);
        sim.run_for(20_000);
        let cut = NetworkFault::Partition(vec![NodeId::Broker(0)], vec![NodeId::Broker(1)]);
        sim.apply_network_fault(cut).unwrap();
        sim.run_for(5_000);
        produce_one(&mut sim, 1);
        let in_isr = |sim: &Sim| sim.cluster.partition(&tp(1)).unwrap().isr.contains(&1);
        sim.run_for(22_000);
        assert!(in_isr(&sim), "dropped at 47 s, before 30 s without a fetch");
        sim.run_for(19_000);
        assert!(
            !in_isr(&sim),
            "still in the ISR at 66 s, 46 s after its last fetch"
        );
    }

    /// The answer that finds a partition caught up carries the high watermark the follower is
    /// still missing; when it is lost, the follower's retry must get it again.
    #[test]
    fn a_lost_answer_does_not_leave_the_follower_without_the_high_watermark() {
        use crate::faults::NetworkFault;
        use crate::network::NodeId;
        use crate::Sim;
        let mut sim = led_by_0_followed_by_1(1);
        sim.run_for(2_000);
        produce_one(&mut sim, 0);
        // Once the producer has its id the record is replicated, and the leader's high
        // watermark moves to 1; the follower learns it from the next answer, ~500 ms later: lost.
        let hw = |sim: &Sim, b| sim.replica(b, &tp(0)).unwrap().high_watermark;
        assert!(sim.run_while(1_000, |s| hw(s, 0) == 1));
        let (leader, follower) = (NodeId::Broker(0), NodeId::Broker(1));
        sim.apply_network_fault(NetworkFault::Loss(leader, follower, 100))
            .unwrap();
        sim.run_for(900);
        sim.apply_network_fault(NetworkFault::Heal).unwrap();
        assert_eq!(hw(&sim, 0), 1);
        assert_eq!(
            hw(&sim, 1),
            0,
            "the answer with the high watermark was lost"
        );
        // replica.socket.timeout.ms (30 s) later the follower fetches again.
        sim.run_for(32_000);
        assert_eq!(hw(&sim, 1), 1);
    }

    #[test]
    fn a_woken_partition_is_read_again() {
        let mut s = session(&[(0, 5), (1, 5)]);
        assert_eq!(s.wake(&tp(1)), Some(quiet(1, 5)));
        assert_eq!(s.wake(&tp(1)), None);
        let ((read, _), _) = s.split(vec![(tp(0), 5), (tp(1), 5)], vec![0, 0], |_| true);
        assert_eq!(read, vec![(tp(1), 5)]);
    }
}
