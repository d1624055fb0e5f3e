//! Availability charts: `availability.svg` and `availability.png`.
//!
//! One picture, two panels sharing the time axis. The top panel shows, per feature, the
//! percentage of users that have it; the bottom panel stacks the users in each client state.
//! Faults, repairs, administrator steps, PoolState changes, registrar polls and service
//! changes are dashed vertical markers across both panels (one per pixel column; solid and
//! faint when there are too many for dashes, see [`MAX_DASHED_MARKERS`]). At most
//! [`MAX_LABELLED_MARKERS`] of them get a badge above the top panel, explained in the events
//! key on the right: the most important classes across the whole run first (see
//! `label_rank`), the earlier first within a class, numbered in time order.
//!
//! Every series is reduced to at most two points per pixel column (its extremes there, in
//! time order) before it is drawn, so the SVG stays small however long the run.
//!
//! Lines that coincide (im and voice often do, and so do the features that need the home
//! pool) are drawn as one striped line cycling through the colours of the features that
//! share it, wherever and for as long as they share it, so no feature hides another.
//!
//! A replicated (Monte Carlo) chart, from a [`ChartInput`] with `replications > 1`, draws
//! the mean of each feature as its line over a translucent p05–p95 band in the feature's
//! colour (reduced per pixel column like the lines: the lowest p05 and highest p95 there;
//! a band several features share is striped in their colours), stacks the mean client
//! states, and names the replication count in the title and the legend. A single run
//! ([`ChartInput::from_run`]) is drawn exactly as it always was.
//!
//! Determinism: text is measured and rasterised with DejaVu Sans embedded in the binary
//! (never a system font), the PNG carries no timestamp, and nothing iterates a hash map, so
//! the same result gives the same bytes on every machine.
//!
//! The charts are drawn with a small toolkit shared with the overlay ([`super::overlay`]),
//! sweep ([`super::sweep`]) and distribution ([`super::distribution`]) charts: `canvas` (the page, its set-up and text setting), `axis`
//! (time units, panels, ticks), `lines` (striped lines and bands), `geometry` (polylines in
//! pixels), `legend`, `palette` (every colour), `font` (the embedded font and its metrics);
//! `markers` and `availability` are this chart's own.

mod availability;
pub(crate) mod axis;
pub(crate) mod canvas;
pub(crate) mod error;
pub(crate) mod font;
pub(crate) mod geometry;
pub(crate) mod legend;
pub(crate) mod lines;
pub(crate) mod markers;
pub(crate) mod palette;
#[cfg(test)]
pub(crate) mod testing;

use availability::Prepared;
pub use availability::{ChartInput, HEIGHT, WIDTH};
pub use error::ChartError;
pub use markers::{MAX_DASHED_MARKERS, MAX_LABELLED_MARKERS, MAX_LABEL_CHARS};

use crate::stats::RunResult;

/// The chart of `input` as an SVG document.
pub fn svg(input: &ChartInput) -> Result<String, ChartError> {
    canvas::svg(&Prepared::new(input)?)
}

/// The chart of `input` as an encoded PNG file (8-bit RGB).
pub fn png(input: &ChartInput) -> Result<Vec<u8>, ChartError> {
    canvas::png(&Prepared::new(input)?)
}

/// The chart of a single run as an SVG document.
pub fn availability_svg(result: &RunResult) -> Result<String, ChartError> {
    svg(&ChartInput::from_run(result))
}

/// The chart of a single run as an encoded PNG file (8-bit RGB).
pub fn availability_png(result: &RunResult) -> Result<Vec<u8>, ChartError> {
    png(&ChartInput::from_run(result))
}
