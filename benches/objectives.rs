//! Whole objectives against their gradients, the two non-toy cases of issue 10:
//!
//! * `gmm_n1000`: a Gaussian mixture's negative log-posterior over 1,000 points in a
//!   slice (K = 4 components in D = 3, a `#[differentiable]` helper per component,
//!   `logsumexp` over the components, a Wishart prior loop over the components):
//!   `objective` (the plain function) and `gradient` (`gmm_objective_grad`, with respect
//!   to every mixture parameter). Goal: gradient / objective ≤ 2.7 (Enzyme's), aim 2.5.
//!   `hand` is a hand-written fused adjoint (`gmm_hand_grad`, checked equal to the
//!   generated gradient by `tests/objectives.rs`): what the ratio can be on this machine.
//! * `ba`: the bundle-adjustment reprojection residual (Rodrigues rotation with its
//!   small-angle branch, radial distortion; 15 differentiated inputs: camera 11, point 3,
//!   weight 1): `residual` (the plain function) and `jacobian` (the 2x15 Jacobian from one
//!   `ba_residual_vjp` call and two `backward` calls). Goal: jacobian / residual ≤ 3.7,
//!   aim 3.0.
//!
//! The functions live in `objectives_common/mod.rs`, which `tests/objectives.rs` checks
//! against central finite differences. Every iteration passes the same inputs through
//! `std::hint::black_box`. Run with `cargo bench --bench objectives`, then
//! `python3 scripts/objectives_table.py` for the Markdown table.

mod objectives_common;

use std::hint::black_box;
use std::time::Duration;

use criterion::{
    BenchmarkGroup, Criterion, criterion_group, criterion_main, measurement::WallTime,
};

use objectives_common::*;

/// Opens a group with short measurement settings (the whole run stays under a minute).
fn group<'a>(c: &'a mut Criterion, name: &str) -> BenchmarkGroup<'a, WallTime> {
    let mut group = c.benchmark_group(name);
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(50);
    group
}

/// The GMM objective and its gradient at n = 1,000 points.
fn bench_gmm(c: &mut Criterion) {
    let m = gmm_params();
    let xs = gmm_points(1000);
    let mut g = group(c, "gmm_n1000");
    g.bench_function("objective", |b| {
        b.iter(|| gmm_objective(black_box(&m), black_box(&xs)))
    });
    g.bench_function("gradient", |b| {
        b.iter(|| gmm_objective_grad(black_box(&m), black_box(&xs)))
    });
    g.bench_function("hand", |b| {
        b.iter(|| gmm_hand_grad(black_box(&m), black_box(&xs)))
    });
    g.finish();
}

/// The BA residual and its 2x15 Jacobian.
fn bench_ba(c: &mut Criterion) {
    let (cam, point, weight, observed) = ba_inputs();
    let mut g = group(c, "ba");
    g.bench_function("residual", |b| {
        b.iter(|| {
            ba_residual(
                black_box(&cam),
                black_box(point),
                black_box(weight),
                black_box(observed),
            )
        })
    });
    g.bench_function("jacobian", |b| {
        b.iter(|| {
            ba_jacobian(
                black_box(&cam),
                black_box(point),
                black_box(weight),
                black_box(observed),
            )
        })
    });
    g.finish();
}

criterion_group!(benches, bench_gmm, bench_ba);
criterion_main!(benches);
