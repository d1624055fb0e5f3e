//! `lyncsim size S.ron --vary PATH=LO..HI[:STEP] --target 'METRIC<=V' [--target ...]`: the
//! smallest value of one field for which every target holds, found by bisection over the
//! grid LO, LO+STEP, ..., HI, assuming the targets hold from some value on (monotone).
//!
//! Each round probes up to [`PROBES_PER_ROUND`] grid points, evenly spread between the
//! largest value known to fail and the smallest known to meet the targets, in parallel. The
//! points of a round depend only on those two bounds, never on `--jobs`, so the same
//! command gives the same probes and the same bytes. The search ends when the two bounds
//! are neighbours: the answer has then been checked against the value just below it. A
//! probe above the answer that fails the targets shows the assumption does not hold; the
//! answer says so. A probe's scenario is the one `sweep --set PATH=V` would run at the same
//! point (same text, same name `<name>-NNN`), and its metrics are the cells of `sweep.csv`.

use std::path::PathBuf;

use super::args::SizeArgs;
use super::common::{apply_overrides, charts, check_memory, plan, simulate_all, worker_threads};
use super::error::{CliError, ScenarioError};
use super::load::load_one_quietly;
use super::output::{check_targets, write_results};
use super::progress;
use crate::report::compare::{metric_header, metric_row, Outcome};
use crate::report::size::{self, Op, Probe, Search, Target, Verdict};
use crate::scenario::{self, edit, Loaded};

/// Grid points probed per round of the bisection, in parallel. Fixed, so that the probes
/// do not depend on the machine.
pub const PROBES_PER_ROUND: usize = 3;

/// Most values a range may hold (a bisection probes about 3 per factor of 4 of them).
pub const MAX_VALUES: u64 = 1_000_000;

/// Most decimals of LO, HI and STEP.
const MAX_DECIMALS: u32 = 9;

/// A `--vary`: the path and the grid of values.
#[derive(Debug, Clone, PartialEq)]
pub struct Vary {
    /// Scenario path, e.g. `pools[0].front_ends`.
    pub path: String,
    /// LO, HI and STEP as written.
    pub texts: (String, String, String),
    /// LO in units of 10^-scale.
    lo: i128,
    /// STEP in the same units.
    step: i128,
    /// Decimals of the values.
    scale: u32,
    /// Values on the grid.
    pub count: usize,
}

impl Vary {
    /// The value at grid point `k`, as written into the scenario: an integer, or a number
    /// with `scale` decimals.
    pub fn value(&self, k: usize) -> String {
        let v = self.lo + self.step * k as i128;
        if self.scale == 0 {
            return v.to_string();
        }
        let unit = 10i128.pow(self.scale);
        let sign = if v < 0 { "-" } else { "" };
        let v = v.abs();
        format!("{sign}{}.{:0width$}", v / unit, v % unit, width = self.scale as usize)
    }
}

/// A decimal number: (digits without the point, decimals); `None` when `text` is not one.
fn decimal(text: &str) -> Option<(i128, u32)> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let ok = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty()
        || !ok(whole)
        || !ok(fraction)
        || fraction.len() > MAX_DECIMALS as usize
        || whole.len() > 15
    {
        return None;
    }
    let v: i128 = format!("{whole}{fraction}").parse().ok()?;
    Some((if negative { -v } else { v }, fraction.len() as u32))
}

