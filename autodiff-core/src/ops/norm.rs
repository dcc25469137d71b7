//! Euclidean (Frobenius) norm over all elements, `y = √(Σᵢ xᵢ²)`.

use crate::real::Real;
use crate::tensor::Tensor;

/// Euclidean norm over all elements (Frobenius for a matrix) `y = √(Σᵢ xᵢ²)`; VJP
/// `ct_x = ct * x / y` and JVP `dy = ⟨x, dx⟩ / y`, both reusing the output, and both `0` at
/// the zero tensor as in PyTorch.
///
/// ```
/// use autodiff_core::ops::Norm;
/// use autodiff_core::{tensor, Tensor};
///
/// let x = tensor![3.0, 4.0];
/// let y = x.norm();
/// assert_eq!(y, 5.0);
/// assert_eq!(x.norm_vjp(y, 10.0), tensor![6.0, 8.0]);
/// assert_eq!(x.norm_jvp(y, tensor![5.0, 5.0]), 7.0);
/// assert_eq!(Tensor::<f64, 2>::zeros().norm_vjp(0.0, 1.0), Tensor::zeros());
/// ```
#[doc(hidden)]
pub trait Norm: Sized {
    /// The element type.
    type Output;

    /// `y = √(Σᵢ xᵢ²)`.
    fn norm(self) -> Self::Output;

    /// `ct_x = ct * x / y`, or `0` when `y = 0`.
    fn norm_vjp(self, out: Self::Output, ct: Self::Output) -> Self;

    /// `dy = ⟨x, dx⟩ / y`, or `0` when `y = 0`.
    fn norm_jvp(self, out: Self::Output, dx: Self) -> Self::Output;

    /// The tangent of the VJP (forward over reverse, see the module docs): `dx ct / y + x (dct / y - ct dy / y²)`, zero at the zero tensor like the VJP.
    #[allow(clippy::too_many_arguments)]
    fn norm_vjp_jvp(
        self,
        out: Self::Output,
        ct: Self::Output,
        dx: Self,
        dout: Self::Output,
        dct: Self::Output,
    ) -> Self;
}

impl<T: Real, const R: usize, const C: usize> Norm for Tensor<T, R, C> {
    type Output = T;

    #[inline]
    fn norm(self) -> T {
        self.as_matrix().norm()
    }

    #[inline]
    fn norm_vjp(self, out: T, ct: T) -> Self {
        if out == T::zero() {
            Tensor::zeros()
        } else {
            self * (ct / out)
        }
    }

    #[inline]
    fn norm_jvp(self, out: T, dx: Self) -> T {
        // The VJP's choice at the kink: with ct_x = 0 there, ⟨ct_x, dx⟩ = 0 too.
        if out == T::zero() {
            T::zero()
        } else {
            self.as_matrix().dot(dx.as_matrix()) / out
        }
    }

    #[inline]
    fn norm_vjp_jvp(self, out: T, ct: T, dx: Self, dout: T, dct: T) -> Self {
        if out == T::zero() {
            return Tensor::zeros();
        }
        let inv = T::one() / out;
        dx * (ct * inv) + self * ((dct - ct * dout * inv) * inv)
    }
}

impl<T: Real, const R: usize, const C: usize> Tensor<T, R, C> {
    /// The Euclidean norm of all elements; see [`Norm`].
    #[inline]
    pub fn norm(self) -> T {
        Norm::norm(self)
    }
}

#[cfg(test)]
mod tests {
    use super::Norm;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp};
    use crate::tensor::Tensor;

    #[test]
    fn vjp_matches_finite_differences() {
        let x = Tensor::<f64, 2, 3>::from_row_slice(&[0.3, -1.2, 2.0, -0.7, 0.1, 5.0]);
        check_vjp(
            Norm::norm,
            |x: Tensor<f64, 2, 3>, out, ct| x.norm_vjp(out, ct),
            x,
        );
    }

    #[test]
    fn jvp_matches_finite_differences_and_the_vjp() {
        type M = Tensor<f64, 2, 3>;
        let x = M::from_row_slice(&[0.3, -1.2, 2.0, -0.7, 0.1, 5.0]);
        let vjp = |x: M, out, ct| x.norm_vjp(out, ct);
        let jvp = |x: M, out, dx| x.norm_jvp(out, dx);
        check_jvp(Norm::norm, jvp, x);
        check_vjp_against_jvp(Norm::norm, vjp, jvp, x);
    }

    #[test]
    fn fixed_values() {
        let zero = Tensor::<f64, 3>::zeros();
        assert_eq!(zero.norm(), 0.0);
        assert_eq!(zero.norm_vjp(0.0, 1.0), zero);
        assert_eq!(zero.norm_jvp(0.0, Tensor::from_element(1.0)), 0.0);
        let m = Tensor::<f64, 2, 2>::from_element(1.0);
        assert_eq!(m.norm(), 2.0);
        assert_eq!(
            m.norm_jvp(2.0, Tensor::from_row_slice(&[1.0, 1.0, 0.0, 2.0])),
            2.0
        );
    }

    #[test]
    fn vjp_jvp_matches_finite_differences_of_the_vjp() {
        use crate::ops::testing::check_vjp_jvp;
        type M = Tensor<f64, 2, 3>;
        let x = M::from_row_slice(&[0.3, -1.2, 2.0, 0.7, 0.1, 1.5]);
        check_vjp_jvp(
            |x: M| x.norm(),
            |x: M, out, dx| x.norm_jvp(out, dx),
            |x: M, out, ct| x.norm_vjp(out, ct),
            |x: M, out, ct, dx, dout, dct| x.norm_vjp_jvp(out, ct, dx, dout, dct),
            x,
        );
    }
}
