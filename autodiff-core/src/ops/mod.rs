//! The primitive operations, each in its own file with its forward computation, its
//! vector-Jacobian product (VJP) and its Jacobian-vector product (JVP) side by side, the
//! formulas in its doc comment.
//!
//! # The VJP convention
//!
//! Every op is a trait named after it (`Exp`, `Matmul`, ...) whose forward method computes
//! the output and whose `*_vjp` method runs the op backward. The traits of elementwise
//! functions are what `#[differentiable]` code calls, hidden from these docs: users call
//! the forward as a method of [`Tensor`] or of `f64`, and each such trait is
//! derived from one rule of [`elementwise`] (the function's value and its first and second
//! derivatives), in the op's file with its tests. A VJP takes
//!
//! 1. the op's inputs, exactly as the forward took them (non-differentiable arguments
//!    such as the exponent of `powi` included),
//! 2. `out`, the forward output, and
//! 3. `ct`, the cotangent of the output (the gradient of the final result with respect
//!    to `out`), of the output's type,
//!
//! and returns one cotangent contribution per differentiable input, each of the same type
//! and shape as that input: `Self` for a unary op, the pair `(Self, Rhs)` for a binary one.
//! For an op `y = f(x)` that is `ctᵀ · ∂f/∂x`; for a scalar broadcast against a tensor it
//! is the sum over the tensor's elements. Contributions are added up by the caller, so a
//! VJP never accumulates.
//!
//! A VJP reuses the forward output where that is cheaper than recomputing from the input:
//! `exp`, `sigmoid`, `tanh`, `sqrt`, `div`, `softmax`, `logsumexp` and `norm` do.
//! Non-differentiable points follow PyTorch: `relu` and `abs` have derivative 0 at 0 and
//! `norm` has gradient 0 at the zero tensor.
//!
//! ```
//! use autodiff_core::ops::{Exp, Sum};
//! use autodiff_core::tensor;
//!
//! // y = sum(exp(x)); backward from the seed 1.
//! let x = tensor![0.0_f64, 1.0];
//! let e = Exp::exp(x);
//! let y = Sum::sum(e);
//! let ct_e = Sum::sum_vjp(e, y, 1.0);
//! let ct_x = Exp::exp_vjp(x, e, ct_e);
//! assert_eq!(ct_x, e);
//! ```
//!
//! # The JVP convention
//!
//! The same trait has a `*_jvp` method that runs the op forward in tangent space
//! (forward mode). A JVP takes
//!
//! 1. the op's inputs, exactly as the forward took them (non-differentiable arguments
//!    included), by reference where the forward borrows them (`matmul`, `tr_matmul`),
//! 2. `out`, the forward output, and
//! 3. one tangent per differentiable input, of that input's type (`dx` for a unary op,
//!    `da` and `db` for a binary one, `dp` for the exponent of `powf`); `matmul` and
//!    `tr_matmul` borrow their tangents like their operands and take an `active` mask,
//!    the counterpart of the VJP's `wanted`: a tangent not active is zero and not read,
//!
//! and returns the tangent of the output, of the output's type: `∂f/∂x · dx`, summed over
//! the inputs. A broadcast scalar's tangent is broadcast like the scalar itself, so for
//! `y = t * s` it is `dt * s + t * ds`. Like a VJP, a JVP reuses the forward output where
//! that is cheaper (`exp`, `sigmoid`, `tanh`, `sqrt`, `div`, `softmax`, `logsumexp`,
//! `norm`), takes the same one-sided choices at non-differentiable points (`relu` and `abs`
//! have slope 0 at 0, `norm`'s tangent is 0 at the zero tensor) and never allocates.
//! `detach` has a JVP too: it is zero, the tangent of a constant.
//!
//! ```
//! use autodiff_core::ops::{Exp, MulVjp, Sum};
//! use autodiff_core::tensor;
//!
//! // y = sum(exp(x) * x) and its derivative along dx, one tangent per intermediate.
//! let (x, dx) = (tensor![0.0_f64, 1.0], tensor![1.0, -1.0]);
//! let e = Exp::exp(x);
//! let de = Exp::exp_jvp(x, e, dx);
//! let p = e * x;
//! let dp = MulVjp::mul_jvp(e, x, p, de, dx);
//! let y = Sum::sum(p);
//! let dy = Sum::sum_jvp(p, y, dp);
//! // d/dx (x eˣ) = (1 + x) eˣ: 1 at 0 and 2e at 1, weighted by dx = (1, -1).
//! assert!((dy - (1.0 - 2.0 * std::f64::consts::E)).abs() < 1e-15);
//! ```
//!
//! # The second-order convention
//!
//! `f_hvp` runs the reverse sweep in tangent space (forward over reverse), so each op also
//! has the tangent of its VJP, `*_vjp_jvp`. It takes
//!
//! 1. the VJP's own arguments: the inputs, `out` and `ct` (and, for `matmul` and
//!    `tr_matmul`, their borrowed operands and output),
//! 2. one tangent per differentiable input (`dx`, or `da` and `db`, as the JVP takes them),
//! 3. `dout`, the tangent of the output (what the op's JVP returned), and
//! 4. `dct`, the tangent of the cotangent,
//!
//! then, for `matmul` and `tr_matmul`, the VJP's `wanted` and the JVP's `active` masks, and
//! returns the tangents of the VJP's contributions, of the same types: the derivative of
//! `vjp(x + ε dx, out + ε dout, ct + ε dct)` at `ε = 0`. That is `vjp(x, out, dct)` (a VJP
//! is linear in `ct`) plus the curvature term `ctᵀ ∂²f[dx, ·]`. For linear ops (`add`,
//! `sub`, `neg`, `sum`, `mean`, `t`, the stacks, `index`, `fixed_rows`) the curvature term
//! vanishes and the rule is the VJP of `dct`, a default method of the trait; for bilinear
//! ops (`mul`, `dot`, `cross`, `matmul`, `tr_matmul`) it is the VJP of `ct` with the
//! operands' tangents in place of the operands; elementwise ops add `ct ⊙ d(f'(x))`, with
//! `f'` read off the output where the VJP reads it there. Non-differentiable points take the
//! VJP's one-sided choices (`relu` and `abs` have curvature 0, `norm` is 0 at the zero
//! tensor).
//!
//! ```
//! use autodiff_core::ops::Exp;
//!
//! // d/dε of the VJP of exp at (x + ε dx, ct + ε dct): dct eˣ + ct eˣ dx.
//! let (x, ct, dx, dct) = (0.5_f64, 2.0, 0.1, -1.0);
//! let y = Exp::exp(x);
//! let dy = Exp::exp_jvp(x, y, dx);
//! let d = Exp::exp_vjp_jvp(x, y, ct, dx, dy, dct);
//! assert!((d - (dct * y + ct * y * dx)).abs() < 1e-15);
//! ```
//!
//! The binary arithmetic ops are the `std::ops` operators, implemented for tensors of
//! equal shapes, for a tensor and a scalar on either side, and (through Rust itself) for
//! scalars; their VJPs and JVPs are the `*Vjp` traits (`MulVjp::mul_jvp`, ...).
//! Elementwise ops are written once for scalars and tensors through [`Elementwise`]. No
//! op allocates.
//!
//! Reductions (`amax`, `amin`, `product`, `norm_squared`, `trace`), shape ops (`outer`,
//! `diagonal`) and fixed-shape linear algebra (`determinant`, `try_inverse`, `cholesky` and
//! its factor's `l`, `solve`, `inverse`, `determinant`, `ln_determinant`, `lu` and its
//! `solve`, the triangular solves, and `unwrap`/`expect` of what they return) follow the
//! same conventions: an op that can fail takes and returns `Option`s for its output, tangent
//! and cotangent, and the factors are the differentiable values of
//! [`linalg`](crate::linalg). The linear ones among them (`trace`, `diagonal`, `l`, `lu`,
//! `unwrap`, `expect`) and the piecewise-linear `amax` and `amin` take the default
//! second-order rule, the VJP of `dct`. Only `determinant`'s rules at a singular matrix
//! allocate (its cofactors are computed from minors there).

