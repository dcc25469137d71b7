//! Inverse hyperbolic tangent, `y = atanh x`, elementwise.

use super::elementwise::{ElementwiseRule, unary_op};
use crate::real::Real;

/// `y = atanh x` on `(-1, 1)`: `y' = 1/(1 - x²)` (applied as one division), `y'' = 2x/(1 - x²)²`.
#[doc(hidden)]
pub struct AtanhRule;

impl ElementwiseRule for AtanhRule {
    #[inline(always)]
    fn value<T: Real>(x: T) -> T {
        x.atanh()
    }

    #[inline(always)]
    fn d1<T: Real>(x: T, _y: T) -> T {
        T::one() / (T::one() - x * x)
    }

    #[inline(always)]
    fn d2<T: Real>(x: T, _y: T) -> T {
        let s = T::one() - x * x;
        (x + x) / (s * s)
    }

    #[inline(always)]
    fn scale<T: Real>(t: T, x: T, _y: T) -> T {
        t / (T::one() - x * x)
    }
}

unary_op! {
    /// Elementwise inverse hyperbolic tangent, on `(-1, 1)`. The gradient `1/(1 - x²)` is
    /// infinite at `±1`, as in PyTorch.
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// assert_eq!(tensor![0.0, 0.5].atanh(), tensor![0.0, 0.5_f64.atanh()]);
    /// ```
    Atanh: atanh, atanh_vjp, atanh_jvp, atanh_vjp_jvp, atanh_vjp_pair = AtanhRule
}

#[cfg(test)]
mod tests {
    use super::Atanh;

    #[test]
    fn rules_match_finite_differences() {
        crate::ops::testing::check_unary!(
            Atanh: atanh, atanh_vjp, atanh_jvp, atanh_vjp_jvp, atanh_vjp_pair;
            [-0.99, -0.5, 0.0, 0.3, 0.99];
            std = f64::atanh
        );
    }
}
