//! `y = trunc x`, the integer part, rounded toward 0, elementwise; gradient 0.

use super::elementwise::{ElementwiseRule, unary_op};
use crate::real::Real;

/// `trunc x`, the integer part, rounded toward 0: piecewise constant, so its slope is 0 everywhere, at the jumps
/// too (PyTorch's convention).
#[doc(hidden)]
pub struct TruncRule;

impl ElementwiseRule for TruncRule {
    const CURVED: bool = false;

    #[inline(always)]
    fn value<T: Real>(x: T) -> T {
        x.trunc()
    }

    #[inline(always)]
    fn d1<T: Real>(_x: T, _y: T) -> T {
        T::zero()
    }

    #[inline(always)]
    fn d2<T: Real>(_x: T, _y: T) -> T {
        T::zero()
    }

    #[inline(always)]
    fn scale<T: Real>(_t: T, _x: T, _y: T) -> T {
        T::zero()
    }
}

unary_op! {
    /// Elementwise trunc: the integer part, rounded toward 0. Its gradient is 0 everywhere,
    /// at the jumps too (as in PyTorch).
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// assert_eq!(tensor![-1.5, 2.5].trunc(), tensor![-1.0, 2.0]);
    /// ```
    Trunc: trunc, trunc_vjp, trunc_jvp, trunc_vjp_jvp, trunc_vjp_pair = TruncRule
}

#[cfg(test)]
mod tests {
    use super::Trunc;

    #[test]
    fn rules_match_finite_differences() {
        crate::ops::testing::check_unary!(
            Trunc: trunc, trunc_vjp, trunc_jvp, trunc_vjp_jvp, trunc_vjp_pair;
            [-1.7, -0.49, 0.2, 0.51, 2.9999];
            std = f64::trunc
        );
    }

    #[test]
    fn gradient_is_zero_at_the_jumps_too() {
        for x in [-1.0_f64, -0.5, 0.0, -0.0, 0.5, 3.0] {
            assert_eq!(Trunc::trunc_vjp(x, Trunc::trunc(x), 2.0), 0.0);
            assert_eq!(Trunc::trunc_jvp(x, Trunc::trunc(x), 2.0), 0.0);
            assert_eq!(
                Trunc::trunc_vjp_jvp(x, Trunc::trunc(x), 2.0, 1.0, 0.0, 3.0),
                0.0
            );
            assert_eq!(Trunc::trunc(x).to_bits(), x.trunc().to_bits());
        }
    }
}
