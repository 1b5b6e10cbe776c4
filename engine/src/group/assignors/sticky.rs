//! Client-side `StickyAssignor` (`sticky`) and the shared core of `CooperativeStickyAssignor`
//! (`AbstractStickyAssignor`), without rack awareness.
//!
//! Goals, in order: balance (counts differ by at most one, or nobody short could take another's
//! partition), then keep as many previous owners as possible.
//!
//! * When every member has the same subscription, Kafka's "constrained" fast path runs: keep
//!   owned partitions up to the quotas, then deal the rest round-robin. Its first step visits
//!   members in `java.util.HashMap` order of member ids, which decides who keeps an extra
//!   partition; that order is emulated exactly (ties within a bucket: input order).
//! * Otherwise the "general" path: keep valid owned partitions, assign the rest to the least
//!   loaded eligible member, then move partitions until balanced. Kafka picks one element of a
//!   `HashSet` when undoing a reverse move; here the lowest partition is picked (a documented,
//!   deterministic choice).

use super::model::{Model, NONE};
use super::{java_hashmap_order, Assignment, AssignorError, MemberSubscription};
use crate::TopicPartition;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// `AbstractStickyAssignor.DEFAULT_GENERATION`.
const DEFAULT_GENERATION: i32 = -1;

/// Runs the (eager) sticky assignor.
pub fn assign(
    partitions_per_topic: &BTreeMap<String, u32>,
    members: &[MemberSubscription],
) -> Result<Assignment, AssignorError> {
    assign_with_transfers(partitions_per_topic, members).map(|o| o.assignment)
}

/// The sticky assignment plus, on the constrained path, the partitions the builder saw changing
/// owner (`partitionsTransferringOwnership`); `None` on the general path, where the cooperative
/// assignor computes them from the result.
pub struct StickyOutcome {
    pub assignment: Assignment,
    pub transferring: Option<BTreeMap<TopicPartition, String>>,
}

/// Runs the sticky assignor and reports transferring partitions (for cooperative-sticky).
pub fn assign_with_transfers(
    partitions_per_topic: &BTreeMap<String, u32>,
    members: &[MemberSubscription],
) -> Result<StickyOutcome, AssignorError> {
    let model = Model::build(partitions_per_topic, members, true)?;
    let (per_member, transfers) = run(&model)?;
    let transferring = transfers.map(|list| {
        list.into_iter()
            .map(|(g, m)| (tp_of(&model, g), model.members[m as usize].id.to_string()))
            .collect()
    });
    Ok(StickyOutcome {
        assignment: model.to_assignment(per_member),
        transferring,
    })
}

fn tp_of(model: &Model, g: u32) -> TopicPartition {
    let t = model.topic_of(g) as usize;
    TopicPartition::new(model.topics[t], (g - model.offsets[t]) as i32)
}

type Transfers = Vec<(u32, u32)>;

fn run(model: &Model) -> Result<(Vec<Vec<u32>>, Option<Transfers>), AssignorError> {
    let member_count = model.members.len();
    if member_count == 0 {
        return Ok((Vec::new(), Some(Vec::new())));
    }
    let ids: Vec<&str> = model.members.iter().map(|m| m.id).collect();
    let hash_order: Vec<u32> = java_hashmap_order(&ids)
        .into_iter()
        .map(|i| i as u32)
        .collect();
    let claims = resolve_claims(model, &hash_order);
    if model.all_subscriptions_equal() {
        let (assignment, transfers) = constrained(model, &hash_order, &claims)?;
        Ok((assignment, Some(transfers)))
    } else {
        Ok((general(model, &hash_order, claims), None))
    }
}

/// Owned partitions after `allSubscriptionsEqual`'s conflict handling: a newer generation's
/// claim wins; two claims in the same generation invalidate the partition for everyone.
struct Claims {
    owned: Vec<Vec<u32>>,
    multiple_owners: Vec<bool>,
    max_generation: i32,
}

