use autodiff::{differentiable, Tensor};

#[differentiable]
fn f(x: Tensor<f64, 3>) -> f64 {
    let mut y = x;
    #[checkpoint]
    for i in 0..3 {
        y[i] = y[i] * 2.0;
    }
    y.sum()
}

fn main() {}
