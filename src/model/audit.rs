//! The model's invariants, checked by recounting (debug builds and the property tests'
//! audited runs): counters match the users, registered users sit where they may.

use super::pool::RgStatus;
use super::{registered, ClientState, IdVec, PerState, PoolId, World, NO_POOL};

impl World {
    /// Check the world's invariants by recounting every user (O(users); for tests):
    /// the counters match the users' states; every registered user is registered at a pool
    /// that serves it, can be reached, and would give it that state.
    pub fn check_invariants(&self) -> Result<(), String> {
        let mut by_state = PerState::<u64>::default();
        let mut registered_at: IdVec<PoolId, PerState<u32>> =
            self.pools.iter().map(|_| PerState::default()).collect();
        let mut rgs = 0u64;
        for (u, user) in self.users.iter_enumerated() {
            by_state[user.state] += 1;
            let home = user.home;
            let ok = match user.state {
                ClientState::Offline => true,
                ClientState::SigningIn => {
                    user.serving != NO_POOL
                        && self.serving(user.serving)
                        && self.pools[user.serving].queue.iter().any(|q| q.user == u && q.gen == user.gen)
                }
                ClientState::Full => {
                    user.serving == home
                        && self.home_state(home, self.rg_of(u), true) == Some(ClientState::Full)
                }
                ClientState::Resiliency => {
                    self.serving(user.serving)
                        && (user.serving == home || self.partner(home) == Some(user.serving))
                }
                ClientState::FailedOver => {
                    self.serving(user.serving)
                        && self.partner(home) == Some(user.serving)
                        && self.pools[home].hosted_by_partner
                }
            };
            let ok = ok && (!registered(user.state) || self.user_reaches(u, user.serving));
            if !ok {
                return Err(format!(
                    "user {u} is {:?} at pool {} at {:?}",
                    user.state, user.serving, self.now
                ));
            }
            if registered(user.state) {
                registered_at[user.serving][user.state] += 1;
            }
            if user.state == ClientState::FailedOver && self.pools[home].rgs_on_partner {
                rgs += 1;
            }
        }
        if by_state != self.counts.by_state || rgs != self.counts.failed_over_with_rgs {
            return Err(format!("counters {:?} but users {by_state:?} at {:?}", self.counts, self.now));
        }
        for (p, reg) in registered_at.iter_enumerated() {
            if *reg != self.pools[p].registered {
                return Err(format!(
                    "pool {p} counts {:?} registered, users say {reg:?}",
                    self.pools[p].registered
                ));
            }
        }
        Ok(())
    }

    /// No pool that is down has users registered on it, by the pools' counters (O(pools);
    /// audited runs check it after every event). A pool is down for its users when it does
    /// not serve: no running front end with RTCSRV and pool-level quorum (a `PoolDown`, its
    /// site's loss, its servers' or services' failures).
    pub fn audit_pools(&self) -> Result<(), String> {
        for (p, pool) in self.pools.iter_enumerated() {
            let held: u32 = pool.registered.iter().filter(|&(s, _)| registered(s)).map(|(_, n)| n).sum();
            if !pool.serving && held > 0 {
                return Err(format!("pool {} is down but {held} users are registered on it", self.fqdn(p)));
            }
        }
        Ok(())
    }

    /// Every user recounted (O(users); audited runs check it at every instant): the
    /// invariants of [`World::check_invariants`], and no user registered on its home pool
    /// while its routing group has no replica running.
    pub fn audit_users(&self) -> Result<(), String> {
        self.check_invariants()?;
        for (u, user) in self.users.iter_enumerated() {
            if registered(user.state) && user.serving == user.home {
                let r = self.rg_of(u);
                if self.pools[user.home].rgs[r].status == RgStatus::Down {
                    return Err(format!(
                        "user {u} is {:?} on pool {} whose routing group {r} has no replica running",
                        user.state,
                        self.fqdn(user.home)
                    ));
                }
            }
        }
        Ok(())
    }
}
