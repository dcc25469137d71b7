//! The only table of primitive operations the macro knows: each method name maps to the
//! runtime trait that holds its forward and its vector-Jacobian product.
//!
//! The macro knows names and arities, never formulas: every derivative lives in
//! `autodiff-core/src/ops/<op>.rs`. Adding an op means one line here and one file there
//! (declared in `ops/mod.rs`); the error message's list of methods and README's method
//! table, with each gradient's convention, are rendered from this table (a test compares
//! README's, and `AUTODIFF_BLESS=1 cargo test -p autodiff-macros` rewrites it).
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
    /// Where and how the README's method table lists the op (`None` for ops users do not
    /// spell as methods: the operators, the fused `tr_matmul`).
    pub doc: Option<Doc>,
    /// The output is a float or a tensor, whose adjoint takes contributions by `+=`; not
    /// for a factorisation or an `Option` (`cholesky`, `try_inverse`), whose adjoint
    /// accumulates through `Differentiable`.
    pub numeric: bool,
}

/// An op's row in the README's method table (rendered and checked by this file's tests;
/// the macro itself reads only the group, for its error message).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Doc {
    pub group: Group,
    /// The arguments after the receiver as users write them (`"lo, hi"` for `clamp`).
    #[cfg_attr(not(test), allow(dead_code))]
    pub args: &'static str,
    /// The gradient's convention, at kinks and singular inputs above all.
    #[cfg_attr(not(test), allow(dead_code))]
    pub convention: &'static str,
}

/// The groups of the README's method table, in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// Functions of each element: on floats and elementwise on tensors.
    Elementwise,
    /// A tensor to a float.
    Reductions,
    LinearAlgebra,
    Shape,
}

impl Group {
    pub const ALL: [Group; 4] = [
        Group::Elementwise,
        Group::Reductions,
        Group::LinearAlgebra,
        Group::Shape,
    ];

    /// The group's name, as error messages and the README's headings spell it.
    pub fn name(self) -> &'static str {
        match self {
            Group::Elementwise => "elementwise",
            Group::Reductions => "reductions",
            Group::LinearAlgebra => "linear algebra",
            Group::Shape => "shape",
        }
    }
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

