//! LU factorisation of a square matrix, `a.lu()`, for `a.lu().solve(&b)`.

use crate::linalg::Lu;
use crate::real::Real;
use crate::tensor::Tensor;

/// The LU factorisation of a square matrix (nalgebra's `lu`), as an [`Lu`] that holds the
/// matrix: the identity on `A`, so its VJP passes the factorisation's cotangent through,
/// its JVP the tangent, and its second-order rule is the VJP of the cotangent's tangent.
/// The derivatives of a solve are [`Solve`](super::Solve)'s.
///
/// ```
/// use autodiff_core::ops::FactorLu;
/// use autodiff_core::linalg::Lu;
/// use autodiff_core::tensor;
///
/// let a = tensor![[2.0, 1.0], [1.0, 3.0]];
/// let lu = FactorLu::lu(a);
/// assert_eq!(FactorLu::lu_vjp(a, lu, Lu::of(a)), a);
/// ```
pub trait FactorLu: Sized {
    /// The factorisation's type.
    type Output;

    /// The factorisation.
    fn lu(self) -> Self::Output;

    /// `ct_A` = the factorisation's cotangent.
    fn lu_vjp(self, out: Self::Output, ct: Self::Output) -> Self;

    /// The factorisation's tangent, `dA`.
    fn lu_jvp(self, out: Self::Output, dx: Self) -> Self::Output;

    /// The tangent of the VJP: the VJP of `dct`.
    #[inline]
    fn lu_vjp_jvp(
        self,
        out: Self::Output,
        _ct: Self::Output,
        _dx: Self,
        _dout: Self::Output,
        dct: Self::Output,
    ) -> Self {
        self.lu_vjp(out, dct)
    }
}

impl<T: Real, const N: usize> FactorLu for Tensor<T, N, N> {
    type Output = Lu<T, N>;

    #[inline]
    fn lu(self) -> Lu<T, N> {
        Lu::of(self)
    }

    #[inline]
    fn lu_vjp(self, _out: Lu<T, N>, ct: Lu<T, N>) -> Self {
        ct.a
    }

    #[inline]
    fn lu_jvp(self, _out: Lu<T, N>, dx: Self) -> Lu<T, N> {
        Lu::of(dx)
    }
}

impl<T: Real, const N: usize> Tensor<T, N, N> {
    /// The LU factorisation, for `a.lu().solve(&b)`; see [`FactorLu`] and [`Lu`].
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// let x = tensor![[2.0, 0.0], [0.0, 4.0]].lu().solve(&tensor![2.0, 2.0]);
    /// assert_eq!(x, Some(tensor![1.0, 0.5]));
    /// ```
    #[inline]
    pub fn lu(self) -> Lu<T, N> {
        FactorLu::lu(self)
    }
}

#[cfg(test)]
mod tests {
    use super::FactorLu;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp, check_vjp_jvp};
    use crate::tensor::Tensor;

    #[test]
    fn rules_match_finite_differences() {
        type A = Tensor<f64, 2, 2>;
        let a = A::from_row_slice(&[0.5, -1.0, 2.0, 0.3]);
        let vjp = |a: A, out, ct| a.lu_vjp(out, ct);
        let jvp = |a: A, out, da| a.lu_jvp(out, da);
        check_vjp(FactorLu::lu, vjp, a);
        check_jvp(FactorLu::lu, jvp, a);
        check_vjp_against_jvp(FactorLu::lu, vjp, jvp, a);
        check_vjp_jvp(
            FactorLu::lu,
            jvp,
            vjp,
            |a: A, out, ct, da, dout, dct| a.lu_vjp_jvp(out, ct, da, dout, dct),
            a,
        );
    }
}
