//! Elementwise functions defined once, from their value and their first and second
//! derivatives: an [`ElementwiseRule`] (or a [`BinaryRule`] for a function of two
//! arguments) gives the forward, the VJP, the JVP, the VJP's tangent (`f_hvp`) and the
//! fused pair, for scalars and tensors alike, through the generic functions here; the
//! crate's macros `unary_op!` and `binary_op!` name them after the op (`tan`, `tan_vjp`, ...)
//! in the op's trait, which is what `#[differentiable]` calls.
//!
//! For `y = f(x)` with slope `f'(x)` and curvature `f''(x)`, elementwise:
//!
//! * VJP: `ct_x = ct ⊙ f'(x)`; JVP: `dy = dx ⊙ f'(x)`;
//! * the VJP's tangent along `(dx, dct)`: `dct ⊙ f'(x) + ct ⊙ f''(x) ⊙ dx`.
//!
//! A rule reads its slope and curvature off the input, the output, or both (`exp` from
//! the output alone, `sin` from the input): the macro's table says which, so a loop's
//! reverse sweep keeps exactly what the rule reads.

use super::Elementwise;
use crate::real::Real;

/// An elementwise function of one float, given by its value and its first and second
/// derivatives; every derivative rule of the op follows from these three (see the
/// [module docs](self)).
///
/// ```
/// use autodiff_core::Real;
/// use autodiff_core::ops::elementwise::{self, ElementwiseRule};
/// use autodiff_core::tensor;
///
/// /// `y = x³`: `y' = 3x²`, `y'' = 6x`.
/// struct Cube;
///
/// impl ElementwiseRule for Cube {
///     fn value<T: Real>(x: T) -> T {
///         x * x * x
///     }
///     fn d1<T: Real>(x: T, _y: T) -> T {
///         <T as Real>::from_f64(3.0) * x * x
///     }
///     fn d2<T: Real>(x: T, _y: T) -> T {
///         <T as Real>::from_f64(6.0) * x
///     }
/// }
///
/// let x = tensor![1.0_f64, 2.0];
/// let y = elementwise::forward::<Cube, _>(x);
/// assert_eq!(y, tensor![1.0, 8.0]);
/// assert_eq!(elementwise::vjp::<Cube, _>(x, y, tensor![1.0, 0.5]), tensor![3.0, 6.0]);
/// // dct f'(x) + ct f''(x) dx at x = 2, ct = 1, dx = 1, dct = 0: 12.
/// assert_eq!(elementwise::vjp_jvp::<Cube, _>(2.0, 8.0, 1.0, 1.0, 0.0), 12.0);
/// ```
pub trait ElementwiseRule {
    /// Whether the slope varies (`f'' ≠ 0` somewhere it is defined). A piecewise-constant
    /// slope (`abs`, `relu`, `floor`) has no curvature term: the VJP's tangent is the VJP
    /// of `dct`, bit for bit.
    const CURVED: bool = true;

    /// `f(x)`.
    fn value<T: Real>(x: T) -> T;

    /// `f'(x)`, given `y = f(x)` (a rule may read either).
    fn d1<T: Real>(x: T, y: T) -> T;

    /// `f''(x)`, given `y = f(x)`; never called when `CURVED` is false.
    fn d2<T: Real>(x: T, y: T) -> T;

    /// `t ⊙ f'(x)`, how the VJP and the JVP apply the slope to a cotangent or a tangent `t`.
    /// A rule may write it another way that rounds once (`t / 2y` for `sqrt`) or selects
    /// (`relu`'s `t` or 0); it must equal `t * d1(x, y)` up to that rounding.
    #[inline(always)]
    fn scale<T: Real>(t: T, x: T, y: T) -> T {
        t * Self::d1(x, y)
    }
}

/// `f(x)`, elementwise.
#[inline]
pub fn forward<R: ElementwiseRule, X: Elementwise>(x: X) -> X {
    x.map_elems(R::value)
}

/// The VJP `ct ⊙ f'(x)`.
#[inline]
pub fn vjp<R: ElementwiseRule, X: Elementwise>(x: X, out: X, ct: X) -> X {
    ct.zip3_map_elems(x, out, R::scale)
}

