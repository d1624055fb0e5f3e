//! The administrator's standing policy: a paired pool that stops serving gets
//! `Invoke-CsPoolFailover` after a decision delay (moving the Central Management Store first
//! if needed); a repaired, failed-over pool gets `Invoke-CsPoolFailback`; a failed-over pool
//! whose partner lacks its Response Group data gets `Import-CsRgsConfiguration` after
//! `import_rgs_after` (docs/model.md#the-administrator).

use super::{sched_in, PoolId, PoolState, World, WorldEvent};
use crate::engine::{Scheduler, SimTime};

impl World {
    /// The administrator's policy watches pool `p` after any change: a paired pool that
    /// stops serving its users gets a failover decision after `failover_after`; a
    /// failed-over pool whose servers are back gets a failback decision after
    /// `failback_after`.
    pub(super) fn admin_watch(&mut self, p: PoolId, sched: &mut Scheduler<WorldEvent>) {
        let Some(policy) = self.config.administrator else { return };
        if !self.config.product.has_pool_pairing() || self.partner(p).is_none() {
            return;
        }
        let pool = &self.pools[p];
        let (failover_pending, failback_pending) = self.admin_pending[p];
        if let Some(delay) = policy.failover_after {
            if !pool.serving
                && pool.config_state == PoolState::Active
                && pool.cmdlet.is_none()
                && !failover_pending
            {
                self.admin_pending[p].0 = true;
                let d = delay.sample(&mut self.admin_rng);
                sched_in(sched, d, WorldEvent::AdminDecision { pool: p, failback: false });
            }
        }
        let repaired = self.could_serve(p);
        let pool = &self.pools[p];
        if let Some(delay) = policy.failback_after {
            if pool.config_state == PoolState::FailedOver
                && repaired
                && pool.cmdlet.is_none()
                && !failback_pending
            {
                self.admin_pending[p].1 = true;
                let d = delay.sample(&mut self.admin_rng);
                sched_in(sched, d, WorldEvent::AdminDecision { pool: p, failback: true });
            }
        }
    }

    pub(super) fn admin_decision(&mut self, p: PoolId, failback: bool, sched: &mut Scheduler<WorldEvent>) {
        let Some(policy) = self.config.administrator else { return };
        let Some(b) = self.partner(p) else { return };
        let pool = &self.pools[p];
        if failback {
            self.admin_pending[p].1 = false;
            let repaired = self.could_serve(p);
            let pool = &self.pools[p];
            if pool.config_state == PoolState::FailedOver && repaired && pool.cmdlet.is_none() {
                let disaster = !self.serving(b);
                self.start_failback(p, disaster, sched);
            }
            return self.admin_watch(p, sched);
        }
        self.admin_pending[p].0 = false;
        if pool.serving || pool.config_state != PoolState::Active || self.cmdlet_busy(p) {
            return self.admin_watch(p, sched);
        }
        let cms = self.cms_host;
        if (cms == p || !self.serving(cms))
            && !self.cms_moving
            && self.partner(cms).is_some_and(|c| self.serving(c))
        {
            // Microsoft's procedure: move the Central Management Store first, then fail over.
            let to = self.partner(cms).expect("checked");
            self.cms_failover(to, sched);
            let wait = self.config.timing.cms_failover.sample(&mut self.admin_rng);
            self.admin_pending[p].0 = true;
            let ev = WorldEvent::AdminDecision { pool: p, failback: false };
            return sched_in(sched, wait.saturating_add(SimTime::from_secs(1)), ev);
        }
        self.start_failover(p, policy.disaster_mode, sched);
        self.admin_watch(p, sched);
    }

    /// A failover of `p` completed (scripted or the policy's): with `import_rgs_after`, and
    /// when the partner lacks `p`'s Response Group data (Lync 2013, SfB 2015, SfB 2019 without
    /// replication, and no earlier import), decide the import after a draw of the delay.
    pub(super) fn admin_after_failover(&mut self, p: PoolId, sched: &mut Scheduler<WorldEvent>) {
        let Some(delay) = self.config.administrator.and_then(|a| a.import_rgs_after) else { return };
        if self.pools[p].rgs_on_partner {
            return;
        }
        let d = delay.sample(&mut self.admin_import_rng);
        let failover = self.cmdlets_begun[p];
        sched_in(sched, d, WorldEvent::AdminImportRgs { pool: p, failover });
    }

    /// The import decided after a failover of `p` (`failover`: its count of cmdlets begun
    /// then): run `Import-CsRgsConfiguration` (logged as the scripted one) if `p` is still
    /// failed over from that failover (no failback or failover has begun since) and its
    /// partner still lacks the data.
    pub(super) fn admin_import_rgs(&mut self, p: PoolId, failover: u32) {
        let pool = &self.pools[p];
        if self.cmdlets_begun[p] == failover
            && pool.config_state == PoolState::FailedOver
            && !pool.rgs_on_partner
        {
            self.import_rgs(p);
        }
    }
}