/// Method ops, in the order the docs list them (by group, see `Doc`). Laid out by hand, one
/// line per elementwise function: name, runtime trait, PyTorch node, what its VJP reads,
/// whether a loop tapes its result rather than recomputing it, its gradient's convention.
#[rustfmt::skip]
pub const METHODS: &[Prim] = &[
    // Elementwise, on floats and tensors.
    listed(Group::Elementwise, "n", "`n xⁿ⁻¹`; 0 for `n = 0`, at `x = 0` too",
        reading(Reads::Operands, prim("powi", "Powi", &[Const], "PowBackward0"))),
    listed(Group::Elementwise, "p",
        "`p xᵖ⁻¹`, and `ln(x) xᵖ` for `p`, taken as 0 where `x = 0` and `p ≥ 0` (PyTorch)",
        costly(prim("powf", "Powf", &[Diff], "PowBackward0"))),
    unary("exp", "Exp", "ExpBackward0", Reads::Output, true, "smooth; the gradient reuses eˣ"),
    unary("exp2", "Exp2", "Exp2Backward0", Reads::Output, true, "smooth"),
    unary("exp_m1", "ExpM1", "Expm1Backward0", Reads::Output, true, "smooth"),
    unary("ln", "Ln", "LogBackward0", Reads::Operands, true, "`1/x`: ∞ at 0, NaN below"),
    unary("ln_1p", "Ln1p", "Log1PBackward0", Reads::Operands, true, "`1/(1 + x)`: ∞ at -1"),
    unary("log2", "Log2", "Log2Backward0", Reads::Operands, true, "`1/(x ln 2)`: ∞ at 0"),
    unary("log10", "Log10", "Log10Backward0", Reads::Operands, true, "`1/(x ln 10)`: ∞ at 0"),
    unary("sqrt", "Sqrt", "SqrtBackward0", Reads::Output, true, "`1/(2√x)`: ∞ at 0"),
    unary("cbrt", "Cbrt", "PowBackward0", Reads::Output, true, "`1/(3∛x²)`: ∞ at 0"),
    unary("recip", "Recip", "ReciprocalBackward0", Reads::Output, false, "`-1/x²`: ∞ at 0"),
    partnered("cos", "sin_vjp_with_cos",
        unary("sin", "Sin", "SinBackward0", Reads::Operands, true, "smooth")),
    partnered("sin", "cos_vjp_with_sin",
        unary("cos", "Cos", "CosBackward0", Reads::Operands, true, "smooth")),
    unary("tan", "Tan", "TanBackward0", Reads::Output, true, "`1 + tan²x`: ∞ at the poles"),
    unary("asin", "Asin", "AsinBackward0", Reads::Operands, true, "`1/√(1 - x²)`: ∞ at ±1"),
    unary("acos", "Acos", "AcosBackward0", Reads::Operands, true, "`-1/√(1 - x²)`: ∞ at ±1"),
    unary("atan", "Atan", "AtanBackward0", Reads::Operands, true, "smooth"),
    listed(Group::Elementwise, "b", "`(b, -a)/(a² + b²)` for `a.atan2(b)`: NaN at the origin (PyTorch)",
        binary("atan2", "Atan2", "Atan2Backward0")),
    unary("sinh", "Sinh", "SinhBackward0", Reads::Operands, true, "smooth"),
    unary("cosh", "Cosh", "CoshBackward0", Reads::Operands, true, "smooth"),
    unary("tanh", "Tanh", "TanhBackward0", Reads::Output, true, "smooth"),
    unary("asinh", "Asinh", "AsinhBackward0", Reads::Operands, true, "smooth"),
    unary("acosh", "Acosh", "AcoshBackward0", Reads::Operands, true, "`1/√(x² - 1)`: ∞ at 1"),
    unary("atanh", "Atanh", "AtanhBackward0", Reads::Operands, true, "`1/(1 - x²)`: ∞ at ±1"),
    unary("erf", "Erf", "ErfBackward0", Reads::Operands, true, "smooth: `2/√π e^(-x²)`"),
    unary("erfc", "Erfc", "ErfcBackward0", Reads::Operands, true, "smooth: `-2/√π e^(-x²)`"),
    unary("sigmoid", "Sigmoid", "SigmoidBackward0", Reads::Output, true, "smooth"),
    unary("relu", "Relu", "ReluBackward0", Reads::Operands, false, "0 at 0 (PyTorch)"),
    listed(Group::Elementwise, "alpha", "continuous: slope 1 at 0 from both sides",
        costly(prim("celu", "Celu", &[Const], "CeluBackward0"))),
    unary("abs", "Abs", "AbsBackward0", Reads::Operands, false, "`sign(x)`, 0 at 0 (PyTorch)"),
    unary("signum", "Signum", "SignBackward0", Reads::Nothing, false, "0, at 0 too (PyTorch)"),
    unary("floor", "Floor", "FloorBackward0", Reads::Nothing, false, "0, at the jumps too (PyTorch)"),
    unary("ceil", "Ceil", "CeilBackward0", Reads::Nothing, false, "0, at the jumps too (PyTorch)"),
    unary("round", "Round", "RoundBackward0", Reads::Nothing, false, "0, at the jumps too (PyTorch)"),
    unary("trunc", "Trunc", "TruncBackward0", Reads::Nothing, false, "0, at the jumps too (PyTorch)"),
    listed(Group::Elementwise, "lo, hi", "1 inside `[lo, hi]`, its ends included (PyTorch), 0 outside",
        prim("clamp", "Clamp", &[Const, Const], "ClampBackward1")),
    listed(Group::Elementwise, "b", "split in half at a tie (`torch.maximum`)",
        prim("max", "Max", &[Diff], "MaximumBackward0")),
    listed(Group::Elementwise, "b", "split in half at a tie (`torch.minimum`)",
        prim("min", "Min", &[Diff], "MinimumBackward0")),
    listed(Group::Elementwise, "b", "`ln x / ln b`, in `x` and `b`: ∞ at `x = 0` and `b = 1`",
        binary("log", "Log", "DivBackward0")),
    listed(Group::Elementwise, "b", "`(a, b)/hypot` for `a.hypot(b)`: 0 at the origin (like `norm`; PyTorch: NaN)",
        binary("hypot", "Hypot", "HypotBackward0")),
    listed(Group::Elementwise, "a, b", "`(a, x, 1)` for `x.mul_add(a, b) = x a + b`, rounded once",
        reading(Reads::Others, prim("mul_add", "MulAdd", &[Diff, Diff], "AddcmulBackward0"))),
    // Reductions of a tensor to a float.
    listed(Group::Reductions, "", "linear",
        reading(Reads::Nothing, paired(prim("sum", "Sum", &[], "SumBackward0")))),
    listed(Group::Reductions, "", "linear",
        reading(Reads::Nothing, paired(prim("mean", "Mean", &[], "MeanBackward0")))),
    listed(Group::Reductions, "", "`x/‖x‖`: 0 at the zero tensor (PyTorch)",
        prim("norm", "Norm", &[], "NormBackward1")),
    listed(Group::Reductions, "", "smooth (the softmax), shifted by the max",
        costly(prim("logsumexp", "LogSumExp", &[], "LogsumexpBackward0"))),
    listed(Group::Reductions, "", "smooth, over all elements, shifted by the max (not a reduction: same shape)",
        costly(prim("softmax", "Softmax", &[], "SoftmaxBackward0"))),
    // Reductions and shape ops over whole tensors.
    listed(Group::Reductions, "", "to the largest element, split equally at ties (`torch.amax`)",
        prim("amax", "Amax", &[], "AmaxBackward0")),
    listed(Group::Reductions, "", "to the smallest element, split equally at ties (`torch.amin`)",
        prim("amin", "Amin", &[], "AminBackward0")),
    listed(Group::Reductions, "", "the product of the others, exact at zeros (no division)",
        reading(Reads::Operands, prim("product", "Product", &[], "ProdBackward0"))),
    listed(Group::Reductions, "", "`2x`",
        reading(Reads::Operands, prim("norm_squared", "NormSquared", &[], "PowBackward0"))),
    listed(Group::Reductions, "", "linear: the identity",
        reading(Reads::Nothing, prim("trace", "Trace", &[], "TraceBackward0"))),
    // Linear algebra.
    listed(Group::LinearAlgebra, "b", "bilinear",
        reading(Reads::Others, prim("dot", "Dot", &[Diff], "DotBackward0"))),
    listed(Group::LinearAlgebra, "b", "bilinear",
        reading(Reads::Others, costly(borrowing(prim("matmul", "Matmul", &[Diff], "MmBackward0"))))),
    listed(Group::LinearAlgebra, "b", "bilinear (3-vectors)",
        reading(Reads::Others, prim("cross", "Cross", &[Diff], "LinalgCrossBackward0"))),
    listed(Group::LinearAlgebra, "b", "bilinear: `a bᵀ` of column vectors",
        reading(Reads::Others, prim("outer", "Outer", &[Diff], "OuterBackward0"))),
    // Fixed-shape linear algebra in nalgebra's spelling; what can fail returns an
    // `Option`, which `unwrap` and `expect` open.
    listed(Group::LinearAlgebra, "", "the cofactor matrix (Giles 2008), singular matrices included",
        costly(prim("determinant", "Determinant", &[], "LinalgDetBackward0"))),
    listed(Group::LinearAlgebra, "", "`-A⁻ᵀ Ā A⁻ᵀ` (Giles 2008); `None` when singular",
        structured(costly(prim("try_inverse", "TryInverse", &[], "LinalgInvExBackward0")))),
    listed(Group::LinearAlgebra, "", "Murray 2016, through the lower triangle (as nalgebra reads it); `None` unless positive definite",
        structured(costly(prim("cholesky", "FactorCholesky", &[], "LinalgCholeskyExBackward0")))),
    listed(Group::LinearAlgebra, "", "the factor `L` of a Cholesky factorisation: linear",
        reading(Reads::Nothing, prim("l", "CholeskyL", &[], "AliasBackward0"))),
    // `chol.solve(b)` is a tensor, `lu.solve(b)` an `Option`.
    listed(Group::LinearAlgebra, "b", "`A⁻ᵀ x̄` for `b`, `-A⁻ᵀ x̄ xᵀ` for `A` (Giles 2008)",
        structured(costly(prim("solve", "Solve", &[Diff], "LinalgSolveExBackward0")))),
    listed(Group::LinearAlgebra, "", "of a factor: `-A⁻ᵀ Ā A⁻ᵀ`",
        costly(prim("inverse", "Inverse", &[], "CholeskyInverseBackward0"))),
    listed(Group::LinearAlgebra, "", "of a factor: `A⁻ᵀ`",
        costly(prim("ln_determinant", "LnDeterminant", &[], "LogdetBackward0"))),
    listed(Group::LinearAlgebra, "", "a pivoted LU factorisation, its `solve`, `try_inverse`, `determinant`",
        structured(reading(Reads::Nothing, prim("lu", "FactorLu", &[], "LinalgLuFactorExBackward0")))),
    listed(Group::LinearAlgebra, "b", "`L⁻ᵀ x̄` for `b`, the lower triangle of `-L⁻ᵀ x̄ xᵀ` for `L`; `None` when singular",
        structured(costly(prim("solve_lower_triangular", "SolveLowerTriangular", &[Diff], "LinalgSolveTriangularBackward0")))),
    listed(Group::LinearAlgebra, "b", "`U⁻ᵀ x̄` for `b`, the upper triangle of `-U⁻ᵀ x̄ xᵀ` for `U`; `None` when singular",
        structured(costly(prim("solve_upper_triangular", "SolveUpperTriangular", &[Diff], "LinalgSolveTriangularBackward0")))),
    listed(Group::LinearAlgebra, "", "`.eigenvalues`, `.eigenvectors`: distinct eigenvalues only (the gradient divides by their gaps)",
        structured(costly(prim("symmetric_eigen", "FactorSymmetricEigen", &[], "LinalgEighBackward0")))),
    // The value inside may be a factor: `k.cholesky().unwrap()`.
    listed(Group::LinearAlgebra, "", "passes the gradient through; panics on `None` like nalgebra's",
        structured(reading(Reads::Nothing, prim("unwrap", "Unwrap", &[], "AliasBackward0")))),
    listed(Group::LinearAlgebra, "msg", "passes the gradient through; panics on `None` with `msg`",
        structured(reading(Reads::Nothing, prim("expect", "Expect", &[Const], "AliasBackward0")))),
    // Shape: linear, each gradient routed back to where its element came from.
    listed(Group::Shape, "", "linear",
        reading(Reads::Nothing, prim("t", "Transpose", &[], "TBackward0"))),
    // `fixed_rows::<N>(start)`: the trait is generic over `N` (see `Prim::const_generic`).
    listed(Group::Shape, "start", "linear",
        Prim {
            const_generic: true,
            accumulates: Accumulates::Rows,
            ..prim("fixed_rows", "FixedRows", &[Const], "SliceBackward0")
        }),
    listed(Group::Shape, "b", "linear: rows `[A; B]`", prim("vstack", "Vstack", &[Diff], "CatBackward0")),
    listed(Group::Shape, "b", "linear: columns `[A B]`", prim("hstack", "Hstack", &[Diff], "CatBackward0")),
    listed(Group::Shape, "b", "linear: two vectors joined", prim("concat", "Concat", &[Diff], "CatBackward0")),
    listed(Group::Shape, "", "linear: the diagonal of a square matrix, as a column",
        reading(Reads::Nothing, prim("diagonal", "Diagonal", &[], "DiagonalBackward0"))),
];

