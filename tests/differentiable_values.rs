//! Differentiable values (issue 9, runtime half): `#[derive(Differentiable)]` on named,
//! tuple and generic structs with `#[no_grad]` fields, gradients checked against central
//! differences over every coordinate of a structured value, `Param` of a struct, and the
//! optimisers stepping derived structs, against their rules written out by hand.

use autodiff::optim::{Adam, Sgd};
use autodiff::{Accumulate, Differentiable, Param, Real, Tensor, check_gradient, tensor};

/// Data that is not differentiable, held in a `#[no_grad]` field.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Activation {
    Tanh,
    Identity,
}

/// A one-hidden-layer network, generic over precision and width.
#[derive(Clone, Debug, PartialEq, Differentiable)]
struct Mlp<T: Real, const H: usize> {
    w1: Tensor<T, H, 2>,
    b1: Tensor<T, H>,
    w2: Tensor<T, 1, H>,
    #[no_grad]
    activation: Activation,
    #[no_grad]
    name: String,
}

impl<T: Real, const H: usize> Mlp<T, H> {
    fn new(activation: Activation) -> Self {
        Mlp {
            w1: Tensor::from_fn(|r, c| Real::from_f64(0.3 * r as f64 - 0.2 * c as f64 + 0.1)),
            b1: Tensor::from_fn(|r, _| Real::from_f64(0.05 * r as f64 - 0.1)),
            w2: Tensor::from_fn(|_, c| Real::from_f64(0.5 - 0.25 * c as f64)),
            activation,
            name: "mlp".to_string(),
        }
    }

    fn hidden(&self, x: Tensor<T, 2>) -> Tensor<T, H> {
        let a = self.w1.matmul(x) + self.b1;
        match self.activation {
            Activation::Tanh => a.map(|v| v.tanh()),
            Activation::Identity => a,
        }
    }

    /// 0.5 (w2 . act(w1 x + b1) - t)^2
    fn loss(&self, x: Tensor<T, 2>, t: T) -> T {
        let y = self.w2.matmul(self.hidden(x))[(0, 0)];
        let r = y - t;
        r * r * Real::from_f64(0.5)
    }

    /// The gradient written out by hand: the model's own type, data fields cloned.
    fn loss_grad(&self, x: Tensor<T, 2>, t: T) -> Self {
        let h = self.hidden(x);
        let r = self.w2.matmul(h)[(0, 0)] - t;
        let dh = self.w2.t() * r;
        let da = match self.activation {
            Activation::Tanh => dh * h.map(|v| T::one() - v * v),
            Activation::Identity => dh,
        };
        Mlp {
            w1: da.matmul(x.t()),
            b1: da,
            w2: h.t() * r,
            ..self.zero_like()
        }
    }
}

#[test]
fn zero_like_clones_data_fields_and_zeroes_the_rest() {
    let m = Mlp::<f64, 3>::new(Activation::Tanh);
    let z = m.zero_like();
    assert_eq!(z.w1, Tensor::zeros());
    assert_eq!(z.b1, Tensor::zeros());
    assert_eq!(z.w2, Tensor::zeros());
    assert_eq!((z.activation, z.name.as_str()), (Activation::Tanh, "mlp"));
    assert_eq!(m.num_coords(), 6 + 3 + 3);
}

#[test]
fn accumulate_and_scale_leave_data_fields_alone() {
    let mut g = Mlp::<f32, 2>::new(Activation::Tanh);
    let mut other = g.clone();
    other.name = "other".to_string();
    other.activation = Activation::Identity;
    let before = g.to_coords();
    g.accumulate(&other);
    g.scale_by(0.25);
    let want: Vec<f64> = before.iter().map(|x| (x + x) * 0.25).collect();
    assert_eq!(g.to_coords(), want);
    assert_eq!((g.activation, g.name.as_str()), (Activation::Tanh, "mlp"));
    assert_eq!(
        g.clone().plus(&g).to_coords(),
        g.clone().scaled(2.0).to_coords()
    );
}

