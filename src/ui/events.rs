//! The event log: the engine's trace told in sentences (both languages), filterable by kind.
//! Chatter (every message sent, every append, every high-watermark move) is left out: it is
//! what the stage animates, not what a learner wants to read.

use super::i18n::{t, Lang, Text};
use crate::engine::embedded::FlowEvent;
use crate::engine::log::DeletionReason;
use crate::engine::time::human;
use crate::engine::trace::TraceEvent;
use crate::scenario::Session;
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;
use yew::prelude::*;

/// What the log can be filtered by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Replication,
    Groups,
    Topics,
    Logs,
    Clients,
    Errors,
    Commands,
}

pub const KINDS: [Kind; 7] = [
    Kind::Replication,
    Kind::Groups,
    Kind::Topics,
    Kind::Logs,
    Kind::Clients,
    Kind::Errors,
    Kind::Commands,
];

impl Kind {
    pub fn label(self, l: Lang) -> &'static str {
        t(
            l,
            match self {
                Kind::Replication => Text::KindReplication,
                Kind::Groups => Text::KindGroups,
                Kind::Topics => Text::KindTopics,
                Kind::Logs => Text::KindLogs,
                Kind::Clients => Text::KindClients,
                Kind::Errors => Text::KindErrors,
                Kind::Commands => Text::KindCommands,
            },
        )
    }

    fn class(self) -> &'static str {
        match self {
            Kind::Replication => "replication",
            Kind::Groups => "groups",
            Kind::Topics => "topics",
            Kind::Logs => "logs",
            Kind::Clients => "clients",
            Kind::Errors => "errors",
            Kind::Commands => "commands",
        }
    }
}

/// The kind of an event, or `None` for chatter the log hides.
pub fn kind_of(e: &TraceEvent) -> Option<Kind> {
    use TraceEvent::*;
    match e {
        MessageSent { .. }
        | Appended { .. }
        | HighWatermark { .. }
        | ProduceAcked { .. }
        | Consumed { .. }
        | OffsetsCommitted { .. } => None,
        GroupState { .. }
        | MemberJoined { .. }
        | MemberRemoved { .. }
        | Rebalanced { .. }
        | OffsetsExpired { .. } => Some(Kind::Groups),
        TopicCreated { .. }
        | TopicDeleted { .. }
        | PartitionsAdded { .. }
        | ConfigChanged { .. } => Some(Kind::Topics),
        SegmentRolled { .. } | SegmentsDeleted { .. } | Compacted { .. } => Some(Kind::Logs),
        ClientStarted { .. }
        | ClientStopped { .. }
        | OffsetReset { .. }
        | TruncationDetected { .. } => Some(Kind::Clients),
        BrokerState { .. } | IsrChanged { .. } | LeaderElected { .. } | Truncated { .. } => {
            Some(Kind::Replication)
        }
        ProduceFailed { .. }
        | OffsetCommitFailed { .. }
        | AckedRecordLost { .. }
        | Violation { .. } => Some(Kind::Errors),
        RequestTimedOut { .. } | NetworkChanged { .. } | ControllerState { .. } => {
            Some(Kind::Replication)
        }
        Command { .. } => Some(Kind::Commands),
        // One per record, like `Consumed` and `OffsetsCommitted`: the stage shows them.
        Flow(FlowEvent::Processed { .. } | FlowEvent::Committed { .. }) => None,
        Flow(_) => Some(Kind::Clients),
    }
}

