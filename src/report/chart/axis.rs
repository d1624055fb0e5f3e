//! Axes: the time unit a horizon is shown in, the zoomed value range of replicated and overlay
//! charts, tick labels, and one panel set-up for every chart (margins, label areas, grid,
//! axis lines, tick labels, axis titles).

use std::ops::Range;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::{Canvas, Chart};
use super::error::{draw_err, ChartError};
use super::font::font;
use super::palette::{AXIS, GRID, INK, MUTED};
use crate::report::format::{group_digits, trim_number};

/// The time unit of the x axis, chosen from the horizon.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TimeUnit {
    /// Its name on the axis: "days", "h", "min" or "s".
    pub(crate) name: &'static str,
    /// Milliseconds in one unit.
    pub(crate) ms: f64,
}

/// Milliseconds in a day.
pub(crate) const DAY_MS: u64 = 86_400_000;

impl TimeUnit {
    /// Days from a week, hours from two hours, minutes from two minutes, else seconds.
    pub(crate) fn for_horizon(horizon_ms: u64) -> Self {
        if horizon_ms >= 7 * DAY_MS {
            TimeUnit { name: "days", ms: DAY_MS as f64 }
        } else if horizon_ms >= 2 * 3_600_000 {
            TimeUnit { name: "h", ms: 3_600_000.0 }
        } else if horizon_ms >= 2 * 60_000 {
            TimeUnit { name: "min", ms: 60_000.0 }
        } else {
            TimeUnit { name: "s", ms: 1_000.0 }
        }
    }
}

/// The horizon for a subtitle, in the unit its axis would take: "8 h", "365 days".
pub(crate) fn horizon_text(ms: u64) -> String {
    let h = ms as f64 / 3_600_000.0;
    if ms >= 7 * DAY_MS {
        format!("{} days", trim_number(ms as f64 / DAY_MS as f64))
    } else if ms >= 2 * 3_600_000 {
        format!("{} h", trim_number(h))
    } else if ms >= 2 * 60_000 {
        format!("{} min", trim_number(ms as f64 / 60_000.0))
    } else {
        format!("{} s", trim_number(ms as f64 / 1000.0))
    }
}

/// The top panel's y range for a replicated run: means over many replications rarely leave
/// the top percent, so the axis spans from a round value below the lowest mean or p05 to
/// 100 % (`hi` if higher): 100 - 0.01 x {1, 2, 5, 10, ...}, at least 0.01 points, at most 100.
pub(crate) fn zoomed(lowest: f64, hi: f64) -> (f64, f64) {
    let need = (hi.max(100.0) - lowest.min(100.0)) * 1.1;
    let span = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0]
        .into_iter()
        .find(|s| *s >= need)
        .unwrap_or(100.0);
    let (lo, hi) = ((hi.max(100.0) - span).max(0.0).min(lowest), hi.max(100.0));
    let pad = (hi - lo) * 0.025;
    (lo - pad, hi + pad)
}

/// Tick label for a user count: grouped digits, nothing for fractional ticks.
pub(crate) fn count_tick(v: f64) -> String {
    if v < 0.0 || v.fract().abs() > 1e-9 {
        String::new()
    } else {
        group_digits(v.round() as u64)
    }
}

/// `users` as a percentage of `total` users (0 when there are none).
pub(crate) fn percent(users: f64, total: u64) -> f64 {
    if total == 0 {
        0.0
    } else {
        users * 100.0 / total as f64
    }
}

/// The frame of a panel: margins and label areas, pixels, and how many ticks each axis gets.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Panel {
    /// Space above the plot.
    pub(crate) margin_top: u32,
    /// Space right of the plot.
    pub(crate) margin_right: u32,
    /// Height of the x tick labels (and the time axis title) under the plot.
    pub(crate) x_label_area: u32,
    /// Width of the y tick labels and the y axis title.
    pub(crate) y_label_area: u32,
    /// About this many x ticks.
    pub(crate) x_labels: usize,
    /// About this many y ticks.
    pub(crate) y_labels: usize,
}

/// A panel on `area`: time `x` against a value `y`, with its grid, axis lines and tick
/// labels (x as [`trim_number`], y as `y_format`).
pub(crate) fn panel<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    spec: &Panel,
    x: Range<f64>,
    y: Range<f64>,
    y_format: &dyn Fn(&f64) -> String,
) -> Result<Chart<'a, DB>, ChartError> {
    let mut chart = ChartBuilder::on(area)
        .margin_top(spec.margin_top)
        .margin_right(spec.margin_right)
        .x_label_area_size(spec.x_label_area)
        .y_label_area_size(spec.y_label_area)
        .build_cartesian_2d(x, y)
        .map_err(draw_err)?;
    chart
        .configure_mesh()
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .axis_style(AXIS)
        .x_labels(spec.x_labels)
        .y_labels(spec.y_labels)
        .label_style(font(13.0).color(&MUTED))
        .x_label_formatter(&|v| trim_number(*v))
        .y_label_formatter(y_format)
        .draw()
        .map_err(draw_err)?;
    Ok(chart)
}

/// A panel's value axis title, reading upwards, `offset` pixels left of the plot and centred
/// on it.
pub(crate) fn y_title<DB: DrawingBackend>(
    c: &Canvas<DB>,
    chart: &Chart<DB>,
    text: &str,
    offset: i32,
) -> Result<(), ChartError> {
    let (x, y) = chart.plotting_area().get_pixel_range();
    c.text_up(text, (x.start - offset, (y.start + y.end) / 2), 15.0, &INK)
}

/// The time axis title under a panel: "time (h)".
pub(crate) fn time_title<DB: DrawingBackend>(
    c: &Canvas<DB>,
    chart: &Chart<DB>,
    unit: TimeUnit,
) -> Result<(), ChartError> {
    let (x, y) = chart.plotting_area().get_pixel_range();
    let text = format!("time ({})", unit.name);
    c.text(&text, ((x.start + x.end) / 2, y.end + 26), 15.0, &INK, HPos::Center, VPos::Top)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_labels_and_horizons() {
        assert_eq!(count_tick(2.5), "");
        assert_eq!(count_tick(-1.0), "");
        assert_eq!(count_tick(12_000.0), "12,000");
        assert_eq!(horizon_text(8 * 3_600_000), "8 h");
        assert_eq!(horizon_text(365 * DAY_MS), "365 days");
        assert_eq!(horizon_text(90_000), "90 s");
        assert_eq!(TimeUnit::for_horizon(7 * DAY_MS).name, "days");
        assert_eq!(TimeUnit::for_horizon(119_999).name, "s");
    }
}
