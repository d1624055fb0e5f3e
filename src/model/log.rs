//! The event log: every discrete event that changed something (`events.csv`, `trace`).

use crate::engine::SimTime;

/// Kind of a logged event (docs/model.md#event-log).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogKind {
    /// A fault.
    Fault,
    /// A repair.
    Repair,
    /// A service or registrar changed what it does (e.g. a backup registrar starts accepting).
    Service,
    /// A cmdlet or one of its steps.
    Admin,
    /// A cmdlet failed.
    AdminError,
    /// A registrar PoolState change.
    PoolState,
    /// A registrar poll that acted on a PoolState change.
    RegistrarPoll,
    /// Routing-group hydration.
    Hydrate,
    /// A warning.
    Warning,
}

impl LogKind {
    /// Every kind.
    pub const ALL: [LogKind; 9] = [
        LogKind::Fault,
        LogKind::Repair,
        LogKind::Service,
        LogKind::Admin,
        LogKind::AdminError,
        LogKind::PoolState,
        LogKind::RegistrarPoll,
        LogKind::Hydrate,
        LogKind::Warning,
    ];

    /// The kind named `name` in `events.csv`.
    pub fn from_name(name: &str) -> Option<LogKind> {
        LogKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Name in `events.csv`.
    pub fn name(self) -> &'static str {
        match self {
            LogKind::Fault => "Fault",
            LogKind::Repair => "Repair",
            LogKind::Service => "Service",
            LogKind::Admin => "Admin",
            LogKind::AdminError => "AdminError",
            LogKind::PoolState => "PoolState",
            LogKind::RegistrarPoll => "RegistrarPoll",
            LogKind::Hydrate => "Hydrate",
            LogKind::Warning => "Warning",
        }
    }
}

/// One row of `events.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    /// When.
    pub time: SimTime,
    /// Kind.
    pub kind: LogKind,
    /// Pool concerned (empty for site-level events).
    pub pool: String,
    /// Human-readable detail.
    pub detail: String,
}
