//! The metrics of docs/metrics.md: incidents and their restore times, the counts of
//! failovers, failbacks and cmdlet errors, and the page itself (every key and column a
//! results folder holds is defined there).

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use lyncsim::engine::SimTime;
use lyncsim::model::{ClientState, Feature};
use lyncsim::report::compare::{metric_header, metric_row, Outcome};
use lyncsim::scenario;
use lyncsim::stats::{monte, run_replication, Incident, RunResult};

use crate::support::{bin, run, tempdir};

const H: u64 = 3600;

fn secs(t: SimTime) -> f64 {
    t.as_secs_f64()
}

fn load(path: &str) -> Arc<lyncsim::model::Config> {
    match scenario::load(Path::new(path)) {
        Ok(l) => Arc::new(l.config),
        Err(f) => panic!("{}", f.render()),
    }
}

/// The issue's example: a mirrored back end with a witness loses its principal at 01:00
/// (users notice nothing), then the pool is down from 10:00 to 10:30.
const MIRRORED_THEN_POOL_DOWN: &str = r#"Scenario(
    name: "mirrored-then-pool-down",
    seed: 5,
    horizon: "12h",
    sites: [ Site(name: "dc1") ],
    pools: [
        Pool(fqdn: "pool1.contoso.com", site: "dc1", edition: Enterprise, front_ends: 3,
             back_end: Mirrored(witness: true), users: 5000),
    ],
    events: [
        At("1h", BackEndDown(pool: "pool1.contoso.com", node: Principal)),
        At("10h", PoolDown(pool: "pool1.contoso.com")),
        At("10h30m", PoolUp(pool: "pool1.contoso.com")),
    ],
)"#;

#[test]
fn a_harmless_fault_does_not_start_the_restore_clock() {
    let r = run(MIRRORED_THEN_POOL_DOWN);
    assert_eq!(r.first_fault, Some(SimTime::from_secs(H)), "the SQL loss is the first fault");
    for f in Feature::ALL {
        assert_eq!(r.incident_count(f), 1, "{f:?}: the SQL loss hurt nobody; the pool loss is one incident");
        assert_eq!(r.incidents[f][0].start, SimTime::from_secs(10 * H), "{f:?} counts from the pool loss");
        assert_eq!(r.open_incident(f), None);
    }
    // Back at 10:30 plus the sign-in of 5,000 users: about 35 minutes, not 34,000 s.
    let restore = secs(r.time_to_restore(Feature::Contacts).unwrap());
    assert!((30.0 * 60.0..40.0 * 60.0).contains(&restore), "contacts restored after {restore} s");
    assert_eq!(r.mean_restore_s(Feature::Contacts), Some(restore), "one incident: mean = longest");
    // summary.json says the same.
    let summary: serde_json::Value = serde_json::from_str(&lyncsim::report::summary_json(&r)).unwrap();
    let contacts = &summary["features"]["contacts"];
    assert_eq!(contacts["incidents"], 1);
    assert_eq!(contacts["time_to_restore_s"].as_f64(), Some(restore));
    assert_eq!(contacts["mean_restore_s"].as_f64(), Some(restore));
    assert!(contacts["open_incident_s"].is_null());
}

#[test]
fn actions_during_a_dip_are_one_incident_and_a_failback_starts_its_own() {
    // seed 1: the pool is lost at 01:00; a failover without -DisasterMode is refused at
    // 01:10, one with it runs at 01:15; the pool is repaired at 03:00 and failed back at 03:30.
    let r = run_replication(load("scenarios/seed1-disaster-mode.ron"), 0);
    let contacts = &r.incidents[Feature::Contacts];
    assert_eq!(contacts.len(), 2, "{contacts:?}");
    assert_eq!(contacts[0].start, SimTime::from_secs(H), "from the pool loss, through both failovers");
    let failover = &r.failovers[1];
    assert!(failover.completed.is_some() && failover.error.is_none());
    // Back for 99 % of all users once the failover completed, no later than 99 % of the
    // failed pool's users (its `rto_s`).
    let end = contacts[0].end.unwrap();
    assert!(end >= failover.completed.unwrap() && end <= failover.restored.unwrap(), "{end:?}");
    assert_eq!(contacts[1].start, SimTime::from_secs(3 * H + 1800), "the failback's own incident");
    assert!(contacts.iter().all(|i| i.end.is_some()));
    let (a, b) = (secs(contacts[0].restore().unwrap()), secs(contacts[1].restore().unwrap()));
    assert_eq!(secs(r.time_to_restore(Feature::Contacts).unwrap()), a.max(b));
    assert_eq!(r.mean_restore_s(Feature::Contacts), Some((a + b) / 2.0));
}

