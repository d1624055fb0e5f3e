//! An analytic oracle: for exponential failure processes whose expected availability has an
//! exact value, the mean over replications of the simulated availability lies inside the
//! 99 % confidence interval of that value.
//!
//! The exact value has two parts:
//! - the chain: a `Random` failure process with exponential `mtbf` and `mttr` is an
//!   alternating renewal process that starts up at time 0 (its first failure comes a draw of
//!   `mtbf` after 0), that is a two-state continuous-time Markov chain (up -> down at
//!   λ = 1/MTBF, down -> up at μ = 1/MTTR). Its expected up time over a horizon T is exact
//!   (`up_fraction`, and `occupancy` agrees with it), and so is the expected number of
//!   transitions (rate x expected time in the state they leave). The administrator's
//!   exponential decision delays make a larger chain, solved numerically (`occupancy`);
//! - what the chain does not know: users are not back the instant their pool is (clients
//!   notice, retry with back-off, queue to sign in). Each transition that returns users
//!   costs an expected extra user-time per user, measured on scripted runs of the same pools
//!   (`extra_loss`) and subtracted once per expected transition.
//!
//! Every test also checks that it could fail: the interval is narrow, and the exact values
//! of wrong models (a repair or decision delay 10 % longer, no sign-in time, ...) lie
//! outside it. The runs are deterministic (fixed seeds), so each verdict is reproducible.

use std::sync::Arc;

use lyncsim::model::{Config, Feature};
use lyncsim::scenario;
use lyncsim::stats::{run_replication, RunResult};

/// Seconds per hour.
const H: f64 = 3600.0;
/// Horizon of the random runs, hours.
const YEAR: f64 = 8760.0;
/// z of a two-sided 99 % interval.
const Z99: f64 = 2.576;

fn load(source: &str) -> Arc<Config> {
    match scenario::load_str("oracle.ron", source) {
        Ok(l) => Arc::new(l.config),
        Err(f) => panic!("invalid oracle scenario:\n{}", f.render()),
    }
}

/// Mean and sample standard deviation of `metric` over replications `0..r`.
fn replicate(config: &Arc<Config>, r: u32, metric: impl Fn(&RunResult) -> f64) -> (f64, f64) {
    let xs: Vec<f64> = (0..r).map(|i| metric(&run_replication(config.clone(), i))).collect();
    mean_sd(&xs)
}

