//! Monitors and finished results.
//!
//! [`Monitor`] wraps the Lync [`World`] as the engine's model: between two instants it
//! integrates user-time per client state exactly (integer user-milliseconds), records the
//! time-series rows that fall in the interval from the world's counters (never by scanning
//! users), and tracks peaks and restoration. [`RunResult`] is what reports read.
//! [`run_replication_audited`] runs the same replication under an [`Audit`] of the model's
//! invariants (tests); a normal run carries no audit code.

use std::sync::Arc;

use crate::engine::{self, Scheduler, SimTime};
use crate::model::{
    BackupStatus, ClientState, Config, Counts, FailoverOutcome, Feature, LogEntry, PerFeature, PerState,
    World, WorldEvent,
};

pub mod monte;
pub mod quantile;
pub mod shard;

pub use monte::{MonteCarlo, ReplicationRecord};

/// Largest world whose invariants debug builds check at every instant.
const INVARIANT_CHECK_USERS: u64 = 6_000;

/// Fraction of users that counts as "restored" for `time_to_restore_s`.
pub const RESTORE_THRESHOLD: f64 = 0.99;

/// One time-series row: user counts per client state at `time`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    /// Sample time.
    pub time: SimTime,
    /// Users per client state.
    pub by_state: PerState<u32>,
    /// Users in `FailedOver` whose serving pool has Response Group data.
    pub failed_over_with_rgs: u32,
    /// Users whose state has voice but whose serving pool runs no Mediation service.
    pub voice_without_mediation: u32,
}

impl Sample {
    fn from_counts(time: SimTime, c: &Counts) -> Self {
        Sample {
            time,
            by_state: c.by_state.map(|_, n| n as u32),
            failed_over_with_rgs: c.failed_over_with_rgs as u32,
            voice_without_mediation: c.voice_without_mediation as u32,
        }
    }

    /// Users in `state`.
    pub fn users(&self, state: ClientState) -> u64 {
        self.by_state[state] as u64
    }

    /// Whether two rows hold the same counts (whatever their times).
    pub fn same_counts(&self, other: &Sample) -> bool {
        self.by_state == other.by_state
            && self.failed_over_with_rgs == other.failed_over_with_rgs
            && self.voice_without_mediation == other.voice_without_mediation
    }

    fn counts(&self) -> Counts {
        Counts {
            by_state: self.by_state.map(|_, n| n as u64),
            failed_over_with_rgs: self.failed_over_with_rgs as u64,
            voice_without_mediation: self.voice_without_mediation as u64,
        }
    }
}

/// The time series of one replication: a row every `step` from 0 to the horizon inclusive,
/// stored run-length encoded (a run starts at each row whose counts differ from the row
/// before), so a quiet year costs a few runs, not 35,000 rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    step: SimTime,
    rows: u64,
    /// Each run's first row; its `time` is that row's time.
    runs: Vec<Sample>,
}

impl Series {
    fn new(step: SimTime, rows: u64) -> Self {
        Series { step, rows, runs: Vec::new() }
    }

    /// A series from every row (tests and synthetic results); rows every `step` from 0.
    pub fn from_rows(step: SimTime, rows: Vec<Sample>) -> Self {
        let mut series = Series::new(step, rows.len() as u64);
        for row in rows {
            series.push(row);
        }
        series
    }

    /// A series from its runs (as [`Series::runs`] gives them), checked: runs start at
    /// row 0, in increasing rows within the series, with their rows' times.
    pub fn from_runs(step: SimTime, rows: u64, runs: Vec<Sample>) -> Result<Self, String> {
        let series = Series { step, rows, runs };
        let mut last = None;
        for run in &series.runs {
            let row = series.row_of(run.time);
            let ok = match last {
                None => row == 0,
                Some(prev) => row > prev && row < rows,
            };
            if !ok || run.time.as_millis() != row * step.as_millis() {
                return Err(format!("time series run at {} ms is out of order", run.time.as_millis()));
            }
            last = Some(row);
        }
        if rows > 0 && series.runs.is_empty() {
            return Err("time series without rows".into());
        }
        Ok(series)
    }

