//! Legend boxes beside the plot: a white box with a frame and a title, and labels cut to the
//! room they have.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::Canvas;
use super::error::ChartError;
use super::font::Metrics;
use super::geometry::Px;
use super::palette::{FRAME, INK};

/// A legend box from `top_left` to `bottom_right`: white, framed, its title `title_top`
/// pixels below its top edge.
pub(crate) fn frame<DB: DrawingBackend>(
    c: &Canvas<DB>,
    top_left: Px,
    bottom_right: Px,
    title: &str,
    title_top: i32,
) -> Result<(), ChartError> {
    c.rect(top_left, bottom_right, WHITE.filled())?;
    c.rect(top_left, bottom_right, FRAME.stroke_width(1))?;
    c.text(title, (top_left.0 + 12, top_left.1 + title_top), 14.0, &INK, HPos::Left, VPos::Top)
}

/// `text` cut with an ellipsis to at most `room` pixels at `size`.
pub(crate) fn fit(metrics: &Metrics, text: &str, size: f64, room: f64) -> String {
    if metrics.width(text, size) <= room {
        return text.to_string();
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let cut: String = chars.iter().chain(['…'].iter()).collect();
        if metrics.width(&cut, size) <= room {
            return cut;
        }
    }
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::chart::font::ensure_font;

    #[test]
    fn long_labels_are_cut_to_the_room() {
        let metrics = ensure_font().unwrap();
        let long = "a-scenario-name-far-too-long-for-the-legend-column-of-the-chart";
        let cut = fit(metrics, long, 13.0, 200.0);
        assert!(cut.ends_with('…') && metrics.width(&cut, 13.0) <= 200.0, "{cut}");
        assert_eq!(fit(metrics, "short", 13.0, 200.0), "short");
        assert_eq!(fit(metrics, "short", 13.0, 1.0), "");
    }
}
