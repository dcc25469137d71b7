//! Valid code that earlier versions rejected or failed on inside generated code; each is
//! checked against central finite differences.
#![allow(non_snake_case)]

use autodiff::{Real, Tensor, differentiable, gradcheck, tensor};

fn check<X: autodiff::Perturb>(what: &str, f: impl Fn(X) -> f64, x: X, grad: X) {
    let report = gradcheck(f, x, grad).within(1e-7, 1e-6);
    assert!(report.passed(), "{what}: {report}");
}

/// `.detach()` inline: in a method chain, a cast, an index, a range bound and a call.
#[differentiable]
fn detached_inline(x: Tensor<f64, 3>) -> f64 {
    let scale = x.detach().sum().abs().ln_1p();
    let k = (x.detach()[0].abs() * 2.0) as usize;
    let mut total = 0.0;
    for i in 0..(x.detach()[1].abs() as usize + 2) {
        total = total + x[i % 3] * scale;
    }
    total + x[k % 3]
}

/// `detached_inline` with its detached values frozen at `x0`: the function whose
/// derivative the gradient is.
fn frozen_at(x0: Tensor<f64, 3>, x: Tensor<f64, 3>) -> f64 {
    let scale = x0.sum().abs().ln_1p();
    let k = (x0[0].abs() * 2.0) as usize;
    let mut total = 0.0;
    for i in 0..(x0[1].abs() as usize + 2) {
        total += x[i % 3] * scale;
    }
    total + x[k % 3]
}

#[test]
fn detach_in_any_position() {
    let x = tensor![0.7, 1.2, -0.4];
    let (value, grad) = detached_inline_grad(x);
    assert_eq!(value, frozen_at(x, x));
    check("detach", |y| frozen_at(x, y), x, grad);
}

/// Upper-case locals and parameters are not constants; suffixed and typed bounds.
const M: i32 = 3;

#[differentiable(wrt(x))]
fn upper_case_bounds(x: f64, N: usize) -> f64 {
    let K = N + 1;
    let mut y = x;
    for _ in 0..K {
        y = y * 1.1;
    }
    for _ in 0..4u8 {
        y = y + x;
    }
    for _ in 0..M {
        y = y.sin();
    }
    y
}

#[test]
fn upper_case_names_bound_loops() {
    let x = 0.3;
    check(
        "bounds",
        |x| upper_case_bounds(x, 2),
        x,
        upper_case_bounds_grad(x, 2).1,
    );
}

/// A plain block statement, `!` on a condition, an inner attribute, path-form ops.
#[differentiable]
fn blocks_and_negation(x: f64) -> f64 {
    #![allow(clippy::neg_multiply)]
    let mut y = x;
    {
        y = y * x;
    }
    if !(x > 0.0) {
        y = y * -1.0;
    }
    f64::sin(y) + f64::powi(x, 3)
}

#[test]
fn blocks_negation_and_path_form() {
    for x in [0.4, -0.6] {
        check(
            "blocks",
            blocks_and_negation,
            x,
            blocks_and_negation_grad(x).1,
        );
    }
}

/// A generic caller of a generated gradient needs no bound beyond `T: Real`.
fn generic_caller<T: Real>(x: T) -> T {
    generic_square_grad(x).1
}

#[differentiable]
fn generic_square<T: Real>(x: T) -> T {
    x * x
}

#[test]
fn a_generic_caller_of_f_grad() {
    assert_eq!(generic_caller(3.0_f64), 6.0);
    assert_eq!(generic_caller(1.5_f32), 3.0);
}

/// `f64` data arithmetic inside a body generic over its element type.
#[differentiable(wrt(x))]
fn generic_with_f64_data<T: Real>(x: T, k: usize) -> T {
    let half = (k as f64) * 0.5;
    x * x * <T as Real>::from_f64(half)
}

#[test]
fn f64_data_in_a_generic_body() {
    assert_eq!(generic_with_f64_data_grad(3.0_f64, 4).1, 12.0);
    assert_eq!(generic_with_f64_data_grad(3.0_f32, 4).1, 12.0);
}

/// Data taken by reference is read by ops with no `*`, like a differentiated `&Tensor`:
/// a `&Tensor` and a `&f64` parameter (elements of a data slice's `.iter()` are
/// references as in plain Rust: `*xi`).
#[differentiable(wrt(w))]
fn data_by_reference(w: Tensor<f64, 3>, x: &Tensor<f64, 3>, y: &f64, xs: &[Tensor<f64, 3>]) -> f64 {
    let p = (w * x).sum();
    let mut total = (p - y).powi(2) + x.sum() * w.dot(x);
    for xi in xs.iter() {
        total = total + w.dot(*xi).tanh();
    }
    total
}

#[test]
fn data_references_need_no_deref() {
    let (w, x, y) = (tensor![0.1, 0.2, 0.3], tensor![1.0, 2.0, 3.0], 2.0);
    let xs = [tensor![0.5, -1.0, 0.25], tensor![2.0, 0.0, -0.5]];
    let (value, grad) = data_by_reference_grad(w, &x, &y, &xs);
    let plain = |w: Tensor<f64, 3>| {
        let p = w.dot(x);
        let mut total = (p - y).powi(2) + x.sum() * w.dot(x);
        for xi in &xs {
            total += w.dot(*xi).tanh();
        }
        total
    };
    assert!((value - plain(w)).abs() < 1e-12);
    check("data by reference", plain, w, grad);
}