    fn push(&mut self, row: Sample) {
        if self.runs.last().is_none_or(|last| !last.same_counts(&row)) {
            self.runs.push(row);
        }
    }

    /// Number of rows.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Interval between rows.
    pub fn step(&self) -> SimTime {
        self.step
    }

    /// The runs: each is the first row of a stretch of identical rows.
    pub fn runs(&self) -> &[Sample] {
        &self.runs
    }

    /// Index of the row at `time` (a run's start).
    pub fn row_of(&self, time: SimTime) -> u64 {
        time.as_millis() / self.step.as_millis().max(1)
    }

    /// Every row, in time order.
    pub fn iter(&self) -> impl Iterator<Item = Sample> + '_ {
        let step = self.step.as_millis();
        self.runs.iter().enumerate().flat_map(move |(i, run)| {
            let first = self.row_of(run.time);
            let end = self.runs.get(i + 1).map_or(self.rows, |next| self.row_of(next.time));
            (first..end).map(move |row| Sample { time: SimTime::from_millis(row * step), ..*run })
        })
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
    /// Per feature: when it was back for [`RESTORE_THRESHOLD`] of users after the first fault.
    pub restored_at: PerFeature<Option<SimTime>>,
    /// Most users in resiliency mode at once.
    pub peak_resiliency_users: u64,
    /// Most users offline at once.
    pub peak_offline_users: u64,
    /// Most users waiting in sign-in queues at once.
    pub peak_signin_queue: u64,
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
        users_with(&self.config, &sample.counts(), feature)
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

/// Users with `feature`: the feature matrix over client states, less the users whose
/// serving pool lacks what the feature needs (Response Group data after failover; a
/// Mediation service for voice).
pub(crate) fn users_with(config: &Config, c: &Counts, feature: Feature) -> u64 {
    let mut n = 0;
    for state in ClientState::ALL {
        if config.features.has(state, feature) {
            n += if state == ClientState::FailedOver && feature == Feature::ResponseGroups {
                c.failed_over_with_rgs
            } else {
                c.by_state[state]
            };
        }
    }
    if feature == Feature::Voice {
        n = n.saturating_sub(c.voice_without_mediation);
    }
    n
}

/// Integrals over time of [`Counts`], user-milliseconds.
#[derive(Debug, Default, Clone, Copy)]
struct CountTime {
    by_state: PerState<u128>,
    failed_over_with_rgs: u128,
    voice_without_mediation: u128,
}

impl CountTime {
    fn add(&mut self, c: &Counts, span_ms: u64) {
        if span_ms == 0 {
            return;
        }
        let span = span_ms as u128;
        for (sum, &n) in self.by_state.values_mut().zip(c.by_state.values()) {
            *sum += n as u128 * span;
        }
        self.failed_over_with_rgs += c.failed_over_with_rgs as u128 * span;
        self.voice_without_mediation += c.voice_without_mediation as u128 * span;
    }

    /// The integral of users with `feature`: [`users_with`] applied to the integrals (it is
    /// linear in the counts, and its subtraction never goes below zero at any instant).
    fn feature(&self, config: &Config, feature: Feature) -> u128 {
        let mut n = 0;
        for state in ClientState::ALL {
            if config.features.has(state, feature) {
                n += if state == ClientState::FailedOver && feature == Feature::ResponseGroups {
                    self.failed_over_with_rgs
                } else {
                    self.by_state[state]
                };
            }
        }
        if feature == Feature::Voice {
            n = n.saturating_sub(self.voice_without_mediation);
        }
        n
    }
}

/// The engine's model for one replication: the world plus its monitors.
pub struct Monitor {
    world: World,
    config: Arc<Config>,
    series: Series,
    total_users: u64,
    next_sample: SimTime,
    /// User-time integrals of the counts (by state, then the two corrections); the feature
    /// integrals follow at the end, since users with a feature are linear in the counts.
    count_user_ms: CountTime,
    dipped: PerFeature<bool>,
    restored_at: PerFeature<Option<SimTime>>,
    peak_resiliency: u64,
    peak_offline: u64,
    peak_signin: u64,
}

impl engine::Model for Monitor {
    type Event = WorldEvent;

