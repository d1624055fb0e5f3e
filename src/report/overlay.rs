//! Overlay charts of `lyncsim compare` (README.md#commands): one picture per feature, one line per
//! scenario.
//!
//! Each scenario's line is the percentage of its own users that have the feature over time;
//! a replicated scenario's line is the mean over its replications, over a translucent
//! p05–p95 band in its colour. Scenarios get colours in the order given
//! (Okabe-Ito, then three of Paul Tol's muted colours: distinguishable with the common
//! colour-vision deficiencies); the eleventh to twentieth scenarios reuse them dashed, and so
//! on, alternating solid and dashed.
//!
//! Scenarios whose horizons (their last samples) lie within a factor of [`HORIZON_FACTOR`]
//! share a panel; when horizons differ more (a day and a year), each group gets its own
//! panel, stacked from the shortest horizon down, so a day-long scenario is not squeezed
//! into a pixel column of a year-long axis. A panel's time axis runs to its longest
//! scenario's last sample, in the unit the availability chart would choose for that
//! horizon, and says the horizons it holds; a scenario with a shorter horizon than its
//! panel's ends early, a dot on its last value. Each panel's value axis is zoomed like a
//! replicated availability chart's ([`super::chart`]): from a round value below the lowest
//! mean or p05 up to 100 %, so scenarios that all stay high are told apart.
//!
//! As in the availability chart, every line and band is reduced to at most two points (one
//! span) per pixel column before it is drawn, so a year of samples makes a small SVG; lines
//! that coincide are drawn as one line striped in all their colours, and identical bands as
//! one striped band, so no scenario hides another.
//!
//! Edge cases: an empty series list is an error ([`ChartError::Input`]), as are series whose
//! lengths disagree, sample times out of order, and values that are not finite numbers. A
//! scenario without users is drawn at 0 %; one without samples only has its legend entry.
//!
//! Determinism: the embedded DejaVu Sans, no timestamps, no hash maps: the same series give
//! the same bytes on every machine.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::chart::axis::{horizon_text, panel, percent, y_title, zoomed, Panel, TimeUnit};
use super::chart::canvas::{self, Canvas, Chart, Header, Picture, HEADER_HEIGHT};
use super::chart::error::{draw_err, ChartError};
use super::chart::geometry::{band_columns, thin_to_end, Px};
use super::chart::legend::{fit, frame};
use super::chart::lines::{draw_bands, draw_lines, LineStyle, DASH};
use super::chart::palette::{BAND_ALPHA, INK, MUTED, SCENARIO_COLORS};
use super::format::{group_digits, trim_number};
use crate::engine::SimTime;
use crate::model::Feature;

/// Picture width, pixels.
pub const WIDTH: u32 = 1000;
/// Picture height with one panel, pixels.
pub const HEIGHT: u32 = 600;
/// Height of each panel when horizons differ enough for several, pixels: the picture is
/// the title block and this much per panel.
pub const GROUP_PANEL_HEIGHT: u32 = 330;
/// Scenarios share a panel when the longest horizon among them is at most this many times
/// the shortest: a 6-hour scenario next to a day-long one still takes a quarter of the
/// axis, while a day next to a week, or a year, gets a panel of its own (assumption: a
/// readability choice).
pub const HORIZON_FACTOR: u64 = 4;

/// One scenario's line on an overlay chart.
#[derive(Debug, Clone, PartialEq)]
pub struct OverlaySeries<'a> {
    /// Legend label (the scenario name).
    pub label: &'a str,
    /// Total users (to turn user counts into percent).
    pub users: u64,
    /// Sample times (each scenario may have its own sample_every and horizon).
    pub times: Vec<SimTime>,
    /// Users with the feature at each time (the mean when replicated).
    pub values: Vec<f64>,
    /// (p05, p95) users at each time when replicated; None for a single run.
    pub band: Option<Vec<(f64, f64)>>,
    /// Replications behind the line (1 = a single run).
    pub replications: u32,
}

/// The overlay chart of `feature` as an SVG document: title `<feature>: <title>`, time on
/// the x axis up to the longest horizon, percent of each scenario's users with the feature
/// on the y axis, a legend naming every scenario in its colour (see the module docs).
pub fn svg(title: &str, feature: Feature, series: &[OverlaySeries]) -> Result<String, ChartError> {
    canvas::svg(&Prepared::new(title, feature, series)?)
}

/// The overlay chart of `feature` as an encoded PNG file (8-bit RGB); see [`svg`].
pub fn png(title: &str, feature: Feature, series: &[OverlaySeries]) -> Result<Vec<u8>, ChartError> {
    canvas::png(&Prepared::new(title, feature, series)?)
}

