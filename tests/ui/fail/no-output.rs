use autodiff::{differentiable, Tensor};

#[differentiable]
fn f(x: Tensor<f64, 3>) {
    let _ = x.sum();
}

fn main() {}
