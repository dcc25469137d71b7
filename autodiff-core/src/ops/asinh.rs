//! Inverse hyperbolic sine, `y = asinh x`, elementwise.

use super::elementwise::{ElementwiseRule, unary_op};
use crate::real::Real;

/// `y = asinh x`: `y' = 1/√(x² + 1)` (applied as one division), `y'' = -x/(x² + 1)^{3/2}`.
#[doc(hidden)]
pub struct AsinhRule;

impl ElementwiseRule for AsinhRule {
    #[inline(always)]
    fn value<T: Real>(x: T) -> T {
        x.asinh()
    }

    #[inline(always)]
    fn d1<T: Real>(x: T, _y: T) -> T {
        T::one() / (x * x + T::one()).sqrt()
    }

    #[inline(always)]
    fn d2<T: Real>(x: T, _y: T) -> T {
        let s = x * x + T::one();
        -x / (s * s.sqrt())
    }

    #[inline(always)]
    fn scale<T: Real>(t: T, x: T, _y: T) -> T {
        t / (x * x + T::one()).sqrt()
    }
}

unary_op! {
    /// Elementwise inverse hyperbolic sine; its gradient is `1/√(x² + 1)`.
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// assert_eq!(tensor![0.0, 1.0].asinh(), tensor![0.0, 1.0_f64.asinh()]);
    /// ```
    Asinh: asinh, asinh_vjp, asinh_jvp, asinh_vjp_jvp, asinh_vjp_pair = AsinhRule
}

#[cfg(test)]
mod tests {
    use super::Asinh;

    #[test]
    fn rules_match_finite_differences() {
        crate::ops::testing::check_unary!(
            Asinh: asinh, asinh_vjp, asinh_jvp, asinh_vjp_jvp, asinh_vjp_pair;
            [-3.0, -0.5, 0.0, 0.4, 20.0];
            std = f64::asinh
        );
    }
}
