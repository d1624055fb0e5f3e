//! `lyncsim size`: the smallest value of a field that meets the targets, by bisection
//! (issue 18 items 1 and 4).

use std::path::Path;
use std::process::{Command, Output};

use crate::support::{bin, tempdir};

/// Pool a's registrars take 2,000 users per front end (MaxUserCount); after b fails over,
/// a carries 12,000: it turns nobody away from 6 front ends on, the middle of 2..12.
const WALL: &str = r#"Scenario(
    name: "wall",
    seed: 7,
    horizon: "3h",
    sample_every: "1m",
    sites: [ Site(name: "dc1"), Site(name: "dc2") ],
    pools: [
        Pool(fqdn: "a.contoso.com", site: "dc1", edition: Enterprise, back_end: Single, front_ends: 2,
             users: 6000, backup_pool: Some("b.contoso.com"),
             registrar_configuration: Some(RegistrarConfiguration(max_user_count: 2000))),
        Pool(fqdn: "b.contoso.com", site: "dc2", edition: Enterprise, back_end: Single, front_ends: 4,
             users: 6000, backup_pool: Some("a.contoso.com")),
    ],
    events: [
        At("1h", PoolDown(pool: "b.contoso.com")),
        At("1h15m", InvokeCsPoolFailover(pool: "b.contoso.com", disaster_mode: true)),
    ],
)"#;

fn lyncsim(args: &[&str]) -> Output {
    Command::new(bin()).args(args).output().unwrap()
}

