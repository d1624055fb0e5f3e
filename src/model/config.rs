//! The model's input: a validated scenario with names resolved to typed ids.
//!
//! `scenario::validate` builds a [`Config`] from a file; nothing here can be invalid.

use rand::Rng;
use rand_distr::{Distribution as _, Exp, LogNormal, Weibull};
use serde::Deserialize;

use super::ids::{IdRange, IdVec};
use crate::engine::SimTime;

use super::feature::FeatureMatrix;
use super::ids::{PoolId, SiteId};

/// Product version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Default)]
pub enum Product {
    /// Lync Server 2010: backup registrar only, no Backup Service, no pool failover.
    Lync2010,
    /// Lync Server 2013: pool pairing and the Backup Service.
    #[default]
    Lync2013,
    /// Skype for Business Server 2015.
    SfB2015,
    /// Skype for Business Server 2019.
    SfB2019,
}

impl Product {
    /// Name as written in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            Product::Lync2010 => "Lync2010",
            Product::Lync2013 => "Lync2013",
            Product::SfB2015 => "SfB2015",
            Product::SfB2019 => "SfB2019",
        }
    }

    /// Most front ends in an Enterprise pool (capacity docs).
    pub fn max_front_ends(self) -> u32 {
        if self == Product::SfB2019 {
            16
        } else {
            12
        }
    }

    /// Most users in one pool (capacity docs).
    pub fn max_pool_users(self) -> u32 {
        if self == Product::SfB2019 {
            106_000
        } else {
            80_000
        }
    }

    /// Most users per pool in a disaster-recovery pair (capacity docs).
    pub fn max_paired_pool_users(self) -> u32 {
        if self == Product::SfB2019 {
            53_000
        } else {
            40_000
        }
    }

    /// Whether pools can be paired for the Backup Service and pool failover.
    pub fn has_pool_pairing(self) -> bool {
        self != Product::Lync2010
    }

    /// Whether Enterprise pools run on Windows Fabric (Lync 2013 and later): routing groups
    /// with replicas, pool-level quorum, replica rebuilds, the cold start, and a back end
    /// that is only the backup store (BackupStoreUnavailableThreshold). Lync 2010 has none of
    /// these: any running front end serves the pool's users, and the back end is the
    /// real-time store (docs/model.md#products). The one place the model asks.
    pub fn has_windows_fabric(self) -> bool {
        self != Product::Lync2010
    }

    /// Whether back ends may use synchronous SQL mirroring: new in Lync 2013, dropped by
    /// SfB 2019 (docs/model.md#products).
    pub fn has_mirroring(self) -> bool {
        matches!(self, Product::Lync2013 | Product::SfB2015)
    }

    /// Fewest front ends in an Enterprise pool: SfB 2019 will not publish a pool of two
    /// (docs/model.md#products).
    pub fn min_front_ends(self) -> u32 {
        if self == Product::SfB2019 {
            3
        } else {
            2
        }
    }
}

/// Users per front end, recommended hardware (capacity docs).
pub const USERS_PER_FRONT_END: u32 = 6_660;
/// Users per Standard Edition server in a pair (capacity docs); 5,000 on the survivor.
pub const USERS_PER_STANDARD_SERVER: u32 = 2_500;

/// Pool edition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
pub enum Edition {
    /// One server with SQL Express.
    #[default]
    Standard,
    /// Several front ends and a separate back end.
    Enterprise,
}

/// The pool's back-end database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub enum BackEnd {
    /// SQL Express on the Standard Edition server itself.
    #[default]
    Local,
    /// One SQL server.
    Single,
    /// Synchronous SQL mirroring, with or without a witness.
    Mirrored {
        /// Whether a witness allows automatic failover.
        witness: bool,
    },
}

/// A duration drawn from a distribution each time it is used.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Delay {
    /// Always the same.
    Fixed(SimTime),
    /// Exponential with mean `mean_s` seconds.
    Exponential {
        /// Mean, seconds.
        mean_s: f64,
    },
    /// Weibull.
    Weibull {
        /// Shape k.
        shape: f64,
        /// Scale, seconds.
        scale_s: f64,
    },
    /// Log-normal.
    LogNormal {
        /// Median, seconds.
        median_s: f64,
        /// Sigma of the logarithm.
        sigma: f64,
    },
    /// Uniform.
    Uniform {
        /// Lower bound, seconds.
        min_s: f64,
        /// Upper bound, seconds.
        max_s: f64,
    },
}