/// Parse `PATH=LO..HI[:STEP]`.
pub fn parse_vary(text: &str) -> Result<Vary, CliError> {
    let bad = |problem: String, help: String| CliError::VaryFlag { text: text.to_string(), problem, help };
    let form =
        "write PATH=LO..HI[:STEP], e.g. pools[0].front_ends=2..12 or pools[1].registrations_per_sec=5..60:5";
    let Some((path, range)) = text.split_once('=') else {
        return Err(bad("no `=`".into(), form.into()));
    };
    let (path, range) = (path.trim(), range.trim());
    if path.is_empty() {
        return Err(bad("the path is empty".into(), form.into()));
    }
    let (span, step) = match range.rsplit_once(':') {
        Some((span, step)) => (span.trim(), Some(step.trim())),
        None => (range, None),
    };
    let Some((lo, hi)) = span.split_once("..") else {
        let values: Vec<&str> = span.split(',').map(str::trim).collect();
        let help = if values.len() > 1 {
            format!(
                "size searches a range, not a list (`sweep --set` runs a list): write {path}={}..{}",
                values[0],
                values[values.len() - 1]
            )
        } else {
            format!("write {path}=LO..HI, e.g. {path}={span}..{span}")
        };
        return Err(bad("no range `LO..HI`".into(), help));
    };
    let (lo, hi) = (lo.trim(), hi.trim().trim_start_matches('='));
    let step = step.unwrap_or("1");
    let mut numbers = Vec::new();
    for (name, v) in [("LO", lo), ("HI", hi), ("STEP", step)] {
        match decimal(v) {
            Some(d) => numbers.push(d),
            None => {
                return Err(bad(
                    format!("{name} {v:?} is not a number"),
                    format!(
                        "LO, HI and STEP are numbers (at most {MAX_DECIMALS} decimals): e.g. {path}=2..12 or {path}=5..60:5"
                    ),
                ))
            }
        }
    }
    let scale = numbers.iter().map(|d| d.1).max().unwrap_or(0);
    let at = |(v, s): (i128, u32)| v * 10i128.pow(scale - s);
    let (lo_v, hi_v, step_v) = (at(numbers[0]), at(numbers[1]), at(numbers[2]));
    if step_v <= 0 {
        return Err(bad(
            format!("STEP {step} is not above 0"),
            format!("write {path}={lo}..{hi}:1 or another positive step"),
        ));
    }
    if lo_v > hi_v {
        return Err(bad(
            format!("the range is empty: LO {lo} is above HI {hi}"),
            format!("the range runs upwards: write {path}={hi}..{lo}"),
        ));
    }
    let span = (hi_v - lo_v) as u128;
    if !span.is_multiple_of(step_v as u128) {
        let last =
            Vary { path: path.into(), texts: Default::default(), lo: lo_v, step: step_v, scale, count: 0 }
                .value((span / step_v as u128) as usize);
        return Err(bad(
            format!("HI {hi} is not LO plus a whole number of STEPs {step}"),
            format!("write {path}={lo}..{last}:{step}"),
        ));
    }
    let count = span / step_v as u128 + 1;
    if count > u128::from(MAX_VALUES) {
        return Err(bad(
            format!("the range holds {count} values, more than the limit of {MAX_VALUES}"),
            "a larger STEP, or a narrower range".into(),
        ));
    }
    Ok(Vary {
        path: path.to_string(),
        texts: (lo.to_string(), hi.to_string(), step.to_string()),
        lo: lo_v,
        step: step_v,
        scale,
        count: count as usize,
    })
}

