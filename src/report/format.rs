//! Number and time formatters of every report: the six decimals of the CSV and JSON files,
//! grouped digits, chart tick numbers, and the reader's units of `report.html`. One function
//! per format; reports and charts call these instead of writing their own.

use std::fmt::Write as _;

use serde_json::Value;

use crate::engine::SimTime;
use crate::text::group;
pub use crate::text::group_digits;

/// Seconds with three decimals (virtual time is in milliseconds).
pub fn secs(t: SimTime) -> String {
    format!("{}.{:03}", t.as_millis() / 1000, t.as_millis() % 1000)
}

/// A float rounded to six decimals, for byte-stable output.
pub fn round6(x: f64) -> f64 {
    if x.is_finite() {
        (x * 1e6).round() / 1e6
    } else {
        0.0
    }
}

/// A number with exactly six decimals, rounded half away from zero at the sixth
/// ([`round6`]): `0.994203`, `1.000000`, never `1e-6`; NaN and infinities print as
/// `0.000000`, a negative value keeps its sign (`-0.000000` included).
pub fn six(x: f64) -> String {
    let micros = (x * 1e6).round();
    if micros.is_sign_positive() && micros < 8e15 {
        // Integer formatting, several times faster than `{:.6}` on the million cells of a
        // replicated year; below 2^33 a double tells millionths apart, so the text is the
        // same as `{:.6}` of `round6(x)`.
        let micros = micros as u64;
        format!("{}.{:06}", micros / 1_000_000, micros % 1_000_000)
    } else {
        format!("{:.6}", round6(x))
    }
}

/// A JSON number printed with exactly six decimals ([`six`]).
pub fn fixed6(x: f64) -> Value {
    Value::Number(six(x).parse().expect("a decimal literal is a valid JSON number"))
}

/// A number with at most three decimals, trailing zeros dropped, never "-0" (chart ticks).
pub fn trim_number(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// A number with `digits` significant digits and at least three decimals (what
/// [`trim_number`] shows, so no digit it showed is lost) and the whole part, trailing zeros
/// dropped, never "-0": `0.9995`, `0.994203`, `2082.417`, `53280`.
pub fn significant(v: f64, digits: u32) -> String {
    if !v.is_finite() || v == 0.0 {
        return "0".to_string();
    }
    let magnitude = v.abs().log10().floor() as i32;
    let decimals = (digits as i32 - 1 - magnitude).clamp(3, 17) as usize;
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.') } else { s.as_str() };
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// A number as a reader compares it with a target: six significant digits ([`significant`],
/// at least three decimals),
/// more when six would print the same text as `other` though `v` differs from it
/// (`0.99949999` against `0.9995` shows `0.99949999`, not `0.9995 < 0.9995`).
pub fn sig6_against(v: f64, other: f64) -> String {
    (6..=17)
        .map(|d| significant(v, d))
        .find(|s| v == other || s.parse::<f64>() != Ok(other))
        .unwrap_or_else(|| significant(v, 17))
}

// ---------------------------------------------------------------------------------------
// For a reader (report.html)

/// `1234567.8` -> `1,234,568` with `decimals` decimals; a minus sign (U+2212) unless the
/// rounded number is zero.
pub fn grouped(x: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, x.abs());
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text.as_str(), None),
    };
    let mut s = String::new();
    if x < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        s.push('−');
    }
    s.push_str(&group(int));
    if let Some(f) = frac {
        s.push('.');
        s.push_str(f);
    }
    s
}

/// A count or an amount: whole numbers as they are, means with a few decimals.
pub fn count(x: f64) -> String {
    let a = x.abs();
    let decimals = if x.fract() == 0.0 || a >= 1000.0 {
        0
    } else if a >= 100.0 {
        1
    } else if a >= 1.0 {
        2
    } else {
        3
    };
    grouped(x, decimals)
}

/// A fraction as a percentage with four decimals (the six decimals of `summary.json`).
pub fn pct(x: f64) -> String {
    format!("{} %", grouped(x * 100.0, 4))
}

/// A duration in seconds, for a reader: `45.8 s`, `4 min 48 s`, `2 h 06 min`, `3 d 04 h`
/// (a zero second part dropped: `6 h`, `365 d`).
pub fn dur(x: f64) -> String {
    fn two(a: u64, unit_a: &str, b: u64, unit_b: &str) -> String {
        if b == 0 {
            format!("{a} {unit_a}")
        } else {
            format!("{a} {unit_a} {b:02} {unit_b}")
        }
    }
    let sign = if x < 0.0 { "−" } else { "" };
    let s = x.abs();
    let tenths = (s * 10.0).round() as u64;
    let text = if tenths < 600 {
        match tenths % 10 {
            0 => format!("{} s", tenths / 10),
            t => format!("{}.{t} s", tenths / 10),
        }
    } else if (s.round() as u64) < 3600 {
        let r = s.round() as u64;
        two(r / 60, "min", r % 60, "s")
    } else if ((s / 60.0).round() as u64) < 1440 {
        let m = (s / 60.0).round() as u64;
        two(m / 60, "h", m % 60, "min")
    } else {
        let h = (s / 3600.0).round() as u64;
        two(h / 24, "d", h % 24, "h")
    };
    format!("{sign}{text}")
}

