//! The lower-triangular factor `L` of a Cholesky factorisation.

use crate::linalg::Cholesky;
use crate::real::Real;
use crate::tensor::Tensor;

/// The factor `L` of `A = L Lᵀ` (nalgebra's `Cholesky::l`), its strictly upper entries
/// zero; VJP `ct_L = tril(ct)`, JVP `dL = tril(dfactor)`. Linear, so its second-order
/// rule is the VJP of the cotangent's tangent.
///
/// ```
/// use autodiff_core::ops::CholeskyL;
/// use autodiff_core::tensor;
///
/// let chol = tensor![[4.0, 2.0], [2.0, 5.0]].cholesky().unwrap();
/// let l = CholeskyL::l(chol);
/// assert_eq!(l, tensor![[2.0, 0.0], [1.0, 2.0]]);
/// let ct = CholeskyL::l_vjp(chol, l, tensor![[1.0, 9.0], [2.0, 3.0]]);
/// assert_eq!(ct.l(), tensor![[1.0, 0.0], [2.0, 3.0]]);
/// ```
pub trait CholeskyL: Sized {
    /// The factor's type.
    type Output;

    /// `L`.
    fn l(self) -> Self::Output;

    /// `ct_L = tril(ct)`.
    fn l_vjp(self, out: Self::Output, ct: Self::Output) -> Self;

    /// `dL = tril(dfactor)`.
    fn l_jvp(self, out: Self::Output, dx: Self) -> Self::Output;

    /// The tangent of the VJP: the VJP of `dct`.
    #[inline]
    fn l_vjp_jvp(
        self,
        out: Self::Output,
        _ct: Self::Output,
        _dx: Self,
        _dout: Self::Output,
        dct: Self::Output,
    ) -> Self {
        self.l_vjp(out, dct)
    }
}

impl<T: Real, const N: usize> CholeskyL for Cholesky<T, N> {
    type Output = Tensor<T, N, N>;

    #[inline]
    fn l(self) -> Tensor<T, N, N> {
        Tensor::from_matrix(self.l.as_matrix().lower_triangle())
    }

    #[inline]
    fn l_vjp(self, _out: Tensor<T, N, N>, ct: Tensor<T, N, N>) -> Self {
        Cholesky::from_l(Tensor::from_matrix(ct.as_matrix().lower_triangle()))
    }

    #[inline]
    fn l_jvp(self, _out: Tensor<T, N, N>, dx: Self) -> Tensor<T, N, N> {
        CholeskyL::l(dx)
    }
}

impl<T: Real, const N: usize> Cholesky<T, N> {
    /// The lower-triangular factor `L` of `A = L Lᵀ`; see [`CholeskyL`].
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// let chol = tensor![[4.0, 2.0], [2.0, 5.0]].cholesky().unwrap();
    /// assert_eq!(chol.l(), tensor![[2.0, 0.0], [1.0, 2.0]]);
    /// ```
    #[inline]
    pub fn l(&self) -> Tensor<T, N, N> {
        CholeskyL::l(*self)
    }
}

#[cfg(test)]
mod tests {
    use super::CholeskyL;
    use crate::linalg::Cholesky;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp, check_vjp_jvp};
    use crate::tensor::Tensor;

    #[test]
    fn rules_match_finite_differences() {
        type C = Cholesky<f64, 3>;
        let chol = C::from_l(Tensor::from_fn(|r, c| 0.3 + (r * 3 + c) as f64 * 0.1));
        let vjp = |x: C, out, ct| x.l_vjp(out, ct);
        let jvp = |x: C, out, dx| x.l_jvp(out, dx);
        check_vjp(CholeskyL::l, vjp, chol);
        check_jvp(CholeskyL::l, jvp, chol);
        check_vjp_against_jvp(CholeskyL::l, vjp, jvp, chol);
        check_vjp_jvp(
            CholeskyL::l,
            jvp,
            vjp,
            |x: C, out, ct, dx, dout, dct| x.l_vjp_jvp(out, ct, dx, dout, dct),
            chol,
        );
    }
}
