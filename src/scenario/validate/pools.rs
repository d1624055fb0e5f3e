//! Sites and pools: names unique and resolved, each pool's edition, front ends and back end
//! as its product allows, its timings and registrar settings, the pairing of pools (one to
//! one and both ways), and the users each pool can carry (Microsoft's published capacity,
//! as warnings).

use super::clients::{ENDPOINT_EXPIRATION, ENDPOINT_WHY};
use super::delays::time_value;
use super::{Kind, RawPools, Validator};
use crate::engine::SimTime;
use crate::model::{
    default_routing_groups, Delay, IdVec, PoolConfig, PoolId, Product, RegistrarSettings, SiteConfig, SiteId,
    VoiceFailoverConfig, USERS_PER_FRONT_END, USERS_PER_STANDARD_SERVER,
};
use crate::scenario::format::{back_end_name, back_end_written};
use crate::scenario::limits::{self, MAX_ROUTING_GROUPS};
use crate::scenario::raw;
use crate::text::group_digits;

/// Topology Builder: voice failure detection intervals under 120 s may not work as expected.
const MIN_VOICE_DETECTION: SimTime = SimTime::from_secs(120);
/// Users a Standard Edition server carries alone, after its partner failed over to it.
const STANDARD_SURVIVOR_USERS: u32 = 2 * USERS_PER_STANDARD_SERVER;

/// Users a pool can carry (docs/model.md#sign-in-and-capacity): a Standard Edition server
/// alone 5,000 (the survivor of a pair), an Enterprise pool 6,660 per front end up to the
/// product's pool maximum.
fn survivor_capacity(pool: &raw::Pool, product: Product) -> (u32, String) {
    match pool.edition {
        raw::Edition::Standard => (
            STANDARD_SURVIVOR_USERS,
            format!(
                "a Standard Edition server carries at most {} users on its own",
                group_digits(STANDARD_SURVIVOR_USERS.into())
            ),
        ),
        raw::Edition::Enterprise => {
            let per_front_end = USERS_PER_FRONT_END.saturating_mul(pool.front_ends);
            if per_front_end <= product.max_pool_users() {
                (
                    per_front_end,
                    format!(
                        "{} users per front end x {} front end{}",
                        group_digits(USERS_PER_FRONT_END.into()),
                        pool.front_ends,
                        if pool.front_ends == 1 { "" } else { "s" }
                    ),
                )
            } else {
                let max = product.max_pool_users();
                (max, format!("the {} pool maximum", product.name()))
            }
        }
    }
}

impl<'a> Validator<'a> {
    /// The sites: at least one, within the limit, names unique and not empty.
    pub(super) fn sites(&mut self, sites: &'a [raw::Site]) -> Vec<SiteConfig> {
        if sites.is_empty() {
            self.error("sites", "a scenario needs at least one site").help =
                Some("add sites: [ Site(name: \"dc1\") ]".to_string());
        }
        let too_many = self.over_limit("sites", limits::sites(sites.len()));
        for (i, site) in sites.iter().enumerate() {
            if too_many {
                // Names only: checking each against all the others would take too long.
                self.sites.push(&site.name);
                continue;
            }
            self.declare(Kind::Site, i, &site.name);
        }
        sites.iter().map(|s| SiteConfig { name: s.name.clone() }).collect()
    }

    /// The pools: at least one, within the limits, names unique and not empty, each checked
    /// ([`Validator::pool`]); at least one user in all.
    pub(super) fn pools(&mut self, pools: &'a [raw::Pool]) -> Vec<PoolConfig> {
        if pools.is_empty() {
            self.error("pools", "a scenario needs at least one pool");
        }
        // Sizes first: the model allocates per pool and per user.
        let too_many = self.over_limit("pools", limits::pools(pools.len()));
        let total: u64 = pools.iter().map(|p| u64::from(p.users)).sum();
        self.too_many_users = self.over_limit("pools", limits::total_users(total));
        if too_many {
            // Names only, for the references of events; the pools themselves are not checked.
            self.pools.extend(pools.iter().map(|p| p.fqdn.as_str()));
            return Vec::new();
        }
        // Names first: a backup_pool may name a pool written later.
        for (i, pool) in pools.iter().enumerate() {
            self.declare(Kind::Pool, i, &pool.fqdn);
        }
        let resolved = pools.iter().enumerate().map(|(i, p)| self.pool(i, p)).collect();
        if !pools.is_empty() && total == 0 {
            self.error("pools", "the scenario has no users: give at least one pool users > 0");
        }
        resolved
    }

