//! Reports of a replicated run (docs/model.md#replications): pure functions of a finished
//! [`MonteCarlo`].
//!
//! - `timeseries.csv`: the mean in every column of a single run, then `<feature>_p05` and
//!   `<feature>_p95` (fractions of all users, six decimals).
//! - `summary.json`: every number becomes `{mean, ci95_low, ci95_high, p05, p50, p95}`
//!   (numbers that some replications lack also carry `n`, how many have them); each
//!   feature's `pooled_incidents` takes every incident of every replication together;
//!   `worst_replication` names, per feature, the replication with the lowest availability.
//!   docs/metrics.md defines every key.
//! - `replications.csv`: one row of summary numbers per replication.
//! - the distribution chart's input (`distribution.svg`, `distribution.png`; see
//!   [`super::distribution`]).

use serde_json::{json, Map, Value};

use super::chart::ChartInput;
use super::distribution::DistributionInput;
use super::format::{fixed6, secs, six};
use super::{csv_bytes, write_csv, ReportError};
use crate::model::{ClientState, Feature, Phase};
use crate::stats::monte::{fraction, MeanSeries, PooledRestores, RestoreStats};
use crate::stats::quantile::Describe;
use crate::stats::{MonteCarlo, ReplicationRecord};

/// `timeseries.csv` of a replicated run, in memory (a results folder writes it with
/// [`write_timeseries_csv`]).
pub fn timeseries_csv(mc: &MonteCarlo, series: &MeanSeries) -> Result<Vec<u8>, ReportError> {
    let mut bytes = Vec::new();
    write_timeseries_csv(mc, series, &mut bytes)?;
    Ok(bytes)
}

/// [`timeseries_csv`] written into `out` row by row.
pub fn write_timeseries_csv(
    mc: &MonteCarlo,
    series: &MeanSeries,
    out: &mut dyn std::io::Write,
) -> Result<(), ReportError> {
    let total = mc.config.total_users();
    let mut header = vec!["time_s".to_string()];
    header.extend(ClientState::ALL.iter().map(|s| s.column().to_string()));
    header.extend(Feature::ALL.iter().map(|f| f.column().to_string()));
    for f in Feature::ALL {
        header.push(format!("{}_p05", f.column()));
        header.push(format!("{}_p95", f.column()));
    }
    let rows = (0..series.times.len()).map(|i| {
        let mut row = vec![secs(series.times[i])];
        row.extend(series.states[i].values().map(|users| six(*users)));
        row.extend(series.features[i].values().map(|users| six(fraction(*users, total))));
        for &(p05, p95) in series.band[i].values() {
            row.push(six(fraction(p05, total)));
            row.push(six(fraction(p95, total)));
        }
        row
    });
    write_csv(out, std::iter::once(header).chain(rows))
}

/// What the chart draws of a replicated run: mean lines and p05-p95 bands, no markers
/// (each replication has its own events).
pub fn chart_input(mc: &MonteCarlo, series: MeanSeries) -> ChartInput<'_> {
    ChartInput {
        config: &mc.config,
        replications: mc.replications() as u32,
        times: series.times,
        features: series.features,
        band: Some(series.band),
        states: series.states,
        log: &[],
    }
}

/// The row statistics back from the chart's input (the chart borrows them; the rows of
/// `timeseries.csv` are rendered from them afterwards).
pub fn series_of(input: ChartInput<'_>) -> MeanSeries {
    MeanSeries {
        times: input.times,
        states: input.states,
        features: input.features,
        band: input.band.unwrap_or_default(),
    }
}

/// What the distribution chart draws of a replicated run: each feature's availability and
/// user-minutes lost in every replication.
pub fn distribution_input(mc: &MonteCarlo) -> DistributionInput<'_> {
    DistributionInput {
        name: &mc.config.name,
        users: mc.config.total_users(),
        horizon_ms: mc.config.horizon.as_millis(),
        features: Feature::ALL
            .iter()
            .map(|&f| {
                let availability = mc.records.iter().map(|r| mc.availability(r, f)).collect();
                let lost = mc.records.iter().map(|r| mc.user_minutes_lost(r, f)).collect();
                (f, availability, lost)
            })
            .collect(),
    }
}

