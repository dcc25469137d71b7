use autodiff::{custom_vjp, differentiable};

#[custom_vjp(loss_vjp)]
fn smooth(x: f64) -> f64 {
    x.exp().ln_1p()
}

// Meant as `smooth`'s rule, but `#[differentiable] fn loss` generates `loss_vjp` too.
fn loss_vjp(x: f64, _out: f64, ct: f64) -> f64 {
    ct / (1.0 + (-x).exp())
}

#[differentiable]
fn loss(x: f64) -> f64 {
    smooth(x) * 2.0
}

fn main() {}
