//! Pool pairing (docs/model.md#pool-failover to #backup-service): the seeds' timelines,
//! -DisasterMode, the Backup Service, response groups and the calibration against
//! Microsoft's targets.

use std::sync::Arc;

use lyncsim::model::{ClientState::*, Feature::*, LogKind};
use lyncsim::scenario;
use lyncsim::stats::{run_replication_audited, RunResult};

use crate::support::{frac, pair, run, users};

const H: u64 = 3600;

fn scenario(name: &str) -> RunResult {
    run(&std::fs::read_to_string(format!("scenarios/{name}.ron")).unwrap())
}

/// (time in seconds, detail) of every log entry of `kind`.
fn entries(r: &RunResult, kind: LogKind) -> Vec<(f64, String)> {
    r.log.iter().filter(|e| e.kind == kind).map(|e| (e.time.as_secs_f64(), e.detail.clone())).collect()
}

fn first_time(r: &RunResult, needle: &str) -> f64 {
    r.log
        .iter()
        .find(|e| e.detail.contains(needle))
        .unwrap_or_else(|| panic!("no {needle:?} in the log"))
        .time
        .as_secs_f64()
}

#[test]
fn a_poolstate_set_by_hand_acts_at_the_two_registrar_polls() {
    let r = scenario("seed2-manual-poolstate");
    let polls = entries(&r, LogKind::RegistrarPoll);
    assert_eq!(polls.len(), 4, "{polls:#?}");
    // FailedOver at 01:00: the failed pool's poll 90 s later, the backup's 30 s after that.
    assert!(
        (polls[0].0 - (H as f64 + 90.0)).abs() < 3.0 && polls[0].1.contains("deregisters its 2500 clients")
    );
    assert!((polls[1].0 - (H as f64 + 120.0)).abs() < 3.0 && polls[1].1.contains("loads the routing groups"));
    assert_eq!(r.log.iter().find(|e| e.kind == LogKind::RegistrarPoll).unwrap().pool, "lyncfe04.thelab.info");
    assert_eq!(
        r.log.iter().filter(|e| e.kind == LogKind::RegistrarPoll).nth(1).unwrap().pool,
        "lyncfe03.thelab.info"
    );
    // Nothing happens before the first poll; the clients are offline between the polls.
    assert_eq!(users(&r, H + 80, Full), 5000);
    assert_eq!(users(&r, H + 110, Offline), 2500);
    assert_eq!(users(&r, H + 600, FailedOver), 2500, "the clients connect to lyncfe03");
    assert_eq!(frac(&r, H + 600, Contacts), 1.0);
    assert_eq!(frac(&r, H + 600, ResponseGroups), 0.5, "Lync 2013 does not replicate RGS");
    // Active at 02:00 reverses it with the same delays.
    assert!((polls[2].0 - (2.0 * H as f64 + 90.0)).abs() < 3.0 && polls[2].1.contains("Active"));
    assert!((polls[3].0 - (2.0 * H as f64 + 120.0)).abs() < 3.0 && polls[3].1.contains("unloads"));
    assert_eq!(users(&r, 2 * H + 110, FailedOver), 2500, "still on lyncfe03 until its poll");
    assert_eq!(users(&r, 2 * H + 600, Full), 5000);
}

