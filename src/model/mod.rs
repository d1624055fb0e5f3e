//! The Lync world (stub being replaced).

pub mod config;
mod log;

use std::sync::Arc;

pub use config::*;
pub use log::{LogEntry, LogKind};

use crate::engine::{Scheduler, SimTime};

/// Users per client state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Users per state, in [`ClientState::ALL`] order.
    pub by_state: [u64; 5],
    /// Users in `FailedOver` whose serving pool has Response Group data.
    pub failed_over_with_rgs: u64,
}

/// A pool failover as recorded by the world.
#[derive(Debug, Clone, PartialEq)]
pub struct FailoverOutcome {
    /// Pool.
    pub pool: String,
    /// Start.
    pub started: SimTime,
    /// Completion.
    pub completed: Option<SimTime>,
    /// Disaster mode.
    pub disaster_mode: bool,
    /// Error.
    pub error: Option<String>,
}

/// What the world leaves when the run ends.
#[derive(Debug, Clone)]
pub struct WorldOutput {
    /// First fault.
    pub first_fault: Option<SimTime>,
    /// Largest data loss.
    pub rpo_realized: Option<SimTime>,
    /// Failovers.
    pub failovers: Vec<FailoverOutcome>,
    /// Event log.
    pub log: Vec<LogEntry>,
}

/// Events of the world.
#[derive(Debug, Clone, Copy)]
pub enum WorldEvent {
    /// A scheduled action.
    Action(u32),
}

/// The simulated Lync deployment.
pub struct World {
    config: Arc<Config>,
    counts: Counts,
    log: Vec<LogEntry>,
}

impl World {
    /// Build the world at time zero and schedule its first events.
    pub fn new(config: Arc<Config>, _replication: u32, _sched: &mut Scheduler<WorldEvent>) -> Self {
        let mut counts = Counts::default();
        counts.by_state[0] = config.total_users();
        World { config, counts, log: vec![] }
    }
    /// Handle one event.
    pub fn handle(&mut self, _event: WorldEvent, _sched: &mut Scheduler<WorldEvent>) {}
    /// Current counts.
    pub fn counts(&self) -> Counts {
        self.counts
    }
    /// The config.
    pub fn config(&self) -> &Arc<Config> {
        &self.config
    }
    /// First fault.
    pub fn first_fault(&self) -> Option<SimTime> {
        None
    }
    /// Finish.
    pub fn into_output(self) -> WorldOutput {
        WorldOutput { first_fault: None, rpo_realized: None, failovers: vec![], log: self.log }
    }
}
