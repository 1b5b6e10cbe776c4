//! The animation loop: one `requestAnimationFrame` callback advances simulated time by the
//! elapsed wall time × speed and asks the page to redraw. Dropping the hook cancels the loop.
//!
//! Seeking (a link's position, the timeline slider, a host page's `seek`) and playing fast run
//! in slices, at most [`SEEK_BUDGET_MS`] or [`FRAME_BUDGET_MS`] of wall time per frame, so the
//! page never freezes.

use crate::engine::time::Millis;
use crate::scenario::Session;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use yew::prelude::*;

/// The frame callback, kept alive between frames and dropped to stop the loop.
type FrameCallback = Rc<RefCell<Option<Closure<dyn FnMut(f64)>>>>;

/// Playback state the controls change.
#[derive(Clone, Debug, PartialEq)]
pub struct Playback {
    pub playing: bool,
    /// Simulated ms per wall ms, on a log scale in the UI (0.01× to 10,000×).
    pub speed: f64,
    /// A time the world is on its way to (replayed from 0 when it is behind); playing waits.
    pub seek_to: Option<Millis>,
}

impl Default for Playback {
    fn default() -> Self {
        Playback {
            playing: true,
            speed: 0.25,
            seek_to: None,
        }
    }
}

impl Playback {
    /// Asks the loop to go to `t` (back by replaying from the start).
    pub fn seek(&mut self, world: &mut Session, t: Millis) {
        if t < world.now() {
            world.rewind();
        }
        self.seek_to = Some(t.max(0));
    }
}

/// The longest slice of simulated time one frame may run, so a frame never blocks the page.
const MAX_SIM_MS_PER_FRAME: f64 = 60_000.0;
/// Wall milliseconds a frame may spend running the world while playing: what a 60 Hz frame has
/// left after drawing the stage.
const FRAME_BUDGET_MS: f64 = 12.0;
/// The same while seeking, when the stage is not redrawn: longer frames get there sooner, and
/// the rest of the frame stays far enough below the browser's 50 ms long-task mark.
const SEEK_BUDGET_MS: f64 = 24.0;
/// Frames a seek runs at [`SEEK_WARMUP_BUDGET_MS`] first: its first frames change the most on
/// screen (at a scenario's start, every topic, client and group appears), and the engine's code
/// is still being compiled: the browser compiles a WebAssembly function when it first runs, then
/// again, optimised, on another thread once it runs often, and on two cores that thread takes
/// time from the page's. Slices that take 0.1 ms natively took 5-15 ms in a seek's first second.
const SEEK_WARMUP_FRAMES: u32 = 60;
const SEEK_WARMUP_BUDGET_MS: f64 = 8.0;
/// Simulated milliseconds run between two looks at the wall clock, at first and at least.
const SLICE_MS: Millis = 20;
/// At most, a minute: however quiet the world, the frame's budget is checked often.
const MAX_SLICE_MS: Millis = 60_000;
/// Wall milliseconds under which a slice doubles, and over which it halves.
const QUICK_SLICE_MS: f64 = 0.25;
const SLOW_SLICE_MS: f64 = 1.0;

/// Wall milliseconds between two refreshes of the side panels while the world runs.
const PANEL_REFRESH_MS: f64 = 200.0;
/// The same while seeking.
const SEEK_PANEL_REFRESH_MS: f64 = 400.0;

/// What the side panels, the markers and the charts are drawn from. While the world runs
/// they follow it a few times a second, not every frame: rebuilding and diffing every panel
/// each frame costs more than a 16 ms frame has, and text changing 60 times a second cannot
/// be read anyway. Paused, they follow every change at once (a step, a typed command).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PanelStamp {
    pub frame: u64,
    pub trace_count: u64,
    pub samples: usize,
    pub last_sample_at: Millis,
    pub now: Millis,
    pub horizon: Millis,
}

/// The stamp the panels were last drawn from, and when.
#[derive(Default)]
pub struct PanelClock {
    shown: PanelStamp,
    at: Option<f64>,
    /// Whether this frame is the panels' turn, decided once as the frame starts: decided again
    /// when the frame draws, after running the world for its budget, the turn could fall to a
    /// frame that had already run the world, and the two together made a long task.
    turn: bool,
}

impl PanelClock {
    /// Starts a frame of the running world: whether it is the panels' turn. A seek redraws
    /// them (and the stage) less often: every frame that draws is one that runs no world.
    fn begin_frame(&mut self, seeking: bool) -> bool {
        let every = if seeking {
            SEEK_PANEL_REFRESH_MS
        } else {
            PANEL_REFRESH_MS
        };
        self.turn = self.due(wall_ms(), every);
        self.turn
    }

    /// The stamp to draw the panels from this frame, given the world's current one.
    pub fn stamp(&mut self, current: PanelStamp, running: bool) -> PanelStamp {
        let now = wall_ms();
        if !running || self.turn {
            if self.shown != current {
                self.at = Some(now);
            }
            self.shown = current;
        }
        self.shown
    }

    /// Whether the panels follow the world at `now` (wall ms) while it runs.
    fn due(&self, now: f64, every: f64) -> bool {
        self.at.is_none_or(|at| now - at >= every)
    }
}

