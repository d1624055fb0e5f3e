//! Sites, WAN links, pools, servers and services: what runs, what reaches what, quorum, and
//! [`World::refresh_pool`], which recomputes a pool after any change and applies the
//! consequences to its users, its heartbeat and its replication streams.

use super::config::Edition;
use super::pool::{self, RgStatus};
use super::{
    registered, sched_in, FrontEndId, LogKind, PoolId, Queued, Service, SiteId, UserId, World, WorldEvent,
};
use crate::engine::{Scheduler, SimTime};

/// Users of the largest pool (80,000, capacity docs, docs/model.md#cold-start), which the
/// cold start's `timing.pool_cold_start` is given for.
const COLD_START_FULL_POOL: u32 = 80_000;

impl World {
    /// `PoolDown`: the pool's servers stop (a pool already down only logs a warning).
    pub(super) fn pool_down(&mut self, p: PoolId, sched: &mut Scheduler<WorldEvent>) {
        if self.pools[p].fault_down {
            let detail = "PoolDown: the pool is already down; nothing changes".into();
            return self.record(LogKind::Warning, Some(p), detail);
        }
        self.fault();
        let users = self.config.pool(p).users;
        let why =
            if self.pools[p].running { "pool stops" } else { "pool, already down with its site, stays down" };
        self.record(LogKind::Fault, Some(p), format!("PoolDown: {why} ({users} users homed)"));
        self.pools[p].fault_down = true;
        self.update_running(p, sched);
    }

    /// `PoolUp`: every server of the pool is repaired and starts its services.
    pub(super) fn pool_up(&mut self, p: PoolId, sched: &mut Scheduler<WorldEvent>) {
        if !self.pools[p].fault_down {
            let detail = "PoolUp: the pool is not down; nothing changes".into();
            return self.record(LogKind::Warning, Some(p), detail);
        }
        self.pools[p].fault_down = false;
        // Every server of the pool is repaired and starts its services.
        for s in &mut self.pools[p].servers {
            s.down = false;
            s.start_all();
        }
        let detail = if self.site_down[self.config.pool(p).site] {
            "PoolUp: repaired, but its site is still down"
        } else {
            "PoolUp: servers and services are back"
        };
        self.record(LogKind::Repair, Some(p), detail.to_string());
        self.update_running(p, sched);
    }

    /// `SiteDown`: every pool of the site stops.
    pub(super) fn site_fails(&mut self, s: SiteId, sched: &mut Scheduler<WorldEvent>) {
        let name = self.config.site(s).name.clone();
        if self.site_down[s] {
            let detail = format!("SiteDown {name}: the site is already down; nothing changes");
            return self.record(LogKind::Warning, None, detail);
        }
        self.fault();
        let pools = self.pools_of(s);
        self.record(LogKind::Fault, None, format!("SiteDown {name}: its pools stop ({pools})"));
        self.site_down[s] = true;
        self.update_site(s, sched);
    }

    /// `SiteUp`: the site's pools run again (unless down themselves).
    pub(super) fn site_returns(&mut self, s: SiteId, sched: &mut Scheduler<WorldEvent>) {
        let name = self.config.site(s).name.clone();
        if !self.site_down[s] {
            let detail = format!("SiteUp {name}: the site is not down; nothing changes");
            return self.record(LogKind::Warning, None, detail);
        }
        let pools = self.pools_of(s);
        self.record(LogKind::Repair, None, format!("SiteUp {name}: the site is back ({pools})"));
        self.site_down[s] = false;
        self.update_site(s, sched);
    }

    /// The FQDNs of a site's pools, comma-separated.
    fn pools_of(&self, site: SiteId) -> String {
        let names: Vec<&str> =
            self.config.pools.iter().filter(|p| p.site == site).map(|p| p.fqdn.as_str()).collect();
        if names.is_empty() {
            "no pools".to_string()
        } else {
            names.join(", ")
        }
    }

    /// Recompute whether each pool of `site` runs.
    fn update_site(&mut self, site: SiteId, sched: &mut Scheduler<WorldEvent>) {
        for p in self.pools.ids() {
            if self.config.pool(p).site == site {
                self.update_running(p, sched);
            }
        }
    }

