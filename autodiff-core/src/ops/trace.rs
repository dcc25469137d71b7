//! Trace of a square matrix, `y = Σᵢ Aᵢᵢ`.

use crate::real::Real;
use crate::tensor::Tensor;

/// Trace of a square matrix `y = Σᵢ Aᵢᵢ`; VJP `ct_A = ct I`, JVP `dy = tr(dA)`. Linear, so
/// its second-order rule is the VJP of the cotangent's tangent.
///
/// ```
/// use autodiff_core::ops::Trace;
/// use autodiff_core::tensor;
///
/// let a = tensor![[1.0, 2.0], [3.0, 4.0]];
/// let y = a.trace();
/// assert_eq!(y, 5.0);
/// assert_eq!(a.trace_vjp(y, 2.0), tensor![[2.0, 0.0], [0.0, 2.0]]);
/// assert_eq!(a.trace_jvp(y, tensor![[1.0, 9.0], [9.0, 1.0]]), 2.0);
/// ```
pub trait Trace: Sized {
    /// The element type.
    type Output;

    /// `y = Σᵢ Aᵢᵢ`.
    fn trace(self) -> Self::Output;

    /// `ct_A = ct I`.
    fn trace_vjp(self, out: Self::Output, ct: Self::Output) -> Self;

    /// `dy = tr(dA)`.
    fn trace_jvp(self, out: Self::Output, dx: Self) -> Self::Output;

    /// The tangent of the VJP (see the module docs): linear, so the VJP of `dct`.
    #[inline]
    fn trace_vjp_jvp(
        self,
        out: Self::Output,
        _ct: Self::Output,
        _dx: Self,
        _dout: Self::Output,
        dct: Self::Output,
    ) -> Self {
        self.trace_vjp(out, dct)
    }
}

impl<T: Real, const N: usize> Trace for Tensor<T, N, N> {
    type Output = T;

    #[inline]
    fn trace(self) -> T {
        self.as_matrix().trace()
    }

    #[inline]
    fn trace_vjp(self, _out: T, ct: T) -> Self {
        Tensor::from_fn(|r, c| if r == c { ct } else { T::zero() })
    }

    #[inline]
    fn trace_jvp(self, _out: T, dx: Self) -> T {
        dx.as_matrix().trace()
    }
}

impl<T: Real, const N: usize> Tensor<T, N, N> {
    /// The sum of the diagonal; see [`Trace`].
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// assert_eq!(tensor![[1.0, 2.0], [3.0, 4.0]].trace(), 5.0);
    /// ```
    #[inline]
    pub fn trace(self) -> T {
        Trace::trace(self)
    }
}

#[cfg(test)]
mod tests {
    use super::Trace;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp, check_vjp_jvp};
    use crate::tensor::Tensor;

    type M = Tensor<f64, 3, 3>;

    #[test]
    fn rules_match_finite_differences() {
        let x = M::from_fn(|r, c| (r as f64 * 1.3 - c as f64 * 0.4).sin());
        let vjp = |x: M, out, ct| x.trace_vjp(out, ct);
        let jvp = |x: M, out, dx| x.trace_jvp(out, dx);
        check_vjp(Trace::trace, vjp, x);
        check_jvp(Trace::trace, jvp, x);
        check_vjp_against_jvp(Trace::trace, vjp, jvp, x);
        check_vjp_jvp(
            Trace::trace,
            jvp,
            vjp,
            |x: M, out, ct, dx, dout, dct| x.trace_vjp_jvp(out, ct, dx, dout, dct),
            x,
        );
    }
}
