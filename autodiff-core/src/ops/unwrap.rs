//! `unwrap()` and `expect(msg)` of an `Option` a fallible op returned (`cholesky()`,
//! `try_inverse()`, `lu().solve(b)`): the identity on the value inside.

use crate::differentiable::Differentiable;

/// `x.unwrap()` of `Some(x)`; panics on `None` like `Option::unwrap`. VJP `Some(ct)`, JVP
/// the tangent inside, zero for a `None` tangent. Linear, so its second-order rule is the
/// VJP of the cotangent's tangent.
///
/// ```
/// use autodiff_core::ops::Unwrap;
/// use autodiff_core::tensor;
///
/// let x = Some(tensor![1.0, 2.0]);
/// let y = Unwrap::unwrap(x);
/// assert_eq!(Unwrap::unwrap_vjp(x, y, tensor![3.0, 4.0]), Some(tensor![3.0, 4.0]));
/// assert_eq!(Unwrap::unwrap_jvp(x, y, None), tensor![0.0, 0.0]);
/// ```
pub trait Unwrap: Sized {
    /// The value inside.
    type Output;

    /// The value inside; panics on `None`.
    #[track_caller]
    fn unwrap(self) -> Self::Output;

    /// `Some(ct)`.
    fn unwrap_vjp(self, out: Self::Output, ct: Self::Output) -> Self;

    /// The tangent inside (zero for `None`).
    fn unwrap_jvp(self, out: Self::Output, dx: Self) -> Self::Output;

    /// The tangent of the VJP: the VJP of `dct`.
    #[inline]
    fn unwrap_vjp_jvp(
        self,
        out: Self::Output,
        _ct: Self::Output,
        _dx: Self,
        _dout: Self::Output,
        dct: Self::Output,
    ) -> Self {
        self.unwrap_vjp(out, dct)
    }
}

impl<X: Differentiable> Unwrap for Option<X> {
    type Output = X;

    #[inline]
    #[track_caller]
    fn unwrap(self) -> X {
        Option::unwrap(self)
    }

    #[inline]
    fn unwrap_vjp(self, _out: X, ct: X) -> Self {
        Some(ct)
    }

    #[inline]
    fn unwrap_jvp(self, out: X, dx: Self) -> X {
        dx.unwrap_or_else(|| out.zero_like())
    }
}

/// `x.expect(msg)` of `Some(x)`; panics with `msg` on `None` like `Option::expect`. Its
/// rules are [`Unwrap`]'s; the message is not differentiated.
///
/// ```
/// use autodiff_core::ops::Expect;
///
/// let x = Some(2.0_f64);
/// let y = Expect::expect(x, "a value");
/// assert_eq!(Expect::expect_vjp(x, "a value", y, 1.5), Some(1.5));
/// assert_eq!(Expect::expect_jvp(x, "a value", y, Some(0.5)), 0.5);
/// ```
pub trait Expect: Sized {
    /// The value inside.
    type Output;

    /// The value inside; panics with `msg` on `None`.
    #[track_caller]
    fn expect(self, msg: &str) -> Self::Output;

    /// `Some(ct)`.
    fn expect_vjp(self, msg: &str, out: Self::Output, ct: Self::Output) -> Self;

    /// The tangent inside (zero for `None`).
    fn expect_jvp(self, msg: &str, out: Self::Output, dx: Self) -> Self::Output;

    /// The tangent of the VJP: the VJP of `dct`.
    #[inline]
    fn expect_vjp_jvp(
        self,
        msg: &str,
        out: Self::Output,
        _ct: Self::Output,
        _dx: Self,
        _dout: Self::Output,
        dct: Self::Output,
    ) -> Self {
        self.expect_vjp(msg, out, dct)
    }
}

impl<X: Differentiable> Expect for Option<X> {
    type Output = X;

    #[inline]
    #[track_caller]
    fn expect(self, msg: &str) -> X {
        Option::expect(self, msg)
    }

    #[inline]
    fn expect_vjp(self, _msg: &str, _out: X, ct: X) -> Self {
        Some(ct)
    }

    #[inline]
    fn expect_jvp(self, _msg: &str, out: X, dx: Self) -> X {
        dx.unwrap_or_else(|| out.zero_like())
    }
}

#[cfg(test)]
mod tests {
    use super::{Expect, Unwrap};
    use crate::tensor::Tensor;

    #[test]
    #[should_panic(expected = "not positive definite")]
    fn expect_panics_with_its_message() {
        let none: Option<Tensor<f64, 2>> = None;
        Expect::expect(none, "not positive definite");
    }

    #[test]
    #[should_panic(expected = "on a `None` value")]
    fn unwrap_panics_like_option_unwrap() {
        Unwrap::unwrap(None::<f64>);
    }

    #[test]
    fn rules_pass_the_value_through() {
        let x = Some(1.5_f64);
        assert_eq!(Unwrap::unwrap_jvp(x, 1.5, Some(2.0)), 2.0);
        assert_eq!(
            Unwrap::unwrap_vjp_jvp(x, 1.5, 1.0, Some(2.0), 2.0, 3.0),
            Some(3.0)
        );
        assert_eq!(
            Expect::expect_vjp_jvp(x, "m", 1.5, 1.0, None, 0.0, 3.0),
            Some(3.0)
        );
    }
}