fn mean_sd(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

/// Seconds per user without `feature` over the run (all users of the scenario).
fn lost_s(r: &RunResult, feature: Feature) -> f64 {
    (1.0 - r.availability(feature)) * r.config.horizon.as_secs_f64()
}

// ---------------------------------------------------------------------------------------
// Continuous-time Markov chains.

type Matrix = Vec<Vec<f64>>;

fn identity(n: usize) -> Matrix {
    (0..n).map(|i| (0..n).map(|j| f64::from(u8::from(i == j))).collect()).collect()
}

fn mul(a: &Matrix, b: &Matrix) -> Matrix {
    let n = a.len();
    (0..n).map(|i| (0..n).map(|j| (0..n).map(|k| a[i][k] * b[k][j]).sum()).collect()).collect()
}

/// exp(a) by scaling and squaring with a Taylor series (small, well-scaled matrices).
fn expm(a: &Matrix) -> Matrix {
    let n = a.len();
    let norm = (0..n).map(|j| (0..n).map(|i| a[i][j].abs()).sum::<f64>()).fold(0.0, f64::max);
    let squarings = if norm > 0.25 { (norm / 0.25).log2().ceil() as i32 } else { 0 };
    let scale = 2f64.powi(-squarings);
    let b: Matrix = a.iter().map(|row| row.iter().map(|x| x * scale).collect()).collect();
    let mut sum = identity(n);
    let mut term = identity(n);
    for k in 1..=20 {
        term = mul(&term, &b);
        for row in &mut term {
            for x in row.iter_mut() {
                *x /= k as f64;
            }
        }
        for i in 0..n {
            for j in 0..n {
                sum[i][j] += term[i][j];
            }
        }
    }
    for _ in 0..squarings {
        sum = mul(&sum, &sum);
    }
    sum
}

/// Expected time in each state over `[0, t]`, `∫ p(s) ds`, for the chain with generator
/// `q` (rows sum to zero) started in distribution `p0`: the upper-right block of
/// `exp([[Q, I], [0, 0]] t)` is `∫ exp(Q s) ds` (Van Loan).
fn occupancy(q: &Matrix, p0: &[f64], t: f64) -> Vec<f64> {
    let n = q.len();
    let mut big = vec![vec![0.0; 2 * n]; 2 * n];
    for i in 0..n {
        for j in 0..n {
            big[i][j] = q[i][j] * t;
        }
        big[i][n + i] = t;
    }
    let e = expm(&big);
    (0..n).map(|j| (0..n).map(|i| p0[i] * e[i][n + j]).sum()).collect()
}

/// A generator from its off-diagonal rates `(from, to, rate)`.
fn generator(n: usize, rates: &[(usize, usize, f64)]) -> Matrix {
    let mut q = vec![vec![0.0; n]; n];
    for &(i, j, r) in rates {
        q[i][j] += r;
        q[i][i] -= r;
    }
    q
}

/// Closed form: expected fraction of `[0, t]` a two-state chain started up spends up.
fn up_fraction(lambda: f64, mu: f64, t: f64) -> f64 {
    let s = lambda + mu;
    mu / s + lambda / (s * s) * (1.0 - (-s * t).exp()) / t
}

#[test]
fn the_chain_solver_matches_the_two_state_closed_form() {
    for (mtbf, mttr, t) in [(100.0, 1.0, YEAR), (2000.0, 24.0, YEAR), (10.0, 5.0, 3.0), (1.0, 1.0, 0.01)] {
        let (l, m) = (1.0 / mtbf, 1.0 / mttr);
        let occ = occupancy(&generator(2, &[(0, 1, l), (1, 0, m)]), &[1.0, 0.0], t);
        let exact = up_fraction(l, m, t);
        assert!((occ[0] / t - exact).abs() < 1e-10, "{mtbf} {mttr} {t}: {} vs {exact}", occ[0] / t);
        assert!((occ[0] + occ[1] - t).abs() < 1e-9 * t);
    }
}

// ---------------------------------------------------------------------------------------
// Extra losses per transition, measured on scripted runs.

/// The `(k + 1/2) / n` quantiles, k in `0..n`, of an exponential distribution with `rate`
/// per hour, in whole milliseconds: averaging over them is a quadrature against its density.
fn exp_quantiles_ms(n: u32, rate: f64) -> Vec<u64> {
    (0..n).map(|k| (-(1.0 - (k as f64 + 0.5) / n as f64).ln() / rate * H * 1000.0).round() as u64).collect()
}

/// Expected extra seconds per user without each of `features` that one scripted event
/// costs, over one scripted run per gap.
///
/// `scenario(events, horizon_ms)` is the pool set-up; `events(t0_ms, gap_ms)` gives the
/// events of the run that measures and of its baseline, which differs from it only by what
/// is measured; with `minus_gap`, the gap itself (a fault at `t0` ended by the measured
/// event `gap` later) is not extra. Run `k` uses `gaps[k]` and replication `k` (fresh client
/// phases and jitter, the same in both runs). Each run starts with a warm-up outage of pool
/// "a" from 10 to 70 minutes, so that, as in a random run after its first outage, each
/// client's keep-alive and refresh phases date from its last sign-in; `t0` is then spread
/// over a keep-alive period (300 s), so the time from a fault to each client's next
/// keep-alive is uniform, as it is for a fault at a random time.
/// Returns the mean and its standard error per feature.
fn extra_loss(
    gaps: &[u64],
    features: &[Feature],
    minus_gap: bool,
    scenario: &dyn Fn(&str, u64) -> String,
    events: &dyn Fn(u64, u64) -> (String, String),
) -> Vec<(f64, f64)> {
    let warm_up = r#"At("10m", PoolDown(pool: "a")), At("70m", PoolUp(pool: "a")),"#;
    let golden = (5f64.sqrt() - 1.0) / 2.0;
    let mut xs = vec![Vec::new(); features.len()];
    for (k, &gap) in gaps.iter().enumerate() {
        let t0 = 2 * 3_600_000 + ((k as f64 * golden).fract() * 300_000.0) as u64;
        let horizon = t0 + gap + 4 * 3_600_000;
        let (measured, baseline) = events(t0, gap);
        let with = run_replication(load(&scenario(&format!("{warm_up} {measured}"), horizon)), k as u32);
        let without = run_replication(load(&scenario(&format!("{warm_up} {baseline}"), horizon)), k as u32);
        for (f, x) in features.iter().zip(&mut xs) {
            let gap_s = if minus_gap { gap as f64 / 1000.0 } else { 0.0 };
            x.push(lost_s(&with, *f) - lost_s(&without, *f) - gap_s);
        }
    }
    xs.iter()
        .map(|x| {
            let (mean, sd) = mean_sd(x);
            (mean, sd / (x.len() as f64).sqrt())
        })
        .collect()
}

/// One Standard Edition pool "a" with `users` users at site dc1, no backup.
fn lone_pool(users: u32, events: &str, horizon_ms: u64) -> String {
    format!(
        r#"Scenario(name: "probe", seed: 7, horizon: "{horizon_ms}ms", sample_every: "{horizon_ms}ms",
            sites: [ Site(name: "dc1") ],
            pools: [ Pool(fqdn: "a", site: "dc1", users: {users}) ],
            events: [ {events} ],
        )"#
    )
}

