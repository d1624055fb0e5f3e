//! `lyncsim sensitivity S.ron [--metric M ...] [--factor F] [--out DIR]`: run the scenario
//! with each of the model's assumptions ([`ASSUMPTIONS`]) that applies to it at ×(1 − F) and
//! ×(1 + F) of its value, one at a time, the others at the scenario's values, and write
//! `DIR/<name>-sensitivity/`: `sensitivity.csv`, a tornado chart per metric and
//! `report.html` ([`crate::report::tornado`]). The values are changed in the scenario's text
//! ([`edit::set`], as `sweep --set` does), so each row is what `run` gives with that one
//! field changed.

use super::args::SensitivityArgs;
use super::common::{apply_overrides, charts, check_memory, plan, simulate_all, worker_threads};
use super::error::CliError;
use super::load::load_one;
use super::output::{check_targets, write_results};
use super::progress;
use crate::report::compare::metric_header;
use crate::report::format::trim_number;
use crate::report::tornado::{self, Study, Varied};
use crate::scenario::assumptions::{Assumption, Value, Vary, ASSUMPTIONS};
use crate::scenario::{self, did_you_mean, edit};

/// The metrics when no `--metric` is given: the availability and time to restore of
/// contacts and voice.
pub const DEFAULT_METRICS: [&str; 4] =
    ["contacts_availability", "contacts_time_to_restore_s", "voice_availability", "voice_time_to_restore_s"];

/// `--factor`: a number strictly between 0 and 1.
fn check_factor(f: f64) -> Result<f64, CliError> {
    if f.is_finite() && f > 0.0 && f < 1.0 {
        return Ok(f);
    }
    Err(CliError::BadFlag {
        flag: "--factor",
        value: f.to_string(),
        problem: "must be a number greater than 0 and less than 1".into(),
        help: Some(
            "the assumptions run at ×(1 − F) and ×(1 + F); the default 0.5 gives ×0.5 and ×1.5".into(),
        ),
    })
}

/// `--metric`s: columns of `sweep.csv` (the defaults when none), each once, in the order
/// given.
fn check_metrics(given: &[String]) -> Result<Vec<String>, CliError> {
    let header = metric_header();
    let asked: Vec<String> = if given.is_empty() {
        DEFAULT_METRICS.iter().map(|m| m.to_string()).collect()
    } else {
        given.iter().map(|m| m.trim().to_string()).collect()
    };
    let mut out: Vec<String> = Vec::new();
    for m in asked {
        if !header.contains(&m) {
            let help = match did_you_mean(&m, header.iter().map(String::as_str)) {
                Some(close) => {
                    format!("did you mean \"{close}\"? the columns are those of sweep.csv (docs/metrics.md)")
                }
                None => format!(
                    "the columns are those of sweep.csv (docs/metrics.md), e.g. {}",
                    DEFAULT_METRICS.join(", ")
                ),
            };
            return Err(CliError::BadFlag {
                flag: "--metric",
                value: m,
                problem: "is not a column of sweep.csv".into(),
                help: Some(help),
            });
        }
        if !out.contains(&m) {
            out.push(m);
        }
    }
    Ok(out)
}

/// Values as a table shows them: one, or each pool's joined by `; ` when they differ.
fn shown(values: &[Value]) -> String {
    let mut texts: Vec<String> = values.iter().map(Value::shown).collect();
    texts.dedup();
    texts.join("; ")
}

/// Scaled values as a table shows them ([`shown`]), each marked `(clamped)` where its valid
/// range clamped it: `1 (clamped)`.
fn shown_marked(values: &[(Value, bool)]) -> String {
    let mut texts: Vec<String> = values
        .iter()
        .map(|(v, clamped)| if *clamped { format!("{} (clamped)", v.shown()) } else { v.shown() })
        .collect();
    texts.dedup();
    texts.join("; ")
}

