//! Clients of the cluster (producers and consumers): each owns one wake-up timer, recomputed
//! whenever its state changes, so idle clients cost nothing.

use super::consumer::Consumer;
use super::network::{ClientId, Envelope};
use super::producer::client::Producer;
use super::rng::SimRng;
use super::sim::{Event, Sim, Timer};
use super::time::Millis;

#[derive(Clone, Debug)]
pub enum Client {
    Producer(Box<Producer>),
    Consumer(Box<Consumer>),
}

impl Client {
    pub fn name(&self) -> &str {
        match self {
            Client::Producer(p) => &p.name,
            Client::Consumer(c) => &c.name,
        }
    }

    pub fn client_id(&self) -> &str {
        match self {
            Client::Producer(p) => &p.client_id,
            Client::Consumer(c) => &c.client_id,
        }
    }

    fn next_wake(&self) -> Option<Millis> {
        match self {
            Client::Producer(p) => p.next_wake(),
            Client::Consumer(c) => c.next_wake(),
        }
    }

    fn wake_token(&mut self) -> &mut u64 {
        match self {
            Client::Producer(p) => &mut p.wake_token,
            Client::Consumer(c) => &mut c.wake_token,
        }
    }
}

/// A client's next metadata refresh after one at `now`: `metadata.max.age.ms` later, but never
/// sooner than `retry.backoff.ms` (Kafka's `Metadata` backs off between refreshes however small
/// the age is).
pub(crate) fn metadata_refresh_after(
    now: Millis,
    max_age_ms: Millis,
    backoff_ms: Millis,
) -> Millis {
    now.saturating_add(max_age_ms.max(backoff_ms))
}

/// `ExponentialBackoff.backoff` as clients use it for retries (KIP-580): `retry.backoff.ms`
/// doubled for each earlier retry (`attempts`), up to `retry.backoff.max.ms`, times a random
/// factor in [0.8, 1.2) (`RETRY_BACKOFF_JITTER`), and never above the cap. Integer arithmetic
/// with the simulation's generator, so native and WebAssembly runs agree.
pub(crate) fn retry_backoff(
    initial: Millis,
    max: Millis,
    attempts: u32,
    rng: &mut SimRng,
) -> Millis {
    let initial = initial.min(max).max(0);
    if max <= initial {
        return initial;
    }
    let term = initial.saturating_mul(1 << attempts.min(62)).min(max);
    let per_million = 800_000 + i64::from(rng.below(400_000));
    (term.saturating_mul(per_million) / 1_000_000).min(max)
}

impl Sim {
    pub fn client(&self, name: &str) -> Option<&Client> {
        self.clients.get(self.client_names.get(name)?)
    }

    pub fn clients(&self) -> impl Iterator<Item = &Client> {
        self.clients.values()
    }

    /// The network node of a running client, by name.
    pub fn client_node(&self, name: &str) -> Option<super::network::NodeId> {
        self.client_names
            .get(name)
            .map(|c| super::network::NodeId::Client(*c))
    }

    /// The name of a client node.
    pub fn client_name(&self, c: ClientId) -> Option<&str> {
        self.clients.get(&c).map(|x| x.name())
    }

    /// The broker a client sends what any broker can answer (FindCoordinator,
    /// InitProducerId): Kafka's "least loaded node", here the lowest live id.
    pub(crate) fn least_loaded_broker(&self) -> Option<super::ids::BrokerId> {
        self.cluster
            .brokers
            .values()
            .find(|b| b.alive)
            .map(|b| b.id)
    }

    pub(crate) fn client_id_by_name(&self, name: &str) -> Option<ClientId> {
        self.client_names.get(name).copied()
    }

    pub(crate) fn producer_mut(&mut self, c: ClientId) -> Option<&mut Producer> {
        match self.clients.get_mut(&c)? {
            Client::Producer(p) => Some(p),
            _ => None,
        }
    }

