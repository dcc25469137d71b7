//! The language subset of SPEC, one feature at a time, each gradient checked against
//! central finite differences: element-generic bodies (f32 and f64), const-generic
//! shapes, by-reference parameters, methods, indexing, slicing, stacking, the vector ops
//! and shadowing/reassignment.

use autodiff::{Perturb, Real, Tensor, differentiable, gradcheck, tensor};

fn check<X: Perturb>(what: &str, f: impl Fn(X) -> f64, x: X, grad: X) {
    let report = gradcheck(f, x, grad).within(1e-8, 1e-6);
    assert!(report.passed(), "{what}: {report}");
}

#[differentiable]
fn generic_loss<T: Real>(x: Tensor<T, 3>) -> T {
    let y = (x * 0.5 + 1.0).sigmoid();
    (y * y).sum() / 3.0
}

#[test]
fn element_generic_bodies_run_in_f32_and_f64() {
    let x = tensor![0.5, -1.0, 2.0];
    let (value, grad) = generic_loss_grad(x);
    assert_eq!(value, generic_loss(x));
    check("generic f64", generic_loss, x, grad);

    let x32: Tensor<f32, 3> = tensor![0.5, -1.0, 2.0];
    let (value32, grad32) = generic_loss_grad(x32);
    assert!((f64::from(value32) - value).abs() < 1e-6);
    for i in 0..3 {
        assert!((f64::from(grad32[i]) - grad[i]).abs() < 1e-6);
    }
}

#[differentiable(wrt(w))]
fn layer<const H: usize>(w: &Tensor<f64, 3, H>, x: Tensor<f64, 3>) -> f64 {
    w.t().matmul(x).relu().sum() + (*w).norm()
}

#[test]
fn const_generic_shapes_and_reference_parameters() {
    let w = Tensor::<f64, 3, 4>::from_fn(|r, c| (r as f64 - 1.0) * 0.3 + c as f64 * 0.2);
    let x = tensor![1.0, -2.0, 0.5];
    let (_, grad) = layer_grad(&w, x);
    check("layer", |w| layer(&w, x), w, grad);
}

struct Scaler {
    scale: f64,
}

impl Scaler {
    // `Scaler` is not `Differentiable`: `self` is left out of `wrt`, so it is data.
    #[differentiable(wrt(x))]
    fn loss(&self, x: Tensor<f64, 2>) -> f64 {
        (x * self.scale).exp().sum()
    }
}

#[test]
fn methods_may_leave_self_out_of_wrt() {
    let model = Scaler { scale: 0.5 };
    let x = tensor![1.0, -1.0];
    let (_, grad) = model.loss_grad(x);
    check("method", |x| model.loss(x), x, grad);
}

#[differentiable]
fn geometry(a: Tensor<f64, 3>, b: Tensor<f64, 3>) -> f64 {
    let n = a.cross(b);
    let head = n.fixed_rows::<2>(1);
    let picked = tensor![a[0] * b[2], head[0], head[1] * 2.0];
    let m = tensor![[a[0], b[1]], [a[2], 1.0]];
    picked.dot(n) + m[(0, 1)] * m[(1, 0)] + a.softmax()[1] + b.logsumexp()
}

#[test]
fn indexing_slicing_stacking_and_vector_ops() {
    let a = tensor![0.3, -1.2, 2.0];
    let b = tensor![1.5, 0.4, -0.7];
    let (value, (da, db)) = geometry_grad(a, b);
    assert_eq!(value, geometry(a, b));
    check("geometry da", |a| geometry(a, b), a, da);
    check("geometry db", |b| geometry(a, b), b, db);
}

#[differentiable]
fn rebinding(x: Tensor<f64, 2>) -> f64 {
    let y = x * 2.0;
    let y = y.sin();
    let mut z = y;
    z += x;
    z *= y;
    z -= 1.0;
    z /= 3.0;
    let frozen = z.detach();
    {
        let inner = z * frozen;
        inner.sum()
    }
}

#[test]
fn shadowing_compound_assignment_blocks_and_detach() {
    let x = tensor![0.4, -0.9];
    let (_, grad) = rebinding_grad(x);
    // `detach` makes `frozen` a constant: the gradient is that of `z * c` at c = z.
    let z = |x: Tensor<f64, 2>| ((((x * 2.0).sin() + x) * (x * 2.0).sin()) - 1.0) / 3.0;
    let c = z(x);
    check("rebinding", |x| (z(x) * c).sum(), x, grad);
}

#[differentiable]
fn one_element(x: Tensor<f64, 3>) -> Tensor<f64, 1> {
    tensor![x.sum() * 2.0]
}

#[test]
fn a_one_element_tensor_output_has_an_implicit_seed() {
    let (y, grad) = one_element_grad(tensor![1.0, 2.0, 3.0]);
    assert_eq!(y[0], 12.0);
    assert_eq!(grad, Tensor::from_element(2.0));
}

#[differentiable]
fn unused_argument(x: Tensor<f64, 2>, unused: Tensor<f64, 2>) -> f64 {
    let _ignored = unused * 2.0;
    x.sum()
}

#[test]
fn an_argument_the_output_ignores_gets_a_zero_gradient() {
    let (_, (dx, du)) = unused_argument_grad(tensor![1.0, 2.0], tensor![3.0, 4.0]);
    assert_eq!(dx, Tensor::from_element(1.0));
    assert_eq!(du, Tensor::zeros());
}
