//! Administrators' cmdlets: `Invoke-CsPoolFailover`, `Invoke-CsPoolFailback` and
//! `Set-CsRegistrarConfiguration -PoolState` by hand (SPEC 4.4-4.5).
//!
//! A cmdlet is a list of steps built when it starts (`-DisasterMode` decides which steps
//! are skipped); each step is logged like the cmdlet's verbose output (seed 2), acts, and
//! says how long until the next step. Quick steps take `timing.cmdlet_step`; the Backup
//! Service steps wait for the replication state they need (or `timing.steady_state_backup`
//! and `timing.full_backup` when given); hydration takes `timing.hydrate_per_routing_group`
//! plus `timing.hydrate_per_user` per user of each routing group.

use sha2::{Digest, Sha256};

use super::{
    BackEnd, ClientState, FailoverOutcome, LogKind, PoolId, PoolState, RegistrarSettings, ResetType,
    RoutingGroupId, Service, World, WorldEvent,
};
use crate::engine::{Scheduler, SimTime};

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

/// One step of a cmdlet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Lookup,
    SteadyState,
    CmsReplication,
    FailingOver,
    FullBackup,
    SyncUserData,
    Hydrate(RoutingGroupId),
    FailedOver,
    ServiceReset,
    StopServices,
    StopRtcsrv,
    StartBackup,
    StartReplica,
    StartRtcsrv,
    FailingBack,
    Active,
    Skipped(&'static str),
    Done,
}

/// A cmdlet running against a pool.
#[derive(Debug, Clone)]
pub(super) struct Cmdlet {
    kind: Kind,
    disaster: bool,
    steps: Vec<Step>,
    next: usize,
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
    fn registrar_identity(&self, p: PoolId) -> String {
        format!("'service:Registrar:{}'", self.fqdn(p))
    }

    pub(super) fn cmdlet_busy(&self, p: PoolId) -> bool {
        let b = self.partner(p);
        self.pools[p].cmdlet.is_some() || b.is_some_and(|b| self.pools[b].cmdlet.is_some())
    }

    fn admin_error(&mut self, kind: Kind, p: PoolId, disaster: bool, message: String) {
        self.record(LogKind::AdminError, Some(p), format!("{}: {message}", kind.name()));
        self.failovers.push(FailoverOutcome {
            cmdlet: kind.name(),
            pool: self.fqdn(p).to_string(),
            started: self.now,
            completed: None,
            disaster_mode: disaster,
            data_lost: None,
            restored: None,
            error: Some(message),
        });
    }

