//! `Invoke-CsPoolFailback`: a repaired pool takes its users back from its paired pool, after
//! the Backup Service has replicated their changes back.

use super::{Kind, Plan};
use crate::engine::{Scheduler, SimTime};
use crate::model::{ClientState, LogKind, PoolId, PoolState, RoutingGroupId, Service, World, WorldEvent};

/// One step of `Invoke-CsPoolFailback`, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FailbackStep {
    /// RTCSRV stops on the pool's front ends.
    StopRtcsrv,
    /// LYNCBACKUP starts.
    StartBackup,
    /// REPLICA starts (logged).
    StartReplica,
    /// Replicate the Central Management Store to the pool.
    CmsReplication,
    /// `Backup-CsPool -SteadyState -FailedOverPoolOnly`; the data goes read-only.
    SteadyState,
    /// RTCSRV and Mediation start.
    StartRtcsrv,
    /// PoolState `FailingBack`: the partner stops serving the pool's users, who sign in at
    /// home in resiliency mode.
    FailingBack,
    /// `Backup-CsPool -FullBackup -FailedOverPoolOnly`: wait for the final state.
    FullBackup,
    /// `Sync-CsUserData` (logged).
    SyncUserData,
    /// The pool loads one routing group.
    Hydrate(RoutingGroupId),
    /// PoolState `Active`: the pool serves its users fully again.
    Active,
    /// A step `-DisasterMode` skips (logged).
    Skipped(&'static str),
    /// The cmdlet completes.
    Done,
}

impl World {
    /// `Invoke-CsPoolFailback -PoolFqdn p [-DisasterMode]`.
    pub(in crate::model) fn start_failback(
        &mut self,
        p: PoolId,
        disaster: bool,
        sched: &mut Scheduler<WorldEvent>,
    ) {
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
        use FailbackStep::*;
        let mut steps = vec![StopRtcsrv, StartBackup, StartReplica, CmsReplication];
        steps.push(if disaster {
            Skipped("Backup-CsPool -SteadyState -FailedOverPoolOnly")
        } else {
            SteadyState
        });
        steps.extend([StartRtcsrv, FailingBack]);
        steps.push(if disaster {
            Skipped("Backup-CsPool -FullBackup -FailedOverPoolOnly")
        } else {
            FullBackup
        });
        steps.push(SyncUserData);
        steps.extend((0..self.config.pool(p).routing_groups).map(|r| Hydrate(RoutingGroupId(r))));
        steps.extend([Active, Done]);
        self.begin(p, disaster, Plan::Failback(steps), sched);
    }

