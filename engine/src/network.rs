//! The simulated network: links between nodes with latency, loss and cuts, and every message
//! in flight (the UI animates exactly these).

use super::ids::BrokerId;
use super::protocol::Body;
use super::time::Millis;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Client ids are small integers handed out by the simulation.
pub type ClientId = u32;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum NodeId {
    Broker(BrokerId),
    /// A KRaft controller (node ids from 3000, as Kafka's docs number them).
    Controller(i32),
    Client(ClientId),
    /// A ZooKeeper server of the ensemble (ZooKeeper era; `myid` from 1). Last, so that
    /// adding it changed no existing trace hash.
    ZooKeeper(i32),
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NodeId::Broker(b) => write!(f, "broker {b}"),
            NodeId::Controller(c) => write!(f, "controller {c}"),
            NodeId::ZooKeeper(z) => write!(f, "zookeeper {z}"),
            NodeId::Client(c) => write!(f, "client {c}"),
        }
    }
}

impl NodeId {
    /// `broker:0`, `controller:3000`, `zookeeper:1`, `client:4`: how scenario files name nodes.
    pub fn key(&self) -> String {
        match self {
            NodeId::Broker(b) => format!("broker:{b}"),
            NodeId::Controller(c) => format!("controller:{c}"),
            NodeId::ZooKeeper(z) => format!("zookeeper:{z}"),
            NodeId::Client(c) => format!("client:{c}"),
        }
    }

    /// Reads what [`NodeId::key`] writes.
    pub fn from_key(s: &str) -> Result<NodeId, String> {
        let bad = || {
            format!(
                "must name a node as broker:N, controller:N, zookeeper:N or client:N; got {s:?}"
            )
        };
        let (kind, n) = s.split_once(':').ok_or_else(bad)?;
        let n: i32 = n.parse().map_err(|_| bad())?;
        match kind {
            "broker" => Ok(NodeId::Broker(n)),
            "controller" => Ok(NodeId::Controller(n)),
            "zookeeper" => Ok(NodeId::ZooKeeper(n)),
            "client" => u32::try_from(n).map(NodeId::Client).map_err(|_| bad()),
            _ => Err(bad()),
        }
    }
}

/// One message on the wire, from its send time to its delivery time.
#[derive(Clone, Debug)]
pub struct Envelope {
    pub id: u64,
    pub from: NodeId,
    pub to: NodeId,
    pub sent_at: Millis,
    pub deliver_at: Millis,
    /// Dropped by a lossy or cut link: drawn until it vanishes, never delivered.
    pub lost: bool,
    pub body: Body,
}

/// Default one-way latency of a link. Real data-centre links are faster; 2 ms keeps the
/// protocol's order visible when the UI slows time down.
pub const DEFAULT_LATENCY_MS: Millis = 2;

#[derive(Clone, Debug)]
pub struct Network {
    pub default_latency: Millis,
    latency: BTreeMap<(NodeId, NodeId), Millis>,
    loss_percent: BTreeMap<(NodeId, NodeId), u32>,
    cut: BTreeSet<(NodeId, NodeId)>,
    /// Nodes cut off from every other node (`network isolate`), including nodes added later.
    isolated: BTreeSet<NodeId>,
    /// Nodes that run inside another node's process (a combined-mode controller inside its
    /// broker): they share its links, so a fault on one is a fault on the other.
    hosts: BTreeMap<NodeId, NodeId>,
    /// The messages on the wire, each in a slot of its own until it is taken.
    in_flight: Wire,
    next_id: u64,
    /// When each client's connection to a broker was last closed (a timeout, the broker gone).
    closed: BTreeMap<(ClientId, BrokerId), Millis>,
}

impl Default for Network {
    fn default() -> Self {
        Network {
            default_latency: DEFAULT_LATENCY_MS,
            latency: BTreeMap::new(),
            loss_percent: BTreeMap::new(),
            cut: BTreeSet::new(),
            isolated: BTreeSet::new(),
            hosts: BTreeMap::new(),
            in_flight: Wire::default(),
            next_id: 1,
            closed: BTreeMap::new(),
        }
    }
}

/// A message on the wire: its id (the one the trace names) and where it waits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InFlight {
    pub id: u64,
    slot: usize,
}

/// The messages on the wire, in reusable slots: sending and delivering a message cost no
/// allocation and no tree search (a boxed entry in a tree keyed by id was ~5% of a quiet
/// cluster's time).
/// Every message is taken at its delivery time, so slots are bounded by the most messages in
/// flight at once, whatever the links' latencies.
#[derive(Clone, Debug, Default)]
struct Wire {
    slots: Vec<Option<Envelope>>,
    /// Empty slots, reused last-freed first.
    free: Vec<usize>,
}

