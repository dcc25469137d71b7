use autodiff::{custom_vjp, differentiable};

#[custom_vjp(softplus_vjp)]
fn softplus(x: f64) -> f64 {
    x.exp().ln_1p()
}

// Missing the cotangent argument.
fn softplus_vjp(x: f64, _out: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

#[differentiable]
fn loss(x: f64) -> f64 {
    softplus(x) * 2.0
}

fn main() {}
