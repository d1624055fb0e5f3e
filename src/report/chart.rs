//! Availability charts (SPEC 5.3): `availability.svg` and `availability.png`.
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
//! Determinism: text is measured and rasterised with DejaVu Sans embedded in the binary (never
//! a system font), the PNG carries no timestamp, and nothing iterates a hash map, so the same result gives the same bytes on
//! every machine.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, GlyphId};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::register_font;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::format::{group_digits, trim_number};
use crate::engine::SimTime;
use crate::model::{ClientState, Config, Feature, LogEntry, LogKind};
use crate::stats::RunResult;

/// Picture width, pixels.
pub const WIDTH: u32 = 1400;
/// Picture height, pixels.
pub const HEIGHT: u32 = 900;
/// At most this many markers get a badge and a line in the events key; the others are
/// drawn without.
pub const MAX_LABELLED_MARKERS: usize = 20;
/// Marker labels longer than this many characters are cut with an ellipsis (the compact
/// cmdlet and PoolState labels excepted).
pub const MAX_LABEL_CHARS: usize = 28;

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

/// What the chart draws, from one run or from many replications.
#[derive(Debug, Clone)]
pub struct ChartInput<'a> {
    /// The scenario (title = config.name, subtitle from pools/users/horizon as today).
    pub config: &'a Config,
    /// Number of replications summarised (1 = a single run, drawn exactly as today).
    pub replications: u32,
    /// Sample times, ascending, one per time-series row.
    pub times: Vec<SimTime>,
    /// Per row, users with each feature (Feature::ALL order); the mean over replications when replications > 1.
    pub features: Vec<[f64; 8]>,
    /// Per row and feature, (p05, p95) users over replications; None for a single run.
    pub band: Option<Vec<[(f64, f64); 8]>>,
    /// Per row, users in each client state (ClientState::ALL order); the mean when replicated.
    pub states: Vec<[f64; 5]>,
    /// Events drawn as markers (a single run's log); empty slice for replicated charts.
    pub log: &'a [LogEntry],
}

impl<'a> ChartInput<'a> {
    /// The chart input of a single run: its samples and its log, no band.
    pub fn from_run(result: &'a RunResult) -> Self {
        ChartInput {
            config: &result.config,
            replications: 1,
            times: result.samples().map(|s| s.time).collect(),
            features: result
                .samples()
                .map(|s| Feature::ALL.map(|f| result.users_with(&s, f) as f64))
                .collect(),
            band: None,
            states: result.samples().map(|s| ClientState::ALL.map(|c| s.users(c) as f64)).collect(),
            log: &result.log,
        }
    }
}

/// The chart of `input` as an SVG document.
pub fn svg(input: &ChartInput) -> Result<String, ChartError> {
    let metrics = ensure_font()?;
    let prepared = Prepared::new(input)?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        draw_chart(&Canvas { root: &root, metrics, bitmap: false }, &prepared)?;
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

/// The chart of `input` as an encoded PNG file (8-bit RGB).
pub fn png(input: &ChartInput) -> Result<Vec<u8>, ChartError> {
    let metrics = ensure_font()?;
    let prepared = Prepared::new(input)?;
    let mut rgb = vec![0u8; WIDTH as usize * HEIGHT as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (WIDTH, HEIGHT)).into_drawing_area();
        draw_chart(&Canvas { root: &root, metrics, bitmap: true }, &prepared)?;
        root.present().map_err(draw_err)?;
    }
    encode_png(WIDTH, HEIGHT, &rgb)
}

/// The chart of a single run as an SVG document.
pub fn availability_svg(result: &RunResult) -> Result<String, ChartError> {
    svg(&ChartInput::from_run(result))
}

/// The chart of a single run as an encoded PNG file (8-bit RGB).
pub fn availability_png(result: &RunResult) -> Result<Vec<u8>, ChartError> {
    png(&ChartInput::from_run(result))
}

// ---------------------------------------------------------------------------------------
// Font

/// Family name the embedded font is registered under; plotters asks for it by default.
const FONT: &str = "sans-serif";
static DEJAVU_SANS: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Register the embedded font with plotters (once per process) and read its metrics.
pub(crate) fn ensure_font() -> Result<&'static Metrics, ChartError> {
    static METRICS: OnceLock<Option<Metrics>> = OnceLock::new();
    METRICS
        .get_or_init(|| {
            register_font(FONT, FontStyle::Normal, DEJAVU_SANS).ok()?;
            Metrics::parse(DEJAVU_SANS)
        })
        .as_ref()
        .ok_or(ChartError::Font)
}

pub(crate) fn draw_err<E: std::fmt::Display>(e: E) -> ChartError {
    ChartError::Draw(e.to_string())
}

/// Horizontal metrics of the embedded font, read with `ab_glyph` (the crate plotters sets
/// text with).
///
/// plotters' ab_glyph text drops each glyph's left side bearing and truncates the pen to
/// whole pixels, so letters dance at small sizes ("presen ce"). On bitmaps this module sets
/// text itself, one glyph per plotters call at the position these metrics give; the
/// scale is ab_glyph's (pixel size / (ascender - descender)).
#[derive(Debug)]
pub(crate) struct Metrics {
    font: FontRef<'static>,
    /// Ascender minus descender, font units: the unit of ab_glyph's pixel size.
    height: f64,
}

impl Metrics {
    fn parse(data: &'static [u8]) -> Option<Self> {
        let font = FontRef::try_from_slice(data).ok()?;
        let height = f64::from(font.height_unscaled());
        (height > 0.0).then_some(Metrics { font, height })
    }

    /// The glyph of `c`. Characters beyond the Basic Multilingual Plane are measured as the
    /// missing glyph (0), as lyncsim's charts always have: their layout stays as it was.
    fn glyph(&self, c: char) -> GlyphId {
        if u32::from(c) > 0xFFFF {
            return GlyphId(0);
        }
        self.font.glyph_id(c)
    }

    /// Each character with its pen position and the whole-pixel offset of its outline's
    /// left edge, plus the string's width; pixels at `size`.
    fn layout(&self, text: &str, size: f64) -> (Vec<(char, f64, i32)>, f64) {
        let scale = size / self.height;
        let mut pen = 0.0;
        let mut prev = None;
        let mut out = Vec::with_capacity(text.len());
        for c in text.chars() {
            let g = self.glyph(c);
            if let Some(p) = prev {
                pen += f64::from(self.font.kern_unscaled(p, g)) * scale;
            }
            let lsb = f64::from(self.font.h_side_bearing_unscaled(g));
            out.push((c, pen, (lsb * scale).floor() as i32));
            pen += f64::from(self.font.h_advance_unscaled(g)) * scale;
            prev = Some(g);
        }
        (out, pen)
    }

    pub(crate) fn width(&self, text: &str, size: f64) -> f64 {
        self.layout(text, size).1
    }
}

// ---------------------------------------------------------------------------------------
// Palette

pub(crate) const INK: RGBColor = RGBColor(0x21, 0x21, 0x21);
pub(crate) const MUTED: RGBColor = RGBColor(0x61, 0x61, 0x61);
pub(crate) const GRID: RGBColor = RGBColor(0xE4, 0xE4, 0xE4);
pub(crate) const AXIS: RGBColor = RGBColor(0x75, 0x75, 0x75);
pub(crate) const FRAME: RGBColor = RGBColor(0xC8, 0xC8, 0xC8);

/// Line colour of each feature, in [`Feature::ALL`] order (Okabe-Ito, yellow replaced).
const FEATURE_COLORS: [RGBColor; 8] = [
    RGBColor(0x00, 0x72, 0xB2), // im: blue
    RGBColor(0xE6, 0x9F, 0x00), // presence: orange
    RGBColor(0x00, 0x9E, 0x73), // contacts: bluish green
    RGBColor(0xCC, 0x79, 0xA7), // voice: reddish purple
    RGBColor(0x56, 0xB4, 0xE9), // conferencing: sky blue
    RGBColor(0xD5, 0x5E, 0x00), // call_forwarding_changes: vermillion
    RGBColor(0x6A, 0x3D, 0x9A), // response_groups: purple
    RGBColor(0x33, 0x33, 0x33), // call_park: near black
];

/// Fill of each client state, in [`ClientState::ALL`] order.
const STATE_COLORS: [RGBColor; 5] = [
    RGBColor(0x8C, 0xC6, 0x8C), // full: green
    RGBColor(0xF4, 0xC4, 0x4E), // resiliency: amber
    RGBColor(0x74, 0xA9, 0xCF), // failed_over: blue
    RGBColor(0xB9, 0xA3, 0xD6), // signing_in: lavender
    RGBColor(0xE0, 0x6C, 0x6C), // offline: red
];

/// Log kinds drawn as markers, with their colours (Hydrate and Warning are not drawn).
const MARKER_KINDS: [(LogKind, RGBColor); 7] = [
    (LogKind::Fault, RGBColor(0xC6, 0x28, 0x28)),
    (LogKind::Repair, RGBColor(0x2E, 0x7D, 0x32)),
    (LogKind::Admin, RGBColor(0x15, 0x65, 0xC0)),
    (LogKind::AdminError, RGBColor(0xEF, 0x6C, 0x00)),
    (LogKind::PoolState, RGBColor(0x6A, 0x1B, 0x9A)),
    (LogKind::RegistrarPoll, RGBColor(0x79, 0x55, 0x48)),
    (LogKind::Service, RGBColor(0x54, 0x6E, 0x7A)),
];

fn marker_color(kind: LogKind) -> Option<RGBColor> {
    MARKER_KINDS.iter().find(|(k, _)| *k == kind).map(|(_, c)| *c)
}

// ---------------------------------------------------------------------------------------
// Data

/// The time unit of the x axis, chosen from the horizon.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TimeUnit {
    /// Its name on the axis: "days", "h", "min" or "s".
    pub(crate) name: &'static str,
    /// Milliseconds in one unit.
    pub(crate) ms: f64,
}

/// Milliseconds in a day.
const DAY_MS: u64 = 86_400_000;

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

/// A vertical marker; `badge` is its number in the events key, if it has one.
#[derive(Debug, Clone)]
struct Marker {
    x: f64,
    color: RGBColor,
    /// Its [`label_rank`]: which marker a shared pixel column shows.
    rank: u8,
    badge: Option<usize>,
    when: String,
    label: String,
}

/// The input reduced to what the chart draws.
#[derive(Debug, Clone)]
struct Prepared {
    title: String,
    subtitle: String,
    unit: TimeUnit,
    x_max: f64,
    total: u64,
    /// Replications summarised (1: a single run).
    replications: u32,
    /// Sample times in `unit`, every sample (the drawing thins them per pixel column).
    times: Vec<f64>,
    /// Users with each feature at each time (the mean when replicated).
    features: Vec<[f64; 8]>,
    /// (p05, p95) users with each feature at each time, when replicated.
    band: Option<Vec<[(f64, f64); 8]>>,
    /// Users in each client state at each time (the mean when replicated).
    states: Vec<[f64; 5]>,
    markers: Vec<Marker>,
    /// Value range of the top panel, percent: 0 to 100 with a margin, widened to any
    /// value or band outside it.
    y_range: (f64, f64),
}

/// The markers' subtitle text.
const MARKERS_TEXT: &str =
    "markers: faults, repairs, administrator steps, PoolState changes, registrar polls, service changes";

