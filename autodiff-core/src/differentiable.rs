//! [`Differentiable`]: the values a gradient can be taken with respect to, and whose
//! gradient has their own type (JAX's pytree rule).
//!
//! A differentiable value is a float (`f32`, `f64`), a [`Tensor`] of them, or a value built
//! from differentiable values: a tuple (up to 12), an array `[X; N]`, a `Vec<X>`, and any
//! struct with `#[derive(Differentiable)]`; `()` and `PhantomData` are values with nothing
//! to differentiate. Its *coordinates* are its float leaves, in a fixed order (fields in
//! declaration order, tensors in storage order); `#[no_grad]` fields of a derived struct
//! are data and have none.
//!
//! Everything else here ([`check_gradient`], the optimisers in [`optim`](crate::optim),
//! `Param`) is written against the three required methods: a zero of the same shape,
//! [`zip_update`](Differentiable::zip_update) (a value updated coordinate by coordinate
//! from values of the same type) and [`zip_visit`](Differentiable::zip_visit) (values read
//! coordinate by coordinate). They are what the derive generates, one line per field.

use core::marker::PhantomData;

use nalgebra::Scalar;

use crate::gradcheck::Gradcheck;
use crate::{Real, Tensor};

/// A value whose gradient has its own type: floats, tensors, tuples, arrays, `Vec`s, `()`
/// and structs that derive it.
///
/// The gradient of a `Model` is a `Model`; of a `Vec<Tensor<f64, 3>>` a `Vec` of the same
/// length; of a `(f64, Tensor<f32, 2>)` such a tuple. [`zero_like`](Self::zero_like) gives
/// the zero gradient of a value, [`accumulate`](Self::accumulate) adds one gradient into
/// another, [`scale_by`](Self::scale_by) multiplies by a float and [`inner`](Self::inner) is the
/// inner product `<a, b>` over all coordinates.
///
/// ```
/// use autodiff_core::{tensor, Differentiable, Tensor};
///
/// let x: (f64, Tensor<f64, 2>) = (1.5, tensor![1.0, 2.0]);
/// assert_eq!(x.zero_like(), (0.0, Tensor::zeros()));
///
/// let mut g = x.zero_like();
/// g.accumulate(&x);
/// g.accumulate(&x);
/// assert_eq!(g, (3.0, tensor![2.0, 4.0]));
/// assert_eq!(g.clone().scaled(0.5), x);
/// assert_eq!(x.inner(&x), 1.5 * 1.5 + 1.0 + 4.0);
/// assert_eq!(x.num_coords(), 3);
/// assert_eq!(x.to_coords(), [1.5, 1.0, 2.0]);
/// ```
///
/// A struct derives it with `#[derive(Clone, Differentiable)]` from the `autodiff` facade;
/// `#[no_grad]` fields are data that gradients copy from the primal and that updates never
/// touch. The derive's documentation has examples.
///
/// # Implementing it by hand
///
/// Implement [`zero_like`](Self::zero_like), [`zip_update`](Self::zip_update) and
/// [`zip_visit`](Self::zip_visit) by calling them on each differentiable part, in a fixed
/// order; the other methods follow. Floats override [`accumulate`](Self::accumulate) with
/// a plain `+=`, which tensors inherit element by element: one addition per coordinate.
#[diagnostic::on_unimplemented(
    message = "only floating-point tensors can require gradients, and `{Self}` is not a differentiable value",
    label = "not `f32`, `f64`, a float tensor, or a tuple, array, `Vec` or struct of those",
    note = "derive `autodiff::Differentiable` on a struct of differentiable fields, mark a data field `#[no_grad]`, or keep integer data out of gradients"
)]
pub trait Differentiable: Clone {
    /// Whether the value holds `#[no_grad]` fields, its own or its parts': the derive sets
    /// it, containers pass on their elements'.
    ///
    /// ```
    /// use autodiff_core::{Differentiable, Tensor};
    ///
    /// assert!(!<Vec<Tensor<f64, 3>> as Differentiable>::HAS_NO_GRAD_FIELDS);
    /// ```
    const HAS_NO_GRAD_FIELDS: bool = false;

    /// The zero gradient of `self`: the same type and shape (a `Vec` of the same length),
    /// every coordinate `0`, `#[no_grad]` fields cloned from `self`.
    ///
    /// ```
    /// use autodiff_core::{tensor, Differentiable};
    ///
    /// assert_eq!(vec![tensor![1.0, 2.0]; 3].zero_like(), vec![tensor![0.0, 0.0]; 3]);
    /// ```
    fn zero_like(&self) -> Self;