/// The JVP `dx ⊙ f'(x)`.
#[inline]
pub fn jvp<R: ElementwiseRule, X: Elementwise>(x: X, out: X, dx: X) -> X {
    dx.zip3_map_elems(x, out, R::scale)
}

/// The tangent of the VJP along `(dx, dct)`: `dct ⊙ f'(x) + ct ⊙ f''(x) ⊙ dx`.
#[inline]
pub fn vjp_jvp<R: ElementwiseRule, X: Elementwise>(x: X, out: X, ct: X, dx: X, dct: X) -> X {
    let first = vjp::<R, X>(x, out, dct);
    if !R::CURVED {
        return first;
    }
    let dslope = dx.zip3_map_elems(x, out, |dx, x, y| R::d2(x, y) * dx);
    super::second_order(first, ct, dslope)
}

/// An elementwise function of two floats `y = f(a, b)`, given by its value and its first
/// and second partial derivatives.
///
/// ```
/// use autodiff_core::Real;
/// use autodiff_core::ops::elementwise::{self, BinaryRule};
///
/// /// `y = a b²`.
/// struct Ab2;
///
/// impl BinaryRule for Ab2 {
///     fn value<T: Real>(a: T, b: T) -> T { a * b * b }
///     fn da<T: Real>(_a: T, b: T, _y: T) -> T { b * b }
///     fn db<T: Real>(a: T, b: T, _y: T) -> T { (a + a) * b }
///     fn daa<T: Real>(_a: T, _b: T, _y: T) -> T { T::zero() }
///     fn dab<T: Real>(_a: T, b: T, _y: T) -> T { b + b }
///     fn dbb<T: Real>(a: T, _b: T, _y: T) -> T { a + a }
/// }
///
/// assert_eq!(elementwise::binary_vjp::<Ab2, _>(3.0_f64, 2.0, 12.0, 1.0), (4.0, 12.0));
/// assert_eq!(elementwise::binary_jvp::<Ab2, _>(3.0_f64, 2.0, 12.0, 1.0, 0.0), 4.0);
/// ```
pub trait BinaryRule {
    /// `f(a, b)`.
    fn value<T: Real>(a: T, b: T) -> T;
    /// `∂f/∂a`, given `y = f(a, b)`.
    fn da<T: Real>(a: T, b: T, y: T) -> T;
    /// `∂f/∂b`.
    fn db<T: Real>(a: T, b: T, y: T) -> T;
    /// `∂²f/∂a²`.
    fn daa<T: Real>(a: T, b: T, y: T) -> T;
    /// `∂²f/∂a∂b`.
    fn dab<T: Real>(a: T, b: T, y: T) -> T;
    /// `∂²f/∂b²`.
    fn dbb<T: Real>(a: T, b: T, y: T) -> T;
}

/// `f(a, b)`, elementwise.
#[inline]
pub fn binary_forward<R: BinaryRule, X: Elementwise>(a: X, b: X) -> X {
    a.zip_map_elems(b, R::value)
}

/// One partial derivative of `f`, elementwise.
#[inline(always)]
fn partial<X: Elementwise>(a: X, b: X, out: X, d: fn(X::Elem, X::Elem, X::Elem) -> X::Elem) -> X {
    a.zip3_map_elems(b, out, d)
}

/// `a ⊙ b`.
#[inline(always)]
fn times<X: Elementwise>(a: X, b: X) -> X {
    a.zip_map_elems(b, |a, b| a * b)
}

/// The VJP `(ct ⊙ ∂f/∂a, ct ⊙ ∂f/∂b)`.
#[inline]
pub fn binary_vjp<R: BinaryRule, X: Elementwise>(a: X, b: X, out: X, ct: X) -> (X, X) {
    (
        times(ct, partial(a, b, out, R::da)),
        times(ct, partial(a, b, out, R::db)),
    )
}

/// The JVP `da ⊙ ∂f/∂a + db ⊙ ∂f/∂b`.
#[inline]
pub fn binary_jvp<R: BinaryRule, X: Elementwise>(a: X, b: X, out: X, da: X, db: X) -> X {
    super::plus(
        times(da, partial(a, b, out, R::da)),
        times(db, partial(a, b, out, R::db)),
    )
}

