//! `#[checkpoint]` on `for` and `while` loops: binomial checkpointing gives the same
//! gradient as the taped loop (to rounding: the same operations, replayed), for 0, 1, 2
//! and many iterations, with few and with many snapshots, and both match central finite
//! differences.

use autodiff::{Tensor, differentiable, gradcheck, tensor};

macro_rules! spring_pair {
    ($plain:ident, $checkpointed:ident, $($attr:tt)*) => {
        #[differentiable(wrt(k, x0))]
        fn $plain(k: f64, x0: Tensor<f64, 2>, steps: usize) -> f64 {
            let mut x = x0;
            let mut v = Tensor::<f64, 2>::zeros();
            for i in 0..steps {
                let a = (x * -k).tanh() - v * 0.1 + (i as f64 * 0.01);
                v = v + a * 0.05;
                x = x + v * 0.05;
            }
            x.dot(x) + v.sum()
        }

        #[differentiable(wrt(k, x0))]
        fn $checkpointed(k: f64, x0: Tensor<f64, 2>, steps: usize) -> f64 {
            let mut x = x0;
            let mut v = Tensor::<f64, 2>::zeros();
            $($attr)*
            for i in 0..steps {
                let a = (x * -k).tanh() - v * 0.1 + (i as f64 * 0.01);
                v = v + a * 0.05;
                x = x + v * 0.05;
            }
            x.dot(x) + v.sum()
        }
    };
}

spring_pair!(spring_taped, spring_default, #[checkpoint]);
spring_pair!(spring_taped2, spring_two, #[checkpoint(snapshots = 2)]);

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * (1.0 + a.abs().max(b.abs()))
}

#[test]
fn checkpointed_for_loops_match_the_taped_loop() {
    let (k, x0) = (1.3, tensor![0.4, -0.7]);
    for steps in [0, 1, 2, 3, 17, 200] {
        let (y, (gk, gx)) = spring_taped_grad(k, x0, steps);
        for (name, f) in [
            (
                "default",
                spring_default_grad as fn(f64, Tensor<f64, 2>, usize) -> _,
            ),
            ("2 snapshots", spring_two_grad),
        ] {
            let (yc, (gkc, gxc)) = f(k, x0, steps);
            assert_eq!(y, yc, "{name}, {steps} steps: value");
            assert!(close(gk, gkc), "{name}, {steps} steps: {gk} vs {gkc}");
            assert!(
                close(gx[0], gxc[0]) && close(gx[1], gxc[1]),
                "{name}, {steps}: {gx} vs {gxc}"
            );
        }
        let report = gradcheck(|k| spring_two(k, x0, steps), k, gk).within(1e-7, 1e-6);
        assert!(report.passed(), "{steps} steps: {report}");
        let _ = spring_taped2_grad(k, x0, steps);
    }
}

#[differentiable(wrt(x))]
fn halvings_taped(x: f64, limit: f64) -> f64 {
    let mut y = x;
    let mut n = 0;
    while y.abs() > limit {
        y = (y * 0.5).sin() + 0.01 * y;
        n += 1;
    }
    y * n as f64
}

#[differentiable(wrt(x))]
fn halvings_checkpointed(x: f64, limit: f64) -> f64 {
    let mut y = x;
    let mut n = 0;
    #[checkpoint(snapshots = 3)]
    while y.abs() > limit {
        y = (y * 0.5).sin() + 0.01 * y;
        n += 1;
    }
    y * n as f64
}

#[test]
fn a_checkpointed_while_loop_matches_the_taped_loop() {
    for (x, limit) in [(0.5, 1.0), (3.0, 1.0), (9.0, 0.5), (40.0, 0.05)] {
        let (y, g) = halvings_taped_grad(x, limit);
        let (yc, gc) = halvings_checkpointed_grad(x, limit);
        assert_eq!(y, yc);
        assert!(close(g, gc), "x = {x}: {g} vs {gc}");
        let (_, pullback) = halvings_checkpointed_vjp(x, limit);
        assert!(close(pullback.backward(2.0), 2.0 * g));
    }
}

/// The heat stencil written the natural way: element stores into a copy bound in the
/// iteration, taped and checkpointed.
#[differentiable(wrt(u0))]
fn stencil_taped(u0: Tensor<f64, 8>, a: f64, steps: usize) -> f64 {
    let mut u = u0;
    for _ in 0..steps {
        let mut u_new = u;
        for i in 1..7 {
            u_new[i] = u[i] + a * (u[i - 1] - 2.0 * u[i] + u[i + 1]);
        }
        u_new[0] += 0.1 * u[1] * u[1];
        u = u_new;
    }
    (u * u).sum()
}

#[differentiable(wrt(u0))]
fn stencil_checkpointed(u0: Tensor<f64, 8>, a: f64, steps: usize) -> f64 {
    let mut u = u0;
    #[checkpoint(snapshots = 3)]
    for _ in 0..steps {
        let mut u_new = u;
        for i in 1..7 {
            u_new[i] = u[i] + a * (u[i - 1] - 2.0 * u[i] + u[i + 1]);
        }
        u_new[0] += 0.1 * u[1] * u[1];
        u = u_new;
    }
    (u * u).sum()
}

#[test]
fn a_checkpointed_loop_with_element_stores_matches_the_taped_loop_bit_for_bit() {
    let u0 = Tensor::<f64, 8>::from_fn(|i, _| 1.0 + 0.3 * (i as f64 * 1.3).sin());
    for steps in [0, 1, 2, 7, 40] {
        let (value, grad) = stencil_taped_grad(u0, 0.25, steps);
        let (value_ck, grad_ck) = stencil_checkpointed_grad(u0, 0.25, steps);
        assert_eq!(value.to_bits(), value_ck.to_bits(), "{steps} steps");
        for i in 0..8 {
            assert_eq!(
                grad[i].to_bits(),
                grad_ck[i].to_bits(),
                "{steps} steps, u0[{i}]"
            );
        }
        // And both are the gradient: central differences in each coordinate.
        let h = 1e-6;
        for i in 0..8 {
            let (mut up, mut down) = (u0, u0);
            up[i] += h;
            down[i] -= h;
            let fd =
                (stencil_taped(up, 0.25, steps) - stencil_taped(down, 0.25, steps)) / (2.0 * h);
            let tolerance = 1e-6 * (1.0 + fd.abs());
            assert!(
                (grad[i] - fd).abs() < tolerance,
                "{steps} steps, u0[{i}]: {} vs {fd}",
                grad[i]
            );
        }
    }
}
