//! Transposed matrix product, `Y = Aᵀ B`: what `a.t().matmul(b)` lowers to, so neither
//! the forward nor the reverse pass materialises a transpose.
//!
//! For `A: K x R`, `B: K x C` and `Y: R x C` with cotangent `Ȳ`:
//! `Ā = B Ȳᵀ` (`K x R`) and `B̄ = A Ȳ` (`K x C`); along tangents `dA`, `dB`:
//! `dY = dAᵀ B + Aᵀ dB` (`R x C`), again with no transpose materialised.

use crate::real::Real;
use crate::tensor::Tensor;

/// `Aᵀ B`, its VJP `(B Ȳᵀ, A Ȳ)` and its JVP `dAᵀ B + Aᵀ dB`.
///
/// ```
/// use autodiff_core::ops::{Matmul, Transpose, TrMatmul};
/// use autodiff_core::{tensor, Tensor};
///
/// let a: Tensor<f64, 2, 3> = tensor![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
/// let b: Tensor<f64, 2> = tensor![1.0, -1.0];
/// let y = TrMatmul::tr_matmul(&a, &b);
/// assert_eq!(y, a.t().matmul(b));
/// let (ct_a, ct_b) = a.tr_matmul_vjp(&b, &y, Tensor::ones(), [true, true]);
/// assert_eq!(ct_a, tensor![[1.0, 1.0, 1.0], [-1.0, -1.0, -1.0]]);
/// assert_eq!(ct_b, tensor![6.0, 15.0]);
/// let da = tensor![[1.0, 0.0, 0.0], [0.0, 0.0, 0.0]];
/// let dy = a.tr_matmul_jvp(&b, &y, &da, &Tensor::zeros(), [true, false]);
/// assert_eq!(dy, tensor![1.0, 0.0, 0.0]);
/// ```
#[doc(hidden)]
pub trait TrMatmul<Rhs>: Sized {
    /// The product's type.
    type Output;

    /// `selfᵀ · rhs`. The operands are borrowed (here and in the VJP) so that a large
    /// weight matrix is never copied into a call.
    fn tr_matmul(&self, rhs: &Rhs) -> Self::Output;

    /// `(rhs · ctᵀ, self · ct)`; a contribution not `wanted` is not computed (zero).
    fn tr_matmul_vjp(
        &self,
        rhs: &Rhs,
        out: &Self::Output,
        ct: Self::Output,
        wanted: [bool; 2],
    ) -> (Self, Rhs);

    /// `dAᵀ B + Aᵀ dB`, the tangents borrowed like the operands; a tangent not `active`
    /// is zero, neither read nor multiplied.
    fn tr_matmul_jvp(
        &self,
        rhs: &Rhs,
        out: &Self::Output,
        da: &Self,
        db: &Rhs,
        active: [bool; 2],
    ) -> Self::Output;

    /// The tangent of the VJP (forward over reverse, see the module docs): the product is bilinear, so it is the VJP of `dct` plus the VJP of `ct` at `(dA, dB)`; contributions not `wanted` are zero, tangents not `active` are not read.
    #[allow(clippy::too_many_arguments)]
    fn tr_matmul_vjp_jvp(
        &self,
        rhs: &Rhs,
        out: &Self::Output,
        ct: Self::Output,
        da: &Self,
        db: &Rhs,
        dout: &Self::Output,
        dct: Self::Output,
        wanted: [bool; 2],
        active: [bool; 2],
    ) -> (Self, Rhs);
}

