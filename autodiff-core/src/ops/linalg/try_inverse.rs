//! Matrix inverse, `Y = A⁻¹`, `None` for a singular matrix.

use crate::linalg::Lu;
use crate::real::Real;
use crate::tensor::Tensor;

/// Inverse `Y = A⁻¹` of a square matrix, `None` when it is singular (nalgebra's
/// `try_inverse`); VJP `ct_A = -Yᵀ ct Yᵀ` and JVP `dY = -Y dA Y` (Giles 2008, §2.2.3),
/// both zero when there is no inverse. The VJP's tangent is
/// `-(dYᵀ ct Yᵀ + Yᵀ dct Yᵀ + Yᵀ ct dYᵀ)`.
///
/// ```
/// use autodiff_core::ops::TryInverse;
/// use autodiff_core::tensor;
///
/// let a = tensor![[2.0, 0.0], [0.0, 4.0]];
/// let y = a.try_inverse();
/// assert_eq!(y, Some(tensor![[0.5, 0.0], [0.0, 0.25]]));
/// let ct = Some(tensor![[1.0, 0.0], [0.0, 0.0]]);
/// assert_eq!(TryInverse::try_inverse_vjp(a, y, ct), tensor![[-0.25, 0.0], [0.0, 0.0]]);
/// assert_eq!(tensor![[1.0, 2.0], [2.0, 4.0]].try_inverse(), None);
/// ```
pub trait TryInverse: Sized {
    /// `Option<Self>`.
    type Output;

    /// `Y = A⁻¹`, or `None`.
    fn try_inverse(self) -> Self::Output;

    /// `ct_A = -Yᵀ ct Yᵀ`.
    fn try_inverse_vjp(self, out: Self::Output, ct: Self::Output) -> Self;

    /// `dY = -Y dA Y`.
    fn try_inverse_jvp(self, out: Self::Output, dx: Self) -> Self::Output;

    /// The tangent of the VJP (see the module docs).
    fn try_inverse_vjp_jvp(
        self,
        out: Self::Output,
        ct: Self::Output,
        dx: Self,
        dout: Self::Output,
        dct: Self::Output,
    ) -> Self;
}

impl<T: Real, const N: usize> TryInverse for Tensor<T, N, N> {
    type Output = Option<Self>;

    #[inline]
    fn try_inverse(self) -> Option<Self> {
        self.into_matrix().try_inverse().map(Tensor::from_matrix)
    }

    fn try_inverse_vjp(self, out: Option<Self>, ct: Option<Self>) -> Self {
        let (Some(y), Some(ct)) = (out, ct) else {
            return Tensor::zeros();
        };
        let y_t = y.as_matrix().transpose();
        Tensor::from_matrix(-(y_t * ct.as_matrix() * y_t))
    }

    fn try_inverse_jvp(self, out: Option<Self>, dx: Self) -> Option<Self> {
        let y = out?;
        let y = y.as_matrix();
        Some(Tensor::from_matrix(-(y * dx.as_matrix() * y)))
    }

    fn try_inverse_vjp_jvp(
        self,
        out: Option<Self>,
        ct: Option<Self>,
        _dx: Self,
        dout: Option<Self>,
        dct: Option<Self>,
    ) -> Self {
        let Some(y) = out else {
            return Tensor::zeros();
        };
        let zero = Tensor::<T, N, N>::zeros();
        let (ct, dy, dct) = (
            ct.unwrap_or(zero),
            dout.unwrap_or(zero),
            dct.unwrap_or(zero),
        );
        let y_t = y.as_matrix().transpose();
        let dy_t = dy.as_matrix().transpose();
        let ct = ct.as_matrix();
        Tensor::from_matrix(-(dy_t * ct * y_t + y_t * dct.as_matrix() * y_t + y_t * ct * dy_t))
    }
}

/// nalgebra's `lu().try_inverse()`: the inverse of the factored matrix, with the rules of
/// the matrix's own.
impl<T: Real, const N: usize> TryInverse for Lu<T, N> {
    type Output = Option<Tensor<T, N, N>>;

    #[inline]
    fn try_inverse(self) -> Self::Output {
        TryInverse::try_inverse(self.a)
    }

    fn try_inverse_vjp(self, out: Self::Output, ct: Self::Output) -> Self {
        Lu::of(self.a.try_inverse_vjp(out, ct))
    }

    fn try_inverse_jvp(self, out: Self::Output, dx: Self) -> Self::Output {
        self.a.try_inverse_jvp(out, dx.a)
    }

