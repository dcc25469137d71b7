//! The two objectives `benches/objectives.rs` times and `tests/objectives.rs` checks
//! against central finite differences, so the code that is timed is the code that is
//! checked.
//!
//! * A Gaussian mixture model's negative log-posterior (the GMM objective of ADBench,
//!   with diagonal precisions), over `n` data points in a slice.
//! * The bundle-adjustment reprojection residual (ADBench's camera model: Rodrigues
//!   rotation, a camera centre, focal length, principal point and two radial distortion
//!   coefficients), and its 2x15 Jacobian from one `_vjp` and two `backward` calls.

use autodiff::{Differentiable, Tensor, differentiable, tensor};

// ---------------------------------------------------------------------------------------
// GMM: K = 4 components over D = 3 dimensions.
// ---------------------------------------------------------------------------------------

/// Dimension of a data point.
pub const D: usize = 3;
/// Number of mixture components.
pub const K: usize = 4;
/// The Wishart prior's scale γ, squared (ADBench's `wishart_gamma = 1`).
const WISHART_GAMMA2: f64 = 1.0;
/// The Wishart prior's extra degrees of freedom `m`.
const WISHART_M: f64 = 1.0;

/// A Gaussian mixture with diagonal covariances, all fields differentiated.
///
/// Component `k` has mean `means[k]`, standard deviations `exp(-log_inv_std[k])` (ADBench's
/// `Qₖ = diag(exp(qₖ))`, the precision being `QₖᵀQₖ`, so `ln det Qₖ = Σ qₖ`) and
/// unnormalised log-weight `log_weights[k]` (its weight is `softmax(log_weights)[k]`).
#[derive(Clone, Debug, Differentiable)]
pub struct Gmm {
    /// Unnormalised log-weights `α`.
    pub log_weights: Tensor<f64, K>,
    /// Means `μₖ`.
    pub means: [Tensor<f64, D>; K],
    /// Log inverse standard deviations `qₖ`: `Qₖ = diag(exp(qₖ))`.
    pub log_inv_std: [Tensor<f64, D>; K],
}

/// Log-density of one component at `x`, up to the constant `-D/2 ln 2π`:
/// `offset - ½ ‖inv_std ⊙ (x - mean)‖²`, where the caller passes the diagonal of `Qₖ` as
/// `inv_std` and folds the component's log-weight and `ln det Qₖ = Σ qₖ` into `offset`.
#[differentiable(wrt(mean, inv_std, offset))]
pub fn log_component(
    x: Tensor<f64, D>,
    mean: Tensor<f64, D>,
    inv_std: Tensor<f64, D>,
    offset: f64,
) -> f64 {
    let z = inv_std * (x - mean);
    offset - 0.5 * z.dot(z)
}

/// The GMM's negative log-posterior, up to constants (ADBench's GMM objective with
/// diagonal `Qₖ = diag(exp(qₖ))`):
///
/// `n · logsumexp(α) - Σᵢ logsumexpₖ(αₖ + Σ qₖ - ½ ‖Qₖ (xᵢ - μₖ)‖²)
///  + Σₖ (½ γ² ‖Qₖ‖² - m Σ qₖ)`,
///
/// the last sum being the negative log of a Wishart prior on the precisions.
#[differentiable(wrt(m))]
pub fn gmm_objective(m: &Gmm, xs: &[Tensor<f64, D>]) -> f64 {
    let (mu0, mu1, mu2, mu3) = (m.means[0], m.means[1], m.means[2], m.means[3]);
    let p0 = m.log_inv_std[0].exp();
    let p1 = m.log_inv_std[1].exp();
    let p2 = m.log_inv_std[2].exp();
    let p3 = m.log_inv_std[3].exp();
    let c0 = m.log_weights[0] + m.log_inv_std[0].sum();
    let c1 = m.log_weights[1] + m.log_inv_std[1].sum();
    let c2 = m.log_weights[2] + m.log_inv_std[2].sum();
    let c3 = m.log_weights[3] + m.log_inv_std[3].sum();
    let mut likelihood = 0.0;
    for x in xs.iter() {
        let v = tensor![
            log_component(*x, mu0, p0, c0),
            log_component(*x, mu1, p1, c1),
            log_component(*x, mu2, p2, c2),
            log_component(*x, mu3, p3, c3)
        ];
        likelihood = likelihood + v.logsumexp();
    }
    let mut prior = 0.0;
    for q in m.log_inv_std.iter() {
        let p = q.exp();
        prior = prior + 0.5 * WISHART_GAMMA2 * p.dot(p) - WISHART_M * q.sum();
    }
    xs.len() as f64 * m.log_weights.logsumexp() - likelihood + prior
}