#[test]
fn a_planned_failover_runs_the_cmdlets_steps_in_the_seeds_order() {
    let r = scenario("seed2-failover-failback");
    let admin: Vec<String> = entries(&r, LogKind::Admin).into_iter().map(|(_, d)| d).collect();
    let order = [
        "Invoke-CsPoolFailover -PoolFqdn lyncfe04.thelab.info -Verbose",
        "Get-CsRegistrarConfiguration -Identity 'service:Registrar:lyncfe04.thelab.info' -LocalStore:$false",
        "-SteadyState -Category UserData: Attempting to get into steady state.",
        "Invoke-CsManagementStoreReplication -ReplicaFqdn lyncfe04.thelab.info",
        "New-CsRegistrarConfiguration -Identity 'service:Registrar:lyncfe04.thelab.info' -PoolState FailingOver",
        "-FullBackup -Category UserData: Attempting to get into final state.",
        "Sync-CsUserData -PoolFqdn lyncfe04.thelab.info -Target: Hydrating Routing Groups Owned by lyncfe04.thelab.info on Pool lyncfe03.thelab.info.",
        "Set-CsRegistrarConfiguration -Identity 'service:Registrar:lyncfe04.thelab.info' -PoolState FailedOver",
        "Reset-CsPoolRegistrarState -PoolFqdn lyncfe04.thelab.info -ResetType ServiceReset -Force -NoReStart",
        "Invoke-CsPoolFailover completed",
    ];
    let mut at = 0;
    for step in order {
        let found = admin[at..]
            .iter()
            .position(|d| d.contains(step))
            .unwrap_or_else(|| panic!("{step} missing or out of order"));
        at += found + 1;
    }
    assert!(r
        .log
        .iter()
        .any(|e| e.kind == LogKind::Warning && e.detail.contains("Cannot find \"RegistrarConfiguration\"")));
    assert!(r.log.iter().any(|e| e.kind == LogKind::Service && e.detail.contains("-LeaveClsAgentRunning")));
    // One Hydrate event per routing group, on the backup pool, with stable ids.
    let hydrates: Vec<_> = r.log.iter().filter(|e| e.kind == LogKind::Hydrate).collect();
    assert_eq!(hydrates.len(), 6, "3 routing groups on failover, 3 on failback");
    assert!(hydrates[..3].iter().all(|e| e.pool == "lyncfe03.thelab.info"));
    assert!(hydrates[3..].iter().all(|e| e.pool == "lyncfe04.thelab.info"));
    for k in 0..3 {
        assert_eq!(hydrates[k].detail, hydrates[k + 3].detail, "the same routing groups come back");
    }
    let other = scenario("seed2-manual-poolstate");
    assert!(other.log.is_empty() || hydrates[0].detail.starts_with("Hydrating Routing Group {"));
    // PoolState order.
    let states: Vec<String> = entries(&r, LogKind::PoolState).into_iter().map(|(_, d)| d).collect();
    assert_eq!(states, ["FailingOver", "FailedOver", "FailingBack", "Active"]);
    // A planned failover of a healthy pool loses nothing.
    assert_eq!(r.failovers[0].data_lost, None);
    assert_eq!(r.rpo_realized, None);
}

#[test]
fn users_have_the_features_of_each_phase_of_a_failover() {
    let r = scenario("seed2-failover-failback");
    let failing_over = first_time(&r, "-PoolState FailingOver") as u64;
    let stopped = first_time(&r, "Stop-CsWindowsService -ComputerName") as u64;
    // While failing over, lyncfe04's users are in limited functionality on their pool.
    let t = failing_over + 10;
    assert_eq!(users(&r, t - t % 10, Resiliency), 2500);
    assert!(frac(&r, t - t % 10, Voice) == 1.0 && frac(&r, t - t % 10, Contacts) == 0.5);
    // Once services stop they sign in to lyncfe03 as FailedOver: everything but RGS.
    let after = stopped + 600;
    let after = after - after % 10;
    assert_eq!(users(&r, after, FailedOver), 2500);
    for f in [Im, Presence, Contacts, Voice, Conferencing, CallForwardingChanges, CallPark] {
        assert_eq!(frac(&r, after, f), 1.0, "{f:?}");
    }
    assert_eq!(frac(&r, after, ResponseGroups), 0.5);
    // Restarting lyncfe04 (PoolDown/PoolUp at 02:00-02:05) does not bring its users back.
    assert_eq!(users(&r, 2 * H + 1200, FailedOver), 2500);
    // Failback: signed out and in to lyncfe04, briefly in resiliency mode, then Full.
    let failing_back = first_time(&r, "-PoolState FailingBack") as u64;
    let active = first_time(&r, "-PoolState Active") as u64;
    assert!(active > failing_back + 30);
    let during = failing_back + 30 - (failing_back + 30) % 10;
    assert!(users(&r, during, Resiliency) > 0, "home again in resiliency mode during failback");
    assert_eq!(users(&r, during, FailedOver), 0);
    assert_eq!(users(&r, 4 * H, Full), 5000);
}

