//! Diagonal of a square matrix as a column vector, `yᵢ = Aᵢᵢ`.

use crate::real::Real;
use crate::tensor::Tensor;

/// The diagonal of a square matrix as a column vector `yᵢ = Aᵢᵢ` (nalgebra's `diagonal`);
/// VJP `ct_A = diag(ct)`, JVP `dy = diagonal(dA)`. Linear, so its second-order rule is the
/// VJP of the cotangent's tangent.
///
/// ```
/// use autodiff_core::ops::Diagonal;
/// use autodiff_core::tensor;
///
/// let a = tensor![[1.0, 2.0], [3.0, 4.0]];
/// let y = a.diagonal();
/// assert_eq!(y, tensor![1.0, 4.0]);
/// assert_eq!(a.diagonal_vjp(y, tensor![5.0, 6.0]), tensor![[5.0, 0.0], [0.0, 6.0]]);
/// assert_eq!(a.diagonal_jvp(y, tensor![[1.0, 9.0], [9.0, 2.0]]), tensor![1.0, 2.0]);
/// ```
pub trait Diagonal: Sized {
    /// The diagonal's type.
    type Output;

    /// `yᵢ = Aᵢᵢ`.
    fn diagonal(self) -> Self::Output;

    /// `ct_A = diag(ct)`.
    fn diagonal_vjp(self, out: Self::Output, ct: Self::Output) -> Self;

    /// `dy = diagonal(dA)`.
    fn diagonal_jvp(self, out: Self::Output, dx: Self) -> Self::Output;

    /// The tangent of the VJP (see the module docs): linear, so the VJP of `dct`.
    #[inline]
    fn diagonal_vjp_jvp(
        self,
        out: Self::Output,
        _ct: Self::Output,
        _dx: Self,
        _dout: Self::Output,
        dct: Self::Output,
    ) -> Self {
        self.diagonal_vjp(out, dct)
    }
}

impl<T: Real, const N: usize> Diagonal for Tensor<T, N, N> {
    type Output = Tensor<T, N>;

    #[inline]
    fn diagonal(self) -> Tensor<T, N> {
        Tensor::from_fn(|i, _| self[(i, i)])
    }

    #[inline]
    fn diagonal_vjp(self, _out: Tensor<T, N>, ct: Tensor<T, N>) -> Self {
        Tensor::from_fn(|r, c| if r == c { ct[r] } else { T::zero() })
    }

    #[inline]
    fn diagonal_jvp(self, _out: Tensor<T, N>, dx: Self) -> Tensor<T, N> {
        Diagonal::diagonal(dx)
    }
}

impl<T: Real, const N: usize> Tensor<T, N, N> {
    /// The diagonal as a column vector; see [`Diagonal`].
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// assert_eq!(tensor![[1.0, 2.0], [3.0, 4.0]].diagonal(), tensor![1.0, 4.0]);
    /// ```
    #[inline]
    pub fn diagonal(self) -> Tensor<T, N> {
        Diagonal::diagonal(self)
    }
}

#[cfg(test)]
mod tests {
    use super::Diagonal;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp, check_vjp_jvp};
    use crate::tensor::Tensor;

    type M = Tensor<f64, 3, 3>;

    #[test]
    fn rules_match_finite_differences() {
        let x = M::from_fn(|r, c| (r as f64 * 1.3 - c as f64 * 0.4).sin());
        let vjp = |x: M, out, ct| x.diagonal_vjp(out, ct);
        let jvp = |x: M, out, dx| x.diagonal_jvp(out, dx);
        check_vjp(Diagonal::diagonal, vjp, x);
        check_jvp(Diagonal::diagonal, jvp, x);
        check_vjp_against_jvp(Diagonal::diagonal, vjp, jvp, x);
        check_vjp_jvp(
            Diagonal::diagonal,
            jvp,
            vjp,
            |x: M, out, ct, dx, dout, dct| x.diagonal_vjp_jvp(out, ct, dx, dout, dct),
            x,
        );
    }
}
