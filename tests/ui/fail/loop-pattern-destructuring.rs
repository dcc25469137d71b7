use autodiff::{differentiable, Tensor};

#[differentiable(wrt(x))]
fn f(x: Tensor<f64, 3>, pairs: &[(usize, f64)]) -> f64 {
    let mut total = 0.0;
    for (i, w) in pairs.iter().copied() {
        total += x[i] * w;
    }
    total
}

fn main() {}
