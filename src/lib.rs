//! Compile-time reverse-mode automatic differentiation for Rust functions on fixed-shape
//! tensors.
//!
//! `#[differentiable]` reads a function body while the crate compiles and emits, next to
//! the function, its gradient (`f_grad`), its vector-Jacobian product (`f_vjp`) and its
//! graph (`f_graph`). No tape is recorded at run time for straight-line code, nothing is
//! allocated on fixed-shape tensors, and the compiler optimises the gradient like any
//! hand-written code. Mistakes (shape mismatches, a gradient of a non-scalar, a second
//! `backward`) are compile errors.
//!
//! ```
//! use autodiff::{differentiable, Tensor};
//!
//! #[differentiable]
//! fn calc(a: Tensor<f64, 3>) -> f64 {
//!     let b = a * 2.0 + 1.0;
//!     let c = b * b; // elementwise, as in PyTorch
//!     let d = c / (c + 2.0);
//!     d.mean()
//! }
//!
//! let a = Tensor::<f64, 3>::from_row_slice(&[1.0, 2.0, 3.0]);
//! let y = calc(a); // the plain function: no gradient work at all
//! let (y2, da) = calc_grad(a); // value and gradient
//! assert_eq!(y, y2);
//! assert!((da[0] - 8.0 / 121.0).abs() < 1e-15);
//!
//! let (_, pullback) = calc_vjp(a); // forward pass keeping what backward needs
//! assert_eq!(pullback.backward(1.0), da); // consumes the pullback
//! ```
//!
//! # Install
//!
//! The package is `static-autodiff` on crates.io (the name `autodiff` belongs to an
//! unrelated crate); its library is `autodiff`, as in the example above:
//!
//! ```toml
//! [dependencies]
//! static-autodiff = "0.1"
//! ```
//!
//! Under another name, `ad = { package = "static-autodiff", version = "0.1" }`, write
//! `#[ad::differentiable]` and `ad::Tensor`: the attribute reads your `Cargo.toml` and
//! points the code it generates at `ad`. A crate that re-exports this one names the path
//! its users reach it by, like serde's `#[serde(crate = "..")]`:
//!
//! ```
//! mod my_crate {
//!     pub use autodiff as runtime; // what a library built on autodiff would re-export
//! }
//!
//! #[autodiff::differentiable(crate = my_crate::runtime)]
//! fn cube(x: f64) -> f64 {
//!     x * x * x
//! }
//!
//! assert_eq!(cube_grad(2.0), (8.0, 12.0));
//! ```
//!
//! `crate = "path"` (a string) works too, and so does `#[custom_vjp(rule, crate = path)]`.
//!
//! Features: `serde` gives [`Tensor`] `Serialize` and `Deserialize` (a vector as a flat
//! array, a matrix as an array of rows). [`nalgebra`] is re-exported at the version the
//! tensors are stored in; a tensor dereferences to its nalgebra matrix, so nalgebra's
//! methods work on it (`m.determinant()`), and tensors compare with approx's
//! `assert_relative_eq!`, sum with `.sum()`, iterate with `for x in &t`, and convert from
//! arrays (`Tensor::from([1.0, 2.0, 3.0])`). See [`Tensor`] for the details.
//!
//! ```
//! use approx::assert_relative_eq;
//! use autodiff::{differentiable, Tensor};
//!
//! #[differentiable]
//! fn energy(x: Tensor<f64, 2>) -> f64 {
//!     (x * x).sum() * 0.5
//! }
//!
//! let batch = [Tensor::from([1.0, 2.0]), Tensor::from([3.0, -1.0])];
//! let total: Tensor<f64, 2> = batch.iter().map(|&x| energy_grad(x).1).sum();
//! assert_relative_eq!(total, Tensor::from([4.0, 1.0]));
//! ```
//!
//! # What `#[differentiable]` generates
//!
//! For `#[differentiable] fn f(args..) -> Out`, with `f`'s visibility, generics, bounds
//! and where clause:
//!
//! | item | what it is |
//! |---|---|
//! | `fn f(args..) -> Out` | `f` itself, same signature and meaning (PyTorch's `no_grad`) |
//! | `fn f_grad(args..) -> (Out, Grads)` | value and gradient; only for a scalar `Out` (a float or a one-element tensor) |
//! | `fn f_vjp(args..) -> (Out, Pullback<..>)` | value and [`Pullback`]; `pullback.backward(seed: Out) -> Grads` |
//! | `fn f_graph() -> Graph` | the compile-time [`Graph`], with PyTorch's `grad_fn` names |
//! | `fn f_jvp(args.., tangents..) -> (Out, Out)` | value and directional derivative (forward mode): one tangent per differentiated argument, of its gradient's type, in `Grads` order |
//! | `fn f_hvp(args.., v..) -> (Out, Grads, Grads)` | value, gradient and Hessian-vector product `H v` (forward over reverse); only for a scalar `Out` |
//!
//! `Grads` is the gradient of the one differentiated argument, or a tuple of them in
//! declaration order. `#[differentiable(wrt(a, b))]` names the arguments to differentiate;
//! by default every argument is. Arguments may be taken by value or by shared reference;
//! gradients are returned by value.
//!
//! Before and after, for `fn f(x: Tensor<f64, 3>) -> f64 { (x * x).sum() }`, the macro
//! writes (names shortened; the real ones are hygienic and cannot clash with yours):
//!
//! ```text
//! fn f_grad(x: Tensor<f64, 3>) -> (f64, Tensor<f64, 3>) {
//!     let v0 = x;
//!     let v1 = v0 * v0;                              // forward, as written
//!     let v2 = ops::Sum::sum(v1);
//!     let ct0: f64 = 1.0;                            // the seed
//!     let ct1 = ops::Sum::sum_vjp(v1, v2, ct0);      // reverse sweep, one VJP per op
//!     let (ct2, t) = ops::MulVjp::mul_vjp(v0, v0, v1, ct1);
//!     let ct3 = ct2 + t;                             // x was used twice
//!     (v2, ct3)
//! }
//! ```
//!
//! # The language a body may use
//!
//! * `let` (with shadowing, `let mut` and reassignment, `+=`, `-=`, `*=`, `/=`), blocks,
//!   a tail expression or a final `return`, and guard clauses: `if c { ..; return a; }` at
//!   the top of the body, the rest of the body being its `else`.
//! * `+ - * /` between tensors of equal shape and between a tensor and a scalar on
//!   either side, unary `-`, float literals (in bodies generic over `T: Real` they become
//!   `T` constants), constants, and arguments that are not differentiated.
//! * Methods: `powi powf exp exp2 exp_m1 ln ln_1p log2 log10 sqrt cbrt recip sin cos tan
//!   asin acos atan atan2 sinh cosh tanh asinh acosh atanh erf erfc sigmoid relu celu abs
//!   signum floor ceil round trunc clamp max min log hypot mul_add sum mean norm
//!   logsumexp softmax amax amin product norm_squared trace dot matmul cross outer
//!   determinant try_inverse cholesky l solve inverse ln_determinant lu
//!   solve_lower_triangular solve_upper_triangular symmetric_eigen unwrap expect t
//!   fixed_rows::<N>(start) vstack hstack concat diagonal detach`,
//!   under std's names for the functions of `f64`, on floats and elementwise on tensors
//!   where they make sense (README's method table gives each gradient's convention at
//!   kinks and singular inputs). Each elementwise function is one rule of
//!   [`ops::elementwise`]: its value and its first and second derivatives.
//! * Tuples, arrays, slices, `Vec`s and structs that derive [`Differentiable`], as
//!   parameters, returns and locals: field access, `xs[i]`, `xs.len()`, destructuring,
//!   `for x in xs.iter()` (with `.zip`, `.enumerate`), `vec![..]` and `push`, assignment into
//!   parts (`y[i] = e`, `m.w = e`), and methods that differentiate `self`; on an
//!   inherent `impl` block the attribute differentiates its methods (the marked ones, or
//!   all of them):
//!
//! ```
//! use autodiff::{differentiable, Differentiable, Tensor, tensor};
//!
//! #[derive(Clone, Debug, Differentiable)]
//! struct Line { w: Tensor<f64, 1, 2>, b: f64 }
//!
//! #[differentiable]
//! impl Line {
//!     fn predict(&self, x: Tensor<f64, 2>) -> f64 { self.w.matmul(x)[0] + self.b }
//!     fn loss(&self, x: Tensor<f64, 2>, y: f64) -> f64 {
//!         let e = self.predict(x) - y;
//!         e * e
//!     }
//! }
//!
//! let line = Line { w: Tensor::from_row_slice(&[1.0, 2.0]), b: 0.5 };
//! let (loss, (g_line, g_x, g_y)) = line.loss_grad(tensor![1.0, 1.0], 3.0);
//! assert_eq!((loss, g_line.b, g_y), (0.25, 1.0, -1.0));
//! assert_eq!(g_x, tensor![1.0, 2.0]);
//! ```
//!
//! * Indexing a scalar out of a tensor (`x[i]`, `x[(r, c)]`) and building one from
//!   scalars with [`tensor!`].
//! * `if`/`else` on conditions that carry no gradient, `for` over any iterator of data
//!   (a range, `(0..n).rev()`), and `while`: the reverse sweep replays the path the
//!   forward pass took. A `for` over `0..N` with a constant `N` keeps its tape on the
//!   stack; other loops use one growable buffer per call.
//! * Calls to other `#[differentiable]` functions and to [`custom_vjp`] primitives,
//!   in this module or another: their pullbacks are chained, through every float argument.
//! * Anything that involves no differentiated value is ordinary Rust and passes through
//!   untouched (`xs.len()`, `xs[i]` on a data slice, `n as f64`, loops over data),
//!   except closures, `match`, `unsafe`, `loop`, `break`, `continue`, `?`, `async`,
//!   nested items and macros other than `tensor!`, which are rejected everywhere with an
//!   error that says what to write instead.
//!
//! Code in a body should be free of side effects: the reverse sweep recomputes the
//! statements of a branch or loop iteration before reversing them.
//!
//! # Forward mode and second order
//!
//! `f_jvp` runs a tangent sweep beside the forward pass: every value that depends on a
//! differentiated argument gets a tangent, computed by its op's JVP, and nothing else
//! does. `f_hvp` runs the same tangent sweep over `f_grad`'s forward pass and reverse
//! sweep, so it returns `H v` for the cost of a small constant times `f_grad`. Both cover
//! branches, loops, element assignment and calls; [`jacobian_fwd`], [`hessian`] and
//! [`value_grad_hessian`] build whole Jacobians and Hessians from them.
//!
//! ```
//! use autodiff::{differentiable, hessian, tensor, Tensor};
//!
//! #[differentiable]
//! fn rosen(p: Tensor<f64, 2>) -> f64 {
//!     let x = p[0];
//!     let y = p[1];
//!     (1.0 - x).powi(2) + 100.0 * (y - x * x).powi(2)
//! }
//!
//! let p = tensor![1.0, 1.0];
//! // The directional derivative along (1, 0): the first coordinate of the gradient.
//! let (value, slope) = rosen_jvp(p, tensor![1.0, 0.0]);
//! assert_eq!((value, slope), (0.0, 0.0));
//! // H v at the minimum, and the whole Hessian from two HVPs.
//! let (_, grad, hv) = rosen_hvp(p, tensor![1.0, 0.0]);
//! assert_eq!(grad, Tensor::zeros());
//! assert_eq!(hv, tensor![802.0, -400.0]);
//! assert_eq!(hessian(rosen_hvp, p), tensor![[802.0, -400.0], [-400.0, 200.0]]);
//! ```
//!
//! A [`custom_vjp`] primitive takes an optional forward rule, `#[custom_vjp(vjp_rule, jvp =
//! jvp_rule)]` with `jvp_rule(args.., out, tangents..) -> Out`; calling `f_jvp` of a
//! function that reaches a primitive without one is a compile error that says so, and so
//! is calling `f_hvp` of a function that reaches any `#[custom_vjp]` primitive (it would
//! need the tangent of the hand-written VJP).
//!
//! # PyTorch's semantics, made static
//!
//! | PyTorch | autodiff |
//! |---|---|
//! | `requires_grad=True` | `#[differentiable(wrt(x))]`, or a [`Param`] |
//! | `y.backward()` | `f_grad(x)` |
//! | `y.backward(v)` | `f_vjp(x).1.backward(v)` |
//! | `x.grad` accumulates, `x.grad.zero_()` | [`Param::accumulate`](Accumulate::accumulate), [`Param::zero_grad`] |
//! | `retain_graph=True` | `pullback.clone().backward(v)` |
//! | second `backward` | compile error: use of moved value |
//! | `with torch.no_grad():` | call `f` |
//! | `x.detach()` | `x.detach()` |
//! | `y.grad_fn` | `f_graph().grad_fn()` |
//! | `torch.autograd.gradcheck` | [`gradcheck`] |
//!
//! # Custom derivatives and compile-time errors
//!
//! Errors are collected: a body with two mistakes reports both. A non-scalar output has
//! no `_grad`, and calling it says why:
//!
//! ```compile_fail,E0277
//! use autodiff::{differentiable, Tensor};
//!
//! #[differentiable]
//! fn double(x: Tensor<f64, 3>) -> Tensor<f64, 3> {
//!     x * 2.0
//! }
//!
//! let _ = double_grad(Tensor::ones()); // grad can be implicitly created only for scalar outputs
//! ```
//!
//! A user-defined primitive with a hand-written VJP, used like a built-in op:
//!
//! ```
//! use autodiff::{custom_vjp, differentiable, Tensor};
//!
//! /// ln(1 + e^x), without overflow.
//! #[custom_vjp(softplus_vjp)]
//! fn softplus(x: f64) -> f64 {
//!     if x > 30.0 { x } else { x.exp().ln_1p() }
//! }
//!
//! /// One cotangent per float argument: d softplus / dx = sigmoid(x).
//! fn softplus_vjp(x: f64, _out: f64, ct: f64) -> f64 {
//!     ct / (1.0 + (-x).exp())
//! }
//!
//! #[differentiable]
//! fn loss(w: Tensor<f64, 3>) -> f64 {
//!     softplus(w.sum())
//! }
//!
//! let (_, grad) = loss_grad(Tensor::from_element(100.0));
//! assert_eq!(grad, Tensor::from_element(1.0));
//! ```
#![forbid(unsafe_code)]

// Generated code names the runtime `::autodiff` (or the name a user's `Cargo.toml` gives
// this package); this makes the name resolve inside this library too, where Cargo gives
// the crate no extern name of its own.
extern crate self as autodiff;

pub use autodiff_core::*;
pub use autodiff_macros::{Differentiable, custom_vjp, differentiable};

#[cfg(feature = "argmin")]
pub mod argmin;
#[cfg(feature = "rayon")]
pub mod par;

#[cfg(test)]
mod tests {
    use crate::{Tensor, differentiable, tensor};

    // Inside the facade's own library `proc-macro-crate` reports "this crate itself",
    // which must still resolve to `::autodiff`.
    #[differentiable]
    fn half_square(x: Tensor<f64, 2>) -> f64 {
        (x * x * 0.5).sum()
    }

    #[test]
    fn the_library_reaches_itself_as_autodiff() {
        let x = tensor![3.0, -2.0];
        let (value, grad) = half_square_grad(x);
        assert_eq!(value, half_square(x));
        assert_eq!(grad, x);
        assert_eq!(half_square_vjp(x).1.backward(2.0), x * 2.0);
        assert!(!half_square_graph().to_string().is_empty());
    }
}
