//! A scenario being explored: the page's world. It plays the scenario like a [`Player`] and
//! records what the visitor does (console lines typed or built by the forms, engine commands
//! from the inspector) as timeline entries at the simulated time they happened, so that
//! [`Session::scenario`] and [`Session::link`] reproduce exactly what the visitor sees.
//!
//! The recorded entries form a script, like the scenario's own timeline: scrubbing back keeps
//! them, and they happen again when time passes them (see docs/scenario-format.md, "Links").

use super::format::{MAX_AT_MS, MAX_ITEMS};
use super::url::{encode_fragment, MAX_FRAGMENT_BYTES};
use super::TimelineOutput;
use super::{default_scenario, Player, Scenario, ScenarioError, TimelineAction, TimelineEntry};
use crate::console::{Console, ToolExit};
use crate::engine::time::Millis;
use crate::engine::{Command, KafkaError, Outcome, Sim};

/// The world a page shows, with the visitor's actions recorded.
pub struct Session {
    base: Scenario,
    recorded: Vec<TimelineEntry>,
    player: Player,
    /// The furthest simulated time reached (the timeline's end).
    horizon: Millis,
    /// Actions that could not be recorded (past 30 days, or the timeline is full).
    unrecorded: u64,
}

impl Session {
    /// A session over `base` at time 0.
    pub fn new(base: Scenario) -> Result<Session, ScenarioError> {
        let player = base.player()?;
        Ok(Session {
            base,
            recorded: Vec::new(),
            player,
            horizon: 0,
            unrecorded: 0,
        })
    }

    /// The default scenario (tested natively). Should it ever fail to build, a one-broker
    /// cluster, so that the page always has a world.
    pub fn fallback() -> Session {
        Session::new(default_scenario()).unwrap_or_else(|_| Session {
            base: Scenario {
                topics: Vec::new(),
                producers: Vec::new(),
                consumers: Vec::new(),
                timeline: Vec::new(),
                ..default_scenario()
            },
            recorded: Vec::new(),
            player: Player::new(Console::with_sim(Sim::minimal()), Vec::new()),
            horizon: 0,
            unrecorded: 0,
        })
    }

    /// The scenario as loaded, without the visitor's actions.
    pub fn base(&self) -> &Scenario {
        &self.base
    }

    /// The scenario with the visitor's actions in its timeline: what "download" saves and
    /// links carry. Entries at equal times keep their order (the scenario's own first).
    pub fn scenario(&self) -> Scenario {
        let mut s = self.base.clone();
        s.timeline = merged(&self.base.timeline, &self.recorded);
        s
    }

    /// The link fragment (without `#`) for the current scenario at the current time.
    pub fn link(&self) -> Result<String, String> {
        let f = encode_fragment(&self.scenario(), self.now());
        if f.len() > MAX_FRAGMENT_BYTES {
            return Err(format!("{} bytes; at most {MAX_FRAGMENT_BYTES}", f.len()));
        }
        Ok(f)
    }

    pub fn console(&self) -> &Console {
        self.player.console()
    }

    pub fn sim(&self) -> &Sim {
        self.player.console().sim()
    }

    /// The engine itself, for what is not recorded (nothing that changes the world should go
    /// through here: use [`Session::execute`] or [`Session::apply`]).
    pub fn sim_mut(&mut self) -> &mut Sim {
        self.player.console_mut().sim_mut()
    }

    pub fn now(&self) -> Millis {
        self.player.now()
    }

    /// The furthest simulated time reached so far.
    pub fn horizon(&self) -> Millis {
        self.horizon.max(self.now())
    }

    /// How many of the visitor's actions are not in [`Session::scenario`].
    pub fn unrecorded(&self) -> u64 {
        self.unrecorded
    }

    /// How many actions the visitor took (recorded or not): a change means a new future.
    pub fn actions(&self) -> u64 {
        self.recorded.len() as u64 + self.unrecorded
    }