/// `max` and `min` of floats and of tensors: a hinge loss and a clipped residual.
#[differentiable]
fn hinge_and_clip(w: Tensor<f64, 3>, b: f64) -> f64 {
    let margin = (1.0 - (w.dot(w) + b)).max(0.0);
    let clipped = w
        .min(tensor![0.25, 0.25, 0.25])
        .max(tensor![-0.5, -0.5, -0.5]);
    margin + clipped.sum() + b.min(0.3) * 2.0
}

#[test]
fn max_and_min_are_differentiable() {
    let (w, b) = (tensor![0.1, 0.4, -0.8], 0.2);
    let (value, (gw, gb)) = hinge_and_clip_grad(w, b);
    let plain = |(w, b): (Tensor<f64, 3>, f64)| {
        let margin = f64::max(1.0 - (w.dot(w) + b), 0.0);
        let clipped: f64 = (0..3).map(|i| w[i].clamp(-0.5, 0.25)).sum();
        margin + clipped + b.min(0.3) * 2.0
    };
    assert!((value - plain((w, b))).abs() < 1e-12);
    check("max and min, w", |w| plain((w, b)), w, gw);
    check("max and min, b", |b| plain((w, b)), b, gb);
    // A tie splits the gradient, as `torch.minimum` does: half of `b.min(0.3) * 2.0`'s 2
    // (the margin is inactive here).
    let (_, (_, gb)) = hinge_and_clip_grad(w, 0.3);
    assert!((gb - 1.0).abs() < 1e-12, "{gb}");
}

/// `clamp` of a probability before its logarithm, as a cross-entropy is usually written.
#[differentiable(wrt(w))]
fn clamped_cross_entropy(w: Tensor<f64, 3>, x: &Tensor<f64, 3>, label: f64) -> f64 {
    let p = w.dot(x).sigmoid().clamp(1e-7, 1.0 - 1e-7);
    -(label * p.ln() + (1.0 - label) * (1.0 - p).ln())
}

#[test]
fn clamp_is_differentiable() {
    let x = tensor![0.5, -1.0, 2.0];
    let plain = |w: Tensor<f64, 3>| {
        let p = (1.0 / (1.0 + (-w.dot(x)).exp())).clamp(1e-7, 1.0 - 1e-7);
        -(0.7 * p.ln() + 0.3 * (1.0 - p).ln())
    };
    let w = tensor![0.3, 0.1, -0.2];
    let (value, grad) = clamped_cross_entropy_grad(w, &x, 0.7);
    assert!((value - plain(w)).abs() < 1e-12);
    check("clamp", plain, w, grad);
    // Saturated: the clamp passes no gradient.
    let far = tensor![30.0, -30.0, 30.0];
    let (_, grad) = clamped_cross_entropy_grad(far, &x, 0.7);
    assert_eq!(grad, tensor![0.0, 0.0, 0.0]);
}

/// `ln_1p`, as a softplus is usually written: gradient and Hessian-vector product.
#[differentiable]
fn softplus_sum(x: Tensor<f64, 3>) -> f64 {
    x.exp().ln_1p().sum()
}

#[test]
fn ln_1p_is_differentiable_twice() {
    let x = tensor![0.3, -1.5, 2.0];
    let plain = |x: Tensor<f64, 3>| (0..3).map(|i| x[i].exp().ln_1p()).sum::<f64>();
    let (value, grad) = softplus_sum_grad(x);
    assert!((value - plain(x)).abs() < 1e-12);
    check("ln_1p", plain, x, grad);
    // The softplus is elementwise: H v is sigmoid'(x) ⊙ v.
    let v = tensor![1.0, -2.0, 0.5];
    let (_, _, hv) = softplus_sum_hvp(x, v);
    for i in 0..3 {
        let s = 1.0 / (1.0 + (-x[i]).exp());
        assert!((hv[i] - s * (1.0 - s) * v[i]).abs() < 1e-12, "{hv:?}");
    }
}

/// Associated functions without a receiver, called through `Self::` and the type's name,
/// beside a method calling one.
#[derive(Clone, Debug, autodiff::Differentiable)]
struct Oscillator {
    k: f64,
}

impl Oscillator {
    #[differentiable]
    fn potential(x: f64) -> f64 {
        0.5 * x * x + x.sin()
    }

    #[differentiable]
    fn doubled(x: f64) -> f64 {
        Self::potential(x) * 2.0 + Oscillator::potential(x * 0.5)
    }

    #[differentiable]
    fn energy(&self, x: Tensor<f64, 2>) -> f64 {
        self.k * Self::doubled(x[0]) + x[1] * x[1]
    }
}

fn doubled_plain(x: f64) -> f64 {
    let potential = |x: f64| 0.5 * x * x + x.sin();
    potential(x) * 2.0 + potential(x * 0.5)
}

