//! The error of drawing a chart, and plotters' errors turned into it.

/// An error while drawing a chart.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// The embedded font could not be registered.
    #[error("chart: the embedded font DejaVuSans.ttf is not a valid font file; rebuild lyncsim from an intact source tree")]
    Font,
    /// The drawing backend failed.
    #[error("chart: drawing failed: {0}")]
    Draw(String),
    /// The input's series disagree (their lengths differ).
    #[error("chart: inconsistent input: {0}")]
    Input(String),
}

/// A plotters (or PNG encoder) error as a [`ChartError::Draw`].
pub(crate) fn draw_err<E: std::fmt::Display>(e: E) -> ChartError {
    ChartError::Draw(e.to_string())
}
