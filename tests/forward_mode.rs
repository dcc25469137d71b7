//! Forward mode and second order: `f_jvp` is compared with central finite differences of
//! `f` along fixed irregular directions, and `f_hvp` with central finite differences of
//! `f_grad`, to 1e-6 relative (to the largest coordinate), on the seed's `calc`, the MLP,
//! the spring, loops with data-dependent trip counts, branches, calls, element assignment
//! and custom primitives.

#[path = "../benches/common/mod.rs"]
#[allow(dead_code)]
mod bench_common;

use autodiff::{Perturb, Tensor, custom_vjp, differentiable, tensor};
use bench_common::{
    calc, calc_grad, calc_hvp, calc_jvp, mlp, mlp_grad, mlp_hvp, mlp_inputs, mlp_jvp, spring,
    spring_grad, spring_hvp, spring_jvp,
};

/// `x + h v`, element by element.
fn shift<X: Perturb>(x: X, v: X, h: f64) -> X {
    (0..x.num_elems()).fold(x, |y, i| y.with_elem(i, x.elem(i) + h * v.elem(i)))
}

/// A fixed direction with irregular, distinct, nonzero elements; `salt` tells apart the
/// directions of different parameters.
fn direction<X: Perturb>(like: X, salt: f64) -> X {
    (0..like.num_elems()).fold(like, |y, i| {
        y.with_elem(i, 0.4 + (1.7 * i as f64 + salt).cos())
    })
}

fn elems<Y: Perturb>(y: Y) -> Vec<f64> {
    (0..y.num_elems()).map(|i| y.elem(i)).collect()
}

/// The central difference `(g(h) - g(-h)) / 2h` of a curve through the inputs.
fn central<Y: Perturb>(g: impl Fn(f64) -> Y) -> Vec<f64> {
    let h = 1e-5;
    let (plus, minus) = (elems(g(h)), elems(g(-h)));
    plus.iter()
        .zip(&minus)
        .map(|(p, m)| (p - m) / (2.0 * h))
        .collect()
}

#[track_caller]
fn assert_close(what: &str, got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    let scale = want.iter().fold(1e-12_f64, |s, w| s.max(w.abs()));
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= 1e-6 * scale,
            "{what}[{i}]: generated {g} vs finite difference {w} (scale {scale})"
        );
    }
}

// ---------------------------------------------------------------------------------------
// f_jvp
// ---------------------------------------------------------------------------------------

#[test]
fn calc_jvp_matches_finite_differences() {
    let a = tensor![1.0, 2.0, 3.0];
    let da = direction(a, 0.3);
    let (y, dy) = calc_jvp(a, da);
    assert_eq!(y, calc(a));
    assert_close("calc", &[dy], &central(|h| calc(shift(a, da, h))));
    // Along a basis direction the JVP is one coordinate of the gradient.
    let (_, grad) = calc_grad(a);
    let (_, d1) = calc_jvp(a, tensor![0.0, 1.0, 0.0]);
    assert!((d1 - grad[1]).abs() < 1e-15);
}

#[test]
fn mlp_jvp_matches_finite_differences() {
    let (w1, w2, w3, x, t) = mlp_inputs::<10>();
    let (d1, d2, d3) = (direction(w1, 0.1), direction(w2, 0.9), direction(w3, 2.3));
    let (y, dy) = mlp_jvp(&w1, &w2, &w3, x, t, d1, d2, d3);
    assert_eq!(y, mlp(&w1, &w2, &w3, x, t));
    let want = central(|h| {
        mlp(
            &shift(w1, d1, h),
            &shift(w2, d2, h),
            &shift(w3, d3, h),
            x,
            t,
        )
    });
    assert_close("mlp", &[dy], &want);
}

#[test]
fn spring_jvp_matches_finite_differences() {
    let (k, c, x0, v0, target) = bench_common::spring_inputs();
    let (y, dy) = spring_jvp(k, c, x0, v0, target, 0.7, -1.3);
    assert_eq!(y, spring(k, c, x0, v0, target));
    let want = central(|h| spring(k + 0.7 * h, c - 1.3 * h, x0, v0, target));
    assert_close("spring", &[dy], &want);
}

/// A `for` loop whose trip count is data, then a `while` loop whose trip count depends on
/// the values it computes.
#[differentiable(wrt(x))]
fn data_loops(x: Tensor<f64, 3>, steps: usize) -> Tensor<f64, 3> {
    let mut y = x;
    for _ in 0..steps {
        y = (y * 0.9 + x.sin() * 0.3).tanh();
    }
    let mut s = y.norm() + 1.0;
    while s < 40.0 {
        s = s * 1.7 + y.sum();
        y = y * 1.1;
    }
    y * s
}

