//! The graph IR: the body of a differentiable function in A-normal form.
//!
//! Every intermediate value is a numbered variable (`VarId`) bound exactly once by a
//! `Stmt::Let`, in execution order; user names are kept for debugging and for the graph
//! view. Operands of primitives are always variables, so the reverse sweep can name every
//! value it needs. Code that involves no differentiated value is kept as Rust tokens
//! (`Value::Inert`), already rewritten to refer to IR variables.
//!
//! Control flow forms regions: `Stmt::If` holds two blocks and merges the values they
//! assign (`Phi`), `Stmt::Loop` holds its body and the loop-carried variables (`Carry`):
//! each carried name has a variable for its value at the start of an iteration (`phi`),
//! one for its value at the end of the body (`next`) and one after the loop (`out`).
//!
//! Guarantees after `lower`: every `VarId` used by a statement is bound by an earlier one
//! in the same block or an enclosing one (phis and carries are bound by their region);
//! `Var::varied` is true exactly for values that depend on a differentiated parameter
//! through differentiable operations, iterated to a fixed point over loops.

use crate::prim::Prim;
use proc_macro2::{Span, TokenStream};
use std::fmt;

/// Index into `Function::vars`.
pub type VarId = usize;

/// A lowered function body.
#[derive(Clone)]
pub struct Function {
    pub vars: Vec<Var>,
    pub stmts: Vec<Stmt>,
    /// The variable holding the returned value.
    pub output: VarId,
}

/// One SSA value.
#[derive(Clone)]
pub struct Var {
    /// The user's name for it, when it was bound by `let` or is a parameter.
    pub name: Option<String>,
    /// The user's tokens that computed it: generated code for it is spanned here.
    pub span: Span,
    /// Depends on a differentiated parameter through differentiable operations.
    pub varied: bool,
    /// Declared `let mut` by the user, or mutated in place by inert code.
    pub mutable: bool,
    /// A *place*: a `let mut` tensor the body assigns elements of (`y[i] = e`). It is one
    /// Rust variable changed in place by `Stmt::Store`, read by `Value::Load`; it is never
    /// loop-carried or merged by a `Phi`, so an element assignment costs O(1).
    pub place: bool,
    /// For a float literal (`0.5`, `2.0f64`), the literal zero of its type: its tangent,
    /// spelt without a `zero_grad` call for rustc to resolve.
    pub literal_zero: Option<TokenStream>,
    /// A float or a tensor (a float or tensor parameter, a primitive's result, a copy of
    /// one): its adjoint takes contributions by `+=`, which rustc resolves faster than a
    /// generic `accumulate`.
    pub numeric: bool,
}

/// A statement of the forward pass.
#[derive(Clone)]
pub enum Stmt {
    /// `let v: ty = value;`
    Let {
        var: VarId,
        ty: Option<Box<syn::Type>>,
        value: Value,
    },
    /// An expression statement with no differentiated value in it (already renamed).
    Effect(TokenStream),
    /// `place[i] = value`, `place.w = value` (or `place = value` with an empty path).
    Store {
        place: VarId,
        path: Vec<Proj>,
        value: VarId,
        span: Span,
        /// Keeps the overwritten value on the place's undo log (set by `reverse`, for
        /// places whose loads a reverse sweep replays).
        log: Log,
    },
    /// `place.push(value)` on a `Vec` place.
    Push {
        place: VarId,
        value: VarId,
        span: Span,
        log: Log,
    },
    /// `let mut log = ..::new();` for a logged place (added by `reverse`).
    NewLog { place: VarId, log: Log },
    /// `if cond { then } else { else }`; `phis` are the values it leaves behind.
    If {
        cond: VarId,
        then_block: Vec<Stmt>,
        else_block: Vec<Stmt>,
        phis: Vec<Phi>,
    },
    /// `for pat in iter { body }` or `while cond { body }`.
    Loop {
        /// Numbers the loops of a function, for the names of their tapes.
        id: usize,
        kind: LoopKind,
        body: Vec<Stmt>,
        carried: Vec<Carry>,
        /// What each iteration pushes for the reverse sweep (set by `reverse`).
        tape: Option<LoopTape>,
        /// `#[checkpoint(snapshots = K)]`: the number of snapshots (the runtime's default
        /// without `K`).
        checkpoint: Option<TokenStream>,
    },
}

/// How a place keeps what its stores overwrote.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Log {
    /// Not at all: no replayed region reads it.
    None,
    /// Element by element (`y[i] = e` and whole stores on tensors, `Vec`s, arrays).
    Elements,
    /// Part by part, for places with stores into fields.
    Parts,
}

