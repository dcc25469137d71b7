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
