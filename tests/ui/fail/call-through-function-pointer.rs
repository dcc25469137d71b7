use autodiff::differentiable;

#[differentiable]
fn helper(x: f64) -> f64 {
    x * 2.0
}

const DOUBLE: fn(f64) -> f64 = helper;

#[differentiable]
fn through_local(x: f64) -> f64 {
    let g: fn(f64) -> f64 = helper;
    g(x) * 2.0
}

#[differentiable]
fn through_const(x: f64) -> f64 {
    DOUBLE(x) * 2.0
}

fn main() {
    let _ = (through_local_grad(1.0), through_const_grad(1.0));
}
