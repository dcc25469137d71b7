//! Largest element of a tensor, `y = maxᵢ xᵢ`, with its gradient split equally at ties.

use crate::real::Real;
use crate::tensor::Tensor;

/// The largest element `y = maxᵢ xᵢ` (PyTorch's `torch.amax` over all elements); VJP
/// `ct_x = ct · 1[xᵢ = y] / k` and JVP `dy = Σ_{xᵢ = y} dxᵢ / k`, where `k` is the number of
/// elements equal to the maximum: the gradient goes to the arg-max and is split equally at
/// ties, as in `torch.amax`. It is piecewise linear, so its second-order rule is the VJP of
/// the cotangent's tangent.
///
/// Not nalgebra's `amax`, which is the largest *absolute* value: a tensor's own method
/// shadows it (reach nalgebra's through `as_matrix()`). `max(b)` stays elementwise.
///
/// ```
/// use autodiff_core::ops::Amax;
/// use autodiff_core::tensor;
///
/// let x = tensor![1.0, 3.0, -5.0, 3.0];
/// let y = x.amax();
/// assert_eq!(y, 3.0);
/// assert_eq!(x.amax_vjp(y, 2.0), tensor![0.0, 1.0, 0.0, 1.0]);
/// assert_eq!(x.amax_jvp(y, tensor![0.0, 1.0, 0.0, 3.0]), 2.0);
/// ```
pub trait Amax: Sized {
    /// The element type.
    type Output;

    /// `y = maxᵢ xᵢ`.
    fn amax(self) -> Self::Output;

    /// `ct_x = ct · 1[xᵢ = y] / k`.
    fn amax_vjp(self, out: Self::Output, ct: Self::Output) -> Self;

    /// `dy = Σ_{xᵢ = y} dxᵢ / k`.
    fn amax_jvp(self, out: Self::Output, dx: Self) -> Self::Output;

    /// The tangent of the VJP (see the module docs): piecewise linear, so the VJP of
    /// `dct`.
    #[inline]
    fn amax_vjp_jvp(
        self,
        out: Self::Output,
        _ct: Self::Output,
        _dx: Self,
        _dout: Self::Output,
        dct: Self::Output,
    ) -> Self {
        self.amax_vjp(out, dct)
    }
}

impl<T: Real, const R: usize, const C: usize> Amax for Tensor<T, R, C> {
    type Output = T;

    #[inline]
    fn amax(self) -> T {
        self.as_matrix().max()
    }

    #[inline]
    fn amax_vjp(self, out: T, ct: T) -> Self {
        split_at(self, out, ct)
    }

    #[inline]
    fn amax_jvp(self, out: T, dx: Self) -> T {
        tangent_at(self, out, dx)
    }
}

/// `ct / k` at each of the `k` elements of `x` equal to `extremum`, `0` elsewhere.
pub(super) fn split_at<T: Real, const R: usize, const C: usize>(
    x: Tensor<T, R, C>,
    extremum: T,
    ct: T,
) -> Tensor<T, R, C> {
    let ties = x.iter().filter(|&&v| v == extremum).count();
    if ties == 0 {
        // Only a NaN extremum matches no element: no element gets a contribution.
        return Tensor::zeros();
    }
    let share = ct / Real::from_f64(ties as f64);
    x.map(|v| if v == extremum { share } else { T::zero() })
}

/// `Σ dxᵢ / k` over the `k` elements of `x` equal to `extremum`: `⟨split_at(x, ·, 1), dx⟩`.
pub(super) fn tangent_at<T: Real, const R: usize, const C: usize>(
    x: Tensor<T, R, C>,
    extremum: T,
    dx: Tensor<T, R, C>,
) -> T {
    split_at(x, extremum, T::one())
        .as_matrix()
        .dot(dx.as_matrix())
}

impl<T: Real, const R: usize, const C: usize> Tensor<T, R, C> {
    /// The largest element (PyTorch's `amax`, not nalgebra's largest absolute value); see
    /// [`Amax`].
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// assert_eq!(tensor![[1.0, -7.0], [2.0, 0.5]].amax(), 2.0);
    /// ```
    #[inline]
    pub fn amax(self) -> T {
        Amax::amax(self)
    }
}

#[cfg(test)]
mod tests {
    use super::Amax;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp, check_vjp_jvp};
    use crate::tensor::Tensor;

    type M = Tensor<f64, 2, 3>;

    #[test]
    fn rules_match_finite_differences_away_from_ties() {
        let x = M::from_row_slice(&[0.3, -1.2, 2.0, -0.7, 0.1, 1.9]);
        let vjp = |x: M, out, ct| x.amax_vjp(out, ct);
        let jvp = |x: M, out, dx| x.amax_jvp(out, dx);
        check_vjp(Amax::amax, vjp, x);
        check_jvp(Amax::amax, jvp, x);
        check_vjp_against_jvp(Amax::amax, vjp, jvp, x);
        check_vjp_jvp(
            Amax::amax,
            jvp,
            vjp,
            |x: M, out, ct, dx, dout, dct| x.amax_vjp_jvp(out, ct, dx, dout, dct),
            x,
        );
    }

    #[test]
    fn ties_split_the_gradient_equally_and_agree_with_the_jvp() {
        let x = M::from_row_slice(&[2.0, -1.2, 2.0, -0.7, 2.0, 1.9]);
        assert_eq!(x.amax(), 2.0);
        let ct = x.amax_vjp(2.0, 3.0);
        assert_eq!(ct, M::from_row_slice(&[1.0, 0.0, 1.0, 0.0, 1.0, 0.0]));
        // The JVP is the same split: the mean of the tangents at the tied elements.
        let dx = M::from_row_slice(&[1.0, 9.0, 2.0, 9.0, 6.0, 9.0]);
        assert_eq!(x.amax_jvp(2.0, dx), 3.0);
        check_vjp_against_jvp(
            Amax::amax,
            |x: M, out, ct| x.amax_vjp(out, ct),
            |x: M, out, dx| x.amax_jvp(out, dx),
            x,
        );
    }

    #[test]
    fn a_nan_maximum_gives_no_gradient() {
        let x = Tensor::<f64, 2>::from_row_slice(&[f64::NAN, f64::NAN]);
        let y = x.amax();
        assert_eq!(x.amax_vjp(y, 1.0), Tensor::zeros());
    }
}
