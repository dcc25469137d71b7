//! Activity analysis: which values need an adjoint.
//!
//! A value is *active* when it is varied (depends on a differentiated parameter, which
//! `lower` records) and useful (the output depends on it through differentiable
//! operations). Output: one flag per variable; the reverse sweep visits exactly the
//! statements that bind active variables, so constants cost nothing.

use crate::ir::{Function, Stmt};

pub fn active(f: &Function) -> Vec<bool> {
    let mut useful = vec![false; f.vars.len()];
    useful[f.output] = true;
    for stmt in f.stmts.iter().rev() {
        if let Stmt::Let { var, value, .. } = stmt
            && useful[*var]
            && f.vars[*var].varied
        {
            for operand in value.diff_operands() {
                useful[operand] = true;
            }
        }
    }
    useful
        .iter()
        .zip(&f.vars)
        .map(|(useful, var)| *useful && var.varied)
        .collect()
}
