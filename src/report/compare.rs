//! Comparisons of scenarios (`lyncsim compare`): `comparison.csv` and `comparison.md`, pure
//! functions of the finished runs.
//!
//! A replicated scenario contributes its means (with the 95 % confidence interval of each
//! availability); a single run its values.
//!
//! Scenarios of different horizons are not comparable: availability is a share of each
//! one's own horizon, and user-minutes lost, peaks, restore times and failovers are totals
//! or extremes over it. So each scenario's horizon is shown (`horizon_s`, and a column of
//! `comparison.md`), the best availability is marked only among scenarios of the same
//! horizon, and `compare` warns ([`horizon_warning`]) when horizons differ.

use crate::model::{Feature, PerFeature, PerPhase, Phase};
use crate::stats::monte::MeanSeries;
use crate::stats::{MonteCarlo, RunResult};

use super::chart::axis::horizon_text;
use super::format::{group_digits, six};
use super::overlay::OverlaySeries;
use super::{csv_bytes, ReportError};

/// A finished scenario: one run, or a Monte Carlo run.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// `replications: 1`.
    Single(Box<RunResult>),
    /// `replications > 1`.
    Monte(MonteCarlo),
}

/// A value with, for replicated runs, its 95 % confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Value {
    /// The value (the mean over replications).
    pub value: f64,
    /// 95 % confidence interval of the mean, replicated runs only.
    pub ci95: Option<(f64, f64)>,
}

impl Outcome {
    /// Scenario name.
    pub fn name(&self) -> &str {
        &self.config().name
    }

    /// The scenario.
    pub fn config(&self) -> &crate::model::Config {
        match self {
            Outcome::Single(r) => &r.config,
            Outcome::Monte(mc) => &mc.config,
        }
    }

    /// Replications run.
    pub fn replications(&self) -> usize {
        match self {
            Outcome::Single(_) => 1,
            Outcome::Monte(mc) => mc.replications(),
        }
    }

    /// A number of the run; for replications, its mean with a confidence interval within
    /// `0..=most`.
    fn metric(
        &self,
        single: impl Fn(&RunResult) -> f64,
        each: impl Fn(&MonteCarlo, usize) -> f64,
        most: f64,
    ) -> Value {
        match self {
            Outcome::Single(r) => Value { value: single(r), ci95: None },
            Outcome::Monte(mc) => {
                let d = mc.describe(|r| each(mc, r.replication as usize)).within(0.0, most);
                Value { value: d.mean, ci95: Some((d.ci95_low, d.ci95_high)) }
            }
        }
    }

    /// Availability of `feature`.
    pub fn availability(&self, f: Feature) -> Value {
        self.metric(|r| r.availability(f), |mc, i| mc.availability(&mc.records[i], f), 1.0)
    }

    /// User-minutes without `feature`.
    pub fn user_minutes_lost(&self, f: Feature) -> Value {
        self.metric(
            |r| r.user_minutes_lost(f),
            |mc, i| mc.user_minutes_lost(&mc.records[i], f),
            f64::INFINITY,
        )
    }

    /// Incidents of `feature` (docs/metrics.md#incidents), the open one included; the mean
    /// over replications.
    pub fn incidents(&self, f: Feature) -> f64 {
        match self {
            Outcome::Single(r) => r.incident_count(f) as f64,
            Outcome::Monte(mc) => mc.describe(|r| r.incidents(f) as f64).mean,
        }
    }

    /// The longest restore of `feature`, seconds (the mean over the replications where an
    /// incident ended); `None` when no incident ended.
    pub fn time_to_restore(&self, f: Feature) -> Option<f64> {
        match self {
            Outcome::Single(r) => r.time_to_restore(f).map(|t| t.as_secs_f64()),
            Outcome::Monte(mc) => {
                mc.describe_some(|r| r.time_to_restore(f).map(|t| t.as_secs_f64())).map(|d| d.mean)
            }
        }
    }

    /// The mean restore of `feature`, seconds, over every incident that ended (of every
    /// replication); `None` when none did.
    pub fn mean_restore(&self, f: Feature) -> Option<f64> {
        match self {
            Outcome::Single(r) => r.mean_restore_s(f),
            Outcome::Monte(mc) => mc.pooled_restores(f).restore.map(|r| r.mean_s),
        }
    }

    /// Incidents of `feature` still open at the horizon (0 or 1; the mean over replications).
    pub fn open_incidents(&self, f: Feature) -> f64 {
        match self {
            Outcome::Single(r) => f64::from(u8::from(r.open_incident(f).is_some())),
            Outcome::Monte(mc) => mc.describe(|r| f64::from(u8::from(r.open_incident[f].is_some()))).mean,
        }
    }

