//! `lyncsim compare`: run several scenarios (in parallel) and write one comparison folder:
//! `comparison.md`, `comparison.csv`, one overlay chart per feature, `report.html`, and each
//! scenario's own results folder inside it.

use super::args::CompareArgs;
use super::common::{apply_overrides, charts, check_memory, plan, simulate_all, worker_threads};
use super::error::CliError;
use super::load::load_all;
use super::output::{check_targets, split_out, write_results};
use super::progress;
use crate::report;
use crate::report::compare::{comparison_md, horizon_warning};

/// Run `lyncsim compare`.
pub fn compare(args: CompareArgs) -> Result<(), CliError> {
    let mut loaded = load_all(&args.scenarios)?;
    if loaded.len() < 2 {
        return Err(CliError::TooFewToCompare);
    }
    let jobs = worker_threads(args.workers)?;
    apply_overrides(loaded.iter_mut().map(|l| (&mut l.config, l.label.as_str())), args.overrides)?;
    let studies: Vec<_> =
        loaded.iter().map(|l| (&l.config, l.label.as_str(), plan(&l.config, None, None, jobs))).collect();
    let memory = check_memory(&studies, args.workers.max_memory, true)?;
    let (parent, name) = split_out(&args.folder.out)?;
    check_targets(&[(parent.clone(), name.clone())])?;
    if let Some(warning) = horizon_warning(loaded.iter().map(|l| (l.config.name.as_str(), l.config.horizon)))
    {
        say!("{warning}");
    }

    let units: u64 = loaded.iter().map(|l| l.config.replications as u64).sum();
    let bar = progress::bar(units, args.output.quiet);
    bar.set_message("compare");
    let configs = loaded.into_iter().map(|l| l.config).collect();
    let outcomes = simulate_all(configs, jobs, &memory, &|| bar.inc(1))?;

    let files = report::folder::comparison(&outcomes, charts(&args.output.format))?;
    let dir = write_results(&parent, &name, &files)?;
    bar.finish_and_clear();
    say!("compared {} scenarios -> {}", outcomes.len(), dir.display());
    say_part!("{}", comparison_md(&outcomes));
    Ok(())
}
