//! Eigendecomposition of a symmetric matrix, `A = V diag(λ) Vᵀ`.

use super::{Mat, onto_lower, symmetric_from_lower};
use crate::linalg::SymmetricEigen;
use crate::real::Real;
use crate::tensor::Tensor;

/// The eigendecomposition `A = V diag(λ) Vᵀ` of a symmetric matrix (nalgebra's
/// `symmetric_eigen`, reading only the lower triangle), eigenvalues ascending, each
/// eigenvector's largest component positive. With `S` the symmetric matrix whose lower
/// triangle is `dA`'s and `Fᵢⱼ = 1 / (λⱼ - λᵢ)` off the diagonal (0 on it and between
/// equal eigenvalues):
///
/// * JVP: `dλ = diag(Vᵀ S V)`, `dV = V (F ∘ (Vᵀ S V))`;
/// * VJP: `G = V (diag(ct_λ) + F ∘ (Vᵀ ct_V)) Vᵀ`, mapped onto the lower triangle read
///   (`ct_A = tril(G) + strictly_lower(Gᵀ)`);
/// * the VJP's tangent: `dG = dV M Vᵀ + V dM Vᵀ + V M dVᵀ` with `M` the middle factor and
///   `dM = diag(dct_λ) + dF ∘ (Vᵀ ct_V) + F ∘ (dVᵀ ct_V + Vᵀ dct_V)`,
///   `dFᵢⱼ = -(dλⱼ - dλᵢ) Fᵢⱼ²`.
///
/// The eigenvalues' derivatives need no distinct eigenvalues; the eigenvectors' do (they
/// are not unique otherwise).
///
/// ```
/// use autodiff_core::linalg::SymmetricEigen;
/// use autodiff_core::ops::FactorSymmetricEigen;
/// use autodiff_core::tensor;
///
/// let a = tensor![[2.0, 0.0], [0.0, -1.0]];
/// let eigen = FactorSymmetricEigen::symmetric_eigen(a);
/// // dλ = diag(Vᵀ dA V): each eigenvalue moves with its diagonal entry here.
/// let da = tensor![[0.5, 0.0], [0.0, 0.25]];
/// assert_eq!(a.symmetric_eigen_jvp(eigen, da).eigenvalues, tensor![0.25, 0.5]);
/// let ct = SymmetricEigen { eigenvalues: tensor![1.0, 0.0], eigenvectors: tensor![[0.0, 0.0], [0.0, 0.0]] };
/// assert_eq!(a.symmetric_eigen_vjp(eigen, ct), tensor![[0.0, 0.0], [0.0, 1.0]]);
/// ```
pub trait FactorSymmetricEigen: Sized {
    /// `SymmetricEigen<T, N>`.
    type Output;

    /// `(λ, V)`.
    fn symmetric_eigen(self) -> Self::Output;

    /// `ct_A` (see the trait docs).
    fn symmetric_eigen_vjp(self, out: Self::Output, ct: Self::Output) -> Self;

    /// `(dλ, dV)`.
    fn symmetric_eigen_jvp(self, out: Self::Output, dx: Self) -> Self::Output;

    /// The tangent of the VJP (see the trait docs).
    fn symmetric_eigen_vjp_jvp(
        self,
        out: Self::Output,
        ct: Self::Output,
        dx: Self,
        dout: Self::Output,
        dct: Self::Output,
    ) -> Self;
}