    fn try_inverse_vjp_jvp(
        self,
        out: Self::Output,
        ct: Self::Output,
        dx: Self,
        dout: Self::Output,
        dct: Self::Output,
    ) -> Self {
        Lu::of(self.a.try_inverse_vjp_jvp(out, ct, dx.a, dout, dct))
    }
}

impl<T: Real, const N: usize> Lu<T, N> {
    /// The inverse of the factored matrix, or `None` if it is singular; see [`TryInverse`].
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// let lu = tensor![[2.0, 0.0], [0.0, 4.0]].lu();
    /// assert_eq!(lu.try_inverse(), Some(tensor![[0.5, 0.0], [0.0, 0.25]]));
    /// ```
    #[inline]
    pub fn try_inverse(&self) -> Option<Tensor<T, N, N>> {
        TryInverse::try_inverse(*self)
    }
}

impl<T: Real, const N: usize> Tensor<T, N, N> {
    /// The inverse, or `None` if the matrix is singular; see [`TryInverse`].
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// let a = tensor![[4.0, 7.0], [2.0, 6.0]];
    /// let inv = a.try_inverse().expect("invertible");
    /// assert!((a.matmul(inv) - tensor![[1.0, 0.0], [0.0, 1.0]]).norm() < 1e-15);
    /// ```
    #[inline]
    pub fn try_inverse(self) -> Option<Self> {
        TryInverse::try_inverse(self)
    }
}

#[cfg(test)]
mod tests {
    use super::TryInverse;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp, check_vjp_jvp};
    use crate::tensor::Tensor;

    fn check<const N: usize>(a: Tensor<f64, N, N>) {
        type A<const N: usize> = Tensor<f64, N, N>;
        let vjp = |a: A<N>, out, ct| a.try_inverse_vjp(out, ct);
        let jvp = |a: A<N>, out, da| a.try_inverse_jvp(out, da);
        check_vjp(TryInverse::try_inverse, vjp, a);
        check_jvp(TryInverse::try_inverse, jvp, a);
        check_vjp_against_jvp(TryInverse::try_inverse, vjp, jvp, a);
        check_vjp_jvp(
            TryInverse::try_inverse,
            jvp,
            vjp,
            |a: A<N>, out, ct, da, dout, dct| a.try_inverse_vjp_jvp(out, ct, da, dout, dct),
            a,
        );
    }

    #[test]
    fn rules_match_finite_differences() {
        check(Tensor::<f64, 3, 3>::from_fn(|r, c| {
            (1.3 * r as f64 - 0.7 * c as f64 + 0.2).sin() + if r == c { 1.5 } else { 0.0 }
        }));
        // 5 x 5 takes nalgebra's LU path rather than the closed forms.
        check(Tensor::<f64, 5, 5>::from_fn(|r, c| {
            (0.4 * r as f64 + 1.1 * c as f64).cos() + if r == c { 2.0 } else { 0.0 }
        }));
    }

    #[test]
    fn an_lu_factorisation_s_inverse_has_the_matrix_s_rules() {
        use crate::linalg::Lu;
        type F = Lu<f64, 3>;
        let lu = F::of(Tensor::from_fn(|r, c| {
            (1.3 * r as f64 - 0.7 * c as f64 + 0.2).sin() + if r == c { 1.5 } else { 0.0 }
        }));
        let vjp = |x: F, out, ct| x.try_inverse_vjp(out, ct);
        let jvp = |x: F, out, dx| x.try_inverse_jvp(out, dx);
        check_vjp(TryInverse::try_inverse, vjp, lu);
        check_jvp(TryInverse::try_inverse, jvp, lu);
        check_vjp_against_jvp(TryInverse::try_inverse, vjp, jvp, lu);
        check_vjp_jvp(
            TryInverse::try_inverse,
            jvp,
            vjp,
            |x: F, out, ct, dx, dout, dct| x.try_inverse_vjp_jvp(out, ct, dx, dout, dct),
            lu,
        );
    }

    #[test]
    fn a_singular_matrix_has_no_inverse_and_zero_derivatives() {
        let a = Tensor::<f64, 2, 2>::from_row_slice(&[1.0, 2.0, 2.0, 4.0]);
        assert_eq!(a.try_inverse(), None);
        assert_eq!(a.try_inverse_vjp(None, Some(a)), Tensor::zeros());
        assert_eq!(a.try_inverse_jvp(None, a), None);
    }
}