    /// `WanDown` / `WanUp`: clients registered across a cut link lose their registrar (they
    /// notice at their next keep-alive); heartbeats and replication across it stop.
    pub(super) fn set_wan(&mut self, a: SiteId, b: SiteId, up: bool, sched: &mut Scheduler<WorldEvent>) {
        let key = (a.min(b), a.max(b));
        let (an, bn) = (self.config.site(a).name.clone(), self.config.site(b).name.clone());
        let cut = self.wan_down.contains(&key);
        if cut != up {
            let state = if up { "up" } else { "down" };
            let detail = format!(
                "Wan{} {an}-{bn}: the link is already {state}; nothing changes",
                if up { "Up" } else { "Down" }
            );
            return self.record(LogKind::Warning, None, detail);
        }
        if up {
            self.record(LogKind::Repair, None, format!("WanUp {an}-{bn}: the sites reach each other again"));
            self.wan_down.remove(&key);
        } else {
            self.fault();
            self.record(
                LogKind::Fault,
                None,
                format!("WanDown {an}-{bn}: clients, heartbeats and replication between the sites are cut"),
            );
            self.wan_down.insert(key);
            for u in self.users.ids() {
                let user = self.users[u];
                if registered(user.state) && !self.user_reaches(u, user.serving) {
                    self.lose_registrar(u, user.serving, false, sched);
                }
            }
        }
        self.refresh_heartbeats(sched);
        for p in self.pools.ids() {
            self.update_streams(p);
        }
        if up {
            self.wake_all(sched);
            // Users a backup holds in resiliency mode because they could not reach home may
            // reach it now: the backup redirects them after the failback interval.
            for q in self.pools.ids() {
                let Some(b) = self.partner(q) else { continue };
                if self.pools[q].heartbeat_ok && self.serving(b) {
                    self.arm_redirect_home(q, sched);
                }
            }
        }
    }

    /// Whether a client at site `from` reaches a pool at site `to`.
    fn reachable(&self, from: SiteId, to: SiteId) -> bool {
        from == to || !self.wan_down.contains(&(from.min(to), from.max(to)))
    }

    /// Whether user `u`'s client reaches pool `p`.
    pub(super) fn user_reaches(&self, u: UserId, p: PoolId) -> bool {
        let home = self.users[u].home;
        self.reachable(self.config.pool(home).users_site, self.config.pool(p).site)
    }

    /// Whether pools `p` and `q` can talk (heartbeat, replication).
    pub(super) fn pools_connected(&self, p: PoolId, q: PoolId) -> bool {
        self.reachable(self.config.pool(p).site, self.config.pool(q).site)
    }

    /// Whether pool `p` registers users at all (front ends running with quorum).
    pub(super) fn serving(&self, p: PoolId) -> bool {
        self.pools[p].serving
    }

    /// Whether pool `p`'s servers could serve users once their services start: powered
    /// front ends with pool-level quorum (a failback needs this).
    pub(super) fn could_serve(&self, p: PoolId) -> bool {
        let pool = &self.pools[p];
        let powered: Vec<bool> = pool.servers.iter().map(|s| pool.running && !s.down).collect();
        pool::serves(self.config.product.has_windows_fabric(), &powered, self.witness_up(p))
    }

    /// Recompute whether a pool's servers are powered; servers that come back start their
    /// services.
    fn update_running(&mut self, p: PoolId, sched: &mut Scheduler<WorldEvent>) {
        let site = self.config.pool(p).site;
        let running = !self.pools[p].fault_down && !self.site_down[site];
        if running == self.pools[p].running {
            return;
        }
        let pool = &mut self.pools[p];
        pool.running = running;
        if running {
            for s in pool.servers.iter_mut().filter(|s| !s.down) {
                s.start_all();
            }
        }
        self.refresh_pool(p, false, sched);
    }

    /// `ServerDown`: a front end fails.
    pub(super) fn server_down(&mut self, p: PoolId, s: FrontEndId, sched: &mut Scheduler<WorldEvent>) {
        if self.pools[p].servers[s].down {
            let detail = format!("ServerDown: front end {s} is already down; nothing changes");
            return self.record(LogKind::Warning, Some(p), detail);
        }
        self.fault();
        self.record(LogKind::Fault, Some(p), format!("ServerDown: front end {s} fails"));
        self.pools[p].servers[s].down = true;
        self.refresh_pool(p, false, sched);
    }

    /// `ServerUp`: a front end comes back with its services started.
    pub(super) fn server_up(&mut self, p: PoolId, s: FrontEndId, sched: &mut Scheduler<WorldEvent>) {
        if !self.pools[p].servers[s].down {
            let detail = format!("ServerUp: front end {s} is not down; nothing changes");
            return self.record(LogKind::Warning, Some(p), detail);
        }
        self.record(LogKind::Repair, Some(p), format!("ServerUp: front end {s} and its services are back"));
        let server = &mut self.pools[p].servers[s];
        server.down = false;
        server.start_all();
        self.refresh_pool(p, false, sched);
    }

