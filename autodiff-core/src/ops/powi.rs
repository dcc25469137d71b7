//! Integer power, `y = xⁿ`, elementwise.

use nalgebra::ComplexField;
use num_traits::Zero;

use super::Elementwise;
use crate::real::Real;
use crate::tensor::Tensor;

/// Elementwise integer power `y = xⁿ`; VJP `ct_x = ct * n * xⁿ⁻¹` and JVP
/// `dy = dx * n * xⁿ⁻¹`, both `0` for `n = 0` (also at `x = 0`). The exponent is not
/// differentiated.
///
/// ```
/// use autodiff_core::ops::Powi;
/// use autodiff_core::tensor;
///
/// let x = tensor![2.0, -1.0];
/// let y = x.powi(3);
/// assert_eq!(y, tensor![8.0, -1.0]);
/// assert_eq!(x.powi_vjp(3, y, tensor![1.0, 1.0]), tensor![12.0, 3.0]);
/// assert_eq!(x.powi_jvp(3, y, tensor![0.5, 2.0]), tensor![6.0, 6.0]);
/// ```
#[doc(hidden)]
pub trait Powi: Sized {
    /// `y = xⁿ`.
    fn powi(self, n: i32) -> Self;

    /// `ct_x = ct * n * xⁿ⁻¹`.
    fn powi_vjp(self, n: i32, out: Self, ct: Self) -> Self;

    /// `dy = dx * n * xⁿ⁻¹`.
    fn powi_jvp(self, n: i32, out: Self, dx: Self) -> Self;

    /// The tangent of the VJP (forward over reverse, see the module docs):
    /// `dct ⊙ n xⁿ⁻¹ + ct ⊙ n (n - 1) xⁿ⁻² ⊙ dx`.
    fn powi_vjp_jvp(self, n: i32, out: Self, ct: Self, dx: Self, dout: Self, dct: Self) -> Self;
}

impl<X: Elementwise> Powi for X {
    #[inline]
    fn powi(self, n: i32) -> Self {
        self.map_elems(|x| ComplexField::powi(x, n))
    }

    #[inline]
    fn powi_vjp(self, n: i32, _out: Self, ct: Self) -> Self {
        if n == 0 {
            return ct.map_elems(|_| X::Elem::zero());
        }
        let factor = Real::from_f64(f64::from(n));
        // `saturating_sub` only matters for `n = i32::MIN`, where `xⁿ⁻¹` is 0 or ∞ anyway.
        let m = n.saturating_sub(1);
        ct.zip_map_elems(self, |ct, x| ct * factor * ComplexField::powi(x, m))
    }

    #[inline]
    fn powi_jvp(self, n: i32, out: Self, dx: Self) -> Self {
        // The derivative is diagonal, so the tangent is the VJP applied to `dx`; `n = 0`
        // and the `i32::MIN` saturation are handled there once.
        self.powi_vjp(n, out, dx)
    }

    #[inline]
    #[allow(unused_variables)]
    fn powi_vjp_jvp(self, n: i32, out: Self, ct: Self, dx: Self, dout: Self, dct: Self) -> Self {
        if n == 0 || n == 1 {
            return self.powi_vjp(n, out, dct);
        }
        let factor: X::Elem = Real::from_f64(f64::from(n) * f64::from(n.saturating_sub(1)));
        let m = n.saturating_sub(2);
        let dslope = dx.zip_map_elems(self, |dx, x| factor * ComplexField::powi(x, m) * dx);
        super::second_order(self.powi_vjp(n, out, dct), ct, dslope)
    }
}

impl<T: Real, const R: usize, const C: usize> Tensor<T, R, C> {
    /// Elementwise `xⁿ`; see [`Powi`].
    #[inline]
    pub fn powi(self, n: i32) -> Self {
        Powi::powi(self, n)
    }
}

#[cfg(test)]
mod tests {
    use super::Powi;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp};
    use crate::tensor::Tensor;

    #[test]
    fn vjp_matches_finite_differences() {
        let x = Tensor::<f64, 2, 2>::from_row_slice(&[0.3, -1.2, 2.0, -0.7]);
        for n in [-2, 0, 1, 2, 3] {
            check_vjp(
                |x: Tensor<f64, 2, 2>| x.powi(n),
                |x, out, ct| x.powi_vjp(n, out, ct),
                x,
            );
            check_vjp(
                |x: f64| Powi::powi(x, n),
                |x, out, ct| x.powi_vjp(n, out, ct),
                1.7,
            );
        }
    }

    #[test]
    fn jvp_matches_finite_differences_and_the_vjp() {
        type M = Tensor<f64, 2, 2>;
        let x = M::from_row_slice(&[0.3, -1.2, 2.0, -0.7]);
        for n in [-2, 0, 1, 2, 3] {
            let f = |x: M| x.powi(n);
            let vjp = |x: M, out, ct| x.powi_vjp(n, out, ct);
            let jvp = |x: M, out, dx| x.powi_jvp(n, out, dx);
            check_jvp(f, jvp, x);
            check_vjp_against_jvp(f, vjp, jvp, x);
            let f = |x: f64| Powi::powi(x, n);
            let vjp = |x: f64, out, ct| x.powi_vjp(n, out, ct);
            let jvp = |x: f64, out, dx| x.powi_jvp(n, out, dx);
            check_jvp(f, jvp, 1.7);
            check_vjp_against_jvp(f, vjp, jvp, 1.7);
        }
    }

    #[test]
    fn fixed_values() {
        assert_eq!(Powi::powi(0.0_f64, 0), 1.0);
        assert_eq!(Powi::powi_vjp(0.0_f64, 0, 1.0, 1.0), 0.0);
        assert_eq!(Powi::powi_vjp(0.0_f64, 1, 0.0, 2.0), 2.0);
        assert_eq!(Powi::powi_vjp(3.0_f64, 2, 9.0, 1.0), 6.0);
        assert_eq!(Powi::powi_jvp(0.0_f64, 0, 1.0, 1.0), 0.0);
        assert_eq!(Powi::powi_jvp(3.0_f64, 2, 9.0, 0.5), 3.0);
    }

    #[test]
    fn vjp_jvp_matches_finite_differences_of_the_vjp() {
        use crate::ops::testing::check_vjp_jvp;
        type M = Tensor<f64, 2, 2>;
        let x = M::from_row_slice(&[0.3, -1.2, 2.0, 0.7]);
        check_vjp_jvp(
            |x: M| x.powi(3),
            |x: M, out, dx| x.powi_jvp(3, out, dx),
            |x: M, out, ct| x.powi_vjp(3, out, ct),
            |x: M, out, ct, dx, dout, dct| x.powi_vjp_jvp(3, out, ct, dx, dout, dct),
            x,
        );
        let x = [0.3, -1.2, 2.0, 0.7][1];
        check_vjp_jvp(
            |x: f64| x.powi(3),
            |x: f64, out, dx| x.powi_jvp(3, out, dx),
            |x: f64, out, ct| x.powi_vjp(3, out, ct),
            |x: f64, out, ct, dx, dout, dct| x.powi_vjp_jvp(3, out, ct, dx, dout, dct),
            x,
        );
    }
}
