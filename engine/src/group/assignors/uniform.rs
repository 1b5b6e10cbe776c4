//! Server-side KIP-848 `UniformAssignor` (`uniform`, first in `group.consumer.assignors`).
//!
//! Balance first (counts differ by at most one when subscriptions are equal), stickiness second.
//! Each member's `owned` is its current assignment.
//!
//! * Homogeneous group (`UniformHomogeneousAssignmentBuilder`): `T` partitions over `M` members,
//!   quota `T / M`, the first `T % M` members get one more; each keeps owned partitions up to
//!   its quota; never-assigned partitions (topic order) and then revoked ones are handed out in
//!   order to members still below quota.
//! * Heterogeneous group (`UniformHeterogeneousAssignmentBuilder`): keep owned partitions of
//!   subscribed topics, give unassigned ones to the least-loaded subscriber (topics with the most
//!   partitions per subscriber first), then move partitions from the most to the least loaded
//!   subscribers of each topic, for at most 16 rounds.
//!
//! Kafka iterates members and topic ids in coordinator hash-map order, which it leaves open. The
//! playground fixes it: members by member id, topics by name. [`assign_with_topic_order`] takes
//! another topic order (e.g. Java's `HashSet<Uuid>` order, to reproduce a Kafka test).
//! A partition owned by several members stays with the first one in member order.

use super::model::{Model, NONE};
use super::{java_compare, Assignment, AssignorError, MemberSubscription};
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// Runs the uniform assignor with topics in name order.
pub fn assign(
    partitions_per_topic: &BTreeMap<String, u32>,
    members: &[MemberSubscription],
) -> Result<Assignment, AssignorError> {
    assign_with_topic_order(partitions_per_topic, members, &[])
}

/// Runs the uniform assignor iterating topics in `topic_order` first (names not subscribed or
/// unknown are skipped), then any remaining subscribed topics by name.
pub fn assign_with_topic_order(
    partitions_per_topic: &BTreeMap<String, u32>,
    members: &[MemberSubscription],
    topic_order: &[&str],
) -> Result<Assignment, AssignorError> {
    let model = Model::build(partitions_per_topic, members, true)?;
    let mut order: Vec<u32> = Vec::with_capacity(model.topics.len());
    let mut placed = vec![false; model.topics.len()];
    for name in topic_order {
        if let Ok(t) = model.topics.binary_search_by(|n| java_compare(n, name)) {
            if !placed[t] {
                placed[t] = true;
                order.push(t as u32);
            }
        }
    }
    order.extend((0..model.topics.len() as u32).filter(|&t| !placed[t as usize]));

    let members_sorted = model.member_id_order();
    // Current assignment: deduplicated across members, first in member order wins.
    let mut holder = vec![NONE; model.total() as usize];
    for &m in &members_sorted {
        for &g in &model.members[m as usize].owned {
            if holder[g as usize] == NONE {
                holder[g as usize] = m;
            }
        }
    }
    let per_member = if model.all_subscriptions_equal() {
        homogeneous(&model, &order, &members_sorted, &holder)
    } else {
        heterogeneous(&model, &order, &members_sorted, &holder)
    };
    Ok(model.to_assignment(per_member))
}

/// `UniformHomogeneousAssignmentBuilder`.
fn homogeneous(model: &Model, order: &[u32], members: &[u32], holder: &[u32]) -> Vec<Vec<u32>> {
    let mut out = vec![Vec::new(); model.members.len()];
    let Some(&first) = members.first() else {
        return out;
    };
    let subscribed = &model.members[first as usize].topics;
    if subscribed.is_empty() {
        return out;
    }
    let topics: Vec<u32> = order
        .iter()
        .copied()
        .filter(|t| subscribed.contains(t))
        .collect();

    let mut unassigned: Vec<u32> = Vec::new();
    let mut total: u32 = 0;
    for &t in &topics {
        let range = model.offsets[t as usize]..model.offsets[t as usize + 1];
        total += range.len() as u32;
        unassigned.extend(range.filter(|&g| holder[g as usize] == NONE));
    }
    let member_count = members.len() as u32;
    let min_quota = total / member_count;
    let mut extra = total % member_count;

    // The current assignment of each member, grouped by topic in topic order.
    let mut current: Vec<Vec<u32>> = vec![Vec::new(); model.members.len()];
    for &t in &topics {
        for g in model.offsets[t as usize]..model.offsets[t as usize + 1] {
            let m = holder[g as usize];
            if m != NONE {
                current[m as usize].push(g);
            }
        }
    }

    let mut unfilled: Vec<(u32, u32)> = Vec::new();
    for &m in members {
        let mut quota = min_quota;
        if extra > 0 {
            quota += 1;
            extra -= 1;
        }
        let owned = &current[m as usize];
        let mut i = 0;
        while i < owned.len() {
            let t = model.topic_of(owned[i]);
            let end = i + owned[i..]
                .iter()
                .take_while(|&&g| model.topic_of(g) == t)
                .count();
            let partitions = &owned[i..end];
            if partitions.len() as u32 <= quota {
                quota -= partitions.len() as u32;
                out[m as usize].extend_from_slice(partitions);
            } else {
                for &g in partitions {
                    if quota > 0 {
                        quota -= 1;
                        out[m as usize].push(g);
                    } else {
                        unassigned.push(g);
                    }
                }
            }
            i = end;
        }
        if quota > 0 {
            unfilled.push((m, quota));
        }
    }

    let mut next = unassigned.into_iter();
    for (m, quota) in unfilled {
        out[m as usize].extend(next.by_ref().take(quota as usize));
    }
    out
}

