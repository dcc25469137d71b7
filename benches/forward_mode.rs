//! Forward-mode and second-order speed: `f_jvp` against the plain function `f`, and
//! `f_hvp` against `f_grad`, for the seed's `calc`, the CELU perceptron at hidden width 10
//! and `spring-100` (the functions of `common/mod.rs`, as `benches/gradients.rs` times
//! them). One criterion group per function holds all four, measured side by side:
//!
//! * `forward`: `f`, the baseline of `jvp / forward`,
//! * `jvp`: `f_jvp` along a fixed direction (one tangent per differentiated parameter),
//! * `grad`: `f_grad`, the baseline of `hvp / grad`,
//! * `hvp`: `f_hvp` along the same direction.
//!
//! Inputs go through `std::hint::black_box` every iteration (see `benches/gradients.rs`).
//! Run with `cargo bench --bench forward_mode`.

// The hand-written adjoints are for `benches/gradients.rs`; this bench does not time them.
#[allow(dead_code)]
mod common;

use std::hint::black_box;
use std::time::Duration;

use autodiff::Tensor;
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

/// A fixed direction with irregular elements.
fn direction<const R: usize, const C: usize>(salt: f64) -> Tensor<f64, R, C> {
    Tensor::from_fn(|r, c| 0.4 + (1.7 * (r * C + c) as f64 + salt).cos())
}

fn bench_calc(c: &mut Criterion) {
    let a = calc_input();
    let v = direction::<3, 1>(0.3);
    let mut g = group(c, "fwd_calc");
    g.bench_function("forward", |b| b.iter(|| calc(black_box(a))));
    g.bench_function("jvp", |b| b.iter(|| calc_jvp(black_box(a), black_box(v))));
    g.bench_function("grad", |b| b.iter(|| calc_grad(black_box(a))));
    g.bench_function("hvp", |b| b.iter(|| calc_hvp(black_box(a), black_box(v))));
    g.finish();
}

fn bench_mlp(c: &mut Criterion) {
    const H: usize = 10;
    let (w1, w2, w3, x, t) = mlp_inputs::<H>();
    let (v1, v2, v3) = (
        direction::<3, H>(0.1),
        direction::<H, H>(0.9),
        direction::<H, 1>(2.3),
    );
    let mut g = group(c, "fwd_mlp_h10");
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
    g.bench_function("jvp", |b| {
        b.iter(|| {
            mlp_jvp(
                black_box(&w1),
                black_box(&w2),
                black_box(&w3),
                black_box(x),
                black_box(t),
                black_box(v1),
                black_box(v2),
                black_box(v3),
            )
        })
    });
    g.bench_function("grad", |b| {
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
    g.bench_function("hvp", |b| {
        b.iter(|| {
            mlp_hvp(
                black_box(&w1),
                black_box(&w2),
                black_box(&w3),
                black_box(x),
                black_box(t),
                black_box(v1),
                black_box(v2),
                black_box(v3),
            )
        })
    });
    g.finish();
}

fn bench_spring(c: &mut Criterion) {
    let (k, cd, x0, v0, target) = spring_inputs();
    let (dk, dc) = (0.7, -1.3);
    let mut g = group(c, "fwd_spring_100");
    g.bench_function("forward", |b| {
        b.iter(|| {
            spring(
                black_box(k),
                black_box(cd),
                black_box(x0),
                black_box(v0),
                black_box(target),
            )
        })
    });
    g.bench_function("jvp", |b| {
        b.iter(|| {
            spring_jvp(
                black_box(k),
                black_box(cd),
                black_box(x0),
                black_box(v0),
                black_box(target),
                black_box(dk),
                black_box(dc),
            )
        })
    });
    g.bench_function("grad", |b| {
        b.iter(|| {
            spring_grad(
                black_box(k),
                black_box(cd),
                black_box(x0),
                black_box(v0),
                black_box(target),
            )
        })
    });
    g.bench_function("hvp", |b| {
        b.iter(|| {
            spring_hvp(
                black_box(k),
                black_box(cd),
                black_box(x0),
                black_box(v0),
                black_box(target),
                black_box(dk),
                black_box(dc),
            )
        })
    });
    g.finish();
}

criterion_group!(benches, bench_calc, bench_mlp, bench_spring);
criterion_main!(benches);