    /// `ServiceStop` / `ServiceStart` of one service on one front end. A stopped RTCSRV
    /// deregisters its clients (a graceful stop).
    pub(super) fn set_service(
        &mut self,
        p: PoolId,
        s: FrontEndId,
        service: Service,
        up: bool,
        sched: &mut Scheduler<WorldEvent>,
    ) {
        let verb = if up { "Start" } else { "Stop" };
        let detail = format!("{verb}-CsWindowsService -Name {} (front end {s})", service.windows_name());
        if !up && matches!(service, Service::FrontEnd | Service::Mediation) {
            self.fault();
        }
        self.record(LogKind::Service, Some(p), detail);
        self.pools[p].servers[s].set(service, up);
        self.refresh_pool(p, true, sched);
    }

    /// Set a service on every front end of a pool (a cmdlet's service step).
    pub(super) fn set_all(
        &mut self,
        p: PoolId,
        service: Service,
        up: bool,
        sched: &mut Scheduler<WorldEvent>,
    ) {
        for server in &mut self.pools[p].servers {
            server.set(service, up);
        }
        self.refresh_pool(p, true, sched);
    }

    /// Recompute everything about pool `p` after a change of its servers, services or back
    /// end, and apply the consequences to its users. `graceful`: a registrar that stops
    /// deregisters its clients (they notice at once) rather than vanishing.
    pub(super) fn refresh_pool(&mut self, p: PoolId, graceful: bool, sched: &mut Scheduler<WorldEvent>) {
        let back_end_up = self.witness_up(p);
        let cold_start = self.cold_start_applies(p);
        let fabric = self.config.product.has_windows_fabric();
        let pool = &mut self.pools[p];
        let running: Vec<bool> = pool.servers.iter().map(|s| pool.running && !s.down && s.rtcsrv).collect();
        let fes = running.iter().filter(|&&r| r).count() as u32;
        // Pool-level quorum, or, without Windows Fabric, any running front end
        // (docs/model.md#quorum).
        let mut serving = pool::serves(fabric, &running, back_end_up);
        // An Enterprise pool whose front ends all stopped starts cold: it serves once the
        // start quorum runs and Windows Fabric's initial placement is done
        // (docs/model.md#cold-start).
        let mut cold_event = None;
        if cold_start {
            let powered = pool.servers.iter().any(|s| pool.running && !s.down);
            if !powered && !pool.cold {
                pool.cold = true;
                pool.cold_placing = false;
                pool.cold_gen = pool.cold_gen.wrapping_add(1);
            }
            if pool.cold {
                let quorum = pool::start_quorum(running.len()) as u32;
                let enough = fes >= quorum && serving;
                if enough != pool.cold_placing {
                    pool.cold_placing = enough;
                    pool.cold_gen = pool.cold_gen.wrapping_add(1);
                    cold_event = Some((enough, quorum));
                } else if !enough && fes > 0 && fes != pool.running_fes {
                    // Front ends return, still too few: the log says why nobody signs in.
                    cold_event = Some((false, quorum));
                }
                serving = false;
            }
        }
        // A front end that returns to a pool that served before and after waits for Windows
        // Fabric to rebuild its secondary replicas; one that stops, or a pool that stops
        // serving, abandons a rebuild. Without Windows Fabric there is nothing to rebuild
        // (docs/model.md#routing-groups).
        let mut rebuilds = Vec::new();
        for (i, server) in pool.servers.iter_mut().enumerate() {
            let returns = running[i] && !server.hosting;
            server.hosting = running[i];
            if server.rebuilding && (!running[i] || !serving) {
                server.rebuilding = false;
                server.rebuild_gen = server.rebuild_gen.wrapping_add(1);
            }
            if returns && serving && pool.serving && fabric {
                server.rebuilding = true;
                server.rebuild_gen = server.rebuild_gen.wrapping_add(1);
                rebuilds.push((i as u8, server.rebuild_gen));
            }
        }
        let running: Vec<bool> =
            pool.servers.iter().zip(&running).map(|(s, &r)| r && !s.rebuilding).collect();
        pool.running_fes = fes;
        pool.mediation = pool.running && pool.servers.iter().any(|s| !s.down && s.mediation);
        pool.backup_service_up = pool.running && pool.servers.iter().any(|s| !s.down && s.backup);
        let mut moved = Vec::new();
        let mut changed = Vec::new();
        let mut recovered = false;
        for (r, rg) in pool.rgs.iter_enumerated_mut() {
            let was_down = rg.status == RgStatus::Down;
            let (primary_moved, status_changed) = rg.update(&running);
            recovered |= was_down && rg.status != RgStatus::Down;
            if primary_moved {
                moved.push(r);
            } else if status_changed {
                changed.push(r);
            }
        }
        let was_serving = pool.serving;
        pool.serving = serving;
        if serving != was_serving {
            self.pools[p].gen += 1;
            if serving {
                self.pool_starts(p, sched);
            } else {
                self.pool_stops(p, graceful, sched);
            }
        } else if serving {
            // Users of a group whose primary moved sign in again, to the new primary.
            for r in moved {
                for u in self.rg_users(p, r) {
                    if self.users[u].serving == p && registered(self.users[u].state) {
                        self.lose_registrar(u, p, graceful, sched);
                    }
                }
            }
            for r in changed {
                self.reevaluate_group(p, r, sched);
            }
            if recovered {
                self.wake_parked(p, sched);
            }
        }
        if let Some((placing, quorum)) = cold_event {
            self.cold_start_step(p, placing, fes, quorum, sched);
        }
        for (server, gen) in rebuilds {
            let delay = self.config.timing.replica_rebuild.sample(&mut self.pools[p].rng);
            sched_in(sched, delay, WorldEvent::ReplicaRebuilt { pool: p, server, gen });
        }
        self.mediation_missing = self.pools.iter().any(|pool| !pool.mediation);
        self.track_load(p);
        self.refresh_heartbeats(sched);
        self.update_streams(p);
        if let Some(b) = self.partner(p) {
            self.update_streams(b);
        }
        self.admin_watch(p, sched);
    }