/// Runs the world towards `target` in slices until `budget` wall ms are spent; whether it got
/// there. The clock is read between slices (one cannot be stopped halfway). A slice that ran
/// quickly doubles the next one, a slow one halves it: in a quiet world 20 simulated ms take a
/// couple of microseconds, less than reading the clock from WebAssembly, and a fast-forward
/// spent a third of its time between slices. A timeline entry can make the world busy at once
/// (producers started, a fault): a slice ends where one is due, and the next starts small.
fn run_sliced(w: &mut Session, target: Millis, budget: f64) -> bool {
    let start = wall_ms();
    let mut before = start;
    let mut slice = SLICE_MS;
    while w.now() < target && before - start < budget {
        let mut next = w.now().saturating_add(slice).min(target);
        let entry = w.next_timeline_at().filter(|at| *at < next);
        if let Some(at) = entry {
            next = at;
        }
        w.run_until(next);
        let after = wall_ms();
        slice = if entry.is_some() {
            SLICE_MS
        } else if after - before < QUICK_SLICE_MS {
            slice.saturating_mul(2).min(MAX_SLICE_MS)
        } else if after - before > SLOW_SLICE_MS {
            (slice / 2).max(SLICE_MS)
        } else {
            slice
        };
        before = after;
    }
    w.now() >= target
}

/// The page's clock (`performance.now()`), wall milliseconds.
pub(super) fn wall_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Drives the world while `playback.playing` (or seeking); returns a counter that changes
/// every frame.
#[hook]
pub fn use_sim_loop(
    world: Rc<RefCell<Session>>,
    playback: Rc<RefCell<Playback>>,
    panels: Rc<RefCell<PanelClock>>,
) -> u64 {
    let frame = use_state(|| 0u64);
    {
        let frame = frame.clone();
        use_effect_with((), move |_| {
            let handle: Rc<RefCell<Option<i32>>> = Rc::new(RefCell::new(None));
            let callback: FrameCallback = Rc::new(RefCell::new(None));
            let last: Rc<RefCell<Option<f64>>> = Rc::new(RefCell::new(None));
            // Simulated time owed but not yet run: at 0.01× a frame is worth 0.16 ms, so whole
            // milliseconds are run only once enough frames have added up (rounding every frame
            // up to 1 ms would play 0.01× at 0.06×).
            let carry = Rc::new(RefCell::new(0.0f64));
            let counter = Rc::new(RefCell::new(0u64));
            let after_panels = Rc::new(Cell::new(false));
            let seek_frames = Rc::new(Cell::new(0u32));
            {
                let callback2 = callback.clone();
                let handle2 = handle.clone();
                *callback.borrow_mut() = Some(Closure::new(move |ts: f64| {
                    let dt = last.borrow().map_or(0.0, |l| (ts - l).clamp(0.0, 250.0));
                    *last.borrow_mut() = Some(ts);
                    let p = playback.borrow().clone();
                    let panels_turn = panels.borrow_mut().begin_frame(p.seek_to.is_some());
                    if p.seek_to.is_none() {
                        seek_frames.set(0);
                    }
                    if let Some(target) = p.seek_to {
                        // A frame that redraws the panels runs no world, nor does the next one,
                        // which redraws the stage: drawing and running together make a task
                        // long enough to stall the page.
                        let stage_turn = after_panels.replace(panels_turn);
                        let n = seek_frames.get();
                        seek_frames.set(n.saturating_add(1));
                        let budget = if n < SEEK_WARMUP_FRAMES {
                            SEEK_WARMUP_BUDGET_MS
                        } else {
                            SEEK_BUDGET_MS
                        };
                        if !panels_turn
                            && !stage_turn
                            && run_sliced(&mut world.borrow_mut(), target, budget)
                        {
                            playback.borrow_mut().seek_to = None;
                        }
                        *carry.borrow_mut() = 0.0;
                    } else if p.playing && dt > 0.0 {
                        let mut owed = carry.borrow_mut();
                        *owed = (*owed + dt * p.speed).min(MAX_SIM_MS_PER_FRAME);
                        let whole = owed.floor();
                        if whole >= 1.0 {
                            *owed -= whole;
                            let mut w = world.borrow_mut();
                            let target = w.now() + whole as i64;
                            // What a busy world cannot run in a frame's budget is dropped:
                            // the clock then runs slower than asked, but the page stays smooth.
                            run_sliced(&mut w, target, FRAME_BUDGET_MS);
                        }
                    }
                    *counter.borrow_mut() += 1;
                    frame.set(*counter.borrow());
                    if let (Some(w), Some(cb)) = (web_sys::window(), callback2.borrow().as_ref()) {
                        *handle2.borrow_mut() =
                            w.request_animation_frame(cb.as_ref().unchecked_ref()).ok();
                    }
                }));
            }
            if let (Some(w), Some(cb)) = (web_sys::window(), callback.borrow().as_ref()) {
                *handle.borrow_mut() = w.request_animation_frame(cb.as_ref().unchecked_ref()).ok();
            }
            move || {
                if let (Some(w), Some(h)) = (web_sys::window(), handle.borrow_mut().take()) {
                    let _ = w.cancel_animation_frame(h);
                }
                callback.borrow_mut().take();
            }
        });
    }
    *frame
}
