//! Clamping into an interval, `y = clamp(x, lo, hi)`, elementwise.

use num_traits::Zero;

use super::Elementwise;

/// Elementwise `y = clamp(x, lo, hi)`: `lo` below the interval, `hi` above it, `x` inside
/// (a NaN stays NaN). The bounds are hyperparameters, not differentiated. VJP
/// `ct_x = ct` where `lo ≤ x ≤ hi` and `0` outside, JVP the same mask on `dx`: the
/// boundary counts as inside, as in PyTorch's `clamp`.
///
/// ```
/// use autodiff_core::ops::Clamp;
/// use autodiff_core::tensor;
///
/// let x = tensor![-2.0, 0.5, 1.0, 3.0];
/// let y = x.clamp(0.0, 1.0);
/// assert_eq!(y, tensor![0.0, 0.5, 1.0, 1.0]);
/// let ones = tensor![1.0, 1.0, 1.0, 1.0];
/// assert_eq!(x.clamp_vjp(0.0, 1.0, y, ones), tensor![0.0, 1.0, 1.0, 0.0]);
/// assert_eq!(x.clamp_jvp(0.0, 1.0, y, ones), tensor![0.0, 1.0, 1.0, 0.0]);
/// ```
pub trait Clamp: Sized {
    /// The type of the bounds: the element type.
    type Elem;

    /// `y = clamp(x, lo, hi)`.
    fn clamp(self, lo: Self::Elem, hi: Self::Elem) -> Self;

    /// `ct_x = ct · [lo ≤ x ≤ hi]`.
    #[doc(hidden)]
    fn clamp_vjp(self, lo: Self::Elem, hi: Self::Elem, out: Self, ct: Self) -> Self;

    /// `dy = dx · [lo ≤ x ≤ hi]`.
    #[doc(hidden)]
    fn clamp_jvp(self, lo: Self::Elem, hi: Self::Elem, out: Self, dx: Self) -> Self;

    /// The tangent of the VJP (forward over reverse, see the module docs): `dct` under the
    /// same mask (the slope is piecewise constant).
    #[allow(clippy::too_many_arguments)]
    #[doc(hidden)]
    fn clamp_vjp_jvp(
        self,
        lo: Self::Elem,
        hi: Self::Elem,
        out: Self,
        ct: Self,
        dx: Self,
        dout: Self,
        dct: Self,
    ) -> Self;
}

impl<X: Elementwise> Clamp for X {
    type Elem = X::Elem;

    #[inline]
    fn clamp(self, lo: X::Elem, hi: X::Elem) -> Self {
        self.map_elems(|x| {
            if x < lo {
                lo
            } else if x > hi {
                hi
            } else {
                x
            }
        })
    }

    #[inline]
    #[doc(hidden)]
    fn clamp_vjp(self, lo: X::Elem, hi: X::Elem, _out: Self, ct: Self) -> Self {
        ct.zip_map_elems(self, |ct, x| {
            if x < lo || x > hi {
                X::Elem::zero()
            } else {
                ct
            }
        })
    }

    #[inline]
    #[doc(hidden)]
    fn clamp_jvp(self, lo: X::Elem, hi: X::Elem, out: Self, dx: Self) -> Self {
        self.clamp_vjp(lo, hi, out, dx)
    }

    #[inline]
    #[allow(clippy::too_many_arguments)]
    #[doc(hidden)]
    fn clamp_vjp_jvp(
        self,
        lo: X::Elem,
        hi: X::Elem,
        out: Self,
        _ct: Self,
        _dx: Self,
        _dout: Self,
        dct: Self,
    ) -> Self {
        self.clamp_vjp(lo, hi, out, dct)
    }
}

#[cfg(test)]
mod tests {
    use super::Clamp;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp, check_vjp_jvp};
    use crate::tensor::Tensor;

    type M = Tensor<f64, 2, 3>;

    fn x() -> M {
        // Away from the bounds, where finite differences see the slope.
        M::from_row_slice(&[0.3, -1.2, 2.0, -0.7, 0.1, 5.0])
    }

    #[test]
    fn vjp_and_jvp_match_finite_differences() {
        let f = |x: M| x.clamp(-1.0, 1.5);
        let vjp = |x: M, out, ct| x.clamp_vjp(-1.0, 1.5, out, ct);
        let jvp = |x: M, out, dx| x.clamp_jvp(-1.0, 1.5, out, dx);
        check_vjp(f, vjp, x());
        check_jvp(f, jvp, x());
        check_vjp_against_jvp(f, vjp, jvp, x());
        check_vjp(
            |x: f64| Clamp::clamp(x, 0.0, 1.0),
            |x: f64, out, ct| x.clamp_vjp(0.0, 1.0, out, ct),
            0.4,
        );
        check_vjp_jvp(
            f,
            jvp,
            vjp,
            |x: M, out, ct, dx, dout, dct| x.clamp_vjp_jvp(-1.0, 1.5, out, ct, dx, dout, dct),
            x(),
        );
    }

    #[test]
    fn the_boundary_is_inside_and_nan_stays() {
        assert_eq!(Clamp::clamp(1.0_f64, 0.0, 1.0), 1.0);
        assert_eq!((1.0_f64).clamp_vjp(0.0, 1.0, 1.0, 3.0), 3.0);
        assert_eq!((0.0_f64).clamp_vjp(0.0, 1.0, 0.0, 3.0), 3.0);
        assert_eq!((2.0_f64).clamp_vjp(0.0, 1.0, 1.0, 3.0), 0.0);
        assert!(Clamp::clamp(f64::NAN, 0.0, 1.0).is_nan());
    }
}
