//! Assigning into part of a differentiated tensor (`y[i] = e`, `y[(r, c)] += e`, ...),
//! element reads in loops, and building tensors from smaller ones: every gradient is
//! compared with central finite differences (`gradcheck`, 1e-6 relative), in straight-line
//! code, loops and branches.

use autodiff::{Tensor, differentiable, gradcheck, tensor};

fn check<X: autodiff::Perturb>(what: &str, f: impl Fn(X) -> f64, x: X, grad: X) {
    let report = gradcheck(f, x, grad).within(1e-7, 1e-6);
    assert!(report.passed(), "{what}: {report}");
}

fn irregular<const N: usize>() -> Tensor<f64, N> {
    Tensor::from_fn(|i, _| 0.3 + 0.7 * (i as f64 * 1.3).sin() - 0.01 * i as f64)
}

#[differentiable]
fn sum_of_squares<const N: usize>(x: Tensor<f64, N>) -> f64 {
    let mut s = 0.0;
    for i in 0..N {
        s = s + x[i] * x[i];
    }
    s
}

#[differentiable]
fn sin_recurrence<const N: usize>(x: Tensor<f64, N>) -> f64 {
    let mut s = 0.0;
    for i in 0..N {
        s = s.sin() + x[i];
    }
    s
}

#[test]
fn element_reads_in_loops() {
    let x = irregular::<50>();
    let (y, g) = sum_of_squares_grad(x);
    assert!((y - (x * x).sum()).abs() < 1e-12);
    assert_eq!(g, x * 2.0);
    check("sum of squares", sum_of_squares::<50>, x, g);
    check(
        "sin recurrence",
        sin_recurrence::<50>,
        x,
        sin_recurrence_grad(x).1,
    );
}

/// One explicit step of the 1-D heat equation, fixed ends, then a weighted sum.
#[differentiable]
fn heat_step<const N: usize>(u: Tensor<f64, N>, w: Tensor<f64, N>) -> f64 {
    let r = 0.25;
    let mut u_new = u;
    for i in 1..N - 1 {
        u_new[i] = u[i] + r * (u[i - 1] - 2.0 * u[i] + u[i + 1]);
    }
    (u_new * u_new * w).sum()
}

/// Several steps, each assigning into a fresh copy of the state.
#[differentiable(wrt(u0))]
fn heat_steps<const N: usize>(u0: Tensor<f64, N>, steps: usize) -> f64 {
    let mut u = u0;
    for _ in 0..steps {
        let mut u_new = u;
        for i in 1..N - 1 {
            u_new[i] = u[i] + 0.2 * (u[i - 1] - 2.0 * u[i] + u[i + 1]);
        }
        u = u_new;
    }
    u.dot(u)
}

#[test]
fn a_stencil_assigning_elements() {
    let u = irregular::<12>();
    let w = Tensor::from_fn(|i, _| 1.0 + i as f64 * 0.1);
    let (_, (gu, gw)) = heat_step_grad(u, w);
    check("heat step, u", |u| heat_step(u, w), u, gu);
    check("heat step, w", |w| heat_step(u, w), w, gw);
    for steps in [0, 1, 2, 7] {
        let g = heat_steps_grad(u, steps).1;
        check(
            &format!("heat, {steps} steps"),
            |u| heat_steps(u, steps),
            u,
            g,
        );
    }
}

/// An in-place prefix sum: each iteration reads what the previous one wrote.
#[differentiable]
fn prefix_sum<const N: usize>(x: Tensor<f64, N>) -> f64 {
    let mut y = x;
    for i in 1..N {
        y[i] = y[i] + y[i - 1] * 0.9;
    }
    y[0] = y[0] * y[N - 1];
    (y * y).sum()
}

#[test]
fn an_in_place_prefix_sum() {
    let x = irregular::<9>();
    check("prefix sum", prefix_sum::<9>, x, prefix_sum_grad(x).1);
}

#[differentiable]
fn swap(x: Tensor<f64, 3>) -> f64 {
    let mut y = x;
    let t = y[0];
    y[0] = y[2];
    y[2] = t;
    y[0] * 1.0 + y[1] * 10.0 + y[2] * 100.0
}

#[test]
fn a_swap() {
    let x = tensor![0.5, -1.5, 2.0];
    let (y, g) = swap_grad(x);
    assert_eq!(y, 2.0 - 15.0 + 50.0);
    assert_eq!(g, tensor![100.0, 10.0, 1.0]);
}

#[differentiable]
fn compound_updates(x: Tensor<f64, 4>, s: f64) -> f64 {
    let mut y = x;
    y[0] += s * 2.0;
    y[1] -= x[3] * s;
    y[2] *= s;
    y[3] /= s + 2.0;
    if s > 0.0 {
        y[1] = y[1].exp();
    } else {
        y[2] += 1.0;
    }
    (y * y).sum()
}

