//! `lyncsim sensitivity`: the folder of a sensitivity study, a pure function of its finished
//! runs. `sensitivity.csv` (a row per assumption varied: its values, and per metric the
//! value at the base, low and high, and the swing |high − low|; rows sorted by the swing of
//! the first metric, largest first), a tornado chart per metric (`tornado-<metric>.svg` /
//! `.png`: a bar per assumption from the base to the metric at its low and high value,
//! the largest swing on top), and `report.html`, which says in words which assumptions
//! decide each metric and which were skipped, and why.
//!
//! The metric values are the columns of `sweep.csv` / `comparison.csv`
//! ([`metric_header`], [`metric_row`]): one extractor for every table.

use plotters::prelude::*;

use super::chart::canvas::{self, Canvas, Picture};
use super::chart::error::{draw_err, ChartError};
use super::chart::font::font;
use super::chart::palette::{INK, SCENARIO_COLORS, SWEEP_GRID};
use super::compare::{metric_header, metric_row, Outcome};
use super::folder::{self, Body, Charts, Files};
use super::format::{six, trim_number};
use super::html::{self, esc};
use super::{csv_bytes, ReportError};

/// One assumption varied: its name and values as a table shows them, and the two runs.
#[derive(Debug, Clone)]
pub struct Varied {
    /// The field, e.g. `timing.hydrate_per_user` or `pools[*].registrations_per_sec`.
    pub parameter: String,
    /// What it is.
    pub what: String,
    /// Why it is an assumption.
    pub why: String,
    /// Its value at the base, low and high runs, as shown (`10ms`, `20; 40` for several
    /// pools).
    pub values: [String; 3],
    /// The run with the low value.
    pub low: Outcome,
    /// The run with the high value.
    pub high: Outcome,
}

/// What a sensitivity study found, for its folder.
#[derive(Debug, Clone)]
pub struct Study<'a> {
    /// The scenario's name.
    pub name: &'a str,
    /// The factor F: the low runs are at ×(1 − F), the high ones at ×(1 + F).
    pub factor: f64,
    /// The metrics, columns of [`metric_header`], the first one ordering the rows.
    pub metrics: &'a [String],
    /// The run at the scenario's values.
    pub base: &'a Outcome,
    /// The assumptions varied, in the table's order.
    pub varied: &'a [Varied],
    /// The assumptions not varied: (parameter, why).
    pub skipped: &'a [(String, String)],
}

/// One metric of one row: base, low, high, swing (`None` where the run has no value, e.g.
/// a time to restore without a restore).
type Cells = (Option<f64>, Option<f64>, Option<f64>, Option<f64>);

impl Study<'_> {
    /// The value of `metric` in `o`.
    fn value(metric: &str, o: &Outcome) -> Option<f64> {
        let col = metric_header().iter().position(|h| h == metric)?;
        metric_row(o).get(col)?.parse().ok()
    }

    /// Each row's cells per metric, in `varied` order.
    fn cells(&self) -> Vec<Vec<Cells>> {
        self.varied
            .iter()
            .map(|v| {
                self.metrics
                    .iter()
                    .map(|m| {
                        let (b, l, h) =
                            (Self::value(m, self.base), Self::value(m, &v.low), Self::value(m, &v.high));
                        let swing = l.zip(h).map(|(l, h)| (h - l).abs());
                        (b, l, h, swing)
                    })
                    .collect()
            })
            .collect()
    }

    /// Row indices sorted by the swing of metric `k`, largest first; rows without a swing
    /// last; ties in the table's order.
    fn order(cells: &[Vec<Cells>], k: usize) -> Vec<usize> {
        let mut order: Vec<usize> = (0..cells.len()).collect();
        // Swings compared as rounded to the sixth decimal, as the table prints them.
        let key = |i: usize| cells[i][k].3.map(|s| (s * 1e6).round() as i64);
        order.sort_by_key(|&i| std::cmp::Reverse(key(i)));
        order
    }
}

