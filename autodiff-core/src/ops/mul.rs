//! Multiplication, `a * b`: elementwise (Hadamard) for tensors of equal shape, as in
//! PyTorch, a scalar broadcast on either side. The forward is `core::ops::Mul` (and
//! `MulAssign`); the VJP is [`MulVjp`]. The matrix product is [`Matmul`](super::Matmul).

use core::ops::{Mul, MulAssign};

use super::Elementwise;
use crate::real::Real;
use crate::tensor::Tensor;

/// The VJP and JVP of `y = a * b`: `ct_a = ct * b`, `ct_b = ct * a`, where a broadcast
/// scalar side gets the sum over the elements, e.g. `ct_s = Σ ct ⊙ t` for `y = t * s`;
/// `dy = da * b + a * db` (the product rule), e.g. `dy = dt * s + t * ds`.
///
/// ```
/// use autodiff_core::ops::MulVjp;
/// use autodiff_core::tensor;
///
/// let a = tensor![1.0, 2.0];
/// let y = a * 3.0;
/// assert_eq!(y, tensor![3.0, 6.0]);
/// let (ct_a, ct_s) = a.mul_vjp(3.0, y, tensor![0.5, 2.0]);
/// assert_eq!((ct_a, ct_s), (tensor![1.5, 6.0], 4.5));
/// assert_eq!(a.mul_jvp(3.0, y, tensor![0.5, 2.0], 1.0), tensor![2.5, 8.0]);
/// ```
#[doc(hidden)]
pub trait MulVjp<Rhs = Self>: Mul<Rhs> + Sized {
    /// Returns `(ct_a, ct_b)` for `out = self * rhs` and the output cotangent `ct`.
    fn mul_vjp(self, rhs: Rhs, out: Self::Output, ct: Self::Output) -> (Self, Rhs);

    /// Returns `dy = da * b + a * db` for `out = self * rhs` and the input tangents `da`,
    /// `db`.
    fn mul_jvp(self, rhs: Rhs, out: Self::Output, da: Self, db: Rhs) -> Self::Output;

    /// The tangent of the VJP (forward over reverse, see the module docs): the product is bilinear, so it is `(dct * b + ct * db, dct * a + ct * da)`, broadcast sides summed.
    #[allow(clippy::too_many_arguments)]
    fn mul_vjp_jvp(
        self,
        rhs: Rhs,
        out: Self::Output,
        ct: Self::Output,
        da: Self,
        db: Rhs,
        dout: Self::Output,
        dct: Self::Output,
    ) -> (Self, Rhs);

    /// The VJP and its tangent in one call, as `f_hvp` runs them: one method for rustc to
    /// resolve per op instead of two.
    #[inline(always)]
    #[allow(clippy::too_many_arguments, clippy::type_complexity)]
    fn mul_vjp_pair(
        self,
        rhs: Rhs,
        out: Self::Output,
        ct: Self::Output,
        da: Self,
        db: Rhs,
        dout: Self::Output,
        dct: Self::Output,
    ) -> ((Self, Rhs), (Self, Rhs))
    where
        Self: Copy,
        Rhs: Copy,
        Self::Output: Copy,
    {
        (
            self.mul_vjp(rhs, out, ct),
            self.mul_vjp_jvp(rhs, out, ct, da, db, dout, dct),
        )
    }
}

/// Scalar * scalar and tensor * tensor.
impl<X: Elementwise + Mul<Output = X>> MulVjp for X {
    #[inline]
    fn mul_vjp(self, rhs: X, _out: X, ct: X) -> (X, X) {
        (ct * rhs, ct * self)
    }

    #[inline]
    fn mul_jvp(self, rhs: X, _out: X, da: X, db: X) -> X {
        // Through the elements, so the impl needs no `Add` bound beyond the VJP's.
        da.zip_map_elems(rhs, |da, b| da * b)
            .zip3_map_elems(self, db, |da_b, a, db| da_b + a * db)
    }

    #[inline]
    #[allow(clippy::too_many_arguments)]
    fn mul_vjp_jvp(self, rhs: X, out: X, ct: X, da: X, db: X, dout: X, dct: X) -> (X, X) {
        // Bilinear: the VJP of `dct`, plus the VJP of `ct` at the operands' tangents.
        let (a1, b1) = self.mul_vjp(rhs, out, dct);
        let (a2, b2) = da.mul_vjp(db, dout, ct);
        (super::plus(a1, a2), super::plus(b1, b2))
    }
}