    pub(crate) fn consumer_mut(&mut self, c: ClientId) -> Option<&mut Consumer> {
        match self.clients.get_mut(&c)? {
            Client::Consumer(x) => Some(x),
            _ => None,
        }
    }

    pub(crate) fn add_client(&mut self, client: Client) -> ClientId {
        let id = self.new_client_id();
        self.client_names.insert(client.name().to_string(), id);
        self.clients.insert(id, client);
        id
    }

    pub(crate) fn remove_client(&mut self, c: ClientId) {
        if let Some(client) = self.clients.remove(&c) {
            self.client_names.remove(client.name());
            self.record(super::trace::TraceEvent::ClientStopped {
                client: client.name().to_string(),
            });
        }
    }

    /// Re-arms the client's single wake-up timer at its next due action.
    pub(crate) fn reschedule_client(&mut self, c: ClientId) {
        let token = self.token();
        let Some(client) = self.clients.get_mut(&c) else {
            return;
        };
        *client.wake_token() = token;
        if let Some(at) = client.next_wake() {
            self.schedule(at, Event::Timer(Timer::Client { client: c, token }));
        }
    }

    pub(crate) fn client_timer(&mut self, c: ClientId, token: u64) {
        let current = match self.clients.get_mut(&c) {
            Some(client) => *client.wake_token() == token,
            None => false,
        };
        if !current {
            return;
        }
        // Only an application's producer is watched (the sum walks its accumulator).
        let watched = self.apps.owners.contains_key(&c);
        let pending = |s: &Self| match s.clients.get(&c) {
            Some(Client::Producer(p)) if watched => p.pending_records(),
            _ => 0,
        };
        let before = pending(self);
        match self.clients.get(&c) {
            Some(Client::Producer(_)) => self.producer_wake(c),
            Some(Client::Consumer(_)) => self.consumer_wake(c),
            None => {}
        }
        self.reschedule_client(c);
        // Records that expired (delivery.timeout.ms) end a flush as surely as acks do.
        if pending(self) < before {
            self.app_client_news(c);
        }
    }

    /// The client's connection to `broker` broke: a request on it timed out, or the broker
    /// went away.
    pub(crate) fn client_disconnected(
        &mut self,
        c: ClientId,
        broker: super::ids::BrokerId,
        timed_out: bool,
    ) {
        self.net.connection_closed(c, broker, self.now);
        match self.clients.get(&c) {
            Some(Client::Producer(_)) => self.producer_disconnected(c, broker, timed_out),
            Some(Client::Consumer(_)) => self.consumer_disconnected(c, broker),
            None => return,
        }
        self.reschedule_client(c);
    }

    pub(crate) fn client_receive(&mut self, c: ClientId, env: Envelope) {
        match self.clients.get(&c) {
            Some(Client::Producer(_)) => self.producer_receive(c, env),
            Some(Client::Consumer(_)) => self.consumer_receive(c, env),
            None => {}
        }
        self.reschedule_client(c);
        // A Connect task's or Streams app's client: let the application react.
        self.app_client_news(c);
    }
}

#[cfg(test)]
mod tests {
    use super::retry_backoff;
    use crate::rng::SimRng;

    /// `ExponentialBackoffTest`: 100 ms doubling to the 1 s cap, each within ±20%.
    #[test]
    fn retry_backoff_doubles_within_its_jitter_up_to_the_cap() {
        let mut rng = SimRng::seeded(3);
        for (attempts, term) in [
            (0, 100),
            (1, 200),
            (2, 400),
            (3, 800),
            (4, 1000),
            (40, 1000),
        ] {
            for _ in 0..200 {
                let b = retry_backoff(100, 1000, attempts, &mut rng);
                assert!(b >= term * 8 / 10 && b < term * 12 / 10, "{attempts}: {b}");
                assert!(b <= 1000);
            }
        }
        // No room to grow: the initial interval, without jitter.
        assert_eq!(retry_backoff(100, 100, 5, &mut rng), 100);
        assert_eq!(retry_backoff(500, 100, 0, &mut rng), 100);
    }
}
