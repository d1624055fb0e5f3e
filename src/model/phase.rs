//! Phases of a run (docs/model.md#phases-of-a-run): which disruption the users are living
//! through, for the sign-in queue's peak per phase. The phase at an instant is set by the
//! latest of these events up to it (same-time events in their order):
//! - a fault (anything that counts as one for `first_fault`, other than a cmdlet): `AfterFault`;
//! - the start of `Invoke-CsPoolFailover`, or a PoolState of `FailingOver` or `FailedOver`
//!   set by hand: `Failover`;
//! - the start of `Invoke-CsPoolFailback`, or a PoolState of `Active`, `FailingBack` or
//!   `FailedBack` set by hand: `Failback`.
//!
//! Repairs and refused cmdlets start no phase. Before the first of these events there is no
//! phase.

use enum_map::{Enum, EnumMap};

/// A phase of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Enum)]
pub enum Phase {
    /// From a fault until an administrator fails a pool over or back.
    AfterFault,
    /// From the start of a pool failover until a fault or a failback.
    Failover,
    /// From the start of a pool failback until a fault or a failover.
    Failback,
}

/// A value per phase.
pub type PerPhase<T> = EnumMap<Phase, T>;

impl Phase {
    /// Every phase, in column order.
    pub const ALL: [Phase; <Phase as Enum>::LENGTH] = [Phase::AfterFault, Phase::Failover, Phase::Failback];

    /// Name in files (`peak_signin_queue_<name>`, `peak_signin_queue_by_phase.<name>`).
    pub fn column(self) -> &'static str {
        match self {
            Phase::AfterFault => "after_fault",
            Phase::Failover => "failover",
            Phase::Failback => "failback",
        }
    }

    /// Words for reports: "after faults", "during failover", "during failback".
    pub fn label(self) -> &'static str {
        match self {
            Phase::AfterFault => "after faults",
            Phase::Failover => "during failover",
            Phase::Failback => "during failback",
        }
    }
}
