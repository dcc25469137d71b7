//! Matrix product, `Y = A B`.

use nalgebra::{Const, MatrixView};

use crate::real::Real;
use crate::tensor::Tensor;

/// Matrix product `Y = A B` of an `R x K` and a `K x C` tensor; VJP `ct_A = ct Bᵀ`,
/// `ct_B = Aᵀ ct`; JVP `dY = dA B + A dB`.
///
/// Neither transpose is materialised: `Aᵀ ct` is nalgebra's `tr_mul`, and `ct Bᵀ`
/// multiplies by a strided view of `B`'s storage read as `Bᵀ`.
///
/// ```
/// use autodiff_core::ops::Matmul;
/// use autodiff_core::tensor;
///
/// let a = tensor![[1.0, 2.0], [3.0, 4.0]];
/// let x = tensor![1.0, 1.0];
/// let y = a.matmul(x);
/// assert_eq!(y, tensor![3.0, 7.0]);
/// let (ct_a, ct_x) = a.matmul_vjp(&x, &y, tensor![1.0, 0.0], [true, true]);
/// assert_eq!(ct_a, tensor![[1.0, 1.0], [0.0, 0.0]]);
/// assert_eq!(ct_x, tensor![1.0, 2.0]);
/// let da = tensor![[1.0, 0.0], [0.0, 0.0]];
/// let dx = tensor![0.0, 1.0];
/// assert_eq!(a.matmul_jvp(&x, &y, &da, &dx, [true, true]), tensor![3.0, 4.0]);
/// // An inactive operand's tangent is not read: here only `dA B` is computed.
/// assert_eq!(a.matmul_jvp(&x, &y, &da, &dx, [true, false]), tensor![1.0, 0.0]);
/// ```
#[doc(hidden)]
pub trait Matmul<Rhs>: Sized {
    /// The product's type.
    type Output;

    /// `Y = A B`. The operands are borrowed (here and in the VJP) so that a large weight
    /// matrix is never copied into a call.
    fn matmul(&self, rhs: &Rhs) -> Self::Output;

    /// `(ct_A, ct_B) = (ct Bᵀ, Aᵀ ct)`; a contribution not `wanted` is not computed
    /// (zero).
    fn matmul_vjp(
        &self,
        rhs: &Rhs,
        out: &Self::Output,
        ct: Self::Output,
        wanted: [bool; 2],
    ) -> (Self, Rhs);

    /// `dY = dA B + A dB`. The tangents are borrowed like the operands (a weight's
    /// tangent is as large as the weight); a tangent not `active` is zero, neither read
    /// nor multiplied, so an operand that does not depend on the inputs costs nothing.
    fn matmul_jvp(
        &self,
        rhs: &Rhs,
        out: &Self::Output,
        da: &Self,
        db: &Rhs,
        active: [bool; 2],
    ) -> Self::Output;

    /// The tangent of the VJP (forward over reverse, see the module docs): the product is bilinear, so it is the VJP of `dct` plus the VJP of `ct` at `(dA, dB)`; contributions not `wanted` are zero, tangents not `active` are not read.
    #[allow(clippy::too_many_arguments)]
    fn matmul_vjp_jvp(
        &self,
        rhs: &Rhs,
        out: &Self::Output,
        ct: Self::Output,
        da: &Self,
        db: &Rhs,
        dout: &Self::Output,
        dct: Self::Output,
        wanted: [bool; 2],
        active: [bool; 2],
    ) -> (Self, Rhs);
}

