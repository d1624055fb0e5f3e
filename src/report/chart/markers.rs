//! Event markers of the availability chart: which log entries are drawn, their labels and
//! importance (the most important get a numbered badge), one line per pixel column, and the
//! badges above the plot.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::axis::{TimeUnit, DAY_MS};
use super::canvas::{Canvas, Chart};
use super::error::ChartError;
use super::geometry::Px;
use super::palette::marker_color;
use crate::engine::SimTime;
use crate::model::{LogEntry, LogKind};

/// At most this many markers get a badge and a line in the events key; the others are
/// drawn without.
pub const MAX_LABELLED_MARKERS: usize = 20;

/// Marker labels longer than this many characters are cut with an ellipsis (the compact
/// cmdlet and PoolState labels excepted).
pub const MAX_LABEL_CHARS: usize = 28;

/// With more marker columns than this, marker lines are solid and faint instead of dashed
/// (a dashed line is dozens of SVG elements; thousands of them made files of megabytes).
pub const MAX_DASHED_MARKERS: usize = 100;

/// The markers' subtitle text.
pub(crate) const MARKERS_TEXT: &str =
    "markers: faults, repairs, administrator steps, PoolState changes, registrar polls, service changes";

/// A vertical marker; `badge` is its number in the events key, if it has one.
#[derive(Debug, Clone)]
pub(crate) struct Marker {
    /// Where, in the time unit of the axis.
    pub(crate) x: f64,
    /// Its colour: its kind's.
    pub(crate) color: RGBColor,
    /// Its [`label_rank`]: which marker a shared pixel column shows.
    pub(crate) rank: u8,
    /// Its number in the events key, if it has one.
    pub(crate) badge: Option<usize>,
    /// When, for the events key ([`clock`]).
    pub(crate) when: String,
    /// What, for the events key ([`marker_label`]).
    pub(crate) label: String,
}

/// The markers of `log` up to `horizon`: the kinds that are drawn, in time order (the log's
/// order within a time), at most [`MAX_LABELLED_MARKERS`] of them numbered ([`choose_labelled`]).
pub(crate) fn markers(log: &[LogEntry], horizon: SimTime, unit: TimeUnit) -> Vec<Marker> {
    let horizon_ms = horizon.as_millis();
    // The drawn entries in time order (stable: the log's order within a time).
    let mut drawn: Vec<(&LogEntry, RGBColor)> =
        log.iter().filter(|e| e.time <= horizon).filter_map(|e| Some((e, marker_color(e.kind)?))).collect();
    drawn.sort_by_key(|(e, _)| e.time);
    let ranks: Vec<u8> = drawn.iter().map(|(e, _)| label_rank(e)).collect();
    let labelled = choose_labelled(&ranks);
    let mut badges = 0;
    drawn
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
        .collect()
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

/// The pixel columns that have markers, left to right, each with the colour of its most
/// important marker (the earliest among equals): one line per column whatever the number
/// of markers in it.
pub(crate) fn marker_columns(markers: &[Marker], to_px: impl Fn(f64) -> i32) -> Vec<(i32, RGBColor)> {
    let mut columns: Vec<(i32, u8, usize, RGBColor)> =
        markers.iter().enumerate().map(|(i, m)| (to_px(m.x), m.rank, i, m.color)).collect();
    columns.sort_by_key(|&(x, rank, i, _)| (x, rank, i));
    columns.dedup_by_key(|c| c.0);
    columns.into_iter().map(|(x, _, _, color)| (x, color)).collect()
}

/// A marker's vertical line from `y0` to `y1`: thin and dashed, or solid and faint when
/// there are more than [`MAX_DASHED_MARKERS`] of them (`count`).
pub(crate) fn draw_marker_line<DB: DrawingBackend>(
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

/// Size of a badge's number, pixels.
const BADGE_TEXT: f64 = 11.0;

/// Height of a badge, pixels.
pub(crate) const BADGE_HEIGHT: i32 = 15;

fn badge_width<DB: DrawingBackend>(c: &Canvas<DB>, number: usize) -> i32 {
    c.text_width(&number.to_string(), BADGE_TEXT).max(7) + 8
}

/// A filled badge with a white number, top-left at `at`.
pub(crate) fn draw_badge<DB: DrawingBackend>(
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

/// Space above the top plot for the marker badges.
pub(crate) const BADGE_STRIP: u32 = 34;

/// Numbered badges above the top plot, spread so they never overlap, each with a leader to
/// its marker.
pub(crate) fn draw_badges<DB: DrawingBackend>(
    c: &Canvas<DB>,
    markers: &[Marker],
    chart: &Chart<DB>,
    px_x: std::ops::Range<i32>,
    plot_top: i32,
) -> Result<(), ChartError> {
    let gap = 3;
    // (marker x, width, marker)
    let mut badges: Vec<(i32, i32, &Marker)> = markers
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A log entry at `secs`.
    pub(crate) fn entry(secs: u64, kind: LogKind, pool: &str, detail: &str) -> LogEntry {
        LogEntry { time: SimTime::from_secs(secs), kind, pool: pool.to_string(), detail: detail.to_string() }
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
}
