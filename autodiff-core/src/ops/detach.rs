//! Stop-gradient, `y = x` with no derivative.

use num_traits::Zero;

use super::Elementwise;
use crate::real::Real;
use crate::tensor::Tensor;

/// Stop-gradient: the forward is the identity, and `#[differentiable]` treats the result
/// as a constant, so no cotangent flows back through it (PyTorch's `detach()`). There is
/// no VJP; the JVP is `dy = 0`, the tangent of a constant, whatever `dx` is.
///
/// ```
/// use autodiff_core::ops::Detach;
/// use autodiff_core::tensor;
///
/// let x = tensor![1.0, 2.0];
/// assert_eq!(x.detach(), x);
/// assert_eq!(Detach::detach(3.0_f32), 3.0);
/// assert_eq!(x.detach_jvp(x, tensor![5.0, -1.0]), tensor![0.0, 0.0]);
/// ```
#[doc(hidden)]
pub trait Detach: Sized {
    /// `y = x`, cut from the graph.
    fn detach(self) -> Self;

    /// `dy = 0`: the output is a constant, so nothing of `dx` passes through.
    fn detach_jvp(self, out: Self, dx: Self) -> Self;
}

impl<X: Elementwise> Detach for X {
    #[inline(always)]
    fn detach(self) -> Self {
        self
    }

    #[inline(always)]
    fn detach_jvp(self, _out: Self, dx: Self) -> Self {
        dx.map_elems(|_| X::Elem::zero())
    }
}

impl<T: Real, const R: usize, const C: usize> Tensor<T, R, C> {
    /// The same values, cut from the graph; see [`Detach`].
    #[inline(always)]
    pub fn detach(self) -> Self {
        Detach::detach(self)
    }
}

#[cfg(test)]
mod tests {
    use super::Detach;
    use crate::tensor::Tensor;

    #[test]
    fn forward_is_the_identity() {
        let x = Tensor::<f64, 2, 2>::from_row_slice(&[0.3, -1.2, f64::INFINITY, 0.7]);
        assert_eq!(x.detach(), x);
        assert_eq!(Detach::detach(-0.5_f64), -0.5);
    }

    #[test]
    fn jvp_is_zero() {
        let x = Tensor::<f64, 2, 2>::from_row_slice(&[0.3, -1.2, 2.0, 0.7]);
        assert_eq!(x.detach_jvp(x, x * 3.0 - 1.0), Tensor::zeros());
        assert_eq!(Detach::detach_jvp(-0.5_f64, -0.5, 7.0), 0.0);
        // Not even an infinite tangent leaks through: the result is a constant.
        assert_eq!(Detach::detach_jvp(1.0_f32, 1.0, f32::INFINITY), 0.0);
    }
}