/// The tangent of the VJP along `(da, db, dct)`: the VJP of `dct` plus
/// `ct ⊙ (H [da, db])`, with `H` the Hessian of `f` at `(a, b)`.
#[inline]
pub fn binary_vjp_jvp<R: BinaryRule, X: Elementwise>(
    a: X,
    b: X,
    out: X,
    ct: X,
    da: X,
    db: X,
    dct: X,
) -> (X, X) {
    let (first_a, first_b) = binary_vjp::<R, X>(a, b, out, dct);
    let (haa, hab, hbb) = (
        partial(a, b, out, R::daa),
        partial(a, b, out, R::dab),
        partial(a, b, out, R::dbb),
    );
    let slope_a = super::plus(times(haa, da), times(hab, db));
    let slope_b = super::plus(times(hab, da), times(hbb, db));
    (
        super::second_order(first_a, ct, slope_a),
        super::second_order(first_b, ct, slope_b),
    )
}

/// Defines the op trait of a unary elementwise function from its [`ElementwiseRule`]:
/// the forward `name` and `name_vjp`, `name_jvp`, `name_vjp_jvp`, `name_vjp_pair` for every
/// [`Elementwise`] value (the names spelt out, as `macro_rules!` cannot join identifiers),
/// and the inherent `Tensor::name` users call, with the doc comment given.
///
/// ```text
/// unary_op! {
///     /// Elementwise tangent ... (the docs of `Tensor::tan`)
///     Tan: tan, tan_vjp, tan_jvp, tan_vjp_jvp, tan_vjp_pair = TanRule
/// }
/// ```
///
/// Provided methods may follow the rule in braces (`sin`'s `sin_vjp_with_cos`).
macro_rules! unary_op {
    (
        $(#[$doc:meta])*
        $trait_name:ident: $name:ident, $vjp:ident, $jvp:ident, $vjp_jvp:ident, $pair:ident
            = $rule:ty $({ $($extra:tt)* })?
    ) => {
        #[doc = concat!(
            "`", stringify!($name), "` and its derivative rules, all from `",
            stringify!($rule), "` (an [`ElementwiseRule`](crate::ops::elementwise::ElementwiseRule)): ",
            "what `#[differentiable]` code calls; users call `Tensor::", stringify!($name), "`."
        )]
        #[doc(hidden)]
        pub trait $trait_name: Sized {
            /// The forward.
            fn $name(self) -> Self;
            /// The VJP `ct ⊙ f'(x)`.
            fn $vjp(self, out: Self, ct: Self) -> Self;
            /// The JVP `dx ⊙ f'(x)`.
            fn $jvp(self, out: Self, dx: Self) -> Self;
            /// The tangent of the VJP: `dct ⊙ f'(x) + ct ⊙ f''(x) ⊙ dx`.
            fn $vjp_jvp(self, out: Self, ct: Self, dx: Self, dout: Self, dct: Self) -> Self;
            /// The VJP and its tangent in one call, as `f_hvp` runs them.
            fn $pair(self, out: Self, ct: Self, dx: Self, dout: Self, dct: Self) -> (Self, Self);
            $($($extra)*)?
        }

        impl<X: $crate::ops::Elementwise> $trait_name for X {
            #[inline]
            fn $name(self) -> Self {
                $crate::ops::elementwise::forward::<$rule, X>(self)
            }
            #[inline]
            fn $vjp(self, out: Self, ct: Self) -> Self {
                $crate::ops::elementwise::vjp::<$rule, X>(self, out, ct)
            }
            #[inline]
            fn $jvp(self, out: Self, dx: Self) -> Self {
                $crate::ops::elementwise::jvp::<$rule, X>(self, out, dx)
            }
            #[inline]
            fn $vjp_jvp(self, out: Self, ct: Self, dx: Self, _dout: Self, dct: Self) -> Self {
                $crate::ops::elementwise::vjp_jvp::<$rule, X>(self, out, ct, dx, dct)
            }
            #[inline(always)]
            fn $pair(self, out: Self, ct: Self, dx: Self, _dout: Self, dct: Self) -> (Self, Self) {
                (
                    $crate::ops::elementwise::vjp::<$rule, X>(self, out, ct),
                    $crate::ops::elementwise::vjp_jvp::<$rule, X>(self, out, ct, dx, dct),
                )
            }
        }

        impl<T: $crate::real::Real, const R: usize, const C: usize> $crate::tensor::Tensor<T, R, C> {
            $(#[$doc])*
            #[inline]
            pub fn $name(self) -> Self {
                $crate::ops::elementwise::forward::<$rule, Self>(self)
            }
        }
    };
}