impl Delay {
    /// A fixed number of seconds.
    pub const fn secs(s: u64) -> Self {
        Delay::Fixed(SimTime::from_secs(s))
    }

    /// Draw one value, rounded to the millisecond. Fixed delays draw nothing.
    /// Parameters were validated, so the distributions always construct.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> SimTime {
        let secs = match *self {
            Delay::Fixed(t) => return t,
            Delay::Exponential { mean_s } => Exp::new(1.0 / mean_s).map(|d| d.sample(rng)).unwrap_or(mean_s),
            Delay::Weibull { shape, scale_s } => {
                Weibull::new(scale_s, shape).map(|d| d.sample(rng)).unwrap_or(scale_s)
            }
            Delay::LogNormal { median_s, sigma } => {
                LogNormal::new(median_s.ln(), sigma).map(|d| d.sample(rng)).unwrap_or(median_s)
            }
            Delay::Uniform { min_s, max_s } => {
                if max_s > min_s {
                    rng.random_range(min_s..max_s)
                } else {
                    min_s
                }
            }
        };
        SimTime::from_secs_f64(secs)
    }
}

/// A site.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteConfig {
    /// Unique name.
    pub name: String,
}

/// Automatic voice failover to the backup registrar.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VoiceFailoverConfig {
    /// Heartbeat loss after which the backup registrar accepts the pool's users.
    pub detection: Delay,
    /// Delay after the pool's return before the backup redirects its users home.
    pub failback: Delay,
}

/// A Front End pool.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolConfig {
    /// FQDN.
    pub fqdn: String,
    /// Site.
    pub site: SiteId,
    /// Edition.
    pub edition: Edition,
    /// Front-end servers.
    pub front_ends: u32,
    /// Back end.
    pub back_end: BackEnd,
    /// Users homed here.
    pub users: u32,
    /// Routing groups (resolved default: see [`default_routing_groups`]).
    pub routing_groups: u32,
    /// Backup registrar / paired pool.
    pub backup: Option<PoolId>,
    /// Automatic voice failover; `None` when turned off.
    pub voice_failover: Option<VoiceFailoverConfig>,
    /// Sign-in capacity per running front end.
    pub registrations_per_sec: f64,
    /// Pool-scope registrar configuration; `None`: the global one applies.
    pub registrar: Option<RegistrarSettings>,
    /// Where the pool's users are (their clients' network location); default its site.
    pub users_site: SiteId,
}

/// Default routing groups for a pool: one per 1,000 users, at least one, at most 1,000
/// (assumption: Microsoft publishes no number; the seed's 3 routing groups for a lab pool
/// of a few users fit "at least one per front end").
pub fn default_routing_groups(users: u32, front_ends: u32) -> u32 {
    users.div_ceil(1_000).clamp(front_ends.max(1), 1_000)
}

/// Backup Service settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BackupServiceConfig {
    /// Replication period (a distribution is drawn once per direction).
    pub sync_interval: Delay,
    /// Whether Response Group data is replicated (SfB 2019 only).
    pub replicate_response_groups: bool,
    /// User-data changes each homed user makes per hour (contacts, settings, meetings).
    pub changes_per_user_per_hour: f64,
    /// Most changes one sync carries (MaxBatchesPerUserStoreSync x changes per batch).
    pub changes_per_sync: f64,
}

/// Registrar PoolState (`Set-CsRegistrarConfiguration -PoolState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
pub enum PoolState {
    /// Normal.
    Active,
    /// A failover is in progress: the pool accepts no registrations.
    FailingOver,
    /// The pool's users are served by its paired pool.
    FailedOver,
    /// A failback is in progress.
    FailingBack,
    /// Documented by Microsoft as a value; behaves like `Active`.
    FailedBack,
}

impl PoolState {
    /// Name as written in files and printed by the cmdlets.
    pub fn name(self) -> &'static str {
        match self {
            PoolState::Active => "Active",
            PoolState::FailingOver => "FailingOver",
            PoolState::FailedOver => "FailedOver",
            PoolState::FailingBack => "FailingBack",
            PoolState::FailedBack => "FailedBack",
        }
    }
}

