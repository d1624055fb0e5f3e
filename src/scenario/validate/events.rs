//! Scheduled events: each action resolved to the model's (pools, sites, servers, back-end
//! nodes, WAN links known and able to take it; cmdlets that need a paired pool, and a product
//! that has pool failover), in time order within the horizon; and the administrator's
//! policy, which runs the failover and failback cmdlets by itself.

use super::delays::time_value;
use super::{RawPools, Validator};
use crate::engine::SimTime;
use crate::model::{Action, AdministratorConfig, Delay, PoolId, RegistrarSettings, ScheduledAction, SiteId};
use crate::scenario::diagnostic::Diagnostic;
use crate::scenario::duration::Duration;
use crate::scenario::format::{back_end_written, format_duration, format_time_value, quoted_duration};
use crate::scenario::{limits, raw};

impl Validator<'_> {
    /// The scheduled events, resolved to the model's actions. An event after the horizon is
    /// left out with a warning; one with an error is left out too.
    pub(super) fn events(&mut self, s: &raw::Scenario, horizon: SimTime) -> Vec<ScheduledAction> {
        let pools: RawPools = s.pools.iter().collect();
        let pools = &pools;
        let mut scheduled = Vec::new();
        let mut warned_registrar: Vec<PoolId> = Vec::new();
        if self.over_limit("events", limits::events(s.events.len())) {
            return scheduled;
        }
        let mut latest = SimTime::ZERO;
        for (i, raw::Event::At(at, action)) in s.events.iter().enumerate() {
            let path = format!("events[{i}]");
            let field = |f: &str| format!("{path}.{f}");
            let errors_before = self.error_count();
            if at.time() < latest {
                self.push(
                    Diagnostic::warning(format!(
                        "event at {} is listed after an event at {}: events run in time order, not in \
                         file order",
                        format_duration(at.time()),
                        format_duration(latest)
                    )),
                    &path,
                    &field("time"),
                )
                .help = Some("check the time for a typo, or list the events in time order".to_string());
            }
            if at.time() <= horizon {
                // An event after the horizon has its own warning.
                latest = latest.max(at.time());
            }
            let resolved = match action {
                raw::Action::PoolDown { pool } => self.pool_ref(&field("pool"), pool).map(Action::PoolDown),
                raw::Action::PoolUp { pool } => self.pool_ref(&field("pool"), pool).map(Action::PoolUp),
                raw::Action::SiteDown { site } => self.site_ref(&field("site"), site).map(Action::SiteDown),
                raw::Action::SiteUp { site } => self.site_ref(&field("site"), site).map(Action::SiteUp),
                raw::Action::InvokeCsPoolFailover { pool, disaster_mode } => self
                    .paired_pool(&field("pool"), action, pool, pools)
                    .map(|pool| Action::InvokeCsPoolFailover { pool, disaster_mode: *disaster_mode }),
                raw::Action::InvokeCsPoolFailback { pool, disaster_mode } => self
                    .paired_pool(&field("pool"), action, pool, pools)
                    .map(|pool| Action::InvokeCsPoolFailback { pool, disaster_mode: *disaster_mode }),
                raw::Action::SetCsRegistrarConfiguration { pool, pool_state: state } => self
                    .paired_pool(&field("pool"), action, pool, pools)
                    .map(|pool| Action::SetCsRegistrarConfiguration { pool, pool_state: *state }),
                raw::Action::ImportCsRgsConfiguration { pool } => self
                    .paired_pool(&field("pool"), action, pool, pools)
                    .map(Action::ImportCsRgsConfiguration),
                raw::Action::ServerDown { pool, server }
                | raw::Action::ServerUp { pool, server }
                | raw::Action::ServiceStop { pool, server, .. }
                | raw::Action::ServiceStart { pool, server, .. } => {
                    let id = self.pool_ref(&field("pool"), pool);
                    self.server_ref(&field("server"), id, *server, pools);
                    id.map(|pool| match *action {
                        raw::Action::ServerDown { .. } => Action::ServerDown { pool, server: *server },
                        raw::Action::ServerUp { .. } => Action::ServerUp { pool, server: *server },
                        raw::Action::ServiceStop { service: s, .. } => {
                            Action::ServiceStop { pool, server: *server, service: s }
                        }
                        raw::Action::ServiceStart { service: s, .. } => {
                            Action::ServiceStart { pool, server: *server, service: s }
                        }
                        _ => unreachable!("matched above"),
                    })
                }
                raw::Action::BackEndDown { pool, node } | raw::Action::BackEndUp { pool, node } => {
                    let id = self.pool_ref(&field("pool"), pool);
                    if let Some(id) = id {
                        let pool = &pools[id];
                        self.back_end_node(&path, action.name(), "ServerDown/ServerUp", pool, *node);
                    }
                    let node = *node;
                    id.map(|pool| match action {
                        raw::Action::BackEndDown { .. } => Action::BackEndDown { pool, node },
                        _ => Action::BackEndUp { pool, node },
                    })
                }
                raw::Action::WanDown { a, b } => self.wan(&path, a, b).map(|(a, b)| Action::WanDown(a, b)),
                raw::Action::WanUp { a, b } => self.wan(&path, a, b).map(|(a, b)| Action::WanUp(a, b)),
                raw::Action::InvokeCsManagementServerFailover { to_pool } => self
                    .paired_pool(&field("to_pool"), action, to_pool, pools)
                    .map(Action::InvokeCsManagementServerFailover),
                raw::Action::ResetCsPoolRegistrarState { pool, reset_type: reset } => {
                    let id = self.pool_ref(&field("pool"), pool);
                    if let (Some(id), raw::ResetType::QuorumLossRecovery) = (id, reset) {
                        self.quorum_loss_recovery(&field("reset_type"), pools[id]);
                    }
                    id.map(|pool| Action::ResetCsPoolRegistrarState { pool, reset_type: *reset })
                }
                raw::Action::InvokeCsDatabaseFailover { pool, new_principal: principal } => {
                    let id = self.pool_ref(&field("pool"), pool);
                    if let Some(id) = id {
                        self.mirrored(&field("pool"), pools[id]);
                    }
                    let new_principal = *principal;
                    id.map(|pool| Action::InvokeCsDatabaseFailover { pool, new_principal })
                }
            };
            let needs_pairing = matches!(
                action,
                raw::Action::InvokeCsPoolFailover { .. }
                    | raw::Action::InvokeCsPoolFailback { .. }
                    | raw::Action::SetCsRegistrarConfiguration { .. }
                    | raw::Action::InvokeCsManagementServerFailover { .. }
                    | raw::Action::ImportCsRgsConfiguration { .. }
            );
            if needs_pairing && !self.product.has_pool_pairing() {
                self.push(
                    Diagnostic::error(format!(
                        "Lync Server 2010 has no pool failover: {} needs Lync2013 or later",
                        action.name()
                    )),
                    &path,
                    &field("action"),
                )
                .help = Some(
                    "on Lync2010 backup_pool is only a backup registrar, not a paired pool: users stay in \
                     resiliency mode until their pool returns"
                        .to_string(),
                );
            }
            if matches!(action, raw::Action::ResetCsPoolRegistrarState { .. })
                && !self.product.has_windows_fabric()
            {
                // PS-Reset-CsPoolRegistrarState: introduced in Lync Server 2013, it resets the
                // Windows Fabric (docs/model.md#products).
                self.push(
                    Diagnostic::error(
                        "Lync Server 2010 has no Windows Fabric: ResetCsPoolRegistrarState needs Lync2013 or later",
                    ),
                    &path,
                    &field("action"),
                )
                .help = Some(
                    "a Lync 2010 pool serves while any front end runs: it has no quorum to recover".to_string(),
                );
            }
            if at.time() > horizon {
                self.push(
                    Diagnostic::warning(format!(
                        "event at {} is after the horizon {} and will not run",
                        format_duration(at.time()),
                        format_duration(horizon)
                    )),
                    &path,
                    &field("time"),
                );
            } else if let (Some(action), true) = (resolved, self.error_count() == errors_before) {
                if let Action::InvokeCsPoolFailover { pool, .. } = action {
                    if !warned_registrar.contains(&pool) {
                        warned_registrar.push(pool);
                        self.registrar_defaults(&path, pools[pool], s);
                    }
                }
                scheduled.push(ScheduledAction { at: at.time(), action });
            }
        }
        scheduled
    }

    /// docs/model.md#same-instant-events: a scripted cmdlet due at or before the completion of
    /// one it depends on runs first and fails. Warned, at the later event's time, with the time
    /// at which it would succeed, where the earlier cmdlet's duration is a fixed timing: a
    /// pool's Central Management Store failover (`timing.cms_failover`) before
    /// `InvokeCsPoolFailover` of the pool that hosted the store, or before another store
    /// failover. A random duration is not warned: whether the later cmdlet succeeds then varies
    /// between replications, as the distribution asks.
    pub(super) fn cmdlet_dependencies(&mut self, s: &raw::Scenario, horizon: SimTime) {
        let Delay::Fixed(duration) = time_value(&s.timing.cms_failover) else { return };
        let Some(first) = s.pools.first() else { return };
        let partner =
            |name: &str| s.pools.iter().find(|p| p.fqdn == name).and_then(|p| p.backup_pool.as_deref());
        let mut host: &str = s.cms_pool.as_deref().unwrap_or(&first.fqdn);
        // The store failover in progress: when it started, when it completes, from which pool.
        let mut moving: Option<(SimTime, SimTime, &str)> = None;
        let mut order: Vec<usize> = (0..s.events.len()).collect();
        order.sort_by_key(|&i| {
            let raw::Event::At(at, _) = &s.events[i];
            (at.time(), i)
        });
        for i in order {
            let raw::Event::At(at, action) = &s.events[i];
            let t = at.time();
            if t > horizon {
                break;
            }
            if let Some((_, end, _)) = moving {
                if end < t {
                    moving = None;
                }
            }
            let blocked = match (action, moving) {
                (raw::Action::InvokeCsManagementServerFailover { .. }, Some(m)) => {
                    Some((m, "the Central Management Store is still moving"))
                }
                (raw::Action::InvokeCsPoolFailover { pool, .. }, Some(m)) if pool == m.2 => {
                    Some((m, "the pool still hosts the Central Management Store"))
                }
                _ => None,
            };
            if let Some(((started, end, _), why)) = blocked {
                let path = format!("events[{i}]");
                self.push(
                    Diagnostic::warning(format!(
                        "{} at {} is due at or before the end of the InvokeCsManagementServerFailover started at \
                         {} (timing.cms_failover {}, complete at {}): {why}, so the cmdlet will fail; it would \
                         succeed after {}, e.g. at {}",
                        action.name(),
                        format_duration(t),
                        format_duration(started),
                        format_duration(duration),
                        format_duration(end),
                        format_duration(end),
                        format_duration(end.saturating_add(SimTime::from_secs(1))),
                    )),
                    &path,
                    &format!("{path}.time"),
                )
                .help = Some(
                    "a scripted event due at the same instant as a cmdlet's completion runs before it \
                     (docs/model.md, same-instant events): schedule the later cmdlet after the completion"
                        .to_string(),
                );
                continue;
            }
            if let raw::Action::InvokeCsManagementServerFailover { to_pool } = action {
                if partner(host) == Some(to_pool.as_str()) {
                    moving = Some((t, t.saturating_add(duration), host));
                    host = to_pool;
                }
            }
        }
    }

    /// The pool of a cmdlet that needs a paired pool: known, and with a backup_pool (on
    /// Lync2010 the caller reports that the product has no pool pairing).
    fn paired_pool(
        &mut self,
        path: &str,
        action: &raw::Action,
        name: &str,
        pools: &RawPools<'_>,
    ) -> Option<PoolId> {
        let id = self.pool_ref(path, name)?;
        if !self.product.has_pool_pairing() || pools[id].backup_pool.is_some() {
            return Some(id);
        }
        let help = match action {
            raw::Action::ImportCsRgsConfiguration { .. } => format!(
                "ImportCsRgsConfiguration(pool) puts the Response Group configuration of the pool's partner \
                 on it: pair \"{name}\" with another pool (backup_pool on both), or name a paired pool"
            ),
            raw::Action::InvokeCsManagementServerFailover { .. } => format!(
                "the Central Management Store moves between the two pools of a pair: pair \"{name}\" \
                 with the pool that hosts it (backup_pool on both)"
            ),
            _ => format!(
                "{} acts on a pool and its paired pool: set backup_pool on \"{name}\" and on its partner",
                action.name()
            ),
        };
        self.error(
            path,
            format!("pool \"{name}\" has no backup_pool: {} needs a paired pool", action.name()),
        )
        .help = Some(help);
        Some(id)
    }

    /// docs/model.md#poolstate: a failover creates a pool-scope registrar configuration with the
    /// product defaults for a pool that has none, so its users lose global settings that
    /// differ from those defaults. Warned at the pool's first failover.
    fn registrar_defaults(&mut self, path: &str, pool: &raw::Pool, s: &raw::Scenario) {
        if pool.registrar_configuration.is_some() {
            return;
        }
        let defaults = RegistrarSettings::default();
        let settings = [
            (
                "clients.refresh",
                "default_endpoint_expiration",
                &s.clients.refresh,
                defaults.default_endpoint_expiration,
            ),
            (
                "timing.backup_store_unavailable_threshold",
                "backup_store_unavailable_threshold",
                &s.timing.backup_store_unavailable_threshold,
                defaults.backup_store_unavailable_threshold,
            ),
        ];
        let mut lost = Vec::new();
        let mut keep = Vec::new();
        for (global, field, value, default) in settings {
            if time_value(value) != default {
                let Delay::Fixed(default) = default else { continue };
                lost.push(format!(
                    "{global} {} (default {})",
                    format_time_value(value),
                    quoted_duration(Duration(default))
                ));
                keep.push(format!("{field}: {}", format_time_value(value)));
            }
        }
        let max_users = s.registrar.max_user_count;
        if max_users != defaults.max_user_count {
            lost.push(format!("registrar.max_user_count {max_users} (default {})", defaults.max_user_count));
            keep.push(format!("max_user_count: {max_users}"));
        }
        if lost.is_empty() {
            return;
        }
        self.push(
            Diagnostic::warning(format!(
                "InvokeCsPoolFailover creates a pool-scope registrar configuration for \"{}\" with the default \
                 settings: from then on its users lose the global {}",
                pool.fqdn,
                lost.join(" and ")
            )),
            path,
            &format!("{path}.action"),
        )
        .help = Some(format!(
            "give the pool a registrar_configuration to keep them: registrar_configuration: \
             Some(RegistrarConfiguration({}))",
            keep.join(", ")
        ));
    }

    /// The two ends of a WAN link: known and different sites.
    pub(super) fn wan(&mut self, path: &str, a: &str, b: &str) -> Option<(SiteId, SiteId)> {
        let ids = (self.site_ref(&format!("{path}.a"), a), self.site_ref(&format!("{path}.b"), b));
        let (Some(x), Some(y)) = ids else { return None };
        if x == y {
            self.error(
                &format!("{path}.b"),
                format!("a WAN link joins two different sites, not \"{a}\" to itself"),
            );
        }
        Some((x, y))
    }

    /// `ResetCsPoolRegistrarState(reset_type: QuorumLossRecovery)` needs routing-group
    /// replicas: an Enterprise pool.
    fn quorum_loss_recovery(&mut self, path: &str, p: &raw::Pool) {
        if p.edition != raw::Edition::Standard {
            return;
        }
        let message = format!(
            "pool \"{}\" is a Standard Edition pool: it has no routing-group replicas, so there is no quorum \
             loss to recover",
            p.fqdn
        );
        self.error(path, message).help = Some(
            "QuorumLossRecovery acts on an Enterprise pool's front ends; use reset_type: ServiceReset to \
             restart the server's services"
                .to_string(),
        );
    }

    /// `InvokeCsDatabaseFailover` needs SQL mirroring, with or without a witness.
    fn mirrored(&mut self, path: &str, p: &raw::Pool) {
        let has = match (p.edition, p.back_end) {
            (_, raw::BackEnd::Mirrored { .. }) => return,
            (raw::Edition::Standard, _) => {
                "is a Standard Edition pool (SQL Express on the server)".to_string()
            }
            (_, b) => format!("has back_end: {}", back_end_written(b)),
        };
        let message =
            format!("InvokeCsDatabaseFailover needs a mirrored back end, but pool \"{}\" {has}", p.fqdn);
        self.error(path, message).help = Some(
            "Invoke-CsDatabaseFailover swaps the principal and the mirror of SQL mirroring: give the pool \
             back_end: Mirrored(witness: false) or Mirrored(witness: true)"
                .to_string(),
        );
    }

    /// The node of a `BackEndDown`/`BackEndUp` or of a `BackEnd` failure target (`what`) must
    /// exist in the pool's back end: a Standard Edition pool has none apart from its server
    /// (`instead` says what to use), `Single` only a principal, and only
    /// `Mirrored(witness: true)` a witness.
    pub(super) fn back_end_node(
        &mut self,
        path: &str,
        what: &str,
        instead: &str,
        p: &raw::Pool,
        node: raw::BackEndNode,
    ) {
        if p.edition == raw::Edition::Standard {
            self.error(
                &format!("{path}.pool"),
                format!("Standard Edition keeps its database on the server (SQL Express): use {instead}"),
            )
            .help = Some(format!(
                "pool \"{}\" is a Standard Edition pool; {what} acts on an Enterprise pool's separate back end",
                p.fqdn
            ));
            return;
        }
        let written = back_end_written(p.back_end);
        let (message, help) = match (p.back_end, node) {
            (raw::BackEnd::Single, raw::BackEndNode::Mirror) => (
                format!("pool \"{}\" has no mirror: its back_end is Single", p.fqdn),
                "a Single back end has only node: Principal; a mirror needs back_end: \
                 Mirrored(witness: true) or Mirrored(witness: false)",
            ),
            (raw::BackEnd::Single | raw::BackEnd::Mirrored { witness: false }, raw::BackEndNode::Witness) => {
                (
                    format!("pool \"{}\" has no witness: its back_end is {written}", p.fqdn),
                    "a witness needs back_end: Mirrored(witness: true)",
                )
            }
            _ => return,
        };
        self.error(&format!("{path}.node"), message).help = Some(help.to_string());
    }

    /// The administrator's policy: its delays, and whether there is anything for it to do.
    pub(super) fn administrator(
        &mut self,
        a: &raw::Administrator,
        pools: &RawPools<'_>,
        rgs_replicated: bool,
    ) -> AdministratorConfig {
        let failover_after = a.failover_after.as_ref().map(|v| self.delay("administrator.failover_after", v));
        let failback_after = a.failback_after.as_ref().map(|v| self.delay("administrator.failback_after", v));
        let import_rgs_after =
            a.import_rgs_after.as_ref().map(|v| self.delay("administrator.import_rgs_after", v));
        if !self.product.has_pool_pairing() {
            for (field, cmdlet, value) in [
                ("failover_after", "InvokeCsPoolFailover", &a.failover_after),
                ("failback_after", "InvokeCsPoolFailback", &a.failback_after),
                ("import_rgs_after", "ImportCsRgsConfiguration", &a.import_rgs_after),
            ] {
                if value.is_some() {
                    self.error(
                        &format!("administrator.{field}"),
                        format!(
                            "Lync Server 2010 has no pool failover: administrator.{field} ({cmdlet}) needs \
                             Lync2013 or later"
                        ),
                    )
                    .help = Some(
                        "on Lync2010 backup_pool is only a backup registrar, not a paired pool: users stay in \
                         resiliency mode until their pool returns; remove the administrator section"
                            .to_string(),
                    );
                }
            }
        } else if a.failover_after.is_some() {
            if pools.iter().all(|p| p.backup_pool.is_none()) {
                self.warning(
                    "administrator.failover_after",
                    "administrator.failover_after is set but no pool has a backup_pool: there is nothing to \
                     fail over",
                )
                .help = Some(
                    "the administrator fails a pool over to its paired pool: set backup_pool on both pools of \
                     a pair"
                        .to_string(),
                );
            }
            if !a.disaster_mode {
                self.warning(
                    "administrator.disaster_mode",
                    "the administrator fails over with disaster_mode: false, but a dead pool cannot be failed \
                     over without -DisasterMode: the cmdlet will fail",
                )
                .help = Some(
                    "the administrator fails over pools that stopped serving their users: set disaster_mode: \
                     true (the default)"
                        .to_string(),
                );
            }
        }
        if a.import_rgs_after.is_some() && rgs_replicated {
            // docs/model.md#the-administrator: the partner already has the data.
            self.warning(
                "administrator.import_rgs_after",
                "administrator.import_rgs_after has no effect: the Backup Service replicates Response Group \
                 data (backup_service.replicate_response_groups), so the partner has it at every failover",
            )
            .help = Some("remove import_rgs_after, or set replicate_response_groups: false".to_string());
        }
        AdministratorConfig {
            failover_after,
            disaster_mode: a.disaster_mode,
            failback_after,
            import_rgs_after,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::model::{BackEndNode, NewPrincipal, PoolState, ResetType, Service};

    /// An event at the horizon runs; one after it is dropped with a warning (rendered in
    /// fixture warn/event-after-horizon).
    #[test]
    fn late_events_are_dropped_with_a_warning() {
        let events = format!(
            "{FAULT}\n        At(\"12h\", PoolUp(pool: \"fe04\")),\n        At(\"12h1s\", SiteUp(site: \"dc2\")),"
        );
        let loaded = ok(&two_pools(PAIR, &events));
        assert_eq!(loaded.config.events.len(), 2);
        let found: Vec<_> = loaded.warnings.iter().map(|d| (d.path.as_deref(), d.message.as_str())).collect();
        assert_eq!(found, [(Some("events[2]"), "event at 12h1s is after the horizon 12h and will not run")]);
    }

    /// The four pool-pairing cmdlets on a pair (on Lync2010, or on pools without a backup_pool:
    /// fixtures lync2010-pairing-cmdlets and pairing-cmdlets-need-a-paired-pool).
    #[test]
    fn pool_pairing_cmdlets_resolve_to_model_actions() {
        ok(&two_pools(PAIR, PAIRING_EVENTS));
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
                (
                    18000,
                    Action::SetCsRegistrarConfiguration { pool: fe04, pool_state: PoolState::FailingBack }
                ),
                (21600, Action::InvokeCsPoolFailback { pool: fe04, disaster_mode: false }),
                (
                    25200,
                    Action::SetCsRegistrarConfiguration { pool: fe03, pool_state: PoolState::FailedBack }
                ),
            ]
        );
        for (state, expected) in [
            ("Active", PoolState::Active),
            ("FailingOver", PoolState::FailingOver),
            ("FailedOver", PoolState::FailedOver),
        ] {
            let event = format!(
                "        At(\"2h\", SetCsRegistrarConfiguration(pool: \"fe03\", pool_state: {state})),"
            );
            let c = ok(&two_pools(PAIR, &event)).config;
            assert_eq!(
                c.events[0].action,
                Action::SetCsRegistrarConfiguration { pool: fe03, pool_state: expected }
            );
        }
    }

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

    /// The Central Management Store fails over to the other pool of a pair (unpaired, or on
    /// Lync2010: fixtures cms-failover-unpaired and lync2010-cms-failover).
    #[test]
    fn cms_failover_needs_a_paired_pool() {
        let event = "        At(\"2h\", InvokeCsManagementServerFailover(to_pool: \"fe04\")),";
        assert_eq!(ok(&two_pools(PAIR, event)).config.events.len(), 1);
    }

    /// A pool's first failover warns when its users would lose global registrar settings
    /// (fixtures warn/failover-loses-global-registrar-settings and
    /// warn/failover-loses-both-registrar-settings); not otherwise.
    #[test]
    fn failover_warns_once_when_the_pool_would_lose_global_registrar_settings() {
        let events = format!(
            "{PAIRING_EVENTS}\n        At(\"8h\", PoolDown(pool: \"fe04\")),\n        \
             At(\"8h15m\", InvokeCsPoolFailover(pool: \"fe04\", disaster_mode: true)),\n        \
             At(\"9h\", InvokeCsPoolFailover(pool: \"fe03\")),"
        );
        let source = two_pools(PAIR, &events)
            .replace("    events:", "    clients: Clients(refresh: \"900s\"),\n    events:");
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
                import_rgs_after: None,
            })
        );
        // Defaults: never fail over or back, -DisasterMode; implicit Some.
        let c = ok(&with_administrator(PAIR, "Administrator()")).config;
        assert_eq!(
            c.administrator,
            Some(AdministratorConfig {
                failover_after: None,
                disaster_mode: true,
                failback_after: None,
                import_rgs_after: None,
            })
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
                import_rgs_after: None,
            })
        );
        let c = ok(&with_administrator(
            PAIR,
            "Administrator(import_rgs_after: Some(Exponential(mean: \"20m\")))",
        ))
        .config;
        assert_eq!(
            c.administrator.and_then(|a| a.import_rgs_after),
            Some(Delay::Exponential { mean_s: 1200.0 })
        );
        assert_eq!(ok(&with_administrator(PAIR, "None")).config.administrator, None);
        // Unknown fields are errors.
        let f = failed(&with_administrator(PAIR, "Administrator(failover: \"15m\")"));
        assert_eq!(f.diagnostics[0].message, "unknown field \"failover\" in Administrator");
    }

    /// On Lync2010 an administrator without failover_after is valid: there is nothing the product
    /// lacks (with it: fixture lync2010-administrator).
    #[test]
    fn lync2010_has_no_administrator_failover() {
        let c = ok(&with_administrator(PAIR, "Administrator(disaster_mode: false)")
            .replace("horizon:", "product: Lync2010, horizon:"))
        .config;
        assert_eq!(c.administrator.map(|a| a.disaster_mode), Some(false));
    }

    /// The administrator's warnings (fixtures warn/administrator-without-pairs and
    /// warn/administrator-without-disaster-mode) are not given without failover_after.
    #[test]
    fn administrator_warnings() {
        let unpaired =
            PAIR.replace(", backup_pool: Some(\"fe04\")", "").replace(", backup_pool: Some(\"fe03\")", "");
        // No failover, nothing to warn about.
        assert!(ok(&with_administrator(&unpaired, "Administrator(failback_after: \"1h\")"))
            .warnings
            .is_empty());
        assert!(ok(&with_administrator(PAIR, "Administrator(disaster_mode: false, failback_after: \"1h\")"))
            .warnings
            .is_empty());
    }

    /// docs/model.md#same-instant-events: a pool failover or a second store failover due at
    /// or before the end of the store failover it depends on is warned at its time (fixture
    /// warn/cmdlet-due-before-cms-failover-completes); after the end, with another
    /// `timing.cms_failover`, or with a random one, it is not.
    #[test]
    fn cmdlets_due_before_the_store_failover_completes_are_warned() {
        let events = |times: [&str; 2]| {
            format!(
                "        At(\"{}\", InvokeCsManagementServerFailover(to_pool: \"fe04\")),\n        \
                 At(\"{}\", InvokeCsPoolFailover(pool: \"fe03\")),",
                times[0], times[1]
            )
        };
        let warned = |source: &str| -> Vec<(Option<String>, String)> {
            ok(source).warnings.iter().map(|d| (d.path.clone(), d.message.clone())).collect()
        };
        for due in ["1h", "1h2m", "1h5m"] {
            let found = warned(&two_pools(PAIR, &events(["1h", due])));
            assert_eq!(found.len(), 1, "{due}: {found:?}");
            assert_eq!(found[0].0.as_deref(), Some("events[1]"));
            assert!(
                found[0].1.ends_with(
                    "the pool still hosts the Central Management Store, so the cmdlet will \
                     fail; it would succeed after 1h5m, e.g. at 1h5m1s"
                ),
                "{found:?}"
            );
        }
        assert_eq!(warned(&two_pools(PAIR, &events(["1h", "1h5m1s"]))), []);
        // The other pool's failover does not depend on the store.
        let other = two_pools(PAIR, &events(["1h", "1h5m"]).replace("pool: \"fe03\"", "pool: \"fe04\""));
        assert_eq!(warned(&other), []);
        // A longer store failover; a random one is not warned.
        let timing = |t: &str| {
            two_pools(PAIR, &events(["1h", "1h5m1s"]))
                .replace("    events:", &format!("    timing: Timing(cms_failover: {t}),\n    events:"))
        };
        assert!(warned(&timing("\"10m\""))[0].1.contains("it would succeed after 1h10m, e.g. at 1h10m1s"));
        assert_eq!(warned(&timing("Exponential(mean: \"10m\")")), []);
        // A second store failover while the first is moving; after it, the store is on fe04
        // and fe03's failover no longer depends on it.
        let twice = two_pools(
            PAIR,
            "        At(\"1h\", InvokeCsManagementServerFailover(to_pool: \"fe04\")),\n        \
             At(\"1h3m\", InvokeCsManagementServerFailover(to_pool: \"fe03\")),\n        \
             At(\"2h\", InvokeCsPoolFailover(pool: \"fe03\")),",
        );
        let found = warned(&twice);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0.as_deref(), Some("events[1]"));
        assert!(found[0]
            .1
            .starts_with("InvokeCsManagementServerFailover at 1h3m is due at or before the end"));
        assert!(found[0].1.contains("the Central Management Store is still moving"));
    }
}
