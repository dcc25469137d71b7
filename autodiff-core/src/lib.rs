//! Runtime of [autodiff](https://docs.rs/autodiff): fixed-shape tensors over nalgebra and
//! the primitive operations that `#[differentiable]` functions are built from, each with
//! its forward computation and its vector-Jacobian product (VJP) side by side.
//!
//! Most users depend on the `autodiff` facade crate, which re-exports everything here
//! together with the `#[differentiable]` attribute.
//!
//! ```
//! use autodiff_core::{tensor, Tensor};
//! use autodiff_core::ops::Exp;
//!
//! let x: Tensor<f64, 3> = tensor![0.0, 1.0, 2.0];
//! let y = x.exp();
//! // VJP of exp: the cotangent times the forward output.
//! let dx = Exp::exp_vjp(x, y, Tensor::ones());
//! assert_eq!(dx, y);
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod differentiable;
mod gradcheck;
pub mod graph;
pub mod ops;
pub mod optim;
mod param;
mod pullback;
mod real;
mod tape;
mod tensor;

#[doc(hidden)]
pub mod __private;

pub use differentiable::{CoordUpdate, Differentiable, check_gradient};
pub use gradcheck::{Gradcheck, Perturb, gradcheck};
pub use graph::Graph;
pub use nalgebra;
pub use param::{Accumulate, Param, ParamValue};
pub use pullback::Pullback;
pub use real::Real;
pub use tensor::Tensor;
