//! The graph IR: the body of a differentiable function in A-normal form.
//!
//! Every intermediate value is a numbered variable (`VarId`) bound exactly once by a
//! `Stmt::Let`, in execution order; user names are kept for debugging and for the graph
//! view. Operands of primitives are always variables, so the reverse sweep can name every
//! value it needs. Code that involves no differentiated value is kept as Rust tokens
//! (`Value::Inert`), already rewritten to refer to IR variables.
//!
//! Guarantees after `lower`: every `VarId` used by a statement is bound by an earlier one;
//! `Var::varied` is true exactly for values that depend on a differentiated parameter
//! through differentiable operations.

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
        let list = |vars: &[VarId]| {
            vars.iter()
                .map(|v| self.var_label(*v))
                .collect::<Vec<_>>()
                .join(", ")
        };
        for stmt in &self.stmts {
            match stmt {
                Stmt::Effect(tokens) => writeln!(f, "effect {tokens}")?,
                Stmt::Let { var, value, .. } => {
                    let marker = if self.vars[*var].varied { "*" } else { " " };
                    write!(f, "{marker}{} = ", self.var_label(*var))?;
                    match value {
                        Value::Param { index, deref } => {
                            writeln!(f, "param {index}{}", if *deref { " (deref)" } else { "" })?
                        }
                        Value::Inert(tokens) => writeln!(f, "inert {tokens}")?,
                        Value::Copy(v) => writeln!(f, "copy {}", self.var_label(*v))?,
                        Value::Detach(v) => writeln!(f, "detach {}", self.var_label(*v))?,
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
        writeln!(f, "return {}", self.var_label(self.output))
    }
}

/// The name generated code gives variable `v`: a reserved prefix with mixed-site hygiene,
/// so it can neither see nor shadow the user's own names, located at the user's tokens.
pub fn var_ident(v: VarId, span: Span) -> proc_macro2::Ident {
    proc_macro2::Ident::new(&format!("__ad_v{v}"), Span::mixed_site().located_at(span))
}
