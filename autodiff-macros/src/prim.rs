//! The only table of primitive operations the macro knows: each method name maps to the
//! runtime trait that holds its forward and its vector-Jacobian product.
//!
//! The macro knows names and arities, never formulas: every derivative lives in
//! `autodiff-core/src/ops/<op>.rs`. Adding an op means one line here and one file there.
//! Everything the macro knows about an op is in its `Prim`: how the forward is spelled,
//! which operands are borrowed or data, and how its adjoint accumulates; no other stage
//! tests an op's name.

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
    /// How the forward is spelled when it is not a trait call.
    pub operator: Option<Operator>,
    /// How the cotangent reaches the receiver's adjoint.
    pub accumulates: Accumulates,
    /// Takes the number of rows as a const generic (`fixed_rows::<N>(start)`), which
    /// becomes the trait's.
    pub const_generic: bool,
    /// Expensive to recompute (a transcendental function, a matrix product, a reduction
    /// through one): a loop's reverse sweep keeps its result on the tape instead of
    /// recomputing it.
    pub costly: bool,
    /// The runtime trait has `name_vjp_pair`, the VJP and its tangent in one call, which
    /// `f_hvp` then calls instead of the two (half the calls for rustc to resolve).
    pub pair: bool,
    /// An op on the same operand whose output this op's VJP needs: `sin x` and `cos x`
    /// (Rodrigues' rotation takes both), each VJP the other's output.
    pub partner: Option<Partner>,
    /// What the VJP reads of its operands' and output's values (beyond their types): a
    /// loop's reverse sweep tapes exactly that.
    pub reads: Reads,
    /// The output is a float or a tensor, whose adjoint takes contributions by `+=`; not
    /// for a factorisation or an `Option` (`cholesky`, `try_inverse`), whose adjoint
    /// accumulates through `Differentiable`.
    pub numeric: bool,
}

/// What an op's VJP reads (see `Prim::reads`). An operand or output not read still
/// reaches the VJP, for its type, as a stand-in value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reads {
    /// Every operand and the output.
    All,
    /// Only types: the op is linear (`add`, `sum`, `t`, ...).
    Nothing,
    /// The output (`exp`, `sqrt`, `tanh`, `sigmoid` take their derivative from it).
    Output,
    /// The operands, not the output (`sin`, `ln`, `relu`, `powi`, ...).
    Operands,
    /// Each differentiated operand's contribution reads the other operands, not its own
    /// (products: `mul`, `dot`, `cross`, `matmul`).
    Others,
}

impl Prim {
    /// Which operands (in `operands` order: receiver first) and whether the output the
    /// VJP reads, given which differentiated operands' contributions are wanted (in
    /// `diff_operands` order). Non-differentiated arguments (an exponent) are always read.
    pub fn reads_for(&self, operands: usize, wanted: &[bool]) -> (Vec<bool>, bool) {
        let diff: Vec<usize> = std::iter::once(0)
            .chain(
                self.args
                    .iter()
                    .enumerate()
                    .filter(|(_, a)| **a == Arg::Diff)
                    .map(|(i, _)| i + 1),
            )
            .collect();
        let is_diff = |k: usize| diff.contains(&k);
        match self.reads {
            Reads::All => (vec![true; operands], true),
            Reads::Nothing => ((0..operands).map(|k| !is_diff(k)).collect(), false),
            Reads::Output => ((0..operands).map(|k| !is_diff(k)).collect(), true),
            Reads::Operands => (vec![true; operands], false),
            Reads::Others => {
                let read = (0..operands)
                    .map(|k| !is_diff(k) || diff.iter().zip(wanted).any(|(&j, &w)| w && j != k))
                    .collect();
                (read, false)
            }
        }
    }
}

/// The partner of an op (see `Prim::partner`): where the body computes `partner(x)` beside
/// `op(x)`, the reverse sweep calls `Trait::method(partner_output, ct)` instead of the VJP,
/// which would compute it again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partner {
    pub op: &'static str,
    pub method: &'static str,
}

/// Ops that generated code spells with Rust's own syntax.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    Add,
    Sub,
    Mul,
    Div,
    Neg,
}