    /// Whether pool `p` starts cold after all its front ends stopped: Enterprise pools of
    /// the products with Windows Fabric. A Standard Edition server starts with its services
    /// (assumption, docs/model.md#cold-start).
    fn cold_start_applies(&self, p: PoolId) -> bool {
        self.config.pool(p).edition == Edition::Enterprise && self.config.product.has_windows_fabric()
    }

    /// The cold start of pool `p` reached its start quorum (`placing`: the initial placement
    /// begins) or fell below it again (the placement stops, to begin anew). The placement
    /// takes `timing.pool_cold_start` scaled by the pool's users over 80,000, the largest
    /// pool (assumption, docs/model.md#cold-start).
    fn cold_start_step(
        &mut self,
        p: PoolId,
        placing: bool,
        fes: u32,
        quorum: u32,
        sched: &mut Scheduler<WorldEvent>,
    ) {
        let n = self.pools[p].servers.len();
        if !placing {
            let detail = format!(
                "Windows Fabric cold start: {fes} of {n} front ends run, below the start quorum of {quorum}; \
                 the pool waits for front ends"
            );
            return self.record(LogKind::Service, Some(p), detail);
        }
        let users = self.config.pool(p).users;
        let full = self.config.timing.pool_cold_start.sample(&mut self.pools[p].rng);
        let delay = SimTime::from_millis(
            (u128::from(full.as_millis()) * u128::from(users.min(COLD_START_FULL_POOL))
                / u128::from(COLD_START_FULL_POOL)) as u64,
        );
        let gen = self.pools[p].cold_gen;
        sched_in(sched, delay, WorldEvent::ColdStartDone { pool: p, gen });
        let detail = format!(
            "Windows Fabric cold start: {fes} of {n} front ends run (start quorum {quorum}); the initial placement of \
             {users} users from the back end takes {} s (Event 32174 until it finishes)",
            delay.as_secs_f64()
        );
        self.record(LogKind::Service, Some(p), detail);
    }

    /// Windows Fabric has finished the initial placement of pool `p`'s cold start: the pool
    /// serves (docs/model.md#cold-start).
    pub(super) fn cold_start_done(&mut self, p: PoolId, gen: u32, sched: &mut Scheduler<WorldEvent>) {
        let pool = &mut self.pools[p];
        if !pool.cold || !pool.cold_placing || pool.cold_gen != gen {
            return;
        }
        pool.cold = false;
        pool.cold_placing = false;
        let detail =
            "Windows Fabric cold start: the initial placement is finished; the pool serves".to_string();
        self.record(LogKind::Service, Some(p), detail);
        self.refresh_pool(p, false, sched);
    }

