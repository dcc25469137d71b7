//! Exponential, `y = exp(x)`, elementwise.

use super::elementwise::{ElementwiseRule, unary_op};
use crate::real::Real;

/// `y = eˣ`: the slope and the curvature are the output itself.
#[doc(hidden)]
pub struct ExpRule;

impl ElementwiseRule for ExpRule {
    #[inline(always)]
    fn value<T: Real>(x: T) -> T {
        x.exp()
    }
    #[inline(always)]
    fn d1<T: Real>(_x: T, y: T) -> T {
        y
    }
    #[inline(always)]
    fn d2<T: Real>(_x: T, y: T) -> T {
        y
    }
}

unary_op! {
    /// Elementwise exponential `eˣ`. Its derivative is its value: the gradient reuses the
    /// output.
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// let y = tensor![0.0, 1.0].exp();
    /// assert_eq!(y, tensor![1.0, std::f64::consts::E]);
    /// ```
    Exp: exp, exp_vjp, exp_jvp, exp_vjp_jvp, exp_vjp_pair = ExpRule
}

#[cfg(test)]
mod tests {
    use super::Exp;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp};
    use crate::tensor::Tensor;

    /// Every rule the op's `ElementwiseRule` gives, at points near its kinks and edges.
    #[test]
    fn rules_match_finite_differences() {
        crate::ops::testing::check_unary!(
            Exp: exp, exp_vjp, exp_jvp, exp_vjp_jvp, exp_vjp_pair;
            [-30.0, -0.5, 0.0, 0.4, 5.0];
            std = f64::exp
        );
    }

    #[test]
    fn vjp_matches_finite_differences() {
        let x = Tensor::<f64, 2, 2>::from_row_slice(&[0.3, -1.2, 2.0, 0.7]);
        check_vjp(
            Exp::exp,
            |x: Tensor<f64, 2, 2>, out, ct| x.exp_vjp(out, ct),
            x,
        );
        check_vjp(Exp::exp, |x: f64, out, ct| x.exp_vjp(out, ct), -0.4);
    }

    #[test]
    fn jvp_matches_finite_differences_and_the_vjp() {
        type M = Tensor<f64, 2, 2>;
        let x = M::from_row_slice(&[0.3, -1.2, 2.0, 0.7]);
        let vjp = |x: M, out, ct| x.exp_vjp(out, ct);
        let jvp = |x: M, out, dx| x.exp_jvp(out, dx);
        check_jvp(Exp::exp, jvp, x);
        check_vjp_against_jvp(Exp::exp, vjp, jvp, x);
        let vjp = |x: f64, out, ct| x.exp_vjp(out, ct);
        let jvp = |x: f64, out, dx| x.exp_jvp(out, dx);
        check_jvp(Exp::exp, jvp, -0.4);
        check_vjp_against_jvp(Exp::exp, vjp, jvp, -0.4);
    }

    #[test]
    fn fixed_values() {
        let x = Tensor::<f64, 2>::from_row_slice(&[0.0, 2.0f64.ln()]);
        assert_eq!(x.exp(), Tensor::from_row_slice(&[1.0, 2.0]));
        assert_eq!(Exp::exp_vjp(1.0_f64, 3.0, 2.0), 6.0);
        assert_eq!(Exp::exp_jvp(1.0_f64, 3.0, 2.0), 6.0);
    }

    #[test]
    fn vjp_jvp_matches_finite_differences_of_the_vjp() {
        use crate::ops::testing::check_vjp_jvp;
        type M = Tensor<f64, 2, 2>;
        let x = M::from_row_slice(&[0.3, -1.2, 2.0, 0.7]);
        check_vjp_jvp(
            |x: M| x.exp(),
            |x: M, out, dx| x.exp_jvp(out, dx),
            |x: M, out, ct| x.exp_vjp(out, ct),
            |x: M, out, ct, dx, dout, dct| x.exp_vjp_jvp(out, ct, dx, dout, dct),
            x,
        );
        let x = [0.3, -1.2, 2.0, 0.7][1];
        check_vjp_jvp(
            |x: f64| x.exp(),
            |x: f64, out, dx| x.exp_jvp(out, dx),
            |x: f64, out, ct| x.exp_vjp(out, ct),
            |x: f64, out, ct, dx, dout, dct| x.exp_vjp_jvp(out, ct, dx, dout, dct),
            x,
        );
    }
}
