//! Sweep charts: one key metric against the swept values (`lyncsim sweep`), one line per
//! combination of the other swept fields. Numbers and durations make a numeric x axis
//! (durations in minutes); anything else is placed in the order given. The caller, which
//! reads scenario text, says which values are durations: reports never parse it.

use plotters::prelude::*;

use super::chart::canvas::{self, Canvas, Picture};
use super::chart::error::{draw_err, ChartError};
use super::chart::font::font;
use super::chart::palette::{SWEEP_COLORS, SWEEP_GRID, SWEEP_LEGEND_BORDER};
use super::format::trim_number;
use crate::engine::SimTime;

/// Picture size, pixels.
const SIZE: (u32, u32) = (900, 540);

/// What one sweep chart shows.
#[derive(Debug, Clone)]
pub struct SweepChart {
    /// The metric, e.g. `contacts_availability`.
    pub metric: String,
    /// Unit shown on the y axis, e.g. `%`.
    pub unit: String,
    /// The swept path on the x axis.
    pub path: String,
    /// The x values as written (numbers become numeric; the others label their ticks).
    pub xs: Vec<String>,
    /// The x values as durations, one per value of `xs`, when every one is a duration (as
    /// the scenario file reads it): the axis is then numeric, in minutes. Numbers are
    /// placed at their values whatever this says.
    pub durations: Option<Vec<SimTime>>,
    /// One line per combination of the other swept fields: (label, value at each x; `None`
    /// where the metric has no value).
    pub lines: Vec<(String, Vec<Option<f64>>)>,
}

/// The x axis: numeric positions and whether they are durations (minutes).
fn positions(c: &SweepChart) -> Result<(Vec<f64>, Option<&'static str>), ChartError> {
    let xs = &c.xs;
    if let Some(v) = xs.iter().map(|x| x.parse::<f64>().ok()).collect::<Option<Vec<_>>>() {
        return Ok((v, None));
    }
    if let Some(durations) = &c.durations {
        if durations.len() != xs.len() {
            let n = durations.len();
            return Err(ChartError::Input(format!("{} x values but {n} durations", xs.len())));
        }
        return Ok((durations.iter().map(|t| t.as_millis() as f64 / 60_000.0).collect(), Some("min")));
    }
    Ok(((0..xs.len()).map(|i| i as f64).collect(), Some("")))
}

impl Picture for SweepChart {
    fn size(&self) -> (u32, u32) {
        SIZE
    }

    fn draw<DB: DrawingBackend>(&self, canvas: &Canvas<DB>) -> Result<(), ChartError> {
        draw(canvas.root, self)
    }
}

/// The chart drawn with plotters' own layout: caption, mesh and series labels.
fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    c: &SweepChart,
) -> Result<(), ChartError> {
    let (x, kind) = positions(c)?;
    let categorical = kind == Some("");
    let values: Vec<f64> = c.lines.iter().flat_map(|(_, v)| v.iter().flatten().copied()).collect();
    let (mut lo, mut hi) = values.iter().fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    if values.is_empty() {
        (lo, hi) = (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.08).max(hi.abs() * 1e-6).max(1e-9);
    let (x_lo, x_hi) = x.iter().fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(*v), b.max(*v)));
    let x_pad = ((x_hi - x_lo) * 0.05).max(0.5);
    let x_label = match kind {
        Some("min") => format!("{} (minutes)", c.path),
        _ => c.path.clone(),
    };
    let mut chart = ChartBuilder::on(root)
        .caption(format!("{} against {}", c.metric, c.path), font(20.0))
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(80)
        .build_cartesian_2d((x_lo - x_pad)..(x_hi + x_pad), (lo - pad)..(hi + pad))
        .map_err(draw_err)?;
    let labels = c.xs.clone();
    let xs = x.clone();
    let format_x = move |v: &f64| -> String {
        if categorical {
            xs.iter().position(|p| (p - v).abs() < 1e-9).map_or(String::new(), |i| labels[i].clone())
        } else {
            trim_number(*v)
        }
    };
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(x_label)
        .y_desc(format!("{} ({})", c.metric, c.unit))
        .x_label_formatter(&format_x)
        .y_label_formatter(&|v| trim_number(*v))
        .light_line_style(SWEEP_GRID)
        .label_style(font(13.0));
    if categorical {
        mesh.x_labels(c.xs.len().max(2));
    }
    mesh.draw().map_err(draw_err)?;
    for (i, (label, ys)) in c.lines.iter().enumerate() {
        let color = SWEEP_COLORS[i % SWEEP_COLORS.len()];
        let points: Vec<(f64, f64)> = x.iter().zip(ys).filter_map(|(x, y)| y.map(|y| (*x, y))).collect();
        let series =
            chart.draw_series(LineSeries::new(points.clone(), color.stroke_width(2))).map_err(draw_err)?;
        if !label.is_empty() {
            series
                .label(label.clone())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(3)));
        }
        chart.draw_series(points.iter().map(|p| Circle::new(*p, 4, color.filled()))).map_err(draw_err)?;
    }
    if c.lines.iter().any(|(l, _)| !l.is_empty()) {
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.9))
            .border_style(SWEEP_LEGEND_BORDER)
            .label_font(font(13.0))
            .position(SeriesLabelPosition::LowerRight)
            .draw()
            .map_err(draw_err)?;
    }
    Ok(())
}

