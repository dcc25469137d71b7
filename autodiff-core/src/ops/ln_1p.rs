//! `y = ln(1 + x)`, elementwise, accurate near 0.

use super::elementwise::{ElementwiseRule, unary_op};
use crate::real::Real;

/// `y = ln(1 + x)`: `y' = 1/(1 + x)` (applied as one division), `y'' = -1/(1 + x)²`.
#[doc(hidden)]
pub struct Ln1pRule;

impl ElementwiseRule for Ln1pRule {
    #[inline(always)]
    fn value<T: Real>(x: T) -> T {
        x.ln_1p()
    }

    #[inline(always)]
    fn d1<T: Real>(x: T, _y: T) -> T {
        T::one() / (T::one() + x)
    }

    #[inline(always)]
    fn d2<T: Real>(x: T, _y: T) -> T {
        let p = T::one() + x;
        -T::one() / (p * p)
    }

    #[inline(always)]
    fn scale<T: Real>(t: T, x: T, _y: T) -> T {
        t / (T::one() + x)
    }
}

unary_op! {
    /// Elementwise `ln(1 + x)`, accurate for `x` near 0.
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// let y = tensor![0.0, 1e-20].ln_1p();
    /// assert_eq!(y, tensor![0.0, 1e-20]);
    /// ```
    Ln1p: ln_1p, ln_1p_vjp, ln_1p_jvp, ln_1p_vjp_jvp, ln_1p_vjp_pair = Ln1pRule
}

#[cfg(test)]
mod tests {
    use super::Ln1p;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp};
    use crate::tensor::Tensor;

    /// Every rule the op's `ElementwiseRule` gives, at points near its kinks and edges.
    #[test]
    fn rules_match_finite_differences() {
        crate::ops::testing::check_unary!(
            Ln1p: ln_1p, ln_1p_vjp, ln_1p_jvp, ln_1p_vjp_jvp, ln_1p_vjp_pair;
            [-0.99, -0.5, 0.0, 1e-8, 3.0];
            std = f64::ln_1p
        );
    }

    #[test]
    fn vjp_matches_finite_differences() {
        let x = Tensor::<f64, 2, 2>::from_row_slice(&[0.3, 1.2, 2.0, 0.7]);
        check_vjp(
            Ln1p::ln_1p,
            |x: Tensor<f64, 2, 2>, out, ct| x.ln_1p_vjp(out, ct),
            x,
        );
        check_vjp(Ln1p::ln_1p, |x: f64, out, ct| x.ln_1p_vjp(out, ct), 2.5);
    }

    #[test]
    fn jvp_matches_finite_differences_and_the_vjp() {
        type M = Tensor<f64, 2, 2>;
        let x = M::from_row_slice(&[0.3, 1.2, 2.0, 0.7]);
        let vjp = |x: M, out, ct| x.ln_1p_vjp(out, ct);
        let jvp = |x: M, out, dx| x.ln_1p_jvp(out, dx);
        check_jvp(Ln1p::ln_1p, jvp, x);
        check_vjp_against_jvp(Ln1p::ln_1p, vjp, jvp, x);
        let vjp = |x: f64, out, ct| x.ln_1p_vjp(out, ct);
        let jvp = |x: f64, out, dx| x.ln_1p_jvp(out, dx);
        check_jvp(Ln1p::ln_1p, jvp, 2.5);
        check_vjp_against_jvp(Ln1p::ln_1p, vjp, jvp, 2.5);
    }

    #[test]
    fn fixed_values() {
        assert_eq!(Ln1p::ln_1p(0.0_f64), 0.0);
        assert_eq!(Ln1p::ln_1p(-1.0_f64), f64::NEG_INFINITY);
        // Accurate where `1 + x` rounds to 1.
        assert_eq!(Ln1p::ln_1p(1e-20_f64), 1e-20);
        assert_eq!(Ln1p::ln_1p_vjp(3.0_f64, 4.0_f64.ln(), 2.0), 0.5);
        assert_eq!(Ln1p::ln_1p_jvp(3.0_f64, 4.0_f64.ln(), 2.0), 0.5);
    }

    #[test]
    fn vjp_jvp_matches_finite_differences_of_the_vjp() {
        use crate::ops::testing::check_vjp_jvp;
        type M = Tensor<f64, 2, 2>;
        let x = M::from_row_slice(&[0.3, 1.2, 2.0, 0.7]);
        check_vjp_jvp(
            |x: M| x.ln_1p(),
            |x: M, out, dx| x.ln_1p_jvp(out, dx),
            |x: M, out, ct| x.ln_1p_vjp(out, ct),
            |x: M, out, ct, dx, dout, dct| x.ln_1p_vjp_jvp(out, ct, dx, dout, dct),
            x,
        );
        let x = [0.3, 1.2, 2.0, 0.7][1];
        check_vjp_jvp(
            |x: f64| x.ln_1p(),
            |x: f64, out, dx| x.ln_1p_jvp(out, dx),
            |x: f64, out, ct| x.ln_1p_vjp(out, ct),
            |x: f64, out, ct, dx, dout, dct| x.ln_1p_vjp_jvp(out, ct, dx, dout, dct),
            x,
        );
    }
}
