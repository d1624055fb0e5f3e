//! The errors of the commands: one variant per kind of failure, each message complete
//! (`error: ...`, lowercase, naming the thing and the fix), and the exit code of each (see
//! the module docs of [`crate::cli`]).

use std::fmt::Display;
use std::io;
use std::path::PathBuf;

use crate::report::ReportError;
use crate::scenario::limits::Overload;
use crate::scenario::Failed;
use crate::stats::budget::{show_size, OverBudget};
use crate::stats::monte::{PoolError, RunError};
use crate::stats::shard::ShardError;

/// A failure of a command.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    // Bad input (exit 2): scenario files.
    /// A folder given holds no scenario file.
    #[error("error: no scenario files (*.ron) in {}", .0.display())]
    NoScenarios(PathBuf),
    /// A path given does not exist.
    #[error("error: no such file or folder: {}", .0.display())]
    NoSuchPath(PathBuf),
    /// A folder given cannot be read.
    #[error("error: cannot read folder {}: {source}", dir.display())]
    ReadFolder {
        /// The folder.
        dir: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// Scenarios that do not load or share a name: every problem, in order.
    #[error("{}", joined(.0, "\n"))]
    Scenarios(Vec<ScenarioError>),
    /// A command that takes one scenario file was given a folder of several.
    #[error("error: {} holds {count} scenarios; give one file", path.display())]
    NotOneScenario {
        /// The path given.
        path: PathBuf,
        /// Scenarios found there.
        count: usize,
    },

    // Bad input (exit 2): flags.
    /// `--jobs 0`.
    #[error("error: --jobs must be at least 1")]
    NoJobs,
    /// `--replications 0`.
    #[error("error: --replications must be at least 1")]
    NoReplications,
    /// `--replications` above the limit.
    #[error("error: --replications {requested} is more than the limit of {limit}\n  = help: {help}")]
    TooManyReplications {
        /// The count asked for.
        requested: u32,
        /// The limit.
        limit: u32,
        /// How to raise it.
        help: String,
    },
    /// A study whose estimated memory is more than `--max-memory`.
    #[error(
        "error: {what} would hold about {}, more than the memory budget of {} (--max-memory)\n{parts}\n  \
         = help: give fewer replications, sample less often (a longer sample_every) or a shorter horizon; \
         or, if this machine has the memory, raise the budget: --max-memory {}",
        show_size(*.estimate),
        show_size(*.budget),
        suggest(*.estimate)
    )]
    OverMemory {
        /// The scenarios, as messages name them.
        what: String,
        /// The estimate, bytes.
        estimate: u64,
        /// `--max-memory`, bytes.
        budget: u64,
        /// `  = note:` lines: the estimate's parts.
        parts: String,
    },
    /// A study whose records passed the budget while it ran (its estimate fell short).
    #[error(
        "error: {what}: {source}; stopped before memory ran out (the estimate before the run was {})\n  \
         = help: give fewer replications or sample less often; or raise --max-memory if this machine has the memory",
        show_size(*.estimate)
    )]
    OverMemoryRun {
        /// The scenarios, as messages name them.
        what: String,
        /// The estimate, bytes.
        estimate: u64,
        /// What was held.
        source: OverBudget,
    },
    /// Scenarios that would be too large with `--replications`: every one.
    #[error("{}", joined(.0, "\n\n"))]
    Overloaded(Vec<Overloaded>),
    /// A `--shard` that names no shard.
    #[error("error: --shard {spec}: {problem}")]
    ShardFlag {
        /// `--shard` as given.
        spec: String,
        /// What is wrong with it.
        problem: ShardFlagError,
    },
    /// `--shard` of a scenario with one replication.
    #[error(
        "error: --shard splits the replications of a Monte Carlo run, and {name} ({label}) has one; \
         give it `replications` or pass --replications"
    )]
    ShardOfOne {
        /// The scenario's name.
        name: String,
        /// Its file.
        label: String,
    },
    /// `--replication K` outside the scenario's replications.
    #[error(
        "error: --replication {replication} is not in {label} ({name}): its {replications} replication{} \
         are 0..={}\n  = help: give a K in that range, or more --replications (run) to widen the study",
        if *.replications == 1 { "" } else { "s" },
        .replications - 1
    )]
    NoSuchReplication {
        /// K.
        replication: u32,
        /// The scenario's name.
        name: String,
        /// Its file.
        label: String,
        /// Its replications.
        replications: u32,
    },
    /// A `--set` that cannot be read.
    #[error("error: --set {text}: {problem}")]
    SetFlag {
        /// `--set` as given.
        text: String,
        /// What is wrong with it.
        problem: SetFlagError,
    },
    /// A `--set` that cannot be applied to the scenario's text.
    #[error("error: {label}: --set {message}")]
    SetField {
        /// The scenario file.
        label: String,
        /// The path and why not.
        message: String,
    },
    /// A sweep grid above the limit.
    #[error(
        "error: the grid has {} points, more than the limit of {limit}\n  = help: sweep fewer values; \
         the limit is MAX_POINTS in src/cli/sweep.rs; raise it and rebuild if this machine can take more",
        joined(.counts, " x ")
    )]
    GridTooLarge {
        /// Values per swept field.
        counts: Vec<usize>,
        /// The limit.
        limit: usize,
    },
    /// A `--vary` of `size` that cannot be read or applied to the scenario.
    #[error("error: --vary {text}: {problem}\n  = help: {help}")]
    VaryFlag {
        /// `--vary` as given.
        text: String,
        /// What is wrong with it.
        problem: String,
        /// What would be valid, e.g. the nearest valid spelling.
        help: String,
    },
    /// A `--target` of `size` that cannot be read.
    #[error("error: --target {text}: {problem}\n  = help: {help}")]
    TargetFlag {
        /// `--target` as given.
        text: String,
        /// What is wrong with it.
        problem: String,
        /// What would be valid, e.g. the nearest valid spelling.
        help: String,
    },
    /// A flag whose value cannot be used (`sensitivity --factor`, `--metric`): the flag,
    /// its value, what is wrong and what would be valid.
    #[error(
        "error: {flag} {value}: {problem}{}",
        help.as_ref().map_or(String::new(), |h| format!("\n  = help: {h}"))
    )]
    BadFlag {
        /// The flag, e.g. `--factor`.
        flag: &'static str,
        /// Its value as given.
        value: String,
        /// What is wrong.
        problem: String,
        /// What would be valid, e.g. a did-you-mean.
        help: Option<String>,
    },
    /// `compare` with fewer than two scenarios.
    #[error("error: compare needs at least two scenarios (files, or a folder holding them)")]
    TooFewToCompare,
    /// `--baseline` that is not a folder.
    #[error("error: --baseline {}: {}", .0.display(), if .0.exists() { "is a file, not a folder of results" } else { "no such folder" })]
    NoBaseline(PathBuf),

    /// Scenarios that `--baseline` holds no results folder for.
    #[error(
        "error: --baseline {} holds no results for {}; `lyncsim run SCENARIO --out {}` writes them",
        baseline.display(),
        names.join(", "),
        baseline.display()
    )]
    NotInBaseline {
        /// The baseline folder.
        baseline: PathBuf,
        /// The scenarios without a folder there.
        names: Vec<String>,
    },

    // Bad input (exit 2): output folders.
    /// `--out` names a file.
    #[error("error: --out {} is a file; give a folder (it will hold one folder per scenario)", .0.display())]
    OutIsAFile(PathBuf),
    /// `--out` ends in no folder name (`/`, `.`, `..`).
    #[error("error: --out {} must name a folder", .0.display())]
    OutNamesNoFolder(PathBuf),
    /// `--out` cannot be created.
    #[error("error: cannot create --out folder {}: {source}", dir.display())]
    CreateOut {
        /// The folder.
        dir: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// `--out` exists but nothing can be written into it.
    #[error("error: cannot write into --out folder {}: {source}", dir.display())]
    Unwritable {
        /// The folder.
        dir: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// A results folder that would be replaced is a file.
    #[error("error: {} is a file, not a results folder; move it or choose another --out", .0.display())]
    TargetIsAFile(PathBuf),
    /// A folder that would be replaced is not a results folder.
    #[error(
        "error: {} exists and is not a lyncsim results folder (no summary.json); \
         move it or choose another --out",
        .0.display()
    )]
    NotOurs(PathBuf),
    /// A name that cannot name a results folder.
    #[error("error: {0:?} cannot name a results folder: it must be one plain folder name inside --out")]
    FolderName(String),

    // Bad input (exit 2): merge.
    /// A path given to `merge` that does not exist.
    #[error("error: {}: no such folder; give the shard folders `run --shard K/N` wrote", .0.display())]
    NoSuchShardFolder(PathBuf),
    /// A path given to `merge` that is a file.
    #[error("error: {} is a file, not a shard folder; give the folders `run --shard K/N` wrote", .0.display())]
    ShardIsAFile(PathBuf),
    /// A folder given to `merge` without a readable `shard.json`.
    #[error(
        "error: {}: not a shard folder (cannot read shard.json: {source}); `run --shard K/N` writes them",
        dir.display()
    )]
    NotAShard {
        /// The folder.
        dir: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// Shards that cannot be merged.
    #[error("error: {0}")]
    Shards(#[from] ShardError),

    // The machine (exit 2): what the user's paths and limits allow.
    /// The worker threads of a Monte Carlo run could not start (the process's thread or
    /// memory limits).
    #[error("error: {0}\n  = help: give a smaller --jobs, or raise the process limits (ulimit -u)")]
    Workers(#[from] PoolError),
    /// The worker threads of `compare` or `sweep` could not start.
    #[error(
        "error: cannot start {threads} worker threads: {source}\n  = help: give a smaller --jobs, or raise \
         the process limits (ulimit -u)"
    )]
    Threads {
        /// Threads asked for.
        threads: usize,
        /// Why not.
        source: rayon::ThreadPoolBuildError,
    },
    /// A results folder (inside the user's `--out`, or `check`'s `--baseline`) could not be
    /// written or read: a full disk, a permission, a folder removed under the run.
    #[error("error: {what} {}: {source}", path.display())]
    Io {
        /// What failed (`cannot write`, `cannot move into place`, ...).
        what: &'static str,
        /// Where.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },

    // Internal errors (exit 3): bugs of lyncsim, never the user's input or machine.
    /// A report could not be rendered.
    #[error("error: {0}")]
    Report(#[from] ReportError),
    /// `shard.json` could not be serialised.
    #[error("error: shard.json: {0}")]
    ShardJson(serde_json::Error),
    /// A sweep point's scenario text could not be given its name.
    #[error("error: {0}")]
    NamePoint(String),
    /// A file name that would leave its results folder.
    #[error("error: refusing to write {0:?} outside the results folder")]
    OutsideFolder(String),
}

impl CliError {
    /// The process exit code: 2 for bad input (the user's files, flags and paths, and what
    /// the machine allows them), 3 for an internal error (a bug of lyncsim).
    pub fn exit_code(&self) -> u8 {
        use CliError::*;
        match self {
            NoScenarios(_) | NoSuchPath(_) | ReadFolder { .. } | Scenarios(_) | NotOneScenario { .. } => 2,
            NoJobs | NoReplications | TooManyReplications { .. } | Overloaded(_) => 2,
            OverMemory { .. } | OverMemoryRun { .. } => 2,
            ShardFlag { .. } | ShardOfOne { .. } | NoSuchReplication { .. } => 2,
            SetFlag { .. } | SetField { .. } | GridTooLarge { .. } => 2,
            VaryFlag { .. } | TargetFlag { .. } | BadFlag { .. } => 2,
            TooFewToCompare | NoBaseline(_) | NotInBaseline { .. } => 2,
            OutIsAFile(_) | OutNamesNoFolder(_) | CreateOut { .. } | Unwritable { .. } => 2,
            TargetIsAFile(_) | NotOurs(_) | FolderName(_) => 2,
            NoSuchShardFolder(_) | ShardIsAFile(_) | NotAShard { .. } | Shards(_) => 2,
            Workers(_) | Threads { .. } | Io { .. } => 2,
            Report(_) | ShardJson(_) | NamePoint(_) | OutsideFolder(_) => 3,
        }
    }
}

/// A `--max-memory` that would take `estimate` with room to spare: whole GiB (MiB below
/// one GiB), rounded up.
fn suggest(estimate: u64) -> String {
    let need = estimate + estimate / 4;
    if need >= 1 << 30 {
        format!("{}G", need.div_ceil(1 << 30))
    } else {
        format!("{}M", need.div_ceil(1 << 20))
    }
}

impl From<RunError> for CliError {
    fn from(e: RunError) -> Self {
        match e {
            RunError::Pool(e) => CliError::Workers(e),
            // Callers that guard the records name the study (`OverMemoryRun`); this is the
            // fallback for one that does not.
            RunError::Budget(source) => {
                CliError::OverMemoryRun { what: "the study".into(), estimate: 0, source }
            }
        }
    }
}

/// One problem of a set of scenario files.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// A file that does not load: its diagnostics.
    #[error("{0}")]
    Invalid(Failed),
    /// Two files that name the same scenario (and so the same results folder).
    #[error(
        "error: scenario name \"{name}\" is used by both {first} and {second}; each names its results folder\n"
    )]
    SameName {
        /// The name.
        name: String,
        /// The first file.
        first: String,
        /// The second.
        second: String,
    },
}

