//! Shards of a Monte Carlo run (SPEC 8): `run --shard K/N` runs replications K, K+N,
//! K+2N, ... (round robin, so every shard gets a similar mix) and writes
//! `OUT/<name>.shard-K-of-N/`: `shard.json` (provenance, the scenario text, every
//! replication's record and run-length encoded time series, replication 0's event log when
//! it is in the shard) and, for people, `replications.csv` with the shard's rows.
//! `merge` checks that the shards belong together and cover every replication once, then
//! writes exactly the files an unsharded run writes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::output::write_results;
use super::run::{charts, check_targets, internal, monte_line};
use super::{progress, show_progress, CliError, MergeArgs};
use crate::engine::SimTime;
use crate::model::{LogEntry, LogKind};
use crate::report::{self, folder::Files};
use crate::scenario;
use crate::stats::monte::Replications;
use crate::stats::{MonteCarlo, ReplicationRecord, Sample, Series};

/// Format tag of `shard.json`.
const FORMAT: &str = "lyncsim-shard/1";

/// Which part of the replications this process runs.
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

    /// `K/N`, or `auto` with the index (and count) from the environment: Slurm job arrays
    /// (`SLURM_ARRAY_TASK_ID` less `SLURM_ARRAY_TASK_MIN`, `SLURM_ARRAY_TASK_COUNT`) or
    /// Kubernetes Indexed Jobs (`JOB_COMPLETION_INDEX`, with `--shard-count`).
    pub fn parse(
        spec: &str,
        count_flag: Option<u32>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Shard, CliError> {
        let bad = |msg: String| CliError::BadInput(format!("error: --shard {spec}: {msg}"));
        let number = |name: &str, text: &str| {
            text.trim().parse::<u32>().map_err(|_| bad(format!("{name} is {text:?}, not a whole number")))
        };
        let (index, count) = if spec == "auto" {
            if let Some(id) = env("SLURM_ARRAY_TASK_ID") {
                let id = number("SLURM_ARRAY_TASK_ID", &id)?;
                let min =
                    env("SLURM_ARRAY_TASK_MIN").map(|m| number("SLURM_ARRAY_TASK_MIN", &m)).transpose()?;
                let count = match (count_flag, env("SLURM_ARRAY_TASK_COUNT")) {
                    (Some(n), _) => n,
                    (None, Some(n)) => number("SLURM_ARRAY_TASK_COUNT", &n)?,
                    (None, None) => {
                        return Err(bad("SLURM_ARRAY_TASK_COUNT is not set; give --shard-count".into()))
                    }
                };
                (
                    id.checked_sub(min.unwrap_or(0))
                        .ok_or_else(|| bad("task id below SLURM_ARRAY_TASK_MIN".into()))?,
                    count,
                )
            } else if let Some(id) = env("JOB_COMPLETION_INDEX") {
                let count = count_flag.ok_or_else(|| {
                    bad("JOB_COMPLETION_INDEX is set but not the shard count; give --shard-count (the Job's completions)".into())
                })?;
                (number("JOB_COMPLETION_INDEX", &id)?, count)
            } else {
                return Err(bad(
                    "neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set; use --shard K/N outside Slurm and Kubernetes"
                        .into(),
                ));
            }
        } else {
            let (k, n) = spec.split_once('/').ok_or_else(|| bad("write K/N (e.g. 0/4) or auto".into()))?;
            (number("K", k)?, number("N", n)?)
        };
        if count == 0 || index >= count {
            return Err(bad(format!("shard {index} of {count} does not exist; K runs from 0 to N-1")));
        }
        Ok(Shard { index, count })
    }
}