/// A pool-scope registrar configuration (`New-CsRegistrarConfiguration
/// -Identity service:Registrar:<pool>`). A pool-scope configuration does not inherit the
/// global one: a setting it does not give has the product default.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RegistrarSettings {
    /// DefaultEndpointExpiration: the clients' registration refresh period.
    pub default_endpoint_expiration: Delay,
    /// BackupStoreUnavailableThreshold.
    pub backup_store_unavailable_threshold: Delay,
    /// MaxUserCount: most users signed in at once per registrar, read as per running front
    /// end (docs/model.md#sign-in-and-capacity).
    pub max_user_count: u32,
}

impl Default for RegistrarSettings {
    /// The product defaults (PS-Set-CsRegistrarConfiguration): 600 s, 30 min and 12,000 users.
    fn default() -> Self {
        RegistrarSettings {
            default_endpoint_expiration: Delay::secs(600),
            backup_store_unavailable_threshold: Delay::secs(30 * 60),
            max_user_count: DEFAULT_MAX_USER_COUNT,
        }
    }
}

/// MaxUserCount's default (PS-Set-CsRegistrarConfiguration): 12,000 users signed in at once.
pub const DEFAULT_MAX_USER_COUNT: u32 = 12_000;
/// MaxUserCount's range (PS-Set-CsRegistrarConfiguration): 2,000 to 100,000.
pub const MAX_USER_COUNT_RANGE: (u32, u32) = (2_000, 100_000);

/// Timings of servers and cmdlets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimingConfig {
    /// See the scenario reference.
    pub registrar_poll_failed_pool: Delay,
    /// See the scenario reference.
    pub registrar_poll_backup_pool: Delay,
    /// See the scenario reference.
    pub backup_store_unavailable_threshold: Delay,
    /// See the scenario reference.
    pub cms_replication: Delay,
    /// See the scenario reference.
    pub steady_state_backup: Option<Delay>,
    /// See the scenario reference.
    pub full_backup: Option<Delay>,
    /// See the scenario reference.
    pub hydrate_per_routing_group: Delay,
    /// See the scenario reference.
    pub hydrate_per_user: Delay,
    /// See the scenario reference.
    pub quorum_loss_recovery: Delay,
    /// See the scenario reference.
    pub replica_rebuild: Delay,
    /// See the scenario reference.
    pub pool_cold_start: Delay,
    /// See the scenario reference.
    pub sql_mirror_failover: Delay,
    /// See the scenario reference.
    pub cms_failover: Delay,
    /// Each quick cmdlet step (a lookup, a PoolState change, a service start or stop).
    pub cmdlet_step: Delay,
}

/// Client behaviour.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClientsConfig {
    /// Registration refresh period.
    pub refresh: Delay,
    /// Keep-alive period.
    pub keepalive: Delay,
    /// First retry delay.
    pub retry: Delay,
    /// Largest retry delay.
    pub retry_max: Delay,
    /// Relative jitter on retries.
    pub retry_jitter: f64,
    /// Share of each pool's clients that hold their backup registrar (the `q=0.3` contact
    /// of a 301, or DNS SRV records for the backup pool), 0..=1; the others know only their
    /// home pool (docs/model.md#the-registrar-list).
    pub backup_registrar_known: f64,
    /// Window that client notices, retries and sign-in completions are gathered into
    /// (zero: none).
    pub batch: SimTime,
}

