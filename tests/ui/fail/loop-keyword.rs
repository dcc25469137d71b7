use autodiff::{differentiable, Tensor};

#[differentiable]
fn f(x: Tensor<f64, 3>) -> f64 {
    let mut y = x;
    loop {
        y = y * 2.0;
        break;
    }
    y.sum()
}

fn main() {}