    /// The peaks and costs of the run: values, or means over replications.
    pub fn peaks(&self) -> Peaks {
        match self {
            Outcome::Single(r) => Peaks {
                resiliency_users: r.peak_resiliency_users as f64,
                offline_users: r.peak_offline_users as f64,
                signin_queue: r.peak_signin_queue as f64,
                rpo_s: r.rpo_realized.map_or(0.0, |t| t.as_secs_f64()),
                rpo_changes: r.rpo_realized_changes.unwrap_or(0.0),
                failovers_completed: r.failovers_completed() as f64,
                failbacks_completed: r.failbacks_completed() as f64,
                cmdlet_errors: r.cmdlet_errors() as f64,
                refused_sign_ins: r.refused_sign_ins as f64,
                turned_away_users: r.peak_turned_away_users as f64,
            },
            Outcome::Monte(mc) => Peaks {
                resiliency_users: mc.describe(|r| r.peak_resiliency_users as f64).mean,
                offline_users: mc.describe(|r| r.peak_offline_users as f64).mean,
                signin_queue: mc.describe(|r| r.peak_signin_queue as f64).mean,
                rpo_s: mc.describe(|r| r.rpo_realized.as_secs_f64()).mean,
                rpo_changes: mc.describe(|r| r.rpo_realized_changes).mean,
                failovers_completed: mc.describe(|r| r.failovers_completed as f64).mean,
                failbacks_completed: mc.describe(|r| r.failbacks_completed as f64).mean,
                cmdlet_errors: mc.describe(|r| r.cmdlet_errors as f64).mean,
                refused_sign_ins: mc.describe(|r| r.refused_sign_ins as f64).mean,
                turned_away_users: mc.describe(|r| r.peak_turned_away_users as f64).mean,
            },
        }
    }
}

impl Outcome {
    /// The sign-in queue's peak in each phase (docs/model.md#phases-of-a-run): the value,
    /// or the mean over the replications that entered the phase; `None` when none did.
    pub fn signin_queue_by_phase(&self) -> PerPhase<Option<f64>> {
        match self {
            Outcome::Single(r) => r.peak_signin_queue_by_phase.map(|_, q| q.map(|q| q as f64)),
            Outcome::Monte(mc) => PerPhase::from_fn(|p| {
                mc.describe_some(|r| r.peak_signin_queue_by_phase[p].map(|q| q as f64)).map(|d| d.mean)
            }),
        }
    }
}

/// The peaks and costs of a run ([`Outcome::peaks`]): values, or means over replications.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Peaks {
    /// Most users in resiliency mode at once.
    pub resiliency_users: f64,
    /// Most users offline at once.
    pub offline_users: f64,
    /// Most users waiting in sign-in queues at once.
    pub signin_queue: f64,
    /// Largest unreplicated data lost in a disaster failover, seconds.
    pub rpo_s: f64,
    /// The same loss in changes (docs/model.md#backup-service).
    pub rpo_changes: f64,
    /// `Invoke-CsPoolFailover` runs that completed.
    pub failovers_completed: f64,
    /// `Invoke-CsPoolFailback` runs that completed.
    pub failbacks_completed: f64,
    /// Administrator commands that failed (`AdminError`s).
    pub cmdlet_errors: f64,
    /// Sign-ins refused at a registrar's MaxUserCount.
    pub refused_sign_ins: f64,
    /// Most users turned away at once by MaxUserCount.
    pub turned_away_users: f64,
}

/// A column of [`PEAKS`]: its name and how to read it.
pub type PeakColumn = (&'static str, fn(&Peaks) -> f64);

/// The [`Peaks`] as CSV columns, in column order.
pub const PEAKS: &[PeakColumn] = &[
    ("peak_resiliency_users", |p| p.resiliency_users),
    ("peak_offline_users", |p| p.offline_users),
    ("peak_signin_queue", |p| p.signin_queue),
    ("rpo_realized_s", |p| p.rpo_s),
    ("rpo_realized_changes", |p| p.rpo_changes),
    ("failovers_completed", |p| p.failovers_completed),
    ("failbacks_completed", |p| p.failbacks_completed),
    ("cmdlet_errors", |p| p.cmdlet_errors),
    ("refused_sign_ins", |p| p.refused_sign_ins),
    ("peak_turned_away_users", |p| p.turned_away_users),
];

/// What an outcome contributes to overlay charts: its rows, computed once for all features.
#[derive(Debug, Clone)]
pub struct Lines {
    times: Vec<crate::engine::SimTime>,
    features: Vec<PerFeature<f64>>,
    band: Option<Vec<PerFeature<(f64, f64)>>>,
}

impl Outcome {
    /// The time series drawn on overlay charts.
    pub fn lines(&self) -> Lines {
        match self {
            Outcome::Single(r) => Lines {
                times: r.samples().map(|s| s.time).collect(),
                features: r.samples().map(|s| PerFeature::from_fn(|f| r.users_with(&s, f) as f64)).collect(),
                band: None,
            },
            Outcome::Monte(mc) => {
                let MeanSeries { times, features, band, .. } = mc.series();
                Lines { times, features, band: Some(band) }
            }
        }
    }

    /// This outcome's line for `feature` on an overlay chart.
    pub fn overlay<'a>(&'a self, lines: &Lines, feature: Feature) -> OverlaySeries<'a> {
        OverlaySeries {
            label: self.name(),
            users: self.config().total_users(),
            times: lines.times.clone(),
            values: lines.features.iter().map(|row| row[feature]).collect(),
            band: lines.band.as_ref().map(|b| b.iter().map(|row| row[feature]).collect()),
            replications: self.replications() as u32,
        }
    }
}