#[test]
fn associated_functions_without_a_receiver() {
    let x = 0.8;
    assert_eq!(Oscillator::doubled(x), doubled_plain(x));
    let (value, grad) = Oscillator::doubled_grad(x);
    assert_eq!(value, doubled_plain(x));
    check("doubled", doubled_plain, x, grad);
    let (_, tangent) = Oscillator::doubled_jvp(x, 1.0);
    assert!((tangent - grad).abs() < 1e-12);
    let (_, _, hv) = Oscillator::doubled_hvp(x, 1.0);
    let h = 1e-5;
    let fd = (Oscillator::doubled_grad(x + h).1 - Oscillator::doubled_grad(x - h).1) / (2.0 * h);
    assert!((hv - fd).abs() < 1e-6, "{hv} vs {fd}");

    let osc = Oscillator { k: 1.5 };
    let xs = tensor![0.8, -0.3];
    let (_, (d_osc, d_xs)) = osc.energy_grad(xs);
    check("energy, x", |xs: Tensor<f64, 2>| osc.energy(xs), xs, d_xs);
    check("energy, k", |k| Oscillator { k }.energy(xs), osc.k, d_osc.k);
}

/// A module named like the function takes the type namespace the function's hidden items
/// use; they become siblings, and a caller in the same module reaches them.
#[allow(dead_code)]
mod penalty {
    pub const WEIGHT: f64 = 0.5;
}

#[differentiable]
fn penalty(x: f64) -> f64 {
    x * x * penalty::WEIGHT
}

#[differentiable]
fn penalised(x: f64) -> f64 {
    penalty(x) + x.exp()
}

#[test]
fn a_module_named_like_the_function() {
    let x = 0.4;
    let (value, grad) = penalty_grad(x);
    assert_eq!(value, penalty(x));
    check("penalty", penalty, x, grad);
    let (_, grad) = penalised_grad(x);
    check("penalised", penalised, x, grad);
    let (_, tangent) = penalised_jvp(x, 1.0);
    assert!((tangent - grad).abs() < 1e-12);
    let (_, _, hv) = penalised_hvp(x, 1.0);
    assert!((hv - (2.0 * penalty::WEIGHT + x.exp())).abs() < 1e-12);
}

/// A module named in upper case (which Rust allows) is not taken for a type.
mod Physics {
    use autodiff::differentiable;

    #[differentiable]
    pub fn spring(x: f64) -> f64 {
        0.5 * x * x
    }
}

#[differentiable]
fn through_an_upper_case_module(x: f64) -> f64 {
    Physics::spring(x) * 3.0
}

#[test]
fn an_upper_case_module_path() {
    let (value, grad) = through_an_upper_case_module_grad(0.7);
    assert_eq!(value, 1.5 * 0.7 * 0.7);
    check("upper-case module", through_an_upper_case_module, 0.7, grad);
}

/// An associated function of a generic impl, with data in a slice, called by a method.
#[derive(Clone, Debug, autodiff::Differentiable)]
struct Weighted<T: Real> {
    w: T,
}

impl<T: Real> Weighted<T> {
    #[differentiable]
    fn potential(x: T, data: &[T]) -> T {
        let mut total = x * x;
        for d in data {
            total = total + x * *d;
        }
        total
    }

    #[differentiable]
    fn energy(&self, x: T, data: &[T]) -> T {
        self.w * Self::potential(x, data)
    }
}

#[test]
fn an_associated_function_of_a_generic_impl() {
    let data = vec![1.0, -2.0, 0.5];
    let (_, (dx, ddata)) = Weighted::<f64>::potential_grad(0.3, &data);
    check(
        "potential",
        |x| Weighted::<f64>::potential(x, &data),
        0.3,
        dx,
    );
    assert_eq!(ddata, vec![0.3; 3]);
    let m = Weighted { w: 1.5 };
    let (_, (dm, dx, _)) = m.energy_grad(0.3, &data);
    check("energy, x", |x| m.energy(x, &data), 0.3, dx);
    check(
        "energy, w",
        |w| Weighted { w }.energy(0.3, &data),
        1.5,
        dm.w,
    );
}

impl Weighted<f64> {
    #[differentiable]
    fn term(&self, x: f64, data: &[f64]) -> f64 {
        let mut total = x * self.w;
        for d in data {
            total += x * *d;
        }
        total
    }

    #[differentiable]
    fn doubled_term(&self, x: f64, data: &[f64]) -> f64 {
        self.term(x, data) * 2.0
    }
}

#[test]
fn a_method_with_a_data_slice_called_by_a_method() {
    let data = vec![1.0, 2.0];
    let m = Weighted { w: 2.0 };
    let (value, (dm, dx, ddata)) = m.doubled_term_grad(0.5, &data);
    assert_eq!(value, m.doubled_term(0.5, &data));
    check("x", |x| m.doubled_term(x, &data), 0.5, dx);
    check("w", |w| Weighted { w }.doubled_term(0.5, &data), 2.0, dm.w);
    assert_eq!(ddata, vec![1.0, 1.0]);
}
