//! The one helper every op's tests use: a VJP checked against central finite differences.
//!
//! [`check_vjp`] evaluates `⟨ct, f(x ± h·eᵢ)⟩` for every input element `i`, with a fixed
//! irregular cotangent `ct`, and compares the central difference with element `i` of the
//! VJP. Inputs and outputs are anything [`Flat`]: `f64`, `f64` tensors, and pairs of them
//! (the two inputs of a binary op, so both sides, broadcast scalars included, are checked).

use crate::tensor::Tensor;

/// A value seen as a flat list of `f64` coordinates.
pub(crate) trait Flat: Copy + core::fmt::Debug {
    /// The number of coordinates.
    const LEN: usize;

    /// Coordinate `i`.
    fn get(self, i: usize) -> f64;

    /// The value whose coordinate `i` is `f(i)`.
    fn from_coords(f: impl FnMut(usize) -> f64) -> Self;
}

impl Flat for f64 {
    const LEN: usize = 1;

    fn get(self, _: usize) -> f64 {
        self
    }

    fn from_coords(mut f: impl FnMut(usize) -> f64) -> Self {
        f(0)
    }
}

impl<const R: usize, const C: usize> Flat for Tensor<f64, R, C> {
    const LEN: usize = R * C;

    fn get(self, i: usize) -> f64 {
        self[(i / C, i % C)]
    }

    fn from_coords(mut f: impl FnMut(usize) -> f64) -> Self {
        Tensor::from_fn(|row, col| f(row * C + col))
    }
}

impl<A: Flat, B: Flat> Flat for (A, B) {
    const LEN: usize = A::LEN + B::LEN;

    fn get(self, i: usize) -> f64 {
        if i < A::LEN {
            self.0.get(i)
        } else {
            self.1.get(i - A::LEN)
        }
    }

    fn from_coords(mut f: impl FnMut(usize) -> f64) -> Self {
        (A::from_coords(&mut f), B::from_coords(|i| f(A::LEN + i)))
    }
}

/// `x` with coordinate `i` moved by `delta`.
fn nudge<X: Flat>(x: X, i: usize, delta: f64) -> X {
    X::from_coords(|j| x.get(j) + if j == i { delta } else { 0.0 })
}

/// `⟨a, b⟩`.
fn inner<Y: Flat>(a: Y, b: Y) -> f64 {
    (0..Y::LEN).map(|i| a.get(i) * b.get(i)).sum()
}

/// A fixed cotangent with distinct, irregular, nonzero coordinates.
pub(crate) fn cotangent<Y: Flat>() -> Y {
    Y::from_coords(|i| 0.7 + (1.3 * i as f64 + 0.4).sin())
}

/// Checks `vjp(x, f(x), ct)` against central finite differences of `⟨ct, f⟩` at `x`, in
/// every input coordinate, with step `h = 1e-6 · max(1, |xᵢ|)`. Panics on a mismatch
/// larger than `1e-7 · (1 + |VJPᵢ|)`.
#[track_caller]
pub(crate) fn check_vjp<X: Flat, Y: Flat>(f: impl Fn(X) -> Y, vjp: impl Fn(X, Y, Y) -> X, x: X) {
    let out = f(x);
    let ct: Y = cotangent();
    let analytic = vjp(x, out, ct);
    for i in 0..X::LEN {
        let h = 1e-6 * x.get(i).abs().max(1.0);
        let numeric = (inner(ct, f(nudge(x, i, h))) - inner(ct, f(nudge(x, i, -h)))) / (2.0 * h);
        let error = (analytic.get(i) - numeric).abs();
        assert!(
            error <= 1e-7 * (1.0 + analytic.get(i).abs()),
            "VJP coordinate {i} at x = {x:?}: analytic {} vs finite difference {numeric} \
             (error {error:e})",
            analytic.get(i),
        );
    }
}

#[test]
fn check_vjp_accepts_a_right_vjp() {
    check_vjp(|x: f64| x * x * x, |x, _, ct| 3.0 * x * x * ct, 1.5);
    check_vjp(
        |(a, b): (Tensor<f64, 2>, f64)| a * b,
        |(a, b), _, ct| (ct * b, inner(ct, a)),
        (Tensor::from_row_slice(&[1.0, -2.0]), 3.0),
    );
}

#[test]
#[should_panic(expected = "VJP coordinate 1")]
fn check_vjp_rejects_a_wrong_vjp() {
    check_vjp(
        |x: Tensor<f64, 2>| x * x,
        |x, _, ct| {
            let mut wrong = ct * x * 2.0;
            wrong[1] *= 1.001;
            wrong
        },
        Tensor::from_row_slice(&[1.0, 2.0]),
    );
}

/// Defines `fn check(a, b)` for a binary operator: both cotangents of `a OP b`, from
/// `VJP::method`, against finite differences (shared by `+ - * /`).
macro_rules! binary_check {
    ($std:ident, $vjp:ident, $method:ident, $op:tt) => {
        /// Checks both cotangents of the operator against finite differences.
        fn check<A, B>(a: A, b: B)
        where
            A: $vjp<B> + $crate::ops::testing::Flat,
            B: $crate::ops::testing::Flat,
            <A as core::ops::$std<B>>::Output: $crate::ops::testing::Flat,
        {
            $crate::ops::testing::check_vjp(
                |(a, b): (A, B)| a $op b,
                |(a, b), out, ct| a.$method(b, out, ct),
                (a, b),
            );
        }
    };
}
pub(crate) use binary_check;
