//! `kafka-metadata-quorum describe` output (formats §11).

use super::pad;
use crate::console::model::{QuorumInfo, QuorumReplica};

/// The zero directory id, as `Uuid.toString()` prints it.
const ZERO_DIRECTORY_ID: &str = "AAAAAAAAAAAAAAAAAAAAAA";

fn replica_json(r: &QuorumReplica) -> String {
    let dir = match &r.directory_id {
        Some(d) => format!("\"{d}\""),
        None => "null".to_string(),
    };
    let mut s = format!("{{\"id\": {}, \"directoryId\": {dir}", r.replica_id);
    if !r.endpoints.is_empty() {
        let eps: Vec<String> = r.endpoints.iter().map(|e| format!("\"{e}\"")).collect();
        s.push_str(&format!(", \"endpoints\": [{}]", eps.join(", ")));
    }
    s.push('}');
    s
}

/// stdout of `describe --status`. `None` if the leader is not among the voters.
pub fn describe_status(q: &QuorumInfo) -> Option<String> {
    let leader = q.voters.iter().find(|v| v.replica_id == q.leader_id)?;
    // Stream.min keeps the first of equal elements.
    let mut laggiest = q.voters.first()?;
    for v in &q.voters {
        if v.log_end_offset < laggiest.log_end_offset {
            laggiest = v;
        }
    }
    let lag = leader.log_end_offset - laggiest.log_end_offset;
    let lag_ms = if std::ptr::eq(leader, laggiest) {
        0
    } else {
        match (
            leader.last_caught_up_timestamp,
            laggiest.last_caught_up_timestamp,
        ) {
            (Some(a), Some(b)) => a - b,
            _ => -1,
        }
    };
    let list = |v: &[QuorumReplica]| {
        format!(
            "[{}]",
            v.iter().map(replica_json).collect::<Vec<_>>().join(", ")
        )
    };
    let rows = [
        ("ClusterId:", q.cluster_id.clone()),
        ("LeaderId:", q.leader_id.to_string()),
        ("LeaderEpoch:", q.leader_epoch.to_string()),
        ("HighWatermark:", q.high_watermark.to_string()),
        ("MaxFollowerLag:", lag.to_string()),
        ("MaxFollowerLagTimeMs:", lag_ms.to_string()),
        ("CurrentVoters:", list(&q.voters)),
        ("CurrentObservers:", list(&q.observers)),
    ];
    Some(
        rows.iter()
            .map(|(k, v)| format!("{}{v}\n", pad(k, 24)))
            .collect(),
    )
}

/// stdout of `describe --replication [--human-readable]`; `now_ms` is for "ms ago".
/// `None` if the leader is not among the voters.
pub fn describe_replication(q: &QuorumInfo, human_readable: bool, now_ms: i64) -> Option<String> {
    let leader = q.voters.iter().find(|v| v.replica_id == q.leader_id)?;
    let ts = |t: Option<i64>| match t {
        None => "-1".to_string(),
        Some(t) if human_readable => format!("{} ms ago", now_ms - t),
        Some(t) => t.to_string(),
    };
    let row = |r: &QuorumReplica, status: &str| {
        vec![
            r.replica_id.to_string(),
            r.directory_id
                .clone()
                .unwrap_or_else(|| ZERO_DIRECTORY_ID.to_string()),
            r.log_end_offset.to_string(),
            (leader.log_end_offset - r.log_end_offset).to_string(),
            ts(r.last_fetch_timestamp),
            ts(r.last_caught_up_timestamp),
            status.to_string(),
        ]
    };
    let mut rows = vec![row(leader, "Leader")];
    rows.extend(
        q.voters
            .iter()
            .filter(|v| v.replica_id != q.leader_id)
            .map(|v| row(v, "Follower")),
    );
    rows.extend(q.observers.iter().map(|v| row(v, "Observer")));
    let header: Vec<String> = [
        "NodeId",
        "DirectoryId",
        "LogEndOffset",
        "Lag",
        "LastFetchTimestamp",
        "LastCaughtUpTimestamp",
        "Status",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut widths: Vec<usize> = header.iter().map(String::len).collect();
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.encode_utf16().count());
        }
    }
    let mut out = String::new();
    for r in std::iter::once(&header).chain(rows.iter()) {
        for (i, c) in r.iter().enumerate() {
            out.push_str(&pad(c, widths[i]));
            out.push('\t');
        }
        out.push('\n');
    }
    Some(out)
}

