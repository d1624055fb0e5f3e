//! The Lync world: sites, pools, registrars, the Backup Service, administrators' cmdlets,
//! clients and what users can do.
//!
//! # What is modelled (SPEC 4.1-4.6)
//! - A pool has front-end servers (`pool.rs`): each runs unless a `ServerDown`, a
//!   `PoolDown` or the loss of its site stopped it, and RTCSRV runs on it unless stopped. The
//!   pool registers users while its running front ends keep pool-level quorum (the back end
//!   is the witness of even-sized pools). Each routing group keeps one primary and up to two
//!   secondary replicas on distinct front ends: a secondary is promoted when the primary's
//!   server fails (its users sign in again), a group without secondaries puts its users in
//!   resiliency mode, a group without replicas keeps them out until recovery.
//! - The back end: a `Mirrored` store with a witness fails over by itself; otherwise it stays
//!   unavailable until `InvokeCsDatabaseFailover`. After the pool's
//!   BackupStoreUnavailableThreshold (30 min) its users fall to resiliency mode.
//! - Sign-in queues are served FIFO at `registrations_per_sec` per running front end,
//!   slowed in proportion when the users registered per running front end exceed 6,660.
//! - Users sit at their pool's `users_site`; a client reaches a pool at its own site or across
//!   an intact WAN link. Voice to the PSTN needs a running Mediation service in the serving
//!   pool.
//! - Every user starts signed in to its home pool (`Full`). Each client has its own random
//!   keep-alive and refresh phase. When its registrar goes away the user loses every feature
//!   at once (`Offline`), but the client notices only at its next keep-alive or refresh
//!   (at once when the registrar deregisters it); it then tries its home pool, then its
//!   backup registrar, and retries with doubling, jittered back-off.
//! - Who accepts a user is `World::admission`: the home pool while its PoolState is
//!   `Active` (`FailingBack`: in resiliency mode); the paired pool as `FailedOver` once it
//!   has loaded the pool's routing groups; the backup registrar in `Resiliency` once it has
//!   missed the pool's heartbeat for `voice_failover.detection`. After the home pool returns
//!   and `voice_failover.failback` has passed, the backup redirects resiliency users home.
//! - Each pool's PoolState is seen separately by the pool itself and by its partner: a
//!   cmdlet changes both views as its steps run (`cmdlets.rs`); a change by hand reaches the
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

mod backend;
pub mod backup;
mod cmdlets;
pub mod config;
mod ids;
mod log;
mod pool;

use std::collections::{BTreeSet, VecDeque};
use std::sync::Arc;

use rand::Rng;
use rand_chacha::ChaCha8Rng;

pub use backup::ExportState;
pub use cmdlets::routing_group_id;
pub use config::*;
pub use ids::{FrontEndId, Id, IdRange, IdVec, PoolId, RoutingGroupId, SiteId, UserId};
pub use log::{LogEntry, LogKind};

use crate::engine::{stream_id, Scheduler, SimTime, Streams};
use backup::Stream;
use cmdlets::Cmdlet;
use pool::{BackEndState, RgStatus, RoutingGroup, Server};

/// Users per client state, and the feature exceptions that depend on the serving pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Users per state, in [`ClientState::ALL`] order.
    pub by_state: [u64; 5],
    /// Users in `FailedOver` whose serving pool has Response Group data.
    pub failed_over_with_rgs: u64,
    /// Users whose state has voice but whose serving pool runs no Mediation service.
    pub voice_without_mediation: u64,
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
    /// Per pool (FQDN), the most users registered per running front end at any instant.
    pub peak_users_per_front_end: Vec<(String, f64)>,
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
        /// The user.
        user: UserId,
        /// User generation when scheduled.
        gen: u32,
    },
    /// A client retries signing in.
    Retry {
        /// The user.
        user: UserId,
        /// User generation when scheduled.
        gen: u32,
    },
    /// A pool's sign-in server completes the registration at the head of its queue.
    SignInDone {
        /// The pool.
        pool: PoolId,
        /// Pool generation when scheduled.
        gen: u32,
    },
    /// The backup registrar of `primary` has missed its heartbeat for the detection interval.
    BackupTakesOver {
        /// The pool whose heartbeat is lost.
        primary: PoolId,
        /// Its heartbeat generation.
        heartbeat_gen: u32,
        /// Its backup's generation.
        backup_gen: u32,
    },
    /// The voice failback interval after `primary`'s heartbeat came back has passed.
    RedirectHome {
        /// The pool whose heartbeat is back.
        primary: PoolId,
        /// Its heartbeat generation.
        heartbeat_gen: u32,
        /// Its backup's generation.
        backup_gen: u32,
    },
    /// The next step of the cmdlet running against `pool`.
    CmdletStep {
        /// The pool named by `-PoolFqdn`.
        pool: PoolId,
    },
    /// A registrar polls the configuration store after a PoolState change by hand.
    RegistrarPoll {
        /// The pool whose PoolState changed.
        pool: PoolId,
        /// Whether the polling registrar is the pool's partner (else the pool itself).
        partner: bool,
        /// The state to apply.
        state: PoolState,
        /// Index of the change, so only the latest change acts.
        change: u32,
    },
    /// The back end has been unavailable for the pool's BackupStoreUnavailableThreshold.
    BackEndThreshold {
        /// Pool.
        pool: PoolId,
        /// Back-end generation when scheduled.
        gen: u32,
    },
    /// A database failover (automatic with a witness, or `InvokeCsDatabaseFailover`) completes.
    BackEndFailover {
        /// Pool.
        pool: PoolId,
        /// Back-end generation when scheduled.
        gen: u32,
        /// Make the mirror the principal (else the primary server).
        to_mirror: bool,
        /// Asked by the administrator.
        manual: bool,
    },
    /// `Invoke-CsManagementServerFailover` completes.
    CmsMoved {
        /// The pool that now hosts the Central Management Store.
        to: PoolId,
    },
    /// `Reset-CsPoolRegistrarState -ResetType ServiceReset` has restarted the services.
    ServiceResetDone {
        /// Pool.
        pool: PoolId,
    },
    /// `Reset-CsPoolRegistrarState -ResetType QuorumLossRecovery` has finished.
    QuorumRecovered {
        /// Pool.
        pool: PoolId,
    },
    /// Stochastic failure process `index` fails its target (`fail`) or repairs it.
    FailureStep {
        /// Index in [`Config::failures`].
        index: u32,
        /// Fail (else repair).
        fail: bool,
    },
    /// The administrator's decision delay for a pool has passed.
    AdminDecision {
        /// The pool.
        pool: PoolId,
        /// Fail back (else fail over).
        failback: bool,
    },
}

