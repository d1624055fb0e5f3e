//! The model's behaviours (docs/model.md#clients to #features-per-client-state), each
//! asserted on numbers from the time series.

use lyncsim::model::{ClientState::*, Feature::*};

use crate::support::{frac, pair, run, users};

const H: u64 = 3600;

#[test]
fn a_quiet_deployment_keeps_every_user_and_costs_no_events() {
    let r = run(&pair("Lync2013", 1000, 1500, "", "", ""));
    for s in r.samples() {
        assert_eq!(s.users(Full), 2500);
    }
    for f in lyncsim::model::Feature::ALL {
        assert_eq!(r.availability(f), 1.0);
    }
    assert_eq!(r.events_processed, 0, "users whose state never changes cost no events");
    assert_eq!(r.samples().count(), 6 * 360 + 1, "rows from 0 to the horizon inclusive");
}

#[test]
fn users_of_a_dead_pool_lose_every_feature_at_once() {
    let r = run(&pair("Lync2013", 2500, 2500, "", r#"At("1h", PoolDown(pool: "b.contoso.com"))"#, ""));
    assert_eq!(users(&r, H - 10, Full), 5000);
    assert_eq!(users(&r, H, Offline), 2500, "offline from the instant of the fault");
    assert_eq!(frac(&r, H, Voice), 0.5);
    assert_eq!(frac(&r, H, Im), 0.5);
}

#[test]
fn clients_notice_at_their_next_keepalive_or_refresh() {
    // Detection is quick and sign-in capacity is ample, so who is back in resiliency mode
    // 150 s after the fault is who has sent a keep-alive (300 s period) or refresh (600 s)
    // since: P = 1 - (1 - 150/300)(1 - 150/600) = 0.625 with uniform phases.
    let r = run(&pair(
        "Lync2013",
        100,
        4000,
        r#"voice_failover: Some(VoiceFailover(detection: "1s", failback: "240s")), registrations_per_sec: 1000.0"#,
        r#"At("1h", PoolDown(pool: "b.contoso.com"))"#,
        "",
    ));
    let back = users(&r, H + 150, Resiliency) as f64 / 4000.0;
    assert!((back - 0.625).abs() < 0.03, "fraction back after 150 s: {back}");
    let all = users(&r, H + 310, Resiliency);
    assert_eq!(all, 4000, "every client has sent a keep-alive within 300 s");
}

#[test]
fn the_backup_registrar_accepts_only_after_the_detection_interval() {
    let r = run(&pair(
        "Lync2013",
        2500,
        2500,
        r#"voice_failover: Some(VoiceFailover(detection: "600s", failback: "240s"))"#,
        r#"At("1h", PoolDown(pool: "b.contoso.com"))"#,
        "",
    ));
    assert_eq!(users(&r, H + 590, Resiliency), 0, "nobody before detection");
    assert_eq!(users(&r, H + 590, Offline), 2500);
    assert!(users(&r, H + 900, Resiliency) > 0, "clients get in once the backup accepts");
    // The first resiliency sign-in is logged by the backup pool.
    let accept = r.log.iter().find(|e| e.detail.contains("accepts users of b.contoso.com")).unwrap();
    assert_eq!(accept.time.as_millis(), (H + 600) * 1000);
    assert_eq!(accept.pool, "a.contoso.com");
}

#[test]
fn voice_survives_in_resiliency_mode_while_contacts_fall_to_the_unaffected_share() {
    let r = run(&pair("Lync2013", 2500, 2500, "", r#"At("1h", PoolDown(pool: "b.contoso.com"))"#, ""));
    // Default detection 120 s; clients notice within 300 s, retries back off up to 5 min.
    for t in [H + 15 * 60, 2 * H, 5 * H] {
        assert!(frac(&r, t, Voice) >= 0.97, "voice at {t}: {}", frac(&r, t, Voice));
        assert!(frac(&r, t, Im) >= 0.97);
        assert_eq!(frac(&r, t, Contacts), 0.5, "contacts stay with the unaffected pool's users");
        assert_eq!(frac(&r, t, Presence), 0.5);
        assert_eq!(frac(&r, t, Conferencing), 0.5);
        assert_eq!(frac(&r, t, CallForwardingChanges), 0.5);
        assert_eq!(frac(&r, t, ResponseGroups), 0.5);
        assert_eq!(frac(&r, t, CallPark), 0.5);
    }
    assert_eq!(r.peak_resiliency_users, 2500);
    assert!(r.time_to_restore(Voice).unwrap().as_secs_f64() < 15.0 * 60.0);
    assert_eq!(r.time_to_restore(Contacts), None, "contacts never come back without repair");
}

#[test]
fn sign_ins_pass_through_the_backup_pools_queue() {
    // 2,500 users at one registration per second take at least 2,500 s to get back.
    let r = run(&pair("Lync2013", 10, 2500, "", r#"At("1h", PoolDown(pool: "b.contoso.com"))"#, "").replace(
        r#"backup_pool: Some("b.contoso.com")"#,
        r#"backup_pool: Some("b.contoso.com"), registrations_per_sec: 1.0"#,
    ));
    for dt in [300u64, 900, 1800] {
        let signed_in = users(&r, H + dt, Resiliency);
        assert!(signed_in <= dt - 120 + 1, "at most one per second after detection: {signed_in} at +{dt}s");
        assert!(
            signed_in + 5 >= dt.saturating_sub(120 + 300 + 360).min(2500),
            "the queue keeps serving: {signed_in}"
        );
    }
    assert!(r.peak_signin_queue > 1000, "a storm waits in the queue: {}", r.peak_signin_queue);
    assert!(users(&r, H + 900, SigningIn) > 0);
}

#[test]
fn the_backup_redirects_users_home_after_the_failback_interval() {
    let r = run(&pair(
        "Lync2013",
        2500,
        2500,
        "",
        r#"At("1h", PoolDown(pool: "b.contoso.com")), At("3h", PoolUp(pool: "b.contoso.com"))"#,
        "",
    ));
    assert_eq!(users(&r, 3 * H + 230, Resiliency), 2500, "still on the backup during failback interval");
    assert_eq!(frac(&r, 3 * H + 230, Presence), 0.5);
    // At 3h + 240 s they are redirected into lyncfe04's queue: 2,500 at 20/s = 125 s.
    assert!(users(&r, 3 * H + 250, SigningIn) > 2000);
    assert_eq!(users(&r, 3 * H + 240 + 130, Full), 5000);
    assert_eq!(frac(&r, 4 * H, Presence), 1.0);
    assert!(r.log.iter().any(|e| e.detail.contains("redirects 2500 users home")));
}

#[test]
fn without_voice_failover_users_wait_offline_for_their_pool() {
    let r = run(&pair(
        "Lync2013",
        2500,
        2500,
        "voice_failover: None",
        r#"At("1h", PoolDown(pool: "b.contoso.com")), At("3h", PoolUp(pool: "b.contoso.com"))"#,
        "",
    ));
    for t in [H + 600, 2 * H, 3 * H - 10] {
        assert_eq!(users(&r, t, Offline), 2500);
        assert_eq!(frac(&r, t, Voice), 0.5);
    }
    assert_eq!(r.peak_resiliency_users, 0);
    // Retries back off to at most 5 min (+20 % jitter), then the 125 s queue.
    assert_eq!(users(&r, 3 * H + 360 + 130, Full), 5000);
}

#[test]
fn a_site_loss_takes_its_pools_and_its_return_brings_them_back() {
    let src = r#"Scenario(
        name: "t", horizon: "6h",
        sites: [ Site(name: "dc1"), Site(name: "dc2") ],
        pools: [
            Pool(fqdn: "p1", site: "dc1", users: 1000, backup_pool: Some("p3")),
            Pool(fqdn: "p2", site: "dc2", users: 1000, backup_pool: Some("p4"), voice_failover: None),
            Pool(fqdn: "p3", site: "dc1", users: 1000, backup_pool: Some("p1")),
            Pool(fqdn: "p4", site: "dc1", users: 1000, backup_pool: Some("p2")),
        ],
        events: [
            At("1h", SiteDown(site: "dc2")),
            At("1h30m", PoolDown(pool: "p1")),
            At("3h", SiteUp(site: "dc2")),
        ],
    )"#;
    let r = run(src);
    assert_eq!(users(&r, H, Offline), 1000, "the site's pool stops at once");
    assert_eq!(users(&r, 2 * H, Offline), 1000, "p2 has no voice failover");
    assert_eq!(users(&r, 2 * H, Resiliency), 1000, "p1's users are on p3");
    assert_eq!(users(&r, 3 * H + 900, Full), 3000, "p2 is back with its site; p1 stays down");
    assert_eq!(users(&r, 3 * H + 900, Resiliency), 1000);
}

#[test]
fn lync_2010_gives_voice_resiliency_without_contacts_or_conferencing() {
    let r = run(&pair("Lync2010", 2500, 2500, "", r#"At("1h", PoolDown(pool: "b.contoso.com"))"#, ""));
    assert!(frac(&r, 2 * H, Voice) >= 0.97);
    assert_eq!(frac(&r, 2 * H, Contacts), 0.5);
    assert_eq!(frac(&r, 2 * H, Conferencing), 0.5);
}

#[test]
fn retries_back_off_doubling_up_to_the_cap() {
    // No jitter; retries after 10, 20, 40 s, then every 80 s; keep-alives every 20 s, so
    // every client notices within 20 s of the fault. The pool is down for 60 s: a client
    // that noticed at d < 20 s retries at d+10 and d+30 (both fail) and gets in at d+70,
    // between 70 and 90 s. A constant 10 s back-off would have everyone back by 70 s.
    let clients = r#"sample_every: "1s", clients: Clients(keepalive: "20s", retry: "10s", retry_max: "80s", retry_jitter: 0.0),"#;
    let r = run(&pair(
        "Lync2013",
        10,
        4000,
        "voice_failover: None, registrations_per_sec: 1000.0",
        r#"At("1h", PoolDown(pool: "b.contoso.com")), At("3660s", PoolUp(pool: "b.contoso.com"))"#,
        clients,
    ));
    assert_eq!(users(&r, H + 69, Offline), 4000, "the second retry, 30 s after notice, still failed");
    assert!(users(&r, H + 80, Offline) > 1000, "doubling: {}", users(&r, H + 80, Offline));
    assert_eq!(users(&r, H + 91, Offline), 0, "everyone is back at the third retry");
    // A long outage: after it, everyone is back within one capped delay (80 s).
    let long = run(&pair(
        "Lync2013",
        10,
        4000,
        "voice_failover: None, registrations_per_sec: 1000.0",
        r#"At("1h", PoolDown(pool: "b.contoso.com")), At("2h", PoolUp(pool: "b.contoso.com"))"#,
        clients,
    ));
    let back_early = 4000 - users(&long, 2 * H + 10, Offline);
    assert!(back_early > 200 && back_early < 1000, "retries spread over one 80 s period: {back_early}");
    assert_eq!(users(&long, 2 * H + 90, Offline), 0);
}

#[test]
fn sign_in_capacity_is_per_running_front_end() {
    // 8,000 users redirected home at once: 4 front ends at 2/s each drain them in 1,000 s.
    let src = |front_ends: u32| {
        format!(
            r#"Scenario(name: "t", horizon: "4h",
            sites: [ Site(name: "dc1"), Site(name: "dc2") ],
            pools: [
                Pool(fqdn: "a", site: "dc1", edition: Enterprise, front_ends: 4, back_end: Single,
                     users: 10, backup_pool: Some("b")),
                Pool(fqdn: "b", site: "dc2", edition: Enterprise, front_ends: {front_ends}, back_end: Single,
                     users: 8000, backup_pool: Some("a"), registrations_per_sec: 2.0),
            ],
            events: [ At("1h", PoolDown(pool: "b")), At("2h", PoolUp(pool: "b")) ],
            // Sign-in capacity alone: a negligible cold start of pool b (docs/model.md#cold-start).
            timing: Timing(pool_cold_start: "1s"))"#
        )
    };
    let four = run(&src(4));
    let two = run(&src(2));
    // Redirected at 2h + 240 s; 500 s later 4 FEs have signed in 4,000, 2 FEs 2,000.
    let t = 2 * H + 240 + 500;
    let home = |r: &lyncsim::stats::RunResult| users(r, t, Full) - 10;
    assert!((3950..=4050).contains(&home(&four)), "{}", home(&four));
    assert!((1950..=2050).contains(&home(&two)), "{}", home(&two));
}

#[test]
fn users_are_conserved_in_every_sample() {
    // Debug builds also recount every user at every instant (World::check_invariants).
    let r = run(&pair(
        "Lync2013",
        1234,
        4321,
        "",
        r#"At("10m", PoolDown(pool: "a.contoso.com")), At("20m", PoolDown(pool: "b.contoso.com")),
           At("1h", PoolUp(pool: "a.contoso.com")), At("2h", PoolUp(pool: "b.contoso.com"))"#,
        "",
    ));
    for s in r.samples() {
        assert_eq!(s.by_state.values().map(|&n| n as u64).sum::<u64>(), 5555, "at {:?}", s.time);
    }
    for f in lyncsim::model::Feature::ALL {
        let a = r.availability(f);
        assert!((0.0..=1.0).contains(&a));
    }
    assert_eq!(users(&r, 6 * H, Full), 5555, "everyone is home at the end");
}

#[test]
fn a_backup_never_registers_users_before_it_has_missed_the_heartbeat() {
    // a fails, returns after 5 min and fails again at 4,000 s while many of its users still
    // wait in b's slow queue: b must not register them before detecting the new failure.
    let src = pair(
        "Lync2013",
        2500,
        100,
        "registrations_per_sec: 1.0",
        r#"At("1h", PoolDown(pool: "a.contoso.com")), At("3900s", PoolUp(pool: "a.contoso.com")),
           At("4000s", PoolDown(pool: "a.contoso.com"))"#,
        r#"sample_every: "1s","#,
    );
    let r = run(&src);
    let accepted = r
        .log
        .iter()
        .filter(|e| e.detail.contains("accepts users of a.contoso.com"))
        .map(|e| e.time.as_millis() / 1000)
        .collect::<Vec<_>>();
    assert_eq!(accepted.len(), 2, "{accepted:?}");
    let second = accepted[1];
    assert!(second >= 4000 + 120);
    // Users still on b from the first outage stay (their redirect home was not due yet);
    // nobody new is registered there until b detects the second failure.
    let before = users(&r, 4000, Resiliency);
    for t in (4000 + 1)..second {
        assert_eq!(users(&r, t, Resiliency), before, "registered in resiliency at {t} before detection");
    }
    assert!(users(&r, second + 60, Resiliency) > before);
}

#[test]
fn a_quiet_year_costs_no_more_events_than_a_quiet_day() {
    // README.md#performance: cost grows with state changes, not with the horizon; only the rows grow.
    let src = |horizon: &str| {
        format!(
            r#"Scenario(name: "t", horizon: "{horizon}", sample_every: "1h",
            sites: [ Site(name: "dc1"), Site(name: "dc2") ],
            pools: [
                Pool(fqdn: "a", site: "dc1", edition: Enterprise, front_ends: 4, back_end: Mirrored(witness: true),
                     users: 5000, backup_pool: Some("b")),
                Pool(fqdn: "b", site: "dc2", edition: Enterprise, front_ends: 4, back_end: Mirrored(witness: true),
                     users: 5000, backup_pool: Some("a")),
            ],
            events: [ At("1h", PoolDown(pool: "b")), At("3h", PoolUp(pool: "b")) ])"#
        )
    };
    let day = run(&src("24h"));
    let year = run(&src("8760h"));
    assert_eq!(day.events_processed, year.events_processed);
    assert_eq!(year.samples().count(), 8761);
}

/// `clients.batch` gathers notices, retries and sign-in completions into windows: fewer
/// events, every change on a window boundary, and availability within a window's worth
/// of user-time of the exact model.
#[test]
fn batched_client_events_land_on_window_boundaries_and_stay_close_to_exact() {
    let events = r#"At("1h", PoolDown(pool: "b.contoso.com")), At("3h", PoolUp(pool: "b.contoso.com"))"#;
    let exact = run(&pair("Lync2013", 1000, 1000, "", events, "sample_every: \"1s\","));
    let batched = run(&pair(
        "Lync2013",
        1000,
        1000,
        "",
        events,
        "sample_every: \"1s\", clients: Clients(batch: \"5s\"),",
    ));
    assert!(
        batched.events_processed * 2 < exact.events_processed,
        "{} batched events against {} exact",
        batched.events_processed,
        exact.events_processed
    );
    // Between window boundaries nothing changes.
    let rows: Vec<_> = batched.samples().collect();
    for pair in rows.windows(2) {
        if !pair[0].same_counts(&pair[1]) {
            assert_eq!(pair[1].time.as_millis() % 5_000, 0, "a change at {:?}", pair[1].time);
        }
    }
    for f in [Im, Voice, Contacts] {
        let (a, b) = (exact.availability(f), batched.availability(f));
        // Each user's changes are delayed by at most one 5 s window (a few per outage).
        assert!(b <= a + 1e-9 && a - b < 4.0 * 5.0 / (6.0 * 3600.0), "{f:?}: exact {a}, batched {b}");
        assert!(a - b > 0.0, "{f:?}: batching delays sign-ins a little");
    }
}

/// docs/model.md#the-registrar-list: a client that signed in without a 301 (and finds no DNS
/// SRV record for the backup pool) holds only its home pool. When the pool dies it cannot
/// find the backup registrar: it waits offline for its pool or a failover, while the clients
/// that hold both re-register to the backup (q=0.3) in resiliency mode.
#[test]
fn clients_without_their_backup_registrar_wait_for_the_failover() {
    use lyncsim::model::LogKind;
    let source = std::fs::read_to_string("scenarios/seed1-backup-registrar-known-60.ron").unwrap();
    let share = 0.6;
    assert!(source.contains("backup_registrar_known: 0.6"));
    let some = run(&source);
    let all = run(&source.replace("backup_registrar_known: 0.6", "backup_registrar_known: 1.0"));
    let pool_users = 2500u64;
    let known = (share * pool_users as f64).round() as u64;
    // 01:14: after the backup's detection, before the -DisasterMode failover of 01:15.
    let before_failover = H + 14 * 60;
    assert_eq!(users(&all, before_failover, Resiliency), pool_users, "every client found its backup");
    assert_eq!(users(&some, before_failover, Resiliency), known, "only those that hold it");
    assert_eq!(users(&some, before_failover, Offline), pool_users - known, "the others wait offline");
    assert!(frac(&some, before_failover, Im) < frac(&all, before_failover, Im));
    assert!(frac(&some, before_failover, Voice) < frac(&all, before_failover, Voice));
    // The failover hosts every user of lyncfe04 on lyncfe03, whatever its client holds.
    assert_eq!(users(&some, 2 * H, FailedOver), pool_users);
    assert_eq!(frac(&some, 2 * H, Presence), frac(&all, 2 * H, Presence));
    for f in [Im, Voice, Pstn] {
        assert!(some.availability(f) < all.availability(f), "{f:?}");
    }
    // The trace says it in aggregate, at the instant the backup starts accepting.
    let line = |r: &lyncsim::stats::RunResult, kind: LogKind, text: &str| {
        r.log.iter().find(|e| e.kind == kind && e.detail.contains(text)).map(|e| (e.time, e.pool.clone()))
    };
    let group = |n: u64| lyncsim::text::group_digits(n);
    let re_register = |n: u64| {
        format!("{} clients re-register to their backup registrar lyncfe03.thelab.info (q=0.3)", group(n))
    };
    let waiting = format!(
        "{} clients have no backup registrar (signed in without a 301): they wait for lyncfe04.thelab.info",
        group(pool_users - known)
    );
    let accepts = line(&some, LogKind::Service, &re_register(known)).expect("the re-registration line");
    assert_eq!(accepts.1, "lyncfe03.thelab.info");
    assert_eq!(
        line(&some, LogKind::Warning, &waiting),
        Some((accepts.0, "lyncfe04.thelab.info".to_string()))
    );
    assert!(line(&all, LogKind::Service, &re_register(pool_users)).is_some());
    assert!(line(&all, LogKind::Warning, "no backup registrar").is_none());
}
