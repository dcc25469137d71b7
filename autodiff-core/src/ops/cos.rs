//! Cosine, `y = cos x`, elementwise.

use nalgebra::ComplexField;

use super::Elementwise;
use crate::real::Real;
use crate::tensor::Tensor;

/// Elementwise cosine `y = cos x`; VJP `ct_x = -ct * sin x`, JVP `dy = -dx * sin x`.
///
/// ```
/// use autodiff_core::ops::Cos;
/// use autodiff_core::tensor;
///
/// let x = tensor![0.0, std::f64::consts::FRAC_PI_2];
/// let y = x.cos();
/// assert_eq!(y[0], 1.0);
/// assert_eq!(x.cos_vjp(y, tensor![2.0, 3.0]), tensor![0.0, -3.0]);
/// assert_eq!(x.cos_jvp(y, tensor![2.0, 3.0]), tensor![0.0, -3.0]);
/// ```
pub trait Cos: Sized {
    /// `y = cos x`.
    fn cos(self) -> Self;

    /// `ct_x = -ct * sin x`.
    fn cos_vjp(self, out: Self, ct: Self) -> Self;

    /// `ct_x = -ct * sin x` from `sin x`, computed beside it: `#[differentiable]` calls this where
    /// the body takes both `x.sin()` and `x.cos()` (a rotation), so the reverse sweep
    /// reads the sin instead of computing it again. Equal to `cos_vjp`, bit for bit.
    fn cos_vjp_with_sin(sin: Self, ct: Self) -> Self;

    /// `dy = -dx * sin x`.
    fn cos_jvp(self, out: Self, dx: Self) -> Self;

    /// The tangent of the VJP (forward over reverse, see the module docs):
    /// `-dct ⊙ sin x - ct ⊙ cos x ⊙ dx`.
    fn cos_vjp_jvp(self, out: Self, ct: Self, dx: Self, dout: Self, dct: Self) -> Self;

    /// The VJP and its tangent in one call, as `f_hvp` runs them: one method for rustc to
    /// resolve per op instead of two.
    #[inline(always)]
    fn cos_vjp_pair(self, out: Self, ct: Self, dx: Self, dout: Self, dct: Self) -> (Self, Self)
    where
        Self: Copy,
    {
        (
            self.cos_vjp(out, ct),
            self.cos_vjp_jvp(out, ct, dx, dout, dct),
        )
    }
}

impl<X: Elementwise> Cos for X {
    #[inline]
    fn cos(self) -> Self {
        self.map_elems(ComplexField::cos)
    }

    #[inline]
    fn cos_vjp(self, _out: Self, ct: Self) -> Self {
        ct.zip_map_elems(self, |ct, x| -ct * ComplexField::sin(x))
    }

    #[inline]
    fn cos_vjp_with_sin(sin: Self, ct: Self) -> Self {
        ct.zip_map_elems(sin, |ct, c| -ct * c)
    }

    #[inline]
    fn cos_jvp(self, _out: Self, dx: Self) -> Self {
        dx.zip_map_elems(self, |dx, x| -dx * ComplexField::sin(x))
    }

    #[inline]
    #[allow(unused_variables)]
    fn cos_vjp_jvp(self, out: Self, ct: Self, dx: Self, dout: Self, dct: Self) -> Self {
        super::second_order(
            self.cos_vjp(out, dct),
            ct,
            dx.zip_map_elems(out, |dx, y| -y * dx),
        )
    }
}

impl<T: Real, const R: usize, const C: usize> Tensor<T, R, C> {
    /// Elementwise cosine; see [`Cos`].
    #[inline]
    pub fn cos(self) -> Self {
        Cos::cos(self)
    }
}

#[cfg(test)]
mod tests {
    use super::Cos;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp};
    use crate::tensor::Tensor;

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