#[test]
fn failover_of_a_dead_pool_needs_disaster_mode_and_loses_unreplicated_data() {
    let r = scenario("seed1-disaster-mode");
    let errors = entries(&r, LogKind::AdminError);
    assert_eq!(
        errors,
        [(4200.0, "Invoke-CsPoolFailover: pool is unreachable; use -DisasterMode".to_string())]
    );
    assert_eq!(r.failovers[0].error.as_deref(), Some("pool is unreachable; use -DisasterMode"));
    // The failed attempt changed nothing: no PoolState change before the second attempt.
    let first_state = entries(&r, LogKind::PoolState)[0].0;
    assert!(first_state > 4500.0);
    assert_eq!(users(&r, 4490, Resiliency), 2500, "still in limited functionality on lyncfe03");
    // -DisasterMode skips the steps that need the dead pool and loses what was not replicated.
    assert!(r.log.iter().any(|e| e.detail == "Backup-CsPool -SteadyState: skipped (-DisasterMode)"));
    assert!(r.log.iter().any(|e| e.detail == "Backup-CsPool -FullBackup: skipped (-DisasterMode)"));
    let lost = r.failovers[1].data_lost.expect("disaster mode records its loss").as_secs_f64();
    assert!(lost > 0.0 && lost <= 120.0, "at most one 2-minute sync interval: {lost}");
    assert_eq!(r.rpo_realized.unwrap().as_secs_f64(), lost);
    // After failover the users get contacts back; RGS only after the import at 01:45.
    assert_eq!(frac(&r, H + 40 * 60, Contacts), 1.0);
    assert_eq!(frac(&r, H + 40 * 60, ResponseGroups), 0.5);
    assert_eq!(frac(&r, H + 50 * 60, ResponseGroups), 1.0);
    assert_eq!(users(&r, 6 * H, Full), 5000, "failed back home");
}

#[test]
fn lync_2010_users_stay_in_resiliency_mode_where_2013_fails_over() {
    let l2010 = scenario("lync2010-pair-voice-resiliency");
    let l2013 = scenario("seed1-disaster-mode");
    assert_eq!(frac(&l2010, 2 * H, Contacts), 0.5);
    assert_eq!(frac(&l2013, 2 * H, Contacts), 1.0);
    assert!(l2013.availability(Presence) > l2010.availability(Presence) + 0.1);
}

#[test]
fn sfb_2019_replicates_response_groups_when_asked() {
    let r = scenario("sfb2019-rgs-replicated");
    assert_eq!(frac(&r, 2 * H, ResponseGroups), 1.0);
    assert_eq!(frac(&r, 2 * H, Contacts), 1.0);
}