/// `sensitivity.csv`.
pub fn sensitivity_csv(study: &Study) -> Result<Vec<u8>, ReportError> {
    let mut header: Vec<String> =
        ["parameter", "base_value", "low_value", "high_value"].map(String::from).to_vec();
    for m in study.metrics {
        header.extend(["base", "low", "high", "swing"].map(|s| format!("{m}_{s}")));
    }
    let cells = study.cells();
    let cell = |x: Option<f64>| x.map_or(String::new(), six);
    let rows = Study::order(&cells, 0).into_iter().map(|i| {
        let v = &study.varied[i];
        let mut row = vec![v.parameter.clone()];
        row.extend(v.values.iter().cloned());
        for &(b, l, h, s) in &cells[i] {
            row.extend([cell(b), cell(l), cell(h), cell(s)]);
        }
        row
    });
    csv_bytes(std::iter::once(header).chain(rows))
}

/// The unit a metric is charted in and the scale from its column: availabilities in %.
fn unit(metric: &str) -> (&'static str, f64) {
    if metric.contains("availability") {
        ("%", 100.0)
    } else if metric.ends_with("_s") {
        ("s", 1.0)
    } else {
        ("", 1.0)
    }
}

/// A tornado chart: a bar per assumption from the metric at the base to its value at the
/// low and the high value of the assumption.
#[derive(Debug, Clone)]
pub struct Tornado {
    /// The metric, e.g. `contacts_availability`.
    pub metric: String,
    /// Its unit on the x axis.
    pub unit: String,
    /// The factor F, for the legend.
    pub factor: f64,
    /// The metric at the scenario's values.
    pub base: Option<f64>,
    /// (assumption, metric at ×(1 − F), metric at ×(1 + F)), the largest swing first.
    pub bars: Vec<(String, Option<f64>, Option<f64>)>,
}

/// Pixels per bar, and around them.
const BAR_PX: u32 = 34;
const FRAME_PX: u32 = 150;
const WIDTH: u32 = 960;

impl Picture for Tornado {
    fn size(&self) -> (u32, u32) {
        (WIDTH, FRAME_PX + BAR_PX * self.bars.len().max(1) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, canvas: &Canvas<DB>) -> Result<(), ChartError> {
        draw(canvas.root, self)
    }
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    t: &Tornado,
) -> Result<(), ChartError> {
    let n = t.bars.len().max(1);
    let values: Vec<f64> = t.bars.iter().flat_map(|(_, l, h)| [*l, *h]).chain([t.base]).flatten().collect();
    let (mut lo, mut hi) = values.iter().fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(*v), b.max(*v)));
    if values.is_empty() {
        (lo, hi) = (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.08).max(hi.abs() * 1e-6).max(1e-9);
    let caption = format!(
        "{}: what moves it (each assumption ×{} and ×{})",
        t.metric,
        trim_number(1.0 - t.factor),
        trim_number(1.0 + t.factor)
    );
    let mut chart = ChartBuilder::on(root)
        .caption(caption, font(18.0))
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(300)
        .build_cartesian_2d((lo - pad)..(hi + pad), 0.0..n as f64)
        .map_err(draw_err)?;
    let x_desc = if t.unit.is_empty() { t.metric.clone() } else { format!("{} ({})", t.metric, t.unit) };
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_labels(0)
        .disable_y_mesh()
        .x_label_formatter(&|v| trim_number(*v))
        .light_line_style(SWEEP_GRID)
        .label_style(font(13.0))
        .draw()
        .map_err(draw_err)?;
    let (low_color, high_color) = (SCENARIO_COLORS[0], SCENARIO_COLORS[1]);
    let base = t.base.unwrap_or((lo + hi) / 2.0);
    for (i, (label, low, high)) in t.bars.iter().enumerate() {
        // The largest swing on top.
        let y = (n - 1 - i) as f64;
        let (y0, y1) = (y + 0.18, y + 0.82);
        for (value, color) in [(low, low_color), (high, high_color)] {
            let Some(v) = value else { continue };
            let (a, b) = if *v < base { (*v, base) } else { (base, *v) };
            // A bar of no width still shows as a hairline.
            chart
                .draw_series(std::iter::once(Rectangle::new([(a, y0), (b, y1)], color.mix(0.85).filled())))
                .map_err(draw_err)?;
        }
        let (px, py) = chart.backend_coord(&(lo - pad, y + 0.5));
        let style = font(13.0).color(&INK).pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Right,
            plotters::style::text_anchor::VPos::Center,
        ));
        root.draw(&Text::new(label.clone(), (px - 8, py), style)).map_err(draw_err)?;
    }
    if let Some(b) = t.base {
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(b, 0.0), (b, n as f64)],
                INK.stroke_width(2),
            )))
            .map_err(draw_err)?;
    }
    // The legend: which color is which end.
    let legend = [
        (format!("×{}", trim_number(1.0 - t.factor)), low_color),
        (format!("×{}", trim_number(1.0 + t.factor)), high_color),
    ];
    // Bottom left, under the assumptions' names.
    let bottom = root.dim_in_pixel().1 as i32 - 24;
    for (k, (text, color)) in legend.iter().enumerate() {
        let x = 24 + 90 * k as i32;
        let y = bottom;
        root.draw(&Rectangle::new([(x, y - 7), (x + 18, y + 7)], color.mix(0.85).filled()))
            .map_err(draw_err)?;
        root.draw(&Text::new(text.clone(), (x + 24, y - 8), font(13.0).color(&INK))).map_err(draw_err)?;
    }
    Ok(())
}

