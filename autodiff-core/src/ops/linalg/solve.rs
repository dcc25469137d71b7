//! Linear solve, `x = A⁻¹ b`, through a Cholesky or an LU factorisation.

use nalgebra::SMatrix;

use super::{Mat, lu_solve, tril};
use crate::linalg::{Cholesky, Lu, Operand};
use crate::real::Real;
use crate::tensor::Tensor;

/// Solves `A x = b` for an `N x K` right-hand side `b` (a vector or a matrix), through a
/// factorisation of `A`.
///
/// * [`Cholesky`] (`A = L Lᵀ`, always solvable): VJP `ct_b = A⁻¹ ct`,
///   `ct_L = tril(-(ct_b xᵀ + x ct_bᵀ) L)` (the cotangent `ct_A = -ct_b xᵀ` of Giles 2008,
///   §2.3.1, carried back through `A = L Lᵀ`); JVP `dx = A⁻¹ (db - dA x)` with
///   `dA = dL Lᵀ + L dLᵀ`; the VJP's tangent `dct_b = A⁻¹ (dct - dA ct_b)` and
///   `dct_L = tril(-(dct_b xᵀ + ct_b dxᵀ + dx ct_bᵀ + x dct_bᵀ) L - (ct_b xᵀ + x ct_bᵀ) dL)`.
/// * [`Lu`] (nalgebra's `lu().solve(b)`: `None` for a singular `A`): VJP `ct_b = A⁻ᵀ ct`,
///   `ct_A = -ct_b xᵀ`; JVP `dx = A⁻¹ (db - dA x)`; the VJP's tangent
///   `dct_b = A⁻ᵀ (dct - dAᵀ ct_b)`, `dct_A = -(dct_b xᵀ + ct_b dxᵀ)`; zero derivatives
///   for `None`.
///
/// ```
/// use autodiff_core::linalg::Lu;
/// use autodiff_core::ops::Solve;
/// use autodiff_core::tensor;
///
/// let a = tensor![[4.0, 2.0], [2.0, 5.0]];
/// let b = tensor![4.0, 2.0];
/// let x = Solve::solve(a.cholesky().unwrap(), b);
/// assert_eq!(x, tensor![1.0, 0.0]);
/// assert_eq!(Solve::solve(a.lu(), b), Some(x));
/// let (ct_lu, ct_b) = Solve::solve_vjp(a.lu(), b, Some(x), Some(tensor![1.0, 0.0]));
/// assert!((a.matmul(ct_b) - tensor![1.0, 0.0]).norm() < 1e-15); // A is symmetric
/// assert_eq!(ct_lu, Lu::of(-ct_b.outer(x)));
/// ```
pub trait Solve<Rhs>: Sized {
    /// The solution's type: `Rhs` for a Cholesky factor, `Option<Rhs>` for LU.
    type Output;

    /// `x = A⁻¹ b`.
    fn solve(self, b: Rhs) -> Self::Output;

    /// `(ct_factor, ct_b)` (see the trait docs).
    fn solve_vjp(self, b: Rhs, out: Self::Output, ct: Self::Output) -> (Self, Rhs);

    /// `dx = A⁻¹ (db - dA x)`.
    fn solve_jvp(self, b: Rhs, out: Self::Output, dfactor: Self, db: Rhs) -> Self::Output;

    /// The tangent of the VJP (see the trait docs).
    #[allow(clippy::too_many_arguments)]
    fn solve_vjp_jvp(
        self,
        b: Rhs,
        out: Self::Output,
        ct: Self::Output,
        dfactor: Self,
        db: Rhs,
        dout: Self::Output,
        dct: Self::Output,
    ) -> (Self, Rhs);
}

/// `A⁻¹ b` for `A = L Lᵀ`, by two triangular solves.
fn cholesky_solve<T: Real, const N: usize, const K: usize>(
    l: &Mat<T, N>,
    b: &SMatrix<T, N, K>,
) -> SMatrix<T, N, K> {
    l.tr_solve_lower_triangular_unchecked(&l.solve_lower_triangular_unchecked(b))
}

impl<T: Real, const N: usize, const K: usize> Solve<Tensor<T, N, K>> for Cholesky<T, N> {
    type Output = Tensor<T, N, K>;

    #[inline]
    fn solve(self, b: Tensor<T, N, K>) -> Tensor<T, N, K> {
        Tensor::from_matrix(cholesky_solve(&tril(self.l.as_matrix()), b.as_matrix()))
    }

