use autodiff::{differentiable, Tensor};

#[differentiable]
fn f(x: Tensor<f64, 3>) -> f64 {
    println!("{}", x);
    x.sum()
}

fn main() {}
