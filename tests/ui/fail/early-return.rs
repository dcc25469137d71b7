use autodiff::{differentiable, Tensor};

#[differentiable(wrt(x))]
fn f(x: Tensor<f64, 3>, skip: bool) -> f64 {
    if skip {
        return 0.0;
    }
    x.sum()
}

fn main() {}
