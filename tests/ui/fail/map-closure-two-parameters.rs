use autodiff::{differentiable, Tensor};

#[differentiable]
fn f(x: Tensor<f64, 3>) -> f64 {
    x.map(|(a, b)| a * b).sum()
}

fn main() {}
