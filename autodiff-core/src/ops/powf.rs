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
///   as `0` where `x = 0` and `p ≥ 0`, as in PyTorch;
///
/// and JVP `dy = dx * p * xᵖ⁻¹ + dp * ln(x) * y`, with the same conventions, the scalar
/// `dp` broadcast over the elements. A zero `dp` (a constant exponent) contributes nothing
/// even where `ln(x)` is NaN, so `x.powf(2.0)` has a finite tangent at negative `x`.
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
/// assert_eq!(x.powf_jvp(0.5, y, tensor![4.0, 2.0], 0.0), tensor![1.0, 1.0]);
/// assert_eq!(x.powf_jvp(0.5, y, tensor![0.0, 0.0], 1.0), tensor![2.0 * 4.0_f64.ln(), 0.0]);
/// ```
#[doc(hidden)]
pub trait Powf: Sized {
    /// The type of the exponent: the element type.
    type Elem;

    /// `y = xᵖ`.
    fn powf(self, p: Self::Elem) -> Self;

    /// `(ct_x, ct_p) = (ct * p * xᵖ⁻¹, Σ ct * ln(x) * y)`.
    fn powf_vjp(self, p: Self::Elem, out: Self, ct: Self) -> (Self, Self::Elem);

    /// `dy = dx * p * xᵖ⁻¹ + dp * ln(x) * y`.
    fn powf_jvp(self, p: Self::Elem, out: Self, dx: Self, dp: Self::Elem) -> Self;

    /// The tangent of the VJP (forward over reverse, see the module docs): both contributions differentiated along `(dx, dp, dct)`: `ct_x = ct ⊙ p xᵖ⁻¹`, `ct_p = Σ ct ⊙ y ⊙ ln x`.
    #[allow(clippy::too_many_arguments)]
    fn powf_vjp_jvp(
        self,
        p: Self::Elem,
        out: Self,
        ct: Self,
        dx: Self,
        dp: Self::Elem,
        dout: Self,
        dct: Self,
    ) -> (Self, Self::Elem);
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

    #[inline]
    fn powf_jvp(self, p: X::Elem, out: Self, dx: Self, dp: X::Elem) -> Self {
        let zero = X::Elem::zero();
        let m = p - X::Elem::one();
        // `p = 0` has slope 0 everywhere, also at `x = 0` where `p · x⁻¹` would be NaN.
        let slope = |x| {
            if p == zero {
                zero
            } else {
                p * ComplexField::powf(x, m)
            }
        };
        if dp == zero {
            // A constant exponent, the common case: `ln(x)` is not even evaluated, so a
            // negative `x` (NaN logarithm) keeps the finite tangent of `x²`.
            return dx.zip_map_elems(self, |dx, x| dx * slope(x));
        }
        dx.zip3_map_elems(self, out, |dx, x, y| {
            let log_term = if x == zero && p >= zero {
                zero
            } else {
                ComplexField::ln(x) * y
            };
            dx * slope(x) + dp * log_term
        })
    }

