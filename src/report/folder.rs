//! Results folders as lists of files: one scenario's folder (a single run, a Monte Carlo
//! run, or a shard of one) and the folders of `compare` and `sweep`, each a pure function of
//! a finished result. Writing them to disk is the caller's business.
//!
//! A file's body is its bytes, or, for `timeseries.csv` (a row per sample: 873 MB for a year
//! sampled every 10 s), a writer that renders it row by row from the result it borrows, so
//! that the caller writes it without holding it (README "Limits and safe results").

use std::io::Write;
use std::sync::Arc;

use super::compare::{
    comparison_csv, comparison_md, metric_header, metric_row, sweep_csv, sweep_table, Outcome,
};
use super::{
    chart, distribution, events_csv, events_csv_of, html, monte, overlay, summary_json, sweep,
    write_timeseries_csv,
};
use super::{fingerprint_of, ReportError};
use crate::engine::SimTime;
use crate::model::{Config, Feature};
use crate::stats::monte::Replications;
use crate::stats::{MonteCarlo, RunResult};

/// Renders a file into a writer, from the finished result it borrows.
pub type Render<'a> = Box<dyn Fn(&mut dyn Write) -> Result<(), ReportError> + Send + Sync + 'a>;

/// The body of one file of a results folder.
pub enum Body<'a> {
    /// The file's bytes, rendered.
    Bytes(Vec<u8>),
    /// The file rendered as it is written (`timeseries.csv`), never held whole.
    Streamed(Render<'a>),
}

impl Body<'_> {
    /// Write the body into `w`.
    pub fn write_to(&self, w: &mut dyn Write) -> Result<(), ReportError> {
        match self {
            Body::Bytes(bytes) => Ok(w.write_all(bytes)?),
            Body::Streamed(render) => render(w),
        }
    }

    /// The body's bytes, rendered into memory if it is streamed (`check` compares them).
    pub fn to_bytes(&self) -> Result<std::borrow::Cow<'_, [u8]>, ReportError> {
        match self {
            Body::Bytes(bytes) => Ok(bytes.as_slice().into()),
            Body::Streamed(render) => {
                let mut bytes = Vec::new();
                render(&mut bytes)?;
                Ok(bytes.into())
            }
        }
    }

    /// Whether the body is rendered as it is written.
    pub fn is_streamed(&self) -> bool {
        matches!(self, Body::Streamed(_))
    }
}

impl From<Vec<u8>> for Body<'_> {
    fn from(bytes: Vec<u8>) -> Self {
        Body::Bytes(bytes)
    }
}

impl std::fmt::Debug for Body<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Body::Bytes(bytes) => write!(f, "Bytes({} bytes)", bytes.len()),
            Body::Streamed(_) => f.write_str("Streamed"),
        }
    }
}

/// The files of a results folder: (path inside the folder, body). A path may name a
/// subfolder (`scenario/summary.json`).
pub type Files<'a> = Vec<(String, Body<'a>)>;

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

/// The text of the file `name` among `files` (one held as bytes: a streamed body is not
/// rendered here).
pub(crate) fn text_of(files: &Files, name: &str) -> Option<String> {
    files.iter().find_map(|(f, b)| match b {
        Body::Bytes(bytes) if f == name => Some(String::from_utf8_lossy(bytes).into_owned()),
        _ => None,
    })
}

/// Every file of one run's folder.
pub fn single(result: &RunResult, charts: Charts) -> Result<Files<'_>, ReportError> {
    let mut files: Files = vec![
        ("timeseries.csv".into(), Body::Streamed(Box::new(move |w| write_timeseries_csv(result, w)))),
        ("summary.json".into(), summary_json(result).into_bytes().into()),
        ("events.csv".into(), events_csv(result)?.into()),
    ];
    if charts.svg {
        files.push(("availability.svg".into(), chart::availability_svg(result)?.into_bytes().into()));
    }
    if charts.png {
        files.push(("availability.png".into(), chart::availability_png(result)?.into()));
    }
    if charts.any() {
        let svg = match text_of(&files, "availability.svg") {
            Some(svg) => svg,
            None => chart::availability_svg(result)?,
        };
        files.push(("report.html".into(), report_html(&result.config, &files, &svg, None).into()));
    }
    Ok(files)
}

