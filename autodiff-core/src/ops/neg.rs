//! Negation, `-x`. The forward is `core::ops::Neg`; the VJP is [`NegVjp`].

use core::ops::Neg;

use super::Elementwise;
use crate::real::Real;
use crate::tensor::Tensor;

/// The VJP of `y = -x`: `ct_x = -ct`.
///
/// ```
/// use autodiff_core::ops::NegVjp;
/// use autodiff_core::tensor;
///
/// let x = tensor![1.0, -2.0];
/// assert_eq!(-x, tensor![-1.0, 2.0]);
/// assert_eq!(x.neg_vjp(-x, tensor![3.0, 0.5]), tensor![-3.0, -0.5]);
/// ```
pub trait NegVjp: Neg + Sized {
    /// Returns `ct_x` for `out = -self` and the output cotangent `ct`.
    fn neg_vjp(self, out: Self::Output, ct: Self::Output) -> Self;
}

impl<X: Elementwise + Neg<Output = X>> NegVjp for X {
    #[inline]
    fn neg_vjp(self, _out: X, ct: X) -> X {
        -ct
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
    use crate::ops::testing::check_vjp;
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
    fn fixed_values() {
        assert_eq!(-tensor![1.0, 0.0], tensor![-1.0, -0.0]);
        assert_eq!(2.0_f64.neg_vjp(-2.0, 1.5), -1.5);
    }
}
