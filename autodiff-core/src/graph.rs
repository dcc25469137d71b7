//! [`Graph`]: the compile-time computation graph of a `#[differentiable]` function, kept
//! for inspection at run time.

use core::fmt;

/// The computation graph `#[differentiable]` built for a function, as `f_graph()`
/// returns it. Nodes are in execution order; the output's node is the analogue of
/// PyTorch's `grad_fn`.
///
/// `#[differentiable] fn f` generates `f_graph()`, which returns such a value. Written
/// out by hand for `out = (x * 3.0).mean()`:
///
/// ```
/// use autodiff_core::graph::{Graph, Node};
///
/// let graph = Graph {
///     function: "out",
///     nodes: &[
///         Node { label: "x", op: "AccumulateGrad", inputs: &[], requires_grad: true },
///         Node { label: "3.0", op: "Constant", inputs: &[], requires_grad: false },
///         Node { label: "z", op: "MulBackward0", inputs: &[0, 1], requires_grad: true },
///         Node { label: "", op: "MeanBackward0", inputs: &[2], requires_grad: true },
///     ],
///     output: 3,
/// };
/// assert_eq!(graph.grad_fn(), Some("MeanBackward0"));
/// assert!(graph.to_dot().starts_with("digraph out {"));
/// println!("{graph}");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Graph {
    /// The function's name.
    pub function: &'static str,
    /// The nodes, in execution order.
    pub nodes: &'static [Node],
    /// The node of the returned value.
    pub output: usize,
}

/// One value of a [`Graph`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Node {
    /// The user's variable name, or the expression for a constant; may be empty.
    pub label: &'static str,
    /// PyTorch's name for the operation that made it (`MulBackward0`), `AccumulateGrad`
    /// for a parameter that requires gradients, `Input` for one that does not, `Constant`
    /// for a value computed from neither, `Detach` for a detached value.
    pub op: &'static str,
    /// The nodes it was computed from.
    pub inputs: &'static [usize],
    /// Whether it depends on a differentiated parameter (PyTorch's `requires_grad`).
    pub requires_grad: bool,
}

impl Graph {
    /// The nodes in execution order.
    pub fn nodes(&self) -> &'static [Node] {
        self.nodes
    }

    /// The node of the returned value.
    pub fn output(&self) -> &'static Node {
        &self.nodes[self.output]
    }

    /// The operation that produced the output, if the output requires gradients
    /// (PyTorch's `out.grad_fn`; `None` like a leaf or a constant).
    pub fn grad_fn(&self) -> Option<&'static str> {
        let out = self.output();
        (out.requires_grad && !matches!(out.op, "AccumulateGrad" | "Input" | "Constant"))
            .then_some(out.op)
    }

    /// The graph in Graphviz DOT: one node per value, edges from inputs to results,
    /// values that require gradients drawn solid and constants dashed.
    pub fn to_dot(&self) -> String {
        let mut dot = format!("digraph {} {{\n  rankdir=LR;\n", self.function);
        for (i, node) in self.nodes.iter().enumerate() {
            let style = if node.requires_grad {
                "solid"
            } else {
                "dashed"
            };
            let shape = if i == self.output {
                "doubleoctagon"
            } else {
                "box"
            };
            let label = if node.label.is_empty() {
                node.op.to_string()
            } else {
                format!("{}\\n{}", escape(node.label), node.op)
            };
            dot.push_str(&format!(
                "  n{i} [label=\"{label}\", shape={shape}, style={style}];\n"
            ));
        }
        for (i, node) in self.nodes.iter().enumerate() {
            for input in node.inputs {
                dot.push_str(&format!("  n{input} -> n{i};\n"));
            }
        }
        dot.push_str("}\n");
        dot
    }
}

fn escape(label: &str) -> String {
    label.replace('\\', "\\\\").replace('"', "\\\"")
}

/// One line per node: `%2 b = AddBackward0(%0, %1) requires_grad`.
/// Where `f_graph()` keeps its graph: `#[differentiable]` emits the nodes as one line of
/// text each (`op`, `requires_grad` as `0` or `1`, comma-separated inputs and the label,
/// tab-separated), decoded on the first call and kept for the program's lifetime. One
/// string literal costs rustc next to nothing; a static table of thousands of struct
/// literals was a sizable part of checking a long function.
#[doc(hidden)]
pub struct GraphCell(std::sync::OnceLock<Graph>);

