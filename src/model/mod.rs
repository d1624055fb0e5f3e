//! The Lync world: sites, pools, registrars, clients and what users can do.
//!
//! # What is modelled (SPEC 4.1-4.3)
//! - Pools are units in this slice: a pool is running unless a `PoolDown` or the loss of
//!   its site stopped it. Its sign-in queue is served FIFO at `registrations_per_sec` x
//!   front ends; a storm of sign-ins therefore takes time, and users wait in `SigningIn`.
//! - Every user starts signed in to its home pool (`Full`). Each client has its own random
//!   keep-alive and refresh phase. When its serving pool stops, the user loses every feature
//!   at once (`Offline`), but the client only notices at its next keep-alive or refresh;
//!   it then tries its home pool, then its backup registrar, and retries with doubling,
//!   jittered back-off.
//! - A backup registrar accepts a failed pool's users only once it has missed the pool's
//!   heartbeat for `voice_failover.detection`; they are then served in `Resiliency`. After
//!   the home pool returns and `voice_failover.failback` has passed, the backup redirects
//!   them home through the home pool's sign-in queue. With `voice_failover: None` users
//!   wait, offline, for their home pool.
//!
//! # Cost
//! Events happen only when a user's state changes or its client acts on a change: a user
//! whose pool never fails costs nothing after start-up (keep-alives are not simulated, their
//! phase is used to compute when a client notices a failure). A client whose retries cannot
//! succeed (no registrar will take it) is parked; when a registrar becomes available its
//! back-off schedule is replayed to the first retry at or after that instant, so a long
//! outage costs no more events than a short one. Stale timers are recognised by generation
//! counters on users and pools.
//!
//! # Random streams
//! Per pool: `clients:<fqdn>` (phases, retry jitter of the pool's users) and `pool:<fqdn>`
//! (the pool's detection and failback delays).

pub mod config;
mod log;

use std::collections::VecDeque;
use std::sync::Arc;

use rand::Rng;
use rand_chacha::ChaCha8Rng;

pub use config::*;
pub use log::{LogEntry, LogKind};

use crate::engine::{stream_id, Scheduler, SimTime, Streams};

/// Users per client state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Users per state, in [`ClientState::ALL`] order.
    pub by_state: [u64; 5],
    /// Users in `FailedOver` whose serving pool has Response Group data.
    pub failed_over_with_rgs: u64,
}

/// A pool failover as recorded by the world.
#[derive(Debug, Clone, PartialEq)]
pub struct FailoverOutcome {
    /// Pool that was failed over.
    pub pool: String,
    /// When the cmdlet started.
    pub started: SimTime,
    /// When it completed.
    pub completed: Option<SimTime>,
    /// `-DisasterMode`.
    pub disaster_mode: bool,
    /// Error text if it failed.
    pub error: Option<String>,
}

/// What the world leaves when the run ends.
#[derive(Debug, Clone)]
pub struct WorldOutput {
    /// First fault.
    pub first_fault: Option<SimTime>,
    /// Largest unreplicated data lost by a disaster failover.
    pub rpo_realized: Option<SimTime>,
    /// Pool failovers.
    pub failovers: Vec<FailoverOutcome>,
    /// Event log.
    pub log: Vec<LogEntry>,
}

/// The world's events. Timers carry the generation of the entity they were set for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorldEvent {
    /// Scenario action `index` of [`Config::events`].
    Action(u32),
    /// A client's keep-alive or refresh finds its registrar gone.
    Notice {
        /// User index.
        user: u32,
        /// User generation when scheduled.
        gen: u32,
    },
    /// A client retries signing in.
    Retry {
        /// User index.
        user: u32,
        /// User generation when scheduled.
        gen: u32,
    },
    /// A pool's sign-in server completes the registration at the head of its queue.
    SignInDone {
        /// Pool index.
        pool: u32,
        /// Pool generation when scheduled.
        gen: u32,
    },
    /// The backup registrar of `primary` has missed its heartbeat for the detection interval.
    BackupTakesOver {
        /// The failed pool.
        primary: u32,
        /// Its generation.
        primary_gen: u32,
        /// Its backup's generation.
        backup_gen: u32,
    },
    /// The voice failback interval after `primary`'s return has passed.
    RedirectHome {
        /// The returned pool.
        primary: u32,
        /// Its generation.
        primary_gen: u32,
        /// Its backup's generation.
        backup_gen: u32,
    },
}

