//! Product of all elements, `y = Πᵢ xᵢ`.

use crate::real::Real;
use crate::tensor::Tensor;

/// Product of all elements `y = Πᵢ xᵢ`; VJP `ct_xᵢ = ct Π_{j≠i} xⱼ` and JVP
/// `dy = Σᵢ dxᵢ Π_{j≠i} xⱼ`, both computed without dividing by `y`, so they are right at
/// zeros too (PyTorch's `prod` takes the same care). The VJP's tangent adds
/// `ct Σ_{k≠i} dxₖ Π_{j≠i,k} xⱼ`, the product over the other elements carried as a dual
/// number.
///
/// ```
/// use autodiff_core::ops::Product;
/// use autodiff_core::tensor;
///
/// let x = tensor![2.0, 0.0, 3.0];
/// let y = x.product();
/// assert_eq!(y, 0.0);
/// assert_eq!(x.product_vjp(y, 1.0), tensor![0.0, 6.0, 0.0]);
/// assert_eq!(x.product_jvp(y, tensor![1.0, 1.0, 1.0]), 6.0);
/// ```
pub trait Product: Sized {
    /// The element type.
    type Output;

    /// `y = Πᵢ xᵢ`.
    fn product(self) -> Self::Output;

    /// `ct_xᵢ = ct Π_{j≠i} xⱼ`.
    fn product_vjp(self, out: Self::Output, ct: Self::Output) -> Self;

    /// `dy = Σᵢ dxᵢ Π_{j≠i} xⱼ`.
    fn product_jvp(self, out: Self::Output, dx: Self) -> Self::Output;

    /// The tangent of the VJP (see the module docs):
    /// `dct Π_{j≠i} xⱼ + ct Σ_{k≠i} dxₖ Π_{j≠i,k} xⱼ`.
    fn product_vjp_jvp(
        self,
        out: Self::Output,
        ct: Self::Output,
        dx: Self,
        dout: Self::Output,
        dct: Self::Output,
    ) -> Self;
}

/// `(Π_{j≠skip} xⱼ, Σ_{k≠skip} dxₖ Π_{j≠skip,k} xⱼ)`: the product of the elements but
/// `skip` (all of them for `None`) and its tangent along `dx`, as a dual number.
fn dual_product<T: Real, const R: usize, const C: usize>(
    x: &Tensor<T, R, C>,
    dx: &Tensor<T, R, C>,
    skip: Option<usize>,
) -> (T, T) {
    let mut p = T::one();
    let mut dp = T::zero();
    for (j, (&x, &dx)) in x.iter().zip(dx.iter()).enumerate() {
        if Some(j) != skip {
            dp = dp * x + p * dx;
            p *= x;
        }
    }
    (p, dp)
}

impl<T: Real, const R: usize, const C: usize> Product for Tensor<T, R, C> {
    type Output = T;

    #[inline]
    fn product(self) -> T {
        self.as_matrix().product()
    }

    fn product_vjp(self, _out: T, ct: T) -> Self {
        let zeros = Self::zeros();
        let mut grad = zeros;
        for (i, g) in grad.iter_mut().enumerate() {
            *g = ct * dual_product(&self, &zeros, Some(i)).0;
        }
        grad
    }

    fn product_jvp(self, _out: T, dx: Self) -> T {
        dual_product(&self, &dx, None).1
    }

    fn product_vjp_jvp(self, _out: T, ct: T, dx: Self, _dout: T, dct: T) -> Self {
        let mut grad = Self::zeros();
        for (i, g) in grad.iter_mut().enumerate() {
            let (p, dp) = dual_product(&self, &dx, Some(i));
            *g = dct * p + ct * dp;
        }
        grad
    }
}

impl<T: Real, const R: usize, const C: usize> Tensor<T, R, C> {
    /// The product of all elements; see [`Product`].
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// assert_eq!(tensor![[1.0, 2.0], [3.0, 4.0]].product(), 24.0);
    /// ```
    #[inline]
    pub fn product(self) -> T {
        Product::product(self)
    }
}

#[cfg(test)]
mod tests {
    use super::Product;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp, check_vjp_jvp};
    use crate::tensor::Tensor;

    type M = Tensor<f64, 2, 3>;

    fn check(x: M) {
        let vjp = |x: M, out, ct| x.product_vjp(out, ct);
        let jvp = |x: M, out, dx| x.product_jvp(out, dx);
        check_vjp(Product::product, vjp, x);
        check_jvp(Product::product, jvp, x);
        check_vjp_against_jvp(Product::product, vjp, jvp, x);
        check_vjp_jvp(
            Product::product,
            jvp,
            vjp,
            |x: M, out, ct, dx, dout, dct| x.product_vjp_jvp(out, ct, dx, dout, dct),
            x,
        );
    }

    #[test]
    fn rules_match_finite_differences() {
        check(M::from_row_slice(&[0.3, -1.2, 2.0, -0.7, 1.1, 1.5]));
    }

    #[test]
    fn rules_are_right_at_one_and_two_zeros() {
        check(M::from_row_slice(&[0.3, 0.0, 2.0, -0.7, 1.1, 1.5]));
        check(M::from_row_slice(&[0.0, 0.0, 2.0, -0.7, 1.1, 1.5]));
        let x = M::from_row_slice(&[0.0, 0.0, 2.0, 1.0, 1.0, 1.0]);
        // With two zeros every first derivative vanishes, but not the second.
        assert_eq!(x.product_vjp(0.0, 1.0), M::zeros());
        let dx = M::from_row_slice(&[1.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
        let second = x.product_vjp_jvp(0.0, 1.0, dx, 0.0, 0.0);
        assert_eq!(second, M::from_row_slice(&[0.0, 2.0, 0.0, 0.0, 0.0, 0.0]));
    }
}
