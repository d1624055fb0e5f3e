//! Validation tests: scenario texts and what they load into, or the diagnostics they give.

use super::*;
use crate::model::config::{
    default_routing_groups, Action, AdministratorConfig, BackEnd, BackEndNode, ClientState, Delay, Edition,
    FailureConfig, FailureTarget, Feature, FeatureMatrix, NewPrincipal, PoolState, RegistrarSettings,
    ResetType, ScheduledAction, Service, VoiceFailoverConfig,
};
use crate::scenario::format::thousands;
use crate::scenario::{load, load_str, Failed, Loaded, Severity};

/// The example of SPEC section 3.
const SPEC_EXAMPLE: &str = r#"Scenario(
name: "se-pair-disaster",                 // results folder name; [a-z0-9-_] only
description: "Two paired SE pools; lyncfe04 dies at 01:00, failover at 01:15, failback at 06:00",
product: Lync2013,                        // Lync2010 | Lync2013 | SfB2015 | SfB2019
seed: 42,
horizon: "12h",
sample_every: "10s",                      // default "10s"
replications: 1,                          // Monte Carlo replications; default 1
sites: [ Site(name: "dc1"), Site(name: "dc2") ],
pools: [
    Pool(
        fqdn: "lyncfe03.thelab.info",
        site: "dc1",
        edition: Standard,                // Standard | Enterprise
        front_ends: 1,                    // Standard: 1; Enterprise: 2..=16 (12 before SfB2019)
        back_end: Local,                  // Local (SE, SQL Express) | Single | Mirrored(witness: true)
        users: 2500,                      // users homed on this pool
        routing_groups: 3,                // default: derived from users, documented
        backup_pool: Some("lyncfe04.thelab.info"),
        voice_failover: Some(VoiceFailover(detection: "120s", failback: "240s")), // the default when omitted; None turns it off
        registrations_per_sec: 20.0,      // sign-in capacity per front end (assumption; see 4.6)
    ),
    Pool(fqdn: "lyncfe04.thelab.info", site: "dc2", edition: Standard, front_ends: 1,
         back_end: Local, users: 2500, backup_pool: Some("lyncfe03.thelab.info")),
],
backup_service: BackupService(sync_interval: "2m", replicate_response_groups: false),
timing: Timing(),                         // all fields optional: section 4.7
clients: Clients(),                       // all fields optional: section 4.2
features: Features(),                     // optional override of the matrix in 4.3
events: [
    At("1h",    PoolDown(pool: "lyncfe04.thelab.info")),
    At("1h15m", InvokeCsPoolFailover(pool: "lyncfe04.thelab.info", disaster_mode: true)),
    At("5h",    PoolUp(pool: "lyncfe04.thelab.info")),
    At("6h",    InvokeCsPoolFailback(pool: "lyncfe04.thelab.info")),
],
failures: [                               // stochastic failures, optional
    Random(target: FrontEnd(pool: "lyncfe03.thelab.info", server: 0),
           mtbf: Exponential(mean: "4000h"),
           mttr: LogNormal(median: "4h", sigma: 0.6)),
],
)
"#;

fn ok(source: &str) -> Loaded {
    match load_str("t.ron", source) {
        Ok(loaded) => loaded,
        Err(failed) => panic!("should load:\n{}", failed.render()),
    }
}

fn failed(source: &str) -> Failed {
    match load_str("scenarios/x.ron", source) {
        Ok(_) => panic!("should fail:\n{source}"),
        Err(failed) => failed,
    }
}

/// Two paired Standard pools and a fault, with `pools` and `events` replaced.
fn two_pools(pools: &str, events: &str) -> String {
    format!(
        "Scenario(\n    name: \"t\",\n    horizon: \"12h\",\n    sites: [Site(name: \"dc1\"), Site(name: \"dc2\")],\n    \
         pools: [\n{pools}\n    ],\n    events: [\n{events}\n    ],\n)\n"
    )
}

const PAIR: &str =
    "        Pool(fqdn: \"fe03\", site: \"dc1\", users: 2500, backup_pool: Some(\"fe04\")),\n        \
                    Pool(fqdn: \"fe04\", site: \"dc2\", users: 2500, backup_pool: Some(\"fe03\")),";
const FAULT: &str = "        At(\"1h\", PoolDown(pool: \"fe04\")),";

#[test]
fn the_spec_example_loads() {
    let loaded = ok(SPEC_EXAMPLE);
    assert!(loaded.warnings.is_empty(), "{}", loaded.render_warnings());
    assert_eq!(loaded.render_warnings(), "");
    let c = &loaded.config;
    assert_eq!(c.name, "se-pair-disaster");
    assert_eq!((c.product, c.seed, c.replications), (Product::Lync2013, 42, 1));
    assert_eq!((c.horizon, c.sample_every), (SimTime::from_secs(12 * 3600), SimTime::from_secs(10)));
    assert_eq!(c.sites.len(), 2);
    let (fe03, fe04) = (&c.pools[0], &c.pools[1]);
    assert_eq!((fe03.site, fe03.backup, fe03.routing_groups), (SiteId(0), Some(PoolId(1)), 3));
    assert_eq!((fe04.site, fe04.backup), (SiteId(1), Some(PoolId(0))));
    assert_eq!(fe04.routing_groups, default_routing_groups(2500, 1));
    assert_eq!((fe03.edition, fe03.back_end, fe03.users), (Edition::Standard, BackEnd::Local, 2500));
    assert_eq!(
        fe04.voice_failover,
        Some(VoiceFailoverConfig { detection: Delay::secs(120), failback: Delay::secs(240) })
    );
    assert_eq!(c.backup_service.sync_interval, Delay::secs(120));
    assert_eq!(c.backup_service.changes_per_user_per_hour, 2.0);
    assert_eq!(c.backup_service.changes_per_sync, 50_000.0);
    assert_eq!(c.timing.registrar_poll_failed_pool, Delay::secs(90));
    assert_eq!(c.timing.hydrate_per_routing_group, Delay::secs(10));
    assert_eq!(c.timing.hydrate_per_user, Delay::Fixed(SimTime::from_millis(10)));
    assert_eq!(c.timing.cmdlet_step, Delay::secs(5));
    assert_eq!((fe03.registrar, fe04.registrar), (None, None));
    assert_eq!(c.clients.refresh, Delay::secs(600));
    assert_eq!(c.features, FeatureMatrix::default());
    assert_eq!(
        c.events,
        vec![
            ScheduledAction { at: SimTime::from_secs(3600), action: Action::PoolDown(PoolId(1)) },
            ScheduledAction {
                at: SimTime::from_secs(4500),
                action: Action::InvokeCsPoolFailover { pool: PoolId(1), disaster_mode: true }
            },
            ScheduledAction { at: SimTime::from_secs(5 * 3600), action: Action::PoolUp(PoolId(1)) },
            ScheduledAction {
                at: SimTime::from_secs(6 * 3600),
                action: Action::InvokeCsPoolFailback { pool: PoolId(1), disaster_mode: false }
            },
        ]
    );
    assert_eq!(
        c.failures,
        vec![FailureConfig {
            target: FailureTarget::FrontEnd(PoolId(0), 0),
            mtbf: Delay::Exponential { mean_s: 4000.0 * 3600.0 },
            mttr: Delay::LogNormal { median_s: 4.0 * 3600.0, sigma: 0.6 },
        }]
    );
    assert_eq!(c.administrator, None);
    assert_eq!(c.scenario_sha256, format!("{:x}", Sha256::digest(SPEC_EXAMPLE.as_bytes())));
    assert_eq!(c.scenario_sha256.len(), 64);
    assert_eq!(c.total_users(), 5000);
}

#[test]
fn syntax_error() {
    let source = "Scenario(\n    name: \"t\"\n    horizon: \"12h\",\n)\n";
    assert_eq!(
        failed(source).render(),
        r#"error: expected comma
 --> scenarios/x.ron:3:5
  |
3 |     horizon: "12h",
  |     ^
"#
    );
}

#[test]
fn unknown_field_with_a_suggestion() {
    let source = two_pools(PAIR, FAULT).replace("Pool(fqdn: \"fe04\"", "Pool(fqdnn: \"fe04\"");
    assert_eq!(
        failed(&source).render(),
        r#"error: unknown field "fqdnn" in Pool
 --> scenarios/x.ron:7:14
  |
7 |         Pool(fqdnn: "fe04", site: "dc2", users: 2500, backup_pool: Some("fe03")),
  |              ^
  = help: did you mean "fqdn"? expected one of: fqdn, site, users_site, edition, front_ends, back_end, users, routing_groups, backup_pool, voice_failover, registrations_per_sec, registrar_configuration
"#
    );
}

#[test]
fn unknown_pool_with_did_you_mean() {
    let source = two_pools(PAIR, "        At(\"1h\", PoolDown(pool: \"fe4\")),");
    assert_eq!(
        failed(&source).render(),
        r#"error: unknown pool "fe4"
  --> scenarios/x.ron:10:33
   |
10 |         At("1h", PoolDown(pool: "fe4")),
   |                                 ^
   = at events[0].pool
   = help: did you mean "fe04"?
"#
    );
}

#[test]
fn bad_duration_string() {
    let source = two_pools(PAIR, FAULT).replace("\"12h\"", "\"12 hours\"");
    assert_eq!(
        failed(&source).render(),
        r#"error: invalid duration "12 hours": expected a whole number of seconds or a string like "90s", "2m", "1h15m" (units ms, s, m, h, d)
 --> scenarios/x.ron:3:14
  |
3 |     horizon: "12 hours",
  |              ^
"#
    );
}

#[test]
fn self_backup() {
    let pools =
        "        Pool(fqdn: \"fe03\", site: \"dc1\", users: 2500, backup_pool: Some(\"fe03\")),\n        \
                 Pool(fqdn: \"fe04\", site: \"dc2\", users: 2500),";
    assert_eq!(
        failed(&two_pools(pools, FAULT)).render(),
        r#"error: a pool cannot back itself up
 --> scenarios/x.ron:6:72
  |
6 |         Pool(fqdn: "fe03", site: "dc1", users: 2500, backup_pool: Some("fe03")),
  |                                                                        ^
  = at pools[0].backup_pool
  = help: name the other pool of the pair, or remove backup_pool
"#
    );
}

