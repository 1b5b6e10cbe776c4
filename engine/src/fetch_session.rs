//! Fetch sessions between a follower and a leader (KIP-227), both sides.
//!
//! **The protocol.** A follower's first fetch to a leader is *full*: it lists every partition
//! it fetches from that leader, and the leader opens a session holding them. Its later fetches
//! are *incremental*: they list only the partitions whose fetch offset or last fetched epoch
//! changed (usually the one or two that just got records), plus the ones no longer fetched
//! (`forgotten`); the session supplies the rest. The follower's side is
//! [`FetchSessionHandler`], the leader's [`FetchSession`]. A session error
//! (FETCH_SESSION_ID_NOT_FOUND, INVALID_FETCH_SESSION_EPOCH) or a broken connection makes the
//! follower's next fetch a full one again. The playground's consumers fetch outside sessions,
//! with full requests, and the leader's session cache has no size limit
//! (`max.incremental.fetch.session.cache.slots`).
//!
//! **Quiet partitions.** Kafka's leader still reads every partition of a session on every fetch
//! and leaves out of its answer those with nothing new. The simulation skips the *quiet* ones.
//! A partition is quiet for a follower once an answer found it caught up: its fetch offset is
//! the leader's log end offset and high watermark, and the follower is in the ISR. Reading it
//! again at the same offset would only move the follower's fetch time, so the session keeps
//! that time once for all its quiet partitions (`last_fetch_ms`). An append, a new high
//! watermark or log start offset, compaction, a change of ISR or leadership, or the deletion of
//! its topic wakes the partition: its fetch time is written back into the follower's state and
//! the next fetch reads it as before. A lost answer ends the session (the follower never saw
//! what made its partitions quiet), and so does the follower going down. The messages and
//! their times are the same as when every partition was read: the trace does not change, only
//! the leader's work does.

use super::cluster::PartitionMeta;
use super::error::ErrorCode;
use super::ids::{BrokerId, TopicPartition};
use super::protocol::FetchMetadata;
use super::time::Millis;

/// Whether `follower` follows `leader` in sync on this partition: the condition for a partition
/// to go quiet, and (with the same leader epoch) to stay so.
pub fn in_sync_follower(meta: &PartitionMeta, leader: BrokerId, follower: BrokerId) -> bool {
    meta.leader == Some(leader) && meta.isr.contains(&follower)
}

/// A fetch's partitions with their fetch offsets, and the last fetched epoch of each.
pub type FetchList = (Vec<(TopicPartition, i64)>, Vec<i32>);

/// One partition of a session: where the follower fetches it from.
#[derive(Clone, Debug, PartialEq, Eq)]
struct SessionPartition {
    tp: TopicPartition,
    offset: i64,
    last_fetched_epoch: i32,
}

/// `partitions` and their epochs (missing epochs count as -1), as a session holds them.
fn session_partitions(list: FetchList) -> impl Iterator<Item = SessionPartition> {
    let (partitions, epochs) = list;
    let mut epochs = epochs.into_iter();
    partitions
        .into_iter()
        .map(move |(tp, offset)| SessionPartition {
            tp,
            offset,
            last_fetched_epoch: epochs.next().unwrap_or(-1),
        })
}

/// Where a follower fetches one partition from: its log end offset and last fetched epoch.
pub type FetchPosition<'a> = (&'a TopicPartition, i64, i32);

/// A request the follower's side built: its session metadata, the partitions it lists, and
/// the ones it forgets.
pub struct FetchRequestData {
    pub session: FetchMetadata,
    pub list: FetchList,
    pub forgotten: Vec<TopicPartition>,
}

/// The follower's side of its session with one leader (Kafka's `FetchSessionHandler`).
#[derive(Clone, Debug)]
pub struct FetchSessionHandler {
    /// The metadata of the next request.
    next: FetchMetadata,
    /// What the leader's session holds once it has the last request built: every partition
    /// fetched, sorted.
    sent: Vec<SessionPartition>,
}

impl Default for FetchSessionHandler {
    fn default() -> Self {
        FetchSessionHandler {
            next: FetchMetadata::INITIAL,
            sent: Vec::new(),
        }
    }
}

