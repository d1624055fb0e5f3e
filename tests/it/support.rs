//! Helpers: build scenarios from text, run them, read the time series.

use std::sync::Arc;

use lyncsim::model::{ClientState, Feature};
use lyncsim::scenario;
use lyncsim::stats::{run_replication, RunResult, Sample};

/// Load scenario text (panicking with the rendered diagnostics if it is invalid) and run it.
pub fn run(source: &str) -> RunResult {
    let loaded = match scenario::load_str("test.ron", source) {
        Ok(l) => l,
        Err(f) => panic!("invalid test scenario:\n{}", f.render()),
    };
    run_replication(Arc::new(loaded.config), 0)
}

/// A two-pool Standard Edition pair; `a` and `b` users, extra pool fields and events spliced in.
pub fn pair(
    product: &str,
    users_a: u32,
    users_b: u32,
    pool_b_extra: &str,
    events: &str,
    extra: &str,
) -> String {
    format!(
        r#"Scenario(
    name: "t",
    product: {product},
    seed: 5,
    horizon: "6h",
    sites: [ Site(name: "dc1"), Site(name: "dc2") ],
    pools: [
        Pool(fqdn: "a.contoso.com", site: "dc1", users: {users_a}, backup_pool: Some("b.contoso.com")),
        Pool(fqdn: "b.contoso.com", site: "dc2", users: {users_b}, backup_pool: Some("a.contoso.com"), {pool_b_extra}),
    ],
    events: [ {events} ],
    {extra}
)"#
    )
}

/// The sample at `secs` seconds (sample_every must divide it).
pub fn at(result: &RunResult, secs: u64) -> Sample {
    result
        .samples()
        .find(|s| s.time.as_millis() == secs * 1000)
        .unwrap_or_else(|| panic!("no sample at {secs} s"))
}

/// Fraction of users with `feature` at `secs`.
pub fn frac(result: &RunResult, secs: u64, feature: Feature) -> f64 {
    result.fraction(&at(result, secs), feature)
}

/// Users in `state` at `secs`.
pub fn users(result: &RunResult, secs: u64, state: ClientState) -> u64 {
    at(result, secs).users(state)
}

/// Path of the lyncsim binary.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_lyncsim")
}

/// A fresh empty temporary folder for one test.
pub fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("lyncsim-it-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
