//! The model's assumptions: every scenario field that `docs/scenario-reference.md` marks
//! "assumption" (Microsoft publishes no number for it), in one table, [`ASSUMPTIONS`]. It says
//! what each one is, why it is an assumption and how `lyncsim sensitivity` varies it; a test
//! checks the table against the reference's "assumption" entries both ways, so the two
//! cannot drift.
//!
//! Varying one: its value at the scenario (the written value, or the default when the
//! scenario does not write it) is multiplied by `1 - F` and `1 + F`: a number directly, an
//! integer rounded (at least one step away from the base), a timing by its duration
//! parameters (a duration; `Exponential`'s mean, `Weibull`'s scale, `LogNormal`'s median,
//! both ends of `Uniform`; shapes and sigmas are kept), each clamped to the field's valid
//! range (docs/scenario-reference.md, `validate`, [`super::limits`]). A per-pool field
//! (`pools[*]`) is varied in every pool together, each pool from its own value: a planner's
//! assumption (a sign-in rate, a routing-group count per user) is about the product, not
//! one pool. An assumption applies only when the scenario uses what it times
//! ([`Uses`]); the others are skipped, with the reason.

use super::duration::{Distribution, Duration, TimeValue};
use super::format::{format_duration, format_time_value};
use super::limits::{MAX_HORIZON, MAX_REGISTRATIONS_PER_SEC, MAX_ROUTING_GROUPS};
use super::raw;
use crate::engine::SimTime;
use crate::model::{Action, BackEnd, Config, Edition, FailureTarget, Product, Service};

/// How an assumption is varied.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Vary {
    /// A number, within `min..=max`.
    Number {
        /// Smallest valid value.
        min: f64,
        /// Largest valid value.
        max: f64,
    },
    /// An integer, within `min..=max`, rounded to the nearest.
    Integer {
        /// Smallest valid value.
        min: u32,
        /// Largest valid value.
        max: u32,
    },
    /// A timing: its duration parameters, each within `min..=max`.
    Timing {
        /// Shortest valid duration.
        min: SimTime,
        /// Longest valid duration.
        max: SimTime,
    },
    /// Not varied numerically, and why: the reference marks it "assumption", but the
    /// assumption is not a number (a spelling rule, a reading of a Microsoft setting).
    Not(&'static str),
}

/// What a scenario must use for an assumption to matter in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uses {
    /// Anything that makes users sign in again: a scheduled event or a random failure.
    Disruption,
    /// A pool pairing with the Backup Service (a `backup_pool`, not Lync 2010).
    BackupService,
    /// A pool failover or failback (scripted, or by the administrator).
    PoolFailover,
    /// A cmdlet that runs quick steps: a pool failover or failback, or
    /// `ResetCsPoolRegistrarState`.
    Cmdlets,
    /// Routing groups: a pool failover or failback (hydration per routing group), or an
    /// Enterprise pool that loses front ends (replicas move).
    RoutingGroups,
    /// A front end returning to an Enterprise pool that kept serving (`ServerUp`,
    /// `ServiceStart` of FrontEnd, a `FrontEnd` failure), on a product with Windows Fabric
    /// (not Lync 2010).
    ReplicaRebuild,
    /// An Enterprise pool returning after all its front ends stopped (`PoolUp`, `SiteUp`, a
    /// `Pool` or `Site` failure), not on Lync 2010.
    ColdStart,
    /// A mirrored back end that fails over (`BackEndDown` or a `BackEnd` failure of a
    /// mirrored pool with a witness, or `InvokeCsDatabaseFailover`).
    MirrorFailover,
    /// A disruption, and a pool with a backup registrar (a `backup_pool`): only then does
    /// it matter whether a client holds it (docs/model.md#the-registrar-list).
    BackupRegistrar,
    /// The field is written in the scenario (an administrator's delay, `None` by default).
    Written,
}

