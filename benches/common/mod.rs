//! The benchmarked functions, shared by `benches/gradients.rs`, `tests/hand_adjoints.rs`
//! and `tests/allocations.rs` so that the code that is timed is the code that is checked.
//!
//! Each function comes three ways:
//!
//! * the plain function `f` (what `#[differentiable]` leaves of the user's code),
//! * the generated `f_grad`, and
//! * `f_hand_grad`, a hand-written adjoint on the same nalgebra types: what a careful
//!   person would write without the macro. It reuses forward values in the reverse
//!   sweep, multiplies by transposes with `tr_mul` instead of materialising them,
//!   simplifies derivatives where the algebra is obvious, and allocates nothing.
//!
//! The hand-written adjoints take and return exactly what the generated ones do, so the
//! test can compare them element by element and the benchmark calls them the same way.

use autodiff::nalgebra::{SMatrix, SVector};
use autodiff::{Tensor, differentiable, tensor};

// ---------------------------------------------------------------------------------------
// calc: the seed tutorial's straight-line elementwise function.
// ---------------------------------------------------------------------------------------

/// The seed tutorial's function: `mean((2a + 1)² / ((2a + 1)² + 2))`.
#[differentiable]
pub fn calc(a: Tensor<f64, 3>) -> f64 {
    let b = a * 2.0 + 1.0;
    let c = b * b;
    let d = c / (c + 2.0);
    d.mean()
}

/// Hand-written gradient of [`calc`].
///
/// With `s = c + 2`, `∂(c / s)/∂c = 2 / s²` (the `c` and `s` paths combined), so the
/// reverse sweep is one fused elementwise pass: `ā = 2 · 2b · (1/3) · 2 / s²`.
pub fn calc_hand_grad(a: Tensor<f64, 3>) -> (f64, Tensor<f64, 3>) {
    let a = a.into_matrix();
    let b = (a * 2.0).add_scalar(1.0);
    let c = b.component_mul(&b);
    let s = c.add_scalar(2.0);
    let d = c.component_div(&s);
    let y = d.mean();

    let dd = 1.0 / 3.0;
    let da = b.zip_map(&s, |b, s| 4.0 * b * (dd * 2.0 / (s * s)));
    (y, Tensor::from_matrix(da))
}

/// The input every `calc` benchmark and test uses.
pub fn calc_input() -> Tensor<f64, 3> {
    tensor![1.0, 2.0, 3.0]
}

// ---------------------------------------------------------------------------------------
// mlp: a three-layer perceptron with CELU activations, gradient w.r.t. all weights.
// ---------------------------------------------------------------------------------------

/// Squared error of a 3 → H → H → 1 perceptron with CELU (α = 1) activations.
#[differentiable(wrt(w1, w2, w3))]
pub fn mlp<const H: usize>(
    w1: &Tensor<f64, 3, H>,
    w2: &Tensor<f64, H, H>,
    w3: &Tensor<f64, H, 1>,
    x: Tensor<f64, 3>,
    t: Tensor<f64, 1>,
) -> f64 {
    let h1 = w1.t().matmul(x).celu(1.0);
    let h2 = w2.t().matmul(h1).celu(1.0);
    let y = w3.t().matmul(h2).celu(1.0);
    (y - t).powi(2).mean()
}

/// The gradients of [`mlp`] with respect to its three weight matrices.
pub type MlpGrads<const H: usize> = (Tensor<f64, 3, H>, Tensor<f64, H, H>, Tensor<f64, H, 1>);

/// CELU with α = 1.
#[inline]
fn celu(z: f64) -> f64 {
    if z > 0.0 { z } else { z.exp_m1() }
}

/// CELU's derivative (α = 1) from its *output* `y = celu(z)`: 1 where `z > 0` (exactly
/// where `y > 0`), otherwise `eᶻ = y + 1`. Reusing the output saves an `exp` per element.
#[inline]
fn celu_grad_from_output(y: f64) -> f64 {
    if y > 0.0 { 1.0 } else { y + 1.0 }
}

