//! Logarithm to a base, `y = log_b x = ln x / ln b`, elementwise.

use super::elementwise::{BinaryRule, binary_op};
use crate::real::Real;

/// `log_b x`, `y` read for the base's derivatives: `∂/∂x = 1/(x ln b)`,
/// `∂/∂b = -y/(b ln b)`, `∂²/∂x² = -1/(x² ln b)`, `∂²/∂x∂b = -1/(x b ln² b)`,
/// `∂²/∂b² = y (ln b + 2)/(b² ln² b)`.
#[doc(hidden)]
pub struct LogRule;

impl BinaryRule for LogRule {
    #[inline(always)]
    fn value<T: Real>(x: T, b: T) -> T {
        x.log(b)
    }
    #[inline(always)]
    fn da<T: Real>(x: T, b: T, _y: T) -> T {
        T::one() / (x * b.ln())
    }
    #[inline(always)]
    fn db<T: Real>(_x: T, b: T, y: T) -> T {
        -y / (b * b.ln())
    }
    #[inline(always)]
    fn daa<T: Real>(x: T, b: T, _y: T) -> T {
        -T::one() / (x * x * b.ln())
    }
    #[inline(always)]
    fn dab<T: Real>(x: T, b: T, _y: T) -> T {
        let lb = b.ln();
        -T::one() / (x * b * lb * lb)
    }
    #[inline(always)]
    fn dbb<T: Real>(_x: T, b: T, y: T) -> T {
        let lb = b.ln();
        y * (lb + T::one() + T::one()) / (b * b * lb * lb)
    }
}

binary_op! {
    /// Elementwise logarithm of `self` to the base `other`, `ln self / ln other`, as
    /// `f64::log`; differentiable in both. At `x ≤ 0` or a base of 1 the value and the
    /// gradient are infinite or NaN.
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// assert_eq!(tensor![8.0, 1.0].log(tensor![2.0, 10.0]), tensor![3.0, 0.0]);
    /// ```
    Log: log, log_vjp, log_jvp, log_vjp_jvp, log_vjp_pair = LogRule
}

#[cfg(test)]
mod tests {
    use super::Log;

    #[test]
    fn rules_match_finite_differences() {
        crate::ops::testing::check_binary!(
            Log: log, log_vjp, log_jvp, log_vjp_jvp, log_vjp_pair;
            [(8.0, 2.0), (0.05, 10.0), (3.0, 0.5), (1.0, 3.0), (100.0, 1.5)];
            std = f64::log
        );
    }
}