/// `UniformHeterogeneousAssignmentBuilder`.
fn heterogeneous(model: &Model, order: &[u32], members: &[u32], holder: &[u32]) -> Vec<Vec<u32>> {
    let member_count = members.len();
    // Member index = position in sorted member order; `members[i]` is the model index.
    let mut index_of = vec![0u32; model.members.len()];
    for (i, &m) in members.iter().enumerate() {
        index_of[m as usize] = i as u32;
    }
    let mut subscribers: Vec<Vec<u32>> = vec![Vec::new(); model.topics.len()];
    for (i, &m) in members.iter().enumerate() {
        for &t in &model.members[m as usize].topics {
            subscribers[t as usize].push(i as u32);
        }
    }
    let mut rank_in_order = vec![0u32; model.topics.len()];
    for (r, &t) in order.iter().enumerate() {
        rank_in_order[t as usize] = r as u32;
    }

    let mut b = Builder {
        owner: vec![NONE; model.total() as usize],
        sizes: vec![0; member_count],
    };
    // Keep current partitions of subscribed topics.
    for (g, &m) in holder.iter().enumerate() {
        if m != NONE && model.members[m as usize].subscribes(model.topic_of(g as u32)) {
            b.owner[g] = index_of[m as usize];
            b.sizes[index_of[m as usize] as usize] += 1;
        }
    }

    // Partitions per subscriber descending, then subscriber count ascending, then topic order.
    let topic_cmp = |&a: &u32, &b: &u32| -> Ordering {
        let (pa, sa) = (
            u64::from(model.counts[a as usize]),
            subscribers[a as usize].len() as u64,
        );
        let (pb, sb) = (
            u64::from(model.counts[b as usize]),
            subscribers[b as usize].len() as u64,
        );
        (pb * sa)
            .cmp(&(pa * sb))
            .then(sa.cmp(&sb))
            .then(rank_in_order[a as usize].cmp(&rank_in_order[b as usize]))
    };
    let subscribed: Vec<u32> = (0..model.topics.len() as u32)
        .filter(|&t| !subscribers[t as usize].is_empty())
        .collect();

    // Assign the unassigned partitions to the least loaded subscribers.
    let mut with_unassigned: Vec<u32> = subscribed
        .iter()
        .copied()
        .filter(|&t| model.range(t).any(|g| b.owner[g as usize] == NONE))
        .collect();
    with_unassigned.sort_by(topic_cmp);
    let mut balancer = Balancer::default();
    for &t in &with_unassigned {
        balancer.initialize(&subscribers[t as usize], &b.sizes);
        for g in model.range(t) {
            if b.owner[g as usize] == NONE {
                let m = balancer.next_least_loaded(&b.sizes);
                b.assign(g, m);
            }
        }
    }

    // Balance topic by topic.
    let mut movable: Vec<u32> = subscribed
        .into_iter()
        .filter(|&t| subscribers[t as usize].len() >= 2)
        .collect();
    if !movable.is_empty() {
        movable.sort_by(topic_cmp);
        b.balance_topics(model, &movable, &subscribers, &mut balancer);
    }

    let mut out = vec![Vec::new(); model.members.len()];
    for (g, &i) in b.owner.iter().enumerate() {
        if i != NONE {
            out[members[i as usize] as usize].push(g as u32);
        }
    }
    out
}

/// `MAX_ITERATION_COUNT` of the heterogeneous builder's balancing phase.
const MAX_ITERATION_COUNT: usize = 16;

struct Builder {
    /// Owner of each global partition as a member index, or `NONE`.
    owner: Vec<u32>,
    sizes: Vec<u32>,
}

impl Builder {
    fn assign(&mut self, g: u32, m: u32) {
        let old = self.owner[g as usize];
        if old != NONE {
            self.sizes[old as usize] -= 1;
        }
        self.owner[g as usize] = m;
        self.sizes[m as usize] += 1;
    }

    fn balance_topics(
        &mut self,
        model: &Model,
        topics: &[u32],
        subscribers: &[Vec<u32>],
        balancer: &mut Balancer,
    ) {
        let mut last_rebalanced: Option<usize> = None;
        let mut ranges: Vec<(u32, u32)> = vec![(0, 0); self.sizes.len()];
        let mut partitions: Vec<u32> = Vec::new();
        for _ in 0..MAX_ITERATION_COUNT {
            for (index, &t) in topics.iter().enumerate() {
                if last_rebalanced == Some(index) {
                    return;
                }
                let moved = self.balance_topic(
                    model,
                    t,
                    &subscribers[t as usize],
                    balancer,
                    &mut partitions,
                    &mut ranges,
                );
                if moved > 0 || last_rebalanced.is_none() {
                    last_rebalanced = Some(index);
                }
            }
        }
    }

