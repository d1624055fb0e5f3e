//! The binary: exit codes, outputs, and nothing written on bad input.

use std::process::Command;

use crate::support::{bin, tempdir};

fn lyncsim(args: &[&str]) -> std::process::Output {
    Command::new(bin()).args(args).output().expect("the binary runs")
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const GOOD: &str = "scenarios/se-pair-voice-resiliency.ron";

#[test]
fn help_and_version_exit_zero() {
    for args in
        [&["--help"][..], &["--version"], &["run", "--help"], &["validate", "--help"], &["trace", "--help"]]
    {
        let o = lyncsim(args);
        assert_eq!(o.status.code(), Some(0), "{args:?}");
    }
}

#[test]
fn unknown_flags_and_missing_files_exit_two() {
    assert_eq!(lyncsim(&["run", "--frobnicate", GOOD]).status.code(), Some(2));
    let o = lyncsim(&["validate", "no/such/file.ron"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no/such/file.ron"));
}

#[test]
fn validate_accepts_every_shipped_scenario() {
    let o = lyncsim(&["validate", "scenarios"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stdout.is_empty(), "nothing on stdout");
    // Sub-folders are read too, in path order.
    let err = stderr(&o);
    let lines: Vec<&str> = err.lines().filter(|l| l.contains(": ok: ")).collect();
    assert!(lines.iter().any(|l| l.starts_with("scenarios/library/se-pair-site-loss.ron")), "{err}");
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted);
}

#[test]
fn run_writes_every_output_with_every_column_and_key() {
    let out = tempdir("run-outputs");
    let o = lyncsim(&["run", GOOD, "--out", out.to_str().unwrap(), "--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stdout.is_empty(), "results never go to stdout");
    let dir = out.join("se-pair-voice-resiliency");
    for f in ["timeseries.csv", "summary.json", "events.csv", "availability.svg", "availability.png"] {
        assert!(dir.join(f).is_file(), "{f} missing");
    }
    let ts = std::fs::read_to_string(dir.join("timeseries.csv")).unwrap();
    assert_eq!(
        ts.lines().next().unwrap(),
        "time_s,full,resiliency,failed_over,signing_in,offline,im,presence,contacts,voice,\
         pstn,conferencing,call_forwarding_changes,response_groups,call_park"
    );
    assert_eq!(ts.lines().count(), 1 + 6 * 360 + 1);
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    for key in [
        "scenario",
        "description",
        "seed",
        "replications",
        "horizon_s",
        "lyncsim_version",
        "scenario_sha256",
        "features",
        "peak_resiliency_users",
        "peak_offline_users",
        "peak_signin_queue",
        "peak_signin_queue_by_phase",
        "rpo_realized_s",
        "rpo_realized_changes",
        "failovers",
        "events_processed",
    ] {
        assert!(summary.get(key).is_some(), "summary.json lacks {key}");
    }
    for f in [
        "im",
        "presence",
        "contacts",
        "voice",
        "pstn",
        "conferencing",
        "call_forwarding_changes",
        "response_groups",
        "call_park",
    ] {
        for k in ["availability", "user_minutes_lost", "time_to_restore_s"] {
            assert!(summary["features"][f].get(k).is_some(), "features.{f}.{k}");
        }
    }
    let events = std::fs::read_to_string(dir.join("events.csv")).unwrap();
    assert_eq!(events.lines().next().unwrap(), "time_s,kind,pool,detail");
    assert!(events.contains("3600.000,Fault,lyncfe04.thelab.info,"));
    let png = std::fs::read(dir.join("availability.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    // A second run gives the same bytes.
    let out2 = tempdir("run-outputs-2");
    assert_eq!(lyncsim(&["run", GOOD, "--out", out2.to_str().unwrap(), "--quiet"]).status.code(), Some(0));
    for f in ["timeseries.csv", "summary.json", "events.csv", "availability.svg", "availability.png"] {
        let a = std::fs::read(dir.join(f)).unwrap();
        let b = std::fs::read(out2.join("se-pair-voice-resiliency").join(f)).unwrap();
        assert!(a == b, "{f} differs between two runs");
    }
}

#[test]
fn a_malformed_scenario_exits_two_names_its_position_and_writes_nothing() {
    let out = tempdir("malformed");
    let bad = out.join("bad.ron");
    std::fs::write(&bad, "Scenario(\n    name: \"x\",\n    horizon: \"6 hours\",\n)\n").unwrap();
    let results = out.join("results");
    let o = lyncsim(&["run", bad.to_str().unwrap(), GOOD, "--out", results.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains(&format!("{}:3:", bad.display())), "{err}");
    assert!(err.contains('^'), "a caret under the column: {err}");
    assert!(!results.exists(), "nothing written when any scenario is bad");
}

#[test]
fn a_failed_run_leaves_previous_results_untouched() {
    let out = tempdir("keep-previous");
    let results = out.join("results");
    assert_eq!(lyncsim(&["run", GOOD, "--out", results.to_str().unwrap(), "--quiet"]).status.code(), Some(0));
    let before = std::fs::read(results.join("se-pair-voice-resiliency/summary.json")).unwrap();
    let bad = out.join("se-pair-voice-resiliency.ron");
    let text = std::fs::read_to_string(GOOD)
        .unwrap()
        .replace("PoolDown(pool: \"lyncfe04", "PoolDown(pool: \"lyncfe40");
    std::fs::write(&bad, text).unwrap();
    let o = lyncsim(&["run", bad.to_str().unwrap(), "--out", results.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("did you mean \"lyncfe04.thelab.info\""), "{}", stderr(&o));
    let after = std::fs::read(results.join("se-pair-voice-resiliency/summary.json")).unwrap();
    assert_eq!(before, after);
}

#[test]
fn absurd_replication_counts_are_rejected() {
    let out = tempdir("replication-limits");
    let f = out.join("s.ron");
    let text = std::fs::read_to_string(GOOD).unwrap().replacen(
        "    seed: 42,",
        "    seed: 42,\n    replications: 5000000,",
        1,
    );
    std::fs::write(&f, text).unwrap();
    let o = lyncsim(&["validate", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("5,000,000 replications is more than the limit of 1,000,000"),
        "{}",
        stderr(&o)
    );
    for r in ["0", "2000000"] {
        let o = lyncsim(&["run", GOOD, "--replications", r, "--out", out.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("--replications"), "{}", stderr(&o));
    }
    assert!(!out.join("se-pair-voice-resiliency").exists());
}

#[test]
fn trace_prints_the_timeline_to_stdout() {
    let o = lyncsim(&["trace", GOOD]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "time_s,kind,pool,detail");
    assert!(lines[1].starts_with("3600.000,Fault,lyncfe04.thelab.info,PoolDown"));
    // With every client holding its backup registrar (the default), all of lyncfe04's 2,500
    // re-register to it (docs/model.md#the-registrar-list); the count's comma quotes the field.
    assert!(text.contains(
        ",Service,lyncfe03.thelab.info,\"backup registrar accepts users of lyncfe04.thelab.info in resiliency \
         mode (heartbeat lost): 2,500 clients re-register to their backup registrar lyncfe03.thelab.info (q=0.3)\"\n"
    ));
    assert!(!text.contains("no backup registrar"));
    assert!(text.contains("10800.000,Repair,lyncfe04.thelab.info,"));
    // The seed moves the Backup Service's sync phase, so a disaster loses a different amount.
    let seed1 = "scenarios/seed1-disaster-mode.ron";
    let a = lyncsim(&["trace", seed1]);
    let b = lyncsim(&["trace", seed1, "--seed", "9"]);
    assert_eq!(b.status.code(), Some(0));
    assert_eq!(a.stdout, lyncsim(&["trace", seed1]).stdout, "same seed, same timeline");
    assert_ne!(a.stdout, b.stdout, "--seed changes the timeline");
}

#[test]
fn an_out_path_that_is_a_file_is_bad_input() {
    let dir = tempdir("out-is-file");
    let file = dir.join("results");
    std::fs::write(&file, "not a folder").unwrap();
    let o = lyncsim(&["run", GOOD, "--out", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is a file"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "not a folder");
}

#[test]
fn a_results_target_that_is_not_ours_is_never_replaced() {
    let dir = tempdir("not-ours");
    let target = dir.join("se-pair-voice-resiliency");
    std::fs::create_dir_all(&target).unwrap();
    std::fs::write(target.join("notes.txt"), "precious").unwrap();
    let o = lyncsim(&["run", GOOD, "--out", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is not a lyncsim results folder"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(target.join("notes.txt")).unwrap(), "precious");
    let file_target = dir.join("f");
    std::fs::create_dir_all(&file_target).unwrap();
    std::fs::write(file_target.join("se-pair-voice-resiliency"), "a file").unwrap();
    let o = lyncsim(&["run", GOOD, "--out", file_target.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(file_target.join("se-pair-voice-resiliency")).unwrap(), "a file");
}

#[test]
fn an_out_folder_that_cannot_be_created_is_bad_input() {
    let o = lyncsim(&["run", GOOD, "--out", "/proc/lyncsim-cannot-create"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn check_passes_on_the_committed_results_and_fails_on_one_altered_digit() {
    let scenario = "scenarios/seed2-manual-poolstate.ron";
    let o = lyncsim(&["check", scenario, "--baseline", "results"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let dir = tempdir("check-altered");
    let copy = dir.join("seed2-manual-poolstate");
    std::fs::create_dir_all(&copy).unwrap();
    for f in ["summary.json", "timeseries.csv", "events.csv"] {
        std::fs::copy(format!("results/seed2-manual-poolstate/{f}"), copy.join(f)).unwrap();
    }
    let ts = std::fs::read_to_string(copy.join("timeseries.csv")).unwrap();
    let altered = ts.replacen("0.500000", "0.500001", 1);
    assert_ne!(ts, altered);
    std::fs::write(copy.join("timeseries.csv"), altered).unwrap();
    let o = lyncsim(&["check", scenario, "--baseline", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("timeseries.csv") && err.contains("first difference at line"), "{err}");
    let o = lyncsim(&["check", scenario, "--baseline", "no/such/folder"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_closed_stderr_ends_the_run_quietly_instead_of_panicking() {
    // `lyncsim validate tests/fixtures/bad/ 2>&1 | head -1`: the reader goes away before the
    // diagnostics are written, so every write meets a broken pipe (Rust ignores SIGPIPE).
    let mut child = Command::new(bin())
        .args(["validate", "tests/fixtures/bad/"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    drop(child.stderr.take());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(2), "bad input, reported or not, is exit 2 (101 is a panic)");
}
