//! The shard file of a Monte Carlo run (README.md#beyond-one-machine-shards-and-merge) and the
//! merge's assembly. `run --shard K/N`
//! runs replications K, K+N, K+2N, ... (round robin, so every shard gets a similar mix); its
//! `shard.json` holds provenance, the scenario text, every replication's record and
//! run-length encoded time series, and replication 0's event log when it is in the shard.
//! A merge checks that the shards belong together and cover every replication once, then
//! joins them into the [`MonteCarlo`] an unsharded run gives. Reading and writing the files
//! is the caller's business.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::monte::{MonteCarlo, ReplicationRecord, Replications};
use super::series::{Sample, Series};
use crate::engine::SimTime;
use crate::model::{ClientState, Config, Feature, LogEntry, LogKind, PerFeature, PerPhase, PerState, Phase};

/// Format tag of `shard.json`.
pub const FORMAT: &str = "lyncsim-shard/4";

/// Which part of a Monte Carlo run's replications a shard runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 0-based index.
    pub index: u32,
    /// Number of shards.
    pub count: u32,
}

impl Shard {
    /// The replications of `0..replications` in this shard: index, index + count, ...
    pub fn replications(self, replications: u32) -> Vec<u32> {
        (self.index..replications).step_by(self.count as usize).collect()
    }

    /// The folder name of this shard of scenario `name`.
    pub fn folder(self, name: &str) -> String {
        format!("{name}.shard-{}-of-{}", self.index, self.count)
    }
}

/// `shard.json`: one shard of a Monte Carlo run.
#[derive(Debug, Serialize, Deserialize)]
pub struct ShardFile {
    format: String,
    lyncsim_version: String,
    scenario: String,
    scenario_sha256: String,
    scenario_file: String,
    scenario_source: String,
    seed: u64,
    replications: u32,
    shard: u32,
    shards: u32,
    records: Vec<RecordOut>,
    first_log: Option<Vec<LogOut>>,
}

#[derive(Debug, Serialize, Deserialize)]
struct RecordOut {
    replication: u32,
    feature_user_ms: [u128; Feature::COUNT],
    /// Per feature, the restore time of each incident that ended.
    restores_ms: [Vec<u64>; Feature::COUNT],
    /// Per feature, the age at the horizon of the incident still open.
    open_incident_ms: [Option<u64>; Feature::COUNT],
    first_fault_ms: Option<u64>,
    peak_resiliency_users: u64,
    peak_offline_users: u64,
    peak_signin_queue: u64,
    /// Per phase (`Phase::ALL` order), the sign-in queue's peak; `null`: never in it.
    peak_signin_queue_by_phase: [Option<u64>; Phase::ALL.len()],
    rpo_realized_ms: u64,
    rpo_realized_changes: f64,
    failovers_completed: u32,
    failbacks_completed: u32,
    cmdlet_errors: u32,
    failover_durations_ms: Vec<u64>,
    peak_users_per_front_end: Vec<f64>,
    refused_sign_ins: u64,
    peak_turned_away_users: u64,
    backup_lag: Vec<(String, String, String, u64)>,
    events_processed: u64,
    fingerprint: String,
    series_step_ms: u64,
    series_rows: u64,
    /// Each run: its first row, users per client state, failed over with RGS, PSTN
    /// without Mediation.
    series_runs: Vec<[u64; RUN_WIDTH]>,
}

/// Numbers per run in `series_runs` (a new client state widens it: a new [`FORMAT`]).
const RUN_WIDTH: usize = 1 + ClientState::COUNT + 2;

#[derive(Debug, Serialize, Deserialize)]
struct LogOut {
    time_ms: u64,
    kind: String,
    pool: String,
    detail: String,
}

fn ms(t: Option<SimTime>) -> Option<u64> {
    t.map(SimTime::as_millis)
}

