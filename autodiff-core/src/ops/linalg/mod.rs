//! Fixed-shape linear algebra in nalgebra's spelling: `determinant`, `try_inverse`,
//! `cholesky` and its factor's `l`, `solve`, `inverse`, `determinant`, `ln_determinant`,
//! `lu().solve`, the triangular solves and `symmetric_eigen`. Each op's file holds its forward, VJP, JVP and
//! the VJP's tangent; the adjoints are Giles' ("Collected matrix derivative results for
//! forward and reverse mode algorithmic differentiation", 2008) and, for the Cholesky
//! factorisation, Murray's ("Differentiation of the Cholesky decomposition", 2016).
//!
//! An op that can fail (`try_inverse`, `cholesky`, `lu().solve`, the triangular solves)
//! returns an `Option` like nalgebra's, and so do its tangent and its cotangent; a `None`
//! output has zero derivatives (the body's `unwrap` panics before they are needed).

mod cholesky;
mod determinant;
mod inverse;
mod l;
mod ln_determinant;
mod lu;
mod solve;
mod symmetric_eigen;
mod triangular;
mod try_inverse;

pub use cholesky::FactorCholesky;
pub use determinant::Determinant;
pub use inverse::Inverse;
pub use l::CholeskyL;
pub use ln_determinant::LnDeterminant;
pub use lu::FactorLu;
pub use solve::Solve;
pub use symmetric_eigen::FactorSymmetricEigen;
pub use triangular::{SolveLowerTriangular, SolveUpperTriangular};
pub use try_inverse::TryInverse;

use nalgebra::SMatrix;

use crate::real::Real;

/// An `N x N` nalgebra matrix, what the rules compute with.
type Mat<T, const N: usize> = SMatrix<T, N, N>;

/// The lower triangle of `m`, diagonal included.
fn tril<T: Real, const N: usize>(m: &Mat<T, N>) -> Mat<T, N> {
    m.lower_triangle()
}

/// The upper triangle of `m`, diagonal included.
fn triu<T: Real, const N: usize>(m: &Mat<T, N>) -> Mat<T, N> {
    m.upper_triangle()
}

/// The symmetric matrix whose lower triangle is `m`'s: what a perturbation of the lower
/// triangle of `A` (the part a Cholesky factorisation reads) does to `A`.
fn symmetric_from_lower<T: Real, const N: usize>(m: &Mat<T, N>) -> Mat<T, N> {
    let lower = tril(m);
    let strict = m
        .clone_owned()
        .map_with_location(|r, c, v| if r > c { v } else { T::zero() });
    lower + strict.transpose()
}

/// Murray's `Φ`: the lower triangle with the diagonal halved.
fn phi<T: Real, const N: usize>(m: &Mat<T, N>) -> Mat<T, N> {
    let half: T = Real::from_f64(0.5);
    m.map_with_location(|r, c, v| match r.cmp(&c) {
        core::cmp::Ordering::Greater => v,
        core::cmp::Ordering::Equal => v * half,
        core::cmp::Ordering::Less => T::zero(),
    })
}

/// `tril(m) + strictly_lower(mᵀ)`: the gradient with respect to the lower triangle of `A`
/// of a function of the symmetric `A` whose gradient as a general matrix is `m`.
fn onto_lower<T: Real, const N: usize>(m: &Mat<T, N>) -> Mat<T, N> {
    m.map_with_location(|r, c, v| match r.cmp(&c) {
        core::cmp::Ordering::Greater => v + m[(c, r)],
        core::cmp::Ordering::Equal => v,
        core::cmp::Ordering::Less => T::zero(),
    })
}

/// `L⁻¹` of a lower-triangular `l` with a nonzero diagonal (a Cholesky factor).
fn lower_inverse<T: Real, const N: usize>(l: &Mat<T, N>) -> Mat<T, N> {
    let mut inv = Mat::<T, N>::identity();
    // A Cholesky factor's diagonal is positive, so the solve succeeds; a zero pivot (a
    // factor that is a gradient, never solved with) would leave `inv` unchanged.
    l.solve_lower_triangular_mut(&mut inv);
    inv
}

/// The LU factorisation with partial pivoting `P A = L U` of a matrix of any fixed size
/// (nalgebra's `LU` needs its size as a `typenum`, which a const generic `N` is not): `L`
/// (unit diagonal, not stored) and `U` packed in one matrix, the row order, and the
/// permutation's sign. A zero pivot (a singular matrix) leaves a zero on `U`'s diagonal.
struct PivotedLu<T: Real, const N: usize> {
    packed: Mat<T, N>,
    rows: [usize; N],
    sign: T,
}

