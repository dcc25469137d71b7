//! Square root, `y = √x`, elementwise.

use nalgebra::ComplexField;

use super::Elementwise;
use crate::real::Real;
use crate::tensor::Tensor;

/// Elementwise square root `y = √x`; VJP `ct_x = ct / (2y)`, reusing the output (infinite
/// at `x = 0`, as in PyTorch).
///
/// ```
/// use autodiff_core::ops::Sqrt;
/// use autodiff_core::tensor;
///
/// let x = tensor![4.0, 9.0];
/// let y = x.sqrt();
/// assert_eq!(y, tensor![2.0, 3.0]);
/// assert_eq!(x.sqrt_vjp(y, tensor![1.0, 6.0]), tensor![0.25, 1.0]);
/// ```
pub trait Sqrt: Sized {
    /// `y = √x`.
    fn sqrt(self) -> Self;

    /// `ct_x = ct / (2y)`.
    fn sqrt_vjp(self, out: Self, ct: Self) -> Self;
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
    use crate::ops::testing::check_vjp;
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
    fn fixed_values() {
        assert_eq!(Sqrt::sqrt(16.0_f64), 4.0);
        assert_eq!(Sqrt::sqrt_vjp(16.0_f64, 4.0, 1.0), 0.125);
        assert_eq!(Sqrt::sqrt_vjp(0.0_f64, 0.0, 1.0), f64::INFINITY);
    }
}
