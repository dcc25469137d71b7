use autodiff::{differentiable, Tensor};

#[differentiable]
fn double(x: Tensor<f64, 3>) -> Tensor<f64, 3> {
    x * 2.0
}

fn main() {
    let x = Tensor::<f64, 3>::ones();
    let (_, pullback) = double_vjp(x);
    let _ = pullback.backward(Tensor::<f64, 2>::ones());
}