impl RecordOut {
    fn of(r: &ReplicationRecord) -> Self {
        let step = r.series.step();
        RecordOut {
            replication: r.replication,
            feature_user_ms: r.feature_user_ms.into_array(),
            restores_ms: r
                .restores
                .clone()
                .map(|_, v| v.iter().map(|t| t.as_millis()).collect())
                .into_array(),
            open_incident_ms: r.open_incident.map(|_, t| ms(t)).into_array(),
            first_fault_ms: ms(r.first_fault),
            peak_resiliency_users: r.peak_resiliency_users,
            peak_offline_users: r.peak_offline_users,
            peak_signin_queue: r.peak_signin_queue,
            peak_signin_queue_by_phase: r.peak_signin_queue_by_phase.into_array(),
            rpo_realized_ms: r.rpo_realized.as_millis(),
            rpo_realized_changes: r.rpo_realized_changes,
            failovers_completed: r.failovers_completed,
            failbacks_completed: r.failbacks_completed,
            cmdlet_errors: r.cmdlet_errors,
            failover_durations_ms: r.failover_durations.iter().map(|d| d.as_millis()).collect(),
            peak_users_per_front_end: r.peak_users_per_front_end.clone(),
            refused_sign_ins: r.refused_sign_ins,
            peak_turned_away_users: r.peak_turned_away_users,
            backup_lag: r
                .backup_lag
                .iter()
                .map(|(p, f, t, lag)| (p.clone(), f.clone(), t.clone(), lag.as_millis()))
                .collect(),
            events_processed: r.events_processed,
            fingerprint: r.fingerprint.clone(),
            series_step_ms: step.as_millis(),
            series_rows: r.series.rows(),
            series_runs: r
                .series
                .runs()
                .iter()
                .map(|s| {
                    let mut run = [0; RUN_WIDTH];
                    run[0] = r.series.row_of(s.time);
                    for (n, &users) in run[1..].iter_mut().zip(s.by_state.values()) {
                        *n = users.into();
                    }
                    run[RUN_WIDTH - 2] = s.failed_over_with_rgs.into();
                    run[RUN_WIDTH - 1] = s.pstn_without_mediation.into();
                    run
                })
                .collect(),
        }
    }

    fn into_record(self) -> Result<ReplicationRecord, String> {
        let small = |n: u64| u32::try_from(n).map_err(|_| format!("count {n} out of range"));
        let step = self.series_step_ms.max(1);
        let mut runs = Vec::with_capacity(self.series_runs.len());
        for r in &self.series_runs {
            let mut by_state = PerState::default();
            for (users, &n) in by_state.values_mut().zip(&r[1..]) {
                *users = small(n)?;
            }
            runs.push(Sample {
                time: SimTime::from_millis(r[0] * step),
                by_state,
                failed_over_with_rgs: small(r[RUN_WIDTH - 2])?,
                pstn_without_mediation: small(r[RUN_WIDTH - 1])?,
            });
        }
        let series = Series::from_runs(SimTime::from_millis(step), self.series_rows, runs)?;
        let time = |t: Option<u64>| t.map(SimTime::from_millis);
        Ok(ReplicationRecord {
            replication: self.replication,
            feature_user_ms: PerFeature::from_array(self.feature_user_ms),
            restores: PerFeature::from_array(self.restores_ms)
                .map(|_, v| v.into_iter().map(SimTime::from_millis).collect()),
            open_incident: PerFeature::from_array(self.open_incident_ms).map(|_, t| time(t)),
            first_fault: time(self.first_fault_ms),
            peak_resiliency_users: self.peak_resiliency_users,
            peak_offline_users: self.peak_offline_users,
            peak_signin_queue: self.peak_signin_queue,
            peak_signin_queue_by_phase: PerPhase::from_array(self.peak_signin_queue_by_phase),
            rpo_realized: SimTime::from_millis(self.rpo_realized_ms),
            rpo_realized_changes: self.rpo_realized_changes,
            failovers_completed: self.failovers_completed,
            failbacks_completed: self.failbacks_completed,
            cmdlet_errors: self.cmdlet_errors,
            failover_durations: self.failover_durations_ms.into_iter().map(SimTime::from_millis).collect(),
            peak_users_per_front_end: self.peak_users_per_front_end,
            refused_sign_ins: self.refused_sign_ins,
            peak_turned_away_users: self.peak_turned_away_users,
            backup_lag: self
                .backup_lag
                .into_iter()
                .map(|(p, f, t, lag)| (p, f, t, SimTime::from_millis(lag)))
                .collect(),
            events_processed: self.events_processed,
            fingerprint: self.fingerprint,
            series,
        })
    }
}