/// The tape of a loop whose reverse sweep pops one entry per iteration.
#[derive(Clone, Default)]
pub struct LoopTape {
    /// Pushed at the start of each iteration, after the carried values are bound.
    pub pushed: Vec<VarId>,
    /// A checkpointed loop pushes nothing: it records its trip count and its starting
    /// state (the carried values, and a `for` loop's iterator), and its reverse sweep
    /// replays from the snapshots binomial checkpointing keeps.
    pub checkpointed: bool,
    /// Pullbacks of calls made in the iteration, moved onto the tape after `pushed`.
    pub pullbacks: Vec<VarId>,
    /// Values read by the reverse sweep only for their types. They go on no tape: each
    /// iteration stores a `Witness` of each (which takes no room) in a slot of its own,
    /// declared with the outermost taped loop, which only carries the type to the reverse.
    pub witnesses: Vec<VarId>,
    /// The witness slots of this loop and of every loop and branch inside it, declared
    /// before it (on the outermost taped loop only).
    pub witness_slots: Vec<VarId>,
    /// The reverse sweep walks the loop's range backwards: it needs no entry to count.
    pub walks_range: bool,
    /// A taped loop's trip count when known at compile time from any constant range
    /// (`1..N - 1`), which sizes its `StackTape` (`trip_count` covers `0..N` only).
    pub capacity: Option<TokenStream>,
    /// The tape lives across the iterations of an enclosing loop, which declares it.
    pub hoisted: bool,
    /// Counts the iterations into this variable (bound after the loop), for a reverse
    /// sweep that pops exactly that many entries.
    pub count: Option<VarId>,
    /// The tapes of the loops nested in this one, declared before it.
    pub hoists: Vec<Hoist>,
    /// Its entries hold pullbacks or other values that are not `Copy`: a heap `Tape`.
    pub on_heap: bool,
}

impl LoopTape {
    /// Whether an iteration pushes anything.
    pub fn pushes(&self) -> bool {
        !(self.pushed.is_empty() && self.pullbacks.is_empty())
    }

    /// Whether the loop pushes onto a tape of its own, unless an enclosing loop declares
    /// it or it keeps nothing but its trip count, or its reverse walks its range.
    pub fn own(&self) -> bool {
        self.pushes()
            || (self.count.is_none()
                && self.hoists.is_empty()
                && !self.hoisted
                && !self.walks_range)
    }
}

/// The tape of a nested loop, declared before the outermost loop around it.
#[derive(Clone)]
pub struct Hoist {
    pub id: usize,
    /// The number of pushes, when every loop down to this one has a constant trip count.
    pub capacity: Option<TokenStream>,
    /// Its entries hold pullbacks or other values that are not `Copy`: a heap `Tape`.
    pub on_heap: bool,
}

/// How the reverse of a taped loop steps through its iterations.
#[derive(Clone)]
pub enum Order {
    /// Pops until the tape is empty (an outermost loop).
    UntilEmpty,
    /// As many iterations as the forward pass counted into this variable.
    Count(VarId),
    /// The loop's range backwards, binding its counter (`for i in (a..b).rev()`).
    Range {
        pat: Option<VarId>,
        iter: TokenStream,
    },
}

/// A value merged after an `if`: `out` is `then_value` or `else_value`.
#[derive(Clone)]
pub struct Phi {
    pub out: VarId,
    pub then_value: VarId,
    pub else_value: VarId,
}

/// A variable a loop body reassigns.
#[derive(Clone)]
pub struct Carry {
    /// Its value before the loop.
    pub init: VarId,
    /// Its value at the start of an iteration (bound by the loop).
    pub phi: VarId,
    /// Its value at the end of the body.
    pub next: VarId,
    /// Its value after the loop.
    pub out: VarId,
    /// A `while` loop's condition block may change it (data only): its value there, which
    /// the loop leaves when the condition fails.
    pub exit: Option<VarId>,
}

#[derive(Clone)]
pub enum LoopKind {
    /// `for pat in iter`: `pat` is the variable bound each iteration (`None` for `_`);
    /// `trip_count` is a constant trip count, when the iterator is `0..N` with a literal
    /// or constant `N`, which lets the tape live on the stack.
    For {
        pat: Option<VarId>,
        iter: TokenStream,
        trip_count: Option<TokenStream>,
    },
    /// `while cond`: `cond_block` computes `cond` from the carried values.
    While { cond_block: Vec<Stmt>, cond: VarId },
}