/// `replications.csv`: one row per replication, in index order.
pub fn replications_csv(mc: &MonteCarlo) -> Result<Vec<u8>, ReportError> {
    let mut header: Vec<String> =
        ["replication", "fingerprint", "events_processed", "first_fault_s"].map(String::from).to_vec();
    for f in Feature::ALL {
        for metric in [
            "availability",
            "user_minutes_lost",
            "incidents",
            "time_to_restore_s",
            "mean_restore_s",
            "open_incident_s",
        ] {
            header.push(format!("{}_{metric}", f.column()));
        }
    }
    header.extend(
        [
            "peak_resiliency_users",
            "peak_offline_users",
            "peak_signin_queue",
            "rpo_realized_s",
            "rpo_realized_changes",
            "failovers_completed",
            "failbacks_completed",
            "cmdlet_errors",
            "refused_sign_ins",
            "peak_turned_away_users",
        ]
        .map(String::from),
    );
    header.extend(Phase::ALL.iter().map(|p| format!("peak_signin_queue_{}", p.column())));
    let opt = |t: Option<crate::engine::SimTime>| t.map_or(String::new(), secs);
    let rows = mc.records.iter().map(|r| {
        let mut row = vec![
            r.replication.to_string(),
            r.fingerprint.clone(),
            r.events_processed.to_string(),
            opt(r.first_fault),
        ];
        for f in Feature::ALL {
            row.push(six(mc.availability(r, f)));
            row.push(six(mc.user_minutes_lost(r, f)));
            row.push(r.incidents(f).to_string());
            row.push(opt(r.time_to_restore(f)));
            row.push(r.mean_restore_s(f).map_or(String::new(), six));
            row.push(opt(r.open_incident[f]));
        }
        row.extend([
            r.peak_resiliency_users.to_string(),
            r.peak_offline_users.to_string(),
            r.peak_signin_queue.to_string(),
            secs(r.rpo_realized),
            six(r.rpo_realized_changes),
            r.failovers_completed.to_string(),
            r.failbacks_completed.to_string(),
            r.cmdlet_errors.to_string(),
            r.refused_sign_ins.to_string(),
            r.peak_turned_away_users.to_string(),
        ]);
        row.extend(
            Phase::ALL.map(|p| r.peak_signin_queue_by_phase[p].map_or(String::new(), |q| q.to_string())),
        );
        row
    });
    csv_bytes(std::iter::once(header).chain(rows))
}

/// `{mean, ci95_low, ci95_high, p05, p50, p95}`, with `n` when not every replication has
/// the number.
fn described(d: &Describe, of: usize) -> Value {
    let mut m = Map::new();
    m.insert("mean".into(), fixed6(d.mean));
    m.insert("ci95_low".into(), fixed6(d.ci95_low));
    m.insert("ci95_high".into(), fixed6(d.ci95_high));
    m.insert("p05".into(), fixed6(d.p05));
    m.insert("p50".into(), fixed6(d.p50));
    m.insert("p95".into(), fixed6(d.p95));
    if d.n != of {
        m.insert("n".into(), d.n.into());
    }
    Value::Object(m)
}

/// Every incident of a feature over every replication: counts, and the statistics of the
/// restore times of those that ended (`null` when none did).
fn pooled(p: &PooledRestores) -> Value {
    let stat = |f: fn(&RestoreStats) -> f64| p.restore.as_ref().map_or(Value::Null, |r| fixed6(f(r)));
    json!({
        "incidents": p.incidents,
        "open_incidents": p.open,
        "mean_restore_s": stat(|r| r.mean_s),
        "p50_restore_s": stat(|r| r.p50_s),
        "p95_restore_s": stat(|r| r.p95_s),
        "max_restore_s": stat(|r| r.max_s),
    })
}