/// Hand-written gradient of [`gmm_objective`], for reference: one fused pass over the
/// points (no tape) that keeps each point's component values and their softmax weights
/// in registers, as a careful person (or Enzyme with its cache) would.
///
/// With `zₖ = Qₖ (x - μₖ)`, `vₖ = cₖ - ½ zₖ·zₖ` and `wₖ = softmax(v)ₖ`, each point adds
/// `-wₖ` to `∂/∂cₖ`, `-wₖ Qₖ zₖ` to `∂/∂μₖ` and `wₖ zₖ ⊙ (x - μₖ)` to `∂/∂Qₖ`; the
/// chain through `Qₖ = exp(qₖ)`, `cₖ = αₖ + Σ qₖ`, the prior and `n logsumexp(α)` follows.
/// Transcendentals per point: K exponentials and one logarithm, as in the objective.
pub fn gmm_hand_grad(m: &Gmm, xs: &[Tensor<f64, D>]) -> (f64, Gmm) {
    let q: [Tensor<f64, D>; K] = std::array::from_fn(|k| m.log_inv_std[k].exp());
    let c: [f64; K] = std::array::from_fn(|k| m.log_weights[k] + m.log_inv_std[k].sum());
    let mut likelihood = 0.0;
    let mut g_c = [0.0; K];
    let mut g_mu = [Tensor::<f64, D>::zeros(); K];
    let mut g_q = [Tensor::<f64, D>::zeros(); K];
    for x in xs {
        let d: [Tensor<f64, D>; K] = std::array::from_fn(|k| *x - m.means[k]);
        let z: [Tensor<f64, D>; K] = std::array::from_fn(|k| q[k] * d[k]);
        let v: [f64; K] = std::array::from_fn(|k| c[k] - 0.5 * z[k].dot(z[k]));
        let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let e: [f64; K] = std::array::from_fn(|k| (v[k] - max).exp());
        let total: f64 = e.iter().sum();
        likelihood += max + total.ln();
        let inv = 1.0 / total;
        for k in 0..K {
            let w = e[k] * inv;
            g_c[k] -= w;
            g_mu[k] -= q[k] * z[k] * w;
            g_q[k] += z[k] * d[k] * w;
        }
    }
    let n = xs.len() as f64;
    let lse_alpha = m.log_weights.logsumexp();
    let mut prior = 0.0;
    let mut grad = Gmm {
        log_weights: Tensor::zeros(),
        means: g_mu,
        log_inv_std: [Tensor::zeros(); K],
    };
    for k in 0..K {
        let qk = m.log_inv_std[k];
        prior += 0.5 * WISHART_GAMMA2 * q[k].dot(q[k]) - WISHART_M * qk.sum();
        grad.log_weights[k] = n * (m.log_weights[k] - lse_alpha).exp() + g_c[k];
        grad.log_inv_std[k] =
            (g_q[k] + q[k] * WISHART_GAMMA2) * q[k] + Tensor::from_element(g_c[k] - WISHART_M);
    }
    (n * lse_alpha - likelihood + prior, grad)
}

/// The mixture every GMM benchmark and test evaluates: four well-separated components
/// with unequal weights and precisions.
pub fn gmm_params() -> Gmm {
    Gmm {
        log_weights: tensor![0.1, -0.3, 0.4, 0.0],
        means: [
            tensor![0.0, 0.0, 0.0],
            tensor![2.0, -1.0, 0.5],
            tensor![-1.5, 1.5, 1.0],
            tensor![1.0, 2.0, -2.0],
        ],
        log_inv_std: [
            tensor![0.2, -0.1, 0.0],
            tensor![-0.3, 0.1, 0.25],
            tensor![0.0, 0.3, -0.2],
            tensor![0.15, -0.25, 0.1],
        ],
    }
}

