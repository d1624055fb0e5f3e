//! Results folders as files in memory: one scenario's folder (a single run, a Monte Carlo
//! run, or a shard of one) and the folders of `compare` and `sweep`, each a pure function of
//! a finished result. Writing them to disk is the caller's business.

use std::sync::Arc;

use super::compare::{comparison_csv, comparison_md, metric_header, metric_row, sweep_csv, Outcome};
use super::{
    chart, distribution, events_csv, events_csv_of, html, monte, overlay, summary_json, sweep, timeseries_csv,
};
use super::{fingerprint_of, ReportError};
use crate::engine::SimTime;
use crate::model::{Config, Feature};
use crate::stats::monte::Replications;
use crate::stats::{MonteCarlo, RunResult};

/// The files of a results folder: (path inside the folder, bytes). A path may name a
/// subfolder (`scenario/summary.json`).
pub type Files = Vec<(String, Vec<u8>)>;

/// Which chart formats to draw. With any, a folder also gets its `report.html`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Charts {
    /// `.svg` charts.
    pub svg: bool,
    /// `.png` charts.
    pub png: bool,
}

impl Charts {
    /// No charts and no `report.html` (as `check` compares).
    pub const NONE: Charts = Charts { svg: false, png: false };

    /// Whether any chart is drawn.
    pub fn any(self) -> bool {
        self.svg || self.png
    }
}

/// Version shown in every `report.html`.
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The text of the file `name` among `files`.
fn text_of(files: &Files, name: &str) -> Option<String> {
    files.iter().find(|(f, _)| f == name).map(|(_, b)| String::from_utf8_lossy(b).into_owned())
}

/// Every file of one run's folder.
pub fn single(result: &RunResult, charts: Charts) -> Result<Files, ReportError> {
    let mut files: Files = vec![
        ("timeseries.csv".into(), timeseries_csv(result)?),
        ("summary.json".into(), summary_json(result).into_bytes()),
        ("events.csv".into(), events_csv(result)?),
    ];
    if charts.svg {
        files.push(("availability.svg".into(), chart::availability_svg(result)?.into_bytes()));
    }
    if charts.png {
        files.push(("availability.png".into(), chart::availability_png(result)?));
    }
    if charts.any() {
        let svg = match text_of(&files, "availability.svg") {
            Some(svg) => svg,
            None => chart::availability_svg(result)?,
        };
        files.push(("report.html".into(), report_html(&result.config, &files, &svg, None)));
    }
    Ok(files)
}

/// Every file of a replicated run's folder.
pub fn monte_carlo(mc: &MonteCarlo, charts: Charts) -> Result<Files, ReportError> {
    let series = mc.series();
    let fingerprint = fingerprint_of(&mc.first_log)?;
    let mut files: Files = vec![
        ("timeseries.csv".into(), monte::timeseries_csv(mc, &series)?),
        ("summary.json".into(), monte::summary_json(mc, &fingerprint).into_bytes()),
        ("events.csv".into(), events_csv_of(&mc.first_log)?),
        ("replications.csv".into(), monte::replications_csv(mc)?),
    ];
    let input = monte::chart_input(mc, series);
    if charts.svg {
        files.push(("availability.svg".into(), chart::svg(&input)?.into_bytes()));
    }
    if charts.png {
        files.push(("availability.png".into(), chart::png(&input)?));
    }
    // How the replications' yearly numbers spread (docs/model.md#replications).
    let spread = charts.any().then(|| monte::distribution_input(mc));
    if let (true, Some(spread)) = (charts.svg, &spread) {
        files.push(("distribution.svg".into(), distribution::svg(spread)?.into_bytes()));
    }
    if let (true, Some(spread)) = (charts.png, &spread) {
        files.push(("distribution.png".into(), distribution::png(spread)?));
    }
    if let Some(spread) = &spread {
        let svg = match text_of(&files, "availability.svg") {
            Some(svg) => svg,
            None => chart::svg(&input)?,
        };
        let distribution = match text_of(&files, "distribution.svg") {
            Some(svg) => svg,
            None => distribution::svg(spread)?,
        };
        files.push(("report.html".into(), report_html(&mc.config, &files, &svg, Some(&distribution))));
    }
    Ok(files)
}

/// Every file of a finished scenario's folder, as `run` writes it.
pub fn outcome(o: &Outcome, charts: Charts) -> Result<Files, ReportError> {
    match o {
        Outcome::Single(r) => single(r, charts),
        Outcome::Monte(mc) => monte_carlo(mc, charts),
    }
}

/// `report.html` of one scenario's files (written when charts are), with the distribution
/// chart of a replicated run.
fn report_html(config: &Config, files: &Files, svg: &str, distribution: Option<&str>) -> Vec<u8> {
    let summary = text_of(files, "summary.json").unwrap_or_default();
    let report = html::Report {
        title: &config.name,
        kind: "run",
        version: VERSION,
        tables: Vec::new(),
        figures: Vec::new(),
        scenarios: vec![html::ScenarioPart {
            name: &config.name,
            description: &config.description,
            source: &config.source,
            file: &config.file,
            summary_json: &summary,
            chart_svg: Some(svg),
            distribution_svg: distribution,
        }],
    };
    html::render(&report).into_bytes()
}

