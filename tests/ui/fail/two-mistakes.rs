use autodiff::{differentiable, Tensor};

// Both mistakes are reported in one compile.
#[differentiable]
fn f(x: Tensor<f64, 3>) -> f64 {
    let y = x.frobnicate();
    let z = (|| 2.0)();
    y.sum() * z
}

fn main() {}