#[test]
fn compound_assignments_and_branches() {
    let x = tensor![0.5, -1.5, 2.0, 0.25];
    for s in [0.7, -0.3] {
        let (_, (gx, gs)) = compound_updates_grad(x, s);
        check("compound, x", |x| compound_updates(x, s), x, gx);
        check("compound, s", |s| compound_updates(x, s), s, gs);
    }
}

/// Fills a matrix element by element inside nested loops and a branch (an N-body-style
/// force table), from a zero matrix that starts out as plain data.
#[differentiable]
fn pair_table(p: Tensor<f64, 4>) -> f64 {
    let mut f = Tensor::<f64, 4, 4>::zeros();
    for i in 0..4 {
        for j in 0..4 {
            if i != j {
                let d = p[i] - p[j];
                f[(i, j)] = d / (d * d + 0.5);
            } else {
                f[(i, j)] += 1.0;
            }
        }
    }
    let mut total = 0.0;
    for i in 0..4 {
        total = total + f[(i, 0)] * f[(i, 3)] + f[(0, i)];
    }
    total
}

#[test]
fn a_matrix_filled_in_nested_loops() {
    let p = tensor![0.1, 0.9, -0.4, 0.3];
    check("pair table", pair_table, p, pair_table_grad(p).1);
}

/// `mut` on a parameter, assigned in a `while` loop whose trip count depends on data.
#[differentiable(wrt(y))]
fn scaled_until(mut y: Tensor<f64, 3>, limit: usize) -> f64 {
    let mut k = 0;
    while k < limit {
        y[k % 3] = y[k % 3] * 1.5 + y[(k + 1) % 3];
        k += 1;
    }
    y.sum()
}

#[test]
fn a_mut_parameter_in_a_while_loop() {
    let x = tensor![0.2, -0.4, 0.9];
    for limit in [0, 1, 2, 5] {
        let g = scaled_until_grad(x, limit).1;
        check(&format!("while, {limit}"), |x| scaled_until(x, limit), x, g);
    }
}

#[differentiable]
fn stacked(a: Tensor<f64, 2>, b: Tensor<f64, 3>) -> f64 {
    let v: Tensor<f64, 5> = a.concat(b);
    let rows: Tensor<f64, 2, 5> = v.t().vstack((v * v).t());
    let m: Tensor<f64, 2, 2> = a.hstack(a * 3.0);
    rows.sum() * m[(1, 1)] + v[4] * v.fixed_rows::<2>(1).sum()
}

#[test]
fn tensors_built_from_smaller_ones() {
    let a = tensor![0.3, -0.8];
    let b = tensor![1.1, 0.4, -0.2];
    let (_, (ga, gb)) = stacked_grad(a, b);
    check("stack, a", |a| stacked(a, b), a, ga);
    check("stack, b", |b| stacked(a, b), b, gb);
}

#[test]
fn the_pullback_replays_from_its_own_copies() {
    let x = irregular::<9>();
    let (y, pullback) = prefix_sum_vjp(x);
    assert_eq!(y, prefix_sum(x));
    let again = pullback.clone();
    assert_eq!(pullback.backward(1.0), prefix_sum_grad(x).1);
    assert_eq!(again.backward(2.0), prefix_sum_grad(x).1 * 2.0);
}

// Found by the random-program generator: a tensor assigned by element and as a whole.

#[differentiable]
fn element_then_whole(x: Tensor<f64, 3>) -> f64 {
    let mut y = x;
    y[0] *= 2.0;
    y = y * 3.0;
    y.sum()
}

#[differentiable]
fn element_then_whole_in_a_loop(x: Tensor<f64, 3>) -> f64 {
    let mut y = x;
    for _ in 0..2 {
        y[0] = x[1];
        y = y * 1.05;
    }
    y.sum()
}

#[differentiable]
fn whole_then_element(x: Tensor<f64, 3>) -> f64 {
    let mut y = x;
    y = y - x * 0.5;
    y[0] = x[1];
    y.sum()
}

#[test]
fn element_and_whole_assignments_mixed() {
    let x = tensor![0.3, -0.7, 1.1];
    assert_eq!(element_then_whole_grad(x).1, tensor![6.0, 3.0, 3.0]);
    check(
        "element then whole, loop",
        element_then_whole_in_a_loop,
        x,
        element_then_whole_in_a_loop_grad(x).1,
    );
    check(
        "whole then element",
        whole_then_element,
        x,
        whole_then_element_grad(x).1,
    );
}
