//! Sum of all elements, `y = Σᵢ xᵢ`.

use crate::real::Real;
use crate::tensor::Tensor;

/// Sum over all elements `y = Σᵢ xᵢ`; VJP `ct_x = ct` broadcast to every element.
///
/// ```
/// use autodiff_core::ops::Sum;
/// use autodiff_core::{tensor, Tensor};
///
/// let x = tensor![[1.0, 2.0], [3.0, 4.0]];
/// let y = x.sum();
/// assert_eq!(y, 10.0);
/// assert_eq!(x.sum_vjp(y, 0.5), Tensor::from_element(0.5));
/// ```
pub trait Sum: Sized {
    /// The element type.
    type Output;

    /// `y = Σᵢ xᵢ`.
    fn sum(self) -> Self::Output;

    /// `ct_x = ct` everywhere.
    fn sum_vjp(self, out: Self::Output, ct: Self::Output) -> Self;
}

impl<T: Real, const R: usize, const C: usize> Sum for Tensor<T, R, C> {
    type Output = T;

    #[inline]
    fn sum(self) -> T {
        self.as_matrix().sum()
    }

    #[inline]
    fn sum_vjp(self, _out: T, ct: T) -> Self {
        Tensor::from_element(ct)
    }
}

impl<T: Real, const R: usize, const C: usize> Tensor<T, R, C> {
    /// The sum of all elements; see [`Sum`].
    #[inline]
    pub fn sum(self) -> T {
        Sum::sum(self)
    }
}

#[cfg(test)]
mod tests {
    use super::Sum;
    use crate::ops::testing::check_vjp;
    use crate::tensor::Tensor;

    #[test]
    fn vjp_matches_finite_differences() {
        let x = Tensor::<f64, 2, 3>::from_row_slice(&[0.3, -1.2, 2.0, -0.7, 0.1, 5.0]);
        check_vjp(
            Sum::sum,
            |x: Tensor<f64, 2, 3>, out, ct| x.sum_vjp(out, ct),
            x,
        );
    }

    #[test]
    fn fixed_values() {
        // ((x + 1)²).sum() at x = [1, 1]: gradient 2 (x + 1) = 4, as PyTorch prints.
        let x = Tensor::<f64, 2>::ones();
        let b = x + 1.0;
        let c = b * b;
        let ct_c = c.sum_vjp(c.sum(), 1.0);
        assert_eq!(ct_c * b * 2.0, Tensor::from_element(4.0));
        assert_eq!(x.sum(), 2.0);
    }
}