/// A connector's or streams app's event as a sentence (English: the engine's own words).
fn flow_sentence(l: Lang, f: &FlowEvent) -> String {
    if l == Lang::En {
        return f.describe();
    }
    match f {
        FlowEvent::TableCreated { table, key } => {
            format!("Tabel {table} dibuat (kunci primer {key})")
        }
        FlowEvent::RowChanged {
            table,
            lsn,
            op,
            key,
        } => {
            let what = match op.as_str() {
                "c" => "ditambahkan ke",
                "u" => "diubah di",
                "d" => "dihapus dari",
                _ => "berubah di",
            };
            format!("Baris {key} {what} {table} (op {op}, LSN {lsn})")
        }
        FlowEvent::ConnectorState { connector, state } => {
            format!("Konektor {connector}: {state}")
        }
        FlowEvent::SourceRecord {
            connector,
            lsn,
            op,
            topic,
            ..
        } => format!("{connector}: perubahan LSN {lsn} ({op}) → {topic}"),
        FlowEvent::OffsetStored { connector, lsn } => {
            format!("{connector}: posisi LSN {lsn} disimpan di connect-offsets")
        }
        FlowEvent::OffsetLoaded { connector, lsn } => match lsn {
            Some(n) => format!("{connector}: melanjutkan setelah LSN {n} (dari connect-offsets)"),
            None => format!("{connector}: belum ada posisi tersimpan; dimulai dengan snapshot"),
        },
        FlowEvent::SinkWrote {
            connector,
            tp,
            offset,
            table,
            op,
        } => format!("{connector}: {tp}@{offset} → {table} ({op})"),
        FlowEvent::StreamsState { app, state } => format!("Aplikasi Streams {app}: {state}"),
        FlowEvent::Processed {
            app,
            tp,
            offset,
            outputs,
        } => format!("{app} memproses {tp}@{offset} ({outputs} keluaran)"),
        FlowEvent::Restored {
            app,
            store,
            partition,
            records,
        } => format!(
            "{app}: store {store} partisi {partition} dipulihkan dari changelog ({records} record)"
        ),
        FlowEvent::Committed {
            app,
            group,
            offsets,
        } => format!("{app}: grup {group} meng-commit {} offset", offsets.len()),
    }
}

fn reason(l: Lang, r: &DeletionReason) -> &'static str {
    match (r, l) {
        (DeletionReason::RetentionTime, _) => "retention.ms",
        (DeletionReason::RetentionSize, _) => "retention.bytes",
        (DeletionReason::LogStartOffsetBreach, Lang::En) => "below the log start offset",
        (DeletionReason::LogStartOffsetBreach, Lang::Id) => "di bawah log start offset",
    }
}

