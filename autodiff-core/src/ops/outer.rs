//! Outer product of two column vectors, `Y = a bᵀ`.

use crate::real::Real;
use crate::tensor::Tensor;

/// Outer product `Y = a bᵀ` of an `R`- and a `C`-vector (nalgebra spells it
/// `a * b.transpose()`); VJP `ct_a = ct b`, `ct_b = ctᵀ a`, JVP `dY = da bᵀ + a dbᵀ`.
/// Bilinear, so its second-order rule is the VJP of `dct` plus the VJP of `ct` at the
/// operands' tangents.
///
/// ```
/// use autodiff_core::ops::Outer;
/// use autodiff_core::tensor;
///
/// let (a, b) = (tensor![1.0, 2.0], tensor![3.0, 4.0, 5.0]);
/// let y = a.outer(b);
/// assert_eq!(y, tensor![[3.0, 4.0, 5.0], [6.0, 8.0, 10.0]]);
/// let ct = tensor![[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]];
/// assert_eq!(a.outer_vjp(b, y, ct), (tensor![3.0, 5.0], tensor![1.0, 0.0, 2.0]));
/// ```
pub trait Outer<Rhs>: Sized {
    /// The product's type.
    type Output;

    /// `Y = a bᵀ`.
    fn outer(self, rhs: Rhs) -> Self::Output;

    /// `(ct_a, ct_b) = (ct b, ctᵀ a)`.
    fn outer_vjp(self, rhs: Rhs, out: Self::Output, ct: Self::Output) -> (Self, Rhs);

    /// `dY = da bᵀ + a dbᵀ`.
    fn outer_jvp(self, rhs: Rhs, out: Self::Output, da: Self, db: Rhs) -> Self::Output;

    /// The tangent of the VJP (see the module docs): `(dct b + ct db, dctᵀ a + ctᵀ da)`.
    #[allow(clippy::too_many_arguments)]
    fn outer_vjp_jvp(
        self,
        rhs: Rhs,
        out: Self::Output,
        ct: Self::Output,
        da: Self,
        db: Rhs,
        dout: Self::Output,
        dct: Self::Output,
    ) -> (Self, Rhs);
}

impl<T: Real, const R: usize, const C: usize> Outer<Tensor<T, C>> for Tensor<T, R> {
    type Output = Tensor<T, R, C>;

    #[inline]
    fn outer(self, rhs: Tensor<T, C>) -> Tensor<T, R, C> {
        Tensor::from_matrix(self.as_matrix() * rhs.as_matrix().transpose())
    }

    #[inline]
    fn outer_vjp(
        self,
        rhs: Tensor<T, C>,
        _out: Tensor<T, R, C>,
        ct: Tensor<T, R, C>,
    ) -> (Self, Tensor<T, C>) {
        (
            Tensor::from_matrix(ct.as_matrix() * rhs.as_matrix()),
            Tensor::from_matrix(ct.as_matrix().tr_mul(self.as_matrix())),
        )
    }

    #[inline]
    fn outer_jvp(
        self,
        rhs: Tensor<T, C>,
        _out: Tensor<T, R, C>,
        da: Self,
        db: Tensor<T, C>,
    ) -> Tensor<T, R, C> {
        Outer::outer(da, rhs) + Outer::outer(self, db)
    }

    #[inline]
    #[allow(clippy::too_many_arguments)]
    fn outer_vjp_jvp(
        self,
        rhs: Tensor<T, C>,
        out: Tensor<T, R, C>,
        ct: Tensor<T, R, C>,
        da: Self,
        db: Tensor<T, C>,
        dout: Tensor<T, R, C>,
        dct: Tensor<T, R, C>,
    ) -> (Self, Tensor<T, C>) {
        let (a1, b1) = self.outer_vjp(rhs, out, dct);
        let (a2, b2) = da.outer_vjp(db, dout, ct);
        (a1 + a2, b1 + b2)
    }
}

impl<T: Real, const R: usize> Tensor<T, R> {
    /// The outer product `a bᵀ` with another column vector; see [`Outer`].
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// assert_eq!(tensor![1.0, 2.0].outer(tensor![1.0, -1.0]), tensor![[1.0, -1.0], [2.0, -2.0]]);
    /// ```
    #[inline]
    pub fn outer<const C: usize>(self, rhs: Tensor<T, C>) -> Tensor<T, R, C> {
        Outer::outer(self, rhs)
    }
}

#[cfg(test)]
mod tests {
    use super::Outer;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp, check_vjp_jvp};
    use crate::tensor::Tensor;

    type A = Tensor<f64, 2>;
    type B = Tensor<f64, 3>;

    #[test]
    fn rules_match_finite_differences() {
        let x = (
            A::from_row_slice(&[0.3, -1.2]),
            B::from_row_slice(&[2.0, -0.7, 1.1]),
        );
        let f = |(a, b): (A, B)| a.outer(b);
        let vjp = |(a, b): (A, B), out, ct| a.outer_vjp(b, out, ct);
        let jvp = |(a, b): (A, B), out, (da, db)| a.outer_jvp(b, out, da, db);
        check_vjp(f, vjp, x);
        check_jvp(f, jvp, x);
        check_vjp_against_jvp(f, vjp, jvp, x);
        check_vjp_jvp(
            f,
            jvp,
            vjp,
            |(a, b): (A, B), out, ct, (da, db), dout, dct| {
                a.outer_vjp_jvp(b, out, ct, da, db, dout, dct)
            },
            x,
        );
    }
}
