//! Monitors and finished results.
//!
//! Rooms, each importing only the ones above it:
//! - `series.rs`: one replication's time series, a [`Sample`] of the world's counters per
//!   row, run-length encoded in a [`Series`].
//! - `result.rs`: [`RunResult`], everything one replication produced; reports read it.
//! - `monitor.rs`: the [`Monitor`] that wraps the Lync world as the engine's model, and
//!   [`run_replication`] (with [`run_replication_audited`] and its [`Audit`] for tests).
//! - `monte.rs`: many replications on rayon and their statistics ([`MonteCarlo`]);
//!   `quantile.rs`: the statistics themselves.
//! - `shard.rs`: a Monte Carlo run's shard file and the merge of shards.
//! - `budget.rs`: the memory a study will hold, estimated before it runs and guarded while
//!   it runs (`--max-memory`).

pub mod budget;
mod monitor;
pub mod monte;
pub mod quantile;
mod result;
mod series;
pub mod shard;

pub use monitor::{run_replication, run_replication_audited, Audit, Monitor};
pub use monte::{MonteCarlo, ReplicationRecord};
pub use result::{Incident, RunResult, RESTORE_THRESHOLD};
pub use series::{Sample, Series};
