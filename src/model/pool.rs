//! Inside a pool: front-end servers, routing-group replicas, quorum and the back end
//! (docs/model.md#pools-and-front-ends). Pure data and rules; [`super::World`] applies their
//! effects to users.

use super::config::Service;
use crate::engine::SimTime;

/// One front-end server.
#[derive(Debug, Clone, Copy)]
pub(super) struct Server {
    /// Failed (`ServerDown`).
    pub down: bool,
    /// RTCSRV runs.
    pub rtcsrv: bool,
    /// The Mediation service runs.
    pub mediation: bool,
    /// LYNCBACKUP runs.
    pub backup: bool,
    /// RTCSRV ran at the last refresh of the pool (to see a front end return).
    pub hosting: bool,
    /// Returned to a serving pool and Windows Fabric is still rebuilding its secondary
    /// replicas: they do not count as replicas yet (docs/model.md#routing-groups).
    pub rebuilding: bool,
    /// Generation of the rebuild timer.
    pub rebuild_gen: u32,
}

impl Server {
    pub fn new() -> Self {
        Server {
            down: false,
            rtcsrv: true,
            mediation: true,
            backup: true,
            hosting: true,
            rebuilding: false,
            rebuild_gen: 0,
        }
    }

    /// Every service started (a server that comes back).
    pub fn start_all(&mut self) {
        self.rtcsrv = true;
        self.mediation = true;
        self.backup = true;
    }

    /// Start (`up`) or stop one service; REPLICA has no modelled effect.
    pub fn set(&mut self, service: Service, up: bool) {
        match service {
            Service::FrontEnd => self.rtcsrv = up,
            Service::Mediation => self.mediation = up,
            Service::Backup => self.backup = up,
            Service::Replica => {}
        }
    }
}

/// What a routing group can give its users.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RgStatus {
    /// Primary and at least one secondary running.
    Normal,
    /// Primary running, every secondary down: writes cannot be replicated, so its users are
    /// in limited functionality (KB-LFM).
    Degraded,
    /// No replica running: its users cannot sign in (KB-LFM).
    Down,
}

/// A routing group: one primary and up to two secondary replicas on distinct front ends.
/// Without Windows Fabric (Lync 2010) it is only the set of users one front end registers:
/// any running front end can take them, and it is never degraded
/// (docs/model.md#routing-groups).
#[derive(Debug, Clone)]
pub(super) struct RoutingGroup {
    /// Servers holding a replica, in promotion order (without Windows Fabric: every server,
    /// in the order the group's users try them).
    pub replicas: Vec<u8>,
    /// Server holding the primary replica (without Windows Fabric: registering the group's
    /// users), if any runs.
    pub primary: Option<u8>,
    pub status: RgStatus,
    /// Windows Fabric keeps replicas of the group (Lync 2013 and later).
    pub fabric: bool,
}

impl RoutingGroup {
    /// Replicas of group `index` on `front_ends` servers: `index`, `index + 1`, `index + 2`
    /// (mod the server count), as many as there are servers, at most three. Without Windows
    /// Fabric (`fabric` false) every server, from `index` on.
    pub fn place(index: u32, front_ends: u32, fabric: bool) -> Self {
        let n = front_ends.max(1);
        let count = if fabric { n.min(3) } else { n };
        let replicas = (0..count).map(|j| ((index + j) % n) as u8).collect::<Vec<_>>();
        RoutingGroup { primary: Some(replicas[0]), replicas, status: RgStatus::Normal, fabric }
    }

    /// Re-place the group's replicas on running servers (QuorumLossRecovery), starting
    /// from `index` mod n. Returns false if no server runs.
    pub fn replace_on(&mut self, index: u32, running: &[bool]) -> bool {
        let n = running.len() as u32;
        let chosen: Vec<u8> =
            (0..n).map(|j| ((index + j) % n) as u8).filter(|&s| running[s as usize]).take(3).collect();
        if chosen.is_empty() {
            return false;
        }
        self.primary = Some(chosen[0]);
        self.replicas = chosen;
        self.status = RgStatus::Normal;
        true
    }

    /// Windows Fabric's rebalancing after server `s` rebuilt its replicas: the primary returns
    /// to `s` when `s` is the group's first replica (where it was placed) and holds it no
    /// longer. Returns whether the primary moved. Assumption (docs/model.md#routing-groups).
    pub fn rebalance_to(&mut self, s: u8) -> bool {
        let moves = self.fabric
            && self.replicas.first() == Some(&s)
            && self.primary.is_some()
            && self.primary != Some(s);
        if moves {
            self.primary = Some(s);
        }
        moves
    }

