//! Seed 000, first half: `y = ((x + 1) ** 2).sum()` at x = ones(2, 2).
//!
//! The tutorial prints a gradient of 5 and derives it as 2x + 1. That is a slip: the
//! derivative of (x + 1)^2 is 2(x + 1), which is 4 at x = 1, and PyTorch itself prints 4.
//! This example prints the right value.
//!
//! Run with `cargo run --release --example square`.

use autodiff::{Tensor, differentiable};

#[differentiable]
fn square_sum(x: Tensor<f64, 2, 2>) -> f64 {
    (x + 1.0).powi(2).sum()
}

fn main() {
    let x = Tensor::<f64, 2, 2>::ones();
    println!("{x}");
    let (y, grad) = square_sum_grad(x);
    println!("y = {y}");
    // d/dx (x + 1)^2 = 2 (x + 1) = 4 at x = 1 (not 5, as the tutorial's text says).
    println!("{grad}");
}
