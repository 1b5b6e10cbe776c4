//! Scenarios: a cluster, its topics and clients, and a timeline of console lines and engine
//! commands at simulated times. The playground opens on the default one; tutorials share others
//! as JSON files (docs/scenario-format.md) or as links that carry the scenario in the URL
//! fragment.
//!
//! * [`format`] reads and writes the versioned JSON file, reporting every problem with its path;
//! * [`validate`] checks what the file describes against Kafka's rules and the config registry;
//! * [`command`] is the JSON form of an engine [`Command`] in a timeline;
//! * [`run`] plays a scenario: setup at time 0, then each timeline entry when its time comes;
//! * [`session`] is the page's world: a scenario played, with the visitor's actions recorded;
//! * [`url`] is the link codec (`#s=<base64url(deflate-raw(json))>&t=<ms>`);
//! * [`embed`] is the `postMessage` protocol between a tutorial page and an embedded player;
//! * [`export`] turns a scenario into a kafka-python program or Kafka CLI commands.

pub mod command;
pub mod embed;
pub mod export;
pub mod format;
pub mod history;
pub mod lesson;
pub mod run;
pub mod session;
pub mod url;
pub mod validate;

use crate::console::Console;
use crate::engine::config::Era;
use crate::engine::time::Millis;
use crate::engine::{ClusterSpec, Command, KafkaError, Sim, WorkloadSpec};
use std::collections::BTreeMap;
use std::fmt;

pub use run::{Player, TimelineOutput};
pub use session::Session;
pub use url::{decode_fragment, encode_fragment, from_location, FragmentError, Location};

/// The scenario file format version this playground reads and writes.
pub const FORMAT_VERSION: u64 = 1;

/// A scenario: what `Scenario::from_json` reads and `Scenario::to_json` writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scenario {
    /// Shown to learners (optional).
    pub title: Option<String>,
    pub description: Option<String>,
    /// The engine's seed: the same seed and timeline give the same run.
    pub seed: u64,
    /// Brokers, racks, controller mode, era (`cluster.era`), broker configs, link latency.
    pub cluster: ClusterSpec,
    pub topics: Vec<TopicSpec>,
    pub producers: Vec<ProducerSpec>,
    pub consumers: Vec<ConsumerSpec>,
    /// In time order (entries with equal times run in file order).
    pub timeline: Vec<TimelineEntry>,
}

/// A topic created at time 0.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicSpec {
    pub name: String,
    /// `None` = the broker's `num.partitions`.
    pub partitions: Option<i32>,
    /// `None` = the broker's `default.replication.factor`.
    pub replication_factor: Option<i16>,
    /// Topic config overrides (`--config k=v`), Kafka's names and string values.
    pub configs: BTreeMap<String, String>,
}

/// A producer started at time 0 with a steady workload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProducerSpec {
    pub name: String,
    pub topic: String,
    pub rate_per_sec: u32,
    /// Distinct keys `key-0..key-{n-1}`; `None` = null keys.
    pub keys: Option<u32>,
    /// Stop after this many records; `None` = keep producing.
    pub max_records: Option<u64>,
    /// Producer configs, Kafka's names (`acks`, `linger.ms`, ...).
    pub configs: BTreeMap<String, String>,
}

/// A consumer in a group, started at time 0.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumerSpec {
    pub name: String,
    pub group: String,
    pub topics: Vec<String>,
    /// Consumer configs, Kafka's names (`auto.offset.reset`, `partition.assignment.strategy`, ...).
    pub configs: BTreeMap<String, String>,
    /// Time spent on each record.
    pub process_time_ms: Millis,
}

/// Something that happens at a simulated time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimelineEntry {
    pub at_ms: Millis,
    pub action: TimelineAction,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TimelineAction {
    /// A console line, run as if typed in the terminal (Kafka's tools and playground commands).
    Console(String),
    /// An engine command (JSON form in [`command`]).
    Command(Command),
}

/// One problem found while loading a scenario: where (a JSON path such as
/// `topics[1].configs["retention.ms"]`) and what is wrong, with what is allowed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    pub path: String,
    pub message: String,
}

