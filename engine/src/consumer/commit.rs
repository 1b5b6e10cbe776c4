//! The consumer's offset commits as the Java client makes them. The application's
//! `commitSync()` retries retriable errors until `default.api.timeout.ms` and then throws
//! (`ConsumerCoordinator.commitOffsetsSync`); auto-commit only logs a failure, and tries again
//! after `retry.backoff.ms` when it was retriable (`commitOffsetsAsync`). A group member
//! commits only while it is in a stable group (`sendOffsetCommitRequest`), and an answer's
//! error may reset it or make it rejoin (`OffsetCommitResponseHandler`; `CommitRequestManager`
//! under KIP-848).

use super::{MemberPhase, CONSUMER_RETRY_BACKOFF_MS};
use crate::error::ErrorCode;
use crate::ids::{BrokerId, TopicPartition};
use crate::network::{ClientId, NodeId};
use crate::protocol::Body;
use crate::sim::Sim;
use crate::time::Millis;
use crate::trace::TraceEvent;
use smol_str::SmolStr;

const COMMIT_FAILED_EXCEPTION: &str = "org.apache.kafka.clients.consumer.CommitFailedException";
const KAFKA_EXCEPTION: &str = "org.apache.kafka.common.KafkaException";

/// `CommitFailedException`'s own message: the member was no longer in the group.
const COMMIT_FAILED: &str = "Commit cannot be completed since the group has already rebalanced and assigned the partitions to another member. This means that the time between subsequent calls to poll() was longer than the configured max.poll.interval.ms, which typically implies that the poll loop is spending too much time message processing. You can address this either by increasing max.poll.interval.ms or by reducing the maximum size of batches returned in poll() with max.poll.records.";

/// What made a commit: its failure is handled, and shown, differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CommitKind {
    /// Auto-commit: in `poll()`, before a rebalance, or before a KIP-848 revocation.
    Auto,
    /// The application's `commitSync()`.
    Sync,
    /// `close()`'s commit, retried until the close timeout.
    Close,
    /// A `commitSync()` that timed out while this was in flight: its answer still acts on the
    /// member, but nobody waits for it.
    Abandoned,
    /// Auto-commit before a classic member rejoins (`onJoinPrepare`): the JoinGroup waits for
    /// its answer.
    JoinPrepare,
    /// Auto-commit before a KIP-848 member revokes partitions
    /// (`maybeAutoCommitSyncBeforeRevocation`): the revocation waits for its answer.
    Revocation,
}

/// A commit a member waits for before it gives partitions up: a classic member's before it
/// rejoins (`onJoinPrepare`, retried after `retry.backoff.ms`), a KIP-848 member's before it
/// revokes (retried with the request manager's growing backoff). A retriable failure is tried
/// again until `deadline`, the rebalance timeout (`max.poll.interval.ms`).
#[derive(Clone, Copy, Debug)]
pub(super) struct RevocationCommit {
    deadline: Millis,
    /// When to commit again after a retriable failure, or once a coordinator is known.
    retry_at: Option<Millis>,
    attempts: u32,
}

impl RevocationCommit {
    pub(super) fn until(deadline: Millis) -> Self {
        RevocationCommit {
            deadline,
            retry_at: None,
            attempts: 0,
        }
    }

    /// When it commits again, or gives up waiting.
    pub(super) fn next_step(&self) -> Millis {
        self.retry_at
            .map_or(self.deadline, |t| t.min(self.deadline))
    }
}

/// A commit waiting for its answer.
#[derive(Clone, Debug)]
pub(super) struct InFlightCommit {
    pub(super) to: BrokerId,
    kind: CommitKind,
    /// The member's generation when it was sent (`generationUnchanged`).
    generation: i32,
}

/// The application's `commitSync()` while it runs.
#[derive(Clone, Debug)]
pub(super) struct SyncCommit {
    deadline: Millis,
    /// When to send (again): at once, then after a backoff that follows a retriable error;
    /// `None` while one is in flight.
    send_at: Option<Millis>,
    attempts: u32,
}

