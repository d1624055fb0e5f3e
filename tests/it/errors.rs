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
