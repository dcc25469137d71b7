//! Reading one element, `y = x[i]` or `y = x[(row, col)]`. The forward is `core::ops::Index`
//! (implemented next to the storage, in `tensor.rs`); the VJP is [`IndexVjp`].

use core::ops::Index;

use crate::real::Real;
use crate::tensor::Tensor;

/// The VJP of reading one element, `y = x[index]`: `ct_x` is zero except `ct` at `index`;
/// the JVP reads the same element of the tangent, `dy = dx[index]`.
/// `I` is `usize` for column vectors and `(usize, usize)` for any tensor.
///
/// # Panics
///
/// If `index` is out of range, like the forward.
///
/// ```
/// use autodiff_core::ops::IndexVjp;
/// use autodiff_core::tensor;
///
/// let x = tensor![[1.0, 2.0], [3.0, 4.0]];
/// let y = x[(1, 0)];
/// assert_eq!(y, 3.0);
/// assert_eq!(x.index_vjp((1, 0), 5.0), tensor![[0.0, 0.0], [5.0, 0.0]]);
/// assert_eq!(tensor![1.0, 2.0].index_vjp(1, 5.0), tensor![0.0, 5.0]);
/// assert_eq!(x.index_jvp((1, 0), y, tensor![[0.5, 0.0], [7.0, 0.0]]), 7.0);
/// ```
#[doc(hidden)]
pub trait IndexVjp<I>: Index<I> + Sized {
    /// Returns `ct_x`: zeros with `ct` at `index`.
    fn index_vjp(self, index: I, ct: <Self as Index<I>>::Output) -> Self;

    /// Returns `dy = dx[index]`.
    fn index_jvp(
        self,
        index: I,
        out: <Self as Index<I>>::Output,
        dx: Self,
    ) -> <Self as Index<I>>::Output;

    /// The tangent of the VJP (forward over reverse, see the module docs): the op is linear,
    /// so it is the VJP of `dct`.
    #[inline]
    fn index_vjp_jvp(
        self,
        index: I,
        _ct: <Self as Index<I>>::Output,
        _dx: Self,
        _dout: <Self as Index<I>>::Output,
        dct: <Self as Index<I>>::Output,
    ) -> Self
    where
        <Self as Index<I>>::Output: Sized,
    {
        self.index_vjp(index, dct)
    }
}

impl<T: Real, const R: usize> IndexVjp<usize> for Tensor<T, R, 1> {
    #[inline]
    #[track_caller]
    fn index_vjp(self, index: usize, ct: T) -> Self {
        let mut ct_x = Self::zeros();
        ct_x[index] = ct;
        ct_x
    }

    #[inline]
    #[track_caller]
    fn index_jvp(self, index: usize, _out: T, dx: Self) -> T {
        dx[index]
    }
}

impl<T: Real, const R: usize, const C: usize> IndexVjp<(usize, usize)> for Tensor<T, R, C> {
    #[inline]
    #[track_caller]
    fn index_vjp(self, index: (usize, usize), ct: T) -> Self {
        let mut ct_x = Self::zeros();
        ct_x[index] = ct;
        ct_x
    }

    #[inline]
    #[track_caller]
    fn index_jvp(self, index: (usize, usize), _out: T, dx: Self) -> T {
        dx[index]
    }
}

#[cfg(test)]
mod tests {
    use super::IndexVjp;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp};
    use crate::tensor::Tensor;

    #[test]
    fn vjp_matches_finite_differences() {
        let v = Tensor::<f64, 3>::from_row_slice(&[0.3, -1.2, 2.0]);
        check_vjp(|v: Tensor<f64, 3>| v[2], |v, _, ct| v.index_vjp(2, ct), v);
        let m = Tensor::<f64, 2, 3>::from_row_slice(&[0.3, -1.2, 2.0, -0.7, 0.1, 5.0]);
        check_vjp(
            |m: Tensor<f64, 2, 3>| m[(1, 2)],
            |m, _, ct| m.index_vjp((1, 2), ct),
            m,
        );
    }

    #[test]
    fn jvp_matches_finite_differences_and_the_vjp() {
        type M = Tensor<f64, 2, 3>;
        let m = M::from_row_slice(&[0.3, -1.2, 2.0, -0.7, 0.1, 5.0]);
        let f = |m: M| m[(1, 2)];
        let vjp = |m: M, _, ct| m.index_vjp((1, 2), ct);
        let jvp = |m: M, out, dm| m.index_jvp((1, 2), out, dm);
        check_jvp(f, jvp, m);
        check_vjp_against_jvp(f, vjp, jvp, m);
        let v = Tensor::<f64, 3>::from_row_slice(&[0.3, -1.2, 2.0]);
        check_jvp(
            |v: Tensor<f64, 3>| v[1],
            |v, out, dv| v.index_jvp(1, out, dv),
            v,
        );
    }

    #[test]
    fn fixed_values() {
        let v = Tensor::<f64, 3>::zeros();
        assert_eq!(
            v.index_vjp(0, 2.0),
            Tensor::from_row_slice(&[2.0, 0.0, 0.0])
        );
        assert_eq!(
            v.index_vjp((2, 0), 2.0),
            Tensor::from_row_slice(&[0.0, 0.0, 2.0])
        );
    }

    #[test]
    #[should_panic]
    fn out_of_range_panics() {
        let _ = Tensor::<f64, 2>::zeros().index_vjp(2, 1.0);
    }

    #[test]
    fn vjp_jvp_matches_finite_differences_of_the_vjp() {
        use crate::ops::testing::check_vjp_jvp;
        type M = Tensor<f64, 2, 3>;
        let m = M::from_row_slice(&[0.3, -1.2, 2.0, -0.7, 0.1, 5.0]);
        check_vjp_jvp(
            |m: M| m[(1, 2)],
            |m: M, out, dm| m.index_jvp((1, 2), out, dm),
            |m: M, _, ct| m.index_vjp((1, 2), ct),
            |m: M, _, ct, dm, dout, dct| m.index_vjp_jvp((1, 2), ct, dm, dout, dct),
            m,
        );
    }
}