// ---------------------------------------------------------------------------------------
// Data

/// A scenario's line, ready to draw.
#[derive(Debug, Clone)]
struct Line {
    label: String,
    /// "(mean of N; shaded p05–p95)" when replicated.
    note: Option<String>,
    style: LineStyle,
    /// Sample times in the axis unit.
    times: Vec<f64>,
    /// Percent of the scenario's users at each time.
    values: Vec<f64>,
    /// (p05, p95) percent at each time.
    band: Option<Vec<(f64, f64)>>,
}

/// Scenarios drawn on one panel: horizons within [`HORIZON_FACTOR`] of each other.
#[derive(Debug, Clone)]
struct Group {
    /// Indices of its lines, in the order given.
    members: Vec<usize>,
    /// The time axis unit and end (in that unit).
    unit: TimeUnit,
    x_max: f64,
    /// "horizon 6 h", or "horizons 6 h to 1 day" (only shown when there are several panels).
    horizons: String,
    y_range: (f64, f64),
}

/// The series reduced to what the chart draws.
#[derive(Debug, Clone)]
struct Prepared {
    title: String,
    subtitle: String,
    feature: &'static str,
    /// One panel per group, shortest horizons first.
    groups: Vec<Group>,
    lines: Vec<Line>,
}

/// Group series by horizon (milliseconds to each one's last sample; 0 for one without
/// samples): sorted by horizon, a group takes the next series while its horizon is at most
/// [`HORIZON_FACTOR`] times the group's shortest. Groups run from the shortest horizons,
/// members in the order given.
fn horizon_groups(horizons: &[u64]) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..horizons.len()).collect();
    order.sort_by_key(|&i| (horizons[i], i));
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut shortest = 0;
    for i in order {
        match groups.last_mut() {
            Some(group) if horizons[i] <= shortest.max(1) * HORIZON_FACTOR => group.push(i),
            _ => {
                shortest = horizons[i];
                groups.push(vec![i]);
            }
        }
    }
    for group in &mut groups {
        group.sort_unstable();
    }
    groups
}

impl Prepared {
    fn new(title: &str, feature: Feature, series: &[OverlaySeries]) -> Result<Self, ChartError> {
        if series.is_empty() {
            return Err(ChartError::Input(
                "no series to draw: an overlay chart needs at least one scenario".into(),
            ));
        }
        for s in series {
            check(s)?;
        }
        let horizons: Vec<u64> = series.iter().map(|s| s.times.last().map_or(0, |t| t.as_millis())).collect();
        let members = horizon_groups(&horizons);
        // Each line's axis: its group's unit and end.
        let mut axis_of = vec![(TimeUnit::for_horizon(0), 1.0); series.len()];
        let mut groups: Vec<Group> = members
            .into_iter()
            .map(|members| {
                let longest = members.iter().map(|&i| horizons[i]).max().unwrap_or(0);
                let shortest = members.iter().map(|&i| horizons[i]).min().unwrap_or(0);
                let unit = TimeUnit::for_horizon(longest);
                let x_max = if longest == 0 { 1.0 } else { longest as f64 / unit.ms };
                for &i in &members {
                    axis_of[i] = (unit, x_max);
                }
                let horizons = if shortest == longest {
                    format!("horizon {}", horizon_text(longest))
                } else {
                    format!("horizons {} to {}", horizon_text(shortest), horizon_text(longest))
                };
                Group { members, unit, x_max, horizons, y_range: (0.0, 100.0) }
            })
            .collect();

        let lines: Vec<Line> = series
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let (unit, x_max) = axis_of[i];
                let percent = |users: f64| percent(users, s.users);
                let mut times: Vec<f64> = s.times.iter().map(|t| t.as_millis() as f64 / unit.ms).collect();
                let mut values: Vec<f64> = s.values.iter().map(|&v| percent(v)).collect();
                let mut band: Option<Vec<(f64, f64)>> =
                    s.band.as_ref().map(|b| b.iter().map(|&(lo, hi)| (percent(lo), percent(hi))).collect());
                if times.len() == 1 && times[0] < x_max {
                    // One row: the state it records holds to the end of the axis.
                    times.push(x_max);
                    values.push(values[0]);
                    if let Some(band) = &mut band {
                        band.push(band[0]);
                    }
                }
                let n = s.replications;
                let note = (n > 1).then(|| {
                    let shaded = if s.band.is_some() { "; shaded p05\u{2013}p95" } else { "" };
                    format!("(mean of {}{shaded})", group_digits(n as u64))
                });
                let style = LineStyle {
                    color: SCENARIO_COLORS[i % SCENARIO_COLORS.len()],
                    dashed: (i / SCENARIO_COLORS.len()) % 2 == 1,
                };
                Line { label: s.label.to_string(), note, style, times, values, band }
            })
            .collect();

        for group in &mut groups {
            let mut lowest = 100.0_f64;
            let mut highest = 100.0_f64;
            for line in group.members.iter().map(|&i| &lines[i]) {
                for &v in &line.values {
                    (lowest, highest) = (lowest.min(v), highest.max(v));
                }
                for &(lo, hi) in line.band.iter().flatten() {
                    (lowest, highest) = (lowest.min(lo.min(hi)), highest.max(lo.max(hi)));
                }
            }
            group.y_range = zoomed(lowest, highest);
        }
        let n = series.len();
        let panels = if groups.len() > 1 {
            format!("; horizons differ: one panel per horizon group ({})", groups.len())
        } else {
            String::new()
        };
        let subtitle = format!(
            "users with {} over time, percent of each scenario's users; {} scenario{}{panels}",
            feature.column(),
            n,
            if n == 1 { "" } else { "s" },
        );
        Ok(Prepared {
            title: format!("{}: {title}", feature.column()),
            subtitle,
            feature: feature.column(),
            groups,
            lines,
        })
    }
}

