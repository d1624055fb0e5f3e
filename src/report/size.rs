//! `lyncsim size`: the smallest value of one field for which every target holds, as pure
//! functions of a finished search: the verdict (the answer, the check below it, the probes
//! that break monotonicity), `size.json`, `size.csv`, a chart per target metric (the metric
//! against the probed values, each target on it a horizontal line), `report.html`, and each
//! probe's results folder. The search (which values to probe) is the command's
//! (`src/cli/size.rs`); the metrics are the columns of `sweep.csv` ([`metric_header`],
//! [`metric_row`]), read from the same cells.

use plotters::prelude::*;
use serde_json::{json, Map, Value};

use super::chart::canvas::{self, Canvas, Picture};
use super::chart::error::{draw_err, ChartError};
use super::chart::font::font;
use super::chart::palette::{
    SIZE_FAILS, SIZE_LINE, SIZE_MEETS, SIZE_TARGET, SWEEP_GRID, SWEEP_LEGEND_BORDER,
};
use super::compare::{metric_header, metric_row, Outcome};
use super::folder::{self, Charts, Files};
use super::format::{fixed6, sig6_against, significant, trim_number};
use super::{csv_bytes, html, ReportError};

/// Picture size, pixels.
const SIZE: (u32, u32) = (900, 540);

/// How a target compares its metric with its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `<=`
    Le,
    /// `>=`
    Ge,
    /// `<`
    Lt,
    /// `>`
    Gt,
}

impl Op {
    /// Every operator, the two-character ones first (the order a target is read in).
    pub const ALL: [Op; 4] = [Op::Le, Op::Ge, Op::Lt, Op::Gt];

    /// As written: `<=`, `>=`, `<`, `>`.
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Le => "<=",
            Op::Ge => ">=",
            Op::Lt => "<",
            Op::Gt => ">",
        }
    }

    /// The operator a failing value stands in (`2200 > 2100` fails `<=`).
    fn failing(self) -> &'static str {
        match self {
            Op::Le => ">",
            Op::Ge => "<",
            Op::Lt => ">=",
            Op::Gt => "<=",
        }
    }

    /// Whether `x OP v`.
    pub fn holds(self, x: f64, v: f64) -> bool {
        match self {
            Op::Le => x <= v,
            Op::Ge => x >= v,
            Op::Lt => x < v,
            Op::Gt => x > v,
        }
    }
}

/// A target: a column of `sweep.csv`, an operator and a value.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The column, e.g. `contacts_time_to_restore_s`.
    pub metric: String,
    /// The comparison.
    pub op: Op,
    /// The value.
    pub value: f64,
    /// The target as the user typed it (`voice_availability>=0.9995`), shown as is.
    pub text: String,
}

impl Target {
    /// As written on the command line, e.g. `contacts_time_to_restore_s<=900`.
    pub fn text(&self) -> String {
        self.text.clone()
    }

    /// The value as written (`0.9995`, not rounded); the number's six significant digits
    /// when the text does not hold it after the operator.
    pub fn value_text(&self) -> String {
        match self.text.rsplit_once(self.op.symbol()) {
            Some((_, v)) if v.trim().parse::<f64>() == Ok(self.value) => v.trim().to_string(),
            _ => significant(self.value, 6),
        }
    }

    /// Whether a value meets the target. No value (an empty cell, see [`Target::cell`])
    /// never does.
    pub fn meets(&self, cell: Option<f64>) -> bool {
        cell.is_some_and(|x| self.op.holds(x, self.value))
    }

    /// The value a probe's row (cells under `header`, [`metric_header`]) gives this
    /// target's metric: see [`metric_value`].
    pub fn cell(&self, header: &[String], row: &[String]) -> Option<f64> {
        metric_value(header, row, &self.metric)
    }
}