const NO_POOL: u32 = u32::MAX;

#[derive(Debug, Clone, Copy)]
struct User {
    home: u32,
    serving: u32,
    gen: u32,
    ka_phase: u32,
    refresh_phase: u32,
    state: ClientState,
    attempt: u8,
}

#[derive(Debug)]
struct PoolRt {
    first_user: u32,
    users: u32,
    fault_down: bool,
    running: bool,
    gen: u32,
    queue: VecDeque<(u32, u32)>,
    busy: bool,
    busy_start: SimTime,
    served_in_busy: u64,
    busy_rate: f64,
    backup_accepts: bool,
    backs_up: Vec<u32>,
    /// Offline users homed here whose retries cannot succeed: (user, gen, next retry).
    parked: Vec<(u32, u32, SimTime)>,
    keepalive: SimTime,
    refresh: SimTime,
    clients_rng: ChaCha8Rng,
    rng: ChaCha8Rng,
}

/// The simulated Lync deployment.
pub struct World {
    config: Arc<Config>,
    users: Vec<User>,
    pools: Vec<PoolRt>,
    site_down: Vec<bool>,
    counts: Counts,
    first_fault: Option<SimTime>,
    log: Vec<LogEntry>,
    now: SimTime,
}

impl World {
    /// Build the world at time zero, every user signed in to its home pool, and schedule
    /// the scenario's actions (same-time actions run in file order).
    pub fn new(config: Arc<Config>, replication: u32, sched: &mut Scheduler<WorldEvent>) -> Self {
        let streams = Streams::new(config.seed, replication as u64);
        let mut users = Vec::with_capacity(config.total_users() as usize);
        let mut pools = Vec::with_capacity(config.pools.len());
        for (i, p) in config.pools.iter().enumerate() {
            let mut clients_rng = streams.stream(stream_id(&format!("clients:{}", p.fqdn)));
            let keepalive = config.clients.keepalive.sample(&mut clients_rng).max(SimTime::from_millis(1));
            let refresh = config.clients.refresh.sample(&mut clients_rng).max(SimTime::from_millis(1));
            let first_user = users.len() as u32;
            for _ in 0..p.users {
                users.push(User {
                    home: i as u32,
                    serving: i as u32,
                    gen: 0,
                    ka_phase: clients_rng.random_range(0..keepalive.as_millis()) as u32,
                    refresh_phase: clients_rng.random_range(0..refresh.as_millis()) as u32,
                    state: ClientState::Full,
                    attempt: 0,
                });
            }
            pools.push(PoolRt {
                first_user,
                users: p.users,
                fault_down: false,
                running: true,
                gen: 0,
                queue: VecDeque::new(),
                busy: false,
                busy_start: SimTime::ZERO,
                served_in_busy: 0,
                busy_rate: 0.0,
                backup_accepts: false,
                backs_up: Vec::new(),
                parked: Vec::new(),
                keepalive,
                refresh,
                clients_rng,
                rng: streams.stream(stream_id(&format!("pool:{}", p.fqdn))),
            });
        }
        for (i, p) in config.pools.iter().enumerate() {
            if let Some(b) = p.backup {
                pools[b.0 as usize].backs_up.push(i as u32);
            }
        }
        for (i, a) in config.events.iter().enumerate() {
            // Validation dropped actions after the horizon and bounded every time.
            let _ = sched.schedule_at(a.at, WorldEvent::Action(i as u32));
        }
        let mut counts = Counts::default();
        counts.by_state[ClientState::Full.index()] = users.len() as u64;
        World {
            site_down: vec![false; config.sites.len()],
            config,
            users,
            pools,
            counts,
            first_fault: None,
            log: Vec::new(),
            now: SimTime::ZERO,
        }
    }