    fn begin(
        &mut self,
        kind: Kind,
        p: PoolId,
        disaster: bool,
        steps: Vec<Step>,
        sched: &mut Scheduler<WorldEvent>,
    ) {
        let flag = if disaster { " -DisasterMode" } else { "" };
        self.record(
            LogKind::Admin,
            Some(p),
            format!("{} -PoolFqdn {}{flag} -Verbose", kind.name(), self.fqdn(p)),
        );
        self.failovers.push(FailoverOutcome {
            cmdlet: kind.name(),
            pool: self.fqdn(p).to_string(),
            started: self.now,
            completed: None,
            disaster_mode: disaster,
            data_lost: None,
            restored: None,
            error: None,
        });
        let record = self.failovers.len() - 1;
        // A failover or failback disrupts users: time to restore counts from the first one.
        self.fault();
        self.pools[p].cmdlet = Some(Cmdlet { kind, disaster, steps, next: 0, record, read_only: false });
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

    /// `Invoke-CsPoolFailover -PoolFqdn p [-DisasterMode]`.
    pub(super) fn start_failover(&mut self, p: PoolId, disaster: bool, sched: &mut Scheduler<WorldEvent>) {
        let kind = Kind::Failover;
        let Some(b) = self.cmdlet_partner(kind, p, disaster) else { return };
        if self.pools[p].config_state != PoolState::Active
            && self.pools[p].config_state != PoolState::FailedBack
        {
            let state = self.pools[p].config_state.name();
            return self.admin_error(
                kind,
                p,
                disaster,
                format!("pool state is {state}; it can only fail over from Active"),
            );
        }
        if !self.serving(b) {
            let msg =
                format!("backup pool {} is unreachable; there is nothing to fail over to", self.fqdn(b));
            return self.admin_error(kind, p, disaster, msg);
        }
        if p == self.cms_host {
            let msg = "the pool hosts the Central Management Store; move it first with \
                       Invoke-CsManagementServerFailover";
            return self.admin_error(kind, p, disaster, msg.into());
        }
        let partner_state = self.pools[b].config_state;
        if !matches!(partner_state, PoolState::Active | PoolState::FailedBack) {
            let msg = format!(
                "the paired pool {} is {}: fail it back first (the pools swap roles only in that order)",
                self.fqdn(b),
                partner_state.name()
            );
            return self.admin_error(kind, p, disaster, msg);
        }
        if let Some(msg) = self.cms_unavailable() {
            return self.admin_error(kind, p, disaster, msg);
        }
        if !disaster && !self.serving(p) {
            return self.admin_error(kind, p, disaster, "pool is unreachable; use -DisasterMode".into());
        }
        let own_back_end = !matches!(self.config.pool(p).back_end, BackEnd::Local);
        if !disaster && own_back_end && !self.back_end_up(p) {
            let msg = "the pool's back end is unavailable; use -DisasterMode".to_string();
            return self.admin_error(kind, p, disaster, msg);
        }
        let reachable = self.serving(p);
        let mut steps = vec![Step::Lookup];
        steps.push(if disaster { Step::Skipped("Backup-CsPool -SteadyState") } else { Step::SteadyState });
        steps.push(if reachable {
            Step::CmsReplication
        } else {
            Step::Skipped("Invoke-CsManagementStoreReplication")
        });
        steps.push(Step::FailingOver);
        steps.push(if disaster { Step::Skipped("Backup-CsPool -FullBackup") } else { Step::FullBackup });
        steps.push(Step::SyncUserData);
        steps.extend((0..self.config.pool(p).routing_groups).map(|r| Step::Hydrate(RoutingGroupId(r))));
        steps.extend([Step::FailedOver, Step::ServiceReset, Step::StopServices, Step::Done]);
        self.begin(kind, p, disaster, steps, sched);
    }

    /// `Invoke-CsPoolFailback -PoolFqdn p [-DisasterMode]`.
    pub(super) fn start_failback(&mut self, p: PoolId, disaster: bool, sched: &mut Scheduler<WorldEvent>) {
        let kind = Kind::Failback;
        let Some(b) = self.cmdlet_partner(kind, p, disaster) else { return };
        if self.pools[p].config_state != PoolState::FailedOver {
            let state = self.pools[p].config_state.name();
            return self.admin_error(
                kind,
                p,
                disaster,
                format!("pool state is {state}; only a FailedOver pool fails back"),
            );
        }
        if !self.could_serve(p) {
            let msg = "pool is unreachable or below quorum; repair it before failing back".into();
            return self.admin_error(kind, p, disaster, msg);
        }
        if !disaster && !self.serving(b) {
            let msg = format!("backup pool {} is unreachable; use -DisasterMode", self.fqdn(b));
            return self.admin_error(kind, p, disaster, msg);
        }
        let mut steps = vec![Step::StopRtcsrv, Step::StartBackup, Step::StartReplica, Step::CmsReplication];
        steps.push(if disaster {
            Step::Skipped("Backup-CsPool -SteadyState -FailedOverPoolOnly")
        } else {
            Step::SteadyState
        });
        steps.extend([Step::StartRtcsrv, Step::FailingBack]);
        steps.push(if disaster {
            Step::Skipped("Backup-CsPool -FullBackup -FailedOverPoolOnly")
        } else {
            Step::FullBackup
        });
        steps.push(Step::SyncUserData);
        steps.extend((0..self.config.pool(p).routing_groups).map(|r| Step::Hydrate(RoutingGroupId(r))));
        steps.extend([Step::Active, Step::Done]);
        self.begin(kind, p, disaster, steps, sched);
    }

    /// Run the next step of the cmdlet against `p`.
    pub(super) fn cmdlet_step(&mut self, p: PoolId, sched: &mut Scheduler<WorldEvent>) {
        let Some(c) = self.pools[p].cmdlet.as_mut() else { return };
        let step = c.steps[c.next];
        c.next += 1;
        let (kind, disaster) = (c.kind, c.disaster);
        let b = self.partner(p).expect("checked when the cmdlet started");
        let lost = match kind {
            Kind::Failover if !self.serving(b) => {
                Some(format!("backup pool {} became unreachable", self.fqdn(b)))
            }
            Kind::Failback if !self.could_serve(p) => Some("the pool became unreachable".to_string()),
            Kind::Failback if !disaster && !self.serving(b) => {
                Some(format!("backup pool {} became unreachable; use -DisasterMode", self.fqdn(b)))
            }
            _ => None,
        };
        if let (Some(message), false) = (lost, step == Step::Done) {
            return self.abort(p, kind, message, sched);
        }
        let wait = match (step, kind) {
            (Step::CmsReplication, _) => {
                let pf = self.fqdn(p).to_string();
                let d = format!(
                    "Invoke-CsManagementStoreReplication -ReplicaFqdn {pf}; \
                     Get-CsManagementStoreReplicationStatus -ReplicaFqdn {pf}"
                );
                self.record(LogKind::Admin, Some(p), d);
                let t = self.config.timing.cms_replication;
                Some(t.sample(&mut self.pools[p].rng))
            }
            (Step::Skipped(what), _) => {
                self.record(LogKind::Admin, Some(p), format!("{what}: skipped (-DisasterMode)"));
                Some(SimTime::ZERO)
            }
            (_, Kind::Failover) => self.failover_step(p, step, disaster, sched),
            (_, Kind::Failback) => self.failback_step(p, step, disaster, sched),
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

    fn quick(&mut self, p: PoolId) -> SimTime {
        let d = self.config.timing.cmdlet_step;
        d.sample(&mut self.pools[p].rng)
    }

    fn set_read_only(&mut self, p: PoolId) {
        if let Some(c) = self.pools[p].cmdlet.as_mut() {
            c.read_only = true;
        }
        self.update_streams(p);
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

    fn hydrate(&mut self, p: PoolId, on: PoolId, rg: RoutingGroupId) -> SimTime {
        let cfg = &self.config.pool(p);
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

    fn lose_data(&mut self, p: PoolId, lost: SimTime, what: &str) {
        if let Some(c) = &self.pools[p].cmdlet {
            let record = &mut self.failovers[c.record];
            record.data_lost = Some(record.data_lost.map_or(lost, |d| d.max(lost)));
        }
        self.rpo_realized = Some(self.rpo_realized.map_or(lost, |r| r.max(lost)));
        let secs = lost.as_millis() as f64 / 1000.0;
        self.record(LogKind::Warning, Some(p), format!("{what}: {secs:.1} s of user changes lost"));
    }

    fn finish(&mut self, p: PoolId, kind: Kind, sched: &mut Scheduler<WorldEvent>) {
        if let Some(c) = self.pools[p].cmdlet.take() {
            self.failovers[c.record].completed = Some(self.now);
            self.pools[p].restore_watch = Some(c.record);
            self.check_restored(p);
        }
        self.record(LogKind::Admin, Some(p), format!("{} completed", kind.name()));
        self.update_streams(p);
        self.admin_watch(p, sched);
    }

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

    fn failover_step(
        &mut self,
        p: PoolId,
        step: Step,
        disaster: bool,
        sched: &mut Scheduler<WorldEvent>,
    ) -> Option<SimTime> {
        let b = self.partner(p).expect("checked when the cmdlet started");
        let (pf, bf, id) = (self.fqdn(p).to_string(), self.fqdn(b).to_string(), self.registrar_identity(p));
        match step {
            Step::Lookup => {
                self.record(
                    LogKind::Admin,
                    Some(p),
                    format!("Get-CsRegistrarConfiguration -Identity {id} -LocalStore:$false"),
                );
                if !self.pools[p].has_pool_config {
                    let w = format!("WARNING: Cannot find \"RegistrarConfiguration\" \"Registrar:{pf}\" because it does not exist.");
                    self.record(LogKind::Warning, Some(p), w);
                }
                Some(self.quick(p))
            }
            Step::SteadyState => {
                let d = format!("Backup-CsPool -PoolFqdn {pf} -LocalStore:$false -SteadyState -Category UserData: Attempting to get into steady state.");
                self.record(LogKind::Admin, Some(p), d);
                self.set_read_only(p);
                self.backup_step(p, Kind::Failover, false, false, sched)
            }
            Step::FailingOver => {
                self.record(LogKind::Admin, Some(p), format!("Get-CsRegistrarConfiguration -Identity {id}"));
                let verb = if self.pools[p].has_pool_config { "Set" } else { "New" };
                self.record(
                    LogKind::Admin,
                    Some(p),
                    format!("{verb}-CsRegistrarConfiguration -Identity {id} -PoolState FailingOver"),
                );
                self.create_pool_config(p);
                self.set_state_everywhere(p, PoolState::FailingOver);
                // A failover in progress puts the pool's signed-in users in limited
                // functionality mode (KB-LFM); new sign-ins are refused.
                self.switch_in_place(p, ClientState::Full, ClientState::Resiliency);
                self.set_read_only(p);
                Some(self.quick(p))
            }
            Step::FullBackup => {
                let d = format!("Backup-CsPool -PoolFqdn {pf} -LocalStore:$false -FullBackup -Category UserData: Attempting to get into final state.");
                self.record(LogKind::Admin, Some(p), d);
                self.backup_step(p, Kind::Failover, false, true, sched)
            }
            Step::SyncUserData => {
                let d = format!("Sync-CsUserData -PoolFqdn {pf} -Target: Hydrating Routing Groups Owned by {pf} on Pool {bf}.");
                self.record(LogKind::Admin, Some(p), d);
                let lost = self.pools[p].out_stream.as_ref().map(|s| s.unreplicated(self.now));
                if disaster {
                    self.lose_data(
                        p,
                        lost.unwrap_or(SimTime::ZERO),
                        "-DisasterMode: unreplicated data of this pool",
                    );
                }
                Some(SimTime::ZERO)
            }
            Step::Hydrate(rg) => Some(self.hydrate(p, b, rg)),
            Step::FailedOver => {
                self.record(
                    LogKind::Admin,
                    Some(p),
                    format!("Set-CsRegistrarConfiguration -Identity {id} -PoolState FailedOver"),
                );
                self.set_state_everywhere(p, PoolState::FailedOver);
                self.host_on_partner(p, sched);
                Some(self.quick(p))
            }
            Step::ServiceReset => {
                let d = format!(
                    "Reset-CsPoolRegistrarState -PoolFqdn {pf} -ResetType ServiceReset -Force -NoReStart"
                );
                self.record(LogKind::Admin, Some(p), d);
                Some(self.quick(p))
            }
            Step::StopServices => {
                let d = format!(
                    "Stop-CsWindowsService -ComputerName {pf} -LeaveClsAgentRunning -NoWait -Verbose"
                );
                self.record(LogKind::Service, Some(p), d);
                for service in [Service::Backup, Service::Mediation, Service::FrontEnd] {
                    self.set_all(p, service, false, sched);
                }
                Some(self.quick(p))
            }
            Step::Done => {
                self.finish(p, Kind::Failover, sched);
                None
            }
            _ => unreachable!("failback step {step:?} in a failover"),
        }
    }

    fn failback_step(
        &mut self,
        p: PoolId,
        step: Step,
        disaster: bool,
        sched: &mut Scheduler<WorldEvent>,
    ) -> Option<SimTime> {
        let b = self.partner(p).expect("checked when the cmdlet started");
        let (pf, bf, id) = (self.fqdn(p).to_string(), self.fqdn(b).to_string(), self.registrar_identity(p));
        match step {
            Step::StopRtcsrv => {
                let d = format!("Get-CsWindowsService -Name 'RTCSRV' -ComputerName '{pf}'; Stop-CsWindowsService -LeaveClsAgentRunning -Name RTCSRV -ComputerName {pf} -NoWait -Verbose");
                self.record(LogKind::Service, Some(p), d);
                self.set_all(p, Service::FrontEnd, false, sched);
                Some(self.quick(p))
            }
            Step::StartBackup => {
                self.record(
                    LogKind::Service,
                    Some(p),
                    format!("Start-CsWindowsService -Name LYNCBACKUP -ComputerName {pf} -Verbose"),
                );
                self.set_all(p, Service::Backup, true, sched);
                Some(self.quick(p))
            }
            Step::StartReplica => {
                self.record(
                    LogKind::Service,
                    Some(p),
                    format!("Start-CsWindowsService -Name REPLICA -ComputerName {pf} -Verbose"),
                );
                Some(self.quick(p))
            }
            Step::SteadyState => {
                let d = format!("Backup-CsPool -PoolFqdn {bf} -LocalStore:$false -SteadyState -Category UserData -FailedOverPoolOnly: Attempting to get into steady state.");
                self.record(LogKind::Admin, Some(p), d);
                self.set_read_only(p);
                self.backup_step(p, Kind::Failback, true, false, sched)
            }
            Step::StartRtcsrv => {
                let d = format!("Get-CsWindowsService -Name 'RTCSRV' -ComputerName '{pf}'; Start-CsWindowsService -Name RTCSRV -ComputerName {pf} -NoWait -Verbose");
                self.record(LogKind::Service, Some(p), d);
                self.set_all(p, Service::Mediation, true, sched);
                self.set_all(p, Service::FrontEnd, true, sched);
                Some(self.quick(p))
            }
            Step::FailingBack => {
                self.record(
                    LogKind::Admin,
                    Some(p),
                    format!("Set-CsRegistrarConfiguration -Identity {id} -PoolState FailingBack"),
                );
                self.set_state_everywhere(p, PoolState::FailingBack);
                if disaster {
                    let lost = self.pools[p].back_stream.as_ref().map(|s| s.unreplicated(self.now));
                    let what = format!("-DisasterMode: changes made on {bf} not yet replicated");
                    self.lose_data(p, lost.unwrap_or(SimTime::ZERO), &what);
                }
                self.set_read_only(p);
                // The partner stops serving the pool's users: each is signed out and signs
                // in to its home pool, in resiliency mode until the failback completes.
                self.pools[p].hosted_by_partner = false;
                for u in self.users_of(p, b, ClientState::FailedOver) {
                    self.enqueue(p, u, false, sched);
                }
                if !self.pools[p].heartbeat_ok {
                    self.arm_backup_detection(p, sched);
                }
                self.update_streams(p);
                self.wake_parked(p, sched);
                Some(self.quick(p))
            }
            Step::FullBackup => {
                let d = format!("Backup-CsPool -PoolFqdn {bf} -LocalStore:$false -FullBackup -Category UserData -FailedOverPoolOnly: Attempting to get into final state.");
                self.record(LogKind::Admin, Some(p), d);
                self.backup_step(p, Kind::Failback, true, true, sched)
            }
            Step::SyncUserData => {
                let d = format!(
                    "Sync-CsUserData -PoolFqdn {pf}: Hydrating Routing Groups Owned by {pf} on Pool {pf}."
                );
                self.record(LogKind::Admin, Some(p), d);
                Some(SimTime::ZERO)
            }
            Step::Hydrate(rg) => Some(self.hydrate(p, p, rg)),
            Step::Active => {
                self.record(
                    LogKind::Admin,
                    Some(p),
                    format!("Set-CsRegistrarConfiguration -Identity {id} -PoolState Active"),
                );
                self.set_state_everywhere(p, PoolState::Active);
                self.pools[p].hosted_by_partner = false;
                self.reevaluate_home(p, sched);
                let now = self.now;
                let pool = &mut self.pools[p];
                pool.back_stream = None;
                if let Some(s) = pool.out_stream.as_mut() {
                    s.reset(now);
                }
                self.wake_parked(p, sched);
                Some(SimTime::ZERO)
            }
            Step::Done => {
                self.finish(p, Kind::Failback, sched);
                None
            }
            _ => unreachable!("failover step {step:?} in a failback"),
        }
    }

    /// A PoolState change by hand bypasses the Backup Service's final sync: what was not
    /// replicated is lost.
    fn lose_by_hand(&mut self, p: PoolId, lost: Option<SimTime>, what: &str) {
        let Some(lost) = lost.filter(|l| *l > SimTime::ZERO) else { return };
        self.rpo_realized = Some(self.rpo_realized.map_or(lost, |r| r.max(lost)));
        let secs = lost.as_millis() as f64 / 1000.0;
        let detail = format!("PoolState set by hand: {what}: {secs:.1} s of user changes lost");
        self.record(LogKind::Warning, Some(p), detail);
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

    /// `Set-CsRegistrarConfiguration -PoolState` by hand: the configuration store changes
    /// now; the pool's registrar applies it at its poll, its partner at its own poll.
    pub(super) fn set_pool_state_by_hand(
        &mut self,
        p: PoolId,
        state: PoolState,
        sched: &mut Scheduler<WorldEvent>,
    ) {
        let id = self.registrar_identity(p);
        if self.cmdlet_busy(p) {
            let msg = "a failover or failback of this pair is in progress".to_string();
            self.record(LogKind::AdminError, Some(p), format!("Set-CsRegistrarConfiguration: {msg}"));
            return;
        }
        if let Some(msg) = self.cms_unavailable() {
            self.record(LogKind::AdminError, Some(p), format!("Set-CsRegistrarConfiguration: {msg}"));
            return;
        }
        self.fault();
        let verb = if self.pools[p].has_pool_config { "Set" } else { "New" };
        self.record(
            LogKind::Admin,
            Some(p),
            format!("{verb}-CsRegistrarConfiguration -Identity {id} -PoolState {}", state.name()),
        );
        self.create_pool_config(p);
        self.pools[p].config_state = state;
        let pool = &mut self.pools[p];
        pool.manual_change += 1;
        let change = pool.manual_change;
        let t = self.config.timing;
        let own = t.registrar_poll_failed_pool.sample(&mut pool.rng);
        let partner = own.saturating_add(t.registrar_poll_backup_pool.sample(&mut pool.rng));
        let _ = sched.schedule_in(own, WorldEvent::RegistrarPoll { pool: p, partner: false, state, change });
        let _ =
            sched.schedule_in(partner, WorldEvent::RegistrarPoll { pool: p, partner: true, state, change });
    }

    /// A registrar's poll acts on a PoolState changed by hand.
    pub(super) fn registrar_poll(
        &mut self,
        p: PoolId,
        partner: bool,
        state: PoolState,
        change: u32,
        sched: &mut Scheduler<WorldEvent>,
    ) {
        if self.pools[p].manual_change != change {
            return;
        }
        let serving_home =
            matches!(state, PoolState::Active | PoolState::FailedBack | PoolState::FailingBack);
        if !partner {
            if !self.serving(p) {
                return; // a stopped registrar reads the configuration when it starts
            }
            self.pools[p].home_view = state;
            if state == PoolState::FailingOver {
                // Failover in progress: signed-in users keep limited functionality (KB-LFM).
                let detail =
                    "registrar applies PoolState FailingOver: limited functionality, no new sign-ins";
                self.record(LogKind::RegistrarPoll, Some(p), detail.to_string());
                self.reevaluate_home(p, sched);
            } else if serving_home {
                self.reevaluate_home(p, sched);
                self.record(
                    LogKind::RegistrarPoll,
                    Some(p),
                    format!("registrar applies PoolState {}: accepts its users", state.name()),
                );
                self.wake_parked(p, sched);
            } else {
                let mut gone = self.users_of(p, p, ClientState::Full);
                gone.extend(self.users_of(p, p, ClientState::Resiliency));
                let detail = format!(
                    "registrar applies PoolState {}: deregisters its {} clients",
                    state.name(),
                    gone.len()
                );
                self.record(LogKind::RegistrarPoll, Some(p), detail);
                for u in gone {
                    self.lose_registrar(u, p, true, sched);
                }
            }
            return;
        }
        let Some(b) = self.partner(p) else { return };
        if !self.serving(b) {
            return;
        }
        let pf = self.fqdn(p).to_string();
        if state == PoolState::FailedOver && !self.pools[p].hosted_by_partner {
            self.record(
                LogKind::RegistrarPoll,
                Some(b),
                format!("registrar loads the routing groups of {pf} (PoolState FailedOver)"),
            );
            let lost = self.pools[p].out_stream.as_ref().map(|s| s.unreplicated(self.now));
            self.lose_by_hand(p, lost, "the partner loaded the routing groups without a final backup");
            self.host_on_partner(p, sched);
        } else if serving_home && self.pools[p].hosted_by_partner {
            let gone = self.users_of(p, b, ClientState::FailedOver);
            let detail = format!(
                "registrar unloads the routing groups of {pf} (PoolState {}): deregisters {} clients",
                state.name(),
                gone.len()
            );
            self.record(LogKind::RegistrarPoll, Some(b), detail);
            self.pools[p].hosted_by_partner = false;
            let lost = self.pools[p].back_stream.take().map(|s| s.unreplicated(self.now));
            self.lose_by_hand(p, lost, "changes made on the partner that were not replicated back");
            for u in gone {
                self.lose_registrar(u, b, true, sched);
            }
            if !self.pools[p].heartbeat_ok {
                self.arm_backup_detection(p, sched);
            }
            self.update_streams(p);
        }
    }
}

impl World {
    /// `Invoke-CsManagementServerFailover`: the Central Management Store moves to `to`,
    /// the paired pool of the pool that hosts it, after `timing.cms_failover`.
    pub(super) fn cms_failover(&mut self, to: PoolId, sched: &mut Scheduler<WorldEvent>) {
        let from = self.cms_host;
        let detail = format!(
            "Invoke-CsManagementServerFailover: moving the Central Management Store from {} to {}",
            self.fqdn(from),
            self.fqdn(to)
        );
        self.record(LogKind::Admin, Some(to), detail);
        let error = if self.cms_moving {
            Some("a failover of the Central Management Store is in progress".to_string())
        } else if to == from {
            Some("the pool already hosts the Central Management Store".to_string())
        } else if self.partner(from) != Some(to) {
            Some(format!(
                "the Central Management Store is on {}; it can only move to that pool's paired pool",
                self.fqdn(from)
            ))
        } else if !self.serving(to) {
            Some("the target pool is unreachable".to_string())
        } else {
            None
        };
        if let Some(e) = error {
            return self.record(
                LogKind::AdminError,
                Some(to),
                format!("Invoke-CsManagementServerFailover: {e}"),
            );
        }
        self.cms_moving = true;
        let delay = self.config.timing.cms_failover.sample(&mut self.pools[to].rng);
        let _ = sched.schedule_in(delay, WorldEvent::CmsMoved { to });
    }

    pub(super) fn cms_moved(&mut self, to: PoolId) {
        self.cms_host = to;
        self.cms_moving = false;
        self.record(LogKind::Admin, Some(to), "Central Management Store is active on this pool".to_string());
    }

    /// `Reset-CsPoolRegistrarState -ResetType ServiceReset | QuorumLossRecovery`.
    pub(super) fn reset_registrar_state(
        &mut self,
        p: PoolId,
        reset: ResetType,
        sched: &mut Scheduler<WorldEvent>,
    ) {
        let fqdn = self.fqdn(p).to_string();
        self.record(
            LogKind::Admin,
            Some(p),
            format!("Reset-CsPoolRegistrarState -PoolFqdn {fqdn} -ResetType {reset:?}"),
        );
        match reset {
            ResetType::ServiceReset => {
                // RTCSRV restarts on every front end: their clients are deregistered and sign
                // in again once the services are back.
                self.set_all(p, Service::FrontEnd, false, sched);
                let delay = self.quick(p);
                let _ = sched.schedule_in(delay, WorldEvent::ServiceResetDone { pool: p });
            }
            ResetType::QuorumLossRecovery => {
                let error = if !self.serving(p) {
                    Some("the pool has no quorum: bring front ends back first")
                } else if !self.back_end_up(p) {
                    Some("the back end is unavailable: routing groups are reloaded from it")
                } else {
                    None
                };
                if let Some(e) = error {
                    return self.record(
                        LogKind::AdminError,
                        Some(p),
                        format!("Reset-CsPoolRegistrarState: {e}"),
                    );
                }
                if self.pools[p].rgs.iter().all(|rg| rg.status != super::pool::RgStatus::Down) {
                    let detail = "QuorumLossRecovery: no routing group is in quorum loss; nothing to recover";
                    return self.record(LogKind::Admin, Some(p), detail.to_string());
                }
                let delay = self.config.timing.quorum_loss_recovery.sample(&mut self.pools[p].rng);
                let _ = sched.schedule_in(delay, WorldEvent::QuorumRecovered { pool: p });
            }
        }
    }

    pub(super) fn service_reset_done(&mut self, p: PoolId, sched: &mut Scheduler<WorldEvent>) {
        self.record(LogKind::Service, Some(p), "ServiceReset: RTCSRV started on every front end".to_string());
        self.set_all(p, Service::FrontEnd, true, sched);
    }

    /// QuorumLossRecovery completes: routing groups without a running replica are reloaded
    /// from the back end onto running front ends; what was not yet written there is lost.
    pub(super) fn quorum_recovered(&mut self, p: PoolId, sched: &mut Scheduler<WorldEvent>) {
        let pool = &mut self.pools[p];
        let running: Vec<bool> = pool.servers.iter().map(|s| pool.running && !s.down && s.rtcsrv).collect();
        let mut reloaded = 0;
        for (r, rg) in pool.rgs.iter_enumerated_mut() {
            if rg.status == super::pool::RgStatus::Down && rg.replace_on(r.0, &running) {
                reloaded += 1;
            }
        }
        let detail = format!(
            "QuorumLossRecovery: {reloaded} routing groups reloaded from the back end onto running front ends; \
             changes not yet written to the back end are lost"
        );
        self.record(LogKind::Warning, Some(p), detail);
        self.refresh_pool(p, false, sched);
        self.wake_parked(p, sched);
    }
}

impl World {
    /// `ImportCsRgsConfiguration(pool)`: Response Group data reaches the pool that serves a
    /// failed-over pool's users. `pool` names the receiving pool; naming instead a pool that
    /// is failed over (or failing over) imports its configuration into its partner.
    pub(super) fn import_rgs(&mut self, named: PoolId) {
        let Some(other) = self.partner(named) else { return };
        let named_is_failed =
            matches!(self.pools[named].config_state, PoolState::FailedOver | PoolState::FailingOver);
        let (p, b) = if named_is_failed { (named, other) } else { (other, named) };
        self.record(
            LogKind::Admin,
            Some(b),
            format!("Import-CsRgsConfiguration: Response Group configuration of {} imported", self.fqdn(p)),
        );
        if self.pools[p].rgs_on_partner {
            return;
        }
        self.pools[p].rgs_on_partner = true;
        let on_b = self.users_of(p, b, ClientState::FailedOver).len() as u64;
        self.counts.failed_over_with_rgs += on_b;
    }
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
