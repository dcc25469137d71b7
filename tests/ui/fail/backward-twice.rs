use autodiff::{differentiable, Tensor};

#[differentiable]
fn f(x: Tensor<f64, 3>) -> f64 {
    (x * 2.0).sum()
}

fn main() {
    let x = Tensor::<f64, 3>::ones();
    let (_, pullback) = f_vjp(x);
    let _first = pullback.backward(1.0);
    let _second = pullback.backward(1.0);
}