fn resolve_claims(model: &Model, hash_order: &[u32]) -> Claims {
    let total = model.total() as usize;
    let mut previous_owner = vec![NONE; total];
    let mut holder = vec![NONE; total];
    let mut multiple_owners = vec![false; total];
    let mut added: Vec<Vec<u32>> = vec![Vec::new(); model.members.len()];
    let mut max_generation = DEFAULT_GENERATION;
    let generation = |m: u32| {
        model.members[m as usize]
            .generation
            .unwrap_or(DEFAULT_GENERATION)
    };
    for &m in hash_order {
        let gen = generation(m);
        max_generation = max_generation.max(gen);
        for &g in &model.members[m as usize].owned {
            let gi = g as usize;
            let other = previous_owner[gi];
            if other == NONE {
                added[m as usize].push(g);
                holder[gi] = m;
                previous_owner[gi] = m;
            } else {
                let other_gen = generation(other);
                if gen == other_gen {
                    multiple_owners[gi] = true;
                    holder[gi] = NONE;
                    previous_owner[gi] = m;
                } else if gen > other_gen {
                    added[m as usize].push(g);
                    holder[gi] = m;
                    previous_owner[gi] = m;
                }
            }
        }
    }
    let owned = added
        .into_iter()
        .enumerate()
        .map(|(m, list)| {
            list.into_iter()
                .filter(|&g| holder[g as usize] == m as u32)
                .collect()
        })
        .collect();
    Claims {
        owned,
        multiple_owners,
        max_generation,
    }
}

/// `ConstrainedAssignmentBuilder` (every member subscribes to the same topics).
fn constrained(
    model: &Model,
    hash_order: &[u32],
    claims: &Claims,
) -> Result<(Vec<Vec<u32>>, Transfers), AssignorError> {
    let total = model.total();
    let members = model.members.len() as u32;
    let min_quota = total / members;
    let max_quota = total.div_ceil(members);
    let expected_over_min = total % members;
    let mut current_over_min = 0u32;

    let mut assignment: Vec<Vec<u32>> = vec![Vec::new(); members as usize];
    let mut maybe_revoked = vec![NONE; total as usize];
    let mut assigned = vec![false; total as usize];
    let mut under_min: Vec<u32> = Vec::new();
    let mut exactly_min: VecDeque<u32> = VecDeque::new();

    // Step 1: keep owned partitions, sorted by partition number then topic.
    for &m in hash_order {
        let mut owned: Vec<(u32, u32, u32)> = claims.owned[m as usize]
            .iter()
            .filter(|&&g| !claims.multiple_owners[g as usize])
            .map(|&g| {
                let t = model.topic_of(g);
                (g - model.offsets[t as usize], t, g)
            })
            .collect();
        owned.sort_unstable();
        let owned: Vec<u32> = owned.into_iter().map(|(_, _, g)| g).collect();
        let n = owned.len() as u32;
        let keep = if n < min_quota {
            under_min.push(m);
            n
        } else if n >= max_quota && current_over_min < expected_over_min {
            current_over_min += 1;
            if current_over_min == expected_over_min {
                exactly_min.clear();
            }
            max_quota
        } else {
            if current_over_min < expected_over_min {
                exactly_min.push_back(m);
            }
            min_quota
        };
        for (i, &g) in owned.iter().enumerate() {
            if (i as u32) < keep {
                assignment[m as usize].push(g);
                assigned[g as usize] = true;
            } else {
                maybe_revoked[g as usize] = m;
            }
        }
    }

    let by_id = |a: &u32, b: &u32| {
        super::java_compare(model.members[*a as usize].id, model.members[*b as usize].id)
    };
    under_min.sort_by(by_id);
    exactly_min.make_contiguous().sort_by(by_id);

    // Step 2: deal the unassigned partitions round-robin, first up to minQuota, then maxQuota.
    let mut transfers = Vec::new();
    let mut cursor = 0usize;
    for g in (0..total).filter(|&g| !assigned[g as usize]) {
        let (consumer, from_under) = if cursor < under_min.len() {
            cursor += 1;
            (under_min[cursor - 1], true)
        } else if under_min.is_empty() {
            match exactly_min.pop_front() {
                Some(c) => (c, false),
                None => return Err(AssignorError::new(
                    "sticky assignor: no more unfilled consumers to be assigned (internal error)",
                )),
            }
        } else {
            cursor = 1;
            (under_min[0], true)
        };

        let list = &mut assignment[consumer as usize];
        list.push(g);
        let revoked_from = maybe_revoked[g as usize];
        if (revoked_from != NONE && revoked_from != consumer) || claims.multiple_owners[g as usize]
        {
            transfers.push((g, consumer));
        }
        // (Kafka also counts members reaching maxQuota here, but only to log a warning.)
        if list.len() as u32 == min_quota && from_under {
            cursor -= 1;
            under_min.remove(cursor);
            exactly_min.push_back(consumer);
        }
    }
    Ok((assignment, transfers))
}

