use autodiff::{differentiable, Tensor};

// A `map` closure's body is differentiated as the same operations on the whole tensor,
// so it may only apply elementwise operations to its parameter.
#[differentiable]
fn f(x: Tensor<f64, 3>) -> f64 {
    x.map(|v| v.max(0.5) * 2.0).sum()
}

fn main() {}
