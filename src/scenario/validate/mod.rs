//! Semantic validation: a parsed [`raw::Scenario`] becomes a [`Config`], or every problem
//! found becomes a [`Diagnostic`].
//!
//! Names are resolved to ids (with a "did you mean" for typos), defaults are filled in,
//! sizes are checked against Microsoft's published capacity (warnings;
//! docs/model.md#sign-in-and-capacity), and resource limits ([`super::limits`]) are checked
//! before anything is allocated. Each diagnostic carries the logical path of the value and,
//! where it can be found in the text, its position.
//!
//! This file holds the validator's state, how it places diagnostics and resolves names, the
//! order of the checks, and the checks of the scenario's own fields (name, horizon,
//! replications). Each other part of a scenario is checked in its own file: `pools.rs`
//! (sites, pools, pairing and capacity), `delays.rs` (timings and their distributions),
//! `clients.rs` (backup service, timing, clients, features), `events.rs` (scheduled actions
//! and cmdlets, the administrator's policy) and `failures.rs` (stochastic failure processes);
//! `names.rs` says what a pool fqdn (a DNS host name) and a site name may be, and derives
//! the suggestions for rejected names.

mod clients;
mod delays;
mod events;
mod failures;
mod names;
mod pools;
#[cfg(test)]
mod testing;

use sha2::{Digest, Sha256};

use super::diagnostic::{did_you_mean, Diagnostic, Locations};
use super::format::format_duration;
use super::limits::{self, MAX_NAME_LEN};
use super::raw;
use crate::engine::SimTime;
use crate::model::{Config, IdVec, PoolConfig, PoolId, Product, SiteId};

/// The file's pools, indexed by the ids names resolve to.
pub(super) type RawPools<'a> = IdVec<PoolId, &'a raw::Pool>;

/// Validates a parsed scenario. `source` is the text it was parsed from: it places
/// diagnostics and gives [`Config::scenario_sha256`].
///
/// Returns the config when there is no error, and every diagnostic (errors and warnings) in
/// the order found: roughly the order of the file.
pub fn validate(scenario: &raw::Scenario, source: &str) -> (Option<Config>, Vec<Diagnostic>) {
    let mut v = Validator {
        source,
        locations: Locations::scan(source),
        diagnostics: Vec::new(),
        product: scenario.product,
        sites: Vec::new(),
        pools: Vec::new(),
        too_many_users: false,
        max_user_count: scenario.registrar.max_user_count,
        struck: Vec::new(),
    };
    let config = v.scenario(scenario);
    let ok = !v.diagnostics.iter().any(Diagnostic::is_error);
    (ok.then_some(config), v.diagnostics)
}

/// What a name refers to.
#[derive(Clone, Copy)]
enum Kind {
    Pool,
    Site,
}

/// One validation: the text, what was found so far, and the names to resolve references
/// against. Each file of this module adds the checks of one part of a scenario.
struct Validator<'a> {
    source: &'a str,
    /// Where each value is written in `source`, to place diagnostics.
    locations: Locations,
    /// Errors and warnings, in the order found.
    diagnostics: Vec<Diagnostic>,
    product: Product,
    /// Site names, in file order (duplicates included: ids are indices).
    sites: Vec<&'a str>,
    /// Pool FQDNs, in file order (duplicates included: ids are indices).
    pools: Vec<&'a str>,
    /// The scenario has more than [`MAX_TOTAL_USERS`]: it cannot run, so per-pool capacity
    /// warnings, which would bury that error, are left out.
    too_many_users: bool,
    /// The global registrar configuration's MaxUserCount (`registrar.max_user_count`).
    max_user_count: u32,
    /// Pools named by a `ServerDown` or `BackEndDown` event (for the quorum-witness warning).
    struck: Vec<&'a str>,
}

