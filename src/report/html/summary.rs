//! A scenario's section of `report.html`, read from its `summary.json` (either shape: a
//! single run's plain numbers or a replicated run's statistics objects): provenance,
//! features, peaks, failovers, the Backup Service, the chart and the scenario file.

use std::fmt::Write as _;

use serde_json::{Map, Value};

use super::page::{esc, figure};
use crate::model::{Feature, Phase};
use crate::report::format::{at, clock, count, dur, pct};

/// One scenario's part of a report.
pub struct ScenarioPart<'a> {
    /// The scenario's name (also its results folder).
    pub name: &'a str,
    /// The scenario's description.
    pub description: &'a str,
    /// The scenario file's text, shown verbatim (escaped) in a collapsible `<details>`.
    pub source: &'a str,
    /// The file name or path as given.
    pub file: &'a str,
    /// `summary.json` text (pretty JSON); its key numbers are rendered as tables.
    pub summary_json: &'a str,
    /// `availability.svg` text, embedded inline (any XML prolog or DOCTYPE before the
    /// `<svg` is dropped).
    pub chart_svg: Option<&'a str>,
    /// `distribution.svg` of a replicated run, embedded inline like the chart.
    pub distribution_svg: Option<&'a str>,
}

impl<'a> ScenarioPart<'a> {
    /// A scenario's part of a report without charts: its name, description, text and file
    /// from its configuration, and its `summary.json`.
    pub fn new(config: &'a crate::model::Config, summary_json: &'a str) -> Self {
        ScenarioPart {
            name: &config.name,
            description: &config.description,
            source: &config.source,
            file: &config.file,
            summary_json,
            chart_svg: None,
            distribution_svg: None,
        }
    }
}

type Fmt = fn(f64) -> String;

/// The statistics object of a replicated summary (`{mean, ci95_low, ...}`), if `v` is one.
fn stats(v: &Value) -> Option<&Map<String, Value>> {
    v.as_object().filter(|o| o.contains_key("mean"))
}

fn num(v: Option<&Value>) -> Option<f64> {
    v.and_then(Value::as_f64)
}

/// A plain value: a number through `fmt`, `null` as a dash, a string escaped.
fn plain(v: Option<&Value>, fmt: Fmt) -> String {
    match v {
        None | Some(Value::Null) => "—".to_string(),
        Some(Value::Number(n)) => n.as_f64().map_or_else(|| esc(&n.to_string()), fmt),
        Some(Value::Bool(b)) => (if *b { "yes" } else { "no" }).to_string(),
        Some(Value::String(s)) => esc(s),
        Some(other) => esc(&other.to_string()),
    }
}

fn range(o: &Map<String, Value>, lo: &str, hi: &str, fmt: Fmt) -> Option<String> {
    Some(format!("{} – {}", fmt(num(o.get(lo))?), fmt(num(o.get(hi))?)))
}

/// A table cell (`<td>`) for a value of either shape: a replicated statistic shows the mean,
/// then the 95 % CI of the mean, the p05-p95 range and `n` in small print.
fn cell(out: &mut String, v: Option<&Value>, fmt: Fmt) {
    match v.and_then(stats) {
        Some(o) => {
            let _ = write!(out, "<td class=\"num\">{}", plain(o.get("mean"), fmt));
            if let Some(ci) = range(o, "ci95_low", "ci95_high", fmt) {
                let _ = write!(out, "<span class=\"stat\">95 % CI {ci}</span>");
            }
            if let Some(p) = range(o, "p05", "p95", fmt) {
                let _ = write!(out, "<span class=\"stat\">p05–p95 {p}</span>");
            }
            if let Some(n) = o.get("n") {
                let _ = write!(out, "<span class=\"stat\">n = {}</span>", plain(Some(n), count));
            }
            out.push_str("</td>");
        }
        None => {
            let _ = write!(out, "<td class=\"num\">{}</td>", plain(v, fmt));
        }
    }
}

