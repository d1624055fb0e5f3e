//! Property tests over random valid scenarios (proptest): random topologies of 1-6 pools
//! over 1-3 sites on every product, random pairings, scripted faults, repairs and cmdlets,
//! stochastic failures, an optional administrator, random seeds and horizons. Each scenario
//! is written as RON text and loaded with `scenario::load_str`, as a user's file would be.
//!
//! Properties: users are conserved in every sample; every fraction and availability lies
//! in [0, 1]; no user is registered on a pool that is down (an audited run); nothing is
//! scheduled before the current time; every repair follows its failure; the same scenario
//! and seed give the same bytes (and whatever the thread count of a Monte Carlo run).
//!
//! Case counts keep the file near 20-30 s in a debug build; `PROPTEST_CASES=N` raises them
//! all for a longer search.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Arc;

use lyncsim::model::{ClientState, Config, Feature, LogKind};
use lyncsim::report;
use lyncsim::scenario;
use lyncsim::stats::{monte, run_replication, run_replication_audited, RunResult};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::FileFailurePersistence;

const PRODUCTS: [&str; 4] = ["Lync2010", "Lync2013", "SfB2015", "SfB2019"];

/// One pool of a random topology.
#[derive(Debug, Clone)]
struct PoolSpec {
    site: Index,
    /// Where its users are (another site makes WAN cuts matter).
    users_site: Option<Index>,
    enterprise: bool,
    /// Enterprise: 2 + this, capped at the product's maximum.
    extra_front_ends: u32,
    /// Enterprise: 0 Single, 1 Mirrored without witness, 2 Mirrored with witness.
    back_end: u8,
    users: u32,
    voice_failover: bool,
}

/// A fault on some target, and (usually) its repair later.
#[derive(Debug, Clone)]
struct Incident {
    kind: u8,
    target: Index,
    other: Index,
    start_s: u64,
    repair_after_s: Option<u64>,
    /// The administrator fails the struck pool over after this many seconds (if it is
    /// paired), with `-DisasterMode` or not, and back this long after the repair.
    response: Option<(u64, bool, u64)>,
}

/// An administrator's action (or a lone fault or repair) at some time.
#[derive(Debug, Clone)]
struct AdminSpec {
    kind: u8,
    pool: Index,
    other: Index,
    flag: bool,
    choice: u8,
    at_s: u64,
}

/// A stochastic failure process.
#[derive(Debug, Clone)]
struct FailureSpec {
    kind: u8,
    target: Index,
    other: Index,
    mtbf_min: u64,
    mttr: u8,
    mttr_min: u64,
}

/// A whole random scenario, before it is written as RON.
#[derive(Debug, Clone)]
struct Spec {
    product: usize,
    seed: u64,
    horizon_min: u64,
    sample_every_s: u64,
    sites: usize,
    pools: Vec<PoolSpec>,
    /// Sort keys of a permutation of the pools; consecutive pools of it are paired.
    pairing: Vec<u32>,
    pairs: usize,
    /// Lync2010 only: a one-way backup registrar for unpaired pools.
    one_way: Vec<Option<Index>>,
    incidents: Vec<Incident>,
    admin: Vec<AdminSpec>,
    failures: Vec<FailureSpec>,
    administrator: Option<(u64, Option<u64>)>,
    batch_s: u64,
    replications: u32,
}

fn pool_spec(max_users: u32) -> impl Strategy<Value = PoolSpec> {
    (
        any::<Index>(),
        prop::option::weighted(0.2, any::<Index>()),
        any::<bool>(),
        0u32..5,
        0u8..3,
        prop_oneof![1 => Just(0u32), 6 => 1..=max_users],
        prop::bool::weighted(0.8),
    )
        .prop_map(|(site, users_site, enterprise, extra_front_ends, back_end, users, voice_failover)| {
            PoolSpec { site, users_site, enterprise, extra_front_ends, back_end, users, voice_failover }
        })
}