    /// Run one step of a failback, unless the pool pair can no longer support it (then the
    /// cmdlet aborts). Returns the wait before the next step; `None` once the cmdlet ended.
    pub(super) fn failback_step(
        &mut self,
        p: PoolId,
        step: FailbackStep,
        disaster: bool,
        sched: &mut Scheduler<WorldEvent>,
    ) -> Option<SimTime> {
        let b = self.partner(p).expect("checked when the cmdlet started");
        let lost = if !self.could_serve(p) {
            Some("the pool became unreachable".to_string())
        } else if !disaster && !self.serving(b) {
            Some(format!("backup pool {} became unreachable; use -DisasterMode", self.fqdn(b)))
        } else {
            None
        };
        if let (Some(message), false) = (lost, step == FailbackStep::Done) {
            self.abort(p, Kind::Failback, message, sched);
            return None;
        }
        let (pf, bf, id) = (self.fqdn(p).to_string(), self.fqdn(b).to_string(), self.registrar_identity(p));
        match step {
            FailbackStep::CmsReplication => Some(self.cms_replication(p)),
            FailbackStep::Skipped(what) => Some(self.skipped(p, what)),
            FailbackStep::StopRtcsrv => {
                let d = format!("Get-CsWindowsService -Name 'RTCSRV' -ComputerName '{pf}'; Stop-CsWindowsService -LeaveClsAgentRunning -Name RTCSRV -ComputerName {pf} -NoWait -Verbose");
                self.record(LogKind::Service, Some(p), d);
                self.set_all(p, Service::FrontEnd, false, sched);
                Some(self.quick(p))
            }
            FailbackStep::StartBackup => {
                self.record(
                    LogKind::Service,
                    Some(p),
                    format!("Start-CsWindowsService -Name LYNCBACKUP -ComputerName {pf} -Verbose"),
                );
                self.set_all(p, Service::Backup, true, sched);
                Some(self.quick(p))
            }
            FailbackStep::StartReplica => {
                self.record(
                    LogKind::Service,
                    Some(p),
                    format!("Start-CsWindowsService -Name REPLICA -ComputerName {pf} -Verbose"),
                );
                Some(self.quick(p))
            }
            FailbackStep::SteadyState => {
                let d = format!("Backup-CsPool -PoolFqdn {bf} -LocalStore:$false -SteadyState -Category UserData -FailedOverPoolOnly: Attempting to get into steady state.");
                self.record(LogKind::Admin, Some(p), d);
                self.set_read_only(p);
                self.backup_step(p, Kind::Failback, true, false, sched)
            }
            FailbackStep::StartRtcsrv => {
                let d = format!("Get-CsWindowsService -Name 'RTCSRV' -ComputerName '{pf}'; Start-CsWindowsService -Name RTCSRV -ComputerName {pf} -NoWait -Verbose");
                self.record(LogKind::Service, Some(p), d);
                self.set_all(p, Service::Mediation, true, sched);
                self.set_all(p, Service::FrontEnd, true, sched);
                Some(self.quick(p))
            }
            FailbackStep::FailingBack => {
                self.record(
                    LogKind::Admin,
                    Some(p),
                    format!("Set-CsRegistrarConfiguration -Identity {id} -PoolState FailingBack"),
                );
                self.set_state_everywhere(p, PoolState::FailingBack);
                if disaster {
                    let stream = self.pools[p].back_stream.clone();
                    let what = format!("-DisasterMode: changes made on {bf} not yet replicated");
                    self.lose_data(p, stream.as_ref(), &what);
                }
                self.set_read_only(p);
                // The partner stops serving the pool's users: each is signed out and signs
                // in to its home pool, in resiliency mode until the failback completes. A
                // home pool that does not serve yet (a cold start's initial placement still
                // runs after step 6 started RTCSRV, docs/model.md#cold-start) or a group
                // without replicas refuses them: they are deregistered and retry with their
                // back-off until it serves (docs/model.md#pool-failback).
                self.pools[p].hosted_by_partner = false;
                for u in self.users_of(p, b, ClientState::FailedOver) {
                    if self.admission(u, p).is_some() {
                        self.enqueue(p, u, false, sched);
                    } else {
                        self.lose_registrar(u, b, true, sched);
                    }
                }
                if !self.pools[p].heartbeat_ok {
                    self.arm_backup_detection(p, sched);
                }
                self.update_streams(p);
                self.wake_parked(p, sched);
                Some(self.quick(p))
            }
            FailbackStep::FullBackup => {
                let d = format!("Backup-CsPool -PoolFqdn {bf} -LocalStore:$false -FullBackup -Category UserData -FailedOverPoolOnly: Attempting to get into final state.");
                self.record(LogKind::Admin, Some(p), d);
                self.backup_step(p, Kind::Failback, true, true, sched)
            }
            FailbackStep::SyncUserData => {
                let d = format!(
                    "Sync-CsUserData -PoolFqdn {pf}: Hydrating Routing Groups Owned by {pf} on Pool {pf}."
                );
                self.record(LogKind::Admin, Some(p), d);
                Some(SimTime::ZERO)
            }
            FailbackStep::Hydrate(rg) => Some(self.hydrate(p, p, rg)),
            FailbackStep::Active => {
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
            FailbackStep::Done => {
                self.finish(p, Kind::Failback, sched);
                None
            }
        }
    }
}
