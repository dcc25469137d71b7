//! Softmax over all elements, `yᵢ = e^{xᵢ} / Σⱼ e^{xⱼ}`, computed stably.

use nalgebra::{ComplexField, RealField};

use super::Elementwise;
use crate::real::Real;
use crate::tensor::Tensor;

/// Softmax over all elements `yᵢ = e^{xᵢ} / Σⱼ e^{xⱼ}`; VJP
/// `ct_x = y ⊙ (ct - ⟨ct, y⟩)` and JVP `dy = y ⊙ (dx - ⟨y, dx⟩)`, both reusing the output
/// (the Jacobian `diag(y) - y yᵀ` is symmetric, so the two have the same form).
///
/// The forward subtracts the maximum first, so large logits do not overflow.
///
/// ```
/// use autodiff_core::ops::Softmax;
/// use autodiff_core::tensor;
///
/// let x = tensor![1000.0, 1000.0];
/// let y = x.softmax();
/// assert_eq!(y, tensor![0.5, 0.5]);
/// assert_eq!(x.softmax_vjp(y, tensor![1.0, 0.0]), tensor![0.25, -0.25]);
/// assert_eq!(x.softmax_jvp(y, tensor![1.0, 0.0]), tensor![0.25, -0.25]);
/// ```
#[doc(hidden)]
pub trait Softmax: Sized {
    /// `yᵢ = e^{xᵢ} / Σⱼ e^{xⱼ}`.
    fn softmax(self) -> Self;

    /// `ct_x = y ⊙ (ct - ⟨ct, y⟩)`.
    fn softmax_vjp(self, out: Self, ct: Self) -> Self;

    /// `dy = y ⊙ (dx - ⟨y, dx⟩)`.
    fn softmax_jvp(self, out: Self, dx: Self) -> Self;

    /// The tangent of the VJP (forward over reverse, see the module docs): `dy ⊙ (ct - ⟨ct, y⟩) + y ⊙ (dct - ⟨dct, y⟩ - ⟨ct, dy⟩)`.
    #[allow(clippy::too_many_arguments)]
    fn softmax_vjp_jvp(self, out: Self, ct: Self, dx: Self, dout: Self, dct: Self) -> Self;
}

impl<T: Real, const R: usize, const C: usize> Softmax for Tensor<T, R, C> {
    #[inline]
    fn softmax(self) -> Self {
        let max = self
            .iter()
            .copied()
            .fold(Real::from_f64(f64::NEG_INFINITY), RealField::max);
        let e = self.map_elems(|x| ComplexField::exp(x - max));
        e / e.sum_elems()
    }

    #[inline]
    fn softmax_vjp(self, out: Self, ct: Self) -> Self {
        let inner = ct.as_matrix().dot(out.as_matrix());
        out.zip_map_elems(ct, |y, ct| y * (ct - inner))
    }

    #[inline]
    fn softmax_jvp(self, out: Self, dx: Self) -> Self {
        let inner = dx.as_matrix().dot(out.as_matrix());
        out.zip_map_elems(dx, |y, dx| y * (dx - inner))
    }

    #[inline]
    fn softmax_vjp_jvp(self, out: Self, ct: Self, dx: Self, dout: Self, dct: Self) -> Self {
        let _ = dx;
        let inner = ct.as_matrix().dot(out.as_matrix());
        let d_inner = dct.as_matrix().dot(out.as_matrix()) + ct.as_matrix().dot(dout.as_matrix());
        out.zip3_map_elems(ct, dout, |_, ct, dy| dy * (ct - inner))
            .zip3_map_elems(out, dct, |a, y, dct| a + y * (dct - d_inner))
    }
}

impl<T: Real, const R: usize, const C: usize> Tensor<T, R, C> {
    /// The softmax over all elements; see [`Softmax`].
    #[inline]
    pub fn softmax(self) -> Self {
        Softmax::softmax(self)
    }
}

#[cfg(test)]
mod tests {
    use super::Softmax;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp};
    use crate::tensor::Tensor;

    #[test]
    fn vjp_matches_finite_differences() {
        let x = Tensor::<f64, 2, 3>::from_row_slice(&[0.3, -1.2, 2.0, -0.7, 0.1, 5.0]);
        check_vjp(
            Softmax::softmax,
            |x: Tensor<f64, 2, 3>, out, ct| x.softmax_vjp(out, ct),
            x,
        );
    }

    #[test]
    fn jvp_matches_finite_differences_and_the_vjp() {
        type M = Tensor<f64, 2, 3>;
        let x = M::from_row_slice(&[0.3, -1.2, 2.0, -0.7, 0.1, 5.0]);
        let vjp = |x: M, out, ct| x.softmax_vjp(out, ct);
        let jvp = |x: M, out, dx| x.softmax_jvp(out, dx);
        check_jvp(Softmax::softmax, jvp, x);
        check_vjp_against_jvp(Softmax::softmax, vjp, jvp, x);
    }

    #[test]
    fn fixed_values() {
        let equal = Tensor::<f64, 4>::from_element(-3.0);
        assert_eq!(equal.softmax(), Tensor::from_element(0.25));
        // The softmax is invariant to a shift, so the gradient of a constant ct is zero.
        let y = equal.softmax();
        assert_eq!(
            equal.softmax_vjp(y, Tensor::from_element(2.0)),
            Tensor::zeros()
        );
        // Forward, the same invariance: shifting every logit leaves the softmax alone.
        assert_eq!(
            equal.softmax_jvp(y, Tensor::from_element(2.0)),
            Tensor::zeros()
        );
    }

    #[test]
    fn vjp_jvp_matches_finite_differences_of_the_vjp() {
        use crate::ops::testing::check_vjp_jvp;
        type M = Tensor<f64, 2, 3>;
        let x = M::from_row_slice(&[0.3, -1.2, 2.0, 0.7, 0.1, 1.5]);
        check_vjp_jvp(
            |x: M| x.softmax(),
            |x: M, out, dx| x.softmax_jvp(out, dx),
            |x: M, out, ct| x.softmax_vjp(out, ct),
            |x: M, out, ct, dx, dout, dct| x.softmax_vjp_jvp(out, ct, dx, dout, dct),
            x,
        );
    }
}
