//! Seed 002, the vector-Jacobian product through a `while` loop:
//!
//! ```python
//! y = x * 2
//! while y.data.norm() < 1000:
//!     y = y * 2
//! v = torch.tensor([0.1, 1.0, 0.0001])
//! y.backward(v)
//! print(x.grad)   # tensor([5.1200e+01, 5.1200e+02, 5.1200e-02])
//! ```
//!
//! The tutorial draws `x` with `torch.randn(3)`; this uses the value it printed. The
//! loop's trip count depends on the data, so the forward pass records it and the reverse
//! sweep replays it.
//!
//! Run with `cargo run --release --example vjp_loop`.

use autodiff::{Tensor, differentiable, tensor};

#[differentiable]
fn doubling(x: Tensor<f64, 3>) -> Tensor<f64, 3> {
    let mut y = x * 2.0;
    // The condition carries no gradient, like `y.data.norm()`.
    while y.norm() < 1000.0 {
        y = y * 2.0;
    }
    y
}

fn main() {
    let x = tensor![-0.9332, 1.9616, 0.1739];
    println!("{x}");
    // y is not a scalar: `doubling_grad` would not compile ("grad can be implicitly
    // created only for scalar outputs"); the VJP takes the seed explicitly.
    let (y, pullback) = doubling_vjp(x);
    println!("{y}");
    let v = tensor![0.1, 1.0, 0.0001];
    let grad = pullback.backward(v);
    println!("{grad}");
}
