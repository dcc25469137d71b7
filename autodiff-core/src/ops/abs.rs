//! Absolute value, `y = |x|`, elementwise.

use nalgebra::ComplexField;
use num_traits::Zero;

use super::Elementwise;
use crate::real::Real;
use crate::tensor::Tensor;

/// Elementwise absolute value `y = |x|`; VJP `ct_x = ct * sign(x)` and JVP
/// `dy = dx * sign(x)`, with `sign(0) = 0`, so the subgradient at `0` is `0`, as in PyTorch.
///
/// ```
/// use autodiff_core::ops::Abs;
/// use autodiff_core::tensor;
///
/// let x = tensor![-2.0, 0.0, 3.0];
/// let y = x.abs();
/// assert_eq!(y, tensor![2.0, 0.0, 3.0]);
/// assert_eq!(x.abs_vjp(y, tensor![1.0, 1.0, 1.0]), tensor![-1.0, 0.0, 1.0]);
/// assert_eq!(x.abs_jvp(y, tensor![1.0, 1.0, 1.0]), tensor![-1.0, 0.0, 1.0]);
/// ```
pub trait Abs: Sized {
    /// `y = |x|`.
    fn abs(self) -> Self;

    /// `ct_x = ct * sign(x)`.
    fn abs_vjp(self, out: Self, ct: Self) -> Self;

    /// `dy = dx * sign(x)`.
    fn abs_jvp(self, out: Self, dx: Self) -> Self;

    /// The tangent of the VJP (forward over reverse, see the module docs):
    /// `dct ⊙ sign(x)` (the slope is piecewise constant).
    fn abs_vjp_jvp(self, out: Self, ct: Self, dx: Self, dout: Self, dct: Self) -> Self;

    /// The VJP and its tangent in one call, as `f_hvp` runs them: one method for rustc to
    /// resolve per op instead of two.
    #[inline(always)]
    fn abs_vjp_pair(self, out: Self, ct: Self, dx: Self, dout: Self, dct: Self) -> (Self, Self)
    where
        Self: Copy,
    {
        (
            self.abs_vjp(out, ct),
            self.abs_vjp_jvp(out, ct, dx, dout, dct),
        )
    }
}

impl<X: Elementwise> Abs for X {
    #[inline]
    fn abs(self) -> Self {
        self.map_elems(ComplexField::abs)
    }

    #[inline]
    fn abs_vjp(self, _out: Self, ct: Self) -> Self {
        let zero = X::Elem::zero();
        ct.zip_map_elems(self, |ct, x| {
            if x > zero {
                ct
            } else if x < zero {
                -ct
            } else {
                zero
            }
        })
    }

    #[inline]
    fn abs_jvp(self, _out: Self, dx: Self) -> Self {
        let zero = X::Elem::zero();
        dx.zip_map_elems(self, |dx, x| {
            if x > zero {
                dx
            } else if x < zero {
                -dx
            } else {
                zero
            }
        })
    }

    #[inline]
    #[allow(unused_variables)]
    fn abs_vjp_jvp(self, out: Self, ct: Self, dx: Self, dout: Self, dct: Self) -> Self {
        self.abs_vjp(out, dct)
    }
}

impl<T: Real, const R: usize, const C: usize> Tensor<T, R, C> {
    /// Elementwise absolute value; see [`Abs`].
    #[inline]
    pub fn abs(self) -> Self {
        Abs::abs(self)
    }
}

#[cfg(test)]
mod tests {
    use super::Abs;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp};
    use crate::tensor::Tensor;

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