/// The `serving` pool of a user no registrar serves.
const NO_POOL: PoolId = PoolId(u32::MAX);

#[derive(Debug, Clone, Copy)]
struct User {
    home: PoolId,
    serving: PoolId,
    gen: u32,
    ka_phase: u32,
    refresh_phase: u32,
    state: ClientState,
    attempt: u8,
}

fn registered(state: ClientState) -> bool {
    matches!(state, ClientState::Full | ClientState::Resiliency | ClientState::FailedOver)
}

#[derive(Debug)]
struct PoolRt {
    first_user: UserId,
    users: u32,
    /// Stopped by `PoolDown`.
    fault_down: bool,
    /// Servers powered (no pool fault, site up).
    running: bool,
    /// Registers users: running front ends with pool-level quorum.
    serving: bool,
    /// Running front ends (for sign-in capacity and load).
    running_fes: u32,
    servers: IdVec<FrontEndId, Server>,
    rgs: IdVec<RoutingGroupId, RoutingGroup>,
    back_end: BackEndState,
    /// BackupStoreUnavailableThreshold in force for this pool.
    back_end_threshold: SimTime,
    /// A Mediation service runs somewhere in the pool.
    mediation: bool,
    /// LYNCBACKUP runs somewhere in the pool.
    backup_service_up: bool,
    /// The backup registrar receives this pool's heartbeat.
    heartbeat_ok: bool,
    heartbeat_gen: u32,
    gen: u32,
    queue: VecDeque<Queued>,
    busy: bool,
    /// Exact time (ms, fractional) of the last sign-in completion.
    last_done: f64,
    /// Users registered here, per client state.
    registered: [u32; 5],
    peak_load: f64,
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
    /// Users homed here who have the contact list now.
    with_contacts: u32,
    /// Failover record waiting for 99 % of this pool's users to have contacts again.
    restore_watch: Option<usize>,
    backs_up: Vec<PoolId>,
    /// Offline users homed here whose retries cannot succeed: (user, gen, next retry).
    parked: Vec<(UserId, u32, SimTime)>,
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
    user: UserId,
    gen: u32,
    keep: bool,
}