/// The chart as SVG.
pub fn svg(c: &SweepChart) -> Result<String, ChartError> {
    canvas::svg(c)
}

/// The chart as PNG.
pub fn png(c: &SweepChart) -> Result<Vec<u8>, ChartError> {
    canvas::png(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(xs: &[&str]) -> SweepChart {
        SweepChart {
            metric: "contacts_availability".into(),
            unit: "%".into(),
            path: "backup_service.sync_interval".into(),
            xs: xs.iter().map(|s| s.to_string()).collect(),
            durations: None,
            lines: vec![
                ("pools[0].users=100".into(), vec![Some(99.1), Some(99.5), None]),
                ("pools[0].users=200".into(), vec![Some(98.0), Some(98.7), Some(99.0)]),
            ],
        }
    }

    /// `chart(xs)` whose values are durations of `secs` seconds.
    fn durations(xs: &[&str], secs: &[u64]) -> SweepChart {
        SweepChart { durations: Some(secs.iter().map(|&s| SimTime::from_secs(s)).collect()), ..chart(xs) }
    }

    #[test]
    fn numeric_duration_and_categorical_axes_render_deterministically() {
        assert_eq!(positions(&durations(&["1m", "90s"], &[60, 90])).unwrap(), (vec![1.0, 1.5], Some("min")));
        // Numbers are numbers, even when the caller reads them as seconds too.
        assert_eq!(positions(&durations(&["10", "2.5"], &[10, 2])).unwrap(), (vec![10.0, 2.5], None));
        assert_eq!(positions(&chart(&["Exponential(mean: \"1m\")", "x"])).unwrap().0, vec![0.0, 1.0]);
        assert_eq!(positions(&chart(&["1m", "5m"])).unwrap().1, Some(""), "no durations given");
        let short = durations(&["1m", "5m"], &[60]);
        assert!(matches!(positions(&short), Err(ChartError::Input(_))));
        assert!(matches!(svg(&short), Err(ChartError::Input(_))));
        for c in [
            durations(&["1m", "5m", "15m"], &[60, 300, 900]),
            chart(&["10", "20", "40"]),
            chart(&["a(b)", "c", "d"]),
        ] {
            let a = svg(&c).unwrap();
            assert_eq!(a, svg(&c).unwrap());
            assert!(a.contains("contacts_availability against backup_service.sync_interval"));
            assert!(a.contains("pools[0].users=200"));
            assert!(png(&c).unwrap().starts_with(b"\x89PNG"));
        }
        let empty =
            SweepChart { lines: vec![("".into(), vec![None, None, None])], ..chart(&["1", "2", "3"]) };
        svg(&empty).unwrap();
    }
}