/// Success lines of `add-controller` / `remove-controller` (note the 4.0 double space).
pub fn added_controller(
    id: i32,
    directory_id: &str,
    endpoints: &[String],
    dry_run: bool,
) -> String {
    let prefix = if dry_run {
        "DRY RUN of adding"
    } else {
        "Added"
    };
    format!(
        "{prefix} controller {id} with directory id {directory_id} and endpoints: {}\n",
        endpoints.join(", ")
    )
}

pub fn removed_controller(id: i32, directory_id: &str, dry_run: bool) -> String {
    let prefix = if dry_run {
        "DRY RUN of removing "
    } else {
        "Removed "
    };
    format!("{prefix} KRaft controller {id} with directory id {directory_id}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn voter(id: i32, dir: &str, leo: i64, fetch: i64, caught: i64) -> QuorumReplica {
        QuorumReplica {
            replica_id: id,
            directory_id: Some(dir.into()),
            log_end_offset: leo,
            last_fetch_timestamp: Some(fetch),
            last_caught_up_timestamp: Some(caught),
            endpoints: vec![],
        }
    }

    #[test]
    fn status_matches_the_reference() {
        let q = QuorumInfo {
            cluster_id: "5L6g3nShT-eMCtK--X86sw".into(),
            leader_id: 1,
            leader_epoch: 1,
            high_watermark: 1205,
            voters: vec![QuorumReplica {
                endpoints: vec!["CONTROLLER://localhost:9093".into()],
                ..voter(1, "dDo1k_pRSD-VmReEpu383g", 1205, 0, 0)
            }],
            observers: vec![],
        };
        assert_eq!(
            describe_status(&q).unwrap(),
            "ClusterId:              5L6g3nShT-eMCtK--X86sw\n\
LeaderId:               1\n\
LeaderEpoch:            1\n\
HighWatermark:          1205\n\
MaxFollowerLag:         0\n\
MaxFollowerLagTimeMs:   0\n\
CurrentVoters:          [{\"id\": 1, \"directoryId\": \"dDo1k_pRSD-VmReEpu383g\", \"endpoints\": [\"CONTROLLER://localhost:9093\"]}]\n\
CurrentObservers:       []\n"
        );
    }

    #[test]
    fn replication_matches_the_reference() {
        let q = QuorumInfo {
            leader_id: 1,
            voters: vec![
                voter(
                    1,
                    "dDo1k_pRSD-VmReEpu383g",
                    966,
                    1732367153528,
                    1732367153528,
                ),
                voter(
                    2,
                    "wQWaQMJYpcifUPMBGeRHqg",
                    960,
                    1732367153304,
                    1732367150100,
                ),
            ],
            observers: vec![QuorumReplica {
                directory_id: None,
                ..voter(3, "", 966, 1732367153400, 1732367153400)
            }],
            ..Default::default()
        };
        assert_eq!(
            describe_replication(&q, false, 0).unwrap(),
            "NodeId\tDirectoryId           \tLogEndOffset\tLag\tLastFetchTimestamp\tLastCaughtUpTimestamp\tStatus  \t\n\
1     \tdDo1k_pRSD-VmReEpu383g\t966         \t0  \t1732367153528     \t1732367153528        \tLeader  \t\n\
2     \twQWaQMJYpcifUPMBGeRHqg\t960         \t6  \t1732367153304     \t1732367150100        \tFollower\t\n\
3     \tAAAAAAAAAAAAAAAAAAAAAA\t966         \t0  \t1732367153400     \t1732367153400        \tObserver\t\n"
        );
        let status = describe_status(&q).unwrap();
        assert!(status.contains("MaxFollowerLag:         6\nMaxFollowerLagTimeMs:   3428\n"));
        assert!(status.contains("{\"id\": 3, \"directoryId\": null}"));
        assert!(describe_replication(&q, true, 1732367154528)
            .unwrap()
            .contains("\t1000 ms ago"));
    }

    #[test]
    fn controller_lines() {
        assert_eq!(
            removed_controller(3, "abc", false),
            "Removed  KRaft controller 3 with directory id abc\n"
        );
        assert_eq!(
            removed_controller(3, "abc", true),
            "DRY RUN of removing  KRaft controller 3 with directory id abc\n"
        );
    }
}
