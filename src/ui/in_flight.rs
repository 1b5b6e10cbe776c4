//! The messages in flight, drawn outside Yew. A busy stage has ~500 of them, moving every
//! frame and ~90 arriving and leaving in each: as Yew children each frame rebuilt and compared
//! every dot's attributes, and wrote each position as text that the page then decoded. Here a
//! dot's circle and title are made once, a moving dot gets its two coordinates as numbers
//! (the `cx`/`cy` attributes follow them), and an arrived one is removed.
//!
//! A busy picture paints its dots on a canvas instead: `cx` and `cy` are CSS properties, so
//! every moved circle was restyled, ~7.7 ms of a busy frame's ~29 on the slower machine. The
//! canvas has no titles to read; the dots take no pointer events either way.

use std::collections::BTreeMap;
use std::f64::consts::TAU;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, Element, HtmlCanvasElement, SvgCircleElement, SvgLength};

const SVG_NS: &str = "http://www.w3.org/2000/svg";

/// A message as the stage draws it this frame.
pub(super) struct Dot {
    pub id: u64,
    pub x: f64,
    pub y: f64,
    pub r: f64,
    pub fill: &'static str,
    pub stroke: &'static str,
    pub lost: bool,
    /// Its title's two pieces: the API, then " request" or " response".
    pub title: (&'static str, &'static str),
}

/// A circle on the page, and the lengths its position is written through.
struct Drawn {
    circle: Element,
    cx: SvgLength,
    cy: SvgLength,
    /// Where it was put last: a paused world, or a still marker (reduced motion), writes nothing.
    at: (f32, f32),
    lost: bool,
    /// Drawn in this frame's sync (the others have arrived).
    seen: bool,
}

/// The circles in the stage's messages group, by message id, or the canvas of a busy picture.
#[derive(Default)]
pub(super) struct InFlight {
    drawn: BTreeMap<u64, Drawn>,
    painted: Option<Painted>,
}

/// Where the stage draws its messages: a group for their circles, and an area over the whole
/// stage (a `foreignObject` of the stage's size in its units) for a busy picture's canvas.
pub(super) struct Layers<'a> {
    pub group: &'a Element,
    pub area: &'a Element,
    pub size: (f64, f64),
}

impl InFlight {
    /// Draws this frame's `dots`: painted on the canvas when `busy`, as circles otherwise.
    pub(super) fn draw(&mut self, on: Layers, dots: &[Dot], busy: bool, reduced: bool) {
        if busy {
            for (_, d) in std::mem::take(&mut self.drawn) {
                d.circle.remove();
            }
            if self.painted.is_none() {
                self.painted = Painted::new(on.area);
            }
            if let Some(p) = &mut self.painted {
                p.paint(on.area, on.size, dots, reduced);
            }
        } else {
            if let Some(p) = &mut self.painted {
                p.paint(on.area, on.size, &[], reduced);
            }
            self.sync(on.group, dots);
        }
    }

    /// Makes `group`'s circles this frame's `dots`: new ones appended in order, the others
    /// moved, the arrived removed. A browser refusing an operation costs that dot, not the page.
    fn sync(&mut self, group: &Element, dots: &[Dot]) {
        let Some(doc) = group.owner_document() else {
            return;
        };
        for d in dots {
            match self.drawn.get_mut(&d.id) {
                Some(on) => {
                    // Numbers, not text: nothing to format in WebAssembly or parse in the page.
                    let at = (d.x as f32, d.y as f32);
                    if on.at != at {
                        on.at = at;
                        let _ = on.cx.set_value(at.0);
                        let _ = on.cy.set_value(at.1);
                    }
                    if on.lost != d.lost {
                        on.lost = d.lost;
                        let _ = on.circle.set_attribute("class", class(d.lost));
                    }
                    on.seen = true;
                }
                None => {
                    if let Some(on) = draw(&doc, group, d) {
                        self.drawn.insert(d.id, on);
                    }
                }
            }
        }
        self.drawn.retain(|_, on| {
            let keep = std::mem::take(&mut on.seen);
            if !keep {
                on.circle.remove();
            }
            keep
        });
    }
}

fn class(lost: bool) -> &'static str {
    if lost {
        "msg lost"
    } else {
        "msg"
    }
}

