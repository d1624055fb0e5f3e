//! The memory budget of a study (`--max-memory`, docs/scenario-reference.md "Memory
//! budget"): before anything runs, an estimate of the bytes a study will hold, from its
//! figures alone, so that a study too large for the machine is refused within seconds with
//! the estimate and the way out; while it runs, the bytes its replication records really
//! hold, so that an estimate that fell short stops the run at the budget instead of letting
//! it exhaust memory.
//!
//! What a study holds (the estimate's parts, each an upper bound of a measured figure;
//! README "Limits and safe results" has the calibration):
//! - every replication's [`ReplicationRecord`] until the statistics are computed: its fixed
//!   part, its per-pool figures, and the runs of its time series ([`series_runs`]);
//! - the replications in flight, one per worker thread: the world (users, timers) and the
//!   event log;
//! - the outputs of each scenario: the row statistics of a replicated run ([`MeanSeries`])
//!   or a single run's chart rows and the chart's times; `timeseries.csv` is written row by
//!   row as it is rendered, so only its writers' buffers ([`WRITE_BUFFERS`]) are held;
//! - the program itself (code, the embedded font, small buffers): [`BASE_BYTES`].
//!
//! Assumptions (calibrated, not derived): a disruption (a failure, a repair, an
//! administrator's step) keeps the user counts changing for at most its repair and the
//! administrator's delays plus [`SETTLE`], and a Monte Carlo study sees at most
//! [`FAILURE_MARGIN`] times the expected number of failures per replication on average.
//!
//! [`MeanSeries`]: super::monte::MeanSeries

use std::mem::size_of;
use std::sync::atomic::{AtomicU64, Ordering};

use super::monte::ReplicationRecord;
use super::series::Sample;
use crate::engine::SimTime;
use crate::model::{ClientState, Config, Delay, Feature};

/// Default `--max-memory`: 4 GiB (assumption: a laptop or a cluster task's usual share;
/// raise it with `--max-memory` on a larger machine).
pub const DEFAULT_MAX_MEMORY: u64 = 4 << 30;
/// The program and its fixed buffers: code, the embedded font, the PNG canvas, progress
/// (measured: a small run peaks at about 40 MiB).
pub const BASE_BYTES: u64 = 64 << 20;
/// How long the user counts keep changing after a disruption beyond its repair and the
/// administrator's delays: sign-in storms and client retries (assumption, calibrated: the
/// storms of the documented scenarios settle within minutes).
pub const SETTLE: SimTime = SimTime::from_secs(3600);
/// Failures per replication, on average over a study, as a multiple of the expected number
/// (assumption: the mean over many replications is close to the expectation; a single
/// replication may see more, which the rows bound caps).
pub const FAILURE_MARGIN: f64 = 2.0;
/// Simulation state of one user in flight: client state, timers, counters and the
/// scheduler's share (measured: 64 bytes a user from 1,000,000 to 2,000,000 users, a pool
/// loss and failover; half as much again for safety).
pub const BYTES_PER_USER: u64 = 96;
/// Event-log bytes per disruption of a replication in flight (entries, pool and detail
/// text; assumption, measured about 700 for failures a minute apart).
pub const LOG_BYTES_PER_CHANGE: u64 = 2048;

/// What writing `timeseries.csv` holds: the file's `BufWriter` and the CSV writer's
/// buffer, 8 KiB each (their defaults), rounded up (the rows are rendered as they are
/// written, never held whole; README "Limits and safe results").
pub const WRITE_BUFFERS: u64 = 32 << 10;

/// A study's estimated memory, by part, in bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Estimate {
    /// Replication records held until the statistics are computed.
    pub records: u64,
    /// Replications in flight (one per worker thread) and replication 0's event log.
    pub in_flight: u64,
    /// Row statistics and chart rows of the outputs, and the buffers `timeseries.csv` is
    /// written through.
    pub outputs: u64,
    /// The program itself.
    pub base: u64,
}

impl Estimate {
    /// The whole estimate.
    pub fn total(&self) -> u64 {
        self.records.saturating_add(self.in_flight).saturating_add(self.outputs).saturating_add(self.base)
    }

