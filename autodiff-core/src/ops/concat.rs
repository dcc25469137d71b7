//! Concatenation of two vectors, `y = [a; b]`.

use crate::real::Real;
use crate::tensor::Tensor;

/// `y = [a; b]`: an `A`-vector and a `B`-vector joined into an `N`-vector with
/// `N = A + B` (for matrices, see [`Vstack`](super::Vstack) and [`Hstack`](super::Hstack)).
///
/// The output's shape cannot be written as `A + B` on stable Rust, so it is inferred from
/// where the result goes (a `let` with a type, the return type); a wrong shape is a
/// compile-time error of the sizes' assertion. VJP: `ct_a` and `ct_b` are the two parts of
/// `ct`; JVP: the same concatenation of `da` and `db`.
///
/// ```
/// use autodiff_core::ops::Concat;
/// use autodiff_core::{tensor, Tensor};
///
/// let a = tensor![1.0, 2.0];
/// let b = tensor![3.0];
/// let y: Tensor<f64, 3> = a.concat(b);
/// assert_eq!(y, tensor![1.0, 2.0, 3.0]);
/// assert_eq!(a.concat_vjp(b, y, tensor![4.0, 5.0, 6.0]), (tensor![4.0, 5.0], tensor![6.0]));
/// ```
pub trait Concat<Rhs, Out>: Sized {
    /// `y = [a; b]`.
    fn concat(self, rhs: Rhs) -> Out;

    /// `(ct_a, ct_b)`: the parts of `ct` that `self` and `rhs` became.
    #[doc(hidden)]
    fn concat_vjp(self, rhs: Rhs, out: Out, ct: Out) -> (Self, Rhs);

    /// `dy`: the same concatenation of the tangents.
    #[doc(hidden)]
    fn concat_jvp(self, rhs: Rhs, out: Out, da: Self, db: Rhs) -> Out;

    /// The tangent of the VJP (forward over reverse, see the module docs): the op is linear,
    /// so it is the VJP of `dct`.
    #[inline]
    #[allow(clippy::too_many_arguments)]
    #[doc(hidden)]
    fn concat_vjp_jvp(
        self,
        rhs: Rhs,
        out: Out,
        _ct: Out,
        _da: Self,
        _db: Rhs,
        _dout: Out,
        dct: Out,
    ) -> (Self, Rhs) {
        self.concat_vjp(rhs, out, dct)
    }
}

impl<T: Real, const A: usize, const B: usize, const N: usize> Concat<Tensor<T, B>, Tensor<T, N>>
    for Tensor<T, A>
{
    #[inline]
    fn concat(self, rhs: Tensor<T, B>) -> Tensor<T, N> {
        const {
            assert!(
                A + B == N,
                "concat: the output must be as long as both inputs together"
            )
        };
        Tensor::from_fn(|r, c| if r < A { self[(r, c)] } else { rhs[(r - A, c)] })
    }

    #[inline]
    fn concat_vjp(
        self,
        _rhs: Tensor<T, B>,
        _out: Tensor<T, N>,
        ct: Tensor<T, N>,
    ) -> (Self, Tensor<T, B>) {
        (
            Tensor::from_fn(|r, c| ct[(r, c)]),
            Tensor::from_fn(|r, c| ct[(r + A, c)]),
        )
    }

    #[inline]
    fn concat_jvp(
        self,
        _rhs: Tensor<T, B>,
        _out: Tensor<T, N>,
        da: Self,
        db: Tensor<T, B>,
    ) -> Tensor<T, N> {
        Concat::concat(da, db)
    }
}

#[cfg(test)]
mod tests {
    use super::Concat;
    use crate::ops::testing::{check_jvp, check_vjp, check_vjp_against_jvp};
    use crate::tensor::Tensor;

    type A = Tensor<f64, 2>;
    type B = Tensor<f64, 3>;
    type Y = Tensor<f64, 5>;

    fn point() -> (A, B) {
        (
            A::from_fn(|r, c| 0.3 * r as f64 - 0.7 * c as f64 + 0.1),
            B::from_fn(|r, c| -1.1 * r as f64 + 0.4 * c as f64 + 2.0),
        )
    }

    #[test]
    fn vjp_and_jvp_match_finite_differences() {
        let f = |(a, b): (A, B)| -> Y { a.concat(b) };
        check_vjp(f, |(a, b), y, ct| a.concat_vjp(b, y, ct), point());
        check_jvp(f, |(a, b), y, (da, db)| a.concat_jvp(b, y, da, db), point());
        check_vjp_against_jvp(
            f,
            |(a, b), y, ct| a.concat_vjp(b, y, ct),
            |(a, b), y, (da, db)| a.concat_jvp(b, y, da, db),
            point(),
        );
    }

    #[test]
    fn fixed_values() {
        let (a, b) = point();
        let y: Y = a.concat(b);
        assert_eq!(y[1], a[1]);
        assert_eq!(y[4], b[2]);
    }

    #[test]
    fn vjp_jvp_matches_finite_differences_of_the_vjp() {
        {
            use crate::ops::testing::check_vjp_jvp;
            type A = Tensor<f64, 2>;
            type B = Tensor<f64, 3>;
            check_vjp_jvp(
                |(a, b): (A, B)| Concat::<_, Tensor<f64, 5>>::concat(a, b),
                |(a, b): (A, B), out, (da, db)| a.concat_jvp(b, out, da, db),
                |(a, b): (A, B), out, ct| a.concat_vjp(b, out, ct),
                |(a, b): (A, B), out, ct, (da, db), dout, dct| {
                    a.concat_vjp_jvp(b, out, ct, da, db, dout, dct)
                },
                (
                    Tensor::from_row_slice(&[0.3, -1.2]),
                    Tensor::from_row_slice(&[2.0, 0.7, 0.1]),
                ),
            );
        }
    }
}
