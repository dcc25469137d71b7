//! Negation, `-x`. The forward is `core::ops::Neg`; the VJP is [`NegVjp`].

use core::ops::Neg;

use super::Elementwise;
use crate::real::Real;
use crate::tensor::Tensor;

/// The VJP and JVP of `y = -x`: `ct_x = -ct` and `dy = -dx`.
///
/// ```
/// use autodiff_core::ops::NegVjp;
/// use autodiff_core::tensor;
///
/// let x = tensor![1.0, -2.0];
/// assert_eq!(-x, tensor![-1.0, 2.0]);
/// assert_eq!(x.neg_vjp(-x, tensor![3.0, 0.5]), tensor![-3.0, -0.5]);
/// assert_eq!(x.neg_jvp(-x, tensor![3.0, 0.5]), tensor![-3.0, -0.5]);
/// ```
#[doc(hidden)]
pub trait NegVjp: Neg + Sized {
    /// Returns `ct_x` for `out = -self` and the output cotangent `ct`.
    fn neg_vjp(self, out: Self::Output, ct: Self::Output) -> Self;

    /// Returns `dy = -dx` for `out = -self` and the input tangent `dx`.
    fn neg_jvp(self, out: Self::Output, dx: Self) -> Self::Output;

    /// The tangent of the VJP (forward over reverse, see the module docs): the op is linear,
    /// so it is the VJP of `dct`.
    #[inline]
    fn neg_vjp_jvp(
        self,
        out: Self::Output,
        _ct: Self::Output,
        _dx: Self,
        _dout: Self::Output,
        dct: Self::Output,
    ) -> Self {
        self.neg_vjp(out, dct)
    }
    /// The VJP and its tangent in one call, as `f_hvp` runs them: one method for rustc to
    /// resolve per op instead of two.
    #[inline(always)]
    fn neg_vjp_pair(
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
            self.neg_vjp(out, ct),
            self.neg_vjp_jvp(out, ct, dx, dout, dct),
        )
    }
}

impl<X: Elementwise + Neg<Output = X>> NegVjp for X {
    #[inline]
    fn neg_vjp(self, _out: X, ct: X) -> X {
        -ct
    }

    #[inline]
    fn neg_jvp(self, _out: X, dx: X) -> X {
        -dx
    }
}

/// `-t`, elementwise.
impl<T: Real, const R: usize, const C: usize> Neg for Tensor<T, R, C> {
    type Output = Self;

    #[inline]
    fn neg(self) -> Self {
        Tensor::from_matrix(-self.into_matrix())
    }
}

#[cfg(test)]
mod tests {
    use super::NegVjp;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp};
    use crate::tensor;
    use crate::tensor::Tensor;

    #[test]
    fn vjp_matches_finite_differences() {
        let x = Tensor::<f64, 2, 2>::from_row_slice(&[0.3, -1.2, 2.0, 0.7]);
        check_vjp(
            |x: Tensor<f64, 2, 2>| -x,
            |x, out, ct| x.neg_vjp(out, ct),
            x,
        );
        check_vjp(|x: f64| -x, |x, out, ct| x.neg_vjp(out, ct), 0.4);
    }

    #[test]
    fn jvp_matches_finite_differences_and_the_vjp() {
        type M = Tensor<f64, 2, 2>;
        let x = M::from_row_slice(&[0.3, -1.2, 2.0, 0.7]);
        let vjp = |x: M, out, ct| x.neg_vjp(out, ct);
        let jvp = |x: M, out, dx| x.neg_jvp(out, dx);
        check_jvp(|x: M| -x, jvp, x);
        check_vjp_against_jvp(|x: M| -x, vjp, jvp, x);
        let vjp = |x: f64, out, ct| x.neg_vjp(out, ct);
        let jvp = |x: f64, out, dx| x.neg_jvp(out, dx);
        check_jvp(|x: f64| -x, jvp, 0.4);
        check_vjp_against_jvp(|x: f64| -x, vjp, jvp, 0.4);
    }

    #[test]
    fn fixed_values() {
        assert_eq!(-tensor![1.0, 0.0], tensor![-1.0, -0.0]);
        assert_eq!(2.0_f64.neg_vjp(-2.0, 1.5), -1.5);
        assert_eq!(2.0_f64.neg_jvp(-2.0, 1.5), -1.5);
    }

    #[test]
    fn vjp_jvp_matches_finite_differences_of_the_vjp() {
        use crate::ops::testing::check_vjp_jvp;
        type X = Tensor<f64, 2, 2>;
        let x = X::from_row_slice(&[0.3, -1.2, 2.0, 0.7]);
        check_vjp_jvp(
            |x: X| -x,
            |x: X, out, dx| x.neg_jvp(out, dx),
            |x: X, out, ct| x.neg_vjp(out, ct),
            |x: X, out, ct, dx, dout, dct| x.neg_vjp_jvp(out, ct, dx, dout, dct),
            x,
        );
    }
}
