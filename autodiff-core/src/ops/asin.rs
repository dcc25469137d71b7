//! Inverse sine, `y = asin x`, elementwise.

use super::elementwise::{ElementwiseRule, unary_op};
use crate::real::Real;

/// `y = asin x` on `[-1, 1]`: `y' = 1/√(1 - x²)` (applied as one division), `y'' = x/(1 - x²)^{3/2}`.
#[doc(hidden)]
pub struct AsinRule;

impl ElementwiseRule for AsinRule {
    #[inline(always)]
    fn value<T: Real>(x: T) -> T {
        x.asin()
    }

    #[inline(always)]
    fn d1<T: Real>(x: T, _y: T) -> T {
        T::one() / (T::one() - x * x).sqrt()
    }

    #[inline(always)]
    fn d2<T: Real>(x: T, _y: T) -> T {
        let s = T::one() - x * x;
        x / (s * s.sqrt())
    }

    #[inline(always)]
    fn scale<T: Real>(t: T, x: T, _y: T) -> T {
        t / (T::one() - x * x).sqrt()
    }
}

unary_op! {
    /// Elementwise inverse sine, on `[-1, 1]`. The gradient `1/√(1 - x²)` is infinite at
    /// `±1` and NaN outside, as in PyTorch.
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// assert_eq!(tensor![0.0, 1.0].asin(), tensor![0.0, std::f64::consts::FRAC_PI_2]);
    /// ```
    Asin: asin, asin_vjp, asin_jvp, asin_vjp_jvp, asin_vjp_pair = AsinRule
}

#[cfg(test)]
mod tests {
    use super::Asin;

    #[test]
    fn rules_match_finite_differences() {
        crate::ops::testing::check_unary!(
            Asin: asin, asin_vjp, asin_jvp, asin_vjp_jvp, asin_vjp_pair;
            [-0.99, -0.5, 0.0, 0.3, 0.99];
            std = f64::asin
        );
    }
}
