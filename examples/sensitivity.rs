//! Sensitivity analysis of a simulation by forward mode: the Jacobian of a damped,
//! driven oscillator's final state `(x, v)` after 500 steps with respect to its three
//! parameters (stiffness `k`, damping `c`, drive amplitude `a`), one `simulate_jvp` per
//! parameter (`jacobian_fwd`), checked against central finite differences.
//!
//! Run with `cargo run --release --example sensitivity`.

use autodiff::{Tensor, differentiable, jacobian_fwd, tensor};

const STEPS: usize = 500;
const DT: f64 = 0.01;

/// Semi-implicit Euler for `x'' = -k x - c x' + a sin(2t)` from `x = 1, v = 0`; returns
/// the final position and velocity. `p = (k, c, a)`.
#[differentiable]
fn simulate(p: Tensor<f64, 3>) -> Tensor<f64, 2> {
    let k = p[0];
    let c = p[1];
    let a = p[2];
    let mut x = 1.0;
    let mut v = 0.0;
    for i in 0..STEPS {
        let t = i as f64 * DT;
        let drive = (t * 2.0).sin();
        let accel = -k * x - c * v + a * drive;
        v = v + accel * DT;
        x = x + v * DT;
    }
    tensor![x, v]
}

fn main() {
    let p = tensor![4.0, 0.3, 0.8];
    let state = simulate(p);
    println!("final state: x = {:+.6}, v = {:+.6}", state[0], state[1]);

    // Three JVPs, one per parameter, give the 2 x 3 Jacobian column by column.
    let jacobian = jacobian_fwd(simulate_jvp, p);
    println!("Jacobian of (x, v) with respect to (k, c, a):");
    for (r, name) in ["x", "v"].iter().enumerate() {
        println!(
            "  d{name}/d(k, c, a) = ({:+.6}, {:+.6}, {:+.6})",
            jacobian[(r, 0)],
            jacobian[(r, 1)],
            jacobian[(r, 2)]
        );
    }

    // The same columns by central differences of the plain simulation.
    let h = 1e-6;
    let mut worst: f64 = 0.0;
    for j in 0..3 {
        let e = Tensor::<f64, 3>::from_fn(|i, _| if i == j { h } else { 0.0 });
        let column = (simulate(p + e) - simulate(p - e)) / (2.0 * h);
        for r in 0..2 {
            let scale = jacobian[(r, j)].abs().max(1e-3);
            worst = worst.max((column[r] - jacobian[(r, j)]).abs() / scale);
        }
    }
    println!("largest relative difference from central differences: {worst:.1e}");
    assert!(
        worst < 1e-6,
        "forward-mode Jacobian disagrees with finite differences"
    );
}
