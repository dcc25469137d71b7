//! The elementwise minimum of two values, `y = min(a, b)`.

use super::{Elementwise, Max};
use crate::real::Real;

/// Elementwise minimum `y = min(a, b)` of two values of the same type (two floats, or
/// two tensors of one shape), as `f64::min` computes it (a NaN operand yields the other).
/// VJP: the cotangent goes to the operand that is the minimum, split in half at a tie, as
/// in PyTorch's `torch.minimum`; JVP: the tangent of that operand (the mean of both at a
/// tie). The selection is piecewise constant, so the VJP's tangent is the VJP of `dct`.
///
/// ```
/// use autodiff_core::ops::Min;
///
/// assert_eq!(Min::min(2.0_f64, 3.0), 2.0);
/// assert_eq!((2.0_f64).min_vjp(3.0, 2.0, 1.0), (1.0, 0.0));
/// assert_eq!((1.0_f64).min_vjp(1.0, 1.0, 1.0), (0.5, 0.5));
/// assert_eq!((2.0_f64).min_jvp(3.0, 2.0, 10.0, 20.0), 10.0);
/// ```
pub trait Min: Sized {
    /// `y = min(a, b)`.
    fn min(self, rhs: Self) -> Self;

    /// `(ct_a, ct_b)`: `ct` to the minimum, halves at a tie.
    #[doc(hidden)]
    fn min_vjp(self, rhs: Self, out: Self, ct: Self) -> (Self, Self);

    /// `dy`: the tangent of the minimum, the mean of both at a tie.
    #[doc(hidden)]
    fn min_jvp(self, rhs: Self, out: Self, da: Self, db: Self) -> Self;

    /// The tangent of the VJP (forward over reverse, see the module docs): the VJP of
    /// `dct`, the selection being piecewise constant.
    #[allow(clippy::too_many_arguments)]
    #[doc(hidden)]
    fn min_vjp_jvp(
        self,
        rhs: Self,
        out: Self,
        ct: Self,
        da: Self,
        db: Self,
        dout: Self,
        dct: Self,
    ) -> (Self, Self);
}

/// Through [`Max`]: `min(a, b) = -max(-a, -b)` exactly (negation is exact and keeps NaN
/// and ties where they are), so the two selections cannot drift apart. The VJP's shares
/// carry over unchanged and the JVP is linear in the tangents, so both are `Max`'s at the
/// negated operands.
impl<X: Elementwise> Min for X {
    #[inline]
    fn min(self, rhs: Self) -> Self {
        neg(neg(self).max(neg(rhs)))
    }

    #[inline]
    #[doc(hidden)]
    fn min_vjp(self, rhs: Self, out: Self, ct: Self) -> (Self, Self) {
        neg(self).max_vjp(neg(rhs), neg(out), ct)
    }

    #[inline]
    #[doc(hidden)]
    fn min_jvp(self, rhs: Self, out: Self, da: Self, db: Self) -> Self {
        neg(self).max_jvp(neg(rhs), neg(out), da, db)
    }

    #[inline]
    #[allow(clippy::too_many_arguments)]
    #[doc(hidden)]
    fn min_vjp_jvp(
        self,
        rhs: Self,
        out: Self,
        _ct: Self,
        _da: Self,
        _db: Self,
        _dout: Self,
        dct: Self,
    ) -> (Self, Self) {
        self.min_vjp(rhs, out, dct)
    }
}

fn neg<X: Elementwise>(x: X) -> X {
    x.map_elems(|x| -x)
}

impl<T: Real, const R: usize, const C: usize> crate::tensor::Tensor<T, R, C> {
    /// The elementwise minimum of two tensors of one shape, as `f64::min` computes it;
    /// see [`Min`]. (The minimum element is [`amin`](Self::amin).)
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// let (a, b) = (tensor![1.0_f64, 4.0], tensor![2.0, 3.0]);
    /// assert_eq!(a.min(b), tensor![1.0, 3.0]);
    /// ```
    #[inline]
    pub fn min(self, other: Self) -> Self {
        Min::min(self, other)
    }
}

#[cfg(test)]
mod tests {
    use super::Min;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp, check_vjp_jvp};
    use crate::tensor::Tensor;

    type M = Tensor<f64, 2, 3>;

    fn operands() -> (M, M) {
        // No ties: finite differences are taken away from the kinks.
        (
            M::from_row_slice(&[0.3, -1.2, 2.0, -0.7, 0.1, 5.0]),
            M::from_row_slice(&[1.3, -2.2, 0.5, 0.7, -0.4, 4.0]),
        )
    }

    #[test]
    fn vjp_matches_finite_differences() {
        check_vjp(
            |(a, b): (M, M)| a.min(b),
            |(a, b), out, ct| a.min_vjp(b, out, ct),
            operands(),
        );
        check_vjp(
            |(a, b): (f64, f64)| Min::min(a, b),
            |(a, b), out, ct| a.min_vjp(b, out, ct),
            (0.3, -2.0),
        );
    }

    #[test]
    fn jvp_matches_finite_differences_and_the_vjp() {
        let f = |(a, b): (M, M)| a.min(b);
        let vjp = |(a, b): (M, M), out, ct| a.min_vjp(b, out, ct);
        let jvp = |(a, b): (M, M), out, (da, db)| a.min_jvp(b, out, da, db);
        check_jvp(f, jvp, operands());
        check_vjp_against_jvp(f, vjp, jvp, operands());
    }

    #[test]
    fn vjp_jvp_matches_finite_differences_of_the_vjp() {
        check_vjp_jvp(
            |(a, b): (M, M)| a.min(b),
            |(a, b): (M, M), out, (da, db)| a.min_jvp(b, out, da, db),
            |(a, b): (M, M), out, ct| a.min_vjp(b, out, ct),
            |(a, b): (M, M), out, ct, (da, db), dout, dct| {
                a.min_vjp_jvp(b, out, ct, da, db, dout, dct)
            },
            operands(),
        );
    }

    #[test]
    fn ties_split_and_nan_yields_the_other() {
        assert_eq!(Min::min(1.0_f64, 1.0), 1.0);
        assert_eq!((1.0_f64).min_vjp(1.0, 1.0, 4.0), (2.0, 2.0));
        assert_eq!((1.0_f64).min_jvp(1.0, 1.0, 4.0, 2.0), 3.0);
        assert_eq!(Min::min(f64::NAN, 2.0), 2.0);
        assert_eq!(Min::min(2.0, f64::NAN), 2.0);
        assert_eq!(Min::min(2.0_f64, 3.0), f64::min(2.0, 3.0));
    }
}