    /// `self` read as a tangent or a cotangent: every `#[no_grad]` field that holds
    /// differentiable numbers set to zero, other data fields (counts, names) left alone.
    ///
    /// A gradient or a [`zero_like`](Self::zero_like) of a struct holds its `#[no_grad]`
    /// fields' values; passed as a direction to `f_jvp` or `f_hvp`, those values are not
    /// derivatives, and the generated code reads them through this. Derived for structs;
    /// containers pass it on to their elements; a value with no `#[no_grad]` field is
    /// returned as it is.
    ///
    /// ```
    /// use autodiff_core::Differentiable;
    ///
    /// assert_eq!(vec![1.0_f64, 2.0].without_data(), vec![1.0, 2.0]);
    /// ```
    #[inline(always)]
    fn without_data(self) -> Self {
        self
    }

    /// Sets each coordinate `x` of `self` to `f.update(x, [y_1, .., y_K])`, where `y_k` is
    /// the same coordinate of `others[k]`, in the leaf's own precision.
    ///
    /// This is how optimisers and accumulation touch a value: one pass, no allocation,
    /// `#[no_grad]` fields left alone. For a closure over `f64`, see
    /// [`zip_update_f64`](Self::zip_update_f64).
    ///
    /// # Panics
    ///
    /// If a `Vec` in `others` has another length than the one in `self`.
    ///
    /// ```
    /// use autodiff_core::{tensor, CoordUpdate, Differentiable, Real};
    ///
    /// /// x <- x - lr * g, in the precision of each leaf.
    /// struct Descend(f64);
    /// impl CoordUpdate<1> for Descend {
    ///     fn update<T: Real>(&mut self, x: T, [g]: [T; 1]) -> T {
    ///         let lr: T = Real::from_f64(self.0);
    ///         x - lr * g
    ///     }
    /// }
    ///
    /// let mut x = (1.0_f32, tensor![1.0, 2.0]);
    /// let g = (2.0_f32, tensor![10.0, 20.0]);
    /// x.zip_update([&g], &mut Descend(0.1));
    /// assert_eq!(x, (0.8, tensor![0.0, 0.0]));
    /// ```
    fn zip_update<const K: usize>(&mut self, others: [&Self; K], f: &mut impl CoordUpdate<K>);

    /// Calls `f([x_1, .., x_K])` for each coordinate, where `x_k` is that coordinate of
    /// `values[k]` as `f64` (exact for `f32` leaves), in coordinate order.
    ///
    /// # Panics
    ///
    /// If the `Vec`s in `values` have different lengths.
    ///
    /// ```
    /// use autodiff_core::{tensor, Differentiable};
    ///
    /// let a = [tensor![1.0, 2.0], tensor![3.0, 4.0]];
    /// let b = [tensor![0.5, 0.0], tensor![0.0, 0.25]];
    /// let mut largest = 0.0_f64;
    /// Differentiable::zip_visit([&a, &b], &mut |[x, y]| largest = largest.max(x * y));
    /// assert_eq!(largest, 1.0);
    /// ```
    fn zip_visit<const K: usize>(values: [&Self; K], f: &mut impl FnMut([f64; K]));

    /// `self += other`, coordinate by coordinate: how gradients accumulate.
    ///
    /// ```
    /// use autodiff_core::{tensor, Differentiable};
    ///
    /// let mut g = vec![1.0_f64, 2.0];
    /// g.accumulate(&vec![0.5, 0.5]);
    /// assert_eq!(g, [1.5, 2.5]);
    /// ```
    #[inline]
    fn accumulate(&mut self, other: &Self) {
        self.zip_update([other], &mut AddCoords);
    }

    /// `self + other`: [`accumulate`](Self::accumulate) by value.
    ///
    /// ```
    /// use autodiff_core::{tensor, Differentiable, Tensor};
    ///
    /// let a: (f64, Tensor<f64, 2>) = (1.0, tensor![1.0, 2.0]);
    /// assert_eq!(a.plus(&a), (2.0, tensor![2.0, 4.0]));
    /// ```
    #[inline]
    #[must_use]
    fn plus(mut self, other: &Self) -> Self {
        self.accumulate(other);
        self
    }

