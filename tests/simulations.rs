//! The simulation loops `benches/simulations.rs` times: every generated gradient against
//! central finite differences (1e-6 relative) and against the hand-written adjoint the
//! bench compares it with (1e-12 relative per element), the generated value against the
//! plain function's, and the checkpointed heat loop's gradient against the taped one, bit
//! for bit.

#[path = "../benches/simulations_common/mod.rs"]
mod simulations_common;

use autodiff::{Tensor, check_gradient, gradcheck};
use simulations_common::*;

const REL: f64 = 1e-12;

/// Asserts `|h - g| <= REL · max(|h|, |g|)` element by element.
fn assert_rel(what: &str, hand: &[f64], generated: &[f64]) {
    assert_eq!(hand.len(), generated.len(), "{what}: lengths");
    for (i, (&h, &g)) in hand.iter().zip(generated).enumerate() {
        let scale = h.abs().max(g.abs());
        assert!(
            (h - g).abs() <= REL * scale,
            "{what}[{i}]: hand-written {h:e} vs generated {g:e}"
        );
    }
}

fn elems<const R: usize, const C: usize>(t: Tensor<f64, R, C>) -> Vec<f64> {
    t.as_matrix().iter().copied().collect()
}

/// Checks one heat spelling: value, finite differences and the hand-written adjoint.
fn check_heat(
    what: &str,
    f: fn(Tensor<f64, 32>, f64) -> f64,
    grad: fn(Tensor<f64, 32>, f64) -> (f64, Tensor<f64, 32>),
) {
    let (u0, a) = heat_inputs();
    let (value, g) = grad(u0, a);
    assert_eq!(value, f(u0, a), "{what}: value");
    let report = gradcheck(|u| f(u, a), u0, g).within(1e-8, 1e-6);
    assert!(report.passed(), "{what}: {report}");
    let (hand_value, hand) = heat_hand_grad(u0, a);
    assert_rel(&format!("{what} value"), &[hand_value], &[value]);
    assert_rel(&format!("{what} du0"), &elems(hand), &elems(g));
}

#[test]
fn heat_inline_gradient() {
    check_heat("heat_inline", heat_inline, heat_inline_grad);
}

#[test]
fn heat_called_gradient() {
    check_heat("heat_called", heat_called, heat_called_grad);
}

#[test]
fn heat_checkpointed_gradient() {
    check_heat(
        "heat_checkpointed",
        heat_checkpointed,
        heat_checkpointed_grad,
    );
}

#[test]
fn the_heat_spellings_compute_one_function() {
    let (u0, a) = heat_inputs();
    assert_eq!(heat_inline(u0, a), heat_called(u0, a));
    assert_eq!(heat_inline(u0, a), heat_checkpointed(u0, a));
}

#[test]
fn checkpointed_heat_gradient_equals_the_taped_one_bit_for_bit() {
    let (u0, a) = heat_inputs();
    let (value, taped) = heat_called_grad(u0, a);
    let (checkpointed_value, checkpointed) = heat_checkpointed_grad(u0, a);
    assert_eq!(value, checkpointed_value);
    for (i, (t, c)) in elems(taped).iter().zip(elems(checkpointed)).enumerate() {
        assert_eq!(
            t.to_bits(),
            c.to_bits(),
            "element {i}: taped {t:e}, checkpointed {c:e}"
        );
    }
}

#[test]
fn nbody_gradient() {
    let (pos0, vel0) = nbody_inputs();
    let (value, (gp, gv)) = nbody_grad(pos0, vel0);
    assert_eq!(value, nbody(pos0, vel0));
    let report = check_gradient(|(p, v)| nbody(p, v), &(pos0, vel0), &(gp, gv)).within(1e-8, 1e-6);
    assert!(report.passed(), "nbody: {report}");
    let (hand_value, (hp, hv)) = nbody_hand_grad(pos0, vel0);
    assert_rel("nbody value", &[hand_value], &[value]);
    assert_rel("nbody dpos0", &elems(hp), &elems(gp));
    assert_rel("nbody dvel0", &elems(hv), &elems(gv));
}

#[test]
fn nbody_bodies_stay_apart() {
    // Far from the softening scale, so the finite differences above are well conditioned.
    let (mut pos, mut vel) = nbody_inputs();
    let mut closest = f64::INFINITY;
    for _ in 0..NBODY_STEPS {
        for i in 0..8 {
            for j in 0..i {
                let (dx, dy) = (pos[(0, j)] - pos[(0, i)], pos[(1, j)] - pos[(1, i)]);
                closest = closest.min((dx * dx + dy * dy).sqrt());
            }
        }
        vel += accelerations(pos) * 0.01;
        pos += vel * 0.01;
    }
    assert!(closest > 0.3, "two bodies come within {closest}");
}

#[test]
fn accelerations_gradient() {
    let (pos0, _) = nbody_inputs();
    let (acc, pullback) = accelerations_vjp(pos0);
    assert_eq!(acc, accelerations(pos0));
    let seed = Tensor::from_fn(|r, c| 0.3 + (r as f64 + 1.7 * c as f64).sin());
    let g = pullback.backward(seed);
    let report = gradcheck(|p| (accelerations(p) * seed).sum(), pos0, g).within(1e-8, 1e-6);
    assert!(report.passed(), "accelerations: {report}");
}

#[test]
fn spring_gradient() {
    let (k, c, x0, v0, target) = spring_inputs();
    let (value, (dk, dc)) = spring_grad(k, c, x0, v0, target);
    assert_eq!(value, spring(k, c, x0, v0, target));
    let report = check_gradient(|(k, c)| spring(k, c, x0, v0, target), &(k, c), &(dk, dc))
        .within(1e-8, 1e-6);
    assert!(report.passed(), "spring: {report}");
    let (hand_value, (hand_dk, hand_dc)) = spring_hand_grad(k, c, x0, v0, target);
    assert_rel("spring value", &[hand_value], &[value]);
    assert_rel("spring dk, dc", &[hand_dk, hand_dc], &[dk, dc]);
}
