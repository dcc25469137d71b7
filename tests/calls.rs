//! Calls between `#[differentiable]` functions chain their pullbacks: gradients flow
//! through every float argument a caller passes a differentiated value into, whatever the
//! callee's own `wrt`. Checked against finite differences.

use autodiff::{Real, Tensor, differentiable, gradcheck, tensor};

fn check<X: autodiff::Perturb>(what: &str, f: impl Fn(X) -> f64, x: X, grad: X) {
    let report = gradcheck(f, x, grad).within(1e-7, 1e-6);
    assert!(report.passed(), "{what}: {report}");
}

#[differentiable]
fn square_norm(v: Tensor<f64, 3>) -> f64 {
    v.dot(v)
}

// Only `scale` is differentiated here, but callers may differentiate through `v` too.
#[differentiable(wrt(scale))]
fn scaled(v: Tensor<f64, 3>, scale: f64, offsets: &[f64]) -> Tensor<f64, 3> {
    (v + offsets[0]) * scale
}

mod physics {
    use autodiff::{Tensor, differentiable};

    #[differentiable]
    pub fn step(x: Tensor<f64, 2>, v: Tensor<f64, 2>, dt: f64) -> Tensor<f64, 2> {
        x + v * dt
    }
}

use physics::step;

#[differentiable]
fn generic_square<T: Real>(x: T) -> T {
    x * x
}

#[differentiable(wrt(v, s))]
fn caller(v: Tensor<f64, 3>, s: f64, offsets: &[f64]) -> f64 {
    // The same function twice is two calls, with two pullbacks.
    let a = square_norm(v * s);
    let b = square_norm(scaled(v, s, offsets));
    a + b * 0.5 + generic_square::<f64>(s)
}

#[differentiable]
fn trajectory(x0: Tensor<f64, 2>, v: Tensor<f64, 2>) -> f64 {
    let mut x = x0;
    for _ in 0..5 {
        x = step(x, v, 0.1);
        x = physics::step(x, v * -0.5, 0.05);
    }
    x.norm()
}

#[test]
fn gradients_flow_through_calls() {
    let v = tensor![1.0, -2.0, 0.5];
    let offsets = [0.25];
    let (value, (dv, ds)) = caller_grad(v, 1.5, &offsets);
    assert_eq!(value, caller(v, 1.5, &offsets));
    check("caller dv", |v| caller(v, 1.5, &offsets), v, dv);
    check("caller ds", |s| caller(v, s, &offsets), 1.5, ds);
}

#[test]
fn calls_across_modules_and_inside_loops() {
    let x0 = tensor![0.5, 1.0];
    let v = tensor![2.0, -1.0];
    let (_, (dx0, dv)) = trajectory_grad(x0, v);
    check("trajectory dx0", |x| trajectory(x, v), x0, dx0);
    check("trajectory dv", |v| trajectory(x0, v), v, dv);
}

#[test]
fn a_callee_keeps_its_own_wrt_for_direct_use() {
    // `scaled_vjp` differentiates only `scale`, as its attribute says.
    let (_, pullback) = scaled_vjp(tensor![1.0, 2.0, 3.0], 2.0, &[0.0]);
    let ds: f64 = pullback.backward(tensor![1.0, 1.0, 1.0]);
    assert_eq!(ds, 6.0);
}

#[differentiable(wrt(w))]
fn weighted(w: &Tensor<f64, 3>, x: Tensor<f64, 3>) -> f64 {
    w.dot(x).powi(2)
}

#[differentiable]
fn through_a_reference(w: Tensor<f64, 3>) -> f64 {
    weighted(&w, w * 2.0) + weighted(&(w * 0.5), tensor![1.0, 1.0, 1.0])
}

#[test]
fn arguments_passed_by_reference_receive_gradients() {
    let w = tensor![0.2, -0.4, 1.0];
    let (_, dw) = through_a_reference_grad(w);
    check("through_a_reference", through_a_reference, w, dw);
}

