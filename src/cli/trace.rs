//! `lyncsim trace`: the event timeline of one run, as CSV on stdout.

use std::io::Write;
use std::sync::Arc;

use super::{validate::load_one, CliError, TraceArgs};
use crate::{report, stats};

/// Run `lyncsim trace`.
pub fn trace(args: TraceArgs) -> Result<(), CliError> {
    let mut loaded = load_one(&args.scenario)?;
    if let Some(seed) = args.seed {
        loaded.config.seed = seed;
    }
    let result = stats::run_replication(Arc::new(loaded.config), args.replication.unwrap_or(0));
    let bytes = report::events_csv(&result).map_err(|e| CliError::Internal(e.to_string()))?;
    let mut out = std::io::stdout().lock();
    // A closed pipe (e.g. `| head`) is not an error worth reporting.
    let _ = out.write_all(&bytes).and_then(|_| out.flush());
    Ok(())
}