#[test]
fn non_reciprocal_pairing() {
    let pools = format!(
        "{PAIR}\n        Pool(fqdn: \"fe05\", site: \"dc2\", users: 100, backup_pool: Some(\"fe04\")),"
    );
    assert_eq!(
        failed(&two_pools(&pools, FAULT)).render(),
        r#"error: pools[2].backup_pool is fe04 but fe04's backup_pool is fe03
 --> scenarios/x.ron:8:71
  |
8 |         Pool(fqdn: "fe05", site: "dc2", users: 100, backup_pool: Some("fe04")),
  |                                                                       ^
  = at pools[2].backup_pool
  = help: on Lync2013 pools are paired one-to-one and both ways: set backup_pool: Some("fe05") on fe04
"#
    );
    // Lync Server 2010 allows a one-way backup registrar: a warning only.
    let loaded = ok(&two_pools(&pools, FAULT).replace("horizon:", "product: Lync2010, horizon:"));
    assert_eq!(loaded.warnings.len(), 1);
    assert_eq!(loaded.warnings[0].severity, Severity::Warning);
    assert_eq!(loaded.warnings[0].path.as_deref(), Some("pools[2].backup_pool"));
    assert_eq!(loaded.config.pools[2].backup, Some(PoolId(1)));
}

#[test]
fn standard_with_two_front_ends() {
    let pools = PAIR.replacen("users: 2500,", "front_ends: 2, users: 2500,", 1);
    assert_eq!(
        failed(&two_pools(&pools, FAULT)).render(),
        r#"error: a Standard Edition pool has exactly 1 front end, not 2
 --> scenarios/x.ron:6:53
  |
6 |         Pool(fqdn: "fe03", site: "dc1", front_ends: 2, users: 2500, backup_pool: Some("fe04")),
  |                                                     ^
  = at pools[0].front_ends
  = help: use edition: Enterprise for 2 to 12 front ends
"#
    );
}

#[test]
fn client_batch_windows_are_bounded() {
    let source = two_pools(PAIR, FAULT).replace("horizon:", "clients: Clients(batch: \"1s\"), horizon:");
    assert_eq!(ok(&source).config.clients.batch, SimTime::from_secs(1));
    let source = two_pools(PAIR, FAULT).replace("horizon:", "clients: Clients(batch: \"2m\"), horizon:");
    let text = failed(&source).render();
    assert!(
        text.starts_with(
            "error: clients.batch 2m is longer than 1m: client timings would lose their meaning"
        ),
        "{text}"
    );
    assert!(text.contains("= help: use a window of a few seconds at most, or 0 for exact timing"), "{text}");
}

#[test]
fn replications_are_bounded() {
    let source = two_pools(PAIR, FAULT).replace("horizon:", "replications: 10, horizon:");
    assert_eq!(ok(&source).config.replications, 10);
    let source = two_pools(PAIR, FAULT).replace("horizon:", "replications: 2000000, horizon:");
    assert_eq!(
        failed(&source).render(),
        r#"error: 2,000,000 replications is more than the limit of 1,000,000
 --> scenarios/x.ron:3:19
  |
3 |     replications: 2000000, horizon: "12h",
  |                   ^
  = at replications
  = help: the 99 % confidence interval narrows with the square root of the count; run the study in parts with different seeds if you need more; the limit is MAX_REPLICATIONS in src/scenario/validate.rs; raise it and rebuild if this machine can take more
"#
    );
}

#[test]
fn all_errors_at_once_with_warnings_in_order() {
    let pools = "        Pool(fqdn: \"fe03\", site: \"dc3\", users: 3000, backup_pool: Some(\"fe03\")),\n        \
                 Pool(fqdn: \"fe04\", site: \"dc2\", edition: Enterprise, front_ends: 2, back_end: Single, users: 0),";
    let events = "        At(\"1h\", ServerUp(pool: \"fe04\", server: 2)),\n        At(\"13h\", SiteDown(site: \"dc2\")),";
    let f = failed(&two_pools(pools, events));
    let found: Vec<(Severity, &str, &str)> = f
        .diagnostics
        .iter()
        .map(|d| (d.severity, d.path.as_deref().unwrap_or(""), d.message.as_str()))
        .collect();
    use Severity::{Error as E, Warning as W};
    assert_eq!(
        found,
        vec![
            (E, "pools[0].site", "unknown site \"dc3\""),
            (
                W,
                "pools[0].users",
                "Standard Edition pool \"fe03\" has 3,000 users, above the supported 2,500"
            ),
            (E, "pools[0].backup_pool", "a pool cannot back itself up"),
            (E, "events[0].server", "pool \"fe04\" has no server 2: it has 2 front ends, servers 0 to 1"),
            (W, "events[1]", "event at 13h is after the horizon 12h and will not run"),
        ]
    );
    assert_eq!(f.error_count(), 3);
}

#[test]
fn late_events_are_dropped_with_a_warning() {
    let events = format!("{FAULT}\n        At(\"12h\", PoolUp(pool: \"fe04\")),\n        At(\"12h1s\", SiteUp(site: \"dc2\")),");
    let loaded = ok(&two_pools(PAIR, &events));
    assert_eq!(loaded.config.events.len(), 2);
    assert_eq!(
        loaded.render_warnings(),
        r#"warning: event at 12h1s is after the horizon 12h and will not run
  --> t.ron:12:12
   |
12 |         At("12h1s", SiteUp(site: "dc2")),
   |            ^
   = at events[2]
"#
    );
}

/// A fault and the four pool-pairing cmdlets.
const PAIRING_EVENTS: &str = "        At(\"1h\", PoolDown(pool: \"fe04\")),\n        \
                              At(\"1h15m\", InvokeCsPoolFailover(pool: \"fe04\", disaster_mode: true)),\n        \
                              At(\"1h30m\", ImportCsRgsConfiguration(pool: \"fe03\")),\n        \
                              At(\"5h\", SetCsRegistrarConfiguration(pool: \"fe04\", pool_state: FailingBack)),\n        \
                              At(\"6h\", InvokeCsPoolFailback(pool: \"fe04\")),";

#[test]
fn lync2010_has_no_pool_failover() {
    let source = two_pools(PAIR, PAIRING_EVENTS).replace("horizon:", "product: Lync2010, horizon:");
    let f = failed(&source);
    let found: Vec<(&str, &str)> =
        f.diagnostics.iter().map(|d| (d.path.as_deref().unwrap_or(""), d.message.as_str())).collect();
    let no =
        |action: &str| format!("Lync Server 2010 has no pool failover: {action} needs Lync2013 or later");
    assert_eq!(
        found,
        vec![
            ("events[1]", no("InvokeCsPoolFailover").as_str()),
            ("events[2]", no("ImportCsRgsConfiguration").as_str()),
            ("events[3]", no("SetCsRegistrarConfiguration").as_str()),
            ("events[4]", no("InvokeCsPoolFailback").as_str()),
        ]
    );
    assert!(f.diagnostics.iter().all(|d| d.is_error()));
    assert!(f.diagnostics[0].help.as_deref().unwrap().contains("not a paired pool"));
    ok(&two_pools(PAIR, PAIRING_EVENTS));
}

#[test]
fn pool_pairing_cmdlets_resolve_to_model_actions() {
    let events = format!(
        "{PAIRING_EVENTS}\n        At(\"7h\", SetCsRegistrarConfiguration(pool: \"fe03\", pool_state: FailedBack)),"
    );
    let loaded = ok(&two_pools(PAIR, &events));
    assert_eq!(loaded.render_warnings(), "");
    let actions: Vec<(u64, Action)> =
        loaded.config.events.iter().map(|e| (e.at.as_millis() / 1000, e.action)).collect();
    let (fe03, fe04) = (PoolId(0), PoolId(1));
    assert_eq!(
        actions,
        vec![
            (3600, Action::PoolDown(fe04)),
            (4500, Action::InvokeCsPoolFailover { pool: fe04, disaster_mode: true }),
            (5400, Action::ImportCsRgsConfiguration(fe03)),
            (18000, Action::SetCsRegistrarConfiguration { pool: fe04, pool_state: PoolState::FailingBack }),
            (21600, Action::InvokeCsPoolFailback { pool: fe04, disaster_mode: false }),
            (25200, Action::SetCsRegistrarConfiguration { pool: fe03, pool_state: PoolState::FailedBack }),
        ]
    );
    for (state, expected) in [
        ("Active", PoolState::Active),
        ("FailingOver", PoolState::FailingOver),
        ("FailedOver", PoolState::FailedOver),
    ] {
        let event =
            format!("        At(\"2h\", SetCsRegistrarConfiguration(pool: \"fe03\", pool_state: {state})),");
        let c = ok(&two_pools(PAIR, &event)).config;
        assert_eq!(
            c.events[0].action,
            Action::SetCsRegistrarConfiguration { pool: fe03, pool_state: expected }
        );
    }
}

#[test]
fn pool_pairing_cmdlets_need_a_paired_pool() {
    let pools = "        Pool(fqdn: \"fe03\", site: \"dc1\", users: 2500),\n        \
                 Pool(fqdn: \"fe04\", site: \"dc2\", users: 2500),";
    let f = failed(&two_pools(pools, PAIRING_EVENTS));
    assert_eq!(f.error_count(), 4);
    assert_eq!(
        f.render(),
        r#"error: pool "fe04" has no backup_pool: InvokeCsPoolFailover needs a paired pool
  --> scenarios/x.ron:11:48
   |
11 |         At("1h15m", InvokeCsPoolFailover(pool: "fe04", disaster_mode: true)),
   |                                                ^
   = at events[1].pool
   = help: InvokeCsPoolFailover acts on a pool and its paired pool: set backup_pool on "fe04" and on its partner

error: pool "fe03" has no backup_pool: ImportCsRgsConfiguration needs a paired pool
  --> scenarios/x.ron:12:52
   |
12 |         At("1h30m", ImportCsRgsConfiguration(pool: "fe03")),
   |                                                    ^
   = at events[2].pool
   = help: ImportCsRgsConfiguration(pool) puts the Response Group configuration of the pool's partner on it: pair "fe03" with another pool (backup_pool on both), or name a paired pool

error: pool "fe04" has no backup_pool: SetCsRegistrarConfiguration needs a paired pool
  --> scenarios/x.ron:13:52
   |
13 |         At("5h", SetCsRegistrarConfiguration(pool: "fe04", pool_state: FailingBack)),
   |                                                    ^
   = at events[3].pool
   = help: SetCsRegistrarConfiguration acts on a pool and its paired pool: set backup_pool on "fe04" and on its partner

error: pool "fe04" has no backup_pool: InvokeCsPoolFailback needs a paired pool
  --> scenarios/x.ron:14:45
   |
14 |         At("6h", InvokeCsPoolFailback(pool: "fe04")),
   |                                             ^
   = at events[4].pool
   = help: InvokeCsPoolFailback acts on a pool and its paired pool: set backup_pool on "fe04" and on its partner
"#
    );
    // An unknown pool is only reported once.
    let f = failed(&two_pools(PAIR, "        At(\"1h\", InvokeCsPoolFailover(pool: \"fe05\")),"));
    assert_eq!(f.diagnostics.len(), 1);
    assert_eq!(f.diagnostics[0].message, "unknown pool \"fe05\"");
}

