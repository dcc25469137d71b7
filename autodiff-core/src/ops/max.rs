//! The elementwise maximum of two values, `y = max(a, b)`.

use num_traits::{One, Zero};

use super::Elementwise;
use crate::real::Real;

/// Elementwise maximum `y = max(a, b)` of two values of the same type (two floats, or
/// two tensors of one shape), as `f64::max` computes it (a NaN operand yields the other).
/// VJP: the cotangent goes to the operand that is the maximum, split in half at a tie, as
/// in PyTorch's `torch.maximum`; JVP: the tangent of that operand (the mean of both at a
/// tie). The selection is piecewise constant, so the VJP's tangent is the VJP of `dct`.
///
/// ```
/// use autodiff_core::ops::Max;
///
/// assert_eq!(Max::max(2.0_f64, 3.0), 3.0);
/// assert_eq!((2.0_f64).max_vjp(3.0, 3.0, 1.0), (0.0, 1.0));
/// assert_eq!((1.0_f64).max_vjp(1.0, 1.0, 1.0), (0.5, 0.5));
/// assert_eq!((2.0_f64).max_jvp(3.0, 3.0, 10.0, 20.0), 20.0);
/// ```
pub trait Max: Sized {
    /// `y = max(a, b)`.
    fn max(self, rhs: Self) -> Self;

    /// `(ct_a, ct_b)`: `ct` to the maximum, halves at a tie.
    #[doc(hidden)]
    fn max_vjp(self, rhs: Self, out: Self, ct: Self) -> (Self, Self);

    /// `dy`: the tangent of the maximum, the mean of both at a tie.
    #[doc(hidden)]
    fn max_jvp(self, rhs: Self, out: Self, da: Self, db: Self) -> Self;

    /// The tangent of the VJP (forward over reverse, see the module docs): the VJP of
    /// `dct`, the selection being piecewise constant.
    #[allow(clippy::too_many_arguments)]
    #[doc(hidden)]
    fn max_vjp_jvp(
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

/// `x` is NaN: the one value unequal to itself.
#[allow(clippy::eq_op)]
#[inline(always)]
fn is_nan<T: PartialEq + Copy>(x: T) -> bool {
    x != x
}

impl<X: Elementwise> Max for X {
    #[inline]
    fn max(self, rhs: Self) -> Self {
        self.zip_map_elems(rhs, |a, b| {
            // `f64::max`'s rule: a NaN operand yields the other one.
            if a > b || is_nan(b) { a } else { b }
        })
    }

    #[inline]
    #[doc(hidden)]
    fn max_vjp(self, rhs: Self, _out: Self, ct: Self) -> (Self, Self) {
        let half = X::Elem::one() / (X::Elem::one() + X::Elem::one());
        let zero = X::Elem::zero();
        let share = |mine: X::Elem, other: X::Elem, ct: X::Elem| {
            if mine == other {
                ct * half
            } else if mine > other || is_nan(other) {
                ct
            } else {
                zero
            }
        };
        (
            ct.zip3_map_elems(self, rhs, |ct, a, b| share(a, b, ct)),
            ct.zip3_map_elems(rhs, self, |ct, b, a| share(b, a, ct)),
        )
    }

    #[inline]
    #[doc(hidden)]
    fn max_jvp(self, rhs: Self, _out: Self, da: Self, db: Self) -> Self {
        let half = X::Elem::one() / (X::Elem::one() + X::Elem::one());
        let from_a = da.zip3_map_elems(self, rhs, |da, a, b| {
            if a == b {
                da * half
            } else if a > b || is_nan(b) {
                da
            } else {
                X::Elem::zero()
            }
        });
        let from_b = db.zip3_map_elems(rhs, self, |db, b, a| {
            if a == b {
                db * half
            } else if b > a || is_nan(a) {
                db
            } else {
                X::Elem::zero()
            }
        });
        from_a.zip_map_elems(from_b, |x, y| x + y)
    }

    #[inline]
    #[allow(clippy::too_many_arguments)]
    #[doc(hidden)]
    fn max_vjp_jvp(
        self,
        rhs: Self,
        out: Self,
        _ct: Self,
        _da: Self,
        _db: Self,
        _dout: Self,
        dct: Self,
    ) -> (Self, Self) {
        self.max_vjp(rhs, out, dct)
    }
}

impl<T: Real, const R: usize, const C: usize> crate::tensor::Tensor<T, R, C> {
    /// The elementwise maximum of two tensors of one shape, as `f64::max` computes it;
    /// see [`Max`]. (The maximum element is [`amax`](Self::amax).)
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// let (a, b) = (tensor![1.0_f64, 4.0], tensor![2.0, 3.0]);
    /// assert_eq!(a.max(b), tensor![2.0, 4.0]);
    /// ```
    #[inline]
    pub fn max(self, other: Self) -> Self {
        Max::max(self, other)
    }
}

#[cfg(test)]
mod tests {
    use super::Max;
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
            |(a, b): (M, M)| a.max(b),
            |(a, b), out, ct| a.max_vjp(b, out, ct),
            operands(),
        );
        check_vjp(
            |(a, b): (f64, f64)| Max::max(a, b),
            |(a, b), out, ct| a.max_vjp(b, out, ct),
            (0.3, -2.0),
        );
    }

    #[test]
    fn jvp_matches_finite_differences_and_the_vjp() {
        let f = |(a, b): (M, M)| a.max(b);
        let vjp = |(a, b): (M, M), out, ct| a.max_vjp(b, out, ct);
        let jvp = |(a, b): (M, M), out, (da, db)| a.max_jvp(b, out, da, db);
        check_jvp(f, jvp, operands());
        check_vjp_against_jvp(f, vjp, jvp, operands());
    }

    #[test]
    fn vjp_jvp_matches_finite_differences_of_the_vjp() {
        check_vjp_jvp(
            |(a, b): (M, M)| a.max(b),
            |(a, b): (M, M), out, (da, db)| a.max_jvp(b, out, da, db),
            |(a, b): (M, M), out, ct| a.max_vjp(b, out, ct),
            |(a, b): (M, M), out, ct, (da, db), dout, dct| {
                a.max_vjp_jvp(b, out, ct, da, db, dout, dct)
            },
            operands(),
        );
    }

    #[test]
    fn ties_split_and_nan_yields_the_other() {
        assert_eq!(Max::max(1.0_f64, 1.0), 1.0);
        assert_eq!((1.0_f64).max_vjp(1.0, 1.0, 4.0), (2.0, 2.0));
        assert_eq!((1.0_f64).max_jvp(1.0, 1.0, 4.0, 2.0), 3.0);
        assert_eq!(Max::max(f64::NAN, 2.0), 2.0);
        assert_eq!(Max::max(2.0, f64::NAN), 2.0);
        assert_eq!(Max::max(2.0_f64, 3.0), f64::max(2.0, 3.0));
    }
}