mod abs;
mod acos;
mod acosh;
mod add;
mod asin;
mod asinh;
mod atan;
mod atan2;
mod atanh;
mod by_reference;
mod cbrt;
mod ceil;
mod celu;
mod clamp;
mod concat;
mod cos;
mod cosh;
mod cross;
mod detach;
mod div;
mod dot;
pub mod elementwise;
mod erf;
mod erfc;
mod exp;
mod exp2;
mod exp_m1;
mod fixed_rows;
mod floor;
mod hstack;
mod hypot;
mod index;
mod ln;
mod ln_1p;
mod log;
mod log10;
mod log2;
mod logsumexp;
mod matmul;
mod max;
mod mean;
mod min;
mod mul;
mod mul_add;
mod neg;
mod norm;
mod powf;
mod powi;
mod recip;
mod relu;
mod round;
mod sigmoid;
mod signum;
mod sin;
mod sinh;
mod softmax;
mod sqrt;
mod sub;
mod sum;
mod tan;
mod tanh;
mod tr_matmul;
mod transpose;
mod trunc;
mod vstack;

// Reductions and shape ops over whole tensors.
mod amax;
mod amin;
mod diagonal;
mod norm_squared;
mod outer;
mod product;
mod trace;

// Fixed-shape linear algebra, and `unwrap`/`expect` of what can fail.
mod linalg;
mod unwrap;

