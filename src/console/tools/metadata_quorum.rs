//! `kafka-metadata-quorum describe --status | --replication [--human-readable]` (formats §11)
//! against the simulated KRaft quorum. The voters have static membership
//! (`controller.quorum.voters`), so their directory ids are the zero id, printed as Kafka 4.0
//! does; brokers are the observers (they replicate the metadata log; in the playground they
//! have it at once, so their log end is the high watermark and their fetch times are unknown).
//! In combined mode a broker that is also a voter is listed once, as a voter (one raft client
//! per process).

use crate::console::format::quorum::{describe_replication, describe_status};
use crate::console::model::{QuorumInfo, QuorumReplica};
use crate::console::options::ParsedOptions;
use crate::console::output::ToolExit;
use crate::console::run::Console;
use crate::engine::quorum::{RaftRole, FIRST_CONTROLLER_ID};
use crate::engine::time::EPOCH_MS;
use crate::engine::ControllerMode;

fn terse(message: &str) -> ToolExit {
    ToolExit::err(format!("{message}\n"), 1)
}

/// The listener a controller node advertises, from port 19093 (dedicated controllers 3000...,
/// or combined nodes 0...).
fn controller_endpoint(id: i32, combined: bool) -> String {
    let first = if combined { 0 } else { FIRST_CONTROLLER_ID };
    format!("CONTROLLER://localhost:{}", 19_093 + (id - first))
}

pub fn run(console: &Console, opts: &ParsedOptions) -> ToolExit {
    let sub = opts.non_options.first().map(String::as_str);
    if sub != Some("describe") {
        return terse(&format!(
            "kafka-metadata-quorum: {} is not available in the playground (its voters are static: controller.quorum.voters)",
            sub.unwrap_or("this sub-command")
        ));
    }
    let (status, replication) = (opts.has("status"), opts.has("replication"));
    match (status, replication) {
        (false, false) => {
            return terse(
                "One of --status or --replication must be specified with describe sub-command",
            )
        }
        (true, true) => return terse(
            "Only one of --status or --replication should be specified with describe sub-command",
        ),
        _ => {}
    }
    let human = opts.has("human-readable");
    if human && !replication {
        return terse("The option --human-readable is only supported along with --replication");
    }
    let sim = console.sim();
    if sim.controller_mode() == ControllerMode::Zookeeper {
        return terse("org.apache.kafka.common.errors.UnsupportedVersionException: The cluster runs in ZooKeeper mode: it has no KRaft metadata quorum to describe.");
    }
    let view = sim.controller_view();
    let Some(leader) = view
        .voters
        .iter()
        .find(|v| v.alive && v.role == RaftRole::Leader)
    else {
        return terse("org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: describeMetadataQuorum (no controller is the quorum leader now)");
    };
    let stamp = |t: Option<i64>| t.map(|t| EPOCH_MS + t);
    let info = QuorumInfo {
        cluster_id: sim.cluster_id().to_string(),
        leader_id: leader.id,
        leader_epoch: leader.epoch,
        high_watermark: view.high_watermark,
        voters: view
            .voters
            .iter()
            .map(|v| QuorumReplica {
                replica_id: v.id,
                directory_id: None,
                log_end_offset: if v.id == leader.id {
                    v.log_end_offset
                } else {
                    // What the leader knows of it: the offset it last fetched from.
                    v.log_end_offset.min(leader.log_end_offset)
                },
                last_fetch_timestamp: stamp(v.last_fetch_ms),
                last_caught_up_timestamp: stamp(v.last_caught_up_ms),
                endpoints: vec![controller_endpoint(v.id, view.combined)],
            })
            .collect(),
        observers: sim
            .brokers()
            .iter()
            .filter(|b| b.alive && !view.voters.iter().any(|v| v.id == b.id))
            .map(|b| QuorumReplica {
                replica_id: b.id,
                directory_id: None,
                log_end_offset: view.high_watermark,
                last_fetch_timestamp: None,
                last_caught_up_timestamp: None,
                endpoints: Vec::new(),
            })
            .collect(),
    };
    let out = if status {
        describe_status(&info)
    } else {
        describe_replication(&info, human, sim.timestamp())
    };
    match out {
        Some(text) => ToolExit::ok(text),
        None => terse("The quorum leader is not among the voters."),
    }
}
