//! The tangent sweep (forward mode): forward IR -> tangent IR (`Tangent`), as data.
//!
//! Every varied variable `v` gets a tangent `dv`, bound right after `v` by the JVP of the
//! statement that bound `v`; values that are not varied have no tangent (a zero stands in
//! where an op needs one), so constants cost nothing. Regions carry tangents beside their
//! values: an `if` merges the tangents of its branch values like the values themselves, a
//! loop carries the tangent of each varied carried value, a place (a tensor assigned
//! element by element) has a tangent place that every store writes the stored value's
//! tangent into. A call chains into the callee's `full_jvp`.
//!
//! The same sweep runs over the forward pass of an `Adjoint` (`f_hvp`'s forward-over-
//! reverse): a loop that pushes its carried values on a tape pushes their tangents too, a
//! logged store logs the tangent it overwrites, and a call that keeps its pullback chains
//! into the callee's `full_hvp`. `over_adjoint` then carries the reverse sweep itself into
//! tangent space: each adjoint `ct` gets a tangent `dct`, each VJP the tangent of the VJP
//! (the op's `*_vjp_jvp`), each pullback its callee's tangent pullback.
//!
//! Output guarantees: a tangent is read only after it is bound on every path to the read;
//! each tangent has its primal's type; the primal statements are exactly the input's.

use crate::ir::{
    AExpr, AStmt, AdjId, Adjoint, Carry, Function, Log, LoopKind, Phi, Proj, Stmt, Target, Value,
    VarId,
};
use crate::prim::Prim;
use proc_macro2::{Span, TokenStream};
use std::fmt;

/// The tangent sweep of a function: primal statements interleaved with their tangents.
pub struct Tangent {
    /// The primal function (variables, output); its statements are the input's.
    pub forward: Function,
    pub stmts: Vec<TStmt>,
}

/// A tangent where an op needs one: a variable's tangent, or zero shaped like a primal
/// that is not varied.
#[derive(Clone, Copy)]
pub enum TOperand {
    Tan(VarId),
    Zero(VarId),
}

/// A name a tape entry holds: a primal variable or a variable's tangent.
#[derive(Clone, Copy)]
pub enum Slot {
    Primal(VarId),
    Tangent(VarId),
}

/// What the tangent of a `Let` computes.
#[derive(Clone)]
pub enum TValue {
    /// The tangent argument of the function's `index`-th parameter.
    Param(usize),
    /// Zero shaped like the variable itself (a place initialised from a constant).
    Zero,
    /// The tangent of another variable (`let y = x;`, a whole-place load).
    Copy(VarId),
    /// `Op::op_jvp(operands.., out, tangents..)`: one tangent per differentiable operand.
    Jvp {
        prim: &'static Prim,
        operands: Vec<VarId>,
        spans: Vec<Span>,
        generic: Option<TokenStream>,
        tangents: Vec<TOperand>,
    },
    /// `tensor![..]` of the elements' tangents.
    Stack {
        elems: Vec<TOperand>,
        rows: Option<usize>,
        path: syn::Path,
    },
    /// A part of a tangent place, or of a value's tangent: the same projection.
    Project { base: VarId, path: Vec<Proj> },
    /// `vec![dx; count]`.
    Repeat { elem: TOperand, count: TokenStream },
    /// A tuple, array or struct built from parts: zero shaped like the value (its data
    /// fields cloned), with each varied part's tangent put in its place.
    Build { parts: Vec<(Proj, VarId)> },
}

/// A statement of the tangent sweep.
#[derive(Clone)]
pub enum TStmt {
    /// A primal statement (never a region nor a call with differentiated arguments).
    Primal(Stmt),
    /// `let dv = value;` for the varied variable `v` the previous statement bound.
    Let { var: VarId, value: TValue },
    /// `let (v, dv) = callee::full_jvp(args.., tangents..)`, or with `keep_pullback`
    /// `let ((v, dv), pullback) = callee::full_hvp(..)`.
    Call {
        var: VarId,
        callee: syn::ExprPath,
        args: Vec<VarId>,
        spans: Vec<Span>,
        by_ref: Vec<bool>,
        /// One per argument: `None` where the argument is not varied.
        tangents: Vec<Option<VarId>>,
        keep_pullback: bool,
        /// A method call (`args[0]` is the receiver).
        method: Option<syn::Ident>,
    },
    /// `dplace[index] = dvalue` (the whole tangent place without an index), logging the
    /// overwritten tangent when the primal store is logged.
    Store {
        place: VarId,
        path: Vec<Proj>,
        value: TOperand,
        span: Span,
        log: Log,
    },
    /// `dplace.push(dvalue)`.
    Push {
        place: VarId,
        value: TOperand,
        span: Span,
        log: Log,
    },
    /// The undo log of a tangent place.
    NewLog { place: VarId, log: Log },
    If {
        cond: VarId,
        then_block: Vec<TStmt>,
        else_block: Vec<TStmt>,
        phis: Vec<Phi>,
        /// The merged tangents: `out`'s tangent is `then` or `else`.
        tangent_phis: Vec<(VarId, TOperand, TOperand)>,
    },
    Loop {
        id: usize,
        kind: TLoopKind,
        body: Vec<TStmt>,
        carried: Vec<Carry>,
        /// The carried values that are varied, whose tangents are carried beside them.
        tangent_carried: Vec<TCarry>,
        /// What each iteration pushes, tangents included.
        tape: Option<Vec<Slot>>,
    },
}