/// The metric columns of `comparison.csv` and `sweep.csv`.
pub fn metric_header() -> Vec<String> {
    let mut header: Vec<String> = ["replications", "users", "horizon_s"].map(String::from).to_vec();
    for f in Feature::ALL {
        let c = f.column();
        header.extend([
            format!("{c}_availability"),
            format!("{c}_availability_ci95_low"),
            format!("{c}_availability_ci95_high"),
            format!("{c}_user_minutes_lost"),
            format!("{c}_incidents"),
            format!("{c}_time_to_restore_s"),
            format!("{c}_mean_restore_s"),
            format!("{c}_open_incidents"),
        ]);
    }
    header.extend(PEAKS.iter().map(|(name, _)| name.to_string()));
    header.extend(Phase::ALL.iter().map(|p| format!("peak_signin_queue_{}", p.column())));
    header
}

/// One outcome's cells under [`metric_header`].
pub fn metric_row(o: &Outcome) -> Vec<String> {
    let c = o.config();
    let mut row =
        vec![o.replications().to_string(), c.total_users().to_string(), six(c.horizon.as_secs_f64())];
    for f in Feature::ALL {
        let a = o.availability(f);
        row.push(six(a.value));
        row.push(a.ci95.map_or(String::new(), |(lo, _)| six(lo)));
        row.push(a.ci95.map_or(String::new(), |(_, hi)| six(hi)));
        row.push(six(o.user_minutes_lost(f).value));
        row.push(six(o.incidents(f)));
        row.push(o.time_to_restore(f).map_or(String::new(), six));
        row.push(o.mean_restore(f).map_or(String::new(), six));
        row.push(six(o.open_incidents(f)));
    }
    let peaks = o.peaks();
    row.extend(PEAKS.iter().map(|(_, value)| six(value(&peaks))));
    let by_phase = o.signin_queue_by_phase();
    row.extend(Phase::ALL.map(|p| by_phase[p].map_or(String::new(), six)));
    row
}

/// `comparison.csv`: one row per scenario, one column per summary metric.
pub fn comparison_csv(outcomes: &[Outcome]) -> Result<Vec<u8>, ReportError> {
    let mut header = vec!["scenario".to_string()];
    header.extend(metric_header());
    let rows = outcomes.iter().map(|o| {
        let mut row = vec![o.name().to_string()];
        row.extend(metric_row(o));
        row
    });
    csv_bytes(std::iter::once(header).chain(rows))
}

/// `sweep.csv`: one row per grid point: the point's number, the value of each swept path
/// (as written), then the metrics.
pub fn sweep_csv(paths: &[String], points: &[(Vec<String>, Outcome)]) -> Result<Vec<u8>, ReportError> {
    let (header, rows) = sweep_table(paths, points);
    csv_bytes(std::iter::once(header).chain(rows))
}

/// The header and rows of `sweep.csv`, as cells (a swept value may hold a comma).
pub fn sweep_table(paths: &[String], points: &[(Vec<String>, Outcome)]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut header = vec!["point".to_string()];
    header.extend(paths.iter().cloned());
    header.extend(metric_header());
    let rows = points
        .iter()
        .enumerate()
        .map(|(i, (values, o))| {
            let mut row = vec![i.to_string()];
            row.extend(values.iter().cloned());
            row.extend(metric_row(o));
            row
        })
        .collect();
    (header, rows)
}

/// The warning `lyncsim compare` prints when the scenarios' horizons differ, naming each
/// scenario's horizon; `None` when they are all the same.
pub fn horizon_warning<'a>(
    scenarios: impl IntoIterator<Item = (&'a str, crate::engine::SimTime)>,
) -> Option<String> {
    let scenarios: Vec<(&str, crate::engine::SimTime)> = scenarios.into_iter().collect();
    let first = scenarios.first()?.1;
    if scenarios.iter().all(|(_, h)| *h == first) {
        return None;
    }
    let each: Vec<String> =
        scenarios.iter().map(|(name, h)| format!("{name} {}", horizon_text(h.as_millis()))).collect();
    Some(format!(
        "warning: the scenarios' horizons differ ({}): user-minutes lost, peaks, restore times and \
         failovers are counted over each scenario's own horizon and are not comparable across them; \
         comparison.md marks the best availability only among scenarios of the same horizon, and the \
         overlay charts draw one panel per group of similar horizons",
        each.join(", ")
    ))
}