/// Why a commit failed, as the application sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommitFailure {
    /// The exception thrown (or, for auto-commit, logged): its class and message.
    Exception {
        class: &'static str,
        message: String,
    },
    /// `commitSync()` did not succeed within `default.api.timeout.ms`: Kafka's
    /// TimeoutException names the offsets (with the epoch of the record before each).
    Timeout {
        timeout_ms: Millis,
        offsets: Vec<(TopicPartition, i64, Option<i32>)>,
    },
}

impl CommitFailure {
    fn exception(class: &'static str, message: impl Into<String>) -> Self {
        CommitFailure::Exception {
            class,
            message: message.into(),
        }
    }

    fn of_error(e: ErrorCode) -> Self {
        Self::exception(e.exception(), e.default_message())
    }

    /// The exception's class.
    pub fn class(&self) -> &'static str {
        match self {
            CommitFailure::Exception { class, .. } => class,
            CommitFailure::Timeout { .. } => "org.apache.kafka.common.errors.TimeoutException",
        }
    }

    /// The exception's message, with a timeout's offsets in the order given.
    pub fn message(&self) -> String {
        match self {
            CommitFailure::Exception { message, .. } => message.clone(),
            CommitFailure::Timeout {
                timeout_ms,
                offsets,
            } => timeout_message(*timeout_ms, offsets),
        }
    }
}

/// `KafkaConsumer.commitSync`'s TimeoutException text; `offsets` are printed in their order
/// (Kafka prints its `HashMap`'s).
pub fn timeout_message(
    timeout_ms: Millis,
    offsets: &[(TopicPartition, i64, Option<i32>)],
) -> String {
    format!(
        "Timeout of {timeout_ms}ms expired before successfully committing offsets {}",
        super::validation::offsets_and_metadata(offsets)
    )
}

/// What an OffsetCommit's answer (or a lost connection) means for the commit.
enum Answer {
    Committed,
    /// With the error, `None` for a lost connection.
    Retriable(Option<ErrorCode>),
    Failed(CommitFailure),
}

impl super::Consumer {
    /// `sendOffsetCommitRequest`'s check: a classic member commits with its generation only
    /// while Stable; otherwise the commit fails without a request. A member still Stable in
    /// Kafka's terms that only lost its coordinator waits for it instead.
    fn commit_refused(&self) -> Option<CommitFailure> {
        if self.group.is_none() || self.uses_consumer_protocol() {
            return None;
        }
        match self.phase {
            MemberPhase::Standalone | MemberPhase::Stable => None,
            MemberPhase::FindingCoordinator if self.resume_stable => None,
            MemberPhase::Joining | MemberPhase::Syncing => Some(CommitFailure::exception(
                ErrorCode::RebalanceInProgress.exception(),
                "Offset commit cannot be completed since the consumer is undergoing a rebalance for auto partition assignment. You can try completing the rebalance by calling poll() and then retry the operation.",
            )),
            MemberPhase::FindingCoordinator | MemberPhase::Unjoined => Some(CommitFailure::exception(
                COMMIT_FAILED_EXCEPTION,
                "Offset commit cannot be completed since the consumer is not part of an active group for auto partition assignment; it is likely that the consumer was kicked out of the group.",
            )),
        }
    }

    /// Auto-commit runs in `poll()` only once a member's join is complete and its coordinator
    /// known (`ConsumerCoordinator.poll` returns before it otherwise).
    pub(super) fn auto_commits_now(&self) -> bool {
        matches!(self.phase, MemberPhase::Stable | MemberPhase::Standalone)
    }

    /// A commit is waiting for its answer from `broker`.
    pub(super) fn commits_to(&self, broker: BrokerId) -> bool {
        self.commits.iter().any(|x| x.to == broker)
    }

    /// `close()`'s commit is waiting for its answer.
    pub(super) fn close_commit_in_flight(&self) -> bool {
        self.commits.iter().any(|x| x.kind == CommitKind::Close)
    }

