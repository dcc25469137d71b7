//! Cholesky factorisation, `A = L Lᵀ`, `None` unless `A` is positive definite.

use super::{Mat, lower_inverse, onto_lower, phi, symmetric_from_lower, tril};
use crate::linalg::Cholesky;
use crate::real::Real;
use crate::tensor::Tensor;

/// Cholesky factorisation `A = L Lᵀ` of a symmetric positive-definite matrix, `None` when
/// it is not positive definite (nalgebra's `cholesky`, which reads only the lower
/// triangle of `A`). With `Φ` the lower triangle with its diagonal halved (Murray 2016):
///
/// * JVP: `dL = L Φ(L⁻¹ S L⁻ᵀ)`, where `S` is the symmetric matrix whose lower triangle is
///   `dA`'s (the part of `dA` the factorisation reads);
/// * VJP: with `P = Φ(Lᵀ tril(ct_L))` and `M = L⁻ᵀ P L⁻¹`, `ct_A = tril(M) +
///   strictly_lower(Mᵀ)`: the gradient with respect to the entries read, so it is
///   lower-triangular; along a symmetric `dA`, `⟨ct_A, dA⟩` is PyTorch's symmetrised
///   gradient's;
/// * the VJP's tangent: `dP = Φ(dLᵀ ct_L + Lᵀ dct_L)`, `dM = -L⁻ᵀ dLᵀ M + L⁻ᵀ dP L⁻¹ -
///   M dL L⁻¹`, mapped onto the lower triangle the same way.
///
/// A `None` output has zero derivatives.
///
/// ```
/// use autodiff_core::ops::FactorCholesky;
/// use autodiff_core::linalg::Cholesky;
/// use autodiff_core::tensor;
///
/// let a = tensor![[4.0, 2.0], [2.0, 5.0]];
/// let chol = a.cholesky();
/// assert_eq!(chol.unwrap().l(), tensor![[2.0, 0.0], [1.0, 2.0]]);
/// // L₀₀ = √A₀₀, so ∂L₀₀/∂A₀₀ = 1 / (2 L₀₀).
/// let ct = Some(Cholesky::from_l(tensor![[1.0, 0.0], [0.0, 0.0]]));
/// let ct_a = FactorCholesky::cholesky_vjp(a, chol, ct);
/// assert!((ct_a - tensor![[0.25, 0.0], [0.0, 0.0]]).norm() < 1e-15);
/// ```
pub trait FactorCholesky: Sized {
    /// `Option<Cholesky<T, N>>`.
    type Output;

    /// `L` with `A = L Lᵀ`, or `None`.
    fn cholesky(self) -> Self::Output;

    /// `ct_A` (see the trait docs).
    fn cholesky_vjp(self, out: Self::Output, ct: Self::Output) -> Self;

    /// `dL = L Φ(L⁻¹ S L⁻ᵀ)`.
    fn cholesky_jvp(self, out: Self::Output, dx: Self) -> Self::Output;

    /// The tangent of the VJP (see the trait docs).
    fn cholesky_vjp_jvp(
        self,
        out: Self::Output,
        ct: Self::Output,
        dx: Self,
        dout: Self::Output,
        dct: Self::Output,
    ) -> Self;
}

impl<T: Real, const N: usize> FactorCholesky for Tensor<T, N, N> {
    type Output = Option<Cholesky<T, N>>;

    #[inline]
    fn cholesky(self) -> Option<Cholesky<T, N>> {
        nalgebra::Cholesky::new(self.into_matrix())
            .map(|c| Cholesky::from_l(Tensor::from_matrix(c.l())))
    }

    fn cholesky_vjp(self, out: Option<Cholesky<T, N>>, ct: Option<Cholesky<T, N>>) -> Self {
        let (Some(out), Some(ct)) = (out, ct) else {
            return Tensor::zeros();
        };
        let l = tril(out.l.as_matrix());
        let l_inv = lower_inverse(&l);
        let p = phi(&(l.transpose() * tril(ct.l.as_matrix())));
        let m = l_inv.transpose() * p * l_inv;
        Tensor::from_matrix(onto_lower(&m))
    }

    fn cholesky_jvp(self, out: Option<Cholesky<T, N>>, dx: Self) -> Option<Cholesky<T, N>> {
        let l = tril(out?.l.as_matrix());
        let l_inv = lower_inverse(&l);
        let s = symmetric_from_lower(dx.as_matrix());
        let dl: Mat<T, N> = l * phi(&(l_inv * s * l_inv.transpose()));
        Some(Cholesky::from_l(Tensor::from_matrix(dl)))
    }

