//! The engine's hold model (pop the earliest event, push one at now + Exp(1)) at 1,000,
//! 10,000 and 100,000 pending events, beside a bare `std::collections::BinaryHeap` loop
//! measured in the same run. `cargo bench --bench engine`; figures in the README.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use lyncsim::engine::{EventQueue, SimTime};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Exp(1) increments in microsecond-like integer units, precomputed so both loops pay the
/// same (zero) price for randomness.
fn increments(n: usize) -> Vec<u64> {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    (0..n).map(|_| (-(1.0 - rng.random::<f64>()).ln() * 1_000_000.0) as u64 + 1).collect()
}

const HOLDS: u64 = 100_000;

fn hold(c: &mut Criterion) {
    let inc = increments(1 << 16);
    let mut group = c.benchmark_group("hold");
    group.throughput(Throughput::Elements(HOLDS));
    for pending in [1_000usize, 10_000, 100_000] {
        group.bench_with_input(BenchmarkId::new("lyncsim EventQueue", pending), &pending, |b, &n| {
            let mut q = EventQueue::new();
            for i in 0..n {
                q.push(SimTime::from_millis(inc[i % inc.len()]), i as u32);
            }
            let mut k = 0usize;
            b.iter(|| {
                for _ in 0..HOLDS {
                    let (t, e) = q.pop().expect("never empty");
                    k = (k + 1) & (inc.len() - 1);
                    q.push(SimTime::from_millis(t.as_millis() + inc[k]), e);
                }
            });
        });
        group.bench_with_input(BenchmarkId::new("bare BinaryHeap", pending), &pending, |b, &n| {
            let mut q: BinaryHeap<Reverse<(u64, u64, u32)>> = BinaryHeap::new();
            let mut seq = 0u64;
            for i in 0..n {
                q.push(Reverse((inc[i % inc.len()], seq, i as u32)));
                seq += 1;
            }
            let mut k = 0usize;
            b.iter(|| {
                for _ in 0..HOLDS {
                    let Reverse((t, _, e)) = q.pop().expect("never empty");
                    k = (k + 1) & (inc.len() - 1);
                    q.push(Reverse((t + inc[k], seq, e)));
                    seq += 1;
                }
            });
        });
    }
    group.finish();
}

criterion_group!(benches, hold);
criterion_main!(benches);
