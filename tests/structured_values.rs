//! Values users hold their state in: tuples, arrays, slices, `Vec`s and structs, as
//! parameters, returns, locals, loop-carried values and call arguments. Every gradient
//! is compared with central finite differences over all coordinates of the value
//! (`check_gradient`), each case with a loop or a branch somewhere.

use autodiff::{Differentiable, Real, Tensor, check_gradient, differentiable, tensor};

fn check<X: Differentiable + std::fmt::Debug>(what: &str, f: impl Fn(X) -> f64, x: X, grad: X) {
    let report = check_gradient(f, &x, &grad).within(1e-7, 1e-6);
    assert!(report.passed(), "{what}: {report}");
}

// --- tuples: a cell returning two values, called in a loop over a sequence -------------

#[differentiable]
fn cell(
    x: Tensor<f64, 2>,
    h: Tensor<f64, 2>,
    c: Tensor<f64, 2>,
) -> (Tensor<f64, 2>, Tensor<f64, 2>) {
    let gate = (x + h).sigmoid();
    let c2 = c * gate + (x - h).tanh() * (gate * -1.0 + 1.0);
    (c2.tanh() * gate, c2)
}

#[differentiable(wrt(xs, h0))]
fn run_cells(xs: &[Tensor<f64, 2>], h0: Tensor<f64, 2>) -> f64 {
    let mut h = h0;
    let mut c = Tensor::zeros();
    for x in xs.iter() {
        let (h2, c2) = cell(*x, h, c);
        h = h2;
        c = c2;
    }
    (h * h).sum() + c.sum()
}

#[test]
fn a_cell_returning_a_pair_in_a_loop_over_a_slice() {
    let xs = vec![tensor![0.3, -0.2], tensor![0.9, 0.1], tensor![-0.5, 0.4]];
    let h0 = tensor![0.1, 0.2];
    let (_, (gxs, gh)) = run_cells_grad(&xs, h0);
    assert_eq!(gxs.len(), xs.len());
    check(
        "cells, xs",
        |xs: Vec<Tensor<f64, 2>>| run_cells(&xs, h0),
        xs.clone(),
        gxs,
    );
    check("cells, h0", |h| run_cells(&xs, h), h0, gh);
}

#[test]
fn the_vjp_of_a_pair_takes_a_pair_seed() {
    let (x, h, c) = (tensor![0.3, -0.2], tensor![0.1, 0.2], tensor![0.5, -0.5]);
    let ((h2, c2), pullback) = cell_vjp(x, h, c);
    assert_eq!((h2, c2), cell(x, h, c));
    let seed = (tensor![1.0, 0.0], tensor![0.5, 2.0]);
    let (gx, gh, gc) = pullback.backward(seed);
    let weighted = |x, h, c| {
        let (h2, c2) = cell(x, h, c);
        h2.dot(seed.0) + c2.dot(seed.1)
    };
    check("pair seed, x", |x| weighted(x, h, c), x, gx);
    check("pair seed, h", |h| weighted(x, h, c), h, gh);
    check("pair seed, c", |c| weighted(x, h, c), c, gc);
}

// --- structs: a model with a method, and a free function over `&Model` ------------------

#[derive(Clone, Debug, Differentiable)]
struct Model {
    w: Tensor<f64, 2, 3>,
    b: Tensor<f64, 2>,
    #[no_grad]
    name: String,
}

impl Model {
    #[differentiable]
    fn loss(&self, x: Tensor<f64, 3>, target: Tensor<f64, 2>) -> f64 {
        let y = (self.w.matmul(x) + self.b).tanh();
        let d = y - target;
        if d.sum() > 0.0 {
            d.dot(d)
        } else {
            d.dot(d) * 2.0
        }
    }

    #[differentiable(wrt(self))]
    fn penalty(&self, scale: f64) -> f64 {
        (self.w * self.w).sum() * scale + self.b.sum()
    }
}

#[differentiable(wrt(m, data))]
fn dataset_loss(m: &Model, data: &[(Tensor<f64, 3>, Tensor<f64, 2>)]) -> f64 {
    let mut total = 0.0;
    for (x, t) in data.iter() {
        let y = m.w.matmul(*x) + m.b;
        total = total + (y - *t).dot(y - *t);
    }
    total / data.len() as f64
}

fn model() -> Model {
    Model {
        w: Tensor::from_fn(|r, c| 0.2 * r as f64 - 0.3 * c as f64 + 0.1),
        b: tensor![0.05, -0.1],
        name: "m".to_string(),
    }
}

#[test]
fn a_method_differentiates_self_first() {
    let m = model();
    let (x, t) = (tensor![0.5, -1.0, 0.25], tensor![0.3, 0.1]);
    let (value, (gm, gx, gt)) = m.loss_grad(x, t);
    assert_eq!(value, m.loss(x, t));
    assert_eq!(
        gm.name, "m",
        "a #[no_grad] field is copied into the gradient"
    );
    check("method, self", |m: Model| m.loss(x, t), m.clone(), gm);
    check("method, x", |x| m.loss(x, t), x, gx);
    check("method, target", |t| m.loss(x, t), t, gt);
    let (_, gm) = m.penalty_grad(0.5);
    check("wrt(self)", |m: Model| m.penalty(0.5), m.clone(), gm);
}