/// The eigendecomposition of a symmetric `a` by cyclic Jacobi rotations (nalgebra's own
/// needs its size as a `typenum`), sorted and with signs fixed as the trait documents.
fn jacobi<T: Real, const N: usize>(a: &Mat<T, N>) -> (Tensor<T, N>, Mat<T, N>) {
    let mut a = *a;
    let mut v = Mat::<T, N>::identity();
    let scale = a.norm_squared();
    let tiny = T::default_epsilon() * T::default_epsilon() * scale;
    let two = T::one() + T::one();
    for _sweep in 0..64 {
        let off = (0..N)
            .flat_map(|p| (p + 1..N).map(move |q| (p, q)))
            .fold(T::zero(), |s, (p, q)| s + a[(p, q)] * a[(p, q)]);
        if off <= tiny {
            break;
        }
        for p in 0..N {
            for q in p + 1..N {
                if a[(p, q)] == T::zero() {
                    continue;
                }
                let theta = (a[(q, q)] - a[(p, p)]) / (two * a[(p, q)]);
                let t = theta.signum() / (theta.abs() + (theta * theta + T::one()).sqrt());
                let c = T::one() / (t * t + T::one()).sqrt();
                let s = t * c;
                for k in 0..N {
                    let (kp, kq) = (a[(k, p)], a[(k, q)]);
                    a[(k, p)] = c * kp - s * kq;
                    a[(k, q)] = s * kp + c * kq;
                }
                for k in 0..N {
                    let (pk, qk) = (a[(p, k)], a[(q, k)]);
                    a[(p, k)] = c * pk - s * qk;
                    a[(q, k)] = s * pk + c * qk;
                }
                for k in 0..N {
                    let (kp, kq) = (v[(k, p)], v[(k, q)]);
                    v[(k, p)] = c * kp - s * kq;
                    v[(k, q)] = s * kp + c * kq;
                }
            }
        }
    }
    let mut order: [usize; N] = core::array::from_fn(|i| i);
    order.sort_by(|&i, &j| {
        a[(i, i)]
            .partial_cmp(&a[(j, j)])
            .unwrap_or(core::cmp::Ordering::Equal)
    });
    let values = Tensor::from_fn(|i, _| a[(order[i], order[i])]);
    let mut vectors = Mat::<T, N>::from_fn(|r, c| v[(r, order[c])]);
    for c in 0..N {
        let mut largest = 0;
        for r in 1..N {
            if vectors[(r, c)].abs() > vectors[(largest, c)].abs() {
                largest = r;
            }
        }
        if vectors[(largest, c)] < T::zero() {
            for r in 0..N {
                vectors[(r, c)] = -vectors[(r, c)];
            }
        }
    }
    (values, vectors)
}

/// `Fᵢⱼ = 1 / (λⱼ - λᵢ)`, zero on the diagonal and between equal eigenvalues.
fn gaps<T: Real, const N: usize>(values: &Tensor<T, N>) -> Mat<T, N> {
    Mat::from_fn(|i, j| {
        let gap = values[j] - values[i];
        if i == j || gap == T::zero() {
            T::zero()
        } else {
            T::one() / gap
        }
    })
}

impl<T: Real, const N: usize> FactorSymmetricEigen for Tensor<T, N, N> {
    type Output = SymmetricEigen<T, N>;

    fn symmetric_eigen(self) -> SymmetricEigen<T, N> {
        let (eigenvalues, vectors) = jacobi(&symmetric_from_lower(self.as_matrix()));
        SymmetricEigen {
            eigenvalues,
            eigenvectors: Tensor::from_matrix(vectors),
        }
    }

    fn symmetric_eigen_vjp(self, out: SymmetricEigen<T, N>, ct: SymmetricEigen<T, N>) -> Self {
        let v = out.eigenvectors.as_matrix();
        let f = gaps(&out.eigenvalues);
        let middle = Mat::from_diagonal(ct.eigenvalues.as_matrix())
            + f.component_mul(&(v.transpose() * ct.eigenvectors.as_matrix()));
        Tensor::from_matrix(onto_lower(&(v * middle * v.transpose())))
    }

    fn symmetric_eigen_jvp(self, out: SymmetricEigen<T, N>, dx: Self) -> SymmetricEigen<T, N> {
        let v = out.eigenvectors.as_matrix();
        let projected = v.transpose() * symmetric_from_lower(dx.as_matrix()) * v;
        SymmetricEigen {
            eigenvalues: Tensor::from_fn(|i, _| projected[(i, i)]),
            eigenvectors: Tensor::from_matrix(v * gaps(&out.eigenvalues).component_mul(&projected)),
        }
    }

