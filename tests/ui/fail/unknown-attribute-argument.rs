use autodiff::{differentiable, Tensor};

#[differentiable(respect_to(x))]
fn f(x: Tensor<f64, 3>) -> f64 {
    x.sum()
}

fn main() {}
