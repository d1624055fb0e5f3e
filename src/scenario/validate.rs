//! Semantic validation: a parsed [`raw::Scenario`] becomes a [`Config`], or every problem
//! found becomes a [`Diagnostic`].
//!
//! Names are resolved to ids (with a "did you mean" for typos), defaults are filled in,
//! sizes are checked against Microsoft's published capacity (SPEC 4.6, warnings), and
//! resource limits are checked before anything is allocated. Each
//! diagnostic carries the logical path of the value and, where it can be found in the
//! text, its position.

use sha2::{Digest, Sha256};

use super::diagnostic::{did_you_mean, Diagnostic, Locations};
use super::duration::{Distribution, Duration, TimeValue};
use super::raw;
use crate::engine::SimTime;
use crate::model::config::{
    default_routing_groups, Action, AdministratorConfig, BackupServiceConfig, ClientState, ClientsConfig,
    Config, Delay, FailureConfig, FailureTarget, Feature, FeatureMatrix, PoolConfig, PoolId, Product,
    RegistrarSettings, ScheduledAction, SiteConfig, SiteId, TimingConfig, VoiceFailoverConfig,
    USERS_PER_FRONT_END, USERS_PER_STANDARD_SERVER,
};

/// Longest scenario name (it becomes a folder name).
pub const MAX_NAME_LEN: usize = 64;
/// Longest horizon: ten years of 365 days.
pub const MAX_HORIZON: SimTime = SimTime::from_secs(10 * 365 * 86_400);
/// Most rows of a time series (`horizon / sample_every + 1`).
pub const MAX_ROWS: u64 = 5_000_000;
/// Most Monte Carlo replications of one scenario (each keeps its summary and the runs of
/// its time series until the statistics are computed).
pub const MAX_REPLICATIONS: u32 = 1_000_000;
/// Longest `clients.batch` window.
pub const MAX_CLIENT_BATCH: SimTime = SimTime::from_secs(60);
/// Most users homed on one pool.
pub const MAX_USERS_PER_POOL: u32 = 1_000_000;
/// Most users of a whole scenario: each costs about [`BYTES_PER_USER`] of simulation state.
pub const MAX_TOTAL_USERS: u64 = 10_000_000;
/// Simulation state of one user, roughly (client state, timers, counters).
pub const BYTES_PER_USER: u64 = 40;
/// Most pools of a scenario.
pub const MAX_POOLS: usize = 1_000;
/// Most sites of a scenario.
pub const MAX_SITES: usize = 1_000;
/// Most scheduled events of a scenario.
pub const MAX_EVENTS: usize = 100_000;
/// Most stochastic failure processes in one scenario.
pub const MAX_FAILURES: usize = 10_000;
/// Most time-series samples of a whole study: rows x replications. Each replication keeps
/// its series until the statistics are computed, and the row statistics visit every one.
pub const MAX_SAMPLES: u64 = 10_000_000_000;
/// Most failures expected over a whole study: the horizon over each failure process's mean
/// time between failures, summed, times the replications.
pub const MAX_EXPECTED_FAILURES: u64 = 100_000_000;
/// Most user-replications of a study: users x replications. Every user signs in at least
/// once in every replication.
pub const MAX_USER_REPLICATIONS: u64 = 10_000_000_000;
/// Highest `registrations_per_sec` of a pool (lyncsim's sanity bound: a million users sign
/// in within ten seconds).
pub const MAX_REGISTRATIONS_PER_SEC: f64 = 100_000.0;
/// Largest scenario file read, in bytes (real scenarios are a few kilobytes).
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;
/// Deepest nesting of brackets and parentheses in a scenario file (real ones nest about
/// six deep), checked before parsing so that no parser recursion can overflow the stack.
pub const MAX_NESTING: usize = 64;
/// Where the limits are defined, for the messages that name them.
pub const LIMITS_FILE: &str = "src/scenario/validate.rs";

/// The help line of a limit: its name and how to raise it, after `why` when there is one.
pub fn limit_help(why: Option<&str>, limit: &str) -> String {
    let how =
        format!("the limit is {limit} in {LIMITS_FILE}; raise it and rebuild if this machine can take more");
    match why {
        Some(why) => format!("{why}; {how}"),
        None => how,
    }
}
/// The distributions of a timing, as written in files.
pub const DISTRIBUTIONS: [&str; 5] = ["Fixed", "Exponential", "Weibull", "LogNormal", "Uniform"];
/// Most routing groups in one pool.
pub const MAX_ROUTING_GROUPS: u32 = 10_000;
/// DefaultEndpointExpiration's range (PS-Set-CsRegistrarConfiguration).
const ENDPOINT_EXPIRATION: (SimTime, SimTime) = (SimTime::from_secs(300), SimTime::from_secs(900));
const ENDPOINT_WHY: &str = "DefaultEndpointExpiration accepts 300 to 900 seconds";
/// Topology Builder: voice failure detection intervals under 120 s may not work as expected.
pub const MIN_VOICE_DETECTION: SimTime = SimTime::from_secs(120);
/// Users a Standard Edition server carries alone, after its partner failed over to it.
pub const STANDARD_SURVIVOR_USERS: u32 = 2 * USERS_PER_STANDARD_SERVER;
/// Shortest mean time between failures of a `Random` failure: shorter ones would make the
/// run unbounded (lyncsim's sanity bound, not a product figure).
pub const MIN_MTBF: SimTime = SimTime::from_secs(60);
/// Shortest mean time to repair of a `Random` failure (lyncsim's sanity bound).
pub const MIN_MTTR: SimTime = SimTime::from_secs(1);

/// A study that would be too large to run: the field to change, the message, the help.
#[derive(Debug, Clone, PartialEq)]
pub struct Overload {
    /// The scenario field to change (`replications`, `sample_every`, `failures`, `pools`).
    pub path: &'static str,
    /// What is too large, with the figures.
    pub message: String,
    /// What to do, and the limit's name and how to raise it.
    pub help: String,
}

/// Mean of a delay in seconds, as the sanity bounds read it (a Weibull's scale stands for
/// its mean, as in [`MIN_MTBF`]'s check).
fn mean_secs(d: &Delay) -> f64 {
    match *d {
        Delay::Fixed(t) => t.as_secs_f64(),
        Delay::Exponential { mean_s } => mean_s,
        Delay::Weibull { scale_s, .. } => scale_s,
        Delay::LogNormal { median_s, sigma } => median_s * (sigma * sigma / 2.0).exp(),
        Delay::Uniform { min_s, max_s } => (min_s + max_s) / 2.0,
    }
}

/// The limits that multiply (SPEC 6, issue 9): samples, user-replications and expected
/// failures of a whole study, from a config whose own fields are within their limits.
/// `validate` applies it, and the commands apply it again after `--replications`. It only
/// multiplies figures: nothing is allocated.
pub fn overloads(c: &Config) -> Vec<Overload> {
    let mut out = Vec::new();
    let reps = u128::from(c.replications.max(1));
    let step = c.sample_every.as_millis().max(1);
    let rows = u128::from(c.horizon.as_millis() / step + 1);
    let big = |n: u128| thousands(u64::try_from(n).unwrap_or(u64::MAX));
    if rows * reps > u128::from(MAX_SAMPLES) {
        out.push(Overload {
            path: "replications",
            message: format!(
                "{} rows x {} replications is {} time-series samples, more than the limit of {}",
                big(rows),
                big(reps),
                big(rows * reps),
                thousands(MAX_SAMPLES)
            ),
            help: limit_help(
                Some("sample less often (a longer sample_every), fewer replications, or a shorter horizon"),
                "MAX_SAMPLES",
            ),
        });
    }
    let users = u128::from(c.total_users());
    if users * reps > u128::from(MAX_USER_REPLICATIONS) {
        out.push(Overload {
            path: "replications",
            message: format!(
                "{} users x {} replications is {} user-replications, more than the limit of {}",
                big(users),
                big(reps),
                big(users * reps),
                thousands(MAX_USER_REPLICATIONS)
            ),
            help: limit_help(
                Some("run fewer replications, or split the study into scenarios over fewer pools"),
                "MAX_USER_REPLICATIONS",
            ),
        });
    }
    let horizon_s = c.horizon.as_secs_f64();
    let per_run: f64 = c.failures.iter().map(|f| horizon_s / mean_secs(&f.mtbf).max(1e-3)).sum();
    let expected = per_run * reps as f64;
    if expected > MAX_EXPECTED_FAILURES as f64 {
        out.push(Overload {
            path: "failures",
            message: format!(
                "the failure processes would strike about {} times over the horizon {} in each replication, \
                 {} times in {} replications: more than the limit of {}",
                big(per_run.round() as u128),
                format_duration(c.horizon),
                big(expected.min(u128::MAX as f64) as u128),
                big(reps),
                thousands(MAX_EXPECTED_FAILURES)
            ),
            help: limit_help(
                Some("real mean times between failures are hours to years; use fewer replications or a shorter horizon"),
                "MAX_EXPECTED_FAILURES",
            ),
        });
    }
    out
}

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

/// A duration as written in files, shortest form: `13h`, `1h15m`, `1m30.5s`, `250ms`, `0s`.
pub fn format_duration(t: SimTime) -> String {
    let ms = t.as_millis();
    if ms == 0 {
        return "0s".to_string();
    }
    let mut out = String::new();
    let (days, rest) = (ms / 86_400_000, ms % 86_400_000);
    let (hours, rest) = (rest / 3_600_000, rest % 3_600_000);
    let (minutes, rest) = (rest / 60_000, rest % 60_000);
    let (secs, millis) = (rest / 1000, rest % 1000);
    for (n, unit) in [(days, "d"), (hours, "h"), (minutes, "m")] {
        if n > 0 {
            out += &format!("{n}{unit}");
        }
    }
    match (secs, millis) {
        (0, 0) => {}
        (s, 0) => out += &format!("{s}s"),
        (0, m) if out.is_empty() => out += &format!("{m}ms"),
        (s, m) => out += &format!("{s}.{}s", format!("{m:03}").trim_end_matches('0')),
    }
    out
}

/// `1234567` -> `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn back_end_name(b: raw::BackEnd) -> &'static str {
    match b {
        raw::BackEnd::Local => "Local",
        raw::BackEnd::Single => "Single",
        raw::BackEnd::Mirrored { .. } => "Mirrored",
    }
}

/// A back end as written in files: `Single`, `Mirrored(witness: false)`.
fn back_end_written(b: raw::BackEnd) -> String {
    match b {
        raw::BackEnd::Mirrored { witness } => format!("Mirrored(witness: {witness})"),
        other => back_end_name(other).to_string(),
    }
}

/// A duration as written in files, quoted: `"15m"`.
fn quoted_duration(d: Duration) -> String {
    format!("\"{}\"", format_duration(d.time()))
}

/// A timing as it would be written in a file: `"15m"`, `Exponential(mean: "2m")`.
fn format_time_value(v: &TimeValue) -> String {
    let q = quoted_duration;
    match v {
        TimeValue::Fixed(d) | TimeValue::Random(Distribution::Fixed(d)) => q(*d),
        TimeValue::Random(Distribution::Exponential { mean }) => format!("Exponential(mean: {})", q(*mean)),
        TimeValue::Random(Distribution::Weibull { shape, scale }) => {
            format!("Weibull(shape: {shape}, scale: {})", q(*scale))
        }
        TimeValue::Random(Distribution::LogNormal { median, sigma }) => {
            format!("LogNormal(median: {}, sigma: {sigma})", q(*median))
        }
        TimeValue::Random(Distribution::Uniform { min, max }) => {
            format!("Uniform(min: {}, max: {})", q(*min), q(*max))
        }
    }
}

/// A distribution as it would be written in a file, `Fixed("5s")` included.
fn format_distribution(dist: &Distribution) -> String {
    match dist {
        Distribution::Fixed(d) => format!("Fixed({})", quoted_duration(*d)),
        _ => format_time_value(&TimeValue::Random(*dist)),
    }
}

/// What the distribution named `name` takes: `(min, max)`; `None` for an unknown name.
fn distribution_fields(name: &str) -> Option<&'static str> {
    Some(match name {
        "Fixed" => "one duration",
        "Exponential" => "(mean)",
        "Weibull" => "(shape, scale)",
        "LogNormal" => "(median, sigma)",
        "Uniform" => "(min, max)",
        _ => return None,
    })
}

/// The fields a distribution was read from.
fn fields_of(dist: &Distribution) -> &'static str {
    distribution_fields(dist.name()).expect("every distribution has fields")
}