    /// Two estimates of studies held at once (`compare`, `sweep`, which run their
    /// scenarios side by side): everything adds up but the program, which counts once.
    pub fn and(self, other: Estimate) -> Estimate {
        Estimate {
            records: self.records.saturating_add(other.records),
            in_flight: self.in_flight.saturating_add(other.in_flight),
            outputs: self.outputs.saturating_add(other.outputs),
            base: self.base.max(other.base),
        }
    }
}

/// What of a scenario a command runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// Replications run and held (all of them, a shard's, or 1 for `--replication K`).
    pub held: u64,
    /// Replications in flight at once (the worker threads).
    pub threads: u64,
    /// Whether the outputs are a replicated run's (row statistics over replications).
    pub replicated: bool,
    /// Whether the outputs are a shard's `shard.json` (the records as JSON) rather than a
    /// results folder.
    pub shard: bool,
}

/// Mean of a delay in milliseconds (a Weibull's scale stands for its mean, as the limits
/// read it; a log-normal's mean is median x exp(sigma^2 / 2)).
fn mean_ms(d: &Delay) -> f64 {
    let s = match *d {
        Delay::Fixed(t) => return t.as_millis() as f64,
        Delay::Exponential { mean_s } => mean_s,
        Delay::Weibull { scale_s, shape } => scale_s * if shape < 1.0 { 1.0 / shape } else { 1.0 },
        Delay::LogNormal { median_s, sigma } => median_s * (sigma * sigma / 2.0).exp(),
        Delay::Uniform { min_s, max_s } => (min_s + max_s) / 2.0,
    };
    s * 1000.0
}

/// Disruptions per replication (failures and repairs, times [`FAILURE_MARGIN`], and
/// scheduled actions), and the milliseconds during which they keep the counts changing.
fn disruptions(c: &Config) -> (f64, f64) {
    let horizon = c.horizon.as_millis() as f64;
    let admin = c.administrator.as_ref().map_or(0.0, |a| {
        // The Response Group import happens while the pool is failed over, before failback;
        // its delay is counted too (assumption: a margin, never less than the truth).
        [a.failover_after, a.failback_after, a.import_rgs_after].iter().flatten().map(mean_ms).sum::<f64>()
    });
    let settle = SETTLE.as_millis() as f64;
    let mut changes = c.events.len() as f64;
    let mut busy = 0.0;
    for f in &c.failures {
        let n = FAILURE_MARGIN * (horizon / mean_ms(&f.mtbf).max(1.0) + 1.0);
        changes += 2.0 * n;
        busy += n * (mean_ms(&f.mttr) + admin + settle);
    }
    if !c.events.is_empty() {
        // Scheduled actions may hold the world in flux for as long as they last.
        busy = horizon;
    }
    (changes, busy)
}

/// Rows of the scenario's time series.
pub fn rows(c: &Config) -> u64 {
    c.horizon.as_millis() / c.sample_every.as_millis().max(1) + 1
}

/// Runs of one replication's time series, estimated: a run starts at a row whose counts
/// differ from the row before, so at most one per row, and (assumption) only while a
/// disruption keeps the counts changing, plus one per disruption.
pub fn series_runs(c: &Config) -> u64 {
    let (changes, busy) = disruptions(c);
    let step = c.sample_every.as_millis().max(1) as f64;
    let runs = 1.0 + busy / step + 2.0 * changes;
    (runs.ceil() as u64).min(rows(c))
}

/// Bytes of a string of `len` bytes on the heap (an allocation rounds up to 16).
fn heap(len: usize) -> u64 {
    if len == 0 {
        0
    } else {
        (len as u64).div_ceil(16) * 16
    }
}

