//! Rectified linear unit, `y = max(x, 0)`, elementwise.

use super::elementwise::{ElementwiseRule, unary_op};
use crate::real::Real;

/// `y = max(x, 0)` (`+0` for `x ≤ 0`, `-0` included): slope 1 for `x > 0`, else 0
/// (PyTorch's choice at 0), no curvature.
#[doc(hidden)]
pub struct ReluRule;

impl ElementwiseRule for ReluRule {
    const CURVED: bool = false;

    #[inline(always)]
    fn value<T: Real>(x: T) -> T {
        if x <= T::zero() { T::zero() } else { x }
    }

    #[inline(always)]
    fn d1<T: Real>(x: T, _y: T) -> T {
        if x > T::zero() { T::one() } else { T::zero() }
    }

    #[inline(always)]
    fn d2<T: Real>(_x: T, _y: T) -> T {
        T::zero()
    }

    #[inline(always)]
    fn scale<T: Real>(t: T, x: T, _y: T) -> T {
        if x > T::zero() { t } else { T::zero() }
    }
}

unary_op! {
    /// Elementwise rectified linear unit `max(x, 0)`. Its gradient is 1 for `x > 0` and 0
    /// otherwise, at 0 included (as in PyTorch).
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// assert_eq!(tensor![-2.0, 0.0, 3.0].relu(), tensor![0.0, 0.0, 3.0]);
    /// ```
    Relu: relu, relu_vjp, relu_jvp, relu_vjp_jvp, relu_vjp_pair = ReluRule
}

#[cfg(test)]
mod tests {
    use super::Relu;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp};
    use crate::tensor::Tensor;

    /// Every rule the op's `ElementwiseRule` gives, at points near its kinks and edges.
    #[test]
    fn rules_match_finite_differences() {
        crate::ops::testing::check_unary!(
            Relu: relu, relu_vjp, relu_jvp, relu_vjp_jvp, relu_vjp_pair;
            [-2.0, -1e-3, 1e-3, 5.0]
        );
    }

    #[test]
    fn vjp_matches_finite_differences() {
        let x = Tensor::<f64, 2, 2>::from_row_slice(&[0.3, -1.2, 2.0, -0.7]);
        check_vjp(
            Relu::relu,
            |x: Tensor<f64, 2, 2>, out, ct| x.relu_vjp(out, ct),
            x,
        );
        check_vjp(Relu::relu, |x: f64, out, ct| x.relu_vjp(out, ct), 0.5);
        check_vjp(Relu::relu, |x: f64, out, ct| x.relu_vjp(out, ct), -0.5);
    }

    #[test]
    fn jvp_matches_finite_differences_and_the_vjp() {
        type M = Tensor<f64, 2, 2>;
        let x = M::from_row_slice(&[0.3, -1.2, 2.0, -0.7]);
        let vjp = |x: M, out, ct| x.relu_vjp(out, ct);
        let jvp = |x: M, out, dx| x.relu_jvp(out, dx);
        check_jvp(Relu::relu, jvp, x);
        check_vjp_against_jvp(Relu::relu, vjp, jvp, x);
        let vjp = |x: f64, out, ct| x.relu_vjp(out, ct);
        let jvp = |x: f64, out, dx| x.relu_jvp(out, dx);
        check_jvp(Relu::relu, jvp, 0.5);
        check_vjp_against_jvp(Relu::relu, vjp, jvp, 0.5);
    }

    #[test]
    fn fixed_values() {
        assert_eq!(Relu::relu_vjp(0.0_f64, 0.0, 1.0), 0.0);
        assert_eq!(Relu::relu(-0.0_f64).to_bits(), 0.0_f64.to_bits());
        assert!(Relu::relu(f64::NAN).is_nan());
        assert_eq!(Relu::relu_jvp(0.0_f64, 0.0, 1.0), 0.0);
        assert_eq!(Relu::relu_jvp(-0.5_f64, 0.0, 1.0), 0.0);
        assert_eq!(Relu::relu_jvp(0.5_f64, 0.5, 2.0), 2.0);
    }

    #[test]
    fn vjp_jvp_matches_finite_differences_of_the_vjp() {
        use crate::ops::testing::check_vjp_jvp;
        type M = Tensor<f64, 2, 2>;
        let x = M::from_row_slice(&[0.3, -1.2, 2.0, 0.7]);
        check_vjp_jvp(
            |x: M| x.relu(),
            |x: M, out, dx| x.relu_jvp(out, dx),
            |x: M, out, ct| x.relu_vjp(out, ct),
            |x: M, out, ct, dx, dout, dct| x.relu_vjp_jvp(out, ct, dx, dout, dct),
            x,
        );
        let x = [0.3, -1.2, 2.0, 0.7][1];
        check_vjp_jvp(
            |x: f64| x.relu(),
            |x: f64, out, dx| x.relu_jvp(out, dx),
            |x: f64, out, ct| x.relu_vjp(out, ct),
            |x: f64, out, ct, dx, dout, dct| x.relu_vjp_jvp(out, ct, dx, dout, dct),
            x,
        );
    }
}