fn ok(o: &Output) -> String {
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(0), "{err}");
    err
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Issue 18, "done means": on a scenario whose answer is in the middle of the range, size's
/// answer is the smallest passing value of a brute-force sweep of the same range, found with
/// fewer runs; each probe is the sweep's point (the same summary.json), and the output does
/// not depend on --jobs.
#[test]
fn size_finds_the_smallest_passing_value_of_a_sweep_with_fewer_runs() {
    let dir = tempdir("size");
    let s = dir.join("wall.ron");
    std::fs::write(&s, WALL).unwrap();
    let s = s.to_str().unwrap();
    let target = "peak_turned_away_users<=0";
    let sweep = dir.join("sweep");
    ok(&lyncsim(
        &["sweep", s, "--set", "pools[0].front_ends=2,3,4,5,6,7,8,9,10,11,12", "--quiet"]
            .into_iter()
            .chain(["--format", "svg", "--out", sweep.to_str().unwrap()])
            .collect::<Vec<_>>(),
    ));
    let csv = std::fs::read_to_string(sweep.join("sweep.csv")).unwrap();
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    let col = rows[0].iter().position(|h| *h == "peak_turned_away_users").unwrap();
    let passing: Vec<u32> = rows[1..]
        .iter()
        .filter(|r| r[col].parse::<f64>().unwrap() <= 0.0)
        .map(|r| r[1].parse().unwrap())
        .collect();
    let smallest = *passing.iter().min().expect("some value passes");
    assert!(smallest > 2 && smallest < 12, "the answer is mid-range: {csv}");

    let size = |out: &Path, jobs: &str| {
        ok(&lyncsim(&[
            "size",
            s,
            "--vary",
            "pools[0].front_ends=2..12",
            "--target",
            target,
            "--target",
            "contacts_availability>=0",
            "--out",
            out.to_str().unwrap(),
            "--quiet",
            "--format",
            "svg",
            "--jobs",
            jobs,
        ]))
    };
    let one = dir.join("one");
    let err = size(&one, "1");
    let folder = one.join("wall-size");
    let doc = json(&folder.join("size.json"));
    assert_eq!(doc["answer"], serde_json::json!(smallest), "{doc}");
    assert!(
        err.contains(&format!("pools[0].front_ends = {smallest} is the smallest value in 2..12")),
        "{err}"
    );
    let probes = doc["probes"].as_array().unwrap();
    assert!(probes.len() < rows.len() - 1, "{} probes, the sweep ran {}", probes.len(), rows.len() - 1);
    assert_eq!(doc["probes_run"], serde_json::json!(probes.len()));
    // The value just below the answer was run and fails.
    assert_eq!(doc["below"]["value"], serde_json::json!(smallest - 1));
    assert_eq!(doc["below"]["meets"], serde_json::json!(false));
    assert_eq!(doc["monotone"], serde_json::json!(true));
    // Probes sorted by value; each one is the sweep's point, byte for byte.
    let values: Vec<u64> = probes.iter().map(|p| p["value"].as_u64().unwrap()).collect();
    assert!(values.windows(2).all(|w| w[0] < w[1]), "{values:?}");
    for p in probes {
        let name = p["folder"].as_str().unwrap();
        let a = std::fs::read(folder.join(name).join("summary.json")).unwrap();
        assert_eq!(a, std::fs::read(sweep.join(name).join("summary.json")).unwrap(), "{name}");
        let metric = p["metrics"]["peak_turned_away_users"].as_f64().unwrap();
        assert_eq!(p["meets"].as_bool().unwrap(), metric <= 0.0, "{p}");
    }
    // Every key is defined in docs/metrics.md (the metrics are sweep.csv's columns).
    let doc_md = std::fs::read_to_string("docs/metrics.md").unwrap();
    let section = &doc_md[doc_md.find("## `size.json` and `size.csv`").expect("the section exists")..];
    let mut keys: Vec<&str> = doc.as_object().unwrap().keys().map(String::as_str).collect();
    keys.extend(probes[0].as_object().unwrap().keys().map(String::as_str));
    keys.extend(["lo", "hi", "step"]);
    for k in keys {
        assert!(section.contains(&format!("`{k}`")), "size.json key {k} is not in docs/metrics.md");
    }
    let csv = std::fs::read_to_string(folder.join("size.csv")).unwrap();
    assert!(csv.starts_with("point,pools[0].front_ends,round,meets,replications,"), "{csv}");
    assert_eq!(csv.lines().count(), 1 + probes.len());
    let svg = std::fs::read_to_string(folder.join("size-peak_turned_away_users.svg")).unwrap();
    assert!(svg.contains("target &lt;= 0") || svg.contains("target <= 0"), "the target is drawn");
    assert!(folder.join("report.html").is_file());
    // Same bytes for another --jobs.
    let two = dir.join("two");
    size(&two, "2");
    for f in ["size.json", "size.csv", "size-peak_turned_away_users.svg", "report.html"] {
        assert_eq!(
            std::fs::read(folder.join(f)).unwrap(),
            std::fs::read(two.join("wall-size").join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn no_passing_value_gives_a_null_answer_and_a_broken_assumption_is_said() {
    let dir = tempdir("size-null");
    let s = dir.join("wall.ron");
    std::fs::write(&s, WALL).unwrap();
    let s = s.to_str().unwrap();
    let run = |target: &str, out: &str| {
        let out = dir.join(out);
        let err = ok(&lyncsim(&[
            "size",
            s,
            "--vary",
            "pools[0].front_ends=2..12",
            "--target",
            target,
            "--out",
            out.to_str().unwrap(),
            "--quiet",
            "--format",
            "svg",
        ]));
        (err, json(&out.join("wall-size/size.json")))
    };
    let (err, doc) = run("peak_turned_away_users<0", "none");
    assert_eq!(doc["answer"], serde_json::Value::Null);
    assert_eq!(doc["failed_at_hi"], serde_json::json!(["peak_turned_away_users<0"]));
    assert!(err.contains("no value of pools[0].front_ends in 2..12 meets every target; at 12: peak_turned_away_users = 0 >= 0"), "{err}");
    // Met at the low end and not above: the answer says the metric does not move one way.
    let (err, doc) = run("peak_turned_away_users>=1", "down");
    assert_eq!(doc["answer"], serde_json::json!(2));
    assert_eq!(doc["monotone"], serde_json::json!(false));
    assert!(!doc["not_monotone"].as_array().unwrap().is_empty());
    assert!(err.contains("not monotone"), "{err}");
}

/// Issue 18 item 4: bad input exits 2 with a message naming the argument and the nearest
/// valid spelling, and writes nothing.
#[test]
fn bad_ranges_paths_metrics_and_targets_exit_2_naming_the_fix() {
    let dir = tempdir("size-bad");
    let s = dir.join("wall.ron");
    std::fs::write(&s, WALL).unwrap();
    let s = s.to_str().unwrap();
    let out = dir.join("out");
    let cases: [(&str, &str, &[&str]); 10] = [
        // Review finding 3: `=<` and `=>` were read as `<` and `>`.
        (
            "pools[0].front_ends=2..12",
            "peak_turned_away_users=<0",
            &[
                "--target peak_turned_away_users=<0: `=<` is not a comparison",
                "did you mean peak_turned_away_users<=0?",
            ],
        ),
        (
            "pools[0].front_ends=2..12",
            "contacts_availability=>0.99",
            &["`=>` is not a comparison", "did you mean contacts_availability>=0.99?"],
        ),
        // Review finding 5: a STEP with decimals on a whole-number field is a --vary error.
        (
            "pools[0].front_ends=2..12:0.5",
            "peak_turned_away_users<=0",
            &[
                "--vary pools[0].front_ends=2..12:0.5: pools[0].front_ends takes whole numbers, and STEP 0.5 has decimals",
                "e.g. pools[0].front_ends=2..12",
            ],
        ),
        (
            "pools[0].front_ends=12..2",
            "peak_turned_away_users<=0",
            &["--vary pools[0].front_ends=12..2: the range is empty", "write pools[0].front_ends=2..12"],
        ),
        (
            "pools[0].front_ends=two..12",
            "peak_turned_away_users<=0",
            &["--vary pools[0].front_ends=two..12: LO \"two\" is not a number"],
        ),
        (
            "pools[5].front_ends=2..12",
            "peak_turned_away_users<=0",
            &["--vary pools[5].front_ends=2..12: there is no pools[5]", "did you mean pools[1].front_ends?"],
        ),
        (
            "pool[0].front_ends=2..12",
            "peak_turned_away_users<=0",
            &["--vary pool[0].front_ends=2..12", "did you mean pools[0].front_ends?"],
        ),
        (
            "pools[0].front_end=2..12",
            "peak_turned_away_users<=0",
            &["with --vary pools[0].front_end=2", "did you mean \"front_ends\"?"],
        ),
        (
            "pools[0].front_ends=2..12",
            "peak_turned_away_user<=0",
            &[
                "--target peak_turned_away_user<=0: \"peak_turned_away_user\" is not a column of sweep.csv",
                "did you mean peak_turned_away_users<=0?",
            ],
        ),
        (
            "pools[0].front_ends=2..12",
            "peak_turned_away_users0",
            &[
                "--target peak_turned_away_users0: no comparison operator",
                "did you mean peak_turned_away_users<=0",
            ],
        ),
    ];
    for (vary, target, says) in cases {
        let o = lyncsim(&[
            "size",
            s,
            "--vary",
            vary,
            "--target",
            target,
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{vary} {target}: {err}");
        for said in says {
            assert!(err.contains(said), "{vary} {target}: {said:?} not in {err}");
        }
        assert!(!err.contains("panicked"), "{err}");
        assert!(!out.join("wall-size").exists(), "{vary} {target}: nothing written");
    }
    // A search beyond --max-memory is refused before anything runs.
    let o = lyncsim(&[
        "size",
        s,
        "--vary",
        "pools[0].users=1000..100000:1000",
        "--target",
        "peak_turned_away_users<=0",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
        "--max-memory",
        "1M",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("--max-memory"), "{err}");
    assert!(!out.join("wall-size").exists(), "nothing written");
}

/// Review finding 1: pool b (of 10,000 + b users) is lost for 20 minutes. With 50 users b is
/// under 1 % of all users, so contacts never fall below 99 %: no incident, an empty
/// restore time, which is the best case and meets a restore-time target. The answer is LO.
#[test]
fn a_value_without_an_incident_meets_a_restore_time_target() {
    const BLIP: &str = r#"Scenario(
    name: "blip",
    seed: 7,
    horizon: "3h",
    sample_every: "1m",
    sites: [ Site(name: "dc1"), Site(name: "dc2") ],
    pools: [
        Pool(fqdn: "a.contoso.com", site: "dc1", edition: Enterprise, back_end: Single, front_ends: 4,
             users: 10000),
        Pool(fqdn: "b.contoso.com", site: "dc2", edition: Enterprise, back_end: Single, front_ends: 2,
             users: 50),
    ],
    events: [
        At("1h", PoolDown(pool: "b.contoso.com")),
        At("1h20m", PoolUp(pool: "b.contoso.com")),
    ],
)"#;
    let dir = tempdir("size-no-incident");
    let s = dir.join("blip.ron");
    std::fs::write(&s, BLIP).unwrap();
    let out = dir.join("out");
    let err = ok(&lyncsim(&[
        "size",
        s.to_str().unwrap(),
        "--vary",
        "pools[1].users=50..450:100",
        "--target",
        "contacts_time_to_restore_s<=600",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
        "--format",
        "svg",
    ]));
    let doc = json(&out.join("blip-size/size.json"));
    let probes = doc["probes"].as_array().unwrap();
    let lo = probes.iter().find(|p| p["value"] == serde_json::json!(50)).expect("LO was run");
    // The cell is empty (no incident), as in sweep.csv, and the target is met.
    assert_eq!(lo["metrics"]["contacts_incidents"].as_f64(), Some(0.0), "{lo}");
    assert_eq!(lo["metrics"]["contacts_open_incidents"].as_f64(), Some(0.0), "{lo}");
    assert_eq!(lo["metrics"]["contacts_time_to_restore_s"], serde_json::Value::Null, "{lo}");
    assert_eq!(lo["meets"], serde_json::json!(true), "{lo}");
    assert_eq!(doc["answer"], serde_json::json!(50), "{doc}");
    assert!(err.contains("pools[1].users = 50 is the smallest value in 50..450"), "{err}");
    // Larger values lose contacts for more than 1 % of the users for 20 minutes and fail.
    let hi =
        probes.iter().find(|p| p["metrics"]["contacts_time_to_restore_s"].is_number()).expect("an incident");
    assert_eq!(hi["meets"], serde_json::json!(false), "{hi}");
}

/// Review finding 2: a target is shown as typed, and the values it is compared with with six
/// significant digits (not rounded to 3 decimals: `voice_availability>=1`, `0.995 < 1`).
#[test]
fn targets_are_shown_as_typed_and_values_with_six_significant_digits() {
    let dir = tempdir("size-digits");
    let s = dir.join("wall.ron");
    std::fs::write(&s, WALL).unwrap();
    let out = dir.join("out");
    let err = ok(&lyncsim(&[
        "size",
        s.to_str().unwrap(),
        "--vary",
        "pools[0].front_ends=10..12",
        "--target",
        "contacts_availability>=0.9995",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
        "--format",
        "svg",
    ]));
    let folder = out.join("wall-size");
    let doc = json(&folder.join("size.json"));
    assert_eq!(doc["targets"][0]["text"], serde_json::json!("contacts_availability>=0.9995"), "{doc}");
    assert_eq!(doc["failed_at_hi"], serde_json::json!(["contacts_availability>=0.9995"]), "{doc}");
    let x = doc["probes"][2]["metrics"]["contacts_availability"].as_f64().unwrap();
    let said = format!("at 12: contacts_availability = {} < 0.9995", six_significant(x));
    assert!(err.contains(&said), "{said:?} not in {err}");
    assert!(doc["answer_text"].as_str().unwrap().contains(&said), "{doc}");
    let html = std::fs::read_to_string(folder.join("report.html")).unwrap();
    assert!(html.contains("contacts_availability&gt;=0.9995"), "the target as typed in report.html");
    assert!(html.contains(&said.replace('<', "&lt;")), "{said:?} in report.html");
    let svg = std::fs::read_to_string(folder.join("size-contacts_availability.svg")).unwrap();
    assert!(svg.contains("target &gt;= 0.9995") || svg.contains("target >= 0.9995"), "the target's label");
}

/// `x` with six significant digits, trailing zeros dropped (for a number in (0.1, 1)).
fn six_significant(x: f64) -> String {
    assert!(x > 0.1 && x < 1.0, "{x}");
    format!("{x:.6}").trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Review finding 4: warnings are deduplicated by field and message, and the answer's own
/// probe shows its warnings (its backup pool's capacity, 3 x 6,660 = 19,980, is below the
/// 20,000 users it carries after failover), though a probe before it warned of the same field.
#[test]
fn the_answers_own_warnings_are_shown() {
    let scenario =
        WALL.replace("users: 6000", "users: 10000").replace("max_user_count: 2000", "max_user_count: 8000");
    let dir = tempdir("size-warnings");
    let s = dir.join("wall.ron");
    std::fs::write(&s, scenario).unwrap();
    let out = dir.join("out");
    let err = ok(&lyncsim(&[
        "size",
        s.to_str().unwrap(),
        "--vary",
        "pools[0].front_ends=2..12",
        "--target",
        "peak_turned_away_users<=0",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
        "--format",
        "svg",
    ]));
    assert!(err.contains("pools[0].front_ends = 3 is the smallest value in 2..12"), "{err}");
    assert!(err.contains("is more than its capacity of 19,980"), "{err}");
    assert!(err.contains("is more than its capacity of 13,320"), "{err}");
    assert!(err.contains("with --vary pools[0].front_ends=3"), "{err}");
}

/// Review finding 5: one probe is "1 probe", not "1 probes".
#[test]
fn one_probe_is_said_in_the_singular() {
    let dir = tempdir("size-one");
    let s = dir.join("wall.ron");
    std::fs::write(&s, WALL).unwrap();
    let out = dir.join("out");
    let o = lyncsim(&[
        "size",
        s.to_str().unwrap(),
        "--vary",
        "pools[0].front_ends=6..6",
        "--target",
        "peak_turned_away_users<=0",
        "--out",
        out.to_str().unwrap(),
        "--format",
        "svg",
    ]);
    let err = ok(&o);
    assert!(err.contains("1 probe in 1 round (a sweep of the range runs 1)"), "{err}");
}
