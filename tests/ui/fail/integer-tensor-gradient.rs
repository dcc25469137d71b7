use autodiff::{differentiable, Tensor};

#[differentiable]
fn f(x: Tensor<i32, 3>, w: Tensor<f64, 3>) -> f64 {
    w.sum()
}

fn main() {}
