//! Engine workloads: a busy cluster (throughput and how its cost grows) and a week of retention
//! fast-forwarded (wall time and peak heap).

use super::clock::Stopwatch;
use super::{alloc, cpu_seconds, Better, Figure, Scale};
use crate::engine::time::{Millis, DAY, HOUR, MINUTE, SECOND};
use crate::engine::view::ClientKind;
use crate::engine::{ClusterSpec, Command, Sim, WorkloadSpec};
use crate::ordered::CollectOrdered;
use serde_json::json;
use std::collections::BTreeMap;

const TOPIC: &str = "bench";

/// One cluster shape: 3 brokers, one topic, keyed producers, one consumer group.
#[derive(Clone, Debug)]
pub(crate) struct Shape {
    pub partitions: i32,
    pub producers: u32,
    /// Records per second each producer offers.
    pub rate: u32,
    pub keys: u32,
    pub consumers: u32,
    /// Topic configs (`retention.ms`, `segment.bytes`...).
    pub topic_configs: Vec<(&'static str, String)>,
    /// Broker config overrides (`log.retention.check.interval.ms`...).
    pub broker_configs: Vec<(&'static str, String)>,
}

fn map(pairs: &[(&str, String)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect_map()
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Builds the cluster, starts the clients, and runs until every consumer holds an assignment
/// (at most a simulated minute) so measurements start from a stable group.
pub(crate) fn build(shape: Shape) -> Result<Sim, String> {
    let spec = ClusterSpec {
        broker_overrides: map(&shape.broker_configs),
        ..ClusterSpec::default()
    };
    let mut sim = Sim::new(7, spec).map_err(err)?;
    sim.apply(Command::CreateTopic {
        name: TOPIC.into(),
        partitions: Some(shape.partitions),
        replication_factor: Some(3),
        configs: map(&shape.topic_configs),
        assignment: None,
    })
    .map_err(err)?;
    for c in 0..shape.consumers {
        sim.apply(Command::StartConsumer {
            name: format!("consumer-{c}"),
            group: Some("bench-group".into()),
            topics: vec![TOPIC.into()],
            assign: Vec::new(),
            start_offsets: BTreeMap::new(),
            configs: BTreeMap::new(),
            process_time_ms: 0,
        })
        .map_err(err)?;
    }
    // Checked every 100 simulated ms: building views after every event would dominate.
    let active = shape.consumers.min(shape.partitions.max(0) as u32) as usize;
    let deadline = sim.now() + MINUTE;
    while sim.now() < deadline {
        let assigned = sim
            .client_views()
            .iter()
            .filter(|v| v.kind == ClientKind::Consumer && !v.assignment.is_empty())
            .count();
        if assigned >= active {
            break;
        }
        sim.run_for(100);
    }
    for p in 0..shape.producers {
        sim.apply(Command::StartProducer {
            name: format!("producer-{p}"),
            // linger.ms 20 batches a few records per partition; see FALLBACK_RATE for why.
            configs: map(&[("acks", "all".into()), ("linger.ms", "20".into())]),
            workload: Some(WorkloadSpec {
                topic: TOPIC.into(),
                records_per_sec: shape.rate,
                keys: Some(shape.keys),
                max_records: None,
            }),
        })
        .map_err(err)?;
    }
    Ok(sim)
}

/// Producer acks and consumer records so far.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Counts {
    pub acked: u64,
    pub consumed: u64,
    pub events: u64,
}

pub(crate) fn counts(sim: &Sim) -> Counts {
    let mut c = Counts {
        events: sim.trace().count(),
        ..Counts::default()
    };
    for v in sim.client_views() {
        c.acked += v.acked;
        c.consumed += v.consumed;
    }
    c
}

/// A timed run over `span` simulated ms after `warmup`.
pub(crate) struct Measured {
    pub wall_s: f64,
    /// CPU seconds over the same span, when the OS reports them.
    pub cpu_s: Option<f64>,
    pub acked: u64,
    pub consumed: u64,
    pub events: u64,
    pub span_ms: Millis,
}

/// Events one simulated millisecond may hold before the run is called stuck.
const STUCK_EVENTS: u64 = 200_000;

/// `Sim::run_for`, but fails instead of spinning forever when simulated time stops advancing
/// (a client rescheduling itself at the current time without making progress).
pub(crate) fn run_guarded(sim: &mut Sim, d: Millis) -> Result<(), String> {
    let end = sim.now().saturating_add(d.max(0));
    let mut at = sim.now();
    let mut same = 0u64;
    while sim.step_until(end) {
        if sim.now() == at {
            same += 1;
            if same > STUCK_EVENTS {
                return Err(format!(
                    "livelock: more than {STUCK_EVENTS} events at simulated ms {at} without time advancing"
                ));
            }
        } else {
            at = sim.now();
            same = 0;
        }
    }
    sim.run_until(end);
    Ok(())
}

pub(crate) fn measure(shape: Shape, warmup: Millis, span: Millis) -> Result<Measured, String> {
    let mut sim = build(shape)?;
    run_guarded(&mut sim, warmup)?;
    let before = counts(&sim);
    let cpu_before = cpu_seconds();
    let start = Stopwatch::start();
    run_guarded(&mut sim, span)?;
    let wall_s = start.elapsed_s();
    let cpu_s = cpu_seconds().zip(cpu_before).map(|(a, b)| a - b);
    let after = counts(&sim);
    Ok(Measured {
        wall_s,
        cpu_s,
        acked: after.acked - before.acked,
        consumed: after.consumed - before.consumed,
        events: after.events - before.events,
        span_ms: span,
    })
}

/// Records per second each of the 4 producers offers: 1,000,000 in all, which the group of 4
/// consumers keeps up with (at `max.poll.records` 500 a poll).
const RATE_PER_PRODUCER: u32 = 250_000;

/// The growth figures compare costs, not peaks: a tenth of the rate keeps their runs short.
const GROWTH_RATE_PER_PRODUCER: u32 = 25_000;

/// Four keyed producers at `rate` and a group of `consumers`. Retention is bounded (4 MiB per
/// partition, in 1 MiB segments, checked every second from the first) as a long-running
/// cluster's would be: at a million records a second the default week would hold every record
/// in memory.
fn throughput_shape(partitions: i32, consumers: u32, rate: u32) -> Shape {
    Shape {
        partitions,
        producers: 4,
        rate,
        keys: 10_000,
        consumers,
        topic_configs: vec![
            ("retention.bytes", (4 << 20).to_string()),
            ("segment.bytes", (1 << 20).to_string()),
        ],
        broker_configs: vec![
            ("log.retention.check.interval.ms", "1000".to_string()),
            ("log.initial.task.delay.ms", "1000".to_string()),
        ],
    }
}

pub(crate) fn throughput(scale: Scale) -> Result<Vec<Figure>, String> {
    let (warmup, span, rate) = match scale {
        // Ten million records: long enough for retention to delete segments many times over.
        Scale::Full => (2 * SECOND, 10 * SECOND, RATE_PER_PRODUCER),
        // Still several records per producer each simulated ms.
        Scale::Tiny => (SECOND, 500, RATE_PER_PRODUCER / 100),
    };
    let m = measure(throughput_shape(12, 4, rate), warmup, span)?;
    let per_sec = m.consumed as f64 / m.wall_s.max(1e-9);
    Ok(vec![Figure::new(
        "engine_throughput",
        per_sec,
        "records/s",
        Some((5_000_000.0, Better::Higher)),
        json!({
            "simulated_ms": m.span_ms,
            "wall_s": m.wall_s,
            "cpu_s": m.cpu_s,
            "consumed_per_cpu_s": m.cpu_s.map(|c| m.consumed as f64 / c.max(1e-9)),
            "acked": m.acked,
            "consumed": m.consumed,
            "rate_per_producer": rate,
            "retention_bytes_per_partition": 4 << 20,
            "replicas_per_record": 3,
            "simulated_records_per_simulated_s": m.acked as f64 * 1000.0 / m.span_ms as f64,
            "trace_events": m.events,
            "trace_events_per_record": m.events as f64 / m.acked.max(1) as f64,
            "ns_per_record": m.wall_s * 1e9 / m.acked.max(1) as f64,
        }),
    )])
}

fn growth(
    name: &str,
    points: &[(i32, u32)],
    label: fn(i32, u32) -> u64,
    span: Millis,
) -> Result<Vec<Figure>, String> {
    let mut figures = Vec::new();
    let mut first_ns = None;
    for &(partitions, consumers) in points {
        let rate = GROWTH_RATE_PER_PRODUCER;
        let m = measure(throughput_shape(partitions, consumers, rate), SECOND, span)?;
        let ns = m.wall_s * 1e9 / m.acked.max(1) as f64;
        let base = *first_ns.get_or_insert(ns);
        figures.push(Figure::new(
            &format!("{name}_{}", label(partitions, consumers)),
            ns,
            "ns/record",
            None,
            json!({
                "partitions": partitions,
                "consumers": consumers,
                "rate_per_producer": rate,
                "simulated_ms": m.span_ms,
                "wall_s": m.wall_s,
                "acked": m.acked,
                "consumed": m.consumed,
                "trace_events_per_record": m.events as f64 / m.acked.max(1) as f64,
                "relative_to_first": ns / base.max(1e-9),
            }),
        ));
    }
    Ok(figures)
}

/// Cost per simulated record as the topic grows: 12 → 120 → 1,200 partitions (4 consumers).
pub(crate) fn growth_partitions(scale: Scale) -> Result<Vec<Figure>, String> {
    match scale {
        Scale::Full => growth(
            "growth_partitions",
            &[(12, 4), (120, 4), (1_200, 4)],
            |p, _| p as u64,
            20 * SECOND,
        ),
        Scale::Tiny => growth("growth_partitions", &[(3, 1), (6, 1)], |p, _| p as u64, 200),
    }
}

/// Cost per simulated record as the group grows: 4 → 40 → 400 consumers, on 400 partitions so
/// every consumer owns at least one.
pub(crate) fn growth_consumers(scale: Scale) -> Result<Vec<Figure>, String> {
    match scale {
        Scale::Full => growth(
            "growth_consumers",
            &[(400, 4), (400, 40), (400, 400)],
            |_, c| c as u64,
            20 * SECOND,
        ),
        Scale::Tiny => growth("growth_consumers", &[(4, 1), (4, 2)], |_, c| c as u64, 200),
    }
}

fn mb(bytes: i64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// Records each replica of the topic retains (leader's view: log end minus log start).
fn retained(sim: &Sim) -> i64 {
    sim.topic(TOPIC).map_or(0, |t| {
        t.partitions
            .iter()
            .map(|p| p.high_watermark().max(0) - p.log_start_offset().max(0))
            .sum()
    })
}

pub(crate) fn fast_forward_week(scale: Scale) -> Result<Vec<Figure>, String> {
    let (days, day, retention, segment) = match scale {
        Scale::Full => (7, DAY, DAY, HOUR),
        // Ten-minute "days" with the same shape: retention one "day", segments of 1/24.
        Scale::Tiny => (3, 2 * MINUTE, 2 * MINUTE, 5 * SECOND),
    };
    let shape = Shape {
        partitions: 6,
        producers: 1,
        rate: 10,
        keys: 1_000,
        consumers: 3,
        topic_configs: vec![
            ("retention.ms", retention.to_string()),
            ("segment.ms", segment.to_string()),
        ],
        broker_configs: Vec::new(),
    };
    let heap_before = alloc::current();
    alloc::reset_peak();
    let cpu_before = cpu_seconds();
    let start = Stopwatch::start();
    let mut sim = build(shape)?;
    let mut heap_by_day = Vec::new();
    for _ in 0..days {
        run_guarded(&mut sim, day)?;
        heap_by_day.push(mb(alloc::current() - heap_before));
    }
    let wall_s = start.elapsed_s();
    let cpu_s = cpu_seconds().zip(cpu_before).map(|(a, b)| a - b);
    let peak = alloc::peak() - heap_before;
    let c = counts(&sim);
    let retained = retained(&sim);
    let detail = json!({
        "simulated_days": days,
        "wall_s": wall_s,
        "cpu_s": cpu_s,
        "simulated_ms": days * day,
        "acked": c.acked,
        "consumed": c.consumed,
        "retained_records_per_replica": retained,
        "trace_events": c.events,
        "memory_counted": alloc::counting(),
        "peak_heap_mb": mb(peak),
        "heap_mb_by_day": heap_by_day,
    });
    let mut figures = vec![Figure::new(
        "fast_forward_week",
        wall_s,
        "s",
        Some((3.0, Better::Lower)),
        detail.clone(),
    )];
    if alloc::counting() {
        figures.push(Figure::new(
            "fast_forward_week_peak_memory",
            mb(peak),
            "MB",
            Some((200.0, Better::Lower)),
            detail,
        ));
    }
    Ok(figures)
}
