use autodiff::{differentiable, Tensor};

#[differentiable(wrt(self, x))]
fn loss(x: Tensor<f64, 2>) -> f64 {
    x.sum()
}

fn main() {}