    /// One pool (`pools[i]`): its sites, edition, front ends and back end, users, routing
    /// groups, sign-in rate, backup pool, voice failover and registrar configuration.
    fn pool(&mut self, i: usize, p: &raw::Pool) -> PoolConfig {
        let at = |field: &str| format!("pools[{i}].{field}");
        let site = self.site_ref(&at("site"), &p.site).unwrap_or(SiteId(0));
        let users_site = match &p.users_site {
            Some(name) => self.site_ref(&at("users_site"), name).unwrap_or(site),
            None => site,
        };
        let product = self.product;
        match p.edition {
            raw::Edition::Standard => {
                if p.front_ends != 1 {
                    self.error(
                        &at("front_ends"),
                        format!("a Standard Edition pool has exactly 1 front end, not {}", p.front_ends),
                    )
                    .help = Some(format!(
                        "use edition: Enterprise for {} to {} front ends",
                        product.min_front_ends(),
                        product.max_front_ends()
                    ));
                }
                if p.back_end != raw::BackEnd::Local {
                    self.error(
                        &at("back_end"),
                        format!(
                            "a Standard Edition pool keeps its database on the server (back_end: Local), not {}",
                            back_end_name(p.back_end)
                        ),
                    )
                    .help = Some("use edition: Enterprise for a separate back end".to_string());
                }
            }
            raw::Edition::Enterprise => {
                // front_ends and back_end may be defaults: then edition is what was written.
                let (min, max) = (product.min_front_ends(), product.max_front_ends());
                if p.front_ends == 2 && min > 2 {
                    // SfB-FEHA: Skype for Business Server 2019 will not publish a 2-FE pool
                    // (docs/model.md#products).
                    self.error(
                        &at("front_ends"),
                        format!(
                            "{} will not publish an Enterprise pool of 2 front ends: it has {min} to {max}",
                            product.name()
                        ),
                    )
                    .help = Some(format!(
                        "write front_ends: {min} to {max}, or pair two Standard Edition pools (SfB-FEHA)"
                    ));
                } else if !(min..=max).contains(&p.front_ends) {
                    let default = self.written(&at("front_ends")).is_none();
                    let d = self.error_near(
                        &at("front_ends"),
                        &[&at("edition")],
                        format!(
                            "an Enterprise pool has {min} to {max} front ends on {}, not {}",
                            product.name(),
                            p.front_ends
                        ),
                    );
                    if default {
                        d.help = Some(format!(
                            "front_ends is not written and defaults to 1: write front_ends: {min} to {max}"
                        ));
                    }
                }
                let valid =
                    if product.has_mirroring() { "Single or Mirrored(witness: true)" } else { "Single" };
                if p.back_end == raw::BackEnd::Local {
                    let default = self.written(&at("back_end")).is_none();
                    let d = self.error_near(
                        &at("back_end"),
                        &[&at("edition")],
                        format!("an Enterprise pool needs a separate back end: {valid}, not Local"),
                    );
                    if default {
                        d.help = Some("back_end is not written and defaults to Local".to_string());
                    }
                } else if matches!(p.back_end, raw::BackEnd::Mirrored { .. }) && !product.has_mirroring() {
                    self.no_mirroring(&at("back_end"), p.back_end);
                }
            }
        }
        self.quorum_witness(i, p);
        self.users(i, p);
        let routing_groups = match p.routing_groups {
            Some(n) if !(1..=MAX_ROUTING_GROUPS).contains(&n) => {
                self.error(
                    &at("routing_groups"),
                    format!("routing_groups must be within 1..={MAX_ROUTING_GROUPS}, not {n}"),
                );
                n
            }
            Some(n) => n,
            None => default_routing_groups(p.users, p.front_ends),
        };
        if !(p.registrations_per_sec.is_finite() && p.registrations_per_sec > 0.0) {
            self.error(
                &at("registrations_per_sec"),
                format!("registrations_per_sec must be a positive number, not {}", p.registrations_per_sec),
            );
        } else {
            self.over_limit(
                &at("registrations_per_sec"),
                limits::registrations_per_sec(p.registrations_per_sec),
            );
        }
        let backup = match &p.backup_pool {
            None => None,
            Some(name) => {
                let id = self.pool_ref(&at("backup_pool"), name);
                if id == Some(PoolId(i as u32)) {
                    self.error(&at("backup_pool"), "a pool cannot back itself up").help =
                        Some("name the other pool of the pair, or remove backup_pool".to_string());
                }
                id
            }
        };
        let voice_failover = p.voice_failover.as_ref().map(|vf| {
            let detection = self.delay(&at("voice_failover.detection"), &vf.detection);
            if let Delay::Fixed(t) = detection {
                if t != SimTime::ZERO && t < MIN_VOICE_DETECTION {
                    self.warning(
                        &at("voice_failover.detection"),
                        format!(
                            "voice failure detection of {}s is below {}s",
                            t.as_secs_f64(),
                            MIN_VOICE_DETECTION.as_secs_f64()
                        ),
                    )
                    .help = Some(
                        "Topology Builder: intervals under 120 seconds may not work as expected".to_string(),
                    );
                }
            }
            let failback = self.delay(&at("voice_failover.failback"), &vf.failback);
            VoiceFailoverConfig { detection, failback }
        });
        let registrar = p.registrar_configuration.as_ref().map(|rc| {
            let path = at("registrar_configuration.default_endpoint_expiration");
            self.delay_within(
                &path,
                &rc.default_endpoint_expiration,
                ENDPOINT_EXPIRATION,
                false,
                Some(ENDPOINT_WHY),
            );
            let threshold = at("registrar_configuration.backup_store_unavailable_threshold");
            self.no_backup_store_threshold(&threshold);
            self.max_user_count(&at("registrar_configuration.max_user_count"), rc.max_user_count);
            self.no_pool_max_user_count(&at("registrar_configuration.max_user_count"));
            RegistrarSettings {
                max_user_count: rc.max_user_count,
                default_endpoint_expiration: time_value(&rc.default_endpoint_expiration),
                backup_store_unavailable_threshold: self
                    .delay(&threshold, &rc.backup_store_unavailable_threshold),
            }
        });
        PoolConfig {
            fqdn: p.fqdn.clone(),
            site,
            edition: p.edition,
            front_ends: p.front_ends,
            back_end: p.back_end,
            users: p.users,
            routing_groups,
            backup,
            voice_failover,
            registrations_per_sec: p.registrations_per_sec,
            registrar,
            users_site,
        }
    }

