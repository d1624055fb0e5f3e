//! The scenario file as written: serde types that mirror the RON text one to one.
//!
//! Every struct denies unknown fields; every optional field has its default next to the
//! type (documented in `docs/scenario-reference.md`). Names are not resolved here: that is
//! [`super::validate`]'s job.

use serde::Deserialize;

use super::duration::{Distribution, Duration, TimeValue};

/// The enums a scenario shares with the model, parsed directly into it.
pub use crate::model::{
    BackEnd, BackEndNode, Edition, Feature, NewPrincipal, PoolState, Product, ResetType, Service,
};

/// A whole scenario file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Results folder name: `[a-z0-9_-]` only.
    pub name: String,
    /// Free text shown in reports.
    #[serde(default)]
    pub description: String,
    /// Product version. Default `Lync2013`.
    #[serde(default)]
    pub product: Product,
    /// Root of every random stream. Default 1.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Simulated span.
    pub horizon: Duration,
    /// Time-series sampling period. Default 10 s.
    #[serde(default = "default_sample_every")]
    pub sample_every: Duration,
    /// Monte Carlo replications. Default 1.
    #[serde(default = "default_replications")]
    pub replications: u32,
    /// Sites (data centres).
    pub sites: Vec<Site>,
    /// Front End pools.
    pub pools: Vec<Pool>,
    /// The pool that hosts the Central Management Store at start. Default `None`: the first
    /// pool.
    #[serde(default)]
    pub cms_pool: Option<String>,
    /// Backup Service settings (global).
    #[serde(default)]
    pub backup_service: BackupService,
    /// The global registrar configuration's settings that no other section holds.
    #[serde(default)]
    pub registrar: Registrar,
    /// Timings of servers and cmdlets.
    #[serde(default)]
    pub timing: Timing,
    /// Client behaviour.
    #[serde(default)]
    pub clients: Clients,
    /// Overrides of the feature matrix.
    #[serde(default)]
    pub features: Features,
    /// Scheduled faults, repairs and administrator actions.
    #[serde(default)]
    pub events: Vec<Event>,
    /// Stochastic failures.
    #[serde(default)]
    pub failures: Vec<Failure>,
    /// The administrator's standing policy for pools that fail at unplanned times. Default
    /// `None`: only the scripted events act.
    #[serde(default)]
    pub administrator: Option<Administrator>,
}

fn default_seed() -> u64 {
    1
}
fn default_sample_every() -> Duration {
    Duration::secs(10)
}
fn default_replications() -> u32 {
    1
}

/// A site.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    /// Unique name.
    pub name: String,
}

/// A Front End pool.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pool {
    /// Pool FQDN, unique.
    pub fqdn: String,
    /// The site that holds the pool.
    pub site: String,
    /// The site where the pool's users and their clients are, which matters when a WAN link
    /// is cut. Default `None`: the pool's own site.
    #[serde(default)]
    pub users_site: Option<String>,
    /// Default `Standard`.
    #[serde(default)]
    pub edition: Edition,
    /// Front-end servers. Default 1.
    #[serde(default = "default_front_ends")]
    pub front_ends: u32,
    /// Default `Local` (Standard Edition); an Enterprise pool needs `Single` or `Mirrored`.
    #[serde(default)]
    pub back_end: BackEnd,
    /// Users homed on the pool.
    pub users: u32,
    /// Routing groups; default derived from users.
    #[serde(default)]
    pub routing_groups: Option<u32>,
    /// Backup registrar and paired pool.
    #[serde(default)]
    pub backup_pool: Option<String>,
    /// Automatic voice failover to the backup registrar; `None` turns it off.
    #[serde(default = "default_voice_failover")]
    pub voice_failover: Option<VoiceFailover>,
    /// Sign-in capacity per running front end, registrations per second.
    #[serde(default = "default_registrations_per_sec")]
    pub registrations_per_sec: f64,
    /// Pool-scope registrar configuration; `None`: the pool has none and the global
    /// configuration (`clients.refresh`, `timing.backup_store_unavailable_threshold`) applies.
    #[serde(default)]
    pub registrar_configuration: Option<RegistrarConfiguration>,
}

