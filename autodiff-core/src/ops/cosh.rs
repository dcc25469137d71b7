//! Hyperbolic cosine, `y = cosh x`, elementwise.

use super::elementwise::{ElementwiseRule, unary_op};
use crate::real::Real;

/// `y = cosh x`: `y' = sinh x`, `y'' = cosh x`.
#[doc(hidden)]
pub struct CoshRule;

impl ElementwiseRule for CoshRule {
    #[inline(always)]
    fn value<T: Real>(x: T) -> T {
        x.cosh()
    }

    #[inline(always)]
    fn d1<T: Real>(x: T, _y: T) -> T {
        x.sinh()
    }

    #[inline(always)]
    fn d2<T: Real>(x: T, _y: T) -> T {
        x.cosh()
    }
}

unary_op! {
    /// Elementwise hyperbolic cosine; its gradient is `sinh x`, 0 at 0.
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// assert_eq!(tensor![0.0, 1.0].cosh(), tensor![1.0, 1.0_f64.cosh()]);
    /// ```
    Cosh: cosh, cosh_vjp, cosh_jvp, cosh_vjp_jvp, cosh_vjp_pair = CoshRule
}

#[cfg(test)]
mod tests {
    use super::Cosh;

    #[test]
    fn rules_match_finite_differences() {
        crate::ops::testing::check_unary!(
            Cosh: cosh, cosh_vjp, cosh_jvp, cosh_vjp_jvp, cosh_vjp_pair;
            [-3.0, -0.5, 0.0, 0.4, 2.5];
            std = f64::cosh
        );
    }
}