    /// Multiplies every coordinate by `factor` (converted to each leaf's precision).
    ///
    /// (Not called `scale`: nalgebra's `ComplexField::scale`, which every [`Real`] has,
    /// would make `x.scale(..)` ambiguous on floats.)
    ///
    /// ```
    /// use autodiff_core::{tensor, Differentiable};
    ///
    /// let mut g = [tensor![1.0_f32, -2.0]; 2];
    /// g.scale_by(3.0);
    /// assert_eq!(g, [tensor![3.0, -6.0]; 2]);
    /// ```
    #[inline]
    fn scale_by(&mut self, factor: f64) {
        self.zip_update([], &mut ScaleCoords(factor));
    }

    /// `self * factor`: [`scale_by`](Self::scale_by) by value.
    ///
    /// ```
    /// use autodiff_core::Differentiable;
    ///
    /// assert_eq!((1.0_f64, 4.0_f32).scaled(0.5), (0.5, 2.0));
    /// ```
    #[inline]
    #[must_use]
    fn scaled(mut self, factor: f64) -> Self {
        self.scale_by(factor);
        self
    }

    /// The inner product `<self, other>`: the sum over all coordinates of their products,
    /// in `f64`. For a function `f` with Jacobian `J`, a VJP and a JVP agree when
    /// `<u, J v> = <J^T u, v>`.
    ///
    /// (Not called `dot`: tensors already have [`ops::Dot::dot`](crate::ops::Dot), which
    /// takes its operands by value and stays differentiable inside a body.)
    ///
    /// ```
    /// use autodiff_core::{tensor, Differentiable};
    ///
    /// let a = (2.0_f64, tensor![1.0, 2.0, 3.0]);
    /// assert_eq!(a.inner(&a), 4.0 + 1.0 + 4.0 + 9.0);
    /// ```
    #[inline]
    fn inner(&self, other: &Self) -> f64 {
        let mut sum = 0.0;
        Self::zip_visit([self, other], &mut |[x, y]| sum += x * y);
        sum
    }

    /// How many float coordinates `self` has (`#[no_grad]` fields count none).
    ///
    /// ```
    /// use autodiff_core::{Differentiable, Tensor};
    ///
    /// let x = (1.0_f64, [Tensor::<f32, 2, 3>::zeros(); 2], vec![0.0_f64; 4]);
    /// assert_eq!(x.num_coords(), 1 + 12 + 4);
    /// ```
    #[inline]
    fn num_coords(&self) -> usize {
        let mut count = 0;
        Self::zip_visit([self], &mut |[_]| count += 1);
        count
    }

    /// The coordinates, in order, as `f64`: for gradient checks and printing.
    ///
    /// ```
    /// use autodiff_core::{tensor, Differentiable};
    ///
    /// let m = tensor![[1.0, 2.0], [3.0, 4.0]];
    /// assert_eq!(m.to_coords(), [1.0, 3.0, 2.0, 4.0]); // storage order: column-major
    /// ```
    fn to_coords(&self) -> Vec<f64> {
        let mut coords = Vec::with_capacity(self.num_coords());
        Self::zip_visit([self], &mut |[x]| coords.push(x));
        coords
    }

    /// A value shaped like `self` (the same `Vec` lengths and `#[no_grad]` fields) whose
    /// coordinates are `coords`, rounded to each leaf's precision: the inverse of
    /// [`to_coords`](Self::to_coords).
    ///
    /// # Panics
    ///
    /// If `coords.len()` is not [`num_coords`](Self::num_coords).
    ///
    /// ```
    /// use autodiff_core::{tensor, Differentiable, Tensor};
    ///
    /// let shape: (f32, Tensor<f64, 2>) = (0.0, Tensor::zeros());
    /// let x = shape.with_coords(&[1.0, 2.0, 3.0]);
    /// assert_eq!(x, (1.0, tensor![2.0, 3.0]));
    /// assert_eq!(shape.with_coords(&x.to_coords()), x);
    /// ```
    #[must_use]
    #[track_caller]
    fn with_coords(&self, coords: &[f64]) -> Self {
        let expected = self.num_coords();
        assert!(
            coords.len() == expected,
            "Differentiable::with_coords: this value has {expected} coordinates, got {}",
            coords.len()
        );
        let mut value = self.clone();
        value.zip_update([], &mut FromCoords(coords.iter()));
        value
    }