    /// Current users per client state.
    pub fn counts(&self) -> Counts {
        self.counts
    }

    /// The scenario.
    pub fn config(&self) -> &Arc<Config> {
        &self.config
    }

    /// Time of the first fault, if any happened yet.
    pub fn first_fault(&self) -> Option<SimTime> {
        self.first_fault
    }

    /// The client state of user `user` (for tests and invariants).
    pub fn user_state(&self, user: u32) -> ClientState {
        self.users[user as usize].state
    }

    /// Finish the run.
    pub fn into_output(self) -> WorldOutput {
        WorldOutput {
            first_fault: self.first_fault,
            rpo_realized: None,
            failovers: Vec::new(),
            log: self.log,
        }
    }

    /// Handle one event.
    pub fn handle(&mut self, event: WorldEvent, sched: &mut Scheduler<WorldEvent>) {
        self.now = sched.now();
        match event {
            WorldEvent::Action(i) => self.action(i as usize, sched),
            WorldEvent::Notice { user, gen } | WorldEvent::Retry { user, gen } => {
                if self.users[user as usize].gen == gen {
                    self.try_sign_in(user, sched);
                }
            }
            WorldEvent::SignInDone { pool, gen } => {
                if self.pools[pool as usize].gen == gen {
                    self.sign_in_done(pool, sched);
                }
            }
            WorldEvent::BackupTakesOver { primary, primary_gen, backup_gen } => {
                self.backup_takes_over(primary, primary_gen, backup_gen, sched)
            }
            WorldEvent::RedirectHome { primary, primary_gen, backup_gen } => {
                self.redirect_home(primary, primary_gen, backup_gen, sched)
            }
        }
    }

    fn fqdn(&self, pool: u32) -> &str {
        &self.config.pools[pool as usize].fqdn
    }

    fn record(&mut self, kind: LogKind, pool: Option<u32>, detail: String) {
        let pool = pool.map(|p| self.fqdn(p).to_string()).unwrap_or_default();
        self.log.push(LogEntry { time: self.now, kind, pool, detail });
    }

    fn fault(&mut self) {
        self.first_fault.get_or_insert(self.now);
    }

    fn action(&mut self, index: usize, sched: &mut Scheduler<WorldEvent>) {
        let action = self.config.events[index].action;
        match action {
            Action::PoolDown(p) => {
                self.fault();
                let users = self.config.pool(p).users;
                self.record(LogKind::Fault, Some(p.0), format!("PoolDown: pool stops ({users} users homed)"));
                self.pools[p.0 as usize].fault_down = true;
                self.update_running(p.0, sched);
            }
            Action::PoolUp(p) => {
                self.record(LogKind::Repair, Some(p.0), "PoolUp: pool is back".to_string());
                self.pools[p.0 as usize].fault_down = false;
                self.update_running(p.0, sched);
            }
            Action::SiteDown(s) => {
                self.fault();
                let name = &self.config.sites[s.0 as usize].name;
                self.record(LogKind::Fault, None, format!("SiteDown {name}: every pool of the site stops"));
                self.site_down[s.0 as usize] = true;
                self.update_site(s, sched);
            }
            Action::SiteUp(s) => {
                let name = &self.config.sites[s.0 as usize].name;
                self.record(LogKind::Repair, None, format!("SiteUp {name}: the site is back"));
                self.site_down[s.0 as usize] = false;
                self.update_site(s, sched);
            }
        }
    }

    fn update_site(&mut self, site: SiteId, sched: &mut Scheduler<WorldEvent>) {
        for p in 0..self.pools.len() as u32 {
            if self.config.pools[p as usize].site == site {
                self.update_running(p, sched);
            }
        }
    }

