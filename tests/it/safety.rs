//! Output safety and resource limits from the outside: a run killed half-way, names that
//! are paths, write errors, concurrent runs, studies too large to run, hostile inputs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::support::{bin, tempdir};

const GOOD: &str = "scenarios/se-pair-voice-resiliency.ron";

fn lyncsim(args: &[&str]) -> Output {
    Command::new(bin()).args(args).output().expect("the binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every file under `dir` with its bytes, sorted by path.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.strip_prefix(dir).unwrap().to_path_buf(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    v.sort();
    v
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[cfg(unix)]
#[test]
fn a_run_killed_half_way_leaves_the_previous_results_and_the_next_run_cleans_up() {
    let dir = tempdir("killed");
    let out = dir.join("results");
    let run = || lyncsim(&["run", GOOD, "--out", path(&out), "-q"]);
    assert_eq!(run().status.code(), Some(0));
    let before = snapshot(&out);
    assert_eq!(names(&out), ["se-pair-voice-resiliency"]);

    // A run long enough to be killed: its staging folder appears before it simulates (a
    // million replications need a budget above the default 4 GiB to start).
    let mut child = Command::new(bin())
        .args([
            "run",
            GOOD,
            "--replications",
            "1000000",
            "--jobs",
            "1",
            "--max-memory",
            "100G",
            "--out",
            path(&out),
            "-q",
        ])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let staging = format!(".se-pair-voice-resiliency.tmp-{}", child.id());
    let mut seen = false;
    for _ in 0..6000 {
        if out.join(&staging).is_dir() {
            seen = true;
            break;
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    assert!(seen, "the run's staging folder {staging} never appeared");
    assert!(!status.success(), "the long run was killed, not finished");
    assert!(out.join(&staging).is_dir(), "the killed run's staging folder is left behind");
    let after_kill: Vec<_> = snapshot(&out).into_iter().filter(|(p, _)| !p.starts_with(&staging)).collect();
    assert_eq!(after_kill, before, "the previous results are byte-identical");

    // The next run succeeds and removes the dead run's staging folder.
    assert_eq!(run().status.code(), Some(0));
    assert_eq!(names(&out), ["se-pair-voice-resiliency"]);
    assert_eq!(snapshot(&out), before, "same scenario, same seed: same bytes");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_scenario_whose_name_is_a_path_is_refused_and_nothing_is_written() {
    let dir = tempdir("path-name");
    let out = dir.join("deep").join("results");
    let text = std::fs::read_to_string(GOOD).unwrap();
    let old = "name: \"se-pair-voice-resiliency\"";
    assert!(text.contains(old));
    for name in ["../escape", "../../etc", "a/b", "C:\\\\x", "..", "/tmp/x", ".hidden"] {
        let f = dir.join("s.ron");
        std::fs::write(&f, text.replace(old, &format!("name: \"{name}\""))).unwrap();
        for cmd in [&["run", path(&f), "--out", path(&out)][..], &["validate", path(&f)][..]] {
            let o = lyncsim(cmd);
            assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
            let err = stderr(&o);
            assert!(err.contains("it becomes a folder name"), "{name}: {err}");
            assert!(err.contains(&format!("{}:", f.display())), "{name}: a position: {err}");
        }
        assert!(!out.exists(), "{name}: nothing written");
        assert_eq!(names(&dir), ["s.ron"], "{name}: nothing written beside it");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_shard_cannot_choose_a_folder_outside_out() {
    let dir = tempdir("shard-escape");
    let shards = dir.join("shards");
    let o = lyncsim(&["run", GOOD, "--replications", "2", "--shard", "0/1", "--out", path(&shards), "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let shard = shards.join("se-pair-voice-resiliency.shard-0-of-1");
    let json = std::fs::read_to_string(shard.join("shard.json")).unwrap();
    let forged = json.replacen("\"scenario\":\"se-pair-voice-resiliency\"", "\"scenario\":\"../escape\"", 1);
    assert_ne!(json, forged);
    std::fs::write(shard.join("shard.json"), forged).unwrap();
    let out = dir.join("merged");
    let o = lyncsim(&["merge", path(&shard), "--out", path(&out), "-q"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("shard.json names it \"../escape\""), "{}", stderr(&o));
    assert!(!out.exists() && !dir.join("escape").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_write_error_names_the_path_and_leaves_previous_results() {
    let dir = tempdir("write-error");
    let out = dir.join("results");
    assert_eq!(lyncsim(&["run", GOOD, "--out", path(&out), "-q"]).status.code(), Some(0));
    let before = snapshot(&out);
    // A file where the results folder should be: refused, untouched.
    let blocked = dir.join("blocked");
    std::fs::create_dir_all(&blocked).unwrap();
    std::fs::write(blocked.join("se-pair-voice-resiliency"), "a file").unwrap();
    let o = lyncsim(&["run", GOOD, "--out", path(&blocked)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains(path(&blocked.join("se-pair-voice-resiliency"))), "{}", stderr(&o));
    // A read-only --out (where permissions hold: not for root).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o555)).unwrap();
        let probe = out.join("probe");
        if std::fs::write(&probe, "x").is_err() {
            let o = lyncsim(&["run", GOOD, "--out", path(&out), "-q"]);
            assert_ne!(o.status.code(), Some(0));
            assert!(stderr(&o).contains(path(&out)), "{}", stderr(&o));
        } else {
            std::fs::remove_file(&probe).unwrap();
        }
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    // A --out that cannot be created at all.
    let o = lyncsim(&["run", GOOD, "--out", "/proc/lyncsim-no/results"]);
    assert_ne!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("/proc/lyncsim-no/results"), "{}", stderr(&o));
    assert_eq!(snapshot(&out), before);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn concurrent_runs_into_one_out_both_succeed_and_leave_one_folder() {
    let dir = tempdir("concurrent");
    let out = dir.join("results");
    let spawn = || {
        Command::new(bin())
            .args(["run", GOOD, "--out", path(&out), "-q", "--format", "svg"])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let children: Vec<_> = (0..3).map(|_| spawn()).collect();
    for c in children {
        let o = c.wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    assert_eq!(names(&out), ["se-pair-voice-resiliency"]);
    let alone = dir.join("alone");
    assert_eq!(
        lyncsim(&["run", GOOD, "--out", path(&alone), "-q", "--format", "svg"]).status.code(),
        Some(0)
    );
    assert_eq!(snapshot(&out), snapshot(&alone));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A scenario with `extra` fields after the horizon, and `failures`.
fn study(dir: &Path, horizon: &str, extra: &str, failures: &str) -> PathBuf {
    let f = dir.join("study.ron");
    let text = format!(
        r#"Scenario(
    name: "study",
    horizon: "{horizon}",
    {extra}
    sites: [Site(name: "dc1"), Site(name: "dc2")],
    pools: [
        Pool(fqdn: "a.thelab.info", site: "dc1", users: 2500, backup_pool: Some("b.thelab.info")),
        Pool(fqdn: "b.thelab.info", site: "dc2", users: 2500, backup_pool: Some("a.thelab.info")),
    ],
    failures: [{failures}],
)
"#
    );
    std::fs::write(&f, text).unwrap();
    f
}

#[test]
fn studies_too_large_to_run_fail_fast_naming_the_limit() {
    let dir = tempdir("too-large");
    let out = dir.join("results");
    let refused = |args: &[&str], limit: &str| {
        let o = lyncsim(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains(&format!("the limit is {limit} in ")), "{args:?}: {err}");
        assert!(!out.exists(), "{args:?}: nothing written");
    };
    // A trillion samples: in the file, or by --replications on the command line.
    let f = study(&dir, "3650d", r#"sample_every: "2m", replications: 1000000,"#, "");
    refused(&["run", path(&f), "--out", path(&out)], "MAX_SAMPLES");
    let f = study(&dir, "3650d", r#"sample_every: "1h","#, "");
    assert_eq!(lyncsim(&["validate", path(&f)]).status.code(), Some(0));
    for cmd in ["run", "compare", "sweep"] {
        let mut args = vec![cmd, path(&f)];
        if cmd == "compare" {
            args.push(GOOD);
        }
        if cmd == "sweep" {
            args.extend(["--set", "sample_every=1h,2h"]);
        }
        args.extend(["--replications", "1000000", "--out", path(&out)]);
        refused(&args, "MAX_SAMPLES");
    }
    // A failure every millisecond for a year; one a minute for ten years, many times over.
    let every_ms =
        r#"Random(target: Pool(pool: "a.thelab.info"), mtbf: Exponential(mean: "1ms"), mttr: Fixed("1s"))"#;
    let f = study(&dir, "365d", r#"sample_every: "1h","#, every_ms);
    refused(&["run", path(&f), "--out", path(&out)], "MIN_MTBF");
    let every_min = every_ms.replace("\"1ms\"", "\"1m\"");
    let f = study(&dir, "3650d", r#"sample_every: "1h", replications: 1000,"#, &every_min);
    refused(&["run", path(&f), "--out", path(&out)], "MAX_EXPECTED_FAILURES");
    // Too many grid points, counted before the grid is built.
    let values = (0..1000).map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    let (a, b) = (format!("seed={values}"), format!("pools[0].users={values}"));
    refused(&["sweep", GOOD, "--set", &a, "--set", &b, "--out", path(&out)], "MAX_POINTS");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn hostile_inputs_are_diagnosed_without_a_panic() {
    let dir = tempdir("hostile");
    // A file larger than the limit is not read (a sparse file: no disk used).
    let big = dir.join("big.ron");
    std::fs::File::create(&big).unwrap().set_len(33 * 1024 * 1024).unwrap();
    let o = lyncsim(&["validate", path(&big)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("larger than the limit of 32 MiB"), "{}", stderr(&o));
    assert!(stderr(&o).contains("MAX_FILE_BYTES"), "{}", stderr(&o));
    // 100,000 opening brackets.
    let deep = dir.join("deep.ron");
    std::fs::write(&deep, format!("Scenario(name: \"d\", horizon: \"1h\", sites: {})", "[".repeat(100_000)))
        .unwrap();
    let o = lyncsim(&["validate", path(&deep)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains(&format!("{}:1:", deep.display())), "{}", stderr(&o));
    assert!(stderr(&o).contains("MAX_NESTING"));
    // A UTF-8 byte-order mark is skipped.
    let bom = dir.join("bom.ron");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(std::fs::read(GOOD).unwrap());
    std::fs::write(&bom, bytes).unwrap();
    assert_eq!(lyncsim(&["validate", path(&bom)]).status.code(), Some(0));
    for o in [&big, &deep, &bom] {
        std::fs::remove_file(o).unwrap();
    }
    // A symbolic link that loops back does not make the walk recurse forever.
    #[cfg(unix)]
    {
        let scenarios = dir.join("scenarios");
        std::fs::create_dir_all(scenarios.join("sub")).unwrap();
        std::fs::copy(GOOD, scenarios.join("sub/a.ron")).unwrap();
        std::os::unix::fs::symlink(&scenarios, scenarios.join("sub/loop")).unwrap();
        let o = lyncsim(&["validate", path(&scenarios)]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_eq!(stderr(&o).matches(": ok: ").count(), 1, "{}", stderr(&o));
    }
    let _ = std::fs::remove_dir_all(&dir);
}
