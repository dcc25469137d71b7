//! `y = floor x`, the largest integer not above `x`, elementwise; gradient 0.

use super::elementwise::{ElementwiseRule, unary_op};
use crate::real::Real;

/// `floor x`, the largest integer not above `x`: piecewise constant, so its slope is 0 everywhere, at the jumps
/// too (PyTorch's convention).
#[doc(hidden)]
pub struct FloorRule;

impl ElementwiseRule for FloorRule {
    const CURVED: bool = false;

    #[inline(always)]
    fn value<T: Real>(x: T) -> T {
        x.floor()
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
    /// Elementwise floor: the largest integer not above `x`. Its gradient is 0 everywhere,
    /// at the jumps too (as in PyTorch).
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// assert_eq!(tensor![-1.5, 2.5].floor(), tensor![-2.0, 2.0]);
    /// ```
    Floor: floor, floor_vjp, floor_jvp, floor_vjp_jvp, floor_vjp_pair = FloorRule
}

#[cfg(test)]
mod tests {
    use super::Floor;

    #[test]
    fn rules_match_finite_differences() {
        crate::ops::testing::check_unary!(
            Floor: floor, floor_vjp, floor_jvp, floor_vjp_jvp, floor_vjp_pair;
            [-1.7, -0.49, 0.2, 0.51, 2.9999];
            std = f64::floor
        );
    }

    #[test]
    fn gradient_is_zero_at_the_jumps_too() {
        for x in [-1.0_f64, -0.5, 0.0, -0.0, 0.5, 3.0] {
            assert_eq!(Floor::floor_vjp(x, Floor::floor(x), 2.0), 0.0);
            assert_eq!(Floor::floor_jvp(x, Floor::floor(x), 2.0), 0.0);
            assert_eq!(
                Floor::floor_vjp_jvp(x, Floor::floor(x), 2.0, 1.0, 0.0, 3.0),
                0.0
            );
            assert_eq!(Floor::floor(x).to_bits(), x.floor().to_bits());
        }
    }
}