#[cfg(test)]
mod testing;

pub use abs::Abs;
pub use acos::Acos;
pub use acosh::Acosh;
pub use add::AddVjp;
pub use asin::Asin;
pub use asinh::Asinh;
pub use atan::Atan;
pub use atan2::Atan2;
pub use atanh::Atanh;
pub use cbrt::Cbrt;
pub use ceil::Ceil;
pub use celu::Celu;
pub use clamp::Clamp;
pub use concat::Concat;
pub use cos::Cos;
pub use cosh::Cosh;
pub use cross::Cross;
pub use detach::Detach;
pub use div::DivVjp;
pub use dot::Dot;
pub use erf::Erf;
pub use erfc::Erfc;
pub use exp::Exp;
pub use exp_m1::ExpM1;
pub use exp2::Exp2;
pub use fixed_rows::{FixedRows, add_rows};
pub use floor::Floor;
pub use hstack::Hstack;
pub use hypot::Hypot;
pub use index::IndexVjp;
pub use ln::Ln;
pub use ln_1p::Ln1p;
pub use log::Log;
pub use log2::Log2;
pub use log10::Log10;
pub use logsumexp::LogSumExp;
pub use matmul::Matmul;
pub use max::Max;
pub use mean::Mean;
pub use min::Min;
pub use mul::MulVjp;
pub use mul_add::MulAdd;
pub use neg::NegVjp;
pub use norm::Norm;
pub use powf::Powf;
pub use powi::Powi;
pub use recip::Recip;
pub use relu::Relu;
pub use round::Round;
pub use sigmoid::Sigmoid;
pub use signum::Signum;
pub use sin::Sin;
pub use sinh::Sinh;
pub use softmax::Softmax;
pub use sqrt::Sqrt;
pub use sub::SubVjp;
pub use sum::Sum;
pub use tan::Tan;
pub use tanh::Tanh;
pub use tr_matmul::TrMatmul;
pub use transpose::Transpose;
pub use trunc::Trunc;
pub use vstack::Vstack;

pub use amax::Amax;
pub use amin::Amin;
pub use diagonal::Diagonal;
pub use norm_squared::NormSquared;
pub use outer::Outer;
pub use product::Product;
pub use trace::Trace;

pub use linalg::{
    CholeskyL, Determinant, FactorCholesky, FactorLu, FactorSymmetricEigen, Inverse, LnDeterminant,
    Solve, SolveLowerTriangular, SolveUpperTriangular, TryInverse,
};
pub use unwrap::{Expect, Unwrap};

use crate::real::Real;
use crate::tensor::Tensor;