#[test]
fn a_backlogged_backup_service_delays_a_planned_failover() {
    // 1,000 users change 2 items an hour; a sync every hour carries 1,000 changes, i.e.
    // 30 minutes of them: the Backup Service falls behind (NonSteadyState), so
    // Backup-CsPool -SteadyState and -FullBackup wait for the backlog to drain.
    let events = r#"At("2h", InvokeCsPoolFailover(pool: "b.contoso.com"))"#;
    let steady = run(&pair("Lync2013", 1000, 1000, "", events, ""));
    let slow = run(&pair(
        "Lync2013",
        1000,
        1000,
        "",
        events,
        "backup_service: BackupService(sync_interval: \"1h\", max_batches_per_sync: 10, changes_per_batch: 100),",
    ));
    let d = |r: &RunResult| {
        (r.failovers[0].completed.unwrap().as_secs_f64()) - r.failovers[0].started.as_secs_f64()
    };
    assert!(d(&slow) > d(&steady) + 3600.0, "{} vs {}", d(&slow), d(&steady));
    assert_eq!(slow.failovers[0].data_lost, None, "a planned failover still loses nothing");
    let status =
        slow.backup_status.iter().find(|b| b.from == "a.contoso.com" && b.pool == "a.contoso.com").unwrap();
    assert_eq!(status.export_state.name(), "NonSteadyState");
}

#[test]
fn data_lost_is_counted_in_changes_and_is_zero_when_nobody_changed_anything() {
    // docs/model.md#backup-service: the changes lost are the expected count of the
    // unreplicated window, rate x seconds; the seconds (the RPO in time) stay.
    let events = r#"At("1h", PoolDown(pool: "b.contoso.com")),
        At("1h15m", InvokeCsPoolFailover(pool: "b.contoso.com", disaster_mode: true))"#;
    let quiet = run(&pair(
        "Lync2013",
        1000,
        1000,
        "",
        events,
        "backup_service: BackupService(changes_per_user_per_hour: 0.0),",
    ));
    let f = &quiet.failovers[0];
    assert!(f.data_lost.unwrap() > lyncsim::engine::SimTime::ZERO, "seconds since the last sync stay");
    assert_eq!(f.data_lost_changes, Some(0.0));
    assert_eq!(quiet.rpo_realized_changes, Some(0.0));
    let busy = run(&pair("Lync2013", 1000, 1000, "", events, ""));
    let f = &busy.failovers[0];
    // 1,000 users x 2 changes an hour = 1/1.8 change per second of unreplicated data.
    let expected = f.data_lost.unwrap().as_secs_f64() * 1000.0 * 2.0 / 3600.0;
    let changes = f.data_lost_changes.unwrap();
    assert!(changes > 0.0 && (changes - expected).abs() < 1e-9, "{changes} vs {expected}");
    assert_eq!(busy.rpo_realized_changes, Some(changes));
}

#[test]
fn backup_service_states_read_as_the_seed_saw_them_and_after_a_disaster() {
    // Seed 2: before the failover both pools of a quiet lab pair show FinalState and
    // NormalState (docs/model.md#backup-service).
    let quiet = run(&pair(
        "Lync2013",
        1000,
        1000,
        "",
        "",
        "backup_service: BackupService(changes_per_user_per_hour: 0.0),",
    ));
    assert_eq!(quiet.backup_status.len(), 2);
    for b in &quiet.backup_status {
        assert_eq!((b.export_state.name(), b.import_state), ("FinalState", "NormalState"), "{b:?}");
    }
    // Users changing data: SteadyState / NormalState.
    let busy = run(&pair("Lync2013", 1000, 1000, "", "", ""));
    for b in &busy.backup_status {
        assert_eq!((b.export_state.name(), b.import_state), ("SteadyState", "NormalState"), "{b:?}");
    }
    // b dies and is failed over: its export is in ErrorState, a's import from it is normal;
    // everything a sends to b (a's data and b's data served on a) fails at b's import.
    let events = r#"At("1h", PoolDown(pool: "b.contoso.com")),
        At("1h15m", InvokeCsPoolFailover(pool: "b.contoso.com", disaster_mode: true))"#;
    let r = run(&pair("Lync2013", 1000, 1000, "", events, ""));
    let row = |pool: &str, from: &str| {
        let b = r.backup_status.iter().find(|b| b.pool == pool && b.from == from).unwrap();
        (b.export_state.name(), b.import_state)
    };
    assert_eq!(row("b.contoso.com", "b.contoso.com"), ("ErrorState", "NormalState"));
    assert_eq!(row("a.contoso.com", "a.contoso.com"), ("SteadyState", "ErrorState"));
    assert_eq!(row("b.contoso.com", "a.contoso.com"), ("SteadyState", "ErrorState"));
}

