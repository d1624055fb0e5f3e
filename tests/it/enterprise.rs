//! Inside and around the pool (docs/model.md#pools-and-front-ends, #back-end, #cmdlet-errors):
//! front ends and routing groups, quorum, the back end, capacity, the CMS, WAN links and
//! Mediation.

use lyncsim::model::{ClientState::*, Feature::*, LogKind};
use lyncsim::stats::RunResult;

use crate::support::{frac, run, users};

const H: u64 = 3600;

fn scenario(name: &str) -> RunResult {
    run(&std::fs::read_to_string(format!("scenarios/{name}.ron")).unwrap())
}

#[test]
fn losing_a_front_end_moves_only_the_users_of_its_primary_replicas() {
    let r = scenario("ee3-server-losses");
    // pool-a: 12,000 users, 3 front ends, routing groups' primaries spread evenly: a third
    // lose their registrar with front end 0 and sign in again to a promoted secondary.
    let offline = users(&r, H, Offline);
    assert!((3900..=4100).contains(&offline), "{offline}");
    assert_eq!(users(&r, H + 900, Full), 18000, "everyone is back on pool-a within minutes");
    assert_eq!(users(&r, H + 900, Resiliency), 0, "two replicas of three still run: no LFM");
    let load = r.peak_users_per_front_end.iter().find(|(p, _)| p == "pool-a.contoso.com").unwrap().1;
    assert!((load - 6000.0).abs() < 1.0, "12,000 users on 2 running front ends: {load}");
}

#[test]
fn below_pool_quorum_the_whole_pool_stops_and_its_users_go_to_the_backup() {
    let r = scenario("ee3-server-losses");
    // 02:00: one front end of three runs, below "any 2": every pool-a user is offline,
    // then in resiliency on pool-b after the 120 s detection.
    assert_eq!(users(&r, 2 * H, Offline), 12000);
    assert!(users(&r, 2 * H + 900, Resiliency) > 11_800);
    assert_eq!(frac(&r, 2 * H + 900, Contacts), 6000.0 / 18000.0);
    // 03:00 front end 1 returns: quorum again; after the failback interval users go home.
    assert_eq!(users(&r, 3 * H + 1200, Full), 18000);
}

#[test]
fn stopping_mediation_removes_pstn_calls_but_keeps_lync_calls() {
    // docs/model.md#mediation-and-pstn-calls: 04:30-05:00 Mediation stops on every front end
    // of pool-b; its 6,000 users lose calls to and from the PSTN, not Lync-to-Lync calls.
    let r = scenario("ee3-server-losses");
    let t = 4 * H + 40 * 60;
    assert_eq!(frac(&r, t, Pstn), 12000.0 / 18000.0, "pool-b's users lose PSTN calls");
    assert_eq!(frac(&r, t, Voice), 1.0, "Lync-to-Lync calls need only a registrar");
    assert_eq!(frac(&r, t, Im), 1.0, "IM is unaffected");
    assert_eq!(frac(&r, 4 * H + 20 * 60, Pstn), 1.0, "before the stop");
    assert_eq!(frac(&r, 5 * H + 10, Pstn), 1.0, "one Mediation service is enough");
}

#[test]
fn resiliency_mode_keeps_pstn_calls_through_the_backup_pools_mediation() {
    // domain.md 1.5 via docs/model.md#mediation-and-pstn-calls: on the backup registrar,
    // outbound (and, if the carrier fails over, inbound) PSTN calls work; they go through
    // the backup pool's Mediation service, so stopping it takes them away.
    let events = r#"At("1h", PoolDown(pool: "b.contoso.com")),
        At("2h", ServiceStop(pool: "a.contoso.com", server: 0, service: Mediation)),
        At("3h", ServiceStart(pool: "a.contoso.com", server: 0, service: Mediation))"#;
    let r = run(&crate::support::pair("Lync2013", 1000, 1500, "", events, ""));
    let t = H + 30 * 60;
    assert_eq!(users(&r, t, Resiliency), 1500, "b's users on their backup registrar, a");
    assert_eq!(frac(&r, t, Pstn), 1.0, "a's Mediation serves b's users in resiliency mode");
    assert_eq!(frac(&r, t, Voice), 1.0);
    assert_eq!(frac(&r, t, Presence), 1000.0 / 2500.0, "resiliency mode nonetheless");
    let t = 2 * H + 30 * 60;
    assert_eq!(users(&r, t, Resiliency), 1500, "the registrar still runs");
    assert_eq!(frac(&r, t, Pstn), 0.0, "a's own users and b's users in resiliency lose PSTN");
    assert_eq!(frac(&r, t, Voice), 1.0, "Lync-to-Lync calls stay");
    assert_eq!(frac(&r, 3 * H + 60, Pstn), 1.0);
}