impl FetchSessionHandler {
    /// The request for the partitions fetched from this leader (`plan`, sorted by partition):
    /// all of them in a full request, else those added or changed since the last one.
    pub fn build(&mut self, plan: &[FetchPosition]) -> FetchRequestData {
        let owned = |(tp, offset, last_fetched_epoch): &FetchPosition| SessionPartition {
            tp: (*tp).clone(),
            offset: *offset,
            last_fetched_epoch: *last_fetched_epoch,
        };
        let session = self.next;
        let (mut listed, mut epochs, mut forgotten) = (Vec::new(), Vec::new(), Vec::new());
        let mut list = |p: &SessionPartition| {
            listed.push((p.tp.clone(), p.offset));
            epochs.push(p.last_fetched_epoch);
        };
        if session.is_full() {
            // A full request replaces the session: everything listed, nothing to forget.
            self.sent = plan.iter().map(owned).collect();
            self.sent.iter().for_each(list);
        } else if plan.len() == self.sent.len()
            && plan
                .iter()
                .zip(&self.sent)
                .all(|((tp, ..), s)| **tp == s.tp)
        {
            // The usual case: the same partitions, one or two at new offsets; updated in place.
            for ((_, offset, epoch), s) in plan.iter().zip(&mut self.sent) {
                if (s.offset, s.last_fetched_epoch) != (*offset, *epoch) {
                    (s.offset, s.last_fetched_epoch) = (*offset, *epoch);
                    list(s);
                }
            }
        } else {
            let mut old = std::mem::take(&mut self.sent).into_iter().peekable();
            self.sent.reserve(plan.len());
            for p in plan.iter().map(owned) {
                while let Some(gone) = old.next_if(|o| o.tp < p.tp) {
                    forgotten.push(gone.tp);
                }
                if old.next_if(|o| o.tp == p.tp).as_ref() != Some(&p) {
                    list(&p);
                }
                self.sent.push(p);
            }
            forgotten.extend(old.map(|o| o.tp));
        }
        FetchRequestData {
            session,
            list: (listed, epochs),
            forgotten,
        }
    }

    /// `FetchSessionHandler.handleResponse`: a full request's answer opens the session, an
    /// incremental one's moves it on; after a session error the next request is full.
    pub fn handle_response(&mut self, error: Option<ErrorCode>, session_id: i32) {
        let sent = self.next;
        self.next = match error {
            Some(ErrorCode::FetchSessionIdNotFound) => FetchMetadata::INITIAL,
            Some(_) => self.close_existing(),
            None if session_id == 0 => FetchMetadata::INITIAL,
            None if sent.is_full() => FetchMetadata {
                session_id,
                epoch: 1,
            },
            None => FetchMetadata {
                session_id,
                epoch: FetchMetadata::next_epoch(sent.epoch),
            },
        };
    }

    /// `FetchSessionHandler.handleError`: the request or its answer is lost; the next request
    /// is full, and replaces the session.
    pub fn handle_error(&mut self) {
        self.next = self.close_existing();
    }

    fn close_existing(&self) -> FetchMetadata {
        FetchMetadata {
            session_id: self.next.session_id,
            epoch: FetchMetadata::INITIAL_EPOCH,
        }
    }
}

/// One follower's session on its leader.
#[derive(Clone, Debug, Default)]
pub struct FetchSession {
    pub id: i32,
    /// The epoch the follower's next incremental request must carry.
    epoch: i32,
    /// When the follower last fetched: the last fetch (and caught-up) time of every quiet
    /// partition, kept here instead of in each partition's follower state.
    pub last_fetch_ms: Millis,
    /// Every partition the follower fetches here, sorted, as its requests left them.
    partitions: Vec<SessionPartition>,
    /// Sorted by partition: a subset of `partitions`.
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

impl FetchSession {
    /// A session opened by a full request listing `list`.
    fn open(id: i32, list: FetchList) -> Self {
        let mut partitions: Vec<SessionPartition> = session_partitions(list).collect();
        partitions.sort_by(|a, b| a.tp.cmp(&b.tp));
        FetchSession {
            id,
            epoch: 1,
            partitions,
            ..FetchSession::default()
        }
    }

    /// An incremental request: `list` adds or changes partitions, `forgotten` removes them.
    fn update(&mut self, list: FetchList, forgotten: &[TopicPartition]) {
        if !forgotten.is_empty() {
            self.partitions.retain(|x| !forgotten.contains(&x.tp));
        }
        // Listed partitions come sorted, as the session's are: one forward walk finds them (a
        // busy follower lists hundreds). Any other order falls back to a search.
        let mut i = 0;
        for p in session_partitions(list) {
            while self.partitions.get(i).is_some_and(|x| x.tp < p.tp) {
                i += 1;
            }
            match self.partitions.get_mut(i).filter(|x| x.tp == p.tp) {
                Some(x) => *x = p,
                None => match self.partitions.binary_search_by(|x| x.tp.cmp(&p.tp)) {
                    Ok(j) => self.partitions[j] = p,
                    Err(j) => self.partitions.insert(j, p),
                },
            }
        }
        self.epoch = FetchMetadata::next_epoch(self.epoch);
    }

