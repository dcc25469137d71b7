use autodiff::{differentiable, Tensor};

#[differentiable(wrt(x))]
fn f(x: Tensor<f64, 3>, stop: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..3 {
        if i == stop {
            return s;
        }
        s += x[i];
    }
    s
}

fn main() {}
