//! A damped spring, `x'' = -k x - c x'`, integrated with semi-implicit Euler for 300
//! steps, and its stiffness `k` and damping `c` recovered from an observed trajectory by
//! plain gradient descent through the whole simulation.
//!
//! Run with `cargo run --release --example spring`.

use autodiff::{Tensor, differentiable, tensor};

const STEPS: usize = 300;
const DT: f64 = 0.01;

/// Simulates the spring with parameters `p = [k, c]` from `x = 1, v = 0` and returns the
/// mean squared distance to the observed positions.
#[differentiable(wrt(p))]
pub fn trajectory_loss(p: Tensor<f64, 2>, observed: &[f64; STEPS]) -> f64 {
    let k = p[0];
    let c = p[1];
    let mut x = 1.0;
    let mut v = 0.0;
    let mut loss = 0.0;
    for i in 0..STEPS {
        let a = -k * x - c * v;
        v = v + a * DT;
        x = x + v * DT;
        let miss = x - observed[i];
        loss = loss + miss * miss;
    }
    loss / STEPS as f64
}

/// The plain simulation, to make the observations.
pub fn simulate(k: f64, c: f64) -> [f64; STEPS] {
    let (mut x, mut v) = (1.0, 0.0);
    std::array::from_fn(|_| {
        v += (-k * x - c * v) * DT;
        x += v * DT;
        x
    })
}

/// Plain gradient descent on `[k, c]` from `start`, printing the loss as it falls.
pub fn fit(observed: &[f64; STEPS], start: Tensor<f64, 2>, iterations: usize) -> Tensor<f64, 2> {
    let learning_rate = 0.5;
    let mut p = start;
    for iteration in 0..=iterations {
        let (loss, grad) = trajectory_loss_grad(p, observed);
        if iteration % 100 == 0 {
            println!(
                "iteration {iteration:4}: loss {loss:.3e}, k = {:.6}, c = {:.6}",
                p[0], p[1]
            );
        }
        p -= grad * learning_rate;
    }
    p
}

fn main() {
    let truth = tensor![4.0, 0.5];
    let observed = simulate(truth[0], truth[1]);
    let p = fit(&observed, tensor![2.0, 0.1], 1000);
    let error = (p - truth).abs();
    println!("recovered k = {:.6}, c = {:.6} (truth 4, 0.5)", p[0], p[1]);
    println!("error: {:.2e}, {:.2e}", error[0], error[1]);
}
