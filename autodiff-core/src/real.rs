//! [`Real`]: the element types that tensors do math with, `f32` and `f64`.

use core::fmt::{Debug, Display, LowerExp};

use nalgebra::RealField;

use crate::Differentiable;

/// A floating-point element type: `f32` or `f64`.
///
/// Every differentiable operation is generic over `T: Real`, so a function written once
/// runs in either precision. The trait is sealed: it is implemented for exactly `f32` and
/// `f64`, which lets the crate rely on IEEE semantics and on conversions through `f64`.
///
/// In generic code, call the conversions as `Real::from_f64(x)` and `Real::to_f64(x)`:
/// nalgebra's `RealField` brings num-traits' `FromPrimitive::from_f64` and
/// `ToPrimitive::to_f64` (which return `Option`s) into scope under the same names, so
/// `T::from_f64(x)` is ambiguous there.
///
/// ```
/// use autodiff_core::Real;
///
/// fn half<T: Real>(x: T) -> T {
///     x * Real::from_f64(0.5)
/// }
///
/// assert_eq!(half(3.0_f32), 1.5);
/// assert_eq!(Real::to_f64(half(3.0_f64)), 1.5);
/// ```
///
/// Every `Real` is a [`Differentiable`] value, so generic code over `T: Real` may use
/// `Tensor<T, R, C>` and structs of them as differentiable values without more bounds.
// `ScalarOutput` too, so a generic caller of `f_grad` needs no bound beyond `T: Real`.
pub trait Real:
    RealField
    + Copy
    + Default
    + Display
    + Debug
    + LowerExp
    + Differentiable
    + crate::bounds::ScalarOutput
    + crate::bounds::Operand<Value = Self>
    + 'static
    + sealed::Sealed
{
    /// Converts an `f64` to this type, rounding to nearest for `f32`. Generated code uses
    /// it to turn float literals into constants of the element type.
    fn from_f64(x: f64) -> Self;

    /// Converts this value to `f64`, exactly.
    fn to_f64(self) -> f64;
}

impl Real for f32 {
    #[inline(always)]
    fn from_f64(x: f64) -> Self {
        x as f32
    }

    #[inline(always)]
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
}

impl Real for f64 {
    #[inline(always)]
    fn from_f64(x: f64) -> Self {
        x
    }

    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }
}

mod sealed {
    /// Keeps [`Real`](super::Real) to the two IEEE types the crate is written for.
    pub trait Sealed {}

    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

#[cfg(test)]
mod tests {
    use super::Real;

    #[test]
    fn conversions_round_trip() {
        assert_eq!(f64::from_f64(0.1), 0.1);
        assert_eq!(f32::from_f64(0.1), 0.1_f32);
        assert_eq!(0.1_f32.to_f64(), f64::from(0.1_f32));
        assert_eq!((-2.5_f64).to_f64(), -2.5);
    }
}
