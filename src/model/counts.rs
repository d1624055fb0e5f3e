//! The counters that feed the time series. [`World::move_user`] is the only place a user
//! changes state: it keeps the users per client state, each pool's registrations and load
//! peak, and the contacts count that closes a failover's restore watch, so a sample reads
//! counters and never scans users.

use std::ops::{Add, Sub};

use super::{registered, ClientState, Feature, FeatureMatrix, PerState, PoolId, UserId, World, NO_POOL};

/// Users per client state, and the feature exceptions that depend on the serving pool: in
/// users (`u64`), or integrated over time in user-milliseconds (`Counts<u128>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts<T = u64> {
    /// Users per state.
    pub by_state: PerState<T>,
    /// Users in `FailedOver` whose serving pool has Response Group data.
    pub failed_over_with_rgs: T,
    /// Users whose state has PSTN calls but whose serving pool runs no Mediation service
    /// (docs/model.md#mediation-and-pstn-calls).
    pub pstn_without_mediation: T,
}

impl<T: Copy + Default + Ord + Add<Output = T> + Sub<Output = T>> Counts<T> {
    /// Users with `feature`: the feature matrix over client states, less the users whose
    /// serving pool lacks what the feature needs (Response Group data after failover; a
    /// Mediation service for PSTN calls). It is linear in the counts, and its subtraction never
    /// goes below zero at any instant, so it gives the integral of users with `feature` from
    /// the integrals of the counts too.
    pub fn with_feature(&self, features: &FeatureMatrix, feature: Feature) -> T {
        let mut n = T::default();
        for (state, &users) in &self.by_state {
            if features.has(state, feature) {
                n = n + if state == ClientState::FailedOver && feature == Feature::ResponseGroups {
                    self.failed_over_with_rgs
                } else {
                    users
                };
            }
        }
        if feature == Feature::Pstn {
            n = n - n.min(self.pstn_without_mediation);
        }
        n
    }
}

impl World {
    /// Current users per client state, with the per-pool feature exceptions.
    pub fn counts(&self) -> Counts {
        let mut c = self.counts;
        if !self.mediation_missing {
            return c;
        }
        let features = &self.config.features;
        c.pstn_without_mediation = self
            .pools
            .iter()
            .filter(|p| !p.mediation)
            .map(|p| {
                p.registered
                    .iter()
                    .filter(|&(s, _)| features.has(s, Feature::Pstn))
                    .map(|(_, &n)| n as u64)
                    .sum::<u64>()
            })
            .sum();
        c
    }

    /// User `u` takes `state` at pool `serving` ([`super::NO_POOL`] when none): every
    /// counter follows.
    pub(super) fn move_user(&mut self, u: UserId, state: ClientState, serving: PoolId) {
        let user = self.users[u];
        if registered(user.state) && user.serving != NO_POOL {
            self.pools[user.serving].registered[user.state] -= 1;
        }
        let rgs = self.pools[user.home].rgs_on_partner;
        if rgs && user.state == ClientState::FailedOver {
            self.counts.failed_over_with_rgs -= 1;
        }
        if rgs && state == ClientState::FailedOver {
            self.counts.failed_over_with_rgs += 1;
        }
        self.counts.by_state[user.state] -= 1;
        self.counts.by_state[state] += 1;
        let user_mut = &mut self.users[u];
        user_mut.state = state;
        user_mut.serving = serving;
        if user_mut.turned_away && registered(state) {
            user_mut.turned_away = false;
            self.turned_away -= 1;
        }
        if registered(state) && serving != NO_POOL {
            self.pools[serving].registered[state] += 1;
            self.track_load(serving);
        }
        let features = &self.config.features;
        let (had, has) =
            (features.has(user.state, Feature::Contacts), features.has(state, Feature::Contacts));
        if had != has {
            let pool = &mut self.pools[user.home];
            if has {
                pool.with_contacts += 1;
            } else {
                pool.with_contacts -= 1;
            }
            self.check_restored(user.home);
        }
    }

    /// Users registered per running front end, and its peak.
    pub(super) fn track_load(&mut self, p: PoolId) {
        let pool = &mut self.pools[p];
        if pool.running_fes > 0 {
            let load = pool.registered.values().sum::<u32>() as f64 / pool.running_fes as f64;
            pool.peak_load = pool.peak_load.max(load);
        }
    }

    /// Close the pool's restore watch once 99 % of its users have contacts again.
    pub(super) fn check_restored(&mut self, p: PoolId) {
        let pool = &self.pools[p];
        let Some(record) = pool.restore_watch else { return };
        if pool.with_contacts as f64 >= 0.99 * pool.users as f64 {
            self.pools[p].restore_watch = None;
            self.failovers[record].restored = Some(self.now);
        }
    }
}
