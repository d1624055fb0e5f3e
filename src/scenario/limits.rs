//! lyncsim's resource limits: the largest file, scenario and study it accepts, and the checks
//! that name them. A limit protects the machine (memory, time, the stack), not the model's
//! meaning: each message says what is too large and how to raise the limit
//! ([`limit_help`]). The checks only compare figures; the validator places their messages.

use super::format::format_duration;
use crate::engine::SimTime;
use crate::model::{Config, Delay};
use crate::text::group_digits;

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
/// Most routing groups in one pool.
pub const MAX_ROUTING_GROUPS: u32 = 10_000;
/// Shortest mean time between failures of a `Random` failure: shorter ones would make the
/// run unbounded (lyncsim's sanity bound, not a product figure).
pub const MIN_MTBF: SimTime = SimTime::from_secs(60);
/// Shortest mean time to repair of a `Random` failure (lyncsim's sanity bound).
pub const MIN_MTTR: SimTime = SimTime::from_secs(1);
/// Where the limits are defined, for the messages that name them.
pub const LIMITS_FILE: &str = "src/scenario/limits.rs";

/// The help line of a limit: its name and how to raise it, after `why` when there is one.
pub fn limit_help(why: Option<&str>, limit: &str) -> String {
    let how =
        format!("the limit is {limit} in {LIMITS_FILE}; raise it and rebuild if this machine can take more");
    match why {
        Some(why) => format!("{why}; {how}"),
        None => how,
    }
}

/// A figure beyond one of the limits: what is too large, and the help line naming the limit.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Exceeded {
    /// What is too large, with the figures.
    pub message: String,
    /// What to do, and the limit's name and how to raise it.
    pub help: String,
}

fn exceeded(message: String, why: Option<&str>, limit: &str) -> Option<Exceeded> {
    Some(Exceeded { message, help: limit_help(why, limit) })
}

/// A file of `size` bytes (0 when unknown) is larger than [`MAX_FILE_BYTES`].
pub(crate) fn file_too_large(label: &str, size: u64) -> Exceeded {
    Exceeded {
        message: format!(
            "cannot read {label}: it is larger than the limit of {} MiB{} for a scenario file",
            MAX_FILE_BYTES / (1024 * 1024),
            if size > 0 { format!(" ({size} bytes)") } else { String::new() }
        ),
        help: limit_help(Some("scenarios are a few kilobytes of text"), "MAX_FILE_BYTES"),
    }
}

/// Brackets nest deeper than [`MAX_NESTING`].
pub(crate) fn too_deep() -> Exceeded {
    Exceeded {
        message: format!("brackets and parentheses nest more than {MAX_NESTING} deep here"),
        help: limit_help(Some("scenarios nest about six deep"), "MAX_NESTING"),
    }
}

/// More than [`MAX_REPLICATIONS`] replications.
pub(crate) fn replications(n: u32) -> Option<Exceeded> {
    if n <= MAX_REPLICATIONS {
        return None;
    }
    exceeded(
        format!(
            "{} replications is more than the limit of {}",
            group_digits(n as u64),
            group_digits(MAX_REPLICATIONS as u64)
        ),
        Some(
            "the 99 % confidence interval narrows with the square root of the count; \
             run the study in parts with different seeds if you need more",
        ),
        "MAX_REPLICATIONS",
    )
}

/// A horizon longer than [`MAX_HORIZON`].
pub(crate) fn horizon(horizon: SimTime) -> Option<Exceeded> {
    if horizon <= MAX_HORIZON {
        return None;
    }
    exceeded(
        format!(
            "horizon {} is longer than the limit of 10 years ({})",
            format_duration(horizon),
            format_duration(MAX_HORIZON)
        ),
        None,
        "MAX_HORIZON",
    )
}

/// A time series of more than [`MAX_ROWS`] rows; `sample_every` is longer than zero and
/// not longer than `horizon`. The help names the shortest `sample_every` that fits.
pub(crate) fn rows(horizon: SimTime, sample_every: SimTime) -> Option<Exceeded> {
    let rows = horizon.as_millis() / sample_every.as_millis() + 1;
    if rows <= MAX_ROWS {
        return None;
    }
    let least = horizon.as_millis() / MAX_ROWS + 1;
    let least = if least > 1000 { least.div_ceil(1000) * 1000 } else { least };
    exceeded(
        format!(
            "the time series would have {} rows, more than the limit of {}",
            group_digits(rows),
            group_digits(MAX_ROWS)
        ),
        Some(&format!(
            "raise sample_every to at least {} for a horizon of {}",
            format_duration(SimTime::from_millis(least)),
            format_duration(horizon)
        )),
        "MAX_ROWS",
    )
}

