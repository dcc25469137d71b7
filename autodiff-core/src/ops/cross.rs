//! Cross product of 3-vectors, `y = a × b`.

use crate::real::Real;
use crate::tensor::Tensor;

/// Cross product `y = a × b` of two 3-vectors; VJP `ct_a = b × ct`, `ct_b = ct × a`, JVP
/// `dy = da × b + a × db`.
///
/// ```
/// use autodiff_core::ops::Cross;
/// use autodiff_core::tensor;
///
/// let x = tensor![1.0, 0.0, 0.0];
/// let y = tensor![0.0, 1.0, 0.0];
/// let z = x.cross(y);
/// assert_eq!(z, tensor![0.0, 0.0, 1.0]);
/// assert_eq!(x.cross_vjp(y, z, z), (tensor![1.0, 0.0, 0.0], tensor![0.0, 1.0, 0.0]));
/// assert_eq!(x.cross_jvp(y, z, y, x), tensor![0.0, 0.0, 0.0]);
/// assert_eq!(x.cross_jvp(y, z, z, z), tensor![-1.0, -1.0, 0.0]);
/// ```
#[doc(hidden)]
pub trait Cross: Sized {
    /// `y = a × b`.
    fn cross(self, rhs: Self) -> Self;

    /// `(ct_a, ct_b) = (b × ct, ct × a)`.
    fn cross_vjp(self, rhs: Self, out: Self, ct: Self) -> (Self, Self);

    /// `dy = da × b + a × db`.
    fn cross_jvp(self, rhs: Self, out: Self, da: Self, db: Self) -> Self;

    /// The tangent of the VJP (forward over reverse, see the module docs): the cross product is bilinear, so it is the VJP of `dct` plus the VJP of `ct` at `(da, db)`.
    #[allow(clippy::too_many_arguments)]
    fn cross_vjp_jvp(
        self,
        rhs: Self,
        out: Self,
        ct: Self,
        da: Self,
        db: Self,
        dout: Self,
        dct: Self,
    ) -> (Self, Self);
}

impl<T: Real> Cross for Tensor<T, 3, 1> {
    #[inline]
    fn cross(self, rhs: Self) -> Self {
        Tensor::from_matrix(self.as_matrix().cross(rhs.as_matrix()))
    }

    #[inline]
    fn cross_vjp(self, rhs: Self, _out: Self, ct: Self) -> (Self, Self) {
        (Cross::cross(rhs, ct), Cross::cross(ct, self))
    }

    #[inline]
    fn cross_jvp(self, rhs: Self, _out: Self, da: Self, db: Self) -> Self {
        // The product rule; the cross product is bilinear.
        Tensor::from_matrix(
            da.as_matrix().cross(rhs.as_matrix()) + self.as_matrix().cross(db.as_matrix()),
        )
    }

    #[inline]
    #[allow(clippy::too_many_arguments)]
    fn cross_vjp_jvp(
        self,
        rhs: Self,
        out: Self,
        ct: Self,
        da: Self,
        db: Self,
        dout: Self,
        dct: Self,
    ) -> (Self, Self) {
        // Bilinear: the VJP of `dct`, plus the VJP of `ct` at the operands' tangents.
        let (a1, b1) = self.cross_vjp(rhs, out, dct);
        let (a2, b2) = da.cross_vjp(db, dout, ct);
        (a1 + a2, b1 + b2)
    }
}

impl<T: Real> Tensor<T, 3, 1> {
    /// The cross product with another 3-vector; see [`Cross`].
    #[inline]
    pub fn cross(self, rhs: Self) -> Self {
        Cross::cross(self, rhs)
    }
}

#[cfg(test)]
mod tests {
    use super::Cross;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp};
    use crate::tensor::Tensor;

    type V = Tensor<f64, 3>;

    #[test]
    fn vjp_matches_finite_differences() {
        let a = V::from_row_slice(&[0.3, -1.2, 2.0]);
        let b = V::from_row_slice(&[-0.7, 0.1, 5.0]);
        check_vjp(
            |(a, b): (V, V)| a.cross(b),
            |(a, b), out, ct| a.cross_vjp(b, out, ct),
            (a, b),
        );
    }

    #[test]
    fn jvp_matches_finite_differences_and_the_vjp() {
        let a = V::from_row_slice(&[0.3, -1.2, 2.0]);
        let b = V::from_row_slice(&[-0.7, 0.1, 5.0]);
        let f = |(a, b): (V, V)| a.cross(b);
        let vjp = |(a, b): (V, V), out, ct| a.cross_vjp(b, out, ct);
        let jvp = |(a, b): (V, V), out, (da, db)| a.cross_jvp(b, out, da, db);
        check_jvp(f, jvp, (a, b));
        check_vjp_against_jvp(f, vjp, jvp, (a, b));
    }

    #[test]
    fn fixed_values() {
        let a = V::from_row_slice(&[1.0, 2.0, 3.0]);
        let b = V::from_row_slice(&[4.0, 5.0, 6.0]);
        assert_eq!(a.cross(b), V::from_row_slice(&[-3.0, 6.0, -3.0]));
        assert_eq!(a.cross(a), V::zeros());
        // d(a × a) = da × a + a × da = 0 along any da.
        assert_eq!(a.cross_jvp(a, V::zeros(), b, b), V::zeros());
        assert_eq!(
            a.cross_jvp(b, a.cross(b), a, V::zeros()),
            V::from_row_slice(&[-3.0, 6.0, -3.0])
        );
    }

    #[test]
    fn vjp_jvp_matches_finite_differences_of_the_vjp() {
        {
            use crate::ops::testing::check_vjp_jvp;
            type A = Tensor<f64, 3>;
            type B = Tensor<f64, 3>;
            check_vjp_jvp(
                |(a, b): (A, B)| a.cross(b),
                |(a, b): (A, B), out, (da, db)| a.cross_jvp(b, out, da, db),
                |(a, b): (A, B), out, ct| a.cross_vjp(b, out, ct),
                |(a, b): (A, B), out, ct, (da, db), dout, dct| {
                    a.cross_vjp_jvp(b, out, ct, da, db, dout, dct)
                },
                (
                    Tensor::from_row_slice(&[0.3, -1.2, 2.0]),
                    Tensor::from_row_slice(&[0.7, 0.1, 1.5]),
                ),
            );
        }
    }
}