impl<T: Real, const R: usize, const K: usize, const C: usize> Matmul<Tensor<T, K, C>>
    for Tensor<T, R, K>
{
    type Output = Tensor<T, R, C>;

    // Always inlined, so that `wanted` is a constant and the skipped product vanishes.
    #[inline(always)]
    fn matmul(&self, rhs: &Tensor<T, K, C>) -> Tensor<T, R, C> {
        Tensor::from_matrix(self.as_matrix() * rhs.as_matrix())
    }

    #[inline(always)]
    fn matmul_vjp(
        &self,
        rhs: &Tensor<T, K, C>,
        _out: &Tensor<T, R, C>,
        ct: Tensor<T, R, C>,
        wanted: [bool; 2],
    ) -> (Self, Tensor<T, K, C>) {
        // `rhs` is stored column-major, element (k, c) at `k + c·K`; reading it with row
        // stride K and column stride 1 gives the C x K matrix Bᵀ.
        let rhs_t = MatrixView::<T, Const<C>, Const<K>, Const<K>, Const<1>>::from_slice_with_strides_generic(
            rhs.as_matrix().as_slice(),
            Const,
            Const,
            Const,
            Const,
        );
        let ct_a = match wanted[0] {
            true => Tensor::from_matrix(ct.as_matrix() * rhs_t),
            false => Tensor::zeros(),
        };
        let ct_b = match wanted[1] {
            true => Tensor::from_matrix(self.as_matrix().tr_mul(ct.as_matrix())),
            false => Tensor::zeros(),
        };
        (ct_a, ct_b)
    }

    // Always inlined, so that `active` is a constant and a skipped product vanishes.
    #[inline(always)]
    fn matmul_jvp(
        &self,
        rhs: &Tensor<T, K, C>,
        _out: &Tensor<T, R, C>,
        da: &Self,
        db: &Tensor<T, K, C>,
        active: [bool; 2],
    ) -> Tensor<T, R, C> {
        let product = match active {
            [true, true] => da.as_matrix() * rhs.as_matrix() + self.as_matrix() * db.as_matrix(),
            [true, false] => da.as_matrix() * rhs.as_matrix(),
            [false, true] => self.as_matrix() * db.as_matrix(),
            [false, false] => return Tensor::zeros(),
        };
        Tensor::from_matrix(product)
    }

    #[inline(always)]
    fn matmul_vjp_jvp(
        &self,
        rhs: &Tensor<T, K, C>,
        out: &Tensor<T, R, C>,
        ct: Tensor<T, R, C>,
        da: &Self,
        db: &Tensor<T, K, C>,
        dout: &Tensor<T, R, C>,
        dct: Tensor<T, R, C>,
        wanted: [bool; 2],
        active: [bool; 2],
    ) -> (Self, Tensor<T, K, C>) {
        // Bilinear: the VJP of `dct`, plus the VJP of `ct` at the tangents, skipping the
        // products with a tangent that is not active.
        let (a1, b1) = self.matmul_vjp(rhs, out, dct, wanted);
        let cross = [wanted[0] && active[1], wanted[1] && active[0]];
        if cross == [false, false] {
            return (a1, b1);
        }
        let (a2, b2) = da.matmul_vjp(db, dout, ct, cross);
        (a1 + a2, b1 + b2)
    }
}

impl<T: Real, const R: usize, const K: usize> Tensor<T, R, K> {
    /// The matrix product with a `K x C` tensor; see [`Matmul`].
    #[inline]
    pub fn matmul<const C: usize>(self, rhs: Tensor<T, K, C>) -> Tensor<T, R, C> {
        Matmul::matmul(&self, &rhs)
    }
}

