//! What the timeline and the charts remember of a session: markers for the events a learner
//! looks for (rebalances, leader and ISR changes, retention deletions, guarantee violations) and
//! periodic samples (throughput, lag per group, retained records per partition).
//!
//! The engine keeps only its recent trace, and scrubbing back replays the world from time 0;
//! the history outlives both. Replay is deterministic, so what was seen before a rewind is kept
//! and not recorded twice; a visitor's action changes the future, so everything after it is
//! forgotten and recorded afresh.

use super::{Scenario, Session};
use crate::engine::ids::TopicPartition;
use crate::engine::time::{Millis, SECOND};
use crate::engine::trace::TraceEvent;
use crate::engine::Sim;
use crate::ordered::CollectOrdered;
use std::collections::BTreeMap;

/// What a timeline marker stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum MarkerKind {
    Rebalance,
    LeaderChange,
    IsrChange,
    RetentionDeletion,
    Violation,
}

impl MarkerKind {
    pub const ALL: [MarkerKind; 5] = [
        MarkerKind::Rebalance,
        MarkerKind::LeaderChange,
        MarkerKind::IsrChange,
        MarkerKind::RetentionDeletion,
        MarkerKind::Violation,
    ];

    /// The kind of marker an event makes, if any.
    pub fn of(e: &TraceEvent) -> Option<MarkerKind> {
        match e {
            TraceEvent::Rebalanced { .. } => Some(MarkerKind::Rebalance),
            TraceEvent::LeaderElected { .. } => Some(MarkerKind::LeaderChange),
            TraceEvent::IsrChanged { .. } => Some(MarkerKind::IsrChange),
            TraceEvent::SegmentsDeleted { .. } => Some(MarkerKind::RetentionDeletion),
            TraceEvent::Violation { .. } => Some(MarkerKind::Violation),
            _ => None,
        }
    }
}

/// Events of one kind at one simulated millisecond (a topic's creation elects a leader per
/// partition at once: one marker, not fifty).
#[derive(Clone, Debug, PartialEq)]
pub struct Marker {
    pub at: Millis,
    pub kind: MarkerKind,
    /// The first event, to describe the marker.
    pub first: TraceEvent,
    pub count: u32,
}

/// The cluster between two sample times.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sample {
    /// The span `(from, at]` the counts cover.
    pub from: Millis,
    pub at: Millis,
    /// Records producers had acknowledged in the span.
    pub produced: u64,
    /// Records consumers received in the span.
    pub consumed: u64,
    /// Per consumer group, the sum of its partitions' lag at `at` (the CLI's LAG column).
    pub lag: Vec<(String, i64)>,
    /// Per partition of the visitor's topics, records retained by its leader at `at`.
    pub retained: Vec<(TopicPartition, i64)>,
}

impl Sample {
    /// Records per simulated second.
    pub fn rate(count: u64, span: Millis) -> f64 {
        if span <= 0 {
            0.0
        } else {
            count as f64 * 1000.0 / span as f64
        }
    }
}

/// Markers kept at most; later ones are counted but not kept.
pub const MAX_MARKERS: usize = 5_000;
/// Samples kept: past this, neighbours merge and the interval doubles.
pub const MAX_SAMPLES: usize = 240;
const FIRST_INTERVAL: Millis = SECOND;

#[derive(Clone, Debug, Default)]
pub struct History {
    markers: Vec<Marker>,
    /// Markers that did not fit in [`MAX_MARKERS`].
    pub dropped_markers: u64,
    samples: Vec<Sample>,
    interval: Millis,
    /// Per client, (acknowledged, consumed) when last looked at, and since when that holds.
    totals: BTreeMap<String, (u64, u64)>,
    totals_at: Option<Millis>,
    /// Trace sequence number read up to.
    last_seq: u64,
    /// Markers and samples up to this time are complete (seen before a rewind).
    known_until: Millis,
    now: Millis,
    horizon: Millis,
    actions: u64,
    base: Option<Scenario>,
}

impl History {
    pub fn markers(&self) -> &[Marker] {
        &self.markers
    }

    pub fn samples(&self) -> &[Sample] {
        &self.samples
    }