#[test]
fn a_free_function_over_a_model_and_a_dataset() {
    let m = model();
    let data = vec![
        (tensor![0.5, -1.0, 0.25], tensor![0.3, 0.1]),
        (tensor![-0.2, 0.4, 1.0], tensor![-0.1, 0.6]),
    ];
    let (_, (gm, gdata)) = dataset_loss_grad(&m, &data);
    check(
        "dataset, m",
        |m: Model| dataset_loss(&m, &data),
        m.clone(),
        gm,
    );
    check(
        "dataset, data",
        |d: Vec<(Tensor<f64, 3>, Tensor<f64, 2>)>| dataset_loss(&m, &d),
        data.clone(),
        gdata,
    );
}

// --- slices and Vecs of floats counted at run time, enumerate and zip -------------------

#[differentiable(wrt(xs, ws))]
fn weighted_sum(xs: &[f64], ws: Vec<f64>, bias: &[f64]) -> f64 {
    let mut total = 0.0;
    for (i, (x, w)) in xs.iter().zip(ws.iter()).enumerate() {
        if i % 2 == 0 {
            total = total + x * w * bias[i];
        } else {
            total = total + (x * w).sin();
        }
    }
    total + xs[0] * xs.len() as f64
}

#[test]
fn slices_and_vecs_with_zip_and_enumerate() {
    let xs = vec![0.3, -1.2, 0.8, 0.5];
    let ws = vec![1.5, 0.2, -0.7, 0.9];
    let bias = [1.0, 2.0, 3.0, 4.0];
    let (_, (gxs, gws)) = weighted_sum_grad(&xs, ws.clone(), &bias);
    check(
        "slice",
        |xs: Vec<f64>| weighted_sum(&xs, ws.clone(), &bias),
        xs.clone(),
        gxs,
    );
    check(
        "vec",
        |ws: Vec<f64>| weighted_sum(&xs, ws, &bias),
        ws.clone(),
        gws,
    );
}

// --- arrays, tuple and struct literals, field assignment on a local ---------------------

#[differentiable]
fn arrays_and_literals(pair: [Tensor<f64, 2>; 2], s: (f64, f64)) -> f64 {
    let [a, b] = pair;
    let (p, q) = s;
    let mut local = Model {
        w: Tensor::zeros(),
        b: a * p,
        name: String::new(),
    };
    local.b = local.b + b * q;
    local.w[(1, 2)] = a[0] * b[1];
    let both = [local.b, b];
    both[0].dot(both[1]) + local.w.sum() + s.1
}

#[test]
fn arrays_tuples_and_struct_literals() {
    let pair = [tensor![0.3, -0.4], tensor![1.1, 0.6]];
    let s = (0.7, -1.3);
    let (_, (gpair, gs)) = arrays_and_literals_grad(pair, s);
    check("array", |p| arrays_and_literals(p, s), pair, gpair);
    check("tuple", |s| arrays_and_literals(pair, s), s, gs);
}

// --- a generic struct, in f32 and f64 -------------------------------------------------

#[derive(Clone, Debug, Differentiable)]
struct Affine<T: Real> {
    scale: T,
    shift: Tensor<T, 2>,
}

#[differentiable]
fn affine_energy<T: Real>(a: &Affine<T>, x: Tensor<T, 2>) -> T {
    let y = x * a.scale + a.shift;
    (y * y).sum() * 0.5
}

#[test]
fn a_generic_struct_in_f32_and_f64() {
    let a = Affine {
        scale: 1.5,
        shift: tensor![0.2, -0.3],
    };
    let x = tensor![0.4, 0.9];
    let (_, (ga, gx)) = affine_energy_grad(&a, x);
    check(
        "generic f64, a",
        |a: Affine<f64>| affine_energy(&a, x),
        a.clone(),
        ga.clone(),
    );
    check("generic f64, x", |x| affine_energy(&a, x), x, gx);
    let a32 = Affine {
        scale: 1.5_f32,
        shift: tensor![0.2_f32, -0.3],
    };
    let (_, (ga32, _)) = affine_energy_grad(&a32, tensor![0.4_f32, 0.9]);
    assert!((ga32.scale as f64 - ga.scale).abs() < 1e-5);
}

#[test]
fn the_check_itself_rejects_a_wrong_gradient() {
    let xs = vec![0.3, -1.2, 0.8, 0.5];
    let ws = vec![1.5, 0.2, -0.7, 0.9];
    let bias = [1.0, 2.0, 3.0, 4.0];
    let (_, (mut gxs, _)) = weighted_sum_grad(&xs, ws.clone(), &bias);
    gxs[2] += 1e-3;
    let report = check_gradient(
        |xs: Vec<f64>| weighted_sum(&xs, ws.clone(), &bias),
        &xs,
        &gxs,
    )
    .within(1e-7, 1e-6);
    assert!(!report.passed(), "{report}");
}

