//! Inverse of a Cholesky-factored matrix, `Y = A⁻¹ = (L Lᵀ)⁻¹`.

use super::{Mat, lower_inverse, tril};
use crate::linalg::Cholesky;
use crate::real::Real;
use crate::tensor::Tensor;

/// Inverse `Y = A⁻¹` of the matrix `A = L Lᵀ` a [`Cholesky`] factor factors (nalgebra's
/// `Cholesky::inverse`; always invertible). With `ct_A = -Y ct Y` (Giles 2008, §2.2.3, `Y`
/// symmetric): VJP `ct_L = tril((ct_A + ct_Aᵀ) L)`; JVP `dY = -Y dA Y` with
/// `dA = dL Lᵀ + L dLᵀ`; the VJP's tangent `tril((dct_A + dct_Aᵀ) L + (ct_A + ct_Aᵀ) dL)`
/// with `dct_A = -(dY ct Y + Y dct Y + Y ct dY)`.
///
/// ```
/// use autodiff_core::ops::Inverse;
/// use autodiff_core::tensor;
///
/// let a = tensor![[4.0, 2.0], [2.0, 5.0]];
/// let y = Inverse::inverse(a.cholesky().unwrap());
/// assert!((a.matmul(y) - tensor![[1.0, 0.0], [0.0, 1.0]]).norm() < 1e-15);
/// ```
pub trait Inverse: Sized {
    /// The inverse's type.
    type Output;

    /// `Y = A⁻¹`.
    fn inverse(self) -> Self::Output;

    /// `ct_L` (see the trait docs).
    fn inverse_vjp(self, out: Self::Output, ct: Self::Output) -> Self;

    /// `dY = -Y dA Y`.
    fn inverse_jvp(self, out: Self::Output, dx: Self) -> Self::Output;

    /// The tangent of the VJP (see the trait docs).
    fn inverse_vjp_jvp(
        self,
        out: Self::Output,
        ct: Self::Output,
        dx: Self,
        dout: Self::Output,
        dct: Self::Output,
    ) -> Self;
}

/// `dA = dL Lᵀ + L dLᵀ`.
fn da<T: Real, const N: usize>(l: &Mat<T, N>, dl: &Mat<T, N>) -> Mat<T, N> {
    dl * l.transpose() + l * dl.transpose()
}

impl<T: Real, const N: usize> Inverse for Cholesky<T, N> {
    type Output = Tensor<T, N, N>;

    #[inline]
    fn inverse(self) -> Tensor<T, N, N> {
        let l_inv = lower_inverse(&tril(self.l.as_matrix()));
        Tensor::from_matrix(l_inv.transpose() * l_inv)
    }

    fn inverse_vjp(self, out: Tensor<T, N, N>, ct: Tensor<T, N, N>) -> Self {
        let l = tril(self.l.as_matrix());
        let y = out.as_matrix();
        let ct_a = -(y * ct.as_matrix() * y);
        Cholesky::from_l(Tensor::from_matrix(tril(&((ct_a + ct_a.transpose()) * l))))
    }

    fn inverse_jvp(self, out: Tensor<T, N, N>, dx: Self) -> Tensor<T, N, N> {
        let l = tril(self.l.as_matrix());
        let y = out.as_matrix();
        Tensor::from_matrix(-(y * da(&l, &tril(dx.l.as_matrix())) * y))
    }

    fn inverse_vjp_jvp(
        self,
        out: Tensor<T, N, N>,
        ct: Tensor<T, N, N>,
        dx: Self,
        dout: Tensor<T, N, N>,
        dct: Tensor<T, N, N>,
    ) -> Self {
        let l = tril(self.l.as_matrix());
        let dl = tril(dx.l.as_matrix());
        let (y, dy, ct, dct) = (
            out.as_matrix(),
            dout.as_matrix(),
            ct.as_matrix(),
            dct.as_matrix(),
        );
        let ct_a = -(y * ct * y);
        let dct_a = -(dy * ct * y + y * dct * y + y * ct * dy);
        let d = (dct_a + dct_a.transpose()) * l + (ct_a + ct_a.transpose()) * dl;
        Cholesky::from_l(Tensor::from_matrix(tril(&d)))
    }
}

impl<T: Real, const N: usize> Cholesky<T, N> {
    /// The inverse of the factored matrix; see [`Inverse`].
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// let chol = tensor![[4.0, 0.0], [0.0, 1.0]].cholesky().unwrap();
    /// assert_eq!(chol.inverse(), tensor![[0.25, 0.0], [0.0, 1.0]]);
    /// ```
    #[inline]
    pub fn inverse(&self) -> Tensor<T, N, N> {
        Inverse::inverse(*self)
    }
}

#[cfg(test)]
mod tests {
    use super::Inverse;
    use crate::linalg::Cholesky;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp, check_vjp_jvp};
    use crate::tensor::Tensor;

    #[test]
    fn rules_match_finite_differences() {
        type C = Cholesky<f64, 3>;
        let chol = C::from_l(Tensor::from_row_slice(&[
            1.5, 9.0, 9.0, 0.3, 0.9, 9.0, -0.4, 0.2, 1.2,
        ]));
        let vjp = |x: C, out, ct| x.inverse_vjp(out, ct);
        let jvp = |x: C, out, dx| x.inverse_jvp(out, dx);
        check_vjp(Inverse::inverse, vjp, chol);
        check_jvp(Inverse::inverse, jvp, chol);
        check_vjp_against_jvp(Inverse::inverse, vjp, jvp, chol);
        check_vjp_jvp(
            Inverse::inverse,
            jvp,
            vjp,
            |x: C, out, ct, dx, dout, dct| x.inverse_vjp_jvp(out, ct, dx, dout, dct),
            chol,
        );
    }
}
