use autodiff::{differentiable, Tensor};

#[differentiable]
fn double(x: Tensor<f64, 3>) -> Tensor<f64, 3> {
    x * 2.0
}

fn main() {
    let x = Tensor::<f64, 3>::ones();
    let _ = double_jvp(x, x);
    let _ = double_hvp(x, x);
}