#[test]
fn routing_groups_without_replicas_wait_for_quorum_loss_recovery() {
    let r = scenario("ee12-quorum-boundary");
    // 36,000 users in 12 groups of 3,000; replicas of group g on front ends g, g+1, g+2.
    // With 0-3 down: groups 0 and 1 have no replica (6,000 users cannot sign in); groups 2
    // (2, 3, 4) and 11 (11, 0, 1) keep only their primary (6,000 users in limited
    // functionality).
    let t = H + 40 * 60;
    assert_eq!(users(&r, t, Offline), 6000);
    assert_eq!(users(&r, t, Resiliency), 6000);
    assert_eq!(users(&r, t, Full), 36000 + 24000);
    // QuorumLossRecovery at 01:45 takes 30 minutes: then groups 0 and 1 come back.
    assert_eq!(users(&r, 2 * H + 10 * 60, Offline), 6000, "still waiting for the recovery");
    assert_eq!(users(&r, 2 * H + 30 * 60, Offline), 0);
    assert!(r
        .log
        .iter()
        .any(|e| e.kind == LogKind::Warning && e.detail.contains("2 routing groups reloaded")));
    // 03:00: front end 4 fails: 4 of the first 9 run, below "any 5 of the first 9".
    assert_eq!(users(&r, 3 * H, Offline), 36000);
    assert!(users(&r, 3 * H + 1200, Resiliency) > 35_000, "on the backup registrar");
}

#[test]
fn a_witness_hides_a_back_end_failure_and_without_one_users_fall_to_resiliency_after_30_min() {
    let r = scenario("ee-backend-mirroring");
    // pool-w (with witness): nobody notices. pool-n: normal for 30 minutes, then LFM.
    for t in [H + 60, H + 29 * 60] {
        assert_eq!(users(&r, t, Full), 18000, "at {t}");
    }
    assert_eq!(users(&r, H + 31 * 60, Resiliency), 9000);
    assert_eq!(frac(&r, H + 31 * 60, Voice), 1.0);
    assert_eq!(frac(&r, H + 31 * 60, Presence), 0.5);
    // Invoke-CsDatabaseFailover at 02:00 (one minute): users back to full service.
    assert_eq!(users(&r, 2 * H + 70, Full), 18000);
    let auto = r.log.iter().find(|e| e.detail.contains("automatic database failover")).unwrap();
    assert!(auto.time.as_secs_f64() - H as f64 <= 300.0, "within the 5-minute target");
}

#[test]
fn an_enterprise_pool_whose_back_end_is_down_needs_disaster_mode_to_fail_over() {
    let src = r#"Scenario(name: "t", horizon: "3h",
        sites: [ Site(name: "dc1"), Site(name: "dc2") ],
        pools: [
            Pool(fqdn: "a", site: "dc1", edition: Enterprise, front_ends: 3, back_end: Single, users: 3000,
                 backup_pool: Some("b")),
            Pool(fqdn: "b", site: "dc2", edition: Enterprise, front_ends: 3, back_end: Single, users: 3000,
                 backup_pool: Some("a")),
        ],
        cms_pool: "b",
        events: [
            At("1h", BackEndDown(pool: "a", node: Principal)),
            At("1h10m", InvokeCsPoolFailover(pool: "a")),
            At("1h20m", InvokeCsPoolFailover(pool: "a", disaster_mode: true)),
        ])"#;
    let r = run(src);
    assert_eq!(
        r.failovers[0].error.as_deref(),
        Some("the pool's back end is unavailable; use -DisasterMode")
    );
    assert!(r.failovers[1].completed.is_some());
    assert_eq!(users(&r, 2 * H, FailedOver), 3000);
}

