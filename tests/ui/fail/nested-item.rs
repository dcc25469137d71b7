use autodiff::{differentiable, Tensor};

#[differentiable]
fn f(x: Tensor<f64, 3>) -> f64 {
    fn helper(v: f64) -> f64 {
        v * 2.0
    }
    x.sum()
}

fn main() {}
