//! The flows band under the stage: the simulated database's tables, the Connect worker with its
//! connectors and the Kafka Streams apps (issue #8). Their clients are ordinary producers and
//! consumers, drawn with the others above; this band shows what only these applications have:
//! rows, connector state and position, operators and store contents. A flow event (a row
//! change, a record produced or written, a record processed) briefly highlights what it touched,
//! timed in simulated time like the message dots. Nothing is drawn until a table, connector or
//! streams app exists, so the default stage is unchanged.

use crate::engine::embedded::{ConnectorView, DbTableView, FlowEvent, FlowsView, StreamsAppView};
use crate::engine::time::Millis;
use crate::engine::trace::TraceEvent;
use crate::engine::Sim;
use crate::ui::i18n::Lang;
use crate::ui::svg::px;
use yew::prelude::*;

/// The band's left and right edges (the stage is 1200 wide).
const LEFT: f64 = 20.0;
const CONNECT_X: f64 = 420.0;
const STREAMS_X: f64 = 800.0;
const RIGHT: f64 = 1180.0;
/// Where the boxes start below the band's top.
const ITEMS_Y: f64 = 44.0;
const LINE: f64 = 16.0;
const TABLE_W: f64 = 185.0;
const TABLE_GAP: f64 = 10.0;
/// Rows drawn per table; the rest are counted.
const TABLE_ROWS: usize = 4;
/// Columns drawn per table.
const TABLE_COLS: usize = 3;
const CONNECTOR_H: f64 = 62.0;
/// Store entries drawn per store.
const STORE_ENTRIES: usize = 3;
/// How long (simulated ms) a flow event highlights what it touched.
const FLASH_MS: Millis = 900;

fn w(l: Lang, en: &'static str, id: &'static str) -> &'static str {
    match l {
        Lang::En => en,
        Lang::Id => id,
    }
}

/// `s` cut to about `room` pixels of 11 px text, with an ellipsis when cut.
pub fn fit(s: &str, room: f64) -> String {
    let max = ((room / 6.4) as usize).max(2);
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max - 1).collect();
        out.push('…');
        out
    }
}

/// The recent flow events, each with how strongly it still shows (1 new, fading to 0).
struct Flashes {
    events: Vec<(f64, FlowEvent)>,
}

impl Flashes {
    fn recent(sim: &Sim, reduced: bool) -> Flashes {
        let now = sim.now();
        let events = sim
            .trace()
            .recent()
            .rev()
            .take_while(|(at, _, _)| now - *at < FLASH_MS)
            .filter_map(|(at, _, e)| match e {
                TraceEvent::Flow(f) => {
                    // Reduced motion: a steady highlight for as long as it lasts, no fading.
                    let a = if reduced {
                        0.6
                    } else {
                        1.0 - (now - at) as f64 / FLASH_MS as f64
                    };
                    Some((a.clamp(0.0, 1.0), f.clone()))
                }
                _ => None,
            })
            .collect();
        Flashes { events }
    }

    /// The strongest highlight among the events `hit` matches (0: none).
    fn strength(&self, hit: impl Fn(&FlowEvent) -> bool) -> f64 {
        self.events
            .iter()
            .filter(|(_, e)| hit(e))
            .map(|(a, _)| *a)
            .fold(0.0, f64::max)
    }
}

fn flash(x: f64, y: f64, width: f64, height: f64, a: f64) -> Html {
    if a <= 0.0 {
        return html! {};
    }
    html! {
        <rect class="flow-flash" x={px(x)} y={px(y)} width={px(width)} height={px(height)} rx="4"
            style={format!("opacity:{a:.2}")} />
    }
}

fn table_height(t: &DbTableView) -> f64 {
    let shown = t.rows.len().min(TABLE_ROWS) as f64;
    let more = if t.rows.len() > TABLE_ROWS { LINE } else { 0.0 };
    let empty = if t.rows.is_empty() { LINE } else { 0.0 };
    26.0 + LINE + shown * LINE + more + empty + 8.0
}

