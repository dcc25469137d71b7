//! Checks that the hand-written adjoints `benches/gradients.rs` times the generated
//! gradients against compute the same values (to 1e-12 relative), so the benchmark
//! compares two implementations of one gradient and not two different computations, and
//! that the generated value equals the plain function's.

#[path = "../benches/common/mod.rs"]
mod common;

use autodiff::Tensor;
use common::*;

const REL: f64 = 1e-12;

/// Asserts `|a - b| <= REL · max(|a|, |b|)` element by element.
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

#[test]
fn calc_hand_adjoint_matches_generated() {
    let a = calc_input();
    let (y, da) = calc_grad(a);
    let (hand_y, hand_da) = calc_hand_grad(a);
    assert_eq!(y, calc(a));
    assert_rel("calc value", &[hand_y], &[y]);
    assert_rel("calc da", &elems(hand_da), &elems(da));
}

fn check_mlp<const H: usize>() {
    let (w1, w2, w3, x, t) = mlp_inputs::<H>();
    let (loss, (g1, g2, g3)) = mlp_grad(&w1, &w2, &w3, x, t);
    let (hand_loss, (h1, h2, h3)) = mlp_hand_grad(&w1, &w2, &w3, x, t);
    assert_eq!(loss, mlp(&w1, &w2, &w3, x, t));
    assert_rel("mlp loss", &[hand_loss], &[loss]);
    assert_rel("mlp dw1", &elems(h1), &elems(g1));
    assert_rel("mlp dw2", &elems(h2), &elems(g2));
    assert_rel("mlp dw3", &elems(h3), &elems(g3));
    // Both CELU branches are taken in both hidden layers, so both derivative formulas
    // (1 for z > 0, and eᶻ = y + 1 from the output otherwise) are compared.
    let z1 = w1.as_matrix().tr_mul(x.as_matrix());
    let h1 = z1.map(|z| if z > 0.0 { z } else { z.exp_m1() });
    let z2 = w2.as_matrix().tr_mul(&h1);
    for (layer, z) in [("1", z1.as_slice()), ("2", z2.as_slice())] {
        assert!(
            z.iter().any(|&z| z > 0.0) && z.iter().any(|&z| z < 0.0),
            "width {H}, layer {layer}: pre-activations {z:?} do not take both branches"
        );
    }
}

#[test]
fn mlp_hand_adjoints_match_generated_at_every_benchmarked_width() {
    check_mlp::<10>();
    check_mlp::<32>();
    check_mlp::<64>();
}

#[test]
fn spring_hand_adjoint_matches_generated() {
    let (k, c, x0, v0, target) = spring_inputs();
    let (loss, (dk, dc)) = spring_grad(k, c, x0, v0, target);
    let (hand_loss, (hand_dk, hand_dc)) = spring_hand_grad(k, c, x0, v0, target);
    assert_eq!(loss, spring(k, c, x0, v0, target));
    assert_rel("spring loss", &[hand_loss], &[loss]);
    assert_rel("spring dk, dc", &[hand_dk, hand_dc], &[dk, dc]);
}
