//! Hyperbolic tangent, `y = tanh x`, elementwise.

use nalgebra::ComplexField;
use num_traits::One;

use super::Elementwise;
use crate::real::Real;
use crate::tensor::Tensor;

/// Elementwise hyperbolic tangent `y = tanh x`; VJP `ct_x = ct * (1 - y²)` and JVP
/// `dy = dx * (1 - y²)`, both reusing the output.
///
/// ```
/// use autodiff_core::ops::Tanh;
/// use autodiff_core::tensor;
///
/// let x = tensor![0.0, 100.0];
/// let y = x.tanh();
/// assert_eq!(y, tensor![0.0, 1.0]);
/// assert_eq!(x.tanh_vjp(y, tensor![2.0, 2.0]), tensor![2.0, 0.0]);
/// assert_eq!(x.tanh_jvp(y, tensor![2.0, 2.0]), tensor![2.0, 0.0]);
/// ```
pub trait Tanh: Sized {
    /// `y = tanh x`.
    fn tanh(self) -> Self;

    /// `ct_x = ct * (1 - y²)`.
    fn tanh_vjp(self, out: Self, ct: Self) -> Self;

    /// `dy = dx * (1 - y²)`.
    fn tanh_jvp(self, out: Self, dx: Self) -> Self;

    /// The tangent of the VJP (forward over reverse, see the module docs):
    /// `dct ⊙ (1 - y²) - 2 ct ⊙ y ⊙ dy`.
    fn tanh_vjp_jvp(self, out: Self, ct: Self, dx: Self, dout: Self, dct: Self) -> Self;

    /// The VJP and its tangent in one call, as `f_hvp` runs them: one method for rustc to
    /// resolve per op instead of two.
    #[inline(always)]
    fn tanh_vjp_pair(self, out: Self, ct: Self, dx: Self, dout: Self, dct: Self) -> (Self, Self)
    where
        Self: Copy,
    {
        (
            self.tanh_vjp(out, ct),
            self.tanh_vjp_jvp(out, ct, dx, dout, dct),
        )
    }
}

impl<X: Elementwise> Tanh for X {
    #[inline]
    fn tanh(self) -> Self {
        self.map_elems(ComplexField::tanh)
    }

    #[inline]
    fn tanh_vjp(self, out: Self, ct: Self) -> Self {
        ct.zip_map_elems(out, |ct, y| ct * (X::Elem::one() - y * y))
    }

    #[inline]
    fn tanh_jvp(self, out: Self, dx: Self) -> Self {
        dx.zip_map_elems(out, |dx, y| dx * (X::Elem::one() - y * y))
    }

    #[inline]
    #[allow(unused_variables)]
    fn tanh_vjp_jvp(self, out: Self, ct: Self, dx: Self, dout: Self, dct: Self) -> Self {
        super::second_order(
            self.tanh_vjp(out, dct),
            ct,
            dout.zip_map_elems(out, |dy, y| -(y + y) * dy),
        )
    }
}

impl<T: Real, const R: usize, const C: usize> Tensor<T, R, C> {
    /// Elementwise hyperbolic tangent; see [`Tanh`].
    #[inline]
    pub fn tanh(self) -> Self {
        Tanh::tanh(self)
    }
}

#[cfg(test)]
mod tests {
    use super::Tanh;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp};
    use crate::tensor::Tensor;

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