/// Two paired Enterprise pools: fe03 mirrored with a witness, fe04 mirrored without.
const EE_PAIR: &str = "        Pool(fqdn: \"fe03\", site: \"dc1\", edition: Enterprise, front_ends: 3, \
                       back_end: Mirrored(witness: true), users: 5000, backup_pool: Some(\"fe04\")),\n        \
                       Pool(fqdn: \"fe04\", site: \"dc2\", edition: Enterprise, front_ends: 3, \
                       back_end: Mirrored(witness: false), users: 5000, backup_pool: Some(\"fe03\")),";

/// The actions of `events` (one per line) on `pools`.
fn actions(pools: &str, events: &[&str]) -> Vec<Action> {
    let events: Vec<String> = events.iter().map(|e| format!("        At(\"2h\", {e}),")).collect();
    let loaded = ok(&two_pools(pools, &events.join("\n")));
    assert_eq!(loaded.render_warnings(), "");
    loaded.config.events.iter().map(|e| e.action).collect()
}

#[test]
fn every_action_resolves_to_a_model_action() {
    let (fe03, fe04) = (PoolId(0), PoolId(1));
    let (dc1, dc2) = (SiteId(0), SiteId(1));
    let found = actions(
        EE_PAIR,
        &[
            "ServerDown(pool: \"fe03\", server: 2)",
            "ServerUp(pool: \"fe03\", server: 2)",
            "ServiceStop(pool: \"fe04\", server: 0, service: FrontEnd)",
            "ServiceStart(pool: \"fe04\", server: 1, service: Backup)",
            "ServiceStop(pool: \"fe04\", server: 2, service: Replica)",
            "ServiceStart(pool: \"fe04\", server: 0, service: Mediation)",
            "BackEndDown(pool: \"fe03\", node: Witness)",
            "BackEndUp(pool: \"fe04\", node: Mirror)",
            "BackEndDown(pool: \"fe04\", node: Principal)",
            "WanDown(a: \"dc1\", b: \"dc2\")",
            "WanUp(a: \"dc2\", b: \"dc1\")",
            "InvokeCsManagementServerFailover(to_pool: \"fe04\")",
            "ResetCsPoolRegistrarState(pool: \"fe03\", reset_type: QuorumLossRecovery)",
            "ResetCsPoolRegistrarState(pool: \"fe04\", reset_type: ServiceReset)",
            "InvokeCsDatabaseFailover(pool: \"fe04\", new_principal: Mirror)",
            "InvokeCsDatabaseFailover(pool: \"fe03\", new_principal: Primary)",
        ],
    );
    assert_eq!(
        found,
        vec![
            Action::ServerDown { pool: fe03, server: 2 },
            Action::ServerUp { pool: fe03, server: 2 },
            Action::ServiceStop { pool: fe04, server: 0, service: Service::FrontEnd },
            Action::ServiceStart { pool: fe04, server: 1, service: Service::Backup },
            Action::ServiceStop { pool: fe04, server: 2, service: Service::Replica },
            Action::ServiceStart { pool: fe04, server: 0, service: Service::Mediation },
            Action::BackEndDown { pool: fe03, node: BackEndNode::Witness },
            Action::BackEndUp { pool: fe04, node: BackEndNode::Mirror },
            Action::BackEndDown { pool: fe04, node: BackEndNode::Principal },
            Action::WanDown(dc1, dc2),
            Action::WanUp(dc2, dc1),
            Action::InvokeCsManagementServerFailover(fe04),
            Action::ResetCsPoolRegistrarState { pool: fe03, reset_type: ResetType::QuorumLossRecovery },
            Action::ResetCsPoolRegistrarState { pool: fe04, reset_type: ResetType::ServiceReset },
            Action::InvokeCsDatabaseFailover { pool: fe04, new_principal: NewPrincipal::Mirror },
            Action::InvokeCsDatabaseFailover { pool: fe03, new_principal: NewPrincipal::Primary },
        ]
    );
    // Standard Edition: its one server, its services, a service reset.
    let found = actions(
        PAIR,
        &[
            "ServerDown(pool: \"fe04\", server: 0)",
            "ServiceStop(pool: \"fe03\", server: 0, service: Mediation)",
            "ResetCsPoolRegistrarState(pool: \"fe03\", reset_type: ServiceReset)",
        ],
    );
    assert_eq!(
        found,
        vec![
            Action::ServerDown { pool: fe04, server: 0 },
            Action::ServiceStop { pool: fe03, server: 0, service: Service::Mediation },
            Action::ResetCsPoolRegistrarState { pool: fe03, reset_type: ResetType::ServiceReset },
        ]
    );
    // A server index out of range.
    assert_eq!(
        errors(&two_pools(
            EE_PAIR,
            "        At(\"2h\", ServiceStart(pool: \"fe03\", server: 3, service: Backup)),"
        )),
        vec![(
            "events[0].server".to_string(),
            "pool \"fe03\" has no server 3: it has 3 front ends, servers 0 to 2".to_string()
        )]
    );
}

#[test]
fn back_end_events_need_a_separate_back_end() {
    assert_eq!(
        failed(&two_pools(PAIR, "        At(\"2h\", BackEndDown(pool: \"fe03\", node: Principal)),"))
            .render(),
        r#"error: Standard Edition keeps its database on the server (SQL Express): use ServerDown/ServerUp
  --> scenarios/x.ron:10:36
   |
10 |         At("2h", BackEndDown(pool: "fe03", node: Principal)),
   |                                    ^
   = at events[0].pool
   = help: pool "fe03" is a Standard Edition pool; BackEndDown acts on an Enterprise pool's separate back end
"#
    );
    let single = EE_PAIR.replacen("Mirrored(witness: true)", "Single", 1);
    let events = "        At(\"2h\", BackEndDown(pool: \"fe03\", node: Mirror)),\n        \
                  At(\"3h\", BackEndUp(pool: \"fe03\", node: Witness)),\n        \
                  At(\"4h\", BackEndDown(pool: \"fe04\", node: Witness)),\n        \
                  At(\"5h\", BackEndUp(pool: \"fe03\", node: Principal)),\n        \
                  At(\"6h\", BackEndUp(pool: \"fe04\", node: Mirror)),";
    let f = failed(&two_pools(&single, events));
    let found: Vec<(&str, &str, &str)> = f
        .diagnostics
        .iter()
        .map(|d| (d.path.as_deref().unwrap(), d.message.as_str(), d.help.as_deref().unwrap()))
        .collect();
    assert_eq!(
        found,
        vec![
            (
                "events[0].node",
                "pool \"fe03\" has no mirror: its back_end is Single",
                "a Single back end has only node: Principal; a mirror needs back_end: Mirrored(witness: \
                 true) or Mirrored(witness: false)"
            ),
            (
                "events[1].node",
                "pool \"fe03\" has no witness: its back_end is Single",
                "a witness needs back_end: Mirrored(witness: true)"
            ),
            (
                "events[2].node",
                "pool \"fe04\" has no witness: its back_end is Mirrored(witness: false)",
                "a witness needs back_end: Mirrored(witness: true)"
            ),
        ]
    );
    assert_eq!(f.diagnostics[2].position, Some((12, 50)));
}

#[test]
fn database_failover_needs_a_mirrored_back_end() {
    let event = |pool: &str| {
        format!("        At(\"2h\", InvokeCsDatabaseFailover(pool: \"{pool}\", new_principal: Mirror)),")
    };
    let single = EE_PAIR.replacen("Mirrored(witness: true)", "Single", 1);
    let f = failed(&two_pools(&single, &event("fe03")));
    assert_eq!(f.diagnostics.len(), 1);
    let d = &f.diagnostics[0];
    assert_eq!(
        (d.path.as_deref(), d.message.as_str()),
        (
            Some("events[0].pool"),
            "InvokeCsDatabaseFailover needs a mirrored back end, but pool \"fe03\" has back_end: Single"
        )
    );
    assert_eq!(
        d.help.as_deref(),
        Some(
            "Invoke-CsDatabaseFailover swaps the principal and the mirror of SQL mirroring: give the pool \
             back_end: Mirrored(witness: false) or Mirrored(witness: true)"
        )
    );
    assert_eq!(
        errors(&two_pools(PAIR, &event("fe04"))),
        vec![(
            "events[0].pool".to_string(),
            "InvokeCsDatabaseFailover needs a mirrored back end, but pool \"fe04\" is a Standard Edition pool \
             (SQL Express on the server)"
                .to_string()
        )]
    );
    // With or without a witness.
    ok(&two_pools(EE_PAIR, &format!("{}\n{}", event("fe03"), event("fe04"))));
}

#[test]
fn quorum_loss_recovery_needs_an_enterprise_pool() {
    let event =
        "        At(\"2h\", ResetCsPoolRegistrarState(pool: \"fe03\", reset_type: QuorumLossRecovery)),";
    assert_eq!(
        failed(&two_pools(PAIR, event)).render(),
        r#"error: pool "fe03" is a Standard Edition pool: it has no routing-group replicas, so there is no quorum loss to recover
  --> scenarios/x.ron:10:70
   |
10 |         At("2h", ResetCsPoolRegistrarState(pool: "fe03", reset_type: QuorumLossRecovery)),
   |                                                                      ^
   = at events[0].reset_type
   = help: QuorumLossRecovery acts on an Enterprise pool's front ends; use reset_type: ServiceReset to restart the server's services
"#
    );
    ok(&two_pools(EE_PAIR, event));
}