/// The tangent of a carried value: `phi`'s and `out`'s tangents, from `init`'s and
/// `next`'s.
#[derive(Clone)]
pub struct TCarry {
    pub phi: VarId,
    pub out: VarId,
    pub init: TOperand,
    pub next: TOperand,
}

#[derive(Clone)]
pub enum TLoopKind {
    For {
        pat: Option<VarId>,
        iter: TokenStream,
        trip_count: Option<TokenStream>,
    },
    While {
        cond_block: Vec<TStmt>,
        cond: VarId,
    },
}

/// The tangent sweep of `f`'s statements.
pub fn tangent(f: &Function) -> Tangent {
    let sweep = Sweep { f };
    Tangent {
        forward: f.clone(),
        stmts: sweep.block(&f.stmts),
    }
}

struct Sweep<'a> {
    f: &'a Function,
}

impl Sweep<'_> {
    fn varied(&self, v: VarId) -> bool {
        self.f.vars[v].varied
    }

    fn operand(&self, v: VarId) -> TOperand {
        if self.varied(v) {
            TOperand::Tan(v)
        } else {
            TOperand::Zero(v)
        }
    }

    fn block(&self, block: &[Stmt]) -> Vec<TStmt> {
        let mut out = Vec::with_capacity(2 * block.len());
        for stmt in block {
            self.stmt(stmt, &mut out);
        }
        out
    }

    fn stmt(&self, stmt: &Stmt, out: &mut Vec<TStmt>) {
        match stmt {
            Stmt::Let { var, value, .. } => {
                if let (
                    true,
                    Value::Call {
                        callee,
                        args,
                        spans,
                        by_ref,
                        keep_pullback,
                        method,
                    },
                ) = (self.varied(*var), value)
                {
                    out.push(TStmt::Call {
                        var: *var,
                        callee: callee.clone(),
                        args: args.clone(),
                        spans: spans.clone(),
                        by_ref: by_ref.clone(),
                        tangents: args.iter().map(|a| self.varied(*a).then_some(*a)).collect(),
                        keep_pullback: *keep_pullback,
                        method: method.clone(),
                    });
                    return;
                }
                out.push(TStmt::Primal(stmt.clone()));
                if self.varied(*var) {
                    out.push(TStmt::Let {
                        var: *var,
                        value: self.value(value),
                    });
                }
            }
            Stmt::Effect(_) => out.push(TStmt::Primal(stmt.clone())),
            Stmt::NewLog { place, log } => {
                out.push(TStmt::Primal(stmt.clone()));
                if self.varied(*place) {
                    out.push(TStmt::NewLog {
                        place: *place,
                        log: *log,
                    });
                }
            }
            Stmt::Store {
                place,
                path,
                value,
                span,
                log,
            } => {
                out.push(TStmt::Primal(stmt.clone()));
                if self.varied(*place) {
                    out.push(TStmt::Store {
                        place: *place,
                        path: path.clone(),
                        value: self.operand(*value),
                        span: *span,
                        log: *log,
                    });
                }
            }
            Stmt::Push {
                place,
                value,
                span,
                log,
            } => {
                out.push(TStmt::Primal(stmt.clone()));
                if self.varied(*place) {
                    out.push(TStmt::Push {
                        place: *place,
                        value: self.operand(*value),
                        span: *span,
                        log: *log,
                    });
                }
            }
            Stmt::If {
                cond,
                then_block,
                else_block,
                phis,
            } => out.push(TStmt::If {
                cond: *cond,
                then_block: self.block(then_block),
                else_block: self.block(else_block),
                phis: phis.clone(),
                tangent_phis: phis
                    .iter()
                    .filter(|p| self.varied(p.out))
                    .map(|p| {
                        (
                            p.out,
                            self.operand(p.then_value),
                            self.operand(p.else_value),
                        )
                    })
                    .collect(),
            }),
            Stmt::Loop {
                id,
                kind,
                body,
                carried,
                tape,
                ..
            } => {
                let kind = match kind {
                    LoopKind::For {
                        pat,
                        iter,
                        trip_count,
                    } => TLoopKind::For {
                        pat: *pat,
                        iter: iter.clone(),
                        trip_count: trip_count.clone(),
                    },
                    LoopKind::While { cond_block, cond } => TLoopKind::While {
                        cond_block: self.block(cond_block),
                        cond: *cond,
                    },
                };
                let tape = tape.as_ref().map(|tape| {
                    let mut slots: Vec<Slot> =
                        tape.pushed.iter().map(|v| Slot::Primal(*v)).collect();
                    slots.extend(
                        tape.pushed
                            .iter()
                            .filter(|v| self.varied(**v))
                            .map(|v| Slot::Tangent(*v)),
                    );
                    slots
                });
                out.push(TStmt::Loop {
                    id: *id,
                    kind,
                    body: self.block(body),
                    carried: carried.clone(),
                    tangent_carried: carried
                        .iter()
                        .filter(|c| self.varied(c.phi))
                        .map(|c| TCarry {
                            phi: c.phi,
                            out: c.out,
                            init: self.operand(c.init),
                            next: self.operand(c.next),
                        })
                        .collect(),
                    tape,
                });
            }
        }
    }

    fn value(&self, value: &Value) -> TValue {
        match value {
            Value::Param { index, .. } => TValue::Param(*index),
            Value::Copy(v) if self.varied(*v) => TValue::Copy(*v),
            Value::Load { place: base, path } | Value::Project { base, path }
                if self.varied(*base) =>
            {
                if path.is_empty() {
                    TValue::Copy(*base)
                } else {
                    TValue::Project {
                        base: *base,
                        path: path.clone(),
                    }
                }
            }
            Value::Repeat { elem, count } => TValue::Repeat {
                elem: self.operand(*elem),
                count: count.clone(),
            },
            Value::Tuple(elems) | Value::Array(elems) | Value::VecOf(elems) => {
                let tuple = matches!(value, Value::Tuple(_));
                TValue::Build {
                    parts: elems
                        .iter()
                        .enumerate()
                        .filter(|(_, v)| self.varied(**v))
                        .map(|(k, v)| {
                            let at = if tuple {
                                Proj::Field(syn::Member::Unnamed(syn::Index {
                                    index: k as u32,
                                    span: self.f.vars[*v].span,
                                }))
                            } else {
                                Proj::Usize(k)
                            };
                            (at, *v)
                        })
                        .collect(),
                }
            }
            Value::Struct { fields, .. } => TValue::Build {
                parts: fields
                    .iter()
                    .filter(|(_, v)| self.varied(*v))
                    .map(|(m, v)| (Proj::Field(m.clone()), *v))
                    .collect(),
            },
            Value::Prim {
                prim,
                operands,
                spans,
                generic,
            } => TValue::Jvp {
                prim,
                operands: operands.clone(),
                spans: spans.clone(),
                generic: generic.clone(),
                tangents: value
                    .diff_operands()
                    .iter()
                    .map(|v| self.operand(*v))
                    .collect(),
            },
            Value::Stack { elems, rows, path } => TValue::Stack {
                elems: elems.iter().map(|v| self.operand(*v)).collect(),
                rows: *rows,
                path: path.clone(),
            },
            // A varied variable bound to a constant is a place that varied values are
            // stored into later: its tangent starts at zero.
            _ => TValue::Zero,
        }
    }
}

