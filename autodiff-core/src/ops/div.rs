//! Division, `a / b`: elementwise for tensors of equal shape, a scalar broadcast on either
//! side. The forward is `core::ops::Div` (and `DivAssign`); the VJP is [`DivVjp`].

use core::ops::{Div, DivAssign};

use super::Elementwise;
use crate::real::Real;
use crate::tensor::Tensor;

/// The VJP and JVP of `q = a / b`, reusing the quotient: `ct_a = ct / b`,
/// `ct_b = -ct * q / b`, where a broadcast scalar side gets the sum over the elements;
/// `dq = (da - q * db) / b`, one division per element, a scalar tangent broadcast like its
/// scalar.
///
/// ```
/// use autodiff_core::ops::DivVjp;
/// use autodiff_core::tensor;
///
/// let a = tensor![1.0, 3.0];
/// let q = a / 2.0;
/// assert_eq!(q, tensor![0.5, 1.5]);
/// let (ct_a, ct_b) = a.div_vjp(2.0, q, tensor![1.0, 1.0]);
/// assert_eq!((ct_a, ct_b), (tensor![0.5, 0.5], -1.0));
/// assert_eq!(a.div_jvp(2.0, q, tensor![1.0, 1.0], 1.0), tensor![0.25, -0.25]);
/// ```
#[doc(hidden)]
pub trait DivVjp<Rhs = Self>: Div<Rhs> + Sized {
    /// Returns `(ct_a, ct_b)` for `out = self / rhs` and the output cotangent `ct`.
    fn div_vjp(self, rhs: Rhs, out: Self::Output, ct: Self::Output) -> (Self, Rhs);

    /// Returns `dq = (da - q * db) / b` for `out = q = self / rhs` and the input tangents
    /// `da`, `db`.
    fn div_jvp(self, rhs: Rhs, out: Self::Output, da: Self, db: Rhs) -> Self::Output;

    /// The tangent of the VJP (forward over reverse, see the module docs): with `g = ct / b`, `(dg, -(dg q + g dq))` where `dg = (dct - g db) / b`, broadcast sides summed.
    #[allow(clippy::too_many_arguments)]
    fn div_vjp_jvp(
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
    fn div_vjp_pair(
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
            self.div_vjp(rhs, out, ct),
            self.div_vjp_jvp(rhs, out, ct, da, db, dout, dct),
        )
    }
}

/// Scalar / scalar and tensor / tensor.
impl<X: Elementwise + Div<Output = X>> DivVjp for X {
    #[inline]
    fn div_vjp(self, rhs: X, out: X, ct: X) -> (X, X) {
        // One division: `ct_b = -(ct / b) · q` reuses `ct_a = ct / b` and the output.
        let ct_a = ct.zip_map_elems(rhs, |ct, b| ct / b);
        (ct_a, ct_a.zip_map_elems(out, |g, q| -g * q))
    }

    #[inline]
    fn div_jvp(self, rhs: X, out: X, da: X, db: X) -> X {
        // `da / b - a db / b² = (da - q db) / b`: the quotient saves the second division.
        da.zip3_map_elems(out, db, |da, q, db| da - q * db)
            .zip_map_elems(rhs, |n, b| n / b)
    }

    #[inline]
    #[allow(clippy::too_many_arguments)]
    fn div_vjp_jvp(self, rhs: X, out: X, ct: X, _da: X, db: X, dout: X, dct: X) -> (X, X) {
        // With g = ct / b: dg = (dct - g db) / b, and ct_b = -g q gives -(dg q + g dq).
        let g = ct.zip_map_elems(rhs, |ct, b| ct / b);
        let dg = dct
            .zip3_map_elems(g, db, |dct, g, db| dct - g * db)
            .zip_map_elems(rhs, |n, b| n / b);
        let g_dq = g.zip_map_elems(dout, |g, dq| g * dq);
        (
            dg,
            dg.zip3_map_elems(out, g_dq, |dg, q, g_dq| -(dg * q) - g_dq),
        )
    }
}

/// `a / b`, elementwise.
impl<T: Real, const R: usize, const C: usize> Div for Tensor<T, R, C> {
    type Output = Self;