fn table(l: Lang, t: &DbTableView, x: f64, y: f64, fl: &Flashes) -> Html {
    let h = table_height(t);
    let cols: Vec<&String> = t.columns.iter().take(TABLE_COLS).collect();
    let col_w = (TABLE_W - 16.0) / cols.len().max(1) as f64;
    let header = cols.iter().enumerate().map(|(i, c)| {
        html! {
            <text class="flow-col" x={px(x + 8.0 + i as f64 * col_w)} y={px(y + 26.0 + 11.0)}>{ fit(c, col_w - 4.0) }</text>
        }
    });
    let rows = t.rows.iter().take(TABLE_ROWS).enumerate().map(|(i, r)| {
        let ry = y + 26.0 + LINE * (i as f64 + 1.0);
        let key = r.get(&t.key).cloned().unwrap_or_default();
        let a = fl.strength(|e| matches!(e, FlowEvent::RowChanged { table, key: k, .. } if *table == t.name && *k == key));
        let cells = cols.iter().enumerate().map(|(j, c)| {
            let v = r.get(*c).map_or("", String::as_str);
            html! { <text class="detail" x={px(x + 8.0 + j as f64 * col_w)} y={px(ry + 11.0)}>{ fit(v, col_w - 4.0) }</text> }
        });
        let label: Vec<String> = t.columns.iter().map(|c| format!("{c}={}", r.get(c).map_or("", String::as_str))).collect();
        html! {
            <g class="flow-row" key={key.clone()} data-key={key.clone()} aria-label={label.join(", ")}>
                { flash(x + 3.0, ry - 1.0, TABLE_W - 6.0, LINE, a) }
                <>{ for cells }</>
            </g>
        }
    });
    let more = t.rows.len().saturating_sub(TABLE_ROWS);
    let tail_y = y + 26.0 + LINE * (t.rows.len().min(TABLE_ROWS) as f64 + 1.0) + 11.0;
    let tail = if t.rows.is_empty() {
        html! { <text class="detail" x={px(x + 8.0)} y={px(tail_y)}>{ w(l, "(no rows)", "(tanpa baris)") }</text> }
    } else if more > 0 {
        html! { <text class="detail" x={px(x + 8.0)} y={px(tail_y)}>{ format!("+{more} {}", w(l, "more rows", "baris lagi")) }</text> }
    } else {
        html! {}
    };
    // A deleted row is no longer drawn: the table itself flashes.
    let shown: Vec<String> = t
        .rows
        .iter()
        .take(TABLE_ROWS)
        .filter_map(|r| r.get(&t.key).cloned())
        .collect();
    let a = fl.strength(|e| matches!(e, FlowEvent::RowChanged { table, key, .. } if *table == t.name && !shown.contains(key)));
    html! {
        <g class="flow-table" key={t.name.clone()} data-table={t.name.clone()}
            aria-label={format!("{} {}: {} {}", w(l, "Table", "Tabel"), t.name, t.rows.len(), w(l, "rows", "baris"))}>
            <rect class="flow-box" x={px(x)} y={px(y)} width={px(TABLE_W)} height={px(h)} rx="8" />
            { flash(x, y, TABLE_W, h, a * 0.5) }
            <text class="name" x={px(x + 8.0)} y={px(y + 18.0)}>{ fit(&t.name, TABLE_W - 80.0) }</text>
            <text class="detail" x={px(x + TABLE_W - 8.0)} y={px(y + 18.0)} text-anchor="end">{ format!("LSN {}", t.last_lsn) }</text>
            <line class="flow-rule" x1={px(x + 6.0)} x2={px(x + TABLE_W - 6.0)} y1={px(y + 26.0 + LINE)} y2={px(y + 26.0 + LINE)} />
            <>{ for header }</>
            <>{ for rows }</>
            { tail }
        </g>
    }
}

fn state_class(state: &str) -> &'static str {
    match state {
        "RUNNING" => "running",
        "FAILED" => "failed",
        "REBALANCING" | "UNASSIGNED" | "PENDING_SHUTDOWN" | "STOPPING" => "changing",
        _ => "stopped",
    }
}

