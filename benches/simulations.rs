//! Simulation loops: the generated gradient against a careful hand-written adjoint and
//! the plain forward pass, measured side by side in one run.
//!
//! One criterion group per case, each with `forward` (the plain function), `generated`
//! (`f_grad`) and `hand` (the hand-written adjoint, checked equal to the generated
//! gradient by `tests/simulations.rs`):
//!
//! * `sim_heat_inline`: 100 heat-equation steps on 32 points, the stencil in the loop;
//! * `sim_heat_called`: the same, each step a call to a `#[differentiable]` helper;
//! * `sim_heat_checkpointed`: `heat_called` with `#[checkpoint]` on the loop;
//! * `sim_nbody`: 8 softened bodies, 50 semi-implicit Euler steps, pairwise forces in a
//!   `#[differentiable]` helper;
//! * `sim_spring`: the damped spring of `benches/common/mod.rs`, 100 steps.
//!
//! The three heat groups share one hand-written adjoint (one function, three spellings).
//! Every iteration passes the same inputs through `std::hint::black_box`. Measurement is
//! short (0.5 s warm-up, 1.5 s measurement, 30 samples) so the run takes well under two
//! minutes. Run with `cargo bench --bench simulations`, then
//! `python3 scripts/simulations_table.py` for the Markdown table.

mod simulations_common;

use std::hint::black_box;
use std::time::Duration;

use criterion::{
    BenchmarkGroup, Criterion, criterion_group, criterion_main, measurement::WallTime,
};

use autodiff::Tensor;
use simulations_common::*;

/// Opens a group with the run's short measurement settings.
fn group<'a>(c: &'a mut Criterion, name: &str) -> BenchmarkGroup<'a, WallTime> {
    let mut group = c.benchmark_group(name);
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_millis(1500))
        .sample_size(30);
    group
}

/// A heat spelling's group: its plain function, its generated gradient and the shared
/// hand-written adjoint.
/// Generic over the two functions, so each is called directly, not through a pointer.
fn bench_heat(
    c: &mut Criterion,
    name: &str,
    forward: impl Fn(Tensor<f64, 32>, f64) -> f64,
    generated: impl Fn(Tensor<f64, 32>, f64) -> (f64, Tensor<f64, 32>),
) {
    let (u0, a) = heat_inputs();
    let mut g = group(c, name);
    g.bench_function("forward", |b| {
        b.iter(|| forward(black_box(u0), black_box(a)))
    });
    g.bench_function("generated", |b| {
        b.iter(|| generated(black_box(u0), black_box(a)))
    });
    g.bench_function("hand", |b| {
        b.iter(|| heat_hand_grad(black_box(u0), black_box(a)))
    });
    g.finish();
}

fn bench_heats(c: &mut Criterion) {
    bench_heat(c, "sim_heat_inline", heat_inline, heat_inline_grad);
    bench_heat(c, "sim_heat_called", heat_called, heat_called_grad);
    bench_heat(
        c,
        "sim_heat_checkpointed",
        heat_checkpointed,
        heat_checkpointed_grad,
    );
}

fn bench_nbody(c: &mut Criterion) {
    let (pos0, vel0) = nbody_inputs();
    let mut g = group(c, "sim_nbody");
    g.bench_function("forward", |b| {
        b.iter(|| nbody(black_box(pos0), black_box(vel0)))
    });
    g.bench_function("generated", |b| {
        b.iter(|| nbody_grad(black_box(pos0), black_box(vel0)))
    });
    g.bench_function("hand", |b| {
        b.iter(|| nbody_hand_grad(black_box(pos0), black_box(vel0)))
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
    let mut g = group(c, "sim_spring");
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

criterion_group!(benches, bench_heats, bench_nbody, bench_spring);
criterion_main!(benches);