fn spec(max_pools: usize, max_users: u32, max_replications: u32) -> impl Strategy<Value = Spec> {
    let horizon = 120u64..=360;
    (
        (0usize..4, any::<u64>(), horizon, prop::sample::select(vec![10u64, 30, 60, 300]), 1usize..=3),
        prop::collection::vec(pool_spec(max_users), 1..=max_pools),
        (
            prop::collection::vec(any::<u32>(), 6),
            prop_oneof![1 => Just(0usize), 4 => 1usize..=3],
            prop::collection::vec(prop::option::of(any::<Index>()), 6),
        ),
        prop::collection::vec(incident(), 0..=4),
        prop::collection::vec(admin_spec(), 0..=4),
        prop::collection::vec(failure_spec(), 0..=3),
        (
            prop::option::weighted(0.5, (5u64..=60, prop::option::of(10u64..=90))),
            prop_oneof![4 => Just(0u64), 1 => 1u64..=5],
        ),
        1..=max_replications,
    )
        .prop_map(
            |(
                (product, seed, horizon_min, sample_every_s, sites),
                pools,
                (pairing, pairs, one_way),
                incidents,
                admin,
                failures,
                (administrator, batch_s),
                replications,
            )| Spec {
                product,
                seed,
                horizon_min,
                sample_every_s,
                sites,
                pools,
                pairing,
                pairs,
                one_way,
                incidents,
                admin,
                failures,
                administrator,
                batch_s,
                replications,
            },
        )
}

fn incident() -> impl Strategy<Value = Incident> {
    (
        0u8..6,
        any::<Index>(),
        any::<Index>(),
        0u64..=6 * 3600,
        prop::option::weighted(0.8, 60u64..=3 * 3600),
        prop::option::weighted(0.5, (60u64..=1800, prop::bool::weighted(0.8), 0u64..=1800)),
    )
        .prop_map(|(kind, target, other, start_s, repair_after_s, response)| Incident {
            kind,
            target,
            other,
            start_s,
            repair_after_s,
            response,
        })
}

fn admin_spec() -> impl Strategy<Value = AdminSpec> {
    (0u8..12, any::<Index>(), any::<Index>(), any::<bool>(), any::<u8>(), 0u64..=6 * 3600).prop_map(
        |(kind, pool, other, flag, choice, at_s)| AdminSpec { kind, pool, other, flag, choice, at_s },
    )
}

fn failure_spec() -> impl Strategy<Value = FailureSpec> {
    (0u8..5, any::<Index>(), any::<Index>(), 30u64..=300, 0u8..5, 2u64..=90).prop_map(
        |(kind, target, other, mtbf_min, mttr, mttr_min)| FailureSpec {
            kind,
            target,
            other,
            mtbf_min,
            mttr,
            mttr_min,
        },
    )
}

/// The resolved topology the events are drawn against.
struct Topo {
    product: &'static str,
    sites: usize,
    fqdn: Vec<String>,
    /// Front ends per pool (1 for Standard).
    front_ends: Vec<u32>,
    /// Back end per pool: None (Standard, Local), Some(0) Single, Some(1|2) Mirrored.
    back_end: Vec<Option<u8>>,
    backup: Vec<Option<usize>>,
}

impl Topo {
    fn pairing(&self) -> bool {
        self.product != "Lync2010"
    }

    fn site(i: usize) -> String {
        format!("s{i}")
    }

