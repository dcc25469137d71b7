use autodiff::{differentiable, Tensor};

#[differentiable]
fn f(x: Tensor<f64, 3>) -> f64 {
    let mut y = x;
    while y.sum() < 100.0 {
        y = y * 2.0;
        if y.norm() > 50.0 {
            break;
        }
    }
    y.sum()
}

fn main() {}
