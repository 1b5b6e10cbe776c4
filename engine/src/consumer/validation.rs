//! Position validation after a leader change (KIP-320). A position remembers the leader epoch
//! of the record before it (`offsetEpoch`) and the leader epoch it was last known good under
//! (`currentLeader`). When the partition's leader epoch moves on, the consumer stops fetching
//! it and asks the new leader where its epoch ends (OffsetsForLeaderEpoch). A position past
//! that end was read from records the new leader does not have (an unclean election, or an
//! acks=1 write lost in a failover): the consumer moves back to the first offset known to
//! diverge, or, without `auto.offset.reset`, throws `LogTruncationException`
//! (`SubscriptionState.maybeCompleteValidation`). A position with no epoch (after a reset or
//! a seek) is not validated.

use super::{AutoOffsetReset, CONSUMER_RETRY_BACKOFF_MS};
use crate::ids::{BrokerId, TopicPartition};
use crate::network::{ClientId, NodeId};
use crate::protocol::{Body, EpochEndOffset};
use crate::sim::Sim;
use crate::time::Millis;
use crate::trace::TraceEvent;
use smol_str::SmolStr;
use std::collections::BTreeMap;

/// What a position holds beside its offset (`FetchPosition`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct PositionEpochs {
    /// `offsetEpoch`: the leader epoch of the record before the position, when known.
    pub(super) offset: Option<i32>,
    /// `currentLeader.epoch`: the leader epoch the position was last known good under; `None`
    /// for a new position, noted at its first fetch.
    leader: Option<i32>,
    /// `AWAIT_VALIDATION`: not fetched until the leader confirms the position.
    validation: Option<Validation>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Validation {
    /// The leader asked, while its answer is awaited.
    asked: Option<BrokerId>,
    /// When to ask again after a failed attempt (`retry.backoff.ms`).
    retry_at: Millis,
}

impl PositionEpochs {
    /// A new position (a seek, a reset, a committed offset): validated at its first fetch if it
    /// has an epoch (`seekUnvalidated`).
    pub(super) fn new(offset: Option<i32>) -> Self {
        PositionEpochs {
            offset,
            ..Self::default()
        }
    }
}

/// What the fetcher does with a partition now.
pub(super) enum Check {
    Fetch,
    /// Ask the leader where `offset_epoch` ends.
    Validate {
        offset_epoch: i32,
    },
    /// Its validation is in flight or backing off.
    Wait,
}

/// `maybeValidatePositionForCurrentLeader`: whether a position may be fetched under the
/// partition's current `leader_epoch`, and the state to keep if that changes it.
pub(super) fn check(
    epochs: Option<&PositionEpochs>,
    leader_epoch: i32,
    now: Millis,
) -> (Check, Option<PositionEpochs>) {
    let e = epochs.copied().unwrap_or_default();
    let same_leader = e.leader == Some(leader_epoch);
    match (e.validation, e.offset) {
        (None, _) if same_leader => (Check::Fetch, None),
        (Some(v), Some(_)) if same_leader && (v.asked.is_some() || v.retry_at > now) => {
            (Check::Wait, None)
        }
        // The leader changed (or a new position has an epoch): validate under the new one.
        (_, Some(offset_epoch)) => {
            let next = PositionEpochs {
                leader: Some(leader_epoch),
                validation: Some(Validation {
                    asked: None,
                    retry_at: 0,
                }),
                ..e
            };
            (Check::Validate { offset_epoch }, Some(next))
        }
        // Nothing to validate against: fetch under the new leader.
        (_, None) => {
            let next = PositionEpochs {
                leader: Some(leader_epoch),
                validation: None,
                ..e
            };
            (Check::Fetch, Some(next))
        }
    }
}

/// `OffsetAndMetadata.toString()` for each offset, in a `{…}` map as Java prints one.
pub(super) fn offsets_and_metadata(offsets: &[(TopicPartition, i64, Option<i32>)]) -> String {
    let entries: Vec<String> = offsets
        .iter()
        .map(|(tp, offset, epoch)| {
            let epoch = epoch.map_or_else(|| "null".to_string(), |e| e.to_string());
            format!("{tp}=OffsetAndMetadata{{offset={offset}, leaderEpoch={epoch}, metadata=''}}")
        })
        .collect();
    format!("{{{}}}", entries.join(", "))
}

impl super::Consumer {
    /// The leader epoch of the record before `tp`'s position, when known.
    pub(crate) fn offset_epoch(&self, tp: &TopicPartition) -> Option<i32> {
        self.position_epochs.get(tp).and_then(|e| e.offset)
    }

