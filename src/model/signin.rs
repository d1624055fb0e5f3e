//! Sign-in queues: each pool registers its queue FIFO at `registrations_per_sec` per
//! running front end, slowed when its front ends are overloaded.

use super::{ClientState, LogKind, PoolId, Queued, UserId, World, WorldEvent, NO_POOL, USERS_PER_FRONT_END};
use crate::engine::{Scheduler, SimTime};

impl World {
    /// Put user `u` in pool `p`'s sign-in queue. `keep`: the user stays registered in its
    /// current state while it waits (a re-registration into a better mode).
    pub(super) fn enqueue(&mut self, p: PoolId, u: UserId, keep: bool, sched: &mut Scheduler<WorldEvent>) {
        // Only a serving pool has a sign-in queue: one that stops drains it (`pool_stops`),
        // and a pool that does not serve must refuse the client instead.
        debug_assert!(self.pools[p].serving, "user {u} queued at pool {p}, which does not serve");
        if !keep {
            self.move_user(u, ClientState::SigningIn, p);
        }
        let user = &mut self.users[u];
        user.gen = user.gen.wrapping_add(1);
        let gen = user.gen;
        let now = self.now.as_millis() as f64;
        let pool = &mut self.pools[p];
        pool.queue.push_back(Queued { user: u, gen, keep });
        if !pool.busy {
            pool.busy = true;
            pool.last_done = now;
            self.schedule_next_sign_in(p, sched);
        }
    }

    /// Registrations per second the pool serves now: `registrations_per_sec` per running
    /// front end, slowed in proportion when the users registered per running front end exceed
    /// the recommended 6,660 (an overloaded server registers more slowly).
    fn sign_in_rate(&self, p: PoolId) -> f64 {
        let pool = &self.pools[p];
        let fes = pool.running_fes.max(1) as f64;
        let load = pool.registered.values().sum::<u32>() as f64 / fes;
        let slow = if load > USERS_PER_FRONT_END as f64 { USERS_PER_FRONT_END as f64 / load } else { 1.0 };
        self.config.pool(p).registrations_per_sec * fes * slow
    }

    /// The next completion is one service time after the previous one (kept exact, in
    /// fractional milliseconds, so rounding never accumulates). With `clients.batch`, the
    /// completion event fires at the end of the window that holds that exact time, and
    /// completes every registration due by then.
    fn schedule_next_sign_in(&mut self, p: PoolId, sched: &mut Scheduler<WorldEvent>) {
        let rate = self.sign_in_rate(p);
        let now = self.now.as_millis() as f64;
        let batch = self.config.clients.batch.as_millis();
        let pool = &mut self.pools[p];
        let at = if batch == 0 {
            pool.last_done = pool.last_done.max(now) + 1000.0 / rate;
            SimTime::from_millis(pool.last_done.round() as u64)
        } else {
            pool.last_done += 1000.0 / rate;
            SimTime::from_millis((pool.last_done / batch as f64).ceil() as u64 * batch)
        };
        let _ = sched.schedule_at(at.max(self.now), WorldEvent::SignInDone { pool: p, gen: pool.gen });
    }

    /// `SignInDone`: complete the registration due now (with `clients.batch`, every one due
    /// within the window), then schedule the next.
    pub(super) fn sign_in_done(&mut self, p: PoolId, sched: &mut Scheduler<WorldEvent>) {
        let batched = self.config.clients.batch > SimTime::ZERO;
        loop {
            self.complete_sign_in(p, sched);
            if self.pools[p].queue.is_empty() {
                self.pools[p].busy = false;
                return;
            }
            if batched {
                // The next registration is due within this window too: complete it now.
                let next = self.pools[p].last_done + 1000.0 / self.sign_in_rate(p);
                if next <= self.now.as_millis() as f64 {
                    self.pools[p].last_done = next;
                    continue;
                }
            }
            return self.schedule_next_sign_in(p, sched);
        }
    }

    /// The registration at the head of pool `p`'s queue completes (stale entries, whose
    /// client has moved on, are dropped without taking service time).
    fn complete_sign_in(&mut self, p: PoolId, sched: &mut Scheduler<WorldEvent>) {
        while let Some(q) = self.pools[p].queue.pop_front() {
            let user = self.users[q.user];
            if user.gen != q.gen {
                continue;
            }
            let admitted = self.admission(q.user, p);
            // A new registration beyond the registrar's MaxUserCount is refused: the client
            // stays offline and retries with its back-off (docs/model.md#sign-in-and-capacity).
            let new_here = !super::registered(user.state) || user.serving != p;
            if admitted.is_some() && new_here && self.at_max_user_count(p) {
                self.refuse_at_max_user_count(q.user, p, q.keep, sched);
                return;
            }
            match admitted {
                Some(state) => {
                    self.move_user(q.user, state, p);
                    let now = self.now.as_millis();
                    let (ka, refresh) = (self.pools[p].keepalive, self.pools[p].refresh);
                    let user = &mut self.users[q.user];
                    user.attempt = 0;
                    user.ka_phase = (now % ka.as_millis()) as u32;
                    user.refresh_phase = (now % refresh.as_millis()) as u32;
                }
                None if q.keep => {}
                // Refused (the pool's view changed while it waited): the client is not
                // registered anywhere and tries again.
                None => {
                    self.move_user(q.user, ClientState::Offline, NO_POOL);
                    self.try_sign_in(q.user, sched);
                }
            }
            return;
        }
    }

    /// Whether pool `p` has as many users signed in as its MaxUserCount allows: MaxUserCount
    /// per running front end (the registrar of each; docs/model.md#sign-in-and-capacity).
    fn at_max_user_count(&self, p: PoolId) -> bool {
        let pool = &self.pools[p];
        let signed_in = pool.registered.values().map(|&n| n as u64).sum::<u64>();
        signed_in >= pool.max_user_count as u64 * pool.running_fes.max(1) as u64
    }

    /// Pool `p` refuses user `u`'s sign-in at its MaxUserCount. The first refusal of the run
    /// is logged as a warning. A client that was registered elsewhere while it waited
    /// (`keep`) stays there; any other is turned away: offline, it retries after its back-off.
    fn refuse_at_max_user_count(
        &mut self,
        u: UserId,
        p: PoolId,
        keep: bool,
        sched: &mut Scheduler<WorldEvent>,
    ) {
        self.refused_sign_ins += 1;
        if self.refused_sign_ins == 1 {
            let pool = &self.pools[p];
            let detail = format!(
                "MaxUserCount reached: {} users signed in on {} running front ends ({} each); sign-ins beyond it \
                 are refused and the clients retry",
                pool.max_user_count as u64 * pool.running_fes.max(1) as u64,
                pool.running_fes,
                pool.max_user_count
            );
            self.record(LogKind::Warning, Some(p), detail);
        }
        if keep {
            return;
        }
        self.move_user(u, ClientState::Offline, NO_POOL);
        let user = &mut self.users[u];
        if !user.turned_away {
            user.turned_away = true;
            self.turned_away += 1;
            self.peak_turned_away = self.peak_turned_away.max(self.turned_away);
        }
        let gen = self.users[u].gen;
        let (delay, _) = self.backoff(u);
        let at = self.client_time(self.now.saturating_add(delay));
        let _ = sched.schedule_at(at, WorldEvent::Retry { user: u, gen });
    }
}