#[test]
fn cms_failover_needs_a_paired_pool() {
    let event = "        At(\"2h\", InvokeCsManagementServerFailover(to_pool: \"fe04\")),";
    let unpaired = "        Pool(fqdn: \"fe03\", site: \"dc1\", users: 2500),\n        \
                    Pool(fqdn: \"fe04\", site: \"dc2\", users: 2500),";
    let f = failed(&two_pools(unpaired, event));
    assert_eq!(f.diagnostics.len(), 1);
    let d = &f.diagnostics[0];
    assert_eq!(
        (d.path.as_deref(), d.message.as_str()),
        (
            Some("events[0].to_pool"),
            "pool \"fe04\" has no backup_pool: InvokeCsManagementServerFailover needs a paired pool"
        )
    );
    assert_eq!(
        d.help.as_deref(),
        Some(
            "the Central Management Store moves between the two pools of a pair: pair \"fe04\" with the pool \
             that hosts it (backup_pool on both)"
        )
    );
    let lync2010 = two_pools(PAIR, event).replace("horizon:", "product: Lync2010, horizon:");
    assert_eq!(
        errors(&lync2010),
        vec![(
            "events[0]".to_string(),
            "Lync Server 2010 has no pool failover: InvokeCsManagementServerFailover needs Lync2013 or later"
                .to_string()
        )]
    );
    assert_eq!(ok(&two_pools(PAIR, event)).config.events.len(), 1);
}

#[test]
fn wan_links_join_two_known_sites() {
    let events = "        At(\"2h\", WanDown(a: \"dc1\", b: \"dc1\")),\n        \
                  At(\"3h\", WanUp(a: \"dc1\", b: \"dc3\")),";
    assert_eq!(
        errors(&two_pools(PAIR, events)),
        vec![
            (
                "events[0].b".to_string(),
                "a WAN link joins two different sites, not \"dc1\" to itself".to_string()
            ),
            ("events[1].b".to_string(), "unknown site \"dc3\"".to_string()),
        ]
    );
}

#[test]
fn cms_pool_and_users_site() {
    // Defaults: the first pool hosts the CMS; users are at their pool's site.
    let c = ok(&two_pools(PAIR, FAULT)).config;
    assert_eq!(c.cms_pool, PoolId(0));
    assert_eq!((c.pools[0].users_site, c.pools[1].users_site), (SiteId(0), SiteId(1)));
    let pools = PAIR.replacen("site: \"dc1\",", "site: \"dc1\", users_site: \"dc2\",", 1);
    let source = two_pools(&pools, FAULT).replace("    events:", "    cms_pool: \"fe04\",\n    events:");
    let c = ok(&source).config;
    assert_eq!(c.cms_pool, PoolId(1));
    assert_eq!((c.pools[0].users_site, c.pools[1].users_site), (SiteId(1), SiteId(1)));
    // Some(...) is accepted too.
    let c = ok(&source.replace("cms_pool: \"fe04\"", "cms_pool: Some(\"fe03\")")).config;
    assert_eq!(c.cms_pool, PoolId(0));
    // Unknown names, with a did-you-mean, at their paths.
    let bad =
        source.replace("users_site: \"dc2\"", "users_site: \"dc-2\"").replace("\"fe04\",\n", "\"fe4\",\n");
    let f = failed(&bad);
    type Found<'a> = (&'a str, &'a str, &'a str, Option<(usize, usize)>);
    let found: Vec<Found> = f
        .diagnostics
        .iter()
        .map(|d| (d.path.as_deref().unwrap(), d.message.as_str(), d.help.as_deref().unwrap(), d.position))
        .collect();
    assert_eq!(
        found,
        vec![
            ("pools[0].users_site", "unknown site \"dc-2\"", "did you mean \"dc2\"?", Some((6, 53))),
            ("cms_pool", "unknown pool \"fe4\"", "did you mean \"fe04\"?", Some((9, 15))),
        ]
    );
}

#[test]
fn even_pools_with_a_single_back_end_warn_when_struck() {
    let pools = EE_PAIR.replacen(
        "front_ends: 3, back_end: Mirrored(witness: false)",
        "front_ends: 4, back_end: Single",
        1,
    );
    let warnings = |event: &str, pools: &str| -> Vec<(String, String)> {
        ok(&two_pools(pools, &format!("        At(\"2h\", {event}),")))
            .warnings
            .iter()
            .map(|d| (d.path.clone().unwrap(), d.message.clone()))
            .collect()
    };
    let expected = vec![(
        "pools[1].front_ends".to_string(),
        "pool \"fe04\" has an even number of front ends (4) and a single back end: an even-sized pool uses its \
         back end as quorum witness, so losing the back end while half the front ends are down stops the \
         whole pool"
            .to_string(),
    )];
    assert_eq!(warnings("ServerDown(pool: \"fe04\", server: 3)", &pools), expected);
    assert_eq!(warnings("BackEndDown(pool: \"fe04\", node: Principal)", &pools), expected);
    // Not for other events, other pools, odd pools or mirrored back ends.
    assert!(warnings("ServerUp(pool: \"fe04\", server: 3)", &pools).is_empty());
    assert!(warnings("PoolDown(pool: \"fe04\")", &pools).is_empty());
    assert!(warnings("ServerDown(pool: \"fe03\", server: 0)", &pools).is_empty());
    assert!(warnings(
        "ServerDown(pool: \"fe04\", server: 0)",
        &pools.replace("front_ends: 4", "front_ends: 5")
    )
    .is_empty());
    let mirrored = EE_PAIR.replace("front_ends: 3", "front_ends: 2");
    assert!(warnings("BackEndDown(pool: \"fe04\", node: Principal)", &mirrored).is_empty());
    let loaded = ok(&two_pools(&pools, "        At(\"2h\", ServerDown(pool: \"fe04\", server: 0)),"));
    assert_eq!(loaded.warnings[0].position, Some((7, 74)));
    assert!(loaded.warnings[0].help.as_deref().unwrap().contains("an odd number of front ends"));
}

#[test]
fn registrar_configuration_per_pool() {
    let pools = PAIR.replacen(
        "backup_pool: Some(\"fe04\")",
        "backup_pool: Some(\"fe04\"),\n             registrar_configuration: Some(RegistrarConfiguration(\
         default_endpoint_expiration: \"900s\", backup_store_unavailable_threshold: Exponential(mean: \"1h\")))",
        1,
    );
    let pools = pools.replacen(
        "backup_pool: Some(\"fe03\")",
        "backup_pool: Some(\"fe03\"), registrar_configuration: RegistrarConfiguration()",
        1,
    );
    let c = ok(&two_pools(&pools, FAULT)).config;
    assert_eq!(
        c.pools[0].registrar,
        Some(RegistrarSettings {
            default_endpoint_expiration: Delay::secs(900),
            backup_store_unavailable_threshold: Delay::Exponential { mean_s: 3600.0 },
        })
    );
    assert_eq!(c.pools[1].registrar, Some(RegistrarSettings::default()));
    let bad = pools
        .replace("\"900s\"", "\"1200s\"")
        .replace("RegistrarConfiguration()", "RegistrarConfiguration(backup_store_unavailable_threshold: 0)");
    let found: Vec<(String, String)> = failed(&two_pools(&bad, FAULT))
        .diagnostics
        .iter()
        .map(|d| (d.path.clone().unwrap_or_default(), d.message.clone()))
        .collect();
    let p0 = "pools[0].registrar_configuration.default_endpoint_expiration";
    let p1 = "pools[1].registrar_configuration.backup_store_unavailable_threshold";
    assert_eq!(
        found,
        vec![
            (p0.to_string(), format!("{p0} must be within 5m..=15m, not 20m")),
            (p1.to_string(), format!("{p1} must be longer than zero")),
        ]
    );
}

#[test]
fn failover_warns_once_when_the_pool_would_lose_global_registrar_settings() {
    let events = format!(
        "{PAIRING_EVENTS}\n        At(\"8h\", PoolDown(pool: \"fe04\")),\n        \
         At(\"8h15m\", InvokeCsPoolFailover(pool: \"fe04\", disaster_mode: true)),\n        \
         At(\"9h\", InvokeCsPoolFailover(pool: \"fe03\")),"
    );
    let source = two_pools(PAIR, &events)
        .replace("    events:", "    clients: Clients(refresh: \"900s\"),\n    events:");
    let loaded = ok(&source);
    assert_eq!(
        loaded.render_warnings(),
        r#"warning: InvokeCsPoolFailover creates a pool-scope registrar configuration for "fe04" with the default settings: from then on its users lose the global clients.refresh "15m" (default "10m")
  --> t.ron:12:21
   |
12 |         At("1h15m", InvokeCsPoolFailover(pool: "fe04", disaster_mode: true)),
   |                     ^
   = at events[1]
   = help: give the pool a registrar_configuration to keep them: registrar_configuration: Some(RegistrarConfiguration(default_endpoint_expiration: "15m"))

warning: InvokeCsPoolFailover creates a pool-scope registrar configuration for "fe03" with the default settings: from then on its users lose the global clients.refresh "15m" (default "10m")
  --> t.ron:18:18
   |
18 |         At("9h", InvokeCsPoolFailover(pool: "fe03")),
   |                  ^
   = at events[7]
   = help: give the pool a registrar_configuration to keep them: registrar_configuration: Some(RegistrarConfiguration(default_endpoint_expiration: "15m"))
"#
    );
    // Both settings, one a distribution.
    let both = two_pools(PAIR, &events).replace(
        "    events:",
        "    clients: Clients(refresh: Uniform(min: \"5m\", max: \"15m\")),\n    \
         timing: Timing(backup_store_unavailable_threshold: \"1h\"),\n    events:",
    );
    let loaded = ok(&both);
    assert_eq!(loaded.warnings.len(), 2);
    assert_eq!(
        loaded.warnings[0].message,
        "InvokeCsPoolFailover creates a pool-scope registrar configuration for \"fe04\" with the default \
         settings: from then on its users lose the global clients.refresh Uniform(min: \"5m\", max: \"15m\") \
         (default \"10m\") and timing.backup_store_unavailable_threshold \"1h\" (default \"30m\")"
    );
    assert_eq!(
        loaded.warnings[0].help.as_deref(),
        Some(
            "give the pool a registrar_configuration to keep them: registrar_configuration: \
             Some(RegistrarConfiguration(default_endpoint_expiration: Uniform(min: \"5m\", max: \"15m\"), \
             backup_store_unavailable_threshold: \"1h\"))"
        )
    );
    // No warning with the product defaults, written or not, nor for a pool that has its own
    // registrar configuration.
    let defaults = two_pools(PAIR, &events).replace(
        "    events:",
        "    clients: Clients(refresh: Fixed(\"10m\")),\n    timing: Timing(backup_store_unavailable_threshold: 1800),\n    events:",
    );
    assert!(ok(&defaults).warnings.is_empty());
    let own = source.replacen(
        "backup_pool: Some(\"fe03\")",
        "backup_pool: Some(\"fe03\"), registrar_configuration: RegistrarConfiguration()",
        1,
    );
    let loaded = ok(&own);
    assert_eq!(loaded.warnings.len(), 1);
    assert!(loaded.warnings[0].message.contains("for \"fe03\""));
    // Failback and PoolState changes do not create the configuration.
    let no_failover = source.replace("InvokeCsPoolFailover", "InvokeCsPoolFailback");
    assert!(ok(&no_failover).warnings.is_empty());
}