impl<T: Real, const K: usize, const R: usize, const C: usize> TrMatmul<Tensor<T, K, C>>
    for Tensor<T, K, R>
{
    type Output = Tensor<T, R, C>;

    // Always inlined, so that `wanted` is a constant and the skipped product vanishes.
    #[inline(always)]
    fn tr_matmul(&self, rhs: &Tensor<T, K, C>) -> Tensor<T, R, C> {
        Tensor::from_matrix(self.as_matrix().tr_mul(rhs.as_matrix()))
    }

    #[inline(always)]
    fn tr_matmul_vjp(
        &self,
        rhs: &Tensor<T, K, C>,
        _out: &Tensor<T, R, C>,
        ct: Tensor<T, R, C>,
        wanted: [bool; 2],
    ) -> (Self, Tensor<T, K, C>) {
        // `B Ȳᵀ` with the transpose made explicit: nalgebra's product of two contiguous
        // matrices beats reading `Ȳ` through a strided view (for the MLP's vectors the
        // transpose is a copy of one column).
        let ct_a = match wanted[0] {
            true => Tensor::from_matrix(rhs.as_matrix() * ct.as_matrix().transpose()),
            false => Tensor::zeros(),
        };
        let ct_b = match wanted[1] {
            true => Tensor::from_matrix(self.as_matrix() * ct.as_matrix()),
            false => Tensor::zeros(),
        };
        (ct_a, ct_b)
    }

    // Always inlined, so that `active` is a constant and a skipped product vanishes.
    #[inline(always)]
    fn tr_matmul_jvp(
        &self,
        rhs: &Tensor<T, K, C>,
        _out: &Tensor<T, R, C>,
        da: &Self,
        db: &Tensor<T, K, C>,
        active: [bool; 2],
    ) -> Tensor<T, R, C> {
        // Both terms are transposed products of contiguous operands, nalgebra's `tr_mul`.
        let product = match active {
            [true, true] => {
                da.as_matrix().tr_mul(rhs.as_matrix()) + self.as_matrix().tr_mul(db.as_matrix())
            }
            [true, false] => da.as_matrix().tr_mul(rhs.as_matrix()),
            [false, true] => self.as_matrix().tr_mul(db.as_matrix()),
            [false, false] => return Tensor::zeros(),
        };
        Tensor::from_matrix(product)
    }

    #[inline(always)]
    fn tr_matmul_vjp_jvp(
        &self,
        rhs: &Tensor<T, K, C>,
        out: &Tensor<T, R, C>,
        ct: Tensor<T, R, C>,
        da: &Self,
        db: &Tensor<T, K, C>,
        dout: &Tensor<T, R, C>,
        dct: Tensor<T, R, C>,
        wanted: [bool; 2],
        active: [bool; 2],
    ) -> (Self, Tensor<T, K, C>) {
        // Bilinear: the VJP of `dct`, plus the VJP of `ct` at the tangents, skipping the
        // products with a tangent that is not active.
        let (a1, b1) = self.tr_matmul_vjp(rhs, out, dct, wanted);
        let cross = [wanted[0] && active[1], wanted[1] && active[0]];
        if cross == [false, false] {
            return (a1, b1);
        }
        let (a2, b2) = da.tr_matmul_vjp(db, dout, ct, cross);
        (a1 + a2, b1 + b2)
    }
}

