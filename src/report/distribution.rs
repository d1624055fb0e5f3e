//! The distribution chart of a replicated run (`distribution.svg`, `distribution.png`;
//! docs/model.md#replications): how each feature's availability and user-minutes lost over
//! the horizon vary from one replication to the next, which a mean over time cannot show.
//! "How bad is a bad year" is read off it directly.
//!
//! One panel: per feature, the empirical distribution function of the user-minutes lost in
//! a replication (a step curve: the share of replications that lost at most a value). The
//! user-minutes lost and the availability of a replication are one number in two units
//! (lost = users x horizon x (1 - availability)), so the panel has two value axes: user-minutes
//! lost below, availability above, both logarithmic in what is lost (years that differ by
//! orders of magnitude stay apart; the availability axis reads in "nines"). A replication
//! that lost nothing sits at the left edge. On every curve a dot marks the mean and two
//! bars the p05 and p95 of the user-minutes lost, the statistics `summary.json` prints
//! ([`Describe`], type-7 percentiles; the p05 of the loss is the p95 of the availability);
//! faint dashed guides at 5 % and 95 % of replications lead the eye to them. Features whose
//! values agree in every replication (im and voice often do) share one legend entry and one
//! set of marks, and their curves are striped in all their colours, as in the availability
//! chart. The legend prints each entry's mean, p05 and p95 in both units.
//!
//! A pure function of its [`DistributionInput`]; same input, same bytes (embedded font, no
//! timestamps, no hash maps).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::chart::axis::{horizon_text, panel, y_title, Panel};
use super::chart::canvas::{self, Canvas, Chart, Header, Picture};
use super::chart::error::{draw_err, ChartError};
use super::chart::font::Metrics;
use super::chart::geometry::{stripes, thin, Px};
use super::chart::legend::{fit, frame};
use super::chart::lines::{draw_lines, LineStyle, DASH};
use super::chart::palette::{feature_color, AXIS, GRID, INK, MUTED};
use super::format::{group_digits, trim_number};
use crate::model::Feature;
use crate::stats::quantile::Describe;

/// Picture width, pixels.
pub const WIDTH: u32 = 1300;
/// Picture height, pixels.
pub const HEIGHT: u32 = 760;

/// What the distribution chart shows: per feature, one value of each replication in each
/// unit, in replication order.
#[derive(Debug, Clone, PartialEq)]
pub struct DistributionInput<'a> {
    /// The scenario's name.
    pub name: &'a str,
    /// Its users.
    pub users: u64,
    /// Its horizon, milliseconds.
    pub horizon_ms: u64,
    /// Per feature (in [`Feature::ALL`] order): each replication's availability, as a
    /// fraction, and its user-minutes lost.
    pub features: Vec<(Feature, Vec<f64>, Vec<f64>)>,
}

/// The chart as an SVG document.
pub fn svg(input: &DistributionInput) -> Result<String, ChartError> {
    canvas::svg(&Prepared::new(input)?)
}

/// The chart as an encoded PNG file (8-bit RGB).
pub fn png(input: &DistributionInput) -> Result<Vec<u8>, ChartError> {
    canvas::png(&Prepared::new(input)?)
}

// ---------------------------------------------------------------------------------------
// Data

/// The marks of a distribution: its mean, p05 and p95, as `summary.json` states them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Marks {
    pub(crate) mean: f64,
    pub(crate) p05: f64,
    pub(crate) p95: f64,
}

impl Marks {
    /// The marks of `values`; `None` without values.
    pub(crate) fn of(values: &[f64]) -> Option<Marks> {
        Describe::of(values).map(|d| Marks { mean: d.mean, p05: d.p05, p95: d.p95 })
    }
}

/// The empirical distribution function of `values` as the corners of its step curve:
/// `(x, share of values <= x)` for each distinct value in ascending order, the share in
/// [0, 1]; each step is drawn from `(x, share before x)` to `(x, share at x)`.
pub(crate) fn ecdf(values: &[f64]) -> Vec<(f64, f64)> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len() as f64;
    let mut out: Vec<(f64, f64)> = Vec::new();
    for (i, &x) in sorted.iter().enumerate() {
        let share = (i + 1) as f64 / n;
        match out.last_mut() {
            Some(last) if last.0 == x => last.1 = share,
            _ => out.push((x, share)),
        }
    }
    out
}