/// The value of `metric` in a row of cells under `header`, as a target reads it: the cell as
/// a number, except that an empty restore time (`<feature>_time_to_restore_s` or
/// `<feature>_mean_restore_s`) of a run with no incident at all (`<feature>_incidents` and
/// `<feature>_open_incidents` both 0: the feature never fell below 99 %) is 0 s of restore,
/// the best case, so it meets a restore-time target (docs/metrics.md#sizejson-and-sizecsv).
/// An incident still open at the horizon (in any replication) is no value either: its
/// restore time is unknown and at least `<feature>_open_incident_s`, so "restored within"
/// cannot be said, even when an earlier incident ended in time.
pub fn metric_value(header: &[String], row: &[String], metric: &str) -> Option<f64> {
    let at = |m: &str| header.iter().position(|h| h == m).and_then(|i| row.get(i)).and_then(|c| number(c));
    let Some(feature) = restore_feature(metric) else {
        return at(metric);
    };
    if open_incident(header, row, feature) {
        return None;
    }
    if let Some(x) = at(metric) {
        return Some(x);
    }
    let none = |m: &str| at(&format!("{feature}_{m}")) == Some(0.0);
    (none("incidents") && none("open_incidents")).then_some(0.0)
}

/// The feature of a restore-time metric (`contacts` of `contacts_time_to_restore_s` or
/// `contacts_mean_restore_s`).
fn restore_feature(metric: &str) -> Option<&str> {
    metric.strip_suffix("_time_to_restore_s").or_else(|| metric.strip_suffix("_mean_restore_s"))
}

/// Whether the row has an incident of `feature` still open at the horizon.
fn open_incident(header: &[String], row: &[String], feature: &str) -> bool {
    let column = format!("{feature}_open_incidents");
    let cell = header.iter().position(|h| *h == column).and_then(|i| row.get(i)).and_then(|c| number(c));
    cell.is_some_and(|n| n > 0.0)
}

/// One value of the varied field that was run.
#[derive(Debug, Clone)]
pub struct Probe {
    /// Its place on the grid (`0` is LO); its results folder is `<name>-NNN`, as the same
    /// point of a `sweep` over the range.
    pub point: usize,
    /// The value as written into the scenario.
    pub value: String,
    /// The bisection round that ran it, from 1.
    pub round: usize,
    /// Its result.
    pub outcome: Outcome,
}

/// A finished search.
#[derive(Debug, Clone, Copy)]
pub struct Search<'a> {
    /// The scenario's name.
    pub name: &'a str,
    /// The varied field, e.g. `pools[0].front_ends`.
    pub path: &'a str,
    /// The range as written: LO, HI and STEP.
    pub range: (&'a str, &'a str, &'a str),
    /// Values in the range: what a sweep of it would run.
    pub points: usize,
    /// The targets, every one of which must hold.
    pub targets: &'a [Target],
    /// Every probe, sorted by `point`.
    pub probes: &'a [Probe],
}

/// What a search found.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// The probe that is the answer: the smallest value that met every target.
    pub answer: Option<usize>,
    /// The probe just below the answer on the grid, when there is one.
    pub below: Option<usize>,
    /// Probes above the answer that fail a target: evidence the metric does not move one
    /// way with the value.
    pub violations: Vec<usize>,
    /// Per probe, whether each target holds.
    pub meets: Vec<Vec<bool>>,
    /// Per probe, its cells under [`metric_header`].
    pub cells: Vec<Vec<String>>,
}

/// A cell as a number; `None` when empty.
fn number(cell: &str) -> Option<f64> {
    cell.parse::<f64>().ok()
}

/// The column of `metric` under [`metric_header`].
fn column(header: &[String], metric: &str) -> usize {
    header.iter().position(|h| h == metric).unwrap_or(usize::MAX)
}

