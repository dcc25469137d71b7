use autodiff::{differentiable, Tensor};

fn helper(x: Tensor<f64, 3>) -> Tensor<f64, 3> {
    x * 2.0
}

#[differentiable]
fn f(x: Tensor<f64, 3>) -> f64 {
    helper(x).sum()
}

fn main() {}