fn connector(l: Lang, c: &ConnectorView, x: f64, y: f64, width: f64, fl: &Flashes) -> Html {
    let a = fl.strength(|e| match e {
        FlowEvent::SourceRecord { connector, .. }
        | FlowEvent::SinkWrote { connector, .. }
        | FlowEvent::OffsetStored { connector, .. }
        | FlowEvent::OffsetLoaded { connector, .. }
        | FlowEvent::ConnectorState { connector, .. } => *connector == c.name,
        _ => false,
    });
    let source = c.kind == "source";
    let route = if source {
        format!("source · {} → {}", c.table, c.topic)
    } else {
        format!("sink · {} → {}", c.topic, c.table)
    };
    let lsn = |v: Option<i64>| v.map_or("–".to_string(), |n| n.to_string());
    let detail = if source {
        if c.loading {
            w(l, "reading connect-offsets…", "membaca connect-offsets…").to_string()
        } else {
            format!(
                "{} LSN {} · {} LSN {} · {} {}",
                w(l, "position", "posisi"),
                lsn(c.position),
                w(l, "stored", "tersimpan"),
                lsn(c.stored),
                c.records,
                w(l, "records", "record")
            )
        }
    } else {
        let committed: Vec<String> = c
            .committed
            .iter()
            .map(|(tp, o)| format!("p{}={o}", tp.partition))
            .collect();
        format!(
            "{} [{}] · {} {}",
            w(l, "committed", "di-commit"),
            committed.join(", "),
            c.records,
            w(l, "written", "ditulis")
        )
    };
    let state = c.state.clone();
    html! {
        <g class={classes!("flow-connector", state_class(&c.state))} key={c.name.clone()} data-connector={c.name.clone()}
            aria-label={format!("{} {} ({}): {}", w(l, "Connector", "Konektor"), c.name, c.kind, c.state)}>
            <rect class="flow-box" x={px(x)} y={px(y)} width={px(width)} height={px(CONNECTOR_H)} rx="8" />
            { flash(x, y, width, CONNECTOR_H, a * 0.55) }
            <text class="name" x={px(x + 10.0)} y={px(y + 18.0)}>{ fit(&c.name, width - 110.0) }</text>
            <text class="flow-state" x={px(x + width - 10.0)} y={px(y + 18.0)} text-anchor="end">{ state }
                if let Some(e) = &c.error { <title>{ e.clone() }</title> }
            </text>
            <text class="detail" x={px(x + 10.0)} y={px(y + 35.0)}>{ fit(&route, width - 20.0) }</text>
            <text class="detail" x={px(x + 10.0)} y={px(y + 51.0)}>{ fit(&detail, width - 20.0) }</text>
        </g>
    }
}

fn app_height(a: &StreamsAppView) -> f64 {
    20.0 + 4.0 * LINE + a.stores.len() as f64 * LINE + 10.0
}

fn streams_app(l: Lang, a: &StreamsAppView, x: f64, y: f64, width: f64, fl: &Flashes) -> Html {
    let h = app_height(a);
    let pulse = fl.strength(|e| match e {
        FlowEvent::Processed { app, .. }
        | FlowEvent::Restored { app, .. }
        | FlowEvent::StreamsState { app, .. } => *app == a.app,
        _ => false,
    });
    let restoring = a.instances.iter().any(|i| i.restoring);
    let route = format!("{} → {}", a.source, a.sink);
    let counts = format!(
        "{} {}/{} · {} {}",
        w(l, "instances", "instans"),
        a.instances.len(),
        a.instances_wanted,
        a.processed,
        w(l, "processed", "diproses")
    );
    let ops = a.ops.join(" → ");
    let stores = a.stores.iter().enumerate().map(|(i, (name, entries))| {
        let sy = y + 20.0 + 4.0 * LINE + i as f64 * LINE;
        let restored = fl.strength(|e| matches!(e, FlowEvent::Restored { app, store, .. } if *app == a.app && store == name));
        let mut shown: Vec<String> = entries.iter().take(STORE_ENTRIES).map(|(k, v)| format!("{k}={v}")).collect();
        if entries.len() > STORE_ENTRIES {
            shown.push(format!("+{}", entries.len() - STORE_ENTRIES));
        }
        let body = if restoring {
            w(l, "restoring from the changelog…", "dipulihkan dari changelog…").to_string()
        } else if shown.is_empty() {
            "{}".to_string()
        } else {
            format!("{{{}}}", shown.join(", "))
        };
        html! {
            <g class="flow-store" key={name.clone()} data-store={name.clone()}>
                { flash(x + 4.0, sy - 12.0, width - 8.0, LINE, restored) }
                <text class="detail" x={px(x + 10.0)} y={px(sy)}>{ fit(&format!("{} {name}: {body}", w(l, "store", "store")), width - 20.0) }</text>
            </g>
        }
    });
    html! {
        <g class={classes!("flow-app", state_class(&a.state))} key={a.app.clone()} data-app={a.app.clone()}
            aria-label={format!("{} {}: {}", w(l, "Streams app", "Aplikasi Streams"), a.app, a.state)}>
            <rect class="flow-box" x={px(x)} y={px(y)} width={px(width)} height={px(h)} rx="8" />
            { flash(x, y, width, h, pulse * 0.45) }
            <text class="name" x={px(x + 10.0)} y={px(y + 18.0)}>{ fit(&a.app, width - 130.0) }</text>
            <text class="flow-state" x={px(x + width - 10.0)} y={px(y + 18.0)} text-anchor="end">{ a.state.clone() }</text>
            <text class="detail" x={px(x + 10.0)} y={px(y + 20.0 + LINE)}>{ fit(&route, width - 20.0) }</text>
            <text class="detail" x={px(x + 10.0)} y={px(y + 20.0 + 2.0 * LINE)}>{ fit(&counts, width - 20.0) }</text>
            <text class="detail flow-ops" x={px(x + 10.0)} y={px(y + 20.0 + 3.0 * LINE)}>{ fit(&ops, width - 20.0) }<title>{ ops.clone() }</title></text>
            <>{ for stores }</>
        </g>
    }
}