impl Verdict {
    /// The verdict of `s`.
    pub fn of(s: &Search) -> Verdict {
        let header = metric_header();
        let cells: Vec<Vec<String>> = s.probes.iter().map(|p| metric_row(&p.outcome)).collect();
        let meets: Vec<Vec<bool>> = cells
            .iter()
            .map(|row| s.targets.iter().map(|t| t.meets(t.cell(&header, row))).collect())
            .collect();
        let all = |i: usize| meets[i].iter().all(|m| *m);
        let answer = (0..s.probes.len()).find(|&i| all(i));
        let below = answer.and_then(|a| {
            let point = s.probes[a].point.checked_sub(1)?;
            s.probes.iter().position(|p| p.point == point)
        });
        let violations = match answer {
            Some(a) => (a + 1..s.probes.len()).filter(|&i| !all(i)).collect(),
            None => Vec::new(),
        };
        Verdict { answer, below, violations, meets, cells }
    }

    /// Whether probe `i` meets every target.
    pub fn meets_all(&self, i: usize) -> bool {
        self.meets[i].iter().all(|m| *m)
    }
}

/// What probe `i` gave for the targets it fails: `contacts_time_to_restore_s = 2200 > 2100`,
/// `contacts_time_to_restore_s has no value (target <= 900)`.
fn failures(s: &Search, v: &Verdict, i: usize) -> String {
    let header = metric_header();
    let mut out = Vec::new();
    for (t, meets) in s.targets.iter().zip(&v.meets[i]) {
        if *meets {
            continue;
        }
        out.push(match t.cell(&header, &v.cells[i]) {
            Some(x) => {
                format!("{} = {} {} {}", t.metric, sig6_against(x, t.value), t.op.failing(), t.value_text())
            }
            None if restore_feature(&t.metric).is_some_and(|f| open_incident(&header, &v.cells[i], f)) => {
                format!(
                    "{} is unknown: an incident is still open at the horizon (target {} {})",
                    t.metric,
                    t.op.symbol(),
                    t.value_text()
                )
            }
            None => format!("{} has no value (target {} {})", t.metric, t.op.symbol(), t.value_text()),
        });
    }
    out.join(", ")
}

/// The answer in words, as `lyncsim size` prints it and `report.html` shows it.
pub fn answer_line(s: &Search, v: &Verdict) -> String {
    let (lo, hi, _) = s.range;
    let range = format!("{lo}..{hi}");
    let mut line = match v.answer {
        Some(a) => {
            let p = &s.probes[a];
            let below = match v.below {
                Some(b) => format!("{} does not: {}", s.probes[b].value, failures(s, v, b)),
                None if p.point == 0 => {
                    "it is the low end of the range; nothing below it was run".to_string()
                }
                None => "the value below it was not run".to_string(),
            };
            format!(
                "{} = {} is the smallest value in {range} that meets every target ({below})",
                s.path, p.value
            )
        }
        None => match s.probes.last() {
            Some(last) => format!(
                "no value of {} in {range} meets every target; at {}: {}",
                s.path,
                last.value,
                failures(s, v, s.probes.len() - 1)
            ),
            None => format!("no value of {} in {range} was run", s.path),
        },
    };
    if let (Some(a), Some(&first)) = (v.answer, v.violations.first()) {
        let others = v.violations.len() - 1;
        line.push_str(&format!(
            "; not monotone: {}{} fail{} the targets though {} meets them, so the answer is the \
             smallest passing value the bisection met, not certainly the smallest in the range",
            s.probes[first].value,
            if others > 0 {
                format!(" and {others} more probed value{}", if others == 1 { "" } else { "s" })
            } else {
                String::new()
            },
            if others > 0 { "" } else { "s" },
            s.probes[a].value
        ));
    }
    line
}

/// A number as JSON: the text as written when it is a JSON number, else six decimals.
fn json_number(text: &str) -> Value {
    match text.parse::<serde_json::Number>() {
        Ok(n) => Value::Number(n),
        Err(_) => fixed6(text.parse().unwrap_or(0.0)),
    }
}

