//! Continuously differentiable exponential linear unit, PyTorch's `celu`, elementwise.

use nalgebra::ComplexField;
use num_traits::{One, Zero};

use super::Elementwise;
use crate::real::Real;
use crate::tensor::Tensor;

/// Elementwise CELU `y = max(0, x) + min(0, α (e^{x/α} - 1))`; VJP `ct_x = ct` where
/// `x > 0` and `ct * e^{x/α}` elsewhere, JVP `dy = dx` where `x > 0` and `dx * e^{x/α}`
/// elsewhere (both read the slope off the output). `α` is a hyperparameter, not
/// differentiated.
///
/// ```
/// use autodiff_core::ops::Celu;
/// use autodiff_core::tensor;
///
/// let x = tensor![2.0, 0.0];
/// let y = x.celu(0.5);
/// assert_eq!(y, tensor![2.0, 0.0]);
/// assert_eq!(x.celu_vjp(0.5, y, tensor![3.0, 3.0]), tensor![3.0, 3.0]);
/// assert_eq!(x.celu_jvp(0.5, y, tensor![3.0, -1.0]), tensor![3.0, -1.0]);
/// ```
#[doc(hidden)]
pub trait Celu: Sized {
    /// The type of `α`: the element type.
    type Elem;

    /// `y = max(0, x) + min(0, α (e^{x/α} - 1))`.
    fn celu(self, alpha: Self::Elem) -> Self;

    /// `ct_x = ct` for `x > 0`, `ct * e^{x/α} = ct * (y/α + 1)` otherwise.
    fn celu_vjp(self, alpha: Self::Elem, out: Self, ct: Self) -> Self;

    /// `dy = dx` for `x > 0`, `dx * e^{x/α} = dx * (y/α + 1)` otherwise.
    fn celu_jvp(self, alpha: Self::Elem, out: Self, dx: Self) -> Self;

    /// The tangent of the VJP (forward over reverse, see the module docs):
    /// `dct ⊙ slope + ct ⊙ dy / α` where `x ≤ 0` (the slope `y/α + 1` read off the output like the VJP's; constant where `x > 0`).
    fn celu_vjp_jvp(
        self,
        alpha: Self::Elem,
        out: Self,
        ct: Self,
        dx: Self,
        dout: Self,
        dct: Self,
    ) -> Self;
}

impl<X: Elementwise> Celu for X {
    type Elem = X::Elem;

    #[inline]
    fn celu(self, alpha: X::Elem) -> Self {
        // One division per call, not per element.
        let inv_alpha = X::Elem::one() / alpha;
        self.map_elems(|x| {
            if x > X::Elem::zero() {
                x
            } else {
                alpha * ComplexField::exp_m1(x * inv_alpha)
            }
        })
    }

    #[inline]
    fn celu_vjp(self, alpha: X::Elem, out: Self, ct: Self) -> Self {
        // From the output alone: y > 0 exactly where x > 0, and for x ≤ 0 the slope
        // e^{x/α} is y/α + 1. Where x/α ≪ 0 that sum cancels, but its absolute error stays
        // at the rounding of 1 (≈ 1e-16), against a slope that is itself nearly zero.
        let inv_alpha = X::Elem::one() / alpha;
        ct.zip_map_elems(out, |ct, y| {
            if y > X::Elem::zero() {
                ct
            } else {
                ct * (y * inv_alpha + X::Elem::one())
            }
        })
    }

    #[inline]
    fn celu_jvp(self, alpha: X::Elem, out: Self, dx: Self) -> Self {
        // The slope is the VJP's, read off the output the same way (see there).
        let inv_alpha = X::Elem::one() / alpha;
        dx.zip_map_elems(out, |dx, y| {
            if y > X::Elem::zero() {
                dx
            } else {
                dx * (y * inv_alpha + X::Elem::one())
            }
        })
    }

    #[inline]
    #[allow(unused_variables)]
    fn celu_vjp_jvp(
        self,
        alpha: X::Elem,
        out: Self,
        ct: Self,
        dx: Self,
        dout: Self,
        dct: Self,
    ) -> Self {
        let inv_alpha = X::Elem::one() / alpha;
        let dslope = dout.zip_map_elems(out, |dy, y| {
            if y > X::Elem::zero() {
                X::Elem::zero()
            } else {
                dy * inv_alpha
            }
        });
        super::second_order(self.celu_vjp(alpha, out, dct), ct, dslope)
    }
}