/// One event as a sentence in Kafka's words.
pub fn sentence(l: Lang, e: &TraceEvent) -> String {
    use TraceEvent::*;
    let en = l == Lang::En;
    match e {
        Command { text } => {
            if en {
                format!("Command: {text}")
            } else {
                format!("Perintah: {text}")
            }
        }
        TopicCreated { topic, replicas } => {
            let rf = replicas.first().map_or(0, Vec::len);
            if en {
                format!(
                    "Topic {topic} created: {} partitions, replication factor {rf}",
                    replicas.len()
                )
            } else {
                format!(
                    "Topik {topic} dibuat: {} partisi, faktor replikasi {rf}",
                    replicas.len()
                )
            }
        }
        TopicDeleted { topic } => {
            if en {
                format!("Topic {topic} deleted")
            } else {
                format!("Topik {topic} dihapus")
            }
        }
        PartitionsAdded { topic, total } => {
            if en {
                format!("Topic {topic} now has {total} partitions")
            } else {
                format!("Topik {topic} kini punya {total} partisi")
            }
        }
        ConfigChanged {
            entity,
            name,
            value,
        } => match (value, en) {
            (Some(v), true) => format!("{entity}: {name} set to {v}"),
            (Some(v), false) => format!("{entity}: {name} diubah menjadi {v}"),
            (None, true) => format!("{entity}: {name} back to its default"),
            (None, false) => format!("{entity}: {name} kembali ke nilai bawaan"),
        },
        SegmentRolled {
            tp,
            broker,
            base_offset,
        } => {
            if en {
                format!("Broker {broker} rolled a new segment of {tp} at offset {base_offset}")
            } else {
                format!("Broker {broker} membuka segmen baru {tp} di offset {base_offset}")
            }
        }
        SegmentsDeleted {
            tp,
            broker,
            base_offsets,
            reason: r,
            log_start_offset,
        } => {
            let n = base_offsets.len();
            if en {
                format!(
                    "Broker {broker} deleted {n} segment{} of {tp} ({}); log start offset is now {log_start_offset}",
                    if n == 1 { "" } else { "s" },
                    reason(l, r)
                )
            } else {
                format!(
                    "Broker {broker} menghapus {n} segmen {tp} ({}); log start offset kini {log_start_offset}",
                    reason(l, r)
                )
            }
        }
        Compacted {
            tp,
            broker,
            removed,
        } => {
            if en {
                format!("Broker {broker} compacted {tp}: {removed} older records with the same key removed")
            } else {
                format!(
                    "Broker {broker} memadatkan {tp}: {removed} record lama berkunci sama dibuang"
                )
            }
        }
        ProduceFailed {
            client,
            tp,
            error,
            count,
        } => {
            if en {
                format!(
                    "{client}: {count} record(s) to {tp} failed with {}",
                    error.name()
                )
            } else {
                format!(
                    "{client}: {count} record ke {tp} gagal dengan {}",
                    error.name()
                )
            }
        }
        OffsetCommitFailed {
            client,
            group,
            exception,
        } => {
            if en {
                format!("{client}: commit to group {group} failed with {exception}")
            } else {
                format!("{client}: commit ke grup {group} gagal dengan {exception}")
            }
        }
        TruncationDetected {
            client,
            tp,
            position,
            diverging,
        } => match (en, diverging) {
            (true, Some(d)) => format!(
                "{client}: truncation detected on {tp} at offset {position}: the new leader's log diverges from {d}"
            ),
            (true, None) => format!(
                "{client}: truncation detected on {tp} at offset {position}: the new leader has no record of its epoch"
            ),
            (false, Some(d)) => format!(
                "{client}: truncation terdeteksi di {tp} pada offset {position}: log leader baru berbeda mulai {d}"
            ),
            (false, None) => format!(
                "{client}: truncation terdeteksi di {tp} pada offset {position}: leader baru tidak mengenal epoch-nya"
            ),
        },
        OffsetReset {
            client,
            tp,
            from,
            to,
            policy,
        } => {
            if en {
                format!("{client}: position on {tp} reset from {from} to {to} (auto.offset.reset={policy})")
            } else {
                format!("{client}: posisi di {tp} direset dari {from} ke {to} (auto.offset.reset={policy})")
            }
        }
        OffsetsExpired { group, partitions } => {
            if en {
                format!(
                    "Group {group}: committed offsets of {} partition(s) expired",
                    partitions.len()
                )
            } else {
                format!(
                    "Grup {group}: offset ter-commit untuk {} partisi kedaluwarsa",
                    partitions.len()
                )
            }
        }
        GroupState {
            group,
            from,
            to,
            reason,
        } => {
            // The reason is the coordinator's log line, which Kafka writes in English.
            let why = reason
                .as_deref()
                .map_or(String::new(), |r| format!(" ({r})"));
            if en {
                format!("Group {group}: {from} → {to}{why}")
            } else {
                format!("Grup {group}: {from} → {to}{why}")
            }
        }
        MemberJoined { group, member } => {
            if en {
                format!("{member} joined group {group}")
            } else {
                format!("{member} bergabung ke grup {group}")
            }
        }
        MemberRemoved {
            group,
            member,
            reason,
        } => {
            if en {
                format!("{member} left group {group} ({reason})")
            } else {
                format!("{member} keluar dari grup {group} ({reason})")
            }
        }
        Rebalanced {
            group,
            generation,
            protocol,
            assignment,
        } => {
            let parts: Vec<String> = assignment
                .iter()
                .map(|(m, tps)| {
                    let ps: Vec<String> = tps.iter().map(|tp| tp.to_string()).collect();
                    let ps = if ps.is_empty() {
                        "—".to_string()
                    } else {
                        ps.join(", ")
                    };
                    format!("{m}: {ps}")
                })
                .collect();
            if en {
                format!(
                    "Group {group} rebalanced (generation {generation}, {protocol}): {}",
                    parts.join("; ")
                )
            } else {
                format!(
                    "Grup {group} selesai rebalance (generasi {generation}, {protocol}): {}",
                    parts.join("; ")
                )
            }
        }
        ClientStarted { client, kind } => {
            if en {
                format!("{kind} {client} started")
            } else {
                format!("{kind} {client} dimulai")
            }
        }
        ClientStopped { client } => {
            if en {
                format!("{client} stopped")
            } else {
                format!("{client} berhenti")
            }
        }
        BrokerState { broker, state } => {
            if en {
                format!("Broker {broker} is now {state}")
            } else {
                format!("Broker {broker} kini {state}")
            }
        }
        IsrChanged { tp, isr, reason } => {
            let isr: Vec<String> = isr.iter().map(i32::to_string).collect();
            if en {
                format!("ISR of {tp} is now [{}] ({reason})", isr.join(","))
            } else {
                format!("ISR {tp} kini [{}] ({reason})", isr.join(","))
            }
        }
        LeaderElected {
            tp,
            leader,
            epoch,
            unclean,
        } => {
            let how = match (unclean, en) {
                (true, true) => " — unclean election: data may be lost",
                (true, false) => " — pemilihan unclean: data bisa hilang",
                (false, _) => "",
            };
            match (leader, en) {
                (Some(b), true) => {
                    format!("Broker {b} elected leader of {tp} (leader epoch {epoch}){how}")
                }
                (Some(b), false) => {
                    format!("Broker {b} terpilih sebagai leader {tp} (leader epoch {epoch}){how}")
                }
                (None, true) => {
                    format!("{tp} is offline: no replica can lead (leader epoch {epoch})")
                }
                (None, false) => format!(
                    "{tp} offline: tak ada replika yang bisa jadi leader (leader epoch {epoch})"
                ),
            }
        }
        Truncated { tp, broker, to } => {
            if en {
                format!("Broker {broker} truncated its replica of {tp} to offset {to}")
            } else {
                format!("Broker {broker} memotong replika {tp} sampai offset {to}")
            }
        }
        AckedRecordLost {
            tp,
            offset,
            acks,
            cause,
        } => {
            if en {
                format!("Acknowledged record {tp}@{offset} was lost (acks={acks}, {cause})")
            } else {
                format!("Record {tp}@{offset} yang sudah di-ack hilang (acks={acks}, {cause})")
            }
        }
        RequestTimedOut { from, to } => {
            if en {
                format!(
                    "{from} gave up waiting for {to} (request timeout): it reconnects and retries"
                )
            } else {
                format!("{from} berhenti menunggu {to} (request timeout): menyambung ulang dan mencoba lagi")
            }
        }
        NetworkChanged { change } => {
            if en {
                format!("Network: {change}")
            } else {
                format!("Jaringan: {change}")
            }
        }
        // Node names and Raft states are the same words in both languages.
        ControllerState { node, state, epoch } => format!("{node}: {state} (epoch {epoch})"),
        Violation { guarantee, detail } => {
            if en {
                format!("Guarantee {guarantee} violated: {detail}")
            } else {
                format!("Jaminan {guarantee} dilanggar: {detail}")
            }
        }
        // Chatter: never shown in the log, but described for completeness.
        MessageSent { api, from, to, .. } => format!("{} {from} → {to}", api.name()),
        Appended {
            tp,
            broker,
            first_offset,
            last_offset,
        } => format!("{tp} @ {broker}: {first_offset}..={last_offset}"),
        HighWatermark { tp, broker, hw } => format!("{tp} @ {broker}: HW {hw}"),
        ProduceAcked {
            client,
            tp,
            base_offset,
            count,
        } => format!("{client} → {tp} @ {base_offset} ×{count}"),
        Consumed {
            client,
            tp,
            first_offset,
            last_offset,
        } => format!("{client} ← {tp} {first_offset}..={last_offset}"),
        OffsetsCommitted { group, offsets } => format!("{group}: commit ×{}", offsets.len()),
        Flow(f) => flow_sentence(l, f),
    }
}

