//! Hyperbolic tangent, `y = tanh x`, elementwise.

use super::elementwise::{ElementwiseRule, unary_op};
use crate::real::Real;

/// `y = tanh x`, from the output: `y' = 1 - y²`, `y'' = -2y (1 - y²)`.
#[doc(hidden)]
pub struct TanhRule;

impl ElementwiseRule for TanhRule {
    #[inline(always)]
    fn value<T: Real>(x: T) -> T {
        x.tanh()
    }

    #[inline(always)]
    fn d1<T: Real>(_x: T, y: T) -> T {
        T::one() - y * y
    }

    #[inline(always)]
    fn d2<T: Real>(_x: T, y: T) -> T {
        -(y + y) * (T::one() - y * y)
    }
}

unary_op! {
    /// Elementwise hyperbolic tangent. The gradient reads the output: `1 - tanh²x`.
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// assert_eq!(tensor![0.0, 1.0].tanh(), tensor![0.0, 1.0_f64.tanh()]);
    /// ```
    Tanh: tanh, tanh_vjp, tanh_jvp, tanh_vjp_jvp, tanh_vjp_pair = TanhRule
}

#[cfg(test)]
mod tests {
    use super::Tanh;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp};
    use crate::tensor::Tensor;

    /// Every rule the op's `ElementwiseRule` gives, at points near its kinks and edges.
    #[test]
    fn rules_match_finite_differences() {
        crate::ops::testing::check_unary!(
            Tanh: tanh, tanh_vjp, tanh_jvp, tanh_vjp_jvp, tanh_vjp_pair;
            [-5.0, -0.5, 0.0, 0.4, 3.0];
            std = f64::tanh
        );
    }

    #[test]
    fn vjp_matches_finite_differences() {
        let x = Tensor::<f64, 2, 2>::from_row_slice(&[0.3, -1.2, 2.0, 0.7]);
        check_vjp(
            Tanh::tanh,
            |x: Tensor<f64, 2, 2>, out, ct| x.tanh_vjp(out, ct),
            x,
        );
        check_vjp(Tanh::tanh, |x: f64, out, ct| x.tanh_vjp(out, ct), -0.5);
    }

    #[test]
    fn jvp_matches_finite_differences_and_the_vjp() {
        type M = Tensor<f64, 2, 2>;
        let x = M::from_row_slice(&[0.3, -1.2, 2.0, 0.7]);
        let vjp = |x: M, out, ct| x.tanh_vjp(out, ct);
        let jvp = |x: M, out, dx| x.tanh_jvp(out, dx);
        check_jvp(Tanh::tanh, jvp, x);
        check_vjp_against_jvp(Tanh::tanh, vjp, jvp, x);
        let vjp = |x: f64, out, ct| x.tanh_vjp(out, ct);
        let jvp = |x: f64, out, dx| x.tanh_jvp(out, dx);
        check_jvp(Tanh::tanh, jvp, -0.5);
        check_vjp_against_jvp(Tanh::tanh, vjp, jvp, -0.5);
    }

    #[test]
    fn fixed_values() {
        assert_eq!(Tanh::tanh(0.0_f64), 0.0);
        assert_eq!(Tanh::tanh_vjp(0.0_f64, 0.0, 3.0), 3.0);
        assert_eq!(Tanh::tanh(-1000.0_f64), -1.0);
        assert_eq!(Tanh::tanh_jvp(0.0_f64, 0.0, 3.0), 3.0);
    }

    #[test]
    fn vjp_jvp_matches_finite_differences_of_the_vjp() {
        use crate::ops::testing::check_vjp_jvp;
        type M = Tensor<f64, 2, 2>;
        let x = M::from_row_slice(&[0.3, -1.2, 2.0, 0.7]);
        check_vjp_jvp(
            |x: M| x.tanh(),
            |x: M, out, dx| x.tanh_jvp(out, dx),
            |x: M, out, ct| x.tanh_vjp(out, ct),
            |x: M, out, ct, dx, dout, dct| x.tanh_vjp_jvp(out, ct, dx, dout, dct),
            x,
        );
        let x = [0.3, -1.2, 2.0, 0.7][1];
        check_vjp_jvp(
            |x: f64| x.tanh(),
            |x: f64, out, dx| x.tanh_jvp(out, dx),
            |x: f64, out, ct| x.tanh_vjp(out, ct),
            |x: f64, out, ct, dx, dout, dct| x.tanh_vjp_jvp(out, ct, dx, dout, dct),
            x,
        );
    }
}