    /// [`zip_update`](Self::zip_update) with a closure over `f64`: each coordinate is
    /// converted to `f64`, passed to `f` with the same coordinate of each of `others`, and
    /// the result rounded back to the leaf's precision.
    ///
    /// ```
    /// use autodiff_core::{tensor, Differentiable};
    ///
    /// let mut x = (1.0_f64, tensor![1.0_f32, 2.0]);
    /// let target = (3.0_f64, tensor![3.0_f32, 3.0]);
    /// x.zip_update_f64([&target], |x, [t]| x.max(t));
    /// assert_eq!(x, (3.0, tensor![3.0, 3.0]));
    /// ```
    #[inline]
    fn zip_update_f64<const K: usize>(
        &mut self,
        others: [&Self; K],
        f: impl FnMut(f64, [f64; K]) -> f64,
    ) {
        self.zip_update(others, &mut ViaF64(f));
    }
}

/// The per-coordinate function of [`Differentiable::zip_update`], generic over the leaf's
/// precision so that an `f32` leaf is updated in `f32` arithmetic, as PyTorch does.
///
/// A closure cannot be generic over `T`, hence a trait; for a closure over `f64`, use
/// [`Differentiable::zip_update_f64`].
///
/// ```
/// use autodiff_core::{CoordUpdate, Differentiable, Real};
///
/// /// x <- x + a * y
/// struct Axpy(f64);
/// impl CoordUpdate<1> for Axpy {
///     fn update<T: Real>(&mut self, x: T, [y]: [T; 1]) -> T {
///         let a: T = Real::from_f64(self.0);
///         x + a * y
///     }
/// }
///
/// let mut x = [1.0_f32, 2.0];
/// x.zip_update([&[10.0, 20.0]], &mut Axpy(0.5));
/// assert_eq!(x, [6.0, 12.0]);
/// ```
pub trait CoordUpdate<const K: usize> {
    /// The new value of a coordinate `x`, given the same coordinate of each other value.
    fn update<T: Real>(&mut self, x: T, others: [T; K]) -> T;
}

/// `x + y`.
struct AddCoords;

impl CoordUpdate<1> for AddCoords {
    #[inline(always)]
    fn update<T: Real>(&mut self, x: T, [y]: [T; 1]) -> T {
        x + y
    }
}

/// `x * factor`.
struct ScaleCoords(f64);

impl CoordUpdate<0> for ScaleCoords {
    #[inline(always)]
    fn update<T: Real>(&mut self, x: T, []: [T; 0]) -> T {
        x * Real::from_f64(self.0)
    }
}

/// The next of a list of coordinates; `with_coords` has checked the count.
struct FromCoords<'a>(core::slice::Iter<'a, f64>);

impl CoordUpdate<0> for FromCoords<'_> {
    #[inline(always)]
    fn update<T: Real>(&mut self, x: T, []: [T; 0]) -> T {
        self.0.next().map_or(x, |&c| Real::from_f64(c))
    }
}

/// A closure over `f64`, used on leaves of any precision.
struct ViaF64<F>(F);

impl<F: FnMut(f64, [f64; K]) -> f64, const K: usize> CoordUpdate<K> for ViaF64<F> {
    #[inline(always)]
    fn update<T: Real>(&mut self, x: T, others: [T; K]) -> T {
        Real::from_f64((self.0)(Real::to_f64(x), others.map(Real::to_f64)))
    }
}

// The two leaves, written out rather than through a macro so that a compile error about a
// missing impl lists them plainly.
impl Differentiable for f32 {
    #[inline(always)]
    fn zero_like(&self) -> Self {
        0.0
    }

    #[inline(always)]
    fn zip_update<const K: usize>(&mut self, others: [&Self; K], f: &mut impl CoordUpdate<K>) {
        *self = f.update(*self, others.map(|o| *o));
    }

    #[inline(always)]
    fn zip_visit<const K: usize>(values: [&Self; K], f: &mut impl FnMut([f64; K])) {
        f(values.map(|v| Real::to_f64(*v)));
    }

    #[inline(always)]
    fn accumulate(&mut self, other: &Self) {
        *self += *other;
    }

    #[inline(always)]
    fn num_coords(&self) -> usize {
        1
    }
}

impl Differentiable for f64 {
    #[inline(always)]
    fn zero_like(&self) -> Self {
        0.0
    }

    #[inline(always)]
    fn zip_update<const K: usize>(&mut self, others: [&Self; K], f: &mut impl CoordUpdate<K>) {
        *self = f.update(*self, others.map(|o| *o));
    }

    #[inline(always)]
    fn zip_visit<const K: usize>(values: [&Self; K], f: &mut impl FnMut([f64; K])) {
        f(values.map(|v| Real::to_f64(*v)));
    }

    #[inline(always)]
    fn accumulate(&mut self, other: &Self) {
        *self += *other;
    }

