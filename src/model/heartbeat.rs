//! The backup registrar: it hears each pool's heartbeat; after missing it for
//! `voice_failover.detection` it takes over, in resiliency mode, the pool's users whose
//! clients hold it (docs/model.md#the-registrar-list), and after
//! `voice_failover.failback` once the heartbeat is back it redirects them home.

use super::{sched_in, ClientState, LogKind, PoolId, World, WorldEvent};
use crate::engine::Scheduler;
use crate::text::group_digits;

impl World {
    /// A pool's backup registrar hears its heartbeat while the pool serves and the two can
    /// talk. On loss the backup starts counting the detection interval; on return it stops
    /// accepting the pool's users and, after the failback interval, sends them home.
    pub(super) fn refresh_heartbeats(&mut self, sched: &mut Scheduler<WorldEvent>) {
        for q in self.pools.ids() {
            let Some(b) = self.partner(q) else { continue };
            let ok = self.serving(q) && self.pools_connected(q, b);
            if ok == self.pools[q].heartbeat_ok {
                continue;
            }
            let pool = &mut self.pools[q];
            pool.heartbeat_ok = ok;
            pool.heartbeat_gen += 1;
            pool.backup_accepts = false;
            if !ok {
                self.arm_backup_detection(q, sched);
                continue;
            }
            self.wake_parked(q, sched);
            if self.serving(b) {
                self.arm_redirect_home(q, sched);
            }
        }
    }

    /// Pool `q`'s heartbeat is back (or its users can reach it again): if voice failover is
    /// on, its backup registrar sends the users it holds home after the failback interval.
    pub(super) fn arm_redirect_home(&mut self, q: PoolId, sched: &mut Scheduler<WorldEvent>) {
        let cfg = self.config.pool(q);
        let (Some(b), Some(vf)) = (cfg.backup, cfg.voice_failover) else { return };
        let delay = vf.failback.sample(&mut self.pools[q].rng);
        let ev = WorldEvent::RedirectHome {
            primary: q,
            heartbeat_gen: self.pools[q].heartbeat_gen,
            backup_gen: self.pools[b].gen,
        };
        sched_in(sched, delay, ev);
    }

    /// Pool `q`'s heartbeat is missing: if its backup registrar runs and voice failover is
    /// on, the backup accepts `q`'s users after the detection interval.
    pub(super) fn arm_backup_detection(&mut self, q: PoolId, sched: &mut Scheduler<WorldEvent>) {
        let cfg = self.config.pool(q);
        let (Some(b), Some(vf)) = (cfg.backup, cfg.voice_failover) else { return };
        if !self.serving(b) || self.pools[q].hosted_by_partner {
            return;
        }
        let delay = vf.detection.sample(&mut self.pools[q].rng);
        let ev = WorldEvent::BackupTakesOver {
            primary: q,
            heartbeat_gen: self.pools[q].heartbeat_gen,
            backup_gen: self.pools[b].gen,
        };
        sched_in(sched, delay, ev);
    }

    /// The backup of `q`, if a heartbeat timer set under these generations still applies
    /// (neither `q`'s heartbeat nor its backup changed since, and the backup serves).
    fn heartbeat_timer(&self, q: PoolId, heartbeat_gen: u32, backup_gen: u32) -> Option<PoolId> {
        let b = self.partner(q)?;
        let current = self.pools[q].heartbeat_gen == heartbeat_gen && self.pools[b].gen == backup_gen;
        (current && self.serving(b)).then_some(b)
    }

    /// `BackupTakesOver`: the backup registrar of `q` has missed its heartbeat for the
    /// detection interval and now accepts `q`'s users in resiliency mode.
    pub(super) fn backup_takes_over(
        &mut self,
        q: PoolId,
        heartbeat_gen: u32,
        backup_gen: u32,
        sched: &mut Scheduler<WorldEvent>,
    ) {
        let Some(b) = self.heartbeat_timer(q, heartbeat_gen, backup_gen) else { return };
        let pool = &self.pools[q];
        if pool.heartbeat_ok || pool.hosted_by_partner {
            return;
        }
        self.pools[q].backup_accepts = true;
        let mut detail =
            format!("backup registrar accepts users of {} in resiliency mode (heartbeat lost)", self.fqdn(q));
        // Who it concerns: the users of `q` without a registrar now that can reach `b`, by
        // what their clients hold (docs/model.md#the-registrar-list).
        let (mut known, mut unknown) = (0u64, 0u64);
        for u in self.homed(q) {
            let user = &self.users[u];
            if !super::registered(user.state) && self.user_reaches(u, b) {
                if user.backup_known {
                    known += 1;
                } else {
                    unknown += 1;
                }
            }
        }
        if known > 0 {
            detail += &format!(
                ": {} clients re-register to their backup registrar {} (q=0.3)",
                group_digits(known),
                self.fqdn(b)
            );
        }
        self.record(LogKind::Service, Some(b), detail);
        if unknown > 0 {
            let detail = format!(
                "{} clients have no backup registrar (signed in without a 301): they wait for {} or its failover",
                group_digits(unknown),
                self.fqdn(q)
            );
            self.record(LogKind::Warning, Some(q), detail);
        }
        self.wake_parked(q, sched);
    }

    /// `RedirectHome`: `q`'s heartbeat has been back for the failback interval; its backup
    /// registrar sends the users it holds in resiliency mode home.
    pub(super) fn redirect_home(
        &mut self,
        q: PoolId,
        heartbeat_gen: u32,
        backup_gen: u32,
        sched: &mut Scheduler<WorldEvent>,
    ) {
        let Some(b) = self.heartbeat_timer(q, heartbeat_gen, backup_gen) else { return };
        let pool = &self.pools[q];
        if !pool.heartbeat_ok {
            return;
        }
        let mut moved = 0u32;
        for u in self.homed(q) {
            let user = &self.users[u];
            if user.serving == b && user.state == ClientState::Resiliency && self.admission(u, q).is_some() {
                self.enqueue(q, u, false, sched);
                moved += 1;
            }
        }
        if moved > 0 {
            let detail =
                format!("voice failback: backup registrar redirects {moved} users home to {}", self.fqdn(q));
            self.record(LogKind::Service, Some(b), detail);
        }
    }
}