#[test]
fn the_cms_must_move_before_its_pool_fails_over() {
    let r = scenario("site-loss-disaster-failover-20k");
    let errors: Vec<_> = r.log.iter().filter(|e| e.kind == LogKind::AdminError).collect();
    assert_eq!(errors.len(), 1);
    assert!(errors[0].detail.contains("hosts the Central Management Store"));
    let moved = r.log.iter().find(|e| e.detail.contains("Central Management Store is active")).unwrap();
    assert_eq!(moved.time.as_millis() / 1000, H + 12 * 60 + 5 * 60, "CMS failover takes 5 minutes");
    // The disaster failover of 20,000 users completes and restores them within 30 minutes.
    let fo = r.failovers.iter().find(|f| f.error.is_none()).unwrap();
    let rto = fo.restored.unwrap().saturating_sub(fo.started).as_secs_f64();
    assert!(rto <= 30.0 * 60.0, "{rto}");
    assert_eq!(users(&r, 3 * H, FailedOver), 20000);
    assert_eq!(users(&r, 8 * H, Full), 40000, "failed back");
}

#[test]
fn a_cut_wan_isolates_clients_and_a_lost_heartbeat_lets_the_backup_take_them() {
    let r = scenario("wan-cut");
    // Branch users cannot reach pool-b; pool-a still hears pool-b, so refuses them.
    let t = H + 20 * 60;
    assert_eq!(users(&r, t, Offline), 2500);
    assert_eq!(users(&r, t, Resiliency), 0);
    // dc1-dc2 cut at 01:30: pool-a loses the heartbeat, accepts them after 120 s.
    assert_eq!(users(&r, 2 * H + 30 * 60, Resiliency), 2500);
    // pool-a's own users (in dc1) and pool-b's registrar never stopped: no one else moved.
    assert_eq!(users(&r, 2 * H + 30 * 60, Full), 2500);
    // Links back at 03:00 and 03:30: redirected home 240 s after the last one.
    assert_eq!(users(&r, 4 * H + 30 * 60, Full), 5000);
}

#[test]
fn a_pool_above_6660_users_per_front_end_signs_users_in_more_slowly() {
    // b (3 front ends at 5 registrations/s each) takes a's 20,000 users on top of its own
    // 2,000: up to 7,333 per front end. Past 6,660 per front end it registers more slowly,
    // in proportion (15/s x 6,660 / load).
    let src = r#"Scenario(name: "t", horizon: "3h", sample_every: "1s",
        sites: [ Site(name: "dc1"), Site(name: "dc2") ],
        pools: [
            Pool(fqdn: "a", site: "dc1", edition: Enterprise, front_ends: 3, back_end: Single, users: 20000,
                 backup_pool: Some("b")),
            Pool(fqdn: "b", site: "dc2", edition: Enterprise, front_ends: 3, back_end: Single, users: 2000,
                 backup_pool: Some("a"), registrations_per_sec: 5.0),
        ],
        events: [ At("1h", PoolDown(pool: "a")) ])"#;
    let r = run(src);
    let load = r.peak_users_per_front_end.iter().find(|(p, _)| p == "b").unwrap().1;
    assert!((load - 22000.0 / 3.0).abs() < 1.0, "{load}");
    // Seconds at which b has signed in n of a's users.
    let at = |n: u64| r.samples().find(|s| s.users(Resiliency) >= n).unwrap().time.as_secs_f64();
    let early = 4000.0 / (at(10_000) - at(6_000));
    let late = 1500.0 / (at(19_900) - at(18_400));
    assert!((14.5..=15.5).contains(&early), "below the limit: {early}/s");
    // Between 20,400 and 21,900 registered: 6,800-7,300 per front end, so 13.7-14.7/s.
    assert!((13.0..=14.5).contains(&late), "above the limit: {late}/s");
}

