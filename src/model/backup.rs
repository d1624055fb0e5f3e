//! The Backup Service: replication of a pool's user data to its paired pool.
//!
//! A [`Stream`] is one direction of one pool's data: normally from the pool that owns the
//! data to its partner; while the pool is failed over, from the partner (which now serves
//! the users) back to the pool. It is evaluated lazily, in closed form, so periodic syncs
//! cost no events: a quiet year costs what a quiet day costs.
//!
//! # Model
//! - Users generate changes at `rate` per second while the source serves them; a pool made
//!   read-only (a failover or failback in progress) generates none.
//! - Syncs run on a fixed grid `phase + k * interval` while the stream flows (both ends up
//!   with their Backup Service running). A sync carries at most `changes_per_sync` changes,
//!   FIFO: the *frontier* (the instant up to which the source's changes have reached the
//!   target) advances by at most `d = changes_per_sync / rate` seconds of data per sync, and
//!   never past the sync instant or the end of generated data.
//! - Export state (Get-CsBackupServiceStatus; docs/model.md#backup-service): `ErrorState`
//!   while the source's Backup Service does not run; `FinalState` when no change is left to
//!   replicate (nobody changes anything, or read-only and caught up); `SteadyState` when one
//!   sync carries all a sync interval's changes (d >= interval); otherwise
//!   `NonSteadyState`, and the backlog grows. The target's import state is `NormalState`
//!   while its Backup Service runs and reaches the source's site, else `ErrorState`.
//! - What a disaster loses is what the source generated past the frontier: in time, its
//!   seconds; in changes, the expected count `rate * seconds` (deterministic, not sampled;
//!   docs/model.md#backup-service), so a pool whose users change nothing loses 0 changes.

use crate::engine::SimTime;

/// Export state of one replication direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportState {
    /// Read-only and everything replicated.
    FinalState,
    /// Every interval's changes fit one sync.
    SteadyState,
    /// Changes outgrow what syncs carry: the backlog grows.
    NonSteadyState,
    /// The source's Backup Service does not run.
    ErrorState,
}

impl ExportState {
    /// Name as Get-CsBackupServiceStatus prints it.
    pub fn name(self) -> &'static str {
        match self {
            ExportState::FinalState => "FinalState",
            ExportState::SteadyState => "SteadyState",
            ExportState::NonSteadyState => "NonSteadyState",
            ExportState::ErrorState => "ErrorState",
        }
    }
}

/// One direction of one pool's data.
#[derive(Debug, Clone)]
pub struct Stream {
    /// Changes per second while generating.
    rate: f64,
    /// Changes one sync carries.
    per_sync: f64,
    interval: SimTime,
    phase: SimTime,
    /// Everything the source generated up to here has reached the target.
    frontier: SimTime,
    /// Time the state below holds from.
    anchor: SimTime,
    flowing: bool,
    /// The source's Backup Service runs.
    source_up: bool,
    /// The target's Backup Service runs and reaches the source's site.
    target_up: bool,
    generating: bool,
    /// When generation last stopped (meaningful while not generating).
    generated_until: SimTime,
}

impl Stream {
    /// A stream in steady state at `now`: everything up to `now` replicated.
    pub fn new(rate: f64, per_sync: f64, interval: SimTime, phase: SimTime, now: SimTime) -> Self {
        Stream {
            rate,
            per_sync,
            interval: interval.max(SimTime::from_millis(1)),
            phase: SimTime::from_millis(phase.as_millis() % interval.as_millis().max(1)),
            frontier: now,
            anchor: now,
            flowing: true,
            source_up: true,
            target_up: true,
            generating: true,
            generated_until: now,
        }
    }

    /// Seconds of generated data one sync carries (infinite when nothing changes).
    fn per_sync_secs(&self) -> f64 {
        if self.rate <= 0.0 {
            f64::INFINITY
        } else {
            self.per_sync / self.rate
        }
    }

    /// End of generated data at `t`.
    fn data_end(&self, t: SimTime) -> SimTime {
        if self.generating {
            t
        } else {
            self.generated_until
        }
    }

