use autodiff::{Differentiable, Tensor};

#[derive(Clone, Differentiable)]
struct Model {
    w: Tensor<f64, 3>,
    name: String,
    steps: Tensor<i32, 3>,
}

fn main() {}