    fn handle(&mut self, event: WorldEvent, sched: &mut Scheduler<WorldEvent>) {
        self.world.handle(event, sched);
    }

    fn advance(&mut self, from: SimTime, to: SimTime) {
        // Debug builds (the tests) recount small worlds at every instant.
        if cfg!(debug_assertions) && self.total_users <= INVARIANT_CHECK_USERS {
            if let Err(e) = self.world.check_invariants() {
                panic!("model invariant broken: {e}");
            }
        }
        self.observe(from, to.as_millis() - from.as_millis());
    }
}

impl Monitor {
    fn new(world: World) -> Self {
        let config = world.config().clone();
        let rows = config.horizon.as_millis() / config.sample_every.as_millis() + 1;
        Monitor {
            world,
            series: Series::new(config.sample_every, rows),
            total_users: config.total_users(),
            config,
            next_sample: SimTime::ZERO,
            count_user_ms: CountTime::default(),
            dipped: PerFeature::default(),
            restored_at: PerFeature::default(),
            peak_resiliency: 0,
            peak_offline: 0,
            peak_signin: 0,
        }
    }

    /// The state left by every event up to `from` holds for `span_ms`.
    fn observe(&mut self, from: SimTime, span_ms: u64) {
        let counts = self.world.counts();
        self.count_user_ms.add(&counts, span_ms);
        // Restoration after the first fault, until every feature has its answer.
        if let Some(first) = self.world.first_fault() {
            if from >= first && self.restored_at.values().any(Option::is_none) {
                let total = self.total_users;
                for f in Feature::ALL {
                    if self.restored_at[f].is_some() {
                        continue;
                    }
                    let with = users_with(&self.config, &counts, f);
                    let ok = total == 0 || with as f64 >= RESTORE_THRESHOLD * total as f64;
                    if !ok {
                        self.dipped[f] = true;
                    } else if self.dipped[f] {
                        self.restored_at[f] = Some(from);
                    }
                }
            }
        }
        self.peak_resiliency = self.peak_resiliency.max(counts.by_state[ClientState::Resiliency]);
        self.peak_offline = self.peak_offline.max(counts.by_state[ClientState::Offline]);
        self.peak_signin = self.peak_signin.max(counts.by_state[ClientState::SigningIn]);
        // Rows at every sample time in [from, from + span), or exactly `from` at the end.
        let end = from.as_millis() + span_ms.max(1);
        let step = self.config.sample_every.as_millis();
        let last = end.min(self.config.horizon.as_millis() + 1);
        if self.next_sample.as_millis() < last {
            // The rows in [next_sample, last) all hold these counts: one run at most.
            self.series.push(Sample::from_counts(self.next_sample, &counts));
            let rows = (last - self.next_sample.as_millis()).div_ceil(step);
            self.next_sample = SimTime::from_millis(self.next_sample.as_millis() + rows * step);
        }
    }