/// Parse `METRIC<=V` (or `>=`, `<`, `>`) against the columns of `sweep.csv`.
pub fn parse_target(text: &str, columns: &[String]) -> Result<Target, CliError> {
    let bad = |problem: String, help: String| CliError::TargetFlag { text: text.to_string(), problem, help };
    let example = "write METRIC<=V or METRIC>=V (also < and >), e.g. contacts_time_to_restore_s<=900";
    let found = text.find(['<', '>']);
    let Some(at) = found else {
        // Name the nearest valid spelling: the longest column the text starts with, then
        // the rest as the value.
        let mut help = example.to_string();
        let near = columns
            .iter()
            .filter_map(|c| text.strip_prefix(c.as_str()).map(|r| (c, r.trim_start_matches(['=', ' ']))))
            .filter(|(_, r)| r.parse::<f64>().is_ok())
            .max_by_key(|(c, _)| c.len());
        if let Some((column, rest)) = near {
            help = format!("did you mean {column}<={rest} or {column}>={rest}?");
        }
        let problem = if text.contains('=') { "`=` is not a comparison" } else { "no comparison operator" };
        return Err(bad(problem.into(), help));
    };
    let (metric, rest) = (text[..at].trim(), &text[at..]);
    let op = Op::ALL.into_iter().find(|op| rest.starts_with(op.symbol())).expect("< or > starts rest");
    let value_text = rest[op.symbol().len()..].trim();
    // `=<` and `=>` are not comparisons (they used to be read as `<` and `>`, silently).
    if let Some(metric) = metric.strip_suffix('=') {
        let metric = metric.trim();
        let (written, meant) = if rest.starts_with('<') { ("=<", "<=") } else { ("=>", ">=") };
        return Err(bad(
            format!("`{written}` is not a comparison"),
            format!("did you mean {metric}{meant}{value_text}?"),
        ));
    }
    if !columns.iter().any(|c| c == metric) {
        let mut help = String::new();
        if let Some(close) = crate::scenario::did_you_mean(metric, columns.iter().map(String::as_str)) {
            help.push_str(&format!("did you mean {close}{}{value_text}? ", op.symbol()));
        }
        if metric
            .rsplit_once("_p")
            .is_some_and(|(_, p)| p.len() == 2 && p.chars().all(|c| c.is_ascii_digit()))
        {
            help.push_str(
                "sweep.csv holds no percentiles: a replicated scenario's columns are means over its \
                 replications, with <feature>_availability_ci95_low and _ci95_high for the 95 % interval; ",
            );
        }
        help.push_str("METRIC is a column of sweep.csv (docs/metrics.md), e.g. contacts_time_to_restore_s, contacts_availability, peak_turned_away_users");
        let problem = if metric.is_empty() {
            "the metric is empty".to_string()
        } else {
            format!("{metric:?} is not a column of sweep.csv")
        };
        return Err(bad(problem, help));
    }
    let value = match value_text.parse::<f64>() {
        Ok(v) if v.is_finite() => v,
        _ => {
            return Err(bad(
                format!("{value_text:?} is not a number"),
                format!("write {metric}{}V with V a number, e.g. {metric}{}900", op.symbol(), op.symbol()),
            ))
        }
    };
    Ok(Target { metric: metric.to_string(), op, value, text: text.trim().to_string() })
}

/// The grid points to probe next: up to [`PROBES_PER_ROUND`] points strictly between
/// `fail` (the largest point known to fail below `pass`, or -1) and `pass` (the smallest
/// point known to meet the targets, or the grid's size), evenly spread; every one of them
/// when there are no more than that. Empty when the two are neighbours.
pub fn next_probes(fail: i64, pass: i64) -> Vec<usize> {
    let inner = pass - fail - 1;
    if inner <= 0 {
        return Vec::new();
    }
    if inner as usize <= PROBES_PER_ROUND {
        return (fail + 1..pass).map(|k| k as usize).collect();
    }
    let parts = PROBES_PER_ROUND as i64 + 1;
    let mut out: Vec<usize> = (1..parts).map(|j| (fail + (pass - fail) * j / parts) as usize).collect();
    out.dedup();
    out
}

/// Whether `o` meets every target, read from its `sweep.csv` cells.
fn meets(o: &Outcome, targets: &[Target], header: &[String]) -> bool {
    let row = metric_row(o);
    targets.iter().all(|t| t.meets(t.cell(header, &row)))
}

/// A path that `edit::set` cannot place: the error, naming `--vary` and the nearest
/// written path.
fn no_such_path(text: &str, source: &str, path: &str, message: String) -> CliError {
    let paths = edit::paths(source);
    // Last first: of equally close paths, the highest index (`pools[5]` -> `pools[1]`).
    let help = match crate::scenario::did_you_mean(path, paths.iter().rev().map(String::as_str)) {
        Some(close) => {
            format!("did you mean {close}? PATH names a field as diagnostics and `sweep --set` do")
        }
        None => {
            "PATH names a field as diagnostics and `sweep --set` do, e.g. pools[0].front_ends".to_string()
        }
    };
    let problem = message.strip_prefix(&format!("{path}: ")).unwrap_or(&message).to_string();
    CliError::VaryFlag { text: text.to_string(), problem, help }
}

