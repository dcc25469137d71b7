//! Natural logarithm, `y = ln x`, elementwise.

use super::elementwise::{ElementwiseRule, unary_op};
use crate::real::Real;

/// `y = ln x`: `y' = 1/x` (applied as one division), `y'' = -1/x²`.
#[doc(hidden)]
pub struct LnRule;

impl ElementwiseRule for LnRule {
    #[inline(always)]
    fn value<T: Real>(x: T) -> T {
        x.ln()
    }

    #[inline(always)]
    fn d1<T: Real>(x: T, _y: T) -> T {
        T::one() / x
    }

    #[inline(always)]
    fn d2<T: Real>(x: T, _y: T) -> T {
        -T::one() / (x * x)
    }

    #[inline(always)]
    fn scale<T: Real>(t: T, x: T, _y: T) -> T {
        t / x
    }
}

unary_op! {
    /// Elementwise natural logarithm (`-inf` at 0, NaN below; the gradient `1/x` is then
    /// infinite or NaN too, as in PyTorch).
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// assert_eq!(tensor![1.0, std::f64::consts::E].ln(), tensor![0.0, 1.0]);
    /// ```
    Ln: ln, ln_vjp, ln_jvp, ln_vjp_jvp, ln_vjp_pair = LnRule
}

#[cfg(test)]
mod tests {
    use super::Ln;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp};
    use crate::tensor::Tensor;

    /// Every rule the op's `ElementwiseRule` gives, at points near its kinks and edges.
    #[test]
    fn rules_match_finite_differences() {
        crate::ops::testing::check_unary!(
            Ln: ln, ln_vjp, ln_jvp, ln_vjp_jvp, ln_vjp_pair;
            [0.01, 0.5, 1.0, 3.0, 100.0];
            std = f64::ln
        );
    }

    #[test]
    fn vjp_matches_finite_differences() {
        let x = Tensor::<f64, 2, 2>::from_row_slice(&[0.3, 1.2, 2.0, 0.7]);
        check_vjp(Ln::ln, |x: Tensor<f64, 2, 2>, out, ct| x.ln_vjp(out, ct), x);
        check_vjp(Ln::ln, |x: f64, out, ct| x.ln_vjp(out, ct), 2.5);
    }

    #[test]
    fn jvp_matches_finite_differences_and_the_vjp() {
        type M = Tensor<f64, 2, 2>;
        let x = M::from_row_slice(&[0.3, 1.2, 2.0, 0.7]);
        let vjp = |x: M, out, ct| x.ln_vjp(out, ct);
        let jvp = |x: M, out, dx| x.ln_jvp(out, dx);
        check_jvp(Ln::ln, jvp, x);
        check_vjp_against_jvp(Ln::ln, vjp, jvp, x);
        let vjp = |x: f64, out, ct| x.ln_vjp(out, ct);
        let jvp = |x: f64, out, dx| x.ln_jvp(out, dx);
        check_jvp(Ln::ln, jvp, 2.5);
        check_vjp_against_jvp(Ln::ln, vjp, jvp, 2.5);
    }

    #[test]
    fn fixed_values() {
        assert_eq!(Ln::ln(1.0_f64), 0.0);
        assert_eq!(Ln::ln(0.0_f64), f64::NEG_INFINITY);
        assert_eq!(Ln::ln_vjp(4.0_f64, 4.0_f64.ln(), 2.0), 0.5);
        assert_eq!(Ln::ln_jvp(4.0_f64, 4.0_f64.ln(), 2.0), 0.5);
    }

    #[test]
    fn vjp_jvp_matches_finite_differences_of_the_vjp() {
        use crate::ops::testing::check_vjp_jvp;
        type M = Tensor<f64, 2, 2>;
        let x = M::from_row_slice(&[0.3, 1.2, 2.0, 0.7]);
        check_vjp_jvp(
            |x: M| x.ln(),
            |x: M, out, dx| x.ln_jvp(out, dx),
            |x: M, out, ct| x.ln_vjp(out, ct),
            |x: M, out, ct, dx, dout, dct| x.ln_vjp_jvp(out, ct, dx, dout, dct),
            x,
        );
        let x = [0.3, 1.2, 2.0, 0.7][1];
        check_vjp_jvp(
            |x: f64| x.ln(),
            |x: f64, out, dx| x.ln_jvp(out, dx),
            |x: f64, out, ct| x.ln_vjp(out, ct),
            |x: f64, out, ct, dx, dout, dct| x.ln_vjp_jvp(out, ct, dx, dout, dct),
            x,
        );
    }
}
