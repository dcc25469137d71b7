//! The computation graph of the seeds' `calc`, as `#[differentiable]` built it while the
//! crate compiled: printed node by node, its `grad_fn`, and written as Graphviz DOT.
//!
//! Run with `cargo run --release --example graph`; render the file it names with
//! `dot -Tsvg calc.dot -o calc.svg`.

use autodiff::{Tensor, differentiable};
use std::{fs, io};

#[differentiable]
fn calc(a: Tensor<f64, 3>) -> f64 {
    let b = a * 2.0 + 1.0;
    let c = b * b;
    let d = c / (c + 2.0);
    d.mean()
}

fn main() -> io::Result<()> {
    let graph = calc_graph();
    // One line per node: its label, PyTorch's name for the op, inputs, requires_grad.
    println!("{graph}");
    // out.grad_fn
    println!("grad_fn: {}", graph.grad_fn().unwrap_or("None"));

    let dot = graph.to_dot();
    let path = std::env::temp_dir().join("calc.dot");
    fs::write(&path, &dot)?;
    println!("wrote {}", path.display());
    print!("{dot}");
    Ok(())
}
