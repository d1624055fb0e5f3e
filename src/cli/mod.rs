//! Command line: clap types (shape only), converted to validated work before anything runs.
//!
//! Exit codes: 0 success; 1 a check found differences; 2 bad input (scenario, flags,
//! paths, and what the machine allows them: an unwritable `--out`, refused threads, a study
//! beyond `--max-memory`); 3 internal error, a bug of lyncsim only. Errors go to stderr;
//! only `trace` writes to stdout.
//!
//! One file per command (`run`, `validate`, `trace`, `check`, `compare`, `sweep`, `size`, `sensitivity`, and
//! `sharding` for `run --shard` and `merge`) over the rooms they share: `args` (the clap
//! shapes and the flag groups), `error` (every error's message and exit code), `load`
//! (finding and loading scenario files), `common` (the overrides and limits, running a
//! scenario), `output` (writing results folders safely) and `progress`. Commands import
//! the rooms, never each other, except `run`, which runs a shard through `sharding`.
//! Rendering is the report layer's ([`crate::report::folder`]).

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

mod args;
mod check;
mod common;
mod compare;
mod error;
mod load;
mod output;
mod progress;
mod run;
mod sensitivity;
mod sharding;
mod size;
mod sweep;
mod trace;
mod validate;

use std::process::ExitCode;

use clap::Parser;

pub use args::{
    ChartFormat, CheckArgs, Cli, Command, CompareArgs, MergeArgs, OutFolder, Output, Overrides, RunArgs,
    SensitivityArgs, SizeArgs, SweepArgs, TraceArgs, ValidateArgs, Workers,
};
pub use error::CliError;

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
        Command::Merge(args) => sharding::merge(args),
        Command::Compare(args) => compare::compare(args),
        Command::Sweep(args) => sweep::sweep(args),
        Command::Size(args) => size::size(args),
        Command::Sensitivity(args) => sensitivity::sensitivity(args),
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