/// `a * b`, elementwise.
impl<T: Real, const R: usize, const C: usize> Mul for Tensor<T, R, C> {
    type Output = Self;

    #[inline]
    fn mul(self, rhs: Self) -> Self {
        Tensor::from_matrix(self.as_matrix().component_mul(rhs.as_matrix()))
    }
}

/// `t * s`: every element scaled by `s`.
impl<T: Real, const R: usize, const C: usize> Mul<T> for Tensor<T, R, C> {
    type Output = Self;

    #[inline]
    fn mul(self, rhs: T) -> Self {
        Tensor::from_matrix(self.into_matrix() * rhs)
    }
}

impl<T: Real, const R: usize, const C: usize> MulVjp<T> for Tensor<T, R, C> {
    #[inline]
    fn mul_vjp(self, rhs: T, _out: Self, ct: Self) -> (Self, T) {
        (ct * rhs, ct.as_matrix().dot(self.as_matrix()))
    }

    #[inline]
    fn mul_jvp(self, rhs: T, _out: Self, da: Self, db: T) -> Self {
        da.zip_map_elems(self, |da, a| da * rhs + a * db)
    }

    #[inline]
    #[allow(clippy::too_many_arguments)]
    fn mul_vjp_jvp(
        self,
        rhs: T,
        out: Self,
        ct: Self,
        da: Self,
        db: T,
        dout: Self,
        dct: Self,
    ) -> (Self, T) {
        // Bilinear: the VJP of `dct`, plus the VJP of `ct` at the operands' tangents.
        let (a1, b1) = self.mul_vjp(rhs, out, dct);
        let (a2, b2) = da.mul_vjp(db, dout, ct);
        (a1 + a2, b1 + b2)
    }
}

impl<T: Real, const R: usize, const C: usize> MulAssign for Tensor<T, R, C> {
    #[inline]
    fn mul_assign(&mut self, rhs: Self) {
        *self = *self * rhs;
    }
}

impl<T: Real, const R: usize, const C: usize> MulAssign<T> for Tensor<T, R, C> {
    #[inline]
    fn mul_assign(&mut self, rhs: T) {
        *self = *self * rhs;
    }
}

/// `s * t` for each concrete float type `s` (a generic `T * Tensor<T>` is not expressible).
macro_rules! scalar_times_tensor {
    ($($t:ty),*) => {$(
        impl<const R: usize, const C: usize> Mul<Tensor<$t, R, C>> for $t {
            type Output = Tensor<$t, R, C>;

            #[inline]
            fn mul(self, rhs: Tensor<$t, R, C>) -> Tensor<$t, R, C> {
                rhs * self
            }
        }

        impl<const R: usize, const C: usize> MulVjp<Tensor<$t, R, C>> for $t {
            #[inline]
            fn mul_vjp(
                self,
                rhs: Tensor<$t, R, C>,
                _out: Tensor<$t, R, C>,
                ct: Tensor<$t, R, C>,
            ) -> ($t, Tensor<$t, R, C>) {
                (ct.as_matrix().dot(rhs.as_matrix()), ct * self)
            }

            #[inline]
            fn mul_jvp(
                self,
                rhs: Tensor<$t, R, C>,
                _out: Tensor<$t, R, C>,
                da: $t,
                db: Tensor<$t, R, C>,
            ) -> Tensor<$t, R, C> {
                rhs.zip_map_elems(db, |b, db| da * b + self * db)
            }

            #[inline]
            #[allow(clippy::too_many_arguments)]
            fn mul_vjp_jvp(
                self,
                rhs: Tensor<$t, R, C>,
                out: Tensor<$t, R, C>,
                ct: Tensor<$t, R, C>,
                da: $t,
                db: Tensor<$t, R, C>,
                dout: Tensor<$t, R, C>,
                dct: Tensor<$t, R, C>,
            ) -> ($t, Tensor<$t, R, C>) {
                // Bilinear: the VJP of `dct`, plus the VJP of `ct` at the operands' tangents.
                let (a1, b1) = self.mul_vjp(rhs, out, dct);
                let (a2, b2) = da.mul_vjp(db, dout, ct);
                (a1 + a2, b1 + b2)
            }
        }
    )*};
}

scalar_times_tensor!(f32, f64);

#[cfg(test)]
mod tests {
    use super::MulVjp;
    use crate::ops::testing::binary_check;
    use crate::tensor;
    use crate::tensor::Tensor;

    type M = Tensor<f64, 2, 3>;