/// Bytes of one replication's record, estimated from the scenario.
pub fn record_bytes(c: &Config) -> u64 {
    let (changes, _) = disruptions(c);
    let pools = c.pools.len() as u64;
    let fqdn = c.pools.iter().map(|p| p.fqdn.len()).max().unwrap_or(0);
    let fixed = size_of::<ReplicationRecord>() as u64 + heap(64);
    let per_pool = 8 + size_of::<(String, String, String, SimTime)>() as u64 + 3 * heap(fqdn);
    // Failover durations: at most one per failure (half the failures and repairs).
    let failovers = 8 * (changes / 2.0).ceil() as u64;
    // Restore times: an incident starts at a change (docs/metrics.md#incidents); one per
    // failure and feature (assumption: the failures' count carries its margin, which covers
    // the incidents a repair or failback starts).
    let restores = Feature::COUNT as u64 * 8 * (changes / 2.0).ceil() as u64;
    fixed + pools * per_pool + failovers + restores + series_runs(c) * size_of::<Sample>() as u64
}

/// Bytes a finished record holds: the measure [`record_bytes`] estimates (its fields and
/// their heap allocations).
pub fn held_bytes(r: &ReplicationRecord) -> u64 {
    let lag: u64 = r
        .backup_lag
        .iter()
        .map(|(a, b, c, _)| heap(a.capacity()) + heap(b.capacity()) + heap(c.capacity()))
        .sum();
    size_of::<ReplicationRecord>() as u64
        + heap(r.fingerprint.capacity())
        + 8 * r.peak_users_per_front_end.capacity() as u64
        + size_of::<(String, String, String, SimTime)>() as u64 * r.backup_lag.capacity() as u64
        + lag
        + 8 * r.failover_durations.capacity() as u64
        + r.restores.values().map(|v| size_of::<SimTime>() as u64 * v.capacity() as u64).sum::<u64>()
        + size_of::<Sample>() as u64 * r.series.runs().len() as u64
}

/// Bytes of one row the chart and the row statistics hold: times, the mean users per state,
/// per feature (and its p05-p95 band when replicated), in f64.
fn stat_row_bytes(replicated: bool) -> u64 {
    let (states, features) = (ClientState::ALL.len() as u64, Feature::ALL.len() as u64);
    8 + 8 * states + 8 * features + if replicated { 16 * features } else { 0 }
}

/// The rows `compare` holds for a scenario's overlay charts beyond its own folder: its
/// lines (times, users per feature, and the band when replicated) and one feature's copy.
pub fn overlay_bytes(c: &Config, replicated: bool) -> u64 {
    let features = Feature::ALL.len() as u64;
    let line = 8 + 8 * features + if replicated { 16 * features } else { 0 };
    rows(c).saturating_mul(line + 32)
}

/// The memory of one scenario run as `plan` says.
pub fn estimate(c: &Config, plan: Plan) -> Estimate {
    let (changes, _) = disruptions(c);
    let record = record_bytes(c);
    let runs = series_runs(c);
    let world = c.total_users() * BYTES_PER_USER
        + runs * size_of::<Sample>() as u64
        + changes.ceil() as u64 * LOG_BYTES_PER_CHANGE;
    let log0 = changes.ceil() as u64 * LOG_BYTES_PER_CHANGE;
    let rows = rows(c);
    let outputs = if plan.shard {
        // shard.json: every record's figures and series runs as JSON text.
        plan.held * (2048 + runs * 160)
    } else {
        // The rows held at once: the statistics (or one run's chart rows) and the chart's
        // times (it borrows the rest). timeseries.csv is rendered row by row into the
        // folder, through its writers' buffers.
        let per_row = stat_row_bytes(plan.replicated) + 8;
        // Allocator rounding and the renderers' temporaries: an eighth more (assumption,
        // calibrated: a year sampled every 10 s peaked 7 % below this estimate in one run
        // and 11 % below in 20 replications, README "Limits and safe results").
        let per_row = per_row + per_row.div_ceil(8);
        rows.saturating_mul(per_row) + plan.held * 96 + WRITE_BUFFERS
    };
    Estimate {
        records: plan.held.saturating_mul(record),
        in_flight: plan.threads.min(plan.held.max(1)).saturating_mul(world).saturating_add(log0),
        outputs,
        base: BASE_BYTES,
    }
}

