//! What the commands that simulate share: the one step that applies `--seed` and
//! `--replications` and checks the limits, `--replication K` checked against the study,
//! `--jobs` and `--format` turned into settings, the memory budget (`--max-memory`, the
//! estimate in [`crate::stats::budget`]) checked before anything runs, running a scenario to
//! its finished result, and the line that reports it.

use std::sync::Arc;

use rayon::prelude::*;

use super::args::{ChartFormat, Overrides, Workers};
use super::error::{CliError, Overloaded};
use crate::model::{Config, Feature};
use crate::report::compare::Outcome;
use crate::report::folder::Charts;
use crate::scenario::limits::{limit_help, overloads, MAX_REPLICATIONS};
use crate::stats::budget::{self, show_size, Estimate, Guard, Plan};
use crate::stats::monte::RunError;
use crate::stats::shard::Shard;
use crate::stats::{self, MonteCarlo, RunResult};
use crate::text::group_digits;

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

/// What of `config` a command runs: replication `K` alone, shard `shard`'s replications,
/// or all of them (one run when the scenario has one), on `jobs` threads.
pub fn plan(config: &Config, replication: Option<u32>, shard: Option<Shard>, jobs: Option<usize>) -> Plan {
    let held = match (replication, shard) {
        (Some(_), _) => 1,
        (None, Some(shard)) => shard.replications(config.replications).len() as u64,
        (None, None) => u64::from(config.replications),
    };
    let threads = stats::monte::worker_count(jobs, held as usize, stats::monte::cores()) as u64;
    let replicated = replication.is_none() && config.replications > 1;
    Plan { held, threads, replicated, shard: replication.is_none() && shard.is_some() }
}

/// The memory budget, checked before anything runs: the estimate of `studies` held at
/// once (each scenario with its label and plan, `overlay` when `compare` also draws every
/// scenario's rows on overlay charts) against `--max-memory`. The guard it returns lets the
/// records hold what the budget leaves them, so a run whose estimate fell short stops at
/// the budget.
pub fn check_memory(
    studies: &[(&Config, &str, Plan)],
    budget: u64,
    overlay: bool,
) -> Result<MemoryCheck, CliError> {
    let mut total = Estimate::default();
    let mut notes = Vec::new();
    for (config, label, plan) in studies {
        let mut e = budget::estimate(config, *plan);
        if overlay {
            e.outputs = e.outputs.saturating_add(budget::overlay_bytes(config, plan.replicated));
        }
        notes.push(format!(
            "  = note: {label}: {} for {} replication record{} (a time series of {} rows, about {} runs \
             each), {} in flight on {} thread{}, {} for the outputs",
            show_size(e.records),
            group_digits(plan.held),
            if plan.held == 1 { "" } else { "s" },
            group_digits(budget::rows(config)),
            group_digits(budget::series_runs(config)),
            show_size(e.in_flight),
            plan.threads,
            if plan.threads == 1 { "" } else { "s" },
            show_size(e.outputs),
        ));
        total = total.and(e);
    }
    let what = match studies {
        [(_, label, _)] => label.to_string(),
        _ => format!("these {} scenarios together", studies.len()),
    };
    if total.total() > budget {
        notes.push(format!("  = note: and {} for the program itself", show_size(total.base)));
        return Err(CliError::OverMemory { what, estimate: total.total(), budget, parts: notes.join("\n") });
    }
    let others = total.total() - total.records;
    Ok(MemoryCheck { guard: Guard::new(budget - others), what, estimate: total.total() })
}

/// A study within its memory budget: the guard of its records while it runs.
#[derive(Debug)]
pub struct MemoryCheck {
    /// Lets the records hold what the budget leaves them.
    pub guard: Guard,
    /// The scenarios, as messages name them.
    pub what: String,
    /// The estimate, bytes.
    pub estimate: u64,
}

impl MemoryCheck {
    /// The error of a run stopped by the guard, naming the study; other errors as they are.
    pub fn explain(&self, e: RunError) -> CliError {
        match e {
            RunError::Budget(source) => {
                CliError::OverMemoryRun { what: self.what.clone(), estimate: self.estimate, source }
            }
            e => e.into(),
        }
    }
}

/// Run one scenario: replication `K` alone, the one run of a single-replication scenario,
/// or every replication on `jobs` threads, its records held within `memory`; `tick` once
/// per replication.
pub fn simulate(
    config: Arc<Config>,
    replication: Option<u32>,
    jobs: Option<usize>,
    memory: &MemoryCheck,
    tick: &(dyn Fn() + Sync),
) -> Result<Outcome, CliError> {
    if replication.is_some() || config.replications == 1 {
        let result = stats::run_replication(config, replication.unwrap_or(0));
        tick();
        return Ok(Outcome::Single(Box::new(result)));
    }
    let mc = stats::monte::run_guarded(config, jobs, &memory.guard, &fingerprint, tick)
        .map_err(|e| memory.explain(e))?;
    Ok(Outcome::Monte(mc))
}

/// Run every scenario (in parallel on `jobs` threads; a replicated one also spreads its
/// replications), in the order given, all their records held within `memory`.
pub fn simulate_all(
    configs: Vec<Config>,
    jobs: Option<usize>,
    memory: &MemoryCheck,
    tick: &(dyn Fn() + Sync),
) -> Result<Vec<Outcome>, CliError> {
    let threads = stats::monte::worker_count(jobs, configs.len(), stats::monte::cores());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|source| CliError::Threads { threads, source })?;
    let outcomes: Vec<Result<Outcome, CliError>> = pool.install(|| {
        configs.into_par_iter().map(|config| simulate(Arc::new(config), None, jobs, memory, tick)).collect()
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
        "{}: voice {:.3} %, pstn {:.3} %, im {:.3} %, presence {:.3} %, conferencing {:.3} % available; {} events",
        result.config.name,
        pct(Feature::Voice),
        pct(Feature::Pstn),
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
        "{}: mean of {} replications, 95 % CI: {}, {}, {}, {} available",
        mc.config.name,
        mc.replications(),
        pct(Feature::Voice),
        pct(Feature::Pstn),
        pct(Feature::Im),
        pct(Feature::Conferencing),
    )
}
