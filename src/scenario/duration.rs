//! Durations and timing values as written in scenario files.
//!
//! A duration is a plain integer (seconds) or a string of number-unit pairs such as
//! `"90s"`, `"2m"`, `"1h15m"`, `"1.5h"` or `"250ms"`; units are `ms`, `s`, `m`, `h`, `d`, each
//! at most once and from the largest to the smallest (`"1m1h"` and `"1h 1h"` are errors).
//! A timing ([`TimeValue`]) is a duration or one of the distributions of [`Distribution`].

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::engine::SimTime;

/// A non-negative span of time parsed from a scenario file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Duration(pub SimTime);

impl Duration {
    /// From whole seconds.
    pub const fn secs(s: u64) -> Self {
        Duration(SimTime::from_secs(s))
    }

    /// The virtual time span.
    pub fn time(self) -> SimTime {
        self.0
    }
}

const UNITS: &str =
    "a whole number of seconds or a string like \"90s\", \"2m\", \"1h15m\" (units ms, s, m, h, d)";

/// Parse `"1h15m"`-style text into milliseconds.
pub fn parse_duration(text: &str) -> Result<SimTime, String> {
    let bad = || format!("invalid duration \"{text}\": expected {UNITS}");
    let s = text.trim();
    if s.is_empty() {
        return Err(bad());
    }
    if s.starts_with('-') {
        return Err(format!("invalid duration \"{text}\": durations cannot be negative"));
    }
    let mut total: f64 = 0.0;
    let mut rest = s;
    // Rank of the last unit read: each unit at most once, from largest to smallest.
    let mut last_rank: Option<u8> = None;
    while !rest.is_empty() {
        let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        if num_len == 0 {
            return Err(bad());
        }
        let number: f64 = rest[..num_len].parse().map_err(|_| bad())?;
        rest = &rest[num_len..];
        let unit_len = rest.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(rest.len());
        let (factor, rank) = match &rest[..unit_len] {
            "ms" => (0.001, 0),
            "s" => (1.0, 1),
            "m" => (60.0, 2),
            "h" => (3600.0, 3),
            "d" => (86400.0, 4),
            "" if num_len == s.len() => (1.0, 1),
            _ => return Err(bad()),
        };
        if last_rank.is_some_and(|last| rank >= last) {
            return Err(format!(
                "invalid duration \"{text}\": units must go from largest to smallest, each once, as in \"1h15m\""
            ));
        }
        last_rank = Some(rank);
        rest = rest[unit_len..].trim_start();
        total += number * factor;
    }
    if !total.is_finite() || total * 1000.0 >= u64::MAX as f64 {
        return Err(format!("invalid duration \"{text}\": too long"));
    }
    Ok(SimTime::from_secs_f64(total))
}

struct DurationVisitor;

