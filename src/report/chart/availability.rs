//! The availability chart: a [`ChartInput`] (one run, or the means and bands of many
//! replications) checked and reduced to what is drawn ([`Prepared`]), its two panels, and its
//! legend column (features, events key, client states).

use std::borrow::Cow;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::axis::{count_tick, horizon_text, panel, percent, time_title, y_title, zoomed, Panel, TimeUnit};
use super::canvas::{Canvas, Chart, Header, Picture};
use super::error::{draw_err, ChartError};
use super::geometry::{band_columns, simplify, Px};
use super::legend;
use super::lines::{draw_bands, draw_lines, polyline, LineStyle};
use super::markers::{
    draw_badge, draw_badges, draw_marker_line, marker_columns, markers, Marker, BADGE_HEIGHT, BADGE_STRIP,
    MARKERS_TEXT,
};
use super::palette::{feature_color, state_color, BAND_ALPHA, INK, MARKER_KINDS, MUTED};
use crate::engine::SimTime;
use crate::model::{ClientState, Config, Feature, LogEntry, PerFeature, PerState};
use crate::report::format::{group_digits, trim_number};
use crate::stats::RunResult;

/// Picture width, pixels.
pub const WIDTH: u32 = 1400;

/// Picture height, pixels.
pub const HEIGHT: u32 = 900;

/// What the chart draws, from one run or from many replications.
#[derive(Debug, Clone)]
pub struct ChartInput<'a> {
    /// The scenario (title = config.name, subtitle from pools/users/horizon as today).
    pub config: &'a Config,
    /// Number of replications summarised (1 = a single run, drawn exactly as today).
    pub replications: u32,
    /// Sample times, ascending, one per time-series row.
    pub times: Vec<SimTime>,
    /// Per row, users with each feature; the mean over replications when replications > 1.
    pub features: Vec<PerFeature<f64>>,
    /// Per row and feature, (p05, p95) users over replications; None for a single run.
    pub band: Option<Vec<PerFeature<(f64, f64)>>>,
    /// Per row, users in each client state; the mean when replicated.
    pub states: Vec<PerState<f64>>,
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
                .map(|s| PerFeature::from_fn(|f| result.users_with(&s, f) as f64))
                .collect(),
            band: None,
            states: result.samples().map(|s| s.by_state.map(|_, n| n as f64)).collect(),
            log: &result.log,
        }
    }
}

/// One row's (p05, p95) users with each feature.
type Band = PerFeature<(f64, f64)>;

/// The input reduced to what the chart draws.
#[derive(Debug, Clone)]
pub(crate) struct Prepared<'a> {
    title: String,
    subtitle: String,
    unit: TimeUnit,
    x_max: f64,
    total: u64,
    /// Replications summarised (1: a single run).
    replications: u32,
    /// Sample times in `unit`, every sample (the drawing thins them per pixel column).
    times: Vec<f64>,
    /// Users with each feature at each time (the mean when replicated); the input's rows,
    /// borrowed, not copied (a long, finely sampled study holds millions).
    features: Cow<'a, [PerFeature<f64>]>,
    /// (p05, p95) users with each feature at each time, when replicated.
    band: Option<Cow<'a, [Band]>>,
    /// Users in each client state at each time (the mean when replicated).
    states: Cow<'a, [PerState<f64>]>,
    /// The log's markers, in time order.
    markers: Vec<Marker>,
    /// Value range of the top panel, percent: 0 to 100 with a margin, widened to any
    /// value or band outside it.
    y_range: (f64, f64),
}