/// Hand-written gradient of [`mlp`].
///
/// Forward products `Wᵀx` are `tr_mul` (no transpose is built); the reverse sweep needs
/// `W ḡ` (a plain product) and the outer products `h ḡᵀ`; activations' derivatives come
/// from the saved activations.
pub fn mlp_hand_grad<const H: usize>(
    w1: &Tensor<f64, 3, H>,
    w2: &Tensor<f64, H, H>,
    w3: &Tensor<f64, H, 1>,
    x: Tensor<f64, 3>,
    t: Tensor<f64, 1>,
) -> (f64, MlpGrads<H>) {
    let (w1, w2, w3) = (w1.as_matrix(), w2.as_matrix(), w3.as_matrix());
    let x = x.as_matrix();

    let h1: SVector<f64, H> = w1.tr_mul(x).map(celu);
    let h2: SVector<f64, H> = w2.tr_mul(&h1).map(celu);
    let y = celu(w3.dot(&h2));
    let r = y - t[0];
    let loss = r * r;

    let dz3 = 2.0 * r * celu_grad_from_output(y);
    let dw3 = h2 * dz3;
    let dz2 = (w3 * dz3).zip_map(&h2, |g, h| g * celu_grad_from_output(h));
    let dw2: SMatrix<f64, H, H> = h1 * dz2.transpose();
    let dz1 = (w2 * dz2).zip_map(&h1, |g, h| g * celu_grad_from_output(h));
    let dw1: SMatrix<f64, 3, H> = x * dz1.transpose();

    (
        loss,
        (
            Tensor::from_matrix(dw1),
            Tensor::from_matrix(dw2),
            Tensor::from_matrix(dw3),
        ),
    )
}

/// The arguments of [`mlp`]: `(w1, w2, w3, x, t)`.
pub type MlpInputs<const H: usize> = (
    Tensor<f64, 3, H>,
    Tensor<f64, H, H>,
    Tensor<f64, H, 1>,
    Tensor<f64, 3>,
    Tensor<f64, 1>,
);

/// Deterministic weights of width `H`, scaled by `1/√fan_in` so that pre-activations stay
/// of order one, and the fixed input and target.
pub fn mlp_inputs<const H: usize>() -> MlpInputs<H> {
    fn weights<const R: usize, const C: usize>(salt: f64) -> Tensor<f64, R, C> {
        let scale = 1.0 / (R as f64).sqrt();
        Tensor::from_fn(|r, c| scale * (1.3 * r as f64 - 0.7 * c as f64 + salt).sin())
    }
    (
        weights(0.1),
        weights(0.2),
        weights(0.3),
        tensor![0.5, -0.3, 0.8],
        tensor![0.25],
    )
}

// ---------------------------------------------------------------------------------------
// spring-100: a damped spring integrated over a constant number of steps.
// ---------------------------------------------------------------------------------------

/// Number of semi-implicit Euler steps of the spring benchmark.
pub const STEPS: usize = 100;
/// Time step of the spring benchmark.
pub const DT: f64 = 0.01;

/// Squared distance of a damped spring's final position from `target`, after
/// [`STEPS`] semi-implicit Euler steps; differentiated w.r.t. stiffness `k` and damping `c`.
#[differentiable(wrt(k, c))]
pub fn spring(k: f64, c: f64, x0: f64, v0: f64, target: f64) -> f64 {
    let mut x = x0;
    let mut v = v0;
    for _ in 0..STEPS {
        let a = -k * x - c * v;
        v = v + a * DT;
        x = x + v * DT;
    }
    (x - target) * (x - target)
}

/// Hand-written gradient of [`spring`]: the forward pass keeps each step's starting
/// state in two stack arrays, the reverse pass walks them backwards.
pub fn spring_hand_grad(k: f64, c: f64, x0: f64, v0: f64, target: f64) -> (f64, (f64, f64)) {
    let mut xs = [0.0; STEPS];
    let mut vs = [0.0; STEPS];
    let (mut x, mut v) = (x0, v0);
    for (xi, vi) in xs.iter_mut().zip(vs.iter_mut()) {
        (*xi, *vi) = (x, v);
        let a = -k * x - c * v;
        v += a * DT;
        x += v * DT;
    }
    let r = x - target;
    let loss = r * r;

    // Adjoints of the state after the last step.
    let (mut dx, mut dv) = (2.0 * r, 0.0);
    let (mut dk, mut dc) = (0.0, 0.0);
    for (&x, &v) in xs.iter().zip(&vs).rev() {
        // x' = x + v' dt: x̄ passes through, v̄' gains x̄' dt.
        dv += dx * DT;
        // v' = v + a dt, a = -k x - c v.
        let da = dv * DT;
        dk -= da * x;
        dc -= da * v;
        dx -= da * k;
        dv -= da * c;
    }
    (loss, (dk, dc))
}

/// The spring benchmark's fixed inputs `(k, c, x0, v0, target)`.
pub fn spring_inputs() -> (f64, f64, f64, f64, f64) {
    (4.0, 0.3, 1.0, 0.0, 0.2)
}
