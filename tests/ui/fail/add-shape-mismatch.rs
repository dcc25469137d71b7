use autodiff::{differentiable, Tensor};

#[differentiable]
fn f(a: Tensor<f64, 3>, b: Tensor<f64, 2>) -> f64 {
    let c = a + b;
    c.sum()
}

fn main() {}