/// Availability as a percentage with three decimals, and its interval when replicated.
fn percent(v: Value) -> String {
    match v.ci95 {
        None => format!("{:.3} %", 100.0 * v.value),
        Some((lo, hi)) => format!("{:.3} % ({:.3}-{:.3})", 100.0 * v.value, 100.0 * lo, 100.0 * hi),
    }
}

fn minutes(v: f64) -> String {
    group_digits(v.round() as u64)
}

/// `comparison.md`: the headline features per scenario, the best in bold, then the costs.
pub fn comparison_md(outcomes: &[Outcome]) -> String {
    let headline = [
        Feature::Voice,
        Feature::Pstn,
        Feature::Im,
        Feature::Presence,
        Feature::Contacts,
        Feature::Conferencing,
        Feature::ResponseGroups,
    ];
    let mut md = String::from("# Comparison\n\n");
    let horizon = |o: &Outcome| o.config().horizon;
    let mixed = outcomes.iter().any(|o| horizon(o) != horizon(&outcomes[0]));
    md.push_str(&format!(
        "{} scenarios. Availability is user-time with the feature / (users x horizon); replicated \
         scenarios show the mean over their replications and its 95 % confidence interval. \
         The best value of each column {}is in bold.\n\n",
        outcomes.len(),
        if mixed { "among scenarios of the same horizon " } else { "" }
    ));
    if mixed {
        md.push_str(
            "The horizons differ: each availability is a share of its scenario's own horizon, and \
             user-minutes lost, restore times, peaks and failovers are counted over it, so they \
             are not comparable across horizons.\n\n",
        );
    }
    md.push_str("| scenario | horizon | replications |");
    for f in headline {
        md.push_str(&format!(" {} |", f.column()));
    }
    md.push_str("\n|---|---|---|");
    md.push_str(&"---|".repeat(headline.len()));
    md.push('\n');
    for o in outcomes {
        // Compared only with the scenarios of its horizon, itself included.
        let peers: Vec<&Outcome> = outcomes.iter().filter(|p| horizon(p) == horizon(o)).collect();
        let h = horizon_text(horizon(o).as_millis());
        md.push_str(&format!("| {} | {h} | {} |", o.name(), o.replications()));
        for f in headline.iter() {
            let a = o.availability(*f);
            let text = percent(a);
            let best = peers.iter().map(|p| p.availability(*f).value).fold(f64::MIN, f64::max);
            // Best at the precision shown.
            if peers.len() > 1 && format!("{:.3}", 100.0 * a.value) == format!("{:.3}", 100.0 * best) {
                md.push_str(&format!(" **{text}** |"));
            } else {
                md.push_str(&format!(" {text} |"));
            }
        }
        md.push('\n');
    }
    md.push_str(
        "\n| scenario | IM user-minutes lost | contacts incidents | contacts longest restore to 99 % (s) \
         | peak offline | peak sign-in queue | data lost, RPO (s) | failovers / failbacks completed | cmdlet errors \
         | sign-ins refused at MaxUserCount | peak turned away |\n\
         |---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for o in outcomes {
        let p = o.peaks();
        let n = |v: f64| if o.replications() > 1 { format!("{v:.2}") } else { format!("{v:.0}") };
        let open = o.open_incidents(Feature::Contacts);
        let restore = o.time_to_restore(Feature::Contacts).map_or("—".to_string(), |t| format!("{t:.0}"));
        md.push_str(&format!(
            "| {} | {} | {}{} | {} | {} | {} | {:.0} | {} / {} | {} | {} | {} |\n",
            o.name(),
            minutes(o.user_minutes_lost(Feature::Im).value),
            n(o.incidents(Feature::Contacts)),
            if open > 0.0 { format!(" ({} open at the end)", n(open)) } else { String::new() },
            restore,
            minutes(p.offline_users),
            minutes(p.signin_queue),
            p.rpo_s,
            n(p.failovers_completed),
            n(p.failbacks_completed),
            n(p.cmdlet_errors),
            n(p.refused_sign_ins),
            minutes(p.turned_away_users),
        ));
    }
    md.push_str(
        "\nAn incident of a feature runs from the fault, repair or administrator action that preceded its \
         fall below 99 % of all users until it is back at or above 99 % (docs/metrics.md); the \
         longest restore is the number a recovery-time objective is checked against. Replicated \
         scenarios show means per replication.\n",
    );
    md
}
