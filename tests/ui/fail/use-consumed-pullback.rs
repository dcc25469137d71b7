use autodiff::{differentiable, Tensor};

#[differentiable]
fn f(x: Tensor<f64, 3>) -> f64 {
    (x * 2.0).sum()
}

fn main() {
    let (_, pullback) = f_vjp(Tensor::ones());
    let _grad = pullback.backward(1.0);
    let _retained = pullback.clone();
}