/// The chart as SVG.
pub fn svg(t: &Tornado) -> Result<String, ChartError> {
    canvas::svg(t)
}

/// The chart as PNG.
pub fn png(t: &Tornado) -> Result<Vec<u8>, ChartError> {
    canvas::png(t)
}

/// The tornado chart of metric `k`.
fn tornado(study: &Study, cells: &[Vec<Cells>], k: usize) -> Tornado {
    let metric = &study.metrics[k];
    let (unit, scale) = unit(metric);
    let s = |x: Option<f64>| x.map(|x| x * scale);
    Tornado {
        metric: metric.clone(),
        unit: unit.to_string(),
        factor: study.factor,
        base: s(Study::value(metric, study.base)),
        bars: Study::order(cells, k)
            .into_iter()
            .map(|i| (study.varied[i].parameter.clone(), s(cells[i][k].1), s(cells[i][k].2)))
            .collect(),
    }
}

/// A metric value in words: availabilities in %, seconds with their unit.
fn said(metric: &str, x: Option<f64>) -> String {
    match (x, unit(metric)) {
        (None, _) => "no value".to_string(),
        (Some(x), ("%", scale)) => format!("{} %", trim_number(x * scale)),
        (Some(x), ("s", _)) => format!("{} s", trim_number(x)),
        (Some(x), _) => trim_number(x),
    }
}

/// What report.html says of each metric: its value at the base, the assumptions that decide
/// it (a swing of at least a tenth of the largest), and those that do not move it.
pub fn findings(study: &Study) -> Vec<String> {
    let cells = study.cells();
    let lo = trim_number(1.0 - study.factor);
    let hi = trim_number(1.0 + study.factor);
    let mut out = vec![format!(
        "Each assumption that applies to {} was run at ×{lo} and ×{hi} of its value in the scenario, \
         the others at their values: {} assumptions, {} runs and the base.",
        study.name,
        study.varied.len(),
        2 * study.varied.len()
    )];
    for (k, metric) in study.metrics.iter().enumerate() {
        let base = Study::value(metric, study.base);
        let order = Study::order(&cells, k);
        let largest = order.first().and_then(|&i| cells[i][k].3).unwrap_or(0.0);
        let mut text = format!("{metric} is {} at the scenario's values. ", said(metric, base));
        if largest <= 0.0 {
            text += "No assumption moves it.";
            out.push(text);
            continue;
        }
        let deciding: Vec<String> = order
            .iter()
            .filter(|&&i| cells[i][k].3.is_some_and(|s| s >= largest / 10.0))
            .map(|&i| {
                let (_, l, h, _) = cells[i][k];
                format!(
                    "{} ({} at ×{lo}, {} at ×{hi})",
                    study.varied[i].parameter,
                    said(metric, l),
                    said(metric, h)
                )
            })
            .collect();
        let still: Vec<&str> = order
            .iter()
            .filter(|&&i| cells[i][k].3.is_none_or(|s| s == 0.0))
            .map(|&i| study.varied[i].parameter.as_str())
            .collect();
        text += &format!(
            "It is decided by {} assumption{}, the largest swing first: {}.",
            deciding.len(),
            if deciding.len() == 1 { "" } else { "s" },
            deciding.join("; ")
        );
        if !still.is_empty() {
            text += &format!(" It does not move with {}.", still.join(", "));
        }
        out.push(text);
    }
    if !study.skipped.is_empty() {
        let list: Vec<String> = study.skipped.iter().map(|(p, why)| format!("{p} ({why})")).collect();
        out.push(format!("Not varied: {}.", list.join("; ")));
    }
    out
}

