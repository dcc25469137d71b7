//! Euclidean distance `y = hypot(a, b) = √(a² + b²)`, without overflow, elementwise.

use super::elementwise::{BinaryRule, binary_op};
use crate::real::Real;

/// `hypot(a, b)`, from the output: `∂/∂a = a/y`, `∂/∂b = b/y`, the Hessian
/// `(b², -ab, a²)/y³`; all 0 at the origin, like `norm`'s gradient at the zero vector.
#[doc(hidden)]
pub struct HypotRule;

/// `n / y`, or 0 where `y = 0` (the origin, where every numerator is 0 too).
#[inline(always)]
fn over<T: Real>(n: T, y: T) -> T {
    if y == T::zero() { T::zero() } else { n / y }
}

impl BinaryRule for HypotRule {
    #[inline(always)]
    fn value<T: Real>(a: T, b: T) -> T {
        a.hypot(b)
    }
    #[inline(always)]
    fn da<T: Real>(a: T, _b: T, y: T) -> T {
        over(a, y)
    }
    #[inline(always)]
    fn db<T: Real>(_a: T, b: T, y: T) -> T {
        over(b, y)
    }
    #[inline(always)]
    fn daa<T: Real>(_a: T, b: T, y: T) -> T {
        over(b * b, y * y * y)
    }
    #[inline(always)]
    fn dab<T: Real>(a: T, b: T, y: T) -> T {
        over(-a * b, y * y * y)
    }
    #[inline(always)]
    fn dbb<T: Real>(a: T, _b: T, y: T) -> T {
        over(a * a, y * y * y)
    }
}

binary_op! {
    /// Elementwise `√(self² + other²)`, without overflow or underflow in the squares, as
    /// `f64::hypot`. The gradient is `(self, other) / hypot`, and 0 at the origin (like
    /// `norm` at the zero vector; PyTorch gives NaN there).
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// assert_eq!(tensor![3.0, 1e200].hypot(tensor![4.0, 1e200]), tensor![5.0, 2.0_f64.sqrt() * 1e200]);
    /// ```
    Hypot: hypot, hypot_vjp, hypot_jvp, hypot_vjp_jvp, hypot_vjp_pair = HypotRule
}

#[cfg(test)]
mod tests {
    use super::Hypot;

    #[test]
    fn rules_match_finite_differences() {
        crate::ops::testing::check_binary!(
            Hypot: hypot, hypot_vjp, hypot_jvp, hypot_vjp_jvp, hypot_vjp_pair;
            [(3.0, 4.0), (-0.5, 0.3), (1e-2, -2e-2), (-2.0, 0.0), (0.0, 0.7)];
            std = f64::hypot
        );
    }

    #[test]
    fn gradient_is_zero_at_the_origin() {
        assert_eq!(Hypot::hypot_vjp(0.0_f64, 0.0, 0.0, 1.0), (0.0, 0.0));
        assert_eq!(Hypot::hypot_jvp(0.0_f64, 0.0, 0.0, 1.0, 1.0), 0.0);
        assert_eq!(
            Hypot::hypot_vjp_jvp(0.0_f64, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 1.0),
            (0.0, 0.0)
        );
    }
}
