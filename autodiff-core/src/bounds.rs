//! The bounds the items `#[differentiable]` generates place on types and functions. They
//! appear in compile errors (each with a message that says what to do), never in code
//! you write: every float, tensor and `Differentiable` value, and every
//! `#[differentiable]` function, already satisfies them.
//!
//! ```
//! use autodiff_core::bounds::{RequiresGrad, ScalarOutput};
//! use autodiff_core::Tensor;
//!
//! fn requires_grad<X: RequiresGrad>() {}
//! requires_grad::<Tensor<f64, 3>>();
//! requires_grad::<(f64, Vec<Tensor<f32, 2, 2>>)>();
//! assert_eq!(<f64 as ScalarOutput>::unit_seed(), 1.0);
//! assert_eq!(<Tensor<f64, 1> as ScalarOutput>::unit_seed()[0], 1.0);
//! ```

use crate::real::Real;
use crate::tensor::Tensor;

/// The element of a scalar output, whose gradient can be seeded implicitly with `1`.
///
/// `f_grad` carries the bound `for<'a> Out: ScalarOutput`, which rustc checks where
/// `f_grad` is called rather than where it is defined, so a function with a tensor output
/// still compiles and only calling its `_grad` fails, with this message.
#[diagnostic::on_unimplemented(
    message = "grad can be implicitly created only for scalar outputs, and `{Self}` is not a scalar",
    label = "this function's output is not a scalar",
    note = "call the function's `_vjp` variant instead and pass a seed of the output's shape to `backward`"
)]
pub trait ScalarOutput: Sized {
    /// The implicit seed, `1`.
    fn unit_seed() -> Self;
}

impl ScalarOutput for f32 {
    #[inline(always)]
    fn unit_seed() -> Self {
        1.0
    }
}

impl ScalarOutput for f64 {
    #[inline(always)]
    fn unit_seed() -> Self {
        1.0
    }
}

// A one-element tensor counts as a scalar, as it does for PyTorch's `backward()`.
impl<T: Real + ScalarOutput> ScalarOutput for Tensor<T, 1, 1> {
    #[inline(always)]
    fn unit_seed() -> Self {
        Tensor::from_element(<T as ScalarOutput>::unit_seed())
    }
}

/// Types whose values may require gradients: `f32`, `f64` and tensors of them.
#[diagnostic::on_unimplemented(
    message = "only floating-point tensors can require gradients, and `{Self}` is not one",
    label = "this argument is differentiated",
    note = "leave it out of `#[differentiable(wrt(..))]`, or make it `f32`/`f64` or a tensor of them"
)]
pub trait RequiresGrad {}

// Floats, tensors, and tuples, arrays, `Vec`s and structs of them.
impl<X: crate::Differentiable> RequiresGrad for X {}

/// Compile-time check emitted once per differentiated argument, spanned on its type.
#[doc(hidden)]
#[inline(always)]
pub fn assert_requires_grad<X: RequiresGrad + ?Sized>() {}

/// The type of a method's `self`, which is differentiated unless `wrt(..)` leaves it out.
#[diagnostic::on_unimplemented(
    message = "`self` is differentiated, but `{Self}` is not `Differentiable`",
    label = "this method differentiates `self`",
    note = "derive `autodiff::Differentiable` for `{Self}` (`#[derive(Clone, Differentiable)]`), or leave `self` out: `#[differentiable(wrt(x, ..))]`"
)]
pub trait SelfRequiresGrad {}

impl<X: crate::Differentiable> SelfRequiresGrad for X {}

/// The check for a differentiated `self`.
#[doc(hidden)]
#[inline(always)]
pub fn assert_self_requires_grad<X: SelfRequiresGrad + ?Sized>() {}

