//! The objectives `benches/objectives.rs` times, checked against central finite
//! differences to 1e-6 relative: the GMM objective's gradient over every mixture
//! parameter and the data points, and both rows of the bundle-adjustment residual's
//! 2x15 Jacobian, on the Rodrigues branch and on its small-angle branch. The hand-written
//! GMM adjoint the bench times for reference is checked equal to the generated gradient.

#[path = "../benches/objectives_common/mod.rs"]
mod objectives_common;

use autodiff::{Differentiable, Tensor, check_gradient, tensor};
use objectives_common::*;

/// Asserts that `grad` is `f`'s gradient at `x` to 1e-6 relative (and 1e-8 absolute, for
/// coordinates whose derivative is zero).
fn check<X: Differentiable + std::fmt::Debug>(what: &str, f: impl Fn(X) -> f64, x: X, grad: X) {
    let report = check_gradient(f, &x, &grad).within(1e-8, 1e-6);
    assert!(report.passed(), "{what}: {report}");
}

#[test]
fn gmm_gradient_matches_central_differences() {
    let m = gmm_params();
    let xs = gmm_points(50);
    let (value, gm) = gmm_objective_grad(&m, &xs);
    assert_eq!(value, gmm_objective(&m, &xs));
    check("gmm", |m: Gmm| gmm_objective(&m, &xs), m, gm);
}

#[test]
fn gmm_gradient_at_the_benchmarked_size() {
    let m = gmm_params();
    let xs = gmm_points(1000);
    let (value, gm) = gmm_objective_grad(&m, &xs);
    assert_eq!(value, gmm_objective(&m, &xs));
    check("gmm n = 1000", |m: Gmm| gmm_objective(&m, &xs), m, gm);
}

#[test]
fn gmm_hand_written_gradient_equals_the_generated_one() {
    let m = gmm_params();
    let xs = gmm_points(1000);
    let (value, gm) = gmm_objective_grad(&m, &xs);
    let (hand_value, hand) = gmm_hand_grad(&m, &xs);
    let (generated, hand) = (gm.to_coords(), hand.to_coords());
    assert!(
        (value - hand_value).abs() <= 1e-12 * value.abs(),
        "{value} vs {hand_value}"
    );
    for (i, (g, h)) in generated.iter().zip(&hand).enumerate() {
        assert!(
            (g - h).abs() <= 1e-10 * g.abs().max(1.0),
            "coordinate {i}: {g} vs {h}"
        );
    }
}

/// Checks both Jacobian rows of `ba_residual` at `cam`, each against central differences
/// of the residual's dot product with the row's seed.
fn check_ba(what: &str, cam: Camera, point: Tensor<f64, 3>, weight: f64, observed: Tensor<f64, 2>) {
    let (residual, rows) = ba_jacobian(&cam, point, weight, observed);
    assert_eq!(residual, ba_residual(&cam, point, weight, observed));
    for (i, (row, seed)) in rows
        .into_iter()
        .zip([tensor![1.0, 0.0], tensor![0.0, 1.0]])
        .enumerate()
    {
        check(
            &format!("{what}, row {i}"),
            |(c, p, w): BaRow| ba_residual(&c, p, w, observed).dot(seed),
            (cam.clone(), point, weight),
            row,
        );
    }
}

#[test]
fn ba_jacobian_matches_central_differences() {
    let (cam, point, weight, observed) = ba_inputs();
    check_ba("rodrigues branch", cam, point, weight, observed);
}

#[test]
fn ba_jacobian_on_the_small_angle_branch() {
    let (mut cam, point, weight, observed) = ba_inputs();
    cam.rotation = Tensor::zeros();
    check_ba("small-angle branch", cam, point, weight, observed);
}