/// A scenario that would be too large with `--replications`.
#[derive(Debug, thiserror::Error)]
#[error(
    "error: {label} with --replications {replications}: {}\n  = at {}\n  = help: {}",
    overload.message,
    overload.path,
    overload.help
)]
pub struct Overloaded {
    /// The scenario file.
    pub label: String,
    /// `--replications`.
    pub replications: u32,
    /// What is too large.
    pub overload: Overload,
}

/// What is wrong with a `--shard`.
#[derive(Debug, thiserror::Error)]
pub enum ShardFlagError {
    /// A number that is not one.
    #[error("{name} is {text:?}, not a whole number")]
    NotANumber {
        /// What it is (`K`, `N`, an environment variable).
        name: &'static str,
        /// Its text.
        text: String,
    },
    /// A Slurm job array without a task count.
    #[error("SLURM_ARRAY_TASK_COUNT is not set; give --shard-count")]
    NoSlurmCount,
    /// A Slurm task id below the array's minimum.
    #[error("task id below SLURM_ARRAY_TASK_MIN")]
    BelowSlurmMin,
    /// A Kubernetes Indexed Job without `--shard-count`.
    #[error(
        "JOB_COMPLETION_INDEX is set but not the shard count; give --shard-count (the Job's completions)"
    )]
    NoJobCount,
    /// `auto` outside Slurm and Kubernetes.
    #[error(
        "neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set; use --shard K/N outside Slurm and Kubernetes"
    )]
    NoIndex,
    /// Neither `K/N` nor `auto`.
    #[error("write K/N (e.g. 0/4) or auto")]
    Syntax,
    /// K not below N.
    #[error("shard {index} of {count} does not exist; K runs from 0 to N-1")]
    NoSuchShard {
        /// K.
        index: u32,
        /// N.
        count: u32,
    },
    /// N above the most replications a scenario can have.
    #[error("{count} shards is more than the limit of {limit}, the most replications a study can have (MAX_REPLICATIONS)")]
    TooManyShards {
        /// N.
        count: u32,
        /// The limit.
        limit: u32,
    },
}

