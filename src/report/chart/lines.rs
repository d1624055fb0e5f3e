//! Series drawn as lines and bands. Lines that share segments are drawn as one line striped
//! in all their colours, wherever and for as long as they share them, so no line hides
//! another; a band is translucent, and striped where several series share it.

use std::collections::BTreeMap;

use plotters::prelude::*;

use super::canvas::{Canvas, Chart};
use super::error::{draw_err, ChartError};
use super::geometry::{arc_length, band_spans, simplify, stripes, thin, Px, Span};
use super::palette::BAND_ALPHA;

/// Length of one colour's stripe in a shared line, pixels.
const STRIPE: f64 = 9.0;

/// At most this many stripes in all the shared lines together; beyond, stripes get longer
/// than [`STRIPE`] (only lines that zigzag through thousands of state changes need it).
const MAX_STRIPES: f64 = 3_000.0;

/// A series in backend pixels on `chart`: `values` at `times`, left to right, thinned to
/// at most two points per pixel column ([`thin`]).
pub(crate) fn polyline<DB: DrawingBackend>(
    chart: &Chart<DB>,
    times: &[f64],
    values: impl IntoIterator<Item = f64>,
) -> Vec<Px> {
    let points: Vec<Px> = times.iter().zip(values).map(|(&t, v)| chart.backend_coord(&(t, v))).collect();
    thin(&points)
}

/// How [`draw_lines`] draws a line.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LineStyle {
    /// Its colour.
    pub(crate) color: RGBColor,
    /// Dashed (in [`DASH`] pixel dashes) where it runs alone; solid otherwise.
    pub(crate) dashed: bool,
}

/// Length of a dash and of the gap after it in a dashed line, pixels.
pub(crate) const DASH: f64 = 7.0;

/// Draw lines (each left to right with at most two points per pixel column, see [`thin`])
/// `width` pixels wide in their styles. Where several lines share segments, they are drawn
/// as one line striped in all their colours, wherever and for as long as they share it, so
/// no line hides another.
pub(crate) fn draw_lines<DB: DrawingBackend>(
    c: &Canvas<DB>,
    lines: &[Vec<Px>],
    styles: &[LineStyle],
    width: u32,
) -> Result<(), ChartError> {
    // For every segment, the lines that have it, in line order. (A line runs left to right
    // with at most two points per column, so it has each segment once.)
    let mut owners: BTreeMap<(Px, Px), Vec<usize>> = BTreeMap::new();
    for (f, line) in lines.iter().enumerate() {
        for w in line.windows(2) {
            let owner = owners.entry((w[0], w[1])).or_default();
            if owner.last() != Some(&f) {
                owner.push(f);
            }
        }
    }
    // Runs of segments with the same owners, each drawn once, by its first owner. Solid
    // singles first, then stripes, so a stripe is never half covered.
    let mut singles = Vec::new();
    let mut shared = Vec::new();
    for (f, line) in lines.iter().enumerate() {
        let masks: Vec<&[usize]> = line.windows(2).map(|w| owners[&(w[0], w[1])].as_slice()).collect();
        let mut j = 0;
        while j < masks.len() {
            let members = masks[j];
            let mut end = j;
            while end + 1 < masks.len() && masks[end + 1] == members {
                end += 1;
            }
            if members[0] == f {
                let points = simplify(&line[j..=end + 1]);
                if members.len() == 1 {
                    singles.push((f, points));
                } else {
                    shared.push((members, points));
                }
            }
            j = end + 1;
        }
    }
    for (f, points) in singles {
        let style = styles[f].color.stroke_width(width);
        if styles[f].dashed {
            for (k, dash) in stripes(&points, 2, DASH) {
                if k == 0 {
                    c.thick_path(dash, style)?;
                }
            }
        } else {
            c.thick_path(points, style)?;
        }
    }
    let total: f64 = shared.iter().map(|(_, points)| arc_length(points)).sum();
    let stripe = STRIPE.max(total / MAX_STRIPES);
    for (members, points) in shared {
        for (k, dash) in stripes(&points, members.len(), stripe) {
            c.thick_path(dash, styles[members[k]].color.stroke_width(width))?;
        }
    }
    Ok(())
}

/// Width of one colour's stripe in a band shared by several features, pixels.
const BAND_STRIPE: i32 = 8;

/// Translucent bands, one per series in its colour ([`draw_band`] at [`BAND_ALPHA`]), each
/// from its spans per pixel column ([`band_columns`](super::geometry::band_columns)).
/// Identical bands (of series that agree) are drawn once, striped in all their colours, so
/// coinciding bands do not add up to a darker one.
pub(crate) fn draw_bands<DB: DrawingBackend>(
    c: &Canvas<DB>,
    bands: impl IntoIterator<Item = (RGBColor, Vec<Span>)>,
) -> Result<(), ChartError> {
    let mut groups: Vec<(Vec<RGBColor>, Vec<Span>)> = Vec::new();
    for (color, columns) in bands {
        match groups.iter_mut().find(|g| g.1 == columns) {
            Some(group) => group.0.push(color),
            None => groups.push((vec![color], columns)),
        }
    }
    for (colors, columns) in groups {
        draw_band(c, &colors, &columns, BAND_ALPHA)?;
    }
    Ok(())
}

/// A translucent band from its spans per pixel column
/// ([`band_columns`](super::geometry::band_columns)), in `colors` mixed at `alpha`: a band
/// several series share is striped, every [`BAND_STRIPE`] columns the next colour, so
/// coinciding bands do not add up to a darker one. A band without width anywhere is not
/// drawn.
fn draw_band<DB: DrawingBackend>(
    c: &Canvas<DB>,
    colors: &[RGBColor],
    columns: &[Span],
    alpha: f64,
) -> Result<(), ChartError> {
    if colors.is_empty() || columns.iter().all(|&(_, top, bottom)| top == bottom) {
        return Ok(()); // No width anywhere: nothing to shade.
    }
    let outline = |spans: &[Span]| -> Vec<Px> {
        let mut points: Vec<Px> = spans.iter().map(|&(x, top, _)| (x, top)).collect();
        points.extend(spans.iter().rev().map(|&(x, _, bottom)| (x, bottom)));
        simplify(&points)
    };
    let stripe = |x: i32| x.div_euclid(BAND_STRIPE);
    let color = |x: i32| colors[stripe(x).rem_euclid(colors.len() as i32) as usize].mix(alpha).filled();
    if c.bitmap {
        // One blended span per pixel column: every pixel blended exactly once.
        for (x, top, bottom) in band_spans(columns) {
            if bottom > top {
                c.rect((x, top), (x + 1, bottom), color(x))?;
            }
        }
    } else if colors.len() == 1 {
        c.root.draw(&Polygon::new(outline(columns), color(0))).map_err(draw_err)?;
    } else {
        // One polygon per stripe, reaching the next stripe's first column so that
        // neighbours meet.
        let spans = band_spans(columns);
        let mut start = 0;
        while start < spans.len() {
            let mut end = start + 1;
            while end < spans.len() && stripe(spans[end].0) == stripe(spans[start].0) {
                end += 1;
            }
            let piece = &spans[start..(end + 1).min(spans.len())];
            if piece.iter().any(|&(_, top, bottom)| bottom > top) {
                c.root.draw(&Polygon::new(outline(piece), color(spans[start].0))).map_err(draw_err)?;
            }
            start = end;
        }
    }
    Ok(())
}