/// The scenario at grid point `k`: the text `sweep --set PATH=V` would run at that point,
/// named `<name>-NNN`, loaded and validated.
fn point(base: &Loaded, vary: &Vary, text: &str, k: usize) -> Result<Loaded, CliError> {
    let value = vary.value(k);
    let edited = edit::set(&base.source, &vary.path, &value)
        .map_err(|message| no_such_path(text, &base.source, &vary.path, message))?;
    let name = format!("{}-{k:03}", base.config.name);
    let edited = edit::set(&edited, "name", &format!("\"{name}\"")).map_err(CliError::NamePoint)?;
    let label = format!("{} with --vary {}={value}", base.label, vary.path);
    scenario::load_str(&label, &edited).map_err(|f| CliError::Scenarios(vec![ScenarioError::Invalid(f)]))
}

/// A probe's warning: its grid point, the field path, the message, and the warning as
/// rendered for that probe.
type Warning = (usize, Option<String>, String, String);

/// The warnings to show, each distinct one (same field path and same message) once, with
/// how many other probes gave it: as rendered for the answer's probe when it has it (its
/// warnings are always shown as its own), else for the first probe that had it.
fn warnings(warned: &[Warning], answer: Option<usize>) -> Vec<(String, usize)> {
    let mut out: Vec<(&Option<String>, &String, &String, usize)> = Vec::new();
    for (k, path, message, rendered) in warned {
        match out.iter_mut().find(|(p, m, ..)| *p == path && *m == message) {
            Some(seen) => {
                seen.3 += 1;
                if Some(*k) == answer {
                    seen.2 = rendered;
                }
            }
            None => out.push((path, message, rendered, 0)),
        }
    }
    out.into_iter().map(|(_, _, shown, others)| (shown.clone(), others)).collect()
}

/// When LO, HI or STEP has decimals and the varied field takes whole numbers (the point
/// does not load with decimals but loads with LO's whole part): a `--vary` error naming
/// the ones with decimals, instead of the scenario's "must be a whole number, not 2.0".
fn whole_field(base: &Loaded, vary: &Vary, text: &str) -> Option<CliError> {
    if vary.scale == 0 {
        return None;
    }
    let unit = 10i128.pow(vary.scale);
    let edited = edit::set(&base.source, &vary.path, &(vary.lo / unit).to_string()).ok()?;
    scenario::load_str(&base.label, &edited).ok()?;
    let (lo, hi, step) = &vary.texts;
    let decimals: Vec<String> = [("LO", lo), ("HI", hi), ("STEP", step)]
        .into_iter()
        .filter(|(_, v)| v.contains('.'))
        .map(|(name, v)| format!("{name} {v}"))
        .collect();
    let (lo_v, hi_v) = (vary.lo, vary.lo + vary.step * (vary.count as i128 - 1));
    let whole_lo = lo_v.div_euclid(unit) + i128::from(lo_v.rem_euclid(unit) != 0);
    let whole_hi = hi_v.div_euclid(unit);
    Some(CliError::VaryFlag {
        text: text.to_string(),
        problem: format!(
            "{} takes whole numbers, and {} {} decimals",
            vary.path,
            decimals.join(" and "),
            if decimals.len() == 1 { "has" } else { "have" }
        ),
        help: format!(
            "LO, HI and STEP of a whole-number field are whole numbers, e.g. {}={whole_lo}..{}",
            vary.path,
            whole_hi.max(whole_lo)
        ),
    })
}