    fn solve_vjp(
        self,
        _b: Tensor<T, N, K>,
        out: Tensor<T, N, K>,
        ct: Tensor<T, N, K>,
    ) -> (Self, Tensor<T, N, K>) {
        let l = tril(self.l.as_matrix());
        let x = out.as_matrix();
        let ct_b = cholesky_solve(&l, ct.as_matrix());
        let ct_l = -(ct_b * x.transpose() + x * ct_b.transpose()) * l;
        (
            Cholesky::from_l(Tensor::from_matrix(tril(&ct_l))),
            Tensor::from_matrix(ct_b),
        )
    }

    fn solve_jvp(
        self,
        _b: Tensor<T, N, K>,
        out: Tensor<T, N, K>,
        dfactor: Self,
        db: Tensor<T, N, K>,
    ) -> Tensor<T, N, K> {
        let l = tril(self.l.as_matrix());
        let dl = tril(dfactor.l.as_matrix());
        let da = dl * l.transpose() + l * dl.transpose();
        Tensor::from_matrix(cholesky_solve(&l, &(db.as_matrix() - da * out.as_matrix())))
    }

    fn solve_vjp_jvp(
        self,
        _b: Tensor<T, N, K>,
        out: Tensor<T, N, K>,
        ct: Tensor<T, N, K>,
        dfactor: Self,
        _db: Tensor<T, N, K>,
        dout: Tensor<T, N, K>,
        dct: Tensor<T, N, K>,
    ) -> (Self, Tensor<T, N, K>) {
        let l = tril(self.l.as_matrix());
        let dl = tril(dfactor.l.as_matrix());
        let da = dl * l.transpose() + l * dl.transpose();
        let (x, dx) = (out.as_matrix(), dout.as_matrix());
        let ct_b = cholesky_solve(&l, ct.as_matrix());
        let dct_b = cholesky_solve(&l, &(dct.as_matrix() - da * ct_b));
        let sym = ct_b * x.transpose() + x * ct_b.transpose();
        let dsym = dct_b * x.transpose()
            + ct_b * dx.transpose()
            + dx * ct_b.transpose()
            + x * dct_b.transpose();
        let dct_l = -(dsym * l) - sym * dl;
        (
            Cholesky::from_l(Tensor::from_matrix(tril(&dct_l))),
            Tensor::from_matrix(dct_b),
        )
    }
}

/// `A⁻ᵀ c`, or zero for a singular `A` (whose solve gave no output to differentiate).
fn transposed_solve<T: Real, const N: usize, const K: usize>(
    a: &Mat<T, N>,
    c: &SMatrix<T, N, K>,
) -> SMatrix<T, N, K> {
    lu_solve(&a.transpose(), c).unwrap_or_else(SMatrix::zeros)
}

impl<T: Real, const N: usize, const K: usize> Solve<Tensor<T, N, K>> for Lu<T, N> {
    type Output = Option<Tensor<T, N, K>>;

    #[inline]
    fn solve(self, b: Tensor<T, N, K>) -> Option<Tensor<T, N, K>> {
        lu_solve(self.a.as_matrix(), b.as_matrix()).map(Tensor::from_matrix)
    }

    fn solve_vjp(
        self,
        _b: Tensor<T, N, K>,
        out: Option<Tensor<T, N, K>>,
        ct: Option<Tensor<T, N, K>>,
    ) -> (Self, Tensor<T, N, K>) {
        let (Some(x), Some(ct)) = (out, ct) else {
            return (Lu::default(), Tensor::zeros());
        };
        let ct_b = transposed_solve(self.a.as_matrix(), ct.as_matrix());
        let ct_a = -(ct_b * x.as_matrix().transpose());
        (Lu::of(Tensor::from_matrix(ct_a)), Tensor::from_matrix(ct_b))
    }

    fn solve_jvp(
        self,
        _b: Tensor<T, N, K>,
        out: Option<Tensor<T, N, K>>,
        dfactor: Self,
        db: Tensor<T, N, K>,
    ) -> Option<Tensor<T, N, K>> {
        let x = out?;
        let rhs = db.as_matrix() - dfactor.a.as_matrix() * x.as_matrix();
        lu_solve(self.a.as_matrix(), &rhs).map(Tensor::from_matrix)
    }

    fn solve_vjp_jvp(
        self,
        _b: Tensor<T, N, K>,
        out: Option<Tensor<T, N, K>>,
        ct: Option<Tensor<T, N, K>>,
        dfactor: Self,
        _db: Tensor<T, N, K>,
        dout: Option<Tensor<T, N, K>>,
        dct: Option<Tensor<T, N, K>>,
    ) -> (Self, Tensor<T, N, K>) {
        let Some(x) = out else {
            return (Lu::default(), Tensor::zeros());
        };
        let zero = Tensor::<T, N, K>::zeros();
        let (ct, dx, dct) = (
            ct.unwrap_or(zero),
            dout.unwrap_or(zero),
            dct.unwrap_or(zero),
        );
        let (a, da) = (self.a.as_matrix(), dfactor.a.as_matrix());
        let x = x.as_matrix();
        let ct_b = transposed_solve(a, ct.as_matrix());
        let dct_b = transposed_solve(a, &(dct.as_matrix() - da.transpose() * ct_b));
        let dct_a = -(dct_b * x.transpose() + ct_b * dx.as_matrix().transpose());
        (
            Lu::of(Tensor::from_matrix(dct_a)),
            Tensor::from_matrix(dct_b),
        )
    }
}