impl ScenarioError {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> ScenarioError {
        ScenarioError {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for ScenarioError {}

/// All problems, one per line (for a page or a terminal).
pub fn describe_errors(errors: &[ScenarioError]) -> String {
    errors
        .iter()
        .map(|e| format!("{e}\n"))
        .collect::<Vec<_>>()
        .concat()
}

/// The page's first scenario: 3 brokers, a topic `orders` with 3 partitions and replication
/// factor 3, a keyed producer at 4 records/s, and a group of two consumers. Links take 40 ms so
/// that every request and response can be followed by eye (a teaching choice; data-centre links
/// are under a millisecond).
pub fn default_scenario() -> Scenario {
    let consumer = |name: &str| ConsumerSpec {
        name: name.into(),
        group: "orders-app".into(),
        topics: vec!["orders".into()],
        configs: BTreeMap::from([("auto.offset.reset".to_string(), "earliest".to_string())]),
        process_time_ms: 0,
    };
    Scenario {
        title: Some("Orders".into()),
        description: Some(
            "Three brokers, a replicated topic, a keyed producer and a group of two consumers."
                .into(),
        ),
        seed: 42,
        cluster: ClusterSpec {
            network_latency_ms: 40,
            ..ClusterSpec::default()
        },
        topics: vec![TopicSpec {
            name: "orders".into(),
            partitions: Some(3),
            replication_factor: Some(3),
            configs: BTreeMap::new(),
        }],
        producers: vec![ProducerSpec {
            name: "checkout".into(),
            topic: "orders".into(),
            rate_per_sec: 4,
            keys: Some(6),
            max_records: None,
            configs: BTreeMap::new(),
        }],
        consumers: vec![consumer("consumer-1"), consumer("consumer-2")],
        timeline: Vec::new(),
    }
}

impl Scenario {
    /// Reads and validates a scenario file; every problem is reported, each with its path.
    pub fn from_json(text: &str) -> Result<Scenario, Vec<ScenarioError>> {
        format::from_json(text)
    }

    /// The scenario file, pretty-printed (what "download scenario" saves).
    pub fn to_json(&self) -> String {
        format::to_json(self, true)
    }

    /// The scenario file on one line (what links carry).
    pub fn to_json_compact(&self) -> String {
        format::to_json(self, false)
    }

    /// The era (`cluster.era`).
    pub fn era(&self) -> Era {
        self.cluster.era
    }

    /// The engine commands that set the world up at time 0: topics, then producers, then
    /// consumers, each in file order.
    pub fn setup_commands(&self) -> Vec<Command> {
        let topics = self.topics.iter().map(|t| Command::CreateTopic {
            name: t.name.clone(),
            partitions: t.partitions,
            replication_factor: t.replication_factor,
            configs: t.configs.clone(),
            assignment: None,
        });
        let producers = self.producers.iter().map(|p| Command::StartProducer {
            name: p.name.clone(),
            configs: p.configs.clone(),
            workload: Some(WorkloadSpec {
                topic: p.topic.clone(),
                records_per_sec: p.rate_per_sec,
                keys: p.keys,
                max_records: p.max_records,
            }),
        });
        let consumers = self.consumers.iter().map(|c| Command::StartConsumer {
            name: c.name.clone(),
            group: Some(c.group.clone()),
            topics: c.topics.clone(),
            assign: Vec::new(),
            start_offsets: BTreeMap::new(),
            configs: c.configs.clone(),
            process_time_ms: c.process_time_ms,
        });
        topics.chain(producers).chain(consumers).collect()
    }

    /// The world after the setup, before any timeline entry. Errors say which element failed.
    pub(crate) fn setup_sim(&self) -> Result<Sim, ScenarioError> {
        let mut sim = Sim::new(self.seed, self.cluster.clone())
            .map_err(|e| ScenarioError::new("cluster", e.message))?;
        for (i, c) in self.setup_commands().into_iter().enumerate() {
            sim.apply(c)
                .map_err(|e| ScenarioError::new(self.setup_path(i), e.message))?;
        }
        Ok(sim)
    }

    /// The JSON path of the `i`-th setup command.
    fn setup_path(&self, i: usize) -> String {
        let t = self.topics.len();
        let p = self.producers.len();
        if i < t {
            format!("topics[{i}]")
        } else if i < t + p {
            format!("producers[{}]", i - t)
        } else {
            format!("consumers[{}]", i - t - p)
        }
    }

    /// A player at time 0: setup done, timeline entries at time 0 applied.
    pub fn player(&self) -> Result<Player, ScenarioError> {
        let mut player = Player::new(Console::with_sim(self.setup_sim()?), self.timeline.clone());
        player.run_until(0);
        Ok(player)
    }

    /// A player advanced to `position_ms` (what a link's `t=` asks for).
    pub fn player_at(&self, position_ms: Millis) -> Result<Player, ScenarioError> {
        let mut player = self.player()?;
        player.run_until(position_ms.max(0));
        Ok(player)
    }

    /// The console over this scenario at time 0 (timeline entries at time 0 applied). For the
    /// rest of the timeline use [`Scenario::player`].
    pub fn build_console(&self) -> Result<Console, ScenarioError> {
        Ok(self.player()?.into_console())
    }

    /// The world at time 0 (setup and the timeline entries at time 0).
    pub fn build(&self) -> Result<Sim, KafkaError> {
        self.player()
            .map(|p| p.into_console().sim)
            .map_err(|e| KafkaError::new(crate::engine::ErrorCode::InvalidRequest, e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_scenario_runs_and_consumes() {
        let mut sim = default_scenario().build().expect("builds");
        sim.run_for(30_000);
        let g = sim.group_view("orders-app").expect("group");
        assert_eq!(g.state, "Stable");
        assert_eq!(g.members.len(), 2);
        let consumed: u64 = sim.client_views().iter().map(|c| c.consumed).sum();
        assert!(
            consumed > 50,
            "4 records/s for about 25 s after the group formed: {consumed}"
        );
    }

    #[test]
    fn setup_errors_name_the_element() {
        let mut s = default_scenario();
        s.topics[0].replication_factor = Some(4);
        let e = s.player().err().expect("rf 4 on 3 brokers fails");
        assert_eq!(e.path, "topics[0]");
        assert!(e.message.contains("replication factor"), "{e}");
    }
}
