//! PyTorch's gradient semantics, made static (issue #3): `Param` gradients that start as
//! `None`, accumulate and zero; `requires_grad` as a fact of the compile-time graph;
//! `detach`; no_grad as the plain function; pullbacks that own their saved values and are
//! retained by cloning; `gradcheck`; and the graph's DOT output.

use autodiff::{Accumulate, Graph, Param, Tensor, differentiable, gradcheck, tensor};
use std::collections::HashSet;

type V3 = Tensor<f64, 3>;
type M = Tensor<f64, 2, 2>;

/// Seed 002's `out = (3 * (x**2)**2).mean()`.
#[differentiable]
fn out_of(x: M) -> f64 {
    let y = x.powi(2);
    let z = y * y * 3.0;
    z.mean()
}

/// Seed 002's `out2 = x.sum()`.
#[differentiable]
fn total(x: M) -> f64 {
    x.sum()
}

/// A gradient that depends on the point: `3 x²`.
#[differentiable]
fn cube_sum(x: V3) -> f64 {
    (x * x * x).sum()
}

/// The same through a reference parameter.
#[differentiable]
fn cube_sum_ref(x: &V3) -> f64 {
    (x * x * x).sum()
}

/// Seed 003's `z = (x1 * 2).sum()`.
#[differentiable]
fn double_sum(x1: V3) -> f64 {
    (x1 * 2.0).sum()
}

/// The seeds' `calc`.
#[differentiable]
fn calc(a: V3) -> f64 {
    let b = a * 2.0 + 1.0;
    let c = b * b;
    let d = c / (c + 2.0);
    d.mean()
}

/// A differentiated weight, a data input and a detach in the middle.
#[differentiable(wrt(w))]
fn gated(w: V3, x: V3) -> f64 {
    let scaled = x * 2.0;
    let hidden = w * scaled;
    let frozen = hidden.detach();
    let gate = frozen.sigmoid();
    let out = hidden * gate;
    out.sum()
}

/// `x * stop_gradient(x)`: differentiated only through its first factor.
#[differentiable]
fn half_detached(x: V3) -> f64 {
    let frozen = x.detach();
    (x * frozen.exp()).sum()
}

/// `half_detached` with the detached value passed in as a constant.
fn half_constant(x: V3, frozen: V3) -> f64 {
    (x * frozen.map(f64::exp)).sum()
}

/// A layer with two differentiated arguments and one data argument.
#[differentiable(wrt(w, b))]
fn layer(w: Tensor<f64, 2, 3>, b: Tensor<f64, 2>, x: V3) -> f64 {
    (w.matmul(x) + b).tanh().logsumexp()
}

/// Scalars only.
#[differentiable]
fn scalar_mix(a: f64, b: f64) -> f64 {
    (a * b).sin() + a.exp() / b
}

/// A constant whose label needs escaping in DOT.
#[differentiable]
fn quoted(x: V3) -> f64 {
    (x * "2.5".parse::<f64>().unwrap_or(0.0)).sum()
}

/// A long constant with non-ASCII text: its graph label is shortened on a char boundary.
#[differentiable]
fn accented(x: V3) -> f64 {
    (x * "aéééééééééééééééééééééééé".chars().count() as f64).sum()
}

fn close(a: V3, b: V3) -> bool {
    (a - b).iter().all(|d| d.abs() <= 1e-12)
}

#[test]
fn param_gradient_is_none_until_the_first_backward() {
    let mut x = Param::new(M::ones());
    assert_eq!(x.grad(), None);
    let _ = out_of(x.value());
    assert_eq!(x.grad(), None, "the plain function is no backward pass");
    x.accumulate(out_of_grad(x.value()).1);
    assert_eq!(x.grad(), Some(M::from_element(3.0)));
}

#[test]
fn gradients_accumulate_across_backward_passes() {
    let mut x = Param::new(tensor![1.0, -2.0, 0.5]);
    let once = cube_sum_grad(x.value()).1;
    assert!(close(once, tensor![3.0, 12.0, 0.75]), "{once}");
    x.accumulate(once);
    x.accumulate(cube_sum_grad(x.value()).1);
    let (_, pullback) = cube_sum_vjp(x.value());
    x.accumulate(pullback.backward(0.5));
    assert!(close(x.grad().unwrap(), once * 2.5), "{:?}", x.grad());
}

