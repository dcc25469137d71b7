//! Sine, `y = sin x`, elementwise.

use nalgebra::ComplexField;

use super::Elementwise;
use crate::real::Real;
use crate::tensor::Tensor;

/// Elementwise sine `y = sin x`; VJP `ct_x = ct * cos x`, JVP `dy = dx * cos x`.
///
/// ```
/// use autodiff_core::ops::Sin;
/// use autodiff_core::tensor;
///
/// let x = tensor![0.0, std::f64::consts::PI];
/// let y = x.sin();
/// assert!((y[1]).abs() < 1e-15);
/// assert_eq!(x.sin_vjp(y, tensor![2.0, 1.0]), tensor![2.0, -1.0]);
/// assert_eq!(x.sin_jvp(y, tensor![2.0, 1.0]), tensor![2.0, -1.0]);
/// ```
pub trait Sin: Sized {
    /// `y = sin x`.
    fn sin(self) -> Self;

    /// `ct_x = ct * cos x`.
    fn sin_vjp(self, out: Self, ct: Self) -> Self;

    /// `ct_x = ct * cos x` from `cos x`, computed beside it: `#[differentiable]` calls this where
    /// the body takes both `x.sin()` and `x.cos()` (a rotation), so the reverse sweep
    /// reads the cos instead of computing it again. Equal to `sin_vjp`, bit for bit.
    fn sin_vjp_with_cos(cos: Self, ct: Self) -> Self;

    /// `dy = dx * cos x`.
    fn sin_jvp(self, out: Self, dx: Self) -> Self;

    /// The tangent of the VJP (forward over reverse, see the module docs):
    /// `dct ⊙ cos x - ct ⊙ sin x ⊙ dx`.
    fn sin_vjp_jvp(self, out: Self, ct: Self, dx: Self, dout: Self, dct: Self) -> Self;

    /// The VJP and its tangent in one call, as `f_hvp` runs them: one method for rustc to
    /// resolve per op instead of two.
    #[inline(always)]
    fn sin_vjp_pair(self, out: Self, ct: Self, dx: Self, dout: Self, dct: Self) -> (Self, Self)
    where
        Self: Copy,
    {
        (
            self.sin_vjp(out, ct),
            self.sin_vjp_jvp(out, ct, dx, dout, dct),
        )
    }
}

impl<X: Elementwise> Sin for X {
    #[inline]
    fn sin(self) -> Self {
        self.map_elems(ComplexField::sin)
    }

    #[inline]
    fn sin_vjp(self, _out: Self, ct: Self) -> Self {
        ct.zip_map_elems(self, |ct, x| ct * ComplexField::cos(x))
    }

    #[inline]
    fn sin_vjp_with_cos(cos: Self, ct: Self) -> Self {
        ct.zip_map_elems(cos, |ct, c| ct * c)
    }

    #[inline]
    fn sin_jvp(self, _out: Self, dx: Self) -> Self {
        dx.zip_map_elems(self, |dx, x| dx * ComplexField::cos(x))
    }

    #[inline]
    #[allow(unused_variables)]
    fn sin_vjp_jvp(self, out: Self, ct: Self, dx: Self, dout: Self, dct: Self) -> Self {
        super::second_order(
            self.sin_vjp(out, dct),
            ct,
            dx.zip_map_elems(out, |dx, y| -y * dx),
        )
    }
}

impl<T: Real, const R: usize, const C: usize> Tensor<T, R, C> {
    /// Elementwise sine; see [`Sin`].
    #[inline]
    pub fn sin(self) -> Self {
        Sin::sin(self)
    }
}

#[cfg(test)]
mod tests {
    use super::Sin;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp};
    use crate::tensor::Tensor;

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
