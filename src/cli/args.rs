//! The shape of the command line: clap derive types and nothing else. The flags several
//! commands share are argument groups, flattened into each command; where a command words a
//! shared flag differently (or gives `--out` another default), it says so with `mut_arg`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Deterministic discrete-event simulator of Lync Server 2013 / Skype for Business Server
/// pools under failures, failover and failback.
#[derive(Debug, Parser)]
#[command(name = "lyncsim", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run scenarios and write each one's results folder `OUT/<scenario name>/`.
    Run(RunArgs),
    /// Parse and check scenarios; print diagnostics and warnings.
    Validate(ValidateArgs),
    /// Print a scenario's event timeline (events.csv) to stdout.
    Trace(TraceArgs),
    /// Re-run scenarios and compare with stored results; exit 1 on any difference.
    Check(CheckArgs),
    /// Combine the shards of Monte Carlo runs (`run --shard`) into their results folders.
    Merge(MergeArgs),
    /// Run several scenarios and compare them: comparison.md, comparison.csv, overlay
    /// charts per feature, report.html, and each scenario's results.
    Compare(CompareArgs),
    /// Run a scenario over a grid of field values (`--set PATH=V1,V2,...`): sweep.csv, a
    /// chart of each key metric against the values, and each point's results.
    Sweep(SweepArgs),
    /// Find the smallest value of one field (`--vary PATH=LO..HI[:STEP]`) for which every
    /// `--target` holds, by bisection: size.json, size.csv, a chart per target, report.html,
    /// and each probe's results.
    Size(SizeArgs),
    /// Vary each assumption that applies to a scenario down and up by a factor, one at a
    /// time: sensitivity.csv, a tornado chart per metric, and report.html saying which
    /// assumptions decide the answer.
    Sensitivity(SensitivityArgs),
}

/// `--out`: the folder that receives the results folders.
#[derive(Debug, Args)]
pub struct OutFolder {
    /// Folder that receives one results folder per scenario.
    #[arg(long, default_value = "results")]
    pub out: PathBuf,
}

/// `--seed` and `--replications`: what a command changes in every scenario it runs.
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct Overrides {
    /// Override every scenario's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Override every scenario's replication count.
    #[arg(long)]
    pub replications: Option<u32>,
}

/// `--jobs` and `--max-memory`: what of the machine a command may use.
#[derive(Debug, Clone, Copy, Args)]
pub struct Workers {
    /// Worker threads for replications (default: all cores; never more than the cores or
    /// the replications that can run at once). Results do not depend on it.
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Memory budget: a study whose estimated memory is larger is refused before it runs
    /// (512M, 4G, 16GiB; powers of 1024).
    #[arg(long, value_name = "SIZE", default_value = "4GiB", value_parser = crate::stats::budget::parse_size)]
    pub max_memory: u64,
}

/// `--format` and `--quiet`: what a command draws and shows.
#[derive(Debug, Args)]
pub struct Output {
    /// Chart formats to write, comma-separated: svg, png.
    #[arg(long, value_delimiter = ',', default_value = "svg,png")]
    pub format: Vec<ChartFormat>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `lyncsim run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario files (.ron) or folders of them.
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
    /// `--out`.
    #[command(flatten)]
    pub folder: OutFolder,
    /// `--seed`, `--replications`.
    #[command(flatten)]
    pub overrides: Overrides,
    /// `--jobs`.
    #[command(flatten)]
    pub workers: Workers,
    /// Run only replication K (e.g. the `worst_replication` of a summary) and write it whole,
    /// events.csv included, to `OUT/<scenario name>/replication-K/`.
    #[arg(long, value_name = "K", conflicts_with = "shard")]
    pub replication: Option<u32>,
    /// Run only shard K of N of the replications (K, K+N, K+2N, ...), written to
    /// `OUT/<scenario name>.shard-K-of-N/` for `merge`; `auto` reads the index from
    /// SLURM_ARRAY_TASK_ID (less SLURM_ARRAY_TASK_MIN) or JOB_COMPLETION_INDEX.
    #[arg(long, value_name = "K/N|auto")]
    pub shard: Option<String>,
    /// Number of shards for `--shard auto` (needed with JOB_COMPLETION_INDEX; overrides
    /// SLURM_ARRAY_TASK_COUNT).
    #[arg(long, value_name = "N", requires = "shard")]
    pub shard_count: Option<u32>,
    /// `--format`, `--quiet`.
    #[command(flatten)]
    pub output: Output,
}

/// `lyncsim validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario files (.ron) or folders of them.
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
}

