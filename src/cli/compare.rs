//! `lyncsim compare`: run several scenarios (in parallel) and write one comparison folder:
//! `comparison.md`, `comparison.csv`, one overlay chart per feature, `report.html`, and each
//! scenario's own results folder inside it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::output::write_results;
use super::run::{charts, check_overrides, check_targets, internal};
use super::{progress, show_progress, validate::load_all, CliError, CompareArgs};
use crate::report::compare::{comparison_md, Outcome};
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

    let files = report::folder::comparison(&outcomes, charts(&args.output.format)).map_err(internal)?;
    let dir = write_results(&parent, &name, &files)?;
    bar.finish_and_clear();
    say!("compared {} scenarios -> {}", outcomes.len(), dir.display());
    say_part!("{}", comparison_md(&outcomes));
    Ok(())
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
