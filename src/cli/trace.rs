//! `lyncsim trace`: the event timeline of one run, as CSV on stdout.

use std::io::Write;
use std::sync::Arc;

use super::args::{Overrides, TraceArgs};
use super::common::{apply_overrides, check_replication};
use super::error::CliError;
use super::load::load_one;
use crate::{report, stats};

/// Run `lyncsim trace`.
pub fn trace(args: TraceArgs) -> Result<(), CliError> {
    let mut loaded = load_one(&args.scenario)?;
    let overrides = Overrides { seed: args.seed, replications: None };
    apply_overrides([(&mut loaded.config, loaded.label.as_str())], overrides)?;
    check_replication(args.replication, &loaded.config, &loaded.label)?;
    let result = stats::run_replication(Arc::new(loaded.config), args.replication.unwrap_or(0));
    let bytes = report::events_csv(&result)?;
    let mut out = std::io::stdout().lock();
    // A closed pipe (e.g. `| head`) is not an error worth reporting.
    let _ = out.write_all(&bytes).and_then(|_| out.flush());
    Ok(())
}
