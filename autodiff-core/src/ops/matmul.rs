//! Matrix product, `Y = A B`.

use nalgebra::{Const, MatrixView};

use crate::real::Real;
use crate::tensor::Tensor;

/// Matrix product `Y = A B` of an `R x K` and a `K x C` tensor; VJP `ct_A = ct Bᵀ`,
/// `ct_B = Aᵀ ct`.
///
/// Neither transpose is materialised: `Aᵀ ct` is nalgebra's `tr_mul`, and `ct Bᵀ`
/// multiplies by a strided view of `B`'s storage read as `Bᵀ`.
///
/// ```
/// use autodiff_core::ops::Matmul;
/// use autodiff_core::tensor;
///
/// let a = tensor![[1.0, 2.0], [3.0, 4.0]];
/// let x = tensor![1.0, 1.0];
/// let y = a.matmul(x);
/// assert_eq!(y, tensor![3.0, 7.0]);
/// let (ct_a, ct_x) = a.matmul_vjp(&x, &y, tensor![1.0, 0.0], [true, true]);
/// assert_eq!(ct_a, tensor![[1.0, 1.0], [0.0, 0.0]]);
/// assert_eq!(ct_x, tensor![1.0, 2.0]);
/// ```
pub trait Matmul<Rhs>: Sized {
    /// The product's type.
    type Output;

    /// `Y = A B`. The operands are borrowed (here and in the VJP) so that a large weight
    /// matrix is never copied into a call.
    fn matmul(&self, rhs: &Rhs) -> Self::Output;

    /// `(ct_A, ct_B) = (ct Bᵀ, Aᵀ ct)`; a contribution not `wanted` is not computed
    /// (zero).
    fn matmul_vjp(
        &self,
        rhs: &Rhs,
        out: &Self::Output,
        ct: Self::Output,
        wanted: [bool; 2],
    ) -> (Self, Rhs);
}

impl<T: Real, const R: usize, const K: usize, const C: usize> Matmul<Tensor<T, K, C>>
    for Tensor<T, R, K>
{
    type Output = Tensor<T, R, C>;

    // Always inlined, so that `wanted` is a constant and the skipped product vanishes.
    #[inline(always)]
    fn matmul(&self, rhs: &Tensor<T, K, C>) -> Tensor<T, R, C> {
        Tensor::from_matrix(self.as_matrix() * rhs.as_matrix())
    }

    #[inline(always)]
    fn matmul_vjp(
        &self,
        rhs: &Tensor<T, K, C>,
        _out: &Tensor<T, R, C>,
        ct: Tensor<T, R, C>,
        wanted: [bool; 2],
    ) -> (Self, Tensor<T, K, C>) {
        // `rhs` is stored column-major, element (k, c) at `k + c·K`; reading it with row
        // stride K and column stride 1 gives the C x K matrix Bᵀ.
        let rhs_t = MatrixView::<T, Const<C>, Const<K>, Const<K>, Const<1>>::from_slice_with_strides_generic(
            rhs.as_matrix().as_slice(),
            Const,
            Const,
            Const,
            Const,
        );
        let ct_a = match wanted[0] {
            true => Tensor::from_matrix(ct.as_matrix() * rhs_t),
            false => Tensor::zeros(),
        };
        let ct_b = match wanted[1] {
            true => Tensor::from_matrix(self.as_matrix().tr_mul(ct.as_matrix())),
            false => Tensor::zeros(),
        };
        (ct_a, ct_b)
    }
}

impl<T: Real, const R: usize, const K: usize> Tensor<T, R, K> {
    /// The matrix product with a `K x C` tensor; see [`Matmul`].
    #[inline]
    pub fn matmul<const C: usize>(self, rhs: Tensor<T, K, C>) -> Tensor<T, R, C> {
        Matmul::matmul(&self, &rhs)
    }
}

#[cfg(test)]
mod tests {
    use super::Matmul;
    use crate::ops::testing::check_vjp;
    use crate::tensor::Tensor;

    type A = Tensor<f64, 2, 3>;
    type B = Tensor<f64, 3, 4>;

    #[test]
    fn vjp_matches_finite_differences() {
        let a = A::from_row_slice(&[0.3, -1.2, 2.0, -0.7, 0.1, 5.0]);
        let b = B::from_fn(|r, c| (r as f64 - 2.0 * c as f64) * 0.7 + 0.1 * (r * c) as f64);
        check_vjp(
            |(a, b): (A, B)| a.matmul(b),
            |(a, b), out, ct| a.matmul_vjp(&b, &out, ct, [true, true]),
            (a, b),
        );
        let v = Tensor::<f64, 3>::from_row_slice(&[1.0, -0.5, 0.25]);
        check_vjp(
            |(a, v): (A, Tensor<f64, 3>)| a.matmul(v),
            |(a, v), out, ct| a.matmul_vjp(&v, &out, ct, [true, true]),
            (a, v),
        );
    }

    #[test]
    fn vjp_matches_explicit_transposes_at_a_large_size() {
        // 8 x 8 takes nalgebra's large-matrix path for the strided view.
        let a = Tensor::<f64, 8, 9>::from_fn(|r, c| (r as f64 * 1.3 - c as f64 * 0.4).sin());
        let b = Tensor::<f64, 9, 7>::from_fn(|r, c| (r as f64 * 0.2 + c as f64 * 0.9).cos());
        let ct = Tensor::<f64, 8, 7>::from_fn(|r, c| (r * 7 + c) as f64 * 0.01 - 0.2);
        let (ct_a, ct_b) = a.matmul_vjp(&b, &a.matmul(b), ct, [true, true]);
        let expected_a = ct.as_matrix() * b.as_matrix().transpose();
        let expected_b = a.as_matrix().transpose() * ct.as_matrix();
        assert!((ct_a.into_matrix() - expected_a).norm() < 1e-12);
        assert!((ct_b.into_matrix() - expected_b).norm() < 1e-12);
    }

    #[test]
    fn fixed_values() {
        let a = Tensor::<f64, 2, 2>::from_row_slice(&[1.0, 2.0, 3.0, 4.0]);
        let i = Tensor::<f64, 2, 2>::from_row_slice(&[1.0, 0.0, 0.0, 1.0]);
        assert_eq!(a.matmul(i), a);
        assert_eq!(
            a.matmul(a),
            Tensor::from_row_slice(&[7.0, 10.0, 15.0, 22.0])
        );
    }
}