impl ShardFile {
    /// The file of shard `shard` of `config`'s run, which ran the replications `done`.
    pub fn new(config: &Config, shard: Shard, done: &Replications) -> ShardFile {
        ShardFile {
            format: FORMAT.into(),
            lyncsim_version: env!("CARGO_PKG_VERSION").into(),
            scenario: config.name.clone(),
            scenario_sha256: config.scenario_sha256.clone(),
            scenario_file: config.file.clone(),
            scenario_source: config.source.to_string(),
            seed: config.seed,
            replications: config.replications,
            shard: shard.index,
            shards: shard.count,
            records: done.records.iter().map(RecordOut::of).collect(),
            first_log: done.first_log.as_ref().map(|log| {
                log.iter()
                    .map(|e| LogOut {
                        time_ms: e.time.as_millis(),
                        kind: e.kind.name().into(),
                        pool: e.pool.clone(),
                        detail: e.detail.clone(),
                    })
                    .collect()
            }),
        }
    }

    /// The text of `shard.json`, newline-terminated.
    pub fn to_json(&self) -> Result<Vec<u8>, serde_json::Error> {
        let mut json = serde_json::to_vec(self)?;
        json.push(b'\n');
        Ok(json)
    }

    /// Read the `shard.json` of the shard folder `dir`.
    pub fn from_json(dir: &Path, json: &[u8]) -> Result<ShardFile, ShardError> {
        let file: ShardFile = serde_json::from_slice(json)
            .map_err(|source| ShardError::Damaged { dir: dir.to_path_buf(), source })?;
        if file.format != FORMAT {
            return Err(ShardError::Format { dir: dir.to_path_buf(), found: file.format });
        }
        Ok(file)
    }
}

/// Why shards cannot be merged. Each message is complete but for the `error: ` before it.
#[derive(Debug, thiserror::Error)]
pub enum ShardError {
    /// `shard.json` is not JSON of the expected shape.
    #[error("{}: shard.json is damaged: {source}", dir.display())]
    Damaged {
        /// The shard folder.
        dir: PathBuf,
        /// What the JSON reader found.
        source: serde_json::Error,
    },
    /// `shard.json` is of another format (version).
    #[error("{}: shard.json has format {found:?}; this lyncsim reads {FORMAT:?}", dir.display())]
    Format {
        /// The shard folder.
        dir: PathBuf,
        /// Its format tag.
        found: String,
    },
    /// A shard count or replication count beyond the limits.
    #[error("{}: shard.json has {shards} shards for {replications} replications", dir.display())]
    Count {
        /// The shard folder.
        dir: PathBuf,
        /// Its shard count.
        shards: u32,
        /// Its replication count.
        replications: u32,
    },
    /// The shards of one scenario do not make one whole run.
    #[error("cannot merge scenario {scenario:?}: {problem}")]
    Merge {
        /// The scenario, as `shard.json` names it.
        scenario: String,
        /// What is wrong.
        problem: Box<Problem>,
    },
}