/// A new dot's circle, with its title, appended to `group`.
fn draw(doc: &web_sys::Document, group: &Element, d: &Dot) -> Option<Drawn> {
    let circle = doc.create_element_ns(Some(SVG_NS), "circle").ok()?;
    let title = doc.create_element_ns(Some(SVG_NS), "title").ok()?;
    title.set_text_content(Some(&format!("{}{}", d.title.0, d.title.1)));
    circle.append_child(&title).ok()?;
    for (name, value) in [
        ("class", class(d.lost)),
        ("data-id", &d.id.to_string()),
        ("r", &crate::ui::svg::px(d.r)),
        ("fill", d.fill),
        ("stroke", d.stroke),
    ] {
        circle.set_attribute(name, value).ok()?;
    }
    let svg: &SvgCircleElement = circle.dyn_ref()?;
    let (cx, cy) = (svg.cx().base_val(), svg.cy().base_val());
    let at = (d.x as f32, d.y as f32);
    let _ = cx.set_value(at.0);
    let _ = cy.set_value(at.1);
    group.append_child(&circle).ok()?;
    Some(Drawn {
        circle,
        cx,
        cy,
        at,
        lost: d.lost,
        seen: true,
    })
}

/// A busy picture's canvas, the size of the stage on the screen in device pixels.
struct Painted {
    canvas: HtmlCanvasElement,
    ctx: CanvasRenderingContext2d,
    /// The bitmap's size, in device pixels.
    size: (u32, u32),
    /// What it shows: the same again (a paused world) is not painted again.
    shown: Vec<(u64, f32, f32, bool)>,
}

impl Painted {
    fn new(area: &Element) -> Option<Painted> {
        let doc = area.owner_document()?;
        let canvas: HtmlCanvasElement = doc.create_element("canvas").ok()?.dyn_into().ok()?;
        let ctx = canvas.get_context("2d").ok()??.dyn_into().ok()?;
        area.append_child(&canvas).ok()?;
        Some(Painted {
            canvas,
            ctx,
            size: (0, 0),
            shown: Vec::new(),
        })
    }

    /// Paints `dots` over an area of `units` (the stage's width and height in its own units).
    fn paint(&mut self, area: &Element, units: (f64, f64), dots: &[Dot], reduced: bool) {
        let shown: Vec<_> = dots
            .iter()
            .map(|d| (d.id, d.x as f32, d.y as f32, d.lost))
            .collect();
        // Reading the area's size lays the page out now rather than later in the frame: the
        // same work, except while calm, when nothing is painted and it is not read.
        let size = if shown.is_empty() && self.shown.is_empty() {
            self.size
        } else {
            let rect = area.get_bounding_client_rect();
            let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
            let device = |v: f64| (v * dpr).round().clamp(0.0, 8192.0) as u32;
            (device(rect.width()), device(rect.height()))
        };
        if size == self.size && shown == self.shown {
            return;
        }
        if size != self.size {
            self.size = size;
            self.canvas.set_width(size.0);
            self.canvas.set_height(size.1);
        }
        let ctx = &self.ctx;
        let _ = ctx.set_transform(
            size.0 as f64 / units.0,
            0.0,
            0.0,
            size.1 as f64 / units.1,
            0.0,
            0.0,
        );
        ctx.clear_rect(0.0, 0.0, units.0, units.1);
        // One path per look: a few dozen fills and strokes rather than one per dot. A request
        // is a disk (filled, with a 2-unit stroke of its own colour: radius + 1), a response a
        // ring, as the circles' style draws them.
        let mut order: Vec<&Dot> = dots.iter().collect();
        order.sort_by_key(|d| look(d));
        for run in order.chunk_by(|a, b| look(a) == look(b)) {
            let (lost, filled, colour) = look(run[0]);
            // As the style sheet's `.msg.lost` and `.reduced-motion .msg`.
            ctx.set_global_alpha(match (lost, reduced) {
                (true, _) => 0.35,
                (false, true) => 0.7,
                (false, false) => 1.0,
            });
            ctx.begin_path();
            for d in run {
                let r = if filled { d.r + 1.0 } else { d.r };
                ctx.move_to(d.x + r, d.y);
                let _ = ctx.arc(d.x, d.y, r, 0.0, TAU);
            }
            if filled {
                ctx.set_fill_style_str(colour);
                ctx.fill();
            } else {
                ctx.set_line_width(2.0);
                ctx.set_stroke_style_str(colour);
                ctx.stroke();
            }
        }
        if shown.len() != self.shown.len() {
            // What the benchmarks and tests count.
            let _ = self
                .canvas
                .set_attribute("data-dots", &shown.len().to_string());
        }
        self.shown = shown;
    }
}

/// How a dot looks on the canvas: lost or not, filled (a request) or a ring, and its colour.
fn look(d: &Dot) -> (bool, bool, &'static str) {
    (d.lost, d.fill != "none", d.stroke)
}
