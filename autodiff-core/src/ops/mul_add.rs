//! Fused multiply-add, `y = x * a + b` with one rounding, elementwise.

use nalgebra::ComplexField;

use super::Elementwise;
use crate::real::Real;
use crate::tensor::Tensor;

/// `x.mul_add(a, b) = x * a + b` and its derivative rules: `ct_x = ct ⊙ a`,
/// `ct_a = ct ⊙ x`, `ct_b = ct`; bilinear in `(x, a)`, so the VJP's tangent is the VJP of
/// `dct` plus the VJP of `ct` with the tangents in place of the operands. What
/// `#[differentiable]` code calls; users call `Tensor::mul_add` or `f64::mul_add`.
#[doc(hidden)]
pub trait MulAdd: Sized {
    /// `x * a + b`, rounded once.
    fn mul_add(self, a: Self, b: Self) -> Self;
    /// `(ct ⊙ a, ct ⊙ x, ct)`.
    fn mul_add_vjp(self, a: Self, b: Self, out: Self, ct: Self) -> (Self, Self, Self);
    /// `dx ⊙ a + x ⊙ da + db`.
    #[allow(clippy::too_many_arguments)]
    fn mul_add_jvp(self, a: Self, b: Self, out: Self, dx: Self, da: Self, db: Self) -> Self;
    /// `(dct ⊙ a + ct ⊙ da, dct ⊙ x + ct ⊙ dx, dct)`.
    #[allow(clippy::too_many_arguments)]
    fn mul_add_vjp_jvp(
        self,
        a: Self,
        b: Self,
        out: Self,
        ct: Self,
        dx: Self,
        da: Self,
        db: Self,
        dout: Self,
        dct: Self,
    ) -> (Self, Self, Self);
    /// The VJP and its tangent in one call, as `f_hvp` runs them.
    #[allow(clippy::too_many_arguments, clippy::type_complexity)]
    fn mul_add_vjp_pair(
        self,
        a: Self,
        b: Self,
        out: Self,
        ct: Self,
        dx: Self,
        da: Self,
        db: Self,
        dout: Self,
        dct: Self,
    ) -> ((Self, Self, Self), (Self, Self, Self));
}

/// `a ⊙ b`.
#[inline(always)]
fn times<X: Elementwise>(a: X, b: X) -> X {
    a.zip_map_elems(b, |a, b| a * b)
}

impl<X: Elementwise> MulAdd for X {
    #[inline]
    fn mul_add(self, a: Self, b: Self) -> Self {
        self.zip3_map_elems(a, b, ComplexField::mul_add)
    }

    #[inline]
    fn mul_add_vjp(self, a: Self, _b: Self, _out: Self, ct: Self) -> (Self, Self, Self) {
        (times(ct, a), times(ct, self), ct)
    }

    #[inline]
    fn mul_add_jvp(self, a: Self, _b: Self, _out: Self, dx: Self, da: Self, db: Self) -> Self {
        dx.zip3_map_elems(a, db, |dx, a, db| dx * a + db)
            .zip3_map_elems(self, da, |s, x, da| s + x * da)
    }

    #[inline]
    fn mul_add_vjp_jvp(
        self,
        a: Self,
        b: Self,
        out: Self,
        ct: Self,
        dx: Self,
        da: Self,
        _db: Self,
        _dout: Self,
        dct: Self,
    ) -> (Self, Self, Self) {
        let (first_x, first_a, first_b) = self.mul_add_vjp(a, b, out, dct);
        (
            super::second_order(first_x, ct, da),
            super::second_order(first_a, ct, dx),
            first_b,
        )
    }

    #[inline(always)]
    fn mul_add_vjp_pair(
        self,
        a: Self,
        b: Self,
        out: Self,
        ct: Self,
        dx: Self,
        da: Self,
        db: Self,
        dout: Self,
        dct: Self,
    ) -> ((Self, Self, Self), (Self, Self, Self)) {
        (
            self.mul_add_vjp(a, b, out, ct),
            self.mul_add_vjp_jvp(a, b, out, ct, dx, da, db, dout, dct),
        )
    }
}

impl<T: Real, const R: usize, const C: usize> Tensor<T, R, C> {
    /// Elementwise `self * a + b` with one rounding (`f64::mul_add`); its gradient is
    /// `(a, self, 1)` times the cotangent.
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// let y = tensor![2.0, 0.5].mul_add(tensor![3.0, 4.0], tensor![1.0, -1.0]);
    /// assert_eq!(y, tensor![7.0, 1.0]);
    /// ```
    #[inline]
    pub fn mul_add(self, a: Self, b: Self) -> Self {
        MulAdd::mul_add(self, a, b)
    }
}

#[cfg(test)]
mod tests {
    use super::MulAdd;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp, check_vjp_jvp};
    use crate::tensor::Tensor;

    fn check<X: MulAdd + crate::ops::testing::Flat>(x: X, a: X, b: X) {
        let f = |(x, (a, b)): (X, (X, X))| MulAdd::mul_add(x, a, b);
        let vjp = |(x, (a, b)): (X, (X, X)), out, ct| {
            let (cx, ca, cb) = MulAdd::mul_add_vjp(x, a, b, out, ct);
            (cx, (ca, cb))
        };
        let jvp = |(x, (a, b)): (X, (X, X)), out, (dx, (da, db)): (X, (X, X))| {
            MulAdd::mul_add_jvp(x, a, b, out, dx, da, db)
        };
        let vjp_jvp =
            |(x, (a, b)): (X, (X, X)), out, ct, (dx, (da, db)): (X, (X, X)), dout, dct| {
                let (cx, ca, cb) = MulAdd::mul_add_vjp_jvp(x, a, b, out, ct, dx, da, db, dout, dct);
                (cx, (ca, cb))
            };
        check_vjp(f, vjp, (x, (a, b)));
        check_jvp(f, jvp, (x, (a, b)));
        check_vjp_against_jvp(f, vjp, jvp, (x, (a, b)));
        check_vjp_jvp(f, jvp, vjp, vjp_jvp, (x, (a, b)));
    }

    #[test]
    fn rules_match_finite_differences() {
        check(0.3_f64, -1.2, 2.0);
        check(0.0_f64, 0.0, 0.0);
        type M = Tensor<f64, 2, 2>;
        check(
            M::from_row_slice(&[0.3, -1.2, 2.0, 0.7]),
            M::from_row_slice(&[1.5, 0.2, -0.4, 3.0]),
            M::from_row_slice(&[-1.0, 0.0, 0.5, 2.0]),
        );
    }

    #[test]
    fn rounds_once_like_std() {
        let (x, a, b) = (0.1_f64, 10.0, -1.0);
        assert_eq!(
            MulAdd::mul_add(x, a, b).to_bits(),
            x.mul_add(a, b).to_bits()
        );
        assert_ne!(x.mul_add(a, b), x * a + b);
        let pair = MulAdd::mul_add_vjp_pair(x, a, b, 0.0, 1.0, 0.5, 0.25, 2.0, 0.0, -1.0);
        assert_eq!(pair.0, MulAdd::mul_add_vjp(x, a, b, 0.0, 1.0));
        assert_eq!(pair.1, (-10.0 + 0.25, -0.1 + 0.5, -1.0));
    }
}