/// What keeps the shards of one scenario from making one whole run.
#[derive(Debug, thiserror::Error)]
pub enum Problem {
    /// Two shards come from different runs.
    #[error("{} has {what} {theirs} but {} has {ours}; shards must come from one run", dir.display(), first.display())]
    Differs {
        /// The shard that differs.
        dir: PathBuf,
        /// The first shard.
        first: PathBuf,
        /// What differs (`seed`, `scenario hash`, ...).
        what: &'static str,
        /// The first shard's value.
        ours: String,
        /// The other shard's value.
        theirs: String,
    },
    /// One shard given twice.
    #[error("{} and {} are both shard {index} of {count}", a.display(), b.display())]
    Twice {
        /// One folder.
        a: PathBuf,
        /// The other.
        b: PathBuf,
        /// The shard index.
        index: u32,
        /// The shard count.
        count: u32,
    },
    /// Shards missing.
    #[error(
        "shard{} {} of {count} missing (have {})",
        if missing.len() == 1 { " is" } else { "s are" },
        list(missing),
        list(present)
    )]
    Missing {
        /// The missing shard indices.
        missing: Vec<u32>,
        /// The shard indices given.
        present: Vec<u32>,
        /// The shard count.
        count: u32,
    },
    /// The scenario text no longer loads (a lyncsim that validates differently).
    #[error("its scenario text no longer loads:\n{0}")]
    Unloadable(String),
    /// The scenario text names another scenario.
    #[error("shard.json names it {file:?} but its scenario text names it {text:?}")]
    Renamed {
        /// The name in `shard.json`.
        file: String,
        /// The name in its scenario text.
        text: String,
    },
    /// The scenario text was edited.
    #[error("the scenario text in shard.json does not match its hash")]
    Hash,
    /// An event log entry of an unknown kind.
    #[error("{}: unknown event kind {kind:?}", dir.display())]
    EventKind {
        /// The shard folder.
        dir: PathBuf,
        /// The kind as written.
        kind: String,
    },
    /// A replication record that does not read back.
    #[error("{}: {reason}", dir.display())]
    Record {
        /// The shard folder.
        dir: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// Replications missing or duplicated.
    #[error(
        "the shards hold {have} replication records for {expected} replications (missing: {})",
        if missing.is_empty() { "none; some are duplicated".to_string() } else { list(missing) }
    )]
    Records {
        /// Records found.
        have: usize,
        /// Replications of the run.
        expected: usize,
        /// The first ten replications without a record.
        missing: Vec<u32>,
    },
    /// Replication 0's event log is in no shard.
    #[error("no shard holds replication 0's events")]
    FirstLog,
}

/// `1, 2, 3`.
fn list(numbers: &[u32]) -> String {
    numbers.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
}

/// The shards of one scenario, sorted by shard index.
#[derive(Debug)]
pub struct ShardSet {
    shards: Vec<(PathBuf, ShardFile)>,
}

/// Group shard files (each with its folder) by scenario name (sorted), each group by shard
/// index.
pub fn group(files: Vec<(PathBuf, ShardFile)>) -> Vec<ShardSet> {
    let mut groups: BTreeMap<String, Vec<(PathBuf, ShardFile)>> = BTreeMap::new();
    for (dir, file) in files {
        groups.entry(file.scenario.clone()).or_default().push((dir, file));
    }
    groups
        .into_values()
        .map(|mut shards| {
            shards.sort_by_key(|(_, f)| f.shard);
            ShardSet { shards }
        })
        .collect()
}

impl ShardSet {
    fn first(&self) -> &(PathBuf, ShardFile) {
        &self.shards[0]
    }

    /// The scenario file as the shards ran it: (its label, its text).
    pub fn scenario(&self) -> (&str, &str) {
        let first = &self.first().1;
        (&first.scenario_file, &first.scenario_source)
    }

    /// The seed and the replication count of the run.
    pub fn run(&self) -> (u64, u32) {
        let first = &self.first().1;
        (first.seed, first.replications)
    }

