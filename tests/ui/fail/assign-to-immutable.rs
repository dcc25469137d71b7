use autodiff::{differentiable, Tensor};

#[differentiable]
fn f(x: Tensor<f64, 3>) -> f64 {
    let y = x * 2.0;
    y += x;
    y.sum()
}

fn main() {}