/// `summary.json` of a replicated run, keys sorted, floats with six decimals.
pub fn summary_json(mc: &MonteCarlo, fingerprint: &str) -> String {
    let c = &mc.config;
    let n = mc.replications();
    let all = |value: &dyn Fn(&ReplicationRecord) -> f64| described(&mc.describe(value), n);
    let some = |value: &dyn Fn(&ReplicationRecord) -> Option<f64>| {
        mc.describe_some(value).map_or(Value::Null, |d| described(&d, n))
    };
    let mut features = Map::new();
    for f in Feature::ALL {
        features.insert(
            f.column().to_string(),
            json!({
                "availability": described(&mc.describe_availability(f), n),
                "user_minutes_lost": all(&|r| mc.user_minutes_lost(r, f)),
                "incidents": all(&|r| r.incidents(f) as f64),
                "time_to_restore_s": some(&|r| r.time_to_restore(f).map(|t| t.as_secs_f64())),
                "mean_restore_s": some(&|r| r.mean_restore_s(f)),
                "open_incident_s": some(&|r| r.open_incident[f].map(|t| t.as_secs_f64())),
                "pooled_incidents": pooled(&mc.pooled_restores(f)),
            }),
        );
    }
    let durations: Vec<f64> =
        mc.records.iter().flat_map(|r| r.failover_durations.iter().map(|d| d.as_secs_f64())).collect();
    let failover_duration = Describe::of(&durations)
        .map_or(Value::Null, |d| described(&d.within(0.0, f64::INFINITY), usize::MAX));
    // Backup Service lag at the horizon, per direction seen (a failed-over pool's data
    // flows the other way, so not every replication has every direction).
    let mut directions: std::collections::BTreeMap<(&str, &str, &str), Vec<f64>> = Default::default();
    for r in &mc.records {
        for (pool, from, to, lag) in &r.backup_lag {
            directions.entry((pool, from, to)).or_default().push(lag.as_secs_f64());
        }
    }
    let backup: Vec<Value> = directions
        .iter()
        .map(|((pool, from, to), lags)| {
            json!({
                "pool": pool,
                "from": from,
                "to": to,
                "unreplicated_s": Describe::of(lags)
                    .map_or(Value::Null, |d| described(&d.within(0.0, f64::INFINITY), n)),
            })
        })
        .collect();
    let worst = mc.worst();
    let summary = json!({
        "scenario": c.name,
        "description": c.description,
        "product": c.product.name(),
        "seed": c.seed,
        "replications": n,
        "horizon_s": fixed6(c.horizon.as_secs_f64()),
        "users": c.total_users(),
        "lyncsim_version": env!("CARGO_PKG_VERSION"),
        "scenario_sha256": c.scenario_sha256,
        "features": features,
        "first_fault_s": some(&|r| r.first_fault.map(|t| t.as_secs_f64())),
        "peak_resiliency_users": all(&|r| r.peak_resiliency_users as f64),
        "peak_offline_users": all(&|r| r.peak_offline_users as f64),
        "peak_signin_queue": all(&|r| r.peak_signin_queue as f64),
        "peak_signin_queue_by_phase": Phase::ALL
            .iter()
            .map(|&p| (p.column().to_string(), some(&|r| r.peak_signin_queue_by_phase[p].map(|q| q as f64))))
            .collect::<Map<String, Value>>(),
        "rpo_realized_s": all(&|r| r.rpo_realized.as_secs_f64()),
        "rpo_realized_changes": all(&|r| r.rpo_realized_changes),
        "failovers_completed": all(&|r| r.failovers_completed as f64),
        "failbacks_completed": all(&|r| r.failbacks_completed as f64),
        "cmdlet_errors": all(&|r| r.cmdlet_errors as f64),
        "refused_sign_ins": all(&|r| r.refused_sign_ins as f64),
        "peak_turned_away_users": all(&|r| r.peak_turned_away_users as f64),
        "failover_duration_s": failover_duration,
        "backup_service": backup,
        "peak_users_per_front_end": c
            .pools
            .iter()
            .enumerate()
            .map(|(i, p)| (p.fqdn.clone(), all(&|r| r.peak_users_per_front_end.get(i).copied().unwrap_or(0.0))))
            .collect::<Map<String, Value>>(),
        "events_processed": all(&|r| r.events_processed as f64),
        "worst_replication": worst
            .iter()
            .map(|(f, &replication)| (f.column().to_string(), Value::from(replication)))
            .collect::<Map<String, Value>>(),
        "fingerprint": fingerprint,
    });
    let mut text = serde_json::to_string_pretty(&summary).expect("json values always serialise");
    text.push('\n');
    text
}
