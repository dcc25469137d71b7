//! Real power, `y = xᵖ`, elementwise, differentiable in both `x` and `p`.

use nalgebra::ComplexField;
use num_traits::{One, Zero};

use super::Elementwise;
use crate::real::Real;
use crate::tensor::Tensor;

/// Elementwise real power `y = xᵖ` with a scalar exponent `p`; VJP
///
/// * `ct_x = ct * p * xᵖ⁻¹` (`0` for `p = 0`),
/// * `ct_p = Σ ct * ln(x) * y`, summed over the elements for a tensor, with the term taken
///   as `0` where `x = 0` and `p ≥ 0`, as in PyTorch.
///
/// ```
/// use autodiff_core::ops::Powf;
/// use autodiff_core::tensor;
///
/// let x = tensor![4.0, 1.0];
/// let y = x.powf(0.5);
/// assert_eq!(y, tensor![2.0, 1.0]);
/// let (ct_x, ct_p) = x.powf_vjp(0.5, y, tensor![1.0, 1.0]);
/// assert_eq!(ct_x, tensor![0.25, 0.5]);
/// assert_eq!(ct_p, 2.0 * 4.0_f64.ln());
/// ```
pub trait Powf: Sized {
    /// The type of the exponent: the element type.
    type Elem;

    /// `y = xᵖ`.
    fn powf(self, p: Self::Elem) -> Self;

    /// `(ct_x, ct_p) = (ct * p * xᵖ⁻¹, Σ ct * ln(x) * y)`.
    fn powf_vjp(self, p: Self::Elem, out: Self, ct: Self) -> (Self, Self::Elem);
}

impl<X: Elementwise> Powf for X {
    type Elem = X::Elem;

    #[inline]
    fn powf(self, p: X::Elem) -> Self {
        self.map_elems(|x| ComplexField::powf(x, p))
    }

    #[inline]
    fn powf_vjp(self, p: X::Elem, out: Self, ct: Self) -> (Self, X::Elem) {
        let zero = X::Elem::zero();
        let ct_x = if p == zero {
            ct.map_elems(|_| zero)
        } else {
            let m = p - X::Elem::one();
            ct.zip_map_elems(self, |ct, x| ct * p * ComplexField::powf(x, m))
        };
        let ct_p = ct
            .zip3_map_elems(self, out, |ct, x, y| {
                if x == zero && p >= zero {
                    zero
                } else {
                    ct * ComplexField::ln(x) * y
                }
            })
            .sum_elems();
        (ct_x, ct_p)
    }
}

impl<T: Real, const R: usize, const C: usize> Tensor<T, R, C> {
    /// Elementwise `xᵖ`; see [`Powf`].
    #[inline]
    pub fn powf(self, p: T) -> Self {
        Powf::powf(self, p)
    }
}

#[cfg(test)]
mod tests {
    use super::Powf;
    use crate::ops::testing::check_vjp;
    use crate::tensor::Tensor;

    type M = Tensor<f64, 2, 2>;

    #[test]
    fn vjp_matches_finite_differences() {
        let x = M::from_row_slice(&[0.3, 1.2, 2.0, 0.7]);
        for p in [-1.5, 0.5, 2.0, 3.3] {
            check_vjp(
                |(x, p): (M, f64)| x.powf(p),
                |(x, p), out, ct| x.powf_vjp(p, out, ct),
                (x, p),
            );
            check_vjp(
                |(x, p): (f64, f64)| Powf::powf(x, p),
                |(x, p), out, ct| x.powf_vjp(p, out, ct),
                (1.7, p),
            );
        }
    }

    #[test]
    fn fixed_values() {
        // At x = 0 and p ≥ 0 both derivatives are finite: PyTorch's conventions.
        assert_eq!(Powf::powf_vjp(0.0_f64, 2.0, 0.0, 1.0), (0.0, 0.0));
        assert_eq!(Powf::powf_vjp(0.0_f64, 0.0, 1.0, 1.0), (0.0, 0.0));
        assert_eq!(
            Powf::powf_vjp(2.0_f64, 3.0, 8.0, 1.0),
            (12.0, 8.0 * 2.0_f64.ln())
        );
    }
}
