//! Inverse cosine, `y = acos x`, elementwise.

use super::elementwise::{ElementwiseRule, unary_op};
use crate::real::Real;

/// `y = acos x` on `[-1, 1]`: `y' = -1/√(1 - x²)` (applied as one division), `y'' = -x/(1 - x²)^{3/2}`.
#[doc(hidden)]
pub struct AcosRule;

impl ElementwiseRule for AcosRule {
    #[inline(always)]
    fn value<T: Real>(x: T) -> T {
        x.acos()
    }

    #[inline(always)]
    fn d1<T: Real>(x: T, _y: T) -> T {
        -T::one() / (T::one() - x * x).sqrt()
    }

    #[inline(always)]
    fn d2<T: Real>(x: T, _y: T) -> T {
        let s = T::one() - x * x;
        -x / (s * s.sqrt())
    }

    #[inline(always)]
    fn scale<T: Real>(t: T, x: T, _y: T) -> T {
        -t / (T::one() - x * x).sqrt()
    }
}

unary_op! {
    /// Elementwise inverse cosine, on `[-1, 1]`. The gradient `-1/√(1 - x²)` is infinite at
    /// `±1` and NaN outside, as in PyTorch.
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// assert_eq!(tensor![1.0, -1.0].acos(), tensor![0.0, std::f64::consts::PI]);
    /// ```
    Acos: acos, acos_vjp, acos_jvp, acos_vjp_jvp, acos_vjp_pair = AcosRule
}

#[cfg(test)]
mod tests {
    use super::Acos;

    #[test]
    fn rules_match_finite_differences() {
        crate::ops::testing::check_unary!(
            Acos: acos, acos_vjp, acos_jvp, acos_vjp_jvp, acos_vjp_pair;
            [-0.99, -0.5, 0.0, 0.3, 0.99];
            std = f64::acos
        );
    }
}