/// Values made of [`Real`] elements that elementwise ops can be lifted over: the scalars
/// `f32` and `f64` themselves and tensors of them.
///
/// An elementwise op is written once, as a scalar formula, for every `X: Elementwise`:
///
/// ```
/// use autodiff_core::ops::Elementwise;
/// use autodiff_core::tensor;
///
/// fn square<X: Elementwise>(x: X) -> X {
///     x.map_elems(|e| e * e)
/// }
///
/// assert_eq!(square(3.0_f64), 9.0);
/// assert_eq!(square(tensor![1.0_f32, -2.0]), tensor![1.0, 4.0]);
/// ```
pub trait Elementwise: Copy {
    /// The element type.
    type Elem: Real;

    /// Applies `f` to every element.
    fn map_elems(self, f: impl FnMut(Self::Elem) -> Self::Elem) -> Self;

    /// Combines the elements of `self` and `other` pairwise.
    fn zip_map_elems(
        self,
        other: Self,
        f: impl FnMut(Self::Elem, Self::Elem) -> Self::Elem,
    ) -> Self;

    /// Combines the elements of `self`, `b` and `c` three by three.
    fn zip3_map_elems(
        self,
        b: Self,
        c: Self,
        f: impl FnMut(Self::Elem, Self::Elem, Self::Elem) -> Self::Elem,
    ) -> Self;

    /// The sum of the elements.
    fn sum_elems(self) -> Self::Elem;
}

impl<T: Real> Elementwise for T {
    type Elem = T;

    #[inline(always)]
    fn map_elems(self, mut f: impl FnMut(T) -> T) -> Self {
        f(self)
    }

    #[inline(always)]
    fn zip_map_elems(self, other: Self, mut f: impl FnMut(T, T) -> T) -> Self {
        f(self, other)
    }

    #[inline(always)]
    fn zip3_map_elems(self, b: Self, c: Self, mut f: impl FnMut(T, T, T) -> T) -> Self {
        f(self, b, c)
    }

    #[inline(always)]
    fn sum_elems(self) -> T {
        self
    }
}

impl<T: Real, const R: usize, const C: usize> Elementwise for Tensor<T, R, C> {
    type Elem = T;

    #[inline]
    fn map_elems(self, f: impl FnMut(T) -> T) -> Self {
        Tensor::from_matrix(self.as_matrix().map(f))
    }

    #[inline]
    fn zip_map_elems(self, other: Self, f: impl FnMut(T, T) -> T) -> Self {
        Tensor::from_matrix(self.as_matrix().zip_map(other.as_matrix(), f))
    }

    #[inline]
    fn zip3_map_elems(self, b: Self, c: Self, f: impl FnMut(T, T, T) -> T) -> Self {
        Tensor::from_matrix(
            self.as_matrix()
                .zip_zip_map(b.as_matrix(), c.as_matrix(), f),
        )
    }

    #[inline]
    fn sum_elems(self) -> T {
        self.as_matrix().sum()
    }
}

/// `first + ct ⊙ dslope`: the tangent of an elementwise VJP `ct ⊙ f'(x)`, given
/// `first = dct ⊙ f'(x)` (the VJP of `dct`) and `dslope`, the tangent of the slope `f'(x)`.
#[inline(always)]
fn second_order<X: Elementwise>(first: X, ct: X, dslope: X) -> X {
    first.zip3_map_elems(ct, dslope, |a, ct, ds| a + ct * ds)
}

/// `a + b`, element by element (for impls whose `X` has no `Add` bound).
#[inline(always)]
fn plus<X: Elementwise>(a: X, b: X) -> X {
    a.zip_map_elems(b, |a, b| a + b)
}

