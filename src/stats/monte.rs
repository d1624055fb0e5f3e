//! Monte Carlo: many replications of one scenario, run in parallel, then summarised.
//!
//! Each replication draws from its own ChaCha streams, derived from (seed, replication,
//! component), so replication `k` is the same whichever thread runs it, and whether it runs
//! alone (`run --replication k`) or among ten thousand. Results are collected in replication
//! order and every statistic is a function of that ordered list: the outputs are the same
//! bytes whatever `--jobs`.
//!
//! A replication keeps only its [`ReplicationRecord`]: the summary numbers and its time
//! series run-length encoded; replication 0 also keeps its event log, for `events.csv`.
//! The worker threads are bounded by the work and the cores ([`worker_count`]), and a
//! [`Guard`] can stop a run whose records pass the memory budget (`super::budget`).

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;

use rayon::prelude::*;

use super::budget::{Guard, OverBudget};
use super::monitor::run_replication;
use super::quantile::{Describe, Multiset};
use super::result::{mean_secs, RunResult, FAILOVER};
use super::series::{Sample, Series};
use crate::engine::SimTime;
use crate::model::{Config, Feature, LogEntry, PerFeature, PerPhase, PerState};

/// What one replication contributes to the statistics.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicationRecord {
    /// Replication index.
    pub replication: u32,
    /// Integral of users with each feature, user-milliseconds.
    pub feature_user_ms: PerFeature<u128>,
    /// Per feature, the restore time of each incident that ended, in time order
    /// (docs/metrics.md#incidents).
    pub restores: PerFeature<Vec<SimTime>>,
    /// Per feature, how long the incident still open at the horizon had lasted.
    pub open_incident: PerFeature<Option<SimTime>>,
    /// First fault, if any.
    pub first_fault: Option<SimTime>,
    /// Most users in resiliency mode at once.
    pub peak_resiliency_users: u64,
    /// Most users offline at once.
    pub peak_offline_users: u64,
    /// Most users waiting in sign-in queues at once.
    pub peak_signin_queue: u64,
    /// Most users waiting in sign-in queues at once per phase (`None`: never in it).
    pub peak_signin_queue_by_phase: PerPhase<Option<u64>>,
    /// Largest unreplicated data lost in a disaster failover (zero without one).
    pub rpo_realized: SimTime,
    /// Largest unreplicated data lost, in changes (zero without a loss).
    pub rpo_realized_changes: f64,
    /// `Invoke-CsPoolFailover` runs that completed.
    pub failovers_completed: u32,
    /// `Invoke-CsPoolFailback` runs that completed.
    pub failbacks_completed: u32,
    /// Administrator commands that failed (`AdminError`s).
    pub cmdlet_errors: u32,
    /// Durations of the failovers that completed.
    pub failover_durations: Vec<SimTime>,
    /// Per pool, the most users registered per running front end at any instant.
    pub peak_users_per_front_end: Vec<f64>,
    /// Sign-ins refused at a registrar's MaxUserCount.
    pub refused_sign_ins: u64,
    /// Most users turned away at once by MaxUserCount.
    pub peak_turned_away_users: u64,
    /// Backup Service replication at the horizon: (pool whose data, from, to, age of the
    /// oldest unreplicated change).
    pub backup_lag: Vec<(String, String, String, SimTime)>,
    /// Events the engine processed.
    pub events_processed: u64,
    /// SHA-256 of this replication's `events.csv`.
    pub fingerprint: String,
    /// The time series.
    pub series: Series,
}