impl<'a> Validator<'a> {
    /// Add `diagnostic` about the value at `path`, placed where `located_by` (or its closest
    /// written ancestor) is written.
    fn push(&mut self, diagnostic: Diagnostic, path: &str, located_by: &str) -> &mut Diagnostic {
        let position = self.locations.get_or_ancestor(located_by);
        self.diagnostics.push(diagnostic.with_path(path).with_position(position));
        self.diagnostics.last_mut().expect("just pushed")
    }

    /// An error about the value at `path`, placed where it is written.
    fn error(&mut self, path: &str, message: impl Into<String>) -> &mut Diagnostic {
        self.push(Diagnostic::error(message), path, path)
    }

    /// An error about the value at `path` that may be a default, not written: placed at
    /// `path` when it is written, else at the first written of `related` (the fields it was
    /// checked against), else at `path`'s closest written ancestor.
    fn error_near(&mut self, path: &str, related: &[&str], message: impl Into<String>) -> &mut Diagnostic {
        let located_by =
            match related.iter().find(|r| self.written(path).is_none() && self.written(r).is_some()) {
                Some(r) => *r,
                None => path,
            };
        self.push(Diagnostic::error(message), path, located_by)
    }

    /// Where the value at `path` is written, if it is.
    fn written(&self, path: &str) -> Option<(usize, usize)> {
        self.locations.get(path)
    }

    /// A warning about the value at `path`, placed where it is written.
    fn warning(&mut self, path: &str, message: impl Into<String>) -> &mut Diagnostic {
        self.push(Diagnostic::warning(message), path, path)
    }

    /// Errors found so far.
    fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    /// Report the limit exceeded at `path`, if there is one; whether there is.
    fn over_limit(&mut self, path: &str, exceeded: Option<limits::Exceeded>) -> bool {
        let Some(e) = exceeded else { return false };
        self.error(path, e.message).help = Some(e.help);
        true
    }