    fn balance_topic(
        &mut self,
        model: &Model,
        t: u32,
        subscribers: &[u32],
        balancer: &mut Balancer,
        partitions: &mut Vec<u32>,
        ranges: &mut [(u32, u32)],
    ) -> u32 {
        let imbalance = balancer.initialize(subscribers, &self.sizes);
        if imbalance <= 1 {
            return 0;
        }
        // Partitions grouped by owner (then ascending), so each owner's share is a range.
        partitions.clear();
        partitions.extend(model.range(t));
        partitions.sort_by_key(|&g| (self.owner[g as usize], g));
        for &m in subscribers {
            ranges[m as usize] = (0, 0);
        }
        let mut touched: Vec<u32> = Vec::new();
        let mut i = 0;
        while i < partitions.len() {
            let owner = self.owner[partitions[i] as usize];
            let end = i + partitions[i..]
                .iter()
                .take_while(|&&g| self.owner[g as usize] == owner)
                .count();
            if owner != NONE {
                ranges[owner as usize] = (i as u32, end as u32);
                touched.push(owner);
            }
            i = end;
        }

        let mut moved = 0;
        while !balancer.is_balanced() {
            let mut most_loaded = None;
            while let Some(m) = balancer.next_most_loaded(&self.sizes) {
                let (start, end) = ranges[m as usize];
                if end <= start {
                    balancer.exclude_most_loaded();
                    continue;
                }
                most_loaded = Some(m);
                break;
            }
            let Some(m) = most_loaded else { break };
            let (start, end) = ranges[m as usize];
            let g = partitions[end as usize - 1];
            ranges[m as usize] = (start, end - 1);
            let least = balancer.next_least_loaded(&self.sizes);
            if balancer.is_balanced() {
                break;
            }
            self.assign(g, least);
            moved += 1;
        }
        for m in touched {
            ranges[m as usize] = (0, 0);
        }
        moved
    }
}

/// `MemberAssignmentBalancer`: a least-loaded range growing rightwards and a most-loaded range
/// growing leftwards over members sorted by assigned count (ties by member index).
#[derive(Default)]
struct Balancer {
    sorted: Vec<u32>,
    least_end: usize,
    least_count: i64,
    next_least: usize,
    most_start: usize,
    most_end: usize,
    most_count: i64,
    next_most: i64,
}

impl Balancer {
    /// Returns the spread between the most and least loaded members (0 for no members).
    fn initialize(&mut self, members: &[u32], sizes: &[u32]) -> i64 {
        self.sorted.clear();
        self.sorted.extend_from_slice(members);
        self.sorted.sort_by_key(|&m| (sizes[m as usize], m));
        let (Some(&first), Some(&last)) = (self.sorted.first(), self.sorted.last()) else {
            return 0;
        };
        let n = self.sorted.len();
        self.least_end = 0;
        self.least_count = i64::from(sizes[first as usize]) - 1;
        self.next_least = 0;
        self.most_start = n;
        self.most_end = n;
        self.most_count = i64::from(sizes[last as usize]) + 1;
        self.next_most = n as i64 - 1;
        i64::from(sizes[last as usize]) - i64::from(sizes[first as usize])
    }

    fn next_least_loaded(&mut self, sizes: &[u32]) -> u32 {
        if self.next_least >= self.least_end {
            self.least_count += 1;
            while self.least_end < self.sorted.len()
                && i64::from(sizes[self.sorted[self.least_end] as usize]) == self.least_count
            {
                self.least_end += 1;
            }
            self.next_least = 0;
        }
        let m = self.sorted[self.next_least];
        self.next_least += 1;
        m
    }

    fn next_most_loaded(&mut self, sizes: &[u32]) -> Option<u32> {
        if self.next_most < self.most_start as i64 {
            if self.most_end <= self.most_start && self.most_start > 0 {
                self.most_count = i64::from(sizes[self.sorted[self.most_start - 1] as usize]);
            } else {
                self.most_count -= 1;
            }
            while self.most_start > 0
                && i64::from(sizes[self.sorted[self.most_start - 1] as usize]) == self.most_count
            {
                self.most_start -= 1;
            }
            self.next_most = self.most_end as i64 - 1;
        }
        if self.next_most < 0 {
            return None;
        }
        let m = self.sorted[self.next_most as usize];
        self.next_most -= 1;
        Some(m)
    }

    fn exclude_most_loaded(&mut self) {
        let i = (self.next_most + 1) as usize;
        self.sorted.swap(i, self.most_end - 1);
        self.most_end -= 1;
    }

    fn is_balanced(&self) -> bool {
        self.most_count - self.least_count <= 1
    }
}
