//! The errors of a command and their exit codes (see the module docs of [`crate::cli`]).

use crate::report::ReportError;
use crate::stats::monte::PoolError;
use crate::stats::shard::ShardError;

/// A failure of a command, mapped to an exit code.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Bad input: the message is complete and already formatted (exit 2).
    #[error("{0}")]
    BadInput(String),
    /// Shards that cannot be merged (exit 2).
    #[error("error: {0}")]
    Shard(#[from] ShardError),
    /// Something went wrong on our side or in the file system (exit 3).
    #[error("error: {0}")]
    Internal(String),
}

impl CliError {
    /// The process exit code: 2 for bad input, 3 for an internal error.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::BadInput(_) | CliError::Shard(_) => 2,
            CliError::Internal(_) => 3,
        }
    }
}

impl From<ReportError> for CliError {
    fn from(e: ReportError) -> Self {
        CliError::Internal(e.to_string())
    }
}

impl From<PoolError> for CliError {
    fn from(e: PoolError) -> Self {
        CliError::Internal(e.to_string())
    }
}