/// `lyncsim trace`. Its one scenario runs once, so of the overrides only `--seed` applies.
#[derive(Debug, Args)]
pub struct TraceArgs {
    /// One scenario file.
    pub scenario: PathBuf,
    /// Override the scenario's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Which replication's timeline (default 0, the one a Monte Carlo run's events.csv shows).
    #[arg(long, value_name = "K")]
    pub replication: Option<u32>,
}

/// `lyncsim check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Scenario files (.ron) or folders of them.
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
    /// Folder of stored results (one folder per scenario, as `run` writes them).
    #[arg(long)]
    pub baseline: PathBuf,
    /// `--jobs`.
    #[command(flatten)]
    pub workers: Workers,
}

/// `lyncsim compare`.
#[derive(Debug, Args)]
#[command(
    mut_arg("out", |a| a
        .help("Folder that receives the comparison (replaced whole if it is one of ours)")
        .default_value("comparison")),
    mut_arg("jobs", |a| a.help("Worker threads (default: all cores; never more than the cores or the work). Results do not depend on it")),
)]
pub struct CompareArgs {
    /// Scenario files (.ron) or folders of them; at least two scenarios.
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
    /// `--out`.
    #[command(flatten)]
    pub folder: OutFolder,
    /// `--seed`, `--replications`.
    #[command(flatten)]
    pub overrides: Overrides,
    /// `--jobs`.
    #[command(flatten)]
    pub workers: Workers,
    /// `--format`, `--quiet`.
    #[command(flatten)]
    pub output: Output,
}

/// `lyncsim sweep`. Its `--out` has no fixed default (it is named after the scenario).
#[derive(Debug, Args)]
#[command(
    mut_arg("seed", |a| a.help("Override the scenario's seed")),
    mut_arg("replications", |a| a.help("Override the scenario's replication count")),
    mut_arg("jobs", |a| a.help("Worker threads (default: all cores; never more than the cores or the work). Results do not depend on it")),
)]
pub struct SweepArgs {
    /// The scenario file.
    pub scenario: PathBuf,
    /// `PATH=V1,V2,...`: a scenario field (as diagnostics name it: `pools[1].registrations_per_sec`,
    /// `backup_service.sync_interval`, `administrator.failover_after`) and its values, RON
    /// text; bare durations like `5m` need no quotes. Several `--set` make a grid.
    #[arg(long, required = true, value_name = "PATH=V1,V2,...")]
    pub set: Vec<String>,
    /// Folder that receives the sweep (default `<scenario name>-sweep`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// `--seed`, `--replications`.
    #[command(flatten)]
    pub overrides: Overrides,
    /// `--jobs`.
    #[command(flatten)]
    pub workers: Workers,
    /// `--format`, `--quiet`.
    #[command(flatten)]
    pub output: Output,
}