    /// When the application's `commitSync()` next needs the clock: to send, or to give up.
    pub(super) fn sync_commit_due(&self) -> Option<Millis> {
        let s = self.sync_commit.as_ref()?;
        // Waiting for the coordinator, the lookup's answer sends it.
        Some(match s.send_at {
            Some(t) if !self.commit_awaits_coordinator() => t.min(s.deadline),
            _ => s.deadline,
        })
    }

    /// `ensureCoordinatorReady`: a commit that may go waits while the lookup runs.
    fn commit_awaits_coordinator(&self) -> bool {
        self.coordinator.is_none() && self.commit_refused().is_none()
    }

    /// How the application's last `commitSync()` ended: `None` while it runs (or before any).
    pub fn commit_sync_result(&self) -> Option<&Result<(), CommitFailure>> {
        self.sync_commit
            .is_none()
            .then_some(self.sync_result.as_ref())
            .flatten()
    }

    /// The offsets `commitSync()` commits (`SubscriptionState.allConsumed`), with the epoch of
    /// the record before each.
    fn all_consumed(&self) -> Vec<(TopicPartition, i64, Option<i32>)> {
        self.positions
            .iter()
            .map(|(tp, o)| (tp.clone(), *o, self.offset_epoch(tp)))
            .collect()
    }
}

impl Sim {
    /// Commits the positions of the assigned partitions to the coordinator. Returns whether a
    /// request went out; a refused commit fails at once.
    pub(crate) fn commit_positions(&mut self, c: ClientId, kind: CommitKind) -> bool {
        let Some(x) = self.consumer_mut(c) else {
            return false;
        };
        if let Some(failure) = x.commit_refused() {
            self.commit_failed(c, kind, failure);
            return false;
        }
        // Like the Java client, every position is committed each time, changed or not (which
        // also refreshes the commit timestamp that old-style offset retention counts from).
        let offsets: Vec<(TopicPartition, i64)> =
            x.positions.iter().map(|(tp, o)| (tp.clone(), *o)).collect();
        self.send_offset_commit(c, offsets, kind)
    }

    /// An OffsetCommit of `offsets` to the coordinator, with the member's generation (none for
    /// a consumer made with `assign()`). Returns whether it went out.
    pub(crate) fn send_offset_commit(
        &mut self,
        c: ClientId,
        offsets: Vec<(TopicPartition, i64)>,
        kind: CommitKind,
    ) -> bool {
        let Some(x) = self.consumer_mut(c) else {
            return false;
        };
        let (Some(group), Some(coord)) = (x.group.clone(), x.coordinator) else {
            return false;
        };
        if offsets.is_empty() {
            return false;
        }
        let (member_id, generation) = if x.phase == MemberPhase::Standalone {
            (String::new(), -1)
        } else {
            (x.member_id.clone(), x.generation)
        };
        x.commits.push(InFlightCommit {
            to: coord,
            kind,
            generation,
        });
        // An offset at the position goes with the epoch of the record before it (KIP-320).
        let offsets = offsets
            .into_iter()
            .map(|(tp, o)| {
                let epoch = (x.positions.get(&tp) == Some(&o))
                    .then(|| x.offset_epoch(&tp))
                    .flatten();
                (tp, o, epoch)
            })
            .collect();
        let body = Body::OffsetCommitRequest {
            group,
            member_id,
            generation,
            offsets,
        };
        self.send(NodeId::Client(c), NodeId::Broker(coord), body);
        true
    }

    /// The application calls `commitSync()`: it blocks until the commit succeeds, fails, or
    /// `default.api.timeout.ms` passes.
    pub(crate) fn commit_sync(&mut self, c: ClientId) {
        let now = self.now;
        let Some(x) = self.consumer_mut(c) else {
            return;
        };
        if x.group.is_none() {
            // `KafkaConsumer.maybeThrowInvalidGroupIdException`.
            x.sync_result = Some(Err(CommitFailure::exception(
                "org.apache.kafka.common.errors.InvalidGroupIdException",
                "To use the group management or offset commit APIs, you must provide a valid group.id in the consumer configuration.",
            )));
            return;
        }
        x.sync_result = None;
        x.sync_commit = Some(SyncCommit {
            deadline: now.saturating_add(x.config.default_api_timeout_ms),
            send_at: Some(now),
            attempts: 0,
        });
        self.drive_sync_commit(c);
    }