#[test]
fn generic_struct_gradient_matches_central_differences_in_f64_and_f32() {
    let x = tensor![0.7, -1.2];
    for activation in [Activation::Tanh, Activation::Identity] {
        let m = Mlp::<f64, 4>::new(activation);
        let grad = m.loss_grad(x, 0.3);
        let report = check_gradient(|m: Mlp<f64, 4>| m.loss(x, 0.3), &m, &grad);
        assert!(report.passed() && report.max_rel_err < 1e-7, "{report}");
        // A wrong coordinate in one field is caught and located.
        let mut wrong = grad.clone();
        wrong.b1[2] += 0.1;
        let report = check_gradient(|m: Mlp<f64, 4>| m.loss(x, 0.3), &m, &wrong);
        assert!(!report.passed());
        assert_eq!(
            report.worst.map(|w| w.0),
            Some(8 + 2),
            "w1 has 8 coordinates"
        );
    }

    let x = tensor![0.7_f32, -1.2];
    let m = Mlp::<f32, 3>::new(Activation::Tanh);
    let report = check_gradient(|m: Mlp<f32, 3>| m.loss(x, 0.3), &m, &m.loss_grad(x, 0.3));
    assert!(report.passed(), "{report}");
}

/// A tuple struct holding a run-time count of values.
#[derive(Clone, Debug, PartialEq, Differentiable)]
struct Particles(Vec<Tensor<f64, 2>>, #[no_grad] usize, f64);

#[test]
fn tuple_structs_and_vecs() {
    let p = Particles(vec![tensor![1.0, 2.0], tensor![-1.0, 0.5]], 7, 3.0);
    let z = p.zero_like();
    assert_eq!(z, Particles(vec![Tensor::zeros(); 2], 7, 0.0));
    assert_eq!(p.to_coords(), [1.0, 2.0, -1.0, 0.5, 3.0]);
    assert_eq!(z.with_coords(&p.to_coords()), p);
    assert_eq!(p.inner(&p), 1.0 + 4.0 + 1.0 + 0.25 + 9.0);

    // E = k * sum_i |x_i|^2: dE/dx_i = 2 k x_i, dE/dk = sum_i |x_i|^2; the count is data.
    let energy = |p: Particles| p.2 * p.0.iter().map(|x| x.dot(*x)).sum::<f64>();
    let grad = Particles(
        p.0.iter().map(|x| *x * (2.0 * p.2)).collect(),
        p.1,
        p.0.iter().map(|x| x.dot(*x)).sum(),
    );
    let report = check_gradient(energy, &p, &grad);
    assert!(report.passed() && report.max_rel_err < 1e-8, "{report}");
}

/// Generic over any differentiable element, with a generic data field.
#[derive(Clone, Debug, PartialEq, Differentiable)]
struct Batch<X, M> {
    items: Vec<X>,
    #[no_grad]
    meta: M,
}

/// Nested: a derived struct inside a tuple inside a struct.
#[derive(Clone, Debug, PartialEq, Differentiable)]
struct Nested {
    pair: (Batch<f32, &'static str>, [Tensor<f64, 2>; 2]),
    scale: f64,
}

#[test]
fn generic_and_nested_structs_are_differentiable() {
    fn coords<X: Differentiable>(x: &X) -> usize {
        x.num_coords()
    }
    let b = Batch {
        items: vec![(1.0_f64, tensor![2.0_f32]); 3],
        meta: vec!["a"; 5],
    };
    assert_eq!(coords(&b), 6);
    assert_eq!(b.zero_like().meta.len(), 5);

    let n = Nested {
        pair: (
            Batch {
                items: vec![1.0, 2.0],
                meta: "data",
            },
            [tensor![3.0, 4.0], tensor![5.0, 6.0]],
        ),
        scale: 7.0,
    };
    assert_eq!(n.to_coords(), [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]);
    let doubled = n.clone().scaled(2.0);
    assert_eq!(doubled.pair.0.meta, "data");
    assert_eq!(doubled.inner(&n), 2.0 * n.inner(&n));
}

/// `<u, J v> = <J^T u, v>` for a linear map from a struct to a tuple, with its transpose
/// written by hand: the identity `_vjp` and `_jvp` are checked with.
#[test]
fn inner_product_gives_the_adjoint_identity() {
    let a: Tensor<f64, 2, 2> = tensor![[1.0, 2.0], [-0.5, 3.0]];
    // J(x, s) = (A x + s 1, 2 sum(x)), so J^T(y, r) = (A^T y + 2 r 1, sum(y)).
    let j = |v: &(Tensor<f64, 2>, f64)| (a.matmul(v.0) + v.1, v.0.sum() * 2.0);
    let jt = |u: &(Tensor<f64, 2>, f64)| {
        (
            a.t().matmul(u.0) + Tensor::from_element(u.1 * 2.0),
            u.0.sum(),
        )
    };
    let v = (tensor![0.3, -1.1], 0.7);
    let u = (tensor![2.0, 0.4], -1.5);
    let lhs = u.inner(&j(&v));
    let rhs = jt(&u).inner(&v);
    assert!((lhs - rhs).abs() < 1e-14, "{lhs} vs {rhs}");
}

#[test]
fn param_of_a_struct_accumulates_a_struct_gradient() {
    let x = tensor![0.7, -1.2];
    let mut model = Param::new(Mlp::<f64, 2>::new(Activation::Tanh));
    let g1 = model.value_ref().loss_grad(x, 0.3);
    model.accumulate(g1.clone());
    model.accumulate(g1.clone());
    let grad = model.grad().unwrap_or_else(|| g1.zero_like());
    assert_eq!(grad.to_coords(), g1.clone().scaled(2.0).to_coords());
    assert_eq!(grad.name, "mlp");
    model.zero_grad();
    assert_eq!(model.grad_ref().map(|g| g.inner(g)), Some(0.0));
}

/// loss = 0.5 * sum over coordinates of x^2: gradient x itself.
fn half_squares<X: Differentiable>(x: &X) -> X {
    x.clone()
}

#[test]
fn sgd_with_momentum_steps_a_struct_as_written_out() {
    // g = p, lr 0.1, momentum 0.9, from p0:
    // t=1: b = p0,             p1 = 0.9 p0
    // t=2: b = 0.9 p0 + 0.9 p0 = 1.8 p0,  p2 = 0.9 p0 - 0.18 p0 = 0.72 p0
    // t=3: b = 1.62 p0 + 0.72 p0 = 2.34 p0, p3 = 0.72 p0 - 0.234 p0 = 0.486 p0
    let mut m = Mlp::<f32, 2>::new(Activation::Tanh);
    let p0 = m.to_coords();
    let mut opt = Sgd::with_momentum(0.1, 0.9);
    for k in [0.9, 0.72, 0.486] {
        let g = half_squares(&m);
        opt.step(&mut m, &g);
        for (p, p0) in m.to_coords().iter().zip(&p0) {
            assert!((p - k * p0).abs() < 1e-6, "{p} vs {}", k * p0);
        }
    }
    assert_eq!((m.activation, m.name.as_str()), (Activation::Tanh, "mlp"));
}

/// Three Adam steps on a derived struct against the rule written out on its coordinates.
fn adam_steps_as_written_out<T: Real>(tol: f64) {
    for wd in [0.0, 0.1] {
        let mut m = Mlp::<T, 3>::new(Activation::Identity);
        let mut opt = Adam::with_weight_decay(0.05, wd);
        let (b1, b2, eps, lr) = (0.9_f64, 0.999_f64, 1e-8, 0.05);
        let mut p = m.to_coords();
        let (mut mo, mut v) = (vec![0.0; p.len()], vec![0.0; p.len()]);
        for t in 1..=3 {
            let g = half_squares(&m);
            opt.step(&mut m, &g);
            for i in 0..p.len() {
                let g = p[i] + wd * p[i];
                mo[i] = b1 * mo[i] + (1.0 - b1) * g;
                v[i] = b2 * v[i] + (1.0 - b2) * g * g;
                let m_hat = mo[i] / (1.0 - b1.powi(t));
                let v_hat = v[i] / (1.0 - b2.powi(t));
                p[i] -= lr * m_hat / (v_hat.sqrt() + eps);
            }
            for (got, want) in m.to_coords().iter().zip(&p) {
                assert!((got - want).abs() < tol, "step {t}: {got} vs {want}");
            }
        }
        assert_eq!(m.activation, Activation::Identity);
    }
}

#[test]
fn adam_steps_a_struct_as_written_out() {
    adam_steps_as_written_out::<f64>(1e-14);
    adam_steps_as_written_out::<f32>(1e-6);
}

#[test]
fn adam_trains_a_generic_model() {
    // Fit y = 0.8 through the network at four points; the loss must fall by 100x.
    let data = [
        (tensor![0.0, 1.0], 0.8),
        (tensor![1.0, 0.0], 0.8),
        (tensor![-1.0, 0.5], 0.8),
        (tensor![0.5, -0.5], 0.8),
    ];
    let total = |m: &Mlp<f64, 4>| data.iter().map(|(x, t)| m.loss(*x, *t)).sum::<f64>();
    let mut m = Mlp::<f64, 4>::new(Activation::Tanh);
    let start = total(&m);
    let mut opt = Adam::new(0.05);
    for _ in 0..300 {
        let mut g = m.zero_like();
        for (x, t) in &data {
            g.accumulate(&m.loss_grad(*x, *t));
        }
        opt.step(&mut m, &g);
    }
    assert!(total(&m) < start / 100.0, "{start} -> {}", total(&m));
}
