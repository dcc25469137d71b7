use autodiff::{custom_vjp, differentiable};

#[custom_vjp(softplus_vjp, jvp = softplus_jvp)]
fn softplus(x: f64) -> f64 {
    x.exp().ln_1p()
}

fn softplus_vjp(x: f64, _out: f64, ct: f64) -> f64 {
    ct / (1.0 + (-x).exp())
}

fn softplus_jvp(x: f64, _out: f64, dx: f64) -> f64 {
    dx / (1.0 + (-x).exp())
}

#[differentiable]
fn loss(x: f64) -> f64 {
    softplus(x) * 2.0
}

fn main() {
    let _ = loss_jvp(1.0, 1.0);
    let _ = loss_hvp(1.0, 1.0);
}