    /// Recompute the primary (keep it if it runs, else promote the first running
    /// secondary) and the status. Returns (primary changed, status changed).
    pub fn update(&mut self, running: &[bool]) -> (bool, bool) {
        let up = |s: u8| running.get(s as usize).copied().unwrap_or(false);
        let primary = match self.primary {
            Some(p) if up(p) => Some(p),
            _ => self.replicas.iter().copied().find(|&s| up(s)),
        };
        let status = match primary {
            None => RgStatus::Down,
            Some(p) => {
                let secondaries = self.replicas.iter().filter(|&&s| s != p && up(s)).count();
                if self.fabric && self.replicas.len() > 1 && secondaries == 0 {
                    RgStatus::Degraded
                } else {
                    RgStatus::Normal
                }
            }
        };
        let changed = (primary != self.primary, status != self.status);
        self.primary = primary;
        self.status = status;
        changed
    }
}

/// Whether a pool whose front ends `running` run RTCSRV serves: with Windows Fabric
/// (`fabric`), at least one runs and they hold [`has_quorum`]; without it (Lync 2010), any
/// running front end serves (docs/model.md#products).
pub(super) fn serves(fabric: bool, running: &[bool], back_end_up: bool) -> bool {
    running.iter().any(|&r| r) && (!fabric || has_quorum(running, back_end_up))
}

/// Pool-level quorum (SfB-FEHA; L13 Gg412996): below it every service of the pool stops.
/// `running[i]` says whether front end `i` runs, in the order the servers were first
/// started. Pools with an even number of front ends use the back end as witness: with
/// exactly half of them running, the pool keeps quorum only while the back end is up.
pub(super) fn has_quorum(running: &[bool], back_end_up: bool) -> bool {
    let n = running.len();
    let total = running.iter().filter(|&&r| r).count();
    if n <= 1 {
        return total == 1;
    }
    // (must run, among the first m servers)
    let (k, m) = match n {
        2 => (1, 2),
        3 | 4 => (2, n),
        5 | 6 => (3, n),
        7 => (4, 7),
        8 | 9 => (4, 7),
        10..=12 => (5, 9),
        _ => (7, 12),
    };
    let among_first = running[..m.min(n)].iter().filter(|&&r| r).count();
    if among_first < k {
        return false;
    }
    !(n.is_multiple_of(2) && total * 2 == n && !back_end_up)
}

/// Front ends that must run for a pool of `n` front ends to start (SfB-FEHA; L13 Gg412996:
/// the first-start table, ~85 %), which the model asks of every cold start
/// (docs/model.md#cold-start). 13 to 15 front ends (SfB 2019) are not in the table:
/// 85 % rounded down, at most the 12 of 16 (assumption).
pub(super) fn start_quorum(n: usize) -> usize {
    match n {
        0..=2 => n.min(1),
        3 | 4 => 3,
        5 => 4,
        6 | 7 => 5,
        8 => 6,
        9 => 7,
        10 => 8,
        11 => 9,
        12 => 10,
        _ => (n * 85 / 100).min(12),
    }
}

/// The back end's SQL nodes.
#[derive(Debug, Clone, Copy)]
pub(super) struct BackEndState {
    pub principal_up: bool,
    pub mirror_up: bool,
    pub witness_up: bool,
    /// The mirror is the principal (after a database failover).
    pub on_mirror: bool,
    /// Availability as last applied.
    pub available: bool,
    /// The BackupStoreUnavailableThreshold has passed: users are in resiliency mode.
    pub degraded: bool,
    /// When the store became unavailable.
    pub since: Option<SimTime>,
    /// Generation of the store's timers.
    pub gen: u32,
}

impl BackEndState {
    pub fn new() -> Self {
        BackEndState {
            principal_up: true,
            mirror_up: true,
            witness_up: true,
            on_mirror: false,
            available: true,
            degraded: false,
            since: None,
            gen: 0,
        }
    }

    /// Whether the node serving as principal runs.
    pub fn active_up(&self) -> bool {
        if self.on_mirror {
            self.mirror_up
        } else {
            self.principal_up
        }
    }