    /// A `Mirrored` back end on a product without SQL mirroring: new in Lync 2013 (seed 1),
    /// dropped by SfB 2019 (SfB-BE) (docs/model.md#products).
    fn no_mirroring(&mut self, path: &str, back_end: raw::BackEnd) {
        let product = self.product;
        let (why, help) = if product == Product::Lync2010 {
            (
                "back-end mirroring is new in Lync Server 2013",
                "write back_end: Single: a Lync 2010 back end is one SQL server or an active/passive SQL \
                 failover cluster, which lyncsim models alike",
            )
        } else {
            (
                "Skype for Business Server 2019 drops back-end mirroring (SfB-BE)",
                "write back_end: Single: lyncsim does not model the AlwaysOn availability groups or the \
                 SQL failover clustering that replace it",
            )
        };
        self.error(
            path,
            format!(
                "back_end: {} is not valid on {}: {why}; valid: Single",
                back_end_written(back_end),
                product.name()
            ),
        )
        .help = Some(help.to_string());
    }

    /// A BackupStoreUnavailableThreshold written for a product without one: Lync 2010's
    /// Set-CsRegistrarConfiguration has no such parameter; its back end is the real-time
    /// store (docs/model.md#products).
    pub(super) fn no_backup_store_threshold(&mut self, path: &str) {
        if self.product.has_windows_fabric() || self.written(path).is_none() {
            return;
        }
        self.error(
            path,
            "Lync Server 2010 has no BackupStoreUnavailableThreshold (new in Lync Server 2013)",
        )
        .help = Some(
            "remove it: on Lync2010 the back end is the real-time store, and users fall to resiliency mode as \
             soon as it is unavailable"
                .to_string(),
        );
    }

    /// Lync 2010's Set-CsRegistrarConfiguration has no MaxUserCount (L10 gg398764): a pool's
    /// registrar configuration cannot set one. The wall lyncsim assumes on Lync 2010 is the
    /// global `registrar.max_user_count` (docs/model.md#products).
    fn no_pool_max_user_count(&mut self, path: &str) {
        if self.product != Product::Lync2010 || self.written(path).is_none() {
            return;
        }
        self.error(path, "Lync Server 2010 has no MaxUserCount (new in Lync Server 2013)").help = Some(
            "remove it: on Lync2010 lyncsim assumes a limit per registrar, set for every pool by the global \
             registrar.max_user_count"
                .to_string(),
        );
    }

