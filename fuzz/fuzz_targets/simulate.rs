//! A scenario that validates, cut down to a short simulation (horizon, users and rows
//! clamped in the raw layer before validation), runs one replication twice; the obvious
//! invariants of the result are asserted, and the two runs must agree exactly.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use lyncsim::engine::SimTime;
use lyncsim::model::{ClientState, Feature};
use lyncsim::scenario::{self, duration::Duration};
use lyncsim::stats::{self, RunResult};

/// Longest simulated span.
const MAX_HORIZON: SimTime = SimTime::from_secs(6 * 3600);
/// Most users of one pool, and of all pools.
const MAX_POOL_USERS: u32 = 200;
const MAX_TOTAL_USERS: u64 = 600;
/// Most time-series rows.
const MAX_ROWS: u64 = 10_000;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(mut raw) = scenario::parse(text) else { return };
    // Clamp in the raw layer so that validation sees (and checks) what will run.
    let horizon = raw.horizon.time().min(MAX_HORIZON);
    raw.horizon = Duration(horizon);
    if raw.sample_every.time() > horizon {
        raw.sample_every = Duration(horizon);
    }
    let least = horizon.as_millis() / MAX_ROWS + 1;
    if raw.sample_every.time().as_millis() < least {
        raw.sample_every = Duration(SimTime::from_millis(least));
    }
    for pool in &mut raw.pools {
        pool.users = pool.users.min(MAX_POOL_USERS);
        if let Some(rg) = &mut pool.routing_groups {
            *rg = (*rg).min(pool.users.max(1));
        }
    }
    if raw.pools.iter().map(|p| p.users as u64).sum::<u64>() > MAX_TOTAL_USERS {
        return;
    }
    let (Some(config), _) = scenario::validate::validate(&raw, text) else { return };
    let config = Arc::new(config);
    let first = stats::run_replication(config.clone(), 0);
    check(&first);
    let second = stats::run_replication(config, 0);
    assert_eq!(first.series, second.series, "same seed, different time series");
    assert_eq!(first.feature_user_ms, second.feature_user_ms, "same seed, different integrals");
    assert_eq!(first.events_processed, second.events_processed, "same seed, different events");
    assert_eq!(first.log.len(), second.log.len(), "same seed, different logs");
    assert_eq!(first.failovers, second.failovers, "same seed, different failovers");
});

fn check(r: &RunResult) {
    let c = &r.config;
    let total = r.total_users();
    let horizon = c.horizon.as_millis();
    let step = c.sample_every.as_millis();
    assert_eq!(r.series.rows(), horizon / step + 1, "rows");
    let mut rows = 0u64;
    let mut last = None;
    for s in r.samples() {
        let t = s.time.as_millis();
        assert!(t <= horizon && t % step == 0, "sample at {t} ms");
        assert!(last.is_none_or(|l| t > l), "samples out of order at {t} ms");
        last = Some(t);
        rows += 1;
        let users: u64 = s.by_state.values().map(|&n| n as u64).sum();
        assert_eq!(users, total, "users not conserved at {t} ms: {:?}", s.by_state);
        assert!(s.failed_over_with_rgs as u64 <= s.users(ClientState::FailedOver), "rgs at {t} ms");
        assert!(s.pstn_without_mediation as u64 <= total, "PSTN without mediation at {t} ms");
        for f in Feature::ALL {
            assert!(r.users_with(&s, f) <= total, "{f:?} at {t} ms");
        }
    }
    assert_eq!(rows, r.series.rows(), "row count");
    let all = total as u128 * horizon as u128;
    for f in Feature::ALL {
        assert!(r.feature_user_ms[f] <= all, "{f:?} user-time over users x horizon");
        let a = r.availability(f);
        assert!((0.0..=1.0).contains(&a), "{f:?} availability {a}");
        // Incidents in time order, each ending after it starts, only the last one open.
        let incidents = &r.incidents[f];
        for (i, inc) in incidents.iter().enumerate() {
            assert!(inc.start.as_millis() <= horizon, "{f:?} incident after the horizon");
            assert!(inc.end.is_none_or(|e| e >= inc.start && e.as_millis() <= horizon), "{f:?} {inc:?}");
            assert!(inc.end.is_some() || i + 1 == incidents.len(), "{f:?}: an open incident before the last");
            if let Some(next) = incidents.get(i + 1) {
                assert!(inc.end.is_some_and(|e| e <= next.start), "{f:?}: incidents overlap");
            }
        }
    }
    assert!(r.peak_offline_users <= total, "peak offline");
    assert!(r.peak_resiliency_users <= total, "peak resiliency");
    assert!(r.peak_signin_queue <= total, "peak sign-in queue");
    assert!(r.first_fault.is_none_or(|t| t.as_millis() <= horizon), "first fault after the horizon");
    for e in &r.log {
        assert!(e.time.as_millis() <= horizon, "log entry after the horizon: {e:?}");
    }
    for f in &r.failovers {
        assert!(f.completed.is_none_or(|t| t >= f.started), "{f:?} completed before it started");
    }
}