/// `shard.json`.
#[derive(Debug, Serialize, Deserialize)]
struct ShardFile {
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
    feature_user_ms: [u128; 8],
    time_to_restore_ms: [Option<u64>; 8],
    first_fault_ms: Option<u64>,
    peak_resiliency_users: u64,
    peak_offline_users: u64,
    peak_signin_queue: u64,
    rpo_realized_ms: u64,
    failovers: u32,
    failbacks: u32,
    cmdlet_errors: u32,
    failover_durations_ms: Vec<u64>,
    peak_users_per_front_end: Vec<f64>,
    backup_lag: Vec<(String, String, String, u64)>,
    events_processed: u64,
    fingerprint: String,
    series_step_ms: u64,
    series_rows: u64,
    /// Each run: its first row, users per client state, failed over with RGS, voice
    /// without Mediation.
    series_runs: Vec<[u64; 8]>,
}

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
            feature_user_ms: r.feature_user_ms,
            time_to_restore_ms: r.time_to_restore.map(ms),
            first_fault_ms: ms(r.first_fault),
            peak_resiliency_users: r.peak_resiliency_users,
            peak_offline_users: r.peak_offline_users,
            peak_signin_queue: r.peak_signin_queue,
            rpo_realized_ms: r.rpo_realized.as_millis(),
            failovers: r.failovers,
            failbacks: r.failbacks,
            cmdlet_errors: r.cmdlet_errors,
            failover_durations_ms: r.failover_durations.iter().map(|d| d.as_millis()).collect(),
            peak_users_per_front_end: r.peak_users_per_front_end.clone(),
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
                    let b = s.by_state.map(u64::from);
                    [
                        r.series.row_of(s.time),
                        b[0],
                        b[1],
                        b[2],
                        b[3],
                        b[4],
                        s.failed_over_with_rgs.into(),
                        s.voice_without_mediation.into(),
                    ]
                })
                .collect(),
        }
    }

    fn into_record(self) -> Result<ReplicationRecord, String> {
        let small = |n: u64| u32::try_from(n).map_err(|_| format!("count {n} out of range"));
        let step = self.series_step_ms.max(1);
        let mut runs = Vec::with_capacity(self.series_runs.len());
        for r in &self.series_runs {
            runs.push(Sample {
                time: SimTime::from_millis(r[0] * step),
                by_state: [small(r[1])?, small(r[2])?, small(r[3])?, small(r[4])?, small(r[5])?],
                failed_over_with_rgs: small(r[6])?,
                voice_without_mediation: small(r[7])?,
            });
        }
        let series = Series::from_runs(SimTime::from_millis(step), self.series_rows, runs)?;
        let time = |t: Option<u64>| t.map(SimTime::from_millis);
        Ok(ReplicationRecord {
            replication: self.replication,
            feature_user_ms: self.feature_user_ms,
            time_to_restore: self.time_to_restore_ms.map(time),
            first_fault: time(self.first_fault_ms),
            peak_resiliency_users: self.peak_resiliency_users,
            peak_offline_users: self.peak_offline_users,
            peak_signin_queue: self.peak_signin_queue,
            rpo_realized: SimTime::from_millis(self.rpo_realized_ms),
            failovers: self.failovers,
            failbacks: self.failbacks,
            cmdlet_errors: self.cmdlet_errors,
            failover_durations: self.failover_durations_ms.into_iter().map(SimTime::from_millis).collect(),
            peak_users_per_front_end: self.peak_users_per_front_end,
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

/// The files of one shard.
pub fn render_shard(
    loaded: &scenario::Loaded,
    config: &Arc<crate::model::Config>,
    shard: Shard,
    done: &Replications,
) -> Result<Files, CliError> {
    let file = ShardFile {
        format: FORMAT.into(),
        lyncsim_version: env!("CARGO_PKG_VERSION").into(),
        scenario: config.name.clone(),
        scenario_sha256: config.scenario_sha256.clone(),
        scenario_file: loaded.label.clone(),
        scenario_source: loaded.source.clone(),
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
    };
    let mut json = serde_json::to_vec(&file).map_err(|e| CliError::Internal(format!("shard.json: {e}")))?;
    json.push(b'\n');
    report::folder::shard(json, config, done).map_err(internal)
}

/// Run `lyncsim merge`.
pub fn merge(args: MergeArgs) -> Result<(), CliError> {
    let bad = |dir: &Path, msg: String| CliError::BadInput(format!("error: {}: {msg}", dir.display()));
    // Read every shard, grouped by scenario name (sorted), each group by shard index.
    let mut groups: BTreeMap<String, Vec<(PathBuf, ShardFile)>> = BTreeMap::new();
    for dir in &args.shards {
        let path = dir.join("shard.json");
        let text = std::fs::read(&path).map_err(|e| {
            bad(
                dir,
                format!("not a shard folder (cannot read shard.json: {e}); `run --shard K/N` writes them"),
            )
        })?;
        let file: ShardFile =
            serde_json::from_slice(&text).map_err(|e| bad(dir, format!("shard.json is damaged: {e}")))?;
        if file.format != FORMAT {
            return Err(bad(
                dir,
                format!("shard.json has format {:?}; this lyncsim reads {FORMAT:?}", file.format),
            ));
        }
        groups.entry(file.scenario.clone()).or_default().push((dir.clone(), file));
    }
    let mut merged = Vec::new();
    for (_, mut shards) in groups {
        shards.sort_by_key(|(_, f)| f.shard);
        let mc = assemble(shards)?;
        // The folder is named by the scenario as validated, never by shard.json's text.
        merged.push((mc.config.name.clone(), mc));
    }
    let targets: Vec<(PathBuf, String)> =
        merged.iter().map(|(name, _)| (args.folder.out.clone(), name.clone())).collect();
    check_targets(&targets)?;
    let bar = progress::bar(merged.len() as u64, show_progress(args.output.quiet));
    for (name, mc) in merged {
        let files = report::folder::monte_carlo(&mc, charts(&args.output.format)).map_err(internal)?;
        let dir = write_results(&args.folder.out, &name, &files)?;
        bar.inc(1);
        bar.suspend(|| say!("{} -> {}", monte_line(&mc), dir.display()));
    }
    bar.finish_and_clear();
    Ok(())
}

/// Check that `shards` (sorted by index) are one whole Monte Carlo run and join them.
fn assemble(shards: Vec<(PathBuf, ShardFile)>) -> Result<MonteCarlo, CliError> {
    let (dir0, first) = &shards[0];
    let too_many = first.replications > crate::scenario::validate::MAX_REPLICATIONS;
    if first.shards == 0 || first.shards > first.replications.max(1) || too_many {
        return Err(CliError::BadInput(format!(
            "error: {}: shard.json has {} shards for {} replications",
            dir0.display(),
            first.shards,
            first.replications
        )));
    }
    let scenario_name = first.scenario.clone();
    let bad =
        |msg: String| CliError::BadInput(format!("error: cannot merge scenario {scenario_name:?}: {msg}"));
    for (dir, s) in &shards[1..] {
        let differs = |what: &str, a: &dyn std::fmt::Display, b: &dyn std::fmt::Display| {
            bad(format!(
                "{} has {what} {b} but {} has {a}; shards must come from one run",
                dir.display(),
                dir0.display()
            ))
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
    for pair in shards.windows(2) {
        if pair[0].1.shard == pair[1].1.shard {
            return Err(bad(format!(
                "{} and {} are both shard {} of {}",
                pair[0].0.display(),
                pair[1].0.display(),
                pair[0].1.shard,
                first.shards
            )));
        }
    }
    let present: Vec<u32> = shards.iter().map(|(_, s)| s.shard).collect();
    let missing: Vec<String> =
        (0..first.shards).filter(|k| !present.contains(k)).map(|k| format!("{k}")).collect();
    if !missing.is_empty() {
        return Err(bad(format!(
            "shard{} {} of {} missing (have {})",
            if missing.len() == 1 { " is" } else { "s are" },
            missing.join(", "),
            first.shards,
            present.iter().map(|k| k.to_string()).collect::<Vec<_>>().join(", ")
        )));
    }
    // The scenario, as the shards ran it.
    let mut loaded = scenario::load_str(&first.scenario_file, &first.scenario_source)
        .map_err(|f| bad(format!("its scenario text no longer loads:\n{}", f.render())))?;
    if loaded.config.name != first.scenario {
        return Err(bad(format!(
            "shard.json names it {:?} but its scenario text names it {:?}",
            first.scenario, loaded.config.name
        )));
    }
    loaded.config.seed = first.seed;
    loaded.config.replications = first.replications;
    super::run::check_overrides(
        std::iter::once((&loaded.config, first.scenario_file.as_str())),
        Some(first.replications),
    )?;
    if loaded.config.scenario_sha256 != first.scenario_sha256 {
        return Err(bad("the scenario text in shard.json does not match its hash".into()));
    }
    let config = Arc::new(loaded.config);
    let replications = first.replications;
    let mut records = Vec::new();
    let mut first_log = None;
    for (dir, s) in shards {
        if let Some(log) = s.first_log {
            let mut entries = Vec::with_capacity(log.len());
            for e in log {
                let kind = LogKind::from_name(&e.kind)
                    .ok_or_else(|| bad(format!("{}: unknown event kind {:?}", dir.display(), e.kind)))?;
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
            records.push(r.into_record().map_err(|e| bad(format!("{}: {e}", dir.display())))?);
        }
    }
    records.sort_by_key(|r| r.replication);
    let expected = replications as usize;
    let have: Vec<u32> = records.iter().map(|r| r.replication).collect();
    if have.len() != expected || have.iter().enumerate().any(|(i, r)| *r as usize != i) {
        let missing: Vec<String> = (0..replications)
            .filter(|r| have.binary_search(r).is_err())
            .take(10)
            .map(|r| r.to_string())
            .collect();
        return Err(bad(format!(
            "the shards hold {} replication records for {expected} replications (missing: {})",
            have.len(),
            if missing.is_empty() { "none; some are duplicated".into() } else { missing.join(", ") }
        )));
    }
    let first_log = first_log.ok_or_else(|| bad("no shard holds replication 0's events".into()))?;
    Ok(MonteCarlo { config, first_log, records })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
    }

    #[test]
    fn shards_parse_from_flags_slurm_and_kubernetes() {
        let none = env(&[]);
        assert_eq!(Shard::parse("1/4", None, &none).unwrap(), Shard { index: 1, count: 4 });
        assert_eq!(Shard { index: 1, count: 4 }.replications(10), vec![1, 5, 9]);
        assert_eq!(Shard { index: 3, count: 4 }.folder("x"), "x.shard-3-of-4");
        let slurm = env(&[
            ("SLURM_ARRAY_TASK_ID", "3"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ]);
        assert_eq!(Shard::parse("auto", None, &slurm).unwrap(), Shard { index: 2, count: 4 });
        let k8s = env(&[("JOB_COMPLETION_INDEX", "2")]);
        assert_eq!(Shard::parse("auto", Some(3), &k8s).unwrap(), Shard { index: 2, count: 3 });
        let err = |spec: &str, count: Option<u32>, e: &dyn Fn(&str) -> Option<String>| {
            Shard::parse(spec, count, e).unwrap_err().to_string()
        };
        assert!(err("4/4", None, &none).contains("shard 4 of 4 does not exist"));
        assert!(err("x", None, &none).contains("write K/N"));
        assert!(err("auto", None, &none).contains("neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX"));
        assert!(err("auto", None, &k8s).contains("give --shard-count"));
        assert!(err("1/y", None, &none).contains("N is \"y\", not a whole number"));
    }
}
