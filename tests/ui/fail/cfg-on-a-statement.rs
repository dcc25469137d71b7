use autodiff::{differentiable, Tensor};

#[differentiable]
fn f(x: Tensor<f64, 3>) -> f64 {
    let y = x * 2.0;
    #[cfg(any())]
    let y = y * 100.0;
    y.sum()
}

fn main() {}
