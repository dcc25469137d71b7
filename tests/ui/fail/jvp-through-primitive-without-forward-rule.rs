use autodiff::{custom_vjp, differentiable};

#[custom_vjp(softplus_vjp)]
fn softplus(x: f64) -> f64 {
    x.exp().ln_1p()
}

fn softplus_vjp(x: f64, _out: f64, ct: f64) -> f64 {
    ct / (1.0 + (-x).exp())
}

#[differentiable]
fn inner(x: f64) -> f64 {
    softplus(x) * 2.0
}

// The primitive is two calls away; `_grad` still works.
#[differentiable]
fn outer(x: f64) -> f64 {
    inner(x * 3.0) + x
}

fn main() {
    let _ = outer_grad(1.0);
    let _ = outer_jvp(1.0, 1.0);
}
