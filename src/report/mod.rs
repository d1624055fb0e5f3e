//! Reports: pure functions from a finished [`RunResult`] to bytes, or to a writer for
//! `timeseries.csv`, which is rendered row by row as it is written rather than held (see
//! [`folder::Body`]). Writing files is the caller's business (see `cli::output`).
//!
//! Byte stability: JSON keys are sorted, every JSON float is printed with exactly six
//! decimals, times in CSV in seconds with three decimals, files end with a newline.

pub mod chart;
pub mod compare;
pub mod distribution;
pub mod folder;
pub mod format;
pub mod html;
pub mod monte;
pub mod overlay;
pub mod size;
pub mod sweep;
pub mod tornado;

use serde_json::{json, Map, Value};

pub use format::{fixed6, round6, secs};

use crate::engine::SimTime;
use crate::model::{ClientState, Feature, LogEntry, Phase};
use crate::stats::RunResult;

/// Errors while rendering a report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// CSV serialisation failed.
    #[error("report: writing csv: {0}")]
    Csv(#[from] csv::Error),
    /// A chart could not be drawn.
    #[error(transparent)]
    Chart(#[from] chart::ChartError),
    /// A file rendered as it is written could not be written.
    #[error("report: writing: {0}")]
    Io(#[from] std::io::Error),
}

/// A CSV writer's error, its cause kept when the output failed (a full disk is the
/// user's, not a bug).
fn csv_err(e: csv::Error) -> ReportError {
    if e.is_io_error() {
        match e.into_kind() {
            csv::ErrorKind::Io(io) => ReportError::Io(io),
            _ => unreachable!("is_io_error"),
        }
    } else {
        ReportError::Csv(e)
    }
}

/// Write `rows` as CSV into `out`, one row at a time (the CSV writer's buffer is all it
/// holds).
pub(crate) fn write_csv(
    out: &mut dyn std::io::Write,
    rows: impl IntoIterator<Item = Vec<String>>,
) -> Result<(), ReportError> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(out);
    for row in rows {
        w.write_record(&row).map_err(csv_err)?;
    }
    Ok(w.flush()?)
}

pub(crate) fn csv_bytes(rows: impl IntoIterator<Item = Vec<String>>) -> Result<Vec<u8>, ReportError> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    for row in rows {
        w.write_record(&row)?;
    }
    w.into_inner().map_err(|e| ReportError::Csv(e.into_error().into()))
}

/// `timeseries.csv`: one row per sample; user counts per client state, then the fraction of
/// all users with each feature (six decimals). In memory: a results folder writes it with
/// [`write_timeseries_csv`].
pub fn timeseries_csv(result: &RunResult) -> Result<Vec<u8>, ReportError> {
    let mut bytes = Vec::new();
    write_timeseries_csv(result, &mut bytes)?;
    Ok(bytes)
}

/// [`timeseries_csv`] written into `out` row by row.
pub fn write_timeseries_csv(result: &RunResult, out: &mut dyn std::io::Write) -> Result<(), ReportError> {
    let mut header = vec!["time_s".to_string()];
    header.extend(ClientState::ALL.iter().map(|s| s.column().to_string()));
    header.extend(Feature::ALL.iter().map(|f| f.column().to_string()));
    let rows = result.samples().map(|s| {
        let mut row = vec![secs(s.time)];
        row.extend(ClientState::ALL.iter().map(|st| s.users(*st).to_string()));
        row.extend(Feature::ALL.iter().map(|f| format!("{:.6}", result.fraction(&s, *f))));
        row
    });
    write_csv(out, std::iter::once(header).chain(rows))
}

/// `events.csv`: every discrete event that changed something, in time order.
pub fn events_csv(result: &RunResult) -> Result<Vec<u8>, ReportError> {
    events_csv_of(&result.log)
}

/// `events.csv` of an event log.
pub fn events_csv_of(log: &[LogEntry]) -> Result<Vec<u8>, ReportError> {
    let header = ["time_s", "kind", "pool", "detail"].map(String::from).to_vec();
    let rows =
        log.iter().map(|e| vec![secs(e.time), e.kind.name().to_string(), e.pool.clone(), e.detail.clone()]);
    csv_bytes(std::iter::once(header).chain(rows))
}

fn opt_secs(t: Option<SimTime>) -> Value {
    t.map_or(Value::Null, |t| fixed6(t.as_secs_f64()))
}

