//! Mean of all elements, `y = (1/n) Σᵢ xᵢ`.

use crate::real::Real;
use crate::tensor::Tensor;

/// Mean over all `n = R·C` elements `y = (1/n) Σᵢ xᵢ`; VJP `ct_x = ct / n` everywhere,
/// JVP `dy = (1/n) Σᵢ dxᵢ`, the mean of the tangent.
///
/// ```
/// use autodiff_core::ops::Mean;
/// use autodiff_core::{tensor, Tensor};
///
/// let x = tensor![1.0, 2.0, 3.0, 6.0];
/// let y = x.mean();
/// assert_eq!(y, 3.0);
/// assert_eq!(x.mean_vjp(y, 1.0), Tensor::from_element(0.25));
/// assert_eq!(x.mean_jvp(y, tensor![1.0, 0.0, 0.0, 1.0]), 0.5);
/// ```
#[doc(hidden)]
pub trait Mean: Sized {
    /// The element type.
    type Output;

    /// `y = (1/n) Σᵢ xᵢ`.
    fn mean(self) -> Self::Output;

    /// `ct_x = ct / n` everywhere.
    fn mean_vjp(self, out: Self::Output, ct: Self::Output) -> Self;

    /// `dy = (1/n) Σᵢ dxᵢ`.
    fn mean_jvp(self, out: Self::Output, dx: Self) -> Self::Output;

    /// The tangent of the VJP (forward over reverse, see the module docs): the op is linear,
    /// so it is the VJP of `dct`.
    #[inline]
    fn mean_vjp_jvp(
        self,
        out: Self::Output,
        _ct: Self::Output,
        _dx: Self,
        _dout: Self::Output,
        dct: Self::Output,
    ) -> Self {
        self.mean_vjp(out, dct)
    }
    /// The VJP and its tangent in one call, as `f_hvp` runs them: one method for rustc to
    /// resolve per op instead of two.
    #[inline(always)]
    fn mean_vjp_pair(
        self,
        out: Self::Output,
        ct: Self::Output,
        dx: Self,
        dout: Self::Output,
        dct: Self::Output,
    ) -> (Self, Self)
    where
        Self: Copy,
        Self::Output: Copy,
    {
        (
            self.mean_vjp(out, ct),
            self.mean_vjp_jvp(out, ct, dx, dout, dct),
        )
    }
}

impl<T: Real, const R: usize, const C: usize> Mean for Tensor<T, R, C> {
    type Output = T;

    #[inline]
    fn mean(self) -> T {
        self.as_matrix().sum() / Real::from_f64((R * C) as f64)
    }

    #[inline]
    fn mean_vjp(self, _out: T, ct: T) -> Self {
        Tensor::from_element(ct / Real::from_f64((R * C) as f64))
    }

    #[inline]
    fn mean_jvp(self, _out: T, dx: Self) -> T {
        // The mean is linear: its tangent is the mean of the tangent.
        Mean::mean(dx)
    }
}

impl<T: Real, const R: usize, const C: usize> Tensor<T, R, C> {
    /// The mean of all elements; see [`Mean`].
    #[inline]
    pub fn mean(self) -> T {
        Mean::mean(self)
    }
}

#[cfg(test)]
mod tests {
    use super::Mean;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp};
    use crate::tensor::Tensor;

    #[test]
    fn vjp_matches_finite_differences() {
        let x = Tensor::<f64, 2, 3>::from_row_slice(&[0.3, -1.2, 2.0, -0.7, 0.1, 5.0]);
        check_vjp(
            Mean::mean,
            |x: Tensor<f64, 2, 3>, out, ct| x.mean_vjp(out, ct),
            x,
        );
    }

    #[test]
    fn jvp_matches_finite_differences_and_the_vjp() {
        type M = Tensor<f64, 2, 3>;
        let x = M::from_row_slice(&[0.3, -1.2, 2.0, -0.7, 0.1, 5.0]);
        let vjp = |x: M, out, ct| x.mean_vjp(out, ct);
        let jvp = |x: M, out, dx| x.mean_jvp(out, dx);
        check_jvp(Mean::mean, jvp, x);
        check_vjp_against_jvp(Mean::mean, vjp, jvp, x);
    }

    #[test]
    fn fixed_values() {
        let x = Tensor::<f32, 2, 2>::from_row_slice(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(x.mean(), 2.5);
        assert_eq!(x.mean_vjp(2.5, 2.0), Tensor::from_element(0.5));
        assert_eq!(x.mean_jvp(2.5, Tensor::from_element(2.0)), 2.0);
    }

    #[test]
    fn vjp_jvp_matches_finite_differences_of_the_vjp() {
        use crate::ops::testing::check_vjp_jvp;
        type X = Tensor<f64, 2, 3>;
        let x = X::from_row_slice(&[0.3, -1.2, 2.0, 0.7, 0.1, 1.5]);
        check_vjp_jvp(
            |x: X| x.mean(),
            |x: X, out, dx| x.mean_jvp(out, dx),
            |x: X, out, ct| x.mean_vjp(out, ct),
            |x: X, out, ct, dx, dout, dct| x.mean_vjp_jvp(out, ct, dx, dout, dct),
            x,
        );
    }
}
