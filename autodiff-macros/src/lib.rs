//! The `#[differentiable]` attribute of [static-autodiff](https://docs.rs/static-autodiff).
//!
//! Users depend on the `static-autodiff` facade (library name `autodiff`), which re-exports
//! this attribute with its full documentation. The pipeline lives in `expand`: parse ->
//! fold guard clauses (`guards`) -> validate -> lower to a graph IR -> activity -> reverse sweep -> emit, one file per stage.
//! Every entry point goes through `krate`, which finds the facade under the name the
//! user's `Cargo.toml` gives it and points the generated runtime paths there.
#![forbid(unsafe_code)]

mod activity;
mod args;
mod context;
mod custom;
mod derive;
mod emit;
mod errors;
mod expand;
mod guards;
mod ir;
mod krate;
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
/// default, all of them). `#[differentiable(crate = path)]` (or `crate = "path"`) names
/// the path the facade is reachable under, for crates that re-export it; without it the
/// macro uses the name the user's `Cargo.toml` gives the `static-autodiff` package, or
/// `::autodiff`.
///
/// On an inherent `impl Type { .. }` block it differentiates the methods marked
/// `#[differentiable]` inside it (each with its own arguments), or every method when none
/// is marked, with the block's arguments.
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
/// tuple when there are several). `#[custom_vjp(f_vjp_rule, jvp = f_jvp_rule)]` adds a
/// forward rule for `_jvp`: `f_jvp_rule(args.., out, tangents..)` gets one tangent per
/// float argument and returns the output's tangent; `crate = path` names the facade's
/// path, as for `#[differentiable]`. Example in the documentation of the
/// `autodiff` crate.
#[proc_macro_attribute]
pub fn custom_vjp(args: TokenStream, item: TokenStream) -> TokenStream {
    krate::expand(args.into(), item.into(), custom::expand).into()
}

/// Derives `autodiff::Differentiable` for a struct with named fields or a tuple struct,
/// so that it can be differentiated, hold a gradient of its own type, and be stepped by
/// an optimiser.
///
/// Every field must be a differentiable value (a float, a tensor, a tuple, array or `Vec`
/// of them, another struct that derives it) or be marked `#[no_grad]`: data such as sizes,
/// flags and hyperparameters, which gets no gradient (a gradient holds a clone of the
/// primal's field) and which updates never touch; its type needs only `Clone`. The trait
/// requires `Clone`, so derive that too. Generic structs get the bounds they need on their
/// field types, as serde's derives do. An enum or a union is a compile error.
///
/// ```
/// # extern crate autodiff_core as autodiff;
/// use autodiff::optim::Sgd;
/// use autodiff::{Differentiable, Tensor, tensor};
/// # use autodiff_macros::Differentiable;
///
/// #[derive(Clone, Debug, PartialEq, Differentiable)]
/// struct Layer<const N: usize> {
///     w: Tensor<f64, N, N>,
///     b: Tensor<f64, N>,
///     #[no_grad]
///     name: &'static str,
/// }
///
/// let layer = Layer { w: Tensor::ones(), b: tensor![1.0, 2.0], name: "l1" };
/// let grad = layer.zero_like(); // a `Layer`, with the name cloned
/// assert_eq!(grad.b, tensor![0.0, 0.0]);
/// assert_eq!(grad.name, "l1");
/// assert_eq!(layer.num_coords(), 4 + 2);
///
/// let mut stepped = layer.clone();
/// Sgd::new(0.5).step(&mut stepped, &layer);
/// assert_eq!(stepped.b, tensor![0.5, 1.0]);
/// assert_eq!(stepped.name, "l1");
/// ```
#[proc_macro_derive(Differentiable, attributes(no_grad))]
pub fn derive_differentiable(input: TokenStream) -> TokenStream {
    let root = krate::resolve(None);
    krate::rewrite(derive::expand(input.into()), &root).into()
}
