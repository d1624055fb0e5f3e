//! The Lync world: sites, pools, registrars, the Backup Service, administrators' cmdlets,
//! clients and what users can do.
//!
//! # Rooms
//! [`World`] is one struct; each file adds the methods of one concern to it.
//! - `mod.rs`: the world's state, its construction, its events and their dispatch.
//! - `topology.rs`: sites, WAN links, pools, servers, services, quorum, refreshing a pool.
//! - `backend.rs`: the back end's SQL nodes and database failover.
//! - `registrar.rs`: who admits a user, in which state; routing groups' users.
//! - `clients.rs`: losing a registrar, noticing, retries with back-off, parking.
//! - `signin.rs`: the pools' sign-in queues.
//! - `heartbeat.rs`: the backup registrar taking users over and sending them home.
//! - `cmdlets/`: the administrators' cmdlets, one file per family; `admin.rs`: the
//!   administrator's standing policy that runs them.
//! - `counts.rs`: the counters behind the time series; `output.rs`: what a run leaves.
//! - `audit.rs`: the invariants the tests check; `ids.rs`: typed ids and [`IdVec`].
//! - Pure data and rules: `config.rs` (the input), `feature.rs` (features, client states,
//!   the maps keyed by them, the feature matrix), `pool.rs` (servers, routing groups,
//!   quorum), `backup.rs` (replication streams), `log.rs` (the event log), `phase.rs` (the
//!   phases of a run: after faults, during failover, during failback).
//!
//! # What is modelled (docs/model.md, rule by rule with sources)
//! - A pool has front-end servers (`pool.rs`): each runs unless a `ServerDown`, a
//!   `PoolDown` or the loss of its site stopped it, and RTCSRV runs on it unless stopped. The
//!   pool registers users while its running front ends keep pool-level quorum (the back end
//!   is the witness of even-sized pools); an Enterprise pool whose front ends all stopped
//!   first needs its start quorum and a Windows Fabric cold start. Each routing group keeps one primary and up to two
//!   secondary replicas on distinct front ends: a secondary is promoted when the primary's
//!   server fails (its users sign in again), a group without secondaries puts its users in
//!   resiliency mode, a group without replicas keeps them out until recovery.
//! - The back end: a `Mirrored` store with a witness fails over by itself; otherwise it stays
//!   unavailable until `InvokeCsDatabaseFailover`. After the pool's
//!   BackupStoreUnavailableThreshold (30 min) its users fall to resiliency mode.
//! - Sign-in queues are served FIFO at `registrations_per_sec` per running front end,
//!   slowed in proportion when the users registered per running front end exceed 6,660
//!   (assumption). A pool with MaxUserCount x running front ends signed in refuses further
//!   sign-ins: those users stay offline and retry with their back-off.
//! - Users sit at their pool's `users_site`; a client reaches a pool at its own site or across
//!   an intact WAN link. Calls to and from the PSTN (`pstn`) need a running Mediation service
//!   in the serving pool (the home pool, or the backup pool for a user on its backup
//!   registrar or failed over); Lync-to-Lync calls (`voice`) need only a registrar.
//! - Every user starts signed in to its home pool (`Full`). Each client has its own random
//!   keep-alive and refresh phase. When its registrar goes away the user loses every feature
//!   at once (`Offline`), but the client notices only at its next keep-alive or refresh
//!   (at once when the registrar deregisters it); it then tries its home pool, then its
//!   backup registrar if it holds it (`clients.backup_registrar_known`, the q=0.3 contact),
//!   and retries with doubling, jittered back-off.
//! - Who accepts a user is `World::admission`: the home pool while its PoolState is
//!   `Active` (`FailingBack`: in resiliency mode); the paired pool as `FailedOver` once it
//!   has loaded the pool's routing groups; the backup registrar in `Resiliency` once it has
//!   missed the pool's heartbeat for `voice_failover.detection`. After the home pool returns
//!   and `voice_failover.failback` has passed, the backup redirects resiliency users home.
//! - Each pool's PoolState is seen separately by the pool itself and by its partner: a
//!   cmdlet changes both views as its steps run (`cmdlets/`); a change by hand reaches the
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
//! (detection and failback delays, cmdlet step durations), `backup:<fqdn>` (the sync
//! interval and phase of the pool's data streams) and `registrars:<fqdn>` (which clients
//! hold their backup registrar, drawn only with a share below 1).