/// The share of values at or below `x` on the step curve `steps` ([`ecdf`]).
fn share_at(steps: &[(f64, f64)], x: f64) -> f64 {
    steps.iter().take_while(|(v, _)| *v <= x).last().map_or(0.0, |s| s.1)
}

/// Features whose values agree in every replication: one legend entry, one set of marks.
#[derive(Debug, Clone)]
struct Group {
    features: Vec<Feature>,
    /// The distribution of the user-minutes lost.
    steps: Vec<(f64, f64)>,
    /// Marks of the user-minutes lost.
    lost: Marks,
    /// Marks of the availability, percent.
    availability: Marks,
}

/// The log axis of user-minutes lost: log10 of its ends.
#[derive(Debug, Clone, Copy, PartialEq)]
struct LogAxis {
    lo: f64,
    hi: f64,
}

impl LogAxis {
    /// From the smallest positive and the largest value, padded a tenth of a decade; a
    /// decade from 1 when nothing was lost.
    fn of(positive: impl Iterator<Item = f64>) -> LogAxis {
        let (lo, hi) = positive
            .filter(|v| *v > 0.0)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
        if !lo.is_finite() {
            return LogAxis { lo: 0.0, hi: 1.0 };
        }
        let (lo, hi) = (lo.log10() - 0.1, hi.log10() + 0.1);
        LogAxis { lo, hi: hi.max(lo + 0.5) }
    }

    /// Where `value` goes: its log10, nothing at or below the left edge.
    fn x(self, value: f64) -> f64 {
        if value > 0.0 {
            value.log10().clamp(self.lo, self.hi)
        } else {
            self.lo
        }
    }

    /// Round values within the axis: 1, 2 and 5 times powers of ten (only the powers when
    /// there are more than `most`).
    fn ticks(self, most: usize) -> Vec<f64> {
        let decades = (self.lo.floor() as i32)..=(self.hi.ceil() as i32);
        let within = |v: &f64| (self.lo..=self.hi).contains(&v.log10());
        let all: Vec<f64> =
            decades.clone().flat_map(|k| [1.0, 2.0, 5.0].map(|m| m * 10f64.powi(k))).filter(within).collect();
        if all.len() <= most {
            return all;
        }
        decades.map(|k| 10f64.powi(k)).filter(within).collect()
    }
}

#[derive(Debug, Clone)]
struct Prepared {
    title: String,
    subtitle: String,
    groups: Vec<Group>,
    axis: LogAxis,
    /// User-minutes of the whole horizon (users x horizon): a loss of all of them is 0 %.
    total_minutes: f64,
    /// Whether some replication lost nothing of some feature (it sits at the left edge).
    any_zero: bool,
}

impl Prepared {
    fn new(input: &DistributionInput) -> Result<Self, ChartError> {
        let n = input.features.first().map_or(0, |f| f.1.len());
        if n == 0 {
            return Err(ChartError::Input("no replications to draw a distribution of".into()));
        }
        let mut groups: Vec<(Vec<Feature>, &Vec<f64>, &Vec<f64>)> = Vec::new();
        for (feature, availability, lost) in &input.features {
            if availability.len() != n || lost.len() != n {
                return Err(ChartError::Input(format!(
                    "{}: {} and {} values for {n} replications",
                    feature.column(),
                    availability.len(),
                    lost.len()
                )));
            }
            if !availability.iter().chain(lost).all(|v| v.is_finite()) {
                return Err(ChartError::Input(format!(
                    "{}: a value is not a finite number",
                    feature.column()
                )));
            }
            match groups.iter_mut().find(|g| g.1 == availability && g.2 == lost) {
                Some(g) => g.0.push(*feature),
                None => groups.push((vec![*feature], availability, lost)),
            }
        }
        let groups: Vec<Group> = groups
            .into_iter()
            .map(|(features, availability, lost)| {
                let percent: Vec<f64> = availability.iter().map(|a| a * 100.0).collect();
                Group {
                    features,
                    steps: ecdf(lost),
                    lost: Marks::of(lost).expect("replications were checked"),
                    availability: Marks::of(&percent).expect("replications were checked"),
                }
            })
            .collect();
        let axis = LogAxis::of(groups.iter().flat_map(|g| g.steps.iter().map(|s| s.0)));
        Ok(Prepared {
            title: format!(
                "{} \u{2014} distribution over {} replications",
                input.name,
                group_digits(n as u64)
            ),
            subtitle: format!(
                "each replication's user-minutes lost and availability over {} ({} users); curves: share of \
                 replications that lost at most a value",
                horizon_text(input.horizon_ms),
                group_digits(input.users),
            ),
            groups,
            axis,
            total_minutes: input.users as f64 * input.horizon_ms as f64 / 60_000.0,
            any_zero: input.features.iter().any(|f| f.2.iter().any(|v| *v <= 0.0)),
        })
    }
}