    /// Sends the application's `commitSync()` when due and the coordinator is known; ends it
    /// once its time is up.
    pub(super) fn drive_sync_commit(&mut self, c: ClientId) {
        let now = self.now;
        let Some(x) = self.consumer_mut(c) else {
            return;
        };
        let Some(s) = x.sync_commit.as_mut() else {
            return;
        };
        if s.deadline <= now {
            // `client.poll(future, timer)` returns at the deadline, answered or not.
            for sent in x.commits.iter_mut().filter(|x| x.kind == CommitKind::Sync) {
                sent.kind = CommitKind::Abandoned;
            }
            let offsets = x.all_consumed();
            let timeout_ms = x.config.default_api_timeout_ms;
            self.end_sync_commit(
                c,
                Err(CommitFailure::Timeout {
                    timeout_ms,
                    offsets,
                }),
            );
            return;
        }
        if s.send_at.is_none_or(|t| t > now) {
            return;
        }
        if x.positions.is_empty() {
            self.end_sync_commit(c, Ok(()));
            return;
        }
        if x.commit_awaits_coordinator() {
            return;
        }
        if let Some(s) = x.sync_commit.as_mut() {
            s.send_at = None;
        }
        self.commit_positions(c, CommitKind::Sync);
    }

    fn end_sync_commit(&mut self, c: ClientId, result: Result<(), CommitFailure>) {
        if let Some(x) = self.consumer_mut(c) {
            x.sync_commit = None;
            x.sync_result = Some(result);
        }
    }

    /// A commit failed for good: the application's `commitSync()` throws, an auto-commit logs
    /// a warning ("Asynchronous auto-commit of offsets ... failed").
    fn commit_failed(&mut self, c: ClientId, kind: CommitKind, failure: CommitFailure) {
        let Some(x) = self.consumer_mut(c) else {
            return;
        };
        let event = TraceEvent::OffsetCommitFailed {
            client: SmolStr::new(&x.name),
            group: x.group.clone().unwrap_or_default(),
            exception: SmolStr::new(failure.class().rsplit('.').next().unwrap_or_default()),
        };
        match kind {
            CommitKind::Sync => self.end_sync_commit(c, Err(failure)),
            // Nobody waits for it, and nothing logs it.
            CommitKind::Abandoned => return,
            CommitKind::Auto
            | CommitKind::Close
            | CommitKind::JoinPrepare
            | CommitKind::Revocation => {}
        }
        self.record(event);
    }

    /// A retriable failure: `commitSync()` tries again after a growing backoff, auto-commit
    /// after `retry.backoff.ms` (`nextAutoCommitTimer.updateAndReset`).
    fn commit_retriable(&mut self, c: ClientId, kind: CommitKind) {
        let now = self.now;
        let Some(x) = self.consumer_mut(c) else {
            return;
        };
        match kind {
            CommitKind::Auto => {
                if x.config.enable_auto_commit && x.next_commit_at.is_some() {
                    x.next_commit_at = Some(now + CONSUMER_RETRY_BACKOFF_MS);
                }
            }
            CommitKind::Sync => {
                let Some(s) = x.sync_commit.as_mut() else {
                    return;
                };
                let attempts = s.attempts;
                s.attempts += 1;
                let wait = self.consumer_backoff(attempts);
                if let Some(s) = self.consumer_mut(c).and_then(|x| x.sync_commit.as_mut()) {
                    s.send_at = Some(now + wait);
                }
            }
            CommitKind::JoinPrepare => {
                if let Some(p) = x.join_prepare.as_mut() {
                    p.retry_at = Some(now + CONSUMER_RETRY_BACKOFF_MS);
                }
            }
            CommitKind::Close | CommitKind::Abandoned | CommitKind::Revocation => {}
        }
    }