/// `lyncsim size`. Its `--out` is the folder that receives `<scenario name>-size/`.
#[derive(Debug, Args)]
#[command(
    mut_arg("out", |a| a.help("Folder that receives <scenario name>-size/")),
    mut_arg("seed", |a| a.help("Override the scenario's seed")),
    mut_arg("replications", |a| a.help("Override the scenario's replication count")),
    mut_arg("jobs", |a| a.help("Worker threads (default: all cores; never more than the cores or the work). Results do not depend on it")),
    after_help = "Example: the fewest front ends of pool-a that restore contacts within 30 minutes of the \
                  loss and turn nobody away:\n  lyncsim size scenarios/ee-pair-40k-backup-front-ends.ron \
                  --vary 'pools[0].front_ends=2..12' \\\n    --target 'contacts_time_to_restore_s<=1800' \
                  --target 'peak_turned_away_users<=0' --out results\n\n\
                  METRIC is any column of sweep.csv (docs/metrics.md): contacts_time_to_restore_s, \
                  contacts_availability, peak_turned_away_users, ...; a replicated scenario's columns \
                  are means over its replications, with <feature>_availability_ci95_low / _high for the \
                  interval. An empty cell fails its target, except a restore time with no incident at \
                  all (0 s); an incident still open at the horizon fails a restore-time target. Probes run 3 per round, \
                  in parallel; the answer is checked against the value just below it, and the \
                  answer says \"not monotone\" when a probe above it fails."
)]
pub struct SizeArgs {
    /// The scenario file.
    pub scenario: PathBuf,
    /// `PATH=LO..HI[:STEP]`: the field (as `sweep --set` names it, e.g. `pools[0].front_ends`)
    /// and the range searched: LO, LO+STEP, ... up to HI (STEP 1 by default; a number with
    /// decimals, e.g. `pools[1].registrations_per_sec=5..60:5`).
    #[arg(long, required = true, value_name = "PATH=LO..HI[:STEP]")]
    pub vary: String,
    /// `METRIC<=V`, `METRIC>=V` (or `<`, `>`): a column of sweep.csv and its bound. Several
    /// `--target` must all hold.
    #[arg(long, required = true, value_name = "METRIC<=V")]
    pub target: Vec<String>,
    /// `--out`.
    #[command(flatten)]
    pub folder: OutFolder,
    /// `--seed`, `--replications`.
    #[command(flatten)]
    pub overrides: Overrides,
    /// `--jobs`.
    #[command(flatten)]
    pub workers: Workers,
    /// `--format`, `--quiet`.
    #[command(flatten)]
    pub output: Output,
}

/// `lyncsim sensitivity`.
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  lyncsim sensitivity scenarios/site-loss-disaster-failover-20k.ron --out results\n  \
                  lyncsim sensitivity S.ron --metric contacts_time_to_restore_s --factor 0.25\n\n\
                  The assumptions are the fields docs/scenario-reference.md marks \"assumption\" \
                  (src/scenario/assumptions.rs); a per-pool one (pools[*]) is varied in every pool \
                  together. Those the scenario does not use are skipped, and report.html says why.",
    mut_arg("out", |a| a.help("Folder that receives <scenario name>-sensitivity/")),
    mut_arg("seed", |a| a.help("Override the scenario's seed")),
    mut_arg("replications", |a| a.help("Override the scenario's replication count")),
    mut_arg("jobs", |a| a.help("Worker threads (default: all cores; never more than the cores or the work). Results do not depend on it")),
)]
pub struct SensitivityArgs {
    /// The scenario file.
    pub scenario: PathBuf,
    /// A metric: a column of sweep.csv / comparison.csv (docs/metrics.md). Repeat for
    /// several; the first orders the rows. Default: contacts_availability,
    /// contacts_time_to_restore_s, voice_availability, voice_time_to_restore_s.
    #[arg(long, value_name = "COLUMN")]
    pub metric: Vec<String>,
    /// F: each assumption is run at ×(1 − F) and ×(1 + F) of its value, clamped to the
    /// field's valid range; 0 < F < 1.
    #[arg(long, value_name = "F", default_value_t = 0.5, allow_negative_numbers = true)]
    pub factor: f64,
    /// `--out`.
    #[command(flatten)]
    pub folder: OutFolder,
    /// `--seed`, `--replications`.
    #[command(flatten)]
    pub overrides: Overrides,
    /// `--jobs`.
    #[command(flatten)]
    pub workers: Workers,
    /// `--format`, `--quiet`.
    #[command(flatten)]
    pub output: Output,
}

/// `lyncsim merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shard folders written by `run --shard` (every shard of each scenario).
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
    /// Memory budget: shards whose merge would hold more are refused before they are read
    /// (512M, 4G, 16GiB; powers of 1024).
    #[arg(long, value_name = "SIZE", default_value = "4GiB", value_parser = crate::stats::budget::parse_size)]
    pub max_memory: u64,
    /// `--out`.
    #[command(flatten)]
    pub folder: OutFolder,
    /// `--format`, `--quiet`.
    #[command(flatten)]
    pub output: Output,
}

/// A chart file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ChartFormat {
    /// availability.svg
    Svg,
    /// availability.png
    Png,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
