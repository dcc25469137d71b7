use autodiff::custom_vjp;

#[custom_vjp(softplus_vjp, forward = softplus_jvp)]
fn softplus(x: f64) -> f64 {
    x.exp().ln_1p()
}

fn softplus_vjp(x: f64, _out: f64, ct: f64) -> f64 {
    ct / (1.0 + (-x).exp())
}

fn main() {}