impl<T: Real, const N: usize> PivotedLu<T, N> {
    fn new(a: &Mat<T, N>) -> Self {
        let mut packed = *a;
        let mut rows: [usize; N] = core::array::from_fn(|i| i);
        let mut sign = T::one();
        for k in 0..N {
            let mut pivot_row = k;
            for i in k + 1..N {
                if packed[(i, k)].abs() > packed[(pivot_row, k)].abs() {
                    pivot_row = i;
                }
            }
            if packed[(pivot_row, k)] == T::zero() {
                continue;
            }
            if pivot_row != k {
                packed.swap_rows(pivot_row, k);
                rows.swap(pivot_row, k);
                sign = -sign;
            }
            let pivot = packed[(k, k)];
            for i in k + 1..N {
                let factor = packed[(i, k)] / pivot;
                packed[(i, k)] = factor;
                for j in k + 1..N {
                    let above = packed[(k, j)];
                    packed[(i, j)] -= factor * above;
                }
            }
        }
        PivotedLu { packed, rows, sign }
    }

    /// `det A = sign · Πᵢ Uᵢᵢ`.
    fn determinant(&self) -> T {
        (0..N).fold(self.sign, |p, i| p * self.packed[(i, i)])
    }

    /// `A⁻¹ b`, or `None` for a singular `A` (a zero on `U`'s diagonal), as nalgebra's
    /// `LU::solve`.
    fn solve<const K: usize>(&self, b: &SMatrix<T, N, K>) -> Option<SMatrix<T, N, K>> {
        if (0..N).any(|i| self.packed[(i, i)] == T::zero()) {
            return None;
        }
        let mut x = SMatrix::<T, N, K>::from_fn(|r, c| b[(self.rows[r], c)]);
        for c in 0..K {
            for i in 0..N {
                for j in 0..i {
                    let done = x[(j, c)];
                    x[(i, c)] -= self.packed[(i, j)] * done;
                }
            }
            for i in (0..N).rev() {
                for j in i + 1..N {
                    let done = x[(j, c)];
                    x[(i, c)] -= self.packed[(i, j)] * done;
                }
                x[(i, c)] /= self.packed[(i, i)];
            }
        }
        Some(x)
    }
}

/// `det A`, for any fixed size: nalgebra's closed forms up to 3 x 3, a pivoted LU above.
fn determinant<T: Real, const N: usize>(a: &Mat<T, N>) -> T {
    match N {
        0 => T::one(),
        1 => a[(0, 0)],
        2 => a[(0, 0)] * a[(1, 1)] - a[(1, 0)] * a[(0, 1)],
        3 => {
            let m12 = a[(1, 1)] * a[(2, 2)] - a[(2, 1)] * a[(1, 2)];
            let m02 = a[(1, 0)] * a[(2, 2)] - a[(2, 0)] * a[(1, 2)];
            let m01 = a[(1, 0)] * a[(2, 1)] - a[(2, 0)] * a[(1, 1)];
            a[(0, 0)] * m12 - a[(0, 1)] * m02 + a[(0, 2)] * m01
        }
        _ => PivotedLu::new(a).determinant(),
    }
}

/// `A⁻¹ b`, or `None` for a singular `A`, for any fixed size.
fn lu_solve<T: Real, const N: usize, const K: usize>(
    a: &Mat<T, N>,
    b: &SMatrix<T, N, K>,
) -> Option<SMatrix<T, N, K>> {
    PivotedLu::new(a).solve(b)
}

#[cfg(test)]
mod tests {
    use super::{Mat, determinant, lu_solve};
    use nalgebra::SMatrix;

    #[test]
    fn pivoted_lu_agrees_with_nalgebra() {
        let a = Mat::<f64, 4>::from_fn(|r, c| {
            (1.3 * r as f64 - 0.7 * c as f64 * c as f64).sin() + if r == c { 0.5 } else { 0.0 }
        });
        let b = SMatrix::<f64, 4, 2>::from_fn(|r, c| (r + 2 * c) as f64 - 1.5);
        assert!((determinant(&a) - a.determinant()).abs() < 1e-14);
        let x = lu_solve(&a, &b).unwrap();
        assert!((x - a.lu().solve(&b).unwrap()).norm() < 1e-12);
        // A zero first pivot needs a row swap.
        let p = Mat::<f64, 2>::new(0.0, 1.0, 2.0, 3.0);
        assert_eq!(determinant(&p), -2.0);
        assert_eq!(super::PivotedLu::new(&p).determinant(), -2.0);
        assert_eq!(
            lu_solve(&p, &SMatrix::<f64, 2, 1>::new(1.0, 5.0)),
            Some(SMatrix::<f64, 2, 1>::new(1.0, 1.0))
        );
        let singular = Mat::<f64, 2>::new(1.0, 2.0, 2.0, 4.0);
        assert_eq!(determinant(&singular), 0.0);
        assert_eq!(
            lu_solve(&singular, &SMatrix::<f64, 2, 1>::new(1.0, 1.0)),
            None
        );
    }
}