    /// Recompute whether a pool runs; act on a change.
    fn update_running(&mut self, p: u32, sched: &mut Scheduler<WorldEvent>) {
        let site = self.config.pools[p as usize].site;
        let running = !self.pools[p as usize].fault_down && !self.site_down[site.0 as usize];
        if running == self.pools[p as usize].running {
            return;
        }
        self.pools[p as usize].running = running;
        self.pools[p as usize].gen += 1;
        if running {
            self.pool_starts(p, sched);
        } else {
            self.pool_stops(p, sched);
        }
    }

    fn pool_stops(&mut self, p: u32, sched: &mut Scheduler<WorldEvent>) {
        let pool = &mut self.pools[p as usize];
        pool.busy = false;
        pool.backup_accepts = false;
        let queued: Vec<(u32, u32)> = pool.queue.drain(..).collect();
        // Registrations in flight fail at once: those clients notice now.
        for (u, gen) in queued {
            if self.users[u as usize].gen == gen {
                self.lose_registrar(u, true, sched);
            }
        }
        // Users served here: the pool's own and those of the pools it backs up.
        let mut served_from = vec![p];
        served_from.extend(self.pools[p as usize].backs_up.iter().copied());
        for q in served_from {
            let (first, n) = (self.pools[q as usize].first_user, self.pools[q as usize].users);
            for u in first..first + n {
                let user = &self.users[u as usize];
                if user.serving == p && matches!(user.state, ClientState::Full | ClientState::Resiliency) {
                    self.lose_registrar(u, false, sched);
                }
            }
            if q != p {
                self.pools[q as usize].backup_accepts = false;
            }
        }
        // The backup registrar starts missing this pool's heartbeat.
        self.arm_backup_detection(p, sched);
    }

    fn pool_starts(&mut self, p: u32, sched: &mut Scheduler<WorldEvent>) {
        self.wake_parked(p, sched);
        let pool_cfg = &self.config.pools[p as usize];
        // This pool's backup stops accepting its users and, with voice failover, sends the
        // ones it serves home after the failback interval.
        self.pools[p as usize].backup_accepts = false;
        if let (Some(b), Some(vf)) = (pool_cfg.backup, pool_cfg.voice_failover) {
            if self.pools[b.0 as usize].running {
                let delay = vf.failback.sample(&mut self.pools[p as usize].rng);
                let ev = WorldEvent::RedirectHome {
                    primary: p,
                    primary_gen: self.pools[p as usize].gen,
                    backup_gen: self.pools[b.0 as usize].gen,
                };
                sched_in(sched, delay, ev);
            }
        }
        // Pools this one backs up that are down: start missing their heartbeat now.
        for q in self.pools[p as usize].backs_up.clone() {
            if !self.pools[q as usize].running {
                self.arm_backup_detection(q, sched);
            }
        }
    }

    /// Pool `q` is down: if its backup registrar runs and voice failover is on, the backup
    /// accepts `q`'s users after the detection interval.
    fn arm_backup_detection(&mut self, q: u32, sched: &mut Scheduler<WorldEvent>) {
        let cfg = &self.config.pools[q as usize];
        let (Some(b), Some(vf)) = (cfg.backup, cfg.voice_failover) else { return };
        if !self.pools[b.0 as usize].running {
            return;
        }
        let delay = vf.detection.sample(&mut self.pools[q as usize].rng);
        let ev = WorldEvent::BackupTakesOver {
            primary: q,
            primary_gen: self.pools[q as usize].gen,
            backup_gen: self.pools[b.0 as usize].gen,
        };
        sched_in(sched, delay, ev);
    }

    fn backup_takes_over(
        &mut self,
        q: u32,
        primary_gen: u32,
        backup_gen: u32,
        sched: &mut Scheduler<WorldEvent>,
    ) {
        let Some(b) = self.config.pools[q as usize].backup else { return };
        let (primary, backup) = (&self.pools[q as usize], &self.pools[b.0 as usize]);
        if primary.gen != primary_gen || backup.gen != backup_gen || primary.running || !backup.running {
            return;
        }
        self.pools[q as usize].backup_accepts = true;
        self.wake_parked(q, sched);
        let detail =
            format!("backup registrar accepts users of {} in resiliency mode (heartbeat lost)", self.fqdn(q));
        self.record(LogKind::Service, Some(b.0), detail);
    }

