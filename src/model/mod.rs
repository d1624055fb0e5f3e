//! The Lync world: sites, pools, registrars, the Backup Service, administrators' cmdlets,
//! clients and what users can do.
//!
//! # What is modelled (SPEC 4.1-4.6)
//! - A pool is a unit: its servers run unless a `PoolDown` or the loss of its site stopped
//!   them, and its Lync services (RTCSRV, LYNCBACKUP, ...) run unless a cmdlet stopped them.
//!   It registers users only when both run. Its sign-in queue is served FIFO at
//!   `registrations_per_sec` x front ends; users wait in `SigningIn`.
//! - Every user starts signed in to its home pool (`Full`). Each client has its own random
//!   keep-alive and refresh phase. When its registrar goes away the user loses every feature
//!   at once (`Offline`), but the client notices only at its next keep-alive or refresh
//!   (at once when the registrar deregisters it); it then tries its home pool, then its
//!   backup registrar, and retries with doubling, jittered back-off.
//! - Who accepts a user is [`World::admission`]: the home pool while its PoolState is
//!   `Active` (`FailingBack`: in resiliency mode); the paired pool as `FailedOver` once it
//!   has loaded the pool's routing groups; the backup registrar in `Resiliency` once it has
//!   missed the pool's heartbeat for `voice_failover.detection`. After the home pool returns
//!   and `voice_failover.failback` has passed, the backup redirects resiliency users home.
//! - Each pool's PoolState is seen separately by the pool itself and by its partner: a
//!   cmdlet changes both views as its steps run ([`cmdlets`]); a change by hand reaches the
//!   pool at its registrar poll and the partner at its own poll, 30 s later.
//! - The Backup Service replicates each pool's data to its partner ([`backup`]); a
//!   disaster failover or failback loses what was not yet replicated.
//!
//! # Cost
//! Events happen only when a user's state changes or its client acts on a change: a user
//! whose pool never fails costs nothing after start-up (keep-alives are not simulated, their
//! phase is used to compute when a client notices a failure). A client whose retries cannot
//! succeed (no registrar will take it) is parked; when a registrar becomes available its
//! back-off schedule is replayed to the first retry at or after that instant, so a long
//! outage costs no more events than a short one. Backup Service syncs are computed in closed
//! form, not simulated. Stale timers are recognised by generation counters.
//!
//! # Random streams
//! Per pool: `clients:<fqdn>` (phases, retry jitter of the pool's users), `pool:<fqdn>`
//! (detection and failback delays, cmdlet step durations) and `backup:<fqdn>` (the sync
//! interval and phase of the pool's data streams).

pub mod backup;
mod cmdlets;
pub mod config;
mod log;

use std::collections::VecDeque;
use std::sync::Arc;

use rand::Rng;
use rand_chacha::ChaCha8Rng;

pub use backup::ExportState;
pub use config::*;
pub use log::{LogEntry, LogKind};

use crate::engine::{stream_id, Scheduler, SimTime, Streams};
use backup::Stream;
use cmdlets::Cmdlet;

/// Users per client state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Users per state, in [`ClientState::ALL`] order.
    pub by_state: [u64; 5],
    /// Users in `FailedOver` whose serving pool has Response Group data.
    pub failed_over_with_rgs: u64,
}

/// A pool failover or failback cmdlet as recorded by the world.
#[derive(Debug, Clone, PartialEq)]
pub struct FailoverOutcome {
    /// `Invoke-CsPoolFailover` or `Invoke-CsPoolFailback`.
    pub cmdlet: &'static str,
    /// The pool named by `-PoolFqdn`.
    pub pool: String,
    /// When the cmdlet started.
    pub started: SimTime,
    /// When it completed.
    pub completed: Option<SimTime>,
    /// `-DisasterMode`.
    pub disaster_mode: bool,
    /// Unreplicated data lost (seconds of user changes), for disaster mode.
    pub data_lost: Option<SimTime>,
    /// First instant, once the cmdlet completed, when 99 % of the pool's users had their
    /// contact list again (the recovery Microsoft's RTO targets describe).
    pub restored: Option<SimTime>,
    /// Error text if it failed.
    pub error: Option<String>,
}

