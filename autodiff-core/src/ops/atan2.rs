//! Four-quadrant inverse tangent, `y = atan2(a, b)` (the angle of the point `(b, a)`),
//! elementwise.

use super::elementwise::{BinaryRule, binary_op};
use crate::real::Real;

/// `atan2(a, b)`: `∂/∂a = b/r²`, `∂/∂b = -a/r²` with `r² = a² + b²`; NaN at the origin,
/// where the angle has no derivative (as in PyTorch and JAX).
#[doc(hidden)]
pub struct Atan2Rule;

impl BinaryRule for Atan2Rule {
    #[inline(always)]
    fn value<T: Real>(a: T, b: T) -> T {
        a.atan2(b)
    }
    #[inline(always)]
    fn da<T: Real>(a: T, b: T, _y: T) -> T {
        b / (a * a + b * b)
    }
    #[inline(always)]
    fn db<T: Real>(a: T, b: T, _y: T) -> T {
        -a / (a * a + b * b)
    }
    #[inline(always)]
    fn daa<T: Real>(a: T, b: T, _y: T) -> T {
        let r2 = a * a + b * b;
        -(a + a) * b / (r2 * r2)
    }
    #[inline(always)]
    fn dab<T: Real>(a: T, b: T, _y: T) -> T {
        let r2 = a * a + b * b;
        (a * a - b * b) / (r2 * r2)
    }
    #[inline(always)]
    fn dbb<T: Real>(a: T, b: T, _y: T) -> T {
        let r2 = a * a + b * b;
        (a + a) * b / (r2 * r2)
    }
}

binary_op! {
    /// Elementwise four-quadrant inverse tangent of `self / other`: the angle of the point
    /// `(other, self)`, in `[-π, π]`, as `f64::atan2`. The gradient is
    /// `(other, -self) / (self² + other²)`, NaN at the origin (as in PyTorch).
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// let angle = tensor![1.0, -1.0].atan2(tensor![0.0, -1.0]);
    /// assert_eq!(angle, tensor![std::f64::consts::FRAC_PI_2, -3.0 * std::f64::consts::FRAC_PI_4]);
    /// ```
    Atan2: atan2, atan2_vjp, atan2_jvp, atan2_vjp_jvp, atan2_vjp_pair = Atan2Rule
}

#[cfg(test)]
mod tests {
    use super::Atan2;

    #[test]
    fn rules_match_finite_differences() {
        // Every quadrant, the branch cut's neighbourhood (b < 0, a near ±0) and the axes.
        crate::ops::testing::check_binary!(
            Atan2: atan2, atan2_vjp, atan2_jvp, atan2_vjp_jvp, atan2_vjp_pair;
            [
                (1.0, 2.0), (-0.5, 0.3), (0.7, -1.5), (-2.0, -0.4),
                (1e-3, -1.0), (-1e-3, -1.0), (0.0, 1.0), (1.0, 0.0),
            ];
            std = f64::atan2
        );
    }

    #[test]
    fn gradient_is_nan_at_the_origin() {
        let (ca, cb) = Atan2::atan2_vjp(0.0_f64, 0.0, 0.0, 1.0);
        assert!(ca.is_nan() && cb.is_nan());
    }
}
