//! Inner product, `y = Σᵢ aᵢ bᵢ`, of two tensors of the same shape (or two scalars).

use crate::real::Real;
use crate::tensor::Tensor;

/// Inner product `y = ⟨a, b⟩ = Σᵢ aᵢ bᵢ` over all elements of two tensors of the same
/// shape (the product for scalars); VJP `ct_a = ct * b`, `ct_b = ct * a`, JVP
/// `dy = ⟨da, b⟩ + ⟨a, db⟩`.
///
/// ```
/// use autodiff_core::ops::Dot;
/// use autodiff_core::tensor;
///
/// let a = tensor![1.0, 2.0];
/// let b = tensor![3.0, -1.0];
/// let y = a.dot(b);
/// assert_eq!(y, 1.0);
/// assert_eq!(a.dot_vjp(b, y, 2.0), (tensor![6.0, -2.0], tensor![2.0, 4.0]));
/// assert_eq!(a.dot_jvp(b, y, tensor![1.0, 0.0], tensor![0.0, 1.0]), 5.0);
/// ```
#[doc(hidden)]
pub trait Dot<Rhs = Self>: Sized {
    /// The element type.
    type Output;

    /// `y = Σᵢ aᵢ bᵢ`.
    fn dot(self, rhs: Rhs) -> Self::Output;

    /// `(ct_a, ct_b) = (ct * b, ct * a)`.
    fn dot_vjp(self, rhs: Rhs, out: Self::Output, ct: Self::Output) -> (Self, Rhs);

    /// `dy = ⟨da, b⟩ + ⟨a, db⟩`.
    fn dot_jvp(self, rhs: Rhs, out: Self::Output, da: Self, db: Rhs) -> Self::Output;