/// Every file of the folder `<name>-sensitivity/`.
pub fn folder<'a>(study: &Study, charts: Charts) -> Result<Files<'a>, ReportError> {
    let csv = sensitivity_csv(study)?;
    let mut files: Files = vec![("sensitivity.csv".into(), csv.clone().into())];
    let cells = study.cells();
    let mut figures = Vec::new();
    for k in 0..study.metrics.len() {
        let t = tornado(study, &cells, k);
        let metric = &study.metrics[k];
        if charts.svg {
            let svg = svg(&t)?;
            figures.push((format!("{metric}: tornado"), svg.clone()));
            files.push((format!("tornado-{metric}.svg"), svg.into_bytes().into()));
        }
        if charts.png {
            files.push((format!("tornado-{metric}.png"), png(&t)?.into()));
        }
    }
    if charts.any() {
        if figures.is_empty() {
            for k in 0..study.metrics.len() {
                figures.push((format!("{}: tornado", study.metrics[k]), svg(&tornado(study, &cells, k))?));
            }
        }
        let text = String::from_utf8_lossy(&csv).into_owned();
        let mut lines = text.lines().map(|l| l.split(',').map(str::to_string).collect::<Vec<_>>());
        let header = lines.next().unwrap_or_default();
        let table = ("Sensitivity".to_string(), header, lines.collect());
        let what = (
            "The assumptions varied".to_string(),
            ["parameter", "what it is", "why it is an assumption", "base", "low", "high"]
                .map(String::from)
                .to_vec(),
            study
                .varied
                .iter()
                .map(|v| {
                    let mut row = vec![v.parameter.clone(), v.what.clone(), v.why.clone()];
                    row.extend(v.values.iter().cloned());
                    row
                })
                .collect(),
        );
        let base_files = folder::outcome(study.base, Charts::NONE)?;
        let summary = base_files
            .iter()
            .find_map(|(f, b)| match b {
                Body::Bytes(bytes) if f == "summary.json" => {
                    Some(String::from_utf8_lossy(bytes).into_owned())
                }
                _ => None,
            })
            .unwrap_or_default();
        let config = study.base.config();
        let title = format!("Sensitivity of {}", study.name);
        let report = html::Report {
            title: &title,
            kind: "Sensitivity",
            version: env!("CARGO_PKG_VERSION"),
            tables: vec![table, what],
            figures,
            scenarios: vec![html::ScenarioPart {
                name: &config.name,
                description: &config.description,
                source: &config.source,
                file: &config.file,
                summary_json: &summary,
                chart_svg: None,
                distribution_svg: None,
            }],
        };
        let page = with_findings(&html::render(&report), &findings(study));
        files.push(("report.html".into(), page.into_bytes().into()));
    }
    Ok(files)
}

/// `page` with a section of `paragraphs` ("What decides the answer") after its header.
fn with_findings(page: &str, paragraphs: &[String]) -> String {
    let mut section = String::from("<section class=\"extra\">\n<h2>What decides the answer</h2>\n");
    for p in paragraphs {
        section += &format!("<p>{}</p>\n", esc(p));
    }
    section += "</section>\n";
    match page.split_once("</header>\n") {
        Some((head, rest)) => format!("{head}</header>\n{section}{rest}"),
        None => format!("{page}{section}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tornado_charts_render_deterministically_largest_swing_on_top() {
        let t = Tornado {
            metric: "contacts_availability".into(),
            unit: "%".into(),
            factor: 0.5,
            base: Some(99.0),
            bars: vec![
                ("timing.hydrate_per_user".into(), Some(99.5), Some(98.0)),
                ("clients.keepalive".into(), Some(99.1), None),
                ("clients.retry".into(), Some(99.0), Some(99.0)),
            ],
        };
        let a = svg(&t).unwrap();
        assert_eq!(a, svg(&t).unwrap());
        assert!(a.contains("timing.hydrate_per_user") && a.contains("×1.5"), "{a}");
        assert!(png(&t).unwrap().starts_with(b"\x89PNG"));
        svg(&Tornado { bars: Vec::new(), base: None, ..t }).unwrap();
        let page = with_findings("<h1>x</h1></header>\n<p>rest</p>", &["a <b>".to_string()]);
        assert!(page.contains(
            "</header>\n<section class=\"extra\">\n<h2>What decides the answer</h2>\n<p>a &lt;b&gt;</p>"
        ));
    }
}
