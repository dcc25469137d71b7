//! Cosine, `y = cos x`, elementwise.

use super::elementwise::{ElementwiseRule, unary_op};
use crate::real::Real;

/// `y = cos x`: `y' = -sin x`, `y'' = -cos x = -y`.
#[doc(hidden)]
pub struct CosRule;

impl ElementwiseRule for CosRule {
    #[inline(always)]
    fn value<T: Real>(x: T) -> T {
        x.cos()
    }

    #[inline(always)]
    fn d1<T: Real>(x: T, _y: T) -> T {
        -x.sin()
    }

    #[inline(always)]
    fn d2<T: Real>(_x: T, y: T) -> T {
        -y
    }
}

unary_op! {
    /// Elementwise cosine.
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// assert_eq!(tensor![0.0, std::f64::consts::PI].cos(), tensor![1.0, -1.0]);
    /// ```
    Cos: cos, cos_vjp, cos_jvp, cos_vjp_jvp, cos_vjp_pair = CosRule {
        /// `-ct ⊙ sin x` from `sin x`, computed beside it (see `Sin::sin_vjp_with_cos`).
        /// Equal to `cos_vjp`, bit for bit.
        fn cos_vjp_with_sin(sin: Self, ct: Self) -> Self
        where
            Self: super::Elementwise,
        {
            ct.zip_map_elems(sin, |ct, s| -ct * s)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Cos;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp};
    use crate::tensor::Tensor;

    /// Every rule the op's `ElementwiseRule` gives, at points near its kinks and edges.
    #[test]
    fn rules_match_finite_differences() {
        crate::ops::testing::check_unary!(
            Cos: cos, cos_vjp, cos_jvp, cos_vjp_jvp, cos_vjp_pair;
            [-3.0, -0.5, 0.0, 1.5, 10.0];
            std = f64::cos
        );
    }

    #[test]
    fn vjp_matches_finite_differences() {
        let x = Tensor::<f64, 2, 2>::from_row_slice(&[0.3, -1.2, 2.0, 0.7]);
        check_vjp(
            Cos::cos,
            |x: Tensor<f64, 2, 2>, out, ct| x.cos_vjp(out, ct),
            x,
        );
        check_vjp(Cos::cos, |x: f64, out, ct| x.cos_vjp(out, ct), 2.5);
    }

    #[test]
    fn jvp_matches_finite_differences_and_the_vjp() {
        type M = Tensor<f64, 2, 2>;
        let x = M::from_row_slice(&[0.3, -1.2, 2.0, 0.7]);
        let vjp = |x: M, out, ct| x.cos_vjp(out, ct);
        let jvp = |x: M, out, dx| x.cos_jvp(out, dx);
        check_jvp(Cos::cos, jvp, x);
        check_vjp_against_jvp(Cos::cos, vjp, jvp, x);
        let vjp = |x: f64, out, ct| x.cos_vjp(out, ct);
        let jvp = |x: f64, out, dx| x.cos_jvp(out, dx);
        check_jvp(Cos::cos, jvp, 2.5);
        check_vjp_against_jvp(Cos::cos, vjp, jvp, 2.5);
    }

    #[test]
    fn vjp_from_the_partner_is_the_vjp() {
        let x = Tensor::<f64, 2, 2>::from_row_slice(&[0.3, -1.2, 2.0, 0.7]);
        let ct = Tensor::<f64, 2, 2>::from_row_slice(&[1.5, -0.5, 0.25, 2.0]);
        let y = Cos::cos(x);
        assert_eq!(Cos::cos_vjp_with_sin(x.sin(), ct), x.cos_vjp(y, ct));
        assert_eq!(
            Cos::cos_vjp_with_sin(2.5_f64.sin(), 3.0),
            2.5_f64.cos_vjp(2.5_f64.cos(), 3.0)
        );
        check_vjp(
            Cos::cos,
            |x: Tensor<f64, 2, 2>, _out, ct| Cos::cos_vjp_with_sin(x.sin(), ct),
            x,
        );
    }

    #[test]
    fn fixed_values() {
        assert_eq!(Cos::cos(0.0_f64), 1.0);
        assert_eq!(Cos::cos_vjp(0.0_f64, 1.0, 3.0), 0.0);
        assert_eq!(Cos::cos_jvp(0.0_f64, 1.0, 3.0), 0.0);
    }

    #[test]
    fn vjp_jvp_matches_finite_differences_of_the_vjp() {
        use crate::ops::testing::check_vjp_jvp;
        type M = Tensor<f64, 2, 2>;
        let x = M::from_row_slice(&[0.3, -1.2, 2.0, 0.7]);
        check_vjp_jvp(
            |x: M| x.cos(),
            |x: M, out, dx| x.cos_jvp(out, dx),
            |x: M, out, ct| x.cos_vjp(out, ct),
            |x: M, out, ct, dx, dout, dct| x.cos_vjp_jvp(out, ct, dx, dout, dct),
            x,
        );
        let x = [0.3, -1.2, 2.0, 0.7][1];
        check_vjp_jvp(
            |x: f64| x.cos(),
            |x: f64, out, dx| x.cos_jvp(out, dx),
            |x: f64, out, ct| x.cos_vjp(out, ct),
            |x: f64, out, ct, dx, dout, dct| x.cos_vjp_jvp(out, ct, dx, dout, dct),
            x,
        );
    }
}
