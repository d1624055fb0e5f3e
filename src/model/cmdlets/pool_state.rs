//! `Set-CsRegistrarConfiguration -PoolState` by hand: the configuration store changes at
//! once; the pool's registrar applies it at its poll, its partner at its own poll.

use crate::engine::{Scheduler, SimTime};
use crate::model::{ClientState, LogKind, Phase, PoolId, PoolState, World, WorldEvent};

impl World {
    /// `Set-CsRegistrarConfiguration -PoolState` by hand: the configuration store changes
    /// now; the pool's registrar applies it at its poll, its partner at its own poll.
    pub(in crate::model) fn set_pool_state_by_hand(
        &mut self,
        p: PoolId,
        state: PoolState,
        sched: &mut Scheduler<WorldEvent>,
    ) {
        let id = self.registrar_identity(p);
        if self.cmdlet_busy(p) {
            let msg = "a failover or failback of this pair is in progress".to_string();
            self.record(LogKind::AdminError, Some(p), format!("Set-CsRegistrarConfiguration: {msg}"));
            return;
        }
        if let Some(msg) = self.cms_unavailable() {
            self.record(LogKind::AdminError, Some(p), format!("Set-CsRegistrarConfiguration: {msg}"));
            return;
        }
        self.fault();
        // Users go back home in these states, to the partner in the others.
        self.enter_phase(match state {
            PoolState::Active | PoolState::FailingBack | PoolState::FailedBack => Phase::Failback,
            PoolState::FailingOver | PoolState::FailedOver => Phase::Failover,
        });
        let verb = if self.pools[p].has_pool_config { "Set" } else { "New" };
        self.record(
            LogKind::Admin,
            Some(p),
            format!("{verb}-CsRegistrarConfiguration -Identity {id} -PoolState {}", state.name()),
        );
        self.create_pool_config(p);
        self.pools[p].config_state = state;
        let pool = &mut self.pools[p];
        pool.manual_change += 1;
        let change = pool.manual_change;
        let t = self.config.timing;
        let own = t.registrar_poll_failed_pool.sample(&mut pool.rng);
        let partner = own.saturating_add(t.registrar_poll_backup_pool.sample(&mut pool.rng));
        let _ = sched.schedule_in(own, WorldEvent::RegistrarPoll { pool: p, partner: false, state, change });
        let _ =
            sched.schedule_in(partner, WorldEvent::RegistrarPoll { pool: p, partner: true, state, change });
    }

    /// A registrar's poll acts on a PoolState changed by hand.
    pub(in crate::model) fn registrar_poll(
        &mut self,
        p: PoolId,
        partner: bool,
        state: PoolState,
        change: u32,
        sched: &mut Scheduler<WorldEvent>,
    ) {
        if self.pools[p].manual_change != change {
            return;
        }
        let serving_home =
            matches!(state, PoolState::Active | PoolState::FailedBack | PoolState::FailingBack);
        if !partner {
            if !self.serving(p) {
                return; // a stopped registrar reads the configuration when it starts
            }
            self.pools[p].home_view = state;
            if state == PoolState::FailingOver {
                // Failover in progress: signed-in users keep limited functionality (KB-LFM).
                let detail =
                    "registrar applies PoolState FailingOver: limited functionality, no new sign-ins";
                self.record(LogKind::RegistrarPoll, Some(p), detail.to_string());
                self.reevaluate_home(p, sched);
            } else if serving_home {
                self.reevaluate_home(p, sched);
                self.record(
                    LogKind::RegistrarPoll,
                    Some(p),
                    format!("registrar applies PoolState {}: accepts its users", state.name()),
                );
                self.wake_parked(p, sched);
            } else {
                let mut gone = self.users_of(p, p, ClientState::Full);
                gone.extend(self.users_of(p, p, ClientState::Resiliency));
                let detail = format!(
                    "registrar applies PoolState {}: deregisters its {} clients",
                    state.name(),
                    gone.len()
                );
                self.record(LogKind::RegistrarPoll, Some(p), detail);
                for u in gone {
                    self.lose_registrar(u, p, true, sched);
                }
            }
            return;
        }
        let Some(b) = self.partner(p) else { return };
        if !self.serving(b) {
            return;
        }
        let pf = self.fqdn(p).to_string();
        if state == PoolState::FailedOver && !self.pools[p].hosted_by_partner {
            self.record(
                LogKind::RegistrarPoll,
                Some(b),
                format!("registrar loads the routing groups of {pf} (PoolState FailedOver)"),
            );
            let lost = self.pools[p]
                .out_stream
                .as_ref()
                .map(|s| (s.unreplicated(self.now), s.unreplicated_changes(self.now)));
            self.lose_by_hand(p, lost, "the partner loaded the routing groups without a final backup");
            self.host_on_partner(p, sched);
        } else if serving_home && self.pools[p].hosted_by_partner {
            let gone = self.users_of(p, b, ClientState::FailedOver);
            let detail = format!(
                "registrar unloads the routing groups of {pf} (PoolState {}): deregisters {} clients",
                state.name(),
                gone.len()
            );
            self.record(LogKind::RegistrarPoll, Some(b), detail);
            self.pools[p].hosted_by_partner = false;
            let lost = self.pools[p]
                .back_stream
                .take()
                .map(|s| (s.unreplicated(self.now), s.unreplicated_changes(self.now)));
            self.lose_by_hand(p, lost, "changes made on the partner that were not replicated back");
            for u in gone {
                self.lose_registrar(u, b, true, sched);
            }
            if !self.pools[p].heartbeat_ok {
                self.arm_backup_detection(p, sched);
            }
            self.update_streams(p);
        }
    }

    /// A PoolState change by hand bypasses the Backup Service's final sync: what was not
    /// replicated is lost.
    fn lose_by_hand(&mut self, p: PoolId, lost: Option<(SimTime, f64)>, what: &str) {
        let Some((lost, changes)) = lost.filter(|(l, _)| *l > SimTime::ZERO) else { return };
        self.note_loss(lost, changes);
        let secs = lost.as_millis() as f64 / 1000.0;
        let detail =
            format!("PoolState set by hand: {what}: {secs:.1} s of user changes lost ({changes:.1} changes)");
        self.record(LogKind::Warning, Some(p), detail);
    }
}
