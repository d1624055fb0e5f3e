//! The monitor: the engine's model for one replication. [`Monitor`] wraps the Lync
//! [`World`]: between two instants it integrates user-time per client state exactly (integer
//! user-milliseconds), records the time-series rows that fall in the interval from the
//! world's counters (never by scanning users), and tracks peaks and each feature's
//! incidents (docs/metrics.md#incidents); at the horizon it becomes a [`RunResult`]. [`run_replication_audited`] runs the same replication
//! under an [`Audit`] of the model's invariants (tests); a normal run carries no audit code.

use std::sync::Arc;

use super::result::{Incident, RunResult, RESTORE_THRESHOLD};
use super::series::{Sample, Series};
use crate::engine::{self, Scheduler, SimTime};
use crate::model::{ClientState, Config, Counts, Feature, PerFeature, PerPhase, World, WorldEvent};

/// Largest world whose invariants debug builds check at every instant.
const INVARIANT_CHECK_USERS: u64 = 6_000;

/// Add `span_ms` milliseconds of the counts `c` to their integrals `sum` (user-milliseconds).
fn integrate(sum: &mut Counts<u128>, c: &Counts, span_ms: u64) {
    if span_ms == 0 {
        return;
    }
    let span = span_ms as u128;
    for (sum, &n) in sum.by_state.values_mut().zip(c.by_state.values()) {
        *sum += n as u128 * span;
    }
    sum.failed_over_with_rgs += c.failed_over_with_rgs as u128 * span;
    sum.pstn_without_mediation += c.pstn_without_mediation as u128 * span;
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
    count_user_ms: Counts<u128>,
    /// Per feature, its incidents so far; the last one is open while its `end` is `None`.
    incidents: PerFeature<Vec<Incident>>,
    peak_resiliency: u64,
    peak_offline: u64,
    peak_signin: u64,
    /// The sign-in queue's peak in each phase the run went through.
    peak_signin_by_phase: PerPhase<Option<u64>>,
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
            count_user_ms: Counts::default(),
            incidents: PerFeature::default(),
            peak_resiliency: 0,
            peak_offline: 0,
            peak_signin: 0,
            peak_signin_by_phase: PerPhase::default(),
        }
    }

    /// The state left by every event up to `from` holds for `span_ms`.
    fn observe(&mut self, from: SimTime, span_ms: u64) {
        let counts = self.world.counts();
        integrate(&mut self.count_user_ms, &counts, span_ms);
        // Incidents: the counts hold from `from`, the instant after every event at it, so a
        // feature falls below the threshold or is back exactly at an event's time.
        let total = self.total_users;
        for f in Feature::ALL {
            let with = counts.with_feature(&self.config.features, f);
            let ok = total == 0 || with as f64 >= RESTORE_THRESHOLD * total as f64;
            let incidents = &mut self.incidents[f];
            let open = incidents.last().is_some_and(|i| i.end.is_none());
            if ok && open {
                if let Some(i) = incidents.last_mut() {
                    i.end = Some(from);
                }
            } else if !ok && !open {
                let previous_end = incidents.last().and_then(|i| i.end);
                incidents.push(Incident::begin(self.world.last_change(), previous_end, from));
            }
        }
        self.peak_resiliency = self.peak_resiliency.max(counts.by_state[ClientState::Resiliency]);
        self.peak_offline = self.peak_offline.max(counts.by_state[ClientState::Offline]);
        self.peak_signin = self.peak_signin.max(counts.by_state[ClientState::SigningIn]);
        if let Some(phase) = self.world.phase() {
            // The state after every event at `from`, so a phase begun at `from` owns it.
            let queue = counts.by_state[ClientState::SigningIn];
            let peak = &mut self.peak_signin_by_phase[phase];
            *peak = Some(peak.map_or(queue, |p| p.max(queue)));
        }
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
        // The state at the horizon: last row, peaks, and the incidents still open.
        self.observe(self.config.horizon, 0);
        let config = self.config.clone();
        let feature_user_ms = PerFeature::from_fn(|f| self.count_user_ms.with_feature(&config.features, f));
        let out = self.world.into_output(self.config.horizon);
        RunResult {
            config,
            replication,
            series: self.series,
            feature_user_ms,
            first_fault: out.first_fault,
            incidents: self.incidents,
            peak_resiliency_users: self.peak_resiliency,
            peak_offline_users: self.peak_offline,
            peak_signin_queue: self.peak_signin,
            peak_signin_queue_by_phase: self.peak_signin_by_phase,
            rpo_realized: out.rpo_realized,
            rpo_realized_changes: out.rpo_realized_changes,
            failovers: out.failovers,
            backup_status: out.backup_status,
            peak_users_per_front_end: out.peak_users_per_front_end,
            refused_sign_ins: out.refused_sign_ins,
            peak_turned_away_users: out.peak_turned_away_users,
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
