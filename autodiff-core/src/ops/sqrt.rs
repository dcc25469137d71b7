//! Square root, `y = √x`, elementwise.

use super::elementwise::{ElementwiseRule, unary_op};
use crate::real::Real;

/// `y = √x`, from the output: `y' = 1/(2y)` (applied as one division), `y'' = -1/(4y³)`.
#[doc(hidden)]
pub struct SqrtRule;

impl ElementwiseRule for SqrtRule {
    #[inline(always)]
    fn value<T: Real>(x: T) -> T {
        x.sqrt()
    }

    #[inline(always)]
    fn d1<T: Real>(_x: T, y: T) -> T {
        T::one() / (y + y)
    }

    #[inline(always)]
    fn d2<T: Real>(_x: T, y: T) -> T {
        -T::one() / ((y * y + y * y) * (y + y))
    }

    #[inline(always)]
    fn scale<T: Real>(t: T, _x: T, y: T) -> T {
        t / (y + y)
    }
}

unary_op! {
    /// Elementwise square root. The gradient reads the output: `1/(2√x)`, infinite at 0,
    /// as in PyTorch.
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// assert_eq!(tensor![4.0, 9.0].sqrt(), tensor![2.0, 3.0]);
    /// ```
    Sqrt: sqrt, sqrt_vjp, sqrt_jvp, sqrt_vjp_jvp, sqrt_vjp_pair = SqrtRule
}

#[cfg(test)]
mod tests {
    use super::Sqrt;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp};
    use crate::tensor::Tensor;

    /// Every rule the op's `ElementwiseRule` gives, at points near its kinks and edges.
    #[test]
    fn rules_match_finite_differences() {
        crate::ops::testing::check_unary!(
            Sqrt: sqrt, sqrt_vjp, sqrt_jvp, sqrt_vjp_jvp, sqrt_vjp_pair;
            [0.01, 0.5, 1.0, 4.0, 100.0];
            std = f64::sqrt
        );
    }

    #[test]
    fn vjp_matches_finite_differences() {
        let x = Tensor::<f64, 2, 2>::from_row_slice(&[0.3, 1.2, 2.0, 0.7]);
        check_vjp(
            Sqrt::sqrt,
            |x: Tensor<f64, 2, 2>, out, ct| x.sqrt_vjp(out, ct),
            x,
        );
        check_vjp(Sqrt::sqrt, |x: f64, out, ct| x.sqrt_vjp(out, ct), 2.5);
    }

    #[test]
    fn jvp_matches_finite_differences_and_the_vjp() {
        type M = Tensor<f64, 2, 2>;
        let x = M::from_row_slice(&[0.3, 1.2, 2.0, 0.7]);
        let vjp = |x: M, out, ct| x.sqrt_vjp(out, ct);
        let jvp = |x: M, out, dx| x.sqrt_jvp(out, dx);
        check_jvp(Sqrt::sqrt, jvp, x);
        check_vjp_against_jvp(Sqrt::sqrt, vjp, jvp, x);
        let vjp = |x: f64, out, ct| x.sqrt_vjp(out, ct);
        let jvp = |x: f64, out, dx| x.sqrt_jvp(out, dx);
        check_jvp(Sqrt::sqrt, jvp, 2.5);
        check_vjp_against_jvp(Sqrt::sqrt, vjp, jvp, 2.5);
    }

    #[test]
    fn fixed_values() {
        assert_eq!(Sqrt::sqrt(16.0_f64), 4.0);
        assert_eq!(Sqrt::sqrt_vjp(16.0_f64, 4.0, 1.0), 0.125);
        assert_eq!(Sqrt::sqrt_vjp(0.0_f64, 0.0, 1.0), f64::INFINITY);
        assert_eq!(Sqrt::sqrt_jvp(16.0_f64, 4.0, 1.0), 0.125);
        assert_eq!(Sqrt::sqrt_jvp(0.0_f64, 0.0, 1.0), f64::INFINITY);
    }

    #[test]
    fn vjp_jvp_matches_finite_differences_of_the_vjp() {
        use crate::ops::testing::check_vjp_jvp;
        type M = Tensor<f64, 2, 2>;
        let x = M::from_row_slice(&[0.3, 1.2, 2.0, 0.7]);
        check_vjp_jvp(
            |x: M| x.sqrt(),
            |x: M, out, dx| x.sqrt_jvp(out, dx),
            |x: M, out, ct| x.sqrt_vjp(out, ct),
            |x: M, out, ct, dx, dout, dct| x.sqrt_vjp_jvp(out, ct, dx, dout, dct),
            x,
        );
        let x = [0.3, 1.2, 2.0, 0.7][1];
        check_vjp_jvp(
            |x: f64| x.sqrt(),
            |x: f64, out, dx| x.sqrt_jvp(out, dx),
            |x: f64, out, ct| x.sqrt_vjp(out, ct),
            |x: f64, out, ct, dx, dout, dct| x.sqrt_vjp_jvp(out, ct, dx, dout, dct),
            x,
        );
    }
}