    /// A back-end node of pool `p` that exists, if it has a separate back end.
    fn node(&self, p: usize, choice: u8) -> Option<&'static str> {
        let nodes: &[&str] = match self.back_end[p]? {
            0 => &["Principal"],
            1 => &["Principal", "Mirror"],
            _ => &["Principal", "Mirror", "Witness"],
        };
        Some(nodes[choice as usize % nodes.len()])
    }

    /// A WAN link between two different sites, if there are two.
    fn wan(&self, a: &Index, b: &Index) -> Option<(String, String)> {
        if self.sites < 2 {
            return None;
        }
        let x = a.index(self.sites);
        let y = (x + 1 + b.index(self.sites - 1)) % self.sites;
        Some((Topo::site(x), Topo::site(y)))
    }

    /// A paired pool (for the pool-pairing cmdlets), if the product pairs pools.
    fn paired(&self, i: &Index) -> Option<usize> {
        if !self.pairing() {
            return None;
        }
        let paired: Vec<usize> = (0..self.fqdn.len()).filter(|p| self.backup[*p].is_some()).collect();
        (!paired.is_empty()).then(|| paired[i.index(paired.len())])
    }

    /// A fault and its repair on the target: (down, up) actions.
    fn fault(&self, kind: u8, target: &Index, other: &Index) -> (String, String) {
        let p = target.index(self.fqdn.len());
        let pool = &self.fqdn[p];
        let server = other.index(self.front_ends[p] as usize);
        let pool_fault = || (format!("PoolDown(pool: \"{pool}\")"), format!("PoolUp(pool: \"{pool}\")"));
        match kind {
            0 => pool_fault(),
            1 => (
                format!("ServerDown(pool: \"{pool}\", server: {server})"),
                format!("ServerUp(pool: \"{pool}\", server: {server})"),
            ),
            2 => match self.node(p, other.index(3) as u8) {
                Some(node) => (
                    format!("BackEndDown(pool: \"{pool}\", node: {node})"),
                    format!("BackEndUp(pool: \"{pool}\", node: {node})"),
                ),
                None => pool_fault(),
            },
            3 => {
                let site = Topo::site(target.index(self.sites));
                (format!("SiteDown(site: \"{site}\")"), format!("SiteUp(site: \"{site}\")"))
            }
            4 => match self.wan(target, other) {
                Some((a, b)) => {
                    (format!("WanDown(a: \"{a}\", b: \"{b}\")"), format!("WanUp(a: \"{b}\", b: \"{a}\")"))
                }
                None => pool_fault(),
            },
            _ => {
                let service = ["FrontEnd", "Backup", "Replica", "Mediation"][other.index(4)];
                (
                    format!("ServiceStop(pool: \"{pool}\", server: {server}, service: {service})"),
                    format!("ServiceStart(pool: \"{pool}\", server: {server}, service: {service})"),
                )
            }
        }
    }

    /// An administrator's action, or a lone fault or repair where the product or topology
    /// offers no such cmdlet.
    fn admin(&self, a: &AdminSpec) -> String {
        let p = a.pool.index(self.fqdn.len());
        let pool = &self.fqdn[p];
        let lone = || {
            let (down, up) = self.fault(a.choice % 6, &a.pool, &a.other);
            if a.flag {
                down
            } else {
                up
            }
        };
        let paired = self.paired(&a.pool);
        match (a.kind, paired) {
            (0..=3, Some(q)) => {
                let verb = if a.kind < 2 { "Failover" } else { "Failback" };
                format!("InvokeCsPool{verb}(pool: \"{}\", disaster_mode: {})", self.fqdn[q], a.flag)
            }
            (4, Some(q)) => {
                let state = ["Active", "FailingOver", "FailedOver", "FailingBack", "FailedBack"]
                    [a.choice as usize % 5];
                format!("SetCsRegistrarConfiguration(pool: \"{}\", pool_state: {state})", self.fqdn[q])
            }
            (5, Some(q)) => format!("InvokeCsManagementServerFailover(to_pool: \"{}\")", self.fqdn[q]),
            (6, Some(q)) => format!("ImportCsRgsConfiguration(pool: \"{}\")", self.fqdn[q]),
            // Reset-CsPoolRegistrarState resets the Windows Fabric: Lync 2013 and later.
            (7, _) if self.product != "Lync2010" => {
                let reset =
                    if self.front_ends[p] > 1 && a.flag { "QuorumLossRecovery" } else { "ServiceReset" };
                format!("ResetCsPoolRegistrarState(pool: \"{pool}\", reset_type: {reset})")
            }
            (8, _) if matches!(self.back_end[p], Some(1 | 2)) => {
                let to = if a.flag { "Mirror" } else { "Primary" };
                format!("InvokeCsDatabaseFailover(pool: \"{pool}\", new_principal: {to})")
            }
            _ => lone(),
        }
    }
}