impl ReplicationRecord {
    /// The record of a finished replication.
    pub fn of(result: &RunResult, fingerprint: String) -> Self {
        ReplicationRecord {
            replication: result.replication,
            feature_user_ms: result.feature_user_ms,
            restores: PerFeature::from_fn(|f| result.restores(f).collect()),
            open_incident: PerFeature::from_fn(|f| result.open_incident(f)),
            first_fault: result.first_fault,
            peak_resiliency_users: result.peak_resiliency_users,
            peak_offline_users: result.peak_offline_users,
            peak_signin_queue: result.peak_signin_queue,
            peak_signin_queue_by_phase: result.peak_signin_queue_by_phase,
            rpo_realized: result.rpo_realized.unwrap_or(SimTime::ZERO),
            rpo_realized_changes: result.rpo_realized_changes.unwrap_or(0.0),
            failovers_completed: result.failovers_completed(),
            failbacks_completed: result.failbacks_completed(),
            cmdlet_errors: result.cmdlet_errors(),
            failover_durations: result
                .failovers
                .iter()
                .filter(|f| f.cmdlet == FAILOVER)
                .filter_map(|f| f.completed.map(|c| c.saturating_sub(f.started)))
                .collect(),
            peak_users_per_front_end: result.peak_users_per_front_end.iter().map(|(_, load)| *load).collect(),
            refused_sign_ins: result.refused_sign_ins,
            peak_turned_away_users: result.peak_turned_away_users,
            backup_lag: result
                .backup_status
                .iter()
                .map(|b| (b.pool.clone(), b.from.clone(), b.to.clone(), b.unreplicated))
                .collect(),
            events_processed: result.events_processed,
            fingerprint,
            series: result.series.clone(),
        }
    }
}

impl ReplicationRecord {
    /// Incidents of `feature`, the open one included.
    pub fn incidents(&self, feature: Feature) -> u32 {
        self.restores[feature].len() as u32 + u32::from(self.open_incident[feature].is_some())
    }

    /// The longest restore of `feature`; `None` when no incident ended.
    pub fn time_to_restore(&self, feature: Feature) -> Option<SimTime> {
        self.restores[feature].iter().copied().max()
    }

    /// The mean restore of `feature` in seconds; `None` when no incident ended.
    pub fn mean_restore_s(&self, feature: Feature) -> Option<f64> {
        mean_secs(self.restores[feature].iter().copied())
    }
}

/// Every incident of a feature over every replication (docs/metrics.md#replicated-runs):
/// how many there were, and the statistics of the restore times of those that ended.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PooledRestores {
    /// Incidents over all replications, the open ones included.
    pub incidents: u64,
    /// Incidents still open at the horizon, over all replications.
    pub open: u64,
    /// Statistics of the restore times of the incidents that ended; `None` when none did.
    pub restore: Option<RestoreStats>,
}

/// Mean, median, 95th percentile and maximum of restore times, in seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RestoreStats {
    /// Incidents that ended.
    pub n: u64,
    /// Mean (summed in replication order, then incident order).
    pub mean_s: f64,
    /// Median (Hyndman-Fan type 7, as every percentile).
    pub p50_s: f64,
    /// 95th percentile.
    pub p95_s: f64,
    /// Longest.
    pub max_s: f64,
}

/// A finished Monte Carlo run.
#[derive(Debug, Clone)]
pub struct MonteCarlo {
    /// The scenario.
    pub config: Arc<Config>,
    /// Replication 0's event log (`events.csv`).
    pub first_log: Vec<LogEntry>,
    /// Every replication, in index order.
    pub records: Vec<ReplicationRecord>,
}

/// Some replications of a scenario (a shard, or all of them).
#[derive(Debug, Clone)]
pub struct Replications {
    /// Their records, in index order.
    pub records: Vec<ReplicationRecord>,
    /// Replication 0's event log, if replication 0 is among them.
    pub first_log: Option<Vec<LogEntry>>,
}

/// An error starting the worker threads.
#[derive(Debug, thiserror::Error)]
#[error("cannot start {jobs} worker threads: {source}")]
pub struct PoolError {
    jobs: usize,
    source: rayon::ThreadPoolBuildError,
}

