//! Exact diagnostics for malformed scenarios: every `tests/fixtures/bad/NAME.ron` must
//! render exactly as `NAME.expected`, and the binary must exit 2 on each, without a panic.
//! Every `tests/fixtures/warn/NAME.ron` loads with exactly the warnings of `NAME.expected`,
//! and the binary prints them and exits 0.

use std::path::Path;
use std::process::Command;

use crate::support::bin;

#[test]
fn every_bad_fixture_renders_its_expected_diagnostic() {
    let dir = Path::new("tests/fixtures/bad");
    let mut checked = 0;
    let mut names: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    names.sort();
    for path in names.iter().filter(|p| p.extension().is_some_and(|e| e == "ron")) {
        let label = path.to_str().unwrap();
        let expected = std::fs::read_to_string(path.with_extension("expected"))
            .unwrap_or_else(|_| panic!("{label} has no .expected file"));
        let failed = match lyncsim::scenario::load(path) {
            Ok(_) => panic!("{label} loaded without error"),
            Err(f) => f,
        };
        assert_eq!(failed.render(), expected, "{label}");
        let o = Command::new(bin()).args(["validate", label]).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{label}");
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(stderr.trim_end(), expected.trim_end(), "{label}");
        assert!(!stderr.contains("panicked"), "{label}");
        checked += 1;
    }
    assert!(checked >= 103, "only {checked} fixtures");
}

#[test]
fn every_warning_fixture_loads_with_its_expected_warnings() {
    let mut names: Vec<_> =
        std::fs::read_dir("tests/fixtures/warn").unwrap().map(|e| e.unwrap().path()).collect();
    names.sort();
    let mut checked = 0;
    for path in names.iter().filter(|p| p.extension().is_some_and(|e| e == "ron")) {
        let label = path.to_str().unwrap();
        let expected = std::fs::read_to_string(path.with_extension("expected"))
            .unwrap_or_else(|_| panic!("{label} has no .expected file"));
        let loaded = match lyncsim::scenario::load(path) {
            Ok(l) => l,
            Err(f) => panic!("{label} failed:\n{}", f.render()),
        };
        assert!(!loaded.warnings.is_empty(), "{label}");
        assert_eq!(loaded.render_warnings(), expected, "{label}");
        let o = Command::new(bin()).args(["validate", label]).output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{label}");
        let stderr = String::from_utf8_lossy(&o.stderr);
        let rest = stderr.strip_prefix(expected.as_str()).unwrap_or_else(|| panic!("{label}: {stderr}"));
        assert!(rest.starts_with(&format!("{label}: ok: ")) && rest.lines().count() == 1, "{label}: {rest}");
        checked += 1;
    }
    assert!(checked >= 9, "only {checked} fixtures");
}

/// Run lyncsim; (exit code, stderr).
fn lyncsim(args: &[&str]) -> (Option<i32>, String) {
    let o = Command::new(bin()).args(args).output().unwrap();
    (o.status.code(), String::from_utf8_lossy(&o.stderr).into_owned())
}

/// Two small scenarios for the commands that need them.
fn two_scenarios(dir: &Path) -> (String, String) {
    let text = |name: &str| {
        format!(
            r#"Scenario(name: "{name}", horizon: "1h", sample_every: "1m",
    sites: [ Site(name: "dc1") ],
    pools: [ Pool(fqdn: "a.contoso.com", site: "dc1", users: 10) ],
)"#
        )
    };
    let (a, b) = (dir.join("a.ron"), dir.join("b.ron"));
    std::fs::write(&a, text("a")).unwrap();
    std::fs::write(&b, text("b")).unwrap();
    (a.to_str().unwrap().to_string(), b.to_str().unwrap().to_string())
}

/// Issue 16, item 6: the user's paths are exit 2 with the path and the cause, never exit 3
/// ("internal error"), and each message names the real problem.
#[test]
fn missing_folders_files_and_unwritable_outs_are_named_with_exit_2() {
    let dir = crate::support::tempdir("errors-paths");
    let (a, b) = two_scenarios(&dir);
    let missing = dir.join("no-such-shards");
    let (code, err) = lyncsim(&["merge", missing.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("no-such-shards: no such folder") && !err.contains("shard.json"), "{err}");

    let file = dir.join("afile");
    std::fs::write(&file, "mine").unwrap();
    let f = file.to_str().unwrap();
    let (code, err) = lyncsim(&["merge", f]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("afile is a file, not a shard folder"), "{err}");

    let (code, err) = lyncsim(&["compare", &a, &b, "--quiet", "--out", f]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("afile is a file, not a results folder") && !err.contains("lyncsim results"),
        "{err}"
    );
    assert_eq!(std::fs::read(&file).unwrap(), b"mine", "the file is left alone");

    let (code, err) = lyncsim(&["check", &a, "--baseline", missing.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("no-such-shards: no such folder"), "{err}");
    // A baseline without the scenario's folder is refused before anything runs.
    let baseline = dir.join("baseline");
    std::fs::create_dir_all(baseline.join("a")).unwrap();
    let (code, err) = lyncsim(&["check", &a, &b, "--baseline", baseline.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("baseline holds no results for b;"), "{err}");
    // A stored file that cannot be read (here a folder where summary.json should be) is
    // named with its cause, exit 2, not reported as a difference.
    std::fs::create_dir_all(baseline.join("a/summary.json")).unwrap();
    let (code, err) = lyncsim(&["check", &a, "--baseline", baseline.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("error: cannot read ") && err.contains("summary.json: "), "{err}");

    // A folder that exists but cannot be written into (even by root): refused before any
    // run, by every command that writes.
    if cfg!(target_os = "linux") && Path::new("/proc/self").is_dir() {
        for args in [
            vec!["run", &a, "--quiet", "--out", "/proc"],
            vec!["compare", &a, &b, "--quiet", "--out", "/proc/cmp"],
            vec!["sweep", &a, "--set", "pools[0].users=5,6", "--quiet", "--out", "/proc/sw"],
        ] {
            let (code, err) = lyncsim(&args);
            assert_eq!(code, Some(2), "{args:?}: {err}");
            assert!(err.starts_with("error: cannot write into --out folder /proc: "), "{args:?}: {err}");
        }
    }
}