impl Visitor<'_> for DurationVisitor {
    type Value = Duration;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(UNITS)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Duration, E> {
        if v > u64::MAX / 1000 {
            return Err(E::custom(format!("invalid duration {v}: too long")));
        }
        Ok(Duration(SimTime::from_secs(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Duration, E> {
        if v < 0 {
            return Err(E::custom(format!("invalid duration {v}: durations cannot be negative")));
        }
        self.visit_u64(v as u64)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Duration, E> {
        if v.is_nan() || v < 0.0 || v.is_infinite() {
            return Err(E::custom(format!("invalid duration {v}: durations cannot be negative")));
        }
        Ok(Duration(SimTime::from_secs_f64(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Duration, E> {
        parse_duration(v).map(Duration).map_err(E::custom)
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(DurationVisitor)
    }
}

/// A probability distribution of a duration (rand_distr), as written in scenario files.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Distribution {
    /// Always the same value.
    Fixed(Duration),
    /// Exponential with the given mean.
    Exponential {
        /// Mean.
        mean: Duration,
    },
    /// Weibull with shape `k` and scale `lambda`.
    Weibull {
        /// Shape parameter k (> 0).
        shape: f64,
        /// Scale parameter lambda.
        scale: Duration,
    },
    /// Log-normal given by its median (e^mu) and sigma.
    LogNormal {
        /// Median.
        median: Duration,
        /// Standard deviation of the logarithm.
        sigma: f64,
    },
    /// Uniform between `min` and `max`.
    Uniform {
        /// Lower bound.
        min: Duration,
        /// Upper bound.
        max: Duration,
    },
}

impl Distribution {
    /// The variant's name as written in files.
    pub fn name(&self) -> &'static str {
        match self {
            Distribution::Fixed(_) => "Fixed",
            Distribution::Exponential { .. } => "Exponential",
            Distribution::Weibull { .. } => "Weibull",
            Distribution::LogNormal { .. } => "LogNormal",
            Distribution::Uniform { .. } => "Uniform",
        }
    }
}

/// A timing: a fixed duration or a distribution.
///
/// RON's self-describing parser does not report a struct-like value's name, so a
/// distribution written in a timing field is recognised by its field names:
/// `(mean)` Exponential, `(shape, scale)` Weibull, `(median, sigma)` LogNormal,
/// `(min, max)` Uniform, and a one-element tuple `Fixed(d)`. Validation then checks the
/// name written before the `(` against them (`super::validate`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TimeValue {
    /// A fixed duration.
    Fixed(Duration),
    /// A random duration, drawn each time it is used.
    Random(Distribution),
}

impl TimeValue {
    /// A fixed number of seconds.
    pub const fn secs(s: u64) -> Self {
        TimeValue::Fixed(Duration::secs(s))
    }
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum DistKey {
    Mean,
    Shape,
    Scale,
    Median,
    Sigma,
    Min,
    Max,
}

struct TimeValueVisitor;

impl<'de> Visitor<'de> for TimeValueVisitor {
    type Value = TimeValue;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{UNITS}, or a distribution such as Exponential(mean: \"2m\")")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<TimeValue, E> {
        DurationVisitor.visit_u64(v).map(TimeValue::Fixed)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<TimeValue, E> {
        DurationVisitor.visit_i64(v).map(TimeValue::Fixed)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<TimeValue, E> {
        DurationVisitor.visit_f64(v).map(TimeValue::Fixed)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<TimeValue, E> {
        DurationVisitor.visit_str(v).map(TimeValue::Fixed)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<TimeValue, A::Error> {
        let d: Duration = seq
            .next_element()?
            .ok_or_else(|| de::Error::custom("Fixed needs one duration, as in Fixed(\"2m\")"))?;
        if seq.next_element::<de::IgnoredAny>()?.is_some() {
            return Err(de::Error::custom("Fixed takes one duration, as in Fixed(\"2m\")"));
        }
        Ok(TimeValue::Random(Distribution::Fixed(d)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TimeValue, A::Error> {
        let (mut mean, mut scale, mut median, mut min, mut max) = (None, None, None, None, None);
        let (mut shape, mut sigma) = (None, None);
        while let Some(key) = map.next_key::<DistKey>()? {
            match key {
                DistKey::Mean => mean = Some(map.next_value::<Duration>()?),
                DistKey::Scale => scale = Some(map.next_value::<Duration>()?),
                DistKey::Median => median = Some(map.next_value::<Duration>()?),
                DistKey::Min => min = Some(map.next_value::<Duration>()?),
                DistKey::Max => max = Some(map.next_value::<Duration>()?),
                DistKey::Shape => shape = Some(map.next_value::<f64>()?),
                DistKey::Sigma => sigma = Some(map.next_value::<f64>()?),
            }
        }
        let dist = match (mean, shape, scale, median, sigma, min, max) {
            (Some(mean), None, None, None, None, None, None) => Distribution::Exponential { mean },
            (None, Some(shape), Some(scale), None, None, None, None) => {
                Distribution::Weibull { shape, scale }
            }
            (None, None, None, Some(median), Some(sigma), None, None) => {
                Distribution::LogNormal { median, sigma }
            }
            (None, None, None, None, None, Some(min), Some(max)) => Distribution::Uniform { min, max },
            _ => {
                return Err(de::Error::custom(
                    "not a distribution: expected Exponential(mean), Weibull(shape, scale), \
                     LogNormal(median, sigma), Uniform(min, max) or Fixed(d)",
                ))
            }
        };
        Ok(TimeValue::Random(dist))
    }
}

impl<'de> Deserialize<'de> for TimeValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TimeValueVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(text: &str) -> u64 {
        parse_duration(text).unwrap().as_millis()
    }

    #[test]
    fn parses_compound_durations() {
        assert_eq!(ms("90s"), 90_000);
        assert_eq!(ms("2m"), 120_000);
        assert_eq!(ms("1h15m"), 4_500_000);
        assert_eq!(ms("4000h"), 14_400_000_000);
        assert_eq!(ms("250ms"), 250);
        assert_eq!(ms("1.5h"), 5_400_000);
        assert_eq!(ms("1d 2h"), 93_600_000);
        assert_eq!(ms("42"), 42_000);
    }

    #[test]
    fn rejects_bad_durations() {
        for bad in ["", "5x", "h", "-5s", "1h15", "1..5s", "s5"] {
            assert!(parse_duration(bad).is_err(), "{bad:?} should be rejected");
        }
        for repeated_or_unordered in ["1h 1h", "1m1h", "30s1m", "1s 250ms 1s", "1d1d", "5ms2s"] {
            assert_eq!(
                parse_duration(repeated_or_unordered),
                Err(format!(
                    "invalid duration \"{repeated_or_unordered}\": units must go from largest to smallest, \
                     each once, as in \"1h15m\""
                )),
            );
        }
        assert_eq!(ms("1d 2h 3m 4s 5ms"), 93_784_005);
        assert_eq!(ms("1h 30s"), 3_630_000);
    }

    #[derive(Debug, Deserialize)]
    struct Holder {
        t: TimeValue,
    }

    fn tv(text: &str) -> TimeValue {
        ron::from_str::<Holder>(&format!("(t: {text})")).unwrap().t
    }

    #[test]
    fn timings_are_durations_or_distributions() {
        assert_eq!(tv("120"), TimeValue::secs(120));
        assert_eq!(tv("\"2m\""), TimeValue::secs(120));
        assert_eq!(
            tv("Exponential(mean: \"2m\")"),
            TimeValue::Random(Distribution::Exponential { mean: Duration::secs(120) })
        );
        assert_eq!(
            tv("LogNormal(median: \"4h\", sigma: 0.6)"),
            TimeValue::Random(Distribution::LogNormal { median: Duration::secs(14_400), sigma: 0.6 })
        );
        assert_eq!(tv("Fixed(\"5s\")"), TimeValue::Random(Distribution::Fixed(Duration::secs(5))));
        assert!(ron::from_str::<Holder>("(t: Exponential(average: \"2m\"))").is_err());
    }
}
