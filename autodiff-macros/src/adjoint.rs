//! The reverse sweep, planned on the IR.
//!
//! Walks the active statements backwards and decides, for every contribution a VJP makes,
//! which adjoint it starts or extends. Adjoints are immutable and numbered (`AdjId`): the
//! first contribution to a variable *is* its adjoint, a later one makes a new adjoint
//! `prev + contribution`, so no adjoint is ever zero-initialised.
//!
//! Output guarantees: steps are in reverse execution order; every step's `ct` is defined
//! by the seed or an earlier step; `grads` names, per differentiated parameter, its final
//! adjoint, or `None` when the output does not depend on it (its gradient is zero).

use crate::ir::{Function, Stmt, Value, VarId};

/// Index of an adjoint; `SEED` is the output's cotangent.
pub type AdjId = usize;
pub const SEED: AdjId = 0;

pub struct Reverse {
    pub steps: Vec<Step>,
    /// Per parameter of the function (in order): `Some(adjoint)` for differentiated ones
    /// that received a contribution.
    pub grads: Vec<Option<AdjId>>,
    /// The variable bound to each parameter.
    pub param_vars: Vec<VarId>,
}

/// The VJP of one forward statement.
pub struct Step {
    /// Index into `Function::stmts`.
    pub stmt: usize,
    /// The cotangent of the statement's result.
    pub ct: AdjId,
    /// One entry per differentiable operand (`Value::diff_operands` order): where its
    /// contribution goes, or `None` when that operand is not active.
    pub contributions: Vec<Option<Contribution>>,
}

pub struct Contribution {
    pub var: VarId,
    /// The adjoint this contribution is added to, if the variable already has one.
    pub prev: Option<AdjId>,
    /// The adjoint it defines.
    pub new: AdjId,
}

pub fn reverse(f: &Function, active: &[bool]) -> Reverse {
    let mut current: Vec<Option<AdjId>> = vec![None; f.vars.len()];
    let mut next = SEED + 1;
    if active[f.output] {
        current[f.output] = Some(SEED);
    }
    let mut steps = Vec::new();
    let mut param_vars = Vec::new();
    for (index, stmt) in f.stmts.iter().enumerate().rev() {
        let Stmt::Let { var, value, .. } = stmt else {
            continue;
        };
        if let Value::Param { index, .. } = value {
            if param_vars.len() <= *index {
                param_vars.resize(*index + 1, usize::MAX);
            }
            param_vars[*index] = *var;
        }
        if !active[*var] || matches!(value, Value::Param { .. }) {
            continue;
        }
        let ct = current[*var].expect("an active value has a cotangent from its consumers");
        let contributions = value
            .diff_operands()
            .into_iter()
            .map(|operand| {
                active[operand].then(|| {
                    let new = next;
                    next += 1;
                    let prev = current[operand].replace(new);
                    Contribution {
                        var: operand,
                        prev,
                        new,
                    }
                })
            })
            .collect();
        steps.push(Step {
            stmt: index,
            ct,
            contributions,
        });
    }
    let grads = param_vars.iter().map(|v| current[*v]).collect();
    Reverse {
        steps,
        grads,
        param_vars,
    }
}