#[cfg(test)]
mod tests {
    use super::Matmul;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp};
    use crate::tensor::Tensor;

    type A = Tensor<f64, 2, 3>;
    type B = Tensor<f64, 3, 4>;

    #[test]
    fn vjp_matches_finite_differences() {
        let a = A::from_row_slice(&[0.3, -1.2, 2.0, -0.7, 0.1, 5.0]);
        let b = B::from_fn(|r, c| (r as f64 - 2.0 * c as f64) * 0.7 + 0.1 * (r * c) as f64);
        check_vjp(
            |(a, b): (A, B)| a.matmul(b),
            |(a, b), out, ct| a.matmul_vjp(&b, &out, ct, [true, true]),
            (a, b),
        );
        let v = Tensor::<f64, 3>::from_row_slice(&[1.0, -0.5, 0.25]);
        check_vjp(
            |(a, v): (A, Tensor<f64, 3>)| a.matmul(v),
            |(a, v), out, ct| a.matmul_vjp(&v, &out, ct, [true, true]),
            (a, v),
        );
    }

    #[test]
    fn jvp_matches_finite_differences_and_the_vjp() {
        let a = A::from_row_slice(&[0.3, -1.2, 2.0, -0.7, 0.1, 5.0]);
        let b = B::from_fn(|r, c| (r as f64 - 2.0 * c as f64) * 0.7 + 0.1 * (r * c) as f64);
        let f = |(a, b): (A, B)| a.matmul(b);
        let vjp = |(a, b): (A, B), out, ct| a.matmul_vjp(&b, &out, ct, [true, true]);
        let jvp = |(a, b): (A, B), out, (da, db)| a.matmul_jvp(&b, &out, &da, &db, [true, true]);
        check_jvp(f, jvp, (a, b));
        check_vjp_against_jvp(f, vjp, jvp, (a, b));
        type V = Tensor<f64, 3>;
        let v = V::from_row_slice(&[1.0, -0.5, 0.25]);
        let f = |(a, v): (A, V)| a.matmul(v);
        let vjp = |(a, v): (A, V), out, ct| a.matmul_vjp(&v, &out, ct, [true, true]);
        let jvp = |(a, v): (A, V), out, (da, dv)| a.matmul_jvp(&v, &out, &da, &dv, [true, true]);
        check_jvp(f, jvp, (a, v));
        check_vjp_against_jvp(f, vjp, jvp, (a, v));
        // One operand held constant: the other's tangent alone, as `active` promises.
        let jvp_a = |a: A, out, da| a.matmul_jvp(&b, &out, &da, &B::zeros(), [true, false]);
        check_jvp(|a: A| a.matmul(b), jvp_a, a);
        let jvp_b = |b: B, out, db| a.matmul_jvp(&b, &out, &A::zeros(), &db, [false, true]);
        check_jvp(|b: B| a.matmul(b), jvp_b, b);
    }

    #[test]
    fn inactive_tangents_are_not_read() {
        let a = A::from_row_slice(&[0.3, -1.2, 2.0, -0.7, 0.1, 5.0]);
        let b = B::from_element(0.5);
        let y = a.matmul(b);
        let nan_a = A::from_element(f64::NAN);
        let nan_b = B::from_element(f64::NAN);
        assert_eq!(a.matmul_jvp(&b, &y, &a, &nan_b, [true, false]), y);
        assert_eq!(a.matmul_jvp(&b, &y, &nan_a, &b, [false, true]), a.matmul(b));
        assert_eq!(
            a.matmul_jvp(&b, &y, &nan_a, &nan_b, [false, false]),
            Tensor::zeros()
        );
    }

    #[test]
    fn vjp_matches_explicit_transposes_at_a_large_size() {
        // 8 x 8 takes nalgebra's large-matrix path for the strided view.
        let a = Tensor::<f64, 8, 9>::from_fn(|r, c| (r as f64 * 1.3 - c as f64 * 0.4).sin());
        let b = Tensor::<f64, 9, 7>::from_fn(|r, c| (r as f64 * 0.2 + c as f64 * 0.9).cos());
        let ct = Tensor::<f64, 8, 7>::from_fn(|r, c| (r * 7 + c) as f64 * 0.01 - 0.2);
        let (ct_a, ct_b) = a.matmul_vjp(&b, &a.matmul(b), ct, [true, true]);
        let expected_a = ct.as_matrix() * b.as_matrix().transpose();
        let expected_b = a.as_matrix().transpose() * ct.as_matrix();
        assert!((ct_a.into_matrix() - expected_a).norm() < 1e-12);
        assert!((ct_b.into_matrix() - expected_b).norm() < 1e-12);
    }

    #[test]
    fn fixed_values() {
        let a = Tensor::<f64, 2, 2>::from_row_slice(&[1.0, 2.0, 3.0, 4.0]);
        let i = Tensor::<f64, 2, 2>::from_row_slice(&[1.0, 0.0, 0.0, 1.0]);
        assert_eq!(a.matmul(i), a);
        assert_eq!(
            a.matmul(a),
            Tensor::from_row_slice(&[7.0, 10.0, 15.0, 22.0])
        );
        // d(A A) along dA = I is A + A.
        let both = a.matmul_jvp(&a, &a.matmul(a), &i, &i, [true, true]);
        assert_eq!(both, a * 2.0);
    }

    #[test]
    fn vjp_jvp_matches_finite_differences_of_the_vjp() {
        use crate::ops::testing::check_vjp_jvp;
        type A = Tensor<f64, 2, 3>;
        type B = Tensor<f64, 3, 2>;
        let a = A::from_row_slice(&[0.3, -1.2, 2.0, 0.7, 0.1, 1.5]);
        let b = B::from_row_slice(&[1.3, 0.2, -0.5, 0.9, 1.1, -2.5]);
        check_vjp_jvp(
            |(a, b): (A, B)| Matmul::matmul(&a, &b),
            |(a, b): (A, B), out, (da, db)| a.matmul_jvp(&b, &out, &da, &db, [true, true]),
            |(a, b): (A, B), out, ct| a.matmul_vjp(&b, &out, ct, [true, true]),
            |(a, b): (A, B), out, ct, (da, db), dout, dct| {
                a.matmul_vjp_jvp(
                    &b,
                    &out,
                    ct,
                    &da,
                    &db,
                    &dout,
                    dct,
                    [true, true],
                    [true, true],
                )
            },
            (a, b),
        );
        // An inactive operand: its tangent is zero and not read.
        let (da, db) = (A::from_fn(|r, c| (r + 2 * c) as f64 * 0.1), B::zeros());
        let (out, ct) = (Matmul::matmul(&a, &b), Matmul::matmul(&a, &b) * 0.5);
        let dout = a.matmul_jvp(&b, &out, &da, &db, [true, false]);
        let dct = ct * 2.0;
        assert_eq!(
            a.matmul_vjp_jvp(
                &b,
                &out,
                ct,
                &da,
                &db,
                &dout,
                dct,
                [true, true],
                [true, false]
            ),
            a.matmul_vjp_jvp(
                &b,
                &out,
                ct,
                &da,
                &db,
                &dout,
                dct,
                [true, true],
                [true, true]
            ),
        );
    }
}
