//! Seeds 000 and 004: a 3-10-10-1 perceptron with CELU activations and a squared-error
//! loss against 0, differentiated with respect to all three weight matrices.
//!
//! The tutorial draws its weights with `torch.randn`; this example reads the weights that
//! PyTorch drew with `torch.manual_seed(0)` from the oracle file, so every printed number
//! can be compared with PyTorch's (`tests/oracle.rs` does so to 1e-12).
//!
//! Run with `cargo run --release --example mlp`.

use autodiff::{Tensor, differentiable, tensor};

#[differentiable(wrt(w1, w2, w3))]
fn loss(
    w1: &Tensor<f64, 3, 10>,
    w2: &Tensor<f64, 10, 10>,
    w3: &Tensor<f64, 10, 1>,
    x: Tensor<f64, 3>,
    t: Tensor<f64, 1>,
) -> f64 {
    let h1 = w1.t().matmul(x).celu(1.0);
    let h2 = w2.t().matmul(h1).celu(1.0);
    let y = w3.t().matmul(h2).celu(1.0);
    (y - t).powi(2).mean()
}

/// The weights PyTorch drew, stored in the oracle file.
fn weight<const R: usize, const C: usize>(name: &str) -> Tensor<f64, R, C> {
    let oracle: serde_json::Value =
        serde_json::from_str(include_str!("../tests/data/oracle.json")).expect("oracle JSON");
    let case = oracle["cases"]
        .as_array()
        .and_then(|cases| cases.iter().find(|c| c["name"] == "mlp_celu_3layer"))
        .expect("the MLP case");
    let values: Vec<f64> = case["inputs"]
        .as_array()
        .and_then(|inputs| inputs.iter().find(|i| i["name"] == name))
        .and_then(|input| input["values"].as_array())
        .expect("the weight's values")
        .iter()
        .map(|v| v.as_f64().expect("a number"))
        .collect();
    Tensor::from_row_slice(&values)
}

fn main() {
    let w1 = weight::<3, 10>("W1");
    let w2 = weight::<10, 10>("W2");
    let w3 = weight::<10, 1>("W3");
    let x = tensor![1.0, -2.0, 3.0];
    let t = Tensor::zeros();

    let (l, (g1, g2, g3)) = loss_grad(&w1, &w2, &w3, x, t);
    println!("l = {l:.4}");
    println!("W1.grad =\n{g1}");
    println!("W2.grad =\n{g2}");
    println!("W3.grad =\n{g3}");
}