#[test]
fn backup_service_batches() {
    let source = two_pools(PAIR, FAULT).replace(
        "    events:",
        "    backup_service: BackupService(changes_per_user_per_hour: 0.5, max_batches_per_sync: 10, changes_per_batch: 7),\n    events:",
    );
    let c = ok(&source).config;
    assert_eq!(c.backup_service.changes_per_user_per_hour, 0.5);
    assert_eq!(c.backup_service.changes_per_sync, 70.0);
    let bad = source
        .replace("0.5", "-1.0")
        .replace("max_batches_per_sync: 10", "max_batches_per_sync: 0")
        .replace("changes_per_batch: 7", "changes_per_batch: 0");
    let found: Vec<String> = failed(&bad).diagnostics.iter().map(|d| d.message.clone()).collect();
    assert_eq!(
        found,
        vec![
            "backup_service.changes_per_user_per_hour must be a number of at least 0, not -1",
            "backup_service.max_batches_per_sync must be at least 1, not 0",
            "backup_service.changes_per_batch must be at least 1, not 0",
        ]
    );
}

#[test]
fn capacity_warnings() {
    let pools = "        Pool(fqdn: \"fe03\", site: \"dc1\", users: 2600, backup_pool: Some(\"fe04\")),\n        \
                 Pool(fqdn: \"fe04\", site: \"dc2\", users: 2500, backup_pool: Some(\"fe03\")),\n        \
                 Pool(fqdn: \"ee\", site: \"dc1\", edition: Enterprise, front_ends: 12, back_end: Mirrored(witness: true), users: 85000),";
    let loaded = ok(&two_pools(pools, FAULT));
    let messages: Vec<&str> = loaded.warnings.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        messages,
        vec![
            "Standard Edition pool \"fe03\" has 2,600 users, above the supported 2,500",
            "pool \"ee\" has 85,000 users, above its capacity of 79,920 (6,660 users per front end x 12 front ends)",
            "pool \"fe04\" could not carry its partner's users after failover: 2,500 + 2,600 users from \"fe03\" \
             is more than its capacity of 5,000",
            "pool \"fe03\" could not carry its partner's users after failover: 2,600 + 2,500 users from \"fe04\" \
             is more than its capacity of 5,000",
        ]
    );
    // SfB 2019: 16 front ends and 106,000 users per pool.
    let sfb = two_pools(pools, FAULT)
        .replace("horizon:", "product: SfB2019, horizon:")
        .replace("front_ends: 12", "front_ends: 16");
    let loaded = ok(&sfb);
    assert_eq!(loaded.warnings.len(), 3);
}

#[test]
fn timings_convert_to_delays() {
    let source = two_pools(PAIR, FAULT).replace(
        "    events:",
        "    timing: Timing(cms_replication: Exponential(mean: \"2m\"), full_backup: Some(Uniform(min: 10, max: 20)),\n        \
         quorum_loss_recovery: LogNormal(median: \"10m\", sigma: 0.5), sql_mirror_failover: Weibull(shape: 1.5, scale: \"1m\"),\n        \
         steady_state_backup: Fixed(\"30s\")),\n    features: Features(resiliency: [im], failed_over: []),\n    events:",
    );
    let c = ok(&source).config;
    assert_eq!(c.timing.cms_replication, Delay::Exponential { mean_s: 120.0 });
    assert_eq!(c.timing.full_backup, Some(Delay::Uniform { min_s: 10.0, max_s: 20.0 }));
    assert_eq!(c.timing.quorum_loss_recovery, Delay::LogNormal { median_s: 600.0, sigma: 0.5 });
    assert_eq!(c.timing.sql_mirror_failover, Delay::Weibull { shape: 1.5, scale_s: 60.0 });
    assert_eq!(c.timing.steady_state_backup, Some(Delay::secs(30)));
    assert!(c.features.has(ClientState::Full, Feature::CallPark));
    assert!(c.features.has(ClientState::Resiliency, Feature::Im));
    assert!(!c.features.has(ClientState::Resiliency, Feature::Voice));
    assert!(!c.features.has(ClientState::FailedOver, Feature::Im));
}

#[test]
fn unreadable_files_name_the_path() {
    let f = load(std::path::Path::new("no/such/scenario.ron")).unwrap_err();
    assert_eq!(f.diagnostics.len(), 1);
    let text = f.render();
    assert!(text.starts_with("error: cannot read no/such/scenario.ron: "), "{text}");
    assert!(text.ends_with("\n  --> no/such/scenario.ron\n"), "{text}");
}

#[test]
fn durations_print_in_their_shortest_form() {
    let ms = SimTime::from_millis;
    assert_eq!(format_duration(ms(0)), "0s");
    assert_eq!(format_duration(ms(250)), "250ms");
    assert_eq!(format_duration(ms(90_500)), "1m30.5s");
    assert_eq!(format_duration(ms(4_500_000)), "1h15m");
    assert_eq!(format_duration(ms(46_800_000)), "13h");
    assert_eq!(format_duration(MAX_HORIZON), "3650d");
    assert_eq!(thousands(5_000_000), "5,000,000");
    assert_eq!(thousands(999), "999");
}

#[test]
fn names_must_be_folder_safe() {
    let f = failed(&two_pools(PAIR, FAULT).replace("name: \"t\"", "name: \"SE Pair\""));
    assert_eq!(f.diagnostics[0].help.as_deref(), Some("try \"se-pair\""));
    let long = "a".repeat(65);
    let f = failed(&two_pools(PAIR, FAULT).replace("name: \"t\"", &format!("name: \"{long}\"")));
    assert_eq!(f.diagnostics[0].path.as_deref(), Some("name"));
    ok(&two_pools(PAIR, FAULT).replace("name: \"t\"", &format!("name: \"{}\"", "a".repeat(64))));
}

#[test]
fn sampling_limits() {
    let f = failed(&two_pools(PAIR, FAULT).replace("\"12h\"", "\"3000d\", sample_every: \"10s\""));
    assert_eq!(
        f.diagnostics[0].message,
        "the time series would have 25,920,001 rows, more than the limit of 5,000,000"
    );
    assert_eq!(
        f.diagnostics[0].help.as_deref(),
        Some(
            "raise sample_every to at least 52s for a horizon of 3000d; the limit is MAX_ROWS in \
             src/scenario/validate.rs; raise it and rebuild if this machine can take more"
        )
    );
    ok(&two_pools(PAIR, FAULT).replace("\"12h\"", "\"3000d\", sample_every: \"52s\""));
    let f = failed(&two_pools(PAIR, FAULT).replace("\"12h\"", "0"));
    assert_eq!(f.diagnostics[0].message, "horizon must be longer than zero");
}

/// Errors as (path, message), in order.
fn errors(source: &str) -> Vec<(String, String)> {
    failed(source)
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| (d.path.clone().unwrap_or_default(), d.message.clone()))
        .collect()
}

/// [`two_pools`] with `fields` added before `events`.
fn with_fields(fields: &str) -> String {
    two_pools(PAIR, FAULT).replace("    events:", &format!("    {fields},\n    events:"))
}

