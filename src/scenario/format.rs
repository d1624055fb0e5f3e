//! Values written back as a user writes them, for messages: durations in their shortest form
//! (`1h15m`), timings and back ends as in a scenario file (counts: [`crate::text`]).

use super::duration::{Distribution, Duration, TimeValue};
use super::raw;
use crate::engine::SimTime;

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

/// A back end's variant name: `Local`, `Single`, `Mirrored`.
pub(crate) fn back_end_name(b: raw::BackEnd) -> &'static str {
    match b {
        raw::BackEnd::Local => "Local",
        raw::BackEnd::Single => "Single",
        raw::BackEnd::Mirrored { .. } => "Mirrored",
    }
}

/// A back end as written in files: `Single`, `Mirrored(witness: false)`.
pub(crate) fn back_end_written(b: raw::BackEnd) -> String {
    match b {
        raw::BackEnd::Mirrored { witness } => format!("Mirrored(witness: {witness})"),
        other => back_end_name(other).to_string(),
    }
}

/// A duration as written in files, quoted: `"15m"`.
pub(crate) fn quoted_duration(d: Duration) -> String {
    format!("\"{}\"", format_duration(d.time()))
}

/// A timing as it would be written in a file: `"15m"`, `Exponential(mean: "2m")`.
pub(crate) fn format_time_value(v: &TimeValue) -> String {
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
pub(crate) fn format_distribution(dist: &Distribution) -> String {
    match dist {
        Distribution::Fixed(d) => format!("Fixed({})", quoted_duration(*d)),
        _ => format_time_value(&TimeValue::Random(*dist)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_print_in_their_shortest_form() {
        let ms = SimTime::from_millis;
        assert_eq!(format_duration(ms(0)), "0s");
        assert_eq!(format_duration(ms(250)), "250ms");
        assert_eq!(format_duration(ms(90_500)), "1m30.5s");
        assert_eq!(format_duration(ms(4_500_000)), "1h15m");
        assert_eq!(format_duration(ms(46_800_000)), "13h");
    }
}