impl Prepared {
    fn new(input: &ChartInput) -> Result<Self, ChartError> {
        let rows = input.times.len();
        let mismatch =
            |what: &str, n: usize| ChartError::Input(format!("{rows} sample times but {n} rows of {what}"));
        if input.features.len() != rows {
            return Err(mismatch("features", input.features.len()));
        }
        if input.states.len() != rows {
            return Err(mismatch("client states", input.states.len()));
        }
        if let Some(band) = &input.band {
            if band.len() != rows {
                return Err(mismatch("bands", band.len()));
            }
        }
        let config = input.config;
        let horizon_ms = config.horizon.as_millis();
        let unit = TimeUnit::for_horizon(horizon_ms);
        let x_max = if horizon_ms == 0 { 1.0 } else { horizon_ms as f64 / unit.ms };
        let total = config.total_users();

        let mut features = input.features.clone();
        let mut states = input.states.clone();
        let mut band = input.band.clone();
        let mut times: Vec<f64> = input.times.iter().map(|t| t.as_millis() as f64 / unit.ms).collect();
        if times.len() == 1 {
            // One row: the state it records holds across the axis.
            times = vec![0.0, x_max];
            features.push(features[0]);
            states.push(states[0]);
            if let Some(band) = &mut band {
                band.push(band[0]);
            }
        }

        // The drawn entries in time order (stable: the log's order within a time).
        let mut drawn: Vec<(&LogEntry, RGBColor)> = input
            .log
            .iter()
            .filter(|e| e.time <= config.horizon)
            .filter_map(|e| Some((e, marker_color(e.kind)?)))
            .collect();
        drawn.sort_by_key(|(e, _)| e.time);
        let ranks: Vec<u8> = drawn.iter().map(|(e, _)| label_rank(e)).collect();
        let labelled = choose_labelled(&ranks);
        let mut badges = 0;
        let markers: Vec<Marker> = drawn
            .iter()
            .zip(labelled)
            .zip(ranks)
            .map(|((&(entry, color), chosen), rank)| {
                badges += usize::from(chosen);
                Marker {
                    x: entry.time.as_millis() as f64 / unit.ms,
                    color,
                    rank,
                    badge: chosen.then_some(badges),
                    when: clock(entry.time.as_millis(), horizon_ms),
                    label: marker_label(entry.kind, &entry.pool, &entry.detail),
                }
            })
            .collect();

        let pools = config.pools.len();
        let scope = format!(
            "{} users in {} pool{} over {}",
            group_digits(total),
            pools,
            if pools == 1 { "" } else { "s" },
            horizon_text(horizon_ms),
        );
        let (title, subtitle) = if input.replications > 1 {
            let n = group_digits(input.replications as u64);
            let mut subtitle = format!("{scope}; lines: mean of {n} replications");
            if band.is_some() {
                subtitle.push_str(", shaded: p05\u{2013}p95 across replications");
            }
            if !markers.is_empty() {
                subtitle.push_str("; ");
                subtitle.push_str(MARKERS_TEXT);
            }
            (format!("{} \u{2014} mean of {n} replications", config.name), subtitle)
        } else {
            (config.name.clone(), format!("{scope}; {MARKERS_TEXT}"))
        };

        let percent = |users: f64| if total == 0 { 0.0 } else { users * 100.0 / total as f64 };
        let (lo, hi) = features
            .iter()
            .flatten()
            .copied()
            .chain(band.iter().flatten().flatten().flat_map(|&(lo, hi)| [lo, hi]))
            .map(percent)
            .filter(|v| v.is_finite())
            .fold((0.0_f64, 100.0_f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let lo_seen = features
            .iter()
            .flatten()
            .copied()
            .chain(band.iter().flatten().flatten().map(|&(lo, _)| lo))
            .map(percent)
            .filter(|v| v.is_finite())
            .fold(100.0_f64, f64::min);
        Ok(Prepared {
            title,
            subtitle,
            unit,
            x_max,
            total,
            replications: input.replications,
            times,
            features,
            band,
            states,
            markers,
            y_range: if input.replications > 1 { zoomed(lo_seen, hi) } else { (lo - 2.5, hi + 2.5) },
        })
    }

    fn percent(&self, users: f64) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            users * 100.0 / self.total as f64
        }
    }
}

/// When an event happened, for the events key: "d52 06:55" (day from 0, then hh:mm) on
/// horizons of a day or more, `h:mm:ss` on shorter ones, seconds with a decimal on horizons
/// under two minutes.
fn clock(ms: u64, horizon_ms: u64) -> String {
    if horizon_ms < 2 * 60_000 {
        return format!("{:.1} s", ms as f64 / 1000.0);
    }
    let s = ms / 1000;
    if horizon_ms >= DAY_MS {
        return format!("d{} {:02}:{:02}", s / 86_400, s / 3600 % 24, s / 60 % 60);
    }
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

fn horizon_text(ms: u64) -> String {
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

/// The label priority class of a marker, most important first:
///
/// 0. faults and repairs;
/// 1. failed cmdlets (`AdminError`);
/// 2. the start of `Invoke-CsPoolFailover`/`Invoke-CsPoolFailback`, and `Import-*`;
/// 3. PoolState changes and the completion of `Invoke-CsPool*`;
/// 4. other cmdlet invocations: `Invoke-*` steps, `... -PoolState ...`;
/// 5. registrar polls;
/// 6. service changes that are not a cmdlet's step ("backup registrar accepts users ...");
/// 7. service cmdlets (`Stop-CsWindowsService ...`);
/// 8. the other steps (routine ones such as `Get-CsRegistrarConfiguration`, `Backup-CsPool`).
fn label_rank(entry: &LogEntry) -> u8 {
    let detail = entry.detail.as_str();
    // A cmdlet's step names the cmdlet first: `Verb-CsNoun ...`.
    let cmdlet_step = detail.split_whitespace().next().is_some_and(|w| w.contains("-Cs"));
    let pool_cmdlet =
        detail.starts_with("Invoke-CsPoolFailover") || detail.starts_with("Invoke-CsPoolFailback");
    match entry.kind {
        LogKind::Fault | LogKind::Repair => 0,
        LogKind::AdminError => 1,
        LogKind::Admin if pool_cmdlet && detail.ends_with(" completed") => 3,
        LogKind::Admin if pool_cmdlet || detail.starts_with("Import-") => 2,
        LogKind::PoolState => 3,
        LogKind::Admin if detail.starts_with("Invoke-") || detail.contains("-PoolState") => 4,
        LogKind::RegistrarPoll => 5,
        LogKind::Service if cmdlet_step => 7,
        LogKind::Service => 6,
        _ => 8,
    }
}

/// Which markers (ranks in time order) get a label: the most important classes across the
/// whole run first, the earlier first within a class, at most [`MAX_LABELLED_MARKERS`].
fn choose_labelled(ranks: &[u8]) -> Vec<bool> {
    let mut order: Vec<usize> = (0..ranks.len()).collect();
    order.sort_by_key(|&i| (ranks[i], i));
    let mut chosen = vec![false; ranks.len()];
    for &i in order.iter().take(MAX_LABELLED_MARKERS) {
        chosen[i] = true;
    }
    chosen
}

/// A short label from a log entry. `Invoke-CsPoolFailover`/`Failback` lines keep the cmdlet
/// and its switches ("Invoke-CsPoolFailover -DisasterMode", "Invoke-CsPoolFailback
/// completed"), PoolState changes read "PoolState FailedOver lyncfe04"; otherwise the
/// detail, then the pool's host name unless the detail already names it, at most
/// [`MAX_LABEL_CHARS`] characters.
fn marker_label(kind: LogKind, pool: &str, detail: &str) -> String {
    let host = pool.split('.').next().unwrap_or("");
    if kind == LogKind::Admin
        && (detail.starts_with("Invoke-CsPoolFailover") || detail.starts_with("Invoke-CsPoolFailback"))
    {
        // Drop the pool (-PoolFqdn <fqdn>) and -Verbose; keep the cmdlet and its switches.
        let mut words = Vec::new();
        let mut it = detail.split_whitespace();
        while let Some(w) = it.next() {
            match w {
                "-PoolFqdn" => {
                    it.next();
                }
                "-Verbose" => {}
                _ => words.push(w),
            }
        }
        return words.join(" ");
    }
    if kind == LogKind::Admin && detail.contains("-PoolState ") {
        // "Set-CsRegistrarConfiguration -Identity '...' -PoolState FailedOver" by hand: the
        // state it sets is what matters.
        let state = detail.rsplit(' ').next().unwrap_or("");
        return format!("PoolState {state} set {host}");
    }
    if kind == LogKind::PoolState {
        return if host.is_empty() {
            format!("PoolState {detail}")
        } else {
            format!("PoolState {detail} {host}")
        };
    }
    let text = if host.is_empty() || detail.contains(host) {
        detail.to_string()
    } else if detail.is_empty() {
        host.to_string()
    } else {
        format!("{detail} {host}")
    };
    truncate(&text, MAX_LABEL_CHARS)
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
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
fn count_tick(v: f64) -> String {
    if v < 0.0 || v.fract().abs() > 1e-9 {
        String::new()
    } else {
        group_digits(v.round() as u64)
    }
}

// ---------------------------------------------------------------------------------------
// Layout

/// Width of the plotting column; the legends take the rest.
const LEFT_WIDTH: u32 = 1070;
/// Height of the title block.
const HEADER_HEIGHT: u32 = 58;
/// Space above the top plot for the marker badges.
const BADGE_STRIP: u32 = 34;
/// Share of the plotting height given to the top panel.
const TOP_SHARE: f64 = 0.60;
/// Width of the y tick labels and description.
const Y_LABEL_AREA: u32 = 72;

pub(crate) fn font(size: f64) -> FontDesc<'static> {
    FontDesc::new(FontFamily::Name(FONT), size, FontStyle::Normal)
}

fn text_style<'a>(size: f64, color: &'a RGBColor, h: HPos, v: VPos) -> TextStyle<'a> {
    TextStyle::from(font(size)).color(color).pos(Pos::new(h, v))
}

/// A point in backend pixels.
pub(crate) type Px = (i32, i32);

/// A panel: time against a value.
pub(crate) type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Where drawing goes, and how text is set. Everything is drawn on the root area in backend
/// pixels.
pub(crate) struct Canvas<'a, DB: DrawingBackend> {
    pub(crate) root: &'a DrawingArea<DB, Shift>,
    pub(crate) metrics: &'a Metrics,
    /// A bitmap: text is set glyph by glyph (SVG keeps whole strings for the viewer to set),
    /// and thick lines are cut at sharp turns, where plotters' polygon outline of a thick
    /// line would shoot a spike far off (an SVG viewer limits its miters itself).
    pub(crate) bitmap: bool,
}

impl<DB: DrawingBackend> Canvas<'_, DB> {
    pub(crate) fn path(&self, points: Vec<Px>, style: ShapeStyle) -> Result<(), ChartError> {
        self.root.draw(&PathElement::new(points, style)).map_err(draw_err)
    }

    /// A thick line (cut at sharp turns on bitmaps, see [`Canvas::bitmap`]).
    pub(crate) fn thick_path(&self, points: Vec<Px>, style: ShapeStyle) -> Result<(), ChartError> {
        if !self.bitmap {
            return self.path(points, style);
        }
        for piece in split_sharp(&points) {
            self.path(piece, style)?;
        }
        Ok(())
    }

    pub(crate) fn rect(&self, a: Px, b: Px, style: ShapeStyle) -> Result<(), ChartError> {
        self.root.draw(&Rectangle::new([a, b], style)).map_err(draw_err)
    }

    pub(crate) fn text_width(&self, text: &str, size: f64) -> i32 {
        self.metrics.width(text, size).ceil() as i32
    }

    /// Horizontal text anchored at `at`.
    pub(crate) fn text(
        &self,
        text: &str,
        at: Px,
        size: f64,
        color: &RGBColor,
        h: HPos,
        v: VPos,
    ) -> Result<(), ChartError> {
        if !self.bitmap {
            let style = text_style(size, color, h, v);
            return self.root.draw(&Text::new(text.to_string(), at, style)).map_err(draw_err);
        }
        let (glyphs, width) = self.metrics.layout(text, size);
        let origin = match h {
            HPos::Left => at.0 as f64,
            HPos::Center => at.0 as f64 - width / 2.0,
            HPos::Right => at.0 as f64 - width,
        };
        let style = text_style(size, color, HPos::Left, v);
        for (c, pen, left) in glyphs {
            if !c.is_whitespace() {
                let x = (origin + pen).round() as i32 + left;
                self.root.draw(&Text::new(c.to_string(), (x, at.1), style.clone())).map_err(draw_err)?;
            }
        }
        Ok(())
    }

    /// Text reading upwards, centred on `at`.
    pub(crate) fn text_up(&self, text: &str, at: Px, size: f64, color: &RGBColor) -> Result<(), ChartError> {
        if !self.bitmap {
            let style =
                text_style(size, color, HPos::Center, VPos::Center).transform(FontTransform::Rotate270);
            return self.root.draw(&Text::new(text.to_string(), at, style)).map_err(draw_err);
        }
        let (glyphs, width) = self.metrics.layout(text, size);
        let start = at.1 as f64 + width / 2.0;
        let style = text_style(size, color, HPos::Left, VPos::Center).transform(FontTransform::Rotate270);
        for (c, pen, left) in glyphs {
            if !c.is_whitespace() {
                let y = (start - pen).round() as i32 - left;
                self.root.draw(&Text::new(c.to_string(), (at.0, y), style.clone())).map_err(draw_err)?;
            }
        }
        Ok(())
    }
}