#[test]
fn zero_grad_zeroes_and_the_next_backward_starts_from_zero() {
    let mut x = Param::new(tensor![1.0, -2.0, 0.5]);
    x.accumulate(cube_sum_grad(x.value()).1);
    x.zero_grad();
    assert_eq!(
        x.grad(),
        Some(V3::zeros()),
        "zero_grad keeps a zero gradient"
    );
    x.accumulate(calc_grad(x.value()).1);
    assert_eq!(x.grad(), Some(calc_grad(x.value()).1));
    x.clear_grad();
    assert_eq!(x.grad(), None, "clear_grad forgets the gradient");
}

#[test]
fn a_param_with_requires_grad_off_is_left_untouched() {
    let mut w = Param::new(Tensor::<f64, 2, 3>::from_row_slice(&[
        0.1, -0.2, 0.3, 0.4, -0.5, 0.6,
    ]));
    let mut b = Param::new(tensor![0.1, -0.1]);
    b.requires_grad_(false);
    let x = tensor![1.0, 2.0, -1.0];

    let (_, grads) = layer_grad(w.value(), b.value(), x);
    (&mut w, &mut b).accumulate(grads);
    assert_eq!(w.grad(), Some(grads.0));
    assert_eq!(b.grad(), None, "never touched while requires_grad is off");

    // Turned on, it accumulates; turned off again, it keeps what it has.
    b.requires_grad_(true);
    (&mut w, &mut b).accumulate(grads);
    assert_eq!(b.grad(), Some(grads.1));
    b.requires_grad_(false);
    (&mut w, &mut b).accumulate(grads);
    assert_eq!(b.grad(), Some(grads.1));
    assert_eq!(w.grad(), Some(grads.0 * 3.0));
}

/// The node of the value a function's body calls `label`.
fn node(graph: Graph, label: &str) -> autodiff::graph::Node {
    *graph
        .nodes()
        .iter()
        .find(|node| node.label == label)
        .unwrap_or_else(|| panic!("no node {label} in\n{graph}"))
}

#[test]
fn requires_grad_propagation_is_a_compile_time_fact() {
    let graph = gated_graph();
    let expected = [
        ("w", "AccumulateGrad", true),
        ("x", "Input", false),
        ("scaled", "Constant", false),
        ("hidden", "MulBackward0", true),
        ("frozen", "Detach", false),
        ("gate", "Constant", false),
        ("out", "MulBackward0", true),
    ];
    for (label, op, requires_grad) in expected {
        let node = node(graph, label);
        assert_eq!(
            (node.op, node.requires_grad),
            (op, requires_grad),
            "{label} in\n{graph}"
        );
    }
    assert_eq!(graph.grad_fn(), Some("SumBackward0"));
    assert!(graph.output().requires_grad);

    // PyTorch's rule, node by node: a computed value requires gradients exactly when one
    // of its inputs does, except that a detached value never does.
    for node in graph.nodes() {
        if node.inputs.is_empty() {
            continue;
        }
        let from_inputs = node.inputs.iter().any(|&i| graph.nodes()[i].requires_grad);
        let expected = from_inputs && node.op != "Detach";
        assert_eq!(node.requires_grad, expected, "{node:?} in\n{graph}");
    }
}

#[test]
fn the_gradient_through_detach_is_zero_for_that_path() {
    let x = tensor![0.3, -1.2, 0.8];
    let (value, grad) = half_detached_grad(x);
    assert_eq!(value, half_constant(x, x));
    // With the detached value frozen, the function is linear in x: its gradient is the
    // frozen factor, and finite differences of the constant version agree.
    let report = gradcheck(|x| half_constant(x, tensor![0.3, -1.2, 0.8]), x, grad);
    assert!(report.passed(), "{report}");
    assert!(report.max_abs_err < 1e-8, "{report}");
    assert!(close(grad, x.map(f64::exp)), "{grad}");
    // Without the detach the gradient would be (1 + x) e^x, which the check rejects.
    let undetached = |x: V3| (x * x.map(f64::exp)).sum();
    assert!(!gradcheck(undetached, x, grad).passed());

    // In `gated`, the gate is a constant: finite differences of the version that takes
    // the gate's value as data agree with the generated gradient.
    let w = tensor![0.5, -0.4, 1.5];
    let data = tensor![1.0, 2.0, -0.5];
    let gate = (w * data * 2.0).map(|h: f64| 1.0 / (1.0 + (-h).exp()));
    let with_constant_gate = |w: V3| (w * data * 2.0 * gate).sum();
    let report = gradcheck(with_constant_gate, w, gated_grad(w, data).1);
    assert!(report.passed(), "{report}");
}