// ---------------------------------------------------------------------------------------
// Layout and drawing

/// Width of the plotting column; the legend takes the rest.
const PLOT_WIDTH: u32 = 860;
/// Width of a curve, pixels.
const LINE_WIDTH: u32 = 2;
/// Half the height of a p05 or p95 bar, pixels.
const BAR: i32 = 8;
/// Radius of the mean's dot, pixels.
const DOT: i32 = 5;
/// At most this many round values on the axes before only powers of ten are kept.
const MOST_TICKS: usize = 12;

const HEADER: Header = Header { plot_width: PLOT_WIDTH, left: 20, title_size: 22.0, subtitle_top: 40 };
/// The panel; its x tick labels are drawn here (both axes), not by plotters.
const PANEL: Panel =
    Panel { margin_top: 62, margin_right: 30, x_label_area: 58, y_label_area: 72, x_labels: 0, y_labels: 11 };

/// Availability, percent, with four decimals (a year's 99.999 % and a bad year's 99.99 %
/// apart).
fn pct4(v: f64) -> String {
    format!("{v:.4} %")
}

/// User-minutes, whole, digits grouped.
fn minutes(v: f64) -> String {
    group_digits(v.max(0.0).round() as u64)
}

/// Whether `v` is a power of ten (up to rounding).
fn is_power_of_ten(v: f64) -> bool {
    v > 0.0 && (v.log10() - v.log10().round()).abs() < 1e-9
}

/// A user-minutes tick label: digits grouped, or the decimal for less than one.
fn lost_label(v: f64) -> String {
    if v >= 1.0 {
        group_digits(v.round() as u64)
    } else {
        trim_number(v)
    }
}

/// The availability ticks of a loss axis: unavailability 1, 2 and 5 times powers of ten of
/// the horizon's user-minutes, as (user-minutes lost, label "99.99 %"); only the powers of
/// ten when there are more than [`MOST_TICKS`].
fn availability_ticks(axis: LogAxis, total_minutes: f64) -> Vec<(f64, String)> {
    if total_minutes <= 0.0 {
        return Vec::new();
    }
    // Unavailability u (fraction): lost = u x total.
    let shifted = LogAxis { lo: axis.lo - total_minutes.log10(), hi: axis.hi - total_minutes.log10() };
    let label = |u: f64| {
        let percent = 100.0 * u;
        let decimals = (-percent.log10()).ceil().max(0.0) as usize;
        format!("{:.decimals$} %", 100.0 - percent)
    };
    shifted
        .ticks(MOST_TICKS)
        .into_iter()
        .filter(|u| *u <= 1.0)
        .map(|u| (u * total_minutes, label(u)))
        .collect()
}

impl Picture for Prepared {
    fn size(&self) -> (u32, u32) {
        (WIDTH, HEIGHT)
    }

