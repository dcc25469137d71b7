//! Seed 001 ("自動微分"): the gradient of `calc` at a = [1, 2, 3], then the
//! finite-difference check of the tutorial, side by side.
//!
//! Run with `cargo run --release --example calc`.

use autodiff::{Tensor, differentiable, tensor};

#[differentiable]
fn calc(a: Tensor<f64, 3>) -> f64 {
    let b = a * 2.0 + 1.0;
    let c = b * b;
    let d = c / (c + 2.0);
    d.mean()
}

#[differentiable]
fn double(a: Tensor<f64, 1>) -> f64 {
    (a * 2.0).sum()
}

fn main() {
    // b = a * 2; b.backward(); a.grad
    let (_, grad) = double_grad(tensor![1.0]);
    println!("{grad}");

    let x = tensor![1.0, 2.0, 3.0];
    let (y, grad) = calc_grad(x);
    println!("calc(x) = {y}");
    println!("x.grad           = {:?}", grad.to_row_major_vec());
    let exact = [8.0 / 121.0, 40.0 / 2187.0, 56.0 / 7803.0];
    println!("closed form      = {exact:?}");

    // The tutorial's check: move one element by delta and watch the output.
    let delta = 0.001;
    let forward: Vec<f64> = (0..3)
        .map(|i| {
            let mut moved = x;
            moved[i] += delta;
            (calc(moved) - y) / delta
        })
        .collect();
    println!("forward diff     = {forward:?}   (delta = {delta}, error O(delta))");
    let h = 1e-6;
    let central: Vec<f64> = (0..3)
        .map(|i| {
            let (mut up, mut down) = (x, x);
            up[i] += h;
            down[i] -= h;
            (calc(up) - calc(down)) / (2.0 * h)
        })
        .collect();
    println!("central diff     = {central:?}   (h = {h})");
}