/// `n` deterministic data points scattered around the four means (a fixed, irregular
/// sequence, not a random one, so every run sees the same data).
pub fn gmm_points(n: usize) -> Vec<Tensor<f64, D>> {
    let centres = gmm_params().means;
    (0..n)
        .map(|i| {
            let t = i as f64;
            let jitter = tensor![
                (1.3 * t + 0.2).sin(),
                (0.7 * t + 1.1).cos(),
                (2.9 * t + 0.5).sin() * (0.3 * t).cos()
            ];
            centres[i % K] + jitter * 0.8
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Bundle adjustment: one reprojection residual, 2 outputs of 15 inputs.
// ---------------------------------------------------------------------------------------

/// An ADBench camera: 11 parameters.
///
/// A point `X` in the world projects to `f · L(r²) · (Y₀/Y₂, Y₁/Y₂) + principal`, with
/// `Y = R(rotation) (X - center)` and the radial distortion
/// `L(r²) = 1 + k₁ r² + k₂ r⁴`.
#[derive(Clone, Debug, Differentiable)]
pub struct Camera {
    /// Rotation vector (axis times angle, Rodrigues).
    pub rotation: Tensor<f64, 3>,
    /// Camera centre `C`, in world coordinates.
    pub center: Tensor<f64, 3>,
    /// Focal length `f`.
    pub focal: f64,
    /// Principal point.
    pub principal: Tensor<f64, 2>,
    /// Radial distortion coefficients `(k₁, k₂)`.
    pub radial: Tensor<f64, 2>,
}

/// Rotates `x` by the rotation vector `rot` (Rodrigues' formula). Below `θ² = ε` it uses
/// the first-order form `x + rot × x`, as Ceres and ADBench do, to avoid dividing by `θ`.
#[differentiable]
pub fn rodrigues(rot: Tensor<f64, 3>, x: Tensor<f64, 3>) -> Tensor<f64, 3> {
    let theta2 = rot.dot(rot);
    if theta2 > f64::EPSILON {
        let theta = theta2.sqrt();
        let w = rot / theta;
        let c = theta.cos();
        let s = theta.sin();
        x * c + w.cross(x) * s + w * (w.dot(x) * (1.0 - c))
    } else {
        x + rot.cross(x)
    }
}

/// ADBench's weighted reprojection residual `w · (π(cam, X) - observed)` of one
/// observation: 2 outputs of the 15 differentiated inputs (camera 11, point 3, weight 1);
/// the observed image point is data.
#[differentiable(wrt(cam, point, weight))]
pub fn ba_residual(
    cam: &Camera,
    point: Tensor<f64, 3>,
    weight: f64,
    observed: Tensor<f64, 2>,
) -> Tensor<f64, 2> {
    let y = rodrigues(cam.rotation, point - cam.center);
    let proj: Tensor<f64, 2> = y.fixed_rows::<2>(0) / y[2];
    let r2 = proj.dot(proj);
    let distortion = 1.0 + cam.radial[0] * r2 + cam.radial[1] * r2 * r2;
    let predicted = proj * (distortion * cam.focal) + cam.principal;
    (predicted - observed) * weight
}

/// One row of the Jacobian of [`ba_residual`]: its gradient with respect to the camera,
/// the point and the weight.
pub type BaRow = (Camera, Tensor<f64, 3>, f64);

/// The residual and its 2x15 Jacobian, as a user of `_vjp` computes it: one `_vjp` call,
/// then `backward` with the seeds `(1, 0)` (on a clone of the pullback) and `(0, 1)`.
pub fn ba_jacobian(
    cam: &Camera,
    point: Tensor<f64, 3>,
    weight: f64,
    observed: Tensor<f64, 2>,
) -> (Tensor<f64, 2>, [BaRow; 2]) {
    let (residual, pullback) = ba_residual_vjp(cam, point, weight, observed);
    let row0 = pullback.clone().backward(tensor![1.0, 0.0]);
    let row1 = pullback.backward(tensor![0.0, 1.0]);
    (residual, [row0, row1])
}

/// The observation every BA benchmark and test uses: a rotated, distorted camera looking
/// at a point in front of it (`θ² ≈ 0.1`, so the Rodrigues branch is taken).
pub fn ba_inputs() -> (Camera, Tensor<f64, 3>, f64, Tensor<f64, 2>) {
    let cam = Camera {
        rotation: tensor![0.1, -0.25, 0.15],
        center: tensor![0.3, -0.2, -5.0],
        focal: 800.0,
        principal: tensor![320.0, 240.0],
        radial: tensor![-0.05, 0.01],
    };
    let point = tensor![0.5, 0.8, 1.5];
    (cam, point, 1.3, tensor![400.0, 300.0])
}
