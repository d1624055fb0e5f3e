//! Percentiles and confidence intervals over replications.
//!
//! Percentiles interpolate linearly between order statistics (Hyndman and Fan's type 7, the
//! default of R and NumPy): with `n` sorted values `x`, `p` falls at `h = (n - 1) p` and the
//! result is `x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h])`. The 95 % confidence
//! interval of a mean is `mean ± t(0.975, n - 1) s / sqrt(n)`, Student's t with the sample
//! standard deviation `s`, clipped to the values the quantity can take ([`Describe::within`]):
//! the interval is symmetric, so with few replications or a mean near a bound it would
//! otherwise reach an availability above 100 % or a negative duration.

use std::collections::BTreeMap;

use statrs::distribution::{ContinuousCDF, StudentsT};

/// The statistics `summary.json` prints for every number of a replicated run
/// (docs/model.md#replications).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Describe {
    /// Values described (replications where the number exists).
    pub n: usize,
    /// Arithmetic mean, summed in replication order.
    pub mean: f64,
    /// Lower end of the 95 % confidence interval of the mean.
    pub ci95_low: f64,
    /// Upper end.
    pub ci95_high: f64,
    /// 5th percentile.
    pub p05: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
}

impl Describe {
    /// Describe `values` (in replication order); `None` when there are none.
    pub fn of(values: &[f64]) -> Option<Describe> {
        let n = values.len();
        if n == 0 {
            return None;
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        let half = if n < 2 {
            0.0
        } else {
            let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1) as f64;
            t975(n - 1) * (var / n as f64).sqrt()
        };
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        Some(Describe {
            n,
            mean,
            ci95_low: mean - half,
            ci95_high: mean + half,
            p05: percentile(&sorted, 0.05),
            p50: percentile(&sorted, 0.50),
            p95: percentile(&sorted, 0.95),
        })
    }
}

impl Describe {
    /// The same description with the confidence interval clipped to `lo..=hi`, the values
    /// the described quantity can take.
    pub fn within(self, lo: f64, hi: f64) -> Describe {
        Describe { ci95_low: self.ci95_low.clamp(lo, hi), ci95_high: self.ci95_high.clamp(lo, hi), ..self }
    }
}

/// The 0.975 quantile of Student's t with `df` degrees of freedom.
pub fn t975(df: usize) -> f64 {
    match StudentsT::new(0.0, 1.0, df as f64) {
        Ok(t) => t.inverse_cdf(0.975),
        Err(_) => f64::NAN,
    }
}

/// Where percentile `p` falls among `n` sorted values: the lower order statistic's index and
/// the weight of the next one.
fn position(n: usize, p: f64) -> (usize, f64) {
    let h = (n - 1) as f64 * p;
    let lo = h.floor();
    (lo as usize, h - lo)
}

/// Percentile `p` of sorted `values` (type 7); `values` must not be empty.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    let (lo, w) = position(sorted.len(), p);
    match sorted.get(lo + 1) {
        Some(next) if w > 0.0 => sorted[lo] + w * (next - sorted[lo]),
        _ => sorted[lo],
    }
}

/// A multiset of counts (value -> how many replications have it), for percentiles of a
/// time-series row that change a few replications at a time.
#[derive(Debug, Default, Clone)]
pub struct Multiset {
    counts: BTreeMap<u64, u32>,
    len: usize,
}

impl Multiset {
    /// Add one value.
    pub fn insert(&mut self, value: u64) {
        *self.counts.entry(value).or_default() += 1;
        self.len += 1;
    }

    /// Remove one occurrence of `value` (which must be present).
    pub fn remove(&mut self, value: u64) {
        if let Some(n) = self.counts.get_mut(&value) {
            *n -= 1;
            if *n == 0 {
                self.counts.remove(&value);
            }
            self.len -= 1;
        }
    }

    /// Percentile `p` (type 7), walking from the nearer end so the 5th and 95th percentiles
    /// cost at most 5 % of the values however many there are; `None` when empty.
    pub fn percentile(&self, p: f64) -> Option<f64> {
        if self.len == 0 {
            return None;
        }
        let (lo, w) = position(self.len, p);
        let (a, b) = if lo < self.len / 2 {
            self.nth_pair(lo, self.counts.iter().map(|(v, n)| (*v, *n as usize)))
        } else {
            // From the top: the order statistics lo and lo + 1 are, counted from the
            // largest, len - 1 - lo and len - 2 - lo.
            let from_top = self.len - 1 - lo;
            let (b, a) = self.nth_pair(
                from_top.saturating_sub(1),
                self.counts.iter().rev().map(|(v, n)| (*v, *n as usize)),
            );
            if from_top == 0 {
                (b, b)
            } else {
                (a, b)
            }
        };
        Some(a as f64 + w * (b as f64 - a as f64))
    }

