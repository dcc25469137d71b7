//! Determinant, `y = det A`, of a square matrix and of a factorisation.

use nalgebra::DMatrix;

use super::{Mat, determinant};
use crate::linalg::{Cholesky, Lu};
use crate::real::Real;
use crate::tensor::Tensor;

/// Determinant `y = det A`; VJP `ct_A = ct cof(A)` and JVP `dy = ⟨cof(A), dA⟩`, where the
/// cofactor matrix is `cof(A) = det(A) A⁻ᵀ` for an invertible `A` (Giles 2008, §2.2.2) and
/// is computed from the minors at a singular one, where the gradient does not vanish
/// (PyTorch's `det` gives the same). The VJP's tangent adds `ct d(cof A)`:
/// `dy A⁻ᵀ - y (A⁻¹ dA A⁻¹)ᵀ` when `A` is invertible, from the minors' own cofactors
/// when it is not.
///
/// Also the determinant of a [`Cholesky`] factor's `A = L Lᵀ`, `Πᵢ Lᵢᵢ²`, differentiated
/// with respect to `L`'s diagonal, and of an [`Lu`] factorisation's `A`.
///
/// ```
/// use autodiff_core::ops::Determinant;
/// use autodiff_core::tensor;
///
/// let a = tensor![[1.0_f64, 2.0], [3.0, 4.0]];
/// let y = a.determinant();
/// assert!((y + 2.0).abs() < 1e-15);
/// // cof(A) = [[d, -c], [-b, a]].
/// let ct = Determinant::determinant_vjp(a, y, 1.0);
/// assert!((ct - tensor![[4.0, -3.0], [-2.0, 1.0]]).norm() < 1e-14);
/// // At a singular matrix the gradient is the cofactor matrix too.
/// let s = tensor![[1.0, 2.0], [2.0, 4.0]];
/// assert_eq!(Determinant::determinant_vjp(s, 0.0, 1.0), tensor![[4.0, -2.0], [-2.0, 1.0]]);
/// ```
pub trait Determinant: Sized {
    /// The element type.
    type Output;

    /// `y = det A`.
    fn determinant(self) -> Self::Output;

    /// `ct_A = ct cof(A)`.
    fn determinant_vjp(self, out: Self::Output, ct: Self::Output) -> Self;

    /// `dy = ⟨cof(A), dA⟩`.
    fn determinant_jvp(self, out: Self::Output, dx: Self) -> Self::Output;

    /// The tangent of the VJP (see the module docs): `dct cof(A) + ct d(cof A)[dA]`.
    fn determinant_vjp_jvp(
        self,
        out: Self::Output,
        ct: Self::Output,
        dx: Self,
        dout: Self::Output,
        dct: Self::Output,
    ) -> Self;
}

/// `(-1)^(r + c)`.
fn sign<T: Real>(r: usize, c: usize) -> T {
    if (r + c).is_multiple_of(2) {
        T::one()
    } else {
        -T::one()
    }
}

/// The cofactor matrix of a matrix of any size, from its minors when it is singular.
fn cofactor_dyn<T: Real>(a: &DMatrix<T>) -> DMatrix<T> {
    let n = a.nrows();
    if n == 1 {
        return DMatrix::from_element(1, 1, T::one());
    }
    let det = a.determinant();
    if det != T::zero()
        && let Some(inv) = a.clone().try_inverse()
    {
        return inv.transpose() * det;
    }
    DMatrix::from_fn(n, n, |r, c| {
        sign::<T>(r, c) * a.clone().remove_row(r).remove_column(c).determinant()
    })
}

/// The tangent of the cofactor matrix along `da`: each minor's determinant's tangent,
/// `⟨cof(M), dM⟩`.
fn cofactor_tangent_dyn<T: Real>(a: &DMatrix<T>, da: &DMatrix<T>) -> DMatrix<T> {
    let n = a.nrows();
    if n == 1 {
        return DMatrix::zeros(1, 1);
    }
    DMatrix::from_fn(n, n, |r, c| {
        let minor = a.clone().remove_row(r).remove_column(c);
        let dminor = da.clone().remove_row(r).remove_column(c);
        sign::<T>(r, c) * cofactor_dyn(&minor).dot(&dminor)
    })
}

