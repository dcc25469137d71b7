//! The `#[differentiable]` attribute of [autodiff](https://docs.rs/autodiff).
//!
//! Users depend on the `autodiff` facade, which re-exports this attribute with its full
//! documentation. The pipeline lives in [`expand`](crate::expand): parse -> validate ->
//! lower to a graph IR -> activity -> reverse sweep -> emit, one file per stage.
#![forbid(unsafe_code)]

mod activity;
mod adjoint;
mod args;
mod custom;
mod emit;
mod errors;
mod expand;
mod ir;
mod lower;
mod prim;
mod valid;

use proc_macro::TokenStream;

/// Generates `f_grad` and `f_vjp` next to `f`. Documented on the `autodiff` facade.
#[proc_macro_attribute]
pub fn differentiable(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(args.into(), item.into()).into()
}

/// Declares a primitive with a hand-written VJP. Documented on the `autodiff` facade.
#[proc_macro_attribute]
pub fn custom_vjp(args: TokenStream, item: TokenStream) -> TokenStream {
    custom::expand(args.into(), item.into()).into()
}
