//! Command line: clap types (shape only), converted to validated work before anything runs.
//!
//! Exit codes: 0 success; 1 a check found differences; 2 bad input (scenario, flags,
//! paths); 3 internal error. Errors go to stderr; only `trace` writes to stdout.

/// `eprintln!` that ignores a closed stderr: `lyncsim validate scenarios/ 2>&1 | head` must
/// end quietly, not panic on the broken pipe.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// `eprint!` that ignores a closed stderr, like [`say!`].
macro_rules! say_part {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr(), $($arg)*);
    }};
}

mod check;
mod compare;
mod output;
mod progress;
mod run;
// Moving to the stats layer (the shard file format and the merge's assembly); split next.
#[path = "../stats/shard.rs"]
mod shard;
mod sweep;
mod trace;
mod validate;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

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
}

/// `lyncsim run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario files (.ron) or folders of them.
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
    /// Folder that receives one results folder per scenario.
    #[arg(long, default_value = "results")]
    pub out: PathBuf,
    /// Override every scenario's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Override every scenario's replication count.
    #[arg(long)]
    pub replications: Option<u32>,
    /// Worker threads for replications (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub jobs: Option<usize>,
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
    /// Chart formats to write, comma-separated: svg, png.
    #[arg(long, value_delimiter = ',', default_value = "svg,png")]
    pub format: Vec<ChartFormat>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `lyncsim validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario files (.ron) or folders of them.
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
}

/// `lyncsim trace`.
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
    /// Worker threads for replications (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub jobs: Option<usize>,
}

/// `lyncsim compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Scenario files (.ron) or folders of them; at least two scenarios.
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
    /// Folder that receives the comparison (replaced whole if it is one of ours).
    #[arg(long, default_value = "comparison")]
    pub out: PathBuf,
    /// Override every scenario's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Override every scenario's replication count.
    #[arg(long)]
    pub replications: Option<u32>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Chart formats to write, comma-separated: svg, png.
    #[arg(long, value_delimiter = ',', default_value = "svg,png")]
    pub format: Vec<ChartFormat>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `lyncsim sweep`.
#[derive(Debug, Args)]
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
    /// Override the scenario's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Override the scenario's replication count.
    #[arg(long)]
    pub replications: Option<u32>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Chart formats to write, comma-separated: svg, png.
    #[arg(long, value_delimiter = ',', default_value = "svg,png")]
    pub format: Vec<ChartFormat>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `lyncsim merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shard folders written by `run --shard` (every shard of each scenario).
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
    /// Folder that receives one results folder per scenario.
    #[arg(long, default_value = "results")]
    pub out: PathBuf,
    /// Chart formats to write, comma-separated: svg, png.
    #[arg(long, value_delimiter = ',', default_value = "svg,png")]
    pub format: Vec<ChartFormat>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

/// A chart file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ChartFormat {
    /// availability.svg
    Svg,
    /// availability.png
    Png,
}

/// A failure of a command, mapped to an exit code.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Bad input: the message is complete and already formatted (exit 2).
    #[error("{0}")]
    BadInput(String),
    /// Something went wrong on our side or in the file system (exit 3).
    #[error("error: {0}")]
    Internal(String),
}

impl CliError {
    fn exit_code(&self) -> u8 {
        match self {
            CliError::BadInput(_) => 2,
            CliError::Internal(_) => 3,
        }
    }
}

/// Whether to draw progress bars.
pub(crate) fn show_progress(quiet: bool) -> bool {
    !quiet && std::io::stderr().is_terminal()
}

/// Parse the process arguments, run the command, return its exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::Run(args) => run::run(args),
        Command::Validate(args) => validate::validate(args),
        Command::Trace(args) => trace::trace(args),
        Command::Merge(args) => shard::merge(args),
        Command::Compare(args) => compare::compare(args),
        Command::Sweep(args) => sweep::sweep(args),
        Command::Check(args) => match check::check(args) {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::from(1),
            Err(e) => Err(e),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            say!("{}", e.to_string().trim_end());
            ExitCode::from(e.exit_code())
        }
    }
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