    fn draw<DB: DrawingBackend>(&self, c: &Canvas<DB>) -> Result<(), ChartError> {
        let p = self;
        let area = c.page(&HEADER, &p.title, &p.subtitle)?;
        let chart = panel(&area, &PANEL, p.axis.lo..p.axis.hi, 0.0..100.0, &|v| trim_number(*v))?;
        let (px_x, px_y) = chart.plotting_area().get_pixel_range();
        y_title(c, &chart, "replications that lost at most this (%)", 58)?;
        let centre = (px_x.start + px_x.end) / 2;

        // User-minutes lost below: grid lines, ticks and labels (0 at the left edge when a
        // replication lost nothing), labels that would touch their left neighbour left out.
        let mut below: Vec<(i32, String, bool)> = Vec::new();
        if p.any_zero {
            below.push((px_x.start, "0".into(), true));
        }
        for v in p.axis.ticks(MOST_TICKS) {
            let (x, _) = chart.backend_coord(&(v.log10(), 0.0));
            c.path(vec![(x, px_y.start), (x, px_y.end)], GRID.stroke_width(1))?;
            c.path(vec![(x, px_y.end), (x, px_y.end + 5)], AXIS.stroke_width(1))?;
            below.push((x, lost_label(v), is_power_of_ten(v)));
        }
        for (x, label) in spaced(c, below) {
            c.text(&label, (x, px_y.end + 8), 13.0, &MUTED, HPos::Center, VPos::Top)?;
        }
        let below = "user-minutes lost over the horizon (log scale; a replication that lost nothing at the left edge)";
        c.text(below, (centre, px_y.end + 32), 15.0, &INK, HPos::Center, VPos::Top)?;
        // Availability above: ticks and labels on the top edge.
        c.path(vec![(px_x.start, px_y.start), (px_x.end, px_y.start)], AXIS.stroke_width(1))?;
        let mut above: Vec<(i32, String, bool)> = Vec::new();
        if p.any_zero {
            above.push((px_x.start, "100 %".into(), true));
        }
        for (lost, label) in availability_ticks(p.axis, p.total_minutes) {
            let (x, _) = chart.backend_coord(&(lost.log10(), 0.0));
            c.path(vec![(x, px_y.start - 5), (x, px_y.start)], AXIS.stroke_width(1))?;
            above.push((x, label, is_power_of_ten(lost / p.total_minutes)));
        }
        for (x, label) in spaced(c, above) {
            c.text(&label, (x, px_y.start - 8), 13.0, &MUTED, HPos::Center, VPos::Bottom)?;
        }
        let above = "availability over the horizon (the same replications, in the other unit)";
        c.text(above, (centre, px_y.start - 30), 15.0, &INK, HPos::Center, VPos::Bottom)?;

        draw_curves(c, &chart, p)?;
        draw_legend(c, p, (px_y.start, px_y.end))
    }
}

/// Tick labels centred at their x that do not come within 8 pixels of one another: the
/// major ones (powers of ten, the left edge) first, then the others where they fit; in x
/// order.
fn spaced<DB: DrawingBackend>(c: &Canvas<DB>, labels: Vec<(i32, String, bool)>) -> Vec<(i32, String)> {
    let mut kept: Vec<(i32, i32, i32, String)> = Vec::new(); // (x, left, right, label)
    for major in [true, false] {
        for (x, label, _) in labels.iter().filter(|l| l.2 == major) {
            let half = c.text_width(label, 13.0) / 2;
            let (left, right) = (x - half, x + half);
            if kept.iter().all(|k| right + 8 <= k.1 || left >= k.2 + 8) {
                kept.push((*x, left, right, label.clone()));
            }
        }
    }
    kept.sort_by_key(|k| k.0);
    kept.into_iter().map(|(x, _, _, label)| (x, label)).collect()
}

/// `names` joined by ", " in lines of at most `room` pixels at `size`; at most `most`
/// lines, the last cut with an ellipsis if need be.
fn wrap(metrics: &Metrics, names: &[&str], size: f64, room: f64, most: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let piece = if i + 1 < names.len() { format!("{name},") } else { name.to_string() };
        match lines.last_mut() {
            Some(line) if metrics.width(&format!("{line} {piece}"), size) <= room => {
                line.push(' ');
                line.push_str(&piece);
            }
            _ => lines.push(piece),
        }
    }
    if lines.len() > most {
        let rest = lines.split_off(most - 1).join(" ");
        lines.push(rest);
    }
    lines.into_iter().map(|l| fit(metrics, &l, size, room)).collect()
}

