//! The `#[differentiable]` attribute of [static-autodiff](https://docs.rs/static-autodiff).
//!
//! Users depend on the `static-autodiff` facade (library name `autodiff`), which re-exports
//! this attribute with its full documentation. The pipeline lives in `expand`: parse ->
//! validate -> lower to a graph IR -> activity -> reverse sweep -> emit, one file per stage.
//! Every entry point goes through `krate`, which finds the facade under the name the
//! user's `Cargo.toml` gives it and points the generated runtime paths there.
#![forbid(unsafe_code)]

mod activity;
mod args;
mod custom;
mod emit;
mod errors;
mod expand;
mod ir;
mod krate;
mod lower;
mod prim;
mod reverse;
mod valid;

use proc_macro::TokenStream;

/// Differentiates a function at compile time.
///
/// `#[differentiable] fn f(args..) -> Out` keeps `f` and generates next to it
/// `f_grad(args..) -> (Out, Grads)` (scalar outputs only), `f_vjp(args..) -> (Out,
/// Pullback)` whose `backward(seed: Out)` returns the vector-Jacobian product, and
/// `f_graph() -> Graph`. `#[differentiable(wrt(a, b))]` selects the arguments to
/// differentiate (by default, all of them). `#[differentiable(crate = path)]` (or
/// `crate = "path"`) names the path the facade is reachable under, for crates that
/// re-export it; without it the macro uses the name the user's `Cargo.toml` gives the
/// `static-autodiff` package, or `::autodiff`.
///
/// The supported language, the generated code before and after, and runnable examples
/// are in the documentation of the `autodiff` crate, which re-exports this attribute.
#[proc_macro_attribute]
pub fn differentiable(args: TokenStream, item: TokenStream) -> TokenStream {
    krate::expand(args.into(), item.into(), expand::expand).into()
}

/// Declares a primitive with a hand-written vector-Jacobian product.
///
/// `#[custom_vjp(f_vjp_rule)] fn f(args..) -> Out` keeps `f` and lets `#[differentiable]`
/// bodies call it like a built-in op; the reverse sweep calls
/// `f_vjp_rule(args.., out, ct)`, which returns one cotangent per float argument (a
/// tuple when there are several). `#[custom_vjp(f_vjp_rule, crate = path)]` names the
/// facade's path, as for `#[differentiable]`. Example in the documentation of the
/// `autodiff` crate.
#[proc_macro_attribute]
pub fn custom_vjp(args: TokenStream, item: TokenStream) -> TokenStream {
    krate::expand(args.into(), item.into(), custom::expand).into()
}