    #[inline(always)]
    fn num_coords(&self) -> usize {
        1
    }
}

// Bounded on the element's `Differentiable` (which every `Real` is) and on nothing that an
// integer also lacks, so `Tensor<i32, 3>` is reported with this trait's message ("only
// floating-point tensors can require gradients") on `i32`, rather than as a missing
// `Real`. Each element goes through its own methods, which inline to plain float
// arithmetic on the tensor where it lies, in storage (column-major) order; the bounds
// checks of `(row, col)` indexing fold away for constant `R` and `C`.
impl<T: Differentiable + Scalar, const R: usize, const C: usize> Differentiable
    for Tensor<T, R, C>
{
    #[inline]
    fn zero_like(&self) -> Self {
        Tensor::from_fn(|row, col| self[(row, col)].zero_like())
    }

    #[inline]
    fn zip_update<const K: usize>(&mut self, others: [&Self; K], f: &mut impl CoordUpdate<K>) {
        for col in 0..C {
            for row in 0..R {
                self[(row, col)].zip_update(others.map(|o| &o[(row, col)]), f);
            }
        }
    }

    #[inline]
    fn zip_visit<const K: usize>(values: [&Self; K], f: &mut impl FnMut([f64; K])) {
        for col in 0..C {
            for row in 0..R {
                T::zip_visit(values.map(|v| &v[(row, col)]), f);
            }
        }
    }

    #[inline]
    fn accumulate(&mut self, other: &Self) {
        for col in 0..C {
            for row in 0..R {
                self[(row, col)].accumulate(&other[(row, col)]);
            }
        }
    }
}

/// An optional value (what `cholesky()`, `try_inverse()` and `lu().solve(..)` return):
/// `Some(x)` has the coordinates of `x`, `None` none. `None` is also the zero of an
/// `Option`: accumulating `None` adds nothing, and accumulating `Some` into `None` stores it.
///
/// # Panics
///
/// [`zip_update`](Differentiable::zip_update) and [`zip_visit`](Differentiable::zip_visit)
/// panic if some of the values are `Some` and others `None`, as they do for `Vec`s of
/// different lengths.
///
/// ```
/// use autodiff_core::{tensor, Differentiable};
///
/// let mut g = Some(tensor![1.0, 2.0]);
/// g.accumulate(&Some(tensor![0.5, 0.5]));
/// g.accumulate(&None);
/// assert_eq!(g, Some(tensor![1.5, 2.5]));
/// assert_eq!(g.num_coords(), 2);
/// assert_eq!(None::<f64>.num_coords(), 0);
/// ```
impl<X: Differentiable> Differentiable for Option<X> {
    const HAS_NO_GRAD_FIELDS: bool = X::HAS_NO_GRAD_FIELDS;

    #[inline]
    fn zero_like(&self) -> Self {
        self.as_ref().map(X::zero_like)
    }

    #[inline]
    #[track_caller]
    fn zip_update<const K: usize>(&mut self, others: [&Self; K], f: &mut impl CoordUpdate<K>) {
        let some = others.iter().filter(|o| o.is_some()).count();
        match self {
            Some(x) if some == K => x.zip_update(others.map(|o| o.as_ref().expect("some")), f),
            None if some == 0 => {}
            _ => panic!("Differentiable::zip_update: values mix `Some` and `None`"),
        }
    }

    #[inline]
    #[track_caller]
    fn zip_visit<const K: usize>(values: [&Self; K], f: &mut impl FnMut([f64; K])) {
        match values.iter().filter(|v| v.is_some()).count() {
            0 => {}
            n if n == K => X::zip_visit(values.map(|v| v.as_ref().expect("some")), f),
            _ => panic!("Differentiable::zip_visit: values mix `Some` and `None`"),
        }
    }

    #[inline]
    fn accumulate(&mut self, other: &Self) {
        match (self.as_mut(), other) {
            (_, None) => {}
            (Some(x), Some(y)) => x.accumulate(y),
            (None, Some(y)) => *self = Some(y.clone()),
        }
    }
}

/// The gradient of a value with no float in it: a placeholder with no coordinates.
impl Differentiable for () {
    #[inline(always)]
    fn zero_like(&self) -> Self {}

    #[inline(always)]
    fn zip_update<const K: usize>(&mut self, _: [&Self; K], _: &mut impl CoordUpdate<K>) {}

    #[inline(always)]
    fn zip_visit<const K: usize>(_: [&Self; K], _: &mut impl FnMut([f64; K])) {}
}