#[test]
fn an_even_sized_pool_uses_the_back_end_as_quorum_witness() {
    // Two front ends: one running keeps quorum only while the back end (the witness) is up.
    let src = r#"Scenario(name: "t", horizon: "3h",
        sites: [ Site(name: "dc1"), Site(name: "dc2") ],
        pools: [
            Pool(fqdn: "a", site: "dc1", edition: Enterprise, front_ends: 2, back_end: Single, users: 2000,
                 backup_pool: Some("b")),
            Pool(fqdn: "b", site: "dc2", edition: Enterprise, front_ends: 2, back_end: Single, users: 2000,
                 backup_pool: Some("a")),
        ],
        events: [
            At("1h", ServerDown(pool: "a", server: 1)),
            At("2h", BackEndDown(pool: "a", node: Principal)),
        ])"#;
    let r = run(src);
    // One of two front ends with the witness keeps the pool up, but every routing group has
    // lost its only secondary: a's users are in limited functionality on their own pool.
    assert_eq!(users(&r, 2 * H - 600, Offline), 0, "one of two front ends with the witness: still up");
    assert_eq!(users(&r, 2 * H - 600, Resiliency), 2000);
    assert_eq!(users(&r, 2 * H, Offline), 2000, "the witness lost: the pool stops at once");
    assert!(users(&r, 2 * H + 900, Resiliency) > 1900, "its users go to the backup registrar");
}

/// docs/model.md#sign-in-and-capacity: MaxUserCount is a wall. pool-b's two front ends take
/// 12,000 users each (the default); 26,000 want it after east is lost and pool-a fails over.
#[test]
fn a_survivor_refuses_sign_ins_beyond_max_user_count_and_the_refused_retry_offline() {
    let r = scenario("ee-pair-survivor-max-user-count");
    let registered = |t: u64| users(&r, t, Full) + users(&r, t, FailedOver) + users(&r, t, Resiliency);
    for t in [3 * H, 4 * H, 5 * H - 600] {
        assert_eq!(registered(t), 24_000, "at {t} s pool-b holds 2 x 12,000");
        assert_eq!(users(&r, t, Offline) + users(&r, t, SigningIn), 2_000, "at {t} s 2,000 are turned away");
    }
    assert_eq!(r.peak_turned_away_users, 2_000);
    // Each turned-away client retries at least every retry_max (5 min, +20 % jitter) from
    // about 01:05 to the failback at 05:30: some 40 refusals each, not one.
    assert!(r.refused_sign_ins > 2_000 * 30, "{}", r.refused_sign_ins);
    let load = r.peak_users_per_front_end.iter().find(|(p, _)| p == "pool-b.contoso.com").unwrap().1;
    assert_eq!(load, 12_000.0, "never above MaxUserCount per front end");
    let warnings: Vec<_> =
        r.log.iter().filter(|e| e.kind == LogKind::Warning && e.detail.contains("MaxUserCount")).collect();
    assert_eq!(warnings.len(), 1, "only the first refusal is logged");
    assert_eq!(warnings[0].pool, "pool-b.contoso.com");
    // After the failback everyone is home and signed in again.
    assert_eq!(users(&r, 8 * H, Full), 26_000);
}