/// `PartitionMovements`: which partitions moved between which members during balancing, so a
/// move back undoes an earlier move instead of shuffling a different partition.
#[derive(Default)]
struct PartitionMovements {
    moves: BTreeMap<u32, (u32, u32)>,
    by_topic: BTreeMap<u32, BTreeMap<(u32, u32), BTreeSet<u32>>>,
}

impl PartitionMovements {
    fn remove_record(&mut self, g: u32, t: u32) -> Option<(u32, u32)> {
        let pair = self.moves.remove(&g)?;
        if let Some(topic) = self.by_topic.get_mut(&t) {
            if let Some(set) = topic.get_mut(&pair) {
                set.remove(&g);
                if set.is_empty() {
                    topic.remove(&pair);
                }
            }
            if topic.is_empty() {
                self.by_topic.remove(&t);
            }
        }
        Some(pair)
    }

    fn add_record(&mut self, g: u32, t: u32, pair: (u32, u32)) {
        self.moves.insert(g, pair);
        self.by_topic
            .entry(t)
            .or_default()
            .entry(pair)
            .or_default()
            .insert(g);
    }

    fn move_partition(&mut self, g: u32, t: u32, old: u32, new: u32) {
        match self.remove_record(g, t) {
            Some((src, _)) => {
                if src != new {
                    self.add_record(g, t, (src, new));
                }
            }
            None => self.add_record(g, t, (old, new)),
        }
    }

    fn actual_partition_to_move(&self, g: u32, t: u32, old: u32, new: u32) -> u32 {
        let Some(topic) = self.by_topic.get(&t) else {
            return g;
        };
        let old = self.moves.get(&g).map_or(old, |&(src, _)| src);
        topic
            .get(&(new, old))
            .and_then(|set| set.iter().next().copied())
            .unwrap_or(g)
    }
}