/// Run `lyncsim sensitivity`.
pub fn sensitivity(args: SensitivityArgs) -> Result<(), CliError> {
    let factor = check_factor(args.factor)?;
    let metrics = check_metrics(&args.metric)?;
    let base = load_one(&args.scenario)?;
    let jobs = worker_threads(args.workers)?;
    let raw = scenario::parse(&base.source).map_err(|d| {
        CliError::Scenarios(vec![super::error::ScenarioError::Invalid(scenario::Failed {
            label: base.label.clone(),
            source: base.source.clone(),
            diagnostics: vec![d],
        })])
    })?;
    let mut base_config = base.config.clone();
    apply_overrides([(&mut base_config, base.label.as_str())], args.overrides)?;

    // Each assumption that applies, with its low and high scenarios (`None`: the value is
    // the base's, clamped to its range: not run, the base's metrics reused); the others and
    // why.
    let mut skipped: Vec<(String, String)> = Vec::new();
    type Side = Option<crate::model::Config>;
    let mut planned: Vec<(&Assumption, [String; 3], Side, Side)> = Vec::new();
    for a in ASSUMPTIONS {
        if let Vary::Not(why) = a.vary {
            skipped.push((a.path.to_string(), why.to_string()));
            continue;
        }
        if let Err(why) = a.applies(&base.config) {
            skipped.push((a.path.to_string(), why));
            continue;
        }
        let at_base = a.base(&raw, &base.config);
        if at_base.is_empty() {
            skipped.push((
                a.path.to_string(),
                "not written in the scenario: its default, None, never acts".into(),
            ));
            continue;
        }
        let base_values: Vec<Value> = at_base.iter().map(|(_, v)| *v).collect();
        let scaled_at =
            |f: f64| -> Vec<(Value, bool)> { base_values.iter().map(|v| a.scale_clamped(*v, f)).collect() };
        let unchanged = |scaled: &[(Value, bool)]| scaled.iter().zip(&base_values).all(|((s, _), b)| s == b);
        let (low_f, high_f) = (1.0 - factor, 1.0 + factor);
        if unchanged(&scaled_at(low_f)) && unchanged(&scaled_at(high_f)) {
            skipped.push((
                a.path.to_string(),
                format!(
                    "{} is the same at ×{} and ×{} (its valid range)",
                    shown(&base_values),
                    trim_number(low_f),
                    trim_number(high_f)
                ),
            ));
            continue;
        }
        let mut sides: Vec<Side> = Vec::new();
        let mut values = vec![shown(&base_values)];
        for f in [low_f, high_f] {
            let scaled = scaled_at(f);
            values.push(shown_marked(&scaled));
            if unchanged(&scaled) {
                sides.push(None);
                continue;
            }
            let mut text = base.source.clone();
            let mut edits = Vec::new();
            for ((path, _), (new, _)) in at_base.iter().zip(&scaled) {
                text = edit::set(&text, path, &new.ron())
                    .map_err(|message| CliError::SetField { label: base.label.clone(), message })?;
                edits.push(format!("{path}={}", new.shown()));
            }
            let label = format!("{} with {}", base.label, edits.join(", "));
            match scenario::load_str(&label, &text) {
                Ok(mut loaded) => {
                    apply_overrides([(&mut loaded.config, loaded.label.as_str())], args.overrides)?;
                    sides.push(Some(loaded.config));
                }
                Err(failed) => {
                    let first = failed
                        .diagnostics
                        .iter()
                        .find(|d| d.is_error())
                        .map_or(String::new(), |d| d.message.clone());
                    skipped.push((
                        a.path.to_string(),
                        format!("{} is not valid in this scenario: {first}", edits.join(", ")),
                    ));
                    break;
                }
            }
        }
        if let (Some(high), Some(low), [b, l, h]) = (sides.pop(), sides.pop(), values.as_slice()) {
            planned.push((a, [b.clone(), l.clone(), h.clone()], low, high));
        }
    }

    // The base, then each side that runs.
    let mut configs = vec![base_config.clone()];
    let mut labels = vec![base.label.clone()];
    for (p, v, low, high) in &planned {
        for (side, value) in [(low, &v[1]), (high, &v[2])] {
            if let Some(c) = side {
                configs.push(c.clone());
                labels.push(format!("{} with {}={}", base.label, p.path, value));
            }
        }
    }
    let studies: Vec<_> =
        configs.iter().zip(&labels).map(|(c, l)| (c, l.as_str(), plan(c, None, None, jobs))).collect();
    let memory = check_memory(&studies, args.workers.max_memory, false)?;
    let out = args.folder.out.clone();
    let name = format!("{}-sensitivity", base.config.name);
    check_targets(&[(out.clone(), name.clone())])?;

    let units: u64 = configs.iter().map(|c| c.replications as u64).sum();
    let runs = configs.len() - 1;
    let bar = progress::bar(units, args.output.quiet);
    bar.set_message("sensitivity");
    let mut outcomes = simulate_all(configs, jobs, &memory, &|| bar.inc(1))?.into_iter();
    let base_outcome = outcomes.next().expect("the base run is first");
    let mut next = |side: &Side| match side {
        Some(_) => (outcomes.next().expect("a run per side that runs"), false),
        None => (base_outcome.clone(), true),
    };
    let varied: Vec<Varied> = planned
        .into_iter()
        .map(|(a, values, low, high)| {
            let (low, low_is_base) = next(&low);
            let (high, high_is_base) = next(&high);
            Varied {
                parameter: a.path.to_string(),
                what: a.what.to_string(),
                why: a.why.to_string(),
                values,
                low,
                high,
                not_run: [low_is_base, high_is_base],
            }
        })
        .collect();
    let study = Study {
        name: &base.config.name,
        factor,
        metrics: &metrics,
        base: &base_outcome,
        varied: &varied,
        skipped: &skipped,
    };
    let files = tornado::folder(&study, charts(&args.output.format))?;
    let dir = write_results(&out, &name, &files)?;
    bar.finish_and_clear();
    say!(
        "varied {} assumptions ({} runs and the base; {} not varied) -> {}",
        varied.len(),
        runs,
        skipped.len(),
        dir.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factors_and_metrics_are_checked() {
        assert_eq!(check_factor(0.25).unwrap(), 0.25);
        for bad in [0.0, 1.0, -0.5, 2.0, f64::NAN] {
            assert!(matches!(check_factor(bad), Err(CliError::BadFlag { flag: "--factor", .. })), "{bad}");
        }
        assert_eq!(check_metrics(&[]).unwrap(), DEFAULT_METRICS);
        let two = ["peak_signin_queue".to_string(), "peak_signin_queue".to_string()];
        assert_eq!(check_metrics(&two).unwrap(), ["peak_signin_queue"]);
        match check_metrics(&["contacts_availabilty".to_string()]) {
            Err(CliError::BadFlag { flag: "--metric", help: Some(h), .. }) => {
                assert!(h.contains("did you mean \"contacts_availability\""), "{h}")
            }
            other => panic!("{other:?}"),
        }
    }
}
