//! Fixed-size row slice, `Y = X[start..start + N, :]`.

use crate::real::Real;
use crate::tensor::Tensor;

/// The `N` rows `start..start + N` of an `R x C` tensor, `Y = X[start..start + N, :]`;
/// VJP `ct_X` = zeros with `ct` written into those rows; JVP `dY` = the same rows of `dX`.
///
/// # Panics
///
/// If `start + N > R`, like nalgebra's `fixed_rows`.
///
/// ```
/// use autodiff_core::ops::FixedRows;
/// use autodiff_core::tensor;
///
/// let x = tensor![1.0, 2.0, 3.0, 4.0];
/// let y = x.fixed_rows::<2>(1);
/// assert_eq!(y, tensor![2.0, 3.0]);
/// assert_eq!(x.fixed_rows_vjp(1, y, tensor![5.0, 6.0]), tensor![0.0, 5.0, 6.0, 0.0]);
/// assert_eq!(x.fixed_rows_jvp(1, y, tensor![5.0, 6.0, 7.0, 8.0]), tensor![6.0, 7.0]);
/// ```
#[doc(hidden)]
pub trait FixedRows<const N: usize>: Sized {
    /// The slice's type, `N x C`.
    type Output;

    /// `Y = X[start..start + N, :]`.
    fn fixed_rows(self, start: usize) -> Self::Output;

    /// `ct_X[start..start + N, :] = ct`, zero elsewhere.
    fn fixed_rows_vjp(self, start: usize, out: Self::Output, ct: Self::Output) -> Self;

    /// `dY = dX[start..start + N, :]`.
    fn fixed_rows_jvp(self, start: usize, out: Self::Output, dx: Self) -> Self::Output;

    /// The tangent of the VJP (forward over reverse, see the module docs): the op is linear,
    /// so it is the VJP of `dct`.
    #[inline]
    fn fixed_rows_vjp_jvp(
        self,
        start: usize,
        out: Self::Output,
        _ct: Self::Output,
        _dx: Self,
        _dout: Self::Output,
        dct: Self::Output,
    ) -> Self {
        self.fixed_rows_vjp(start, out, dct)
    }
}

/// Adds `part` into rows `start..start + N` of `ct`, in place: how the reverse sweep
/// accumulates the cotangent of `x.fixed_rows::<N>(start)` into `x`'s adjoint, in O(N C)
/// rather than O(R C).
///
/// ```
/// use autodiff_core::ops::add_rows;
/// use autodiff_core::tensor;
///
/// let mut ct = tensor![1.0, 1.0, 1.0, 1.0];
/// add_rows::<_, 2, 4, 1>(&mut ct, 1, tensor![5.0, 6.0]);
/// assert_eq!(ct, tensor![1.0, 6.0, 7.0, 1.0]);
/// ```
#[inline]
#[track_caller]
pub fn add_rows<T: Real, const N: usize, const R: usize, const C: usize>(
    ct: &mut Tensor<T, R, C>,
    start: usize,
    part: Tensor<T, N, C>,
) {
    assert!(start + N <= R, "rows {start}..{} out of range", start + N);
    for c in 0..C {
        for r in 0..N {
            ct[(start + r, c)] += part[(r, c)];
        }
    }
}

impl<T: Real, const R: usize, const C: usize, const N: usize> FixedRows<N> for Tensor<T, R, C> {
    type Output = Tensor<T, N, C>;

    #[inline]
    #[track_caller]
    fn fixed_rows(self, start: usize) -> Tensor<T, N, C> {
        Tensor::from_matrix(self.as_matrix().fixed_rows::<N>(start).into_owned())
    }

    #[inline]
    #[track_caller]
    fn fixed_rows_vjp(self, start: usize, _out: Tensor<T, N, C>, ct: Tensor<T, N, C>) -> Self {
        let mut ct_x = Self::zeros().into_matrix();
        ct_x.fixed_rows_mut::<N>(start).copy_from(ct.as_matrix());
        Tensor::from_matrix(ct_x)
    }

    #[inline]
    #[track_caller]
    fn fixed_rows_jvp(self, start: usize, _out: Tensor<T, N, C>, dx: Self) -> Tensor<T, N, C> {
        FixedRows::<N>::fixed_rows(dx, start)
    }
}

impl<T: Real, const R: usize, const C: usize> Tensor<T, R, C> {
    /// The `N` rows starting at `start`; see [`FixedRows`].
    #[inline]
    #[track_caller]
    pub fn fixed_rows<const N: usize>(self, start: usize) -> Tensor<T, N, C> {
        FixedRows::<N>::fixed_rows(self, start)
    }
}

#[cfg(test)]
mod tests {
    use super::FixedRows;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp};
    use crate::tensor::Tensor;

    type M = Tensor<f64, 4, 2>;

    #[test]
    fn jvp_matches_finite_differences_and_the_vjp() {
        let x = M::from_fn(|r, c| (r as f64 * 1.3 - c as f64).sin());
        let f = |x: M| x.fixed_rows::<2>(1);
        let vjp = |x: M, out, ct| FixedRows::<2>::fixed_rows_vjp(x, 1, out, ct);
        let jvp = |x: M, out, dx| FixedRows::<2>::fixed_rows_jvp(x, 1, out, dx);
        check_jvp(f, jvp, x);
        check_vjp_against_jvp(f, vjp, jvp, x);
    }

    #[test]
    fn vjp_matches_finite_differences() {
        let x = M::from_fn(|r, c| (r as f64 * 1.3 - c as f64).sin());
        check_vjp(
            |x: M| x.fixed_rows::<2>(1),
            |x, out, ct| FixedRows::<2>::fixed_rows_vjp(x, 1, out, ct),
            x,
        );
        check_vjp(
            |x: M| x.fixed_rows::<4>(0),
            |x, out, ct| FixedRows::<4>::fixed_rows_vjp(x, 0, out, ct),
            x,
        );
    }

    #[test]
    fn fixed_values() {
        let x = M::from_row_slice(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]);
        assert_eq!(x.fixed_rows::<1>(3), Tensor::from_row_slice(&[7.0, 8.0]));
        assert_eq!(x.fixed_rows::<0>(4), Tensor::<f64, 0, 2>::zeros());
    }

    #[test]
    #[should_panic]
    fn out_of_range_panics() {
        let _ = M::zeros().fixed_rows::<2>(3);
    }

    #[test]
    fn vjp_jvp_matches_finite_differences_of_the_vjp() {
        use crate::ops::testing::check_vjp_jvp;
        let x = M::from_fn(|r, c| (r as f64 * 1.3 - c as f64).sin());
        check_vjp_jvp(
            |x: M| x.fixed_rows::<2>(1),
            |x: M, out, dx| FixedRows::<2>::fixed_rows_jvp(x, 1, out, dx),
            |x: M, out, ct| FixedRows::<2>::fixed_rows_vjp(x, 1, out, ct),
            |x: M, out, ct, dx, dout, dct| {
                FixedRows::<2>::fixed_rows_vjp_jvp(x, 1, out, ct, dx, dout, dct)
            },
            x,
        );
    }
}