impl<T: Real, const N: usize> Cholesky<T, N> {
    /// The solution `x` of `A x = b` for the factored `A`, `b` a vector or a matrix passed
    /// by reference (as nalgebra spells it) or by value; see [`Solve`].
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// let chol = tensor![[4.0, 2.0], [2.0, 5.0]].cholesky().unwrap();
    /// let b = tensor![4.0, 2.0];
    /// assert_eq!(chol.solve(&b), tensor![1.0, 0.0]);
    /// assert_eq!(chol.solve(b), chol.solve(&b));
    /// ```
    #[inline]
    pub fn solve<const K: usize>(
        &self,
        b: impl Operand<Value = Tensor<T, N, K>>,
    ) -> Tensor<T, N, K> {
        Solve::solve(*self, b.value())
    }
}

impl<T: Real, const N: usize> Lu<T, N> {
    /// The solution `x` of `A x = b`, or `None` if `A` is singular; `b` is a vector or a
    /// matrix passed by reference (as nalgebra spells it) or by value. See [`Solve`].
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// let lu = tensor![[2.0, 1.0], [0.0, 4.0]].lu();
    /// assert_eq!(lu.solve(&tensor![3.0, 4.0]), Some(tensor![1.0, 1.0]));
    /// ```
    #[inline]
    pub fn solve<const K: usize>(
        &self,
        b: impl Operand<Value = Tensor<T, N, K>>,
    ) -> Option<Tensor<T, N, K>> {
        Solve::solve(*self, b.value())
    }
}

#[cfg(test)]
mod tests {
    use super::Solve;
    use crate::linalg::{Cholesky, Lu};
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp, check_vjp_jvp};
    use crate::tensor::Tensor;

    type B = Tensor<f64, 3, 2>;

    fn check<F>(factor: F, b: B)
    where
        F: Solve<B> + crate::ops::testing::Flat,
        <F as Solve<B>>::Output: crate::ops::testing::Flat,
    {
        let f = |(m, b): (F, B)| m.solve(b);
        let vjp = |(m, b): (F, B), out, ct| m.solve_vjp(b, out, ct);
        let jvp = |(m, b): (F, B), out, (dm, db)| m.solve_jvp(b, out, dm, db);
        check_vjp(f, vjp, (factor, b));
        check_jvp(f, jvp, (factor, b));
        check_vjp_against_jvp(f, vjp, jvp, (factor, b));
        check_vjp_jvp(
            f,
            jvp,
            vjp,
            |(m, b): (F, B), out, ct, (dm, db), dout, dct| {
                m.solve_vjp_jvp(b, out, ct, dm, db, dout, dct)
            },
            (factor, b),
        );
    }

    fn b() -> B {
        B::from_row_slice(&[0.3, -1.2, 2.0, 0.7, 0.1, 1.5])
    }

    #[test]
    fn cholesky_solve_matches_finite_differences() {
        // Upper entries are never read: their derivatives are zero, as the checks expect.
        let l = Tensor::from_row_slice(&[1.5, 9.0, 9.0, 0.3, 0.9, 9.0, -0.4, 0.2, 1.2]);
        check(Cholesky::from_l(l), b());
    }

    #[test]
    fn lu_solve_matches_finite_differences() {
        let a = Tensor::from_fn(|r, c| {
            (1.3 * r as f64 - 0.7 * c as f64 + 0.2).sin() + if r == c { 1.5 } else { 0.0 }
        });
        check(Lu::of(a), b());
        let x = Solve::solve(Lu::of(a), b()).unwrap();
        assert!((a.matmul(x) - b()).norm() < 1e-14);
    }

    #[test]
    fn a_singular_lu_solve_is_none_with_zero_derivatives() {
        let a = Tensor::<f64, 2, 2>::from_row_slice(&[1.0, 2.0, 2.0, 4.0]);
        let b = Tensor::<f64, 2>::from_row_slice(&[1.0, 1.0]);
        assert_eq!(Solve::solve(Lu::of(a), b), None);
        assert_eq!(
            Lu::of(a).solve_vjp(b, None, Some(b)),
            (Lu::default(), Tensor::zeros())
        );
    }
}
