//! Logistic sigmoid, `y = 1 / (1 + e⁻ˣ)`, elementwise.

use nalgebra::ComplexField;
use num_traits::{One, Zero};

use super::Elementwise;
use crate::real::Real;
use crate::tensor::Tensor;

/// Elementwise logistic sigmoid `y = σ(x) = 1 / (1 + e⁻ˣ)`; VJP `ct_x = ct * y * (1 - y)`
/// and JVP `dy = dx * y * (1 - y)`, both reusing the output.
///
/// The forward is stable for large `|x|`: it computes `eˣ / (1 + eˣ)` for negative `x`,
/// so no intermediate overflows.
///
/// ```
/// use autodiff_core::ops::Sigmoid;
/// use autodiff_core::tensor;
///
/// let x = tensor![0.0, -1000.0];
/// let y = x.sigmoid();
/// assert_eq!(y, tensor![0.5, 0.0]);
/// assert_eq!(x.sigmoid_vjp(y, tensor![4.0, 4.0]), tensor![1.0, 0.0]);
/// assert_eq!(x.sigmoid_jvp(y, tensor![4.0, 4.0]), tensor![1.0, 0.0]);
/// ```
pub trait Sigmoid: Sized {
    /// `y = 1 / (1 + e⁻ˣ)`.
    fn sigmoid(self) -> Self;

    /// `ct_x = ct * y * (1 - y)`.
    fn sigmoid_vjp(self, out: Self, ct: Self) -> Self;

    /// `dy = dx * y * (1 - y)`.
    fn sigmoid_jvp(self, out: Self, dx: Self) -> Self;

    /// The tangent of the VJP (forward over reverse, see the module docs):
    /// `dct ⊙ y (1 - y) + ct ⊙ (1 - 2y) ⊙ dy`.
    fn sigmoid_vjp_jvp(self, out: Self, ct: Self, dx: Self, dout: Self, dct: Self) -> Self;

    /// The VJP and its tangent in one call, as `f_hvp` runs them: one method for rustc to
    /// resolve per op instead of two.
    #[inline(always)]
    fn sigmoid_vjp_pair(self, out: Self, ct: Self, dx: Self, dout: Self, dct: Self) -> (Self, Self)
    where
        Self: Copy,
    {
        (
            self.sigmoid_vjp(out, ct),
            self.sigmoid_vjp_jvp(out, ct, dx, dout, dct),
        )
    }
}

impl<X: Elementwise> Sigmoid for X {
    #[inline]
    fn sigmoid(self) -> Self {
        self.map_elems(|x| {
            let one = X::Elem::one();
            if x >= X::Elem::zero() {
                one / (one + ComplexField::exp(-x))
            } else {
                let e = ComplexField::exp(x);
                e / (one + e)
            }
        })
    }

    #[inline]
    fn sigmoid_vjp(self, out: Self, ct: Self) -> Self {
        ct.zip_map_elems(out, |ct, y| ct * y * (X::Elem::one() - y))
    }

    #[inline]
    fn sigmoid_jvp(self, out: Self, dx: Self) -> Self {
        dx.zip_map_elems(out, |dx, y| dx * y * (X::Elem::one() - y))
    }

    #[inline]
    #[allow(unused_variables)]
    fn sigmoid_vjp_jvp(self, out: Self, ct: Self, dx: Self, dout: Self, dct: Self) -> Self {
        super::second_order(
            self.sigmoid_vjp(out, dct),
            ct,
            dout.zip_map_elems(out, |dy, y| (X::Elem::one() - y - y) * dy),
        )
    }
}

impl<T: Real, const R: usize, const C: usize> Tensor<T, R, C> {
    /// Elementwise logistic sigmoid; see [`Sigmoid`].
    #[inline]
    pub fn sigmoid(self) -> Self {
        Sigmoid::sigmoid(self)
    }
}

#[cfg(test)]
mod tests {
    use super::Sigmoid;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp};
    use crate::tensor::Tensor;

    #[test]
    fn vjp_matches_finite_differences() {
        let x = Tensor::<f64, 2, 2>::from_row_slice(&[0.3, -1.2, 2.0, 0.7]);
        check_vjp(
            Sigmoid::sigmoid,
            |x: Tensor<f64, 2, 2>, out, ct| x.sigmoid_vjp(out, ct),
            x,
        );
        check_vjp(
            Sigmoid::sigmoid,
            |x: f64, out, ct| x.sigmoid_vjp(out, ct),
            -0.5,
        );
    }

    #[test]
    fn jvp_matches_finite_differences_and_the_vjp() {
        type M = Tensor<f64, 2, 2>;
        let x = M::from_row_slice(&[0.3, -1.2, 2.0, 0.7]);
        let vjp = |x: M, out, ct| x.sigmoid_vjp(out, ct);
        let jvp = |x: M, out, dx| x.sigmoid_jvp(out, dx);
        check_jvp(Sigmoid::sigmoid, jvp, x);
        check_vjp_against_jvp(Sigmoid::sigmoid, vjp, jvp, x);
        let vjp = |x: f64, out, ct| x.sigmoid_vjp(out, ct);
        let jvp = |x: f64, out, dx| x.sigmoid_jvp(out, dx);
        check_jvp(Sigmoid::sigmoid, jvp, -0.5);
        check_vjp_against_jvp(Sigmoid::sigmoid, vjp, jvp, -0.5);
    }

    #[test]
    fn fixed_values() {
        assert_eq!(Sigmoid::sigmoid(0.0_f64), 0.5);
        assert_eq!(Sigmoid::sigmoid(1000.0_f64), 1.0);
        assert_eq!(Sigmoid::sigmoid(-1000.0_f64), 0.0);
        assert_eq!(Sigmoid::sigmoid(-800.0_f32), 0.0);
        let y = Sigmoid::sigmoid(-30.0_f64);
        assert!((y - (-30.0_f64).exp() / (1.0 + (-30.0_f64).exp())).abs() < 1e-28);
        assert_eq!(Sigmoid::sigmoid_vjp(0.0_f64, 0.5, 1.0), 0.25);
        assert_eq!(Sigmoid::sigmoid_jvp(0.0_f64, 0.5, 1.0), 0.25);
    }

    #[test]
    fn vjp_jvp_matches_finite_differences_of_the_vjp() {
        use crate::ops::testing::check_vjp_jvp;
        type M = Tensor<f64, 2, 2>;
        let x = M::from_row_slice(&[0.3, -1.2, 2.0, 0.7]);
        check_vjp_jvp(
            |x: M| x.sigmoid(),
            |x: M, out, dx| x.sigmoid_jvp(out, dx),
            |x: M, out, ct| x.sigmoid_vjp(out, ct),
            |x: M, out, ct, dx, dout, dct| x.sigmoid_vjp_jvp(out, ct, dx, dout, dct),
            x,
        );
        let x = [0.3, -1.2, 2.0, 0.7][1];
        check_vjp_jvp(
            |x: f64| x.sigmoid(),
            |x: f64, out, dx| x.sigmoid_jvp(out, dx),
            |x: f64, out, ct| x.sigmoid_vjp(out, ct),
            |x: f64, out, ct, dx, dout, dct| x.sigmoid_vjp_jvp(out, ct, dx, dout, dct),
            x,
        );
    }
}