    fn redirect_home(
        &mut self,
        q: u32,
        primary_gen: u32,
        backup_gen: u32,
        sched: &mut Scheduler<WorldEvent>,
    ) {
        let Some(b) = self.config.pools[q as usize].backup else { return };
        let (primary, backup) = (&self.pools[q as usize], &self.pools[b.0 as usize]);
        if primary.gen != primary_gen || backup.gen != backup_gen || !primary.running || !backup.running {
            return;
        }
        let (first, n) = (primary.first_user, primary.users);
        let mut moved = 0u32;
        for u in first..first + n {
            let user = &self.users[u as usize];
            if user.serving == b.0 && user.state == ClientState::Resiliency {
                self.enqueue(q, u, sched);
                moved += 1;
            }
        }
        if moved > 0 {
            let detail =
                format!("voice failback: backup registrar redirects {moved} users home to {}", self.fqdn(q));
            self.record(LogKind::Service, Some(b.0), detail);
        }
    }

    /// The user's registrar is gone: it loses every feature now; its client notices now
    /// (`at_once`) or at its next keep-alive or refresh.
    fn lose_registrar(&mut self, u: u32, at_once: bool, sched: &mut Scheduler<WorldEvent>) {
        self.set_state(u, ClientState::Offline);
        let user = &mut self.users[u as usize];
        user.serving = NO_POOL;
        user.gen = user.gen.wrapping_add(1);
        user.attempt = 0;
        let gen = user.gen;
        let at = if at_once {
            self.now
        } else {
            let pool = &self.pools[user.home as usize];
            let ka = next_tick(self.now, pool.keepalive, user.ka_phase);
            let refresh = next_tick(self.now, pool.refresh, user.refresh_phase);
            ka.min(refresh)
        };
        let _ = sched.schedule_at(at, WorldEvent::Notice { user: u, gen });
    }

    /// The client tries its home pool, then its backup registrar; otherwise it backs off.
    fn try_sign_in(&mut self, u: u32, sched: &mut Scheduler<WorldEvent>) {
        let home = self.users[u as usize].home;
        if self.pools[home as usize].running {
            return self.enqueue(home, u, sched);
        }
        if let Some(b) = self.config.pools[home as usize].backup {
            if self.pools[b.0 as usize].running && self.pools[home as usize].backup_accepts {
                return self.enqueue(b.0, u, sched);
            }
        }
        // Nothing can accept this client now. Its retries would fail unseen until a
        // registrar becomes available, so it is parked with its next retry time and its
        // back-off schedule is caught up when one does ([`World::wake_parked`]).
        let next = self.now.saturating_add(self.backoff(u));
        let gen = self.users[u as usize].gen;
        self.pools[home as usize].parked.push((u, gen, next));
    }

    /// The next retry delay of user `u`: `retry` doubling per attempt up to `retry_max`,
    /// times a uniform jitter factor in `1 +- retry_jitter`.
    fn backoff(&mut self, u: u32) -> SimTime {
        let clients = self.config.clients;
        let user = &mut self.users[u as usize];
        let rng = &mut self.pools[user.home as usize].clients_rng;
        let base = clients.retry.sample(rng).as_millis();
        let max = clients.retry_max.sample(rng).as_millis();
        let backoff = base.saturating_mul(1u64 << user.attempt.min(40)).min(max) as f64;
        let jitter = 1.0 + clients.retry_jitter * rng.random_range(-1.0..=1.0);
        user.attempt = user.attempt.saturating_add(1);
        SimTime::from_millis((backoff * jitter).round().max(1.0) as u64)
    }