/// `A⁻¹` when `det A ≠ 0` and the inverse exists.
fn inverse<T: Real, const N: usize>(a: &Mat<T, N>, det: T) -> Option<Mat<T, N>> {
    if det == T::zero() {
        return None;
    }
    a.try_inverse()
}

/// The cofactor matrix `cof(A)`.
fn cofactor<T: Real, const N: usize>(a: &Mat<T, N>, det: T) -> Mat<T, N> {
    match inverse(a, det) {
        Some(inv) => inv.transpose() * det,
        None => {
            let dynamic = cofactor_dyn(&DMatrix::from_column_slice(N, N, a.as_slice()));
            Mat::from_column_slice(dynamic.as_slice())
        }
    }
}

impl<T: Real, const N: usize> Determinant for Tensor<T, N, N> {
    type Output = T;

    #[inline]
    fn determinant(self) -> T {
        determinant(self.as_matrix())
    }

    fn determinant_vjp(self, out: T, ct: T) -> Self {
        Tensor::from_matrix(cofactor(self.as_matrix(), out) * ct)
    }

    fn determinant_jvp(self, out: T, dx: Self) -> T {
        cofactor(self.as_matrix(), out).dot(dx.as_matrix())
    }

    fn determinant_vjp_jvp(self, out: T, ct: T, dx: Self, dout: T, dct: T) -> Self {
        let (a, da) = (self.as_matrix(), dx.as_matrix());
        let dcof = match inverse(a, out) {
            Some(inv) => {
                let inv_t = inv.transpose();
                inv_t * dout - (inv * da * inv).transpose() * out
            }
            None => {
                let dynamic = cofactor_tangent_dyn(
                    &DMatrix::from_column_slice(N, N, a.as_slice()),
                    &DMatrix::from_column_slice(N, N, da.as_slice()),
                );
                Mat::from_column_slice(dynamic.as_slice())
            }
        };
        Tensor::from_matrix(cofactor(a, out) * dct + dcof * ct)
    }
}

/// `2 y / Lᵢᵢ` on the diagonal: `∂(Πⱼ Lⱼⱼ²) / ∂Lᵢᵢ`, written without the division so that
/// it holds at a zero diagonal element too.
fn diagonal_slopes<T: Real, const N: usize>(l: &Tensor<T, N, N>) -> [T; N] {
    core::array::from_fn(|i| {
        let others = (0..N)
            .filter(|&j| j != i)
            .fold(T::one(), |p, j| p * l[(j, j)] * l[(j, j)]);
        (l[(i, i)] + l[(i, i)]) * others
    })
}

impl<T: Real, const N: usize> Determinant for Cholesky<T, N> {
    type Output = T;

    /// `det A = Πᵢ Lᵢᵢ²`.
    #[inline]
    fn determinant(self) -> T {
        (0..N).fold(T::one(), |p, i| p * self.l[(i, i)] * self.l[(i, i)])
    }

    /// `ct_Lᵢᵢ = ct 2 y / Lᵢᵢ`, zero off the diagonal.
    fn determinant_vjp(self, _out: T, ct: T) -> Self {
        let slopes = diagonal_slopes(&self.l);
        Cholesky::from_l(Tensor::from_fn(|r, c| {
            if r == c { ct * slopes[r] } else { T::zero() }
        }))
    }

    /// `dy = Σᵢ 2 y dLᵢᵢ / Lᵢᵢ`.
    fn determinant_jvp(self, _out: T, dx: Self) -> T {
        let slopes = diagonal_slopes(&self.l);
        (0..N).fold(T::zero(), |s, i| s + slopes[i] * dx.l[(i, i)])
    }

