use autodiff::{differentiable, Tensor};

#[differentiable(wrt(x))]
fn f(x: Tensor<f64, 3>, flip: bool) -> f64 {
    let y = if flip { x * -1.0 };
    y.sum()
}

fn main() {}