#[test]
fn an_incident_open_at_the_horizon_is_reported_as_open() {
    // The pool is lost at 05:00 of a 6 h run and never repaired; nobody fails it over.
    let r = run(&MIRRORED_THEN_POOL_DOWN
        .replace(r#"At("10h", "#, r#"At("5h", "#)
        .replace(r#"        At("10h30m", PoolUp(pool: "pool1.contoso.com")),"#, "")
        .replace(r#"horizon: "12h""#, r#"horizon: "6h""#));
    for f in Feature::ALL {
        assert_eq!(r.incident_count(f), 1);
        assert_eq!(r.time_to_restore(f), None, "{f:?} never came back");
        assert_eq!(r.mean_restore_s(f), None);
        assert_eq!(r.open_incident(f), Some(SimTime::from_secs(H)), "open for the last hour");
    }
    let summary: serde_json::Value = serde_json::from_str(&lyncsim::report::summary_json(&r)).unwrap();
    assert_eq!(summary["features"]["im"]["open_incident_s"].as_f64(), Some(3600.0));
    assert!(summary["features"]["im"]["time_to_restore_s"].is_null());
    // A run without any dip: no incident, and every restore number null.
    let quiet = run(&MIRRORED_THEN_POOL_DOWN
        .replace(
            r#"At("10h", PoolDown(pool: "pool1.contoso.com")),"#,
            r#"At("10h", BackEndUp(pool: "pool1.contoso.com", node: Principal)),"#,
        )
        .replace(r#"        At("10h30m", PoolUp(pool: "pool1.contoso.com")),"#, ""));
    let summary: serde_json::Value = serde_json::from_str(&lyncsim::report::summary_json(&quiet)).unwrap();
    for f in Feature::ALL {
        assert_eq!(quiet.incident_count(f), 0);
        let s = &summary["features"][f.column()];
        assert_eq!(s["incidents"], 0);
        assert!(
            s["time_to_restore_s"].is_null()
                && s["mean_restore_s"].is_null()
                && s["open_incident_s"].is_null()
        );
    }
}

#[test]
fn a_feature_missing_from_the_start_is_one_incident_open_from_zero() {
    // A feature matrix without call park: it is below 99 % from time zero, with no change
    // before it (docs/metrics.md#incidents).
    let r = run(&MIRRORED_THEN_POOL_DOWN.replace(
        "    events: [",
        "    features: Features(full: [im, presence, contacts, voice, pstn, conferencing, call_forwarding_changes, response_groups]),\n    events: [",
    ));
    assert_eq!(r.incidents[Feature::CallPark], vec![Incident { start: SimTime::ZERO, end: None }]);
    assert_eq!(r.open_incident(Feature::CallPark), Some(SimTime::from_secs(12 * H)));
    assert_eq!(r.incident_count(Feature::Contacts), 1, "the others as before");
}

#[test]
fn failovers_failbacks_and_cmdlet_errors_are_counted_apart() {
    // seed 1: one refused failover, one completed failover, one completed failback.
    let r = run_replication(load("scenarios/seed1-disaster-mode.ron"), 0);
    assert_eq!(r.failovers.len(), 3);
    assert_eq!((r.failovers_completed(), r.failbacks_completed(), r.cmdlet_errors()), (1, 1, 1));
    let summary: serde_json::Value = serde_json::from_str(&lyncsim::report::summary_json(&r)).unwrap();
    assert_eq!(
        (&summary["failovers_completed"], &summary["failbacks_completed"], &summary["cmdlet_errors"]),
        (&1.into(), &1.into(), &1.into())
    );
    // comparison.csv and sweep.csv (the same metric columns).
    let header = metric_header();
    let row = metric_row(&Outcome::Single(Box::new(r.clone())));
    let cell = |name: &str| {
        row[header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no {name}"))].clone()
    };
    assert_eq!(cell("failovers_completed"), "1.000000");
    assert_eq!(cell("failbacks_completed"), "1.000000");
    assert_eq!(cell("cmdlet_errors"), "1.000000");
    assert!(!header.iter().any(|h| h == "failovers"), "no column that counts attempts");
    assert_eq!(cell("contacts_incidents"), "2.000000");
    let md = lyncsim::report::compare::comparison_md(&[Outcome::Single(Box::new(r))]);
    assert!(md.contains("| failovers / failbacks completed | cmdlet errors |"), "{md}");
    assert!(md.contains(" | 1 / 1 | 1 | 0 | 0 |\n"), "{md}");
}

/// Six hours of one Standard pool without backup, lost twice and repaired, then lost for
/// good 20 minutes before the end; three replications (client phases differ).
const TWICE_AND_OPEN: &str = r#"Scenario(
    name: "twice-and-open",
    seed: 3,
    replications: 3,
    horizon: "4h",
    sites: [ Site(name: "dc1") ],
    pools: [ Pool(fqdn: "se.contoso.com", site: "dc1", users: 200) ],
    events: [
        At("1h", PoolDown(pool: "se.contoso.com")),
        At("1h30m", PoolUp(pool: "se.contoso.com")),
        At("2h", PoolDown(pool: "se.contoso.com")),
        At("2h10m", PoolUp(pool: "se.contoso.com")),
        At("3h40m", PoolDown(pool: "se.contoso.com")),
    ],
)"#;

#[test]
fn replicated_runs_pool_every_incident_of_every_replication() {
    let config = Arc::new(scenario::load_str("t.ron", TWICE_AND_OPEN).unwrap().config);
    let mc = monte::run(config.clone(), Some(2), &|_| String::new(), &|| ()).unwrap();
    let runs: Vec<RunResult> = (0..3).map(|k| run_replication(config.clone(), k)).collect();
    let f = Feature::Im;
    // Each replication: two restored incidents and one open.
    let mut all: Vec<f64> = Vec::new();
    for (r, rec) in runs.iter().zip(&mc.records) {
        assert_eq!(r.incident_count(f), 3);
        assert_eq!(rec.incidents(f), 3);
        assert_eq!(r.open_incident(f), Some(SimTime::from_secs(20 * 60)));
        all.extend(r.restores(f).map(secs));
    }
    assert_eq!(all.len(), 6);
    assert!(all.iter().all(|&s| s > 600.0 && s < 1800.0 + 900.0), "{all:?}");
    let mut sorted = all.clone();
    sorted.sort_by(f64::total_cmp);
    // Hyndman-Fan type 7 by hand: p50 halfway between the 3rd and 4th of six, p95 at 4.75.
    let p50 = (sorted[2] + sorted[3]) / 2.0;
    let p95 = sorted[4] + 0.75 * (sorted[5] - sorted[4]);
    let mean = all.iter().sum::<f64>() / 6.0;
    let pooled = mc.pooled_restores(f);
    assert_eq!((pooled.incidents, pooled.open), (9, 3));
    let stats = pooled.restore.unwrap();
    assert_eq!(stats.n, 6);
    assert!((stats.mean_s - mean).abs() < 1e-9, "{} vs {mean}", stats.mean_s);
    assert!((stats.p50_s - p50).abs() < 1e-9 && (stats.p95_s - p95).abs() < 1e-9);
    assert_eq!(stats.max_s, sorted[5]);
    // summary.json: the pooled numbers and the statistics over replications.
    let summary: serde_json::Value =
        serde_json::from_str(&lyncsim::report::monte::summary_json(&mc, "x")).unwrap();
    let im = &summary["features"]["im"];
    assert_eq!(im["pooled_incidents"]["incidents"], 9);
    assert_eq!(im["pooled_incidents"]["open_incidents"], 3);
    let close = |v: &serde_json::Value, x: f64| (v.as_f64().unwrap() - x).abs() < 1e-6;
    assert!(close(&im["pooled_incidents"]["mean_restore_s"], mean));
    assert!(close(&im["pooled_incidents"]["p50_restore_s"], p50));
    assert!(close(&im["pooled_incidents"]["p95_restore_s"], p95));
    assert!(close(&im["pooled_incidents"]["max_restore_s"], sorted[5]));
    assert!(close(&im["incidents"]["mean"], 3.0));
    assert!(close(&im["open_incident_s"]["mean"], 1200.0));
    let longest: Vec<f64> = runs.iter().map(|r| secs(r.time_to_restore(f).unwrap())).collect();
    assert!(close(&im["time_to_restore_s"]["mean"], longest.iter().sum::<f64>() / 3.0));
    // replications.csv: a row per replication with its own numbers.
    let csv = String::from_utf8(lyncsim::report::monte::replications_csv(&mc).unwrap()).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    for (line, r) in lines.zip(&runs) {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells[col("im_incidents")], "3");
        assert_eq!(cells[col("im_open_incident_s")], "1200.000");
        assert_eq!(cells[col("im_time_to_restore_s")], format!("{:.3}", secs(r.time_to_restore(f).unwrap())));
    }
}

/// Every key of `summary.json`, by name, at any depth.
fn json_keys(v: &serde_json::Value, out: &mut BTreeSet<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                out.insert(k.clone());
                json_keys(v, out);
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|v| json_keys(v, out)),
        _ => {}
    }
}

/// A CSV column as docs/metrics.md writes it: a feature's name becomes `<feature>`.
fn generic(column: &str) -> String {
    for f in Feature::ALL {
        if column == f.column() {
            return "<feature>".into();
        }
        if let Some(rest) = column.strip_prefix(&format!("{}_", f.column())) {
            return format!("<feature>_{rest}");
        }
    }
    column.to_string()
}

fn columns(csv: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(csv).unwrap_or_else(|e| panic!("{}: {e}", csv.display()));
    text.lines().next().unwrap().split(',').map(String::from).collect()
}

#[test]
fn every_key_and_column_of_the_outputs_is_defined_in_docs_metrics_md() {
    let doc = std::fs::read_to_string("docs/metrics.md").expect("docs/metrics.md exists");
    let defined = |name: &str| doc.contains(&format!("`{name}`"));
    let dir = tempdir("metrics-doc");
    let single = "scenarios/seed1-disaster-mode.ron";
    let replicated = dir.join("twice.ron");
    std::fs::write(&replicated, TWICE_AND_OPEN).unwrap();
    let out = dir.join("out");
    let o = Command::new(bin())
        .args(["run", single, replicated.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let cmp = dir.join("cmp");
    let o = Command::new(bin())
        .args([
            "compare",
            single,
            replicated.to_str().unwrap(),
            "--out",
            cmp.to_str().unwrap(),
            "--format",
            "svg",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));

    let pools_and_features: BTreeSet<String> =
        ["se.contoso.com", "lyncfe03.thelab.info", "lyncfe04.thelab.info"]
            .into_iter()
            .map(String::from)
            .chain(Feature::ALL.iter().map(|f| f.column().to_string()))
            .collect();
    let mut missing = BTreeSet::new();
    for name in ["seed1-disaster-mode", "twice-and-open"] {
        let folder = out.join(name);
        let summary: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(folder.join("summary.json")).unwrap()).unwrap();
        let mut keys = BTreeSet::new();
        json_keys(&summary, &mut keys);
        for k in keys.difference(&pools_and_features) {
            if !defined(k) {
                missing.insert(format!("{name}/summary.json: {k}"));
            }
        }
        let mut csvs = vec!["timeseries.csv", "events.csv"];
        if folder.join("replications.csv").exists() {
            csvs.push("replications.csv");
        }
        for csv in csvs {
            for c in columns(&folder.join(csv)) {
                let g = generic(&c);
                let state = ClientState::ALL.iter().any(|s| s.column() == c);
                if !state && !defined(&g) {
                    missing.insert(format!("{name}/{csv}: {g}"));
                }
            }
        }
    }
    assert!(out.join("twice-and-open/replications.csv").exists());
    for c in columns(&cmp.join("comparison.csv")) {
        let g = generic(&c);
        if !defined(&g) {
            missing.insert(format!("comparison.csv: {g}"));
        }
    }
    // sweep.csv: `point`, the swept paths, then the columns of comparison.csv.
    for c in ["point"] {
        if !defined(c) {
            missing.insert(format!("sweep.csv: {c}"));
        }
    }
    assert!(
        missing.is_empty(),
        "not defined in docs/metrics.md:\n{}",
        missing.into_iter().collect::<Vec<_>>().join("\n")
    );
}

/// docs/model.md#what-each-feature-counts defines every feature: a new feature without its
/// row there fails here (issue 17 item 8: what `conferencing` and `im` count, and why).
#[test]
fn every_feature_is_defined_in_what_each_feature_counts() {
    let doc = std::fs::read_to_string("docs/model.md").expect("docs/model.md exists");
    let start = doc.find("### What each feature counts").expect("the section exists");
    let section = &doc[start..];
    let section = &section[..section[4..].find("\n### ").map_or(section.len(), |e| e + 4)];
    for f in Feature::ALL {
        let row = format!("| `{}` | ", f.column());
        assert!(
            section.contains(&row),
            "docs/model.md#what-each-feature-counts has no row for `{}`",
            f.column()
        );
    }
    for word in ["organise conferences", "joining someone else's conference", "two-party"] {
        assert!(section.contains(word), "the section says {word:?}");
    }
}