    /// The session's partitions that must be read: all but the quiet ones, which stay in the
    /// session unread. A quiet partition is skipped only while the follower fetches it at the
    /// offset and epoch it went quiet at and `still_quiet` (its leader and ISR) agrees; the
    /// others leave the quiet set and are returned, so that their fetch time can be written
    /// back.
    pub fn to_read(
        &mut self,
        mut still_quiet: impl FnMut(&Quiet) -> bool,
    ) -> (FetchList, Vec<Quiet>) {
        let (mut read, mut epochs) = (Vec::new(), Vec::new());
        // In place: the quiet partitions that stay are moved to the front, in order.
        let (mut kept, mut next) = (0, 0);
        for p in &self.partitions {
            // Quiet partitions the session no longer holds fall behind `kept` and leave.
            while self.quiet.get(next).is_some_and(|q| q.tp < p.tp) {
                next += 1;
            }
            if let Some(q) = self.quiet.get(next).filter(|q| q.tp == p.tp) {
                next += 1;
                if q.offset == p.offset
                    && q.last_fetched_epoch == p.last_fetched_epoch
                    && still_quiet(q)
                {
                    self.quiet.swap(kept, next - 1);
                    kept += 1;
                    continue;
                }
            }
            read.push((p.tp.clone(), p.offset));
            epochs.push(p.last_fetched_epoch);
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

/// One value per other broker, in broker order: a leader's sessions (one per follower), a
/// follower's session handlers (one per leader). A short vector rather than a map: less code
/// in the bundle for the same lookups.
#[derive(Clone, Debug)]
pub struct PerBroker<T>(Vec<(BrokerId, T)>);

impl<T> Default for PerBroker<T> {
    fn default() -> Self {
        PerBroker(Vec::new())
    }
}

impl<T: Default> PerBroker<T> {
    /// Where broker `x`'s value is, or would go.
    fn find(&self, x: BrokerId) -> Result<usize, usize> {
        self.0.binary_search_by_key(&x, |(b, _)| *b)
    }

    pub fn get_mut(&mut self, x: BrokerId) -> Option<&mut T> {
        let i = self.find(x).ok()?;
        Some(&mut self.0[i].1)
    }

    pub fn get_or_default(&mut self, x: BrokerId) -> &mut T {
        let i = self.find(x).unwrap_or_else(|i| {
            self.0.insert(i, (x, T::default()));
            i
        });
        &mut self.0[i].1
    }

    pub fn remove(&mut self, x: BrokerId) -> Option<T> {
        let i = self.find(x).ok()?;
        Some(self.0.remove(i).1)
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = (BrokerId, &mut T)> {
        self.0.iter_mut().map(|(b, t)| (*b, t))
    }
}

/// A leader's sessions, one per follower.
pub type FetchSessions = PerBroker<FetchSession>;

impl FetchSessions {
    /// `FetchManager.newContext` for follower `f`'s request: a full one opens a new session
    /// with id `new_id` (the caller ends the one it replaces first, to wake its quiet
    /// partitions); an incremental one updates the session it names, which must expect its
    /// epoch. Either way the session is left holding every partition the follower fetches.
    pub fn receive(
        &mut self,
        f: BrokerId,
        session: FetchMetadata,
        list: FetchList,
        forgotten: &[TopicPartition],
        new_id: i32,
    ) -> Result<(), ErrorCode> {
        if session.is_full() {
            *self.get_or_default(f) = FetchSession::open(new_id, list);
            return Ok(());
        }
        let s = self
            .get_mut(f)
            .filter(|s| s.id == session.session_id)
            .ok_or(ErrorCode::FetchSessionIdNotFound)?;
        if s.epoch != session.epoch {
            return Err(ErrorCode::InvalidFetchSessionEpoch);
        }
        s.update(list, forgotten);
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn tp(p: i32) -> TopicPartition {
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

    /// A session opened on `partitions` (last fetched epoch 0), with `quiet_ones` quiet.
    fn session(partitions: &[(i32, i64)], quiet_ones: &[(i32, i64)]) -> FetchSession {
        let list = partitions.iter().map(|(p, o)| (tp(*p), *o)).collect();
        let mut s = FetchSession::open(1, (list, vec![0; partitions.len()]));
        for (p, o) in quiet_ones {
            s.quiet_down(quiet(*p, *o));
        }
        s
    }

    #[test]
    fn a_quiet_partition_at_the_same_offset_is_not_read() {
        let mut s = session(&[(0, 5), (1, 3), (2, 7)], &[(0, 5), (2, 7)]);
        let ((read, epochs), woken) = s.to_read(|_| true);
        assert_eq!(read, vec![(tp(1), 3)]);
        assert_eq!(epochs, vec![0]);
        assert!(woken.is_empty());
        assert_eq!(s.quiet_count(), 2);
    }

    #[test]
    fn another_offset_epoch_or_leader_wakes_it() {
        let mut s = session(&[(0, 5), (1, 5), (2, 5)], &[(0, 5), (1, 5), (2, 5)]);
        // Partition 0 at another offset, 1 with another last fetched epoch; 2 has a new leader.
        s.update((vec![(tp(0), 6), (tp(1), 5)], vec![0, 1]), &[]);
        let ((read, _), woken) = s.to_read(|q| q.tp != tp(2));
        assert_eq!(read, vec![(tp(0), 6), (tp(1), 5), (tp(2), 5)]);
        assert_eq!(woken, vec![quiet(0, 5), quiet(1, 5), quiet(2, 5)]);
        assert_eq!(s.quiet_count(), 0);
    }

    #[test]
    fn forgotten_partitions_leave_the_session() {
        let mut s = session(&[(0, 5), (3, 1), (9, 2)], &[(0, 5), (3, 1), (9, 2)]);
        s.update((Vec::new(), Vec::new()), &[tp(0), tp(9)]);
        let ((read, _), woken) = s.to_read(|_| true);
        assert!(read.is_empty());
        assert_eq!(woken, vec![quiet(0, 5), quiet(9, 2)]);
        assert_eq!(s.end(), vec![quiet(3, 1)]);
    }

    fn list(partitions: &[(i32, i64)]) -> FetchList {
        let tps = partitions.iter().map(|(p, o)| (tp(*p), *o)).collect();
        (tps, vec![0; partitions.len()])
    }

    fn meta(session_id: i32, epoch: i32) -> FetchMetadata {
        FetchMetadata { session_id, epoch }
    }

    /// The follower's request for `partitions` (last fetched epoch 0).
    fn build(h: &mut FetchSessionHandler, partitions: &[(i32, i64)]) -> FetchRequestData {
        let tps: Vec<TopicPartition> = partitions.iter().map(|(p, _)| tp(*p)).collect();
        let plan: Vec<FetchPosition> = tps
            .iter()
            .zip(partitions)
            .map(|(t, (_, o))| (t, *o, 0))
            .collect();
        h.build(&plan)
    }

    /// `FetchSessionHandlerTest.testIncrementals`, in short: after the full request, only what
    /// changed is listed, and what is no longer fetched is forgotten.
    #[test]
    fn an_incremental_request_lists_only_changes() {
        let mut h = FetchSessionHandler::default();
        let first = build(&mut h, &[(0, 5), (1, 3), (2, 7)]);
        assert_eq!(first.session, FetchMetadata::INITIAL);
        assert_eq!(first.list, list(&[(0, 5), (1, 3), (2, 7)]));
        h.handle_response(None, 123);
        let next = build(&mut h, &[(0, 5), (1, 4), (3, 0)]);
        assert_eq!(next.session, meta(123, 1));
        assert_eq!(next.list, list(&[(1, 4), (3, 0)]));
        assert_eq!(next.forgotten, vec![tp(2)]);
        h.handle_response(None, 123);
        let idle = build(&mut h, &[(0, 5), (1, 4), (3, 0)]);
        assert_eq!(idle.session, meta(123, 2));
        assert!(idle.list.0.is_empty() && idle.forgotten.is_empty());
    }

    /// Whatever the follower fetches, the leader's session ends up holding what the follower
    /// believes it holds: the partitions of its latest request, at their latest offsets.
    #[test]
    fn the_leader_session_follows_the_follower_through_changes() {
        let (mut h, mut leader) = (FetchSessionHandler::default(), FetchSessions::default());
        let rounds: [&[(i32, i64)]; 5] = [
            &[(0, 0), (1, 0)],
            &[(0, 1), (1, 0), (2, 0)],
            &[(2, 4)],
            &[],
            &[(0, 9), (5, 1)],
        ];
        for round in rounds {
            let r = build(&mut h, round);
            leader
                .receive(7, r.session, r.list, &r.forgotten, 42)
                .unwrap();
            h.handle_response(None, 42);
            let held = leader.get_mut(7).unwrap();
            assert_eq!(held.partitions, h.sent, "after {round:?}");
            assert_eq!(held.to_read(|_| true).0, list(round));
        }
    }

    #[test]
    fn an_update_in_any_order_keeps_the_session_sorted() {
        let mut s = session(&[(1, 0), (3, 0), (5, 0)], &[]);
        s.update(list(&[(4, 1), (5, 2), (0, 3), (1, 4)]), &[tp(3)]);
        let read = s.to_read(|_| true).0;
        assert_eq!(read, list(&[(0, 3), (1, 4), (4, 1), (5, 2)]));
    }

    #[test]
    fn a_session_error_makes_the_next_request_full() {
        let mut leader = FetchSessions::default();
        let unknown = meta(5, 1);
        let receive = |l: &mut FetchSessions, m| l.receive(1, m, list(&[]), &[], 5);
        assert_eq!(
            receive(&mut leader, unknown),
            Err(ErrorCode::FetchSessionIdNotFound)
        );
        assert_eq!(receive(&mut leader, FetchMetadata::INITIAL), Ok(()));
        let skipped = meta(5, 2);
        assert_eq!(
            receive(&mut leader, skipped),
            Err(ErrorCode::InvalidFetchSessionEpoch)
        );
        assert_eq!(receive(&mut leader, unknown), Ok(()));

        let mut h = FetchSessionHandler::default();
        build(&mut h, &[(0, 1)]);
        h.handle_response(None, 5);
        h.handle_response(Some(ErrorCode::InvalidFetchSessionEpoch), 0);
        // The next request replaces session 5 and lists every partition again.
        let r = build(&mut h, &[(0, 1)]);
        assert_eq!(r.session, meta(5, 0));
        assert_eq!(r.list, list(&[(0, 1)]));
        h.handle_response(Some(ErrorCode::FetchSessionIdNotFound), 0);
        assert_eq!(build(&mut h, &[]).session, FetchMetadata::INITIAL);
        h.handle_response(None, 6);
        h.handle_error();
        assert_eq!(build(&mut h, &[]).session, meta(6, 0));
    }

    #[test]
    fn the_epoch_after_the_largest_is_one_and_the_final_stays_final() {
        assert_eq!(FetchMetadata::next_epoch(1), 2);
        assert_eq!(FetchMetadata::next_epoch(i32::MAX), 1);
        assert_eq!(FetchMetadata::next_epoch(-1), -1);
    }

    /// Topic `t` on the default cluster: `partitions` partitions led by broker 0 and followed
    /// by broker 1.
    pub(crate) fn led_by_0_followed_by_1(partitions: i32) -> crate::Sim {
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
    pub(crate) fn produce_one(sim: &mut crate::Sim, p: i32) {
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

    /// On the wire: after its first, full, request the follower lists only the partition that
    /// got a record, at its new offset.
    #[test]
    fn a_follower_lists_only_the_partition_that_moved() {
        use crate::network::NodeId;
        use crate::protocol::Body;
        let mut sim = led_by_0_followed_by_1(3);
        let fetches = |sim: &crate::Sim| -> Vec<(FetchMetadata, Vec<(TopicPartition, i64)>)> {
            sim.net
                .in_flight()
                .filter(|e| (e.from, e.to) == (NodeId::Broker(1), NodeId::Broker(0)))
                .filter_map(|e| match &e.body {
                    Body::FetchRequest {
                        session,
                        partitions,
                        ..
                    } => Some((*session, partitions.clone())),
                    _ => None,
                })
                .collect()
        };
        let full = |sim: &crate::Sim| {
            fetches(sim)
                .iter()
                .any(|(s, p)| s.is_full() && p.len() == 3)
        };
        assert!(sim.run_while(100, full), "no full first request");
        sim.run_for(5_000);
        produce_one(&mut sim, 1);
        let moved = |sim: &crate::Sim| fetches(sim).iter().any(|(_, p)| !p.is_empty());
        assert!(sim.run_while(3_000, moved));
        let (session, listed) = fetches(&sim).remove(0);
        assert!(!session.is_full() && session.session_id != 0, "{session:?}");
        assert_eq!(listed, vec![(tp(1), 1)]);
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
        let mut s = session(&[(0, 5), (1, 5)], &[(0, 5), (1, 5)]);
        assert_eq!(s.wake(&tp(1)), Some(quiet(1, 5)));
        assert_eq!(s.wake(&tp(1)), None);
        let ((read, _), _) = s.to_read(|_| true);
        assert_eq!(read, vec![(tp(1), 5)]);
    }
}