mod admin;
mod audit;
mod backend;
pub mod backup;
mod clients;
mod cmdlets;
pub mod config;
mod counts;
mod feature;
mod heartbeat;
mod ids;
mod log;
mod output;
mod phase;
mod pool;
mod registrar;
mod signin;
mod topology;

use std::collections::{BTreeSet, VecDeque};
use std::sync::Arc;

use rand::Rng;
use rand_chacha::ChaCha8Rng;

pub use backup::ExportState;
pub use cmdlets::routing_group_id;
pub use config::*;
pub use counts::Counts;
pub use feature::{ClientState, Feature, FeatureMatrix, PerFeature, PerState};
pub use ids::{FrontEndId, Id, IdRange, IdVec, PoolId, RoutingGroupId, SiteId, UserId};
pub use log::{LogEntry, LogKind};
pub use output::{BackupStatus, FailoverOutcome, WorldOutput};
pub use phase::{PerPhase, Phase};

use crate::engine::{stream_id, Scheduler, SimTime, Streams};
use backup::Stream;
use cmdlets::Cmdlet;
use pool::{BackEndState, RoutingGroup, Server};

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
    /// Windows Fabric has rebuilt the secondary replicas of a front end that returned.
    ReplicaRebuilt {
        /// Pool.
        pool: PoolId,
        /// The front end.
        server: u8,
        /// Its rebuild generation when scheduled.
        gen: u32,
    },
    /// Windows Fabric has finished the initial placement of a pool's cold start
    /// (docs/model.md#cold-start).
    ColdStartDone {
        /// Pool.
        pool: PoolId,
        /// Its cold-start generation when scheduled.
        gen: u32,
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
    /// `administrator.import_rgs_after` has passed since a failover of `pool` completed.
    AdminImportRgs {
        /// The failed-over pool.
        pool: PoolId,
        /// Its count of failovers and failbacks begun when the import was decided.
        failover: u32,
    },
}

/// The `serving` pool of a user no registrar serves.
const NO_POOL: PoolId = PoolId(u32::MAX);

/// One user and its client (24 bytes: a million users fit in 24 MB).
#[derive(Debug, Clone, Copy)]
struct User {
    home: PoolId,
    serving: PoolId,
    gen: u32,
    ka_phase: u32,
    refresh_phase: u32,
    state: ClientState,
    attempt: u8,
    /// A registrar refused this client's last sign-in at its MaxUserCount, and it has not
    /// been registered since (docs/model.md#sign-in-and-capacity).
    turned_away: bool,
    /// The client holds its backup registrar (the `q=0.3` contact) as well as its home pool
    /// (`q=0.7`); otherwise it knows only its home pool (docs/model.md#the-registrar-list).
    backup_known: bool,
}

/// Whether a user in `state` is registered at its `serving` pool.
fn registered(state: ClientState) -> bool {
    matches!(state, ClientState::Full | ClientState::Resiliency | ClientState::FailedOver)
}

