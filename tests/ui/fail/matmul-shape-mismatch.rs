use autodiff::{differentiable, Tensor};

#[differentiable]
fn f(w: Tensor<f64, 3, 10>, x: Tensor<f64, 3, 1>) -> f64 {
    w.matmul(x).sum()
}

fn main() {}
