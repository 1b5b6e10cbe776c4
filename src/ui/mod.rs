//! The Yew front-end: draws what the engine does. Compiled only with the `ui` feature.

mod actions;
mod bench_page;
mod charts;
mod driver;
pub mod events;
mod guarantees;
mod host;
pub mod i18n;
pub mod inspector;
mod lessons;
mod markers;
mod panic;
mod prefs;
pub mod run;
mod sequence;
mod share;
mod stage;
pub mod svg;
mod terminal;
mod topics_view;

use crate::engine::time::{human, DAY, HOUR, MINUTE};
use crate::engine::Sim;
use crate::scenario::history::History;
use crate::scenario::Session;
use driver::{use_sim_loop, PanelClock, PanelStamp, Playback};
use i18n::{link_problem, t, Lang, Text};
use inspector::Selection;
use run::TermLog;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
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

/// Page state the controls and shortcuts change (the page redraws every frame anyway).
#[derive(Clone, Debug, Default, PartialEq)]
struct UiState {
    selected: Option<Selection>,
    help: bool,
}

/// Colour theme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Theme {
    Light,
    Dark,
}

impl Theme {
    fn name(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// What the live region says: important trace events and leader changes, as they happen.
#[derive(Default)]
struct Narrator {
    last_seq: u64,
    leaders: BTreeMap<(String, i32), Option<i32>>,
    text: String,
}

impl Narrator {
    fn update(&mut self, l: Lang, sim: &Sim) {
        let count = sim.trace().count();
        if count < self.last_seq {
            // The world was reset: start over without announcing the new world's history.
            *self = Narrator::default();
        }
        let mut said: Vec<String> = sim
            .trace()
            .recent()
            .rev()
            .take_while(|(_, seq, _)| *seq > self.last_seq)
            .filter_map(|(_, _, e)| events::narration(l, e))
            .collect();
        said.reverse();
        let primed = self.last_seq > 0;
        self.last_seq = count;
        for name in sim.topic_names(false) {
            let Some(topic) = sim.topic(&name) else {
                continue;
            };
            for p in &topic.partitions {
                let before = self.leaders.insert((name.clone(), p.partition), p.leader);
                if primed && before.is_some_and(|b| b != p.leader) {
                    said.push(events::leader_change(l, &name, p.partition, p.leader));
                }
            }
        }
        if !said.is_empty() {
            // Only the latest few: a burst is summarised, not read out in full.
            let keep = said.len().saturating_sub(3);
            self.text = said[keep..].join(". ");
        }
    }
}

/// Is the key event aimed at a text field or a control that uses the key itself?
fn typing_target(e: &KeyboardEvent, key: &str) -> bool {
    let Some(el) = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return false;
    };
    let tag = el.tag_name().to_ascii_lowercase();
    if matches!(tag.as_str(), "input" | "textarea" | "select") {
        return true;
    }
    // Buttons, summaries and the stage's focusable groups act on Space and Enter themselves.
    key == " "
        && (matches!(tag.as_str(), "button" | "summary" | "a")
            || el.get_attribute("role").as_deref() == Some("button"))
}

/// Global shortcuts: Space play/pause, → step, ? shortcut list, Esc closes what is open.
#[hook]
fn use_shortcuts(
    ui: Rc<RefCell<UiState>>,
    playback: Rc<RefCell<Playback>>,
    world: Rc<RefCell<Session>>,
    redraw: UseForceUpdateHandle,
) {
    use_effect_with((), move |_| {
        let handler = Closure::<dyn FnMut(KeyboardEvent)>::new(move |e: KeyboardEvent| {
            // (Several apps may share a page, as in the browser tests: each one handles the key,
            // so a key another listener already handled is not skipped.)
            if e.ctrl_key() || e.meta_key() || e.alt_key() {
                return;
            }
            let key = e.key();
            match key.as_str() {
                "Escape" => {
                    let mut u = ui.borrow_mut();
                    if u.help {
                        u.help = false;
                    } else if u.selected.is_some() {
                        u.selected = None;
                    } else {
                        return;
                    }
                }
                " " if !typing_target(&e, " ") => {
                    let mut p = playback.borrow_mut();
                    p.playing = !p.playing;
                }
                "ArrowRight" if !typing_target(&e, "ArrowRight") => {
                    playback.borrow_mut().playing = false;
                    world.borrow_mut().step();
                }
                "?" if !typing_target(&e, "?") => {
                    let mut u = ui.borrow_mut();
                    u.help = !u.help;
                }
                _ => return,
            }
            e.prevent_default();
            redraw.force_update();
        });
        let document = web_sys::window().and_then(|w| w.document());
        if let Some(d) = &document {
            let _ = d.add_event_listener_with_callback("keydown", handler.as_ref().unchecked_ref());
        }
        move || {
            if let Some(d) = &document {
                let _ = d.remove_event_listener_with_callback(
                    "keydown",
                    handler.as_ref().unchecked_ref(),
                );
            }
            drop(handler);
        }
    });
}

/// Why the page does not show what its address asked for (shown in the visitor's language).
#[derive(Clone, Debug, PartialEq)]
enum Problem {
    Link(crate::scenario::FragmentError),
    Restore,
}

/// The whole page: header with controls, stage with side panels (inspector, share, forms,
/// event log), terminal, footer. With `?embed` (or `embed` in the fragment), the compact
/// player: stage, play/pause/step, the timeline and, with `terminal`, the terminal.
#[component]
pub fn App() -> Html {
    let opening = use_memo((), |_| share::opening());
    let embed = opening.embed;
    let lang = use_state(|| {
        prefs::load("lang")
            .and_then(|t| Lang::from_tag(&t))
            .unwrap_or(Lang::En)
    });
    let theme = use_state(|| match prefs::load("theme").as_deref() {
        Some("dark") => Theme::Dark,
        Some("light") => Theme::Light,
        _ if prefs::media_matches("(prefers-color-scheme: dark)") => Theme::Dark,
        _ => Theme::Light,
    });
    let reduced_motion = *use_state(prefs::reduced_motion);
    let logical = use_state(|| false);
    let chatter = use_state(|| prefs::load("chatter").as_deref() != Some("hidden"));
    let world = use_mut_ref(|| {
        Session::new(opening.location.scenario.clone()).unwrap_or_else(|_| Session::fallback())
    });
    let problem = use_state(|| match &opening.location.problem {
        Some(e) => Some(Problem::Link(e.clone())),
        None if opening.restore_failed => Some(Problem::Restore),
        None => None,
    });
    let term = use_mut_ref(TermLog::default);
    let ui = use_mut_ref(UiState::default);
    let narrator = use_mut_ref(Narrator::default);
    let redraw = use_force_update();
    let playback = use_mut_ref(|| {
        let t = opening.location.position_ms;
        Playback {
            // A link shows the sender's moment, paused; a reload goes on where it was.
            playing: t == 0 || opening.restored,
            seek_to: (t > 0).then_some(t),
            ..Playback::default()
        }
    });
    let shown_log = use_mut_ref(|| 0usize);
    let history = use_mut_ref(History::default);
    let panel_clock = use_mut_ref(PanelClock::default);
    let seek_stage_frame = use_mut_ref(|| 0u64);
    let host_link = use_mut_ref(host::HostLink::default);
    let world_rc: Rc<RefCell<Session>> = world.clone();
    let frame = use_sim_loop(world_rc.clone(), playback.clone(), panel_clock.clone());
    use_shortcuts(
        ui.clone(),
        playback.clone(),
        world_rc.clone(),
        redraw.clone(),
    );
    let on_open = {
        let ui = ui.clone();
        let playback = playback.clone();
        let redraw = redraw.clone();
        Callback::from(move |_: ()| {
            ui.borrow_mut().selected = None;
            let mut p = playback.borrow_mut();
            p.seek_to = None;
            p.playing = true;
            redraw.force_update();
        })
    };
    host::use_host_api(
        world_rc.clone(),
        playback.clone(),
        term.clone(),
        host_link.clone(),
        on_open.clone(),
    );
    {
        // The full page keeps its state in localStorage: the address loses its fragment (a
        // reload then restores the latest state, not the original link), and the state is
        // saved when the page is left.
        let world = world.clone();
        use_effect_with((), move |_| {
            let window = web_sys::window();
            let save = Closure::<dyn FnMut()>::new(move || share::save(&world.borrow()));
            if !embed {
                share::clear_fragment();
                if let Some(w) = &window {
                    let _ = w.add_event_listener_with_callback(
                        "pagehide",
                        save.as_ref().unchecked_ref(),
                    );
                }
            }
            move || {
                if let Some(w) = &window {
                    let _ = w.remove_event_listener_with_callback(
                        "pagehide",
                        save.as_ref().unchecked_ref(),
                    );
                }
                drop(save);
            }
        });
    }
    let l = *lang;
    let p = playback.borrow().clone();

    let toggle_lang = {
        let lang = lang.clone();
        Callback::from(move |_| {
            let next = lang.other();
            prefs::save("lang", next.tag());
            lang.set(next);
        })
    };
    let toggle_theme = {
        let theme = theme.clone();
        Callback::from(move |_| {
            let next = if *theme == Theme::Dark {
                Theme::Light
            } else {
                Theme::Dark
            };
            prefs::save("theme", next.name());
            theme.set(next);
        })
    };
    let play_pause = {
        let playback = playback.clone();
        Callback::from(move |_| {
            let mut p = playback.borrow_mut();
            if p.seek_to.is_some() {
                // A long fast-forward is stopped where it got to.
                p.seek_to = None;
                p.playing = false;
            } else {
                p.playing = !p.playing;
            }
        })
    };
    let step = {
        let world = world.clone();
        let playback = playback.clone();
        Callback::from(move |_| {
            playback.borrow_mut().playing = false;
            world.borrow_mut().step();
        })
    };
    let fast_forward = |by: i64| {
        let world = world.clone();
        let playback = playback.clone();
        Callback::from(move |_: MouseEvent| {
            let t = world.borrow().now().saturating_add(by);
            playback.borrow_mut().seek(&mut world.borrow_mut(), t);
        })
    };
    let toggle_chatter = {
        let chatter = chatter.clone();
        Callback::from(move |_: Event| {
            let show = !*chatter;
            prefs::save("chatter", if show { "shown" } else { "hidden" });
            chatter.set(show);
        })
    };
    let reset = {
        let world = world.clone();
        let ui = ui.clone();
        let playback = playback.clone();
        Callback::from(move |_| {
            world.borrow_mut().reset();
            playback.borrow_mut().seek_to = None;
            ui.borrow_mut().selected = None;
        })
    };
    let on_timeline = {
        let world = world.clone();
        let playback = playback.clone();
        Callback::from(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            if let Ok(t) = input.value().parse::<i64>() {
                playback.borrow_mut().seek(&mut world.borrow_mut(), t);
            }
        })
    };
    // Markers, violations and event times go to their moment, paused there.
    let on_seek = {
        let world = world.clone();
        let playback = playback.clone();
        Callback::from(move |t: i64| {
            let mut p = playback.borrow_mut();
            p.playing = false;
            p.seek(&mut world.borrow_mut(), t);
        })
    };
    let show_help = {
        let ui = ui.clone();
        let redraw = redraw.clone();
        Callback::from(move |_| {
            let mut u = ui.borrow_mut();
            u.help = !u.help;
            redraw.force_update();
        })
    };
    let on_select = {
        let ui = ui.clone();
        let redraw = redraw.clone();
        Callback::from(move |s: Selection| {
            ui.borrow_mut().selected = Some(s);
            redraw.force_update();
        })
    };
    let on_close = {
        let ui = ui.clone();
        let redraw = redraw.clone();
        Callback::from(move |_: ()| {
            ui.borrow_mut().selected = None;
            redraw.force_update();
        })
    };
    let dismiss = {
        let problem = problem.clone();
        Callback::from(move |_| problem.set(None))
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
    let (now, horizon, trace_count, topics, groups) = {
        let w = world.borrow();
        let sim = w.sim();
        narrator.borrow_mut().update(l, sim);
        // What the scenario's timeline entries printed goes to the terminal, as if typed.
        let log = w.log();
        let mut shown = shown_log.borrow_mut();
        if log.len() < *shown {
            *shown = log.len();
        }
        if log.len() > *shown {
            let mut term = term.borrow_mut();
            for entry in &log[*shown..] {
                if entry.console {
                    term.push(false, format!("$ {}", entry.what));
                } else if entry.what != "background jobs" {
                    term.push(false, format!("# {}", entry.what));
                }
                for line in entry.exit.stdout.lines() {
                    term.push(false, line);
                }
                for line in entry.exit.stderr.lines() {
                    term.push(true, line);
                }
            }
            *shown = log.len();
        }
        history.borrow_mut().observe(&w);
        if embed {
            host_link.borrow_mut().tick(&w, p.playing, frame);
        } else if frame % 30 == 0 {
            share::save(&w);
        }
        (
            sim.now(),
            w.horizon(),
            sim.trace().count(),
            sim.topic_names(false),
            sim.group_ids(),
        )
    };
    let panels = {
        let h = history.borrow();
        let current = PanelStamp {
            frame,
            trace_count,
            samples: h.samples().len(),
            last_sample_at: h.samples().last().map_or(0, |x| x.at),
            now,
            horizon,
        };
        let running = p.playing || p.seek_to.is_some();
        panel_clock.borrow_mut().stamp(current, running)
    };
    // While seeking, the stage too is drawn at the panels' pace: the slice of simulation each
    // frame runs gets the frame's time, not a picture nobody can follow. It is drawn the frame
    // after the panels, so no one frame has to draw everything.
    let stage_frame = if p.seek_to.is_none() {
        frame
    } else if frame == panels.frame {
        *seek_stage_frame.borrow()
    } else {
        panels.frame + 1
    };
    *seek_stage_frame.borrow_mut() = stage_frame;
    let u = ui.borrow().clone();
    let version = term.borrow().version;
    let term_rc: Rc<RefCell<TermLog>> = term.clone();
    let help = if u.help {
        let close = show_help.clone();
        let keys = [
            ("Space", Text::KeyPlay),
            ("→", Text::KeyStep),
            ("?", Text::KeyHelp),
            ("Esc", Text::KeyEscape),
            ("Tab", Text::KeyTab),
            ("Enter", Text::KeyEnter),
        ];
        html! {
            <div class="overlay" role="dialog" aria-modal="true" aria-labelledby="help-title">
                <div class="dialog">
                    <h2 id="help-title">{ t(l, Text::Shortcuts) }</h2>
                    <dl class="shortcuts">
                        { for keys.iter().map(|(k, what)| html! { <><dt><kbd>{ *k }</kbd></dt><dd>{ t(l, *what) }</dd></> }) }
                    </dl>
                    <button type="button" class="close-help" onclick={close}>{ t(l, Text::Close) }</button>
                </div>
            </div>
        }
    } else {
        html! {}
    };
    let banner = match &*problem {
        Some(pr) => {
            let (head, detail) = match pr {
                Problem::Link(e) => (t(l, Text::LinkProblem), link_problem(l, e)),
                Problem::Restore => (t(l, Text::RestoreProblem), String::new()),
            };
            html! {
                <div class="banner link-problem" role="alert">
                    <p><strong>{ head }</strong></p>
                    if !detail.is_empty() {
                        <p class="detail">{ detail }</p>
                    }
                    <button type="button" class="dismiss" onclick={dismiss}>{ t(l, Text::Close) }</button>
                </div>
            }
        }
        None => html! {},
    };
    let timeline = html! {
        <label class="timeline">
            <span class="sr-only">{ t(l, Text::Timeline) }</span>
            <input type="range" min="0" max={horizon.max(1).to_string()} step="1" value={now.to_string()}
                oninput={on_timeline} aria-label={t(l, Text::Timeline)} aria-valuetext={human(now)} />
        </label>
    };
    let seeking = p
        .seek_to
        .map(|_| html! { <span class="seeking" role="status">{ t(l, Text::Replaying) }</span> });
    let play_label = if p.seek_to.is_some() {
        t(l, Text::StopSeeking)
    } else if p.playing {
        t(l, Text::Pause)
    } else {
        t(l, Text::Play)
    };
    let clock = html! { <span class="clock" aria-live="off">{ format!("{}: {}", t(l, Text::SimTime), human(now)) }</span> };
    let stage = html! {
        <stage::Stage lang={l} world={world_rc.clone()} frame={stage_frame} selected={u.selected.clone()} on_select={on_select.clone()} reduced_motion={reduced_motion} chatter={*chatter} />
    };
    let classes = classes!(
        "app",
        format!("theme-{}", theme.name()),
        embed.then_some("embed"),
        (embed && opening.terminal).then_some("with-terminal")
    );
    if embed {
        let full = share::link(&world.borrow()).unwrap_or_else(|_| share::playground_base());
        return html! {
            <div class={classes} lang={l.tag()} data-theme={theme.name()}>
                <nav class="controls" aria-label={t(l, Text::Controls)}>
                    <button class="play" onclick={play_pause} aria-keyshortcuts="Space">{ play_label }</button>
                    <button class="step" onclick={step} aria-keyshortcuts="ArrowRight">{ t(l, Text::Step) }</button>
                    { timeline }
                    <>{ for seeking }</>
                    { clock }
                    <button class="lang" onclick={toggle_lang}>{ t(l, Text::SwitchLanguage) }</button>
                    <a class="open-full" href={full} target="_blank" rel="noopener" title={t(l, Text::OpenFullPlayground)}>{ "↗" }<span class="sr-only">{ t(l, Text::OpenFullPlayground) }</span></a>
                </nav>
                { banner }
                <main>
                    <div class="stage-area">{ stage }</div>
                    if opening.terminal {
                        <terminal::Terminal lang={l} world={world_rc} term={term_rc} version={version} />
                    }
                </main>
                <div class="sr-only narrator" aria-live="polite" role="status">{ narrator.borrow().text.clone() }</div>
                { help }
            </div>
        };
    }
    html! {
        <div class={classes} lang={l.tag()} data-theme={theme.name()}>
            <header class="topbar">
                <h1>{ t(l, Text::Title) }</h1>
                <p class="tagline">{ t(l, Text::Tagline) }</p>
                <button class="help" onclick={show_help} aria-keyshortcuts="?" title={t(l, Text::Shortcuts)}>{ "?" }</button>
                <button class="theme" onclick={toggle_theme} aria-pressed={(*theme == Theme::Dark).to_string()}>{ t(l, Text::DarkTheme) }</button>
                <button class="lang" onclick={toggle_lang}>{ t(l, Text::SwitchLanguage) }</button>
            </header>
            { banner }
            <nav class="controls" aria-label={t(l, Text::Controls)}>
                <button class="play" onclick={play_pause} aria-keyshortcuts="Space">{ play_label }</button>
                <button class="step" onclick={step} aria-keyshortcuts="ArrowRight">{ t(l, Text::Step) }</button>
                <span class="ff-group" role="group" aria-label={t(l, Text::FastForwardLabel)}>
                    <button class="ff" onclick={fast_forward(MINUTE)}>{ t(l, Text::FastForward) }</button>
                    <button class="ff-hour" onclick={fast_forward(HOUR)}>{ t(l, Text::FastForwardHour) }</button>
                    <button class="ff-day" onclick={fast_forward(DAY)}>{ t(l, Text::FastForwardDay) }</button>
                    <button class="ff-week" onclick={fast_forward(7 * DAY)}>{ t(l, Text::FastForwardWeek) }</button>
                </span>
                <button class="reset" onclick={reset}>{ t(l, Text::Reset) }</button>
                <label class="speed">
                    { t(l, Text::Speed) }
                    <input type="range" min="0" max={(SPEEDS.len() - 1).to_string()} value={speed_index.to_string()} oninput={on_speed} />
                    <output>{ speed_label(p.speed) }</output>
                </label>
                <label class="chatter">
                    <input type="checkbox" checked={*chatter} onchange={toggle_chatter} />
                    { t(l, Text::StageChatter) }
                </label>
                { timeline }
                <>{ for seeking }</>
                { clock }
            </nav>
            <main>
                <div class="stage-area">
                    <div class="view-switch" role="group" aria-label={t(l, Text::StageViews)}>
                        <button type="button" class="view-physical" aria-pressed={(!*logical).to_string()} onclick={{ let v = logical.clone(); move |_| v.set(false) }}>{ t(l, Text::ViewPhysical) }</button>
                        <button type="button" class="view-logical" aria-pressed={logical.to_string()} onclick={{ let v = logical.clone(); move |_| v.set(true) }}>{ t(l, Text::ViewLogical) }</button>
                    </div>
                    if *logical {
                        <topics_view::TopicsView lang={l} world={world_rc.clone()} frame={panels.frame} selected={u.selected.clone()} on_select={on_select.clone()} />
                    } else {
                        { stage }
                    }
                    if reduced_motion {
                        <p class="note">{ t(l, Text::ReducedMotionNote) }</p>
                    }
                    <markers::TimelineMarkers lang={l} history={history.clone()} now={panels.now} horizon={panels.horizon} on_seek={on_seek.clone()} />
                    <charts::Charts lang={l} history={history.clone()} samples={panels.samples} last_at={panels.last_sample_at} />
                </div>
                <aside class="side" aria-label={t(l, Text::SidePanels)}>
                    <lessons::LessonsPanel lang={l} world={world_rc.clone()} term={term_rc.clone()} frame={frame} on_open={on_open.clone()} />
                    if let Some(sel) = u.selected.clone() {
                        <inspector::Inspector lang={l} world={world_rc.clone()} term={term_rc.clone()} selection={sel} frame={panels.frame} on_close={on_close} />
                    } else {
                        <p class="panel inspector-hint">{ t(l, Text::InspectorHint) }</p>
                    }
                    <actions::Actions lang={l} world={world_rc.clone()} term={term_rc.clone()} topics={topics} groups={groups} version={version} />
                    <share::SharePanel lang={l} world={world_rc.clone()} term={term_rc.clone()} on_open={on_open} />
                    <guarantees::Guarantees lang={l} world={world_rc.clone()} count={panels.trace_count} on_seek={on_seek.clone()} />
                    <events::EventLog lang={l} world={world_rc.clone()} count={panels.trace_count} on_seek={on_seek.clone()} />
                    <sequence::SequenceChart lang={l} world={world_rc.clone()} count={panels.trace_count} />
                </aside>
                <terminal::Terminal lang={l} world={world_rc} term={term_rc} version={version} />
            </main>
            <div class="sr-only narrator" aria-live="polite" role="status">{ narrator.borrow().text.clone() }</div>
            { help }
            <footer class="footer">
                { format!("{} {} {}", t(l, Text::Title), t(l, Text::Version), crate::VERSION) }
            </footer>
        </div>
    }
}

/// Mounts the app on the document body (or, with `?bench`, runs the engine benchmark).
pub fn start() {
    panic::install();
    let search = share::search();
    if bench_page::requested(&search) {
        bench_page::run(&search);
        return;
    }
    yew::Renderer::<App>::new().render();
}