#[test]
fn no_grad_is_the_plain_function() {
    let a = tensor![1.0, 2.0, 3.0];
    assert_eq!(calc(a), calc_grad(a).0);
    assert_eq!(calc(a), calc_vjp(a).0);
    let (w, b, x) = (
        Tensor::from_fn(|r, c| 0.1 * (r + 2 * c) as f64),
        tensor![0.5, -0.5],
        a,
    );
    assert_eq!(layer(w, b, x), layer_grad(w, b, x).0);
    assert_eq!(scalar_mix(0.7, 1.3), scalar_mix_grad(0.7, 1.3).0);
}

#[test]
fn changing_inputs_after_the_forward_pass_does_not_change_the_pullback() {
    let x0 = tensor![1.0, -2.0, 0.5];
    let expected = cube_sum_grad(x0).1;

    // The `.data` example: a param's value changes between forward and backward.
    let mut x = Param::new(x0);
    let (_, pullback) = cube_sum_vjp(x.value());
    x.set_value(x.value() * 100.0);
    x.accumulate(pullback.backward(1.0));
    assert_eq!(x.value(), x0 * 100.0);
    assert_eq!(x.grad(), Some(expected));

    // A reference parameter: the pullback borrows nothing, so the input may be changed
    // while the pullback is alive (this would not compile otherwise).
    let mut y = x0;
    let (_, pullback) = cube_sum_ref_vjp(&y);
    y[1] = 100.0;
    assert_eq!(pullback.backward(1.0), expected);
    assert_ne!(cube_sum_ref_grad(&y).1, expected);
}

#[test]
fn a_cloned_pullback_retains_the_graph() {
    let x0 = tensor![1.0, -2.0, 0.5];
    let once = cube_sum_grad(x0).1;
    let mut x = Param::new(x0);
    let (_, pullback) = cube_sum_vjp(x.value());
    for _ in 0..10 {
        x.accumulate(pullback.clone().backward(1.0));
    }
    assert!(close(x.grad().unwrap(), once * 10.0), "{:?}", x.grad());
    // The original is still whole after ten clones.
    assert_eq!(pullback.backward(1.0), once);

    // Seed 003's last cell: ten retained backward passes of a gradient of 2 give 20.
    let mut x1 = Param::new(tensor![0.1, 0.2, 0.3]);
    let (_, pullback) = double_sum_vjp(x1.value());
    for _ in 0..10 {
        x1.accumulate(pullback.clone().backward(1.0));
    }
    assert_eq!(x1.grad(), Some(V3::from_element(20.0)));
}

fn numbers(value: &serde_json::Value) -> Vec<f64> {
    value
        .as_array()
        .expect("an array of numbers")
        .iter()
        .map(|n| n.as_f64().expect("a number"))
        .collect()
}

/// The oracle's `seed_grad_accumulation`: PyTorch's `.grad` after each step of seed 002's
/// backward, accumulate, zero, backward sequence (3 -> 4 -> 0 -> 1).
#[test]
fn seed_grad_accumulation_matches_pytorch() {
    let oracle: serde_json::Value =
        serde_json::from_str(include_str!("data/oracle.json")).expect("oracle JSON");
    let case = oracle["cases"]
        .as_array()
        .and_then(|cases| cases.iter().find(|c| c["name"] == "seed_grad_accumulation"))
        .expect("the seed_grad_accumulation case");
    let mut x = Param::new(M::from_row_slice(&numbers(&case["inputs"][0]["values"])));
    let steps = case["sequence"].as_array().expect("a sequence of steps");
    assert_eq!(steps.len(), 4);
    for step in steps {
        let action = step["action"].as_str().expect("an action");
        let output = if action.starts_with("out = mean(3*pow(pow(x,2),2)); backward(out)") {
            let (out, grad) = out_of_grad(x.value());
            x.accumulate(grad);
            Some(out)
        } else if action.starts_with("out2 = sum(x); backward(out2)")
            || action.starts_with("out3 = sum(x); backward(out3)")
        {
            let (out, grad) = total_grad(x.value());
            x.accumulate(grad);
            Some(out)
        } else if action == "zero x.grad" {
            x.zero_grad();
            None
        } else {
            panic!("unknown step {action:?}");
        };
        let expected_output = (!step["output"].is_null()).then(|| numbers(&step["output"]));
        assert_eq!(output.map(|out| vec![out]), expected_output, "{action}");
        let grad = x.grad().expect("a gradient after the first step");
        assert_eq!(
            grad.to_row_major_vec(),
            numbers(&step["x_grad_after"]),
            "{action}"
        );
    }
}

