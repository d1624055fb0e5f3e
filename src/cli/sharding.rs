//! `run --shard K/N|auto` (which shard this process runs; running it) and `lyncsim merge`
//! (reading shard folders, writing the merged results folders). The shard file format and
//! the merge's checks and assembly are the stats layer's ([`crate::stats::shard`]).

use std::path::PathBuf;
use std::sync::Arc;

use super::args::{MergeArgs, Overrides};
use super::common::{apply_overrides, charts, fingerprint, monte_line, MemoryCheck};
use super::error::{CliError, ShardFlagError};
use super::output::{check_targets, write_results};
use super::progress;
use crate::model::Config;
use crate::report::{self, folder::Files};
use crate::scenario::{self, limits::MAX_REPLICATIONS};
use crate::stats::budget::{self, show_size, Plan};
use crate::stats::shard::{self as shards, Problem, Shard, ShardFile, ShardSet};
use crate::stats::{self, MonteCarlo};

/// `K/N`, or `auto` with the index (and count) from the environment: Slurm job arrays
/// (`SLURM_ARRAY_TASK_ID` less `SLURM_ARRAY_TASK_MIN`, `SLURM_ARRAY_TASK_COUNT`) or
/// Kubernetes Indexed Jobs (`JOB_COMPLETION_INDEX`, with `--shard-count`).
pub fn parse(
    spec: &str,
    count_flag: Option<u32>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Shard, CliError> {
    let bad = |problem| CliError::ShardFlag { spec: spec.to_string(), problem };
    let number = |name: &'static str, text: &str| {
        text.trim()
            .parse::<u32>()
            .map_err(|_| bad(ShardFlagError::NotANumber { name, text: text.to_string() }))
    };
    let (index, count) = if spec == "auto" {
        if let Some(id) = env("SLURM_ARRAY_TASK_ID") {
            let id = number("SLURM_ARRAY_TASK_ID", &id)?;
            let min = env("SLURM_ARRAY_TASK_MIN").map(|m| number("SLURM_ARRAY_TASK_MIN", &m)).transpose()?;
            let count = match (count_flag, env("SLURM_ARRAY_TASK_COUNT")) {
                (Some(n), _) => n,
                (None, Some(n)) => number("SLURM_ARRAY_TASK_COUNT", &n)?,
                (None, None) => return Err(bad(ShardFlagError::NoSlurmCount)),
            };
            (id.checked_sub(min.unwrap_or(0)).ok_or_else(|| bad(ShardFlagError::BelowSlurmMin))?, count)
        } else if let Some(id) = env("JOB_COMPLETION_INDEX") {
            let count = count_flag.ok_or_else(|| bad(ShardFlagError::NoJobCount))?;
            (number("JOB_COMPLETION_INDEX", &id)?, count)
        } else {
            return Err(bad(ShardFlagError::NoIndex));
        }
    } else {
        let (k, n) = spec.split_once('/').ok_or_else(|| bad(ShardFlagError::Syntax))?;
        (number("K", k)?, number("N", n)?)
    };
    if count == 0 || index >= count {
        return Err(bad(ShardFlagError::NoSuchShard { index, count }));
    }
    // More shards than replications is allowed (a job array sized for the largest study of
    // several): the shards past the last replication run none and merge as empty parts.
    if count > MAX_REPLICATIONS {
        return Err(bad(ShardFlagError::TooManyShards { count, limit: MAX_REPLICATIONS }));
    }
    Ok(Shard { index, count })
}

/// Run shard `shard` of `config`'s replications on `jobs` threads, their records held
/// within `memory` (`tick` once per replication), and render the shard's folder; the line
/// that reports it.
pub fn run(
    config: Arc<Config>,
    shard: Shard,
    jobs: Option<usize>,
    memory: &MemoryCheck,
    tick: &(dyn Fn() + Sync),
) -> Result<(Files<'static>, String), CliError> {
    let indices = shard.replications(config.replications);
    let done =
        stats::monte::run_some_guarded(config.clone(), &indices, jobs, &memory.guard, &fingerprint, tick)
            .map_err(|e| memory.explain(e))?;
    let line = format!(
        "{}: shard {} of {}, {} of {} replications",
        config.name,
        shard.index,
        shard.count,
        indices.len(),
        config.replications
    );
    let json = ShardFile::new(&config, shard, &done).to_json().map_err(CliError::ShardJson)?;
    Ok((report::folder::shard(json, &config, &done)?, line))
}