/// Below the wall MaxUserCount changes nothing: the same survivor with room for everyone
/// (13,000 per front end in its pool-scope configuration) refuses no one and keeps all
/// 26,000 signed in; and a run far below the default wall gives the same time series and
/// events with the largest MaxUserCount allowed.
#[test]
fn below_max_user_count_nothing_changes() {
    let source = std::fs::read_to_string("scenarios/ee-pair-survivor-max-user-count.ron").unwrap();
    let roomy = source.replacen(
        "users: 10000, backup_pool: Some(\"pool-a.contoso.com\")",
        "users: 10000, backup_pool: Some(\"pool-a.contoso.com\"),\n             \
         registrar_configuration: Some(RegistrarConfiguration(max_user_count: 13000))",
        1,
    );
    assert_ne!(roomy, source);
    let r = run(&roomy);
    assert_eq!((r.refused_sign_ins, r.peak_turned_away_users), (0, 0));
    assert_eq!(users(&r, 3 * H, Offline) + users(&r, 3 * H, SigningIn), 0);
    assert!(!r.log.iter().any(|e| e.detail.contains("MaxUserCount")));

    let storm = std::fs::read_to_string("scenarios/ee-pair-signin-storm.ron").unwrap();
    let base = run(&storm);
    let widest =
        run(&storm.replacen("horizon:", "registrar: Registrar(max_user_count: 100000),\n    horizon:", 1));
    assert_eq!(base.refused_sign_ins, 0);
    assert!(base.samples().eq(widest.samples()), "same time series");
    assert_eq!(base.log, widest.log, "same events");
}

/// docs/model.md#poolstate: the pool-scope configuration a failover creates has the default
/// MaxUserCount, not the global one. With a global MaxUserCount of 2,000, pool b (a single
/// Standard server) turns 1,000 of a's 3,000 users away; after the failback a's own
/// registrar, now with 12,000, signs all 3,000 in again.
#[test]
fn a_failover_gives_the_failed_pool_the_default_max_user_count() {
    let events = r#"At("1h", PoolDown(pool: "a.contoso.com")),
        At("1h15m", InvokeCsPoolFailover(pool: "a.contoso.com", disaster_mode: true)),
        At("3h", PoolUp(pool: "a.contoso.com")),
        At("3h30m", InvokeCsPoolFailback(pool: "a.contoso.com")),"#;
    let r = run(&crate::support::pair(
        "Lync2013",
        3000,
        0,
        "front_ends: 1",
        events,
        "registrar: Registrar(max_user_count: 2000), cms_pool: \"b.contoso.com\",",
    ));
    assert_eq!(r.peak_turned_away_users, 1_000);
    assert_eq!(users(&r, 2 * H, FailedOver), 2_000);
    assert_eq!(users(&r, 5 * H, Full), 3_000);
}

#[test]
fn after_the_replicas_are_rebuilt_a_second_front_end_loss_takes_as_many_users_as_the_first() {
    let r = scenario("ee4-replica-rebuild");
    // 01:00: front end 1 holds the primaries of groups 1, 5 and 9 (3,000 users).
    assert_eq!(users(&r, H, Offline), 3000);
    // 01:30 it returns; its replicas are rebuilt for 20 minutes: until then groups keep
    // their primaries on front end 2 and nobody moves.
    assert_eq!(users(&r, H + 40 * 60, Full), 12000);
    let rebuilt = r.log.iter().find(|e| e.detail.contains("Windows Fabric")).unwrap();
    assert_eq!(rebuilt.time.as_secs_f64(), (H + 50 * 60) as f64, "20 minutes after the repair");
    assert!(rebuilt.detail.contains("primaries of 3 routing groups move back"), "{}", rebuilt.detail);
    // The primaries moved back: the second loss, of front end 2, takes its own 3,000 users,
    // not the 6,000 it held between the two.
    assert_eq!(users(&r, 3 * H, Offline), 3000);
    assert_eq!(users(&r, 3 * H + 900, Full), 12000, "two replicas of three still run: no LFM");
    // The move back is its own incident, dated at the rebuild (docs/metrics.md#incidents),
    // not at the repair 20 minutes earlier.
    let moved_back = r.incidents[Im].iter().find(|i| i.start.as_secs_f64() > H as f64).unwrap();
    assert_eq!(moved_back.start.as_secs_f64(), (H + 50 * 60) as f64);
    assert!((moved_back.end.unwrap().as_secs_f64() - (H + 50 * 60) as f64) < 120.0, "{moved_back:?}");
}

