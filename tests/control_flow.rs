//! Gradients through `if`/`else`, `for` and `while`: every case is compared with central
//! finite differences (`gradcheck`, tightened to 1e-6 relative), including zero, one,
//! two and 10,000 iterations, nested loops and branches inside loops.

mod common;

use autodiff::{Tensor, differentiable, gradcheck, tensor};
use common::{assert_close, case, elems};

fn check<X: autodiff::Perturb>(what: &str, f: impl Fn(X) -> f64, x: X, grad: X) {
    let report = gradcheck(f, x, grad).within(1e-7, 1e-6);
    assert!(report.passed(), "{what}: {report}");
}

// Seed 002: y = x * 2; while y.norm() < 1000 { y = y * 2 }; y.backward(v).
#[differentiable]
fn doubling(x: Tensor<f64, 3>) -> Tensor<f64, 3> {
    let mut y = x * 2.0;
    while y.norm() < 1000.0 {
        y = y * 2.0;
    }
    y
}

#[test]
fn seed_while_loop_vjp_matches_pytorch() {
    let c = case("seed_vjp_doubling_loop");
    let x = c.input::<3, 1>("x");
    let v = c.constant::<3, 1>("v");
    let (y, pullback) = doubling_vjp(x);
    // Eight doublings after the first: y = x * 2^9.
    assert_close("y", &elems(y), &elems(x * 512.0), 1e-15);
    let grad = pullback.backward(v);
    assert_close("x.grad", &elems(grad), &c.grad("x"), 1e-12);
}

#[differentiable]
fn branchy(x: Tensor<f64, 3>) -> f64 {
    let y = if x.sum() > 0.0 {
        x * 2.0
    } else if x[0] < -1.0 {
        x.powi(3)
    } else {
        x.exp()
    };
    let mut z = y.sum();
    if z > 10.0 {
        z = z * x[1];
    }
    z
}

#[test]
fn branches_replay_the_path_taken() {
    for x in [
        tensor![1.0, 2.0, 3.0],
        tensor![-2.0, 0.5, -1.0],
        tensor![-0.5, 0.2, -1.0],
        tensor![4.0, 5.0, 6.0],
    ] {
        let (value, grad) = branchy_grad(x);
        assert_eq!(value, branchy(x));
        check("branchy", branchy, x, grad);
    }
}

#[differentiable(wrt(k, x0))]
fn decay(k: f64, x0: Tensor<f64, 2>, steps: usize) -> f64 {
    let mut x = x0;
    let mut total = 0.0;
    for i in 0..steps {
        x = x - x * k * 0.01;
        total += x.sum() * (i as f64 + 1.0);
    }
    total + x.norm()
}

#[test]
fn runtime_bound_loops_of_every_length() {
    for steps in [0, 1, 2, 10, 10_000] {
        let x0 = tensor![1.0, -0.5];
        let (value, (dk, dx0)) = decay_grad(0.7, x0, steps);
        assert_eq!(value, decay(0.7, x0, steps));
        check("decay dk", |k| decay(k, x0, steps), 0.7, dk);
        check("decay dx0", |x| decay(0.7, x, steps), x0, dx0);
    }
    // Zero iterations: the loop is the identity.
    let (_, (dk, dx0)) = decay_grad(0.7, tensor![3.0, 4.0], 0);
    assert_eq!(dk, 0.0);
    assert_close("d norm", &elems(dx0), &[0.6, 0.8], 1e-15);
}

const STEPS: usize = 50;

#[differentiable]
fn constant_bound(x: Tensor<f64, 2>) -> f64 {
    let mut y = x;
    for _ in 0..STEPS {
        y = (y * 1.01).sin() + x * 0.01;
    }
    y.dot(y)
}

#[differentiable]
fn nested(x: Tensor<f64, 2>, a: f64) -> f64 {
    let mut acc = 0.0;
    for i in 0..3 {
        let mut y = x * a;
        for _ in 0..i + 1 {
            y = y.tanh() * 1.5;
        }
        if i == 1 {
            acc += y.sum();
        } else {
            acc -= y.powi(2).sum() * 0.5;
        }
    }
    acc
}

#[test]
fn constant_bounds_nesting_and_branches_in_loops() {
    let x = tensor![0.3, -0.8];
    let (_, grad) = constant_bound_grad(x);
    check("constant_bound", constant_bound, x, grad);

    let (value, (dx, da)) = nested_grad(x, 0.9);
    assert_eq!(value, nested(x, 0.9));
    check("nested dx", |x| nested(x, 0.9), x, dx);
    check("nested da", |a| nested(x, a), 0.9, da);
}

#[differentiable(wrt(x))]
fn while_with_counter(x: f64, limit: f64) -> f64 {
    let mut y = x;
    let mut n = 0;
    while y < limit {
        y = y * 1.5 + 0.1;
        n += 1;
    }
    y / (n as f64 + 1.0)
}

#[test]
fn while_loops_with_inert_counters() {
    for limit in [0.0, 1.0, 50.0] {
        let (value, dx) = while_with_counter_grad(0.5, limit);
        assert_eq!(value, while_with_counter(0.5, limit));
        check(
            "while_with_counter",
            |x| while_with_counter(x, limit),
            0.5,
            dx,
        );
    }
}

#[differentiable]
fn loop_carries_a_matrix(w: Tensor<f64, 2, 2>, v: Tensor<f64, 2>) -> f64 {
    let mut h = v;
    for _ in 0..4 {
        h = w.matmul(h).tanh();
    }
    h.sum()
}

#[test]
fn a_recurrent_loop_differentiates_both_inputs() {
    let w = tensor![[0.5, -0.3], [0.8, 0.1]];
    let v = tensor![1.0, 2.0];
    let (_, (dw, dv)) = loop_carries_a_matrix_grad(w, v);
    check("rnn dw", |w| loop_carries_a_matrix(w, v), w, dw);
    check("rnn dv", |v| loop_carries_a_matrix(w, v), v, dv);
}
