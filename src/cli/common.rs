//! What the commands that simulate share: the one step that applies `--seed` and
//! `--replications` and checks the limits, `--jobs` and `--format` turned into settings,
//! running a scenario to its finished result, and the line that reports it.

use std::sync::Arc;

use rayon::prelude::*;

use super::args::{ChartFormat, Overrides, Workers};
use super::error::{CliError, Overloaded};
use crate::model::{Config, Feature};
use crate::report::compare::Outcome;
use crate::report::folder::Charts;
use crate::scenario::limits::{limit_help, overloads, MAX_REPLICATIONS};
use crate::stats::{self, MonteCarlo, RunResult};

/// Apply `overrides` to every scenario (each with the label messages name it by), then
/// check, when `--replications R` is given, R within 1..=[`MAX_REPLICATIONS`] and every
/// scenario within the limits that multiply by the replications (see
/// [`crate::scenario::limits::overloads`]), before anything is allocated or written.
pub fn apply_overrides<'a>(
    scenarios: impl IntoIterator<Item = (&'a mut Config, &'a str)>,
    overrides: Overrides,
) -> Result<(), CliError> {
    let mut scenarios: Vec<(&mut Config, &str)> = scenarios.into_iter().collect();
    for (config, _) in &mut scenarios {
        if let Some(seed) = overrides.seed {
            config.seed = seed;
        }
        if let Some(r) = overrides.replications {
            config.replications = r;
        }
    }
    let Some(r) = overrides.replications else { return Ok(()) };
    if r == 0 {
        return Err(CliError::NoReplications);
    }
    if r > MAX_REPLICATIONS {
        let help = limit_help(None, "MAX_REPLICATIONS");
        return Err(CliError::TooManyReplications { requested: r, limit: MAX_REPLICATIONS, help });
    }
    let mut errors = Vec::new();
    for (config, label) in scenarios {
        for overload in overloads(config) {
            errors.push(Overloaded { label: label.to_string(), replications: r, overload });
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(CliError::Overloaded(errors))
    }
}

/// `--replication K`, checked before anything runs: K must be one of the scenario's
/// replications (`0..replications`, after `--replications`), or the run would simulate a
/// replication the study does not have.
pub fn check_replication(replication: Option<u32>, config: &Config, label: &str) -> Result<(), CliError> {
    match replication {
        Some(k) if k >= config.replications => Err(CliError::NoSuchReplication {
            replication: k,
            name: config.name.clone(),
            label: label.to_string(),
            replications: config.replications,
        }),
        _ => Ok(()),
    }
}

/// `--jobs`, checked: at least one worker thread (`None`: all cores).
pub fn worker_threads(workers: Workers) -> Result<Option<usize>, CliError> {
    if workers.jobs == Some(0) {
        return Err(CliError::NoJobs);
    }
    Ok(workers.jobs)
}

/// The charts `--format` asks for.
pub fn charts(formats: &[ChartFormat]) -> Charts {
    Charts { svg: formats.contains(&ChartFormat::Svg), png: formats.contains(&ChartFormat::Png) }
}

/// The fingerprint a replication's record keeps: the hash of its event trace.
pub fn fingerprint(result: &RunResult) -> String {
    crate::report::fingerprint(result).unwrap_or_default()
}

/// Run one scenario: replication `K` alone, the one run of a single-replication scenario,
/// or every replication on `jobs` threads; `tick` once per replication.
pub fn simulate(
    config: Arc<Config>,
    replication: Option<u32>,
    jobs: Option<usize>,
    tick: &(dyn Fn() + Sync),
) -> Result<Outcome, CliError> {
    if replication.is_some() || config.replications == 1 {
        let result = stats::run_replication(config, replication.unwrap_or(0));
        tick();
        return Ok(Outcome::Single(Box::new(result)));
    }
    Ok(Outcome::Monte(stats::monte::run(config, jobs, &fingerprint, tick)?))
}

/// Run every scenario (in parallel on `jobs` threads; a replicated one also spreads its
/// replications), in the order given.
pub fn simulate_all(
    configs: Vec<Config>,
    jobs: Option<usize>,
    tick: &(dyn Fn() + Sync),
) -> Result<Vec<Outcome>, CliError> {
    let threads = stats::monte::worker_count(jobs, configs.len(), stats::monte::cores());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|source| CliError::Threads { threads, source })?;
    let outcomes: Vec<Result<Outcome, CliError>> = pool.install(|| {
        configs.into_par_iter().map(|config| simulate(Arc::new(config), None, jobs, tick)).collect()
    });
    outcomes.into_iter().collect()
}

/// The line that reports a finished scenario on stderr.
pub fn summary_line(o: &Outcome) -> String {
    match o {
        Outcome::Single(result) => single_line(result),
        Outcome::Monte(mc) => monte_line(mc),
    }
}

fn single_line(result: &RunResult) -> String {
    let pct = |f: Feature| 100.0 * result.availability(f);
    format!(
        "{}: voice {:.3} %, im {:.3} %, presence {:.3} %, conferencing {:.3} % available; {} events",
        result.config.name,
        pct(Feature::Voice),
        pct(Feature::Im),
        pct(Feature::Presence),
        pct(Feature::Conferencing),
        result.events_processed,
    )
}

/// The line that reports a finished Monte Carlo run on stderr.
pub fn monte_line(mc: &MonteCarlo) -> String {
    let pct = |f: Feature| {
        let d = mc.describe(|r| 100.0 * mc.availability(r, f)).within(0.0, 100.0);
        format!("{} {:.3} % ({:.3}-{:.3})", f.column(), d.mean, d.ci95_low, d.ci95_high)
    };
    format!(
        "{}: mean of {} replications, 95 % CI: {}, {}, {} available",
        mc.config.name,
        mc.replications(),
        pct(Feature::Voice),
        pct(Feature::Im),
        pct(Feature::Conferencing),
    )
}