/// Why replications stopped.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The worker threads could not start.
    #[error(transparent)]
    Pool(#[from] PoolError),
    /// The records passed what the memory budget leaves them ([`Guard`]).
    #[error(transparent)]
    Budget(#[from] OverBudget),
}

/// Run replications `0..config.replications` on `jobs` threads (all cores when `None`;
/// bounded by [`worker_count`]).
/// `fingerprint` hashes a replication's event trace; `tick` is called once per finished
/// replication, from any thread (progress).
pub fn run(
    config: Arc<Config>,
    jobs: Option<usize>,
    fingerprint: &(dyn Fn(&RunResult) -> String + Sync),
    tick: &(dyn Fn() + Sync),
) -> Result<MonteCarlo, RunError> {
    run_guarded(config, jobs, &Guard::unlimited(), fingerprint, tick)
}

/// [`run`], stopping when the records pass what `guard` lets them hold.
pub fn run_guarded(
    config: Arc<Config>,
    jobs: Option<usize>,
    guard: &Guard,
    fingerprint: &(dyn Fn(&RunResult) -> String + Sync),
    tick: &(dyn Fn() + Sync),
) -> Result<MonteCarlo, RunError> {
    let all: Vec<u32> = (0..config.replications).collect();
    let done = run_some_guarded(config.clone(), &all, jobs, guard, fingerprint, tick)?;
    Ok(MonteCarlo {
        config,
        first_log: done.first_log.expect("replication 0 is among all of them"),
        records: done.records,
    })
}

/// The worker threads that `jobs` asks for (all cores when `None`) bounded by what can
/// use them: no more than `work` units that can run at once (at least one) and no more than
/// the machine's `cores`, since a replication is pure computation and threads beyond the
/// cores only add memory and switching (assumption: lyncsim is CPU-bound, README
/// "Commands"). `--jobs 100000` for three replications starts three threads, not 100,000.
pub fn worker_count(jobs: Option<usize>, work: usize, cores: usize) -> usize {
    let cores = cores.max(1);
    jobs.unwrap_or(cores).min(cores).min(work).max(1)
}

/// The cores this process may use ([`std::thread::available_parallelism`], which follows
/// CPU affinity and cgroup quotas, e.g. a Slurm task's `--cpus-per-task`); 1 if unknown.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Run the replications `indices` (ascending) on `jobs` threads (bounded by
/// [`worker_count`]); see [`run`].
pub fn run_some(
    config: Arc<Config>,
    indices: &[u32],
    jobs: Option<usize>,
    fingerprint: &(dyn Fn(&RunResult) -> String + Sync),
    tick: &(dyn Fn() + Sync),
) -> Result<Replications, RunError> {
    run_some_guarded(config, indices, jobs, &Guard::unlimited(), fingerprint, tick)
}

/// [`run_some`], stopping when the records pass what `guard` lets them hold: the
/// replications not yet started are not run, and the error says what was held.
pub fn run_some_guarded(
    config: Arc<Config>,
    indices: &[u32],
    jobs: Option<usize>,
    guard: &Guard,
    fingerprint: &(dyn Fn(&RunResult) -> String + Sync),
    tick: &(dyn Fn() + Sync),
) -> Result<Replications, RunError> {
    let threads = worker_count(jobs, indices.len(), cores());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|source| PoolError { jobs: threads, source })?;
    let outcomes: Vec<(ReplicationRecord, Option<Vec<LogEntry>>)> = pool.install(|| {
        indices
            .par_iter()
            .map(|&r| {
                let result = run_replication(config.clone(), r);
                let record = ReplicationRecord::of(&result, fingerprint(&result));
                guard.hold(&record)?;
                tick();
                Ok((record, (r == 0).then_some(result.log)))
            })
            .collect::<Result<_, OverBudget>>()
    })?;
    let mut first_log = None;
    let records = outcomes
        .into_iter()
        .map(|(record, log)| {
            if log.is_some() {
                first_log = log;
            }
            record
        })
        .collect();
    Ok(Replications { records, first_log })
}

