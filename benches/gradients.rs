//! Gradient speed: the generated `f_grad` against a hand-written adjoint on the same
//! nalgebra types, and against the plain forward function `f`.
//!
//! SPEC.md asks that generated gradient code run within 1.1x of a hand-written adjoint,
//! for straight-line code and constant-bound loops alike, measured side by side in one
//! run. Each function below therefore has ONE criterion group holding three benchmarks:
//!
//! * `forward`: the plain function (no gradient work), the baseline for the
//!   gradient/forward ratio,
//! * `generated`: `f_grad` as emitted by `#[differentiable]`,
//! * `hand`: the hand-written adjoint from `common/mod.rs` (checked equal to the
//!   generated gradient by `tests/hand_adjoints.rs`).
//!
//! The functions are the seed's `calc` (elementwise, straight-line), a three-layer CELU
//! perceptron at hidden widths 10, 32 and 64 (matrix products), and `spring-100` (a
//! constant-bound loop of 100 integration steps, whose tape lives on the stack).
//!
//! Every iteration passes the same inputs through `std::hint::black_box`, so the
//! optimiser can neither constant-fold the call nor hoist it out of the timing loop, and
//! the timing loop does no work of its own. Measurement is kept short (1 s warm-up,
//! 2 s measurement, 50 samples) so the whole run takes well under two minutes.
//!
//! Run with `cargo bench --bench gradients`, then `python3 scripts/bench_table.py` for a
//! Markdown table of the medians and ratios.

mod common;

use std::hint::black_box;
use std::time::Duration;

use criterion::{
    BenchmarkGroup, Criterion, criterion_group, criterion_main, measurement::WallTime,
};

use common::*;

/// Opens a group with the run's short measurement settings.
fn group<'a>(c: &'a mut Criterion, name: &str) -> BenchmarkGroup<'a, WallTime> {
    let mut group = c.benchmark_group(name);
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
        .sample_size(50);
    group
}

fn bench_calc(c: &mut Criterion) {
    let a = calc_input();
    let mut g = group(c, "calc");
    g.bench_function("forward", |b| b.iter(|| calc(black_box(a))));
    g.bench_function("generated", |b| b.iter(|| calc_grad(black_box(a))));
    g.bench_function("hand", |b| b.iter(|| calc_hand_grad(black_box(a))));
    g.finish();
}

fn bench_mlp<const H: usize>(c: &mut Criterion) {
    let (w1, w2, w3, x, t) = mlp_inputs::<H>();
    let mut g = group(c, &format!("mlp_h{H}"));
    g.bench_function("forward", |b| {
        b.iter(|| {
            mlp(
                black_box(&w1),
                black_box(&w2),
                black_box(&w3),
                black_box(x),
                black_box(t),
            )
        })
    });
    g.bench_function("generated", |b| {
        b.iter(|| {
            mlp_grad(
                black_box(&w1),
                black_box(&w2),
                black_box(&w3),
                black_box(x),
                black_box(t),
            )
        })
    });
    g.bench_function("hand", |b| {
        b.iter(|| {
            mlp_hand_grad(
                black_box(&w1),
                black_box(&w2),
                black_box(&w3),
                black_box(x),
                black_box(t),
            )
        })
    });
    g.finish();
}

fn bench_spring(c: &mut Criterion) {
    let (k, d, x0, v0, target) = spring_inputs();
    let args = || {
        (
            black_box(k),
            black_box(d),
            black_box(x0),
            black_box(v0),
            black_box(target),
        )
    };
    let mut g = group(c, "spring100");
    g.bench_function("forward", |b| {
        b.iter(|| {
            let (k, d, x0, v0, target) = args();
            spring(k, d, x0, v0, target)
        })
    });
    g.bench_function("generated", |b| {
        b.iter(|| {
            let (k, d, x0, v0, target) = args();
            spring_grad(k, d, x0, v0, target)
        })
    });
    g.bench_function("hand", |b| {
        b.iter(|| {
            let (k, d, x0, v0, target) = args();
            spring_hand_grad(k, d, x0, v0, target)
        })
    });
    g.finish();
}

criterion_group!(
    benches,
    bench_calc,
    bench_mlp::<10>,
    bench_mlp::<32>,
    bench_mlp::<64>,
    bench_spring
);
criterion_main!(benches);