/// `GeneralAssignmentBuilder` (subscriptions differ).
fn general(model: &Model, hash_order: &[u32], claims: Claims) -> Vec<Vec<u32>> {
    let member_count = model.members.len();
    let total = model.total() as usize;
    let topic_count = model.topics.len();

    // Rank members by id so the TreeSet key (size, memberId) becomes (size, rank).
    let id_order = model.member_id_order();
    let mut rank = vec![0u32; member_count];
    for (r, &m) in id_order.iter().enumerate() {
        rank[m as usize] = r as u32;
    }
    let topic_consumers = model.subscribers(hash_order);
    let max_assignment: Vec<u64> = model
        .members
        .iter()
        .map(|m| {
            m.topics
                .iter()
                .map(|&t| u64::from(model.counts[t as usize]))
                .sum()
        })
        .collect();

    // Topics by number of potential consumers, then name; partitions ascending.
    let mut sorted_topics: Vec<u32> = (0..topic_count as u32).collect();
    sorted_topics.sort_by_key(|&t| (topic_consumers[t as usize].len(), t));
    let mut sorted_all: Vec<u32> = sorted_topics
        .iter()
        .flat_map(|&t| model.offsets[t as usize]..model.offsets[t as usize + 1])
        .collect();

    // prevAssignment: the newest claim below the max generation.
    let mut prev: Vec<Option<(u32, i32)>> = vec![None; total];
    for &m in hash_order {
        let member = &model.members[m as usize];
        let gen = match member.generation {
            Some(g) if g < claims.max_generation => g,
            None if claims.max_generation > DEFAULT_GENERATION => DEFAULT_GENERATION,
            _ => continue,
        };
        for &g in &member.owned {
            let slot = &mut prev[g as usize];
            if slot.is_none_or(|(_, existing)| gen > existing) {
                *slot = Some((m, gen));
            }
        }
    }

    let mut state = GeneralState {
        lists: vec![Vec::new(); member_count],
        position: vec![0; total],
        owner: vec![NONE; total],
        sorted: BTreeSet::new(),
        rank,
        fixed: vec![false; member_count],
    };
    let mut revocation_required = false;
    let mut assigned = vec![false; total];
    for (m, owned) in claims.owned.into_iter().enumerate() {
        for g in owned {
            let t = model.topic_of(g);
            if model.members[m].subscribes(t) {
                state.add(m as u32, g);
                assigned[g as usize] = true;
            } else {
                revocation_required = true;
            }
        }
    }
    let mut unassigned: Vec<u32> = sorted_all
        .iter()
        .copied()
        .filter(|&g| !assigned[g as usize])
        .collect();
    for m in 0..member_count as u32 {
        state.sorted.insert(state.key(m));
    }

    // balance()
    let initializing = state
        .sorted
        .iter()
        .next_back()
        .is_none_or(|&(size, _)| size == 0);
    for &g in &unassigned {
        let t = model.topic_of(g);
        if topic_consumers[t as usize].is_empty() {
            continue;
        }
        let target = state
            .sorted
            .iter()
            .map(|&(_, r)| id_order[r as usize])
            .find(|&c| model.members[c as usize].subscribes(t));
        if let Some(c) = target {
            state.reassign(g, c);
        }
    }

    let can_topic_move = |t: u32| topic_consumers[t as usize].len() >= 2;
    sorted_all.retain(|&g| can_topic_move(model.topic_of(g)));
    unassigned.retain(|&g| can_topic_move(model.topic_of(g)));
    for m in 0..member_count as u32 {
        let list = &state.lists[m as usize];
        let can_move = (list.len() as u64) < max_assignment[m as usize]
            || list.iter().any(|&g| can_topic_move(model.topic_of(g)));
        if !can_move {
            state.sorted.remove(&state.key(m));
            state.fixed[m as usize] = true;
        }
    }

    let pre_lists = state.lists.clone();
    let pre_owner = state.owner.clone();
    let pre_score = balance_score(&state);
    let mut movements = PartitionMovements::default();
    let ctx = BalanceContext {
        model,
        topic_consumers: &topic_consumers,
        max_assignment: &max_assignment,
        id_order: &id_order,
        prev: &prev,
    };
    if !revocation_required {
        perform_reassignments(&ctx, &mut state, &mut movements, &unassigned);
    }
    let performed = perform_reassignments(&ctx, &mut state, &mut movements, &sorted_all);
    if !initializing && performed && balance_score(&state) >= pre_score {
        state.lists = pre_lists;
        state.owner = pre_owner;
    }
    state.lists
}

struct GeneralState {
    lists: Vec<Vec<u32>>,
    position: Vec<u32>,
    owner: Vec<u32>,
    /// `sortedCurrentSubscriptions`: (assigned count, member-id rank) of non-fixed members.
    sorted: BTreeSet<(u32, u32)>,
    rank: Vec<u32>,
    fixed: Vec<bool>,
}

impl GeneralState {
    fn key(&self, m: u32) -> (u32, u32) {
        (self.lists[m as usize].len() as u32, self.rank[m as usize])
    }

    fn size(&self, m: u32) -> u32 {
        self.lists[m as usize].len() as u32
    }

    fn add(&mut self, m: u32, g: u32) {
        let list = &mut self.lists[m as usize];
        self.position[g as usize] = list.len() as u32;
        list.push(g);
        self.owner[g as usize] = m;
    }

    fn remove(&mut self, m: u32, g: u32) {
        let list = &mut self.lists[m as usize];
        let pos = self.position[g as usize] as usize;
        if list.get(pos) != Some(&g) {
            return;
        }
        list.swap_remove(pos);
        if let Some(&moved) = list.get(pos) {
            self.position[moved as usize] = pos as u32;
        }
    }

    /// Moves `g` to `new` (from its owner, if any), keeping the sorted set in step.
    fn reassign(&mut self, g: u32, new: u32) {
        let old = self.owner[g as usize];
        let tracked = |s: &Self, m: u32| !s.fixed[m as usize];
        if old != NONE && tracked(self, old) {
            self.sorted.remove(&self.key(old));
        }
        if tracked(self, new) {
            self.sorted.remove(&self.key(new));
        }
        if old != NONE {
            self.remove(old, g);
        }
        self.add(new, g);
        if old != NONE && tracked(self, old) {
            self.sorted.insert(self.key(old));
        }
        if tracked(self, new) {
            self.sorted.insert(self.key(new));
        }
    }
}