/// The scenario's RON text.
fn render(s: &Spec) -> String {
    let product = PRODUCTS[s.product];
    let max_fe = if product == "SfB2019" { 16 } else { 12 };
    let n = s.pools.len();
    // Pairs: consecutive pools of a random permutation.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| (s.pairing[i], i));
    let mut backup = vec![None; n];
    for k in 0..s.pairs.min(n / 2) {
        let (a, b) = (order[2 * k], order[2 * k + 1]);
        backup[a] = Some(b);
        backup[b] = Some(a);
    }
    if product == "Lync2010" && n > 1 {
        for (i, (b, one_way)) in backup.iter_mut().zip(&s.one_way).enumerate() {
            if let (None, Some(to)) = (*b, one_way) {
                *b = Some((i + 1 + to.index(n - 1)) % n);
            }
        }
    }
    let mut pools = String::new();
    let mut topo = Topo {
        product,
        sites: s.sites,
        fqdn: (0..n).map(|i| format!("fe{i}.contoso.com")).collect(),
        front_ends: vec![],
        back_end: vec![],
        backup: backup.clone(),
    };
    let any_users = s.pools.iter().any(|p| p.users > 0);
    for (i, p) in s.pools.iter().enumerate() {
        let users = if i == 0 && !any_users { 1 } else { p.users };
        let site = Topo::site(p.site.index(s.sites));
        write!(pools, "        Pool(fqdn: \"{}\", site: \"{site}\", users: {users}", topo.fqdn[i]).unwrap();
        if let Some(us) = &p.users_site {
            write!(pools, ", users_site: Some(\"{}\")", Topo::site(us.index(s.sites))).unwrap();
        }
        if p.enterprise {
            // SfB 2019 publishes no 2-front-end pool; mirroring only on Lync 2013 and SfB 2015.
            let min_fe = if product == "SfB2019" { 3 } else { 2 };
            let fe = (min_fe + p.extra_front_ends).min(max_fe);
            let mirroring = matches!(product, "Lync2013" | "SfB2015");
            let back_end = if mirroring { p.back_end } else { 0 };
            let be = ["Single", "Mirrored(witness: false)", "Mirrored(witness: true)"][back_end as usize];
            write!(pools, ", edition: Enterprise, front_ends: {fe}, back_end: {be}").unwrap();
            topo.front_ends.push(fe);
            topo.back_end.push(Some(back_end));
        } else {
            topo.front_ends.push(1);
            topo.back_end.push(None);
        }
        if let Some(b) = backup[i] {
            write!(pools, ", backup_pool: Some(\"{}\")", topo.fqdn[b]).unwrap();
        }
        if !p.voice_failover {
            pools.push_str(", voice_failover: None");
        }
        pools.push_str("),\n");
    }
    let mut events = String::new();
    for inc in &s.incidents {
        let (down, up) = topo.fault(inc.kind, &inc.target, &inc.other);
        writeln!(events, "        At(\"{}s\", {down}),", inc.start_s).unwrap();
        if let Some(after) = inc.repair_after_s {
            writeln!(events, "        At(\"{}s\", {up}),", inc.start_s + after).unwrap();
        }
        if let (Some((delay, disaster, back)), Some(q)) = (inc.response, topo.paired(&inc.target)) {
            let pool = &topo.fqdn[q];
            let at = inc.start_s + delay;
            writeln!(
                events,
                "        At(\"{at}s\", InvokeCsPoolFailover(pool: \"{pool}\", disaster_mode: {disaster})),"
            )
            .unwrap();
            if let Some(after) = inc.repair_after_s {
                let at = (inc.start_s + after).max(at) + back;
                writeln!(events, "        At(\"{at}s\", InvokeCsPoolFailback(pool: \"{pool}\")),").unwrap();
            }
        }
    }
    for a in &s.admin {
        writeln!(events, "        At(\"{}s\", {}),", a.at_s, topo.admin(a)).unwrap();
    }
    let mut failures = String::new();
    for f in &s.failures {
        let target = match f.kind {
            0 => format!("Pool(pool: \"{}\")", topo.fqdn[f.target.index(n)]),
            1 => {
                let p = f.target.index(n);
                format!(
                    "FrontEnd(pool: \"{}\", server: {})",
                    topo.fqdn[p],
                    f.other.index(topo.front_ends[p] as usize)
                )
            }
            2 => {
                let p = f.target.index(n);
                match topo.node(p, f.other.index(3) as u8) {
                    Some(node) => format!("BackEnd(pool: \"{}\", node: {node})", topo.fqdn[p]),
                    None => format!("Pool(pool: \"{}\")", topo.fqdn[p]),
                }
            }
            3 => format!("Site(site: \"{}\")", Topo::site(f.target.index(s.sites))),
            _ => match topo.wan(&f.target, &f.other) {
                Some((a, b)) => format!("Wan(a: \"{a}\", b: \"{b}\")"),
                None => format!("Site(site: \"{}\")", Topo::site(f.target.index(s.sites))),
            },
        };
        let m = f.mttr_min;
        let mttr = match f.mttr {
            0 => format!("Fixed(\"{m}m\")"),
            1 => format!("Exponential(mean: \"{m}m\")"),
            2 => format!("LogNormal(median: \"{m}m\", sigma: 0.6)"),
            3 => format!("Uniform(min: \"1m\", max: \"{}m\")", m + 1),
            _ => format!("Weibull(shape: 1.5, scale: \"{m}m\")"),
        };
        writeln!(
            failures,
            "        Random(target: {target}, mtbf: Exponential(mean: \"{}m\"), mttr: {mttr}),",
            f.mtbf_min
        )
        .unwrap();
    }
    let administrator = match (s.administrator, topo.pairing()) {
        (Some((over, back)), true) => {
            let back = back.map_or("None".to_string(), |b| format!("Some(\"{b}m\")"));
            format!("administrator: Some(Administrator(failover_after: Some(\"{over}m\"), failback_after: {back})),\n")
        }
        _ => String::new(),
    };
    let sites: Vec<String> = (0..s.sites).map(|i| format!("Site(name: \"{}\")", Topo::site(i))).collect();
    format!(
        "Scenario(\n    name: \"prop\",\n    product: {product},\n    seed: {},\n    horizon: \"{}m\",\n    \
         sample_every: \"{}s\",\n    replications: {},\n    sites: [ {} ],\n    pools: [\n{pools}    ],\n    \
         clients: Clients(batch: \"{}s\"),\n    events: [\n{events}    ],\n    failures: [\n{failures}    ],\n    \
         {administrator})\n",
        s.seed,
        s.horizon_min,
        s.sample_every_s,
        s.replications,
        sites.join(", "),
        s.batch_s,
    )
}