#[test]
fn gradcheck_passes_on_generated_gradients() {
    let a = tensor![1.0, 2.0, 3.0];
    let report = gradcheck(calc, a, calc_grad(a).1);
    assert!(report.passed() && report.max_abs_err < 1e-8, "{report}");

    let w = Tensor::<f64, 2, 3>::from_row_slice(&[0.3, -0.7, 0.2, 0.9, 0.1, -0.4]);
    let b = tensor![0.05, -0.3];
    let x = tensor![1.0, -2.0, 0.5];
    let (_, (dw, db)) = layer_grad(w, b, x);
    let report = gradcheck(|w| layer(w, b, x), w, dw);
    assert!(report.passed() && report.max_abs_err < 1e-8, "{report}");
    let report = gradcheck(|b| layer(w, b, x), b, db);
    assert!(report.passed() && report.max_abs_err < 1e-8, "{report}");

    let (_, (da, db)) = scalar_mix_grad(0.7, 1.3);
    assert!(gradcheck(|a| scalar_mix(a, 1.3), 0.7, da).passed());
    assert!(gradcheck(|b| scalar_mix(0.7, b), 1.3, db).passed());
}

#[test]
fn gradcheck_fails_on_a_wrong_gradient() {
    let a = tensor![1.0, 2.0, 3.0];
    let mut wrong = calc_grad(a).1;
    wrong[1] *= 1.1;
    let report = gradcheck(calc, a, wrong);
    assert!(!report.passed(), "{report}");
    assert_eq!(report.worst.map(|(i, _, _)| i), Some(1));

    // The gradient of another function entirely.
    let (_, (da, _)) = scalar_mix_grad(0.7, 1.3);
    assert!(!gradcheck(|a| scalar_mix(a, 2.0), 0.7, da).passed());
}

/// The statements of a DOT digraph, checked for well-formedness.
#[derive(Debug)]
struct Dot {
    name: String,
    /// Node ids with their attribute lists, in declaration order.
    nodes: Vec<(String, String)>,
    edges: Vec<(String, String)>,
}