// ---------------------------------------------------------------------------------------
// The tangent of the reverse sweep (f_hvp)
// ---------------------------------------------------------------------------------------

/// Forward mode over the reverse sweep: `f_hvp`'s program as data.
pub struct TangentAdjoint {
    /// The reverse sweep it carries into tangent space.
    pub adjoint: Adjoint,
    /// The tangent sweep of `adjoint.forward`.
    pub forward: Vec<TStmt>,
    pub stmts: Vec<HStmt>,
}

/// A value of the tangent reverse sweep: an adjoint's tangent `dct`, one element of it, or
/// zero shaped like a forward variable.
#[derive(Clone)]
pub enum DExpr {
    Adj(AdjId),
    AdjPath(AdjId, Vec<Proj>),
    Zero(VarId),
    SumOf(AdjId, VarId),
    WithoutData(AdjId),
}

/// A statement of the reverse sweep carried into tangent space.
pub enum HStmt {
    /// A statement of the reverse sweep, unchanged (`Init`, `Accumulate`, `Assign`,
    /// `Clear`, `UndoTo`, `Restore`).
    Adjoint(AStmt),
    /// `let mut dct = value;`
    Init { adj: AdjId, value: DExpr },
    /// `dct[target] += value;`
    Accumulate {
        adj: AdjId,
        target: Target,
        value: DExpr,
    },
    /// `dct = value;`
    Assign { adj: AdjId, value: DExpr },
    /// `(dct0, ..) = (value0, ..);`
    AssignAll(Vec<(AdjId, DExpr)>),
    /// `dct[path] = 0;`
    Clear { adj: AdjId, path: Vec<Proj> },
    /// `let mut dinto = dadj.pop();`
    Pop { adj: AdjId, into: AdjId },
    /// The VJP (as `AStmt::Vjp`) and then its tangent:
    /// `let (dr0, ..) = Op::op_vjp_jvp(operands.., out, ct, d_operands.., d_out, d_ct)`.
    VjpJvp { vjp: AStmt, tangents: Vec<TOperand> },
    /// `let ((r0, ..), (dr0, ..)) = pullback.backward((ct, dct));`
    Backward {
        var: VarId,
        ct: AdjId,
        results: Vec<Option<AdjId>>,
    },
    /// Forward statements recomputed, with their tangents.
    Replay(Vec<TStmt>),
    /// Undoes a tangent place's stores back to `mark`, like the place's own.
    UndoTangentTo { place: VarId, mark: VarId },
    /// Restores what the last logged store to a tangent place overwrote.
    RestoreTangent { place: VarId, whole: bool },
    If {
        cond: VarId,
        then_block: Vec<HStmt>,
        else_block: Vec<HStmt>,
    },
    /// Reverses loop `id`, popping primal and tangent entries.
    Loop {
        id: usize,
        popped: Vec<Slot>,
        body: Vec<HStmt>,
    },
}

