//! What the world leaves when the run ends: failover and failback records, the Backup
//! Service's status per direction, load peaks and the event log.

use super::{ExportState, LogEntry, World};
use crate::engine::SimTime;

/// A pool failover or failback cmdlet as the world recorded it (and `summary.json` reports it).
#[derive(Debug, Clone, PartialEq)]
pub struct FailoverOutcome {
    /// `Invoke-CsPoolFailover` or `Invoke-CsPoolFailback`.
    pub cmdlet: &'static str,
    /// The pool named by `-PoolFqdn`.
    pub pool: String,
    /// When the cmdlet started.
    pub started: SimTime,
    /// When it completed.
    pub completed: Option<SimTime>,
    /// `-DisasterMode`.
    pub disaster_mode: bool,
    /// Unreplicated data lost (seconds of user changes), for disaster mode.
    pub data_lost: Option<SimTime>,
    /// Unreplicated data lost, in changes (the expected count, docs/model.md#backup-service),
    /// for disaster mode.
    pub data_lost_changes: Option<f64>,
    /// First instant, once the cmdlet completed, when 99 % of the pool's users had their
    /// contact list again (the recovery Microsoft's RTO targets describe).
    pub restored: Option<SimTime>,
    /// Error text if it failed.
    pub error: Option<String>,
}

/// Backup Service status of one direction at the end of the run.
#[derive(Debug, Clone, PartialEq)]
pub struct BackupStatus {
    /// Pool whose users' data this is.
    pub pool: String,
    /// Pool replicating.
    pub from: String,
    /// Pool receiving.
    pub to: String,
    /// Export state at the source.
    pub export_state: ExportState,
    /// `NormalState` or `ErrorState` at the target.
    pub import_state: &'static str,
    /// Age of the oldest unreplicated change.
    pub unreplicated: SimTime,
}

/// What the world leaves when the run ends.
#[derive(Debug, Clone)]
pub struct WorldOutput {
    /// First fault.
    pub first_fault: Option<SimTime>,
    /// Largest unreplicated data lost by a disaster failover or failback.
    pub rpo_realized: Option<SimTime>,
    /// Largest unreplicated data lost, in changes.
    pub rpo_realized_changes: Option<f64>,
    /// Pool failovers and failbacks.
    pub failovers: Vec<FailoverOutcome>,
    /// Backup Service status per direction at the horizon.
    pub backup_status: Vec<BackupStatus>,
    /// Per pool (FQDN), the most users registered per running front end at any instant.
    pub peak_users_per_front_end: Vec<(String, f64)>,
    /// Sign-ins refused at a registrar's MaxUserCount.
    pub refused_sign_ins: u64,
    /// Most users turned away at once (refused at MaxUserCount, not registered since).
    pub peak_turned_away_users: u64,
    /// Event log.
    pub log: Vec<LogEntry>,
}

impl World {
    /// Finish the run at `horizon`.
    pub fn into_output(self, horizon: SimTime) -> WorldOutput {
        let mut backup_status = Vec::new();
        for (i, p) in self.pools.iter_enumerated() {
            let Some(b) = self.config.pool(i).backup else { continue };
            let (me, partner) = (self.config.pool(i).fqdn.clone(), self.config.pool(b).fqdn.clone());
            for (stream, from, to) in [(&p.out_stream, &me, &partner), (&p.back_stream, &partner, &me)] {
                if let Some(s) = stream {
                    backup_status.push(BackupStatus {
                        pool: me.clone(),
                        from: from.clone(),
                        to: to.clone(),
                        export_state: s.export_state(horizon),
                        import_state: s.import_state(),
                        unreplicated: s.unreplicated(horizon),
                    });
                }
            }
        }
        let peak_users_per_front_end = self
            .pools
            .iter_enumerated()
            .map(|(i, p)| (self.config.pool(i).fqdn.clone(), p.peak_load))
            .collect();
        WorldOutput {
            first_fault: self.first_fault,
            rpo_realized: self.rpo_realized,
            rpo_realized_changes: self.rpo_realized_changes,
            failovers: self.failovers,
            backup_status,
            peak_users_per_front_end,
            refused_sign_ins: self.refused_sign_ins,
            peak_turned_away_users: self.peak_turned_away,
            log: self.log,
        }
    }
}
