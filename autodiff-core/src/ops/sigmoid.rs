//! Logistic sigmoid, `y = 1 / (1 + e⁻ˣ)`, elementwise.

use super::elementwise::{ElementwiseRule, unary_op};
use crate::real::Real;

/// `y = 1 / (1 + e⁻ˣ)`, computed without overflow on either side, and from the output:
/// `y' = y (1 - y)`, `y'' = y (1 - y)(1 - 2y)`.
#[doc(hidden)]
pub struct SigmoidRule;

impl ElementwiseRule for SigmoidRule {
    #[inline(always)]
    fn value<T: Real>(x: T) -> T {
        let one = T::one();
        if x >= T::zero() {
            one / (one + (-x).exp())
        } else {
            let e = x.exp();
            e / (one + e)
        }
    }

    #[inline(always)]
    fn d1<T: Real>(_x: T, y: T) -> T {
        y * (T::one() - y)
    }

    #[inline(always)]
    fn d2<T: Real>(_x: T, y: T) -> T {
        y * (T::one() - y) * (T::one() - y - y)
    }

    #[inline(always)]
    fn scale<T: Real>(t: T, _x: T, y: T) -> T {
        t * y * (T::one() - y)
    }
}

unary_op! {
    /// Elementwise logistic sigmoid `1 / (1 + e⁻ˣ)`, without overflow for large `|x|`. The
    /// gradient reads the output: `σ(x) (1 - σ(x))`.
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// let y = tensor![0.0, -1000.0, 1000.0].sigmoid();
    /// assert_eq!(y, tensor![0.5, 0.0, 1.0]);
    /// ```
    Sigmoid: sigmoid, sigmoid_vjp, sigmoid_jvp, sigmoid_vjp_jvp, sigmoid_vjp_pair = SigmoidRule
}

#[cfg(test)]
mod tests {
    use super::Sigmoid;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp};
    use crate::tensor::Tensor;

    /// Every rule the op's `ElementwiseRule` gives, at points near its kinks and edges.
    #[test]
    fn rules_match_finite_differences() {
        crate::ops::testing::check_unary!(
            Sigmoid: sigmoid, sigmoid_vjp, sigmoid_jvp, sigmoid_vjp_jvp, sigmoid_vjp_pair;
            [-30.0, -0.5, 0.0, 0.4, 30.0]
        );
    }

    #[test]
    fn vjp_matches_finite_differences() {
        let x = Tensor::<f64, 2, 2>::from_row_slice(&[0.3, -1.2, 2.0, 0.7]);
        check_vjp(
            Sigmoid::sigmoid,
            |x: Tensor<f64, 2, 2>, out, ct| x.sigmoid_vjp(out, ct),
            x,
        );
        check_vjp(
            Sigmoid::sigmoid,
            |x: f64, out, ct| x.sigmoid_vjp(out, ct),
            -0.5,
        );
    }

    #[test]
    fn jvp_matches_finite_differences_and_the_vjp() {
        type M = Tensor<f64, 2, 2>;
        let x = M::from_row_slice(&[0.3, -1.2, 2.0, 0.7]);
        let vjp = |x: M, out, ct| x.sigmoid_vjp(out, ct);
        let jvp = |x: M, out, dx| x.sigmoid_jvp(out, dx);
        check_jvp(Sigmoid::sigmoid, jvp, x);
        check_vjp_against_jvp(Sigmoid::sigmoid, vjp, jvp, x);
        let vjp = |x: f64, out, ct| x.sigmoid_vjp(out, ct);
        let jvp = |x: f64, out, dx| x.sigmoid_jvp(out, dx);
        check_jvp(Sigmoid::sigmoid, jvp, -0.5);
        check_vjp_against_jvp(Sigmoid::sigmoid, vjp, jvp, -0.5);
    }

    #[test]
    fn fixed_values() {
        assert_eq!(Sigmoid::sigmoid(0.0_f64), 0.5);
        assert_eq!(Sigmoid::sigmoid(1000.0_f64), 1.0);
        assert_eq!(Sigmoid::sigmoid(-1000.0_f64), 0.0);
        assert_eq!(Sigmoid::sigmoid(-800.0_f32), 0.0);
        let y = Sigmoid::sigmoid(-30.0_f64);
        assert!((y - (-30.0_f64).exp() / (1.0 + (-30.0_f64).exp())).abs() < 1e-28);
        assert_eq!(Sigmoid::sigmoid_vjp(0.0_f64, 0.5, 1.0), 0.25);
        assert_eq!(Sigmoid::sigmoid_jvp(0.0_f64, 0.5, 1.0), 0.25);
    }

    #[test]
    fn vjp_jvp_matches_finite_differences_of_the_vjp() {
        use crate::ops::testing::check_vjp_jvp;
        type M = Tensor<f64, 2, 2>;
        let x = M::from_row_slice(&[0.3, -1.2, 2.0, 0.7]);
        check_vjp_jvp(
            |x: M| x.sigmoid(),
            |x: M, out, dx| x.sigmoid_jvp(out, dx),
            |x: M, out, ct| x.sigmoid_vjp(out, ct),
            |x: M, out, ct, dx, dout, dct| x.sigmoid_vjp_jvp(out, ct, dx, dout, dct),
            x,
        );
        let x = [0.3, -1.2, 2.0, 0.7][1];
        check_vjp_jvp(
            |x: f64| x.sigmoid(),
            |x: f64, out, dx| x.sigmoid_jvp(out, dx),
            |x: f64, out, ct| x.sigmoid_vjp(out, ct),
            |x: f64, out, ct, dx, dout, dct| x.sigmoid_vjp_jvp(out, ct, dx, dout, dct),
            x,
        );
    }
}