    /// A KIP-848 member commits before it revokes (`maybeAutoCommitSyncBeforeRevocation`),
    /// again after a retriable failure, until the rebalance timeout; then it revokes. Without a
    /// coordinator the commit waits for one.
    pub(super) fn commit_before_revocation(&mut self, c: ClientId) {
        let now = self.now;
        let Some(x) = self.consumer_mut(c) else {
            return;
        };
        let Some(p) = x.kip848.revocation_commit.as_mut() else {
            return;
        };
        if p.deadline <= now {
            self.finish_reconciliation(c);
            return;
        }
        if x.coordinator.is_none() {
            p.retry_at = Some(now + CONSUMER_RETRY_BACKOFF_MS);
            return;
        }
        p.retry_at = None;
        if !self.commit_positions(c, CommitKind::Revocation) {
            self.finish_reconciliation(c);
        }
    }

    /// The answer to the commit before a KIP-848 revocation: a retriable failure other than
    /// UNKNOWN_TOPIC_OR_PARTITION (the topic is gone for good, KAFKA-16224), or a stale member
    /// epoch while the member has one, is tried again after a growing backoff (with the
    /// latest positions and member epoch); otherwise the member revokes now.
    fn revocation_commit_answered(&mut self, c: ClientId, retry: bool) {
        let now = self.now;
        let Some(attempts) = self
            .consumer_mut(c)
            .and_then(|x| x.kip848.revocation_commit.as_mut())
            .filter(|p| retry && p.deadline > now)
            .map(|p| {
                p.attempts += 1;
                p.attempts - 1
            })
        else {
            self.finish_reconciliation(c);
            return;
        };
        let wait = self.consumer_backoff(attempts);
        if let Some(p) = self
            .consumer_mut(c)
            .and_then(|x| x.kip848.revocation_commit.as_mut())
        {
            p.retry_at = Some(now + wait);
        }
    }

    /// A classic member rejoins (`onJoinPrepare`): with auto-commit it commits first and joins
    /// once the answer came (or the rebalance timeout passed); eager members give up their
    /// partitions then.
    pub(super) fn prepare_join(&mut self, c: ClientId) {
        let now = self.now;
        let Some(x) = self.consumer_mut(c) else {
            return;
        };
        if x.config.enable_auto_commit {
            let deadline = x.join_prepare.map_or_else(
                || now.saturating_add(x.config.max_poll_interval_ms),
                |p| p.deadline,
            );
            // Without a coordinator the commit waits for one (`commitOffsetsAsync`).
            let waits = now < deadline && x.coordinator.is_none() && x.commit_refused().is_none();
            x.join_prepare = Some(RevocationCommit {
                retry_at: waits.then_some(now + CONSUMER_RETRY_BACKOFF_MS),
                ..RevocationCommit::until(deadline)
            });
            if waits || (now < deadline && self.commit_positions(c, CommitKind::JoinPrepare)) {
                return;
            }
        }
        self.join_prepared(c);
    }

    /// The rebalance timeout passed while the commit before a rejoin waited ("Asynchronous
    /// auto-commit of offsets failed: joinPrepare timeout. Will continue to join group"), or
    /// its retry is due.
    pub(super) fn join_prepare_due(&mut self, c: ClientId) {
        let now = self.now;
        let Some(p) = self.consumer_mut(c).and_then(|x| x.join_prepare) else {
            return;
        };
        if p.deadline <= now {
            self.join_prepared(c);
        } else {
            self.prepare_join(c);
        }
    }

    /// The commit before a rejoin is done, failed, or timed out: revoke (eager) and join,
    /// unless the member joined meanwhile (a reset after the commit's error took the prepare
    /// away) or is closing.
    fn join_prepared(&mut self, c: ClientId) {
        let Some(x) = self.consumer_mut(c) else {
            return;
        };
        let prepared = x.join_prepare.take().is_some() || !x.config.enable_auto_commit;
        if !prepared || x.leaving {
            return;
        }
        if x.protocol() == super::RebalanceProtocol::Eager {
            self.revoke_all(c);
        }
        self.send_join(c);
    }