#[test]
fn distribution_names_must_match_their_fields() {
    let pools = PAIR.replacen(
        "backup_pool: Some(\"fe04\")",
        "backup_pool: Some(\"fe04\"), voice_failover: VoiceFailover(detection: Exponentail(mean: \"1m\"))",
        1,
    );
    assert_eq!(
        failed(&two_pools(&pools, FAULT)).render(),
        r#"error: unknown distribution "Exponentail": expected one of Fixed, Exponential, Weibull, LogNormal, Uniform
 --> scenarios/x.ron:6:122
  |
6 |         Pool(fqdn: "fe03", site: "dc1", users: 2500, backup_pool: Some("fe04"), voice_failover: VoiceFailover(detection: Exponentail(mean: "1m"))),
  |                                                                                                                          ^
  = at pools[0].voice_failover.detection
  = help: did you mean "Exponential"?
"#
    );
    let f = failed(&with_fields("timing: Timing(cms_replication: Uniform(mean: \"1m\"))"));
    assert_eq!(f.diagnostics.len(), 1);
    let d = &f.diagnostics[0];
    assert_eq!(d.message, "Uniform takes (min, max), not (mean)");
    assert_eq!(d.path.as_deref(), Some("timing.cms_replication"));
    assert_eq!(d.position, Some((9, 37)));
    assert_eq!(d.help.as_deref(), Some("with these fields it is Exponential(mean: \"1m\")"));
    // The second pool, Some(...), a one-element tuple, a name far from any distribution.
    let pools = PAIR.replacen(
        "backup_pool: Some(\"fe03\")",
        "backup_pool: Some(\"fe03\"), voice_failover: Some(VoiceFailover(failback: Weibull(min: 1, max: 2)))",
        1,
    );
    let source = two_pools(&pools, FAULT).replace(
        "    events:",
        "    clients: Clients(retry: Exponential(\"5s\"), keepalive: Gauss(median: \"4m\", sigma: 0.5)),\n    \
         timing: Timing(full_backup: Some(exponential(mean: \"2m\"))),\n    events:",
    );
    let f = failed(&source);
    let found: Vec<(&str, &str, &str)> = f
        .diagnostics
        .iter()
        .map(|d| (d.path.as_deref().unwrap(), d.message.as_str(), d.help.as_deref().unwrap()))
        .collect();
    let unknown = |name: &str| {
        format!("unknown distribution \"{name}\": expected one of Fixed, Exponential, Weibull, LogNormal, Uniform")
    };
    assert_eq!(
        found,
        vec![
            (
                "pools[1].voice_failover.failback",
                "Weibull takes (shape, scale), not (min, max)",
                "with these fields it is Uniform(min: \"1s\", max: \"2s\")"
            ),
            ("timing.full_backup", unknown("exponential").as_str(), "did you mean \"Exponential\"?"),
            (
                "clients.keepalive",
                unknown("Gauss").as_str(),
                "with these fields it is LogNormal(median: \"4m\", sigma: 0.5)"
            ),
            (
                "clients.retry",
                "Exponential takes (mean), not one duration",
                "with these fields it is Fixed(\"5s\")"
            ),
        ]
    );
    // Right names, and anonymous values, load.
    let c = ok(&with_fields(
        "clients: Clients(retry: Fixed(\"5s\"), keepalive: (median: \"4m\", sigma: 0.5)),\n    \
         timing: Timing(cms_replication: Exponential(mean: \"1m\"), full_backup: Weibull(shape: 2.0, scale: 60))",
    ))
    .config;
    assert_eq!(c.clients.keepalive, Delay::LogNormal { median_s: 240.0, sigma: 0.5 });
    assert_eq!(c.timing.full_backup, Some(Delay::Weibull { shape: 2.0, scale_s: 60.0 }));
}

#[test]
fn ranged_timings_stay_within_their_range() {
    let found = errors(&with_fields(
        "clients: Clients(refresh: Uniform(min: \"1s\", max: \"9999h\")),\n    \
         backup_service: BackupService(sync_interval: Exponential(mean: \"2m\"))",
    ));
    assert_eq!(
        found,
        vec![
            (
                "backup_service.sync_interval".to_string(),
                "backup_service.sync_interval must stay within 5s..=3h, but Exponential can draw any duration \
                 above zero"
                    .to_string()
            ),
            (
                "clients.refresh".to_string(),
                "clients.refresh must be within 5m..=15m, but Uniform(min: \"1s\", max: \"416d15h\") draws \
                 outside it"
                    .to_string()
            ),
        ]
    );
    let f = failed(&with_fields("clients: Clients(refresh: LogNormal(median: \"10m\", sigma: 0.1))"));
    assert_eq!(
        f.diagnostics[0].help.as_deref(),
        Some(
            "use a fixed value or a Uniform(min, max) within 5m..=15m; DefaultEndpointExpiration accepts 300 \
             to 900 seconds"
        )
    );
    let f = failed(&with_fields("clients: Clients(refresh: Uniform(min: \"5m\", max: \"16m\"))"));
    assert_eq!(
        f.diagnostics[0].help.as_deref(),
        Some("DefaultEndpointExpiration accepts 300 to 900 seconds")
    );
    // A pool's DefaultEndpointExpiration, Weibull too.
    let pools = PAIR.replacen(
        "backup_pool: Some(\"fe04\")",
        "backup_pool: Some(\"fe04\"), registrar_configuration: RegistrarConfiguration(\
         default_endpoint_expiration: Weibull(shape: 3.0, scale: \"10m\"))",
        1,
    );
    let p = "pools[0].registrar_configuration.default_endpoint_expiration";
    assert_eq!(
        errors(&two_pools(&pools, FAULT)),
        vec![(
            p.to_string(),
            format!("{p} must stay within 5m..=15m, but Weibull can draw any duration above zero")
        )]
    );
    // Within the range: fixed, Fixed(...) and Uniform; keepalive and the retry delays have
    // sanity bounds only, where unbounded distributions are allowed.
    let c = ok(&with_fields(
        "clients: Clients(refresh: Uniform(min: \"5m\", max: \"15m\"), keepalive: Exponential(mean: \"5m\"), \
         retry: LogNormal(median: \"30s\", sigma: 1.0), retry_max: \"1s\"),\n    \
         backup_service: BackupService(sync_interval: Fixed(\"3h\"))",
    ))
    .config;
    assert_eq!(c.clients.refresh, Delay::Uniform { min_s: 300.0, max_s: 900.0 });
    // ... but their Uniform bounds and fixed values are checked.
    assert_eq!(
        errors(&with_fields("clients: Clients(keepalive: Uniform(min: \"1m\", max: \"2h\"))")),
        vec![(
            "clients.keepalive".to_string(),
            "clients.keepalive must be within 1ms..=1h, but Uniform(min: \"1m\", max: \"2h\") draws outside it"
                .to_string()
        )]
    );
}

#[test]
fn retry_max_is_compared_with_retry_at_their_extremes() {
    let found = errors(&with_fields(
        "clients: Clients(retry: Uniform(min: \"1m\", max: \"3m\"), retry_max: Uniform(min: \"2m\", max: \"10m\"))",
    ));
    assert_eq!(
        found,
        vec![(
            "clients.retry_max".to_string(),
            "clients.retry_max can be 2m, shorter than clients.retry, which can be 3m".to_string()
        )]
    );
    ok(&with_fields(
        "clients: Clients(retry: Uniform(min: \"1m\", max: \"3m\"), retry_max: Uniform(min: \"3m\", max: \"10m\"))",
    ));
    ok(&with_fields("clients: Clients(retry: Exponential(mean: \"10m\"), retry_max: \"1m\")"));
    // retry_max left at its default of 5m: placed at retry.
    let f = failed(&with_fields("clients: Clients(retry: \"10m\")"));
    assert_eq!(f.diagnostics.len(), 1);
    let d = &f.diagnostics[0];
    assert_eq!(d.message, "clients.retry_max 5m is shorter than clients.retry 10m");
    assert_eq!((d.path.as_deref(), d.position), (Some("clients.retry_max"), Some((9, 29))));
    assert_eq!(
        d.help.as_deref(),
        Some(
            "the retry delay doubles from retry up to retry_max; retry_max is not written and defaults to 5m"
        )
    );
}

#[test]
fn defaulted_values_are_placed_at_the_field_written() {
    let f = failed(&two_pools(PAIR, "").replace("\"12h\"", "\"5s\""));
    assert_eq!(
        f.render(),
        r#"error: sample_every 10s is longer than the horizon 5s
 --> scenarios/x.ron:3:14
  |
3 |     horizon: "5s",
  |              ^
  = at sample_every
  = help: sample_every is not written and defaults to 10s: write a shorter one, or a longer horizon
"#
    );
    // Written, it is placed where it is written.
    let f = failed(&two_pools(PAIR, FAULT).replace("\"12h\"", "\"5s\", sample_every: \"10s\""));
    assert_eq!((f.diagnostics[0].position, f.diagnostics[0].help.as_deref()), (Some((3, 34)), None));
    // An Enterprise pool's front_ends and back_end default to 1 and Local.
    let pools = PAIR.replacen("users: 2500,", "edition: Enterprise, users: 2500,", 1);
    let f = failed(&two_pools(&pools, FAULT));
    type Found<'a> = (&'a str, Option<(usize, usize)>, &'a str);
    let found: Vec<Found> = f
        .diagnostics
        .iter()
        .map(|d| (d.path.as_deref().unwrap(), d.position, d.help.as_deref().unwrap()))
        .collect();
    assert_eq!(
        found,
        vec![
            (
                "pools[0].front_ends",
                Some((6, 50)),
                "front_ends is not written and defaults to 1: write front_ends: 2 to 12"
            ),
            ("pools[0].back_end", Some((6, 50)), "back_end is not written and defaults to Local"),
        ]
    );
}

