//! `lyncsim run`: every scenario is loaded and validated before anything runs or is written.

use std::path::PathBuf;
use std::sync::Arc;

use super::args::RunArgs;
use super::common::{
    apply_overrides, charts, check_memory, check_replication, plan, simulate, summary_line, worker_threads,
};
use super::error::CliError;
use super::load::load_all;
use super::output::{check_targets, Staging};
use super::{progress, sharding};
use crate::report;

/// Run `lyncsim run`.
pub fn run(args: RunArgs) -> Result<(), CliError> {
    let mut loaded = load_all(&args.scenarios)?;
    let out = &args.folder.out;
    if out.exists() && !out.is_dir() {
        return Err(CliError::OutIsAFile(out.clone()));
    }
    let jobs = worker_threads(args.workers)?;
    let shard = match &args.shard {
        Some(spec) => Some(sharding::parse(spec, args.shard_count, &|name| std::env::var(name).ok())?),
        None => None,
    };
    apply_overrides(loaded.iter_mut().map(|l| (&mut l.config, l.label.as_str())), args.overrides)?;
    for l in &loaded {
        check_replication(args.replication, &l.config, &l.label)?;
    }
    if shard.is_some() {
        if let Some(l) = loaded.iter().find(|l| l.config.replications < 2) {
            return Err(CliError::ShardOfOne { name: l.config.name.clone(), label: l.label.clone() });
        }
    }
    let targets: Vec<(PathBuf, String)> = loaded
        .iter()
        .map(|l| match (args.replication, shard) {
            (Some(k), _) => (out.join(&l.config.name), format!("replication-{k}")),
            (None, Some(shard)) => (out.clone(), shard.folder(&l.config.name)),
            (None, None) => (out.clone(), l.config.name.clone()),
        })
        .collect();
    // The scenarios run one after another: each one's estimate against the budget, every
    // one before any runs.
    let plans: Vec<_> = loaded.iter().map(|l| plan(&l.config, args.replication, shard, jobs)).collect();
    let memory = loaded
        .iter()
        .zip(&plans)
        .map(|(l, p)| check_memory(&[(&l.config, l.label.as_str(), *p)], args.workers.max_memory, false))
        .collect::<Result<Vec<_>, _>>()?;
    check_targets(&targets)?;
    let units: u64 = plans.iter().map(|p| p.held).sum();
    let charts = charts(&args.output.format);
    let bar = progress::bar(units, args.output.quiet);
    for ((l, (out, name)), memory) in loaded.iter().zip(targets).zip(&memory) {
        bar.set_message(l.config.name.clone());
        // The temporary folder exists, locked, while the scenario runs: a run killed now
        // leaves the previous results as they were, and the next run removes it.
        let staging = Staging::begin(&out, &name)?;
        let config = Arc::new(l.config.clone());
        let tick = || bar.inc(1);
        // The folder's streamed files borrow the outcome until they are written.
        let outcome;
        let (files, line) = match shard {
            Some(shard) if args.replication.is_none() => sharding::run(config, shard, jobs, memory, &tick)?,
            _ => {
                outcome = simulate(config, args.replication, jobs, memory, &tick)?;
                (report::folder::outcome(&outcome, charts)?, summary_line(&outcome))
            }
        };
        let dir = staging.finish(&files)?;
        bar.suspend(|| say!("{line} -> {}", dir.display()));
    }
    bar.finish_and_clear();
    Ok(())
}