/// The files of one shard's folder: its `shard.json` (already serialised), and for people
/// `replications.csv` with the shard's rows and, when replication 0 is in the shard,
/// `events.csv`.
pub fn shard(shard_json: Vec<u8>, config: &Arc<Config>, done: &Replications) -> Result<Files, ReportError> {
    let part = MonteCarlo { config: config.clone(), first_log: Vec::new(), records: done.records.clone() };
    let mut files: Files =
        vec![("shard.json".into(), shard_json), ("replications.csv".into(), monte::replications_csv(&part)?)];
    if let Some(log) = &done.first_log {
        files.push(("events.csv".into(), events_csv_of(log)?));
    }
    Ok(files)
}

/// The files of a comparison folder: `comparison.md`, `comparison.csv`, one overlay chart
/// per feature, `report.html`, and each scenario's own folder inside it.
pub fn comparison(outcomes: &[Outcome], charts: Charts) -> Result<Files, ReportError> {
    let mut files: Files = vec![
        ("comparison.md".into(), comparison_md(outcomes).into_bytes()),
        ("comparison.csv".into(), comparison_csv(outcomes)?),
    ];
    // One overlay chart per feature, every scenario on it.
    let lines: Vec<_> = outcomes.iter().map(Outcome::lines).collect();
    let mut figures = Vec::new();
    for f in Feature::ALL {
        let series: Vec<_> = outcomes.iter().zip(&lines).map(|(o, l)| o.overlay(l, f)).collect();
        let svg = overlay::svg("compare", f, &series)?;
        if charts.png {
            files.push((format!("{}.png", f.column()), overlay::png("compare", f, &series)?));
        }
        if charts.svg {
            files.push((format!("{}.svg", f.column()), svg.clone().into_bytes()));
        }
        figures.push((format!("{}: every scenario", f.column()), svg));
    }
    let mut parts = Vec::new();
    for o in outcomes {
        let scenario_files = outcome(o, charts)?;
        parts.push((
            text_of(&scenario_files, "summary.json").unwrap_or_default(),
            text_of(&scenario_files, "availability.svg"),
            text_of(&scenario_files, "distribution.svg"),
        ));
        for (file, bytes) in scenario_files {
            files.push((format!("{}/{file}", o.name()), bytes));
        }
    }
    if charts.any() {
        let md = comparison_md(outcomes);
        let html = html::Report {
            title: "Comparison",
            kind: "compare",
            version: VERSION,
            tables: markdown_tables(&md),
            figures,
            scenarios: outcomes
                .iter()
                .zip(&parts)
                .map(|(o, (summary, svg, distribution))| html::ScenarioPart {
                    name: o.name(),
                    description: &o.config().description,
                    source: &o.config().source,
                    file: &o.config().file,
                    summary_json: summary,
                    chart_svg: svg.as_deref(),
                    distribution_svg: distribution.as_deref(),
                })
                .collect(),
        };
        files.push(("report.html".into(), html::render(&html).into_bytes()));
    }
    Ok(files)
}

/// A table of `report.html`: (caption, header, rows).
type Table = (String, Vec<String>, Vec<Vec<String>>);

/// The tables of a Markdown text, for `report.html`.
fn markdown_tables(md: &str) -> Vec<Table> {
    let cells = |line: &str| -> Vec<String> {
        line.trim().trim_matches('|').split('|').map(|c| c.trim().replace("**", "")).collect()
    };
    let mut tables = Vec::new();
    let lines: Vec<&str> = md.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].starts_with('|') && lines.get(i + 1).is_some_and(|l| l.starts_with("|---")) {
            let header = cells(lines[i]);
            let mut rows = Vec::new();
            i += 2;
            while i < lines.len() && lines[i].starts_with('|') {
                rows.push(cells(lines[i]));
                i += 1;
            }
            let caption = if tables.is_empty() { "Availability" } else { "Costs" };
            tables.push((caption.to_string(), header, rows));
        } else {
            i += 1;
        }
    }
    tables
}

/// One point of a sweep: the swept fields' values as a table shows them, and its result.
pub type Point = (Vec<String>, Outcome);

