//! Kafka's guarantees as named checks over the simulated world, run after every step. A
//! `Checker` remembers what it saw (a leader's high watermark and log start offsets never move
//! back, which leader held which epoch, how far each log and each follower was verified) and
//! reports each violation with the time and the partition or group involved.
//!
//! The `Sim` runs it after every event on what the event touched (the partitions its trace
//! events name, the groups when group events happened), so checking costs what changed, not
//! the size of the world.

use super::ids::{BrokerId, TopicPartition};
use super::sim::Sim;
use super::time::Millis;
use super::trace::TraceEvent;
use serde::Serialize;
use std::collections::BTreeMap;

/// The guarantee a violation breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Guarantee {
    /// Offsets in a partition's log strictly increase.
    OffsetsIncrease,
    /// log start offset ≤ high watermark ≤ log end offset, on every replica.
    WatermarksOrdered,
    /// A leader's high watermark never moves back within its leader epoch. A follower's may:
    /// it takes the leader's from each fetch answer (`UnifiedLog.maybeUpdateHighWatermark`),
    /// and a new leader's can be behind what the old one had told it.
    HighWatermarkMonotonic,
    /// A replica's log start offset never moves back.
    LogStartMonotonic,
    /// leader ∈ ISR ⊆ replicas.
    LeaderInIsr,
    /// No partition is owned by two members of one group's current generation.
    SingleOwner,
    /// A committed offset is never beyond the partition's high watermark.
    CommittedBelowHighWatermark,
    /// At most one leader per partition per leader epoch.
    OneLeaderPerEpoch,
    /// Below the high watermark every replica holds the same records at the same offsets.
    ReplicasAgree,
    /// An acknowledged record is never lost (Kafka does lose them with acks=1 or unclean
    /// leader election: reported with that cause).
    AcknowledgedWriteDurable,
}

impl Guarantee {
    pub const ALL: [Guarantee; 10] = [
        Guarantee::AcknowledgedWriteDurable,
        Guarantee::ReplicasAgree,
        Guarantee::OffsetsIncrease,
        Guarantee::OneLeaderPerEpoch,
        Guarantee::LeaderInIsr,
        Guarantee::WatermarksOrdered,
        Guarantee::HighWatermarkMonotonic,
        Guarantee::LogStartMonotonic,
        Guarantee::SingleOwner,
        Guarantee::CommittedBelowHighWatermark,
    ];

