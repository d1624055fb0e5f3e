//! `lyncsim run`: every scenario is loaded and validated before anything runs or is written.

use std::path::Path;
use std::sync::Arc;

use super::output::{write_results, Files};
use super::{progress, show_progress, validate::load_all, ChartFormat, CliError, RunArgs};
use crate::model::{Config, Feature};
use crate::report;
use crate::stats::{self, RunResult};

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
            if r > 1 {
                return Err(CliError::BadInput(
                    "error: not supported yet: replications > 1 (Monte Carlo)".into(),
                ));
            }
            c.replications = r;
        }
    }
    check_targets(&args.out, &configs)?;
    let bar = progress::bar(configs.len() as u64, show_progress(args.quiet));
    for config in configs {
        bar.set_message(config.name.clone());
        let result = stats::run_replication(Arc::new(config), 0);
        let files = render(&result, &args.format)?;
        let dir = write_results(&args.out, &result.config.name, &files)?;
        bar.inc(1);
        bar.suspend(|| eprintln!("{}", one_line(&result, &dir.display().to_string())));
    }
    bar.finish_and_clear();
    Ok(())
}

/// Before any work: `--out` must be a folder we can create, and each results folder we
/// will replace must be one of ours (or empty), so a run never deletes anything else.
fn check_targets(out: &Path, configs: &[Config]) -> Result<(), CliError> {
    std::fs::create_dir_all(out).map_err(|e| {
        CliError::BadInput(format!("error: cannot create --out folder {}: {e}", out.display()))
    })?;
    for c in configs {
        let target = out.join(&c.name);
        if !target.exists() {
            continue;
        }
        let ours = target.is_dir()
            && (target.join("summary.json").is_file()
                || std::fs::read_dir(&target).map(|mut d| d.next().is_none()).unwrap_or(false));
        if !ours {
            return Err(CliError::BadInput(format!(
                "error: {} exists and is not a lyncsim results folder (no summary.json); \
                 move it or choose another --out",
                target.display()
            )));
        }
    }
    Ok(())
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

fn one_line(result: &RunResult, dir: &str) -> String {
    let pct = |f: Feature| 100.0 * result.availability(f);
    format!(
        "{}: voice {:.3} %, im {:.3} %, presence {:.3} %, conferencing {:.3} % available; {} events -> {}",
        result.config.name,
        pct(Feature::Voice),
        pct(Feature::Im),
        pct(Feature::Presence),
        pct(Feature::Conferencing),
        result.events_processed,
        dir
    )
}
