//! Stop-gradient, `y = x` with no derivative.

use super::Elementwise;
use crate::real::Real;
use crate::tensor::Tensor;

/// Stop-gradient: the forward is the identity, and `#[differentiable]` treats the result
/// as a constant, so no cotangent flows back through it (PyTorch's `detach()`). There is
/// no VJP.
///
/// ```
/// use autodiff_core::ops::Detach;
/// use autodiff_core::tensor;
///
/// let x = tensor![1.0, 2.0];
/// assert_eq!(x.detach(), x);
/// assert_eq!(Detach::detach(3.0_f32), 3.0);
/// ```
pub trait Detach: Sized {
    /// `y = x`, cut from the graph.
    fn detach(self) -> Self;
}

impl<X: Elementwise> Detach for X {
    #[inline(always)]
    fn detach(self) -> Self {
        self
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
}