/// The time series over replications: per row the mean users in each client state and with
/// each feature, and the 5th and 95th percentiles of users with each feature.
#[derive(Debug, Clone, PartialEq)]
pub struct MeanSeries {
    /// Row times.
    pub times: Vec<SimTime>,
    /// Mean users per client state.
    pub states: Vec<PerState<f64>>,
    /// Mean users with each feature.
    pub features: Vec<PerFeature<f64>>,
    /// Per feature, the 5th and 95th percentiles of users with it.
    pub band: Vec<PerFeature<(f64, f64)>>,
}

impl MonteCarlo {
    /// Users with `feature` in a time-series row.
    pub fn users_with(&self, sample: &Sample, feature: Feature) -> u64 {
        sample.counts().with_feature(&self.config.features, feature)
    }

    /// Replications run.
    pub fn replications(&self) -> usize {
        self.records.len()
    }

    /// Describe one number of every replication. Every number a replication records is a
    /// count, a duration or a fraction, never negative, so the confidence interval is
    /// clipped at 0.
    pub fn describe(&self, value: impl Fn(&ReplicationRecord) -> f64) -> Describe {
        let values: Vec<f64> = self.records.iter().map(value).collect();
        Describe::of(&values).expect("a Monte Carlo run has replications").within(0.0, f64::INFINITY)
    }

    /// Describe a number that some replications lack (`None` when none has it).
    pub fn describe_some(&self, value: impl Fn(&ReplicationRecord) -> Option<f64>) -> Option<Describe> {
        let values: Vec<f64> = self.records.iter().filter_map(value).collect();
        Describe::of(&values).map(|d| d.within(0.0, f64::INFINITY))
    }

    /// Describe the availability of `feature`, its confidence interval within [0, 1].
    pub fn describe_availability(&self, feature: Feature) -> Describe {
        self.describe(|r| self.availability(r, feature)).within(0.0, 1.0)
    }

    /// Availability of `feature` in one replication.
    pub fn availability(&self, record: &ReplicationRecord, feature: Feature) -> f64 {
        let denom = self.config.total_users() as u128 * self.config.horizon.as_millis() as u128;
        if denom == 0 {
            return 1.0;
        }
        record.feature_user_ms[feature] as f64 / denom as f64
    }

    /// User-minutes without `feature` in one replication.
    pub fn user_minutes_lost(&self, record: &ReplicationRecord, feature: Feature) -> f64 {
        let all = self.config.total_users() as u128 * self.config.horizon.as_millis() as u128;
        (all - record.feature_user_ms[feature].min(all)) as f64 / 60_000.0
    }

    /// Per feature, the replication with the lowest availability (the lowest index among
    /// equals).
    pub fn worst(&self) -> PerFeature<u32> {
        PerFeature::from_fn(|f| {
            self.records
                .iter()
                .min_by_key(|r| (r.feature_user_ms[f], r.replication))
                .map_or(0, |r| r.replication)
        })
    }

    /// Every incident of `feature` pooled over every replication.
    pub fn pooled_restores(&self, feature: Feature) -> PooledRestores {
        let all: Vec<f64> =
            self.records.iter().flat_map(|r| r.restores[feature].iter().map(|t| t.as_secs_f64())).collect();
        let open = self.records.iter().filter(|r| r.open_incident[feature].is_some()).count() as u64;
        PooledRestores {
            incidents: all.len() as u64 + open,
            open,
            restore: Describe::of(&all).map(|d| RestoreStats {
                n: d.n as u64,
                mean_s: d.mean,
                p50_s: d.p50,
                p95_s: d.p95,
                max_s: all.iter().copied().fold(0.0, f64::max),
            }),
        }
    }