/// Every file of a replicated run's folder.
pub fn monte_carlo(mc: &MonteCarlo, charts: Charts) -> Result<Files<'_>, ReportError> {
    let fingerprint = fingerprint_of(&mc.first_log)?;
    let mut files: Files = vec![
        ("summary.json".into(), monte::summary_json(mc, &fingerprint).into_bytes().into()),
        ("events.csv".into(), events_csv_of(&mc.first_log)?.into()),
        ("replications.csv".into(), monte::replications_csv(mc)?.into()),
    ];
    // The row statistics: the charts borrow them, then `timeseries.csv` keeps them to
    // render its rows as it is written.
    let input = monte::chart_input(mc, mc.series());
    if charts.svg {
        files.push(("availability.svg".into(), chart::svg(&input)?.into_bytes().into()));
    }
    if charts.png {
        files.push(("availability.png".into(), chart::png(&input)?.into()));
    }
    // How the replications' yearly numbers spread (docs/model.md#replications).
    let spread = charts.any().then(|| monte::distribution_input(mc));
    if let (true, Some(spread)) = (charts.svg, &spread) {
        files.push(("distribution.svg".into(), distribution::svg(spread)?.into_bytes().into()));
    }
    if let (true, Some(spread)) = (charts.png, &spread) {
        files.push(("distribution.png".into(), distribution::png(spread)?.into()));
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
        let html = report_html(&mc.config, &files, &svg, Some(&distribution));
        files.push(("report.html".into(), html.into()));
    }
    let series = monte::series_of(input);
    let timeseries = Body::Streamed(Box::new(move |w| monte::write_timeseries_csv(mc, &series, w)));
    files.insert(0, ("timeseries.csv".into(), timeseries));
    Ok(files)
}

/// Every file of a finished scenario's folder, as `run` writes it.
pub fn outcome(o: &Outcome, charts: Charts) -> Result<Files<'_>, ReportError> {
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
            chart_svg: Some(svg),
            distribution_svg: distribution,
            ..html::ScenarioPart::new(config, &summary)
        }],
    };
    html::render(&report).into_bytes()
}

/// The files of one shard's folder: its `shard.json` (already serialised), and for people
/// `replications.csv` with the shard's rows and, when replication 0 is in the shard,
/// `events.csv`.
pub fn shard(
    shard_json: Vec<u8>,
    config: &Arc<Config>,
    done: &Replications,
) -> Result<Files<'static>, ReportError> {
    let part = MonteCarlo { config: config.clone(), first_log: Vec::new(), records: done.records.clone() };
    let mut files: Files = vec![
        ("shard.json".into(), shard_json.into()),
        ("replications.csv".into(), monte::replications_csv(&part)?.into()),
    ];
    if let Some(log) = &done.first_log {
        files.push(("events.csv".into(), events_csv_of(log)?.into()));
    }
    Ok(files)
}

/// The files of a comparison folder: `comparison.md`, `comparison.csv`, one overlay chart
/// per feature, `report.html`, and each scenario's own folder inside it.
pub fn comparison(outcomes: &[Outcome], charts: Charts) -> Result<Files<'_>, ReportError> {
    let mut files: Files = vec![
        ("comparison.md".into(), comparison_md(outcomes).into_bytes().into()),
        ("comparison.csv".into(), comparison_csv(outcomes)?.into()),
    ];
    // One overlay chart per feature, every scenario on it.
    let lines: Vec<_> = outcomes.iter().map(Outcome::lines).collect();
    let mut figures = Vec::new();
    for f in Feature::ALL {
        let series: Vec<_> = outcomes.iter().zip(&lines).map(|(o, l)| o.overlay(l, f)).collect();
        let svg = overlay::svg("compare", f, &series)?;
        if charts.png {
            files.push((format!("{}.png", f.column()), overlay::png("compare", f, &series)?.into()));
        }
        if charts.svg {
            files.push((format!("{}.svg", f.column()), svg.clone().into_bytes().into()));
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
                    chart_svg: svg.as_deref(),
                    distribution_svg: distribution.as_deref(),
                    ..html::ScenarioPart::new(o.config(), summary)
                })
                .collect(),
        };
        files.push(("report.html".into(), html::render(&html).into_bytes().into()));
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
pub fn sweep<'a>(
    name: &str,
    paths: &[String],
    points: &'a [Point],
    charts: Charts,
    duration: &dyn Fn(&str) -> Option<SimTime>,
) -> Result<Files<'a>, ReportError> {
    let csv = sweep_csv(paths, points)?;
    let mut files: Files = vec![("sweep.csv".into(), csv.into())];
    let drawn = sweep_charts(paths, points, charts, duration)?;
    let mut figures = Vec::new();
    for (file, bytes) in &drawn {
        if let Some(metric) = file.strip_prefix("sweep-").and_then(|f| f.strip_suffix(".svg")) {
            figures.push((metric.to_string(), String::from_utf8_lossy(bytes).into_owned()));
        }
    }
    files.extend(drawn.into_iter().map(|(file, bytes)| (file, bytes.into())));
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
        // From the cells, not the CSV's text: a swept value may hold a comma.
        let (header, rows) = sweep_table(paths, points);
        let keep: Vec<usize> = header
            .iter()
            .enumerate()
            .filter(|(i, h)| *i <= paths.len() || KEY_METRICS.iter().any(|(m, _, _)| m == h))
            .map(|(i, _)| i)
            .collect();
        let pick =
            |row: &Vec<String>| keep.iter().map(|&i| row.get(i).cloned().unwrap_or_default()).collect();
        let table = ("Sweep".to_string(), pick(&header), rows.iter().map(pick).collect());
        let title = format!("Sweep of {name}");
        // Each point's scenario, when there are few enough to read.
        let scenarios = if points.len() <= 12 {
            points
                .iter()
                .zip(&parts)
                .map(|((_, o), summary)| html::ScenarioPart::new(o.config(), summary))
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
        files.push(("report.html".into(), html::render(&html).into_bytes().into()));
    }
    Ok(files)
}