/// What a `Let` computes.
#[derive(Clone)]
pub enum Value {
    /// The function's `index`-th typed parameter, dereferenced if `deref`.
    Param { index: usize, deref: bool },
    /// Ordinary Rust over non-differentiated values.
    Inert(TokenStream),
    /// Another variable's value (`let y = x;`).
    Copy(VarId),
    /// A differentiable primitive: `operands[0]` is the receiver (or left operand), the rest
    /// follow `prim.args`. `generic` is the const generic of `fixed_rows::<N>`.
    Prim {
        prim: &'static Prim,
        operands: Vec<VarId>,
        /// Where each operand appears in the user's code, for error messages.
        spans: Vec<Span>,
        generic: Option<TokenStream>,
    },
    /// `x.detach()`: the value of `x`, as a constant.
    Detach(VarId),
    /// A call of another `#[differentiable]` function (or a `#[custom_vjp]` primitive)
    /// with differentiated arguments; its pullback is chained into the reverse sweep.
    Call {
        callee: syn::ExprPath,
        args: Vec<VarId>,
        spans: Vec<Span>,
        /// Arguments passed as `&arg`.
        by_ref: Vec<bool>,
        /// Keeps the callee's pullback for the reverse sweep (set by `reverse`).
        keep_pullback: bool,
        /// A method call `args[0].method(args[1..])` of a `#[differentiable]` method;
        /// `callee` is then unused.
        method: Option<syn::Ident>,
    },
    /// Reads a place: a part of it, or the whole value with an empty path.
    Load { place: VarId, path: Vec<Proj> },
    /// A part of a value: `x[i]`, `m.w`, `p.0`, `m.layers[i].b`, read in O(1) of the whole.
    Project { base: VarId, path: Vec<Proj> },
    /// `(a, b, ..)`.
    Tuple(Vec<VarId>),
    /// `vec![a, b, ..]`.
    VecOf(Vec<VarId>),
    /// `vec![elem; count]`, `count` data tokens.
    Repeat { elem: VarId, count: TokenStream },
    /// `[a, b, ..]`.
    Array(Vec<VarId>),
    /// `Path { field: value, .. }`: the struct's path as written, and its fields.
    Struct {
        path: syn::Path,
        fields: Vec<(syn::Member, VarId)>,
    },
    /// The length of a place's undo log: where a replayed region starts (set by `reverse`).
    LogLen { place: VarId },
    /// `tensor![..]` from scalars: `rows` is `None` for the column-vector form; `path` is
    /// the macro path as the user wrote it.
    Stack {
        elems: Vec<VarId>,
        rows: Option<usize>,
        path: syn::Path,
    },
}

impl Value {
    /// The operands a gradient flows into, with their position in the VJP's result.
    pub fn diff_operands(&self) -> Vec<VarId> {
        match self {
            Value::Param { .. } | Value::Inert(_) | Value::Detach(_) | Value::LogLen { .. } => {
                Vec::new()
            }
            Value::Load { place, .. } => vec![*place],
            Value::Project { base, .. } => vec![*base],
            Value::Tuple(elems) | Value::Array(elems) | Value::VecOf(elems) => elems.clone(),
            Value::Repeat { elem, .. } => vec![*elem],
            Value::Struct { fields, .. } => fields.iter().map(|(_, v)| *v).collect(),
            Value::Copy(v) => vec![*v],
            Value::Call { args, .. } => args.clone(),
            Value::Stack { elems, .. } => elems.clone(),
            Value::Prim { prim, operands, .. } => {
                let mut diff = vec![operands[0]];
                diff.extend(
                    prim.args
                        .iter()
                        .zip(&operands[1..])
                        .filter(|(arg, _)| **arg == crate::prim::Arg::Diff)
                        .map(|(_, v)| *v),
                );
                diff
            }
        }
    }
}

impl Function {
    /// `[%3:i].w[(0, 1)]`.
    pub(crate) fn path_label(&self, path: &[Proj]) -> String {
        path.iter()
            .map(|p| match p {
                Proj::Var(v) => format!("[{}]", self.var_label(*v)),
                Proj::Const(r, c) => format!("[({r}, {c})]"),
                Proj::Usize(k) => format!("[{k}]"),
                Proj::Field(m) => format!(".{}", quote::ToTokens::to_token_stream(m)),
            })
            .collect()
    }

    pub(crate) fn var_label(&self, v: VarId) -> String {
        match &self.vars[v].name {
            Some(name) => format!("%{v}:{name}"),
            None => format!("%{v}"),
        }
    }
}