    /// The time series over replications, swept row by row: a replication's values enter
    /// the per-feature multisets where one of its runs starts, so the cost follows the
    /// number of runs, not rows x replications.
    pub fn series(&self) -> MeanSeries {
        let config = &self.config;
        let Some(first) = self.records.first() else {
            return MeanSeries { times: vec![], states: vec![], features: vec![], band: vec![] };
        };
        let rows = first.series.rows();
        let step = first.series.step().as_millis();
        // Every run start as (row, replication slot, run index), in row order: merged from
        // the replications' runs (each in row order) through a heap of one next start per
        // replication, so the sweep holds a few bytes per replication, not per run.
        let next_start = |slot: usize, run: usize| {
            let series = &self.records[slot].series;
            series.runs().get(run).map(|s| Reverse((series.row_of(s.time), slot as u32, run as u32)))
        };
        let mut heap: BinaryHeap<Reverse<(u64, u32, u32)>> =
            (0..self.records.len()).filter_map(|slot| next_start(slot, 0)).collect();
        let starts = std::iter::from_fn(|| {
            let Reverse(start) = heap.pop()?;
            heap.extend(next_start(start.1 as usize, start.2 as usize + 1));
            Some(start)
        });

        let n = self.records.len();
        let features_of = |s: &Sample| {
            let counts = s.counts();
            PerFeature::from_fn(|f| counts.with_feature(&config.features, f))
        };
        let mut current: Vec<Option<(&Sample, PerFeature<u64>)>> = vec![None; n];
        let mut sets = PerFeature::<Multiset>::default();
        let mut state_sum = PerState::<u64>::default();
        let mut feature_sum = PerFeature::<u64>::default();
        let mut out = MeanSeries {
            times: Vec::with_capacity(rows as usize),
            states: Vec::with_capacity(rows as usize),
            features: Vec::with_capacity(rows as usize),
            band: Vec::with_capacity(rows as usize),
        };
        let mut next = starts.peekable();
        let mut band = PerFeature::<(f64, f64)>::default();
        for row in 0..rows {
            let mut changed = row == 0;
            while let Some((_, slot, run)) = next.next_if(|s| s.0 == row) {
                changed = true;
                let sample = &self.records[slot as usize].series.runs()[run as usize];
                let users = features_of(sample);
                if let Some((old, old_users)) = current[slot as usize] {
                    for (s, sum) in &mut state_sum {
                        *sum -= old.by_state[s] as u64;
                    }
                    for (f, sum) in &mut feature_sum {
                        *sum -= old_users[f];
                        sets[f].remove(old_users[f]);
                    }
                }
                for (s, sum) in &mut state_sum {
                    *sum += sample.by_state[s] as u64;
                }
                for (f, sum) in &mut feature_sum {
                    *sum += users[f];
                    sets[f].insert(users[f]);
                }
                current[slot as usize] = Some((sample, users));
            }
            if changed {
                band = PerFeature::from_fn(|f| {
                    (sets[f].percentile(0.05).unwrap_or(0.0), sets[f].percentile(0.95).unwrap_or(0.0))
                });
            }
            out.times.push(SimTime::from_millis(row * step));
            out.states.push(state_sum.map(|_, s| s as f64 / n as f64));
            out.features.push(feature_sum.map(|_, s| s as f64 / n as f64));
            out.band.push(band);
        }
        out
    }
}

/// Fraction of `total` users, 0 without users.
pub fn fraction(users: f64, total: u64) -> f64 {
    if total == 0 {
        0.0
    } else {
        users / total as f64
    }
}

#[cfg(test)]
mod tests {
    use super::worker_count;

    #[test]
    fn worker_threads_are_bounded_by_the_work_and_the_cores() {
        // `--jobs 100000 --replications 3` on 8 cores: three threads.
        assert_eq!(worker_count(Some(100_000), 3, 8), 3);
        assert_eq!(worker_count(Some(100_000), 1_000, 8), 8);
        assert_eq!(worker_count(Some(2), 1_000, 8), 2);
        assert_eq!(worker_count(None, 1_000, 8), 8);
        assert_eq!(worker_count(None, 3, 8), 3);
        // Never zero threads (an empty shard, an unknown core count).
        assert_eq!(worker_count(Some(4), 0, 8), 1);
        assert_eq!(worker_count(None, 10, 0), 1);
    }
}
