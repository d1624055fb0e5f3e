//! Administrators' cmdlets (docs/model.md#pool-failover to #poolstate-by-hand):
//! `Invoke-CsPoolFailover` (`failover.rs`), `Invoke-CsPoolFailback` (`failback.rs`),
//! `Set-CsRegistrarConfiguration -PoolState` by hand (`pool_state.rs`), and the Central
//! Management Store, registrar-reset and Response Group cmdlets (`management.rs`). This file runs a cmdlet's steps and holds the steps both pool
//! cmdlets share.
//!
//! A cmdlet is a list of steps built when it starts (`-DisasterMode` decides which steps
//! are skipped); each step is logged like the cmdlet's verbose output (seed 2), acts, and
//! says how long until the next step. Quick steps take `timing.cmdlet_step`; the Backup
//! Service steps wait for the replication state they need (or `timing.steady_state_backup`
//! and `timing.full_backup` when given); hydration takes `timing.hydrate_per_routing_group`
//! plus `timing.hydrate_per_user` per user of each routing group.

mod failback;
mod failover;
mod management;
mod pool_state;

use sha2::{Digest, Sha256};

use failback::FailbackStep;
use failover::FailoverStep;

use super::{
    ClientState, FailoverOutcome, LogKind, Phase, PoolId, PoolState, RegistrarSettings, RoutingGroupId,
    World, WorldEvent,
};
use crate::engine::{Scheduler, SimTime};
use crate::model::backup::Stream;

/// Which cmdlet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Failover,
    Failback,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Failover => "Invoke-CsPoolFailover",
            Kind::Failback => "Invoke-CsPoolFailback",
        }
    }
}

/// The steps of a cmdlet, built when it starts.
#[derive(Debug, Clone)]
enum Plan {
    /// `Invoke-CsPoolFailover`.
    Failover(Vec<FailoverStep>),
    /// `Invoke-CsPoolFailback`.
    Failback(Vec<FailbackStep>),
}

impl Plan {
    fn kind(&self) -> Kind {
        match self {
            Plan::Failover(_) => Kind::Failover,
            Plan::Failback(_) => Kind::Failback,
        }
    }
}

/// A cmdlet running against a pool.
#[derive(Debug, Clone)]
pub(super) struct Cmdlet {
    disaster: bool,
    plan: Plan,
    /// Index of the next step in `plan`.
    next: usize,
    /// Its record in the world's failovers.
    record: usize,
    read_only: bool,
}

impl Cmdlet {
    /// Whether the pool's data is read-only (failover or failback mode).
    pub(super) fn read_only(&self) -> bool {
        self.read_only
    }
}