/// Users a pool can carry (SPEC 4.6): a Standard Edition server alone 5,000 (the survivor of
/// a pair), an Enterprise pool 6,660 per front end up to the product's pool maximum.
fn survivor_capacity(pool: &raw::Pool, product: Product) -> (u32, String) {
    match pool.edition {
        raw::Edition::Standard => (
            STANDARD_SURVIVOR_USERS,
            format!(
                "a Standard Edition server carries at most {} users on its own",
                thousands(STANDARD_SURVIVOR_USERS.into())
            ),
        ),
        raw::Edition::Enterprise => {
            let per_front_end = USERS_PER_FRONT_END.saturating_mul(pool.front_ends);
            if per_front_end <= product.max_pool_users() {
                (
                    per_front_end,
                    format!(
                        "{} users per front end x {} front end{}",
                        thousands(USERS_PER_FRONT_END.into()),
                        pool.front_ends,
                        if pool.front_ends == 1 { "" } else { "s" }
                    ),
                )
            } else {
                let max = product.max_pool_users();
                (max, format!("the {} pool maximum", product.name()))
            }
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

#[derive(Clone, Copy)]
enum Kind {
    Pool,
    Site,
}

struct Validator<'a> {
    source: &'a str,
    locations: Locations,
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
    fn push(&mut self, diagnostic: Diagnostic, path: &str, located_by: &str) -> &mut Diagnostic {
        let position = self.locations.get_or_ancestor(located_by);
        self.diagnostics.push(diagnostic.with_path(path).with_position(position));
        self.diagnostics.last_mut().expect("just pushed")
    }

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

    fn warning(&mut self, path: &str, message: impl Into<String>) -> &mut Diagnostic {
        self.push(Diagnostic::warning(message), path, path)
    }

    fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
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

    fn pool_ref(&mut self, path: &str, name: &str) -> Option<PoolId> {
        self.resolve(Kind::Pool, path, name).map(PoolId)
    }

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

    /// A timing: fixed values must be longer than zero; distributions must be named as
    /// their fields say (see [`Validator::distribution_name`]) and valid.
    fn delay(&mut self, path: &str, value: &TimeValue) -> Delay {
        match value {
            TimeValue::Fixed(d) => self.positive(path, *d),
            TimeValue::Random(dist) if self.distribution_name(path, dist) => self.distribution(path, dist),
            TimeValue::Random(dist) => to_delay(dist),
        }
    }

    /// Whether the distribution's name written in the file is the one its fields make.
    ///
    /// RON does not report the name of a value read field by field (see [`TimeValue`]): the
    /// distribution is recognised by its fields, so `Exponentail(mean: "1m")` would run as an
    /// Exponential and `Uniform(mean: "1m")` too. The name is read back from the text; an
    /// anonymous `(mean: "1m")`, or a value that cannot be found, is taken as it is.
    fn distribution_name(&mut self, path: &str, dist: &Distribution) -> bool {
        let Some(written) = self.locations.name(path) else { return true };
        if written == dist.name() {
            return true;
        }
        let written = written.to_string();
        let parsed = format_distribution(dist);
        match distribution_fields(&written) {
            Some(takes) => {
                self.error(path, format!("{written} takes {takes}, not {}", fields_of(dist))).help =
                    Some(format!("with these fields it is {parsed}"));
            }
            None => {
                let help = match did_you_mean(&written, DISTRIBUTIONS) {
                    Some(close) => format!("did you mean \"{close}\"?"),
                    None => format!("with these fields it is {parsed}"),
                };
                self.error(
                    path,
                    format!(
                        "unknown distribution \"{written}\": expected one of {}",
                        DISTRIBUTIONS.join(", ")
                    ),
                )
                .help = Some(help);
            }
        }
        false
    }

    fn positive(&mut self, path: &str, d: Duration) -> Delay {
        if d.time() == SimTime::ZERO {
            self.error(path, format!("{path} must be longer than zero"));
        }
        Delay::Fixed(d.time())
    }

    fn distribution(&mut self, path: &str, dist: &Distribution) -> Delay {
        let zero = |d: Duration| d.time() == SimTime::ZERO;
        match *dist {
            Distribution::Fixed(d) => {
                self.positive(path, d);
            }
            Distribution::Exponential { mean } => {
                if zero(mean) {
                    self.error(
                        &format!("{path}.mean"),
                        format!("the mean of {path} must be longer than zero"),
                    );
                }
            }
            Distribution::Weibull { shape, scale } => {
                if !(shape.is_finite() && shape > 0.0) {
                    self.error(
                        &format!("{path}.shape"),
                        format!("the shape of {path} must be a positive number, not {shape}"),
                    );
                }
                if zero(scale) {
                    self.error(
                        &format!("{path}.scale"),
                        format!("the scale of {path} must be longer than zero"),
                    );
                }
            }
            Distribution::LogNormal { median, sigma } => {
                if zero(median) {
                    self.error(
                        &format!("{path}.median"),
                        format!("the median of {path} must be longer than zero"),
                    );
                }
                if !(sigma.is_finite() && sigma >= 0.0) {
                    self.error(
                        &format!("{path}.sigma"),
                        format!("the sigma of {path} must be a number of at least 0, not {sigma}"),
                    );
                }
            }
            Distribution::Uniform { min, max } => {
                if min > max {
                    self.error(
                        path,
                        format!(
                            "{path} has min {} larger than max {}",
                            format_duration(min.time()),
                            format_duration(max.time())
                        ),
                    );
                } else if zero(max) {
                    self.error(&format!("{path}.max"), format!("the max of {path} must be longer than zero"));
                }
            }
        }
        to_delay(dist)
    }

    /// A timing that must stay within `min..=max`: a fixed value within it, or a Uniform
    /// whose `[min, max]` lies within it. A distribution without an upper bound
    /// (Exponential, Weibull, LogNormal) is an error unless `unbounded` allows it (lyncsim's
    /// own sanity bounds, as opposed to a product's range). `why` is the help of an error.
    fn delay_within(
        &mut self,
        path: &str,
        value: &TimeValue,
        (min, max): (SimTime, SimTime),
        unbounded: bool,
        why: Option<&str>,
    ) {
        let errors_before = self.error_count();
        self.delay(path, value);
        if self.error_count() > errors_before {
            return;
        }
        let range = format!("{}..={}", format_duration(min), format_duration(max));
        let within = |t: Duration| (min..=max).contains(&t.time());
        let d = match value {
            TimeValue::Fixed(t) | TimeValue::Random(Distribution::Fixed(t)) if !within(*t) => {
                self.error(path, format!("{path} must be within {range}, not {}", format_duration(t.time())))
            }
            TimeValue::Random(Distribution::Uniform { min: low, max: high })
                if !(within(*low) && within(*high)) =>
            {
                self.error(
                    path,
                    format!(
                        "{path} must be within {range}, but {} draws outside it",
                        format_time_value(value)
                    ),
                )
            }
            TimeValue::Random(
                dist @ (Distribution::Exponential { .. }
                | Distribution::Weibull { .. }
                | Distribution::LogNormal { .. }),
            ) if !unbounded => {
                let d = self.error(
                    path,
                    format!(
                        "{path} must stay within {range}, but {} can draw any duration above zero",
                        dist.name()
                    ),
                );
                let fix = format!("use a fixed value or a Uniform(min, max) within {range}");
                d.help = Some(match why {
                    Some(why) => format!("{fix}; {why}"),
                    None => fix,
                });
                return;
            }
            _ => return,
        };
        d.help = why.map(str::to_string);
    }

    fn scenario(&mut self, s: &'a raw::Scenario) -> Config {
        self.name(&s.name);
        let horizon = s.horizon.time();
        let sample_every = s.sample_every.time();
        self.horizon(horizon, sample_every);
        match s.replications {
            0 => {
                self.error("replications", "replications must be at least 1");
            }
            n if n > MAX_REPLICATIONS => {
                self.error(
                    "replications",
                    format!(
                        "{} replications is more than the limit of {}",
                        thousands(n as u64),
                        thousands(MAX_REPLICATIONS as u64)
                    ),
                )
                .help = Some(limit_help(
                    Some(
                        "the 99 % confidence interval narrows with the square root of the count; \
                         run the study in parts with different seeds if you need more",
                    ),
                    "MAX_REPLICATIONS",
                ));
            }
            _ => {}
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
            for o in overloads(&config) {
                let related: &[&str] = if o.path == "replications" { &["horizon"] } else { &[] };
                self.error_near(o.path, related, o.message).help = Some(o.help);
            }
        }
        config
    }

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

    fn horizon(&mut self, horizon: SimTime, sample_every: SimTime) {
        if horizon == SimTime::ZERO {
            self.error("horizon", "horizon must be longer than zero");
            return;
        }
        if horizon > MAX_HORIZON {
            self.error(
                "horizon",
                format!(
                    "horizon {} is longer than the limit of 10 years ({})",
                    format_duration(horizon),
                    format_duration(MAX_HORIZON)
                ),
            )
            .help = Some(limit_help(None, "MAX_HORIZON"));
        }
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
        } else {
            let rows = horizon.as_millis() / sample_every.as_millis() + 1;
            if rows > MAX_ROWS {
                let least = horizon.as_millis() / MAX_ROWS + 1;
                let least = if least > 1000 { least.div_ceil(1000) * 1000 } else { least };
                self.error_near(
                    "sample_every",
                    &["horizon"],
                    format!(
                        "the time series would have {} rows, more than the limit of {}",
                        thousands(rows),
                        thousands(MAX_ROWS)
                    ),
                )
                .help = Some(limit_help(
                    Some(&format!(
                        "raise sample_every to at least {} for a horizon of {}",
                        format_duration(SimTime::from_millis(least)),
                        format_duration(horizon)
                    )),
                    "MAX_ROWS",
                ));
            }
        }
    }

    fn sites(&mut self, sites: &'a [raw::Site]) -> Vec<SiteConfig> {
        if sites.is_empty() {
            self.error("sites", "a scenario needs at least one site").help =
                Some("add sites: [ Site(name: \"dc1\") ]".to_string());
        }
        let too_many = sites.len() > MAX_SITES;
        if too_many {
            self.error(
                "sites",
                format!(
                    "the scenario has {} sites, more than lyncsim's limit of {}",
                    thousands(sites.len() as u64),
                    thousands(MAX_SITES as u64)
                ),
            )
            .help = Some(limit_help(Some("split the study into several scenarios"), "MAX_SITES"));
        }
        for (i, site) in sites.iter().enumerate() {
            if too_many {
                // Names only: checking each against all the others would take too long.
                self.sites.push(&site.name);
                continue;
            }
            let path = format!("sites[{i}].name");
            if site.name.is_empty() {
                self.error(&path, "a site name cannot be empty");
            } else if let Some(first) = self.sites.iter().position(|n| *n == site.name) {
                self.error(&path, format!("duplicate site \"{}\"", site.name)).help =
                    Some(format!("site names must be unique; sites[{first}] has it already"));
            }
            self.sites.push(&site.name);
        }
        sites.iter().map(|s| SiteConfig { name: s.name.clone() }).collect()
    }

    fn pools(&mut self, pools: &'a [raw::Pool]) -> Vec<PoolConfig> {
        if pools.is_empty() {
            self.error("pools", "a scenario needs at least one pool");
        }
        // Sizes first: the model allocates per pool and per user.
        let too_many = pools.len() > MAX_POOLS;
        if too_many {
            self.error(
                "pools",
                format!(
                    "the scenario has {} pools, more than lyncsim's limit of {}",
                    thousands(pools.len() as u64),
                    thousands(MAX_POOLS as u64)
                ),
            )
            .help = Some(limit_help(
                Some("split the study into several scenarios, for example one per site or per pair of pools"),
                "MAX_POOLS",
            ));
        }
        let total: u64 = pools.iter().map(|p| u64::from(p.users)).sum();
        if total > MAX_TOTAL_USERS {
            self.too_many_users = true;
            self.error(
                "pools",
                format!(
                    "the scenario has {} users in total, more than lyncsim's limit of {}: each user costs about \
                     {BYTES_PER_USER} bytes of simulation state",
                    thousands(total),
                    thousands(MAX_TOTAL_USERS)
                ),
            )
            .help = Some(limit_help(
                Some(&format!(
                    "split the study into scenarios of at most {} users each, for example one per pair of \
                     pools (a pool fails over only to its partner), and combine their results",
                    thousands(MAX_TOTAL_USERS)
                )),
                "MAX_TOTAL_USERS",
            ));
        }
        if too_many {
            // Names only, for the references of events; the pools themselves are not checked.
            self.pools.extend(pools.iter().map(|p| p.fqdn.as_str()));
            return Vec::new();
        }
        // Names first: a backup_pool may name a pool written later.
        for (i, pool) in pools.iter().enumerate() {
            let path = format!("pools[{i}].fqdn");
            if pool.fqdn.is_empty() {
                self.error(&path, "a pool fqdn cannot be empty");
            } else if let Some(first) = self.pools.iter().position(|n| *n == pool.fqdn) {
                self.error(&path, format!("duplicate pool \"{}\"", pool.fqdn)).help =
                    Some(format!("pool fqdns must be unique; pools[{first}] has it already"));
            }
            self.pools.push(&pool.fqdn);
        }
        let resolved = pools.iter().enumerate().map(|(i, p)| self.pool(i, p)).collect();
        if !pools.is_empty() && total == 0 {
            self.error("pools", "the scenario has no users: give at least one pool users > 0");
        }
        resolved
    }

    fn pool(&mut self, i: usize, p: &raw::Pool) -> PoolConfig {
        let at = |field: &str| format!("pools[{i}].{field}");
        let site = self.site_ref(&at("site"), &p.site).unwrap_or(SiteId(0));
        let users_site = match &p.users_site {
            Some(name) => self.site_ref(&at("users_site"), name).unwrap_or(site),
            None => site,
        };
        let product = self.product;
        match p.edition {
            raw::Edition::Standard => {
                if p.front_ends != 1 {
                    self.error(
                        &at("front_ends"),
                        format!("a Standard Edition pool has exactly 1 front end, not {}", p.front_ends),
                    )
                    .help = Some(format!(
                        "use edition: Enterprise for 2 to {} front ends",
                        product.max_front_ends()
                    ));
                }
                if p.back_end != raw::BackEnd::Local {
                    self.error(
                        &at("back_end"),
                        format!(
                            "a Standard Edition pool keeps its database on the server (back_end: Local), not {}",
                            back_end_name(p.back_end)
                        ),
                    )
                    .help = Some("use edition: Enterprise for a separate back end".to_string());
                }
            }
            raw::Edition::Enterprise => {
                // front_ends and back_end may be defaults: then edition is what was written.
                let max = product.max_front_ends();
                if !(2..=max).contains(&p.front_ends) {
                    let default = self.written(&at("front_ends")).is_none();
                    let d = self.error_near(
                        &at("front_ends"),
                        &[&at("edition")],
                        format!(
                            "an Enterprise pool has 2 to {max} front ends on {}, not {}",
                            product.name(),
                            p.front_ends
                        ),
                    );
                    if default {
                        d.help = Some(format!(
                            "front_ends is not written and defaults to 1: write front_ends: 2 to {max}"
                        ));
                    }
                }
                if p.back_end == raw::BackEnd::Local {
                    let default = self.written(&at("back_end")).is_none();
                    let d = self.error_near(
                        &at("back_end"),
                        &[&at("edition")],
                        "an Enterprise pool needs a separate back end: Single or Mirrored(witness: true), not Local",
                    );
                    if default {
                        d.help = Some("back_end is not written and defaults to Local".to_string());
                    }
                }
            }
        }
        self.quorum_witness(i, p);
        self.users(i, p);
        let routing_groups = match p.routing_groups {
            Some(n) if !(1..=MAX_ROUTING_GROUPS).contains(&n) => {
                self.error(
                    &at("routing_groups"),
                    format!("routing_groups must be within 1..={MAX_ROUTING_GROUPS}, not {n}"),
                );
                n
            }
            Some(n) => n,
            None => default_routing_groups(p.users, p.front_ends),
        };
        if !(p.registrations_per_sec.is_finite() && p.registrations_per_sec > 0.0) {
            self.error(
                &at("registrations_per_sec"),
                format!("registrations_per_sec must be a positive number, not {}", p.registrations_per_sec),
            );
        } else if p.registrations_per_sec > MAX_REGISTRATIONS_PER_SEC {
            self.error(
                &at("registrations_per_sec"),
                format!(
                    "registrations_per_sec {} is more than lyncsim's limit of {} per front end",
                    if p.registrations_per_sec >= 1e9 {
                        format!("{:e}", p.registrations_per_sec)
                    } else {
                        p.registrations_per_sec.to_string()
                    },
                    thousands(MAX_REGISTRATIONS_PER_SEC as u64)
                ),
            )
            .help = Some(limit_help(
                Some("real front ends sign in tens of users per second"),
                "MAX_REGISTRATIONS_PER_SEC",
            ));
        }
        let backup = match &p.backup_pool {
            None => None,
            Some(name) => {
                let id = self.pool_ref(&at("backup_pool"), name);
                if id == Some(PoolId(i as u32)) {
                    self.error(&at("backup_pool"), "a pool cannot back itself up").help =
                        Some("name the other pool of the pair, or remove backup_pool".to_string());
                }
                id
            }
        };
        let voice_failover = p.voice_failover.as_ref().map(|vf| {
            let detection = self.delay(&at("voice_failover.detection"), &vf.detection);
            if let Delay::Fixed(t) = detection {
                if t != SimTime::ZERO && t < MIN_VOICE_DETECTION {
                    self.warning(
                        &at("voice_failover.detection"),
                        format!(
                            "voice failure detection of {}s is below {}s",
                            t.as_secs_f64(),
                            MIN_VOICE_DETECTION.as_secs_f64()
                        ),
                    )
                    .help = Some(
                        "Topology Builder: intervals under 120 seconds may not work as expected".to_string(),
                    );
                }
            }
            let failback = self.delay(&at("voice_failover.failback"), &vf.failback);
            VoiceFailoverConfig { detection, failback }
        });
        let registrar = p.registrar_configuration.as_ref().map(|rc| {
            let path = at("registrar_configuration.default_endpoint_expiration");
            self.delay_within(
                &path,
                &rc.default_endpoint_expiration,
                ENDPOINT_EXPIRATION,
                false,
                Some(ENDPOINT_WHY),
            );
            let threshold = at("registrar_configuration.backup_store_unavailable_threshold");
            RegistrarSettings {
                default_endpoint_expiration: time_value(&rc.default_endpoint_expiration),
                backup_store_unavailable_threshold: self
                    .delay(&threshold, &rc.backup_store_unavailable_threshold),
            }
        });
        PoolConfig {
            fqdn: p.fqdn.clone(),
            site,
            edition: p.edition,
            front_ends: p.front_ends,
            back_end: p.back_end,
            users: p.users,
            routing_groups,
            backup,
            voice_failover,
            registrations_per_sec: p.registrations_per_sec,
            registrar,
            users_site,
        }
    }

    /// SfB-FEHA: a pool with an even number of front ends uses its back end as quorum
    /// witness. Warned when the scenario strikes such a pool with a single back end.
    fn quorum_witness(&mut self, i: usize, p: &raw::Pool) {
        let even = p.front_ends > 0 && p.front_ends.is_multiple_of(2);
        if !(even && p.back_end == raw::BackEnd::Single && self.struck.contains(&p.fqdn.as_str())) {
            return;
        }
        self.warning(
            &format!("pools[{i}].front_ends"),
            format!(
                "pool \"{}\" has an even number of front ends ({}) and a single back end: an even-sized \
                 pool uses its back end as quorum witness, so losing the back end while half the front ends \
                 are down stops the whole pool",
                p.fqdn, p.front_ends
            ),
        )
        .help = Some(
            "this scenario fails servers or the back end of this pool; an odd number of front ends keeps \
             quorum without the back end (SfB-FEHA)"
                .to_string(),
        );
    }

    /// Users of one pool against lyncsim's limit (error) and the published capacity (warnings).
    fn users(&mut self, i: usize, p: &raw::Pool) {
        let path = format!("pools[{i}].users");
        let users = p.users;
        let product = self.product;
        if users > MAX_USERS_PER_POOL {
            self.error(
                &path,
                format!(
                    "pool \"{}\" has {} users, more than lyncsim's limit of {} per pool",
                    p.fqdn,
                    thousands(users.into()),
                    thousands(MAX_USERS_PER_POOL.into())
                ),
            )
            .help = Some(limit_help(None, "MAX_USERS_PER_POOL"));
            return;
        }
        if self.too_many_users {
            return;
        }
        match p.edition {
            raw::Edition::Standard if users > USERS_PER_STANDARD_SERVER => {
                self.warning(
                    &path,
                    format!(
                        "Standard Edition pool \"{}\" has {} users, above the supported {}",
                        p.fqdn,
                        thousands(users.into()),
                        thousands(USERS_PER_STANDARD_SERVER.into())
                    ),
                )
                .help = Some("use an Enterprise pool for more users".to_string());
            }
            raw::Edition::Enterprise => {
                let (capacity, why) = survivor_capacity(p, product);
                if users > capacity {
                    self.warning(
                        &path,
                        format!(
                            "pool \"{}\" has {} users, above its capacity of {} ({why})",
                            p.fqdn,
                            thousands(users.into()),
                            thousands(capacity.into())
                        ),
                    );
                }
            }
            raw::Edition::Standard => {}
        }
    }

    /// Pairing (one-to-one and reciprocal) and whether each backup can carry its partner.
    fn pairs(&mut self, raw_pools: &[raw::Pool], pools: &[PoolConfig]) {
        let product = self.product;
        for (i, pool) in pools.iter().enumerate() {
            let Some(backup) = pool.backup.filter(|b| b.0 as usize != i) else { continue };
            let partner = &pools[backup.0 as usize];
            let path = format!("pools[{i}].backup_pool");
            let reciprocal = partner.backup == Some(PoolId(i as u32));
            // A partner backing itself up, or naming an unknown pool, is an error of its own.
            let partner_reported = partner.backup == Some(backup)
                || (partner.backup.is_none() && raw_pools[backup.0 as usize].backup_pool.is_some());
            if !reciprocal && !partner_reported {
                let theirs = match partner.backup {
                    Some(b) => format!("{}'s backup_pool is {}", partner.fqdn, pools[b.0 as usize].fqdn),
                    None => format!("{} has no backup_pool", partner.fqdn),
                };
                let message = format!("{path} is {} but {theirs}", partner.fqdn);
                let fix = format!("backup_pool: Some(\"{}\") on {}", pool.fqdn, partner.fqdn);
                if product.has_pool_pairing() {
                    self.error(&path, message).help = Some(format!(
                        "on {} pools are paired one-to-one and both ways: set {fix}",
                        product.name()
                    ));
                } else {
                    self.warning(&path, message).help = Some(format!(
                        "Lync Server 2010 allows a one-way backup registrar; {} will not take over for {}",
                        pool.fqdn, partner.fqdn
                    ));
                }
            } else if !self.too_many_users
                && product.has_pool_pairing()
                && raw_pools[i].edition == raw::Edition::Enterprise
                && pool.users > product.max_paired_pool_users()
                && pool.users <= product.max_pool_users()
            {
                self.warning(
                    &format!("pools[{i}].users"),
                    format!(
                        "pool \"{}\" has {} users, above the {} per pool of a disaster-recovery pair on {}",
                        pool.fqdn,
                        thousands(pool.users.into()),
                        thousands(product.max_paired_pool_users().into()),
                        product.name()
                    ),
                )
                .help = Some("each pool of a pair must be able to carry both pools' users".to_string());
            }
            let (capacity, why) = survivor_capacity(&raw_pools[backup.0 as usize], product);
            let both = u64::from(partner.users) + u64::from(pool.users);
            if both > u64::from(capacity) && !self.too_many_users {
                self.warning(
                    &format!("pools[{}].users", backup.0),
                    format!(
                        "pool \"{}\" could not carry its partner's users after failover: {} + {} users from \"{}\" \
                         is more than its capacity of {}",
                        partner.fqdn,
                        thousands(partner.users.into()),
                        thousands(pool.users.into()),
                        pool.fqdn,
                        thousands(capacity.into())
                    ),
                )
                .help = Some(format!("capacity: {why}"));
            }
        }
    }

    fn backup_service(&mut self, b: &raw::BackupService) -> BackupServiceConfig {
        self.delay_within(
            "backup_service.sync_interval",
            &b.sync_interval,
            (SimTime::from_secs(5), SimTime::from_secs(3 * 3600)),
            false,
            Some("Set-CsBackupServiceConfiguration -SyncInterval accepts 5 seconds to 3 hours"),
        );
        let sync_interval = time_value(&b.sync_interval);
        if b.replicate_response_groups && self.product != Product::SfB2019 {
            self.error(
                "backup_service.replicate_response_groups",
                format!(
                    "replicate_response_groups needs SfB2019; the Backup Service of {} does not replicate Response Group data",
                    self.product.name()
                ),
            )
            .help = Some(
                "only Skype for Business Server 2019 with the July 2019 cumulative update replicates it; \
                 use ImportCsRgsConfiguration on older products"
                    .to_string(),
            );
        }
        if !(b.changes_per_user_per_hour.is_finite() && b.changes_per_user_per_hour >= 0.0) {
            self.error(
                "backup_service.changes_per_user_per_hour",
                format!(
                    "backup_service.changes_per_user_per_hour must be a number of at least 0, not {}",
                    b.changes_per_user_per_hour
                ),
            );
        }
        for (field, n) in
            [("max_batches_per_sync", b.max_batches_per_sync), ("changes_per_batch", b.changes_per_batch)]
        {
            if n == 0 {
                self.error(
                    &format!("backup_service.{field}"),
                    format!("backup_service.{field} must be at least 1, not 0"),
                );
            }
        }
        BackupServiceConfig {
            sync_interval,
            replicate_response_groups: b.replicate_response_groups,
            changes_per_user_per_hour: b.changes_per_user_per_hour,
            changes_per_sync: f64::from(b.max_batches_per_sync) * f64::from(b.changes_per_batch),
        }
    }

    fn timing(&mut self, t: &raw::Timing) -> TimingConfig {
        let p = |field: &str| format!("timing.{field}");
        TimingConfig {
            registrar_poll_failed_pool: self
                .delay(&p("registrar_poll_failed_pool"), &t.registrar_poll_failed_pool),
            registrar_poll_backup_pool: self
                .delay(&p("registrar_poll_backup_pool"), &t.registrar_poll_backup_pool),
            backup_store_unavailable_threshold: self
                .delay(&p("backup_store_unavailable_threshold"), &t.backup_store_unavailable_threshold),
            cms_replication: self.delay(&p("cms_replication"), &t.cms_replication),
            steady_state_backup: t
                .steady_state_backup
                .as_ref()
                .map(|v| self.delay(&p("steady_state_backup"), v)),
            full_backup: t.full_backup.as_ref().map(|v| self.delay(&p("full_backup"), v)),
            hydrate_per_routing_group: self
                .delay(&p("hydrate_per_routing_group"), &t.hydrate_per_routing_group),
            hydrate_per_user: self.delay(&p("hydrate_per_user"), &t.hydrate_per_user),
            quorum_loss_recovery: self.delay(&p("quorum_loss_recovery"), &t.quorum_loss_recovery),
            sql_mirror_failover: self.delay(&p("sql_mirror_failover"), &t.sql_mirror_failover),
            cms_failover: self.delay(&p("cms_failover"), &t.cms_failover),
            cmdlet_step: self.delay(&p("cmdlet_step"), &t.cmdlet_step),
        }
    }

    fn clients(&mut self, c: &raw::Clients) -> ClientsConfig {
        // keepalive and the retry delays have lyncsim's sanity bounds, not a product range:
        // an unbounded distribution is allowed there.
        let sane = (SimTime::from_millis(1), SimTime::from_secs(3600));
        self.delay_within("clients.refresh", &c.refresh, ENDPOINT_EXPIRATION, false, Some(ENDPOINT_WHY));
        self.delay_within("clients.keepalive", &c.keepalive, sane, true, None);
        let errors_before = self.error_count();
        self.delay_within("clients.retry", &c.retry, sane, true, None);
        self.delay_within("clients.retry_max", &c.retry_max, sane, true, None);
        // The shortest possible retry_max against the longest possible retry.
        if let (Some((_, retry)), Some((max, _)), true) =
            (bounds(&c.retry), bounds(&c.retry_max), self.error_count() == errors_before)
        {
            if max < retry {
                let fixed = |v: &TimeValue| bounds(v).is_some_and(|(low, high)| low == high);
                let message = if fixed(&c.retry) && fixed(&c.retry_max) {
                    format!(
                        "clients.retry_max {} is shorter than clients.retry {}",
                        format_duration(max),
                        format_duration(retry)
                    )
                } else {
                    format!(
                        "clients.retry_max can be {}, shorter than clients.retry, which can be {}",
                        format_duration(max),
                        format_duration(retry)
                    )
                };
                let mut help = "the retry delay doubles from retry up to retry_max".to_string();
                if self.written("clients.retry_max").is_none() {
                    help += &format!("; retry_max is not written and defaults to {}", format_duration(max));
                }
                self.error_near("clients.retry_max", &["clients.retry"], message).help = Some(help);
            }
        }
        if c.batch.0 > MAX_CLIENT_BATCH {
            self.error(
                "clients.batch",
                format!(
                    "clients.batch {} is longer than {}: client timings would lose their meaning",
                    format_duration(c.batch.0),
                    format_duration(MAX_CLIENT_BATCH)
                ),
            )
            .help = Some("use a window of a few seconds at most, or 0 for exact timing".into());
        }
        if !(0.0..=1.0).contains(&c.retry_jitter) {
            self.error(
                "clients.retry_jitter",
                format!("clients.retry_jitter must be within 0..=1, not {}", c.retry_jitter),
            );
        }
        ClientsConfig {
            refresh: time_value(&c.refresh),
            keepalive: time_value(&c.keepalive),
            retry: time_value(&c.retry),
            retry_max: time_value(&c.retry_max),
            retry_jitter: c.retry_jitter,
            batch: c.batch.0,
        }
    }

    fn features(&mut self, f: &raw::Features) -> FeatureMatrix {
        let mut matrix = FeatureMatrix::default();
        let lists = [
            (ClientState::Full, &f.full, "full"),
            (ClientState::Resiliency, &f.resiliency, "resiliency"),
            (ClientState::FailedOver, &f.failed_over, "failed_over"),
        ];
        for (state, list, field) in lists {
            let Some(list) = list else { continue };
            let features: Vec<Feature> = list.to_vec();
            for (k, f) in features.iter().enumerate() {
                if features[..k].contains(f) {
                    self.warning(
                        &format!("features.{field}[{k}]"),
                        format!("features.{field} lists {} twice", f.column()),
                    );
                }
            }
            matrix.set(state, &features);
        }
        matrix
    }

    fn events(&mut self, s: &raw::Scenario, horizon: SimTime) -> Vec<ScheduledAction> {
        let pools = &s.pools;
        let mut scheduled = Vec::new();
        let mut warned_registrar: Vec<PoolId> = Vec::new();
        if s.events.len() > MAX_EVENTS {
            self.error(
                "events",
                format!(
                    "the scenario has {} events, more than lyncsim's limit of {}",
                    thousands(s.events.len() as u64),
                    thousands(MAX_EVENTS as u64)
                ),
            )
            .help = Some(limit_help(
                Some("split the study into several scenarios, each over a part of the horizon"),
                "MAX_EVENTS",
            ));
            return scheduled;
        }
        let mut latest = SimTime::ZERO;
        for (i, raw::Event::At(at, action)) in s.events.iter().enumerate() {
            let path = format!("events[{i}]");
            let field = |f: &str| format!("{path}.{f}");
            let errors_before = self.error_count();
            if at.time() < latest {
                self.push(
                    Diagnostic::warning(format!(
                        "event at {} is listed after an event at {}: events run in time order, not in \
                         file order",
                        format_duration(at.time()),
                        format_duration(latest)
                    )),
                    &path,
                    &field("time"),
                )
                .help = Some("check the time for a typo, or list the events in time order".to_string());
            }
            if at.time() <= horizon {
                // An event after the horizon has its own warning.
                latest = latest.max(at.time());
            }
            let resolved = match action {
                raw::Action::PoolDown { pool } => self.pool_ref(&field("pool"), pool).map(Action::PoolDown),
                raw::Action::PoolUp { pool } => self.pool_ref(&field("pool"), pool).map(Action::PoolUp),
                raw::Action::SiteDown { site } => self.site_ref(&field("site"), site).map(Action::SiteDown),
                raw::Action::SiteUp { site } => self.site_ref(&field("site"), site).map(Action::SiteUp),
                raw::Action::InvokeCsPoolFailover { pool, disaster_mode } => self
                    .paired_pool(&field("pool"), action, pool, pools)
                    .map(|pool| Action::InvokeCsPoolFailover { pool, disaster_mode: *disaster_mode }),
                raw::Action::InvokeCsPoolFailback { pool, disaster_mode } => self
                    .paired_pool(&field("pool"), action, pool, pools)
                    .map(|pool| Action::InvokeCsPoolFailback { pool, disaster_mode: *disaster_mode }),
                raw::Action::SetCsRegistrarConfiguration { pool, pool_state: state } => self
                    .paired_pool(&field("pool"), action, pool, pools)
                    .map(|pool| Action::SetCsRegistrarConfiguration { pool, pool_state: *state }),
                raw::Action::ImportCsRgsConfiguration { pool } => self
                    .paired_pool(&field("pool"), action, pool, pools)
                    .map(Action::ImportCsRgsConfiguration),
                raw::Action::ServerDown { pool, server }
                | raw::Action::ServerUp { pool, server }
                | raw::Action::ServiceStop { pool, server, .. }
                | raw::Action::ServiceStart { pool, server, .. } => {
                    let id = self.pool_ref(&field("pool"), pool);
                    self.server_ref(&field("server"), id, *server, pools);
                    id.map(|pool| match *action {
                        raw::Action::ServerDown { .. } => Action::ServerDown { pool, server: *server },
                        raw::Action::ServerUp { .. } => Action::ServerUp { pool, server: *server },
                        raw::Action::ServiceStop { service: s, .. } => {
                            Action::ServiceStop { pool, server: *server, service: s }
                        }
                        raw::Action::ServiceStart { service: s, .. } => {
                            Action::ServiceStart { pool, server: *server, service: s }
                        }
                        _ => unreachable!("matched above"),
                    })
                }
                raw::Action::BackEndDown { pool, node } | raw::Action::BackEndUp { pool, node } => {
                    let id = self.pool_ref(&field("pool"), pool);
                    if let Some(id) = id {
                        let pool = &pools[id.0 as usize];
                        self.back_end_node(&path, action.name(), "ServerDown/ServerUp", pool, *node);
                    }
                    let node = *node;
                    id.map(|pool| match action {
                        raw::Action::BackEndDown { .. } => Action::BackEndDown { pool, node },
                        _ => Action::BackEndUp { pool, node },
                    })
                }
                raw::Action::WanDown { a, b } => self.wan(&path, a, b).map(|(a, b)| Action::WanDown(a, b)),
                raw::Action::WanUp { a, b } => self.wan(&path, a, b).map(|(a, b)| Action::WanUp(a, b)),
                raw::Action::InvokeCsManagementServerFailover { to_pool } => self
                    .paired_pool(&field("to_pool"), action, to_pool, pools)
                    .map(Action::InvokeCsManagementServerFailover),
                raw::Action::ResetCsPoolRegistrarState { pool, reset_type: reset } => {
                    let id = self.pool_ref(&field("pool"), pool);
                    if let (Some(id), raw::ResetType::QuorumLossRecovery) = (id, reset) {
                        self.quorum_loss_recovery(&field("reset_type"), &pools[id.0 as usize]);
                    }
                    id.map(|pool| Action::ResetCsPoolRegistrarState { pool, reset_type: *reset })
                }
                raw::Action::InvokeCsDatabaseFailover { pool, new_principal: principal } => {
                    let id = self.pool_ref(&field("pool"), pool);
                    if let Some(id) = id {
                        self.mirrored(&field("pool"), &pools[id.0 as usize]);
                    }
                    let new_principal = *principal;
                    id.map(|pool| Action::InvokeCsDatabaseFailover { pool, new_principal })
                }
            };
            let needs_pairing = matches!(
                action,
                raw::Action::InvokeCsPoolFailover { .. }
                    | raw::Action::InvokeCsPoolFailback { .. }
                    | raw::Action::SetCsRegistrarConfiguration { .. }
                    | raw::Action::InvokeCsManagementServerFailover { .. }
                    | raw::Action::ImportCsRgsConfiguration { .. }
            );
            if needs_pairing && !self.product.has_pool_pairing() {
                self.push(
                    Diagnostic::error(format!(
                        "Lync Server 2010 has no pool failover: {} needs Lync2013 or later",
                        action.name()
                    )),
                    &path,
                    &field("action"),
                )
                .help = Some(
                    "on Lync2010 backup_pool is only a backup registrar, not a paired pool: users stay in \
                     resiliency mode until their pool returns"
                        .to_string(),
                );
            }
            if at.time() > horizon {
                self.push(
                    Diagnostic::warning(format!(
                        "event at {} is after the horizon {} and will not run",
                        format_duration(at.time()),
                        format_duration(horizon)
                    )),
                    &path,
                    &field("time"),
                );
            } else if let (Some(action), true) = (resolved, self.error_count() == errors_before) {
                if let Action::InvokeCsPoolFailover { pool, .. } = action {
                    if !warned_registrar.contains(&pool) {
                        warned_registrar.push(pool);
                        self.registrar_defaults(&path, &pools[pool.0 as usize], s);
                    }
                }
                scheduled.push(ScheduledAction { at: at.time(), action });
            }
        }
        scheduled
    }

    /// The pool of a cmdlet that needs a paired pool: known, and with a backup_pool (on
    /// Lync2010 the caller reports that the product has no pool pairing).
    fn paired_pool(
        &mut self,
        path: &str,
        action: &raw::Action,
        name: &str,
        pools: &[raw::Pool],
    ) -> Option<PoolId> {
        let id = self.pool_ref(path, name)?;
        if !self.product.has_pool_pairing() || pools[id.0 as usize].backup_pool.is_some() {
            return Some(id);
        }
        let help = match action {
            raw::Action::ImportCsRgsConfiguration { .. } => format!(
                "ImportCsRgsConfiguration(pool) puts the Response Group configuration of the pool's partner \
                 on it: pair \"{name}\" with another pool (backup_pool on both), or name a paired pool"
            ),
            raw::Action::InvokeCsManagementServerFailover { .. } => format!(
                "the Central Management Store moves between the two pools of a pair: pair \"{name}\" \
                 with the pool that hosts it (backup_pool on both)"
            ),
            _ => format!(
                "{} acts on a pool and its paired pool: set backup_pool on \"{name}\" and on its partner",
                action.name()
            ),
        };
        self.error(
            path,
            format!("pool \"{name}\" has no backup_pool: {} needs a paired pool", action.name()),
        )
        .help = Some(help);
        Some(id)
    }

    /// SPEC 4.4 step 2: a failover creates a pool-scope registrar configuration with the
    /// product defaults for a pool that has none, so its users lose global settings that
    /// differ from those defaults. Warned at the pool's first failover.
    fn registrar_defaults(&mut self, path: &str, pool: &raw::Pool, s: &raw::Scenario) {
        if pool.registrar_configuration.is_some() {
            return;
        }
        let defaults = RegistrarSettings::default();
        let settings = [
            (
                "clients.refresh",
                "default_endpoint_expiration",
                &s.clients.refresh,
                defaults.default_endpoint_expiration,
            ),
            (
                "timing.backup_store_unavailable_threshold",
                "backup_store_unavailable_threshold",
                &s.timing.backup_store_unavailable_threshold,
                defaults.backup_store_unavailable_threshold,
            ),
        ];
        let mut lost = Vec::new();
        let mut keep = Vec::new();
        for (global, field, value, default) in settings {
            if time_value(value) != default {
                let Delay::Fixed(default) = default else { continue };
                lost.push(format!(
                    "{global} {} (default {})",
                    format_time_value(value),
                    quoted_duration(Duration(default))
                ));
                keep.push(format!("{field}: {}", format_time_value(value)));
            }
        }
        if lost.is_empty() {
            return;
        }
        self.push(
            Diagnostic::warning(format!(
                "InvokeCsPoolFailover creates a pool-scope registrar configuration for \"{}\" with the default \
                 settings: from then on its users lose the global {}",
                pool.fqdn,
                lost.join(" and ")
            )),
            path,
            &format!("{path}.action"),
        )
        .help = Some(format!(
            "give the pool a registrar_configuration to keep them: registrar_configuration: \
             Some(RegistrarConfiguration({}))",
            keep.join(", ")
        ));
    }

    /// The two ends of a WAN link: known and different sites.
    fn wan(&mut self, path: &str, a: &str, b: &str) -> Option<(SiteId, SiteId)> {
        let ids = (self.site_ref(&format!("{path}.a"), a), self.site_ref(&format!("{path}.b"), b));
        let (Some(x), Some(y)) = ids else { return None };
        if x == y {
            self.error(
                &format!("{path}.b"),
                format!("a WAN link joins two different sites, not \"{a}\" to itself"),
            );
        }
        Some((x, y))
    }

    /// `ResetCsPoolRegistrarState(reset_type: QuorumLossRecovery)` needs routing-group
    /// replicas: an Enterprise pool.
    fn quorum_loss_recovery(&mut self, path: &str, p: &raw::Pool) {
        if p.edition != raw::Edition::Standard {
            return;
        }
        let message = format!(
            "pool \"{}\" is a Standard Edition pool: it has no routing-group replicas, so there is no quorum \
             loss to recover",
            p.fqdn
        );
        self.error(path, message).help = Some(
            "QuorumLossRecovery acts on an Enterprise pool's front ends; use reset_type: ServiceReset to \
             restart the server's services"
                .to_string(),
        );
    }

    /// `InvokeCsDatabaseFailover` needs SQL mirroring, with or without a witness.
    fn mirrored(&mut self, path: &str, p: &raw::Pool) {
        let has = match (p.edition, p.back_end) {
            (_, raw::BackEnd::Mirrored { .. }) => return,
            (raw::Edition::Standard, _) => {
                "is a Standard Edition pool (SQL Express on the server)".to_string()
            }
            (_, b) => format!("has back_end: {}", back_end_written(b)),
        };
        let message =
            format!("InvokeCsDatabaseFailover needs a mirrored back end, but pool \"{}\" {has}", p.fqdn);
        self.error(path, message).help = Some(
            "Invoke-CsDatabaseFailover swaps the principal and the mirror of SQL mirroring: give the pool \
             back_end: Mirrored(witness: false) or Mirrored(witness: true)"
                .to_string(),
        );
    }

    /// The node of a `BackEndDown`/`BackEndUp` or of a `BackEnd` failure target (`what`) must
    /// exist in the pool's back end: a Standard Edition pool has none apart from its server
    /// (`instead` says what to use), `Single` only a principal, and only
    /// `Mirrored(witness: true)` a witness.
    fn back_end_node(
        &mut self,
        path: &str,
        what: &str,
        instead: &str,
        p: &raw::Pool,
        node: raw::BackEndNode,
    ) {
        if p.edition == raw::Edition::Standard {
            self.error(
                &format!("{path}.pool"),
                format!("Standard Edition keeps its database on the server (SQL Express): use {instead}"),
            )
            .help = Some(format!(
                "pool \"{}\" is a Standard Edition pool; {what} acts on an Enterprise pool's separate back end",
                p.fqdn
            ));
            return;
        }
        let written = back_end_written(p.back_end);
        let (message, help) = match (p.back_end, node) {
            (raw::BackEnd::Single, raw::BackEndNode::Mirror) => (
                format!("pool \"{}\" has no mirror: its back_end is Single", p.fqdn),
                "a Single back end has only node: Principal; a mirror needs back_end: \
                 Mirrored(witness: true) or Mirrored(witness: false)",
            ),
            (raw::BackEnd::Single | raw::BackEnd::Mirrored { witness: false }, raw::BackEndNode::Witness) => {
                (
                    format!("pool \"{}\" has no witness: its back_end is {written}", p.fqdn),
                    "a witness needs back_end: Mirrored(witness: true)",
                )
            }
            _ => return,
        };
        self.error(&format!("{path}.node"), message).help = Some(help.to_string());
    }

    /// Stochastic failures: the target resolved as the corresponding events are, the
    /// distributions checked, and their means within lyncsim's sanity bounds.
    fn failures(&mut self, failures: &[raw::Failure], pools: &[raw::Pool]) -> Vec<FailureConfig> {
        let mut resolved = Vec::new();
        if failures.len() > MAX_FAILURES {
            self.error(
                "failures",
                format!(
                    "the scenario has {} failure processes, more than lyncsim's limit of {}",
                    thousands(failures.len() as u64),
                    thousands(MAX_FAILURES as u64)
                ),
            )
            .help = Some(limit_help(
                Some("give each target one process; split large studies into several scenarios"),
                "MAX_FAILURES",
            ));
            return resolved;
        }
        for (i, raw::Failure::Random { target, mtbf, mttr }) in failures.iter().enumerate() {
            let path = format!("failures[{i}]");
            let t = format!("{path}.target");
            let target = match target {
                raw::Target::Pool { pool } => {
                    self.pool_ref(&format!("{t}.pool"), pool).map(FailureTarget::Pool)
                }
                raw::Target::FrontEnd { pool, server } => {
                    let id = self.pool_ref(&format!("{t}.pool"), pool);
                    let errors_before = self.error_count();
                    self.server_ref(&format!("{t}.server"), id, *server, pools);
                    id.filter(|_| self.error_count() == errors_before)
                        .map(|id| FailureTarget::FrontEnd(id, *server))
                }
                raw::Target::BackEnd { pool, node } => {
                    let id = self.pool_ref(&format!("{t}.pool"), pool);
                    let errors_before = self.error_count();
                    if let Some(id) = id {
                        let instead = "a FrontEnd(pool, server) target";
                        self.back_end_node(&t, "a BackEnd target", instead, &pools[id.0 as usize], *node);
                    }
                    id.filter(|_| self.error_count() == errors_before)
                        .map(|id| FailureTarget::BackEnd(id, *node))
                }
                raw::Target::Site { site } => {
                    self.site_ref(&format!("{t}.site"), site).map(FailureTarget::Site)
                }
                raw::Target::Wan { a, b } => {
                    let errors_before = self.error_count();
                    self.wan(&t, a, b)
                        .filter(|_| self.error_count() == errors_before)
                        .map(|(a, b)| FailureTarget::Wan(a, b))
                }
            };
            let mtbf = self.failure_delay(&format!("{path}.mtbf"), mtbf, MIN_MTBF);
            let mttr = self.failure_delay(&format!("{path}.mttr"), mttr, MIN_MTTR);
            if let Some(target) = target {
                resolved.push(FailureConfig { target, mtbf, mttr });
            }
        }
        resolved
    }

    /// The `mtbf` or `mttr` of a failure: a valid distribution whose mean is at least `least`.
    fn failure_delay(&mut self, path: &str, dist: &Distribution, least: SimTime) -> Delay {
        let errors_before = self.error_count();
        let delay = self.distribution(path, dist);
        if self.error_count() > errors_before {
            return delay;
        }
        let secs = |d: Duration| d.time().as_secs_f64();
        let (what, mean_s) = match *dist {
            Distribution::Fixed(d) => ("mean", secs(d)),
            Distribution::Exponential { mean } => ("mean", secs(mean)),
            Distribution::Uniform { min, max } => ("mean", (secs(min) + secs(max)) / 2.0),
            Distribution::LogNormal { median, sigma } => ("mean", secs(median) * (sigma * sigma / 2.0).exp()),
            // The mean is scale * Gamma(1 + 1/shape): at least 0.886 * scale, and above the
            // scale for shape < 1. The scale stands for it: a lower-bound-ish check, close
            // enough for a sanity bound (and no Gamma function is needed).
            Distribution::Weibull { scale, .. } => ("scale", secs(scale)),
        };
        if mean_s >= least.as_secs_f64() {
            return delay;
        }
        let value = format_duration(SimTime::from_secs_f64(mean_s));
        let least = format_duration(least);
        let (message, help) = if path.ends_with("mtbf") {
            (
                format!(
                    "{path} has a {what} of {value}, shorter than {least}: failures that frequent would make \
                     the run unbounded"
                ),
                limit_help(
                    Some(&format!(
                        "lyncsim needs a mean time between failures of at least {least}; real ones are hours \
                         to years, such as Exponential(mean: \"4000h\")"
                    )),
                    "MIN_MTBF",
                ),
            )
        } else {
            (
                format!(
                    "{path} has a {what} of {value}, shorter than lyncsim's lower bound of {least} for a \
                     repair"
                ),
                limit_help(
                    Some(&format!(
                        "lyncsim needs a mean time to repair of at least {least}; real ones are minutes to \
                         hours, such as LogNormal(median: \"4h\", sigma: 0.6)"
                    )),
                    "MIN_MTTR",
                ),
            )
        };
        self.error(path, message).help = Some(help);
        delay
    }

    /// The administrator's policy: its delays, and whether there is anything for it to do.
    fn administrator(&mut self, a: &raw::Administrator, pools: &[raw::Pool]) -> AdministratorConfig {
        let failover_after = a.failover_after.as_ref().map(|v| self.delay("administrator.failover_after", v));
        let failback_after = a.failback_after.as_ref().map(|v| self.delay("administrator.failback_after", v));
        if !self.product.has_pool_pairing() {
            for (field, cmdlet, value) in [
                ("failover_after", "InvokeCsPoolFailover", &a.failover_after),
                ("failback_after", "InvokeCsPoolFailback", &a.failback_after),
            ] {
                if value.is_some() {
                    self.error(
                        &format!("administrator.{field}"),
                        format!(
                            "Lync Server 2010 has no pool failover: administrator.{field} ({cmdlet}) needs \
                             Lync2013 or later"
                        ),
                    )
                    .help = Some(
                        "on Lync2010 backup_pool is only a backup registrar, not a paired pool: users stay in \
                         resiliency mode until their pool returns; remove the administrator section"
                            .to_string(),
                    );
                }
            }
        } else if a.failover_after.is_some() {
            if pools.iter().all(|p| p.backup_pool.is_none()) {
                self.warning(
                    "administrator.failover_after",
                    "administrator.failover_after is set but no pool has a backup_pool: there is nothing to \
                     fail over",
                )
                .help = Some(
                    "the administrator fails a pool over to its paired pool: set backup_pool on both pools of \
                     a pair"
                        .to_string(),
                );
            }
            if !a.disaster_mode {
                self.warning(
                    "administrator.disaster_mode",
                    "the administrator fails over with disaster_mode: false, but a dead pool cannot be failed \
                     over without -DisasterMode: the cmdlet will fail",
                )
                .help = Some(
                    "the administrator fails over pools that stopped serving their users: set disaster_mode: \
                     true (the default)"
                        .to_string(),
                );
            }
        }
        AdministratorConfig { failover_after, disaster_mode: a.disaster_mode, failback_after }
    }
}

/// The shortest and longest values a timing can take, when it is bounded (fixed or Uniform).
fn bounds(v: &TimeValue) -> Option<(SimTime, SimTime)> {
    match v {
        TimeValue::Fixed(d) | TimeValue::Random(Distribution::Fixed(d)) => Some((d.time(), d.time())),
        TimeValue::Random(Distribution::Uniform { min, max }) => Some((min.time(), max.time())),
        TimeValue::Random(_) => None,
    }
}

/// A distribution as the model's delay (parameters already checked).
fn to_delay(dist: &Distribution) -> Delay {
    let secs = |d: Duration| d.time().as_secs_f64();
    match *dist {
        Distribution::Fixed(d) => Delay::Fixed(d.time()),
        Distribution::Exponential { mean } => Delay::Exponential { mean_s: secs(mean) },
        Distribution::Weibull { shape, scale } => Delay::Weibull { shape, scale_s: secs(scale) },
        Distribution::LogNormal { median, sigma } => Delay::LogNormal { median_s: secs(median), sigma },
        Distribution::Uniform { min, max } => Delay::Uniform { min_s: secs(min), max_s: secs(max) },
    }
}

fn time_value(v: &TimeValue) -> Delay {
    match v {
        TimeValue::Fixed(d) => Delay::Fixed(d.time()),
        TimeValue::Random(dist) => to_delay(dist),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::config::{BackEnd, BackEndNode, Edition, NewPrincipal, PoolState, ResetType, Service};
    use crate::scenario::{load, load_str, Failed, Loaded, Severity};

    /// The example of SPEC section 3.
    const SPEC_EXAMPLE: &str = r#"Scenario(
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
            front_ends: 1,                    // Standard: 1; Enterprise: 2..=16 (12 before SfB2019)
            back_end: Local,                  // Local (SE, SQL Express) | Single | Mirrored(witness: true)
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

    fn ok(source: &str) -> Loaded {
        match load_str("t.ron", source) {
            Ok(loaded) => loaded,
            Err(failed) => panic!("should load:\n{}", failed.render()),
        }
    }

    fn failed(source: &str) -> Failed {
        match load_str("scenarios/x.ron", source) {
            Ok(_) => panic!("should fail:\n{source}"),
            Err(failed) => failed,
        }
    }

    /// Two paired Standard pools and a fault, with `pools` and `events` replaced.
    fn two_pools(pools: &str, events: &str) -> String {
        format!(
            "Scenario(\n    name: \"t\",\n    horizon: \"12h\",\n    sites: [Site(name: \"dc1\"), Site(name: \"dc2\")],\n    \
             pools: [\n{pools}\n    ],\n    events: [\n{events}\n    ],\n)\n"
        )
    }

    const PAIR: &str =
        "        Pool(fqdn: \"fe03\", site: \"dc1\", users: 2500, backup_pool: Some(\"fe04\")),\n        \
                        Pool(fqdn: \"fe04\", site: \"dc2\", users: 2500, backup_pool: Some(\"fe03\")),";
    const FAULT: &str = "        At(\"1h\", PoolDown(pool: \"fe04\")),";

    #[test]
    fn the_spec_example_loads() {
        let loaded = ok(SPEC_EXAMPLE);
        assert!(loaded.warnings.is_empty(), "{}", loaded.render_warnings());
        assert_eq!(loaded.render_warnings(), "");
        let c = &loaded.config;
        assert_eq!(c.name, "se-pair-disaster");
        assert_eq!((c.product, c.seed, c.replications), (Product::Lync2013, 42, 1));
        assert_eq!((c.horizon, c.sample_every), (SimTime::from_secs(12 * 3600), SimTime::from_secs(10)));
        assert_eq!(c.sites.len(), 2);
        let (fe03, fe04) = (&c.pools[0], &c.pools[1]);
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
        assert_eq!(c.scenario_sha256, format!("{:x}", Sha256::digest(SPEC_EXAMPLE.as_bytes())));
        assert_eq!(c.scenario_sha256.len(), 64);
        assert_eq!(c.total_users(), 5000);
    }

    #[test]
    fn syntax_error() {
        let source = "Scenario(\n    name: \"t\"\n    horizon: \"12h\",\n)\n";
        assert_eq!(
            failed(source).render(),
            r#"error: expected comma
 --> scenarios/x.ron:3:5
  |
3 |     horizon: "12h",
  |     ^
"#
        );
    }

    #[test]
    fn unknown_field_with_a_suggestion() {
        let source = two_pools(PAIR, FAULT).replace("Pool(fqdn: \"fe04\"", "Pool(fqdnn: \"fe04\"");
        assert_eq!(
            failed(&source).render(),
            r#"error: unknown field "fqdnn" in Pool
 --> scenarios/x.ron:7:14
  |
7 |         Pool(fqdnn: "fe04", site: "dc2", users: 2500, backup_pool: Some("fe03")),
  |              ^
  = help: did you mean "fqdn"? expected one of: fqdn, site, users_site, edition, front_ends, back_end, users, routing_groups, backup_pool, voice_failover, registrations_per_sec, registrar_configuration
"#
        );
    }

    #[test]
    fn unknown_pool_with_did_you_mean() {
        let source = two_pools(PAIR, "        At(\"1h\", PoolDown(pool: \"fe4\")),");
        assert_eq!(
            failed(&source).render(),
            r#"error: unknown pool "fe4"
  --> scenarios/x.ron:10:33
   |
10 |         At("1h", PoolDown(pool: "fe4")),
   |                                 ^
   = at events[0].pool
   = help: did you mean "fe04"?
"#
        );
    }

    #[test]
    fn bad_duration_string() {
        let source = two_pools(PAIR, FAULT).replace("\"12h\"", "\"12 hours\"");
        assert_eq!(
            failed(&source).render(),
            r#"error: invalid duration "12 hours": expected a whole number of seconds or a string like "90s", "2m", "1h15m" (units ms, s, m, h, d)
 --> scenarios/x.ron:3:14
  |
3 |     horizon: "12 hours",
  |              ^
"#
        );
    }

    #[test]
    fn self_backup() {
        let pools = "        Pool(fqdn: \"fe03\", site: \"dc1\", users: 2500, backup_pool: Some(\"fe03\")),\n        \
                     Pool(fqdn: \"fe04\", site: \"dc2\", users: 2500),";
        assert_eq!(
            failed(&two_pools(pools, FAULT)).render(),
            r#"error: a pool cannot back itself up
 --> scenarios/x.ron:6:72
  |
6 |         Pool(fqdn: "fe03", site: "dc1", users: 2500, backup_pool: Some("fe03")),
  |                                                                        ^
  = at pools[0].backup_pool
  = help: name the other pool of the pair, or remove backup_pool
"#
        );
    }

    #[test]
    fn non_reciprocal_pairing() {
        let pools = format!(
            "{PAIR}\n        Pool(fqdn: \"fe05\", site: \"dc2\", users: 100, backup_pool: Some(\"fe04\")),"
        );
        assert_eq!(
            failed(&two_pools(&pools, FAULT)).render(),
            r#"error: pools[2].backup_pool is fe04 but fe04's backup_pool is fe03
 --> scenarios/x.ron:8:71
  |
8 |         Pool(fqdn: "fe05", site: "dc2", users: 100, backup_pool: Some("fe04")),
  |                                                                       ^
  = at pools[2].backup_pool
  = help: on Lync2013 pools are paired one-to-one and both ways: set backup_pool: Some("fe05") on fe04
"#
        );
        // Lync Server 2010 allows a one-way backup registrar: a warning only.
        let loaded = ok(&two_pools(&pools, FAULT).replace("horizon:", "product: Lync2010, horizon:"));
        assert_eq!(loaded.warnings.len(), 1);
        assert_eq!(loaded.warnings[0].severity, Severity::Warning);
        assert_eq!(loaded.warnings[0].path.as_deref(), Some("pools[2].backup_pool"));
        assert_eq!(loaded.config.pools[2].backup, Some(PoolId(1)));
    }

    #[test]
    fn standard_with_two_front_ends() {
        let pools = PAIR.replacen("users: 2500,", "front_ends: 2, users: 2500,", 1);
        assert_eq!(
            failed(&two_pools(&pools, FAULT)).render(),
            r#"error: a Standard Edition pool has exactly 1 front end, not 2
 --> scenarios/x.ron:6:53
  |
6 |         Pool(fqdn: "fe03", site: "dc1", front_ends: 2, users: 2500, backup_pool: Some("fe04")),
  |                                                     ^
  = at pools[0].front_ends
  = help: use edition: Enterprise for 2 to 12 front ends
"#
        );
    }

    #[test]
    fn client_batch_windows_are_bounded() {
        let source = two_pools(PAIR, FAULT).replace("horizon:", "clients: Clients(batch: \"1s\"), horizon:");
        assert_eq!(ok(&source).config.clients.batch, SimTime::from_secs(1));
        let source = two_pools(PAIR, FAULT).replace("horizon:", "clients: Clients(batch: \"2m\"), horizon:");
        let text = failed(&source).render();
        assert!(
            text.starts_with(
                "error: clients.batch 2m is longer than 1m: client timings would lose their meaning"
            ),
            "{text}"
        );
        assert!(
            text.contains("= help: use a window of a few seconds at most, or 0 for exact timing"),
            "{text}"
        );
    }

    #[test]
    fn replications_are_bounded() {
        let source = two_pools(PAIR, FAULT).replace("horizon:", "replications: 10, horizon:");
        assert_eq!(ok(&source).config.replications, 10);
        let source = two_pools(PAIR, FAULT).replace("horizon:", "replications: 2000000, horizon:");
        assert_eq!(
            failed(&source).render(),
            r#"error: 2,000,000 replications is more than the limit of 1,000,000
 --> scenarios/x.ron:3:19
  |
3 |     replications: 2000000, horizon: "12h",
  |                   ^
  = at replications
  = help: the 99 % confidence interval narrows with the square root of the count; run the study in parts with different seeds if you need more; the limit is MAX_REPLICATIONS in src/scenario/validate.rs; raise it and rebuild if this machine can take more
"#
        );
    }

    #[test]
    fn all_errors_at_once_with_warnings_in_order() {
        let pools = "        Pool(fqdn: \"fe03\", site: \"dc3\", users: 3000, backup_pool: Some(\"fe03\")),\n        \
                     Pool(fqdn: \"fe04\", site: \"dc2\", edition: Enterprise, front_ends: 2, back_end: Single, users: 0),";
        let events = "        At(\"1h\", ServerUp(pool: \"fe04\", server: 2)),\n        At(\"13h\", SiteDown(site: \"dc2\")),";
        let f = failed(&two_pools(pools, events));
        let found: Vec<(Severity, &str, &str)> = f
            .diagnostics
            .iter()
            .map(|d| (d.severity, d.path.as_deref().unwrap_or(""), d.message.as_str()))
            .collect();
        use Severity::{Error as E, Warning as W};
        assert_eq!(
            found,
            vec![
                (E, "pools[0].site", "unknown site \"dc3\""),
                (
                    W,
                    "pools[0].users",
                    "Standard Edition pool \"fe03\" has 3,000 users, above the supported 2,500"
                ),
                (E, "pools[0].backup_pool", "a pool cannot back itself up"),
                (E, "events[0].server", "pool \"fe04\" has no server 2: it has 2 front ends, servers 0 to 1"),
                (W, "events[1]", "event at 13h is after the horizon 12h and will not run"),
            ]
        );
        assert_eq!(f.error_count(), 3);
    }

    #[test]
    fn late_events_are_dropped_with_a_warning() {
        let events = format!("{FAULT}\n        At(\"12h\", PoolUp(pool: \"fe04\")),\n        At(\"12h1s\", SiteUp(site: \"dc2\")),");
        let loaded = ok(&two_pools(PAIR, &events));
        assert_eq!(loaded.config.events.len(), 2);
        assert_eq!(
            loaded.render_warnings(),
            r#"warning: event at 12h1s is after the horizon 12h and will not run
  --> t.ron:12:12
   |
12 |         At("12h1s", SiteUp(site: "dc2")),
   |            ^
   = at events[2]
"#
        );
    }

    /// A fault and the four pool-pairing cmdlets.
    const PAIRING_EVENTS: &str = "        At(\"1h\", PoolDown(pool: \"fe04\")),\n        \
                                  At(\"1h15m\", InvokeCsPoolFailover(pool: \"fe04\", disaster_mode: true)),\n        \
                                  At(\"1h30m\", ImportCsRgsConfiguration(pool: \"fe03\")),\n        \
                                  At(\"5h\", SetCsRegistrarConfiguration(pool: \"fe04\", pool_state: FailingBack)),\n        \
                                  At(\"6h\", InvokeCsPoolFailback(pool: \"fe04\")),";

    #[test]
    fn lync2010_has_no_pool_failover() {
        let source = two_pools(PAIR, PAIRING_EVENTS).replace("horizon:", "product: Lync2010, horizon:");
        let f = failed(&source);
        let found: Vec<(&str, &str)> =
            f.diagnostics.iter().map(|d| (d.path.as_deref().unwrap_or(""), d.message.as_str())).collect();
        let no =
            |action: &str| format!("Lync Server 2010 has no pool failover: {action} needs Lync2013 or later");
        assert_eq!(
            found,
            vec![
                ("events[1]", no("InvokeCsPoolFailover").as_str()),
                ("events[2]", no("ImportCsRgsConfiguration").as_str()),
                ("events[3]", no("SetCsRegistrarConfiguration").as_str()),
                ("events[4]", no("InvokeCsPoolFailback").as_str()),
            ]
        );
        assert!(f.diagnostics.iter().all(|d| d.is_error()));
        assert!(f.diagnostics[0].help.as_deref().unwrap().contains("not a paired pool"));
        ok(&two_pools(PAIR, PAIRING_EVENTS));
    }

    #[test]
    fn pool_pairing_cmdlets_resolve_to_model_actions() {
        let events = format!(
            "{PAIRING_EVENTS}\n        At(\"7h\", SetCsRegistrarConfiguration(pool: \"fe03\", pool_state: FailedBack)),"
        );
        let loaded = ok(&two_pools(PAIR, &events));
        assert_eq!(loaded.render_warnings(), "");
        let actions: Vec<(u64, Action)> =
            loaded.config.events.iter().map(|e| (e.at.as_millis() / 1000, e.action)).collect();
        let (fe03, fe04) = (PoolId(0), PoolId(1));
        assert_eq!(
            actions,
            vec![
                (3600, Action::PoolDown(fe04)),
                (4500, Action::InvokeCsPoolFailover { pool: fe04, disaster_mode: true }),
                (5400, Action::ImportCsRgsConfiguration(fe03)),
                (
                    18000,
                    Action::SetCsRegistrarConfiguration { pool: fe04, pool_state: PoolState::FailingBack }
                ),
                (21600, Action::InvokeCsPoolFailback { pool: fe04, disaster_mode: false }),
                (
                    25200,
                    Action::SetCsRegistrarConfiguration { pool: fe03, pool_state: PoolState::FailedBack }
                ),
            ]
        );
        for (state, expected) in [
            ("Active", PoolState::Active),
            ("FailingOver", PoolState::FailingOver),
            ("FailedOver", PoolState::FailedOver),
        ] {
            let event = format!(
                "        At(\"2h\", SetCsRegistrarConfiguration(pool: \"fe03\", pool_state: {state})),"
            );
            let c = ok(&two_pools(PAIR, &event)).config;
            assert_eq!(
                c.events[0].action,
                Action::SetCsRegistrarConfiguration { pool: fe03, pool_state: expected }
            );
        }
    }

    #[test]
    fn pool_pairing_cmdlets_need_a_paired_pool() {
        let pools = "        Pool(fqdn: \"fe03\", site: \"dc1\", users: 2500),\n        \
                     Pool(fqdn: \"fe04\", site: \"dc2\", users: 2500),";
        let f = failed(&two_pools(pools, PAIRING_EVENTS));
        assert_eq!(f.error_count(), 4);
        assert_eq!(
            f.render(),
            r#"error: pool "fe04" has no backup_pool: InvokeCsPoolFailover needs a paired pool
  --> scenarios/x.ron:11:48
   |
11 |         At("1h15m", InvokeCsPoolFailover(pool: "fe04", disaster_mode: true)),
   |                                                ^
   = at events[1].pool
   = help: InvokeCsPoolFailover acts on a pool and its paired pool: set backup_pool on "fe04" and on its partner

error: pool "fe03" has no backup_pool: ImportCsRgsConfiguration needs a paired pool
  --> scenarios/x.ron:12:52
   |
12 |         At("1h30m", ImportCsRgsConfiguration(pool: "fe03")),
   |                                                    ^
   = at events[2].pool
   = help: ImportCsRgsConfiguration(pool) puts the Response Group configuration of the pool's partner on it: pair "fe03" with another pool (backup_pool on both), or name a paired pool

error: pool "fe04" has no backup_pool: SetCsRegistrarConfiguration needs a paired pool
  --> scenarios/x.ron:13:52
   |
13 |         At("5h", SetCsRegistrarConfiguration(pool: "fe04", pool_state: FailingBack)),
   |                                                    ^
   = at events[3].pool
   = help: SetCsRegistrarConfiguration acts on a pool and its paired pool: set backup_pool on "fe04" and on its partner

error: pool "fe04" has no backup_pool: InvokeCsPoolFailback needs a paired pool
  --> scenarios/x.ron:14:45
   |
14 |         At("6h", InvokeCsPoolFailback(pool: "fe04")),
   |                                             ^
   = at events[4].pool
   = help: InvokeCsPoolFailback acts on a pool and its paired pool: set backup_pool on "fe04" and on its partner
"#
        );
        // An unknown pool is only reported once.
        let f = failed(&two_pools(PAIR, "        At(\"1h\", InvokeCsPoolFailover(pool: \"fe05\")),"));
        assert_eq!(f.diagnostics.len(), 1);
        assert_eq!(f.diagnostics[0].message, "unknown pool \"fe05\"");
    }

    /// Two paired Enterprise pools: fe03 mirrored with a witness, fe04 mirrored without.
    const EE_PAIR: &str = "        Pool(fqdn: \"fe03\", site: \"dc1\", edition: Enterprise, front_ends: 3, \
                           back_end: Mirrored(witness: true), users: 5000, backup_pool: Some(\"fe04\")),\n        \
                           Pool(fqdn: \"fe04\", site: \"dc2\", edition: Enterprise, front_ends: 3, \
                           back_end: Mirrored(witness: false), users: 5000, backup_pool: Some(\"fe03\")),";

    /// The actions of `events` (one per line) on `pools`.
    fn actions(pools: &str, events: &[&str]) -> Vec<Action> {
        let events: Vec<String> = events.iter().map(|e| format!("        At(\"2h\", {e}),")).collect();
        let loaded = ok(&two_pools(pools, &events.join("\n")));
        assert_eq!(loaded.render_warnings(), "");
        loaded.config.events.iter().map(|e| e.action).collect()
    }

    #[test]
    fn every_action_resolves_to_a_model_action() {
        let (fe03, fe04) = (PoolId(0), PoolId(1));
        let (dc1, dc2) = (SiteId(0), SiteId(1));
        let found = actions(
            EE_PAIR,
            &[
                "ServerDown(pool: \"fe03\", server: 2)",
                "ServerUp(pool: \"fe03\", server: 2)",
                "ServiceStop(pool: \"fe04\", server: 0, service: FrontEnd)",
                "ServiceStart(pool: \"fe04\", server: 1, service: Backup)",
                "ServiceStop(pool: \"fe04\", server: 2, service: Replica)",
                "ServiceStart(pool: \"fe04\", server: 0, service: Mediation)",
                "BackEndDown(pool: \"fe03\", node: Witness)",
                "BackEndUp(pool: \"fe04\", node: Mirror)",
                "BackEndDown(pool: \"fe04\", node: Principal)",
                "WanDown(a: \"dc1\", b: \"dc2\")",
                "WanUp(a: \"dc2\", b: \"dc1\")",
                "InvokeCsManagementServerFailover(to_pool: \"fe04\")",
                "ResetCsPoolRegistrarState(pool: \"fe03\", reset_type: QuorumLossRecovery)",
                "ResetCsPoolRegistrarState(pool: \"fe04\", reset_type: ServiceReset)",
                "InvokeCsDatabaseFailover(pool: \"fe04\", new_principal: Mirror)",
                "InvokeCsDatabaseFailover(pool: \"fe03\", new_principal: Primary)",
            ],
        );
        assert_eq!(
            found,
            vec![
                Action::ServerDown { pool: fe03, server: 2 },
                Action::ServerUp { pool: fe03, server: 2 },
                Action::ServiceStop { pool: fe04, server: 0, service: Service::FrontEnd },
                Action::ServiceStart { pool: fe04, server: 1, service: Service::Backup },
                Action::ServiceStop { pool: fe04, server: 2, service: Service::Replica },
                Action::ServiceStart { pool: fe04, server: 0, service: Service::Mediation },
                Action::BackEndDown { pool: fe03, node: BackEndNode::Witness },
                Action::BackEndUp { pool: fe04, node: BackEndNode::Mirror },
                Action::BackEndDown { pool: fe04, node: BackEndNode::Principal },
                Action::WanDown(dc1, dc2),
                Action::WanUp(dc2, dc1),
                Action::InvokeCsManagementServerFailover(fe04),
                Action::ResetCsPoolRegistrarState { pool: fe03, reset_type: ResetType::QuorumLossRecovery },
                Action::ResetCsPoolRegistrarState { pool: fe04, reset_type: ResetType::ServiceReset },
                Action::InvokeCsDatabaseFailover { pool: fe04, new_principal: NewPrincipal::Mirror },
                Action::InvokeCsDatabaseFailover { pool: fe03, new_principal: NewPrincipal::Primary },
            ]
        );
        // Standard Edition: its one server, its services, a service reset.
        let found = actions(
            PAIR,
            &[
                "ServerDown(pool: \"fe04\", server: 0)",
                "ServiceStop(pool: \"fe03\", server: 0, service: Mediation)",
                "ResetCsPoolRegistrarState(pool: \"fe03\", reset_type: ServiceReset)",
            ],
        );
        assert_eq!(
            found,
            vec![
                Action::ServerDown { pool: fe04, server: 0 },
                Action::ServiceStop { pool: fe03, server: 0, service: Service::Mediation },
                Action::ResetCsPoolRegistrarState { pool: fe03, reset_type: ResetType::ServiceReset },
            ]
        );
        // A server index out of range.
        assert_eq!(
            errors(&two_pools(
                EE_PAIR,
                "        At(\"2h\", ServiceStart(pool: \"fe03\", server: 3, service: Backup)),"
            )),
            vec![(
                "events[0].server".to_string(),
                "pool \"fe03\" has no server 3: it has 3 front ends, servers 0 to 2".to_string()
            )]
        );
    }

    #[test]
    fn back_end_events_need_a_separate_back_end() {
        assert_eq!(
            failed(&two_pools(PAIR, "        At(\"2h\", BackEndDown(pool: \"fe03\", node: Principal)),"))
                .render(),
            r#"error: Standard Edition keeps its database on the server (SQL Express): use ServerDown/ServerUp
  --> scenarios/x.ron:10:36
   |
10 |         At("2h", BackEndDown(pool: "fe03", node: Principal)),
   |                                    ^
   = at events[0].pool
   = help: pool "fe03" is a Standard Edition pool; BackEndDown acts on an Enterprise pool's separate back end
"#
        );
        let single = EE_PAIR.replacen("Mirrored(witness: true)", "Single", 1);
        let events = "        At(\"2h\", BackEndDown(pool: \"fe03\", node: Mirror)),\n        \
                      At(\"3h\", BackEndUp(pool: \"fe03\", node: Witness)),\n        \
                      At(\"4h\", BackEndDown(pool: \"fe04\", node: Witness)),\n        \
                      At(\"5h\", BackEndUp(pool: \"fe03\", node: Principal)),\n        \
                      At(\"6h\", BackEndUp(pool: \"fe04\", node: Mirror)),";
        let f = failed(&two_pools(&single, events));
        let found: Vec<(&str, &str, &str)> = f
            .diagnostics
            .iter()
            .map(|d| (d.path.as_deref().unwrap(), d.message.as_str(), d.help.as_deref().unwrap()))
            .collect();
        assert_eq!(
            found,
            vec![
                (
                    "events[0].node",
                    "pool \"fe03\" has no mirror: its back_end is Single",
                    "a Single back end has only node: Principal; a mirror needs back_end: Mirrored(witness: \
                     true) or Mirrored(witness: false)"
                ),
                (
                    "events[1].node",
                    "pool \"fe03\" has no witness: its back_end is Single",
                    "a witness needs back_end: Mirrored(witness: true)"
                ),
                (
                    "events[2].node",
                    "pool \"fe04\" has no witness: its back_end is Mirrored(witness: false)",
                    "a witness needs back_end: Mirrored(witness: true)"
                ),
            ]
        );
        assert_eq!(f.diagnostics[2].position, Some((12, 50)));
    }

    #[test]
    fn database_failover_needs_a_mirrored_back_end() {
        let event = |pool: &str| {
            format!("        At(\"2h\", InvokeCsDatabaseFailover(pool: \"{pool}\", new_principal: Mirror)),")
        };
        let single = EE_PAIR.replacen("Mirrored(witness: true)", "Single", 1);
        let f = failed(&two_pools(&single, &event("fe03")));
        assert_eq!(f.diagnostics.len(), 1);
        let d = &f.diagnostics[0];
        assert_eq!(
            (d.path.as_deref(), d.message.as_str()),
            (
                Some("events[0].pool"),
                "InvokeCsDatabaseFailover needs a mirrored back end, but pool \"fe03\" has back_end: Single"
            )
        );
        assert_eq!(
            d.help.as_deref(),
            Some(
                "Invoke-CsDatabaseFailover swaps the principal and the mirror of SQL mirroring: give the pool \
                 back_end: Mirrored(witness: false) or Mirrored(witness: true)"
            )
        );
        assert_eq!(
            errors(&two_pools(PAIR, &event("fe04"))),
            vec![(
                "events[0].pool".to_string(),
                "InvokeCsDatabaseFailover needs a mirrored back end, but pool \"fe04\" is a Standard Edition pool \
                 (SQL Express on the server)"
                    .to_string()
            )]
        );
        // With or without a witness.
        ok(&two_pools(EE_PAIR, &format!("{}\n{}", event("fe03"), event("fe04"))));
    }

    #[test]
    fn quorum_loss_recovery_needs_an_enterprise_pool() {
        let event =
            "        At(\"2h\", ResetCsPoolRegistrarState(pool: \"fe03\", reset_type: QuorumLossRecovery)),";
        assert_eq!(
            failed(&two_pools(PAIR, event)).render(),
            r#"error: pool "fe03" is a Standard Edition pool: it has no routing-group replicas, so there is no quorum loss to recover
  --> scenarios/x.ron:10:70
   |
10 |         At("2h", ResetCsPoolRegistrarState(pool: "fe03", reset_type: QuorumLossRecovery)),
   |                                                                      ^
   = at events[0].reset_type
   = help: QuorumLossRecovery acts on an Enterprise pool's front ends; use reset_type: ServiceReset to restart the server's services
"#
        );
        ok(&two_pools(EE_PAIR, event));
    }

    #[test]
    fn cms_failover_needs_a_paired_pool() {
        let event = "        At(\"2h\", InvokeCsManagementServerFailover(to_pool: \"fe04\")),";
        let unpaired = "        Pool(fqdn: \"fe03\", site: \"dc1\", users: 2500),\n        \
                        Pool(fqdn: \"fe04\", site: \"dc2\", users: 2500),";
        let f = failed(&two_pools(unpaired, event));
        assert_eq!(f.diagnostics.len(), 1);
        let d = &f.diagnostics[0];
        assert_eq!(
            (d.path.as_deref(), d.message.as_str()),
            (
                Some("events[0].to_pool"),
                "pool \"fe04\" has no backup_pool: InvokeCsManagementServerFailover needs a paired pool"
            )
        );
        assert_eq!(
            d.help.as_deref(),
            Some(
                "the Central Management Store moves between the two pools of a pair: pair \"fe04\" with the pool \
                 that hosts it (backup_pool on both)"
            )
        );
        let lync2010 = two_pools(PAIR, event).replace("horizon:", "product: Lync2010, horizon:");
        assert_eq!(
            errors(&lync2010),
            vec![(
                "events[0]".to_string(),
                "Lync Server 2010 has no pool failover: InvokeCsManagementServerFailover needs Lync2013 or later"
                    .to_string()
            )]
        );
        assert_eq!(ok(&two_pools(PAIR, event)).config.events.len(), 1);
    }

    #[test]
    fn wan_links_join_two_known_sites() {
        let events = "        At(\"2h\", WanDown(a: \"dc1\", b: \"dc1\")),\n        \
                      At(\"3h\", WanUp(a: \"dc1\", b: \"dc3\")),";
        assert_eq!(
            errors(&two_pools(PAIR, events)),
            vec![
                (
                    "events[0].b".to_string(),
                    "a WAN link joins two different sites, not \"dc1\" to itself".to_string()
                ),
                ("events[1].b".to_string(), "unknown site \"dc3\"".to_string()),
            ]
        );
    }

    #[test]
    fn cms_pool_and_users_site() {
        // Defaults: the first pool hosts the CMS; users are at their pool's site.
        let c = ok(&two_pools(PAIR, FAULT)).config;
        assert_eq!(c.cms_pool, PoolId(0));
        assert_eq!((c.pools[0].users_site, c.pools[1].users_site), (SiteId(0), SiteId(1)));
        let pools = PAIR.replacen("site: \"dc1\",", "site: \"dc1\", users_site: \"dc2\",", 1);
        let source = two_pools(&pools, FAULT).replace("    events:", "    cms_pool: \"fe04\",\n    events:");
        let c = ok(&source).config;
        assert_eq!(c.cms_pool, PoolId(1));
        assert_eq!((c.pools[0].users_site, c.pools[1].users_site), (SiteId(1), SiteId(1)));
        // Some(...) is accepted too.
        let c = ok(&source.replace("cms_pool: \"fe04\"", "cms_pool: Some(\"fe03\")")).config;
        assert_eq!(c.cms_pool, PoolId(0));
        // Unknown names, with a did-you-mean, at their paths.
        let bad = source
            .replace("users_site: \"dc2\"", "users_site: \"dc-2\"")
            .replace("\"fe04\",\n", "\"fe4\",\n");
        let f = failed(&bad);
        type Found<'a> = (&'a str, &'a str, &'a str, Option<(usize, usize)>);
        let found: Vec<Found> = f
            .diagnostics
            .iter()
            .map(|d| (d.path.as_deref().unwrap(), d.message.as_str(), d.help.as_deref().unwrap(), d.position))
            .collect();
        assert_eq!(
            found,
            vec![
                ("pools[0].users_site", "unknown site \"dc-2\"", "did you mean \"dc2\"?", Some((6, 53))),
                ("cms_pool", "unknown pool \"fe4\"", "did you mean \"fe04\"?", Some((9, 15))),
            ]
        );
    }

    #[test]
    fn even_pools_with_a_single_back_end_warn_when_struck() {
        let pools = EE_PAIR.replacen(
            "front_ends: 3, back_end: Mirrored(witness: false)",
            "front_ends: 4, back_end: Single",
            1,
        );
        let warnings = |event: &str, pools: &str| -> Vec<(String, String)> {
            ok(&two_pools(pools, &format!("        At(\"2h\", {event}),")))
                .warnings
                .iter()
                .map(|d| (d.path.clone().unwrap(), d.message.clone()))
                .collect()
        };
        let expected = vec![(
            "pools[1].front_ends".to_string(),
            "pool \"fe04\" has an even number of front ends (4) and a single back end: an even-sized pool uses its \
             back end as quorum witness, so losing the back end while half the front ends are down stops the \
             whole pool"
                .to_string(),
        )];
        assert_eq!(warnings("ServerDown(pool: \"fe04\", server: 3)", &pools), expected);
        assert_eq!(warnings("BackEndDown(pool: \"fe04\", node: Principal)", &pools), expected);
        // Not for other events, other pools, odd pools or mirrored back ends.
        assert!(warnings("ServerUp(pool: \"fe04\", server: 3)", &pools).is_empty());
        assert!(warnings("PoolDown(pool: \"fe04\")", &pools).is_empty());
        assert!(warnings("ServerDown(pool: \"fe03\", server: 0)", &pools).is_empty());
        assert!(warnings(
            "ServerDown(pool: \"fe04\", server: 0)",
            &pools.replace("front_ends: 4", "front_ends: 5")
        )
        .is_empty());
        let mirrored = EE_PAIR.replace("front_ends: 3", "front_ends: 2");
        assert!(warnings("BackEndDown(pool: \"fe04\", node: Principal)", &mirrored).is_empty());
        let loaded = ok(&two_pools(&pools, "        At(\"2h\", ServerDown(pool: \"fe04\", server: 0)),"));
        assert_eq!(loaded.warnings[0].position, Some((7, 74)));
        assert!(loaded.warnings[0].help.as_deref().unwrap().contains("an odd number of front ends"));
    }

    #[test]
    fn registrar_configuration_per_pool() {
        let pools = PAIR.replacen(
            "backup_pool: Some(\"fe04\")",
            "backup_pool: Some(\"fe04\"),\n             registrar_configuration: Some(RegistrarConfiguration(\
             default_endpoint_expiration: \"900s\", backup_store_unavailable_threshold: Exponential(mean: \"1h\")))",
            1,
        );
        let pools = pools.replacen(
            "backup_pool: Some(\"fe03\")",
            "backup_pool: Some(\"fe03\"), registrar_configuration: RegistrarConfiguration()",
            1,
        );
        let c = ok(&two_pools(&pools, FAULT)).config;
        assert_eq!(
            c.pools[0].registrar,
            Some(RegistrarSettings {
                default_endpoint_expiration: Delay::secs(900),
                backup_store_unavailable_threshold: Delay::Exponential { mean_s: 3600.0 },
            })
        );
        assert_eq!(c.pools[1].registrar, Some(RegistrarSettings::default()));
        let bad = pools.replace("\"900s\"", "\"1200s\"").replace(
            "RegistrarConfiguration()",
            "RegistrarConfiguration(backup_store_unavailable_threshold: 0)",
        );
        let found: Vec<(String, String)> = failed(&two_pools(&bad, FAULT))
            .diagnostics
            .iter()
            .map(|d| (d.path.clone().unwrap_or_default(), d.message.clone()))
            .collect();
        let p0 = "pools[0].registrar_configuration.default_endpoint_expiration";
        let p1 = "pools[1].registrar_configuration.backup_store_unavailable_threshold";
        assert_eq!(
            found,
            vec![
                (p0.to_string(), format!("{p0} must be within 5m..=15m, not 20m")),
                (p1.to_string(), format!("{p1} must be longer than zero")),
            ]
        );
    }

    #[test]
    fn failover_warns_once_when_the_pool_would_lose_global_registrar_settings() {
        let events = format!(
            "{PAIRING_EVENTS}\n        At(\"8h\", PoolDown(pool: \"fe04\")),\n        \
             At(\"8h15m\", InvokeCsPoolFailover(pool: \"fe04\", disaster_mode: true)),\n        \
             At(\"9h\", InvokeCsPoolFailover(pool: \"fe03\")),"
        );
        let source = two_pools(PAIR, &events)
            .replace("    events:", "    clients: Clients(refresh: \"900s\"),\n    events:");
        let loaded = ok(&source);
        assert_eq!(
            loaded.render_warnings(),
            r#"warning: InvokeCsPoolFailover creates a pool-scope registrar configuration for "fe04" with the default settings: from then on its users lose the global clients.refresh "15m" (default "10m")
  --> t.ron:12:21
   |
12 |         At("1h15m", InvokeCsPoolFailover(pool: "fe04", disaster_mode: true)),
   |                     ^
   = at events[1]
   = help: give the pool a registrar_configuration to keep them: registrar_configuration: Some(RegistrarConfiguration(default_endpoint_expiration: "15m"))

warning: InvokeCsPoolFailover creates a pool-scope registrar configuration for "fe03" with the default settings: from then on its users lose the global clients.refresh "15m" (default "10m")
  --> t.ron:18:18
   |
18 |         At("9h", InvokeCsPoolFailover(pool: "fe03")),
   |                  ^
   = at events[7]
   = help: give the pool a registrar_configuration to keep them: registrar_configuration: Some(RegistrarConfiguration(default_endpoint_expiration: "15m"))
"#
        );
        // Both settings, one a distribution.
        let both = two_pools(PAIR, &events).replace(
            "    events:",
            "    clients: Clients(refresh: Uniform(min: \"5m\", max: \"15m\")),\n    \
             timing: Timing(backup_store_unavailable_threshold: \"1h\"),\n    events:",
        );
        let loaded = ok(&both);
        assert_eq!(loaded.warnings.len(), 2);
        assert_eq!(
            loaded.warnings[0].message,
            "InvokeCsPoolFailover creates a pool-scope registrar configuration for \"fe04\" with the default \
             settings: from then on its users lose the global clients.refresh Uniform(min: \"5m\", max: \"15m\") \
             (default \"10m\") and timing.backup_store_unavailable_threshold \"1h\" (default \"30m\")"
        );
        assert_eq!(
            loaded.warnings[0].help.as_deref(),
            Some(
                "give the pool a registrar_configuration to keep them: registrar_configuration: \
                 Some(RegistrarConfiguration(default_endpoint_expiration: Uniform(min: \"5m\", max: \"15m\"), \
                 backup_store_unavailable_threshold: \"1h\"))"
            )
        );
        // No warning with the product defaults, written or not, nor for a pool that has its own
        // registrar configuration.
        let defaults = two_pools(PAIR, &events).replace(
            "    events:",
            "    clients: Clients(refresh: Fixed(\"10m\")),\n    timing: Timing(backup_store_unavailable_threshold: 1800),\n    events:",
        );
        assert!(ok(&defaults).warnings.is_empty());
        let own = source.replacen(
            "backup_pool: Some(\"fe03\")",
            "backup_pool: Some(\"fe03\"), registrar_configuration: RegistrarConfiguration()",
            1,
        );
        let loaded = ok(&own);
        assert_eq!(loaded.warnings.len(), 1);
        assert!(loaded.warnings[0].message.contains("for \"fe03\""));
        // Failback and PoolState changes do not create the configuration.
        let no_failover = source.replace("InvokeCsPoolFailover", "InvokeCsPoolFailback");
        assert!(ok(&no_failover).warnings.is_empty());
    }

    #[test]
    fn backup_service_batches() {
        let source = two_pools(PAIR, FAULT).replace(
            "    events:",
            "    backup_service: BackupService(changes_per_user_per_hour: 0.5, max_batches_per_sync: 10, changes_per_batch: 7),\n    events:",
        );
        let c = ok(&source).config;
        assert_eq!(c.backup_service.changes_per_user_per_hour, 0.5);
        assert_eq!(c.backup_service.changes_per_sync, 70.0);
        let bad = source
            .replace("0.5", "-1.0")
            .replace("max_batches_per_sync: 10", "max_batches_per_sync: 0")
            .replace("changes_per_batch: 7", "changes_per_batch: 0");
        let found: Vec<String> = failed(&bad).diagnostics.iter().map(|d| d.message.clone()).collect();
        assert_eq!(
            found,
            vec![
                "backup_service.changes_per_user_per_hour must be a number of at least 0, not -1",
                "backup_service.max_batches_per_sync must be at least 1, not 0",
                "backup_service.changes_per_batch must be at least 1, not 0",
            ]
        );
    }

    #[test]
    fn capacity_warnings() {
        let pools = "        Pool(fqdn: \"fe03\", site: \"dc1\", users: 2600, backup_pool: Some(\"fe04\")),\n        \
                     Pool(fqdn: \"fe04\", site: \"dc2\", users: 2500, backup_pool: Some(\"fe03\")),\n        \
                     Pool(fqdn: \"ee\", site: \"dc1\", edition: Enterprise, front_ends: 12, back_end: Mirrored(witness: true), users: 85000),";
        let loaded = ok(&two_pools(pools, FAULT));
        let messages: Vec<&str> = loaded.warnings.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            vec![
                "Standard Edition pool \"fe03\" has 2,600 users, above the supported 2,500",
                "pool \"ee\" has 85,000 users, above its capacity of 79,920 (6,660 users per front end x 12 front ends)",
                "pool \"fe04\" could not carry its partner's users after failover: 2,500 + 2,600 users from \"fe03\" \
                 is more than its capacity of 5,000",
                "pool \"fe03\" could not carry its partner's users after failover: 2,600 + 2,500 users from \"fe04\" \
                 is more than its capacity of 5,000",
            ]
        );
        // SfB 2019: 16 front ends and 106,000 users per pool.
        let sfb = two_pools(pools, FAULT)
            .replace("horizon:", "product: SfB2019, horizon:")
            .replace("front_ends: 12", "front_ends: 16");
        let loaded = ok(&sfb);
        assert_eq!(loaded.warnings.len(), 3);
    }

    #[test]
    fn timings_convert_to_delays() {
        let source = two_pools(PAIR, FAULT).replace(
            "    events:",
            "    timing: Timing(cms_replication: Exponential(mean: \"2m\"), full_backup: Some(Uniform(min: 10, max: 20)),\n        \
             quorum_loss_recovery: LogNormal(median: \"10m\", sigma: 0.5), sql_mirror_failover: Weibull(shape: 1.5, scale: \"1m\"),\n        \
             steady_state_backup: Fixed(\"30s\")),\n    features: Features(resiliency: [im], failed_over: []),\n    events:",
        );
        let c = ok(&source).config;
        assert_eq!(c.timing.cms_replication, Delay::Exponential { mean_s: 120.0 });
        assert_eq!(c.timing.full_backup, Some(Delay::Uniform { min_s: 10.0, max_s: 20.0 }));
        assert_eq!(c.timing.quorum_loss_recovery, Delay::LogNormal { median_s: 600.0, sigma: 0.5 });
        assert_eq!(c.timing.sql_mirror_failover, Delay::Weibull { shape: 1.5, scale_s: 60.0 });
        assert_eq!(c.timing.steady_state_backup, Some(Delay::secs(30)));
        assert!(c.features.has(ClientState::Full, Feature::CallPark));
        assert!(c.features.has(ClientState::Resiliency, Feature::Im));
        assert!(!c.features.has(ClientState::Resiliency, Feature::Voice));
        assert!(!c.features.has(ClientState::FailedOver, Feature::Im));
    }

    #[test]
    fn unreadable_files_name_the_path() {
        let f = load(std::path::Path::new("no/such/scenario.ron")).unwrap_err();
        assert_eq!(f.diagnostics.len(), 1);
        let text = f.render();
        assert!(text.starts_with("error: cannot read no/such/scenario.ron: "), "{text}");
        assert!(text.ends_with("\n  --> no/such/scenario.ron\n"), "{text}");
    }

    #[test]
    fn durations_print_in_their_shortest_form() {
        let ms = SimTime::from_millis;
        assert_eq!(format_duration(ms(0)), "0s");
        assert_eq!(format_duration(ms(250)), "250ms");
        assert_eq!(format_duration(ms(90_500)), "1m30.5s");
        assert_eq!(format_duration(ms(4_500_000)), "1h15m");
        assert_eq!(format_duration(ms(46_800_000)), "13h");
        assert_eq!(format_duration(MAX_HORIZON), "3650d");
        assert_eq!(thousands(5_000_000), "5,000,000");
        assert_eq!(thousands(999), "999");
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
                 src/scenario/validate.rs; raise it and rebuild if this machine can take more"
            )
        );
        ok(&two_pools(PAIR, FAULT).replace("\"12h\"", "\"3000d\", sample_every: \"52s\""));
        let f = failed(&two_pools(PAIR, FAULT).replace("\"12h\"", "0"));
        assert_eq!(f.diagnostics[0].message, "horizon must be longer than zero");
    }

    /// Errors as (path, message), in order.
    fn errors(source: &str) -> Vec<(String, String)> {
        failed(source)
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| (d.path.clone().unwrap_or_default(), d.message.clone()))
            .collect()
    }

    /// [`two_pools`] with `fields` added before `events`.
    fn with_fields(fields: &str) -> String {
        two_pools(PAIR, FAULT).replace("    events:", &format!("    {fields},\n    events:"))
    }

    #[test]
    fn distribution_names_must_match_their_fields() {
        let pools = PAIR.replacen(
            "backup_pool: Some(\"fe04\")",
            "backup_pool: Some(\"fe04\"), voice_failover: VoiceFailover(detection: Exponentail(mean: \"1m\"))",
            1,
        );
        assert_eq!(
            failed(&two_pools(&pools, FAULT)).render(),
            r#"error: unknown distribution "Exponentail": expected one of Fixed, Exponential, Weibull, LogNormal, Uniform
 --> scenarios/x.ron:6:122
  |
6 |         Pool(fqdn: "fe03", site: "dc1", users: 2500, backup_pool: Some("fe04"), voice_failover: VoiceFailover(detection: Exponentail(mean: "1m"))),
  |                                                                                                                          ^
  = at pools[0].voice_failover.detection
  = help: did you mean "Exponential"?
"#
        );
        let f = failed(&with_fields("timing: Timing(cms_replication: Uniform(mean: \"1m\"))"));
        assert_eq!(f.diagnostics.len(), 1);
        let d = &f.diagnostics[0];
        assert_eq!(d.message, "Uniform takes (min, max), not (mean)");
        assert_eq!(d.path.as_deref(), Some("timing.cms_replication"));
        assert_eq!(d.position, Some((9, 37)));
        assert_eq!(d.help.as_deref(), Some("with these fields it is Exponential(mean: \"1m\")"));
        // The second pool, Some(...), a one-element tuple, a name far from any distribution.
        let pools = PAIR.replacen(
            "backup_pool: Some(\"fe03\")",
            "backup_pool: Some(\"fe03\"), voice_failover: Some(VoiceFailover(failback: Weibull(min: 1, max: 2)))",
            1,
        );
        let source = two_pools(&pools, FAULT).replace(
            "    events:",
            "    clients: Clients(retry: Exponential(\"5s\"), keepalive: Gauss(median: \"4m\", sigma: 0.5)),\n    \
             timing: Timing(full_backup: Some(exponential(mean: \"2m\"))),\n    events:",
        );
        let f = failed(&source);
        let found: Vec<(&str, &str, &str)> = f
            .diagnostics
            .iter()
            .map(|d| (d.path.as_deref().unwrap(), d.message.as_str(), d.help.as_deref().unwrap()))
            .collect();
        let unknown = |name: &str| {
            format!("unknown distribution \"{name}\": expected one of Fixed, Exponential, Weibull, LogNormal, Uniform")
        };
        assert_eq!(
            found,
            vec![
                (
                    "pools[1].voice_failover.failback",
                    "Weibull takes (shape, scale), not (min, max)",
                    "with these fields it is Uniform(min: \"1s\", max: \"2s\")"
                ),
                ("timing.full_backup", unknown("exponential").as_str(), "did you mean \"Exponential\"?"),
                (
                    "clients.keepalive",
                    unknown("Gauss").as_str(),
                    "with these fields it is LogNormal(median: \"4m\", sigma: 0.5)"
                ),
                (
                    "clients.retry",
                    "Exponential takes (mean), not one duration",
                    "with these fields it is Fixed(\"5s\")"
                ),
            ]
        );
        // Right names, and anonymous values, load.
        let c = ok(&with_fields(
            "clients: Clients(retry: Fixed(\"5s\"), keepalive: (median: \"4m\", sigma: 0.5)),\n    \
             timing: Timing(cms_replication: Exponential(mean: \"1m\"), full_backup: Weibull(shape: 2.0, scale: 60))",
        ))
        .config;
        assert_eq!(c.clients.keepalive, Delay::LogNormal { median_s: 240.0, sigma: 0.5 });
        assert_eq!(c.timing.full_backup, Some(Delay::Weibull { shape: 2.0, scale_s: 60.0 }));
    }

    #[test]
    fn ranged_timings_stay_within_their_range() {
        let found = errors(&with_fields(
            "clients: Clients(refresh: Uniform(min: \"1s\", max: \"9999h\")),\n    \
             backup_service: BackupService(sync_interval: Exponential(mean: \"2m\"))",
        ));
        assert_eq!(
            found,
            vec![
                (
                    "backup_service.sync_interval".to_string(),
                    "backup_service.sync_interval must stay within 5s..=3h, but Exponential can draw any duration \
                     above zero"
                        .to_string()
                ),
                (
                    "clients.refresh".to_string(),
                    "clients.refresh must be within 5m..=15m, but Uniform(min: \"1s\", max: \"416d15h\") draws \
                     outside it"
                        .to_string()
                ),
            ]
        );
        let f = failed(&with_fields("clients: Clients(refresh: LogNormal(median: \"10m\", sigma: 0.1))"));
        assert_eq!(
            f.diagnostics[0].help.as_deref(),
            Some(
                "use a fixed value or a Uniform(min, max) within 5m..=15m; DefaultEndpointExpiration accepts 300 \
                 to 900 seconds"
            )
        );
        let f = failed(&with_fields("clients: Clients(refresh: Uniform(min: \"5m\", max: \"16m\"))"));
        assert_eq!(
            f.diagnostics[0].help.as_deref(),
            Some("DefaultEndpointExpiration accepts 300 to 900 seconds")
        );
        // A pool's DefaultEndpointExpiration, Weibull too.
        let pools = PAIR.replacen(
            "backup_pool: Some(\"fe04\")",
            "backup_pool: Some(\"fe04\"), registrar_configuration: RegistrarConfiguration(\
             default_endpoint_expiration: Weibull(shape: 3.0, scale: \"10m\"))",
            1,
        );
        let p = "pools[0].registrar_configuration.default_endpoint_expiration";
        assert_eq!(
            errors(&two_pools(&pools, FAULT)),
            vec![(
                p.to_string(),
                format!("{p} must stay within 5m..=15m, but Weibull can draw any duration above zero")
            )]
        );
        // Within the range: fixed, Fixed(...) and Uniform; keepalive and the retry delays have
        // sanity bounds only, where unbounded distributions are allowed.
        let c = ok(&with_fields(
            "clients: Clients(refresh: Uniform(min: \"5m\", max: \"15m\"), keepalive: Exponential(mean: \"5m\"), \
             retry: LogNormal(median: \"30s\", sigma: 1.0), retry_max: \"1s\"),\n    \
             backup_service: BackupService(sync_interval: Fixed(\"3h\"))",
        ))
        .config;
        assert_eq!(c.clients.refresh, Delay::Uniform { min_s: 300.0, max_s: 900.0 });
        // ... but their Uniform bounds and fixed values are checked.
        assert_eq!(
            errors(&with_fields("clients: Clients(keepalive: Uniform(min: \"1m\", max: \"2h\"))")),
            vec![(
                "clients.keepalive".to_string(),
                "clients.keepalive must be within 1ms..=1h, but Uniform(min: \"1m\", max: \"2h\") draws outside it"
                    .to_string()
            )]
        );
    }

    #[test]
    fn retry_max_is_compared_with_retry_at_their_extremes() {
        let found = errors(&with_fields(
            "clients: Clients(retry: Uniform(min: \"1m\", max: \"3m\"), retry_max: Uniform(min: \"2m\", max: \"10m\"))",
        ));
        assert_eq!(
            found,
            vec![(
                "clients.retry_max".to_string(),
                "clients.retry_max can be 2m, shorter than clients.retry, which can be 3m".to_string()
            )]
        );
        ok(&with_fields(
            "clients: Clients(retry: Uniform(min: \"1m\", max: \"3m\"), retry_max: Uniform(min: \"3m\", max: \"10m\"))",
        ));
        ok(&with_fields("clients: Clients(retry: Exponential(mean: \"10m\"), retry_max: \"1m\")"));
        // retry_max left at its default of 5m: placed at retry.
        let f = failed(&with_fields("clients: Clients(retry: \"10m\")"));
        assert_eq!(f.diagnostics.len(), 1);
        let d = &f.diagnostics[0];
        assert_eq!(d.message, "clients.retry_max 5m is shorter than clients.retry 10m");
        assert_eq!((d.path.as_deref(), d.position), (Some("clients.retry_max"), Some((9, 29))));
        assert_eq!(
            d.help.as_deref(),
            Some("the retry delay doubles from retry up to retry_max; retry_max is not written and defaults to 5m")
        );
    }

    #[test]
    fn defaulted_values_are_placed_at_the_field_written() {
        let f = failed(&two_pools(PAIR, "").replace("\"12h\"", "\"5s\""));
        assert_eq!(
            f.render(),
            r#"error: sample_every 10s is longer than the horizon 5s
 --> scenarios/x.ron:3:14
  |
3 |     horizon: "5s",
  |              ^
  = at sample_every
  = help: sample_every is not written and defaults to 10s: write a shorter one, or a longer horizon
"#
        );
        // Written, it is placed where it is written.
        let f = failed(&two_pools(PAIR, FAULT).replace("\"12h\"", "\"5s\", sample_every: \"10s\""));
        assert_eq!((f.diagnostics[0].position, f.diagnostics[0].help.as_deref()), (Some((3, 34)), None));
        // An Enterprise pool's front_ends and back_end default to 1 and Local.
        let pools = PAIR.replacen("users: 2500,", "edition: Enterprise, users: 2500,", 1);
        let f = failed(&two_pools(&pools, FAULT));
        type Found<'a> = (&'a str, Option<(usize, usize)>, &'a str);
        let found: Vec<Found> = f
            .diagnostics
            .iter()
            .map(|d| (d.path.as_deref().unwrap(), d.position, d.help.as_deref().unwrap()))
            .collect();
        assert_eq!(
            found,
            vec![
                (
                    "pools[0].front_ends",
                    Some((6, 50)),
                    "front_ends is not written and defaults to 1: write front_ends: 2 to 12"
                ),
                ("pools[0].back_end", Some((6, 50)), "back_end is not written and defaults to Local"),
            ]
        );
    }

    /// A scenario with `sites` sites and `pools` Standard pools of `users` users, unpaired.
    fn sized(sites: usize, pools: usize, users: u32, events: usize) -> String {
        let sites: Vec<String> = (0..sites).map(|i| format!("Site(name: \"s{i}\")")).collect();
        let pools: Vec<String> =
            (0..pools).map(|i| format!("Pool(fqdn: \"p{i}\", site: \"s0\", users: {users})")).collect();
        let events: Vec<String> =
            (0..events).map(|_| "At(\"1h\", PoolDown(pool: \"p0\"))".to_string()).collect();
        format!(
            "Scenario(name: \"t\", horizon: \"12h\",\n    sites: [{}],\n    pools: [{}],\n    events: [{}],\n)\n",
            sites.join(", "),
            pools.join(", "),
            events.join(", ")
        )
    }

    #[test]
    fn the_documented_studies_are_within_the_limits_that_multiply() {
        for file in ["year-ee-pair-mirrored", "year-se-pair-random", "year-single-pool-no-dr"] {
            let path = format!("{}/scenarios/{file}.ron", env!("CARGO_MANIFEST_DIR"));
            let mut config = crate::scenario::load(std::path::Path::new(&path)).unwrap().config;
            config.replications = 100_000;
            assert_eq!(overloads(&config), [], "{file}");
        }
    }

    #[test]
    fn sizes_are_capped() {
        ok(&sized(MAX_SITES, 10, 1_000_000, 10));
        let f = failed(&sized(11, 11, 1_000_000, 1));
        assert_eq!(
            f.render(),
            r#"error: the scenario has 11,000,000 users in total, more than lyncsim's limit of 10,000,000: each user costs about 40 bytes of simulation state
 --> scenarios/x.ron:3:12
  |
3 |     pools: [Pool(fqdn: "p0", site: "s0", users: 1000000), Pool(fqdn: "p1", site: "s0", users: 1000000), Pool(fqdn: "p2", site: "s0", users: 1000000), Pool(fqdn:...
  |            ^
  = at pools
  = help: split the study into scenarios of at most 10,000,000 users each, for example one per pair of pools (a pool fails over only to its partner), and combine their results; the limit is MAX_TOTAL_USERS in src/scenario/validate.rs; raise it and rebuild if this machine can take more
"#
        );
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

    /// [`two_pools`] with `failures` (one per line) added before `events`.
    fn with_failures(pools: &str, failures: &[&str]) -> String {
        let lines: Vec<String> = failures.iter().map(|f| format!("        {f},")).collect();
        two_pools(pools, FAULT)
            .replace("    events:", &format!("    failures: [\n{}\n    ],\n    events:", lines.join("\n")))
    }

    /// A `Random` failure of `target` with a 4000-hour mean time between failures and a
    /// 4-hour mean time to repair.
    fn random(target: &str) -> String {
        format!("Random(target: {target}, mtbf: Exponential(mean: \"4000h\"), mttr: Fixed(\"4h\"))")
    }

    #[test]
    fn random_failures_resolve_to_failure_processes() {
        let (fe03, fe04) = (PoolId(0), PoolId(1));
        let failures = [
            random("Pool(pool: \"fe04\")"),
            random("FrontEnd(pool: \"fe03\", server: 2)"),
            random("BackEnd(pool: \"fe03\", node: Witness)"),
            random("BackEnd(pool: \"fe04\", node: Mirror)"),
            random("Site(site: \"dc2\")"),
            random("Wan(a: \"dc2\", b: \"dc1\")"),
            "Random(target: Pool(pool: \"fe03\"), mtbf: Weibull(shape: 1.5, scale: \"1000h\"), \
             mttr: Uniform(min: \"1h\", max: \"3h\"))"
                .to_string(),
            "Random(target: Pool(pool: \"fe03\"), mtbf: Fixed(\"30d\"), mttr: LogNormal(median: \"4h\", sigma: 0.6))"
                .to_string(),
        ];
        let failures: Vec<&str> = failures.iter().map(String::as_str).collect();
        let loaded = ok(&with_failures(EE_PAIR, &failures));
        assert_eq!(loaded.render_warnings(), "");
        let c = loaded.config;
        let targets: Vec<FailureTarget> = c.failures.iter().map(|f| f.target).collect();
        assert_eq!(
            targets,
            vec![
                FailureTarget::Pool(fe04),
                FailureTarget::FrontEnd(fe03, 2),
                FailureTarget::BackEnd(fe03, BackEndNode::Witness),
                FailureTarget::BackEnd(fe04, BackEndNode::Mirror),
                FailureTarget::Site(SiteId(1)),
                FailureTarget::Wan(SiteId(1), SiteId(0)),
                FailureTarget::Pool(fe03),
                FailureTarget::Pool(fe03),
            ]
        );
        assert_eq!(c.failures[0].mtbf, Delay::Exponential { mean_s: 4000.0 * 3600.0 });
        assert_eq!(c.failures[0].mttr, Delay::secs(4 * 3600));
        assert_eq!(c.failures[6].mtbf, Delay::Weibull { shape: 1.5, scale_s: 1000.0 * 3600.0 });
        assert_eq!(c.failures[6].mttr, Delay::Uniform { min_s: 3600.0, max_s: 3.0 * 3600.0 });
        assert_eq!(c.failures[7].mtbf, Delay::secs(30 * 86_400));
        assert_eq!(c.failures[7].mttr, Delay::LogNormal { median_s: 4.0 * 3600.0, sigma: 0.6 });
        // The scripted events are unchanged; no administrator unless written.
        assert_eq!(c.events.len(), 1);
        assert_eq!(c.administrator, None);
        // None at all.
        assert!(ok(&two_pools(PAIR, FAULT)).config.failures.is_empty());
    }

    #[test]
    fn failure_targets_are_checked_like_events() {
        let failures = [
            random("Pool(pool: \"fe4\")"),
            random("FrontEnd(pool: \"fe03\", server: 1)"),
            random("BackEnd(pool: \"fe04\", node: Principal)"),
            random("Site(site: \"dc3\")"),
            random("Wan(a: \"dc1\", b: \"dc1\")"),
            random("FrontEnd(pool: \"fe05\", server: 0)"),
        ];
        let failures: Vec<&str> = failures.iter().map(String::as_str).collect();
        let f = failed(&with_failures(PAIR, &failures));
        let found: Vec<(&str, &str, Option<&str>)> = f
            .diagnostics
            .iter()
            .map(|d| (d.path.as_deref().unwrap(), d.message.as_str(), d.help.as_deref()))
            .collect();
        assert_eq!(
            found,
            vec![
                ("failures[0].target.pool", "unknown pool \"fe4\"", Some("did you mean \"fe04\"?")),
                (
                    "failures[1].target.server",
                    "pool \"fe03\" has no server 1: it has 1 front end, server 0",
                    None
                ),
                (
                    "failures[2].target.pool",
                    "Standard Edition keeps its database on the server (SQL Express): use a FrontEnd(pool, \
                     server) target",
                    Some(
                        "pool \"fe04\" is a Standard Edition pool; a BackEnd target acts on an Enterprise pool's \
                         separate back end"
                    )
                ),
                ("failures[3].target.site", "unknown site \"dc3\"", Some("did you mean \"dc1\"?")),
                (
                    "failures[4].target.b",
                    "a WAN link joins two different sites, not \"dc1\" to itself",
                    None
                ),
                ("failures[5].target.pool", "unknown pool \"fe05\"", Some("did you mean \"fe03\"?")),
            ]
        );
        assert!(f.diagnostics.iter().all(Diagnostic::is_error));
        assert_eq!(
            f.diagnostics[1].render("scenarios/x.ron", &with_failures(PAIR, &failures)),
            r#"error: pool "fe03" has no server 1: it has 1 front end, server 0
  --> scenarios/x.ron:11:55
   |
11 |         Random(target: FrontEnd(pool: "fe03", server: 1), mtbf: Exponential(mean: "4000h"), mttr: Fixed("4h")),
   |                                                       ^
   = at failures[1].target.server
"#
        );
        // The back-end node rules of BackEndDown: Single has only the principal, a witness
        // needs Mirrored(witness: true).
        let single = EE_PAIR.replacen("Mirrored(witness: true)", "Single", 1);
        let failures = [
            random("BackEnd(pool: \"fe03\", node: Mirror)"),
            random("BackEnd(pool: \"fe03\", node: Witness)"),
            random("BackEnd(pool: \"fe04\", node: Witness)"),
            random("BackEnd(pool: \"fe03\", node: Principal)"),
            random("FrontEnd(pool: \"fe04\", server: 3)"),
        ];
        let failures: Vec<&str> = failures.iter().map(String::as_str).collect();
        assert_eq!(
            errors(&with_failures(&single, &failures)),
            vec![
                (
                    "failures[0].target.node".to_string(),
                    "pool \"fe03\" has no mirror: its back_end is Single".to_string()
                ),
                (
                    "failures[1].target.node".to_string(),
                    "pool \"fe03\" has no witness: its back_end is Single".to_string()
                ),
                (
                    "failures[2].target.node".to_string(),
                    "pool \"fe04\" has no witness: its back_end is Mirrored(witness: false)".to_string()
                ),
                (
                    "failures[4].target.server".to_string(),
                    "pool \"fe04\" has no server 3: it has 3 front ends, servers 0 to 2".to_string()
                ),
            ]
        );
    }

    #[test]
    fn failure_distributions_are_checked() {
        let failure = |mtbf: &str, mttr: &str| {
            with_failures(
                PAIR,
                &[&format!("Random(target: Pool(pool: \"fe03\"), mtbf: {mtbf}, mttr: {mttr})")],
            )
        };
        assert_eq!(
            errors(&failure("Exponential(mean: 0)", "Weibull(shape: 0.0, scale: \"1h\")")),
            vec![
                (
                    "failures[0].mtbf.mean".to_string(),
                    "the mean of failures[0].mtbf must be longer than zero".to_string()
                ),
                (
                    "failures[0].mttr.shape".to_string(),
                    "the shape of failures[0].mttr must be a positive number, not 0".to_string()
                ),
            ]
        );
        assert_eq!(
            errors(&failure("Uniform(min: \"2h\", max: \"1h\")", "Fixed(0)")),
            vec![
                (
                    "failures[0].mtbf".to_string(),
                    "failures[0].mtbf has min 2h larger than max 1h".to_string()
                ),
                ("failures[0].mttr".to_string(), "failures[0].mttr must be longer than zero".to_string()),
            ]
        );
        assert_eq!(
            errors(&failure("LogNormal(median: \"1h\", sigma: -1.0)", "Fixed(\"1h\")")),
            vec![(
                "failures[0].mtbf.sigma".to_string(),
                "the sigma of failures[0].mtbf must be a number of at least 0, not -1".to_string()
            )]
        );
    }

    #[test]
    fn failure_processes_are_capped() {
        let one =
            "Random(target: Pool(pool: \"fe03\"), mtbf: Exponential(mean: \"1000h\"), mttr: Fixed(\"1h\"))";
        let many: Vec<&str> = vec![one; MAX_FAILURES + 1];
        assert_eq!(
            errors(&with_failures(PAIR, &many)),
            vec![(
                "failures".to_string(),
                "the scenario has 10,001 failure processes, more than lyncsim's limit of 10,000".to_string()
            )]
        );
    }

    #[test]
    fn failures_must_not_be_too_frequent() {
        let failure = |mtbf: &str, mttr: &str| {
            with_failures(
                PAIR,
                &[&format!("Random(target: Pool(pool: \"fe03\"), mtbf: {mtbf}, mttr: {mttr})")],
            )
        };
        assert_eq!(
            failed(&failure("Exponential(mean: \"10s\")", "Fixed(\"4h\")")).render(),
            r#"error: failures[0].mtbf has a mean of 10s, shorter than 1m: failures that frequent would make the run unbounded
  --> scenarios/x.ron:10:50
   |
10 |         Random(target: Pool(pool: "fe03"), mtbf: Exponential(mean: "10s"), mttr: Fixed("4h")),
   |                                                  ^
   = at failures[0].mtbf
   = help: lyncsim needs a mean time between failures of at least 1m; real ones are hours to years, such as Exponential(mean: "4000h"); the limit is MIN_MTBF in src/scenario/validate.rs; raise it and rebuild if this machine can take more
"#
        );
        let unbounded = |what: &str, value: &str| {
            (
                "failures[0].mtbf".to_string(),
                format!(
                    "failures[0].mtbf has a {what} of {value}, shorter than 1m: failures that frequent would make \
                     the run unbounded"
                ),
            )
        };
        let short_repair = |what: &str, value: &str| {
            (
                "failures[0].mttr".to_string(),
                format!("failures[0].mttr has a {what} of {value}, shorter than lyncsim's lower bound of 1s for a repair"),
            )
        };
        // The mean of each distribution: Fixed d, Uniform (min+max)/2, LogNormal
        // median*exp(sigma^2/2), Weibull its scale.
        assert_eq!(
            errors(&failure("Fixed(\"59s\")", "Fixed(\"999ms\")")),
            vec![unbounded("mean", "59s"), short_repair("mean", "999ms")]
        );
        assert_eq!(
            errors(&failure("Uniform(min: 0, max: \"1m\")", "Uniform(min: 0, max: \"1s\")")),
            vec![unbounded("mean", "30s"), short_repair("mean", "500ms")]
        );
        assert_eq!(
            errors(&failure(
                "LogNormal(median: \"30s\", sigma: 1.0)",
                "LogNormal(median: \"500ms\", sigma: 0.5)"
            )),
            vec![unbounded("mean", "49.462s"), short_repair("mean", "567ms")]
        );
        assert_eq!(
            errors(&failure("Weibull(shape: 0.5, scale: \"59s\")", "Weibull(shape: 2.0, scale: \"900ms\")")),
            vec![unbounded("scale", "59s"), short_repair("scale", "900ms")]
        );
        // At the bounds, and means above them from parameters below them.
        ok(&failure("Fixed(\"1m\")", "Fixed(\"1s\")"));
        ok(&failure("Exponential(mean: 60)", "Exponential(mean: 1)"));
        ok(&failure("Uniform(min: 0, max: \"2m\")", "Uniform(min: \"500ms\", max: \"1.5s\")"));
        ok(&failure("LogNormal(median: \"40s\", sigma: 1.0)", "LogNormal(median: \"700ms\", sigma: 1.0)"));
        ok(&failure("Weibull(shape: 1.0, scale: \"1m\")", "Weibull(shape: 3.0, scale: \"1s\")"));
    }

    #[test]
    fn failures_of_servers_and_back_ends_strike_their_pool() {
        let pools = EE_PAIR.replacen(
            "front_ends: 3, back_end: Mirrored(witness: false)",
            "front_ends: 4, back_end: Single",
            1,
        );
        let warned = |target: &str| -> Vec<String> {
            ok(&with_failures(&pools, &[&random(target)]))
                .warnings
                .iter()
                .map(|d| d.path.clone().unwrap())
                .collect()
        };
        assert_eq!(warned("FrontEnd(pool: \"fe04\", server: 3)"), vec!["pools[1].front_ends".to_string()]);
        assert_eq!(
            warned("BackEnd(pool: \"fe04\", node: Principal)"),
            vec!["pools[1].front_ends".to_string()]
        );
        assert!(warned("Pool(pool: \"fe04\")").is_empty());
        assert!(warned("FrontEnd(pool: \"fe03\", server: 0)").is_empty());
    }

    /// [`two_pools`] with an `administrator: ...` section (`section` written after the colon).
    fn with_administrator(pools: &str, section: &str) -> String {
        two_pools(pools, FAULT).replace("    events:", &format!("    administrator: {section},\n    events:"))
    }

    #[test]
    fn administrator_policy() {
        let c = ok(&with_administrator(
            PAIR,
            "Some(Administrator(failover_after: Some(Exponential(mean: \"30m\")), disaster_mode: true, \
             failback_after: Some(\"1h\")))",
        ))
        .config;
        assert_eq!(
            c.administrator,
            Some(AdministratorConfig {
                failover_after: Some(Delay::Exponential { mean_s: 1800.0 }),
                disaster_mode: true,
                failback_after: Some(Delay::secs(3600)),
            })
        );
        // Defaults: never fail over or back, -DisasterMode; implicit Some.
        let c = ok(&with_administrator(PAIR, "Administrator()")).config;
        assert_eq!(
            c.administrator,
            Some(AdministratorConfig { failover_after: None, disaster_mode: true, failback_after: None })
        );
        let c = ok(&with_administrator(
            PAIR,
            "Administrator(failover_after: \"15m\", failback_after: Uniform(min: \"1h\", max: \"2h\"))",
        ))
        .config;
        assert_eq!(
            c.administrator,
            Some(AdministratorConfig {
                failover_after: Some(Delay::secs(900)),
                disaster_mode: true,
                failback_after: Some(Delay::Uniform { min_s: 3600.0, max_s: 7200.0 }),
            })
        );
        assert_eq!(ok(&with_administrator(PAIR, "None")).config.administrator, None);
        // Unknown fields are errors.
        let f = failed(&with_administrator(PAIR, "Administrator(failover: \"15m\")"));
        assert_eq!(f.diagnostics[0].message, "unknown field \"failover\" in Administrator");
    }

    #[test]
    fn administrator_delays_are_checked_at_their_position() {
        let source = with_administrator(
            PAIR,
            "Administrator(failover_after: Some(Exponentail(mean: \"30m\")), failback_after: 0)",
        );
        assert_eq!(
            failed(&source).render(),
            r#"error: unknown distribution "Exponentail": expected one of Fixed, Exponential, Weibull, LogNormal, Uniform
 --> scenarios/x.ron:9:55
  |
9 |     administrator: Administrator(failover_after: Some(Exponentail(mean: "30m")), failback_after: 0),
  |                                                       ^
  = at administrator.failover_after
  = help: did you mean "Exponential"?

error: administrator.failback_after must be longer than zero
 --> scenarios/x.ron:9:98
  |
9 |     administrator: Administrator(failover_after: Some(Exponentail(mean: "30m")), failback_after: 0),
  |                                                                                                  ^
  = at administrator.failback_after
"#
        );
        assert_eq!(
            errors(&with_administrator(
                PAIR,
                "Administrator(failover_after: Uniform(mean: \"1m\"), failback_after: Fixed(0))",
            )),
            vec![
                (
                    "administrator.failover_after".to_string(),
                    "Uniform takes (min, max), not (mean)".to_string()
                ),
                (
                    "administrator.failback_after".to_string(),
                    "administrator.failback_after must be longer than zero".to_string()
                ),
            ]
        );
        assert_eq!(
            errors(&with_administrator(
                PAIR,
                "Administrator(failover_after: LogNormal(median: 0, sigma: 0.5))"
            )),
            vec![(
                "administrator.failover_after.median".to_string(),
                "the median of administrator.failover_after must be longer than zero".to_string()
            )]
        );
    }

    #[test]
    fn lync2010_has_no_administrator_failover() {
        let source =
            with_administrator(PAIR, "Administrator(failover_after: \"30m\", failback_after: \"1h\")")
                .replace("horizon:", "product: Lync2010, horizon:");
        let f = failed(&source);
        let found: Vec<(&str, &str)> =
            f.diagnostics.iter().map(|d| (d.path.as_deref().unwrap(), d.message.as_str())).collect();
        assert_eq!(
            found,
            vec![
                (
                    "administrator.failover_after",
                    "Lync Server 2010 has no pool failover: administrator.failover_after (InvokeCsPoolFailover) \
                     needs Lync2013 or later"
                ),
                (
                    "administrator.failback_after",
                    "Lync Server 2010 has no pool failover: administrator.failback_after (InvokeCsPoolFailback) \
                     needs Lync2013 or later"
                ),
            ]
        );
        assert!(f.diagnostics.iter().all(Diagnostic::is_error));
        assert!(f.diagnostics[0].help.as_deref().unwrap().contains("not a paired pool"));
        // Without failover_after there is nothing the product lacks.
        let c = ok(&with_administrator(PAIR, "Administrator(disaster_mode: false)")
            .replace("horizon:", "product: Lync2010, horizon:"))
        .config;
        assert_eq!(c.administrator.map(|a| a.disaster_mode), Some(false));
    }

    #[test]
    fn administrator_warnings() {
        let unpaired =
            PAIR.replace(", backup_pool: Some(\"fe04\")", "").replace(", backup_pool: Some(\"fe03\")", "");
        let loaded = ok(&with_administrator(&unpaired, "Administrator(failover_after: \"30m\")"));
        assert_eq!(
            loaded.render_warnings(),
            r#"warning: administrator.failover_after is set but no pool has a backup_pool: there is nothing to fail over
 --> t.ron:9:50
  |
9 |     administrator: Administrator(failover_after: "30m"),
  |                                                  ^
  = at administrator.failover_after
  = help: the administrator fails a pool over to its paired pool: set backup_pool on both pools of a pair
"#
        );
        // No failover, nothing to warn about.
        assert!(ok(&with_administrator(&unpaired, "Administrator(failback_after: \"1h\")"))
            .warnings
            .is_empty());
        let loaded =
            ok(&with_administrator(PAIR, "Administrator(failover_after: \"30m\", disaster_mode: false)"));
        let found: Vec<(&str, &str, &str)> = loaded
            .warnings
            .iter()
            .map(|d| (d.path.as_deref().unwrap(), d.message.as_str(), d.help.as_deref().unwrap()))
            .collect();
        assert_eq!(
            found,
            vec![(
                "administrator.disaster_mode",
                "the administrator fails over with disaster_mode: false, but a dead pool cannot be failed over \
                 without -DisasterMode: the cmdlet will fail",
                "the administrator fails over pools that stopped serving their users: set disaster_mode: true \
                 (the default)"
            )]
        );
        assert_eq!(loaded.warnings[0].position, Some((9, 72)));
        assert!(ok(&with_administrator(PAIR, "Administrator(disaster_mode: false, failback_after: \"1h\")"))
            .warnings
            .is_empty());
    }
}