    /// The tangent of the VJP (forward over reverse, see the module docs): the inner product is bilinear, so it is `(b dct + db ct, a dct + da ct)`.
    #[allow(clippy::too_many_arguments)]
    fn dot_vjp_jvp(
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

impl<T: Real, const R: usize, const C: usize> Dot for Tensor<T, R, C> {
    type Output = T;

    #[inline]
    fn dot(self, rhs: Self) -> T {
        self.as_matrix().dot(rhs.as_matrix())
    }

    #[inline]
    fn dot_vjp(self, rhs: Self, _out: T, ct: T) -> (Self, Self) {
        (rhs * ct, self * ct)
    }

    #[inline]
    fn dot_jvp(self, rhs: Self, _out: T, da: Self, db: Self) -> T {
        da.as_matrix().dot(rhs.as_matrix()) + self.as_matrix().dot(db.as_matrix())
    }

    #[inline]
    #[allow(clippy::too_many_arguments)]
    fn dot_vjp_jvp(
        self,
        rhs: Self,
        out: T,
        ct: T,
        da: Self,
        db: Self,
        dout: T,
        dct: T,
    ) -> (Self, Self) {
        // Bilinear: the VJP of `dct`, plus the VJP of `ct` at the operands' tangents.
        let (a1, b1) = self.dot_vjp(rhs, out, dct);
        let (a2, b2) = da.dot_vjp(db, dout, ct);
        (a1 + a2, b1 + b2)
    }
}

impl<T: Real> Dot for T {
    type Output = T;

    #[inline]
    fn dot(self, rhs: T) -> T {
        self * rhs
    }

    #[inline]
    fn dot_vjp(self, rhs: T, _out: T, ct: T) -> (T, T) {
        (ct * rhs, ct * self)
    }

    #[inline]
    fn dot_jvp(self, rhs: T, _out: T, da: T, db: T) -> T {
        da * rhs + self * db
    }

    #[inline]
    #[allow(clippy::too_many_arguments)]
    fn dot_vjp_jvp(self, rhs: T, out: T, ct: T, da: T, db: T, dout: T, dct: T) -> (T, T) {
        // Bilinear: the VJP of `dct`, plus the VJP of `ct` at the operands' tangents.
        let (a1, b1) = self.dot_vjp(rhs, out, dct);
        let (a2, b2) = da.dot_vjp(db, dout, ct);
        (a1 + a2, b1 + b2)
    }
}

impl<T: Real, const R: usize, const C: usize> Tensor<T, R, C> {
    /// The inner product with a tensor of the same shape; see [`Dot`].
    #[inline]
    pub fn dot(self, rhs: Self) -> T {
        Dot::dot(self, rhs)
    }
}

#[cfg(test)]
mod tests {
    use super::Dot;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp};
    use crate::tensor::Tensor;

    type M = Tensor<f64, 2, 3>;

    #[test]
    fn vjp_matches_finite_differences() {
        let a = M::from_row_slice(&[0.3, -1.2, 2.0, -0.7, 0.1, 5.0]);
        let b = M::from_fn(|r, c| (r as f64 - c as f64) * 0.7 + 0.1);
        check_vjp(
            |(a, b): (M, M)| a.dot(b),
            |(a, b), out, ct| a.dot_vjp(b, out, ct),
            (a, b),
        );
        check_vjp(
            |(a, b): (f64, f64)| Dot::dot(a, b),
            |(a, b), out, ct| a.dot_vjp(b, out, ct),
            (0.3, -2.0),
        );
    }

    #[test]
    fn jvp_matches_finite_differences_and_the_vjp() {
        let a = M::from_row_slice(&[0.3, -1.2, 2.0, -0.7, 0.1, 5.0]);
        let b = M::from_fn(|r, c| (r as f64 - c as f64) * 0.7 + 0.1);
        let f = |(a, b): (M, M)| a.dot(b);
        let vjp = |(a, b): (M, M), out, ct| a.dot_vjp(b, out, ct);
        let jvp = |(a, b): (M, M), out, (da, db)| a.dot_jvp(b, out, da, db);
        check_jvp(f, jvp, (a, b));
        check_vjp_against_jvp(f, vjp, jvp, (a, b));
        let f = |(a, b): (f64, f64)| Dot::dot(a, b);
        let vjp = |(a, b): (f64, f64), out, ct| a.dot_vjp(b, out, ct);
        let jvp = |(a, b): (f64, f64), out, (da, db)| a.dot_jvp(b, out, da, db);
        check_jvp(f, jvp, (0.3, -2.0));
        check_vjp_against_jvp(f, vjp, jvp, (0.3, -2.0));
    }

    #[test]
    fn fixed_values() {
        let m = Tensor::<f64, 2, 2>::from_row_slice(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(m.dot(m), 30.0);
        assert_eq!(Dot::dot(2.0_f32, 3.0), 6.0);
        // d⟨m, m⟩ along dm = m is 2⟨m, m⟩.
        assert_eq!(m.dot_jvp(m, 30.0, m, m), 60.0);
        assert_eq!(Dot::dot_jvp(2.0_f64, 3.0, 6.0, 1.0, 0.5), 4.0);
    }

    #[test]
    fn vjp_jvp_matches_finite_differences_of_the_vjp() {
        {
            use crate::ops::testing::check_vjp_jvp;
            type A = Tensor<f64, 2, 3>;
            type B = Tensor<f64, 2, 3>;
            check_vjp_jvp(
                |(a, b): (A, B)| a.dot(b),
                |(a, b): (A, B), out, (da, db)| a.dot_jvp(b, out, da, db),
                |(a, b): (A, B), out, ct| a.dot_vjp(b, out, ct),
                |(a, b): (A, B), out, ct, (da, db), dout, dct| {
                    a.dot_vjp_jvp(b, out, ct, da, db, dout, dct)
                },
                (
                    Tensor::from_row_slice(&[0.3, -1.2, 2.0, 0.7, 0.1, 1.5]),
                    Tensor::from_row_slice(&[1.3, 0.2, -0.5, 0.9, 1.1, -2.5]),
                ),
            );
        }
        {
            use crate::ops::testing::check_vjp_jvp;
            type A = f64;
            type B = f64;
            check_vjp_jvp(
                |(a, b): (A, B)| Dot::dot(a, b),
                |(a, b): (A, B), out, (da, db)| a.dot_jvp(b, out, da, db),
                |(a, b): (A, B), out, ct| a.dot_vjp(b, out, ct),
                |(a, b): (A, B), out, ct, (da, db), dout, dct| {
                    a.dot_vjp_jvp(b, out, ct, da, db, dout, dct)
                },
                (-0.4, 1.5),
            );
        }
    }
}
