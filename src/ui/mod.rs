//! The Yew front-end: draws what the engine does. Compiled only with the `ui` feature.

mod driver;
pub mod i18n;
mod stage;
mod terminal;

use crate::console::Console;
use crate::engine::time::human;
use crate::engine::Sim;
use crate::scenario::default_scenario;
use driver::{use_sim_loop, Playback};
use i18n::{t, Lang, Text};
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// Speeds offered by the slider, on a log scale.
const SPEEDS: [f64; 9] = [
    0.01, 0.05, 0.25, 1.0, 10.0, 100.0, 1_000.0, 10_000.0, 60_000.0,
];

fn speed_label(s: f64) -> String {
    if s < 1.0 {
        format!("{s}×")
    } else {
        format!("{}×", s as u64)
    }
}

/// The default scenario (tested natively); should it ever fail to build, an empty cluster.
fn new_sim() -> Sim {
    default_scenario()
        .build()
        .unwrap_or_else(|_| Sim::minimal())
}

/// The whole page: header with controls, stage, footer.
#[component]
pub fn App() -> Html {
    let lang = use_state(|| Lang::En);
    let world = use_mut_ref(|| Console::with_sim(new_sim()));
    let playback = use_mut_ref(Playback::default);
    let world_rc: Rc<RefCell<Console>> = world.clone();
    let frame = use_sim_loop(world_rc.clone(), playback.clone());
    let l = *lang;
    let p = playback.borrow().clone();

    let toggle_lang = {
        let lang = lang.clone();
        Callback::from(move |_| lang.set(lang.other()))
    };
    let play_pause = {
        let playback = playback.clone();
        Callback::from(move |_| {
            let mut p = playback.borrow_mut();
            p.playing = !p.playing;
        })
    };
    let step = {
        let world = world.clone();
        let playback = playback.clone();
        Callback::from(move |_| {
            playback.borrow_mut().playing = false;
            world.borrow_mut().sim_mut().step();
        })
    };
    let fast_forward = {
        let world = world.clone();
        Callback::from(move |_| world.borrow_mut().sim_mut().run_for(60_000))
    };
    let reset = {
        let world = world.clone();
        Callback::from(move |_| *world.borrow_mut() = Console::with_sim(new_sim()))
    };
    let speed_index = SPEEDS
        .iter()
        .position(|s| (*s - p.speed).abs() < 1e-9)
        .unwrap_or(2);
    let on_speed = {
        let playback = playback.clone();
        Callback::from(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            let i: usize = input.value().parse().unwrap_or(2);
            playback.borrow_mut().speed = SPEEDS[i.min(SPEEDS.len() - 1)];
        })
    };
    let now = world.borrow().sim().now();
    html! {
        <div class="app" lang={l.tag()}>
            <header class="topbar">
                <h1>{ t(l, Text::Title) }</h1>
                <p class="tagline">{ t(l, Text::Tagline) }</p>
                <button class="lang" onclick={toggle_lang}>{ t(l, Text::SwitchLanguage) }</button>
            </header>
            <nav class="controls" aria-label={t(l, Text::Controls)}>
                <button class="play" onclick={play_pause}>{ if p.playing { t(l, Text::Pause) } else { t(l, Text::Play) } }</button>
                <button class="step" onclick={step}>{ t(l, Text::Step) }</button>
                <button class="ff" onclick={fast_forward}>{ t(l, Text::FastForward) }</button>
                <button class="reset" onclick={reset}>{ t(l, Text::Reset) }</button>
                <label class="speed">
                    { t(l, Text::Speed) }
                    <input type="range" min="0" max={(SPEEDS.len() - 1).to_string()} value={speed_index.to_string()} oninput={on_speed} />
                    <output>{ speed_label(p.speed) }</output>
                </label>
                <span class="clock" aria-live="off">{ format!("{}: {}", t(l, Text::SimTime), human(now)) }</span>
            </nav>
            <main>
                <stage::Stage lang={l} world={world_rc.clone()} frame={frame} />
                <terminal::Terminal lang={l} world={world_rc} />
            </main>
            <footer class="footer">
                { format!("{} {} {}", t(l, Text::Title), t(l, Text::Version), crate::VERSION) }
            </footer>
        </div>
    }
}

/// Mounts the app on the document body.
pub fn start() {
    yew::Renderer::<App>::new().render();
}
