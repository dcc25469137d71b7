//! Stacking side by side, `Y = [A B]`: the columns of `A`, then the columns of `B`.

use crate::real::Real;
use crate::tensor::Tensor;

/// `Y = [A B]`: an `R x CA` and an `R x CB` tensor side by side in an `R x C` one with
/// `C = CA + CB`; two column vectors become the two columns of a matrix.
///
/// The output's shape cannot be written as `CA + CB` on stable Rust, so it is inferred from
/// where the result goes (a `let` with a type, the return type); a wrong shape is a
/// compile-time error of the sizes' assertion. VJP: `ct_a` and `ct_b` are the two parts of
/// `ct`; JVP: the same stacking of `da` and `db`.
///
/// ```
/// use autodiff_core::ops::Hstack;
/// use autodiff_core::{tensor, Tensor};
///
/// let a = tensor![1.0, 2.0];
/// let b = tensor![3.0, 4.0];
/// let y: Tensor<f64, 2, 2> = a.hstack(b);
/// assert_eq!(y, tensor![[1.0, 3.0], [2.0, 4.0]]);
/// let (ct_a, ct_b) = a.hstack_vjp(b, y, y * 2.0);
/// assert_eq!((ct_a, ct_b), (a * 2.0, b * 2.0));
/// ```
pub trait Hstack<Rhs, Out>: Sized {
    /// `Y = [A B]`.
    fn hstack(self, rhs: Rhs) -> Out;

    /// `(ct_a, ct_b)`: the parts of `ct` that `self` and `rhs` became.
    #[doc(hidden)]
    fn hstack_vjp(self, rhs: Rhs, out: Out, ct: Out) -> (Self, Rhs);

    /// `dy`: the same stacking of the tangents.
    #[doc(hidden)]
    fn hstack_jvp(self, rhs: Rhs, out: Out, da: Self, db: Rhs) -> Out;

    /// The tangent of the VJP (forward over reverse, see the module docs): the op is linear,
    /// so it is the VJP of `dct`.
    #[inline]
    #[allow(clippy::too_many_arguments)]
    #[doc(hidden)]
    fn hstack_vjp_jvp(
        self,
        rhs: Rhs,
        out: Out,
        _ct: Out,
        _da: Self,
        _db: Rhs,
        _dout: Out,
        dct: Out,
    ) -> (Self, Rhs) {
        self.hstack_vjp(rhs, out, dct)
    }
}

impl<T: Real, const R: usize, const CA: usize, const CB: usize, const C: usize>
    Hstack<Tensor<T, R, CB>, Tensor<T, R, C>> for Tensor<T, R, CA>
{
    #[inline]
    fn hstack(self, rhs: Tensor<T, R, CB>) -> Tensor<T, R, C> {
        const {
            assert!(
                CA + CB == C,
                "hstack: the output must have as many columns as both inputs together"
            )
        };
        Tensor::from_fn(|r, c| {
            if c < CA {
                self[(r, c)]
            } else {
                rhs[(r, c - CA)]
            }
        })
    }

    #[inline]
    fn hstack_vjp(
        self,
        _rhs: Tensor<T, R, CB>,
        _out: Tensor<T, R, C>,
        ct: Tensor<T, R, C>,
    ) -> (Self, Tensor<T, R, CB>) {
        (
            Tensor::from_fn(|r, c| ct[(r, c)]),
            Tensor::from_fn(|r, c| ct[(r, c + CA)]),
        )
    }

    #[inline]
    fn hstack_jvp(
        self,
        _rhs: Tensor<T, R, CB>,
        _out: Tensor<T, R, C>,
        da: Self,
        db: Tensor<T, R, CB>,
    ) -> Tensor<T, R, C> {
        Hstack::hstack(da, db)
    }
}

#[cfg(test)]
mod tests {
    use super::Hstack;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp};
    use crate::tensor::Tensor;

    type A = Tensor<f64, 3, 2>;
    type B = Tensor<f64, 3, 1>;
    type Y = Tensor<f64, 3, 3>;

    fn point() -> (A, B) {
        (
            A::from_fn(|r, c| 0.3 * r as f64 - 0.7 * c as f64 + 0.1),
            B::from_fn(|r, c| -1.1 * r as f64 + 0.4 * c as f64 + 2.0),
        )
    }

    #[test]
    fn vjp_and_jvp_match_finite_differences() {
        let f = |(a, b): (A, B)| -> Y { a.hstack(b) };
        check_vjp(f, |(a, b), y, ct| a.hstack_vjp(b, y, ct), point());
        check_jvp(f, |(a, b), y, (da, db)| a.hstack_jvp(b, y, da, db), point());
        check_vjp_against_jvp(
            f,
            |(a, b), y, ct| a.hstack_vjp(b, y, ct),
            |(a, b), y, (da, db)| a.hstack_jvp(b, y, da, db),
            point(),
        );
    }

    #[test]
    fn fixed_values() {
        let (a, b) = point();
        let y: Y = a.hstack(b);
        assert_eq!(y[(1, 1)], a[(1, 1)]);
        assert_eq!(y[(2, 2)], b[(2, 0)]);
    }

    #[test]
    fn vjp_jvp_matches_finite_differences_of_the_vjp() {
        {
            use crate::ops::testing::check_vjp_jvp;
            type A = Tensor<f64, 2, 1>;
            type B = Tensor<f64, 2, 2>;
            check_vjp_jvp(
                |(a, b): (A, B)| Hstack::<_, Tensor<f64, 2, 3>>::hstack(a, b),
                |(a, b): (A, B), out, (da, db)| a.hstack_jvp(b, out, da, db),
                |(a, b): (A, B), out, ct| a.hstack_vjp(b, out, ct),
                |(a, b): (A, B), out, ct, (da, db), dout, dct| {
                    a.hstack_vjp_jvp(b, out, ct, da, db, dout, dct)
                },
                (
                    Tensor::from_row_slice(&[0.3, -1.2]),
                    Tensor::from_row_slice(&[2.0, 0.7, 0.1, 1.1]),
                ),
            );
        }
    }
}