/// Backup Service status of one direction at the end of the run.
#[derive(Debug, Clone, PartialEq)]
pub struct BackupStatus {
    /// Pool whose users' data this is.
    pub pool: String,
    /// Pool replicating.
    pub from: String,
    /// Pool receiving.
    pub to: String,
    /// Export state at the source.
    pub export_state: ExportState,
    /// `NormalState` or `ErrorState` at the target.
    pub import_state: &'static str,
    /// Age of the oldest unreplicated change.
    pub unreplicated: SimTime,
}

/// What the world leaves when the run ends.
#[derive(Debug, Clone)]
pub struct WorldOutput {
    /// First fault.
    pub first_fault: Option<SimTime>,
    /// Largest unreplicated data lost by a disaster failover or failback.
    pub rpo_realized: Option<SimTime>,
    /// Pool failovers and failbacks.
    pub failovers: Vec<FailoverOutcome>,
    /// Backup Service status per direction at the horizon.
    pub backup_status: Vec<BackupStatus>,
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
    /// The next step of the cmdlet running against `pool`.
    CmdletStep {
        /// The pool named by `-PoolFqdn`.
        pool: u32,
    },
    /// A registrar polls the configuration store after a PoolState change by hand.
    RegistrarPoll {
        /// The pool whose PoolState changed.
        pool: u32,
        /// Whether the polling registrar is the pool's partner (else the pool itself).
        partner: bool,
        /// The state to apply.
        state: PoolState,
        /// Index of the change, so only the latest change acts.
        change: u32,
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
    /// Stopped by `PoolDown`.
    fault_down: bool,
    /// Servers up (no fault, site up).
    running: bool,
    /// Lync services (RTCSRV) running; a cmdlet may stop them.
    services_up: bool,
    /// LYNCBACKUP running.
    backup_service_up: bool,
    gen: u32,
    queue: VecDeque<Queued>,
    busy: bool,
    busy_start: SimTime,
    served_in_busy: u64,
    busy_rate: f64,
    /// This pool's backup registrar accepts its users in resiliency mode (heartbeat lost).
    backup_accepts: bool,
    /// PoolState in the configuration store.
    config_state: PoolState,
    /// PoolState as this pool's own registrar applies it.
    home_view: PoolState,
    /// The partner has loaded this pool's routing groups and serves its users.
    hosted_by_partner: bool,
    /// The partner has this pool's Response Group data.
    rgs_on_partner: bool,
    /// A pool-scope registrar configuration exists.
    has_pool_config: bool,
    /// Latest PoolState change by hand (for polls).
    manual_change: u32,
    backs_up: Vec<u32>,
    /// Users homed here who have the contact list now.
    with_contacts: u32,
    /// Failover record waiting for 99 % of this pool's users to have contacts again.
    restore_watch: Option<usize>,
    /// Offline users homed here whose retries cannot succeed: (user, gen, next retry).
    parked: Vec<(u32, u32, SimTime)>,
    keepalive: SimTime,
    refresh: SimTime,
    /// This pool's data, replicated to its partner (normal direction).
    out_stream: Option<Stream>,
    /// This pool's data hosted on its partner, replicated back (while failed over).
    back_stream: Option<Stream>,
    cmdlet: Option<Cmdlet>,
    clients_rng: ChaCha8Rng,
    rng: ChaCha8Rng,
}

/// An entry of a sign-in queue. `keep` entries re-register a user who stays in its current
/// state while it waits (a client refreshing into a better mode).
#[derive(Debug, Clone, Copy)]
struct Queued {
    user: u32,
    gen: u32,
    keep: bool,
}

/// The simulated Lync deployment.
pub struct World {
    config: Arc<Config>,
    users: Vec<User>,
    pools: Vec<PoolRt>,
    site_down: Vec<bool>,
    counts: Counts,
    first_fault: Option<SimTime>,
    rpo_realized: Option<SimTime>,
    failovers: Vec<FailoverOutcome>,
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
        let pairing = config.product.has_pool_pairing();
        for (i, p) in config.pools.iter().enumerate() {
            let mut clients_rng = streams.stream(stream_id(&format!("clients:{}", p.fqdn)));
            let keepalive = config.clients.keepalive.sample(&mut clients_rng).max(SimTime::from_millis(1));
            let refresh = match p.registrar {
                Some(r) => r.default_endpoint_expiration.sample(&mut clients_rng),
                None => config.clients.refresh.sample(&mut clients_rng),
            }
            .max(SimTime::from_millis(1));
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
            let out_stream = match (pairing, p.backup) {
                (true, Some(_)) => {
                    let mut rng = streams.stream(stream_id(&format!("backup:{}", p.fqdn)));
                    let interval =
                        config.backup_service.sync_interval.sample(&mut rng).max(SimTime::from_millis(1));
                    let phase = SimTime::from_millis(rng.random_range(0..interval.as_millis()));
                    Some(Stream::new(
                        p.users as f64 * config.backup_service.changes_per_user_per_hour / 3600.0,
                        config.backup_service.changes_per_sync,
                        interval,
                        phase,
                        SimTime::ZERO,
                    ))
                }
                _ => None,
            };
            pools.push(PoolRt {
                first_user,
                users: p.users,
                fault_down: false,
                running: true,
                services_up: true,
                backup_service_up: true,
                gen: 0,
                queue: VecDeque::new(),
                busy: false,
                busy_start: SimTime::ZERO,
                served_in_busy: 0,
                busy_rate: 0.0,
                backup_accepts: false,
                config_state: PoolState::Active,
                home_view: PoolState::Active,
                hosted_by_partner: false,
                rgs_on_partner: config.product == Product::SfB2019
                    && config.backup_service.replicate_response_groups,
                has_pool_config: p.registrar.is_some(),
                manual_change: 0,
                with_contacts: if config.features.has(ClientState::Full, Feature::Contacts) {
                    p.users
                } else {
                    0
                },
                restore_watch: None,
                backs_up: Vec::new(),
                parked: Vec::new(),
                keepalive,
                refresh,
                back_stream: None,
                out_stream,
                cmdlet: None,
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
            rpo_realized: None,
            failovers: Vec::new(),
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

    /// Finish the run at `horizon`.
    pub fn into_output(self, horizon: SimTime) -> WorldOutput {
        let mut backup_status = Vec::new();
        for (i, p) in self.pools.iter().enumerate() {
            let Some(b) = self.config.pools[i].backup else { continue };
            let (me, partner) = (self.config.pools[i].fqdn.clone(), self.config.pool(b).fqdn.clone());
            for (stream, from, to) in [(&p.out_stream, &me, &partner), (&p.back_stream, &partner, &me)] {
                if let Some(s) = stream {
                    backup_status.push(BackupStatus {
                        pool: me.clone(),
                        from: from.clone(),
                        to: to.clone(),
                        export_state: s.export_state(horizon),
                        import_state: if s.import_normal() { "NormalState" } else { "ErrorState" },
                        unreplicated: s.unreplicated(horizon),
                    });
                }
            }
        }
        WorldOutput {
            first_fault: self.first_fault,
            rpo_realized: self.rpo_realized,
            failovers: self.failovers,
            backup_status,
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
            WorldEvent::CmdletStep { pool } => self.cmdlet_step(pool, sched),
            WorldEvent::RegistrarPoll { pool, partner, state, change } => {
                self.registrar_poll(pool, partner, state, change, sched)
            }
        }
    }

    fn fqdn(&self, pool: u32) -> &str {
        &self.config.pools[pool as usize].fqdn
    }

    fn partner(&self, pool: u32) -> Option<u32> {
        self.config.pools[pool as usize].backup.map(|b| b.0)
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
                if self.pools[p.0 as usize].fault_down {
                    return self.record(
                        LogKind::Warning,
                        Some(p.0),
                        "PoolDown: the pool is already down; nothing changes".into(),
                    );
                }
                self.fault();
                let users = self.config.pool(p).users;
                let why = if self.pools[p.0 as usize].running {
                    "pool stops"
                } else {
                    "pool, already down with its site, stays down"
                };
                self.record(LogKind::Fault, Some(p.0), format!("PoolDown: {why} ({users} users homed)"));
                self.pools[p.0 as usize].fault_down = true;
                self.update_running(p.0, sched);
            }
            Action::PoolUp(p) => {
                if !self.pools[p.0 as usize].fault_down {
                    return self.record(
                        LogKind::Warning,
                        Some(p.0),
                        "PoolUp: the pool is not down; nothing changes".into(),
                    );
                }
                self.pools[p.0 as usize].fault_down = false;
                let detail = if self.site_down[self.config.pool(p).site.0 as usize] {
                    "PoolUp: repaired, but its site is still down"
                } else {
                    "PoolUp: servers and services are back"
                };
                self.record(LogKind::Repair, Some(p.0), detail.to_string());
                self.update_running(p.0, sched);
            }
            Action::SiteDown(s) => {
                let name = self.config.sites[s.0 as usize].name.clone();
                if self.site_down[s.0 as usize] {
                    return self.record(
                        LogKind::Warning,
                        None,
                        format!("SiteDown {name}: the site is already down; nothing changes"),
                    );
                }
                self.fault();
                let pools = self.pools_of(s);
                self.record(LogKind::Fault, None, format!("SiteDown {name}: its pools stop ({pools})"));
                self.site_down[s.0 as usize] = true;
                self.update_site(s, sched);
            }
            Action::SiteUp(s) => {
                let name = self.config.sites[s.0 as usize].name.clone();
                if !self.site_down[s.0 as usize] {
                    return self.record(
                        LogKind::Warning,
                        None,
                        format!("SiteUp {name}: the site is not down; nothing changes"),
                    );
                }
                let pools = self.pools_of(s);
                self.record(LogKind::Repair, None, format!("SiteUp {name}: the site is back ({pools})"));
                self.site_down[s.0 as usize] = false;
                self.update_site(s, sched);
            }
            Action::InvokeCsPoolFailover { pool, disaster_mode } => {
                self.start_failover(pool.0, disaster_mode, sched)
            }
            Action::InvokeCsPoolFailback { pool, disaster_mode } => {
                self.start_failback(pool.0, disaster_mode, sched)
            }
            Action::SetCsRegistrarConfiguration { pool, pool_state } => {
                self.set_pool_state_by_hand(pool.0, pool_state, sched)
            }
            Action::ImportCsRgsConfiguration(pool) => self.import_rgs(pool.0),
        }
    }

    /// The FQDNs of a site's pools, comma-separated.
    fn pools_of(&self, site: SiteId) -> String {
        let names: Vec<&str> =
            self.config.pools.iter().filter(|p| p.site == site).map(|p| p.fqdn.as_str()).collect();
        if names.is_empty() {
            "no pools".to_string()
        } else {
            names.join(", ")
        }
    }

    fn update_site(&mut self, site: SiteId, sched: &mut Scheduler<WorldEvent>) {
        for p in 0..self.pools.len() as u32 {
            if self.config.pools[p as usize].site == site {
                self.update_running(p, sched);
            }
        }
    }

    /// Whether pool `p` registers users at all (servers and RTCSRV up).
    fn serving(&self, p: u32) -> bool {
        let pool = &self.pools[p as usize];
        pool.running && pool.services_up
    }

    /// Recompute whether a pool's servers run; servers that come back start their services.
    fn update_running(&mut self, p: u32, sched: &mut Scheduler<WorldEvent>) {
        let site = self.config.pools[p as usize].site;
        let running = !self.pools[p as usize].fault_down && !self.site_down[site.0 as usize];
        if running == self.pools[p as usize].running {
            return;
        }
        let was_serving = self.serving(p);
        let pool = &mut self.pools[p as usize];
        pool.running = running;
        if running {
            pool.services_up = true;
            pool.backup_service_up = true;
        }
        self.serving_changed(p, was_serving, false, sched);
        self.update_streams(p);
        if let Some(b) = self.partner(p) {
            self.update_streams(b);
        }
    }

    /// Set whether RTCSRV runs on a pool (a cmdlet's service step). A stop is graceful:
    /// the registrar deregisters its clients, which notice at once.
    fn set_services(&mut self, p: u32, up: bool, sched: &mut Scheduler<WorldEvent>) {
        let was_serving = self.serving(p);
        self.pools[p as usize].services_up = up;
        self.serving_changed(p, was_serving, true, sched);
    }

    fn serving_changed(
        &mut self,
        p: u32,
        was_serving: bool,
        graceful: bool,
        sched: &mut Scheduler<WorldEvent>,
    ) {
        let serving = self.serving(p);
        if serving == was_serving {
            return;
        }
        self.pools[p as usize].gen += 1;
        if serving {
            self.pool_starts(p, sched);
        } else {
            self.pool_stops(p, graceful, sched);
        }
    }

    /// Replication streams whose ends involve pool `p`'s data: flowing when both ends run
    /// their Backup Service; generating while the data's current home serves users.
    fn update_streams(&mut self, p: u32) {
        let Some(b) = self.partner(p) else { return };
        let now = self.now;
        let ends = |w: &World, x: u32| w.pools[x as usize].running && w.pools[x as usize].backup_service_up;
        let (p_ok, b_ok) = (ends(self, p), ends(self, b));
        let hosted = self.pools[p as usize].hosted_by_partner;
        let read_only = self.pools[p as usize].cmdlet.as_ref().is_some_and(|c| c.read_only());
        let pool = &mut self.pools[p as usize];
        if let Some(s) = pool.out_stream.as_mut() {
            s.set_flowing(now, p_ok && b_ok && !hosted);
            s.set_generating(now, pool.running && !hosted && !read_only);
        }
        if let Some(s) = pool.back_stream.as_mut() {
            // Exists from the failover's hydration until the failback's: it keeps flowing
            // through the failback's final backup.
            s.set_flowing(now, p_ok && b_ok);
            s.set_generating(now, b_ok && hosted && !read_only);
        }
    }

    fn pool_stops(&mut self, p: u32, graceful: bool, sched: &mut Scheduler<WorldEvent>) {
        let pool = &mut self.pools[p as usize];
        pool.busy = false;
        pool.backup_accepts = false;
        let queued: Vec<Queued> = pool.queue.drain(..).collect();
        // Registrations in flight fail at once: those clients notice now.
        for q in queued {
            if self.users[q.user as usize].gen == q.gen && !q.keep {
                self.lose_registrar(q.user, p, true, sched);
            }
        }
        // Users served here: the pool's own and those of the pools it backs up.
        let mut served_from = vec![p];
        served_from.extend(self.pools[p as usize].backs_up.iter().copied());
        for q in served_from {
            let (first, n) = (self.pools[q as usize].first_user, self.pools[q as usize].users);
            for u in first..first + n {
                let user = &self.users[u as usize];
                if user.serving == p
                    && user.state != ClientState::SigningIn
                    && user.state != ClientState::Offline
                {
                    self.lose_registrar(u, p, graceful, sched);
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
        // A registrar that starts reads its PoolState from the configuration store.
        self.pools[p as usize].home_view = self.pools[p as usize].config_state;
        self.wake_parked(p, sched);
        let pool_cfg = &self.config.pools[p as usize];
        // This pool's backup stops accepting its users and, with voice failover, sends the
        // ones it serves in resiliency mode home after the failback interval.
        self.pools[p as usize].backup_accepts = false;
        if let (Some(b), Some(vf)) = (pool_cfg.backup, pool_cfg.voice_failover) {
            if self.serving(b.0) {
                let delay = vf.failback.sample(&mut self.pools[p as usize].rng);
                let ev = WorldEvent::RedirectHome {
                    primary: p,
                    primary_gen: self.pools[p as usize].gen,
                    backup_gen: self.pools[b.0 as usize].gen,
                };
                sched_in(sched, delay, ev);
            }
        }
        // Pools this one backs up: their parked users may now get in; those that are down
        // start being missed from now.
        for q in self.pools[p as usize].backs_up.clone() {
            self.wake_parked(q, sched);
            if !self.serving(q) {
                self.arm_backup_detection(q, sched);
            }
        }
    }

    /// Pool `q` is down: if its backup registrar runs and voice failover is on, the backup
    /// accepts `q`'s users after the detection interval.
    fn arm_backup_detection(&mut self, q: u32, sched: &mut Scheduler<WorldEvent>) {
        let cfg = &self.config.pools[q as usize];
        let (Some(b), Some(vf)) = (cfg.backup, cfg.voice_failover) else { return };
        if !self.serving(b.0) || self.pools[q as usize].hosted_by_partner {
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
        let Some(b) = self.partner(q) else { return };
        if self.pools[q as usize].gen != primary_gen
            || self.pools[b as usize].gen != backup_gen
            || self.serving(q)
            || !self.serving(b)
            || self.pools[q as usize].hosted_by_partner
        {
            return;
        }
        self.pools[q as usize].backup_accepts = true;
        let detail =
            format!("backup registrar accepts users of {} in resiliency mode (heartbeat lost)", self.fqdn(q));
        self.record(LogKind::Service, Some(b), detail);
        self.wake_parked(q, sched);
    }

    fn redirect_home(
        &mut self,
        q: u32,
        primary_gen: u32,
        backup_gen: u32,
        sched: &mut Scheduler<WorldEvent>,
    ) {
        let Some(b) = self.partner(q) else { return };
        if self.pools[q as usize].gen != primary_gen
            || self.pools[b as usize].gen != backup_gen
            || !self.serving(q)
            || !self.serving(b)
        {
            return;
        }
        let (first, n) = (self.pools[q as usize].first_user, self.pools[q as usize].users);
        let mut moved = 0u32;
        for u in first..first + n {
            let user = &self.users[u as usize];
            if user.serving == b && user.state == ClientState::Resiliency {
                if let Some(state) = self.admission(u, q) {
                    if state != ClientState::Offline {
                        self.enqueue(q, u, false, sched);
                        moved += 1;
                    }
                }
            }
        }
        if moved > 0 {
            let detail =
                format!("voice failback: backup registrar redirects {moved} users home to {}", self.fqdn(q));
            self.record(LogKind::Service, Some(b), detail);
        }
    }

    /// The state pool `p` would register user `u` in now, or `None` if it refuses.
    fn admission(&self, u: u32, p: u32) -> Option<ClientState> {
        if !self.serving(p) {
            return None;
        }
        let home = self.users[u as usize].home;
        let h = &self.pools[home as usize];
        if p == home {
            return match h.home_view {
                PoolState::Active | PoolState::FailedBack => Some(ClientState::Full),
                PoolState::FailingBack => Some(ClientState::Resiliency),
                PoolState::FailingOver | PoolState::FailedOver => None,
            };
        }
        if self.partner(home) != Some(p) {
            return None;
        }
        if h.hosted_by_partner {
            Some(ClientState::FailedOver)
        } else if h.backup_accepts && !self.serving(home) {
            Some(ClientState::Resiliency)
        } else {
            None
        }
    }

    /// The user's registrar `from` is gone: it loses every feature now; its client notices
    /// now (`at_once`: the registrar deregistered it) or at its next keep-alive or refresh.
    fn lose_registrar(&mut self, u: u32, from: u32, at_once: bool, sched: &mut Scheduler<WorldEvent>) {
        self.set_state(u, ClientState::Offline);
        let (keepalive, refresh) = {
            let pool = &self.pools[from as usize];
            (pool.keepalive, pool.refresh)
        };
        let user = &mut self.users[u as usize];
        user.serving = NO_POOL;
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
        let _ = sched.schedule_at(at, WorldEvent::Notice { user: u, gen });
    }

    /// The client tries its home pool, then its backup registrar; otherwise it backs off.
    fn try_sign_in(&mut self, u: u32, sched: &mut Scheduler<WorldEvent>) {
        let home = self.users[u as usize].home;
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
        let gen = self.users[u as usize].gen;
        self.pools[home as usize].parked.push((u, gen, next));
    }

    /// The next retry delay of user `u`: `retry` doubling per attempt up to `retry_max`,
    /// times a uniform jitter factor in `1 +- retry_jitter`. Also says whether the delay
    /// has reached `retry_max` (all later delays are then alike).
    fn backoff(&mut self, u: u32) -> (SimTime, bool) {
        let clients = self.config.clients;
        let user = &mut self.users[u as usize];
        let rng = &mut self.pools[user.home as usize].clients_rng;
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
    fn wake_parked(&mut self, home: u32, sched: &mut Scheduler<WorldEvent>) {
        let parked = std::mem::take(&mut self.pools[home as usize].parked);
        for (u, gen, mut at) in parked {
            if self.users[u as usize].gen != gen {
                continue;
            }
            while at < self.now {
                let (delay, capped) = self.backoff(u);
                if capped && at.saturating_add(delay) < self.now {
                    let period = delay.as_millis().max(1);
                    let rng = &mut self.pools[home as usize].clients_rng;
                    at = self.now.saturating_add(SimTime::from_millis(rng.random_range(0..period)));
                    break;
                }
                at = at.saturating_add(delay);
            }
            let _ = sched.schedule_at(at, WorldEvent::Retry { user: u, gen });
        }
    }

    /// Put user `u` in pool `p`'s sign-in queue. `keep`: the user stays registered in its
    /// current state while it waits (a re-registration into a better mode).
    fn enqueue(&mut self, p: u32, u: u32, keep: bool, sched: &mut Scheduler<WorldEvent>) {
        if !keep {
            self.set_state(u, ClientState::SigningIn);
            self.users[u as usize].serving = p;
        }
        let user = &mut self.users[u as usize];
        user.gen = user.gen.wrapping_add(1);
        let gen = user.gen;
        let pool = &mut self.pools[p as usize];
        pool.queue.push_back(Queued { user: u, gen, keep });
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
        while let Some(q) = self.pools[p as usize].queue.pop_front() {
            let user = self.users[q.user as usize];
            if user.gen != q.gen {
                continue;
            }
            match self.admission(q.user, p) {
                Some(state) => {
                    self.set_state(q.user, state);
                    let now = self.now.as_millis();
                    let (ka, refresh) = (self.pools[p as usize].keepalive, self.pools[p as usize].refresh);
                    let user = &mut self.users[q.user as usize];
                    user.serving = p;
                    user.attempt = 0;
                    user.ka_phase = (now % ka.as_millis()) as u32;
                    user.refresh_phase = (now % refresh.as_millis()) as u32;
                }
                None if q.keep => {}
                // Refused (the pool's view changed while it waited): the client tries again.
                None => self.try_sign_in(q.user, sched),
            }
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
        let user = self.users[u as usize];
        let rgs = self.pools[user.home as usize].rgs_on_partner;
        if rgs && user.state == ClientState::FailedOver {
            self.counts.failed_over_with_rgs -= 1;
        }
        if rgs && state == ClientState::FailedOver {
            self.counts.failed_over_with_rgs += 1;
        }
        self.counts.by_state[user.state.index()] -= 1;
        self.counts.by_state[state.index()] += 1;
        self.users[u as usize].state = state;
        let features = &self.config.features;
        let (had, has) =
            (features.has(user.state, Feature::Contacts), features.has(state, Feature::Contacts));
        if had != has {
            let pool = &mut self.pools[user.home as usize];
            if has {
                pool.with_contacts += 1;
            } else {
                pool.with_contacts -= 1;
            }
            self.check_restored(user.home);
        }
    }

    /// Close the pool's restore watch once 99 % of its users have contacts again.
    fn check_restored(&mut self, p: u32) {
        let pool = &self.pools[p as usize];
        let Some(record) = pool.restore_watch else { return };
        if pool.with_contacts as f64 >= 0.99 * pool.users as f64 {
            self.pools[p as usize].restore_watch = None;
            self.failovers[record].restored = Some(self.now);
        }
    }

    /// Check the world's invariants by recounting every user (O(users); for tests):
    /// the counters match the users' states; every user in `Full`, `Resiliency` or
    /// `FailedOver` is served by a pool that is registering users, of the right kind.
    pub fn check_invariants(&self) -> Result<(), String> {
        let mut by_state = [0u64; 5];
        let mut rgs = 0u64;
        for (u, user) in self.users.iter().enumerate() {
            by_state[user.state.index()] += 1;
            let home = user.home;
            let ok = match user.state {
                ClientState::Offline => true,
                ClientState::SigningIn => user.serving != NO_POOL,
                ClientState::Full => user.serving == home && self.serving(home),
                ClientState::Resiliency => {
                    self.serving(user.serving)
                        && (user.serving == home || self.partner(home) == Some(user.serving))
                }
                ClientState::FailedOver => {
                    self.serving(user.serving)
                        && self.partner(home) == Some(user.serving)
                        && self.pools[home as usize].hosted_by_partner
                }
            };
            if !ok {
                return Err(format!(
                    "user {u} is {:?} served by pool {} at {:?}",
                    user.state, user.serving, self.now
                ));
            }
            if user.state == ClientState::FailedOver && self.pools[home as usize].rgs_on_partner {
                rgs += 1;
            }
        }
        if by_state != self.counts.by_state || rgs != self.counts.failed_over_with_rgs {
            return Err(format!("counters {:?} but users {by_state:?} at {:?}", self.counts, self.now));
        }
        Ok(())
    }

    /// Users homed on `p` served by pool `by` in state `state`.
    fn users_of(&self, p: u32, by: u32, state: ClientState) -> Vec<u32> {
        let (first, n) = (self.pools[p as usize].first_user, self.pools[p as usize].users);
        (first..first + n)
            .filter(|&u| {
                let user = &self.users[u as usize];
                user.serving == by && user.state == state
            })
            .collect()
    }

    /// `Import-CsRgsConfiguration` into pool `b`: its partner's Response Group data is there.
    fn import_rgs(&mut self, b: u32) {
        let Some(p) = self.partner(b) else { return };
        self.record(
            LogKind::Admin,
            Some(b),
            format!("Import-CsRgsConfiguration: Response Group configuration of {} imported", self.fqdn(p)),
        );
        if self.pools[p as usize].rgs_on_partner {
            return;
        }
        self.pools[p as usize].rgs_on_partner = true;
        let on_b = self.users_of(p, b, ClientState::FailedOver).len() as u64;
        self.counts.failed_over_with_rgs += on_b;
    }
}

/// The first instant at or after `now` of a periodic timer with `period` and `phase`.
fn next_tick(now: SimTime, period: SimTime, phase: u32) -> SimTime {
    let (now, period) = (now.as_millis(), period.as_millis().max(1));
    let phase = phase as u64 % period;
    let wait = (phase + period - now % period) % period;
    SimTime::from_millis(now + wait)
}

fn sched_in(sched: &mut Scheduler<WorldEvent>, delay: SimTime, ev: WorldEvent) {
    // Past the end of time means never: the horizon bounds every run.
    let scheduled = sched.schedule_in(delay, ev);
    debug_assert!(scheduled.is_ok() || delay == SimTime::MAX, "{scheduled:?}");
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