    /// Whether the other data node runs (the failover target).
    pub fn other_up(&self) -> bool {
        if self.on_mirror {
            self.principal_up
        } else {
            self.mirror_up
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn up(pattern: &str) -> Vec<bool> {
        pattern.chars().map(|c| c == '1').collect()
    }

    #[test]
    fn the_quorum_table_of_the_documentation() {
        // (front ends, servers running in start order, quorum?)
        let cases = [
            ("1", true),
            ("0", false),
            ("10", true),  // 2 FEs: 1 (half) with the back end as witness
            ("110", true), // 3: any 2
            ("100", false),
            ("1100", true), // 4: any 2 (half, witness up)
            ("1000", false),
            ("11100", true), // 5: any 3
            ("11000", false),
            ("1110000", false), // 7: any 4
            ("1111000", true),
            ("11110000", true),     // 8: 4 of the first 7
            ("10000111", false),    // 8: four run, but only 3 of the first 7
            ("111110000000", true), // 12: 5 of the first 9
            ("000000000111", false),
        ];
        for (pattern, expected) in cases {
            assert_eq!(has_quorum(&up(pattern), true), expected, "{pattern}");
        }
        // Even pools at exactly half need the back end.
        assert!(!has_quorum(&up("10"), false));
        assert!(!has_quorum(&up("1100"), false));
        assert!(has_quorum(&up("1110"), false), "more than half needs no witness");
        assert!(has_quorum(&up("110"), false), "odd pools never use the witness");
    }

    #[test]
    fn the_start_quorum_table_of_the_documentation() {
        let table = [
            (2, 1),
            (3, 3),
            (4, 3),
            (5, 4),
            (6, 5),
            (7, 5),
            (8, 6),
            (9, 7),
            (10, 8),
            (11, 9),
            (12, 10),
            (16, 12),
        ];
        for (n, k) in table {
            assert_eq!(start_quorum(n), k, "{n} front ends");
        }
        assert_eq!(start_quorum(1), 1);
        assert_eq!((13..=15).map(start_quorum).collect::<Vec<_>>(), vec![11, 11, 12]);
    }

    #[test]
    fn a_secondary_is_promoted_and_losing_both_secondaries_degrades() {
        let mut rg = RoutingGroup::place(1, 4, true);
        assert_eq!(rg.replicas, vec![1, 2, 3]);
        assert_eq!(rg.update(&up("1111")), (false, false));
        assert_eq!(rg.update(&up("1011")), (true, false), "primary on server 1 fails");
        assert_eq!(rg.primary, Some(2));
        assert_eq!(rg.update(&up("1010")), (false, true), "both secondaries gone");
        assert_eq!(rg.status, RgStatus::Degraded);
        assert_eq!(rg.update(&up("1000")), (true, true));
        assert_eq!(rg.status, RgStatus::Down);
        assert_eq!(rg.primary, None);
        assert!(rg.replace_on(1, &up("1000")));
        assert_eq!((rg.primary, rg.status), (Some(0), RgStatus::Normal));
    }

    #[test]
    fn a_rebuilt_server_takes_back_the_primaries_placed_on_it() {
        let mut rg = RoutingGroup::place(1, 4, true);
        assert_eq!(rg.update(&up("1011")), (true, false));
        assert_eq!(rg.primary, Some(2));
        assert!(!rg.rebalance_to(2), "front end 2 is not the group's first replica");
        assert!(rg.rebalance_to(1));
        assert_eq!(rg.primary, Some(1));
        assert!(!rg.rebalance_to(1), "already there");
    }

    #[test]
    fn without_windows_fabric_any_running_front_end_serves_and_nothing_degrades() {
        // Lync 2010: one front end of three serves the whole pool, with or without the back end.
        assert!(serves(false, &up("001"), false));
        assert!(!serves(true, &up("001"), true), "Lync 2013: below \"any 2\"");
        assert!(!serves(false, &up("000"), true));
        let mut rg = RoutingGroup::place(1, 3, false);
        assert_eq!(rg.replicas, vec![1, 2, 0], "every front end, from the group's own");
        assert_eq!(rg.update(&up("101")), (true, false), "its front end fails: the next takes it");
        assert_eq!((rg.primary, rg.status), (Some(2), RgStatus::Normal));
        assert_eq!(rg.update(&up("001")), (false, false), "alone, not degraded");
        assert_eq!(rg.update(&up("100")), (true, false));
        assert_eq!((rg.primary, rg.status), (Some(0), RgStatus::Normal));
        assert!(!rg.rebalance_to(1), "no Windows Fabric rebalancing");
    }

    #[test]
    fn small_pools_have_fewer_replicas() {
        assert_eq!(RoutingGroup::place(0, 1, true).replicas, vec![0]);
        assert_eq!(RoutingGroup::place(1, 2, true).replicas, vec![1, 0]);
        let mut se = RoutingGroup::place(0, 1, true);
        assert_eq!(se.update(&up("1")), (false, false), "one replica is never degraded");
    }
}
