use autodiff::{differentiable, Tensor};

#[differentiable(wrt(x))]
fn f(x: Tensor<f64, 3>, mode: u8) -> f64 {
    let y = match mode {
        0 => x * 2.0,
        _ => x,
    };
    y.sum()
}

fn main() {}