#[cfg(test)]
mod tests {
    use super::{AddVjp, Exp, Matmul, MulVjp, Sigmoid, Sum};
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp};
    use crate::real::Real;
    use crate::tensor::Tensor;

    type W<T> = Tensor<T, 2, 2>;
    type V<T> = Tensor<T, 2>;

    /// A generic body, `sum(exp(w.matmul(x) * s)) + sigmoid(s)`, and its reverse sweep
    /// written through the trait paths, the way `#[differentiable]` emits them.
    fn f_grad<T: Real>(w: W<T>, x: V<T>, s: T) -> (T, (W<T>, V<T>, T)) {
        let a = Matmul::matmul(&w, &x);
        let b = a * s;
        let c = Exp::exp(b);
        let d = Sum::sum(c);
        let e = Sigmoid::sigmoid(s);
        let y = d + e;
        let (ct_d, ct_e) = AddVjp::add_vjp(d, e, y, T::one());
        let ct_s = Sigmoid::sigmoid_vjp(s, e, ct_e);
        let ct_c = Sum::sum_vjp(c, d, ct_d);
        let ct_b = Exp::exp_vjp(b, c, ct_c);
        let (ct_a, ct_s_b) = MulVjp::mul_vjp(a, s, b, ct_b);
        let (ct_w, ct_x) = Matmul::matmul_vjp(&w, &x, &a, ct_a, [true, true]);
        (y, (ct_w, ct_x, ct_s + ct_s_b))
    }

    /// The tangent sweep of the same body through the `*_jvp` trait paths, the way
    /// `f_jvp` is emitted: one tangent per intermediate, in forward order.
    fn f_jvp<T: Real>(w: W<T>, x: V<T>, s: T, dw: W<T>, dx: V<T>, ds: T) -> (T, T) {
        let a = Matmul::matmul(&w, &x);
        let da = Matmul::matmul_jvp(&w, &x, &a, &dw, &dx, [true, true]);
        let b = a * s;
        let db = MulVjp::mul_jvp(a, s, b, da, ds);
        let c = Exp::exp(b);
        let dc = Exp::exp_jvp(b, c, db);
        let d = Sum::sum(c);
        let dd = Sum::sum_jvp(c, d, dc);
        let e = Sigmoid::sigmoid(s);
        let de = Sigmoid::sigmoid_jvp(s, e, ds);
        let y = d + e;
        let dy = AddVjp::add_jvp(d, e, y, dd, de);
        (y, dy)
    }

    #[test]
    fn tangents_compose_in_generic_code_and_agree_with_the_gradient() {
        let w = W::<f64>::from_row_slice(&[0.3, -1.2, 0.5, 0.7]);
        let x = V::<f64>::from_row_slice(&[0.4, -0.9]);
        let f = |(w, (x, s))| f_grad(w, x, s).0;
        let jvp = |(w, (x, s)), _, (dw, (dx, ds))| f_jvp(w, x, s, dw, dx, ds).1;
        let vjp = |(w, (x, s)), _, ct| {
            let (ct_w, ct_x, ct_s) = f_grad(w, x, s).1;
            (ct_w * ct, (ct_x * ct, ct_s * ct))
        };
        check_jvp(f, jvp, (w, (x, 0.6)));
        check_vjp_against_jvp(f, vjp, jvp, (w, (x, 0.6)));
        let (y, dy) = f_jvp(w, x, 0.6, W::zeros(), V::zeros(), 0.0);
        assert_eq!((y, dy), (f_grad(w, x, 0.6).0, 0.0));
    }

    #[test]
    fn ops_compose_in_generic_code() {
        let w = W::<f64>::from_row_slice(&[0.3, -1.2, 0.5, 0.7]);
        let x = V::<f64>::from_row_slice(&[0.4, -0.9]);
        check_vjp(
            |(w, (x, s))| f_grad(w, x, s).0,
            |(w, (x, s)), _, ct| {
                let (ct_w, ct_x, ct_s) = f_grad(w, x, s).1;
                (ct_w * ct, (ct_x * ct, ct_s * ct))
            },
            (w, (x, 0.6)),
        );
        let (y32, (_, _, ct_s32)) = f_grad(w.map(|v| v as f32), x.map(|v| v as f32), 0.6_f32);
        let (y64, (_, _, ct_s64)) = f_grad(w, x, 0.6);
        assert!((f64::from(y32) - y64).abs() < 1e-5);
        assert!((f64::from(ct_s32) - ct_s64).abs() < 1e-5);
    }
}
