//! `lyncsim sweep S.ron --set PATH=V1,V2,... [--set PATH2=...]`: run a scenario at every
//! point of a grid of field values and write `sweep.csv` (a row per point), a chart of each
//! key metric against the values, and each point's results.

use std::path::PathBuf;

use super::args::SweepArgs;
use super::common::{apply_overrides, charts, check_memory, plan, simulate_all, worker_threads};
use super::error::{CliError, ScenarioError, SetFlagError};
use super::load::load_one_quietly;
use super::output::{check_targets, split_out, write_results};
use super::progress;
use crate::report;
use crate::scenario::{self, edit, Diagnostic, Loaded};

/// Most grid points of one sweep.
pub const MAX_POINTS: usize = 1_000;

/// One `--set`: a path and its values (RON text).
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// Scenario path, e.g. `pools[1].registrations_per_sec`.
    pub path: String,
    /// Values as RON text.
    pub values: Vec<String>,
}

/// Parse `PATH=V1,V2,...`. Commas inside parentheses, brackets or quotes do not split
/// (`administrator.failover_after=Exponential(mean: "10m"),Exponential(mean: "1h")`), and a
/// bare duration (`5m`, `1h30m`, `90s`) is quoted for RON.
pub fn parse_set(text: &str) -> Result<Axis, CliError> {
    let bad = |problem| CliError::SetFlag { text: text.to_string(), problem };
    let (path, values) = text.split_once('=').ok_or_else(|| bad(SetFlagError::Syntax))?;
    let path = path.trim();
    if path.is_empty() {
        return Err(bad(SetFlagError::EmptyPath));
    }
    let mut out = Vec::new();
    let (mut depth, mut quoted, mut start) = (0i32, false, 0);
    let bytes = values.as_bytes();
    for (i, &c) in bytes.iter().enumerate() {
        match c {
            b'"' if i == 0 || bytes[i - 1] != b'\\' => quoted = !quoted,
            b'(' | b'[' if !quoted => depth += 1,
            b')' | b']' if !quoted => depth -= 1,
            b',' if !quoted && depth == 0 => {
                out.push(values[start..i].trim().to_string());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(values[start..].trim().to_string());
    if out.iter().any(String::is_empty) {
        return Err(bad(SetFlagError::EmptyValue));
    }
    let values = out.into_iter().map(|v| if is_bare_duration(&v) { format!("\"{v}\"") } else { v }).collect();
    Ok(Axis { path: path.to_string(), values })
}

/// `5m`, `1h30m`, `90s`, `250ms`: digits and units, at least one unit.
fn is_bare_duration(v: &str) -> bool {
    let mut saw_unit = false;
    let mut saw_digit = false;
    let mut rest = v;
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.').len();
        if digits == 0 {
            return false;
        }
        saw_digit = true;
        rest = &rest[digits..];
        let unit = ["ms", "d", "h", "m", "s"].into_iter().find(|u| rest.starts_with(u));
        match unit {
            Some(u) => {
                saw_unit = true;
                rest = &rest[u.len()..];
            }
            None => return false,
        }
    }
    saw_digit && saw_unit
}

/// A value as a table shows it: a quoted string without its quotes.
fn plain(value: &str) -> String {
    match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        Some(inner) if !inner.contains('"') => inner.to_string(),
        _ => value.to_string(),
    }
}

/// Every grid point: one value index per axis, the last axis varying fastest.
fn grid(axes: &[Axis]) -> Vec<Vec<usize>> {
    let mut points = vec![Vec::new()];
    for axis in axes {
        points = points
            .into_iter()
            .flat_map(|p| {
                (0..axis.values.len()).map(move |i| {
                    let mut q = p.clone();
                    q.push(i);
                    q
                })
            })
            .collect();
    }
    points
}

/// Run `lyncsim sweep`.
pub fn sweep(args: SweepArgs) -> Result<(), CliError> {
    let base = load_one_quietly(&args.scenario)?;
    let axes: Vec<Axis> = args.set.iter().map(|s| parse_set(s)).collect::<Result<_, _>>()?;
    let jobs = worker_threads(args.workers)?;
    // The size of the grid before the grid: a product of value counts can be huge.
    let size =
        axes.iter().try_fold(1usize, |n, a| n.checked_mul(a.values.len()).filter(|n| *n <= MAX_POINTS));
    if size.is_none() {
        let counts = axes.iter().map(|a| a.values.len()).collect();
        return Err(CliError::GridTooLarge { counts, limit: MAX_POINTS });
    }
    let points = grid(&axes);
    // Every point's scenario text, loaded and validated before anything runs.
    let mut configs = Vec::with_capacity(points.len());
    let mut warned: Vec<(String, Loaded)> = Vec::new();
    for (k, point) in points.iter().enumerate() {
        let mut text = base.source.clone();
        let mut what = Vec::new();
        for (axis, &i) in axes.iter().zip(point) {
            text = edit::set(&text, &axis.path, &axis.values[i])
                .map_err(|message| CliError::SetField { label: base.label.clone(), message })?;
            what.push(format!("{}={}", axis.path, axis.values[i]));
        }
        let name = format!("{}-{k:03}", base.config.name);
        text = edit::set(&text, "name", &format!("\"{name}\"")).map_err(CliError::NamePoint)?;
        let label = format!("{} with {}", base.label, what.join(", "));
        let mut loaded = scenario::load_str(&label, &text)
            .map_err(|f| CliError::Scenarios(vec![ScenarioError::Invalid(f)]))?;
        apply_overrides([(&mut loaded.config, loaded.label.as_str())], args.overrides)?;
        configs.push(loaded.config.clone());
        if !loaded.warnings.is_empty() {
            warned.push((what.join(", "), loaded));
        }
    }
    let warnings = point_warnings(&warned, points.len());
    if !warnings.is_empty() {
        say_part!("{warnings}");
    }
    let labels: Vec<String> =
        points.iter().enumerate().map(|(k, _)| format!("{}-{k:03}", base.config.name)).collect();
    let studies: Vec<_> =
        configs.iter().zip(&labels).map(|(c, l)| (c, l.as_str(), plan(c, None, None, jobs))).collect();
    let memory = check_memory(&studies, args.workers.max_memory, false)?;
    let out = args.out.clone().unwrap_or_else(|| PathBuf::from(format!("{}-sweep", base.config.name)));
    let (parent, name) = split_out(&out)?;
    check_targets(&[(parent.clone(), name.clone())])?;

    let units: u64 = configs.iter().map(|c| c.replications as u64).sum();
    let bar = progress::bar(units, args.output.quiet);
    bar.set_message("sweep");
    let outcomes = simulate_all(configs, jobs, &memory, &|| bar.inc(1))?;

    let paths: Vec<String> = axes.iter().map(|a| a.path.clone()).collect();
    let points: Vec<report::folder::Point> = points
        .iter()
        .zip(outcomes)
        .map(|(point, o)| (axes.iter().zip(point).map(|(a, &i)| plain(&a.values[i])).collect(), o))
        .collect();
    let duration = |x: &str| scenario::duration::parse_duration(x).ok();
    let files =
        report::folder::sweep(&base.config.name, &paths, &points, charts(&args.output.format), &duration)?;
    let dir = write_results(&parent, &name, &files)?;
    bar.finish_and_clear();
    say!("swept {} points -> {}", points.len(), dir.display());
    Ok(())
}

/// The warnings of the points that have any (each point's edits, e.g. `pools[0].users=9000`,
/// and its loaded scenario), each distinct warning once: prefixed by the points that have it
/// (`pools[0].users=9000: warning: ...`; the first three and a count of the others, or
/// `every point` when all `total` have it), rendered at the first such point (its label
/// names the file and the edits). Warnings are the same when their message, path and help
/// are; positions may differ, as edits change the text. Empty when no point warns.
fn point_warnings(warned: &[(String, Loaded)], total: usize) -> String {
    type Key<'a> = (&'a str, Option<&'a str>, Option<&'a str>);
    fn key(d: &Diagnostic) -> Key<'_> {
        (&d.message, d.path.as_deref(), d.help.as_deref())
    }
    // Each distinct warning in the order first seen, with the points that have it.
    let mut distinct: Vec<(Key, &Diagnostic, &Loaded, Vec<&str>)> = Vec::new();
    for (what, loaded) in warned {
        for d in &loaded.warnings {
            match distinct.iter_mut().find(|(k, ..)| *k == key(d)) {
                Some((.., points)) => points.push(what),
                None => distinct.push((key(d), d, loaded, vec![what])),
            }
        }
    }
    let mut out = Vec::new();
    for (_, d, loaded, points) in distinct {
        let named = if points.len() == total && total > 1 {
            format!("every point ({total})")
        } else if points.len() > 3 {
            format!("{} and {} more points", points[..3].join("; "), points.len() - 3)
        } else {
            points.join("; ")
        };
        out.push(format!("{named}: {}", d.render(&loaded.label, &loaded.source)));
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_values_split_outside_brackets_and_durations_get_quotes() {
        let a = parse_set(r#"administrator.failover_after=Exponential(mean: "10m"),Exponential(mean: "1h")"#)
            .unwrap();
        assert_eq!(a.values, [r#"Exponential(mean: "10m")"#, r#"Exponential(mean: "1h")"#]);
        let a = parse_set("backup_service.sync_interval=1m, 5m,1h30m").unwrap();
        assert_eq!(a.values, [r#""1m""#, r#""5m""#, r#""1h30m""#]);
        let a = parse_set("pools[1].registrations_per_sec=10.0,20.0").unwrap();
        assert_eq!(
            (a.path.as_str(), a.values.as_slice()),
            ("pools[1].registrations_per_sec", &["10.0".to_string(), "20.0".to_string()][..])
        );
        assert!(parse_set("nopath").is_err());
        assert!(parse_set("a=1,,2").is_err());
        assert_eq!(
            grid(&[a.clone(), Axis { path: "x".into(), values: vec!["1".into(), "2".into(), "3".into()] }])
                .len(),
            6
        );
    }
}