    #[inline]
    fn div(self, rhs: Self) -> Self {
        Tensor::from_matrix(self.as_matrix().component_div(rhs.as_matrix()))
    }
}

/// `t / s`: every element divided by `s`.
impl<T: Real, const R: usize, const C: usize> Div<T> for Tensor<T, R, C> {
    type Output = Self;

    #[inline]
    fn div(self, rhs: T) -> Self {
        Tensor::from_matrix(self.into_matrix() / rhs)
    }
}

impl<T: Real, const R: usize, const C: usize> DivVjp<T> for Tensor<T, R, C> {
    #[inline]
    fn div_vjp(self, rhs: T, out: Self, ct: Self) -> (Self, T) {
        // One division for the whole tensor, as in `div_jvp`.
        let inv_b = T::one() / rhs;
        (ct * inv_b, -ct.as_matrix().dot(out.as_matrix()) * inv_b)
    }

    #[inline]
    fn div_jvp(self, rhs: T, out: Self, da: Self, db: T) -> Self {
        // One division for the whole tensor, not one per element.
        let inv_b = T::one() / rhs;
        da.zip_map_elems(out, |da, q| (da - q * db) * inv_b)
    }

    #[inline]
    #[allow(clippy::too_many_arguments)]
    fn div_vjp_jvp(
        self,
        rhs: T,
        out: Self,
        ct: Self,
        _da: Self,
        db: T,
        dout: Self,
        dct: Self,
    ) -> (Self, T) {
        // ct_a = ct / b and ct_b = -⟨ct, q⟩ / b, differentiated along (dct, db, dq).
        let inv_b = T::one() / rhs;
        let ct_q = ct.as_matrix().dot(out.as_matrix());
        let d_ct_q = dct.as_matrix().dot(out.as_matrix()) + ct.as_matrix().dot(dout.as_matrix());
        (
            dct.zip_map_elems(ct, |dct, ct| (dct - ct * db * inv_b) * inv_b),
            (ct_q * db * inv_b - d_ct_q) * inv_b,
        )
    }
}

impl<T: Real, const R: usize, const C: usize> DivAssign for Tensor<T, R, C> {
    #[inline]
    fn div_assign(&mut self, rhs: Self) {
        *self = *self / rhs;
    }
}

impl<T: Real, const R: usize, const C: usize> DivAssign<T> for Tensor<T, R, C> {
    #[inline]
    fn div_assign(&mut self, rhs: T) {
        *self = *self / rhs;
    }
}

/// `s / t` for each concrete float type `s` (a generic `T / Tensor<T>` is not expressible).
macro_rules! scalar_over_tensor {
    ($($t:ty),*) => {$(
        impl<const R: usize, const C: usize> Div<Tensor<$t, R, C>> for $t {
            type Output = Tensor<$t, R, C>;

            #[inline]
            fn div(self, rhs: Tensor<$t, R, C>) -> Tensor<$t, R, C> {
                rhs.map_elems(|x| self / x)
            }
        }

        impl<const R: usize, const C: usize> DivVjp<Tensor<$t, R, C>> for $t {
            #[inline]
            fn div_vjp(
                self,
                rhs: Tensor<$t, R, C>,
                out: Tensor<$t, R, C>,
                ct: Tensor<$t, R, C>,
            ) -> ($t, Tensor<$t, R, C>) {
                let g = ct / rhs;
                (g.sum_elems(), g.zip_map_elems(out, |g, q| -g * q))
            }

            #[inline]
            fn div_jvp(
                self,
                rhs: Tensor<$t, R, C>,
                out: Tensor<$t, R, C>,
                da: $t,
                db: Tensor<$t, R, C>,
            ) -> Tensor<$t, R, C> {
                out.zip3_map_elems(db, rhs, |q, db, b| (da - q * db) / b)
            }

            #[inline]
            #[allow(clippy::too_many_arguments)]
            fn div_vjp_jvp(
                self,
                rhs: Tensor<$t, R, C>,
                out: Tensor<$t, R, C>,
                ct: Tensor<$t, R, C>,
                _da: $t,
                db: Tensor<$t, R, C>,
                dout: Tensor<$t, R, C>,
                dct: Tensor<$t, R, C>,
            ) -> ($t, Tensor<$t, R, C>) {
                let g = ct / rhs;
                let dg = (dct - g * db) / rhs;
                (dg.sum_elems(), -(dg * out) - g * dout)
            }
        }
    )*};
}

