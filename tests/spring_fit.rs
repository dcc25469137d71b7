//! The `spring` example's fit recovers the true stiffness and damping within 1e-3, and
//! its gradient through 300 integration steps agrees with finite differences.

#[allow(dead_code)]
#[path = "../examples/spring.rs"]
mod spring;

use autodiff::{gradcheck, tensor};

#[test]
fn gradient_through_the_simulation_matches_finite_differences() {
    let observed = spring::simulate(4.0, 0.5);
    let p = tensor![2.0, 0.1];
    let (_, grad) = spring::trajectory_loss_grad(p, &observed);
    let report = gradcheck(|p| spring::trajectory_loss(p, &observed), p, grad).within(1e-9, 1e-6);
    assert!(report.passed(), "{report}");
}

#[test]
fn gradient_descent_recovers_the_parameters() {
    let observed = spring::simulate(4.0, 0.5);
    let p = spring::fit(&observed, tensor![2.0, 0.1], 400);
    assert!((p[0] - 4.0).abs() < 1e-3, "k = {}", p[0]);
    assert!((p[1] - 0.5).abs() < 1e-3, "c = {}", p[1]);
}