    /// SfB-FEHA: a pool with an even number of front ends uses its back end as quorum
    /// witness. Warned when the scenario strikes such a pool with a single back end.
    fn quorum_witness(&mut self, i: usize, p: &raw::Pool) {
        let even = p.front_ends > 0 && p.front_ends.is_multiple_of(2);
        let fabric = self.product.has_windows_fabric();
        if !(fabric && even && p.back_end == raw::BackEnd::Single && self.struck.contains(&p.fqdn.as_str())) {
            return;
        }
        self.warning(
            &format!("pools[{i}].front_ends"),
            format!(
                "pool \"{}\" has an even number of front ends ({}) and a single back end: an even-sized \
                 pool uses its back end as quorum witness, so losing the back end while half the front ends \
                 are down stops the whole pool",
                p.fqdn, p.front_ends
            ),
        )
        .help = Some(
            "this scenario fails servers or the back end of this pool; an odd number of front ends keeps \
             quorum without the back end (SfB-FEHA)"
                .to_string(),
        );
    }

    /// Users of one pool against lyncsim's limit (error) and the published capacity (warnings).
    fn users(&mut self, i: usize, p: &raw::Pool) {
        let path = format!("pools[{i}].users");
        let users = p.users;
        let product = self.product;
        if self.over_limit(&path, limits::users_per_pool(&p.fqdn, users)) {
            return;
        }
        if self.too_many_users {
            return;
        }
        match p.edition {
            raw::Edition::Standard if users > USERS_PER_STANDARD_SERVER => {
                self.warning(
                    &path,
                    format!(
                        "Standard Edition pool \"{}\" has {} users, above the supported {}",
                        p.fqdn,
                        group_digits(users.into()),
                        group_digits(USERS_PER_STANDARD_SERVER.into())
                    ),
                )
                .help = Some("use an Enterprise pool for more users".to_string());
            }
            raw::Edition::Enterprise => {
                let (capacity, why) = survivor_capacity(p, product);
                if users > capacity {
                    self.warning(
                        &path,
                        format!(
                            "pool \"{}\" has {} users, above its capacity of {} ({why})",
                            p.fqdn,
                            group_digits(users.into()),
                            group_digits(capacity.into())
                        ),
                    );
                }
            }
            raw::Edition::Standard => {}
        }
    }

