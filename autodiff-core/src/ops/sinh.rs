//! Hyperbolic sine, `y = sinh x`, elementwise.

use super::elementwise::{ElementwiseRule, unary_op};
use crate::real::Real;

/// `y = sinh x`: `y' = cosh x`, `y'' = sinh x`.
#[doc(hidden)]
pub struct SinhRule;

impl ElementwiseRule for SinhRule {
    #[inline(always)]
    fn value<T: Real>(x: T) -> T {
        x.sinh()
    }

    #[inline(always)]
    fn d1<T: Real>(x: T, _y: T) -> T {
        x.cosh()
    }

    #[inline(always)]
    fn d2<T: Real>(x: T, _y: T) -> T {
        x.sinh()
    }
}

unary_op! {
    /// Elementwise hyperbolic sine; its gradient is `cosh x`.
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// assert_eq!(tensor![0.0, 1.0].sinh(), tensor![0.0, 1.0_f64.sinh()]);
    /// ```
    Sinh: sinh, sinh_vjp, sinh_jvp, sinh_vjp_jvp, sinh_vjp_pair = SinhRule
}

#[cfg(test)]
mod tests {
    use super::Sinh;

    #[test]
    fn rules_match_finite_differences() {
        crate::ops::testing::check_unary!(
            Sinh: sinh, sinh_vjp, sinh_jvp, sinh_vjp_jvp, sinh_vjp_pair;
            [-3.0, -0.5, 0.0, 0.4, 2.5];
            std = f64::sinh
        );
    }
}