/// The bytes the records of a running study hold, against what the budget leaves them: the
/// run stops when they pass it (an estimate that fell short), before memory runs out. One
/// guard is shared by every scenario a command runs at once.
#[derive(Debug)]
pub struct Guard {
    held: AtomicU64,
    records: AtomicU64,
    limit: u64,
}

/// Records that passed what the budget leaves them.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "the replication records held {} after {records} replications, more than the {} the memory budget leaves them",
    show_size(*.held),
    show_size(*.limit)
)]
pub struct OverBudget {
    /// Bytes held.
    pub held: u64,
    /// Records held.
    pub records: u64,
    /// What the budget leaves the records.
    pub limit: u64,
}

impl Guard {
    /// A guard that lets the records hold `limit` bytes.
    pub fn new(limit: u64) -> Self {
        Guard { held: AtomicU64::new(0), records: AtomicU64::new(0), limit }
    }

    /// No limit (library use, tests).
    pub fn unlimited() -> Self {
        Guard::new(u64::MAX)
    }

    /// Count a finished record; an error once the records hold more than the limit.
    pub fn hold(&self, record: &ReplicationRecord) -> Result<(), OverBudget> {
        let bytes = held_bytes(record);
        let held = self.held.fetch_add(bytes, Ordering::Relaxed).saturating_add(bytes);
        let records = self.records.fetch_add(1, Ordering::Relaxed) + 1;
        if held > self.limit {
            return Err(OverBudget { held, records, limit: self.limit });
        }
        Ok(())
    }
}

/// A `--max-memory` size: bytes, or a number with `K`, `M`, `G`, `T` (powers of 1024),
/// optionally followed by `i`, `B` or `iB` (`512M`, `4G`, `4GiB`, `1.5G`, `4096`).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "ki" | "kib" => 10,
        "m" | "mb" | "mi" | "mib" => 20,
        "g" | "gb" | "gi" | "gib" => 30,
        "t" | "tb" | "ti" | "tib" => 40,
        _ => {
            return Err(format!(
                "{text:?} is not a size: write bytes or a number with K, M, G or T (e.g. 512M, 4G, 16GiB)"
            ))
        }
    };
    let value: f64 =
        number.parse().ok().filter(|v: &f64| v.is_finite()).ok_or_else(|| {
            format!("{text:?} is not a size: it needs a number first (e.g. 512M, 4G, 16GiB)")
        })?;
    let bytes = value * (1u64 << shift) as f64;
    if bytes < 1.0 || bytes >= u64::MAX as f64 {
        return Err(format!("{text:?} is not a size lyncsim can use: give from 1 byte to 16 EiB"));
    }
    Ok(bytes as u64)
}

/// A size as people read it: `3.42 GiB`, `512.0 MiB`, `900 bytes`.
pub fn show_size(bytes: u64) -> String {
    const UNITS: [(&str, u32); 4] = [("TiB", 40), ("GiB", 30), ("MiB", 20), ("KiB", 10)];
    for (unit, shift) in UNITS {
        if bytes >= 1 << shift {
            return format!("{:.2} {unit}", bytes as f64 / (1u64 << shift) as f64);
        }
    }
    format!("{bytes} bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_in_powers_of_1024_with_clear_errors() {
        assert_eq!(parse_size("512M"), Ok(512 << 20));
        assert_eq!(parse_size("4G"), Ok(4 << 30));
        assert_eq!(parse_size("4GiB"), Ok(4 << 30));
        assert_eq!(parse_size("4gb"), Ok(4 << 30));
        assert_eq!(parse_size("1.5G"), Ok(3 << 29));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("2T"), Ok(2 << 40));
        for bad in ["", "G", "4X", "-1G", "4 G B", "1e3G", "0", "0.1"] {
            assert!(parse_size(bad).is_err(), "{bad:?}");
        }
        assert!(parse_size("4X").unwrap_err().contains("e.g. 512M, 4G, 16GiB"));
        assert_eq!(show_size(DEFAULT_MAX_MEMORY), "4.00 GiB");
        assert_eq!(show_size(900), "900 bytes");
    }
}
