//! Compile-time reverse-mode automatic differentiation for Rust functions on fixed-shape
//! tensors.
//!
//! `#[differentiable]` reads a function body while the crate compiles and emits, next to
//! the function, its gradient (`f_grad`) and its vector-Jacobian product (`f_vjp`). No tape
//! is recorded at run time and, for straight-line code on fixed-shape tensors, nothing is
//! allocated.
//!
//! ```
//! use autodiff::{differentiable, Tensor};
//!
//! #[differentiable]
//! fn calc(a: Tensor<f64, 3>) -> f64 {
//!     let b = a * 2.0 + 1.0;
//!     let c = b * b;
//!     let d = c / (c + 2.0);
//!     d.mean()
//! }
//!
//! let a = Tensor::<f64, 3>::from_row_slice(&[1.0, 2.0, 3.0]);
//! let (y, da) = calc_grad(a);
//! assert_eq!(y, calc(a));
//! assert!((da[0] - 8.0 / 121.0).abs() < 1e-15);
//! ```
#![forbid(unsafe_code)]

pub use autodiff_core::*;
pub use autodiff_macros::{custom_vjp, differentiable};