#[test]
fn loops_with_data_dependent_trip_counts() {
    let x = tensor![0.3, -0.8, 1.1];
    let dx = direction(x, 0.5);
    for steps in [0, 1, 7] {
        let (y, dy) = data_loops_jvp(x, steps, dx);
        assert_eq!(y, data_loops(x, steps));
        let want = central(|h| data_loops(shift(x, dx, h), steps));
        assert_close(&format!("data_loops({steps})"), &elems(dy), &want);
    }
}

#[differentiable]
fn branchy(x: Tensor<f64, 3>, w: f64) -> f64 {
    let y = if x.sum() > 0.0 {
        (x * w).exp().sum()
    } else {
        x.dot(x) * w.sin()
    };
    let mut z = y;
    if z > 2.0 {
        z = z.ln() + w;
    }
    z
}

#[test]
fn branches_merge_tangents() {
    for x in [tensor![0.3, -0.2, 0.4], tensor![-0.3, -0.2, 0.4]] {
        let (dx, dw) = (direction(x, 1.1), 0.6);
        let (y, dy) = branchy_jvp(x, 0.8, dx, dw);
        assert_eq!(y, branchy(x, 0.8));
        let want = central(|h| branchy(shift(x, dx, h), 0.8 + dw * h));
        assert_close("branchy", &[dy], &want);
    }
}

mod physics {
    use autodiff::{Tensor, differentiable};

    /// Only `dt` is differentiated here, but callers differentiate through everything.
    #[differentiable(wrt(dt))]
    pub fn step(x: Tensor<f64, 2>, v: &Tensor<f64, 2>, dt: f64, n: usize) -> Tensor<f64, 2> {
        let mut y = x;
        for _ in 0..n {
            y = y + (*v * dt).sin();
        }
        y
    }
}

#[differentiable]
fn energy(x: f64) -> f64 {
    x * x * 0.5
}

#[differentiable(wrt(x, v))]
fn caller(x: Tensor<f64, 2>, v: Tensor<f64, 2>, dt: f64) -> f64 {
    let y = physics::step(x, &v, dt, 3);
    let z = physics::step(y, &x, 0.1, 2);
    energy(z[0]) + energy(z[1] * v[0])
}

#[test]
fn calls_chain_into_the_callees_jvp() {
    let (x, v) = (tensor![0.4, -0.7], tensor![1.2, 0.3]);
    let (dx, dv) = (direction(x, 0.2), direction(v, 1.9));
    let (y, dy) = caller_jvp(x, v, 0.05, dx, dv);
    assert_eq!(y, caller(x, v, 0.05));
    let want = central(|h| caller(shift(x, dx, h), shift(v, dv, h), 0.05));
    assert_close("caller", &[dy], &want);
    // The callee's own `_jvp` differentiates its own `wrt` only.
    let (_, d) = physics::step_jvp(x, &v, 0.05, 3, 1.0);
    let want = central(|h| physics::step(x, &v, 0.05 + h, 3));
    assert_close("step", &elems(d), &want);
}

/// A prefix recurrence written element by element into a place, and a tensor built from
/// scalars.
#[differentiable]
fn recurrence<const N: usize>(x: Tensor<f64, N>) -> Tensor<f64, 3> {
    let mut y = Tensor::<f64, N>::zeros();
    y[0] = x[0];
    for i in 1..N {
        y[i] = y[i - 1] * x[i] + x[i].sin();
    }
    y[(N - 1, 0)] += 2.0 * x[0];
    let head = y.fixed_rows::<2>(0);
    tensor![head.sum(), y[N - 1] * y[1], y.mean()]
}

#[test]
fn element_assignment_stores_tangents() {
    let x = Tensor::<f64, 6>::from_fn(|i, _| 0.5 + 0.3 * (i as f64 * 1.3).sin());
    let dx = direction(x, 0.7);
    let (y, dy) = recurrence_jvp(x, dx);
    assert_eq!(y, recurrence(x));
    let want = central(|h| recurrence(shift(x, dx, h)));
    assert_close("recurrence", &elems(dy), &want);
}

/// A numerically stable softplus with both rules.
#[custom_vjp(softplus_vjp, jvp = softplus_jvp)]
fn softplus(x: f64) -> f64 {
    if x > 30.0 { x } else { x.exp().ln_1p() }
}

fn softplus_vjp(x: f64, _out: f64, ct: f64) -> f64 {
    ct / (1.0 + (-x).exp())
}

