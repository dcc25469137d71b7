//! Square root, `y = √x`, elementwise.

use nalgebra::ComplexField;

use super::Elementwise;
use crate::real::Real;
use crate::tensor::Tensor;

/// Elementwise square root `y = √x`; VJP `ct_x = ct / (2y)` and JVP `dy = dx / (2y)`,
/// both reusing the output (infinite at `x = 0`, as in PyTorch).
///
/// ```
/// use autodiff_core::ops::Sqrt;
/// use autodiff_core::tensor;
///
/// let x = tensor![4.0, 9.0];
/// let y = x.sqrt();
/// assert_eq!(y, tensor![2.0, 3.0]);
/// assert_eq!(x.sqrt_vjp(y, tensor![1.0, 6.0]), tensor![0.25, 1.0]);
/// assert_eq!(x.sqrt_jvp(y, tensor![1.0, 6.0]), tensor![0.25, 1.0]);
/// ```
pub trait Sqrt: Sized {
    /// `y = √x`.
    fn sqrt(self) -> Self;

    /// `ct_x = ct / (2y)`.
    fn sqrt_vjp(self, out: Self, ct: Self) -> Self;

    /// `dy = dx / (2y)`.
    fn sqrt_jvp(self, out: Self, dx: Self) -> Self;

    /// The tangent of the VJP (forward over reverse, see the module docs):
    /// `dct / 2y - ct ⊙ dy / 2y²`.
    fn sqrt_vjp_jvp(self, out: Self, ct: Self, dx: Self, dout: Self, dct: Self) -> Self;

    /// The VJP and its tangent in one call, as `f_hvp` runs them: one method for rustc to
    /// resolve per op instead of two.
    #[inline(always)]
    fn sqrt_vjp_pair(self, out: Self, ct: Self, dx: Self, dout: Self, dct: Self) -> (Self, Self)
    where
        Self: Copy,
    {
        (
            self.sqrt_vjp(out, ct),
            self.sqrt_vjp_jvp(out, ct, dx, dout, dct),
        )
    }
}

impl<X: Elementwise> Sqrt for X {
    #[inline]
    fn sqrt(self) -> Self {
        self.map_elems(ComplexField::sqrt)
    }

    #[inline]
    fn sqrt_vjp(self, out: Self, ct: Self) -> Self {
        ct.zip_map_elems(out, |ct, y| ct / (y + y))
    }

    #[inline]
    fn sqrt_jvp(self, out: Self, dx: Self) -> Self {
        dx.zip_map_elems(out, |dx, y| dx / (y + y))
    }

    #[inline]
    #[allow(unused_variables)]
    fn sqrt_vjp_jvp(self, out: Self, ct: Self, dx: Self, dout: Self, dct: Self) -> Self {
        super::second_order(
            self.sqrt_vjp(out, dct),
            ct,
            dout.zip_map_elems(out, |dy, y| -dy / (y * y + y * y)),
        )
    }
}

impl<T: Real, const R: usize, const C: usize> Tensor<T, R, C> {
    /// Elementwise square root; see [`Sqrt`].
    #[inline]
    pub fn sqrt(self) -> Self {
        Sqrt::sqrt(self)
    }
}

#[cfg(test)]
mod tests {
    use super::Sqrt;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp};
    use crate::tensor::Tensor;

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
