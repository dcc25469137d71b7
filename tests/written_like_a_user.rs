//! Programs written the way a user would, from the README alone, checked against central
//! finite differences.

use autodiff::{Differentiable, Tensor, check_gradient, differentiable, tensor};

#[differentiable]
fn pendulum_rate(theta: f64, omega: f64, g: f64) -> (f64, f64) {
    (omega, -g * theta.sin() - 0.05 * omega)
}

#[differentiable(wrt(theta0, g))]
fn rk4_pendulum(theta0: f64, g: f64, steps: usize) -> f64 {
    let dt = 0.01;
    let mut theta = theta0;
    let mut omega = 0.0;
    for _ in 0..steps {
        let (k1t, k1w) = pendulum_rate(theta, omega, g);
        let (k2t, k2w) = pendulum_rate(theta + 0.5 * dt * k1t, omega + 0.5 * dt * k1w, g);
        let (k3t, k3w) = pendulum_rate(theta + 0.5 * dt * k2t, omega + 0.5 * dt * k2w, g);
        let (k4t, k4w) = pendulum_rate(theta + dt * k3t, omega + dt * k3w, g);
        theta = theta + dt / 6.0 * (k1t + 2.0 * k2t + 2.0 * k3t + k4t);
        omega = omega + dt / 6.0 * (k1w + 2.0 * k2w + 2.0 * k3w + k4w);
    }
    theta * theta + omega
}

#[derive(Clone, Debug, Differentiable)]
struct Ridge {
    w: Tensor<f64, 3>,
    b: f64,
    #[no_grad]
    lambda: f64,
}

impl Ridge {
    #[differentiable]
    fn loss(&self, xs: &[Tensor<f64, 3>], ys: &[f64]) -> f64 {
        let mut total = 0.0;
        for (x, y) in xs.iter().zip(ys.iter()) {
            let r = self.w.dot(*x) + self.b - *y;
            total += r * r;
        }
        total / xs.len() as f64 + self.lambda * self.w.dot(self.w)
    }
}

#[test]
fn an_rk4_pendulum() {
    let (_, (gt, gg)) = rk4_pendulum_grad(0.8, 9.81, 50);
    let h = 1e-6;
    let fd_t = (rk4_pendulum(0.8 + h, 9.81, 50) - rk4_pendulum(0.8 - h, 9.81, 50)) / (2.0 * h);
    let fd_g = (rk4_pendulum(0.8, 9.81 + h, 50) - rk4_pendulum(0.8, 9.81 - h, 50)) / (2.0 * h);
    assert!(
        (gt - fd_t).abs() < 1e-6 * fd_t.abs().max(1.0),
        "{gt} vs {fd_t}"
    );
    assert!(
        (gg - fd_g).abs() < 1e-6 * fd_g.abs().max(1.0),
        "{gg} vs {fd_g}"
    );
}

#[test]
fn ridge_regression_on_a_struct() {
    let m = Ridge {
        w: tensor![0.2, -0.1, 0.4],
        b: 0.3,
        lambda: 0.01,
    };
    let xs = vec![
        tensor![1.0, 0.0, 2.0],
        tensor![-1.0, 1.0, 0.5],
        tensor![0.3, 0.3, 0.3],
    ];
    let ys = vec![1.0, -0.5, 0.2];
    let (_, (gm, gxs, gys)) = m.loss_grad(&xs, &ys);
    let report = check_gradient(|m: Ridge| m.loss(&xs, &ys), &m, &gm).within(1e-7, 1e-6);
    assert!(report.passed(), "{report}");
    let report =
        check_gradient(|xs: Vec<Tensor<f64, 3>>| m.loss(&xs, &ys), &xs, &gxs).within(1e-7, 1e-6);
    assert!(report.passed(), "{report}");
    let report = check_gradient(|ys: Vec<f64>| m.loss(&xs, &ys), &ys, &gys).within(1e-7, 1e-6);
    assert!(report.passed(), "{report}");
}

/// A model whose loss method takes its data in slices and differentiates only `self`: the
/// pullback borrows both slices (each with its own lifetime), and the loop reads `y`, a
/// `&f64`, with no `*`, as plain Rust allows.
#[derive(Clone, Debug, Differentiable)]
struct TwoLayer {
    w: Tensor<f64, 4, 2>,
    b: Tensor<f64, 4>,
    v: Tensor<f64, 1, 4>,
}

impl TwoLayer {
    #[differentiable]
    fn predict(&self, x: Tensor<f64, 2>) -> f64 {
        let h = (self.w.matmul(x) + self.b).tanh();
        self.v.matmul(h)[0]
    }

    #[differentiable(wrt(self))]
    fn loss(&self, xs: &[Tensor<f64, 2>], ys: &[f64]) -> f64 {
        let mut total = 0.0;
        for (x, y) in xs.iter().zip(ys) {
            let e = self.predict(*x) - y;
            total = total + e * e;
        }
        total / xs.len() as f64
    }
}

