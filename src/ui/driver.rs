//! The animation loop: one `requestAnimationFrame` callback advances simulated time by the
//! elapsed wall time × speed and asks the page to redraw. Dropping the hook cancels the loop.

use crate::console::Console;
use std::cell::RefCell;
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
}

impl Default for Playback {
    fn default() -> Self {
        Playback {
            playing: true,
            speed: 0.25,
        }
    }
}

/// The longest slice of simulated time one frame may run, so a frame never blocks the page.
const MAX_SIM_MS_PER_FRAME: f64 = 60_000.0;

/// Drives `sim` while `playback.playing`; returns a counter that changes every frame.
#[hook]
pub fn use_sim_loop(world: Rc<RefCell<Console>>, playback: Rc<RefCell<Playback>>) -> u64 {
    let frame = use_state(|| 0u64);
    {
        let frame = frame.clone();
        use_effect_with((), move |_| {
            let handle: Rc<RefCell<Option<i32>>> = Rc::new(RefCell::new(None));
            let callback: FrameCallback = Rc::new(RefCell::new(None));
            let last: Rc<RefCell<Option<f64>>> = Rc::new(RefCell::new(None));
            let counter = Rc::new(RefCell::new(0u64));
            {
                let callback2 = callback.clone();
                let handle2 = handle.clone();
                *callback.borrow_mut() = Some(Closure::new(move |ts: f64| {
                    let dt = last.borrow().map_or(0.0, |l| (ts - l).clamp(0.0, 250.0));
                    *last.borrow_mut() = Some(ts);
                    let p = playback.borrow().clone();
                    if p.playing && dt > 0.0 {
                        let step = (dt * p.speed).min(MAX_SIM_MS_PER_FRAME);
                        let mut console = world.borrow_mut();
                        let s = console.sim_mut();
                        let target = s.now() + step.max(1.0) as i64;
                        s.run_until(target);
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