    /// What the timeline entries printed so far (the scenario's and replayed ones).
    pub fn log(&self) -> &[TimelineOutput] {
        self.player.log()
    }

    /// When the next timeline entry is due, if any.
    pub fn next_timeline_at(&self) -> Option<Millis> {
        self.player.next_at()
    }

    /// Runs the world to `t` (never back), applying the timeline entries due.
    pub fn run_until(&mut self, t: Millis) {
        self.player.run_until(t);
        self.horizon = self.horizon.max(self.now());
    }

    pub fn run_for(&mut self, d: Millis) {
        self.run_until(self.now().saturating_add(d.max(0)));
    }

    /// One engine event forward (and the timeline entries due by then). False when nothing
    /// is scheduled.
    pub fn step(&mut self) -> bool {
        let due = self.player.next_at();
        let next = self.sim().next_event_time();
        let stepped = match (due, next) {
            (Some(d), Some(n)) if d <= n => {
                self.player.run_until(d);
                true
            }
            (Some(d), None) => {
                self.player.run_until(d);
                true
            }
            (_, Some(_)) => self.sim_mut().step(),
            (None, None) => false,
        };
        self.horizon = self.horizon.max(self.now());
        stepped
    }

    /// Goes back to time 0 of the same script (the scenario and every recorded action), so
    /// that running forward replays it. The horizon is kept.
    pub fn rewind(&mut self) {
        if let Ok(p) = self.scenario().player() {
            self.horizon = self.horizon.max(self.now());
            self.player = p;
        }
    }

    /// Goes to simulated time `t`: forward by running, back by replaying from 0.
    pub fn seek(&mut self, t: Millis) {
        if t < self.now() {
            self.rewind();
        }
        self.run_until(t.max(0));
    }

    /// Runs a console line (typed, or built by a form) and records it.
    pub fn execute(&mut self, line: &str) -> ToolExit {
        let at = self.now();
        let before = self.fingerprint();
        let exit = self.player.console_mut().execute(line);
        // A line that failed and changed nothing (a typo) is not worth replaying. Nor is a
        // `sleep` that worked: it only lets time pass, which the times of later entries (and a
        // link's position) already say; replayed as one step it would carry a seek past its
        // target.
        let slept = exit.code == 0 && line.split_whitespace().next() == Some("sleep");
        if !slept && (exit.code == 0 || self.fingerprint() != before) {
            self.record(at, TimelineAction::Console(line.to_string()));
        }
        self.horizon = self.horizon.max(self.now());
        exit
    }

    /// Applies an engine command (the inspector's buttons) and records it if it was accepted.
    pub fn apply(&mut self, command: Command) -> Result<Outcome, KafkaError> {
        let at = self.now();
        let out = self.sim_mut().apply(command.clone());
        if out.is_ok() {
            self.record(at, TimelineAction::Command(command));
        }
        out
    }

    /// Replaces the world with another scenario at time 0 (nothing recorded yet).
    pub fn load(&mut self, base: Scenario) -> Result<(), ScenarioError> {
        *self = Session::new(base)?;
        Ok(())
    }

    /// The same scenario at time 0, without the visitor's actions.
    pub fn reset(&mut self) {
        if let Ok(s) = Session::new(self.base.clone()) {
            *self = s;
        }
    }

    fn fingerprint(&self) -> (Millis, u64) {
        (self.now(), self.sim().trace().count())
    }

    fn record(&mut self, at_ms: Millis, action: TimelineAction) {
        if at_ms > MAX_AT_MS || self.base.timeline.len() + self.recorded.len() >= MAX_ITEMS {
            self.unrecorded += 1;
            return;
        }
        // After every recorded entry at or before `at_ms` (they have run by now).
        let i = self.recorded.partition_point(|e| e.at_ms <= at_ms);
        self.recorded.insert(i, TimelineEntry { at_ms, action });
    }
}