/// A stable routing-group id, `{8-4-4-4-12}` upper-case hex, from the pool and the index.
pub fn routing_group_id(fqdn: &str, index: u32) -> String {
    let h = Sha256::digest(format!("routing-group:{fqdn}:{index}").as_bytes());
    let hex: String = h[..16].iter().map(|b| format!("{b:02X}")).collect();
    format!("{{{}-{}-{}-{}-{}}}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

impl World {
    /// The registrar's identity as the cmdlets print it.
    fn registrar_identity(&self, p: PoolId) -> String {
        format!("'service:Registrar:{}'", self.fqdn(p))
    }

    /// Whether a failover or failback runs against `p` or its partner.
    pub(super) fn cmdlet_busy(&self, p: PoolId) -> bool {
        let b = self.partner(p);
        self.pools[p].cmdlet.is_some() || b.is_some_and(|b| self.pools[b].cmdlet.is_some())
    }

    /// A new record of cmdlet `kind` against `p`, started now.
    fn outcome(&self, kind: Kind, p: PoolId, disaster: bool) -> FailoverOutcome {
        FailoverOutcome {
            cmdlet: kind.name(),
            pool: self.fqdn(p).to_string(),
            started: self.now,
            completed: None,
            disaster_mode: disaster,
            data_lost: None,
            data_lost_changes: None,
            restored: None,
            error: None,
        }
    }

    /// The cmdlet fails before it starts: an `AdminError` and a record with the error.
    fn admin_error(&mut self, kind: Kind, p: PoolId, disaster: bool, message: String) {
        self.record(LogKind::AdminError, Some(p), format!("{}: {message}", kind.name()));
        let outcome = FailoverOutcome { error: Some(message), ..self.outcome(kind, p, disaster) };
        self.failovers.push(outcome);
    }

    /// Start cmdlet `plan` against `p`: log its command line and record it; its first
    /// step runs now.
    fn begin(&mut self, p: PoolId, disaster: bool, plan: Plan, sched: &mut Scheduler<WorldEvent>) {
        let kind = plan.kind();
        self.cmdlets_begun[p] += 1;
        let flag = if disaster { " -DisasterMode" } else { "" };
        self.record(
            LogKind::Admin,
            Some(p),
            format!("{} -PoolFqdn {}{flag} -Verbose", kind.name(), self.fqdn(p)),
        );
        let outcome = self.outcome(kind, p, disaster);
        self.failovers.push(outcome);
        let record = self.failovers.len() - 1;
        // A failover or failback disrupts users: it counts as a fault for `first_fault_s`.
        self.fault();
        self.enter_phase(match kind {
            Kind::Failover => Phase::Failover,
            Kind::Failback => Phase::Failback,
        });
        self.pools[p].cmdlet = Some(Cmdlet { disaster, plan, next: 0, record, read_only: false });
        let _ = sched.schedule_at(self.now, WorldEvent::CmdletStep { pool: p });
    }

    /// The pool's partner, unless the pool has none or a cmdlet of the pair is already
    /// running: then the cmdlet fails with an `AdminError`.
    fn cmdlet_partner(&mut self, kind: Kind, p: PoolId, disaster: bool) -> Option<PoolId> {
        let error = match self.partner(p) {
            None => "the pool has no backup pool",
            Some(_) if self.cmdlet_busy(p) => "a failover or failback of this pair is in progress",
            Some(b) => return Some(b),
        };
        self.admin_error(kind, p, disaster, error.into());
        None
    }

    /// Run the next step of the cmdlet against `p`.
    pub(super) fn cmdlet_step(&mut self, p: PoolId, sched: &mut Scheduler<WorldEvent>) {
        let Some(c) = self.pools[p].cmdlet.as_mut() else { return };
        let (next, disaster) = (c.next, c.disaster);
        c.next += 1;
        let wait = match &c.plan {
            Plan::Failover(steps) => {
                let step = steps[next];
                self.failover_step(p, step, disaster, sched)
            }
            Plan::Failback(steps) => {
                let step = steps[next];
                self.failback_step(p, step, disaster, sched)
            }
        };
        if let Some(wait) = wait {
            let _ = sched.schedule_in(wait, WorldEvent::CmdletStep { pool: p });
        }
    }

    /// The cmdlet fails part-way: an `AdminError`; a pool caught in `FailingOver` goes back
    /// to `Active`, one caught in `FailingBack` back to `FailedOver` on its partner.
    fn abort(&mut self, p: PoolId, kind: Kind, message: String, sched: &mut Scheduler<WorldEvent>) {
        self.record(LogKind::AdminError, Some(p), format!("{}: {message}", kind.name()));
        if let Some(c) = self.pools[p].cmdlet.take() {
            self.failovers[c.record].error = Some(message);
        }
        match self.pools[p].config_state {
            PoolState::FailingOver => {
                self.set_state_everywhere(p, PoolState::Active);
                self.reevaluate_home(p, sched);
            }
            PoolState::FailingBack => {
                self.set_state_everywhere(p, PoolState::FailedOver);
                self.pools[p].hosted_by_partner = true;
                for u in self.users_of(p, p, ClientState::Resiliency) {
                    self.lose_registrar(u, p, true, sched);
                }
            }
            _ => {}
        }
        self.update_streams(p);
        self.wake_parked(p, sched);
        self.admin_watch(p, sched);
    }

    /// Why the Central Management Store cannot serve a cmdlet now, if it cannot.
    fn cms_unavailable(&self) -> Option<String> {
        let cms = self.cms_host;
        (!self.serving(cms) && !self.cms_moving).then(|| {
            format!(
                "the Central Management Store on {} is unavailable; fail it over first with \
                 Invoke-CsManagementServerFailover",
                self.fqdn(cms)
            )
        })
    }

    /// The duration of a quick step.
    fn quick(&mut self, p: PoolId) -> SimTime {
        let d = self.config.timing.cmdlet_step;
        d.sample(&mut self.pools[p].rng)
    }

    /// The pool's data goes read-only (no changes to replicate).
    fn set_read_only(&mut self, p: PoolId) {
        if let Some(c) = self.pools[p].cmdlet.as_mut() {
            c.read_only = true;
        }
        self.update_streams(p);
    }

    /// The step that replicates the Central Management Store to the pool.
    fn cms_replication(&mut self, p: PoolId) -> SimTime {
        let pf = self.fqdn(p).to_string();
        let d = format!(
            "Invoke-CsManagementStoreReplication -ReplicaFqdn {pf}; \
             Get-CsManagementStoreReplicationStatus -ReplicaFqdn {pf}"
        );
        self.record(LogKind::Admin, Some(p), d);
        let t = self.config.timing.cms_replication;
        t.sample(&mut self.pools[p].rng)
    }

    /// A step `-DisasterMode` skips: logged, and no wait.
    fn skipped(&mut self, p: PoolId, what: &str) -> SimTime {
        self.record(LogKind::Admin, Some(p), format!("{what}: skipped (-DisasterMode)"));
        SimTime::ZERO
    }

    /// A Backup-CsPool step: it waits for the replication state it needs (or the configured
    /// timing). If that can never come (an end of the Backup Service is down), the cmdlet
    /// fails: only `-DisasterMode`, which skips these steps, gives up unreplicated data.
    fn backup_step(
        &mut self,
        p: PoolId,
        kind: Kind,
        back: bool,
        final_state: bool,
        sched: &mut Scheduler<WorldEvent>,
    ) -> Option<SimTime> {
        let timing = self.config.timing;
        let fixed = if final_state { timing.full_backup } else { timing.steady_state_backup };
        if let Some(d) = fixed {
            return Some(d.sample(&mut self.pools[p].rng));
        }
        let now = self.now;
        let pool = &self.pools[p];
        let stream = if back { pool.back_stream.as_ref() } else { pool.out_stream.as_ref() };
        match stream.map(|s| s.time_until(now, final_state)) {
            Some(Some(wait)) => Some(wait.max(self.quick(p))),
            Some(None) => {
                let state = if final_state { "final" } else { "steady" };
                let msg = format!(
                    "Backup-CsPool could not reach {state} state: the Backup Service cannot replicate; \
                     use -DisasterMode"
                );
                self.abort(p, kind, msg, sched);
                None
            }
            None => Some(self.quick(p)),
        }
    }

    /// Pool `on` loads routing group `rg` of pool `p`; returns how long it takes.
    fn hydrate(&mut self, p: PoolId, on: PoolId, rg: RoutingGroupId) -> SimTime {
        let cfg = self.config.pool(p);
        let (rgs, users) = (cfg.routing_groups, cfg.users);
        let n = users / rgs + u32::from(rg.0 < users % rgs);
        let id = routing_group_id(&cfg.fqdn, rg.0);
        let detail = format!("Hydrating Routing Group {id}. ({n} users of {})", self.fqdn(p));
        self.record(LogKind::Hydrate, Some(on), detail);
        let t = self.config.timing;
        let rng = &mut self.pools[p].rng;
        let per_rg = t.hydrate_per_routing_group.sample(rng);
        let per_user = t.hydrate_per_user.sample(rng).as_millis();
        per_rg.saturating_add(SimTime::from_millis(per_user.saturating_mul(n as u64)))
    }

    /// A disaster-mode step gives up the unreplicated data of `stream`: `lost` in seconds
    /// and in changes (docs/model.md#backup-service).
    fn lose_data(&mut self, p: PoolId, stream: Option<&Stream>, what: &str) {
        let (lost, changes) = unreplicated_of(stream, self.now);
        if let Some(c) = &self.pools[p].cmdlet {
            let record = &mut self.failovers[c.record];
            record.data_lost = Some(record.data_lost.map_or(lost, |d| d.max(lost)));
            record.data_lost_changes = Some(record.data_lost_changes.map_or(changes, |d| d.max(changes)));
        }
        self.note_loss(lost, changes);
        let secs = lost.as_millis() as f64 / 1000.0;
        self.record(
            LogKind::Warning,
            Some(p),
            format!("{what}: {secs:.1} s of user changes lost ({changes:.1} changes)"),
        );
    }

    /// The largest loss so far, in seconds and in changes.
    fn note_loss(&mut self, lost: SimTime, changes: f64) {
        self.rpo_realized = Some(self.rpo_realized.map_or(lost, |r| r.max(lost)));
        self.rpo_realized_changes = Some(self.rpo_realized_changes.map_or(changes, |r| r.max(changes)));
    }

    /// The cmdlet completes; the restore watch of its record starts.
    fn finish(&mut self, p: PoolId, kind: Kind, sched: &mut Scheduler<WorldEvent>) {
        if let Some(c) = self.pools[p].cmdlet.take() {
            self.failovers[c.record].completed = Some(self.now);
            self.pools[p].restore_watch = Some(c.record);
            self.check_restored(p);
        }
        self.record(LogKind::Admin, Some(p), format!("{} completed", kind.name()));
        self.update_streams(p);
        if kind == Kind::Failover {
            self.admin_after_failover(p, sched);
        }
        self.admin_watch(p, sched);
    }

    /// A cmdlet sets the PoolState in the store and in the pool's own view at once.
    fn set_state_everywhere(&mut self, p: PoolId, state: PoolState) {
        let pool = &mut self.pools[p];
        pool.config_state = state;
        pool.home_view = state;
        // A cmdlet's change supersedes any change by hand still waiting for a poll.
        pool.manual_change += 1;
        self.record(LogKind::PoolState, Some(p), state.name().to_string());
    }

    /// Users of `p` registered on `p` in `from` become `to` in place.
    fn switch_in_place(&mut self, p: PoolId, from: ClientState, to: ClientState) {
        for u in self.users_of(p, p, from) {
            self.move_user(u, to, p);
        }
    }

    /// A failover creates a pool-scope registrar configuration when the pool had none; it
    /// has the product defaults, not the global settings (seed 2).
    fn create_pool_config(&mut self, p: PoolId) {
        if self.pools[p].has_pool_config {
            return;
        }
        self.pools[p].has_pool_config = true;
        let defaults = RegistrarSettings::default();
        let refresh = defaults.default_endpoint_expiration.sample(&mut self.pools[p].rng);
        let threshold = defaults.backup_store_unavailable_threshold.sample(&mut self.pools[p].rng);
        self.pools[p].max_user_count = defaults.max_user_count;
        self.pools[p].refresh = refresh;
        self.pools[p].back_end_threshold = threshold;
    }

    /// The partner loads `p`'s routing groups: it serves `p`'s users as `FailedOver`.
    fn host_on_partner(&mut self, p: PoolId, sched: &mut Scheduler<WorldEvent>) {
        let b = self.partner(p).expect("paired");
        if self.pools[p].hosted_by_partner {
            return;
        }
        self.pools[p].hosted_by_partner = true;
        if self.config.product.has_pool_pairing() && self.pools[p].back_stream.is_none() {
            let template = self.pools[p].out_stream.clone();
            let now = self.now;
            if let Some(mut s) = template {
                s.reset(now);
                self.pools[p].back_stream = Some(s);
            }
        }
        // Clients already on the partner in resiliency mode refresh into full service.
        for u in self.users_of(p, b, ClientState::Resiliency) {
            self.enqueue(b, u, true, sched);
        }
        self.update_streams(p);
        self.wake_parked(p, sched);
    }
}

/// What `stream` has not replicated at `now`: seconds and (expected) changes; nothing without
/// a stream.
fn unreplicated_of(stream: Option<&Stream>, now: SimTime) -> (SimTime, f64) {
    stream.map_or((SimTime::ZERO, 0.0), |s| (s.unreplicated(now), s.unreplicated_changes(now)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routing_group_ids_are_stable_guids() {
        let id = routing_group_id("lyncfe04.thelab.info", 0);
        assert_eq!(id.len(), 38);
        assert!(id.starts_with('{') && id.ends_with('}'));
        assert_eq!(id, routing_group_id("lyncfe04.thelab.info", 0));
        assert_ne!(id, routing_group_id("lyncfe04.thelab.info", 1));
        assert_eq!(id.matches('-').count(), 4);
    }
}