    /// The error of merging this scenario.
    pub fn refuse(&self, problem: Problem) -> ShardError {
        ShardError::Merge { scenario: self.first().1.scenario.clone(), problem: Box::new(problem) }
    }

    /// Check that the shards are one whole run: a shard count from 1 to `max_replications`
    /// (the scenario layer's limit, which also bounds the replications; shards beyond the
    /// last replication hold none and merge as empty parts, as a job array sized for a
    /// larger study writes them), the same provenance everywhere, every shard once.
    pub fn check(&self, max_replications: u32) -> Result<(), ShardError> {
        let (dir0, first) = self.first();
        let too_many = first.replications > max_replications;
        if first.shards == 0 || first.shards > max_replications || too_many {
            return Err(ShardError::Count {
                dir: dir0.clone(),
                shards: first.shards,
                replications: first.replications,
            });
        }
        for (dir, s) in &self.shards[1..] {
            let differs =
                |what: &'static str, ours: &dyn std::fmt::Display, theirs: &dyn std::fmt::Display| {
                    self.refuse(Problem::Differs {
                        dir: dir.clone(),
                        first: dir0.clone(),
                        what,
                        ours: ours.to_string(),
                        theirs: theirs.to_string(),
                    })
                };
            if s.scenario_sha256 != first.scenario_sha256 {
                return Err(differs("scenario hash", &first.scenario_sha256, &s.scenario_sha256));
            }
            if s.seed != first.seed {
                return Err(differs("seed", &first.seed, &s.seed));
            }
            if s.replications != first.replications {
                return Err(differs("replications", &first.replications, &s.replications));
            }
            if s.shards != first.shards {
                return Err(differs("shard count", &first.shards, &s.shards));
            }
            if s.lyncsim_version != first.lyncsim_version {
                return Err(differs("lyncsim version", &first.lyncsim_version, &s.lyncsim_version));
            }
        }
        for pair in self.shards.windows(2) {
            if pair[0].1.shard == pair[1].1.shard {
                return Err(self.refuse(Problem::Twice {
                    a: pair[0].0.clone(),
                    b: pair[1].0.clone(),
                    index: pair[0].1.shard,
                    count: first.shards,
                }));
            }
        }
        let present: Vec<u32> = self.shards.iter().map(|(_, s)| s.shard).collect();
        let missing: Vec<u32> = (0..first.shards).filter(|k| !present.contains(k)).collect();
        if !missing.is_empty() {
            return Err(self.refuse(Problem::Missing { missing, present, count: first.shards }));
        }
        Ok(())
    }

    /// Check that `config`, loaded from the shards' scenario text, is the scenario they name.
    pub fn check_name(&self, config: &Config) -> Result<(), ShardError> {
        let first = &self.first().1;
        if config.name != first.scenario {
            return Err(
                self.refuse(Problem::Renamed { file: first.scenario.clone(), text: config.name.clone() })
            );
        }
        Ok(())
    }

    /// Join the checked shards into the run they are parts of; `config` is the scenario
    /// loaded from their text, with their seed and replication count.
    pub fn join(self, config: Arc<Config>) -> Result<MonteCarlo, ShardError> {
        if config.scenario_sha256 != self.first().1.scenario_sha256 {
            return Err(self.refuse(Problem::Hash));
        }
        let replications = self.first().1.replications;
        let scenario = self.first().1.scenario.clone();
        let bad = |problem| ShardError::Merge { scenario: scenario.clone(), problem: Box::new(problem) };
        let mut records = Vec::new();
        let mut first_log = None;
        for (dir, s) in self.shards {
            if let Some(log) = s.first_log {
                let mut entries = Vec::with_capacity(log.len());
                for e in log {
                    let kind = LogKind::from_name(&e.kind)
                        .ok_or_else(|| bad(Problem::EventKind { dir: dir.clone(), kind: e.kind.clone() }))?;
                    entries.push(LogEntry {
                        time: SimTime::from_millis(e.time_ms),
                        kind,
                        pool: e.pool,
                        detail: e.detail,
                    });
                }
                first_log = Some(entries);
            }
            for r in s.records {
                records.push(
                    r.into_record().map_err(|reason| bad(Problem::Record { dir: dir.clone(), reason }))?,
                );
            }
        }
        records.sort_by_key(|r| r.replication);
        let expected = replications as usize;
        let have: Vec<u32> = records.iter().map(|r| r.replication).collect();
        if have.len() != expected || have.iter().enumerate().any(|(i, r)| *r as usize != i) {
            let missing: Vec<u32> =
                (0..replications).filter(|r| have.binary_search(r).is_err()).take(10).collect();
            return Err(bad(Problem::Records { have: have.len(), expected, missing }));
        }
        let first_log = first_log.ok_or_else(|| bad(Problem::FirstLog))?;
        Ok(MonteCarlo { config, first_log, records })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::monte;

    #[test]
    fn a_shard_runs_every_nth_replication_into_its_own_folder() {
        assert_eq!(Shard { index: 1, count: 4 }.replications(10), vec![1, 5, 9]);
        assert_eq!(Shard { index: 3, count: 4 }.folder("x"), "x.shard-3-of-4");
    }

    const SCENARIO: &str = r#"Scenario(
        name: "sharded",
        seed: 5,
        replications: 5,
        horizon: "2d",
        sample_every: "1h",
        sites: [ Site(name: "dc1"), Site(name: "dc2") ],
        pools: [
            Pool(fqdn: "a.contoso.com", site: "dc1", users: 40, backup_pool: Some("b.contoso.com")),
            Pool(fqdn: "b.contoso.com", site: "dc2", users: 30, backup_pool: Some("a.contoso.com")),
        ],
        failures: [
            Random(target: Pool(pool: "a.contoso.com"), mtbf: Exponential(mean: "10h"), mttr: Exponential(mean: "2h")),
        ],
    )"#;

    /// Shards written to JSON, read back and joined: the records and event log of one
    /// unsharded run; a shard missing or given twice is refused.
    #[test]
    fn shards_round_trip_through_json_into_the_whole_run() {
        let config = Arc::new(crate::scenario::load_str("sharded.ron", SCENARIO).unwrap().config);
        let fingerprint = |_: &crate::stats::RunResult| String::from("f");
        let whole = monte::run(config.clone(), Some(1), &fingerprint, &|| ()).unwrap();
        let file = |index: u32| {
            let shard = Shard { index, count: 2 };
            let done = monte::run_some(config.clone(), &shard.replications(5), Some(1), &fingerprint, &|| ())
                .unwrap();
            let json = ShardFile::new(&config, shard, &done).to_json().unwrap();
            let dir = PathBuf::from(shard.folder("sharded"));
            let read = ShardFile::from_json(&dir, &json).unwrap();
            (dir, read)
        };
        let sets = group(vec![file(1), file(0)]);
        assert_eq!(sets.len(), 1);
        let set = sets.into_iter().next().unwrap();
        set.check(1_000).unwrap();
        set.check_name(&config).unwrap();
        assert_eq!(set.run(), (5, 5));
        let merged = set.join(config.clone()).unwrap();
        assert_eq!(merged.records, whole.records);
        assert_eq!(merged.first_log, whole.first_log);

        let err = group(vec![file(1)]).remove(0).check(1_000).unwrap_err().to_string();
        assert_eq!(err, "cannot merge scenario \"sharded\": shard is 0 of 2 missing (have 1)");
        let err = group(vec![file(1), file(1), file(0)]).remove(0).check(1_000).unwrap_err().to_string();
        assert_eq!(
            err,
            "cannot merge scenario \"sharded\": sharded.shard-1-of-2 and sharded.shard-1-of-2 are both shard 1 of 2"
        );
    }
}
