//! The only table of primitive operations the macro knows: each method name maps to the
//! runtime trait that holds its forward and its vector-Jacobian product.
//!
//! The macro knows names and arities, never formulas: every derivative lives in
//! `autodiff-core/src/ops/<op>.rs`. Adding an op means one line here and one file there.

/// One differentiable primitive.
#[derive(Debug)]
pub struct Prim {
    /// The method name users write (`x.exp()`); operators use their trait's name.
    pub name: &'static str,
    /// The runtime trait in `autodiff::__private::ops` (forward `name`, VJP `name_vjp`).
    pub trait_name: &'static str,
    /// The arguments after the receiver, in order.
    pub args: &'static [Arg],
    /// PyTorch's name for the node this op creates (`grad_fn`).
    pub grad_fn: &'static str,
    /// The runtime takes the operands and the output by reference, and its VJP the
    /// contributions wanted (matrix products, whose operands may be large enough that
    /// copying them would cost, and whose unwanted products are worth skipping).
    pub by_ref: bool,
}

/// How an argument after the receiver takes part in differentiation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arg {
    /// A value the gradient flows into (the VJP returns a contribution for it).
    Diff,
    /// A parameter of the op (an exponent, `alpha`, a start row): never differentiated.
    Const,
}

use Arg::{Const, Diff};

/// Method ops, in the order the docs list them.
pub const METHODS: &[Prim] = &[
    prim("powi", "Powi", &[Const], "PowBackward0"),
    prim("powf", "Powf", &[Diff], "PowBackward0"),
    prim("exp", "Exp", &[], "ExpBackward0"),
    prim("ln", "Ln", &[], "LogBackward0"),
    prim("sqrt", "Sqrt", &[], "SqrtBackward0"),
    prim("sin", "Sin", &[], "SinBackward0"),
    prim("cos", "Cos", &[], "CosBackward0"),
    prim("tanh", "Tanh", &[], "TanhBackward0"),
    prim("sigmoid", "Sigmoid", &[], "SigmoidBackward0"),
    prim("relu", "Relu", &[], "ReluBackward0"),
    prim("celu", "Celu", &[Const], "CeluBackward0"),
    prim("abs", "Abs", &[], "AbsBackward0"),
    prim("sum", "Sum", &[], "SumBackward0"),
    prim("mean", "Mean", &[], "MeanBackward0"),
    prim("norm", "Norm", &[], "NormBackward1"),
    prim("dot", "Dot", &[Diff], "DotBackward0"),
    borrowing(prim("matmul", "Matmul", &[Diff], "MmBackward0")),
    prim("t", "Transpose", &[], "TBackward0"),
    prim("cross", "Cross", &[Diff], "LinalgCrossBackward0"),
    prim("logsumexp", "LogSumExp", &[], "LogsumexpBackward0"),
    prim("softmax", "Softmax", &[], "SoftmaxBackward0"),
    // `fixed_rows::<N>(start)`: the trait is generic over `N` (see `Prim::const_generic`).
    prim("fixed_rows", "FixedRows", &[Const], "SliceBackward0"),
];

/// `detach()`: the identity whose result carries no gradient. Not a `Prim`: it has no VJP.
pub const DETACH: &str = "detach";

/// The arithmetic operators.
pub const ADD: Prim = prim("add", "AddVjp", &[Diff], "AddBackward0");
pub const SUB: Prim = prim("sub", "SubVjp", &[Diff], "SubBackward0");
pub const MUL: Prim = prim("mul", "MulVjp", &[Diff], "MulBackward0");
pub const DIV: Prim = prim("div", "DivVjp", &[Diff], "DivBackward0");
pub const NEG: Prim = prim("neg", "NegVjp", &[], "NegBackward0");
/// `a.t().matmul(b)`, fused so that no transpose is materialised (not a user-facing name).
pub const TR_MATMUL: Prim = borrowing(prim("tr_matmul", "TrMatmul", &[Diff], "MmBackward0"));
/// `x[i]`, `x[(r, c)]`: the VJP scatters the cotangent into a zero tensor.
pub const INDEX: Prim = prim("index", "IndexVjp", &[Const], "SelectBackward0");

const fn prim(
    name: &'static str,
    trait_name: &'static str,
    args: &'static [Arg],
    grad_fn: &'static str,
) -> Prim {
    Prim {
        name,
        trait_name,
        args,
        grad_fn,
        by_ref: false,
    }
}

const fn borrowing(prim: Prim) -> Prim {
    Prim {
        by_ref: true,
        ..prim
    }
}

impl Prim {
    /// Whether the op takes a const generic (`fixed_rows::<N>`) that becomes the trait's.
    pub fn const_generic(&self) -> bool {
        self.name == "fixed_rows"
    }
}

/// The method op called `name`, if there is one.
pub fn method(name: &str) -> Option<&'static Prim> {
    METHODS.iter().find(|p| p.name == name)
}

/// The names users may call, for error messages.
pub fn method_names() -> String {
    let mut names: Vec<&str> = METHODS.iter().map(|p| p.name).collect();
    names.push(DETACH);
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_found() {
        for (i, p) in METHODS.iter().enumerate() {
            assert!(
                METHODS[i + 1..].iter().all(|q| q.name != p.name),
                "{}",
                p.name
            );
            assert_eq!(method(p.name).map(|q| q.trait_name), Some(p.trait_name));
        }
        assert!(method("frobnicate").is_none());
        assert!(method(DETACH).is_none());
    }
}