    /// The tangent of `ct 2 Lᵢᵢ Π_{j≠i} Lⱼⱼ²`.
    fn determinant_vjp_jvp(self, _out: T, ct: T, dx: Self, _dout: T, dct: T) -> Self {
        let slopes = diagonal_slopes(&self.l);
        let two = T::one() + T::one();
        let (l, dl) = (&self.l, &dx.l);
        Cholesky::from_l(Tensor::from_fn(|r, c| {
            if r != c {
                return T::zero();
            }
            // d(2 Lᵢᵢ Πⱼ Lⱼⱼ²) = 2 dLᵢᵢ Πⱼ Lⱼⱼ² + 2 Lᵢᵢ Σₖ 2 Lₖₖ dLₖₖ Π_{j≠i,k} Lⱼⱼ².
            let others = |skip: &[usize]| {
                (0..N)
                    .filter(|j| !skip.contains(j))
                    .fold(T::one(), |p, j| p * l[(j, j)] * l[(j, j)])
            };
            let mut dslope = two * dl[(r, r)] * others(&[r]);
            for k in (0..N).filter(|&k| k != r) {
                dslope += two * l[(r, r)] * two * l[(k, k)] * dl[(k, k)] * others(&[r, k]);
            }
            dct * slopes[r] + ct * dslope
        }))
    }
}

impl<T: Real, const N: usize> Determinant for Lu<T, N> {
    type Output = T;

    #[inline]
    fn determinant(self) -> T {
        Determinant::determinant(self.a)
    }

    fn determinant_vjp(self, out: T, ct: T) -> Self {
        Lu::of(Determinant::determinant_vjp(self.a, out, ct))
    }

    fn determinant_jvp(self, out: T, dx: Self) -> T {
        Determinant::determinant_jvp(self.a, out, dx.a)
    }

    fn determinant_vjp_jvp(self, out: T, ct: T, dx: Self, dout: T, dct: T) -> Self {
        Lu::of(Determinant::determinant_vjp_jvp(
            self.a, out, ct, dx.a, dout, dct,
        ))
    }
}

impl<T: Real, const N: usize> Tensor<T, N, N> {
    /// The determinant; see [`Determinant`].
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// assert_eq!(tensor![[2.0, 0.0], [0.0, 3.0]].determinant(), 6.0);
    /// ```
    #[inline]
    pub fn determinant(self) -> T {
        Determinant::determinant(self)
    }
}

impl<T: Real, const N: usize> Cholesky<T, N> {
    /// The determinant of the factored matrix, `Πᵢ Lᵢᵢ²`; see [`Determinant`].
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// let a = tensor![[4.0, 2.0], [2.0, 5.0]];
    /// assert_eq!(a.cholesky().unwrap().determinant(), 16.0);
    /// ```
    #[inline]
    pub fn determinant(&self) -> T {
        Determinant::determinant(*self)
    }
}

impl<T: Real, const N: usize> Lu<T, N> {
    /// The determinant of the factored matrix; see [`Determinant`].
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// assert_eq!(tensor![[2.0, 0.0], [0.0, 3.0]].lu().determinant(), 6.0);
    /// ```
    #[inline]
    pub fn determinant(&self) -> T {
        Determinant::determinant(*self)
    }
}