/// The method ops that act element by element, a scalar operand broadcast (their other
/// arguments are constants): the methods a `map(|v| ..)` closure may apply to its
/// parameter, whose body is then the same ops on the whole tensor.
pub const ELEMENTWISE: &[&str] = &[
    "powi", "exp", "exp2", "exp_m1", "ln", "ln_1p", "log2", "log10", "sqrt", "cbrt", "recip",
    "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
    "erf", "erfc", "sigmoid", "relu", "celu", "abs", "signum", "floor", "ceil", "round", "trunc",
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
        doc: None,
        numeric: true,
    }
}

const fn structured(prim: Prim) -> Prim {
    Prim {
        numeric: false,
        ..prim
    }
}

/// `prim` with its row in the README's method table.
const fn listed(group: Group, args: &'static str, convention: &'static str, prim: Prim) -> Prim {
    Prim {
        doc: Some(Doc {
            group,
            args,
            convention,
        }),
        ..prim
    }
}

/// A function of one float, elementwise (the runtime's `ElementwiseRule`): `x.name()`,
/// with `name_vjp_pair`, its VJP reading `reads`, kept on a loop's tape when `costly`.
const fn unary(
    name: &'static str,
    trait_name: &'static str,
    grad_fn: &'static str,
    reads: Reads,
    costly: bool,
    convention: &'static str,
) -> Prim {
    Prim {
        costly,
        ..listed(
            Group::Elementwise,
            "",
            convention,
            reading(reads, paired(prim(name, trait_name, &[], grad_fn))),
        )
    }
}