fn default_front_ends() -> u32 {
    1
}
fn default_voice_failover() -> Option<VoiceFailover> {
    Some(VoiceFailover::default())
}
/// Default sign-in capacity per front end (assumption, see the scenario reference).
pub const DEFAULT_REGISTRATIONS_PER_SEC: f64 = 20.0;
fn default_registrations_per_sec() -> f64 {
    DEFAULT_REGISTRATIONS_PER_SEC
}

/// Topology Builder's "Automatic failover and failback for Voice".
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoiceFailover {
    /// Voice failure detection interval. Default 120 s (Topology Builder help).
    #[serde(default = "default_detection")]
    pub detection: TimeValue,
    /// Voice failback interval. Default 240 s (Topology Builder help).
    #[serde(default = "default_failback")]
    pub failback: TimeValue,
}

fn default_detection() -> TimeValue {
    TimeValue::secs(120)
}
fn default_failback() -> TimeValue {
    TimeValue::secs(240)
}

impl Default for VoiceFailover {
    fn default() -> Self {
        VoiceFailover { detection: default_detection(), failback: default_failback() }
    }
}

/// A pool-scope registrar configuration (`New-CsRegistrarConfiguration -Identity
/// service:Registrar:<pool>`). It does not inherit the global configuration: a field left
/// out has the product default (PS-Set-CsRegistrarConfiguration).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrarConfiguration {
    /// DefaultEndpointExpiration: the clients' refresh period. Default 600 s, allowed 300..900 s.
    #[serde(default = "default_endpoint_expiration")]
    pub default_endpoint_expiration: TimeValue,
    /// BackupStoreUnavailableThreshold. Default 30 min.
    #[serde(default = "default_backup_store_unavailable_threshold")]
    pub backup_store_unavailable_threshold: TimeValue,
    /// MaxUserCount: most users signed in at once per registrar (per running front end).
    /// Default 12,000, allowed 2,000..=100,000.
    #[serde(default = "default_max_user_count")]
    pub max_user_count: u32,
}

fn default_max_user_count() -> u32 {
    crate::model::DEFAULT_MAX_USER_COUNT
}

/// The global registrar configuration (`Set-CsRegistrarConfiguration -Identity global`):
/// the settings that no other section holds (its DefaultEndpointExpiration is
/// `clients.refresh`, its BackupStoreUnavailableThreshold
/// `timing.backup_store_unavailable_threshold`).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registrar {
    /// MaxUserCount. Default 12,000, allowed 2,000..=100,000.
    #[serde(default = "default_max_user_count")]
    pub max_user_count: u32,
}

impl Default for Registrar {
    fn default() -> Self {
        Registrar { max_user_count: default_max_user_count() }
    }
}

fn default_endpoint_expiration() -> TimeValue {
    TimeValue::secs(600)
}
fn default_backup_store_unavailable_threshold() -> TimeValue {
    TimeValue::secs(30 * 60)
}

impl Default for RegistrarConfiguration {
    fn default() -> Self {
        RegistrarConfiguration {
            default_endpoint_expiration: default_endpoint_expiration(),
            backup_store_unavailable_threshold: default_backup_store_unavailable_threshold(),
            max_user_count: default_max_user_count(),
        }
    }
}

/// `Set-CsBackupServiceConfiguration`.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BackupService {
    /// SyncInterval: default 2 min, allowed 5 s..3 h.
    pub sync_interval: TimeValue,
    /// EnableRgsBackupService (SfB 2019 July 2019 CU only). Default false.
    pub replicate_response_groups: bool,
    /// User-data changes each homed user makes per hour. Default 2.0 (assumption).
    pub changes_per_user_per_hour: f64,
    /// MaxBatchesPerUserStoreSync: most batches of changes one sync carries. Default 500.
    pub max_batches_per_sync: u32,
    /// Changes per batch. Default 100 (assumption).
    pub changes_per_batch: u32,
}

impl Default for BackupService {
    fn default() -> Self {
        BackupService {
            sync_interval: TimeValue::secs(120),
            replicate_response_groups: false,
            changes_per_user_per_hour: 2.0,
            max_batches_per_sync: 500,
            changes_per_batch: 100,
        }
    }
}

