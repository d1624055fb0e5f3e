//! The back end's SQL nodes (SfB-BE; L13 JJ205248): failures, the BackupStoreUnavailable
//! threshold, and database failover, automatic with a witness or by `InvokeCsDatabaseFailover`.

use super::{BackEnd, BackEndNode, ClientState, LogKind, NewPrincipal, PoolId, World, WorldEvent};
use crate::engine::Scheduler;

impl World {
    /// `BackEndDown` / `BackEndUp` of one node.
    pub(super) fn back_end_node(
        &mut self,
        p: PoolId,
        node: BackEndNode,
        up: bool,
        sched: &mut Scheduler<WorldEvent>,
    ) {
        let be = &mut self.pools[p].back_end;
        let flag = match node {
            BackEndNode::Principal => &mut be.principal_up,
            BackEndNode::Mirror => &mut be.mirror_up,
            BackEndNode::Witness => &mut be.witness_up,
        };
        let name = format!("{node:?}");
        if *flag == up {
            let state = if up { "up" } else { "down" };
            let detail = format!(
                "BackEnd{} {name}: the node is already {state}; nothing changes",
                if up { "Up" } else { "Down" }
            );
            return self.record(LogKind::Warning, Some(p), detail);
        }
        *flag = up;
        if up {
            self.record(LogKind::Repair, Some(p), format!("BackEndUp: SQL {name} node is back"));
            let be = self.pools[p].back_end;
            let witness = matches!(self.config.pool(p).back_end, BackEnd::Mirrored { witness: true });
            if node == BackEndNode::Witness && witness && !be.available && be.other_up() {
                // The witness is back while the principal is still down: automatic failover.
                let delay = self.config.timing.sql_mirror_failover.sample(&mut self.pools[p].rng);
                let ev = WorldEvent::BackEndFailover {
                    pool: p,
                    gen: be.gen,
                    to_mirror: !be.on_mirror,
                    manual: false,
                };
                let _ = sched.schedule_in(delay, ev);
            }
        } else {
            self.fault();
            self.record(LogKind::Fault, Some(p), format!("BackEndDown: SQL {name} node fails"));
        }
        self.back_end_changed(p, sched);
    }

    /// Apply a change of the back end's availability: the BackupStoreUnavailableThreshold
    /// starts counting, an automatic failover starts where a witness allows one, and the pool's
    /// quorum (the back end is the witness of even-sized pools) is recomputed.
    pub(super) fn back_end_changed(&mut self, p: PoolId, sched: &mut Scheduler<WorldEvent>) {
        let available = self.back_end_up(p);
        let witness = matches!(self.config.pool(p).back_end, BackEnd::Mirrored { witness: true });
        let threshold = self.pools[p].back_end_threshold;
        let sql_failover = self.config.timing.sql_mirror_failover;
        let now = self.now;
        let be = &mut self.pools[p].back_end;
        if available != be.available {
            be.available = available;
            be.gen += 1;
            let gen = be.gen;
            if available {
                be.since = None;
                let was_degraded = std::mem::replace(&mut be.degraded, false);
                self.record(LogKind::Service, Some(p), "back end available again".to_string());
                if was_degraded {
                    self.reevaluate_home(p, sched);
                    self.switch_hosted(p, ClientState::Resiliency, ClientState::FailedOver);
                }
            } else {
                be.since = Some(now);
                let auto = witness && be.witness_up && be.other_up();
                let to_mirror = !be.on_mirror;
                let detail = if auto {
                    "back end unavailable: the witness starts an automatic database failover"
                } else if !self.config.product.has_windows_fabric() {
                    "back end unavailable: on Lync 2010 it is the real-time store; users fall to resiliency mode"
                } else {
                    "back end unavailable: users keep working until the BackupStoreUnavailableThreshold"
                };
                self.record(LogKind::Service, Some(p), detail.to_string());
                let _ = sched.schedule_in(threshold, WorldEvent::BackEndThreshold { pool: p, gen });
                if auto {
                    let delay = sql_failover.sample(&mut self.pools[p].rng);
                    let _ = sched.schedule_in(
                        delay,
                        WorldEvent::BackEndFailover { pool: p, gen, to_mirror, manual: false },
                    );
                }
            }
        }
        self.refresh_pool(p, false, sched);
    }