/// A marker for a type parameter a struct does not store: no coordinates, so a generic
/// struct may derive `Differentiable` with a `PhantomData` field left unmarked.
impl<T: ?Sized> Differentiable for PhantomData<T> {
    #[inline(always)]
    fn zero_like(&self) -> Self {
        PhantomData
    }

    #[inline(always)]
    fn zip_update<const K: usize>(&mut self, _: [&Self; K], _: &mut impl CoordUpdate<K>) {}

    #[inline(always)]
    fn zip_visit<const K: usize>(_: [&Self; K], _: &mut impl FnMut([f64; K])) {}
}

macro_rules! tuples {
    ($(($($x:ident $i:tt),+))*) => {$(
        impl<$($x: Differentiable),+> Differentiable for ($($x,)+) {
            const HAS_NO_GRAD_FIELDS: bool = false $(|| $x::HAS_NO_GRAD_FIELDS)+;

            #[inline]
            fn zero_like(&self) -> Self {
                ($(self.$i.zero_like(),)+)
            }

            #[inline]
            fn without_data(self) -> Self {
                ($(self.$i.without_data(),)+)
            }

            #[inline]
            fn zip_update<const K: usize>(
                &mut self,
                others: [&Self; K],
                f: &mut impl CoordUpdate<K>,
            ) {
                $(self.$i.zip_update(others.map(|o| &o.$i), f);)+
            }

            #[inline]
            fn zip_visit<const K: usize>(values: [&Self; K], f: &mut impl FnMut([f64; K])) {
                $($x::zip_visit(values.map(|v| &v.$i), f);)+
            }
        }
    )*};
}

tuples! {
    (A 0)
    (A 0, B 1)
    (A 0, B 1, C 2)
    (A 0, B 1, C 2, D 3)
    (A 0, B 1, C 2, D 3, E 4)
    (A 0, B 1, C 2, D 3, E 4, F 5)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, L 10)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, L 10, M 11)
}

impl<X: Differentiable, const N: usize> Differentiable for [X; N] {
    const HAS_NO_GRAD_FIELDS: bool = X::HAS_NO_GRAD_FIELDS;

    #[inline]
    fn zero_like(&self) -> Self {
        core::array::from_fn(|i| self[i].zero_like())
    }

    #[inline]
    fn without_data(self) -> Self {
        match X::HAS_NO_GRAD_FIELDS {
            true => self.map(X::without_data),
            false => self,
        }
    }

    #[inline]
    fn zip_update<const K: usize>(&mut self, others: [&Self; K], f: &mut impl CoordUpdate<K>) {
        for (i, x) in self.iter_mut().enumerate() {
            x.zip_update(others.map(|o| &o[i]), f);
        }
    }

    #[inline]
    fn zip_visit<const K: usize>(values: [&Self; K], f: &mut impl FnMut([f64; K])) {
        for i in 0..N {
            X::zip_visit(values.map(|v| &v[i]), f);
        }
    }
}

impl<X: Differentiable> Differentiable for Vec<X> {
    const HAS_NO_GRAD_FIELDS: bool = X::HAS_NO_GRAD_FIELDS;

    fn zero_like(&self) -> Self {
        self.iter().map(X::zero_like).collect()
    }

    fn without_data(self) -> Self {
        match X::HAS_NO_GRAD_FIELDS {
            true => self.into_iter().map(X::without_data).collect(),
            false => self,
        }
    }

    #[track_caller]
    fn zip_update<const K: usize>(&mut self, others: [&Self; K], f: &mut impl CoordUpdate<K>) {
        for other in others {
            same_len(self.len(), other.len());
        }
        for (i, x) in self.iter_mut().enumerate() {
            x.zip_update(others.map(|o| &o[i]), f);
        }
    }

    #[track_caller]
    fn zip_visit<const K: usize>(values: [&Self; K], f: &mut impl FnMut([f64; K])) {
        let Some(first) = values.first() else {
            return;
        };
        for value in values {
            same_len(first.len(), value.len());
        }
        for i in 0..first.len() {
            X::zip_visit(values.map(|v| &v[i]), f);
        }
    }
}

/// Two `Vec`s combined coordinate by coordinate must have one shape.
#[track_caller]
fn same_len(expected: usize, found: usize) {
    assert!(
        expected == found,
        "Differentiable: combining a Vec of length {expected} with one of length {found}"
    );
}

