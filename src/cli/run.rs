//! `lyncsim run`: every scenario is loaded and validated before anything runs or is written.

use std::path::Path;
use std::sync::Arc;

use super::output::{write_results, Files};
use super::{progress, show_progress, validate::load_all, ChartFormat, CliError, RunArgs};
use crate::model::{Config, Feature};
use crate::report;
use crate::scenario::validate::MAX_REPLICATIONS;
use crate::stats::{self, MonteCarlo, RunResult};

/// Run `lyncsim run`.
pub fn run(args: RunArgs) -> Result<(), CliError> {
    let mut configs: Vec<Config> = load_all(&args.scenarios)?.into_iter().map(|l| l.config).collect();
    if args.out.exists() && !args.out.is_dir() {
        return Err(CliError::BadInput(format!(
            "error: --out {} is a file; give a folder (it will hold one folder per scenario)",
            args.out.display()
        )));
    }
    if args.jobs == Some(0) {
        return Err(CliError::BadInput("error: --jobs must be at least 1".into()));
    }
    for c in &mut configs {
        if let Some(seed) = args.seed {
            c.seed = seed;
        }
        if let Some(r) = args.replications {
            if r == 0 {
                return Err(CliError::BadInput("error: --replications must be at least 1".into()));
            }
            if r > MAX_REPLICATIONS {
                return Err(CliError::BadInput(format!(
                    "error: --replications {r} is more than the limit of {MAX_REPLICATIONS}"
                )));
            }
            c.replications = r;
        }
    }
    let targets: Vec<(std::path::PathBuf, String)> = configs
        .iter()
        .map(|c| match args.replication {
            Some(k) => (args.out.join(&c.name), format!("replication-{k}")),
            None => (args.out.clone(), c.name.clone()),
        })
        .collect();
    check_targets(&targets)?;
    let units: u64 =
        configs.iter().map(|c| if args.replication.is_some() { 1 } else { c.replications as u64 }).sum();
    let bar = progress::bar(units, show_progress(args.quiet));
    for (config, (out, name)) in configs.into_iter().zip(targets) {
        bar.set_message(config.name.clone());
        let (files, line) =
            simulate(Arc::new(config), args.replication, args.jobs, &args.format, &|| bar.inc(1))?;
        let dir = write_results(&out, &name, &files)?;
        bar.suspend(|| eprintln!("{line} -> {}", dir.display()));
    }
    bar.finish_and_clear();
    Ok(())
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
        return Ok((render(&result, formats)?, one_line(&result)));
    }
    let fingerprint = |r: &RunResult| report::fingerprint(r).unwrap_or_default();
    let mc =
        stats::monte::run(config, jobs, &fingerprint, tick).map_err(|e| CliError::Internal(e.to_string()))?;
    Ok((render_monte(&mc, formats)?, monte_line(&mc)))
}

/// Before any work: every results folder we will replace (`dir/name`) must be one of ours
/// (a `summary.json`, or nothing but `replication-K` folders, or empty), and its parent a
/// folder we can create, so a run never deletes anything else.
fn check_targets(targets: &[(std::path::PathBuf, String)]) -> Result<(), CliError> {
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
    if target.join("summary.json").is_file() {
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

/// Every output file of one run, rendered in memory.
pub fn render(result: &RunResult, formats: &[ChartFormat]) -> Result<Files, CliError> {
    let internal = |e: report::ReportError| CliError::Internal(e.to_string());
    let mut files: Files = vec![
        ("timeseries.csv", report::timeseries_csv(result).map_err(internal)?),
        ("summary.json", report::summary_json(result).into_bytes()),
        ("events.csv", report::events_csv(result).map_err(internal)?),
    ];
    if formats.contains(&ChartFormat::Svg) {
        let svg = report::chart::availability_svg(result).map_err(|e| internal(e.into()))?;
        files.push(("availability.svg", svg.into_bytes()));
    }
    if formats.contains(&ChartFormat::Png) {
        let png = report::chart::availability_png(result).map_err(|e| internal(e.into()))?;
        files.push(("availability.png", png));
    }
    Ok(files)
}

/// Every output file of a replicated run, rendered in memory.
pub fn render_monte(mc: &MonteCarlo, formats: &[ChartFormat]) -> Result<Files, CliError> {
    let internal = |e: report::ReportError| CliError::Internal(e.to_string());
    let series = mc.series();
    let fingerprint = report::fingerprint(&mc.first).map_err(internal)?;
    let mut files: Files = vec![
        ("timeseries.csv", report::monte::timeseries_csv(mc, &series).map_err(internal)?),
        ("summary.json", report::monte::summary_json(mc, &fingerprint).into_bytes()),
        ("events.csv", report::events_csv(&mc.first).map_err(internal)?),
        ("replications.csv", report::monte::replications_csv(mc).map_err(internal)?),
    ];
    let input = report::monte::chart_input(mc, series);
    if formats.contains(&ChartFormat::Svg) {
        let svg = report::chart::svg(&input).map_err(|e| internal(e.into()))?;
        files.push(("availability.svg", svg.into_bytes()));
    }
    if formats.contains(&ChartFormat::Png) {
        let png = report::chart::png(&input).map_err(|e| internal(e.into()))?;
        files.push(("availability.png", png));
    }
    Ok(files)
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

fn monte_line(mc: &MonteCarlo) -> String {
    let pct = |f: Feature| {
        let d = mc.describe(|r| 100.0 * mc.availability(r, f));
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