    /// Pairing (one-to-one and reciprocal) and whether each backup can carry its partner.
    pub(super) fn pairs(&mut self, raw_pools: &RawPools<'_>, pools: &IdVec<PoolId, PoolConfig>) {
        let product = self.product;
        for (i, pool) in pools.iter_enumerated() {
            let Some(backup) = pool.backup.filter(|&b| b != i) else { continue };
            let partner = &pools[backup];
            let path = format!("pools[{i}].backup_pool");
            let reciprocal = partner.backup == Some(i);
            // A partner backing itself up, or naming an unknown pool, is an error of its own.
            let partner_reported = partner.backup == Some(backup)
                || (partner.backup.is_none() && raw_pools[backup].backup_pool.is_some());
            if !reciprocal && !partner_reported {
                let theirs = match partner.backup {
                    Some(b) => format!("{}'s backup_pool is {}", partner.fqdn, pools[b].fqdn),
                    None => format!("{} has no backup_pool", partner.fqdn),
                };
                let message = format!("{path} is {} but {theirs}", partner.fqdn);
                let fix = format!("backup_pool: Some(\"{}\") on {}", pool.fqdn, partner.fqdn);
                if product.has_pool_pairing() {
                    self.error(&path, message).help = Some(format!(
                        "on {} pools are paired one-to-one and both ways: set {fix}",
                        product.name()
                    ));
                } else {
                    self.warning(&path, message).help = Some(format!(
                        "Lync Server 2010 allows a one-way backup registrar; {} will not take over for {}",
                        pool.fqdn, partner.fqdn
                    ));
                }
            } else if !self.too_many_users
                && product.has_pool_pairing()
                && raw_pools[i].edition == raw::Edition::Enterprise
                && pool.users > product.max_paired_pool_users()
                && pool.users <= product.max_pool_users()
            {
                self.warning(
                    &format!("pools[{i}].users"),
                    format!(
                        "pool \"{}\" has {} users, above the {} per pool of a disaster-recovery pair on {}",
                        pool.fqdn,
                        group_digits(pool.users.into()),
                        group_digits(product.max_paired_pool_users().into()),
                        product.name()
                    ),
                )
                .help = Some("each pool of a pair must be able to carry both pools' users".to_string());
            }
            let (capacity, why) = survivor_capacity(raw_pools[backup], product);
            let both = u64::from(partner.users) + u64::from(pool.users);
            if both > u64::from(capacity) && !self.too_many_users {
                // The wall beyond the slope (docs/model.md#sign-in-and-capacity).
                let max_users = partner.registrar.map_or(self.max_user_count, |r| r.max_user_count);
                let wall = u64::from(max_users) * u64::from(raw_pools[backup].front_ends.max(1));
                let refused = if both > wall {
                    format!(
                        "; beyond {} users signed in (MaxUserCount {} x {} front end{}) its registrars \
                         refuse sign-ins",
                        group_digits(wall),
                        group_digits(max_users.into()),
                        raw_pools[backup].front_ends.max(1),
                        if raw_pools[backup].front_ends.max(1) == 1 { "" } else { "s" }
                    )
                } else {
                    String::new()
                };
                self.warning(
                    &format!("pools[{}].users", backup.0),
                    format!(
                        "pool \"{}\" could not carry its partner's users after failover: {} + {} users from \"{}\" \
                         is more than its capacity of {}{refused}",
                        partner.fqdn,
                        group_digits(partner.users.into()),
                        group_digits(pool.users.into()),
                        pool.fqdn,
                        group_digits(capacity.into())
                    ),
                )
                .help = Some(format!("capacity: {why}"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::scenario::Severity;

    /// A pool backing up fe04, whose own backup is fe03: an error on Lync2013 (fixture
    /// non-reciprocal-pairing), a warning only on Lync2010, which allows a one-way backup
    /// registrar.
    #[test]
    fn lync2010_allows_a_one_way_backup_registrar() {
        let pools = format!(
            "{PAIR}\n        Pool(fqdn: \"fe05\", site: \"dc2\", users: 100, backup_pool: Some(\"fe04\")),"
        );
        let loaded = ok(&two_pools(&pools, FAULT).replace("horizon:", "product: Lync2010, horizon:"));
        assert_eq!(loaded.warnings.len(), 1);
        assert_eq!(loaded.warnings[0].severity, Severity::Warning);
        assert_eq!(loaded.warnings[0].path.as_deref(), Some("pools[2].backup_pool"));
        assert_eq!(loaded.config.pools[PoolId(2)].backup, Some(PoolId(1)));
    }

    #[test]
    fn cms_pool_and_users_site() {
        // Defaults: the first pool hosts the CMS; users are at their pool's site.
        let c = ok(&two_pools(PAIR, FAULT)).config;
        assert_eq!(c.cms_pool, PoolId(0));
        assert_eq!((c.pools[PoolId(0)].users_site, c.pools[PoolId(1)].users_site), (SiteId(0), SiteId(1)));
        let pools = PAIR.replacen("site: \"dc1\",", "site: \"dc1\", users_site: \"dc2\",", 1);
        let source = two_pools(&pools, FAULT).replace("    events:", "    cms_pool: \"fe04\",\n    events:");
        let c = ok(&source).config;
        assert_eq!(c.cms_pool, PoolId(1));
        assert_eq!((c.pools[PoolId(0)].users_site, c.pools[PoolId(1)].users_site), (SiteId(1), SiteId(1)));
        // Some(...) is accepted too.
        let c = ok(&source.replace("cms_pool: \"fe04\"", "cms_pool: Some(\"fe03\")")).config;
        assert_eq!(c.cms_pool, PoolId(0));
        // Unknown names: fixture unknown-cms-pool-and-users-site.
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
            c.pools[PoolId(0)].registrar,
            Some(RegistrarSettings {
                default_endpoint_expiration: Delay::secs(900),
                backup_store_unavailable_threshold: Delay::Exponential { mean_s: 3600.0 },
                max_user_count: 12_000,
            })
        );
        assert_eq!(c.pools[PoolId(1)].registrar, Some(RegistrarSettings::default()));
        // Out of range and zero: fixture registrar-configuration-per-pool.
    }
}