struct BalanceContext<'a> {
    model: &'a Model<'a>,
    topic_consumers: &'a [Vec<u32>],
    max_assignment: &'a [u64],
    id_order: &'a [u32],
    prev: &'a [Option<(u32, i32)>],
}

/// `getBalanceScore`: sum of |size difference| over all pairs of non-fixed members.
fn balance_score(state: &GeneralState) -> i64 {
    let mut sizes: Vec<i64> = (0..state.lists.len())
        .filter(|&m| !state.fixed[m])
        .map(|m| state.lists[m].len() as i64)
        .collect();
    sizes.sort_unstable();
    let n = sizes.len() as i64;
    sizes
        .iter()
        .enumerate()
        .map(|(i, &s)| s * (2 * i as i64 - (n - 1)))
        .sum()
}

/// `isBalanced`: sizes differ by at most one, or no member short of partitions could take one
/// of its topics' partitions from a member with at least two more.
fn is_balanced(ctx: &BalanceContext, state: &GeneralState) -> bool {
    let (Some(&(min, _)), Some(&(max, _))) = (state.sorted.first(), state.sorted.last()) else {
        return true;
    };
    if min + 1 >= max {
        return true;
    }
    for &(size, r) in &state.sorted {
        let m = ctx.id_order[r as usize];
        if u64::from(size) == ctx.max_assignment[m as usize] {
            continue;
        }
        for &t in &ctx.model.members[m as usize].topics {
            let range = ctx.model.offsets[t as usize]..ctx.model.offsets[t as usize + 1];
            for g in range {
                let other = state.owner[g as usize];
                if other != m
                    && other != NONE
                    && !state.fixed[other as usize]
                    && size + 1 < state.size(other)
                {
                    return false;
                }
            }
        }
    }
    true
}

fn perform_reassignments(
    ctx: &BalanceContext,
    state: &mut GeneralState,
    movements: &mut PartitionMovements,
    partitions: &[u32],
) -> bool {
    let mut performed = false;
    // Kafka loops until nothing moves. A move can shuffle a partition between two other members
    // (undoing an earlier move), so termination is not obvious; cap the moves so a simulation
    // can never hang. The cap is far above what balancing needs (each partition moves a few times).
    let mut budget = u64::from(ctx.model.total()) * 8 + 1024;
    loop {
        let mut modified = false;
        for &g in partitions {
            if budget == 0 {
                return performed;
            }
            if is_balanced(ctx, state) {
                break;
            }
            let consumer = state.owner[g as usize];
            if consumer == NONE {
                continue;
            }
            let t = ctx.model.topic_of(g);
            // Back to the previous generation's owner if that helps balance. (Kafka does not
            // check that owner still subscribes to the topic; we do, so a partition never goes
            // to a non-subscriber.)
            if let Some((prev_owner, _)) = ctx.prev[g as usize] {
                if !state.fixed[prev_owner as usize]
                    && ctx.model.members[prev_owner as usize].subscribes(t)
                    && state.size(consumer) > state.size(prev_owner) + 1
                {
                    reassign_with_movements(ctx, state, movements, g, prev_owner);
                    budget -= 1;
                    performed = true;
                    modified = true;
                    continue;
                }
            }
            let better = ctx.topic_consumers[t as usize].iter().any(|&other| {
                !state.fixed[other as usize] && state.size(consumer) > state.size(other) + 1
            });
            if better {
                let new = state
                    .sorted
                    .iter()
                    .map(|&(_, r)| ctx.id_order[r as usize])
                    .find(|&c| ctx.model.members[c as usize].subscribes(t));
                if let Some(new) = new {
                    reassign_with_movements(ctx, state, movements, g, new);
                    budget -= 1;
                    performed = true;
                    modified = true;
                }
            }
        }
        if !modified {
            return performed;
        }
    }
}

fn reassign_with_movements(
    ctx: &BalanceContext,
    state: &mut GeneralState,
    movements: &mut PartitionMovements,
    g: u32,
    new: u32,
) {
    let t = ctx.model.topic_of(g);
    let consumer = state.owner[g as usize];
    let actual = movements.actual_partition_to_move(g, t, consumer, new);
    let old = state.owner[actual as usize];
    movements.move_partition(actual, t, old, new);
    state.reassign(actual, new);
}