#[cfg(test)]
mod tests {
    use super::TrMatmul;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp};
    use crate::ops::{Matmul, Transpose};
    use crate::tensor::Tensor;

    #[test]
    fn vjp_matches_finite_differences() {
        type A = Tensor<f64, 3, 2>;
        type B = Tensor<f64, 3, 4>;
        let a = A::from_row_slice(&[0.3, -1.2, 2.0, -0.7, 0.1, 5.0]);
        let b = B::from_fn(|r, c| (r as f64 - 2.0 * c as f64) * 0.7 + 0.1 * (r * c) as f64);
        check_vjp(
            |(a, b): (A, B)| TrMatmul::tr_matmul(&a, &b),
            |(a, b), out, ct| a.tr_matmul_vjp(&b, &out, ct, [true, true]),
            (a, b),
        );
        let v = Tensor::<f64, 3>::from_row_slice(&[1.0, -0.5, 0.25]);
        check_vjp(
            |(a, v): (A, Tensor<f64, 3>)| a.tr_matmul(&v),
            |(a, v), out, ct| a.tr_matmul_vjp(&v, &out, ct, [true, true]),
            (a, v),
        );
    }

    #[test]
    fn jvp_matches_finite_differences_and_the_vjp() {
        type A = Tensor<f64, 3, 2>;
        type B = Tensor<f64, 3, 4>;
        type V = Tensor<f64, 3>;
        let a = A::from_row_slice(&[0.3, -1.2, 2.0, -0.7, 0.1, 5.0]);
        let b = B::from_fn(|r, c| (r as f64 - 2.0 * c as f64) * 0.7 + 0.1 * (r * c) as f64);
        let f = |(a, b): (A, B)| TrMatmul::tr_matmul(&a, &b);
        let vjp = |(a, b): (A, B), out, ct| a.tr_matmul_vjp(&b, &out, ct, [true, true]);
        let jvp = |(a, b): (A, B), out, (da, db)| a.tr_matmul_jvp(&b, &out, &da, &db, [true, true]);
        check_jvp(f, jvp, (a, b));
        check_vjp_against_jvp(f, vjp, jvp, (a, b));
        let v = V::from_row_slice(&[1.0, -0.5, 0.25]);
        let f = |(a, v): (A, V)| a.tr_matmul(&v);
        let vjp = |(a, v): (A, V), out, ct| a.tr_matmul_vjp(&v, &out, ct, [true, true]);
        let jvp = |(a, v): (A, V), out, (da, dv)| a.tr_matmul_jvp(&v, &out, &da, &dv, [true, true]);
        check_jvp(f, jvp, (a, v));
        check_vjp_against_jvp(f, vjp, jvp, (a, v));
        let jvp_a = |a: A, out, da| a.tr_matmul_jvp(&v, &out, &da, &V::zeros(), [true, false]);
        check_jvp(|a: A| a.tr_matmul(&v), jvp_a, a);
        let jvp_v = |v: V, out, dv| a.tr_matmul_jvp(&v, &out, &A::zeros(), &dv, [false, true]);
        check_jvp(|v: V| a.tr_matmul(&v), jvp_v, v);
    }

    #[test]
    fn agrees_with_transpose_then_matmul_at_a_large_size() {
        let a = Tensor::<f64, 9, 8>::from_fn(|r, c| (r as f64 * 1.3 - c as f64 * 0.4).sin());
        let b = Tensor::<f64, 9, 7>::from_fn(|r, c| (r as f64 * 0.2 + c as f64 * 0.9).cos());
        let ct = Tensor::<f64, 8, 7>::from_fn(|r, c| (r * 7 + c) as f64 * 0.01 - 0.2);
        let fused = TrMatmul::tr_matmul(&a, &b);
        let unfused = a.t().matmul(b);
        assert!((fused.into_matrix() - unfused.into_matrix()).norm() < 1e-12);
        let (ct_a, ct_b) = a.tr_matmul_vjp(&b, &fused, ct, [true, true]);
        let (ct_at, ct_b2) = a.t().matmul_vjp(&b, &unfused, ct, [true, true]);
        let (only_a, skipped_b) = a.tr_matmul_vjp(&b, &fused, ct, [true, false]);
        assert_eq!((only_a, skipped_b), (ct_a, Tensor::zeros()));
        let ct_a2 = a.t_vjp(a.t(), ct_at);
        assert!((ct_a.into_matrix() - ct_a2.into_matrix()).norm() < 1e-12);
        assert!((ct_b.into_matrix() - ct_b2.into_matrix()).norm() < 1e-12);
        // Forward too: the fused JVP is the transpose's JVP followed by matmul's.
        let da = Tensor::<f64, 9, 8>::from_fn(|r, c| (r as f64 - c as f64) * 0.05);
        let db = Tensor::<f64, 9, 7>::from_fn(|r, c| (r * c) as f64 * 0.03 - 0.5);
        let fused_dy = a.tr_matmul_jvp(&b, &fused, &da, &db, [true, true]);
        let unfused_dy = a
            .t()
            .matmul_jvp(&b, &unfused, &a.t_jvp(a.t(), da), &db, [true, true]);
        assert!((fused_dy.into_matrix() - unfused_dy.into_matrix()).norm() < 1e-12);
        let nan = Tensor::<f64, 9, 8>::from_element(f64::NAN);
        let only_b = a.tr_matmul_jvp(&b, &fused, &nan, &db, [false, true]);
        assert_eq!(only_b, a.tr_matmul(&db));
    }

    #[test]
    fn vjp_jvp_matches_finite_differences_of_the_vjp() {
        use crate::ops::testing::check_vjp_jvp;
        type A = Tensor<f64, 3, 2>;
        type B = Tensor<f64, 3, 2>;
        let a = A::from_row_slice(&[0.3, -1.2, 2.0, 0.7, 0.1, 1.5]);
        let b = B::from_row_slice(&[1.3, 0.2, -0.5, 0.9, 1.1, -2.5]);
        check_vjp_jvp(
            |(a, b): (A, B)| TrMatmul::tr_matmul(&a, &b),
            |(a, b): (A, B), out, (da, db)| a.tr_matmul_jvp(&b, &out, &da, &db, [true, true]),
            |(a, b): (A, B), out, ct| a.tr_matmul_vjp(&b, &out, ct, [true, true]),
            |(a, b): (A, B), out, ct, (da, db), dout, dct| {
                a.tr_matmul_vjp_jvp(
                    &b,
                    &out,
                    ct,
                    &da,
                    &db,
                    &dout,
                    dct,
                    [true, true],
                    [true, true],
                )
            },
            (a, b),
        );
        // An inactive operand: its tangent is zero and not read.
        let (da, db) = (A::from_fn(|r, c| (r + 2 * c) as f64 * 0.1), B::zeros());
        let (out, ct) = (
            TrMatmul::tr_matmul(&a, &b),
            TrMatmul::tr_matmul(&a, &b) * 0.5,
        );
        let dout = a.tr_matmul_jvp(&b, &out, &da, &db, [true, false]);
        let dct = ct * 2.0;
        assert_eq!(
            a.tr_matmul_vjp_jvp(
                &b,
                &out,
                ct,
                &da,
                &db,
                &dout,
                dct,
                [true, true],
                [true, false]
            ),
            a.tr_matmul_vjp_jvp(
                &b,
                &out,
                ct,
                &da,
                &db,
                &dout,
                dct,
                [true, true],
                [true, true]
            ),
        );
    }
}