/// `n` things of a scenario (`sites`, `pools`, `events`, `failure processes`) against the
/// limit `max` named `limit`.
fn count(n: usize, max: usize, what: &str, why: &str, limit: &str) -> Option<Exceeded> {
    if n <= max {
        return None;
    }
    exceeded(
        format!(
            "the scenario has {} {what}, more than lyncsim's limit of {}",
            group_digits(n as u64),
            group_digits(max as u64)
        ),
        Some(why),
        limit,
    )
}

/// More than [`MAX_SITES`] sites.
pub(crate) fn sites(n: usize) -> Option<Exceeded> {
    count(n, MAX_SITES, "sites", "split the study into several scenarios", "MAX_SITES")
}

/// More than [`MAX_POOLS`] pools.
pub(crate) fn pools(n: usize) -> Option<Exceeded> {
    let why = "split the study into several scenarios, for example one per site or per pair of pools";
    count(n, MAX_POOLS, "pools", why, "MAX_POOLS")
}

/// More than [`MAX_EVENTS`] scheduled events.
pub(crate) fn events(n: usize) -> Option<Exceeded> {
    let why = "split the study into several scenarios, each over a part of the horizon";
    count(n, MAX_EVENTS, "events", why, "MAX_EVENTS")
}

/// More than [`MAX_FAILURES`] failure processes.
pub(crate) fn failures(n: usize) -> Option<Exceeded> {
    let why = "give each target one process; split large studies into several scenarios";
    count(n, MAX_FAILURES, "failure processes", why, "MAX_FAILURES")
}

/// More than [`MAX_TOTAL_USERS`] users in the whole scenario.
pub(crate) fn total_users(total: u64) -> Option<Exceeded> {
    if total <= MAX_TOTAL_USERS {
        return None;
    }
    exceeded(
        format!(
            "the scenario has {} users in total, more than lyncsim's limit of {}: each user costs about \
             {BYTES_PER_USER} bytes of simulation state",
            group_digits(total),
            group_digits(MAX_TOTAL_USERS)
        ),
        Some(&format!(
            "split the study into scenarios of at most {} users each, for example one per pair of \
             pools (a pool fails over only to its partner), and combine their results",
            group_digits(MAX_TOTAL_USERS)
        )),
        "MAX_TOTAL_USERS",
    )
}

/// More than [`MAX_USERS_PER_POOL`] users on the pool `fqdn`.
pub(crate) fn users_per_pool(fqdn: &str, users: u32) -> Option<Exceeded> {
    if users <= MAX_USERS_PER_POOL {
        return None;
    }
    exceeded(
        format!(
            "pool \"{fqdn}\" has {} users, more than lyncsim's limit of {} per pool",
            group_digits(users.into()),
            group_digits(MAX_USERS_PER_POOL.into())
        ),
        None,
        "MAX_USERS_PER_POOL",
    )
}

/// A (positive) `registrations_per_sec` above [`MAX_REGISTRATIONS_PER_SEC`].
pub(crate) fn registrations_per_sec(rate: f64) -> Option<Exceeded> {
    if rate <= MAX_REGISTRATIONS_PER_SEC {
        return None;
    }
    exceeded(
        format!(
            "registrations_per_sec {} is more than lyncsim's limit of {} per front end",
            if rate >= 1e9 { format!("{rate:e}") } else { rate.to_string() },
            group_digits(MAX_REGISTRATIONS_PER_SEC as u64)
        ),
        Some("real front ends sign in tens of users per second"),
        "MAX_REGISTRATIONS_PER_SEC",
    )
}

/// Mean of a delay in seconds, as the sanity bounds read it (a Weibull's scale stands for
/// its mean), and what the figure is (`mean` or `scale`).
fn mean_secs(d: &Delay) -> (&'static str, f64) {
    match *d {
        Delay::Fixed(t) => ("mean", t.as_secs_f64()),
        Delay::Exponential { mean_s } => ("mean", mean_s),
        // The mean is scale * Gamma(1 + 1/shape): at least 0.886 * scale, and above the
        // scale for shape < 1. The scale stands for it: a lower-bound-ish check, close
        // enough for a sanity bound (and no Gamma function is needed).
        Delay::Weibull { scale_s, .. } => ("scale", scale_s),
        Delay::LogNormal { median_s, sigma } => ("mean", median_s * (sigma * sigma / 2.0).exp()),
        Delay::Uniform { min_s, max_s } => ("mean", (min_s + max_s) / 2.0),
    }
}

