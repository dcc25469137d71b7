//! Generated code compiles without a single warning, with user names that look like the
//! macro's internal ones, by-reference parameters, data arguments, generic element types,
//! const-generic shapes and methods; `_jvp` and `_hvp` as well as `_grad` and `_vjp`.
#![deny(warnings)]

use autodiff::{custom_vjp, differentiable, tensor, Real, Tensor};

// Names a careless macro might use for its own locals or paths.
#[allow(dead_code)]
struct Pullback;
#[allow(dead_code)]
mod ops {}

#[differentiable]
pub fn internal_names(__ad_v0: Tensor<f64, 3>, __ad_ct0: &Tensor<f64, 3>) -> f64 {
    let __ad_v1 = __ad_v0 * *__ad_ct0;
    let __ad_t2_0 = __ad_v1 + 1.0;
    let __ad_ct1 = __ad_t2_0.sum();
    __ad_ct1
}

#[differentiable(wrt(w))]
pub fn with_data(w: &Tensor<f64, 2, 3>, xs: &[f64], n: usize) -> f64 {
    let x = tensor![xs[0], xs[1], xs[2]];
    let mut y = w.matmul(x);
    y += x.fixed_rows::<2>(0);
    let scale = 1.0 / n as f64;
    (y * scale).powi(2).sum()
}

#[differentiable]
pub fn generic<T: Real>(x: Tensor<T, 3>) -> T {
    (x * 0.5 + 2.0).sigmoid().sum() * 3.0
}

#[differentiable]
pub fn shaped<const H: usize>(w: Tensor<f64, 3, H>, x: Tensor<f64, 3>) -> f64 {
    w.t().matmul(x).tanh().mean()
}

const STEPS: usize = 4;

#[custom_vjp(clamp_vjp, jvp = clamp_jvp)]
pub fn clamp(x: f64) -> f64 {
    x.clamp(-1.0, 1.0)
}

pub fn clamp_vjp(x: f64, _out: f64, ct: f64) -> f64 {
    if x.abs() < 1.0 {
        ct
    } else {
        0.0
    }
}

#[differentiable(wrt(x))]
pub fn control_flow(x: Tensor<f64, 3>, n: usize, data: &[f64]) -> f64 {
    let mut y = x;
    let mut count = 0;
    for i in 0..n {
        y = y * data[i % data.len()];
        count += 1;
    }
    for _ in 0..STEPS {
        y = y.tanh();
    }
    while y.norm() < 10.0 {
        y = y * 2.0;
    }
    let z = if count > 2 { y.sum() } else { y.mean() };
    clamp(z) + generic::<f64>(y) + internal_names(y, &y)
}

pub fn clamp_jvp(x: f64, _out: f64, dx: f64) -> f64 {
    if x.abs() < 1.0 {
        dx
    } else {
        0.0
    }
}

#[differentiable]
pub fn places<const N: usize>(x: Tensor<f64, N>, s: f64) -> f64 {
    let mut y = Tensor::<f64, N>::zeros();
    y[0] = x[0] * s;
    for i in 1..N {
        y[i] = y[i - 1].sin() + x[i];
    }
    let z = if s > 0.0 { y.sum() } else { y.norm() };
    z + internal_names(y.fixed_rows::<3>(0), &x.fixed_rows::<3>(0))
}

#[derive(Clone, autodiff::Differentiable)]
pub struct Model {
    pub bias: f64,
}

impl Model {
    #[differentiable]
    pub fn loss(&self, x: Tensor<f64, 3>) -> f64 {
        (x + self.bias).powi(2).mean()
    }
}

fn main() {
    let x = Tensor::<f64, 3>::from_row_slice(&[1.0, 2.0, 3.0]);
    let w = Tensor::<f64, 2, 3>::ones();
    let _ = internal_names_grad(x, &x);
    let _ = with_data_grad(&w, &[1.0, 2.0, 3.0], 2);
    let _ = generic_grad(x);
    let _ = generic_grad(Tensor::<f32, 3>::ones());
    let _ = shaped_grad(Tensor::<f64, 3, 4>::ones(), x);
    let _ = Model { bias: 1.0 }.loss_grad(x);
    let _ = control_flow_grad(x, 3, &[0.5, 2.0]);
    let _ = control_flow_graph().to_dot();
    let (_, pullback) = with_data_vjp(&w, &[1.0, 2.0, 3.0], 2);
    let _ = pullback.backward(1.0);

    let _ = internal_names_jvp(x, &x, x, x);
    let _ = internal_names_hvp(x, &x, x, x);
    let _ = with_data_jvp(&w, &[1.0, 2.0, 3.0], 2, w);
    let _ = with_data_hvp(&w, &[1.0, 2.0, 3.0], 2, w);
    let _ = generic_jvp(x, x);
    let _ = generic_hvp(Tensor::<f32, 3>::ones(), Tensor::<f32, 3>::ones());
    let _ = shaped_jvp(Tensor::<f64, 3, 4>::ones(), x, Tensor::ones(), x);
    let _ = shaped_hvp(Tensor::<f64, 3, 4>::ones(), x, Tensor::ones(), x);
    let _ = Model { bias: 1.0 }.loss_jvp(x, Model { bias: 0.5 }, x);
    let _ = Model { bias: 1.0 }.loss_hvp(x, Model { bias: 0.5 }, x);
    let _ = control_flow_jvp(x, 3, &[0.5, 2.0], x);
    let _ = places_jvp(Tensor::<f64, 5>::ones(), 0.5, Tensor::ones(), 1.0);
    let _ = places_hvp(Tensor::<f64, 5>::ones(), 0.5, Tensor::ones(), 1.0);
}