    /// The first sync instant strictly after `t`.
    fn next_sync_after(&self, t: SimTime) -> SimTime {
        let (t, i, ph) = (t.as_millis(), self.interval.as_millis(), self.phase.as_millis());
        let k = if t < ph { 0 } else { (t - ph) / i + 1 };
        SimTime::from_millis(ph + k * i)
    }

    /// Frontier after the syncs in `(anchor, t]`, without changing the stream.
    fn frontier_at(&self, t: SimTime) -> SimTime {
        if !self.flowing || t <= self.anchor {
            return self.frontier;
        }
        let first = self.next_sync_after(self.anchor);
        if first > t {
            return self.frontier;
        }
        let i = self.interval.as_millis();
        let k = (t.as_millis() - first.as_millis()) / i + 1; // syncs in (anchor, t]
        let last = first.as_millis() + (k - 1) * i;
        let end = self.data_end(t).as_millis();
        let d = self.per_sync_secs() * 1000.0;
        // F_k = min(F0 + k d, s_1 + (k - 1) d, s_k, end): the iterated
        // F_j = min(s_j, F_{j-1} + d) capped by the end of generated data.
        let mut f = last.min(end) as f64;
        f = f.min(self.frontier.as_millis() as f64 + k as f64 * d);
        f = f.min(first.as_millis() as f64 + (k - 1) as f64 * d);
        SimTime::from_millis(f.max(self.frontier.as_millis() as f64) as u64)
    }

    /// Bring the stream's state to `t`.
    fn settle(&mut self, t: SimTime) {
        self.frontier = self.frontier_at(t);
        self.anchor = self.anchor.max(t);
    }

    /// Whether both ends can replicate, from `now` on.
    pub fn set_flowing(&mut self, now: SimTime, flowing: bool) {
        self.settle(now);
        self.flowing = flowing;
    }

    /// Whether each end's Backup Service runs (the target's: and reaches the source's site);
    /// only the states read them.
    pub fn set_ends(&mut self, source_up: bool, target_up: bool) {
        self.source_up = source_up;
        self.target_up = target_up;
    }

    /// Whether the source generates changes (it is serving users and not read-only).
    pub fn set_generating(&mut self, now: SimTime, generating: bool) {
        self.settle(now);
        if self.generating && !generating {
            self.generated_until = now;
        }
        self.generating = generating;
    }

    /// Restart as freshly synchronised at `now` (after a hydration copied everything).
    pub fn reset(&mut self, now: SimTime) {
        self.frontier = now;
        self.anchor = now;
        self.generated_until = now;
    }

    /// Seconds of generated data not yet replicated at `now`.
    pub fn unreplicated(&self, now: SimTime) -> SimTime {
        self.data_end(now).saturating_sub(self.frontier_at(now))
    }

    /// Changes not yet replicated at `now`: the expected count `rate * seconds` of the
    /// unreplicated window (docs/model.md#backup-service); 0 when users change nothing.
    pub fn unreplicated_changes(&self, now: SimTime) -> f64 {
        self.rate.max(0.0) * self.unreplicated(now).as_secs_f64()
    }

    /// Export state at `now`.
    pub fn export_state(&self, now: SimTime) -> ExportState {
        let nothing_new = !self.generating || self.rate <= 0.0;
        if !self.source_up {
            ExportState::ErrorState
        } else if nothing_new && self.unreplicated_changes(now) == 0.0 {
            ExportState::FinalState
        } else if self.per_sync_secs() * 1000.0 >= self.interval.as_millis() as f64 {
            ExportState::SteadyState
        } else {
            ExportState::NonSteadyState
        }
    }

