//! The five simulation loops `benches/simulations.rs` times and `tests/simulations.rs`
//! checks, so the code that is timed is the code that is checked.
//!
//! Each case comes three ways: the plain function (what `#[differentiable]` leaves of
//! the user's code), the generated `_grad`, and a hand-written adjoint `*_hand_grad`
//! taking and returning exactly what `_grad` does: the fastest code a careful person
//! would write for the same math and accuracy, on plain stack arrays, allocating
//! nothing.
//!
//! * `heat_inline`: 100 explicit steps of the 1-D heat equation on 32 points, the
//!   stencil written in the loop body;
//! * `heat_called`: the same steps through a `#[differentiable]` helper `heat_step`;
//! * `heat_checkpointed`: `heat_called` with `#[checkpoint]` on its loop;
//! * `nbody`: 8 softened gravitating bodies in the plane, 50 semi-implicit Euler steps,
//!   the pairwise forces in a `#[differentiable]` helper `accelerations`;
//! * `spring`: the damped spring of `benches/common/mod.rs`, re-exported from there.
//!
//! The three heat cases compute one function, so they share one hand-written adjoint,
//! [`heat_hand_grad`]: the stencil is linear, so its adjoint is its transpose applied
//! [`HEAT_STEPS`] times to `2 u`, storing no intermediate state.

use autodiff::nalgebra::{ArrayStorage, SMatrix};
use autodiff::{Tensor, differentiable};

// The spring case is `benches/common/mod.rs`'s; its other functions belong to
// `benches/gradients.rs`.
#[allow(dead_code)]
#[path = "../common/mod.rs"]
mod common;

pub use common::{spring, spring_grad, spring_hand_grad, spring_inputs};

// ---------------------------------------------------------------------------------------
// heat: 100 explicit steps of the 1-D heat equation, fixed ends.
// ---------------------------------------------------------------------------------------

/// Number of explicit steps of every heat case.
pub const HEAT_STEPS: usize = 100;

/// Number of grid points of every heat case.
const HEAT_N: usize = 32;

/// `Σ u²` after [`HEAT_STEPS`] explicit heat-equation steps
/// `uᵢ ← uᵢ + a (uᵢ₋₁ - 2uᵢ + uᵢ₊₁)` (ends fixed), the stencil inline in the loop body;
/// differentiated w.r.t. the initial state `u0`.
#[differentiable(wrt(u0))]
pub fn heat_inline(u0: Tensor<f64, 32>, a: f64) -> f64 {
    let mut u = u0;
    for _ in 0..HEAT_STEPS {
        let mut u_new = u;
        for i in 1..31 {
            u_new[i] = u[i] + a * (u[i - 1] - 2.0 * u[i] + u[i + 1]);
        }
        u = u_new;
    }
    (u * u).sum()
}

/// One explicit heat-equation step of [`heat_inline`]'s loop (ends fixed).
#[differentiable]
pub fn heat_step(u: Tensor<f64, 32>, a: f64) -> Tensor<f64, 32> {
    let mut u_new = u;
    for i in 1..31 {
        u_new[i] = u[i] + a * (u[i - 1] - 2.0 * u[i] + u[i + 1]);
    }
    u_new
}

/// [`heat_inline`] with each step a call to [`heat_step`] (a taped loop of calls).
#[differentiable(wrt(u0))]
pub fn heat_called(u0: Tensor<f64, 32>, a: f64) -> f64 {
    let mut u = u0;
    for _ in 0..HEAT_STEPS {
        u = heat_step(u, a);
    }
    (u * u).sum()
}

/// [`heat_called`] with its loop under `#[checkpoint]` (binomial checkpointing instead of
/// a tape).
#[differentiable(wrt(u0))]
pub fn heat_checkpointed(u0: Tensor<f64, 32>, a: f64) -> f64 {
    let mut u = u0;
    #[checkpoint]
    for _ in 0..HEAT_STEPS {
        u = heat_step(u, a);
    }
    (u * u).sum()
}

/// `dst[i] = src[i] + a (src[i-1] - 2 src[i] + src[i+1])` for the interior points;
/// `dst`'s two ends are left as they are.
#[inline(always)]
fn stencil(src: &[f64; HEAT_N], dst: &mut [f64; HEAT_N], a: f64) {
    for i in 1..HEAT_N - 1 {
        dst[i] = src[i] + a * (src[i - 1] - 2.0 * src[i] + src[i + 1]);
    }
}

/// Applies [`stencil`] [`HEAT_STEPS`] times, ping-ponging between `p` and `q` (whose ends
/// must agree), and returns the buffer holding the result.
#[inline(always)]
fn stencil_steps<'a>(
    mut p: &'a mut [f64; HEAT_N],
    mut q: &'a mut [f64; HEAT_N],
    a: f64,
) -> &'a mut [f64; HEAT_N] {
    for _ in 0..HEAT_STEPS {
        stencil(p, q, a);
        std::mem::swap(&mut p, &mut q);
    }
    p
}

