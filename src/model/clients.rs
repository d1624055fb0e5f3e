//! Clients: a user losing its registrar, its client noticing at its next keep-alive or
//! refresh, retrying with doubling, jittered back-off, and parking while no registrar can
//! take it (its back-off schedule is replayed when one can).

use rand::Rng;

use super::{ClientState, PoolId, UserId, World, WorldEvent, NO_POOL};
use crate::engine::{Scheduler, SimTime};

impl World {
    /// The user's registrar `from` is gone: it loses every feature now; its client notices
    /// now (`at_once`: the registrar deregistered it) or at its next keep-alive or refresh.
    pub(super) fn lose_registrar(
        &mut self,
        u: UserId,
        from: PoolId,
        at_once: bool,
        sched: &mut Scheduler<WorldEvent>,
    ) {
        self.move_user(u, ClientState::Offline, NO_POOL);
        let (keepalive, refresh) = {
            let pool = &self.pools[from];
            (pool.keepalive, pool.refresh)
        };
        let user = &mut self.users[u];
        user.gen = user.gen.wrapping_add(1);
        user.attempt = 0;
        let gen = user.gen;
        let at = if at_once {
            self.now
        } else {
            let ka = next_tick(self.now, keepalive, user.ka_phase);
            let refresh = next_tick(self.now, refresh, user.refresh_phase);
            ka.min(refresh)
        };
        let at = self.client_time(at);
        let _ = sched.schedule_at(at, WorldEvent::Notice { user: u, gen });
    }

    /// The client tries its home pool, then its backup registrar; otherwise it backs off.
    pub(super) fn try_sign_in(&mut self, u: UserId, sched: &mut Scheduler<WorldEvent>) {
        let home = self.users[u].home;
        let mut targets = [Some(home), self.partner(home)];
        for p in targets.iter_mut().flatten() {
            if self.admission(u, *p).is_some() {
                return self.enqueue(*p, u, false, sched);
            }
        }
        // Nothing can accept this client now. Its retries would fail unseen until a
        // registrar becomes available, so it is parked with its next retry time and its
        // back-off schedule is caught up when one does ([`World::wake_parked`]).
        let next = self.now.saturating_add(self.backoff(u).0);
        let gen = self.users[u].gen;
        self.pools[home].parked.push((u, gen, next));
    }

    /// The next retry delay of user `u`: `retry` doubling per attempt up to `retry_max`,
    /// times a uniform jitter factor in `1 +- retry_jitter`. Also says whether the delay
    /// has reached `retry_max` (all later delays are then alike).
    pub(super) fn backoff(&mut self, u: UserId) -> (SimTime, bool) {
        let clients = self.config.clients;
        let user = &mut self.users[u];
        let rng = &mut self.pools[user.home].clients_rng;
        let base = clients.retry.sample(rng).as_millis();
        let max = clients.retry_max.sample(rng).as_millis();
        let doubled = base.saturating_mul(1u64 << user.attempt.min(40));
        let capped = doubled >= max;
        let jitter = 1.0 + clients.retry_jitter * rng.random_range(-1.0..=1.0);
        user.attempt = user.attempt.saturating_add(1);
        (SimTime::from_millis((doubled.min(max) as f64 * jitter).round().max(1.0) as u64), capped)
    }

    /// A registrar may have become available to the users homed on `home`: each parked
    /// client follows its back-off schedule to its first retry at or after now. Once the
    /// delays have reached `retry_max` the schedule is a renewal of alike delays; rather than
    /// replay a long outage retry by retry, the first retry after now is then drawn
    /// uniformly within one `retry_max` period, so waking costs O(1) per client.
    pub(super) fn wake_parked(&mut self, home: PoolId, sched: &mut Scheduler<WorldEvent>) {
        let parked = std::mem::take(&mut self.pools[home].parked);
        for (u, gen, mut at) in parked {
            if self.users[u].gen != gen {
                continue;
            }
            while at < self.now {
                let (delay, capped) = self.backoff(u);
                if capped && at.saturating_add(delay) < self.now {
                    let period = delay.as_millis().max(1);
                    let rng = &mut self.pools[home].clients_rng;
                    at = self.now.saturating_add(SimTime::from_millis(rng.random_range(0..period)));
                    break;
                }
                at = at.saturating_add(delay);
            }
            let _ = sched.schedule_at(self.client_time(at), WorldEvent::Retry { user: u, gen });
        }
    }

    /// Wake every parked client (after a change that may open paths for any of them).
    pub(super) fn wake_all(&mut self, sched: &mut Scheduler<WorldEvent>) {
        for p in self.pools.ids() {
            self.wake_parked(p, sched);
        }
    }

    /// When a client event due at `t` happens: `t`, or with `clients.batch` the end of the
    /// window that holds it.
    pub(super) fn client_time(&self, t: SimTime) -> SimTime {
        let batch = self.config.clients.batch.as_millis();
        if batch == 0 {
            t
        } else {
            SimTime::from_millis(t.as_millis().div_ceil(batch) * batch)
        }
    }
}

/// The first instant at or after `now` of a periodic timer with `period` and `phase`.
fn next_tick(now: SimTime, period: SimTime, phase: u32) -> SimTime {
    let (now, period) = (now.as_millis(), period.as_millis().max(1));
    let phase = phase as u64 % period;
    let wait = (phase + period - now % period) % period;
    SimTime::from_millis(now + wait)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_tick_is_the_next_phase_instant() {
        let p = SimTime::from_secs(300);
        assert_eq!(next_tick(SimTime::from_secs(1000), p, 0), SimTime::from_secs(1200));
        assert_eq!(next_tick(SimTime::from_secs(1200), p, 0), SimTime::from_secs(1200));
        assert_eq!(next_tick(SimTime::from_secs(1000), p, 150_000), SimTime::from_secs(1050));
    }
}
