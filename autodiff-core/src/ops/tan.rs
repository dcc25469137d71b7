//! Tangent, `y = tan x`, elementwise.

use super::elementwise::{ElementwiseRule, unary_op};
use crate::real::Real;

/// `y = tan x`, from the output: `y' = 1 + y²`, `y'' = 2y (1 + y²)`.
#[doc(hidden)]
pub struct TanRule;

impl ElementwiseRule for TanRule {
    #[inline(always)]
    fn value<T: Real>(x: T) -> T {
        x.tan()
    }

    #[inline(always)]
    fn d1<T: Real>(_x: T, y: T) -> T {
        T::one() + y * y
    }

    #[inline(always)]
    fn d2<T: Real>(_x: T, y: T) -> T {
        (y + y) * (T::one() + y * y)
    }
}

unary_op! {
    /// Elementwise tangent. The gradient reads the output: `1 + tan²x`.
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// assert!((tensor![0.0, std::f64::consts::FRAC_PI_4].tan()[1] - 1.0).abs() < 1e-15);
    /// ```
    Tan: tan, tan_vjp, tan_jvp, tan_vjp_jvp, tan_vjp_pair = TanRule
}

#[cfg(test)]
mod tests {
    use super::Tan;

    #[test]
    fn rules_match_finite_differences() {
        crate::ops::testing::check_unary!(
            Tan: tan, tan_vjp, tan_jvp, tan_vjp_jvp, tan_vjp_pair;
            [-1.5, -0.5, 0.0, 0.7, 1.3];
            std = f64::tan
        );
    }
}