/// Run `lyncsim size`.
pub fn size(args: SizeArgs) -> Result<(), CliError> {
    let base = load_one_quietly(&args.scenario)?;
    let vary = parse_vary(&args.vary)?;
    let header = metric_header();
    let targets: Vec<Target> =
        args.target.iter().map(|t| parse_target(t, &header)).collect::<Result<_, _>>()?;
    let jobs = worker_threads(args.workers)?;
    // Each probe's warnings: (point, field path, message, as rendered for that probe),
    // shown after the search (see [`warnings`]).
    let mut warned: Vec<Warning> = Vec::new();
    let mut load = |k: usize| -> Result<crate::model::Config, CliError> {
        let mut loaded = point(&base, &vary, &args.vary, k)?;
        apply_overrides([(&mut loaded.config, loaded.label.as_str())], args.overrides)?;
        for d in &loaded.warnings {
            warned.push((k, d.path.clone(), d.message.clone(), d.render(&loaded.label, &loaded.source)));
        }
        Ok(loaded.config)
    };
    // LO and HI loaded before anything runs: a path or a value the scenario refuses is
    // found now, with nothing written.
    // And the memory budget, before anything runs, for a round of probes like HI (each
    // round is checked again before it runs, with its own values).
    let mut ends = Vec::new();
    for k in [0, vary.count - 1] {
        let mut loaded = point(&base, &vary, &args.vary, k)
            .map_err(|e| whole_field(&base, &vary, &args.vary).unwrap_or(e))?;
        apply_overrides([(&mut loaded.config, loaded.label.as_str())], args.overrides)?;
        ends.push(loaded);
    }
    let hi = &ends[ends.len() - 1];
    let round: Vec<_> = (0..PROBES_PER_ROUND.min(vary.count))
        .map(|_| (&hi.config, hi.label.as_str(), plan(&hi.config, None, None, jobs)))
        .collect();
    check_memory(&round, args.workers.max_memory, false)?;
    let name = format!("{}-size", base.config.name);
    check_targets(&[(args.folder.out.clone(), name.clone())])?;

    let bar = progress::bar(0, args.output.quiet);
    bar.set_message("size");
    let mut probes: Vec<Probe> = Vec::new();
    let (mut fail, mut pass) = (-1i64, vary.count as i64);
    let mut round = 0;
    loop {
        let next = next_probes(fail, pass);
        if next.is_empty() {
            break;
        }
        round += 1;
        let configs = next.iter().map(|&k| load(k)).collect::<Result<Vec<_>, _>>()?;
        let labels: Vec<String> = next.iter().map(|k| format!("{}-{k:03}", base.config.name)).collect();
        let studies: Vec<_> =
            configs.iter().zip(&labels).map(|(c, l)| (c, l.as_str(), plan(c, None, None, jobs))).collect();
        let memory = check_memory(&studies, args.workers.max_memory, false)?;
        bar.inc_length(configs.iter().map(|c| u64::from(c.replications)).sum());
        let outcomes = simulate_all(configs, jobs, &memory, &|| bar.inc(1))?;
        for (&k, outcome) in next.iter().zip(outcomes) {
            if meets(&outcome, &targets, &header) {
                pass = pass.min(k as i64);
            }
            probes.push(Probe { point: k, value: vary.value(k), round, outcome });
        }
        probes.sort_by_key(|p| p.point);
        // The largest failing point below the smallest passing one.
        fail = probes
            .iter()
            .filter(|p| (p.point as i64) < pass && !meets(&p.outcome, &targets, &header))
            .map(|p| p.point as i64)
            .max()
            .unwrap_or(-1);
    }
    let search = Search {
        name: &base.config.name,
        path: &vary.path,
        range: (&vary.texts.0, &vary.texts.1, &vary.texts.2),
        points: vary.count,
        targets: &targets,
        probes: &probes,
    };
    let verdict = Verdict::of(&search);
    let answer = verdict.answer.map(|a| probes[a].point);
    for (shown, others) in warnings(&warned, answer) {
        say_part!("{shown}");
        if others > 0 {
            say!(
                "  (and {others} more loaded value{} give the same warning)",
                if others == 1 { "" } else { "s" }
            );
        }
    }
    let files = size::files(&search, charts(&args.output.format))?;
    let dir = write_results(&args.folder.out, &name, &files)?;
    bar.finish_and_clear();
    say!("{}", size::answer_line(&search, &verdict));
    say!(
        "{} probe{} in {round} round{} (a sweep of the range runs {}) -> {}",
        probes.len(),
        if probes.len() == 1 { "" } else { "s" },
        if round == 1 { "" } else { "s" },
        vary.count,
        PathBuf::from(&dir).display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns() -> Vec<String> {
        metric_header()
    }

    #[test]
    fn ranges_read_integers_and_steps_exactly() {
        let v = parse_vary("pools[0].front_ends=2..12").unwrap();
        assert_eq!(
            (v.path.as_str(), v.count, v.value(0), v.value(10)),
            ("pools[0].front_ends", 11, "2".into(), "12".into())
        );
        let v = parse_vary("pools[1].registrations_per_sec=5..60:5").unwrap();
        assert_eq!((v.count, v.value(1), v.value(11)), (12, "10".into(), "60".into()));
        let v = parse_vary("x=0.5..2:0.25").unwrap();
        assert_eq!((v.count, v.value(0), v.value(6)), (7, "0.50".into(), "2.00".into()));
        let v = parse_vary("x=-1..1").unwrap();
        assert_eq!(v.value(0), "-1");
        let err = |t: &str| parse_vary(t).unwrap_err().to_string();
        assert!(err("x=12..2").contains("the range is empty: LO 12 is above HI 2"), "{}", err("x=12..2"));
        assert!(err("x=12..2").contains("write x=2..12"));
        assert!(err("x=two..12").contains("LO \"two\" is not a number"));
        assert_eq!(parse_vary("x=1..10:3").unwrap().count, 4);
        assert!(err("x=1..9:3").contains("write x=1..7:3"), "{}", err("x=1..9:3"));
        assert!(err("x=2,3,4").contains("write x=2..4"), "{}", err("x=2,3,4"));
        assert!(err("x=1..2:0").contains("STEP 0 is not above 0"));
        assert!(err("nothing").contains("no `=`"));
        assert!(err("x=1..2000000").contains("more than the limit"));
    }

    #[test]
    fn targets_name_a_column_an_operator_and_a_number() {
        let t = parse_target("contacts_time_to_restore_s<=900", &columns()).unwrap();
        assert_eq!((t.metric.as_str(), t.op, t.value), ("contacts_time_to_restore_s", Op::Le, 900.0));
        assert_eq!(parse_target("peak_turned_away_users < 1", &columns()).unwrap().op, Op::Lt);
        assert_eq!(parse_target("contacts_availability>=0.99", &columns()).unwrap().op, Op::Ge);
        let err = |t: &str| parse_target(t, &columns()).unwrap_err().to_string();
        let e = err("contacts_time_to_restor_s<=900");
        assert!(e.contains("\"contacts_time_to_restor_s\" is not a column of sweep.csv"), "{e}");
        assert!(e.contains("did you mean contacts_time_to_restore_s<=900?"), "{e}");
        let e = err("contacts_availability_p05>=0.99");
        assert!(e.contains("holds no percentiles") && e.contains("_ci95_low"), "{e}");
        let e = err("contacts_time_to_restore_s900");
        assert!(
            e.contains("no comparison operator")
                && e.contains("did you mean contacts_time_to_restore_s<=900"),
            "{e}"
        );
        let e = err("peak_turned_away_users=0");
        assert!(e.contains("`=` is not a comparison") && e.contains("peak_turned_away_users<=0"), "{e}");
        assert!(err("contacts_availability>=high").contains("\"high\" is not a number"));
    }

    #[test]
    fn each_round_probes_evenly_between_the_bounds_until_they_meet() {
        assert_eq!(next_probes(-1, 11), vec![2, 5, 8]);
        assert_eq!(next_probes(5, 8), vec![6, 7]);
        assert_eq!(next_probes(6, 7), Vec::<usize>::new());
        assert_eq!(next_probes(-1, 0), Vec::<usize>::new());
        // A whole bisection against a threshold: the answer, its neighbour below probed, and
        // fewer probes than the grid has points.
        for n in [1i64, 2, 5, 11, 100, 1000] {
            for answer in 0..=n {
                let (mut fail, mut pass, mut runs) = (-1i64, n, 0);
                let mut seen = Vec::new();
                loop {
                    let next = next_probes(fail, pass);
                    if next.is_empty() {
                        break;
                    }
                    for k in next {
                        runs += 1;
                        seen.push(k as i64);
                        if k as i64 >= answer {
                            pass = pass.min(k as i64);
                        }
                    }
                    fail = seen.iter().copied().filter(|&k| k < pass && k < answer).max().unwrap_or(-1);
                }
                assert_eq!(pass, answer, "n {n}");
                assert!(answer == 0 || answer == n || seen.contains(&(answer - 1)), "n {n} answer {answer}");
                assert!(runs <= n.max(1) as usize, "n {n} answer {answer}: {runs} runs");
                if n >= 11 {
                    assert!(runs < n as usize, "n {n} answer {answer}: {runs} runs");
                }
            }
        }
    }
}