    /// The OffsetCommit answer from `from`, with the coordinator's `error` and the offsets it
    /// stored.
    pub(super) fn on_offset_commit(
        &mut self,
        c: ClientId,
        from: NodeId,
        offsets: Vec<(TopicPartition, i64)>,
        error: Option<ErrorCode>,
    ) {
        let Some(x) = self.consumer_mut(c) else {
            return;
        };
        let Some(i) = x.commits.iter().position(|x| NodeId::Broker(x.to) == from) else {
            return;
        };
        let sent = x.commits.remove(i);
        // The answer lists what the coordinator committed, also when some of the commit's
        // topics were unknown.
        if matches!(error, None | Some(ErrorCode::UnknownTopicOrPartition)) {
            for (tp, o) in offsets {
                x.last_committed.insert(tp, o);
            }
        }
        let answer = match error {
            None => Answer::Committed,
            Some(e) => self.commit_error(c, e, sent.kind, sent.generation),
        };
        self.commit_answered(c, sent.kind, answer);
    }

    /// The commits waiting for answers from `broker` were lost with its connection
    /// (DisconnectException, retriable).
    pub(super) fn commits_disconnected(&mut self, c: ClientId, broker: BrokerId) {
        let Some(x) = self.consumer_mut(c) else {
            return;
        };
        let (lost, kept) = std::mem::take(&mut x.commits)
            .into_iter()
            .partition(|x| x.to == broker);
        x.commits = kept;
        for sent in lost {
            self.commit_answered(c, sent.kind, Answer::Retriable(None));
        }
    }

    fn commit_answered(&mut self, c: ClientId, kind: CommitKind, answer: Answer) {
        let retriable = matches!(answer, Answer::Retriable(_));
        let gone = matches!(
            answer,
            Answer::Retriable(Some(ErrorCode::UnknownTopicOrPartition))
        );
        match answer {
            Answer::Committed if kind == CommitKind::Sync => self.end_sync_commit(c, Ok(())),
            Answer::Committed => {}
            Answer::Retriable(_) => self.commit_retriable(c, kind),
            Answer::Failed(f) => self.commit_failed(c, kind, f),
        }
        let Some(x) = self.consumer_mut(c) else {
            return;
        };
        match kind {
            // `commitOffsetsSync` in `close()`: a retriable failure is tried again at the
            // coordinator found next, until the close timeout.
            CommitKind::Close if retriable => {
                x.mark_coordinator_unknown();
                self.retry_close_commit(c);
            }
            CommitKind::Close => self.finish_leave(c),
            CommitKind::Revocation => self.revocation_commit_answered(c, retriable && !gone),
            CommitKind::JoinPrepare if !retriable => self.join_prepared(c),
            _ => {}
        }
    }

    /// What a commit's error means, to a classic member (`OffsetCommitResponseHandler.handle`)
    /// or a KIP-848 one (`CommitRequestManager`): both mark the coordinator unknown and retry
    /// after a coordinator error, retry an unknown topic, and fail on an unexpected error.
    fn commit_error(
        &mut self,
        c: ClientId,
        e: ErrorCode,
        kind: CommitKind,
        sent_generation: i32,
    ) -> Answer {
        let Some(x) = self.consumer_mut(c) else {
            return Answer::Retriable(Some(e));
        };
        let known = match e {
            ErrorCode::CoordinatorNotAvailable
            | ErrorCode::NotCoordinator
            | ErrorCode::RequestTimedOut => {
                x.mark_coordinator_unknown();
                Some(Answer::Retriable(Some(e)))
            }
            ErrorCode::UnknownTopicOrPartition => Some(Answer::Retriable(Some(e))),
            ErrorCode::StaleMemberEpoch if x.uses_consumer_protocol() => {
                Some(x.stale_member_epoch(kind))
            }
            _ if x.uses_consumer_protocol() => x.kip848_commit_error(e).map(Answer::Failed),
            _ => self.classic_commit_error(c, e, sent_generation),
        };
        known.unwrap_or_else(|| {
            Answer::Failed(CommitFailure::exception(
                KAFKA_EXCEPTION,
                format!("Unexpected error in commit: {}", e.default_message()),
            ))
        })
    }

