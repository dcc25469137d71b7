//! Absolute value, `y = |x|`, elementwise.

use super::elementwise::{ElementwiseRule, unary_op};
use crate::real::Real;

/// `y = |x|`: slope `sign(x)` with `sign(0) = 0` (PyTorch's subgradient), no curvature.
#[doc(hidden)]
pub struct AbsRule;

impl ElementwiseRule for AbsRule {
    const CURVED: bool = false;

    #[inline(always)]
    fn value<T: Real>(x: T) -> T {
        x.abs()
    }

    #[inline(always)]
    fn d1<T: Real>(x: T, _y: T) -> T {
        if x > T::zero() {
            T::one()
        } else if x < T::zero() {
            -T::one()
        } else {
            T::zero()
        }
    }

    #[inline(always)]
    fn d2<T: Real>(_x: T, _y: T) -> T {
        T::zero()
    }

    #[inline(always)]
    fn scale<T: Real>(t: T, x: T, _y: T) -> T {
        if x > T::zero() {
            t
        } else if x < T::zero() {
            -t
        } else {
            T::zero()
        }
    }
}

unary_op! {
    /// Elementwise absolute value. Its gradient is `sign(x)`, and 0 at 0 (as in PyTorch).
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// assert_eq!(tensor![-2.0, 0.0, 3.0].abs(), tensor![2.0, 0.0, 3.0]);
    /// ```
    Abs: abs, abs_vjp, abs_jvp, abs_vjp_jvp, abs_vjp_pair = AbsRule
}

#[cfg(test)]
mod tests {
    use super::Abs;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp};
    use crate::tensor::Tensor;

    /// Every rule the op's `ElementwiseRule` gives, at points near its kinks and edges.
    #[test]
    fn rules_match_finite_differences() {
        crate::ops::testing::check_unary!(
            Abs: abs, abs_vjp, abs_jvp, abs_vjp_jvp, abs_vjp_pair;
            [-2.0, -1e-3, 1e-3, 5.0];
            std = f64::abs
        );
    }

    #[test]
    fn vjp_matches_finite_differences() {
        let x = Tensor::<f64, 2, 2>::from_row_slice(&[0.3, -1.2, 2.0, -0.7]);
        check_vjp(
            Abs::abs,
            |x: Tensor<f64, 2, 2>, out, ct| x.abs_vjp(out, ct),
            x,
        );
        check_vjp(Abs::abs, |x: f64, out, ct| x.abs_vjp(out, ct), -0.5);
    }

    #[test]
    fn jvp_matches_finite_differences_and_the_vjp() {
        type M = Tensor<f64, 2, 2>;
        let x = M::from_row_slice(&[0.3, -1.2, 2.0, -0.7]);
        let vjp = |x: M, out, ct| x.abs_vjp(out, ct);
        let jvp = |x: M, out, dx| x.abs_jvp(out, dx);
        check_jvp(Abs::abs, jvp, x);
        check_vjp_against_jvp(Abs::abs, vjp, jvp, x);
        let vjp = |x: f64, out, ct| x.abs_vjp(out, ct);
        let jvp = |x: f64, out, dx| x.abs_jvp(out, dx);
        check_jvp(Abs::abs, jvp, -0.5);
        check_vjp_against_jvp(Abs::abs, vjp, jvp, -0.5);
    }

    #[test]
    fn fixed_values() {
        assert_eq!(Abs::abs_vjp(0.0_f64, 0.0, 1.0), 0.0);
        assert_eq!(Abs::abs_vjp(-0.0_f64, 0.0, 1.0), 0.0);
        assert_eq!(Abs::abs(-3.0_f32), 3.0);
        assert_eq!(Abs::abs_jvp(0.0_f64, 0.0, 1.0), 0.0);
        assert_eq!(Abs::abs_jvp(-0.0_f64, 0.0, 1.0), 0.0);
        assert_eq!(Abs::abs_jvp(-2.0_f64, 2.0, 3.0), -3.0);
    }

    #[test]
    fn vjp_jvp_matches_finite_differences_of_the_vjp() {
        use crate::ops::testing::check_vjp_jvp;
        type M = Tensor<f64, 2, 2>;
        let x = M::from_row_slice(&[0.3, -1.2, 2.0, 0.7]);
        check_vjp_jvp(
            |x: M| x.abs(),
            |x: M, out, dx| x.abs_jvp(out, dx),
            |x: M, out, ct| x.abs_vjp(out, ct),
            |x: M, out, ct, dx, dout, dct| x.abs_vjp_jvp(out, ct, dx, dout, dct),
            x,
        );
        let x = [0.3, -1.2, 2.0, 0.7][1];
        check_vjp_jvp(
            |x: f64| x.abs(),
            |x: f64, out, dx| x.abs_jvp(out, dx),
            |x: f64, out, ct| x.abs_vjp(out, ct),
            |x: f64, out, ct, dx, dout, dct| x.abs_vjp_jvp(out, ct, dx, dout, dct),
            x,
        );
    }
}
