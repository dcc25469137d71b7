use autodiff::{differentiable, Tensor};

#[differentiable]
fn f(x: Tensor<f64, 3>) -> f64 {
    let square = |v: Tensor<f64, 3>| v * v;
    square(x).sum()
}

fn main() {}