    fn finish(mut self, events_processed: u64, replication: u32) -> RunResult {
        // The state at the horizon: last row, peaks and restoration.
        self.observe(self.config.horizon, 0);
        for f in Feature::ALL {
            if self.world.first_fault().is_some() && !self.dipped[f] && self.restored_at[f].is_none() {
                self.restored_at[f] = self.world.first_fault();
            }
        }
        let config = self.config.clone();
        let feature_user_ms = PerFeature::from_fn(|f| self.count_user_ms.feature(&config, f));
        let out = self.world.into_output(self.config.horizon);
        RunResult {
            config,
            replication,
            series: self.series,
            feature_user_ms,
            first_fault: out.first_fault,
            restored_at: self.restored_at,
            peak_resiliency_users: self.peak_resiliency,
            peak_offline_users: self.peak_offline,
            peak_signin_queue: self.peak_signin,
            rpo_realized: out.rpo_realized,
            failovers: out.failovers,
            backup_status: out.backup_status,
            peak_users_per_front_end: out.peak_users_per_front_end,
            log: out.log,
            events_processed,
        }
    }
}

/// Replication `replication` of a scenario at time zero: its monitored world and the
/// scheduler holding the world's first events.
fn start(config: Arc<Config>, replication: u32) -> (Monitor, Scheduler<WorldEvent>) {
    let mut sched = Scheduler::new(config.horizon);
    let world = World::new(config, replication, &mut sched);
    (Monitor::new(world), sched)
}

/// Run one replication of a scenario to its horizon.
pub fn run_replication(config: Arc<Config>, replication: u32) -> RunResult {
    let (mut monitor, mut sched) = start(config, replication);
    let stats = engine::run(&mut monitor, &mut sched);
    monitor.finish(stats.events_processed, replication)
}

/// What an audited run checked, and the first broken invariant it found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Audit {
    /// Events handled; after each one, no pool that is down had users registered on it
    /// ([`World::audit_pools`]) and the event scheduled nothing before the current time.
    pub events: u64,
    /// Instants at which every user was recounted ([`World::audit_users`]).
    pub recounts: u64,
    /// Schedule calls the engine refused because they asked for a time before now.
    pub refused_schedules: u64,
    /// The first broken invariant: when, after which event, and what.
    pub violation: Option<String>,
}

impl Audit {
    fn fail(&mut self, at: SimTime, what: String) {
        if self.violation.is_none() {
            self.violation = Some(format!("at {} ms: {what}", at.as_millis()));
        }
    }
}

/// A [`Monitor`] under audit: the engine's model for [`run_replication_audited`].
struct Audited {
    monitor: Monitor,
    audit: Audit,
    last: SimTime,
}

impl engine::Model for Audited {
    type Event = WorldEvent;

    fn handle(&mut self, event: WorldEvent, sched: &mut Scheduler<WorldEvent>) {
        let now = sched.now();
        if now < self.last {
            self.audit.fail(
                now,
                format!("{event:?} runs before the previous event at {} ms", self.last.as_millis()),
            );
        }
        self.last = now;
        let refused = sched.refused();
        self.monitor.handle(event, sched);
        self.audit.events += 1;
        if sched.refused() > refused {
            self.audit.fail(now, format!("{event:?} scheduled an event before the current time"));
        }
        if let Err(e) = self.monitor.world.audit_pools() {
            self.audit.fail(now, format!("after {event:?}: {e}"));
        }
    }

    fn advance(&mut self, from: SimTime, to: SimTime) {
        if self.audit.violation.is_none() {
            self.audit.recounts += 1;
            if let Err(e) = self.monitor.world.audit_users() {
                self.audit.fail(from, e);
            }
        }
        self.monitor.advance(from, to);
    }
}

/// [`run_replication`] with an audit of the model's invariants after every event and at
/// every instant (O(users) per instant: for tests). The result is the same as
/// [`run_replication`]'s.
pub fn run_replication_audited(config: Arc<Config>, replication: u32) -> (RunResult, Audit) {
    let (monitor, mut sched) = start(config, replication);
    let mut audited = Audited { monitor, audit: Audit::default(), last: SimTime::ZERO };
    let stats = engine::run(&mut audited, &mut sched);
    if audited.audit.violation.is_none() {
        audited.audit.recounts += 1;
        if let Err(e) = audited.monitor.world.audit_users() {
            audited.audit.fail(sched.now(), e);
        }
    }
    let mut audit = audited.audit;
    audit.refused_schedules = sched.refused();
    (audited.monitor.finish(stats.events_processed, replication), audit)
}
