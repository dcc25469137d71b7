//! The error function, `y = erf x = 2/√π ∫₀ˣ e^{-t²} dt`, elementwise.

use super::elementwise::{ElementwiseRule, unary_op};
use crate::real::Real;

/// `y = erf x` (the `libm` crate's, FreeBSD's msun, in `f64`): `y' = 2/√π e^{-x²}`,
/// `y'' = -2x y'`.
#[doc(hidden)]
pub struct ErfRule;

impl ElementwiseRule for ErfRule {
    #[inline(always)]
    fn value<T: Real>(x: T) -> T {
        Real::from_f64(libm::erf(x.to_f64()))
    }

    #[inline(always)]
    fn d1<T: Real>(x: T, _y: T) -> T {
        T::frac_2_sqrt_pi() * (-x * x).exp()
    }

    #[inline(always)]
    fn d2<T: Real>(x: T, _y: T) -> T {
        -(x + x) * T::frac_2_sqrt_pi() * (-x * x).exp()
    }
}

unary_op! {
    /// Elementwise error function `erf x = 2/√π ∫₀ˣ e^{-t²} dt` (in `f64` through the
    /// `libm` crate, which follows FreeBSD's msun, then rounded for `f32`); its gradient is
    /// `2/√π e^{-x²}`.
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// assert!((tensor![0.0_f64, 1.0].erf()[1] - 0.842_700_792_949_714_9).abs() < 1e-15);
    /// ```
    Erf: erf, erf_vjp, erf_jvp, erf_vjp_jvp, erf_vjp_pair = ErfRule
}

#[cfg(test)]
mod tests {
    use super::Erf;
    use crate::ops::Erfc;

    #[test]
    fn rules_match_finite_differences() {
        crate::ops::testing::check_unary!(
            Erf: erf, erf_vjp, erf_jvp, erf_vjp_jvp, erf_vjp_pair;
            [-3.0, -0.5, 0.0, 0.4, 2.5]
        );
    }

    /// Reference values of erf and erfc to 20 significant digits, computed in 30-digit
    /// arithmetic: Abramowitz & Stegun Table 7.1's erf (10 decimals, `x ≤ 2`), extended in
    /// digits and beyond 2, at `x` exactly representable in binary where possible.
    #[test]
    #[allow(clippy::excessive_precision)] // the table's digits, as computed
    fn values_agree_with_a_reference_table() {
        let erf = [
            (0.1_f64, 0.112_462_916_018_284_892_2_f64),
            (0.2, 0.222_702_589_210_478_454_14),
            (0.5, 0.520_499_877_813_046_537_68),
            (1.0, 0.842_700_792_949_714_869_34),
            (1.5, 0.966_105_146_475_310_727_07),
            (2.0, 0.995_322_265_018_952_734_16),
            (3.0, 0.999_977_909_503_001_414_56),
            (4.0, 0.999_999_984_582_742_099_72),
            (-0.7, -0.677_801_193_837_418_472_98),
        ];
        for (x, want) in erf {
            let got = Erf::erf(x);
            assert!((got - want).abs() <= 1e-15, "erf({x}) = {got}, not {want}");
            let got = Erfc::erfc(x);
            assert!((got - (1.0 - want)).abs() <= 1e-15, "erfc({x}) = {got}");
        }
        // erfc where 1 - erf has no digits left: relative accuracy.
        let erfc = [
            (1.0_f64, 0.157_299_207_050_285_130_66_f64),
            (3.0, 2.209_049_699_858_544_137_3e-5),
            (5.0, 1.537_459_794_428_034_850_2e-12),
            (10.0, 2.088_487_583_762_544_757e-45),
            (-1.0, 1.842_700_792_949_714_869_3),
        ];
        for (x, want) in erfc {
            let got = Erfc::erfc(x);
            assert!(
                (got - want).abs() <= 1e-15 * want,
                "erfc({x}) = {got}, not {want}"
            );
        }
        assert_eq!(
            (Erf::erf(0.0_f64), Erf::erf(-0.0_f64).to_bits()),
            (0.0, (-0.0_f64).to_bits())
        );
        assert_eq!(
            (Erf::erf(f64::INFINITY), Erf::erf(f64::NEG_INFINITY)),
            (1.0, -1.0)
        );
        assert!((Erf::erf(0.5_f32) - 0.520_499_88).abs() <= 1e-7);
    }

    /// The slope is `2/√π e^{-x²}`, checked in closed form (the rule computes it the same
    /// way, so this pins the constant and the sign).
    #[test]
    fn slope_is_the_gaussian() {
        for x in [-2.0_f64, -0.3, 0.0, 0.8, 3.0] {
            let want = 2.0 / std::f64::consts::PI.sqrt() * (-x * x).exp();
            let got = Erf::erf_vjp(x, Erf::erf(x), 1.0);
            assert!((got - want).abs() <= 1e-15, "erf'({x}) = {got}, not {want}");
            let got = Erfc::erfc_jvp(x, Erfc::erfc(x), 1.0);
            assert!(
                (got + want).abs() <= 1e-15,
                "erfc'({x}) = {got}, not {}",
                -want
            );
        }
    }
}