impl<'a> Prepared<'a> {
    /// `input` checked (its series agree in length) and reduced to what is drawn.
    pub(crate) fn new(input: &'a ChartInput<'_>) -> Result<Self, ChartError> {
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

        let mut features = Cow::Borrowed(&input.features[..]);
        let mut states = Cow::Borrowed(&input.states[..]);
        let mut band = input.band.as_deref().map(Cow::Borrowed);
        let mut times: Vec<f64> = input.times.iter().map(|t| t.as_millis() as f64 / unit.ms).collect();
        if times.len() == 1 {
            // One row: the state it records holds across the axis.
            times = vec![0.0, x_max];
            let (f0, s0) = (features[0], states[0]);
            features.to_mut().push(f0);
            states.to_mut().push(s0);
            if let Some(band) = &mut band {
                let b0 = band[0];
                band.to_mut().push(b0);
            }
        }

        let markers = markers(input.log, config.horizon, unit);

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

        let percent = |users: f64| percent(users, total);
        let bands = || band.iter().flat_map(|b| b.iter()).flat_map(|row| row.values());
        let (lo, hi) = features
            .iter()
            .flat_map(|row| row.values())
            .copied()
            .chain(bands().flat_map(|&(lo, hi)| [lo, hi]))
            .map(percent)
            .filter(|v| v.is_finite())
            .fold((0.0_f64, 100.0_f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let lo_seen = features
            .iter()
            .flat_map(|row| row.values())
            .copied()
            .chain(bands().map(|&(lo, _)| lo))
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

    /// `users` as a percentage of all users.
    fn percent(&self, users: f64) -> f64 {
        percent(users, self.total)
    }
}

// ---------------------------------------------------------------------------------------
// Layout

/// Width of the plotting column; the legends take the rest.
const LEFT_WIDTH: u32 = 1070;
/// The title block.
const HEADER: Header = Header { plot_width: LEFT_WIDTH, left: 24, title_size: 24.0, subtitle_top: 42 };
/// Share of the plotting height given to the top panel.
const TOP_SHARE: f64 = 0.60;
/// Width of the y tick labels and description.
const Y_LABEL_AREA: u32 = 72;
/// The top panel: percent of users per feature, the badges above it.
const TOP_PANEL: Panel = Panel {
    margin_top: BADGE_STRIP,
    margin_right: 12,
    x_label_area: 26,
    y_label_area: Y_LABEL_AREA,
    x_labels: 13,
    y_labels: 11,
};
/// The bottom panel: users in each client state, the time axis title under it.
const BOTTOM_PANEL: Panel = Panel {
    margin_top: 14,
    margin_right: 12,
    x_label_area: 48,
    y_label_area: Y_LABEL_AREA,
    x_labels: 13,
    y_labels: 6,
};

impl Picture for Prepared<'_> {
    fn size(&self) -> (u32, u32) {
        (WIDTH, HEIGHT)
    }

    fn draw<DB: DrawingBackend>(&self, c: &Canvas<DB>) -> Result<(), ChartError> {
        let p = self;
        let plots = c.page(&HEADER, &p.title, &p.subtitle)?;
        let (_, plots_h) = plots.dim_in_pixel();
        let (top_area, bottom_area) = plots.split_vertically((plots_h as f64 * TOP_SHARE) as u32);
        let x_range = 0.0..p.x_max;

        // Top panel: percent of users per feature.
        let y_range = p.y_range.0..p.y_range.1;
        let top = panel(&top_area, &TOP_PANEL, x_range.clone(), y_range, &|v| trim_number(*v))?;
        let (top_x, top_y) = top.plotting_area().get_pixel_range();
        y_title(c, &top, "users with feature (%)", 56)?;
        let marker_lines = marker_columns(&p.markers, |x| top.backend_coord(&(x, 0.0)).0);
        for &(x, color) in &marker_lines {
            draw_marker_line(c, x, top_y.start, top_y.end - 1, color, marker_lines.len())?;
        }
        // A series needs two rows (one row is drawn across the axis, see `Prepared::new`).
        let series = p.times.len() >= 2;
        if series {
            draw_feature_bands(c, p, &top)?;
            draw_feature_lines(c, p, &top)?;
        }
        draw_badges(c, &p.markers, &top, top_x, top_y.start)?;

        // Bottom panel: stacked client states.
        let y_max = if p.total == 0 { 1.0 } else { p.total as f64 * 1.04 };
        let bottom = panel(&bottom_area, &BOTTOM_PANEL, x_range, 0.0..y_max, &|v| count_tick(*v))?;
        let (_, bottom_y) = bottom.plotting_area().get_pixel_range();
        y_title(c, &bottom, "users", 56)?;
        time_title(c, &bottom, p.unit)?;
        if series {
            draw_state_bands(c, p, &bottom)?;
        }
        for &(x, color) in &marker_lines {
            draw_marker_line(c, x, bottom_y.start, bottom_y.end - 1, color, marker_lines.len())?;
        }

        draw_legends(c, p, (top_y.start, bottom_y.end))
    }
}

// ---------------------------------------------------------------------------------------
// Series

/// Width of a feature line, pixels.
const LINE_WIDTH: u32 = 3;

/// Draw the feature lines; where several coincide, one line striped in all their colours.
fn draw_feature_lines<DB: DrawingBackend>(
    c: &Canvas<DB>,
    p: &Prepared,
    chart: &Chart<DB>,
) -> Result<(), ChartError> {
    // Each feature's line, at most two points per pixel column.
    let lines: Vec<Vec<Px>> = Feature::ALL
        .map(|f| polyline(chart, &p.times, p.features.iter().map(|row| p.percent(row[f]))))
        .into();
    let styles = Feature::ALL.map(|f| LineStyle { color: feature_color(f), dashed: false });
    draw_lines(c, &lines, &styles, LINE_WIDTH)
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
    let bands = Feature::ALL.map(|f| {
        let columns = band_columns(p.times.iter().zip(band.iter()).map(|(&t, row)| {
            let (x, lo) = chart.backend_coord(&(t, p.percent(row[f].0)));
            let (_, hi) = chart.backend_coord(&(t, p.percent(row[f].1)));
            (x, lo, hi)
        }));
        (feature_color(f), columns)
    });
    draw_bands(c, bands)
}

/// The stacked client-state bands of the bottom panel.
fn draw_state_bands<DB: DrawingBackend>(
    c: &Canvas<DB>,
    p: &Prepared,
    chart: &Chart<DB>,
) -> Result<(), ChartError> {
    // Each boundary between bands at most two points per pixel column; neighbouring bands
    // share it, so they meet without a gap.
    let mut lower = vec![0.0_f64; p.times.len()];
    let edge = |values: &[f64]| polyline(chart, &p.times, values.iter().copied());
    let mut lower_edge = edge(&lower);
    for state in ClientState::ALL {
        let upper: Vec<f64> = lower.iter().zip(p.states.iter()).map(|(l, row)| l + row[state]).collect();
        if upper != lower {
            let top_edge = edge(&upper);
            let mut outline = top_edge.clone();
            outline.extend(lower_edge.iter().rev());
            let outline = simplify(&outline);
            c.root.draw(&Polygon::new(outline, state_color(state).filled())).map_err(draw_err)?;
            c.path(simplify(&top_edge), WHITE.mix(0.9).stroke_width(1))?;
            lower_edge = top_edge;
        }
        lower = upper;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Legends

/// Height of a feature or client-state row, pixels.
const LEGEND_ROW: i32 = 18;
/// Height of a row of the events key, pixels.
const KEY_ROW: i32 = 16;
/// Height of a legend box's title, pixels.
const BOX_HEADER: i32 = 28;

/// The legend column: features, events key, client states.
fn draw_legends<DB: DrawingBackend>(
    c: &Canvas<DB>,
    p: &Prepared,
    (top, bottom): (i32, i32),
) -> Result<(), ChartError> {
    let x0 = LEFT_WIDTH as i32 + 4;
    let x1 = WIDTH as i32 - 14;
    let frame = |y0: i32, y1: i32, title: &str| legend::frame(c, (x0, y0), (x1, y1), title, 8);

    // Features, top-aligned with the top plot; one more row for the band, if any.
    let replicated = p.replications > 1;
    let rows = Feature::COUNT as i32 + i32::from(p.band.is_some());
    let features_bottom = top + BOX_HEADER + LEGEND_ROW * rows + 20;
    frame(
        top,
        features_bottom,
        if replicated { "Features (mean % of users)" } else { "Features (% of users)" },
    )?;
    for (i, f) in Feature::ALL.iter().enumerate() {
        let y = top + BOX_HEADER + LEGEND_ROW * i as i32 + LEGEND_ROW / 2;
        c.path(vec![(x0 + 12, y), (x0 + 42, y)], feature_color(*f).stroke_width(LINE_WIDTH))?;
        c.text(f.column(), (x0 + 52, y), 13.0, &INK, HPos::Left, VPos::Center)?;
    }
    if p.band.is_some() {
        let y = top + BOX_HEADER + LEGEND_ROW * Feature::COUNT as i32 + LEGEND_ROW / 2;
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
    let states_top = bottom - (BOX_HEADER + LEGEND_ROW * ClientState::COUNT as i32 + 4);
    frame(
        states_top,
        bottom,
        if replicated { "Client states (mean users)" } else { "Client states (users)" },
    )?;
    for (i, s) in ClientState::ALL.iter().enumerate() {
        let y = states_top + BOX_HEADER + LEGEND_ROW * (ClientState::COUNT - 1 - i) as i32 + LEGEND_ROW / 2;
        c.rect((x0 + 12, y - 6), (x0 + 42, y + 6), state_color(*s).filled())?;
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::engine::SimTime;
    use crate::model::{
        BackEnd, BackupServiceConfig, ClientsConfig, Config, Delay, Edition, FeatureMatrix, LogEntry,
        LogKind, PoolConfig, PoolId, Product, SiteConfig, SiteId, TimingConfig,
    };
    use crate::report::chart::canvas::HEADER_HEIGHT;
    use crate::report::chart::markers::tests::entry;
    use crate::report::chart::markers::MAX_LABELLED_MARKERS;
    use crate::report::chart::palette::marker_color;
    use crate::report::chart::testing::{decode, uniform};
    use crate::report::chart::{availability_png, availability_svg, png, svg};
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
            sites: vec![SiteConfig { name: "a".into() }, SiteConfig { name: "b".into() }].into(),
            pools: vec![
                pool("lyncfe04.thelab.info", 0, users[0], 1),
                pool("lyncfe03.thelab.info", 1, users[1], 0),
            ]
            .into(),
            max_user_count: crate::model::DEFAULT_MAX_USER_COUNT,
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
                replica_rebuild: d,
                pool_cold_start: d,
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
                backup_registrar_known: 1.0,
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
            feature_user_ms: PerFeature::default(),
            first_fault: None,
            incidents: PerFeature::default(),
            peak_resiliency_users: 0,
            peak_offline_users: 0,
            peak_signin_queue: 0,
            peak_signin_queue_by_phase: Default::default(),
            rpo_realized: None,
            rpo_realized_changes: None,
            failovers: Vec::new(),
            backup_status: Vec::new(),
            peak_users_per_front_end: Vec::new(),
            refused_sign_ins: 0,
            peak_turned_away_users: 0,
            log,
            events_processed: 0,
        }
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
                    by_state: PerState::from_array([half + full_b, res, 0, signing, off]),
                    failed_over_with_rgs: 0,
                    pstn_without_mediation: 0,
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
            by_state: PerState::from_fn(|s| if s == ClientState::Full { n } else { 0 }),
            failed_over_with_rgs: 0,
            pstn_without_mediation: 0,
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
        let input = ChartInput::from_run(&r);
        let p = Prepared::new(&input).unwrap();
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
        let input = ChartInput::from_run(&r);
        let p = Prepared::new(&input).unwrap();
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
        let input = ChartInput::from_run(&r);
        let p = Prepared::new(&input).unwrap();
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
        let input = ChartInput::from_run(&r);
        let p = Prepared::new(&input).unwrap();
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
        let input = ChartInput::from_run(&r);
        let p = Prepared::new(&input).unwrap();
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

    /// `demo` over `horizon` seconds with one sample a second: `row(t)` users in each state.
    fn long_run(
        horizon: u64,
        row: impl Fn(u64) -> [u32; ClientState::COUNT],
        log: Vec<LogEntry>,
    ) -> RunResult {
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
                    by_state: PerState::from_array(row(t)),
                    failed_over_with_rgs: 0,
                    pstn_without_mediation: 0,
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
        let input = ChartInput::from_run(&r);
        let p = Prepared::new(&input).unwrap();
        assert!(p.features.iter().any(|row| row[Feature::Im] == 0.0), "the dip is kept");
        let svg = availability_svg(&r).unwrap();
        assert!(svg.len() < 300_000, "{}", svg.len());
    }

    #[test]
    fn a_dipping_line_stays_in_its_panel_on_a_bitmap() {
        // No part of a dipping line reaches above it on a bitmap.
        let r = long_run(
            20_000,
            |t| if t % 5_000 == 17 { [6_000, 0, 0, 0, 6_000] } else { [12_000, 0, 0, 0, 0] },
            vec![],
        );
        let (_, _, pixels) = decode(&availability_png(&r).unwrap());
        let line = feature_color(Feature::Im);
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
            by_state: PerState::from_fn(|s| if s == ClientState::Full { n } else { 0 }),
            failed_over_with_rgs: 0,
            pstn_without_mediation: 0,
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
            let (mut mean, mut spread) = (PerFeature::default(), PerFeature::default());
            for f in Feature::ALL {
                let mut v: Vec<f64> =
                    runs.iter().zip(&samples).map(|(r, s)| r.users_with(&s[i], f) as f64).collect();
                mean[f] = v.iter().sum::<f64>() / n as f64;
                v.sort_by(f64::total_cmp);
                spread[f] = (v[rank(0.05)], v[rank(0.95)]);
            }
            let by_state =
                PerState::from_fn(|c| samples.iter().map(|s| s[i].users(c) as f64).sum::<f64>() / n as f64);
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
                    let mut spread = row.map(|_, v| (v, v));
                    spread[Feature::Im] = ((row[Feature::Im] - 0.1 * total).max(0.0), row[Feature::Im]);
                    spread
                })
                .collect(),
        );
        let text = svg(&input).unwrap();
        assert_eq!(band_polygons(&text, None), 1);
        assert_eq!(band_polygons(&text, Some("#0072B2")), 1);

        // On the bitmap, the band is the line colour blended into the white background.
        let a = (256.0 * BAND_ALPHA).floor() as u32;
        let c = feature_color(Feature::Im);
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
            features: vec![PerFeature::default()],
            band: Some(vec![PerFeature::default()]),
            states: vec![PerState::default()],
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
        wide.band = Some(wide.features.iter().map(|row| row.map(|_, v| (v, v * 1.2))).collect());
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
            let mut mean = PerFeature::default();
            let mut spread = PerFeature::default();
            for (k, f) in Feature::ALL.into_iter().enumerate() {
                // im and voice coincide, as they do in practice.
                let voice = f == Feature::Voice;
                let v = if voice {
                    mean[Feature::Im]
                } else {
                    base * (1.0 - 0.01 * k as f64 * uniform(&mut rng))
                };
                mean[f] = v;
                let below = if outage { 0.3 } else { 0.02 } * total * uniform(&mut rng);
                spread[f] = if voice {
                    spread[Feature::Im]
                } else {
                    ((v - below).max(0.0), (v + 0.01 * total).min(total))
                };
            }
            features.push(mean);
            band.push(spread);
            let mut by_state = PerState::default();
            by_state[ClientState::Full] = base;
            by_state[ClientState::Offline] = total - base;
            states.push(by_state);
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
}
