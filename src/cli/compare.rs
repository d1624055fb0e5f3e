//! `lyncsim compare`: run several scenarios (in parallel) and write one comparison folder:
//! `comparison.md`, `comparison.csv`, one overlay chart per feature, `report.html`, and each
//! scenario's own results folder inside it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::output::write_results;
use super::run::{check_overrides, check_targets, render, render_monte};
use super::{progress, show_progress, validate::load_all, ChartFormat, CliError, CompareArgs};
use crate::report::compare::{comparison_csv, comparison_md, Outcome};
use crate::report::{self};
use crate::stats::{self, RunResult};

/// Run `lyncsim compare`.
pub fn compare(args: CompareArgs) -> Result<(), CliError> {
    let mut loaded = load_all(&args.scenarios)?;
    if loaded.len() < 2 {
        return Err(CliError::BadInput(
            "error: compare needs at least two scenarios (files, or a folder holding them)".into(),
        ));
    }
    if args.workers.jobs == Some(0) {
        return Err(CliError::BadInput("error: --jobs must be at least 1".into()));
    }
    for c in loaded.iter_mut().map(|l| &mut l.config) {
        if let Some(seed) = args.overrides.seed {
            c.seed = seed;
        }
        if let Some(r) = args.overrides.replications {
            c.replications = r;
        }
    }
    check_overrides(loaded.iter().map(|l| (&l.config, l.label.as_str())), args.overrides.replications)?;
    let (parent, name) = split_out(&args.folder.out)?;
    check_targets(&[(parent.clone(), name.clone())])?;

    let units: u64 = loaded.iter().map(|l| l.config.replications as u64).sum();
    let bar = progress::bar(units, show_progress(args.output.quiet));
    bar.set_message("compare");
    let configs = loaded.into_iter().map(|l| l.config).collect();
    let outcomes = run_all(configs, args.workers.jobs, &|| bar.inc(1))?;

    let internal = |e: report::ReportError| CliError::Internal(e.to_string());
    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("comparison.md".into(), comparison_md(&outcomes).into_bytes()),
        ("comparison.csv".into(), comparison_csv(&outcomes).map_err(internal)?),
    ];
    // One overlay chart per feature, every scenario on it.
    let lines: Vec<_> = outcomes.iter().map(Outcome::lines).collect();
    let mut figures = Vec::new();
    for f in crate::model::Feature::ALL {
        let series: Vec<_> = outcomes.iter().zip(&lines).map(|(o, l)| o.overlay(l, f)).collect();
        let chart = |e: report::chart::ChartError| CliError::Internal(e.to_string());
        let svg = report::overlay::svg("compare", f, &series).map_err(chart)?;
        if args.output.format.contains(&ChartFormat::Png) {
            files.push((
                format!("{}.png", f.column()),
                report::overlay::png("compare", f, &series).map_err(chart)?,
            ));
        }
        if args.output.format.contains(&ChartFormat::Svg) {
            files.push((format!("{}.svg", f.column()), svg.clone().into_bytes()));
        }
        figures.push((format!("{}: every scenario", f.column()), svg));
    }
    let mut parts = Vec::new();
    for o in &outcomes {
        let scenario_files = render_outcome(o, &args.output.format)?;
        let text = |name: &str| {
            scenario_files
                .iter()
                .find(|(f, _)| *f == name)
                .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        };
        parts.push((text("summary.json").unwrap_or_default(), text("availability.svg")));
        for (file, bytes) in scenario_files {
            files.push((format!("{}/{file}", o.name()), bytes));
        }
    }
    if !args.output.format.is_empty() {
        let md = comparison_md(&outcomes);
        let table = markdown_table(&md);
        let html = report::html::Report {
            title: "Comparison",
            kind: "compare",
            version: env!("CARGO_PKG_VERSION"),
            tables: table.into_iter().collect(),
            figures,
            scenarios: outcomes
                .iter()
                .zip(&parts)
                .map(|(o, (summary, svg))| report::html::ScenarioPart {
                    name: o.name(),
                    description: &o.config().description,
                    source: &o.config().source,
                    file: &o.config().file,
                    summary_json: summary,
                    chart_svg: svg.as_deref(),
                })
                .collect(),
        };
        files.push(("report.html".into(), report::html::render(&html).into_bytes()));
    }
    let dir = write_results(&parent, &name, &files)?;
    bar.finish_and_clear();
    say!("compared {} scenarios -> {}", outcomes.len(), dir.display());
    say_part!("{}", comparison_md(&outcomes));
    Ok(())
}

/// The tables of a Markdown text as (caption, header, rows), for `report.html`.
pub(super) fn markdown_table(md: &str) -> Vec<(String, Vec<String>, Vec<Vec<String>>)> {
    let cells = |line: &str| -> Vec<String> {
        line.trim().trim_matches('|').split('|').map(|c| c.trim().replace("**", "")).collect()
    };
    let mut tables = Vec::new();
    let lines: Vec<&str> = md.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].starts_with('|') && lines.get(i + 1).is_some_and(|l| l.starts_with("|---")) {
            let header = cells(lines[i]);
            let mut rows = Vec::new();
            i += 2;
            while i < lines.len() && lines[i].starts_with('|') {
                rows.push(cells(lines[i]));
                i += 1;
            }
            let caption = if tables.is_empty() { "Availability" } else { "Costs" };
            tables.push((caption.to_string(), header, rows));
        } else {
            i += 1;
        }
    }
    tables
}

/// Run every scenario (in parallel on `jobs` threads; a replicated one also spreads its
/// replications), in the order given.
pub(super) fn run_all(
    configs: Vec<crate::model::Config>,
    jobs: Option<usize>,
    tick: &(dyn Fn() + Sync),
) -> Result<Vec<Outcome>, CliError> {
    let threads = jobs.unwrap_or(0);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| CliError::Internal(format!("cannot start {threads} worker threads: {e}")))?;
    let fingerprint = |r: &RunResult| report::fingerprint(r).unwrap_or_default();
    let outcomes: Vec<Result<Outcome, CliError>> = pool.install(|| {
        configs
            .into_par_iter()
            .map(|config| {
                let config = Arc::new(config);
                if config.replications == 1 {
                    let result = stats::run_replication(config, 0);
                    tick();
                    Ok(Outcome::Single(Box::new(result)))
                } else {
                    stats::monte::run(config, jobs, &fingerprint, tick)
                        .map(Outcome::Monte)
                        .map_err(|e| CliError::Internal(e.to_string()))
                }
            })
            .collect()
    });
    outcomes.into_iter().collect()
}

/// One outcome's results files, as `run` writes them.
pub(super) fn render_outcome(o: &Outcome, formats: &[ChartFormat]) -> Result<super::output::Files, CliError> {
    match o {
        Outcome::Single(r) => render(r, formats),
        Outcome::Monte(mc) => render_monte(mc, formats),
    }
}

/// `--out` as (parent folder, folder name).
pub(super) fn split_out(out: &Path) -> Result<(PathBuf, String), CliError> {
    let name = out
        .file_name()
        .and_then(|n| n.to_str())
        .filter(|n| !n.is_empty() && *n != "." && *n != "..")
        .ok_or_else(|| CliError::BadInput(format!("error: --out {} must name a folder", out.display())))?;
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    Ok((parent.to_path_buf(), name.to_string()))
}
