//! Rectified linear unit, `y = max(x, 0)`, elementwise.

use num_traits::Zero;

use super::Elementwise;
use crate::real::Real;
use crate::tensor::Tensor;

/// Elementwise rectified linear unit `y = max(x, 0)`; VJP `ct_x = ct` where `x > 0` and
/// `0` elsewhere, so the subgradient at `0` is `0`, as in PyTorch; JVP `dy = dx` where
/// `x > 0` and `0` elsewhere, the same choice. NaN propagates.
///
/// ```
/// use autodiff_core::ops::Relu;
/// use autodiff_core::tensor;
///
/// let x = tensor![-1.0, 0.0, 2.0];
/// let y = x.relu();
/// assert_eq!(y, tensor![0.0, 0.0, 2.0]);
/// assert_eq!(x.relu_vjp(y, tensor![5.0, 5.0, 5.0]), tensor![0.0, 0.0, 5.0]);
/// assert_eq!(x.relu_jvp(y, tensor![5.0, 5.0, 5.0]), tensor![0.0, 0.0, 5.0]);
/// ```
pub trait Relu: Sized {
    /// `y = max(x, 0)`.
    fn relu(self) -> Self;

    /// `ct_x = ct · [x > 0]`.
    fn relu_vjp(self, out: Self, ct: Self) -> Self;

    /// `dy = dx · [x > 0]`.
    fn relu_jvp(self, out: Self, dx: Self) -> Self;

    /// The tangent of the VJP (forward over reverse, see the module docs):
    /// `dct ⊙ [x > 0]` (the slope is piecewise constant).
    fn relu_vjp_jvp(self, out: Self, ct: Self, dx: Self, dout: Self, dct: Self) -> Self;

    /// The VJP and its tangent in one call, as `f_hvp` runs them: one method for rustc to
    /// resolve per op instead of two.
    #[inline(always)]
    fn relu_vjp_pair(self, out: Self, ct: Self, dx: Self, dout: Self, dct: Self) -> (Self, Self)
    where
        Self: Copy,
    {
        (
            self.relu_vjp(out, ct),
            self.relu_vjp_jvp(out, ct, dx, dout, dct),
        )
    }
}

impl<X: Elementwise> Relu for X {
    #[inline]
    fn relu(self) -> Self {
        self.map_elems(|x| {
            if x <= X::Elem::zero() {
                X::Elem::zero()
            } else {
                x
            }
        })
    }

    #[inline]
    fn relu_vjp(self, _out: Self, ct: Self) -> Self {
        ct.zip_map_elems(self, |ct, x| {
            if x > X::Elem::zero() {
                ct
            } else {
                X::Elem::zero()
            }
        })
    }

    #[inline]
    fn relu_jvp(self, _out: Self, dx: Self) -> Self {
        dx.zip_map_elems(self, |dx, x| {
            if x > X::Elem::zero() {
                dx
            } else {
                X::Elem::zero()
            }
        })
    }

    #[inline]
    #[allow(unused_variables)]
    fn relu_vjp_jvp(self, out: Self, ct: Self, dx: Self, dout: Self, dct: Self) -> Self {
        self.relu_vjp(out, dct)
    }
}

impl<T: Real, const R: usize, const C: usize> Tensor<T, R, C> {
    /// Elementwise `max(x, 0)`; see [`Relu`].
    #[inline]
    pub fn relu(self) -> Self {
        Relu::relu(self)
    }
}

#[cfg(test)]
mod tests {
    use super::Relu;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp};
    use crate::tensor::Tensor;

    #[test]
    fn vjp_matches_finite_differences() {
        let x = Tensor::<f64, 2, 2>::from_row_slice(&[0.3, -1.2, 2.0, -0.7]);
        check_vjp(
            Relu::relu,
            |x: Tensor<f64, 2, 2>, out, ct| x.relu_vjp(out, ct),
            x,
        );
        check_vjp(Relu::relu, |x: f64, out, ct| x.relu_vjp(out, ct), 0.5);
        check_vjp(Relu::relu, |x: f64, out, ct| x.relu_vjp(out, ct), -0.5);
    }

    #[test]
    fn jvp_matches_finite_differences_and_the_vjp() {
        type M = Tensor<f64, 2, 2>;
        let x = M::from_row_slice(&[0.3, -1.2, 2.0, -0.7]);
        let vjp = |x: M, out, ct| x.relu_vjp(out, ct);
        let jvp = |x: M, out, dx| x.relu_jvp(out, dx);
        check_jvp(Relu::relu, jvp, x);
        check_vjp_against_jvp(Relu::relu, vjp, jvp, x);
        let vjp = |x: f64, out, ct| x.relu_vjp(out, ct);
        let jvp = |x: f64, out, dx| x.relu_jvp(out, dx);
        check_jvp(Relu::relu, jvp, 0.5);
        check_vjp_against_jvp(Relu::relu, vjp, jvp, 0.5);
    }

    #[test]
    fn fixed_values() {
        assert_eq!(Relu::relu_vjp(0.0_f64, 0.0, 1.0), 0.0);
        assert_eq!(Relu::relu(-0.0_f64).to_bits(), 0.0_f64.to_bits());
        assert!(Relu::relu(f64::NAN).is_nan());
        assert_eq!(Relu::relu_jvp(0.0_f64, 0.0, 1.0), 0.0);
        assert_eq!(Relu::relu_jvp(-0.5_f64, 0.0, 1.0), 0.0);
        assert_eq!(Relu::relu_jvp(0.5_f64, 0.5, 2.0), 2.0);
    }

    #[test]
    fn vjp_jvp_matches_finite_differences_of_the_vjp() {
        use crate::ops::testing::check_vjp_jvp;
        type M = Tensor<f64, 2, 2>;
        let x = M::from_row_slice(&[0.3, -1.2, 2.0, 0.7]);
        check_vjp_jvp(
            |x: M| x.relu(),
            |x: M, out, dx| x.relu_jvp(out, dx),
            |x: M, out, ct| x.relu_vjp(out, ct),
            |x: M, out, ct, dx, dout, dct| x.relu_vjp_jvp(out, ct, dx, dout, dct),
            x,
        );
        let x = [0.3, -1.2, 2.0, 0.7][1];
        check_vjp_jvp(
            |x: f64| x.relu(),
            |x: f64, out, dx| x.relu_jvp(out, dx),
            |x: f64, out, ct| x.relu_vjp(out, ct),
            |x: f64, out, ct, dx, dout, dct| x.relu_vjp_jvp(out, ct, dx, dout, dct),
            x,
        );
    }
}