fn softplus_jvp(x: f64, _out: f64, dx: f64) -> f64 {
    dx / (1.0 + (-x).exp())
}

#[differentiable]
fn smooth_loss(w: Tensor<f64, 3>, b: f64) -> f64 {
    softplus(w.sum() + b) * 2.0 + softplus(b * 3.0)
}

#[test]
fn a_custom_primitive_uses_its_forward_rule() {
    let (w, b) = (tensor![0.5, -1.0, 2.0], 0.25);
    let (dw, db) = (direction(w, 0.4), -0.9);
    let (y, dy) = smooth_loss_jvp(w, b, dw, db);
    assert_eq!(y, smooth_loss(w, b));
    let want = central(|h| smooth_loss(shift(w, dw, h), b + db * h));
    assert_close("smooth_loss", &[dy], &want);
}

#[test]
fn a_zero_tangent_gives_a_zero_derivative() {
    let (_, dy) = calc_jvp(tensor![1.0, 2.0, 3.0], Tensor::zeros());
    assert_eq!(dy, 0.0);
}

// ---------------------------------------------------------------------------------------
// f_hvp
// ---------------------------------------------------------------------------------------

#[test]
fn calc_hvp_matches_finite_differences_of_the_gradient() {
    let a = tensor![1.0, 2.0, 3.0];
    let v = direction(a, 0.3);
    let (y, g, hv) = calc_hvp(a, v);
    assert_eq!((y, g), calc_grad(a));
    assert_close(
        "calc",
        &elems(hv),
        &central(|h| calc_grad(shift(a, v, h)).1),
    );
}

#[test]
fn mlp_hvp_matches_finite_differences_of_the_gradient() {
    let (w1, w2, w3, x, t) = mlp_inputs::<10>();
    let (v1, v2, v3) = (direction(w1, 0.1), direction(w2, 0.9), direction(w3, 2.3));
    let (y, g, (h1, h2, h3)) = mlp_hvp(&w1, &w2, &w3, x, t, v1, v2, v3);
    assert_eq!((y, g), mlp_grad(&w1, &w2, &w3, x, t));
    let at = |h: f64| {
        let (w1, w2, w3) = (shift(w1, v1, h), shift(w2, v2, h), shift(w3, v3, h));
        mlp_grad(&w1, &w2, &w3, x, t).1
    };
    assert_close("mlp w1", &elems(h1), &central(|h| at(h).0));
    assert_close("mlp w2", &elems(h2), &central(|h| at(h).1));
    assert_close("mlp w3", &elems(h3), &central(|h| at(h).2));
}

#[test]
fn spring_hvp_matches_finite_differences_of_the_gradient() {
    let (k, c, x0, v0, target) = bench_common::spring_inputs();
    let (y, g, (hk, hc)) = spring_hvp(k, c, x0, v0, target, 0.7, -1.3);
    assert_eq!((y, g), spring_grad(k, c, x0, v0, target));
    let at = |h: f64| spring_grad(k + 0.7 * h, c - 1.3 * h, x0, v0, target).1;
    assert_close("spring k", &[hk], &central(|h| at(h).0));
    assert_close("spring c", &[hc], &central(|h| at(h).1));
}

/// The loops of `data_loops`, ending in a scalar.
#[differentiable(wrt(x))]
fn loop_loss(x: Tensor<f64, 3>, steps: usize) -> f64 {
    let mut y = x;
    for _ in 0..steps {
        y = (y * 0.9 + x.sin() * 0.3).tanh();
    }
    let mut s = y.norm() + 1.0;
    while s < 40.0 {
        s = s * 1.7 + y.sum();
        y = y * 1.1;
    }
    (y * s).dot(y.exp())
}

#[test]
fn hvp_through_loops_with_data_dependent_trip_counts() {
    let x = tensor![0.3, -0.8, 1.1];
    let v = direction(x, 0.5);
    for steps in [0, 1, 7] {
        let (y, g, hv) = loop_loss_hvp(x, steps, v);
        assert_eq!((y, g), loop_loss_grad(x, steps));
        let want = central(|h| loop_loss_grad(shift(x, v, h), steps).1);
        assert_close(&format!("loop_loss({steps})"), &elems(hv), &want);
    }
}

#[test]
fn hvp_through_branches() {
    for x in [tensor![0.3, -0.2, 0.4], tensor![-0.3, -0.2, 0.4]] {
        let (vx, vw) = (direction(x, 1.1), 0.6);
        let (y, g, (hx, hw)) = branchy_hvp(x, 0.8, vx, vw);
        assert_eq!((y, g), branchy_grad(x, 0.8));
        let at = |h: f64| branchy_grad(shift(x, vx, h), 0.8 + vw * h).1;
        assert_close("branchy x", &elems(hx), &central(|h| at(h).0));
        assert_close("branchy w", &[hw], &central(|h| at(h).1));
    }
}

