//! Smallest element of a tensor, `y = minᵢ xᵢ`, with its gradient split equally at ties.

use super::amax::{split_at, tangent_at};
use crate::real::Real;
use crate::tensor::Tensor;

/// The smallest element `y = minᵢ xᵢ` (PyTorch's `torch.amin` over all elements); VJP
/// `ct_x = ct · 1[xᵢ = y] / k` and JVP `dy = Σ_{xᵢ = y} dxᵢ / k`, where `k` is the number of
/// elements equal to the minimum: the gradient goes to the arg-min, split equally at ties.
/// Its second-order rule is the VJP of the cotangent's tangent.
///
/// Not nalgebra's `amin`, which is the smallest *absolute* value; `min(b)` stays
/// elementwise.
///
/// ```
/// use autodiff_core::ops::Amin;
/// use autodiff_core::tensor;
///
/// let x = tensor![1.0, -3.0, 5.0, -3.0];
/// let y = x.amin();
/// assert_eq!(y, -3.0);
/// assert_eq!(x.amin_vjp(y, 2.0), tensor![0.0, 1.0, 0.0, 1.0]);
/// assert_eq!(x.amin_jvp(y, tensor![0.0, 1.0, 0.0, 3.0]), 2.0);
/// ```
pub trait Amin: Sized {
    /// The element type.
    type Output;

    /// `y = minᵢ xᵢ`.
    fn amin(self) -> Self::Output;

    /// `ct_x = ct · 1[xᵢ = y] / k`.
    fn amin_vjp(self, out: Self::Output, ct: Self::Output) -> Self;

    /// `dy = Σ_{xᵢ = y} dxᵢ / k`.
    fn amin_jvp(self, out: Self::Output, dx: Self) -> Self::Output;

    /// The tangent of the VJP (see the module docs): piecewise linear, so the VJP of
    /// `dct`.
    #[inline]
    fn amin_vjp_jvp(
        self,
        out: Self::Output,
        _ct: Self::Output,
        _dx: Self,
        _dout: Self::Output,
        dct: Self::Output,
    ) -> Self {
        self.amin_vjp(out, dct)
    }
}

impl<T: Real, const R: usize, const C: usize> Amin for Tensor<T, R, C> {
    type Output = T;

    #[inline]
    fn amin(self) -> T {
        self.as_matrix().min()
    }

    #[inline]
    fn amin_vjp(self, out: T, ct: T) -> Self {
        split_at(self, out, ct)
    }

    #[inline]
    fn amin_jvp(self, out: T, dx: Self) -> T {
        tangent_at(self, out, dx)
    }
}

impl<T: Real, const R: usize, const C: usize> Tensor<T, R, C> {
    /// The smallest element (PyTorch's `amin`, not nalgebra's smallest absolute value);
    /// see [`Amin`].
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// assert_eq!(tensor![[1.0, -7.0], [2.0, 0.5]].amin(), -7.0);
    /// ```
    #[inline]
    pub fn amin(self) -> T {
        Amin::amin(self)
    }
}

#[cfg(test)]
mod tests {
    use super::Amin;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp, check_vjp_jvp};
    use crate::tensor::Tensor;

    type M = Tensor<f64, 3, 2>;

    #[test]
    fn rules_match_finite_differences_away_from_ties() {
        let x = M::from_row_slice(&[0.3, -1.2, 2.0, -1.1, 0.1, 1.9]);
        let vjp = |x: M, out, ct| x.amin_vjp(out, ct);
        let jvp = |x: M, out, dx| x.amin_jvp(out, dx);
        check_vjp(Amin::amin, vjp, x);
        check_jvp(Amin::amin, jvp, x);
        check_vjp_against_jvp(Amin::amin, vjp, jvp, x);
        check_vjp_jvp(
            Amin::amin,
            jvp,
            vjp,
            |x: M, out, ct, dx, dout, dct| x.amin_vjp_jvp(out, ct, dx, dout, dct),
            x,
        );
    }

    #[test]
    fn ties_split_the_gradient_equally() {
        let x = M::from_row_slice(&[-2.0, -1.2, 2.0, -2.0, 0.0, 1.9]);
        assert_eq!(
            x.amin_vjp(-2.0, 1.0),
            M::from_row_slice(&[0.5, 0.0, 0.0, 0.5, 0.0, 0.0])
        );
        check_vjp_against_jvp(
            Amin::amin,
            |x: M, out, ct| x.amin_vjp(out, ct),
            |x: M, out, dx| x.amin_jvp(out, dx),
            x,
        );
    }
}
