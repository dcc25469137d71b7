//! Training a model held in a struct with Adam: a two-layer perceptron fitted to
//! `y = sin(2 x0) + x1²` on a fixed dataset in a slice, printing the loss as it falls.
//!
//! `cargo run --release --example train`

use autodiff::optim::Adam;
use autodiff::{Differentiable, Tensor, differentiable, tensor};

const HIDDEN: usize = 16;

#[derive(Clone, Debug, Differentiable)]
struct Mlp {
    w1: Tensor<f64, HIDDEN, 2>,
    b1: Tensor<f64, HIDDEN>,
    w2: Tensor<f64, 1, HIDDEN>,
    b2: f64,
}

impl Mlp {
    #[differentiable(wrt(self))]
    fn predict(&self, x: Tensor<f64, 2>) -> f64 {
        let h = (self.w1.matmul(x) + self.b1).tanh();
        self.w2.matmul(h)[0] + self.b2
    }
}

/// Mean squared error over the dataset.
#[differentiable(wrt(m))]
fn loss(m: &Mlp, data: &[(Tensor<f64, 2>, f64)]) -> f64 {
    let mut total = 0.0;
    for (x, y) in data.iter() {
        let err = m.w2.matmul((m.w1.matmul(*x) + m.b1).tanh())[0] + m.b2 - *y;
        total = total + err * err;
    }
    total / data.len() as f64
}

fn main() {
    // A deterministic dataset on a grid, and deterministic initial weights.
    let data: Vec<(Tensor<f64, 2>, f64)> = (0..64)
        .map(|k| {
            let x = tensor![(k % 8) as f64 / 4.0 - 1.0, (k / 8) as f64 / 4.0 - 1.0];
            (x, (2.0 * x[0]).sin() + x[1] * x[1])
        })
        .collect();
    let mut model = Mlp {
        w1: Tensor::from_fn(|r, c| ((r * 7 + c * 3) as f64 * 0.37).sin() * 0.8),
        b1: Tensor::from_fn(|r, _| ((r * 5) as f64 * 0.11).cos() * 0.1),
        w2: Tensor::from_fn(|_, c| ((c * 11) as f64 * 0.23).sin() * 0.5),
        b2: 0.0,
    };
    let mut adam = Adam::new(0.02);
    let first = loss(&model, &data);
    println!("epoch    0: loss {first:.6}");
    for epoch in 1..=400 {
        let (value, grad) = loss_grad(&model, &data);
        adam.step(&mut model, &grad);
        if epoch % 50 == 0 {
            println!("epoch {epoch:4}: loss {value:.6}");
        }
    }
    let last = loss(&model, &data);
    println!("final loss {last:.6} (from {first:.6})");
    let probe = tensor![0.5, -0.5];
    println!(
        "model({probe}) = {:.4}, target {:.4}; d model / d b2 = {:.1}",
        model.predict(probe),
        (2.0 * probe[0]).sin() + probe[1] * probe[1],
        model.predict_grad(probe).1.b2
    );
    assert!(
        last < first / 10.0,
        "the loss did not fall: {first} -> {last}"
    );
}
