//! The lessons panel: pick a guided lesson (lessons/*.json, docs/lessons.md), read the current
//! step in the page's language, and do it in the terminal or with the forms. The step advances
//! by itself when its condition holds in the simulation ([`Progress::update`] every frame);
//! "show me" runs the step's solution lines in the terminal, echoed as if typed.

use super::i18n::Lang;
use super::prefs;
use super::run::{run_line, TermLog};
use crate::scenario::lesson::{catalog, BrokenLesson, Lesson, Locale, Progress};
use crate::scenario::Session;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// `localStorage` keys (after the prefs prefix): the open lesson and its stage, so that a
/// reload (which restores the session) goes on with the lesson.
const SAVED_LESSON: &str = "lesson";
const SAVED_STAGE: &str = "lesson-stage";

fn locale(l: Lang) -> Locale {
    match l {
        Lang::En => Locale::En,
        Lang::Id => Locale::Id,
    }
}

/// The panel's own texts.
#[derive(Clone, Copy)]
enum Word {
    Lessons,
    Choose,
    Start,
    ShowMe,
    Hint,
    Check,
    Done,
    Close,
    Restart,
    Next,
    Broken,
    StepPassed,
}

fn w(l: Lang, word: Word) -> &'static str {
    match (l, word) {
        (Lang::En, Word::Lessons) => "Lessons",
        (Lang::Id, Word::Lessons) => "Pelajaran",
        (Lang::En, Word::Choose) => "Choose a lesson",
        (Lang::Id, Word::Choose) => "Pilih pelajaran",
        (Lang::En, Word::Start) => "Start lesson",
        (Lang::Id, Word::Start) => "Mulai pelajaran",
        (Lang::En, Word::ShowMe) => "Show me",
        (Lang::Id, Word::ShowMe) => "Tunjukkan caranya",
        (Lang::En, Word::Hint) => "Hint",
        (Lang::Id, Word::Hint) => "Petunjuk",
        (Lang::En, Word::Check) => "Final check",
        (Lang::Id, Word::Check) => "Uji akhir",
        (Lang::En, Word::Done) => "Lesson complete",
        (Lang::Id, Word::Done) => "Pelajaran selesai",
        (Lang::En, Word::Close) => "Close lesson",
        (Lang::Id, Word::Close) => "Tutup pelajaran",
        (Lang::En, Word::Restart) => "Restart",
        (Lang::Id, Word::Restart) => "Ulangi",
        (Lang::En, Word::Next) => "Next lesson",
        (Lang::Id, Word::Next) => "Pelajaran berikutnya",
        (Lang::En, Word::Broken) => "Lesson files that could not be loaded",
        (Lang::Id, Word::Broken) => "Berkas pelajaran yang tidak bisa dimuat",
        (Lang::En, Word::StepPassed) => "Step done",
        (Lang::Id, Word::StepPassed) => "Langkah selesai",
    }
}

fn step_of(l: Lang, n: usize, of: usize) -> String {
    match l {
        Lang::En => format!("Step {n} of {of}"),
        Lang::Id => format!("Langkah {n} dari {of}"),
    }
}

/// A lesson text with `code` spans.
fn rich(text: &str) -> Html {
    html! {
        { for text.split('`').enumerate().map(|(i, part)| if i % 2 == 1 {
            html! { <code>{ part }</code> }
        } else {
            html! { { part } }
        }) }
    }
}

/// The open lesson.
struct Active {
    index: usize,
    progress: Progress,
}

/// What the panel keeps between frames.
struct State {
    lessons: Vec<Lesson>,
    broken: Vec<BrokenLesson>,
    chosen: usize,
    active: Option<Active>,
    /// Said to screen readers when a step is passed.
    announce: String,
}

impl State {
    fn load(world: &Session) -> State {
        let (lessons, broken) = catalog();
        let mut s = State {
            lessons,
            broken,
            chosen: 0,
            active: None,
            announce: String::new(),
        };
        // A reload restores the session: go on with the lesson it was in.
        let saved = prefs::load(SAVED_LESSON).filter(|id| !id.is_empty());
        if let Some(index) = saved.and_then(|id| s.lessons.iter().position(|l| l.id == id)) {
            let stage: usize = prefs::load(SAVED_STAGE)
                .and_then(|x| x.parse().ok())
                .unwrap_or(0);
            let mut progress = Progress::new(world.sim());
            for _ in 0..stage.min(s.lessons[index].stage_count()) {
                progress.skip(world.sim());
            }
            s.chosen = index;
            s.active = Some(Active { index, progress });
        }
        s
    }
}