    fn cholesky_vjp_jvp(
        self,
        out: Option<Cholesky<T, N>>,
        ct: Option<Cholesky<T, N>>,
        _dx: Self,
        dout: Option<Cholesky<T, N>>,
        dct: Option<Cholesky<T, N>>,
    ) -> Self {
        let Some(out) = out else {
            return Tensor::zeros();
        };
        let zero = Cholesky::<T, N>::default();
        let l = tril(out.l.as_matrix());
        let ct_l = tril(ct.unwrap_or(zero).l.as_matrix());
        let dl = tril(dout.unwrap_or(zero).l.as_matrix());
        let dct_l = tril(dct.unwrap_or(zero).l.as_matrix());
        let l_inv = lower_inverse(&l);
        let l_inv_t = l_inv.transpose();
        let p = phi(&(l.transpose() * ct_l));
        let m = l_inv_t * p * l_inv;
        let dp = phi(&(dl.transpose() * ct_l + l.transpose() * dct_l));
        let dm = -(l_inv_t * dl.transpose() * m) + l_inv_t * dp * l_inv - m * dl * l_inv;
        Tensor::from_matrix(onto_lower(&dm))
    }
}

impl<T: Real, const N: usize> Tensor<T, N, N> {
    /// The Cholesky factorisation `A = L Lᵀ`, or `None` if the matrix is not positive
    /// definite; only the lower triangle is read, as in nalgebra. See [`FactorCholesky`]
    /// and [`Cholesky`].
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// let chol = tensor![[4.0, 2.0], [2.0, 5.0]].cholesky().expect("positive definite");
    /// assert_eq!(chol.l(), tensor![[2.0, 0.0], [1.0, 2.0]]);
    /// ```
    #[inline]
    pub fn cholesky(self) -> Option<Cholesky<T, N>> {
        FactorCholesky::cholesky(self)
    }
}

#[cfg(test)]
mod tests {
    use super::FactorCholesky;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp, check_vjp_jvp};
    use crate::tensor::Tensor;

    type A = Tensor<f64, 3, 3>;

    /// A symmetric positive-definite matrix, `B Bᵀ + I`.
    fn spd() -> A {
        let b = A::from_fn(|r, c| (1.3 * r as f64 - 0.7 * c as f64 + 0.2).sin());
        Tensor::from_matrix(b.as_matrix() * b.as_matrix().transpose())
            + A::from_fn(|r, c| f64::from(u8::from(r == c)))
    }

    #[test]
    fn rules_match_finite_differences() {
        let a = spd();
        let vjp = |a: A, out, ct| a.cholesky_vjp(out, ct);
        let jvp = |a: A, out, da| a.cholesky_jvp(out, da);
        check_vjp(FactorCholesky::cholesky, vjp, a);
        check_jvp(FactorCholesky::cholesky, jvp, a);
        check_vjp_against_jvp(FactorCholesky::cholesky, vjp, jvp, a);
        check_vjp_jvp(
            FactorCholesky::cholesky,
            jvp,
            vjp,
            |a: A, out, ct, da, dout, dct| a.cholesky_vjp_jvp(out, ct, da, dout, dct),
            a,
        );
    }

    #[test]
    fn rules_match_finite_differences_near_the_edge_of_positive_definiteness() {
        // Eigenvalues 0.05, 1 and 3: close to a matrix with no factor.
        let q = nalgebra::Rotation3::from_euler_angles(0.3, -0.7, 1.1).into_inner();
        let d = nalgebra::Matrix3::from_diagonal(&nalgebra::Vector3::new(0.05, 1.0, 3.0));
        let a = A::from_matrix(q * d * q.transpose());
        let vjp = |a: A, out, ct| a.cholesky_vjp(out, ct);
        let jvp = |a: A, out, da| a.cholesky_jvp(out, da);
        check_vjp(FactorCholesky::cholesky, vjp, a);
        check_jvp(FactorCholesky::cholesky, jvp, a);
        check_vjp_against_jvp(FactorCholesky::cholesky, vjp, jvp, a);
        check_vjp_jvp(
            FactorCholesky::cholesky,
            jvp,
            vjp,
            |a: A, out, ct, da, dout, dct| a.cholesky_vjp_jvp(out, ct, da, dout, dct),
            a,
        );
    }

    #[test]
    fn only_the_lower_triangle_is_read() {
        let a = spd();
        let mut garbage = a;
        garbage[(0, 2)] = 100.0;
        assert_eq!(garbage.cholesky(), a.cholesky());
        let g = a.cholesky_vjp(a.cholesky(), a.cholesky());
        assert_eq!(g[(0, 1)], 0.0);
        assert_eq!(g[(1, 2)], 0.0);
    }

    #[test]
    fn a_matrix_that_is_not_positive_definite_has_no_factor() {
        let a = Tensor::<f64, 2, 2>::from_row_slice(&[1.0, 2.0, 2.0, 1.0]);
        assert_eq!(a.cholesky(), None);
        assert_eq!(a.cholesky_vjp(None, None), Tensor::zeros());
        assert_eq!(a.cholesky_jvp(None, a), None);
    }
}
