//! Who registers a user, and in which client state ([`World::admission`]): the home pool by
//! its PoolState and the user's routing group, the paired pool once it hosts the user's
//! routing groups, the backup registrar once it has missed the home pool's heartbeat (for
//! clients that hold it).

use super::pool::RgStatus;
use super::{ClientState, IdRange, PoolId, PoolState, RoutingGroupId, UserId, World, WorldEvent};
use crate::engine::Scheduler;

impl World {
    /// The state pool `p` would register user `u` in now, or `None` if it refuses.
    pub(super) fn admission(&self, u: UserId, p: PoolId) -> Option<ClientState> {
        if !self.serving(p) || !self.user_reaches(u, p) {
            return None;
        }
        let home = self.users[u].home;
        if p == home {
            return self.home_state(p, self.rg_of(u), false);
        }
        if self.partner(home) != Some(p) {
            return None;
        }
        let h = &self.pools[home];
        if h.hosted_by_partner {
            // The hosting pool's back end counts for them too (KB-LFM ii).
            if self.pools[p].back_end.degraded {
                Some(ClientState::Resiliency)
            } else {
                Some(ClientState::FailedOver)
            }
        } else if h.backup_accepts && !h.heartbeat_ok && self.users[u].backup_known {
            // Only a client that holds its backup registrar (the q=0.3 contact) tries it
            // (docs/model.md#the-registrar-list).
            Some(ClientState::Resiliency)
        } else {
            None
        }
    }

    /// The state the home pool `p` gives a user of routing group `r`: `existing` users keep
    /// limited functionality while a failover is in progress; new sign-ins are refused.
    pub(super) fn home_state(&self, p: PoolId, r: RoutingGroupId, existing: bool) -> Option<ClientState> {
        let pool = &self.pools[p];
        if !pool.serving || pool.rgs[r].status == RgStatus::Down {
            return None;
        }
        match pool.home_view {
            PoolState::FailingOver | PoolState::FailedOver => existing.then_some(ClientState::Resiliency),
            PoolState::FailingBack => Some(ClientState::Resiliency),
            PoolState::Active | PoolState::FailedBack => {
                if pool.rgs[r].status == RgStatus::Degraded || pool.back_end.degraded {
                    Some(ClientState::Resiliency)
                } else {
                    Some(ClientState::Full)
                }
            }
        }
    }

    /// Users homed on pool `p` (a contiguous block).
    pub(super) fn homed(&self, p: PoolId) -> IdRange<UserId> {
        IdRange::new(self.pools[p].first_user, self.pools[p].users)
    }

    /// Users of routing group `r` of pool `p` (a contiguous block).
    pub(super) fn rg_users(&self, p: PoolId, r: RoutingGroupId) -> IdRange<UserId> {
        let pool = &self.pools[p];
        let groups = pool.rgs.len().max(1) as u32;
        let (q, rem) = (pool.users / groups, pool.users % groups);
        let start = r.0 * q + r.0.min(rem);
        let len = q + u32::from(r.0 < rem);
        IdRange::new(UserId(pool.first_user.0 + start), len)
    }

    /// The routing group of user `u` in its home pool.
    pub(super) fn rg_of(&self, u: UserId) -> RoutingGroupId {
        let pool = &self.pools[self.users[u].home];
        let groups = pool.rgs.len().max(1) as u32;
        let (q, rem) = (pool.users / groups, pool.users % groups);
        let k = u.0 - pool.first_user.0;
        RoutingGroupId(if k < rem * (q + 1) { k / (q + 1) } else { rem + (k - rem * (q + 1)) / q.max(1) })
    }

    /// Users homed on `p` served by pool `by` in state `state`.
    pub(super) fn users_of(&self, p: PoolId, by: PoolId, state: ClientState) -> Vec<UserId> {
        self.homed(p)
            .filter(|&u| {
                let user = &self.users[u];
                user.serving == by && user.state == state
            })
            .collect()
    }

    /// Users of group `r` registered on their home pool take the state it now gives them.
    pub(super) fn reevaluate_group(
        &mut self,
        p: PoolId,
        r: RoutingGroupId,
        sched: &mut Scheduler<WorldEvent>,
    ) {
        let target = self.home_state(p, r, true);
        for u in self.rg_users(p, r) {
            let user = self.users[u];
            if user.serving != p || !matches!(user.state, ClientState::Full | ClientState::Resiliency) {
                continue;
            }
            match target {
                Some(state) if state != user.state => self.move_user(u, state, p),
                Some(_) => {}
                None => self.lose_registrar(u, p, true, sched),
            }
        }
    }

    /// Every group of pool `p` (after a PoolState or back-end change).
    pub(super) fn reevaluate_home(&mut self, p: PoolId, sched: &mut Scheduler<WorldEvent>) {
        for r in self.pools[p].rgs.ids() {
            self.reevaluate_group(p, r, sched);
        }
    }
}
