//! The `#[differentiable]` attribute of [autodiff](https://docs.rs/autodiff).
//!
//! Users depend on the `autodiff` facade, which re-exports this attribute with its full
//! documentation. The pipeline lives in [`expand`](crate::expand): parse -> validate ->
//! lower to a graph IR -> activity -> reverse sweep -> emit, one file per stage.
#![forbid(unsafe_code)]

mod activity;
mod args;
mod custom;
mod emit;
mod errors;
mod expand;
mod ir;
mod lower;
mod prim;
mod reverse;
mod tangent;
mod valid;

use proc_macro::TokenStream;

/// Differentiates a function at compile time.
///
/// `#[differentiable] fn f(args..) -> Out` keeps `f` and generates next to it
/// `f_grad(args..) -> (Out, Grads)` (scalar outputs only), `f_vjp(args..) -> (Out,
/// Pullback)` whose `backward(seed: Out)` returns the vector-Jacobian product, and
/// `f_graph() -> Graph`, `f_jvp(args.., tangents..) -> (Out, Out)` (forward mode) and
/// `f_hvp(args.., v..) -> (Out, Grads, Grads)` (Hessian-vector products, scalar outputs
/// only). `#[differentiable(wrt(a, b))]` selects the arguments to differentiate (by
/// default, all of them).
///
/// The supported language, the generated code before and after, and runnable examples
/// are in the documentation of the `autodiff` crate, which re-exports this attribute.
#[proc_macro_attribute]
pub fn differentiable(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(args.into(), item.into()).into()
}

/// Declares a primitive with a hand-written vector-Jacobian product.
///
/// `#[custom_vjp(f_vjp_rule)] fn f(args..) -> Out` keeps `f` and lets `#[differentiable]`
/// bodies call it like a built-in op; the reverse sweep calls
/// `f_vjp_rule(args.., out, ct)`, which returns one cotangent per float argument (a
/// tuple when there are several). `#[custom_vjp(f_vjp_rule, jvp = f_jvp_rule)]` adds a
/// forward rule for `_jvp`: `f_jvp_rule(args.., out, tangents..)` gets one tangent per
/// float argument and returns the output's tangent. Example in the documentation of the
/// `autodiff` crate.
#[proc_macro_attribute]
pub fn custom_vjp(args: TokenStream, item: TokenStream) -> TokenStream {
    custom::expand(args.into(), item.into()).into()
}