    /// The store has been unavailable for the threshold: the pool's users fall to
    /// resiliency mode (SfB-BE: "about 30 minutes").
    pub(super) fn back_end_threshold(&mut self, p: PoolId, gen: u32, sched: &mut Scheduler<WorldEvent>) {
        let be = &mut self.pools[p].back_end;
        if be.gen != gen || be.available {
            return;
        }
        be.degraded = true;
        // Lync 2010 has no threshold: its back end is the real-time store (docs/model.md#back-end).
        let detail = if self.config.product.has_windows_fabric() {
            "BackupStoreUnavailableThreshold passed: the pool's users are in resiliency mode"
        } else {
            "the real-time store is unavailable: the pool's users are in resiliency mode"
        };
        self.record(LogKind::Service, Some(p), detail.to_string());
        self.reevaluate_home(p, sched);
        self.switch_hosted(p, ClientState::FailedOver, ClientState::Resiliency);
    }

    /// Users of the pools `p` hosts after their failover follow `p`'s back end too.
    fn switch_hosted(&mut self, p: PoolId, from: ClientState, to: ClientState) {
        for q in self.pools[p].backs_up.clone() {
            if self.pools[q].hosted_by_partner {
                for u in self.users_of(q, p, from) {
                    self.move_user(u, to, p);
                }
            }
        }
    }

    /// A database failover completes: `to_mirror` decides which node becomes principal.
    pub(super) fn back_end_failover(
        &mut self,
        p: PoolId,
        gen: u32,
        to_mirror: bool,
        manual: bool,
        sched: &mut Scheduler<WorldEvent>,
    ) {
        let be = &mut self.pools[p].back_end;
        let target_up = if to_mirror { be.mirror_up } else { be.principal_up };
        if be.gen != gen || !target_up || (!manual && be.available) {
            if manual {
                let detail =
                    "Invoke-CsDatabaseFailover: the back end changed while it ran; failover abandoned";
                self.record(LogKind::AdminError, Some(p), detail.to_string());
            }
            return;
        }
        be.on_mirror = to_mirror;
        let node = if to_mirror { "mirror" } else { "primary" };
        let how = if manual {
            "Invoke-CsDatabaseFailover completed"
        } else {
            "automatic database failover (witness)"
        };
        self.record(LogKind::Service, Some(p), format!("{how}: the {node} is the principal"));
        self.back_end_changed(p, sched);
    }

    /// `Invoke-CsDatabaseFailover -PoolFqdn p -DatabaseType User -NewPrincipal n`.
    pub(super) fn database_failover(
        &mut self,
        p: PoolId,
        to: NewPrincipal,
        sched: &mut Scheduler<WorldEvent>,
    ) {
        let to_mirror = to == NewPrincipal::Mirror;
        let node = if to_mirror { "Mirror" } else { "Primary" };
        let fqdn = self.fqdn(p).to_string();
        self.record(
            LogKind::Admin,
            Some(p),
            format!("Invoke-CsDatabaseFailover -PoolFqdn {fqdn} -DatabaseType User -NewPrincipal {node}"),
        );
        let be = self.pools[p].back_end;
        let target_up = if to_mirror { be.mirror_up } else { be.principal_up };
        let error = if be.on_mirror == to_mirror {
            Some(format!("the {} is already the principal", node.to_lowercase()))
        } else if !target_up {
            Some(format!("the {} node is down", node.to_lowercase()))
        } else {
            None
        };
        if let Some(e) = error {
            return self.record(LogKind::AdminError, Some(p), format!("Invoke-CsDatabaseFailover: {e}"));
        }
        let delay = self.config.timing.sql_mirror_failover.sample(&mut self.pools[p].rng);
        let gen = be.gen;
        let _ =
            sched.schedule_in(delay, WorldEvent::BackEndFailover { pool: p, gen, to_mirror, manual: true });
    }

    /// Whether the primary SQL database runs: the quorum witness of even-sized pools
    /// (SfB-FEHA: "if primary DB is shut down (mirror active) and enough FEs are down, the
    /// entire pool goes down").
    pub(super) fn witness_up(&self, p: PoolId) -> bool {
        match self.config.pool(p).back_end {
            BackEnd::Local => true,
            BackEnd::Single | BackEnd::Mirrored { .. } => self.pools[p].back_end.principal_up,
        }
    }

    /// Whether the pool's back-end store answers.
    pub(super) fn back_end_up(&self, p: PoolId) -> bool {
        let be = &self.pools[p].back_end;
        match self.config.pool(p).back_end {
            BackEnd::Local => true,
            BackEnd::Single => be.principal_up,
            BackEnd::Mirrored { .. } => be.active_up(),
        }
    }
}