    /// A short name for the console and the UI.
    pub fn name(self) -> &'static str {
        match self {
            Guarantee::OffsetsIncrease => "offsets-increase",
            Guarantee::WatermarksOrdered => "watermarks-ordered",
            Guarantee::HighWatermarkMonotonic => "high-watermark-monotonic",
            Guarantee::LogStartMonotonic => "log-start-monotonic",
            Guarantee::LeaderInIsr => "leader-in-isr",
            Guarantee::SingleOwner => "single-owner-per-group",
            Guarantee::CommittedBelowHighWatermark => "committed-below-high-watermark",
            Guarantee::OneLeaderPerEpoch => "one-leader-per-epoch",
            Guarantee::ReplicasAgree => "replicas-agree",
            Guarantee::AcknowledgedWriteDurable => "acknowledged-write-durable",
        }
    }

    /// What the guarantee promises, in a sentence.
    pub fn promise(self) -> &'static str {
        match self {
            Guarantee::OffsetsIncrease => "offsets in a partition's log strictly increase",
            Guarantee::WatermarksOrdered => {
                "log start offset <= high watermark <= log end offset on every replica"
            }
            Guarantee::HighWatermarkMonotonic => {
                "a leader's high watermark never moves back within its leader epoch"
            }
            Guarantee::LogStartMonotonic => "a replica's log start offset never moves back",
            Guarantee::LeaderInIsr => "leader in ISR, ISR within the replicas",
            Guarantee::SingleOwner => "no partition owned by two members of one group",
            Guarantee::CommittedBelowHighWatermark => {
                "a committed offset is never beyond the high watermark"
            }
            Guarantee::OneLeaderPerEpoch => "at most one leader per partition per leader epoch",
            Guarantee::ReplicasAgree => {
                "below the high watermark, every replica has the same records in the same order"
            }
            Guarantee::AcknowledgedWriteDurable => {
                "an acknowledged record is never lost while a replica that had it survives"
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Violation {
    pub at: Millis,
    pub guarantee: Guarantee,
    pub detail: String,
}

/// Remembers what earlier observations saw, for the monotonic and incremental checks.
#[derive(Clone, Debug, Default)]
pub struct Checker {
    /// Per partition: the check runs after every step that touched one, with one lookup.
    partitions: BTreeMap<TopicPartition, PartitionSeen>,
    losses_seen: usize,
}

#[derive(Clone, Debug, Default)]
struct PartitionSeen {
    /// The id of the topic it was seen in: a topic deleted and created again under the same
    /// name has a new id, and its partitions start afresh (epochs and offsets from 0), all but
    /// `highest_high_watermark`.
    topic_id: String,
    replicas: BTreeMap<BrokerId, Seen>,
    /// The leader of each epoch seen.
    leaders: BTreeMap<i32, BrokerId>,
    /// The leader epoch and the leader's high watermark when last seen.
    leader_high_watermark: Option<(i32, i64)>,
    /// The highest high watermark any replica of any topic of this name had: the committed
    /// offsets' bound. Kept when the topic is deleted and created again: the group coordinator
    /// keys committed offsets by topic name (a classic OffsetCommit carries no topic id), so a
    /// consumer still at its position in the deleted topic commits it, accepted, into the new.
    highest_high_watermark: i64,
}

impl PartitionSeen {
    /// Starts afresh for a topic of this name with `topic_id` (empty: deleted).
    fn restart(&mut self, topic_id: &str) {
        *self = PartitionSeen {
            topic_id: topic_id.to_string(),
            highest_high_watermark: self.highest_high_watermark,
            ..PartitionSeen::default()
        };
    }

    /// Notes the leader's high watermark in `epoch`; the earlier one if it moved back within
    /// that epoch (`Partition.maybeIncrementLeaderHW` only raises it; a new epoch starts from
    /// whatever the new leader had, as a follower).
    fn leader_high_watermark_back(&mut self, epoch: i32, hw: i64) -> Option<i64> {
        let (last_epoch, last) = self.leader_high_watermark.replace((epoch, hw))?;
        (last_epoch == epoch && hw < last).then_some(last)
    }
}

/// What the checker last saw of one replica.
#[derive(Clone, Copy, Debug)]
struct Seen {
    log_start: i64,
    /// The last offset whose order was verified.
    ordered_to: i64,
    /// A follower's: the offset up to which it was compared with its leader.
    agreed_to: i64,
}

/// The partition a trace event is about, if any: what the per-step check looks at.
pub(crate) fn touched_partition(event: &TraceEvent) -> Option<&TopicPartition> {
    match event {
        TraceEvent::Appended { tp, .. }
        | TraceEvent::HighWatermark { tp, .. }
        | TraceEvent::SegmentsDeleted { tp, .. }
        | TraceEvent::Compacted { tp, .. }
        | TraceEvent::IsrChanged { tp, .. }
        | TraceEvent::LeaderElected { tp, .. }
        | TraceEvent::Truncated { tp, .. } => Some(tp),
        _ => None,
    }
}

/// Whether a trace event changes group ownership or committed offsets.
pub(crate) fn touches_groups(event: &TraceEvent) -> bool {
    matches!(
        event,
        TraceEvent::Rebalanced { .. }
            | TraceEvent::OffsetsCommitted { .. }
            | TraceEvent::MemberRemoved { .. }
            | TraceEvent::MemberJoined { .. }
            | TraceEvent::ClientStopped { .. }
    )
}

impl Checker {
    /// Checks every guarantee against the whole world as it is now.
    pub fn observe(&mut self, sim: &Sim) -> Vec<Violation> {
        let all: Vec<TopicPartition> = sim.cluster.all_partitions().map(|(tp, _)| tp).collect();
        self.observe_changed(sim, all.iter(), true)
    }

    /// Checks the given partitions (and the groups, if `groups`), plus the durability ledger.
    pub fn observe_changed<'a>(
        &mut self,
        sim: &Sim,
        partitions: impl Iterator<Item = &'a TopicPartition>,
        groups: bool,
    ) -> Vec<Violation> {
        let mut out = Vec::new();
        let at = sim.now();
        for tp in partitions {
            self.check_partition(sim, tp, &mut |guarantee, detail| {
                out.push(Violation {
                    at,
                    guarantee,
                    detail,
                })
            });
        }
        if groups {
            self.check_groups(sim, &mut |guarantee, detail| {
                out.push(Violation {
                    at,
                    guarantee,
                    detail,
                })
            });
        }
        let losses = sim.acked_losses();
        let new = sim.acked_loss_count().saturating_sub(self.losses_seen);
        for l in losses.iter().skip(losses.len().saturating_sub(new)) {
            out.push(Violation {
                at: l.at,
                guarantee: Guarantee::AcknowledgedWriteDurable,
                detail: format!(
                    "{}: acknowledged records {}..{} (acks={}) lost: {}",
                    l.tp,
                    l.first_offset,
                    l.last_offset,
                    if l.acks == -1 {
                        "all".to_string()
                    } else {
                        l.acks.to_string()
                    },
                    l.cause
                ),
            });
        }
        self.losses_seen = sim.acked_loss_count();
        out
    }

    /// Forgets a deleted partition (a new topic of the same name starts afresh), all but the
    /// committed offsets' bound.
    fn forget(&mut self, tp: &TopicPartition) {
        if let Some(seen) = self.partitions.get_mut(tp) {
            seen.restart("");
        }
    }

    fn check_partition(
        &mut self,
        sim: &Sim,
        tp: &TopicPartition,
        v: &mut impl FnMut(Guarantee, String),
    ) {
        let Some((topic, meta)) = sim
            .cluster
            .topics
            .get(&*tp.topic)
            .and_then(|t| Some((t, t.partition(tp.partition)?)))
        else {
            self.forget(tp);
            return;
        };
        // One search: cloning the key costs a reference count, not a second lookup.
        let seen_here = self.partitions.entry(tp.clone()).or_default();
        if seen_here.topic_id != topic.id {
            seen_here.restart(&topic.id);
        }
        if let Some(l) = meta.leader {
            if !meta.isr.contains(&l) {
                v(
                    Guarantee::LeaderInIsr,
                    format!("{tp}: leader {l} not in ISR {:?}", meta.isr),
                );
            }
            let held = *seen_here.leaders.entry(meta.leader_epoch).or_insert(l);
            if held != l {
                v(
                    Guarantee::OneLeaderPerEpoch,
                    format!("{tp}: epoch {} led by {held} and by {l}", meta.leader_epoch),
                );
            }
        }
        if let Some(b) = meta.isr.iter().find(|b| !meta.replicas.contains(b)) {
            v(
                Guarantee::LeaderInIsr,
                format!("{tp}: ISR member {b} is not a replica"),
            );
        }
        let leader_replica = meta.leader.and_then(|l| sim.replica(l, tp));
        if let (Some(l), Some(lr)) = (meta.leader, leader_replica) {
            let (epoch, hw) = (meta.leader_epoch, lr.high_watermark);
            if let Some(prev) = seen_here.leader_high_watermark_back(epoch, hw) {
                v(
                    Guarantee::HighWatermarkMonotonic,
                    format!("{tp}: leader {l} in epoch {epoch}: HW {prev} → {hw}"),
                );
            }
        }
        for b in &meta.replicas {
            // The leader's replica was looked up above (the search is most of a check's cost).
            let replica = if meta.leader == Some(*b) {
                leader_replica
            } else {
                sim.replica(*b, tp)
            };
            let Some(r) = replica else {
                continue;
            };
            let (start, hw, leo) = (
                r.log.log_start_offset(),
                r.high_watermark,
                r.log.log_end_offset(),
            );
            if !(start <= hw && hw <= leo) {
                v(
                    Guarantee::WatermarksOrdered,
                    format!("{tp} on broker {b}: start {start}, HW {hw}, LEO {leo}"),
                );
            }
            seen_here.highest_high_watermark = seen_here.highest_high_watermark.max(hw);
            let seen = seen_here.replicas.entry(*b).or_insert(Seen {
                log_start: start,
                ordered_to: -1,
                agreed_to: 0,
            });
            // Order: only records appended since the last look are new (none when the last
            // one looked at is still the last).
            let from = seen.ordered_to;
            if from != leo - 1 {
                let mut last = if from >= leo { -1 } else { from };
                for rec in r.log.iter_from(last.max(0)) {
                    if rec.offset() <= last && rec.offset() != from {
                        v(
                            Guarantee::OffsetsIncrease,
                            format!("{tp} on broker {b}: offset {} after {last}", rec.offset()),
                        );
                        break;
                    }
                    last = rec.offset();
                }
                seen.ordered_to = last;
            }
            let prev = std::mem::replace(&mut seen.log_start, start);
            if start < prev {
                v(
                    Guarantee::LogStartMonotonic,
                    format!("{tp} on broker {b}: log start {prev} → {start}"),
                );
            }
            // Agreement: an ISR follower's records below both high watermarks match the
            // leader's. One out of the ISR may hold records an unclean election dropped (it
            // truncates once it fetches from the new leader); it is compared when it is back.
            let Some(lr) = leader_replica.filter(|_| Some(*b) != meta.leader) else {
                continue;
            };
            if !meta.isr.contains(b) {
                continue;
            }
            let upto = hw.min(lr.high_watermark);
            let from = seen.agreed_to.max(start);
            if upto <= from {
                continue;
            }
            let mine = r.log.iter_from(from).take_while(|x| x.offset() < upto);
            let mut theirs = lr.log.iter_from(from).peekable();
            for rec in mine {
                // Each replica compacts on its own: compare the offsets both still hold.
                while theirs.peek().is_some_and(|t| t.offset() < rec.offset()) {
                    theirs.next();
                }
                if let Some(t) = theirs.peek().filter(|t| t.offset() == rec.offset()) {
                    if !t.same_content(rec) {
                        v(
                            Guarantee::ReplicasAgree,
                            format!(
                                "{tp}: offset {} differs between leader {} and follower {b}",
                                rec.offset(),
                                meta.leader.unwrap_or(-1)
                            ),
                        );
                        break;
                    }
                }
            }
            seen.agreed_to = upto;
        }
    }

    fn check_groups(&mut self, sim: &Sim, v: &mut impl FnMut(Guarantee, String)) {
        let mut owners: BTreeMap<(&str, &TopicPartition), &str> = BTreeMap::new();
        for c in sim.clients.values() {
            let super::client::Client::Consumer(x) = c else {
                continue;
            };
            let Some(group) = x.group.as_deref() else {
                continue;
            };
            // Kafka promises one owner per generation: a member of an older one (cut off,
            // kicked out) still believes in its assignment until its next heartbeat fails, and
            // the coordinator fences its commits.
            if sim
                .groups
                .get(group)
                .is_some_and(|g| g.generation != x.generation)
            {
                continue;
            }
            for tp in &x.assignment {
                if let Some(other) = owners.insert((group, tp), &x.name) {
                    v(
                        Guarantee::SingleOwner,
                        format!("group {group}: {tp} owned by {other} and {}", x.name),
                    );
                }
            }
        }
        let classic = sim.groups.values().map(|g| (&g.group_id, &g.offsets));
        let modern = sim
            .consumer_groups
            .values()
            .map(|g| (&g.group_id, &g.offsets));
        for (group_id, offsets) in classic.chain(modern) {
            for (tp, c) in offsets {
                // The partition's high watermark is the highest any replica reached: a new
                // leader's own may lag behind offsets consumed from the old one for a fetch,
                // and a topic created again under the name starts below the deleted one's.
                let seen = self.partitions.get(tp).map(|p| p.highest_high_watermark);
                if let Some(hw) = sim.high_watermark(tp).max(seen) {
                    if c.offset > hw {
                        v(
                            Guarantee::CommittedBelowHighWatermark,
                            format!(
                                "group {group_id}: committed {} on {tp} above HW {hw}",
                                c.offset
                            ),
                        );
                    }
                }
            }
        }
    }
}

/// How many violations a `Sim` keeps for its views (the count goes on).
pub const VIOLATIONS_KEPT: usize = 1_000;

/// The checker inside the `Sim`: what changed since the last step, and what was found.
#[derive(Clone, Debug, Default)]
pub struct Guard {
    pub(crate) checker: Checker,
    /// Partitions touched since the last check, as touched (repeats included).
    pub(crate) dirty: Vec<TopicPartition>,
    pub(crate) groups_dirty: bool,
    pub(crate) found: Vec<Violation>,
    pub(crate) total: u64,
    pub(crate) per_guarantee: BTreeMap<Guarantee, u64>,
}

impl Guard {
    /// Notes what a trace event touched.
    pub(crate) fn note(&mut self, event: &TraceEvent) {
        if let Some(tp) = touched_partition(event) {
            self.dirty.push(tp.clone());
        }
        if touches_groups(event) {
            self.groups_dirty = true;
        }
    }
}

impl Sim {
    /// Runs the guarantee checks on what changed; records each violation in the trace.
    pub(crate) fn check_guarantees(&mut self) {
        let losses = self.acked_loss_count();
        let g = &mut self.guard;
        if g.dirty.is_empty() && !g.groups_dirty && g.checker.losses_seen == losses {
            return;
        }
        let mut dirty = std::mem::take(&mut g.dirty);
        // In key order, once each (as a set would give them).
        dirty.sort_unstable();
        dirty.dedup();
        let groups = std::mem::replace(&mut g.groups_dirty, false);
        let mut checker = std::mem::take(&mut g.checker);
        let found = checker.observe_changed(self, dirty.iter(), groups);
        self.guard.checker = checker;
        // Kept for the next step: a step's list is rarely longer than a few partitions.
        dirty.clear();
        self.guard.dirty = dirty;
        for f in found {
            self.record(TraceEvent::Violation {
                guarantee: f.guarantee.name().to_string(),
                detail: f.detail.clone(),
            });
            let g = &mut self.guard;
            g.total += 1;
            *g.per_guarantee.entry(f.guarantee).or_insert(0) += 1;
            if g.found.len() < VIOLATIONS_KEPT {
                g.found.push(f);
            }
        }
        // Recording the violations marked nothing new; keep it that way.
        self.guard.dirty.clear();
        self.guard.groups_dirty = false;
    }

    /// The violations the live checker found (the first [`VIOLATIONS_KEPT`]).
    pub fn violations(&self) -> &[Violation] {
        &self.guard.found
    }

    /// How many violations of each guarantee were found (every guarantee listed).
    pub fn violation_counts(&self) -> Vec<(Guarantee, u64)> {
        Guarantee::ALL
            .iter()
            .map(|g| (*g, self.guard.per_guarantee.get(g).copied().unwrap_or(0)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ClusterSpec, Command};
    use std::collections::BTreeMap;

    fn world() -> Sim {
        let mut s = Sim::new(1, ClusterSpec::default()).unwrap();
        s.apply(Command::CreateTopic {
            name: "t".into(),
            partitions: Some(2),
            replication_factor: Some(3),
            configs: BTreeMap::new(),
            assignment: None,
        })
        .unwrap();
        for i in 0..5 {
            produce(&mut s, &format!("v{i}"));
        }
        s.run_for(2_000);
        s
    }

    /// A follower whose records below the high watermark differ from the leader's breaks
    /// the guarantee while it is in the ISR. Out of it, it may still hold what an unclean
    /// election dropped (it truncates at its next fetch): it is compared once it is back.
    #[test]
    fn an_isr_followers_different_records_are_reported_and_an_out_of_sync_ones_wait() {
        let mut s = world();
        let tp = TopicPartition::new("t", 0);
        let leader = s.cluster.leader_of(&tp).unwrap();
        let f = *s
            .cluster
            .partition(&tp)
            .unwrap()
            .isr
            .iter()
            .find(|b| **b != leader)
            .unwrap();
        let log = &mut s.replica_mut(f, &tp).unwrap().log;
        log.truncate_to(3).unwrap();
        let other = vec![
            crate::log::NewRecord::text(0, None, Some("x")),
            crate::log::NewRecord::text(0, None, Some("y")),
        ];
        log.append(other, 0, &crate::log::LogConfig::default())
            .unwrap();
        s.cluster
            .partition_mut(&tp)
            .unwrap()
            .isr
            .retain(|b| *b != f);
        let mut checker = Checker::default();
        let agree = |v: Vec<Violation>| {
            v.into_iter()
                .filter(|v| v.guarantee == Guarantee::ReplicasAgree)
                .map(|v| v.detail)
                .collect::<Vec<_>>()
        };
        assert_eq!(agree(checker.observe(&s)), Vec::<String>::new());
        s.cluster.partition_mut(&tp).unwrap().isr.push(f);
        assert_eq!(
            agree(checker.observe(&s)),
            [format!(
                "t-0: offset 3 differs between leader {leader} and follower {f}"
            )]
        );
    }

    #[test]
    fn a_healthy_world_has_no_violations() {
        let s = world();
        assert_eq!(Checker::default().observe(&s), Vec::new());
    }

    #[test]
    fn a_leaders_high_watermark_moving_back_in_its_epoch_is_reported() {
        let mut s = world();
        let mut checker = Checker::default();
        assert!(checker.observe(&s).is_empty());
        let tp = TopicPartition::new("t", 0);
        let leader = s.cluster.leader_of(&tp).unwrap();
        s.replica_mut(leader, &tp).unwrap().high_watermark = 2;
        let v = checker.observe(&s);
        assert_eq!(v.len(), 1, "{v:?}");
        assert_eq!(v[0].guarantee, Guarantee::HighWatermarkMonotonic);
    }

    /// A follower's high watermark is the last one its leader sent (`UnifiedLog.
    /// maybeUpdateHighWatermark`), and a new leader starts its epoch from the one it had as a
    /// follower: either may be lower than before without breaking anything.
    #[test]
    fn a_followers_or_a_new_leaders_lower_high_watermark_is_not_reported() {
        let mut s = world();
        let mut checker = Checker::default();
        assert!(checker.observe(&s).is_empty());
        let tp = TopicPartition::new("t", 0);
        let leader = s.cluster.leader_of(&tp).unwrap();
        let follower = (0..3).find(|b| *b != leader).unwrap();
        s.replica_mut(follower, &tp).unwrap().high_watermark = 2;
        assert_eq!(checker.observe(&s), Vec::new());
        let meta = s.cluster.partition_mut(&tp).unwrap();
        meta.leader = Some(follower);
        meta.leader_epoch += 1;
        assert_eq!(checker.observe(&s), Vec::new());
    }

    /// One record to partition 0 of `t`.
    fn produce(s: &mut Sim, value: &str) {
        s.apply(Command::Produce {
            producer: "p".into(),
            topic: "t".into(),
            partition: Some(0),
            key: None,
            value: Some(value.into()),
            timestamp: None,
        })
        .unwrap();
    }

    /// `t` created again, with one partition on `replicas` (the first leads).
    fn recreate(s: &mut Sim, replicas: Vec<BrokerId>) {
        s.apply(Command::CreateTopic {
            name: "t".into(),
            partitions: Some(1),
            replication_factor: None,
            configs: BTreeMap::new(),
            assignment: Some(vec![replicas]),
        })
        .unwrap();
    }

    /// A topic deleted and created again under the same name is a new topic (a new topic id):
    /// its epochs and watermarks start again, and none of that is a violation.
    #[test]
    fn a_recreated_topic_is_checked_afresh() {
        let mut s = world();
        let mut outside = Checker::default();
        assert!(outside.observe(&s).is_empty());
        let tp = TopicPartition::new("t", 0);
        let old_leader = s.cluster.leader_of(&tp).unwrap();
        s.apply(Command::DeleteTopic { name: "t".into() }).unwrap();
        // Partition 0 led by another broker at epoch 0, and one record where there were five.
        recreate(&mut s, (0..3).filter(|b| *b != old_leader).collect());
        produce(&mut s, "again");
        s.run_for(2_000);
        let new_leader = s.cluster.leader_of(&tp).unwrap();
        assert_ne!(new_leader, old_leader);
        // A leader change checks the acknowledged records: the deleted topic's are not lost.
        s.apply(Command::StopBroker {
            id: new_leader,
            hard: false,
        })
        .unwrap();
        s.run_for(2_000);
        assert!(s.cluster.leader_of(&tp).is_some_and(|l| l != new_leader));
        assert_eq!(s.violations(), &[], "the live checker");
        assert_eq!(
            outside.observe(&s),
            Vec::new(),
            "a checker observing from outside"
        );
    }

    /// `group`'s committed offset of `t-0` set to `offset` (an OffsetCommit keyed, as Kafka
    /// keys it, by topic name).
    fn commit(s: &mut Sim, group: &str, offset: i64) {
        s.apply(Command::SetGroupOffsets {
            group: group.into(),
            offsets: vec![(TopicPartition::new("t", 0), offset)],
        })
        .unwrap();
    }

    fn committed_violations(s: &Sim) -> Vec<&Violation> {
        s.violations()
            .iter()
            .filter(|v| v.guarantee == Guarantee::CommittedBelowHighWatermark)
            .collect()
    }

    /// A committed offset beyond every high watermark the partition had is reported.
    #[test]
    fn a_commit_beyond_the_high_watermark_is_reported() {
        let mut s = world();
        commit(&mut s, "g", 5);
        assert_eq!(committed_violations(&s), Vec::<&Violation>::new());
        commit(&mut s, "g", 6);
        let found = committed_violations(&s);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].detail.contains("committed 6 on t-0 above HW 5"));
    }

    /// The group coordinator keys committed offsets by topic name (a classic OffsetCommit has
    /// no topic id): a consumer still at its position in a deleted topic may commit it after
    /// the topic is created again, and the coordinator accepts it. That is below a high
    /// watermark the partition had, not a violation; beyond every one it had still is.
    #[test]
    fn a_commit_from_a_deleted_topic_into_the_one_created_again_is_not_reported() {
        let mut s = world();
        let tp = TopicPartition::new("t", 0);
        assert_eq!(s.high_watermark(&tp), Some(5));
        s.apply(Command::DeleteTopic { name: "t".into() }).unwrap();
        recreate(&mut s, vec![0, 1, 2]);
        produce(&mut s, "again");
        s.run_for(2_000);
        assert_eq!(s.high_watermark(&tp), Some(1));
        // The old topic's position, committed into the new one.
        commit(&mut s, "g", 5);
        assert_eq!(committed_violations(&s), Vec::<&Violation>::new());
        commit(&mut s, "g", 6);
        assert_eq!(committed_violations(&s).len(), 1);
    }

    /// An acks=all produce still waiting for its high watermark when the topic is deleted
    /// fails (UNKNOWN_TOPIC_OR_PARTITION, as Kafka's purgatory answers it): it must not be
    /// acknowledged later by a new topic of the name reaching that offset.
    #[test]
    fn a_produce_waiting_when_its_topic_is_deleted_is_not_acknowledged_by_the_next_one() {
        use crate::faults::NetworkFault;
        use crate::network::NodeId;
        let mut s = world();
        let tp = TopicPartition::new("t", 0);
        let leader = s.cluster.leader_of(&tp).unwrap();
        let followers: Vec<BrokerId> = (0..3).filter(|b| *b != leader).collect();
        // Replication slowed down, so the produce below waits for its high watermark.
        for f in &followers {
            let slow = NetworkFault::Latency(NodeId::Broker(leader), NodeId::Broker(*f), 500);
            s.apply(Command::Network(slow)).unwrap();
        }
        produce(&mut s, "waits");
        s.run_for(100);
        s.apply(Command::DeleteTopic { name: "t".into() }).unwrap();
        s.apply(Command::Network(NetworkFault::Heal)).unwrap();
        let mut all = vec![leader];
        all.extend(&followers);
        recreate(&mut s, all);
        for i in 0..8 {
            produce(&mut s, &format!("new-{i}"));
        }
        s.run_for(2_000);
        // The failed produce is retried, into the new topic (its offset there is not 5).
        let log = &s.replica(leader, &tp).unwrap().log;
        let waits: Vec<i64> = log
            .iter_from(0)
            .filter(|r| r.value() == Some(&b"waits"[..]))
            .map(|r| r.offset())
            .collect();
        assert_eq!(waits.len(), 1, "{waits:?}");
        s.apply(Command::StopBroker {
            id: leader,
            hard: false,
        })
        .unwrap();
        s.run_for(2_000);
        assert!(s.cluster.leader_of(&tp).is_some_and(|l| l != leader));
        assert_eq!(s.violations(), &[]);
    }

    #[test]
    fn isr_outside_replicas_and_disordered_watermarks_are_reported() {
        let mut s = world();
        let tp = TopicPartition::new("t", 1);
        s.cluster.partition_mut(&tp).unwrap().isr.push(7);
        let leader = s.cluster.leader_of(&tp).unwrap();
        s.replica_mut(leader, &tp).unwrap().high_watermark = 99;
        let found: Vec<Guarantee> = Checker::default()
            .observe(&s)
            .into_iter()
            .map(|v| v.guarantee)
            .collect();
        assert!(found.contains(&Guarantee::LeaderInIsr), "{found:?}");
        assert!(found.contains(&Guarantee::WatermarksOrdered), "{found:?}");
    }
}
