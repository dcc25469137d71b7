//! Log-sum-exp over all elements, `y = ln Σᵢ e^{xᵢ}`, computed stably.

use nalgebra::{ComplexField, RealField};

use super::Elementwise;
use crate::real::Real;
use crate::tensor::Tensor;

/// Log-sum-exp over all elements `y = ln Σᵢ e^{xᵢ}`; VJP `ct_x = ct * softmax(x)
/// = ct * e^{x - y}` and JVP `dy = ⟨softmax(x), dx⟩ = Σᵢ e^{xᵢ - y} dxᵢ`, both reusing the
/// output.
///
/// The forward subtracts the maximum `m` first, `y = m + ln Σᵢ e^{xᵢ - m}`, so it neither
/// overflows nor underflows; an infinite maximum is not subtracted, as in PyTorch.
///
/// ```
/// use autodiff_core::ops::LogSumExp;
/// use autodiff_core::tensor;
///
/// let x = tensor![1000.0, 1000.0];
/// let y = x.logsumexp();
/// assert_eq!(y, 1000.0 + 2.0_f64.ln());
/// let ct_x = x.logsumexp_vjp(y, 1.0);
/// assert!((ct_x - tensor![0.5, 0.5]).norm() < 1e-12);
/// assert!((x.logsumexp_jvp(y, tensor![1.0, 3.0]) - 2.0).abs() < 1e-12);
/// ```
#[doc(hidden)]
pub trait LogSumExp: Sized {
    /// The element type.
    type Output;

    /// `y = ln Σᵢ e^{xᵢ}`.
    fn logsumexp(self) -> Self::Output;

    /// `ct_x = ct * e^{x - y}`.
    fn logsumexp_vjp(self, out: Self::Output, ct: Self::Output) -> Self;

    /// `dy = Σᵢ e^{xᵢ - y} dxᵢ`.
    fn logsumexp_jvp(self, out: Self::Output, dx: Self) -> Self::Output;

    /// The tangent of the VJP (forward over reverse, see the module docs): with `s = e^{x - y}`, `dct s + ct s ⊙ (dx - dy)`.
    #[allow(clippy::too_many_arguments)]
    fn logsumexp_vjp_jvp(
        self,
        out: Self::Output,
        ct: Self::Output,
        dx: Self,
        dout: Self::Output,
        dct: Self::Output,
    ) -> Self;
}

impl<T: Real, const R: usize, const C: usize> LogSumExp for Tensor<T, R, C> {
    type Output = T;

    #[inline]
    fn logsumexp(self) -> T {
        let max = self
            .iter()
            .copied()
            .fold(Real::from_f64(f64::NEG_INFINITY), RealField::max);
        let shift = if max.is_finite() { max } else { T::zero() };
        ComplexField::ln(self.map_elems(|x| ComplexField::exp(x - shift)).sum_elems()) + shift
    }

    #[inline]
    fn logsumexp_vjp(self, out: T, ct: T) -> Self {
        self.map_elems(|x| ct * ComplexField::exp(x - out))
    }

    #[inline]
    fn logsumexp_jvp(self, out: T, dx: Self) -> T {
        // `e^{x - y}` is at most 1, so the weights cannot overflow where `eˣ` would.
        self.zip_map_elems(dx, |x, dx| dx * ComplexField::exp(x - out))
            .sum_elems()
    }

    #[inline]
    fn logsumexp_vjp_jvp(self, out: T, ct: T, dx: Self, dout: T, dct: T) -> Self {
        self.zip_map_elems(dx, |x, dx| {
            let s = ComplexField::exp(x - out);
            dct * s + ct * s * (dx - dout)
        })
    }
}

impl<T: Real, const R: usize, const C: usize> Tensor<T, R, C> {
    /// The log-sum-exp of all elements; see [`LogSumExp`].
    #[inline]
    pub fn logsumexp(self) -> T {
        LogSumExp::logsumexp(self)
    }
}

#[cfg(test)]
mod tests {
    use super::LogSumExp;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp};
    use crate::tensor::Tensor;

    #[test]
    fn vjp_matches_finite_differences() {
        let x = Tensor::<f64, 2, 3>::from_row_slice(&[0.3, -1.2, 2.0, -0.7, 0.1, 5.0]);
        check_vjp(
            LogSumExp::logsumexp,
            |x: Tensor<f64, 2, 3>, out, ct| x.logsumexp_vjp(out, ct),
            x,
        );
    }

    #[test]
    fn jvp_matches_finite_differences_and_the_vjp() {
        type M = Tensor<f64, 2, 3>;
        let x = M::from_row_slice(&[0.3, -1.2, 2.0, -0.7, 0.1, 5.0]);
        let vjp = |x: M, out, ct| x.logsumexp_vjp(out, ct);
        let jvp = |x: M, out, dx| x.logsumexp_jvp(out, dx);
        check_jvp(LogSumExp::logsumexp, jvp, x);
        check_vjp_against_jvp(LogSumExp::logsumexp, vjp, jvp, x);
    }

    #[test]
    fn fixed_values() {
        let x = Tensor::<f64, 3>::from_row_slice(&[0.0, 2.0_f64.ln(), -1000.0]);
        assert!((x.logsumexp() - 3.0_f64.ln()).abs() < 1e-15);
        assert_eq!(
            Tensor::<f64, 2>::from_element(-1000.0).logsumexp(),
            -1000.0 + 2.0_f64.ln()
        );
        let inf = Tensor::<f64, 2>::from_row_slice(&[f64::INFINITY, 0.0]);
        assert_eq!(inf.logsumexp(), f64::INFINITY);
        let minus_inf = Tensor::<f64, 2>::from_element(f64::NEG_INFINITY);
        assert_eq!(minus_inf.logsumexp(), f64::NEG_INFINITY);
        // Shifting every logit by t shifts the result by t.
        let y = x.logsumexp();
        assert!((x.logsumexp_jvp(y, Tensor::from_element(1.0)) - 1.0).abs() < 1e-15);
        let big = Tensor::<f64, 2>::from_row_slice(&[1000.0, 0.0]);
        assert_eq!(
            big.logsumexp_jvp(big.logsumexp(), Tensor::from_row_slice(&[2.0, 7.0])),
            2.0
        );
    }

    #[test]
    fn vjp_jvp_matches_finite_differences_of_the_vjp() {
        use crate::ops::testing::check_vjp_jvp;
        type M = Tensor<f64, 2, 3>;
        let x = M::from_row_slice(&[0.3, -1.2, 2.0, 0.7, 0.1, 1.5]);
        check_vjp_jvp(
            |x: M| x.logsumexp(),
            |x: M, out, dx| x.logsumexp_jvp(out, dx),
            |x: M, out, ct| x.logsumexp_vjp(out, ct),
            |x: M, out, ct, dx, dout, dct| x.logsumexp_vjp_jvp(out, ct, dx, dout, dct),
            x,
        );
    }
}
