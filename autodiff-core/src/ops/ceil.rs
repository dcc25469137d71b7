//! `y = ceil x`, the smallest integer not below `x`, elementwise; gradient 0.

use super::elementwise::{ElementwiseRule, unary_op};
use crate::real::Real;

/// `ceil x`, the smallest integer not below `x`: piecewise constant, so its slope is 0 everywhere, at the jumps
/// too (PyTorch's convention).
#[doc(hidden)]
pub struct CeilRule;

impl ElementwiseRule for CeilRule {
    const CURVED: bool = false;

    #[inline(always)]
    fn value<T: Real>(x: T) -> T {
        x.ceil()
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
    /// Elementwise ceil: the smallest integer not below `x`. Its gradient is 0 everywhere,
    /// at the jumps too (as in PyTorch).
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// assert_eq!(tensor![-1.5, 2.5].ceil(), tensor![-1.0, 3.0]);
    /// ```
    Ceil: ceil, ceil_vjp, ceil_jvp, ceil_vjp_jvp, ceil_vjp_pair = CeilRule
}

#[cfg(test)]
mod tests {
    use super::Ceil;

    #[test]
    fn rules_match_finite_differences() {
        crate::ops::testing::check_unary!(
            Ceil: ceil, ceil_vjp, ceil_jvp, ceil_vjp_jvp, ceil_vjp_pair;
            [-1.7, -0.49, 0.2, 0.51, 2.0001];
            std = f64::ceil
        );
    }

    #[test]
    fn gradient_is_zero_at_the_jumps_too() {
        for x in [-1.0_f64, -0.5, 0.0, -0.0, 0.5, 3.0] {
            assert_eq!(Ceil::ceil_vjp(x, Ceil::ceil(x), 2.0), 0.0);
            assert_eq!(Ceil::ceil_jvp(x, Ceil::ceil(x), 2.0), 0.0);
            assert_eq!(
                Ceil::ceil_vjp_jvp(x, Ceil::ceil(x), 2.0, 1.0, 0.0, 3.0),
                0.0
            );
            assert_eq!(Ceil::ceil(x).to_bits(), x.ceil().to_bits());
        }
    }
}
