//! `lyncsim sensitivity`: the folder of a sensitivity study, a pure function of its finished
//! runs. `sensitivity.csv` (a row per assumption varied: its values, and per metric the
//! value at the base, low and high, and the swing max − min over the three; rows sorted by
//! the swing of the first metric, largest first, a run that never restores counting as the
//! largest), a tornado chart per metric (`tornado-<metric>.svg` / `.png`: a bar per
//! assumption from the base to the metric at its low and high value, the largest swing on
//! top), and `report.html`, which says in words which assumptions decide each metric and
//! which were skipped, and why.
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
    /// Whether the low / high value is the base's (clamped to the field's range): then it
    /// was not run, and `low` / `high` is the base run.
    pub not_run: [bool; 2],
}

/// A metric at one run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum At {
    /// Its value.
    Value(f64),
    /// A time to restore with no incident ended but one open at the horizon: not restored
    /// by the horizon.
    NotRestored,
    /// No value: no incident at all, a phase never entered, no interval.
    Absent,
}

/// How much a metric moves with an assumption, over the base, low and high runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Swing {
    /// Some runs restore and some do not by the horizon: the largest effect there is.
    NotRestored,
    /// max − min of the values (0 when every run has none, or none restores).
    By(f64),
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

/// One metric of one row: base, low, high, swing (`None` when some runs have a value and
/// others none for another reason than a missing restore: how much it moves is unknown).
type Cells = (At, At, At, Option<Swing>);

/// The swing over the three runs: max − min of the values; a run that does not restore
/// while another does is the largest swing.
fn swing(runs: [At; 3]) -> Option<Swing> {
    let restored = runs.iter().filter(|a| **a != At::NotRestored).count();
    if restored > 0 && restored < 3 {
        return Some(Swing::NotRestored);
    }
    let values: Vec<f64> =
        runs.iter().filter_map(|a| if let At::Value(x) = a { Some(*x) } else { None }).collect();
    match values.len() {
        3 => {
            let (lo, hi) = values.iter().fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(*v), b.max(*v)));
            Some(Swing::By(hi - lo))
        }
        0 => Some(Swing::By(0.0)),
        _ => None,
    }
}

impl Study<'_> {
    /// The value of `metric` in `o`; a time to restore without one but with an open incident
    /// is [`At::NotRestored`].
    fn value(metric: &str, o: &Outcome) -> At {
        let header = metric_header();
        let row = metric_row(o);
        let cell = |name: &str| header.iter().position(|h| h == name).and_then(|col| row.get(col));
        if let Some(x) = cell(metric).and_then(|c| c.parse().ok()) {
            return At::Value(x);
        }
        let feature =
            metric.strip_suffix("_time_to_restore_s").or_else(|| metric.strip_suffix("_mean_restore_s"));
        let open =
            feature.and_then(|f| cell(&format!("{f}_open_incidents"))).and_then(|c| c.parse::<f64>().ok());
        if open.is_some_and(|n| n > 0.0) {
            At::NotRestored
        } else {
            At::Absent
        }
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
                        (b, l, h, swing([b, l, h]))
                    })
                    .collect()
            })
            .collect()
    }

    /// Row indices sorted by the swing of metric `k`, largest first (a run that does not
    /// restore first of all); rows whose swing is unknown last; ties in the table's order.
    fn order(cells: &[Vec<Cells>], k: usize) -> Vec<usize> {
        let mut order: Vec<usize> = (0..cells.len()).collect();
        // Swings compared as rounded to the sixth decimal, as the table prints them.
        let key = |i: usize| match cells[i][k].3 {
            Some(Swing::NotRestored) => Some(i64::MAX),
            Some(Swing::By(s)) => Some((s * 1e6).round() as i64),
            None => None,
        };
        order.sort_by_key(|&i| std::cmp::Reverse(key(i)));
        order
    }

    /// The runs made: the base, and each low and high value that is not the base's.
    fn runs(&self) -> usize {
        self.varied.iter().map(|v| v.not_run.iter().filter(|n| !**n).count()).sum()
    }
}

/// The header and rows of `sensitivity.csv`, in its order.
fn sensitivity_table(study: &Study) -> (Vec<String>, Vec<Vec<String>>) {
    let mut header: Vec<String> =
        ["parameter", "base_value", "low_value", "high_value"].map(String::from).to_vec();
    for m in study.metrics {
        header.extend(["base", "low", "high", "swing"].map(|s| format!("{m}_{s}")));
    }
    let cells = study.cells();
    let cell = |x: At| if let At::Value(x) = x { six(x) } else { String::new() };
    let rows = Study::order(&cells, 0)
        .into_iter()
        .map(|i| {
            let v = &study.varied[i];
            let mut row = vec![v.parameter.clone()];
            row.extend(v.values.iter().cloned());
            for &(b, l, h, s) in &cells[i] {
                // The swing only where every run has a value.
                let swing = match s {
                    Some(Swing::By(x)) if [b, l, h].iter().all(|a| matches!(a, At::Value(_))) => six(x),
                    _ => String::new(),
                };
                row.extend([cell(b), cell(l), cell(h), swing]);
            }
            row
        })
        .collect();
    (header, rows)
}