/// A resolved scheduled action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The pool fails.
    PoolDown(PoolId),
    /// The pool is repaired.
    PoolUp(PoolId),
    /// The site fails.
    SiteDown(SiteId),
    /// The site is repaired.
    SiteUp(SiteId),
    /// `Invoke-CsPoolFailover -PoolFqdn pool [-DisasterMode]`.
    InvokeCsPoolFailover {
        /// The pool that suffered the disaster.
        pool: PoolId,
        /// `-DisasterMode`.
        disaster_mode: bool,
    },
    /// `Invoke-CsPoolFailback -PoolFqdn pool [-DisasterMode]`.
    InvokeCsPoolFailback {
        /// The pool that suffered the disaster.
        pool: PoolId,
        /// `-DisasterMode`.
        disaster_mode: bool,
    },
    /// `Set-CsRegistrarConfiguration -Identity service:Registrar:pool -PoolState state`.
    SetCsRegistrarConfiguration {
        /// The pool.
        pool: PoolId,
        /// The new state.
        pool_state: PoolState,
    },
    /// `Import-CsRgsConfiguration` of the partner's Response Group data into `pool`.
    ImportCsRgsConfiguration(PoolId),
    /// A front-end server fails.
    ServerDown {
        /// Pool.
        pool: PoolId,
        /// 0-based front-end index.
        server: u32,
    },
    /// A front-end server comes back, its services started.
    ServerUp {
        /// Pool.
        pool: PoolId,
        /// 0-based front-end index.
        server: u32,
    },
    /// A Windows service stops on a front end.
    ServiceStop {
        /// Pool.
        pool: PoolId,
        /// 0-based front-end index.
        server: u32,
        /// Which service.
        service: Service,
    },
    /// A Windows service starts on a front end.
    ServiceStart {
        /// Pool.
        pool: PoolId,
        /// 0-based front-end index.
        server: u32,
        /// Which service.
        service: Service,
    },
    /// A back-end SQL node fails.
    BackEndDown {
        /// Pool.
        pool: PoolId,
        /// Which node.
        node: BackEndNode,
    },
    /// A back-end SQL node comes back.
    BackEndUp {
        /// Pool.
        pool: PoolId,
        /// Which node.
        node: BackEndNode,
    },
    /// The WAN link between two sites is cut.
    WanDown(SiteId, SiteId),
    /// The WAN link is restored.
    WanUp(SiteId, SiteId),
    /// `Invoke-CsManagementServerFailover`: the Central Management Store moves to `pool`.
    InvokeCsManagementServerFailover(PoolId),
    /// `Reset-CsPoolRegistrarState -ResetType`.
    ResetCsPoolRegistrarState {
        /// Pool.
        pool: PoolId,
        /// Reset type.
        reset_type: ResetType,
    },
    /// `Invoke-CsDatabaseFailover -NewPrincipal`.
    InvokeCsDatabaseFailover {
        /// Pool.
        pool: PoolId,
        /// The node to make principal.
        new_principal: NewPrincipal,
    },
}

/// A Windows service on a front end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Service {
    /// RTCSRV: registrar, presence, conferencing.
    FrontEnd,
    /// LYNCBACKUP: the Backup Service.
    Backup,
    /// REPLICA: the CMS replica agent (logged; no modelled effect).
    Replica,
    /// The Mediation service collocated on the front end: calls to and from the PSTN
    /// (`pstn`; docs/model.md#mediation-and-pstn-calls).
    Mediation,
}

impl Service {
    /// Windows service name.
    pub fn windows_name(self) -> &'static str {
        match self {
            Service::FrontEnd => "RTCSRV",
            Service::Backup => "LYNCBACKUP",
            Service::Replica => "REPLICA",
            Service::Mediation => "RTCMEDSRV",
        }
    }
}

/// A back-end SQL node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum BackEndNode {
    /// The primary SQL server (principal at start).
    Principal,
    /// The mirror.
    Mirror,
    /// The witness.
    Witness,
}

/// `Reset-CsPoolRegistrarState -ResetType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum ResetType {
    /// Restart RTCSRV and the fabric on every front end.
    ServiceReset,
    /// Reload routing groups in quorum loss from the back end.
    QuorumLossRecovery,
}

/// `Invoke-CsDatabaseFailover -NewPrincipal`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum NewPrincipal {
    /// Make the mirror the principal.
    Mirror,
    /// Make the primary server the principal again.
    Primary,
}

/// What a stochastic failure takes down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureTarget {
    /// A whole pool (`PoolDown` / `PoolUp`).
    Pool(PoolId),
    /// One front end (`ServerDown` / `ServerUp`).
    FrontEnd(PoolId, u32),
    /// A back-end SQL node (`BackEndDown` / `BackEndUp`).
    BackEnd(PoolId, BackEndNode),
    /// A site (`SiteDown` / `SiteUp`).
    Site(SiteId),
    /// A WAN link (`WanDown` / `WanUp`).
    Wan(SiteId, SiteId),
}

