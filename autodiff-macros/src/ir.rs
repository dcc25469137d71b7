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
pub struct Function {
    pub vars: Vec<Var>,
    pub stmts: Vec<Stmt>,
    /// The variable holding the returned value.
    pub output: VarId,
}

/// One SSA value.
pub struct Var {
    /// The user's name for it, when it was bound by `let` or is a parameter.
    pub name: Option<String>,
    /// The user's tokens that computed it: generated code for it is spanned here.
    pub span: Span,
    /// Depends on a differentiated parameter through differentiable operations.
    pub varied: bool,
    /// Declared `let mut` by the user, or mutated in place by inert code.
    pub mutable: bool,
}

/// A statement of the forward pass.
pub enum Stmt {
    /// `let v: ty = value;`
    Let {
        var: VarId,
        ty: Option<Box<syn::Type>>,
        value: Value,
    },
    /// An expression statement with no differentiated value in it (already renamed).
    Effect(TokenStream),
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
    },
}

/// A value merged after an `if`: `out` is `then_value` or `else_value`.
pub struct Phi {
    pub out: VarId,
    pub then_value: VarId,
    pub else_value: VarId,
}

/// A variable a loop body reassigns.
pub struct Carry {
    /// Its value before the loop.
    pub init: VarId,
    /// Its value at the start of an iteration (bound by the loop).
    pub phi: VarId,
    /// Its value at the end of the body.
    pub next: VarId,
    /// Its value after the loop.
    pub out: VarId,
}

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
    },
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
            Value::Param { .. } | Value::Inert(_) | Value::Detach(_) => Vec::new(),
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
    fn var_label(&self, v: VarId) -> String {
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
    fn fmt_block(&self, f: &mut fmt::Formatter<'_>, block: &[Stmt], depth: usize) -> fmt::Result {
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
                    ..
                } => {
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
                        Value::Call { callee, args, .. } => writeln!(
                            f,
                            "call {} {}",
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

/// The name generated code gives variable `v`: a reserved prefix with mixed-site hygiene,
/// so it can neither see nor shadow the user's own names, located at the user's tokens.
pub fn var_ident(v: VarId, span: Span) -> proc_macro2::Ident {
    proc_macro2::Ident::new(&format!("__ad_v{v}"), Span::mixed_site().located_at(span))
}