/// A stencil step whose loop tapes `u[i-1] - 2u[i] + u[i+1]` only for `a`'s gradient:
/// a caller that does not differentiate `a` has the callee keep none of it.
#[differentiable]
fn relax(u: Tensor<f64, 6>, a: f64) -> Tensor<f64, 6> {
    let mut u_new = u;
    for i in 1..5 {
        u_new[i] = u[i] + a * (u[i - 1] - 2.0 * u[i] + u[i + 1]);
    }
    u_new
}

#[differentiable(wrt(u0))]
fn relaxed_energy(u0: Tensor<f64, 6>, a: f64) -> f64 {
    let mut u = u0;
    for _ in 0..7 {
        u = relax(u, a);
    }
    (u * u).sum()
}

#[differentiable]
fn relaxed_energy_of_both(u0: Tensor<f64, 6>, a: f64) -> f64 {
    let mut u = u0;
    for _ in 0..7 {
        u = relax(u, a);
    }
    (u * u).sum()
}

/// The same callee from a caller that differentiates only the state, one that
/// differentiates the coefficient too, and one that differentiates only the coefficient.
#[test]
fn a_callee_skips_the_gradients_its_caller_does_not_differentiate() {
    let u0 = tensor![1.0, 0.4, -0.3, 0.9, 0.2, -1.1];
    let a = 0.3;
    let (value, du) = relaxed_energy_grad(u0, a);
    assert_eq!(value, relaxed_energy(u0, a));
    check("relaxed_energy", |u| relaxed_energy(u, a), u0, du);
    let (value_both, (du_both, da)) = relaxed_energy_of_both_grad(u0, a);
    assert_eq!(value_both, value);
    assert_eq!(du_both, du);
    check(
        "relaxed_energy_of_both, a",
        |a| relaxed_energy_of_both(u0, a),
        a,
        da,
    );
    assert!(da.abs() > 1e-3, "{da}");
}

#[differentiable(wrt(a))]
fn relaxed_energy_in_a(u0: Tensor<f64, 6>, a: f64) -> f64 {
    let mut u = u0;
    for _ in 0..7 {
        u = relax(u, a);
    }
    (u * u).sum()
}

#[test]
fn a_callee_keeps_what_the_differentiated_argument_needs() {
    let u0 = tensor![1.0, 0.4, -0.3, 0.9, 0.2, -1.1];
    let (_, da) = relaxed_energy_in_a_grad(u0, 0.3);
    let (_, (_, da_both)) = relaxed_energy_of_both_grad(u0, 0.3);
    assert_eq!(da, da_both);
    check(
        "relaxed_energy_in_a",
        |a| relaxed_energy_in_a(u0, a),
        0.3,
        da,
    );
}

#[differentiable]
fn doubled_total(x: Tensor<f64, 8>, y: Tensor<f64, 8>) -> f64 {
    (x + y).sum() * 2.0
}

/// A pullback keeps what its VJPs read, not the operands they read only for their types:
/// a sum's, a difference's and `sum`'s VJPs read no value, so `doubled_total`'s pullback
/// keeps the factor 2 and none of the two tensors (a pullback on a loop's tape is memory
/// the loop writes and reads back).
#[test]
fn a_pullback_keeps_only_what_its_vjps_read() {
    let (x, y) = (
        Tensor::<f64, 8>::from_fn(|i, _| i as f64),
        Tensor::<f64, 8>::from_fn(|_, _| 0.5),
    );
    let (value, pullback) = doubled_total_vjp(x, y);
    assert_eq!(value, doubled_total(x, y));
    assert!(
        std::mem::size_of_val(&pullback) < std::mem::size_of::<Tensor<f64, 8>>(),
        "{} bytes",
        std::mem::size_of_val(&pullback)
    );
    let (dx, dy) = pullback.backward(1.0);
    assert_eq!(dx, Tensor::from_fn(|_, _| 2.0));
    assert_eq!(dy, Tensor::from_fn(|_, _| 2.0));
}