    /// The names of a kind, in file order, and how they are called: `pool`, `pools`, `fqdn`.
    fn names(&self, kind: Kind) -> (&[&'a str], &'static str, &'static str, &'static str) {
        match kind {
            Kind::Pool => (&self.pools, "pool", "pools", "fqdn"),
            Kind::Site => (&self.sites, "site", "sites", "name"),
        }
    }

    /// The name of the `index`-th site or pool, as it is declared: not empty, not given to
    /// another; references resolve against it from now on.
    fn declare(&mut self, kind: Kind, index: usize, name: &'a str) {
        let (names, what, plural, field) = self.names(kind);
        let path = format!("{plural}[{index}].{field}");
        // DNS ignores case: two fqdns that differ only in case name one pool.
        let same = |n: &&str| match kind {
            Kind::Pool => n.eq_ignore_ascii_case(name),
            Kind::Site => *n == name,
        };
        let first = names.iter().position(same);
        let problem = match kind {
            Kind::Pool => names::fqdn_problem(name),
            Kind::Site => names::site_name_problem(name),
        };
        if name.is_empty() {
            self.error(&path, format!("a {what} {field} cannot be empty"));
        } else if let Some(why) = problem {
            let shown = name.escape_debug();
            let (message, mut help) = match kind {
                Kind::Pool => (
                    format!("pool fqdn \"{shown}\" is not a DNS name: {why}"),
                    format!(
                        "an fqdn is labels of letters, digits and '-' (1 to {} characters, not starting \
                         or ending with '-') joined by dots, at most {} characters (RFC 1123)",
                        names::MAX_LABEL_LEN,
                        names::MAX_FQDN_LEN
                    ),
                ),
                Kind::Site => (
                    format!("site name \"{shown}\" cannot be used: {why}"),
                    "a site name is a label for people: any text on one line, not only spaces".to_string(),
                ),
            };
            let suggestion = names::fqdn_suggestion(name);
            if matches!(kind, Kind::Pool) && !suggestion.is_empty() && suggestion != name {
                help.push_str(&format!("; try \"{suggestion}\""));
            }
            self.error(&path, message).help = Some(help);
        } else if let Some(first) = first {
            let case = if names[first] == name { "" } else { " (DNS names ignore case)" };
            self.error(&path, format!("duplicate {what} \"{name}\"")).help =
                Some(format!("{what} {field}s must be unique; {plural}[{first}] has it already{case}"));
        }
        match kind {
            Kind::Pool => self.pools.push(name),
            Kind::Site => self.sites.push(name),
        }
    }

    /// Resolve a pool or site name written at `path`.
    fn resolve(&mut self, kind: Kind, path: &str, name: &str) -> Option<u32> {
        let (names, what, plural, _) = self.names(kind);
        if let Some(index) = names.iter().position(|n| *n == name) {
            return Some(index as u32);
        }
        let help = match did_you_mean(name, names.iter().copied()) {
            Some(close) => Some(format!("did you mean \"{close}\"?")),
            None if names.is_empty() => None,
            None => {
                let mut known: Vec<String> = names.iter().take(10).map(|n| format!("\"{n}\"")).collect();
                if names.len() > 10 {
                    known.push("...".to_string());
                }
                Some(format!("the {plural} are {}", known.join(", ")))
            }
        };
        let field = path.rsplit('.').next().unwrap_or(path);
        let position = self
            .locations
            .get(path)
            .or_else(|| find_quoted(self.source, name, field))
            .or_else(|| self.locations.get_or_ancestor(path));
        let mut d =
            Diagnostic::error(format!("unknown {what} \"{name}\"")).with_path(path).with_position(position);
        d.help = help;
        self.diagnostics.push(d);
        None
    }

    /// The pool named `name` at `path`.
    fn pool_ref(&mut self, path: &str, name: &str) -> Option<PoolId> {
        self.resolve(Kind::Pool, path, name).map(PoolId)
    }

    /// The site named `name` at `path`.
    fn site_ref(&mut self, path: &str, name: &str) -> Option<SiteId> {
        self.resolve(Kind::Site, path, name).map(SiteId)
    }

    /// A front-end index of a pool, when the pool is known.
    fn server_ref(&mut self, path: &str, pool: Option<PoolId>, server: u32, pools: &RawPools<'_>) {
        let Some(pool) = pool else { return };
        let p = &pools[pool];
        if server >= p.front_ends {
            let servers = match p.front_ends {
                0 => "no front ends".to_string(),
                1 => "1 front end, server 0".to_string(),
                n => format!("{n} front ends, servers 0 to {}", n - 1),
            };
            self.error(path, format!("pool \"{}\" has no server {server}: it has {servers}", p.fqdn));
        }
    }

    /// Every check, in about the order of the file, and the resolved config.
    fn scenario(&mut self, s: &'a raw::Scenario) -> Config {
        self.name(&s.name);
        let horizon = s.horizon.time();
        let sample_every = s.sample_every.time();
        self.horizon(horizon, sample_every);
        if s.replications == 0 {
            self.error("replications", "replications must be at least 1");
        } else {
            self.over_limit("replications", limits::replications(s.replications));
        }
        self.max_user_count("registrar.max_user_count", s.registrar.max_user_count);
        let sites = self.sites(&s.sites);
        for raw::Event::At(_, action) in &s.events {
            if let raw::Action::ServerDown { pool, .. } | raw::Action::BackEndDown { pool, .. } = action {
                self.struck.push(pool);
            }
        }
        for raw::Failure::Random { target, .. } in &s.failures {
            if let raw::Target::FrontEnd { pool, .. } | raw::Target::BackEnd { pool, .. } = target {
                self.struck.push(pool);
            }
        }
        let raw_pools: RawPools = s.pools.iter().collect();
        let pools: IdVec<PoolId, PoolConfig> = self.pools(&s.pools).into();
        self.pairs(&raw_pools, &pools);
        let cms_pool = match &s.cms_pool {
            Some(name) => self.pool_ref("cms_pool", name).unwrap_or(PoolId(0)),
            None => PoolId(0),
        };

        let backup_service = self.backup_service(&s.backup_service);
        let timing = self.timing(&s.timing);
        let clients = self.clients(&s.clients);
        let features = self.features(&s.features);
        let events = self.events(s, horizon);
        self.cmdlet_dependencies(s, horizon);
        let failures = self.failures(&s.failures, &raw_pools);
        let rgs_replicated = backup_service.replicate_response_groups;
        let administrator =
            s.administrator.as_ref().map(|a| self.administrator(a, &raw_pools, rgs_replicated));

        let config = Config {
            name: s.name.clone(),
            description: s.description.clone(),
            product: self.product,
            seed: s.seed,
            horizon,
            sample_every,
            replications: s.replications,
            sites: sites.into(),
            pools,
            backup_service,
            max_user_count: s.registrar.max_user_count,
            timing,
            clients,
            features,
            events,
            cms_pool,
            failures,
            administrator,
            scenario_sha256: format!("{:x}", Sha256::digest(self.source.as_bytes())),
            source: self.source.into(),
            file: String::new(),
        };
        // The limits that multiply, once every field is within its own.
        if self.error_count() == 0 {
            for o in limits::overloads(&config) {
                let related: &[&str] = if o.path == "replications" { &["horizon"] } else { &[] };
                self.error_near(o.path, related, o.message).help = Some(o.help);
            }
        }
        config
    }

    /// The scenario name becomes a folder name: `[a-z0-9_-]`, at most [`MAX_NAME_LEN`].
    fn name(&mut self, name: &str) {
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-';
        let problem = if name.is_empty() {
            Some("the scenario name is empty".to_string())
        } else if !name.chars().all(allowed) {
            Some(format!("the scenario name \"{name}\" has characters that are not allowed"))
        } else if name.len() > MAX_NAME_LEN {
            Some(format!("the scenario name is {} characters long, more than {MAX_NAME_LEN}", name.len()))
        } else {
            None
        };
        if let Some(problem) = problem {
            let message = format!(
                "{problem}: it becomes a folder name, so use only lowercase letters, digits, '-' and '_' \
                 (at most {MAX_NAME_LEN})"
            );
            let suggestion = slug(name);
            let d = self.error("name", message);
            if !suggestion.is_empty() && suggestion != name {
                d.help = Some(format!("try \"{suggestion}\""));
            }
        }
    }

    /// The horizon and the sampling period: longer than zero, and within the limits.
    fn horizon(&mut self, horizon: SimTime, sample_every: SimTime) {
        if horizon == SimTime::ZERO {
            self.error("horizon", "horizon must be longer than zero");
            return;
        }
        self.over_limit("horizon", limits::horizon(horizon));
        // sample_every may be the default: then the horizon is what to change.
        let default = self.written("sample_every").is_none();
        if sample_every == SimTime::ZERO {
            self.error("sample_every", "sample_every must be longer than zero");
        } else if sample_every > horizon {
            let d = self.error_near(
                "sample_every",
                &["horizon"],
                format!(
                    "sample_every {} is longer than the horizon {}",
                    format_duration(sample_every),
                    format_duration(horizon)
                ),
            );
            if default {
                d.help = Some(format!(
                    "sample_every is not written and defaults to {}: write a shorter one, or a longer horizon",
                    format_duration(sample_every)
                ));
            }
        } else if let Some(e) = limits::rows(horizon, sample_every) {
            self.error_near("sample_every", &["horizon"], e.message).help = Some(e.help);
        }
    }
}

/// A scenario name that would be accepted, derived from a rejected one.
/// Letters keep their base letter (`Zürich` becomes `zurich`, see [`names::slug`]).
fn slug(name: &str) -> String {
    let out = names::slug(name, |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    out.chars().take(MAX_NAME_LEN).collect()
}

/// Where `"value"` is written: its only occurrence in the text, or its only occurrence on
/// a line that names `field` (like `pool:`).
fn find_quoted(source: &str, value: &str, field: &str) -> Option<(usize, usize)> {
    let needle = format!("\"{value}\"");
    let mut everywhere = Vec::new();
    let mut on_field_lines = Vec::new();
    for (n, line) in source.lines().enumerate() {
        let names_field = line.match_indices(field).any(|(at, _)| {
            let before = line[..at].chars().next_back();
            let after = line[at + field.len()..].trim_start();
            !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') && after.starts_with(':')
        });
        for (col, _) in line.match_indices(&needle) {
            everywhere.push((n + 1, col + 1));
            if names_field {
                on_field_lines.push((n + 1, col + 1));
            }
        }
    }
    match (everywhere.as_slice(), on_field_lines.as_slice()) {
        ([only], _) | (_, [only]) => Some(*only),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;
    use crate::model::{
        default_routing_groups, Action, BackEnd, Delay, Edition, FailureConfig, FailureTarget, FeatureMatrix,
        ScheduledAction, VoiceFailoverConfig,
    };
    use crate::scenario::limits::{overloads, MAX_EVENTS, MAX_POOLS, MAX_REPLICATIONS, MAX_SITES};

    /// A scenario that writes every section and field of the format.
    const FULL_EXAMPLE: &str = r#"Scenario(
    name: "se-pair-disaster",                 // results folder name; [a-z0-9-_] only
    description: "Two paired SE pools; lyncfe04 dies at 01:00, failover at 01:15, failback at 06:00",
    product: Lync2013,                        // Lync2010 | Lync2013 | SfB2015 | SfB2019
    seed: 42,
    horizon: "12h",
    sample_every: "10s",                      // default "10s"
    replications: 1,                          // Monte Carlo replications; default 1
    sites: [ Site(name: "dc1"), Site(name: "dc2") ],
    pools: [
        Pool(
            fqdn: "lyncfe03.thelab.info",
            site: "dc1",
            edition: Standard,                // Standard | Enterprise
            front_ends: 1,                    // Standard: 1; Enterprise: 2..=12 (SfB2019: 3..=16)
            back_end: Local,                  // Local (SE, SQL Express) | Single | Mirrored(witness: true) (Lync2013, SfB2015)
            users: 2500,                      // users homed on this pool
            routing_groups: 3,                // default: derived from users, documented
            backup_pool: Some("lyncfe04.thelab.info"),
            voice_failover: Some(VoiceFailover(detection: "120s", failback: "240s")), // the default when omitted; None turns it off
            registrations_per_sec: 20.0,      // sign-in capacity per front end (assumption; see 4.6)
        ),
        Pool(fqdn: "lyncfe04.thelab.info", site: "dc2", edition: Standard, front_ends: 1,
             back_end: Local, users: 2500, backup_pool: Some("lyncfe03.thelab.info")),
    ],
    backup_service: BackupService(sync_interval: "2m", replicate_response_groups: false),
    timing: Timing(),                         // all fields optional: section 4.7
    clients: Clients(),                       // all fields optional: section 4.2
    features: Features(),                     // optional override of the matrix in 4.3
    events: [
        At("1h",    PoolDown(pool: "lyncfe04.thelab.info")),
        At("1h15m", InvokeCsPoolFailover(pool: "lyncfe04.thelab.info", disaster_mode: true)),
        At("5h",    PoolUp(pool: "lyncfe04.thelab.info")),
        At("6h",    InvokeCsPoolFailback(pool: "lyncfe04.thelab.info")),
    ],
    failures: [                               // stochastic failures, optional
        Random(target: FrontEnd(pool: "lyncfe03.thelab.info", server: 0),
               mtbf: Exponential(mean: "4000h"),
               mttr: LogNormal(median: "4h", sigma: 0.6)),
    ],
    )
    "#;

    #[test]
    fn the_spec_example_loads() {
        let loaded = ok(FULL_EXAMPLE);
        assert!(loaded.warnings.is_empty(), "{}", loaded.render_warnings());
        assert_eq!(loaded.render_warnings(), "");
        let c = &loaded.config;
        assert_eq!(c.name, "se-pair-disaster");
        assert_eq!((c.product, c.seed, c.replications), (Product::Lync2013, 42, 1));
        assert_eq!((c.horizon, c.sample_every), (SimTime::from_secs(12 * 3600), SimTime::from_secs(10)));
        assert_eq!(c.sites.len(), 2);
        let (fe03, fe04) = (&c.pools[PoolId(0)], &c.pools[PoolId(1)]);
        assert_eq!((fe03.site, fe03.backup, fe03.routing_groups), (SiteId(0), Some(PoolId(1)), 3));
        assert_eq!((fe04.site, fe04.backup), (SiteId(1), Some(PoolId(0))));
        assert_eq!(fe04.routing_groups, default_routing_groups(2500, 1));
        assert_eq!((fe03.edition, fe03.back_end, fe03.users), (Edition::Standard, BackEnd::Local, 2500));
        assert_eq!(
            fe04.voice_failover,
            Some(VoiceFailoverConfig { detection: Delay::secs(120), failback: Delay::secs(240) })
        );
        assert_eq!(c.backup_service.sync_interval, Delay::secs(120));
        assert_eq!(c.backup_service.changes_per_user_per_hour, 2.0);
        assert_eq!(c.backup_service.changes_per_sync, 50_000.0);
        assert_eq!(c.timing.registrar_poll_failed_pool, Delay::secs(90));
        assert_eq!(c.timing.hydrate_per_routing_group, Delay::secs(10));
        assert_eq!(c.timing.hydrate_per_user, Delay::Fixed(SimTime::from_millis(10)));
        assert_eq!(c.timing.cmdlet_step, Delay::secs(5));
        assert_eq!((fe03.registrar, fe04.registrar), (None, None));
        assert_eq!(c.clients.refresh, Delay::secs(600));
        assert_eq!(c.features, FeatureMatrix::default());
        assert_eq!(
            c.events,
            vec![
                ScheduledAction { at: SimTime::from_secs(3600), action: Action::PoolDown(PoolId(1)) },
                ScheduledAction {
                    at: SimTime::from_secs(4500),
                    action: Action::InvokeCsPoolFailover { pool: PoolId(1), disaster_mode: true }
                },
                ScheduledAction { at: SimTime::from_secs(5 * 3600), action: Action::PoolUp(PoolId(1)) },
                ScheduledAction {
                    at: SimTime::from_secs(6 * 3600),
                    action: Action::InvokeCsPoolFailback { pool: PoolId(1), disaster_mode: false }
                },
            ]
        );
        assert_eq!(
            c.failures,
            vec![FailureConfig {
                target: FailureTarget::FrontEnd(PoolId(0), 0),
                mtbf: Delay::Exponential { mean_s: 4000.0 * 3600.0 },
                mttr: Delay::LogNormal { median_s: 4.0 * 3600.0, sigma: 0.6 },
            }]
        );
        assert_eq!(c.administrator, None);
        assert_eq!(c.scenario_sha256, format!("{:x}", Sha256::digest(FULL_EXAMPLE.as_bytes())));
        assert_eq!(c.scenario_sha256.len(), 64);
        assert_eq!(c.total_users(), 5000);
    }

    /// Ten replications load, and as many as the limit (one more: fixture too-many-replications).
    #[test]
    fn replications_are_bounded() {
        let source = two_pools(PAIR, FAULT).replace("horizon:", "replications: 10, horizon:");
        assert_eq!(ok(&source).config.replications, 10);
        let source = two_pools(PAIR, FAULT).replace("horizon:", "replications: 1000000, horizon:");
        assert_eq!(ok(&source).config.replications, MAX_REPLICATIONS);
    }

    #[test]
    fn names_must_be_folder_safe() {
        let f = failed(&two_pools(PAIR, FAULT).replace("name: \"t\"", "name: \"SE Pair\""));
        assert_eq!(f.diagnostics[0].help.as_deref(), Some("try \"se-pair\""));
        let long = "a".repeat(65);
        let f = failed(&two_pools(PAIR, FAULT).replace("name: \"t\"", &format!("name: \"{long}\"")));
        assert_eq!(f.diagnostics[0].path.as_deref(), Some("name"));
        ok(&two_pools(PAIR, FAULT).replace("name: \"t\"", &format!("name: \"{}\"", "a".repeat(64))));
    }

    #[test]
    fn sampling_limits() {
        let f = failed(&two_pools(PAIR, FAULT).replace("\"12h\"", "\"3000d\", sample_every: \"10s\""));
        assert_eq!(
            f.diagnostics[0].message,
            "the time series would have 25,920,001 rows, more than the limit of 5,000,000"
        );
        assert_eq!(
            f.diagnostics[0].help.as_deref(),
            Some(
                "raise sample_every to at least 52s for a horizon of 3000d; the limit is MAX_ROWS in \
                 src/scenario/limits.rs; raise it and rebuild if this machine can take more"
            )
        );
        ok(&two_pools(PAIR, FAULT).replace("\"12h\"", "\"3000d\", sample_every: \"52s\""));
        let f = failed(&two_pools(PAIR, FAULT).replace("\"12h\"", "0"));
        assert_eq!(f.diagnostics[0].message, "horizon must be longer than zero");
    }

    #[test]
    fn the_documented_studies_are_within_the_limits_that_multiply() {
        for file in [
            "year-ee-pair-mirrored",
            "year-se-pair-random",
            "year-se-pair-random-rgs-import",
            "year-single-pool-no-dr",
        ] {
            let path = format!("{}/scenarios/{file}.ron", env!("CARGO_MANIFEST_DIR"));
            let mut config = crate::scenario::load(std::path::Path::new(&path)).unwrap().config;
            config.replications = 100_000;
            assert_eq!(overloads(&config), [], "{file}");
        }
    }

    #[test]
    fn sizes_are_capped() {
        ok(&sized(MAX_SITES, 10, 1_000_000, 10));
        // 11 pools of 1,000,000 users: fixture too-many-users.
        // The reviewer's case: 5,000 pools of 1,000,000 users.
        assert_eq!(
            errors(&sized(1, 5_000, 1_000_000, 1)),
            vec![
                ("pools".to_string(), "the scenario has 5,000 pools, more than lyncsim's limit of 1,000".to_string()),
                (
                    "pools".to_string(),
                    "the scenario has 5,000,000,000 users in total, more than lyncsim's limit of 10,000,000: each \
                     user costs about 40 bytes of simulation state"
                        .to_string()
                ),
            ]
        );
        assert_eq!(
            errors(&sized(MAX_SITES + 1, MAX_POOLS + 1, 1, 1)),
            vec![
                (
                    "sites".to_string(),
                    "the scenario has 1,001 sites, more than lyncsim's limit of 1,000".to_string()
                ),
                (
                    "pools".to_string(),
                    "the scenario has 1,001 pools, more than lyncsim's limit of 1,000".to_string()
                ),
            ]
        );
        ok(&sized(1, MAX_POOLS, 1, MAX_EVENTS));
        assert_eq!(
            errors(&sized(1, 1, 1, MAX_EVENTS + 1)),
            vec![(
                "events".to_string(),
                "the scenario has 100,001 events, more than lyncsim's limit of 100,000".to_string()
            )]
        );
    }
}
