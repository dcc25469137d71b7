//! Base-10 logarithm, `y = log₁₀ x`, elementwise.

use super::elementwise::{ElementwiseRule, unary_op};
use crate::real::Real;

/// `y = log₁₀ x`: `y' = 1/(x ln 10)` (applied as one division), `y'' = -1/(x² ln 10)`.
#[doc(hidden)]
pub struct Log10Rule;

impl ElementwiseRule for Log10Rule {
    #[inline(always)]
    fn value<T: Real>(x: T) -> T {
        x.log10()
    }

    #[inline(always)]
    fn d1<T: Real>(x: T, _y: T) -> T {
        T::one() / (x * T::ln_10())
    }

    #[inline(always)]
    fn d2<T: Real>(x: T, _y: T) -> T {
        -T::one() / (x * x * T::ln_10())
    }

    #[inline(always)]
    fn scale<T: Real>(t: T, x: T, _y: T) -> T {
        t / (x * T::ln_10())
    }
}

unary_op! {
    /// Elementwise base-10 logarithm (`-inf` at 0, NaN below, where the gradient `1/(x ln
    /// 10)` is infinite or NaN too, as in PyTorch).
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// assert_eq!(tensor![1.0, 100.0].log10(), tensor![0.0, 2.0]);
    /// ```
    Log10: log10, log10_vjp, log10_jvp, log10_vjp_jvp, log10_vjp_pair = Log10Rule
}

#[cfg(test)]
mod tests {
    use super::Log10;

    #[test]
    fn rules_match_finite_differences() {
        crate::ops::testing::check_unary!(
            Log10: log10, log10_vjp, log10_jvp, log10_vjp_jvp, log10_vjp_pair;
            [0.01, 0.5, 1.0, 3.0, 100.0];
            std = f64::log10
        );
    }
}