/// `a` and `b` (each in time order) merged in time order; at equal times `a` comes first.
fn merged(a: &[TimelineEntry], b: &[TimelineEntry]) -> Vec<TimelineEntry> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let take_a = j >= b.len() || (i < a.len() && a[i].at_ms <= b[j].at_ms);
        if take_a {
            out.push(a[i].clone());
            i += 1;
        } else {
            out.push(b[j].clone());
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::decode_fragment;

    fn state(s: &Sim) -> (Millis, u64, u64) {
        (s.now(), s.trace().count(), s.trace_hash())
    }

    #[test]
    fn a_link_reproduces_what_the_visitor_did() {
        let mut live = Session::new(default_scenario()).expect("default builds");
        // Played in frame-sized slices, as the page does.
        for _ in 0..200 {
            live.run_for(47);
        }
        let out = live.execute(
            "kafka-topics --bootstrap-server localhost:9092 --create --topic payments --partitions 2 --replication-factor 3",
        );
        assert_eq!(out.code, 0, "{out:?}");
        live.execute("no-such-tool --x"); // a typo: not recorded
        for _ in 0..100 {
            live.run_for(33);
        }
        live.apply(Command::StopBroker { id: 1, hard: true })
            .expect("kill broker 1");
        live.run_for(12_345);
        let s = live.scenario();
        assert_eq!(s.timeline.len(), 2, "{:?}", s.timeline);
        assert_eq!(s.timeline[0].at_ms, 200 * 47);

        let link = live.link().expect("fits in a link");
        let (decoded, t) = decode_fragment(&link).expect("decodes");
        assert_eq!(t, live.now());
        let replay = decoded.player_at(t).expect("replays");
        assert_eq!(state(replay.console().sim()), state(live.sim()));
    }

    #[test]
    fn seeking_back_replays_the_recorded_actions() {
        let mut s = Session::new(default_scenario()).expect("builds");
        s.run_until(5_000);
        s.apply(Command::StopBroker { id: 0, hard: true })
            .expect("kill");
        s.run_until(30_000);
        let at_30 = state(s.sim());
        s.seek(2_000);
        assert_eq!(s.now(), 2_000);
        assert_eq!(s.horizon(), 30_000);
        assert!(s.sim().brokers().iter().all(|b| b.alive));
        s.seek(30_000);
        assert_eq!(state(s.sim()), at_30);
        assert!(!s.sim().brokers()[0].alive);
    }

    #[test]
    fn a_typed_sleep_is_time_passing_so_seeking_lands_inside_it() {
        let mut s = Session::new(default_scenario()).expect("builds");
        assert_eq!(s.execute("sleep 12s").code, 0);
        assert_eq!(s.execute("broker kill 1").code, 0);
        s.run_for(1_000);
        let at_13 = state(s.sim());
        let lines: Vec<String> = s
            .scenario()
            .timeline
            .iter()
            .map(|e| format!("{}:{:?}", e.at_ms, e.action))
            .collect();
        assert_eq!(lines.len(), 1, "only the kill is recorded: {lines:?}");
        s.seek(9_000);
        assert_eq!(s.now(), 9_000);
        assert!(s.sim().brokers().iter().all(|b| b.alive));
        s.seek(13_000);
        assert_eq!(state(s.sim()), at_13);
    }

    #[test]
    fn steps_apply_timeline_entries_on_the_way() {
        let base = Scenario::from_json(
            r#"{"version": 1, "seed": 1, "cluster": {"brokers": 1},
                "timeline": [{"at_ms": 3, "command": {"type": "stop_broker", "id": 0, "hard": true}}]}"#,
        )
        .expect("valid");
        let mut s = Session::new(base).expect("builds");
        while s.now() < 3 {
            assert!(s.step());
        }
        assert!(!s.sim().brokers()[0].alive);
        assert_eq!(s.log().len(), 1);
    }
}
