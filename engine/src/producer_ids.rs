//! Producer ids: how an idempotent producer gets one (`InitProducerId`), and where the brokers
//! get the ids they hand out.
//!
//! The controller owns the id space and gives it out in blocks of 1,000, the first starting at
//! 0 (`ProducerIdControlManager`). In KRaft a broker asks the active controller for a block
//! (`AllocateProducerIds`) when it first needs one, and for the next when 90% of its block is
//! used (`RPCProducerIdManager`); an `InitProducerId` that finds no block is answered
//! COORDINATOR_LOAD_IN_PROGRESS, and the producer asks again after `retry.backoff.ms`. In the
//! ZooKeeper era a broker takes its first block from ZooKeeper as it starts, and the next one
//! there too, at once (`ZkProducerIdManager`).

use super::ids::BrokerId;
use super::network::{ClientId, NodeId};
use super::protocol::Body;
use super::sim::Sim;
use super::time::Millis;
use crate::cluster::ControllerMode;
use crate::error::ErrorCode;

/// `ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE`.
pub const PRODUCER_ID_BLOCK_SIZE: i64 = 1_000;

/// `ProducerIdManager.RetryBackoffMs`: after a failed allocation, the broker waits this long
/// before asking the controller again.
const ALLOCATE_RETRY_BACKOFF_MS: Millis = 50;

/// `controller.socket.timeout.ms` (30 s): the broker's channel to the controller gives up on
/// an unanswered request (`handleTimeout`), and the next `InitProducerId` asks again.
const ALLOCATE_TIMEOUT_MS: Millis = 30_000;

/// A range of producer ids one broker hands out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProducerIdsBlock {
    pub first: i64,
    pub size: i64,
}

impl ProducerIdsBlock {
    fn end(self) -> i64 {
        self.first + self.size
    }

    /// `PidPrefetchThreshold`: at 90% of the block the next one is asked for.
    fn prefetch_at(self) -> i64 {
        self.first + self.size * 9 / 10
    }
}

/// A broker's `ProducerIdManager`; it lives in the broker's memory and goes with the process.
#[derive(Clone, Debug, Default)]
pub struct ProducerIdManager {
    /// The block ids are claimed from, and the next id in it.
    current: Option<(ProducerIdsBlock, i64)>,
    /// The block the controller gave for when `current` runs out.
    next: Option<ProducerIdsBlock>,
    /// When the `AllocateProducerIds` request in flight was sent.
    requested_at: Option<Millis>,
    /// No new request before this (after a failed one).
    backoff_until: Millis,
}

/// What `generateProducerId` gave, and whether the broker must ask for a block.
struct Claim {
    id: Option<i64>,
    request_block: bool,
}

impl ProducerIdManager {
    /// `RPCProducerIdManager.generateProducerId`: the next id of the current block, moving to
    /// the next block when it is used up; with neither, no id, and a request for a block.
    fn claim(&mut self, now: Millis) -> Claim {
        if self
            .requested_at
            .is_some_and(|t| now >= t + ALLOCATE_TIMEOUT_MS)
        {
            self.requested_at = None;
        }
        loop {
            match self.current {
                Some((block, next)) if next < block.end() => {
                    self.current = Some((block, next + 1));
                    let request_block = next == block.prefetch_at() && self.may_request(now);
                    return Claim {
                        id: Some(next),
                        request_block,
                    };
                }
                _ => match self.next.take() {
                    Some(block) => {
                        self.current = Some((block, block.first));
                        self.requested_at = None;
                    }
                    None => {
                        return Claim {
                            id: None,
                            request_block: self.may_request(now),
                        }
                    }
                },
            }
        }
    }

    /// `maybeRequestNextBlock`: one request at a time, none while a block waits unused or
    /// while backing off after a failure.
    fn may_request(&self, now: Millis) -> bool {
        self.next.is_none() && self.requested_at.is_none() && now >= self.backoff_until
    }
}

impl Sim {
    /// The controller gives out the next block (`ProducerIdControlManager.generateNextProducerId`;
    /// in KRaft through a `ProducerIdsRecord` in the metadata log, in ZooKeeper through
    /// `/latest_producer_id_block`).
    fn next_producer_ids_block(&mut self) -> ProducerIdsBlock {
        let first = self.cluster.next_producer_id_block;
        self.cluster.next_producer_id_block += PRODUCER_ID_BLOCK_SIZE;
        ProducerIdsBlock {
            first,
            size: PRODUCER_ID_BLOCK_SIZE,
        }
    }

    /// A broker starts: in the ZooKeeper era it takes its first block from ZooKeeper now.
    pub(crate) fn start_producer_id_manager(&mut self, b: BrokerId) {
        let block = (self.cluster.mode == ControllerMode::Zookeeper)
            .then(|| self.next_producer_ids_block());
        if let Some(broker) = self.cluster.brokers.get_mut(&b) {
            broker.producer_ids = ProducerIdManager {
                current: block.map(|k| (k, k.first)),
                ..ProducerIdManager::default()
            };
        }
    }

    /// `TransactionCoordinator.handleInitProducerId` without a transactional id: a new id with
    /// epoch 0, or COORDINATOR_LOAD_IN_PROGRESS while the broker has no block.
    pub(crate) fn handle_init_producer_id(&mut self, b: BrokerId, from: NodeId) {
        let now = self.now;
        let zookeeper = self.cluster.mode == ControllerMode::Zookeeper;
        let Some(broker) = self.cluster.brokers.get_mut(&b) else {
            return;
        };
        let mut claim = broker.producer_ids.claim(now);
        if zookeeper && claim.id.is_none() {
            // `ZkProducerIdManager`: the next block comes from ZooKeeper within the request.
            let block = self.next_producer_ids_block();
            if let Some(broker) = self.cluster.brokers.get_mut(&b) {
                broker.producer_ids.next = Some(block);
                claim = broker.producer_ids.claim(now);
            }
        }
        if claim.request_block && !zookeeper {
            self.request_producer_ids_block(b);
        }
        let result = claim
            .id
            .map(|id| (id, 0))
            .ok_or(ErrorCode::CoordinatorLoadInProgress);
        self.send(
            NodeId::Broker(b),
            from,
            Body::InitProducerIdResponse { result },
        );
    }

