//! Data-parallel gradients (feature `rayon`): the gradient of a logistic-regression loss
//! summed over 10^5 points, sequential against `autodiff::par` on all cores. Two pairs,
//! each in its own criterion group:
//!
//! * `logistic_per_example`: the plain loop over the points calling the per-example
//!   `log_loss_grad` and accumulating, against `par::sum_grad(log_loss_grad, ..)`;
//! * `logistic_by_chunks`: the generated gradient of the loss over the whole slice
//!   (`total_log_loss_grad`, one loop), against `par::sum_grad_by_chunks`, which runs it
//!   once per chunk.
//!
//! Run with `cargo bench --features rayon --bench parallel`; the speedup is the
//! sequential median over the parallel one. rayon uses one thread per core
//! (`RAYON_NUM_THREADS` to change it).

use std::hint::black_box;
use std::time::Duration;

use autodiff::{Differentiable, Tensor, differentiable, par};
use criterion::{Criterion, criterion_group, criterion_main};

const POINTS: usize = 100_000;

/// Logistic regression on 8 features.
#[derive(Clone, Differentiable)]
struct Logistic {
    w: Tensor<f64, 8>,
    b: f64,
}

/// One point's log loss `ln(1 + exp(-y (w·x + b)))`, for a label `y` in {-1, 1}.
#[differentiable(wrt(m))]
fn log_loss(m: &Logistic, point: &(Tensor<f64, 8>, f64)) -> f64 {
    let z = m.w.dot(point.0) + m.b;
    (-point.1 * z).exp().ln_1p()
}

/// The log loss summed over a slice of points.
#[differentiable(wrt(m))]
fn total_log_loss(m: &Logistic, points: &[(Tensor<f64, 8>, f64)]) -> f64 {
    let mut total = 0.0;
    for point in points.iter() {
        let z = m.w.dot(point.0) + m.b;
        total = total + (-point.1 * z).exp().ln_1p();
    }
    total
}

/// Deterministic points, labelled by a noisy linear rule.
fn points() -> Vec<(Tensor<f64, 8>, f64)> {
    (0..POINTS)
        .map(|i| {
            let x = Tensor::from_fn(|r, _| (0.7 * (i * 8 + r) as f64).sin());
            let score = x[0] - 0.5 * x[3] + 0.25 * x[6] + 0.3 * (1.3 * i as f64).cos();
            (x, if score > 0.0 { 1.0 } else { -1.0 })
        })
        .collect()
}

fn model() -> Logistic {
    Logistic {
        w: Tensor::from_fn(|r, _| 0.1 * r as f64 - 0.3),
        b: 0.05,
    }
}

fn sequential(m: &Logistic, points: &Points) -> (f64, Logistic) {
    let mut total = 0.0;
    let mut grad = m.zero_like();
    for point in points {
        let (value, g) = log_loss_grad(m, point);
        total += value;
        grad.accumulate(&g);
    }
    (total, grad)
}

type Points = [(Tensor<f64, 8>, f64)];

/// One criterion group: `seq` and `par` on the same model and points.
fn compare(
    c: &mut Criterion,
    name: &str,
    seq: impl Fn(&Logistic, &Points) -> (f64, Logistic),
    par: impl Fn(&Logistic, &Points) -> (f64, Logistic),
) {
    let (m, data) = (model(), points());
    let mut group = c.benchmark_group(name);
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(30);
    group.bench_function("sequential", |b| {
        b.iter(|| seq(black_box(&m), black_box(&data)))
    });
    group.bench_function("rayon", |b| b.iter(|| par(black_box(&m), black_box(&data))));
    group.finish();
}

fn bench(c: &mut Criterion) {
    compare(c, "logistic_per_example", sequential, |m, d| {
        par::sum_grad(log_loss_grad, m, d)
    });
    compare(c, "logistic_by_chunks", total_log_loss_grad, |m, d| {
        par::sum_grad_by_chunks(total_log_loss_grad, m, d)
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