/// Hand-written gradient of [`heat_inline`], [`heat_called`] and [`heat_checkpointed`]
/// (one function, three spellings).
///
/// Forward: the stencil on two stack buffers, ping-ponged (the ends never change, so
/// they are written once). Reverse: a step `S` is linear, so `ū ← Sᵀ ū`, applied
/// [`HEAT_STEPS`] times to `ū = 2u`, stores nothing. `Sᵀ` is the same stencil on the
/// interior with zero ghost ends (an end point is not an interior point's image), plus
/// `ū₀ += a ū₁` and `ū₃₁ += a ū₃₀` for the ends, whose own rows are the identity.
pub fn heat_hand_grad(u0: Tensor<f64, 32>, a: f64) -> (f64, Tensor<f64, 32>) {
    let mut p = u0.into_matrix().data.0[0];
    let mut q = p;
    let u = stencil_steps(&mut p, &mut q, a);
    let value: f64 = u.iter().map(|x| x * x).sum();

    let mut g = [0.0; HEAT_N];
    for (g, u) in g.iter_mut().zip(u.iter()) {
        *g = 2.0 * u;
    }
    let (mut first, mut last) = (g[0], g[HEAT_N - 1]);
    g[0] = 0.0;
    g[HEAT_N - 1] = 0.0;
    let mut h = g;
    let (mut p, mut q) = (&mut g, &mut h);
    for _ in 0..HEAT_STEPS {
        first += a * p[1];
        last += a * p[HEAT_N - 2];
        stencil(p, q, a);
        std::mem::swap(&mut p, &mut q);
    }
    let mut grad = *p;
    grad[0] = first;
    grad[HEAT_N - 1] = last;
    (value, Tensor::from(grad))
}

/// The heat cases' inputs `(u0, a)`: a positive, irregular initial profile and the
/// stability limit's half, `a = 0.25`.
pub fn heat_inputs() -> (Tensor<f64, 32>, f64) {
    let u0 = Tensor::from_fn(|i, _| 1.0 + 0.5 * (i as f64 * 0.7).sin() + 0.02 * i as f64);
    (u0, 0.25)
}

// ---------------------------------------------------------------------------------------
// nbody: 8 softened bodies in the plane, 50 semi-implicit Euler steps.
// ---------------------------------------------------------------------------------------

/// Number of semi-implicit Euler steps of the n-body case.
pub const NBODY_STEPS: usize = 50;
/// Number of bodies.
const BODIES: usize = 8;
/// Time step of the n-body case.
const NBODY_DT: f64 = 0.01;
/// Softening `ε²` added to every squared distance.
const SOFTENING: f64 = 0.01;

/// Accelerations of 8 unit masses at `pos` (row 0 = x, row 1 = y, one column per body)
/// under softened gravity: `aᵢ = Σⱼ≠ᵢ (pⱼ - pᵢ) / (|pⱼ - pᵢ|² + 0.01)^{3/2}`.
#[differentiable]
pub fn accelerations(pos: Tensor<f64, 2, 8>) -> Tensor<f64, 2, 8> {
    let mut acc = Tensor::<f64, 2, 8>::zeros();
    for i in 0..8 {
        for j in 0..8 {
            if i != j {
                let dx = pos[(0, j)] - pos[(0, i)];
                let dy = pos[(1, j)] - pos[(1, i)];
                let r2 = dx * dx + dy * dy + 0.01;
                let inv = 1.0 / (r2 * r2.sqrt());
                acc[(0, i)] += dx * inv;
                acc[(1, i)] += dy * inv;
            }
        }
    }
    acc
}

/// Kinetic energy plus `Σ |p|²` of 8 bodies after [`NBODY_STEPS`] semi-implicit Euler
/// steps (`v ← v + a(p) dt`, then `p ← p + v dt`, dt = 0.01); differentiated w.r.t. the
/// initial positions and velocities.
#[differentiable]
pub fn nbody(pos0: Tensor<f64, 2, 8>, vel0: Tensor<f64, 2, 8>) -> f64 {
    let mut pos = pos0;
    let mut vel = vel0;
    for _ in 0..NBODY_STEPS {
        let acc = accelerations(pos);
        vel = vel + acc * 0.01;
        pos = pos + vel * 0.01;
    }
    (vel * vel).sum() * 0.5 + (pos * pos).sum()
}

/// Positions or velocities as nalgebra stores a `Tensor<f64, 2, 8>`: one `[x, y]` per body.
type Bodies = [[f64; 2]; BODIES];

