//! Semantic validation: a parsed [`raw::Scenario`] becomes a [`Config`], or every problem
//! found becomes a [`Diagnostic`].
//!
//! Names are resolved to ids (with a "did you mean" for typos), defaults are filled in,
//! sizes are checked against Microsoft's published capacity (SPEC 4.6, warnings), and
//! resource limits ([`super::limits`]) are checked before anything is allocated. Each
//! diagnostic carries the logical path of the value and, where it can be found in the
//! text, its position.
//!
//! This file holds the validator's state, how it places diagnostics and resolves names, the
//! order of the checks, and the checks of the scenario's own fields (name, horizon,
//! replications). Each other part of a scenario is checked in its own file: `pools.rs`
//! (sites, pools, pairing and capacity), `delays.rs` (timings and their distributions),
//! `clients.rs` (backup service, timing, clients, features), `events.rs` (scheduled actions
//! and cmdlets, the administrator's policy) and `failures.rs` (stochastic failure processes).

mod clients;
mod delays;
mod events;
mod failures;
mod pools;
#[cfg(test)]
mod tests;

use sha2::{Digest, Sha256};

use super::diagnostic::{did_you_mean, Diagnostic, Locations};
use super::{limits, raw};
use crate::engine::SimTime;
use crate::model::config::{Config, PoolId, Product, SiteId};

// The limits, the duration format and the constants of the checks, where callers have
// always found them.
pub use super::format::format_duration;
pub use super::limits::{
    limit_help, overloads, Overload, BYTES_PER_USER, LIMITS_FILE, MAX_CLIENT_BATCH, MAX_EVENTS,
    MAX_EXPECTED_FAILURES, MAX_FAILURES, MAX_FILE_BYTES, MAX_HORIZON, MAX_NAME_LEN, MAX_NESTING, MAX_POOLS,
    MAX_REGISTRATIONS_PER_SEC, MAX_REPLICATIONS, MAX_ROUTING_GROUPS, MAX_ROWS, MAX_SAMPLES, MAX_SITES,
    MAX_TOTAL_USERS, MAX_USERS_PER_POOL, MAX_USER_REPLICATIONS, MIN_MTBF, MIN_MTTR,
};
pub use delays::DISTRIBUTIONS;
pub use pools::{MIN_VOICE_DETECTION, STANDARD_SURVIVOR_USERS};

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

    /// Resolve a pool or site name written at `path`.
    fn resolve(&mut self, kind: Kind, path: &str, name: &str) -> Option<u32> {
        let (names, what, plural) = match kind {
            Kind::Pool => (&self.pools, "pool", "pools"),
            Kind::Site => (&self.sites, "site", "sites"),
        };
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
    fn server_ref(&mut self, path: &str, pool: Option<PoolId>, server: u32, pools: &[raw::Pool]) {
        let Some(pool) = pool else { return };
        let p = &pools[pool.0 as usize];
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
        let pools = self.pools(&s.pools);
        self.pairs(&s.pools, &pools);
        let cms_pool = match &s.cms_pool {
            Some(name) => self.pool_ref("cms_pool", name).unwrap_or(PoolId(0)),
            None => PoolId(0),
        };

        let backup_service = self.backup_service(&s.backup_service);
        let timing = self.timing(&s.timing);
        let clients = self.clients(&s.clients);
        let features = self.features(&s.features);
        let events = self.events(s, horizon);
        let failures = self.failures(&s.failures, &s.pools);
        let administrator = s.administrator.as_ref().map(|a| self.administrator(a, &s.pools));

        let config = Config {
            name: s.name.clone(),
            description: s.description.clone(),
            product: self.product,
            seed: s.seed,
            horizon,
            sample_every,
            replications: s.replications,
            sites,
            pools,
            backup_service,
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
fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-' {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches('-');
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