fn draw_chart<DB: DrawingBackend>(c: &Canvas<DB>, p: &Prepared) -> Result<(), ChartError> {
    let root = c.root;
    root.fill(&WHITE).map_err(draw_err)?;
    let (left, _) = root.split_horizontally(LEFT_WIDTH);

    // Title block.
    c.text(&p.title, (24, 12), 24.0, &INK, HPos::Left, VPos::Top)?;
    c.text(&p.subtitle, (25, 42), 13.0, &MUTED, HPos::Left, VPos::Top)?;

    let plots = left.margin(HEADER_HEIGHT, 8, 8, 0);
    let (_, plots_h) = plots.dim_in_pixel();
    let (top_area, bottom_area) = plots.split_vertically((plots_h as f64 * TOP_SHARE) as u32);
    let x_range = 0.0..p.x_max;

    // Top panel: percent of users per feature.
    let mut top = ChartBuilder::on(&top_area)
        .margin_top(BADGE_STRIP)
        .margin_right(12)
        .x_label_area_size(26)
        .y_label_area_size(Y_LABEL_AREA)
        .build_cartesian_2d(x_range.clone(), p.y_range.0..p.y_range.1)
        .map_err(draw_err)?;
    configure(&mut top, 11, &|v| trim_number(*v))?;
    let (top_x, top_y) = top.plotting_area().get_pixel_range();
    c.text_up("users with feature (%)", (top_x.start - 56, (top_y.start + top_y.end) / 2), 15.0, &INK)?;
    let marker_lines = marker_columns(&p.markers, |x| top.backend_coord(&(x, 0.0)).0);
    for &(x, color) in &marker_lines {
        draw_marker_line(c, x, top_y.start, top_y.end - 1, color, marker_lines.len())?;
    }
    draw_feature_bands(c, p, &top)?;
    draw_feature_lines(c, p, &top)?;
    draw_badges(c, p, &top, top_x.clone(), top_y.start)?;

    // Bottom panel: stacked client states.
    let y_max = if p.total == 0 { 1.0 } else { p.total as f64 * 1.04 };
    let mut bottom = ChartBuilder::on(&bottom_area)
        .margin_top(14)
        .margin_right(12)
        .x_label_area_size(48)
        .y_label_area_size(Y_LABEL_AREA)
        .build_cartesian_2d(x_range, 0.0..y_max)
        .map_err(draw_err)?;
    configure(&mut bottom, 6, &|v| count_tick(*v))?;
    let (bottom_x, bottom_y) = bottom.plotting_area().get_pixel_range();
    c.text_up("users", (bottom_x.start - 56, (bottom_y.start + bottom_y.end) / 2), 15.0, &INK)?;
    let x_desc = format!("time ({})", p.unit.name);
    c.text(
        &x_desc,
        ((bottom_x.start + bottom_x.end) / 2, bottom_y.end + 26),
        15.0,
        &INK,
        HPos::Center,
        VPos::Top,
    )?;
    draw_state_bands(c, p, &bottom)?;
    for &(x, color) in &marker_lines {
        draw_marker_line(c, x, bottom_y.start, bottom_y.end - 1, color, marker_lines.len())?;
    }

    draw_legends(c, p, (top_y.start, bottom_y.end))
}

/// Grid, axes and tick labels of a panel.
fn configure<DB: DrawingBackend>(
    chart: &mut Chart<DB>,
    y_labels: usize,
    y_format: &dyn Fn(&f64) -> String,
) -> Result<(), ChartError> {
    chart
        .configure_mesh()
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .axis_style(AXIS)
        .x_labels(13)
        .y_labels(y_labels)
        .label_style(font(13.0).color(&MUTED))
        .x_label_formatter(&|v| trim_number(*v))
        .y_label_formatter(y_format)
        .draw()
        .map_err(draw_err)
}

// ---------------------------------------------------------------------------------------
// Series and markers

/// Length of one colour's stripe in a shared line, pixels.
pub(crate) const STRIPE: f64 = 9.0;
/// Width of a feature line, pixels.
const LINE_WIDTH: u32 = 3;

/// At most this many stripes in all the shared lines together; beyond, stripes get longer
/// than [`STRIPE`] (only lines that zigzag through thousands of state changes need it).
pub(crate) const MAX_STRIPES: f64 = 3_000.0;

/// Draw the feature lines; where several coincide, one line striped in all their colours.
fn draw_feature_lines<DB: DrawingBackend>(
    c: &Canvas<DB>,
    p: &Prepared,
    chart: &Chart<DB>,
) -> Result<(), ChartError> {
    if p.times.len() < 2 {
        return Ok(());
    }
    // Each feature's line, at most two points per pixel column.
    let lines: Vec<Vec<Px>> = (0..8)
        .map(|f| {
            let points: Vec<Px> = p
                .times
                .iter()
                .zip(&p.features)
                .map(|(&t, row)| chart.backend_coord(&(t, p.percent(row[f]))))
                .collect();
            thin(&points)
        })
        .collect();
    let styles = FEATURE_COLORS.map(|color| LineStyle { color, dashed: false });
    draw_lines(c, &lines, &styles, LINE_WIDTH)
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

/// Opacity of a feature's p05–p95 band: light, so overlapping bands stay readable.
pub(crate) const BAND_ALPHA: f64 = 0.18;
/// Width of one colour's stripe in a band shared by several features, pixels.
const BAND_STRIPE: i32 = 8;

/// A band in one pixel column: (x, top y, bottom y), backend pixels.
pub(crate) type Span = (i32, i32, i32);

/// A band reduced to one span per pixel column: (x, top y, bottom y) in backend pixels,
/// left to right, the top the highest p95 in the column and the bottom the lowest p05.
/// `points` are (x, p05 y, p95 y) per row, left to right.
pub(crate) fn band_columns(points: impl IntoIterator<Item = Span>) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::new();
    for (x, a, b) in points {
        let (top, bottom) = (a.min(b), a.max(b));
        match out.last_mut() {
            Some(last) if last.0 == x => {
                last.1 = last.1.min(top);
                last.2 = last.2.max(bottom);
            }
            _ => out.push((x, top, bottom)),
        }
    }
    out
}

/// The spans of a band at every pixel column it crosses, interpolating linearly between
/// the columns that have rows (as the polygon outline does): (x, top y, bottom y).
fn band_spans(columns: &[Span]) -> Vec<Span> {
    let mut out = Vec::new();
    for w in columns.windows(2) {
        let ((x0, t0, b0), (x1, t1, b1)) = (w[0], w[1]);
        for x in x0..x1 {
            let f = (x - x0) as f64 / (x1 - x0) as f64;
            let at = |a: i32, b: i32| (a as f64 + (b - a) as f64 * f).round() as i32;
            out.push((x, at(t0, t1), at(b0, b1)));
        }
    }
    out.extend(columns.last().copied());
    out
}

/// The features' p05–p95 bands, translucent in each feature's colour, under the lines.
/// Features with the same band (im and voice often have) share one, striped in their
/// colours like a shared line, so coinciding bands do not add up to a darker one.
fn draw_feature_bands<DB: DrawingBackend>(
    c: &Canvas<DB>,
    p: &Prepared,
    chart: &Chart<DB>,
) -> Result<(), ChartError> {
    let Some(band) = &p.band else { return Ok(()) };
    if p.times.len() < 2 {
        return Ok(());
    }
    let mut groups: Vec<(Vec<usize>, Vec<Span>)> = Vec::new();
    for f in 0..8 {
        let columns = band_columns(p.times.iter().zip(band).map(|(&t, row)| {
            let (x, lo) = chart.backend_coord(&(t, p.percent(row[f].0)));
            let (_, hi) = chart.backend_coord(&(t, p.percent(row[f].1)));
            (x, lo, hi)
        }));
        match groups.iter_mut().find(|g| g.1 == columns) {
            Some(group) => group.0.push(f),
            None => groups.push((vec![f], columns)),
        }
    }
    for (members, columns) in groups {
        let colors: Vec<RGBColor> = members.iter().map(|&f| FEATURE_COLORS[f]).collect();
        draw_band(c, &colors, &columns, BAND_ALPHA)?;
    }
    Ok(())
}