impl GraphCell {
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        GraphCell(std::sync::OnceLock::new())
    }

    /// The graph `text` encodes (decoded once).
    pub fn get(&'static self, function: &'static str, text: &'static str, output: usize) -> Graph {
        *self.0.get_or_init(|| decode(function, text, output))
    }
}

fn decode(function: &'static str, text: &'static str, output: usize) -> Graph {
    let fields: Vec<[&'static str; 4]> = text
        .lines()
        .map(|line| {
            let mut parts = line.splitn(4, '\t');
            [(); 4].map(|_| parts.next().unwrap_or(""))
        })
        .collect();
    let mut inputs = Vec::new();
    let mut ranges = Vec::with_capacity(fields.len());
    for [_, _, ins, _] in &fields {
        let start = inputs.len();
        inputs.extend(ins.split(',').filter_map(|i| i.parse::<usize>().ok()));
        ranges.push(start..inputs.len());
    }
    // Leaked once per function: `Graph` hands out `&'static` nodes.
    let inputs: &'static [usize] = Vec::leak(inputs);
    let nodes: Vec<Node> = fields
        .iter()
        .zip(ranges)
        .map(|([op, requires_grad, _, label], range)| Node {
            label,
            op,
            inputs: &inputs[range],
            requires_grad: *requires_grad == "1",
        })
        .collect();
    Graph {
        function,
        nodes: Vec::leak(nodes),
        output,
    }
}

impl fmt::Display for Graph {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "graph {}:", self.function)?;
        for (i, node) in self.nodes.iter().enumerate() {
            let inputs: Vec<String> = node.inputs.iter().map(|i| format!("%{i}")).collect();
            write!(f, "  %{i}")?;
            if !node.label.is_empty() {
                write!(f, " {}", node.label)?;
            }
            write!(f, " = {}", node.op)?;
            if !inputs.is_empty() {
                write!(f, "({})", inputs.join(", "))?;
            }
            if node.requires_grad {
                write!(f, " requires_grad")?;
            }
            writeln!(f)?;
        }
        write!(f, "  return %{}", self.output)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NODES: &[Node] = &[
        Node {
            label: "x",
            op: "AccumulateGrad",
            inputs: &[],
            requires_grad: true,
        },
        Node {
            label: "2.0",
            op: "Constant",
            inputs: &[],
            requires_grad: false,
        },
        Node {
            label: "y",
            op: "MulBackward0",
            inputs: &[0, 1],
            requires_grad: true,
        },
    ];
    const GRAPH: Graph = Graph {
        function: "f",
        nodes: NODES,
        output: 2,
    };

    #[test]
    fn prints_one_line_per_node() {
        assert_eq!(
            GRAPH.to_string(),
            "graph f:\n  %0 x = AccumulateGrad requires_grad\n  %1 2.0 = Constant\n  %2 y = MulBackward0(%0, %1) requires_grad\n  return %2"
        );
        assert_eq!(GRAPH.grad_fn(), Some("MulBackward0"));
    }

    #[test]
    fn dot_has_every_node_and_edge() {
        let dot = GRAPH.to_dot();
        assert!(dot.starts_with("digraph f {"));
        assert!(dot.contains("n2 [label=\"y\\nMulBackward0\", shape=doubleoctagon, style=solid];"));
        assert!(dot.contains("n1 [label=\"2.0\\nConstant\", shape=box, style=dashed];"));
        assert!(dot.contains("n0 -> n2;"));
        assert!(dot.contains("n1 -> n2;"));
        assert!(dot.trim_end().ends_with('}'));
    }

    #[test]
    fn the_compact_text_decodes_to_the_same_graph() {
        static CELL: GraphCell = GraphCell::new();
        let text = "AccumulateGrad\t1\t\tx\nConstant\t0\t\t2.0\nMulBackward0\t1\t0,1\ty";
        assert_eq!(CELL.get("f", text, 2), GRAPH);
        // Decoded once: the second call hands out the same nodes.
        assert!(std::ptr::eq(
            CELL.get("f", text, 2).nodes,
            CELL.get("f", text, 2).nodes
        ));
    }

    #[test]
    fn a_leaf_or_constant_output_has_no_grad_fn() {
        let leaf = Graph { output: 0, ..GRAPH };
        assert_eq!(leaf.grad_fn(), None);
        let constant = Graph { output: 1, ..GRAPH };
        assert_eq!(constant.grad_fn(), None);
    }
}
