//! Kafka Connect, simulated: a database with a commit log (`database`), a change-data-capture
//! source task (`source`), an upserting sink task (`sink`), and the worker that runs them and
//! carries out stop, start and crash (`worker`). Tasks are clients of the cluster: a source
//! task's records and its stored position (`connect-offsets`) go through a real producer, a
//! sink task reads through a real consumer group (`connect-<name>`).

pub mod database;
pub mod sink;
pub mod source;
pub mod worker;
