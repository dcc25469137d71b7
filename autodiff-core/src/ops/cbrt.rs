//! Cube root, `y = ∛x`, elementwise.

use super::elementwise::{ElementwiseRule, unary_op};
use crate::real::Real;

/// `y = ∛x`, from the output: `y' = 1/(3y²)` (applied as one division), `y'' = -2/(9y⁵)`.
#[doc(hidden)]
pub struct CbrtRule;

impl ElementwiseRule for CbrtRule {
    #[inline(always)]
    fn value<T: Real>(x: T) -> T {
        x.cbrt()
    }

    #[inline(always)]
    fn d1<T: Real>(_x: T, y: T) -> T {
        T::one() / (<T as Real>::from_f64(3.0) * y * y)
    }

    #[inline(always)]
    fn d2<T: Real>(_x: T, y: T) -> T {
        let y2 = y * y;
        <T as Real>::from_f64(-2.0 / 9.0) / (y2 * y2 * y)
    }

    #[inline(always)]
    fn scale<T: Real>(t: T, _x: T, y: T) -> T {
        t / (<T as Real>::from_f64(3.0) * y * y)
    }
}

unary_op! {
    /// Elementwise cube root, defined for negative `x` too. The gradient reads the output:
    /// `1/(3∛x²)`, infinite at 0.
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// assert_eq!(tensor![8.0, -27.0].cbrt(), tensor![2.0, -3.0]);
    /// ```
    Cbrt: cbrt, cbrt_vjp, cbrt_jvp, cbrt_vjp_jvp, cbrt_vjp_pair = CbrtRule
}

#[cfg(test)]
mod tests {
    use super::Cbrt;

    #[test]
    fn rules_match_finite_differences() {
        crate::ops::testing::check_unary!(
            Cbrt: cbrt, cbrt_vjp, cbrt_jvp, cbrt_vjp_jvp, cbrt_vjp_pair;
            [-8.0, -0.1, 0.05, 1.0, 27.0];
            std = f64::cbrt
        );
    }
}