    /// Looks at the session; call it after the world moved (every frame is fine: it reads only
    /// new trace events, and builds views only when a sample is due).
    pub fn observe(&mut self, session: &Session) {
        let sim = session.sim();
        let count = sim.trace().count();
        let same_base = self.base.as_ref() == Some(session.base());
        if !same_base || session.horizon() < self.horizon {
            // Another world (a lesson, a reset): nothing seen so far applies.
            *self = History {
                base: Some(session.base().clone()),
                ..History::default()
            };
        } else if session.actions() != self.actions {
            // The visitor changed what happens from now on.
            self.forget_after(sim.now());
        } else if count < self.last_seq {
            // Rewound: replaying what is already known.
            self.known_until = self.known_until.max(self.now);
            self.last_seq = 0;
            self.totals.clear();
            self.totals_at = None;
        }
        self.actions = session.actions();
        self.horizon = session.horizon();
        self.now = sim.now();
        self.read_trace(sim);
        self.sample(sim);
    }

    fn forget_after(&mut self, t: Millis) {
        self.markers.retain(|m| m.at <= t);
        self.samples.retain(|s| s.at <= t);
        self.known_until = self.known_until.min(t);
    }

    fn read_trace(&mut self, sim: &Sim) {
        let last = self.last_seq;
        let fresh = sim
            .trace()
            .recent()
            .rev()
            .take_while(|(_, seq, _)| *seq > last)
            .collect::<Vec<_>>();
        for (at, _, e) in fresh.into_iter().rev() {
            if *at <= self.known_until {
                continue;
            }
            if let Some(kind) = MarkerKind::of(e) {
                self.mark(*at, kind, e);
            }
        }
        self.last_seq = sim.trace().count();
    }

    fn mark(&mut self, at: Millis, kind: MarkerKind, e: &TraceEvent) {
        // Same-ms events of one kind arrive close together: look back a little only.
        let merged = self
            .markers
            .iter_mut()
            .rev()
            .take_while(|m| m.at == at)
            .find(|m| m.kind == kind);
        if let Some(m) = merged {
            m.count = m.count.saturating_add(1);
        } else if self.markers.len() < MAX_MARKERS {
            self.markers.push(Marker {
                at,
                kind,
                first: e.clone(),
                count: 1,
            });
        } else {
            self.dropped_markers += 1;
        }
    }

    fn sample(&mut self, sim: &Sim) {
        let now = sim.now();
        if self.interval == 0 {
            self.interval = FIRST_INTERVAL;
        }
        let last_at = self.samples.last().map_or(0, |s| s.at);
        if now <= self.known_until.max(last_at) {
            // Replaying known time: the counts since the last sample are taken afresh later.
            self.totals.clear();
            self.totals_at = None;
            return;
        }
        let Some(since) = self.totals_at else {
            self.totals = client_totals(sim);
            self.totals_at = Some(now);
            return;
        };
        if now < last_at.max(since) + self.interval {
            return;
        }
        let totals = client_totals(sim);
        let (mut produced, mut consumed) = (0, 0);
        // Only clients present at both looks: a stopped client's totals leave with it.
        for (name, (a, c)) in &totals {
            if let Some((a0, c0)) = self.totals.get(name) {
                produced += a.saturating_sub(*a0);
                consumed += c.saturating_sub(*c0);
            }
        }
        self.samples.push(Sample {
            from: since,
            at: now,
            produced,
            consumed,
            lag: group_lags(sim),
            retained: retained(sim),
        });
        self.totals = totals;
        self.totals_at = Some(now);
        if self.samples.len() > MAX_SAMPLES {
            self.halve();
        }
    }

    /// Merges neighbouring samples (counts add up; the later state stands) and doubles the
    /// interval, so a long run keeps its whole shape in a bounded number of samples.
    fn halve(&mut self) {
        let old = std::mem::take(&mut self.samples);
        let mut it = old.into_iter();
        while let Some(a) = it.next() {
            match it.next() {
                Some(b) => self.samples.push(Sample {
                    from: a.from,
                    produced: a.produced + b.produced,
                    consumed: a.consumed + b.consumed,
                    ..b
                }),
                None => self.samples.push(a),
            }
        }
        self.interval = self.interval.saturating_mul(2);
    }
}

fn client_totals(sim: &Sim) -> BTreeMap<String, (u64, u64)> {
    sim.client_views()
        .into_iter()
        .map(|v| (v.name, (v.acked, v.consumed)))
        .collect_map()
}