/// A translucent band from its spans per pixel column ([`band_columns`]), in `colors`
/// mixed at `alpha`: a band several series share is striped, every [`BAND_STRIPE`] columns
/// the next colour, so coinciding bands do not add up to a darker one. A band without
/// width anywhere is not drawn.
pub(crate) fn draw_band<DB: DrawingBackend>(
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

/// A polyline reduced to at most two points per pixel column: where it is highest and where
/// it is lowest there (the first of each), in time order. `points` run left to right.
pub(crate) fn thin(points: &[Px]) -> Vec<Px> {
    let mut out: Vec<Px> = Vec::new();
    let mut start = 0;
    while start < points.len() {
        let x = points[start].0;
        let (mut lo, mut hi) = (start, start);
        let mut end = start + 1;
        while end < points.len() && points[end].0 == x {
            if points[end].1 < points[lo].1 {
                lo = end;
            }
            if points[end].1 > points[hi].1 {
                hi = end;
            }
            end += 1;
        }
        for i in [lo.min(hi), lo.max(hi)] {
            if out.last() != Some(&points[i]) {
                out.push(points[i]);
            }
        }
        start = end;
    }
    out
}

fn arc_length(points: &[Px]) -> f64 {
    points
        .windows(2)
        .map(|w| {
            let (dx, dy) = ((w[1].0 - w[0].0) as f64, (w[1].1 - w[0].1) as f64);
            (dx * dx + dy * dy).sqrt()
        })
        .sum()
}

/// A polyline cut at every vertex where it turns back by more than 120 degrees (the pieces
/// share that vertex). plotters outlines a thick line with mitred joins and caps only their
/// outer side, so the inner side of a sharp turn (a dip within a pixel column) would reach
/// far beyond the line: up through the top of the picture.
fn split_sharp(points: &[Px]) -> Vec<Vec<Px>> {
    let mut out = Vec::new();
    let mut current: Vec<Px> = Vec::with_capacity(points.len());
    for (i, &p) in points.iter().enumerate() {
        current.push(p);
        if let (Some(&a), Some(&b)) = (i.checked_sub(1).and_then(|j| points.get(j)), points.get(i + 1)) {
            let (u, v) = (((a.0 - p.0) as i64, (a.1 - p.1) as i64), ((b.0 - p.0) as i64, (b.1 - p.1) as i64));
            let dot = (u.0 * v.0 + u.1 * v.1) as f64;
            let lengths = (((u.0 * u.0 + u.1 * u.1) * (v.0 * v.0 + v.1 * v.1)) as f64).sqrt();
            // The angle between the two arms is under 60 degrees.
            if lengths > 0.0 && dot > 0.5 * lengths {
                out.push(std::mem::replace(&mut current, vec![p]));
            }
        }
    }
    out.push(current);
    out
}

/// A polyline without repeated points or vertices in the middle of a straight run (they
/// add bytes, and plotters draws a visible joint at each).
pub(crate) fn simplify(points: &[Px]) -> Vec<Px> {
    let mut out: Vec<Px> = Vec::with_capacity(points.len());
    for &p in points {
        if out.last() == Some(&p) {
            continue;
        }
        if let [.., a, b] = out[..] {
            let cross = (b.0 - a.0) as i64 * (p.1 - a.1) as i64 - (b.1 - a.1) as i64 * (p.0 - a.0) as i64;
            let forward = (b.0 - a.0) as i64 * (p.0 - b.0) as i64 + (b.1 - a.1) as i64 * (p.1 - b.1) as i64;
            if cross == 0 && forward >= 0 {
                out.pop();
            }
        }
        out.push(p);
    }
    out
}

/// Cut a polyline into stripes of `stripe_len` pixels cycling through `k` colours; returns
/// (colour index, piece).
fn stripes(points: &[Px], k: usize, stripe_len: f64) -> Vec<(usize, Vec<Px>)> {
    let mut out: Vec<(usize, Vec<Px>)> = Vec::new();
    if points.is_empty() || k == 0 {
        return out;
    }
    let mut s = 0.0_f64; // arc length at the current vertex
    let mut stripe = 1; // index of the next stripe
    let mut current: (usize, Vec<Px>) = (0, vec![points[0]]);
    for w in points.windows(2) {
        let (a, b) = (w[0], w[1]);
        let (dx, dy) = ((b.0 - a.0) as f64, (b.1 - a.1) as f64);
        let len = (dx * dx + dy * dy).sqrt();
        // Cut at every stripe boundary inside this segment.
        while (stripe as f64 * stripe_len) - s < len {
            let t = (stripe as f64 * stripe_len - s) / len;
            let cut = ((a.0 as f64 + dx * t).round() as i32, (a.1 as f64 + dy * t).round() as i32);
            current.1.push(cut);
            out.push(std::mem::replace(&mut current, (stripe % k, vec![cut])));
            stripe += 1;
        }
        current.1.push(b);
        s += len;
    }
    out.push(current);
    for piece in &mut out {
        piece.1.dedup();
        if piece.1.len() == 1 {
            let only = piece.1[0];
            piece.1.push(only);
        }
    }
    out
}

/// With more marker columns than this, marker lines are solid and faint instead of dashed
/// (a dashed line is dozens of SVG elements; thousands of them made files of megabytes).
pub const MAX_DASHED_MARKERS: usize = 100;

/// The pixel columns that have markers, left to right, each with the colour of its most
/// important marker (the earliest among equals): one line per column whatever the number
/// of markers in it.
fn marker_columns(markers: &[Marker], to_px: impl Fn(f64) -> i32) -> Vec<(i32, RGBColor)> {
    let mut columns: Vec<(i32, u8, usize, RGBColor)> =
        markers.iter().enumerate().map(|(i, m)| (to_px(m.x), m.rank, i, m.color)).collect();
    columns.sort_by_key(|&(x, rank, i, _)| (x, rank, i));
    columns.dedup_by_key(|c| c.0);
    columns.into_iter().map(|(x, _, _, color)| (x, color)).collect()
}

/// A marker's vertical line from `y0` to `y1`: thin and dashed, or solid and faint when
/// there are more than [`MAX_DASHED_MARKERS`] of them (`count`).
fn draw_marker_line<DB: DrawingBackend>(
    c: &Canvas<DB>,
    x: i32,
    y0: i32,
    y1: i32,
    color: RGBColor,
    count: usize,
) -> Result<(), ChartError> {
    if count > MAX_DASHED_MARKERS {
        return c.path(vec![(x, y0), (x, y1)], color.mix(0.3).stroke_width(1));
    }
    let style = color.mix(0.8).stroke_width(1);
    let mut y = y0;
    while y < y1 {
        c.path(vec![(x, y), (x, (y + 5).min(y1))], style)?;
        y += 9;
    }
    Ok(())
}

const BADGE_TEXT: f64 = 11.0;
const BADGE_HEIGHT: i32 = 15;

fn badge_width<DB: DrawingBackend>(c: &Canvas<DB>, number: usize) -> i32 {
    c.text_width(&number.to_string(), BADGE_TEXT).max(7) + 8
}

/// A filled badge with a white number, top-left at `at`.
fn draw_badge<DB: DrawingBackend>(
    c: &Canvas<DB>,
    at: Px,
    number: usize,
    color: RGBColor,
) -> Result<(), ChartError> {
    let w = badge_width(c, number);
    c.rect(at, (at.0 + w, at.1 + BADGE_HEIGHT), color.filled())?;
    let centre = (at.0 + w / 2, at.1 + BADGE_HEIGHT / 2 + 1);
    c.text(&number.to_string(), centre, BADGE_TEXT, &WHITE, HPos::Center, VPos::Center)
}

/// Numbered badges above the top plot, spread so they never overlap, each with a leader to
/// its marker.
fn draw_badges<DB: DrawingBackend>(
    c: &Canvas<DB>,
    p: &Prepared,
    chart: &Chart<DB>,
    px_x: std::ops::Range<i32>,
    plot_top: i32,
) -> Result<(), ChartError> {
    let gap = 3;
    // (marker x, width, marker)
    let mut badges: Vec<(i32, i32, &Marker)> = p
        .markers
        .iter()
        .filter_map(|m| Some((chart.backend_coord(&(m.x, 0.0)).0, badge_width(c, m.badge?), m)))
        .collect();
    badges.sort_by_key(|b| (b.0, b.2.badge));
    // Forward: where wanted or right of the previous badge; backward: inside the plot.
    let mut lefts: Vec<i32> = Vec::with_capacity(badges.len());
    for (i, &(x, w, _)) in badges.iter().enumerate() {
        let want = x - w / 2;
        lefts.push(if i == 0 { want } else { want.max(lefts[i - 1] + badges[i - 1].1 + gap) });
    }
    for i in (0..badges.len()).rev() {
        let limit = if i + 1 < badges.len() { lefts[i + 1] - gap } else { px_x.end + 10 };
        lefts[i] = lefts[i].min(limit - badges[i].1);
    }
    let top = plot_top - BADGE_STRIP as i32 + 6;
    let bottom = top + BADGE_HEIGHT;
    for (&(x, w, m), &left) in badges.iter().zip(&lefts) {
        let centre = left + w / 2;
        c.path(
            vec![(centre, bottom), (centre, bottom + 4), (x, plot_top)],
            m.color.mix(0.8).stroke_width(1),
        )?;
        draw_badge(c, (left, top), m.badge.unwrap_or(0), m.color)?;
    }
    Ok(())
}

/// The stacked client-state bands of the bottom panel.
fn draw_state_bands<DB: DrawingBackend>(
    c: &Canvas<DB>,
    p: &Prepared,
    chart: &Chart<DB>,
) -> Result<(), ChartError> {
    if p.times.len() < 2 {
        return Ok(());
    }
    // Each boundary between bands at most two points per pixel column; neighbouring bands
    // share it, so they meet without a gap.
    let mut lower = vec![0.0_f64; p.times.len()];
    let edge = |values: &[f64]| -> Vec<Px> {
        let points: Vec<Px> =
            p.times.iter().zip(values).map(|(&t, &v)| chart.backend_coord(&(t, v))).collect();
        thin(&points)
    };
    let mut lower_edge = edge(&lower);
    for (k, color) in STATE_COLORS.iter().enumerate() {
        let upper: Vec<f64> = lower.iter().zip(&p.states).map(|(l, row)| l + row[k]).collect();
        if upper != lower {
            let top_edge = edge(&upper);
            let mut outline = top_edge.clone();
            outline.extend(lower_edge.iter().rev());
            let outline = simplify(&outline);
            c.root.draw(&Polygon::new(outline, color.filled())).map_err(draw_err)?;
            c.path(simplify(&top_edge), WHITE.mix(0.9).stroke_width(1))?;
            lower_edge = top_edge;
        }
        lower = upper;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Legends

const LEGEND_ROW: i32 = 18;
const KEY_ROW: i32 = 16;
const BOX_HEADER: i32 = 28;

/// The legend column: features, events key, client states.
fn draw_legends<DB: DrawingBackend>(
    c: &Canvas<DB>,
    p: &Prepared,
    (top, bottom): (i32, i32),
) -> Result<(), ChartError> {
    let x0 = LEFT_WIDTH as i32 + 4;
    let x1 = WIDTH as i32 - 14;
    let frame = |y0: i32, y1: i32, title: &str| -> Result<(), ChartError> {
        c.rect((x0, y0), (x1, y1), WHITE.filled())?;
        c.rect((x0, y0), (x1, y1), FRAME.stroke_width(1))?;
        c.text(title, (x0 + 12, y0 + 8), 14.0, &INK, HPos::Left, VPos::Top)
    };

    // Features, top-aligned with the top plot; one more row for the band, if any.
    let replicated = p.replications > 1;
    let rows = 8 + i32::from(p.band.is_some());
    let features_bottom = top + BOX_HEADER + LEGEND_ROW * rows + 20;
    frame(
        top,
        features_bottom,
        if replicated { "Features (mean % of users)" } else { "Features (% of users)" },
    )?;
    for (i, f) in Feature::ALL.iter().enumerate() {
        let y = top + BOX_HEADER + LEGEND_ROW * i as i32 + LEGEND_ROW / 2;
        c.path(vec![(x0 + 12, y), (x0 + 42, y)], FEATURE_COLORS[i].stroke_width(LINE_WIDTH))?;
        c.text(f.column(), (x0 + 52, y), 13.0, &INK, HPos::Left, VPos::Center)?;
    }
    if p.band.is_some() {
        let y = top + BOX_HEADER + LEGEND_ROW * 8 + LEGEND_ROW / 2;
        c.rect((x0 + 12, y - 7), (x0 + 42, y + 7), MUTED.mix(BAND_ALPHA * 1.5).filled())?;
        let n = p.replications;
        let text = format!(
            "shaded: p05\u{2013}p95 of {} replication{}",
            group_digits(n as u64),
            if n == 1 { "" } else { "s" }
        );
        c.text(&text, (x0 + 52, y), 13.0, &INK, HPos::Left, VPos::Center)?;
    }
    let note_y = features_bottom - 17;
    c.text("striped where features coincide", (x0 + 12, note_y), 11.0, &MUTED, HPos::Left, VPos::Top)?;

    // Client states, bottom-aligned with the bottom plot, listed as stacked.
    let states_top = bottom - (BOX_HEADER + LEGEND_ROW * 5 + 4);
    frame(
        states_top,
        bottom,
        if replicated { "Client states (mean users)" } else { "Client states (users)" },
    )?;
    for (i, s) in ClientState::ALL.iter().enumerate() {
        let y = states_top + BOX_HEADER + LEGEND_ROW * (4 - i as i32) + LEGEND_ROW / 2;
        c.rect((x0 + 12, y - 6), (x0 + 42, y + 6), STATE_COLORS[i].filled())?;
        c.text(s.column(), (x0 + 52, y), 13.0, &INK, HPos::Left, VPos::Center)?;
    }

    // Events key in between: numbered rows, then the marker colours.
    let events_top = features_bottom + 10;
    let mut kinds: Vec<(i32, &str, RGBColor)> = Vec::new(); // (row, name, colour)
    let (mut kx, mut krow) = (x0 + 12, 0);
    for (kind, color) in MARKER_KINDS {
        if p.markers.iter().any(|m| m.color == color) {
            let w = 14 + c.text_width(kind.name(), 11.0) + 10;
            if kx + w > x1 - 4 {
                kx = x0 + 12;
                krow += 1;
            }
            kinds.push((krow, kind.name(), color));
            kx += w;
        }
    }
    let numbered: Vec<&Marker> = p.markers.iter().filter(|m| m.badge.is_some()).collect();
    let rows = (numbered.len() + usize::from(p.markers.len() > numbered.len())).max(1) as i32;
    let kinds_height = if kinds.is_empty() { 0 } else { 15 * (krow + 1) + 8 };
    let wanted = events_top + BOX_HEADER + rows * KEY_ROW + kinds_height + 8;
    let events_bottom = wanted.min(states_top - 10);
    frame(events_top, events_bottom, "Events")?;
    let kinds_top = events_bottom - kinds_height;
    let mut y = events_top + BOX_HEADER;
    if p.markers.is_empty() {
        // A replicated chart draws no events: each replication has its own.
        let none = if replicated { "none drawn: each replication has its own" } else { "none" };
        c.text(none, (x0 + 12, y + BADGE_HEIGHT / 2 + 1), 12.0, &MUTED, HPos::Left, VPos::Center)?;
    }
    let time_w = numbered.iter().map(|m| c.text_width(&m.when, 12.0)).max().unwrap_or(0);
    let room = ((kinds_top - 4 - y) / KEY_ROW).max(0) as usize;
    let more = p.markers.len() - numbered.len();
    let (shown, more) = if numbered.len() + usize::from(more > 0) <= room {
        (numbered.len(), more)
    } else {
        let shown = room.saturating_sub(1);
        (shown, p.markers.len() - shown)
    };
    for m in &numbered[..shown] {
        draw_badge(c, (x0 + 12, y), m.badge.unwrap_or(0), m.color)?;
        let mid = y + BADGE_HEIGHT / 2 + 1;
        c.text(&m.when, (x0 + 42, mid), 12.0, &MUTED, HPos::Left, VPos::Center)?;
        c.text(&m.label, (x0 + 42 + time_w + 10, mid), 12.0, &INK, HPos::Left, VPos::Center)?;
        y += KEY_ROW;
    }
    if more > 0 {
        let text = format!("and {more} more (see events.csv)");
        c.text(&text, (x0 + 12, y + BADGE_HEIGHT / 2 + 1), 12.0, &MUTED, HPos::Left, VPos::Center)?;
    }
    let mut kx = x0 + 12;
    let mut last_row = 0;
    for (row, name, color) in kinds {
        if row != last_row {
            kx = x0 + 12;
            last_row = row;
        }
        let ky = kinds_top + 15 * row + 7;
        c.rect((kx, ky - 5), (kx + 9, ky + 4), color.filled())?;
        c.text(name, (kx + 14, ky), 11.0, &MUTED, HPos::Left, VPos::Center)?;
        kx += 14 + c.text_width(name, 11.0) + 10;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// PNG encoding

/// Encode 8-bit RGB pixels, row-major, as a PNG file (the `png` crate; no timestamps or
/// other ancillary chunks, so the bytes depend only on the pixels).
pub(crate) fn encode_png(width: u32, height: u32, rgb: &[u8]) -> Result<Vec<u8>, ChartError> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Best);
    let mut writer = encoder.write_header().map_err(|e| ChartError::Draw(format!("png: {e}")))?;
    writer.write_image_data(rgb).map_err(|e| ChartError::Draw(format!("png: {e}")))?;
    writer.finish().map_err(|e| ChartError::Draw(format!("png: {e}")))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::engine::SimTime;
    use crate::model::{
        BackEnd, BackupServiceConfig, ClientsConfig, Config, Delay, Edition, FeatureMatrix, LogEntry,
        PoolConfig, PoolId, Product, SiteConfig, SiteId, TimingConfig,
    };
    use crate::stats::{Sample, Series};

    fn config(name: &str, users: [u32; 2], horizon: SimTime, sample_every: SimTime) -> Config {
        let pool = |fqdn: &str, site: u32, users: u32, backup: u32| PoolConfig {
            fqdn: fqdn.to_string(),
            site: SiteId(site),
            edition: Edition::Enterprise,
            front_ends: 3,
            back_end: BackEnd::Single,
            users,
            routing_groups: 3,
            backup: Some(PoolId(backup)),
            voice_failover: None,
            registrations_per_sec: 50.0,
            registrar: None,
            users_site: SiteId(site),
        };
        let d = Delay::secs(60);
        Config {
            name: name.to_string(),
            description: String::new(),
            product: Product::Lync2013,
            seed: 1,
            horizon,
            sample_every,
            replications: 1,
            sites: vec![SiteConfig { name: "a".into() }, SiteConfig { name: "b".into() }],
            pools: vec![
                pool("lyncfe04.thelab.info", 0, users[0], 1),
                pool("lyncfe03.thelab.info", 1, users[1], 0),
            ],
            backup_service: BackupServiceConfig {
                sync_interval: d,
                replicate_response_groups: false,
                changes_per_user_per_hour: 1.0,
                changes_per_sync: 1000.0,
            },
            timing: TimingConfig {
                registrar_poll_failed_pool: d,
                registrar_poll_backup_pool: d,
                backup_store_unavailable_threshold: d,
                cms_replication: d,
                steady_state_backup: None,
                full_backup: None,
                hydrate_per_routing_group: d,
                hydrate_per_user: d,
                quorum_loss_recovery: d,
                sql_mirror_failover: d,
                cms_failover: d,
                cmdlet_step: d,
            },
            clients: ClientsConfig {
                refresh: d,
                keepalive: d,
                retry: d,
                retry_max: d,
                retry_jitter: 0.1,
                batch: SimTime::ZERO,
            },
            features: FeatureMatrix::default(),
            events: Vec::new(),
            cms_pool: PoolId(0),
            failures: Vec::new(),
            administrator: None,
            scenario_sha256: String::new(),
            source: "".into(),
            file: String::new(),
        }
    }

    fn result(config: Config, samples: Vec<Sample>, log: Vec<LogEntry>) -> RunResult {
        RunResult {
            series: Series::from_rows(config.sample_every, samples),
            config: Arc::new(config),
            replication: 0,
            feature_user_ms: [0; 8],
            first_fault: None,
            restored_at: [None; 8],
            peak_resiliency_users: 0,
            peak_offline_users: 0,
            peak_signin_queue: 0,
            rpo_realized: None,
            failovers: Vec::new(),
            backup_status: Vec::new(),
            peak_users_per_front_end: Vec::new(),
            log,
            events_processed: 0,
        }
    }

    fn entry(secs: u64, kind: LogKind, pool: &str, detail: &str) -> LogEntry {
        LogEntry { time: SimTime::from_secs(secs), kind, pool: pool.to_string(), detail: detail.to_string() }
    }

    /// Samples of `demo`'s day: 2 × `half` users; one half goes offline at `down` s, starts
    /// signing in to the backup `delay` s later, over `ramp` s, and returns home from `up` s
    /// over `home` s.
    fn outage_samples(half: u32, down: u64, delay: f64, ramp: f64, up: u64, home: f64) -> Vec<Sample> {
        (0..=8 * 60)
            .map(|m: u64| {
                let t = m * 60;
                let (full_b, res, signing, off) = if t < down {
                    (half, 0, 0, 0)
                } else if t < up {
                    // Offline at once, then signing in to the backup.
                    let since = (t - down) as f64;
                    let back = ((since - delay) / ramp).clamp(0.0, 1.0);
                    let res = (half as f64 * back) as u32;
                    let signing = if since >= delay && back < 1.0 { (half - res) / 3 } else { 0 };
                    (0, res, signing, half - res - signing)
                } else {
                    // Home again, through the sign-in queue.
                    let since = (t - up) as f64;
                    let back = (since / home).clamp(0.0, 1.0);
                    let full = (half as f64 * back) as u32;
                    let signing = (half - full) / 4;
                    (full, half - full - signing, signing, 0)
                };
                Sample {
                    time: SimTime::from_secs(t),
                    by_state: [half + full_b, res, 0, signing, off],
                    failed_over_with_rgs: 0,
                    voice_without_mediation: 0,
                }
            })
            .collect()
    }

    /// Pool lyncfe04 (half the users) goes down at 1 h; its users drop offline, sign in to
    /// the backup registrar in resiliency mode over a few minutes, and return home after the
    /// repair at 5 h.
    fn demo() -> RunResult {
        let half = 6_000u32;
        let horizon = SimTime::from_secs(8 * 3600);
        let step = SimTime::from_secs(60);
        let samples = outage_samples(half, 3600, 120.0, 480.0, 5 * 3600, 360.0);
        let pool = "lyncfe04.thelab.info";
        let backup = "lyncfe03.thelab.info";
        let log = vec![
            entry(3600, LogKind::Fault, pool, "PoolDown"),
            entry(3600, LogKind::PoolState, pool, "Unavailable"),
            entry(3720, LogKind::Service, backup, "backup registrar accepting users"),
            entry(4500, LogKind::Admin, pool, "Invoke-CsPoolFailover"),
            entry(
                4500,
                LogKind::AdminError,
                pool,
                "Invoke-CsPoolFailover: pool is unreachable; use -DisasterMode",
            ),
            entry(18_000, LogKind::Repair, pool, "PoolUp"),
            entry(18_000, LogKind::PoolState, pool, "Active"),
            entry(18_060, LogKind::Service, backup, "redirecting users home"),
        ];
        result(config("pool-failure-lab", [half, half], horizon, step), samples, log)
    }

    #[test]
    fn svg_names_the_scenario_and_every_feature() {
        let svg = availability_svg(&demo()).unwrap();
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("pool-failure-lab"));
        for f in Feature::ALL {
            assert!(svg.contains(f.column()), "{}", f.column());
        }
        for s in ClientState::ALL {
            assert!(svg.contains(s.column()), "{}", s.column());
        }
        assert!(svg.contains("users with feature (%)"));
        assert!(svg.contains("time (h)"));
        assert!(svg.contains("PoolDown lyncfe04"));
    }

    #[test]
    fn png_has_the_signature_and_decodes_to_the_picture() {
        let png = availability_png(&demo()).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let (w, h, pixels) = decode(&png);
        assert_eq!((w, h), (WIDTH, HEIGHT));
        assert_eq!(pixels[..3], [255, 255, 255]); // white corner
    }

    #[test]
    fn same_input_gives_identical_bytes() {
        let r = demo();
        assert_eq!(availability_svg(&r).unwrap(), availability_svg(&r).unwrap());
        assert_eq!(availability_png(&r).unwrap(), availability_png(&r).unwrap());
    }

    #[test]
    fn edge_cases_draw_without_error() {
        let step = SimTime::from_secs(1);
        let row = |t: u64, n: u32| Sample {
            time: SimTime::from_secs(t),
            by_state: [n, 0, 0, 0, 0],
            failed_over_with_rgs: 0,
            voice_without_mediation: 0,
        };
        let cases = vec![
            // A single sample at time zero with a zero horizon.
            result(config("single", [10, 0], SimTime::ZERO, step), vec![row(0, 10)], vec![]),
            // No users at all.
            result(
                config("empty", [0, 0], SimTime::from_secs(3), step),
                (0..=3).map(|t| row(t, 0)).collect(),
                vec![],
            ),
            // No samples.
            result(config("nothing", [5, 5], SimTime::from_secs(3), step), vec![], vec![]),
            // A few seconds, with a marker.
            result(
                config("short", [2, 1], SimTime::from_secs(4), step),
                (0..=4).map(|t| row(t, 3)).collect(),
                vec![entry(2, LogKind::Fault, "", "SiteDown a")],
            ),
        ];
        for r in &cases {
            let svg = availability_svg(r).unwrap();
            assert!(svg.contains(&r.config.name));
            let png = availability_png(r).unwrap();
            assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        }
        let svg = availability_svg(&cases[3]).unwrap();
        assert!(svg.contains("time (s)"));
    }

    #[test]
    fn among_equals_the_first_markers_are_numbered() {
        let mut r = demo();
        r.log =
            (0..30).map(|i| entry(600 + i * 900, LogKind::Admin, "lyncfe04.thelab.info", "Step")).collect();
        let p = Prepared::new(&ChartInput::from_run(&r)).unwrap();
        assert_eq!(p.markers.len(), 30);
        let badges: Vec<Option<usize>> = p.markers.iter().map(|m| m.badge).collect();
        let expected: Vec<Option<usize>> =
            (0..30).map(|i| (i < MAX_LABELLED_MARKERS).then_some(i + 1)).collect();
        assert_eq!(badges, expected);
        let svg = availability_svg(&r).unwrap();
        assert!(svg.contains("and 10 more"));
        // Routine kinds are not markers; registrar polls are.
        r.log = vec![
            entry(60, LogKind::Hydrate, "lyncfe03.thelab.info", "Routing Group"),
            entry(60, LogKind::Warning, "", "x"),
            entry(90, LogKind::RegistrarPoll, "lyncfe04.thelab.info", "registrar applies PoolState Active"),
        ];
        let p = Prepared::new(&ChartInput::from_run(&r)).unwrap();
        assert_eq!(p.markers.len(), 1);
        assert_eq!(p.markers[0].badge, Some(1));
        assert_eq!(Some(p.markers[0].color), marker_color(LogKind::RegistrarPoll));
    }

    #[test]
    fn important_markers_get_labels_before_cmdlet_steps() {
        let mut r = demo();
        let pool = "lyncfe04.thelab.info";
        let step = "Get-CsRegistrarConfiguration -Identity 'service:Registrar:lyncfe04.thelab.info'";
        r.log = (0..30).map(|i| entry(600 + i * 60, LogKind::Admin, pool, step)).collect();
        r.log.push(entry(20_000, LogKind::Fault, pool, "PoolDown"));
        let p = Prepared::new(&ChartInput::from_run(&r)).unwrap();
        assert_eq!(p.markers.len(), 31);
        assert_eq!(p.markers.iter().filter(|m| m.badge.is_some()).count(), MAX_LABELLED_MARKERS);
        // The fault is labelled; numbers follow time, so it is the last.
        let fault = p.markers.last().unwrap();
        assert_eq!(fault.badge, Some(MAX_LABELLED_MARKERS));
        assert_eq!(fault.label, "PoolDown lyncfe04");
        // The sub-steps fill the rest, earliest first, numbered from 1.
        let steps: Vec<Option<usize>> = p.markers[..30].iter().map(|m| m.badge).collect();
        let expected: Vec<Option<usize>> =
            (0..30).map(|i| (i < MAX_LABELLED_MARKERS - 1).then_some(i + 1)).collect();
        assert_eq!(steps, expected);
        let svg = availability_svg(&r).unwrap();
        assert!(svg.contains("PoolDown lyncfe04"));
        assert!(svg.contains("and 11 more"));

        // A failback's PoolState changes and completion keep their labels even when the
        // notable cmdlet steps before them are more than the labels left.
        let mut log: Vec<LogEntry> = (0..12)
            .map(|i| entry(600 + i, LogKind::Service, pool, "Start-CsWindowsService -Name X"))
            .collect();
        log.extend(
            (0..12).map(|i| entry(700 + i, LogKind::Admin, pool, "Invoke-CsManagementStoreReplication")),
        );
        log.push(entry(
            800,
            LogKind::Admin,
            pool,
            "Invoke-CsPoolFailback -PoolFqdn lyncfe04.thelab.info -Verbose",
        ));
        log.push(entry(900, LogKind::PoolState, pool, "FailingBack"));
        log.push(entry(950, LogKind::PoolState, pool, "Active"));
        log.push(entry(950, LogKind::Admin, pool, "Invoke-CsPoolFailback completed"));
        log.push(entry(100, LogKind::Admin, pool, step)); // routine: no label
        r.log = log;
        let p = Prepared::new(&ChartInput::from_run(&r)).unwrap();
        let labelled: Vec<&str> =
            p.markers.iter().filter(|m| m.badge.is_some()).map(|m| m.label.as_str()).collect();
        assert_eq!(labelled.len(), MAX_LABELLED_MARKERS);
        assert_eq!(
            labelled[MAX_LABELLED_MARKERS - 4..],
            [
                "Invoke-CsPoolFailback",
                "PoolState FailingBack lyncfe04",
                "PoolState Active lyncfe04",
                "Invoke-CsPoolFailback completed"
            ]
        );
        assert_eq!(p.markers[0].badge, None, "the routine step at 100 s");
        let numbers: Vec<usize> = p.markers.iter().filter_map(|m| m.badge).collect();
        assert_eq!(numbers, (1..=MAX_LABELLED_MARKERS).collect::<Vec<_>>());
    }

    #[test]
    fn label_ranks_follow_the_kind_and_the_cmdlet() {
        let rank = |kind, detail: &str| label_rank(&entry(0, kind, "lyncfe04.thelab.info", detail));
        let expected = [
            (LogKind::Fault, "PoolDown", 0),
            (LogKind::Repair, "PoolUp", 0),
            (LogKind::AdminError, "Invoke-CsPoolFailover: pool is unreachable; use -DisasterMode", 1),
            (LogKind::Admin, "Invoke-CsPoolFailover -PoolFqdn x -DisasterMode -Verbose", 2),
            (LogKind::Admin, "Invoke-CsPoolFailback -PoolFqdn x -Verbose", 2),
            (LogKind::Admin, "Import-CsRgsConfiguration: imported", 2),
            (LogKind::PoolState, "FailedOver", 3),
            (LogKind::Admin, "Invoke-CsPoolFailback completed", 3),
            (LogKind::Admin, "Invoke-CsManagementStoreReplication -ReplicaFqdn x", 4),
            (LogKind::Admin, "Set-CsRegistrarConfiguration -Identity x -PoolState FailedOver", 4),
            (LogKind::RegistrarPoll, "registrar applies PoolState Active", 5),
            (LogKind::Service, "backup registrar accepts users of lyncfe04", 6),
            (LogKind::Service, "Stop-CsWindowsService -ComputerName lyncfe04", 7),
            (LogKind::Admin, "Backup-CsPool -PoolFqdn x -FullBackup", 8),
            (LogKind::Admin, "Get-CsRegistrarConfiguration -Identity x", 8),
        ];
        for (kind, detail, want) in expected {
            assert_eq!(rank(kind, detail), want, "{kind:?} {detail}");
        }
    }

    #[test]
    fn labels_spread_over_the_whole_run() {
        // A year with four outages, each a fault, a failover (start, PoolState changes,
        // sub-steps, completion), a repair and a failback: more markers than labels.
        let pool = "lyncfe04.thelab.info";
        let mut log = Vec::new();
        for k in 0..4u64 {
            let t = 3_600 + k * 80 * 86_400;
            log.push(entry(t, LogKind::Fault, pool, "PoolDown: pool stops"));
            log.push(entry(
                t + 60,
                LogKind::Service,
                "lyncfe03.thelab.info",
                "backup registrar accepts users",
            ));
            log.push(entry(
                t + 90,
                LogKind::Admin,
                pool,
                "Invoke-CsPoolFailover -PoolFqdn x -DisasterMode -Verbose",
            ));
            log.push(entry(t + 95, LogKind::Admin, pool, "Get-CsRegistrarConfiguration -Identity x"));
            log.push(entry(t + 95, LogKind::PoolState, pool, "FailingOver"));
            log.push(entry(t + 150, LogKind::PoolState, pool, "FailedOver"));
            log.push(entry(t + 160, LogKind::Admin, pool, "Invoke-CsPoolFailover completed"));
            log.push(entry(t + 20_000, LogKind::Repair, pool, "PoolUp: servers are back"));
            log.push(entry(t + 23_600, LogKind::Admin, pool, "Invoke-CsPoolFailback -PoolFqdn x -Verbose"));
            log.push(entry(t + 23_700, LogKind::PoolState, pool, "FailingBack"));
            log.push(entry(t + 23_780, LogKind::PoolState, pool, "Active"));
            log.push(entry(t + 23_780, LogKind::Admin, pool, "Invoke-CsPoolFailback completed"));
        }
        let mut r = demo();
        let mut cfg = (*r.config).clone();
        cfg.horizon = SimTime::from_secs(365 * 86_400);
        r.config = Arc::new(cfg);
        r.log = log;
        let p = Prepared::new(&ChartInput::from_run(&r)).unwrap();
        let labelled: Vec<&Marker> = p.markers.iter().filter(|m| m.badge.is_some()).collect();
        assert_eq!(labelled.len(), MAX_LABELLED_MARKERS);
        let count = |prefix: &str| labelled.iter().filter(|m| m.label.starts_with(prefix)).count();
        // Every fault, repair, failover and failback start, whatever its time ...
        assert_eq!(count("PoolDown"), 4);
        assert_eq!(count("PoolUp"), 4);
        assert_eq!(
            labelled
                .iter()
                .filter(|m| m.label.starts_with("Invoke-CsPool") && !m.label.ends_with("completed"))
                .count(),
            8
        );
        // ... and the first PoolState changes and completion with the four labels left.
        assert_eq!(labelled.iter().filter(|m| m.rank == 3).count(), 4);
        assert!(labelled.iter().all(|m| m.rank <= 3));
        assert!(
            labelled.last().unwrap().x > 240.0,
            "the last outage is labelled: {}",
            labelled.last().unwrap().x
        );
        assert_eq!(p.unit.name, "days");
        assert_eq!(labelled[0].when, "d0 01:00");
        let svg = availability_svg(&r).unwrap();
        assert!(svg.contains("time (days)"));
        assert!(svg.contains("over 365 days"));
    }

    #[test]
    fn labels_are_short_and_name_the_pool() {
        let pool = "lyncfe04.thelab.info";
        assert_eq!(marker_label(LogKind::Fault, pool, "PoolDown"), "PoolDown lyncfe04");
        assert_eq!(marker_label(LogKind::Fault, pool, "PoolDown(lyncfe04)"), "PoolDown(lyncfe04)");
        assert_eq!(marker_label(LogKind::Fault, "", "SiteDown a"), "SiteDown a");
        assert_eq!(marker_label(LogKind::PoolState, pool, "FailedOver"), "PoolState FailedOver lyncfe04");
        assert_eq!(
            marker_label(
                LogKind::Admin,
                pool,
                "Invoke-CsPoolFailover -PoolFqdn lyncfe04.thelab.info -DisasterMode -Verbose"
            ),
            "Invoke-CsPoolFailover -DisasterMode"
        );
        assert_eq!(
            marker_label(
                LogKind::Admin,
                pool,
                "Invoke-CsPoolFailback -PoolFqdn lyncfe04.thelab.info -Verbose"
            ),
            "Invoke-CsPoolFailback"
        );
        assert_eq!(
            marker_label(
                LogKind::Admin,
                pool,
                "Set-CsRegistrarConfiguration -Identity 'service:Registrar:lyncfe04.thelab.info' -PoolState FailedOver"
            ),
            "PoolState FailedOver set lyncfe04"
        );
        assert_eq!(
            marker_label(LogKind::Admin, pool, "Invoke-CsPoolFailover completed"),
            "Invoke-CsPoolFailover completed"
        );
        // Other cmdlet lines are cut like any label.
        let step = marker_label(LogKind::Admin, pool, "Invoke-CsManagementStoreReplication -ReplicaFqdn x");
        assert_eq!(step.chars().count(), MAX_LABEL_CHARS);
        let long = marker_label(
            LogKind::AdminError,
            pool,
            "Invoke-CsPoolFailover: pool is unreachable; use -DisasterMode",
        );
        assert_eq!(long.chars().count(), MAX_LABEL_CHARS);
        assert!(long.ends_with('…'));
        let hours = |h: u64| h * 3_600_000;
        assert_eq!(clock(3_723_000, hours(23)), "1:02:03");
        assert_eq!(clock(3_723_000, hours(24)), "d0 01:02");
        assert_eq!(clock(hours(52 * 24 + 6) + 55 * 60_000 + 22_000, hours(8760)), "d52 06:55");
        assert_eq!(clock(1_500, 119_000), "1.5 s");
        assert_eq!(trim_number(-0.0001), "0");
        assert_eq!(group_digits(1_234_567), "1,234,567");
        assert_eq!(count_tick(2.5), "");
    }

    /// `demo` over `horizon` seconds with one sample a second: `row(t)` users in each state.
    fn long_run(horizon: u64, row: impl Fn(u64) -> [u32; 5], log: Vec<LogEntry>) -> RunResult {
        let mut r = demo();
        let mut cfg = (*r.config).clone();
        cfg.horizon = SimTime::from_secs(horizon);
        cfg.sample_every = SimTime::from_secs(1);
        r.config = Arc::new(cfg);
        r.series = Series::from_rows(
            SimTime::from_secs(1),
            (0..=horizon)
                .map(|t| Sample {
                    time: SimTime::from_secs(t),
                    by_state: row(t),
                    failed_over_with_rgs: 0,
                    voice_without_mediation: 0,
                })
                .collect(),
        );
        r.log = log;
        r
    }

    #[test]
    fn long_series_keep_their_extremes_in_two_points_per_column() {
        // A one-second outage of everybody at t = 12,345.
        let r = long_run(
            20_000,
            |t| if t == 12_345 { [0, 0, 0, 0, 12_000] } else { [12_000, 0, 0, 0, 0] },
            vec![],
        );
        let p = Prepared::new(&ChartInput::from_run(&r)).unwrap();
        assert!(p.features.iter().any(|row| row[0] == 0.0), "the dip is kept");
        let svg = availability_svg(&r).unwrap();
        assert!(svg.len() < 300_000, "{}", svg.len());

        assert_eq!(
            thin(&[(0, 5), (0, 9), (0, 1), (0, 5), (1, 5), (1, 5), (2, 3)]),
            vec![(0, 9), (0, 1), (1, 5), (2, 3)]
        );
        assert_eq!(thin(&[(0, 1), (0, 9), (0, 1), (0, 9)]), vec![(0, 1), (0, 9)]);
        assert_eq!(thin(&[(4, 4)]), vec![(4, 4)]);
        assert_eq!(thin(&[]), Vec::<Px>::new());
        // At most two points in every column, whatever the input.
        let noisy: Vec<Px> = (0..10_000).map(|i: i32| (i / 37, i * 7919 % 301)).collect();
        let thinned = thin(&noisy);
        for x in 0..=noisy.last().unwrap().0 {
            assert!(thinned.iter().filter(|p| p.0 == x).count() <= 2);
        }
    }

    #[test]
    fn thousands_of_state_changes_make_a_small_svg() {
        // 200,000 samples alternating between everybody at home and half of them offline
        // or in resiliency mode, with 20,000 markers.
        let pool = "lyncfe04.thelab.info";
        let log = (0..20_000)
            .map(|i| {
                let (kind, detail) =
                    if i % 2 == 0 { (LogKind::Fault, "PoolDown") } else { (LogKind::Repair, "PoolUp") };
                entry(5 + i * 10, kind, pool, detail)
            })
            .collect();
        let r = long_run(
            200_000,
            |t| match t % 2 {
                0 => [12_000, 0, 0, 0, 0],
                _ => [6_000, 3_000 + (t % 7) as u32 * 100, 0, 0, 3_000 - (t % 7) as u32 * 100],
            },
            log,
        );
        let svg = availability_svg(&r).unwrap();
        assert!(svg.len() < 3_000_000, "{} bytes", svg.len());
        let png = availability_png(&r).unwrap();
        assert_eq!(decode(&png).0, WIDTH);
        assert!(svg.contains("and 19980 more"));
    }

    #[test]
    fn thick_lines_are_cut_at_sharp_turns() {
        // A dip inside a pixel column turns back: cut there.
        assert_eq!(
            split_sharp(&[(0, 10), (5, 10), (5, 200), (6, 10), (20, 10)]),
            vec![vec![(0, 10), (5, 10), (5, 200)], vec![(5, 200), (6, 10), (20, 10)]]
        );
        // Right angles and straight runs are kept whole.
        let steps = vec![(0, 10), (5, 10), (5, 50), (9, 50), (12, 53)];
        assert_eq!(split_sharp(&steps), vec![steps.clone()]);
        assert_eq!(split_sharp(&[(1, 1)]), vec![vec![(1, 1)]]);
        // No part of a dipping line reaches above it on a bitmap.
        let r = long_run(
            20_000,
            |t| if t % 5_000 == 17 { [6_000, 0, 0, 0, 6_000] } else { [12_000, 0, 0, 0, 0] },
            vec![],
        );
        let (_, _, pixels) = decode(&availability_png(&r).unwrap());
        let line = FEATURE_COLORS[0];
        let above: Vec<(usize, usize)> = (0..HEADER_HEIGHT as usize)
            .flat_map(|y| (0..LEFT_WIDTH as usize).map(move |x| (x, y)))
            .filter(|&(x, y)| {
                let at = 3 * (y * WIDTH as usize + x);
                pixels[at..at + 3] == [line.0, line.1, line.2]
            })
            .collect();
        assert!(above.is_empty(), "{above:?}");
    }

    #[test]
    fn markers_share_a_line_per_pixel_column() {
        let mk = |x: f64, rank: u8, color: RGBColor| Marker {
            x,
            color,
            rank,
            badge: None,
            when: String::new(),
            label: String::new(),
        };
        let (a, b, c) = (RGBColor(1, 0, 0), RGBColor(2, 0, 0), RGBColor(3, 0, 0));
        let markers = [mk(10.2, 3, a), mk(10.4, 0, b), mk(10.45, 0, c), mk(3.0, 8, a)];
        assert_eq!(marker_columns(&markers, |x| x as i32), vec![(3, a), (10, b)]);
    }

    #[test]
    fn shared_lines_are_striped_in_every_member_colour() {
        let pieces = stripes(&[(0, 0), (100, 0)], 3, STRIPE);
        let colours: Vec<usize> = pieces.iter().map(|p| p.0).collect();
        assert_eq!(colours[..6], [0, 1, 2, 0, 1, 2]);
        assert_eq!(pieces.first().map(|p| p.1[0]), Some((0, 0)));
        assert_eq!(pieces.last().and_then(|p| p.1.last().copied()), Some((100, 0)));
        // Stripe boundaries that fall on vertices skip no colour.
        let steps: Vec<Px> = (0..60).map(|i| (i * 3, 5)).collect();
        let pieces = stripes(&steps, 6, STRIPE);
        let colours: Vec<usize> = pieces.iter().map(|p| p.0).filter(|_| true).collect();
        let expected: Vec<usize> = (0..colours.len()).map(|i| i % 6).collect();
        assert_eq!(colours, expected);
        assert!(pieces.iter().all(|p| p.1.len() >= 2));
    }

    #[test]
    fn font_metrics_agree_with_plotters() {
        let metrics = ensure_font().unwrap();
        let style = TextStyle::from(font(13.0));
        let mut pixel = [0u8; 3];
        let area = BitMapBackend::with_buffer(&mut pixel, (1, 1)).into_drawing_area();
        for text in
            ["response_groups", "call_forwarding_changes", "Invoke-CsPoolFailover: AV Te", "0123456789"]
        {
            let (w, _) = area.estimate_text_size(text, &style).unwrap();
            let ours = metrics.width(text, 13.0);
            assert!((ours - w as f64).abs() <= 1.0, "{text}: {ours} vs {w}");
        }
        assert_ne!(metrics.glyph('a'), GlyphId(0));
        assert_eq!(metrics.glyph('\u{10FFFF}'), GlyphId(0));
    }

    #[test]
    fn text_is_laid_out_as_the_former_truetype_reader_did() {
        // Widths and glyph offsets measured by lyncsim's own TrueType reader (hhea, hmtx,
        // format-4 cmap, kern) before ab_glyph replaced it: bitmaps stay byte-identical.
        let metrics = ensure_font().unwrap();
        let widths = [
            ("response_groups", 13.0, 94.560822147651),
            ("call_forwarding_changes", 13.0, 137.36157718120805),
            ("Invoke-CsPoolFailover: AV Te", 12.0, 145.73657718120808),
            ("0123456789", 11.0, 60.12164429530202),
            ("pool-failure-lab \u{2014} mean of 40 replications", 24.0, 432.91610738255025),
            ("AVAWTo y.,", 13.0, 59.34521812080537),
            ("users with feature (%)", 15.0, 143.26761744966444),
            ("\u{e9}\u{2026}\u{fc}\u{1d400}", 13.0, 31.818372483221477),
        ];
        for (text, size, width) in widths {
            assert_eq!(metrics.width(text, size), width, "{text}");
        }
        let layout = |text: &str, size: f64| -> Vec<(f64, i32)> {
            metrics.layout(text, size).0.iter().map(|&(_, pen, left)| (pen, left)).collect()
        };
        assert_eq!(
            layout("AVAWTo y.,", 13.0),
            [
                (0.0, 0),
                (6.925335570469798, 0),
                (13.850671140939596, 0),
                (20.87961409395973, 0),
                (31.92197986577181, -1),
                (36.846057046979865, 0),
                (43.678691275167786, 0),
                (47.22860738255034, 0),
                (52.24538590604027, 1),
                (55.79530201342282, 0),
            ]
        );
        assert_eq!(
            layout("response_groups", 13.0)[..6],
            [
                (0.0, 1),
                (4.346057046979866, 0),
                (11.216862416107382, 0),
                (17.03523489932886, 1),
                (24.124161073825505, 0),
                (30.956795302013425, 1),
            ]
        );
        assert_eq!(
            layout("\u{e9}\u{2026}\u{fc}\u{1d400}", 13.0),
            [(0.0, 0), (6.870805369127517, 1), (18.038590604026844, 0), (25.116610738255034, 0)]
        );
    }

    #[test]
    fn polylines_lose_straight_run_vertices() {
        assert_eq!(
            simplify(&[(0, 0), (1, 0), (1, 0), (5, 0), (5, 3), (5, 9), (7, 9)]),
            vec![(0, 0), (5, 0), (5, 9), (7, 9)]
        );
        // A turn back is kept.
        assert_eq!(simplify(&[(0, 0), (5, 0), (2, 0)]), vec![(0, 0), (5, 0), (2, 0)]);
        assert_eq!(simplify(&[(3, 3)]), vec![(3, 3)]);
    }

    /// Writes `chart_demo*.png` and `chart_demo.svg` to the temporary directory for a look:
    /// `cargo test --lib demo_chart -- --ignored`.
    #[test]
    #[ignore]
    fn demo_chart() {
        let dir = std::env::temp_dir();
        let r = demo();
        std::fs::write(dir.join("chart_demo.png"), availability_png(&r).unwrap()).unwrap();
        std::fs::write(dir.join("chart_demo.svg"), availability_svg(&r).unwrap()).unwrap();
        let mut many = demo();
        many.log = (0..26)
            .map(|i| {
                entry(
                    3600 + i * 37 + (i / 5) * 4000,
                    MARKER_KINDS[(i % 6) as usize].0,
                    "lyncfe04.thelab.info",
                    "Step",
                )
            })
            .collect();
        std::fs::write(dir.join("chart_demo_many.png"), availability_png(&many).unwrap()).unwrap();
        let step = SimTime::from_secs(1);
        let row = |t: u64, n: u32| Sample {
            time: SimTime::from_secs(t),
            by_state: [n, 0, 0, 0, 0],
            failed_over_with_rgs: 0,
            voice_without_mediation: 0,
        };
        let short = result(
            config("short", [2, 1], SimTime::from_secs(4), step),
            (0..=4).map(|t| row(t, 3)).collect(),
            vec![entry(2, LogKind::Fault, "", "SiteDown a")],
        );
        std::fs::write(dir.join("chart_demo_short.png"), availability_png(&short).unwrap()).unwrap();
        let single = result(config("single", [10, 0], SimTime::ZERO, step), vec![row(0, 10)], vec![]);
        std::fs::write(dir.join("chart_demo_single.png"), availability_png(&single).unwrap()).unwrap();
    }

    /// A pseudo-random number in [0, 1) from a fixed generator (tests stay deterministic).
    fn uniform(state: &mut u64) -> f64 {
        *state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (*state >> 11) as f64 / (1u64 << 53) as f64
    }

    /// `n` replications of `demo`'s outage with random timing: the fault within 20 min of
    /// 1 h, the backup taking 1–6 min to accept users and 4–16 min to sign them all in, the
    /// repair within 40 min of 5 h, the way home taking 4–12 min.
    fn replicated_runs(n: usize) -> Vec<RunResult> {
        let config = (*demo().config).clone();
        let mut rng = 7u64;
        (0..n)
            .map(|_| {
                let down = 2_400 + (uniform(&mut rng) * 2_400.0) as u64;
                let delay = 60.0 + uniform(&mut rng) * 300.0;
                let ramp = 240.0 + uniform(&mut rng) * 720.0;
                let up = 15_600 + (uniform(&mut rng) * 4_800.0) as u64;
                let home = 240.0 + uniform(&mut rng) * 480.0;
                result(config.clone(), outage_samples(6_000, down, delay, ramp, up, home), vec![])
            })
            .collect()
    }

    /// The chart input summarising `runs`: per row the mean and the (p05, p95) (nearest
    /// rank) of each feature, and the mean client states.
    fn replicated_input<'a>(config: &'a Config, runs: &[RunResult]) -> ChartInput<'a> {
        let n = runs.len();
        let rank = |q: f64| ((q * n as f64).ceil() as usize).clamp(1, n) - 1;
        let samples: Vec<Vec<Sample>> = runs.iter().map(|r| r.samples().collect()).collect();
        let rows = samples[0].len();
        let (mut features, mut band, mut states) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..rows {
            let (mut mean, mut spread) = ([0.0; 8], [(0.0, 0.0); 8]);
            for (k, &f) in Feature::ALL.iter().enumerate() {
                let mut v: Vec<f64> =
                    runs.iter().zip(&samples).map(|(r, s)| r.users_with(&s[i], f) as f64).collect();
                mean[k] = v.iter().sum::<f64>() / n as f64;
                v.sort_by(f64::total_cmp);
                spread[k] = (v[rank(0.05)], v[rank(0.95)]);
            }
            let by_state = ClientState::ALL
                .map(|c| samples.iter().map(|s| s[i].users(c) as f64).sum::<f64>() / n as f64);
            features.push(mean);
            band.push(spread);
            states.push(by_state);
        }
        ChartInput {
            config,
            replications: n as u32,
            times: samples[0].iter().map(|s| s.time).collect(),
            features,
            band: Some(band),
            states,
            log: &[],
        }
    }

    /// The number of band polygons in an SVG chart (with `fill`, if given).
    fn band_polygons(svg: &str, fill: Option<&str>) -> usize {
        let opacity = format!("opacity=\"{BAND_ALPHA}\"");
        svg.lines()
            .filter(|l| l.starts_with("<polygon") && l.contains(&opacity))
            .filter(|l| fill.is_none_or(|f| l.contains(&format!("fill=\"{f}\""))))
            .count()
    }

    #[test]
    fn replicated_chart_names_the_count_and_is_deterministic() {
        let runs = replicated_runs(40);
        let input = replicated_input(&runs[0].config, &runs);
        let first = svg(&input).unwrap();
        assert!(first.contains("pool-failure-lab \u{2014} mean of 40 replications"));
        assert!(first.contains("shaded: p05\u{2013}p95 of 40 replications"));
        assert!(first.contains("lines: mean of 40 replications, shaded: p05\u{2013}p95 across replications"));
        assert!(!first.contains("markers:"), "no markers, no markers text");
        assert!(first.contains("Client states (mean users)"));
        assert_eq!(first, svg(&input).unwrap());
        let png_bytes = png(&input).unwrap();
        assert_eq!(png_bytes, png(&input).unwrap());
        assert_eq!(decode(&png_bytes).0, WIDTH);
        // Translucent bands are there; a single run has none.
        assert!(band_polygons(&first, None) >= 2, "{}", band_polygons(&first, None));
        assert_eq!(band_polygons(&availability_svg(&runs[0]).unwrap(), None), 0);
        // The count is grouped like the users of the subtitle.
        let many = ChartInput { replications: 12_000, ..input.clone() };
        assert!(svg(&many).unwrap().contains("mean of 12,000 replications"));
        // Replicated with markers: the markers text stays.
        let log = demo().log;
        let marked = ChartInput { log: &log, ..input.clone() };
        assert!(svg(&marked).unwrap().contains("markers: faults"));
    }

    #[test]
    fn a_band_wider_than_its_line_is_shaded() {
        // Only im has a band: from 10 % of the users below its mean up to the mean.
        let r = demo();
        let total = r.total_users() as f64;
        let mut input = ChartInput::from_run(&r);
        input.replications = 100;
        input.log = &[];
        input.band = Some(
            input
                .features
                .iter()
                .map(|row| {
                    let mut spread = row.map(|v| (v, v));
                    spread[0] = ((row[0] - 0.1 * total).max(0.0), row[0]);
                    spread
                })
                .collect(),
        );
        let text = svg(&input).unwrap();
        assert_eq!(band_polygons(&text, None), 1);
        assert_eq!(band_polygons(&text, Some("#0072B2")), 1);

        // On the bitmap, the band is the line colour blended into the white background.
        let a = (256.0 * BAND_ALPHA).floor() as u32;
        let c = FEATURE_COLORS[0];
        let blend = |ch: u8| ((255 * (256 - a) + ch as u32 * a) >> 8) as i32;
        let want = [blend(c.0), blend(c.1), blend(c.2)];
        let shaded = |input: &ChartInput| {
            let (_, _, pixels) = decode(&png(input).unwrap());
            pixels.chunks(3).filter(|p| p.iter().zip(want).all(|(&v, w)| (v as i32 - w).abs() <= 2)).count()
        };
        let with_band = shaded(&input);
        input.band = None;
        let without = shaded(&input);
        assert!(with_band > without + 10_000, "{with_band} shaded pixels vs {without} without the band");
    }

    #[test]
    fn replicated_edge_cases_draw_or_say_why_not() {
        let r = demo();
        let config = &r.config;
        // One row, a band, no users.
        let mut empty = (**config).clone();
        for pool in &mut empty.pools {
            pool.users = 0;
        }
        let one = ChartInput {
            config: &empty,
            replications: 3,
            times: vec![SimTime::ZERO],
            features: vec![[0.0; 8]],
            band: Some(vec![[(0.0, 0.0); 8]]),
            states: vec![[0.0; 5]],
            log: &[],
        };
        assert!(svg(&one).unwrap().contains("mean of 3 replications"));
        assert_eq!(&png(&one).unwrap()[..8], b"\x89PNG\r\n\x1a\n");
        // Replicated without a band: means only, no band legend.
        let mut means = ChartInput::from_run(&r);
        means.replications = 5;
        let text = svg(&means).unwrap();
        assert!(text.contains("mean of 5 replications"));
        assert!(!text.contains("shaded"));
        // Series that disagree are an error, not a wrong picture.
        let mut bad = ChartInput::from_run(&r);
        bad.states.pop();
        assert!(matches!(svg(&bad), Err(ChartError::Input(_))));
        let mut bad = ChartInput::from_run(&r);
        bad.band = Some(vec![]);
        assert!(matches!(png(&bad), Err(ChartError::Input(_))));
        // A band beyond 100 % widens the top panel's range.
        let mut wide = ChartInput::from_run(&r);
        wide.band = Some(wide.features.iter().map(|row| row.map(|v| (v, v * 1.2))).collect());
        let p = Prepared::new(&wide).unwrap();
        assert_eq!(p.y_range, (-2.5, 122.5));
        assert_eq!(Prepared::new(&ChartInput::from_run(&r)).unwrap().y_range, (-2.5, 102.5));
    }

    /// A year at 15-minute samples (35,041 rows) of noisy means and bands, a few outages.
    fn replicated_year(config: &Config) -> ChartInput<'_> {
        let total = config.total_users() as f64;
        let mut rng = 11u64;
        let rows = 35_041u64;
        let (mut features, mut band, mut states) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..rows {
            let outage = i % 7_000 > 6_900;
            let base =
                total * if outage { 0.5 + 0.2 * uniform(&mut rng) } else { 1.0 - 0.03 * uniform(&mut rng) };
            let mut mean = [0.0; 8];
            let mut spread = [(0.0, 0.0); 8];
            for f in 0..8 {
                // im and voice coincide, as they do in practice.
                let v = if f == 3 { mean[0] } else { base * (1.0 - 0.01 * f as f64 * uniform(&mut rng)) };
                mean[f] = v;
                let below = if outage { 0.3 } else { 0.02 } * total * uniform(&mut rng);
                spread[f] =
                    if f == 3 { spread[0] } else { ((v - below).max(0.0), (v + 0.01 * total).min(total)) };
            }
            features.push(mean);
            band.push(spread);
            states.push([base, 0.0, 0.0, 0.0, total - base]);
        }
        ChartInput {
            config,
            replications: 1_000,
            times: (0..rows).map(|i| SimTime::from_secs(i * 900)).collect(),
            features,
            band: Some(band),
            states,
            log: &[],
        }
    }

    #[test]
    fn a_replicated_year_makes_a_small_svg() {
        let mut config = (*demo().config).clone();
        config.horizon = SimTime::from_secs(365 * 86_400);
        config.sample_every = SimTime::from_secs(900);
        let input = replicated_year(&config);
        let text = svg(&input).unwrap();
        assert!(text.len() < 1_500_000, "{} bytes", text.len());
        assert!(text.contains("mean of 1,000 replications"));
        assert!(band_polygons(&text, None) >= 7);
        assert_eq!(decode(&png(&input).unwrap()).0, WIDTH);
    }

    /// Writes `band.png` and `band.svg` (40 replications of `demo`'s outage with random
    /// timing) and `band_year.png`/`.svg` to the temporary directory for a look:
    /// `cargo test --lib demo_band_chart -- --ignored`.
    #[test]
    #[ignore]
    fn demo_band_chart() {
        let dir = std::env::temp_dir();
        let runs = replicated_runs(40);
        let input = replicated_input(&runs[0].config, &runs);
        std::fs::write(dir.join("band.png"), png(&input).unwrap()).unwrap();
        std::fs::write(dir.join("band.svg"), svg(&input).unwrap()).unwrap();
        let mut config = (*demo().config).clone();
        config.horizon = SimTime::from_secs(365 * 86_400);
        config.sample_every = SimTime::from_secs(900);
        let year = replicated_year(&config);
        std::fs::write(dir.join("band_year.png"), png(&year).unwrap()).unwrap();
        std::fs::write(dir.join("band_year.svg"), svg(&year).unwrap()).unwrap();
    }

    /// Decode a PNG with the `png` crate: (width, height, RGB pixels).
    fn decode(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
        let mut reader = png::Decoder::new(bytes).read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!(info.color_type, png::ColorType::Rgb);
        buf.truncate(info.buffer_size());
        (info.width, info.height, buf)
    }
}
