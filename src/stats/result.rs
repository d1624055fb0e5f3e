//! [`RunResult`]: everything one replication produced, and the numbers reports read from it.

use std::sync::Arc;

use super::series::{Sample, Series};
use crate::engine::SimTime;
use crate::model::{BackupStatus, Config, FailoverOutcome, Feature, LogEntry, LogKind, PerFeature, PerPhase};

/// Fraction of all users below which a feature is in an incident, and at or above which it
/// is restored (docs/metrics.md#incidents).
pub const RESTORE_THRESHOLD: f64 = 0.99;

/// One incident of a feature (docs/metrics.md#incidents): from the change that preceded
/// the feature falling below [`RESTORE_THRESHOLD`] of all users until it was back at or
/// above it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Incident {
    /// The latest fault, repair or administrator action at or before the fall, if it came
    /// after the feature's previous incident ended; otherwise the fall itself.
    pub start: SimTime,
    /// The first instant the feature was back at or above the threshold; `None` while it
    /// is still below at the horizon (an open incident).
    pub end: Option<SimTime>,
}

impl Incident {
    /// An incident whose feature fell below the threshold at `fell`: it starts at the
    /// latest change, unless there was none or the previous incident of the feature ended
    /// after it (that change was already answered); then at the fall itself.
    pub fn begin(last_change: Option<SimTime>, previous_end: Option<SimTime>, fell: SimTime) -> Incident {
        let start = match last_change {
            Some(c) if previous_end.is_none_or(|e| c >= e) => c,
            _ => fell,
        };
        Incident { start, end: None }
    }

    /// Its restore time, if it ended.
    pub fn restore(&self) -> Option<SimTime> {
        self.end.map(|e| e.saturating_sub(self.start))
    }
}

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
    /// Per feature, its incidents in time order; only the last may be open.
    pub incidents: PerFeature<Vec<Incident>>,
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
    /// Largest unreplicated data lost, in changes (docs/model.md#backup-service).
    pub rpo_realized_changes: Option<f64>,
    /// Pool failovers and failbacks.
    pub failovers: Vec<FailoverOutcome>,
    /// Backup Service status per direction at the horizon.
    pub backup_status: Vec<BackupStatus>,
    /// Per pool (FQDN), the most users registered per running front end at any instant.
    pub peak_users_per_front_end: Vec<(String, f64)>,
    /// Sign-ins refused at a registrar's MaxUserCount (docs/metrics.md).
    pub refused_sign_ins: u64,
    /// Most users turned away at once: refused at MaxUserCount and not registered since.
    pub peak_turned_away_users: u64,
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

    /// Incidents of `feature`, the open one included.
    pub fn incident_count(&self, feature: Feature) -> u32 {
        self.incidents[feature].len() as u32
    }

    /// Restore times of the incidents of `feature` that ended, in time order.
    pub fn restores(&self, feature: Feature) -> impl Iterator<Item = SimTime> + '_ {
        self.incidents[feature].iter().filter_map(Incident::restore)
    }

    /// The longest restore of `feature` (the number a recovery-time objective is checked
    /// against); `None` when no incident ended.
    pub fn time_to_restore(&self, feature: Feature) -> Option<SimTime> {
        self.restores(feature).max()
    }

    /// The mean restore of `feature` in seconds; `None` when no incident ended.
    pub fn mean_restore_s(&self, feature: Feature) -> Option<f64> {
        mean_secs(self.restores(feature))
    }

    /// How long the incident of `feature` still open at the horizon has lasted (a lower
    /// bound of its restore time); `None` when the feature ends the run restored.
    pub fn open_incident(&self, feature: Feature) -> Option<SimTime> {
        let last = self.incidents[feature].last()?;
        match last.end {
            Some(_) => None,
            None => Some(self.config.horizon.saturating_sub(last.start)),
        }
    }

    /// Pool failovers (`Invoke-CsPoolFailover`) that completed.
    pub fn failovers_completed(&self) -> u32 {
        self.completed(FAILOVER)
    }

    /// Pool failbacks (`Invoke-CsPoolFailback`) that completed.
    pub fn failbacks_completed(&self) -> u32 {
        self.completed(FAILBACK)
    }

    fn completed(&self, cmdlet: &str) -> u32 {
        self.failovers
            .iter()
            .filter(|f| f.cmdlet == cmdlet && f.completed.is_some() && f.error.is_none())
            .count() as u32
    }

    /// Administrator commands that failed, refused before they started or abandoned
    /// part-way (every `AdminError` of the event log).
    pub fn cmdlet_errors(&self) -> u32 {
        self.log.iter().filter(|e| e.kind == LogKind::AdminError).count() as u32
    }
}

/// `Invoke-CsPoolFailover`.
pub const FAILOVER: &str = "Invoke-CsPoolFailover";
/// `Invoke-CsPoolFailback`.
pub const FAILBACK: &str = "Invoke-CsPoolFailback";

/// The mean of some durations in seconds, summed in order; `None` for none.
pub fn mean_secs(durations: impl Iterator<Item = SimTime>) -> Option<f64> {
    let (n, sum) = durations.fold((0u64, 0u128), |(n, sum), d| (n + 1, sum + d.as_millis() as u128));
    (n > 0).then(|| sum as f64 / n as f64 / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: u64) -> SimTime {
        SimTime::from_secs(s)
    }

    #[test]
    fn an_incident_starts_at_the_change_before_the_fall_unless_it_was_already_answered() {
        // The latest change, when the feature's previous incident ended before it.
        assert_eq!(Incident::begin(Some(t(100)), None, t(130)).start, t(100));
        assert_eq!(Incident::begin(Some(t(100)), Some(t(90)), t(130)).start, t(100));
        assert_eq!(Incident::begin(Some(t(100)), Some(t(100)), t(130)).start, t(100));
        // No change at all, or the change already led to an incident that ended: the fall.
        assert_eq!(Incident::begin(None, None, t(0)).start, t(0));
        assert_eq!(Incident::begin(Some(t(100)), Some(t(120)), t(130)).start, t(130));
        let open = Incident { start: t(5), end: None };
        assert_eq!(open.restore(), None);
        assert_eq!(Incident { end: Some(t(65)), ..open }.restore(), Some(t(60)));
    }

    #[test]
    fn the_mean_of_no_durations_is_none() {
        assert_eq!(mean_secs(std::iter::empty()), None);
        assert_eq!(mean_secs([t(1), t(2)].into_iter()), Some(1.5));
    }
}