/// Timings of servers and cmdlets (docs/scenario-reference.md#timing).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Timing {
    /// Failed pool's registrar-configuration poll after a PoolState change. Default 90 s (seed).
    pub registrar_poll_failed_pool: TimeValue,
    /// Backup pool's poll, after the failed pool's. Default 30 s (seed).
    pub registrar_poll_backup_pool: TimeValue,
    /// BackupStoreUnavailableThreshold. Default 30 min.
    pub backup_store_unavailable_threshold: TimeValue,
    /// Invoke-CsManagementStoreReplication and its status checks. Assumption.
    pub cms_replication: TimeValue,
    /// Backup-CsPool -SteadyState; `None` derives it from the backlog.
    pub steady_state_backup: Option<TimeValue>,
    /// Backup-CsPool -FullBackup; `None` derives it from the backlog.
    pub full_backup: Option<TimeValue>,
    /// Sync-CsUserData per routing group. Default 10 s (assumption, calibrated to the RTO).
    pub hydrate_per_routing_group: TimeValue,
    /// Sync-CsUserData per user. Default 10 ms (assumption, calibrated to the RTO).
    pub hydrate_per_user: TimeValue,
    /// Reset-CsPoolRegistrarState -ResetType QuorumLossRecovery. Default 30 min (upper
    /// bound).
    pub quorum_loss_recovery: TimeValue,
    /// Windows Fabric rebuilding the secondary replicas of a front end that returns to a
    /// serving pool. Default 20 min (assumption: the wait between upgrade domains).
    pub replica_rebuild: TimeValue,
    /// Windows Fabric's initial placement when an Enterprise pool whose front ends all
    /// stopped starts again, for a pool of 80,000 users (scaled by the pool's users).
    /// Default 1 h (KB-FESTART "up to an hour").
    pub pool_cold_start: TimeValue,
    /// SQL mirror failover: automatic with a witness, or Invoke-CsDatabaseFailover.
    /// Assumption within the 5 min target.
    pub sql_mirror_failover: TimeValue,
    /// Invoke-CsManagementServerFailover. Default 5 min (CMS RTO).
    pub cms_failover: TimeValue,
    /// Each quick cmdlet step: a registrar configuration lookup, a PoolState change, a
    /// service start or stop. Default 5 s (assumption).
    pub cmdlet_step: TimeValue,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            registrar_poll_failed_pool: TimeValue::secs(90),
            registrar_poll_backup_pool: TimeValue::secs(30),
            backup_store_unavailable_threshold: TimeValue::secs(30 * 60),
            cms_replication: TimeValue::secs(60),
            steady_state_backup: None,
            full_backup: None,
            hydrate_per_routing_group: TimeValue::secs(10),
            hydrate_per_user: TimeValue::Fixed(Duration(crate::engine::SimTime::from_millis(10))),
            quorum_loss_recovery: TimeValue::secs(30 * 60),
            replica_rebuild: TimeValue::secs(20 * 60),
            pool_cold_start: TimeValue::secs(60 * 60),
            sql_mirror_failover: TimeValue::secs(60),
            cms_failover: TimeValue::secs(5 * 60),
            cmdlet_step: TimeValue::secs(5),
        }
    }
}

/// Client behaviour (docs/model.md#clients).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Clients {
    /// Registration refresh period. Default 600 s (DefaultEndpointExpiration).
    pub refresh: TimeValue,
    /// Keep-alive period. Default 300 s (assumption: [MS-SIPREGE] example).
    pub keepalive: TimeValue,
    /// First retry delay after a failed sign-in. Default 30 s (assumption).
    pub retry: TimeValue,
    /// Largest retry delay; the delay doubles up to it. Default 5 min (assumption).
    pub retry_max: TimeValue,
    /// Relative jitter on each retry delay, 0..=1. Default 0.2 (assumption).
    pub retry_jitter: f64,
    /// Share of each pool's clients that hold their backup registrar as well as their home
    /// pool, 0..=1. Default 1.0 (assumption: DNS SRV records point at the backup pool, or
    /// clients sign in through a Director; docs/model.md#the-registrar-list).
    pub backup_registrar_known: f64,
    /// Gather client and sign-in events into windows of this length (a precision-for-speed
    /// trade for large Monte Carlo studies). Default 0: every event at its own millisecond.
    pub batch: Duration,
}

