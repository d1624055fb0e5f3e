//! Stochastic failures and the administrator's policy (one replication).

use lyncsim::model::{ClientState::*, Feature::*, LogKind};
use lyncsim::stats::RunResult;

use crate::support::{frac, run, users};

const H: u64 = 3600;

fn times(r: &RunResult, kind: LogKind) -> Vec<u64> {
    r.log.iter().filter(|e| e.kind == kind).map(|e| e.time.as_millis() / 1000).collect()
}

fn pair_with(failures: &str, administrator: &str, horizon: &str) -> String {
    format!(
        r#"Scenario(name: "t", horizon: "{horizon}", sample_every: "1m",
        sites: [ Site(name: "dc1"), Site(name: "dc2") ],
        pools: [
            Pool(fqdn: "a", site: "dc1", users: 1000, backup_pool: Some("b")),
            Pool(fqdn: "b", site: "dc2", users: 1000, backup_pool: Some("a")),
        ],
        failures: [ {failures} ],
        {administrator}
    )"#
    )
}

#[test]
fn a_failure_process_alternates_up_for_mtbf_and_down_for_mttr() {
    let r = run(&pair_with(
        r#"Random(target: Pool(pool: "b"), mtbf: Fixed("10h"), mttr: Fixed("2h"))"#,
        "",
        "48h",
    ));
    assert_eq!(times(&r, LogKind::Fault), [10 * H, 22 * H, 34 * H, 46 * H]);
    assert_eq!(times(&r, LogKind::Repair), [12 * H, 24 * H, 36 * H, 48 * H], "events at the horizon run");
    // Without an administrator nobody fails over: b's users wait in resiliency mode.
    assert_eq!(users(&r, 11 * H, Resiliency), 1000);
    assert_eq!(frac(&r, 11 * H, Contacts), 0.5);
    assert!(r.failovers.is_empty());
}

#[test]
fn every_target_can_fail_at_random() {
    let src = r#"Scenario(name: "t", horizon: "20h",
        sites: [ Site(name: "dc1"), Site(name: "dc2") ],
        pools: [
            Pool(fqdn: "a", site: "dc1", edition: Enterprise, front_ends: 3, back_end: Mirrored(witness: false),
                 users: 1000, backup_pool: Some("b")),
            Pool(fqdn: "b", site: "dc2", edition: Enterprise, front_ends: 3, back_end: Mirrored(witness: false),
                 users: 1000, backup_pool: Some("a")),
        ],
        cms_pool: "b",
        failures: [
            Random(target: Pool(pool: "a"), mtbf: Fixed("2h"), mttr: Fixed("10m")),
            Random(target: FrontEnd(pool: "b", server: 1), mtbf: Fixed("3h"), mttr: Fixed("10m")),
            Random(target: BackEnd(pool: "b", node: Principal), mtbf: Fixed("5h"), mttr: Fixed("10m")),
            Random(target: Site(site: "dc1"), mtbf: Fixed("7h"), mttr: Fixed("10m")),
            Random(target: Wan(a: "dc1", b: "dc2"), mtbf: Fixed("11h"), mttr: Fixed("10m")),
        ],
    )"#;
    let r = run(src);
    let faults: Vec<&str> =
        r.log.iter().filter(|e| e.kind == LogKind::Fault).map(|e| e.detail.as_str()).collect();
    for needle in ["PoolDown", "ServerDown", "BackEndDown", "SiteDown", "WanDown"] {
        assert!(faults.iter().any(|d| d.starts_with(needle)), "no {needle} in {faults:#?}");
    }
    assert_eq!(users(&r, 20 * H, Full), 2000, "everything repaired by the end");
}

#[test]
fn random_failures_are_reproducible_and_depend_on_the_seed() {
    let src = |seed: u64| {
        pair_with(
            r#"Random(target: Pool(pool: "a"), mtbf: Exponential(mean: "100h"), mttr: LogNormal(median: "4h", sigma: 0.6)),
               Random(target: Pool(pool: "b"), mtbf: Exponential(mean: "100h"), mttr: LogNormal(median: "4h", sigma: 0.6))"#,
            "",
            "2000h",
        )
        .replace("sample_every", &format!("seed: {seed}, sample_every"))
        .replace("users: 1000", "users: 100")
    };
    let a = run(&src(1));
    let b = run(&src(1));
    let c = run(&src(2));
    assert_eq!(times(&a, LogKind::Fault), times(&b, LogKind::Fault));
    assert_ne!(times(&a, LogKind::Fault), times(&c, LogKind::Fault));
    // About 2 x 2000 / 104 failures in all.
    let n = times(&a, LogKind::Fault).len();
    assert!((20..=60).contains(&n), "{n}");
}

#[test]
fn the_administrator_fails_a_dead_pool_over_after_the_decision_delay_and_back_after_repair() {
    let r = run(&pair_with(
        r#"Random(target: Pool(pool: "b"), mtbf: Fixed("10h"), mttr: Fixed("3h"))"#,
        r#"administrator: Some(Administrator(failover_after: "20m", failback_after: Some("1h"))),"#,
        "20h",
    ));
    let fo = r.failovers.iter().find(|f| f.cmdlet == "Invoke-CsPoolFailover").unwrap();
    assert_eq!(fo.started.as_millis() / 1000, 10 * H + 20 * 60, "20 minutes after the failure");
    assert!(fo.disaster_mode && fo.error.is_none() && fo.completed.is_some());
    assert_eq!(users(&r, 11 * H, FailedOver), 1000);
    assert_eq!(frac(&r, 11 * H, Contacts), 1.0);
    let fb = r.failovers.iter().find(|f| f.cmdlet == "Invoke-CsPoolFailback").unwrap();
    assert_eq!(fb.started.as_millis() / 1000, 14 * H, "an hour after the repair at 13h");
    assert_eq!(users(&r, 16 * H, Full), 2000);
}

#[test]
fn the_administrator_moves_the_cms_before_failing_its_pool_over() {
    let r = run(&pair_with(
        r#"Random(target: Pool(pool: "a"), mtbf: Fixed("10h"), mttr: Fixed("3h"))"#,
        r#"cms_pool: "a", administrator: Some(Administrator(failover_after: "20m")),"#,
        "20h",
    ));
    let admin: Vec<&str> =
        r.log.iter().filter(|e| e.kind == LogKind::Admin).map(|e| e.detail.as_str()).collect();
    let cms = admin.iter().position(|d| d.starts_with("Invoke-CsManagementServerFailover")).unwrap();
    let fo = admin.iter().position(|d| d.starts_with("Invoke-CsPoolFailover")).unwrap();
    assert!(cms < fo);
    assert!(r.log.iter().all(|e| e.kind != LogKind::AdminError), "no failed attempt");
    assert!(r.failovers[0].completed.is_some());
}

#[test]
fn a_pool_that_returns_before_the_decision_is_not_failed_over() {
    let r = run(&pair_with(
        r#"Random(target: Pool(pool: "b"), mtbf: Fixed("10h"), mttr: Fixed("10m"))"#,
        r#"administrator: Some(Administrator(failover_after: "20m")),"#,
        "15h",
    ));
    assert!(r.failovers.is_empty(), "{:?}", r.failovers);
}
