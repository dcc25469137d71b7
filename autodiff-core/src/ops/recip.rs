//! Reciprocal, `y = 1/x`, elementwise.

use super::elementwise::{ElementwiseRule, unary_op};
use crate::real::Real;

/// `y = 1/x`, from the output: `y' = -y²`, `y'' = 2y³`.
#[doc(hidden)]
pub struct RecipRule;

impl ElementwiseRule for RecipRule {
    #[inline(always)]
    fn value<T: Real>(x: T) -> T {
        x.recip()
    }

    #[inline(always)]
    fn d1<T: Real>(_x: T, y: T) -> T {
        -(y * y)
    }

    #[inline(always)]
    fn d2<T: Real>(_x: T, y: T) -> T {
        (y + y) * y * y
    }
}

unary_op! {
    /// Elementwise reciprocal `1/x`. The gradient reads the output: `-1/x²`, infinite at 0
    /// (as in PyTorch).
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// assert_eq!(tensor![2.0, -4.0].recip(), tensor![0.5, -0.25]);
    /// ```
    Recip: recip, recip_vjp, recip_jvp, recip_vjp_jvp, recip_vjp_pair = RecipRule
}

#[cfg(test)]
mod tests {
    use super::Recip;

    #[test]
    fn rules_match_finite_differences() {
        crate::ops::testing::check_unary!(
            Recip: recip, recip_vjp, recip_jvp, recip_vjp_jvp, recip_vjp_pair;
            [-2.0, -0.1, 0.3, 1.0, 5.0];
            std = f64::recip
        );
    }
}