impl<T: Real, const R: usize, const C: usize> Tensor<T, R, C> {
    /// Elementwise CELU with parameter `alpha`; see [`Celu`].
    #[inline]
    pub fn celu(self, alpha: T) -> Self {
        Celu::celu(self, alpha)
    }
}

#[cfg(test)]
mod tests {
    use super::Celu;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp};
    use crate::tensor::Tensor;

    #[test]
    fn vjp_matches_finite_differences() {
        let x = Tensor::<f64, 2, 2>::from_row_slice(&[0.3, -1.2, 2.0, -0.7]);
        for alpha in [0.5, 1.0, 2.0] {
            check_vjp(
                |x: Tensor<f64, 2, 2>| x.celu(alpha),
                |x, out, ct| x.celu_vjp(alpha, out, ct),
                x,
            );
            check_vjp(
                |x: f64| Celu::celu(x, alpha),
                |x, out, ct| x.celu_vjp(alpha, out, ct),
                -0.4,
            );
        }
    }

    #[test]
    fn jvp_matches_finite_differences_and_the_vjp() {
        type M = Tensor<f64, 2, 2>;
        let x = M::from_row_slice(&[0.3, -1.2, 2.0, -0.7]);
        for alpha in [0.5, 1.0, 2.0] {
            let f = |x: M| x.celu(alpha);
            let vjp = |x: M, out, ct| x.celu_vjp(alpha, out, ct);
            let jvp = |x: M, out, dx| x.celu_jvp(alpha, out, dx);
            check_jvp(f, jvp, x);
            check_vjp_against_jvp(f, vjp, jvp, x);
            let f = |x: f64| Celu::celu(x, alpha);
            let vjp = |x: f64, out, ct| x.celu_vjp(alpha, out, ct);
            let jvp = |x: f64, out, dx| x.celu_jvp(alpha, out, dx);
            check_jvp(f, jvp, -0.4);
            check_vjp_against_jvp(f, vjp, jvp, -0.4);
        }
    }

    #[test]
    fn fixed_values() {
        // torch.celu(torch.tensor(-1.), alpha=0.5) = 0.5 * (e^-2 - 1)
        let y = Celu::celu(-1.0_f64, 0.5);
        assert!((y - -0.432_332_358_381_693_65).abs() < 1e-15);
        assert!((Celu::celu_vjp(-1.0_f64, 0.5, y, 1.0) - 0.135_335_283_236_612_7).abs() < 1e-15);
        assert_eq!(Celu::celu(3.0_f64, 0.5), 3.0);
        assert_eq!(Celu::celu_vjp(0.0_f64, 0.5, 0.0, 2.0), 2.0);
        assert!((Celu::celu_jvp(-1.0_f64, 0.5, y, 2.0) - 0.270_670_566_473_225_4).abs() < 1e-15);
        assert_eq!(Celu::celu_jvp(3.0_f64, 0.5, 3.0, 2.0), 2.0);
    }

    #[test]
    fn vjp_jvp_matches_finite_differences_of_the_vjp() {
        use crate::ops::testing::check_vjp_jvp;
        type M = Tensor<f64, 2, 2>;
        let x = M::from_row_slice(&[0.3, -1.2, 2.0, -0.7]);
        check_vjp_jvp(
            |x: M| x.celu(0.8),
            |x: M, out, dx| x.celu_jvp(0.8, out, dx),
            |x: M, out, ct| x.celu_vjp(0.8, out, ct),
            |x: M, out, ct, dx, dout, dct| x.celu_vjp_jvp(0.8, out, ct, dx, dout, dct),
            x,
        );
        let x = [0.3, -1.2, 2.0, -0.7][1];
        check_vjp_jvp(
            |x: f64| x.celu(0.8),
            |x: f64, out, dx| x.celu_jvp(0.8, out, dx),
            |x: f64, out, ct| x.celu_vjp(0.8, out, ct),
            |x: f64, out, ct, dx, dout, dct| x.celu_vjp_jvp(0.8, out, ct, dx, dout, dct),
            x,
        );
    }
}