    /// `RPCProducerIdManager.sendRequest`: `AllocateProducerIds` to the active controller
    /// (without one, the broker backs off and asks at a later `InitProducerId`).
    fn request_producer_ids_block(&mut self, b: BrokerId) {
        let now = self.now;
        let to = self.active_controller();
        let Some(broker) = self.cluster.brokers.get_mut(&b) else {
            return;
        };
        match to {
            Some(to) => {
                broker.producer_ids.requested_at = Some(now);
                self.send(
                    NodeId::Broker(b),
                    to,
                    Body::AllocateProducerIdsRequest { broker: b },
                );
            }
            None => broker.producer_ids.backoff_until = now + ALLOCATE_RETRY_BACKOFF_MS,
        }
    }

    /// The active controller answers `AllocateProducerIds` with the next block, once its
    /// `ProducerIdsRecord` is in the metadata log.
    pub(crate) fn allocate_producer_ids(&mut self, to: NodeId, from: NodeId) {
        let block = self.next_producer_ids_block();
        self.metadata_append(1);
        self.send(
            to,
            from,
            Body::AllocateProducerIdsResponse {
                first: block.first,
                size: block.size,
            },
        );
    }

    /// `handleAllocateProducerIdsResponse`: the block waits until the current one runs out.
    pub(crate) fn producer_ids_allocated(&mut self, b: BrokerId, block: ProducerIdsBlock) {
        if let Some(broker) = self.cluster.brokers.get_mut(&b) {
            let m = &mut broker.producer_ids;
            if m.requested_at.take().is_some() {
                m.next = Some(block);
            }
        }
    }

    /// `TransactionManager.bumpIdempotentEpochAndResetIdIfNeeded`: an idempotent producer
    /// without an id asks for one, and sends no batch until it has it.
    pub(crate) fn maybe_init_producer_id(&mut self, c: ClientId) {
        let now = self.now;
        if !self
            .producer_mut(c)
            .is_some_and(|p| p.needs_producer_id(now))
        {
            return;
        }
        let target = self.least_loaded_broker();
        let Some(p) = self.producer_mut(c) else {
            return;
        };
        match target {
            Some(b) => {
                p.init_producer_id.in_flight = Some(b);
                self.send(
                    NodeId::Client(c),
                    NodeId::Broker(b),
                    Body::InitProducerIdRequest,
                );
            }
            // No broker to ask: try again after the backoff.
            None => p.init_producer_id.retry_at = now + p.config.retry_backoff_ms,
        }
    }

    /// `InitProducerIdHandler.handleResponse`: the id and epoch, or a retriable error retried
    /// after `retry.backoff.ms` (the `Sender` sleeps that long before a retried request).
    pub(crate) fn producer_id_answered(
        &mut self,
        c: ClientId,
        result: Result<(i64, i16), ErrorCode>,
    ) {
        let now = self.now;
        let Some(p) = self.producer_mut(c) else {
            return;
        };
        if p.init_producer_id.in_flight.take().is_none() {
            return;
        }
        match result {
            Ok((id, epoch)) => {
                p.producer_id = id;
                p.producer_epoch = epoch;
            }
            Err(_) => p.init_producer_id.retry_at = now + p.config.retry_backoff_ms,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(first: i64) -> ProducerIdsBlock {
        ProducerIdsBlock {
            first,
            size: PRODUCER_ID_BLOCK_SIZE,
        }
    }

    /// `RPCProducerIdManagerTest`: no block, an error and a request; ids from the block once it
    /// came; the next block asked for at 90%, and used when the first runs out.
    #[test]
    fn a_broker_claims_ids_from_its_blocks_and_prefetches_the_next() {
        let mut m = ProducerIdManager::default();
        let first = m.claim(0);
        assert_eq!((first.id, first.request_block), (None, true));
        m.requested_at = Some(0);
        let again = m.claim(1);
        assert_eq!(
            (again.id, again.request_block),
            (None, false),
            "one request at a time"
        );
        m.requested_at = None;
        m.next = Some(block(0));
        for want in 0..900 {
            let c = m.claim(2);
            assert_eq!((c.id, c.request_block), (Some(want), false));
        }
        let prefetch = m.claim(2);
        assert_eq!((prefetch.id, prefetch.request_block), (Some(900), true));
        m.requested_at = Some(2);
        for want in 901..1000 {
            assert_eq!(m.claim(3).id, Some(want));
        }
        assert_eq!(m.claim(3).id, None, "the next block has not come yet");
        m.requested_at = None;
        m.next = Some(block(3000));
        assert_eq!(m.claim(4).id, Some(3000));
    }

    /// `handleTimeout`: a request unanswered for the channel's timeout no longer blocks a new one.
    #[test]
    fn an_unanswered_block_request_is_given_up_after_its_timeout() {
        let mut m = ProducerIdManager {
            requested_at: Some(100),
            ..ProducerIdManager::default()
        };
        assert!(!m.claim(100 + ALLOCATE_TIMEOUT_MS - 1).request_block);
        assert!(m.claim(100 + ALLOCATE_TIMEOUT_MS).request_block);
    }
}