/// A pool as it runs: its servers, routing groups, back end, registrar state, sign-in
/// queue, counters, replication streams and random streams.
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
    /// Every front end of this Enterprise pool stopped: it serves again only after a cold
    /// start (docs/model.md#cold-start).
    cold: bool,
    /// The cold start's initial placement is under way (start quorum reached).
    cold_placing: bool,
    /// Generation of the cold-start timer.
    cold_gen: u32,
    servers: IdVec<FrontEndId, Server>,
    rgs: IdVec<RoutingGroupId, RoutingGroup>,
    back_end: BackEndState,
    /// BackupStoreUnavailableThreshold in force for this pool.
    back_end_threshold: SimTime,
    /// MaxUserCount in force for this pool: users signed in at once per running front end.
    max_user_count: u32,
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
    registered: PerState<u32>,
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
    /// The administrator's random stream for `import_rgs_after` (its own, so that importing
    /// leaves the failover and failback draws unchanged).
    admin_import_rng: ChaCha8Rng,
    /// Failovers and failbacks begun per pool: an import decision counts only while no other
    /// cmdlet has begun since the failover that scheduled it.
    cmdlets_begun: IdVec<PoolId, u32>,
    counts: Counts,
    /// Whether some pool runs no Mediation service (only then can PSTN calls be missing for
    /// registered users; see [`World::counts`]).
    mediation_missing: bool,
    first_fault: Option<SimTime>,
    /// The latest change: a scenario action, failure-process step or administrator
    /// decision that logged more than a warning or a cmdlet error (docs/metrics.md#incidents).
    last_change: Option<SimTime>,
    /// The phase of the run (docs/model.md#phases-of-a-run), `None` before any fault.
    phase: Option<Phase>,
    rpo_realized: Option<SimTime>,
    /// Largest data loss in changes (docs/model.md#backup-service).
    rpo_realized_changes: Option<f64>,
    failovers: Vec<FailoverOutcome>,
    /// Sign-ins refused at a registrar's MaxUserCount (docs/model.md#sign-in-and-capacity).
    refused_sign_ins: u64,
    /// Users turned away now: refused at MaxUserCount and not registered since.
    turned_away: u64,
    /// Most users turned away at once.
    peak_turned_away: u64,
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
        let fabric = config.product.has_windows_fabric();
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
                    turned_away: false,
                    backup_known: true,
                });
            }
            let share = config.clients.backup_registrar_known;
            if share < 1.0 {
                let pool_users = IdRange::new(first_user, p.users);
                let mut rng = streams.stream(stream_id(&format!("registrars:{}", p.fqdn)));
                for (u, known) in pool_users.zip(registrar_lists(share, p.users, &mut rng)) {
                    users[u].backup_known = known;
                }
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
            // Without Windows Fabric (Lync 2010) the back end is the real-time store: its loss
            // puts the pool's users in resiliency mode at once (docs/model.md#back-end).
            let back_end_threshold = if fabric { back_end_threshold } else { SimTime::ZERO };
            let max_user_count = p.registrar.map_or(config.max_user_count, |r| r.max_user_count);
            let mut registered = PerState::default();
            registered[ClientState::Full] = p.users;
            pools.push(PoolRt {
                first_user,
                users: p.users,
                fault_down: false,
                running: true,
                serving: true,
                running_fes: p.front_ends,
                cold: false,
                cold_placing: false,
                cold_gen: 0,
                servers: (0..p.front_ends).map(|_| Server::new()).collect(),
                rgs: (0..p.routing_groups).map(|r| RoutingGroup::place(r, p.front_ends, fabric)).collect(),
                back_end: BackEndState::new(),
                back_end_threshold,
                max_user_count,
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
        counts.by_state[ClientState::Full] = users.len() as u64;
        World {
            failure_rngs,
            admin_rng: streams.stream(stream_id("administrator")),
            admin_pending: config.pools.iter().map(|_| (false, false)).collect(),
            admin_import_rng: streams.stream(stream_id("administrator:import_rgs")),
            cmdlets_begun: config.pools.iter().map(|_| 0).collect(),
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
            last_change: None,
            phase: None,
            rpo_realized: None,
            rpo_realized_changes: None,
            failovers: Vec::new(),
            refused_sign_ins: 0,
            turned_away: 0,
            peak_turned_away: 0,
            log: Vec::new(),
            now: SimTime::ZERO,
        }
    }

    /// The scenario.
    pub fn config(&self) -> &Arc<Config> {
        &self.config
    }

    /// Time of the first fault, if any happened yet.
    pub fn first_fault(&self) -> Option<SimTime> {
        self.first_fault
    }

    /// Time of the latest change, if any happened yet: a fault, a repair or an
    /// administrator's action, scripted or drawn, that changed something (logged an event
    /// other than a `Warning` or an `AdminError`). An incident of a feature starts at the
    /// latest change before it fell below 99 % (docs/metrics.md#incidents).
    pub fn last_change(&self) -> Option<SimTime> {
        self.last_change
    }

    /// The phase of the run now (docs/model.md#phases-of-a-run), `None` before any fault.
    pub fn phase(&self) -> Option<Phase> {
        self.phase
    }

    /// The client state of user `user` (for tests and invariants).
    pub fn user_state(&self, user: UserId) -> ClientState {
        self.users[user].state
    }

    /// Handle one event.
    pub fn handle(&mut self, event: WorldEvent, sched: &mut Scheduler<WorldEvent>) {
        self.now = sched.now();
        // Faults, repairs, administrators' actions and Windows Fabric moving primaries back
        // after a rebuild are changes when they change something; what follows from them
        // (sign-ins, polls, steps) is not (docs/metrics.md#incidents).
        let change = matches!(
            event,
            WorldEvent::Action(_)
                | WorldEvent::FailureStep { .. }
                | WorldEvent::AdminDecision { .. }
                | WorldEvent::AdminImportRgs { .. }
                | WorldEvent::ReplicaRebuilt { .. }
        );
        let logged = self.log.len();
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
            WorldEvent::ReplicaRebuilt { pool, server, gen } => {
                self.replica_rebuilt(pool, server, gen, sched)
            }
            WorldEvent::ColdStartDone { pool, gen } => self.cold_start_done(pool, gen, sched),
            WorldEvent::FailureStep { index, fail } => self.failure_step(index, fail, sched),
            WorldEvent::AdminDecision { pool, failback } => self.admin_decision(pool, failback, sched),
            WorldEvent::AdminImportRgs { pool, failover } => self.admin_import_rgs(pool, failover),
        }
        if change
            && self.log[logged..].iter().any(|e| !matches!(e.kind, LogKind::Warning | LogKind::AdminError))
        {
            self.last_change = Some(self.now);
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

    /// The pool's FQDN.
    fn fqdn(&self, pool: PoolId) -> &str {
        &self.config.pool(pool).fqdn
    }

    /// The pool's backup registrar / paired pool.
    fn partner(&self, pool: PoolId) -> Option<PoolId> {
        self.config.pool(pool).backup
    }

    /// Log an event now.
    fn record(&mut self, kind: LogKind, pool: Option<PoolId>, detail: String) {
        let pool = pool.map(|p| self.fqdn(p).to_string()).unwrap_or_default();
        self.log.push(LogEntry { time: self.now, kind, pool, detail });
    }

    /// Note the first fault. A fault starts the phase `AfterFault`; the administrators'
    /// actions that call this then set their own phase ([`World::enter_phase`]).
    fn fault(&mut self) {
        self.first_fault.get_or_insert(self.now);
        self.phase = Some(Phase::AfterFault);
    }

    /// The run enters `phase` now (docs/model.md#phases-of-a-run).
    fn enter_phase(&mut self, phase: Phase) {
        self.phase = Some(phase);
    }

    /// Scenario action `index` is due.
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
}

/// Which of a pool's `n` clients hold their backup registrar: exactly `round(share x n)` of
/// them, every such set equally likely (selection sampling, one draw per client from the
/// pool's `registrars:<fqdn>` stream; docs/model.md#the-registrar-list).
fn registrar_lists(share: f64, n: u32, rng: &mut ChaCha8Rng) -> impl Iterator<Item = bool> + '_ {
    let mut wanted = (share.clamp(0.0, 1.0) * f64::from(n)).round() as u32;
    (0..n).map(move |i| {
        let left = n - i;
        let known = wanted > 0 && rng.random_range(0..left) < wanted;
        wanted -= u32::from(known);
        known
    })
}

/// Schedule `ev` after `delay`.
fn sched_in(sched: &mut Scheduler<WorldEvent>, delay: SimTime, ev: WorldEvent) {
    // Past the end of time means never: the horizon bounds every run.
    let scheduled = sched.schedule_in(delay, ev);
    debug_assert!(scheduled.is_ok() || delay == SimTime::MAX, "{scheduled:?}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_costs_24_bytes_of_state() {
        // The README's memory per user, and what MAX_TOTAL_USERS budgets (BYTES_PER_USER
        // adds the user's share of the per-pool and per-feature counters).
        assert_eq!(std::mem::size_of::<User>(), 24);
        assert!(std::mem::size_of::<User>() as u64 <= crate::scenario::limits::BYTES_PER_USER);
    }

    #[test]
    fn registrar_lists_give_exactly_the_share_and_vary_with_the_stream() {
        let streams = Streams::new(7, 0);
        let draw = |name: &str, share: f64, n: u32| -> Vec<bool> {
            let mut rng = streams.stream(stream_id(name));
            registrar_lists(share, n, &mut rng).collect()
        };
        let lists = draw("registrars:a", 0.6, 2500);
        assert_eq!(lists.iter().filter(|&&k| k).count(), 1500);
        assert_eq!(lists, draw("registrars:a", 0.6, 2500), "deterministic");
        assert_ne!(lists, draw("registrars:b", 0.6, 2500), "each pool has its own stream");
        // Spread over the pool, not a block: both halves hold some of each.
        let first_half = lists[..1250].iter().filter(|&&k| k).count();
        assert!((600..900).contains(&first_half), "{first_half}");
        assert!(draw("registrars:a", 0.0, 100).iter().all(|&k| !k));
        assert!(draw("registrars:a", 1.0, 100).iter().all(|&k| k));
        assert_eq!(draw("registrars:a", 0.5, 3).iter().filter(|&&k| k).count(), 2);
    }
}
