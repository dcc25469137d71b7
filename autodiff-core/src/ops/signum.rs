//! `y = signum x`, the sign: 1 for `+0` and above, -1 for `-0` and below, NaN for NaN (std's `signum`), elementwise; gradient 0.

use super::elementwise::{ElementwiseRule, unary_op};
use crate::real::Real;

/// `signum x`, the sign: 1 for `+0` and above, -1 for `-0` and below, NaN for NaN (std's `signum`): piecewise constant, so its slope is 0 everywhere, at the jumps
/// too (PyTorch's convention).
#[doc(hidden)]
pub struct SignumRule;

impl ElementwiseRule for SignumRule {
    const CURVED: bool = false;

    #[inline(always)]
    fn value<T: Real>(x: T) -> T {
        #[allow(clippy::eq_op)] // NaN is the one value not equal to itself.
        if x != x {
            x
        } else if x.is_sign_negative() {
            -T::one()
        } else {
            T::one()
        }
    }

    #[inline(always)]
    fn d1<T: Real>(_x: T, _y: T) -> T {
        T::zero()
    }

    #[inline(always)]
    fn d2<T: Real>(_x: T, _y: T) -> T {
        T::zero()
    }

    #[inline(always)]
    fn scale<T: Real>(_t: T, _x: T, _y: T) -> T {
        T::zero()
    }
}

unary_op! {
    /// Elementwise signum: the sign: 1 for `+0` and above, -1 for `-0` and below, NaN for
    /// NaN (std's `signum`). Its gradient is 0 everywhere, at the jumps too (as in
    /// PyTorch).
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// assert_eq!(tensor![-1.5, 0.0].signum(), tensor![-1.0, 1.0]);
    /// ```
    Signum: signum, signum_vjp, signum_jvp, signum_vjp_jvp, signum_vjp_pair = SignumRule
}

#[cfg(test)]
mod tests {
    use super::Signum;

    #[test]
    fn rules_match_finite_differences() {
        crate::ops::testing::check_unary!(
            Signum: signum, signum_vjp, signum_jvp, signum_vjp_jvp, signum_vjp_pair;
            [-2.0, -1e-3, 1e-3, 5.0];
            std = f64::signum
        );
    }

    #[test]
    fn gradient_is_zero_at_the_jumps_too() {
        for x in [-1.0_f64, -0.5, 0.0, -0.0, 0.5, 3.0] {
            assert_eq!(Signum::signum_vjp(x, Signum::signum(x), 2.0), 0.0);
            assert_eq!(Signum::signum_jvp(x, Signum::signum(x), 2.0), 0.0);
            assert_eq!(
                Signum::signum_vjp_jvp(x, Signum::signum(x), 2.0, 1.0, 0.0, 3.0),
                0.0
            );
            assert_eq!(Signum::signum(x).to_bits(), x.signum().to_bits());
        }
    }
}