/// `size.json` (docs/metrics.md#sizejson-and-sizecsv), keys sorted.
pub fn size_json(s: &Search, v: &Verdict) -> String {
    let header = metric_header();
    let (lo, hi, step) = s.range;
    let targets: Vec<Value> = s
        .targets
        .iter()
        .map(|t| {
            json!({ "metric": t.metric, "op": t.op.symbol(), "value": fixed6(t.value), "text": t.text() })
        })
        .collect();
    let probes: Vec<Value> = s
        .probes
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let metrics: Map<String, Value> = header
                .iter()
                .zip(&v.cells[i])
                .map(|(h, c)| (h.clone(), if c.is_empty() { Value::Null } else { json_number(c) }))
                .collect();
            json!({
                "point": p.point,
                "folder": format!("{}-{:03}", s.name, p.point),
                "value": json_number(&p.value),
                "round": p.round,
                "meets": v.meets_all(i),
                "targets_met": v.meets[i],
                "metrics": metrics,
            })
        })
        .collect();
    let failed_at_hi: Vec<Value> = match (v.answer, s.probes.len()) {
        (None, n) if n > 0 => s
            .targets
            .iter()
            .zip(&v.meets[n - 1])
            .filter(|(_, m)| !**m)
            .map(|(t, _)| Value::from(t.text()))
            .collect(),
        _ => Vec::new(),
    };
    let doc = json!({
        "scenario": s.name,
        "path": s.path,
        "range": { "lo": json_number(lo), "hi": json_number(hi), "step": json_number(step) },
        "sweep_points": s.points,
        "targets": targets,
        "answer": v.answer.map_or(Value::Null, |a| json_number(&s.probes[a].value)),
        "answer_text": answer_line(s, v),
        "below": v.below.map_or(Value::Null, |b| json!({
            "value": json_number(&s.probes[b].value),
            "meets": v.meets_all(b),
        })),
        "monotone": v.violations.is_empty(),
        "not_monotone": v.violations.iter().map(|&i| json_number(&s.probes[i].value)).collect::<Vec<_>>(),
        "failed_at_hi": failed_at_hi,
        "probes_run": s.probes.len(),
        "rounds": s.probes.iter().map(|p| p.round).max().unwrap_or(0),
        "probes": probes,
    });
    let mut text = serde_json::to_string_pretty(&doc).expect("json values always serialise");
    text.push('\n');
    text
}

/// `size.csv`: a row per probe, sorted by value: `point`, the varied path, `round`, `meets`,
/// then the columns of `sweep.csv`.
pub fn size_csv(s: &Search, v: &Verdict) -> Result<Vec<u8>, ReportError> {
    let mut header: Vec<String> = vec!["point".into(), s.path.to_string(), "round".into(), "meets".into()];
    header.extend(metric_header());
    let rows = s.probes.iter().enumerate().map(|(i, p)| {
        let mut row =
            vec![p.point.to_string(), p.value.clone(), p.round.to_string(), v.meets_all(i).to_string()];
        row.extend(v.cells[i].iter().cloned());
        row
    });
    csv_bytes(std::iter::once(header).chain(rows))
}

/// A chart of one metric against the probed values, with its targets as horizontal lines.
#[derive(Debug, Clone)]
pub struct SizeChart {
    /// The metric, a column of `sweep.csv`.
    pub metric: String,
    /// The varied path, on the x axis.
    pub path: String,
    /// The x range shown: the range searched.
    pub range: (f64, f64),
    /// The probes: (value, the metric, whether it meets this metric's targets).
    pub points: Vec<(f64, Option<f64>, bool)>,
    /// The targets on this metric: (label, value).
    pub targets: Vec<(String, f64)>,
}

impl Picture for SizeChart {
    fn size(&self) -> (u32, u32) {
        SIZE
    }