/// Marks a function `f_jvp` may differentiate through: every `#[differentiable]` function
/// (when everything it calls is one too) and every `#[custom_vjp(.., jvp = ..)]`
/// primitive. `f_jvp` carries `for<'a> callee: ForwardRule` for each function it calls,
/// checked where `f_jvp` is called, so a body that reaches a primitive without a forward
/// rule still compiles and only calling its `_jvp` fails, with this message.
#[diagnostic::on_unimplemented(
    message = "the primitive `{Self}` has no forward rule, so `_jvp` cannot differentiate through it",
    label = "this call differentiates through `{Self}` in forward mode",
    note = "give the primitive a JVP: `#[custom_vjp(vjp_rule, jvp = jvp_rule)]`"
)]
pub trait ForwardRule {}

/// Marks a function `f_hvp` may differentiate through: every `#[differentiable]` function
/// whose callees are. `#[custom_vjp]` primitives have no second-order rule (the tangent of
/// their VJP), so `f_hvp` of a function that reaches one fails where it is called.
#[diagnostic::on_unimplemented(
    message = "the primitive `{Self}` has no second-order rule, so `_hvp` cannot differentiate through it",
    label = "this call differentiates through `{Self}` twice",
    note = "`#[custom_vjp]` primitives support `_grad`, `_vjp` and (with `jvp = ..`) `_jvp`; for `_hvp`, write the primitive's body as a `#[differentiable]` function"
)]
pub trait SecondOrderRule {}

/// Values with a zero gradient, shaped like them (a slice's is a `Vec` of its length): every
/// differentiated value, which generated code starts adjoints from.
#[diagnostic::on_unimplemented(
    message = "only floating-point tensors can require gradients, and `{Self}` is not one",
    label = "this value is differentiated",
    note = "make it `f32`/`f64`, a tensor of them, or a value that derives `autodiff::Differentiable`; or leave it out of `#[differentiable(wrt(..))]`"
)]
pub trait ZeroGrad {
    /// The gradient's type.
    type Grad;

    /// Zero, shaped like `self`.
    fn zero_grad(&self) -> Self::Grad;
}

impl<X: crate::Differentiable> ZeroGrad for X {
    type Grad = X;

    #[inline(always)]
    fn zero_grad(&self) -> X {
        self.zero_like()
    }
}

impl<X: crate::Differentiable> ZeroGrad for [X] {
    type Grad = Vec<X>;

    #[inline]
    fn zero_grad(&self) -> Vec<X> {
        self.iter().map(crate::Differentiable::zero_like).collect()
    }
}

/// A float or tensor operand of a primitive, given as a value or through any number of
/// `&`: generated code passes data operands through [`Operand::value`], so a data
/// reference bound by a pattern (`let (x, y) = pair;` over `xs.iter().zip(ys)`) or
/// borrowed from a parameter works where the value does, as plain Rust's operators do.
///
/// ```
/// use autodiff_core::bounds::Operand;
/// use autodiff_core::tensor;
///
/// assert_eq!(Operand::value(&&2.0_f64), 2.0);
/// assert_eq!(Operand::value(&tensor![1.0_f32, 2.0]), tensor![1.0, 2.0]);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a float or a tensor, or a reference to one",
    label = "an operand of a differentiable operation",
    note = "differentiable operations take `f32`, `f64` and tensors of them"
)]
pub trait Operand {
    /// The value operated on.
    type Value;

    /// The value, read through every `&`.
    fn value(self) -> Self::Value;
}

impl Operand for f32 {
    type Value = f32;

    #[inline(always)]
    fn value(self) -> f32 {
        self
    }
}

impl Operand for f64 {
    type Value = f64;

    #[inline(always)]
    fn value(self) -> f64 {
        self
    }
}

impl<T: nalgebra::Scalar, const R: usize, const C: usize> Operand for Tensor<T, R, C> {
    type Value = Self;

    #[inline(always)]
    fn value(self) -> Self {
        self
    }
}

impl<X: Operand + Copy> Operand for &X {
    type Value = X::Value;

    #[inline(always)]
    fn value(self) -> X::Value {
        (*self).value()
    }
}
