//! A geometric circle fit by argmin's Newton method on the generated Hessian: the centre
//! `(a, b)` and radius `r` that minimise `Σ (|qᵢ - (a, b)| - r)²` over 60 noisy points on
//! three quarters of a circle. `circle_loss` takes the points as a data parameter, which
//! `Problem::with_data` passes to it, to `circle_loss_grad` and to `circle_loss_hvp`; the
//! Hessian argmin inverts is assembled from three Hessian-vector products. An observer
//! prints each iterate.
//!
//! Run with `cargo run --release --features argmin --example circle_fit_newton`. From the
//! points' centroid and mean distance to it, Newton's method converges quadratically; the
//! example asserts that the gradient at the fit is below 1e-9 and that the fit is within
//! 0.02 of the circle the points were drawn from.

use argmin::core::observers::{Observe, ObserverMode};
use argmin::core::{Error, Executor, IterState, KV, State};
use argmin::solver::newton::Newton;
use autodiff::argmin::{Matrix, Problem, Vector, to_tensor, to_vector};
use autodiff::{Tensor, differentiable, tensor};

/// The sum of squared distances from the points to the circle `c = (a, b, r)`.
#[differentiable(wrt(c))]
fn circle_loss(c: Tensor<f64, 3>, points: &[Tensor<f64, 2>]) -> f64 {
    let mut total = 0.0;
    for q in points.iter() {
        let dx = q[0] - c[0];
        let dy = q[1] - c[1];
        let e = (dx * dx + dy * dy).sqrt() - c[2];
        total = total + e * e;
    }
    total
}

/// 60 points at angles 0..3π/2 on the circle of centre (2, -1) and radius 3, each moved
/// radially by a deterministic "noise" of at most 0.05.
fn points() -> Vec<Tensor<f64, 2>> {
    (0..60)
        .map(|k| {
            let angle = 1.5 * std::f64::consts::PI * k as f64 / 59.0;
            let radius = 3.0 + 0.05 * (7.3 * k as f64 + 1.0).sin();
            tensor![2.0 + radius * angle.cos(), -1.0 + radius * angle.sin()]
        })
        .collect()
}

/// Prints each Newton iterate with its loss and gradient norm. Newton's method in argmin
/// evaluates neither (it needs only the gradient and Hessian it steps with), so the
/// observer keeps the points and evaluates them for the printout.
struct Progress {
    points: Vec<Tensor<f64, 2>>,
}

impl Observe<IterState<Vector<3>, Vector<3>, (), Matrix<3>, (), f64>> for Progress {
    fn observe_iter(
        &mut self,
        state: &IterState<Vector<3>, Vector<3>, (), Matrix<3>, (), f64>,
        _kv: &KV,
    ) -> Result<(), Error> {
        if let Some(c) = state.get_param() {
            let (loss, grad) = circle_loss_grad(to_tensor(c), &self.points);
            println!(
                "iter {}: centre ({:+.12}, {:+.12}), radius {:.12}, loss {loss:.9e}, |∇| = {:.3e}",
                state.get_iter(),
                c[0],
                c[1],
                c[2],
                grad.norm()
            );
        }
        Ok(())
    }
}

fn main() -> Result<(), Error> {
    let points = points();
    let centroid = points.iter().fold(Tensor::zeros(), |s, &q| s + q) / points.len() as f64;
    let spread = points.iter().map(|&q| (q - centroid).norm()).sum::<f64>() / points.len() as f64;
    let start = tensor![centroid[0], centroid[1], spread];
    println!(
        "start: centre ({:+.6}, {:+.6}), radius {:.6}, loss {:.6e}",
        start[0],
        start[1],
        start[2],
        circle_loss(start, &points)
    );

    let problem = Problem::with_data(points.as_slice(), circle_loss, circle_loss_grad)
        .with_hvp(circle_loss_hvp);
    let result = Executor::new(problem, Newton::new())
        .configure(|state| state.param(to_vector(start)).max_iters(6))
        .add_observer(
            Progress {
                points: points.clone(),
            },
            ObserverMode::Always,
        )
        .run()?;

    let fit = to_tensor(
        result
            .state()
            .get_param()
            .expect("Newton keeps its iterate"),
    );
    let (loss, grad) = circle_loss_grad(fit, &points);
    println!(
        "fit: centre ({:+.12}, {:+.12}), radius {:.12}, loss {loss:.9e}, |∇| = {:.3e}",
        fit[0],
        fit[1],
        fit[2],
        grad.norm()
    );
    assert!(
        grad.norm() < 1e-9,
        "Newton's method did not converge: |∇| = {:.3e}",
        grad.norm()
    );
    let drawn = tensor![2.0, -1.0, 3.0];
    assert!(
        (fit - drawn).norm() < 0.02,
        "the fit {fit} is far from the drawn circle {drawn}"
    );
    Ok(())
}