impl Wire {
    fn put(&mut self, env: Envelope) -> InFlight {
        let id = env.id;
        // A freed slot is always one of ours; a fresh one goes at the end.
        match self.free.pop().filter(|slot| *slot < self.slots.len()) {
            Some(slot) => {
                self.slots[slot] = Some(env);
                InFlight { id, slot }
            }
            None => {
                self.slots.push(Some(env));
                InFlight {
                    id,
                    slot: self.slots.len() - 1,
                }
            }
        }
    }

    fn take(&mut self, msg: InFlight) -> Option<Envelope> {
        let place = self.slots.get_mut(msg.slot)?;
        if place.as_ref().is_none_or(|env| env.id != msg.id) {
            return None;
        }
        self.free.push(msg.slot);
        place.take()
    }

    /// Messages on the wire: every slot but the free ones.
    fn len(&self) -> usize {
        self.slots.len().saturating_sub(self.free.len())
    }
}

fn link(a: NodeId, b: NodeId) -> (NodeId, NodeId) {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

impl Network {
    pub(crate) fn connection_closed(&mut self, client: ClientId, broker: BrokerId, at: Millis) {
        self.closed.insert((client, broker), at);
    }

    /// Whether the connection a request sent at `sent_at` went out on has been closed since.
    pub(crate) fn closed_since(&self, client: ClientId, broker: BrokerId, sent_at: Millis) -> bool {
        self.closed
            .get(&(client, broker))
            .is_some_and(|at| sent_at < *at)
    }

    pub fn with_latency(ms: Millis) -> Self {
        Network {
            default_latency: ms,
            ..Network::default()
        }
    }

    /// `guest` runs in `host`'s process (`process.roles=broker,controller`): every link of
    /// the guest is the host's link.
    pub fn share_host(&mut self, guest: NodeId, host: NodeId) {
        self.hosts.insert(guest, host);
    }

    /// The process a node runs in: its host, or itself.
    pub fn host(&self, n: NodeId) -> NodeId {
        self.hosts.get(&n).copied().unwrap_or(n)
    }

    fn link(&self, a: NodeId, b: NodeId) -> (NodeId, NodeId) {
        link(self.host(a), self.host(b))
    }

    /// Puts a message on the wire. `lose` is the caller's random draw for lossy links. Returns
    /// where it waits, when it arrives and whether it is lost on the way.
    pub fn send(
        &mut self,
        now: Millis,
        from: NodeId,
        to: NodeId,
        body: Body,
        lose: impl FnOnce(u32) -> bool,
    ) -> (InFlight, Millis, bool) {
        let state = self.link_state(from, to);
        let loss = state.loss_percent;
        let lost = state.cut || (loss > 0 && lose(loss));
        let id = self.next_id;
        self.next_id += 1;
        let deliver_at = now + state.latency_ms;
        let env = Envelope {
            id,
            from,
            to,
            sent_at: now,
            deliver_at,
            lost,
            body,
        };
        (self.in_flight.put(env), deliver_at, lost)
    }

    /// How the link between `a` and `b` treats a message sent now.
    pub fn link_state(&self, a: NodeId, b: NodeId) -> LinkState {
        let l = self.link(a, b);
        LinkState {
            cut: self.is_cut(a, b),
            latency_ms: self
                .latency
                .get(&l)
                .copied()
                .unwrap_or(self.default_latency),
            slowed: self.latency.contains_key(&l),
            loss_percent: self.loss_percent.get(&l).copied().unwrap_or(0),
        }
    }

    /// Takes a message off the wire when its delivery time comes.
    pub fn take(&mut self, msg: InFlight) -> Option<Envelope> {
        self.in_flight.take(msg)
    }

    /// The messages on the wire, in no particular order.
    pub fn in_flight(&self) -> impl Iterator<Item = &Envelope> {
        self.in_flight.slots.iter().flatten()
    }

    pub fn in_flight_count(&self) -> usize {
        self.in_flight.len()
    }

    pub fn set_latency(&mut self, a: NodeId, b: NodeId, ms: Millis) {
        let l = self.link(a, b);
        self.latency.insert(l, ms);
    }

    pub fn set_loss(&mut self, a: NodeId, b: NodeId, percent: u32) {
        let l = self.link(a, b);
        self.loss_percent.insert(l, percent.min(100));
    }

    pub fn cut(&mut self, a: NodeId, b: NodeId) {
        let l = self.link(a, b);
        self.cut.insert(l);
    }

    pub fn is_cut(&self, a: NodeId, b: NodeId) -> bool {
        let (a, b) = (self.host(a), self.host(b));
        a != b
            && (self.isolated.contains(&a)
                || self.isolated.contains(&b)
                || self.cut.contains(&link(a, b)))
    }

    /// Cuts `node` off from every other node until `heal`.
    pub fn isolate(&mut self, node: NodeId) {
        let host = self.host(node);
        self.isolated.insert(host);
    }

    /// Cuts every link between a node of `a` and a node of `b`; links within a side stay.
    pub fn partition(&mut self, a: &[NodeId], b: &[NodeId]) {
        for x in a {
            for y in b {
                let (x, y) = (self.host(*x), self.host(*y));
                if x != y {
                    self.cut.insert(link(x, y));
                }
            }
        }
    }

    /// Restores every link: no cuts, no isolation, no loss, default latency.
    pub fn heal(&mut self) {
        self.cut.clear();
        self.isolated.clear();
        self.loss_percent.clear();
        self.latency.clear();
    }

    /// The faults in force, for views and `status`: cut links, isolated nodes, lossy and slow
    /// links (latency other than the default).
    pub fn faults(&self) -> NetworkFaults {
        NetworkFaults {
            isolated: self.isolated.iter().copied().collect(),
            cut: self.cut.iter().copied().collect(),
            loss_percent: self.loss_percent.iter().map(|(l, p)| (*l, *p)).collect(),
            latency_ms: self.latency.iter().map(|(l, ms)| (*l, *ms)).collect(),
        }
    }
}

/// One link as `Network::link_state` sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LinkState {
    /// Cut directly, by a partition, or by isolating either end.
    pub cut: bool,
    pub latency_ms: Millis,
    /// The latency was set on this link (`network latency`), not the cluster's default.
    pub slowed: bool,
    pub loss_percent: u32,
}

