use autodiff::{differentiable, Tensor};

// The error names the method that has no rule, not the `unwrap` after it, and does not
// advise `.detach()`, which would drop the gradient through `a`.
#[differentiable]
fn f(a: Tensor<f64, 3, 3>) -> f64 {
    a.frobnicate().unwrap().sum()
}

fn main() {}
