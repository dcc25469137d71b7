use autodiff::{differentiable, Tensor};

#[differentiable]
#[differentiable]
fn f(x: Tensor<f64, 3>) -> f64 {
    x.sum()
}

fn main() {}
