//! Runtime of [static-autodiff](https://docs.rs/static-autodiff): fixed-shape tensors over
//! nalgebra and the primitive operations that `#[differentiable]` functions are built
//! from, each with its forward computation and its vector-Jacobian product (VJP) side by
//! side.
//!
//! Most users depend on the `static-autodiff` facade package (its library is called
//! `autodiff`), which re-exports everything here together with the `#[differentiable]`
//! attribute, pinned to this crate's exact version.
//!
//! # Features
//!
//! * `serde`: `Serialize` and `Deserialize` for [`Tensor`] (a vector as a flat array, a
//!   matrix as an array of rows). The facade forwards its own `serde` feature here.
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

pub mod bounds;
mod checkpoint;
mod derivatives;
mod differentiable;
mod gradcheck;
pub mod graph;
pub mod linalg;
pub mod ops;
pub mod optim;
mod param;
mod pullback;
mod real;
mod tape;
mod tensor;
mod undo;

#[doc(hidden)]
pub mod __private;

pub use derivatives::{Backward, hessian, jacobian_fwd, jacobian_rev, value_grad_hessian};
pub use differentiable::{CoordUpdate, Differentiable, check_gradient};
pub use gradcheck::{Gradcheck, Perturb, gradcheck};
pub use graph::Graph;
/// The [nalgebra](https://docs.rs/nalgebra) crate that [`Tensor`] stores its elements in,
/// re-exported so that its types (`SMatrix`, `Matrix2`, ...) and traits are reachable at
/// the exact version the tensors use, without a dependency of your own.
///
/// ```
/// use autodiff_core::nalgebra::{Matrix2, Vector2};
/// use autodiff_core::Tensor;
///
/// let m = Tensor::from_matrix(Matrix2::new(2.0, 0.0, 0.0, 4.0));
/// let solved = m.as_matrix().lu().solve(&Vector2::new(2.0, 4.0)).expect("invertible");
/// assert_eq!(solved, Vector2::new(1.0, 1.0));
/// ```
pub use nalgebra;
pub use param::{Accumulate, Param, ParamValue};
pub use pullback::Pullback;
pub use real::Real;
pub use tensor::{DisplayElement, Tensor};
