//! [`RunResult`]: everything one replication produced, and the numbers reports read from it.

use std::sync::Arc;

use super::series::{Sample, Series};
use crate::engine::SimTime;
use crate::model::{BackupStatus, Config, FailoverOutcome, Feature, LogEntry, PerFeature, PerPhase};

/// Fraction of users that counts as "restored" for `time_to_restore_s`.
pub const RESTORE_THRESHOLD: f64 = 0.99;

/// Everything one replication produced; reports are pure functions of it.
#[derive(Debug, Clone)]
pub struct RunResult {
    /// The scenario that ran.
    pub config: Arc<Config>,
    /// Replication index.
    pub replication: u32,
    /// Time-series rows, every `sample_every` from 0 to the horizon inclusive.
    pub series: Series,
    /// Integral of users with each feature over the horizon, user-milliseconds.
    pub feature_user_ms: PerFeature<u128>,
    /// First fault, if any.
    pub first_fault: Option<SimTime>,
    /// Per feature: when it was back for [`RESTORE_THRESHOLD`] of users after the first fault.
    pub restored_at: PerFeature<Option<SimTime>>,
    /// Most users in resiliency mode at once.
    pub peak_resiliency_users: u64,
    /// Most users offline at once.
    pub peak_offline_users: u64,
    /// Most users waiting in sign-in queues at once.
    pub peak_signin_queue: u64,
    /// Most users waiting in sign-in queues at once in each phase of the run
    /// (docs/model.md#phases-of-a-run); `None` for a phase the run never entered.
    pub peak_signin_queue_by_phase: PerPhase<Option<u64>>,
    /// Largest unreplicated data lost in a disaster failover.
    pub rpo_realized: Option<SimTime>,
    /// Pool failovers and failbacks.
    pub failovers: Vec<FailoverOutcome>,
    /// Backup Service status per direction at the horizon.
    pub backup_status: Vec<BackupStatus>,
    /// Per pool (FQDN), the most users registered per running front end at any instant.
    pub peak_users_per_front_end: Vec<(String, f64)>,
    /// Every discrete event that changed something.
    pub log: Vec<LogEntry>,
    /// Events the engine processed.
    pub events_processed: u64,
}

impl RunResult {
    /// All users.
    pub fn total_users(&self) -> u64 {
        self.config.total_users()
    }

    /// Every time-series row, in time order.
    pub fn samples(&self) -> impl Iterator<Item = Sample> + '_ {
        self.series.iter()
    }

    /// Users with `feature` in a sample.
    pub fn users_with(&self, sample: &Sample, feature: Feature) -> u64 {
        sample.counts().with_feature(&self.config.features, feature)
    }

    /// Fraction of all users with `feature` in a sample (0 when there are no users).
    pub fn fraction(&self, sample: &Sample, feature: Feature) -> f64 {
        let total = self.total_users();
        if total == 0 {
            0.0
        } else {
            self.users_with(sample, feature) as f64 / total as f64
        }
    }

    /// Availability of `feature`: user-time with it / (users x horizon).
    pub fn availability(&self, feature: Feature) -> f64 {
        let denom = self.total_users() as u128 * self.config.horizon.as_millis() as u128;
        if denom == 0 {
            return 1.0;
        }
        self.feature_user_ms[feature] as f64 / denom as f64
    }

    /// User-minutes without `feature`.
    pub fn user_minutes_lost(&self, feature: Feature) -> f64 {
        let all = self.total_users() as u128 * self.config.horizon.as_millis() as u128;
        (all - self.feature_user_ms[feature].min(all)) as f64 / 60_000.0
    }

    /// Seconds from the first fault until `feature` was back for 99 % of users; zero if it
    /// never dropped below, `None` if it never came back.
    pub fn time_to_restore(&self, feature: Feature) -> Option<SimTime> {
        let first = self.first_fault?;
        self.restored_at[feature].map(|t| t.saturating_sub(first))
    }
}