/// [`accelerations`] over each pair once: the pair `(j, i)` is the pair `(i, j)` negated
/// exactly (`pᵢ - pⱼ = -(pⱼ - pᵢ)` in floating point, and the distance is the same), and
/// each body still receives its terms in the order `j = 0..8`, so the result is
/// [`accelerations`]' bit for bit with half the square roots and divisions.
#[inline(always)]
fn accelerations_hand(p: &Bodies) -> Bodies {
    let mut acc = [[0.0; 2]; BODIES];
    for i in 0..BODIES {
        for j in i + 1..BODIES {
            let dx = p[j][0] - p[i][0];
            let dy = p[j][1] - p[i][1];
            let r2 = dx * dx + dy * dy + SOFTENING;
            let inv = 1.0 / (r2 * r2.sqrt());
            let (fx, fy) = (dx * inv, dy * inv);
            acc[i][0] += fx;
            acc[i][1] += fy;
            acc[j][0] -= fx;
            acc[j][1] -= fy;
        }
    }
    acc
}

/// Hand-written gradient of [`nbody`].
///
/// The forward pass keeps each step's starting positions in a stack array (built in
/// order by `array::from_fn`, so it is written once) and uses the pairwise symmetry of
/// the forces. The reverse pass walks the steps backwards: `v̄ += p̄ dt`, `ā = v̄ dt`,
/// then the pair adjoint, once per pair: with `d = pⱼ - pᵢ`, `r² = |d|² + ε²`,
/// `f = d r⁻³` and `ḡ = āᵢ - āⱼ` (the pair's force enters `aᵢ` and `-aⱼ`),
/// `d̄ = ḡ r⁻³ - 3 (d·ḡ) r⁻⁵ d`, added to `p̄ⱼ` and subtracted from `p̄ᵢ`; one square
/// root and one division per pair.
pub fn nbody_hand_grad(
    pos0: Tensor<f64, 2, 8>,
    vel0: Tensor<f64, 2, 8>,
) -> (f64, (Tensor<f64, 2, 8>, Tensor<f64, 2, 8>)) {
    let mut p: Bodies = pos0.into_matrix().data.0;
    let mut v: Bodies = vel0.into_matrix().data.0;
    let saved: [Bodies; NBODY_STEPS] = std::array::from_fn(|_| {
        let start = p;
        let acc = accelerations_hand(&p);
        for k in 0..BODIES {
            for d in 0..2 {
                v[k][d] += acc[k][d] * NBODY_DT;
                p[k][d] += v[k][d] * NBODY_DT;
            }
        }
        start
    });
    let mut kinetic = 0.0;
    let mut spread = 0.0;
    for k in 0..BODIES {
        for d in 0..2 {
            kinetic += v[k][d] * v[k][d];
            spread += p[k][d] * p[k][d];
        }
    }
    let value = kinetic * 0.5 + spread;

    // Adjoints of the final state: ∂/∂v of ½|v|² is v, ∂/∂p of |p|² is 2p.
    let mut gv = v;
    let mut gp = p.map(|[x, y]| [2.0 * x, 2.0 * y]);
    for p in saved.iter().rev() {
        // p' = p + v' dt, v' = v + a(p) dt.
        let mut ga = [[0.0; 2]; BODIES];
        for k in 0..BODIES {
            for d in 0..2 {
                gv[k][d] += gp[k][d] * NBODY_DT;
                ga[k][d] = gv[k][d] * NBODY_DT;
            }
        }
        for i in 0..BODIES {
            for j in i + 1..BODIES {
                let dx = p[j][0] - p[i][0];
                let dy = p[j][1] - p[i][1];
                let r2 = dx * dx + dy * dy + SOFTENING;
                let r5 = 1.0 / (r2 * r2 * r2.sqrt());
                let r3 = r5 * r2;
                let gx = ga[i][0] - ga[j][0];
                let gy = ga[i][1] - ga[j][1];
                let s = 3.0 * (dx * gx + dy * gy) * r5;
                let ddx = gx * r3 - s * dx;
                let ddy = gy * r3 - s * dy;
                gp[j][0] += ddx;
                gp[j][1] += ddy;
                gp[i][0] -= ddx;
                gp[i][1] -= ddy;
            }
        }
    }
    let tensor = |b: Bodies| Tensor::from_matrix(SMatrix::from_array_storage(ArrayStorage(b)));
    (value, (tensor(gp), tensor(gv)))
}

/// The n-body inputs `(pos0, vel0)`: 8 bodies on a perturbed ring of radius 1.2 to 1.9,
/// moving roughly tangentially at about the ring's orbital speed, so that no two come
/// closer than about 0.4 within the 50 steps.
pub fn nbody_inputs() -> (Tensor<f64, 2, 8>, Tensor<f64, 2, 8>) {
    let angle =
        |k: usize| std::f64::consts::TAU * k as f64 / BODIES as f64 + 0.1 * (k as f64).sin();
    let radius = |k: usize| 1.2 + 0.1 * k as f64;
    let pos = Tensor::from_fn(|r, k| {
        let (s, c) = angle(k).sin_cos();
        radius(k) * if r == 0 { c } else { s }
    });
    let vel = Tensor::from_fn(|r, k| {
        let (s, c) = angle(k).sin_cos();
        let speed = 1.3 + 0.05 * (k as f64 * 1.7).cos();
        speed * if r == 0 { -s } else { c } + 0.03 * ((r + 2 * k) as f64).sin()
    });
    (pos, vel)
}