/// Compares `grad`, a claimed gradient of the scalar function `f` at `x`, with central
/// finite differences over every coordinate of `x`, for any [`Differentiable`] `x`
/// (a struct, a tuple, a `Vec`, ...).
///
/// The report is [`gradcheck`](crate::gradcheck)'s: worst absolute and relative errors,
/// the worst coordinate (its index in [`to_coords`](Differentiable::to_coords) order) and
/// PyTorch's pass criterion. The step is `cbrt(eps) * max(1, |x_i|)` in the precision of
/// each leaf (about `6e-6` for `f64`, `5e-3` for `f32`), divided by the step actually taken
/// after rounding; expect about `1e-9` agreement in `f64` and `1e-3` in `f32`.
///
/// # Panics
///
/// If `grad` has another shape than `x` (a `Vec` of another length).
///
/// ```
/// use autodiff_core::{check_gradient, tensor, Differentiable, Tensor};
///
/// // f(w, xs) = sum_i (w . x_i)^2, gradient (sum_i 2 (w . x_i) x_i, 2 (w . x_i) w)
/// let f = |(w, xs): (Tensor<f64, 2>, Vec<Tensor<f64, 2>>)| {
///     xs.iter().map(|x| (w.dot(*x)).powi(2)).sum::<f64>()
/// };
/// let w = tensor![1.0, -2.0];
/// let xs = vec![tensor![0.5, 1.0], tensor![3.0, 0.25]];
/// let mut dw = Tensor::zeros();
/// let dxs: Vec<_> = xs.iter().map(|x| {
///     let s = w.dot(*x);
///     dw += *x * (2.0 * s);
///     w * (2.0 * s)
/// }).collect();
///
/// let report = check_gradient(f, &(w, xs.clone()), &(dw, dxs));
/// assert!(report.passed(), "{report}");
/// assert!(report.max_rel_err < 1e-8);
///
/// // A wrong gradient is caught, and the coordinate named.
/// let report = check_gradient(f, &(w, xs.clone()), &(dw, xs.zero_like()));
/// assert!(!report.passed());
/// ```
pub fn check_gradient<X: Differentiable, Y: Real>(
    f: impl Fn(X) -> Y,
    x: &X,
    grad: &X,
) -> Gradcheck {
    let analytic = grad.to_coords();
    let n = x.num_coords();
    assert!(
        analytic.len() == n,
        "check_gradient: the value has {n} coordinates and the gradient {}",
        analytic.len()
    );
    let comparisons = analytic
        .iter()
        .enumerate()
        .map(|(i, &analytic)| {
            let mut up = Nudge::new(i, 1.0);
            let mut down = Nudge::new(i, -1.0);
            let mut x_up = x.clone();
            x_up.zip_update([], &mut up);
            let mut x_down = x.clone();
            x_down.zip_update([], &mut down);
            let f_up = Real::to_f64(f(x_up));
            let f_down = Real::to_f64(f(x_down));
            (analytic, (f_up - f_down) / (up.taken - down.taken))
        })
        .collect();
    Gradcheck::from_comparisons(comparisons)
}

/// Moves coordinate `index` by one finite-difference step in direction `sign`, and
/// records the coordinate's value after rounding to the leaf's precision.
struct Nudge {
    index: usize,
    seen: usize,
    sign: f64,
    taken: f64,
}

impl Nudge {
    fn new(index: usize, sign: f64) -> Self {
        Nudge {
            index,
            seen: 0,
            sign,
            taken: 0.0,
        }
    }
}