#[test]
fn a_second_loss_before_the_rebuild_takes_twice_the_users_and_a_rebuilding_replica_does_not_count() {
    // As ee4-replica-rebuild, but front end 2 fails at 01:40, before front end 1's replicas
    // are rebuilt (01:50): it holds the primaries of six groups (6,000 users), and the
    // groups whose other replicas are on front ends 1 and 2 keep only their primary.
    let src = std::fs::read_to_string("scenarios/ee4-replica-rebuild.ron")
        .unwrap()
        .replace(r#"At("3h", ServerDown"#, r#"At("1h40m", ServerDown"#);
    let r = run(&src);
    let t = H + 40 * 60;
    assert_eq!(users(&r, t, Offline), 6000);
    // Groups 0, 4, 8 (replicas 0, 1, 2: primary 0) and 1, 5, 9 (1, 2, 3: promoted to 3)
    // have no running rebuilt secondary: limited functionality (KB-LFM).
    assert_eq!(users(&r, t + 500, Resiliency), 6000);
    assert_eq!(users(&r, t + 500, Full), 6000);
    // The rebuild of front end 1 at 01:50 gives those groups a secondary again.
    assert_eq!(users(&r, t + 20 * 60, Resiliency), 0);
    // A front end that fails again while it rebuilds holds no primary (nobody moves) and
    // abandons the rebuild: it never completes.
    let src = std::fs::read_to_string("scenarios/ee4-replica-rebuild.ron").unwrap().replace(
        r#"At("3h", ServerDown(pool: "pool-a.contoso.com", server: 2))"#,
        r#"At("1h40m", ServerDown(pool: "pool-a.contoso.com", server: 1))"#,
    );
    let r = run(&src);
    assert_eq!(users(&r, H + 40 * 60, Offline), 0);
    assert!(!r.log.iter().any(|e| e.detail.contains("Windows Fabric")));
}

#[test]
fn a_pool_whose_front_ends_all_stopped_needs_its_start_quorum_and_a_cold_start() {
    // docs/model.md#cold-start: 5 front ends, 30,000 users; all fail at 01:00.
    let r = scenario("ee5-pool-cold-start");
    assert_eq!(users(&r, H + 900, Offline), 30000);
    // 02:00: 3 of 5 run. Pool-level quorum ("any 3") holds, but the start quorum is 4:
    // the pool does not serve.
    assert_eq!(users(&r, 2 * H + 1800, Offline), 30000, "3 of 5 is below the start quorum");
    let waits = r.log.iter().rfind(|e| e.detail.contains("below the start quorum of 4")).unwrap();
    assert_eq!(waits.time.as_secs_f64(), (2 * H) as f64);
    assert!(waits.detail.contains("3 of 5 front ends run"), "{}", waits.detail);
    // 03:00: the fourth returns; the initial placement takes 1 h × 30,000 / 80,000.
    let placing = r.log.iter().find(|e| e.detail.contains("initial placement of")).unwrap();
    assert_eq!(placing.time.as_secs_f64(), (3 * H) as f64, "{}", placing.detail);
    assert!(placing.detail.contains("4 of 5 front ends run (start quorum 4)"), "{}", placing.detail);
    let done = r.log.iter().find(|e| e.detail.contains("initial placement is finished")).unwrap();
    assert_eq!(done.time.as_secs_f64(), (3 * H + 1350) as f64, "22 min 30 s after the start quorum");
    assert_eq!(users(&r, 3 * H + 1200, Offline), 30000, "nobody signs in during the placement");
    assert_eq!(users(&r, 4 * H + 1800, Full), 30000);
    // The recovery is counted from the fault to the end of the sign-ins after the placement.
    let im = &r.incidents[Im][0];
    assert!(im.end.unwrap().as_secs_f64() > (3 * H + 1350) as f64, "{im:?}");
}

#[test]
fn a_pool_that_kept_a_front_end_running_or_a_standard_edition_server_starts_without_a_cold_start() {
    // Four of five fail and return: the pool never stopped entirely, so its pool-level
    // quorum is enough (3 of 5 at 02:00 serve).
    let src = std::fs::read_to_string("scenarios/ee5-pool-cold-start.ron")
        .unwrap()
        .replace(r#"At("1h", ServerDown(pool: "pool-a.contoso.com", server: 4)),"#, "")
        .replace(r#"At("4h", ServerUp(pool: "pool-a.contoso.com", server: 4)),"#, "");
    let r = run(&src);
    assert_eq!(users(&r, 2 * H + 1800, Full), 30000);
    assert!(!r.log.iter().any(|e| e.detail.contains("cold start")));
    // A Standard Edition server (no Enterprise pool's Fabric placement) serves as soon as it
    // is back (assumption, docs/model.md#cold-start).
    let src = crate::support::pair(
        "Lync2013",
        2000,
        2000,
        "",
        r#"At("1h", PoolDown(pool: "a.contoso.com")), At("2h", PoolUp(pool: "a.contoso.com"))"#,
        "",
    );
    let r = run(&src);
    assert!(!r.log.iter().any(|e| e.detail.contains("cold start")));
    assert_eq!(users(&r, 2 * H + 1800, Full), 4000);
}

#[test]
fn a_lync_2010_pool_serves_on_any_front_end_where_lync_2013_loses_quorum() {
    // docs/model.md#products: Lync 2010 has no Windows Fabric, hence no pool-level quorum.
    let src = std::fs::read_to_string("scenarios/lync2010-ee3-server-losses.ron").unwrap();
    let r = run(&src);
    // 02:00: one front end of three runs and registers all of pool-a's 9,000 users again.
    assert_eq!(users(&r, 2 * H + 1800, Full), 15000, "every user on its own pool");
    assert_eq!(users(&r, 2 * H + 1800, Resiliency), 0);
    let load = r.peak_users_per_front_end.iter().find(|(p, _)| p == "pool-a.contoso.com").unwrap().1;
    assert!((load - 9000.0).abs() < 1.0, "9,000 users on the last front end: {load}");
    let backup = |r: &RunResult| {
        r.log
            .iter()
            .any(|e| e.detail.contains("backup registrar accepts") && e.time.as_secs_f64() < 5.0 * 3600.0)
    };
    assert!(!backup(&r), "the backup registrar takes nobody before the pool loss");
    assert!(!r.log.iter().any(|e| e.detail.contains("Windows Fabric")), "no rebuild, no cold start");
    // The same losses on Lync 2013: one of three is below "any 2"; pool-a stops and its users
    // go to pool-b's backup registrar.
    let l13 = run(&src.replace("product: Lync2010", "product: Lync2013"));
    assert!(backup(&l13));
    assert!(users(&l13, 2 * H + 1800, Resiliency) > 8800);
    assert_eq!(users(&l13, 2 * H + 1800, Full), 6000);
}

#[test]
fn on_lync_2010_a_lost_back_end_puts_the_pools_users_in_resiliency_at_once() {
    // docs/model.md#back-end: the back end is Lync 2010's real-time store, without a
    // BackupStoreUnavailableThreshold; on Lync 2013 users keep full service for 30 minutes.
    let src = std::fs::read_to_string("scenarios/lync2010-ee3-server-losses.ron").unwrap();
    let r = run(&src);
    assert_eq!(users(&r, 4 * H + 60, Resiliency), 9000);
    assert_eq!(frac(&r, 4 * H + 60, Voice), 1.0, "voice stays");
    assert_eq!(frac(&r, 4 * H + 60, Contacts), 0.4, "only pool-b's 6,000 keep contacts");
    assert_eq!(users(&r, 4 * H + 1860, Full), 15000, "back with the back end at 04:30");
    let l13 = run(&src.replace("product: Lync2010", "product: Lync2013"));
    assert_eq!(users(&l13, 4 * H + 1740, Full), 15000, "Lync 2013: within the 30-minute threshold");
}