#[test]
fn hvp_through_calls() {
    let (x, v) = (tensor![0.4, -0.7], tensor![1.2, 0.3]);
    let (vx, vv) = (direction(x, 0.2), direction(v, 1.9));
    let (y, g, (hx, hv)) = caller_hvp(x, v, 0.05, vx, vv);
    assert_eq!((y, g), caller_grad(x, v, 0.05));
    let at = |h: f64| caller_grad(shift(x, vx, h), shift(v, vv, h), 0.05).1;
    assert_close("caller x", &elems(hx), &central(|h| at(h).0));
    assert_close("caller v", &elems(hv), &central(|h| at(h).1));
}

/// `recurrence` as a scalar: a place assigned element by element inside a loop that
/// reads it (the reverse sweep undoes its stores), sliced and indexed.
#[differentiable]
fn recurrence_loss<const N: usize>(x: Tensor<f64, N>) -> f64 {
    let mut y = Tensor::<f64, N>::zeros();
    y[0] = x[0];
    for i in 1..N {
        y[i] = y[i - 1] * x[i] + x[i].sin();
    }
    y[(N - 1, 0)] += 2.0 * x[0];
    let head = y.fixed_rows::<2>(0);
    let t = tensor![head.sum(), y[N - 1] * y[1], y.mean()];
    t.dot(t) + t.logsumexp()
}

#[test]
fn hvp_through_element_assignment() {
    let x = Tensor::<f64, 6>::from_fn(|i, _| 0.5 + 0.3 * (i as f64 * 1.3).sin());
    let v = direction(x, 0.7);
    let (y, g, hv) = recurrence_loss_hvp(x, v);
    assert_eq!((y, g), recurrence_loss_grad(x));
    let want = central(|h| recurrence_loss_grad(shift(x, v, h)).1);
    assert_close("recurrence_loss", &elems(hv), &want);
}

/// Every op with curvature, in one body.
#[differentiable]
fn every_op(x: Tensor<f64, 3>, w: Tensor<f64, 3, 3>, p: f64) -> f64 {
    let a = w.matmul(x).sigmoid() + w.t().matmul(x).tanh();
    let b = (a.abs() + 1.0).ln() + x.powi(3) / (x.cos() + 2.0) - x.sin().relu();
    let c = b.celu(0.7).softmax() * (x * x + 1.0).sqrt().powf(p);
    let d = c.cross(x) - x.exp() / p;
    d.norm() + d.dot(b) * 0.5 + (2.0 / (d.mean() + 3.0)) - (-c).sum() + a.logsumexp()
}

#[test]
fn hvp_through_every_op() {
    let x = tensor![0.3, -0.8, 1.1];
    let w = Tensor::<f64, 3, 3>::from_fn(|r, c| (1.3 * r as f64 - 0.7 * c as f64 + 0.2).sin());
    let (vx, vw, vp) = (direction(x, 0.5), direction(w, 1.5), 0.4);
    let (y, g, (hx, hw, hp)) = every_op_hvp(x, w, 1.3, vx, vw, vp);
    assert_eq!((y, g), every_op_grad(x, w, 1.3));
    let at = |h: f64| every_op_grad(shift(x, vx, h), shift(w, vw, h), 1.3 + vp * h).1;
    assert_close("every_op x", &elems(hx), &central(|h| at(h).0));
    assert_close("every_op w", &elems(hw), &central(|h| at(h).1));
    assert_close("every_op p", &[hp], &central(|h| at(h).2));
    // And forward mode agrees with the gradient: ⟨g, v⟩ = JVP along v.
    let (_, dy) = every_op_jvp(x, w, 1.3, vx, vw, vp);
    let (gx, gw, gp) = g;
    let inner = gx.dot(vx) + gw.dot(vw) + gp * vp;
    assert!((dy - inner).abs() < 1e-12 * (1.0 + inner.abs()));
}

#[test]
fn the_hessian_is_symmetric() {
    // ⟨u, H v⟩ = ⟨v, H u⟩ to rounding, for two unrelated directions.
    let a = tensor![0.7, -1.2, 2.0];
    let (u, v) = (direction(a, 0.3), direction(a, 2.9));
    let (_, _, hv) = calc_hvp(a, v);
    let (_, _, hu) = calc_hvp(a, u);
    assert!((u.dot(hv) - v.dot(hu)).abs() < 1e-14);
}