    /// Import state at the target: `NormalState` or `ErrorState`.
    pub fn import_state(&self) -> &'static str {
        if self.target_up {
            "NormalState"
        } else {
            "ErrorState"
        }
    }

    /// How long from `now` until the unreplicated backlog fits one sync (`final_state`
    /// false) or is empty (`true`), if the stream flows; `None` if it never will.
    pub fn time_until(&self, now: SimTime, final_state: bool) -> Option<SimTime> {
        let done = |s: &Stream, t: SimTime| {
            let left = s.unreplicated(t).as_millis() as f64;
            if final_state {
                left == 0.0
            } else {
                left <= s.per_sync_secs() * 1000.0
            }
        };
        if done(self, now) {
            return Some(SimTime::ZERO);
        }
        if !self.flowing {
            return None;
        }
        let mut t = now;
        // Each sync shortens a read-only backlog by d; a growing one never drains.
        for _ in 0..1_000_000 {
            t = self.next_sync_after(t);
            if done(self, t) {
                return Some(t.saturating_sub(now));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(secs: u64) -> SimTime {
        SimTime::from_secs(secs)
    }

    #[test]
    fn a_steady_stream_loses_at_most_one_interval() {
        // 1 change/s, 1000 per sync, sync every 120 s at phase 30 s.
        let st = Stream::new(1.0, 1000.0, s(120), s(30), s(0));
        assert_eq!(st.export_state(s(500)), ExportState::SteadyState);
        // Last sync before 500 s: 30 + 3 * 120 = 390 s.
        assert_eq!(st.unreplicated(s(500)), s(110));
        assert_eq!(st.unreplicated(s(390)), s(0));
        assert_eq!(st.unreplicated_changes(s(500)), 110.0);
    }

    #[test]
    fn nobody_changing_anything_leaves_no_changes_unreplicated() {
        let st = Stream::new(0.0, 1000.0, s(120), s(30), s(0));
        assert_eq!(st.unreplicated(s(500)), s(110), "the seconds since the last sync stay");
        assert_eq!(st.unreplicated_changes(s(500)), 0.0);
    }

    #[test]
    fn a_backlogged_stream_falls_behind_and_drains_when_read_only() {
        // 10 changes/s, 600 per sync: one sync carries 60 s of data, every 120 s.
        let mut st = Stream::new(10.0, 600.0, s(120), s(0), s(0));
        assert_eq!(st.export_state(s(0)), ExportState::NonSteadyState);
        // After 10 syncs (t = 1200 s), 600 s of data replicated.
        assert_eq!(st.unreplicated(s(1200)), s(600));
        st.set_generating(s(1200), false);
        // Backlog 600 s of data, 60 s per sync: fits one sync after 9 more syncs.
        assert_eq!(st.time_until(s(1200), false), Some(s(9 * 120)));
        assert_eq!(st.time_until(s(1200), true), Some(s(10 * 120)));
        assert_eq!(st.export_state(s(1200 + 10 * 120)), ExportState::FinalState);
    }

    #[test]
    fn nothing_moves_while_the_target_is_unreachable() {
        let mut st = Stream::new(1.0, 1000.0, s(100), s(0), s(0));
        st.set_flowing(s(250), false); // last sync at 200 s
        assert_eq!(st.unreplicated(s(1000)), s(800));
        assert_eq!(st.time_until(s(1000), false), Some(s(0)), "800 s of data fits one sync");
        assert_eq!(st.time_until(s(1000), true), None, "but nothing moves");
        st.set_generating(s(1000), false);
        st.set_flowing(s(1000), true); // catches up at the next sync, 1100 s
        assert_eq!(st.unreplicated(s(1100)), s(0));
        assert_eq!(st.import_state(), "NormalState");
    }

    #[test]
    fn a_quiet_pair_is_in_final_state_and_a_dead_source_in_error_state() {
        // Seed 2 (docs/model.md#backup-service): a pair whose users change nothing shows
        // FinalState / NormalState.
        let mut st = Stream::new(0.0, 1000.0, s(120), s(30), s(0));
        assert_eq!(st.export_state(s(500)), ExportState::FinalState);
        assert_eq!(st.import_state(), "NormalState");
        // The source dies: its export is in ErrorState; the target's import stays normal.
        st.set_ends(false, true);
        assert_eq!(st.export_state(s(500)), ExportState::ErrorState);
        assert_eq!(st.import_state(), "NormalState");
        // The target dies: its import is in ErrorState.
        st.set_ends(true, false);
        assert_eq!(st.import_state(), "ErrorState");
        // Users changing data: SteadyState while generating, even right after a sync.
        let busy = Stream::new(1.0, 1000.0, s(120), s(30), s(0));
        assert_eq!(busy.export_state(s(30)), ExportState::SteadyState);
    }
}
