//! The compact internal model every assignor works on: topics and members as small integers,
//! partitions as one global index `g = offset[topic] + partition`.
//!
//! Topics are numbered in Java `String.compareTo` order, so ascending `g` is exactly Kafka's
//! "topics sorted, partitions ascending" order. Strings only appear at the edges.

use super::{java_compare, Assignment, AssignorError, MemberSubscription};
use crate::TopicPartition;
use std::collections::{BTreeMap, BTreeSet};

/// Marks "no member" / "no partition" in `u32` tables.
pub(crate) const NONE: u32 = u32::MAX;

pub(crate) struct MemberModel<'a> {
    pub id: &'a str,
    pub instance_id: Option<&'a str>,
    /// Subscribed topics that exist with at least one partition, ascending topic index.
    pub topics: Vec<u32>,
    /// Every subscribed topic name (existing or not) as an interned id, ascending, deduplicated:
    /// Kafka compares raw subscriptions to decide whether the group is homogeneous.
    pub raw_topics: Vec<u32>,
    /// Owned partitions of existing topics and in range, deduplicated, in the given order.
    pub owned: Vec<u32>,
    pub generation: Option<i32>,
}

impl MemberModel<'_> {
    pub fn subscribes(&self, topic: u32) -> bool {
        self.topics.binary_search(&topic).is_ok()
    }
}

pub(crate) struct Model<'a> {
    /// Topics that exist and that at least one member subscribes to, in Java string order.
    pub topics: Vec<&'a str>,
    pub counts: Vec<u32>,
    /// `offsets[t]..offsets[t + 1]` are topic `t`'s global partition indexes.
    pub offsets: Vec<u32>,
    /// Members in the order given.
    pub members: Vec<MemberModel<'a>>,
}

impl<'a> Model<'a> {
    /// Builds the model. `read_owned = false` skips the owned partitions (for the assignors that
    /// ignore them), which matters when members own a million partitions between them.
    pub fn build(
        partitions_per_topic: &'a BTreeMap<String, u32>,
        members: &'a [MemberSubscription],
        read_owned: bool,
    ) -> Result<Model<'a>, AssignorError> {
        let mut seen_ids = BTreeSet::new();
        for m in members {
            if !seen_ids.insert(m.member_id.as_str()) {
                return Err(AssignorError::new(format!(
                    "member id '{}' appears twice; every group member needs a unique member id",
                    m.member_id
                )));
            }
        }

        // Intern every subscribed name. Members usually share one subscription list, so reuse
        // the previous member's work when the list is identical.
        let mut names: BTreeSet<&'a str> = BTreeSet::new();
        let mut previous: Option<&'a [String]> = None;
        for m in members {
            if previous == Some(m.topics.as_slice()) {
                continue;
            }
            names.extend(m.topics.iter().map(String::as_str));
            previous = Some(m.topics.as_slice());
        }
        let mut names: Vec<&'a str> = names.into_iter().collect();
        names.sort_by(|a, b| java_compare(a, b));
        let exists = |name: &str| partitions_per_topic.get(name).is_some_and(|&c| c > 0);
        let (known, unknown): (Vec<&'a str>, Vec<&'a str>) =
            names.into_iter().partition(|n| exists(n));

        let mut counts = Vec::with_capacity(known.len());
        let mut offsets = Vec::with_capacity(known.len() + 1);
        let mut total: u64 = 0;
        offsets.push(0u32);
        for name in &known {
            let count = partitions_per_topic.get(*name).copied().unwrap_or(0);
            if count > i32::MAX as u32 {
                return Err(AssignorError::new(format!(
                    "topic '{name}' has {count} partitions; Kafka partition numbers are 32-bit \
                     signed, so at most {} are allowed",
                    i32::MAX
                )));
            }
            total += u64::from(count);
            if total >= u64::from(NONE) {
                return Err(AssignorError::new(format!(
                    "the subscribed topics have {total} partitions in total; at most {} are supported",
                    NONE - 1
                )));
            }
            counts.push(count);
            offsets.push(total as u32);
        }
        let id_of: BTreeMap<&str, u32> = known
            .iter()
            .chain(unknown.iter())
            .enumerate()
            .map(|(i, n)| (*n, i as u32))
            .collect();
        let known_count = known.len() as u32;

