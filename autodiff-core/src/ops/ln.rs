//! Natural logarithm, `y = ln(x)`, elementwise.

use nalgebra::ComplexField;

use super::Elementwise;
use crate::real::Real;
use crate::tensor::Tensor;

/// Elementwise natural logarithm `y = ln x`; VJP `ct_x = ct / x`.
///
/// ```
/// use autodiff_core::ops::Ln;
/// use autodiff_core::tensor;
///
/// let x = tensor![1.0, 4.0];
/// let y = x.ln();
/// assert_eq!(y, tensor![0.0, 4.0_f64.ln()]);
/// assert_eq!(x.ln_vjp(y, tensor![1.0, 2.0]), tensor![1.0, 0.5]);
/// ```
pub trait Ln: Sized {
    /// `y = ln x`.
    fn ln(self) -> Self;

    /// `ct_x = ct / x`.
    fn ln_vjp(self, out: Self, ct: Self) -> Self;
}

impl<X: Elementwise> Ln for X {
    #[inline]
    fn ln(self) -> Self {
        self.map_elems(ComplexField::ln)
    }

    #[inline]
    fn ln_vjp(self, _out: Self, ct: Self) -> Self {
        ct.zip_map_elems(self, |ct, x| ct / x)
    }
}

impl<T: Real, const R: usize, const C: usize> Tensor<T, R, C> {
    /// Elementwise natural logarithm; see [`Ln`].
    #[inline]
    pub fn ln(self) -> Self {
        Ln::ln(self)
    }
}

#[cfg(test)]
mod tests {
    use super::Ln;
    use crate::ops::testing::check_vjp;
    use crate::tensor::Tensor;

    #[test]
    fn vjp_matches_finite_differences() {
        let x = Tensor::<f64, 2, 2>::from_row_slice(&[0.3, 1.2, 2.0, 0.7]);
        check_vjp(Ln::ln, |x: Tensor<f64, 2, 2>, out, ct| x.ln_vjp(out, ct), x);
        check_vjp(Ln::ln, |x: f64, out, ct| x.ln_vjp(out, ct), 2.5);
    }

    #[test]
    fn fixed_values() {
        assert_eq!(Ln::ln(1.0_f64), 0.0);
        assert_eq!(Ln::ln(0.0_f64), f64::NEG_INFINITY);
        assert_eq!(Ln::ln_vjp(4.0_f64, 4.0_f64.ln(), 2.0), 0.5);
    }
}