/// Parses the subset of DOT that `Graph::to_dot` writes: one `digraph name { .. }` whose
/// body holds `;`-terminated graph attributes, node declarations and edges. Fails on
/// unterminated strings, unbalanced braces or brackets, a node declared twice and an edge
/// that names an undeclared node.
fn parse_dot(text: &str) -> Result<Dot, String> {
    // Split into statements outside quoted strings, tracking nesting.
    let mut statements = Vec::new();
    let mut current = String::new();
    let (mut in_string, mut escaped) = (false, false);
    let (mut braces, mut brackets) = (0_i32, 0_i32);
    let mut header = None;
    let mut closed = false;
    for c in text.chars() {
        if closed && !c.is_whitespace() {
            return Err(format!("text after the closing brace: {c:?}"));
        }
        if in_string {
            current.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                current.push(c);
            }
            '{' => {
                braces += 1;
                if braces != 1 || header.is_some() {
                    return Err("nested or repeated `{`".into());
                }
                header = Some(std::mem::take(&mut current));
            }
            '}' => {
                braces -= 1;
                if braces != 0 {
                    return Err("unbalanced `}`".into());
                }
                if !current.trim().is_empty() {
                    return Err(format!("unterminated statement {:?}", current.trim()));
                }
                closed = true;
            }
            '[' | ']' => {
                brackets += if c == '[' { 1 } else { -1 };
                if !(0..=1).contains(&brackets) {
                    return Err("unbalanced brackets".into());
                }
                current.push(c);
            }
            ';' if brackets == 0 => statements.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    if in_string || brackets != 0 || !closed {
        return Err("unterminated string, bracket or graph".into());
    }
    let header = header.unwrap_or_default();
    let name = match header.split_whitespace().collect::<Vec<_>>()[..] {
        ["digraph", name] => name.to_owned(),
        _ => return Err(format!("bad header {header:?}")),
    };

    let mut dot = Dot {
        name,
        nodes: Vec::new(),
        edges: Vec::new(),
    };
    for statement in statements.iter().map(|s| s.trim()) {
        let is_id = |id: &str| !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric());
        if let Some((from, to)) = statement.split_once("->") {
            let (from, to) = (from.trim(), to.trim());
            if !is_id(from) || !is_id(to) {
                return Err(format!("bad edge {statement:?}"));
            }
            dot.edges.push((from.to_owned(), to.to_owned()));
        } else if let Some((id, attributes)) = statement.split_once('[') {
            let id = id.trim();
            let attributes = attributes
                .strip_suffix(']')
                .ok_or_else(|| format!("bad node {statement:?}"))?;
            if !is_id(id) {
                return Err(format!("bad node id in {statement:?}"));
            }
            if dot.nodes.iter().any(|(declared, _)| declared == id) {
                return Err(format!("node {id} declared twice"));
            }
            dot.nodes.push((id.to_owned(), attributes.to_owned()));
        } else if !statement.contains('=') {
            return Err(format!("unknown statement {statement:?}"));
        }
    }
    let declared: HashSet<&str> = dot.nodes.iter().map(|(id, _)| id.as_str()).collect();
    for (from, to) in &dot.edges {
        if !declared.contains(from.as_str()) || !declared.contains(to.as_str()) {
            return Err(format!("edge {from} -> {to} names an undeclared node"));
        }
    }
    Ok(dot)
}

fn assert_dot_matches(graph: Graph) {
    let dot = parse_dot(&graph.to_dot()).unwrap_or_else(|e| panic!("{e}\n{}", graph.to_dot()));
    assert_eq!(dot.name, graph.function);
    assert_eq!(
        dot.nodes.len(),
        graph.nodes().len(),
        "one declaration per node"
    );
    for ((_, attributes), node) in dot.nodes.iter().zip(graph.nodes()) {
        assert!(attributes.contains(node.op), "{attributes} is not {node:?}");
    }
    let edges = graph.nodes().iter().map(|n| n.inputs.len()).sum::<usize>();
    assert_eq!(dot.edges.len(), edges, "one edge per input");
    let outputs = dot
        .nodes
        .iter()
        .filter(|(_, a)| a.contains("doubleoctagon"));
    assert_eq!(outputs.count(), 1, "exactly one output node");
}

#[test]
fn graph_dot_output_is_well_formed() {
    assert_dot_matches(calc_graph());
    assert_dot_matches(gated_graph());
    assert_dot_matches(layer_graph());
    let quoted = quoted_graph();
    assert!(
        quoted.nodes().iter().any(|n| n.label.contains('"')),
        "{quoted}"
    );
    assert_dot_matches(quoted);
    let accented = accented_graph();
    assert!(
        accented.nodes().iter().any(|n| n.label.ends_with("...")),
        "{accented}"
    );
    assert_dot_matches(accented);
}

#[test]
fn the_dot_checker_rejects_malformed_graphs() {
    let good = "digraph g {\n  n0 [label=\"a\"];\n  n1 [label=\"b\"];\n  n0 -> n1;\n}\n";
    assert!(parse_dot(good).is_ok());
    let bad = [
        "digraph g {\n  n0 [label=\"a\"];\n",
        "digraph g {\n  n0 [label=\"a\"];\n}\n}\n",
        "digraph g {\n  n0 [label=\"a];\n}\n",
        "digraph g {\n  n0 [label=\"a\"];\n  n0 [label=\"b\"];\n}\n",
        "digraph g {\n  n0 [label=\"a\"];\n  n0 -> n1;\n}\n",
        "digraph g {\n  n0 [label=\"a\"\n}\n",
    ];
    for text in bad {
        assert!(parse_dot(text).is_err(), "accepted {text:?}");
    }
}
