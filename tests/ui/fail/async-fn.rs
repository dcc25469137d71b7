use autodiff::{differentiable, Tensor};

#[differentiable]
async fn f(x: Tensor<f64, 3>) -> f64 {
    x.sum()
}

fn main() {}