#[test]
fn a_disaster_failback_loses_what_users_changed_on_the_backup() {
    let events = r#"At("1h", PoolDown(pool: "b.contoso.com")),
        At("1h15m", InvokeCsPoolFailover(pool: "b.contoso.com", disaster_mode: true)),
        At("2h", PoolDown(pool: "a.contoso.com")),
        At("2h10m", InvokeCsPoolFailback(pool: "b.contoso.com")),
        At("2h20m", PoolUp(pool: "b.contoso.com")),
        At("2h30m", InvokeCsPoolFailback(pool: "b.contoso.com")),
        At("2h40m", InvokeCsPoolFailback(pool: "b.contoso.com", disaster_mode: true))"#;
    let r = run(&pair("Lync2013", 1000, 1000, "", events, ""));
    let errors: Vec<String> = entries(&r, LogKind::AdminError).into_iter().map(|(_, d)| d).collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].contains("repair it before failing back"));
    assert!(errors[1].contains("use -DisasterMode"));
    let back = r.failovers.last().unwrap();
    assert!(back.completed.is_some());
    // b was down from 01:00 to 02:20, so nothing b's users changed on a after the failover
    // (hydrated about 01:16) reached b before a died at 02:00: about 44 minutes are lost.
    let lost = back.data_lost.expect("disaster failback records its loss").as_secs_f64();
    assert!((40.0 * 60.0..=45.0 * 60.0).contains(&lost), "{lost}");
    assert_eq!(users(&r, 6 * H, Full), 1000, "b's users are home; a is still down");
}

#[test]
fn the_reference_failover_meets_microsofts_rto_and_failback_targets() {
    let f = scenario("calibration-failover-40k");
    let rto = f.failovers[0].restored.unwrap().saturating_sub(f.failovers[0].started).as_secs_f64();
    assert!((15.0 * 60.0..=30.0 * 60.0).contains(&rto), "failover of 39,960 users: {rto} s");
    let b = scenario("calibration-failback-20k");
    let fb = &b.failovers[1];
    assert_eq!(fb.cmdlet, "Invoke-CsPoolFailback");
    let t = fb.restored.unwrap().saturating_sub(fb.started).as_secs_f64();
    assert!(t <= 60.0 * 60.0, "failback of 20,000 users: {t} s");
}