/// A mean of `delay` shorter than `least`: what the figure is (`mean`, or `scale` for a
/// Weibull), the mean and `least` as written.
fn shorter(delay: &Delay, least: SimTime) -> Option<(&'static str, String, String)> {
    let (what, mean_s) = mean_secs(delay);
    (mean_s < least.as_secs_f64())
        .then(|| (what, format_duration(SimTime::from_secs_f64(mean_s)), format_duration(least)))
}

/// The `mtbf` of a failure at `path` (a valid distribution) with a mean shorter than
/// [`MIN_MTBF`].
pub(crate) fn mtbf(path: &str, delay: &Delay) -> Option<Exceeded> {
    let (what, value, least) = shorter(delay, MIN_MTBF)?;
    exceeded(
        format!(
            "{path} has a {what} of {value}, shorter than {least}: failures that frequent would make \
             the run unbounded"
        ),
        Some(&format!(
            "lyncsim needs a mean time between failures of at least {least}; real ones are hours \
             to years, such as Exponential(mean: \"4000h\")"
        )),
        "MIN_MTBF",
    )
}

/// The `mttr` of a failure at `path` (a valid distribution) with a mean shorter than
/// [`MIN_MTTR`].
pub(crate) fn mttr(path: &str, delay: &Delay) -> Option<Exceeded> {
    let (what, value, least) = shorter(delay, MIN_MTTR)?;
    exceeded(
        format!("{path} has a {what} of {value}, shorter than lyncsim's lower bound of {least} for a repair"),
        Some(&format!(
            "lyncsim needs a mean time to repair of at least {least}; real ones are minutes to \
             hours, such as LogNormal(median: \"4h\", sigma: 0.6)"
        )),
        "MIN_MTTR",
    )
}

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

/// The limits that multiply (the Limits table of docs/scenario-reference.md): samples,
/// user-replications and expected failures of a whole study, from a config whose own fields
/// are within their limits.
/// `validate` applies it, and the commands apply it again after `--replications`. It only
/// multiplies figures: nothing is allocated.
pub fn overloads(c: &Config) -> Vec<Overload> {
    let mut out = Vec::new();
    let reps = u128::from(c.replications.max(1));
    let step = c.sample_every.as_millis().max(1);
    let rows = u128::from(c.horizon.as_millis() / step + 1);
    let big = |n: u128| group_digits(u64::try_from(n).unwrap_or(u64::MAX));
    if rows * reps > u128::from(MAX_SAMPLES) {
        out.push(Overload {
            path: "replications",
            message: format!(
                "{} rows x {} replications is {} time-series samples, more than the limit of {}",
                big(rows),
                big(reps),
                big(rows * reps),
                group_digits(MAX_SAMPLES)
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
                group_digits(MAX_USER_REPLICATIONS)
            ),
            help: limit_help(
                Some("run fewer replications, or split the study into scenarios over fewer pools"),
                "MAX_USER_REPLICATIONS",
            ),
        });
    }
    let horizon_s = c.horizon.as_secs_f64();
    let per_run: f64 = c.failures.iter().map(|f| horizon_s / mean_secs(&f.mtbf).1.max(1e-3)).sum();
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
                group_digits(MAX_EXPECTED_FAILURES)
            ),
            help: limit_help(
                Some("real mean times between failures are hours to years; use fewer replications or a shorter horizon"),
                "MAX_EXPECTED_FAILURES",
            ),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_horizon_is_ten_years() {
        assert_eq!(format_duration(MAX_HORIZON), "3650d");
        assert!(horizon(MAX_HORIZON).is_none());
        assert_eq!(
            horizon(SimTime::from_secs(10 * 365 * 86_400 + 1)).unwrap().message,
            "horizon 3650d1s is longer than the limit of 10 years (3650d)"
        );
    }

    #[test]
    fn limits_are_inclusive_and_name_themselves() {
        assert!(sites(MAX_SITES).is_none() && pools(MAX_POOLS).is_none() && events(MAX_EVENTS).is_none());
        assert!(failures(MAX_FAILURES).is_none() && replications(MAX_REPLICATIONS).is_none());
        let e = failures(MAX_FAILURES + 1).unwrap();
        assert_eq!(
            e.message,
            "the scenario has 10,001 failure processes, more than lyncsim's limit of 10,000"
        );
        assert!(e.help.ends_with(&limit_help(None, "MAX_FAILURES")), "{}", e.help);
        assert!(registrations_per_sec(MAX_REGISTRATIONS_PER_SEC).is_none());
        assert_eq!(
            registrations_per_sec(2e9).unwrap().message,
            "registrations_per_sec 2e9 is more than lyncsim's limit of 100,000 per front end"
        );
    }
}
