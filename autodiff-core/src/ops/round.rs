//! `y = round x`, the nearest integer, half-way cases away from 0, elementwise; gradient 0.

use super::elementwise::{ElementwiseRule, unary_op};
use crate::real::Real;

/// `round x`, the nearest integer, half-way cases away from 0: piecewise constant, so its slope is 0 everywhere, at the jumps
/// too (PyTorch's convention).
#[doc(hidden)]
pub struct RoundRule;

impl ElementwiseRule for RoundRule {
    const CURVED: bool = false;

    #[inline(always)]
    fn value<T: Real>(x: T) -> T {
        x.round()
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
    /// Elementwise round: the nearest integer, half-way cases away from 0. Its gradient is
    /// 0 everywhere, at the jumps too (as in PyTorch).
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// assert_eq!(tensor![-1.5, 2.5].round(), tensor![-2.0, 3.0]);
    /// ```
    Round: round, round_vjp, round_jvp, round_vjp_jvp, round_vjp_pair = RoundRule
}

#[cfg(test)]
mod tests {
    use super::Round;

    #[test]
    fn rules_match_finite_differences() {
        crate::ops::testing::check_unary!(
            Round: round, round_vjp, round_jvp, round_vjp_jvp, round_vjp_pair;
            [-1.7, -0.4999, 0.2, 0.5001, 2.9999];
            std = f64::round
        );
    }

    #[test]
    fn gradient_is_zero_at_the_jumps_too() {
        for x in [-1.0_f64, -0.5, 0.0, -0.0, 0.5, 3.0] {
            assert_eq!(Round::round_vjp(x, Round::round(x), 2.0), 0.0);
            assert_eq!(Round::round_jvp(x, Round::round(x), 2.0), 0.0);
            assert_eq!(
                Round::round_vjp_jvp(x, Round::round(x), 2.0, 1.0, 0.0, 3.0),
                0.0
            );
            assert_eq!(Round::round(x).to_bits(), x.round().to_bits());
        }
    }
}