#[test]
fn a_failover_gives_the_pool_default_registrar_settings() {
    // The global refresh is 900 s and keep-alives are hourly, so a client notices a dead
    // registrar at its next refresh. b is failed over and back, which creates a pool-scope
    // registrar configuration with the default 600 s (seed 2's warning). When b dies at 4h,
    // all its clients notice within 600 s and get to a (detection 1 s, fast queue). Without
    // the failover they keep 900 s: P(not noticed by 605 s) = (1 - 605/900)(1 - 605/3600) ~ 27 %.
    let run_with = |events: &str| {
        let src = pair(
            "Lync2013",
            10,
            1000,
            r#"voice_failover: Some(VoiceFailover(detection: "1s"))"#,
            events,
            r#"clients: Clients(refresh: "900s", keepalive: "1h"), sample_every: "1s","#,
        )
        .replace(
            r#"backup_pool: Some("b.contoso.com"))"#,
            r#"backup_pool: Some("b.contoso.com"), registrations_per_sec: 1000.0)"#,
        );
        run(&src)
    };
    let failed_over = run_with(
        r#"At("1h", InvokeCsPoolFailover(pool: "b.contoso.com")),
           At("2h", InvokeCsPoolFailback(pool: "b.contoso.com")),
           At("4h", PoolDown(pool: "b.contoso.com"))"#,
    );
    let control = run_with(r#"At("4h", PoolDown(pool: "b.contoso.com"))"#);
    assert!(failed_over.log.iter().any(|e| e.detail.contains("New-CsRegistrarConfiguration")));
    assert_eq!(users(&failed_over, 4 * H + 605, Resiliency), 1000, "600 s refresh after the failover");
    let waiting = 1000 - users(&control, 4 * H + 605, Resiliency);
    assert!((200..=350).contains(&waiting), "900 s global refresh: {waiting} still unaware");
}

#[test]
fn response_groups_can_be_imported_naming_either_pool() {
    let src = |named: &str| {
        std::fs::read_to_string("scenarios/seed1-disaster-mode.ron").unwrap().replace(
            "ImportCsRgsConfiguration(pool: \"lyncfe03.thelab.info\")",
            &format!("ImportCsRgsConfiguration(pool: \"{named}\")"),
        )
    };
    for named in ["lyncfe03.thelab.info", "lyncfe04.thelab.info"] {
        let r = run(&src(named));
        assert_eq!(frac(&r, H + 50 * 60, ResponseGroups), 1.0, "naming {named}");
    }
}

/// The sign-in queue's peak per phase (docs/model.md#phases-of-a-run): b is lost at 01:00
/// (its clients go to their backup registrar), failed over at 01:30, repaired at 03:00 and
/// failed back at 04:00. The failback's rush is the run's peak and belongs to the failback;
/// the queue after the fault is smaller and counted apart.
#[test]
fn the_signin_queue_peak_is_reported_per_phase() {
    use lyncsim::model::Phase;
    let events = r#"
        At("1h", PoolDown(pool: "b.contoso.com")),
        At("1h30m", InvokeCsPoolFailover(pool: "b.contoso.com", disaster_mode: true)),
        At("3h", PoolUp(pool: "b.contoso.com")),
        At("4h", InvokeCsPoolFailback(pool: "b.contoso.com")),
    "#;
    let r = run(&pair("Lync2013", 2500, 5000, "", events, ""));
    let by = r.peak_signin_queue_by_phase;
    let (fault, failover, failback) = (by[Phase::AfterFault], by[Phase::Failover], by[Phase::Failback]);
    eprintln!("peak {} by phase {by:?}", r.peak_signin_queue);
    let failback = failback.expect("the run fails back");
    assert_eq!(failback, r.peak_signin_queue, "the failback rush is the run's peak");
    let fault = fault.expect("the run has a fault");
    assert!(fault < failback, "the queue after the fault ({fault}) is not the failback's ({failback})");
    assert!(failover.is_some_and(|q| q <= r.peak_signin_queue));
    // A PoolState set by hand: FailedOver starts the failover phase, Active the failback.
    let manual = scenario("seed2-manual-poolstate").peak_signin_queue_by_phase;
    assert_eq!(manual[Phase::AfterFault], None, "no fault in seed 2's manual change");
    assert!(manual[Phase::Failover].is_some() && manual[Phase::Failback] == Some(2500), "{manual:?}");
    // A run without faults or cmdlets has no phase at all.
    let quiet = run(&pair("Lync2013", 100, 100, "", "", ""));
    assert_eq!(quiet.peak_signin_queue_by_phase, Default::default());
}

/// Issue 17 item 10 (docs/model.md#the-administrator): with `import_rgs_after`, the
/// administrator runs Import-CsRgsConfiguration that long after the failover completes, so
/// failed-over users get response groups back before failback. The library scenario is
/// product-lync2013-pool-loss-failover with `import_rgs_after: Some("15m")`; nothing else
/// changes (the import has its own random stream).
#[test]
fn the_administrator_imports_response_groups_after_a_failover_when_asked() {
    let library =
        |name: &str| run(&std::fs::read_to_string(format!("scenarios/library/{name}.ron")).unwrap());
    let without = library("product-lync2013-pool-loss-failover");
    let with = library("product-lync2013-rgs-import-pool-loss-failover");
    let completed = first_time(&with, "Invoke-CsPoolFailover completed");
    let imported = first_time(&with, "Import-CsRgsConfiguration");
    assert_eq!(imported - completed, 15.0 * 60.0, "15 min after the failover completes");
    assert!(without.log.iter().all(|e| !e.detail.contains("Import-CsRgsConfiguration")));
    let import = with.log.iter().find(|e| e.detail.contains("Import-CsRgsConfiguration")).unwrap();
    assert_eq!(
        (import.kind, import.pool.as_str()),
        (LogKind::Admin, "se02.contoso.com"),
        "logged as the scripted import, on the pool that receives the data"
    );
    // Before the import both runs lack the failed pool's response groups; after it only the
    // run without the import does, until failback.
    let (before, after) = ((imported as u64 / 10) * 10 - 10, (imported as u64 / 10) * 10 + 10);
    assert_eq!(frac(&with, before, ResponseGroups), frac(&without, before, ResponseGroups));
    assert!(frac(&with, before, ResponseGroups) <= 0.5);
    assert_eq!(frac(&with, after, ResponseGroups), frac(&with, after, Contacts));
    assert!(frac(&with, after, ResponseGroups) > 0.99);
    assert!(frac(&without, after, ResponseGroups) <= 0.5);
    assert!(with.availability(ResponseGroups) > without.availability(ResponseGroups) + 0.2);
    for f in [Voice, Im, Contacts, Conferencing] {
        assert_eq!(with.availability(f), without.availability(f), "{f:?}");
    }
}

/// The import follows scripted failovers too, only where the partner lacks the data: SfB 2019
/// with `replicate_response_groups` needs none (and validation warns, fixture
/// warn/import-rgs-with-rgs-replication); an import decided for one failover does not run
/// after a failback, nor early in the next failover.
#[test]
fn the_administrators_import_runs_only_where_and_when_needed() {
    let policy = "administrator: Some(Administrator(import_rgs_after: Some(\"1h\"))),";
    let imports = |r: &RunResult| -> Vec<f64> {
        r.log
            .iter()
            .filter(|e| e.detail.contains("Import-CsRgsConfiguration"))
            .map(|e| e.time.as_secs_f64())
            .collect()
    };
    let sfb = std::fs::read_to_string("scenarios/sfb2019-rgs-replicated.ron").unwrap();
    let sfb = sfb.replacen("    events:", &format!("    {policy}\n    events:"), 1);
    assert!(sfb.contains("import_rgs_after"));
    assert_eq!(imports(&run(&sfb)), Vec::<f64>::new());
    // Lync 2013: failover at 01:00, failback at 01:30 (before the import is due), failover
    // again at 02:00: one import, an hour after the second failover completed.
    let events = r#"
        At("1h", InvokeCsPoolFailover(pool: "b.contoso.com")),
        At("1h30m", InvokeCsPoolFailback(pool: "b.contoso.com")),
        At("2h", InvokeCsPoolFailover(pool: "b.contoso.com")),
    "#;
    let r = run(&pair("Lync2013", 2500, 2500, "", events, policy));
    let done: Vec<f64> = r
        .log
        .iter()
        .filter(|e| e.detail == "Invoke-CsPoolFailover completed")
        .map(|e| e.time.as_secs_f64())
        .collect();
    assert_eq!(done.len(), 2, "{:#?}", entries(&r, LogKind::AdminError));
    assert_eq!(imports(&r), vec![done[1] + 3600.0]);
}

/// Issue 17 item 9 (docs/model.md#same-instant-events): a scripted cmdlet due at the very
/// instant a cmdlet it depends on completes runs first, and fails; a second later it succeeds.
/// Validation warns about the first (fixture warn/cmdlet-due-before-cms-failover-completes,
/// this very scenario).
#[test]
fn a_cmdlet_due_when_the_store_failover_completes_runs_before_the_completion() {
    let path = "tests/fixtures/warn/cmdlet-due-before-cms-failover-completes.ron";
    let r = run(&std::fs::read_to_string(path).unwrap());
    let errors = entries(&r, LogKind::AdminError);
    assert_eq!(
        errors,
        [(
            4200.0,
            "Invoke-CsPoolFailover: the pool hosts the Central Management Store; move it first with \
             Invoke-CsManagementServerFailover"
                .to_string()
        )]
    );
    assert_eq!(first_time(&r, "Central Management Store is active"), 4200.0);
    assert_eq!(first_time(&r, "Invoke-CsPoolFailover -PoolFqdn fe03"), 4201.0);
    assert!(r.log.iter().any(|e| e.detail == "Invoke-CsPoolFailover completed"));
}

/// A failback started right after the pool's repair, while its cold start still places the
/// routing groups (docs/model.md#pool-failback, #cold-start): the failback's RTCSRV restart
/// begins the placement anew, so at `FailingBack` the home pool does not serve yet. The
/// backup pool signs the users out and the home pool refuses them: they wait offline and sign
/// in once it serves, never queued at a pool that does not serve. Reduced from a property
/// test's case (tests/it/properties.proptest-regressions), which broke the model invariant
/// "a SigningIn user is in the queue of a serving pool".
#[test]
fn a_failback_during_a_cold_start_signs_users_in_once_the_pool_serves() {
    let source = r#"Scenario(
    name: "failback-during-cold-start",
    product: Lync2013,
    seed: 1,
    horizon: "40m",
    sample_every: "10s",
    sites: [ Site(name: "s0") ],
    pools: [
        Pool(fqdn: "b.contoso.com", site: "s0", users: 100, edition: Enterprise, front_ends: 3, back_end: Single, backup_pool: Some("a.contoso.com")),
        Pool(fqdn: "a.contoso.com", site: "s0", users: 600, edition: Enterprise, front_ends: 3, back_end: Single, backup_pool: Some("b.contoso.com")),
    ],
    events: [
        At("60s", InvokeCsPoolFailover(pool: "a.contoso.com", disaster_mode: false)),
        At("600s", PoolDown(pool: "a.contoso.com")),
        At("900s", PoolUp(pool: "a.contoso.com")),
        At("905s", InvokeCsPoolFailback(pool: "a.contoso.com", disaster_mode: false)),
    ],
)"#;
    let config = match scenario::load_str("failback-during-cold-start.ron", source) {
        Ok(l) => Arc::new(l.config),
        Err(f) => panic!("{}", f.render()),
    };
    let (r, audit) = run_replication_audited(config, 0);
    assert_eq!(audit.violation, None, "{audit:?}");
    // The case holds: FailingBack comes before the placement that step 6 began ends.
    let failing_back = r
        .log
        .iter()
        .find(|e| e.kind == LogKind::PoolState && e.detail == "FailingBack")
        .expect("the failback reaches FailingBack")
        .time
        .as_secs_f64();
    let serves = r
        .log
        .iter()
        .filter(|e| e.detail.ends_with("the initial placement is finished; the pool serves"))
        .map(|e| e.time.as_secs_f64())
        .next_back()
        .expect("the cold start ends");
    assert!(failing_back < 1000.0 && 1000.0 < serves, "FailingBack {failing_back} s, serves {serves} s");
    // Between the two, a's 600 users are signed out and nobody is signing in.
    assert_eq!(users(&r, 1000, SigningIn), 0);
    assert_eq!(users(&r, 1000, Offline), 600);
    assert_eq!(users(&r, 1000, Full), 100);
    assert!(r.failovers.last().unwrap().completed.is_some(), "{:?}", r.failovers);
    assert_eq!(users(&r, 2400, Full), 700, "every user is home and fully served");
}
