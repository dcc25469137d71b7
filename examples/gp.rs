//! Fitting the hyperparameters of a Gaussian process with Adam: the negative log marginal
//! likelihood is written the way nalgebra users write it (`k.cholesky().unwrap()`,
//! `chol.solve(&ys)`, `chol.l().diagonal().map(|v| v.ln()).sum()`), and `#[differentiable]`
//! gives its gradient with respect to the log length scale, log signal variance and log
//! noise variance; `nll_hvp` then gives the curvature along the last step.
//!
//! `cargo run --release --example gp`

use autodiff::optim::Adam;
use autodiff::{Tensor, differentiable};

const N: usize = 16;

/// `½ yᵀ K⁻¹ y + ½ ln det K + (N/2) ln 2π` for the squared-exponential kernel
/// `K = σ² exp(-(xᵢ - xⱼ)² / 2ℓ²) + σₙ² I`, with `θ = (ln ℓ, ln σ², ln σₙ²)`.
#[differentiable(wrt(theta))]
fn nll(theta: Tensor<f64, 3>, xs: Tensor<f64, N>, ys: Tensor<f64, N>) -> f64 {
    let len = theta[0].exp();
    let var = theta[1].exp();
    let noise = theta[2].exp();
    let mut k = Tensor::<f64, N, N>::zeros();
    for i in 0..N {
        for j in 0..N {
            let d = (xs[i] - xs[j]) / len;
            k[(i, j)] = var * (-0.5 * d * d).exp();
        }
        k[(i, i)] = k[(i, i)] + noise;
    }
    let chol = k.cholesky().unwrap();
    let alpha = chol.solve(&ys);
    let log_det = 2.0 * chol.l().diagonal().map(|v| v.ln()).sum();
    0.5 * ys.dot(alpha) + 0.5 * log_det + 0.5 * N as f64 * (2.0 * std::f64::consts::PI).ln()
}

fn main() {
    // Samples of sin(x) with a deterministic, irregular "noise" of size 0.2.
    let xs = Tensor::<f64, N>::from_fn(|i, _| -3.0 + 6.0 * i as f64 / (N - 1) as f64);
    let ys =
        Tensor::<f64, N>::from_fn(|i, _| xs[i].sin() + 0.2 * (12.9 * i as f64 * i as f64).sin());
    let mut theta = Tensor::<f64, 3>::from_row_slice(&[1.5, -1.0, -1.0]);
    let mut adam = Adam::new(0.05);
    let first = nll(theta, xs, ys);
    println!("step    0: nll {first:.6}, θ = {theta}");
    let mut last_step = Tensor::<f64, 3>::zeros();
    for step in 1..=500 {
        let (value, grad) = nll_grad(theta, xs, ys);
        let before = theta;
        adam.step(&mut theta, &grad);
        last_step = theta - before;
        if step % 100 == 0 {
            println!("step {step:4}: nll {value:.6}, |∇| {:.2e}", grad.norm());
        }
    }
    let (last, grad) = nll_grad(theta, xs, ys);
    println!(
        "fitted: length scale {:.3}, signal variance {:.3}, noise variance {:.4}",
        theta[0].exp(),
        theta[1].exp(),
        theta[2].exp()
    );
    // The curvature along the last step, from forward-over-reverse: positive near a minimum.
    let direction = last_step / last_step.norm();
    let (_, _, hv) = nll_hvp(theta, xs, ys, direction);
    println!(
        "final nll {last:.6} (from {first:.6}), |∇| {:.2e}, curvature along the last step {:.4}",
        grad.norm(),
        direction.dot(hv)
    );
    assert!(
        last < first,
        "the likelihood did not improve: {first} -> {last}"
    );
    assert!(grad.norm() < 1e-6, "not converged: |∇| = {}", grad.norm());
    assert!(direction.dot(hv) > 0.0, "not at a minimum");
}