/// How an op's cotangent is added into its operands' adjoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accumulates {
    /// Through the op's VJP, which returns one dense contribution per operand.
    Dense,
    /// Into `N` rows of the receiver's adjoint from the second operand on, in O(N).
    Rows,
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
    reading(
        Reads::Operands,
        prim("powi", "Powi", &[Const], "PowBackward0"),
    ),
    costly(prim("powf", "Powf", &[Diff], "PowBackward0")),
    reading(
        Reads::Output,
        costly(paired(prim("exp", "Exp", &[], "ExpBackward0"))),
    ),
    reading(
        Reads::Operands,
        costly(paired(prim("ln", "Ln", &[], "LogBackward0"))),
    ),
    reading(
        Reads::Operands,
        costly(paired(prim("ln_1p", "Ln1p", &[], "Log1PBackward0"))),
    ),
    reading(
        Reads::Output,
        costly(paired(prim("sqrt", "Sqrt", &[], "SqrtBackward0"))),
    ),
    partnered(
        "cos",
        "sin_vjp_with_cos",
        reading(
            Reads::Operands,
            costly(paired(prim("sin", "Sin", &[], "SinBackward0"))),
        ),
    ),
    partnered(
        "sin",
        "cos_vjp_with_sin",
        reading(
            Reads::Operands,
            costly(paired(prim("cos", "Cos", &[], "CosBackward0"))),
        ),
    ),
    reading(
        Reads::Output,
        costly(paired(prim("tanh", "Tanh", &[], "TanhBackward0"))),
    ),
    reading(
        Reads::Output,
        costly(paired(prim("sigmoid", "Sigmoid", &[], "SigmoidBackward0"))),
    ),
    reading(
        Reads::Operands,
        paired(prim("relu", "Relu", &[], "ReluBackward0")),
    ),
    costly(prim("celu", "Celu", &[Const], "CeluBackward0")),
    reading(
        Reads::Operands,
        paired(prim("abs", "Abs", &[], "AbsBackward0")),
    ),
    prim("clamp", "Clamp", &[Const, Const], "ClampBackward1"),
    prim("max", "Max", &[Diff], "MaximumBackward0"),
    prim("min", "Min", &[Diff], "MinimumBackward0"),
    reading(
        Reads::Nothing,
        paired(prim("sum", "Sum", &[], "SumBackward0")),
    ),
    reading(
        Reads::Nothing,
        paired(prim("mean", "Mean", &[], "MeanBackward0")),
    ),
    prim("norm", "Norm", &[], "NormBackward1"),
    reading(Reads::Others, prim("dot", "Dot", &[Diff], "DotBackward0")),
    reading(
        Reads::Others,
        costly(borrowing(prim("matmul", "Matmul", &[Diff], "MmBackward0"))),
    ),
    reading(Reads::Nothing, prim("t", "Transpose", &[], "TBackward0")),
    reading(
        Reads::Others,
        prim("cross", "Cross", &[Diff], "LinalgCrossBackward0"),
    ),
    costly(prim("logsumexp", "LogSumExp", &[], "LogsumexpBackward0")),
    costly(prim("softmax", "Softmax", &[], "SoftmaxBackward0")),
    // `fixed_rows::<N>(start)`: the trait is generic over `N` (see `Prim::const_generic`).
    Prim {
        const_generic: true,
        accumulates: Accumulates::Rows,
        ..prim("fixed_rows", "FixedRows", &[Const], "SliceBackward0")
    },
    prim("vstack", "Vstack", &[Diff], "CatBackward0"),
    prim("hstack", "Hstack", &[Diff], "CatBackward0"),
    prim("concat", "Concat", &[Diff], "CatBackward0"),
    // Reductions and shape ops over whole tensors.
    prim("amax", "Amax", &[], "AmaxBackward0"),
    prim("amin", "Amin", &[], "AminBackward0"),
    reading(
        Reads::Operands,
        prim("product", "Product", &[], "ProdBackward0"),
    ),
    reading(
        Reads::Operands,
        prim("norm_squared", "NormSquared", &[], "PowBackward0"),
    ),
    reading(
        Reads::Nothing,
        prim("trace", "Trace", &[], "TraceBackward0"),
    ),
    reading(
        Reads::Others,
        prim("outer", "Outer", &[Diff], "OuterBackward0"),
    ),
    reading(
        Reads::Nothing,
        prim("diagonal", "Diagonal", &[], "DiagonalBackward0"),
    ),
    // Fixed-shape linear algebra in nalgebra's spelling; what can fail returns an
    // `Option`, which `unwrap` and `expect` open.
    costly(prim(
        "determinant",
        "Determinant",
        &[],
        "LinalgDetBackward0",
    )),
    structured(costly(prim(
        "try_inverse",
        "TryInverse",
        &[],
        "LinalgInvExBackward0",
    ))),
    structured(costly(prim(
        "cholesky",
        "FactorCholesky",
        &[],
        "LinalgCholeskyExBackward0",
    ))),
    reading(
        Reads::Nothing,
        prim("l", "CholeskyL", &[], "AliasBackward0"),
    ),
    // `chol.solve(b)` is a tensor, `lu.solve(b)` an `Option`.
    structured(costly(prim(
        "solve",
        "Solve",
        &[Diff],
        "LinalgSolveExBackward0",
    ))),
    costly(prim("inverse", "Inverse", &[], "CholeskyInverseBackward0")),
    costly(prim(
        "ln_determinant",
        "LnDeterminant",
        &[],
        "LogdetBackward0",
    )),
    structured(reading(
        Reads::Nothing,
        prim("lu", "FactorLu", &[], "LinalgLuFactorExBackward0"),
    )),
    structured(costly(prim(
        "solve_lower_triangular",
        "SolveLowerTriangular",
        &[Diff],
        "LinalgSolveTriangularBackward0",
    ))),
    structured(costly(prim(
        "solve_upper_triangular",
        "SolveUpperTriangular",
        &[Diff],
        "LinalgSolveTriangularBackward0",
    ))),
    structured(costly(prim(
        "symmetric_eigen",
        "FactorSymmetricEigen",
        &[],
        "LinalgEighBackward0",
    ))),
    // The value inside may be a factor: `k.cholesky().unwrap()`.
    structured(reading(
        Reads::Nothing,
        prim("unwrap", "Unwrap", &[], "AliasBackward0"),
    )),
    structured(reading(
        Reads::Nothing,
        prim("expect", "Expect", &[Const], "AliasBackward0"),
    )),
];

