//! The complementary error function, `y = erfc x = 1 - erf x`, elementwise.

use super::elementwise::{ElementwiseRule, unary_op};
use crate::real::Real;

/// `y = erfc x`, accurate where `erf x` is near 1 (`libm`'s, in `f64`): `y' = -2/√π e^{-x²}`,
/// `y'' = 2x · 2/√π e^{-x²}`.
#[doc(hidden)]
pub struct ErfcRule;

impl ElementwiseRule for ErfcRule {
    #[inline(always)]
    fn value<T: Real>(x: T) -> T {
        Real::from_f64(libm::erfc(x.to_f64()))
    }

    #[inline(always)]
    fn d1<T: Real>(x: T, _y: T) -> T {
        -T::frac_2_sqrt_pi() * (-x * x).exp()
    }

    #[inline(always)]
    fn d2<T: Real>(x: T, _y: T) -> T {
        (x + x) * T::frac_2_sqrt_pi() * (-x * x).exp()
    }
}

unary_op! {
    /// Elementwise complementary error function `erfc x = 1 - erf x`, accurate where `erf
    /// x` is near 1 (through the `libm` crate, in `f64`); its gradient is `-2/√π e^{-x²}`.
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// let y: f64 = tensor![0.0, 10.0].erfc()[1];
    /// assert!((y - 2.088_487_583_762_545e-45).abs() < 1e-15 * 2.088_487_583_762_545e-45);
    /// ```
    Erfc: erfc, erfc_vjp, erfc_jvp, erfc_vjp_jvp, erfc_vjp_pair = ErfcRule
}

#[cfg(test)]
mod tests {
    use super::Erfc;

    #[test]
    fn rules_match_finite_differences() {
        crate::ops::testing::check_unary!(
            Erfc: erfc, erfc_vjp, erfc_jvp, erfc_vjp_jvp, erfc_vjp_pair;
            [-3.0, -0.5, 0.0, 0.4, 2.5]
        );
    }
}
