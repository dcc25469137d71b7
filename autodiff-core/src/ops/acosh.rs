//! Inverse hyperbolic cosine, `y = acosh x`, elementwise.

use super::elementwise::{ElementwiseRule, unary_op};
use crate::real::Real;

/// `y = acosh x` on `[1, ∞)`: `y' = 1/√(x² - 1)` (applied as one division), `y'' = -x/(x² - 1)^{3/2}`.
#[doc(hidden)]
pub struct AcoshRule;

impl ElementwiseRule for AcoshRule {
    #[inline(always)]
    fn value<T: Real>(x: T) -> T {
        x.acosh()
    }

    #[inline(always)]
    fn d1<T: Real>(x: T, _y: T) -> T {
        T::one() / (x * x - T::one()).sqrt()
    }

    #[inline(always)]
    fn d2<T: Real>(x: T, _y: T) -> T {
        let s = x * x - T::one();
        -x / (s * s.sqrt())
    }

    #[inline(always)]
    fn scale<T: Real>(t: T, x: T, _y: T) -> T {
        t / (x * x - T::one()).sqrt()
    }
}

unary_op! {
    /// Elementwise inverse hyperbolic cosine, on `[1, ∞)`. The gradient `1/√(x² - 1)` is
    /// infinite at 1 and NaN below, as in PyTorch.
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// assert_eq!(tensor![1.0, 2.0].acosh(), tensor![0.0, 2.0_f64.acosh()]);
    /// ```
    Acosh: acosh, acosh_vjp, acosh_jvp, acosh_vjp_jvp, acosh_vjp_pair = AcoshRule
}

#[cfg(test)]
mod tests {
    use super::Acosh;

    #[test]
    fn rules_match_finite_differences() {
        crate::ops::testing::check_unary!(
            Acosh: acosh, acosh_vjp, acosh_jvp, acosh_vjp_jvp, acosh_vjp_pair;
            [1.01, 1.5, 3.0, 20.0];
            std = f64::acosh
        );
    }
}