impl Default for Clients {
    fn default() -> Self {
        Clients {
            refresh: TimeValue::secs(600),
            keepalive: TimeValue::secs(300),
            retry: TimeValue::secs(30),
            retry_max: TimeValue::secs(300),
            retry_jitter: 0.2,
            backup_registrar_known: 1.0,
            batch: Duration(crate::engine::SimTime::ZERO),
        }
    }
}

/// Overrides of the feature matrix: for each client state, the features it has.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Features {
    /// Features of a user on its healthy home pool.
    pub full: Option<Vec<Feature>>,
    /// Features in resiliency mode.
    pub resiliency: Option<Vec<Feature>>,
    /// Features after pool failover.
    pub failed_over: Option<Vec<Feature>>,
}

/// `At(time, action)`.
#[derive(Debug, Clone, Deserialize)]
pub enum Event {
    /// The action runs at the given time.
    At(Duration, Action),
}

/// What happens at a scheduled time.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Action {
    /// Every server of the pool fails.
    PoolDown {
        /// Pool FQDN.
        pool: String,
    },
    /// The pool's servers come back.
    PoolUp {
        /// Pool FQDN.
        pool: String,
    },
    /// One front end fails.
    ServerDown {
        /// Pool FQDN.
        pool: String,
        /// 0-based front-end index.
        server: u32,
    },
    /// One front end comes back.
    ServerUp {
        /// Pool FQDN.
        pool: String,
        /// 0-based front-end index.
        server: u32,
    },
    /// A Windows service stops.
    ServiceStop {
        /// Pool FQDN.
        pool: String,
        /// 0-based front-end index.
        server: u32,
        /// Which service.
        service: Service,
    },
    /// A Windows service starts.
    ServiceStart {
        /// Pool FQDN.
        pool: String,
        /// 0-based front-end index.
        server: u32,
        /// Which service.
        service: Service,
    },
    /// A back-end node fails.
    BackEndDown {
        /// Pool FQDN.
        pool: String,
        /// Which node.
        node: BackEndNode,
    },
    /// A back-end node comes back.
    BackEndUp {
        /// Pool FQDN.
        pool: String,
        /// Which node.
        node: BackEndNode,
    },
    /// Everything at a site fails.
    SiteDown {
        /// Site name.
        site: String,
    },
    /// The site comes back.
    SiteUp {
        /// Site name.
        site: String,
    },
    /// The WAN link between two sites is cut.
    WanDown {
        /// One site.
        a: String,
        /// The other site.
        b: String,
    },
    /// The WAN link is restored.
    WanUp {
        /// One site.
        a: String,
        /// The other site.
        b: String,
    },
    /// `Invoke-CsPoolFailover -PoolFqdn pool [-DisasterMode]`.
    InvokeCsPoolFailover {
        /// The pool that suffered the disaster.
        pool: String,
        /// `-DisasterMode`. Default false.
        #[serde(default)]
        disaster_mode: bool,
    },
    /// `Invoke-CsPoolFailback -PoolFqdn pool [-DisasterMode]`.
    InvokeCsPoolFailback {
        /// The pool that suffered the disaster.
        pool: String,
        /// `-DisasterMode`. Default false.
        #[serde(default)]
        disaster_mode: bool,
    },
    /// `Set-CsRegistrarConfiguration -PoolState`.
    SetCsRegistrarConfiguration {
        /// Pool FQDN.
        pool: String,
        /// New state.
        pool_state: PoolState,
    },
    /// `Invoke-CsManagementServerFailover`.
    InvokeCsManagementServerFailover {
        /// Pool that takes the CMS.
        to_pool: String,
    },
    /// `Reset-CsPoolRegistrarState`.
    ResetCsPoolRegistrarState {
        /// Pool FQDN.
        pool: String,
        /// Reset type.
        reset_type: ResetType,
    },
    /// `Invoke-CsDatabaseFailover`.
    InvokeCsDatabaseFailover {
        /// Pool FQDN.
        pool: String,
        /// New principal.
        new_principal: NewPrincipal,
    },
    /// `Import-CsRgsConfiguration` into a pool.
    ImportCsRgsConfiguration {
        /// Pool FQDN.
        pool: String,
    },
}