fn save(state: &State) {
    match &state.active {
        Some(a) => {
            prefs::save(SAVED_LESSON, &state.lessons[a.index].id);
            prefs::save(SAVED_STAGE, &a.progress.stage().to_string());
        }
        None => prefs::save(SAVED_LESSON, ""),
    }
}

#[derive(Properties)]
pub struct LessonsProps {
    pub lang: Lang,
    pub world: Rc<RefCell<Session>>,
    pub term: Rc<RefCell<TermLog>>,
    /// Changes every animation frame: the condition is checked as the world runs.
    pub frame: u64,
    /// The world was replaced (a lesson started): the page clears its selection and plays.
    pub on_open: Callback<()>,
}

impl PartialEq for LessonsProps {
    fn eq(&self, other: &Self) -> bool {
        self.lang == other.lang
            && self.frame == other.frame
            && Rc::ptr_eq(&self.world, &other.world)
            && Rc::ptr_eq(&self.term, &other.term)
    }
}

#[component]
pub fn LessonsPanel(props: &LessonsProps) -> Html {
    let state = {
        let world = props.world.clone();
        use_mut_ref(move || State::load(&world.borrow()))
    };
    let redraw = use_force_update();
    let l = props.lang;
    let loc = locale(l);

    // Feed the lines run since the last frame, then check the current condition.
    {
        let ran = std::mem::take(&mut props.term.borrow_mut().ran);
        let mut st = state.borrow_mut();
        let State {
            lessons,
            active,
            announce,
            ..
        } = &mut *st;
        if let Some(a) = active.as_mut() {
            for r in ran {
                a.progress.note_line(r.at_ms, &r.line, r.code);
            }
            let lesson = &lessons[a.index];
            let world = props.world.borrow();
            if a.progress.update(lesson, world.sim()) {
                *announce = if a.progress.finished(lesson) {
                    w(l, Word::Done).to_string()
                } else {
                    format!(
                        "{}. {}",
                        w(l, Word::StepPassed),
                        step_of(l, a.progress.stage() + 1, lesson.stage_count())
                    )
                };
                drop(world);
                save(&st);
            }
        }
    }

    let start = |index: usize| {
        let state = state.clone();
        let world = props.world.clone();
        let term = props.term.clone();
        let on_open = props.on_open.clone();
        let redraw = redraw.clone();
        Callback::from(move |_: MouseEvent| {
            let mut st = state.borrow_mut();
            let Some(lesson) = st.lessons.get(index) else {
                return;
            };
            let mut w = world.borrow_mut();
            if w.load(lesson.scenario.clone()).is_err() {
                return;
            }
            {
                let mut t = term.borrow_mut();
                t.ran.clear();
                t.push(
                    false,
                    format!("# {}. {}", lesson.number, lesson.title.get(loc)),
                );
            }
            let progress = Progress::new(w.sim());
            drop(w);
            st.chosen = index;
            st.active = Some(Active { index, progress });
            st.announce.clear();
            save(&st);
            drop(st);
            on_open.emit(());
            redraw.force_update();
        })
    };
    let close = {
        let state = state.clone();
        let redraw = redraw.clone();
        Callback::from(move |_: MouseEvent| {
            let mut st = state.borrow_mut();
            st.active = None;
            save(&st);
            redraw.force_update();
        })
    };
    let on_choose = {
        let state = state.clone();
        let redraw = redraw.clone();
        Callback::from(move |e: Event| {
            // (web-sys's HtmlSelectElement is not among the crate's enabled features.)
            let value = e
                .target()
                .and_then(|t| js_sys::Reflect::get(&t, &"value".into()).ok())
                .and_then(|v| v.as_string())
                .unwrap_or_default();
            if let Ok(i) = value.parse::<usize>() {
                state.borrow_mut().chosen = i;
                redraw.force_update();
            }
        })
    };
    let show_me = {
        let state = state.clone();
        let world = props.world.clone();
        let term = props.term.clone();
        let redraw = redraw.clone();
        Callback::from(move |_: MouseEvent| {
            let lines = {
                let st = state.borrow();
                let Some(a) = &st.active else { return };
                st.lessons[a.index]
                    .stage(a.progress.stage())
                    .map(|s| s.solution.clone())
                    .unwrap_or_default()
            };
            for line in lines {
                run_line(&world, &term, &line, false);
            }
            redraw.force_update();
        })
    };

    let st = state.borrow();
    let broken = if st.broken.is_empty() {
        html! {}
    } else {
        html! {
            <details class="lesson-broken">
                <summary>{ w(l, Word::Broken) }</summary>
                <ul>
                    { for st.broken.iter().flat_map(|b| b.errors.iter().map(move |e| html! {
                        <li><code>{ format!("{}: {e}", b.file) }</code></li>
                    })) }
                </ul>
            </details>
        }
    };
    let body = match &st.active {
        None => {
            let chosen = st.lessons.get(st.chosen);
            html! {
                <>
                    <label class="lesson-picker">
                        { w(l, Word::Choose) }
                        <select onchange={on_choose} aria-label={w(l, Word::Choose)}>
                            { for st.lessons.iter().enumerate().map(|(i, lesson)| html! {
                                <option value={i.to_string()} selected={i == st.chosen}>
                                    { format!("{}. {}", lesson.number, lesson.title.get(loc)) }
                                </option>
                            }) }
                        </select>
                    </label>
                    if let Some(lesson) = chosen {
                        <p class="lesson-summary">{ lesson.summary.get(loc) }</p>
                        <button type="button" class="lesson-start" onclick={start(st.chosen)}>{ w(l, Word::Start) }</button>
                    }
                </>
            }
        }
        Some(a) => {
            let lesson = &st.lessons[a.index];
            let stage = a.progress.stage();
            let total = lesson.stage_count();
            let finished = a.progress.finished(lesson);
            let heading = if finished {
                w(l, Word::Done).to_string()
            } else if stage == lesson.steps.len() {
                w(l, Word::Check).to_string()
            } else {
                step_of(l, stage + 1, total)
            };
            let next = (a.index + 1 < st.lessons.len()).then(|| a.index + 1);
            html! {
                <>
                    <p class="lesson-title"><strong>{ format!("{}. {}", lesson.number, lesson.title.get(loc)) }</strong></p>
                    <progress class="lesson-progress" max={total.to_string()} value={stage.min(total).to_string()}
                        aria-label={heading.clone()}></progress>
                    <h3 class="lesson-stage" data-stage={stage.to_string()}>{ heading }</h3>
                    if finished {
                        <p class="lesson-text lesson-done">{ rich(lesson.done.get(loc)) }</p>
                    } else if let Some(step) = lesson.stage(stage) {
                        <p class="lesson-text">{ rich(step.text.get(loc)) }</p>
                        if let Some(h) = &step.hint {
                            <details class="lesson-hint">
                                <summary>{ w(l, Word::Hint) }</summary>
                                <p>{ rich(h.get(loc)) }</p>
                            </details>
                        }
                        <button type="button" class="lesson-show-me" onclick={show_me}>{ w(l, Word::ShowMe) }</button>
                    }
                    <div class="lesson-buttons">
                        <button type="button" class="lesson-restart" onclick={start(a.index)}>{ w(l, Word::Restart) }</button>
                        { " " }
                        if let (true, Some(n)) = (finished, next) {
                            <button type="button" class="lesson-next" onclick={start(n)}>{ w(l, Word::Next) }</button>
                            { " " }
                        }
                        <button type="button" class="lesson-close" onclick={close}>{ w(l, Word::Close) }</button>
                    </div>
                </>
            }
        }
    };
    html! {
        <section class="panel lessons-panel" aria-labelledby="lessons-title">
            <h2 id="lessons-title">{ w(l, Word::Lessons) }</h2>
            { body }
            { broken }
            <div class="sr-only" aria-live="polite" role="status">{ st.announce.clone() }</div>
        </section>
    }
}