/// Run `lyncsim merge`.
pub fn merge(args: MergeArgs) -> Result<(), CliError> {
    let mut sizes = Vec::new();
    for dir in &args.shards {
        if !dir.exists() {
            return Err(CliError::NoSuchShardFolder(dir.clone()));
        }
        if !dir.is_dir() {
            return Err(CliError::ShardIsAFile(dir.clone()));
        }
        sizes.push(std::fs::metadata(dir.join("shard.json")).map_or(0, |m| m.len()));
    }
    // Before reading: the shards' records take at most four times their JSON text in memory
    // (a time-series run is 64 bytes parsed and at least 17 characters written), and the
    // files are read one at a time (calibrated: README "Limits and safe results").
    let text: u64 = sizes.iter().sum();
    let reading = budget::BASE_BYTES + 4 * text + sizes.iter().max().copied().unwrap_or(0);
    if reading > args.max_memory {
        let parts = format!(
            "  = note: their shard.json files hold {}; merging holds their records (at most four times \
             that) while it reads them one at a time",
            show_size(text)
        );
        let what = format!("merging {} shard folders", args.shards.len());
        return Err(CliError::OverMemory { what, estimate: reading, budget: args.max_memory, parts });
    }
    let mut files = Vec::new();
    for dir in &args.shards {
        let path = dir.join("shard.json");
        let json = std::fs::read(&path).map_err(|source| CliError::NotAShard { dir: dir.clone(), source })?;
        files.push((dir.clone(), ShardFile::from_json(dir, &json)?));
    }
    let mut merged = Vec::new();
    for set in shards::group(files) {
        let mc = assemble(set)?;
        // The folder is named by the scenario as validated, never by shard.json's text.
        merged.push((mc.config.name.clone(), mc));
    }
    // Before rendering: every merged record (as held) and the largest folder's outputs.
    let held: u64 = merged.iter().flat_map(|(_, mc)| &mc.records).map(budget::held_bytes).sum();
    let outputs = merged
        .iter()
        .map(|(_, mc)| {
            let plan = Plan { held: mc.records.len() as u64, threads: 0, replicated: true, shard: false };
            budget::estimate(&mc.config, plan).outputs
        })
        .max()
        .unwrap_or(0);
    let writing = budget::BASE_BYTES + held + outputs;
    if writing > args.max_memory {
        let parts = format!(
            "  = note: {} of merged records, and {} for the largest results folder's outputs",
            show_size(held),
            show_size(outputs)
        );
        let what = format!("merging {} shard folders", args.shards.len());
        return Err(CliError::OverMemory { what, estimate: writing, budget: args.max_memory, parts });
    }
    let targets: Vec<(PathBuf, String)> =
        merged.iter().map(|(name, _)| (args.folder.out.clone(), name.clone())).collect();
    check_targets(&targets)?;
    let bar = progress::bar(merged.len() as u64, args.output.quiet);
    for (name, mc) in merged {
        let files = report::folder::monte_carlo(&mc, charts(&args.output.format))?;
        let dir = write_results(&args.folder.out, &name, &files)?;
        bar.inc(1);
        bar.suspend(|| say!("{} -> {}", monte_line(&mc), dir.display()));
    }
    bar.finish_and_clear();
    Ok(())
}

/// Check that a scenario's shards are one whole run, load the scenario as they ran it, and
/// join them.
fn assemble(set: ShardSet) -> Result<MonteCarlo, CliError> {
    set.check(MAX_REPLICATIONS)?;
    let (file, source) = set.scenario();
    let mut loaded =
        scenario::load_str(file, source).map_err(|f| set.refuse(Problem::Unloadable(f.render())))?;
    set.check_name(&loaded.config)?;
    let (seed, replications) = set.run();
    let overrides = Overrides { seed: Some(seed), replications: Some(replications) };
    apply_overrides([(&mut loaded.config, file)], overrides)?;
    Ok(set.join(Arc::new(loaded.config))?)
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
        assert_eq!(parse("1/4", None, &none).unwrap(), Shard { index: 1, count: 4 });
        let slurm = env(&[
            ("SLURM_ARRAY_TASK_ID", "3"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ]);
        assert_eq!(parse("auto", None, &slurm).unwrap(), Shard { index: 2, count: 4 });
        let k8s = env(&[("JOB_COMPLETION_INDEX", "2")]);
        assert_eq!(parse("auto", Some(3), &k8s).unwrap(), Shard { index: 2, count: 3 });
        let err = |spec: &str, count: Option<u32>, e: &dyn Fn(&str) -> Option<String>| {
            parse(spec, count, e).unwrap_err().to_string()
        };
        assert!(err("4/4", None, &none).contains("shard 4 of 4 does not exist"));
        assert!(err("x", None, &none).contains("write K/N"));
        assert!(err("auto", None, &none).contains("neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX"));
        assert!(err("auto", None, &k8s).contains("give --shard-count"));
        assert!(err("1/y", None, &none).contains("N is \"y\", not a whole number"));
    }
}
