//! Triangular solves, `x = L⁻¹ b` and `x = U⁻¹ b`, reading one triangle of the matrix.

use nalgebra::SMatrix;

use super::{Mat, tril, triu};
use crate::linalg::Operand;
use crate::real::Real;
use crate::tensor::Tensor;

/// Which triangle a solve reads.
#[derive(Clone, Copy)]
enum Side {
    Lower,
    Upper,
}

impl Side {
    /// The triangle of `m` this side reads.
    fn part<T: Real, const N: usize>(self, m: &Mat<T, N>) -> Mat<T, N> {
        match self {
            Side::Lower => tril(m),
            Side::Upper => triu(m),
        }
    }

    /// `T⁻¹ b`, or `None` for a zero on the diagonal.
    fn solve<T: Real, const N: usize, const K: usize>(
        self,
        a: &Mat<T, N>,
        b: &SMatrix<T, N, K>,
    ) -> Option<SMatrix<T, N, K>> {
        match self {
            Side::Lower => a.solve_lower_triangular(b),
            Side::Upper => a.solve_upper_triangular(b),
        }
    }

    /// `T⁻ᵀ c`, zero for a zero on the diagonal (where the solve gave no output).
    fn tr_solve<T: Real, const N: usize, const K: usize>(
        self,
        a: &Mat<T, N>,
        c: &SMatrix<T, N, K>,
    ) -> SMatrix<T, N, K> {
        match self {
            Side::Lower => a.tr_solve_lower_triangular(c),
            Side::Upper => a.tr_solve_upper_triangular(c),
        }
        .unwrap_or_else(SMatrix::zeros)
    }

    fn vjp<T: Real, const N: usize, const K: usize>(
        self,
        a: &Tensor<T, N, N>,
        out: Option<Tensor<T, N, K>>,
        ct: Option<Tensor<T, N, K>>,
    ) -> (Tensor<T, N, N>, Tensor<T, N, K>) {
        let (Some(x), Some(ct)) = (out, ct) else {
            return (Tensor::zeros(), Tensor::zeros());
        };
        let ct_b = self.tr_solve(a.as_matrix(), ct.as_matrix());
        let ct_a = -self.part(&(ct_b * x.as_matrix().transpose()));
        (Tensor::from_matrix(ct_a), Tensor::from_matrix(ct_b))
    }

    fn jvp<T: Real, const N: usize, const K: usize>(
        self,
        a: &Tensor<T, N, N>,
        out: Option<Tensor<T, N, K>>,
        da: Tensor<T, N, N>,
        db: Tensor<T, N, K>,
    ) -> Option<Tensor<T, N, K>> {
        let x = out?;
        let rhs = db.as_matrix() - self.part(da.as_matrix()) * x.as_matrix();
        self.solve(a.as_matrix(), &rhs).map(Tensor::from_matrix)
    }

    #[allow(clippy::too_many_arguments)]
    fn vjp_jvp<T: Real, const N: usize, const K: usize>(
        self,
        a: &Tensor<T, N, N>,
        out: Option<Tensor<T, N, K>>,
        ct: Option<Tensor<T, N, K>>,
        da: Tensor<T, N, N>,
        dout: Option<Tensor<T, N, K>>,
        dct: Option<Tensor<T, N, K>>,
    ) -> (Tensor<T, N, N>, Tensor<T, N, K>) {
        let Some(x) = out else {
            return (Tensor::zeros(), Tensor::zeros());
        };
        let zero = Tensor::<T, N, K>::zeros();
        let (ct, dx, dct) = (
            ct.unwrap_or(zero),
            dout.unwrap_or(zero),
            dct.unwrap_or(zero),
        );
        let a = a.as_matrix();
        let da = self.part(da.as_matrix());
        let ct_b = self.tr_solve(a, ct.as_matrix());
        let dct_b = self.tr_solve(a, &(dct.as_matrix() - da.transpose() * ct_b));
        let dct_a =
            -self.part(&(dct_b * x.as_matrix().transpose() + ct_b * dx.as_matrix().transpose()));
        (Tensor::from_matrix(dct_a), Tensor::from_matrix(dct_b))
    }
}

/// Solves `L x = b` with `L` the lower triangle of the matrix (nalgebra's
/// `solve_lower_triangular`: the upper part is not read; `None` for a zero on the
/// diagonal). VJP `ct_b = L⁻ᵀ ct`, `ct_A = -tril(ct_b xᵀ)`; JVP
/// `dx = L⁻¹ (db - tril(dA) x)`; the VJP's tangent `dct_b = L⁻ᵀ (dct - tril(dA)ᵀ ct_b)`,
/// `dct_A = -tril(dct_b xᵀ + ct_b dxᵀ)`. A `None` output has zero derivatives.
///
/// ```
/// use autodiff_core::ops::SolveLowerTriangular;
/// use autodiff_core::tensor;
///
/// let a = tensor![[2.0, 99.0], [1.0, 1.0]]; // 99 is above the diagonal: not read
/// let x = a.solve_lower_triangular(&tensor![2.0, 3.0]);
/// assert_eq!(x, Some(tensor![1.0, 2.0]));
/// ```
pub trait SolveLowerTriangular<Rhs>: Sized {
    /// `Option<Rhs>`.
    type Output;

