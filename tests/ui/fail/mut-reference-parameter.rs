use autodiff::{differentiable, Tensor};

#[differentiable]
fn f(x: &mut Tensor<f64, 3>) -> f64 {
    x.sum()
}

fn main() {}
