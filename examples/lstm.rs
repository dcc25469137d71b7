//! An LSTM cell returning `(h, c)`, called in a loop over a sequence held in a slice:
//! the gradient of a sequence loss with respect to every weight (a struct) and to the
//! inputs, checked against central differences, then a few steps of gradient descent.
//!
//! `cargo run --release --example lstm`

use autodiff::{Differentiable, Tensor, check_gradient, differentiable, tensor};

const H: usize = 3;
const X: usize = 2;

#[derive(Clone, Debug, Differentiable)]
struct Lstm {
    wi: Tensor<f64, H, X>,
    ui: Tensor<f64, H, H>,
    bi: Tensor<f64, H>,
    wf: Tensor<f64, H, X>,
    uf: Tensor<f64, H, H>,
    bf: Tensor<f64, H>,
    wo: Tensor<f64, H, X>,
    uo: Tensor<f64, H, H>,
    bo: Tensor<f64, H>,
    wg: Tensor<f64, H, X>,
    ug: Tensor<f64, H, H>,
    bg: Tensor<f64, H>,
}

impl Lstm {
    /// One step: the new hidden state and cell state.
    #[differentiable]
    fn cell(
        &self,
        x: Tensor<f64, X>,
        h: Tensor<f64, H>,
        c: Tensor<f64, H>,
    ) -> (Tensor<f64, H>, Tensor<f64, H>) {
        let i = (self.wi.matmul(x) + self.ui.matmul(h) + self.bi).sigmoid();
        let f = (self.wf.matmul(x) + self.uf.matmul(h) + self.bf).sigmoid();
        let o = (self.wo.matmul(x) + self.uo.matmul(h) + self.bo).sigmoid();
        let g = (self.wg.matmul(x) + self.ug.matmul(h) + self.bg).tanh();
        let c2 = f * c + i * g;
        (o * c2.tanh(), c2)
    }
}

/// Runs the cell over the sequence and scores the last hidden state against a target.
#[differentiable(wrt(lstm, xs))]
fn sequence_loss(lstm: &Lstm, xs: &[Tensor<f64, X>], target: Tensor<f64, H>) -> f64 {
    let mut h = Tensor::zeros();
    let mut c = Tensor::zeros();
    for x in xs.iter() {
        let (h2, c2) = lstm.cell(*x, h, c);
        h = h2;
        c = c2;
    }
    let d = h - target;
    d.dot(d)
}

fn weights(salt: f64) -> Tensor<f64, H, X> {
    Tensor::from_fn(|r, c| ((r * 3 + c) as f64 * 0.7 + salt).sin() * 0.5)
}

fn square(salt: f64) -> Tensor<f64, H, H> {
    Tensor::from_fn(|r, c| ((r * 5 + c) as f64 * 0.3 + salt).cos() * 0.4)
}

fn main() {
    let mut lstm = Lstm {
        wi: weights(0.1),
        ui: square(0.2),
        bi: Tensor::zeros(),
        wf: weights(1.1),
        uf: square(1.2),
        bf: Tensor::ones(),
        wo: weights(2.1),
        uo: square(2.2),
        bo: Tensor::zeros(),
        wg: weights(3.1),
        ug: square(3.2),
        bg: Tensor::zeros(),
    };
    let xs: Vec<Tensor<f64, X>> = (0..6)
        .map(|t| tensor![(t as f64 * 0.9).sin(), (t as f64 * 0.4).cos()])
        .collect();
    let target = tensor![0.2, -0.1, 0.4];

    let (value, (grad, grad_xs)) = sequence_loss_grad(&lstm, &xs, target);
    println!("loss {value:.6}");
    println!("d loss / d bf = {}", grad.bf);
    println!("d loss / d x0 = {}", grad_xs[0]);
    let report =
        check_gradient(|m: Lstm| sequence_loss(&m, &xs, target), &lstm, &grad).within(1e-7, 1e-5);
    println!("weights against central differences: {report}");
    assert!(report.passed());
    let report = check_gradient(
        |xs: Vec<Tensor<f64, X>>| sequence_loss(&lstm, &xs, target),
        &xs,
        &grad_xs,
    )
    .within(1e-7, 1e-5);
    println!("inputs against central differences:  {report}");
    assert!(report.passed());

    for step in 1..=30 {
        let (value, (grad, _)) = sequence_loss_grad(&lstm, &xs, target);
        lstm.accumulate(&grad.scaled(-0.5));
        if step % 10 == 0 {
            println!("step {step:2}: loss {value:.6}");
        }
    }
    assert!(sequence_loss(&lstm, &xs, target) < value);
}
