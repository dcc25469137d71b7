//! Addition, `a + b`: elementwise for tensors of equal shape, a scalar broadcast on either
//! side. The forward is `core::ops::Add` (and `AddAssign`); the VJP is [`AddVjp`].

use core::ops::{Add, AddAssign};

use super::Elementwise;
use crate::real::Real;
use crate::tensor::Tensor;

/// The VJP and JVP of `y = a + b`: `ct_a = ct`, `ct_b = ct`, where a broadcast scalar side
/// gets the sum of `ct` over the elements; `dy = da + db`, a scalar tangent broadcast like
/// its scalar.
///
/// ```
/// use autodiff_core::ops::AddVjp;
/// use autodiff_core::tensor;
///
/// let a = tensor![1.0, 2.0];
/// let y = a + 10.0;
/// assert_eq!(y, tensor![11.0, 12.0]);
/// let (ct_a, ct_b) = a.add_vjp(10.0, y, tensor![0.5, 2.0]);
/// assert_eq!((ct_a, ct_b), (tensor![0.5, 2.0], 2.5));
/// assert_eq!(a.add_jvp(10.0, y, tensor![0.5, 2.0], 1.0), tensor![1.5, 3.0]);
/// ```
#[doc(hidden)]
pub trait AddVjp<Rhs = Self>: Add<Rhs> + Sized {
    /// Returns `(ct_a, ct_b)` for `out = self + rhs` and the output cotangent `ct`.
    fn add_vjp(self, rhs: Rhs, out: Self::Output, ct: Self::Output) -> (Self, Rhs);

    /// Returns `dy = da + db` for `out = self + rhs` and the input tangents `da`, `db`.
    fn add_jvp(self, rhs: Rhs, out: Self::Output, da: Self, db: Rhs) -> Self::Output;

    /// The tangent of the VJP (forward over reverse, see the module docs): the op is linear,
    /// so it is the VJP of `dct`.
    #[inline]
    #[allow(clippy::too_many_arguments)]
    fn add_vjp_jvp(
        self,
        rhs: Rhs,
        out: Self::Output,
        _ct: Self::Output,
        _da: Self,
        _db: Rhs,
        _dout: Self::Output,
        dct: Self::Output,
    ) -> (Self, Rhs) {
        self.add_vjp(rhs, out, dct)
    }
    /// The VJP and its tangent in one call, as `f_hvp` runs them: one method for rustc to
    /// resolve per op instead of two.
    #[inline(always)]
    #[allow(clippy::too_many_arguments, clippy::type_complexity)]
    fn add_vjp_pair(
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
            self.add_vjp(rhs, out, ct),
            self.add_vjp_jvp(rhs, out, ct, da, db, dout, dct),
        )
    }
}

/// Scalar + scalar and tensor + tensor.
impl<X: Elementwise + Add<Output = X>> AddVjp for X {
    #[inline]
    fn add_vjp(self, _rhs: X, _out: X, ct: X) -> (X, X) {
        (ct, ct)
    }

    #[inline]
    fn add_jvp(self, _rhs: X, _out: X, da: X, db: X) -> X {
        da + db
    }
}

/// `a + b`, elementwise.
impl<T: Real, const R: usize, const C: usize> Add for Tensor<T, R, C> {
    type Output = Self;

    #[inline]
    fn add(self, rhs: Self) -> Self {
        Tensor::from_matrix(self.into_matrix() + rhs.into_matrix())
    }
}

/// `t + s`: `s` added to every element.
impl<T: Real, const R: usize, const C: usize> Add<T> for Tensor<T, R, C> {
    type Output = Self;

    #[inline]
    fn add(self, rhs: T) -> Self {
        Tensor::from_matrix(self.into_matrix().add_scalar(rhs))
    }
}

impl<T: Real, const R: usize, const C: usize> AddVjp<T> for Tensor<T, R, C> {
    #[inline]
    fn add_vjp(self, _rhs: T, _out: Self, ct: Self) -> (Self, T) {
        (ct, ct.sum_elems())
    }

    #[inline]
    fn add_jvp(self, _rhs: T, _out: Self, da: Self, db: T) -> Self {
        da + db
    }
}

impl<T: Real, const R: usize, const C: usize> AddAssign for Tensor<T, R, C> {
    #[inline]
    fn add_assign(&mut self, rhs: Self) {
        *self = *self + rhs;
    }
}