/// An alternating renewal process: up for a draw of `mtbf`, down for a draw of `mttr`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FailureConfig {
    /// What fails.
    pub target: FailureTarget,
    /// Time between failures (from repair to the next failure).
    pub mtbf: Delay,
    /// Time to repair.
    pub mttr: Delay,
}

/// The administrator's standing policy for pools that die at unplanned times.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdministratorConfig {
    /// Decision delay from a paired pool losing service to `Invoke-CsPoolFailover`;
    /// `None`: never fails over (users wait in resiliency mode).
    pub failover_after: Option<Delay>,
    /// Run the failover with `-DisasterMode`.
    pub disaster_mode: bool,
    /// Delay from the pool's repair to `Invoke-CsPoolFailback`; `None`: never fails back.
    pub failback_after: Option<Delay>,
    /// Delay from a completed failover to `Import-CsRgsConfiguration` into the partner, where
    /// it lacks the pool's Response Group data; `None`: never imports
    /// (docs/model.md#the-administrator).
    pub import_rgs_after: Option<Delay>,
}

/// An action at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduledAction {
    /// When.
    pub at: SimTime,
    /// What.
    pub action: Action,
}

/// A validated scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Results folder name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Product.
    pub product: Product,
    /// Root seed.
    pub seed: u64,
    /// Simulated span.
    pub horizon: SimTime,
    /// Sampling period.
    pub sample_every: SimTime,
    /// Replications.
    pub replications: u32,
    /// Sites.
    pub sites: IdVec<SiteId, SiteConfig>,
    /// Pools.
    pub pools: IdVec<PoolId, PoolConfig>,
    /// Backup Service.
    pub backup_service: BackupServiceConfig,
    /// The global registrar configuration's MaxUserCount (pools without a pool-scope
    /// configuration): most users signed in at once per running front end.
    pub max_user_count: u32,
    /// Timings.
    pub timing: TimingConfig,
    /// Clients.
    pub clients: ClientsConfig,
    /// Feature matrix.
    pub features: FeatureMatrix,
    /// Scheduled actions, in file order.
    pub events: Vec<ScheduledAction>,
    /// The pool that hosts the Central Management Store at start.
    pub cms_pool: PoolId,
    /// Stochastic failure processes.
    pub failures: Vec<FailureConfig>,
    /// The administrator's policy; `None`: only the scripted actions happen.
    pub administrator: Option<AdministratorConfig>,
    /// SHA-256 of the scenario file's bytes, hex.
    pub scenario_sha256: String,
    /// The scenario file's text (for `report.html`).
    pub source: std::sync::Arc<str>,
    /// The scenario file as it was named (for `report.html`).
    pub file: String,
}

impl Config {
    /// All users of all pools.
    pub fn total_users(&self) -> u64 {
        self.pools.iter().map(|p| p.users as u64).sum()
    }

    /// The pool's configuration.
    pub fn pool(&self, id: PoolId) -> &PoolConfig {
        &self.pools[id]
    }

    /// The site's configuration.
    pub fn site(&self, id: SiteId) -> &SiteConfig {
        &self.sites[id]
    }

    /// Every pool's id, in [`Config::pools`] order.
    pub fn pool_ids(&self) -> IdRange<PoolId> {
        self.pools.ids()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn sampled_delays_have_their_documented_means() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        // Means: 100; 100 * Gamma(1 + 1/1.5) = 90.27; 100 * exp(0.5^2 / 2) = 113.31; 100.
        let cases = [
            (Delay::Exponential { mean_s: 100.0 }, 100.0),
            (Delay::Weibull { shape: 1.5, scale_s: 100.0 }, 90.27),
            (Delay::LogNormal { median_s: 100.0, sigma: 0.5 }, 113.31),
            (Delay::Uniform { min_s: 50.0, max_s: 150.0 }, 100.0),
        ];
        for (d, expected) in cases {
            let n = 20_000;
            let mean = (0..n).map(|_| d.sample(&mut rng).as_secs_f64()).sum::<f64>() / n as f64;
            assert!((mean - expected).abs() < 0.03 * expected, "{d:?}: {mean} vs {expected}");
        }
        assert_eq!(Delay::secs(5).sample(&mut rng), SimTime::from_secs(5));
    }
}