/// Guides, curves and marks.
fn draw_curves<DB: DrawingBackend>(
    c: &Canvas<DB>,
    chart: &Chart<DB>,
    p: &Prepared,
) -> Result<(), ChartError> {
    let (lo, hi) = (p.axis.lo, p.axis.hi);
    // Dashed guides at 5 % and 95 % of replications, named at the right end.
    for (share, name) in [(5.0, "5 %"), (95.0, "95 %")] {
        let a = chart.backend_coord(&(lo, share));
        let b = chart.backend_coord(&(hi, share));
        for (k, dash) in stripes(&[a, b], 2, 5.0) {
            if k == 0 {
                c.path(dash, MUTED.mix(0.7).stroke_width(1))?;
            }
        }
        c.text(name, (b.0 + 3, b.1), 11.0, &MUTED, HPos::Left, VPos::Center)?;
    }
    // The curves, one per feature (striped where they coincide).
    let mut lines: Vec<Vec<Px>> = Vec::new();
    let mut styles: Vec<LineStyle> = Vec::new();
    for group in &p.groups {
        let points = step_points(chart, p.axis, &group.steps);
        for f in &group.features {
            lines.push(points.clone());
            styles.push(LineStyle { color: feature_color(*f), dashed: false });
        }
    }
    draw_lines(c, &lines, &styles, LINE_WIDTH)?;
    // The marks, in the group's first colour, over every curve.
    for group in &p.groups {
        let color = feature_color(group.features[0]);
        let on_curve = |v: f64| chart.backend_coord(&(p.axis.x(v), 100.0 * share_at(&group.steps, v)));
        for v in [group.lost.p05, group.lost.p95] {
            let (x, y) = on_curve(v);
            c.path(vec![(x, y - BAR - 1), (x, y + BAR + 1)], WHITE.stroke_width(5))?;
            c.path(vec![(x, y - BAR), (x, y + BAR)], color.stroke_width(3))?;
        }
        let at = on_curve(group.lost.mean);
        c.root.draw(&Circle::new(at, DOT + 2, WHITE.filled())).map_err(draw_err)?;
        c.root.draw(&Circle::new(at, DOT, color.filled())).map_err(draw_err)?;
    }
    Ok(())
}

/// The step curve in backend pixels, from the left edge to the right edge, thinned to at
/// most two points per pixel column.
fn step_points<DB: DrawingBackend>(chart: &Chart<DB>, axis: LogAxis, steps: &[(f64, f64)]) -> Vec<Px> {
    let mut points = vec![chart.backend_coord(&(axis.lo, 0.0))];
    let mut below = 0.0;
    for &(v, share) in steps {
        let x = axis.x(v);
        points.push(chart.backend_coord(&(x, 100.0 * below)));
        points.push(chart.backend_coord(&(x, 100.0 * share)));
        below = share;
    }
    points.push(chart.backend_coord(&(axis.hi, 100.0 * below)));
    thin(&points)
}

const BOX_HEADER: i32 = 30;
const LABEL_ROW: i32 = 18;
const NOTE_ROW: i32 = 15;
const LABEL_SIZE: f64 = 13.0;
const NOTE_SIZE: f64 = 11.5;