    /// Windows Fabric has rebuilt the secondary replicas of front end `s` of pool `p`: they
    /// count again, and the routing groups placed first on `s` take their primary back; the
    /// users of those groups sign in again, to it (docs/model.md#routing-groups).
    pub(super) fn replica_rebuilt(&mut self, p: PoolId, s: u8, gen: u32, sched: &mut Scheduler<WorldEvent>) {
        let server = &mut self.pools[p].servers[FrontEndId(u32::from(s))];
        if !server.rebuilding || server.rebuild_gen != gen {
            return;
        }
        server.rebuilding = false;
        self.refresh_pool(p, false, sched);
        let mut moved = Vec::new();
        if self.serving(p) {
            for (r, rg) in self.pools[p].rgs.iter_enumerated_mut() {
                if rg.rebalance_to(s) {
                    moved.push(r);
                }
            }
        }
        let mut users = 0u64;
        for &r in &moved {
            for u in self.rg_users(p, r) {
                if self.users[u].serving == p && registered(self.users[u].state) {
                    self.lose_registrar(u, p, true, sched);
                    users += 1;
                }
            }
        }
        let detail = format!(
            "Windows Fabric: the secondary replicas on front end {s} are rebuilt; the primaries of {} routing groups \
             move back to it ({users} users sign in again)",
            moved.len()
        );
        self.record(LogKind::Service, Some(p), detail);
    }

    /// Replication streams whose ends involve pool `p`'s data: flowing when both ends run
    /// their Backup Service and can reach each other; generating while the data's current
    /// home serves users.
    pub(super) fn update_streams(&mut self, p: PoolId) {
        let Some(b) = self.partner(p) else { return };
        let now = self.now;
        let link = self.pools_connected(p, b);
        let ends = |w: &World, x: PoolId| w.pools[x].running && w.pools[x].backup_service_up;
        let (p_ok, b_ok) = (ends(self, p), ends(self, b));
        let hosted = self.pools[p].hosted_by_partner;
        let read_only = self.pools[p].cmdlet.as_ref().is_some_and(|c| c.read_only());
        let pool = &mut self.pools[p];
        if let Some(s) = pool.out_stream.as_mut() {
            s.set_flowing(now, p_ok && b_ok && link && !hosted);
            s.set_ends(p_ok, b_ok && link);
            s.set_generating(now, pool.running && !hosted && !read_only);
        }
        if let Some(s) = pool.back_stream.as_mut() {
            // Exists from the failover's hydration until the failback's: it keeps flowing
            // through the failback's final backup.
            s.set_flowing(now, p_ok && b_ok && link);
            s.set_ends(b_ok, p_ok && link);
            s.set_generating(now, b_ok && hosted && !read_only);
        }
    }

    /// Pool `p` stopped serving: its sign-in queue fails and every user registered on it
    /// (its own and those of the pools it backs up) loses its registrar.
    fn pool_stops(&mut self, p: PoolId, graceful: bool, sched: &mut Scheduler<WorldEvent>) {
        let pool = &mut self.pools[p];
        pool.busy = false;
        let queued: Vec<Queued> = pool.queue.drain(..).collect();
        // Registrations in flight fail at once: those clients notice now.
        for q in queued {
            if self.users[q.user].gen == q.gen && !q.keep {
                self.lose_registrar(q.user, p, true, sched);
            }
        }
        // Users registered here: the pool's own and those of the pools it backs up.
        let mut served_from = vec![p];
        served_from.extend(self.pools[p].backs_up.iter().copied());
        for q in served_from {
            for u in self.homed(q) {
                let user = &self.users[u];
                if user.serving == p && registered(user.state) {
                    self.lose_registrar(u, p, graceful, sched);
                }
            }
            if q != p {
                self.pools[q].backup_accepts = false;
            }
        }
    }

    /// Pool `p` serves again: its parked clients, and those of the pools it backs up, retry.
    fn pool_starts(&mut self, p: PoolId, sched: &mut Scheduler<WorldEvent>) {
        // A registrar that starts reads its PoolState from the configuration store.
        self.pools[p].home_view = self.pools[p].config_state;
        self.wake_parked(p, sched);
        // Pools this one backs up: their parked users may now get in; those whose heartbeat
        // is missing are missed from now.
        for q in self.pools[p].backs_up.clone() {
            self.wake_parked(q, sched);
            if !self.pools[q].heartbeat_ok {
                self.arm_backup_detection(q, sched);
            }
        }
    }
}
