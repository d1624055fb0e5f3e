//! Exact diagnostics for malformed scenarios: every `tests/fixtures/bad/NAME.ron` must
//! render exactly as `NAME.expected`, and the binary must exit 2 on each.

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
        assert_eq!(String::from_utf8_lossy(&o.stderr).trim_end(), expected.trim_end(), "{label}");
        checked += 1;
    }
    assert!(checked >= 8, "only {checked} fixtures");
}
