//! Natural logarithm, `y = ln(x)`, elementwise.

use nalgebra::ComplexField;

use super::Elementwise;
use crate::real::Real;
use crate::tensor::Tensor;

/// Elementwise natural logarithm `y = ln x`; VJP `ct_x = ct / x`, JVP `dy = dx / x`.
///
/// ```
/// use autodiff_core::ops::Ln;
/// use autodiff_core::tensor;
///
/// let x = tensor![1.0, 4.0];
/// let y = x.ln();
/// assert_eq!(y, tensor![0.0, 4.0_f64.ln()]);
/// assert_eq!(x.ln_vjp(y, tensor![1.0, 2.0]), tensor![1.0, 0.5]);
/// assert_eq!(x.ln_jvp(y, tensor![1.0, 2.0]), tensor![1.0, 0.5]);
/// ```
pub trait Ln: Sized {
    /// `y = ln x`.
    fn ln(self) -> Self;

    /// `ct_x = ct / x`.
    fn ln_vjp(self, out: Self, ct: Self) -> Self;

    /// `dy = dx / x`.
    fn ln_jvp(self, out: Self, dx: Self) -> Self;

    /// The tangent of the VJP (forward over reverse, see the module docs):
    /// `dct / x - ct ⊙ dx / x²`.
    fn ln_vjp_jvp(self, out: Self, ct: Self, dx: Self, dout: Self, dct: Self) -> Self;

    /// The VJP and its tangent in one call, as `f_hvp` runs them: one method for rustc to
    /// resolve per op instead of two.
    #[inline(always)]
    fn ln_vjp_pair(self, out: Self, ct: Self, dx: Self, dout: Self, dct: Self) -> (Self, Self)
    where
        Self: Copy,
    {
        (
            self.ln_vjp(out, ct),
            self.ln_vjp_jvp(out, ct, dx, dout, dct),
        )
    }
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

    #[inline]
    fn ln_jvp(self, _out: Self, dx: Self) -> Self {
        dx.zip_map_elems(self, |dx, x| dx / x)
    }

    #[inline]
    #[allow(unused_variables)]
    fn ln_vjp_jvp(self, out: Self, ct: Self, dx: Self, dout: Self, dct: Self) -> Self {
        super::second_order(
            self.ln_vjp(out, dct),
            ct,
            dx.zip_map_elems(self, |dx, x| -dx / (x * x)),
        )
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
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp};
    use crate::tensor::Tensor;

    #[test]
    fn vjp_matches_finite_differences() {
        let x = Tensor::<f64, 2, 2>::from_row_slice(&[0.3, 1.2, 2.0, 0.7]);
        check_vjp(Ln::ln, |x: Tensor<f64, 2, 2>, out, ct| x.ln_vjp(out, ct), x);
        check_vjp(Ln::ln, |x: f64, out, ct| x.ln_vjp(out, ct), 2.5);
    }

    #[test]
    fn jvp_matches_finite_differences_and_the_vjp() {
        type M = Tensor<f64, 2, 2>;
        let x = M::from_row_slice(&[0.3, 1.2, 2.0, 0.7]);
        let vjp = |x: M, out, ct| x.ln_vjp(out, ct);
        let jvp = |x: M, out, dx| x.ln_jvp(out, dx);
        check_jvp(Ln::ln, jvp, x);
        check_vjp_against_jvp(Ln::ln, vjp, jvp, x);
        let vjp = |x: f64, out, ct| x.ln_vjp(out, ct);
        let jvp = |x: f64, out, dx| x.ln_jvp(out, dx);
        check_jvp(Ln::ln, jvp, 2.5);
        check_vjp_against_jvp(Ln::ln, vjp, jvp, 2.5);
    }

    #[test]
    fn fixed_values() {
        assert_eq!(Ln::ln(1.0_f64), 0.0);
        assert_eq!(Ln::ln(0.0_f64), f64::NEG_INFINITY);
        assert_eq!(Ln::ln_vjp(4.0_f64, 4.0_f64.ln(), 2.0), 0.5);
        assert_eq!(Ln::ln_jvp(4.0_f64, 4.0_f64.ln(), 2.0), 0.5);
    }

    #[test]
    fn vjp_jvp_matches_finite_differences_of_the_vjp() {
        use crate::ops::testing::check_vjp_jvp;
        type M = Tensor<f64, 2, 2>;
        let x = M::from_row_slice(&[0.3, 1.2, 2.0, 0.7]);
        check_vjp_jvp(
            |x: M| x.ln(),
            |x: M, out, dx| x.ln_jvp(out, dx),
            |x: M, out, ct| x.ln_vjp(out, ct),
            |x: M, out, ct, dx, dout, dct| x.ln_vjp_jvp(out, ct, dx, dout, dct),
            x,
        );
        let x = [0.3, 1.2, 2.0, 0.7][1];
        check_vjp_jvp(
            |x: f64| x.ln(),
            |x: f64, out, dx| x.ln_jvp(out, dx),
            |x: f64, out, ct| x.ln_vjp(out, ct),
            |x: f64, out, ct, dx, dout, dct| x.ln_vjp_jvp(out, ct, dx, dout, dct),
            x,
        );
    }
}
