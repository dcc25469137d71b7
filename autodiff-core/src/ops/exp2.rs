//! Base-2 exponential, `y = 2ˣ`, elementwise.

use super::elementwise::{ElementwiseRule, unary_op};
use crate::real::Real;

/// `y = 2ˣ`, from the output: `y' = y ln 2`, `y'' = y ln² 2`.
#[doc(hidden)]
pub struct Exp2Rule;

impl ElementwiseRule for Exp2Rule {
    #[inline(always)]
    fn value<T: Real>(x: T) -> T {
        x.exp2()
    }

    #[inline(always)]
    fn d1<T: Real>(_x: T, y: T) -> T {
        y * T::ln_2()
    }

    #[inline(always)]
    fn d2<T: Real>(_x: T, y: T) -> T {
        y * T::ln_2() * T::ln_2()
    }
}

unary_op! {
    /// Elementwise `2ˣ`. The gradient reads the output: `2ˣ ln 2`.
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// assert_eq!(tensor![0.0, 3.0].exp2(), tensor![1.0, 8.0]);
    /// ```
    Exp2: exp2, exp2_vjp, exp2_jvp, exp2_vjp_jvp, exp2_vjp_pair = Exp2Rule
}

#[cfg(test)]
mod tests {
    use super::Exp2;

    #[test]
    fn rules_match_finite_differences() {
        crate::ops::testing::check_unary!(
            Exp2: exp2, exp2_vjp, exp2_jvp, exp2_vjp_jvp, exp2_vjp_pair;
            [-3.0, -0.5, 0.0, 0.4, 5.0];
            std = f64::exp2
        );
    }
}
