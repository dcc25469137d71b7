//! Loop shapes that once failed inside generated code, checked against finite differences.

use autodiff::{differentiable, gradcheck};

/// A carried variable overwritten but not read inside the loop, read after it.
#[differentiable]
fn previous_value(x: f64) -> f64 {
    let mut prev = 0.0;
    let mut y = x;
    for _ in 0..3 {
        prev = y;
        y = y * 1.1 + prev.sin();
    }
    prev + y
}

#[differentiable]
fn previous_value_while(x: f64) -> f64 {
    let mut prev = 0.0;
    let mut y = x;
    let mut k = 0;
    while k < 3 {
        prev = y;
        y = y * 1.1;
        k += 1;
    }
    prev * y
}

#[test]
fn a_value_overwritten_in_the_loop_and_read_after_it() {
    for x in [0.3, -1.2] {
        let report = gradcheck(previous_value, x, previous_value_grad(x).1).within(1e-7, 1e-6);
        assert!(report.passed(), "{report}");
        let report =
            gradcheck(previous_value_while, x, previous_value_while_grad(x).1).within(1e-7, 1e-6);
        assert!(report.passed(), "{report}");
    }
}

/// Carried values that swap: each iteration's end value is the other's start value.
#[differentiable]
fn swapping(a0: f64, b0: f64) -> f64 {
    let mut a = a0;
    let mut b = b0;
    for i in 0..5 {
        let t = a;
        a = b * (1.0 + i as f64 * 0.1);
        b = t;
    }
    a * 3.0 + b
}

#[test]
fn carried_values_that_swap() {
    let (a, b) = (0.7, -0.3);
    let (_, (ga, gb)) = swapping_grad(a, b);
    let report = gradcheck(|a| swapping(a, b), a, ga).within(1e-7, 1e-6);
    assert!(report.passed(), "{report}");
    let report = gradcheck(|b| swapping(a, b), b, gb).within(1e-7, 1e-6);
    assert!(report.passed(), "{report}");
}

/// Data with a lifetime, read in a loop.
pub struct View<'a> {
    pub weights: &'a [f64],
}

#[differentiable(wrt(x))]
fn weighted<'a>(x: f64, view: View<'a>) -> f64 {
    let mut total = 0.0;
    for i in 0..view.weights.len() {
        total = total + x * view.weights[i];
    }
    total
}

#[differentiable(wrt(x))]
fn weighted_elided(x: f64, view: View<'_>, scale: impl Copy + Into<f64>) -> f64 {
    let mut total = 0.0;
    for i in 0..view.weights.len() {
        total = total + x.sin() * view.weights[i];
    }
    total * scale.into()
}

#[test]
fn data_with_lifetimes_and_impl_trait() {
    let w = [1.0, 2.0, 3.0];
    assert_eq!(weighted_grad(0.5, View { weights: &w }).1, 6.0);
    let (_, pullback) = weighted_vjp(0.5, View { weights: &w });
    assert_eq!(pullback.backward(1.0), 6.0);
    let g = weighted_elided_grad(0.5, View { weights: &w }, 2.0_f32).1;
    assert!((g - 12.0 * 0.5_f64.cos()).abs() < 1e-12);
}

/// A `while` condition with a side effect: its last, false evaluation still counts.
#[differentiable]
fn counted_while(x: f64) -> f64 {
    let mut n = 0;
    let mut y = x;
    while {
        n += 1;
        n < 4
    } {
        y = y * x;
    }
    y * n as f64
}

fn counted_while_by_hand(x: f64) -> f64 {
    let mut n = 0;
    let mut y = x;
    while {
        n += 1;
        n < 4
    } {
        y *= x;
    }
    y * n as f64
}

#[test]
fn a_while_condition_with_a_side_effect() {
    for x in [0.7, 1.3] {
        assert_eq!(counted_while(x), counted_while_by_hand(x));
        let (value, grad) = counted_while_grad(x);
        assert_eq!(value, counted_while_by_hand(x));
        assert!((grad - 16.0 * x.powi(3)).abs() < 1e-12, "{grad}");
    }
}