/// How many entries the log shows at most (newest first).
const SHOWN: usize = 80;

#[derive(Properties)]
pub struct EventLogProps {
    pub lang: Lang,
    pub world: Rc<RefCell<Session>>,
    /// The trace's event count: the log redraws when it changes.
    pub count: u64,
    /// Goes to a moment (an entry's time is a button).
    pub on_seek: Callback<crate::engine::time::Millis>,
}

impl PartialEq for EventLogProps {
    fn eq(&self, other: &Self) -> bool {
        self.lang == other.lang
            && self.count == other.count
            && Rc::ptr_eq(&self.world, &other.world)
    }
}

#[component]
pub fn EventLog(props: &EventLogProps) -> Html {
    let l = props.lang;
    // Commands are off at first: each one is also told by the events it causes.
    let hidden = use_state(|| BTreeSet::from([Kind::Commands]));
    let world = props.world.borrow();
    let entries: Vec<Html> = world
        .sim()
        .trace()
        .recent()
        .rev()
        .filter_map(|(at, seq, e)| {
            let k = kind_of(e)?;
            (!hidden.contains(&k)).then(|| {
                let at = *at;
                let onclick = props.on_seek.reform(move |_: MouseEvent| at);
                html! {
                    <li key={seq.to_string()} class={classes!("event", k.class())}>
                        <button type="button" class="at" {onclick} title={t(l, Text::GoToMoment)}><time>{ human(at) }</time></button>
                        <span>{ sentence(l, e) }</span>
                    </li>
                }
            })
        })
        .take(SHOWN)
        .collect();
    let filters = KINDS.iter().map(|k| {
        let on = !hidden.contains(k);
        let onclick = {
            let hidden = hidden.clone();
            let k = *k;
            Callback::from(move |_| {
                let mut h = (*hidden).clone();
                if !h.remove(&k) {
                    h.insert(k);
                }
                hidden.set(h);
            })
        };
        html! {
            <button type="button" class={classes!("filter", k.class())} aria-pressed={on.to_string()} {onclick}>{ k.label(l) }</button>
        }
    });
    html! {
        <section class="panel events" aria-labelledby="events-title">
            <h2 id="events-title">{ t(l, Text::EventLog) }</h2>
            <div class="filters" role="group" aria-label={t(l, Text::FilterEvents)}>{ for filters }</div>
            if entries.is_empty() {
                <p class="empty">{ t(l, Text::NoEvents) }</p>
            } else {
                <ol class="event-list">{ for entries }</ol>
            }
        </section>
    }
}