    /// A classic member's own errors: it rejoins after REBALANCE_IN_PROGRESS, and is reset
    /// after UNKNOWN_MEMBER_ID or ILLEGAL_GENERATION unless it already rejoined meanwhile.
    fn classic_commit_error(
        &mut self,
        c: ClientId,
        e: ErrorCode,
        sent_generation: i32,
    ) -> Option<Answer> {
        let x = self.consumer_mut(c)?;
        Some(Answer::Failed(match e {
            ErrorCode::RebalanceInProgress => {
                self.rejoin(
                    c,
                    "offset commit failed since group is already rebalancing".into(),
                );
                CommitFailure::exception(
                    e.exception(),
                    "Offset commit cannot be completed since the consumer group is executing a rebalance at the moment. You can try completing the rebalance by calling poll() and then retry commit again",
                )
            }
            ErrorCode::UnknownMemberId | ErrorCode::IllegalGeneration
                if x.generation != sent_generation && x.phase == MemberPhase::Joining =>
            {
                CommitFailure::exception(
                    ErrorCode::RebalanceInProgress.exception(),
                    "Offset commit cannot be completed since the consumer member's generation is already stale, meaning it has already participated another rebalance and got a new generation. You can try completing the rebalance by calling poll() and then retry commit again",
                )
            }
            ErrorCode::UnknownMemberId | ErrorCode::IllegalGeneration => {
                self.reset_generation_and_rejoin(c, e, "OFFSET_COMMIT");
                CommitFailure::exception(COMMIT_FAILED_EXCEPTION, COMMIT_FAILED)
            }
            ErrorCode::FencedInstanceId => CommitFailure::of_error(e),
            _ => return None,
        }))
    }
}

impl super::Consumer {
    /// STALE_MEMBER_EPOCH, as `CommitRequestManager` takes it (KAFKA-16033): only the commit
    /// before a revocation is tried again, with the member's epoch at the time, and only while
    /// the member has one (`isStaleEpochErrorAndValidEpochAvailable`: an epoch above 0). Any
    /// other commit fails for good: `commitSync()` (and `close()`'s) with a
    /// CommitFailedException (`commitSyncExceptionForError`), auto-commit with the
    /// StaleMemberEpochException itself ("Auto-commit of offsets ... failed"), to be tried
    /// again at the next interval.
    fn stale_member_epoch(&self, kind: CommitKind) -> Answer {
        let e = ErrorCode::StaleMemberEpoch;
        Answer::Failed(match kind {
            CommitKind::Revocation if self.generation > 0 => return Answer::Retriable(Some(e)),
            CommitKind::Auto | CommitKind::Revocation => CommitFailure::of_error(e),
            CommitKind::Sync
            | CommitKind::Close
            | CommitKind::Abandoned
            | CommitKind::JoinPrepare => CommitFailure::exception(
                COMMIT_FAILED_EXCEPTION,
                format!(
                    "OffsetCommit failed with stale member epoch.{}",
                    e.default_message()
                ),
            ),
        })
    }

    /// A KIP-848 member's own errors (`OffsetCommitRequestState.onResponse`; a stale member
    /// epoch is `stale_member_epoch`'s).
    fn kip848_commit_error(&self, e: ErrorCode) -> Option<CommitFailure> {
        let message = match e {
            ErrorCode::UnknownMemberId => format!(
                "OffsetCommit failed with unknown member ID. {}",
                e.default_message()
            ),
            ErrorCode::FencedInstanceId => format!(
                "OffsetCommit failed due to group instance id fenced: {}",
                self.config.group_instance_id.as_deref().unwrap_or_default()
            ),
            _ => return None,
        };
        Some(CommitFailure::exception(COMMIT_FAILED_EXCEPTION, message))
    }
}