scalar_over_tensor!(f32, f64);

#[cfg(test)]
mod tests {
    use super::DivVjp;
    use crate::ops::testing::binary_check;
    use crate::tensor;
    use crate::tensor::Tensor;

    type M = Tensor<f64, 2, 3>;

    fn point() -> M {
        M::from_row_slice(&[0.3, -1.2, 2.0, 0.7, 1.1, -0.4])
    }

    binary_check!(Div, DivVjp, div_vjp, div_jvp, /);

    #[test]
    fn vjp_and_jvp_match_finite_differences_and_each_other() {
        check(point(), point() * 0.5 + 1.5);
        check(point(), 0.8);
        check(-0.8, point());
        check(1.5, -2.0);
    }

    #[test]
    fn fixed_values() {
        let a = tensor![1.0, 2.0];
        assert_eq!(a / tensor![0.5, -1.0], tensor![2.0, -2.0]);
        assert_eq!(a / 2.0, tensor![0.5, 1.0]);
        assert_eq!(2.0_f32 / tensor![1.0_f32, 4.0], tensor![2.0, 0.5]);
        let mut b = a;
        b /= tensor![2.0, 4.0];
        b /= 0.5;
        assert_eq!(b, tensor![1.0, 1.0]);
        // q = 1 / b at b = 2: dq/db = -1/4.
        assert_eq!(1.0.div_vjp(2.0, 0.5, 1.0), (0.5, -0.25));
        assert_eq!(1.0.div_jvp(2.0, 0.5, 1.0, 0.0), 0.5);
        assert_eq!(1.0.div_jvp(2.0, 0.5, 0.0, 1.0), -0.25);
        assert_eq!(
            2.0.div_jvp(tensor![1.0, 4.0], tensor![2.0, 0.5], 1.0, tensor![1.0, 0.0]),
            tensor![-1.0, 0.25]
        );
    }

    #[test]
    fn vjp_jvp_matches_finite_differences_of_the_vjp() {
        {
            use crate::ops::testing::check_vjp_jvp;
            type A = Tensor<f64, 2, 3>;
            type B = Tensor<f64, 2, 3>;
            check_vjp_jvp(
                |(a, b): (A, B)| a / b,
                |(a, b): (A, B), out, (da, db)| a.div_jvp(b, out, da, db),
                |(a, b): (A, B), out, ct| a.div_vjp(b, out, ct),
                |(a, b): (A, B), out, ct, (da, db), dout, dct| {
                    a.div_vjp_jvp(b, out, ct, da, db, dout, dct)
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
                |(a, b): (A, B)| a / b,
                |(a, b): (A, B), out, (da, db)| a.div_jvp(b, out, da, db),
                |(a, b): (A, B), out, ct| a.div_vjp(b, out, ct),
                |(a, b): (A, B), out, ct, (da, db), dout, dct| {
                    a.div_vjp_jvp(b, out, ct, da, db, dout, dct)
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
                |(a, b): (A, B)| a / b,
                |(a, b): (A, B), out, (da, db)| a.div_jvp(b, out, da, db),
                |(a, b): (A, B), out, ct| a.div_vjp(b, out, ct),
                |(a, b): (A, B), out, ct, (da, db), dout, dct| {
                    a.div_vjp_jvp(b, out, ct, da, db, dout, dct)
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
                |(a, b): (A, B)| a / b,
                |(a, b): (A, B), out, (da, db)| a.div_jvp(b, out, da, db),
                |(a, b): (A, B), out, ct| a.div_vjp(b, out, ct),
                |(a, b): (A, B), out, ct, (da, db), dout, dct| {
                    a.div_vjp_jvp(b, out, ct, da, db, dout, dct)
                },
                (-0.4, 1.5),
            );
        }
    }
}