#[test]
fn a_method_loss_over_data_slices_differentiating_only_self() {
    let m = TwoLayer {
        w: Tensor::from_fn(|i, j| 0.1 * i as f64 - 0.2 * j as f64 + 0.05),
        b: tensor![0.1, -0.1, 0.0, 0.2],
        v: Tensor::from_fn(|_, j| 0.3 - 0.1 * j as f64),
    };
    let xs: Vec<Tensor<f64, 2>> = (0..6)
        .map(|i| tensor![i as f64 / 5.0, 1.0 - i as f64 / 10.0])
        .collect();
    let ys: Vec<f64> = xs.iter().map(|x| (2.0 * x[0]).sin() + x[1]).collect();
    let (value, grad) = m.loss_grad(&xs, &ys);
    assert_eq!(value, m.loss(&xs, &ys));
    let report = check_gradient(|m: TwoLayer| m.loss(&xs, &ys), &m, &grad).within(1e-7, 1e-6);
    assert!(report.passed(), "{report}");
    let (_, pullback) = m.loss_vjp(&xs, &ys);
    let again = pullback.backward(1.0);
    assert_eq!((again.w, again.b, again.v), (grad.w, grad.b, grad.v));
}

#[differentiable(wrt(w))]
fn squared_misfit(w: f64, ys: &[f64]) -> f64 {
    let mut total = 0.0;
    for y in ys {
        let e = w - y;
        total = total + e * e;
    }
    total
}

#[differentiable(wrt(w))]
fn line_misfit(w: f64, xs: &[f64], ys: &[f64]) -> f64 {
    let mut total = 0.0;
    for (x, y) in xs.iter().zip(ys) {
        let e = w * x - y;
        total += e * e;
    }
    total
}

#[differentiable(wrt(w))]
fn projection_misfit(w: Tensor<f64, 2>, xs: &[Tensor<f64, 2>], ys: &[f64]) -> f64 {
    let mut total = 0.0;
    for (x, &y) in xs.iter().zip(ys) {
        let e = w.dot(x) - y;
        total = total + e * e;
    }
    total
}

#[test]
fn loop_items_that_are_references_to_data_need_no_deref_in_ops() {
    let xs = [0.5, -1.0, 2.0];
    let ys = [1.0, 2.0, -0.5];
    let h = 1e-6;
    let (v, g) = squared_misfit_grad(0.3, &ys);
    assert_eq!(v, squared_misfit(0.3, &ys));
    let fd = (squared_misfit(0.3 + h, &ys) - squared_misfit(0.3 - h, &ys)) / (2.0 * h);
    assert!((g - fd).abs() < 1e-6, "{g} vs {fd}");
    let (_, g) = line_misfit_grad(0.3, &xs, &ys);
    let fd = (line_misfit(0.3 + h, &xs, &ys) - line_misfit(0.3 - h, &xs, &ys)) / (2.0 * h);
    assert!((g - fd).abs() < 1e-6, "{g} vs {fd}");
    let ts = [tensor![1.0, 2.0], tensor![0.0, 1.0], tensor![-0.5, 0.5]];
    let w = tensor![0.5, 1.0];
    let (_, g) = projection_misfit_grad(w, &ts, &ys);
    let report = check_gradient(|w| projection_misfit(w, &ts, &ys), &w, &g).within(1e-7, 1e-6);
    assert!(report.passed(), "{report}");
}

/// A standard deviation with guard clauses, written the way Rust is usually written.
#[differentiable]
fn spread(x: Tensor<f64, 3>, floor: f64) -> f64 {
    let m = x.mean();
    let centered = x - m;
    let var = (centered * centered).sum() / 3.0;
    if var < floor {
        return floor;
    }
    if var > 1.0 {
        let sd = var.sqrt();
        return sd * 2.0;
    }
    return var;
}

#[test]
fn guard_clauses_return_early() {
    let h = 1e-6;
    // One input per exit: the floor, the square root, the variance itself.
    for (x, floor) in [
        (tensor![1.0, 1.0, 1.0001], 0.01),
        (tensor![1.0, 2.0, 4.0], 0.0),
        (tensor![0.1, 0.2, 0.4], 0.0),
    ] {
        let (value, (gx, gfloor)) = spread_grad(x, floor);
        assert_eq!(value, spread(x, floor));
        let report = check_gradient(|x| spread(x, floor), &x, &gx).within(1e-7, 1e-6);
        assert!(report.passed(), "{report}");
        let fd = (spread(x, floor + h) - spread(x, floor - h)) / (2.0 * h);
        assert!((gfloor - fd).abs() < 1e-6, "{gfloor} vs {fd}");
        let (_, tangent) = spread_jvp(x, floor, tensor![1.0, 0.0, -1.0], 0.5);
        let along = gx.dot(tensor![1.0, 0.0, -1.0]) + 0.5 * gfloor;
        assert!((tangent - along).abs() < 1e-12, "{tangent} vs {along}");
    }
    assert_eq!(spread(tensor![1.0, 1.0, 1.0001], 0.01), 0.01);
    assert_eq!(
        spread(tensor![1.0, 2.0, 4.0], 0.0),
        2.0 * (42.0f64 / 27.0).sqrt()
    );
}

