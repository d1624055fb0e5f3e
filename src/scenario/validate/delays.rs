//! Timings: a fixed duration or a distribution, checked (longer than zero, a distribution
//! named as its fields say, valid parameters, within a range where one applies) and turned
//! into the model's [`Delay`].

use super::Validator;
use crate::engine::SimTime;
use crate::model::Delay;
use crate::scenario::diagnostic::did_you_mean;
use crate::scenario::duration::{Distribution, Duration, TimeValue};
use crate::scenario::format::{format_distribution, format_duration, format_time_value};

/// The distributions of a timing, as written in files.
const DISTRIBUTIONS: [&str; 5] = ["Fixed", "Exponential", "Weibull", "LogNormal", "Uniform"];

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

impl Validator<'_> {
    /// A timing: fixed values must be longer than zero; distributions must be named as
    /// their fields say (see [`Validator::distribution_name`]) and valid.
    pub(super) fn delay(&mut self, path: &str, value: &TimeValue) -> Delay {
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

    /// A fixed duration, which must be longer than zero.
    fn positive(&mut self, path: &str, d: Duration) -> Delay {
        if d.time() == SimTime::ZERO {
            self.error(path, format!("{path} must be longer than zero"));
        }
        Delay::Fixed(d.time())
    }

    /// A distribution's parameters: durations longer than zero, a positive shape, a sigma of
    /// at least 0, a Uniform's min not above its max.
    pub(super) fn distribution(&mut self, path: &str, dist: &Distribution) -> Delay {
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
    pub(super) fn delay_within(
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
}

/// The shortest and longest values a timing can take, when it is bounded (fixed or Uniform).
pub(super) fn bounds(v: &TimeValue) -> Option<(SimTime, SimTime)> {
    match v {
        TimeValue::Fixed(d) | TimeValue::Random(Distribution::Fixed(d)) => Some((d.time(), d.time())),
        TimeValue::Random(Distribution::Uniform { min, max }) => Some((min.time(), max.time())),
        TimeValue::Random(_) => None,
    }
}

/// A distribution as the model's delay (parameters already checked).
pub(super) fn to_delay(dist: &Distribution) -> Delay {
    let secs = |d: Duration| d.time().as_secs_f64();
    match *dist {
        Distribution::Fixed(d) => Delay::Fixed(d.time()),
        Distribution::Exponential { mean } => Delay::Exponential { mean_s: secs(mean) },
        Distribution::Weibull { shape, scale } => Delay::Weibull { shape, scale_s: secs(scale) },
        Distribution::LogNormal { median, sigma } => Delay::LogNormal { median_s: secs(median), sigma },
        Distribution::Uniform { min, max } => Delay::Uniform { min_s: secs(min), max_s: secs(max) },
    }
}

/// A timing as the model's delay (parameters already checked).
pub(super) fn time_value(v: &TimeValue) -> Delay {
    match v {
        TimeValue::Fixed(d) => Delay::Fixed(d.time()),
        TimeValue::Random(dist) => to_delay(dist),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    /// Distributions named as their fields say, and anonymous ones, load (misnamed ones:
    /// fixtures bad-distribution-name and distribution-names).
    #[test]
    fn distribution_names_must_match_their_fields() {
        let c = ok(&with_fields(
            "clients: Clients(retry: Fixed(\"5s\"), keepalive: (median: \"4m\", sigma: 0.5)),\n    \
             timing: Timing(cms_replication: Exponential(mean: \"1m\"), full_backup: Weibull(shape: 2.0, scale: 60))",
        ))
        .config;
        assert_eq!(c.clients.keepalive, Delay::LogNormal { median_s: 240.0, sigma: 0.5 });
        assert_eq!(c.timing.full_backup, Some(Delay::Weibull { shape: 2.0, scale_s: 60.0 }));
    }

    /// Ranged timings within their range load: fixed, Fixed(...) and Uniform; keepalive and the
    /// retry delays have sanity bounds only, where unbounded distributions are allowed (outside
    /// their range: fixtures ranged-timings, refresh-lognormal, refresh-uniform-too-long,
    /// registrar-expiration-weibull, keepalive-uniform-too-long).
    #[test]
    fn ranged_timings_stay_within_their_range() {
        let c = ok(&with_fields(
            "clients: Clients(refresh: Uniform(min: \"5m\", max: \"15m\"), keepalive: Exponential(mean: \"5m\"), \
             retry: LogNormal(median: \"30s\", sigma: 1.0), retry_max: \"1s\"),\n    \
             backup_service: BackupService(sync_interval: Fixed(\"3h\"))",
        ))
        .config;
        assert_eq!(c.clients.refresh, Delay::Uniform { min_s: 300.0, max_s: 900.0 });
    }
}