impl Action {
    /// The variant's name as written in files.
    pub fn name(&self) -> &'static str {
        match self {
            Action::PoolDown { .. } => "PoolDown",
            Action::PoolUp { .. } => "PoolUp",
            Action::ServerDown { .. } => "ServerDown",
            Action::ServerUp { .. } => "ServerUp",
            Action::ServiceStop { .. } => "ServiceStop",
            Action::ServiceStart { .. } => "ServiceStart",
            Action::BackEndDown { .. } => "BackEndDown",
            Action::BackEndUp { .. } => "BackEndUp",
            Action::SiteDown { .. } => "SiteDown",
            Action::SiteUp { .. } => "SiteUp",
            Action::WanDown { .. } => "WanDown",
            Action::WanUp { .. } => "WanUp",
            Action::InvokeCsPoolFailover { .. } => "InvokeCsPoolFailover",
            Action::InvokeCsPoolFailback { .. } => "InvokeCsPoolFailback",
            Action::SetCsRegistrarConfiguration { .. } => "SetCsRegistrarConfiguration",
            Action::InvokeCsManagementServerFailover { .. } => "InvokeCsManagementServerFailover",
            Action::ResetCsPoolRegistrarState { .. } => "ResetCsPoolRegistrarState",
            Action::InvokeCsDatabaseFailover { .. } => "InvokeCsDatabaseFailover",
            Action::ImportCsRgsConfiguration { .. } => "ImportCsRgsConfiguration",
        }
    }
}

/// The administrator's standing policy: how long they take to fail a paired pool over after
/// it stops serving its users, and to fail it back after its repair. The delays are
/// assumptions to vary.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Administrator {
    /// Decision delay from a paired pool losing service to `Invoke-CsPoolFailover`. Default
    /// `None`: the administrator never fails over.
    #[serde(default)]
    pub failover_after: Option<TimeValue>,
    /// Run `Invoke-CsPoolFailover` with `-DisasterMode`. Default true.
    #[serde(default = "default_disaster_mode")]
    pub disaster_mode: bool,
    /// Delay from the pool's repair to `Invoke-CsPoolFailback`. Default `None`: the
    /// administrator never fails back.
    #[serde(default)]
    pub failback_after: Option<TimeValue>,
    /// Delay from the completion of a pool's failover to `Import-CsRgsConfiguration` of its
    /// Response Group data into the partner, where the partner lacks it. Default `None`: the
    /// administrator never imports (response groups wait for failback).
    #[serde(default)]
    pub import_rgs_after: Option<TimeValue>,
}

fn default_disaster_mode() -> bool {
    true
}

impl Default for Administrator {
    fn default() -> Self {
        Administrator {
            failover_after: None,
            disaster_mode: default_disaster_mode(),
            failback_after: None,
            import_rgs_after: None,
        }
    }
}

/// A stochastic failure process.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Failure {
    /// Alternating up (mtbf) and down (mttr) periods of a target.
    Random {
        /// What fails.
        target: Target,
        /// Time between failures.
        mtbf: Distribution,
        /// Time to repair.
        mttr: Distribution,
    },
}

/// What a stochastic failure takes down.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Target {
    /// A whole pool.
    Pool {
        /// Pool FQDN.
        pool: String,
    },
    /// One front end.
    FrontEnd {
        /// Pool FQDN.
        pool: String,
        /// 0-based front-end index.
        server: u32,
    },
    /// A back-end node.
    BackEnd {
        /// Pool FQDN.
        pool: String,
        /// Which node.
        node: BackEndNode,
    },
    /// A site.
    Site {
        /// Site name.
        site: String,
    },
    /// A WAN link.
    Wan {
        /// One site.
        a: String,
        /// The other site.
        b: String,
    },
}

impl Target {
    /// The variant's name as written in files.
    pub fn name(&self) -> &'static str {
        match self {
            Target::Pool { .. } => "Pool",
            Target::FrontEnd { .. } => "FrontEnd",
            Target::BackEnd { .. } => "BackEnd",
            Target::Site { .. } => "Site",
            Target::Wan { .. } => "Wan",
        }
    }
}
