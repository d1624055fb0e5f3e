//! `lyncsim sweep`: a scenario over a grid of field values.

use std::process::Command;

use crate::support::{bin, tempdir};

const SCENARIO: &str = r#"Scenario(
    name: "storm",
    seed: 4,
    horizon: "4h",
    sample_every: "1m",
    sites: [ Site(name: "dc1"), Site(name: "dc2") ],
    pools: [
        Pool(fqdn: "a.contoso.com", site: "dc1", users: 1500, backup_pool: Some("b.contoso.com")),
        Pool(fqdn: "b.contoso.com", site: "dc2", users: 1500, backup_pool: Some("a.contoso.com")),
    ],
    events: [
        At("1h", PoolDown(pool: "b.contoso.com")),
        At("1h15m", InvokeCsPoolFailover(pool: "b.contoso.com", disaster_mode: true)),
    ],
)"#;

#[test]
fn sweep_runs_every_grid_point_and_tabulates_them() {
    let dir = tempdir("sweep");
    let path = dir.join("storm.ron");
    std::fs::write(&path, SCENARIO).unwrap();
    let out = dir.join("sw");
    let o = Command::new(bin())
        .args(["sweep", path.to_str().unwrap(), "--quiet", "--format", "svg", "--out", out.to_str().unwrap()])
        .args([
            "--set",
            "pools[0].registrations_per_sec=5.0,50.0",
            "--set",
            "backup_service.sync_interval=1m,10m",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 1 + 4, "{csv}");
    assert_eq!(rows[0][..3], ["point", "pools[0].registrations_per_sec", "backup_service.sync_interval"]);
    assert_eq!((rows[1][1], rows[1][2], rows[4][1], rows[4][2]), ("5.0", "1m", "50.0", "10m"));
    let col = |name: &str| rows[0].iter().position(|h| *h == name).unwrap();
    let contacts = |r: usize| rows[r][col("contacts_availability")].parse::<f64>().unwrap();
    let queue = |r: usize| rows[r][col("peak_signin_queue")].parse::<f64>().unwrap();
    // A faster sign-in server on the surviving pool drains the failover storm sooner.
    assert!(contacts(3) > contacts(1) && queue(3) < queue(1), "{csv}");
    for k in 0..4 {
        assert!(out.join(format!("storm-{k:03}/summary.json")).is_file());
    }
    assert!(out.join("sweep-contacts_availability.svg").is_file(), "a chart per key metric");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Sweep of storm") && html.contains("<svg"), "report.html with the charts inline");
}

#[test]
fn a_path_that_does_not_exist_is_bad_input() {
    let dir = tempdir("sweep-bad");
    let path = dir.join("storm.ron");
    std::fs::write(&path, SCENARIO).unwrap();
    let o = Command::new(bin())
        .args([
            "sweep",
            path.to_str().unwrap(),
            "--set",
            "pools[5].users=1,2",
            "--out",
            dir.join("o").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("there is no pools[5]"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = Command::new(bin())
        .args([
            "sweep",
            path.to_str().unwrap(),
            "--set",
            "pools[0].users=abc",
            "--out",
            dir.join("o").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("storm.ron with pools[0].users=abc"),
        "the diagnostic names the edited value: {err}"
    );
}

#[test]
fn set_edits_files_with_raw_strings_and_nested_comments() {
    // The one RON scanner reads what the parser reads: before it, `--set` refused this file
    // ("the scenario text could not be read").
    let dir = tempdir("sweep-raw");
    let path = dir.join("storm.ron");
    let text = SCENARIO.replacen(
        "    seed: 4,\n",
        "    seed: 4, /* outer /* inner ) ] */ still a comment ( */\n    description: r#\"a \"raw\" text ) ]\"#,\n",
        1,
    );
    std::fs::write(&path, &text).unwrap();
    let out = dir.join("sw");
    let o = Command::new(bin())
        .args(["sweep", path.to_str().unwrap(), "--quiet", "--format", "svg", "--out", out.to_str().unwrap()])
        .args(["--set", "backup_service.sync_interval=1m,10m"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 2, "{csv}");
}

#[test]
fn each_points_warnings_are_shown_once_naming_the_point() {
    // Before: `sweep` printed no warning of its edited points, while `validate` of the same
    // edit warns (9,000 users on a Standard Edition server, a partner that could not carry
    // them). Warnings show with --quiet, as `run` shows them.
    let dir = tempdir("sweep-warn");
    let path = dir.join("storm.ron");
    std::fs::write(&path, SCENARIO).unwrap();
    let sweep = |sets: &[&str], out: &str| {
        let o = Command::new(bin())
            .args(["sweep", path.to_str().unwrap(), "--quiet", "--format", "svg"])
            .args(["--out", dir.join(out).to_str().unwrap()])
            .args(sets.iter().flat_map(|s| ["--set", s]))
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    let err = sweep(&["pools[0].users=1500,9000", "pools[0].registrations_per_sec=5.0,50.0"], "a");
    let over = "warning: Standard Edition pool \"a.contoso.com\" has 9,000 users, above the supported 2,500";
    assert_eq!(err.matches(over).count(), 1, "once, not once per point: {err}");
    let named = "pools[0].users=9000, pools[0].registrations_per_sec=5.0; \
                 pools[0].users=9000, pools[0].registrations_per_sec=50.0: ";
    assert!(err.contains(&format!("{named}{over}\n")), "named by the points that have it: {err}");
    assert!(err.contains("storm.ron with pools[0].users=9000, pools[0].registrations_per_sec=5.0:"), "{err}");
    let carry = "could not carry its partner's users after failover: 1,500 + 9,000 users";
    assert_eq!(err.matches(carry).count(), 1, "{err}");
    assert!(!err.contains("1,500 users, above"), "the points without warnings say nothing: {err}");
    // A warning every point has is shown once, for every point.
    let err = sweep(&["pools[1].users=3000,3000"], "b");
    let over = "warning: Standard Edition pool \"b.contoso.com\" has 3,000 users, above the supported 2,500";
    assert_eq!(err.matches(over).count(), 1, "{err}");
    assert!(err.contains(&format!("every point (2): {over}")), "{err}");
    // No warning: nothing but the result line.
    let err = sweep(&["pools[0].users=1000,1500"], "c");
    assert!(!err.contains("warning"), "{err}");
}

/// Review of issue 18, item 3: a swept value holding a comma (a quoted field of sweep.csv)
/// is one cell of report.html's table, not split at its comma.
#[test]
fn a_swept_value_with_a_comma_is_one_cell_of_the_report() {
    let dir = tempdir("sweep-quoted");
    let path = dir.join("storm.ron");
    std::fs::write(&path, SCENARIO).unwrap();
    let out = dir.join("sw");
    let o = Command::new(bin())
        .args(["sweep", path.to_str().unwrap(), "--quiet", "--format", "svg", "--out", out.to_str().unwrap()])
        .args(["--set", r#"clients.keepalive=Uniform(min: "2m", max: "4m"),"5m""#])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    assert!(csv.contains(r#"0,"Uniform(min: ""2m"", max: ""4m"")","#), "{csv}");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains(
            "<tr><td class=\"num\">0</td><td>Uniform(min: &quot;2m&quot;, max: &quot;4m&quot;)</td>"
        ),
        "{html}"
    );
}