/// The fingerprint of a run: the SHA-256 of its event trace (`events.csv`), so two runs can
/// be compared without reading their traces.
pub fn fingerprint(result: &RunResult) -> Result<String, ReportError> {
    fingerprint_of(&result.log)
}

/// The fingerprint of an event log: the SHA-256 of its `events.csv`.
pub fn fingerprint_of(log: &[LogEntry]) -> Result<String, ReportError> {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(events_csv_of(log)?);
    Ok(digest.iter().map(|b| format!("{b:02x}")).collect())
}

/// `summary.json` (docs/model.md#what-is-measured), keys sorted, floats with six decimals.
pub fn summary_json(result: &RunResult) -> String {
    let c = &result.config;
    let mut features = Map::new();
    for f in Feature::ALL {
        features.insert(
            f.column().to_string(),
            json!({
                "availability": fixed6(result.availability(f)),
                "user_minutes_lost": fixed6(result.user_minutes_lost(f)),
                "incidents": result.incident_count(f),
                "time_to_restore_s": opt_secs(result.time_to_restore(f)),
                "mean_restore_s": result.mean_restore_s(f).map_or(Value::Null, fixed6),
                "open_incident_s": opt_secs(result.open_incident(f)),
            }),
        );
    }
    let failovers: Vec<Value> = result
        .failovers
        .iter()
        .map(|f| {
            json!({
                "cmdlet": f.cmdlet,
                "pool": f.pool,
                "started_s": fixed6(f.started.as_secs_f64()),
                "completed_s": opt_secs(f.completed),
                "duration_s": opt_secs(f.completed.map(|c| c.saturating_sub(f.started))),
                "disaster_mode": f.disaster_mode,
                "data_lost_s": opt_secs(f.data_lost),
                "data_lost_changes": f.data_lost_changes.map_or(Value::Null, fixed6),
                "rto_s": opt_secs(f.restored.map(|r| r.saturating_sub(f.started))),
                "error": f.error,
            })
        })
        .collect();
    let backup: Vec<Value> = result
        .backup_status
        .iter()
        .map(|b| {
            json!({
                "pool": b.pool,
                "from": b.from,
                "to": b.to,
                "export_state": b.export_state.name(),
                "import_state": b.import_state,
                "unreplicated_s": fixed6(b.unreplicated.as_secs_f64()),
            })
        })
        .collect();
    let summary = json!({
        "scenario": c.name,
        "description": c.description,
        "product": c.product.name(),
        "seed": c.seed,
        "replications": c.replications,
        "horizon_s": fixed6(c.horizon.as_secs_f64()),
        "users": result.total_users(),
        "lyncsim_version": env!("CARGO_PKG_VERSION"),
        "scenario_sha256": c.scenario_sha256,
        "features": features,
        "first_fault_s": opt_secs(result.first_fault),
        "peak_resiliency_users": result.peak_resiliency_users,
        "peak_offline_users": result.peak_offline_users,
        "peak_signin_queue": result.peak_signin_queue,
        "peak_signin_queue_by_phase": Phase::ALL
            .iter()
            .map(|&p| (p.column().to_string(), result.peak_signin_queue_by_phase[p].map_or(Value::Null, Value::from)))
            .collect::<Map<String, Value>>(),
        "rpo_realized_s": fixed6(result.rpo_realized.map_or(0.0, |t| t.as_secs_f64())),
        "rpo_realized_changes": fixed6(result.rpo_realized_changes.unwrap_or(0.0)),
        "failovers": failovers,
        "failovers_completed": result.failovers_completed(),
        "failbacks_completed": result.failbacks_completed(),
        "cmdlet_errors": result.cmdlet_errors(),
        "refused_sign_ins": result.refused_sign_ins,
        "peak_turned_away_users": result.peak_turned_away_users,
        "backup_service": backup,
        "peak_users_per_front_end": result
            .peak_users_per_front_end
            .iter()
            .map(|(pool, load)| (pool.clone(), fixed6(*load)))
            .collect::<Map<String, Value>>(),
        "events_processed": result.events_processed,
        "fingerprint": fingerprint(result).unwrap_or_default(),
    });
    let mut summary = summary;
    if result.replication > 0 {
        // `run --replication K`: which replication of the scenario this is.
        summary["replication"] = result.replication.into();
    }
    let mut text = serde_json::to_string_pretty(&summary).expect("json values always serialise");
    text.push('\n');
    text
}
