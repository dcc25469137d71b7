//! The logarithm of one plus a value, `y = ln(1 + x)`, elementwise (accurate near `0`).

use nalgebra::ComplexField;
use num_traits::One;

use super::Elementwise;
use crate::real::Real;
use crate::tensor::Tensor;

/// Elementwise `y = ln(1 + x)`, as `f64::ln_1p` computes it (PyTorch's `log1p`, a
/// softplus's last step); VJP `ct_x = ct / (1 + x)`, JVP `dy = dx / (1 + x)`.
///
/// ```
/// use autodiff_core::ops::Ln1p;
/// use autodiff_core::tensor;
///
/// let x = tensor![0.0, 3.0];
/// let y = x.ln_1p();
/// assert_eq!(y, tensor![0.0, 4.0_f64.ln()]);
/// assert_eq!(x.ln_1p_vjp(y, tensor![1.0, 2.0]), tensor![1.0, 0.5]);
/// assert_eq!(x.ln_1p_jvp(y, tensor![1.0, 2.0]), tensor![1.0, 0.5]);
/// ```
pub trait Ln1p: Sized {
    /// `y = ln(1 + x)`.
    fn ln_1p(self) -> Self;

    /// `ct_x = ct / (1 + x)`.
    fn ln_1p_vjp(self, out: Self, ct: Self) -> Self;

    /// `dy = dx / (1 + x)`.
    fn ln_1p_jvp(self, out: Self, dx: Self) -> Self;

    /// The tangent of the VJP (forward over reverse, see the module docs):
    /// `dct / (1 + x) - ct ⊙ dx / (1 + x)²`.
    fn ln_1p_vjp_jvp(self, out: Self, ct: Self, dx: Self, dout: Self, dct: Self) -> Self;

    /// The VJP and its tangent in one call, as `f_hvp` runs them: one method for rustc to
    /// resolve per op instead of two.
    #[inline(always)]
    fn ln_1p_vjp_pair(self, out: Self, ct: Self, dx: Self, dout: Self, dct: Self) -> (Self, Self)
    where
        Self: Copy,
    {
        (
            self.ln_1p_vjp(out, ct),
            self.ln_1p_vjp_jvp(out, ct, dx, dout, dct),
        )
    }
}

impl<X: Elementwise> Ln1p for X {
    #[inline]
    fn ln_1p(self) -> Self {
        self.map_elems(ComplexField::ln_1p)
    }

    #[inline]
    fn ln_1p_vjp(self, _out: Self, ct: Self) -> Self {
        ct.zip_map_elems(self, |ct, x| ct / (X::Elem::one() + x))
    }

    #[inline]
    fn ln_1p_jvp(self, _out: Self, dx: Self) -> Self {
        dx.zip_map_elems(self, |dx, x| dx / (X::Elem::one() + x))
    }

    #[inline]
    #[allow(unused_variables)]
    fn ln_1p_vjp_jvp(self, out: Self, ct: Self, dx: Self, dout: Self, dct: Self) -> Self {
        super::second_order(
            self.ln_1p_vjp(out, dct),
            ct,
            dx.zip_map_elems(self, |dx, x| {
                let p = X::Elem::one() + x;
                -dx / (p * p)
            }),
        )
    }
}

impl<T: Real, const R: usize, const C: usize> Tensor<T, R, C> {
    /// Elementwise `ln(1 + x)`; see [`Ln1p`].
    #[inline]
    pub fn ln_1p(self) -> Self {
        Ln1p::ln_1p(self)
    }
}

#[cfg(test)]
mod tests {
    use super::Ln1p;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp};
    use crate::tensor::Tensor;

    #[test]
    fn vjp_matches_finite_differences() {
        let x = Tensor::<f64, 2, 2>::from_row_slice(&[0.3, 1.2, 2.0, 0.7]);
        check_vjp(
            Ln1p::ln_1p,
            |x: Tensor<f64, 2, 2>, out, ct| x.ln_1p_vjp(out, ct),
            x,
        );
        check_vjp(Ln1p::ln_1p, |x: f64, out, ct| x.ln_1p_vjp(out, ct), 2.5);
    }

    #[test]
    fn jvp_matches_finite_differences_and_the_vjp() {
        type M = Tensor<f64, 2, 2>;
        let x = M::from_row_slice(&[0.3, 1.2, 2.0, 0.7]);
        let vjp = |x: M, out, ct| x.ln_1p_vjp(out, ct);
        let jvp = |x: M, out, dx| x.ln_1p_jvp(out, dx);
        check_jvp(Ln1p::ln_1p, jvp, x);
        check_vjp_against_jvp(Ln1p::ln_1p, vjp, jvp, x);
        let vjp = |x: f64, out, ct| x.ln_1p_vjp(out, ct);
        let jvp = |x: f64, out, dx| x.ln_1p_jvp(out, dx);
        check_jvp(Ln1p::ln_1p, jvp, 2.5);
        check_vjp_against_jvp(Ln1p::ln_1p, vjp, jvp, 2.5);
    }

    #[test]
    fn fixed_values() {
        assert_eq!(Ln1p::ln_1p(0.0_f64), 0.0);
        assert_eq!(Ln1p::ln_1p(-1.0_f64), f64::NEG_INFINITY);
        // Accurate where `1 + x` rounds to 1.
        assert_eq!(Ln1p::ln_1p(1e-20_f64), 1e-20);
        assert_eq!(Ln1p::ln_1p_vjp(3.0_f64, 4.0_f64.ln(), 2.0), 0.5);
        assert_eq!(Ln1p::ln_1p_jvp(3.0_f64, 4.0_f64.ln(), 2.0), 0.5);
    }

    #[test]
    fn vjp_jvp_matches_finite_differences_of_the_vjp() {
        use crate::ops::testing::check_vjp_jvp;
        type M = Tensor<f64, 2, 2>;
        let x = M::from_row_slice(&[0.3, 1.2, 2.0, 0.7]);
        check_vjp_jvp(
            |x: M| x.ln_1p(),
            |x: M, out, dx| x.ln_1p_jvp(out, dx),
            |x: M, out, ct| x.ln_1p_vjp(out, ct),
            |x: M, out, ct, dx, dout, dct| x.ln_1p_vjp_jvp(out, ct, dx, dout, dct),
            x,
        );
        let x = [0.3, 1.2, 2.0, 0.7][1];
        check_vjp_jvp(
            |x: f64| x.ln_1p(),
            |x: f64, out, dx| x.ln_1p_jvp(out, dx),
            |x: f64, out, ct| x.ln_1p_vjp(out, ct),
            |x: f64, out, ct, dx, dout, dct| x.ln_1p_vjp_jvp(out, ct, dx, dout, dct),
            x,
        );
    }
}
