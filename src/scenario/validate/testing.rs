//! Scenario texts and loaders shared by the validation tests: two paired Standard Edition
//! pools and a fault, with parts replaced. Texts that only give diagnostics are fixtures
//! (`tests/fixtures/bad`, `tests/fixtures/warn`), checked by `tests/it/errors.rs`.

use crate::scenario::{load_str, Failed, Loaded};

pub(super) fn ok(source: &str) -> Loaded {
    match load_str("t.ron", source) {
        Ok(loaded) => loaded,
        Err(failed) => panic!("should load:\n{}", failed.render()),
    }
}

pub(super) fn failed(source: &str) -> Failed {
    match load_str("scenarios/x.ron", source) {
        Ok(_) => panic!("should fail:\n{source}"),
        Err(failed) => failed,
    }
}

/// Two paired Standard pools and a fault, with `pools` and `events` replaced.
pub(super) fn two_pools(pools: &str, events: &str) -> String {
    format!(
        "Scenario(\n    name: \"t\",\n    horizon: \"12h\",\n    sites: [Site(name: \"dc1\"), Site(name: \"dc2\")],\n    \
         pools: [\n{pools}\n    ],\n    events: [\n{events}\n    ],\n)\n"
    )
}

pub(super) const PAIR: &str =
    "        Pool(fqdn: \"fe03\", site: \"dc1\", users: 2500, backup_pool: Some(\"fe04\")),\n        \
                    Pool(fqdn: \"fe04\", site: \"dc2\", users: 2500, backup_pool: Some(\"fe03\")),";

pub(super) const FAULT: &str = "        At(\"1h\", PoolDown(pool: \"fe04\")),";

/// A fault and the four pool-pairing cmdlets.
pub(super) const PAIRING_EVENTS: &str = "        At(\"1h\", PoolDown(pool: \"fe04\")),\n        \
                              At(\"1h15m\", InvokeCsPoolFailover(pool: \"fe04\", disaster_mode: true)),\n        \
                              At(\"1h30m\", ImportCsRgsConfiguration(pool: \"fe03\")),\n        \
                              At(\"5h\", SetCsRegistrarConfiguration(pool: \"fe04\", pool_state: FailingBack)),\n        \
                              At(\"6h\", InvokeCsPoolFailback(pool: \"fe04\")),";

/// Two paired Enterprise pools: fe03 mirrored with a witness, fe04 mirrored without.
pub(super) const EE_PAIR: &str = "        Pool(fqdn: \"fe03\", site: \"dc1\", edition: Enterprise, front_ends: 3, \
                       back_end: Mirrored(witness: true), users: 5000, backup_pool: Some(\"fe04\")),\n        \
                       Pool(fqdn: \"fe04\", site: \"dc2\", edition: Enterprise, front_ends: 3, \
                       back_end: Mirrored(witness: false), users: 5000, backup_pool: Some(\"fe03\")),";

/// Errors as (path, message), in order.
pub(super) fn errors(source: &str) -> Vec<(String, String)> {
    failed(source)
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| (d.path.clone().unwrap_or_default(), d.message.clone()))
        .collect()
}

/// [`two_pools`] with `fields` added before `events`.
pub(super) fn with_fields(fields: &str) -> String {
    two_pools(PAIR, FAULT).replace("    events:", &format!("    {fields},\n    events:"))
}

/// A scenario with `sites` sites and `pools` Standard pools of `users` users, unpaired.
pub(super) fn sized(sites: usize, pools: usize, users: u32, events: usize) -> String {
    let sites: Vec<String> = (0..sites).map(|i| format!("Site(name: \"s{i}\")")).collect();
    let pools: Vec<String> =
        (0..pools).map(|i| format!("Pool(fqdn: \"p{i}\", site: \"s0\", users: {users})")).collect();
    let events: Vec<String> = (0..events).map(|_| "At(\"1h\", PoolDown(pool: \"p0\"))".to_string()).collect();
    format!(
        "Scenario(name: \"t\", horizon: \"12h\",\n    sites: [{}],\n    pools: [{}],\n    events: [{}],\n)\n",
        sites.join(", "),
        pools.join(", "),
        events.join(", ")
    )
}

/// [`two_pools`] with `failures` (one per line) added before `events`.
pub(super) fn with_failures(pools: &str, failures: &[&str]) -> String {
    let lines: Vec<String> = failures.iter().map(|f| format!("        {f},")).collect();
    two_pools(pools, FAULT)
        .replace("    events:", &format!("    failures: [\n{}\n    ],\n    events:", lines.join("\n")))
}

/// A `Random` failure of `target` with a 4000-hour mean time between failures and a
/// 4-hour mean time to repair.
pub(super) fn random(target: &str) -> String {
    format!("Random(target: {target}, mtbf: Exponential(mean: \"4000h\"), mttr: Fixed(\"4h\"))")
}

/// [`two_pools`] with an `administrator: ...` section (`section` written after the colon).
pub(super) fn with_administrator(pools: &str, section: &str) -> String {
    two_pools(pools, FAULT).replace("    events:", &format!("    administrator: {section},\n    events:"))
}
