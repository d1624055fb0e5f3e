//! `lyncsim check`: re-run scenarios and compare them with stored results, byte for byte
//! (`summary.json`, `timeseries.csv`, `events.csv`, and `replications.csv` for replicated
//! runs). Exit 1 when anything differs.

use std::sync::Arc;

use serde_json::Value;

use super::args::CheckArgs;
use super::common::{check_memory, plan, simulate, worker_threads};
use super::error::CliError;
use super::load::load_all;
use crate::report::folder::{self, Charts};

/// Files compared, in report order.
const COMPARED: [&str; 4] = ["summary.json", "timeseries.csv", "events.csv", "replications.csv"];

/// Run `lyncsim check`; `Ok(true)` when everything matches.
pub fn check(args: CheckArgs) -> Result<bool, CliError> {
    let loaded = load_all(&args.scenarios)?;
    if !args.baseline.is_dir() {
        return Err(CliError::NoBaseline(args.baseline.clone()));
    }
    // Every scenario has stored results to compare with, before any runs.
    let absent: Vec<String> = loaded
        .iter()
        .map(|l| l.config.name.clone())
        .filter(|name| !args.baseline.join(name).is_dir())
        .collect();
    if !absent.is_empty() {
        return Err(CliError::NotInBaseline { baseline: args.baseline.clone(), names: absent });
    }
    let jobs = worker_threads(args.workers)?;
    let memory = loaded
        .iter()
        .map(|l| {
            check_memory(
                &[(&l.config, l.label.as_str(), plan(&l.config, None, None, jobs))],
                args.workers.max_memory,
                false,
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut all_same = true;
    for (l, memory) in loaded.into_iter().zip(&memory) {
        let name = l.config.name.clone();
        let outcome = simulate(Arc::new(l.config), None, jobs, memory, &|| ())?;
        let files = folder::outcome(&outcome, Charts::NONE)?;
        let dir = args.baseline.join(&name);
        let mut report = Vec::new();
        for file in COMPARED {
            // replications.csv exists only for replicated runs.
            let Some((_, new)) = files.iter().find(|(f, _)| *f == file) else { continue };
            // A streamed file (`timeseries.csv`) is rendered here, one file at a time.
            let new = new.to_bytes()?;
            let path = dir.join(file);
            match std::fs::read(&path) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    report.push(format!("  {file}: missing from {}", dir.display()))
                }
                // A stored file that exists but cannot be read is the user's path: exit 2.
                Err(source) => return Err(CliError::Io { what: "cannot read", path, source }),
                Ok(old) if old == *new => {}
                Ok(old) => report.extend(describe(file, &old, &new)),
            }
        }
        if report.is_empty() {
            say!("{name}: same as {}", dir.display());
        } else {
            all_same = false;
            say!("{name}: differs from {}", dir.display());
            for line in report {
                say!("{line}");
            }
        }
    }
    Ok(all_same)
}

/// What changed in one file, readably: the metrics of `summary.json` with their old and
/// new values, or the first differing line of a CSV file.
fn describe(file: &str, old: &[u8], new: &[u8]) -> Vec<String> {
    let (old, new) = (String::from_utf8_lossy(old), String::from_utf8_lossy(new));
    if file == "summary.json" {
        if let (Ok(a), Ok(b)) = (serde_json::from_str::<Value>(&old), serde_json::from_str::<Value>(&new)) {
            let mut changes = Vec::new();
            diff_json("", &a, &b, &mut changes);
            return changes.into_iter().map(|c| format!("  summary.json: {c}")).collect();
        }
    }
    let (a, b): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    let at = a.iter().zip(&b).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
    let line = |v: &[&str]| v.get(at).map_or("(end of file)".to_string(), |s| s.to_string());
    vec![
        format!("  {file}: {} lines before, {} now; first difference at line {}:", a.len(), b.len(), at + 1),
        format!("    was: {}", line(&a)),
        format!("    now: {}", line(&b)),
    ]
}

/// Every leaf that differs between two JSON values, as `path: old -> new`.
fn diff_json(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                diff_json(&p, x.get(k).unwrap_or(&Value::Null), y.get(k).unwrap_or(&Value::Null), out);
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (u, v)) in x.iter().zip(y).enumerate() {
                diff_json(&format!("{path}[{i}]"), u, v, out);
            }
        }
        _ if a != b => {
            let delta = match (a.as_f64(), b.as_f64()) {
                (Some(u), Some(v)) => format!(" ({:+.6})", v - u),
                _ => String::new(),
            };
            out.push(format!("{path}: {a} -> {b}{delta}"));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_differences_name_the_metric_and_the_change() {
        let a: Value =
            serde_json::from_str(r#"{"features": {"voice": {"availability": 0.99}}, "seed": 1}"#).unwrap();
        let b: Value =
            serde_json::from_str(r#"{"features": {"voice": {"availability": 0.98}}, "seed": 1}"#).unwrap();
        let mut out = Vec::new();
        diff_json("", &a, &b, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0], "features.voice.availability: 0.99 -> 0.98 (-0.010000)");
    }

    #[test]
    fn csv_differences_show_the_first_differing_line() {
        let lines = describe("events.csv", b"h\n1,a\n2,b\n", b"h\n1,a\n2,c\n");
        assert_eq!(lines[0], "  events.csv: 3 lines before, 3 now; first difference at line 3:");
        assert_eq!(lines[1], "    was: 2,b");
        assert_eq!(lines[2], "    now: 2,c");
    }
}