/// One assumption of the model.
#[derive(Debug, Clone, Copy)]
pub struct Assumption {
    /// The field's path as `sweep --set` and diagnostics write it; `pools[*]` for each pool.
    pub path: &'static str,
    /// What it is.
    pub what: &'static str,
    /// Why it is an assumption.
    pub why: &'static str,
    /// How it is varied.
    pub vary: Vary,
    /// When it applies.
    pub uses: Uses,
}

/// Durations of a general timing: longer than zero (validation), at most ten years.
const TIMING: Vary = Vary::Timing { min: SimTime::from_millis(1), max: MAX_HORIZON };
/// The clients' keep-alive and retry delays: lyncsim's sanity bounds, 1 ms..=1 h.
const CLIENT_TIMING: Vary = Vary::Timing { min: SimTime::from_millis(1), max: SimTime::from_secs(3600) };

/// Every assumption of docs/scenario-reference.md, in the reference's order.
pub const ASSUMPTIONS: &[Assumption] = &[
    Assumption {
        path: "pools[*].fqdn",
        what: "the pool's DNS name: no trailing dot",
        why: "Topology Builder writes none",
        vary: Vary::Not("a spelling rule, not a number"),
        uses: Uses::Written,
    },
    Assumption {
        path: "pools[*].routing_groups",
        what: "routing groups per pool (default one per 1,000 users)",
        why: "Microsoft publishes no number (docs/model.md#routing-groups)",
        vary: Vary::Integer { min: 1, max: MAX_ROUTING_GROUPS },
        uses: Uses::RoutingGroups,
    },
    Assumption {
        path: "pools[*].registrations_per_sec",
        what: "sign-ins a running front end serves per second",
        why: "no published figure; same order as the Stress and Performance Tool's 12 logons per second",
        vary: Vary::Number { min: 0.001, max: MAX_REGISTRATIONS_PER_SEC },
        uses: Uses::Disruption,
    },
    Assumption {
        path: "pools[*].registrar_configuration.max_user_count",
        what: "MaxUserCount of a pool's registrar configuration, read per running front end",
        why: "the value is Microsoft's setting; only its reading per front end is assumed",
        vary: Vary::Not("the value is a documented setting; the assumption is how it is read"),
        uses: Uses::Written,
    },
    Assumption {
        path: "pools[*].registrar_configuration.backup_store_unavailable_threshold",
        what: "a pool's BackupStoreUnavailableThreshold; on Lync 2010 (no such setting) the users fall to resiliency mode at once",
        why: "the value is Microsoft's setting; only Lync 2010's immediate fall is assumed (docs/model.md#products)",
        vary: Vary::Not("the value is a documented setting; the assumption is Lync 2010's behaviour"),
        uses: Uses::Written,
    },
    Assumption {
        path: "registrar.max_user_count",
        what: "the global MaxUserCount, read per running front end",
        why: "the value is Microsoft's setting; only its reading per front end is assumed",
        vary: Vary::Not("the value is a documented setting; the assumption is how it is read"),
        uses: Uses::Written,
    },
    Assumption {
        path: "backup_service.changes_per_user_per_hour",
        what: "user-data changes each homed user makes per hour (the Backup Service's backlog)",
        why: "no published figure",
        vary: Vary::Number { min: 0.0, max: 1.0e9 },
        uses: Uses::BackupService,
    },
    Assumption {
        path: "backup_service.changes_per_batch",
        what: "changes in one Backup Service batch",
        why: "no published figure",
        vary: Vary::Integer { min: 1, max: u32::MAX },
        uses: Uses::BackupService,
    },
    Assumption {
        path: "timing.cms_replication",
        what: "the Central Management Store replication step of a pool failover or failback",
        why: "no published duration",
        vary: TIMING,
        uses: Uses::PoolFailover,
    },
    Assumption {
        path: "timing.hydrate_per_routing_group",
        what: "hydration of each routing group in a pool failover or failback",
        why: "calibrated so a 40,000-user pool fails over within the 15-30 min RTO (docs/model.md#pool-failover)",
        vary: TIMING,
        uses: Uses::PoolFailover,
    },
    Assumption {
        path: "timing.hydrate_per_user",
        what: "hydration per user of each routing group",
        why: "calibrated with hydrate_per_routing_group (docs/model.md#pool-failover)",
        vary: TIMING,
        uses: Uses::PoolFailover,
    },
    Assumption {
        path: "timing.replica_rebuild",
        what: "Windows Fabric's rebuild of a returning front end's replicas",
        why: "read from the 20 minutes asked between upgrade domains; no published rebuild time",
        vary: TIMING,
        uses: Uses::ReplicaRebuild,
    },
    Assumption {
        path: "timing.pool_cold_start",
        what: "the initial placement of a cold Enterprise pool of 80,000 users (scaled by users)",
        why: "\"can take up to an hour\" (KB-FESTART), read as the largest pool's time and scaled",
        vary: TIMING,
        uses: Uses::ColdStart,
    },
    Assumption {
        path: "timing.backup_store_unavailable_threshold",
        what: "BackupStoreUnavailableThreshold; on Lync 2010 (no such setting) the users fall to resiliency mode at once",
        why: "the 30 min is Microsoft's default; only Lync 2010's immediate fall is assumed (docs/model.md#products)",
        vary: Vary::Not("the value is a documented setting; the assumption is Lync 2010's behaviour"),
        uses: Uses::Written,
    },
    Assumption {
        path: "timing.sql_mirror_failover",
        what: "an automatic SQL mirror failover, and InvokeCsDatabaseFailover",
        why: "within the documented 5 min target, no published duration",
        vary: TIMING,
        uses: Uses::MirrorFailover,
    },
    Assumption {
        path: "timing.cmdlet_step",
        what: "each quick cmdlet step (a lookup, a PoolState change, a service start or stop)",
        why: "no published duration",
        vary: TIMING,
        uses: Uses::Cmdlets,
    },
    Assumption {
        path: "clients.keepalive",
        what: "how long a client takes to notice its registrar is gone",
        why: "the ms-keep-alive timeout=300 of the [MS-SIPREGE] example; no Lync default published",
        vary: CLIENT_TIMING,
        uses: Uses::Disruption,
    },
    Assumption {
        path: "clients.retry",
        what: "first retry delay after a failed sign-in",
        why: "no published figure",
        vary: CLIENT_TIMING,
        uses: Uses::Disruption,
    },
    Assumption {
        path: "clients.retry_max",
        what: "the longest retry delay (the delay doubles up to it)",
        why: "no published figure",
        vary: CLIENT_TIMING,
        uses: Uses::Disruption,
    },
    Assumption {
        path: "clients.retry_jitter",
        what: "each retry delay multiplied by a uniform factor in 1 ± jitter",
        why: "no published figure",
        vary: Vary::Number { min: 0.0, max: 1.0 },
        uses: Uses::Disruption,
    },
    Assumption {
        path: "clients.backup_registrar_known",
        what: "share of each pool's clients that hold their backup registrar (the q=0.3 Contact of a 301, or DNS SRV records)",
        why: "no published share: it depends on Directors and DNS records (docs/model.md#the-registrar-list)",
        vary: Vary::Number { min: 0.0, max: 1.0 },
        uses: Uses::BackupRegistrar,
    },
    Assumption {
        path: "administrator.failover_after",
        what: "the administrator's delay from a pool ceasing to serve to InvokeCsPoolFailover",
        why: "Microsoft publishes RTO targets, not how long an administrator takes to decide",
        vary: TIMING,
        uses: Uses::Written,
    },
    Assumption {
        path: "administrator.failback_after",
        what: "the administrator's delay from a pool's repair to InvokeCsPoolFailback",
        why: "Microsoft publishes RTO targets, not how long an administrator takes to decide",
        vary: TIMING,
        uses: Uses::Written,
    },
    Assumption {
        path: "administrator.import_rgs_after",
        what: "the administrator's delay from a completed failover to ImportCsRgsConfiguration",
        why: "no published figure",
        vary: TIMING,
        uses: Uses::Written,
    },
];

