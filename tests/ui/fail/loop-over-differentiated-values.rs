use autodiff::{differentiable, Tensor};

#[differentiable]
fn f(x: Tensor<f64, 3>) -> f64 {
    let mut total = 0.0;
    for v in x.iter() {
        total += *v;
    }
    total
}

fn main() {}