/// A short sentence for the screen reader's live region, for the events worth interrupting
/// for (`None` for the rest).
pub fn narration(l: Lang, e: &TraceEvent) -> Option<String> {
    use TraceEvent::*;
    let en = l == Lang::En;
    match e {
        Rebalanced {
            group, generation, ..
        } => Some(if en {
            format!("Rebalance complete: group {group}, generation {generation}")
        } else {
            format!("Rebalance selesai: grup {group}, generasi {generation}")
        }),
        TopicCreated { topic, .. } if !topic.starts_with("__") => Some(sentence(l, e)),
        MemberRemoved { .. }
        | TopicDeleted { .. }
        | ProduceFailed { .. }
        | BrokerState { .. }
        | LeaderElected { .. }
        | AckedRecordLost { .. } => Some(sentence(l, e)),
        _ => None,
    }
}

/// A leader change, for the live region.
pub fn leader_change(l: Lang, topic: &str, partition: i32, leader: Option<i32>) -> String {
    match (leader, l) {
        (Some(b), Lang::En) => format!("New leader for {topic}-{partition}: broker {b}"),
        (Some(b), Lang::Id) => format!("Leader baru untuk {topic}-{partition}: broker {b}"),
        (None, Lang::En) => format!("{topic}-{partition} has no leader (offline)"),
        (None, Lang::Id) => format!("{topic}-{partition} tanpa leader (offline)"),
    }
}
