//! A user crate that depends on the facade as `ad` (see `Cargo.toml`).
#![forbid(unsafe_code)]
#![deny(warnings)]

use ad::Tensor;

/// `sum(exp(2 x)) + ln(1 + e^{x_0})`: straight-line ops, a method call, a
/// custom primitive and a float literal, each of which names the runtime.
#[ad::differentiable]
pub fn loss(x: Tensor<f64, 3>) -> f64 {
    let y = (x * 2.0).exp();
    y.sum() + softplus(x[0])
}

/// ln(1 + e^x).
#[ad::custom_vjp(softplus_vjp)]
pub fn softplus(x: f64) -> f64 {
    x.exp().ln_1p()
}

/// d softplus / dx = sigmoid(x).
pub fn softplus_vjp(x: f64, _out: f64, ct: f64) -> f64 {
    ct / (1.0 + (-x).exp())
}

/// A generic body: its float literals become `<T as ad::Real>::from_f64(..)`.
#[ad::differentiable]
pub fn scaled_square<T: ad::Real>(x: Tensor<T, 2>) -> T {
    (x * x * 0.5).sum()
}

/// A loop keeps a tape, which the runtime provides.
#[ad::differentiable]
pub fn cube_by_loop(x: f64) -> f64 {
    let mut y = 1.0;
    for _ in 0..3 {
        y = y * x;
    }
    y
}

/// A crate that re-exports the facade under a path of its own, as a library built on
/// autodiff would.
pub mod reexport {
    pub use ad as runtime;
}

/// `crate = path`: the runtime reached through the re-export.
#[ad::differentiable(crate = crate::reexport::runtime)]
pub fn through_path(x: f64) -> f64 {
    x * x * x
}

/// `crate = "path"`, serde's spelling, together with `wrt`.
#[ad::differentiable(wrt(x), crate = "::ad")]
pub fn through_string(x: f64, scale: f64) -> f64 {
    (x * scale).sin()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(got: f64, want: f64) -> bool {
        (got - want).abs() <= 1e-12 * want.abs().max(1.0)
    }

    #[test]
    fn gradients_through_the_renamed_facade() {
        let x = ad::tensor![0.5, -1.0, 2.0];
        let (value, grad) = loss_grad(x);
        assert_eq!(value, loss(x));
        let sigmoid = 1.0 / (1.0 + (-x[0]).exp());
        for i in 0..3 {
            let want = 2.0 * (2.0 * x[i]).exp() + if i == 0 { sigmoid } else { 0.0 };
            assert!(
                close(grad[i], want),
                "d loss / dx[{i}]: {} vs {want}",
                grad[i]
            );
        }
        let (_, pullback) = loss_vjp(x);
        assert_eq!(pullback.backward(1.0), grad);
        assert!(loss_graph().to_string().contains("Exp"));
    }

    #[test]
    fn generic_loop_and_explicit_paths() {
        let (_, grad) = scaled_square_grad(Tensor::<f32, 2>::from_row_slice(&[3.0, -4.0]));
        assert_eq!(grad, ad::tensor![3.0_f32, -4.0]);
        let (cube, d_cube) = cube_by_loop_grad(1.5);
        assert!(close(cube, 3.375) && close(d_cube, 3.0 * 1.5 * 1.5));
        assert!(close(through_path_grad(2.0).1, 12.0));
        let (value, d_x) = through_string_grad(0.3, 2.0);
        assert!(close(value, 0.6_f64.sin()) && close(d_x, 2.0 * 0.6_f64.cos()));
    }

    // Version 2's constructs under the renamed facade: a struct model with a method,
    // element assignment in a constant-bound loop, a Vec, a checkpointed loop, forward
    // mode.
    #[derive(Clone, ad::Differentiable)]
    struct Model {
        w: Tensor<f64, 2>,
        #[no_grad]
        steps: usize,
    }

    impl Model {
        #[ad::differentiable]
        fn energy(&self, x: Tensor<f64, 2>) -> f64 {
            let mut y = x;
            for i in 0..2 {
                y[i] = y[i] * self.w[i];
            }
            let mut parts = Vec::new();
            parts.push(y.sum());
            let mut z = parts[0];
            #[checkpoint(snapshots = 2)]
            for _ in 0..self.steps {
                z = z.sin() + 0.5;
            }
            z
        }
    }

    #[test]
    fn structured_values_and_forward_mode() {
        let m = Model {
            w: ad::tensor![0.5, 2.0],
            steps: 4,
        };
        let x = ad::tensor![1.0, -0.25];
        let (value, (gm, gx)) = m.energy_grad(x);
        assert!(close(value, m.energy(x)));
        assert_eq!(gm.steps, 4);
        let h = 1e-6;
        let fd =
            (m.energy(x + ad::tensor![h, 0.0]) - m.energy(x - ad::tensor![h, 0.0])) / (2.0 * h);
        assert!((gx[0] - fd).abs() < 1e-6, "{} vs {fd}", gx[0]);
        let (_, dvalue) = m.energy_jvp(
            x,
            Model {
                w: Tensor::zeros(),
                steps: 4,
            },
            ad::tensor![1.0, 0.0],
        );
        assert!((dvalue - fd).abs() < 1e-6);
    }
}
