//! One module per Kafka tool, plus the playground commands. Each reads its parsed options,
//! drives the engine through `Command`s and views, and prints through `console::format`.

pub mod configs;
pub mod console_consumer;
pub mod console_producer;
pub mod consumer_groups;
pub mod delete_records;
pub mod faults;
pub mod flows;
pub mod get_offsets;
pub mod leader_election;
pub mod metadata_quorum;
pub mod playground;
pub mod reassign_partitions;
pub mod regex;
pub mod topics;
pub mod verifiable_consumer;
pub mod verifiable_producer;

use super::options::{parse_tool_args, usage_exit, OptionError, ParsedOptions};
use super::output::ToolExit;
use super::run::Console;
use super::Tool;
use crate::engine::time::Millis;
use crate::engine::Sim;

/// What starting a tool gave: a finished result, or work that needs simulated time.
pub enum Started {
    Done(ToolExit),
    Running(Task),
}

/// A tool run that takes simulated time (foreground or a background job).
pub enum Task {
    Consumer(console_consumer::ConsumerRun),
    Producer(console_producer::ProducerRun),
    VerifiableProducer(verifiable_producer::VerifiableProducerRun),
    VerifiableConsumer(verifiable_consumer::VerifiableConsumerRun),
}

impl Task {
    /// Something happened that `pump` should look at (records arrived, all acks are in...).
    pub fn has_news(&self, sim: &Sim) -> bool {
        match self {
            Task::Consumer(c) => c.has_news(sim),
            Task::Producer(p) => p.has_news(sim),
            Task::VerifiableProducer(p) => p.has_news(sim),
            Task::VerifiableConsumer(c) => c.has_news(sim),
        }
    }

    /// When the task would finish by itself if nothing happens (timeouts).
    pub fn deadline(&self) -> Option<Millis> {
        match self {
            Task::Consumer(c) => c.deadline(),
            Task::Producer(_) => None,
            Task::VerifiableProducer(p) => p.deadline(),
            Task::VerifiableConsumer(c) => c.deadline(),
        }
    }

    /// Reads what the task's client produced; prints it; notices when the task is done.
    pub fn pump(&mut self, sim: &mut Sim) -> ToolExit {
        match self {
            Task::Consumer(c) => c.pump(sim),
            Task::Producer(p) => p.pump(sim),
            Task::VerifiableProducer(p) => p.pump(sim),
            Task::VerifiableConsumer(c) => c.pump(sim),
        }
    }

    pub fn finished(&self) -> bool {
        match self {
            Task::Consumer(c) => c.finished(),
            Task::Producer(p) => p.finished(),
            Task::VerifiableProducer(p) => p.finished(),
            Task::VerifiableConsumer(c) => c.finished(),
        }
    }

    /// Whether the idle rule applies (the console is waiting for this task).
    pub fn set_idle_stop(&mut self, on: bool) {
        match self {
            Task::Consumer(c) => c.idle_stop = on,
            Task::VerifiableProducer(p) => p.idle_stop = on,
            Task::VerifiableConsumer(c) => c.idle_stop = on,
            Task::Producer(_) => {}
        }
    }

    /// The console stopped waiting (time limit): end the task as if interrupted.
    pub fn give_up(&mut self) {
        match self {
            Task::Consumer(c) => c.give_up(),
            Task::Producer(p) => p.give_up(),
            Task::VerifiableProducer(p) => p.give_up(),
            Task::VerifiableConsumer(c) => c.give_up(),
        }
    }

    /// Closes the client and prints the tool's last lines; carries the exit code.
    pub fn finish(&mut self, sim: &mut Sim) -> ToolExit {
        match self {
            Task::Consumer(c) => c.finish(sim),
            Task::Producer(p) => p.finish(sim),
            Task::VerifiableProducer(p) => p.finish(sim),
            Task::VerifiableConsumer(c) => c.finish(sim),
        }
    }
}

/// Parses the arguments and runs `tool`.
pub fn start(console: &mut Console, tool: Tool, args: &[String], stdin: Option<&str>) -> Started {
    let opts = match parse_tool_args(tool, args) {
        Ok(o) => o,
        Err(exit) => return Started::Done(exit),
    };
    match tool {
        Tool::Topics => Started::Done(topics::run(console, &opts)),
        Tool::ConsoleProducer => console_producer::start(console, &opts, stdin),
        Tool::ConsoleConsumer => console_consumer::start(console, &opts),
        Tool::ConsumerGroups => Started::Done(consumer_groups::run(console, &opts)),
        Tool::Configs => Started::Done(configs::run(console, args, &opts)),
        Tool::GetOffsets => Started::Done(get_offsets::run(console, &opts)),
        Tool::DeleteRecords => Started::Done(delete_records::run(console, &opts, stdin)),
        Tool::VerifiableProducer => verifiable_producer::start(console, &opts),
        Tool::VerifiableConsumer => verifiable_consumer::start(console, &opts),
        Tool::LeaderElection => Started::Done(leader_election::run(console, &opts, stdin)),
        Tool::ReassignPartitions => Started::Done(reassign_partitions::run(console, &opts, stdin)),
        Tool::MetadataQuorum => Started::Done(metadata_quorum::run(console, &opts)),
    }
}

/// The broker address a tool prints for broker `id` (`localhost:9092` for broker 0).
pub use crate::engine::cluster::broker_host;

/// A jopt option error reported the way `tool` reports errors raised after parsing
/// (`Cannot parse argument ...`).
pub fn option_error(tool: Tool, e: &OptionError) -> ToolExit {
    super::options::parse_error_exit(tool, e, false)
}

/// `printUsageAndExit` shorthand.
pub fn usage(tool: Tool, message: &str) -> ToolExit {
    usage_exit(tool, message)
}

/// The number of actions among `names` that are present.
pub fn count_present(opts: &ParsedOptions, names: &[&str]) -> usize {
    names.iter().filter(|n| opts.has(n)).count()
}

/// `host:port[,host:port]` as `ToolsUtils.validateBootstrapServer` checks it.
pub fn bootstrap_error(value: &str) -> Option<&'static str> {
    if value.trim().is_empty() {
        return Some("Error while validating the bootstrap address\n");
    }
    let ok = value.split(',').all(|s| {
        s.rsplit_once(':')
            .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok())
    });
    if ok {
        None
    } else {
        Some("Please provide valid host:port like host1:9091,host2:9092\n")
    }
}

/// Stops a tool's client the way `close()` does: applies `stop`, then runs the clock until the
/// client is gone and its last requests (LeaveGroup, final produce) have been delivered.
pub fn close_client(sim: &mut Sim, name: &str, stop: crate::engine::Command) {
    let node = sim
        .client_views()
        .into_iter()
        .find(|c| c.name == name)
        .map(|c| c.node);
    if sim.apply(stop).is_err() {
        return;
    }
    sim.run_while(30_000, |s| {
        s.client(name).is_none()
            && !s
                .messages_in_flight()
                .iter()
                .any(|m| Some(m.from) == node || Some(m.to) == node)
    });
}