/// What is wrong with a `--set`.
#[derive(Debug, thiserror::Error)]
pub enum SetFlagError {
    /// No `=`.
    #[error("write PATH=V1,V2,... (e.g. backup_service.sync_interval=1m,5m)")]
    Syntax,
    /// Nothing before `=`.
    #[error("the path is empty")]
    EmptyPath,
    /// An empty value between commas.
    #[error("a value is empty")]
    EmptyValue,
}

/// `items` written one after another with `separator` between them.
fn joined<T: Display>(items: &[T], separator: &str) -> String {
    items.iter().map(T::to_string).collect::<Vec<_>>().join(separator)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_complete_and_exit_codes_split_bad_input_from_our_failures() {
        assert_eq!(CliError::NoJobs.to_string(), "error: --jobs must be at least 1");
        assert_eq!(CliError::NoJobs.exit_code(), 2);
        let grid = CliError::GridTooLarge { counts: vec![2, 501], limit: 1_000 };
        assert_eq!(
            grid.to_string(),
            "error: the grid has 2 x 501 points, more than the limit of 1000\n  = help: sweep fewer values; \
             the limit is MAX_POINTS in src/cli/sweep.rs; raise it and rebuild if this machine can take more"
        );
        let shard = CliError::ShardFlag {
            spec: "4/4".into(),
            problem: ShardFlagError::NoSuchShard { index: 4, count: 4 },
        };
        assert_eq!(
            shard.to_string(),
            "error: --shard 4/4: shard 4 of 4 does not exist; K runs from 0 to N-1"
        );
        let escape = CliError::OutsideFolder("../x".into());
        assert_eq!(escape.to_string(), "error: refusing to write \"../x\" outside the results folder");
        assert_eq!(escape.exit_code(), 3);
        // A write into the user's --out that fails is the user's path: exit 2, naming it.
        let io = CliError::Io {
            what: "cannot write",
            path: "out/s/summary.json".into(),
            source: io::Error::from(io::ErrorKind::StorageFull),
        };
        assert_eq!(io.exit_code(), 2);
        assert!(io.to_string().starts_with("error: cannot write out/s/summary.json: "), "{io}");
    }
}
