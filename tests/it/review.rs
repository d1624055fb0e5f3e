//! Regressions found by review: probe scenarios in `tests/fixtures/review/`, each asserting
//! the documented behaviour (docs/model.md#poolstate-by-hand, #cmdlet-errors,
//! #backup-registrar, #back-end, #quorum).

use lyncsim::model::{ClientState::*, LogKind};
use lyncsim::stats::RunResult;

use crate::support::{run, users};

fn probe(name: &str) -> RunResult {
    run(&std::fs::read_to_string(format!("tests/fixtures/review/{name}.ron")).unwrap())
}

fn errors(r: &RunResult) -> Vec<String> {
    r.log.iter().filter(|e| e.kind == LogKind::AdminError).map(|e| e.detail.clone()).collect()
}

#[test]
fn a_cmdlet_supersedes_a_poolstate_change_still_waiting_for_its_poll() {
    // FailedOver set by hand at 600 s, then a failback at 610 s: the stale poll must not
    // leave b hosting a's users; when a dies at 1h its users go to resiliency on b.
    let r = probe("ps4");
    assert_eq!(users(&r, 3600 + 1200, FailedOver), 0);
    assert_eq!(users(&r, 3600 + 1200, Resiliency), 2000);
}

#[test]
fn a_failback_needs_a_pool_that_can_serve() {
    let r = probe("fb1");
    assert_eq!(
        errors(&r),
        ["Invoke-CsPoolFailback: pool is unreachable or below quorum; repair it before failing back"]
    );
    assert_eq!(users(&r, 7200, FailedOver), 3000, "a's users stay on b, not stranded");
}

#[test]
fn a_failover_whose_backup_dies_part_way_is_aborted_and_rolled_back() {
    let r = probe("mid");
    assert_eq!(errors(&r), ["Invoke-CsPoolFailover: backup pool b became unreachable"]);
    let states: Vec<&str> =
        r.log.iter().filter(|e| e.kind == LogKind::PoolState).map(|e| e.detail.as_str()).collect();
    assert_eq!(states, ["FailingOver", "Active"], "rolled back to Active");
    assert_eq!(users(&r, 1800, Full), 2000, "a keeps its users while b is down");
}

#[test]
fn pools_swap_roles_only_after_the_first_fails_back() {
    let r = probe("swap");
    assert!(errors(&r)[0].contains("the paired pool a is FailedOver: fail it back first"));
    assert_eq!(users(&r, 3600, FailedOver), 2000, "a's users stay served on b");
}

#[test]
fn a_planned_failover_that_cannot_replicate_fails_instead_of_losing_data() {
    let r = probe("wan1");
    assert!(errors(&r)[0].contains("Backup-CsPool could not reach"));
    assert_eq!(r.rpo_realized, None);
    assert_eq!(users(&r, 3600, Full), 4010, "nobody was moved to an unreachable pool");
}

#[test]
fn the_backup_registrar_watches_the_heartbeat_again_when_hosting_ends() {
    // Failover, then Active set by hand while a's services are stopped: b stops hosting and,
    // having missed a's heartbeat, accepts its users in resiliency mode after detection.
    let r = probe("ps2");
    assert!(users(&r, 1920 + 600, Resiliency) > 1900);
}

#[test]
fn failed_over_users_follow_the_hosting_pools_back_end() {
    // b hosts a's users; b's back end is lost at 40 min: after 30 min, all of them are in
    // limited functionality, b's own and a's.
    let r = probe("hostbe2");
    assert_eq!(users(&r, 40 * 60 + 31 * 60, Resiliency), 6000);
}

#[test]
fn the_witness_of_an_even_pool_is_the_primary_database() {
    // 4 front ends, principal lost (the mirror takes over), then 2 front ends lost: half of
    // the servers with the primary database down is below quorum.
    let r = probe("be2");
    assert_eq!(users(&r, 20 * 60, Offline), 4000);
}