/// What the band shows and where, worked out once per frame: the stage's height and, on frames
/// that redraw it, the band's drawing both read it.
pub struct Plan {
    view: FlowsView,
    at: Placement,
}

impl Plan {
    /// `None` while there is nothing to draw (no table, connector or streams app).
    pub fn of(sim: &Sim) -> Option<Plan> {
        let view = sim.flows_view();
        if view.tables.is_empty() && view.connectors.is_empty() && view.streams.is_empty() {
            return None;
        }
        let at = Placement::of(&view);
        Some(Plan { view, at })
    }

    /// How tall the band is.
    pub fn height(&self) -> f64 {
        self.at.height
    }
}

/// A connector's box and the gap under it.
const CONNECTOR_STEP: f64 = CONNECTOR_H + 8.0;
/// A Streams app's gap under it.
const APP_GAP: f64 = 8.0;

/// Where the band's items go, from the band's top: tables two abreast in rows as tall as their
/// tallest table, connectors stacked, streams apps stacked. The band is as tall as its tallest
/// column.
struct Placement {
    /// Each table's top-left corner.
    tables: Vec<(f64, f64)>,
    /// Each connector's top.
    connectors: Vec<f64>,
    /// Each streams app's top.
    apps: Vec<f64>,
    height: f64,
}

impl Placement {
    fn of(v: &FlowsView) -> Placement {
        let mut tables = Vec::new();
        let mut db_h: f64 = 0.0;
        for pair in v.tables.chunks(2) {
            for i in 0..pair.len() {
                tables.push((LEFT + i as f64 * (TABLE_W + TABLE_GAP), ITEMS_Y + db_h));
            }
            db_h += pair.iter().map(table_height).fold(0.0, f64::max) + TABLE_GAP;
        }
        let connectors: Vec<f64> = (0..v.connectors.len())
            .map(|i| ITEMS_Y + i as f64 * CONNECTOR_STEP)
            .collect();
        let connect_h = connectors.len() as f64 * CONNECTOR_STEP;
        let mut apps = Vec::new();
        let mut streams_h = 0.0;
        for a in &v.streams {
            apps.push(ITEMS_Y + streams_h);
            streams_h += app_height(a) + APP_GAP;
        }
        Placement {
            tables,
            connectors,
            apps,
            height: ITEMS_Y + db_h.max(connect_h).max(streams_h) + 12.0,
        }
    }
}

/// The band `plan` holds, drawn from `top` down ([`Plan::height`] tall).
pub fn band(l: Lang, sim: &Sim, plan: &Plan, top: f64, reduced: bool) -> Html {
    let Plan { view: v, at } = plan;
    let fl = Flashes::recent(sim, reduced);
    let tables = v
        .tables
        .iter()
        .zip(&at.tables)
        .map(|(t, &(x, y))| table(l, t, x, top + y, &fl));
    let connect_w = STREAMS_X - CONNECT_X - 20.0;
    let connectors = v
        .connectors
        .iter()
        .zip(&at.connectors)
        .map(|(c, &y)| connector(l, c, CONNECT_X, top + y, connect_w, &fl));
    let streams_w = RIGHT - STREAMS_X;
    let apps = v
        .streams
        .iter()
        .zip(&at.apps)
        .map(|(a, &y)| streams_app(l, a, STREAMS_X, top + y, streams_w, &fl));

    html! {
        <g class="flows" aria-label={w(l, "Database, Kafka Connect and Kafka Streams", "Database, Kafka Connect dan Kafka Streams")}>
            <line class="flow-rule" x1={px(LEFT)} x2={px(RIGHT)} y1={px(top + 6.0)} y2={px(top + 6.0)} />
            <text class="region-title" x={px(LEFT)} y={px(top + 30.0)}>{ w(l, "Database", "Database") }</text>
            <text class="region-title" x={px(CONNECT_X)} y={px(top + 30.0)}>{ w(l, "Connect worker", "Worker Connect") }</text>
            <text class="region-title" x={px(STREAMS_X)} y={px(top + 30.0)}>{ "Kafka Streams" }</text>
            <>{ for tables }</>
            <>{ for connectors }</>
            <>{ for apps }</>
        </g>
    }
}
