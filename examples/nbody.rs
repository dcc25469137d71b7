//! An N-body simulation: positions and velocities in a struct, a force loop that
//! assigns the elements of an acceleration matrix, leapfrog steps, and the gradient of
//! the final energy with respect to the whole initial state.
//!
//! `cargo run --release --example nbody`

use autodiff::{Differentiable, Tensor, check_gradient, differentiable, tensor};

const N: usize = 4;

#[derive(Clone, Debug, Differentiable)]
struct Bodies {
    /// One row per body: x, y.
    pos: Tensor<f64, N, 2>,
    vel: Tensor<f64, N, 2>,
    #[no_grad]
    mass: [f64; N],
}

/// Kinetic plus potential energy after `steps` leapfrog steps of length `dt`.
#[differentiable(wrt(b))]
fn final_energy(b: &Bodies, steps: usize, dt: f64) -> f64 {
    let mut pos = b.pos;
    let mut vel = b.vel;
    for _ in 0..steps {
        let mut acc = Tensor::<f64, N, 2>::zeros();
        for i in 0..N {
            for j in 0..N {
                if i != j {
                    let dx = pos[(j, 0)] - pos[(i, 0)];
                    let dy = pos[(j, 1)] - pos[(i, 1)];
                    let r2 = dx * dx + dy * dy + 0.01;
                    let inv = b.mass[j] / (r2 * r2.sqrt());
                    acc[(i, 0)] += dx * inv;
                    acc[(i, 1)] += dy * inv;
                }
            }
        }
        vel = vel + acc * dt;
        pos = pos + vel * dt;
    }
    let mut energy = 0.0;
    for i in 0..N {
        energy = energy + 0.5 * b.mass[i] * (vel[(i, 0)] * vel[(i, 0)] + vel[(i, 1)] * vel[(i, 1)]);
        for j in (i + 1)..N {
            let dx = pos[(j, 0)] - pos[(i, 0)];
            let dy = pos[(j, 1)] - pos[(i, 1)];
            energy = energy - b.mass[i] * b.mass[j] / (dx * dx + dy * dy + 0.01).sqrt();
        }
    }
    energy
}

fn main() {
    let bodies = Bodies {
        pos: tensor![[1.0, 0.0], [-1.0, 0.1], [0.0, 1.2], [0.1, -0.9]],
        vel: tensor![[0.0, 0.4], [0.0, -0.4], [-0.3, 0.0], [0.35, 0.05]],
        mass: [1.0, 1.0, 0.5, 0.8],
    };
    let (steps, dt) = (200, 0.005);
    let (energy, grad) = final_energy_grad(&bodies, steps, dt);
    println!("initial energy {:.6}", final_energy(&bodies, 0, dt));
    println!("energy after {steps} steps {energy:.6}");
    println!("d energy / d initial positions:\n{}", grad.pos);
    println!("d energy / d initial velocities:\n{}", grad.vel);
    let report =
        check_gradient(|b: Bodies| final_energy(&b, steps, dt), &bodies, &grad).within(1e-7, 1e-5);
    println!("against central differences: {report}");
    assert!(report.passed());
}
