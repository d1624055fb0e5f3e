//! Whole scenarios, simulation only (no report rendering): the 1,000,000-user day of
//! `benches/scenarios/million-users-day.ron`, the shipped year of random failures, and
//! 1,000 Monte Carlo replications of the two-pool benchmark year.
//! `cargo bench --bench scenarios`; figures in the README.

use std::path::Path;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use lyncsim::{scenario, stats};

fn load(path: &str) -> Arc<lyncsim::model::Config> {
    match scenario::load(Path::new(path)) {
        Ok(l) => Arc::new(l.config),
        Err(f) => panic!("{}", f.render()),
    }
}

fn scenarios(c: &mut Criterion) {
    let mut group = c.benchmark_group("scenario");
    group.sample_size(10);
    for path in ["benches/scenarios/million-users-day.ron", "scenarios/year-se-pair-random.ron"] {
        let config = load(path);
        group.bench_function(config.name.clone(), |b| {
            b.iter(|| stats::run_replication(config.clone(), 0).events_processed)
        });
    }
    group.finish();
}

/// 1,000 replications of the two-pool benchmark year (batched and exact client timing), on
/// all cores, statistics included: a tenth of `run --replications 10000`.
fn monte_carlo(c: &mut Criterion) {
    let mut group = c.benchmark_group("monte_carlo");
    group.sample_size(10);
    for path in [
        "benches/scenarios/two-pool-year-1000-users.ron",
        "benches/scenarios/two-pool-year-1000-users-exact.ron",
    ] {
        let mut config = (*load(path)).clone();
        config.replications = 1000;
        let config = Arc::new(config);
        group.bench_function(format!("{} x1000", config.name), |b| {
            b.iter(|| {
                let mc = stats::monte::run(config.clone(), None, &|_| String::new(), &|| ()).unwrap();
                mc.series().times.len()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, scenarios, monte_carlo);
criterion_main!(benches);
