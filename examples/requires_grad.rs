//! Seed 003 ("自動微分"): `requires_grad`, its propagation, and `backward()`, cell by cell.
//!
//! PyTorch's `requires_grad` plays two parts, and each has its own home here:
//! * on a leaf, "may a backward pass write to my `.grad`": the flag of a [`Param`];
//! * on a computed value, "does it depend on something differentiated": a fact the macro
//!   settles at compile time, readable from the function's `_graph()` nodes.
//!
//! The cells whose Python raises an exception are compile errors in Rust; each is kept as
//! a comment that names the trybuild test holding it and its exact error.
//!
//! Run with `cargo run --release --example requires_grad`.

use autodiff::{Accumulate, Graph, Param, Tensor, differentiable, tensor};

type V3 = Tensor<f64, 3>;

/// In [6]: `x1` is differentiated and `x2` is not, so `x2` is a constant of the graph.
#[differentiable(wrt(x1))]
fn propagation(x1: V3, x2: V3) -> f64 {
    let z1 = x1 * 2.0;
    let z2 = x2 * 2.0;
    let z3 = x1 * x2;
    // Sum all three so that each takes part in the result.
    (z1 + z2 + z3).sum()
}

/// In [15]: `z = x1 * x2`
#[differentiable]
fn product(x1: f64, x2: f64) -> f64 {
    x1 * x2
}

/// In [17] and [39]: `z = (x1 * 2).sum()`
#[differentiable]
fn double_sum(x1: V3) -> f64 {
    (x1 * 2.0).sum()
}

fn main() {
    // In [2]: x1 = torch.tensor([0.1, 0.2, 0.3]); x1.requires_grad           -> False
    // A bare `Tensor` is PyTorch's default: data that no backward pass writes to. To ask
    // it the question, hold it in a param with the flag off.
    let mut x1 = Param::new(tensor![0.1, 0.2, 0.3]);
    x1.requires_grad_(false);
    println!("{}", x1.requires_grad());

    // In [3]: torch.tensor([0.1, 0.2, 0.3], requires_grad=True)               -> True
    let mut x1 = Param::new(tensor![0.1, 0.2, 0.3]);
    println!("{}", x1.requires_grad());

    // In [4]: x1.requires_grad = False                                         -> False
    x1.requires_grad_(false);
    println!("{}", x1.requires_grad());

    // In [5]: x1.requires_grad_(True)                                          -> True
    x1.requires_grad_(true);
    println!("{}", x1.requires_grad());

    // In [23]: torch.tensor([1, 2, 3], requires_grad=True)
    //   -> "Only Tensors of floating point and complex dtype can require gradients"
    // In Rust this does not compile (tests/ui/fail/integer-param-requires-grad.rs):
    //
    //     let x1 = Param::new(Tensor::<i32, 3>::zeros());
    //     // error[E0277]: only floating-point tensors can require gradients, and
    //     //               `Tensor<i32, 3>` is not one
    //
    // and neither does differentiating an integer argument of a `#[differentiable]`
    // function (tests/ui/fail/integer-tensor-gradient.rs).

    // In [6]: z1 = x1 * 2; z2 = x2 * 2; z3 = x1 * x2; print each requires_grad
    //   -> True False True
    // Propagation is decided while the crate compiles: a value requires gradients when it
    // depends on an argument named in `wrt`. `propagation_graph()` records the verdict.
    let graph = propagation_graph();
    for z in ["z1", "z2", "z3"] {
        println!("{}", requires_grad_of(graph, z));
    }

    // In [15]: x1 = torch.tensor(2., requires_grad=True)
    //          x2 = torch.tensor(5., requires_grad=False)
    //          z = x1 * x2; z.backward(); print(x1.grad); print(x2.grad)   -> 5, None
    // The backward pass skips x2 because its flag is off. (Leaving it out of `wrt`, as
    // `propagation` does, would not even compute its gradient.)
    let mut x1 = Param::new(2.0);
    let mut x2 = Param::new(5.0);
    x2.requires_grad_(false);
    let (_z, grads) = product_grad(x1.value(), x2.value());
    (&mut x1, &mut x2).accumulate(grads);
    println!("{}", grad_repr(x1.grad().map(scalar)));
    println!("{}", grad_repr(x2.grad().map(scalar)));

    // In [17]: x1 = torch.tensor([0.1, 0.2, 0.3], requires_grad=True)
    //          z = (x1 * 2).sum(); z.backward(); print(x1.grad)           -> [2., 2., 2.]
    let mut x1 = Param::new(tensor![0.1, 0.2, 0.3]);
    x1.accumulate(double_sum_grad(x1.value()).1);
    println!("{}", grad_repr(x1.grad()));

    // In [22]: z = x1 * 2; z.backward()
    //   -> "grad can be implicitly created only for scalar outputs"
    // `_grad` of a function with a tensor output does not compile
    // (tests/ui/fail/grad-of-non-scalar-output.rs): call `_vjp` and pass a seed of the
    // output's shape to `backward` instead.

    // In [35]: z.backward(); z.backward()
    //   -> "Trying to backward through the graph a second time ..."
    // `backward` consumes the pullback, so a second call is a use of a moved value
    // (tests/ui/fail/backward-twice.rs):
    //
    //     let (_z, pullback) = double_sum_vjp(x1.value());
    //     let first = pullback.backward(1.0);
    //     let second = pullback.backward(1.0); // error[E0382]: use of moved value
    //
    // and so is cloning it afterwards (tests/ui/fail/use-consumed-pullback.rs).

    // In [39]: for _ in range(10): z.backward(retain_graph=True); print(x1.grad)
    // Cloning the pullback retains the graph; the ten gradients of 2 accumulate to 20.
    let mut x1 = Param::new(tensor![0.1, 0.2, 0.3]);
    let (_z, pullback) = double_sum_vjp(x1.value());
    for _ in 0..10 {
        x1.accumulate(pullback.clone().backward(1.0));
    }
    println!("{}", grad_repr(x1.grad()));
}

/// PyTorch's `v.requires_grad` for the value a function's body calls `label`.
fn requires_grad_of(graph: Graph, label: &str) -> bool {
    graph
        .nodes()
        .iter()
        .find(|node| node.label == label)
        .expect("the graph has a node with that label")
        .requires_grad
}

/// A scalar as PyTorch prints a 0-d tensor: `tensor(5.)`.
fn scalar(value: f64) -> String {
    tensor![value].to_string().replace(['[', ']'], "")
}

/// `print(x.grad)`: the gradient, or `None` before the first backward pass.
fn grad_repr(grad: Option<impl std::fmt::Display>) -> String {
    grad.map_or_else(|| "None".to_owned(), |grad| grad.to_string())
}
