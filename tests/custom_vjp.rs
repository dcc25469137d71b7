//! User-defined primitives: a function with a hand-written VJP, used in
//! `#[differentiable]` bodies like a built-in op.

use autodiff::{Tensor, custom_vjp, differentiable, gradcheck, tensor};

/// A numerically stable softplus, `ln(1 + e^x)`.
#[custom_vjp(softplus_vjp)]
fn softplus(x: f64) -> f64 {
    if x > 30.0 { x } else { x.exp().ln_1p() }
}

/// `d/dx softplus(x) = sigmoid(x)`, computed without overflow.
fn softplus_vjp(x: f64, _out: f64, ct: f64) -> f64 {
    ct / (1.0 + (-x).exp())
}

/// Clips the gradient (not the value) to [-1, 1]: a classic hand-written VJP.
#[custom_vjp(clip_grad_vjp)]
fn clip_grad(x: Tensor<f64, 3>, limit: f64) -> Tensor<f64, 3> {
    x * limit.signum()
}

fn clip_grad_vjp(
    _x: Tensor<f64, 3>,
    limit: f64,
    _out: Tensor<f64, 3>,
    ct: Tensor<f64, 3>,
) -> (Tensor<f64, 3>, f64) {
    (ct.map(|g| g.clamp(-limit, limit)), 0.0)
}

#[differentiable]
fn model(w: Tensor<f64, 3>, b: f64) -> f64 {
    let z = w.sum() + b;
    softplus(z) * 2.0 + softplus(b * 3.0)
}

#[differentiable]
fn clipped(x: Tensor<f64, 3>) -> f64 {
    (clip_grad(x, 1.0) * 10.0).sum()
}

#[test]
fn custom_primitives_chain_like_built_in_ops() {
    let w = tensor![0.5, -1.0, 2.0];
    let (value, (dw, db)) = model_grad(w, 0.25);
    assert_eq!(value, model(w, 0.25));
    let report = gradcheck(|w| model(w, 0.25), w, dw);
    assert!(report.passed(), "{report}");
    let report = gradcheck(|b| model(w, b), 0.25, db);
    assert!(report.passed(), "{report}");
}

#[test]
fn the_hand_written_rule_is_the_one_used() {
    // The true derivative is 10 per element; the custom rule clips the cotangent to 1.
    let (_, grad) = clipped_grad(tensor![1.0, 2.0, 3.0]);
    assert_eq!(grad, Tensor::from_element(1.0));
    // And softplus stays finite where the naive formula overflows.
    let (value, (dw, _)) = model_grad(tensor![400.0, 300.0, 100.0], 0.0);
    assert!(value.is_finite() && dw.iter().all(|g| g.is_finite()));
}

/// A primitive borrowing an input: its rule takes that input by reference too.
#[custom_vjp(scaled_cube_vjp)]
fn scaled_cube(x: &f64, k: f64) -> f64 {
    x * x * x * k
}

fn scaled_cube_vjp(x: &f64, k: f64, _out: f64, ct: f64) -> (f64, f64) {
    (3.0 * x * x * k * ct, x * x * x * ct)
}

#[differentiable]
fn calls_scaled_cube(x: f64, k: f64) -> f64 {
    scaled_cube(&x, k) + x
}

#[test]
fn rule_takes_borrowed_inputs_by_reference() {
    let (y, (gx, gk)) = calls_scaled_cube_grad(2.0, 0.5);
    assert_eq!(y, 6.0);
    assert_eq!((gx, gk), (3.0 * 4.0 * 0.5 + 1.0, 8.0));
}