/// A scenario with `sites` sites and `pools` Standard pools of `users` users, unpaired.
fn sized(sites: usize, pools: usize, users: u32, events: usize) -> String {
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

#[test]
fn the_documented_studies_are_within_the_limits_that_multiply() {
    for file in ["year-ee-pair-mirrored", "year-se-pair-random", "year-single-pool-no-dr"] {
        let path = format!("{}/scenarios/{file}.ron", env!("CARGO_MANIFEST_DIR"));
        let mut config = crate::scenario::load(std::path::Path::new(&path)).unwrap().config;
        config.replications = 100_000;
        assert_eq!(overloads(&config), [], "{file}");
    }
}

#[test]
fn sizes_are_capped() {
    ok(&sized(MAX_SITES, 10, 1_000_000, 10));
    let f = failed(&sized(11, 11, 1_000_000, 1));
    assert_eq!(
        f.render(),
        r#"error: the scenario has 11,000,000 users in total, more than lyncsim's limit of 10,000,000: each user costs about 40 bytes of simulation state
 --> scenarios/x.ron:3:12
  |
3 |     pools: [Pool(fqdn: "p0", site: "s0", users: 1000000), Pool(fqdn: "p1", site: "s0", users: 1000000), Pool(fqdn: "p2", site: "s0", users: 1000000), Pool(fqdn:...
  |            ^
  = at pools
  = help: split the study into scenarios of at most 10,000,000 users each, for example one per pair of pools (a pool fails over only to its partner), and combine their results; the limit is MAX_TOTAL_USERS in src/scenario/validate.rs; raise it and rebuild if this machine can take more
"#
    );
    // The reviewer's case: 5,000 pools of 1,000,000 users.
    assert_eq!(
        errors(&sized(1, 5_000, 1_000_000, 1)),
        vec![
            ("pools".to_string(), "the scenario has 5,000 pools, more than lyncsim's limit of 1,000".to_string()),
            (
                "pools".to_string(),
                "the scenario has 5,000,000,000 users in total, more than lyncsim's limit of 10,000,000: each \
                 user costs about 40 bytes of simulation state"
                    .to_string()
            ),
        ]
    );
    assert_eq!(
        errors(&sized(MAX_SITES + 1, MAX_POOLS + 1, 1, 1)),
        vec![
            (
                "sites".to_string(),
                "the scenario has 1,001 sites, more than lyncsim's limit of 1,000".to_string()
            ),
            (
                "pools".to_string(),
                "the scenario has 1,001 pools, more than lyncsim's limit of 1,000".to_string()
            ),
        ]
    );
    ok(&sized(1, MAX_POOLS, 1, MAX_EVENTS));
    assert_eq!(
        errors(&sized(1, 1, 1, MAX_EVENTS + 1)),
        vec![(
            "events".to_string(),
            "the scenario has 100,001 events, more than lyncsim's limit of 100,000".to_string()
        )]
    );
}

/// [`two_pools`] with `failures` (one per line) added before `events`.
fn with_failures(pools: &str, failures: &[&str]) -> String {
    let lines: Vec<String> = failures.iter().map(|f| format!("        {f},")).collect();
    two_pools(pools, FAULT)
        .replace("    events:", &format!("    failures: [\n{}\n    ],\n    events:", lines.join("\n")))
}

/// A `Random` failure of `target` with a 4000-hour mean time between failures and a
/// 4-hour mean time to repair.
fn random(target: &str) -> String {
    format!("Random(target: {target}, mtbf: Exponential(mean: \"4000h\"), mttr: Fixed(\"4h\"))")
}

#[test]
fn random_failures_resolve_to_failure_processes() {
    let (fe03, fe04) = (PoolId(0), PoolId(1));
    let failures = [
        random("Pool(pool: \"fe04\")"),
        random("FrontEnd(pool: \"fe03\", server: 2)"),
        random("BackEnd(pool: \"fe03\", node: Witness)"),
        random("BackEnd(pool: \"fe04\", node: Mirror)"),
        random("Site(site: \"dc2\")"),
        random("Wan(a: \"dc2\", b: \"dc1\")"),
        "Random(target: Pool(pool: \"fe03\"), mtbf: Weibull(shape: 1.5, scale: \"1000h\"), \
         mttr: Uniform(min: \"1h\", max: \"3h\"))"
            .to_string(),
        "Random(target: Pool(pool: \"fe03\"), mtbf: Fixed(\"30d\"), mttr: LogNormal(median: \"4h\", sigma: 0.6))"
            .to_string(),
    ];
    let failures: Vec<&str> = failures.iter().map(String::as_str).collect();
    let loaded = ok(&with_failures(EE_PAIR, &failures));
    assert_eq!(loaded.render_warnings(), "");
    let c = loaded.config;
    let targets: Vec<FailureTarget> = c.failures.iter().map(|f| f.target).collect();
    assert_eq!(
        targets,
        vec![
            FailureTarget::Pool(fe04),
            FailureTarget::FrontEnd(fe03, 2),
            FailureTarget::BackEnd(fe03, BackEndNode::Witness),
            FailureTarget::BackEnd(fe04, BackEndNode::Mirror),
            FailureTarget::Site(SiteId(1)),
            FailureTarget::Wan(SiteId(1), SiteId(0)),
            FailureTarget::Pool(fe03),
            FailureTarget::Pool(fe03),
        ]
    );
    assert_eq!(c.failures[0].mtbf, Delay::Exponential { mean_s: 4000.0 * 3600.0 });
    assert_eq!(c.failures[0].mttr, Delay::secs(4 * 3600));
    assert_eq!(c.failures[6].mtbf, Delay::Weibull { shape: 1.5, scale_s: 1000.0 * 3600.0 });
    assert_eq!(c.failures[6].mttr, Delay::Uniform { min_s: 3600.0, max_s: 3.0 * 3600.0 });
    assert_eq!(c.failures[7].mtbf, Delay::secs(30 * 86_400));
    assert_eq!(c.failures[7].mttr, Delay::LogNormal { median_s: 4.0 * 3600.0, sigma: 0.6 });
    // The scripted events are unchanged; no administrator unless written.
    assert_eq!(c.events.len(), 1);
    assert_eq!(c.administrator, None);
    // None at all.
    assert!(ok(&two_pools(PAIR, FAULT)).config.failures.is_empty());
}

#[test]
fn failure_targets_are_checked_like_events() {
    let failures = [
        random("Pool(pool: \"fe4\")"),
        random("FrontEnd(pool: \"fe03\", server: 1)"),
        random("BackEnd(pool: \"fe04\", node: Principal)"),
        random("Site(site: \"dc3\")"),
        random("Wan(a: \"dc1\", b: \"dc1\")"),
        random("FrontEnd(pool: \"fe05\", server: 0)"),
    ];
    let failures: Vec<&str> = failures.iter().map(String::as_str).collect();
    let f = failed(&with_failures(PAIR, &failures));
    let found: Vec<(&str, &str, Option<&str>)> = f
        .diagnostics
        .iter()
        .map(|d| (d.path.as_deref().unwrap(), d.message.as_str(), d.help.as_deref()))
        .collect();
    assert_eq!(
        found,
        vec![
            ("failures[0].target.pool", "unknown pool \"fe4\"", Some("did you mean \"fe04\"?")),
            (
                "failures[1].target.server",
                "pool \"fe03\" has no server 1: it has 1 front end, server 0",
                None
            ),
            (
                "failures[2].target.pool",
                "Standard Edition keeps its database on the server (SQL Express): use a FrontEnd(pool, \
                 server) target",
                Some(
                    "pool \"fe04\" is a Standard Edition pool; a BackEnd target acts on an Enterprise pool's \
                     separate back end"
                )
            ),
            ("failures[3].target.site", "unknown site \"dc3\"", Some("did you mean \"dc1\"?")),
            (
                "failures[4].target.b",
                "a WAN link joins two different sites, not \"dc1\" to itself",
                None
            ),
            ("failures[5].target.pool", "unknown pool \"fe05\"", Some("did you mean \"fe03\"?")),
        ]
    );
    assert!(f.diagnostics.iter().all(Diagnostic::is_error));
    assert_eq!(
        f.diagnostics[1].render("scenarios/x.ron", &with_failures(PAIR, &failures)),
        r#"error: pool "fe03" has no server 1: it has 1 front end, server 0
  --> scenarios/x.ron:11:55
   |
11 |         Random(target: FrontEnd(pool: "fe03", server: 1), mtbf: Exponential(mean: "4000h"), mttr: Fixed("4h")),
   |                                                       ^
   = at failures[1].target.server
"#
    );
    // The back-end node rules of BackEndDown: Single has only the principal, a witness
    // needs Mirrored(witness: true).
    let single = EE_PAIR.replacen("Mirrored(witness: true)", "Single", 1);
    let failures = [
        random("BackEnd(pool: \"fe03\", node: Mirror)"),
        random("BackEnd(pool: \"fe03\", node: Witness)"),
        random("BackEnd(pool: \"fe04\", node: Witness)"),
        random("BackEnd(pool: \"fe03\", node: Principal)"),
        random("FrontEnd(pool: \"fe04\", server: 3)"),
    ];
    let failures: Vec<&str> = failures.iter().map(String::as_str).collect();
    assert_eq!(
        errors(&with_failures(&single, &failures)),
        vec![
            (
                "failures[0].target.node".to_string(),
                "pool \"fe03\" has no mirror: its back_end is Single".to_string()
            ),
            (
                "failures[1].target.node".to_string(),
                "pool \"fe03\" has no witness: its back_end is Single".to_string()
            ),
            (
                "failures[2].target.node".to_string(),
                "pool \"fe04\" has no witness: its back_end is Mirrored(witness: false)".to_string()
            ),
            (
                "failures[4].target.server".to_string(),
                "pool \"fe04\" has no server 3: it has 3 front ends, servers 0 to 2".to_string()
            ),
        ]
    );
}

#[test]
fn failure_distributions_are_checked() {
    let failure = |mtbf: &str, mttr: &str| {
        with_failures(PAIR, &[&format!("Random(target: Pool(pool: \"fe03\"), mtbf: {mtbf}, mttr: {mttr})")])
    };
    assert_eq!(
        errors(&failure("Exponential(mean: 0)", "Weibull(shape: 0.0, scale: \"1h\")")),
        vec![
            (
                "failures[0].mtbf.mean".to_string(),
                "the mean of failures[0].mtbf must be longer than zero".to_string()
            ),
            (
                "failures[0].mttr.shape".to_string(),
                "the shape of failures[0].mttr must be a positive number, not 0".to_string()
            ),
        ]
    );
    assert_eq!(
        errors(&failure("Uniform(min: \"2h\", max: \"1h\")", "Fixed(0)")),
        vec![
            ("failures[0].mtbf".to_string(), "failures[0].mtbf has min 2h larger than max 1h".to_string()),
            ("failures[0].mttr".to_string(), "failures[0].mttr must be longer than zero".to_string()),
        ]
    );
    assert_eq!(
        errors(&failure("LogNormal(median: \"1h\", sigma: -1.0)", "Fixed(\"1h\")")),
        vec![(
            "failures[0].mtbf.sigma".to_string(),
            "the sigma of failures[0].mtbf must be a number of at least 0, not -1".to_string()
        )]
    );
}

#[test]
fn failure_processes_are_capped() {
    let one = "Random(target: Pool(pool: \"fe03\"), mtbf: Exponential(mean: \"1000h\"), mttr: Fixed(\"1h\"))";
    let many: Vec<&str> = vec![one; MAX_FAILURES + 1];
    assert_eq!(
        errors(&with_failures(PAIR, &many)),
        vec![(
            "failures".to_string(),
            "the scenario has 10,001 failure processes, more than lyncsim's limit of 10,000".to_string()
        )]
    );
}

#[test]
fn failures_must_not_be_too_frequent() {
    let failure = |mtbf: &str, mttr: &str| {
        with_failures(PAIR, &[&format!("Random(target: Pool(pool: \"fe03\"), mtbf: {mtbf}, mttr: {mttr})")])
    };
    assert_eq!(
        failed(&failure("Exponential(mean: \"10s\")", "Fixed(\"4h\")")).render(),
        r#"error: failures[0].mtbf has a mean of 10s, shorter than 1m: failures that frequent would make the run unbounded
  --> scenarios/x.ron:10:50
   |
10 |         Random(target: Pool(pool: "fe03"), mtbf: Exponential(mean: "10s"), mttr: Fixed("4h")),
   |                                                  ^
   = at failures[0].mtbf
   = help: lyncsim needs a mean time between failures of at least 1m; real ones are hours to years, such as Exponential(mean: "4000h"); the limit is MIN_MTBF in src/scenario/validate.rs; raise it and rebuild if this machine can take more
"#
    );
    let unbounded = |what: &str, value: &str| {
        (
            "failures[0].mtbf".to_string(),
            format!(
                "failures[0].mtbf has a {what} of {value}, shorter than 1m: failures that frequent would make \
                 the run unbounded"
            ),
        )
    };
    let short_repair = |what: &str, value: &str| {
        (
            "failures[0].mttr".to_string(),
            format!("failures[0].mttr has a {what} of {value}, shorter than lyncsim's lower bound of 1s for a repair"),
        )
    };
    // The mean of each distribution: Fixed d, Uniform (min+max)/2, LogNormal
    // median*exp(sigma^2/2), Weibull its scale.
    assert_eq!(
        errors(&failure("Fixed(\"59s\")", "Fixed(\"999ms\")")),
        vec![unbounded("mean", "59s"), short_repair("mean", "999ms")]
    );
    assert_eq!(
        errors(&failure("Uniform(min: 0, max: \"1m\")", "Uniform(min: 0, max: \"1s\")")),
        vec![unbounded("mean", "30s"), short_repair("mean", "500ms")]
    );
    assert_eq!(
        errors(&failure(
            "LogNormal(median: \"30s\", sigma: 1.0)",
            "LogNormal(median: \"500ms\", sigma: 0.5)"
        )),
        vec![unbounded("mean", "49.462s"), short_repair("mean", "567ms")]
    );
    assert_eq!(
        errors(&failure("Weibull(shape: 0.5, scale: \"59s\")", "Weibull(shape: 2.0, scale: \"900ms\")")),
        vec![unbounded("scale", "59s"), short_repair("scale", "900ms")]
    );
    // At the bounds, and means above them from parameters below them.
    ok(&failure("Fixed(\"1m\")", "Fixed(\"1s\")"));
    ok(&failure("Exponential(mean: 60)", "Exponential(mean: 1)"));
    ok(&failure("Uniform(min: 0, max: \"2m\")", "Uniform(min: \"500ms\", max: \"1.5s\")"));
    ok(&failure("LogNormal(median: \"40s\", sigma: 1.0)", "LogNormal(median: \"700ms\", sigma: 1.0)"));
    ok(&failure("Weibull(shape: 1.0, scale: \"1m\")", "Weibull(shape: 3.0, scale: \"1s\")"));
}

#[test]
fn failures_of_servers_and_back_ends_strike_their_pool() {
    let pools = EE_PAIR.replacen(
        "front_ends: 3, back_end: Mirrored(witness: false)",
        "front_ends: 4, back_end: Single",
        1,
    );
    let warned = |target: &str| -> Vec<String> {
        ok(&with_failures(&pools, &[&random(target)]))
            .warnings
            .iter()
            .map(|d| d.path.clone().unwrap())
            .collect()
    };
    assert_eq!(warned("FrontEnd(pool: \"fe04\", server: 3)"), vec!["pools[1].front_ends".to_string()]);
    assert_eq!(warned("BackEnd(pool: \"fe04\", node: Principal)"), vec!["pools[1].front_ends".to_string()]);
    assert!(warned("Pool(pool: \"fe04\")").is_empty());
    assert!(warned("FrontEnd(pool: \"fe03\", server: 0)").is_empty());
}

/// [`two_pools`] with an `administrator: ...` section (`section` written after the colon).
fn with_administrator(pools: &str, section: &str) -> String {
    two_pools(pools, FAULT).replace("    events:", &format!("    administrator: {section},\n    events:"))
}

#[test]
fn administrator_policy() {
    let c = ok(&with_administrator(
        PAIR,
        "Some(Administrator(failover_after: Some(Exponential(mean: \"30m\")), disaster_mode: true, \
         failback_after: Some(\"1h\")))",
    ))
    .config;
    assert_eq!(
        c.administrator,
        Some(AdministratorConfig {
            failover_after: Some(Delay::Exponential { mean_s: 1800.0 }),
            disaster_mode: true,
            failback_after: Some(Delay::secs(3600)),
        })
    );
    // Defaults: never fail over or back, -DisasterMode; implicit Some.
    let c = ok(&with_administrator(PAIR, "Administrator()")).config;
    assert_eq!(
        c.administrator,
        Some(AdministratorConfig { failover_after: None, disaster_mode: true, failback_after: None })
    );
    let c = ok(&with_administrator(
        PAIR,
        "Administrator(failover_after: \"15m\", failback_after: Uniform(min: \"1h\", max: \"2h\"))",
    ))
    .config;
    assert_eq!(
        c.administrator,
        Some(AdministratorConfig {
            failover_after: Some(Delay::secs(900)),
            disaster_mode: true,
            failback_after: Some(Delay::Uniform { min_s: 3600.0, max_s: 7200.0 }),
        })
    );
    assert_eq!(ok(&with_administrator(PAIR, "None")).config.administrator, None);
    // Unknown fields are errors.
    let f = failed(&with_administrator(PAIR, "Administrator(failover: \"15m\")"));
    assert_eq!(f.diagnostics[0].message, "unknown field \"failover\" in Administrator");
}

#[test]
fn administrator_delays_are_checked_at_their_position() {
    let source = with_administrator(
        PAIR,
        "Administrator(failover_after: Some(Exponentail(mean: \"30m\")), failback_after: 0)",
    );
    assert_eq!(
        failed(&source).render(),
        r#"error: unknown distribution "Exponentail": expected one of Fixed, Exponential, Weibull, LogNormal, Uniform
 --> scenarios/x.ron:9:55
  |
9 |     administrator: Administrator(failover_after: Some(Exponentail(mean: "30m")), failback_after: 0),
  |                                                       ^
  = at administrator.failover_after
  = help: did you mean "Exponential"?

error: administrator.failback_after must be longer than zero
 --> scenarios/x.ron:9:98
  |
9 |     administrator: Administrator(failover_after: Some(Exponentail(mean: "30m")), failback_after: 0),
  |                                                                                                  ^
  = at administrator.failback_after
"#
    );
    assert_eq!(
        errors(&with_administrator(
            PAIR,
            "Administrator(failover_after: Uniform(mean: \"1m\"), failback_after: Fixed(0))",
        )),
        vec![
            ("administrator.failover_after".to_string(), "Uniform takes (min, max), not (mean)".to_string()),
            (
                "administrator.failback_after".to_string(),
                "administrator.failback_after must be longer than zero".to_string()
            ),
        ]
    );
    assert_eq!(
        errors(&with_administrator(PAIR, "Administrator(failover_after: LogNormal(median: 0, sigma: 0.5))")),
        vec![(
            "administrator.failover_after.median".to_string(),
            "the median of administrator.failover_after must be longer than zero".to_string()
        )]
    );
}

#[test]
fn lync2010_has_no_administrator_failover() {
    let source = with_administrator(PAIR, "Administrator(failover_after: \"30m\", failback_after: \"1h\")")
        .replace("horizon:", "product: Lync2010, horizon:");
    let f = failed(&source);
    let found: Vec<(&str, &str)> =
        f.diagnostics.iter().map(|d| (d.path.as_deref().unwrap(), d.message.as_str())).collect();
    assert_eq!(
        found,
        vec![
            (
                "administrator.failover_after",
                "Lync Server 2010 has no pool failover: administrator.failover_after (InvokeCsPoolFailover) \
                 needs Lync2013 or later"
            ),
            (
                "administrator.failback_after",
                "Lync Server 2010 has no pool failover: administrator.failback_after (InvokeCsPoolFailback) \
                 needs Lync2013 or later"
            ),
        ]
    );
    assert!(f.diagnostics.iter().all(Diagnostic::is_error));
    assert!(f.diagnostics[0].help.as_deref().unwrap().contains("not a paired pool"));
    // Without failover_after there is nothing the product lacks.
    let c = ok(&with_administrator(PAIR, "Administrator(disaster_mode: false)")
        .replace("horizon:", "product: Lync2010, horizon:"))
    .config;
    assert_eq!(c.administrator.map(|a| a.disaster_mode), Some(false));
}

#[test]
fn administrator_warnings() {
    let unpaired =
        PAIR.replace(", backup_pool: Some(\"fe04\")", "").replace(", backup_pool: Some(\"fe03\")", "");
    let loaded = ok(&with_administrator(&unpaired, "Administrator(failover_after: \"30m\")"));
    assert_eq!(
        loaded.render_warnings(),
        r#"warning: administrator.failover_after is set but no pool has a backup_pool: there is nothing to fail over
 --> t.ron:9:50
  |
9 |     administrator: Administrator(failover_after: "30m"),
  |                                                  ^
  = at administrator.failover_after
  = help: the administrator fails a pool over to its paired pool: set backup_pool on both pools of a pair
"#
    );
    // No failover, nothing to warn about.
    assert!(ok(&with_administrator(&unpaired, "Administrator(failback_after: \"1h\")")).warnings.is_empty());
    let loaded =
        ok(&with_administrator(PAIR, "Administrator(failover_after: \"30m\", disaster_mode: false)"));
    let found: Vec<(&str, &str, &str)> = loaded
        .warnings
        .iter()
        .map(|d| (d.path.as_deref().unwrap(), d.message.as_str(), d.help.as_deref().unwrap()))
        .collect();
    assert_eq!(
        found,
        vec![(
            "administrator.disaster_mode",
            "the administrator fails over with disaster_mode: false, but a dead pool cannot be failed over \
             without -DisasterMode: the cmdlet will fail",
            "the administrator fails over pools that stopped serving their users: set disaster_mode: true \
             (the default)"
        )]
    );
    assert_eq!(loaded.warnings[0].position, Some((9, 72)));
    assert!(ok(&with_administrator(PAIR, "Administrator(disaster_mode: false, failback_after: \"1h\")"))
        .warnings
        .is_empty());
}