#[cfg(test)]
mod tests {
    use super::Determinant;
    use crate::linalg::Cholesky;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp, check_vjp_jvp};
    use crate::tensor::Tensor;

    fn check<X>(x: X)
    where
        X: Determinant<Output = f64> + crate::ops::testing::Flat,
    {
        let vjp = |x: X, out, ct| x.determinant_vjp(out, ct);
        let jvp = |x: X, out, dx| x.determinant_jvp(out, dx);
        check_vjp(Determinant::determinant, vjp, x);
        check_jvp(Determinant::determinant, jvp, x);
        check_vjp_against_jvp(Determinant::determinant, vjp, jvp, x);
        check_vjp_jvp(
            Determinant::determinant,
            jvp,
            vjp,
            |x: X, out, ct, dx, dout, dct| x.determinant_vjp_jvp(out, ct, dx, dout, dct),
            x,
        );
    }

    #[test]
    fn rules_match_finite_differences() {
        check(Tensor::<f64, 3, 3>::from_fn(|r, c| {
            (1.3 * r as f64 - 0.7 * c as f64 + 0.2).sin() + if r == c { 1.5 } else { 0.0 }
        }));
        check(Tensor::<f64, 5, 5>::from_fn(|r, c| {
            (0.4 * r as f64 + 1.1 * c as f64).cos() + if r == c { 2.0 } else { 0.0 }
        }));
        check(Tensor::<f64, 1, 1>::from_element(-0.7));
        check(Cholesky::from_l(Tensor::<f64, 3, 3>::from_row_slice(&[
            1.5, 0.0, 0.0, 0.3, 0.9, 0.0, -0.4, 0.2, 1.2,
        ])));
        check(crate::linalg::Lu::of(Tensor::<f64, 2, 2>::from_row_slice(
            &[0.5, -1.0, 2.0, 0.3],
        )));
    }

    /// The cofactor matrix of a 3 x 3 matrix from its definition, a polynomial in the
    /// entries, whose central differences are exact to rounding even at singular points.
    fn cofactor_by_minors(a: Tensor<f64, 3, 3>) -> Tensor<f64, 3, 3> {
        Tensor::from_fn(|r, c| {
            let (r0, r1) = ([1, 0, 0][r], [2, 2, 1][r]);
            let (c0, c1) = ([1, 0, 0][c], [2, 2, 1][c]);
            let minor = a[(r0, c0)] * a[(r1, c1)] - a[(r0, c1)] * a[(r1, c0)];
            if (r + c).is_multiple_of(2) {
                minor
            } else {
                -minor
            }
        })
    }

    #[test]
    fn rules_match_finite_differences_at_singular_matrices() {
        type M = Tensor<f64, 3, 3>;
        // Rank 2, where the cofactor matrix is nonzero, and rank 1, where it is zero but
        // its tangent is not.
        let rank2 = M::from_row_slice(&[1.0, 2.0, 3.0, 2.0, 4.0, 6.0, 1.0, 0.0, 1.0]);
        let rank1 = M::from_row_slice(&[1.0, 2.0, 3.0, 2.0, 4.0, 6.0, 3.0, 6.0, 9.0]);
        assert_eq!(rank1.determinant_vjp(0.0, 1.0), M::zeros());
        for a in [rank2, rank1] {
            assert_eq!(a.determinant(), 0.0);
            let vjp = |x: M, out, ct| x.determinant_vjp(out, ct);
            let jvp = |x: M, out, dx| x.determinant_jvp(out, dx);
            check_vjp(Determinant::determinant, vjp, a);
            check_jvp(Determinant::determinant, jvp, a);
            check_vjp_against_jvp(Determinant::determinant, vjp, jvp, a);
            assert_eq!(a.determinant_vjp(0.0, 1.0), cofactor_by_minors(a));
            // The tangent of `ct cof(A)` against central differences of the definition
            // (the inverse-based path near a singular matrix loses digits to cancellation).
            let (ct, dct) = (0.7, -0.3);
            let da = M::from_fn(|r, c| 0.35 + (2.1 * (3 * r + c) as f64 + 1.1).cos());
            let dy = a.determinant_jvp(0.0, da);
            let analytic = a.determinant_vjp_jvp(0.0, ct, da, dy, dct);
            let h = 1e-6;
            let at = |s: f64| cofactor_by_minors(a + da * s) * (ct + s * dct);
            let numeric = (at(h) - at(-h)) / (2.0 * h);
            assert!(
                (analytic - numeric).norm() < 1e-8,
                "{analytic:?} vs {numeric:?}"
            );
        }
        check(Tensor::<f64, 2, 2>::zeros());
    }
}