/// Load a generated scenario; validation must accept it.
fn load(source: &str) -> Result<Arc<Config>, TestCaseError> {
    match scenario::load_str("prop.ron", source) {
        Ok(l) => Ok(Arc::new(l.config)),
        Err(f) => Err(TestCaseError::fail(format!("generated scenario rejected:\n{}\n{source}", f.render()))),
    }
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(cases),
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        ..ProptestConfig::default()
    }
}

/// Small scenarios (fast), bigger ones (1-6 pools of up to 2,000 users).
fn small() -> impl Strategy<Value = Spec> {
    spec(4, 300, 1)
}
fn large() -> impl Strategy<Value = Spec> {
    spec(6, 2_000, 1)
}

fn within_unit(x: f64) -> bool {
    (0.0..=1.0).contains(&x)
}

/// Fault and repair log entries named by their target: (key, is repair).
fn fault_key(kind: LogKind, pool: &str, detail: &str) -> Option<(String, bool)> {
    let repair = match kind {
        LogKind::Fault => false,
        LogKind::Repair => true,
        _ => return None,
    };
    let head = detail.split(':').next().unwrap_or(detail);
    let key = if let Some(rest) = head.strip_prefix("Wan").and_then(|r| r.split_once(' ')) {
        let (a, b) = rest.1.split_once('-').expect("WanDown a-b");
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        format!("wan {a} {b}")
    } else if let Some(site) = head.strip_prefix("SiteDown ").or_else(|| head.strip_prefix("SiteUp ")) {
        format!("site {site}")
    } else if head == "PoolDown" || head == "PoolUp" {
        format!("pool {pool}")
    } else if head == "ServerDown" || head == "ServerUp" {
        let after = detail.split_once("front end ").map_or("", |(_, rest)| rest);
        let server: String = after.chars().take_while(char::is_ascii_digit).collect();
        assert!(!server.is_empty(), "no server in {detail}");
        format!("server {pool} {server}")
    } else if head == "BackEndDown" || head == "BackEndUp" {
        let node = detail.split_whitespace().nth(2).unwrap_or("?");
        format!("backend {pool} {node}")
    } else {
        panic!("unknown fault or repair: {kind:?} {pool} {detail}");
    };
    Some((key, repair))
}