    fn point() -> M {
        M::from_row_slice(&[0.3, -1.2, 2.0, 0.7, 1.1, -0.4])
    }

    binary_check!(Mul, MulVjp, mul_vjp, mul_jvp, *);

    #[test]
    fn vjp_and_jvp_match_finite_differences_and_each_other() {
        check(point(), point() * 0.5 - 1.0);
        check(point(), 0.8);
        check(-0.8, point());
        check(1.5, -2.0);
    }

    #[test]
    fn fixed_values() {
        let a = tensor![1.0, 2.0];
        assert_eq!(a * tensor![0.5, -1.0], tensor![0.5, -2.0]);
        assert_eq!(a * 2.0, tensor![2.0, 4.0]);
        assert_eq!(2.0_f32 * tensor![1.0_f32, 2.0], tensor![2.0, 4.0]);
        let mut b = a;
        b *= a;
        b *= 0.5;
        assert_eq!(b, tensor![0.5, 2.0]);
        // d/da Σ ct ⊙ (a ⊙ a) with ct = 1 is 2a.
        let (ct_l, ct_r) = a.mul_vjp(a, a * a, Tensor::ones());
        assert_eq!(ct_l + ct_r, a * 2.0);
        // The same derivative along da = db = 1, forward.
        assert_eq!(a.mul_jvp(a, a * a, Tensor::ones(), Tensor::ones()), a * 2.0);
        assert_eq!(
            2.0.mul_jvp(a, a * 2.0, 1.0, tensor![0.0, 1.0]),
            tensor![1.0, 4.0]
        );
    }

    #[test]
    fn vjp_jvp_matches_finite_differences_of_the_vjp() {
        {
            use crate::ops::testing::check_vjp_jvp;
            type A = Tensor<f64, 2, 3>;
            type B = Tensor<f64, 2, 3>;
            check_vjp_jvp(
                |(a, b): (A, B)| a * b,
                |(a, b): (A, B), out, (da, db)| a.mul_jvp(b, out, da, db),
                |(a, b): (A, B), out, ct| a.mul_vjp(b, out, ct),
                |(a, b): (A, B), out, ct, (da, db), dout, dct| {
                    a.mul_vjp_jvp(b, out, ct, da, db, dout, dct)
                },
                (
                    Tensor::from_row_slice(&[0.3, -1.2, 2.0, 0.7, 0.1, 1.5]),
                    Tensor::from_row_slice(&[1.3, 0.2, -0.5, 0.9, 1.1, -2.5]),
                ),
            );
        }
        {
            use crate::ops::testing::check_vjp_jvp;
            type A = Tensor<f64, 2, 3>;
            type B = f64;
            check_vjp_jvp(
                |(a, b): (A, B)| a * b,
                |(a, b): (A, B), out, (da, db)| a.mul_jvp(b, out, da, db),
                |(a, b): (A, B), out, ct| a.mul_vjp(b, out, ct),
                |(a, b): (A, B), out, ct, (da, db), dout, dct| {
                    a.mul_vjp_jvp(b, out, ct, da, db, dout, dct)
                },
                (
                    Tensor::from_row_slice(&[0.3, -1.2, 2.0, 0.7, 0.1, 1.5]),
                    0.7,
                ),
            );
        }
        {
            use crate::ops::testing::check_vjp_jvp;
            type A = f64;
            type B = Tensor<f64, 2, 3>;
            check_vjp_jvp(
                |(a, b): (A, B)| a * b,
                |(a, b): (A, B), out, (da, db)| a.mul_jvp(b, out, da, db),
                |(a, b): (A, B), out, ct| a.mul_vjp(b, out, ct),
                |(a, b): (A, B), out, ct, (da, db), dout, dct| {
                    a.mul_vjp_jvp(b, out, ct, da, db, dout, dct)
                },
                (
                    -0.4,
                    Tensor::from_row_slice(&[1.3, 0.2, -0.5, 0.9, 1.1, -2.5]),
                ),
            );
        }
        {
            use crate::ops::testing::check_vjp_jvp;
            type A = f64;
            type B = f64;
            check_vjp_jvp(
                |(a, b): (A, B)| a * b,
                |(a, b): (A, B), out, (da, db)| a.mul_jvp(b, out, da, db),
                |(a, b): (A, B), out, ct| a.mul_vjp(b, out, ct),
                |(a, b): (A, B), out, ct, (da, db), dout, dct| {
                    a.mul_vjp_jvp(b, out, ct, da, db, dout, dct)
                },
                (-0.4, 1.5),
            );
        }
    }
}