impl<T: Real, const R: usize, const C: usize> AddAssign<T> for Tensor<T, R, C> {
    #[inline]
    fn add_assign(&mut self, rhs: T) {
        *self = *self + rhs;
    }
}

/// `s + t` for each concrete float type `s` (a generic `T + Tensor<T>` is not expressible).
macro_rules! scalar_plus_tensor {
    ($($t:ty),*) => {$(
        impl<const R: usize, const C: usize> Add<Tensor<$t, R, C>> for $t {
            type Output = Tensor<$t, R, C>;

            #[inline]
            fn add(self, rhs: Tensor<$t, R, C>) -> Tensor<$t, R, C> {
                rhs + self
            }
        }

        impl<const R: usize, const C: usize> AddVjp<Tensor<$t, R, C>> for $t {
            #[inline]
            fn add_vjp(
                self,
                _rhs: Tensor<$t, R, C>,
                _out: Tensor<$t, R, C>,
                ct: Tensor<$t, R, C>,
            ) -> ($t, Tensor<$t, R, C>) {
                (ct.sum_elems(), ct)
            }

            #[inline]
            fn add_jvp(
                self,
                _rhs: Tensor<$t, R, C>,
                _out: Tensor<$t, R, C>,
                da: $t,
                db: Tensor<$t, R, C>,
            ) -> Tensor<$t, R, C> {
                da + db
            }
        }
    )*};
}

scalar_plus_tensor!(f32, f64);

#[cfg(test)]
mod tests {
    use super::AddVjp;
    use crate::ops::testing::binary_check;
    use crate::tensor;
    use crate::tensor::Tensor;

    type M = Tensor<f64, 2, 3>;

    fn point() -> M {
        M::from_row_slice(&[0.3, -1.2, 2.0, 0.7, 1.1, -0.4])
    }

    binary_check!(Add, AddVjp, add_vjp, add_jvp, +);

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
        assert_eq!(a + tensor![0.5, -1.0], tensor![1.5, 1.0]);
        assert_eq!(a + 1.0, tensor![2.0, 3.0]);
        assert_eq!(1.0_f32 + tensor![1.0_f32, 2.0], tensor![2.0, 3.0]);
        let mut b = a;
        b += a;
        b += 0.5;
        assert_eq!(b, tensor![2.5, 4.5]);
        let ct = tensor![1.0, 3.0];
        assert_eq!(2.0.add_vjp(a, a + 2.0, ct), (4.0, ct));
        assert_eq!(2.0.add_jvp(a, a + 2.0, 0.5, ct), tensor![1.5, 3.5]);
        assert_eq!(a.add_jvp(a, a + a, ct, ct), ct * 2.0);
    }

    #[test]
    fn vjp_jvp_matches_finite_differences_of_the_vjp() {
        {
            use crate::ops::testing::check_vjp_jvp;
            type A = Tensor<f64, 2, 3>;
            type B = Tensor<f64, 2, 3>;
            check_vjp_jvp(
                |(a, b): (A, B)| a + b,
                |(a, b): (A, B), out, (da, db)| a.add_jvp(b, out, da, db),
                |(a, b): (A, B), out, ct| a.add_vjp(b, out, ct),
                |(a, b): (A, B), out, ct, (da, db), dout, dct| {
                    a.add_vjp_jvp(b, out, ct, da, db, dout, dct)
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
                |(a, b): (A, B)| a + b,
                |(a, b): (A, B), out, (da, db)| a.add_jvp(b, out, da, db),
                |(a, b): (A, B), out, ct| a.add_vjp(b, out, ct),
                |(a, b): (A, B), out, ct, (da, db), dout, dct| {
                    a.add_vjp_jvp(b, out, ct, da, db, dout, dct)
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
                |(a, b): (A, B)| a + b,
                |(a, b): (A, B), out, (da, db)| a.add_jvp(b, out, da, db),
                |(a, b): (A, B), out, ct| a.add_vjp(b, out, ct),
                |(a, b): (A, B), out, ct, (da, db), dout, dct| {
                    a.add_vjp_jvp(b, out, ct, da, db, dout, dct)
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
                |(a, b): (A, B)| a + b,
                |(a, b): (A, B), out, (da, db)| a.add_jvp(b, out, da, db),
                |(a, b): (A, B), out, ct| a.add_vjp(b, out, ct),
                |(a, b): (A, B), out, ct, (da, db), dout, dct| {
                    a.add_vjp_jvp(b, out, ct, da, db, dout, dct)
                },
                (-0.4, 1.5),
            );
        }
    }
}
