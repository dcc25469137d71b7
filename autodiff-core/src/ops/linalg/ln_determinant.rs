//! Log-determinant of a Cholesky-factored matrix, `y = ln det A = 2 Σᵢ ln Lᵢᵢ`.

use crate::linalg::Cholesky;
use crate::real::Real;
use crate::tensor::Tensor;

/// Log-determinant `y = ln det A = 2 Σᵢ ln Lᵢᵢ` of the matrix `A = L Lᵀ` a [`Cholesky`]
/// factor factors (nalgebra's `Cholesky::ln_determinant`), without forming `det A`, which
/// under- or overflows long before its logarithm does. VJP `ct_Lᵢᵢ = 2 ct / Lᵢᵢ`, JVP
/// `dy = 2 Σᵢ dLᵢᵢ / Lᵢᵢ`, the VJP's tangent `2 dct / Lᵢᵢ - 2 ct dLᵢᵢ / Lᵢᵢ²`, all on the
/// diagonal.
///
/// ```
/// use autodiff_core::ops::LnDeterminant;
/// use autodiff_core::tensor;
///
/// let chol = tensor![[4.0, 2.0], [2.0, 5.0]].cholesky().unwrap();
/// let y = chol.ln_determinant();
/// assert!((y - 16.0_f64.ln()).abs() < 1e-15);
/// assert_eq!(chol.ln_determinant_vjp(y, 1.0).l(), tensor![[1.0, 0.0], [0.0, 1.0]]);
/// ```
pub trait LnDeterminant: Sized {
    /// The element type.
    type Output;

    /// `y = 2 Σᵢ ln Lᵢᵢ`.
    fn ln_determinant(self) -> Self::Output;

    /// `ct_Lᵢᵢ = 2 ct / Lᵢᵢ`.
    fn ln_determinant_vjp(self, out: Self::Output, ct: Self::Output) -> Self;

    /// `dy = 2 Σᵢ dLᵢᵢ / Lᵢᵢ`.
    fn ln_determinant_jvp(self, out: Self::Output, dx: Self) -> Self::Output;

    /// The tangent of the VJP: `2 dct / Lᵢᵢ - 2 ct dLᵢᵢ / Lᵢᵢ²`.
    fn ln_determinant_vjp_jvp(
        self,
        out: Self::Output,
        ct: Self::Output,
        dx: Self,
        dout: Self::Output,
        dct: Self::Output,
    ) -> Self;
}

impl<T: Real, const N: usize> LnDeterminant for Cholesky<T, N> {
    type Output = T;

    #[inline]
    fn ln_determinant(self) -> T {
        let half = (0..N).fold(T::zero(), |s, i| s + self.l[(i, i)].ln());
        half + half
    }

    fn ln_determinant_vjp(self, _out: T, ct: T) -> Self {
        let two_ct = ct + ct;
        Cholesky::from_l(Tensor::from_fn(|r, c| {
            if r == c {
                two_ct / self.l[(r, r)]
            } else {
                T::zero()
            }
        }))
    }

    fn ln_determinant_jvp(self, _out: T, dx: Self) -> T {
        let half = (0..N).fold(T::zero(), |s, i| s + dx.l[(i, i)] / self.l[(i, i)]);
        half + half
    }

    fn ln_determinant_vjp_jvp(self, _out: T, ct: T, dx: Self, _dout: T, dct: T) -> Self {
        let two = T::one() + T::one();
        Cholesky::from_l(Tensor::from_fn(|r, c| {
            if r != c {
                return T::zero();
            }
            let l = self.l[(r, r)];
            two * dct / l - two * ct * dx.l[(r, r)] / (l * l)
        }))
    }
}

impl<T: Real, const N: usize> Cholesky<T, N> {
    /// The natural logarithm of the determinant of the factored matrix; see
    /// [`LnDeterminant`].
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// let chol = tensor![[1.0, 0.0], [0.0, 1.0]].cholesky().unwrap();
    /// assert_eq!(chol.ln_determinant(), 0.0);
    /// ```
    #[inline]
    pub fn ln_determinant(&self) -> T {
        LnDeterminant::ln_determinant(*self)
    }
}

#[cfg(test)]
mod tests {
    use super::LnDeterminant;
    use crate::linalg::Cholesky;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp, check_vjp_jvp};
    use crate::tensor::Tensor;

    #[test]
    fn rules_match_finite_differences() {
        type C = Cholesky<f64, 3>;
        let chol = C::from_l(Tensor::from_row_slice(&[
            1.5, 9.0, 9.0, 0.3, 0.9, 9.0, -0.4, 0.2, 1.2,
        ]));
        let vjp = |x: C, out, ct| x.ln_determinant_vjp(out, ct);
        let jvp = |x: C, out, dx| x.ln_determinant_jvp(out, dx);
        check_vjp(LnDeterminant::ln_determinant, vjp, chol);
        check_jvp(LnDeterminant::ln_determinant, jvp, chol);
        check_vjp_against_jvp(LnDeterminant::ln_determinant, vjp, jvp, chol);
        check_vjp_jvp(
            LnDeterminant::ln_determinant,
            jvp,
            vjp,
            |x: C, out, ct, dx, dout, dct| x.ln_determinant_vjp_jvp(out, ct, dx, dout, dct),
            chol,
        );
    }
}