/// Pool "a" fails at `t0` and is repaired `gap` later; the baseline has no fault.
fn pool_down_up(t0: u64, gap: u64) -> (String, String) {
    (format!(r#"At("{t0}ms", PoolDown(pool: "a")), At("{}ms", PoolUp(pool: "a")),"#, t0 + gap), String::new())
}

/// Extra seconds per user without IM after a repair that ends an outage of length
/// `X ~ Exp(mu per hour)`, for a lone pool of `users` users.
fn sign_in_after_repair(users: u32, mu: f64) -> (f64, f64) {
    let gaps = exp_quantiles_ms(400, mu);
    extra_loss(&gaps, &[Feature::Im], true, &|events, h| lone_pool(users, events, h), &pool_down_up)[0]
}

#[test]
fn after_a_long_outage_the_sign_in_time_does_not_depend_on_its_length() {
    // Once the clients' back-off has reached `retry_max` (5 min +- 20 %), the first retry
    // after the repair is uniform within one period: 150 s on average, plus 50 ms in the
    // sign-in queue (20 registrations per second; 50 clients spread over minutes hardly queue).
    let fixed = |minutes: u64| {
        let gaps = vec![minutes * 60_000; 100];
        extra_loss(&gaps, &[Feature::Im], true, &|events, h| lone_pool(50, events, h), &pool_down_up)[0]
    };
    let (one, one_se) = fixed(60);
    let (ten, ten_se) = fixed(600);
    let (short, short_se) = fixed(3);
    eprintln!("extra loss after 1 h: {one:.2} +- {one_se:.2} s; 10 h: {ten:.2} +- {ten_se:.2} s");
    eprintln!("extra loss after 3 min: {short:.2} +- {short_se:.2} s");
    assert!((one - ten).abs() < 3.0 * (one_se.powi(2) + ten_se.powi(2)).sqrt(), "{one} vs {ten}");
    for d in [one, ten] {
        assert!((d - 150.05).abs() < 4.0 * one_se, "{d}");
    }
    // A short outage costs less: a client that has not noticed it by the repair finds its
    // pool back at its next keep-alive. So the oracles average the extra loss over the law
    // of the outage length instead of taking one value.
    assert!(short < one - 10.0 * (one_se + short_se), "{short}");
}

/// Exact expected availability of a lone pool whose failures are exponential: the chain's
/// up fraction less `extra_s` seconds per expected repair.
fn lone_pool_exact(mtbf: f64, mttr: f64, extra_s: f64) -> f64 {
    let (lambda, mu) = (1.0 / mtbf, 1.0 / mttr);
    let up = up_fraction(lambda, mu, YEAR);
    let repairs = mu * (1.0 - up) * YEAR;
    up - repairs * extra_s / H / YEAR
}

/// A year of one pool, or several pools at their own sites, failing at random.
fn random_pools(pools: &[(&str, u32, f64, f64)]) -> String {
    let sites: String = pools.iter().map(|(p, ..)| format!(r#"Site(name: "s-{p}"), "#)).collect();
    let defs: String =
        pools.iter().map(|(p, n, ..)| format!(r#"Pool(fqdn: "{p}", site: "s-{p}", users: {n}), "#)).collect();
    let failures: String = pools
        .iter()
        .map(|(p, _, mtbf, mttr)| {
            format!(
                r#"Random(target: Pool(pool: "{p}"), mtbf: Exponential(mean: "{mtbf}h"),
                   mttr: Exponential(mean: "{mttr}h")), "#
            )
        })
        .collect();
    format!(
        r#"Scenario(name: "oracle", seed: 2013, horizon: "{YEAR}h", sample_every: "{YEAR}h",
            sites: [ {sites} ], pools: [ {defs} ], failures: [ {failures} ],
        )"#
    )
}

/// Checks `mean` (of `r` replications with sample standard deviation `sd`) against `exact`
/// (known to a standard error `exact_se`): inside the 99 % interval, whose half-width must
/// be below `max_half_width`; and `wrong` values outside it.
fn assert_oracle(
    what: &str,
    (mean, sd): (f64, f64),
    r: u32,
    (exact, exact_se): (f64, f64),
    max_half_width: f64,
    wrong: &[(&str, f64)],
) {
    let hw = Z99 * (sd * sd / r as f64 + exact_se * exact_se).sqrt();
    eprintln!(
        "{what}: mean {mean:.6} exact {exact:.6} (se {exact_se:.1e}) diff {:+.2e} half-width {hw:.2e} ({:.2} half-widths)",
        mean - exact,
        (mean - exact) / hw
    );
    for (name, w) in wrong {
        eprintln!("  {name}: {w:.6}, {:.2} half-widths away", (mean - w) / hw);
    }
    assert!(hw < max_half_width, "{what}: the interval is too wide to test anything: +-{hw:.2e}");
    assert!((mean - exact).abs() <= hw, "{what}: mean {mean} is outside {exact} +- {hw}");
    for (name, w) in wrong {
        assert!((mean - w).abs() > hw, "{what}: the test cannot tell the model from {name} ({w})");
    }
}

#[test]
fn a_lone_pool_without_backup_is_available_mtbf_over_mtbf_plus_mttr_less_its_sign_ins() {
    let (users, mtbf, mttr, r) = (50, 100.0, 1.0, 400);
    let config = load(&random_pools(&[("a", users, mtbf, mttr)]));
    // Without a backup pool every user is offline during an outage (no backup registrar to
    // keep IM and voice in resiliency mode), so every feature is lost and returns together.
    let (mean, sd) = replicate(&config, r, |run| {
        let im = run.availability(Feature::Im);
        for f in [Feature::Voice, Feature::Conferencing, Feature::Presence] {
            assert_eq!(run.availability(f), im, "{f:?}");
        }
        im
    });
    let (extra, extra_se) = sign_in_after_repair(users, 1.0 / mttr);
    let repairs = YEAR / (mtbf + mttr);
    eprintln!("extra loss per repair {extra:.2} +- {extra_se:.2} s, ~{repairs:.1} repairs a year");
    let exact = lone_pool_exact(mtbf, mttr, extra);
    let exact_se = lone_pool_exact(mtbf, mttr, extra_se) - lone_pool_exact(mtbf, mttr, 0.0);
    assert_oracle(
        "lone pool, IM",
        (mean, sd),
        r,
        (exact, exact_se.abs()),
        0.2 * (1.0 - exact),
        &[
            ("MTTR 10 % longer", lone_pool_exact(mtbf, 1.1 * mttr, extra)),
            ("no sign-in time", lone_pool_exact(mtbf, mttr, 0.0)),
        ],
    );
}

#[test]
fn two_independent_pools_are_available_as_the_user_weighted_mean_of_each() {
    // Different sizes, MTBF and MTTR, at different sites, no pairing: independent chains,
    // and availabilities far enough apart that the weighting by users shows.
    let pools = [("a", 20, 100.0, 1.0), ("b", 10, 50.0, 2.0)];
    let r = 300;
    let config = load(&random_pools(&pools));
    let (mean, sd) = replicate(&config, r, |run| run.availability(Feature::Im));
    let total: f64 = pools.iter().map(|p| p.1 as f64).sum();
    let (mut exact, mut var, mut longer, mut no_sign_in, mut unweighted) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (_, users, mtbf, mttr) in pools {
        let w = users as f64 / total;
        let (extra, extra_se) = sign_in_after_repair(users, 1.0 / mttr);
        eprintln!("pool of {users}: extra loss per repair {extra:.2} +- {extra_se:.2} s");
        exact += w * lone_pool_exact(mtbf, mttr, extra);
        var += (w * (lone_pool_exact(mtbf, mttr, extra_se) - lone_pool_exact(mtbf, mttr, 0.0))).powi(2);
        longer += w * lone_pool_exact(mtbf, 1.1 * mttr, extra);
        no_sign_in += w * lone_pool_exact(mtbf, mttr, 0.0);
        unweighted += lone_pool_exact(mtbf, mttr, extra) / pools.len() as f64;
    }
    assert_oracle(
        "two pools, IM",
        (mean, sd),
        r,
        (exact, var.sqrt()),
        0.2 * (1.0 - exact),
        &[("MTTR 10 % longer", longer), ("no sign-in time", no_sign_in), ("the pools' mean", unweighted)],
    );
}

/// Pool "a" (`users` users) and "b" (none) paired at two sites, voice failover off, the
/// Central Management Store on "b".
fn pair(users: u32, rest: &str, horizon_ms: u64) -> String {
    format!(
        r#"Scenario(name: "oracle-pair", seed: 2013, horizon: "{horizon_ms}ms", sample_every: "{horizon_ms}ms",
            sites: [ Site(name: "dc1"), Site(name: "dc2") ],
            pools: [
                Pool(fqdn: "a", site: "dc1", users: {users}, backup_pool: Some("b"), voice_failover: None),
                Pool(fqdn: "b", site: "dc2", users: 0, backup_pool: Some("a"), voice_failover: None),
            ],
            cms_pool: "b",
            {rest}
        )"#
    )
}

/// A pair whose pool "a" fails at random and whose administrator fails it over after an
/// exponential decision delay (`-DisasterMode`) and back an exponential delay after its
/// repair. Pool "b" never fails and has no users, so the availability is that of a's users.
///
/// The chain, per hour: U (a up, users home) -> D (a down, its users offline) at λ = 1/MTBF;
/// D -> U at μ = 1/MTTR (repaired before the decision: no failover); D -> F (failed over, the
/// users served by b) at φ = 1/failover_after; F -> R (a repaired, still failed over) at μ;
/// R -> F at λ (a fails again: its users on b do not notice); R -> U at β = 1/failback_after.
/// Its exactness rests on the administrator's timers being memoryless: a decision timer
/// still pending from an earlier outage acts on the current state when it fires (the model
/// keeps one pending timer per pool and decision), which, for exponential delays, is the
/// same as a fresh timer.
///
/// IM and presence are lost in D. The extra losses: after D -> U, the clients' sign-in
/// (as for a lone pool); after D -> F, the cmdlet's steps before b hosts a's routing
/// groups, then the clients' retries; at R -> U, the failback's sign-in queue (IM, and
/// presence until the pool is Active again, the users being in resiliency mode meanwhile).
/// Both D exits are measured against the law of the sojourn in D, Exp(μ + φ), which does not
/// depend on the exit taken. Neglected, each far below the interval: a repair during the
/// failover cmdlet's first ~20 s or a failure during a failback of a few minutes; the
/// first outage of a replication, whose clients' phases date from time 0, not from a
/// sign-in.
#[test]
fn a_paired_pool_failed_over_and_back_by_an_administrator_follows_its_markov_chain() {
    let (users, mtbf, mttr, failover, failback, r) = (50, 200.0, 4.0, 1.0, 2.0, 400);
    let failures = format!(
        r#"failures: [ Random(target: Pool(pool: "a"), mtbf: Exponential(mean: "{mtbf}h"),
                       mttr: Exponential(mean: "{mttr}h")) ],
           administrator: Some(Administrator(failover_after: Some(Exponential(mean: "{failover}h")),
               disaster_mode: true, failback_after: Some(Exponential(mean: "{failback}h")))),"#
    );
    let config = load(&pair(users, &failures, (YEAR * H * 1000.0) as u64));
    let features = [Feature::Im, Feature::Presence];
    let runs: Vec<RunResult> = (0..r).map(|i| run_replication(config.clone(), i)).collect();
    let errors: usize =
        runs.iter().map(|run| run.failovers.iter().filter(|f| f.error.is_some()).count()).sum();
    let failovers: usize = runs.iter().map(|run| run.failovers.len()).sum();
    eprintln!("{failovers} cmdlets in {r} years, {errors} failed");
    // A failback that fails because pool "a" fails again during it: rare, and neglected.
    assert!(errors * 100 <= failovers, "{errors} of {failovers} cmdlets failed");

    let (lambda, mu, phi, beta) = (1.0 / mtbf, 1.0 / mttr, 1.0 / failover, 1.0 / failback);
    let exact_for = |phi: f64, extra_d: f64, extra_fb: f64| {
        let (u, d, f, rr) = (0, 1, 2, 3);
        let q = generator(
            4,
            &[(u, d, lambda), (d, u, mu), (d, f, phi), (f, rr, mu), (rr, f, lambda), (rr, u, beta)],
        );
        let occ = occupancy(&q, &[1.0, 0.0, 0.0, 0.0], YEAR);
        let (sojourns, failbacks) = (lambda * occ[u], beta * occ[rr]);
        1.0 - occ[d] / YEAR - (sojourns * extra_d + failbacks * extra_fb) / H / YEAR
    };

    // Extra losses, measured on scripted runs of the same pair.
    let probe = |events: &str, h: u64| pair(users, &format!("events: [ {events} ],"), h);
    let sojourn = exp_quantiles_ms(200, mu + phi);
    let after_repair = extra_loss(&sojourn, &features, true, &probe, &pool_down_up);
    let after_failover = extra_loss(&sojourn, &features, true, &probe, &|t0, gap| {
        let down = format!(r#"At("{t0}ms", PoolDown(pool: "a")),"#);
        let failover =
            format!(r#"At("{}ms", InvokeCsPoolFailover(pool: "a", disaster_mode: true)),"#, t0 + gap);
        (format!("{down} {failover}"), String::new())
    });
    let fixed = vec![3_600_000; 50];
    let at_failback = extra_loss(&fixed, &features, false, &probe, &|t0, _| {
        let failed_over = format!(
            r#"At("{t0}ms", PoolDown(pool: "a")),
               At("{}ms", InvokeCsPoolFailover(pool: "a", disaster_mode: true)),
               At("{}ms", PoolUp(pool: "a")),"#,
            t0 + 1_800_000,
            t0 + 5_400_000
        );
        let back = format!(r#"At("{}ms", InvokeCsPoolFailback(pool: "a")),"#, t0 + 9_000_000);
        (format!("{failed_over} {back}"), failed_over)
    });

    for (i, feature) in features.iter().enumerate() {
        let (mean, sd) = mean_sd(&runs.iter().map(|run| run.availability(*feature)).collect::<Vec<_>>());
        let (rep, rep_se) = after_repair[i];
        let (fo, fo_se) = after_failover[i];
        let (fb, fb_se) = at_failback[i];
        let extra_d = (mu * rep + phi * fo) / (mu + phi);
        let extra_d_se = ((mu * rep_se).powi(2) + (phi * fo_se).powi(2)).sqrt() / (mu + phi);
        eprintln!(
            "{feature:?}: extra s after a repair {rep:.2} +- {rep_se:.2}, after a failover {fo:.2} +- {fo_se:.2}, \
             at a failback {fb:.2} +- {fb_se:.2}"
        );
        let exact = exact_for(phi, extra_d, fb);
        let exact_se = ((exact_for(phi, extra_d + extra_d_se, fb) - exact).powi(2)
            + (exact_for(phi, extra_d, fb + fb_se) - exact).powi(2))
        .sqrt();
        assert_oracle(
            &format!("paired pool with an administrator, {feature:?}"),
            (mean, sd),
            r,
            (exact, exact_se),
            0.2 * (1.0 - exact),
            &[
                ("a decision delay 10 % longer", exact_for(phi / 1.1, extra_d, fb)),
                ("no sign-in time", exact_for(phi, 0.0, 0.0)),
            ],
        );
    }
}
