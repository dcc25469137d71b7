//! Exponential, `y = exp(x)`, elementwise.

use nalgebra::ComplexField;

use super::Elementwise;
use crate::real::Real;
use crate::tensor::Tensor;

/// Elementwise exponential `y = eˣ`; VJP `ct_x = ct * y` and JVP `dy = dx * y`,
/// both reusing the output.
///
/// ```
/// use autodiff_core::ops::Exp;
/// use autodiff_core::tensor;
///
/// let x = tensor![0.0, 1.0];
/// let y = x.exp();
/// assert_eq!(y, tensor![1.0, std::f64::consts::E]);
/// assert_eq!(x.exp_vjp(y, tensor![2.0, 1.0]), tensor![2.0, std::f64::consts::E]);
/// assert_eq!(x.exp_jvp(y, tensor![2.0, 1.0]), tensor![2.0, std::f64::consts::E]);
/// assert_eq!(Exp::exp(0.0_f32), 1.0);
/// ```
pub trait Exp: Sized {
    /// `y = eˣ`.
    fn exp(self) -> Self;

    /// `ct_x = ct * y`.
    fn exp_vjp(self, out: Self, ct: Self) -> Self;

    /// `dy = dx * y`, reusing the output.
    fn exp_jvp(self, out: Self, dx: Self) -> Self;

    /// The tangent of the VJP (forward over reverse, see the module docs):
    /// `dct ⊙ y + ct ⊙ dy`.
    fn exp_vjp_jvp(self, out: Self, ct: Self, dx: Self, dout: Self, dct: Self) -> Self;

    /// The VJP and its tangent in one call, as `f_hvp` runs them: one method for rustc to
    /// resolve per op instead of two.
    #[inline(always)]
    fn exp_vjp_pair(self, out: Self, ct: Self, dx: Self, dout: Self, dct: Self) -> (Self, Self)
    where
        Self: Copy,
    {
        (
            self.exp_vjp(out, ct),
            self.exp_vjp_jvp(out, ct, dx, dout, dct),
        )
    }
}

impl<X: Elementwise> Exp for X {
    #[inline]
    fn exp(self) -> Self {
        self.map_elems(ComplexField::exp)
    }

    #[inline]
    fn exp_vjp(self, out: Self, ct: Self) -> Self {
        ct.zip_map_elems(out, |ct, y| ct * y)
    }

    #[inline]
    fn exp_jvp(self, out: Self, dx: Self) -> Self {
        dx.zip_map_elems(out, |dx, y| dx * y)
    }

    #[inline]
    #[allow(unused_variables)]
    fn exp_vjp_jvp(self, out: Self, ct: Self, dx: Self, dout: Self, dct: Self) -> Self {
        super::second_order(self.exp_vjp(out, dct), ct, dout)
    }
}

impl<T: Real, const R: usize, const C: usize> Tensor<T, R, C> {
    /// Elementwise `eˣ`; see [`Exp`].
    #[inline]
    pub fn exp(self) -> Self {
        Exp::exp(self)
    }
}

#[cfg(test)]
mod tests {
    use super::Exp;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp};
    use crate::tensor::Tensor;

    #[test]
    fn vjp_matches_finite_differences() {
        let x = Tensor::<f64, 2, 2>::from_row_slice(&[0.3, -1.2, 2.0, 0.7]);
        check_vjp(
            Exp::exp,
            |x: Tensor<f64, 2, 2>, out, ct| x.exp_vjp(out, ct),
            x,
        );
        check_vjp(Exp::exp, |x: f64, out, ct| x.exp_vjp(out, ct), -0.4);
    }

    #[test]
    fn jvp_matches_finite_differences_and_the_vjp() {
        type M = Tensor<f64, 2, 2>;
        let x = M::from_row_slice(&[0.3, -1.2, 2.0, 0.7]);
        let vjp = |x: M, out, ct| x.exp_vjp(out, ct);
        let jvp = |x: M, out, dx| x.exp_jvp(out, dx);
        check_jvp(Exp::exp, jvp, x);
        check_vjp_against_jvp(Exp::exp, vjp, jvp, x);
        let vjp = |x: f64, out, ct| x.exp_vjp(out, ct);
        let jvp = |x: f64, out, dx| x.exp_jvp(out, dx);
        check_jvp(Exp::exp, jvp, -0.4);
        check_vjp_against_jvp(Exp::exp, vjp, jvp, -0.4);
    }

    #[test]
    fn fixed_values() {
        let x = Tensor::<f64, 2>::from_row_slice(&[0.0, 2.0f64.ln()]);
        assert_eq!(x.exp(), Tensor::from_row_slice(&[1.0, 2.0]));
        assert_eq!(Exp::exp_vjp(1.0_f64, 3.0, 2.0), 6.0);
        assert_eq!(Exp::exp_jvp(1.0_f64, 3.0, 2.0), 6.0);
    }

    #[test]
    fn vjp_jvp_matches_finite_differences_of_the_vjp() {
        use crate::ops::testing::check_vjp_jvp;
        type M = Tensor<f64, 2, 2>;
        let x = M::from_row_slice(&[0.3, -1.2, 2.0, 0.7]);
        check_vjp_jvp(
            |x: M| x.exp(),
            |x: M, out, dx| x.exp_jvp(out, dx),
            |x: M, out, ct| x.exp_vjp(out, ct),
            |x: M, out, ct, dx, dout, dct| x.exp_vjp_jvp(out, ct, dx, dout, dct),
            x,
        );
        let x = [0.3, -1.2, 2.0, 0.7][1];
        check_vjp_jvp(
            |x: f64| x.exp(),
            |x: f64, out, dx| x.exp_jvp(out, dx),
            |x: f64, out, ct| x.exp_vjp(out, ct),
            |x: f64, out, ct, dx, dout, dct| x.exp_vjp_jvp(out, ct, dx, dout, dct),
            x,
        );
    }
}