proptest! {
    #![proptest_config(config(12))]

    /// Every sample's client-state counts add up to all users.
    #[test]
    fn users_are_conserved_in_every_sample(s in large()) {
        let source = render(&s);
        let config = load(&source)?;
        let total = config.total_users();
        let r = run_replication(config, 0);
        let mut rows = 0u64;
        for sample in r.samples() {
            let sum: u64 = ClientState::ALL.iter().map(|&st| sample.users(st)).sum();
            prop_assert_eq!(sum, total, "at {} ms\n{}", sample.time.as_millis(), source);
            rows += 1;
        }
        prop_assert_eq!(rows, r.series.rows());
    }
}

proptest! {
    #![proptest_config(config(12))]

    /// Sample fractions, availabilities and the summary's numbers lie in [0, 1].
    #[test]
    fn fractions_and_availabilities_lie_in_0_1(s in large()) {
        let source = render(&s);
        let r = run_replication(load(&source)?, 0);
        for sample in r.samples() {
            for f in Feature::ALL {
                let x = r.fraction(&sample, f);
                prop_assert!(within_unit(x), "{} = {x} at {} ms\n{source}", f.column(), sample.time.as_millis());
            }
        }
        let summary: serde_json::Value = serde_json::from_str(&report::summary_json(&r)).unwrap();
        for f in Feature::ALL {
            let x = r.availability(f);
            prop_assert!(within_unit(x), "availability of {} = {x}\n{source}", f.column());
            let json = summary["features"][f.column()]["availability"].to_string();
            let parsed: f64 = json.trim_matches('"').parse().unwrap();
            prop_assert!(within_unit(parsed), "summary availability of {} = {json}\n{source}", f.column());
        }
    }
}

proptest! {
    #![proptest_config(config(8))]

    /// Incidents (docs/metrics.md#incidents): in time order, apart, only the last one open;
    /// every sample with fewer than 99 % of users having a feature lies in one of its
    /// incidents; an open incident's time so far reaches the horizon.
    #[test]
    fn every_dip_lies_in_an_incident(s in large()) {
        let source = render(&s);
        let r = run_replication(load(&source)?, 0);
        let horizon = r.config.horizon;
        for f in Feature::ALL {
            let incidents = &r.incidents[f];
            for (i, inc) in incidents.iter().enumerate() {
                prop_assert!(inc.start <= horizon && inc.end.is_none_or(|e| inc.start <= e && e <= horizon), "{f:?} {inc:?}\n{source}");
                prop_assert!(inc.end.is_some() || i + 1 == incidents.len(), "{f:?}: open before the last\n{source}");
                if let Some(next) = incidents.get(i + 1) {
                    prop_assert!(inc.end.is_some_and(|e| e <= next.start), "{f:?}: {inc:?} then {next:?}\n{source}");
                }
            }
            prop_assert_eq!(r.open_incident(f), incidents.last().filter(|i| i.end.is_none()).map(|i| horizon.saturating_sub(i.start)));
            for sample in r.samples() {
                let below = (r.users_with(&sample, f) as f64) < lyncsim::stats::RESTORE_THRESHOLD * r.total_users() as f64;
                let t = sample.time;
                let covered = incidents.iter().any(|i| i.start <= t && i.end.is_none_or(|e| t < e));
                prop_assert!(!below || covered, "{f:?} below 99 % at {} ms outside every incident {incidents:?}\n{source}", t.as_millis());
            }
        }
    }
}