    /// Notes that an OffsetsForLeaderEpoch for `tp` went to `leader`.
    fn validation_asked(&mut self, tp: &TopicPartition, leader: BrokerId) {
        if let Some(v) = self
            .position_epochs
            .get_mut(tp)
            .and_then(|e| e.validation.as_mut())
        {
            v.asked = Some(leader);
        }
    }

    /// Validations in flight to `broker` failed (its connection broke): asked again after
    /// `retry.backoff.ms` (`requestFailed`).
    pub(super) fn validations_failed(&mut self, broker: BrokerId, now: Millis) -> bool {
        let mut failed = false;
        for v in self
            .position_epochs
            .values_mut()
            .filter_map(|e| e.validation.as_mut())
            .filter(|v| v.asked == Some(broker))
        {
            v.asked = None;
            v.retry_at = now + CONSUMER_RETRY_BACKOFF_MS;
            failed = true;
        }
        failed
    }
}

impl Sim {
    /// Sends the OffsetsForLeaderEpoch requests the fetcher decided on, one per leader.
    pub(super) fn send_validations(
        &mut self,
        c: ClientId,
        by_leader: BTreeMap<BrokerId, Vec<(TopicPartition, i32, i32)>>,
    ) {
        for (leader, partitions) in by_leader {
            let Some(x) = self.consumer_mut(c) else {
                return;
            };
            for (tp, _, _) in &partitions {
                x.validation_asked(tp, leader);
            }
            let body = Body::OffsetsForLeaderEpochRequest { partitions };
            self.send(NodeId::Client(c), NodeId::Broker(leader), body);
        }
    }

    /// The leader's answer (`OffsetFetcherUtils.onSuccessfulResponseForValidatingPositions`):
    /// errors are retried after `retry.backoff.ms` with fresh metadata; a position past the end
    /// of its epoch on the leader was truncated.
    pub(crate) fn on_offsets_for_leader_epoch(
        &mut self,
        c: ClientId,
        from: BrokerId,
        partitions: Vec<(TopicPartition, i32, EpochEndOffset)>,
    ) {
        let now = self.now;
        let Some(x) = self.consumer_mut(c) else {
            return;
        };
        let mut reset = Vec::new();
        let mut events = Vec::new();
        let mut divergent = Vec::new();
        let mut retry = false;
        for (tp, current, result) in partitions {
            // Only the answer to the validation in flight counts: the position, or its leader,
            // may have moved since (`currentPosition.equals(requestPosition)`).
            let (Some(e), Some(&position)) = (x.position_epochs.get_mut(&tp), x.positions.get(&tp))
            else {
                continue;
            };
            let asked = e.validation.and_then(|v| v.asked);
            if asked != Some(from) || e.leader != Some(current) {
                continue;
            }
            let end = match result {
                Err(_) => {
                    e.validation = Some(Validation {
                        asked: None,
                        retry_at: now + CONSUMER_RETRY_BACKOFF_MS,
                    });
                    retry = true;
                    continue;
                }
                Ok(Some((_, end))) if end >= position => {
                    e.validation = None;
                    continue;
                }
                Ok(end) => end,
            };
            events.push(TraceEvent::TruncationDetected {
                client: SmolStr::new(&x.name),
                tp: tp.clone(),
                position,
                diverging: end.map(|(_, offset)| offset),
            });
            match (x.config.auto_offset_reset, end) {
                (AutoOffsetReset::None, _) => {
                    divergent.extend(end.map(|(epoch, offset)| (tp.clone(), offset, Some(epoch))));
                    // The application stops at the exception; the partition is not fetched.
                    x.out_of_range.insert(tp);
                }
                // `seekValidated` to the first offset known to diverge.
                (_, Some((epoch, offset))) => {
                    e.offset = Some(epoch);
                    e.validation = None;
                    x.drop_buffered(&tp);
                    x.positions.insert(tp, offset);
                }
                // No epoch to go back to: `requestOffsetReset`.
                (_, None) => {
                    x.positions.remove(&tp);
                    x.drop_buffered(&tp);
                    x.resetting_from.insert(tp.clone(), position);
                    reset.push(tp);
                }
            }
        }
        if x.config.auto_offset_reset == AutoOffsetReset::None && !events.is_empty() {
            x.error.get_or_insert(format!(
                "org.apache.kafka.clients.consumer.LogTruncationException: Truncated partitions detected with divergent offsets {}",
                offsets_and_metadata(&divergent)
            ));
        }
        if retry {
            x.request_metadata_update(now);
        }
        for e in events {
            self.record(e);
        }
        self.reset_positions(c, reset);
    }
}