/// Data owned by the function (a `Vec` taken by value) iterated by reference: the pullback
/// keeps the `Vec`, not references into it (which failed with E0716).
#[differentiable(wrt(w))]
fn misfit_of_owned_data(w: f64, data: Vec<f64>, weights: [f64; 2]) -> f64 {
    let mut total = 0.0;
    for d in &data {
        total = total + (w - *d).powi(2);
    }
    for d in data.iter() {
        total += w * d;
    }
    for k in &weights {
        total = total + k * w.sin();
    }
    total
}

#[test]
fn loops_over_references_to_owned_data() {
    let data = vec![1.0, 2.0, -0.5];
    let weights = [0.5, 1.5];
    let (value, g) = misfit_of_owned_data_grad(0.7, data.clone(), weights);
    assert_eq!(value, misfit_of_owned_data(0.7, data.clone(), weights));
    let h = 1e-6;
    let fd = (misfit_of_owned_data(0.7 + h, data.clone(), weights)
        - misfit_of_owned_data(0.7 - h, data.clone(), weights))
        / (2.0 * h);
    assert!((g - fd).abs() < 1e-6, "{g} vs {fd}");
    let (_, pullback) = misfit_of_owned_data_vjp(0.7, data, weights);
    assert_eq!(pullback.backward(1.0), g);
}

/// A constant table declared in the body, iterated by reference.
#[differentiable]
fn misfit_to_a_local_table(w: f64) -> f64 {
    let table = [1.0, 2.0, 3.0];
    let scales = vec![0.5, 2.0];
    let mut total = 0.0;
    for t in &table {
        total = total + (w - t).powi(2);
    }
    for s in scales.iter() {
        total += (w * s).sin();
    }
    total
}

#[test]
fn loops_over_references_to_a_local_table() {
    let (value, g) = misfit_to_a_local_table_grad(0.4);
    assert_eq!(value, misfit_to_a_local_table(0.4));
    let h = 1e-6;
    let fd = (misfit_to_a_local_table(0.4 + h) - misfit_to_a_local_table(0.4 - h)) / (2.0 * h);
    assert!((g - fd).abs() < 1e-6, "{g} vs {fd}");
    let (_, pullback) = misfit_to_a_local_table_vjp(0.4);
    assert_eq!(pullback.backward(1.0), g);
}

/// `#[no_grad]` fields read in the body, whole (`self.lambda`) and by element
/// (`self.targets[i]`): the gradient carries them cloned from the value, as documented,
/// not what the reverse sweep added into them.
#[derive(Clone, Debug, PartialEq, Differentiable)]
struct Fit {
    w: Tensor<f64, 2>,
    #[no_grad]
    lambda: f64,
    #[no_grad]
    targets: Vec<f64>,
}

impl Fit {
    #[differentiable]
    fn loss(&self, x: Tensor<f64, 2>) -> f64 {
        let mut total = self.lambda * self.w.dot(self.w);
        for i in 0..self.targets.len() {
            total += (self.w[i] * x[i] - self.targets[i]).powi(2);
        }
        total
    }
}

#[test]
fn no_grad_fields_come_back_as_the_values_fields() {
    let fit = Fit {
        w: tensor![0.5, -1.0],
        lambda: 0.1,
        targets: vec![0.2, 0.3],
    };
    const {
        assert!(<Fit as Differentiable>::HAS_NO_GRAD_FIELDS);
        assert!(!<TwoLayer as Differentiable>::HAS_NO_GRAD_FIELDS);
        assert!(<(f64, Vec<Fit>) as Differentiable>::HAS_NO_GRAD_FIELDS);
    }
    let x = tensor![1.0, 2.0];
    let (_, (g, gx)) = fit.loss_grad(x);
    assert_eq!(
        (g.lambda, g.targets.clone()),
        (fit.lambda, fit.targets.clone())
    );
    let report =
        check_gradient(|w| Fit { w, ..fit.clone() }.loss(x), &fit.w, &g.w).within(1e-7, 1e-6);
    assert!(report.passed(), "{report}");
    let report = check_gradient(|x| fit.loss(x), &x, &gx).within(1e-7, 1e-6);
    assert!(report.passed(), "{report}");
    let (_, pullback) = fit.loss_vjp(x);
    assert_eq!(pullback.backward(1.0), (g.clone(), gx));
    // `f_hvp`: the gradient and `H v` alike.
    let along = Fit {
        w: tensor![1.0, 0.0],
        lambda: 0.0,
        targets: vec![0.0, 0.0],
    };
    let (_, (hg, _), (hv, _)) = fit.loss_hvp(x, along, tensor![0.0, 0.0]);
    assert_eq!((hg.lambda, hg.targets), (fit.lambda, fit.targets.clone()));
    assert_eq!((hv.lambda, hv.targets), (fit.lambda, fit.targets.clone()));
}
