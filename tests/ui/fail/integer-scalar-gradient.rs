use autodiff::{differentiable, Tensor};

// Every argument is differentiated by default, including `n`.
#[differentiable]
fn f(x: Tensor<f64, 3>, n: usize) -> f64 {
    x.sum() / n as f64
}

fn main() {}