#[differentiable]
fn over_elements(x: Tensor<f64, 3>) -> f64 {
    let mut total = 0.0;
    for v in x.iter() {
        total += *v * *v;
    }
    total
}

#[test]
fn a_loop_over_a_tensors_elements() {
    let x = tensor![0.5, -2.0, 1.5];
    assert_eq!(over_elements_grad(x).1, x * 2.0);
}

// The README's example of a struct model trained with Adam, as written there.
mod readme {
    use autodiff::{Differentiable, Tensor, differentiable, optim::Adam};

    #[derive(Clone, Differentiable)]
    struct Line {
        w: Tensor<f64, 1, 2>,
        b: f64,
    }

    #[differentiable(wrt(m))]
    fn loss(m: &Line, data: &[(Tensor<f64, 2>, f64)]) -> f64 {
        let mut total = 0.0;
        for (x, y) in data.iter() {
            let e = m.w.matmul(*x)[0] + m.b - *y;
            total = total + e * e;
        }
        total / data.len() as f64
    }

    #[test]
    fn a_struct_model_trained_with_adam() {
        let data = vec![
            (Tensor::from([1.0, 2.0]), 3.0),
            (Tensor::from([0.0, 1.0]), 1.0),
        ];
        let mut model = Line {
            w: Tensor::zeros(),
            b: 0.0,
        };
        let mut adam = Adam::new(0.1);
        for _ in 0..200 {
            let (_, grad) = loss_grad(&model, &data);
            adam.step(&mut model, &grad);
        }
        assert!(loss(&model, &data) < 1e-3, "{}", loss(&model, &data));
    }
}

// --- building Vecs: vec![x; n], vec![a, b], Vec::with_capacity and push ------------------

#[differentiable(wrt(x))]
fn built_vecs(x: Tensor<f64, 2>, n: usize) -> f64 {
    let copies = vec![x * 2.0; n];
    let pair = vec![x, x.sin()];
    let mut powers = Vec::with_capacity(n);
    let mut p = x;
    for _ in 0..n {
        powers.push(p);
        p = p * x;
    }
    let mut total = 0.0;
    for (i, q) in powers.iter().enumerate() {
        if i % 2 == 0 {
            total = total + q.sum();
        } else {
            total = total + copies[i].dot(*q);
        }
    }
    total + pair[1].sum() * pair.len() as f64
}

#[test]
fn vecs_built_in_the_body() {
    let x = tensor![0.6, -0.9];
    for n in [1, 2, 5] {
        let (_, g) = built_vecs_grad(x, n);
        check(&format!("vec, n = {n}"), |x| built_vecs(x, n), x, g);
    }
}

/// A Vec pushed onto in a loop whose earlier elements the loop reads back.
#[differentiable]
fn running_average(xs: &[f64]) -> f64 {
    let mut means: Vec<f64> = Vec::new();
    let mut sum = 0.0;
    for (i, x) in xs.iter().enumerate() {
        sum = sum + *x;
        means.push(sum / (i + 1) as f64);
        if i > 0 {
            sum = sum + means[i - 1] * 0.1;
        }
    }
    means[means.len() - 1] * means[0]
}

#[test]
fn a_vec_read_back_while_it_grows() {
    let xs = vec![0.5, -1.0, 2.0, 0.25];
    let g = running_average_grad(&xs).1;
    check(
        "running average",
        |xs: Vec<f64>| running_average(&xs),
        xs.clone(),
        g,
    );
}

// --- a struct state stepped by a function in a loop, the way simulations are written ---

#[derive(Clone, Debug, Differentiable)]
struct State {
    x: Tensor<f64, 2>,
    v: Tensor<f64, 2>,
    history: Vec<f64>,
}

#[differentiable(wrt(s))]
fn step(s: State, k: f64, dt: f64) -> State {
    let a = s.x * -k - s.v * 0.1;
    let v = s.v + a * dt;
    let mut history = s.history;
    history.push(v.sum());
    State {
        x: s.x + v * dt,
        v,
        history,
    }
}

#[differentiable(wrt(s0, k))]
fn simulate(s0: State, k: f64, steps: usize) -> f64 {
    let mut s = s0;
    for _ in 0..steps {
        s = step(s, k, 0.05);
    }
    let mut total = s.x.dot(s.x);
    for h in s.history.iter() {
        total = total + *h * 0.01;
    }
    total
}

#[test]
fn a_struct_state_stepped_in_a_loop() {
    let s0 = State {
        x: tensor![1.0, -0.5],
        v: tensor![0.0, 0.3],
        history: vec![0.5],
    };
    let (_, (gs, gk)) = simulate_grad(s0.clone(), 2.0, 6);
    check("state", |s: State| simulate(s, 2.0, 6), s0.clone(), gs);
    check("k", |k| simulate(s0.clone(), k, 6), 2.0, gk);
}