/// A table of named quantities. Replicated statistics get one column per statistic;
/// plain numbers a single value column.
fn quantities(out: &mut String, caption: &str, rows: &[(String, Option<&Value>, Fmt)]) {
    let replicated = rows.iter().any(|(_, v, _)| v.and_then(|v| stats(v)).is_some());
    let with_n = rows.iter().any(|(_, v, _)| v.and_then(|v| stats(v)).is_some_and(|o| o.contains_key("n")));
    out.push_str("<div class=\"scroll\"><table class=\"q\">\n");
    if !caption.is_empty() {
        let _ = writeln!(out, "<caption>{}</caption>", esc(caption));
    }
    if replicated {
        out.push_str(
            "<thead><tr><th>quantity</th><th class=\"num\">mean</th><th class=\"num\">95 % CI of the mean</th>\
             <th class=\"num\">p05</th><th class=\"num\">p50</th><th class=\"num\">p95</th>",
        );
        if with_n {
            out.push_str("<th class=\"num\">n</th>");
        }
        out.push_str("</tr></thead>\n");
    } else {
        out.push_str("<thead><tr><th>quantity</th><th class=\"num\">value</th></tr></thead>\n");
    }
    out.push_str("<tbody>\n");
    for (label, v, fmt) in rows {
        let _ = write!(out, "<tr><th>{}</th>", esc(label));
        match (replicated, v.and_then(|v| stats(v))) {
            (true, Some(o)) => {
                let td = |x: Option<String>| format!("<td class=\"num\">{}</td>", x.unwrap_or("—".into()));
                out.push_str(&td(Some(plain(o.get("mean"), *fmt))));
                out.push_str(&td(range(o, "ci95_low", "ci95_high", *fmt)));
                for k in ["p05", "p50", "p95"] {
                    out.push_str(&td(num(o.get(k)).map(fmt)));
                }
                if with_n {
                    out.push_str(&td(o.get("n").map(|n| plain(Some(n), count))));
                }
            }
            (true, None) => {
                let _ = write!(out, "<td class=\"num\">{}</td>", plain(*v, *fmt));
                let blanks = if with_n { 5 } else { 4 };
                for _ in 0..blanks {
                    out.push_str("<td class=\"num\"></td>");
                }
            }
            (false, _) => cell(out, *v, *fmt),
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
}

fn feature_label(column: &str) -> String {
    match column {
        "im" => "IM".to_string(),
        other => {
            let mut s = other.replace('_', " ");
            if let Some(first) = s.get(..1) {
                let upper = first.to_ascii_uppercase();
                s.replace_range(..1, &upper);
            }
            s
        }
    }
}

/// Scenario number `index`'s section.
pub(super) fn scenario(out: &mut String, index: usize, part: &ScenarioPart) {
    let _ = writeln!(out, "<section class=\"scenario\" id=\"scenario-{index}\">");
    let _ = writeln!(out, "<h2>{}</h2>", esc(part.name));
    if !part.description.is_empty() {
        let _ = writeln!(out, "<p class=\"desc\">{}</p>", esc(part.description));
    }
    let summary: Value = match serde_json::from_str(part.summary_json) {
        Ok(v) => v,
        Err(e) => {
            let _ = writeln!(
                out,
                "<p class=\"note\">summary.json could not be read: {}</p>",
                esc(&e.to_string())
            );
            Value::Null
        }
    };
    let empty = Map::new();
    let s = summary.as_object().unwrap_or(&empty);
    provenance(out, part, s);
    features(out, s);
    peaks(out, s);
    failovers(out, s);
    backup_service(out, s);

    if let Some(svg) = part.chart_svg {
        out.push_str("<h3>Availability over time</h3>\n");
        figure(out, "", svg);
    }
    if let Some(svg) = part.distribution_svg {
        out.push_str("<h3>Distribution over replications</h3>\n");
        figure(out, "", svg);
    }
    let _ = writeln!(
        out,
        "<details><summary>Scenario file <code>{}</code></summary>\n<pre><code>{}</code></pre></details>",
        esc(part.file),
        esc(part.source)
    );
    out.push_str("</section>\n");
}

fn provenance(out: &mut String, part: &ScenarioPart, s: &Map<String, Value>) {
    out.push_str("<h3>Provenance</h3>\n<div class=\"prov\">\n");
    let mut item = |label: &str, value: String, class: &str| {
        let _ = writeln!(out, "<div{class}><span class=\"k\">{}</span>{value}</div>", esc(label));
    };
    item("scenario file", format!("<code>{}</code>", esc(part.file)), " class=\"file\"");
    if let Some(p) = s.get("product") {
        item("product", plain(Some(p), count), "");
    }
    if let Some(u) = s.get("users") {
        item("users", plain(Some(u), count), "");
    }
    if let Some(h) = s.get("horizon_s") {
        item("horizon", plain(Some(h), dur), "");
    }
    // The seed as written: a u64 may not survive a trip through f64.
    let seed = match s.get("seed") {
        Some(Value::Number(n)) => esc(&n.to_string()),
        other => plain(other, count),
    };
    item("seed", seed, "");
    item("replications", plain(s.get("replications"), count), "");
    if let Some(k) = s.get("replication") {
        item("replication (run alone)", plain(Some(k), count), "");
    }
    item("lyncsim version", plain(s.get("lyncsim_version"), count), "");
    let code = |v: Option<&Value>| format!("<code class=\"hash\">{}</code>", plain(v, count));
    item("scenario_sha256", code(s.get("scenario_sha256")), " class=\"full\"");
    item("fingerprint (SHA-256 of events.csv)", code(s.get("fingerprint")), " class=\"full\"");
    out.push_str("</div>\n");
}

fn features(out: &mut String, s: &Map<String, Value>) {
    let Some(features) = s.get("features").and_then(Value::as_object) else {
        return;
    };
    let worst = s.get("worst_replication").and_then(Value::as_object);
    let mut keys: Vec<&str> =
        Feature::ALL.iter().map(|f| f.column()).filter(|k| features.contains_key(*k)).collect();
    let others: Vec<&str> = features.keys().map(String::as_str).filter(|k| !keys.contains(k)).collect();
    keys.extend(others);

    out.push_str(
        "<h3>Features</h3>\n<div class=\"scroll\"><table class=\"wide\">\n<thead><tr><th>feature</th>",
    );
    out.push_str("<th class=\"num\">availability</th><th class=\"num\">user-minutes lost</th>");
    out.push_str(
        "<th class=\"num\">incidents</th><th class=\"num\">longest restore</th>\
         <th class=\"num\">mean restore</th><th class=\"num\">open at the end, so far</th>",
    );
    if worst.is_some() {
        out.push_str("<th class=\"num\">worst replication</th>");
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for &k in &keys {
        let f = features.get(k);
        let field = |name: &str| f.and_then(|f| f.get(name));
        let _ = write!(out, "<tr><th>{}</th>", esc(&feature_label(k)));
        cell(out, field("availability"), pct);
        cell(out, field("user_minutes_lost"), count);
        cell(out, field("incidents"), count);
        cell(out, field("time_to_restore_s"), dur);
        cell(out, field("mean_restore_s"), dur);
        cell(out, field("open_incident_s"), dur);
        if let Some(w) = worst {
            cell(out, w.get(k), count);
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
    let replicated = features.values().any(|f| f.get("availability").and_then(stats).is_some());
    if replicated {
        out.push_str(
            "<p class=\"note\">Mean over the replications; below it the 95 % confidence interval of \
             the mean and the 5th–95th percentiles of the replications; n: how many replications \
             have the quantity (longest and mean restore: those where an incident ended; open: \
             those that ended with an incident still open).</p>\n",
        );
        pooled_incidents(out, features, &keys);
    }
    out.push_str(INCIDENT_NOTE);
}

/// What an incident is, in the words of README.md and docs/metrics.md.
const INCIDENT_NOTE: &str = "<p class=\"note\">Availability: share of user-time with the feature \
     over the horizon. An incident of a feature runs from the fault, repair or administrator action \
     that preceded its fall below 99 % of all users until it is back at or above 99 %; the longest \
     restore is the number a recovery-time objective is checked against; a dash: no incident \
     ended. An incident still open at the end of the run is not restored: its time so far is \
     a lower bound (docs/metrics.md).</p>\n";

/// Every incident of every replication, per feature: counts and restore statistics.
fn pooled_incidents(out: &mut String, features: &Map<String, Value>, keys: &[&str]) {
    out.push_str(
        "<h3>Incidents of all replications together</h3>\n<div class=\"scroll\"><table class=\"wide\">\n\
         <thead><tr><th>feature</th><th class=\"num\">incidents</th><th class=\"num\">open at the end</th>\
         <th class=\"num\">mean restore</th><th class=\"num\">p50</th><th class=\"num\">p95</th>\
         <th class=\"num\">longest</th></tr></thead>\n<tbody>\n",
    );
    for &k in keys {
        let p = features.get(k).and_then(|f| f.get("pooled_incidents"));
        let g = |name: &str| p.and_then(|p| p.get(name));
        let _ = write!(out, "<tr><th>{}</th>", esc(&feature_label(k)));
        cell(out, g("incidents"), count);
        cell(out, g("open_incidents"), count);
        for name in ["mean_restore_s", "p50_restore_s", "p95_restore_s", "max_restore_s"] {
            cell(out, g(name), dur);
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
}

fn peaks(out: &mut String, s: &Map<String, Value>) {
    let mut rows: Vec<(String, Option<&Value>, Fmt)> = vec![
        ("peak users in resiliency mode".into(), s.get("peak_resiliency_users"), count),
        ("peak users offline".into(), s.get("peak_offline_users"), count),
        ("peak sign-in queue".into(), s.get("peak_signin_queue"), count),
        ("sign-ins refused at MaxUserCount".into(), s.get("refused_sign_ins"), count),
        ("peak users turned away at MaxUserCount".into(), s.get("peak_turned_away_users"), count),
        ("realized RPO (data lost)".into(), s.get("rpo_realized_s"), dur),
        ("realized RPO (changes lost)".into(), s.get("rpo_realized_changes"), count),
    ];
    if let Some(by_phase) = s.get("peak_signin_queue_by_phase").and_then(Value::as_object) {
        for p in Phase::ALL {
            rows.push((format!("peak sign-in queue {}", p.label()), by_phase.get(p.column()), count));
        }
    }
    if s.contains_key("first_fault_s") {
        rows.push(("first fault".into(), s.get("first_fault_s"), at));
    }
    if let Some(per_fe) = s.get("peak_users_per_front_end").and_then(Value::as_object) {
        for (pool, v) in per_fe {
            rows.push((format!("peak users per front end: {pool}"), Some(v), count));
        }
    }
    if s.contains_key("events_processed") {
        rows.push(("events processed".into(), s.get("events_processed"), count));
    }
    out.push_str("<h3>Peaks</h3>\n");
    quantities(out, "", &rows);
}

fn failovers(out: &mut String, s: &Map<String, Value>) {
    out.push_str("<h3>Failovers and failbacks</h3>\n");
    let mut rows: Vec<(String, Option<&Value>, Fmt)> = vec![
        ("failovers completed".into(), s.get("failovers_completed"), count),
        ("failbacks completed".into(), s.get("failbacks_completed"), count),
        ("cmdlet errors".into(), s.get("cmdlet_errors"), count),
    ];
    if s.contains_key("failover_duration_s") {
        rows.push(("failover duration".into(), s.get("failover_duration_s"), dur));
    }
    if rows.iter().any(|(_, v, _)| v.is_some()) {
        quantities(out, "", &rows);
    }
    match s.get("failovers") {
        Some(Value::Array(list)) if list.is_empty() => {
            out.push_str("<p class=\"muted\">No failover or failback cmdlet ran.</p>\n");
        }
        Some(Value::Array(list)) => {
            out.push_str(
                "<div class=\"scroll\"><table class=\"wide fo\">\n<thead><tr><th>cmdlet</th><th>pool</th>\
                 <th class=\"num\">started</th><th class=\"num\">completed</th><th class=\"num\">duration</th>\
                 <th>disaster mode</th><th class=\"num\">data lost</th><th class=\"num\">changes lost</th>\
                 <th class=\"num\">RTO</th>\
                 <th>error</th></tr></thead>\n<tbody>\n",
            );
            for f in list {
                let g = |k: &str| f.get(k);
                let (cmdlet, pool) = (plain(g("cmdlet"), count), plain(g("pool"), count));
                let _ = write!(out, "<tr><td class=\"nw\">{cmdlet}</td><td class=\"nw\">{pool}</td>");
                cell(out, g("started_s"), clock);
                cell(out, g("completed_s"), clock);
                cell(out, g("duration_s"), dur);
                let _ = write!(out, "<td>{}</td>", plain(g("disaster_mode"), count));
                cell(out, g("data_lost_s"), dur);
                cell(out, g("data_lost_changes"), count);
                cell(out, g("rto_s"), dur);
                let error = g("error").filter(|e| !e.is_null());
                let class = if error.is_some() { " class=\"err\"" } else { "" };
                let _ = writeln!(out, "<td{class}>{}</td></tr>", plain(error, count));
            }
            out.push_str("</tbody></table></div>\n");
            out.push_str(
                "<p class=\"note\">Times from the start of the run. RTO: from the cmdlet's start until \
                 99 % of the pool's homed users have their contact list again. Cmdlet errors count \
                 every administrator command that failed (refused or abandoned), not only these.</p>\n",
            );
        }
        _ if s.contains_key("failovers_completed") => {
            out.push_str(
                "<p class=\"note\">Per replication; failover duration over every completed \
                 failover of every replication.</p>\n",
            );
        }
        _ => out.push_str("<p class=\"muted\">—</p>\n"),
    }
}

fn backup_service(out: &mut String, s: &Map<String, Value>) {
    let Some(list) = s.get("backup_service").and_then(Value::as_array).filter(|l| !l.is_empty()) else {
        return;
    };
    out.push_str(
        "<h3>Backup Service at the end of the run</h3>\n<div class=\"scroll\"><table>\n<thead><tr>\
         <th>users' data of</th><th>from</th><th>to</th><th>export state</th><th>import state</th>\
         <th class=\"num\">not yet replicated</th></tr></thead>\n<tbody>\n",
    );
    for b in list {
        let g = |k: &str| b.get(k);
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
            plain(g("pool"), count),
            plain(g("from"), count),
            plain(g("to"), count),
            plain(g("export_state"), count),
            plain(g("import_state"), count)
        );
        cell(out, g("unreplicated_s"), dur);
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
}
