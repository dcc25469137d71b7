use autodiff::{differentiable, Tensor};

#[differentiable]
fn f(x: Tensor<f64, 3>) -> f64 {
    let y = unsafe { x };
    y.sum()
}

fn main() {}