    /// `x = L⁻¹ b`, or `None`.
    fn solve_lower_triangular(self, b: Rhs) -> Self::Output;

    /// `(ct_A, ct_b)` (see the trait docs).
    fn solve_lower_triangular_vjp(self, b: Rhs, out: Self::Output, ct: Self::Output)
    -> (Self, Rhs);

    /// `dx = L⁻¹ (db - tril(dA) x)`.
    fn solve_lower_triangular_jvp(
        self,
        b: Rhs,
        out: Self::Output,
        da: Self,
        db: Rhs,
    ) -> Self::Output;

    /// The tangent of the VJP (see the trait docs).
    #[allow(clippy::too_many_arguments)]
    fn solve_lower_triangular_vjp_jvp(
        self,
        b: Rhs,
        out: Self::Output,
        ct: Self::Output,
        da: Self,
        db: Rhs,
        dout: Self::Output,
        dct: Self::Output,
    ) -> (Self, Rhs);
}

/// Solves `U x = b` with `U` the upper triangle of the matrix (nalgebra's
/// `solve_upper_triangular`): [`SolveLowerTriangular`] with `triu` for `tril`.
///
/// ```
/// use autodiff_core::ops::SolveUpperTriangular;
/// use autodiff_core::tensor;
///
/// let a = tensor![[1.0, 1.0], [99.0, 2.0]]; // 99 is below the diagonal: not read
/// let x = a.solve_upper_triangular(&tensor![3.0, 4.0]);
/// assert_eq!(x, Some(tensor![1.0, 2.0]));
/// ```
pub trait SolveUpperTriangular<Rhs>: Sized {
    /// `Option<Rhs>`.
    type Output;

    /// `x = U⁻¹ b`, or `None`.
    fn solve_upper_triangular(self, b: Rhs) -> Self::Output;

    /// `(ct_A, ct_b)` (see [`SolveLowerTriangular`]).
    fn solve_upper_triangular_vjp(self, b: Rhs, out: Self::Output, ct: Self::Output)
    -> (Self, Rhs);

    /// `dx = U⁻¹ (db - triu(dA) x)`.
    fn solve_upper_triangular_jvp(
        self,
        b: Rhs,
        out: Self::Output,
        da: Self,
        db: Rhs,
    ) -> Self::Output;

    /// The tangent of the VJP (see [`SolveLowerTriangular`]).
    #[allow(clippy::too_many_arguments)]
    fn solve_upper_triangular_vjp_jvp(
        self,
        b: Rhs,
        out: Self::Output,
        ct: Self::Output,
        da: Self,
        db: Rhs,
        dout: Self::Output,
        dct: Self::Output,
    ) -> (Self, Rhs);
}

impl<T: Real, const N: usize, const K: usize> SolveLowerTriangular<Tensor<T, N, K>>
    for Tensor<T, N, N>
{
    type Output = Option<Tensor<T, N, K>>;

    #[inline]
    fn solve_lower_triangular(self, b: Tensor<T, N, K>) -> Self::Output {
        Side::Lower
            .solve(self.as_matrix(), b.as_matrix())
            .map(Tensor::from_matrix)
    }

    fn solve_lower_triangular_vjp(
        self,
        _b: Tensor<T, N, K>,
        out: Self::Output,
        ct: Self::Output,
    ) -> (Self, Tensor<T, N, K>) {
        Side::Lower.vjp(&self, out, ct)
    }

    fn solve_lower_triangular_jvp(
        self,
        _b: Tensor<T, N, K>,
        out: Self::Output,
        da: Self,
        db: Tensor<T, N, K>,
    ) -> Self::Output {
        Side::Lower.jvp(&self, out, da, db)
    }

    fn solve_lower_triangular_vjp_jvp(
        self,
        _b: Tensor<T, N, K>,
        out: Self::Output,
        ct: Self::Output,
        da: Self,
        _db: Tensor<T, N, K>,
        dout: Self::Output,
        dct: Self::Output,
    ) -> (Self, Tensor<T, N, K>) {
        Side::Lower.vjp_jvp(&self, out, ct, da, dout, dct)
    }
}

