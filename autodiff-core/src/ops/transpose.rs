//! Transpose, `Y = Xᵀ`.

use crate::real::Real;
use crate::tensor::Tensor;

/// Transpose `Y = Xᵀ` of an `R x C` tensor; VJP `ct_X = ctᵀ`, JVP `dY = dXᵀ`.
///
/// ```
/// use autodiff_core::ops::Transpose;
/// use autodiff_core::tensor;
///
/// let x = tensor![[1.0, 2.0, 3.0]];
/// let y = x.t();
/// assert_eq!(y, tensor![1.0, 2.0, 3.0]);
/// assert_eq!(x.t_vjp(y, tensor![4.0, 5.0, 6.0]), tensor![[4.0, 5.0, 6.0]]);
/// assert_eq!(x.t_jvp(y, tensor![[4.0, 5.0, 6.0]]), tensor![4.0, 5.0, 6.0]);
/// ```
#[doc(hidden)]
pub trait Transpose: Sized {
    /// The transposed type.
    type Output;

    /// `Y = Xᵀ`.
    fn t(self) -> Self::Output;

    /// `ct_X = ctᵀ`.
    fn t_vjp(self, out: Self::Output, ct: Self::Output) -> Self;

    /// `dY = dXᵀ`.
    fn t_jvp(self, out: Self::Output, dx: Self) -> Self::Output;

    /// The tangent of the VJP (forward over reverse, see the module docs): the op is linear,
    /// so it is the VJP of `dct`.
    #[inline]
    fn t_vjp_jvp(
        self,
        out: Self::Output,
        _ct: Self::Output,
        _dx: Self,
        _dout: Self::Output,
        dct: Self::Output,
    ) -> Self {
        self.t_vjp(out, dct)
    }
}

impl<T: Real, const R: usize, const C: usize> Transpose for Tensor<T, R, C> {
    type Output = Tensor<T, C, R>;

    #[inline]
    fn t(self) -> Tensor<T, C, R> {
        Tensor::from_matrix(self.as_matrix().transpose())
    }

    #[inline]
    fn t_vjp(self, _out: Tensor<T, C, R>, ct: Tensor<T, C, R>) -> Self {
        Tensor::from_matrix(ct.as_matrix().transpose())
    }

    #[inline]
    fn t_jvp(self, _out: Tensor<T, C, R>, dx: Self) -> Tensor<T, C, R> {
        Transpose::t(dx)
    }
}

impl<T: Real, const R: usize, const C: usize> Tensor<T, R, C> {
    /// The transpose; see [`Transpose`].
    #[inline]
    pub fn t(self) -> Tensor<T, C, R> {
        Transpose::t(self)
    }
}

#[cfg(test)]
mod tests {
    use super::Transpose;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp};
    use crate::tensor::Tensor;

    #[test]
    fn vjp_matches_finite_differences() {
        let x = Tensor::<f64, 2, 3>::from_row_slice(&[0.3, -1.2, 2.0, -0.7, 0.1, 5.0]);
        check_vjp(
            Transpose::t,
            |x: Tensor<f64, 2, 3>, out, ct| x.t_vjp(out, ct),
            x,
        );
    }

    #[test]
    fn jvp_matches_finite_differences_and_the_vjp() {
        type M = Tensor<f64, 2, 3>;
        let x = M::from_row_slice(&[0.3, -1.2, 2.0, -0.7, 0.1, 5.0]);
        let vjp = |x: M, out, ct| x.t_vjp(out, ct);
        let jvp = |x: M, out, dx| x.t_jvp(out, dx);
        check_jvp(Transpose::t, jvp, x);
        check_vjp_against_jvp(Transpose::t, vjp, jvp, x);
    }

    #[test]
    fn fixed_values() {
        let x = Tensor::<f64, 2, 3>::from_row_slice(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        assert_eq!(
            x.t(),
            Tensor::from_row_slice(&[1.0, 4.0, 2.0, 5.0, 3.0, 6.0])
        );
        assert_eq!(x.t().t(), x);
        assert_eq!(x.t_jvp(x.t(), x * 2.0), x.t() * 2.0);
    }

    #[test]
    fn vjp_jvp_matches_finite_differences_of_the_vjp() {
        use crate::ops::testing::check_vjp_jvp;
        type X = Tensor<f64, 2, 3>;
        let x = X::from_row_slice(&[0.3, -1.2, 2.0, 0.7, 0.1, 1.5]);
        check_vjp_jvp(
            |x: X| x.t(),
            |x: X, out, dx| x.t_jvp(out, dx),
            |x: X, out, ct| x.t_vjp(out, ct),
            |x: X, out, ct, dx, dout, dct| x.t_vjp_jvp(out, ct, dx, dout, dct),
            x,
        );
    }
}
