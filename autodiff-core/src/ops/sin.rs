//! Sine, `y = sin x`, elementwise.

use super::elementwise::{ElementwiseRule, unary_op};
use crate::real::Real;

/// `y = sin x`: `y' = cos x`, `y'' = -sin x = -y`.
#[doc(hidden)]
pub struct SinRule;

impl ElementwiseRule for SinRule {
    #[inline(always)]
    fn value<T: Real>(x: T) -> T {
        x.sin()
    }

    #[inline(always)]
    fn d1<T: Real>(x: T, _y: T) -> T {
        x.cos()
    }

    #[inline(always)]
    fn d2<T: Real>(_x: T, y: T) -> T {
        -y
    }
}

unary_op! {
    /// Elementwise sine.
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// let y = tensor![0.0, std::f64::consts::FRAC_PI_2].sin();
    /// assert_eq!(y, tensor![0.0, 1.0]);
    /// ```
    Sin: sin, sin_vjp, sin_jvp, sin_vjp_jvp, sin_vjp_pair = SinRule {
        /// `ct ⊙ cos x` from `cos x`, computed beside it: `#[differentiable]` calls this where
        /// the body takes both `x.sin()` and `x.cos()` (a rotation), so the reverse sweep
        /// reads the cos instead of computing it again. Equal to `sin_vjp`, bit for bit.
        fn sin_vjp_with_cos(cos: Self, ct: Self) -> Self
        where
            Self: super::Elementwise,
        {
            ct.zip_map_elems(cos, |ct, c| ct * c)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Sin;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp};
    use crate::tensor::Tensor;

    /// Every rule the op's `ElementwiseRule` gives, at points near its kinks and edges.
    #[test]
    fn rules_match_finite_differences() {
        crate::ops::testing::check_unary!(
            Sin: sin, sin_vjp, sin_jvp, sin_vjp_jvp, sin_vjp_pair;
            [-3.0, -0.5, 0.0, 1.5, 10.0];
            std = f64::sin
        );
    }

    #[test]
    fn vjp_matches_finite_differences() {
        let x = Tensor::<f64, 2, 2>::from_row_slice(&[0.3, -1.2, 2.0, 0.7]);
        check_vjp(
            Sin::sin,
            |x: Tensor<f64, 2, 2>, out, ct| x.sin_vjp(out, ct),
            x,
        );
        check_vjp(Sin::sin, |x: f64, out, ct| x.sin_vjp(out, ct), 2.5);
    }

    #[test]
    fn jvp_matches_finite_differences_and_the_vjp() {
        type M = Tensor<f64, 2, 2>;
        let x = M::from_row_slice(&[0.3, -1.2, 2.0, 0.7]);
        let vjp = |x: M, out, ct| x.sin_vjp(out, ct);
        let jvp = |x: M, out, dx| x.sin_jvp(out, dx);
        check_jvp(Sin::sin, jvp, x);
        check_vjp_against_jvp(Sin::sin, vjp, jvp, x);
        let vjp = |x: f64, out, ct| x.sin_vjp(out, ct);
        let jvp = |x: f64, out, dx| x.sin_jvp(out, dx);
        check_jvp(Sin::sin, jvp, 2.5);
        check_vjp_against_jvp(Sin::sin, vjp, jvp, 2.5);
    }

    #[test]
    fn vjp_from_the_partner_is_the_vjp() {
        let x = Tensor::<f64, 2, 2>::from_row_slice(&[0.3, -1.2, 2.0, 0.7]);
        let ct = Tensor::<f64, 2, 2>::from_row_slice(&[1.5, -0.5, 0.25, 2.0]);
        let y = Sin::sin(x);
        assert_eq!(Sin::sin_vjp_with_cos(x.cos(), ct), x.sin_vjp(y, ct));
        assert_eq!(
            Sin::sin_vjp_with_cos(2.5_f64.cos(), 3.0),
            2.5_f64.sin_vjp(2.5_f64.sin(), 3.0)
        );
        check_vjp(
            Sin::sin,
            |x: Tensor<f64, 2, 2>, _out, ct| Sin::sin_vjp_with_cos(x.cos(), ct),
            x,
        );
    }

    #[test]
    fn fixed_values() {
        assert_eq!(Sin::sin(0.0_f64), 0.0);
        assert_eq!(Sin::sin_vjp(0.0_f64, 0.0, 3.0), 3.0);
        assert_eq!(Sin::sin_jvp(0.0_f64, 0.0, 3.0), 3.0);
    }

    #[test]
    fn vjp_jvp_matches_finite_differences_of_the_vjp() {
        use crate::ops::testing::check_vjp_jvp;
        type M = Tensor<f64, 2, 2>;
        let x = M::from_row_slice(&[0.3, -1.2, 2.0, 0.7]);
        check_vjp_jvp(
            |x: M| x.sin(),
            |x: M, out, dx| x.sin_jvp(out, dx),
            |x: M, out, ct| x.sin_vjp(out, ct),
            |x: M, out, ct, dx, dout, dct| x.sin_vjp_jvp(out, ct, dx, dout, dct),
            x,
        );
        let x = [0.3, -1.2, 2.0, 0.7][1];
        check_vjp_jvp(
            |x: f64| x.sin(),
            |x: f64, out, dx| x.sin_jvp(out, dx),
            |x: f64, out, ct| x.sin_vjp(out, ct),
            |x: f64, out, ct, dx, dout, dct| x.sin_vjp_jvp(out, ct, dx, dout, dct),
            x,
        );
    }
}