/// The tangent sweep of `adjoint`'s forward pass and reverse sweep.
pub fn over_adjoint(adjoint: Adjoint) -> TangentAdjoint {
    let forward = tangent(&adjoint.forward).stmts;
    let sweep = Sweep {
        f: &adjoint.forward,
    };
    let stmts = sweep.reverse_block(&adjoint.stmts);
    TangentAdjoint {
        forward,
        stmts,
        adjoint,
    }
}

/// The tangent of an adjoint expression.
pub fn dexpr(e: &AExpr) -> DExpr {
    match e {
        AExpr::Adj(a) | AExpr::Copied(a) => DExpr::Adj(*a),
        AExpr::AdjPath(a, path) => DExpr::AdjPath(*a, path.clone()),
        AExpr::Zero(v) => DExpr::Zero(*v),
        AExpr::SumOf(a, v) => DExpr::SumOf(*a, *v),
        AExpr::WithoutData(a) => DExpr::WithoutData(*a),
    }
}

impl Sweep<'_> {
    fn reverse_block(&self, block: &[AStmt]) -> Vec<HStmt> {
        let mut out = Vec::with_capacity(2 * block.len());
        for stmt in block {
            self.reverse_stmt(stmt, &mut out);
        }
        out
    }

    fn reverse_stmt(&self, stmt: &AStmt, out: &mut Vec<HStmt>) {
        match stmt {
            AStmt::Init { adj, value } => {
                out.push(HStmt::Adjoint(stmt.clone()));
                out.push(HStmt::Init {
                    adj: *adj,
                    value: dexpr(value),
                });
            }
            AStmt::Accumulate { adj, target, value } => {
                out.push(HStmt::Adjoint(stmt.clone()));
                out.push(HStmt::Accumulate {
                    adj: *adj,
                    target: target.clone(),
                    value: dexpr(value),
                });
            }
            AStmt::AssignAll(assigns) => {
                out.push(HStmt::Adjoint(stmt.clone()));
                out.push(HStmt::AssignAll(
                    assigns.iter().map(|(a, v)| (*a, dexpr(v))).collect(),
                ));
            }
            AStmt::Assign { adj, value } => {
                out.push(HStmt::Adjoint(stmt.clone()));
                out.push(HStmt::Assign {
                    adj: *adj,
                    value: dexpr(value),
                });
            }
            AStmt::Pop { adj, into } => {
                out.push(HStmt::Adjoint(stmt.clone()));
                out.push(HStmt::Pop {
                    adj: *adj,
                    into: *into,
                });
            }
            AStmt::Clear { adj, path } => {
                out.push(HStmt::Adjoint(stmt.clone()));
                out.push(HStmt::Clear {
                    adj: *adj,
                    path: path.clone(),
                });
            }
            AStmt::Vjp {
                var,
                prim,
                operands,
                ..
            } => {
                let tangents = Value::Prim {
                    prim,
                    operands: operands.clone(),
                    spans: Vec::new(),
                    generic: None,
                }
                .diff_operands()
                .iter()
                .map(|v| self.operand(*v))
                .collect();
                let _ = var;
                out.push(HStmt::VjpJvp {
                    vjp: stmt.clone(),
                    tangents,
                });
            }
            AStmt::Backward { var, ct, results } => out.push(HStmt::Backward {
                var: *var,
                ct: *ct,
                results: results.clone(),
            }),
            AStmt::Replay(stmts) => out.push(HStmt::Replay(self.block(stmts))),
            AStmt::UndoTo { place, mark } => {
                out.push(HStmt::Adjoint(stmt.clone()));
                if self.varied(*place) {
                    out.push(HStmt::UndoTangentTo {
                        place: *place,
                        mark: *mark,
                    });
                }
            }
            AStmt::Restore { place, whole } => {
                out.push(HStmt::Adjoint(stmt.clone()));
                if self.varied(*place) {
                    out.push(HStmt::RestoreTangent {
                        place: *place,
                        whole: *whole,
                    });
                }
            }
            AStmt::If {
                cond,
                then_block,
                else_block,
            } => out.push(HStmt::If {
                cond: *cond,
                then_block: self.reverse_block(then_block),
                else_block: self.reverse_block(else_block),
            }),
            AStmt::Taped { .. } | AStmt::Unpack { .. } => {
                unreachable!("f_hvp's reverse sweep replays its loops rather than taping them")
            }
            AStmt::Checkpointed { .. } => {
                unreachable!("f_hvp's reverse sweep is built without checkpoints")
            }
            AStmt::Loop { id, popped, body } => {
                let mut slots: Vec<Slot> = popped.iter().map(|v| Slot::Primal(*v)).collect();
                slots.extend(
                    popped
                        .iter()
                        .filter(|v| self.varied(**v))
                        .map(|v| Slot::Tangent(*v)),
                );
                out.push(HStmt::Loop {
                    id: *id,
                    popped: slots,
                    body: self.reverse_block(body),
                });
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Printing
// ---------------------------------------------------------------------------------------

struct Printer<'a> {
    f: &'a Function,
}

impl Printer<'_> {
    fn label(&self, v: VarId) -> String {
        self.f.var_label(v)
    }

    fn tan(&self, v: VarId) -> String {
        format!("d{}", self.label(v))
    }

    fn operand(&self, t: &TOperand) -> String {
        match t {
            TOperand::Tan(v) => self.tan(*v),
            TOperand::Zero(v) => format!("zero like {}", self.label(*v)),
        }
    }

    fn slot(&self, s: &Slot) -> String {
        match s {
            Slot::Primal(v) => self.label(*v),
            Slot::Tangent(v) => self.tan(*v),
        }
    }

    fn block(&self, f: &mut fmt::Formatter<'_>, block: &[TStmt], depth: usize) -> fmt::Result {
        let indent = "  ".repeat(depth);
        for stmt in block {
            match stmt {
                TStmt::Primal(stmt) => self.f.fmt_block(f, std::slice::from_ref(stmt), depth)?,
                TStmt::Let { var, value } => {
                    let rhs = match value {
                        TValue::Param(i) => format!("tangent of param {i}"),
                        TValue::Zero => format!("zero like {}", self.label(*var)),
                        TValue::Repeat { elem, count } => {
                            format!("vec {}; {count}", self.operand(elem))
                        }
                        TValue::Copy(v) => format!("copy {}", self.tan(*v)),
                        TValue::Jvp { prim, tangents, .. } => format!(
                            "{}_jvp {}",
                            prim.name,
                            tangents
                                .iter()
                                .map(|t| self.operand(t))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        TValue::Stack { elems, .. } => format!(
                            "stack {}",
                            elems
                                .iter()
                                .map(|t| self.operand(t))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        TValue::Project { base, path } => {
                            format!("project {}{}", self.tan(*base), self.f.path_label(path))
                        }
                        TValue::Build { parts } => format!(
                            "build {}",
                            parts
                                .iter()
                                .map(|(p, v)| format!(
                                    "{} = {}",
                                    self.f.path_label(std::slice::from_ref(p)),
                                    self.tan(*v)
                                ))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    };
                    writeln!(f, "{indent} {} = {rhs}", self.tan(*var))?
                }
                TStmt::Call {
                    var,
                    callee,
                    args,
                    tangents,
                    keep_pullback,
                    ..
                } => {
                    let args: Vec<String> = args.iter().map(|a| self.label(*a)).collect();
                    let tangents: Vec<String> = tangents
                        .iter()
                        .map(|t| t.map_or("-".to_string(), |v| self.tan(v)))
                        .collect();
                    writeln!(
                        f,
                        "{indent}*{}, {} = call {} {} {} with tangents {}",
                        self.label(*var),
                        self.tan(*var),
                        if *keep_pullback {
                            "full_hvp"
                        } else {
                            "full_jvp"
                        },
                        quote::ToTokens::to_token_stream(callee),
                        args.join(", "),
                        tangents.join(", ")
                    )?
                }
                TStmt::Store {
                    place,
                    path,
                    value,
                    log,
                    ..
                } => {
                    let at = self.f.path_label(path);
                    let log = if *log == Log::None { "" } else { " (logged)" };
                    writeln!(
                        f,
                        "{indent} store {}{at} = {}{log}",
                        self.tan(*place),
                        self.operand(value)
                    )?
                }
                TStmt::Push { place, value, .. } => writeln!(
                    f,
                    "{indent} push {} onto {}",
                    self.operand(value),
                    self.tan(*place)
                )?,
                TStmt::NewLog { place, .. } => {
                    writeln!(f, "{indent} new undo log of {}", self.tan(*place))?
                }
                TStmt::If {
                    cond,
                    then_block,
                    else_block,
                    phis,
                    tangent_phis,
                } => {
                    writeln!(f, "{indent} if {} {{", self.label(*cond))?;
                    self.block(f, then_block, depth + 1)?;
                    writeln!(f, "{indent} }} else {{")?;
                    self.block(f, else_block, depth + 1)?;
                    writeln!(f, "{indent} }}")?;
                    for phi in phis {
                        writeln!(
                            f,
                            "{indent} {} = phi {}, {}",
                            self.label(phi.out),
                            self.label(phi.then_value),
                            self.label(phi.else_value)
                        )?;
                    }
                    for (out, then_value, else_value) in tangent_phis {
                        writeln!(
                            f,
                            "{indent} {} = phi {}, {}",
                            self.tan(*out),
                            self.operand(then_value),
                            self.operand(else_value)
                        )?;
                    }
                }
                TStmt::Loop {
                    kind,
                    body,
                    carried,
                    tangent_carried,
                    tape,
                    ..
                } => {
                    if let Some(tape) = tape {
                        let slots: Vec<String> = tape.iter().map(|s| self.slot(s)).collect();
                        writeln!(f, "{indent} (each iteration pushes {})", slots.join(", "))?;
                    }
                    let mut list: Vec<String> = carried
                        .iter()
                        .map(|c| {
                            format!(
                                "{} <- {} / {}",
                                self.label(c.phi),
                                self.label(c.init),
                                self.label(c.next)
                            )
                        })
                        .collect();
                    list.extend(tangent_carried.iter().map(|c| {
                        format!(
                            "{} <- {} / {}",
                            self.tan(c.phi),
                            self.operand(&c.init),
                            self.operand(&c.next)
                        )
                    }));
                    let list = list.join("; ");
                    match kind {
                        TLoopKind::For { pat, iter, .. } => {
                            let pat = pat.map_or("_".to_string(), |p| self.label(p));
                            writeln!(f, "{indent} for {pat} in {iter} [{list}] {{")?;
                        }
                        TLoopKind::While { cond_block, cond } => {
                            writeln!(f, "{indent} while [{list}] {{")?;
                            self.block(f, cond_block, depth + 1)?;
                            writeln!(f, "{indent}   break unless {}", self.label(*cond))?;
                        }
                    }
                    self.block(f, body, depth + 1)?;
                    writeln!(f, "{indent} }}")?;
                    for c in carried {
                        writeln!(
                            f,
                            "{indent} {} = after loop {}",
                            self.label(c.out),
                            self.label(c.phi)
                        )?;
                    }
                    for c in tangent_carried {
                        writeln!(
                            f,
                            "{indent} {} = after loop {}",
                            self.tan(c.out),
                            self.tan(c.phi)
                        )?;
                    }
                }
            }
        }
        Ok(())
    }
}

impl fmt::Display for Tangent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let printer = Printer { f: &self.forward };
        printer.block(f, &self.stmts, 0)?;
        writeln!(f, "return {}, {}", printer.label(self.forward.output), {
            let out = self.forward.output;
            if self.forward.vars[out].varied {
                printer.tan(out)
            } else {
                format!("zero like {}", printer.label(out))
            }
        })
    }
}

impl fmt::Display for TangentAdjoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let printer = Printer {
            f: &self.adjoint.forward,
        };
        writeln!(f, "forward:")?;
        printer.block(f, &self.forward, 1)?;
        writeln!(f, "reverse:")?;
        self.fmt_block(f, &printer, &self.stmts, 1)
    }
}