proptest! {
    #![proptest_config(config(10))]

    /// Over a few replications: every replication's availability, its mean, percentiles and
    /// confidence interval lie in [0, 1], and so do the time series' means and bands.
    #[test]
    fn monte_carlo_statistics_lie_in_0_1(s in spec(4, 300, 4)) {
        let source = render(&s);
        let config = load(&source)?;
        let total = config.total_users() as f64;
        let mc = monte::run(config, Some(1), &|r| report::fingerprint(r).unwrap(), &|| {}).unwrap();
        for f in Feature::ALL {
            let d = mc.describe_availability(f);
            let stats = [("mean", d.mean), ("p05", d.p05), ("p50", d.p50), ("p95", d.p95), ("ci95_low", d.ci95_low), ("ci95_high", d.ci95_high)];
            for (what, x) in stats {
                prop_assert!(within_unit(x), "{what} availability of {} = {x}\n{source}", f.column());
            }
            prop_assert!(d.ci95_low <= d.mean && d.mean <= d.ci95_high, "{d:?}");
        }
        let series = mc.series();
        for (row, (means, band)) in series.features.iter().zip(&series.band).enumerate() {
            for f in Feature::ALL {
                for x in [means[f], band[f].0, band[f].1] {
                    prop_assert!(within_unit(monte::fraction(x, total as u64)), "row {row} feature {f:?}: {x} of {total}\n{source}");
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(config(12))]

    /// After every event no pool that is down has users registered on it, and at every
    /// instant each user is where the world says it can be (an audited run).
    #[test]
    fn no_user_is_registered_on_a_pool_that_is_down(s in large()) {
        let source = render(&s);
        let (r, audit) = run_replication_audited(load(&source)?, 0);
        prop_assert_eq!(&audit.violation, &None, "{:?}\n{}", audit, source);
        prop_assert_eq!(audit.events, r.events_processed);
        prop_assert!(audit.recounts > 0);
    }
}

proptest! {
    #![proptest_config(config(16))]

    /// No event is ever scheduled before the current time, and the event log runs forward.
    #[test]
    fn nothing_is_scheduled_before_the_current_time(s in small()) {
        let source = render(&s);
        let (r, audit) = run_replication_audited(load(&source)?, 0);
        prop_assert_eq!(audit.refused_schedules, 0, "{:?}\n{}", audit, source);
        prop_assert_eq!(&audit.violation, &None, "{:?}\n{}", audit, source);
        for w in r.log.windows(2) {
            prop_assert!(w[0].time <= w[1].time, "{:?} before {:?}\n{source}", w[1], w[0]);
        }
    }
}

proptest! {
    #![proptest_config(config(16))]

    /// Every repair in the event log follows a fault of the same target that no repair has
    /// answered yet (scripted and stochastic alike).
    #[test]
    fn every_repair_comes_after_its_failure(s in small()) {
        let source = render(&s);
        let r = run_replication(load(&source)?, 0);
        let mut open: BTreeMap<String, Vec<u64>> = BTreeMap::new();
        for e in &r.log {
            let Some((key, repair)) = fault_key(e.kind, &e.pool, &e.detail) else { continue };
            let faults = open.entry(key.clone()).or_default();
            if repair {
                let first = faults.first().copied();
                prop_assert!(first.is_some(), "{} at {} ms repairs no failure of {key}\n{source}", e.detail, e.time.as_millis());
                prop_assert!(first.unwrap() <= e.time.as_millis());
                faults.clear();
            } else {
                faults.push(e.time.as_millis());
            }
        }
    }
}

proptest! {
    #![proptest_config(config(10))]

    /// The same scenario and seed give the same bytes: run twice, audited or not, and a few
    /// replications on one thread or two.
    #[test]
    fn the_same_scenario_and_seed_give_the_same_bytes(s in spec(4, 500, 3)) {
        let source = render(&s);
        let config = load(&source)?;
        let bytes = |r: &RunResult| {
            (
                report::timeseries_csv(r).unwrap(),
                report::events_csv(r).unwrap(),
                report::summary_json(r),
            )
        };
        let a = bytes(&run_replication(config.clone(), 0));
        let b = bytes(&run_replication(config.clone(), 0));
        prop_assert!(a == b, "two runs differ\n{source}");
        let c = bytes(&run_replication_audited(config.clone(), 0).0);
        prop_assert!(a == c, "the audited run differs\n{source}");
        let mc = |jobs| {
            let mc = monte::run(config.clone(), Some(jobs), &|r| report::fingerprint(r).unwrap(), &|| {}).unwrap();
            let series = mc.series();
            (report::monte::summary_json(&mc, "f"), report::monte::timeseries_csv(&mc, &series).unwrap())
        };
        prop_assert!(mc(1) == mc(2), "one thread and two differ\n{source}");
    }
}
