//! The helpers every op's tests use: a VJP and a JVP checked against central finite
//! differences, and the two checked against each other.
//!
//! * [`check_vjp`] evaluates `⟨ct, f(x ± h·eᵢ)⟩` for every input element `i`, with a fixed
//!   irregular cotangent `ct`, and compares the central difference with element `i` of the
//!   VJP.
//! * [`check_jvp`] evaluates `f(x ± h·v)` along a fixed irregular direction `v` and
//!   compares the central difference with the JVP, coordinate by coordinate.
//! * [`check_vjp_against_jvp`] checks the adjoint identity `⟨u, J v⟩ = ⟨Jᵀ u, v⟩` for a
//!   fixed irregular `u` and `v`: no step size, so it holds to rounding, and it catches a
//!   JVP and a VJP that disagree about a broadcast sum or a transpose.
//!
//! Inputs and outputs are anything [`Flat`]: `f64`, `f64` tensors, and pairs of them (the
//! two inputs of a binary op, so both sides, broadcast scalars included, are checked).

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

/// `Some(x)` has `x`'s coordinates (the outputs of fallible ops, checked where they succeed).
impl<X: Flat> Flat for Option<X> {
    const LEN: usize = X::LEN;

    fn get(self, i: usize) -> f64 {
        self.expect("a checked op succeeds").get(i)
    }

    fn from_coords(f: impl FnMut(usize) -> f64) -> Self {
        Some(X::from_coords(f))
    }
}

/// A factor's coordinates are its `L`'s.
impl<const N: usize> Flat for crate::linalg::Cholesky<f64, N> {
    const LEN: usize = N * N;

    fn get(self, i: usize) -> f64 {
        self.l.get(i)
    }

    fn from_coords(f: impl FnMut(usize) -> f64) -> Self {
        crate::linalg::Cholesky::from_l(Tensor::from_coords(f))
    }
}

/// A factorisation's coordinates are its matrix's.
impl<const N: usize> Flat for crate::linalg::Lu<f64, N> {
    const LEN: usize = N * N;

    fn get(self, i: usize) -> f64 {
        self.a.get(i)
    }

    fn from_coords(f: impl FnMut(usize) -> f64) -> Self {
        crate::linalg::Lu::of(Tensor::from_coords(f))
    }
}

/// A decomposition's coordinates are its eigenvalues' then its eigenvectors'.
impl<const N: usize> Flat for crate::linalg::SymmetricEigen<f64, N> {
    const LEN: usize = N + N * N;

    fn get(self, i: usize) -> f64 {
        (self.eigenvalues, self.eigenvectors).get(i)
    }