        let total = total as u32;
        let mut stamp = vec![NONE; if read_owned { total as usize } else { 0 }];
        let mut out = Vec::with_capacity(members.len());
        let mut previous: Option<(&[String], Vec<u32>, Vec<u32>)> = None;
        for (index, m) in members.iter().enumerate() {
            let (raw_topics, topics) = match &previous {
                Some((list, raw, topics)) if *list == m.topics.as_slice() => {
                    (raw.clone(), topics.clone())
                }
                _ => {
                    let mut raw: Vec<u32> = m
                        .topics
                        .iter()
                        .filter_map(|n| id_of.get(n.as_str()).copied())
                        .collect();
                    raw.sort_unstable();
                    raw.dedup();
                    let topics: Vec<u32> =
                        raw.iter().copied().filter(|&t| t < known_count).collect();
                    previous = Some((m.topics.as_slice(), raw.clone(), topics.clone()));
                    (raw, topics)
                }
            };

            let mut owned = Vec::new();
            let mut last: Option<(&str, u32)> = None;
            for tp in m.owned.iter().filter(|_| read_owned) {
                let topic = match last {
                    Some((name, t)) if name == &*tp.topic => t,
                    _ => {
                        let t = id_of.get(&*tp.topic).copied().unwrap_or(NONE);
                        last = Some((&*tp.topic, t));
                        t
                    }
                };
                if topic >= known_count || tp.partition < 0 {
                    continue;
                }
                let t = topic as usize;
                let p = tp.partition as u32;
                if p >= counts[t] {
                    continue;
                }
                let g = offsets[t] + p;
                if stamp[g as usize] != index as u32 {
                    stamp[g as usize] = index as u32;
                    owned.push(g);
                }
            }

            out.push(MemberModel {
                id: m.member_id.as_str(),
                instance_id: m.group_instance_id.as_deref(),
                topics,
                raw_topics,
                owned,
                generation: m.generation,
            });
        }

        Ok(Model {
            topics: known,
            counts,
            offsets,
            members: out,
        })
    }

    pub fn total(&self) -> u32 {
        self.offsets.last().copied().unwrap_or(0)
    }

    pub fn topic_count(&self) -> u32 {
        self.topics.len() as u32
    }

    /// Topic `t`'s global partition indexes.
    pub fn range(&self, t: u32) -> std::ops::Range<u32> {
        self.offsets[t as usize]..self.offsets[t as usize + 1]
    }

    /// The topic of global partition `g`.
    pub fn topic_of(&self, g: u32) -> u32 {
        (self.offsets.partition_point(|&o| o <= g) - 1) as u32
    }

    /// Whether every member has the same raw subscription (Kafka's homogeneous group).
    pub fn all_subscriptions_equal(&self) -> bool {
        match self.members.first() {
            Some(first) => self
                .members
                .iter()
                .all(|m| m.raw_topics == first.raw_topics),
            None => true,
        }
    }

    /// `AbstractPartitionAssignor.MemberInfo` order: members with a `group.instance.id` first,
    /// by instance id; then the others by member id (Java string order; stable for ties).
    pub fn member_info_order(&self) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.members.len() as u32).collect();
        order.sort_by(|&a, &b| {
            let (a, b) = (&self.members[a as usize], &self.members[b as usize]);
            match (a.instance_id, b.instance_id) {
                (Some(x), Some(y)) => java_compare(x, y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => java_compare(a.id, b.id),
            }
        });
        order
    }

    /// Members sorted by member id in Java string order.
    pub fn member_id_order(&self) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.members.len() as u32).collect();
        order.sort_by(|&a, &b| {
            java_compare(self.members[a as usize].id, self.members[b as usize].id)
        });
        order
    }

    /// Subscribers of each topic, in the order of `member_order`.
    pub fn subscribers(&self, member_order: &[u32]) -> Vec<Vec<u32>> {
        let mut subs = vec![Vec::new(); self.topics.len()];
        for &m in member_order {
            for &t in &self.members[m as usize].topics {
                subs[t as usize].push(m);
            }
        }
        subs
    }

    /// Converts per-member global partition lists into Kafka names, each list sorted by topic
    /// then partition. Every member appears, possibly with an empty list.
    pub fn to_assignment(&self, per_member: Vec<Vec<u32>>) -> Assignment {
        let topic_names: Vec<String> = self.topics.iter().map(|t| t.to_string()).collect();
        let mut out = Assignment::new();
        for (m, mut list) in self.members.iter().zip(per_member) {
            list.sort_unstable();
            let mut t = 0usize;
            let tps = list
                .into_iter()
                .map(|g| {
                    while self.offsets[t + 1] <= g {
                        t += 1;
                    }
                    TopicPartition {
                        topic: topic_names[t].as_str().into(),
                        partition: (g - self.offsets[t]) as i32,
                    }
                })
                .collect();
            out.insert(m.id.to_string(), tps);
        }
        out
    }
}
