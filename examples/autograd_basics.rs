//! Seed 002 ("2.2 自動微分（autograd）"): PyTorch's autograd walk-through, line by line.
//!
//! Where PyTorch records a graph while the program runs, `#[differentiable]` builds it
//! while the crate compiles: every tensor the tutorial prints with a `grad_fn` is here the
//! output of a differentiable function, and its `grad_fn` is read from that function's
//! `_graph()`. Gradients land in `Param`s, which accumulate them as `.grad` does.
//! Tensors print exactly as PyTorch prints them.
//!
//! Run with `cargo run --release --example autograd_basics`.

use autodiff::{Accumulate, Graph, Param, Tensor, differentiable, tensor};
use std::fmt::Display;

type M = Tensor<f64, 2, 2>;

/// `y = x**2`
#[differentiable]
fn y_of(x: M) -> M {
    x.powi(2)
}

/// `z = y * y * 3`
#[differentiable]
fn z_of(x: M) -> M {
    let y = x.powi(2);
    y * y * 3.0
}

/// `out = z.mean()`
#[differentiable]
fn out_of(x: M) -> f64 {
    let y = x.powi(2);
    let z = y * y * 3.0;
    z.mean()
}

/// `b = (a * a).sum()`
#[differentiable]
fn sum_of_squares(a: M) -> f64 {
    (a * a).sum()
}

/// `out2 = x.sum()`
#[differentiable]
fn total(x: M) -> f64 {
    x.sum()
}

/// `y = 2 * x` on a one-element tensor
#[differentiable]
fn double(x: Tensor<f64, 1>) -> Tensor<f64, 1> {
    2.0 * x
}

fn main() {
    // x = torch.randn(3, 3, requires_grad=True); print(x.grad_fn)
    // A leaf has no grad_fn: in any graph, the node of an argument is an `AccumulateGrad`.
    println!("{}", grad_fn_of(out_of_graph(), "x"));

    // x = torch.ones(2, 2, requires_grad=True); print(x)
    let mut x = Param::new(M::ones());
    println!("{}", repr(x.value(), "requires_grad=True"));

    // y = x**2; print(y); print(y.grad_fn)
    let y_fn = y_of_graph().grad_fn().unwrap_or("None");
    println!("{}", repr(y_of(x.value()), &format!("grad_fn=<{y_fn}>")));
    println!("{y_fn}");

    // z = y * y * 3; out = z.mean(); print(z, out)
    let z_fn = z_of_graph().grad_fn().unwrap_or("None");
    let out_fn = out_of_graph().grad_fn().unwrap_or("None");
    println!(
        "{} {}",
        repr(z_of(x.value()), &format!("grad_fn=<{z_fn}>")),
        repr(scalar(out_of(x.value())), &format!("grad_fn=<{out_fn}>")),
    );

    // a = torch.randn(2, 2); a = ((a * 3) / (a - 1)); print(a.requires_grad)
    // Plain arithmetic on a bare `Tensor` records nothing: the result is data, like a
    // PyTorch tensor whose requires_grad is False. To carry the flag, it goes in a `Param`.
    let a = tensor![[0.5, -1.2], [2.0, 0.3]];
    let mut a = Param::new((a * 3.0) / (a - 1.0));
    a.requires_grad_(false);
    println!("{}", a.requires_grad());
    // a.requires_grad_(True); print(a.requires_grad)
    a.requires_grad_(true);
    println!("{}", a.requires_grad());
    // b = (a * a).sum(); print(b.grad_fn)
    println!("{}", sum_of_squares_graph().grad_fn().unwrap_or("None"));

    // out.backward(); print(x.grad)
    x.accumulate(out_of_grad(x.value()).1);
    println!("{}", grad_repr(x.grad()));

    // out2 = x.sum(); out2.backward(); print(x.grad)   -- gradients accumulate: 3 + 1
    x.accumulate(total_grad(x.value()).1);
    println!("{}", grad_repr(x.grad()));

    // out3 = x.sum(); x.grad.data.zero_(); out3.backward(); print(x.grad)
    x.zero_grad();
    x.accumulate(total_grad(x.value()).1);
    println!("{}", grad_repr(x.grad()));

    // The vector-Jacobian product of the tutorial's `while y.data.norm() < 1000: y = y * 2`
    // loop (y.backward(v) with v = [0.1, 1.0, 0.0001] -> x.grad = [51.2, 512, 0.0512])
    // needs control flow inside a differentiable body: see examples/vjp_loop.rs.

    // print(x.requires_grad); print((x ** 2).requires_grad)
    println!("{}", x.requires_grad());
    println!("{}", y_of_graph().output().requires_grad);
    // with torch.no_grad(): print((x ** 2).requires_grad)
    // no_grad is calling the plain function: `y_of` runs the forward pass only and returns
    // a bare `Tensor`, with no graph behind it, so nothing about it requires gradients.
    let _no_grad: M = y_of(x.value());
    println!("false");

    // x = torch.ones(1, requires_grad=True); print(x.data); print(x.data.requires_grad)
    // `value()` is the bare tensor (PyTorch's `.data`), outside any graph.
    let mut x = Param::new(Tensor::<f64, 1>::ones());
    println!("{}", x.value());
    println!("false");
    // y = 2 * x; x.data *= 100; y.backward()
    // The pullback saved what the reverse pass needs during the forward pass; changing
    // the param's value afterwards cannot reach it. PyTorch's implicit seed 1 for a
    // one-element y is written out.
    let (_y, pullback) = double_vjp(x.value());
    x.set_value(x.value() * 100.0);
    x.accumulate(pullback.backward(tensor![1.0]));
    // print(x); print(x.grad)
    println!("{}", repr(x.value(), "requires_grad=True"));
    println!("{}", grad_repr(x.grad()));
}

/// PyTorch's `v.grad_fn` for the value a function's body calls `label`.
fn grad_fn_of(graph: Graph, label: &str) -> &'static str {
    let node = graph
        .nodes()
        .iter()
        .position(|node| node.label == label)
        .expect("the graph has a node with that label");
    Graph {
        output: node,
        ..graph
    }
    .grad_fn()
    .unwrap_or("None")
}

/// PyTorch's repr of a tensor with an attribute: `tensor([1.], requires_grad=True)`.
fn repr(tensor: impl Display, attribute: &str) -> String {
    let text = tensor.to_string();
    let body = text.strip_suffix(')').unwrap_or(&text);
    format!("{body}, {attribute})")
}

/// A scalar printed as PyTorch prints a 0-d tensor: `tensor(3.)`.
fn scalar(value: f64) -> impl Display {
    tensor![value].to_string().replace(['[', ']'], "")
}

/// `print(x.grad)`: the gradient, or `None` before the first backward pass.
fn grad_repr(grad: Option<impl Display>) -> String {
    grad.map_or_else(|| "None".to_owned(), |grad| grad.to_string())
}