    fn draw<DB: DrawingBackend>(&self, canvas: &Canvas<DB>) -> Result<(), ChartError> {
        draw(canvas.root, self)
    }
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    c: &SizeChart,
) -> Result<(), ChartError> {
    let ys: Vec<f64> = c
        .points
        .iter()
        .filter_map(|p| p.1)
        .chain(c.targets.iter().map(|t| t.1))
        .filter(|y| y.is_finite())
        .collect();
    let (mut lo, mut hi) = ys.iter().fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    if ys.is_empty() {
        (lo, hi) = (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.08).max(hi.abs() * 0.02).max(1e-9);
    let (x_lo, x_hi) = c.range;
    let x_pad = ((x_hi - x_lo) * 0.05).max(0.5);
    let mut chart = ChartBuilder::on(root)
        .caption(format!("{} against {}", c.metric, c.path), font(20.0))
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(80)
        .build_cartesian_2d((x_lo - x_pad)..(x_hi + x_pad), (lo - pad)..(hi + pad))
        .map_err(draw_err)?;
    chart
        .configure_mesh()
        .x_desc(c.path.clone())
        .y_desc(c.metric.clone())
        .x_label_formatter(&|v| trim_number(*v))
        .y_label_formatter(&|v| trim_number(*v))
        .light_line_style(SWEEP_GRID)
        .label_style(font(13.0))
        .draw()
        .map_err(draw_err)?;
    for (label, value) in &c.targets {
        chart
            .draw_series(DashedLineSeries::new(
                [(x_lo - x_pad, *value), (x_hi + x_pad, *value)],
                8,
                5,
                SIZE_TARGET.stroke_width(2),
            ))
            .map_err(draw_err)?
            .label(format!("target {label}"))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], SIZE_TARGET.stroke_width(2)));
    }
    let line: Vec<(f64, f64)> = c.points.iter().filter_map(|(x, y, _)| y.map(|y| (*x, y))).collect();
    chart
        .draw_series(LineSeries::new(line, SIZE_LINE.stroke_width(2)))
        .map_err(draw_err)?
        .label(c.metric.clone())
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], SIZE_LINE.stroke_width(3)));
    let dot = |meets: bool| if meets { SIZE_MEETS } else { SIZE_FAILS };
    chart
        .draw_series(
            c.points
                .iter()
                .filter(|p| p.1.is_some() && p.2)
                .map(|(x, y, m)| Circle::new((*x, y.unwrap_or(0.0)), 5, dot(*m).filled())),
        )
        .map_err(draw_err)?
        .label("meets")
        .legend(|(x, y)| Circle::new((x + 9, y), 5, SIZE_MEETS.filled()));
    chart
        .draw_series(
            c.points
                .iter()
                .filter(|p| p.1.is_some() && !p.2)
                .map(|(x, y, m)| Circle::new((*x, y.unwrap_or(0.0)), 5, dot(*m).filled())),
        )
        .map_err(draw_err)?
        .label("fails")
        .legend(|(x, y)| Circle::new((x + 9, y), 5, SIZE_FAILS.filled()));
    // A probe without a value (e.g. no restore ended): a hollow mark on the top edge,
    // apart from the values.
    chart
        .draw_series(
            c.points
                .iter()
                .filter(|p| p.1.is_none())
                .map(|(x, _, _)| Circle::new((*x, hi + pad * 0.5), 5, SIZE_FAILS.stroke_width(2))),
        )
        .map_err(draw_err)?
        .label("no value")
        .legend(|(x, y)| Circle::new((x + 9, y), 5, SIZE_FAILS.stroke_width(2)));
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.9))
        .border_style(SWEEP_LEGEND_BORDER)
        .label_font(font(13.0))
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(draw_err)?;
    Ok(())
}

/// The chart as SVG.
pub fn svg(c: &SizeChart) -> Result<String, ChartError> {
    canvas::svg(c)
}

/// The chart as PNG.
pub fn png(c: &SizeChart) -> Result<Vec<u8>, ChartError> {
    canvas::png(c)
}