/// `sensitivity.csv`.
pub fn sensitivity_csv(study: &Study) -> Result<Vec<u8>, ReportError> {
    let (header, rows) = sensitivity_table(study);
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
    /// The metric at the scenario's values, in the chart's unit.
    pub base: At,
    /// (assumption, metric at ×(1 − F), metric at ×(1 + F)) in the chart's unit, the
    /// largest swing first. A run not restored by the horizon draws its bar to the right
    /// edge, saying so.
    pub bars: Vec<(String, At, At)>,
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
    let value = |a: &At| if let At::Value(x) = a { Some(*x) } else { None };
    let values: Vec<f64> =
        t.bars.iter().flat_map(|(_, l, h)| [value(l), value(h)]).chain([value(&t.base)]).flatten().collect();
    let (mut lo, mut hi) = values.iter().fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(*v), b.max(*v)));
    if values.is_empty() {
        (lo, hi) = (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.08).max(hi.abs() * 1e-6).max(1e-9);
    // Where a run that never restores is drawn: the right edge (an unbounded time).
    let edge = hi + pad;
    let at = |a: &At| match a {
        At::Value(x) => Some(*x),
        At::NotRestored => Some(edge),
        At::Absent => None,
    };
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
        .build_cartesian_2d((lo - pad)..edge, 0.0..n as f64)
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
    let base = at(&t.base).unwrap_or((lo + hi) / 2.0);
    let right = plotters::style::text_anchor::Pos::new(
        plotters::style::text_anchor::HPos::Right,
        plotters::style::text_anchor::VPos::Center,
    );
    for (i, (label, low, high)) in t.bars.iter().enumerate() {
        // The largest swing on top.
        let y = (n - 1 - i) as f64;
        let (y0, y1) = (y + 0.18, y + 0.82);
        for (value, color) in [(low, low_color), (high, high_color)] {
            let Some(v) = at(value) else { continue };
            let (a, b) = if v < base { (v, base) } else { (base, v) };
            // A bar of no width still shows as a hairline.
            chart
                .draw_series(std::iter::once(Rectangle::new([(a, y0), (b, y1)], color.mix(0.85).filled())))
                .map_err(draw_err)?;
        }
        // A run that never restores, said at the right edge.
        let never: Vec<String> = [(low, 1.0 - t.factor), (high, 1.0 + t.factor)]
            .iter()
            .filter(|(v, _)| **v == At::NotRestored)
            .map(|(_, f)| format!("×{}", trim_number(*f)))
            .collect();
        if !never.is_empty() {
            let (px, py) = chart.backend_coord(&(edge, y + 0.5));
            let text = format!("not restored by the horizon at {}", never.join(" and "));
            root.draw(&Text::new(text, (px - 6, py), font(13.0).color(&INK).pos(right))).map_err(draw_err)?;
        }
        let (px, py) = chart.backend_coord(&(lo - pad, y + 0.5));
        let style = font(13.0).color(&INK).pos(right);
        root.draw(&Text::new(label.clone(), (px - 8, py), style)).map_err(draw_err)?;
    }
    if let Some(b) = at(&t.base) {
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
    let s = |x: At| if let At::Value(x) = x { At::Value(x * scale) } else { x };
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
fn said(metric: &str, x: At) -> String {
    match (x, unit(metric)) {
        (At::NotRestored, _) => "not restored by the horizon".to_string(),
        (At::Absent, _) => "no value".to_string(),
        (At::Value(x), ("%", scale)) => format!("{} %", trim_number(x * scale)),
        (At::Value(x), ("s", _)) => format!("{} s", trim_number(x)),
        (At::Value(x), _) => trim_number(x),
    }
}

/// What report.html says of each metric: its value at the base, the assumptions that decide
/// it (a run that does not restore by the horizon, or a swing of at least a tenth of the
/// largest), and those that do not move it (a swing max − min of 0 over the base, low and
/// high runs).
pub fn findings(study: &Study) -> Vec<String> {
    let cells = study.cells();
    let lo = trim_number(1.0 - study.factor);
    let hi = trim_number(1.0 + study.factor);
    let mut first = format!(
        "Each assumption that applies to {} was run at ×{lo} and ×{hi} of its value in the scenario, \
         the others at their values: {} assumptions, {} runs and the base.",
        study.name,
        study.varied.len(),
        study.runs()
    );
    let clamped = 2 * study.varied.len() - study.runs();
    if clamped > 0 {
        first += &format!(
            " {clamped} value{} clamped to the field's range {} the base's: not run, the base's metrics stand for {}.",
            if clamped == 1 { "" } else { "s" },
            if clamped == 1 { "is" } else { "are" },
            if clamped == 1 { "it" } else { "them" },
        );
    }
    let mut out = vec![first];
    for (k, metric) in study.metrics.iter().enumerate() {
        let base = Study::value(metric, study.base);
        let order = Study::order(&cells, k);
        let largest = order
            .iter()
            .filter_map(|&i| if let Some(Swing::By(s)) = cells[i][k].3 { Some(s) } else { None })
            .fold(0.0, f64::max);
        let deciding: Vec<String> = order
            .iter()
            .filter(|&&i| match cells[i][k].3 {
                Some(Swing::NotRestored) => true,
                Some(Swing::By(s)) => s > 0.0 && s >= largest / 10.0,
                None => false,
            })
            .map(|&i| {
                let (_, l, h, _) = cells[i][k];
                let v = &study.varied[i];
                let side = |x: At, f: &str, side: usize| {
                    let mut text = format!("{} at ×{f}", said(metric, x));
                    if v.not_run[side] {
                        text += &format!(" = {}, the base's: not run", v.values[side + 1]);
                    }
                    text
                };
                format!("{} ({}, {})", v.parameter, side(l, &lo, 0), side(h, &hi, 1))
            })
            .collect();
        let still: Vec<&str> = order
            .iter()
            .filter(|&&i| cells[i][k].3 == Some(Swing::By(0.0)))
            .map(|&i| study.varied[i].parameter.as_str())
            .collect();
        let unknown: Vec<&str> = order
            .iter()
            .filter(|&&i| cells[i][k].3.is_none())
            .map(|&i| study.varied[i].parameter.as_str())
            .collect();
        let mut text = format!("{metric} is {} at the scenario's values. ", said(metric, base));
        if deciding.is_empty() {
            text += "No assumption moves it.";
        } else {
            text += &format!(
                "It is decided by {} assumption{}, the largest swing first: {}.",
                deciding.len(),
                if deciding.len() == 1 { "" } else { "s" },
                deciding.join("; ")
            );
            if !still.is_empty() {
                text += &format!(" It does not move with {}.", still.join(", "));
            }
        }
        if !unknown.is_empty() {
            text += &format!(" It has a value at some runs and none at others with {}.", unknown.join(", "));
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
    let mut files: Files = vec![("sensitivity.csv".into(), csv.into())];
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
        // The table from its cells: a value may hold a comma (`Uniform(min: "2m", max: "4m")`).
        let (header, rows) = sensitivity_table(study);
        let table = ("Sensitivity".to_string(), header, rows);
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
            scenarios: vec![html::ScenarioPart::new(config, &summary)],
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
            base: At::Value(99.0),
            bars: vec![
                ("timing.hydrate_per_user".into(), At::Value(99.5), At::Value(98.0)),
                ("clients.keepalive".into(), At::Value(99.1), At::Absent),
                ("clients.retry".into(), At::Value(99.0), At::Value(99.0)),
                ("pools[*].registrations_per_sec".into(), At::NotRestored, At::Value(99.2)),
            ],
        };
        let a = svg(&t).unwrap();
        assert_eq!(a, svg(&t).unwrap());
        assert!(a.contains("timing.hydrate_per_user") && a.contains("×1.5"), "{a}");
        assert!(a.contains("not restored by the horizon at ×0.5"), "{a}");
        assert!(png(&t).unwrap().starts_with(b"\x89PNG"));
        svg(&Tornado { bars: Vec::new(), base: At::Absent, ..t }).unwrap();
        let page = with_findings("<h1>x</h1></header>\n<p>rest</p>", &["a <b>".to_string()]);
        assert!(page.contains(
            "</header>\n<section class=\"extra\">\n<h2>What decides the answer</h2>\n<p>a &lt;b&gt;</p>"
        ));
    }

    /// A run that never restores is the largest swing; "moves" is max − min over the base,
    /// low and high (low == high != base moves); a swing is unknown only where some runs
    /// have a value and others none for another reason.
    #[test]
    fn swings_span_the_three_runs_and_a_missing_restore_is_the_largest() {
        use At::{Absent, NotRestored, Value};
        assert_eq!(swing([Value(1.0), Value(3.0), Value(3.0)]), Some(Swing::By(2.0)), "low == high != base");
        assert_eq!(swing([Value(2.0), Value(1.0), Value(3.0)]), Some(Swing::By(2.0)));
        assert_eq!(swing([Value(1737.4), NotRestored, Value(1694.9)]), Some(Swing::NotRestored));
        assert_eq!(swing([NotRestored, NotRestored, NotRestored]), Some(Swing::By(0.0)));
        assert_eq!(swing([Absent, Absent, Absent]), Some(Swing::By(0.0)));
        assert_eq!(swing([Value(1.0), Absent, Value(1.0)]), None);
        let row = |s| vec![(Value(0.0), Value(0.0), Value(0.0), s)];
        let cells = vec![
            row(Some(Swing::By(5.0))),
            row(None),
            row(Some(Swing::NotRestored)),
            row(Some(Swing::By(0.0))),
            row(Some(Swing::By(7.0))),
        ];
        assert_eq!(Study::order(&cells, 0), [2, 4, 0, 3, 1]);
    }
}
