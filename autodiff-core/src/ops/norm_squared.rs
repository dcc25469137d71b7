//! Squared Euclidean (Frobenius) norm, `y = Σᵢ xᵢ²`.

use crate::real::Real;
use crate::tensor::Tensor;

/// Squared Euclidean norm over all elements (Frobenius for a matrix) `y = Σᵢ xᵢ²`; VJP
/// `ct_x = 2 ct x`, JVP `dy = 2 ⟨x, dx⟩`, smooth everywhere (unlike [`Norm`](super::Norm)
/// at zero).
///
/// ```
/// use autodiff_core::ops::NormSquared;
/// use autodiff_core::tensor;
///
/// let x = tensor![3.0, 4.0];
/// let y = x.norm_squared();
/// assert_eq!(y, 25.0);
/// assert_eq!(x.norm_squared_vjp(y, 0.5), tensor![3.0, 4.0]);
/// assert_eq!(x.norm_squared_jvp(y, tensor![1.0, 1.0]), 14.0);
/// ```
pub trait NormSquared: Sized {
    /// The element type.
    type Output;

    /// `y = Σᵢ xᵢ²`.
    fn norm_squared(self) -> Self::Output;

    /// `ct_x = 2 ct x`.
    fn norm_squared_vjp(self, out: Self::Output, ct: Self::Output) -> Self;

    /// `dy = 2 ⟨x, dx⟩`.
    fn norm_squared_jvp(self, out: Self::Output, dx: Self) -> Self::Output;

    /// The tangent of the VJP (see the module docs): `2 dct x + 2 ct dx`.
    fn norm_squared_vjp_jvp(
        self,
        out: Self::Output,
        ct: Self::Output,
        dx: Self,
        dout: Self::Output,
        dct: Self::Output,
    ) -> Self;
}

impl<T: Real, const R: usize, const C: usize> NormSquared for Tensor<T, R, C> {
    type Output = T;

    #[inline]
    fn norm_squared(self) -> T {
        self.as_matrix().norm_squared()
    }

    #[inline]
    fn norm_squared_vjp(self, _out: T, ct: T) -> Self {
        self * (ct + ct)
    }

    #[inline]
    fn norm_squared_jvp(self, _out: T, dx: Self) -> T {
        let half = self.as_matrix().dot(dx.as_matrix());
        half + half
    }

    #[inline]
    fn norm_squared_vjp_jvp(self, _out: T, ct: T, dx: Self, _dout: T, dct: T) -> Self {
        self * (dct + dct) + dx * (ct + ct)
    }
}

impl<T: Real, const R: usize, const C: usize> Tensor<T, R, C> {
    /// The sum of the squares of all elements; see [`NormSquared`].
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// assert_eq!(tensor![[1.0, 2.0], [2.0, 0.0]].norm_squared(), 9.0);
    /// ```
    #[inline]
    pub fn norm_squared(self) -> T {
        NormSquared::norm_squared(self)
    }
}

#[cfg(test)]
mod tests {
    use super::NormSquared;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp, check_vjp_jvp};
    use crate::tensor::Tensor;

    type M = Tensor<f64, 2, 3>;

    #[test]
    fn rules_match_finite_differences() {
        for x in [
            M::from_row_slice(&[0.3, -1.2, 2.0, -0.7, 1.1, 1.5]),
            M::zeros(),
        ] {
            let vjp = |x: M, out, ct| x.norm_squared_vjp(out, ct);
            let jvp = |x: M, out, dx| x.norm_squared_jvp(out, dx);
            check_vjp(NormSquared::norm_squared, vjp, x);
            check_jvp(NormSquared::norm_squared, jvp, x);
            check_vjp_against_jvp(NormSquared::norm_squared, vjp, jvp, x);
            check_vjp_jvp(
                NormSquared::norm_squared,
                jvp,
                vjp,
                |x: M, out, ct, dx, dout, dct| x.norm_squared_vjp_jvp(out, ct, dx, dout, dct),
                x,
            );
        }
    }

    #[test]
    fn fixed_values() {
        let x = M::from_element(2.0);
        assert_eq!(x.norm_squared(), 24.0);
        assert_eq!(x.norm_squared_vjp(24.0, 1.0), M::from_element(4.0));
    }
}