fn group_lags(sim: &Sim) -> Vec<(String, i64)> {
    sim.group_ids()
        .into_iter()
        .filter_map(|g| {
            let v = sim.group_view(&g)?;
            let lag = v.offsets.iter().filter_map(|o| o.lag).sum();
            Some((g, lag))
        })
        .collect()
}

fn retained(sim: &Sim) -> Vec<(TopicPartition, i64)> {
    let mut out = Vec::new();
    for name in sim.topic_names(false) {
        let Some(topic) = sim.topic(&name) else {
            continue;
        };
        for p in &topic.partitions {
            if let Some(r) = p.leader_state() {
                let tp = TopicPartition::new(name.as_str(), p.partition);
                out.push((tp, r.log_end_offset - r.log_start_offset));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::default_scenario;

    fn session() -> Session {
        Session::new(default_scenario()).expect("the default scenario builds")
    }

    #[test]
    fn samples_count_what_clients_did() {
        let mut s = session();
        let mut h = History::default();
        for _ in 0..40 {
            s.run_for(500);
            h.observe(&s);
        }
        let samples = h.samples();
        assert!(samples.len() >= 15, "{} samples", samples.len());
        let produced: u64 = samples.iter().map(|x| x.produced).sum();
        let acked: u64 = s.sim().client_views().iter().map(|v| v.acked).sum();
        assert!(produced > 0 && produced <= acked, "{produced} of {acked}");
        for w in samples.windows(2) {
            assert!(w[0].at < w[1].at && w[1].from == w[0].at);
        }
        let last = samples.last().expect("samples");
        assert!(
            !last.retained.is_empty(),
            "the default topic's partitions are sampled"
        );
        assert!(last.lag.iter().all(|(_, l)| *l >= 0));
    }

    #[test]
    fn a_rewind_keeps_what_was_seen_without_doubling_it() {
        let mut s = session();
        let mut h = History::default();
        for _ in 0..20 {
            s.run_for(1000);
            h.observe(&s);
        }
        let (markers, samples) = (h.markers().to_vec(), h.samples().to_vec());
        assert!(
            !markers.is_empty(),
            "the default scenario elects leaders and rebalances"
        );
        s.rewind();
        h.observe(&s);
        for _ in 0..20 {
            s.run_for(1000);
            h.observe(&s);
        }
        assert_eq!(h.markers(), &markers[..]);
        assert_eq!(h.samples(), &samples[..]);
        // Past the known end, sampling goes on.
        for _ in 0..3 {
            s.run_for(2000);
            h.observe(&s);
        }
        assert!(h.samples().len() > samples.len());
    }

    #[test]
    fn an_action_forgets_the_old_future_and_a_reset_forgets_everything() {
        let mut s = session();
        let mut h = History::default();
        for _ in 0..20 {
            s.run_for(1000);
            h.observe(&s);
        }
        s.rewind();
        s.run_until(5000);
        h.observe(&s);
        assert!(h.samples().iter().any(|x| x.at > 5000));
        let exit = s.execute("kafka-topics.sh --bootstrap-server localhost:9092 --create --topic extra --partitions 2");
        assert_eq!(exit.code, 0, "{}", exit.stderr);
        h.observe(&s);
        assert!(h.samples().iter().all(|x| x.at <= 5000));
        assert!(h.markers().iter().all(|m| m.at <= 5000));
        s.reset();
        h.observe(&s);
        assert!(h.samples().is_empty() && h.markers().is_empty());
    }

    #[test]
    fn same_millisecond_events_make_one_marker_and_samples_stay_bounded() {
        let mut s = session();
        let mut h = History::default();
        s.run_for(2000);
        let exit = s.execute("broker kill 1");
        assert_eq!(exit.code, 0, "{}", exit.stderr);
        s.run_for(15_000);
        h.observe(&s);
        let start = s.now();
        // Fenced after broker.session.timeout.ms, broker 1's partitions all get new leaders.
        let m = h
            .markers()
            .iter()
            .find(|m| m.kind == MarkerKind::LeaderChange)
            .expect("the fenced broker's partitions elect leaders");
        assert!(m.count > 1, "one marker for the partitions' elections");
        for _ in 0..(MAX_SAMPLES as i64 * 3) {
            s.run_for(SECOND);
            h.observe(&s);
        }
        assert!(h.samples().len() <= MAX_SAMPLES);
        let first = h.samples().first().expect("samples");
        assert_eq!(first.from, start, "merging keeps the start");
    }
}