    fn from_coords(f: impl FnMut(usize) -> f64) -> Self {
        let (eigenvalues, eigenvectors) = Flat::from_coords(f);
        crate::linalg::SymmetricEigen {
            eigenvalues,
            eigenvectors,
        }
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

/// A fixed direction with distinct, irregular, nonzero coordinates, unrelated to
/// [`cotangent`] so that the adjoint identity is not checked on a symmetric pair.
pub(crate) fn direction<X: Flat>() -> X {
    X::from_coords(|i| 0.35 + (2.1 * i as f64 + 1.1).cos())
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

/// Checks `jvp(x, f(x), v)` against the central difference `(f(x + h·v) - f(x - h·v)) / 2h`
/// along the fixed direction `v` of [`direction`], with `h = 1e-6 · max(1, maxᵢ |xᵢ|)`.
/// Panics on an output coordinate whose mismatch is larger than `1e-7 · (1 + |JVPᵢ|)`.
#[track_caller]
pub(crate) fn check_jvp<X: Flat, Y: Flat>(f: impl Fn(X) -> Y, jvp: impl Fn(X, Y, X) -> Y, x: X) {
    let out = f(x);
    let v: X = direction();
    let analytic = jvp(x, out, v);
    let scale = (0..X::LEN).map(|i| x.get(i).abs()).fold(1.0, f64::max);
    let h = 1e-6 * scale;
    let plus = f(X::from_coords(|i| x.get(i) + h * v.get(i)));
    let minus = f(X::from_coords(|i| x.get(i) - h * v.get(i)));
    for i in 0..Y::LEN {
        let numeric = (plus.get(i) - minus.get(i)) / (2.0 * h);
        let error = (analytic.get(i) - numeric).abs();
        assert!(
            error <= 1e-7 * (1.0 + analytic.get(i).abs()),
            "JVP coordinate {i} at x = {x:?}: analytic {} vs finite difference {numeric} \
             (error {error:e})",
            analytic.get(i),
        );
    }
}

/// Checks `⟨u, jvp(x, y, v)⟩ = ⟨vjp(x, y, u), v⟩` at `y = f(x)` for the fixed `u` of
/// [`cotangent`] and `v` of [`direction`]: both sides are the same bilinear form `uᵀ J v`,
/// so they agree to rounding, `1e-12` relative to the size of the terms summed.
#[track_caller]
pub(crate) fn check_vjp_against_jvp<X: Flat, Y: Flat>(
    f: impl Fn(X) -> Y,
    vjp: impl Fn(X, Y, Y) -> X,
    jvp: impl Fn(X, Y, X) -> Y,
    x: X,
) {
    let out = f(x);
    let u: Y = cotangent();
    let v: X = direction();
    let jv = jvp(x, out, v);
    let jtu = vjp(x, out, u);
    let (forward, reverse) = (inner(u, jv), inner(jtu, v));
    let size: f64 = (0..Y::LEN)
        .map(|i| (u.get(i) * jv.get(i)).abs())
        .sum::<f64>()
        + (0..X::LEN)
            .map(|i| (jtu.get(i) * v.get(i)).abs())
            .sum::<f64>();
    assert!(
        (forward - reverse).abs() <= 1e-12 * (1.0 + size),
        "⟨u, J v⟩ = {forward} but ⟨Jᵀ u, v⟩ = {reverse} at x = {x:?}",
    );
}

/// Checks `vjp_jvp(x, y, ct, dx, dy, dct)` against the central difference of the VJP
/// along the curve `x + h·dx`, `ct + h·dct` (with `y = f(x)` recomputed and `dy` from
/// `jvp`), for the fixed directions of [`direction`]. Panics on a coordinate whose mismatch
/// is larger than `1e-7 · (1 + |analytic|)`.
#[track_caller]
pub(crate) fn check_vjp_jvp<X: Flat, Y: Flat>(
    f: impl Fn(X) -> Y,
    jvp: impl Fn(X, Y, X) -> Y,
    vjp: impl Fn(X, Y, Y) -> X,
    vjp_jvp: impl Fn(X, Y, Y, X, Y, Y) -> X,
    x: X,
) {
    let out = f(x);
    let ct: Y = cotangent();
    let dx: X = direction();
    let dct: Y = Y::from_coords(|i| 0.2 - (0.9 * i as f64 + 0.3).sin());
    let analytic = vjp_jvp(x, out, ct, dx, jvp(x, out, dx), dct);
    let scale = (0..X::LEN).map(|i| x.get(i).abs()).fold(1.0, f64::max);
    let h = 1e-6 * scale;
    let at = |s: f64| {
        let xs = X::from_coords(|i| x.get(i) + s * dx.get(i));
        vjp(xs, f(xs), Y::from_coords(|i| ct.get(i) + s * dct.get(i)))
    };
    let (plus, minus) = (at(h), at(-h));
    for i in 0..X::LEN {
        let numeric = (plus.get(i) - minus.get(i)) / (2.0 * h);
        let error = (analytic.get(i) - numeric).abs();
        assert!(
            error <= 1e-7 * (1.0 + analytic.get(i).abs()),
            "VJP tangent coordinate {i} at x = {x:?}: analytic {} vs finite difference \
             {numeric} (error {error:e})",
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

#[test]
fn check_jvp_and_the_adjoint_identity_accept_right_rules() {
    let f = |(a, b): (Tensor<f64, 2>, f64)| a * b;
    let vjp = |(a, b): (Tensor<f64, 2>, f64), _, ct| (ct * b, inner(ct, a));
    let jvp = |(a, b), _, (da, db): (Tensor<f64, 2>, f64)| da * b + a * db;
    let x = (Tensor::from_row_slice(&[1.0, -2.0]), 3.0);
    check_jvp(f, jvp, x);
    check_vjp_against_jvp(f, vjp, jvp, x);
    check_jvp(|x: f64| x * x * x, |x, _, dx| 3.0 * x * x * dx, 1.5);
}

#[test]
#[should_panic(expected = "JVP coordinate 1")]
fn check_jvp_rejects_a_wrong_jvp() {
    check_jvp(
        |x: Tensor<f64, 2>| x * x,
        |x, _, dx| {
            let mut wrong = dx * x * 2.0;
            wrong[1] *= 1.001;
            wrong
        },
        Tensor::from_row_slice(&[1.0, 2.0]),
    );
}

#[test]
#[should_panic(expected = "⟨u, J v⟩")]
fn check_vjp_against_jvp_rejects_a_transposed_rule() {
    // `J = [[1, 2], [0, 1]]`: a "VJP" that applies `J` instead of `Jᵀ` is caught.
    let apply = |x: Tensor<f64, 2>| Tensor::from_row_slice(&[x[0] + 2.0 * x[1], x[1]]);
    check_vjp_against_jvp(
        apply,
        |_, _, ct| apply(ct),
        |_, _, v| apply(v),
        Tensor::zeros(),
    );
}

/// Defines `fn check(a, b)` for a binary operator: both cotangents of `a OP b`, from
/// `VJP::vjp_method`, against finite differences, its tangent from `VJP::jvp_method`
/// against finite differences, and the two rules against each other (shared by
/// `+ - * /`).
macro_rules! binary_check {
    ($std:ident, $vjp:ident, $vjp_method:ident, $jvp_method:ident, $op:tt) => {
        /// Checks the operator's VJP and JVP against finite differences and each other.
        fn check<A, B>(a: A, b: B)
        where
            A: $vjp<B> + $crate::ops::testing::Flat,
            B: $crate::ops::testing::Flat,
            <A as core::ops::$std<B>>::Output: $crate::ops::testing::Flat,
        {
            let f = |(a, b): (A, B)| a $op b;
            let vjp = |(a, b): (A, B), out, ct| a.$vjp_method(b, out, ct);
            let jvp = |(a, b): (A, B), out, (da, db)| a.$jvp_method(b, out, da, db);
            $crate::ops::testing::check_vjp(f, vjp, (a, b));
            $crate::ops::testing::check_jvp(f, jvp, (a, b));
            $crate::ops::testing::check_vjp_against_jvp(f, vjp, jvp, (a, b));
        }
    };
}
pub(crate) use binary_check;

/// Checks every rule of a unary elementwise op's trait (`Tan: tan, tan_vjp, ..`) at each
/// of the given points, as scalars and as tensors: the VJP and the JVP against
/// central differences and each other, the VJP's tangent against central differences of
/// the VJP, and the pair against the two; the forward in `f32` against `f64`'s, and, given
/// `std = f64::name`, the forward in `f64` against std's, bit for bit.
macro_rules! check_unary {
    ($t:ident: $name:ident, $vjp:ident, $jvp:ident, $vjp_jvp:ident, $pair:ident; $points:expr
        $(; std = $std:expr)?) => {{
        use $crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp, check_vjp_jvp};
        type M = $crate::tensor::Tensor<f64, 2, 3>;
        let points: &[f64] = &$points;
        fn all<X: $t + $crate::ops::testing::Flat>(x: X) {
            check_vjp(|x: X| $t::$name(x), |x: X, out, ct| $t::$vjp(x, out, ct), x);
            check_jvp(|x: X| $t::$name(x), |x: X, out, dx| $t::$jvp(x, out, dx), x);
            check_vjp_against_jvp(
                |x: X| $t::$name(x),
                |x: X, out, ct| $t::$vjp(x, out, ct),
                |x: X, out, dx| $t::$jvp(x, out, dx),
                x,
            );
            check_vjp_jvp(
                |x: X| $t::$name(x),
                |x: X, out, dx| $t::$jvp(x, out, dx),
                |x: X, out, ct| $t::$vjp(x, out, ct),
                |x: X, out, ct, dx, dout, dct| $t::$vjp_jvp(x, out, ct, dx, dout, dct),
                x,
            );
            let (out, ct, dx, dct): (X, X, X, X) = (
                $t::$name(x),
                $crate::ops::testing::cotangent(),
                $crate::ops::testing::direction(),
                X::from_coords(|i| 0.2 - (0.9 * i as f64 + 0.3).sin()),
            );
            let dout = $t::$jvp(x, out, dx);
            let pair = $t::$pair(x, out, ct, dx, dout, dct);
            let (vjp, tangent) = (
                $t::$vjp(x, out, ct),
                $t::$vjp_jvp(x, out, ct, dx, dout, dct),
            );
            for i in 0..X::LEN {
                assert_eq!(
                    pair.0.get(i).to_bits(),
                    vjp.get(i).to_bits(),
                    "pair's VJP at {x:?}"
                );
                assert_eq!(
                    pair.1.get(i).to_bits(),
                    tangent.get(i).to_bits(),
                    "pair's tangent at {x:?}"
                );
            }
        }
        for &x in points {
            all(x);
            $(assert_eq!($t::$name(x).to_bits(), ($std)(x).to_bits(), "std's value at {x}");)?
            let (y32, y64) = ($t::$name(x as f32), $t::$name(x));
            assert!(
                (f64::from(y32) - y64).abs() <= 1e-5 * (1.0 + y64.abs()),
                "f32 value {y32} vs f64 {y64} at {x}",
            );
        }
        // One tensor per point: the finite differences' step follows the largest
        // coordinate, which must not be another point's.
        for &x in points {
            all(M::from_element(x));
        }
    }};
}
pub(crate) use check_unary;

/// [`check_unary!`] for a binary elementwise op (`Atan2: atan2, atan2_vjp, ..`) at each of
/// the given `(a, b)` points, as scalars and as tensors.
macro_rules! check_binary {
    ($t:ident: $name:ident, $vjp:ident, $jvp:ident, $vjp_jvp:ident, $pair:ident; $points:expr
        $(; std = $std:expr)?) => {{
        use $crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp, check_vjp_jvp};
        type M = $crate::tensor::Tensor<f64, 2, 3>;
        let points: &[(f64, f64)] = &$points;
        fn all<X: $t + $crate::ops::testing::Flat>(a: X, b: X) {
            let f = |(a, b): (X, X)| $t::$name(a, b);
            let vjp = |(a, b): (X, X), out, ct| $t::$vjp(a, b, out, ct);
            let jvp = |(a, b): (X, X), out, (da, db): (X, X)| $t::$jvp(a, b, out, da, db);
            let vjp_jvp = |(a, b): (X, X), out, ct, (da, db): (X, X), dout, dct| {
                $t::$vjp_jvp(a, b, out, ct, da, db, dout, dct)
            };
            check_vjp(f, vjp, (a, b));
            check_jvp(f, jvp, (a, b));
            check_vjp_against_jvp(f, vjp, jvp, (a, b));
            check_vjp_jvp(f, jvp, vjp, vjp_jvp, (a, b));
            let out = f((a, b));
            let (ct, (da, db)): (X, (X, X)) =
                ($crate::ops::testing::cotangent(), $crate::ops::testing::direction());
            let dct = X::from_coords(|i| 0.2 - (0.9 * i as f64 + 0.3).sin());
            let dout = jvp((a, b), out, (da, db));
            let pair = $t::$pair(a, b, out, ct, da, db, dout, dct);
            let (v, t) = (vjp((a, b), out, ct), vjp_jvp((a, b), out, ct, (da, db), dout, dct));
            for i in 0..X::LEN {
                for (got, want) in [(pair.0.0, v.0), (pair.0.1, v.1), (pair.1.0, t.0), (pair.1.1, t.1)] {
                    assert_eq!(got.get(i).to_bits(), want.get(i).to_bits(), "pair at {a:?}, {b:?}");
                }
            }
        }
        for &(a, b) in points {
            all(a, b);
            $(assert_eq!($t::$name(a, b).to_bits(), ($std)(a, b).to_bits(), "std's value at {a}, {b}");)?
            let (y32, y64) = ($t::$name(a as f32, b as f32), $t::$name(a, b));
            assert!(
                (f64::from(y32) - y64).abs() <= 1e-5 * (1.0 + y64.abs()),
                "f32 value {y32} vs f64 {y64} at {a}, {b}",
            );
        }
        for &(a, b) in points {
            all(M::from_element(a), M::from_element(b));
        }
    }};
}
pub(crate) use check_binary;