impl TangentAdjoint {
    fn dadj(&self, a: AdjId) -> String {
        format!("d{}", self.adjoint.adj_label(a))
    }

    fn dexpr(&self, e: &DExpr) -> String {
        match e {
            DExpr::Adj(a) => self.dadj(*a),
            DExpr::SumOf(a, _) => format!("sum of {}", self.dadj(*a)),
            DExpr::WithoutData(a) => format!("data-free {}", self.dadj(*a)),
            DExpr::AdjPath(a, path) => {
                format!("{}{}", self.dadj(*a), self.adjoint.forward.path_label(path))
            }
            DExpr::Zero(v) => format!("zero like {}", self.adjoint.forward.var_label(*v)),
        }
    }

    fn fmt_block(
        &self,
        f: &mut fmt::Formatter<'_>,
        printer: &Printer<'_>,
        block: &[HStmt],
        depth: usize,
    ) -> fmt::Result {
        let indent = "  ".repeat(depth);
        for stmt in block {
            match stmt {
                HStmt::Adjoint(a) => self.adjoint.fmt_block(f, std::slice::from_ref(a), depth)?,
                HStmt::Pop { adj, into } => {
                    writeln!(f, "{indent}{} = pop {}", self.dadj(*into), self.dadj(*adj))?
                }
                HStmt::Init { adj, value } => {
                    writeln!(f, "{indent}{} = {}", self.dadj(*adj), self.dexpr(value))?
                }
                HStmt::Accumulate { adj, target, value } => {
                    let at = match target {
                        Target::Whole => String::new(),
                        Target::Path(path) => self.adjoint.forward.path_label(path),
                        Target::Rows { start, rows } => {
                            format!("[rows {rows} from {}]", printer.label(*start))
                        }
                    };
                    writeln!(
                        f,
                        "{indent}{}{at} += {}",
                        self.dadj(*adj),
                        self.dexpr(value)
                    )?
                }
                HStmt::AssignAll(assigns) => {
                    for (adj, value) in assigns {
                        writeln!(
                            f,
                            "{indent}{} := {} (together)",
                            self.dadj(*adj),
                            self.dexpr(value)
                        )?;
                    }
                }
                HStmt::Assign { adj, value } => {
                    writeln!(f, "{indent}{} := {}", self.dadj(*adj), self.dexpr(value))?
                }
                HStmt::Clear { adj, path } => writeln!(
                    f,
                    "{indent}{}{} := 0",
                    self.dadj(*adj),
                    self.adjoint.forward.path_label(path)
                )?,
                HStmt::VjpJvp { vjp, tangents } => {
                    self.adjoint
                        .fmt_block(f, std::slice::from_ref(vjp), depth)?;
                    if let AStmt::Vjp {
                        var, ct, results, ..
                    } = vjp
                    {
                        let results: Vec<String> = results
                            .iter()
                            .map(|r| r.map_or("_".to_string(), |a| self.dadj(a)))
                            .collect();
                        let tangents: Vec<String> =
                            tangents.iter().map(|t| printer.operand(t)).collect();
                        writeln!(
                            f,
                            "{indent}{} = vjp_jvp of {} with {}, {}",
                            results.join(", "),
                            printer.label(*var),
                            self.dadj(*ct),
                            tangents.join(", ")
                        )?
                    }
                }
                HStmt::Backward { var, ct, results } => {
                    let rs: Vec<String> = results
                        .iter()
                        .map(|r| r.map_or("_".to_string(), |a| self.adjoint.adj_label(a)))
                        .collect();
                    let ds: Vec<String> = results
                        .iter()
                        .map(|r| r.map_or("_".to_string(), |a| self.dadj(a)))
                        .collect();
                    writeln!(
                        f,
                        "{indent}{}; {} = tangent pullback of {} with {}, {}",
                        rs.join(", "),
                        ds.join(", "),
                        printer.label(*var),
                        self.adjoint.adj_label(*ct),
                        self.dadj(*ct)
                    )?
                }
                HStmt::Replay(stmts) => {
                    writeln!(f, "{indent}replay {{")?;
                    printer.block(f, stmts, depth + 1)?;
                    writeln!(f, "{indent}}}")?
                }
                HStmt::UndoTangentTo { place, mark } => writeln!(
                    f,
                    "{indent}undo {} to {}",
                    printer.tan(*place),
                    printer.label(*mark)
                )?,
                HStmt::RestoreTangent { place, .. } => {
                    writeln!(f, "{indent}restore {}", printer.tan(*place))?
                }
                HStmt::If {
                    cond,
                    then_block,
                    else_block,
                } => {
                    writeln!(f, "{indent}if {} {{", printer.label(*cond))?;
                    self.fmt_block(f, printer, then_block, depth + 1)?;
                    writeln!(f, "{indent}}} else {{")?;
                    self.fmt_block(f, printer, else_block, depth + 1)?;
                    writeln!(f, "{indent}}}")?
                }
                HStmt::Loop { id, popped, body } => {
                    let popped: Vec<String> = popped.iter().map(|s| printer.slot(s)).collect();
                    writeln!(
                        f,
                        "{indent}for each entry ({}) popped from tape {id} {{",
                        popped.join(", ")
                    )?;
                    self.fmt_block(f, printer, body, depth + 1)?;
                    writeln!(f, "{indent}}}")?
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::Args;
    use crate::errors::Errors;
    use crate::valid::Signature;
    use proc_macro2::TokenStream;
    use quote::quote;

    fn lower(item: TokenStream) -> Function {
        let mut errors = Errors::default();
        let args = Args::from_tokens(quote!(), &mut errors);
        let item: syn::ItemFn = syn::parse2(item).expect("a function");
        let sig = Signature::validate(&item, &args, &mut errors).expect("a valid signature");
        let ir = crate::lower::lower(&sig, &item.block, &mut errors);
        assert!(errors.is_empty(), "{}", errors.to_compile_errors());
        ir
    }

    /// The tangent IR of `item`, as text.
    fn tangent_str(item: TokenStream) -> String {
        let text = tangent(&lower(item)).to_string();
        if std::env::var_os("AUTODIFF_PRINT_IR").is_some() {
            println!("{text}");
        }
        text
    }

    /// The tangent of the adjoint IR of `item`, as text.
    fn over_adjoint_str(item: TokenStream) -> String {
        let ir = lower(item);
        let active = crate::activity::active(&ir);
        let text =
            over_adjoint(crate::reverse::reverse_without_checkpoints(&ir, &active)).to_string();
        if std::env::var_os("AUTODIFF_PRINT_IR").is_some() {
            println!("{text}");
        }
        text
    }

    fn assert_dump(got: &str, want: &str) {
        let want: Vec<&str> = want
            .lines()
            .map(str::trim_end)
            .filter(|l| !l.is_empty())
            .collect();
        let got: Vec<&str> = got.lines().map(str::trim_end).collect();
        assert_eq!(got, want, "\ngot:\n{}\n", got.join("\n"));
    }

    #[test]
    fn straight_line_code_gets_one_tangent_per_varied_value() {
        let text = tangent_str(quote! {
            fn f(a: Tensor<f64, 3>) -> f64 {
                let b = a * 2.0;
                let c = b.sin() + a;
                c.sum()
            }
        });
        assert_dump(
            &text,
            "
*%0:a = param 0
 d%0:a = tangent of param 0
 %1 = inert 2.0
*%2:b = mul %0:a, %1
 d%2:b = mul_jvp d%0:a, zero like %1
*%3 = sin %2:b
 d%3 = sin_jvp d%2:b
*%4:c = add %3, %0:a
 d%4:c = add_jvp d%3, d%0:a
*%5 = sum %4:c
 d%5 = sum_jvp d%4:c
return %5, d%5
",
        );
    }

    #[test]
    fn branches_merge_and_loops_carry_tangents() {
        let text = tangent_str(quote! {
            fn f(x: f64) -> f64 {
                let mut y = x;
                for _ in 0..3 {
                    y = y * x;
                }
                if y > 1.0 { y.ln() } else { 0.5 }
            }
        });
        assert!(
            text.contains("[%2:y <- %1:y / %3:y; d%2:y <- d%1:y / d%3:y] {"),
            "{text}"
        );
        assert!(text.contains("d%3:y = mul_jvp d%2:y, d%0:x"), "{text}");
        assert!(text.contains("d%4:y = after loop d%2:y"), "{text}");
        // The constant branch contributes a zero tangent.
        assert!(text.contains("= phi d%"), "{text}");
        assert!(text.contains(", zero like %"), "{text}");
    }

    #[test]
    fn places_store_tangents_and_calls_chain_into_full_jvp() {
        let text = tangent_str(quote! {
            fn f(x: Tensor<f64, 2>) -> f64 {
                let mut y = Tensor::<f64, 2>::zeros();
                y[0] = helper(x[1], 3);
                y[1] = x[0];
                y.sum()
            }
        });
        assert!(text.contains("zero like %"), "{text}");
        assert!(text.contains("call full_jvp helper"), "{text}");
        assert!(text.contains("with tangents d%"), "{text}");
        assert!(text.contains("store d%"), "{text}");
    }

    #[test]
    fn the_reverse_sweep_gets_tangent_adjoints() {
        let text = over_adjoint_str(quote! {
            fn f(x: f64) -> f64 {
                let mut y = x;
                while y < 10.0 {
                    y = y * x;
                }
                y.exp()
            }
        });
        // The tape holds the tangents of the carried values beside them.
        assert!(
            text.contains("(each iteration pushes %2:y, d%2:y)"),
            "{text}"
        );
        assert!(
            text.contains("for each entry (%2:y, d%2:y) popped from tape 0 {"),
            "{text}"
        );
        // Each VJP is followed by its tangent, each adjoint statement by its own.
        assert!(
            text.contains("dct1(y) = vjp_jvp of %7 with dct0(%7), d%6:y"),
            "{text}"
        );
        assert!(text.contains("dct"), "{text}");
        let vjps = text.matches("= vjp of").count();
        assert_eq!(vjps, text.matches("= vjp_jvp of").count(), "{text}");
    }

    #[test]
    fn logged_places_log_their_tangents() {
        let text = over_adjoint_str(quote! {
            fn f(x: Tensor<f64, 4>) -> f64 {
                let mut y = x;
                for i in 1..4 {
                    y[i] = y[i] + y[i - 1];
                }
                y.sum()
            }
        });
        assert!(text.contains("new undo log of d%"), "{text}");
        assert!(text.contains("(logged)"), "{text}");
        assert!(text.contains("undo d%"), "{text}");
        assert!(text.contains("restore d%"), "{text}");
    }
}
