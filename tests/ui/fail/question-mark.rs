use autodiff::{differentiable, Tensor};

#[differentiable(wrt(x))]
fn f(x: Tensor<f64, 3>, scale: Option<f64>) -> f64 {
    (x * scale?).sum()
}

fn main() {}