    /// A registrar became available to the users homed on `home`: each parked client
    /// follows its back-off schedule to its first retry at or after now.
    fn wake_parked(&mut self, home: u32, sched: &mut Scheduler<WorldEvent>) {
        let parked = std::mem::take(&mut self.pools[home as usize].parked);
        let horizon = sched.horizon();
        for (u, gen, mut at) in parked {
            if self.users[u as usize].gen != gen {
                continue;
            }
            while at < self.now && at <= horizon {
                at = at.saturating_add(self.backoff(u));
            }
            let _ = sched.schedule_at(at, WorldEvent::Retry { user: u, gen });
        }
    }

    fn enqueue(&mut self, p: u32, u: u32, sched: &mut Scheduler<WorldEvent>) {
        self.set_state(u, ClientState::SigningIn);
        let user = &mut self.users[u as usize];
        user.gen = user.gen.wrapping_add(1);
        user.serving = p;
        let gen = user.gen;
        let pool = &mut self.pools[p as usize];
        pool.queue.push_back((u, gen));
        if !pool.busy {
            pool.busy = true;
            pool.busy_start = self.now;
            pool.served_in_busy = 0;
            let cfg = &self.config.pools[p as usize];
            pool.busy_rate = cfg.registrations_per_sec * cfg.front_ends as f64;
            self.schedule_next_sign_in(p, sched);
        }
    }

    /// Completions within one busy period fall at `start + k / rate`, rounded to the
    /// millisecond from the period's start, so rounding never accumulates.
    fn schedule_next_sign_in(&mut self, p: u32, sched: &mut Scheduler<WorldEvent>) {
        let pool = &self.pools[p as usize];
        let k = pool.served_in_busy + 1;
        let offset = SimTime::from_secs_f64(k as f64 / pool.busy_rate);
        let at = pool.busy_start.saturating_add(offset).max(self.now);
        let _ = sched.schedule_at(at, WorldEvent::SignInDone { pool: p, gen: pool.gen });
    }

    fn sign_in_done(&mut self, p: u32, sched: &mut Scheduler<WorldEvent>) {
        while let Some((u, gen)) = self.pools[p as usize].queue.pop_front() {
            let user = self.users[u as usize];
            if user.gen != gen || user.state != ClientState::SigningIn || user.serving != p {
                continue;
            }
            if user.home != p && self.pools[user.home as usize].running {
                // The home pool is back: the backup registrar redirects instead of registering.
                self.enqueue(user.home, u, sched);
                break;
            }
            let state = if user.home == p { ClientState::Full } else { ClientState::Resiliency };
            self.set_state(u, state);
            let now = self.now.as_millis();
            let pool = &self.pools[user.home as usize];
            let (ka, refresh) = (pool.keepalive.as_millis(), pool.refresh.as_millis());
            let user = &mut self.users[u as usize];
            user.attempt = 0;
            user.ka_phase = (now % ka) as u32;
            user.refresh_phase = (now % refresh) as u32;
            break;
        }
        let pool = &mut self.pools[p as usize];
        pool.served_in_busy += 1;
        if pool.queue.is_empty() {
            pool.busy = false;
        } else {
            self.schedule_next_sign_in(p, sched);
        }
    }

    fn set_state(&mut self, u: u32, state: ClientState) {
        let user = &mut self.users[u as usize];
        self.counts.by_state[user.state.index()] -= 1;
        self.counts.by_state[state.index()] += 1;
        user.state = state;
    }
}

/// The first instant at or after `now` of a periodic timer with `period` and `phase`.
fn next_tick(now: SimTime, period: SimTime, phase: u32) -> SimTime {
    let (now, period) = (now.as_millis(), period.as_millis());
    let wait = (phase as u64 + period - now % period) % period;
    SimTime::from_millis(now + wait)
}

fn sched_in(sched: &mut Scheduler<WorldEvent>, delay: SimTime, ev: WorldEvent) {
    // Past the end of time means never: the horizon bounds every run.
    let _ = sched.schedule_in(delay, ev);
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
