//! Inverse tangent, `y = atan x`, elementwise.

use super::elementwise::{ElementwiseRule, unary_op};
use crate::real::Real;

/// `y = atan x`: `y' = 1/(1 + x²)` (applied as one division), `y'' = -2x/(1 + x²)²`.
#[doc(hidden)]
pub struct AtanRule;

impl ElementwiseRule for AtanRule {
    #[inline(always)]
    fn value<T: Real>(x: T) -> T {
        x.atan()
    }

    #[inline(always)]
    fn d1<T: Real>(x: T, _y: T) -> T {
        T::one() / (T::one() + x * x)
    }

    #[inline(always)]
    fn d2<T: Real>(x: T, _y: T) -> T {
        let s = T::one() + x * x;
        -(x + x) / (s * s)
    }

    #[inline(always)]
    fn scale<T: Real>(t: T, x: T, _y: T) -> T {
        t / (T::one() + x * x)
    }
}

unary_op! {
    /// Elementwise inverse tangent; its gradient is `1/(1 + x²)`.
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// assert_eq!(tensor![0.0, 1.0].atan(), tensor![0.0, std::f64::consts::FRAC_PI_4]);
    /// ```
    Atan: atan, atan_vjp, atan_jvp, atan_vjp_jvp, atan_vjp_pair = AtanRule
}

#[cfg(test)]
mod tests {
    use super::Atan;

    #[test]
    fn rules_match_finite_differences() {
        crate::ops::testing::check_unary!(
            Atan: atan, atan_vjp, atan_jvp, atan_vjp_jvp, atan_vjp_pair;
            [-3.0, -0.5, 0.0, 0.4, 10.0];
            std = f64::atan
        );
    }
}