/// What `Network::faults` reports.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct NetworkFaults {
    pub isolated: Vec<NodeId>,
    pub cut: Vec<(NodeId, NodeId)>,
    pub loss_percent: Vec<((NodeId, NodeId), u32)>,
    pub latency_ms: Vec<((NodeId, NodeId), Millis)>,
}

impl NetworkFaults {
    pub fn is_empty(&self) -> bool {
        self.isolated.is_empty()
            && self.cut.is_empty()
            && self.loss_percent.is_empty()
            && self.latency_ms.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_state_reports_cuts_isolation_latency_and_loss_as_send_applies_them() {
        let (b0, b1, b2) = (NodeId::Broker(0), NodeId::Broker(1), NodeId::Broker(2));
        let mut net = Network::default();
        let fresh = net.link_state(b0, b1);
        assert_eq!(
            fresh,
            LinkState {
                cut: false,
                latency_ms: DEFAULT_LATENCY_MS,
                slowed: false,
                loss_percent: 0
            }
        );
        net.set_latency(b1, b0, 500);
        net.set_loss(b0, b1, 10);
        let slow = net.link_state(b0, b1);
        assert_eq!(
            (slow.latency_ms, slow.slowed, slow.loss_percent),
            (500, true, 10)
        );
        assert_eq!(
            net.link_state(b0, b2),
            fresh,
            "other links keep the default"
        );
        net.partition(&[b0], &[b1]);
        assert!(net.link_state(b1, b0).cut);
        assert!(!net.link_state(b0, b2).cut);
        net.isolate(b2);
        assert!(net.link_state(b0, b2).cut && net.link_state(b2, b1).cut);
        // A combined-mode controller shares its broker's links.
        net.share_host(NodeId::Controller(3000), b2);
        assert!(net.link_state(NodeId::Controller(3000), b0).cut);
        let body = Body::BrokerHeartbeatRequest {
            broker: 0,
            want_shutdown: false,
        };
        let (_, deliver_at, lost) = net.send(0, b0, b1, body, |_| false);
        assert!(lost && deliver_at == 500);
        net.heal();
        assert_eq!(net.link_state(b0, b1), fresh);
    }

    /// A delivered message's slot takes the next message; a message is taken once, by its own
    /// id only; the count follows what is on the wire.
    #[test]
    fn the_wire_reuses_slots_and_gives_each_message_once() {
        let mut net = Network::default();
        let (b0, b1) = (NodeId::Broker(0), NodeId::Broker(1));
        let body = || Body::BrokerHeartbeatRequest {
            broker: 0,
            want_shutdown: false,
        };
        let (first, ..) = net.send(0, b0, b1, body(), |_| false);
        let (second, ..) = net.send(0, b1, b0, body(), |_| false);
        assert_eq!(net.in_flight_count(), 2);
        assert_eq!(
            net.take(first).map(|e| (e.id, e.from)),
            Some((first.id, b0))
        );
        assert!(net.take(first).is_none(), "taken once");
        let (third, ..) = net.send(1, b0, b1, body(), |_| false);
        assert_eq!(third.slot, first.slot, "the freed slot is reused");
        assert!(
            net.take(first).is_none(),
            "a stale id does not take the slot's new message"
        );
        let mut ids: Vec<u64> = net.in_flight().map(|e| e.id).collect();
        ids.sort_unstable();
        assert_eq!(ids, [second.id, third.id]);
        assert!(net.take(second).is_some() && net.take(third).is_some());
        assert_eq!(net.in_flight_count(), 0);
    }
}
