//! `y = eˣ - 1`, elementwise, accurate near 0.

use super::elementwise::{ElementwiseRule, unary_op};
use crate::real::Real;

/// `y = eˣ - 1`, from the output: `y' = y'' = y + 1` (for `x ≪ 0` that sum cancels, but its
/// absolute error stays at the rounding of 1, against a slope that is itself nearly 0).
#[doc(hidden)]
pub struct ExpM1Rule;

impl ElementwiseRule for ExpM1Rule {
    #[inline(always)]
    fn value<T: Real>(x: T) -> T {
        x.exp_m1()
    }

    #[inline(always)]
    fn d1<T: Real>(_x: T, y: T) -> T {
        y + T::one()
    }

    #[inline(always)]
    fn d2<T: Real>(_x: T, y: T) -> T {
        y + T::one()
    }
}

unary_op! {
    /// Elementwise `eˣ - 1`, accurate for `x` near 0. The gradient reads the output: `eˣ =
    /// y + 1`.
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// assert_eq!(tensor![0.0, 1e-20].exp_m1(), tensor![0.0, 1e-20]);
    /// ```
    ExpM1: exp_m1, exp_m1_vjp, exp_m1_jvp, exp_m1_vjp_jvp, exp_m1_vjp_pair = ExpM1Rule
}

#[cfg(test)]
mod tests {
    use super::ExpM1;

    #[test]
    fn rules_match_finite_differences() {
        crate::ops::testing::check_unary!(
            ExpM1: exp_m1, exp_m1_vjp, exp_m1_jvp, exp_m1_vjp_jvp, exp_m1_vjp_pair;
            [-30.0, -1e-8, 0.0, 1e-9, 2.0];
            std = f64::exp_m1
        );
    }
}
