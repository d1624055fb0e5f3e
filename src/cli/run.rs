//! `lyncsim run`: every scenario is loaded and validated before anything runs or is written.

use std::path::Path;
use std::sync::Arc;

use super::output::Staging;
use super::sharding;
use super::{progress, show_progress, validate::load_all, ChartFormat, CliError, RunArgs};
use crate::model::{Config, Feature};
use crate::report::{self, folder::Charts, folder::Files};
use crate::scenario::validate::{limit_help, overloads, MAX_REPLICATIONS};
use crate::stats::{self, MonteCarlo, RunResult};

/// Run `lyncsim run`.
pub fn run(args: RunArgs) -> Result<(), CliError> {
    let mut loaded = load_all(&args.scenarios)?;
    if args.folder.out.exists() && !args.folder.out.is_dir() {
        return Err(CliError::BadInput(format!(
            "error: --out {} is a file; give a folder (it will hold one folder per scenario)",
            args.folder.out.display()
        )));
    }
    if args.workers.jobs == Some(0) {
        return Err(CliError::BadInput("error: --jobs must be at least 1".into()));
    }
    let shard = match &args.shard {
        Some(spec) => Some(sharding::parse(spec, args.shard_count, &|name| std::env::var(name).ok())?),
        None => None,
    };
    for c in loaded.iter_mut().map(|l| &mut l.config) {
        if let Some(seed) = args.overrides.seed {
            c.seed = seed;
        }
        if let Some(r) = args.overrides.replications {
            c.replications = r;
        }
    }
    check_overrides(loaded.iter().map(|l| (&l.config, l.label.as_str())), args.overrides.replications)?;
    if shard.is_some() {
        if let Some(l) = loaded.iter().find(|l| l.config.replications < 2) {
            return Err(CliError::BadInput(format!(
                "error: --shard splits the replications of a Monte Carlo run, and {} ({}) has one; \
                 give it `replications` or pass --replications",
                l.config.name, l.label
            )));
        }
    }
    let targets: Vec<(std::path::PathBuf, String)> = loaded
        .iter()
        .map(|l| match (args.replication, shard) {
            (Some(k), _) => (args.folder.out.join(&l.config.name), format!("replication-{k}")),
            (None, Some(shard)) => (args.folder.out.clone(), shard.folder(&l.config.name)),
            (None, None) => (args.folder.out.clone(), l.config.name.clone()),
        })
        .collect();
    check_targets(&targets)?;
    let units: u64 = loaded
        .iter()
        .map(|l| match (args.replication, shard) {
            (Some(_), _) => 1,
            (None, Some(shard)) => shard.replications(l.config.replications).len() as u64,
            (None, None) => l.config.replications as u64,
        })
        .sum();
    let bar = progress::bar(units, show_progress(args.output.quiet));
    for (l, (out, name)) in loaded.iter().zip(targets) {
        bar.set_message(l.config.name.clone());
        // The temporary folder exists, locked, while the scenario runs: a run killed now
        // leaves the previous results as they were, and the next run removes it.
        let staging = Staging::begin(&out, &name)?;
        let config = Arc::new(l.config.clone());
        let tick = || bar.inc(1);
        let (files, line) = match shard {
            Some(shard) if args.replication.is_none() => {
                sharding::run(config, shard, args.workers.jobs, &tick)?
            }
            _ => simulate(config, args.replication, args.workers.jobs, &args.output.format, &tick)?,
        };
        let dir = staging.finish(&files)?;
        bar.suspend(|| say!("{line} -> {}", dir.display()));
    }
    bar.finish_and_clear();
    Ok(())
}

/// After `--replications R` (when given): R within 1..=[`MAX_REPLICATIONS`], and every
/// scenario within the limits that multiply by the replications (see
/// [`crate::scenario::validate::overloads`]), before anything is allocated or written.
pub(super) fn check_overrides<'a>(
    configs: impl Iterator<Item = (&'a Config, &'a str)>,
    replications: Option<u32>,
) -> Result<(), CliError> {
    let Some(r) = replications else { return Ok(()) };
    if r == 0 {
        return Err(CliError::BadInput("error: --replications must be at least 1".into()));
    }
    if r > MAX_REPLICATIONS {
        return Err(CliError::BadInput(format!(
            "error: --replications {r} is more than the limit of {MAX_REPLICATIONS}\n  = help: {}",
            limit_help(None, "MAX_REPLICATIONS")
        )));
    }
    let mut errors = Vec::new();
    for (config, label) in configs {
        for o in overloads(config) {
            errors.push(format!(
                "error: {label} with --replications {r}: {}\n  = at {}\n  = help: {}",
                o.message, o.path, o.help
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(CliError::BadInput(errors.join("\n\n")))
    }
}

/// Run one scenario as `run` does (one replication, replication `K` alone, or every
/// replication on `jobs` threads) and render its files; `tick` once per replication.
pub fn simulate(
    config: Arc<Config>,
    replication: Option<u32>,
    jobs: Option<usize>,
    formats: &[ChartFormat],
    tick: &(dyn Fn() + Sync),
) -> Result<(Files, String), CliError> {
    if replication.is_some() || config.replications == 1 {
        let result = stats::run_replication(config, replication.unwrap_or(0));
        tick();
        let files = report::folder::single(&result, charts(formats)).map_err(internal)?;
        return Ok((files, one_line(&result)));
    }
    let fingerprint = |r: &RunResult| report::fingerprint(r).unwrap_or_default();
    let mc =
        stats::monte::run(config, jobs, &fingerprint, tick).map_err(|e| CliError::Internal(e.to_string()))?;
    let files = report::folder::monte_carlo(&mc, charts(formats)).map_err(internal)?;
    Ok((files, monte_line(&mc)))
}

/// The charts `--format` asks for.
pub(super) fn charts(formats: &[ChartFormat]) -> Charts {
    Charts { svg: formats.contains(&ChartFormat::Svg), png: formats.contains(&ChartFormat::Png) }
}

pub(super) fn internal(e: report::ReportError) -> CliError {
    CliError::Internal(e.to_string())
}

/// Before any work: every results folder we will replace (`dir/name`) must be one of ours
/// (a `summary.json`, or nothing but `replication-K` folders, or empty), and its parent a
/// folder we can create, so a run never deletes anything else.
pub(super) fn check_targets(targets: &[(std::path::PathBuf, String)]) -> Result<(), CliError> {
    for (out, name) in targets {
        std::fs::create_dir_all(out).map_err(|e| {
            CliError::BadInput(format!("error: cannot create --out folder {}: {e}", out.display()))
        })?;
        let target = out.join(name);
        if target.exists() && !is_ours(&target) {
            return Err(CliError::BadInput(format!(
                "error: {} exists and is not a lyncsim results folder (no summary.json); \
                 move it or choose another --out",
                target.display()
            )));
        }
    }
    Ok(())
}

fn is_ours(target: &Path) -> bool {
    if !target.is_dir() {
        return false;
    }
    if ["summary.json", "shard.json", "comparison.md", "sweep.csv"].iter().any(|f| target.join(f).is_file()) {
        return true;
    }
    let Ok(entries) = std::fs::read_dir(target) else { return false };
    entries.into_iter().all(|e| {
        e.is_ok_and(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_prefix("replication-").is_some_and(|k| k.parse::<u32>().is_ok())
                && e.path().join("summary.json").is_file()
        })
    })
}

fn one_line(result: &RunResult) -> String {
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

pub(super) fn monte_line(mc: &MonteCarlo) -> String {
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