/// The charts of `s`: one per distinct target metric, in the order the targets name them.
pub fn charts_of(s: &Search, v: &Verdict) -> Vec<SizeChart> {
    let header = metric_header();
    let mut metrics: Vec<&str> = Vec::new();
    for t in s.targets {
        if !metrics.contains(&t.metric.as_str()) {
            metrics.push(&t.metric);
        }
    }
    let x = |text: &str| text.parse::<f64>().unwrap_or(0.0);
    metrics
        .into_iter()
        .map(|metric| {
            let mine: Vec<usize> = (0..s.targets.len()).filter(|&k| s.targets[k].metric == metric).collect();
            SizeChart {
                metric: metric.to_string(),
                path: s.path.to_string(),
                range: (x(s.range.0), x(s.range.1)),
                points: s
                    .probes
                    .iter()
                    .enumerate()
                    .map(|(i, p)| {
                        let y = metric_value(&header, &v.cells[i], metric);
                        (x(&p.value), y, mine.iter().all(|&k| v.meets[i][k]))
                    })
                    .collect(),
                targets: mine
                    .iter()
                    .map(|&k| {
                        let t = &s.targets[k];
                        (format!("{} {}", t.op.symbol(), t.value_text()), t.value)
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The files of a size folder: `size.json`, `size.csv`, `size-<metric>.svg` / `.png` per
/// target metric, `report.html` (with any chart), and each probe's results folder
/// `<name>-NNN/`.
pub fn files<'a>(s: &Search<'a>, charts: Charts) -> Result<Files<'a>, ReportError> {
    let v = Verdict::of(s);
    let mut files: Files = vec![
        ("size.json".into(), size_json(s, &v).into_bytes().into()),
        ("size.csv".into(), size_csv(s, &v)?.into()),
    ];
    let mut figures = Vec::new();
    for chart in charts_of(s, &v) {
        if charts.any() {
            let text = svg(&chart)?;
            figures.push((chart.metric.clone(), text.clone()));
            if charts.svg {
                files.push((format!("size-{}.svg", chart.metric), text.into_bytes().into()));
            }
        }
        if charts.png {
            files.push((format!("size-{}.png", chart.metric), png(&chart)?.into()));
        }
    }
    let mut parts = Vec::new();
    for p in s.probes {
        let scenario_files = folder::outcome(&p.outcome, charts)?;
        parts.push(folder::text_of(&scenario_files, "summary.json").unwrap_or_default());
        for (file, body) in scenario_files {
            files.push((format!("{}/{file}", p.outcome.name()), body));
        }
    }
    if charts.any() {
        let header = metric_header();
        let mut columns = vec!["point".to_string(), s.path.to_string(), "round".into(), "meets".into()];
        let mut metrics: Vec<&str> = Vec::new();
        for t in s.targets {
            if !metrics.contains(&t.metric.as_str()) {
                metrics.push(&t.metric);
            }
        }
        columns.extend(metrics.iter().map(|m| m.to_string()));
        let rows = s
            .probes
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let mut row = vec![
                    p.point.to_string(),
                    p.value.clone(),
                    p.round.to_string(),
                    v.meets_all(i).to_string(),
                ];
                row.extend(
                    metrics.iter().map(|m| v.cells[i].get(column(&header, m)).cloned().unwrap_or_default()),
                );
                row
            })
            .collect();
        let targets = s.targets.iter().map(|t| vec![t.text()]).collect();
        let tables = vec![
            ("Answer".to_string(), vec!["answer".to_string()], vec![vec![answer_line(s, &v)]]),
            ("Targets".to_string(), vec!["target".to_string()], targets),
            (format!("Probes ({} of the {} values in the range)", s.probes.len(), s.points), columns, rows),
        ];
        let scenarios = if s.probes.len() <= 12 {
            s.probes
                .iter()
                .zip(&parts)
                .map(|(p, summary)| html::ScenarioPart::new(p.outcome.config(), summary))
                .collect()
        } else {
            Vec::new()
        };
        let title = format!("Size of {}: {}", s.name, s.path);
        let report = html::Report {
            title: &title,
            kind: "size",
            version: env!("CARGO_PKG_VERSION"),
            tables,
            figures,
            scenarios,
        };
        files.push(("report.html".into(), html::render(&report).into_bytes().into()));
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_compare_and_an_empty_cell_never_meets() {
        let t = Target {
            metric: "contacts_time_to_restore_s".into(),
            op: Op::Le,
            value: 900.0,
            text: "contacts_time_to_restore_s<=900".into(),
        };
        assert!(t.meets(Some(900.0)) && !t.meets(Some(900.5)) && !t.meets(None));
        assert_eq!(t.text(), "contacts_time_to_restore_s<=900");
        assert!(Op::Lt.holds(1.0, 2.0) && !Op::Lt.holds(2.0, 2.0));
        assert!(Op::Ge.holds(2.0, 2.0) && Op::Gt.holds(3.0, 2.0) && !Op::Gt.holds(2.0, 2.0));
        assert_eq!(json_number("8"), json!(8));
        assert_eq!(json_number("5.5").to_string(), "5.5");
    }

    /// Review finding 1: an empty restore time with no incident at all (the feature never
    /// fell below 99 %) is 0 s of restore and meets a restore-time target; an open incident
    /// still fails.
    #[test]
    fn no_incident_meets_a_restore_time_target_and_an_open_one_does_not() {
        let header: Vec<String> = [
            "contacts_incidents",
            "contacts_time_to_restore_s",
            "contacts_mean_restore_s",
            "contacts_open_incidents",
            "peak_signin_queue",
        ]
        .map(String::from)
        .to_vec();
        let row = |cells: [&str; 5]| cells.map(String::from).to_vec();
        let t = Target {
            metric: "contacts_time_to_restore_s".into(),
            op: Op::Le,
            value: 900.0,
            text: "contacts_time_to_restore_s<=900".into(),
        };
        let none = row(["0.000000", "", "", "0.000000", ""]);
        assert_eq!(t.cell(&header, &none), Some(0.0));
        assert!(t.meets(t.cell(&header, &none)));
        assert_eq!(metric_value(&header, &none, "contacts_mean_restore_s"), Some(0.0));
        // Another empty column stays empty.
        assert_eq!(metric_value(&header, &none, "peak_signin_queue"), None);
        let open = row(["1.000000", "", "", "1.000000", ""]);
        assert!(!t.meets(t.cell(&header, &open)));
        let ended = row(["1.000000", "950.000000", "950.000000", "0.000000", ""]);
        assert!(!t.meets(t.cell(&header, &ended)));
        // An earlier incident restored in time does not hide one still open at the horizon.
        let ended_then_open = row(["2.000000", "100.000000", "100.000000", "1.000000", ""]);
        assert_eq!(t.cell(&header, &ended_then_open), None);
        assert!(!t.meets(t.cell(&header, &ended_then_open)));
        let in_time = row(["1.000000", "100.000000", "100.000000", "0.000000", ""]);
        assert!(t.meets(t.cell(&header, &in_time)));
    }

    /// Review finding 2: the target's value as typed, not rounded to 3 decimals.
    #[test]
    fn a_target_keeps_the_value_as_typed() {
        let t = Target {
            metric: "voice_availability".into(),
            op: Op::Ge,
            value: 0.9995,
            text: "voice_availability>=0.9995".into(),
        };
        assert_eq!(
            (t.text(), t.value_text()),
            ("voice_availability>=0.9995".to_string(), "0.9995".to_string())
        );
    }

    #[test]
    fn the_chart_draws_the_target_line_deterministically() {
        let c = SizeChart {
            metric: "contacts_time_to_restore_s".into(),
            path: "pools[0].front_ends".into(),
            range: (2.0, 12.0),
            points: vec![(4.0, None, false), (7.0, Some(2200.0), false), (8.0, Some(2082.4), true)],
            targets: vec![("<= 2100".into(), 2100.0)],
        };
        let a = svg(&c).unwrap();
        assert_eq!(a, svg(&c).unwrap());
        assert!(a.contains("target &lt;= 2100") || a.contains("target <= 2100"), "{a}");
        assert!(png(&c).unwrap().starts_with(b"\x89PNG"));
    }
}
