//! How the cost of a gradient grows with the size of the state a loop indexes: the
//! gradient / forward ratio of three loops over a `Tensor<f64, N>` at N = 10, 100, 1,000
//! and 4,000. Element reads and assignments cost O(1) in the reverse sweep (adjoints are
//! accumulated in place), so the ratio should not grow with N.
//!
//! * `sumsq`: `s = s + x[i] * x[i]` over every element,
//! * `sin`: the recurrence `s = s.sin() + x[i]`,
//! * `heat`: one explicit step of the 1-D heat equation, assigning `u_new[i]`, then a
//!   weighted sum of squares.
//!
//! Each group holds `forward` (the plain function) and `generated` (`f_grad`), measured
//! side by side in one run. Run with `cargo bench --bench loops`, then
//! `python3 scripts/bench_table.py loops` for the table in the README.

use std::hint::black_box;
use std::time::Duration;

use autodiff::{Tensor, differentiable};
use criterion::{Criterion, criterion_group, criterion_main};

#[differentiable]
fn sumsq<const N: usize>(x: Tensor<f64, N>) -> f64 {
    let mut s = 0.0;
    for i in 0..N {
        s = s + x[i] * x[i];
    }
    s
}

#[differentiable]
fn sin_recurrence<const N: usize>(x: Tensor<f64, N>) -> f64 {
    let mut s = 0.0;
    for i in 0..N {
        s = s.sin() + x[i];
    }
    s
}

#[differentiable]
fn heat<const N: usize>(u: Tensor<f64, N>, w: Tensor<f64, N>) -> f64 {
    let mut u_new = u;
    for i in 1..N - 1 {
        u_new[i] = u[i] + 0.25 * (u[i - 1] - 2.0 * u[i] + u[i + 1]);
    }
    (u_new * u_new * w).sum()
}

fn input<const N: usize>() -> Tensor<f64, N> {
    Tensor::from_fn(|i, _| 0.3 + 0.7 * (i as f64 * 1.3).sin())
}

fn bench_size<const N: usize>(c: &mut Criterion) {
    let x = input::<N>();
    let w = Tensor::from_fn(|i, _| 1.0 + (i % 7) as f64 * 0.1);
    let mut group = c.benchmark_group(format!("loops_n{N}"));
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(1))
        .sample_size(30);
    group.bench_function("sumsq/forward", |b| b.iter(|| sumsq(black_box(x))));
    group.bench_function("sumsq/generated", |b| b.iter(|| sumsq_grad(black_box(x))));
    group.bench_function("sin/forward", |b| b.iter(|| sin_recurrence(black_box(x))));
    group.bench_function("sin/generated", |b| {
        b.iter(|| sin_recurrence_grad(black_box(x)))
    });
    group.bench_function("heat/forward", |b| {
        b.iter(|| heat(black_box(x), black_box(w)))
    });
    group.bench_function("heat/generated", |b| {
        b.iter(|| heat_grad(black_box(x), black_box(w)))
    });
    group.finish();
}

fn loops(c: &mut Criterion) {
    bench_size::<10>(c);
    bench_size::<100>(c);
    bench_size::<1000>(c);
    bench_size::<4000>(c);
}

criterion_group!(benches, loops);
criterion_main!(benches);