/// A field's value as the scenario has it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    /// A number.
    Number(f64),
    /// An integer.
    Integer(u32),
    /// A timing.
    Timing(TimeValue),
}

impl Value {
    /// The value as RON text for [`super::edit::set`].
    pub fn ron(&self) -> String {
        match self {
            Value::Number(x) => {
                let text = number(*x);
                if text.contains('.') {
                    text
                } else {
                    format!("{text}.0")
                }
            }
            Value::Integer(n) => n.to_string(),
            Value::Timing(t) => format_time_value(t),
        }
    }

    /// The value as a table shows it: a duration without quotes (`90s`), a distribution as
    /// written (`Exponential(mean: "30m")`).
    pub fn shown(&self) -> String {
        match self {
            Value::Number(x) => number(*x),
            Value::Integer(n) => n.to_string(),
            Value::Timing(TimeValue::Fixed(d)) => format_duration(d.time()),
            Value::Timing(t) => format_time_value(t),
        }
    }
}

/// A number with at most six decimals, trailing zeros dropped.
fn number(x: f64) -> String {
    let text = format!("{x:.6}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

impl Assumption {
    /// Whether it is varied numerically.
    pub fn varied(&self) -> bool {
        !matches!(self.vary, Vary::Not(_))
    }

    /// The concrete paths of the field in `scenario` and their values at the base (the
    /// written value or the default): one per pool for `pools[*]`, none for an unwritten
    /// optional field. `config` is the validated scenario, for resolved defaults.
    pub fn base(&self, scenario: &raw::Scenario, config: &Config) -> Vec<(String, Value)> {
        let t = &scenario.timing;
        let c = &scenario.clients;
        let admin = scenario.administrator.as_ref();
        let one = |v: Value| vec![(self.path.to_string(), v)];
        let opt = |v: Option<&Option<TimeValue>>| match v {
            Some(Some(t)) => one(Value::Timing(*t)),
            _ => Vec::new(),
        };
        let per_pool = |f: &dyn Fn(usize) -> Value| {
            let field = self.path.trim_start_matches("pools[*].");
            (0..scenario.pools.len()).map(|i| (format!("pools[{i}].{field}"), f(i))).collect()
        };
        match self.path {
            "pools[*].routing_groups" => {
                per_pool(&|i| Value::Integer(config.pools.iter().nth(i).map_or(1, |p| p.routing_groups)))
            }
            "pools[*].registrations_per_sec" => {
                per_pool(&|i| Value::Number(scenario.pools[i].registrations_per_sec))
            }
            "backup_service.changes_per_user_per_hour" => {
                one(Value::Number(scenario.backup_service.changes_per_user_per_hour))
            }
            "backup_service.changes_per_batch" => {
                one(Value::Integer(scenario.backup_service.changes_per_batch))
            }
            "timing.cms_replication" => one(Value::Timing(t.cms_replication)),
            "timing.hydrate_per_routing_group" => one(Value::Timing(t.hydrate_per_routing_group)),
            "timing.hydrate_per_user" => one(Value::Timing(t.hydrate_per_user)),
            "timing.replica_rebuild" => one(Value::Timing(t.replica_rebuild)),
            "timing.pool_cold_start" => one(Value::Timing(t.pool_cold_start)),
            "timing.sql_mirror_failover" => one(Value::Timing(t.sql_mirror_failover)),
            "timing.cmdlet_step" => one(Value::Timing(t.cmdlet_step)),
            "clients.keepalive" => one(Value::Timing(c.keepalive)),
            "clients.retry" => one(Value::Timing(c.retry)),
            "clients.retry_max" => one(Value::Timing(c.retry_max)),
            "clients.retry_jitter" => one(Value::Number(c.retry_jitter)),
            "clients.backup_registrar_known" => one(Value::Number(c.backup_registrar_known)),
            "administrator.failover_after" => opt(admin.map(|a| &a.failover_after)),
            "administrator.failback_after" => opt(admin.map(|a| &a.failback_after)),
            "administrator.import_rgs_after" => opt(admin.map(|a| &a.import_rgs_after)),
            _ => Vec::new(),
        }
    }

    /// `value` scaled by `factor` (e.g. 0.5, 1.5) and clamped to the field's range. An
    /// integer moves at least one step when the factor differs from 1 and the range allows.
    pub fn scale(&self, value: Value, factor: f64) -> Value {
        self.scale_clamped(value, factor).0
    }

    /// [`Assumption::scale`], and whether the range clamped the value (or one of a timing's
    /// durations): then it is not ×`factor` of the base, and may be the base itself.
    pub fn scale_clamped(&self, value: Value, factor: f64) -> (Value, bool) {
        let mut clamped = false;
        let mut clamp = |x: f64, min: f64, max: f64| {
            let y = x.clamp(min, max);
            clamped |= y != x;
            y
        };
        let scaled = match (self.vary, value) {
            (Vary::Number { min, max }, Value::Number(x)) => Value::Number(clamp(x * factor, min, max)),
            (Vary::Integer { min, max }, Value::Integer(n)) => {
                let mut m = (f64::from(n) * factor).round();
                if m == f64::from(n) && factor != 1.0 {
                    m += if factor > 1.0 { 1.0 } else { -1.0 };
                }
                Value::Integer(clamp(m, f64::from(min), f64::from(max)) as u32)
            }
            (Vary::Timing { min, max }, Value::Timing(t)) => {
                let mut d = |d: Duration| {
                    let ms = (d.time().as_millis() as f64 * factor).round();
                    let ms = clamp(ms, min.as_millis() as f64, max.as_millis() as f64);
                    Duration(SimTime::from_millis(ms as u64))
                };
                Value::Timing(match t {
                    TimeValue::Fixed(x) => TimeValue::Fixed(d(x)),
                    TimeValue::Random(dist) => TimeValue::Random(match dist {
                        Distribution::Fixed(x) => Distribution::Fixed(d(x)),
                        Distribution::Exponential { mean } => Distribution::Exponential { mean: d(mean) },
                        Distribution::Weibull { shape, scale } => {
                            Distribution::Weibull { shape, scale: d(scale) }
                        }
                        Distribution::LogNormal { median, sigma } => {
                            Distribution::LogNormal { median: d(median), sigma }
                        }
                        Distribution::Uniform { min, max } => {
                            let min = d(min);
                            Distribution::Uniform { min, max: d(max) }
                        }
                    }),
                })
            }
            (_, v) => v,
        };
        (scaled, clamped)
    }

    /// Whether `config` uses what this assumption times or counts; when it does not, why.
    pub fn applies(&self, config: &Config) -> Result<(), String> {
        if !self.varied() {
            return Err("not a number".into());
        }
        let actions = || config.events.iter().map(|e| e.action);
        let enterprise = |p: crate::model::PoolId| config.pool(p).edition == Edition::Enterprise;
        let failover = actions()
            .any(|a| matches!(a, Action::InvokeCsPoolFailover { .. } | Action::InvokeCsPoolFailback { .. }))
            || config.administrator.as_ref().is_some_and(|a| a.failover_after.is_some());
        let disruption = !config.events.is_empty() || !config.failures.is_empty();
        let targets = || config.failures.iter().map(|f| f.target);
        let (ok, why) = match self.uses {
            Uses::Disruption => (disruption, "no event or failure disrupts the users"),
            Uses::BackupService => (
                config.product != Product::Lync2010 && config.pools.iter().any(|p| p.backup.is_some()),
                "no pool is paired with a Backup Service",
            ),
            Uses::PoolFailover => (failover, "no pool fails over or back"),
            Uses::Cmdlets => (
                failover || actions().any(|a| matches!(a, Action::ResetCsPoolRegistrarState { .. })),
                "no cmdlet with quick steps runs",
            ),
            Uses::RoutingGroups => (
                failover
                    || actions().any(|a| match a {
                        Action::ServerDown { pool, .. } | Action::ServiceStop { pool, .. } => {
                            enterprise(pool)
                        }
                        Action::PoolDown(pool) => enterprise(pool),
                        Action::SiteDown(_) => config.pools.iter().any(|p| p.edition == Edition::Enterprise),
                        _ => false,
                    })
                    || targets().any(|t| match t {
                        FailureTarget::FrontEnd(pool, _) | FailureTarget::Pool(pool) => enterprise(pool),
                        FailureTarget::Site(_) => {
                            config.pools.iter().any(|p| p.edition == Edition::Enterprise)
                        }
                        _ => false,
                    }),
                "no pool fails over and no Enterprise pool loses front ends",
            ),
            Uses::ReplicaRebuild | Uses::ColdStart if !config.product.has_windows_fabric() => {
                (false, "Lync 2010 has no Windows Fabric")
            }
            Uses::ReplicaRebuild => (
                actions().any(|a| match a {
                    Action::ServerUp { pool, .. } => enterprise(pool),
                    Action::ServiceStart { pool, service: Service::FrontEnd, .. } => enterprise(pool),
                    _ => false,
                }) || targets().any(|t| matches!(t, FailureTarget::FrontEnd(pool, _) if enterprise(pool))),
                "no front end returns to an Enterprise pool",
            ),
            Uses::ColdStart => (
                actions().any(|a| match a {
                    Action::PoolUp(pool) => enterprise(pool),
                    Action::SiteUp(site) => {
                        config.pools.iter().any(|p| p.site == site && p.edition == Edition::Enterprise)
                    }
                    _ => false,
                }) || targets().any(|t| match t {
                    FailureTarget::Pool(pool) => enterprise(pool),
                    FailureTarget::Site(site) => {
                        config.pools.iter().any(|p| p.site == site && p.edition == Edition::Enterprise)
                    }
                    _ => false,
                }),
                "no Enterprise pool returns from a full stop",
            ),
            Uses::MirrorFailover => {
                // An automatic failover needs a witness (docs/model.md#back-end).
                let witnessed = |p: crate::model::PoolId| {
                    matches!(config.pool(p).back_end, BackEnd::Mirrored { witness: true })
                };
                (
                    actions().any(|a| match a {
                        Action::BackEndDown { pool, .. } => witnessed(pool),
                        Action::InvokeCsDatabaseFailover { .. } => true,
                        _ => false,
                    }) || targets().any(|t| matches!(t, FailureTarget::BackEnd(pool, _) if witnessed(pool))),
                    "no mirrored back end with a witness fails over and no InvokeCsDatabaseFailover runs",
                )
            }
            Uses::BackupRegistrar if !disruption => (false, "no event or failure disrupts the users"),
            Uses::BackupRegistrar => (
                config.pools.iter().any(|p| p.backup.is_some()),
                "no pool has a backup registrar (backup_pool)",
            ),
            Uses::Written => (true, ""),
        };
        if ok {
            Ok(())
        } else {
            Err(why.to_string())
        }
    }
}

/// The assumption whose `path` is given (`pools[*].registrations_per_sec`).
pub fn find(path: &str) -> Option<&'static Assumption> {
    ASSUMPTIONS.iter().find(|a| a.path == path)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (section, field) of every row of docs/scenario-reference.md's field tables whose
    /// text says "assumption", and of the rows of a section that says its fields are
    /// assumptions.
    fn reference_assumptions() -> Vec<(String, String)> {
        let text = include_str!("../../docs/scenario-reference.md");
        let mut out = Vec::new();
        let mut section = String::new();
        for line in text.lines() {
            if let Some(h) = line.strip_prefix("## ") {
                section = h.trim().trim_matches('`').to_string();
                continue;
            }
            let Some(rest) = line.strip_prefix("| `") else { continue };
            let Some((field, _)) = rest.split_once('`') else { continue };
            if line.to_lowercase().contains("assumption") {
                out.push((section.clone(), field.to_string()));
            }
        }
        out
    }

    /// The reference section and field of a table path.
    fn section_field(path: &str) -> (String, String) {
        let sections = [
            ("pools[*].registrar_configuration.", "RegistrarConfiguration"),
            ("pools[*].", "Pool"),
            ("registrar.", "Registrar"),
            ("backup_service.", "BackupService"),
            ("timing.", "Timing"),
            ("clients.", "Clients"),
            ("administrator.", "Administrator"),
        ];
        for (prefix, section) in sections {
            if let Some(field) = path.strip_prefix(prefix) {
                return (section.to_string(), field.to_string());
            }
        }
        panic!("{path}: no reference section");
    }

    #[test]
    fn the_table_and_the_reference_name_the_same_assumptions() {
        let reference = reference_assumptions();
        let table: Vec<(String, String)> = ASSUMPTIONS.iter().map(|a| section_field(a.path)).collect();
        for r in &reference {
            assert!(
                table.contains(r),
                "docs/scenario-reference.md marks {r:?} an assumption; add it to ASSUMPTIONS"
            );
        }
        for t in &table {
            assert!(
                reference.contains(t),
                "ASSUMPTIONS has {t:?}; docs/scenario-reference.md does not call it an assumption"
            );
        }
        // Every table path is one the editor and the validator know.
        for a in ASSUMPTIONS.iter().filter(|a| a.varied()) {
            let text = r#"Scenario(name: "x", horizon: "1h", sites: [Site(name: "s")],
                pools: [Pool(fqdn: "a.b", site: "s", users: 10)],
                administrator: Administrator(failover_after: "5m", failback_after: "1h", import_rgs_after: "2m"))"#;
            let scenario = crate::scenario::parse(text).unwrap();
            let config = crate::scenario::load_str("t", text).unwrap().config;
            let base = a.base(&scenario, &config);
            assert!(!base.is_empty(), "{}: no base value", a.path);
            for (path, value) in base {
                for f in [0.5, 1.5] {
                    let edited = super::super::edit::set(text, &path, &a.scale(value, f).ron()).unwrap();
                    crate::scenario::load_str("t", &edited).unwrap_or_else(|e| panic!("{path}: {e}"));
                }
            }
        }
    }

    /// Why `path` is skipped in the scenario `text`, or `None` when it applies.
    fn skipped(path: &str, text: &str) -> Option<String> {
        let config = crate::scenario::load_str("t", text).unwrap_or_else(|e| panic!("{e}")).config;
        find(path).unwrap().applies(&config).err()
    }

    /// A scenario file of the repository.
    fn file(name: &str) -> String {
        std::fs::read_to_string(format!("{}/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    /// Two Enterprise pools; `product`, each pool's `backup_pool` and back end and the
    /// events are filled in.
    fn pair(product: &str, backup: bool, back_end: &str, events: &str) -> String {
        let b =
            |p: &str| if backup { format!("backup_pool: Some(\"{p}.contoso.com\"),") } else { String::new() };
        format!(
            r#"Scenario(name: "x", product: {product}, horizon: "6h",
                sites: [Site(name: "dc1"), Site(name: "dc2")],
                pools: [
                    Pool(fqdn: "a.contoso.com", site: "dc1", edition: Enterprise, front_ends: 3,
                         back_end: {back_end}, users: 3000, {}),
                    Pool(fqdn: "b.contoso.com", site: "dc2", edition: Enterprise, front_ends: 3,
                         back_end: {back_end}, users: 3000, {}),
                ],
                events: [{events}])"#,
            b("b"),
            b("a")
        )
    }

    #[test]
    fn replica_rebuild_and_cold_start_need_windows_fabric() {
        // Lync 2010: front ends return and the pool returns, but there is no Windows Fabric.
        let lync2010 = file("scenarios/lync2010-ee3-server-losses.ron");
        for path in ["timing.replica_rebuild", "timing.pool_cold_start"] {
            assert_eq!(
                skipped(path, &lync2010).as_deref(),
                Some("Lync 2010 has no Windows Fabric"),
                "{path}"
            );
            let lync2013 = lync2010.replace("product: Lync2010", "product: Lync2013");
            assert_eq!(skipped(path, &lync2013), None, "{path} on Lync 2013");
        }
    }

    #[test]
    fn the_backup_registrar_share_needs_a_backup_registrar() {
        let path = "clients.backup_registrar_known";
        let no_dr = file("scenarios/library/ee3-no-dr-site-loss.ron");
        assert_eq!(skipped(path, &no_dr).as_deref(), Some("no pool has a backup registrar (backup_pool)"));
        let down = r#"At("1h", PoolDown(pool: "a.contoso.com"))"#;
        assert_eq!(skipped(path, &pair("Lync2013", true, "Single", down)), None);
        assert_eq!(
            skipped(path, &pair("Lync2013", true, "Single", "")).as_deref(),
            Some("no event or failure disrupts the users")
        );
    }

    #[test]
    fn a_mirror_failover_needs_a_witness_or_the_cmdlet() {
        let path = "timing.sql_mirror_failover";
        let down = r#"At("1h", BackEndDown(pool: "a.contoso.com", node: Principal))"#;
        let no_witness = pair("Lync2013", true, "Mirrored(witness: false)", down);
        assert_eq!(
            skipped(path, &no_witness).as_deref(),
            Some("no mirrored back end with a witness fails over and no InvokeCsDatabaseFailover runs")
        );
        assert_eq!(skipped(path, &pair("Lync2013", true, "Mirrored(witness: true)", down)), None);
        let cmdlet = format!(
            "{down}, At(\"1h5m\", InvokeCsDatabaseFailover(pool: \"a.contoso.com\", new_principal: Mirror))"
        );
        assert_eq!(skipped(path, &pair("Lync2013", true, "Mirrored(witness: false)", &cmdlet)), None);
    }

    #[test]
    fn values_scale_by_their_durations_round_and_clamp() {
        let rg = find("pools[*].routing_groups").unwrap();
        assert_eq!(rg.scale(Value::Integer(1), 0.5), Value::Integer(1), "clamped to 1");
        assert_eq!(rg.scale(Value::Integer(1), 1.5), Value::Integer(2), "at least one step");
        assert_eq!(rg.scale(Value::Integer(20), 0.5), Value::Integer(10));
        let jitter = find("clients.retry_jitter").unwrap();
        assert_eq!(jitter.scale(Value::Number(0.8), 1.5), Value::Number(1.0));
        assert_eq!(jitter.scale_clamped(Value::Number(0.8), 1.5), (Value::Number(1.0), true));
        assert_eq!(jitter.scale_clamped(Value::Number(0.5), 1.5), (Value::Number(0.75), false));
        assert_eq!(rg.scale_clamped(Value::Integer(1), 0.5), (Value::Integer(1), true));
        assert_eq!(rg.scale_clamped(Value::Integer(1), 1.5), (Value::Integer(2), false));
        let keepalive = find("clients.keepalive").unwrap();
        let t = |text: &str| {
            let s = format!("Scenario(name: \"x\", horizon: \"1h\", sites: [], pools: [], clients: Clients(keepalive: {text}))");
            Value::Timing(crate::scenario::parse(&s).unwrap().clients.keepalive)
        };
        assert_eq!(keepalive.scale(t("\"300s\""), 0.5), t("\"150s\""));
        assert_eq!(keepalive.scale(t("\"50m\""), 1.5), t("\"1h\""), "clamped to 1 h");
        assert!(keepalive.scale_clamped(t("\"50m\""), 1.5).1);
        assert!(!keepalive.scale_clamped(t("\"50m\""), 0.5).1);
        assert_eq!(
            keepalive.scale(t("Weibull(shape: 1.5, scale: \"4m\")"), 1.5),
            t("Weibull(shape: 1.5, scale: \"6m\")")
        );
        assert_eq!(
            keepalive.scale(t("Uniform(min: \"2m\", max: \"4m\")"), 0.5),
            t("Uniform(min: \"1m\", max: \"2m\")")
        );
        assert_eq!(t("\"90s\"").shown(), "1m30s");
        assert_eq!(Value::Number(30.0).ron(), "30.0");
        assert_eq!(Value::Number(0.25).shown(), "0.25");
    }
}
