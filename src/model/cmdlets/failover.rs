//! `Invoke-CsPoolFailover`: the pool's users move to its paired pool, which loads (hydrates)
//! the pool's routing groups from the Backup Service's copy of their data.

use super::{Kind, Plan};
use crate::engine::{Scheduler, SimTime};
use crate::model::{
    BackEnd, ClientState, LogKind, PoolId, PoolState, RoutingGroupId, Service, World, WorldEvent,
};

/// One step of `Invoke-CsPoolFailover`, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FailoverStep {
    /// `Get-CsRegistrarConfiguration` of the pool.
    Lookup,
    /// `Backup-CsPool -SteadyState`: wait for steady state; the pool's data goes read-only.
    SteadyState,
    /// Replicate the Central Management Store to the pool.
    CmsReplication,
    /// PoolState `FailingOver`: signed-in users keep limited functionality.
    FailingOver,
    /// `Backup-CsPool -FullBackup`: wait for the final state.
    FullBackup,
    /// `Sync-CsUserData`: what was not replicated is lost (`-DisasterMode`).
    SyncUserData,
    /// The partner loads one routing group.
    Hydrate(RoutingGroupId),
    /// PoolState `FailedOver`: the partner serves the pool's users.
    FailedOver,
    /// `Reset-CsPoolRegistrarState -ResetType ServiceReset` (logged).
    ServiceReset,
    /// The pool's services stop.
    StopServices,
    /// A step `-DisasterMode` skips (logged).
    Skipped(&'static str),
    /// The cmdlet completes.
    Done,
}

impl World {
    /// `Invoke-CsPoolFailover -PoolFqdn p [-DisasterMode]`.
    pub(in crate::model) fn start_failover(
        &mut self,
        p: PoolId,
        disaster: bool,
        sched: &mut Scheduler<WorldEvent>,
    ) {
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
        use FailoverStep::*;
        let mut steps = vec![Lookup];
        steps.push(if disaster { Skipped("Backup-CsPool -SteadyState") } else { SteadyState });
        steps.push(if reachable { CmsReplication } else { Skipped("Invoke-CsManagementStoreReplication") });
        steps.push(FailingOver);
        steps.push(if disaster { Skipped("Backup-CsPool -FullBackup") } else { FullBackup });
        steps.push(SyncUserData);
        steps.extend((0..self.config.pool(p).routing_groups).map(|r| Hydrate(RoutingGroupId(r))));
        steps.extend([FailedOver, ServiceReset, StopServices, Done]);
        self.begin(p, disaster, Plan::Failover(steps), sched);
    }

    /// Run one step of a failover, unless the pool pair can no longer support it (then the
    /// cmdlet aborts). Returns the wait before the next step; `None` once the cmdlet ended.
    pub(super) fn failover_step(
        &mut self,
        p: PoolId,
        step: FailoverStep,
        disaster: bool,
        sched: &mut Scheduler<WorldEvent>,
    ) -> Option<SimTime> {
        let b = self.partner(p).expect("checked when the cmdlet started");
        if step != FailoverStep::Done && !self.serving(b) {
            let message = format!("backup pool {} became unreachable", self.fqdn(b));
            self.abort(p, Kind::Failover, message, sched);
            return None;
        }
        let (pf, bf, id) = (self.fqdn(p).to_string(), self.fqdn(b).to_string(), self.registrar_identity(p));
        match step {
            FailoverStep::CmsReplication => Some(self.cms_replication(p)),
            FailoverStep::Skipped(what) => Some(self.skipped(p, what)),
            FailoverStep::Lookup => {
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
            FailoverStep::SteadyState => {
                let d = format!("Backup-CsPool -PoolFqdn {pf} -LocalStore:$false -SteadyState -Category UserData: Attempting to get into steady state.");
                self.record(LogKind::Admin, Some(p), d);
                self.set_read_only(p);
                self.backup_step(p, Kind::Failover, false, false, sched)
            }
            FailoverStep::FailingOver => {
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
            FailoverStep::FullBackup => {
                let d = format!("Backup-CsPool -PoolFqdn {pf} -LocalStore:$false -FullBackup -Category UserData: Attempting to get into final state.");
                self.record(LogKind::Admin, Some(p), d);
                self.backup_step(p, Kind::Failover, false, true, sched)
            }
            FailoverStep::SyncUserData => {
                let d = format!("Sync-CsUserData -PoolFqdn {pf} -Target: Hydrating Routing Groups Owned by {pf} on Pool {bf}.");
                self.record(LogKind::Admin, Some(p), d);
                if disaster {
                    let stream = self.pools[p].out_stream.clone();
                    self.lose_data(p, stream.as_ref(), "-DisasterMode: unreplicated data of this pool");
                }
                Some(SimTime::ZERO)
            }
            FailoverStep::Hydrate(rg) => Some(self.hydrate(p, b, rg)),
            FailoverStep::FailedOver => {
                self.record(
                    LogKind::Admin,
                    Some(p),
                    format!("Set-CsRegistrarConfiguration -Identity {id} -PoolState FailedOver"),
                );
                self.set_state_everywhere(p, PoolState::FailedOver);
                self.host_on_partner(p, sched);
                Some(self.quick(p))
            }
            FailoverStep::ServiceReset => {
                let d = format!(
                    "Reset-CsPoolRegistrarState -PoolFqdn {pf} -ResetType ServiceReset -Force -NoReStart"
                );
                self.record(LogKind::Admin, Some(p), d);
                Some(self.quick(p))
            }
            FailoverStep::StopServices => {
                let d = format!(
                    "Stop-CsWindowsService -ComputerName {pf} -LeaveClsAgentRunning -NoWait -Verbose"
                );
                self.record(LogKind::Service, Some(p), d);
                for service in [Service::Backup, Service::Mediation, Service::FrontEnd] {
                    self.set_all(p, service, false, sched);
                }
                Some(self.quick(p))
            }
            FailoverStep::Done => {
                self.finish(p, Kind::Failover, sched);
                None
            }
        }
    }
}
