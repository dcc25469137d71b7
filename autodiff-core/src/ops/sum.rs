//! Sum of all elements, `y = Σᵢ xᵢ`.

use crate::real::Real;
use crate::tensor::Tensor;

/// Sum over all elements `y = Σᵢ xᵢ`; VJP `ct_x = ct` broadcast to every element, JVP
/// `dy = Σᵢ dxᵢ`.
///
/// ```
/// use autodiff_core::ops::Sum;
/// use autodiff_core::{tensor, Tensor};
///
/// let x = tensor![[1.0, 2.0], [3.0, 4.0]];
/// let y = x.sum();
/// assert_eq!(y, 10.0);
/// assert_eq!(x.sum_vjp(y, 0.5), Tensor::from_element(0.5));
/// assert_eq!(x.sum_jvp(y, tensor![[1.0, 0.0], [0.5, -2.0]]), -0.5);
/// ```
#[doc(hidden)]
pub trait Sum: Sized {
    /// The element type.
    type Output;

    /// `y = Σᵢ xᵢ`.
    fn sum(self) -> Self::Output;

    /// `ct_x = ct` everywhere.
    fn sum_vjp(self, out: Self::Output, ct: Self::Output) -> Self;

    /// `dy = Σᵢ dxᵢ`.
    fn sum_jvp(self, out: Self::Output, dx: Self) -> Self::Output;

    /// The tangent of the VJP (forward over reverse, see the module docs): the op is linear,
    /// so it is the VJP of `dct`.
    #[inline]
    fn sum_vjp_jvp(
        self,
        out: Self::Output,
        _ct: Self::Output,
        _dx: Self,
        _dout: Self::Output,
        dct: Self::Output,
    ) -> Self {
        self.sum_vjp(out, dct)
    }
    /// The VJP and its tangent in one call, as `f_hvp` runs them: one method for rustc to
    /// resolve per op instead of two.
    #[inline(always)]
    fn sum_vjp_pair(
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
            self.sum_vjp(out, ct),
            self.sum_vjp_jvp(out, ct, dx, dout, dct),
        )
    }
}

impl<T: Real, const R: usize, const C: usize> Sum for Tensor<T, R, C> {
    type Output = T;

    #[inline]
    fn sum(self) -> T {
        self.as_matrix().sum()
    }

    #[inline]
    fn sum_vjp(self, _out: T, ct: T) -> Self {
        Tensor::from_element(ct)
    }

    #[inline]
    fn sum_jvp(self, _out: T, dx: Self) -> T {
        dx.as_matrix().sum()
    }
}

impl<T: Real, const R: usize, const C: usize> Tensor<T, R, C> {
    /// The sum of all elements; see [`Sum`].
    #[inline]
    pub fn sum(self) -> T {
        Sum::sum(self)
    }
}

#[cfg(test)]
mod tests {
    use super::Sum;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp};
    use crate::tensor::Tensor;

    #[test]
    fn vjp_matches_finite_differences() {
        let x = Tensor::<f64, 2, 3>::from_row_slice(&[0.3, -1.2, 2.0, -0.7, 0.1, 5.0]);
        check_vjp(
            Sum::sum,
            |x: Tensor<f64, 2, 3>, out, ct| x.sum_vjp(out, ct),
            x,
        );
    }

    #[test]
    fn jvp_matches_finite_differences_and_the_vjp() {
        type M = Tensor<f64, 2, 3>;
        let x = M::from_row_slice(&[0.3, -1.2, 2.0, -0.7, 0.1, 5.0]);
        let vjp = |x: M, out, ct| x.sum_vjp(out, ct);
        let jvp = |x: M, out, dx| x.sum_jvp(out, dx);
        check_jvp(Sum::sum, jvp, x);
        check_vjp_against_jvp(Sum::sum, vjp, jvp, x);
    }

    #[test]
    fn fixed_values() {
        // ((x + 1)²).sum() at x = [1, 1]: gradient 2 (x + 1) = 4, as PyTorch prints.
        let x = Tensor::<f64, 2>::ones();
        let b = x + 1.0;
        let c = b * b;
        let ct_c = c.sum_vjp(c.sum(), 1.0);
        assert_eq!(ct_c * b * 2.0, Tensor::from_element(4.0));
        assert_eq!(x.sum(), 2.0);
        // The same derivative forward: Σ 2 (x + 1) ⊙ dx along dx = (1, 0) is 4.
        let dc = b * Tensor::from_row_slice(&[1.0, 0.0]) * 2.0;
        assert_eq!(c.sum_jvp(c.sum(), dc), 4.0);
    }

    #[test]
    fn vjp_jvp_matches_finite_differences_of_the_vjp() {
        use crate::ops::testing::check_vjp_jvp;
        type X = Tensor<f64, 2, 3>;
        let x = X::from_row_slice(&[0.3, -1.2, 2.0, 0.7, 0.1, 1.5]);
        check_vjp_jvp(
            |x: X| x.sum(),
            |x: X, out, dx| x.sum_jvp(out, dx),
            |x: X, out, ct| x.sum_vjp(out, ct),
            |x: X, out, ct, dx, dout, dct| x.sum_vjp_jvp(out, ct, dx, dout, dct),
            x,
        );
    }
}
