//! `lyncsim compare`: several scenarios, one comparison folder.

use std::process::Command;

use crate::support::{bin, tempdir};

const PAIR: &str = r#"Scenario(
    name: "NAME",
    seed: 3,
    REPLICATIONS
    horizon: "6h",
    sample_every: "1m",
    sites: [ Site(name: "dc1"), Site(name: "dc2") ],
    pools: [
        Pool(fqdn: "a.contoso.com", site: "dc1", users: 300, backup_pool: Some("b.contoso.com")),
        Pool(fqdn: "b.contoso.com", site: "dc2", users: 200, backup_pool: Some("a.contoso.com")),
    ],
    events: [ At("1h", PoolDown(pool: "b.contoso.com")), At("3h", PoolUp(pool: "b.contoso.com")) ],
    EXTRA
)"#;

fn scenario(dir: &std::path::Path, name: &str, replications: &str, extra: &str) -> String {
    let path = dir.join(format!("{name}.ron"));
    let text = PAIR.replace("NAME", name).replace("REPLICATIONS", replications).replace("EXTRA", extra);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

fn lyncsim(args: &[&str]) -> std::process::Output {
    Command::new(bin()).args(args).output().unwrap()
}

#[test]
fn compare_writes_one_folder_with_a_row_per_scenario() {
    let dir = tempdir("compare");
    let waits = scenario(&dir, "waits", "", "");
    let fails_over = scenario(
        &dir,
        "fails-over",
        "replications: 6,",
        r#"administrator: Some(Administrator(failover_after: Some(Exponential(mean: "15m")), disaster_mode: true, failback_after: Some("30m"))),"#,
    );
    let out = dir.join("cmp");
    let o = lyncsim(&[
        "compare",
        &waits,
        &fails_over,
        "--quiet",
        "--format",
        "svg",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let csv = std::fs::read_to_string(out.join("comparison.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "a header and a row per scenario:\n{csv}");
    assert!(lines[0].starts_with("scenario,replications,users,horizon_s,im_availability,"), "{}", lines[0]);
    assert!(lines[1].starts_with("waits,1,500,") && lines[2].starts_with("fails-over,6,500,"), "{csv}");
    let md = std::fs::read_to_string(out.join("comparison.md")).unwrap();
    assert!(md.contains("| waits | 6 h | 1 |") && md.contains("| fails-over | 6 h | 6 |"), "{md}");
    assert!(!String::from_utf8_lossy(&o.stderr).contains("horizons differ"), "one horizon, no warning");
    // Failing over brings contacts back: the replicated scenario has the better contacts.
    let col = |line: &str, name: &str| -> f64 {
        let header: Vec<&str> = lines[0].split(',').collect();
        let i = header.iter().position(|h| *h == name).unwrap();
        line.split(',').nth(i).unwrap().parse().unwrap()
    };
    assert!(col(lines[2], "contacts_availability") > col(lines[1], "contacts_availability"), "{csv}");
    assert!(col(lines[2], "contacts_availability_ci95_low") <= col(lines[2], "contacts_availability"));
    // The sign-in queue's peak per phase (docs/model.md#phases-of-a-run): empty for a phase
    // the scenario never entered, the mean over the replications that did otherwise.
    let cell = |line: &str, name: &str| -> String {
        let header: Vec<&str> = lines[0].split(',').collect();
        let i = header.iter().position(|h| *h == name).unwrap_or_else(|| panic!("no column {name}"));
        line.split(',').nth(i).unwrap().to_string()
    };
    assert!(cell(lines[1], "peak_signin_queue_after_fault").parse::<f64>().is_ok(), "{csv}");
    assert_eq!(cell(lines[1], "peak_signin_queue_failover"), "", "waits never fails over");
    assert_eq!(cell(lines[1], "peak_signin_queue_failback"), "");
    assert!(cell(lines[2], "peak_signin_queue_failback").parse::<f64>().is_ok_and(|q| q > 0.0), "{csv}");
    for name in ["waits", "fails-over"] {
        assert!(out.join(name).join("summary.json").is_file(), "{name}'s own results are inside");
    }
    for f in ["im", "contacts", "voice", "response_groups"] {
        let svg = std::fs::read_to_string(out.join(format!("{f}.svg"))).unwrap();
        assert!(svg.contains("waits") && svg.contains("fails-over"), "{f}.svg overlays every scenario");
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Comparison") && html.contains("fails-over") && html.contains("<svg"));
    // Same bytes whatever the threads.
    let again = dir.join("again");
    let o = lyncsim(&[
        "compare",
        &waits,
        &fails_over,
        "--quiet",
        "--format",
        "svg",
        "--jobs",
        "1",
        "--out",
        again.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    for f in ["comparison.csv", "comparison.md", "contacts.svg", "report.html", "fails-over/summary.json"] {
        assert!(std::fs::read(out.join(f)).unwrap() == std::fs::read(again.join(f)).unwrap(), "{f}");
    }
}

#[test]
fn compare_needs_two_scenarios() {
    let dir = tempdir("compare-one");
    let one = scenario(&dir, "one", "", "");
    let o = lyncsim(&["compare", &one, "--out", dir.join("c").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("at least two scenarios"));
}

#[test]
fn different_horizons_are_named_and_not_ranked_against_each_other() {
    // Before: no warning, no horizon in comparison.md, the 30-day scenario (whose 2-hour
    // outage is a small share of its horizon) bold as "best" over the 6-hour ones, and the
    // 6-hour lines squeezed into the left fifth of the overlay charts.
    let dir = tempdir("compare-horizons");
    let short = scenario(&dir, "short", "", "");
    let other = scenario(&dir, "other", "", r#"features: Features(full: [im, voice]),"#);
    let long = PAIR.replace("NAME", "long").replace("REPLICATIONS", "").replace("EXTRA", "");
    let long = long.replace(r#"horizon: "6h""#, r#"horizon: "30d""#);
    let long_path = dir.join("long.ron");
    std::fs::write(&long_path, long).unwrap();
    let out = dir.join("cmp");
    let o = lyncsim(&[
        "compare",
        &short,
        long_path.to_str().unwrap(),
        &other,
        "--quiet",
        "--format",
        "svg",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("warning: the scenarios' horizons differ (short 6 h, long 30 days, other 6 h): "),
        "{err}"
    );
    let csv = std::fs::read_to_string(out.join("comparison.csv")).unwrap();
    let horizons: Vec<&str> = csv.lines().skip(1).map(|l| l.split(',').nth(3).unwrap()).collect();
    assert_eq!(horizons, ["21600.000000", "2592000.000000", "21600.000000"], "{csv}");
    let md = std::fs::read_to_string(out.join("comparison.md")).unwrap();
    let row = |name: &str| md.lines().find(|l| l.starts_with(&format!("| {name} |"))).unwrap().to_string();
    assert!(row("long").starts_with("| long | 30 days | 1 |") && !row("long").contains("**"), "{md}");
    assert!(row("short").starts_with("| short | 6 h | 1 |") && row("short").contains("**"), "{md}");
    assert!(md.contains("among scenarios of the same horizon") && md.contains("horizons differ"), "{md}");
    let svg = std::fs::read_to_string(out.join("contacts.svg")).unwrap();
    assert!(svg.contains("one panel per horizon group (2)"), "a panel per horizon group");
    assert!(svg.contains("time (h); horizon 6 h") && svg.contains("time (days); horizon 30 days"));
}