/// A series' lengths agree, its times ascend and its values are numbers.
fn check(s: &OverlaySeries) -> Result<(), ChartError> {
    let rows = s.times.len();
    let bad = |what: String| Err(ChartError::Input(format!("series {:?}: {what}", s.label)));
    if s.values.len() != rows {
        return bad(format!("{rows} sample times but {} values", s.values.len()));
    }
    if let Some(band) = &s.band {
        if band.len() != rows {
            return bad(format!("{rows} sample times but {} bands", band.len()));
        }
    }
    if s.times.windows(2).any(|w| w[1] < w[0]) {
        return bad("sample times are not in ascending order".into());
    }
    let numbers = s.values.iter().chain(s.band.iter().flatten().flat_map(|(lo, hi)| [lo, hi]));
    if !numbers.into_iter().all(|v| v.is_finite()) {
        return bad("a value is not a finite number".into());
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Layout and drawing

/// Width of the plotting column; the legend takes the rest.
const PLOT_WIDTH: u32 = 700;
/// Width of a scenario's line, pixels.
const LINE_WIDTH: u32 = 2;
/// Radius of the dot where a shorter scenario ends, pixels.
const END_DOT: i32 = 4;

/// The title block.
const HEADER: Header = Header { plot_width: PLOT_WIDTH, left: 20, title_size: 22.0, subtitle_top: 40 };
/// The plot: percent of each scenario's users against time.
const PANEL: Panel = Panel {
    margin_top: 12,
    margin_right: 16,
    x_label_area: 48,
    y_label_area: 68,
    x_labels: 10,
    y_labels: 10,
};

impl Picture for Prepared {
    fn size(&self) -> (u32, u32) {
        match self.groups.len() {
            0 | 1 => (WIDTH, HEIGHT),
            n => (WIDTH, HEADER_HEIGHT + 8 + n as u32 * GROUP_PANEL_HEIGHT),
        }
    }

    fn draw<DB: DrawingBackend>(&self, c: &Canvas<DB>) -> Result<(), ChartError> {
        let p = self;
        let area = c.page(&HEADER, &p.title, &p.subtitle)?;
        let areas = area.split_evenly((p.groups.len().max(1), 1));
        let mut early = false;
        let (mut top, mut bottom) = (i32::MAX, 0);
        for (group, area) in p.groups.iter().zip(&areas) {
            let y_range = group.y_range.0..group.y_range.1;
            let chart = panel(area, &PANEL, 0.0..group.x_max, y_range, &|v| trim_number(*v))?;
            let (px_x, px_y) = chart.plotting_area().get_pixel_range();
            (top, bottom) = (top.min(px_y.start), bottom.max(px_y.end));
            y_title(c, &chart, &format!("users with {} (%)", p.feature), 54)?;
            let title = if p.groups.len() > 1 {
                format!("time ({}); {}", group.unit.name, group.horizons)
            } else {
                format!("time ({})", group.unit.name)
            };
            let at = ((px_x.start + px_x.end) / 2, px_y.end + 26);
            c.text(&title, at, 15.0, &INK, HPos::Center, VPos::Top)?;

            let members: Vec<&Line> = group.members.iter().map(|&i| &p.lines[i]).collect();
            draw_scenario_bands(c, &members, &chart)?;
            let lines: Vec<Vec<Px>> = members
                .iter()
                .map(|l| {
                    let points: Vec<Px> =
                        l.times.iter().zip(&l.values).map(|(&t, &v)| chart.backend_coord(&(t, v))).collect();
                    thin_to_end(&points)
                })
                .collect();
            let styles: Vec<LineStyle> = members.iter().map(|l| l.style).collect();
            draw_lines(c, &lines, &styles, LINE_WIDTH)?;
            // A dot on the last value of a scenario whose horizon ends before its panel's.
            for (line, points) in members.iter().zip(&lines) {
                if let Some(&at) = points.last() {
                    if at.0 < px_x.end - 2 {
                        early = true;
                        draw_dot(c, at, line.style.color)?;
                    }
                }
            }
        }
        draw_legend(c, p, (top, bottom), early)
    }
}

/// The replicated scenarios' p05–p95 bands, translucent in their colours; identical bands
/// (of scenarios that agree) as one band striped in their colours.
fn draw_scenario_bands<DB: DrawingBackend>(
    c: &Canvas<DB>,
    lines: &[&Line],
    chart: &Chart<DB>,
) -> Result<(), ChartError> {
    let bands = lines.iter().filter_map(|line| {
        let columns = band_columns(line.times.iter().zip(line.band.as_ref()?).map(|(&t, &(lo, hi))| {
            let (x, lo) = chart.backend_coord(&(t, lo));
            let (_, hi) = chart.backend_coord(&(t, hi));
            (x, lo, hi)
        }));
        (columns.len() >= 2).then_some((line.style.color, columns))
    });
    draw_bands(c, bands)
}

fn draw_dot<DB: DrawingBackend>(c: &Canvas<DB>, at: Px, color: RGBColor) -> Result<(), ChartError> {
    c.root.draw(&Circle::new(at, END_DOT + 1, WHITE.filled())).map_err(draw_err)?;
    c.root.draw(&Circle::new(at, END_DOT, color.filled())).map_err(draw_err)
}

const LEGEND_ROW: i32 = 18;
const NOTE_ROW: i32 = 15;
const BOX_HEADER: i32 = 30;
const LABEL_SIZE: f64 = 13.0;
const NOTE_SIZE: f64 = 11.0;

/// The legend, top-aligned with the plot: each scenario's line (over its band, when
/// replicated) and name, with "(mean of N; shaded p05–p95)" under a replicated one's.
fn draw_legend<DB: DrawingBackend>(
    c: &Canvas<DB>,
    p: &Prepared,
    (top, bottom): (i32, i32),
    early: bool,
) -> Result<(), ChartError> {
    let x0 = PLOT_WIDTH as i32 + 4;
    let x1 = WIDTH as i32 - 14;
    let text_x = x0 + 50;
    let room = (x1 - 8 - text_x) as f64;
    let height = |l: &Line| LEGEND_ROW + if l.note.is_some() { NOTE_ROW } else { 0 };
    let footnotes: Vec<&str> = [
        (p.lines.len() > 1).then_some("striped where scenarios coincide"),
        early.then_some("\u{25CF} the end of a shorter horizon"),
    ]
    .into_iter()
    .flatten()
    .collect();
    let foot = if footnotes.is_empty() { 0 } else { 6 + 14 * footnotes.len() as i32 };
    // As many entries as fit above the footnotes; the rest are counted.
    let limit = bottom - top - BOX_HEADER - foot - 8;
    let mut used = 0;
    let mut shown = 0;
    for (i, line) in p.lines.iter().enumerate() {
        let more = if i + 1 < p.lines.len() { LEGEND_ROW } else { 0 };
        if used + height(line) + more > limit && i + 1 < p.lines.len() {
            break;
        }
        used += height(line);
        shown += 1;
    }
    let hidden = p.lines.len() - shown;
    let content = used + if hidden > 0 { LEGEND_ROW } else { 0 };
    let frame_bottom = (top + BOX_HEADER + content + foot + 8).min(bottom);
    frame(c, (x0, top), (x1, frame_bottom), "Scenarios", 9)?;

    let mut y = top + BOX_HEADER;
    for line in &p.lines[..shown] {
        let mid = y + LEGEND_ROW / 2;
        let color = line.style.color;
        if line.band.is_some() {
            c.rect((x0 + 12, mid - 7), (x0 + 40, mid + 7), color.mix(BAND_ALPHA).filled())?;
        }
        let (a, b) = (x0 + 12, x0 + 40);
        if line.style.dashed {
            let dash = DASH as i32;
            c.path(vec![(a, mid), (a + dash, mid)], color.stroke_width(LINE_WIDTH + 1))?;
            c.path(vec![(b - dash, mid), (b, mid)], color.stroke_width(LINE_WIDTH + 1))?;
        } else {
            c.path(vec![(a, mid), (b, mid)], color.stroke_width(LINE_WIDTH + 1))?;
        }
        let label = fit(c.metrics, &line.label, LABEL_SIZE, room);
        c.text(&label, (text_x, mid), LABEL_SIZE, &INK, HPos::Left, VPos::Center)?;
        if let Some(note) = &line.note {
            let note = fit(c.metrics, note, NOTE_SIZE, room);
            c.text(&note, (text_x, mid + NOTE_ROW - 1), NOTE_SIZE, &MUTED, HPos::Left, VPos::Center)?;
        }
        y += height(line);
    }
    if hidden > 0 {
        let text = format!("and {hidden} more");
        c.text(&text, (text_x, y + LEGEND_ROW / 2), 12.0, &MUTED, HPos::Left, VPos::Center)?;
    }
    let mut y = frame_bottom - 8 - 14 * footnotes.len() as i32;
    for note in footnotes {
        c.text(note, (x0 + 12, y), NOTE_SIZE, &MUTED, HPos::Left, VPos::Top)?;
        y += 14;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::chart::testing::{decode, uniform};

    /// `rows` samples `step` seconds apart of `users` users, an outage of `depth` of them
    /// between 30 % and 60 % of the way; replicated (with noise and a band) when
    /// `replications > 1`.
    fn series(
        label: &str,
        users: u64,
        rows: u64,
        step: u64,
        depth: f64,
        replications: u32,
    ) -> OverlaySeries<'_> {
        let mut rng = users ^ rows;
        let total = users as f64;
        let values: Vec<f64> = (0..rows)
            .map(|i| {
                let down = i * 10 >= rows * 3 && i * 10 < rows * 6;
                let noise = if replications > 1 { 0.01 * uniform(&mut rng) } else { 0.0 };
                total * (1.0 - if down { depth } else { 0.0 } - noise)
            })
            .collect();
        let band = (replications > 1).then(|| {
            values
                .iter()
                .map(|&v| ((v - 0.05 * total * uniform(&mut rng)).max(0.0), (v + 0.002 * total).min(total)))
                .collect()
        });
        OverlaySeries {
            label,
            users,
            times: (0..rows).map(|i| SimTime::from_secs(i * step)).collect(),
            values,
            band,
            replications,
        }
    }

    const NAMES: [&str; 12] = [
        "se-pair-voice-resiliency",
        "lync2010-pair-voice-resiliency",
        "seed1-disaster-mode",
        "seed2-failover-failback",
        "seed2-manual-poolstate",
        "sfb2019-rgs-replicated",
        "calibration-failover-40k",
        "calibration-failback-20k",
        "site-loss-disaster-failover-20k",
        "ee3-server-losses",
        "ee12-quorum-boundary",
        "ee-backend-mirroring",
    ];

    /// `n` series, every third replicated, of different sizes, depths and horizons.
    fn mix(n: usize) -> Vec<OverlaySeries<'static>> {
        (0..n)
            .map(|i| {
                let replications = if i % 3 == 1 { 200 } else { 1 };
                let rows = 361 + 60 * (i as u64 % 4);
                series(NAMES[i], 5_000 + 1_000 * i as u64, rows, 60, 0.05 * (i + 1) as f64, replications)
            })
            .collect()
    }

    #[test]
    fn renders_one_three_and_twelve_series() {
        for n in [1, 3, 12] {
            let all = mix(n);
            let text = svg("compare", Feature::Contacts, &all).unwrap();
            assert!(text.starts_with("<svg"));
            assert!(text.contains("contacts: compare"), "{n}");
            assert!(text.contains("users with contacts (%)"));
            assert!(text.contains("time (h)"));
            for s in &all {
                assert!(text.contains(s.label), "{n}: {}", s.label);
            }
            let replicated = all.iter().filter(|s| s.replications > 1).count();
            assert_eq!(text.matches("(mean of 200; shaded p05\u{2013}p95)").count(), replicated);
            let bytes = png("compare", Feature::Contacts, &all).unwrap();
            let (w, h, pixels) = decode(&bytes);
            assert_eq!((w, h), (WIDTH, HEIGHT));
            // Every scenario's colour is on the picture.
            for (i, _) in all.iter().enumerate() {
                let c = SCENARIO_COLORS[i % SCENARIO_COLORS.len()];
                assert!(pixels.chunks(3).any(|p| p == [c.0, c.1, c.2]), "{n}: colour {i}");
            }
        }
        // Shorter horizons end with a dot (and say so); the axis runs to the longest.
        let text = svg("compare", Feature::Im, &mix(3)).unwrap();
        assert!(text.contains("the end of a shorter horizon"));
        assert!(!svg("compare", Feature::Im, &mix(1)).unwrap().contains("shorter horizon"));
        let p = Prepared::new("compare", Feature::Im, &mix(3)).unwrap();
        assert_eq!(p.groups[0].x_max, 480.0 * 60.0 / 3600.0);
    }

    #[test]
    fn horizons_group_within_a_factor_of_four() {
        let (h, day) = (3_600_000, 86_400_000);
        // 6 h, a year, 12 h, a day, no samples: the day shares the 6 h panel (4 x 6 h).
        assert_eq!(
            horizon_groups(&[6 * h, 365 * day, 12 * h, day, 0]),
            vec![vec![4], vec![0, 2, 3], vec![1]]
        );
        assert_eq!(horizon_groups(&[6 * h, 6 * h + 1, 24 * h + 1]), vec![vec![0, 1], vec![2]]);
        assert_eq!(horizon_groups(&[]), Vec::<Vec<usize>>::new());
    }

    #[test]
    fn a_day_next_to_a_year_gets_its_own_readable_panel() {
        // Before: one time axis to the year's end, the day squeezed into two pixel columns.
        let year = series("year-se-pair-random", 5_000, 365 * 24 + 1, 3_600, 0.3, 100);
        let day = series("se-pair-day", 5_000, 24 * 60 + 1, 60, 0.5, 1);
        let both = [year, day];
        let p = Prepared::new("compare", Feature::Contacts, &both).unwrap();
        assert_eq!(p.groups.iter().map(|g| g.members.clone()).collect::<Vec<_>>(), [vec![1], vec![0]]);
        assert_eq!((p.groups[0].unit.name, p.groups[1].unit.name), ("h", "days"));
        let text = svg("compare", Feature::Contacts, &both).unwrap();
        assert!(text.contains("time (h); horizon 24 h") && text.contains("time (days); horizon 365 days"));
        assert!(text.contains("one panel per horizon group (2)"));
        assert!(!text.contains("shorter horizon"), "each ends at its own panel's end");
        let (w, h, pixels) = decode(&png("compare", Feature::Contacts, &both).unwrap());
        assert_eq!((w, h), (WIDTH, HEADER_HEIGHT + 8 + 2 * GROUP_PANEL_HEIGHT));
        // The day's line spans its panel: its colour is in hundreds of pixel columns.
        let c = SCENARIO_COLORS[1];
        let columns = (0..w as usize)
            .filter(|x| (0..h as usize).any(|y| pixels[3 * (y * w as usize + x)..][..3] == [c.0, c.1, c.2]))
            .count();
        assert!(columns > 500, "{columns} columns");
    }

    #[test]
    fn a_shorter_horizon_ends_with_a_dot_on_its_last_value() {
        // A 6 h scenario next to a 12 h one: both in one panel, the 6 h line ends mid-axis.
        // Its last rows dip and recover within one pixel column: the dot sits where a line
        // without the dip ends (at its last value, 100 %), not at the dip.
        let long = series("long", 1_000, 12 * 60 + 1, 60, 0.2, 1);
        let plain = series("short", 1_000, 6 * 3_600 + 1, 1, 0.0, 1);
        let mut dipped = plain.clone();
        let n = dipped.values.len();
        // 72 s per pixel column: the last 4 s are in one column, after full ones.
        for v in &mut dipped.values[n - 4..n - 2] {
            *v = 500.0;
        }
        let dot = |short: &OverlaySeries| {
            let text = svg("t", Feature::Im, &[long.clone(), short.clone()]).unwrap();
            assert!(text.contains("the end of a shorter horizon"));
            let circles: Vec<String> = text
                .lines()
                .filter(|l| l.starts_with("<circle") && l.contains("r=\"4\""))
                .map(|l| l.split(" r=").next().unwrap().to_string())
                .collect();
            assert_eq!(circles.len(), 1, "{circles:?}");
            circles[0].clone()
        };
        assert_eq!(dot(&dipped), dot(&plain));
    }

    #[test]
    fn identical_bytes_twice() {
        let all = mix(5);
        assert_eq!(svg("t", Feature::Voice, &all).unwrap(), svg("t", Feature::Voice, &all).unwrap());
        assert_eq!(png("t", Feature::Voice, &all).unwrap(), png("t", Feature::Voice, &all).unwrap());
    }

    #[test]
    fn high_values_zoom_the_axis_and_low_ones_do_not() {
        // Everything above 99.6 %: the axis spans 99.5 to 100 %, with a margin.
        let mut high = vec![series("a", 1_000, 100, 60, 0.004, 1), series("b", 2_000, 100, 60, 0.001, 1)];
        let p = Prepared::new("t", Feature::Im, &high).unwrap();
        assert_eq!(p.groups[0].y_range, (99.4875, 100.0125));
        // A band reaching 5 % lower widens it to 90 %.
        high.push(series("c", 2_000, 100, 60, 0.0, 30));
        let p = Prepared::new("t", Feature::Im, &high).unwrap();
        assert_eq!(p.groups[0].y_range, (89.75, 100.25));
        let low = [series("a", 1_000, 100, 60, 0.6, 1)];
        let p = Prepared::new("t", Feature::Im, &low).unwrap();
        assert!(p.groups[0].y_range.0 < 0.0, "{:?}", p.groups[0].y_range);
    }

    #[test]
    fn coinciding_lines_and_bands_are_striped() {
        let a = series("first", 1_000, 400, 60, 0.2, 1);
        let b = OverlaySeries { label: "second", ..a.clone() };
        let text = svg("t", Feature::Im, &[a.clone(), b]).unwrap();
        let blue = "stroke=\"#0072B2\"";
        let vermillion = "stroke=\"#D55E00\"";
        assert!(text.matches(blue).count() > 10, "striped: many blue pieces");
        assert!(text.matches(vermillion).count() > 10, "and many vermillion ones");
        // Identical bands: one band, striped in both colours (no darker overlap).
        let a = series("first", 1_000, 400, 60, 0.2, 50);
        let b = OverlaySeries { label: "second", ..a.clone() };
        let text = svg("t", Feature::Im, &[a.clone(), b]).unwrap();
        let band = |fill: &str| {
            let opacity = format!("opacity=\"{BAND_ALPHA}\"");
            text.lines()
                .filter(|l| l.starts_with("<polygon") && l.contains(&opacity) && l.contains(fill))
                .count()
        };
        assert!(band("fill=\"#0072B2\"") > 5 && band("fill=\"#D55E00\"") > 5);
        let text = svg("t", Feature::Im, &[a]).unwrap();
        assert_eq!(
            text.lines().filter(|l| l.starts_with("<polygon")).count(),
            1,
            "a single band is one polygon"
        );
        // An eleventh scenario is dashed in the first colour.
        let many: Vec<OverlaySeries> =
            (0..11).map(|i| series(NAMES[i], 1_000, 400, 60, 0.02 * i as f64, 1)).collect();
        let text = svg("t", Feature::Im, &many).unwrap();
        assert!(text.matches(blue).count() > 20, "dashes");
    }

    #[test]
    fn a_replicated_year_makes_a_small_svg() {
        let year = series("year-se-pair-random", 5_000, 35_041, 900, 0.3, 1_000);
        let short = series("se-pair-voice-resiliency", 5_000, 2_161, 10, 0.5, 1);
        let text = svg("compare", Feature::ResponseGroups, &[year.clone(), short]).unwrap();
        assert!(text.len() < 1_000_000, "{} bytes", text.len());
        assert!(text.contains("time (days)"));
        assert!(text.contains("(mean of 1,000; shaded p05\u{2013}p95)"));
        assert_eq!(decode(&png("compare", Feature::ResponseGroups, &[year]).unwrap()).0, WIDTH);
    }

    #[test]
    fn edge_cases_are_errors_or_plain_charts() {
        // Nothing to draw: an error, not an empty picture.
        assert!(matches!(svg("t", Feature::Im, &[]), Err(ChartError::Input(_))));
        assert!(matches!(png("t", Feature::Im, &[]), Err(ChartError::Input(_))));
        // No users: drawn at 0 %.
        let mut nobody = series("nobody", 0, 50, 60, 0.0, 1);
        nobody.values = vec![0.0; 50];
        let text = svg("t", Feature::Im, &[nobody.clone()]).unwrap();
        assert!(text.contains("nobody"));
        assert_eq!(&png("t", Feature::Im, &[nobody.clone()]).unwrap()[..8], b"\x89PNG\r\n\x1a\n");
        // No samples, one sample, one sample at time zero only.
        let empty =
            OverlaySeries { label: "empty", times: vec![], values: vec![], band: None, ..nobody.clone() };
        let one = OverlaySeries {
            label: "one",
            users: 10,
            times: vec![SimTime::ZERO],
            values: vec![10.0],
            band: Some(vec![(9.0, 10.0)]),
            replications: 5,
        };
        for set in [vec![empty.clone()], vec![one.clone()], vec![empty, one, nobody.clone()]] {
            assert!(svg("t", Feature::CallPark, &set).unwrap().contains("call_park: t"));
            assert_eq!(decode(&png("t", Feature::CallPark, &set).unwrap()).0, WIDTH);
        }
        // Series that disagree, run backwards or hold no number are errors.
        let mut bad = nobody.clone();
        bad.values.pop();
        assert!(matches!(svg("t", Feature::Im, &[bad]), Err(ChartError::Input(_))));
        let mut bad = nobody.clone();
        bad.band = Some(vec![(0.0, 0.0)]);
        assert!(matches!(png("t", Feature::Im, &[bad]), Err(ChartError::Input(_))));
        let mut bad = nobody.clone();
        bad.times.swap(3, 4);
        assert!(matches!(svg("t", Feature::Im, &[bad]), Err(ChartError::Input(_))));
        let mut bad = nobody;
        bad.values[7] = f64::NAN;
        assert!(matches!(svg("t", Feature::Im, &[bad]), Err(ChartError::Input(_))));
    }

    #[test]
    fn long_labels_are_cut_to_the_legend() {
        let metrics = crate::report::chart::font::ensure_font().unwrap();
        let long = "a-scenario-name-far-too-long-for-the-legend-column-of-the-chart";
        let cut = fit(metrics, long, LABEL_SIZE, 200.0);
        assert!(cut.ends_with('…') && metrics.width(&cut, LABEL_SIZE) <= 200.0, "{cut}");
        assert_eq!(fit(metrics, "short", LABEL_SIZE, 200.0), "short");
        // Thirty scenarios: those that fit, then a count of the others.
        let names: Vec<String> = (0..30).map(|i| format!("scenario-{i}")).collect();
        let many: Vec<OverlaySeries> =
            names.iter().enumerate().map(|(i, n)| series(n, 1_000, 50, 60, 0.01 * i as f64, 1)).collect();
        let text = svg("t", Feature::Im, &many).unwrap();
        assert!(text.contains("scenario-0\n"));
        assert!(!text.contains("scenario-29\n"));
        assert!(text.contains("and 8 more\n"), "a count of the hidden");
    }

    /// Writes /tmp/overlay-contacts.png and .svg from three shipped scenarios (the third
    /// replicated 20 times) for a look: `cargo test --lib overlay_example -- --ignored`.
    #[test]
    #[ignore]
    fn overlay_example() {
        use std::path::Path;
        use std::sync::Arc;

        use crate::stats::{monte, run_replication};
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let load = |name: &str| {
            let loaded = crate::scenario::load(&root.join("scenarios").join(name)).unwrap();
            Arc::new(loaded.config)
        };
        let feature = Feature::Contacts;
        let single = |config: Arc<crate::model::Config>| {
            let r = run_replication(config, 0);
            let samples: Vec<_> = r.samples().collect();
            (
                r.config.name.clone(),
                r.total_users(),
                samples.iter().map(|s| s.time).collect::<Vec<_>>(),
                samples.iter().map(|s| r.users_with(s, feature) as f64).collect::<Vec<_>>(),
            )
        };
        let a = single(load("se-pair-voice-resiliency.ron"));
        let b = single(load("lync2010-pair-voice-resiliency.ron"));
        let mut seed1 = (*load("seed1-disaster-mode.ron")).clone();
        seed1.replications = 20;
        let seed1 = Arc::new(seed1);
        let mc = monte::run(seed1.clone(), Some(1), &|_| String::new(), &|| {}).unwrap();
        let mean = mc.series();
        let mut all: Vec<OverlaySeries> = [&a, &b]
            .iter()
            .map(|(label, users, times, values)| OverlaySeries {
                label,
                users: *users,
                times: times.clone(),
                values: values.clone(),
                band: None,
                replications: 1,
            })
            .collect();
        all.push(OverlaySeries {
            label: &seed1.name,
            users: seed1.total_users(),
            times: mean.times.clone(),
            values: mean.features.iter().map(|row| row[feature]).collect(),
            band: Some(mean.band.iter().map(|row| row[feature]).collect()),
            replications: 20,
        });
        let dir = Path::new("/tmp");
        std::fs::write(dir.join("overlay-contacts.png"), png("compare", feature, &all).unwrap()).unwrap();
        std::fs::write(dir.join("overlay-contacts.svg"), svg("compare", feature, &all).unwrap()).unwrap();
        // A synthetic replicated year against a six-hour run: days on the time axis.
        let year = [
            series("year-se-pair-random", 5_000, 35_041, 900, 0.3, 1_000),
            series("se-pair-voice-resiliency", 5_000, 2_161, 10, 0.5, 1),
        ];
        std::fs::write(dir.join("overlay-year.png"), png("compare", Feature::ResponseGroups, &year).unwrap())
            .unwrap();
        let twelve = mix(12);
        std::fs::write(dir.join("overlay-twelve.png"), png("compare", Feature::Im, &twelve).unwrap())
            .unwrap();
    }
}