/// An instant of the run to the second (seconds in): `01:00:00`, then `75 d 16:49` past the
/// first day.
pub fn at(x: f64) -> String {
    let s = x.max(0.0).round() as u64;
    if s < 86_400 {
        clock(s as f64)
    } else {
        format!("{} d {:02}:{:02}", s / 86_400, s / 3600 % 24, s / 60 % 60)
    }
}

/// An instant of the run, from its start (seconds in): `01:00:00`, `01:00:00.500`,
/// `123 d 04:05:06`.
pub fn clock(x: f64) -> String {
    let ms = (x.max(0.0) * 1000.0).round() as u64;
    let (d, rest) = (ms / 86_400_000, ms % 86_400_000);
    let (h, m, s, milli) = (rest / 3_600_000, rest / 60_000 % 60, rest / 1000 % 60, rest % 1000);
    let mut t = if d > 0 { format!("{d} d ") } else { String::new() };
    let _ = write!(t, "{h:02}:{m:02}:{s:02}");
    if milli > 0 {
        let _ = write!(t, ".{milli:03}");
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_floats_have_exactly_six_decimals() {
        let text = |x: f64| serde_json::to_string(&fixed6(x)).unwrap();
        assert_eq!(text(1.0), "1.000000");
        assert_eq!(text(0.000_000_4), "0.000000");
        assert_eq!(text(0.000_001), "0.000001");
        assert_eq!(text(0.994_203_4), "0.994203");
        assert_eq!(text(31_536_000.0), "31536000.000000");
        assert_eq!(text(f64::NAN), "0.000000");
        assert_eq!(secs(SimTime::from_millis(3_600_005)), "3600.005");
    }

    #[test]
    fn six_decimals_from_integers() {
        assert_eq!(six(0.0), "0.000000");
        assert_eq!(six(1.0), "1.000000");
        assert_eq!(six(0.999_845_4), "0.999845");
        assert_eq!(six(0.000_000_6), "0.000001");
        assert_eq!(six(2_499.987_5), "2499.987500");
        assert_eq!(six(-0.5), "-0.500000");
        assert_eq!(six(-0.000_000_1), "-0.000000");
        assert_eq!(six(f64::INFINITY), "0.000000");
        assert_eq!(six(1e12 + 0.25), "1000000000000.250000");
    }

    #[test]
    fn six_is_round6_with_six_decimals_everywhere() {
        // The integer path and `{:.6}` agree across magnitudes, near the 2^33 switch too.
        let mut state = 1u64;
        let mut next = || {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        for scale in [1e-7, 1e-3, 1.0, 1e3, 1e6, 1e9, 7.9e9, 8e9, 8.1e9, 1e11] {
            for _ in 0..20_000 {
                let x = next() * scale;
                assert_eq!(six(x), format!("{:.6}", round6(x)), "{x:e}");
            }
        }
        for x in [0.000_000_5, 1.000_000_5, 2.5e-7, 7_999_999_999.999_999, 8e9, 0.0, -0.0] {
            assert_eq!(six(x), format!("{:.6}", round6(x)), "{x:e}");
        }
    }

    #[test]
    fn grouped_digits_and_ticks() {
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(1_000), "1,000");
        assert_eq!(group_digits(1_234_567), "1,234,567");
        assert_eq!(trim_number(-0.0001), "0");
        assert_eq!(trim_number(2.50), "2.5");
        assert_eq!(trim_number(99.9876), "99.988");
        assert_eq!(significant(0.9995, 6), "0.9995");
        assert_eq!(significant(0.994203456, 6), "0.994203");
        assert_eq!(significant(2082.4166, 6), "2082.417");
        assert_eq!(significant(0.000123456789, 6), "0.000123457");
        assert_eq!(significant(53280.0, 6), "53280");
        assert_eq!(significant(1234567.8, 6), "1234567.8");
        assert_eq!(significant(-0.0000001, 6), "-0.0000001");
        assert_eq!(significant(0.0, 6), "0");
        assert_eq!(sig6_against(0.99949999, 0.9995), "0.99949999");
        assert_eq!(sig6_against(0.995, 0.9995), "0.995");
        assert_eq!(sig6_against(900.0, 900.0), "900");
    }

    #[test]
    fn reader_formats() {
        assert_eq!(grouped(1_234_567.8, 0), "1,234,568");
        assert_eq!(grouped(-1234.5, 1), "−1,234.5");
        assert_eq!(grouped(-0.0001, 2), "0.00");
        assert_eq!(count(0.009), "0.009");
        assert_eq!(count(4.514), "4.51");
        assert_eq!(count(2474.387), "2,474");
        assert_eq!(count(250.26), "250.3");
        assert_eq!(pct(0.994_203), "99.4203 %");
        assert_eq!(dur(0.0), "0 s");
        assert_eq!(dur(45.819), "45.8 s");
        assert_eq!(dur(7562.5), "2 h 06 min");
        assert_eq!(dur(31_536_000.0), "365 d");
        assert_eq!(dur(21_600.0), "6 h");
        assert_eq!(dur(59.97), "1 min");
        assert_eq!(dur(3599.6), "1 h");
        assert_eq!(at(6_540_562.748), "75 d 16:49");
        assert_eq!(at(3600.4), "01:00:00");
        assert_eq!(clock(3600.5), "01:00:00.500");
        assert_eq!(clock(6_540_562.748), "75 d 16:49:22.748");
    }
}