/// Calls inside a loop and inside a branch, whose pullbacks the reverse sweep recreates
/// when it replays the region.
#[differentiable]
fn calls_in_regions(x: Tensor<f64, 2>, s: f64) -> f64 {
    let mut y = x;
    for i in 0..4 {
        y = physics::step(y, &x, s * 0.1, i);
    }
    let z = if s > 0.0 {
        energy(y[0]) * s
    } else {
        energy(y[1] + s)
    };
    z + energy(s)
}

#[test]
fn jvp_and_hvp_through_calls_in_loops_and_branches() {
    for s in [0.7, -0.4] {
        let x = tensor![0.4, -0.7];
        let (vx, vs) = (direction(x, 0.8), 1.3);
        let (y, dy) = calls_in_regions_jvp(x, s, vx, vs);
        assert_eq!(y, calls_in_regions(x, s));
        let want = central(|h| calls_in_regions(shift(x, vx, h), s + vs * h));
        assert_close("calls_in_regions jvp", &[dy], &want);
        let (y, g, (hx, hs)) = calls_in_regions_hvp(x, s, vx, vs);
        assert_eq!((y, g), calls_in_regions_grad(x, s));
        let at = |h: f64| calls_in_regions_grad(shift(x, vx, h), s + vs * h).1;
        assert_close("calls_in_regions x", &elems(hx), &central(|h| at(h).0));
        assert_close("calls_in_regions s", &[hs], &central(|h| at(h).1));
    }
}

// ---------------------------------------------------------------------------------------
// Structured values: a struct model, a tuple-returning call, a slice of data
// ---------------------------------------------------------------------------------------

mod structured {
    use super::assert_close;
    use autodiff::{Differentiable, Tensor, differentiable, tensor};

    #[derive(Clone, Debug, Differentiable)]
    pub struct Layer {
        w: Tensor<f64, 2, 2>,
        b: Tensor<f64, 2>,
        #[no_grad]
        label: String,
    }

    impl Layer {
        #[differentiable]
        fn apply(&self, x: Tensor<f64, 2>) -> (Tensor<f64, 2>, f64) {
            let y = (self.w.matmul(x) + self.b).tanh();
            (y, y.sum())
        }
    }

    #[differentiable(wrt(layer))]
    fn loss(layer: &Layer, xs: &[Tensor<f64, 2>]) -> f64 {
        let mut total = 0.0;
        for x in xs.iter() {
            let (y, s) = layer.apply(*x);
            if s > 0.0 {
                total = total + y.dot(y);
            } else {
                total = total + s * s;
            }
        }
        total
    }

    fn layer() -> Layer {
        Layer {
            w: tensor![[0.4, -0.3], [0.2, 0.9]],
            b: tensor![0.1, -0.2],
            label: "l".into(),
        }
    }

    fn data() -> Vec<Tensor<f64, 2>> {
        vec![tensor![0.5, -1.0], tensor![-0.7, 0.2], tensor![1.2, 0.4]]
    }

    fn along(l: &Layer, v: &Layer, h: f64) -> Layer {
        l.clone().plus(&v.clone().scaled(h))
    }

    fn direction() -> Layer {
        Layer {
            w: tensor![[0.3, 1.1], [-0.6, 0.25]],
            b: tensor![-0.4, 0.8],
            label: "v".into(),
        }
    }

    #[test]
    fn jvp_and_hvp_of_a_struct_model() {
        let (l, v, xs) = (layer(), direction(), data());
        let h = 1e-5;
        let (value, dvalue) = loss_jvp(&l, &xs, v.clone());
        assert_eq!(value, loss(&l, &xs));
        let fd = (loss(&along(&l, &v, h), &xs) - loss(&along(&l, &v, -h), &xs)) / (2.0 * h);
        assert_close("struct jvp", &[dvalue], &[fd]);

        let (_, grad, hv) = loss_hvp(&l, &xs, v.clone());
        assert_close(
            "struct hvp gradient",
            &grad.to_coords(),
            &loss_grad(&l, &xs).1.to_coords(),
        );
        let g_plus = loss_grad(&along(&l, &v, h), &xs).1.to_coords();
        let g_minus = loss_grad(&along(&l, &v, -h), &xs).1.to_coords();
        let fd: Vec<f64> = g_plus
            .iter()
            .zip(&g_minus)
            .map(|(p, m)| (p - m) / (2.0 * h))
            .collect();
        assert_close("struct hvp", &hv.to_coords(), &fd);
        assert_eq!(
            hv.label, "l",
            "a #[no_grad] field is copied, not differentiated"
        );
    }
}