/// The legend beside the panel: each group's colours and features, and its mean, p05 and
/// p95 in both units; then the key of the marks.
fn draw_legend<DB: DrawingBackend>(
    c: &Canvas<DB>,
    p: &Prepared,
    (top, bottom): (i32, i32),
) -> Result<(), ChartError> {
    let x0 = PLOT_WIDTH as i32 + 4;
    let x1 = WIDTH as i32 - 14;
    let text_x = x0 + 52;
    let room = (x1 - 8 - text_x) as f64;
    let labels: Vec<Vec<String>> = p
        .groups
        .iter()
        .map(|g| {
            let names: Vec<&str> = g.features.iter().map(|f| f.column()).collect();
            wrap(c.metrics, &names, LABEL_SIZE, room, 3)
        })
        .collect();
    let entry = |lines: usize| LABEL_ROW * lines as i32 + 2 * NOTE_ROW + 8;
    let key_height = BOX_HEADER + 3 * LABEL_ROW + 10;
    let entries: i32 = labels.iter().map(|l| entry(l.len())).sum();
    let features_bottom = (top + BOX_HEADER + entries + 22).min(bottom - key_height - 12);
    frame(c, (x0, top), (x1, features_bottom), "Features: mean (p05, p95)", 9)?;
    let mut y = top + BOX_HEADER;
    for (group, label) in p.groups.iter().zip(&labels) {
        let entry = entry(label.len());
        if y + entry > features_bottom - 20 {
            break;
        }
        let mid = y + LABEL_ROW / 2;
        // A swatch striped in the group's colours.
        let k = group.features.len() as i32;
        let width = 30;
        for (i, f) in group.features.iter().enumerate() {
            let (a, b) = (x0 + 12 + width * i as i32 / k, x0 + 12 + width * (i as i32 + 1) / k);
            c.path(vec![(a, mid), (b, mid)], feature_color(*f).stroke_width(LINE_WIDTH + 2))?;
        }
        for (j, line) in label.iter().enumerate() {
            let at = (text_x, mid + LABEL_ROW * j as i32);
            c.text(line, at, LABEL_SIZE, &INK, HPos::Left, VPos::Center)?;
        }
        let mid = mid + LABEL_ROW * (label.len() as i32 - 1);
        let (l, a) = (&group.lost, &group.availability);
        // The availability's p05 is the loss's p95, and the other way round.
        let lines = [
            format!("{} user-min ({}, {})", minutes(l.mean), minutes(l.p05), minutes(l.p95)),
            format!("{} ({}, {})", pct4(a.mean), pct4(a.p05), pct4(a.p95)),
        ];
        for (j, line) in lines.iter().enumerate() {
            let text = fit(c.metrics, line, NOTE_SIZE, room);
            let at = (text_x, mid + NOTE_ROW * (j as i32 + 1));
            c.text(&text, at, NOTE_SIZE, &MUTED, HPos::Left, VPos::Center)?;
        }
        y += entry;
    }
    let note = "striped where features coincide";
    c.text(note, (x0 + 12, features_bottom - 17), 11.0, &MUTED, HPos::Left, VPos::Top)?;

    // The key of the marks, bottom-aligned with the panel.
    let key_top = bottom - key_height;
    frame(c, (x0, key_top), (x1, bottom), "Marks on each curve", 9)?;
    let mut y = key_top + BOX_HEADER + LABEL_ROW / 2;
    let sx = x0 + 27;
    c.root.draw(&Circle::new((sx, y), DOT, INK.filled())).map_err(draw_err)?;
    c.text("mean over replications", (text_x, y), LABEL_SIZE, &INK, HPos::Left, VPos::Center)?;
    y += LABEL_ROW;
    c.path(vec![(sx, y - 7), (sx, y + 7)], INK.stroke_width(3))?;
    c.text("p05 and p95 of the loss", (text_x, y), LABEL_SIZE, &INK, HPos::Left, VPos::Center)?;
    y += LABEL_ROW;
    let dash = DASH as i32;
    c.path(vec![(x0 + 12, y), (x0 + 12 + dash, y)], MUTED.stroke_width(1))?;
    c.path(vec![(x0 + 42 - dash, y), (x0 + 42, y)], MUTED.stroke_width(1))?;
    c.text("5 % and 95 % of replications", (text_x, y), LABEL_SIZE, &INK, HPos::Left, VPos::Center)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::chart::testing::{decode, uniform};

    #[test]
    fn the_ecdf_steps_at_each_distinct_value() {
        assert_eq!(ecdf(&[3.0, 1.0, 3.0, 2.0]), vec![(1.0, 0.25), (2.0, 0.5), (3.0, 1.0)]);
        assert_eq!(ecdf(&[5.0]), vec![(5.0, 1.0)]);
        assert!(ecdf(&[]).is_empty());
        let steps = ecdf(&[3.0, 1.0, 3.0, 2.0]);
        assert_eq!(share_at(&steps, 0.5), 0.0);
        assert_eq!(share_at(&steps, 2.0), 0.5);
        assert_eq!(share_at(&steps, 2.9), 0.5);
        assert_eq!(share_at(&steps, 9.0), 1.0);
    }

    #[test]
    fn the_marks_are_the_summarys_mean_and_percentiles() {
        // 1..=20: mean 10.5; type 7: p05 at h = 0.95 -> 1.95, p95 at h = 18.05 -> 19.05.
        let values: Vec<f64> = (1..=20).rev().map(f64::from).collect();
        let m = Marks::of(&values).unwrap();
        assert_eq!(m.mean, 10.5);
        assert!((m.p05 - 1.95).abs() < 1e-12 && (m.p95 - 19.05).abs() < 1e-12, "{m:?}");
        let d = Describe::of(&values).unwrap();
        assert_eq!((m.mean, m.p05, m.p95), (d.mean, d.p05, d.p95));
        assert_eq!(Marks::of(&[]), None);
    }

    #[test]
    fn the_log_axis_spans_the_losses_and_labels_round_values() {
        let axis = LogAxis::of([0.0, 1_000.0, 50_000.0].into_iter());
        assert!((axis.lo - 2.9).abs() < 1e-12 && (axis.hi - (50_000f64.log10() + 0.1)).abs() < 1e-12);
        assert_eq!(axis.x(0.0), axis.lo, "nothing lost: the left edge");
        assert_eq!(axis.ticks(12), vec![1_000.0, 2_000.0, 5_000.0, 10_000.0, 20_000.0, 50_000.0]);
        assert_eq!(LogAxis::of([0.0].into_iter()), LogAxis { lo: 0.0, hi: 1.0 });
        let wide = LogAxis::of([1.0, 1e9].into_iter());
        assert_eq!(wide.ticks(12).len(), 10, "powers of ten only: {:?}", wide.ticks(12));
        assert!(is_power_of_ten(1e5) && !is_power_of_ten(2e5) && !is_power_of_ten(0.0));
        // 10,000 users for a year: 5,256,000,000 user-minutes; 52,560 lost is 99.999 %.
        let total = 10_000.0 * 525_600.0;
        let ticks = availability_ticks(LogAxis::of([20_000.0, 200_000.0].into_iter()), total);
        let labels: Vec<&str> = ticks.iter().map(|t| t.1.as_str()).collect();
        assert_eq!(labels, ["99.9995 %", "99.999 %", "99.998 %"], "99.995 % is 262,800, past the axis");
        assert!((ticks[1].0 - 52_560.0).abs() < 1e-6);
    }

    #[test]
    fn legend_labels_wrap_at_commas() {
        let metrics = crate::report::chart::font::ensure_font().unwrap();
        let names = ["presence", "contacts", "conferencing", "call_forwarding_changes", "call_park"];
        let lines = wrap(metrics, &names, 13.0, 300.0, 3);
        assert!(lines.len() >= 2 && lines.iter().all(|l| metrics.width(l, 13.0) <= 300.0), "{lines:?}");
        assert_eq!(lines.join(" "), names.join(", "));
        assert_eq!(wrap(metrics, &["im"], 13.0, 300.0, 3), ["im"]);
    }

    /// `n` replications of 1,000 users for a year: feature `k` loses up to `k + 1` in
    /// 10,000 of the year, voice exactly what im loses.
    fn input(n: usize) -> DistributionInput<'static> {
        let features = Feature::ALL
            .iter()
            .enumerate()
            .map(|(i, &f)| {
                // im and voice agree (a group); the others differ.
                let k = if f == Feature::Voice { 0 } else { i };
                let mut rng_k = 7 + k as u64;
                let availability: Vec<f64> =
                    (0..n).map(|_| 1.0 - 1e-4 * (1 + k) as f64 * uniform(&mut rng_k).powi(3)).collect();
                let lost = availability.iter().map(|a| (1.0 - a) * 1_000.0 * 525_600.0).collect();
                (f, availability, lost)
            })
            .collect();
        DistributionInput { name: "demo", users: 1_000, horizon_ms: 365 * 86_400_000, features }
    }

    #[test]
    fn the_chart_renders_deterministically_and_groups_features_that_agree() {
        let i = input(200);
        let p = Prepared::new(&i).unwrap();
        assert_eq!(p.groups.len(), Feature::COUNT - 1, "im and voice share an entry");
        assert_eq!(p.groups[0].features, vec![Feature::Im, Feature::Voice]);
        let svg = super::svg(&i).unwrap();
        assert_eq!(svg, super::svg(&i).unwrap());
        assert!(
            svg.contains("demo \u{2014} distribution over 200 replications") && svg.contains("im, voice")
        );
        let png = super::png(&i).unwrap();
        let (w, h, _) = decode(&png);
        assert_eq!((w, h), (WIDTH, HEIGHT));
        // One replication, every value equal: still a chart.
        let one = DistributionInput { features: vec![(Feature::Im, vec![1.0], vec![0.0])], ..input(1) };
        super::svg(&one).unwrap();
        let none = DistributionInput { features: vec![(Feature::Im, vec![], vec![])], ..input(1) };
        assert!(matches!(super::svg(&none), Err(ChartError::Input(_))));
    }
}