/// [`unary_op!`] for a function of two arguments of one type, from its [`BinaryRule`]:
/// `a.name(b)`, whose VJP returns the pair of contributions.
macro_rules! binary_op {
    (
        $(#[$doc:meta])*
        $trait_name:ident: $name:ident, $vjp:ident, $jvp:ident, $vjp_jvp:ident, $pair:ident
            = $rule:ty
    ) => {
        #[doc = concat!(
            "`", stringify!($name), "` and its derivative rules, all from `",
            stringify!($rule), "` (a [`BinaryRule`](crate::ops::elementwise::BinaryRule)): ",
            "what `#[differentiable]` code calls; users call `Tensor::", stringify!($name), "`."
        )]
        #[doc(hidden)]
        pub trait $trait_name: Sized {
            /// The forward.
            fn $name(self, other: Self) -> Self;
            /// The VJP `(ct ⊙ ∂f/∂a, ct ⊙ ∂f/∂b)`.
            fn $vjp(self, other: Self, out: Self, ct: Self) -> (Self, Self);
            /// The JVP `da ⊙ ∂f/∂a + db ⊙ ∂f/∂b`.
            fn $jvp(self, other: Self, out: Self, da: Self, db: Self) -> Self;
            /// The tangent of the VJP.
            #[allow(clippy::too_many_arguments)]
            fn $vjp_jvp(
                self, other: Self, out: Self, ct: Self, da: Self, db: Self, dout: Self, dct: Self,
            ) -> (Self, Self);
            /// The VJP and its tangent in one call, as `f_hvp` runs them.
            #[allow(clippy::too_many_arguments)]
            fn $pair(
                self, other: Self, out: Self, ct: Self, da: Self, db: Self, dout: Self, dct: Self,
            ) -> ((Self, Self), (Self, Self));
        }

        impl<X: $crate::ops::Elementwise> $trait_name for X {
            #[inline]
            fn $name(self, other: Self) -> Self {
                $crate::ops::elementwise::binary_forward::<$rule, X>(self, other)
            }
            #[inline]
            fn $vjp(self, other: Self, out: Self, ct: Self) -> (Self, Self) {
                $crate::ops::elementwise::binary_vjp::<$rule, X>(self, other, out, ct)
            }
            #[inline]
            fn $jvp(self, other: Self, out: Self, da: Self, db: Self) -> Self {
                $crate::ops::elementwise::binary_jvp::<$rule, X>(self, other, out, da, db)
            }
            #[inline]
            fn $vjp_jvp(
                self, other: Self, out: Self, ct: Self, da: Self, db: Self, _dout: Self, dct: Self,
            ) -> (Self, Self) {
                $crate::ops::elementwise::binary_vjp_jvp::<$rule, X>(self, other, out, ct, da, db, dct)
            }
            #[inline(always)]
            fn $pair(
                self, other: Self, out: Self, ct: Self, da: Self, db: Self, _dout: Self, dct: Self,
            ) -> ((Self, Self), (Self, Self)) {
                (
                    $crate::ops::elementwise::binary_vjp::<$rule, X>(self, other, out, ct),
                    $crate::ops::elementwise::binary_vjp_jvp::<$rule, X>(
                        self, other, out, ct, da, db, dct,
                    ),
                )
            }
        }

        impl<T: $crate::real::Real, const R: usize, const C: usize> $crate::tensor::Tensor<T, R, C> {
            $(#[$doc])*
            #[inline]
            pub fn $name(self, other: Self) -> Self {
                $crate::ops::elementwise::binary_forward::<$rule, Self>(self, other)
            }
        }
    };
}

pub(crate) use {binary_op, unary_op};