impl CoordUpdate<0> for Nudge {
    fn update<T: Real>(&mut self, x: T, []: [T; 0]) -> T {
        let here = self.seen;
        self.seen += 1;
        if here != self.index {
            return x;
        }
        // cbrt of the unit roundoff balances truncation and rounding error of a central
        // difference. `Real` is sealed to f32 and f64, so the size tells them apart.
        let eps = if size_of::<T>() == size_of::<f32>() {
            f64::from(f32::EPSILON)
        } else {
            f64::EPSILON
        };
        let xf = Real::to_f64(x);
        let moved: T = Real::from_f64(xf + self.sign * eps.cbrt() * xf.abs().max(1.0));
        self.taken = Real::to_f64(moved);
        moved
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor;

    #[test]
    fn zero_like_keeps_shapes() {
        let x = (
            1.0_f32,
            [tensor![1.0, 2.0]; 2],
            vec![tensor![[1.0_f32, 2.0], [3.0, 4.0]]; 3],
            (),
        );
        let z = x.zero_like();
        assert_eq!(z.0, 0.0);
        assert_eq!(z.1, [Tensor::zeros(); 2]);
        assert_eq!(z.2, vec![Tensor::zeros(); 3]);
        assert_eq!(x.num_coords(), 1 + 4 + 12);
        assert_eq!(().num_coords(), 0);
        assert_eq!(PhantomData::<str>.num_coords(), 0);
    }

    #[test]
    fn accumulate_scale_and_inner_agree_with_coordinates() {
        let a = (2.0_f64, vec![tensor![1.0_f32, -1.0], tensor![0.5, 4.0]]);
        let b = (-1.0_f64, vec![tensor![3.0_f32, 2.0], tensor![1.0, 0.25]]);
        let sum = a.clone().plus(&b);
        let coords: Vec<f64> = a
            .to_coords()
            .iter()
            .zip(b.to_coords())
            .map(|(x, y)| x + y)
            .collect();
        assert_eq!(sum.to_coords(), coords);
        assert_eq!(
            a.clone().scaled(-2.0).to_coords(),
            [-4.0, -2.0, 2.0, -1.0, -8.0]
        );
        let inner: f64 = a
            .to_coords()
            .iter()
            .zip(b.to_coords())
            .map(|(x, y)| x * y)
            .sum();
        assert_eq!(a.inner(&b), inner);
        assert_eq!(a.inner(&b), -2.0 + 3.0 - 2.0 + 0.5 + 1.0);
    }

    #[test]
    fn coordinates_round_trip_in_order() {
        let shape = ([1.0_f64; 2], tensor![[0.0_f32, 0.0], [0.0, 0.0]], 0.0_f32);
        let coords = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0];
        let x = shape.with_coords(&coords);
        assert_eq!(x.0, [1.0, 2.0]);
        // column-major: (0,0), (1,0), (0,1), (1,1)
        assert_eq!(x.1, tensor![[3.0, 5.0], [4.0, 6.0]]);
        assert_eq!(x.2, 7.0);
        assert_eq!(x.to_coords(), coords);
    }

    #[test]
    #[should_panic(expected = "combining a Vec of length 2 with one of length 3")]
    fn vecs_of_other_lengths_do_not_combine() {
        let mut a = vec![1.0_f64; 2];
        a.accumulate(&vec![1.0; 3]);
    }

    #[test]
    #[should_panic(expected = "has 2 coordinates, got 1")]
    fn with_coords_checks_the_count() {
        let _ = (1.0_f64, 2.0_f64).with_coords(&[1.0]);
    }

    #[test]
    fn f32_leaves_update_in_f32() {
        struct Third;
        impl CoordUpdate<0> for Third {
            fn update<T: Real>(&mut self, x: T, []: [T; 0]) -> T {
                x / Real::from_f64(3.0)
            }
        }
        let mut x = (1.0_f32, tensor![1.0_f32]);
        x.zip_update([], &mut Third);
        assert_eq!(x.0, 1.0_f32 / 3.0_f32);
        assert_eq!(x.1[0], 1.0_f32 / 3.0_f32);
    }

    #[test]
    fn check_gradient_on_structured_values() {
        // f(a, v) = a^2 * sum(v_i^3): df/da = 2 a sum(v^3), df/dv_i = 3 a^2 v_i^2
        let f = |(a, v): (f64, Vec<f64>)| a * a * v.iter().map(|x| x.powi(3)).sum::<f64>();
        let x = (1.5, vec![0.5, -2.0, 3.0]);
        let s: f64 = x.1.iter().map(|v: &f64| v.powi(3)).sum();
        let grad = (
            2.0 * x.0 * s,
            x.1.iter().map(|v: &f64| 3.0 * x.0 * x.0 * v * v).collect(),
        );
        let report = check_gradient(f, &x, &grad);
        assert!(report.passed(), "{report}");
        assert!(report.max_rel_err < 1e-9, "{report}");

        let mut wrong = grad.clone();
        wrong.1[2] += 1.0;
        let report = check_gradient(f, &x, &wrong);
        assert!(!report.passed());
        assert_eq!(report.worst.map(|w| w.0), Some(3));
    }

    #[test]
    fn check_gradient_in_f32() {
        let f = |x: Tensor<f32, 3>| (x * x * x).sum();
        let x = tensor![0.5_f32, -1.5, 2.0];
        let report = check_gradient(f, &x, &(x * x * 3.0));
        assert!(report.passed(), "{report}");
        assert!(report.max_rel_err < 1e-3, "{report}");
    }
}