impl<T: Real, const N: usize, const K: usize> SolveUpperTriangular<Tensor<T, N, K>>
    for Tensor<T, N, N>
{
    type Output = Option<Tensor<T, N, K>>;

    #[inline]
    fn solve_upper_triangular(self, b: Tensor<T, N, K>) -> Self::Output {
        Side::Upper
            .solve(self.as_matrix(), b.as_matrix())
            .map(Tensor::from_matrix)
    }

    fn solve_upper_triangular_vjp(
        self,
        _b: Tensor<T, N, K>,
        out: Self::Output,
        ct: Self::Output,
    ) -> (Self, Tensor<T, N, K>) {
        Side::Upper.vjp(&self, out, ct)
    }

    fn solve_upper_triangular_jvp(
        self,
        _b: Tensor<T, N, K>,
        out: Self::Output,
        da: Self,
        db: Tensor<T, N, K>,
    ) -> Self::Output {
        Side::Upper.jvp(&self, out, da, db)
    }

    fn solve_upper_triangular_vjp_jvp(
        self,
        _b: Tensor<T, N, K>,
        out: Self::Output,
        ct: Self::Output,
        da: Self,
        _db: Tensor<T, N, K>,
        dout: Self::Output,
        dct: Self::Output,
    ) -> (Self, Tensor<T, N, K>) {
        Side::Upper.vjp_jvp(&self, out, ct, da, dout, dct)
    }
}

impl<T: Real, const N: usize> Tensor<T, N, N> {
    /// The solution of `L x = b`, `L` this matrix's lower triangle (the rest is not read),
    /// or `None` for a zero on the diagonal; `b` by reference or by value. See
    /// [`SolveLowerTriangular`].
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// let l = tensor![[2.0, 0.0], [1.0, 1.0]];
    /// assert_eq!(l.solve_lower_triangular(&tensor![2.0, 3.0]), Some(tensor![1.0, 2.0]));
    /// ```
    #[inline]
    pub fn solve_lower_triangular<const K: usize>(
        self,
        b: impl Operand<Value = Tensor<T, N, K>>,
    ) -> Option<Tensor<T, N, K>> {
        SolveLowerTriangular::solve_lower_triangular(self, b.value())
    }

    /// The solution of `U x = b`, `U` this matrix's upper triangle (the rest is not read),
    /// or `None` for a zero on the diagonal; `b` by reference or by value. See
    /// [`SolveUpperTriangular`].
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// let u = tensor![[1.0, 1.0], [0.0, 2.0]];
    /// assert_eq!(u.solve_upper_triangular(tensor![3.0, 4.0]), Some(tensor![1.0, 2.0]));
    /// ```
    #[inline]
    pub fn solve_upper_triangular<const K: usize>(
        self,
        b: impl Operand<Value = Tensor<T, N, K>>,
    ) -> Option<Tensor<T, N, K>> {
        SolveUpperTriangular::solve_upper_triangular(self, b.value())
    }
}

#[cfg(test)]
mod tests {
    use super::{SolveLowerTriangular, SolveUpperTriangular};
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp, check_vjp_jvp};
    use crate::tensor::Tensor;

    type A = Tensor<f64, 3, 3>;
    type B = Tensor<f64, 3, 2>;

    fn inputs() -> (A, B) {
        (
            A::from_row_slice(&[1.5, 0.7, -0.2, 0.3, 0.9, 0.4, -0.4, 0.2, 1.2]),
            B::from_row_slice(&[0.3, -1.2, 2.0, 0.7, 0.1, 1.5]),
        )
    }

    #[test]
    fn lower_matches_finite_differences() {
        let f = |(a, b): (A, B)| a.solve_lower_triangular(b);
        let vjp = |(a, b): (A, B), out, ct| a.solve_lower_triangular_vjp(b, out, ct);
        let jvp = |(a, b): (A, B), out, (da, db)| a.solve_lower_triangular_jvp(b, out, da, db);
        check_vjp(f, vjp, inputs());
        check_jvp(f, jvp, inputs());
        check_vjp_against_jvp(f, vjp, jvp, inputs());
        check_vjp_jvp(
            f,
            jvp,
            vjp,
            |(a, b): (A, B), out, ct, (da, db), dout, dct| {
                a.solve_lower_triangular_vjp_jvp(b, out, ct, da, db, dout, dct)
            },
            inputs(),
        );
    }

    #[test]
    fn upper_matches_finite_differences() {
        let f = |(a, b): (A, B)| a.solve_upper_triangular(b);
        let vjp = |(a, b): (A, B), out, ct| a.solve_upper_triangular_vjp(b, out, ct);
        let jvp = |(a, b): (A, B), out, (da, db)| a.solve_upper_triangular_jvp(b, out, da, db);
        check_vjp(f, vjp, inputs());
        check_jvp(f, jvp, inputs());
        check_vjp_against_jvp(f, vjp, jvp, inputs());
        check_vjp_jvp(
            f,
            jvp,
            vjp,
            |(a, b): (A, B), out, ct, (da, db), dout, dct| {
                a.solve_upper_triangular_vjp_jvp(b, out, ct, da, db, dout, dct)
            },
            inputs(),
        );
    }

    #[test]
    fn a_zero_on_the_diagonal_gives_none() {
        let (mut a, b) = inputs();
        a[(1, 1)] = 0.0;
        assert_eq!(a.solve_lower_triangular(b), None);
        assert_eq!(
            a.solve_lower_triangular_vjp(b, None, Some(b)),
            (A::zeros(), B::zeros())
        );
    }
}
