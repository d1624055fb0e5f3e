//! Every colour of the charts, in one place: the greys of text, grid and frames; the colours
//! of the features, client states and event markers of the availability chart; the scenario
//! colours of the overlay chart and the line colours of the sweep chart; the opacity of a
//! p05–p95 band. Lines take the Okabe-Ito colours first (told apart with the common
//! colour-vision deficiencies).

use plotters::style::RGBColor;

use crate::model::{ClientState, Feature, LogKind};

/// Titles, labels and legend text.
pub(crate) const INK: RGBColor = RGBColor(0x21, 0x21, 0x21);
/// Subtitles, tick labels, notes.
pub(crate) const MUTED: RGBColor = RGBColor(0x61, 0x61, 0x61);
/// Grid lines.
pub(crate) const GRID: RGBColor = RGBColor(0xE4, 0xE4, 0xE4);
/// Axis lines.
pub(crate) const AXIS: RGBColor = RGBColor(0x75, 0x75, 0x75);
/// Legend box frames.
pub(crate) const FRAME: RGBColor = RGBColor(0xC8, 0xC8, 0xC8);
/// Light grid lines of the sweep charts (plotters' own mesh).
pub(crate) const SWEEP_GRID: RGBColor = RGBColor(0xEE, 0xEE, 0xEE);
/// Border of the sweep charts' legend box.
pub(crate) const SWEEP_LEGEND_BORDER: RGBColor = RGBColor(0xBB, 0xBB, 0xBB);

/// Okabe-Ito blue.
const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
/// Okabe-Ito orange.
const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
/// Okabe-Ito bluish green.
const BLUISH_GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
/// Okabe-Ito reddish purple.
const REDDISH_PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
/// Okabe-Ito sky blue.
const SKY_BLUE: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
/// Okabe-Ito vermillion.
const VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
/// Okabe-Ito black.
const BLACK: RGBColor = RGBColor(0x00, 0x00, 0x00);

/// Line colour of a feature (Okabe-Ito, yellow replaced).
pub(crate) fn feature_color(feature: Feature) -> RGBColor {
    match feature {
        Feature::Im => BLUE,
        Feature::Presence => ORANGE,
        Feature::Contacts => BLUISH_GREEN,
        Feature::Voice => REDDISH_PURPLE,
        Feature::Pstn => RGBColor(0x8C, 0x51, 0x0A), // brown
        Feature::Conferencing => SKY_BLUE,
        Feature::CallForwardingChanges => VERMILLION,
        Feature::ResponseGroups => RGBColor(0x6A, 0x3D, 0x9A), // purple
        Feature::CallPark => RGBColor(0x33, 0x33, 0x33),       // near black
    }
}

/// Fill of a client state.
pub(crate) fn state_color(state: ClientState) -> RGBColor {
    match state {
        ClientState::Full => RGBColor(0x8C, 0xC6, 0x8C),       // green
        ClientState::Resiliency => RGBColor(0xF4, 0xC4, 0x4E), // amber
        ClientState::FailedOver => RGBColor(0x74, 0xA9, 0xCF), // blue
        ClientState::SigningIn => RGBColor(0xB9, 0xA3, 0xD6),  // lavender
        ClientState::Offline => RGBColor(0xE0, 0x6C, 0x6C),    // red
    }
}

/// Log kinds drawn as markers, with their colours (Hydrate and Warning are not drawn).
pub(crate) const MARKER_KINDS: [(LogKind, RGBColor); 7] = [
    (LogKind::Fault, RGBColor(0xC6, 0x28, 0x28)),
    (LogKind::Repair, RGBColor(0x2E, 0x7D, 0x32)),
    (LogKind::Admin, RGBColor(0x15, 0x65, 0xC0)),
    (LogKind::AdminError, RGBColor(0xEF, 0x6C, 0x00)),
    (LogKind::PoolState, RGBColor(0x6A, 0x1B, 0x9A)),
    (LogKind::RegistrarPoll, RGBColor(0x79, 0x55, 0x48)),
    (LogKind::Service, RGBColor(0x54, 0x6E, 0x7A)),
];

/// The colour of a marker of `kind`; `None` for kinds that are not drawn.
pub(crate) fn marker_color(kind: LogKind) -> Option<RGBColor> {
    MARKER_KINDS.iter().find(|(k, _)| *k == kind).map(|(_, c)| *c)
}

/// Scenario colours of the overlay chart, in the order scenarios get them: Okabe-Ito's blue,
/// vermillion, bluish green, reddish purple, orange and sky blue, then Paul Tol's indigo,
/// olive and wine, and a dark grey. After the tenth scenario they repeat, dashed.
pub(crate) const SCENARIO_COLORS: [RGBColor; 10] = [
    BLUE,
    VERMILLION,
    BLUISH_GREEN,
    REDDISH_PURPLE,
    ORANGE,
    SKY_BLUE,
    RGBColor(0x33, 0x22, 0x88), // indigo
    RGBColor(0x99, 0x99, 0x33), // olive
    RGBColor(0x88, 0x22, 0x55), // wine
    RGBColor(0x4D, 0x4D, 0x4D), // dark grey
];

/// Line colours of the sweep chart, cycled: Okabe-Ito.
pub(crate) const SWEEP_COLORS: [RGBColor; 7] =
    [BLUE, VERMILLION, BLUISH_GREEN, REDDISH_PURPLE, SKY_BLUE, ORANGE, BLACK];

/// Opacity of a feature's p05–p95 band: light, so overlapping bands stay readable.
pub(crate) const BAND_ALPHA: f64 = 0.18;

/// The size charts (`lyncsim size`): the metric's line through the probes.
pub(crate) const SIZE_LINE: RGBColor = BLUE;
/// A probe that meets every target.
pub(crate) const SIZE_MEETS: RGBColor = BLUISH_GREEN;
/// A probe that fails a target.
pub(crate) const SIZE_FAILS: RGBColor = VERMILLION;
/// The target, a horizontal line.
pub(crate) const SIZE_TARGET: RGBColor = BLACK;