    fn symmetric_eigen_vjp_jvp(
        self,
        out: SymmetricEigen<T, N>,
        ct: SymmetricEigen<T, N>,
        _dx: Self,
        dout: SymmetricEigen<T, N>,
        dct: SymmetricEigen<T, N>,
    ) -> Self {
        let (v, dv) = (out.eigenvectors.as_matrix(), dout.eigenvectors.as_matrix());
        let (ct_v, dct_v) = (ct.eigenvectors.as_matrix(), dct.eigenvectors.as_matrix());
        let f = gaps(&out.eigenvalues);
        let df = Mat::<T, N>::from_fn(|i, j| {
            -(dout.eigenvalues[j] - dout.eigenvalues[i]) * f[(i, j)] * f[(i, j)]
        });
        let vt_ct = v.transpose() * ct_v;
        let middle = Mat::from_diagonal(ct.eigenvalues.as_matrix()) + f.component_mul(&vt_ct);
        let dmiddle = Mat::from_diagonal(dct.eigenvalues.as_matrix())
            + df.component_mul(&vt_ct)
            + f.component_mul(&(dv.transpose() * ct_v + v.transpose() * dct_v));
        let dg =
            dv * middle * v.transpose() + v * dmiddle * v.transpose() + v * middle * dv.transpose();
        Tensor::from_matrix(onto_lower(&dg))
    }
}

impl<T: Real, const N: usize> Tensor<T, N, N> {
    /// The eigendecomposition of this symmetric matrix (only its lower triangle is read);
    /// see [`FactorSymmetricEigen`] and [`SymmetricEigen`].
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// let eigen = tensor![[4.0, 0.0], [0.0, 1.0]].symmetric_eigen();
    /// assert_eq!(eigen.eigenvalues, tensor![1.0, 4.0]);
    /// ```
    #[inline]
    pub fn symmetric_eigen(self) -> SymmetricEigen<T, N> {
        FactorSymmetricEigen::symmetric_eigen(self)
    }
}

#[cfg(test)]
mod tests {
    use super::FactorSymmetricEigen;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp, check_vjp_jvp};
    use crate::tensor::Tensor;

    type A = Tensor<f64, 4, 4>;

    fn symmetric() -> A {
        let b = A::from_fn(|r, c| (1.3 * r as f64 - 0.7 * c as f64 * c as f64 + 0.2).sin());
        Tensor::from_matrix(b.as_matrix() + b.as_matrix().transpose())
    }

    #[test]
    fn the_decomposition_reconstructs_the_matrix() {
        let a = symmetric();
        let eigen = a.symmetric_eigen();
        let (v, l) = (
            eigen.eigenvectors.as_matrix(),
            eigen.eigenvalues.as_matrix(),
        );
        let back = v * nalgebra::Matrix4::from_diagonal(l) * v.transpose();
        assert!((back - a.as_matrix()).norm() < 1e-13);
        assert!((v.transpose() * v - nalgebra::Matrix4::identity()).norm() < 1e-13);
        let want = a.into_matrix().symmetric_eigenvalues();
        let mut want: Vec<f64> = want.iter().copied().collect();
        want.sort_by(f64::total_cmp);
        for (got, want) in eigen.eigenvalues.iter().zip(want) {
            assert!((got - want).abs() < 1e-13);
        }
    }

    #[test]
    fn rules_match_finite_differences() {
        let a = symmetric();
        let vjp = |a: A, out, ct| a.symmetric_eigen_vjp(out, ct);
        let jvp = |a: A, out, da| a.symmetric_eigen_jvp(out, da);
        let f = FactorSymmetricEigen::symmetric_eigen;
        check_vjp(f, vjp, a);
        check_jvp(f, jvp, a);
        check_vjp_against_jvp(f, vjp, jvp, a);
        check_vjp_jvp(
            f,
            jvp,
            vjp,
            |a: A, out, ct, da, dout, dct| a.symmetric_eigen_vjp_jvp(out, ct, da, dout, dct),
            a,
        );
    }
}
