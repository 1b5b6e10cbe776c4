//! The messages in flight, drawn outside Yew. A busy stage has ~500 of them, moving every
//! frame and ~90 arriving and leaving in each: as Yew children each frame rebuilt and compared
//! every dot's attributes, and wrote each position as text that the page then decoded. Here a
//! dot's circle and title are made once, a moving dot gets its two coordinates as numbers
//! (the `cx`/`cy` attributes follow them), and an arrived one is removed.

use std::collections::BTreeMap;
use wasm_bindgen::JsCast;
use web_sys::{Element, SvgCircleElement, SvgLength};

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

/// The circles in the stage's messages group, by message id.
#[derive(Default)]
pub(super) struct InFlight {
    drawn: BTreeMap<u64, Drawn>,
}

impl InFlight {
    /// Makes `group`'s circles this frame's `dots`: new ones appended in order, the others
    /// moved, the arrived removed. A browser refusing an operation costs that dot, not the page.
    pub(super) fn sync(&mut self, group: &Element, dots: &[Dot]) {
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
