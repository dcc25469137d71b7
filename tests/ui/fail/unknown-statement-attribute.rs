use autodiff::{differentiable, Tensor};

#[differentiable]
fn f(x: Tensor<f64, 3>) -> f64 {
    let mut y = x;
    #[checkpont]
    for _ in 0..3 {
        y = y * 2.0;
    }
    y.sum()
}

fn main() {}
