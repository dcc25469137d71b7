//! Newton's method on the 2-D Rosenbrock function `(1 - x)² + 100 (y - x²)²` from the
//! classic start (-1.2, 1), with the exact Hessian from `rosen_hvp` (two Hessian-vector
//! products per step, forward mode over the reverse sweep) instead of finite differences
//! of the gradient.
//!
//! Run with `cargo run --release --example newton`. The plain Newton iteration converges
//! to the minimum (1, 1); the example asserts it gets within 1e-10 in at most 10 steps.

use autodiff::{Tensor, differentiable, tensor, value_grad_hessian};

/// The Rosenbrock function of `p = (x, y)`.
#[differentiable]
fn rosen(p: Tensor<f64, 2>) -> f64 {
    let x = p[0];
    let y = p[1];
    (1.0 - x).powi(2) + 100.0 * (y - x * x).powi(2)
}

fn main() {
    let minimum = tensor![1.0, 1.0];
    let mut p = tensor![-1.2, 1.0];
    let mut converged_at = None;
    for step in 0..=10 {
        // Column j of the Hessian is `rosen_hvp(p, e_j).2`; the value and gradient come
        // from the same calls.
        let (value, grad, hessian) = value_grad_hessian(rosen_hvp, p);
        let error = (p - minimum).norm();
        println!(
            "step {step:2}: p = ({:+.15}, {:+.15}), f = {value:.3e}, |∇f| = {:.3e}, |p - (1, 1)| = {error:.3e}",
            p[0],
            p[1],
            grad.norm()
        );
        if error < 1e-10 {
            converged_at = Some(step);
            break;
        }
        let newton = hessian
            .into_matrix()
            .lu()
            .solve(grad.as_matrix())
            .expect("the Hessian is invertible along the Newton path");
        p -= Tensor::from_matrix(newton);
    }
    let steps =
        converged_at.expect("Newton's method did not reach (1, 1) within 1e-10 in 10 steps");
    println!("converged to (1, 1) within 1e-10 in {steps} steps");
    assert!(steps <= 10);
}