/// The files of a sweep folder: `sweep.csv` (a row per point), a chart of each key metric
/// against the values, `report.html`, and each point's own folder inside it. `paths` are
/// the swept fields; `name` is the swept scenario's.
pub fn sweep(
    name: &str,
    paths: &[String],
    points: &[Point],
    charts: Charts,
    duration: &dyn Fn(&str) -> Option<SimTime>,
) -> Result<Files, ReportError> {
    let csv = sweep_csv(paths, points)?;
    let mut files: Files = vec![("sweep.csv".into(), csv.clone())];
    let drawn = sweep_charts(paths, points, charts, duration)?;
    let mut figures = Vec::new();
    for (file, bytes) in &drawn {
        if let Some(metric) = file.strip_prefix("sweep-").and_then(|f| f.strip_suffix(".svg")) {
            figures.push((metric.to_string(), String::from_utf8_lossy(bytes).into_owned()));
        }
    }
    files.extend(drawn);
    let mut parts = Vec::new();
    for (_, o) in points {
        let scenario_files = outcome(o, charts)?;
        parts.push(text_of(&scenario_files, "summary.json").unwrap_or_default());
        for (file, bytes) in scenario_files {
            files.push((format!("{}/{file}", o.name()), bytes));
        }
    }
    if charts.any() {
        // The table: each point's values and its headline metrics.
        let text = String::from_utf8_lossy(&csv).into_owned();
        let mut lines = text.lines().map(|l| l.split(',').map(str::to_string).collect::<Vec<_>>());
        let header = lines.next().unwrap_or_default();
        let keep: Vec<usize> = header
            .iter()
            .enumerate()
            .filter(|(i, h)| *i <= paths.len() || KEY_METRICS.iter().any(|(m, _, _)| m == h))
            .map(|(i, _)| i)
            .collect();
        let pick =
            |row: &Vec<String>| keep.iter().map(|&i| row.get(i).cloned().unwrap_or_default()).collect();
        let table = ("Sweep".to_string(), pick(&header), lines.map(|r| pick(&r)).collect());
        let title = format!("Sweep of {name}");
        // Each point's scenario, when there are few enough to read.
        let scenarios = if points.len() <= 12 {
            points
                .iter()
                .zip(&parts)
                .map(|((_, o), summary)| html::ScenarioPart {
                    name: o.name(),
                    description: &o.config().description,
                    source: &o.config().source,
                    file: &o.config().file,
                    summary_json: summary,
                    chart_svg: None,
                    distribution_svg: None,
                })
                .collect()
        } else {
            Vec::new()
        };
        let html = html::Report {
            title: &title,
            kind: "sweep",
            version: VERSION,
            tables: vec![table],
            figures,
            scenarios,
        };
        files.push(("report.html".into(), html::render(&html).into_bytes()));
    }
    Ok(files)
}

/// The metrics charted against the swept values: (column of `sweep.csv`, unit, scale).
const KEY_METRICS: [(&str, &str, f64); 9] = [
    ("im_availability", "%", 100.0),
    ("voice_availability", "%", 100.0),
    ("contacts_availability", "%", 100.0),
    ("conferencing_availability", "%", 100.0),
    ("response_groups_availability", "%", 100.0),
    ("contacts_user_minutes_lost", "user-minutes", 1.0),
    ("contacts_time_to_restore_s", "s", 1.0),
    ("peak_signin_queue", "users", 1.0),
    ("rpo_realized_s", "s", 1.0),
];

/// Charts of the key metrics against the first swept field, one line per combination of
/// the others: `sweep-<metric>.svg` / `.png`.
fn sweep_charts(
    paths: &[String],
    points: &[Point],
    charts: Charts,
    duration: &dyn Fn(&str) -> Option<SimTime>,
) -> Result<Files, ReportError> {
    let header = metric_header();
    let mut xs: Vec<String> = Vec::new();
    for (values, _) in points {
        if !xs.contains(&values[0]) {
            xs.push(values[0].clone());
        }
    }
    // Lines: the other fields' values, in the order they first appear.
    let mut keys: Vec<Vec<String>> = Vec::new();
    for (values, _) in points {
        let key = values[1..].to_vec();
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    let cells: Vec<Vec<String>> = points.iter().map(|(_, o)| metric_row(o)).collect();
    let mut files = Vec::new();
    for (metric, unit, scale) in KEY_METRICS {
        let Some(col) = header.iter().position(|h| h == metric) else { continue };
        let lines = keys
            .iter()
            .map(|key| {
                let label = paths[1..]
                    .iter()
                    .zip(key)
                    .map(|(p, v)| format!("{p}={v}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let ys = xs
                    .iter()
                    .map(|x| {
                        points
                            .iter()
                            .zip(&cells)
                            .find(|((values, _), _)| &values[0] == x && values[1..] == key[..])
                            .and_then(|(_, c)| c[col].parse::<f64>().ok())
                            .map(|v| v * scale)
                    })
                    .collect();
                (label, ys)
            })
            .collect();
        let chart = sweep::SweepChart {
            metric: metric.to_string(),
            unit: unit.to_string(),
            path: paths[0].clone(),
            xs: xs.clone(),
            durations: xs.iter().map(|x| duration(x)).collect(),
            lines,
        };
        if charts.svg {
            files.push((format!("sweep-{metric}.svg"), sweep::svg(&chart)?.into_bytes()));
        }
        if charts.png {
            files.push((format!("sweep-{metric}.png"), sweep::png(&chart)?));
        }
    }
    Ok(files)
}