/// The metrics charted against the swept values: (column of `sweep.csv`, unit, scale).
const KEY_METRICS: [(&str, &str, f64); 10] = [
    ("im_availability", "%", 100.0),
    ("voice_availability", "%", 100.0),
    ("pstn_availability", "%", 100.0),
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
) -> Result<Vec<(String, Vec<u8>)>, ReportError> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::compare::Outcome;
    use crate::stats::{self, run_replication};

    fn config(name: &str, replications: u32) -> Arc<Config> {
        let text = format!(
            r#"Scenario(name: "{name}", horizon: "6h", sample_every: "1m", replications: {replications},
            sites: [ Site(name: "dc1") ],
            pools: [ Pool(fqdn: "a.contoso.com", site: "dc1", users: 500) ],
            events: [ At("1h", PoolDown(pool: "a.contoso.com")), At("2h", PoolUp(pool: "a.contoso.com")) ])"#
        );
        Arc::new(crate::scenario::load_str("t.ron", &text).unwrap().config)
    }

    fn replicated(name: &str) -> MonteCarlo {
        stats::monte::run(config(name, 3), Some(1), &|_| String::new(), &|| ()).unwrap()
    }

    /// `timeseries.csv` of `files` (at `path`): streamed, and its bytes `expected`; every
    /// other file is held as bytes.
    fn streamed(files: &Files, path: &str, expected: &[u8]) {
        let (_, body) = files.iter().find(|(f, _)| f == path).unwrap();
        assert!(body.is_streamed(), "{path} is rendered into memory: {body:?}");
        assert_eq!(body.to_bytes().unwrap(), expected, "{path}");
        let mut written = Vec::new();
        body.write_to(&mut written).unwrap();
        assert_eq!(written, expected, "{path}");
        for (file, body) in files {
            assert_eq!(body.is_streamed(), file.ends_with("timeseries.csv"), "{file}");
        }
    }

    /// Issue 16, item 5: `timeseries.csv` (a row per sample, 873 MB for a year every 10 s)
    /// is written as it is rendered, never held, in every kind of folder, with the same
    /// bytes as rendered into memory.
    #[test]
    fn timeseries_csv_is_streamed_in_every_folder() {
        let single_charts = Charts { svg: true, png: false };
        let one = run_replication(config("one", 1), 0);
        let one_csv = super::super::timeseries_csv(&one).unwrap();
        assert!(one_csv.len() > 1000);
        streamed(&single(&one, single_charts).unwrap(), "timeseries.csv", &one_csv);
        let many = replicated("many");
        let many_csv = monte::timeseries_csv(&many, &many.series()).unwrap();
        for charts in [Charts::NONE, single_charts, Charts { svg: true, png: true }] {
            streamed(&monte_carlo(&many, charts).unwrap(), "timeseries.csv", &many_csv);
        }
        let outcomes = [Outcome::Single(Box::new(one)), Outcome::Monte(many)];
        let compared = comparison(&outcomes, Charts::NONE).unwrap();
        streamed(&compared, "one/timeseries.csv", &one_csv);
        streamed(&compared, "many/timeseries.csv", &many_csv);
        let points: Vec<Point> =
            outcomes.iter().zip(["1", "2"]).map(|(o, v)| (vec![v.to_string()], o.clone())).collect();
        let swept = sweep("s", &["seed".to_string()], &points, Charts::NONE, &|_| None).unwrap();
        streamed(&swept, "one/timeseries.csv", &one_csv);
        streamed(&swept, "many/timeseries.csv", &many_csv);
    }
}
