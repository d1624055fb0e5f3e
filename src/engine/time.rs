//! Integer virtual time.

use std::fmt;

/// A point or span of virtual time, in whole milliseconds.
///
/// Durations sampled from continuous distributions are converted once, by
/// [`SimTime::from_secs_f64`], which rounds to the nearest millisecond (ties away from zero).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SimTime(u64);

/// Misuse of virtual time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    /// A time computation went past the largest representable instant.
    #[error("virtual time overflow: the result is later than {} ms", u64::MAX)]
    Overflow,
    /// An event was scheduled before the current time.
    #[error("event scheduled at {at} ms, before the current time {now} ms")]
    InThePast {
        /// The current time.
        now: SimTime,
        /// The requested time.
        at: SimTime,
    },
}

impl SimTime {
    /// Time zero.
    pub const ZERO: SimTime = SimTime(0);
    /// The largest representable time.
    pub const MAX: SimTime = SimTime(u64::MAX);

    /// From whole milliseconds.
    pub const fn from_millis(ms: u64) -> Self {
        SimTime(ms)
    }

    /// From whole seconds (saturating).
    pub const fn from_secs(s: u64) -> Self {
        SimTime(s.saturating_mul(1000))
    }

    /// From fractional seconds, rounded to the nearest millisecond; negative and NaN give
    /// zero, values past the end of time saturate.
    pub fn from_secs_f64(s: f64) -> Self {
        if s.is_nan() || s <= 0.0 {
            return SimTime::ZERO;
        }
        let ms = (s * 1000.0).round();
        if ms >= u64::MAX as f64 {
            SimTime::MAX
        } else {
            SimTime(ms as u64)
        }
    }

    /// Whole milliseconds.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// Seconds as a float.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }

    /// `self + other`, or [`TimeError::Overflow`].
    pub fn checked_add(self, other: SimTime) -> Result<SimTime, TimeError> {
        self.0.checked_add(other.0).map(SimTime).ok_or(TimeError::Overflow)
    }

    /// `self + other`, saturating at [`SimTime::MAX`].
    pub fn saturating_add(self, other: SimTime) -> SimTime {
        SimTime(self.0.saturating_add(other.0))
    }

    /// `self - other`, saturating at zero.
    pub fn saturating_sub(self, other: SimTime) -> SimTime {
        SimTime(self.0.saturating_sub(other.0))
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overflow_is_an_error() {
        assert_eq!(SimTime::MAX.checked_add(SimTime::from_millis(1)), Err(TimeError::Overflow));
        assert_eq!(SimTime::from_millis(1).checked_add(SimTime::from_millis(2)), Ok(SimTime::from_millis(3)));
    }

    #[test]
    fn float_seconds_round_to_the_nearest_millisecond() {
        assert_eq!(SimTime::from_secs_f64(1.2345), SimTime::from_millis(1235));
        assert_eq!(SimTime::from_secs_f64(-3.0), SimTime::ZERO);
        assert_eq!(SimTime::from_secs_f64(f64::NAN), SimTime::ZERO);
        assert_eq!(SimTime::from_secs_f64(1e30), SimTime::MAX);
    }
}
