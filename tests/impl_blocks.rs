//! `#[differentiable] impl Type { .. }`: the attribute on an inherent impl block sees every
//! method, so methods calling each other, associated functions and generic impls need no
//! source scan. Each gradient is checked against central finite differences.

use autodiff::{Differentiable, Real, Tensor, differentiable, gradcheck, tensor};

#[derive(Clone, Debug, Differentiable)]
pub struct Line {
    pub w: Tensor<f64, 1, 2>,
    pub b: f64,
    #[no_grad]
    pub scale: f64,
}

/// Every method is differentiated (none is marked).
#[differentiable]
impl Line {
    fn predict(&self, x: Tensor<f64, 2>) -> f64 {
        self.w.matmul(x)[0] + self.b
    }

    fn loss(&self, x: Tensor<f64, 2>, y: f64) -> f64 {
        let e = self.predict(x) - y;
        e * e * self.scale
    }

    fn squared(v: f64) -> f64 {
        v * v
    }
}

/// Only the marked methods are; the others stay plain Rust.
#[differentiable]
impl Line {
    #[differentiable(wrt(x))]
    fn slope_along(&self, x: Tensor<f64, 2>) -> f64 {
        Self::cube(self.w.matmul(x)[0]) + self.offset() * x.sum()
    }

    #[differentiable]
    fn cube(v: f64) -> f64 {
        v * v * v
    }

    fn offset(&self) -> f64 {
        self.b * 0.5
    }
}

pub struct Scaled<T> {
    pub k: T,
}

#[differentiable]
impl<T: Real> Scaled<T> {
    #[differentiable(wrt(x))]
    fn apply(&self, x: T) -> T {
        if x > self.k { x * self.k } else { x.sin() }
    }

    /// Float literals in a method of a generic impl are `T` constants.
    #[differentiable(wrt(x))]
    fn affine(&self, x: T) -> T {
        x * self.k * 0.5 + 1.0
    }
}

fn line() -> Line {
    Line {
        w: Tensor::from_row_slice(&[0.5, -1.5]),
        b: 0.25,
        scale: 2.0,
    }
}

#[test]
fn methods_of_a_differentiable_impl() {
    let (m, x, y) = (line(), tensor![1.0, 2.0], 0.5);
    let (value, (gm, gx, _)) = m.loss_grad(x, y);
    assert_eq!(value, m.loss(x, y));
    assert_eq!(
        gm.scale, 2.0,
        "a #[no_grad] field of the gradient holds the value"
    );
    let report = gradcheck(|x| m.loss(x, y), x, gx).within(1e-7, 1e-6);
    assert!(report.passed(), "{report}");
    let b = 1e-6;
    let mut up = m.clone();
    up.b += b;
    let mut down = m.clone();
    down.b -= b;
    let fd = (up.loss(x, y) - down.loss(x, y)) / (2.0 * b);
    assert!((gm.b - fd).abs() < 1e-6, "{} against {fd}", gm.b);
    assert_eq!(Line::squared_grad(3.0), (9.0, 6.0));
}

#[test]
fn marked_methods_only() {
    let (m, x) = (line(), tensor![1.0, 2.0]);
    let (value, gx) = m.slope_along_grad(x);
    assert_eq!(value, m.slope_along(x));
    let report = gradcheck(|x| m.slope_along(x), x, gx).within(1e-7, 1e-6);
    assert!(report.passed(), "{report}");
}

#[test]
fn generic_impl() {
    let s = Scaled { k: 0.5_f64 };
    assert_eq!(s.apply_grad(2.0), (1.0, 0.5));
    let (_, g) = s.apply_grad(0.2);
    assert!((g - 0.2_f64.cos()).abs() < 1e-15);
    assert_eq!(s.affine_grad(2.0), (1.5, 0.25));
    let s = Scaled { k: 0.5_f32 };
    assert_eq!(s.apply_grad(2.0), (1.0, 0.5));
    assert_eq!(s.affine_grad(2.0), (1.5, 0.25));
}