    /// The values at positions `k` and `k + 1` of an ordered walk (the last value twice when
    /// `k + 1` is past the end).
    fn nth_pair(&self, k: usize, walk: impl Iterator<Item = (u64, usize)>) -> (u64, u64) {
        let mut seen = 0;
        let mut at_k = None;
        let mut last = 0;
        for (value, n) in walk {
            last = value;
            if at_k.is_none() && seen + n > k {
                at_k = Some(value);
            }
            if seen + n > k + 1 {
                return (at_k.unwrap_or(value), value);
            }
            seen += n;
        }
        let a = at_k.unwrap_or(last);
        (a, a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate_like_numpy() {
        let x = [1.0, 2.0, 3.0, 4.0, 10.0];
        assert_eq!(percentile(&x, 0.0), 1.0);
        assert_eq!(percentile(&x, 0.5), 3.0);
        assert_eq!(percentile(&x, 1.0), 10.0);
        // numpy.percentile([1,2,3,4,10], [5, 95]) = [1.2, 8.8]
        assert!((percentile(&x, 0.05) - 1.2).abs() < 1e-12);
        assert!((percentile(&x, 0.95) - 8.8).abs() < 1e-12);
        assert_eq!(percentile(&[7.0], 0.95), 7.0);
    }

    #[test]
    fn multiset_percentiles_match_sorting() {
        // A deterministic mix of repeated and distinct values, then removals.
        let mut values: Vec<u64> = (0..997u64).map(|i| (i * 7919) % 13 * 100 + i % 3).collect();
        let mut set = Multiset::default();
        for v in &values {
            set.insert(*v);
        }
        for round in 0..3 {
            let mut sorted: Vec<f64> = values.iter().map(|v| *v as f64).collect();
            sorted.sort_by(f64::total_cmp);
            for p in [0.0, 0.05, 0.37, 0.5, 0.95, 0.999, 1.0] {
                let want = percentile(&sorted, p);
                let got = set.percentile(p).unwrap();
                assert!((want - got).abs() < 1e-9, "round {round} p {p}: {got} != {want}");
            }
            for v in values.drain(..values.len() / 3) {
                set.remove(v);
            }
        }
        let mut one = Multiset::default();
        one.insert(5);
        assert_eq!(one.percentile(0.05), Some(5.0));
        assert_eq!(one.percentile(0.95), Some(5.0));
        one.remove(5);
        assert_eq!(one.percentile(0.5), None);
    }

    #[test]
    fn confidence_interval_uses_students_t() {
        // t(0.975, 9) = 2.262157; values 1..=10: mean 5.5, s = 3.02765.
        let values: Vec<f64> = (1..=10).map(f64::from).collect();
        let d = Describe::of(&values).unwrap();
        assert!((t975(9) - 2.262_157).abs() < 1e-5);
        let half = 2.262_157 * 3.027_650_35 / 10f64.sqrt();
        assert!((d.ci95_high - 5.5 - half).abs() < 1e-5, "{d:?}");
        assert!((d.ci95_low - 5.5 + half).abs() < 1e-5);
        assert_eq!((d.p50, d.n), (5.5, 10));
        let one = Describe::of(&[3.0]).unwrap();
        assert_eq!((one.ci95_low, one.mean, one.ci95_high), (3.0, 3.0, 3.0));
    }

    #[test]
    fn a_confidence_interval_stays_within_what_the_quantity_can_take() {
        // Two availabilities far apart: Student's interval (t = 12.7) reaches past 0 and 1.
        let d = Describe::of(&[0.9, 1.0]).unwrap();
        assert!(d.ci95_low < 0.5 && d.ci95_high > 1.5, "{d:?}");
        let clipped = d.within(0.0, 1.0);
        assert_eq!((clipped.ci95_high, clipped.mean, clipped.p95), (1.0, d.mean, d.p95));
        assert_eq!(clipped.ci95_low, d.ci95_low, "the low end was already possible");
        let lag = Describe::of(&[0.0, 0.0, 30.0]).unwrap().within(0.0, f64::INFINITY);
        assert_eq!(lag.ci95_low, 0.0, "a lag is never negative");
        assert!(Describe::of(&[]).is_none());
    }
}