/// The method ops that act element by element, a scalar operand broadcast (their other
/// arguments are constants): the methods a `map(|v| ..)` closure may apply to its
/// parameter, whose body is then the same ops on the whole tensor.
pub const ELEMENTWISE: &[&str] = &[
    "powi", "exp", "ln", "ln_1p", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "celu", "abs",
    "clamp",
];

/// `x.map(|v| ..)`: elementwise, the closure's body differentiated as the same operations
/// on `x` (see `ELEMENTWISE`). Not a `Prim`: it lowers to the ops its body applies.
pub const MAP: &str = "map";

/// Methods that read a differentiated value's size, which carries no gradient.
pub const DATA_METHODS: &[&str] = &["len", "is_empty"];

/// `detach()`: the identity whose result carries no gradient. Not a `Prim`: it has no VJP.
pub const DETACH: &str = "detach";

/// The arithmetic operators.
pub const ADD: Prim = operator(
    Operator::Add,
    reading(
        Reads::Nothing,
        paired(prim("add", "AddVjp", &[Diff], "AddBackward0")),
    ),
);
pub const SUB: Prim = operator(
    Operator::Sub,
    reading(
        Reads::Nothing,
        paired(prim("sub", "SubVjp", &[Diff], "SubBackward0")),
    ),
);
pub const MUL: Prim = operator(
    Operator::Mul,
    reading(
        Reads::Others,
        paired(prim("mul", "MulVjp", &[Diff], "MulBackward0")),
    ),
);
pub const DIV: Prim = operator(
    Operator::Div,
    paired(prim("div", "DivVjp", &[Diff], "DivBackward0")),
);
pub const NEG: Prim = operator(
    Operator::Neg,
    reading(
        Reads::Nothing,
        paired(prim("neg", "NegVjp", &[], "NegBackward0")),
    ),
);
/// `a.t().matmul(b)`, fused so that no transpose is materialised (not a user-facing name).
pub const TR_MATMUL: Prim = costly(borrowing(prim(
    "tr_matmul",
    "TrMatmul",
    &[Diff],
    "MmBackward0",
)));

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
        operator: None,
        accumulates: Accumulates::Dense,
        const_generic: false,
        costly: false,
        pair: false,
        partner: None,
        reads: Reads::All,
        numeric: true,
    }
}

const fn structured(prim: Prim) -> Prim {
    Prim {
        numeric: false,
        ..prim
    }
}

const fn reading(reads: Reads, prim: Prim) -> Prim {
    Prim { reads, ..prim }
}

const fn paired(prim: Prim) -> Prim {
    Prim { pair: true, ..prim }
}

const fn partnered(op: &'static str, method: &'static str, prim: Prim) -> Prim {
    Prim {
        partner: Some(Partner { op, method }),
        ..prim
    }
}

const fn costly(prim: Prim) -> Prim {
    Prim {
        costly: true,
        ..prim
    }
}

const fn operator(operator: Operator, prim: Prim) -> Prim {
    Prim {
        operator: Some(operator),
        ..prim
    }
}

const fn borrowing(prim: Prim) -> Prim {
    Prim {
        by_ref: true,
        ..prim
    }
}

/// `a.t().matmul(b)` is lowered to this fused op when the receiver of `FUSED_BY` is a
/// transpose (`TRANSPOSE`), so no transpose is materialised.
pub const FUSED_BY: &str = "matmul";
pub const TRANSPOSE: &str = "t";

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
        for name in ELEMENTWISE {
            let p = method(name).expect("an elementwise op is a method op");
            assert!(p.args.iter().all(|a| *a == Arg::Const), "{name}");
        }
        assert!(method(DETACH).is_none());
    }

    /// The method lists users read name exactly the ops of this table, in its order.
    #[test]
    fn the_documented_method_lists_are_this_table() {
        let mut want: Vec<String> = METHODS
            .iter()
            .map(|p| match p.const_generic {
                true => format!("{}::<N>(start)", p.name),
                false => p.name.to_string(),
            })
            .collect();
        want.push(DETACH.to_string());
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        for (file, marker) in [("README.md", "* methods `"), ("src/lib.rs", "* Methods: `")] {
            let Ok(text) = std::fs::read_to_string(format!("{root}/{file}")) else {
                // A packaged copy of this crate has no workspace around it.
                continue;
            };
            let start = text.find(marker).expect("the list") + marker.len();
            let list: String = text[start..]
                .split('`')
                .next()
                .expect("closed")
                .replace("//!", " ");
            let got: Vec<String> = list.split_whitespace().map(str::to_string).collect();
            assert_eq!(got, want, "the method list in {file}");
        }
    }
}