/// A function of two floats of one type, elementwise (the runtime's `BinaryRule`):
/// `a.name(b)`, differentiated in both, with `name_vjp_pair`.
const fn binary(name: &'static str, trait_name: &'static str, grad_fn: &'static str) -> Prim {
    costly(paired(prim(name, trait_name, &[Diff], grad_fn)))
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

/// The names users may call, for error messages, by group: `elementwise: powi, powf, ..;
/// reductions: sum, ..; ..; and detach`.
pub fn method_names() -> String {
    let in_group = |group: Option<Group>| {
        METHODS
            .iter()
            .filter(move |p| p.doc.map(|d| d.group) == group)
            .map(|p| p.name)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut groups: Vec<String> = Group::ALL
        .iter()
        .map(|&g| format!("{}: {}", g.name(), in_group(Some(g))))
        .collect();
    let unlisted = in_group(None);
    if !unlisted.is_empty() {
        groups.push(unlisted);
    }
    format!("{}; and {DETACH}", groups.join("; "))
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

    /// README's method table, rendered from this table.
    fn readme_table() -> String {
        let mut out = String::new();
        for group in Group::ALL {
            let mut title = group.name().to_string();
            title[..1].make_ascii_uppercase();
            out += &format!(
                "\n{title}:\n\n| method | gradient at kinks and singular inputs |\n|---|---|\n"
            );
            for p in METHODS
                .iter()
                .filter(|p| p.doc.is_some_and(|d| d.group == group))
            {
                let doc = p.doc.expect("filtered");
                let turbofish = if p.const_generic { "::<N>" } else { "" };
                out += &format!(
                    "| `{}{turbofish}({})` | {} |\n",
                    p.name, doc.args, doc.convention
                );
            }
        }
        out + &format!("\nAnd `{DETACH}()`: the value, with no gradient (`torch.Tensor.detach`).\n")
    }

    /// README's method table is this table, every op in it; `AUTODIFF_BLESS=1` rewrites it.
    #[test]
    fn the_readme_method_table_is_this_table() {
        for p in METHODS {
            assert!(
                p.doc.is_some(),
                "`{}` has no row in the README's method table: `listed(..)`",
                p.name
            );
        }
        let (begin, end) = (
            "<!-- methods: from autodiff-macros/src/prim.rs -->\n",
            "<!-- end of methods -->",
        );
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md");
        let Ok(text) = std::fs::read_to_string(path) else {
            return; // A packaged copy of this crate has no workspace around it.
        };
        let start = text.find(begin).expect("the table's opening marker") + begin.len();
        let stop = start + text[start..].find(end).expect("the table's closing marker");
        let want = readme_table();
        if std::env::var_os("AUTODIFF_BLESS").is_some() {
            std::fs::write(path, format!("{}{want}{}", &text[..start], &text[stop..]))
                .expect("write");
            return;
        }
        assert!(
            text[start..stop] == want,
            "README's method table is not prim.rs's; rerun with AUTODIFF_BLESS=1. Wanted:\n{want}"
        );
    }

    #[test]
    fn the_error_message_lists_every_method_by_group() {
        let names = method_names();
        assert!(
            names.starts_with("elementwise: powi, powf, exp, "),
            "{names}"
        );
        assert!(names.contains("; reductions: sum, mean, "), "{names}");
        assert!(
            names.ends_with("; shape: t, fixed_rows, vstack, hstack, concat, diagonal; and detach"),
            "{names}"
        );
        for p in METHODS {
            assert!(
                names.contains(&format!(" {},", p.name))
                    || names.contains(&format!(" {};", p.name)),
                "{}",
                p.name
            );
        }
    }

    /// The method list of the facade's docs names exactly the ops of this table, in its order.
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
        let marker = "* Methods: `";
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../src/lib.rs");
        let Ok(text) = std::fs::read_to_string(path) else {
            return; // A packaged copy of this crate has no workspace around it.
        };
        let start = text.find(marker).expect("the list") + marker.len();
        let list: String = text[start..]
            .split('`')
            .next()
            .expect("closed")
            .replace("//!", " ");
        let got: Vec<String> = list.split_whitespace().map(str::to_string).collect();
        assert_eq!(got, want, "the method list in src/lib.rs");
    }
}
