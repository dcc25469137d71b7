//! Base-2 logarithm, `y = log₂ x`, elementwise.

use super::elementwise::{ElementwiseRule, unary_op};
use crate::real::Real;

/// `y = log₂ x`: `y' = 1/(x ln 2)` (applied as one division), `y'' = -1/(x² ln 2)`.
#[doc(hidden)]
pub struct Log2Rule;

impl ElementwiseRule for Log2Rule {
    #[inline(always)]
    fn value<T: Real>(x: T) -> T {
        x.log2()
    }

    #[inline(always)]
    fn d1<T: Real>(x: T, _y: T) -> T {
        T::one() / (x * T::ln_2())
    }

    #[inline(always)]
    fn d2<T: Real>(x: T, _y: T) -> T {
        -T::one() / (x * x * T::ln_2())
    }

    #[inline(always)]
    fn scale<T: Real>(t: T, x: T, _y: T) -> T {
        t / (x * T::ln_2())
    }
}

unary_op! {
    /// Elementwise base-2 logarithm (`-inf` at 0, NaN below, where the gradient `1/(x ln
    /// 2)` is infinite or NaN too, as in PyTorch).
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// assert_eq!(tensor![1.0, 8.0].log2(), tensor![0.0, 3.0]);
    /// ```
    Log2: log2, log2_vjp, log2_jvp, log2_vjp_jvp, log2_vjp_pair = Log2Rule
}

#[cfg(test)]
mod tests {
    use super::Log2;

    #[test]
    fn rules_match_finite_differences() {
        crate::ops::testing::check_unary!(
            Log2: log2, log2_vjp, log2_jvp, log2_vjp_jvp, log2_vjp_pair;
            [0.01, 0.5, 1.0, 3.0, 100.0];
            std = f64::log2
        );
    }
}