/// Stage tests compare these dumps.
impl fmt::Display for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_block(f, &self.stmts, 0)?;
        writeln!(f, "return {}", self.var_label(self.output))
    }
}

impl Function {
    pub(crate) fn fmt_block(
        &self,
        f: &mut fmt::Formatter<'_>,
        block: &[Stmt],
        depth: usize,
    ) -> fmt::Result {
        let list = |vars: &[VarId]| {
            vars.iter()
                .map(|v| self.var_label(*v))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let indent = "  ".repeat(depth);
        for stmt in block {
            match stmt {
                Stmt::Effect(tokens) => writeln!(f, "{indent} effect {tokens}")?,
                Stmt::Store {
                    place,
                    path,
                    value,
                    log,
                    ..
                } => {
                    let at = self.path_label(path);
                    let log = if *log == Log::None { "" } else { " (logged)" };
                    writeln!(
                        f,
                        "{indent} store {}{at} = {}{log}",
                        self.var_label(*place),
                        self.var_label(*value)
                    )?
                }
                Stmt::Push {
                    place, value, log, ..
                } => writeln!(
                    f,
                    "{indent} push {} onto {}{}",
                    self.var_label(*value),
                    self.var_label(*place),
                    if *log == Log::None { "" } else { " (logged)" }
                )?,
                Stmt::NewLog { place, .. } => {
                    writeln!(f, "{indent} new undo log of {}", self.var_label(*place))?
                }
                Stmt::If {
                    cond,
                    then_block,
                    else_block,
                    phis,
                } => {
                    writeln!(f, "{indent} if {} {{", self.var_label(*cond))?;
                    self.fmt_block(f, then_block, depth + 1)?;
                    writeln!(f, "{indent} }} else {{")?;
                    self.fmt_block(f, else_block, depth + 1)?;
                    writeln!(f, "{indent} }}")?;
                    for phi in phis {
                        writeln!(
                            f,
                            "{indent}{}{} = phi {}, {}",
                            self.marker(phi.out),
                            self.var_label(phi.out),
                            self.var_label(phi.then_value),
                            self.var_label(phi.else_value)
                        )?;
                    }
                }
                Stmt::Loop {
                    kind,
                    body,
                    carried,
                    tape,
                    ..
                } => {
                    if let Some(tape) = tape {
                        if tape.own() && !tape.hoisted {
                            writeln!(f, "{indent} new tape")?;
                        }
                        for hoist in &tape.hoists {
                            writeln!(f, "{indent} new tape of loop {}", hoist.id)?;
                        }
                        for w in &tape.witness_slots {
                            writeln!(f, "{indent} new witness of {}", self.var_label(*w))?;
                        }
                        let mut items: Vec<String> =
                            tape.pushed.iter().map(|v| self.var_label(*v)).collect();
                        items.extend(
                            tape.pullbacks
                                .iter()
                                .map(|v| format!("pullback of {}", self.var_label(*v))),
                        );
                        if tape.own() {
                            writeln!(f, "{indent} (each iteration pushes {})", items.join(", "))?;
                        }
                        if !tape.witnesses.is_empty() {
                            let types: Vec<String> =
                                tape.witnesses.iter().map(|v| self.var_label(*v)).collect();
                            writeln!(
                                f,
                                "{indent} (each iteration witnesses the types of {})",
                                types.join(", ")
                            )?;
                        }
                        if let Some(c) = tape.count {
                            writeln!(f, "{indent} (counts iterations into {})", self.var_label(c))?;
                        }
                    }
                    let carried_list = carried
                        .iter()
                        .map(|c| {
                            format!(
                                "{} <- {} / {}",
                                self.var_label(c.phi),
                                self.var_label(c.init),
                                self.var_label(c.next)
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("; ");
                    match kind {
                        LoopKind::For {
                            pat,
                            iter,
                            trip_count,
                        } => {
                            let pat = pat.map_or("_".to_string(), |p| self.var_label(p));
                            let fixed = trip_count
                                .as_ref()
                                .map_or(String::new(), |n| format!(" (trip count {n})"));
                            writeln!(f, "{indent} for {pat} in {iter}{fixed} [{carried_list}] {{")?;
                        }
                        LoopKind::While { cond_block, cond } => {
                            writeln!(f, "{indent} while [{carried_list}] {{")?;
                            self.fmt_block(f, cond_block, depth + 1)?;
                            writeln!(f, "{indent}   break unless {}", self.var_label(*cond))?;
                        }
                    }
                    self.fmt_block(f, body, depth + 1)?;
                    writeln!(f, "{indent} }}")?;
                    for c in carried {
                        writeln!(
                            f,
                            "{indent}{}{} = after loop {}",
                            self.marker(c.out),
                            self.var_label(c.out),
                            self.var_label(c.phi)
                        )?;
                    }
                }
                Stmt::Let { var, value, .. } => {
                    write!(
                        f,
                        "{indent}{}{} = ",
                        self.marker(*var),
                        self.var_label(*var)
                    )?;
                    match value {
                        Value::Param { index, deref } => {
                            writeln!(f, "param {index}{}", if *deref { " (deref)" } else { "" })?
                        }
                        Value::Inert(tokens) => writeln!(f, "inert {tokens}")?,
                        Value::Copy(v) => writeln!(f, "copy {}", self.var_label(*v))?,
                        Value::Detach(v) => writeln!(f, "detach {}", self.var_label(*v))?,
                        Value::Load { place, path } => writeln!(
                            f,
                            "load {}{}",
                            self.var_label(*place),
                            self.path_label(path)
                        )?,
                        Value::Project { base, path } => writeln!(
                            f,
                            "project {}{}",
                            self.var_label(*base),
                            self.path_label(path)
                        )?,
                        Value::Tuple(elems) => writeln!(f, "tuple {}", list(elems))?,
                        Value::VecOf(elems) => writeln!(f, "vec {}", list(elems))?,
                        Value::Repeat { elem, count } => {
                            writeln!(f, "vec {}; {count}", self.var_label(*elem))?
                        }
                        Value::Array(elems) => writeln!(f, "array {}", list(elems))?,
                        Value::Struct { path, fields } => {
                            let fields: Vec<String> = fields
                                .iter()
                                .map(|(m, v)| {
                                    format!(
                                        "{}: {}",
                                        quote::ToTokens::to_token_stream(m),
                                        self.var_label(*v)
                                    )
                                })
                                .collect();
                            writeln!(
                                f,
                                "struct {} {{ {} }}",
                                quote::ToTokens::to_token_stream(path)
                                    .to_string()
                                    .replace(' ', ""),
                                fields.join(", ")
                            )?
                        }
                        Value::LogLen { place } => {
                            writeln!(f, "undo log length of {}", self.var_label(*place))?
                        }
                        Value::Call {
                            callee,
                            args,
                            keep_pullback,
                            ..
                        } => writeln!(
                            f,
                            "call{} {} {}",
                            if *keep_pullback {
                                " (keep pullback)"
                            } else {
                                ""
                            },
                            quote::ToTokens::to_token_stream(callee),
                            list(args)
                        )?,
                        Value::Stack { elems, rows, .. } => {
                            writeln!(f, "stack[{}] {}", rows.unwrap_or(0), list(elems))?
                        }
                        Value::Prim {
                            prim,
                            operands,
                            generic,
                            ..
                        } => match generic {
                            Some(g) => writeln!(f, "{}::<{g}> {}", prim.name, list(operands))?,
                            None => writeln!(f, "{} {}", prim.name, list(operands))?,
                        },
                    }
                }
            }
        }
        Ok(())
    }

    fn marker(&self, v: VarId) -> &'static str {
        if self.vars[v].varied { "*" } else { " " }
    }
}

/// The adjoint IR: the reverse sweep as data, produced by `reverse` and printed by `emit`.
///
/// Adjoints are mutable places (`let mut ct = ..`) that contributions are added into:
/// a whole value (`ct += c`), one element (`ct[i] += c`, O(1)) or a slice of rows. A
/// first contribution initialises an adjoint, so most need no zero.
pub struct Adjoint {
    /// The forward pass as `f_grad` and `f_vjp` run it: loops that are reversed push a tape
    /// entry per iteration, calls keep their pullbacks, logged places keep undo logs.
    pub forward: Function,
    /// What each adjoint is the adjoint of (`AdjId` indexes this); adjoint 0 is the seed.
    pub adjoints: Vec<VarId>,
    pub stmts: Vec<AStmt>,
    /// One entry per parameter: its gradient, or `None` if it is not differentiated.
    pub grads: Vec<Option<AExpr>>,
    /// Values a loop's `StackTape` keeps only for the gradient of one parameter, with its
    /// index: `full_vjp_for` keeps them only if its caller differentiates that argument.
    pub gates: std::collections::HashMap<VarId, usize>,
    /// Each forward variable's parameters (`activity::param_masks`): `full_vjp_for` adds
    /// no contribution into a value none of whose parameters its caller differentiates.
    pub param_masks: Vec<u64>,
    /// Values of the top level the reverse sweep reads only for their types: a pullback
    /// keeps a `Witness` of each, not the value.
    pub top_witnesses: Vec<VarId>,
}

/// Index into `Adjoint::adjoints`.
pub type AdjId = usize;

/// Where in an adjoint a contribution lands.
#[derive(Clone)]
pub enum Target {
    /// The whole value.
    Whole,
    /// A part: `ct.w`, `ct[i]`, `ct.layers[i].b`.
    Path(Vec<Proj>),
    /// `N` rows from `start` (`fixed_rows::<N>(start)`).
    Rows { start: VarId, rows: TokenStream },
}

/// One step into a value: an element at a position held by a forward variable, a
/// constant tensor position `(row, col)`, a constant array position, or a field.
#[derive(Clone)]
pub enum Proj {
    Var(VarId),
    Const(usize, usize),
    Usize(usize),
    Field(syn::Member),
}

/// A value the reverse sweep reads.
#[derive(Clone)]
pub enum AExpr {
    Adj(AdjId),
    /// A copy of an adjoint that stays in use (a place's, which a store then clears): never
    /// aliased by the adjoint it initialises.
    Copied(AdjId),
    /// A part of an adjoint.
    AdjPath(AdjId, Vec<Proj>),
    /// Zero shaped like a forward variable.
    Zero(VarId),
    /// The sum of an adjoint's elements (shaped like the forward variable, if empty).
    SumOf(AdjId, VarId),
    /// A copy of a struct literal's adjoint with its `#[no_grad]` numbers zero: what
    /// reaches the fields' values.
    WithoutData(AdjId),
}

/// A statement of the reverse sweep.
#[derive(Clone)]
pub enum AStmt {
    /// `let mut adj = value;`
    Init { adj: AdjId, value: AExpr },
    /// `adj[target] += value;`
    Accumulate {
        adj: AdjId,
        target: Target,
        value: AExpr,
    },
    /// `adj = value;`
    Assign { adj: AdjId, value: AExpr },
    /// `(adj0, adj1, ..) = (value0, value1, ..);`: every value read before any is assigned.
    AssignAll(Vec<(AdjId, AExpr)>),
    /// `adj[path] = 0;`
    Clear { adj: AdjId, path: Vec<Proj> },
    /// `let mut into = adj.pop();`: the reverse of a push.
    Pop { adj: AdjId, into: AdjId },
    /// `let (r0, r1, ..) = Op::op_vjp(operands.., out, ct);`, one fresh adjoint per
    /// differentiated operand that is active (`None` for the others).
    Vjp {
        var: VarId,
        prim: &'static Prim,
        operands: Vec<VarId>,
        spans: Vec<Span>,
        generic: Option<TokenStream>,
        ct: AdjId,
        results: Vec<Option<AdjId>>,
        /// The output of the op's partner on the same operand (see `Prim::partner`),
        /// which the VJP reads instead of recomputing it.
        partner: Option<VarId>,
    },
    /// `let (r0, ..) = pullback.backward(ct);` for the call bound to `var`.
    Backward {
        var: VarId,
        ct: AdjId,
        results: Vec<Option<AdjId>>,
    },
    /// Forward statements recomputed before a region is reversed.
    Replay(Vec<Stmt>),
    /// Undoes a place's stores back to the log length `mark`.
    UndoTo { place: VarId, mark: VarId },
    /// Restores the value the last logged store to `place` overwrote (all of it, for a
    /// store of the whole place).
    Restore { place: VarId, whole: bool },
    If {
        cond: VarId,
        then_block: Vec<AStmt>,
        else_block: Vec<AStmt>,
    },
    /// Reverses loop `id`: pops each iteration's entry into `popped`, last first.
    Loop {
        id: usize,
        popped: Vec<VarId>,
        body: Vec<AStmt>,
    },
    /// Reverses loop `id` from its tape alone, replaying nothing: pops each iteration's
    /// values and pullbacks, takes stand-ins for `witnesses` (values read for their types)
    /// from their slots, in the
    /// order `order` says, and reverses it with `body` (which starts by recomputing the
    /// cheap data values it reads, if any).
    Taped {
        id: usize,
        pushed: Vec<VarId>,
        pullbacks: Vec<VarId>,
        witnesses: Vec<VarId>,
        order: Order,
        body: Vec<AStmt>,
    },
    /// `let (values.., pullbacks..) = from.expect(..);`: what a branch taken in the
    /// forward pass handed out for its reverse, in an `Option` of a tuple (no `from` when
    /// it hands out nothing but witnesses, which come from their slots).
    Unpack {
        from: Option<VarId>,
        pushed: Vec<VarId>,
        pullbacks: Vec<VarId>,
        witnesses: Vec<VarId>,
    },
    /// Reverses checkpointed loop `id` with binomial checkpointing: `advance` recomputes
    /// an iteration from the carried values `phis` (and binds `pat` from the iterator),
    /// ending with `nexts`; `body` reverses one, as `Loop`'s does.
    Checkpointed {
        id: usize,
        snapshots: TokenStream,
        phis: Vec<VarId>,
        pat: Option<VarId>,
        is_for: bool,
        advance: Vec<Stmt>,
        nexts: Vec<VarId>,
        body: Vec<AStmt>,
    },
}

impl Adjoint {
    pub(crate) fn adj_label(&self, a: AdjId) -> String {
        let primal = self.adjoints[a];
        match &self.forward.vars[primal].name {
            Some(name) => format!("ct{a}({name})"),
            None => format!("ct{a}(%{primal})"),
        }
    }

    pub(crate) fn path_label(&self, path: &[Proj]) -> String {
        self.forward.path_label(path)
    }

    fn entry_label(&self, pushed: &[VarId], pullbacks: &[VarId], witnesses: &[VarId]) -> String {
        let f = &self.forward;
        pushed
            .iter()
            .map(|v| f.var_label(*v))
            .chain(
                pullbacks
                    .iter()
                    .map(|v| format!("pullback of {}", f.var_label(*v))),
            )
            .chain(
                witnesses
                    .iter()
                    .map(|v| format!("type of {}", f.var_label(*v))),
            )
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn expr_label(&self, e: &AExpr) -> String {
        match e {
            AExpr::Adj(a) => self.adj_label(*a),
            AExpr::Copied(a) => format!("copy of {}", self.adj_label(*a)),
            AExpr::AdjPath(a, path) => format!("{}{}", self.adj_label(*a), self.path_label(path)),
            AExpr::Zero(v) => format!("zero like {}", self.forward.var_label(*v)),
            AExpr::SumOf(a, _) => format!("sum of {}", self.adj_label(*a)),
            AExpr::WithoutData(a) => format!("data-free {}", self.adj_label(*a)),
        }
    }

    pub(crate) fn fmt_block(
        &self,
        f: &mut fmt::Formatter<'_>,
        block: &[AStmt],
        depth: usize,
    ) -> fmt::Result {
        let indent = "  ".repeat(depth);
        let results = |rs: &[Option<AdjId>]| {
            rs.iter()
                .map(|r| r.map_or("_".to_string(), |a| self.adj_label(a)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        for stmt in block {
            match stmt {
                AStmt::Init { adj, value } => writeln!(
                    f,
                    "{indent}{} = {}",
                    self.adj_label(*adj),
                    self.expr_label(value)
                )?,
                AStmt::Accumulate { adj, target, value } => {
                    let at = match target {
                        Target::Whole => String::new(),
                        Target::Path(path) => self.path_label(path),
                        Target::Rows { start, rows } => {
                            format!("[rows {rows} from {}]", self.forward.var_label(*start))
                        }
                    };
                    writeln!(
                        f,
                        "{indent}{}{at} += {}",
                        self.adj_label(*adj),
                        self.expr_label(value)
                    )?
                }
                AStmt::AssignAll(assigns) => {
                    for (adj, value) in assigns {
                        writeln!(
                            f,
                            "{indent}{} := {} (together)",
                            self.adj_label(*adj),
                            self.expr_label(value)
                        )?;
                    }
                }
                AStmt::Assign { adj, value } => writeln!(
                    f,
                    "{indent}{} := {}",
                    self.adj_label(*adj),
                    self.expr_label(value)
                )?,
                AStmt::Pop { adj, into } => writeln!(
                    f,
                    "{indent}{} = pop {}",
                    self.adj_label(*into),
                    self.adj_label(*adj)
                )?,
                AStmt::Clear { adj, path } => writeln!(
                    f,
                    "{indent}{}{} := 0",
                    self.adj_label(*adj),
                    self.path_label(path)
                )?,
                AStmt::Vjp {
                    var,
                    ct,
                    results: rs,
                    partner,
                    ..
                } => writeln!(
                    f,
                    "{indent}{} = vjp of {}{} with {}",
                    results(rs),
                    self.forward.var_label(*var),
                    partner.map_or(String::new(), |p| format!(
                        " from {}",
                        self.forward.var_label(p)
                    )),
                    self.adj_label(*ct)
                )?,
                AStmt::Backward {
                    var,
                    ct,
                    results: rs,
                } => writeln!(
                    f,
                    "{indent}{} = pullback of {} with {}",
                    results(rs),
                    self.forward.var_label(*var),
                    self.adj_label(*ct)
                )?,
                AStmt::Replay(stmts) => {
                    writeln!(f, "{indent}replay {{")?;
                    self.forward.fmt_block(f, stmts, depth + 1)?;
                    writeln!(f, "{indent}}}")?
                }
                AStmt::UndoTo { place, mark } => writeln!(
                    f,
                    "{indent}undo {} to {}",
                    self.forward.var_label(*place),
                    self.forward.var_label(*mark)
                )?,
                AStmt::Restore { place, .. } => {
                    writeln!(f, "{indent}restore {}", self.forward.var_label(*place))?
                }
                AStmt::If {
                    cond,
                    then_block,
                    else_block,
                } => {
                    writeln!(f, "{indent}if {} {{", self.forward.var_label(*cond))?;
                    self.fmt_block(f, then_block, depth + 1)?;
                    writeln!(f, "{indent}}} else {{")?;
                    self.fmt_block(f, else_block, depth + 1)?;
                    writeln!(f, "{indent}}}")?
                }
                AStmt::Checkpointed {
                    id,
                    snapshots,
                    advance,
                    body,
                    ..
                } => {
                    writeln!(
                        f,
                        "{indent}checkpointed reverse of loop {id} ({snapshots} snapshots) {{"
                    )?;
                    writeln!(f, "{indent}  advance {{")?;
                    self.forward.fmt_block(f, advance, depth + 2)?;
                    writeln!(f, "{indent}  }}")?;
                    self.fmt_block(f, body, depth + 1)?;
                    writeln!(f, "{indent}}}")?
                }
                AStmt::Taped {
                    id,
                    pushed,
                    pullbacks,
                    witnesses,
                    order,
                    body,
                } => {
                    let order = match order {
                        Order::UntilEmpty => "until empty".to_string(),
                        Order::Count(c) => format!("{} times", self.forward.var_label(*c)),
                        Order::Range { pat, iter } => format!(
                            "{} in ({iter}).rev()",
                            pat.map_or("_".to_string(), |p| self.forward.var_label(p))
                        ),
                    };
                    writeln!(
                        f,
                        "{indent}reverse of loop {id}, {order}, popping ({}) {{",
                        self.entry_label(pushed, pullbacks, witnesses)
                    )?;
                    self.fmt_block(f, body, depth + 1)?;
                    writeln!(f, "{indent}}}")?
                }
                AStmt::Unpack {
                    from,
                    pushed,
                    pullbacks,
                    witnesses,
                } => writeln!(
                    f,
                    "{indent}unpack ({}) from {}",
                    self.entry_label(pushed, pullbacks, witnesses),
                    from.map_or("witness slots".to_string(), |v| self.forward.var_label(v))
                )?,
                AStmt::Loop { id, popped, body } => {
                    let popped: Vec<String> =
                        popped.iter().map(|v| self.forward.var_label(*v)).collect();
                    writeln!(
                        f,
                        "{indent}for each entry ({}) popped from tape {id} {{",
                        popped.join(", ")
                    )?;
                    self.fmt_block(f, body, depth + 1)?;
                    writeln!(f, "{indent}}}")?
                }
            }
        }
        Ok(())
    }
}

/// Stage tests compare these dumps: the augmented forward pass, then the reverse sweep.
impl fmt::Display for Adjoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "forward:")?;
        self.forward.fmt_block(f, &self.forward.stmts, 1)?;
        writeln!(f, "reverse:")?;
        self.fmt_block(f, &self.stmts, 1)?;
        let grads: Vec<String> = self
            .grads
            .iter()
            .map(|g| g.as_ref().map_or("-".to_string(), |e| self.expr_label(e)))
            .collect();
        writeln!(f, "gradients ({})", grads.join(", "))
    }
}

/// The name generated code gives variable `v`: a reserved prefix with mixed-site hygiene,
/// so it can neither see nor shadow the user's own names, located at the user's tokens.
pub fn var_ident(v: VarId, span: Span) -> proc_macro2::Ident {
    proc_macro2::Ident::new(&format!("__ad_v{v}"), Span::mixed_site().located_at(span))
}