    #[inline]
    #[allow(clippy::too_many_arguments)]
    fn powf_vjp_jvp(
        self,
        p: X::Elem,
        out: Self,
        ct: Self,
        dx: Self,
        dp: X::Elem,
        dout: Self,
        dct: Self,
    ) -> (Self, X::Elem) {
        let (zero, one) = (X::Elem::zero(), X::Elem::one());
        let (first_x, first_p) = self.powf_vjp(p, out, dct);
        // The slope p x^(p-1) moves by p (p-1) x^(p-2) dx + x^(p-1) (1 + p ln x) dp.
        let (m, m2) = (p - one, p - one - one);
        let dslope = dx.zip_map_elems(self, |dx, x| {
            if p == zero {
                zero
            } else {
                p * m * ComplexField::powf(x, m2) * dx
            }
        });
        let dslope = if dp == zero {
            dslope
        } else {
            dslope.zip_map_elems(self, |d, x| {
                d + ComplexField::powf(x, m) * (one + p * ComplexField::ln(x)) * dp
            })
        };
        // ct_p = Σ ct y ln x moves by Σ (dct y ln x + ct y dx / x + ct dy ln x); the VJP's
        // `dct` term is `first_p`.
        let skip = |x| x == zero && p >= zero;
        let by_dx = ct
            .zip3_map_elems(
                self,
                out,
                |ct, x, y| if skip(x) { zero } else { ct * y / x },
            )
            .zip_map_elems(dx, |w, dx| w * dx)
            .sum_elems();
        let by_dy = ct
            .zip3_map_elems(self, dout, |ct, x, dy| {
                if skip(x) {
                    zero
                } else {
                    ct * ComplexField::ln(x) * dy
                }
            })
            .sum_elems();
        (
            super::second_order(first_x, ct, dslope),
            first_p + by_dx + by_dy,
        )
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
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp};
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
    fn jvp_matches_finite_differences_and_the_vjp() {
        let x = M::from_row_slice(&[0.3, 1.2, 2.0, 0.7]);
        for p in [-1.5, 0.5, 2.0, 3.3] {
            let f = |(x, p): (M, f64)| x.powf(p);
            let vjp = |(x, p): (M, f64), out, ct| x.powf_vjp(p, out, ct);
            let jvp = |(x, p): (M, f64), out, (dx, dp)| x.powf_jvp(p, out, dx, dp);
            check_jvp(f, jvp, (x, p));
            check_vjp_against_jvp(f, vjp, jvp, (x, p));
            let f = |(x, p): (f64, f64)| Powf::powf(x, p);
            let vjp = |(x, p): (f64, f64), out, ct| x.powf_vjp(p, out, ct);
            let jvp = |(x, p): (f64, f64), out, (dx, dp)| x.powf_jvp(p, out, dx, dp);
            check_jvp(f, jvp, (1.7, p));
            check_vjp_against_jvp(f, vjp, jvp, (1.7, p));
        }
        // A constant exponent alone, the path that skips the logarithm.
        let f = |x: M| x.powf(2.5);
        let vjp = |x: M, out, ct| x.powf_vjp(2.5, out, ct).0;
        let jvp = |x: M, out, dx| x.powf_jvp(2.5, out, dx, 0.0);
        check_jvp(f, jvp, x);
        check_vjp_against_jvp(f, vjp, jvp, x);
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
        assert_eq!(
            Powf::powf_jvp(2.0_f64, 3.0, 8.0, 1.0, 1.0),
            12.0 + 8.0 * 2.0_f64.ln()
        );
        assert_eq!(Powf::powf_jvp(0.0_f64, 2.0, 0.0, 1.0, 1.0), 0.0);
        assert_eq!(Powf::powf_jvp(0.0_f64, 0.0, 1.0, 1.0, 0.0), 0.0);
        // x² at x = -3 along dx = 1 is -6, with no NaN from ln(-3) for a constant p.
        assert_eq!(Powf::powf_jvp(-3.0_f64, 2.0, 9.0, 1.0, 0.0), -6.0);
    }

    #[test]
    fn vjp_jvp_matches_finite_differences_of_the_vjp() {
        use crate::ops::testing::check_vjp_jvp;
        type M = Tensor<f64, 2, 2>;
        let x = M::from_row_slice(&[0.3, 1.2, 2.0, 0.7]);
        check_vjp_jvp(
            |(x, p): (M, f64)| x.powf(p),
            |(x, p): (M, f64), out, (dx, dp)| x.powf_jvp(p, out, dx, dp),
            |(x, p): (M, f64), out, ct| x.powf_vjp(p, out, ct),
            |(x, p): (M, f64), out, ct, (dx, dp), dout, dct| {
                x.powf_vjp_jvp(p, out, ct, dx, dp, dout, dct)
            },
            (x, 2.3),
        );
        check_vjp_jvp(
            |(x, p): (f64, f64)| Powf::powf(x, p),
            |(x, p): (f64, f64), out, (dx, dp)| x.powf_jvp(p, out, dx, dp),
            |(x, p): (f64, f64), out, ct| x.powf_vjp(p, out, ct),
            |(x, p): (f64, f64), out, ct, (dx, dp), dout, dct| {
                x.powf_vjp_jvp(p, out, ct, dx, dp, dout, dct)
            },
            (1.7, -0.6),
        );
    }
}