/// The simulated Lync deployment.
pub struct World {
    config: Arc<Config>,
    users: IdVec<UserId, User>,
    pools: IdVec<PoolId, PoolRt>,
    site_down: IdVec<SiteId, bool>,
    /// Cut WAN links, as (smaller site, larger site).
    wan_down: BTreeSet<(SiteId, SiteId)>,
    /// Pool hosting the Central Management Store.
    cms_host: PoolId,
    cms_moving: bool,
    /// One random stream per stochastic failure process.
    failure_rngs: Vec<ChaCha8Rng>,
    /// The administrator's random stream (decision delays).
    admin_rng: ChaCha8Rng,
    /// Pools for which the administrator has a decision pending: (failover, failback).
    admin_pending: IdVec<PoolId, (bool, bool)>,
    counts: Counts,
    /// Whether some pool runs no Mediation service (only then can voice be missing for
    /// registered users; see [`World::counts`]).
    mediation_missing: bool,
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
        let mut users = IdVec::with_capacity(config.total_users() as usize);
        let mut pools = IdVec::with_capacity(config.pools.len());
        let pairing = config.product.has_pool_pairing();
        for (i, p) in config.pool_ids().zip(&config.pools) {
            let mut clients_rng = streams.stream(stream_id(&format!("clients:{}", p.fqdn)));
            let keepalive = config.clients.keepalive.sample(&mut clients_rng).max(SimTime::from_millis(1));
            let refresh = match p.registrar {
                Some(r) => r.default_endpoint_expiration.sample(&mut clients_rng),
                None => config.clients.refresh.sample(&mut clients_rng),
            }
            .max(SimTime::from_millis(1));
            let first_user = UserId(users.len() as u32);
            for _ in 0..p.users {
                users.push(User {
                    home: i,
                    serving: i,
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
            let mut rng = streams.stream(stream_id(&format!("pool:{}", p.fqdn)));
            let back_end_threshold = match p.registrar {
                Some(r) => r.backup_store_unavailable_threshold,
                None => config.timing.backup_store_unavailable_threshold,
            }
            .sample(&mut rng);
            let mut registered = [0u32; 5];
            registered[ClientState::Full.index()] = p.users;
            pools.push(PoolRt {
                first_user,
                users: p.users,
                fault_down: false,
                running: true,
                serving: true,
                running_fes: p.front_ends,
                servers: (0..p.front_ends).map(|_| Server::new()).collect(),
                rgs: (0..p.routing_groups).map(|r| RoutingGroup::place(r, p.front_ends)).collect(),
                back_end: BackEndState::new(),
                back_end_threshold,
                mediation: true,
                backup_service_up: true,
                heartbeat_ok: true,
                heartbeat_gen: 0,
                gen: 0,
                queue: VecDeque::new(),
                busy: false,
                last_done: 0.0,
                registered,
                peak_load: p.users as f64 / p.front_ends.max(1) as f64,
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
                rng,
            });
        }
        for (i, p) in config.pool_ids().zip(&config.pools) {
            if let Some(b) = p.backup {
                pools[b].backs_up.push(i);
            }
        }
        for (i, a) in config.events.iter().enumerate() {
            // Validation dropped actions after the horizon and bounded every time.
            let _ = sched.schedule_at(a.at, WorldEvent::Action(i as u32));
        }
        let mut failure_rngs = Vec::with_capacity(config.failures.len());
        for (i, f) in config.failures.iter().enumerate() {
            // Named by the target and how many earlier processes share it, so adding a
            // process leaves every other process's draws unchanged.
            let same = config.failures[..i].iter().filter(|g| g.target == f.target).count();
            let mut rng = streams.stream(stream_id(&format!("failure:{:?}:{same}", f.target)));
            let first = f.mtbf.sample(&mut rng);
            let _ = sched.schedule_at(first, WorldEvent::FailureStep { index: i as u32, fail: true });
            failure_rngs.push(rng);
        }
        let mut counts = Counts::default();
        counts.by_state[ClientState::Full.index()] = users.len() as u64;
        World {
            failure_rngs,
            admin_rng: streams.stream(stream_id("administrator")),
            admin_pending: config.pools.iter().map(|_| (false, false)).collect(),
            site_down: config.sites.iter().map(|_| false).collect(),
            wan_down: BTreeSet::new(),
            cms_host: config.cms_pool,
            cms_moving: false,
            config,
            users,
            pools,
            counts,
            mediation_missing: false,
            first_fault: None,
            rpo_realized: None,
            failovers: Vec::new(),
            log: Vec::new(),
            now: SimTime::ZERO,
        }
    }

    /// Current users per client state, with the per-pool feature exceptions.
    pub fn counts(&self) -> Counts {
        let mut c = self.counts;
        if !self.mediation_missing {
            return c;
        }
        let features = &self.config.features;
        c.voice_without_mediation = self
            .pools
            .iter()
            .filter(|p| !p.mediation)
            .map(|p| {
                ClientState::ALL
                    .iter()
                    .filter(|s| features.has(**s, Feature::Voice))
                    .map(|s| p.registered[s.index()] as u64)
                    .sum::<u64>()
            })
            .sum();
        c
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
    pub fn user_state(&self, user: UserId) -> ClientState {
        self.users[user].state
    }

    /// Finish the run at `horizon`.
    pub fn into_output(self, horizon: SimTime) -> WorldOutput {
        let mut backup_status = Vec::new();
        for (i, p) in self.pools.iter_enumerated() {
            let Some(b) = self.config.pool(i).backup else { continue };
            let (me, partner) = (self.config.pool(i).fqdn.clone(), self.config.pool(b).fqdn.clone());
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
        let peak_users_per_front_end = self
            .pools
            .iter_enumerated()
            .map(|(i, p)| (self.config.pool(i).fqdn.clone(), p.peak_load))
            .collect();
        WorldOutput {
            first_fault: self.first_fault,
            rpo_realized: self.rpo_realized,
            failovers: self.failovers,
            backup_status,
            peak_users_per_front_end,
            log: self.log,
        }
    }

    /// Handle one event.
    pub fn handle(&mut self, event: WorldEvent, sched: &mut Scheduler<WorldEvent>) {
        self.now = sched.now();
        match event {
            WorldEvent::Action(i) => self.action(i as usize, sched),
            WorldEvent::Notice { user, gen } | WorldEvent::Retry { user, gen } => {
                if self.users[user].gen == gen {
                    self.try_sign_in(user, sched);
                }
            }
            WorldEvent::SignInDone { pool, gen } => {
                if self.pools[pool].gen == gen {
                    self.sign_in_done(pool, sched);
                }
            }
            WorldEvent::BackupTakesOver { primary, heartbeat_gen, backup_gen } => {
                self.backup_takes_over(primary, heartbeat_gen, backup_gen, sched)
            }
            WorldEvent::RedirectHome { primary, heartbeat_gen, backup_gen } => {
                self.redirect_home(primary, heartbeat_gen, backup_gen, sched)
            }
            WorldEvent::CmdletStep { pool } => self.cmdlet_step(pool, sched),
            WorldEvent::RegistrarPoll { pool, partner, state, change } => {
                self.registrar_poll(pool, partner, state, change, sched)
            }
            WorldEvent::BackEndThreshold { pool, gen } => self.back_end_threshold(pool, gen, sched),
            WorldEvent::BackEndFailover { pool, gen, to_mirror, manual } => {
                self.back_end_failover(pool, gen, to_mirror, manual, sched)
            }
            WorldEvent::CmsMoved { to } => self.cms_moved(to),
            WorldEvent::ServiceResetDone { pool } => self.service_reset_done(pool, sched),
            WorldEvent::QuorumRecovered { pool } => self.quorum_recovered(pool, sched),
            WorldEvent::FailureStep { index, fail } => self.failure_step(index, fail, sched),
            WorldEvent::AdminDecision { pool, failback } => self.admin_decision(pool, failback, sched),
        }
    }

    /// A stochastic failure process fails or repairs its target, then draws its next step:
    /// up for a draw of `mtbf` after a repair, down for a draw of `mttr` after a failure.
    fn failure_step(&mut self, index: u32, fail: bool, sched: &mut Scheduler<WorldEvent>) {
        let f = self.config.failures[index as usize];
        let action = match (f.target, fail) {
            (FailureTarget::Pool(p), true) => Action::PoolDown(p),
            (FailureTarget::Pool(p), false) => Action::PoolUp(p),
            (FailureTarget::FrontEnd(pool, server), true) => Action::ServerDown { pool, server },
            (FailureTarget::FrontEnd(pool, server), false) => Action::ServerUp { pool, server },
            (FailureTarget::BackEnd(pool, node), true) => Action::BackEndDown { pool, node },
            (FailureTarget::BackEnd(pool, node), false) => Action::BackEndUp { pool, node },
            (FailureTarget::Site(s), true) => Action::SiteDown(s),
            (FailureTarget::Site(s), false) => Action::SiteUp(s),
            (FailureTarget::Wan(a, b), true) => Action::WanDown(a, b),
            (FailureTarget::Wan(a, b), false) => Action::WanUp(a, b),
        };
        self.apply(action, sched);
        let rng = &mut self.failure_rngs[index as usize];
        let next = if fail { f.mttr.sample(rng) } else { f.mtbf.sample(rng) };
        sched_in(sched, next, WorldEvent::FailureStep { index, fail: !fail });
    }

    /// The administrator's policy watches pool `p` after any change: a paired pool that
    /// stops serving its users gets a failover decision after `failover_after`; a
    /// failed-over pool whose servers are back gets a failback decision after
    /// `failback_after`.
    fn admin_watch(&mut self, p: PoolId, sched: &mut Scheduler<WorldEvent>) {
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

    fn admin_decision(&mut self, p: PoolId, failback: bool, sched: &mut Scheduler<WorldEvent>) {
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

    fn fqdn(&self, pool: PoolId) -> &str {
        &self.config.pool(pool).fqdn
    }

    fn partner(&self, pool: PoolId) -> Option<PoolId> {
        self.config.pool(pool).backup
    }

    fn record(&mut self, kind: LogKind, pool: Option<PoolId>, detail: String) {
        let pool = pool.map(|p| self.fqdn(p).to_string()).unwrap_or_default();
        self.log.push(LogEntry { time: self.now, kind, pool, detail });
    }

    fn fault(&mut self) {
        self.first_fault.get_or_insert(self.now);
    }

    fn action(&mut self, index: usize, sched: &mut Scheduler<WorldEvent>) {
        let action = self.config.events[index].action;
        self.apply(action, sched);
    }

    /// Carry out an action, scripted or drawn by a failure process.
    fn apply(&mut self, action: Action, sched: &mut Scheduler<WorldEvent>) {
        match action {
            Action::PoolDown(p) => self.pool_down(p, sched),
            Action::PoolUp(p) => self.pool_up(p, sched),
            Action::SiteDown(s) => self.site_fails(s, sched),
            Action::SiteUp(s) => self.site_returns(s, sched),
            Action::ServerDown { pool, server } => self.server_down(pool, FrontEndId(server), sched),
            Action::ServerUp { pool, server } => self.server_up(pool, FrontEndId(server), sched),
            Action::ServiceStop { pool, server, service } => {
                self.set_service(pool, FrontEndId(server), service, false, sched)
            }
            Action::ServiceStart { pool, server, service } => {
                self.set_service(pool, FrontEndId(server), service, true, sched)
            }
            Action::BackEndDown { pool, node } => self.back_end_node(pool, node, false, sched),
            Action::BackEndUp { pool, node } => self.back_end_node(pool, node, true, sched),
            Action::WanDown(a, b) => self.set_wan(a, b, false, sched),
            Action::WanUp(a, b) => self.set_wan(a, b, true, sched),
            Action::InvokeCsPoolFailover { pool, disaster_mode } => {
                self.start_failover(pool, disaster_mode, sched)
            }
            Action::InvokeCsPoolFailback { pool, disaster_mode } => {
                self.start_failback(pool, disaster_mode, sched)
            }
            Action::SetCsRegistrarConfiguration { pool, pool_state } => {
                self.set_pool_state_by_hand(pool, pool_state, sched)
            }
            Action::ImportCsRgsConfiguration(pool) => self.import_rgs(pool),
            Action::InvokeCsManagementServerFailover(to) => self.cms_failover(to, sched),
            Action::ResetCsPoolRegistrarState { pool, reset_type } => {
                self.reset_registrar_state(pool, reset_type, sched)
            }
            Action::InvokeCsDatabaseFailover { pool, new_principal } => {
                self.database_failover(pool, new_principal, sched)
            }
        }
    }

    /// `PoolDown`: the pool's servers stop (a pool already down only logs a warning).
    fn pool_down(&mut self, p: PoolId, sched: &mut Scheduler<WorldEvent>) {
        if self.pools[p].fault_down {
            let detail = "PoolDown: the pool is already down; nothing changes".into();
            return self.record(LogKind::Warning, Some(p), detail);
        }
        self.fault();
        let users = self.config.pool(p).users;
        let why =
            if self.pools[p].running { "pool stops" } else { "pool, already down with its site, stays down" };
        self.record(LogKind::Fault, Some(p), format!("PoolDown: {why} ({users} users homed)"));
        self.pools[p].fault_down = true;
        self.update_running(p, sched);
    }

    /// `PoolUp`: every server of the pool is repaired and starts its services.
    fn pool_up(&mut self, p: PoolId, sched: &mut Scheduler<WorldEvent>) {
        if !self.pools[p].fault_down {
            let detail = "PoolUp: the pool is not down; nothing changes".into();
            return self.record(LogKind::Warning, Some(p), detail);
        }
        self.pools[p].fault_down = false;
        // Every server of the pool is repaired and starts its services.
        for s in &mut self.pools[p].servers {
            s.down = false;
            s.start_all();
        }
        let detail = if self.site_down[self.config.pool(p).site] {
            "PoolUp: repaired, but its site is still down"
        } else {
            "PoolUp: servers and services are back"
        };
        self.record(LogKind::Repair, Some(p), detail.to_string());
        self.update_running(p, sched);
    }

    /// `SiteDown`: every pool of the site stops.
    fn site_fails(&mut self, s: SiteId, sched: &mut Scheduler<WorldEvent>) {
        let name = self.config.site(s).name.clone();
        if self.site_down[s] {
            let detail = format!("SiteDown {name}: the site is already down; nothing changes");
            return self.record(LogKind::Warning, None, detail);
        }
        self.fault();
        let pools = self.pools_of(s);
        self.record(LogKind::Fault, None, format!("SiteDown {name}: its pools stop ({pools})"));
        self.site_down[s] = true;
        self.update_site(s, sched);
    }

    /// `SiteUp`: the site's pools run again (unless down themselves).
    fn site_returns(&mut self, s: SiteId, sched: &mut Scheduler<WorldEvent>) {
        let name = self.config.site(s).name.clone();
        if !self.site_down[s] {
            let detail = format!("SiteUp {name}: the site is not down; nothing changes");
            return self.record(LogKind::Warning, None, detail);
        }
        let pools = self.pools_of(s);
        self.record(LogKind::Repair, None, format!("SiteUp {name}: the site is back ({pools})"));
        self.site_down[s] = false;
        self.update_site(s, sched);
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
        for p in self.pools.ids() {
            if self.config.pool(p).site == site {
                self.update_running(p, sched);
            }
        }
    }

    /// Whether pool `p` registers users at all (front ends running with quorum).
    fn serving(&self, p: PoolId) -> bool {
        self.pools[p].serving
    }

    /// Whether pool `p`'s servers could serve users once their services start: powered
    /// front ends with pool-level quorum (a failback needs this).
    fn could_serve(&self, p: PoolId) -> bool {
        let pool = &self.pools[p];
        let powered: Vec<bool> = pool.servers.iter().map(|s| pool.running && !s.down).collect();
        powered.iter().any(|&r| r) && pool::has_quorum(&powered, self.witness_up(p))
    }

    /// Whether a client at site `from` reaches a pool at site `to`.
    fn reachable(&self, from: SiteId, to: SiteId) -> bool {
        from == to || !self.wan_down.contains(&(from.min(to), from.max(to)))
    }

    /// Whether user `u`'s client reaches pool `p`.
    fn user_reaches(&self, u: UserId, p: PoolId) -> bool {
        let home = self.users[u].home;
        self.reachable(self.config.pool(home).users_site, self.config.pool(p).site)
    }

    /// Whether pools `p` and `q` can talk (heartbeat, replication).
    fn pools_connected(&self, p: PoolId, q: PoolId) -> bool {
        self.reachable(self.config.pool(p).site, self.config.pool(q).site)
    }

    /// Recompute whether a pool's servers are powered; servers that come back start their
    /// services.
    fn update_running(&mut self, p: PoolId, sched: &mut Scheduler<WorldEvent>) {
        let site = self.config.pool(p).site;
        let running = !self.pools[p].fault_down && !self.site_down[site];
        if running == self.pools[p].running {
            return;
        }
        let pool = &mut self.pools[p];
        pool.running = running;
        if running {
            for s in pool.servers.iter_mut().filter(|s| !s.down) {
                s.start_all();
            }
        }
        self.refresh_pool(p, false, sched);
    }

    fn server_down(&mut self, p: PoolId, s: FrontEndId, sched: &mut Scheduler<WorldEvent>) {
        if self.pools[p].servers[s].down {
            let detail = format!("ServerDown: front end {s} is already down; nothing changes");
            return self.record(LogKind::Warning, Some(p), detail);
        }
        self.fault();
        self.record(LogKind::Fault, Some(p), format!("ServerDown: front end {s} fails"));
        self.pools[p].servers[s].down = true;
        self.refresh_pool(p, false, sched);
    }

    fn server_up(&mut self, p: PoolId, s: FrontEndId, sched: &mut Scheduler<WorldEvent>) {
        if !self.pools[p].servers[s].down {
            let detail = format!("ServerUp: front end {s} is not down; nothing changes");
            return self.record(LogKind::Warning, Some(p), detail);
        }
        self.record(LogKind::Repair, Some(p), format!("ServerUp: front end {s} and its services are back"));
        let server = &mut self.pools[p].servers[s];
        server.down = false;
        server.start_all();
        self.refresh_pool(p, false, sched);
    }

    /// `ServiceStop` / `ServiceStart` of one service on one front end. A stopped RTCSRV
    /// deregisters its clients (a graceful stop).
    fn set_service(
        &mut self,
        p: PoolId,
        s: FrontEndId,
        service: Service,
        up: bool,
        sched: &mut Scheduler<WorldEvent>,
    ) {
        let verb = if up { "Start" } else { "Stop" };
        let detail = format!("{verb}-CsWindowsService -Name {} (front end {s})", service.windows_name());
        if !up && matches!(service, Service::FrontEnd | Service::Mediation) {
            self.fault();
        }
        self.record(LogKind::Service, Some(p), detail);
        let server = &mut self.pools[p].servers[s];
        match service {
            Service::FrontEnd => server.rtcsrv = up,
            Service::Mediation => server.mediation = up,
            Service::Backup => server.backup = up,
            Service::Replica => {}
        }
        self.refresh_pool(p, true, sched);
    }

    /// Set a service on every front end of a pool (a cmdlet's service step).
    fn set_all(&mut self, p: PoolId, service: Service, up: bool, sched: &mut Scheduler<WorldEvent>) {
        for server in &mut self.pools[p].servers {
            match service {
                Service::FrontEnd => server.rtcsrv = up,
                Service::Mediation => server.mediation = up,
                Service::Backup => server.backup = up,
                Service::Replica => {}
            }
        }
        self.refresh_pool(p, true, sched);
    }

    /// Whether the primary SQL database runs: the quorum witness of even-sized pools
    /// (SfB-FEHA: "if primary DB is shut down (mirror active) and enough FEs are down, the
    /// entire pool goes down").
    fn witness_up(&self, p: PoolId) -> bool {
        match self.config.pool(p).back_end {
            BackEnd::Local => true,
            BackEnd::Single | BackEnd::Mirrored { .. } => self.pools[p].back_end.principal_up,
        }
    }

    /// Whether the pool's back-end store answers.
    fn back_end_up(&self, p: PoolId) -> bool {
        let be = &self.pools[p].back_end;
        match self.config.pool(p).back_end {
            BackEnd::Local => true,
            BackEnd::Single => be.principal_up,
            BackEnd::Mirrored { .. } => be.active_up(),
        }
    }

    /// Recompute everything about pool `p` after a change of its servers, services or back
    /// end, and apply the consequences to its users. `graceful`: a registrar that stops
    /// deregisters its clients (they notice at once) rather than vanishing.
    fn refresh_pool(&mut self, p: PoolId, graceful: bool, sched: &mut Scheduler<WorldEvent>) {
        let back_end_up = self.witness_up(p);
        let pool = &mut self.pools[p];
        let running: Vec<bool> = pool.servers.iter().map(|s| pool.running && !s.down && s.rtcsrv).collect();
        let fes = running.iter().filter(|&&r| r).count() as u32;
        let serving = fes > 0 && pool::has_quorum(&running, back_end_up);
        pool.running_fes = fes;
        pool.mediation = pool.running && pool.servers.iter().any(|s| !s.down && s.mediation);
        pool.backup_service_up = pool.running && pool.servers.iter().any(|s| !s.down && s.backup);
        let mut moved = Vec::new();
        let mut changed = Vec::new();
        let mut recovered = false;
        for (r, rg) in pool.rgs.iter_enumerated_mut() {
            let was_down = rg.status == RgStatus::Down;
            let (primary_moved, status_changed) = rg.update(&running);
            recovered |= was_down && rg.status != RgStatus::Down;
            if primary_moved {
                moved.push(r);
            } else if status_changed {
                changed.push(r);
            }
        }
        let was_serving = pool.serving;
        pool.serving = serving;
        if serving != was_serving {
            self.pools[p].gen += 1;
            if serving {
                self.pool_starts(p, sched);
            } else {
                self.pool_stops(p, graceful, sched);
            }
        } else if serving {
            // Users of a group whose primary moved sign in again, to the new primary.
            for r in moved {
                for u in self.rg_users(p, r) {
                    if self.users[u].serving == p && registered(self.users[u].state) {
                        self.lose_registrar(u, p, graceful, sched);
                    }
                }
            }
            for r in changed {
                self.reevaluate_group(p, r, sched);
            }
            if recovered {
                self.wake_parked(p, sched);
            }
        }
        self.mediation_missing = self.pools.iter().any(|pool| !pool.mediation);
        self.track_load(p);
        self.refresh_heartbeats(sched);
        self.update_streams(p);
        if let Some(b) = self.partner(p) {
            self.update_streams(b);
        }
        self.admin_watch(p, sched);
    }

    /// Users homed on pool `p` (a contiguous block).
    fn homed(&self, p: PoolId) -> IdRange<UserId> {
        IdRange::new(self.pools[p].first_user, self.pools[p].users)
    }

    /// Users of routing group `r` of pool `p` (a contiguous block).
    fn rg_users(&self, p: PoolId, r: RoutingGroupId) -> IdRange<UserId> {
        let pool = &self.pools[p];
        let groups = pool.rgs.len().max(1) as u32;
        let (q, rem) = (pool.users / groups, pool.users % groups);
        let start = r.0 * q + r.0.min(rem);
        let len = q + u32::from(r.0 < rem);
        IdRange::new(UserId(pool.first_user.0 + start), len)
    }

    /// The routing group of user `u` in its home pool.
    fn rg_of(&self, u: UserId) -> RoutingGroupId {
        let pool = &self.pools[self.users[u].home];
        let groups = pool.rgs.len().max(1) as u32;
        let (q, rem) = (pool.users / groups, pool.users % groups);
        let k = u.0 - pool.first_user.0;
        RoutingGroupId(if k < rem * (q + 1) { k / (q + 1) } else { rem + (k - rem * (q + 1)) / q.max(1) })
    }

    /// The state the home pool `p` gives a user of routing group `r`: `existing` users keep
    /// limited functionality while a failover is in progress; new sign-ins are refused.
    fn home_state(&self, p: PoolId, r: RoutingGroupId, existing: bool) -> Option<ClientState> {
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

    /// Users of group `r` registered on their home pool take the state it now gives them.
    fn reevaluate_group(&mut self, p: PoolId, r: RoutingGroupId, sched: &mut Scheduler<WorldEvent>) {
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
    fn reevaluate_home(&mut self, p: PoolId, sched: &mut Scheduler<WorldEvent>) {
        for r in self.pools[p].rgs.ids() {
            self.reevaluate_group(p, r, sched);
        }
    }

    /// Users registered per running front end, and its peak.
    fn track_load(&mut self, p: PoolId) {
        let pool = &mut self.pools[p];
        if pool.running_fes > 0 {
            let load = pool.registered.iter().sum::<u32>() as f64 / pool.running_fes as f64;
            pool.peak_load = pool.peak_load.max(load);
        }
    }

    /// Replication streams whose ends involve pool `p`'s data: flowing when both ends run
    /// their Backup Service and can reach each other; generating while the data's current
    /// home serves users.
    fn update_streams(&mut self, p: PoolId) {
        let Some(b) = self.partner(p) else { return };
        let now = self.now;
        let link = self.pools_connected(p, b);
        let ends = |w: &World, x: PoolId| w.pools[x].running && w.pools[x].backup_service_up;
        let (p_ok, b_ok) = (ends(self, p), ends(self, b));
        let hosted = self.pools[p].hosted_by_partner;
        let read_only = self.pools[p].cmdlet.as_ref().is_some_and(|c| c.read_only());
        let pool = &mut self.pools[p];
        if let Some(s) = pool.out_stream.as_mut() {
            s.set_flowing(now, p_ok && b_ok && link && !hosted);
            s.set_generating(now, pool.running && !hosted && !read_only);
        }
        if let Some(s) = pool.back_stream.as_mut() {
            // Exists from the failover's hydration until the failback's: it keeps flowing
            // through the failback's final backup.
            s.set_flowing(now, p_ok && b_ok && link);
            s.set_generating(now, b_ok && hosted && !read_only);
        }
    }

    fn pool_stops(&mut self, p: PoolId, graceful: bool, sched: &mut Scheduler<WorldEvent>) {
        let pool = &mut self.pools[p];
        pool.busy = false;
        let queued: Vec<Queued> = pool.queue.drain(..).collect();
        // Registrations in flight fail at once: those clients notice now.
        for q in queued {
            if self.users[q.user].gen == q.gen && !q.keep {
                self.lose_registrar(q.user, p, true, sched);
            }
        }
        // Users registered here: the pool's own and those of the pools it backs up.
        let mut served_from = vec![p];
        served_from.extend(self.pools[p].backs_up.iter().copied());
        for q in served_from {
            for u in self.homed(q) {
                let user = &self.users[u];
                if user.serving == p && registered(user.state) {
                    self.lose_registrar(u, p, graceful, sched);
                }
            }
            if q != p {
                self.pools[q].backup_accepts = false;
            }
        }
    }

    fn pool_starts(&mut self, p: PoolId, sched: &mut Scheduler<WorldEvent>) {
        // A registrar that starts reads its PoolState from the configuration store.
        self.pools[p].home_view = self.pools[p].config_state;
        self.wake_parked(p, sched);
        // Pools this one backs up: their parked users may now get in; those whose heartbeat
        // is missing are missed from now.
        for q in self.pools[p].backs_up.clone() {
            self.wake_parked(q, sched);
            if !self.pools[q].heartbeat_ok {
                self.arm_backup_detection(q, sched);
            }
        }
    }

    /// A pool's backup registrar hears its heartbeat while the pool serves and the two can
    /// talk. On loss the backup starts counting the detection interval; on return it stops
    /// accepting the pool's users and, after the failback interval, sends them home.
    fn refresh_heartbeats(&mut self, sched: &mut Scheduler<WorldEvent>) {
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
    fn arm_redirect_home(&mut self, q: PoolId, sched: &mut Scheduler<WorldEvent>) {
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
    fn arm_backup_detection(&mut self, q: PoolId, sched: &mut Scheduler<WorldEvent>) {
        let cfg = &self.config.pool(q);
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

    fn backup_takes_over(
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
        let detail =
            format!("backup registrar accepts users of {} in resiliency mode (heartbeat lost)", self.fqdn(q));
        self.record(LogKind::Service, Some(b), detail);
        self.wake_parked(q, sched);
    }

    fn redirect_home(
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

    /// The state pool `p` would register user `u` in now, or `None` if it refuses.
    fn admission(&self, u: UserId, p: PoolId) -> Option<ClientState> {
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
        } else if h.backup_accepts && !h.heartbeat_ok {
            Some(ClientState::Resiliency)
        } else {
            None
        }
    }

    /// The user's registrar `from` is gone: it loses every feature now; its client notices
    /// now (`at_once`: the registrar deregistered it) or at its next keep-alive or refresh.
    fn lose_registrar(&mut self, u: UserId, from: PoolId, at_once: bool, sched: &mut Scheduler<WorldEvent>) {
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
    fn try_sign_in(&mut self, u: UserId, sched: &mut Scheduler<WorldEvent>) {
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
    fn backoff(&mut self, u: UserId) -> (SimTime, bool) {
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
    fn wake_parked(&mut self, home: PoolId, sched: &mut Scheduler<WorldEvent>) {
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
    fn wake_all(&mut self, sched: &mut Scheduler<WorldEvent>) {
        for p in self.pools.ids() {
            self.wake_parked(p, sched);
        }
    }

    /// Put user `u` in pool `p`'s sign-in queue. `keep`: the user stays registered in its
    /// current state while it waits (a re-registration into a better mode).
    fn enqueue(&mut self, p: PoolId, u: UserId, keep: bool, sched: &mut Scheduler<WorldEvent>) {
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
        let load = pool.registered.iter().sum::<u32>() as f64 / fes;
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

    fn sign_in_done(&mut self, p: PoolId, sched: &mut Scheduler<WorldEvent>) {
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
            match self.admission(q.user, p) {
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

    /// When a client event due at `t` happens: `t`, or with `clients.batch` the end of the
    /// window that holds it.
    fn client_time(&self, t: SimTime) -> SimTime {
        let batch = self.config.clients.batch.as_millis();
        if batch == 0 {
            t
        } else {
            SimTime::from_millis(t.as_millis().div_ceil(batch) * batch)
        }
    }

    fn move_user(&mut self, u: UserId, state: ClientState, serving: PoolId) {
        let user = self.users[u];
        if registered(user.state) && user.serving != NO_POOL {
            self.pools[user.serving].registered[user.state.index()] -= 1;
        }
        let rgs = self.pools[user.home].rgs_on_partner;
        if rgs && user.state == ClientState::FailedOver {
            self.counts.failed_over_with_rgs -= 1;
        }
        if rgs && state == ClientState::FailedOver {
            self.counts.failed_over_with_rgs += 1;
        }
        self.counts.by_state[user.state.index()] -= 1;
        self.counts.by_state[state.index()] += 1;
        let user_mut = &mut self.users[u];
        user_mut.state = state;
        user_mut.serving = serving;
        if registered(state) && serving != NO_POOL {
            self.pools[serving].registered[state.index()] += 1;
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

    /// Close the pool's restore watch once 99 % of its users have contacts again.
    fn check_restored(&mut self, p: PoolId) {
        let pool = &self.pools[p];
        let Some(record) = pool.restore_watch else { return };
        if pool.with_contacts as f64 >= 0.99 * pool.users as f64 {
            self.pools[p].restore_watch = None;
            self.failovers[record].restored = Some(self.now);
        }
    }

    /// Check the world's invariants by recounting every user (O(users); for tests):
    /// the counters match the users' states; every registered user is registered at a pool
    /// that serves it, can be reached, and would give it that state.
    pub fn check_invariants(&self) -> Result<(), String> {
        let mut by_state = [0u64; 5];
        let mut registered_at: IdVec<PoolId, [u32; 5]> = self.pools.iter().map(|_| [0u32; 5]).collect();
        let mut rgs = 0u64;
        for (u, user) in self.users.iter_enumerated() {
            by_state[user.state.index()] += 1;
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
                registered_at[user.serving][user.state.index()] += 1;
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
            let held: u32 =
                ClientState::ALL.iter().filter(|s| registered(**s)).map(|s| pool.registered[s.index()]).sum();
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

    /// Users homed on `p` served by pool `by` in state `state`.
    fn users_of(&self, p: PoolId, by: PoolId, state: ClientState) -> Vec<UserId> {
        self.homed(p)
            .filter(|&u| {
                let user = &self.users[u];
                user.serving == by && user.state == state
            })
            .collect()
    }

    /// `ImportCsRgsConfiguration(pool)`: Response Group data reaches the pool that serves a
    /// failed-over pool's users. `pool` names the receiving pool; naming instead a pool that
    /// is failed over (or failing over) imports its configuration into its partner.
    fn import_rgs(&mut self, named: PoolId) {
        let Some(other) = self.partner(named) else { return };
        let named_is_failed =
            matches!(self.pools[named].config_state, PoolState::FailedOver | PoolState::FailingOver);
        let (p, b) = if named_is_failed { (named, other) } else { (other, named) };
        self.record(
            LogKind::Admin,
            Some(b),
            format!("Import-CsRgsConfiguration: Response Group configuration of {} imported", self.fqdn(p)),
        );
        if self.pools[p].rgs_on_partner {
            return;
        }
        self.pools[p].rgs_on_partner = true;
        let on_b = self.users_of(p, b, ClientState::FailedOver).len() as u64;
        self.counts.failed_over_with_rgs += on_b;
    }

    /// `WanDown` / `WanUp`: clients registered across a cut link lose their registrar (they
    /// notice at their next keep-alive); heartbeats and replication across it stop.
    fn set_wan(&mut self, a: SiteId, b: SiteId, up: bool, sched: &mut Scheduler<WorldEvent>) {
        let key = (a.min(b), a.max(b));
        let (an, bn) = (self.config.site(a).name.clone(), self.config.site(b).name.clone());
        let cut = self.wan_down.contains(&key);
        if cut != up {
            let state = if up { "up" } else { "down" };
            let detail = format!(
                "Wan{} {an}-{bn}: the link is already {state}; nothing changes",
                if up { "Up" } else { "Down" }
            );
            return self.record(LogKind::Warning, None, detail);
        }
        if up {
            self.record(LogKind::Repair, None, format!("WanUp {an}-{bn}: the sites reach each other again"));
            self.wan_down.remove(&key);
        } else {
            self.fault();
            self.record(
                LogKind::Fault,
                None,
                format!("WanDown {an}-{bn}: clients, heartbeats and replication between the sites are cut"),
            );
            self.wan_down.insert(key);
            for u in self.users.ids() {
                let user = self.users[u];
                if registered(user.state) && !self.user_reaches(u, user.serving) {
                    self.lose_registrar(u, user.serving, false, sched);
                }
            }
        }
        self.refresh_heartbeats(sched);
        for p in self.pools.ids() {
            self.update_streams(p);
        }
        if up {
            self.wake_all(sched);
            // Users a backup holds in resiliency mode because they could not reach home may
            // reach it now: the backup redirects them after the failback interval.
            for q in self.pools.ids() {
                let Some(b) = self.partner(q) else { continue };
                if self.pools[q].heartbeat_ok && self.serving(b) {
                    self.arm_redirect_home(q, sched);
                }
            }
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

    #[test]
    fn a_user_costs_24_bytes_of_state() {
        // The README's memory per user, and what MAX_TOTAL_USERS budgets (BYTES_PER_USER
        // adds the user's share of the per-pool and per-feature counters).
        assert_eq!(std::mem::size_of::<User>(), 24);
        assert!(std::mem::size_of::<User>() as u64 <= crate::scenario::validate::BYTES_PER_USER);
    }
}
