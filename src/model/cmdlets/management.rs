//! The other cmdlets: `Invoke-CsManagementServerFailover` (the Central Management Store
//! moves to the paired pool), `Reset-CsPoolRegistrarState` (`ServiceReset`,
//! `QuorumLossRecovery`) and `Import-CsRgsConfiguration` (Response Group data).

use crate::engine::Scheduler;
use crate::model::pool::RgStatus;
use crate::model::{ClientState, LogKind, PoolId, PoolState, ResetType, Service, World, WorldEvent};

impl World {
    /// `Invoke-CsManagementServerFailover`: the Central Management Store moves to `to`,
    /// the paired pool of the pool that hosts it, after `timing.cms_failover`.
    pub(in crate::model) fn cms_failover(&mut self, to: PoolId, sched: &mut Scheduler<WorldEvent>) {
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

    /// `CmsMoved`: the Central Management Store is active on `to`.
    pub(in crate::model) fn cms_moved(&mut self, to: PoolId) {
        self.cms_host = to;
        self.cms_moving = false;
        self.record(LogKind::Admin, Some(to), "Central Management Store is active on this pool".to_string());
    }

    /// `Reset-CsPoolRegistrarState -ResetType ServiceReset | QuorumLossRecovery`.
    pub(in crate::model) fn reset_registrar_state(
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
                if self.pools[p].rgs.iter().all(|rg| rg.status != RgStatus::Down) {
                    let detail = "QuorumLossRecovery: no routing group is in quorum loss; nothing to recover";
                    return self.record(LogKind::Admin, Some(p), detail.to_string());
                }
                let delay = self.config.timing.quorum_loss_recovery.sample(&mut self.pools[p].rng);
                let _ = sched.schedule_in(delay, WorldEvent::QuorumRecovered { pool: p });
            }
        }
    }

    /// `ServiceResetDone`: RTCSRV runs again on every front end.
    pub(in crate::model) fn service_reset_done(&mut self, p: PoolId, sched: &mut Scheduler<WorldEvent>) {
        self.record(LogKind::Service, Some(p), "ServiceReset: RTCSRV started on every front end".to_string());
        self.set_all(p, Service::FrontEnd, true, sched);
    }

    /// QuorumLossRecovery completes: routing groups without a running replica are reloaded
    /// from the back end onto running front ends; what was not yet written there is lost.
    pub(in crate::model) fn quorum_recovered(&mut self, p: PoolId, sched: &mut Scheduler<WorldEvent>) {
        let pool = &mut self.pools[p];
        // Front ends still rebuilding their replicas are not used (docs/model.md#routing-groups).
        let running: Vec<bool> =
            pool.servers.iter().map(|s| pool.running && !s.down && s.rtcsrv && !s.rebuilding).collect();
        let mut reloaded = 0;
        for (r, rg) in pool.rgs.iter_enumerated_mut() {
            if rg.status == RgStatus::Down && rg.replace_on(r.0, &running) {
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

    /// `ImportCsRgsConfiguration(pool)`: Response Group data reaches the pool that serves a
    /// failed-over pool's users. `pool` names the receiving pool; naming instead a pool that
    /// is failed over (or failing over) imports its configuration into its partner.
    pub(in crate::model) fn import_rgs(&mut self, named: PoolId) {
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
